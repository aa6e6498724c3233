/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analyse.c: the verdict pipeline: capture -> Welch spectrum -> calibration -> band measurements
 * -> verdicts, plus the plots of a capture. Output formats live in analyse_out.c and
 * records_json.c. */
#include "analyse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "band.h"
#include "bursts.h"
#include "capture.h"
#include "emi.h"
#include "exit_status.h"
#include "judge_band.h"
#include "plot.h"
#include "progress.h"
#include "units.h"
#include "welch_pool.h"

/* A detector reading needs the capture to last this many meter time constants: a critically
 * damped meter reaches 1 - 6 e^-5 = 96 % (-0.18 dB) of a steady input after 5 T_M. */
#define DETECTOR_SETTLE_METERS 5.0

/* One EMI-receiver pass (emi.h) for the detector bands sharing an RBW and CISPR band. */
typedef struct det_run {
    double rbw_hz;
    rfn_det_band det_band;
    unsigned kinds;       /* rfn_det_kind flags asked */
    int ok;               /* 1 when emi_run succeeded */
    emi_result res;
} det_run;

#define MAX_DET_RUNS 8

static rfn_det_kind det_kind_of(limits_quantity q)
{
    switch (q) {
    case LIMITS_Q_QUASI_PEAK:
        return RFN_DET_QP;
    case LIMITS_Q_CISPR_AVERAGE:
        return RFN_DET_CISPR_AVG;
    case LIMITS_Q_RMS_AVERAGE:
        return RFN_DET_RMS_AVG;
    default:
        return RFN_DET_PEAK;
    }
}

static const det_run *find_run(const det_run *runs, size_t n, const limits_band *b)
{
    rfn_det_band db = rfn_det_band_for_freq((b->f_lo_hz + b->f_hi_hz) / 2);
    for (size_t i = 0; i < n; i++)
        if (runs[i].rbw_hz == b->rbw_hz && runs[i].det_band == db)
            return &runs[i];
    return NULL;
}

/* ---- names ----------------------------------------------------------------------------------- */

analyse_config analyse_config_default(void)
{
    analyse_config c;
    memset(&c, 0, sizeof c);
    c.spectrum = spectrum_options_default();
    c.min_segments = 10;
    c.rate_hz = NAN;
    c.rx_gain_db = NAN;
    c.center_hz = NAN;
    c.plot_ext = "png";
    c.burst_threshold_db = 6.0;
    c.burst_min_s = 1e-3;
    c.burst_guard_s = 0.5e-3;
    return c;
}

const char *analyse_verdict_name(band_verdict_kind v)
{
    switch (v) {
    case VERDICT_PASS:
        return "pass";
    case VERDICT_FAIL:
        return "fail";
    case VERDICT_INCONCLUSIVE:
        return "inconclusive";
    case VERDICT_NOT_APPLICABLE:
        return "not-applicable";
    }
    return "?";
}

const char *analyse_reason_name(unsigned bit)
{
    switch (bit) {
    case REASON_BAND_NOT_COVERED:
        return "band-not-covered";
    case REASON_CLIPPED:
        return "clipped";
    case REASON_TOO_SHORT:
        return "too-short";
    case REASON_UNCALIBRATED:
        return "uncalibrated";
    case REASON_NOISE_FLOOR:
        return "noise-floor-too-close";
    case REASON_GUARD_BAND:
        return "guard-band";
    case REASON_CAL_RANGE:
        return "calibration-out-of-range";
    case REASON_DETECTOR_BOUND:
        return "detector-upper-bound";
    case REASON_REGION:
        return "region";
    case REASON_HAN:
        return "han-variant";
    case REASON_EXCEEDS_LIMIT:
        return "exceeds-limit";
    case REASON_NO_DATA:
        return "no-data";
    case REASON_MEASUREMENT_INVALID:
        return "measurement-invalid";
    case REASON_RBW_TOO_WIDE:
        return "rbw-too-wide";
    case REASON_MEASURED_OTHERWISE:
        return "measured-otherwise";
    case REASON_TOO_LITTLE_AFTER_EXCLUSION:
        return "too-little-after-exclusion";
    case REASON_WITHIN_UNCERTAINTY:
        return "within-uncertainty";
    case REASON_UNCERTAINTY_NOT_STATED:
        return "uncertainty-not-stated";
    }
    return NULL;
}

void analyse_result_free(capture_analysis *res)
{
    if (!res)
        return;
    free(res->bands);
    res->bands = NULL;
    res->n_bands = 0;
    free(res->bursts);
    res->bursts = NULL;
    res->settings.n_bursts = 0;
}

int analyse_exit_status(const capture_analysis *res, size_t n)
{
    int any_fail = 0, any_inc = 0;
    for (size_t i = 0; i < n; i++) {
        any_fail |= res[i].verdict == VERDICT_FAIL;
        any_inc |= res[i].verdict == VERDICT_INCONCLUSIVE;
    }
    return any_fail ? RFN_EXIT_NONCOMPLIANT : any_inc ? RFN_EXIT_INCONCLUSIVE : RFN_EXIT_OK;
}

/* ---- units ----------------------------------------------------------------------------------- */

static rfn_trace welch_trace(limits_trace t)
{
    return t == LIMITS_TRACE_MAX ? RFN_TRACE_MAX
           : t == LIMITS_TRACE_MEDIAN ? RFN_TRACE_MEDIAN
                                      : RFN_TRACE_MEAN;
}

static limits_unit dbfs_variant(limits_unit u)
{
    switch (u) {
    case LIMITS_U_DBM_HZ:
        return LIMITS_U_DBFS_HZ;
    case LIMITS_U_DBM_REFBW:
        return LIMITS_U_DBFS_REFBW;
    case LIMITS_U_DBM:
    case LIMITS_U_DBUV_M:
        return LIMITS_U_DBFS;
    default:
        return u;
    }
}

/* dB that turn a dBFS figure at freq_hz into the unit u: 0 for dBFS units, G(f) for dBm units,
 * G(f) + 107 + AF(f) for dBuV/m (docs/architecture.md §Units). */
static rfn_status unit_offset_db(const calibration *cal, limits_unit u, double freq_hz,
                                 double *db, rfn_error *err)
{
    *db = 0;
    if (limits_unit_is_dbfs(u))
        return RFN_OK;
    rfn_status st = calibration_gain_db(cal, freq_hz, db, err);
    if (st || u != LIMITS_U_DBUV_M)
        return st;
    double af;
    if ((st = calibration_antenna_factor_db(cal, freq_hz, &af, err)))
        return st;
    *db += CALIBRATION_DBM_TO_DBUV + af;
    return RFN_OK;
}

/* Bandwidth (dB re 1 Hz) that turns a density into the band's figure for the floor check and the
 * plot: ref_bw for /ref_bw units, rbw for detectors, the band for channel power, else 0 dB. */
static double bandwidth_term_db(const limits_band *b)
{
    if (b->ref_bw_hz > 0)
        return 10 * log10(b->ref_bw_hz);
    if (b->rbw_hz > 0)
        return 10 * log10(b->rbw_hz);
    if (b->quantity == LIMITS_Q_CHANNEL_POWER)
        return 10 * log10(b->f_hi_hz - b->f_lo_hz);
    return 0;
}

/* ---- measurement ----------------------------------------------------------------------------- */

/* Power of dens over [a, b] (bins of width bin_hz centred on freq_hz), partial bins pro rata. */
static double window_power(const rfn_spectrum *s, const double *dens, double a, double b)
{
    double e0 = s->freq_hz[0] - s->bin_hz / 2;
    long n = (long)s->n_bins;
    long k0 = (long)floor((a - e0) / s->bin_hz), k1 = (long)floor((b - e0) / s->bin_hz);
    if (k0 < 0)
        k0 = 0;
    if (k1 >= n)
        k1 = n - 1;
    double p = 0;
    for (long k = k0; k <= k1; k++) {
        double lo = e0 + (double)k * s->bin_hz, hi = lo + s->bin_hz;
        double w = fmin(hi, b) - fmax(lo, a);
        if (w > 0)
            p += dens[k] * w;
    }
    return p;
}

/* Level (linear, in the band's unit) at the worst point of a per-point quantity: the largest
 * power in a w_hz-wide window (w_hz > 0) or the largest bin density (w_hz == 0) against the
 * band's limit at that point. Centres step by at most w/8, so a narrow emission is always inside
 * one window whole. Returns 0 when no bin touches the band. */
