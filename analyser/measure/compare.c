/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare.c: before and after: band levels of two captures, the rise with its 95 % interval
 * from the segment-to-segment spread, the noise excess and the APD difference (compare.h). */
#include "compare.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "detector.h"
#include "emi.h"
#include "units.h"
#include "welch_pool.h"
#include "window.h"

const double compare_apd_probs[COMPARE_N_APD] = {1e-1, 1e-2, 1e-3};

/* ---- segment statistics ---------------------------------------------------------------------- */

typedef struct band_acc {
    size_t lo, hi;          /* bins [lo, hi) touching the band */
    double *weight;         /* [hi - lo] bin_hz x fraction inside x calibration gain */
    double covered;
    double shift;           /* first segment's power: sums are of x - shift (no cancellation) */
    double sum, sumsq, lag[COMPARE_MAX_LAGS + 1];
    double ring[COMPARE_MAX_LAGS];
    uint64_t k;
} band_acc;

struct compare_acc {
    band_acc *b;
    size_t n;
    size_t lags;                       /* lags at which segments overlap, <= COMPARE_MAX_LAGS */
    double rho[COMPARE_MAX_LAGS + 1];  /* noise correlation of band powers at each lag */
};

/* The noise correlation of two segments' band powers l hops apart (compare.h): sum_t w_t^2
 * w_{t+lD}^2 / sum_t w_t^4, for a band many bins wide. */
static double overlap_rho(const float *w, size_t n, size_t shift)
{
    double num = 0.0, den = 0.0;
    for (size_t t = 0; t < n; t++) {
        double a = (double)w[t] * w[t];
        den += a * a;
        if (t + shift < n)
            num += a * (double)w[t + shift] * w[t + shift];
    }
    return den > 0 ? num / den : 0.0;
}

static rfn_status acc_window(compare_acc *a, const rfn_welch_config *w, rfn_error *err)
{
    size_t n = w->nfft;
    size_t ov = w->overlap == RFN_WELCH_OVERLAP_HALF ? n / 2 : w->overlap;
    size_t hop = n - ov;
    float *win = malloc(n * sizeof *win);
    if (!win)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    rfn_status st = rfn_window_fill(w->window, n, w->sigma_samples, win);
    if (st) {
        free(win);
        return rfn_error_set(err, st, "compare: cannot build the window");
    }
    a->lags = (n + hop - 1) / hop - 1;
    if (a->lags > COMPARE_MAX_LAGS)
        a->lags = COMPARE_MAX_LAGS;
    for (size_t l = 1; l <= a->lags; l++)
        a->rho[l] = overlap_rho(win, n, l * hop);
    free(win);
    return RFN_OK;
}

/* The bins of band b on the Welch engine's axis and their weights (rfn_band_measure's fractional
 * edges; the calibration gain per bin, at the bin's centre clamped into the band). */
static rfn_status acc_band(band_acc *ba, const rfn_welch_config *w, const compare_band *b,
                           const calibration *cal, rfn_error *err)
{
    size_t n = w->nfft, nb = w->real_input ? n / 2 + 1 : n;
    double bin = w->fs_hz / (double)n;
    double f0 = w->center_hz - (w->real_input ? 0.0 : (double)(n / 2) * bin);
    double span_lo = f0 - bin / 2, span_hi = f0 + ((double)nb - 0.5) * bin;
    double lo = fmax(b->f_lo_hz, span_lo), hi = fmin(b->f_hi_hz, span_hi);
    ba->covered = hi > lo ? (hi - lo) / (b->f_hi_hz - b->f_lo_hz) : 0.0;
    if (!(hi > lo))
        return RFN_OK;
    ba->lo = (size_t)fmax(0.0, floor((lo - span_lo) / bin));
    ba->hi = (size_t)fmin((double)nb, ceil((hi - span_lo) / bin));
    ba->weight = calloc(ba->hi - ba->lo + 1, sizeof *ba->weight);
    if (!ba->weight)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = ba->lo; i < ba->hi; i++) {
        double f = f0 + (double)i * bin;
        double in = fmin(f + bin / 2, hi) - fmax(f - bin / 2, lo);
        double g = 0.0;
        if (cal && calibration_gain_db(cal, fmin(fmax(f, b->f_lo_hz), b->f_hi_hz), &g, err))
            return rfn_error_prefix(err, "band %s: ", b->id);
        ba->weight[i - ba->lo] = in > 0 ? in * rfn_from_db10(g) : 0.0;
    }
    return RFN_OK;
}

