/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stock.h: `rfnoise stock`: can the derogated stock a Supplier declares still be installed in the
 * derogation's acceptable locations before its cut-off? From a stock declaration, the derogation
 * list and the register's install history (README "Derogation stock"). */
#ifndef RFN_STOCK_H
#define RFN_STOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv_read.h"
#include "derogation.h"
#include "register.h"
#include "rfn_error.h"

/* The stock declaration (README "Data formats"): CSV read with csv_read.h (separator detected,
 * --encoding, --date-format for as_of), header names case-insensitive in any order, other columns
 * ignored. Columns:
 *   Supplier, DeviceManufacturer, DeviceModel, DeviceFirmwareVersion
 *                     required text (valid UTF-8, no control characters, at most 128 bytes)
 *   quantity          required: units in stock, an integer 0 .. 10000000
 *   as_of             required: the date the stock was counted (a date, --date-format)
 *   warehouse_region  optional: a CSPRegion (North, Central, South) or a postcode area
 *                     ("AB", "KW1"); kept and written back, not used in the arithmetic
 * A row with a problem is rejected with one error per problem (file, line, column, code as in
 * register-errors.csv: missing-value, bad-text, too-long, bad-format, bad-date, ragged-row,
 * bad-quoting) and left out; the other rows are judged. A header lacking a required column is
 * a fatal RFN_ERR_FORMAT. */

typedef enum stock_status {
    STOCK_NOT_INSTALLABLE = 0, /* "not-installable": no derogation covers the model + firmware */
    STOCK_CUTOFF_PASSED,       /* "cut-off-passed": as_of is after the cut-off */
    STOCK_NO_CUTOFF,           /* "no-cut-off": the derogation has no InstallBy */
    STOCK_SURPLUS,             /* "surplus": stock is left at the cut-off even at the upper
                                  end of the run rate's 95 % interval */
    STOCK_USED,                /* "used-before-cut-off": used up even at the lower end */
    STOCK_UNCERTAIN,           /* "uncertain": the quantity lies inside the projection's
                                  95 % interval */
    STOCK_STATUS_COUNT
} stock_status;

const char *stock_status_name(stock_status s);
/* The status of a name stock_status_name gives; STOCK_STATUS_COUNT for any other text. */
stock_status stock_status_from_name(const char *name);

/* One declaration line and its figures. Rates are per month of 365.2425 / 12 days. */
typedef struct stock_line {
    uint64_t line; /* of the declaration */
    char *supplier, *manufacturer, *model, *firmware, *warehouse_region;
    int64_t quantity;
    int32_t as_of;      /* the date the figures are for: --as-of, else the line's own */
    stock_status status;
    char why[200];                /* for not-installable, cut-off-passed and no-cut-off */
    const derogation_rule *rule;  /* the first rule covering model + firmware; NULL none */
    char locations[160];          /* the rule's acceptable locations, "regions=north;areas=AB"
                                     ("any" when the rule has no constraint) */
    int32_t window_first, window_last; /* the run-rate window: the last N complete months
                                          before as_of, first and last day */
    uint64_t window_installs;     /* the Supplier's installs of the model (firmware the rule
                                     covers) into acceptable locations in the window */
    double rate, rate_lo, rate_hi;       /* per month, 95 % Poisson interval */
    double months_left;                  /* (cut-off - as_of) days / (365.2425 / 12); NAN */
    double projected, projected_lo, projected_hi; /* rate * months_left (not capped) */
    double surplus, surplus_lo, surplus_hi; /* max(0, quantity - projected), interval from the
                                               projection's ends */
    double required_per_month;           /* quantity / months_left; NAN without a cut-off or
                                            once it has passed */
    uint64_t wrong_place;         /* the Supplier's installs of the model (any date) outside every
                                     acceptable location of the rules covering it */
} stock_line;

