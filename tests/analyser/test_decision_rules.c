/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decision_rules.c: how a margin and an expanded uncertainty U become a verdict under each
 * decision rule (README "Decision rules", judge_band.h): the known answers of ILAC-G8:09/2019
 * (simple, guarded acceptance, guarded rejection) and CISPR 16-4-2 clause 4.1 at margins either
 * side of 0 and of U; the limit set's decision_rule / u_cispr_db and the calibration's
 * uncertainty_db as read from their files, with their errors. */
#include <math.h>
#include <string.h>

#include "calibration.h"
#include "check.h"
#include "judge_band.h"
#include "limits.h"

#define LIMIT_DBM (-60.0)

/* A channel-power band limited to LIMIT_DBM over 1 ... 2 MHz. */
static limits_band test_band(void)
{
    limits_band b;
    memset(&b, 0, sizeof b);
    snprintf(b.id, sizeof b.id, "b");
    b.f_lo_hz = 1e6;
    b.f_hi_hz = 2e6;
    b.quantity = LIMITS_Q_CHANNEL_POWER;
    b.unit = LIMITS_U_DBM;
    b.has_limit = 1;
    b.limit = LIMIT_DBM;
    b.rbw_hz = NAN;
    b.ref_bw_hz = NAN;
    b.u_cispr_db = NAN;
    return b;
}

/* The verdict of a reading margin_db below the limit (negative: above it) with uncertainty u_db
 * (NAN: none stated) under rule (u_cispr_db for cispr-16-4-2). */
static band_verdict judge_at(double margin_db, double u_db, decision_rule rule, double u_cispr_db)
{
    limits_band b = test_band();
    b.u_cispr_db = u_cispr_db;
    band_verdict v;
    judge_band_define(&b, &v);
    band_measurement m = v.m;
    m.measured = LIMIT_DBM - margin_db;
    m.worst_freq_hz = 1.5e6;
    m.covered_fraction = 1;
    m.uncertainty_db = u_db;
    snprintf(m.method, sizeof m.method, "welch");
    judge_rule r = {0, rule, 0, NAN};
    band_verdict out;
    judge_band(&b, &m, &r, &out);
    return out;
}

static void expect(double margin_db, double u_db, decision_rule rule, double u_cispr_db,
                   band_verdict_kind want, unsigned want_reasons)
{
    band_verdict v = judge_at(margin_db, u_db, rule, u_cispr_db);
    CHECK_MSG(v.verdict == want && v.reasons == want_reasons,
              "%s, margin %+g dB, U %g dB: verdict %d reasons 0x%x, want %d 0x%x",
              limits_decision_rule_name(rule), margin_db, u_db, (int)v.verdict, v.reasons,
              (int)want, want_reasons);
    CHECK(v.rule == rule);
    CHECK(isnan(u_db) ? isnan(v.uncertainty_db) : v.uncertainty_db == u_db);
    CHECK_NEAR(v.margin_db, margin_db, 1e-9);
}

