/* classify.c: device verdicts from band results, register facts and derogation rules. */
#include "classify.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const reason_names[] = {
    "exceeds-limit",       "exceeds-derogation-limit", "location-not-acceptable",
    "installed-after-cutoff", "model-not-derogated",   "location-unknown",
    "install-date-unknown", "derogation-limit-unknown", "clipped",
    "too-short",           "uncalibrated",             "noise-floor-too-close",
    "guard-band",          "calibration-out-of-range", "detector-upper-bound",
    "no-data",             "band-not-covered",         "capture-unreadable",
    "no-applicable-band-measured", "no-evidence",
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

const char *classify_verdict_name(device_verdict_kind v)
{
    switch (v) {
    case DEVICE_COMPLIANT: return "compliant";
    case DEVICE_DEROGATION_COMPLIANT: return "derogation-compliant";
    case DEVICE_INCONCLUSIVE: return "inconclusive";
    case DEVICE_NONCOMPLIANT: return "non-compliant";
    case DEVICE_UNASSESSED: return "unassessed";
    default: return "";
    }
}

const char *classify_evidence_name(device_evidence e)
{
    return e == EVIDENCE_CAPTURE ? "capture" : e == EVIDENCE_LAB_MODEL ? "lab-model" : "none";
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
    return b->covered_fraction > 0;
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

static outcome band_outcome(const derogation_list *dl, const classify_device_info *dev,
                            const band_verdict *b)
{
    outcome o = {DEVICE_COMPLIANT, 0, b->measured, b->limit, b->margin_db, NULL};
    if (b->verdict == VERDICT_PASS)
        return o;
    if (b->verdict != VERDICT_FAIL) {
        o.kind = DEVICE_INCONCLUSIVE;
        o.reasons = map_band_reasons(b->reasons);
        return o;
    }
    derogation_query q = {dev->manufacturer, dev->model,   dev->firmware,    b->band_id,
                          dev->region,       dev->han,     dev->postcode,    dev->install_date};
    derogation_result res;
    derogation_outcome d = derogation_match(dl, &q, &res);
    o.derogation_ref = res.rule ? res.rule->reference : NULL;
    switch (d) {
    case DEROGATION_MATCH: {
        double lim = res.limit_from_limit_set ? b->derogation_limit : res.limit;
        if (!isfinite(lim) || !isfinite(b->measured)) {
            o.kind = DEVICE_INCONCLUSIVE;
            o.reasons = DREASON_EXCEEDS_LIMIT | DREASON_DEROGATION_LIMIT_UNKNOWN;
            return o;
        }
        o.limit = lim;
        o.margin_db = lim - b->measured;
        if (b->measured <= lim) {
            o.kind = DEVICE_DEROGATION_COMPLIANT;
        } else {
            o.kind = DEVICE_NONCOMPLIANT;
            o.reasons = DREASON_EXCEEDS_DEROGATION_LIMIT;
        }
        return o;
    }
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

void classify_device(const limits_set *set, const derogation_list *derogations,
                     const classify_device_info *dev, const classify_evidence *ev,
                     device_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->measured = out->limit = out->margin_db = NAN;
    out->evidence = ev && ev->n ? ev->kind : EVIDENCE_NONE;
    out->n_captures = ev ? (uint32_t)ev->n : 0;
    if (!ev || ev->n == 0) {
        out->verdict = DEVICE_UNASSESSED;
        out->reasons = DREASON_NO_EVIDENCE;
        return;
    }
    int have = 0;
    outcome best = {0};
    const band_verdict *best_band = NULL;
    const capture_analysis *best_res = NULL;
    unsigned reasons_by_kind[DEVICE_VERDICT_COUNT] = {0};
    for (size_t i = 0; i < ev->n; i++) {
        const capture_analysis *r = ev->results[i];
        if (!r) {
            outcome o = {DEVICE_INCONCLUSIVE, DREASON_CAPTURE_UNREADABLE, NAN, NAN, NAN, NULL};
            reasons_by_kind[o.kind] |= o.reasons;
            if (!have || worse(&o, &best)) {
                best = o;
                best_band = NULL;
                best_res = NULL;
                have = 1;
            }
            continue;
        }
        for (size_t b = 0; b < r->n_bands; b++) {
            if (!counts(set, dev, &r->bands[b]))
                continue;
            outcome o = band_outcome(derogations, dev, &r->bands[b]);
            reasons_by_kind[o.kind] |= o.reasons;
            if (!have || worse(&o, &best)) {
                best = o;
                best_band = &r->bands[b];
                best_res = r;
                have = 1;
            }
        }
    }
    if (!have) {
        out->verdict = DEVICE_INCONCLUSIVE;
        out->reasons = DREASON_NO_APPLICABLE_BAND;
        return;
    }
    out->verdict = best.kind;
    out->reasons = reasons_by_kind[best.kind];
    out->derogation_ref = best.derogation_ref;
    if (best_band) {
        snprintf(out->worst_band, sizeof out->worst_band, "%s", best_band->band_id);
        snprintf(out->unit, sizeof out->unit, "%s", best_band->measured_unit);
        out->measured = best.measured;
        out->limit = best.limit;
        out->margin_db = best.margin_db;
    }
    if (best_res) {
        snprintf(out->limit_set_id, sizeof out->limit_set_id, "%s", best_res->limits_id);
        snprintf(out->limit_set_version, sizeof out->limit_set_version, "%s",
                 best_res->limits_version);
    }
}
