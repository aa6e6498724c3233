/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bursts.c: bursts found in each band against the band's own floor (design in bursts.h). */
#include "bursts.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "progress.h"
#include "stft.h"

/* Histogram of smoothed band powers: HIST_STEP_DB bins from HIST_LO_DB; bin 0 also holds zero. */
#define HIST_LO_DB (-350.0)
#define HIST_STEP_DB 0.05
#define HIST_BINS 8000
#define SINK_BATCH 64 /* frames per sink call (rfn_stft_config.batch) */

bursts_config bursts_config_default(void)
{
    bursts_config c = {.threshold_db = 6.0, .min_duration_s = 1e-3, .guard_s = 0.5e-3,
                       .floor_fraction = 0.2, .quiet = 0};
    return c;
}

typedef struct band_track {
    size_t j_lo, j_hi; /* STFT bins summed, inclusive */
    int used;          /* the band touches the span */
    double *ring;      /* [smooth_len] the last frames' band power */
    size_t ring_pos;
    uint64_t ring_n;
    double ring_sum;
    uint64_t *hist;    /* [HIST_BINS] read 1 */
    uint64_t n_values;
    double floor, median; /* linear band power */
    rfn_burst *det;    /* read 2; NULL where the band is unused or silent */
} band_track;

typedef struct finder {
    band_track *t;
    size_t n;
    size_t nfft, smooth_len;
    double scale;      /* bin powers -> band power: bin_hz / ENBW, x2 one-sided (real) */
    int pass;          /* 1: histograms, 2: detection */
    double vals[SINK_BATCH];
    rfn_status st;
    rfn_error *err;
} finder;

static void hist_add(band_track *t, double v)
{
    double i = v > 0 ? floor((10 * log10(v) - HIST_LO_DB) / HIST_STEP_DB) : 0;
    size_t k = i < 0 ? 0 : i >= HIST_BINS ? HIST_BINS - 1 : (size_t)i;
    t->hist[k]++;
    t->n_values++;
}

/* One band's smoothed power for each frame of the batch (values once the ring is full). */
static size_t band_values(finder *f, band_track *t, const float *power, size_t n_frames)
{
    size_t n = 0;
    for (size_t fr = 0; fr < n_frames; fr++) {
        double s = 0;
        for (size_t j = t->j_lo; j <= t->j_hi; j++)
            s += power[fr * f->nfft + j];
        s *= f->scale;
        if (t->ring_n >= f->smooth_len)
            t->ring_sum -= t->ring[t->ring_pos];
        t->ring[t->ring_pos] = s;
        t->ring_sum += s;
        t->ring_pos = (t->ring_pos + 1) % f->smooth_len;
        if (++t->ring_n >= f->smooth_len)
            f->vals[n++] = (t->ring_sum > 0 ? t->ring_sum : 0) / (double)f->smooth_len;
    }
    return n;
}

static void finder_sink(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)first;
    finder *f = ctx;
    for (size_t b = 0; b < f->n && f->st == RFN_OK; b++) {
        band_track *t = &f->t[b];
        if (!t->used || (f->pass == 2 && !t->det))
            continue;
        size_t n = band_values(f, t, power, n_frames);
        if (f->pass == 1)
            for (size_t k = 0; k < n; k++)
                hist_add(t, f->vals[k]);
        else if (n)
            f->st = rfn_burst_write(t->det, f->vals, n, f->err);
    }
}

/* The SM.1753 20 % floor (the mean of the lowest fraction of the values, from the histogram's
 * bin centres; bin 0 counts as zero power) and the median. */
static void floors_from_hist(band_track *t, double fraction)
{
    t->floor = t->median = 0;
    if (!t->n_values)
        return;
    double want = ceil(fraction * (double)t->n_values), half = 0.5 * (double)t->n_values;
    double taken = 0, sum = 0, seen = 0;
    int median_set = 0;
    for (size_t k = 0; k < HIST_BINS; k++) {
        double c = (double)t->hist[k];
        if (!c)
            continue;
        double v = k ? pow(10, (HIST_LO_DB + ((double)k + 0.5) * HIST_STEP_DB) / 10) : 0;
        double take = fmin(c, want - taken);
        if (take > 0) {
            sum += take * v;
            taken += take;
        }
        seen += c;
        if (!median_set && seen >= half) {
            t->median = v;
            median_set = 1;
        }
    }
    t->floor = taken > 0 ? sum / taken : 0;
}

