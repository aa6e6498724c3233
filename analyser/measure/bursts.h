/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bursts.h: the Communications Hub's own transmissions are not the meter's noise: find the
 * bursts in each limit band against that band's own noise floor, so that analyse can leave them
 * out of the spectrum and the detectors (`--exclude-bursts`, README "Bursts").
 *
 * Design (two reads of the capture, memory bounded by the number of bands):
 *   - A Gaussian-window STFT (stft.h) with a short window: sigma = min_duration / 40, so the
 *     window (+-5 sigma) spans a quarter of the shortest burst; hop = sigma. Its bins summed over
 *     a band (times bin_hz / ENBW, twice for a real capture's one-sided bins) give the band's
 *     power in each frame; a moving average over a quarter of min_duration smooths the
 *     frame-to-frame spread of noise.
 *   - Read 1: a histogram of each band's smoothed power (0.05 dB bins, -350 to +50 dBFS). The
 *     band's floor is the ITU-R SM.1753 20 % method applied over time: the linear mean of the
 *     lowest 20 % of the values (the band is assumed burst-free at least 20 % of the time); the
 *     median is kept beside it.
 *   - Read 2: each band's values go through the burst detector (dsp/burst.h) with that fixed
 *     floor: a burst is power above floor + threshold_db (default 6 dB) for at least half of
 *     min_duration (the window and the smoothing blur a min_duration burst's edges by a quarter
 *     of it each, so a 1 ms burst 6 dB over the floor stays over the threshold for about
 *     0.8 ms), widened by guard_s each side.
 *   - The spans found in any band are merged: a burst in any judged band is the hub
 *     transmitting, and the whole capture is left out there. */
#ifndef RFN_BURSTS_H
#define RFN_BURSTS_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "records.h"
#include "rfn_error.h"

typedef struct bursts_config {
    double threshold_db;   /* over the band's floor, > 0; default 6 dB */
    double min_duration_s; /* shortest burst found, > 0; default 1 ms */
    double guard_s;        /* each span widened by this both sides, >= 0; default 0.5 ms */
    double floor_fraction; /* the SM.1753 fraction of lowest values averaged, (0, 1]; 0.2 */
    int quiet;             /* no progress on stderr */
} bursts_config;

/* 6 dB, 1 ms, 0.5 ms guard, 20 %, progress on. */
bursts_config bursts_config_default(void);

/* A band to look in: absolute frequencies (Hz), f_lo_hz < f_hi_hz; id is copied. */
typedef struct bursts_band {
    const char *id;
    double f_lo_hz, f_hi_hz;
} bursts_band;

typedef struct bursts_result {
    excluded_burst *spans;  /* [n_spans] sorted by start, merged, inside the capture; owned */
    size_t n_spans;
    uint64_t excluded_samples; /* the samples they hold */
    uint64_t samples;          /* samples read */
    double *floor_dbfs;     /* [n_bands] each band's floor (power in the band, dBFS); NAN when
                               the band is outside the capture's span or silent (no detection
                               there) */
    double *median_dbfs;    /* [n_bands] the median of the same values */
    size_t n_bands;
    double window_s, hop_s, smooth_s; /* the STFT and smoothing actually used */
} bursts_result;

/* Read the capture at path twice (copt as for capture_open) and find its bursts in the bands.
 * Capture errors are returned with err naming the file; RFN_ERR_INVALID for a bad cfg or a
 * sample rate too low for min_duration; RFN_ERR_NOMEM. res is zeroed first; free it with
 * bursts_result_free whatever the outcome. */
rfn_status bursts_find(const char *path, const capture_options *copt, const bursts_config *cfg,
                       const bursts_band *bands, size_t n_bands, bursts_result *res,
                       rfn_error *err);

/* NULL is a no-op. */
void bursts_result_free(bursts_result *res);

#endif
