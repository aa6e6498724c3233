/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stock.c: the stock declaration, and run rate, projection and wrong-place installs of the
 * derogated stock (stock.h). */
#include "stock.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "identifiers.h"
#include "trend.h"

/* A month as the run rate counts it: the mean Gregorian month (365.2425 days / 12). */
#define DAYS_PER_MONTH (365.2425 / 12.0)
#define MAX_TEXT_BYTES 128
#define MAX_QUANTITY 10000000LL

typedef struct stock_err {
    uint64_t line;
    const char *column, *code;
    char *message, *supplier;
} stock_err;

struct stock_result {
    char *path;
    stock_line *lines;
    size_t n_lines, cap_lines;
    stock_err *errs;
    size_t n_errs, cap_errs;
    stock_wrong_place *wrong;
    size_t n_wrong, cap_wrong;
    uint64_t rows_read;
    register_data *reg;
    derogation_list *derog;
};

stock_config stock_config_default(void)
{
    return (stock_config){.as_of = INT32_MIN, .window_months = 3};
}

static const char *const status_names[STOCK_STATUS_COUNT] = {
    [STOCK_NOT_INSTALLABLE] = "not-installable", [STOCK_CUTOFF_PASSED] = "cut-off-passed",
    [STOCK_NO_CUTOFF] = "no-cut-off",            [STOCK_SURPLUS] = "surplus",
    [STOCK_USED] = "used-before-cut-off",        [STOCK_UNCERTAIN] = "uncertain",
};

const char *stock_status_name(stock_status s)
{
    return (unsigned)s < STOCK_STATUS_COUNT ? status_names[s] : "unknown";
}

stock_status stock_status_from_name(const char *name)
{
    int s = 0;
    while (s < STOCK_STATUS_COUNT && strcmp(status_names[s], name)) s++;
    return (stock_status)s;
}

/* ---- the declaration ------------------------------------------------------------------------- */

enum { C_SUPPLIER, C_MAN, C_MODEL, C_FW, C_QUANTITY, C_AS_OF, C_REGION, C_COUNT };
static const char *const col_names[C_COUNT] = {
    "Supplier", "DeviceManufacturer", "DeviceModel", "DeviceFirmwareVersion",
    "quantity", "as_of",              "warehouse_region",
};

static rfn_status nomem(rfn_error *err)
{
    return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
}

/* Record one problem of the row at line (supplier: the row's Supplier as written). */
static rfn_status row_error(stock_result *r, uint64_t line, int col, const char *code,
                            const char *supplier, rfn_error *err, const char *fmt, ...)
{
    if (!grow_array((void **)&r->errs, &r->cap_errs, r->n_errs + 1, sizeof *r->errs, 16))
        return nomem(err);
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stock_err *e = &r->errs[r->n_errs];
    *e = (stock_err){.line = line, .column = col < 0 ? "" : col_names[col], .code = code};
    if (!(e->message = strdup(msg)) || !(e->supplier = strdup(supplier ? supplier : ""))) {
        free(e->message);
        return nomem(err);
    }
    r->n_errs++;
    return RFN_OK;
}

/* The text problem of a required or optional cell, or NULL (code and why filled). */
static bool text_problem(const char *s, size_t len, bool required, const char **code,
                         const char **why)
{
    if (len == 0) {
        *code = "missing-value";
        *why = "is empty";
        return required;
    }
    if (utf8_valid_prefix(s, len) != len) {
        *code = "bad-text";
        *why = "is not valid UTF-8 (give --encoding cp1252 for a Windows file)";
        return true;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            *code = "bad-text";
            *why = "holds a control character";
            return true;
        }
    if (len > MAX_TEXT_BYTES) {
        *code = "too-long";
        *why = "is longer than 128 bytes";
        return true;
    }
    return false;
}

/* A warehouse_region: a CSPRegion or a postcode area / district ("AB", "KW1", "B2"). */
static bool region_ok(const char *s, size_t len)
{
    csp_region reg;
    if (csp_region_parse(s, len, &reg) == ID_OK) return true;
    size_t i = 0;
    while (i < len && i < 2 && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
        i++;
    if (i == 0) return false;
    size_t d = 0;
    while (i < len && d < 2 && s[i] >= '0' && s[i] <= '9')
        i++, d++;
    return i == len;
}

static rfn_status check_quantity(stock_result *r, const csv_record *rec, int col,
                                 stock_line *ln, rfn_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lens[col];
    if (len == 0)
        return row_error(r, rec->line, C_QUANTITY, "missing-value", ln->supplier, err,
                         "quantity is empty");
    long long q = 0;
    bool ok = len <= 9;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        q = q * 10 + (s[i] - '0');
    }
    if (!ok || q > MAX_QUANTITY)
        return row_error(r, rec->line, C_QUANTITY, "bad-format", ln->supplier, err,
                         "quantity '%.40s': expected a whole number of units 0..10000000", s);
    ln->quantity = q;
    return RFN_OK;
}

