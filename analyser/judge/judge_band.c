/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_band.c: the band decision rule (judge_band.h, analyse.h) over a band measurement. */
#include "judge_band.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

void judge_band_geometry(const limits_band *b, char key[JUDGE_GEOMETRY_LEN])
{
    /* %.17g keeps every bit of the edges; the mask is written relative to its first level so
     * that a constant shift of the whole mask does not change the key. */
    char text[4096];
    int n = snprintf(text, sizeof text, "%s|%s|%s|%.17g|%.17g|%.17g|%.17g|",
                     limits_quantity_name(b->quantity), limits_trace_name(b->trace),
                     limits_unit_name(b->unit), b->f_lo_hz, b->f_hi_hz, b->rbw_hz, b->ref_bw_hz);
    hash_ctx *h = NULL;
    char hex[HASH_HEX_MAX] = "";
    if (hash_create(HASH_SHA256, &h) == RFN_OK) {
        hash_update(h, text, (size_t)n);
        if (b->has_limit) {
            hash_update(h, "constant", 8);
        } else {
            for (size_t i = 0; i < b->n_mask; i++) {
                n = snprintf(text, sizeof text, "%.17g:%.17g;", b->mask[i].freq_hz,
                             b->mask[i].level - b->mask[0].level);
                hash_update(h, text, (size_t)n);
            }
            n = snprintf(text, sizeof text, "interp=%d", (int)b->interp);
            hash_update(h, text, (size_t)n);
        }
        hash_final_hex(h, hex);
        hash_destroy(h);
    }
    snprintf(key, JUDGE_GEOMETRY_LEN, "%.16s", hex);
}

void judge_band_define(const limits_band *b, band_verdict *v)
{
    memset(v, 0, sizeof *v);
    snprintf(v->band_id, sizeof v->band_id, "%s", b->id);
    snprintf(v->label, sizeof v->label, "%s", b->label);
    v->f_lo_hz = b->f_lo_hz;
    v->f_hi_hz = b->f_hi_hz;
    snprintf(v->quantity, sizeof v->quantity, "%s", limits_quantity_name(b->quantity));
    snprintf(v->trace, sizeof v->trace, "%s", limits_trace_name(b->trace));
    snprintf(v->unit, sizeof v->unit, "%s", limits_unit_name(b->unit));
    v->rbw_hz = b->rbw_hz;
    v->ref_bw_hz = b->ref_bw_hz;
    v->derogation_limit = b->has_derogation ? b->derogation_limit : NAN;
    v->m.measured = v->m.worst_freq_hz = v->m.floor_level = v->m.capture_floor = NAN;
    v->m.uncertainty_db = v->uncertainty_db = NAN;
    v->rule = DECISION_SIMPLE;
    snprintf(v->m.measured_unit, sizeof v->m.measured_unit, "%s", limits_unit_name(b->unit));
    judge_band_geometry(b, v->m.geometry);
    v->limit = v->margin_db = NAN;
}

/* 10 log10(10^(a/10) - 10^(b/10)): what is left of level a once power b is taken out. */
static double db_minus(double a_db, double b_db)
{
    double d = pow(10, a_db / 10) - pow(10, b_db / 10);
    return d > 0 ? 10 * log10(d) : -INFINITY;
}

/* Whether the rule lets a fail over_db (> 0) above the limit stand: 0, or the reason it is held
 * back. Only guarded rejection holds fails; cispr-16-4-2 only ever raises a reading. */
static unsigned fail_held(const judge_rule *r, double over_db, double u_db)
{
    if (r->rule != DECISION_GUARDED_REJECT)
        return 0;
    if (isnan(u_db))
        return REASON_UNCERTAINTY_NOT_STATED;
    return over_db > u_db ? 0 : REASON_WITHIN_UNCERTAINTY;
}

/* Whether the rule lets a pass with margin_db (>= 0, after any cispr-16-4-2 raise) stand. */
static unsigned pass_held(const judge_rule *r, double margin_db, double u_db)
{
    if (r->rule != DECISION_GUARDED_ACCEPT && r->rule != DECISION_CISPR_16_4_2)
        return 0;
    if (isnan(u_db))
        return REASON_UNCERTAINTY_NOT_STATED;
    return r->rule == DECISION_CISPR_16_4_2 || margin_db > u_db ? 0 : REASON_WITHIN_UNCERTAINTY;
}

/* v fails by over_db, unless the rule holds the fail back (inconclusive). */
static void set_fail(const judge_rule *r, double over_db, band_verdict *v)
{
    unsigned held = fail_held(r, over_db, v->uncertainty_db);
    v->verdict = held ? VERDICT_INCONCLUSIVE : VERDICT_FAIL;
    v->reasons |= held ? held : REASON_EXCEEDS_LIMIT;
}

