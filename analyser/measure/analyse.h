/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analyse.h: the lab engineer's verdict: capture -> Welch spectrum -> calibration -> band
 * measurements -> per-band verdicts against a limit set (docs/architecture.md §Pipeline,
 * §Verdicts), and the text, JSON and CSV forms of the result.
 *
 * Measurement of each quantity (levels are linear until the final dB conversion):
 *   channel_power  power over [f_lo, f_hi) with fractional edge bins (rfn_band_measure);
 *   mean_density   channel power / band width (x ref_bw_hz for a /ref_bw unit);
 *   peak_density   per Hz: the largest bin density; per ref_bw: the largest power found in any
 *                  ref_bw_hz-wide window inside the band (sliding integral of the density, so a
 *                  tone reads its power and flat noise reads density x ref_bw);
 *   peak, quasi_peak, cispr_average, rms_average
 *                  the CISPR 16-1-1 detector itself (emi.h: Gaussian-RBW STFT at rbw_hz, the
 *                  time constants of the CISPR band holding the band's centre), one pass per
 *                  distinct RBW: the largest reading of any output bin in the band. A reading
 *                  from a capture shorter than 5 meter time constants may still be rising: it
 *                  proves a fail, not a pass ("too-short"). Where the detector cannot run (QP is
 *                  not defined in Band E), the band falls back to the largest power in any
 *                  rbw_hz-wide window of the Welch max-hold: the peak reading, and an upper
 *                  bound of QP/AV, so a QP/AV band then passes when the bound passes and is
 *                  inconclusive ("detector-upper-bound") when it does not: never a fail on a
 *                  bound. band_verdict.method says which was used.
 * Masks are evaluated bin by bin: the worst point is the smallest limit - level.
 *
 * Decision rule (per applicable band): inconclusive when the band is not entirely in the span,
 * the capture is clipped, too short (fewer than min_segments averages), uncalibrated against a
 * dBm/dBuV/m limit, outside the calibration's range, left with too few averages once the hub's
 * bursts were excluded although the capture had enough ("too-little-after-exclusion"), or when
 * the noise floor of the chain is within 3 dB of the limit (the floor: the calibration's stated
 * noise_floor_dbm_hz or the same band measured on a baseline capture, whichever is higher),
 * unless the level minus the floor
 * still exceeds the limit: then the fail stands. Otherwise margin = limit - measured: fail when
 * < 0, inconclusive ("guard-band") when < guard_db, pass otherwise. A peak-type or
 * channel-power band only partly covered still fails when its covered part already exceeds the
 * limit. */
#ifndef RFN_ANALYSE_H
#define RFN_ANALYSE_H

#include <stdio.h>

#include "calibration.h"
#include "capture.h"
#include "limits.h"
#include "records.h"
#include "rfn_error.h"
#include "spectrum.h"
#include "welch.h"

/* The resolution a band needs (README "Resolution"; rbw_coarseness in analyse.c): the Welch
 * bin's ENBW at most ANALYSE_RBW_MAX_RATIO times the bandwidth a reading is taken in (the
 * reference bandwidth of a density limit, the RBW of a detector limit read from the spectrum),
 * and a channel power or mean density at least ANALYSE_RBW_MIN_BINS bins wide. Coarser gives
 * "rbw-too-wide": inconclusive, except that a reading that can only be low still proves a fail. */
#define ANALYSE_RBW_MAX_RATIO 1.0
#define ANALYSE_RBW_MIN_BINS 4.0

typedef struct analyse_config {
    limits_set *const *limits; /* [n_limits] candidate sets: one = used as given; several = the
                                  one in force on the capture's date (today when unknown) */
    size_t n_limits;
    const calibration *cal;    /* NULL = uncalibrated: levels in dBFS, unless cal_dir is set
                                  and the capture names a calibration id (SigMF
                                  rfnoise:calibration_id): then cal_dir/<id>.json is used */
    const char *cal_dir;       /* NULL = no lookup by id */
    const char *baseline_path; /* capture of the chain alone (device off, same settings): its
                                  level in each band is a measured noise floor; NULL = none */
    double rx_gain_db;         /* receiver gain for per-gain calibration tables; NAN = none */
    unsigned region, han;      /* LIMITS_REGION_* / LIMITS_HAN_* bit, 0 = any */
    double guard_db;           /* >= 0: pass only when margin >= guard_db */
    decision_options decision; /* --decision-rule / --uncertainty-db (records.h); zero = the
                                  limit set's rule and the calibration's uncertainty */
    /* Spectrum (spectrum.h). nfft 0 = from rbw_hz when > 0, else chosen from the bands: the
     * Hann ENBW is kept <= a quarter of the narrowest ref_bw/rbw/band width, nfft a power of two
     * in [64, 65536] and at most 1/8 of the capture. Extra traces are ignored: the bands say
     * which traces they measure. */
    spectrum_options spectrum;
    size_t min_segments;       /* fewer averages make every band "too-short"; default 10 */
    /* Capture reading (capture_options): NAN = not given. */
    double rate_hz, center_hz;
    const char *datatype; /* sample type of a raw capture (--datatype); NULL = by its name */
    const char *recording; /* recording of a multi-recording .sigmf archive (--recording) */
    /* Plots: NULL = none; else DIR/<capture name>.spectrum.<ext> (each band drawn as judged,
     * its numbers in .spectrum.dat) and .spectrogram.<ext>. */
    const char *plot_dir;
    const char *plot_ext;      /* "png" (default) or "svg" */
    int quiet;                 /* no progress on stderr */
    int keep_annotations;      /* 0 (default): samples inside the capture's SigMF annotation
                                  spans (the hub's own bursts) are left out of the spectrum and
                                  the detectors (docs/architecture.md §Units); 1: analyse
                                  everything */
    int exclude_bursts;        /* 1: find the hub's bursts in each applicable band against
                                  that band's own noise floor (bursts.h: SM.1753 20 % floor of
                                  the band's short-time power, threshold burst_threshold_db
                                  for burst_min_s or longer, widened by burst_guard_s) in a
                                  first pass, and leave them out of the spectrum and detectors
                                  like annotation spans; 0 (default): keep them */
    double burst_threshold_db, burst_min_s, burst_guard_s; /* 6 dB, 1 ms, 0.5 ms */
    int fft_estimate;          /* 1: FFTW_ESTIMATE plans for the spectrum instead of MEASURE:
                                  the plan (so every result bit) is the same on every run and
                                  machine load, which validate's cache and shards rely on */
    unsigned jobs;             /* threads for the spectrum and detectors (welch_pool.h; the
                                  result is the same bits for any number); 0 (default) = one,
                                  as validate wants: its own workers take the cores */
} analyse_config;

analyse_config analyse_config_default(void);

const char *analyse_verdict_name(band_verdict_kind v); /* "pass", "fail", ... */
const char *analyse_reason_name(unsigned bit);         /* one enum band_reason bit, else NULL */

/* Classify one computed spectrum against the limit set `set` (the caller chose it): fills
 * res->bands, res->n_bands, res->verdict and the limits fields of res; res->findings,
 * res->settings.region/han/guard must already be set (findings decide "clipped"/"too-short").
 * The spectrum is in FS^2/Hz (rfn_welch_get_spectrum). RFN_ERR_NOMEM, RFN_ERR_INVALID. */
rfn_status analyse_classify(const rfn_spectrum *spec, const limits_set *set,
                            const analyse_config *cfg, capture_analysis *res, rfn_error *err);

/* The whole pipeline for one capture file; res is zeroed first and owns its bands afterwards
 * (analyse_result_free). Input errors (unreadable capture, no limit set in force) return their
 * status with err naming the file. A failing plot is reported in plot_err (when not NULL) and
 * does not fail the analysis. */
rfn_status analyse_capture(const char *path, const analyse_config *cfg, capture_analysis *res,
                           rfn_error *plot_err, rfn_error *err);

/* Stream every sample of an open capture through a Welch engine configured by wcfg (fs, centre,
 * real_input set by the caller from the capture's metadata) and fill spec (rfn_spectrum_free).
 * Progress on stderr unless quiet. jobs: worker threads (welch_pool.h: 0 = every online CPU,
 * 1 = none; the spectrum is the same bits for any). Capture read errors and RFN_ERR_TRUNCATED
 * (shorter than one segment) are returned with err naming the file. */
rfn_status analyse_read_spectrum(capture *c, const rfn_welch_config *wcfg, int quiet,
                                 unsigned jobs, rfn_spectrum *spec, rfn_error *err);

/* The same, with the samples inside the capture's SigMF annotation spans (the hub's own bursts)
 * left out, as analyse_capture does by default (rfnoise compare). */
rfn_status analyse_read_spectrum_kept(capture *c, const rfn_welch_config *wcfg, int quiet,
                                      unsigned jobs, rfn_spectrum *spec, rfn_error *err);

/* NULL is a no-op. */
void analyse_result_free(capture_analysis *res);

/* Exit status over n results (cli.h): 1 any fail, else 3 any inconclusive, else 0. */
int analyse_exit_status(const capture_analysis *res, size_t n);

/* Output formats (records separate from formats: none of these measures anything): text and CSV
 * in analyser/out/analyse_out.c, JSON (an array of records_json.h analysis records) in
 * analyser/out/records_json.c. */
void analyse_write_text(FILE *fp, const capture_analysis *res, size_t n);
rfn_status analyse_write_json(FILE *fp, const capture_analysis *res, size_t n, rfn_error *err);
void analyse_write_csv(FILE *fp, const capture_analysis *res, size_t n);

#endif
