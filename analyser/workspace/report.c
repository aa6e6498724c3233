/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report.c: gather the workspace's picture at an as-of date and write report.html plus its CSVs. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "classify.h"
#include "case_fields.h"
#include "csv_util.h"
#include "grow.h"
#include "identifiers.h"
#include "io_guard.h"
#include "plot.h"
#include "report_reasons.h"
#include "report_stock.h"
#include "text_escape.h"
#include "trend.h"

report_config report_config_default(void)
{
    return (report_config){.out_dir = NULL, .as_of = 0, .plots = true, .tool_version = "",
                           .cut_off = STORE_NO_DATE};
}

/* ---- a small string-keyed tally (sorted by key for output, so output order is stable) -------- */

enum { TALLY_COLS = 11 };

typedef struct tally_entry {
    char *key;
    double v[TALLY_COLS];
} tally_entry;

typedef struct tally {
    tally_entry *e;
    size_t n, cap;
    uint32_t *slot; /* open addressing: index + 1, 0 = empty */
    size_t n_slots;
} tally;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Index of key (added when new), or -1 when out of memory. */
static long tally_find(tally *t, const char *key)
{
    if (2 * (t->n + 1) > t->n_slots) {
        size_t ns = t->n_slots ? 2 * t->n_slots : 64;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl) return -1;
        for (size_t i = 0; i < t->n; i++) {
            size_t k = hash_str(t->e[i].key) & (ns - 1);
            while (sl[k])
                k = (k + 1) & (ns - 1);
            sl[k] = (uint32_t)(i + 1);
        }
        free(t->slot);
        t->slot = sl;
        t->n_slots = ns;
    }
    size_t k = hash_str(key) & (t->n_slots - 1);
    while (t->slot[k]) {
        if (!strcmp(t->e[t->slot[k] - 1].key, key)) return (long)t->slot[k] - 1;
        k = (k + 1) & (t->n_slots - 1);
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 32;
        tally_entry *ne = realloc(t->e, nc * sizeof *ne);
        if (!ne) return -1;
        t->e = ne;
        t->cap = nc;
    }
    tally_entry *e = &t->e[t->n];
    memset(e, 0, sizeof *e);
    if (!(e->key = strdup(key))) return -1;
    t->slot[k] = (uint32_t)(t->n + 1);
    return (long)t->n++;
}

/* The value of key's column col, 0 when key is absent (nothing is added; t must be unsorted). */
static double tally_get(const tally *t, const char *key, int col)
{
    if (!t->n_slots) return 0;
    size_t k = hash_str(key) & (t->n_slots - 1);
    for (; t->slot[k]; k = (k + 1) & (t->n_slots - 1))
        if (!strcmp(t->e[t->slot[k] - 1].key, key)) return t->e[t->slot[k] - 1].v[col];
    return 0;
}

static int tally_add(tally *t, const char *key, int col, double amount)
{
    long i = tally_find(t, key);
    if (i < 0) return -1;
    t->e[i].v[col] += amount;
    return 0;
}

static int cmp_entry_key(const void *a, const void *b)
{
    return strcmp(((const tally_entry *)a)->key, ((const tally_entry *)b)->key);
}

/* Sort by key; the slot index is dropped (no more lookups after sorting). */
static void tally_sort(tally *t)
{
    if (t->n) qsort(t->e, t->n, sizeof *t->e, cmp_entry_key);
    free(t->slot);
    t->slot = NULL;
    t->n_slots = 0;
}

static void tally_free(tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].key);
    free(t->e);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* ---- gathering ------------------------------------------------------------------------------- */

/* Supplier tally columns. */
enum {
    S_COMPLIANT = 0,
    S_DEROGATION,
    S_NONCOMPLIANT,
    S_INCONCLUSIVE,
    S_UNASSESSED,
    S_OPEN,
    S_OVERDUE,
    S_REMEDIATED,
    S_RESOLVED,
    S_RETEST, /* retest-required: evidence of another model or firmware, set aside */
    S_MISSING, /* cases missing-from-extract: not known removed nor installed */
};

/* The installer of a non-compliant install whose register row left Installer empty. */
#define NOT_GIVEN "(not given)"

typedef struct nc_install {
    uint32_t supplier; /* index into a temporary supplier tally before sorting: resolved later */
    int32_t month;     /* year * 12 + month - 1 */
    char *supplier_name;
    char *installer_name; /* the register's Installer; "" when the extract gave none */
    nc_reason primary; /* report_reasons.h */
    unsigned reasons;  /* every nc_reason that applies (1u << reason) */
} nc_install;

typedef struct report_case {
    int64_t id;
    uint64_t device_id;
    char *supplier, *mpxn, *manufacturer, *model, *firmware, *region, *reasons, *evidence,
        *worst_band, *state, *supplier_id;
    double margin_db;
    int32_t install_date, notice_date, plan_due, remediation_due, plan_agreed, state_since;
    int32_t agreed_due; /* STORE_NO_DATE: none agreed */
} report_case;

typedef struct gather {
    int32_t as_of;
    int32_t cut_off;    /* report_config.cut_off, else the newest result set's (cut_off_rs) */
    int64_t cut_off_rs; /* the result set whose derogation list gave cut_off; 0: --cut-off */
    tally suppliers; /* S_* columns */
    tally models;    /* manufacturer \x1f model \x1f firmware: 0 non-compliant, 1 derogation,
                      * 2 assessed */
    tally regions;   /* 0 non-compliant, 1 derogation-compliant, 2 assessed, 3 devices */
    tally derog;     /* region \x1f postcode area: 0 derogation-compliant */
    store_timetable *timetables; /* agreements recorded on or before as_of */
    size_t n_timetables, cap_timetables;
    tally installs;  /* supplier \x1f month index: 0 devices installed that month (any verdict);
                      * never sorted, read with tally_get */
    int max_install_month;  /* latest install month of any judged device, -1 none */
    int32_t extract_as_of;  /* extract date of the latest snapshot on or before as_of */
    double after_cutoff, location_bad, derog_total, nc_total;
    nc_install *nc;
    size_t n_nc, cap_nc;
    report_case *cases;
    size_t n_cases, cap_cases;
    bool oom;
} gather;

static bool has_reason(const char *reasons, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = reasons; (p = strstr(p, code)); p += n)
        if ((p == reasons || p[-1] == ';') && (p[n] == '\0' || p[n] == ';')) return true;
    return false;
}

static int month_of(int32_t days)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    return y * 12 + m - 1;
}

/* Postcode area: the leading letters of the outward code ("AB" of "AB10 1AA"). */
static void postcode_area(const char *postcode, char out[8])
{
    size_t i = 0;
    while (i < 2 && postcode[i] >= 'A' && postcode[i] <= 'Z') {
        out[i] = postcode[i];
        i++;
    }
    out[i] = '\0';
}

