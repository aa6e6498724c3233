/* SPDX-License-Identifier: GPL-2.0-or-later */
/* derogation.c: derogation list loading (CSV) and rule matching. */
#include "derogation.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"
#include "io_guard.h"

/* ---- arena: every string and array of a list lives here, freed at once ---------------------- */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
} chunk;

struct derogation_list {
    char *name;
    derogation_rule *rules;
    size_t n_rules, cap;
    chunk *arena;
};

static void *arena_alloc(derogation_list *l, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!l->arena || l->arena->size - l->arena->used < n) {
        size_t size = n > 16384 ? n : 16384;
        chunk *c = malloc(sizeof *c + size);
        if (!c) return NULL;
        c->next = l->arena;
        c->used = 0;
        c->size = size;
        l->arena = c;
    }
    void *p = (char *)l->arena->data + l->arena->used;
    l->arena->used += n;
    return p;
}

static char *arena_strndup(derogation_list *l, const char *s, size_t n)
{
    char *p = arena_alloc(l, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void derogation_destroy(derogation_list *list)
{
    if (!list) return;
    for (chunk *c = list->arena, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(list->rules);
    free(list->name);
    free(list);
}

size_t derogation_count(const derogation_list *list)
{
    return list ? list->n_rules : 0;
}

int32_t derogation_latest_install_by(const derogation_list *list)
{
    int32_t latest = INT32_MIN;
    for (size_t i = 0; i < derogation_count(list); i++)
        if (list->rules[i].install_by > latest) latest = list->rules[i].install_by;
    return latest;
}

const derogation_rule *derogation_get(const derogation_list *list, size_t i)
{
    return list && i < list->n_rules ? &list->rules[i] : NULL;
}

/* ---- version comparison ---------------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int version_compare(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    for (;;) {
        while (*a && !is_digit(*a) && !is_alpha(*a))
            a++;
        while (*b && !is_digit(*b) && !is_alpha(*b))
            b++;
        if (!*a || !*b) break;
        if (is_digit(*a) != is_digit(*b))
            return is_digit(*a) ? 1 : -1; /* a number is newer than letters (rpmvercmp) */
        if (is_digit(*a)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            const char *ea = a, *eb = b;
            while (is_digit(*ea))
                ea++;
            while (is_digit(*eb))
                eb++;
            if (ea - a != eb - b) return ea - a > eb - b ? 1 : -1;
            for (; a < ea; a++, b++)
                if (*a != *b) return *a > *b ? 1 : -1;
        } else {
            for (; is_alpha(*a) && is_alpha(*b); a++, b++)
                if (lower(*a) != lower(*b)) return lower(*a) > lower(*b) ? 1 : -1;
            if (is_alpha(*a) != is_alpha(*b)) return is_alpha(*a) ? 1 : -1;
        }
    }
    if (!*a && !*b) return 0;
    return *a ? 1 : -1;
}

/* ---- loading --------------------------------------------------------------------------------- */

enum {
    COL_REFERENCE,
    COL_MANUFACTURER,
    COL_MODEL,
    COL_FIRMWARE,
    COL_BANDS,
    COL_LIMIT,
    COL_REGIONS,
    COL_POSTCODES,
    COL_HAN,
    COL_INSTALL_BY,
    COL_COUNT,
    COL_FIRST_OPTIONAL = COL_REGIONS
};

static const char *const col_names[COL_COUNT] = {
    "Reference", "Manufacturer", "Model",         "Firmware",   "Bands",
    "Limit",     "Regions",      "PostcodeAreas", "HANVariant", "InstallBy",
};

typedef struct parser {
    derogation_list *l;
    uint64_t line;            /* CSV line, 0 for JSON */
    char where[96];           /* "d.csv:4" or "d.json: rules[3]" */
    const char *const *names; /* column names (CSV) or keys (JSON) for messages */
    rfn_error *err;
    date_order dates; /* --date-format of InstallBy (CSV) */
} parser;

static void trim(const char **s, size_t *len)
{
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static rfn_status bad(parser *P, int col, const char *s, size_t len, const char *why)
{
    return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s '%.*s': %s", P->where, P->names[col],
                         (int)(len > 60 ? 60 : len), s, why);
}

static rfn_status nomem(parser *P)
{
    return rfn_error_set(P->err, RFN_ERR_NOMEM, "%s: out of memory", P->l->name);
}

/* Split s on ';' into trimmed, non-empty items copied into the arena. */
static rfn_status split_list(parser *P, int col, const char *s, size_t len, const char ***items,
                             size_t *n)
{
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += s[i] == ';';
    const char **v = arena_alloc(P->l, count * sizeof *v);
    if (!v) return nomem(P);
    *n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ';') continue;
        const char *item = s + start;
        size_t il = i - start;
        trim(&item, &il);
        if (il == 0) return bad(P, col, s, len, "empty item in the ';' list");
        if (!(v[*n] = arena_strndup(P->l, item, il))) return nomem(P);
        (*n)++;
        start = i + 1;
    }
    *items = v;
    return RFN_OK;
}