static rfn_status check_as_of(stock_result *r, const csv_record *rec, int col, date_order dates,
                              stock_line *ln, rfn_error *err)
{
    const char *s = rec->fields[col];
    size_t len = rec->lens[col];
    if (len == 0)
        return row_error(r, rec->line, C_AS_OF, "missing-value", ln->supplier, err,
                         "as_of is empty");
    if (date_parse_order(s, len, dates, &ln->as_of, NULL) != ID_OK)
        return row_error(r, rec->line, C_AS_OF, "bad-date", ln->supplier, err,
                         "as_of '%.40s': expected a date %s", s, date_order_pattern(dates));
    return RFN_OK;
}

static void line_free(stock_line *ln)
{
    free(ln->supplier);
    free(ln->manufacturer);
    free(ln->model);
    free(ln->firmware);
    free(ln->warehouse_region);
}

/* Check and copy the text cells into ln; *bad counts the problems found. */
static rfn_status read_text_cells(stock_result *r, const csv_record *rec, const int *col,
                                  stock_line *ln, size_t *bad, rfn_error *err)
{
    char **dst[] = {&ln->supplier, &ln->manufacturer, &ln->model, &ln->firmware};
    const char *sup = col[C_SUPPLIER] >= 0 ? rec->fields[col[C_SUPPLIER]] : "";
    for (int c = C_SUPPLIER; c <= C_REGION; c++) {
        if (c == C_QUANTITY || c == C_AS_OF) continue;
        const char *s = col[c] >= 0 ? rec->fields[col[c]] : "";
        size_t len = col[c] >= 0 ? rec->lens[col[c]] : 0;
        const char *code, *why;
        rfn_status st = RFN_OK;
        if (text_problem(s, len, c != C_REGION, &code, &why)) {
            st = row_error(r, rec->line, c, code, sup, err, "%s %s", col_names[c], why);
            (*bad)++;
        } else if (c == C_REGION && len && !region_ok(s, len)) {
            st = row_error(r, rec->line, c, "bad-format", sup, err,
                           "warehouse_region '%.40s': expected North, Central, South or a "
                           "postcode area", s);
            (*bad)++;
        }
        if (st) return st;
        char **d = c == C_REGION ? &ln->warehouse_region : dst[c];
        if (!(*d = strndup(s, len))) return nomem(err);
    }
    return RFN_OK;
}

static rfn_status read_row(stock_result *r, const csv_record *rec, const int *col,
                           date_order dates, rfn_error *err)
{
    const char *sup = col[C_SUPPLIER] >= 0 && !rec->ragged ? rec->fields[col[C_SUPPLIER]] : "";
    if (rec->bad_quotes)
        return row_error(r, rec->line, -1, "bad-quoting", sup, err,
                         "malformed quoting: the row is rejected");
    if (rec->ragged)
        return row_error(r, rec->line, -1, "ragged-row", sup, err,
                         "%zu fields where the header has %zu", rec->n_fields, rec->n_expected);
    stock_line ln = {.line = rec->line};
    size_t bad = 0, before;
    rfn_status st = read_text_cells(r, rec, col, &ln, &bad, err);
    before = r->n_errs;
    if (!st) st = check_quantity(r, rec, col[C_QUANTITY], &ln, err);
    if (!st) st = check_as_of(r, rec, col[C_AS_OF], dates, &ln, err);
    bad += r->n_errs - before;
    if (!st && !bad &&
        !grow_array((void **)&r->lines, &r->cap_lines, r->n_lines + 1, sizeof *r->lines, 16))
        st = nomem(err);
    if (st || bad) {
        line_free(&ln);
        return st;
    }
    r->lines[r->n_lines++] = ln;
    return RFN_OK;
}

