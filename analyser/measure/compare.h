/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.h: before and after (`rfnoise compare`): two captures of the same installation (meter
 * off and on, old and new firmware, before and after a replacement) measured band by band: the
 * level in each, the rise in dB with a 95 % interval from the segment-to-segment spread of each,
 * the noise excess over the baseline and the APD difference (issue 19).
 *
 * Level: the channel power over [f_lo, f_hi] with fractional edge bins (as rfn_band_measure),
 * dBm through the calibration, else dBFS. The samples inside the captures' SigMF annotation
 * spans (the hub's own bursts) are left out of the levels and the APD, as analyse does. Each
 * Welch segment's band power is one sample (rfn_welch_config.segment_fn); their mean is the band
 * power of the MEAN trace.
 *
 * Interval. Var(mean of K segment powers) = (s^2 / K) F, with s^2 the segments' sample variance
 * and F = 1 + 2 sum_{l=1..L} (1 - l/K) rho(l) the overlap correction over the L lags at which
 * segments share samples (Welch 1967, eq. for the variance of the averaged periodogram; Percival
 * & Walden 1993, eq. 292a). For noise, rho(l) = sum_t w_t^2 w_{t+lD}^2 / sum_t w_t^4 for a band
 * many bins wide (for one bin it is (sum_t w_t w_{t+lD})^2 / (sum_t w_t^2)^2, smaller): Hann at
 * 50 % overlap gives 3/70 = 0.043 (one bin: 1/36, the 36 K^2 / (19 K - 1) degrees of freedom of
 * Percival & Walden eq. 292b). A tone on noise correlates more (its cross term goes as
 * sum w w / sum w^2 = 1/6), so rho(l) is the larger of that noise value and the lag-l correlation
 * of the segment powers measured in the capture. The 95 % interval of the rise
 * 10 log10(P_after / P_before) is the delta method on the log ratio:
 * +- 1.96 (10 / ln 10) sqrt(V_a / P_a^2 + V_b / P_b^2). */
#ifndef RFN_COMPARE_H
#define RFN_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "calibration.h"
#include "capture.h"
#include "limits.h"
#include "rfn_error.h"
#include "spectrum.h"
#include "welch.h"

/* Below this rise the power subtraction after - before is dominated by the levels' own spread:
 * the excess is then reported as an upper bound, before x (10^(0.05) - 1) (9.1 dB under the
 * baseline), not as an estimate. */
#define COMPARE_EXCESS_MIN_RISE_DB 0.5
#define COMPARE_Z95 1.959963984540054
/* The APD differences reported: the level exceeded 10 %, 1 % and 0.1 % of the time. */
#define COMPARE_N_APD 3
extern const double compare_apd_probs[COMPARE_N_APD];
/* Lags whose correlation is measured from the data (overlaps up to 7/8); beyond, the noise
 * value. */
#define COMPARE_MAX_LAGS 8

typedef struct compare_band {
    char id[64];           /* limit set band id, or the --band edges "F_LO:F_HI" */
    double f_lo_hz, f_hi_hz;
    double limit_density_db; /* the band's constant limit as a flat density (unit/Hz) for the
                                plot, NAN when none or in another unit */
} compare_band;

/* ---- the segment statistics of one capture --------------------------------------------------- */

typedef struct compare_acc compare_acc;

/* Statistics of bands over the segments of a Welch engine configured by w (its rate, centre,
 * nfft, overlap, window and sidedness fix the bins). cal NULL: dBFS; else each bin is scaled by
 * its calibration gain. RFN_ERR_NOMEM, RFN_ERR_INVALID (a calibration error names the band). */
rfn_status compare_acc_create(const rfn_welch_config *w, const compare_band *bands, size_t n,
                              const calibration *cal, compare_acc **out, rfn_error *err);
/* Set w->segment_fn / segment_ctx so that the engine feeds acc. */
void compare_acc_attach(compare_acc *acc, rfn_welch_config *w);
/* The hook itself (rfn_welch_segment_fn). */
void compare_acc_segment(void *acc, const double *density, size_t n_bins);
void compare_acc_destroy(compare_acc *acc);

/* One band of one capture, linear. */
typedef struct compare_level {
    double power;          /* mean of the segment powers (FS^2, or mW when calibrated) */
    double var_of_mean;    /* its variance, (s^2 / K) F */
    double overlap_factor; /* F */
    double covered_fraction; /* of the band inside the spectrum's span */
    uint64_t segments;     /* K */
} compare_level;

compare_level compare_acc_level(const compare_acc *acc, size_t band);

/* ---- a band's comparison --------------------------------------------------------------------- */

typedef struct compare_row {
    char band[64];
    double f_lo_hz, f_hi_hz;
    double level_before, level_after; /* dB in unit */
    char unit[16];                    /* "dBm" or "dBFS" (channel power) */
    double rise_db, rise_ci95_lo_db, rise_ci95_hi_db;
    double excess;                    /* dB in unit: 10 log10(after - before), or its bound */
    int excess_is_bound;              /* 1: the rise is under COMPARE_EXCESS_MIN_RISE_DB */
    double apd_diff_db[COMPARE_N_APD]; /* after - before, NAN when not measured */
    uint64_t segments_before, segments_after;
    double limit_density_db;          /* from compare_band, for the plot */
} compare_row;

/* Fill the level, rise, interval and excess fields of row from two levels (unit set by the
 * caller). */
void compare_row_fill(const compare_level *before, const compare_level *after, compare_row *row);

/* ---- two captures ---------------------------------------------------------------------------- */

typedef struct compare_config {
    const compare_band *bands; /* explicit bands (--band); NULL/0 = the limit set's */
    size_t n_bands;
    limits_set *const *limits; /* candidate sets (the one in force on the after capture's date) */
    size_t n_limits;
    const calibration *cal;    /* NULL = dBFS */
    spectrum_options spectrum; /* nfft 0 = chosen from the narrowest band */
    capture_options copt;
    int want_apd;              /* 1: the APD differences (two EMI passes per band) */
    int quiet;
    int fft_estimate;          /* 1: FFTW_ESTIMATE */
    unsigned jobs;             /* threads (--jobs); 0 = every online CPU. With 2 or more the
                                * two captures are measured side by side: the same result */
} compare_config;

compare_config compare_config_default(void);

typedef struct compare_result {
    compare_row *rows;
    size_t n_rows;
    rfn_spectrum before, after; /* MEAN traces, for the plot */
    double *gain_db;            /* [before.n_bins] dB to add for the unit, NULL = dBFS */
    char unit[16];
    char limits_id[64];         /* the limit set's id, "" for explicit bands */
    uint64_t segments_before, segments_after;
} compare_result;

/* Measure both captures with one Welch configuration (the before capture's metadata). An
 * explicit band outside the span, captures with another rate, centre or sample type, or (limit
 * set bands) none inside the span are input errors naming the file. res is zeroed first;
 * compare_result_free it whatever the outcome. */
rfn_status compare_captures(const char *before, const char *after, const compare_config *cfg,
                            compare_result *res, rfn_error *err);
void compare_result_free(compare_result *res);

#endif
