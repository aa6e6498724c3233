/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_read.h: streaming CSV reader (RFC 4180, on libcsv) that reports where every record starts,
 * for inputs of millions of rows read in constant memory. Only csv_read.c and csv_util.c include
 * libcsv's csv.h. */
#ifndef RFN_CSV_READ_H
#define RFN_CSV_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identifiers.h"
#include "rfn_error.h"

/* What the reader accepts:
 * - RFC 4180 fields: quoted fields may hold the separator, '""' (one quote) and line breaks; a
 *   quote inside an unquoted field, or text after a closing quote ("a"b), is malformed quoting:
 *   that record comes back with bad_quotes set and the reader resumes at the next physical line.
 * - An unclosed quote: a record may span at most max_field_lines physical lines (default 8). A
 *   quoted field still open when the record would grow past that, or at the end of the input,
 *   comes back as one record at the line where it started, with bad_quotes and unclosed set, and
 *   reading resumes at the physical line after that start: one stray '"' costs one record, not
 *   the rest of the file. (Lines after the start are read again, so memory stays bounded by the
 *   record limits below.)
 * - Rows end in LF or CRLF (a lone CR also ends a row); blank lines are skipped, not records.
 * - The separator is ',' by default; delim 0 detects it from the first line: the most frequent
 *   of ',', ';' and tab outside quotes (',' on a tie or when none occurs). csv_reader_delim says
 *   which was used.
 * - Encoding: UTF-8 (bytes are passed through as they are: callers validate the fields they
 *   use), or Windows-1252 / ISO-8859-1 converted to UTF-8 with iconv (encoding). A UTF-8 byte
 *   order mark at the start is dropped, and then the input is UTF-8 whatever encoding says. A
 *   UTF-16 byte order mark (FF FE or FE FF), or a NUL in the first two bytes, is a fatal
 *   RFN_ERR_FORMAT "file: UTF-16 text - save it as UTF-8"; a byte that is not a Windows-1252
 *   character (0x81 0x8D 0x8F 0x90 0x9D) is a fatal error naming its offset.
 * - With trim_spaces, spaces and tabs around unquoted fields are dropped (quoted fields keep
 *   theirs), which is libcsv's default and what hand-edited registers need.
 * - Memory: the read blocks (64 KiB, three times that when converting) plus the current record
 *   and, while a record spans lines, its later lines; a record bigger than the limits in
 *   csv_read_config is a fatal RFN_ERR_FORMAT error. */
typedef enum csv_encoding { CSV_ENC_UTF8 = 0, CSV_ENC_CP1252, CSV_ENC_LATIN1 } csv_encoding;

typedef struct csv_read_config {
    unsigned char delim;     /* field separator, default ','; 0 = detect (',' ';' or tab) */
    bool trim_spaces;        /* default true */
    csv_encoding encoding;   /* default CSV_ENC_UTF8 */
    size_t max_field_lines;  /* physical lines one record may span, default 8 */
    size_t max_field_bytes;  /* longest field accepted, default 1 MiB */
    size_t max_record_bytes; /* all fields of one record together, default 16 MiB */
    size_t max_fields;       /* most fields in one record, default 4096 */
} csv_read_config;

csv_read_config csv_read_config_default(void);

/* How the user says their CSV inputs (register, manifest, derogations, lab results) are written:
 * --encoding and --date-format. Zero-initialised: UTF-8, ISO dates. */
typedef struct csv_input {
    csv_encoding encoding;
    date_order dates;
} csv_input;

/* The reader configuration for a user's input: the defaults with the separator detected (delim
 * 0) and in->encoding (in NULL: UTF-8). */
csv_read_config csv_read_config_input(const csv_input *in);

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
    bool unclosed;             /* (with bad_quotes) a quote left open past max_field_lines or
                                * to the end of the input */
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

/* The separator in use (the detected one with delim 0; ',' before any input was read). */
unsigned char csv_reader_delim(const csv_reader *r);

/* How the physical lines read so far were spent: lines = records + continuation_lines +
 * blank_lines, where records counts every record handed out (the header too), and a record cut
 * at an unclosed quote counts as one line (the lines after it are read again). A file that ends
 * its rows with a lone CR (no LF) is one physical line; blank_lines is then 0. */
typedef struct csv_read_stats {
    uint64_t lines;
    uint64_t records;
    uint64_t continuation_lines; /* lines of multi-line records after their first */
    uint64_t blank_lines;
    uint64_t unclosed; /* records cut at an unclosed quote */
} csv_read_stats;
void csv_reader_stats(const csv_reader *r, csv_read_stats *out);

/* Parse an --encoding value: "utf8"/"utf-8", "cp1252"/"windows-1252", "latin1"/"iso-8859-1"
 * (case-insensitive). false when none. */
bool csv_encoding_parse(const char *s, csv_encoding *out);
const char *csv_encoding_name(csv_encoding e); /* "utf8", "cp1252", "latin1" */

/* When text (len bytes) is not valid UTF-8 and its first bad byte is a printable Windows-1252
 * character, write "byte 0xA3 is '£' in Windows-1252: give --encoding cp1252" into out and
 * return true; else return false (out = ""). For messages about rejected text. */
bool csv_cp1252_hint(const char *text, size_t len, char *out, size_t size);

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