static int worst_point(const rfn_spectrum *s, const double *dens, const limits_band *b,
                       double w_hz, double *level_db, double *limit, double *freq_hz)
{
    double lo = fmax(b->f_lo_hz, s->freq_hz[0] - s->bin_hz / 2);
    double hi = fmin(b->f_hi_hz, s->freq_hz[s->n_bins - 1] + s->bin_hz / 2);
    if (!(lo < hi))
        return 0;
    double best_margin = INFINITY;
    int found = 0;
    if (w_hz > 0) {
        double c_lo = lo + w_hz / 2, c_hi = hi - w_hz / 2;
        if (c_lo > c_hi) /* the window is wider than the band: one window, the whole band */
            c_lo = c_hi = (lo + hi) / 2;
        double step = fmin(s->bin_hz, w_hz / 8);
        size_t n_steps = (size_t)floor((c_hi - c_lo) / step) + 1;
        for (size_t k = 0; k <= n_steps; k++) {
            double c = k < n_steps ? c_lo + (double)k * step : c_hi;
            double p = window_power(s, dens, fmax(lo, c - w_hz / 2), fmin(hi, c + w_hz / 2));
            double l = limits_band_level(b, c), db = rfn_db10(p);
            double m = l - db;
            if (!found || m < best_margin || (isnan(best_margin) && !isnan(m))) {
                best_margin = m;
                *level_db = db;
                *limit = l;
                *freq_hz = c;
                found = 1;
            }
        }
        return found;
    }
    for (size_t i = 0; i < s->n_bins; i++) {
        double f = s->freq_hz[i];
        if (f + s->bin_hz / 2 <= lo || f - s->bin_hz / 2 >= hi)
            continue;
        double fc = fmin(fmax(f, b->f_lo_hz), b->f_hi_hz);
        double l = limits_band_level(b, fc), db = rfn_db10(dens[i]);
        double m = l - db;
        if (!found || m < best_margin) {
            best_margin = m;
            *level_db = db;
            *limit = l;
            *freq_hz = f;
            found = 1;
        }
    }
    return found;
}

/* Worst point of a detector band from an EMI-receiver pass: the reading of every output bin whose
 * centre lies in the band, in the band's unit, against the limit there. */
static int det_worst(const det_run *r, const limits_band *b, const calibration *cal,
                     limits_unit mu, double *level_db, double *limit, double *freq_hz)
{
    int idx = emi_det_index(det_kind_of(b->quantity));
    const double *rd = idx >= 0 ? r->res.reading[idx] : NULL;
    if (!rd)
        return 0;
    double best = INFINITY;
    int found = 0;
    for (size_t i = 0; i < r->res.n_out; i++) {
        double f = r->res.freq_hz[i];
        if (f < b->f_lo_hz || f >= b->f_hi_hz)
            continue;
        double off = 0;
        if (!limits_unit_is_dbfs(mu) && unit_offset_db(cal, mu, f, &off, NULL))
            return 0;
        double db = rfn_db10(rd[i]) + off, l = limits_band_level(b, f), m = l - db;
        if (!found || m < best) {
            best = m;
            *level_db = db;
            *limit = l;
            *freq_hz = f;
            found = 1;
        }
    }
    return found;
}

/* Measure band b of spec into v (measured, limit, worst point, coverage). `offset_ok` says
 * whether the unit conversion is available; when not, the band is measured in its dBFS variant.
 * Returns an error only for allocation/invalid input. */
static rfn_status measure_band(const rfn_spectrum *spec, const limits_band *b,
                               const calibration *cal, int calibrated, const det_run *run,
                               band_measurement *m, rfn_error *err)
{
    rfn_trace tr = welch_trace(b->trace);
    const double *raw = spec->density[tr];
    if (!raw)
        return rfn_error_set(err, RFN_ERR_INVALID, "band %s: trace %s was not computed", b->id,
                             limits_trace_name(b->trace));
    limits_unit mu = calibrated ? b->unit : dbfs_variant(b->unit);
    /* Scale the bins touching the band into the unit (per bin: the calibration varies). */
    double *dens = malloc(spec->n_bins * sizeof *dens);
    if (!dens)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    memcpy(dens, raw, spec->n_bins * sizeof *dens);
    if (!limits_unit_is_dbfs(mu))
        for (size_t i = 0; i < spec->n_bins; i++) {
            double f = spec->freq_hz[i];
            if (f + spec->bin_hz / 2 <= b->f_lo_hz || f - spec->bin_hz / 2 >= b->f_hi_hz)
                continue;
            double off;
            rfn_error e2;
            if (unit_offset_db(cal, mu, fmin(fmax(f, b->f_lo_hz), b->f_hi_hz), &off, &e2)) {
                free(dens);
                return rfn_error_set(err, RFN_ERR_INVALID, "band %s: %s", b->id, e2.msg);
            }
            dens[i] *= rfn_from_db10(off);
        }
    rfn_spectrum view = *spec;
    for (int t = 0; t < RFN_TRACE_COUNT; t++)
        view.density[t] = NULL;
    view.density[tr] = dens;
    /* Coverage, power over the band with fractional edge bins, mean density and the capture's
     * own floor (ITU-R SM.1753 20 % method): the dsp band measurement. */
    rfn_band_result r;
    rfn_status st = rfn_band_measure(&view, tr, b->f_lo_hz, b->f_hi_hz, NULL, &r, err);
    if (st) {
        free(dens);
        return st;
    }
    double covered = r.covered_fraction, power = r.power_fs2, mean_density = r.mean_density;
    m->capture_floor = rfn_db10(r.floor_20pct_density) + bandwidth_term_db(b);
    m->capture_floor_median = rfn_db10(r.floor_median_density) + bandwidth_term_db(b);
    snprintf(m->measured_unit, sizeof m->measured_unit, "%s", limits_unit_name(mu));
    snprintf(m->method, sizeof m->method, "welch");
    m->covered_fraction = covered;
    m->measured = NAN;
    m->worst_freq_hz = NAN;
    double level = NAN, limit = NAN, f = NAN; /* the limit at the worst point: judge_band's */
    switch (b->quantity) {
    case LIMITS_Q_CHANNEL_POWER:
        level = rfn_db10(power);
        break;
    case LIMITS_Q_MEAN_DENSITY:
        level = rfn_db10(mean_density) + (b->ref_bw_hz > 0 ? 10 * log10(b->ref_bw_hz) : 0);
        break;
    case LIMITS_Q_PEAK_DENSITY:
        if (worst_point(&view, dens, b, b->ref_bw_hz, &level, &limit, &f))
            m->worst_freq_hz = f;
        break;
    default:
        if (run && run->ok) { /* the CISPR 16-1-1 detector itself */
            snprintf(m->method, sizeof m->method, "emi-detector");
            if (det_worst(run, b, cal, mu, &level, &limit, &f))
                m->worst_freq_hz = f;
        } else { /* the spectrum's power in an rbw-wide window */
            int bound = b->quantity == LIMITS_Q_QUASI_PEAK ||
                        b->quantity == LIMITS_Q_CISPR_AVERAGE;
            snprintf(m->method, sizeof m->method, "%s", bound ? "welch-bound" : "welch");
            if (worst_point(&view, dens, b, b->rbw_hz, &level, &limit, &f))
                m->worst_freq_hz = f;
        }
        break;
    }
    if (covered > 0)
        m->measured = level;
    free(dens);
    return RFN_OK;
}

/* ---- classification -------------------------------------------------------------------------- */

/* How a Welch spectrum too coarse for band b misleads (README "Resolution"): a reading in a
 * bandwidth (a density in ref_bw, a detector's rbw) spreads a narrow emission over a bin ENBW
 * wider than that bandwidth, so it can only read low (10 log10(ENBW / bandwidth) for a tone) and
 * still proves a fail; a power or mean over a band only a few bins wide takes in the leakage of
 * its edge bins, which may read high or low. The CISPR detectors use their own RBW. */
enum { RBW_FINE = 0, RBW_READS_LOW, RBW_UNRELIABLE };
static int rbw_coarseness(const rfn_spectrum *spec, const limits_band *b,
                          const band_measurement *m)
{
    if (strcmp(m->method, "emi-detector") == 0)
        return RBW_FINE;
    switch (b->quantity) {
    case LIMITS_Q_CHANNEL_POWER:
    case LIMITS_Q_MEAN_DENSITY:
        return b->f_hi_hz - b->f_lo_hz < ANALYSE_RBW_MIN_BINS * spec->bin_hz ? RBW_UNRELIABLE
                                                                             : RBW_FINE;
    case LIMITS_Q_PEAK_DENSITY:
        return b->ref_bw_hz > 0 && spec->enbw_hz > ANALYSE_RBW_MAX_RATIO * b->ref_bw_hz
                   ? RBW_READS_LOW
                   : RBW_FINE;
    default:
        return b->rbw_hz > 0 && spec->enbw_hz > ANALYSE_RBW_MAX_RATIO * b->rbw_hz ? RBW_READS_LOW
                                                                                 : RBW_FINE;
    }
}

/* The chain's noise floor in band b's unit at the measurement's worst point (or the band
 * centre): the calibration's stated floor, or the same band measured on a baseline capture
 * (DUT off), whichever is higher. NAN when neither is known. */
static double chain_floor(const rfn_spectrum *baseline, const limits_band *b,
                          const calibration *cal, int calibrated, const band_measurement *m)
{
    double floor_level = NAN, floor_dbm_hz;
    if (cal && calibrated && calibration_noise_floor_dbm_hz(cal, &floor_dbm_hz)) {
        double fmid = isfinite(m->worst_freq_hz) ? m->worst_freq_hz
                                                 : (b->f_lo_hz + b->f_hi_hz) / 2;
        double g = 0, off = 0;
        rfn_error e2;
        if (calibration_gain_db(cal, fmid, &g, &e2) == RFN_OK &&
            unit_offset_db(cal, b->unit, fmid, &off, &e2) == RFN_OK)
            floor_level = floor_dbm_hz - g + off + bandwidth_term_db(b);
    }
    if (baseline && !isnan(m->measured)) {
        band_measurement bm = *m;
        rfn_error e2;
        if (measure_band(baseline, b, cal, calibrated, NULL, &bm, &e2) == RFN_OK &&
            isfinite(bm.measured) && strcmp(bm.measured_unit, m->measured_unit) == 0 &&
            !(floor_level >= bm.measured))
            floor_level = bm.measured;
    }
    return floor_level;
}

