/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calibration.c: calibration files (jansson) and their interpolation (GSL, linear over log f). */
#include "calibration.h"

#include <errno.h>
#include <gsl/gsl_interp.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_guard.h"
#include "limits.h"

/* A value over frequency: a constant (n == 0) or a table. */
typedef struct cal_curve {
    int present;
    double constant;
    size_t n;
    double *log_f; /* log10(freq_hz), strictly increasing */
    double *db;
    gsl_interp *interp;
    double f_lo_hz, f_hi_hz;
} cal_curve;

typedef struct cal_rx {
    double rx_gain_db;
    cal_curve gain;
} cal_rx;

struct calibration {
    char name[256];
    char id[128];
    char description[256];
    cal_curve gain;        /* when not per rx gain */
    cal_rx *rx;            /* per rx gain */
    size_t n_rx;
    long selected;         /* index into rx, -1 = none */
    cal_curve cable;
    cal_curve af;
    cal_curve unc;         /* uncertainty_db: expanded uncertainty (k = 2) */
    int has_floor;
    double floor_dbm_hz;
};

#define FAIL(...)                                                                                 \
    do {                                                                                          \
        rfn_error_set(err, RFN_ERR_FORMAT, __VA_ARGS__);                                          \
        goto fail;                                                                                \
    } while (0)

static void curve_free(cal_curve *c)
{
    if (c->interp)
        gsl_interp_free(c->interp);
    free(c->log_f);
    free(c->db);
    memset(c, 0, sizeof *c);
}

/* A number, or (when table_ok) an array of >= 2 [freq_hz, dB] points with strictly increasing
 * frequency > 0. */
static rfn_status curve_parse(json_t *v, int table_ok, const char *name, const char *field,
                              cal_curve *c, rfn_error *err)
{
    memset(c, 0, sizeof *c);
    c->present = 1;
    if (json_is_number(v)) {
        c->constant = json_number_value(v);
        if (!(fabs(c->constant) <= CALIBRATION_DB_MAX))
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s: %g: must be within +-%g dB", name,
                                 field, c->constant, CALIBRATION_DB_MAX);
        c->f_lo_hz = 0;
        c->f_hi_hz = INFINITY;
        return RFN_OK;
    }
    if (!table_ok || !json_is_array(v) || json_array_size(v) < 2)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s: must be %s", name, field,
                             table_ok ? "a number or an array of at least two [freq_hz, dB] points"
                                      : "an array of at least two [freq_hz, dB] points");
    c->n = json_array_size(v);
    c->log_f = malloc(c->n * sizeof *c->log_f);
    c->db = malloc(c->n * sizeof *c->db);
    if (!c->log_f || !c->db) {
        curve_free(c);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    double prev_f = 0;
    for (size_t i = 0; i < c->n; i++) {
        json_t *p = json_array_get(v, i);
        if (!json_is_array(p) || json_array_size(p) != 2 ||
            !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1))) {
            curve_free(c);
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s[%zu]: must be [freq_hz, dB]", name,
                                 field, i);
        }
        double f = json_number_value(json_array_get(p, 0));
        double d = json_number_value(json_array_get(p, 1));
        if (!(f > 0) || !isfinite(f) || !isfinite(d) || (i > 0 && !(f > prev_f))) {
            curve_free(c);
            return rfn_error_set(err, RFN_ERR_FORMAT,
                                 "%s: %s[%zu]: frequencies must be finite, > 0 and increasing",
                                 name, field, i);
        }
        if (!(fabs(d) <= CALIBRATION_DB_MAX)) {
            curve_free(c);
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s[%zu]: %g dB: must be within +-%g dB",
                                 name, field, i, d, CALIBRATION_DB_MAX);
        }
        prev_f = f;
        c->log_f[i] = log10(f);
        c->db[i] = d;
        if (i == 0)
            c->f_lo_hz = f;
        c->f_hi_hz = f;
    }
    c->interp = gsl_interp_alloc(gsl_interp_linear, c->n);
    if (!c->interp || gsl_interp_init(c->interp, c->log_f, c->db, c->n) != 0) {
        curve_free(c);
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "%s: %s: GSL could not set up the table",
                             name, field);
    }
    return RFN_OK;
}

