/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_reasons.h: why non-compliant installs were made (issue 20 §2): one primary reason per
 * non-compliant install from a fixed list, the others kept as secondary; tallies by install
 * month and Supplier, the leading reason per Supplier over the last 3 complete months, and
 * whether each reason's share is rising, falling or flat (the trend's model, trend.h). */
#ifndef RFN_REPORT_REASONS_H
#define RFN_REPORT_REASONS_H

#include <stddef.h>
#include <stdio.h>

#include "rfn_error.h"
#include "trend.h"

/* The primary reasons, in order of precedence (README "Reasons for non-compliant installs"):
 * an install's primary reason is the first that applies, the others that apply are secondary.
 *   model-never-derogated       exceeds the limit; no derogation names the model
 *                               (reason model-not-derogated without firmware-not-covered)
 *   installed-after-cut-off     a derogation covers it and the location, but the install came
 *                               after its cut-off (installed-after-cutoff)
 *   outside-acceptable-location a derogation covers the model and firmware, not the location
 *                               (location-not-acceptable): derogated stock in the wrong place
 *   firmware-not-covered        a derogation names the model, none its firmware
 *   exceeds-derogation-limit    derogated where and when it may be, but louder than the
 *                               derogation limit
 *   no-evidence-before-install  the verdict rests on the lab result of the model + firmware
 *                               alone (evidence lab-model): a pre-install check (validate
 *                               --planned) would have given the same verdict before the install
 * An install with none of them (not expected from classify) is "unclassified". */
typedef enum nc_reason {
    NC_MODEL_NEVER_DEROGATED = 0,
    NC_INSTALLED_AFTER_CUTOFF,
    NC_OUTSIDE_LOCATION,
    NC_FIRMWARE_NOT_COVERED,
    NC_EXCEEDS_DEROGATION_LIMIT,
    NC_NO_EVIDENCE_BEFORE_INSTALL,
    NC_UNCLASSIFIED,
    NC_REASON_COUNT
} nc_reason;

const char *nc_reason_name(nc_reason r);

/* The reasons of one non-compliant verdict from its reason codes (';'-separated, as in
 * devices.csv) and evidence: the primary reason, and in *all the bit (1u << reason) of every
 * reason that applies, the primary's included. */
nc_reason nc_reason_of(const char *reasons, const char *evidence, unsigned *all);

/* One non-compliant install. */
typedef struct nc_reason_install {
    const char *supplier; /* or the installer, for a table by installer */
    int month; /* year * 12 + month - 1 */
    nc_reason primary;
    unsigned all;
} nc_reason_install;

typedef struct reasons_data reasons_data;

/* Tally the installs whose month lies in [first_month, first_month + n_months) (the trend's
 * window) over the sorted names of a group (nc_reason_install.supplier; group "Supplier" or
 * "Installer", the CSV's first column; the strings must outlive *out), and fit each reason's
 * share of the non-compliant installs (trend_fit_rate: the reason's monthly count with the
 * month's non-compliant installs as exposure), over the whole group and per name. */
rfn_status reasons_build(const nc_reason_install *nc, size_t n, int first_month, int n_months,
                         const char *group, const char *const *suppliers, size_t n_suppliers,
                         reasons_data **out, rfn_error *err);
void reasons_free(reasons_data *rd); /* NULL is a no-op */

/* reasons.csv: Supplier,month,reason,primary,secondary: for each Supplier, install month and
 * reason with an install, the installs whose primary reason it is and those where it is
 * secondary (reasons-by-installer.csv: the same with Installer first). */
void reasons_write_csv(FILE *f, const reasons_data *rd);

/* The report section (id "reasons"): the statements, an inline SVG chart of the primary reasons
 * by install month, and the tables by month and by Supplier; then, with by_installer (NULL when
 * the extracts gave no Installer), the leading reason and the table by installer (issue 20). */
void reasons_write_html(FILE *f, const reasons_data *rd, const reasons_data *by_installer);

/* For tests and the summary: the direction of reason r's share, over all Suppliers (supplier
 * SIZE_MAX) or for one; the leading primary reason of a Supplier over the last 3 months of the
 * window (NC_REASON_COUNT when it had no non-compliant install then). */
trend_direction reasons_direction(const reasons_data *rd, size_t supplier, nc_reason r);
nc_reason reasons_leading(const reasons_data *rd, size_t supplier);

#endif
