/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csv_util.c: CSV cell writing with RFC 4180 quoting and formula neutralisation (see csv_util.h).
 */
/* The *_unlocked stdio calls: a million-row devices.csv is some 30 million cells, and taking the
 * stream lock per cell cost a tenth of a rejudge (bench rejudge). A CSV stream has one writer. */
#define _GNU_SOURCE
#include "csv_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool neutralise_byte(unsigned char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c < 0x20 || c == 0x7f;
}

bool csv_text_needs_neutralising(const char *text)
{
    return text && text[0] && neutralise_byte((unsigned char)text[0]);
}

/* RFC 4180 §2.6: fields containing line breaks, double quotes or commas must be quoted. Leading or
 * trailing spaces and tabs are quoted too, because many readers (libcsv by default) trim them
 * from unquoted fields. */
static bool needs_quotes(const char *s, size_t len)
{
    if (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        return true;
    /* A leading U+FEFF would read as a byte order mark in a file's first cell. */
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) return true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n' || c == '\0') return true;
    }
    return false;
}

void csv_write_text_n(FILE *f, const char *text, size_t len)
{
    if (!text || len == 0) return;
    bool prefix = neutralise_byte((unsigned char)text[0]);
    if (!needs_quotes(text, len)) {
        if (prefix) fputc_unlocked('\'', f);
        fwrite_unlocked(text, 1, len, f);
        return;
    }
    fputc_unlocked('"', f);
    if (prefix) fputc_unlocked('\'', f);
    /* RFC 4180 §2.7: a double quote inside a quoted field is escaped by another double quote. */
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"') {
            fwrite_unlocked(text + start, 1, i + 1 - start, f);
            fputc_unlocked('"', f);
            start = i + 1;
        }
    }
    fwrite_unlocked(text + start, 1, len - start, f);
    fputc_unlocked('"', f);
}

void csv_write_text(FILE *f, const char *text)
{
    if (text) csv_write_text_n(f, text, strlen(text));
}

/* Drop the sign of a number that rounds to zero: "-0.00" would read as negative in a report. */
static void fix_negative_zero(char *buf)
{
    if (buf[0] != '-') return;
    for (const char *p = buf + 1; *p; p++)
        if (*p >= '1' && *p <= '9') return;
    memmove(buf, buf + 1, strlen(buf));
}

void csv_write_number(FILE *f, double value, int precision)
{
    if (!isfinite(value)) return;
    char buf[400]; /* "%.17f" of DBL_MAX is 309 digits + 18 */
    if (precision >= 0) {
        if (precision > 17) precision = 17;
        snprintf(buf, sizeof buf, "%.*f", precision, value);
    } else {
        /* Shortest round-trip form: 17 significant digits always suffice for a double. Plain
         * decimals for magnitudes a spreadsheet shows without an exponent (423000000, 0.0125). */
        double mag = fabs(value);
        bool fixed = mag == 0.0 || (mag >= 1e-4 && mag < 1e15);
        const char *fmt = fixed ? "%.*f" : "%.*g";
        /* The fewest digits that read back as value, by bisection: if p digits read back, so
         * do p + 1 (the nearest decimal of p + 1 digits is at least as close as that of p, which
         * is one of them), so the answer is the one a linear search from the bottom finds, in
         * about 5 tries instead of up to 17 (issue 17: formatting was 15 % of psd at nfft
         * 65536). */
        int lo = fixed ? 0 : 1, hi = fixed ? 20 : 17;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            snprintf(buf, sizeof buf, fmt, mid, value);
            if (strtod(buf, NULL) == value)
                hi = mid;
            else
                lo = mid + 1;
        }
        snprintf(buf, sizeof buf, fmt, lo, value);
    }
    fix_negative_zero(buf);
    fputs_unlocked(buf, f);
}

void csv_write_int(FILE *f, long long value)
{
    fprintf(f, "%lld", value);
}

void csv_write_sep(FILE *f)
{
    fputc_unlocked(',', f);
}

void csv_end_row(FILE *f)
{
    fputc_unlocked('\n', f);
}

void csv_write_row(FILE *f, const char *const *cells, size_t n_cells)
{
    for (size_t i = 0; i < n_cells; i++) {
        if (i) csv_write_sep(f);
        csv_write_text(f, cells[i]);
    }
    csv_end_row(f);
}
