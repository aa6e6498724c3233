/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synth.h: deterministic synthetic meter-install captures (thermal floor, the hub's own bursts,
 * switch-mode comb lines, broadband rise, impulsive noise), streamed block by block, for the
 * bundled sample data, the demo and the tests. GSL's Mersenne Twister with a fixed seed makes
 * every capture reproducible bit for bit. */
#ifndef RFN_SYNTH_H
#define RFN_SYNTH_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "rfn_error.h"

typedef enum synth_kind {
    SYNTH_TONE = 0,  /* a steady carrier: power_dbfs at freq_hz */
    SYNTH_COMB,      /* n_lines carriers freq_hz + k spacing_hz, each power_dbfs (a switch-mode
                        supply's harmonics, random but fixed phases) */
    SYNTH_BROADBAND, /* Gaussian noise of total power_dbfs spread flat over bandwidth_hz around
                        freq_hz (a meter's broadband rise) */
    SYNTH_BURSTS,    /* the hub's own transmissions: band-limited noise of power_dbfs (while on)
                        over bandwidth_hz around freq_hz, on for duty * period_s of every
                        period_s, starting at start_s */
    SYNTH_IMPULSES,  /* impulsive noise: single-sample impulses of peak power power_dbfs, random
                        phase, rate_hz per second (regular), each filtered to bandwidth_hz
                        around freq_hz when bandwidth_hz > 0 (else full band) */
    SYNTH_KIND_COUNT
} synth_kind;

#define SYNTH_MAX_COMPONENTS 16

typedef struct synth_component {
    synth_kind kind;
    double freq_hz;      /* absolute frequency (the capture's centre is subtracted) */
    double power_dbfs;   /* see synth_kind */
    double spacing_hz;   /* SYNTH_COMB */
    int n_lines;         /* SYNTH_COMB, >= 1 */
    double bandwidth_hz; /* SYNTH_BROADBAND / BURSTS / IMPULSES, < sample rate */
    double period_s;     /* SYNTH_BURSTS */
    double duty;         /* SYNTH_BURSTS, 0 < duty <= 1 */
    double start_s;      /* SYNTH_BURSTS: first burst start */
    double rate_hz;      /* SYNTH_IMPULSES */
} synth_component;

typedef struct synth_config {
    double sample_rate_hz;  /* > 0 */
    double center_freq_hz;  /* any finite value */
    double noise_dbfs_hz;   /* thermal floor density, two-sided; -INFINITY for none */
    uint64_t seed;          /* GSL mt19937 seed */
    double clip_level;      /* each component clipped to +-clip_level (ADC rails); 0 = none */
    size_t n_components;
    synth_component components[SYNTH_MAX_COMPONENTS];
} synth_config;

/* 1 MS/s at 0 Hz, floor -130 dBFS/Hz, seed 1, no clipping, no components. */
synth_config synth_config_default(void);

/* Parse one component from its command-line form (frequencies in Hz, powers in dBFS):
 *   tone:F:P   comb:F0:SPACING:N:P   broadband:F:BW:P   bursts:F:BW:P:PERIOD:DUTY[:START]
 *   impulses:RATE:P[:F:BW]
 * RFN_ERR_INVALID with a message naming the bad field. */
rfn_status synth_component_parse(const char *text, synth_component *out, rfn_error *err);

typedef struct synth synth;

rfn_status synth_create(const synth_config *cfg, synth **out, rfn_error *err);

/* Generate the next n samples (full scale 1.0 per component). The stream is identical however
 * it is cut into blocks. */
void synth_generate(synth *s, float complex *out, size_t n);

/* Samples generated so far. */
uint64_t synth_samples(const synth *s);

/* NULL is a no-op. */
void synth_destroy(synth *s);

/* Annotations ("hub-burst") of every burst of every SYNTH_BURSTS component of cfg that starts
 * inside [0, n_samples), each clipped to the end: *out is a new array of *n_out (free it; NULL
 * when there are none). RFN_ERR_NOMEM "out of memory". */
rfn_status synth_burst_annotations(const synth_config *cfg, int64_t n_samples,
                                   capture_annotation **out, size_t *n_out, rfn_error *err);

#endif
