/* SPDX-License-Identifier: GPL-2.0-or-later */
/* burst.c: burst detection and masking of noise statistics (see burst.h).
 *
 * Each value is settled as noise or excluded. A value above the threshold starts a run; the run
 * becomes a burst once it lasts min_len values, and only then is it known that the guard_len
 * values before it are burst edges. So values below threshold wait in a FIFO of guard_len before
 * they count as noise, and a run's first min_len values wait in a run buffer: a short run (an
 * impulse of the meter's own noise) goes back to the noise, a long one is excluded. */
#include "burst.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rfn_burst {
    rfn_burst_config cfg;
    size_t min_len, guard_len;
    /* given spans, sorted by start */
    rfn_span *given;
    size_t n_given, cap_given, cursor;
    /* detected spans */
    rfn_span *found;
    double *found_peak; /* [cap_found] largest value of each detected run */
    size_t n_found, cap_found;
    /* learning */
    double *learn;
    size_t n_learn;
    int learning;
    double floor;
    double thr_factor; /* 10^(threshold_db / 10) */
    /* run and FIFO */
    double *run;   /* min_len */
    size_t run_len;
    uint64_t run_start;
    double run_peak;
    int confirmed;
    double *fifo;  /* guard_len ring */
    size_t fifo_head, fifo_n;
    size_t post_guard;
    /* statistics */
    uint64_t i;    /* index of the next value to settle */
    uint64_t n_values, n_excluded, n_noise;
    double sum_all, sum_noise;
};

rfn_burst_config rfn_burst_config_default(void)
{
    rfn_burst_config c = {.fs_hz = 2.4e6, .step_samples = 1, .offset_samples = 0,
                          .threshold_db = 10.0, .min_duration_s = 1e-3, .guard_s = 0.5e-3,
                          .floor_power = 0.0, .learn_values = 4096, .detect = 1};
    return c;
}

rfn_status rfn_burst_create(const rfn_burst_config *cfg, rfn_burst **out, rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "burst: missing configuration");
    *out = NULL;
    if (!(cfg->fs_hz > 0.0) || cfg->step_samples < 1)
        return rfn_error_set(err, RFN_ERR_INVALID, "burst: fs_hz and step_samples must be > 0");
    if (!(cfg->min_duration_s >= 0.0) || !(cfg->guard_s >= 0.0) || !isfinite(cfg->threshold_db))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "burst: durations must be >= 0 and the threshold finite");
    if (!(cfg->floor_power >= 0.0) || (cfg->floor_power == 0.0 && cfg->learn_values < 1))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "burst: floor_power must be > 0 or learn_values >= 1");
    double per_value_s = (double)cfg->step_samples / cfg->fs_hz;
    double min_len = ceil(cfg->min_duration_s / per_value_s - 1e-9);
    double guard_len = ceil(cfg->guard_s / per_value_s - 1e-9);
    if (min_len > 1e8 || guard_len > 1e8 || cfg->learn_values > 100000000)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "burst: minimum duration, guard or learning too long (> 1e8 values)");
    rfn_burst *b = calloc(1, sizeof *b);
    if (!b)
        return rfn_error_set(err, RFN_ERR_NOMEM, "burst: out of memory");
    b->cfg = *cfg;
    b->min_len = min_len < 1 ? 1 : (size_t)min_len;
    b->guard_len = (size_t)guard_len;
    b->run = malloc(b->min_len * sizeof *b->run);
    b->fifo = malloc((b->guard_len ? b->guard_len : 1) * sizeof *b->fifo);
    b->learning = cfg->floor_power == 0.0;
    b->floor = cfg->floor_power;
    b->thr_factor = pow(10.0, cfg->threshold_db / 10.0);
    if (b->learning)
        b->learn = malloc(cfg->learn_values * sizeof *b->learn);
    if (!b->run || !b->fifo || (b->learning && !b->learn)) {
        rfn_burst_destroy(b);
        return rfn_error_set(err, RFN_ERR_NOMEM, "burst: out of memory");
    }
    *out = b;
    return RFN_OK;
}

