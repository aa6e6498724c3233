/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fft_wisdom.h: keeps FFTW planner wisdom between runs, so that a measured plan is measured once
 * per machine (dsp/fft.h exposes wisdom only as text; this module owns the file). */
#ifndef RFN_FFT_WISDOM_H
#define RFN_FFT_WISDOM_H

#include <stddef.h>

#include "rfn_error.h"

/* Default wisdom file: $XDG_CACHE_HOME/rfnoise/fftwf-wisdom, or ~/.cache/rfnoise/fftwf-wisdom
 * when XDG_CACHE_HOME is unset or not absolute (XDG Base Directory spec). Writes the path into
 * buf; RFN_ERR_NOTFOUND when neither variable gives a directory, RFN_ERR_INVALID when buf is too
 * small. */
rfn_status fft_wisdom_default_path(char *buf, size_t len, rfn_error *err);

/* Import the wisdom in path (NULL: the default path). A missing file is not an error (RFN_OK:
 * plans are then measured and can be saved); RFN_ERR_FORMAT when FFTW rejects the contents (a
 * corrupt file, or one written by another FFTW build; the caller may ignore it and re-plan),
 * RFN_ERR_IO when it cannot be read. */
rfn_status fft_wisdom_load(const char *path, rfn_error *err);

/* Export the process's accumulated wisdom to path (NULL: the default path, creating its
 * directory), atomically (atomic_file). RFN_ERR_IO / RFN_ERR_NOTFOUND as the cause says. */
rfn_status fft_wisdom_save(const char *path, rfn_error *err);

#endif