/* The measurement's own flags (BAND_MEASUREMENT_REASONS): what makes the number unusable or
 * one-sided whatever the limit is. */
static void measurement_flags(const rfn_spectrum *spec, const limits_band *b,
                              const analyse_config *cfg, unsigned findings, const det_run *run,
                              band_measurement *m)
{
    if (m->covered_fraction < 1.0)
        m->flags |= REASON_BAND_NOT_COVERED;
    if (findings & CAPTURE_FIND_CLIPPED)
        m->flags |= REASON_CLIPPED;
    if ((findings & CAPTURE_FIND_SHORT) || spec->segments < cfg->min_segments)
        m->flags |= REASON_TOO_SHORT;
    if (run && run->ok && strcmp(m->method, "emi-detector") == 0) {
        double meter = b->quantity == LIMITS_Q_QUASI_PEAK ? run->res.params.qp_meter_s
                       : b->quantity == LIMITS_Q_PEAK     ? 0
                                                          : run->res.params.avg_meter_s;
        double dur = (double)run->res.samples / spec->fs_hz;
        m->detector_unsettled = dur < DETECTOR_SETTLE_METERS * meter;
    }
    int silent = isnan(m->measured) || (isinf(m->measured) && m->measured < 0);
    if ((findings & CAPTURE_FIND_ALL_ZERO) || (m->covered_fraction > 0 && silent))
        m->flags |= REASON_NO_DATA;
    else if (m->covered_fraction > 0 && !isfinite(m->measured))
        m->flags |= REASON_MEASUREMENT_INVALID; /* +inf: an absurd calibration or sample */
    int coarse = rbw_coarseness(spec, b, m);
    m->flags |= coarse == RBW_UNRELIABLE ? REASON_RBW_TOO_WIDE : 0;
    m->rbw_reads_low = coarse == RBW_READS_LOW;
}

/* Measure band b (band_measurement), then judge it (judge_band): the same rule rejudge applies
 * to kept measurements. */
static void classify_band(const rfn_spectrum *spec, const rfn_spectrum *baseline,
                          const limits_band *b, const analyse_config *cfg, const judge_rule *rule,
                          unsigned findings, int short_by_exclusion, const det_run *runs,
                          size_t n_runs, band_verdict *v, rfn_error *err)
{
    const det_run *run =
        limits_quantity_is_detector(b->quantity) ? find_run(runs, n_runs, b) : NULL;
    band_measurement m = v->m;
    double span_lo = spec->freq_hz[0] - spec->bin_hz / 2;
    double span_hi = spec->freq_hz[spec->n_bins - 1] + spec->bin_hz / 2;
    int needs_cal = !limits_unit_is_dbfs(b->unit);
    int calibrated = !needs_cal;
    if (needs_cal) {
        if (!cfg->cal || (b->unit == LIMITS_U_DBUV_M && !calibration_has_antenna_factor(cfg->cal)))
            m.flags |= REASON_UNCALIBRATED;
        else if (!calibration_covers(cfg->cal, fmax(b->f_lo_hz, span_lo),
                                     fmin(b->f_hi_hz, span_hi)))
            m.flags |= REASON_CAL_RANGE; /* over the part of the band that is measured */
        else
            calibrated = 1;
    }
    rfn_error merr;
    if (measure_band(spec, b, cfg->cal, calibrated, run, &m, &merr)) {
        /* The antenna factor table may be narrower than the band: that is a range problem. */
        m.flags |= REASON_CAL_RANGE;
        calibrated = 0;
        if (measure_band(spec, b, cfg->cal, 0, run, &m, err) != RFN_OK)
            m.flags |= REASON_NO_DATA;
    }
    if (!(m.flags & REASON_NO_DATA) || isfinite(m.measured)) {
        measurement_flags(spec, b, cfg, findings, run, &m);
        if (short_by_exclusion && (m.flags & REASON_TOO_SHORT) &&
            !(findings & CAPTURE_FIND_SHORT)) {
            m.flags &= ~(unsigned)REASON_TOO_SHORT;
            m.flags |= REASON_TOO_LITTLE_AFTER_EXCLUSION;
        }
        m.floor_level = chain_floor(baseline, b, cfg->cal, calibrated, &m);
    }
    /* The chain's expanded uncertainty belongs to calibrated levels only: a dBFS reading has
     * none but what --uncertainty-db states. */
    rfn_error uerr;
    if (!(needs_cal && calibrated) ||
        calibration_uncertainty_db(cfg->cal, fmax(b->f_lo_hz, span_lo), fmin(b->f_hi_hz, span_hi),
                                   &m.uncertainty_db, &uerr) != RFN_OK)
        m.uncertainty_db = NAN;
    judge_band(b, &m, rule, v);
}

static rfn_status classify_all(const rfn_spectrum *spec, const rfn_spectrum *baseline,
                               const limits_set *set, const analyse_config *cfg,
                               const det_run *runs, size_t n_runs, capture_analysis *res,
                               rfn_error *err)
{
    if (!spec || !spec->n_bins || !spec->freq_hz)
        return rfn_error_set(err, RFN_ERR_INVALID, "analyse: empty spectrum");
    free(res->bands);
    res->bands = calloc(set->n_bands, sizeof *res->bands);
    res->n_bands = 0;
    if (!res->bands)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    snprintf(res->limits_id, sizeof res->limits_id, "%s", set->id);
    snprintf(res->limits_version, sizeof res->limits_version, "%s", set->version);
    snprintf(res->limits_source, sizeof res->limits_source, "%s", set->source);
    snprintf(res->limits_path, sizeof res->limits_path, "%s", set->path);
    res->limits_illustrative = set->illustrative;
    snprintf(res->calibration_id, sizeof res->calibration_id, "%s",
             cfg->cal ? calibration_id(cfg->cal) : "");
    res->settings.decision = cfg->decision;
    judge_rule rule = judge_rule_for(set, &(analysis_settings){.guard_db = cfg->guard_db,
                                                               .decision = cfg->decision});
    res->decision_rule = rule.rule;

    /* Averages the whole capture would have given (Welch: (n - nfft) / step + 1): when they are
     * enough and what the exclusions left is not, the bands lack data, not the capture. */
    int64_t n_all = res->meta.sample_count, step = (int64_t)(spec->nfft - spec->overlap);
    uint64_t seg_all = spec->nfft && step > 0 && n_all >= (int64_t)spec->nfft
                           ? (uint64_t)((n_all - (int64_t)spec->nfft) / step + 1)
                           : 0;
    int short_by_excl = res->settings.excluded_samples > 0 && seg_all >= cfg->min_segments &&
                        spec->segments < cfg->min_segments;
    int any_fail = 0, any_inc = 0;
    for (size_t i = 0; i < set->n_bands; i++) {
        const limits_band *b = &set->bands[i];
        band_verdict *v = &res->bands[i];
        judge_band_define(b, v);
        res->n_bands = i + 1;
        if (!limits_band_applies(b, cfg->region, 0) || !limits_band_applies(b, 0, cfg->han)) {
            v->verdict = VERDICT_NOT_APPLICABLE;
            snprintf(v->m.method, sizeof v->m.method, "none");
            v->reasons = (!limits_band_applies(b, cfg->region, 0) ? REASON_REGION : 0) |
                         (!limits_band_applies(b, 0, cfg->han) ? REASON_HAN : 0);
            continue;
        }
        rfn_error_clear(err);
        classify_band(spec, baseline, b, cfg, &rule, res->findings, short_by_excl, runs, n_runs,
                      v, err);
        if (err && err->status == RFN_ERR_NOMEM)
            return err->status;
        any_fail |= v->verdict == VERDICT_FAIL;
        any_inc |= v->verdict == VERDICT_INCONCLUSIVE;
    }
    rfn_error_clear(err);
    res->verdict = any_fail ? VERDICT_FAIL : any_inc ? VERDICT_INCONCLUSIVE : VERDICT_PASS;
    return RFN_OK;
}

rfn_status analyse_classify(const rfn_spectrum *spec, const limits_set *set,
                            const analyse_config *cfg, capture_analysis *res, rfn_error *err)
{
    return classify_all(spec, NULL, set, cfg, NULL, 0, res, err);
}

/* ---- reading a capture into a spectrum ------------------------------------------------------- */

/* A coarse spectrogram for the plot: up to SG_ROWS time slices of SG_NFFT bins. */
enum { SG_ROWS = 200, SG_NFFT = 256 };

typedef struct spectrogram_acc {
    rfn_welch *w;
    uint64_t per_row;   /* samples per time slice */
    uint64_t in_row;
    size_t rows;
    double *z;          /* [SG_ROWS * SG_NFFT] dBFS/Hz */
    double f0_hz, df_hz, dt_s;
} spectrogram_acc;

static void sg_flush(spectrogram_acc *sg)
{
    rfn_spectrum s;
    if (sg->rows >= SG_ROWS || rfn_welch_get_spectrum(sg->w, &s, NULL) != RFN_OK)
        return;
    for (size_t i = 0; i < s.n_bins && i < SG_NFFT; i++)
        sg->z[sg->rows * SG_NFFT + i] = rfn_db10_floor(s.density[RFN_TRACE_MEAN][i], -300);
    sg->f0_hz = s.freq_hz[0];
    sg->df_hz = s.bin_hz;
    sg->rows++;
    rfn_spectrum_free(&s);
    rfn_welch_reset(sg->w);
    sg->in_row = 0;
}

