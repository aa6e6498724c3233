/* SPDX-License-Identifier: GPL-2.0-or-later */
/* classify.h: the per-device verdict (docs/architecture.md §Verdicts) from per-band capture
 * results, the device's register facts, the limit set and the derogation list. Pure: no I/O, no
 * allocation. */
#ifndef RFN_CLASSIFY_H
#define RFN_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "derogation.h"
#include "identifiers.h"
#include "limits.h"
#include "records.h"

/* What the register says about the device (strings as in the register; postcode normalised). */
typedef struct classify_device_info {
    const char *manufacturer, *model, *firmware;
    csp_region region;
    han_variant han;
    const char *postcode;
    int32_t install_date; /* days since 1970-01-01; REGISTER_NO_DATE when unknown */
} classify_device_info;

/* One piece of evidence: an analysed capture, or NULL for a capture that could not be read
 * (it counts as inconclusive "capture-unreadable"). */
typedef struct classify_evidence {
    const capture_analysis *const *results;
    size_t n;
    device_evidence kind; /* EVIDENCE_CAPTURE or EVIDENCE_LAB_MODEL */
} classify_evidence;

/* Rules (README "Device verdicts"):
 * - A band result counts when its band id is in `set` and applies to the device's region and HAN
 *   variant (limits_band_applies); others are not-applicable. A result whose band was not
 *   covered at all by the capture (covered_fraction 0) is not evidence for that band.
 * - Each counting result gives an outcome: pass -> compliant; fail -> the derogation list is
 *   consulted for (manufacturer, model, firmware, band, region, HAN, postcode, install date):
 *   a matching rule whose derogation limit (the rule's, or the limit set's derogation_limit)
 *   is not exceeded -> derogation-compliant; exceeded -> non-compliant
 *   "exceeds-derogation-limit"; no rule -> non-compliant "exceeds-limit" plus the rule outcome
 *   ("model-not-derogated", "location-not-acceptable", "installed-after-cutoff"; with
 *   model-not-derogated also "firmware-not-covered" when a rule names the model); register
 *   lacking what the rule needs -> inconclusive ("location-unknown", "install-date-unknown");
 *   inconclusive -> inconclusive with analyse's band reasons.
 * - The worst outcome decides (non-compliant > inconclusive > derogation-compliant >
 *   compliant), ties broken by the smallest margin, then evidence order; reasons are the union
 *   over every result with the deciding outcome.
 * - Evidence is judged per band: the own captures' results for every band they cover; for an
 *   applicable band no own capture covered, the lab results (exact model + firmware) for that
 *   band. An applicable band of `set` that neither covers is inconclusive "band-not-measured",
 *   so a device can be compliant only when every applicable band was measured and passed.
 * - Evidence ("evidence"): "capture" when only own captures were used, "lab-model" when only
 *   lab results were (or there are no own captures), "capture+lab-model" when both were;
 *   n_captures is the number of own captures, or of lab results for "lab-model".
 * - Evidence with no counting result at all: inconclusive "no-applicable-band-measured".
 *   No evidence at all: unassessed "no-evidence". */
void classify_device_evidence(const limits_set *set, const derogation_list *derogations,
                              const classify_device_info *dev, const classify_evidence *own,
                              const classify_evidence *lab, device_verdict *out);

/* classify_device_evidence with ev as the own captures (ev->kind EVIDENCE_CAPTURE) or as the
 * lab results (EVIDENCE_LAB_MODEL) and nothing else. */
void classify_device(const limits_set *set, const derogation_list *derogations,
                     const classify_device_info *dev, const classify_evidence *ev,
                     device_verdict *out);

/* How many results of ev count for the device (applicable, at least partly covered). */
size_t classify_counting_results(const limits_set *set, const classify_device_info *dev,
                                 const classify_evidence *ev);

const char *classify_verdict_name(device_verdict_kind v); /* "compliant", ... */
/* The verdict named name, or DEVICE_VERDICT_COUNT when it names none. */
device_verdict_kind classify_verdict_from_name(const char *name);
const char *classify_evidence_name(device_evidence e); /* "capture", "lab-model",
                                                         "capture+lab-model", "none" */
const char *classify_reason_name(unsigned bit);           /* one enum device_reason bit */

/* The reason codes of a bit set joined by ';' in bit order into buf (size bytes). */
void classify_reasons_text(unsigned reasons, char *buf, size_t size);

/* The deadlines a non-compliance notice sets (docs/architecture.md §Domain): the plan is
 * due 10 days after the notice and the removal 90 days after it. The one place they are set:
 * validate's noncompliance.csv and the workspace's cases both take them from here. Days are
 * days since 1970-01-01 (identifiers.h, iso_date_parse). */
enum { REMEDIATION_PLAN_DAYS = 10, REMEDIATION_REMOVAL_DAYS = 90 };
typedef struct remediation_deadlines {
    int32_t notice_day, plan_due_day, removal_due_day;
} remediation_deadlines;
remediation_deadlines remediation_deadlines_from_notice(int32_t notice_day);

#endif
