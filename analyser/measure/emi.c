/* SPDX-License-Identifier: GPL-2.0-or-later */
/* emi.c: one pass of a capture through the EMI-receiver pipeline (see emi.h). */
#include "emi.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_pool.h"
#include "stft_pool.h"
#include "progress.h"

emi_config emi_config_default(void)
{
    emi_config c = {.rbw_hz = 0, .band = -1, .detectors = 0, .want_spectrogram = 0,
                    .sg_rows = 1000, .sg_cols = 1000, .sg_mode = RFN_SPECTROGRAM_MAX,
                    .want_apd = 0, .apd_lo_hz = NAN, .apd_hi_hz = NAN,
                    .exclude_annotations = 0, .exclude_spans = NULL, .n_exclude_spans = 0,
                    .burst_threshold_db = 10.0, .burst_min_s = 1e-3,
                    .quiet = 0, .jobs = 1};
    return c;
}

int emi_det_index(rfn_det_kind kind)
{
    for (int i = 0; i < RFN_DET_KIND_COUNT; i++)
        if ((unsigned)kind == 1u << i)
            return i;
    return -1;
}

/* ---- the STFT sink --------------------------------------------------------------------------- */

typedef struct sink_ctx {
    det_pool *det;
    rfn_spectrogram *sg;
    rfn_apd *apd;
    rfn_burst *burst;
    size_t nfft, hop, win_len;
    size_t batch;            /* frames the STFT hands the sink at most */
    double power_scale;      /* sum of bin powers -> capture power: bin_hz / enbw_hz */
    rfn_span *excl;          /* sorted annotation spans to leave out, or NULL */
    size_t n_excl, cursor;
    float *kept;             /* batch * nfft: the frames that are not left out */
    double *total;           /* batch: smoothed total power, for the burst finder */
    double *ring;            /* smooth_len: the last frames' total power */
    size_t smooth_len, ring_pos;
    uint64_t ring_frames;
    double ring_sum;
    uint64_t excluded;
    rfn_status st;
    rfn_error *err;
} sink_ctx;

static int frame_excluded(sink_ctx *k, uint64_t frame)
{
    uint64_t centre = frame * k->hop + k->win_len / 2;
    while (k->cursor < k->n_excl &&
           k->excl[k->cursor].start + k->excl[k->cursor].length <= centre)
        k->cursor++;
    for (size_t i = k->cursor; i < k->n_excl && k->excl[i].start <= centre; i++)
        if (centre - k->excl[i].start < k->excl[i].length)
            return 1;
    return 0;
}

static void emi_sink(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    sink_ctx *k = ctx;
    const size_t nfft = k->nfft;
    if (k->sg)
        rfn_spectrogram_write(k->sg, power, n_frames);
    /* The burst finder sees the capture's total power averaged over smooth_len frames (a
     * quarter of the minimum burst): one frame's power of a narrow burst fluctuates like noise
     * and would break a burst into short runs. Value j averages frames j .. j + smooth_len - 1. */
    size_t n_tot = 0;
    for (size_t f = 0; f < n_frames; f++) {
        double s = 0.0;
        for (size_t j = 0; j < nfft; j++)
            s += power[f * nfft + j];
        s *= k->power_scale;
        if (k->ring_frames >= k->smooth_len)
            k->ring_sum -= k->ring[k->ring_pos];
        k->ring[k->ring_pos] = s;
        k->ring_sum += s;
        k->ring_pos = (k->ring_pos + 1) % k->smooth_len;
        if (++k->ring_frames >= k->smooth_len)
            k->total[n_tot++] = (k->ring_sum > 0.0 ? k->ring_sum : 0.0) / (double)k->smooth_len;
    }
    if (k->st == RFN_OK && n_tot)
        k->st = rfn_burst_write(k->burst, k->total, n_tot, k->err);
    const float *use = power;
    size_t n_use = n_frames;
    if (k->excl) {
        n_use = 0;
        for (size_t f = 0; f < n_frames; f++) {
            if (frame_excluded(k, first + f)) {
                k->excluded++;
                continue;
            }
            memcpy(k->kept + n_use * nfft, power + f * nfft, nfft * sizeof *power);
            n_use++;
        }
        use = k->kept;
    }
    if (k->det)
        det_pool_write(k->det, use, n_use, NULL);
    if (k->apd)
        rfn_apd_write(k->apd, use, n_use);
}

