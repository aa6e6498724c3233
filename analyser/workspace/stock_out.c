/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stock_out.c: the stock figures as CSV, JSON and an HTML report section, over one field table
 * (stock.h). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_util.h"
#include "identifiers.h"
#include "stock.h"
#include "trend.h"
#include "text_escape.h"

/* ---- the field table ------------------------------------------------------------------------- */

typedef enum { SF_TEXT, SF_NUM, SF_INT, SF_DATE } sf_kind;
typedef struct stock_field {
    const char *name;
    sf_kind kind;
    const char *(*text)(const stock_line *l);
    double (*num)(const stock_line *l); /* SF_DATE: days since 1970-01-01, NAN = none */
    int precision;                      /* CSV digits after the point */
} stock_field;

#define SF_TEXT_FN(fn, expr)                                                                  \
    static const char *fn(const stock_line *l) { return (expr); }
#define SF_NUM_FN(fn, expr)                                                                   \
    static double fn(const stock_line *l) { return (expr); }
SF_TEXT_FN(sf_supplier, l->supplier)
SF_TEXT_FN(sf_man, l->manufacturer)
SF_TEXT_FN(sf_model, l->model)
SF_TEXT_FN(sf_fw, l->firmware)
SF_TEXT_FN(sf_region, l->warehouse_region)
SF_NUM_FN(sf_quantity, (double)l->quantity)
SF_NUM_FN(sf_as_of, l->as_of)
SF_TEXT_FN(sf_status, stock_status_name(l->status))
SF_TEXT_FN(sf_ref, l->rule ? l->rule->reference : "")
SF_NUM_FN(sf_cutoff, l->rule && l->rule->install_by != INT32_MIN ? l->rule->install_by : NAN)
SF_TEXT_FN(sf_locations, l->locations)
SF_NUM_FN(sf_first, l->window_first)
SF_NUM_FN(sf_last, l->window_last)
SF_NUM_FN(sf_installs, (double)l->window_installs)
SF_NUM_FN(sf_rate, l->rate)
SF_NUM_FN(sf_rate_lo, l->rate_lo)
SF_NUM_FN(sf_rate_hi, l->rate_hi)
SF_NUM_FN(sf_months, l->months_left)
SF_NUM_FN(sf_proj, l->projected)
SF_NUM_FN(sf_proj_lo, l->projected_lo)
SF_NUM_FN(sf_proj_hi, l->projected_hi)
SF_NUM_FN(sf_surplus, l->surplus)
SF_NUM_FN(sf_surplus_lo, l->surplus_lo)
SF_NUM_FN(sf_surplus_hi, l->surplus_hi)
SF_NUM_FN(sf_required, l->required_per_month)
SF_NUM_FN(sf_wrong, (double)l->wrong_place)
SF_TEXT_FN(sf_why, l->why)
SF_NUM_FN(sf_line, (double)l->line)
#undef SF_TEXT_FN
#undef SF_NUM_FN

static const stock_field fields[] = {
    {"Supplier", SF_TEXT, sf_supplier, NULL, 0},
    {"DeviceManufacturer", SF_TEXT, sf_man, NULL, 0},
    {"DeviceModel", SF_TEXT, sf_model, NULL, 0},
    {"DeviceFirmwareVersion", SF_TEXT, sf_fw, NULL, 0},
    {"warehouse_region", SF_TEXT, sf_region, NULL, 0},
    {"quantity", SF_INT, NULL, sf_quantity, 0},
    {"as_of", SF_DATE, NULL, sf_as_of, 0},
    {"status", SF_TEXT, sf_status, NULL, 0},
    {"derogation", SF_TEXT, sf_ref, NULL, 0},
    {"cut_off", SF_DATE, NULL, sf_cutoff, 0},
    {"acceptable_locations", SF_TEXT, sf_locations, NULL, 0},
    {"window_first", SF_DATE, NULL, sf_first, 0},
    {"window_last", SF_DATE, NULL, sf_last, 0},
    {"window_installs", SF_INT, NULL, sf_installs, 0},
    {"rate_per_month", SF_NUM, NULL, sf_rate, 3},
    {"rate_ci95_lo", SF_NUM, NULL, sf_rate_lo, 3},
    {"rate_ci95_hi", SF_NUM, NULL, sf_rate_hi, 3},
    {"months_left", SF_NUM, NULL, sf_months, 3},
    {"projected_installs", SF_NUM, NULL, sf_proj, 1},
    {"projected_ci95_lo", SF_NUM, NULL, sf_proj_lo, 1},
    {"projected_ci95_hi", SF_NUM, NULL, sf_proj_hi, 1},
    {"surplus", SF_NUM, NULL, sf_surplus, 1},
    {"surplus_ci95_lo", SF_NUM, NULL, sf_surplus_lo, 1},
    {"surplus_ci95_hi", SF_NUM, NULL, sf_surplus_hi, 1},
    {"required_per_month", SF_NUM, NULL, sf_required, 1},
    {"wrong_place_installs", SF_INT, NULL, sf_wrong, 0},
    {"why", SF_TEXT, sf_why, NULL, 0},
    {"line", SF_INT, NULL, sf_line, 0},
};
enum { N_FIELDS = sizeof fields / sizeof *fields };