static rfn_status load_declaration(stock_result *r, const stock_config *cfg, rfn_error *err)
{
    csv_reader *cr = NULL;
    csv_read_config rc = csv_read_config_input(&cfg->input);
    rfn_status st = csv_reader_open(cfg->stock_path, &rc, &cr, err);
    csv_record rec;
    int col[C_COUNT];
    if (!st) {
        st = csv_reader_next(cr, &rec, err);
        if (st == RFN_ERR_EOF)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty file (expected a header)",
                               cfg->stock_path);
    }
    if (!st) st = csv_header_map(&rec, cfg->stock_path, col_names, C_COUNT, col, err);
    for (int c = 0; !st && c < C_REGION; c++)
        if (col[c] < 0)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: the header lacks column %s",
                               cfg->stock_path, (unsigned long long)rec.line, col_names[c]);
    while (!st && !(st = csv_reader_next(cr, &rec, err))) {
        r->rows_read++;
        st = read_row(r, &rec, col, cfg->input.dates, err);
    }
    csv_reader_destroy(cr);
    return st == RFN_ERR_EOF ? RFN_OK : st;
}

/* ---- the figures ----------------------------------------------------------------------------- */

static int month_of(int32_t days)
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    return y * 12 + m - 1;
}

static int32_t month_start(int month)
{
    return date_from_ymd(month / 12, month % 12 + 1, 1);
}

static derogation_query row_query(const register_data *reg, const register_row *row)
{
    return (derogation_query){
        .manufacturer = register_string(reg, row->manufacturer),
        .model = register_string(reg, row->model),
        .firmware = register_string(reg, row->firmware),
        .region = (csp_region)row->region,
        .han = (han_variant)row->han,
        .postcode = row->postcode,
        .install_date = row->install_date,
    };
}

static const derogation_rule *first_rule(const derogation_list *d, const char *man,
                                         const char *model, const char *fw)
{
    for (size_t i = 0; i < derogation_count(d); i++)
        if (derogation_rule_covers(derogation_get(d, i), man, model, fw))
            return derogation_get(d, i);
    return NULL;
}

/* "regions=north;areas=AB;IV;han=Dual Band", or "any". */
static void describe_locations(const derogation_rule *r, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = '\0';
#define ADD(...) k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, __VA_ARGS__)
    for (int reg = CSP_REGION_NORTH; reg < CSP_REGION_COUNT; reg++)
        if (r->region_mask & (1u << reg))
            ADD("%s%s", strstr(out, "regions=") ? "/" : "regions=", csp_region_id(reg));
    for (size_t i = 0; i < r->n_postcode_areas; i++)
        ADD("%s%s", i ? "/" : k ? ";areas=" : "areas=", r->postcode_areas[i]);
    for (int h = HAN_VARIANT_SINGLE_BAND; h < HAN_VARIANT_COUNT; h++)
        if (r->han_mask & (1u << h))
            ADD("%s%s", strstr(out, "han=") ? "/" : k ? ";han=" : "han=", han_variant_name(h));
#undef ADD
    if (!out[0]) snprintf(out, cap, "any");
}

/* Why no rule covers the line: a rule for the model with other firmware, or none at all. */
static void not_installable_why(const derogation_list *d, stock_line *ln)
{
    for (size_t i = 0; i < derogation_count(d); i++) {
        const derogation_rule *r = derogation_get(d, i);
        if (strcasecmp(r->manufacturer, ln->manufacturer) || strcasecmp(r->model, ln->model))
            continue;
        snprintf(ln->why, sizeof ln->why,
                 "derogation %s covers %s %s but not firmware %s", r->reference,
                 r->manufacturer, r->model, ln->firmware);
        return;
    }
    snprintf(ln->why, sizeof ln->why, "no derogation covers %s %s", ln->manufacturer, ln->model);
}

/* A derogated model + firmware (some rule covers it) in a location no covering rule accepts
 * (a location the register lacks a needed value for does not count). */
static bool wrong_placed(const derogation_list *d, const derogation_query *q)
{
    bool covered = false, placed = false;
    for (size_t k = 0; k < derogation_count(d); k++) {
        const derogation_rule *rule = derogation_get(d, k);
        if (!derogation_rule_covers(rule, q->manufacturer, q->model, q->firmware)) continue;
        covered = true;
        placed |= derogation_rule_location(rule, q) != DEROGATION_LOCATION_NOT_ACCEPTABLE;
    }
    return covered && !placed;
}

/* The Supplier's installs of the line's model into the rule's acceptable locations in the
 * window, and (any date) outside every covering rule's acceptable locations. */