static bool is_star(const char *s, size_t len)
{
    return len == 1 && s[0] == '*';
}

static rfn_status parse_firmware(parser *P, derogation_rule *r, const char *s, size_t len)
{
    if (is_star(s, len)) {
        r->firmware_kind = FIRMWARE_ANY;
        return RFN_OK;
    }
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len && !dots; i++)
        if (s[i] == '.' && s[i + 1] == '.') dots = s + i;
    if (!dots) {
        const char **v;
        rfn_status st = split_list(P, COL_FIRMWARE, s, len, &v, &r->n_firmware);
        r->firmware_list = v;
        r->firmware_kind = FIRMWARE_LIST;
        return st;
    }
    const char *lo = s, *hi = dots + 2;
    size_t lo_len = (size_t)(dots - s), hi_len = len - lo_len - 2;
    trim(&lo, &lo_len);
    trim(&hi, &hi_len);
    if (!lo_len && !hi_len)
        return bad(P, COL_FIRMWARE, s, len, "a range needs at least one end (use * for any)");
    bool more_dots = false;
    for (size_t i = 0; i + 1 < hi_len; i++)
        more_dots |= hi[i] == '.' && hi[i + 1] == '.';
    if (more_dots || memchr(lo, ';', lo_len) || memchr(hi, ';', hi_len))
        return bad(P, COL_FIRMWARE, s, len, "one range \"lo..hi\" or a ';' list, not both");
    r->firmware_kind = FIRMWARE_RANGE;
    if (lo_len && !(r->firmware_lo = arena_strndup(P->l, lo, lo_len))) return nomem(P);
    if (hi_len && !(r->firmware_hi = arena_strndup(P->l, hi, hi_len))) return nomem(P);
    if (r->firmware_lo && r->firmware_hi && version_compare(r->firmware_lo, r->firmware_hi) > 0)
        return bad(P, COL_FIRMWARE, s, len, "range runs backwards (lower end is the newer)");
    return RFN_OK;
}

static bool band_id_ok(const char *b)
{
    if (!*b) return false;
    for (; *b; b++)
        if (!((*b >= 'a' && *b <= 'z') || is_digit(*b) || *b == '-' || *b == '_' || *b == '.'))
            return false;
    return true;
}

static rfn_status parse_bands(parser *P, derogation_rule *r, const char *s, size_t len)
{
    if (is_star(s, len)) return RFN_OK;
    const char **v;
    rfn_status st = split_list(P, COL_BANDS, s, len, &v, &r->n_bands);
    if (st) return st;
    for (size_t i = 0; i < r->n_bands; i++) {
        if (!band_id_ok(v[i]))
            return bad(P, COL_BANDS, s, len,
                       "band ids are lower-case letters, digits and '-' (as in the limit set)");
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) == 0) return bad(P, COL_BANDS, s, len, "a band is listed twice");
    }
    r->bands = v;
    return RFN_OK;
}

/* A whole field as a finite number of dB within +-300. */
static bool parse_db(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v) || fabs(v) > 300) return false;
    *out = v;
    return true;
}