static rfn_status curve_eval(const cal_curve *c, double freq_hz, const char *name,
                             const char *field, double *out, rfn_error *err)
{
    if (!c->n) {
        *out = c->constant;
        return RFN_OK;
    }
    /* GSL's own range check would call its error handler (abort by default): check first. */
    if (!(freq_hz >= c->f_lo_hz && freq_hz <= c->f_hi_hz))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: %s: %.9g Hz is outside the table (%.9g ... %.9g Hz)", name,
                             field, freq_hz, c->f_lo_hz, c->f_hi_hz);
    double x = log10(freq_hz);
    /* Clamp rounding at the ends (log10 of an end point reproduces it, but be safe). */
    if (x < c->log_f[0])
        x = c->log_f[0];
    if (x > c->log_f[c->n - 1])
        x = c->log_f[c->n - 1];
    *out = gsl_interp_eval(c->interp, c->log_f, c->db, x, NULL);
    return RFN_OK;
}

void calibration_free(calibration *cal)
{
    if (!cal)
        return;
    curve_free(&cal->gain);
    for (size_t i = 0; i < cal->n_rx; i++)
        curve_free(&cal->rx[i].gain);
    free(cal->rx);
    curve_free(&cal->cable);
    curve_free(&cal->af);
    curve_free(&cal->unc);
    free(cal);
}

static int copy_string(json_t *root, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(root, key);
    if (!v) {
        dst[0] = '\0';
        return 0;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) >= cap)
        return -1;
    snprintf(dst, cap, "%s", json_string_value(v));
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20)
            return -1;
    return 0;
}

/* One gain entry: gain_db (number) or gain (table). */
static rfn_status parse_gain(json_t *obj, const char *name, const char *prefix, cal_curve *c,
                             rfn_error *err)
{
    json_t *g1 = json_object_get(obj, "gain_db"), *g2 = json_object_get(obj, "gain");
    char field[96];
    if (g1 && g2)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %sgain: give gain_db or gain, not both",
                             name, prefix);
    if (g1) {
        if (!json_is_number(g1))
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %sgain_db: must be a number", name,
                                 prefix);
        snprintf(field, sizeof field, "%sgain_db", prefix);
        return curve_parse(g1, 0, name, field, c, err);
    }
    if (g2) {
        if (!json_is_array(g2))
            return rfn_error_set(err, RFN_ERR_FORMAT,
                                 "%s: %sgain: must be an array of [freq_hz, dB] points", name,
                                 prefix);
        snprintf(field, sizeof field, "%sgain", prefix);
        return curve_parse(g2, 1, name, field, c, err);
    }
    return rfn_error_set(err, RFN_ERR_FORMAT, "%s: %sgain_db: missing (give gain_db or gain)",
                         name, prefix);
}

/* uncertainty_db: a number or a table of expanded uncertainties (k = 2), each 0 ... 30 dB. */
static rfn_status parse_uncertainty(json_t *v, const char *name, cal_curve *c, rfn_error *err)
{
    if (!v)
        return RFN_OK;
    rfn_status st = curve_parse(v, 1, name, "uncertainty_db", c, err);
    for (size_t i = 0; !st && i < (c->n ? c->n : 1); i++) {
        double u = c->n ? c->db[i] : c->constant;
        char field[48] = "uncertainty_db";
        if (c->n)
            snprintf(field, sizeof field, "uncertainty_db[%zu]", i);
        if (!(u >= 0 && u <= LIMITS_UNCERTAINTY_MAX_DB))
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s: %g dB: must be 0 ... %g dB", name,
                               field, u, LIMITS_UNCERTAINTY_MAX_DB);
    }
    return st;
}

