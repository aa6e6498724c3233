/* SPDX-License-Identifier: GPL-2.0-or-later */
/* register.c: installation register loader: CSV rows -> validated compact rows + indexes. */
#include "register.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "csv_read.h"
#include "csv_util.h"
#include "field_table.h"
#include "grow.h"
#include "identifiers.h"
#include "progress.h"

/* ---- columns and codes ----------------------------------------------------------------------- */

enum {
    COL_DEVICE_ID,
    COL_TYPE,
    COL_STATUS,
    COL_MANUFACTURER,
    COL_MODEL,
    COL_FIRMWARE,
    COL_MPXN,
    COL_REGION,
    COL_HAN,
    COL_POSTCODE,
    COL_SUPPLIER,
    COL_INSTALL_DATE,
    COL_REQUIRED, /* the twelve DUIS columns above; the optional ones follow */
    COL_SUPPLIER_ID = COL_REQUIRED,
    COL_INSTALLER,
    COL_COUNT,
    COL_NONE = COL_COUNT /* whole-row problems */
};

static const char *const col_names[COL_COUNT + 1] = {
    "DeviceID",
    "DeviceType",
    "DeviceStatus",
    "DeviceManufacturer",
    "DeviceModel",
    "DeviceFirmwareVersion",
    "ImportMPxN",
    "CSPRegion",
    "HANVariant",
    "PostCode",
    "Supplier",
    "InstallDate",
    "SupplierID",
    "Installer",
    "",
};

static const char *const code_names[REGISTER_CODE_COUNT] = {
    [REGISTER_CODE_MISSING] = "missing-value",
    [REGISTER_CODE_BAD_LENGTH] = "bad-length",
    [REGISTER_CODE_BAD_CHAR] = "bad-character",
    [REGISTER_CODE_BAD_FORMAT] = "bad-format",
    [REGISTER_CODE_BAD_CHECK] = "bad-check-digit",
    [REGISTER_CODE_BAD_DATE] = "bad-date",
    [REGISTER_CODE_UNKNOWN_VALUE] = "unknown-value",
    [REGISTER_CODE_MPXN_MISMATCH] = "mpxn-type-mismatch",
    [REGISTER_CODE_DATE_RANGE] = "date-out-of-range",
    [REGISTER_CODE_BAD_TEXT] = "bad-text",
    [REGISTER_CODE_TOO_LONG] = "too-long",
    [REGISTER_CODE_RAGGED] = "ragged-row",
    [REGISTER_CODE_BAD_QUOTING] = "bad-quoting",
    [REGISTER_CODE_DUPLICATE] = "duplicate-device-id",
};

const char *register_code_name(register_code c)
{
    return (unsigned)c < REGISTER_CODE_COUNT ? code_names[c] : "unknown";
}

static register_code code_of(id_problem p)
{
    switch (p) {
    case ID_BAD_LENGTH:
        return REGISTER_CODE_BAD_LENGTH;
    case ID_BAD_CHAR:
        return REGISTER_CODE_BAD_CHAR;
    case ID_BAD_FORMAT:
    case ID_BAD_VALUE: /* well formed, not real (all zeros): reported as bad-format */
        return REGISTER_CODE_BAD_FORMAT;
    case ID_BAD_CHECK:
        return REGISTER_CODE_BAD_CHECK;
    case ID_BAD_DATE:
        return REGISTER_CODE_BAD_DATE;
    case ID_UNKNOWN_CODE:
        return REGISTER_CODE_UNKNOWN_VALUE;
    default:
        return REGISTER_CODE_MISSING;
    }
}

register_config register_config_default(void)
{
    return (register_config){
        .strict = false,
        .max_text_bytes = 128,
        .min_install_year = 2000,
        .max_install_year = 2099,
    };
}

/* ---- hashing --------------------------------------------------------------------------------- */

/* splitmix64 finaliser: a full-avalanche mix, so EUI-64s sharing an OUI spread evenly. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* FNV-1a, 64 bit. */
static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* Smallest power of two >= 2n (load factor <= 0.5), at least 16. */
static size_t table_size(size_t n)
{
    size_t s = 16;
    while (s < 2 * n)
        s *= 2;
    return s;
}

/* ---- interned strings ------------------------------------------------------------------------ */

enum { STR_BLOCK = 1 << 20, REGISTER_MAX_ROW_LINES = 8 /* csv_read's default */ };

typedef struct strtab {
    char **blocks;
    size_t n_blocks, block_used, block_size;
    const char **strs;
    uint32_t *lens;
    uint32_t *hashes;
    uint32_t n, cap;
    uint64_t *slots; /* hash << 32 | (id + 1), 0 = empty: a probe compares hashes in place */
    size_t mask;
} strtab;

static bool strtab_init(strtab *t)
{
    memset(t, 0, sizeof *t);
    t->cap = 256;
    t->strs = malloc(t->cap * sizeof *t->strs);
    t->lens = malloc(t->cap * sizeof *t->lens);
    t->hashes = malloc(t->cap * sizeof *t->hashes);
    t->slots = calloc(512, sizeof *t->slots);
    t->mask = 511;
    if (!t->strs || !t->lens || !t->hashes || !t->slots) return false;
    t->strs[0] = "";
    t->lens[0] = 0;
    t->hashes[0] = 0;
    t->n = 1;
    return true;
}

