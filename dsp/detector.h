/* SPDX-License-Identifier: GPL-2.0-or-later */
/* detector.h: CISPR 16-1-1 detectors (peak, RMS, CISPR-average, RMS-average, quasi-peak) run on
 * every bin of a streaming STFT at once: the time-domain EMI receiver. */
#ifndef RFN_DETECTOR_H
#define RFN_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

/* Detector set, as bit flags so a caller asks for several at once. */
typedef enum rfn_det_kind {
    RFN_DET_PEAK = 1 << 0,      /* max-hold of the envelope */
    RFN_DET_RMS = 1 << 1,       /* power averaged over the whole stream */
    RFN_DET_CISPR_AVG = 1 << 2, /* linear average of the envelope through the meter, then max */
    RFN_DET_RMS_AVG = 1 << 3,   /* RMS through the corner-frequency integrator, meter, then max */
    RFN_DET_QP = 1 << 4,        /* quasi-peak: charge/discharge follower, meter, then max */
    RFN_DET_KIND_COUNT = 5,     /* how many kinds: arrays indexed by bit position */
    RFN_DET_ALL = (1 << RFN_DET_KIND_COUNT) - 1
} rfn_det_kind;

/* Names used on the command line and in files: "peak", "rms", "cispr_avg", "rms_avg", "qp".
 * Parse a comma-separated list ("peak,qp") into flags; RFN_ERR_INVALID names the bad item. */
const char *rfn_det_name(rfn_det_kind kind);
rfn_status rfn_det_parse_list(const char *list, unsigned *flags, rfn_error *err);

/* CISPR 16-1-1 frequency bands. */
typedef enum rfn_det_band {
    RFN_DET_BAND_A = 0, /* 9 kHz - 150 kHz */
    RFN_DET_BAND_B,     /* 150 kHz - 30 MHz */
    RFN_DET_BAND_CD,    /* 30 MHz - 1 GHz */
    RFN_DET_BAND_E,     /* 1 GHz - 18 GHz */
    RFN_DET_BAND_COUNT
} rfn_det_band;

/* Receiver parameters. Time constants in seconds; 0 means "not defined" (no QP in Band E). */
typedef struct rfn_det_params {
    double rbw_hz;         /* 6 dB bandwidth */
    double qp_charge_s;    /* QP electrical charge time constant */
    double qp_discharge_s; /* QP electrical discharge time constant */
    double qp_meter_s;     /* QP critically damped meter, mechanical time constant T_M */
    double avg_meter_s;    /* CISPR-average and RMS-average meter time constant */
    double rms_corner_hz;  /* RMS-average corner frequency f_c */
} rfn_det_params;

/* The standard's parameters for a band (values and sources in detector.c). "A", "B", "CD" (also
 * "C", "D", "C/D") and "E" parse; RFN_ERR_INVALID otherwise. */
rfn_status rfn_det_params_for_band(rfn_det_band band, rfn_det_params *p);
rfn_status rfn_det_band_from_name(const char *name, rfn_det_band *band);
const char *rfn_det_band_name(rfn_det_band band);

/* The band whose range holds an RF frequency (Hz): < 150 kHz A, < 30 MHz B, <= 1 GHz C/D,
 * above E. */
rfn_det_band rfn_det_band_for_freq(double freq_hz);

typedef struct rfn_detector rfn_detector;

typedef struct rfn_detector_config {
    size_t n_bins;         /* values per frame (the STFT's nfft), >= 1 */
    double frame_rate_hz;  /* frames per second (fs / hop), > 0 */
    unsigned detectors;    /* rfn_det_kind flags, at least one */
    rfn_det_params params; /* time constants; QP needs all three QP constants > 0 */
    size_t frame_stride;   /* values from one frame to the next in rfn_detector_write's power
                              (0 = n_bins): a detector of some bins of wider frames, so that
                              threads can share a frame's bins (each bin's state is its own) */
} rfn_detector_config;

/* Defaults: 1 bin, frame rate 480 kHz (2.4 MS/s, hop 5), all detectors, Band C/D parameters,
 * frames packed (frame_stride 0). */
rfn_detector_config rfn_detector_config_default(void);

/* Allocates per-bin state (O(n_bins), fixed). RFN_ERR_INVALID: bad sizes, no detector, a time
 * constant shorter than two frames, or QP asked without QP constants ("quasi-peak is not defined
 * for these parameters (Band E)"). */
rfn_status rfn_detector_create(const rfn_detector_config *cfg, rfn_detector **out,
                               rfn_error *err);

/* Feed n_frames frames of n_bins powers each (power[f * stride + j], stride = frame_stride or
 * n_bins; FS^2 as delivered by the STFT sink; an envelope is sqrt(power)). */
void rfn_detector_write(rfn_detector *d, const float *power, size_t n_frames);

/* Reading of one detector for every bin, in linear power (FS^2, the power of a continuous tone
 * that would read the same; dB = 10 log10). out has n_bins values. Readings are what the
 * detector shows after the frames written so far; before any frame they are 0. RFN_ERR_INVALID
 * if kind is not a single detector that was configured. */
rfn_status rfn_detector_get(const rfn_detector *d, rfn_det_kind kind, double *out,
                            rfn_error *err);

/* Frames written so far. */
uint64_t rfn_detector_frames(const rfn_detector *d);

/* Clear all state (readings back to 0). */
void rfn_detector_reset(rfn_detector *d);

/* NULL is a no-op. */
void rfn_detector_destroy(rfn_detector *d);

/* Meter-off / meter-on comparison: the rise of a noise floor (any linear power unit, both > 0)
 * in dB, 10 log10(on / off); NAN if either is not > 0. */
double rfn_noise_rise_db(double floor_on, double floor_off);

/* Power the device under test adds on top of the baseline, on - off (same unit), or 0 when the
 * rise is not positive: the noise-subtraction estimate of the meter's own contribution. */
double rfn_noise_excess(double floor_on, double floor_off);

#endif
