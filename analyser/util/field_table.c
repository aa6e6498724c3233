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
        if (t[i].kind == FIELD_TEXT)
            csv_write_text(f, t[i].text(rec));
        else if (t[i].kind == FIELD_INT)
            csv_write_int(f, (long long)t[i].num(rec));
        else
            csv_write_number(f, t[i].num(rec), t[i].precision);
    }
    csv_end_row(f);
}

struct json_t *field_json_object(const record_field *t, size_t n, const void *rec)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        double v = t[i].num ? t[i].num(rec) : NAN;
        json_t *j = t[i].kind == FIELD_TEXT ? json_string(t[i].text(rec))
                    : t[i].kind == FIELD_INT ? json_integer((json_int_t)v)
                    : isfinite(v)            ? json_real(v)
                                             : json_null();
        if (!j || json_object_set_new(o, t[i].name, j)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}