static int cmp_span(const void *a, const void *b)
{
    const rfn_span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* ---- the pass -------------------------------------------------------------------------------- */

/* The STFT, detector and burst stages refuse a window or step they cannot use; what the user
 * controls there is the capture's sample rate and the RBW, so say it in those terms. */
static rfn_status setup_error(const capture_meta *m, double rbw_hz, rfn_error *err)
{
    return rfn_error_set(err, RFN_ERR_INVALID,
                         "%s: a sample rate of %.10g Hz with an RBW of %.10g Hz gives no usable "
                         "detector window or step: check the sample rate (core:sample_rate or "
                         "--rate) or give another --rbw",
                         m->path, m->sample_rate_hz, rbw_hz);
}

/* The band, detector parameters and detectors of the pass, and how long the meters take to
 * settle. */
static void choose_params(const capture_meta *m, const emi_config *cfg, emi_result *res)
{
    res->center_known = isfinite(m->center_freq_hz);
    res->center_hz = res->center_known ? m->center_freq_hz : 0.0;
    res->real_input = !m->is_complex;
    res->band = cfg->band >= 0 ? (rfn_det_band)cfg->band
                : res->center_known ? rfn_det_band_for_freq(res->center_hz)
                                    : RFN_DET_BAND_CD;
    rfn_det_params_for_band(res->band, &res->params);
    if (cfg->rbw_hz > 0)
        res->params.rbw_hz = cfg->rbw_hz;
    res->detectors = cfg->detectors;
    if (cfg->qp_optional && !(res->params.qp_charge_s > 0))
        res->detectors &= ~(unsigned)RFN_DET_QP;
    /* A critically damped meter's step response is 1 - (1 + t/T) e^(-t/T): within 0.1 dB
     * (98.85 %) of the final amplitude after 6.5 T. */
    double tm = 0.0;
    if (res->detectors & RFN_DET_QP)
        tm = fmax(tm, res->params.qp_meter_s);
    if (res->detectors & (RFN_DET_CISPR_AVG | RFN_DET_RMS_AVG))
        tm = fmax(tm, res->params.avg_meter_s);
    res->settle_s = 6.5 * tm;
    res->settled = m->duration_s >= res->settle_s;
}

/* The STFT at the RBW on cfg->jobs threads, feeding emi_sink, and the frequency of each output
 * bin: all (complex) or those at >= 0 Hz (real, one-sided). */
static rfn_status create_stft(const capture_meta *m, const emi_config *cfg, emi_result *res,
                              sink_ctx *k, stft_pool **stft, rfn_error *err)
{
    if (!(res->params.rbw_hz <= m->sample_rate_hz / 4.0))
        /* The Gaussian RBW filter needs the band of +-2 RBW inside the capture (stft.h). */
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: an RBW of %.10g Hz needs a sample rate of at least %.10g Hz "
                             "(capture: %.10g Hz); give a smaller --rbw", m->path,
                             res->params.rbw_hz, 4.0 * res->params.rbw_hz, m->sample_rate_hz);
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = m->sample_rate_hz;
    sc.rbw_hz = res->params.rbw_hz;
    rfn_status st = stft_pool_create(&sc, cfg->jobs, emi_sink, k, stft, err);
    if (st == RFN_ERR_INVALID)
        st = setup_error(m, res->params.rbw_hz, err);
    if (st)
        return st;
    res->stft = *stft_pool_info(*stft);
    const size_t nfft = res->stft.nfft;
    k->nfft = nfft;
    k->hop = res->stft.hop;
    k->win_len = res->stft.win_len;
    k->power_scale = res->stft.bin_hz / res->stft.enbw_hz;
    k->batch = res->stft.batch;
    res->bin0 = res->real_input ? nfft / 2 : 0;
    res->n_out = nfft - res->bin0;
    res->freq_hz = malloc(res->n_out * sizeof *res->freq_hz);
    k->total = malloc(k->batch * sizeof *k->total);
    if (!res->freq_hz || !k->total)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < res->n_out; i++)
        res->freq_hz[i] = res->center_hz + stft_pool_bin_freq_hz(*stft, res->bin0 + i);
    return RFN_OK;
}

static rfn_status create_detectors(const capture_meta *m, const emi_config *cfg,
                                   const emi_result *res, sink_ctx *k, rfn_error *err)
{
    rfn_detector_config dc = rfn_detector_config_default();
    dc.n_bins = res->stft.nfft;
    dc.frame_rate_hz = m->sample_rate_hz / (double)res->stft.hop;
    dc.detectors = res->detectors;
    dc.params = res->params;
    return !(dc.frame_rate_hz > 0) || !isfinite(dc.frame_rate_hz)
               ? setup_error(m, res->params.rbw_hz, err)
               : det_pool_create(&dc, cfg->jobs, &k->det, err);
}

