/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_util.h: writing CSV cells for every CSV output of rfnoise (RFC 4180 quoting, spreadsheet
 * formula neutralisation). Only csv_util.c and csv_read.c include libcsv's csv.h. */
#ifndef RFN_CSV_UTIL_H
#define RFN_CSV_UTIL_H

#include <stdbool.h>
#include <stdio.h>

/* Output conventions (one meaning in every CSV file rfnoise writes):
 * - Cells are separated by ',' and rows end in "\n" (LF). RFC 4180 §2 names CRLF; every
 *   spreadsheet and CSV library accepts LF, and LF keeps golden files diffable on Unix.
 * - A cell is quoted ("...", inner '"' doubled, RFC 4180 §2.6-2.7) only when it contains ',',
 *   '"', CR, LF or NUL, begins or ends with a space or tab (so a reader that trims cannot
 *   change it), or begins with U+FEFF (which would read as a byte order mark).
 * - Text cells are neutralised against spreadsheet formula injection: a cell whose first byte is
 *   '=', '+', '-', '@', or a control character (0x00-0x1F, 0x7F: tab, CR, LF, ...) is written with
 *   a single quote "'" in front, so Excel/LibreOffice/Sheets show it as text and never evaluate
 *   it. This is the mitigation of the OWASP "CSV Injection" page
 *   (https://owasp.org/www-community/attacks/CSV_Injection) and OWASP ASVS 5.0 requirement
 *   1.2.10 (escape '=', '+', '-', '@', '\t', '\0' with a single quote when first in a field).
 * - Numbers written with csv_write_number/csv_write_int are never neutralised (a margin of
 *   "-3.20" stays a number). Non-finite numbers (NaN, +-inf) are written as an empty cell: "no
 *   value", which spreadsheets and readers treat as missing rather than as a string.
 *
 * Write errors are not returned per cell: they are sticky on the FILE (ferror), and
 * atomic_file_commit() fails the whole file when the stream saw one. Every function accepts only
 * a valid stream; none of them allocates. */

/* True when text would be prefixed with "'" by csv_write_text (first byte is = + - @ or a control
 * character). NULL and "" are not neutralised. */
bool csv_text_needs_neutralising(const char *text);

/* Write one text cell (no separator): neutralised, then quoted when needed. NULL writes an empty
 * cell. Bytes are copied as they are (UTF-8 passes through). */
void csv_write_text(FILE *f, const char *text);

/* Write one text cell from len bytes (which may contain NUL bytes; they are written as is and
 * force quoting). */
void csv_write_text_n(FILE *f, const char *text, size_t len);

/* Write one number cell: precision >= 0 gives that many digits after the decimal point
 * ("%.*f", at most 17); precision < 0 gives the shortest form that reads back to exactly the same
 * double (plain decimals for 1e-4 <= |v| < 1e15, else "%g" style with an exponent). Negative zero
 * after rounding is written without its sign ("0.00", not "-0.00"). NaN and +-inf write an empty
 * cell. */
void csv_write_number(FILE *f, double value, int precision);

/* Write one integer cell in decimal. */
void csv_write_int(FILE *f, long long value);

/* Write the separator before the next cell of the same row. */
void csv_write_sep(FILE *f);

/* End the current row. */
void csv_end_row(FILE *f);

/* Write a whole row of text cells (each through csv_write_text) and end it; handy for headers. */
void csv_write_row(FILE *f, const char *const *cells, size_t n_cells);

#endif