static void strtab_free(strtab *t)
{
    for (size_t i = 0; i < t->n_blocks; i++)
        free(t->blocks[i]);
    free(t->blocks);
    free(t->strs);
    free(t->lens);
    free(t->hashes);
    free(t->slots);
}

static bool strtab_rehash(strtab *t)
{
    size_t size = (t->mask + 1) * 2;
    uint64_t *slots = calloc(size, sizeof *slots);
    if (!slots) return false;
    for (uint32_t id = 1; id < t->n; id++) {
        size_t i = t->hashes[id] & (size - 1);
        while (slots[i])
            i = (i + 1) & (size - 1);
        slots[i] = (uint64_t)t->hashes[id] << 32 | (id + 1);
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return true;
}

static char *strtab_store(strtab *t, const char *s, size_t len)
{
    if (t->n_blocks == 0 || t->block_used + len + 1 > t->block_size) {
        size_t size = len + 1 > STR_BLOCK ? len + 1 : STR_BLOCK;
        char **b = realloc(t->blocks, (t->n_blocks + 1) * sizeof *b);
        if (!b) return NULL;
        t->blocks = b;
        if (!(b[t->n_blocks] = malloc(size))) return NULL;
        t->n_blocks++;
        t->block_used = 0;
        t->block_size = size;
    }
    char *p = t->blocks[t->n_blocks - 1] + t->block_used;
    memcpy(p, s, len);
    p[len] = '\0';
    t->block_used += len + 1;
    return p;
}

/* Id of the string (added if new); UINT32_MAX when out of memory. */
static uint32_t strtab_intern(strtab *t, const char *s, size_t len)
{
    if (len == 0) return 0;
    uint32_t h = (uint32_t)hash_bytes(s, len);
    size_t i = h & t->mask;
    for (; t->slots[i]; i = (i + 1) & t->mask) {
        if ((uint32_t)(t->slots[i] >> 32) != h) continue;
        uint32_t id = (uint32_t)t->slots[i] - 1;
        if (t->lens[id] == len && memcmp(t->strs[id], s, len) == 0) return id;
    }
    if (t->n == UINT32_MAX - 1) return UINT32_MAX;
    if (t->n == t->cap) {
        uint32_t cap = t->cap * 2;
        const char **a = realloc(t->strs, cap * sizeof *a);
        if (a) t->strs = a;
        uint32_t *l = realloc(t->lens, cap * sizeof *l);
        if (l) t->lens = l;
        uint32_t *hh = realloc(t->hashes, cap * sizeof *hh);
        if (hh) t->hashes = hh;
        if (!a || !l || !hh) return UINT32_MAX;
        t->cap = cap;
    }
    char *p = strtab_store(t, s, len);
    if (!p) return UINT32_MAX;
    uint32_t id = t->n++;
    t->strs[id] = p;
    t->lens[id] = (uint32_t)len;
    t->hashes[id] = h;
    t->slots[i] = (uint64_t)h << 32 | (id + 1);
    if ((size_t)t->n * 2 > t->mask + 1 && !strtab_rehash(t)) return UINT32_MAX;
    return id;
}

/* ---- the register object --------------------------------------------------------------------- */

typedef struct error_rec {
    uint64_t line;
    size_t msg_off; /* into msgs; the row's Supplier and DeviceID follow the message */
    uint32_t seq;   /* order of discovery, to keep the sort stable */
    uint8_t col;
    uint8_t code;
} error_rec;

struct register_data {
    char *name;
    register_config cfg;
    register_row *rows;
    size_t n_rows, rows_cap;
    strtab strings;

    error_rec *errors;
    size_t n_errors, errors_cap;
    char *msgs;
    size_t msgs_len, msgs_cap;

    uint32_t *dev_slots; /* row index + 1 */
    size_t dev_mask;
    uint32_t *mpxn_slots; /* first row index + 1 */
    size_t mpxn_mask;
    uint32_t *mpxn_next;

    char **extra;
    size_t n_extra;

    register_summary summary;
};

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    return grow_array(p, cap, need, elem, 64);
}

/* ---- loading --------------------------------------------------------------------------------- */

typedef struct loader {
    register_data *reg;
    int col[COL_COUNT];
    char row_supplier[160], row_device[64]; /* of the current row, for register-errors.csv */
    /* InstallDate values that fail the date order given, and how many of those read as
     * DD/MM/YYYY and as MM/DD/YYYY: every date failing ISO but reading as dmy is one fatal
     * error that names --date-format dmy, rather than every row rejected. */
    uint64_t dates, dates_bad, bad_as_dmy, bad_as_mdy, first_bad_line;
    char first_bad[64];
    uint32_t row_codes; /* bit per register_code seen in the current row */
    rfn_error *err;
    rfn_status fatal;
} loader;