static rfn_status create_spectrogram(const emi_config *cfg, emi_result *res, sink_ctx *k,
                                     rfn_error *err)
{
    rfn_spectrogram_config gc = rfn_spectrogram_config_default();
    gc.n_bins = res->stft.nfft;
    gc.max_rows = cfg->sg_rows;
    gc.max_cols = cfg->sg_cols;
    gc.mode = cfg->sg_mode;
    rfn_status st = rfn_spectrogram_create(&gc, &res->sg, err);
    if (st)
        return st;
    k->sg = res->sg;
    return RFN_OK;
}

/* The output bins b_lo .. b_hi whose centre lies in the band lo .. hi Hz; a band narrower than a
 * bin takes the nearest. */
static rfn_status apd_band_bins(const emi_result *res, double lo, double hi, size_t *b_lo,
                                size_t *b_hi, rfn_error *err)
{
    *b_lo = SIZE_MAX, *b_hi = 0;
    for (size_t i = 0; i < res->n_out; i++) {
        if (res->freq_hz[i] >= lo && res->freq_hz[i] <= hi) {
            *b_lo = i < *b_lo ? i : *b_lo;
            *b_hi = i;
        }
    }
    if (*b_lo != SIZE_MAX)
        return RFN_OK;
    double mid = 0.5 * (lo + hi), best = INFINITY;
    double span_lo = res->freq_hz[0] - res->stft.bin_hz / 2;
    double span_hi = res->freq_hz[res->n_out - 1] + res->stft.bin_hz / 2;
    if (hi < span_lo || lo > span_hi)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "band %.10g:%.10g Hz is outside the capture's span "
                             "%.10g:%.10g Hz", lo, hi, span_lo, span_hi);
    for (size_t i = 0; i < res->n_out; i++)
        if (fabs(res->freq_hz[i] - mid) < best) {
            best = fabs(res->freq_hz[i] - mid);
            *b_lo = *b_hi = i;
        }
    return RFN_OK;
}

static rfn_status create_apd(const emi_config *cfg, emi_result *res, sink_ctx *k, rfn_error *err)
{
    size_t b_lo, b_hi;
    rfn_status st = apd_band_bins(res, cfg->apd_lo_hz, cfg->apd_hi_hz, &b_lo, &b_hi, err);
    if (st)
        return st;
    res->apd_bins = b_hi - b_lo + 1;
    res->apd_lo_hz = res->freq_hz[b_lo] - res->stft.bin_hz / 2;
    res->apd_hi_hz = res->freq_hz[b_hi] + res->stft.bin_hz / 2;
    rfn_apd_config ac = rfn_apd_config_default();
    ac.n_bins = res->stft.nfft;
    ac.bin_lo = res->bin0 + b_lo;
    ac.bin_hi = res->bin0 + b_hi;
    /* one bin: the power in the RBW; several: the Gaussian bins overlap, bin_hz / enbw_hz
     * turns their sum into the power in the band. A real capture's one-sided power is twice
     * its positive-frequency half. */
    ac.scale = (res->apd_bins > 1 ? k->power_scale : 1.0) * (res->real_input ? 2.0 : 1.0);
    st = rfn_apd_create(&ac, &res->apd, err);
    if (st)
        return st;
    k->apd = res->apd;
    return RFN_OK;
}

/* The burst finder over the total power, smoothed over a quarter of the minimum burst. */
static rfn_status create_burst(const capture_meta *m, const emi_config *cfg,
                               const emi_result *res, sink_ctx *k, rfn_error *err)
{
    rfn_burst_config bc = rfn_burst_config_default();
    bc.fs_hz = m->sample_rate_hz;
    double smooth = cfg->burst_min_s / 4.0 / res->stft.hop_s;
    k->smooth_len = smooth < 1.0 ? 1 : smooth > 65536.0 ? 65536 : (size_t)smooth;
    k->ring = calloc(k->smooth_len, sizeof *k->ring);
    if (!k->ring)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    bc.step_samples = res->stft.hop;
    bc.offset_samples = res->stft.win_len / 2 + (k->smooth_len - 1) * res->stft.hop / 2;
    bc.threshold_db = cfg->burst_threshold_db;
    bc.min_duration_s = cfg->burst_min_s;
    /* Learn the floor from the median of the first 0.5 s (at most 2^20 frames): the hub's bursts
     * must cover less than half of it, which a handful of frames would not ensure. */
    double learn = 0.5 * m->sample_rate_hz / (double)res->stft.hop;
    bc.learn_values = learn < 64 ? 64 : learn > 1048576 ? 1048576 : (size_t)learn;
    return !(bc.fs_hz > 0) || bc.step_samples < 1 ? setup_error(m, res->params.rbw_hz, err)
                                                  : rfn_burst_create(&bc, &k->burst, err);
}

