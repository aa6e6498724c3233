/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_reasons.c: the primary reason of each non-compliant install and the report's reasons
 * section and reasons.csv (report_reasons.h). */
#include "report_reasons.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_util.h"
#include "field_table.h"
#include "text_escape.h"

enum { R = NC_REASON_COUNT, LEADING_MONTHS = 3 };

static const char *const reason_names[R] = {
    [NC_MODEL_NEVER_DEROGATED] = "model-never-derogated",
    [NC_INSTALLED_AFTER_CUTOFF] = "installed-after-cut-off",
    [NC_OUTSIDE_LOCATION] = "outside-acceptable-location",
    [NC_FIRMWARE_NOT_COVERED] = "firmware-not-covered",
    [NC_EXCEEDS_DEROGATION_LIMIT] = "exceeds-derogation-limit",
    [NC_NO_EVIDENCE_BEFORE_INSTALL] = "no-evidence-before-install",
    [NC_UNCLASSIFIED] = "unclassified",
};

/* Bar colours of the chart, one per reason (colour-blind safe: Okabe & Ito, 2008). */
static const char *const reason_colours[R] = {"#000000", "#E69F00", "#56B4E9", "#009E73",
                                              "#F0E442", "#0072B2", "#999999"};

const char *nc_reason_name(nc_reason r)
{
    return (unsigned)r < R ? reason_names[r] : "unknown";
}

static bool has_code(const char *reasons, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = reasons; p && (p = strstr(p, code)); p += n)
        if ((p == reasons || p[-1] == ';') && (p[n] == '\0' || p[n] == ';')) return true;
    return false;
}

nc_reason nc_reason_of(const char *reasons, const char *evidence, unsigned *all)
{
    bool fw = has_code(reasons, "firmware-not-covered");
    unsigned a = 0;
    a |= (unsigned)(has_code(reasons, "model-not-derogated") && !fw) << NC_MODEL_NEVER_DEROGATED;
    a |= (unsigned)has_code(reasons, "installed-after-cutoff") << NC_INSTALLED_AFTER_CUTOFF;
    a |= (unsigned)has_code(reasons, "location-not-acceptable") << NC_OUTSIDE_LOCATION;
    a |= (unsigned)fw << NC_FIRMWARE_NOT_COVERED;
    a |= (unsigned)has_code(reasons, "exceeds-derogation-limit") << NC_EXCEEDS_DEROGATION_LIMIT;
    a |= (unsigned)(evidence && strcmp(evidence, "lab-model") == 0)
         << NC_NO_EVIDENCE_BEFORE_INSTALL;
    nc_reason p = NC_UNCLASSIFIED;
    for (int r = 0; r < NC_UNCLASSIFIED && p == NC_UNCLASSIFIED; r++)
        if (a & (1u << r)) p = (nc_reason)r;
    if (p == NC_UNCLASSIFIED) a |= 1u << NC_UNCLASSIFIED;
    *all = a;
    return p;
}

/* ---- tallies and fits ------------------------------------------------------------------------ */

struct reasons_data {
    int first_month, n_months;
    const char *group; /* what sup names: "Supplier" or "Installer" */
    const char **sup;  /* sorted group names: the array is ours, the strings the caller's */
    size_t n_sup;
    double *prim;      /* [(n_sup + 1) * R * nm] primary counts; row n_sup: all Suppliers */
    double *sec;       /* the same, secondary */
    double *total;     /* [(n_sup + 1) * nm] non-compliant installs */
    trend_fit *fit;    /* [(n_sup + 1) * R] */
};

static size_t nm_of(const reasons_data *d)
{
    return (size_t)d->n_months;
}

static double *prim_at(const reasons_data *d, size_t s, int r)
{
    return d->prim + (s * R + (size_t)r) * nm_of(d);
}

