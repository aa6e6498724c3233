/* SPDX-License-Identifier: GPL-2.0-or-later */
/* register.h: load and validate an installation register (DUIS Read Inventory CSV extract) into
 * compact rows with hash indexes by DeviceID and by ImportMPxN, reporting every rejected row. */
#ifndef RFN_REGISTER_H
#define RFN_REGISTER_H

#include <stdbool.h>
#include <stdio.h>

#include "csv_read.h"
#include "field_table.h"
#include "records.h"
#include "rfn_error.h"

/* Input format (README "Data formats"):
 * - CSV (csv_read.h: RFC 4180, UTF-8 with or without BOM, LF or CRLF); the first record is the
 *   header. The twelve DUIS columns DeviceID, DeviceType, DeviceStatus, DeviceManufacturer,
 *   DeviceModel, DeviceFirmwareVersion, ImportMPxN, CSPRegion, HANVariant, PostCode, Supplier,
 *   InstallDate must all be present (case-insensitive, any order; a missing or doubled one is a
 *   fatal RFN_ERR_FORMAT). Two optional columns are read when present: SupplierID (the
 *   Supplier's market participant id: case ownership matches on it before the name, issue 15)
 *   and Installer (who fitted the device: the report's reasons by installer, issue 20), both
 *   optional text (empty allowed; else as the required text columns). Other columns are
 *   allowed: their names are kept (register_extra_column), their values ignored.
 * - Every field is trimmed of spaces and tabs. Per row, every problem is reported:
 *     DeviceID             required; EUI-64 (dashes, colons or bare hex; eui64_parse)
 *     DeviceType           required; ESME GSME CHF GPF PPMID HCALCS
 *     DeviceStatus         required; the ten DUIS statuses
 *     DeviceManufacturer, DeviceModel, DeviceFirmwareVersion, Supplier
 *                          required text: valid UTF-8, no control characters, at most
 *                          max_text_bytes (formula-like text such as "=X()" is allowed: outputs
 *                          neutralise it)
 *     ImportMPxN           MPAN core (13 digits) or MPRN (6-10 digits) with valid check digits;
 *                          an ESME needs an MPAN core and a GSME an MPRN ("mpxn-type-mismatch");
 *                          required for an ESME or GSME on the wall, else may be empty
 *     CSPRegion            required; North Central South
 *     HANVariant           Single Band / Dual Band; required for devices on the wall
 *     PostCode             optional; a UK postcode (postcode_normalise)
 *     InstallDate          ISO 8601 date or date-time, years min_install_year..max_install_year;
 *                          required for devices on the wall
 *   A row with any problem is kept out of the accepted rows; a ragged row (field count differs
 *   from the header) or one with malformed quoting is rejected as a whole.
 * - Duplicate DeviceIDs: every row carrying the DeviceID is rejected (the register cannot say
 *   which is right), each with a "duplicate-device-id" error naming the other line.
 * - Rows with the same ImportMPxN are fine (a premises has an ESME and a CHF; replaced meters). */

/* Error codes (the `code` column of register-errors.csv). */
typedef enum register_code {
    REGISTER_CODE_MISSING = 0,   /* "missing-value" */
    REGISTER_CODE_BAD_LENGTH,    /* "bad-length" */
    REGISTER_CODE_BAD_CHAR,      /* "bad-character" */
    REGISTER_CODE_BAD_FORMAT,    /* "bad-format" */
    REGISTER_CODE_BAD_CHECK,     /* "bad-check-digit" */
    REGISTER_CODE_BAD_DATE,      /* "bad-date" */
    REGISTER_CODE_UNKNOWN_VALUE, /* "unknown-value" */
    REGISTER_CODE_MPXN_MISMATCH, /* "mpxn-type-mismatch" */
    REGISTER_CODE_DATE_RANGE,    /* "date-out-of-range" */
    REGISTER_CODE_BAD_TEXT,      /* "bad-text" (invalid UTF-8 or control character) */
    REGISTER_CODE_TOO_LONG,      /* "too-long" */
    REGISTER_CODE_RAGGED,        /* "ragged-row" */
    REGISTER_CODE_BAD_QUOTING,   /* "bad-quoting" */
    REGISTER_CODE_DUPLICATE,     /* "duplicate-device-id" */
    REGISTER_CODE_COUNT
} register_code;

const char *register_code_name(register_code c);