/* Wrong-place installs: installs on the wall of a derogated model + firmware (some rule covers
 * it) whose location no covering rule accepts (a location the register lacks a needed value
 * for is not counted), by Supplier and install month. */
typedef struct stock_wrong_place {
    char *supplier;
    int month; /* year * 12 + month - 1 */
    uint64_t installs;
} stock_wrong_place;

typedef struct stock_config {
    const char *register_path;    /* required */
    const char *derogations_path; /* required */
    const char *stock_path;       /* required: the declaration */
    int32_t as_of;                /* INT32_MIN: each line's own as_of */
    int window_months;            /* default 3; 1 .. 120 */
    csv_input input;              /* --encoding, --date-format of the three CSV inputs */
    unsigned installed_statuses;  /* 0 = device_statuses_installed_default() */
} stock_config;

stock_config stock_config_default(void);

typedef struct stock_result stock_result;

/* Load the three inputs and work out every figure. Fatal: an unreadable or malformed register
 * header, derogation list or declaration header (RFN_ERR_NOTFOUND/IO/FORMAT); bad declaration
 * rows are not fatal (stock_error_count). */
rfn_status stock_run(const stock_config *cfg, stock_result **out, rfn_error *err);
void stock_destroy(stock_result *res); /* NULL is a no-op */

size_t stock_line_count(const stock_result *res);
const stock_line *stock_line_get(const stock_result *res, size_t i);
size_t stock_wrong_place_count(const stock_result *res);
const stock_wrong_place *stock_wrong_place_get(const stock_result *res, size_t i);
const register_summary *stock_register_summary(const stock_result *res);
uint64_t stock_rows_read(const stock_result *res);

/* Rejected declaration rows (sorted by line), as register_error (supplier and device_id: the
 * row's Supplier, "" for device_id). */
size_t stock_error_count(const stock_result *res);
void stock_error_get(const stock_result *res, size_t i, register_error *out);

/* ---- outputs (stock_out.c) ---- */

/* stock.csv: one row per accepted declaration line over the field table (header first). */
void stock_write_csv(FILE *f, const stock_result *res);
/* wrong-place.csv: Supplier,month,installs. */
void stock_write_wrong_place_csv(FILE *f, const stock_result *res);
/* stock-errors.csv: file,line,column,code,message,Supplier. */
void stock_write_errors_csv(FILE *f, const stock_result *res);
/* The JSON document: {"rfnoise": "stock", "format_version": 1, "lines": [...field table...],
 * "wrong_place": [...], "rejected_rows": N}. */
rfn_status stock_write_json(FILE *f, const stock_result *res, rfn_error *err);
/* stock.html: the report section, per Supplier: stock, projected use, surplus at cut-off,
 * wrong-place installs; then every line. Self-contained, every value HTML-escaped. */
void stock_write_html(FILE *f, const stock_result *res);

/* A Supplier's totals over its declaration lines, for stock.html and the workspace report:
 * stock, stock that can still go in (a derogation covers it and its cut-off has not passed),
 * projected use (capped by the stock; unknown with a line without cut-off), surplus at the
 * cut-off with the sum of the lines' intervals (a passed cut-off leaves the whole quantity),
 * wrong-place installs (the caller's count). */
typedef struct stock_supplier_sum {
    const char *name;
    double stock, installable, used, surplus, surplus_lo, surplus_hi, wrong;
} stock_supplier_sum;

/* The entry of s (n in use, room for one more) for name, appended zeroed when new. */
size_t stock_supplier_index(stock_supplier_sum *s, size_t *n, const char *name);
/* One declaration line's figures added to its Supplier's totals. */
void stock_supplier_add(stock_supplier_sum *x, int64_t quantity, stock_status status,
                        double projected, double surplus, double surplus_lo, double surplus_hi);
/* The per-Supplier table (HTML, every name escaped), wrong_label heading the last column. */
void stock_write_supplier_table(FILE *f, const stock_supplier_sum *s, size_t n,
                                const char *wrong_label);

#endif
