/* SPDX-License-Identifier: GPL-2.0-or-later */
/* field_table.c: the CSV and JSON writers over a record's field table (field_table.h). */
#include "field_table.h"

#include <jansson.h>
#include <math.h>

#include "csv_util.h"

void field_csv_header(FILE *f, const record_field *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            csv_write_sep(f);
        csv_write_text(f, t[i].name);
    }
    csv_end_row(f);
}

void field_csv_row(FILE *f, const record_field *t, size_t n, const void *rec)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            csv_write_sep(f);
        if (t[i].kind == FIELD_TEXT || t[i].kind == FIELD_TEXT_OR_NULL)
            csv_write_text(f, t[i].text(rec));
        else if (t[i].kind == FIELD_INT)
            csv_write_int(f, (long long)t[i].num(rec));
        else if (t[i].kind == FIELD_BOOL)
            csv_write_int(f, t[i].num(rec) != 0);
        else if (t[i].kind == FIELD_NUM)
            csv_write_number(f, t[i].num(rec), t[i].precision);
    }
    csv_end_row(f);
}

/* The JSON value of field f of rec (FIELD_JSON aside: json_null), or NULL when out of memory. */
static json_t *field_json_value(const record_field *f, const void *rec)
{
    if (f->kind == FIELD_TEXT)
        return json_string(f->text(rec));
    if (f->kind == FIELD_TEXT_OR_NULL) {
        const char *s = f->text(rec);
        return s && s[0] ? json_string(s) : json_null();
    }
    double v = f->num ? f->num(rec) : NAN;
    if (f->kind == FIELD_INT)
        return json_integer((json_int_t)v);
    if (f->kind == FIELD_BOOL)
        return json_boolean(v != 0);
    return f->kind == FIELD_NUM && isfinite(v) ? json_real(v) : json_null();
}

struct json_t *field_json_object(const record_field *t, size_t n, const void *rec)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        json_t *j = field_json_value(&t[i], rec);
        if (!j || json_object_set_new(o, t[i].name, j)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

int field_json_columns(struct json_t *o, const record_field *t, size_t n, const void *rec,
                       size_t *row, size_t n_rows)
{
    for (size_t k = 0; k < n; k++) {
        json_t *a = json_array();
        if (!a || json_object_set_new(o, t[k].name, a))
            return -1;
        for (*row = 0; *row < n_rows; (*row)++)
            if (json_array_append_new(a, field_json_value(&t[k], rec)))
                return -1;
    }
    return 0;
}

struct json_t *field_json_record(const json_field *t, size_t n, const void *rec)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        json_t *j = t[i].f.kind == FIELD_JSON ? t[i].json(rec) : field_json_value(&t[i].f, rec);
        if (!j || json_object_set_new(o, t[i].f.name, j)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

void field_json_read(const json_field *t, size_t n, const struct json_t *o, void *rec)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_is_object(o) ? json_object_get(o, t[i].f.name) : NULL;
        switch (t[i].f.kind) {
        case FIELD_TEXT:
        case FIELD_TEXT_OR_NULL:
            if (t[i].set_text)
                t[i].set_text(rec, json_is_string(v) ? json_string_value(v) : "");
            break;
        case FIELD_NUM:
        case FIELD_INT:
            if (t[i].set_num)
                t[i].set_num(rec, json_is_number(v) ? json_number_value(v) : NAN);
            break;
        case FIELD_BOOL:
            if (t[i].set_num)
                t[i].set_num(rec, json_is_true(v));
            break;
        case FIELD_JSON:
            if (t[i].set_json)
                t[i].set_json(rec, v);
            break;
        }
    }
}
