/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_read.h: streaming CSV reader (RFC 4180, on libcsv) that reports where every record starts,
 * for inputs of millions of rows read in constant memory. Only csv_read.c and csv_util.c include
 * libcsv's csv.h. */
#ifndef RFN_CSV_READ_H
#define RFN_CSV_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

/* What the reader accepts:
 * - RFC 4180 fields: quoted fields may hold ',', '""' (one quote) and line breaks; a quote inside
 *   an unquoted field, or text after a closing quote ("a"b), is malformed quoting: that record
 *   comes back with bad_quotes set and the reader resumes at the next physical line.
 * - Rows end in LF or CRLF (a lone CR also ends a row); blank lines are skipped, not records.
 * - A UTF-8 byte order mark at the start of the input is dropped. Bytes are otherwise passed
 *   through as they are (no encoding check here; callers validate the fields they use).
 * - With trim_spaces, spaces and tabs around unquoted fields are dropped (quoted fields keep
 *   theirs), which is libcsv's default and what hand-edited registers need.
 * - Memory: one read block (64 KiB) plus the current record; a record bigger than the limits in
 *   csv_read_config is a fatal RFN_ERR_FORMAT error (an unclosed quote would otherwise swallow the
 *   rest of the file). */
typedef struct csv_read_config {
    unsigned char delim;     /* field separator, default ',' */
    bool trim_spaces;        /* default true */
    size_t max_field_bytes;  /* longest field accepted, default 1 MiB */
    size_t max_record_bytes; /* all fields of one record together, default 16 MiB */
    size_t max_fields;       /* most fields in one record, default 4096 */
} csv_read_config;

csv_read_config csv_read_config_default(void);

/* One record. Every pointer is owned by the reader and valid until the next csv_reader_next() or
 * csv_reader_destroy() call. */
typedef struct csv_record {
    uint64_t line;             /* physical line (1-based) where the record starts; a record with
                                * embedded line breaks spans several lines and reports its first */
    uint64_t index;            /* 0-based record number; the header, if any, is record 0 */
    size_t n_fields;           /* fields in this record */
    size_t n_expected;         /* fields in record 0 (the header); equal to n_fields for record 0 */
    bool ragged;               /* n_fields != n_expected: the caller decides what that means */
    bool bad_quotes;           /* malformed quoting: fields hold what was read before the error */
    const char *const *fields; /* n_fields NUL-terminated strings (a field may contain NUL bytes:
                                * use lens) */
    const size_t *lens;        /* byte length of each field */
} csv_record;

typedef struct csv_reader csv_reader;

/* Open path for reading. name for messages is path itself. */
rfn_status csv_reader_open(const char *path, const csv_read_config *cfg, csv_reader **out,
                           rfn_error *err);

/* Read from len bytes at data (not copied: data must outlive the reader; NULL reads as empty);
 * name is used in messages. For tests and fuzzing. */
rfn_status csv_reader_open_mem(const char *name, const void *data, size_t len,
                               const csv_read_config *cfg, csv_reader **out, rfn_error *err);

/* Next record into *rec. Returns RFN_OK, RFN_ERR_EOF after the last record (rec untouched), or
 * a fatal error: RFN_ERR_IO (read failed), RFN_ERR_NOMEM, RFN_ERR_FORMAT (a limit exceeded,
 * "file:line: field longer than 1048576 bytes (unclosed quote?)"). After a fatal error every
 * further call returns the same error (sticky). */
rfn_status csv_reader_next(csv_reader *r, csv_record *rec, rfn_error *err);

/* The name used in messages, and input bytes consumed so far (for progress). */
const char *csv_reader_name(const csv_reader *r);
uint64_t csv_reader_offset(const csv_reader *r);

/* Close the file and free everything. NULL is a no-op. */
void csv_reader_destroy(csv_reader *r);

/* ASCII case-insensitive comparison of a header field with a name, ignoring spaces and tabs
 * around the field ("  deviceid " matches "DeviceID"). */
bool csv_header_matches(const char *field, size_t len, const char *name);

/* Map wanted column names to their index in a header record: index_out[i] is the column of
 * names[i], or -1 when the header lacks it. A wanted name present twice is an RFN_ERR_FORMAT
 * error naming both columns ("reg.csv:1: column DeviceID appears twice (columns 2 and 7)");
 * duplicates among other (unwanted) columns are allowed. file is for messages. */
rfn_status csv_header_map(const csv_record *header, const char *file, const char *const *names,
                          size_t n_names, int *index_out, rfn_error *err);

/* libcsv's version ("3.0.3"), for `rfnoise version`: the headers' macros, as libcsv has no
 * run-time query; its soname (libcsv.so.3) pins the major version. */
const char *csv_library_version(void);

#endif