typedef struct register_config {
    /* The first rejected row fails the load (RFN_ERR_FORMAT); default false. */
    bool strict;
    size_t max_text_bytes; /* longest text value accepted; default 128 */
    int min_install_year;  /* default 2000: earlier dates are data errors (1900-01-01 defaults) */
    int max_install_year;  /* default 2099 */
    /* --encoding and --date-format (InstallDate in that order; ISO dates always read). */
    csv_input input;
    /* progress.h object updated with the input bytes read; NULL (default) = none. */
    struct progress *progress;
    /* Statuses counted as installed (1u << device_status bits; --installed-statuses); 0 (default)
     * = device_statuses_installed_default(). Rows on the wall must carry what a judgement needs
     * (MPxN, HAN variant, InstallDate), and rows_on_wall counts them. */
    unsigned installed;
} register_config;

register_config register_config_default(void);

typedef struct register_summary {
    /* Physical lines of the file: lines = 1 (header) + rows_read + continuation_lines +
     * blank_lines (csv_read_stats). */
    uint64_t lines, continuation_lines, blank_lines;
    char delim; /* the separator found on the header line: ',', ';' or '\t' */
    uint64_t rows_read; /* data rows (records after the header) */
    uint64_t rows_accepted;
    uint64_t rows_rejected; /* rows_read = rows_accepted + rows_rejected */
    uint64_t rows_on_wall;  /* accepted rows whose status is on the wall (device_status_on_wall) */
    uint64_t errors;        /* error records (a rejected row has one or more) */
    /* Rejected rows per code: a row with problems of several codes counts under each, once. */
    uint64_t rejected_by_code[REGISTER_CODE_COUNT];
} register_summary;

typedef struct register_data register_data;

/* Load, validate and index the register at path. Row problems never fail the load (unless
 * cfg->strict): they become error records. Fatal errors: RFN_ERR_NOTFOUND/IO (file), RFN_ERR_FORMAT
 * (empty file, header lacks a column, a CSV limit exceeded, strict and a row was rejected: the
 * message is that row's first error), RFN_ERR_NOMEM. cfg NULL means defaults. On failure *out is
 * NULL. Memory: about 60 bytes per accepted row plus the distinct strings. */
rfn_status register_load(const char *path, const register_config *cfg, register_data **out,
                         rfn_error *err);

/* The same from len bytes in memory (name is used in messages; data is not kept). */
rfn_status register_load_mem(const char *name, const void *data, size_t len,
                             const register_config *cfg, register_data **out, rfn_error *err);

void register_destroy(register_data *reg); /* NULL is a no-op */

/* Accepted rows in file order. */
size_t register_count(const register_data *reg);
const register_row *register_rows(const register_data *reg);

/* Interned text of a string id in a row ("" for 0 or an id out of range). */
const char *register_string(const register_data *reg, uint32_t id);

/* The accepted row with this DeviceID, or NULL (also NULL for a rejected duplicate). */
const register_row *register_find_device(const register_data *reg, uint64_t device_id);

/* Accepted rows with this ImportMPxN key, in file order: first row index, then next until
 * REGISTER_NONE. */
#define REGISTER_NONE UINT32_MAX
uint32_t register_mpxn_first(const register_data *reg, uint64_t mpxn_key);
uint32_t register_mpxn_next(const register_data *reg, uint32_t row_index);

const register_summary *register_get_summary(const register_data *reg);

/* Error records sorted by line (then column order). The strings in *out stay valid until
 * register_destroy. */
size_t register_error_count(const register_data *reg);
void register_error_get(const register_data *reg, size_t i, register_error *out);

/* The fields of register-errors.csv over register_error (field_table.h): file, line, column,
 * code, message, Supplier, DeviceID (last: a table without devices writes the others). */
extern const record_field register_error_fields[];
extern const size_t register_error_fields_count;

/* Write register-errors.csv content: header "file,line,column,code,message,Supplier,DeviceID"
 * (the row's Supplier and DeviceID as written, where it gave them) and one row per error,
 * through csv_util (cells neutralised). Write errors are sticky on f (ferror). */
void register_errors_write_csv(const register_data *reg, FILE *f);

/* Write register-errors.csv to path atomically (atomic_file: a temporary file renamed into place,
 * so an interrupted run leaves any previous file intact). RFN_ERR_IO with the path on failure. */
rfn_status register_errors_save(const register_data *reg, const char *path, rfn_error *err);

/* Names of the header's columns that are not DUIS columns, in file order. */
size_t register_extra_column_count(const register_data *reg);
const char *register_extra_column(const register_data *reg, size_t i);

#endif