rfn_status compare_acc_create(const rfn_welch_config *w, const compare_band *bands, size_t n,
                              const calibration *cal, compare_acc **out, rfn_error *err)
{
    *out = NULL;
    compare_acc *a = calloc(1, sizeof *a);
    if (!a || !(a->b = calloc(n ? n : 1, sizeof *a->b))) {
        free(a);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    a->n = n;
    rfn_status st = acc_window(a, w, err);
    for (size_t i = 0; i < n && !st; i++)
        st = acc_band(&a->b[i], w, &bands[i], cal, err);
    if (st) {
        compare_acc_destroy(a);
        return st;
    }
    *out = a;
    return RFN_OK;
}

void compare_acc_attach(compare_acc *acc, rfn_welch_config *w)
{
    w->segment_fn = compare_acc_segment;
    w->segment_ctx = acc;
}

void compare_acc_segment(void *ctx, const double *density, size_t n_bins)
{
    compare_acc *a = ctx;
    for (size_t j = 0; j < a->n; j++) {
        band_acc *b = &a->b[j];
        if (!b->weight || b->hi > n_bins)
            continue;
        double p = 0.0;
        for (size_t i = b->lo; i < b->hi; i++)
            p += density[i] * b->weight[i - b->lo];
        if (b->k == 0)
            b->shift = p;
        double x = p - b->shift;
        b->sum += x;
        b->sumsq += x * x;
        /* Lag sums sum_j x_j x_{j+l} over the last lags values kept in a ring. */
        for (size_t l = 1; l <= a->lags && l <= b->k; l++)
            b->lag[l] += x * b->ring[(b->k - l) % COMPARE_MAX_LAGS];
        b->ring[b->k % COMPARE_MAX_LAGS] = x;
        b->k++;
    }
}

compare_level compare_acc_level(const compare_acc *a, size_t j)
{
    const band_acc *b = &a->b[j];
    compare_level lv = {NAN, NAN, NAN, b->covered, b->k};
    if (b->k == 0)
        return lv;
    double k = (double)b->k, m = b->sum / k;
    lv.power = b->shift + m;
    double c0 = b->sumsq / k - m * m;
    double f = 1.0;
    for (size_t l = 1; l <= a->lags && l < b->k; l++) {
        double r = c0 > 0 ? (b->lag[l] / (k - (double)l) - m * m) / c0 : 0.0;
        f += 2.0 * (1.0 - (double)l / k) * fmax(fmin(r, 1.0), a->rho[l]);
    }
    lv.overlap_factor = f;
    lv.var_of_mean = b->k > 1 ? c0 * k / (k - 1) / k * f : NAN;
    return lv;
}

void compare_acc_destroy(compare_acc *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        free(a->b[i].weight);
    free(a->b);
    free(a);
}

/* ---- a band's comparison --------------------------------------------------------------------- */

void compare_row_fill(const compare_level *before, const compare_level *after, compare_row *row)
{
    double pb = before->power, pa = after->power;
    row->level_before = rfn_db10(pb);
    row->level_after = rfn_db10(pa);
    row->segments_before = before->segments;
    row->segments_after = after->segments;
    row->rise_db = rfn_noise_rise_db(pa, pb);
    /* Delta method on ln(P_a / P_b) (compare.h). */
    double half = COMPARE_Z95 * (10.0 / log(10.0)) *
                  sqrt(after->var_of_mean / (pa * pa) + before->var_of_mean / (pb * pb));
    row->rise_ci95_lo_db = row->rise_db - half;
    row->rise_ci95_hi_db = row->rise_db + half;
    row->excess_is_bound = !(row->rise_db >= COMPARE_EXCESS_MIN_RISE_DB);
    row->excess = row->excess_is_bound
                      ? rfn_db10(pb * (rfn_from_db10(COMPARE_EXCESS_MIN_RISE_DB) - 1.0))
                      : rfn_db10(rfn_noise_excess(pa, pb));
    if (isnan(row->rise_db))
        row->excess = NAN;
}

/* ---- two captures ---------------------------------------------------------------------------- */

compare_config compare_config_default(void)
{
    compare_config c;
    memset(&c, 0, sizeof c);
    c.spectrum = spectrum_options_default();
    c.copt = capture_options_default();
    c.want_apd = 1;
    return c;
}

void compare_result_free(compare_result *res)
{
    if (!res)
        return;
    free(res->rows);
    free(res->gain_db);
    rfn_spectrum_free(&res->before);
    rfn_spectrum_free(&res->after);
    memset(res, 0, sizeof *res);
}

/* nfft when none is asked: a power of two giving at least 256 bins across the narrowest band, in
 * 64 ... 65536, and at least 32 segments of the capture where it can. */
static size_t auto_nfft(const compare_band *b, size_t n, const capture_meta *m)
{
    double narrow = INFINITY;
    for (size_t i = 0; i < n; i++)
        narrow = fmin(narrow, b[i].f_hi_hz - b[i].f_lo_hz);
    size_t nfft = 64;
    while (nfft < 65536 && m->sample_rate_hz / (double)nfft > narrow / 256)
        nfft *= 2;
    while (nfft > 64 && m->sample_count > 0 && (double)nfft * 32 > (double)m->sample_count)
        nfft /= 2;
    return nfft;
}

/* The bands of the limit set in force on the capture's date, each with its constant limit as a
 * flat density where it is one (for the plot). *out is a new array. */
static rfn_status limit_bands(const compare_config *cfg, const capture_meta *m,
                              compare_result *res, compare_band **out, size_t *n,
                              rfn_error *err)
{
    size_t pick = 0;
    char date[11] = "";
    if (strlen(m->datetime) >= 10)
        snprintf(date, sizeof date, "%.10s", m->datetime);
    if (cfg->n_limits == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "no band given and no limit set");
    if (cfg->n_limits > 1 && limits_select(cfg->limits, cfg->n_limits, date, &pick, err))
        return rfn_error_prefix(err, "%s: ", m->path);
    const limits_set *set = cfg->limits[pick];
    snprintf(res->limits_id, sizeof res->limits_id, "%s", set->id);
    compare_band *b = calloc(set->n_bands ? set->n_bands : 1, sizeof *b);
    if (!b)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < set->n_bands; i++) {
        const limits_band *lb = &set->bands[i];
        snprintf(b[i].id, sizeof b[i].id, "%s", lb->id);
        b[i].f_lo_hz = lb->f_lo_hz;
        b[i].f_hi_hz = lb->f_hi_hz;
        /* The limit over the bandwidth its reading is taken in, as a density: comparable with
         * the plotted spectra only in their unit (dBm with a calibration, else dBFS). */
        double bw = lb->ref_bw_hz > 0 ? lb->ref_bw_hz
                    : lb->rbw_hz > 0  ? lb->rbw_hz
                    : lb->quantity == LIMITS_Q_CHANNEL_POWER ? lb->f_hi_hz - lb->f_lo_hz
                                                             : 1.0;
        int same = lb->unit != LIMITS_U_DBUV_M && limits_unit_is_dbfs(lb->unit) == !cfg->cal;
        b[i].limit_density_db = lb->has_limit && same ? lb->limit - 10 * log10(bw) : NAN;
    }
    *out = b;
    *n = set->n_bands;
    return RFN_OK;
}

