/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spectrum.h: the spectrum options every command that makes a Welch spectrum takes (--nfft --rbw
 * --window --overlap --detrend --average --traces), and the one function that turns them into
 * the Welch configuration for a capture (docs/architecture.md §Units: RBW is the window's ENBW). */
#ifndef RFN_SPECTRUM_H
#define RFN_SPECTRUM_H

#include <stddef.h>

#include "records.h"
#include "rfn_error.h"
#include "welch.h"
#include "window.h"

/* Segment lengths a user may ask for: below 16 points the bins are too coarse for any band of
 * the limit sets to be measured, and above 2^24 one segment is 128 MiB of complex float. */
enum { SPECTRUM_NFFT_MIN = 16, SPECTRUM_NFFT_MAX = 1 << 24 };

typedef struct spectrum_options {
    size_t nfft;            /* segment length; 0 = from rbw_hz if > 0, else the caller's default */
    double rbw_hz;          /* > 0: a Gaussian window for this RBW (rfn_welch_config_for_rbw) */
    rfn_window_type window; /* default Hann */
    double overlap;         /* fraction of nfft in [0, 1), default 0.5 */
    int detrend_mean;       /* 1: subtract each segment's mean (scipy's detrend='constant') */
    unsigned traces;        /* RFN_TRACE_BIT()s wanted besides the mean; default none */
} spectrum_options;

/* nfft 0, rbw_hz 0, Hann, overlap 0.5, no detrend, no extra traces. */
spectrum_options spectrum_options_default(void);

/* The Welch configuration for capture m: its rate, centre and real/complex input, the window,
 * detrend and overlap of o, the mean trace plus o->traces, and nfft from o->nfft, else from
 * o->rbw_hz, else default_nfft. Errors: RFN_ERR_INVALID "give --nfft or --rbw, not both", an nfft
 * outside SPECTRUM_NFFT_MIN ... SPECTRUM_NFFT_MAX, and rfn_welch_config_for_rbw's. */
rfn_status spectrum_welch_config(const spectrum_options *o, const capture_meta *m,
                                 size_t default_nfft, rfn_welch_config *w, rfn_error *err);

#endif