/* What the rule adds to the reading: CISPR 16-4-2 clause 4.1 raises it by U_lab - U_cispr where
 * the lab's uncertainty is the larger; other rules judge the reading as measured. */
static double rule_raise(const judge_rule *r, const limits_band *b, double u_db)
{
    return r->rule == DECISION_CISPR_16_4_2 && !isnan(u_db) ? fmax(0, u_db - b->u_cispr_db) : 0;
}

band_verdict_kind judge_band_margin(const band_verdict *v, double margin_db, unsigned *held)
{
    judge_rule r = {0, v->rule, 0, NAN};
    double margin = margin_db - v->raise_db;
    *held = 0;
    if (!isfinite(margin))
        *held = REASON_MEASUREMENT_INVALID;
    else if (margin < 0)
        *held = fail_held(&r, -margin, v->uncertainty_db);
    else
        *held = pass_held(&r, margin, v->uncertainty_db);
    if (*held)
        return VERDICT_INCONCLUSIVE;
    return margin < 0 ? VERDICT_FAIL : VERDICT_PASS;
}

/* The verdict once the limit and margin are known; v->reasons holds m's flags. */
static void decide(const limits_band *b, const judge_rule *r, band_verdict *v)
{
    const band_measurement *m = &v->m;
    double margin = v->margin_db - v->raise_db;
    /* A detector whose meter has not settled reads low: it can prove a fail, not a pass. */
    if (m->detector_unsettled && !v->reasons && margin >= 0)
        v->reasons |= REASON_TOO_SHORT;
    /* A bin wider than the reading's bandwidth reads low too (README "Resolution"). */
    if (m->rbw_reads_low && !(margin < 0))
        v->reasons |= REASON_RBW_TOO_WIDE;
    unsigned blocking = v->reasons;
    /* Maxima and powers only grow with more of the band: a covered part that already exceeds
     * the limit proves the fail (not so for a mean density or a mere upper bound). */
    int bound = strcmp(m->method, "welch-bound") == 0;
    int grows = b->quantity != LIMITS_Q_MEAN_DENSITY && !bound;
    if (margin < 0 && blocking == REASON_BAND_NOT_COVERED && grows) {
        set_fail(r, -margin, v);
        return;
    }
    if (blocking) {
        v->verdict = VERDICT_INCONCLUSIVE;
        return;
    }
    if (!isnan(m->floor_level) && m->floor_level > v->limit - NOISE_FLOOR_MARGIN_DB) {
        /* The chain's own floor is near the limit: only what is left above it can fail. */
        double over = db_minus(m->measured, m->floor_level) + v->raise_db - v->limit;
        if (over > 0) {
            set_fail(r, over, v);
        } else {
            v->verdict = VERDICT_INCONCLUSIVE;
            v->reasons |= REASON_NOISE_FLOOR;
        }
        return;
    }
    unsigned held;
    if (margin < 0 && bound) {
        v->verdict = VERDICT_INCONCLUSIVE;
        v->reasons |= REASON_DETECTOR_BOUND;
    } else if (margin < 0) {
        set_fail(r, -margin, v);
    } else if (margin < r->guard_db) {
        v->verdict = VERDICT_INCONCLUSIVE;
        v->reasons |= REASON_GUARD_BAND;
    } else if (!isfinite(margin) || !isfinite(m->measured) || !isfinite(v->limit)) {
        /* Last line of defence: no number that is not finite reaches a pass. */
        v->verdict = VERDICT_INCONCLUSIVE;
        v->reasons |= REASON_MEASUREMENT_INVALID;
    } else if ((held = pass_held(r, margin, v->uncertainty_db))) {
        v->verdict = VERDICT_INCONCLUSIVE;
        v->reasons |= held;
    } else {
        v->verdict = VERDICT_PASS;
    }
}

rfn_status judge_rule_check(const limits_set *set, const decision_options *d, rfn_error *err)
{
    analysis_settings s = {.decision = *d};
    if (judge_rule_for(set, &s).rule != DECISION_CISPR_16_4_2)
        return RFN_OK;
    for (size_t i = 0; i < set->n_bands; i++)
        if (isnan(set->bands[i].u_cispr_db))
            return rfn_error_set(err, RFN_ERR_INVALID,
                                 "%s: band '%s': no u_cispr_db: the cispr-16-4-2 decision rule "
                                 "compares the lab's uncertainty with the standard's",
                                 set->path, set->bands[i].id);
    return RFN_OK;
}

judge_rule judge_rule_for(const limits_set *set, const analysis_settings *s)
{
    judge_rule r = {s->guard_db, s->decision.rule, s->decision.has_uncertainty,
                    s->decision.uncertainty_db};
    if (r.rule == DECISION_FROM_LIMITS)
        r.rule = set ? set->decision_rule : DECISION_SIMPLE;
    return r;
}