static void sg_write(spectrogram_acc *sg, const float complex *x, size_t n)
{
    while (n > 0 && sg->rows < SG_ROWS) {
        uint64_t room = sg->per_row - sg->in_row;
        size_t take = n < room ? n : (size_t)room;
        rfn_welch_write(sg->w, x, take, NULL);
        sg->in_row += take;
        x += take;
        n -= take;
        if (sg->in_row == sg->per_row)
            sg_flush(sg);
    }
}

/* Stream the whole capture through a Welch engine (and the spectrogram when sg != NULL). */
/* Sample spans [start, end) to leave out of the spectrum, sorted and merged. */
typedef struct span64 {
    int64_t start, end;
} span64;

static int span_cmp(const void *a, const void *b)
{
    const span64 *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort v[0..n) and merge overlapping spans; returns how many are left. */
static size_t spans_merge(span64 *v, size_t n)
{
    qsort(v, n, sizeof *v, span_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && v[i].start <= v[k - 1].end) {
            if (v[i].end > v[k - 1].end)
                v[k - 1].end = v[i].end;
        } else {
            v[k++] = v[i];
        }
    }
    return k;
}

/* The capture's SigMF annotation spans when annotations is set (the hub's own transmissions are
 * annotated so that they are not taken for meter noise: docs/architecture.md §Units) and the
 * bursts found (--exclude-bursts), merged. *n_ann is the number of merged annotation spans
 * alone. *out is NULL when there are none. */
static rfn_status excluded_spans(const capture_meta *m, int annotations,
                                 const excluded_burst *bursts, size_t n_bursts, span64 **out,
                                 size_t *n_out, size_t *n_ann, rfn_error *err)
{
    *out = NULL;
    *n_out = *n_ann = 0;
    size_t n_a = annotations ? m->n_annotations : 0;
    if (!n_a && !n_bursts)
        return RFN_OK;
    span64 *v = malloc((n_a + n_bursts) * sizeof *v);
    if (!v)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < n_a; i++) {
        const capture_annotation *a = &m->annotations[i];
        int64_t end = a->sample_count < 0 ? INT64_MAX : a->sample_start + a->sample_count;
        if (a->sample_start >= 0 && end > a->sample_start)
            v[n++] = (span64){a->sample_start, end};
    }
    n = *n_ann = spans_merge(v, n);
    for (size_t i = 0; i < n_bursts; i++)
        v[n++] = (span64){(int64_t)bursts[i].start,
                          (int64_t)(bursts[i].start + bursts[i].length)};
    *out = v;
    *n_out = spans_merge(v, n);
    return RFN_OK;
}

/* Feed samples [pos, pos + n) of the stream to the Welch engine, leaving out the parts inside
 * spans (the engine joins what remains). *cursor walks the sorted spans. */
static rfn_status welch_write_kept(welch_pool *w, int is_complex, const float complex *x,
                                   const float *xr, int64_t pos, size_t n, const span64 *spans,
                                   size_t n_spans, size_t *cursor, uint64_t *excluded,
                                   rfn_error *err)
{
    size_t i = 0;
    while (i < n) {
        int64_t at = pos + (int64_t)i;
        while (*cursor < n_spans && spans[*cursor].end <= at)
            (*cursor)++;
        size_t take = n - i;
        if (*cursor < n_spans && spans[*cursor].start <= at) {
            int64_t skip = spans[*cursor].end - at;
            take = skip < (int64_t)take ? (size_t)skip : take;
            *excluded += take;
            i += take;
            continue;
        }
        if (*cursor < n_spans && spans[*cursor].start - at < (int64_t)take)
            take = (size_t)(spans[*cursor].start - at);
        rfn_status st = is_complex ? welch_pool_write(w, x + i, take, err)
                                   : welch_pool_write_real(w, xr + i, take, err);
        if (st)
            return st;
        i += take;
    }
    return RFN_OK;
}

/* Read up to max samples of c: complex ones straight into the pool's own memory when direct (no
 * samples are left out: no copy), else into *x (real ones into rbuf); *x says where they are. */
static rfn_status read_block(capture *c, welch_pool *pool, int direct, size_t max, float *rbuf,
                             float complex **x, size_t *got, rfn_error *err)
{
    if (!capture_get_meta(c)->is_complex)
        return capture_read_real(c, rbuf, max, got, err);
    size_t room = max;
    if (direct) {
        rfn_status st = welch_pool_space(pool, x, &room, err);
        if (st)
            return st;
    }
    return capture_read(c, *x, room < max ? room : max, got, err);
}

/* Complete the Welch engine's first segment with zeros: nfft of them always do. */
static rfn_status pad_segment(rfn_welch *w, int is_complex, size_t nfft, rfn_error *err)
{
    float complex *z = calloc(nfft ? nfft : 1, sizeof *z);
    if (!z)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    rfn_status st = is_complex ? rfn_welch_write(w, z, nfft, err)
                               : rfn_welch_write_real(w, (const float *)z, nfft, err);
    free(z);
    return st;
}

/* pad_short: a capture shorter than one segment (a handful of samples) is completed with zeros
 * and its spectrum reported with segments 0, so that analyse judges it (every band inconclusive,
 * "too-short": 0 < min_segments) instead of failing as if the input were bad. */
static rfn_status read_spectrum_sg(capture *c, const rfn_welch_config *wcfg, int quiet,
                                   unsigned jobs, int exclude_annotations,
                                   const capture_analysis *bursts, int pad_short,
                                   spectrogram_acc *sg, rfn_spectrum *spec, uint64_t *excluded,
                                   size_t *n_excl_spans, rfn_error *err)
{
    const capture_meta *m = capture_get_meta(c);
    rfn_welch *w = NULL;
    welch_pool *pool = NULL;
    span64 *spans = NULL;
    size_t n_spans = 0, cursor = 0, n_ann = 0;
    int64_t pos = 0;
    uint64_t dropped = 0;
    rfn_status st = excluded_spans(m, exclude_annotations, bursts ? bursts->bursts : NULL,
                                   bursts ? bursts->settings.n_bursts : 0, &spans, &n_spans,
                                   &n_ann, err);
    if (!st)
        st = rfn_welch_create(wcfg, &w, err);
    if (!st)
        st = welch_pool_create(w, jobs, &pool, err);
    if (st) {
        free(spans);
        rfn_welch_destroy(w);
        return st;
    }
    enum { BLOCK = 65536 };
    float complex *buf = malloc(BLOCK * sizeof *buf);
    float *rbuf = malloc(BLOCK * sizeof *rbuf);
    char what[80];
    snprintf(what, sizeof what, "reading %.60s", m->path);
    progress *pr = progress_create_samples(what, (uint64_t)m->sample_count, quiet);
    if (!buf || !rbuf) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        size_t got = 0;
        float complex *x = buf;
        st = read_block(c, pool, !n_spans, BLOCK, rbuf, &x, &got, err);
        if (st == RFN_ERR_EOF) {
            st = RFN_OK;
            break;
        }
        if (st)
            goto done;
        st = x != buf ? welch_pool_commit(pool, got, err)
                      : welch_write_kept(pool, m->is_complex, buf, rbuf, pos, got, spans, n_spans,
                                         &cursor, &dropped, err);
        if (st)
            goto done;
        pos += (int64_t)got;
        if (sg) {
            if (!m->is_complex)
                for (size_t i = 0; i < got; i++)
                    buf[i] = rbuf[i];
            sg_write(sg, x, got);
        }
        progress_update(pr, (uint64_t)pos);
    }
    if ((st = welch_pool_finish(pool, err)))
        goto done;
    st = rfn_welch_get_spectrum(w, spec, err);
    if (st == RFN_ERR_TRUNCATED && pad_short) {
        st = pad_segment(w, m->is_complex, wcfg->nfft, err);
        if (!st)
            st = rfn_welch_get_spectrum(w, spec, err);
        if (!st)
            spec->segments = 0;
    }
    if (st == RFN_ERR_TRUNCATED)
        rfn_error_prefix(err, "%s: ", m->path);
    if (excluded)
        *excluded = dropped;
    if (n_excl_spans)
        *n_excl_spans = n_ann;
done:
    free(spans);
    progress_destroy(pr);
    free(buf);
    free(rbuf);
    welch_pool_destroy(pool);
    rfn_welch_destroy(w);
    return st;
}

rfn_status analyse_read_spectrum(capture *c, const rfn_welch_config *wcfg, int quiet,
                                 unsigned jobs, rfn_spectrum *spec, rfn_error *err)
{
    return read_spectrum_sg(c, wcfg, quiet, jobs, 0, NULL, 0, NULL, spec, NULL, NULL, err);
}

rfn_status analyse_read_spectrum_kept(capture *c, const rfn_welch_config *wcfg, int quiet,
                                      unsigned jobs, rfn_spectrum *spec, rfn_error *err)
{
    return read_spectrum_sg(c, wcfg, quiet, jobs, 1, NULL, 0, NULL, spec, NULL, NULL, err);
}