/* The STFT bins of band [lo, hi): those whose centre lies inside, else the one nearest its
 * centre when the band touches the span. Real captures use the bins at >= 0 Hz only. */
static void band_bins(const rfn_stft *s, double centre_hz, int real, double lo, double hi,
                      band_track *t)
{
    const rfn_stft_info *in = rfn_stft_get_info(s);
    size_t j0 = real ? in->nfft / 2 : 0, best = j0;
    double best_d = INFINITY;
    t->used = 0;
    for (size_t j = j0; j < in->nfft; j++) {
        double f = centre_hz + rfn_stft_bin_freq_hz(s, j);
        if (f >= lo && f < hi) {
            t->j_lo = t->used ? t->j_lo : j;
            t->j_hi = j;
            t->used = 1;
        }
        if (fabs(f - (lo + hi) / 2) < best_d) {
            best_d = fabs(f - (lo + hi) / 2);
            best = j;
        }
    }
    double span_lo = centre_hz + rfn_stft_bin_freq_hz(s, j0) - in->bin_hz / 2;
    double span_hi = centre_hz + rfn_stft_bin_freq_hz(s, in->nfft - 1) + in->bin_hz / 2;
    if (!t->used && hi > span_lo && lo < span_hi) {
        t->j_lo = t->j_hi = best;
        t->used = 1;
    }
}

/* ---- the reads ------------------------------------------------------------------------------- */

/* One read of the capture through the STFT into the finder. */
static rfn_status read_pass(const char *path, const capture_options *copt,
                            const rfn_stft_config *sc, finder *f, int quiet, uint64_t *samples,
                            rfn_error *err)
{
    capture *c = NULL;
    rfn_stft *stft = NULL;
    enum { BLOCK = 65536 };
    float complex *buf = malloc(BLOCK * sizeof *buf);
    float *rbuf = malloc(BLOCK * sizeof *rbuf);
    progress *pr = NULL;
    rfn_status st = !buf || !rbuf ? rfn_error_set(err, RFN_ERR_NOMEM, "out of memory")
                                  : capture_open(path, copt, &c, err);
    if (!st)
        st = rfn_stft_create(sc, finder_sink, f, &stft, err);
    if (st)
        goto done;
    const capture_meta *m = capture_get_meta(c);
    char what[96];
    snprintf(what, sizeof what, "bursts %d/2 %.70s", f->pass, m->path);
    pr = progress_create_samples(what, (uint64_t)m->sample_count, quiet);
    for (;;) {
        size_t got = 0;
        if (m->is_complex) {
            st = capture_read(c, buf, BLOCK, &got, err);
        } else {
            st = capture_read_real(c, rbuf, BLOCK, &got, err);
            for (size_t i = 0; i < got; i++)
                buf[i] = rbuf[i];
        }
        if (st == RFN_ERR_EOF) {
            st = RFN_OK;
            break;
        }
        if (st)
            goto done;
        rfn_stft_write(stft, buf, got);
        if ((st = f->st))
            goto done;
        progress_update(pr, rfn_stft_samples(stft));
    }
    rfn_stft_flush(stft);
    st = f->st;
    *samples = rfn_stft_samples(stft);
done:
    progress_destroy(pr);
    rfn_stft_destroy(stft);
    capture_close(c);
    free(buf);
    free(rbuf);
    return st;
}