static void count_installs(const stock_result *r, const stock_config *cfg, stock_line *ln)
{
    unsigned on_wall = cfg->installed_statuses ? cfg->installed_statuses
                                               : device_statuses_installed_default();
    const register_row *rows = register_rows(r->reg);
    for (size_t i = 0; i < register_count(r->reg); i++) {
        const register_row *row = &rows[i];
        if (!device_status_in(on_wall, (device_status)row->status) ||
            row->install_date == REGISTER_NO_DATE ||
            strcmp(register_string(r->reg, row->supplier), ln->supplier) != 0)
            continue;
        derogation_query q = row_query(r->reg, row);
        if (strcasecmp(q.manufacturer, ln->manufacturer) || strcasecmp(q.model, ln->model))
            continue;
        if (derogation_rule_covers(ln->rule, q.manufacturer, q.model, q.firmware) &&
            row->install_date >= ln->window_first && row->install_date <= ln->window_last &&
            derogation_rule_location(ln->rule, &q) == DEROGATION_MATCH)
            ln->window_installs++;
        ln->wrong_place += wrong_placed(r->derog, &q);
    }
}

/* Rate, projection, surplus and status of a line whose rule has a cut-off not yet passed. */
static void project(stock_line *ln, int window_months)
{
    double lo, hi, k = (double)ln->window_installs, q = (double)ln->quantity;
    trend_poisson_ci95(k, &lo, &hi);
    ln->rate = k / window_months;
    ln->rate_lo = lo / window_months;
    ln->rate_hi = hi / window_months;
    if (ln->status != STOCK_UNCERTAIN) return; /* no cut-off, or passed: no projection */
    ln->months_left = (double)(ln->rule->install_by - ln->as_of) / DAYS_PER_MONTH;
    ln->projected = ln->rate * ln->months_left;
    ln->projected_lo = ln->rate_lo * ln->months_left;
    ln->projected_hi = ln->rate_hi * ln->months_left;
    ln->surplus = fmax(0.0, q - ln->projected);
    ln->surplus_lo = fmax(0.0, q - ln->projected_hi);
    ln->surplus_hi = fmax(0.0, q - ln->projected_lo);
    ln->required_per_month = ln->months_left > 0 ? q / ln->months_left : NAN;
    ln->status = q > ln->projected_hi   ? STOCK_SURPLUS
                 : q <= ln->projected_lo ? STOCK_USED
                                         : STOCK_UNCERTAIN;
}

static void judge_line(const stock_result *r, const stock_config *cfg, stock_line *ln)
{
    if (cfg->as_of != INT32_MIN) ln->as_of = cfg->as_of;
    ln->months_left = ln->projected = ln->projected_lo = ln->projected_hi = NAN;
    ln->surplus = ln->surplus_lo = ln->surplus_hi = ln->required_per_month = NAN;
    int last = month_of(ln->as_of) - 1;
    ln->window_first = month_start(last - cfg->window_months + 1);
    ln->window_last = month_start(last + 1) - 1;
    ln->rule = first_rule(r->derog, ln->manufacturer, ln->model, ln->firmware);
    if (!ln->rule) {
        ln->status = STOCK_NOT_INSTALLABLE;
        not_installable_why(r->derog, ln);
        ln->rate = ln->rate_lo = ln->rate_hi = NAN;
        return;
    }
    describe_locations(ln->rule, ln->locations, sizeof ln->locations);
    count_installs(r, cfg, ln);
    char cut[ISO_DATE_TEXT_LEN];
    if (ln->rule->install_by == INT32_MIN) {
        ln->status = STOCK_NO_CUTOFF;
        snprintf(ln->why, sizeof ln->why, "derogation %s has no cut-off", ln->rule->reference);
    } else if (ln->as_of > ln->rule->install_by) {
        ln->status = STOCK_CUTOFF_PASSED;
        iso_date_format(ln->rule->install_by, cut);
        snprintf(ln->why, sizeof ln->why, "derogation %s: cut-off %s has passed",
                 ln->rule->reference, cut);
        ln->surplus = ln->surplus_lo = ln->surplus_hi = (double)ln->quantity;
    } else {
        ln->status = STOCK_UNCERTAIN; /* project() decides */
    }
    project(ln, cfg->window_months);
}

/* ---- wrong-place installs by Supplier and month ---------------------------------------------- */

static int cmp_wrong(const void *a, const void *b)
{
    const stock_wrong_place *x = a, *y = b;
    int c = strcmp(x->supplier, y->supplier);
    return c ? c : (x->month > y->month) - (x->month < y->month);
}

