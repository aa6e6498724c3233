/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare_out.c: the before/after comparison as text, CSV and JSON over one field table, and its
 * plots (compare_out.h). */
#include "compare_out.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_util.h"
#include "field_table.h"
#include "plot.h"
#include "units.h"

/* ---- the field table ------------------------------------------------------------------------- */

FIELD_TEXT_FN(cf_band, compare_row, r->band)
FIELD_NUM_FN(cf_lo, compare_row, r->f_lo_hz)
FIELD_NUM_FN(cf_hi, compare_row, r->f_hi_hz)
FIELD_NUM_FN(cf_before, compare_row, r->level_before)
FIELD_NUM_FN(cf_after, compare_row, r->level_after)
FIELD_TEXT_FN(cf_unit, compare_row, r->unit)
FIELD_NUM_FN(cf_rise, compare_row, r->rise_db)
FIELD_NUM_FN(cf_rise_lo, compare_row, r->rise_ci95_lo_db)
FIELD_NUM_FN(cf_rise_hi, compare_row, r->rise_ci95_hi_db)
FIELD_NUM_FN(cf_excess, compare_row, r->excess)
FIELD_NUM_FN(cf_excess_bound, compare_row, r->excess_is_bound)
FIELD_NUM_FN(cf_apd1, compare_row, r->apd_diff_db[0])
FIELD_NUM_FN(cf_apd2, compare_row, r->apd_diff_db[1])
FIELD_NUM_FN(cf_apd3, compare_row, r->apd_diff_db[2])
FIELD_NUM_FN(cf_seg_b, compare_row, (double)r->segments_before)
FIELD_NUM_FN(cf_seg_a, compare_row, (double)r->segments_after)

static const record_field fields[] = {
    {"band", FIELD_TEXT, cf_band, NULL, 0},
    {"f_lo_hz", FIELD_NUM, NULL, cf_lo, -1},
    {"f_hi_hz", FIELD_NUM, NULL, cf_hi, -1},
    {"level_before", FIELD_NUM, NULL, cf_before, 3},
    {"level_after", FIELD_NUM, NULL, cf_after, 3},
    {"unit", FIELD_TEXT, cf_unit, NULL, 0},
    {"rise_db", FIELD_NUM, NULL, cf_rise, 3},
    {"rise_ci95_lo_db", FIELD_NUM, NULL, cf_rise_lo, 3},
    {"rise_ci95_hi_db", FIELD_NUM, NULL, cf_rise_hi, 3},
    {"excess", FIELD_NUM, NULL, cf_excess, 3},
    {"excess_is_bound", FIELD_INT, NULL, cf_excess_bound, 0},
    {"apd_diff_1e-1_db", FIELD_NUM, NULL, cf_apd1, 3},
    {"apd_diff_1e-2_db", FIELD_NUM, NULL, cf_apd2, 3},
    {"apd_diff_1e-3_db", FIELD_NUM, NULL, cf_apd3, 3},
    {"segments_before", FIELD_INT, NULL, cf_seg_b, 0},
    {"segments_after", FIELD_INT, NULL, cf_seg_a, 0},
};
enum { N_FIELDS = sizeof fields / sizeof *fields };

/* ---- CSV and JSON ---------------------------------------------------------------------------- */

void compare_write_csv(FILE *fp, const compare_result *res)
{
    field_csv_header(fp, fields, N_FIELDS);
    for (size_t k = 0; k < res->n_rows; k++)
        field_csv_row(fp, fields, N_FIELDS, &res->rows[k]);
}

rfn_status compare_write_json(FILE *fp, const char *before, const char *after,
                              const compare_result *res, rfn_error *err)
{
    json_t *bands = json_array();
    json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:f}", "rfnoise", "compare",
                             "format_version", 1, "before", before, "after", after, "limits",
                             res->limits_id, "ci_level", 0.95);
    int bad = !bands || !root;
    for (size_t k = 0; !bad && k < res->n_rows; k++)
        bad = json_array_append_new(bands, field_json_object(fields, N_FIELDS,
                                                             &res->rows[k])) != 0;
    if (!bad)
        bad = json_object_set(root, "bands", bands) ||
              json_dumpf(root, fp, JSON_INDENT(1) | JSON_REAL_PRECISION(10) |
                                       JSON_PRESERVE_ORDER) != 0;
    fputc('\n', fp);
    json_decref(bands);
    json_decref(root);
    return bad ? rfn_error_set(err, RFN_ERR_NOMEM, "cannot write the JSON output") : RFN_OK;
}

/* ---- text ------------------------------------------------------------------------------------ */

/* "%8.2f", or "-" padded when not finite. */
static void num(FILE *fp, double v, int width)
{
    if (isfinite(v))
        fprintf(fp, " %*.2f", width, v);
    else
        fprintf(fp, " %*s", width, "-");
}

