/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_stock.c: the report's derogation-stock section (report_stock.h). */
#include "report_stock.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "identifiers.h"
#include "stock.h"
#include "text_escape.h"

#define DAYS_PER_MONTH (365.2425 / 12.0)

/* A copy of one stored line (the store's strings live only during its callback). */
typedef struct kept_line {
    char *key; /* supplier \x1f manufacturer \x1f model \x1f firmware */
    char *supplier, *model, *status, *derogation;
    int32_t as_of, cut_off;
    int64_t quantity;
    double rate, rate_lo, rate_hi, projected, surplus, surplus_lo, surplus_hi;
    uint64_t wrong_place;
} kept_line;

typedef struct kept {
    kept_line *v;
    size_t n, cap;
    bool oom;
} kept;

static int keep(const store_stock_line *l, void *ctx)
{
    kept *k = ctx;
    if (!grow_array((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v, 32)) {
        k->oom = true;
        return 1;
    }
    kept_line *x = &k->v[k->n];
    *x = (kept_line){.as_of = l->as_of, .cut_off = l->cut_off, .quantity = l->quantity,
                     .rate = l->rate, .rate_lo = l->rate_lo, .rate_hi = l->rate_hi,
                     .projected = l->projected, .surplus = l->surplus,
                     .surplus_lo = l->surplus_lo, .surplus_hi = l->surplus_hi,
                     .wrong_place = l->wrong_place};
    size_t len = strlen(l->supplier) + strlen(l->manufacturer) + strlen(l->model) +
                 strlen(l->firmware) + 8;
    char model[300];
    snprintf(model, sizeof model, "%s %s %s", l->manufacturer, l->model, l->firmware);
    x->key = malloc(len);
    if (x->key)
        snprintf(x->key, len, "%s\x1f%s\x1f%s\x1f%s", l->supplier, l->manufacturer, l->model,
                 l->firmware);
    x->supplier = strdup(l->supplier);
    x->model = strdup(model);
    x->status = strdup(l->status);
    x->derogation = strdup(l->derogation);
    k->n++; /* counted first, so that a failed copy is freed with the rest */
    if (!x->key || !x->supplier || !x->model || !x->status || !x->derogation) {
        k->oom = true;
        return 1;
    }
    return 0;
}

static void kept_free(kept *k)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->v[i].key);
        free(k->v[i].supplier);
        free(k->v[i].model);
        free(k->v[i].status);
        free(k->v[i].derogation);
    }
    free(k->v);
}

static void td_date(FILE *f, int32_t d)
{
    char t[ISO_DATE_TEXT_LEN] = "";
    if (d != STORE_NO_DATE) iso_date_format(d, t);
    fprintf(f, "<td>%s</td>", t[0] ? t : "&ndash;");
}

/* The projection from declaration a to the date of the next declaration b of the same stock. */
static void write_projection(FILE *f, const kept_line *a, const kept_line *b)
{
    if (!b || !isfinite(a->rate)) {
        fputs("<td colspan=\"3\">&ndash;</td>", f);
        return;
    }
    double months = (double)(b->as_of - a->as_of) / DAYS_PER_MONTH, q = (double)a->quantity;
    double p = fmax(0, q - a->rate * months), lo = fmax(0, q - a->rate_hi * months),
           hi = fmax(0, q - a->rate_lo * months), got = (double)b->quantity;
    const char *how = got < lo ? "faster than projected"
                      : got > hi ? "slower than projected"
                                 : "as projected";
    fprintf(f, "<td class=\"n\">%.1f (%.1f &ndash; %.1f) by ", p, lo, hi);
    char t[ISO_DATE_TEXT_LEN];
    iso_date_format(b->as_of, t);
    fprintf(f, "%s</td><td class=\"n\">%lld</td><td>%s</td>", t, (long long)b->quantity, how);
}