static rfn_status parse_limit(parser *P, derogation_rule *r, const char *s, size_t len)
{
    size_t slots = r->n_bands ? r->n_bands : 1;
    double *lim = arena_alloc(P->l, slots * sizeof *lim);
    if (!lim) return nomem(P);
    r->limits = lim;
    if (len == 9 && strncasecmp(s, "limit-set", 9) == 0) {
        r->limit_from_limit_set = true;
        for (size_t i = 0; i < slots; i++)
            lim[i] = NAN;
        return RFN_OK;
    }
    if (!memchr(s, '=', len)) {
        if (!parse_db(s, len, &lim[0]))
            return bad(P, COL_LIMIT, s, len,
                       "not a number of dB (within +-300), \"limit-set\" or band=dB pairs");
        for (size_t i = 1; i < slots; i++)
            lim[i] = lim[0];
        return RFN_OK;
    }
    if (r->n_bands == 0)
        return bad(P, COL_LIMIT, s, len, "per-band limits need the bands listed in Bands, not *");
    const char **pairs;
    size_t n;
    rfn_status st = split_list(P, COL_LIMIT, s, len, &pairs, &n);
    if (st) return st;
    bool *seen = arena_alloc(P->l, r->n_bands * sizeof *seen);
    if (!seen) return nomem(P);
    memset(seen, 0, r->n_bands * sizeof *seen);
    for (size_t k = 0; k < n; k++) {
        const char *eq = strchr(pairs[k], '=');
        if (!eq) return bad(P, COL_LIMIT, s, len, "mixes band=dB pairs with a bare value");
        const char *band = pairs[k], *val = eq + 1;
        size_t bl = (size_t)(eq - band), vl = strlen(val);
        trim(&band, &bl);
        trim(&val, &vl);
        size_t i = 0;
        while (i < r->n_bands &&
               !(strlen(r->bands[i]) == bl && strncmp(r->bands[i], band, bl) == 0))
            i++;
        if (i == r->n_bands) return bad(P, COL_LIMIT, s, len, "names a band that is not in Bands");
        if (seen[i]) return bad(P, COL_LIMIT, s, len, "gives a band twice");
        if (!parse_db(val, vl, &lim[i]))
            return bad(P, COL_LIMIT, s, len, "a limit is not a number of dB (within +-300)");
        seen[i] = true;
    }
    for (size_t i = 0; i < r->n_bands; i++)
        if (!seen[i]) return bad(P, COL_LIMIT, s, len, "lacks a limit for a band listed in Bands");
    return RFN_OK;
}

static rfn_status parse_regions(parser *P, derogation_rule *r, const char *s, size_t len)
{
    if (len == 0 || is_star(s, len)) return RFN_OK;
    const char **v;
    size_t n;
    rfn_status st = split_list(P, COL_REGIONS, s, len, &v, &n);
    for (size_t i = 0; !st && i < n; i++) {
        csp_region reg;
        if (csp_region_parse(v[i], strlen(v[i]), &reg))
            return bad(P, COL_REGIONS, s, len, "regions are north, central, south");
        r->region_mask |= (uint8_t)(1u << reg);
    }
    return st;
}

static rfn_status parse_han(parser *P, derogation_rule *r, const char *s, size_t len)
{
    if (len == 0 || is_star(s, len)) return RFN_OK;
    const char **v;
    size_t n;
    rfn_status st = split_list(P, COL_HAN, s, len, &v, &n);
    for (size_t i = 0; !st && i < n; i++) {
        han_variant h;
        if (han_variant_parse(v[i], strlen(v[i]), &h))
            return bad(P, COL_HAN, s, len, "HAN variants are Single Band, Dual Band");
        r->han_mask |= (uint8_t)(1u << h);
    }
    return st;
}

