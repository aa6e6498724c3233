/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.c: device verdicts from band results, register facts and derogation rules. */
#include "classify.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "judge_band.h"

static const char *const reason_names[] = {
    "exceeds-limit",       "exceeds-derogation-limit", "location-not-acceptable",
    "installed-after-cutoff", "model-not-derogated",   "location-unknown",
    "install-date-unknown", "derogation-limit-unknown", "clipped",
    "too-short",           "uncalibrated",             "noise-floor-too-close",
    "guard-band",          "calibration-out-of-range", "detector-upper-bound",
    "no-data",             "band-not-covered",         "capture-unreadable",
    "no-applicable-band-measured", "no-evidence", "band-not-measured",
    "measurement-invalid", "rbw-too-wide", "measured-otherwise", "model-or-firmware-changed",
    "too-little-after-exclusion",
    "within-uncertainty",  "uncertainty-not-stated",
    "firmware-not-covered",
};

const char *classify_reason_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof reason_names / sizeof *reason_names; i++)
        if (bit == 1u << i)
            return reason_names[i];
    return NULL;
}

void classify_reasons_text(unsigned reasons, char *buf, size_t size)
{
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof reason_names / sizeof *reason_names; i++) {
        if (!(reasons & (1u << i)))
            continue;
        int n = snprintf(buf + used, size > used ? size - used : 0, "%s%s", used ? ";" : "",
                         reason_names[i]);
        if (n > 0)
            used += (size_t)n;
    }
}

/* The one list of device verdict names (devices.csv, summary.json, the workspace, the report). */
static const char *const verdict_names[DEVICE_VERDICT_COUNT] = {
    [DEVICE_COMPLIANT] = "compliant",
    [DEVICE_DEROGATION_COMPLIANT] = "derogation-compliant",
    [DEVICE_INCONCLUSIVE] = "inconclusive",
    [DEVICE_NONCOMPLIANT] = "non-compliant",
    [DEVICE_RETEST_REQUIRED] = "retest-required",
    [DEVICE_UNASSESSED] = "unassessed",
};

const char *classify_verdict_name(device_verdict_kind v)
{
    return v >= 0 && v < DEVICE_VERDICT_COUNT ? verdict_names[v] : "";
}

device_verdict_kind classify_verdict_from_name(const char *name)
{
    for (int v = 0; v < DEVICE_VERDICT_COUNT; v++)
        if (!strcmp(name, verdict_names[v]))
            return (device_verdict_kind)v;
    return DEVICE_VERDICT_COUNT;
}

remediation_deadlines remediation_deadlines_from_notice(int32_t notice_day)
{
    return (remediation_deadlines){notice_day, notice_day + REMEDIATION_PLAN_DAYS,
                                   notice_day + REMEDIATION_REMOVAL_DAYS};
}

const char *classify_evidence_name(device_evidence e)
{
    switch (e) {
    case EVIDENCE_CAPTURE: return "capture";
    case EVIDENCE_LAB_MODEL: return "lab-model";
    case EVIDENCE_CAPTURE_LAB_MODEL: return "capture+lab-model";
    default: return "none";
    }
}

/* analyse's band reasons that explain an inconclusive band, as device reasons. */
static unsigned map_band_reasons(unsigned r)
{
    unsigned d = 0;
    d |= (r & REASON_CLIPPED) ? DREASON_CLIPPED : 0;
    d |= (r & REASON_TOO_SHORT) ? DREASON_TOO_SHORT : 0;
    d |= (r & REASON_UNCALIBRATED) ? DREASON_UNCALIBRATED : 0;
    d |= (r & REASON_NOISE_FLOOR) ? DREASON_NOISE_FLOOR : 0;
    d |= (r & REASON_GUARD_BAND) ? DREASON_GUARD_BAND : 0;
    d |= (r & REASON_CAL_RANGE) ? DREASON_CAL_RANGE : 0;
    d |= (r & REASON_DETECTOR_BOUND) ? DREASON_DETECTOR_BOUND : 0;
    d |= (r & REASON_NO_DATA) ? DREASON_NO_DATA : 0;
    d |= (r & REASON_BAND_NOT_COVERED) ? DREASON_BAND_NOT_COVERED : 0;
    d |= (r & REASON_MEASUREMENT_INVALID) ? DREASON_MEASUREMENT_INVALID : 0;
    d |= (r & REASON_RBW_TOO_WIDE) ? DREASON_RBW_TOO_WIDE : 0;
    d |= (r & REASON_MEASURED_OTHERWISE) ? DREASON_MEASURED_OTHERWISE : 0;
    d |= (r & REASON_TOO_LITTLE_AFTER_EXCLUSION) ? DREASON_TOO_LITTLE_AFTER_EXCLUSION : 0;
    d |= (r & REASON_WITHIN_UNCERTAINTY) ? DREASON_WITHIN_UNCERTAINTY : 0;
    d |= (r & REASON_UNCERTAINTY_NOT_STATED) ? DREASON_UNCERTAINTY_NOT_STATED : 0;
    return d;
}

