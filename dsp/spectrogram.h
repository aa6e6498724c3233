/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spectrogram.h: (time, frequency) power cells of a stream of spectra, decimated to a bounded
 * grid a plot can hold, without ever holding the full-resolution matrix. */
#ifndef RFN_SPECTROGRAM_H
#define RFN_SPECTROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

typedef enum rfn_spectrogram_mode {
    RFN_SPECTROGRAM_MAX = 0, /* each cell is the largest power among its frames and bins */
    RFN_SPECTROGRAM_MEAN,    /* each cell is the mean power over its frames and bins */
} rfn_spectrogram_mode;

typedef struct rfn_spectrogram_config {
    size_t n_bins;   /* values per input frame (e.g. the STFT's nfft), >= 1 */
    size_t max_rows; /* time rows kept, even, >= 2; default 1000 */
    size_t max_cols; /* frequency columns, >= 1; default 1000 */
    rfn_spectrogram_mode mode;
} rfn_spectrogram_config;

/* n_bins 1024, 1000 x 1000, max. */
rfn_spectrogram_config rfn_spectrogram_config_default(void);

/* Shape of the grid as it stands. Columns: column c holds input bins
 * [c * bins_per_col, min((c + 1) * bins_per_col, n_bins)), so cols = ceil(n_bins / bins_per_col)
 * with bins_per_col = ceil(n_bins / max_cols). Rows: row r holds frames
 * [r * frames_per_row, (r + 1) * frames_per_row); when max_rows full rows exist, neighbouring
 * pairs are merged (frames_per_row doubles). The last row may be partial (frames_in_last_row <
 * frames_per_row); rows == 0 before any frame. */
typedef struct rfn_spectrogram_shape {
    size_t rows, cols;
    size_t bins_per_col;
    uint64_t frames_per_row;
    uint64_t frames_in_last_row;
    uint64_t frames; /* frames written */
} rfn_spectrogram_shape;

typedef struct rfn_spectrogram rfn_spectrogram;

/* All memory is allocated here: max_rows * cols cells plus one row accumulator. RFN_ERR_INVALID
 * names the bad field; RFN_ERR_NOMEM. */
rfn_status rfn_spectrogram_create(const rfn_spectrogram_config *cfg, rfn_spectrogram **out,
                                  rfn_error *err);

/* Add n_frames frames of n_bins linear powers each (power[f * n_bins + j]). */
void rfn_spectrogram_write(rfn_spectrogram *s, const float *power, size_t n_frames);

rfn_spectrogram_shape rfn_spectrogram_get_shape(const rfn_spectrogram *s);

/* Copy row r (0 <= r < rows) into out[cols], linear power as the mode says (the partial last row
 * over the frames it holds). RFN_ERR_INVALID for r out of range. */
rfn_status rfn_spectrogram_get_row(const rfn_spectrogram *s, size_t r, double *out,
                                   rfn_error *err);

/* Bytes allocated by the object: fixed at create, whatever is written. */
size_t rfn_spectrogram_bytes(const rfn_spectrogram *s);

void rfn_spectrogram_reset(rfn_spectrogram *s);

/* NULL is a no-op. */
void rfn_spectrogram_destroy(rfn_spectrogram *s);

#endif