static rfn_status parse_postcodes(parser *P, derogation_rule *r, const char *s, size_t len)
{
    if (len == 0 || is_star(s, len)) return RFN_OK;
    const char **v;
    rfn_status st = split_list(P, COL_POSTCODES, s, len, &v, &r->n_postcode_areas);
    if (st) return st;
    for (size_t i = 0; i < r->n_postcode_areas; i++) {
        char *a = (char *)v[i];
        size_t al = strlen(a);
        if (al > 8 || !is_alpha(a[0]))
            return bad(P, COL_POSTCODES, s, len,
                       "an area is a postcode prefix: area letters, district or sector");
        for (size_t k = 0; k < al; k++) {
            if (!is_alpha(a[k]) && !is_digit(a[k]) && a[k] != ' ')
                return bad(P, COL_POSTCODES, s, len,
                           "an area is a postcode prefix: area letters, district or sector");
            a[k] = a[k] >= 'a' && a[k] <= 'z' ? (char)(a[k] - 'a' + 'A') : a[k];
        }
    }
    r->postcode_areas = v;
    return RFN_OK;
}

/* One rule from its cells (CSV fields, or JSON values turned into the same text). */
static rfn_status parse_fields(parser *P, const char **f, size_t *n)
{
    derogation_list *l = P->l;
    for (int c = 0; c < COL_COUNT; c++) {
        trim(&f[c], &n[c]);
        if (memchr(f[c], '\0', n[c])) return bad(P, c, "", 0, "contains a NUL byte");
        if (c < COL_FIRST_OPTIONAL && n[c] == 0)
            return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s is empty", P->where, P->names[c]);
    }
    if (l->n_rules == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        derogation_rule *rules = realloc(l->rules, cap * sizeof *rules);
        if (!rules) return nomem(P);
        l->rules = rules;
        l->cap = cap;
    }
    derogation_rule *r = &l->rules[l->n_rules];
    *r = (derogation_rule){.line = P->line, .install_by = INT32_MIN};
    if (!(r->reference = arena_strndup(l, f[COL_REFERENCE], n[COL_REFERENCE])) ||
        !(r->manufacturer = arena_strndup(l, f[COL_MANUFACTURER], n[COL_MANUFACTURER])) ||
        !(r->model = arena_strndup(l, f[COL_MODEL], n[COL_MODEL])))
        return nomem(P);
    for (size_t i = 0; i < l->n_rules; i++) {
        if (strcmp(l->rules[i].reference, r->reference) != 0) continue;
        if (P->line)
            return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s '%s' is also on line %llu",
                                 P->where, P->names[COL_REFERENCE], r->reference,
                                 (unsigned long long)l->rules[i].line);
        return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s '%s' is also rules[%zu]", P->where,
                             P->names[COL_REFERENCE], r->reference, i);
    }
    rfn_status st;
    if ((st = parse_firmware(P, r, f[COL_FIRMWARE], n[COL_FIRMWARE])) ||
        (st = parse_bands(P, r, f[COL_BANDS], n[COL_BANDS])) ||
        (st = parse_limit(P, r, f[COL_LIMIT], n[COL_LIMIT])) ||
        (st = parse_regions(P, r, f[COL_REGIONS], n[COL_REGIONS])) ||
        (st = parse_postcodes(P, r, f[COL_POSTCODES], n[COL_POSTCODES])) ||
        (st = parse_han(P, r, f[COL_HAN], n[COL_HAN])))
        return st;
    if (n[COL_INSTALL_BY]) {
        char why[128];
        id_problem p =
            date_parse_order(f[COL_INSTALL_BY], n[COL_INSTALL_BY], P->dates, &r->install_by, NULL);
        int y = 0, mo, d;
        if (!p) date_to_ymd(r->install_by, &y, &mo, &d);
        if (p || y < 2000 || y > 2099) {
            const char *hint = date_order_hint(f[COL_INSTALL_BY], n[COL_INSTALL_BY], P->dates);
            snprintf(why, sizeof why, "%s%s%s%s",
                     p ? "not a date " : "outside the years 2000 to 2099",
                     p ? date_order_pattern(P->dates) : "", hint ? ": give --date-format " : "",
                     hint ? hint : "");
            return bad(P, COL_INSTALL_BY, f[COL_INSTALL_BY], n[COL_INSTALL_BY], why);
        }
    }
    l->n_rules++;
    return RFN_OK;
}