static int on_verdict(const store_verdict *v, void *ctx)
{
    gather *g = ctx;
    static const int col_of[DEVICE_VERDICT_COUNT] = {
        [DEVICE_COMPLIANT] = S_COMPLIANT, [DEVICE_DEROGATION_COMPLIANT] = S_DEROGATION,
        [DEVICE_NONCOMPLIANT] = S_NONCOMPLIANT, [DEVICE_INCONCLUSIVE] = S_INCONCLUSIVE,
        [DEVICE_RETEST_REQUIRED] = S_RETEST, [DEVICE_UNASSESSED] = S_UNASSESSED};
    device_verdict_kind k = classify_verdict_from_name(v->verdict);
    if (k == DEVICE_VERDICT_COUNT) return 0;
    int col = col_of[k];
    if (tally_add(&g->suppliers, v->supplier, col, 1)) {
        g->oom = true;
        return 1;
    }
    bool assessed = col <= S_INCONCLUSIVE;
    char key[600];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", v->manufacturer, v->model, v->firmware);
    if ((col == S_NONCOMPLIANT && tally_add(&g->models, key, 0, 1)) ||
        (col == S_DEROGATION && tally_add(&g->models, key, 1, 1)) ||
        (assessed && tally_add(&g->models, key, 2, 1)) ||
        (col == S_NONCOMPLIANT && tally_add(&g->regions, v->region, 0, 1)) ||
        (col == S_DEROGATION && tally_add(&g->regions, v->region, 1, 1)) ||
        (assessed && tally_add(&g->regions, v->region, 2, 1)) ||
        tally_add(&g->regions, v->region, 3, 1)) {
        g->oom = true;
        return 1;
    }
    if (col == S_DEROGATION) {
        char area[8];
        postcode_area(v->postcode, area);
        snprintf(key, sizeof key, "%s\x1f%s", v->region, area[0] ? area : "(none)");
        if (tally_add(&g->derog, key, 0, 1)) {
            g->oom = true;
            return 1;
        }
        g->derog_total++;
    }
    if (v->install_date != STORE_NO_DATE && v->install_date <= g->as_of) {
        /* every install, for the non-compliant share (issue 15) */
        int m = month_of(v->install_date);
        snprintf(key, sizeof key, "%s\x1f%d", v->supplier, m);
        if (tally_add(&g->installs, key, 0, 1)) {
            g->oom = true;
            return 1;
        }
        if (m > g->max_install_month) g->max_install_month = m;
    }
    if (col == S_NONCOMPLIANT) {
        g->nc_total++;
        if (has_reason(v->reasons, "installed-after-cutoff")) g->after_cutoff++;
        if (has_reason(v->reasons, "location-not-acceptable")) g->location_bad++;
        if (v->install_date != STORE_NO_DATE && v->install_date <= g->as_of) {
            if (!grow_array((void **)&g->nc, &g->cap_nc, g->n_nc + 1, sizeof *g->nc, 256)) {
                g->oom = true;
                return 1;
            }
            nc_install *x = &g->nc[g->n_nc];
            x->month = month_of(v->install_date);
            x->primary = nc_reason_of(v->reasons, v->evidence, &x->reasons);
            x->installer_name = NULL;
            g->n_nc++; /* counted before the copies so that a failure frees what was copied */
            if (!(x->supplier_name = strdup(v->supplier)) ||
                !(x->installer_name = strdup(v->installer ? v->installer : ""))) {
                g->oom = true;
                return 1;
            }
        }
    }
    return 0;
}

static int on_timetable(const store_timetable *t, void *ctx)
{
    gather *g = ctx;
    if (t->agreed > g->as_of) return 0;
    if (!grow_array((void **)&g->timetables, &g->cap_timetables, g->n_timetables + 1,
                    sizeof *g->timetables, 16)) {
        g->oom = true;
        return 1;
    }
    store_timetable *x = &g->timetables[g->n_timetables++];
    *x = *t;
    if (!(x->by = strdup(t->by))) g->oom = true;
    return g->oom;
}

static int latest_extract(const store_snapshot *sn, void *ctx)
{
    gather *g = ctx;
    if (sn->as_of <= g->as_of &&
        (g->extract_as_of == STORE_NO_DATE || sn->as_of > g->extract_as_of))
        g->extract_as_of = sn->as_of;
    return 0;
}

static int on_case(const store_case *c, void *ctx)
{
    gather *g = ctx;
    if (!grow_array((void **)&g->cases, &g->cap_cases, g->n_cases + 1, sizeof *g->cases, 64)) {
        g->oom = true;
        return 1;
    }
    report_case *r = &g->cases[g->n_cases];
    memset(r, 0, sizeof *r);
    r->id = c->id;
    r->device_id = c->device_id;
    char **dst[] = {&r->supplier, &r->mpxn,       &r->manufacturer, &r->model,
                    &r->firmware, &r->region,     &r->reasons,      &r->evidence,
                    &r->worst_band, &r->state,    &r->supplier_id};
    const char *src[] = {c->supplier, c->mpxn,       c->manufacturer, c->model,
                         c->firmware, c->region,     c->reasons,      c->evidence,
                         c->worst_band, c->state,    c->supplier_id};
    g->n_cases++; /* counted before the copies so that a failure frees what was copied */
    for (size_t i = 0; i < sizeof src / sizeof src[0]; i++)
        if (!(*dst[i] = strdup(src[i]))) {
            g->oom = true;
            return 1;
        }
    r->margin_db = c->margin_db;
    r->install_date = c->install_date;
    r->notice_date = c->notice_date;
    r->plan_due = c->plan_due;
    r->remediation_due = c->remediation_due;
    r->plan_agreed = c->plan_agreed;
    r->agreed_due = c->agreed_due;
    r->state_since = c->state_since;
    int col = !strcmp(c->state, "open")                   ? S_OPEN
              : !strcmp(c->state, "overdue")              ? S_OVERDUE
              : !strcmp(c->state, "missing-from-extract") ? S_MISSING
              : !strcmp(c->state, "remediated")           ? S_REMEDIATED
                                                          : S_RESOLVED;
    if (tally_add(&g->suppliers, c->supplier, col, 1)) {
        g->oom = true;
        return 1;
    }
    return 0;
}

static void gather_free(gather *g)
{
    tally_free(&g->suppliers);
    tally_free(&g->models);
    tally_free(&g->regions);
    tally_free(&g->derog);
    tally_free(&g->installs);
    for (size_t i = 0; i < g->n_timetables; i++)
        free((char *)g->timetables[i].by);
    free(g->timetables);
    for (size_t i = 0; i < g->n_nc; i++) {
        free(g->nc[i].supplier_name);
        free(g->nc[i].installer_name);
    }
    free(g->nc);
    for (size_t i = 0; i < g->n_cases; i++) {
        report_case *r = &g->cases[i];
        char *p[] = {r->supplier, r->mpxn,    r->manufacturer, r->model,      r->firmware,
                     r->region,   r->reasons, r->evidence,     r->worst_band, r->state,
                     r->supplier_id};
        for (size_t k = 0; k < sizeof p / sizeof p[0]; k++)
            free(p[k]);
    }
    free(g->cases);
}

static bool case_active(const report_case *c)
{
    return !strcmp(c->state, "open") || !strcmp(c->state, "overdue");
}

/* ---- trend ----------------------------------------------------------------------------------- */

typedef struct trend_data {
    int first_month, n_months; /* complete install months the extract covers (trend_window) */
    double *all;               /* [n_months] non-compliant installs */
    double *per;               /* [n_suppliers * n_months], suppliers in sorted-tally order */
    double *inst_all;          /* [n_months] installs */
    double *inst_per;          /* [n_suppliers * n_months] */
    size_t n_suppliers;
    trend_fit fit_all;
    trend_fit *fit_per;
    /* After the derogation cut-off (gather.cut_off): the window's months from after_from on
     * (those after the cut-off's month), their non-compliant installs and the share's fits. */
    int after_from;            /* n_months when there is no cut-off or no month after it */
    double *after_all, *after_per; /* as all and per, counting only months from after_from */
    trend_fit fit_after_all;
    trend_fit *fit_after_per;
} trend_data;

static long supplier_index(const tally *sorted, const char *name)
{
    size_t lo = 0, hi = sorted->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(sorted->e[mid].key, name);
        if (!c) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The trend's window (issue 15): from the first month with a non-compliant install to the last
 * complete install month the extract covers: the month before the extract's date, and no later
 * than its latest install. Months after that cannot hold installs, and the report's own date
 * must not move the headline. */
static void trend_window(const gather *g, trend_data *t)
{
    int last = month_of(g->as_of) - 1;
    if (g->extract_as_of != STORE_NO_DATE && month_of(g->extract_as_of) - 1 < last)
        last = month_of(g->extract_as_of) - 1;
    if (g->max_install_month < last) last = g->max_install_month;
    int first = INT32_MAX;
    for (size_t i = 0; i < g->n_nc; i++)
        if (g->nc[i].month < first) first = g->nc[i].month;
    t->first_month = first > last ? last : first;
    t->n_months = first > last ? 0 : last - first + 1;
}

/* The non-compliant installs made after the derogation cut-off, as a share of all installs of
 * the same months, per Supplier (issue 15: what the Operations Group flagged is non-compliant
 * meters still installed, at a rising rate, after derogations closed). Months from the one after
 * the cut-off's month, so that no month mixes installs from either side of it. */
static rfn_status trend_after_cutoff(const gather *g, trend_data *t, rfn_error *err)
{
    size_t nm = (size_t)t->n_months, ns = t->n_suppliers ? t->n_suppliers : 1;
    t->after_from = t->n_months;
    if (g->cut_off == STORE_NO_DATE) return RFN_OK;
    int from = month_of(g->cut_off) + 1 - t->first_month;
    t->after_from = from < 0 ? 0 : from > t->n_months ? t->n_months : from;
    t->after_all = calloc(nm ? nm : 1, sizeof *t->after_all);
    t->after_per = calloc((nm ? nm : 1) * ns, sizeof *t->after_per);
    t->fit_after_per = calloc(ns, sizeof *t->fit_after_per);
    if (!t->after_all || !t->after_per || !t->fit_after_per)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t m = (size_t)t->after_from; m < nm; m++) {
        t->after_all[m] = t->all[m];
        for (size_t s = 0; s < t->n_suppliers; s++)
            t->after_per[s * nm + m] = t->per[s * nm + m];
    }
    size_t k = (size_t)t->after_from, n = nm - k;
    rfn_status r = trend_fit_rate(t->after_all + k, t->inst_all + k, n, &t->fit_after_all, err);
    for (size_t s = 0; !r && s < t->n_suppliers; s++)
        r = trend_fit_rate(t->after_per + s * nm + k, t->inst_per + s * nm + k, n,
                           &t->fit_after_per[s], err);
    return r;
}