/* Margins -1, -0.2, +0.2 and +1 dB with U = 0.5 dB: the table in README "Decision rules". */
static void test_rules_table(void)
{
    const double u = 0.5;
    const unsigned over = REASON_EXCEEDS_LIMIT, within = REASON_WITHIN_UNCERTAINTY;
    /* simple: the margin's sign alone; U is shown, not used. */
    expect(-1.0, u, DECISION_SIMPLE, NAN, VERDICT_FAIL, over);
    expect(-0.2, u, DECISION_SIMPLE, NAN, VERDICT_FAIL, over);
    expect(+0.2, u, DECISION_SIMPLE, NAN, VERDICT_PASS, 0);
    expect(+1.0, u, DECISION_SIMPLE, NAN, VERDICT_PASS, 0);
    /* guarded acceptance: a pass must clear U; fails stand as measured. */
    expect(-1.0, u, DECISION_GUARDED_ACCEPT, NAN, VERDICT_FAIL, over);
    expect(-0.2, u, DECISION_GUARDED_ACCEPT, NAN, VERDICT_FAIL, over);
    expect(+0.2, u, DECISION_GUARDED_ACCEPT, NAN, VERDICT_INCONCLUSIVE, within);
    expect(+1.0, u, DECISION_GUARDED_ACCEPT, NAN, VERDICT_PASS, 0);
    /* guarded rejection: a fail must exceed the limit by more than U; passes stand. */
    expect(-1.0, u, DECISION_GUARDED_REJECT, NAN, VERDICT_FAIL, over);
    expect(-0.2, u, DECISION_GUARDED_REJECT, NAN, VERDICT_INCONCLUSIVE, within);
    expect(+0.2, u, DECISION_GUARDED_REJECT, NAN, VERDICT_PASS, 0);
    expect(+1.0, u, DECISION_GUARDED_REJECT, NAN, VERDICT_PASS, 0);
    /* CISPR 16-4-2 with U_cispr = 0.25 dB: the reading is raised by U - U_cispr = 0.25 dB. */
    expect(-1.0, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_FAIL, over);
    expect(-0.2, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_FAIL, over);
    expect(+0.2, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_FAIL, over);
    expect(+1.0, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_PASS, 0);
    /* ... and a lab within U_cispr judges as measured (no lowering for a better lab). */
    expect(+0.2, u, DECISION_CISPR_16_4_2, 5.2, VERDICT_PASS, 0);
    expect(-0.2, u, DECISION_CISPR_16_4_2, 5.2, VERDICT_FAIL, over);
    /* Exactly at the edges: a margin equal to U is not "more than U". */
    expect(+0.5, u, DECISION_GUARDED_ACCEPT, NAN, VERDICT_INCONCLUSIVE, within);
    expect(-0.5, u, DECISION_GUARDED_REJECT, NAN, VERDICT_INCONCLUSIVE, within);
    expect(+0.25, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_PASS, 0);
    expect(+0.125, u, DECISION_CISPR_16_4_2, 0.25, VERDICT_FAIL, REASON_EXCEEDS_LIMIT);
}

/* A rule that needs U and has none holds what it guards: inconclusive, never a pass. */
static void test_uncertainty_not_stated(void)
{
    const unsigned ns = REASON_UNCERTAINTY_NOT_STATED, over = REASON_EXCEEDS_LIMIT;
    expect(+1.0, NAN, DECISION_GUARDED_ACCEPT, NAN, VERDICT_INCONCLUSIVE, ns);
    expect(-1.0, NAN, DECISION_GUARDED_ACCEPT, NAN, VERDICT_FAIL, over);
    expect(-1.0, NAN, DECISION_GUARDED_REJECT, NAN, VERDICT_INCONCLUSIVE, ns);
    expect(+1.0, NAN, DECISION_GUARDED_REJECT, NAN, VERDICT_PASS, 0);
    expect(+1.0, NAN, DECISION_CISPR_16_4_2, 0.25, VERDICT_INCONCLUSIVE, ns);
    expect(-1.0, NAN, DECISION_CISPR_16_4_2, 0.25, VERDICT_FAIL, over);
    expect(+1.0, NAN, DECISION_SIMPLE, NAN, VERDICT_PASS, 0);
}

