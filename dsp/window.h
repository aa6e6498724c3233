/* SPDX-License-Identifier: GPL-2.0-or-later */
/* window.h: spectral analysis windows with the figures that scale their spectra (coherent gain,
 * ENBW, 6 dB bandwidth, scalloping loss). */
#ifndef RFN_WINDOW_H
#define RFN_WINDOW_H

#include <stddef.h>

#include "rfn_error.h"

typedef enum rfn_window_type {
    RFN_WINDOW_RECT = 0,
    RFN_WINDOW_HANN,           /* periodic ("DFT-even"), as scipy.signal.get_window('hann') */
    RFN_WINDOW_HANN_SYMMETRIC, /* symmetric, as numpy.hanning / scipy hann(sym=True) */
    RFN_WINDOW_BLACKMANHARRIS, /* 4-term, -92 dB sidelobes; periodic, as get_window */
    RFN_WINDOW_FLATTOP,        /* 5-term flat-top (scipy.signal.windows.flattop), periodic */
    RFN_WINDOW_GAUSSIAN,       /* exp(-t^2 / 2 sigma^2), sigma chosen from a 6 dB RBW */
    RFN_WINDOW_COUNT
} rfn_window_type;

/* Scaling figures of a window of length n. With S1 = sum w, S2 = sum w^2
 * (docs/architecture.md §Units): a tone's power is |X|^2 / S1^2, a density is |X|^2 / (fs S2),
 * ENBW = n S2 / S1^2 bins. */
typedef struct rfn_window_props {
    size_t n;
    double s1;                 /* sum of w */
    double s2;                 /* sum of w^2 */
    double coherent_gain;      /* S1 / n */
    double enbw_bins;          /* equivalent noise bandwidth, in bins: n S2 / S1^2 */
    double bw6_bins;           /* full width where |W(f)| is 6 dB below |W(0)|, in bins */
    double scalloping_loss_db; /* power loss of a tone half-way between bins (>= 0 dB) */
} rfn_window_props;

/* Parse/print the names used on the command line and in files: "rect", "hann", "hann-symmetric",
 * "blackmanharris", "flattop", "gaussian". Parse returns RFN_ERR_INVALID for unknown names. */
rfn_status rfn_window_from_name(const char *name, rfn_window_type *type);
const char *rfn_window_name(rfn_window_type type);

/* sigma (seconds) of the Gaussian whose amplitude response is 6 dB down at +-rbw6_hz/2:
 * |W(f)| = exp(-2 pi^2 sigma^2 f^2) = 1/2 gives sigma = sqrt(2 ln 2) / (pi B6) ~ 0.3748 / B6,
 * and then ENBW = 1 / (2 sqrt(pi) sigma) ~ 0.7527 B6 (docs/architecture.md §Units). */
double rfn_window_gaussian_sigma_s(double rbw6_hz);

/* Length of a Gaussian window for rbw6_hz at sample rate fs_hz: it spans +-RFN_GAUSS_HALF_SIGMAS
 * sigma, so that the truncation sidelobes sit below -100 dB. 0 when rbw6_hz or fs_hz is not > 0
 * or the length would exceed 2^52 samples (a sample rate far beyond any receiver). */
#define RFN_GAUSS_HALF_SIGMAS 5.0
size_t rfn_window_gaussian_length(double rbw6_hz, double fs_hz);

/* Fill w[0..n-1]. For RFN_WINDOW_GAUSSIAN, sigma_samples is the standard deviation in samples
 * (> 0; ignored by the other windows); the Gaussian is centred at n/2 (periodic convention).
 * Returns RFN_ERR_INVALID for n == 0, an unknown type or a bad sigma. */
rfn_status rfn_window_fill(rfn_window_type type, size_t n, double sigma_samples, float *w);

/* Compute the scaling figures of the window held in w[0..n-1]. bw6_bins and scalloping loss are
 * evaluated from the window's DTFT, so they are exact for whatever window is given. */
rfn_status rfn_window_analyse(const float *w, size_t n, rfn_window_props *props);

/* Smallest FFT length whose resolution bandwidth (ENBW, the bandwidth a noise density is
 * integrated over) does not exceed rbw_hz: n = ceil(enbw_bins * fs / rbw). enbw_bins is the
 * window's asymptotic ENBW (1 for rect, 1.5 Hann, 2.0044 Blackman-Harris, 3.7702 flat-top).
 * Not for the Gaussian, whose length follows from its sigma (rfn_window_gaussian_length). */
rfn_status rfn_window_nfft_for_rbw(rfn_window_type type, double rbw_hz, double fs_hz,
                                   size_t *nfft);

#endif