static rfn_status parse_csv_rule(parser *P, const int *col, const csv_record *rec)
{
    snprintf(P->where, sizeof P->where, "%s:%llu", P->l->name, (unsigned long long)P->line);
    if (rec->bad_quotes)
        return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s", P->where,
                             rec->unclosed ? "a quote opened on this line is not closed properly "
                                             "(a stray '\"'?)"
                                           : "malformed quoting (RFC 4180)");
    if (rec->ragged)
        return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: row has %zu fields, header has %zu",
                             P->where, rec->n_fields, rec->n_expected);
    const char *f[COL_COUNT];
    size_t n[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) {
        f[c] = col[c] >= 0 ? rec->fields[col[c]] : "";
        n[c] = col[c] >= 0 ? rec->lens[col[c]] : 0;
    }
    return parse_fields(P, f, n);
}

static rfn_status load(csv_reader *cr, const char *name, date_order dates, derogation_list **out,
                       rfn_error *err)
{
    derogation_list *l = calloc(1, sizeof *l);
    if (!l || !(l->name = strdup(name))) {
        free(l);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    parser P = {.l = l, .err = err, .names = col_names, .dates = dates};
    csv_record rec;
    int col[COL_COUNT];
    rfn_status st = csv_reader_next(cr, &rec, err);
    if (st == RFN_ERR_EOF)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty file (no header row)", name);
    if (!st) st = csv_header_map(&rec, name, col_names, COL_COUNT, col, err);
    for (int c = 0; !st && c < COL_FIRST_OPTIONAL; c++)
        if (col[c] < 0)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: header lacks column %s", name,
                               (unsigned long long)rec.line, col_names[c]);
    while (!st) {
        st = csv_reader_next(cr, &rec, err);
        if (st) break;
        P.line = rec.line;
        st = parse_csv_rule(&P, col, &rec);
    }
    if (st != RFN_ERR_EOF) {
        derogation_destroy(l);
        return st;
    }
    *out = l;
    return RFN_OK;
}

/* ---- JSON form ------------------------------------------------------------------------------- */

static const char *const json_keys[COL_COUNT] = {
    "reference", "manufacturer", "model",          "firmware",    "bands",
    "limit",     "regions",      "postcode_areas", "han_variant", "install_by",
};

/* Append text to a growing cell buffer. */
static bool cell_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *b = realloc(*buf, c);
        if (!b) return false;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

/* The CSV cell text of one JSON value: a string as is, an array of strings joined with ';',
 * a number, and for "limit" an object {band: number} as "band=number;...". */
static rfn_status json_cell(parser *P, int col, json_t *v, char **cell, size_t *cell_len)
{
    size_t cap = 0;
    char num[64];
    *cell_len = 0;
    if (!cell_add(cell, cell_len, &cap, "", 0)) return nomem(P);
    if (!v || json_is_null(v)) return RFN_OK;
    if (json_is_string(v)) {
        if (!cell_add(cell, cell_len, &cap, json_string_value(v), json_string_length(v)))
            return nomem(P);
        return RFN_OK;
    }
    if (json_is_number(v) && col == COL_LIMIT) {
        snprintf(num, sizeof num, "%.17g", json_number_value(v));
        return cell_add(cell, cell_len, &cap, num, strlen(num)) ? RFN_OK : nomem(P);
    }
    if (json_is_array(v) && col != COL_LIMIT && col >= COL_FIRMWARE) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item) ||
                memchr(json_string_value(item), ';', json_string_length(item)))
                return rfn_error_set(P->err, RFN_ERR_FORMAT,
                                     "%s: %s[%zu]: expected a string without ';'", P->where,
                                     P->names[col], i);
            if ((i && !cell_add(cell, cell_len, &cap, ";", 1)) ||
                !cell_add(cell, cell_len, &cap, json_string_value(item), json_string_length(item)))
                return nomem(P);
        }
        return RFN_OK;
    }
    if (json_is_object(v) && col == COL_LIMIT) {
        const char *band;
        json_t *item;
        bool first = true;
        json_object_foreach(v, band, item)
        {
            if (!json_is_number(item))
                return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: limit.%s: expected a number",
                                     P->where, band);
            snprintf(num, sizeof num, "=%.17g", json_number_value(item));
            if ((!first && !cell_add(cell, cell_len, &cap, ";", 1)) ||
                !cell_add(cell, cell_len, &cap, band, strlen(band)) ||
                !cell_add(cell, cell_len, &cap, num, strlen(num)))
                return nomem(P);
            first = false;
        }
        return RFN_OK;
    }
    return rfn_error_set(P->err, RFN_ERR_FORMAT, "%s: %s: expected %s", P->where, P->names[col],
                         col == COL_LIMIT      ? "\"limit-set\", a number or {band: number}"
                         : col >= COL_FIRMWARE ? "a string or an array of strings"
                                               : "a string");
}