static const char *date_cell(double days, char out[ISO_DATE_TEXT_LEN])
{
    out[0] = '\0';
    if (isfinite(days)) iso_date_format((int32_t)days, out);
    return out;
}

/* ---- CSV ------------------------------------------------------------------------------------- */

static void field_csv(FILE *f, const stock_field *fd, const stock_line *l)
{
    char d[ISO_DATE_TEXT_LEN];
    switch (fd->kind) {
    case SF_TEXT:
        csv_write_text(f, fd->text(l));
        break;
    case SF_INT:
        csv_write_int(f, (long long)fd->num(l));
        break;
    case SF_DATE:
        csv_write_text(f, date_cell(fd->num(l), d));
        break;
    default:
        csv_write_number(f, fd->num(l), fd->precision);
    }
}

void stock_write_csv(FILE *f, const stock_result *res)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (i) csv_write_sep(f);
        csv_write_text(f, fields[i].name);
    }
    csv_end_row(f);
    for (size_t k = 0; k < stock_line_count(res); k++) {
        for (size_t i = 0; i < N_FIELDS; i++) {
            if (i) csv_write_sep(f);
            field_csv(f, &fields[i], stock_line_get(res, k));
        }
        csv_end_row(f);
    }
}

/* A wrong-place tally as wrong-place.csv and the JSON's "wrong_place" read it. */
typedef struct wrong_row {
    const stock_wrong_place *w;
    char month[TREND_MONTH_TEXT_LEN];
} wrong_row;

FIELD_TEXT_FN(wf_supplier, wrong_row, r->w->supplier)
FIELD_TEXT_FN(wf_month, wrong_row, r->month)
FIELD_NUM_FN(wf_installs, wrong_row, (double)r->w->installs)

static const record_field wrong_fields[] = {
    {"Supplier", FIELD_TEXT, wf_supplier, NULL, 0},
    {"month", FIELD_TEXT, wf_month, NULL, 0},
    {"installs", FIELD_INT, NULL, wf_installs, 0},
};
enum { N_WRONG_FIELDS = sizeof wrong_fields / sizeof wrong_fields[0] };

static wrong_row wrong_row_of(const stock_wrong_place *w)
{
    wrong_row r = {.w = w};
    trend_month_text(w->month, r.month);
    return r;
}

void stock_write_wrong_place_csv(FILE *f, const stock_result *res)
{
    field_csv_header(f, wrong_fields, N_WRONG_FIELDS);
    for (size_t i = 0; i < stock_wrong_place_count(res); i++) {
        wrong_row r = wrong_row_of(stock_wrong_place_get(res, i));
        field_csv_row(f, wrong_fields, N_WRONG_FIELDS, &r);
    }
}