rfn_status rfn_burst_add_span(rfn_burst *b, uint64_t start, uint64_t length, rfn_error *err)
{
    if (length == 0)
        return RFN_OK;
    if (b->n_given == b->cap_given) {
        size_t cap = b->cap_given ? 2 * b->cap_given : 16;
        rfn_span *g = realloc(b->given, cap * sizeof *g);
        if (!g)
            return rfn_error_set(err, RFN_ERR_NOMEM, "burst: out of memory for spans");
        b->given = g;
        b->cap_given = cap;
    }
    size_t k = b->n_given++;
    while (k > 0 && b->given[k - 1].start > start) {
        b->given[k] = b->given[k - 1];
        k--;
    }
    b->given[k] = (rfn_span){start, length};
    b->cursor = 0; /* a span may land behind the cursor */
    return RFN_OK;
}

/* First sample value i stands for; values cover [c - step/2, c + step/2) around their centre. */
static uint64_t value_sample(const rfn_burst *b, uint64_t i)
{
    uint64_t c = b->cfg.offset_samples + i * b->cfg.step_samples, h = b->cfg.step_samples / 2;
    return c > h ? c - h : 0;
}

static int in_given(rfn_burst *b, uint64_t i)
{
    uint64_t s = value_sample(b, i);
    while (b->cursor < b->n_given && b->given[b->cursor].start + b->given[b->cursor].length <= s)
        b->cursor++;
    for (size_t k = b->cursor; k < b->n_given && b->given[k].start <= s; k++)
        if (s < b->given[k].start + b->given[k].length)
            return 1;
    return 0;
}

static void commit_noise(rfn_burst *b, double v)
{
    b->sum_noise += v;
    b->n_noise++;
    if (!b->cfg.floor_power && b->n_noise >= 64)
        b->floor = b->sum_noise / (double)b->n_noise;
}

static void fifo_push(rfn_burst *b, double v)
{
    if (b->guard_len == 0) {
        commit_noise(b, v);
        return;
    }
    if (b->fifo_n == b->guard_len) {
        commit_noise(b, b->fifo[b->fifo_head]);
        b->fifo_head = (b->fifo_head + 1) % b->guard_len;
        b->fifo_n--;
    }
    b->fifo[(b->fifo_head + b->fifo_n) % b->guard_len] = v;
    b->fifo_n++;
}

static rfn_status record_span(rfn_burst *b, uint64_t first, uint64_t end_excl, rfn_error *err)
{
    if (b->n_found == b->cap_found) {
        size_t cap = b->cap_found ? 2 * b->cap_found : 16;
        rfn_span *f = realloc(b->found, cap * sizeof *f);
        if (f)
            b->found = f;
        double *pk = f ? realloc(b->found_peak, cap * sizeof *pk) : NULL;
        if (!pk)
            return rfn_error_set(err, RFN_ERR_NOMEM, "burst: out of memory for spans");
        b->found_peak = pk;
        b->cap_found = cap;
    }
    uint64_t s0 = value_sample(b, first), s1 = value_sample(b, end_excl);
    b->found_peak[b->n_found] = b->run_peak;
    b->found[b->n_found++] = (rfn_span){s0, s1 - s0};
    return RFN_OK;
}

/* End the current run at value index i (exclusive). */
static rfn_status end_run(rfn_burst *b, rfn_error *err)
{
    rfn_status st = RFN_OK;
    if (b->run_len == 0)
        return st;
    if (b->confirmed) {
        uint64_t first = b->run_start > b->guard_len ? b->run_start - b->guard_len : 0;
        st = record_span(b, first, b->i + b->guard_len, err);
        b->post_guard = b->guard_len;
    } else {
        for (size_t k = 0; k < b->run_len; k++)
            fifo_push(b, b->run[k]);
    }
    b->run_len = 0;
    b->confirmed = 0;
    return st;
}