static rfn_status load_json(json_t *root, const char *name, derogation_list **out, rfn_error *err)
{
    derogation_list *l = calloc(1, sizeof *l);
    if (!l || !(l->name = strdup(name))) {
        free(l);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    parser P = {.l = l, .err = err, .names = json_keys};
    rfn_status st = RFN_OK;
    json_t *format = json_object_get(root, "format");
    json_t *rules = json_object_get(root, "rules");
    char *cells[COL_COUNT] = {0};
    if (!json_is_string(format) || strcmp(json_string_value(format), "rfnoise-derogations-1"))
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: \"format\" must be \"rfnoise-derogations-1\"",
                           name);
    else if (!json_is_array(rules))
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: \"rules\" must be an array", name);
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule)
    {
        if (st) break;
        snprintf(P.where, sizeof P.where, "%s: rules[%zu]", name, i);
        if (!json_is_object(rule)) {
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: expected an object", P.where);
            break;
        }
        const char *key;
        json_t *v;
        json_object_foreach(rule, key, v)
        {
            bool known = key[0] == '_'; /* "_comment" and the like */
            for (int c = 0; c < COL_COUNT && !known; c++)
                known = strcmp(key, json_keys[c]) == 0;
            if (!known) {
                st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: unknown key \"%s\"", P.where, key);
                break;
            }
        }
        const char *f[COL_COUNT];
        size_t n[COL_COUNT];
        for (int c = 0; c < COL_COUNT && !st; c++) {
            st = json_cell(&P, c, json_object_get(rule, json_keys[c]), &cells[c], &n[c]);
            f[c] = cells[c];
        }
        if (!st) st = parse_fields(&P, f, n);
    }
    for (int c = 0; c < COL_COUNT; c++)
        free(cells[c]);
    if (st) {
        derogation_destroy(l);
        return st;
    }
    *out = l;
    return RFN_OK;
}

/* JSON when the first byte after spaces (and a BOM) is '{'; CSV otherwise. */
static bool looks_like_json(const unsigned char *p, size_t len)
{
    size_t i = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i < len && p[i] == '{';
}

static rfn_status load_json_text(const char *name, const char *data, size_t len,
                                 derogation_list **out, rfn_error *err)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) { /* jansson rejects a BOM */
        data += 3;
        len -= 3;
    }
    json_error_t je;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%d: %s", name, je.line, je.text);
    rfn_status st = load_json(root, name, out, err);
    json_decref(root);
    return st;
}

rfn_status derogation_load(const char *path, derogation_list **out, rfn_error *err)
{
    return derogation_load_input(path, NULL, out, err);
}

rfn_status derogation_load_input(const char *path, const csv_input *in, derogation_list **out,
                                 rfn_error *err)
{
    *out = NULL;
    /* Derogation lists are small: peek at the start to choose the format. */
    FILE *f;
    rfn_status ost = io_fopen_input(path, &f, NULL, err);
    if (ost)
        return ost;
    {
        unsigned char head[64];
        size_t got = fread(head, 1, sizeof head, f);
        if (looks_like_json(head, got)) {
            char *text = NULL;
            size_t len = 0, cap = 0;
            rewind(f);
            for (;;) {
                if (len == cap) {
                    char *t = cap < (64u << 20) ? realloc(text, cap = cap ? 2 * cap : 65536) : NULL;
                    if (!t) {
                        free(text);
                        fclose(f);
                        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: too big or out of memory",
                                             path);
                    }
                    text = t;
                }
                size_t n = fread(text + len, 1, cap - len, f);
                len += n;
                if (n == 0) break;
            }
            bool io = ferror(f);
            fclose(f);
            rfn_status st = io ? rfn_error_set(err, RFN_ERR_IO, "%s: read failed", path)
                               : load_json_text(path, text, len, out, err);
            free(text);
            return st;
        }
        fclose(f);
    }
    csv_reader *cr = NULL;
    csv_read_config rc = csv_read_config_input(in);
    rfn_status st = csv_reader_open(path, &rc, &cr, err);
    if (!st) st = load(cr, path, in ? in->dates : DATE_YMD, out, err);
    csv_reader_destroy(cr);
    return st;
}

