/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_field_table.c: the writers over a record's field table (field_table.h) on a known record:
 * the CSV header and row (neutralised text, precisions, empty cells for numbers not finite), the
 * JSON object (null for them, integers, booleans), the column-wise JSON of several rows, and a
 * json_field record written and read back. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "field_table.h"

typedef struct rec {
    const char *name;
    double level, count;
} rec;

FIELD_TEXT_FN(f_name, rec, r->name)
FIELD_NUM_FN(f_level, rec, r->level)
FIELD_NUM_FN(f_count, rec, r->count)

static const record_field cols[] = {
    {"name", FIELD_TEXT, f_name, NULL, 0},
    {"level_db", FIELD_NUM, NULL, f_level, 2},
    {"count", FIELD_INT, NULL, f_count, 0},
};
enum { N_COLS = sizeof cols / sizeof cols[0] };

static char *csv_of(const rec *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return NULL;
    field_csv_header(f, cols, N_COLS);
    field_csv_row(f, cols, N_COLS, r);
    fclose(f);
    return buf;
}

static void test_csv(void)
{
    rec r = {"=SUM(A1)", -97.456, 3};
    char *csv = csv_of(&r);
    CHECK_MSG(csv && !strcmp(csv, "name,level_db,count\n'=SUM(A1),-97.46,3\n"), "%s", csv);
    free(csv);
    rec nan_rec = {"a, \"b\"", NAN, 0};
    csv = csv_of(&nan_rec);
    CHECK_MSG(csv && !strcmp(csv, "name,level_db,count\n\"a, \"\"b\"\"\",,0\n"), "%s", csv);
    free(csv);
}

static void test_json_object(void)
{
    rec r = {"x", INFINITY, 7};
    json_t *o = field_json_object(cols, N_COLS, &r);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    CHECK_MSG(text && !strcmp(text, "{\"name\":\"x\",\"level_db\":null,\"count\":7}"), "%s",
              text);
    free(text);
    json_decref(o);
}

/* Rows read through a view: the accessors look at rows[*row]. */
typedef struct view {
    const rec *rows;
    size_t row;
} view;

FIELD_NUM_FN(v_level, view, r->rows[r->row].level)
FIELD_NUM_FN(v_count, view, r->rows[r->row].count)

static void test_json_columns(void)
{
    static const record_field vc[] = {
        {"level_db", FIELD_NUM, NULL, v_level, -1},
        {"count", FIELD_INT, NULL, v_count, 0},
    };
    const rec rows[] = {{"a", 1.5, 1}, {"b", NAN, 2}, {"c", -3.25, 3}};
    view v = {rows, 99};
    json_t *o = json_object();
    CHECK(field_json_columns(o, vc, 2, &v, &v.row, 3) == 0);
    char *text = json_dumps(o, JSON_COMPACT);
    CHECK_MSG(text && !strcmp(text, "{\"level_db\":[1.5,null,-3.25],\"count\":[1,2,3]}"), "%s",
              text);
    free(text);
    json_decref(o);
}

int main(void)
{
    test_csv();
    test_json_object();
    test_json_columns();
    return check_finish();
}