/* The segment length when neither --nfft nor --rbw is given (see analyse_config). */
static size_t auto_nfft(const limits_set *set, const analyse_config *cfg, double fs_hz,
                        int64_t n_samples)
{
    double target = INFINITY;
    for (size_t i = 0; i < set->n_bands; i++) {
        const limits_band *b = &set->bands[i];
        if (!limits_band_applies(b, cfg->region, cfg->han))
            continue;
        double w = b->ref_bw_hz > 0 ? b->ref_bw_hz
                   : b->rbw_hz > 0  ? b->rbw_hz
                                    : b->f_hi_hz - b->f_lo_hz;
        target = fmin(target, w / 4);
    }
    size_t nfft = 1024;
    if (isfinite(target)) {
        double want = 1.5 * fs_hz / target; /* Hann ENBW is 1.5 bins */
        nfft = 64;
        while ((double)nfft < want && nfft < 65536)
            nfft *= 2;
    }
    /* at least 8 segments in a short capture; a stream's length (n_samples <= 0, standard
     * input) is unknown until its end: the band's resolution then, as for a long file */
    while (n_samples > 0 && nfft > 64 && (int64_t)nfft * 8 > n_samples)
        nfft /= 2;
    return nfft;
}

/* ---- plots ----------------------------------------------------------------------------------- */

static void base_name(const char *path, char *out, size_t cap)
{
    const char *s = strrchr(path, '/');
    s = s ? s + 1 : path;
    snprintf(out, cap, "%s", s);
    static const char *const exts[] = {".sigmf-meta", ".sigmf-data", ".sigmf", NULL};
    for (size_t i = 0; exts[i]; i++) {
        size_t l = strlen(out), e = strlen(exts[i]);
        if (l > e && strcmp(out + l - e, exts[i]) == 0) {
            out[l - e] = '\0';
            return;
        }
    }
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = '\0';
}

/* Most points drawn for one band; more are thinned keeping each run's worst (plot_thin). */
#define PLOT_BAND_POINTS 20000

/* One band as it was judged (issue 14 §5): its reading at each point in the unit it was
 * measured in, the limit there, and the legend texts. The points are the ones measure_band
 * walks, computed the same way, so that the worst point drawn is the worst point measured and
 * limit - level there is the reported margin (tests/analyser/test_plot_margin.sh checks it). */
typedef struct plot_drawn {
    double *f, *level, *limit; /* one allocation of 3 x cap doubles */
    size_t n, cap;
    int comparable;            /* the reading is in the limit's unit: the limit is drawn */
    char unit[32], label[256], limit_label[200];
} plot_drawn;

static int plot_reserve(plot_drawn *d, size_t cap)
{
    d->f = malloc((cap ? cap : 1) * 3 * sizeof *d->f);
    d->level = d->f ? d->f + cap : NULL;
    d->limit = d->f ? d->f + 2 * cap : NULL;
    d->cap = cap;
    d->n = 0;
    return d->f != NULL;
}

static void plot_add(plot_drawn *d, double f, double level, double limit)
{
    if (d->n < d->cap) {
        d->f[d->n] = f;
        d->level[d->n] = level;
        d->limit[d->n] = limit;
        d->n++;
    }
}

/* At most max points: each run of consecutive points keeps its smallest margin (its highest
 * reading where the limit is not comparable), so thinning never loses the worst point. */
static void plot_thin(plot_drawn *d, size_t max)
{
    if (d->n <= max)
        return;
    size_t per = (d->n + max - 1) / max, out = 0;
    for (size_t i = 0; i < d->n; i += per) {
        size_t best = i;
        for (size_t j = i + 1; j < d->n && j < i + per; j++) {
            double mj = d->comparable ? d->limit[j] - d->level[j] : -d->level[j];
            double mb = d->comparable ? d->limit[best] - d->level[best] : -d->level[best];
            if (mj < mb || (isnan(mb) && !isnan(mj)))
                best = j;
        }
        d->f[out] = d->f[best];
        d->level[out] = d->level[best];
        d->limit[out] = d->limit[best];
        out++;
    }
    d->n = out;
}

/* The band's trace in unit mu, as measure_band scales it (per bin: the calibration varies). */
static double *plot_density(const rfn_spectrum *spec, const limits_band *b,
                            const calibration *cal, limits_unit mu)
{
    const double *raw = spec->density[welch_trace(b->trace)];
    double *dens = raw ? malloc(spec->n_bins * sizeof *dens) : NULL;
    if (!dens)
        return NULL;
    memcpy(dens, raw, spec->n_bins * sizeof *dens);
    for (size_t i = 0; !limits_unit_is_dbfs(mu) && i < spec->n_bins; i++) {
        double f = spec->freq_hz[i], off;
        if (f + spec->bin_hz / 2 <= b->f_lo_hz || f - spec->bin_hz / 2 >= b->f_hi_hz)
            continue;
        if (unit_offset_db(cal, mu, fmin(fmax(f, b->f_lo_hz), b->f_hi_hz), &off, NULL)) {
            free(dens);
            return NULL;
        }
        dens[i] *= rfn_from_db10(off);
    }
    return dens;
}

/* A power in a w_hz window (w_hz > 0) at each centre worst_point steps through, or the density
 * of each bin (w_hz == 0), with the limit where worst_point takes it. */
static int plot_points(const rfn_spectrum *s, const double *dens, const limits_band *b,
                       double w_hz, plot_drawn *d)
{
    double lo = fmax(b->f_lo_hz, s->freq_hz[0] - s->bin_hz / 2);
    double hi = fmin(b->f_hi_hz, s->freq_hz[s->n_bins - 1] + s->bin_hz / 2);
    if (!(lo < hi))
        return 0;
    if (w_hz <= 0) {
        if (!plot_reserve(d, s->n_bins))
            return 0;
        for (size_t i = 0; i < s->n_bins; i++) {
            double f = s->freq_hz[i];
            if (f + s->bin_hz / 2 > lo && f - s->bin_hz / 2 < hi)
                plot_add(d, f, rfn_db10(dens[i]),
                         limits_band_level(b, fmin(fmax(f, b->f_lo_hz), b->f_hi_hz)));
        }
        return d->n > 0;
    }
    double c_lo = lo + w_hz / 2, c_hi = hi - w_hz / 2;
    if (c_lo > c_hi)
        c_lo = c_hi = (lo + hi) / 2;
    double step = fmin(s->bin_hz, w_hz / 8);
    size_t n_steps = (size_t)floor((c_hi - c_lo) / step) + 1;
    if (!plot_reserve(d, n_steps + 1))
        return 0;
    for (size_t k = 0; k <= n_steps; k++) {
        double c = k < n_steps ? c_lo + (double)k * step : c_hi;
        double p = window_power(s, dens, fmax(lo, c - w_hz / 2), fmin(hi, c + w_hz / 2));
        plot_add(d, c, rfn_db10(p), limits_band_level(b, c));
    }
    return 1;
}

/* A channel power or mean density: one reading for the covered part of the band, drawn flat
 * across it against the limit it was judged by. */
static int plot_whole_band(const rfn_spectrum *spec, const double *dens, const limits_band *b,
                           plot_drawn *d)
{
    rfn_trace tr = welch_trace(b->trace);
    rfn_spectrum view = *spec;
    for (int t = 0; t < RFN_TRACE_COUNT; t++)
        view.density[t] = NULL;
    view.density[tr] = (double *)dens;
    rfn_band_result r;
    if (rfn_band_measure(&view, tr, b->f_lo_hz, b->f_hi_hz, NULL, &r, NULL) != RFN_OK ||
        !(r.covered_fraction > 0) || !plot_reserve(d, 2))
        return 0;
    double level = b->quantity == LIMITS_Q_CHANNEL_POWER
                       ? rfn_db10(r.power_fs2)
                       : rfn_db10(r.mean_density) +
                             (b->ref_bw_hz > 0 ? 10 * log10(b->ref_bw_hz) : 0);
    double limit = b->has_limit ? b->limit : limits_band_level(b, (b->f_lo_hz + b->f_hi_hz) / 2);
    plot_add(d, fmax(b->f_lo_hz, spec->freq_hz[0] - spec->bin_hz / 2), level, limit);
    plot_add(d, fmin(b->f_hi_hz, spec->freq_hz[spec->n_bins - 1] + spec->bin_hz / 2), level,
             limit);
    return 1;
}

/* The CISPR 16-1-1 detector's reading at each output bin in the band, as det_worst takes it. */
static int plot_detector(const det_run *r, const limits_band *b, const calibration *cal,
                         limits_unit mu, plot_drawn *d)
{
    int idx = emi_det_index(det_kind_of(b->quantity));
    const double *rd = r && r->ok && idx >= 0 ? r->res.reading[idx] : NULL;
    if (!rd || !plot_reserve(d, r->res.n_out))
        return 0;
    for (size_t i = 0; i < r->res.n_out; i++) {
        double f = r->res.freq_hz[i], off = 0;
        if (f < b->f_lo_hz || f >= b->f_hi_hz)
            continue;
        if (!limits_unit_is_dbfs(mu) && unit_offset_db(cal, mu, f, &off, NULL))
            return 0;
        plot_add(d, f, rfn_db10(rd[i]) + off, limits_band_level(b, f));
    }
    return d->n > 0;
}