void judge_band(const limits_band *b, const band_measurement *m, const judge_rule *r,
                band_verdict *v)
{
    judge_band_define(b, v);
    v->m = *m;
    /* A mask is judged where the measurement found its worst point; a whole-band quantity
     * against the mask's level at the band centre, as analyse draws it. */
    double f = isfinite(m->worst_freq_hz) ? fmin(fmax(m->worst_freq_hz, b->f_lo_hz), b->f_hi_hz)
                                          : (b->f_lo_hz + b->f_hi_hz) / 2;
    v->limit = b->has_limit ? b->limit : limits_band_level(b, f);
    int calibrated = strcmp(m->measured_unit, limits_unit_name(b->unit)) == 0;
    v->margin_db = calibrated && m->covered_fraction > 0 ? v->limit - m->measured : NAN;
    if (!isfinite(v->margin_db))
        v->margin_db = NAN;
    v->rule = r->rule;
    v->uncertainty_db = r->has_uncertainty ? r->uncertainty_db : m->uncertainty_db;
    v->raise_db = rule_raise(r, b, v->uncertainty_db);
    v->reasons = m->flags & BAND_MEASUREMENT_REASONS;
    decide(b, r, v);
}

/* The kept measurement of res for band b, or NULL. *same says whether it was made for b. */
static const band_verdict *kept_for(const capture_analysis *res, const limits_band *b,
                                    const char *key, int *same)
{
    for (size_t i = 0; i < res->n_bands; i++) {
        const band_verdict *k = &res->bands[i];
        if (strcmp(k->band_id, b->id) != 0 || k->verdict == VERDICT_NOT_APPLICABLE)
            continue;
        if (k->m.geometry[0])
            *same = strcmp(k->m.geometry, key) == 0;
        else /* an older record: compare what it says it measured */
            *same = !strcmp(k->quantity, limits_quantity_name(b->quantity)) &&
                    !strcmp(k->trace, limits_trace_name(b->trace)) &&
                    !strcmp(k->unit, limits_unit_name(b->unit)) && k->f_lo_hz == b->f_lo_hz &&
                    k->f_hi_hz == b->f_hi_hz && k->rbw_hz == b->rbw_hz &&
                    k->ref_bw_hz == b->ref_bw_hz;
        return k;
    }
    return NULL;
}

rfn_status judge_capture(const limits_set *set, capture_analysis *res, rfn_error *err)
{
    band_verdict *out = calloc(set->n_bands ? set->n_bands : 1, sizeof *out);
    if (!out)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t n = 0;
    int any_fail = 0, any_inc = 0;
    judge_rule rule = judge_rule_for(set, &res->settings);
    for (size_t i = 0; i < set->n_bands; i++) {
        const limits_band *b = &set->bands[i];
        band_verdict *v = &out[n];
        char key[JUDGE_GEOMETRY_LEN];
        judge_band_geometry(b, key);
        int same = 0;
        unsigned na = (!limits_band_applies(b, res->settings.region, 0) ? REASON_REGION : 0) |
                      (!limits_band_applies(b, 0, res->settings.han) ? REASON_HAN : 0);
        const band_verdict *k = na ? NULL : kept_for(res, b, key, &same);
        if (na) {
            judge_band_define(b, v);
            v->verdict = VERDICT_NOT_APPLICABLE;
            v->reasons = na;
            snprintf(v->m.method, sizeof v->m.method, "none");
        } else if (!k) {
            continue;
        } else if (same) {
            judge_band(b, &k->m, &rule, v);
        } else {
            judge_band_define(b, v);
            v->m = k->m; /* shown as kept, judged as nothing */
            v->verdict = VERDICT_INCONCLUSIVE;
            v->reasons = REASON_MEASURED_OTHERWISE;
        }
        any_fail |= v->verdict == VERDICT_FAIL;
        any_inc |= v->verdict == VERDICT_INCONCLUSIVE;
        n++;
    }
    free(res->bands);
    res->bands = out;
    res->n_bands = n;
    snprintf(res->limits_id, sizeof res->limits_id, "%s", set->id);
    snprintf(res->limits_version, sizeof res->limits_version, "%s", set->version);
    snprintf(res->limits_source, sizeof res->limits_source, "%s", set->source);
    snprintf(res->limits_path, sizeof res->limits_path, "%s", set->path);
    res->limits_illustrative = set->illustrative;
    res->decision_rule = rule.rule;
    res->verdict = any_fail ? VERDICT_FAIL : any_inc ? VERDICT_INCONCLUSIVE : VERDICT_PASS;
    return RFN_OK;
}