/* Spans to leave out of the detectors and the APD: annotations when asked, and the caller's;
 * every annotation is a given span of the burst finder either way. */
static rfn_status set_spans(const capture_meta *m, const emi_config *cfg, sink_ctx *k,
                            rfn_error *err)
{
    size_t n_ann_excl = cfg->exclude_annotations ? m->n_annotations : 0;
    size_t n_excl = n_ann_excl + cfg->n_exclude_spans;
    if (n_excl) {
        k->excl = malloc(n_excl * sizeof *k->excl);
        k->kept = malloc(k->batch * k->nfft * sizeof *k->kept);
        if (!k->excl || !k->kept)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_annotations; i++) {
        const capture_annotation *a = &m->annotations[i];
        uint64_t start = a->sample_start > 0 ? (uint64_t)a->sample_start : 0;
        uint64_t len = a->sample_count < 0 ? UINT64_MAX - start : (uint64_t)a->sample_count;
        if (i < n_ann_excl)
            k->excl[k->n_excl++] = (rfn_span){start, len};
        rfn_status st = rfn_burst_add_span(k->burst, start, len, err);
        if (st)
            return st;
    }
    for (size_t i = 0; i < cfg->n_exclude_spans; i++)
        k->excl[k->n_excl++] = cfg->exclude_spans[i];
    if (k->n_excl)
        qsort(k->excl, k->n_excl, sizeof *k->excl, cmp_span);
    return RFN_OK;
}

/* Every sample of the capture through the STFT (and so the sink), with progress. */
static rfn_status feed_capture(capture *c, const capture_meta *m, stft_pool *stft, sink_ctx *k,
                               progress *pr, rfn_error *err)
{
    enum { BLOCK = 65536 };
    float complex *buf = malloc(BLOCK * sizeof *buf);
    float *rbuf = malloc(BLOCK * sizeof *rbuf);
    rfn_status st = RFN_OK;
    if (!buf || !rbuf) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        size_t got = 0;
        if (m->is_complex) {
            st = capture_read(c, buf, BLOCK, &got, err);
        } else {
            st = capture_read_real(c, rbuf, BLOCK, &got, err);
            for (size_t i = 0; i < got; i++)
                buf[i] = rbuf[i];
        }
        if (st == RFN_ERR_EOF)
            break;
        if (st)
            goto done;
        stft_pool_write(stft, buf, got);
        if (k->st) {
            st = k->st;
            goto done;
        }
        progress_update(pr, stft_pool_samples(stft));
    }
    stft_pool_flush(stft);
    rfn_burst_finish(k->burst);
    st = k->st;
done:
    free(buf);
    free(rbuf);
    return st;
}

/* The counts and the bursts found, and at least one frame measured. */
static rfn_status collect_pass(const capture_meta *m, stft_pool *stft, const sink_ctx *k,
                               emi_result *res, rfn_error *err)
{
    res->samples = stft_pool_samples(stft);
    res->frames = stft_pool_frames(stft);
    res->frames_excluded = k->excluded;
    res->bursts = rfn_burst_get_report(k->burst);
    size_t n_found;
    const rfn_span *found = rfn_burst_detected(k->burst, &n_found);
    if (n_found) {
        res->burst_spans = malloc(n_found * sizeof *res->burst_spans);
        if (!res->burst_spans)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        memcpy(res->burst_spans, found, n_found * sizeof *found);
        res->n_burst_spans = n_found;
    }
    if (res->frames == 0)
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: %llu samples are fewer than one %zu-sample RBW window", m->path,
                             (unsigned long long)res->samples, res->stft.win_len);
    return RFN_OK;
}