rfn_status calibration_parse(const char *text, size_t len, const char *name, calibration **out,
                             rfn_error *err)
{
    static const char *const known[] = {
        "format", "id", "description", "date", "reference_plane", "gain_db", "gain",
        "gain_by_rx_gain", "cable_loss_db", "antenna_factor_db_per_m", "noise_floor_dbm_hz",
        "uncertainty_db", NULL,
    };
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%d:%d: %s", name, jerr.line, jerr.column,
                             jerr.text);
    calibration *cal = calloc(1, sizeof *cal);
    if (!cal) {
        json_decref(root);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    cal->selected = -1;
    snprintf(cal->name, sizeof cal->name, "%s", name);
    char fmt[40];

    if (!json_is_object(root))
        FAIL("%s: $: the top level must be an object", name);
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        int ok = key[0] == '_';
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(key, known[i]) == 0;
        if (!ok)
            FAIL("%s: %s: unknown field", name, key);
    }
    if (copy_string(root, "format", fmt, sizeof fmt) || strcmp(fmt, CALIBRATION_FORMAT) != 0)
        FAIL("%s: format: want \"%s\"", name, CALIBRATION_FORMAT);
    if (copy_string(root, "id", cal->id, sizeof cal->id) || !cal->id[0])
        FAIL("%s: id: missing or not a short one-line string", name);
    if (copy_string(root, "description", cal->description, sizeof cal->description))
        FAIL("%s: description: must be a one-line string", name);

    json_t *byrx = json_object_get(root, "gain_by_rx_gain");
    if (byrx) {
        if (json_object_get(root, "gain_db") || json_object_get(root, "gain"))
            FAIL("%s: gain_by_rx_gain: give gain_by_rx_gain or gain_db/gain, not both", name);
        if (!json_is_array(byrx) || json_array_size(byrx) == 0)
            FAIL("%s: gain_by_rx_gain: must be a non-empty array", name);
        cal->rx = calloc(json_array_size(byrx), sizeof *cal->rx);
        if (!cal->rx) {
            rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
            goto fail;
        }
        for (size_t i = 0; i < json_array_size(byrx); i++) {
            json_t *e = json_array_get(byrx, i);
            json_t *g = json_object_get(e, "rx_gain_db");
            if (!json_is_object(e) || !json_is_number(g) || !isfinite(json_number_value(g)))
                FAIL("%s: gain_by_rx_gain[%zu].rx_gain_db: missing or not a number", name, i);
            char prefix[48];
            snprintf(prefix, sizeof prefix, "gain_by_rx_gain[%zu].", i);
            if (parse_gain(e, name, prefix, &cal->rx[i].gain, err))
                goto fail;
            cal->rx[i].rx_gain_db = json_number_value(g);
            cal->n_rx = i + 1;
        }
    } else if (parse_gain(root, name, "", &cal->gain, err)) {
        goto fail;
    }

    json_t *cl = json_object_get(root, "cable_loss_db");
    if (cl) {
        if (curve_parse(cl, 1, name, "cable_loss_db", &cal->cable, err))
            goto fail;
        for (size_t i = 0; i < cal->cable.n; i++)
            if (cal->cable.db[i] < 0)
                FAIL("%s: cable_loss_db[%zu]: a loss must be >= 0 dB", name, i);
        if (!cal->cable.n && cal->cable.constant < 0)
            FAIL("%s: cable_loss_db: a loss must be >= 0 dB", name);
    }
    json_t *af = json_object_get(root, "antenna_factor_db_per_m");
    if (af && curve_parse(af, 1, name, "antenna_factor_db_per_m", &cal->af, err))
        goto fail;
    if (parse_uncertainty(json_object_get(root, "uncertainty_db"), name, &cal->unc, err))
        goto fail;
    json_t *nf = json_object_get(root, "noise_floor_dbm_hz");
    if (nf) {
        if (!json_is_number(nf) || !isfinite(json_number_value(nf)))
            FAIL("%s: noise_floor_dbm_hz: must be a number", name);
        cal->has_floor = 1;
        cal->floor_dbm_hz = json_number_value(nf);
    }
    json_decref(root);
    *out = cal;
    return RFN_OK;
fail:
    json_decref(root);
    calibration_free(cal);
    return err ? err->status : RFN_ERR_FORMAT;
}