/* Legend texts: what the reading is, in which bandwidth and unit. */
static void plot_labels(const limits_band *b, const band_verdict *v, plot_drawn *d)
{
    char bw[32], what[120];
    if (strcmp(v->m.method, "emi-detector") == 0)
        snprintf(what, sizeof what, "%s detector, RBW %s", limits_quantity_name(b->quantity),
                 limits_bw_text(b->rbw_hz, 3, " ", bw, sizeof bw));
    else if (limits_quantity_is_detector(b->quantity))
        snprintf(what, sizeof what, "largest power in %s from the spectrum (%s of %s)",
                 limits_bw_text(b->rbw_hz, 3, " ", bw, sizeof bw),
                 strcmp(v->m.method, "welch-bound") == 0 ? "upper bound" : "reading",
                 limits_quantity_name(b->quantity));
    else if (b->quantity == LIMITS_Q_CHANNEL_POWER)
        snprintf(what, sizeof what, "channel power over the band");
    else if (b->quantity == LIMITS_Q_MEAN_DENSITY)
        snprintf(what, sizeof what, "mean density");
    else if (b->ref_bw_hz > 0)
        snprintf(what, sizeof what, "largest power in any %s",
                 limits_bw_text(b->ref_bw_hz, 4, " ", bw, sizeof bw));
    else
        snprintf(what, sizeof what, "largest bin density");
    /* The detector runs on the samples: no Welch trace is involved. */
    int det = strcmp(v->m.method, "emi-detector") == 0;
    snprintf(d->label, sizeof d->label, "%.60s: %.120s%s%s%s (%.31s)", b->id, what,
             det ? "" : ", ", det ? "" : limits_trace_name(b->trace), det ? "" : " trace",
             d->unit);
    char lu[32];
    limits_unit_text(b->unit, b->ref_bw_hz, lu, sizeof lu);
    if (!d->comparable) { /* a reading in dBFS says why its dBm limit is missing */
        size_t l = strlen(d->label);
        snprintf(d->label + l, sizeof d->label - l, "; limit in %s not drawn", lu);
    }
    if (b->has_limit)
        snprintf(d->limit_label, sizeof d->limit_label, "%.60s: limit %.1f %s", b->id, b->limit,
                 lu);
    else
        snprintf(d->limit_label, sizeof d->limit_label, "%.60s: limit mask (%s)", b->id, lu);
}

/* Band b drawn as band verdict v was measured; 0 when there is nothing to draw (not measured,
 * outside the span). */
static int plot_band_drawn(const rfn_spectrum *spec, const limits_band *b, const band_verdict *v,
                           const calibration *cal, const det_run *runs, size_t n_runs,
                           plot_drawn *d)
{
    limits_unit mu;
    memset(d, 0, sizeof *d);
    if (v->verdict == VERDICT_NOT_APPLICABLE || !(v->m.covered_fraction > 0) ||
        limits_unit_from_name(v->m.measured_unit, &mu) != RFN_OK)
        return 0;
    d->comparable = strcmp(v->m.measured_unit, v->unit) == 0;
    limits_unit_text(mu, b->ref_bw_hz, d->unit, sizeof d->unit);
    int ok = 0;
    if (strcmp(v->m.method, "emi-detector") == 0) {
        ok = plot_detector(find_run(runs, n_runs, b), b, cal, mu, d);
    } else {
        double *dens = plot_density(spec, b, cal, mu);
        if (!dens)
            return 0;
        if (b->quantity == LIMITS_Q_CHANNEL_POWER || b->quantity == LIMITS_Q_MEAN_DENSITY)
            ok = plot_whole_band(spec, dens, b, d);
        else
            ok = plot_points(spec, dens, b,
                             b->quantity == LIMITS_Q_PEAK_DENSITY ? b->ref_bw_hz : b->rbw_hz, d);
        free(dens);
    }
    if (!ok) {
        free(d->f);
        memset(d, 0, sizeof *d);
        return 0;
    }
    plot_thin(d, PLOT_BAND_POINTS);
    plot_labels(b, v, d);
    return 1;
}

/* The left axis's label: the units of the bands drawn, each named once. */
static void plot_y_label(const plot_drawn *d, size_t n, char *buf, size_t cap)
{
    size_t distinct = 0;
    snprintf(buf, cap, "level (");
    for (size_t k = 0; k < n; k++) {
        int seen = 0;
        for (size_t j = 0; j < k; j++)
            seen |= strcmp(d[j].unit, d[k].unit) == 0;
        if (seen)
            continue;
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", distinct++ ? ", " : "", d[k].unit);
    }
    size_t l = strlen(buf);
    snprintf(buf + l, cap - l, "%s)", distinct > 1 ? ": each band in its own unit" : "");
}

/* Title: the capture, its device, when it was captured and which calibration made the levels;
 * subtitle: the limit set, the verdict and the spectrum's resolution. */
static void plot_titles(const capture_analysis *res, const rfn_spectrum *spec, const char *base,
                        char *title, size_t tcap, char *sub, size_t scap)
{
    const capture_meta *m = &res->meta;
    char rbw[32];
    snprintf(title, tcap, "%s%s%s%s, captured %s%s, calibration %s", base,
             m->device_id[0] ? " (" : "", m->device_id, m->device_id[0] ? ")" : "",
             m->datetime[0] ? m->datetime : "at an unknown time",
             m->datetime[0] && m->datetime_is_local ? " (local time)" : "",
             res->calibration_id[0] ? res->calibration_id : "none (levels in dBFS)");
    snprintf(sub, scap, "limits %s %s%s, verdict %s; spectrum RBW %s (ENBW; %s, nfft %zu, "
             "%llu averages)",
             res->limits_id, res->limits_version, res->limits_illustrative ? " (illustrative)" : "",
             analyse_verdict_name(res->verdict), limits_bw_text(spec->enbw_hz, 3, " ", rbw,
                                                                sizeof rbw),
             rfn_window_name(spec->window), spec->nfft, (unsigned long long)spec->segments);
}

/* The point annotated: the worst failing band drawn, else the smallest margin of any. */
static void plot_worst(const band_verdict *const *vs, const plot_drawn *d, size_t n,
                       plot_spectrum *p)
{
    int worst_fail = 0;
    p->worst_margin_db = INFINITY;
    for (size_t k = 0; k < n; k++) {
        const band_verdict *v = vs[k];
        int fail = v->verdict == VERDICT_FAIL;
        if (!isfinite(v->margin_db) || !isfinite(v->m.measured) ||
            !(fail > worst_fail || (fail == worst_fail && v->margin_db < p->worst_margin_db)))
            continue;
        worst_fail = fail;
        p->has_worst = 1;
        p->worst_label = v->band_id;
        p->worst_margin_db = v->margin_db;
        p->worst_freq_hz = isfinite(v->m.worst_freq_hz) ? v->m.worst_freq_hz
                                                      : (d[k].f[0] + d[k].f[d[k].n - 1]) / 2;
        p->worst_level = v->m.measured;
        p->worst_has_limit = d[k].comparable;
        p->worst_limit = v->limit;
    }
}

/* The whole-span spectrum: the plot's context (right axis) or, when no band can be drawn, the
 * plot itself; in dBm/Hz when the calibration covers the span, else dBFS/Hz. */
static int plot_context(const rfn_spectrum *spec, const calibration *cal, double *mean)
{
    size_t n = spec->n_bins;
    int cal_plot = cal && calibration_covers(cal, spec->freq_hz[0] - spec->bin_hz / 2,
                                             spec->freq_hz[n - 1] + spec->bin_hz / 2);
    for (size_t i = 0; i < n; i++) {
        double g = 0;
        if (cal_plot)
            calibration_gain_db(cal, spec->freq_hz[i], &g, NULL);
        mean[i] = rfn_db10(spec->density[RFN_TRACE_MEAN][i]) + g;
    }
    return cal_plot;
}

static rfn_status make_plots(const rfn_spectrum *spec, const spectrogram_acc *sg,
                             const limits_set *set, const analyse_config *cfg,
                             const det_run *runs, size_t n_runs, const capture_analysis *res,
                             rfn_error *err)
{
    double *mean = malloc(spec->n_bins * sizeof *mean);
    plot_drawn *d = calloc(set->n_bands, sizeof *d);
    plot_band *pb = calloc(set->n_bands, sizeof *pb);
    plot_span *fails = calloc(set->n_bands, sizeof *fails);
    const band_verdict **vs = calloc(set->n_bands, sizeof *vs);
    size_t nd = 0;
    rfn_status st = RFN_OK;
    if (!mean || !d || !pb || !fails || !vs) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    int cal_plot = plot_context(spec, cfg->cal, mean);
    plot_spectrum p = {.freq_hz = spec->freq_hz, .mean_db = mean, .n = spec->n_bins,
                       .bands = pb, .fail = fails};
    for (size_t k = 0; k < set->n_bands; k++) {
        const band_verdict *v = &res->bands[k];
        if (!plot_band_drawn(spec, &set->bands[k], v, cfg->cal, runs, n_runs, &d[nd]))
            continue;
        vs[nd] = v;
        pb[nd] = (plot_band){v->band_id, d[nd].label, d[nd].limit_label, d[nd].unit,
                             d[nd].f, d[nd].level, d[nd].comparable ? d[nd].limit : NULL,
                             d[nd].n};
        if (v->verdict == VERDICT_FAIL) /* the covered part of the band */
            fails[p.n_fail++] = (plot_span){
                fmax(v->f_lo_hz, spec->freq_hz[0] - spec->bin_hz / 2),
                fmin(v->f_hi_hz, spec->freq_hz[spec->n_bins - 1] + spec->bin_hz / 2)};
        nd++;
    }
    p.n_bands = nd;
    plot_worst(vs, d, nd, &p);
    char base[CAPTURE_PATH_MAX], title[CAPTURE_PATH_MAX + 400], sub[512], ylabel[300];
    char path[2 * CAPTURE_PATH_MAX + 40], dat[2 * CAPTURE_PATH_MAX + 40];
    const char *psd = cal_plot ? "PSD, whole span (dBm/Hz)" : "PSD, whole span (dBFS/Hz)";
    base_name(res->meta.path, base, sizeof base);
    plot_titles(res, spec, base, title, sizeof title, sub, sizeof sub);
    plot_y_label(d, nd, ylabel, sizeof ylabel);
    p.title = title;
    p.subtitle = sub;
    p.y_label = nd ? ylabel : psd;
    p.y2_label = psd;
    snprintf(path, sizeof path, "%s/%s.spectrum.%s", cfg->plot_dir, base, cfg->plot_ext);
    snprintf(dat, sizeof dat, "%s/%s.spectrum.dat", cfg->plot_dir, base);
    p.data_path = dat;
    if ((st = plot_spectrum_write(&p, path, err)))
        goto done;
    if (sg && sg->rows >= 2) {
        plot_spectrogram s = {title, "PSD (dBFS/Hz)", sg->z, sg->rows, SG_NFFT, 0, sg->dt_s,
                              sg->f0_hz, sg->df_hz};
        snprintf(path, sizeof path, "%s/%s.spectrogram.%s", cfg->plot_dir, base, cfg->plot_ext);
        st = plot_spectrogram_write(&s, path, err);
    }
done:
    for (size_t k = 0; d && k < nd; k++)
        free(d[k].f);
    free(mean);
    free(d);
    free(pb);
    free(fails);
    free(vs);
    return st;
}