static rfn_status trend_build(const gather *g, trend_data *t, rfn_error *err)
{
    memset(t, 0, sizeof *t);
    t->n_suppliers = g->suppliers.n;
    trend_window(g, t);
    size_t nm = (size_t)t->n_months, ns = t->n_suppliers ? t->n_suppliers : 1;
    t->all = calloc(nm ? nm : 1, sizeof *t->all);
    t->per = calloc((nm ? nm : 1) * ns, sizeof *t->per);
    t->inst_all = calloc(nm ? nm : 1, sizeof *t->inst_all);
    t->inst_per = calloc((nm ? nm : 1) * ns, sizeof *t->inst_per);
    t->fit_per = calloc(ns, sizeof *t->fit_per);
    if (!t->all || !t->per || !t->inst_all || !t->inst_per || !t->fit_per)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < g->n_nc; i++) {
        int m = g->nc[i].month - t->first_month;
        if (m < 0 || m >= t->n_months) continue;
        t->all[m]++;
        long s = supplier_index(&g->suppliers, g->nc[i].supplier_name);
        if (s >= 0) t->per[(size_t)s * nm + (size_t)m]++;
    }
    char key[600];
    for (size_t s = 0; s < t->n_suppliers; s++)
        for (size_t m = 0; m < nm; m++) {
            snprintf(key, sizeof key, "%s\x1f%d", g->suppliers.e[s].key,
                     t->first_month + (int)m);
            double n = tally_get(&g->installs, key, 0);
            t->inst_per[s * nm + m] = n;
            t->inst_all[m] += n;
        }
    /* The share of installs that were non-compliant, not the count (trend_fit_rate). */
    rfn_status r = trend_fit_rate(t->all, t->inst_all, nm, &t->fit_all, err);
    for (size_t s = 0; !r && s < t->n_suppliers; s++)
        r = trend_fit_rate(t->per + s * nm, t->inst_per + s * nm, nm, &t->fit_per[s], err);
    return r ? r : trend_after_cutoff(g, t, err);
}

static void trend_free(trend_data *t)
{
    free(t->after_all);
    free(t->after_per);
    free(t->fit_after_per);
    free(t->all);
    free(t->per);
    free(t->inst_all);
    free(t->inst_per);
    free(t->fit_per);
}

/* ---- output helpers -------------------------------------------------------------------------- */

static void date_text(int32_t d, char out[ISO_DATE_TEXT_LEN])
{
    if (d == STORE_NO_DATE)
        out[0] = '\0';
    else
        iso_date_format(d, out);
}

void report_sanitise_name(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < cap && n < 60; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        out[n++] = ok ? c : '_';
    }
    if (n == 0 && cap > 8) {
        memcpy(out, "unnamed", 7);
        n = 7;
    }
    out[n] = '\0';
    if (out[0] == '.') /* no hidden files, no ".." */
        out[0] = '_';
}

/* One of the report's cases as one row of cases.csv (case_fields_report). */
static void case_csv_row(FILE *f, const report_case *rc, int32_t as_of)
{
    store_case c = {
        .id = rc->id, .device_id = rc->device_id, .supplier = rc->supplier, .mpxn = rc->mpxn,
        .manufacturer = rc->manufacturer, .model = rc->model, .firmware = rc->firmware,
        .region = rc->region, .supplier_id = rc->supplier_id, .reasons = rc->reasons,
        .evidence = rc->evidence, .worst_band = rc->worst_band, .margin_db = rc->margin_db,
        .install_date = rc->install_date, .notice_date = rc->notice_date,
        .plan_due = rc->plan_due, .remediation_due = rc->remediation_due,
        .plan_agreed = rc->plan_agreed, .agreed_due = rc->agreed_due, .state = rc->state,
        .state_since = rc->state_since,
    };
    case_row row;
    case_row_init(&row, &c, as_of);
    field_csv_row(f, case_fields_report, case_fields_report_count, &row);
}

static rfn_status out_path(const char *dir, const char *name, char *path, size_t cap,
                           rfn_error *err)
{
    if (snprintf(path, cap, "%s/%s", dir, name) >= (int)cap)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: output path too long", dir);
    return RFN_OK;
}

static rfn_status write_cases_csv(const gather *g, const char *dir, const char *supplier,
                                  const char *name, rfn_error *err)
{
    char path[1200];
    rfn_status r = out_path(dir, name, path, sizeof path, err);
    atomic_file *af = NULL;
    if (r || (r = atomic_file_open(path, &af, err))) return r;
    FILE *f = atomic_file_stream(af);
    field_csv_header(f, case_fields_report, case_fields_report_count);
    if (!supplier) {
        for (size_t i = 0; i < g->n_cases; i++)
            case_csv_row(f, &g->cases[i], g->as_of);
    } else {
        /* The store orders cases by Supplier then remediation due date: already plan order. */
        for (size_t i = 0; i < g->n_cases; i++)
            if (!strcmp(g->cases[i].supplier, supplier) && case_active(&g->cases[i]))
                case_csv_row(f, &g->cases[i], g->as_of);
    }
    return atomic_file_commit(af, err);
}