rfn_status calibration_load(const char *path, calibration **out, rfn_error *err)
{
    *out = NULL;
    FILE *fp;
    rfn_status ost = io_fopen_input(path, &fp, NULL, err);
    if (ost)
        return ost;
    static const size_t max = (size_t)4 << 20;
    char *buf = malloc(max);
    if (!buf) {
        fclose(fp);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t len = fread(buf, 1, max, fp);
    int bad = ferror(fp), big = len == max;
    fclose(fp);
    rfn_status st;
    if (bad)
        st = rfn_error_set(err, RFN_ERR_IO, "%s: read error", path);
    else if (big)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: larger than 4 MiB", path);
    else
        st = calibration_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

rfn_status calibration_from_db(double gain_db, calibration **out, rfn_error *err)
{
    *out = NULL;
    if (!(fabs(gain_db) <= CALIBRATION_DB_MAX))
        return rfn_error_set(err, RFN_ERR_INVALID, "calibration gain %g dB: must be within +-%g dB",
                             gain_db, CALIBRATION_DB_MAX);
    calibration *cal = calloc(1, sizeof *cal);
    if (!cal)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    cal->selected = -1;
    snprintf(cal->name, sizeof cal->name, "--cal-db");
    snprintf(cal->id, sizeof cal->id, "cal-db:%g", gain_db);
    snprintf(cal->description, sizeof cal->description, "%g dB from the command line", gain_db);
    cal->gain.present = 1;
    cal->gain.constant = gain_db;
    cal->gain.f_hi_hz = INFINITY;
    *out = cal;
    return RFN_OK;
}

const char *calibration_id(const calibration *cal)
{
    return cal->id;
}

const char *calibration_description(const calibration *cal)
{
    return cal->description;
}

rfn_status calibration_select_rx_gain(calibration *cal, double rx_gain_db, rfn_error *err)
{
    if (!cal->n_rx)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: has one gain for every receiver gain; --rx-gain is not used",
                             cal->name);
    char list[200] = "";
    for (size_t i = 0; i < cal->n_rx; i++) {
        if (fabs(cal->rx[i].rx_gain_db - rx_gain_db) <= 0.05) {
            cal->selected = (long)i;
            return RFN_OK;
        }
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%g", i ? ", " : "", cal->rx[i].rx_gain_db);
    }
    return rfn_error_set(err, RFN_ERR_NOTFOUND,
                         "%s: no table for receiver gain %g dB (tables for: %s dB)", cal->name,
                         rx_gain_db, list);
}

int calibration_needs_rx_gain(const calibration *cal)
{
    return cal->n_rx > 0 && cal->selected < 0;
}

rfn_status calibration_open(const char *path, double gain_db, double rx_gain_db,
                            calibration **out, rfn_error *err)
{
    *out = NULL;
    if (!path && isnan(gain_db))
        return RFN_OK;
    calibration *cal = NULL;
    rfn_status st =
        path ? calibration_load(path, &cal, err) : calibration_from_db(gain_db, &cal, err);
    if (!st && isfinite(rx_gain_db))
        st = calibration_select_rx_gain(cal, rx_gain_db, err);
    if (st) {
        calibration_free(cal);
        return st;
    }
    *out = cal;
    return RFN_OK;
}

static const cal_curve *gain_curve(const calibration *cal, rfn_error *err)
{
    if (!cal->n_rx)
        return &cal->gain;
    if (cal->selected < 0) {
        rfn_error_set(err, RFN_ERR_INVALID,
                      "%s: has tables per receiver gain: say which with --rx-gain", cal->name);
        return NULL;
    }
    return &cal->rx[cal->selected].gain;
}

rfn_status calibration_gain_db(const calibration *cal, double freq_hz, double *db, rfn_error *err)
{
    const cal_curve *g = gain_curve(cal, err);
    if (!g)
        return RFN_ERR_INVALID;
    double gain, loss = 0;
    rfn_status st = curve_eval(g, freq_hz, cal->name, "gain", &gain, err);
    if (!st && cal->cable.present)
        st = curve_eval(&cal->cable, freq_hz, cal->name, "cable_loss_db", &loss, err);
    if (st)
        return st;
    *db = gain + loss;
    return RFN_OK;
}

rfn_status calibration_antenna_factor_db(const calibration *cal, double freq_hz, double *af_db_m,
                                         rfn_error *err)
{
    if (!cal->af.present)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no antenna factor table", cal->name);
    return curve_eval(&cal->af, freq_hz, cal->name, "antenna_factor_db_per_m", af_db_m, err);
}

int calibration_has_antenna_factor(const calibration *cal)
{
    return cal->af.present;
}

int calibration_noise_floor_dbm_hz(const calibration *cal, double *dbm_hz)
{
    if (cal->has_floor)
        *dbm_hz = cal->floor_dbm_hz;
    return cal->has_floor;
}

rfn_status calibration_uncertainty_db(const calibration *cal, double f_lo_hz, double f_hi_hz,
                                     double *u_db, rfn_error *err)
{
    const cal_curve *c = &cal->unc;
    if (!c->present)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no uncertainty_db", cal->name);
    /* Linear in log-frequency between points: the largest value over the band is at an edge or
     * at a table point inside it. */
    double lo, hi;
    rfn_status st = curve_eval(c, f_lo_hz, cal->name, "uncertainty_db", &lo, err);
    if (!st)
        st = curve_eval(c, f_hi_hz, cal->name, "uncertainty_db", &hi, err);
    if (st)
        return st;
    double u = fmax(lo, hi);
    for (size_t i = 0; i < c->n; i++) {
        double f = pow(10, c->log_f[i]);
        if (f > f_lo_hz && f < f_hi_hz)
            u = fmax(u, c->db[i]);
    }
    *u_db = u;
    return RFN_OK;
}

int calibration_covers(const calibration *cal, double f_lo_hz, double f_hi_hz)
{
    const cal_curve *g = gain_curve(cal, NULL);
    if (!g)
        return 0;
    if (g->n && !(f_lo_hz >= g->f_lo_hz && f_hi_hz <= g->f_hi_hz))
        return 0;
    if (cal->cable.n && !(f_lo_hz >= cal->cable.f_lo_hz && f_hi_hz <= cal->cable.f_hi_hz))
        return 0;
    return 1;
}

const char *calibration_library_version(void)
{
    return gsl_version;
}
