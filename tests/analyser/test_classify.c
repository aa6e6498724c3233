/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_classify.c: device verdicts (classify.h) from hand-made band results: every verdict and
 * reason code, applicability by region/HAN, derogation limits and locations, the worst of
 * several captures deciding, unreadable captures, and the reason/verdict names. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "classify.h"

static const char limits_json[] =
    "{\"format\":\"rfnoise-limits-1\",\"id\":\"t\",\"version\":\"1\",\"title\":\"t\","
    "\"source\":\"test\",\"valid_from\":\"2020-01-01\",\"valid_to\":null,\"illustrative\":true,"
    "\"bands\":["
    "{\"id\":\"wan-north-423\",\"label\":\"n\",\"f_lo_hz\":422e6,\"f_hi_hz\":424e6,"
    "\"quantity\":\"peak_density\",\"trace\":\"mean\",\"unit\":\"dBm/ref_bw\",\"ref_bw_hz\":12500,"
    "\"limit\":-110,\"derogation_limit\":-104,\"applies_to\":{\"regions\":[\"north\"]}},"
    "{\"id\":\"han-868\",\"label\":\"h\",\"f_lo_hz\":863e6,\"f_hi_hz\":870e6,"
    "\"quantity\":\"peak_density\",\"trace\":\"mean\",\"unit\":\"dBm/ref_bw\",\"ref_bw_hz\":1e5,"
    "\"limit\":-105,\"applies_to\":{\"han\":[\"dual\"]}}]}";

static const char derog_csv[] =
    "Reference,Manufacturer,Model,Firmware,Bands,Limit,Regions,PostcodeAreas,HANVariant,InstallBy\n"
    "D-1,Acme,AM-100,1.2.0..1.4.9,wan-north-423,limit-set,north,AB;IV,,2022-03-31\n"
    "D-2,Acme,AM-100,1.2.0..1.4.9,han-868,-100,,,,\n";

/* One capture with one band result. */
static capture_analysis one(band_verdict *b, const char *band, band_verdict_kind v,
                            double measured, double limit, double derog, unsigned reasons)
{
    capture_analysis r;
    memset(&r, 0, sizeof r);
    memset(b, 0, sizeof *b);
    snprintf(b->band_id, sizeof b->band_id, "%s", band);
    snprintf(b->unit, sizeof b->unit, "dBm/ref_bw");
    snprintf(b->m.measured_unit, sizeof b->m.measured_unit, "dBm/ref_bw");
    b->m.measured = measured;
    b->limit = limit;
    b->margin_db = limit - measured;
    b->derogation_limit = derog;
    b->m.covered_fraction = 1.0;
    b->verdict = v;
    b->reasons = reasons;
    snprintf(r.limits_id, sizeof r.limits_id, "t");
    snprintf(r.limits_version, sizeof r.limits_version, "1");
    r.bands = b;
    r.n_bands = 1;
    return r;
}

static limits_set *set;
static derogation_list *dl;

static void judge(const classify_device_info *dev, const capture_analysis *const *caps, size_t n,
                  device_verdict *out)
{
    classify_evidence ev = {caps, n, EVIDENCE_CAPTURE};
    classify_device(set, dl, dev, &ev, out);
}

static const char *reasons(const device_verdict *v)
{
    static char buf[256];
    classify_reasons_text(v->reasons, buf, sizeof buf);
    return buf;
}

#define EXPECT(v, kind, why)                                                                      \
    do {                                                                                          \
        CHECK_MSG((v).verdict == (kind), "verdict %s", classify_verdict_name((v).verdict));       \
        CHECK_MSG(strcmp(reasons(&(v)), (why)) == 0, "reasons '%s', want '%s'", reasons(&(v)),   \
                  (why));                                                                         \
    } while (0)

/* The verdict names round-trip through their one table, in the spelling every output uses, and
 * the notice deadlines are notice + 10 and + 90 days (README "Remediation"). */