rfn_status derogation_load_mem(const char *name, const void *data, size_t len,
                               derogation_list **out, rfn_error *err)
{
    *out = NULL;
    if (data && looks_like_json(data, len)) return load_json_text(name, data, len, out, err);
    csv_reader *cr = NULL;
    csv_read_config rc = csv_read_config_input(NULL);
    rfn_status st = csv_reader_open_mem(name, data, len, &rc, &cr, err);
    if (!st) st = load(cr, name, DATE_YMD, out, err);
    csv_reader_destroy(cr);
    return st;
}

/* ---- matching -------------------------------------------------------------------------------- */

static const char *const outcome_codes[DEROGATION_OUTCOME_COUNT] = {
    [DEROGATION_MATCH] = "derogated",
    [DEROGATION_MODEL_NOT_DEROGATED] = "model-not-derogated",
    [DEROGATION_LOCATION_NOT_ACCEPTABLE] = "location-not-acceptable",
    [DEROGATION_LOCATION_UNKNOWN] = "location-unknown",
    [DEROGATION_INSTALLED_AFTER_CUTOFF] = "installed-after-cutoff",
    [DEROGATION_INSTALL_DATE_UNKNOWN] = "install-date-unknown",
};

const char *derogation_outcome_code(derogation_outcome o)
{
    return (unsigned)o < DEROGATION_OUTCOME_COUNT ? outcome_codes[o] : "unknown";
}

static bool firmware_covered(const derogation_rule *r, const char *fw)
{
    switch (r->firmware_kind) {
    case FIRMWARE_ANY:
        return true;
    case FIRMWARE_LIST:
        if (!fw || !*fw) return false;
        for (size_t i = 0; i < r->n_firmware; i++)
            if (version_compare(r->firmware_list[i], fw) == 0) return true;
        return false;
    case FIRMWARE_RANGE:
        if (!fw || !*fw) return false;
        return (!r->firmware_lo || version_compare(fw, r->firmware_lo) >= 0) &&
               (!r->firmware_hi || version_compare(fw, r->firmware_hi) <= 0);
    }
    return false;
}

/* Index of the band in the rule, SIZE_MAX if not covered; 0 for "every band". */
static size_t band_slot(const derogation_rule *r, const char *band)
{
    if (r->n_bands == 0) return 0;
    for (size_t i = 0; band && i < r->n_bands; i++)
        if (strcmp(r->bands[i], band) == 0) return i;
    return SIZE_MAX;
}

static derogation_outcome location_check(const derogation_rule *r, const derogation_query *q)
{
    bool unknown = false;
    if (r->region_mask) {
        if (q->region == CSP_REGION_UNKNOWN)
            unknown = true;
        else if (!(r->region_mask & (1u << q->region)))
            return DEROGATION_LOCATION_NOT_ACCEPTABLE;
    }
    if (r->han_mask) {
        if (q->han == HAN_VARIANT_UNKNOWN)
            unknown = true;
        else if (!(r->han_mask & (1u << q->han)))
            return DEROGATION_LOCATION_NOT_ACCEPTABLE;
    }
    if (r->n_postcode_areas) {
        if (!q->postcode || !*q->postcode) {
            unknown = true;
        } else {
            bool in = false;
            for (size_t i = 0; i < r->n_postcode_areas && !in; i++)
                in = postcode_in_area(q->postcode, r->postcode_areas[i]);
            if (!in) return DEROGATION_LOCATION_NOT_ACCEPTABLE;
        }
    }
    return unknown ? DEROGATION_LOCATION_UNKNOWN : DEROGATION_MATCH;
}