void stock_write_errors_csv(FILE *f, const stock_result *res)
{
    /* register-errors.csv's columns but DeviceID (the last): a declaration names no device */
    size_t n = register_error_fields_count - 1;
    field_csv_header(f, register_error_fields, n);
    for (size_t i = 0; i < stock_error_count(res); i++) {
        register_error e;
        stock_error_get(res, i, &e);
        field_csv_row(f, register_error_fields, n, &e);
    }
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static json_t *field_json(const stock_field *fd, const stock_line *l)
{
    char d[ISO_DATE_TEXT_LEN];
    double v = fd->num ? fd->num(l) : NAN;
    switch (fd->kind) {
    case SF_TEXT:
        return json_string(fd->text(l) ? fd->text(l) : "");
    case SF_INT:
        return json_integer((json_int_t)v);
    case SF_DATE:
        return isfinite(v) ? json_string(date_cell(v, d)) : json_null();
    default:
        return isfinite(v) ? json_real(v) : json_null();
    }
}

static json_t *line_json(const stock_line *l)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < N_FIELDS; i++) {
        json_t *j = field_json(&fields[i], l);
        if (!j || json_object_set_new(o, fields[i].name, j)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *wrong_json(const stock_wrong_place *w)
{
    wrong_row r = wrong_row_of(w);
    return field_json_object(wrong_fields, N_WRONG_FIELDS, &r);
}

rfn_status stock_write_json(FILE *f, const stock_result *res, rfn_error *err)
{
    json_t *lines = json_array(), *wrong = json_array();
    json_t *root = json_pack("{s:s, s:i, s:f}", "rfnoise", "stock", "format_version", 1,
                             "ci_level", 0.95);
    int bad = !lines || !wrong || !root;
    for (size_t k = 0; !bad && k < stock_line_count(res); k++)
        bad = json_array_append_new(lines, line_json(stock_line_get(res, k))) != 0;
    for (size_t k = 0; !bad && k < stock_wrong_place_count(res); k++)
        bad = json_array_append_new(wrong, wrong_json(stock_wrong_place_get(res, k))) != 0;
    if (!bad)
        bad = json_object_set(root, "lines", lines) ||
              json_object_set(root, "wrong_place", wrong) ||
              json_object_set_new(root, "rejected_rows",
                                  json_integer((json_int_t)stock_error_count(res))) ||
              json_dumpf(root, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10) |
                                      JSON_PRESERVE_ORDER) != 0;
    fputc('\n', f);
    json_decref(lines);
    json_decref(wrong);
    json_decref(root);
    return bad ? rfn_error_set(err, RFN_ERR_NOMEM, "cannot write the JSON output") : RFN_OK;
}

/* ---- HTML ------------------------------------------------------------------------------------ */

static void td_num(FILE *f, double v, int digits)
{
    if (isfinite(v))
        fprintf(f, "<td class=\"n\">%.*f</td>", digits, v);
    else
        fputs("<td class=\"n\">&ndash;</td>", f);
}

size_t stock_supplier_index(stock_supplier_sum *s, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(s[i].name, name) == 0) return i;
    s[*n] = (stock_supplier_sum){.name = name};
    return (*n)++;
}

void stock_supplier_add(stock_supplier_sum *x, int64_t quantity, stock_status status,
                        double projected, double surplus, double surplus_lo, double surplus_hi)
{
    double q = (double)quantity;
    x->stock += q;
    if (status == STOCK_NOT_INSTALLABLE) return;
    if (status != STOCK_CUTOFF_PASSED) x->installable += q; /* can still go in */
    x->used += isfinite(projected) ? fmin(q, projected) : status == STOCK_NO_CUTOFF ? NAN : 0;
    x->surplus += isfinite(surplus) ? surplus : NAN;
    x->surplus_lo += isfinite(surplus_lo) ? surplus_lo : NAN;
    x->surplus_hi += isfinite(surplus_hi) ? surplus_hi : NAN;
}

static size_t supplier_sums(const stock_result *res, stock_supplier_sum *s)
{
    size_t n = 0;
    for (size_t k = 0; k < stock_line_count(res); k++) {
        const stock_line *l = stock_line_get(res, k);
        stock_supplier_add(&s[stock_supplier_index(s, &n, l->supplier)], l->quantity, l->status,
                           l->projected, l->surplus, l->surplus_lo, l->surplus_hi);
    }
    for (size_t i = 0; i < stock_wrong_place_count(res); i++) {
        const stock_wrong_place *w = stock_wrong_place_get(res, i);
        for (size_t j = 0; j < n; j++)
            if (strcmp(s[j].name, w->supplier) == 0) s[j].wrong += (double)w->installs;
    }
    return n;
}