static const limits_band *find_band(const limits_set *set, const char *id)
{
    for (size_t i = 0; set && i < set->n_bands; i++)
        if (strcmp(set->bands[i].id, id) == 0)
            return &set->bands[i];
    return NULL;
}

static unsigned region_bit(csp_region r)
{
    return r > CSP_REGION_UNKNOWN && r < CSP_REGION_COUNT ? 1u << (r - 1) : 0;
}

static unsigned han_bit(han_variant h)
{
    return h > HAN_VARIANT_UNKNOWN && h < HAN_VARIANT_COUNT ? 1u << (h - 1) : 0;
}

/* Does this band result count as evidence for the device? */
static int counts(const limits_set *set, const classify_device_info *dev, const band_verdict *b)
{
    const limits_band *lb = find_band(set, b->band_id);
    if (!lb || !limits_band_applies(lb, region_bit(dev->region), han_bit(dev->han)))
        return 0;
    if (b->verdict == VERDICT_NOT_APPLICABLE)
        return 0;
    return b->m.covered_fraction > 0;
}

size_t classify_counting_results(const limits_set *set, const classify_device_info *dev,
                                 const classify_evidence *ev)
{
    size_t n = 0;
    for (size_t i = 0; i < ev->n; i++) {
        const capture_analysis *r = ev->results[i];
        if (!r) {
            n++; /* an unreadable capture is evidence (inconclusive) */
            continue;
        }
        for (size_t b = 0; b < r->n_bands; b++)
            n += counts(set, dev, &r->bands[b]) != 0;
    }
    return n;
}

/* Outcome of one band result. */
typedef struct outcome {
    device_verdict_kind kind;
    unsigned reasons;
    double measured, limit, margin_db;
    const char *derogation_ref;
} outcome;

/* Whether the decision rule alone holds band b inconclusive (its margin within U, or no U
 * stated): a derogation limit it clearly meets still makes the device acceptable. */
static int held_by_rule(const band_verdict *b)
{
    const unsigned rule_bits = REASON_WITHIN_UNCERTAINTY | REASON_UNCERTAINTY_NOT_STATED;
    return b->verdict == VERDICT_INCONCLUSIVE && (b->reasons & rule_bits) &&
           !(b->reasons & ~rule_bits);
}

/* A reading over (or, held, near) the limit against a derogation limit lim it is granted, under
 * the band's own decision rule (judge_band_margin). */
static void judge_derogation_limit(const band_verdict *b, double lim, outcome *o)
{
    o->limit = lim;
    o->margin_db = lim - b->m.measured;
    unsigned held;
    switch (judge_band_margin(b, o->margin_db, &held)) {
    case VERDICT_PASS:
        o->kind = DEVICE_DEROGATION_COMPLIANT;
        break;
    case VERDICT_FAIL:
        o->kind = DEVICE_NONCOMPLIANT;
        o->reasons = DREASON_EXCEEDS_DEROGATION_LIMIT;
        break;
    default:
        o->kind = DEVICE_INCONCLUSIVE;
        o->reasons = map_band_reasons(held | b->reasons) |
                     (b->verdict == VERDICT_FAIL ? DREASON_EXCEEDS_LIMIT : 0);
        break;
    }
}