/* Both captures at the same rate, centre and sample type (as analyse --baseline). */
static rfn_status same_settings(const capture_meta *a, const capture_meta *b, rfn_error *err)
{
    if (a->sample_rate_hz != b->sample_rate_hz || a->is_complex != b->is_complex ||
        !(a->center_freq_hz == b->center_freq_hz ||
          (isnan(a->center_freq_hz) && isnan(b->center_freq_hz))))
        return rfn_error_set(err, RFN_ERR_CONFLICT, "%s: sample rate, centre frequency or "
                             "sample type differ from %s", b->path, a->path);
    return RFN_OK;
}

/* One capture through the Welch engine w with a band accumulator: its spectrum and acc. */
static rfn_status measure_one(capture *c, rfn_welch_config w, const compare_band *bands,
                              size_t n, const compare_config *cfg, rfn_spectrum *spec,
                              compare_acc **acc, rfn_error *err)
{
    rfn_status st = compare_acc_create(&w, bands, n, cfg->cal, acc, err);
    if (st)
        return st;
    compare_acc_attach(*acc, &w);
    return analyse_read_spectrum_kept(c, &w, cfg->quiet, 1, spec, err);
}

/* The before capture's measurement on a thread of its own (measure_both). */
typedef struct measure_job {
    capture *c;
    rfn_welch_config w;
    const compare_band *bands;
    size_t n;
    compare_config cfg;
    rfn_spectrum *spec;
    compare_acc **acc;
    rfn_status st;
    rfn_error err;
} measure_job;