static rfn_status settle(rfn_burst *b, double v, rfn_error *err)
{
    rfn_status st = RFN_OK;
    b->sum_all += v;
    b->n_values++;
    if (b->n_given && in_given(b, b->i)) {
        st = end_run(b, err);
        b->n_excluded++;
        b->i++;
        return st;
    }
    double thr = b->floor * b->thr_factor;
    if (b->cfg.detect && v > thr) {
        if (b->run_len == 0) {
            b->run_start = b->i;
            b->run_peak = v;
        }
        b->run_peak = v > b->run_peak ? v : b->run_peak;
        if (!b->confirmed) {
            b->run[b->run_len] = v;
            if (b->run_len + 1 == b->min_len) {
                /* A burst: its first values and the guard before it are excluded. */
                b->confirmed = 1;
                b->n_excluded += b->min_len + b->fifo_n;
                b->fifo_n = 0;
                b->fifo_head = 0;
            }
        } else {
            b->n_excluded++;
        }
        b->run_len++;
        b->post_guard = 0;
    } else {
        st = end_run(b, err);
        if (b->post_guard > 0) {
            b->post_guard--;
            b->n_excluded++;
        } else {
            fifo_push(b, v);
        }
    }
    b->i++;
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Learnt floor: the median of the learning values (robust to bursts covering less than half of
 * them), then replay them through the detector. */
static rfn_status end_learning(rfn_burst *b, rfn_error *err)
{
    b->learning = 0;
    if (b->n_learn == 0)
        return RFN_OK;
    double *tmp = malloc(b->n_learn * sizeof *tmp);
    if (!tmp)
        return rfn_error_set(err, RFN_ERR_NOMEM, "burst: out of memory");
    memcpy(tmp, b->learn, b->n_learn * sizeof *tmp);
    qsort(tmp, b->n_learn, sizeof *tmp, cmp_double);
    size_t m = b->n_learn / 2;
    b->floor = b->n_learn % 2 ? tmp[m] : 0.5 * (tmp[m - 1] + tmp[m]);
    free(tmp);
    rfn_status st = RFN_OK;
    for (size_t k = 0; k < b->n_learn && st == RFN_OK; k++)
        st = settle(b, b->learn[k], err);
    b->n_learn = 0;
    return st;
}

rfn_status rfn_burst_write(rfn_burst *b, const double *power, size_t n, rfn_error *err)
{
    rfn_status st = RFN_OK;
    for (size_t k = 0; k < n && st == RFN_OK; k++) {
        if (b->learning) {
            b->learn[b->n_learn++] = power[k];
            if (b->n_learn == b->cfg.learn_values)
                st = end_learning(b, err);
        } else {
            st = settle(b, power[k], err);
        }
    }
    return st;
}

void rfn_burst_finish(rfn_burst *b)
{
    if (b->learning)
        (void)end_learning(b, NULL);
    if (b->run_len > 0 && b->confirmed) {
        uint64_t first = b->run_start > b->guard_len ? b->run_start - b->guard_len : 0;
        (void)record_span(b, first, b->i, NULL);
        b->run_len = 0;
        b->confirmed = 0;
    } else {
        (void)end_run(b, NULL);
    }
    while (b->fifo_n > 0) {
        commit_noise(b, b->fifo[b->fifo_head]);
        b->fifo_head = b->guard_len ? (b->fifo_head + 1) % b->guard_len : 0;
        b->fifo_n--;
    }
}

rfn_burst_report rfn_burst_get_report(const rfn_burst *b)
{
    rfn_burst_report r = {.n_detected = b->n_found, .n_given = b->n_given,
                          .values = b->n_values, .values_excluded = b->n_excluded};
    r.excluded_s = (double)b->n_excluded * (double)b->cfg.step_samples / b->cfg.fs_hz;
    r.excluded_fraction = b->n_values ? (double)b->n_excluded / (double)b->n_values : 0.0;
    r.floor_power = b->n_noise ? b->sum_noise / (double)b->n_noise : NAN;
    r.mean_power_all = b->n_values ? b->sum_all / (double)b->n_values : NAN;
    r.threshold_power = b->floor * b->thr_factor;
    return r;
}

const rfn_span *rfn_burst_detected(const rfn_burst *b, size_t *n)
{
    *n = b->n_found;
    return b->found;
}

const double *rfn_burst_detected_peaks(const rfn_burst *b, size_t *n)
{
    *n = b->n_found;
    return b->found_peak;
}

void rfn_burst_reset(rfn_burst *b)
{
    b->n_found = 0;
    b->cursor = 0;
    b->n_learn = 0;
    b->learning = b->cfg.floor_power == 0.0;
    b->floor = b->cfg.floor_power;
    b->run_len = 0;
    b->confirmed = 0;
    b->fifo_head = b->fifo_n = 0;
    b->post_guard = 0;
    b->i = b->n_values = b->n_excluded = b->n_noise = 0;
    b->sum_all = b->sum_noise = 0.0;
}

void rfn_burst_destroy(rfn_burst *b)
{
    if (!b)
        return;
    free(b->given);
    free(b->found);
    free(b->found_peak);
    free(b->learn);
    free(b->run);
    free(b->fifo);
    free(b);
}