static outcome band_outcome(const derogation_list *dl, const classify_device_info *dev,
                            const band_verdict *b)
{
    outcome o = {DEVICE_COMPLIANT, 0, b->m.measured, b->limit, b->margin_db, NULL};
    if (b->verdict == VERDICT_PASS)
        return o;
    int held = held_by_rule(b);
    if (b->verdict != VERDICT_FAIL && !held) {
        o.kind = DEVICE_INCONCLUSIVE;
        o.reasons = map_band_reasons(b->reasons);
        return o;
    }
    derogation_query q = {dev->manufacturer, dev->model,   dev->firmware,    b->band_id,
                          dev->region,       dev->han,     dev->postcode,    dev->install_date};
    derogation_result res;
    derogation_outcome d = derogation_match(dl, &q, &res);
    o.derogation_ref = res.rule ? res.rule->reference : NULL;
    if (d == DEROGATION_MATCH) {
        double lim = res.limit_from_limit_set ? b->derogation_limit : res.limit;
        if (!isfinite(lim) || !isfinite(b->m.measured)) {
            o.kind = DEVICE_INCONCLUSIVE;
            o.reasons = DREASON_EXCEEDS_LIMIT | DREASON_DEROGATION_LIMIT_UNKNOWN;
            return o;
        }
        judge_derogation_limit(b, lim, &o);
        return o;
    }
    if (held) {
        /* Not proven over the limit, and no derogation makes it acceptable either way. */
        o.kind = DEVICE_INCONCLUSIVE;
        o.reasons = map_band_reasons(b->reasons);
        return o;
    }
    switch (d) {
    case DEROGATION_LOCATION_UNKNOWN:
        o.kind = DEVICE_INCONCLUSIVE;
        o.reasons = DREASON_EXCEEDS_LIMIT | DREASON_LOCATION_UNKNOWN;
        return o;
    case DEROGATION_INSTALL_DATE_UNKNOWN:
        o.kind = DEVICE_INCONCLUSIVE;
        o.reasons = DREASON_EXCEEDS_LIMIT | DREASON_INSTALL_DATE_UNKNOWN;
        return o;
    case DEROGATION_LOCATION_NOT_ACCEPTABLE:
        o.reasons = DREASON_LOCATION_NOT_ACCEPTABLE;
        break;
    case DEROGATION_INSTALLED_AFTER_CUTOFF:
        o.reasons = DREASON_INSTALLED_AFTER_CUTOFF;
        break;
    default:
        o.reasons = DREASON_MODEL_NOT_DEROGATED;
        if (derogation_names_model(dl, dev->manufacturer, dev->model))
            o.reasons |= DREASON_FIRMWARE_NOT_COVERED; /* issue 20: the model is derogated */
        break;
    }
    o.kind = DEVICE_NONCOMPLIANT;
    o.reasons |= DREASON_EXCEEDS_LIMIT;
    return o;
}

static int severity(device_verdict_kind k)
{
    switch (k) {
    case DEVICE_NONCOMPLIANT: return 3;
    case DEVICE_INCONCLUSIVE: return 2;
    case DEVICE_DEROGATION_COMPLIANT: return 1;
    default: return 0;
    }
}

/* Is (a) a worse deciding result than the current (b)? Same severity: smaller margin wins, a
 * known margin beats an unknown one. */
static int worse(const outcome *a, const outcome *b)
{
    int sa = severity(a->kind), sb = severity(b->kind);
    if (sa != sb)
        return sa > sb;
    if (isfinite(a->margin_db) && isfinite(b->margin_db))
        return a->margin_db < b->margin_db;
    return isfinite(a->margin_db) && !isfinite(b->margin_db);
}

/* Does any result of ev count for band id? */
static int covers(const limits_set *set, const classify_device_info *dev,
                  const classify_evidence *ev, const char *id)
{
    for (size_t i = 0; ev && i < ev->n; i++) {
        const capture_analysis *r = ev->results[i];
        for (size_t b = 0; r && b < r->n_bands; b++)
            if (strcmp(r->bands[b].band_id, id) == 0 && counts(set, dev, &r->bands[b]))
                return 1;
    }
    return 0;
}

/* The deciding-result bookkeeping of classify_device_evidence. */
typedef struct judge {
    int have;
    outcome best;
    const band_verdict *best_band;
    const capture_analysis *best_res;
    const char *best_missing; /* band id of a not-measured band that decided */
    unsigned reasons_by_kind[DEVICE_VERDICT_COUNT];
} judge;

static void judge_add(judge *j, const outcome *o, const band_verdict *band,
                      const capture_analysis *res, const char *missing)
{
    j->reasons_by_kind[o->kind] |= o->reasons;
    if (!j->have || worse(o, &j->best)) {
        j->best = *o;
        j->best_band = band;
        j->best_res = res;
        j->best_missing = missing;
        j->have = 1;
    }
}

/* Add every counting result of ev (restricted to the bands own does not cover, when own is
 * given); returns how many were used. Unreadable captures count only for own evidence. */
static size_t judge_evidence(judge *j, const limits_set *set, const derogation_list *dl,
                             const classify_device_info *dev, const classify_evidence *ev,
                             const classify_evidence *own)
{
    size_t used = 0;
    for (size_t i = 0; ev && i < ev->n; i++) {
        const capture_analysis *r = ev->results[i];
        if (!r) {
            if (own)
                continue; /* an unreadable lab result is no evidence for any band */
            outcome o = {DEVICE_INCONCLUSIVE, DREASON_CAPTURE_UNREADABLE, NAN, NAN, NAN, NULL};
            judge_add(j, &o, NULL, NULL, NULL);
            used++;
            continue;
        }
        for (size_t b = 0; b < r->n_bands; b++) {
            if (!counts(set, dev, &r->bands[b]))
                continue;
            if (own && covers(set, dev, own, r->bands[b].band_id))
                continue;
            outcome o = band_outcome(dl, dev, &r->bands[b]);
            judge_add(j, &o, &r->bands[b], r, NULL);
            used++;
        }
    }
    return used;
}