static void write_rows(FILE *f, const kept *k)
{
    for (size_t i = 0; i < k->n; i++) {
        const kept_line *a = &k->v[i];
        const kept_line *b = i + 1 < k->n && !strcmp(k->v[i + 1].key, a->key) ? &k->v[i + 1]
                                                                               : NULL;
        fputs("<tr><td>", f);
        html_escape(f, a->supplier);
        fputs("</td><td>", f);
        html_escape(f, a->model);
        fputs("</td>", f);
        td_date(f, a->as_of);
        fprintf(f, "<td class=\"n\">%lld</td><td>", (long long)a->quantity);
        html_escape(f, a->status);
        fputs("</td><td>", f);
        html_escape(f, a->derogation);
        fputs("</td>", f);
        td_date(f, a->cut_off);
        if (isfinite(a->rate))
            fprintf(f, "<td class=\"n\">%.2f (%.2f &ndash; %.2f)</td>", a->rate, a->rate_lo,
                    a->rate_hi);
        else
            fputs("<td>&ndash;</td>", f);
        if (isfinite(a->surplus))
            fprintf(f, "<td class=\"n\">%.1f</td><td class=\"n\">%.1f (%.1f &ndash; %.1f)</td>",
                    isfinite(a->projected) ? a->projected : 0.0, a->surplus, a->surplus_lo,
                    a->surplus_hi);
        else
            fputs("<td>&ndash;</td><td>&ndash;</td>", f);
        fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)a->wrong_place);
        write_projection(f, a, b);
        fputs("</tr>\n", f);
    }
}

/* The length of a line key's Supplier + manufacturer + model part (before the firmware). */
static size_t model_key_len(const char *key)
{
    const char *last = strrchr(key, '\x1f');
    return last ? (size_t)(last - key) : strlen(key);
}

/* Per Supplier over the latest declaration of each line (what it holds as the report stands),
 * the totals of stock.html (stock_supplier_add); a model's wrong-place installs count once,
 * however many firmware lines declare it (a line counts its model's, any firmware). */
static void write_suppliers(FILE *f, const kept *k)
{
    stock_supplier_sum *s = calloc(k->n ? k->n : 1, sizeof *s);
    if (!s) {
        fputs("<p>(out of memory: the per-Supplier table is missing)</p>\n", f);
        return;
    }
    size_t n = 0;
    const kept_line *prev = NULL; /* the last line counted */
    for (size_t i = 0; i < k->n; i++) {
        const kept_line *a = &k->v[i];
        if (i + 1 < k->n && !strcmp(k->v[i + 1].key, a->key)) continue; /* a later one follows */
        stock_supplier_sum *x = &s[stock_supplier_index(s, &n, a->supplier)];
        stock_supplier_add(x, a->quantity, stock_status_from_name(a->status), a->projected,
                           a->surplus, a->surplus_lo, a->surplus_hi);
        size_t m = model_key_len(a->key);
        if (!prev || model_key_len(prev->key) != m || memcmp(prev->key, a->key, m))
            x->wrong += (double)a->wrong_place;
        prev = a;
    }
    /* stock.html counts every derogated model's; the workspace keeps the declared models' */
    stock_write_supplier_table(f, s, n, "wrong-place installs of the declared models");
    free(s);
}

rfn_status report_stock_write(FILE *f, store *s, int32_t as_of, rfn_error *err)
{
    kept k = {0};
    rfn_status r = store_stock_each(s, as_of, keep, &k, err);
    if (!r && k.oom) r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (!r && k.n) {
        fputs("<h2 id=\"stock\">Derogation stock</h2>\n<p>The stock declarations recorded with "
              "workspace import-stock, with the figures of rfnoise stock on each date: the "
              "Supplier&#39;s run rate of the model into the derogation&#39;s acceptable "
              "locations (95 % Poisson interval), the installs projected before the cut-off at "
              "that rate, the stock left then (surplus), the Supplier&#39;s installs of the model "
              "outside the acceptable locations, and where a later declaration follows, the "
              "stock projected for its date against the stock then declared."
              "</p>\n<h3>By Supplier, latest declarations</h3>\n", f);
        write_suppliers(f, &k);
        fputs("<h3>Declarations over time</h3>\n<table><tr><th>Supplier</th><th>model</th>"
              "<th>declared on</th><th>quantity</th><th>status</th><th>derogation</th>"
              "<th>cut-off</th>"
              "<th>run rate / month</th><th>projected installs before cut-off</th>"
              "<th>surplus at cut-off (95 %)</th><th>wrong-place installs</th>"
              "<th>projected stock at the next declaration (95 %)</th><th>declared then</th>"
              "<th>ran down</th></tr>\n", f);
        write_rows(f, &k);
        fputs("</table>\n", f);
    }
    kept_free(&k);
    return r;
}