/* --uncertainty-db replaces the measurement's U; --guard still applies on top of every rule. */
static void test_rule_options(void)
{
    limits_band b = test_band();
    band_verdict v0, v;
    judge_band_define(&b, &v0);
    band_measurement m = v0.m;
    m.measured = LIMIT_DBM - 1.0;
    m.covered_fraction = 1;
    m.uncertainty_db = 0.5;
    snprintf(m.method, sizeof m.method, "welch");
    judge_rule r = {0, DECISION_GUARDED_ACCEPT, 1, 2.0};
    judge_band(&b, &m, &r, &v);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_WITHIN_UNCERTAINTY);
    CHECK(v.uncertainty_db == 2.0);
    r = (judge_rule){1.5, DECISION_GUARDED_REJECT, 0, NAN};
    judge_band(&b, &m, &r, &v);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_GUARD_BAND);

    /* judge_rule_for: the options' rule wins over the set's; none at all is simple. */
    limits_set set;
    memset(&set, 0, sizeof set);
    set.decision_rule = DECISION_GUARDED_REJECT;
    set.u_cispr_db = NAN;
    set.bands = &b;
    set.n_bands = 1;
    snprintf(set.path, sizeof set.path, "set.json");
    analysis_settings s;
    memset(&s, 0, sizeof s);
    CHECK(judge_rule_for(&set, &s).rule == DECISION_GUARDED_REJECT);
    CHECK(judge_rule_for(NULL, &s).rule == DECISION_SIMPLE);
    s.decision.rule = DECISION_GUARDED_ACCEPT;
    s.decision.has_uncertainty = 1;
    s.decision.uncertainty_db = 1.25;
    judge_rule jr = judge_rule_for(&set, &s);
    CHECK(jr.rule == DECISION_GUARDED_ACCEPT && jr.has_uncertainty && jr.uncertainty_db == 1.25);

    /* cispr-16-4-2 over a set that states no U_cispr is an input error naming the file. */
    rfn_error err;
    rfn_error_clear(&err);
    decision_options d = {DECISION_CISPR_16_4_2, 0, NAN};
    CHECK(judge_rule_check(&set, &d, &err) == RFN_ERR_INVALID);
    CHECK_MSG(strcmp(err.msg, "set.json: band 'b': no u_cispr_db: the cispr-16-4-2 decision rule "
                              "compares the lab's uncertainty with the standard's") == 0,
              "got '%s'", err.msg);
    b.u_cispr_db = 5.2;
    CHECK_OK(judge_rule_check(&set, &d, &err));
    d.rule = DECISION_SIMPLE;
    b.u_cispr_db = NAN;
    CHECK_OK(judge_rule_check(&set, &d, &err));
}

#define LHEAD "{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"1\",\"source\":\"s\"," \
              "\"valid_from\":\"2024-01-01\","
#define LBANDS "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":" \
               "\"channel_power\",\"unit\":\"dBm\",\"limit\":-60}]}"

static limits_set *parse_limits(const char *text, rfn_error *err)
{
    limits_set *s = NULL;
    rfn_error_clear(err);
    limits_parse(text, strlen(text), "t.json", &s, err);
    return s;
}

static void expect_limits_error(const char *text, const char *msg)
{
    rfn_error err;
    limits_set *s = parse_limits(text, &err);
    CHECK_MSG(!s && strcmp(err.msg, msg) == 0, "\n got  '%s'\n want '%s'", err.msg, msg);
    limits_free(s);
}