static void add_error(loader *L, uint64_t line, int col, register_code code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void add_error(loader *L, uint64_t line, int col, register_code code, const char *fmt, ...)
{
    register_data *r = L->reg;
    if (L->fatal) return;
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->row_codes |= 1u << code;
    if (r->cfg.strict) {
        L->fatal = rfn_error_set(L->err, RFN_ERR_FORMAT, "%s:%llu: %s (strict)", r->name,
                                 (unsigned long long)line, msg);
        return;
    }
    size_t mlen = strlen(msg) + 1, slen = strlen(L->row_supplier) + 1,
           dlen = strlen(L->row_device) + 1;
    if (!grow((void **)&r->errors, &r->errors_cap, r->n_errors + 1, sizeof *r->errors) ||
        !grow((void **)&r->msgs, &r->msgs_cap, r->msgs_len + mlen + slen + dlen, 1)) {
        L->fatal = rfn_error_set(L->err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
        return;
    }
    memcpy(r->msgs + r->msgs_len, msg, mlen);
    memcpy(r->msgs + r->msgs_len + mlen, L->row_supplier, slen);
    memcpy(r->msgs + r->msgs_len + mlen + slen, L->row_device, dlen);
    r->errors[r->n_errors] = (error_rec){
        .line = line,
        .msg_off = r->msgs_len,
        .seq = (uint32_t)r->n_errors,
        .col = (uint8_t)col,
        .code = (uint8_t)code,
    };
    r->n_errors++;
    r->msgs_len += mlen + slen + dlen;
}

static void trim(const char **s, size_t *len)
{
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool utf8_valid(const char *s, size_t len)
{
    return utf8_valid_prefix(s, len) == len;
}

/* A value for a message or register-errors.csv: at most max bytes (cut on a character boundary,
 * "..." added; buf holds max + 4), control characters and bytes of invalid UTF-8 shown as '?'. */
static const char *show_max(const char *s, size_t len, char *buf, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len((const unsigned char *)s + i, len - i);
        if (o + (n ? n : 1) > max) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (n == 0 || (n == 1 && ((unsigned char)s[i] < 0x20 || s[i] == 0x7f))) {
            buf[o++] = '?';
            i++;
        } else {
            memcpy(buf + o, s + i, n);
            o += n;
            i += n;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* A value quoted for a message: at most 40 bytes. */
static const char *show(const char *s, size_t len, char buf[64])
{
    return show_max(s, len, buf, 40);
}

typedef struct field {
    const char *s;
    size_t len;
} field;

/* Required free text: present, valid UTF-8, no control characters, not too long. */
static bool check_text(loader *L, uint64_t line, int col, field f)
{
    char b[64];
    if (f.len == 0) {
        add_error(L, line, col, REGISTER_CODE_MISSING, "%s is empty", col_names[col]);
        return false;
    }
    if (f.len > L->reg->cfg.max_text_bytes) {
        add_error(L, line, col, REGISTER_CODE_TOO_LONG, "%s '%s': longer than %zu bytes",
                  col_names[col], show(f.s, f.len, b), L->reg->cfg.max_text_bytes);
        return false;
    }
    bool ok = utf8_valid(f.s, f.len);
    for (size_t i = 0; ok && i < f.len; i++)
        if ((unsigned char)f.s[i] < 0x20 || f.s[i] == 0x7f) ok = false;
    if (!ok) {
        char hint[96];
        if (csv_cp1252_hint(f.s, f.len, hint, sizeof hint))
            add_error(L, line, col, REGISTER_CODE_BAD_TEXT, "%s '%s': not UTF-8 (%s)",
                      col_names[col], show(f.s, f.len, b), hint);
        else
            add_error(L, line, col, REGISTER_CODE_BAD_TEXT,
                      "%s '%s': invalid UTF-8 or a control character", col_names[col],
                      show(f.s, f.len, b));
        return false;
    }
    return true;
}

static void problem(loader *L, uint64_t line, int col, id_problem p, field f, const char *extra)
{
    char b[64];
    if (p == ID_EMPTY)
        add_error(L, line, col, REGISTER_CODE_MISSING, "%s is empty", col_names[col]);
    else
        add_error(L, line, col, code_of(p), "%s '%s': %s", col_names[col], show(f.s, f.len, b),
                  extra ? extra : id_problem_text(p));
}

/* Why an InstallDate is not in the order given, with the order it does read in. */
static void date_why(date_order order, field d, char *why, size_t size)
{
    const char *hint = date_order_hint(d.s, d.len, order);
    snprintf(why, size, "%s%s%s%s", order == DATE_YMD ? "not an ISO 8601 date " : "not a date ",
             order == DATE_YMD ? "(YYYY-MM-DD)" : date_order_pattern(order),
             hint ? "; it reads as --date-format " : "", hint ? hint : "");
}

static void survey_bad_date(loader *L, uint64_t line, field d)
{
    int32_t days;
    if (!d.len) return;
    if (L->dates_bad++ == 0) {
        L->first_bad_line = line;
        show(d.s, d.len, L->first_bad);
    }
    L->bad_as_dmy += date_parse_order(d.s, d.len, DATE_DMY, &days, NULL) == ID_OK;
    L->bad_as_mdy += date_parse_order(d.s, d.len, DATE_MDY, &days, NULL) == ID_OK;
}

/* Every InstallDate failed the order given but reads in another: one error naming the option
 * (both dmy and mdy possible: both named, never one guessed). */
static rfn_status all_dates_hint(loader *L, rfn_error *err)
{
    register_data *r = L->reg;
    if (!L->dates || L->dates_bad != L->dates) return RFN_OK;
    bool dmy = L->bad_as_dmy == L->dates && r->cfg.input.dates != DATE_DMY;
    bool mdy = L->bad_as_mdy == L->dates && r->cfg.input.dates != DATE_MDY;
    if (!dmy && !mdy) return RFN_OK;
    return rfn_error_set(err, RFN_ERR_FORMAT,
                         "%s: no InstallDate reads as %s, but every one reads as %s (line %llu: "
                         "'%s'): give --date-format %s",
                         r->name, date_order_pattern(r->cfg.input.dates),
                         dmy && mdy ? "DD/MM/YYYY or MM/DD/YYYY"
                                    : date_order_pattern(dmy ? DATE_DMY : DATE_MDY),
                         (unsigned long long)L->first_bad_line, L->first_bad,
                         dmy && mdy ? "dmy or mdy" : dmy ? "dmy" : "mdy");
}

/* The supplier and device id of the row being read, kept for the messages of its errors. */
static void note_row_names(loader *L, const csv_record *rec)
{
    L->row_supplier[0] = L->row_device[0] = '\0';
    for (int k = 0; k < 2; k++) {
        int c = L->col[k ? COL_DEVICE_ID : COL_SUPPLIER];
        if ((size_t)c >= rec->n_fields) continue;
        field v = {rec->fields[c], rec->lens[c]};
        trim(&v.s, &v.len);
        if (k)
            show_max(v.s, v.len, L->row_device, sizeof L->row_device - 4);
        else
            show_max(v.s, v.len, L->row_supplier, sizeof L->row_supplier - 4);
    }
}

/* A row whose quoting or field count is wrong (RFC 4180) is rejected whole, before its fields are
 * read: false when it was. */
static bool row_shape_ok(loader *L, const csv_record *rec)
{
    register_summary *sum = &L->reg->summary;
    uint64_t line = rec->line;
    if (rec->unclosed) {
        add_error(L, line, COL_NONE, REGISTER_CODE_BAD_QUOTING,
                  "a quote opened on this line is not closed properly within %d lines (a stray "
                  "'\"'?); the row is skipped and reading goes on at the next line",
                  REGISTER_MAX_ROW_LINES);
    } else if (rec->bad_quotes) {
        add_error(L, line, COL_NONE, REGISTER_CODE_BAD_QUOTING,
                  "malformed quoting (RFC 4180); the rest of the line is skipped");
    } else if (rec->ragged) {
        add_error(L, line, COL_NONE, REGISTER_CODE_RAGGED, "row has %zu fields, header has %zu",
                  rec->n_fields, rec->n_expected);
    }
    if (L->row_codes) {
        sum->rows_rejected++;
        sum->rejected_by_code[rec->bad_quotes ? REGISTER_CODE_BAD_QUOTING : REGISTER_CODE_RAGGED]++;
        return false;
    }
    return true;
}

/* One row's values as parsed, before it is accepted into the register. */
typedef struct parsed_row {
    register_row row;
    device_type type;
    device_status status;
    csp_region region;
    han_variant han;
    char postcode[POSTCODE_TEXT_LEN];
} parsed_row;

/* DeviceID (EUI-64), DeviceType, DeviceStatus and the free-text columns. */
static void check_ids(loader *L, uint64_t line, const field *f, parsed_row *pr)
{
    id_problem p;
    if ((p = eui64_parse(f[COL_DEVICE_ID].s, f[COL_DEVICE_ID].len, &pr->row.device_id)))
        problem(L, line, COL_DEVICE_ID, p, f[COL_DEVICE_ID], NULL);

    if ((p = device_type_parse(f[COL_TYPE].s, f[COL_TYPE].len, &pr->type)))
        problem(L, line, COL_TYPE, p, f[COL_TYPE],
                "not one of ESME, GSME, CHF, GPF, PPMID, HCALCS");
    if ((p = device_status_parse(f[COL_STATUS].s, f[COL_STATUS].len, &pr->status)))
        problem(L, line, COL_STATUS, p, f[COL_STATUS],
                "not a DUIS DeviceStatus (Pending, Whitelisted, InstalledNotCommissioned, "
                "Commissioned, Decommissioned, Withdrawn, Suspended, Recovery, Recovered, "
                "NotApplicable)");

    check_text(L, line, COL_MANUFACTURER, f[COL_MANUFACTURER]);
    check_text(L, line, COL_MODEL, f[COL_MODEL]);
    check_text(L, line, COL_FIRMWARE, f[COL_FIRMWARE]);
    check_text(L, line, COL_SUPPLIER, f[COL_SUPPLIER]);
    if (f[COL_SUPPLIER_ID].len) check_text(L, line, COL_SUPPLIER_ID, f[COL_SUPPLIER_ID]);
    if (f[COL_INSTALLER].len) check_text(L, line, COL_INSTALLER, f[COL_INSTALLER]);
}

/* ImportMPxN: required for an installed meter (ESME, GSME), and of the meter's kind (an ESME's is
 * an MPAN core, a GSME's an MPRN). */
static void check_mpxn(loader *L, uint64_t line, field m, bool on_wall, parsed_row *pr)
{
    id_problem p;
    device_type type = pr->type;
    if (m.len == 0) {
        if (on_wall && device_type_has_mpxn(type))
            add_error(L, line, COL_MPXN, REGISTER_CODE_MISSING,
                      "ImportMPxN is empty (required for an installed %s)", device_type_name(type));
        return;
    }
    mpxn_kind kind = MPXN_NONE;
    if ((p = mpxn_parse(m.s, m.len, &kind, &pr->row.mpxn_key))) {
        problem(L, line, COL_MPXN, p, m,
                p == ID_BAD_LENGTH
                    ? "neither an MPAN core (13 digits) nor an MPRN (6-10 digits)"
                    : NULL);
    } else if ((type == DEVICE_TYPE_ESME && kind != MPXN_MPAN) ||
               (type == DEVICE_TYPE_GSME && kind != MPXN_MPRN)) {
        char b[64];
        add_error(L, line, COL_MPXN, REGISTER_CODE_MPXN_MISMATCH,
                  "ImportMPxN '%s' is an %s, but an %s needs an %s", show(m.s, m.len, b),
                  kind == MPXN_MPAN ? "MPAN core" : "MPRN", device_type_name(type),
                  type == DEVICE_TYPE_ESME ? "MPAN core" : "MPRN");
    }
    pr->row.mpxn_kind = (uint8_t)kind;
}

/* Region, HAN variant (required for an installed device) and postcode (optional). */
static void check_place(loader *L, uint64_t line, const field *f, bool on_wall, parsed_row *pr)
{
    id_problem p;
    if ((p = csp_region_parse(f[COL_REGION].s, f[COL_REGION].len, &pr->region)))
        problem(L, line, COL_REGION, p, f[COL_REGION], "not one of North, Central, South");

    if (f[COL_HAN].len || on_wall) {
        if ((p = han_variant_parse(f[COL_HAN].s, f[COL_HAN].len, &pr->han)))
            problem(L, line, COL_HAN, p, f[COL_HAN], "not one of Single Band, Dual Band");
    }

    if (f[COL_POSTCODE].len) {
        if ((p = postcode_normalise(f[COL_POSTCODE].s, f[COL_POSTCODE].len, pr->postcode)))
            problem(L, line, COL_POSTCODE, p, f[COL_POSTCODE], "not a UK postcode");
    }
}

/* InstallDate (required for an installed device): in the --date-format order, within the
 * configured years; failures are surveyed for all_dates_hint. */
static void check_install_date(loader *L, uint64_t line, field d, bool on_wall, register_row *row)
{
    register_data *r = L->reg;
    id_problem p;
    if (!d.len && !on_wall)
        return;
    date_order order = r->cfg.input.dates;
    if (d.len) L->dates++;
    if ((p = date_parse_order(d.s, d.len, order, &row->install_date, NULL))) {
        survey_bad_date(L, line, d);
        char why[128];
        date_why(order, d, why, sizeof why);
        problem(L, line, COL_INSTALL_DATE, p, d, p == ID_BAD_DATE ? NULL : why);
        return;
    }
    int y, mo, dd;
    date_to_ymd(row->install_date, &y, &mo, &dd);
    if (y < r->cfg.min_install_year || y > r->cfg.max_install_year) {
        char b[64];
        add_error(L, line, COL_INSTALL_DATE, REGISTER_CODE_DATE_RANGE,
                  "InstallDate '%s': outside the years %d to %d", show(d.s, d.len, b),
                  r->cfg.min_install_year, r->cfg.max_install_year);
    }
}

/* A row without errors: its texts interned, appended to the register (out of memory: fatal). */
static void accept_row(loader *L, const field *f, parsed_row *pr)
{
    register_data *r = L->reg;
    register_row row = pr->row;
    row.type = (uint8_t)pr->type;
    row.status = (uint8_t)pr->status;
    row.region = (uint8_t)pr->region;
    row.han = (uint8_t)pr->han;
    strtab *t = &r->strings;
    row.supplier = strtab_intern(t, f[COL_SUPPLIER].s, f[COL_SUPPLIER].len);
    row.manufacturer = strtab_intern(t, f[COL_MANUFACTURER].s, f[COL_MANUFACTURER].len);
    row.model = strtab_intern(t, f[COL_MODEL].s, f[COL_MODEL].len);
    row.firmware = strtab_intern(t, f[COL_FIRMWARE].s, f[COL_FIRMWARE].len);
    row.supplier_id = strtab_intern(t, f[COL_SUPPLIER_ID].s, f[COL_SUPPLIER_ID].len);
    row.installer = strtab_intern(t, f[COL_INSTALLER].s, f[COL_INSTALLER].len);
    memcpy(row.postcode, pr->postcode, sizeof row.postcode);
    if (row.supplier == UINT32_MAX || row.manufacturer == UINT32_MAX || row.model == UINT32_MAX ||
        row.firmware == UINT32_MAX || row.supplier_id == UINT32_MAX ||
        row.installer == UINT32_MAX || r->n_rows >= UINT32_MAX - 1 ||
        !grow((void **)&r->rows, &r->rows_cap, r->n_rows + 1, sizeof *r->rows)) {
        L->fatal = rfn_error_set(L->err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
        return;
    }
    r->rows[r->n_rows++] = row;
    r->summary.rows_accepted++;
}

static void check_row(loader *L, const csv_record *rec)
{
    register_summary *sum = &L->reg->summary;
    uint64_t line = rec->line;
    L->row_codes = 0;
    sum->rows_read++;
    note_row_names(L, rec);
    if (!row_shape_ok(L, rec))
        return;
    field f[COL_COUNT];
    for (int c = 0; c < COL_COUNT; c++) {
        if (L->col[c] < 0) { /* an optional column the file lacks */
            f[c] = (field){.s = "", .len = 0};
            continue;
        }
        f[c].s = rec->fields[L->col[c]];
        f[c].len = rec->lens[L->col[c]];
        trim(&f[c].s, &f[c].len);
    }
    parsed_row pr = {
        .row = {.line = line, .install_date = REGISTER_NO_DATE},
        .type = DEVICE_TYPE_UNKNOWN,
        .status = DEVICE_STATUS_UNKNOWN,
        .region = CSP_REGION_UNKNOWN,
        .han = HAN_VARIANT_UNKNOWN,
        .postcode = "",
    };
    check_ids(L, line, f, &pr);
    bool on_wall = device_status_in(L->reg->cfg.installed, pr.status);
    check_mpxn(L, line, f[COL_MPXN], on_wall, &pr);
    check_place(L, line, f, on_wall, &pr);
    check_install_date(L, line, f[COL_INSTALL_DATE], on_wall, &pr.row);

    if (L->fatal) return;
    if (L->row_codes) {
        sum->rows_rejected++;
        for (int c = 0; c < REGISTER_CODE_COUNT; c++)
            if (L->row_codes & (1u << c)) sum->rejected_by_code[c]++;
        return;
    }
    accept_row(L, f, &pr);
}

static rfn_status read_header(loader *L, csv_reader *cr, rfn_error *err)
{
    register_data *r = L->reg;
    csv_record hdr;
    rfn_status st = csv_reader_next(cr, &hdr, err);
    if (st == RFN_ERR_EOF)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty file (no header row)", r->name);
    if (st) return st;
    if (hdr.bad_quotes)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: malformed quoting in the header",
                             r->name, (unsigned long long)hdr.line);
    st = csv_header_map(&hdr, r->name, col_names, COL_COUNT, L->col, err);
    if (st) return st;
    char missing[256] = "";
    size_t n_missing = 0;
    for (int c = 0; c < COL_REQUIRED; c++) {
        if (L->col[c] >= 0) continue;
        size_t o = strlen(missing);
        snprintf(missing + o, sizeof missing - o, "%s%s", n_missing ? ", " : "", col_names[c]);
        n_missing++;
    }
    if (n_missing)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: header lacks column%s %s", r->name,
                             (unsigned long long)hdr.line, n_missing > 1 ? "s" : "", missing);
    for (size_t i = 0; i < hdr.n_fields; i++) {
        bool known = false;
        for (int c = 0; c < COL_COUNT && !known; c++)
            known = L->col[c] == (int)i;
        if (known) continue;
        char **e = realloc(r->extra, (r->n_extra + 1) * sizeof *e);
        if (!e) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
        r->extra = e;
        if (!(e[r->n_extra] = strdup(hdr.fields[i])))
            return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
        r->n_extra++;
    }
    return RFN_OK;
}

/* ---- indexes --------------------------------------------------------------------------------- */

/* Insert every row into the DeviceID table; report rows sharing a DeviceID. Returns false on
 * allocation failure. *dups counts rows that must be dropped. */
static bool build_device_index(loader *L, uint8_t *drop, size_t *dups)
{
    register_data *r = L->reg;
    size_t size = table_size(r->n_rows);
    free(r->dev_slots);
    r->dev_slots = calloc(size, sizeof *r->dev_slots);
    if (!r->dev_slots) return false;
    r->dev_mask = size - 1;
    *dups = 0;
    for (size_t k = 0; k < r->n_rows; k++) {
        uint64_t id = r->rows[k].device_id;
        size_t i = mix64(id) & r->dev_mask;
        for (; r->dev_slots[i]; i = (i + 1) & r->dev_mask)
            if (r->rows[r->dev_slots[i] - 1].device_id == id) break;
        if (!r->dev_slots[i]) {
            r->dev_slots[i] = (uint32_t)k + 1;
            continue;
        }
        if (!drop)
            return true; /* cannot happen: only called without drop once duplicates are gone */
        size_t first = r->dev_slots[i] - 1;
        char text[EUI64_TEXT_LEN];
        eui64_format(id, text);
        snprintf(L->row_device, sizeof L->row_device, "%s", text);
        const char *fmt = "DeviceID %s appears on lines %llu and %llu";
        snprintf(L->row_supplier, sizeof L->row_supplier, "%s",
                 register_string(r, r->rows[first].supplier));
        if (!drop[first]) {
            drop[first] = 1;
            (*dups)++;
            add_error(L, r->rows[first].line, COL_DEVICE_ID, REGISTER_CODE_DUPLICATE, fmt, text,
                      (unsigned long long)r->rows[first].line, (unsigned long long)r->rows[k].line);
        }
        drop[k] = 1;
        (*dups)++;
        snprintf(L->row_supplier, sizeof L->row_supplier, "%s",
                 register_string(r, r->rows[k].supplier));
        add_error(L, r->rows[k].line, COL_DEVICE_ID, REGISTER_CODE_DUPLICATE, fmt, text,
                  (unsigned long long)r->rows[first].line, (unsigned long long)r->rows[k].line);
        if (L->fatal) return true;
    }
    return true;
}

static bool build_mpxn_index(register_data *r)
{
    size_t size = table_size(r->n_rows);
    r->mpxn_slots = calloc(size, sizeof *r->mpxn_slots);
    r->mpxn_next = malloc((r->n_rows ? r->n_rows : 1) * sizeof *r->mpxn_next);
    if (!r->mpxn_slots || !r->mpxn_next) return false;
    r->mpxn_mask = size - 1;
    /* Backwards, pushing on the front, so each chain runs in file order. */
    for (size_t k = r->n_rows; k-- > 0;) {
        uint64_t key = r->rows[k].mpxn_key;
        r->mpxn_next[k] = REGISTER_NONE;
        if (key == 0) continue;
        size_t i = mix64(key) & r->mpxn_mask;
        for (; r->mpxn_slots[i]; i = (i + 1) & r->mpxn_mask)
            if (r->rows[r->mpxn_slots[i] - 1].mpxn_key == key) break;
        if (r->mpxn_slots[i]) r->mpxn_next[k] = r->mpxn_slots[i] - 1;
        r->mpxn_slots[i] = (uint32_t)k + 1;
    }
    return true;
}

static int error_cmp(const void *a, const void *b)
{
    const error_rec *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static rfn_status finish(loader *L, rfn_error *err)
{
    register_data *r = L->reg;
    uint8_t *drop = calloc(r->n_rows ? r->n_rows : 1, 1);
    size_t dups = 0;
    if (!drop || !build_device_index(L, drop, &dups)) {
        free(drop);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
    }
    if (L->fatal) {
        free(drop);
        return L->fatal;
    }
    if (dups) {
        size_t o = 0;
        for (size_t k = 0; k < r->n_rows; k++)
            if (!drop[k]) r->rows[o++] = r->rows[k];
        r->n_rows = o;
        r->summary.rows_accepted -= dups;
        r->summary.rows_rejected += dups;
        r->summary.rejected_by_code[REGISTER_CODE_DUPLICATE] += dups;
        if (!build_device_index(L, NULL, &dups)) {
            free(drop);
            return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
        }
    }
    free(drop);
    if (r->n_rows && r->n_rows < r->rows_cap) { /* give back the doubling slack */
        register_row *rows = realloc(r->rows, r->n_rows * sizeof *rows);
        if (rows) {
            r->rows = rows;
            r->rows_cap = r->n_rows;
        }
    }
    if (!build_mpxn_index(r))
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", r->name);
    for (size_t k = 0; k < r->n_rows; k++)
        r->summary.rows_on_wall +=
            device_status_in(r->cfg.installed, (device_status)r->rows[k].status);
    r->summary.errors = r->n_errors;
    if (r->n_errors > 1) qsort(r->errors, r->n_errors, sizeof *r->errors, error_cmp);
    return RFN_OK;
}

static rfn_status load(csv_reader *cr, const char *name, const register_config *cfg,
                       register_data **out, rfn_error *err)
{
    register_data *r = calloc(1, sizeof *r);
    if (!r || !(r->name = strdup(name)) || !strtab_init(&r->strings)) {
        if (r) strtab_free(&r->strings);
        free(r ? r->name : NULL);
        free(r);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    r->cfg = cfg ? *cfg : register_config_default();
    if (!r->cfg.installed)
        r->cfg.installed = device_statuses_installed_default();
    loader L = {.reg = r, .err = err};
    rfn_status st = read_header(&L, cr, err);
    csv_record rec;
    while (!st) {
        st = csv_reader_next(cr, &rec, err);
        if (st) break;
        check_row(&L, &rec);
        st = L.fatal;
        if (r->cfg.progress && (r->summary.rows_read & 4095) == 0)
            progress_update(r->cfg.progress, csv_reader_offset(cr));
    }
    if (st == RFN_ERR_EOF) st = all_dates_hint(&L, err);
    if (!st) {
        csv_read_stats cs;
        csv_reader_stats(cr, &cs);
        r->summary.lines = cs.lines;
        r->summary.continuation_lines = cs.continuation_lines;
        r->summary.blank_lines = cs.blank_lines;
        r->summary.delim = (char)csv_reader_delim(cr);
        st = finish(&L, err);
    }
    if (st) {
        register_destroy(r);
        return st;
    }
    *out = r;
    return RFN_OK;
}

rfn_status register_load(const char *path, const register_config *cfg, register_data **out,
                         rfn_error *err)
{
    *out = NULL;
    csv_reader *cr = NULL;
    csv_read_config rc = csv_read_config_input(cfg ? &cfg->input : NULL);
    rfn_status st = csv_reader_open(path, &rc, &cr, err);
    if (st) return st;
    st = load(cr, path, cfg, out, err);
    csv_reader_destroy(cr);
    return st;
}

rfn_status register_load_mem(const char *name, const void *data, size_t len,
                             const register_config *cfg, register_data **out, rfn_error *err)
{
    *out = NULL;
    csv_reader *cr = NULL;
    csv_read_config rc = csv_read_config_input(cfg ? &cfg->input : NULL);
    rfn_status st = csv_reader_open_mem(name, data, len, &rc, &cr, err);
    if (st) return st;
    st = load(cr, name, cfg, out, err);
    csv_reader_destroy(cr);
    return st;
}

void register_destroy(register_data *reg)
{
    if (!reg) return;
    free(reg->name);
    free(reg->rows);
    strtab_free(&reg->strings);
    free(reg->errors);
    free(reg->msgs);
    free(reg->dev_slots);
    free(reg->mpxn_slots);
    free(reg->mpxn_next);
    for (size_t i = 0; i < reg->n_extra; i++)
        free(reg->extra[i]);
    free(reg->extra);
    free(reg);
}

/* ---- queries --------------------------------------------------------------------------------- */

size_t register_count(const register_data *reg)
{
    return reg->n_rows;
}

const register_row *register_rows(const register_data *reg)
{
    return reg->rows;
}

const char *register_string(const register_data *reg, uint32_t id)
{
    return id < reg->strings.n ? reg->strings.strs[id] : "";
}

const register_row *register_find_device(const register_data *reg, uint64_t device_id)
{
    for (size_t i = mix64(device_id) & reg->dev_mask; reg->dev_slots[i];
         i = (i + 1) & reg->dev_mask) {
        const register_row *row = &reg->rows[reg->dev_slots[i] - 1];
        if (row->device_id == device_id) return row;
    }
    return NULL;
}

uint32_t register_mpxn_first(const register_data *reg, uint64_t mpxn_key)
{
    if (mpxn_key == 0) return REGISTER_NONE;
    for (size_t i = mix64(mpxn_key) & reg->mpxn_mask; reg->mpxn_slots[i];
         i = (i + 1) & reg->mpxn_mask) {
        uint32_t k = reg->mpxn_slots[i] - 1;
        if (reg->rows[k].mpxn_key == mpxn_key) return k;
    }
    return REGISTER_NONE;
}

uint32_t register_mpxn_next(const register_data *reg, uint32_t row_index)
{
    return row_index < reg->n_rows ? reg->mpxn_next[row_index] : REGISTER_NONE;
}

const register_summary *register_get_summary(const register_data *reg)
{
    return &reg->summary;
}

size_t register_error_count(const register_data *reg)
{
    return reg->n_errors;
}

void register_error_get(const register_data *reg, size_t i, register_error *out)
{
    const error_rec *e = &reg->errors[i];
    *out = (register_error){
        .file = reg->name,
        .line = e->line,
        .column = col_names[e->col],
        .code = register_code_name((register_code)e->code),
        .message = reg->msgs + e->msg_off,
    };
    out->supplier = out->message + strlen(out->message) + 1;
    out->device_id = out->supplier + strlen(out->supplier) + 1;
}

FIELD_TEXT_FN(ec_file, register_error, r->file)
FIELD_NUM_FN(ec_line, register_error, (double)r->line)
FIELD_TEXT_FN(ec_column, register_error, r->column)
FIELD_TEXT_FN(ec_code, register_error, r->code)
FIELD_TEXT_FN(ec_message, register_error, r->message)
FIELD_TEXT_FN(ec_supplier, register_error, r->supplier)
FIELD_TEXT_FN(ec_device, register_error, r->device_id)

/* register-errors.csv (README "Validate outputs"); stock-errors.csv is the same without its
 * last column. */
const record_field register_error_fields[] = {
    {"file", FIELD_TEXT, ec_file, NULL, 0},       {"line", FIELD_INT, NULL, ec_line, 0},
    {"column", FIELD_TEXT, ec_column, NULL, 0},   {"code", FIELD_TEXT, ec_code, NULL, 0},
    {"message", FIELD_TEXT, ec_message, NULL, 0}, {"Supplier", FIELD_TEXT, ec_supplier, NULL, 0},
    {"DeviceID", FIELD_TEXT, ec_device, NULL, 0},
};
const size_t register_error_fields_count =
    sizeof register_error_fields / sizeof register_error_fields[0];

void register_errors_write_csv(const register_data *reg, FILE *f)
{
    field_csv_header(f, register_error_fields, register_error_fields_count);
    for (size_t i = 0; i < reg->n_errors; i++) {
        register_error e;
        register_error_get(reg, i, &e);
        field_csv_row(f, register_error_fields, register_error_fields_count, &e);
    }
}

rfn_status register_errors_save(const register_data *reg, const char *path, rfn_error *err)
{
    atomic_file *af = NULL;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st) return st;
    register_errors_write_csv(reg, atomic_file_stream(af));
    return atomic_file_commit(af, err);
}

size_t register_extra_column_count(const register_data *reg)
{
    return reg->n_extra;
}

const char *register_extra_column(const register_data *reg, size_t i)
{
    return i < reg->n_extra ? reg->extra[i] : "";
}