/* The STFT of bursts.h: sigma = min_duration / 40 (at most what fs / 4 allows), hop = sigma. */
static rfn_status stft_setup(const capture_meta *m, const bursts_config *cfg, rfn_stft_config *sc,
                             rfn_error *err)
{
    double sigma = cfg->min_duration_s / 40;
    double rbw = sqrt(2 * log(2)) / (M_PI * sigma);
    if (rbw > m->sample_rate_hz / 4)
        rbw = m->sample_rate_hz / 4;
    *sc = rfn_stft_config_default();
    sc->fs_hz = m->sample_rate_hz;
    sc->rbw_hz = rbw;
    double hop = floor(sqrt(2 * log(2)) / (M_PI * rbw) * m->sample_rate_hz);
    sc->hop = hop < 1 ? 1 : (size_t)hop;
    sc->batch = SINK_BATCH;
    if (!(cfg->threshold_db > 0) || !(cfg->min_duration_s > 0) || !(cfg->guard_s >= 0) ||
        !(cfg->floor_fraction > 0 && cfg->floor_fraction <= 1))
        return rfn_error_set(err, RFN_ERR_INVALID, "bursts: threshold and minimum duration must "
                             "be > 0, guard >= 0, floor fraction in (0, 1]");
    return RFN_OK;
}