/* ---- the pipeline ---------------------------------------------------------------------------- */

/* Drop the bursts that overlap an annotation span (find_bursts). */
static void drop_annotated(const capture_meta *m, bursts_result *br)
{
    size_t k = 0;
    for (size_t i = 0; i < br->n_spans; i++) {
        uint64_t s0 = br->spans[i].start, s1 = s0 + br->spans[i].length;
        int annotated = 0;
        for (size_t j = 0; j < m->n_annotations && !annotated; j++) {
            const capture_annotation *a = &m->annotations[j];
            uint64_t a0 = a->sample_start > 0 ? (uint64_t)a->sample_start : 0;
            uint64_t a1 = a->sample_count < 0 ? UINT64_MAX : a0 + (uint64_t)a->sample_count;
            annotated = s0 < a1 && a0 < s1;
        }
        if (!annotated)
            br->spans[k++] = br->spans[i];
        else
            br->excluded_samples -= br->spans[i].length;
    }
    br->n_spans = k;
}

/* --exclude-bursts: the bursts in the bands that apply, each against its own floor (bursts.h),
 * into res->bursts and res->settings. A burst that overlaps a SigMF annotation left out anyway
 * is that annotated transmission: the annotation, the hub's own record of it, bounds it (a
 * guard around it would only take more of a short capture). */
static rfn_status find_bursts(capture *c, const char *path, const capture_options *copt,
                              const limits_set *set, const analyse_config *cfg,
                              capture_analysis *res, rfn_error *err)
{
    bursts_band *bands = calloc(set->n_bands ? set->n_bands : 1, sizeof *bands);
    if (!bands)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < set->n_bands; i++)
        if (limits_band_applies(&set->bands[i], cfg->region, cfg->han))
            bands[n++] = (bursts_band){set->bands[i].id, set->bands[i].f_lo_hz,
                                       set->bands[i].f_hi_hz};
    bursts_config bc = bursts_config_default();
    bc.threshold_db = cfg->burst_threshold_db;
    bc.min_duration_s = cfg->burst_min_s;
    bc.guard_s = cfg->burst_guard_s;
    bc.quiet = cfg->quiet;
    bursts_result br;
    rfn_status st = bursts_find(path, copt, &bc, bands, n, &br, err);
    free(bands);
    analysis_settings *s = &res->settings;
    s->exclude_bursts = 1;
    s->burst_threshold_db = bc.threshold_db;
    s->burst_min_s = bc.min_duration_s;
    s->burst_guard_s = bc.guard_s;
    if (!st && !cfg->keep_annotations)
        drop_annotated(capture_get_meta(c), &br);
    if (!st) {
        res->bursts = br.spans; /* owned by res now */
        s->n_bursts = br.n_spans;
        s->burst_samples = br.excluded_samples;
        br.spans = NULL;
        br.n_spans = 0;
    }
    bursts_result_free(&br);
    return st;
}

/* What analyse_capture holds while one capture goes through the stages, released in one place
 * (analysis_run_free). */
typedef struct analysis_run {
    const char *path;
    capture_options copt;
    capture *c;
    const limits_set *set;  /* the set in force on the capture's date, or the one given */
    analyse_config cfg;     /* the caller's, with the calibration the capture names */
    calibration *own_cal;   /* that calibration, loaded from cfg.cal_dir; NULL = none */
    rfn_welch_config w;
    rfn_spectrum spec;
    rfn_spectrum base_spec; /* of the baseline capture, when one is given */
    spectrogram_acc sg;     /* for the plot; sg.w NULL = none */
    det_run runs[MAX_DET_RUNS];
    size_t n_runs;
    rfn_span *burst_spans;  /* the bursts, for the detectors */
} analysis_run;

static void analysis_run_free(analysis_run *a)
{
    calibration_free(a->own_cal);
    free(a->burst_spans);
    for (size_t k = 0; k < a->n_runs; k++)
        emi_result_free(&a->runs[k].res);
    rfn_welch_destroy(a->sg.w);
    free(a->sg.z);
    rfn_spectrum_free(&a->spec);
    rfn_spectrum_free(&a->base_spec);
    capture_close(a->c);
}

/* The limit set in force on the capture's date (or the one named), its decision rule checked
 * against the options, and whether it was in force then (-1: the date is unknown). */
static rfn_status select_limit_set(analysis_run *a, const capture_meta *m, capture_analysis *res,
                                   rfn_error *err)
{
    const analyse_config *cfg = &a->cfg;
    size_t pick = 0;
    if (cfg->n_limits == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "no limit set given");
    if (cfg->n_limits > 1) {
        char date[11] = "";
        if (strlen(m->datetime) >= 10)
            snprintf(date, sizeof date, "%.10s", m->datetime);
        rfn_status st = limits_select(cfg->limits, cfg->n_limits, date, &pick, err);
        if (st) {
            rfn_error_prefix(err, "%s: ", a->path);
            return st;
        }
    }
    a->set = cfg->limits[pick];
    rfn_status st = judge_rule_check(a->set, &cfg->decision, err);
    if (st)
        return st;
    res->limits_in_force = -1;
    if (strlen(m->datetime) >= 10) {
        char date[11];
        snprintf(date, sizeof date, "%.10s", m->datetime);
        res->limits_in_force = limits_in_force(a->set, date);
    }
    return RFN_OK;
}

/* The calibration the capture names (SigMF rfnoise:calibration_id), from cfg.cal_dir, when none
 * was given on the command line. */
static rfn_status load_named_calibration(analysis_run *a, const capture_meta *m, rfn_error *err)
{
    const analyse_config *cfg = &a->cfg;
    if (cfg->cal || !cfg->cal_dir || !m->calibration_id[0])
        return RFN_OK;
    char cpath[1400];
    if (strchr(m->calibration_id, '/') || m->calibration_id[0] == '.')
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: rfnoise:calibration_id '%s' is not a "
                             "plain name", a->path, m->calibration_id);
    snprintf(cpath, sizeof cpath, "%s/%s.json", cfg->cal_dir, m->calibration_id);
    rfn_status st = calibration_load(cpath, &a->own_cal, err);
    if (st) {
        rfn_error_prefix(err, "%s: calibration '%s': ", a->path, m->calibration_id);
        return st;
    }
    if (strcmp(calibration_id(a->own_cal), m->calibration_id) != 0)
        return rfn_error_set(err, RFN_ERR_CONFLICT, "%s: names calibration '%s' but %s has id "
                             "'%s'", a->path, m->calibration_id, cpath,
                             calibration_id(a->own_cal));
    if (isfinite(cfg->rx_gain_db) &&
        (st = calibration_select_rx_gain(a->own_cal, cfg->rx_gain_db, err)))
        return st;
    if (calibration_needs_rx_gain(a->own_cal))
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: calibration %s has tables per receiver "
                             "gain: say which with --rx-gain", a->path, cpath);
    a->cfg.cal = a->own_cal;
    return RFN_OK;
}

/* The coarse spectrogram the plot draws, read in the same pass as the spectrum; without memory
 * for it there is no spectrogram plot, and the analysis goes on. */
static void spectrogram_start(analysis_run *a, const capture_meta *m)
{
    if (!a->cfg.plot_dir || m->sample_count < 2 * SG_NFFT)
        return;
    spectrogram_acc *sg = &a->sg;
    rfn_welch_config sw = a->w;
    sw.nfft = SG_NFFT;
    sw.overlap = RFN_WELCH_OVERLAP_HALF;
    sw.window = RFN_WINDOW_HANN;
    sw.real_input = 0;
    sw.traces = RFN_TRACE_BIT(RFN_TRACE_MEAN);
    sw.effort = RFN_FFT_ESTIMATE;
    sg->per_row = (uint64_t)m->sample_count / SG_ROWS;
    if (sg->per_row < SG_NFFT)
        sg->per_row = SG_NFFT;
    sg->dt_s = (double)sg->per_row / m->sample_rate_hz;
    sg->z = malloc(SG_ROWS * SG_NFFT * sizeof *sg->z);
    if (!sg->z || rfn_welch_create(&sw, &sg->w, NULL) != RFN_OK) {
        free(sg->z);
        sg->z = NULL;
    }
}