/* Each detector's reading of the output bins. */
static rfn_status read_detectors(const sink_ctx *k, emi_result *res, rfn_error *err)
{
    const size_t nfft = res->stft.nfft;
    double *v = malloc(nfft * sizeof *v);
    if (!v || det_pool_sync(k->det, err)) {
        free(v);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    for (int d = 0; d < RFN_DET_KIND_COUNT; d++) {
        if (!(res->detectors & (1u << d)))
            continue;
        res->reading[d] = malloc(res->n_out * sizeof *res->reading[d]);
        if (!res->reading[d] || det_pool_get(k->det, (rfn_det_kind)(1u << d), v, err)) {
            free(v);
            return res->reading[d] ? err->status
                                   : rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < res->n_out; i++) {
            size_t j = res->bin0 + i;
            /* One-sided: a real signal's power at +f is split with its mirror at -f. */
            res->reading[d][i] = v[j] * (res->real_input && j > nfft / 2 ? 2.0 : 1.0);
        }
    }
    free(v);
    return RFN_OK;
}

rfn_status emi_run(capture *c, const emi_config *cfg, emi_result *res, rfn_error *err)
{
    memset(res, 0, sizeof *res);
    const capture_meta *m = capture_get_meta(c);
    sink_ctx k;
    memset(&k, 0, sizeof k);
    k.err = err;
    stft_pool *stft = NULL;
    progress *pr = NULL;
    rfn_status st;
    choose_params(m, cfg, res);
    if ((st = create_stft(m, cfg, res, &k, &stft, err)) ||
        (res->detectors && (st = create_detectors(m, cfg, res, &k, err))) ||
        (cfg->want_spectrogram && (st = create_spectrogram(cfg, res, &k, err))) ||
        (cfg->want_apd && (st = create_apd(cfg, res, &k, err))) ||
        (st = create_burst(m, cfg, res, &k, err)) || (st = set_spans(m, cfg, &k, err)))
        goto fail;
    char what[96];
    snprintf(what, sizeof what, "reading %.70s", m->path);
    pr = progress_create_samples(what, (uint64_t)m->sample_count, cfg->quiet);
    if ((st = feed_capture(c, m, stft, &k, pr, err)) ||
        (st = collect_pass(m, stft, &k, res, err)) ||
        (k.det && (st = read_detectors(&k, res, err))))
        goto fail;
    st = RFN_OK;
fail:
    progress_destroy(pr);
    stft_pool_destroy(stft);
    det_pool_destroy(k.det);
    rfn_burst_destroy(k.burst);
    free(k.excl);
    free(k.kept);
    free(k.total);
    free(k.ring);
    return st;
}

rfn_status emi_run_path(const char *path, const capture_options *copt, const emi_config *cfg,
                        int exclude_bursts, capture **out, emi_result *res, rfn_error *err)
{
    *out = NULL;
    memset(res, 0, sizeof *res);
    capture *c = NULL;
    rfn_status st = capture_open(path, copt, &c, err);
    if (st)
        return st;
    if (!exclude_bursts) {
        st = emi_run(c, cfg, res, err);
        *out = c;
        return st;
    }
    emi_config find = *cfg; /* pass 1: the burst finder alone */
    find.detectors = 0;
    find.want_spectrogram = 0;
    find.want_apd = 0;
    emi_result first;
    st = emi_run(c, &find, &first, err);
    capture_close(c);
    c = NULL;
    rfn_span *spans = NULL;
    size_t n = first.n_burst_spans + cfg->n_exclude_spans;
    if (st == RFN_OK && n) {
        spans = malloc(n * sizeof *spans);
        if (!spans) {
            st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        } else {
            memcpy(spans, first.burst_spans, first.n_burst_spans * sizeof *spans);
            if (cfg->n_exclude_spans)
                memcpy(spans + first.n_burst_spans, cfg->exclude_spans,
                       cfg->n_exclude_spans * sizeof *spans);
        }
    }
    emi_result_free(&first);
    if (st == RFN_OK)
        st = capture_open(path, copt, &c, err);
    if (st == RFN_OK) {
        emi_config second = *cfg;
        second.exclude_spans = spans;
        second.n_exclude_spans = n;
        st = emi_run(c, &second, res, err);
    }
    free(spans);
    *out = c;
    return st;
}

void emi_result_free(emi_result *res)
{
    if (!res)
        return;
    free(res->freq_hz);
    free(res->burst_spans);
    for (int d = 0; d < RFN_DET_KIND_COUNT; d++)
        free(res->reading[d]);
    rfn_spectrogram_destroy(res->sg);
    rfn_apd_destroy(res->apd);
    memset(res, 0, sizeof *res);
}
