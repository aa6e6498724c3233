/* SPDX-License-Identifier: GPL-2.0-or-later */
/* field_table.h: a record's fields as one table (name, kind, accessor, CSV precision) and the
 * CSV and JSON writers that walk it (docs/architecture.md §Records, after rtl_433's data_t and
 * output modules): adding a column is one line of a table, and a header cannot disagree with
 * its cells. Accessors take the record as const void *; FIELD_TEXT_FN / FIELD_NUM_FN define
 * them for a record type in one line each. */
#ifndef RFN_FIELD_TABLE_H
#define RFN_FIELD_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct json_t;

typedef enum field_kind {
    FIELD_TEXT, /* text(rec), through csv_write_text (CSV injection neutralised) */
    FIELD_NUM,  /* num(rec) with precision digits after the point (-1: shortest exact); not
                   finite: an empty cell, JSON null */
    FIELD_INT,  /* num(rec) as a whole number */
} field_kind;

typedef struct record_field {
    const char *name;
    field_kind kind;
    const char *(*text)(const void *rec);
    double (*num)(const void *rec);
    int precision;
} record_field;

#define FIELD_TEXT_FN(fn, type, expr)                                                         \
    static const char *fn(const void *rec_)                                                   \
    {                                                                                         \
        const type *r = rec_;                                                                 \
        return (expr);                                                                        \
    }
#define FIELD_NUM_FN(fn, type, expr)                                                          \
    static double fn(const void *rec_)                                                        \
    {                                                                                         \
        const type *r = rec_;                                                                 \
        return (expr);                                                                        \
    }

/* The names of the n fields of t as one CSV row. */
void field_csv_header(FILE *f, const record_field *t, size_t n);

/* Record rec as one CSV row of t's n fields. */
void field_csv_row(FILE *f, const record_field *t, size_t n, const void *rec);

/* Record rec as a JSON object of t's n fields in table order (numbers not finite as null), or
 * NULL when out of memory; the caller owns the reference. */
struct json_t *field_json_object(const record_field *t, size_t n, const void *rec);

#endif