static long sup_index(const reasons_data *d, const char *name)
{
    size_t lo = 0, hi = d->n_sup;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(d->sup[mid], name);
        if (!c) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void tally(reasons_data *d, const nc_reason_install *x)
{
    int m = x->month - d->first_month;
    long s = sup_index(d, x->supplier);
    if (m < 0 || m >= d->n_months || s < 0) return;
    size_t nm = nm_of(d), rows[2] = {(size_t)s, d->n_sup};
    for (int k = 0; k < 2; k++) {
        d->total[rows[k] * nm + (size_t)m]++;
        for (int r = 0; r < R; r++) {
            if (!(x->all & (1u << r))) continue;
            double *base = r == (int)x->primary ? d->prim : d->sec;
            base[(rows[k] * R + (size_t)r) * nm + (size_t)m]++;
        }
    }
}

/* Each reason's share of the non-compliant installs: a fit that cannot be made is "unknown". */
static void fit_all(reasons_data *d)
{
    rfn_error e = {0};
    for (size_t s = 0; s <= d->n_sup; s++)
        for (int r = 0; r < R; r++) {
            trend_fit *f = &d->fit[s * R + (size_t)r];
            if (trend_fit_rate(prim_at(d, s, r), d->total + s * nm_of(d), nm_of(d), f, &e)) {
                *f = (trend_fit){.direction = TREND_UNKNOWN, .growth = NAN, .growth_lo = NAN,
                                 .growth_hi = NAN, .note = "the fit did not converge"};
            }
        }
}

rfn_status reasons_build(const nc_reason_install *nc, size_t n, int first_month, int n_months,
                         const char *group, const char *const *suppliers, size_t n_suppliers,
                         reasons_data **out, rfn_error *err)
{
    *out = NULL;
    reasons_data *d = calloc(1, sizeof *d);
    size_t nm = n_months > 0 ? (size_t)n_months : 0, rows = n_suppliers + 1;
    if (d) {
        *d = (reasons_data){.first_month = first_month, .n_months = (int)nm, .group = group,
                            .n_sup = n_suppliers};
        d->sup = calloc(n_suppliers + 1, sizeof *d->sup);
        for (size_t s = 0; d->sup && s < n_suppliers; s++)
            d->sup[s] = suppliers[s];
        d->prim = calloc(rows * R * nm + 1, sizeof *d->prim);
        d->sec = calloc(rows * R * nm + 1, sizeof *d->sec);
        d->total = calloc(rows * nm + 1, sizeof *d->total);
        d->fit = calloc(rows * R, sizeof *d->fit);
    }
    if (!d || !d->sup || !d->prim || !d->sec || !d->total || !d->fit) {
        reasons_free(d);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        tally(d, &nc[i]);
    fit_all(d);
    *out = d;
    return RFN_OK;
}

void reasons_free(reasons_data *d)
{
    if (!d) return;
    free(d->sup);
    free(d->prim);
    free(d->sec);
    free(d->total);
    free(d->fit);
    free(d);
}

trend_direction reasons_direction(const reasons_data *d, size_t s, nc_reason r)
{
    if (s == SIZE_MAX) s = d->n_sup;
    return s <= d->n_sup && (unsigned)r < R ? d->fit[s * R + (size_t)r].direction
                                            : TREND_UNKNOWN;
}

/* Primary installs of reason r by row s over months [m0, nm). */
static double sum_months(const reasons_data *d, size_t s, int r, int m0)
{
    double t = 0;
    const double *p = prim_at(d, s, r);
    for (int m = m0 < 0 ? 0 : m0; m < d->n_months; m++)
        t += p[m];
    return t;
}

nc_reason reasons_leading(const reasons_data *d, size_t s)
{
    if (s == SIZE_MAX) s = d->n_sup;
    nc_reason best = NC_REASON_COUNT;
    double most = 0;
    for (int r = 0; r < R; r++) {
        double t = sum_months(d, s, r, d->n_months - LEADING_MONTHS);
        if (t > most) { /* ties: the earlier reason of the list */
            most = t;
            best = (nc_reason)r;
        }
    }
    return best;
}

/* ---- reasons.csv ----------------------------------------------------------------------------- */

/* One row of reasons.csv: a group (Supplier or installer), install month and reason. */
typedef struct reason_row {
    const char *name;
    char month[TREND_MONTH_TEXT_LEN];
    const char *reason;
    double primary, secondary;
} reason_row;

FIELD_TEXT_FN(rf_name, reason_row, r->name)
FIELD_TEXT_FN(rf_month, reason_row, r->month)
FIELD_TEXT_FN(rf_reason, reason_row, r->reason)
FIELD_NUM_FN(rf_primary, reason_row, r->primary)
FIELD_NUM_FN(rf_secondary, reason_row, r->secondary)

void reasons_write_csv(FILE *f, const reasons_data *d)
{
    /* the first column is named for the group: Supplier or Installer */
    const record_field cols[] = {
        {d->group, FIELD_TEXT, rf_name, NULL, 0},   {"month", FIELD_TEXT, rf_month, NULL, 0},
        {"reason", FIELD_TEXT, rf_reason, NULL, 0}, {"primary", FIELD_INT, NULL, rf_primary, 0},
        {"secondary", FIELD_INT, NULL, rf_secondary, 0},
    };
    size_t n_cols = sizeof cols / sizeof cols[0], nm = nm_of(d);
    field_csv_header(f, cols, n_cols);
    for (size_t s = 0; s < d->n_sup; s++)
        for (size_t m = 0; m < nm; m++)
            for (int r = 0; r < R; r++) {
                reason_row row = {.name = d->sup[s], .reason = reason_names[r],
                                  .primary = prim_at(d, s, r)[m],
                                  .secondary = d->sec[(s * R + (size_t)r) * nm + m]};
                if (row.primary <= 0 && row.secondary <= 0) continue;
                trend_month_text(d->first_month + (int)m, row.month);
                field_csv_row(f, cols, n_cols, &row);
            }
}

/* ---- the report section ---------------------------------------------------------------------- */

static const char *direction_words(trend_direction t)
{
    return t == TREND_RISING    ? "rising"
           : t == TREND_FALLING ? "falling"
           : t == TREND_FLAT    ? "flat"
                                : "not fitted";
}

/* "The leading reason over the last 3 complete months (A to B): Supplier: reason (k of n); ...",
 * for each Supplier with a non-compliant install in the window. */
static void write_leading(FILE *f, const reasons_data *d)
{
    char a[16], b[16];
    int m0 = d->n_months > LEADING_MONTHS ? d->n_months - LEADING_MONTHS : 0;
    trend_month_text(d->first_month + m0, a);
    trend_month_text(d->first_month + d->n_months - 1, b);
    fprintf(f, "<p class=\"statement\">Leading reason for non-compliant installs over the last "
               "3 complete months (%s to %s)%s: ", a, b,
            strcmp(d->group, "Supplier") ? ", by installer" : "");
    bool first = true;
    for (size_t s = 0; s < d->n_sup; s++) {
        nc_reason r = reasons_leading(d, s);
        double all = 0, ever = 0;
        for (int m = 0; m < d->n_months; m++) {
            ever += d->total[s * nm_of(d) + (size_t)m];
            all += m >= m0 ? d->total[s * nm_of(d) + (size_t)m] : 0;
        }
        if (ever <= 0) continue; /* a Supplier without any non-compliant install in the window */
        fputs(first ? "" : "; ", f);
        first = false;
        html_escape(f, d->sup[s]);
        if (r == NC_REASON_COUNT)
            fputs(": none (no non-compliant install)", f);
        else
            fprintf(f, ": %s (%.0f of %.0f)", reason_names[r], sum_months(d, s, r, m0), all);
    }
    fputs(".</p>\n", f);
}

static void fit_words(FILE *f, const trend_fit *t)
{
    fputs(direction_words(t->direction), f);
    if (t->direction != TREND_UNKNOWN)
        fprintf(f, " (%+.1f %% per month, 95 %% CI %+.1f %% to %+.1f %%)", 100 * t->growth,
                100 * t->growth_lo, 100 * t->growth_hi);
}

/* "Each reason's share ...: reason rising (...); ..." over all Suppliers, then the Suppliers
 * whose share of a reason is rising. */
static void write_shares(FILE *f, const reasons_data *d)
{
    fputs("<p class=\"statement\">Share of each primary reason among the non-compliant "
          "installs, at 95 % confidence: ", f);
    bool first = true;
    for (int r = 0; r < R; r++) {
        const trend_fit *t = &d->fit[d->n_sup * R + (size_t)r];
        if (t->total <= 0) continue;
        fprintf(f, "%s%s ", first ? "" : "; ", reason_names[r]);
        fit_words(f, t);
        first = false;
    }
    fputs(first ? "no non-compliant install.</p>\n" : ".</p>\n", f);
    fputs("<p class=\"statement\">Rising shares by Supplier: ", f);
    first = true;
    for (size_t s = 0; s < d->n_sup; s++)
        for (int r = 0; r < R; r++) {
            const trend_fit *t = &d->fit[s * R + (size_t)r];
            if (t->direction != TREND_RISING) continue;
            fputs(first ? "" : "; ", f);
            html_escape(f, d->sup[s]);
            fprintf(f, ": %s ", reason_names[r]);
            fit_words(f, t);
            first = false;
        }
    fputs(first ? "none.</p>\n" : ".</p>\n", f);
}

/* Stacked bars of the primary reasons by install month (inline SVG, no script). */
static void write_chart(FILE *f, const reasons_data *d)
{
    size_t nm = nm_of(d);
    double most = 1;
    for (size_t m = 0; m < nm; m++)
        most = fmax(most, d->total[d->n_sup * nm + m]);
    const double w = 720, h = 200, bw = nm ? w / (double)nm : w;
    fprintf(f, "<figure><svg width=\"%.0f\" height=\"%.0f\" "
               "role=\"img\" aria-label=\"non-compliant installs by primary reason and month\">\n",
            w + 10, h + 20);
    for (size_t m = 0; m < nm; m++) {
        double y = h;
        for (int r = 0; r < R; r++) {
            double v = prim_at(d, d->n_sup, r)[m];
            if (v <= 0) continue;
            double bh = v / most * h;
            y -= bh;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>%s: %.0f</title></rect>\n",
                    (double)m * bw, y, bw * 0.9, bh, reason_colours[r], reason_names[r], v);
        }
    }
    char a[16], b[16];
    trend_month_text(d->first_month, a);
    trend_month_text(d->first_month + d->n_months - 1, b);
    fprintf(f, "<text x=\"0\" y=\"%.0f\" font-size=\"12\">%s</text><text x=\"%.0f\" y=\"%.0f\" "
               "font-size=\"12\" text-anchor=\"end\">%s (most %.0f a month)</text></svg>\n",
            h + 16, a, w, h + 16, b, most);
    fputs("<figcaption>", f);
    for (int r = 0; r < R; r++)
        fprintf(f, "%s<span style=\"color:%s\">&#9632;</span> %s", r ? " " : "",
                reason_colours[r], reason_names[r]);
    fputs("</figcaption></figure>\n", f);
}

static void header_row(FILE *f, const char *first)
{
    fprintf(f, "<table><tr><th>%s</th>", first);
    for (int r = 0; r < R; r++)
        fprintf(f, "<th>%s</th>", reason_names[r]);
    fputs("<th>all</th></tr>\n", f);
}

static void write_by_group(FILE *f, const reasons_data *d)
{
    char head[64];
    snprintf(head, sizeof head, "%s (primary reason; share trend)", d->group);
    header_row(f, head);
    for (size_t s = 0; s <= d->n_sup; s++) {
        fputs("<tr><td>", f);
        if (s < d->n_sup)
            html_escape(f, d->sup[s]);
        else
            fprintf(f, "all %ss", d->group);
        fputs("</td>", f);
        double all = 0;
        for (int r = 0; r < R; r++) {
            double t = sum_months(d, s, r, 0);
            all += t;
            fprintf(f, "<td class=\"n\">%.0f (%s)</td>", t,
                    direction_words(d->fit[s * R + (size_t)r].direction));
        }
        fprintf(f, "<td class=\"n\">%.0f</td></tr>\n", all);
    }
    fputs("</table>\n", f);
}

static void write_by_month(FILE *f, const reasons_data *d)
{
    header_row(f, "install month");
    for (size_t m = 0; m < nm_of(d); m++) {
        if (d->total[d->n_sup * nm_of(d) + m] <= 0) continue;
        char label[16];
        trend_month_text(d->first_month + (int)m, label);
        fprintf(f, "<tr><td>%s</td>", label);
        for (int r = 0; r < R; r++)
            fprintf(f, "<td class=\"n\">%.0f</td>", prim_at(d, d->n_sup, r)[m]);
        fprintf(f, "<td class=\"n\">%.0f</td></tr>\n", d->total[d->n_sup * nm_of(d) + m]);
    }
    fputs("</table>\n", f);
}

void reasons_write_html(FILE *f, const reasons_data *d, const reasons_data *by_installer)
{
    fputs("<h2 id=\"reasons\">Reasons for non-compliant installs</h2>\n", f);
    if (d->n_months <= 0) {
        fputs("<p>No non-compliant install in a complete install month.</p>\n", f);
        return;
    }
    write_leading(f, d);
    write_shares(f, d);
    fputs("<p>Each non-compliant install has one primary reason, the first of this list that "
          "applies: model-never-derogated, installed-after-cut-off, "
          "outside-acceptable-location, firmware-not-covered, exceeds-derogation-limit, "
          "no-evidence-before-install (the verdict rests on the model&#39;s lab result alone, "
          "so a pre-install check, validate --planned, would have caught it); the others that "
          "apply are kept as secondary (reasons.csv). A share&#39;s trend is the Poisson "
          "regression of the trend section with the month&#39;s non-compliant installs as "
          "exposure. Months as in the trend section.</p>\n", f);
    write_chart(f, d);
    write_by_group(f, d);
    write_by_month(f, d);
    if (!by_installer) return;
    fputs("<h3 id=\"reasons-installer\">By installer</h3>\n<p>From the register&#39;s Installer "
          "column, as the extract of each result set gave it (\"(not given)\" where a row left "
          "it empty); the same data in reasons-by-installer.csv.</p>\n", f);
    write_leading(f, by_installer);
    write_by_group(f, by_installer);
}