void classify_device_evidence(const limits_set *set, const derogation_list *derogations,
                              const classify_device_info *dev, const classify_evidence *own,
                              const classify_evidence *lab, device_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->measured = out->limit = out->margin_db = NAN;
    size_t n_own = own ? own->n : 0, n_lab = lab ? lab->n : 0;
    if (n_own == 0 && n_lab == 0) {
        out->evidence = EVIDENCE_NONE;
        out->verdict = DEVICE_UNASSESSED;
        out->reasons = DREASON_NO_EVIDENCE;
        return;
    }
    judge j;
    memset(&j, 0, sizeof j);
    size_t used_own = n_own ? judge_evidence(&j, set, derogations, dev, own, NULL) : 0;
    size_t used_lab = 0;
    if (n_lab) {
        /* Lab results only for the bands no own capture covered (all of them when there are
         * no own captures). */
        used_lab = judge_evidence(&j, set, derogations, dev, lab, n_own ? own : NULL);
    }
    if (used_own && used_lab) {
        out->evidence = EVIDENCE_CAPTURE_LAB_MODEL;
        out->n_captures = (uint32_t)n_own;
    } else if (used_lab || !n_own) {
        out->evidence = EVIDENCE_LAB_MODEL;
        out->n_captures = (uint32_t)n_lab;
    } else {
        out->evidence = EVIDENCE_CAPTURE;
        out->n_captures = (uint32_t)n_own;
    }
    if (!j.have) {
        out->verdict = DEVICE_INCONCLUSIVE;
        out->reasons = DREASON_NO_APPLICABLE_BAND;
        return;
    }
    /* Every applicable band of the limit set needs a result: one that neither own captures
     * nor lab results covered is inconclusive "band-not-measured" (docs/architecture.md §Verdicts:
     * compliant means every applicable band passes). */
    for (size_t i = 0; set && i < set->n_bands; i++) {
        const limits_band *lb = &set->bands[i];
        if (find_band(set, lb->id) != lb ||
            !limits_band_applies(lb, region_bit(dev->region), han_bit(dev->han)))
            continue;
        if (covers(set, dev, own, lb->id) || covers(set, dev, lab, lb->id))
            continue;
        outcome o = {DEVICE_INCONCLUSIVE, DREASON_BAND_NOT_MEASURED, NAN, NAN, NAN, NULL};
        judge_add(&j, &o, NULL, NULL, lb->id);
    }
    out->verdict = j.best.kind;
    out->reasons = j.reasons_by_kind[j.best.kind];
    out->derogation_ref = j.best.derogation_ref;
    if (j.best_band) {
        snprintf(out->worst_band, sizeof out->worst_band, "%s", j.best_band->band_id);
        /* The unit as people read it (devices.csv): a band result read back from JSON may
         * lack its reference bandwidth, which the limit set then gives. */
        const limits_band *lb = set ? find_band(set, j.best_band->band_id) : NULL;
        double ref_bw = j.best_band->ref_bw_hz > 0 ? j.best_band->ref_bw_hz
                        : lb                       ? lb->ref_bw_hz
                                                   : 0;
        limits_unit_name_text(j.best_band->m.measured_unit, ref_bw, out->unit, sizeof out->unit);
        out->measured = j.best.measured;
        out->limit = j.best.limit;
        out->margin_db = j.best.margin_db;
    } else if (j.best_missing) {
        snprintf(out->worst_band, sizeof out->worst_band, "%s", j.best_missing);
        snprintf(out->limit_set_id, sizeof out->limit_set_id, "%s", set->id);
        snprintf(out->limit_set_version, sizeof out->limit_set_version, "%s", set->version);
    }
    if (j.best_res) {
        snprintf(out->limit_set_id, sizeof out->limit_set_id, "%s", j.best_res->limits_id);
        snprintf(out->limit_set_version, sizeof out->limit_set_version, "%s",
                 j.best_res->limits_version);
    }
}

void classify_device(const limits_set *set, const derogation_list *derogations,
                     const classify_device_info *dev, const classify_evidence *ev,
                     device_verdict *out)
{
    int lab = ev && ev->kind == EVIDENCE_LAB_MODEL;
    classify_device_evidence(set, derogations, dev, lab ? NULL : ev, lab ? ev : NULL, out);
}