void stock_write_supplier_table(FILE *f, const stock_supplier_sum *s, size_t n,
                                const char *wrong_label)
{
    fputs("<table><tr><th>Supplier</th><th>stock</th><th>installable</th>"
          "<th>projected use before cut-off</th><th>surplus at cut-off</th>"
          "<th>95 % interval</th><th>", f);
    html_escape(f, wrong_label);
    fputs("</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", f);
        html_escape(f, s[i].name);
        fputs("</td>", f);
        td_num(f, s[i].stock, 0);
        td_num(f, s[i].installable, 0);
        td_num(f, s[i].used, 1);
        td_num(f, s[i].surplus, 1);
        if (isfinite(s[i].surplus_lo) && isfinite(s[i].surplus_hi))
            fprintf(f, "<td class=\"n\">%.1f &ndash; %.1f</td>", s[i].surplus_lo,
                    s[i].surplus_hi);
        else
            fputs("<td class=\"n\">&ndash;</td>", f);
        td_num(f, s[i].wrong, 0);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void html_suppliers(FILE *f, const stock_result *res)
{
    size_t cap = stock_line_count(res) ? stock_line_count(res) : 1;
    stock_supplier_sum *s = calloc(cap, sizeof *s);
    if (!s) {
        fputs("<p>(out of memory: the per-Supplier table is missing)</p>\n", f);
        return;
    }
    stock_write_supplier_table(f, s, supplier_sums(res, s), "wrong-place installs");
    free(s);
}

static void html_lines(FILE *f, const stock_result *res)
{
    fputs("<table><tr><th>line</th><th>Supplier</th><th>model</th><th>firmware</th>"
          "<th>quantity</th><th>status</th><th>derogation</th><th>cut-off</th>"
          "<th>installs in window</th><th>rate / month (95 %)</th><th>projected</th>"
          "<th>surplus</th><th>required / month</th><th>why</th></tr>\n", f);
    for (size_t k = 0; k < stock_line_count(res); k++) {
        const stock_line *l = stock_line_get(res, k);
        char cut[ISO_DATE_TEXT_LEN];
        fprintf(f, "<tr><td class=\"n\">%llu</td><td>", (unsigned long long)l->line);
        html_escape(f, l->supplier);
        fputs("</td><td>", f);
        html_escape(f, l->manufacturer);
        fputc(' ', f);
        html_escape(f, l->model);
        fputs("</td><td>", f);
        html_escape(f, l->firmware);
        fprintf(f, "</td><td class=\"n\">%lld</td><td>%s</td><td>", (long long)l->quantity,
                stock_status_name(l->status));
        html_escape(f, l->rule ? l->rule->reference : "");
        fprintf(f, "</td><td>%s</td><td class=\"n\">%llu</td>",
                date_cell(sf_cutoff(l), cut), (unsigned long long)l->window_installs);
        if (isfinite(l->rate))
            fprintf(f, "<td class=\"n\">%.2f (%.2f &ndash; %.2f)</td>", l->rate, l->rate_lo,
                    l->rate_hi);
        else
            fputs("<td class=\"n\">&ndash;</td>", f);
        td_num(f, l->projected, 1);
        td_num(f, l->surplus, 1);
        td_num(f, l->required_per_month, 1);
        fputs("<td>", f);
        html_escape(f, l->why);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

void stock_write_html(FILE *f, const stock_result *res)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>rfnoise: derogation stock</title>\n<style>body{font-family:sans-serif;"
          "margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;"
          "padding:2px 6px}td.n{text-align:right}</style></head><body>\n"
          "<section id=\"stock\"><h2>Derogation stock</h2>\n"
          "<p>Can the stock each Supplier declared still be installed in the derogation&#39;s "
          "acceptable locations before its cut-off, at the Supplier&#39;s own run rate? Rates "
          "carry a 95 % Poisson interval; a surplus is stock left at the cut-off.</p>\n", f);
    html_suppliers(f, res);
    fputs("<h3>Declaration lines</h3>\n", f);
    html_lines(f, res);
    fprintf(f, "<p>Rejected declaration rows: %zu (stock-errors.csv).</p>\n</section>\n"
               "</body></html>\n", stock_error_count(res));
}
