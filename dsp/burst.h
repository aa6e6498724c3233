/* SPDX-License-Identifier: GPL-2.0-or-later */
/* burst.h: the Communications Hub's own transmissions are not meter noise: find strong bursts
 * (power above the noise floor by a threshold for a minimum duration), take known spans (SigMF
 * annotations), and keep noise statistics over what is left, reporting what was excluded. */
#ifndef RFN_BURST_H
#define RFN_BURST_H

#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

/* A span of samples [start, start + length). */
typedef struct rfn_span {
    uint64_t start;
    uint64_t length;
} rfn_span;

typedef struct rfn_burst_config {
    double fs_hz;            /* sample rate of the capture, > 0 */
    uint64_t step_samples;   /* samples each power value stands for (1 for |x|^2 per sample, the
                              * STFT hop for frame powers), >= 1 */
    uint64_t offset_samples; /* sample at which value 0 is centred (win_len / 2 for STFT frames) */
    double threshold_db;     /* a burst is power above floor + threshold_db; default 10 dB */
    double min_duration_s;   /* and lasting at least this long; default 1 ms */
    double guard_s;          /* widen each detected burst by this much on both sides (edges of
                              * the burst below threshold); default 0.5 ms */
    double floor_power;      /* > 0: a fixed noise floor (linear, same unit as the values).
                              * 0 (default): learnt — the median of the first learn_values values,
                              * then the mean of the values kept as noise */
    size_t learn_values;     /* default 4096 */
    int detect;              /* 1 (default): detect bursts; 0: only mask given spans */
} rfn_burst_config;

/* fs 2.4 MHz, step 1, offset 0, 10 dB, 1 ms, guard 0.5 ms, floor learnt from 4096 values,
 * detect on. */
rfn_burst_config rfn_burst_config_default(void);

/* What was excluded from the noise statistics. */
typedef struct rfn_burst_report {
    size_t n_detected;       /* bursts found by threshold */
    size_t n_given;          /* spans given with rfn_burst_add_span */
    uint64_t values;         /* power values written */
    uint64_t values_excluded;
    double excluded_s;       /* excluded values * step / fs */
    double excluded_fraction; /* values_excluded / values (0 before any value) */
    double floor_power;      /* mean of the values kept as noise (NAN if none) */
    double mean_power_all;   /* mean of every value, unmasked (NAN if none) */
    double threshold_power;  /* the detection threshold in force at the end */
} rfn_burst_report;

typedef struct rfn_burst rfn_burst;

/* RFN_ERR_INVALID names the bad field; RFN_ERR_NOMEM. Memory is bounded by learn_values and the
 * minimum-duration and guard lengths, plus the list of spans found. */
rfn_status rfn_burst_create(const rfn_burst_config *cfg, rfn_burst **out, rfn_error *err);

/* Known span to exclude (e.g. a SigMF annotation: core:sample_start, core:sample_count), in
 * samples. Call before the values it covers are written; any order. RFN_ERR_NOMEM. */
rfn_status rfn_burst_add_span(rfn_burst *b, uint64_t start, uint64_t length, rfn_error *err);

/* Add n power values (linear; >= 0). Returns RFN_ERR_NOMEM only if the list of detected spans
 * cannot grow. */
rfn_status rfn_burst_write(rfn_burst *b, const double *power, size_t n, rfn_error *err);

/* Settle the values still held back (the end of the stream); call once at the end. */
void rfn_burst_finish(rfn_burst *b);

rfn_burst_report rfn_burst_get_report(const rfn_burst *b);

/* Spans detected so far, in samples (owned by the object, valid until the next write/reset). */
const rfn_span *rfn_burst_detected(const rfn_burst *b, size_t *n);

/* The largest value of each detected span's run (same order and count as rfn_burst_detected;
 * the run itself, not its guards), so a caller can say how far over the floor a burst was. */
const double *rfn_burst_detected_peaks(const rfn_burst *b, size_t *n);

void rfn_burst_reset(rfn_burst *b);

/* NULL is a no-op. */
void rfn_burst_destroy(rfn_burst *b);

#endif