/* The analysis settings the spectrum was made with, and the options the verdicts use. */
static void settings_from_spectrum(const rfn_spectrum *spec, const analyse_config *cfg,
                                   analysis_settings *s)
{
    snprintf(s->window, sizeof s->window, "%s", rfn_window_name(spec->window));
    s->nfft = spec->nfft;
    s->overlap = spec->overlap;
    s->bin_hz = spec->bin_hz;
    s->enbw_hz = spec->enbw_hz;
    s->rbw6_hz = spec->rbw6_hz;
    s->segments = spec->segments;
    s->detrend_mean = spec->detrend_mean;
    s->guard_db = cfg->guard_db;
    s->region = cfg->region;
    s->han = cfg->han;
}

/* The Welch spectrum of the capture (and the spectrogram for the plot), with the annotated spans
 * and, with --exclude-bursts, the bursts found first left out; then the capture's statistics,
 * findings and the settings used. */
static rfn_status measure_spectrum(analysis_run *a, const capture_meta *m, capture_analysis *res,
                                   rfn_error *err)
{
    const analyse_config *cfg = &a->cfg;
    spectrum_options so = cfg->spectrum;
    so.traces = RFN_TRACE_BIT(RFN_TRACE_MAX);
    for (size_t i = 0; i < a->set->n_bands; i++)
        if (a->set->bands[i].trace == LIMITS_TRACE_MEDIAN)
            so.traces |= RFN_TRACE_BIT(RFN_TRACE_MEDIAN);
    size_t auto_n = so.nfft || so.rbw_hz > 0
                        ? 0
                        : auto_nfft(a->set, cfg, m->sample_rate_hz, m->sample_count);
    rfn_status st = spectrum_welch_config(&so, m, auto_n, &a->w, err);
    if (st)
        return st;
    if (cfg->fft_estimate)
        a->w.effort = RFN_FFT_ESTIMATE;
    spectrogram_start(a, m);
    if (cfg->exclude_bursts && (st = find_bursts(a->c, a->path, &a->copt, a->set, cfg, res, err)))
        return st;
    unsigned jobs = cfg->jobs ? cfg->jobs : 1;
    if ((st = read_spectrum_sg(a->c, &a->w, cfg->quiet, jobs, !cfg->keep_annotations, res, 1,
                               a->sg.w ? &a->sg : NULL, &a->spec,
                               &res->settings.excluded_samples, &res->settings.excluded_spans,
                               err)))
        return st;
    res->stats = *capture_get_stats(a->c);
    /* A stream (standard input) has no length until it has been read: report what was read,
     * not "samples 0" (issue 17). */
    if (res->meta.sample_count <= 0 && res->stats.samples_read > 0) {
        res->meta.sample_count = res->stats.samples_read;
        res->meta.duration_s = (double)res->stats.samples_read / res->meta.sample_rate_hz;
    }
    if (res->meta.sample_count > 0)
        res->settings.used_fraction =
            1.0 - (double)res->settings.excluded_samples / (double)res->meta.sample_count;
    res->findings = capture_findings(m, &res->stats);
    settings_from_spectrum(&a->spec, cfg, &res->settings);
    return RFN_OK;
}

/* The EMI-receiver passes for the detector bands that apply: one per RBW and CISPR band, each
 * reading the capture again with the annotated spans and the bursts left out. */
static rfn_status run_detectors(analysis_run *a, const capture_analysis *res, rfn_error *err)
{
    const analyse_config *cfg = &a->cfg;
    if (res->settings.n_bursts &&
        !(a->burst_spans = malloc(res->settings.n_bursts * sizeof *a->burst_spans)))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; a->burst_spans && i < res->settings.n_bursts; i++)
        a->burst_spans[i] = (rfn_span){res->bursts[i].start, res->bursts[i].length};
    for (size_t i = 0; i < a->set->n_bands; i++) {
        const limits_band *b = &a->set->bands[i];
        if (!limits_quantity_is_detector(b->quantity) ||
            !limits_band_applies(b, cfg->region, cfg->han))
            continue;
        det_run *r = (det_run *)find_run(a->runs, a->n_runs, b);
        if (!r && a->n_runs < MAX_DET_RUNS) {
            r = &a->runs[a->n_runs++];
            r->rbw_hz = b->rbw_hz;
            r->det_band = rfn_det_band_for_freq((b->f_lo_hz + b->f_hi_hz) / 2);
        }
        if (r)
            r->kinds |= det_kind_of(b->quantity);
    }
    for (size_t k = 0; k < a->n_runs; k++) {
        capture *c2 = NULL;
        emi_config ec = emi_config_default();
        ec.rbw_hz = a->runs[k].rbw_hz;
        ec.band = (int)a->runs[k].det_band;
        ec.detectors = a->runs[k].kinds;
        ec.quiet = cfg->quiet;
        ec.jobs = cfg->jobs ? cfg->jobs : 1;
        ec.exclude_annotations = !cfg->keep_annotations;
        ec.exclude_spans = a->burst_spans;
        ec.n_exclude_spans = a->burst_spans ? res->settings.n_bursts : 0;
        rfn_error derr;
        /* A detector the standard does not define here (QP in Band E), or an RBW the capture
         * cannot resolve, leaves the band to the spectrum's bound. */
        if (capture_open(a->path, &a->copt, &c2, &derr) == RFN_OK &&
            emi_run(c2, &ec, &a->runs[k].res, &derr) == RFN_OK)
            a->runs[k].ok = 1;
        capture_close(c2);
    }
    return RFN_OK;
}

/* The spectrum of the baseline capture (the chain alone), made as the capture's was: its level
 * in each band is a measured noise floor. It must share the capture's rate, centre and type. */
static rfn_status read_baseline(analysis_run *a, const capture_meta *m, rfn_error *err)
{
    const analyse_config *cfg = &a->cfg;
    if (!cfg->baseline_path)
        return RFN_OK;
    capture *cb = NULL;
    rfn_status st = capture_open(cfg->baseline_path, &a->copt, &cb, err);
    if (st)
        return st;
    const capture_meta *bm = capture_get_meta(cb);
    if (bm->sample_rate_hz != m->sample_rate_hz || bm->is_complex != m->is_complex ||
        !(bm->center_freq_hz == m->center_freq_hz ||
          (isnan(bm->center_freq_hz) && isnan(m->center_freq_hz)))) {
        capture_close(cb);
        return rfn_error_set(err, RFN_ERR_CONFLICT, "baseline %s: sample rate, centre "
                             "frequency or sample type differ from %s", cfg->baseline_path,
                             a->path);
    }
    unsigned jobs = cfg->jobs ? cfg->jobs : 1;
    st = read_spectrum_sg(cb, &a->w, cfg->quiet, jobs, !cfg->keep_annotations, NULL, 0, NULL,
                          &a->base_spec, NULL, NULL, err);
    capture_close(cb);
    return st;
}

rfn_status analyse_capture(const char *path, const analyse_config *cfg, capture_analysis *res,
                           rfn_error *plot_err, rfn_error *err)
{
    memset(res, 0, sizeof *res);
    if (plot_err)
        rfn_error_clear(plot_err);
    analysis_run a;
    memset(&a, 0, sizeof a);
    a.path = path;
    a.cfg = *cfg;
    a.copt = capture_options_default();
    a.copt.rate_hz = cfg->rate_hz;
    a.copt.center_hz = cfg->center_hz;
    a.copt.datatype = cfg->datatype;
    a.copt.recording = cfg->recording;
    rfn_status st = capture_open(path, &a.copt, &a.c, err);
    if (st)
        return st;
    const capture_meta *m = capture_get_meta(a.c);
    res->meta = *m;
    res->meta.segments = NULL;
    res->meta.n_segments = 0;
    res->meta.annotations = NULL;
    res->meta.n_annotations = 0;

    /* capture -> limit set -> calibration -> spectrum -> detectors -> band measurements and
     * verdicts (against the baseline's floor when one is given) -> plots */
    if ((st = select_limit_set(&a, m, res, err)) || (st = load_named_calibration(&a, m, err)) ||
        (st = measure_spectrum(&a, m, res, err)) || (st = run_detectors(&a, res, err)) ||
        (st = read_baseline(&a, m, err)) ||
        (st = classify_all(&a.spec, a.cfg.baseline_path ? &a.base_spec : NULL, a.set, &a.cfg,
                           a.runs, a.n_runs, res, err)))
        goto done;

    /* A failing plot is reported; the verdicts stand. */
    if (a.cfg.plot_dir) {
        rfn_error perr;
        rfn_error_clear(&perr);
        if (make_plots(&a.spec, a.sg.w ? &a.sg : NULL, a.set, &a.cfg, a.runs, a.n_runs, res,
                       &perr) &&
            plot_err)
            *plot_err = perr;
    }
done:
    if (st)
        analyse_result_free(res);
    analysis_run_free(&a);
    return st;
}