static rfn_status write_trend_csv(const gather *g, const trend_data *t, const char *dir,
                                  rfn_error *err)
{
    char path[1200];
    rfn_status r = out_path(dir, "trend.csv", path, sizeof path, err);
    atomic_file *af = NULL;
    if (r || (r = atomic_file_open(path, &af, err))) return r;
    FILE *f = atomic_file_stream(af);
    static const char *const head[] = {"month", "installs", "non_compliant", "share"};
    for (size_t i = 0; i < 4; i++) {
        if (i) csv_write_sep(f);
        csv_write_text(f, head[i]);
    }
    char col[600];
    for (size_t s = 0; s < t->n_suppliers; s++)
        for (int k = 0; k < 2; k++) {
            snprintf(col, sizeof col, "%s: %s", g->suppliers.e[s].key,
                     k ? "non_compliant" : "installs");
            csv_write_sep(f);
            csv_write_text(f, col);
        }
    csv_end_row(f);
    size_t nm = (size_t)t->n_months;
    for (size_t m = 0; m < nm; m++) {
        char label[16];
        trend_month_text(t->first_month + (int)m, label);
        csv_write_text(f, label);
        csv_write_sep(f);
        csv_write_int(f, (long long)t->inst_all[m]);
        csv_write_sep(f);
        csv_write_int(f, (long long)t->all[m]);
        csv_write_sep(f);
        csv_write_number(f, t->inst_all[m] > 0 ? t->all[m] / t->inst_all[m] : NAN, 4);
        for (size_t s = 0; s < t->n_suppliers; s++) {
            csv_write_sep(f);
            csv_write_int(f, (long long)t->inst_per[s * nm + m]);
            csv_write_sep(f);
            csv_write_int(f, (long long)t->per[s * nm + m]);
        }
        csv_end_row(f);
    }
    return atomic_file_commit(af, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted distinct installers of the non-compliant installs in x into *out (NULL when none
 * gave one: the extracts have no Installer column). false: out of memory. */
static bool installer_names(const nc_reason_install *x, size_t n_x, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    bool any = false;
    for (size_t i = 0; i < n_x && !any; i++)
        any = strcmp(x[i].supplier, NOT_GIVEN) != 0;
    if (!any) return true;
    const char **names = malloc(n_x * sizeof *names);
    if (!names) return false;
    for (size_t i = 0; i < n_x; i++)
        names[i] = x[i].supplier;
    qsort(names, n_x, sizeof *names, cmp_str);
    for (size_t i = 0; i < n_x; i++)
        if (!*n || strcmp(names[*n - 1], names[i])) names[(*n)++] = names[i];
    *out = names;
    return true;
}

/* The reasons of the non-compliant installs in the trend's window (report_reasons.h), by
 * Supplier, and by installer when the extracts gave one (*by_installer NULL otherwise). */
static rfn_status reasons_make(const gather *g, const trend_data *t, reasons_data **rd,
                               reasons_data **by_installer, rfn_error *err)
{
    size_t n = g->n_nc, n_inst = 0;
    nc_reason_install *x = calloc(n ? 2 * n : 1, sizeof *x), *xi = x ? x + n : NULL;
    const char **names = calloc(g->suppliers.n ? g->suppliers.n : 1, sizeof *names), **inst = NULL;
    rfn_status r = RFN_OK;
    *by_installer = NULL;
    if (!x || !names) r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !r && i < n; i++) {
        const nc_install *c = &g->nc[i];
        x[i] = (nc_reason_install){c->supplier_name, c->month, c->primary, c->reasons};
        xi[i] = x[i];
        xi[i].supplier = c->installer_name[0] ? c->installer_name : NOT_GIVEN;
    }
    for (size_t s = 0; !r && s < g->suppliers.n; s++)
        names[s] = g->suppliers.e[s].key;
    if (!r)
        r = reasons_build(x, n, t->first_month, t->n_months, "Supplier", names, g->suppliers.n,
                          rd, err);
    if (!r && !installer_names(xi, n, &inst, &n_inst))
        r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (!r && inst)
        r = reasons_build(xi, n, t->first_month, t->n_months, "Installer", inst, n_inst,
                          by_installer, err);
    free(inst);
    free(x);
    free(names);
    return r;
}

static rfn_status write_reasons_csv(const reasons_data *rd, const char *dir, const char *name,
                                    rfn_error *err)
{
    if (!rd) return RFN_OK;
    char path[1200];
    rfn_status r = out_path(dir, name, path, sizeof path, err);
    atomic_file *af = NULL;
    if (r || (r = atomic_file_open(path, &af, err))) return r;
    reasons_write_csv(atomic_file_stream(af), rd);
    return atomic_file_commit(af, err);
}

/* ---- charts ---------------------------------------------------------------------------------- */

typedef struct charts {
    char *svg[3]; /* trend, suppliers, ageing: the <svg> element, or NULL */
    char note[600];
    bool drawn;
} charts;

/* Read an SVG file gnuplot wrote and keep only the <svg ...> element, without its XML prolog and
 * namespace declarations (HTML parses inline SVG natively), so the page has no URL in it. */
static char *svg_inline(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = len > 0 ? malloc((size_t)len + 1) : NULL;
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[len] = '\0';
    char *start = strstr(buf, "<svg");
    if (!start) {
        free(buf);
        return NULL;
    }
    memmove(buf, start, strlen(start) + 1);
    static const char *const drop[] = {" xmlns=\"http://www.w3.org/2000/svg\"",
                                       " xmlns:xlink=\"http://www.w3.org/1999/xlink\""};
    for (size_t i = 0; i < 2; i++) {
        char *p = strstr(buf, drop[i]);
        if (p) memmove(p, p + strlen(drop[i]), strlen(p + strlen(drop[i])) + 1);
    }
    return buf;
}

static const char *const ageing_labels[] = {"0-10 days", "11-30 days", "31-60 days", "61-90 days",
                                            "over 90 days"};

static int ageing_bucket(int32_t days)
{
    return days <= 10 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
}

enum { TREND_MARKERS_MAX = 8 };

/* Where a date falls on the trend's month axis: its month's position and the share of the month
 * gone by (a cut-off on the 31st lies at the month's end). */
static double month_x(const trend_data *t, int32_t day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    return (double)(month_of(day) - t->first_month) + ((double)d - 1) / 31.0;
}

/* The trend chart's markers: the derogation cut-off and each notice inside the window (issue
 * 15), labels in text[k]; their number. */
static size_t trend_markers(const gather *g, const trend_data *t, plot_marker *mk,
                            char text[][48])
{
    size_t n = 0;
    char d[ISO_DATE_TEXT_LEN];
    if (g->cut_off != STORE_NO_DATE && month_x(t, g->cut_off) >= -0.5 &&
        month_x(t, g->cut_off) <= t->n_months - 0.5) {
        iso_date_format(g->cut_off, d);
        snprintf(text[n], 48, "derogation cut-off %s", d);
        mk[n] = (plot_marker){month_x(t, g->cut_off), text[n]};
        n++;
    }
    for (int32_t done = INT32_MIN; n < TREND_MARKERS_MAX;) {
        int32_t next = INT32_MAX; /* the next notice date after `done` */
        for (size_t i = 0; i < g->n_cases; i++)
            if (g->cases[i].notice_date > done && g->cases[i].notice_date < next)
                next = g->cases[i].notice_date;
        if (next == INT32_MAX) break;
        done = next;
        double x = month_x(t, next);
        if (x < -0.5 || x > t->n_months - 0.5) continue;
        iso_date_format(next, d);
        snprintf(text[n], 48, "notice %s", d);
        mk[n] = (plot_marker){x, text[n]};
        n++;
    }
    return n;
}

/* Chart c written to DIR/name and kept inline in *svg. gnuplot failing is not fatal: *failed
 * is set and perr says why (the page is complete without charts). */
static rfn_status chart_to(const plot_chart *c, const char *dir, const char *name, char **svg,
                           bool *failed, rfn_error *perr, rfn_error *err)
{
    char path[1200];
    rfn_status r = out_path(dir, name, path, sizeof path, err);
    if (r) return r;
    if (plot_chart_write(c, path, perr) != RFN_OK)
        *failed = true;
    else
        *svg = svg_inline(path);
    return RFN_OK;
}

/* 1. trend: the share of all Suppliers, the fit, and each Supplier when there are a few (in %
 * of the month's installs; a month without installs has no share). */
static rfn_status trend_chart(const gather *g, const trend_data *t, const char *dir, charts *ch,
                              bool *failed, rfn_error *perr, rfn_error *err)
{
    if (t->n_months <= 0) return RFN_OK;
    size_t nm = (size_t)t->n_months;
    char **labels = calloc(nm, sizeof *labels);
    double *fit = malloc(nm * sizeof *fit);
    double *share = malloc(nm * (t->n_suppliers + 1) * sizeof *share);
    rfn_status r = RFN_OK;
    for (size_t m = 0; labels && m < nm && !r; m++)
        if (!(labels[m] = malloc(16))) r = RFN_ERR_NOMEM;
    if (r || !labels || !fit || !share) {
        r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t m = 0; m < nm; m++) {
        trend_month_text(t->first_month + (int)m, labels[m]);
        fit[m] = t->fit_all.direction != TREND_UNKNOWN
                     ? 100 * exp(t->fit_all.intercept + t->fit_all.slope * (double)m)
                     : NAN;
        share[m] = t->inst_all[m] > 0 ? 100 * t->all[m] / t->inst_all[m] : NAN;
        for (size_t s = 0; s < t->n_suppliers; s++) {
            double n = t->inst_per[s * nm + m];
            share[(s + 1) * nm + m] = n > 0 ? 100 * t->per[s * nm + m] / n : NAN;
        }
    }
    plot_series ser[12];
    size_t ns = 0;
    ser[ns++] = (plot_series){.label = "all Suppliers", .y = share};
    ser[ns++] = (plot_series){.label = "Poisson fit (all)", .y = fit, .dashed_line = 1};
    for (size_t s = 0; s < t->n_suppliers && ns < 12 && t->n_suppliers > 1; s++)
        ser[ns++] = (plot_series){.label = g->suppliers.e[s].key, .y = share + (s + 1) * nm};
    plot_marker mk[TREND_MARKERS_MAX];
    char mk_text[TREND_MARKERS_MAX][48];
    plot_chart c = {.kind = PLOT_CHART_LINES,
                    .markers = mk,
                    .n_markers = trend_markers(g, t, mk, mk_text),
                    .title = "Non-compliant share of installs per install month",
                    .x_label = "install month",
                    .y_label = "non-compliant (% of installs)",
                    .x_labels = (const char *const *)labels,
                    .n_x = nm,
                    .series = ser,
                    .n_series = ns};
    r = chart_to(&c, dir, "trend.svg", &ch->svg[0], failed, perr, err);
done:
    for (size_t m = 0; labels && m < nm; m++)
        free(labels[m]);
    free(labels);
    free(fit);
    free(share);
    return r;
}

/* 2. cases by state per Supplier. */
static rfn_status suppliers_chart(const gather *g, const char *dir, charts *ch, bool *failed,
                                  rfn_error *perr, rfn_error *err)
{
    size_t n = g->suppliers.n;
    if (n == 0) return RFN_OK;
    double *counts = malloc(4 * n * sizeof *counts);
    const char **names = malloc(n * sizeof *names);
    rfn_status r = RFN_OK;
    if (!counts || !names) {
        r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t s = 0; s < n; s++) {
        names[s] = g->suppliers.e[s].key;
        for (int k = 0; k < 4; k++)
            counts[(size_t)k * n + s] = g->suppliers.e[s].v[S_OPEN + k];
    }
    plot_series ser[4] = {{.label = "open", .y = counts},
                          {.label = "overdue", .y = counts + n},
                          {.label = "remediated", .y = counts + 2 * n},
                          {.label = "resolved", .y = counts + 3 * n}};
    plot_chart c = {.kind = PLOT_CHART_BARS,
                    .title = "Remediation cases by Supplier",
                    .x_label = "Supplier",
                    .y_label = "cases",
                    .x_labels = names,
                    .n_x = n,
                    .series = ser,
                    .n_series = 4};
    r = chart_to(&c, dir, "suppliers.svg", &ch->svg[1], failed, perr, err);
done:
    free(names);
    free(counts);
    return r;
}

/* The active cases by days since notice (ageing_bucket): open, overdue. */
static void ageing_counts(const gather *g, double age[5], double od[5])
{
    for (int b = 0; b < 5; b++)
        age[b] = od[b] = 0;
    for (size_t i = 0; i < g->n_cases; i++)
        if (case_active(&g->cases[i])) {
            int b = ageing_bucket(g->as_of - g->cases[i].notice_date);
            if (!strcmp(g->cases[i].state, "overdue"))
                od[b]++;
            else
                age[b]++;
        }
}

/* 3. ageing of active cases. */
static rfn_status ageing_chart(const gather *g, const char *dir, charts *ch, bool *failed,
                               rfn_error *perr, rfn_error *err)
{
    double age[5], od[5];
    ageing_counts(g, age, od);
    plot_series ser[2] = {{.label = "open", .y = age}, {.label = "overdue", .y = od}};
    plot_chart c = {.kind = PLOT_CHART_BARS,
                    .title = "Ageing of open cases (days since notice)",
                    .x_label = "days since notice",
                    .y_label = "cases",
                    .x_labels = ageing_labels,
                    .n_x = 5,
                    .series = ser,
                    .n_series = 2};
    return chart_to(&c, dir, "ageing.svg", &ch->svg[2], failed, perr, err);
}

/* The three charts, stopping at the first gnuplot failure (then ch->note says why). */
static rfn_status draw_charts(const gather *g, const trend_data *t, const char *dir, charts *ch,
                              rfn_error *err)
{
    rfn_error perr = {0};
    bool failed = false;
    rfn_status r = trend_chart(g, t, dir, ch, &failed, &perr, err);
    if (!r && !failed) r = suppliers_chart(g, dir, ch, &failed, &perr, err);
    if (!r && !failed) r = ageing_chart(g, dir, ch, &failed, &perr, err);
    ch->drawn = !r && !failed;
    if (failed) snprintf(ch->note, sizeof ch->note, "Charts are not drawn: %s", perr.msg);
    return r;
}

/* ---- the page -------------------------------------------------------------------------------- */

static const char *const css =
    "body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}"
    "h1{font-size:1.6em;border-bottom:2px solid #333}h2{font-size:1.25em;margin-top:1.6em;"
    "border-bottom:1px solid #bbb}h3{font-size:1.05em}"
    "table{border-collapse:collapse;margin:0.5em 0 1em;font-size:0.9em}"
    "th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}"
    "th{background:#eee}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.total td{font-weight:bold;background:#f6f6f6}"
    ".overdue{color:#b00;font-weight:bold}.note{background:#fff6d6;border:1px solid #e0c060;"
    "padding:0.5em}.statement{font-size:1.1em;font-weight:bold}"
    "svg{max-width:100%;height:auto}code{font-size:0.85em;word-break:break-all}"
    "table.timetable td{white-space:nowrap}"
    "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}"
    "table,svg{page-break-inside:avoid}}";

static void td_text(FILE *f, const char *s)
{
    fputs("<td>", f);
    html_escape(f, s);
    fputs("</td>", f);
}

static void td_num(FILE *f, double v)
{
    fprintf(f, "<td class=\"n\">%.0f</td>", v);
}

static void td_date(FILE *f, int32_t d)
{
    char t[ISO_DATE_TEXT_LEN];
    date_text(d, t);
    td_text(f, t);
}

static void fit_text(FILE *f, const trend_fit *fit)
{
    if (fit->direction == TREND_UNKNOWN) {
        fputs("not fitted (", f);
        html_escape(f, fit->note);
        fputs(")", f);
        return;
    }
    fprintf(f, "%+.1f %% per month (95 %% CI %+.1f %% to %+.1f %%)", 100 * fit->growth,
            100 * fit->growth_lo, 100 * fit->growth_hi);
}

static void write_headline(FILE *f, const gather *g)
{
    fputs("<h2 id=\"headline\">Headline by Supplier</h2>\n<table class=\"headline\"><tr>"
          "<th>Supplier</th><th>non-compliant devices</th><th>derogation-compliant</th>"
          "<th>inconclusive</th><th>retest required</th><th>open cases</th><th>overdue</th>"
          "<th>missing from extract</th><th>remediated</th><th>resolved</th></tr>\n",
          f);
    static const int cols[] = {S_NONCOMPLIANT, S_DEROGATION, S_INCONCLUSIVE, S_RETEST, S_OPEN,
                               S_OVERDUE,      S_MISSING,    S_REMEDIATED,   S_RESOLVED};
    enum { N_COLS = sizeof cols / sizeof *cols };
    double tot[N_COLS] = {0};
    for (size_t s = 0; s < g->suppliers.n; s++) {
        fputs("<tr>", f);
        td_text(f, g->suppliers.e[s].key);
        for (int k = 0; k < N_COLS; k++) {
            td_num(f, g->suppliers.e[s].v[cols[k]]);
            tot[k] += g->suppliers.e[s].v[cols[k]];
        }
        fputs("</tr>\n", f);
    }
    fputs("<tr class=\"total\"><td>all Suppliers</td>", f);
    for (int k = 0; k < N_COLS; k++)
        td_num(f, tot[k]);
    fputs("</tr>\n</table>\n", f);
}

/* One row of the after-cut-off table: name, installs and non-compliant installs after the
 * cut-off, and the share's fit. */
static void after_cutoff_row(FILE *f, const char *name, const double *inst, const double *nc,
                             const trend_data *t, const trend_fit *fit)
{
    double n_inst = 0, n_nc = 0;
    for (int m = t->after_from; m < t->n_months; m++) {
        n_inst += inst[m];
        n_nc += nc[m];
    }
    fputs("<tr>", f);
    td_text(f, name);
    td_num(f, n_inst);
    td_num(f, n_nc);
    fputs("<td>", f);
    fit_text(f, fit);
    fputs("</td>", f);
    td_text(f, trend_direction_name(fit->direction));
    fputs("</tr>\n", f);
}

/* The non-compliant installs made after the derogation cut-off, their own series per Supplier
 * with its statement at 95 % (trend_after_cutoff). */
static void write_after_cutoff(FILE *f, const gather *g, const trend_data *t)
{
    fputs("<h3 id=\"after-cutoff\">Non-compliant installs after the derogation cut-off</h3>\n",
          f);
    if (g->cut_off == STORE_NO_DATE) {
        fputs("<p>No result set gives its derogation list&#39;s cut-off: give <code>--cut-off "
              "DATE</code> to follow the non-compliant installs made after it on their "
              "own.</p>\n", f);
        return;
    }
    if (g->cut_off_rs)
        fprintf(f, "<p>The cut-off is the latest InstallBy of the derogation list of result set "
                   "%lld, the newest this report reads (<code>--cut-off DATE</code> gives "
                   "another).</p>\n", (long long)g->cut_off_rs);
    char d[ISO_DATE_TEXT_LEN], m0[16] = "";
    iso_date_format(g->cut_off, d);
    if (t->after_from < t->n_months) trend_month_text(t->first_month + t->after_from, m0);
    if (t->after_from >= t->n_months) { /* the extract's installs end before then */
        char last[16] = "";
        if (t->n_months > 0) trend_month_text(t->first_month + t->n_months - 1, last);
        fprintf(f, "<p class=\"statement\">After the cut-off of %s: no install month to follow "
                   "yet; the trend's window ends %s, before the first whole month after "
                   "it.</p>\n", d, last[0] ? last : "without a complete month");
        return;
    }
    fprintf(f, "<p class=\"statement\">After the cut-off of %s, the share of installs that are "
               "non-compliant meters (models no derogation covers, or installed outside their "
               "acceptable locations or after it) is %s at 95 %% confidence: ",
            d, trend_direction_name(t->fit_after_all.direction));
    fit_text(f, &t->fit_after_all);
    fprintf(f, ".</p>\n<p>Install months from %s (the first whole month after the cut-off) to "
               "the end of the trend's window; the same model as above.</p>\n",
            m0[0] ? m0 : "(none in the window)");
    fputs("<table><tr><th>Supplier</th><th>installs after the cut-off</th><th>non-compliant</th>"
          "<th>monthly growth of the share</th><th>at 95 %</th></tr>\n", f);
    after_cutoff_row(f, "all Suppliers", t->inst_all, t->after_all, t, &t->fit_after_all);
    size_t nm = (size_t)t->n_months;
    for (size_t s = 0; s < t->n_suppliers; s++)
        after_cutoff_row(f, g->suppliers.e[s].key, t->inst_per + s * nm, t->after_per + s * nm,
                         t, &t->fit_after_per[s]);
    fputs("</table>\n", f);
}

static void write_trend(FILE *f, const gather *g, const trend_data *t, const charts *ch)
{
    fputs("<h2 id=\"trend\">Trend of the non-compliant share of installs</h2>\n"
          "<p class=\"statement\">", f);
    const trend_fit *a = &t->fit_all;
    if (a->direction == TREND_UNKNOWN) {
        fputs("No trend can be stated: ", f);
        html_escape(f, a->note);
        fputs(".", f);
    } else {
        fprintf(f, "The share of installs that are non-compliant meters is %s at 95 %% "
                   "confidence: ",
                a->direction == TREND_RISING    ? "rising"
                : a->direction == TREND_FALLING ? "falling"
                                                : "flat (neither rising nor falling)");
        fit_text(f, a);
        fputs(".", f);
    }
    fputs("</p>\n", f);
    if (t->n_months > 0) {
        char a0[16], a1[16];
        trend_month_text(t->first_month, a0);
        trend_month_text(t->first_month + t->n_months - 1, a1);
        char ex[ISO_DATE_TEXT_LEN] = "";
        if (g->extract_as_of != STORE_NO_DATE) iso_date_format(g->extract_as_of, ex);
        fprintf(f,
                "<p>Devices whose latest verdict is non-compliant, as a share of all devices "
                "installed in the same month, by install month, %s to %s (%d months: up to the "
                "last complete install month the register extract of %s covers; a later report "
                "date does not move it). A quiet install month is not an improvement: the model "
                "is a Poisson regression of the monthly non-compliant count on the month with the "
                "month's installs as exposure (log link, IRLS), so the growth is that of the "
                "share; the interval is widened by the dispersion when the counts scatter more "
                "than Poisson (dispersion %.2f).</p>\n",
                a0, a1, t->n_months, ex[0] ? ex : "(none)", a->dispersion);
    }
    if (ch->svg[0]) fprintf(f, "<figure>%s</figure>\n", ch->svg[0]);
    fputs("<table><tr><th>Supplier</th><th>installs in the window</th>"
          "<th>non-compliant</th><th>monthly growth of the share</th><th>at 95 %</th></tr>\n<tr>",
          f);
    td_text(f, "all Suppliers");
    double inst = 0;
    for (int m = 0; m < t->n_months; m++)
        inst += t->inst_all[m];
    td_num(f, inst);
    td_num(f, a->total);
    fputs("<td>", f);
    fit_text(f, a);
    fputs("</td>", f);
    td_text(f, trend_direction_name(a->direction));
    fputs("</tr>\n", f);
    for (size_t s = 0; s < t->n_suppliers; s++) {
        fputs("<tr>", f);
        td_text(f, g->suppliers.e[s].key);
        double n = 0;
        for (int m = 0; m < t->n_months; m++)
            n += t->inst_per[s * (size_t)t->n_months + (size_t)m];
        td_num(f, n);
        td_num(f, t->fit_per[s].total);
        fputs("<td>", f);
        fit_text(f, &t->fit_per[s]);
        fputs("</td>", f);
        td_text(f, trend_direction_name(t->fit_per[s].direction));
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    write_after_cutoff(f, g, t);
}

/* Each notice's timetable: agreed by the Operations Group (when, by whom), or missed once its
 * due date (notice + 10 days) has passed unagreed. */
static void write_notice_timetables(FILE *f, const gather *g)
{
    int32_t done = INT32_MIN;
    for (;;) {
        int32_t next = INT32_MAX; /* the next notice date after `done` among the cases */
        for (size_t i = 0; i < g->n_cases; i++)
            if (g->cases[i].notice_date > done && g->cases[i].notice_date < next)
                next = g->cases[i].notice_date;
        if (next == INT32_MAX) break;
        done = next;
        char n[ISO_DATE_TEXT_LEN], due[ISO_DATE_TEXT_LEN], d[ISO_DATE_TEXT_LEN];
        iso_date_format(next, n);
        iso_date_format(remediation_deadlines_from_notice(next).plan_due_day, due);
        const store_timetable *t = NULL;
        for (size_t k = 0; k < g->n_timetables; k++)
            if (g->timetables[k].notice_date == next) t = &g->timetables[k];
        fprintf(f, "<p>Timetable of the notice of %s (agreement due %s): ", n, due);
        if (t) {
            iso_date_format(t->agreed, d);
            fprintf(f, "agreed on %s by ", d);
            html_escape(f, t->by);
            fputs(t->agreed > remediation_deadlines_from_notice(next).plan_due_day
                      ? " <strong class=\"overdue\">(after its due date)</strong>"
                      : "",
                  f);
        } else if (g->as_of > remediation_deadlines_from_notice(next).plan_due_day) {
            fputs("<strong class=\"overdue\">not agreed: timetable missed</strong>", f);
        } else {
            fputs("not agreed yet", f);
        }
        fputs(".</p>\n", f);
    }
}

static void write_timetable(FILE *f, const gather *g)
{
    fputs("<h2 id=\"timetable\">Remediation timetable per Supplier</h2>\n<p>Open and overdue "
          "cases by removal due date. The notice's timetable is due for the Operations Group's "
          "agreement 10 days after the notice; removal is due 90 days after it, or on the date "
          "agreed in the Supplier's plan, which then replaces it.</p>\n",
          f);
    write_notice_timetables(f, g);
    bool any = false;
    for (size_t s = 0; s < g->suppliers.n; s++) {
        const char *sup = g->suppliers.e[s].key;
        size_t n = 0;
        for (size_t i = 0; i < g->n_cases; i++)
            n += !strcmp(g->cases[i].supplier, sup) && case_active(&g->cases[i]);
        if (!n) continue;
        any = true;
        fputs("<h3>", f);
        html_escape(f, sup);
        /* the heading counts the Supplier's cases by state (issue 15) */
        const double *v = g->suppliers.e[s].v;
        fprintf(f, " (%.0f open, %.0f overdue, %.0f missing from the extract)", v[S_OPEN],
                v[S_OVERDUE], v[S_MISSING]);
        fprintf(f,
                "</h3>\n<table class=\"timetable\"><tr><th>case</th><th>DeviceID</th>"
                "<th>ImportMPxN</th><th>model / firmware</th><th>notice</th>"
                "<th>timetable due</th><th>plan agreed</th><th>removal due</th>"
                "<th>state</th><th>days since notice</th></tr>\n");
        for (size_t i = 0; i < g->n_cases; i++) {
            const report_case *c = &g->cases[i];
            if (strcmp(c->supplier, sup) || !case_active(c)) continue;
            char eui[EUI64_TEXT_LEN];
            eui64_format(c->device_id, eui);
            fprintf(f, "<tr><td class=\"n\">%lld</td>", (long long)c->id);
            td_text(f, eui);
            td_text(f, c->mpxn);
            fputs("<td>", f);
            html_escape(f, c->manufacturer);
            fputs(" ", f);
            html_escape(f, c->model);
            fputs(" / ", f);
            html_escape(f, c->firmware);
            fputs("</td>", f);
            td_date(f, c->notice_date);
            td_date(f, c->plan_due);
            td_date(f, c->plan_agreed);
            int32_t removal = c->agreed_due != STORE_NO_DATE ? c->agreed_due : c->remediation_due;
            td_date(f, removal);
            fprintf(f, "<td%s>", strcmp(c->state, "overdue") ? "" : " class=\"overdue\"");
            html_escape(f, c->state);
            /* Overdue needs a snapshot showing the meter still installed after the due date;
             * until one comes, say that the date has passed. */
            if (!strcmp(c->state, "open") && g->as_of > removal)
                fputs(" (due date passed; no snapshot since)", f);
            if (c->agreed_due != STORE_NO_DATE && g->as_of > c->agreed_due)
                fputs(" (agreed date missed)", f);
            fputs("</td>", f);
            td_num(f, (double)(g->as_of - c->notice_date));
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    if (!any) fputs("<p>No open or overdue cases.</p>\n", f);
}

static int cmp_model_count(const void *a, const void *b)
{
    const tally_entry *x = a, *y = b;
    if (x->v[0] != y->v[0]) return x->v[0] < y->v[0] ? 1 : -1;
    return strcmp(x->key, y->key);
}

static void write_breakdowns(FILE *f, gather *g)
{
    fputs("<h2 id=\"breakdowns\">Breakdowns</h2>\n<h3>By manufacturer, model and firmware "
          "(most non-compliant first, up to 50)</h3>\n<table><tr><th>manufacturer</th>"
          "<th>model</th><th>firmware</th><th>non-compliant</th><th>derogation-compliant</th>"
          "<th>assessed</th></tr>\n",
          f);
    /* a sorted copy by count (the tally stays key-sorted) */
    tally_entry *cp = malloc((g->models.n ? g->models.n : 1) * sizeof *cp);
    if (cp) {
        if (g->models.n) /* no verdicts yet: e is NULL, and memcpy must not see it */
            memcpy(cp, g->models.e, g->models.n * sizeof *cp);
        qsort(cp, g->models.n, sizeof *cp, cmp_model_count);
        for (size_t i = 0; i < g->models.n && i < 50; i++) {
            char key[600];
            snprintf(key, sizeof key, "%s", cp[i].key);
            char *m = strchr(key, '\x1f'), *fw = m ? strchr(m + 1, '\x1f') : NULL;
            if (m) *m++ = '\0';
            if (fw) *fw++ = '\0';
            fputs("<tr>", f);
            td_text(f, key);
            td_text(f, m ? m : "");
            td_text(f, fw ? fw : "");
            td_num(f, cp[i].v[0]);
            td_num(f, cp[i].v[1]);
            td_num(f, cp[i].v[2]);
            fputs("</tr>\n", f);
        }
        free(cp);
    }
    fputs("</table>\n<h3>By CSP region</h3>\n<table><tr><th>region</th><th>non-compliant</th>"
          "<th>derogation-compliant</th><th>assessed</th><th>devices with a verdict row</th>"
          "</tr>\n",
          f);
    for (size_t i = 0; i < g->regions.n; i++) {
        fputs("<tr>", f);
        td_text(f, g->regions.e[i].key[0] ? g->regions.e[i].key : "(none)");
        for (int k = 0; k < 4; k++)
            td_num(f, g->regions.e[i].v[k]);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void write_derogation(FILE *f, const gather *g)
{
    fprintf(f,
            "<h2 id=\"derogation\">Derogation picture</h2>\n<p>%.0f meters are "
            "derogation-compliant (noisy models allowed by a derogation in an acceptable "
            "location). Of the %.0f non-compliant meters, %.0f are a derogated kind installed "
            "after the derogation's cut-off date (installed-after-cutoff) and %.0f are in a "
            "location the derogation does not accept (location-not-acceptable).</p>\n",
            g->derog_total, g->nc_total, g->after_cutoff, g->location_bad);
    if (!g->derog.n) return;
    fputs("<table><tr><th>region</th><th>postcode area</th><th>derogation-compliant</th></tr>\n",
          f);
    for (size_t i = 0; i < g->derog.n; i++) {
        char key[600];
        snprintf(key, sizeof key, "%s", g->derog.e[i].key);
        char *area = strchr(key, '\x1f');
        if (area) *area++ = '\0';
        fputs("<tr>", f);
        td_text(f, key);
        td_text(f, area ? area : "");
        td_num(f, g->derog.e[i].v[0]);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

typedef struct prov_ctx {
    FILE *f;
    int32_t as_of;
    int64_t last_snapshot; /* newest snapshot dated on or before as_of (ids follow dates) */
} prov_ctx;

static int prov_snapshot(const store_snapshot *sn, void *ctx)
{
    prov_ctx *p = ctx;
    if (sn->as_of > p->as_of) return 0;
    p->last_snapshot = sn->id;
    fprintf(p->f, "<tr><td class=\"n\">%lld</td>", (long long)sn->id);
    td_date(p->f, sn->as_of);
    td_text(p->f, sn->file);
    fputs("<td><code>", p->f);
    html_escape(p->f, sn->sha256);
    fputs("</code></td>", p->f);
    td_num(p->f, (double)sn->rows_read);
    td_num(p->f, (double)sn->rows_accepted);
    td_num(p->f, (double)sn->rows_rejected);
    td_num(p->f, (double)sn->rows_on_wall);
    fputs("</tr>\n", p->f);
    return 0;
}

static int prov_result_set(const store_result_set *rs, void *ctx)
{
    prov_ctx *p = ctx;
    if (rs->snapshot_id > p->last_snapshot) return 0; /* made after the report date */
    fprintf(p->f, "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td>", (long long)rs->id,
            (long long)rs->snapshot_id);
    td_text(p->f, rs->dir);
    fputs("<td><code>", p->f);
    html_escape(p->f, rs->devices_sha256);
    fputs("</code></td>", p->f);
    td_text(p->f, rs->tool_version);
    fputs("<td>", p->f);
    html_escape(p->f, rs->limit_set_id);
    if (rs->limit_set_illustrative) fputs(" <strong>(ILLUSTRATIVE VALUES)</strong>", p->f);
    fputs("</td>", p->f);
    td_text(p->f, rs->limit_set_version);
    td_text(p->f, rs->derogation_ref);
    td_num(p->f, (double)rs->n_devices);
    fputs("</tr>\n", p->f);
    return 0;
}

static rfn_status write_provenance(FILE *f, store *s, const report_config *cfg, rfn_error *err)
{
    fputs("<h2 id=\"provenance\">Data provenance</h2>\n<h3>Register snapshots</h3>\n<table><tr>"
          "<th>snapshot</th><th>extract date</th><th>file</th><th>SHA-256</th><th>rows</th>"
          "<th>accepted</th><th>rejected</th><th>on the wall</th></tr>\n",
          f);
    prov_ctx p = {f, cfg->as_of, 0};
    rfn_status r = store_snapshots_each(s, prov_snapshot, &p, err);
    if (r) return r;
    fputs("</table>\n<h3>Validate result sets</h3>\n<table><tr><th>set</th><th>snapshot</th>"
          "<th>directory</th><th>devices.csv SHA-256</th><th>validate version</th>"
          "<th>limit set</th><th>limit set version</th><th>derogation list</th><th>devices</th>"
          "</tr>\n",
          f);
    if ((r = store_result_sets_each(s, prov_result_set, &p, err))) return r;
    fputs("</table>\n<p>Report made by rfnoise ", f);
    html_escape(f, cfg->tool_version);
    fprintf(f, " from workspace schema version %d.</p>\n", store_schema_version(s));
    return RFN_OK;
}

/* Of the result sets the report reads (their snapshot dated on or before as_of): whether one was
 * judged under a limit set of illustrative values (the report then says so first, issue 14),
 * and the newest one's derogation cut-off (the report's default --cut-off, issue 15). */
typedef struct illus_ctx {
    int32_t as_of;
    int64_t last_snapshot;
    bool any;
    int32_t cut_off;
    int64_t cut_off_rs; /* the result set it came from; 0 none */
} illus_ctx;

static int illus_snapshot(const store_snapshot *sn, void *ctx)
{
    illus_ctx *c = ctx;
    if (sn->as_of <= c->as_of && sn->id > c->last_snapshot) c->last_snapshot = sn->id;
    return 0;
}

static int illus_result_set(const store_result_set *rs, void *ctx)
{
    illus_ctx *c = ctx;
    if (rs->snapshot_id > c->last_snapshot) return 0;
    c->any |= rs->limit_set_illustrative;
    c->cut_off = rs->derogation_cut_off; /* ids grow: the newest set read decides */
    c->cut_off_rs = rs->derogation_cut_off == STORE_NO_DATE ? 0 : rs->id;
    return 0;
}

static rfn_status result_sets_read(store *s, int32_t as_of, illus_ctx *c, rfn_error *err)
{
    *c = (illus_ctx){.as_of = as_of, .cut_off = STORE_NO_DATE};
    rfn_status r = store_snapshots_each(s, illus_snapshot, c, err);
    return r ? r : store_result_sets_each(s, illus_result_set, c, err);
}

static rfn_status write_illustrative(FILE *f, store *s, int32_t as_of, rfn_error *err)
{
    illus_ctx c;
    rfn_status r = result_sets_read(s, as_of, &c, err);
    if (!r && c.any)
        fputs("<p class=\"note\"><strong>Illustrative limits.</strong> Some verdicts in this "
              "report were judged under a limit set whose values are examples, not the limits "
              "in force (see the provenance): they show how rfnoise works, not which meters "
              "are non-compliant.</p>\n",
              f);
    return r;
}

static rfn_status write_html(store *s, const report_config *cfg, gather *g, const trend_data *t,
                             const charts *ch, reasons_data *const rd[2], rfn_error *err)
{
    char path[1200];
    rfn_status r = out_path(cfg->out_dir, "report.html", path, sizeof path, err);
    atomic_file *af = NULL;
    if (r || (r = atomic_file_open(path, &af, err))) return r;
    FILE *f = atomic_file_stream(af);
    char as_of[ISO_DATE_TEXT_LEN];
    iso_date_format(cfg->as_of, as_of);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>RF noise remediation report as of %s</title>\n<style>%s</style>\n</head>\n"
            "<body>\n<h1>RF noise remediation report as of %s</h1>\n",
            as_of, css, as_of);
    fprintf(f,
            "<p>Cases: %zu. Non-compliant devices (latest verdict): %.0f. Sections: "
            "<a href=\"#headline\">headline</a>, <a href=\"#trend\">trend</a>, "
            "<a href=\"#reasons\">reasons</a>, "
            "<a href=\"#timetable\">timetable</a>, <a href=\"#ageing\">ageing</a>, "
            "<a href=\"#breakdowns\">breakdowns</a>, <a href=\"#derogation\">derogation</a>, "
            "<a href=\"#provenance\">provenance</a>.</p>\n",
            g->n_cases, g->nc_total);
    if ((r = write_illustrative(f, s, cfg->as_of, err))) {
        atomic_file_abort(af);
        return r;
    }
    if (ch->note[0]) {
        fputs("<p class=\"note\">", f);
        html_escape(f, ch->note);
        fputs("</p>\n", f);
    }
    write_headline(f, g);
    if (ch->svg[1]) fprintf(f, "<figure>%s</figure>\n", ch->svg[1]);
    write_trend(f, g, t, ch);
    reasons_write_html(f, rd[0], rd[1]);
    write_timetable(f, g);
    fputs("<h2 id=\"ageing\">Ageing of open cases</h2>\n<table><tr><th>days since notice</th>"
          "<th>open</th><th>overdue</th></tr>\n",
          f);
    double age[5], od[5];
    ageing_counts(g, age, od);
    for (int b = 0; b < 5; b++) {
        fputs("<tr>", f);
        td_text(f, ageing_labels[b]);
        td_num(f, age[b]);
        td_num(f, od[b]);
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
    if (ch->svg[2]) fprintf(f, "<figure>%s</figure>\n", ch->svg[2]);
    write_breakdowns(f, g);
    write_derogation(f, g);
    if ((r = report_stock_write(f, s, cfg->as_of, err)) || (r = write_provenance(f, s, cfg, err))) {
        atomic_file_abort(af);
        return r;
    }
    fputs("</body>\n</html>\n", f);
    return atomic_file_commit(af, err);
}

/* ---- entry point ----------------------------------------------------------------------------- */

rfn_status report_write(store *s, const report_config *cfg, report_summary *out, rfn_error *err)
{
    memset(out, 0, sizeof *out);
    out->trend = "unknown";
    /* The fixed files the folder receives, checked against the inputs first (io_guard.h); the
     * per-Supplier case lists are checked as they are opened. */
    static const char *const outs[] = {"report.html", "cases.csv",     "trend.csv", "reasons.csv",
                                       "trend.svg",   "suppliers.svg", "ageing.svg"};
    rfn_status dr = io_declare_outputs_in(cfg->out_dir, outs, sizeof outs / sizeof outs[0], err);
    if (dr) return dr;
    if (mkdir(cfg->out_dir, 0777) != 0 && errno != EEXIST)
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot create directory: %s", cfg->out_dir,
                             strerror(errno));
    gather g = {.as_of = cfg->as_of, .cut_off = cfg->cut_off, .max_install_month = -1,
                .extract_as_of = STORE_NO_DATE};
    trend_data t = {0};
    charts ch = {0};
    reasons_data *rd[2] = {NULL, NULL}; /* by Supplier, by installer */
    char **plan_names = NULL;
    rfn_status r = store_read_begin(s, err); /* one consistent view of the workspace */
    if (r) return r;
    if (g.cut_off == STORE_NO_DATE) {
        illus_ctx c;
        if ((r = result_sets_read(s, cfg->as_of, &c, err))) goto done;
        g.cut_off = c.cut_off;
        g.cut_off_rs = c.cut_off_rs;
    }
    r = store_snapshots_each(s, latest_extract, &g, err);
    if (!r) r = store_verdicts_each(s, cfg->as_of, on_verdict, &g, err);
    if (!r) r = store_cases_each(s, cfg->as_of, NULL, on_case, &g, err);
    if (!r) r = store_timetables_each(s, on_timetable, &g, err);
    if (!r && g.oom) r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    if (r) goto done;
    tally_sort(&g.suppliers);
    tally_sort(&g.models);
    tally_sort(&g.regions);
    tally_sort(&g.derog);
    if ((r = trend_build(&g, &t, err)) || (r = reasons_make(&g, &t, &rd[0], &rd[1], err)))
        goto done;
    if (cfg->plots) {
        if ((r = draw_charts(&g, &t, cfg->out_dir, &ch, err))) goto done;
    } else {
        snprintf(ch.note, sizeof ch.note, "Charts are not drawn (--no-plots).");
    }
    if ((r = write_cases_csv(&g, cfg->out_dir, NULL, "cases.csv", err)) ||
        (r = write_trend_csv(&g, &t, cfg->out_dir, err)) ||
        (r = write_reasons_csv(rd[0], cfg->out_dir, "reasons.csv", err)) ||
        (r = write_reasons_csv(rd[1], cfg->out_dir, "reasons-by-installer.csv", err)))
        goto done;
    /* One plan per Supplier with cases; file names sanitised and made unique. */
    plan_names = calloc(g.suppliers.n ? g.suppliers.n : 1, sizeof *plan_names);
    if (!plan_names) {
        r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t sidx = 0; sidx < g.suppliers.n; sidx++) {
        const tally_entry *e = &g.suppliers.e[sidx];
        if (e->v[S_OPEN] + e->v[S_OVERDUE] + e->v[S_REMEDIATED] + e->v[S_RESOLVED] <= 0) continue;
        char base[64], name[128];
        report_sanitise_name(e->key, base, sizeof base);
        snprintf(name, sizeof name, "remediation-plan-%s.csv", base);
        for (int k = 2;; k++) {
            bool clash = false;
            for (size_t j = 0; j < sidx; j++)
                clash |= plan_names[j] && !strcmp(plan_names[j], name);
            if (!clash) break;
            snprintf(name, sizeof name, "remediation-plan-%s-%d.csv", base, k);
        }
        if (!(plan_names[sidx] = strdup(name))) {
            r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((r = write_cases_csv(&g, cfg->out_dir, e->key, name, err))) goto done;
        out->plan_files++;
    }
    if ((r = write_html(s, cfg, &g, &t, &ch, rd, err))) goto done;
    out->cases = g.n_cases;
    for (size_t i = 0; i < g.n_cases; i++)
        out->active_cases += case_active(&g.cases[i]);
    out->suppliers = g.suppliers.n;
    out->noncompliant_devices = (uint64_t)g.nc_total;
    out->trend = trend_direction_name(t.fit_all.direction);
    out->plots_drawn = ch.drawn;
done:
    store_read_end(s);
    if (plan_names)
        for (size_t i = 0; i < g.suppliers.n; i++)
            free(plan_names[i]);
    free(plan_names);
    for (int i = 0; i < 3; i++)
        free(ch.svg[i]);
    trend_free(&t);
    reasons_free(rd[0]);
    reasons_free(rd[1]);
    gather_free(&g);
    return r;
}
