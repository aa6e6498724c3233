/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apd.c: APD as a histogram of envelope levels on a fine dB grid (see apd.h). */
#include "apd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rfn_apd {
    rfn_apd_config cfg;
    size_t n_levels;
    uint64_t *count; /* n_levels + 2: [0] below the grid, [1 + i] in [L_i, L_i + step),
                      * [n_levels + 1] above it */
    uint64_t n;
};

rfn_apd_config rfn_apd_config_default(void)
{
    rfn_apd_config c = {.n_bins = 1, .bin_lo = 0, .bin_hi = 0, .scale = 1.0,
                        .level_min_db = -200.0, .level_max_db = 20.0, .step_db = 0.05};
    return c;
}

rfn_status rfn_apd_create(const rfn_apd_config *cfg, rfn_apd **out, rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "apd: missing configuration");
    *out = NULL;
    if (cfg->n_bins < 1 || cfg->bin_lo > cfg->bin_hi || cfg->bin_hi >= cfg->n_bins)
        return rfn_error_set(err, RFN_ERR_INVALID, "apd: bins %zu..%zu not inside 0..%zu",
                             cfg->bin_lo, cfg->bin_hi, cfg->n_bins ? cfg->n_bins - 1 : 0);
    if (!(cfg->scale > 0.0) || !isfinite(cfg->scale))
        return rfn_error_set(err, RFN_ERR_INVALID, "apd: scale must be > 0");
    double span = cfg->level_max_db - cfg->level_min_db;
    if (!(cfg->step_db > 0.0) || !(span > 0.0) || !isfinite(span) || span / cfg->step_db > 1e6)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "apd: level grid %g..%g dB step %g is empty or too fine",
                             cfg->level_min_db, cfg->level_max_db, cfg->step_db);
    rfn_apd *a = calloc(1, sizeof *a);
    if (!a)
        return rfn_error_set(err, RFN_ERR_NOMEM, "apd: out of memory");
    a->cfg = *cfg;
    a->n_levels = (size_t)ceil(span / cfg->step_db);
    a->count = calloc(a->n_levels + 2, sizeof *a->count);
    if (!a->count) {
        size_t n_levels = a->n_levels;
        free(a);
        return rfn_error_set(err, RFN_ERR_NOMEM, "apd: out of memory for %zu levels",
                             n_levels);
    }
    *out = a;
    return RFN_OK;
}

void rfn_apd_write(rfn_apd *a, const float *power, size_t n_frames)
{
    const rfn_apd_config *c = &a->cfg;
    const double inv_step = 1.0 / c->step_db;
    for (size_t f = 0; f < n_frames; f++) {
        const float *p = power + f * c->n_bins;
        double sum = 0.0;
        for (size_t j = c->bin_lo; j <= c->bin_hi; j++)
            sum += p[j];
        sum *= c->scale;
        size_t slot;
        if (!(sum > 0.0)) {
            slot = 0;
        } else {
            double x = (10.0 * log10(sum) - c->level_min_db) * inv_step;
            if (x < 0.0)
                slot = 0;
            else if (x >= (double)a->n_levels)
                slot = a->n_levels + 1;
            else
                slot = 1 + (size_t)x;
        }
        a->count[slot]++;
    }
    a->n += n_frames;
}

uint64_t rfn_apd_samples(const rfn_apd *a)
{
    return a->n;
}

/* Samples at or above grid level i (0 <= i <= n_levels): bins i.. plus the overflow. */
static uint64_t above_index(const rfn_apd *a, size_t i)
{
    uint64_t s = 0;
    for (size_t k = i + 1; k < a->n_levels + 2; k++)
        s += a->count[k];
    return s;
}

double rfn_apd_prob_exceed(const rfn_apd *a, double level_db)
{
    if (a->n == 0)
        return NAN;
    double x = (level_db - a->cfg.level_min_db) / a->cfg.step_db;
    if (x <= 0.0)
        return (double)(a->n - a->count[0]) / (double)a->n;
    if (x >= (double)a->n_levels)
        return (double)a->count[a->n_levels + 1] / (double)a->n;
    return (double)above_index(a, (size_t)ceil(x)) / (double)a->n;
}

rfn_status rfn_apd_level_at(const rfn_apd *a, double prob, double *level_db, rfn_error *err)
{
    if (!(prob > 0.0 && prob < 1.0))
        return rfn_error_set(err, RFN_ERR_INVALID, "apd: probability %g is not in (0, 1)",
                             prob);
    if (prob * (double)a->n < 10.0)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "apd: probability %g needs at least %.0f samples (have %llu)", prob,
                             ceil(10.0 / prob), (unsigned long long)a->n);
    /* Walk down from the top until the exceedance at grid level i reaches prob. */
    const double n = (double)a->n;
    uint64_t above = a->count[a->n_levels + 1];
    double p_hi = (double)above / n; /* exceedance at level index i + 1 */
    for (size_t i = a->n_levels; i-- > 0;) {
        above += a->count[i + 1];
        double p_i = (double)above / n; /* P(level >= L_i) */
        if (p_i >= prob) {
            double l_i = a->cfg.level_min_db + (double)i * a->cfg.step_db;
            double t = 0.0;
            if (p_hi > 0.0 && p_i > p_hi)
                t = (log10(p_i) - log10(prob)) / (log10(p_i) - log10(p_hi));
            else if (p_hi <= 0.0)
                t = 0.0;
            *level_db = l_i + t * a->cfg.step_db;
            return RFN_OK;
        }
        p_hi = p_i;
    }
    *level_db = a->cfg.level_min_db;
    return RFN_OK;
}

void rfn_apd_table(const rfn_apd *a, double *levels_db, double *probs, size_t max, size_t *n)
{
    *n = 0;
    if (a->n == 0 || max == 0)
        return;
    /* grid bins holding samples: bin i is count[1 + i]; the overflow counts as the top bin */
    size_t lo = 0, hi = a->n_levels - 1;
    if (a->count[a->n_levels + 1] == 0) {
        while (hi > 0 && a->count[hi + 1] == 0)
            hi--;
    }
    while (lo < hi && a->count[lo + 1] == 0)
        lo++;
    if (lo > 0)
        lo--; /* one level below the lowest sample, where the exceedance is 1 */
    if (hi - lo + 1 > max)
        lo = hi + 1 - max;
    uint64_t above = above_index(a, hi);
    for (size_t i = hi + 1; i-- > lo;) {
        if (i < hi)
            above += a->count[i + 1];
        levels_db[i - lo] = a->cfg.level_min_db + (double)i * a->cfg.step_db;
        probs[i - lo] = (double)above / (double)a->n;
    }
    *n = hi - lo + 1;
}

void rfn_apd_reset(rfn_apd *a)
{
    memset(a->count, 0, (a->n_levels + 2) * sizeof *a->count);
    a->n = 0;
}

void rfn_apd_destroy(rfn_apd *a)
{
    if (!a)
        return;
    free(a->count);
    free(a);
}
