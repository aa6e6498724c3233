/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.h: the network operator's remediation report from a workspace: a self-contained HTML page
 * (inline CSS and SVG, no scripts, nothing fetched) and the CSVs beside it. */
#ifndef RFN_REPORT_H
#define RFN_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "rfn_error.h"
#include "store.h"

typedef struct report_config {
    const char *out_dir; /* created when absent */
    int32_t as_of;       /* days since 1970-01-01: cases, history and snapshots up to this date */
    bool plots;          /* draw the gnuplot charts (default true); without gnuplot the page
                          * still renders and says why the charts are missing */
    const char *tool_version; /* rfnoise version for the provenance section */
    int32_t cut_off;     /* the derogations' cut-off (their latest InstallBy), days; marked on
                          * the trend chart, and the non-compliant installs after it followed
                          * on their own per Supplier (issue 15); STORE_NO_DATE: not given,
                          * the newest result set's (summary.json derogation_list.cut_off) */
} report_config;

report_config report_config_default(void);

/* What was written, for the command's summary line. */
typedef struct report_summary {
    uint64_t cases, active_cases, suppliers, plan_files;
    uint64_t noncompliant_devices;
    const char *trend; /* "rising" | "falling" | "flat" | "unknown" (static string) */
    bool plots_drawn;
} report_summary;

/* Write into cfg->out_dir:
 *   report.html                   the page (every value from data HTML-escaped);
 *   cases.csv                     every case with its state at as_of;
 *   remediation-plan-<S>.csv      per Supplier with cases: its open and overdue cases by due date
 *                                 with the agreed plan date (<S>: the Supplier's name with every
 *                                 byte outside [A-Za-z0-9._-] replaced by '_', at most 60 bytes;
 *                                 "-2", "-3" ... appended when two names collide);
 *   trend.csv                     non-compliant installs per install month, all and per Supplier;
 *   reasons.csv                   their primary and secondary reasons per Supplier and install
 *                                 month (report_reasons.h);
 *   trend.svg, suppliers.svg, ageing.svg (the charts embedded in the page) when drawn.
 * Every file goes through atomic_file. Reproducible: the same workspace and as_of give the same
 * bytes (no wall-clock time anywhere). */
rfn_status report_write(store *s, const report_config *cfg, report_summary *out, rfn_error *err);

/* The file-name part for a Supplier (see above), into out (cap >= 64). Exposed for tests. */
void report_sanitise_name(const char *name, char *out, size_t cap);

#endif
