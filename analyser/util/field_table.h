/* SPDX-License-Identifier: GPL-2.0-or-later */
/* field_table.h: a record's fields as one table (name, kind, accessor, CSV precision) and the
 * CSV and JSON writers that walk it (docs/architecture.md §Records, after rtl_433's data_t and
 * output modules): adding a column is one line of a table, and a header cannot disagree with
 * its cells. Accessors take the record as const void *; FIELD_TEXT_FN / FIELD_NUM_FN define
 * them for a record type in one line each. A JSON record that is read back has a json_field
 * table instead: each field's accessor and its setter side by side, so that the writer and the
 * reader cannot disagree on a key. */
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
    FIELD_TEXT_OR_NULL, /* text(rec); JSON null when "" (CSV: an empty cell either way) */
    FIELD_BOOL,         /* num(rec) != 0: JSON true or false, CSV 1 or 0 */
    FIELD_JSON,         /* JSON only, in a json_field table: the value json(rec) builds (a
                           nested object or an array); a CSV cell left empty */
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

/* Setters for a json_field table, one line each: copy the text into the char array dst (cut to
 * its size), or store the number in dst; r names the record in dst. */
#define FIELD_SET_TEXT_FN(fn, type, dst)                                                      \
    static void fn(void *rec_, const char *text)                                              \
    {                                                                                         \
        type *r = rec_;                                                                       \
        snprintf((dst), sizeof(dst), "%s", text);                                             \
    }
#define FIELD_SET_NUM_FN(fn, type, dst)                                                       \
    static void fn(void *rec_, double v)                                                      \
    {                                                                                         \
        type *r = rec_;                                                                       \
        (dst) = v;                                                                            \
    }

/* A field of a JSON record that is written and read back. A NULL setter: written only (the
 * record keeps more than its readers need). */
typedef struct json_field {
    record_field f; /* name, kind and the writer's accessor (text or num) */
    struct json_t *(*json)(const void *rec); /* FIELD_JSON: a new reference, NULL when out of
                                                memory */
    void (*set_text)(void *rec, const char *text); /* FIELD_TEXT*: "" when absent, null or not
                                                      a string */
    void (*set_num)(void *rec, double v); /* FIELD_NUM, FIELD_INT: NAN when absent, null or
                                             not a number; FIELD_BOOL: 1 when true, else 0 */
    void (*set_json)(void *rec, const struct json_t *v); /* FIELD_JSON: v NULL when absent */
} json_field;

/* The names of the n fields of t as one CSV row. */
void field_csv_header(FILE *f, const record_field *t, size_t n);

/* Record rec as one CSV row of t's n fields. */
void field_csv_row(FILE *f, const record_field *t, size_t n, const void *rec);

/* Record rec as a JSON object of t's n fields in table order (numbers not finite as null), or
 * NULL when out of memory; the caller owns the reference. */
struct json_t *field_json_object(const record_field *t, size_t n, const void *rec);

/* A column-wise export of n_rows records: o[t[k].name] = the array of field k's values over
 * the rows, in table order. rec is a view whose accessors read row *row (an index inside rec),
 * which this sets to 0 ... n_rows - 1 in turn. -1 when out of memory (o may then hold some of
 * the columns). */
int field_json_columns(struct json_t *o, const record_field *t, size_t n, const void *rec,
                       size_t *row, size_t n_rows);

/* Record rec as a JSON object of t's n fields in table order, or NULL when out of memory (or a
 * text is not UTF-8, as jansson refuses it); the caller owns the reference. */
struct json_t *field_json_record(const json_field *t, size_t n, const void *rec);

/* Read object o (NULL or not an object: every field absent) into rec through the setters of t's
 * n fields, in table order; keys not in t are ignored. */
void field_json_read(const json_field *t, size_t n, const struct json_t *o, void *rec);

#endif