static rfn_status add_wrong(stock_result *r, const char *supplier, int month, rfn_error *err)
{
    for (size_t i = 0; i < r->n_wrong; i++)
        if (r->wrong[i].month == month && strcmp(r->wrong[i].supplier, supplier) == 0) {
            r->wrong[i].installs++;
            return RFN_OK;
        }
    if (!grow_array((void **)&r->wrong, &r->cap_wrong, r->n_wrong + 1, sizeof *r->wrong, 64))
        return nomem(err);
    stock_wrong_place *w = &r->wrong[r->n_wrong];
    *w = (stock_wrong_place){.month = month, .installs = 1};
    if (!(w->supplier = strdup(supplier))) return nomem(err);
    r->n_wrong++;
    return RFN_OK;
}

static rfn_status tally_wrong_place(stock_result *r, const stock_config *cfg, rfn_error *err)
{
    unsigned on_wall = cfg->installed_statuses ? cfg->installed_statuses
                                               : device_statuses_installed_default();
    const register_row *rows = register_rows(r->reg);
    rfn_status st = RFN_OK;
    for (size_t i = 0; !st && i < register_count(r->reg); i++) {
        const register_row *row = &rows[i];
        if (!device_status_in(on_wall, (device_status)row->status) ||
            row->install_date == REGISTER_NO_DATE)
            continue;
        derogation_query q = row_query(r->reg, row);
        if (wrong_placed(r->derog, &q))
            st = add_wrong(r, register_string(r->reg, row->supplier), month_of(row->install_date),
                           err);
    }
    if (!st) qsort(r->wrong, r->n_wrong, sizeof *r->wrong, cmp_wrong);
    return st;
}

/* ---- the run --------------------------------------------------------------------------------- */

rfn_status stock_run(const stock_config *cfg, stock_result **out, rfn_error *err)
{
    *out = NULL;
    if (cfg->window_months < 1 || cfg->window_months > 120)
        return rfn_error_set(err, RFN_ERR_INVALID, "window of %d months: expected 1..120",
                             cfg->window_months);
    stock_result *r = calloc(1, sizeof *r);
    if (!r) return nomem(err);
    register_config rc = register_config_default();
    rc.input = cfg->input;
    rc.installed = cfg->installed_statuses;
    rfn_status st = derogation_load_input(cfg->derogations_path, &cfg->input, &r->derog, err);
    if (!st) st = register_load(cfg->register_path, &rc, &r->reg, err);
    if (!st && !(r->path = strdup(cfg->stock_path))) st = nomem(err);
    if (!st) st = load_declaration(r, cfg, err);
    for (size_t i = 0; !st && i < r->n_lines; i++)
        judge_line(r, cfg, &r->lines[i]);
    if (!st) st = tally_wrong_place(r, cfg, err);
    if (st) {
        stock_destroy(r);
        return st;
    }
    *out = r;
    return RFN_OK;
}

void stock_destroy(stock_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_lines; i++)
        line_free(&r->lines[i]);
    for (size_t i = 0; i < r->n_errs; i++) {
        free(r->errs[i].message);
        free(r->errs[i].supplier);
    }
    for (size_t i = 0; i < r->n_wrong; i++)
        free(r->wrong[i].supplier);
    free(r->lines);
    free(r->errs);
    free(r->wrong);
    free(r->path);
    register_destroy(r->reg);
    derogation_destroy(r->derog);
    free(r);
}

size_t stock_line_count(const stock_result *r)
{
    return r->n_lines;
}

const stock_line *stock_line_get(const stock_result *r, size_t i)
{
    return i < r->n_lines ? &r->lines[i] : NULL;
}

size_t stock_wrong_place_count(const stock_result *r)
{
    return r->n_wrong;
}

const stock_wrong_place *stock_wrong_place_get(const stock_result *r, size_t i)
{
    return i < r->n_wrong ? &r->wrong[i] : NULL;
}

const register_summary *stock_register_summary(const stock_result *r)
{
    return register_get_summary(r->reg);
}

uint64_t stock_rows_read(const stock_result *r)
{
    return r->rows_read;
}

size_t stock_error_count(const stock_result *r)
{
    return r->n_errs;
}

void stock_error_get(const stock_result *r, size_t i, register_error *out)
{
    const stock_err *e = &r->errs[i];
    *out = (register_error){.file = r->path, .line = e->line, .column = e->column,
                            .code = e->code, .message = e->message, .supplier = e->supplier,
                            .device_id = ""};
}