static void test_names_and_deadlines(void)
{
    static const char *const want[DEVICE_VERDICT_COUNT] = {
        "compliant",       "derogation-compliant", "inconclusive", "non-compliant",
        "retest-required", "unassessed"};
    for (int k = 0; k < DEVICE_VERDICT_COUNT; k++) {
        CHECK_MSG(strcmp(classify_verdict_name((device_verdict_kind)k), want[k]) == 0, "%d", k);
        CHECK(classify_verdict_from_name(want[k]) == (device_verdict_kind)k);
    }
    CHECK(classify_verdict_from_name("Compliant") == DEVICE_VERDICT_COUNT);
    CHECK(classify_verdict_from_name("") == DEVICE_VERDICT_COUNT);
    CHECK(strcmp(classify_verdict_name(DEVICE_VERDICT_COUNT), "") == 0);
    remediation_deadlines deadlines = remediation_deadlines_from_notice(date_from_ymd(2024, 3, 1));
    CHECK(deadlines.notice_day == date_from_ymd(2024, 3, 1));
    CHECK(deadlines.plan_due_day == date_from_ymd(2024, 3, 11));
    CHECK(deadlines.removal_due_day == date_from_ymd(2024, 5, 30));
}

int main(void)
{
    rfn_error err = {0};
    test_names_and_deadlines();
    CHECK_OK(limits_parse(limits_json, sizeof limits_json - 1, "t.json", &set, &err));
    CHECK_OK(derogation_load_mem("d.csv", derog_csv, sizeof derog_csv - 1, &dl, &err));
    if (!set || !dl)
        return check_finish();
    classify_device_info north = {"Acme", "AM-100", "1.3.0", CSP_REGION_NORTH,
                                  HAN_VARIANT_SINGLE_BAND, "AB10 1AA", date_from_ymd(2021, 5, 1)};
    band_verdict b1, b2;
    device_verdict v;

    /* No evidence at all. */
    judge(&north, NULL, 0, &v);
    EXPECT(v, DEVICE_UNASSESSED, "no-evidence");
    CHECK(v.evidence == EVIDENCE_NONE && v.n_captures == 0 && isnan(v.margin_db));

    /* A pass: compliant, with the deciding band's numbers and limit set. */
    capture_analysis c1 = one(&b1, "wan-north-423", VERDICT_PASS, -115, -110, -104, 0);
    const capture_analysis *caps[2] = {&c1, NULL};
    judge(&north, caps, 1, &v);
    EXPECT(v, DEVICE_COMPLIANT, "");
    CHECK(strcmp(v.worst_band, "wan-north-423") == 0 && v.evidence == EVIDENCE_CAPTURE);
    CHECK_NEAR(v.margin_db, 5.0, 1e-12);
    /* The unit names the reference bandwidth (the result has none: the limit set's 12.5 kHz). */
    CHECK(strcmp(v.limit_set_id, "t") == 0 && strcmp(v.unit, "dBm/12.5kHz") == 0);

    /* A fail within the derogation limit (the limit set's -104): derogation-compliant. */
    c1 = one(&b1, "wan-north-423", VERDICT_FAIL, -107, -110, -104, REASON_EXCEEDS_LIMIT);
    judge(&north, caps, 1, &v);
    EXPECT(v, DEVICE_DEROGATION_COMPLIANT, "");
    CHECK(v.derogation_ref && strcmp(v.derogation_ref, "D-1") == 0);
    CHECK_NEAR(v.limit, -104.0, 1e-12);
    CHECK_NEAR(v.margin_db, 3.0, 1e-12);

    /* Over the derogation limit. */
    c1 = one(&b1, "wan-north-423", VERDICT_FAIL, -101, -110, -104, REASON_EXCEEDS_LIMIT);
    judge(&north, caps, 1, &v);
    EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-derogation-limit");
    CHECK_NEAR(v.margin_db, -3.0, 1e-12);

    /* Same fail, other places, dates, models. */
    c1 = one(&b1, "wan-north-423", VERDICT_FAIL, -107, -110, -104, REASON_EXCEEDS_LIMIT);
    classify_device_info d = north;
    d.postcode = "NE1 1AA";
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-limit;location-not-acceptable");
    CHECK(v.derogation_ref && strcmp(v.derogation_ref, "D-1") == 0);
    CHECK_NEAR(v.limit, -110.0, 1e-12);
    d = north;
    d.install_date = date_from_ymd(2022, 4, 1);
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-limit;installed-after-cutoff");
    d = north;
    d.postcode = "";
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "exceeds-limit;location-unknown");
    d = north;
    d.install_date = REGISTER_NO_DATE;
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "exceeds-limit;install-date-unknown");
    d = north;
    d.firmware = "1.5.0";
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-limit;model-not-derogated;firmware-not-covered");
    CHECK(v.derogation_ref == NULL);

    /* Applicability: the North band means nothing in the South; the 868 band only for dual. */
    d = north;
    d.region = CSP_REGION_SOUTH;
    judge(&d, caps, 1, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "no-applicable-band-measured");
    CHECK(classify_counting_results(set, &d, &(classify_evidence){caps, 1, EVIDENCE_CAPTURE}) == 0);
    capture_analysis c2 = one(&b2, "han-868", VERDICT_FAIL, -101, -105, NAN, REASON_EXCEEDS_LIMIT);
    caps[0] = &c2;
    judge(&north, caps, 1, &v); /* single band: not applicable */
    EXPECT(v, DEVICE_INCONCLUSIVE, "no-applicable-band-measured");
    d = north;
    d.han = HAN_VARIANT_DUAL_BAND; /* rule D-2: -100 for this band, anywhere */
    judge(&d, caps, 1, &v);        /* ... but the applicable 423 MHz band was not measured */
    EXPECT(v, DEVICE_INCONCLUSIVE, "band-not-measured");
    CHECK(strcmp(v.worst_band, "wan-north-423") == 0 && isnan(v.margin_db));
    CHECK(v.evidence == EVIDENCE_CAPTURE && strcmp(v.limit_set_id, "t") == 0);
    c1 = one(&b1, "wan-north-423", VERDICT_PASS, -115, -110, -104, 0);
    caps[1] = &c1; /* both applicable bands measured */
    judge(&d, caps, 2, &v);
    EXPECT(v, DEVICE_DEROGATION_COMPLIANT, "");
    CHECK(v.derogation_ref && strcmp(v.derogation_ref, "D-2") == 0);
    CHECK_NEAR(v.limit, -100.0, 1e-12);
    caps[1] = NULL;

    /* A band the capture did not cover at all is no evidence. */
    c1 = one(&b1, "wan-north-423", VERDICT_INCONCLUSIVE, NAN, -110, -104, REASON_BAND_NOT_COVERED);
    b1.m.covered_fraction = 0;
    caps[0] = &c1;
    judge(&north, caps, 1, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "no-applicable-band-measured");

    /* Several captures: the worst decides, all counted; inconclusive beats a derogated fail. */
    c1 = one(&b1, "wan-north-423", VERDICT_PASS, -120, -110, -104, 0);
    c2 = one(&b2, "wan-north-423", VERDICT_INCONCLUSIVE, -90, -110, -104, REASON_CLIPPED);
    caps[0] = &c1;
    caps[1] = &c2;
    judge(&north, caps, 2, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "clipped");
    CHECK(v.n_captures == 2);
    c2 = one(&b2, "wan-north-423", VERDICT_FAIL, -100, -110, -104, REASON_EXCEEDS_LIMIT);
    judge(&north, caps, 2, &v);
    EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-derogation-limit");
    CHECK_NEAR(v.measured, -100.0, 1e-12);
    caps[1] = NULL; /* an unreadable capture */
    judge(&north, caps, 2, &v);
    EXPECT(v, DEVICE_INCONCLUSIVE, "capture-unreadable");
    CHECK(v.worst_band[0] == '\0');

    /* Lab evidence is reported as such. */
    c1 = one(&b1, "wan-north-423", VERDICT_PASS, -120, -110, -104, 0);
    classify_evidence lab = {caps, 1, EVIDENCE_LAB_MODEL};
    classify_device(set, dl, &north, &lab, &v);
    CHECK(v.verdict == DEVICE_COMPLIANT && v.evidence == EVIDENCE_LAB_MODEL);
    CHECK(strcmp(classify_evidence_name(v.evidence), "lab-model") == 0);

    /* Per-band evidence: own captures first, the lab result for the bands they did not cover,
     * band-not-measured when neither covers an applicable band. */
    {
        classify_device_info dual = north;
        dual.han = HAN_VARIANT_DUAL_BAND;
        band_verdict b3, b4;
        capture_analysis own423 = one(&b1, "wan-north-423", VERDICT_PASS, -115, -110, -104, 0);
        capture_analysis lab868 = one(&b2, "han-868", VERDICT_PASS, -110, -105, NAN, 0);
        capture_analysis lab423 =
            one(&b3, "wan-north-423", VERDICT_FAIL, -90, -110, -104, REASON_EXCEEDS_LIMIT);
        capture_analysis lab868f =
            one(&b4, "han-868", VERDICT_FAIL, -95, -105, NAN, REASON_EXCEEDS_LIMIT);
        const capture_analysis *o[1] = {&own423}, *l[2] = {&lab868, &lab423};
        classify_evidence own = {o, 1, EVIDENCE_CAPTURE}, labs = {l, 0, EVIDENCE_LAB_MODEL};
        /* Own 423 MHz pass only, no lab: the 868 MHz band is not measured. */
        classify_device_evidence(set, dl, &dual, &own, &labs, &v);
        EXPECT(v, DEVICE_INCONCLUSIVE, "band-not-measured");
        CHECK(strcmp(v.worst_band, "han-868") == 0 && v.evidence == EVIDENCE_CAPTURE);
        CHECK(v.n_captures == 1 && isnan(v.measured));
        /* The single-band device needs no 868 MHz result: compliant on its own capture. */
        classify_device_evidence(set, dl, &north, &own, &labs, &v);
        EXPECT(v, DEVICE_COMPLIANT, "");
        CHECK(v.evidence == EVIDENCE_CAPTURE);
        /* Lab results for 868 (pass) and 423 (a fail, ignored: the own capture covers 423). */
        labs.n = 2;
        classify_device_evidence(set, dl, &dual, &own, &labs, &v);
        EXPECT(v, DEVICE_COMPLIANT, "");
        CHECK(v.evidence == EVIDENCE_CAPTURE_LAB_MODEL && v.n_captures == 1);
        CHECK(strcmp(classify_evidence_name(v.evidence), "capture+lab-model") == 0);
        CHECK(strcmp(v.worst_band, "wan-north-423") == 0); /* smallest margin: 5 dB vs 5 dB */
        CHECK_NEAR(v.margin_db, 5.0, 1e-12);
        /* A single-band device: the lab's 868 result is not applicable, its 423 one is covered
         * by the own capture; nothing of the lab is used. */
        classify_device_evidence(set, dl, &north, &own, &labs, &v);
        EXPECT(v, DEVICE_COMPLIANT, "");
        CHECK(v.evidence == EVIDENCE_CAPTURE && v.n_captures == 1);
        /* A lab fail in the band the own captures missed decides (no derogation: fw 1.5.0). */
        classify_device_info d15 = dual;
        d15.firmware = "1.5.0";
        l[0] = &lab868f;
        classify_device_evidence(set, dl, &d15, &own, &labs, &v);
        EXPECT(v, DEVICE_NONCOMPLIANT,
               "exceeds-limit;model-not-derogated;firmware-not-covered");
        CHECK(strcmp(v.worst_band, "han-868") == 0 && v.evidence == EVIDENCE_CAPTURE_LAB_MODEL);
        CHECK_NEAR(v.margin_db, -10.0, 1e-12);
        /* A non-compliant measured band stays non-compliant when another band is unmeasured. */
        capture_analysis own423f =
            one(&b1, "wan-north-423", VERDICT_FAIL, -101, -110, -104, REASON_EXCEEDS_LIMIT);
        o[0] = &own423f;
        labs.n = 0;
        classify_device_evidence(set, dl, &dual, &own, &labs, &v);
        EXPECT(v, DEVICE_NONCOMPLIANT, "exceeds-derogation-limit");
        CHECK(strcmp(v.worst_band, "wan-north-423") == 0);
        /* An inconclusive band and an unmeasured one: both reasons. */
        own423f = one(&b1, "wan-north-423", VERDICT_INCONCLUSIVE, -90, -110, -104, REASON_CLIPPED);
        classify_device_evidence(set, dl, &dual, &own, &labs, &v);
        EXPECT(v, DEVICE_INCONCLUSIVE, "clipped;band-not-measured");
        /* An unreadable own capture covers nothing: the lab's 423 result stands in. */
        lab423 = one(&b3, "wan-north-423", VERDICT_PASS, -120, -110, -104, 0);
        l[0] = &lab423;
        o[0] = NULL;
        labs.n = 1;
        classify_device_evidence(set, dl, &north, &own, &labs, &v);
        EXPECT(v, DEVICE_INCONCLUSIVE, "capture-unreadable");
        CHECK(v.evidence == EVIDENCE_CAPTURE_LAB_MODEL && v.n_captures == 1);
        /* Lab results alone must cover every applicable band too. */
        classify_device(set, dl, &north, &labs, &v); /* single band: 423 MHz is enough */
        EXPECT(v, DEVICE_COMPLIANT, "");
        CHECK(v.evidence == EVIDENCE_LAB_MODEL && v.n_captures == 1);
        classify_device(set, dl, &dual, &labs, &v);
        EXPECT(v, DEVICE_INCONCLUSIVE, "band-not-measured");
        classify_device_evidence(set, dl, &dual, NULL, &labs, &v);
        EXPECT(v, DEVICE_INCONCLUSIVE, "band-not-measured");
        CHECK(v.evidence == EVIDENCE_LAB_MODEL && strcmp(v.worst_band, "han-868") == 0);
    }

    /* Decision rules (README "Decision rules"): the derogation limit is judged by the band's
     * own rule and U; a band held within U is acceptable when its derogation clearly covers it,
     * inconclusive otherwise (never compliant, never non-compliant). */
    {
        classify_device_info other = north;
        other.model = "AM-200"; /* no derogation */
        struct { decision_rule rule; double measured; band_verdict_kind band; unsigned why;
                 const classify_device_info *dev; device_verdict_kind want; const char *reasons;
                 double margin; } rows[] = {
            {DECISION_GUARDED_REJECT, -109, VERDICT_INCONCLUSIVE, REASON_WITHIN_UNCERTAINTY,
             &north, DEVICE_DEROGATION_COMPLIANT, "", 5},
            {DECISION_GUARDED_REJECT, -109, VERDICT_INCONCLUSIVE, REASON_WITHIN_UNCERTAINTY,
             &other, DEVICE_INCONCLUSIVE, "within-uncertainty", -1},
            {DECISION_GUARDED_ACCEPT, -105, VERDICT_FAIL, REASON_EXCEEDS_LIMIT, &north,
             DEVICE_INCONCLUSIVE, "exceeds-limit;within-uncertainty", 1},
            {DECISION_GUARDED_ACCEPT, -107, VERDICT_FAIL, REASON_EXCEEDS_LIMIT, &north,
             DEVICE_DEROGATION_COMPLIANT, "", 3},
            {DECISION_GUARDED_REJECT, -103, VERDICT_FAIL, REASON_EXCEEDS_LIMIT, &north,
             DEVICE_INCONCLUSIVE, "exceeds-limit;within-uncertainty", -1},
            {DECISION_GUARDED_REJECT, -101, VERDICT_FAIL, REASON_EXCEEDS_LIMIT, &north,
             DEVICE_NONCOMPLIANT, "exceeds-derogation-limit", -3},
            {DECISION_GUARDED_ACCEPT, -109, VERDICT_INCONCLUSIVE, REASON_UNCERTAINTY_NOT_STATED,
             &other, DEVICE_INCONCLUSIVE, "uncertainty-not-stated", -1},
        };
        for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
            capture_analysis cr = one(&b1, "wan-north-423", rows[i].band, rows[i].measured, -110,
                                      -104, rows[i].why);
            b1.rule = rows[i].rule;
            b1.uncertainty_db = rows[i].why == REASON_UNCERTAINTY_NOT_STATED ? NAN : 2.0;
            const capture_analysis *cc[1] = {&cr};
            judge(rows[i].dev, cc, 1, &v);
            CHECK_MSG(v.verdict == rows[i].want, "row %zu: verdict %s", i,
                      classify_verdict_name(v.verdict));
            CHECK_MSG(strcmp(reasons(&v), rows[i].reasons) == 0, "row %zu: reasons '%s'", i,
                      reasons(&v));
            CHECK_MSG(fabs(v.margin_db - rows[i].margin) < 1e-12, "row %zu: margin %g", i,
                      v.margin_db);
        }
    }

    /* Names. */
    CHECK(strcmp(classify_reason_name(DREASON_BAND_NOT_MEASURED), "band-not-measured") == 0);
    CHECK(strcmp(classify_reason_name(DREASON_NO_EVIDENCE), "no-evidence") == 0);
    CHECK(strcmp(classify_reason_name(DREASON_TOO_LITTLE_AFTER_EXCLUSION),
                 "too-little-after-exclusion") == 0);
    CHECK(strcmp(classify_reason_name(DREASON_WITHIN_UNCERTAINTY), "within-uncertainty") == 0);
    CHECK(strcmp(classify_reason_name(DREASON_UNCERTAINTY_NOT_STATED), "uncertainty-not-stated") ==
          0);
    CHECK(classify_reason_name(3) == NULL && classify_reason_name(1u << 29) == NULL);
    CHECK(strcmp(classify_reason_name(DREASON_FIRMWARE_NOT_COVERED), "firmware-not-covered") == 0);
    for (int k = 0; k < DEVICE_VERDICT_COUNT; k++)
        CHECK(classify_verdict_name((device_verdict_kind)k)[0] != '\0');
    char small[8];
    classify_reasons_text(DREASON_EXCEEDS_LIMIT | DREASON_MODEL_NOT_DEROGATED, small, sizeof small);
    CHECK(strlen(small) == 7); /* truncated safely */

    limits_free(set);
    derogation_destroy(dl);
    return check_finish();
}