static void *measure_thread(void *arg)
{
    measure_job *j = arg;
    j->st = measure_one(j->c, j->w, j->bands, j->n, &j->cfg, j->spec, j->acc, &j->err);
    return NULL;
}

/* Both captures' spectra and band accumulators. The two are independent until their rows are
 * made, so with threads to spare (issue 17: compare ran on one core) the before capture is
 * measured on a thread beside the after one, each exactly as alone (one Welch engine each,
 * bit-identical). One progress line: the after capture's. An error of the before capture is
 * reported first, as when they run in turn. */
static rfn_status measure_both(capture *cb, capture *ca, rfn_welch_config w,
                               const compare_band *bands, size_t n, const compare_config *cfg,
                               compare_result *res, compare_acc **ab, compare_acc **aa,
                               rfn_error *err)
{
    measure_job j = {.c = cb, .w = w, .bands = bands, .n = n, .cfg = *cfg, .spec = &res->before,
                     .acc = ab};
    j.cfg.quiet = 1;
    pthread_t t;
    if (welch_pool_jobs(cfg->jobs) < 2 || pthread_create(&t, NULL, measure_thread, &j) != 0) {
        rfn_status st = measure_one(cb, w, bands, n, cfg, &res->before, ab, err);
        return st ? st : measure_one(ca, w, bands, n, cfg, &res->after, aa, err);
    }
    rfn_status st = measure_one(ca, w, bands, n, cfg, &res->after, aa, err);
    pthread_join(t, NULL);
    if (j.st) {
        *err = j.err;
        return j.st;
    }
    return st;
}

/* The APD levels at compare_apd_probs of band b in the capture at path (NAN where the EMI pass
 * cannot run or has too few samples). The RBW is the CISPR band's, or the band's width when
 * narrower. */
static void apd_levels(const char *path, const compare_config *cfg, const compare_band *b,
                       double lvl[COMPARE_N_APD])
{
    for (int i = 0; i < COMPARE_N_APD; i++)
        lvl[i] = NAN;
    rfn_det_params dp;
    emi_config ec = emi_config_default();
    ec.want_apd = 1;
    ec.apd_lo_hz = b->f_lo_hz;
    ec.apd_hi_hz = b->f_hi_hz;
    ec.quiet = 1;
    ec.exclude_annotations = 1;
    ec.band = (int)rfn_det_band_for_freq((b->f_lo_hz + b->f_hi_hz) / 2);
    if (rfn_det_params_for_band((rfn_det_band)ec.band, &dp) == RFN_OK)
        ec.rbw_hz = fmin(dp.rbw_hz, b->f_hi_hz - b->f_lo_hz);
    capture *c = NULL;
    emi_result r;
    memset(&r, 0, sizeof r);
    rfn_error e;
    if (emi_run_path(path, &cfg->copt, &ec, 0, &c, &r, &e) == RFN_OK && r.apd)
        for (int i = 0; i < COMPARE_N_APD; i++)
            if (rfn_apd_level_at(r.apd, compare_apd_probs[i], &lvl[i], NULL))
                lvl[i] = NAN;
    emi_result_free(&r);
    capture_close(c);
}

/* The APD levels of band b in both captures: side by side when there are threads to spare (the
 * two EMI passes are independent), else one after the other. */
typedef struct apd_job {
    const char *path;
    const compare_config *cfg;
    const compare_band *b;
    double *lvl;
} apd_job;

static void *apd_thread(void *arg)
{
    apd_job *j = arg;
    apd_levels(j->path, j->cfg, j->b, j->lvl);
    return NULL;
}

static void apd_both(const char *before, const char *after, const compare_config *cfg,
                     const compare_band *b, double pb[COMPARE_N_APD], double pa[COMPARE_N_APD])
{
    apd_job j = {before, cfg, b, pb};
    pthread_t t;
    bool threaded =
        welch_pool_jobs(cfg->jobs) > 1 && pthread_create(&t, NULL, apd_thread, &j) == 0;
    if (!threaded) apd_levels(before, cfg, b, pb);
    apd_levels(after, cfg, b, pa);
    if (threaded) pthread_join(t, NULL);
}

