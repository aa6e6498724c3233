/* SPDX-License-Identifier: GPL-2.0-or-later */
/* emi.h: the EMI-receiver stage: one pass over a capture through the Gaussian-RBW STFT into the
 * CISPR 16-1-1 detectors, a bounded spectrogram, an APD and the burst finder (issue 3). */
#ifndef RFN_EMI_H
#define RFN_EMI_H

#include <stddef.h>
#include <stdint.h>

#include "apd.h"
#include "burst.h"
#include "capture.h"
#include "detector.h"
#include "spectrogram.h"
#include "stft.h"

typedef struct emi_config {
    double rbw_hz;          /* 6 dB RBW; 0 = the band's (9 kHz B, 120 kHz C/D, 1 MHz E) */
    int band;               /* rfn_det_band for the time constants; -1 = from the capture's centre
                               frequency (C/D when unknown) */
    unsigned detectors;     /* rfn_det_kind flags; 0 = none */
    int qp_optional;        /* 1: drop RFN_DET_QP silently where the band defines no quasi-peak
                               (Band E); 0: that is an error */
    int want_spectrogram;
    size_t sg_rows, sg_cols; /* spectrogram grid bound (rows even) */
    rfn_spectrogram_mode sg_mode;
    int want_apd;
    double apd_lo_hz, apd_hi_hz; /* band on the output frequency axis (absolute when the centre
                                    frequency is known, else offset from it) */
    int exclude_annotations; /* frames centred in a SigMF annotation span are left out of the
                                detectors and the APD (the hub's own bursts) */
    const rfn_span *exclude_spans; /* more spans (samples) to leave out the same way, e.g. the
                                      bursts a first pass found (emi_result.burst_spans); not
                                      owned, any order */
    size_t n_exclude_spans;
    double burst_threshold_db; /* burst finder on the capture's total power: threshold above the
                                  floor (default 10 dB) ... */
    double burst_min_s;        /* ... and minimum duration (default 1 ms) */
    int quiet;                 /* no progress on stderr */
    unsigned jobs;             /* threads for the detectors, split by bins after the STFT
                                  (det_pool.h; the same readings for any number): 0 = every
                                  online CPU, 1 (default) = the caller's thread alone */
} emi_config;

/* rbw 0, band -1, no detectors, no spectrogram (1000 x 1000 max when asked), no APD, annotations
 * kept, bursts 10 dB / 1 ms, progress on, jobs 1. */
emi_config emi_config_default(void);

/* To leave detected bursts out (`--exclude-bursts`): run emi_run once with nothing asked to find
 * them (res.burst_spans), reopen the capture, and run it again with exclude_spans set to them. */

typedef struct emi_result {
    rfn_stft_info stft;      /* window, hop, overlap, RBW/ENBW actually used */
    rfn_det_params params;   /* time constants used */
    rfn_det_band band;
    double center_hz;        /* 0 when the capture does not say */
    int center_known;
    int real_input;          /* real capture: one-sided output (bins >= 0 Hz, power doubled) */
    size_t n_out;            /* output bins */
    size_t bin0;             /* STFT bin of output bin 0 */
    double *freq_hz;         /* [n_out] centre frequency of each output bin */
    /* [n_out] linear power (FS^2) per detector, index = bit position of its rfn_det_kind;
     * NULL when not asked */
    double *reading[RFN_DET_KIND_COUNT];
    rfn_spectrogram *sg;     /* NULL when not asked; over all STFT bins (centred order) */
    rfn_apd *apd;            /* NULL when not asked */
    double apd_lo_hz, apd_hi_hz; /* band the APD actually covers (bin edges) */
    size_t apd_bins;
    rfn_burst_report bursts; /* bursts in the capture's total power; annotations as given spans */
    rfn_span *burst_spans;   /* [n_burst_spans] the bursts found, in samples (guards included) */
    size_t n_burst_spans;
    uint64_t samples, frames, frames_excluded;
    unsigned detectors;      /* the detectors actually run */
    double settle_s;         /* capture length the meters need to read within 0.1 dB of a steady
                                signal: 6.5 T_M (the critically damped step response reaches
                                98.85 % in amplitude) */
    int settled;             /* the capture is at least settle_s long */
} emi_result;

/* Read c to its end once. On failure err names the file. res must be freed with
 * emi_result_free whatever the outcome. */
rfn_status emi_run(capture *c, const emi_config *cfg, emi_result *res, rfn_error *err);

/* Open path and run it; with exclude_bursts, first a pass that only finds the bursts, then the
 * capture is reopened and run with them (and cfg->exclude_spans) left out. *out is the capture
 * of the last pass (for its metadata; capture_close it), NULL on failure; res as emi_run. */
rfn_status emi_run_path(const char *path, const capture_options *copt, const emi_config *cfg,
                        int exclude_bursts, capture **out, emi_result *res, rfn_error *err);

/* Index 0..4 of a single rfn_det_kind flag (for emi_result.reading). */
int emi_det_index(rfn_det_kind kind);

void emi_result_free(emi_result *res);

#endif