/* How far a failure got: model (0) < location (1) < date (2). */
static int stage(derogation_outcome o)
{
    switch (o) {
    case DEROGATION_LOCATION_NOT_ACCEPTABLE:
    case DEROGATION_LOCATION_UNKNOWN:
        return 1;
    case DEROGATION_INSTALLED_AFTER_CUTOFF:
    case DEROGATION_INSTALL_DATE_UNKNOWN:
        return 2;
    default:
        return 0;
    }
}

derogation_outcome derogation_match(const derogation_list *list, const derogation_query *q,
                                    derogation_result *res)
{
    *res = (derogation_result){.outcome = DEROGATION_MODEL_NOT_DEROGATED, .limit = NAN};
    for (size_t i = 0; i < derogation_count(list); i++) {
        const derogation_rule *r = &list->rules[i];
        if (!q->manufacturer || strcasecmp(r->manufacturer, q->manufacturer) != 0 || !q->model ||
            strcasecmp(r->model, q->model) != 0 || !firmware_covered(r, q->firmware))
            continue;
        size_t slot = band_slot(r, q->band_id);
        if (slot == SIZE_MAX) continue;
        derogation_outcome o = location_check(r, q);
        if (o == DEROGATION_MATCH && r->install_by != INT32_MIN) {
            if (q->install_date == INT32_MIN)
                o = DEROGATION_INSTALL_DATE_UNKNOWN;
            else if (q->install_date > r->install_by)
                o = DEROGATION_INSTALLED_AFTER_CUTOFF;
        }
        if (o == DEROGATION_MATCH) {
            res->outcome = DEROGATION_MATCH;
            res->rule = r;
            res->limit_from_limit_set = r->limit_from_limit_set;
            res->limit = r->limit_from_limit_set ? NAN : r->limits[slot];
            return DEROGATION_MATCH;
        }
        if (!res->rule || stage(o) > stage(res->outcome)) {
            res->outcome = o;
            res->rule = r;
        }
    }
    return res->outcome;
}

bool derogation_rule_covers(const derogation_rule *r, const char *manufacturer, const char *model,
                            const char *firmware)
{
    return r && manufacturer && model && strcasecmp(r->manufacturer, manufacturer) == 0 &&
           strcasecmp(r->model, model) == 0 && firmware_covered(r, firmware);
}

bool derogation_names_model(const derogation_list *list, const char *manufacturer,
                            const char *model)
{
    for (size_t i = 0; manufacturer && model && i < derogation_count(list); i++)
        if (strcasecmp(list->rules[i].manufacturer, manufacturer) == 0 &&
            strcasecmp(list->rules[i].model, model) == 0)
            return true;
    return false;
}

derogation_outcome derogation_rule_location(const derogation_rule *r, const derogation_query *q)
{
    return location_check(r, q);
}

static int set_has_band(const limits_set *set, const char *id)
{
    for (size_t i = 0; i < set->n_bands; i++)
        if (strcmp(set->bands[i].id, id) == 0)
            return 1;
    return 0;
}

rfn_status derogation_check_bands(const derogation_list *list, const char *path,
                                  const limits_set *set, rfn_error *err)
{
    for (size_t r = 0; list && set && r < derogation_count(list); r++) {
        const derogation_rule *rule = derogation_get(list, r);
        for (size_t k = 0; k < rule->n_bands; k++) {
            if (set_has_band(set, rule->bands[k]))
                continue;
            char known[512] = "";
            for (size_t i = 0, used = 0; i < set->n_bands && used < sizeof known; i++) {
                int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 set->bands[i].id);
                used += w > 0 ? (size_t)w : 0;
            }
            char where[64];
            if (rule->line)
                snprintf(where, sizeof where, "%llu: Bands", (unsigned long long)rule->line);
            else
                snprintf(where, sizeof where, " rules[%zu]: bands", r);
            return rfn_error_set(err, RFN_ERR_FORMAT,
                                 "%s:%s '%s': not a band of limit set %s version %s (its bands: "
                                 "%s)",
                                 path, where, rule->bands[k], set->id, set->version, known);
        }
    }
    return RFN_OK;
}