static rfn_status tracks_setup(finder *f, const rfn_stft *s, const capture_meta *m,
                               const bursts_band *bands, size_t n_bands, rfn_error *err)
{
    f->t = calloc(n_bands ? n_bands : 1, sizeof *f->t);
    if (!f->t)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    f->n = n_bands;
    double centre = isfinite(m->center_freq_hz) ? m->center_freq_hz : 0;
    for (size_t b = 0; b < n_bands; b++) {
        band_track *t = &f->t[b];
        band_bins(s, centre, !m->is_complex, bands[b].f_lo_hz, bands[b].f_hi_hz, t);
        if (!t->used)
            continue;
        t->ring = calloc(f->smooth_len, sizeof *t->ring);
        t->hist = calloc(HIST_BINS, sizeof *t->hist);
        if (!t->ring || !t->hist)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    return RFN_OK;
}

/* Read 2's detectors: the band's floor fixed, runs of half min_duration (bursts.h). */
static rfn_status detectors_setup(finder *f, const rfn_stft_info *in, const bursts_config *cfg,
                                  rfn_error *err)
{
    for (size_t b = 0; b < f->n; b++) {
        band_track *t = &f->t[b];
        floors_from_hist(t, cfg->floor_fraction);
        t->ring_n = 0;
        t->ring_pos = 0;
        t->ring_sum = 0;
        if (!t->used || !(t->floor > 0))
            continue;
        rfn_burst_config bc = rfn_burst_config_default();
        bc.fs_hz = in->fs_hz;
        bc.step_samples = in->hop;
        bc.offset_samples = in->win_len / 2 + (f->smooth_len - 1) * in->hop / 2;
        bc.threshold_db = cfg->threshold_db;
        bc.min_duration_s = fmax(cfg->min_duration_s / 2, in->hop_s);
        bc.guard_s = cfg->guard_s;
        bc.floor_power = t->floor;
        rfn_status st = rfn_burst_create(&bc, &t->det, err);
        if (st)
            return st;
    }
    return RFN_OK;
}

static int cmp_burst(const void *a, const void *b)
{
    const excluded_burst *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Every band's spans in one list, sorted, clipped to the capture and merged where they touch:
 * a merged span keeps the highest level and its band. */
static rfn_status merge_spans(finder *f, const bursts_band *bands, uint64_t samples,
                              bursts_result *res, rfn_error *err)
{
    size_t total = 0, n;
    for (size_t b = 0; b < f->n; b++)
        if (f->t[b].det) {
            rfn_burst_finish(f->t[b].det);
            (void)rfn_burst_detected(f->t[b].det, &n);
            total += n;
        }
    if (!total)
        return RFN_OK;
    excluded_burst *v = calloc(total, sizeof *v);
    if (!v)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t b = 0; b < f->n; b++) {
        if (!f->t[b].det)
            continue;
        const rfn_span *sp = rfn_burst_detected(f->t[b].det, &n);
        const double *pk = rfn_burst_detected_peaks(f->t[b].det, &n);
        for (size_t i = 0; i < n; i++) {
            uint64_t end = sp[i].start + sp[i].length;
            end = end > samples ? samples : end;
            if (sp[i].start >= end)
                continue;
            v[k] = (excluded_burst){sp[i].start, end - sp[i].start,
                                    10 * log10(pk[i] / f->t[b].floor), ""};
            snprintf(v[k++].band_id, sizeof v->band_id, "%s", bands[b].id ? bands[b].id : "");
        }
    }
    qsort(v, k, sizeof *v, cmp_burst);
    size_t out = 0;
    for (size_t i = 0; i < k; i++) {
        excluded_burst *last = out ? &v[out - 1] : NULL;
        if (last && v[i].start <= last->start + last->length) {
            uint64_t end = v[i].start + v[i].length;
            if (end > last->start + last->length)
                last->length = end - last->start;
            if (v[i].level_db > last->level_db) {
                last->level_db = v[i].level_db;
                memcpy(last->band_id, v[i].band_id, sizeof last->band_id);
            }
        } else {
            v[out++] = v[i];
        }
    }
    res->spans = v;
    res->n_spans = out;
    for (size_t i = 0; i < out; i++)
        res->excluded_samples += v[i].length;
    return RFN_OK;
}

rfn_status bursts_find(const char *path, const capture_options *copt, const bursts_config *cfg,
                       const bursts_band *bands, size_t n_bands, bursts_result *res,
                       rfn_error *err)
{
    memset(res, 0, sizeof *res);
    finder f;
    memset(&f, 0, sizeof f);
    f.err = err;
    capture *c = NULL;
    rfn_stft *probe = NULL;
    rfn_stft_config sc;
    rfn_status st = capture_open(path, copt, &c, err);
    if (st)
        return st;
    capture_meta m = *capture_get_meta(c);
    capture_close(c);
    if ((st = stft_setup(&m, cfg, &sc, err)) ||
        (st = rfn_stft_create(&sc, finder_sink, &f, &probe, err)))
        goto done;
    const rfn_stft_info in = *rfn_stft_get_info(probe);
    f.nfft = in.nfft;
    f.scale = in.bin_hz / in.enbw_hz * (m.is_complex ? 1.0 : 2.0);
    double smooth = cfg->min_duration_s / 4 / in.hop_s;
    f.smooth_len = smooth < 1 ? 1 : smooth > 65536 ? 65536 : (size_t)smooth;
    res->window_s = (double)in.win_len / in.fs_hz;
    res->hop_s = in.hop_s;
    res->smooth_s = (double)f.smooth_len * in.hop_s;
    res->n_bands = n_bands;
    res->floor_dbfs = malloc((n_bands ? n_bands : 1) * sizeof *res->floor_dbfs);
    res->median_dbfs = malloc((n_bands ? n_bands : 1) * sizeof *res->median_dbfs);
    if (!res->floor_dbfs || !res->median_dbfs) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = tracks_setup(&f, probe, &m, bands, n_bands, err)))
        goto done;
    f.pass = 1;
    if ((st = read_pass(path, copt, &sc, &f, cfg->quiet, &res->samples, err)) ||
        (st = detectors_setup(&f, &in, cfg, err)))
        goto done;
    f.pass = 2;
    if ((st = read_pass(path, copt, &sc, &f, cfg->quiet, &res->samples, err)) ||
        (st = merge_spans(&f, bands, res->samples, res, err)))
        goto done;
    for (size_t b = 0; b < n_bands; b++) {
        int ok = f.t[b].used && f.t[b].floor > 0;
        res->floor_dbfs[b] = ok ? 10 * log10(f.t[b].floor) : NAN;
        res->median_dbfs[b] = ok && f.t[b].median > 0 ? 10 * log10(f.t[b].median) : NAN;
    }
done:
    rfn_stft_destroy(probe);
    for (size_t b = 0; f.t && b < f.n; b++) {
        free(f.t[b].ring);
        free(f.t[b].hist);
        rfn_burst_destroy(f.t[b].det);
    }
    free(f.t);
    return st;
}

void bursts_result_free(bursts_result *res)
{
    if (!res)
        return;
    free(res->spans);
    free(res->floor_dbfs);
    free(res->median_dbfs);
    memset(res, 0, sizeof *res);
}
