/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apd.h: amplitude probability distribution (CISPR 16-1-1 APD measuring function) of the
 * envelope in one STFT bin or a band of bins: the fraction of time each level is exceeded. */
#ifndef RFN_APD_H
#define RFN_APD_H

#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

typedef struct rfn_apd_config {
    size_t n_bins;       /* values per input frame (the STFT's nfft), >= 1 */
    size_t bin_lo;       /* first bin of the band (centred STFT order), < n_bins */
    size_t bin_hi;       /* last bin, inclusive, bin_lo <= bin_hi < n_bins */
    double scale;        /* the envelope power of a frame is scale * sum of the band's bin powers;
                          * 1 for one bin (the RBW power); bin_hz / enbw_hz turns a sum over
                          * overlapping Gaussian bins into the power in the band. > 0 */
    double level_min_db; /* level grid, dB of the envelope power (dBFS), default -200 */
    double level_max_db; /* default +20 */
    double step_db;      /* grid step, default 0.05 dB; at most 10^6 levels */
} rfn_apd_config;

/* n_bins 1, bin 0, scale 1, grid -200 ... +20 dB in 0.05 dB. */
rfn_apd_config rfn_apd_config_default(void);

typedef struct rfn_apd rfn_apd;

rfn_status rfn_apd_create(const rfn_apd_config *cfg, rfn_apd **out, rfn_error *err);

/* Add n_frames frames (power[f * n_bins + j], linear FS^2). Each frame is one envelope sample. */
void rfn_apd_write(rfn_apd *a, const float *power, size_t n_frames);

/* Samples so far. */
uint64_t rfn_apd_samples(const rfn_apd *a);

/* Fraction of samples whose level exceeds level_db (resolved to the grid: levels are binned by
 * step_db; a level between grid points counts the samples of the bins entirely above it).
 * NAN before any sample. */
double rfn_apd_prob_exceed(const rfn_apd *a, double level_db);

/* The level (dB) exceeded with probability prob, interpolated linearly in log10(probability)
 * between grid levels. RFN_ERR_INVALID when prob is outside (0, 1) or prob * samples < 10
 * (fewer than ten samples above the answer: "apd: probability 1e-05 needs at least 1000000
 * samples (have 4000)"). */
rfn_status rfn_apd_level_at(const rfn_apd *a, double prob, double *level_db, rfn_error *err);

/* The distribution as a table: for each grid level L_i (i = 0 .. n-1, ascending) the fraction of
 * samples above it, only over the range that holds samples (plus one level below); levels and
 * probs must hold max entries; *n receives the count (<= max; the table is cut to max rows from
 * the top). */
void rfn_apd_table(const rfn_apd *a, double *levels_db, double *probs, size_t max, size_t *n);

void rfn_apd_reset(rfn_apd *a);

/* NULL is a no-op. */
void rfn_apd_destroy(rfn_apd *a);

#endif
