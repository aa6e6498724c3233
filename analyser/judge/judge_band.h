/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_band.h: a band verdict from a band measurement and a limit (docs/architecture.md
 * §Verdicts). The decision rule of analyse.h, kept apart from measuring so that a measurement
 * kept in captures.jsonl, a lab result or measurements.csv can be judged again against another
 * limit set (validate's lab results, rfnoise rejudge) with the very rule analyse used. */
#ifndef RFN_JUDGE_BAND_H
#define RFN_JUDGE_BAND_H

#include "limits.h"
#include "records.h"
#include "rfn_error.h"

/* A band's stated noise floor closer than this to the limit cannot prove a pass (issue 5). */
#define NOISE_FLOOR_MARGIN_DB 3.0

#define JUDGE_GEOMETRY_LEN 17 /* 16 hex digits and the terminator */

/* The geometry key of band b: the first 16 hex digits of the SHA-256 of what a measurement for
 * b measures: quantity, trace, unit, edges, RBW, reference bandwidth and the shape of a mask
 * relative to its first level. Moving a limit up or down by a constant keeps the key, so a
 * what-if limit set with other values re-judges kept measurements exactly; any other change
 * means the kept number measured something else ("measured-otherwise"). */
void judge_band_geometry(const limits_band *b, char key[JUDGE_GEOMETRY_LEN]);

/* Copy b's definition into v (id, label, edges, quantity, trace, unit, RBW, reference
 * bandwidth, derogation limit) and clear the rest to "not measured" (NANs, no verdict). */
void judge_band_define(const limits_band *b, band_verdict *v);

/* The rule a margin is judged by (README "Decision rules"). */
typedef struct judge_rule {
    double guard_db;       /* >= 0: a pass needs margin >= guard_db (--guard) */
    decision_rule rule;    /* never DECISION_FROM_LIMITS */
    int has_uncertainty;   /* 1: uncertainty_db replaces the measurement's own */
    double uncertainty_db; /* expanded uncertainty (k = 2), dB */
} judge_rule;

/* The rule for judging against set (NULL: none) under the options s asked for: s's rule, else
 * the set's (simple when there is no set). */
judge_rule judge_rule_for(const limits_set *set, const analysis_settings *s);

/* RFN_ERR_INVALID naming set's file and the band when the rule d asks for over set is
 * cispr-16-4-2 and a band of set has no u_cispr_db (an input error: the rule cannot be
 * applied). */
rfn_status judge_rule_check(const limits_set *set, const decision_options *d, rfn_error *err);

/* Judge m against b (README "Device verdicts" and "Decision rules", analyse.h's decision
 * rule): v gets b's definition, m, the limit at m's worst point, margin = limit - measured (NAN
 * unless m is in the limit's unit), the rule and uncertainty used, the verdict and the reasons
 * (m's flags and the judgement's). Under r:
 *   simple          fail when margin < 0, pass when margin >= guard_db;
 *   guarded-accept  pass only when margin > U (also >= guard_db), else "within-uncertainty";
 *   guarded-reject  fail only when margin < -U, else "within-uncertainty";
 *   cispr-16-4-2    margin - max(0, U - U_cispr) judged as simple (U_cispr: b's u_cispr_db);
 * where a rule needs U and none is stated, the verdict it would guard is inconclusive
 * ("uncertainty-not-stated"). m must have been measured for b's geometry. */
void judge_band(const limits_band *b, const band_measurement *m, const judge_rule *r,
                band_verdict *v);

/* The verdict v's rule and uncertainty give margin_db against another limit of v's band (a
 * derogation's: README "Decision rules"), with no guard band: VERDICT_PASS, VERDICT_FAIL, or
 * VERDICT_INCONCLUSIVE with *held set to the band_reason that holds it ("within-uncertainty",
 * "uncertainty-not-stated"). A margin that is not finite is inconclusive,
 * "measurement-invalid". */
band_verdict_kind judge_band_margin(const band_verdict *v, double margin_db, unsigned *held);

/* Judge the kept measurements of res again against set: every band of set that applies to
 * res->settings.region / han gets the measurement kept under its id when the geometry keys
 * agree (a measurement with no key, from an older rfnoise, is taken when the quantity, trace,
 * unit, edges, RBW and reference bandwidth agree), "measured-otherwise" (inconclusive) when
 * they do not; a band res never measured is left out (a device then lacks it:
 * "band-not-measured"). The rule is judge_rule_for(set, &res->settings): set
 * res->settings.guard_db and .decision first. res's limit set fields, decision rule and verdict
 * follow set. RFN_ERR_NOMEM. */
rfn_status judge_capture(const limits_set *set, capture_analysis *res, rfn_error *err);

#endif