void compare_write_text(FILE *fp, const char *before, const char *after,
                        const compare_result *res)
{
    fprintf(fp, "before: %s (%llu segments)\nafter:  %s (%llu segments)\n", before,
            (unsigned long long)res->segments_before, after,
            (unsigned long long)res->segments_after);
    if (res->limits_id[0])
        fprintf(fp, "bands:  limit set %s\n", res->limits_id);
    const char *u = res->unit;
    fprintf(fp, "\n%-22s %9s %9s %7s %17s %10s  %s\n", "band", "before", "after", "rise",
            "95% interval", "excess", "APD diff 1e-1/-2/-3");
    fprintf(fp, "%-22s %9s %9s %7s %17s %10s  %s\n", "", u, u, "dB", "dB", u, "dB");
    for (size_t k = 0; k < res->n_rows; k++) {
        const compare_row *r = &res->rows[k];
        fprintf(fp, "%-22s", r->band);
        num(fp, r->level_before, 9);
        num(fp, r->level_after, 9);
        num(fp, r->rise_db, 7);
        fprintf(fp, "  [%6.2f, %6.2f]", r->rise_ci95_lo_db, r->rise_ci95_hi_db);
        fprintf(fp, " %s", r->excess_is_bound ? "<" : " ");
        num(fp, r->excess, 8);
        fprintf(fp, " ");
        for (int i = 0; i < COMPARE_N_APD; i++)
            num(fp, r->apd_diff_db[i], 6);
        fputc('\n', fp);
    }
    fprintf(fp, "\nlevel: channel power in the band; rise: 10 log10(after / before) with its 95 %% "
                "interval\nfrom the segment spread; excess: after - before as a power "
                "(\"<\": the rise is under %.1f dB,\nonly a bound).\n",
            COMPARE_EXCESS_MIN_RISE_DB);
}

/* ---- plots ----------------------------------------------------------------------------------- */

/* The MEAN density of spec in dB (plus the calibration's gain per bin when there is one). */
static double *density_db(const rfn_spectrum *spec, const double *gain_db)
{
    double *d = malloc(spec->n_bins * sizeof *d);
    for (size_t i = 0; d && i < spec->n_bins; i++)
        d[i] = rfn_db10(spec->density[RFN_TRACE_MEAN][i]) + (gain_db ? gain_db[i] : 0.0);
    return d;
}

/* out_path with ".diff" before its extension. */
static char *diff_path(const char *out_path)
{
    const char *dot = strrchr(out_path, '.');
    size_t stem = dot ? (size_t)(dot - out_path) : strlen(out_path);
    char *p = malloc(strlen(out_path) + 6);
    if (p)
        sprintf(p, "%.*s.diff%s", (int)stem, out_path, dot ? dot : "");
    return p;
}

/* Each band's flat limit as a two-point line; lines[0] is kept for the before spectrum. */
static size_t limit_lines(const compare_result *res, plot_line *lines, double *pts)
{
    size_t n = 1;
    for (size_t k = 0; k < res->n_rows; k++) {
        const compare_row *r = &res->rows[k];
        if (!isfinite(r->limit_density_db))
            continue;
        double *f = pts + 4 * k, *l = f + 2;
        f[0] = r->f_lo_hz, f[1] = r->f_hi_hz, l[0] = l[1] = r->limit_density_db;
        lines[n++] = (plot_line){r->band, f, l, 2};
    }
    return n;
}

rfn_status compare_plot(const compare_result *res, const char *before, const char *after,
                        const char *out_path, rfn_error *err)
{
    size_t n = res->after.n_bins;
    double *b = density_db(&res->before, res->gain_db), *a = density_db(&res->after, res->gain_db);
    double *d = malloc(n * sizeof *d), *pts = malloc((4 * res->n_rows + 1) * sizeof *pts);
    plot_line *lines = malloc((res->n_rows + 1) * sizeof *lines);
    char *dpath = diff_path(out_path);
    rfn_status st = RFN_OK;
    if (!b || !a || !d || !pts || !lines || !dpath) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = a[i] - b[i];
    char title[600], ylab[64];
    snprintf(title, sizeof title, "before %s, after %s", before, after);
    snprintf(ylab, sizeof ylab, "PSD (%s/Hz)", res->unit);
    lines[0] = (plot_line){"before", res->before.freq_hz, b, n};
    plot_spectrum p = {.title = title, .subtitle = "after: mean trace; before and limits: lines",
                       .y_label = ylab, .freq_hz = res->after.freq_hz, .mean_db = a, .n = n,
                       .limits = lines, .n_limits = limit_lines(res, lines, pts)};
    if ((st = plot_spectrum_write(&p, out_path, err)))
        goto done;
    plot_spectrum q = {.title = title, .subtitle = "after - before", .y_label = "difference (dB)",
                       .freq_hz = res->after.freq_hz, .mean_db = d, .n = n};
    st = plot_spectrum_write(&q, dpath, err);
done:
    free(b), free(a), free(d), free(pts), free(lines), free(dpath);
    return st;
}