static void test_limits_fields(void)
{
    rfn_error err;
    limits_set *s = parse_limits(LHEAD LBANDS, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s)
        CHECK(s->decision_rule == DECISION_SIMPLE && isnan(s->u_cispr_db));
    limits_free(s);
    s = parse_limits(LHEAD "\"decision_rule\":\"cispr-16-4-2\",\"u_cispr_db\":5.2," LBANDS, &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s)
        CHECK(s->decision_rule == DECISION_CISPR_16_4_2 && s->u_cispr_db == 5.2 &&
              s->bands[0].u_cispr_db == 5.2);
    limits_free(s);
    /* A band's own U_cispr wins over the set's; with every band stating one, the set need not. */
    s = parse_limits(LHEAD "\"decision_rule\":\"cispr-16-4-2\",\"bands\":[{\"id\":\"b\","
                     "\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":\"channel_power\","
                     "\"unit\":\"dBm\",\"limit\":-60,\"u_cispr_db\":6.3}]}", &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (s)
        CHECK(isnan(s->u_cispr_db) && s->bands[0].u_cispr_db == 6.3);
    limits_free(s);
    expect_limits_error(LHEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,"
                        "\"quantity\":\"channel_power\",\"unit\":\"dBm\",\"limit\":-60,"
                        "\"u_cispr_db\":40}]}",
                        "t.json: bands[0].u_cispr_db: must be a number of dB in 0 ... 30");
    expect_limits_error(LHEAD "\"decision_rule\":\"lenient\"," LBANDS,
                        "t.json: decision_rule: unknown rule 'lenient' (simple, guarded-accept, "
                        "guarded-reject, cispr-16-4-2)");
    expect_limits_error(LHEAD "\"decision_rule\":\"cispr-16-4-2\"," LBANDS,
                        "t.json: u_cispr_db: missing (bands[0] 'b' has none; the cispr-16-4-2 "
                        "rule compares the lab's uncertainty with it)");
    expect_limits_error(LHEAD "\"u_cispr_db\":-1," LBANDS,
                        "t.json: u_cispr_db: must be a number of dB in 0 ... 30");
    expect_limits_error(LHEAD "\"u_cispr_db\":\"5\"," LBANDS,
                        "t.json: u_cispr_db: must be a number of dB in 0 ... 30");
}

#define CHEAD "{\"format\":\"rfnoise-calibration-1\",\"id\":\"t\",\"gain_db\":10,"

static void test_calibration_uncertainty(void)
{
    rfn_error err;
    calibration *c = NULL;
    double u = NAN;
    const char *scalar = CHEAD "\"uncertainty_db\":3.1}";
    CHECK_OK(calibration_parse(scalar, strlen(scalar), "c.json", &c, &err));
    if (c) {
        CHECK_OK(calibration_uncertainty_db(c, 400e6, 430e6, &u, &err));
        CHECK(u == 3.1);
    }
    calibration_free(c);
    c = NULL;
    /* A table: the largest value over the band, at an edge or a point inside it. */
    const char *table = CHEAD "\"uncertainty_db\":[[1e8,2.0],[5e8,4.0],[1e9,3.0]]}";
    CHECK_OK(calibration_parse(table, strlen(table), "c.json", &c, &err));
    if (c) {
        CHECK_OK(calibration_uncertainty_db(c, 400e6, 800e6, &u, &err));
        CHECK_NEAR(u, 4.0, 1e-12);
        CHECK_OK(calibration_uncertainty_db(c, 1e8, 1e8, &u, &err));
        CHECK_NEAR(u, 2.0, 1e-12);
        /* halfway in log f between 1e8 and 5e8: 3.0 dB */
        double mid = sqrt(1e8 * 5e8);
        CHECK_OK(calibration_uncertainty_db(c, mid, mid, &u, &err));
        CHECK_NEAR(u, 3.0, 1e-9);
        CHECK(calibration_uncertainty_db(c, 2e9, 2.4e9, &u, &err) != RFN_OK);
    }
    calibration_free(c);
    c = NULL;
    const char *none = CHEAD "\"_note\":\"none\"}";
    CHECK_OK(calibration_parse(none, strlen(none), "c.json", &c, &err));
    if (c)
        CHECK(calibration_uncertainty_db(c, 1e8, 2e8, &u, &err) == RFN_ERR_NOTFOUND);
    calibration_free(c);
    c = NULL;
    const char *bad = CHEAD "\"uncertainty_db\":31}";
    CHECK(calibration_parse(bad, strlen(bad), "c.json", &c, &err) == RFN_ERR_FORMAT);
    CHECK_MSG(strcmp(err.msg, "c.json: uncertainty_db: 31 dB: must be 0 ... 30 dB") == 0,
              "got '%s'", err.msg);
    calibration_free(c);
}

int main(void)
{
    test_rules_table();
    test_uncertainty_not_stated();
    test_rule_options();
    test_limits_fields();
    test_calibration_uncertainty();
    return check_finish();
}