/* The rows: every band inside the span (an explicit band that is not is an error). */
static rfn_status make_rows(const char *before, const char *after, const compare_config *cfg,
                            const compare_band *bands, size_t n, const compare_acc *ab,
                            const compare_acc *aa, compare_result *res, rfn_error *err)
{
    if (!(res->rows = calloc(n ? n : 1, sizeof *res->rows)))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        compare_level lb = compare_acc_level(ab, i), la = compare_acc_level(aa, i);
        if (lb.covered_fraction < 1.0 - 1e-9) {
            if (cfg->bands)
                return rfn_error_set(err, RFN_ERR_INVALID, "%s: band %s is not inside the "
                                     "capture's span", before, bands[i].id);
            continue;
        }
        compare_row *r = &res->rows[res->n_rows++];
        snprintf(r->band, sizeof r->band, "%s", bands[i].id);
        r->f_lo_hz = bands[i].f_lo_hz;
        r->f_hi_hz = bands[i].f_hi_hz;
        r->limit_density_db = bands[i].limit_density_db;
        snprintf(r->unit, sizeof r->unit, "%s", res->unit);
        compare_row_fill(&lb, &la, r);
        double pb[COMPARE_N_APD], pa[COMPARE_N_APD];
        for (int k = 0; k < COMPARE_N_APD; k++)
            r->apd_diff_db[k] = NAN;
        if (!cfg->want_apd)
            continue;
        apd_both(before, after, cfg, &bands[i], pb, pa);
        for (int k = 0; k < COMPARE_N_APD; k++)
            r->apd_diff_db[k] = pa[k] - pb[k];
    }
    if (res->n_rows == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: no band of limit set %s lies inside the "
                             "capture's span", before, res->limits_id);
    return RFN_OK;
}

/* dB for the unit at every bin of the before spectrum (the plot), NULL when uncalibrated. */
static rfn_status plot_gains(const compare_config *cfg, compare_result *res, rfn_error *err)
{
    if (!cfg->cal)
        return RFN_OK;
    if (!(res->gain_db = malloc(res->before.n_bins * sizeof *res->gain_db)))
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < res->before.n_bins; i++)
        if (calibration_gain_db(cfg->cal, res->before.freq_hz[i], &res->gain_db[i], NULL))
            res->gain_db[i] = NAN;
    return RFN_OK;
}

rfn_status compare_captures(const char *before, const char *after, const compare_config *cfg,
                            compare_result *res, rfn_error *err)
{
    memset(res, 0, sizeof *res);
    capture *cb = NULL, *ca = NULL;
    compare_acc *ab = NULL, *aa = NULL;
    compare_band *own = NULL;
    const compare_band *bands = cfg->bands;
    size_t n = cfg->n_bands;
    rfn_welch_config w;
    snprintf(res->unit, sizeof res->unit, "%s", cfg->cal ? "dBm" : "dBFS");
    rfn_status st = capture_open(before, &cfg->copt, &cb, err);
    if (!st)
        st = capture_open(after, &cfg->copt, &ca, err);
    if (st)
        goto done;
    const capture_meta *mb = capture_get_meta(cb), *ma = capture_get_meta(ca);
    if ((st = same_settings(mb, ma, err)))
        goto done;
    if (!bands) {
        if ((st = limit_bands(cfg, ma, res, &own, &n, err)))
            goto done;
        bands = own;
    }
    if ((st = spectrum_welch_config(&cfg->spectrum, mb, auto_nfft(bands, n, mb), &w, err)))
        goto done;
    w.traces = 0;
    if (cfg->fft_estimate)
        w.effort = RFN_FFT_ESTIMATE;
    if ((st = measure_both(cb, ca, w, bands, n, cfg, res, &ab, &aa, err)))
        goto done;
    res->segments_before = res->before.segments;
    res->segments_after = res->after.segments;
    if (!(st = make_rows(before, after, cfg, bands, n, ab, aa, res, err)))
        st = plot_gains(cfg, res, err);
done:
    compare_acc_destroy(ab);
    compare_acc_destroy(aa);
    free(own);
    capture_close(cb);
    capture_close(ca);
    return st;
}
