/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flips.c: the verdicts a rejudge changed (flips.h). */
#include "flips.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "classify.h"
#include "csv_read.h"
#include "csv_util.h"
#include "field_table.h"
#include "identifiers.h"

typedef struct old_verdict {
    uint64_t device_id;
    char verdict[24];
    double margin_db; /* NAN when the old file gave none */
} old_verdict;

enum { F_DEVICE, F_VERDICT, F_MARGIN, F_COUNT };
static const char *const flip_cols[F_COUNT] = {"DeviceID", "verdict", "margin_db"};

static int cmp_old(const void *a, const void *b)
{
    const old_verdict *x = a, *y = b;
    return x->device_id < y->device_id ? -1 : x->device_id > y->device_id;
}

/* Open dir/devices.csv and map its header onto flip_cols. */
static rfn_status open_devices(const char *dir, char *path, size_t size, csv_reader **r,
                               int idx[F_COUNT], rfn_error *err)
{
    snprintf(path, size, "%s/devices.csv", dir);
    csv_read_config cfg = csv_read_config_default();
    csv_record rec;
    rfn_status st = csv_reader_open(path, &cfg, r, err);
    if (!st && (st = csv_reader_next(*r, &rec, err)) == RFN_ERR_EOF)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: empty", path);
    if (!st && !(st = csv_header_map(&rec, path, flip_cols, F_COUNT, idx, err)))
        for (int i = 0; i < F_COUNT; i++)
            if (idx[i] < 0)
                return rfn_error_set(err, RFN_ERR_FORMAT, "%s:1: no %s column", path,
                                     flip_cols[i]);
    return st;
}

/* Next data row of r with its device id parsed; RFN_ERR_EOF at the end. */
static rfn_status next_row(csv_reader *r, const char *path, const int idx[F_COUNT],
                           csv_record *rec, uint64_t *id, rfn_error *err)
{
    rfn_status st = csv_reader_next(r, rec, err);
    if (st)
        return st;
    const char *d = rec->ragged ? NULL : rec->fields[idx[F_DEVICE]];
    if (!d || eui64_parse(d, strlen(d), id) != ID_OK)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%llu: not a devices.csv row", path,
                             (unsigned long long)rec->line);
    return RFN_OK;
}

/* A margin cell as a number; NAN when empty or not a number. */
static double margin_of(const csv_record *rec, const int idx[F_COUNT])
{
    const char *t = rec->fields[idx[F_MARGIN]];
    char *end;
    double v = strtod(t, &end);
    return *t && !*end ? v : NAN;
}

struct flips_old {
    old_verdict *v;
    size_t n;
};

void flips_old_free(flips_old *old)
{
    if (old)
        free(old->v);
    free(old);
}

rfn_status flips_old_load(const char *dir, flips_old **out, rfn_error *err)
{
    char path[4400];
    int idx[F_COUNT];
    csv_reader *r = NULL;
    csv_record rec;
    size_t n = 0, cap = 0;
    old_verdict *v = NULL;
    uint64_t id;
    rfn_status st = open_devices(dir, path, sizeof path, &r, idx, err);
    while (!st && !(st = next_row(r, path, idx, &rec, &id, err))) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            old_verdict *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                break;
            }
            v = nv;
        }
        v[n].device_id = id;
        snprintf(v[n].verdict, sizeof v[n].verdict, "%s", rec.fields[idx[F_VERDICT]]);
        v[n].margin_db = margin_of(&rec, idx);
        n++;
    }
    csv_reader_destroy(r);
    if (st != RFN_ERR_EOF) {
        free(v);
        return st;
    }
    qsort(v, n, sizeof *v, cmp_old);
    if (!(*out = malloc(sizeof **out))) {
        free(v);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    (*out)->v = v;
    (*out)->n = n;
    return RFN_OK;
}

/* One row of flips.csv: a device's verdict now and before (o NULL: it had none). */
typedef struct flip_row {
    const flips_new *v;
    const old_verdict *o;
    char device[EUI64_TEXT_LEN], reasons[512];
} flip_row;

FIELD_TEXT_FN(fc_device, flip_row, r->device)
FIELD_TEXT_FN(fc_supplier, flip_row, r->v->supplier)
FIELD_TEXT_FN(fc_old, flip_row, r->o ? r->o->verdict : "")
FIELD_TEXT_FN(fc_new, flip_row, classify_verdict_name(r->v->verdict))
FIELD_NUM_FN(fc_old_margin, flip_row, r->o ? r->o->margin_db : NAN)
FIELD_NUM_FN(fc_new_margin, flip_row, r->v->margin_db)
FIELD_TEXT_FN(fc_reasons, flip_row, r->reasons)

static const record_field flips_csv_cols[] = {
    {"DeviceID", FIELD_TEXT, fc_device, NULL, 0},
    {"Supplier", FIELD_TEXT, fc_supplier, NULL, 0},
    {"old_verdict", FIELD_TEXT, fc_old, NULL, 0},
    {"new_verdict", FIELD_TEXT, fc_new, NULL, 0},
    {"old_margin_db", FIELD_NUM, NULL, fc_old_margin, 2},
    {"new_margin_db", FIELD_NUM, NULL, fc_new_margin, 2},
    {"reasons", FIELD_TEXT, fc_reasons, NULL, 0},
};

static void write_flip(FILE *f, const flips_new *v, const old_verdict *o)
{
    flip_row r = {.v = v, .o = o};
    eui64_format(v->device_id, r.device);
    classify_reasons_text(v->reasons, r.reasons, sizeof r.reasons);
    field_csv_row(f, flips_csv_cols, sizeof flips_csv_cols / sizeof *flips_csv_cols, &r);
}

rfn_status flips_write(const flips_old *old, const flips_new *now, size_t n_now,
                       const char *new_dir, rfn_error *err)
{
    char out_path[4400];
    atomic_file *af = NULL;
    snprintf(out_path, sizeof out_path, "%s/flips.csv", new_dir);
    rfn_status st = atomic_file_open(out_path, &af, err);
    if (st)
        return st;
    FILE *f = atomic_file_stream(af);
    field_csv_header(f, flips_csv_cols, sizeof flips_csv_cols / sizeof *flips_csv_cols);
    for (size_t i = 0; i < n_now; i++) {
        old_verdict key = {.device_id = now[i].device_id};
        const old_verdict *o = bsearch(&key, old->v, old->n, sizeof *old->v, cmp_old);
        if (!o || strcmp(o->verdict, classify_verdict_name(now[i].verdict)))
            write_flip(f, &now[i], o);
    }
    return atomic_file_commit(af, err);
}
