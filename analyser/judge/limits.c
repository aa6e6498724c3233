/* SPDX-License-Identifier: GPL-2.0-or-later */
/* limits.c: load and validate limit-set files (jansson), choose the set in force, evaluate
 * masks. */
#include "limits.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "io_guard.h"

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const quantity_names[LIMITS_Q_COUNT] = {
    "channel_power", "peak_density", "mean_density", "quasi_peak",
    "cispr_average", "peak",         "rms_average",
};
static const char *const trace_names[LIMITS_TRACE_COUNT] = {"mean", "max", "median"};
static const char *const unit_names[LIMITS_U_COUNT] = {
    "dBm", "dBm/Hz", "dBm/ref_bw", "dBuV/m", "dBFS", "dBFS/Hz", "dBFS/ref_bw",
};

const char *limits_quantity_name(limits_quantity q)
{
    return (unsigned)q < LIMITS_Q_COUNT ? quantity_names[q] : "?";
}

const char *limits_trace_name(limits_trace t)
{
    return (unsigned)t < LIMITS_TRACE_COUNT ? trace_names[t] : "?";
}

const char *limits_unit_name(limits_unit u)
{
    return (unsigned)u < LIMITS_U_COUNT ? unit_names[u] : "?";
}

rfn_status limits_unit_from_name(const char *name, limits_unit *u)
{
    for (int i = 0; i < LIMITS_U_COUNT; i++)
        if (strcmp(name, unit_names[i]) == 0) {
            *u = (limits_unit)i;
            return RFN_OK;
        }
    if (strcmp(name, "dB\xC2\xB5V/m") == 0 || strcmp(name, "dB(uV/m)") == 0) {
        *u = LIMITS_U_DBUV_M;
        return RFN_OK;
    }
    return RFN_ERR_INVALID;
}

int limits_unit_is_dbfs(limits_unit u)
{
    return u == LIMITS_U_DBFS || u == LIMITS_U_DBFS_HZ || u == LIMITS_U_DBFS_REFBW;
}

int limits_quantity_is_detector(limits_quantity q)
{
    return q == LIMITS_Q_QUASI_PEAK || q == LIMITS_Q_CISPR_AVERAGE || q == LIMITS_Q_PEAK ||
           q == LIMITS_Q_RMS_AVERAGE;
}

const char *limits_bw_text(double hz, int digits, const char *sep, char *buf, size_t cap)
{
    static const char *const units[] = {"Hz", "kHz", "MHz", "GHz"};
    if (cap == 0)
        return buf;
    if (!isfinite(hz) || !(hz > 0)) {
        snprintf(buf, cap, "?");
        return buf;
    }
    digits = digits < 1 ? 1 : digits > 6 ? 6 : digits;
    /* Round before choosing the unit, so that 999.96 Hz reads "1kHz", not "1000Hz". */
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, hz);
    double r = strtod(tmp, NULL);
    int k = 0;
    while (k < 3 && r >= 1000) {
        r /= 1000;
        k++;
    }
    /* r already has its digits: %.6g prints them without trailing zeros or an exponent. */
    snprintf(buf, cap, "%.6g%s%s", r, sep ? sep : "", units[k]);
    return buf;
}

const char *limits_unit_text(limits_unit u, double ref_bw_hz, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if ((u != LIMITS_U_DBM_REFBW && u != LIMITS_U_DBFS_REFBW) || !isfinite(ref_bw_hz) ||
        !(ref_bw_hz > 0)) {
        snprintf(buf, cap, "%s", limits_unit_name(u));
        return buf;
    }
    char bw[32];
    snprintf(buf, cap, "%s/%s", u == LIMITS_U_DBM_REFBW ? "dBm" : "dBFS",
             limits_bw_text(ref_bw_hz, 4, "", bw, sizeof bw));
    return buf;
}

const char *limits_unit_name_text(const char *name, double ref_bw_hz, char *buf, size_t cap)
{
    limits_unit u;
    if (cap && name && limits_unit_from_name(name, &u) == RFN_OK)
        return limits_unit_text(u, ref_bw_hz, buf, cap);
    if (cap)
        snprintf(buf, cap, "%s", name ? name : "");
    return buf;
}

unsigned limits_region_from_name(const char *name)
{
    if (strcasecmp(name, "north") == 0)
        return LIMITS_REGION_NORTH;
    if (strcasecmp(name, "central") == 0)
        return LIMITS_REGION_CENTRAL;
    if (strcasecmp(name, "south") == 0)
        return LIMITS_REGION_SOUTH;
    return 0;
}

unsigned limits_han_from_name(const char *name)
{
    if (strcasecmp(name, "single") == 0 || strcasecmp(name, "single band") == 0)
        return LIMITS_HAN_SINGLE;
    if (strcasecmp(name, "dual") == 0 || strcasecmp(name, "dual band") == 0)
        return LIMITS_HAN_DUAL;
    return 0;
}

const char *limits_region_name(unsigned region)
{
    return region == LIMITS_REGION_NORTH     ? "north"
           : region == LIMITS_REGION_CENTRAL ? "central"
           : region == LIMITS_REGION_SOUTH   ? "south"
                                             : "any";
}

const char *limits_han_name(unsigned han)
{
    return han == LIMITS_HAN_SINGLE ? "single" : han == LIMITS_HAN_DUAL ? "dual" : "any";
}

/* ---- field helpers --------------------------------------------------------------------------- */

/* Every semantic error names the file and the JSON path of the offending field. */
#define FAIL(...)                                                                                 \
    do {                                                                                          \
        rfn_error_set(err, RFN_ERR_FORMAT, __VA_ARGS__);                                          \
        goto fail;                                                                                \
    } while (0)

/* Proleptic Gregorian YYYY-MM-DD with a real day of month. */
static int valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Copy a required/optional string member into dst. Returns 0 ok, -1 error (message set). */
static int get_string(json_t *obj, const char *key, int required, char *dst, size_t cap,
                      const char *name, const char *path, rfn_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) {
            rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: missing", name, path, key);
            return -1;
        }
        dst[0] = '\0';
        return 0;
    }
    if (!json_is_string(v)) {
        rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: must be a string", name, path, key);
        return -1;
    }
    const char *s = json_string_value(v);
    if (strlen(s) >= cap) {
        rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: longer than %zu characters", name, path, key,
                      cap - 1);
        return -1;
    }
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20) {
            rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: control character in text", name, path,
                          key);
            return -1;
        }
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

/* A finite number member. Returns 1 present, 0 absent (when !required), -1 error. */
static int get_number(json_t *obj, const char *key, int required, double *out, const char *name,
                      const char *path, rfn_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) {
            rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: missing", name, path, key);
            return -1;
        }
        return 0;
    }
    if (!json_is_number(v) || !isfinite(json_number_value(v))) {
        rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: must be a finite number", name, path, key);
        return -1;
    }
    *out = json_number_value(v);
    return 1;
}

/* Reject unknown keys (comments start with '_'). */
static int check_keys(json_t *obj, const char *const *known, const char *name, const char *path,
                      rfn_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        if (key[0] == '_')
            continue;
        int ok = 0;
        for (size_t i = 0; known[i]; i++)
            if (strcmp(key, known[i]) == 0)
                ok = 1;
        if (!ok) {
            rfn_error_set(err, RFN_ERR_FORMAT, "%s: %s%s: unknown field", name, path, key);
            return -1;
        }
    }
    return 0;
}

static int unit_fits_quantity(limits_unit u, limits_quantity q)
{
    switch (q) {
    case LIMITS_Q_CHANNEL_POWER:
        return u == LIMITS_U_DBM || u == LIMITS_U_DBFS;
    case LIMITS_Q_PEAK_DENSITY:
    case LIMITS_Q_MEAN_DENSITY:
        return u == LIMITS_U_DBM_HZ || u == LIMITS_U_DBFS_HZ || u == LIMITS_U_DBM_REFBW ||
               u == LIMITS_U_DBFS_REFBW;
    default:
        return u == LIMITS_U_DBM || u == LIMITS_U_DBFS || u == LIMITS_U_DBUV_M;
    }
}

/* ---- one band -------------------------------------------------------------------------------- */

/* The helpers below read one group of a band's fields each; they return 0, or -1 with err set. */

/* id, label (the id when absent), note and the frequency range f_lo_hz < f_hi_hz. */
static int band_names_and_range(json_t *jb, const char *name, const char *path, limits_band *b,
                                rfn_error *err)
{
    if (get_string(jb, "id", 1, b->id, sizeof b->id, name, path, err) ||
        get_string(jb, "label", 0, b->label, sizeof b->label, name, path, err) ||
        get_string(jb, "note", 0, b->note, sizeof b->note, name, path, err))
        goto fail;
    if (!b->id[0])
        FAIL("%s: %sid: must not be empty", name, path);
    if (!b->label[0])
        memcpy(b->label, b->id, sizeof b->id);
    if (get_number(jb, "f_lo_hz", 1, &b->f_lo_hz, name, path, err) < 0 ||
        get_number(jb, "f_hi_hz", 1, &b->f_hi_hz, name, path, err) < 0)
        goto fail;
    if (b->f_lo_hz < 0)
        FAIL("%s: %sf_lo_hz: must be >= 0 (got %g)", name, path, b->f_lo_hz);
    if (!(b->f_lo_hz < b->f_hi_hz))
        FAIL("%s: %sf_lo_hz: must be < f_hi_hz (%.9g >= %.9g)", name, path, b->f_lo_hz,
             b->f_hi_hz);
    return 0;
fail:
    return -1;
}

/* quantity, trace (default: max for a detector quantity, else mean) and a unit that fits the
 * quantity. */
static int band_quantity_trace_unit(json_t *jb, const char *name, const char *path,
                                    limits_band *b, rfn_error *err)
{
    char text[64];
    if (get_string(jb, "quantity", 1, text, sizeof text, name, path, err))
        goto fail;
    int q = -1;
    for (int k = 0; k < LIMITS_Q_COUNT; k++)
        if (strcmp(text, quantity_names[k]) == 0)
            q = k;
    if (q < 0)
        FAIL("%s: %squantity: unknown quantity '%s' (channel_power, peak_density, mean_density, "
             "quasi_peak, cispr_average, peak, rms_average)", name, path, text);
    b->quantity = (limits_quantity)q;

    if (get_string(jb, "trace", 0, text, sizeof text, name, path, err))
        goto fail;
    if (!text[0]) {
        b->trace = limits_quantity_is_detector(b->quantity) ? LIMITS_TRACE_MAX : LIMITS_TRACE_MEAN;
    } else {
        int t = -1;
        for (int k = 0; k < LIMITS_TRACE_COUNT; k++)
            if (strcmp(text, trace_names[k]) == 0)
                t = k;
        if (t < 0)
            FAIL("%s: %strace: unknown trace '%s' (mean, max, median)", name, path, text);
        b->trace = (limits_trace)t;
    }

    if (get_string(jb, "unit", 1, text, sizeof text, name, path, err))
        goto fail;
    if (limits_unit_from_name(text, &b->unit))
        FAIL("%s: %sunit: unknown unit '%s' (dBm, dBm/Hz, dBm/ref_bw, dBuV/m, dBFS, dBFS/Hz, "
             "dBFS/ref_bw)", name, path, text);
    if (!unit_fits_quantity(b->unit, b->quantity))
        FAIL("%s: %sunit: '%s' is not a unit for quantity %s", name, path, text,
             quantity_names[b->quantity]);
    return 0;
fail:
    return -1;
}

/* rbw_hz belongs to detector quantities only (and they need it), ref_bw_hz to the /ref_bw units
 * only (and they need it). */
static int band_bandwidths(json_t *jb, const char *name, const char *path, limits_band *b,
                           rfn_error *err)
{
    int has = get_number(jb, "rbw_hz", 0, &b->rbw_hz, name, path, err);
    if (has < 0)
        goto fail;
    if (limits_quantity_is_detector(b->quantity) && (has == 0 || !(b->rbw_hz > 0)))
        FAIL("%s: %srbw_hz: detector quantity %s needs rbw_hz > 0", name, path,
             quantity_names[b->quantity]);
    if (!limits_quantity_is_detector(b->quantity) && has)
        FAIL("%s: %srbw_hz: only detector quantities take rbw_hz", name, path);

    has = get_number(jb, "ref_bw_hz", 0, &b->ref_bw_hz, name, path, err);
    if (has < 0)
        goto fail;
    int refbw_unit = b->unit == LIMITS_U_DBM_REFBW || b->unit == LIMITS_U_DBFS_REFBW;
    if (refbw_unit && (has == 0 || !(b->ref_bw_hz > 0)))
        FAIL("%s: %sref_bw_hz: unit %s needs ref_bw_hz > 0", name, path, unit_names[b->unit]);
    if (!refbw_unit && has)
        FAIL("%s: %sref_bw_hz: only the /ref_bw units take ref_bw_hz", name, path);
    return 0;
fail:
    return -1;
}

/* The points of a mask: [freq_hz, level] pairs, finite, frequencies not decreasing with at most
 * two points (a step) per frequency, spanning the whole band. b->mask is allocated here and freed
 * by parse_band on failure. */
static int band_mask_points(json_t *jm, const char *name, const char *path, limits_band *b,
                            rfn_error *err)
{
    b->n_mask = json_array_size(jm);
    b->mask = calloc(b->n_mask, sizeof *b->mask);
    if (!b->mask) {
        rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
    }
    for (size_t k = 0; k < b->n_mask; k++) {
        json_t *p = json_array_get(jm, k);
        if (!json_is_array(p) || json_array_size(p) != 2 ||
            !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1)))
            FAIL("%s: %smask[%zu]: must be [freq_hz, level]", name, path, k);
        double f = json_number_value(json_array_get(p, 0));
        double l = json_number_value(json_array_get(p, 1));
        if (!isfinite(f) || !isfinite(l) || f < 0)
            FAIL("%s: %smask[%zu]: frequency and level must be finite, frequency >= 0", name,
                 path, k);
        if (b->interp == LIMITS_INTERP_LOG_FREQ && !(f > 0))
            FAIL("%s: %smask[%zu]: log-frequency interpolation needs frequency > 0", name,
                 path, k);
        if (k > 0 && f < b->mask[k - 1].freq_hz)
            FAIL("%s: %smask[%zu]: frequencies must not decrease (%.9g < %.9g)", name, path,
                 k, f, b->mask[k - 1].freq_hz);
        if (k > 1 && f == b->mask[k - 2].freq_hz)
            FAIL("%s: %smask[%zu]: at most two points (a step) per frequency", name, path, k);
        b->mask[k].freq_hz = f;
        b->mask[k].level = l;
    }
    if (b->mask[0].freq_hz > b->f_lo_hz || b->mask[b->n_mask - 1].freq_hz < b->f_hi_hz)
        FAIL("%s: %smask: points span %.9g..%.9g Hz but the band is %.9g..%.9g Hz", name,
             path, b->mask[0].freq_hz, b->mask[b->n_mask - 1].freq_hz, b->f_lo_hz,
             b->f_hi_hz);
    return 0;
fail:
    return -1;
}

/* Exactly one of a constant limit or a mask; interpolation is a mask's only. */
static int band_limit_or_mask(json_t *jb, const char *name, const char *path, limits_band *b,
                              rfn_error *err)
{
    char text[64];
    json_t *jl = json_object_get(jb, "limit");
    json_t *jm = json_object_get(jb, "mask");
    if (jl && jm)
        FAIL("%s: %slimit: give either limit or mask, not both", name, path);
    if (!jl && !jm)
        FAIL("%s: %slimit: missing (give limit or mask)", name, path);
    if (jl) {
        if (get_number(jb, "limit", 1, &b->limit, name, path, err) < 0)
            goto fail;
        b->has_limit = 1;
        if (json_object_get(jb, "interpolation"))
            FAIL("%s: %sinterpolation: only masks are interpolated", name, path);
        return 0;
    }
    /* A whole-band figure (channel power, mean density) has no frequency to read a mask at. */
    if (b->quantity == LIMITS_Q_CHANNEL_POWER || b->quantity == LIMITS_Q_MEAN_DENSITY)
        FAIL("%s: %smask: %s is one figure for the whole band: give a constant limit", name,
             path, quantity_names[b->quantity]);
    if (!json_is_array(jm) || json_array_size(jm) < 2)
        FAIL("%s: %smask: must be an array of at least two [freq_hz, level] points", name,
             path);
    if (get_string(jb, "interpolation", 0, text, sizeof text, name, path, err))
        goto fail;
    if (!text[0] || strcmp(text, "linear") == 0)
        b->interp = LIMITS_INTERP_LINEAR;
    else if (strcmp(text, "log-frequency") == 0)
        b->interp = LIMITS_INTERP_LOG_FREQ;
    else
        FAIL("%s: %sinterpolation: unknown '%s' (linear, log-frequency)", name, path, text);
    return band_mask_points(jm, name, path, b, err);
fail:
    return -1;
}

/* derogation_limit (constant-limit bands only, >= limit) and the band's own u_cispr_db
 * (CISPR 16-4-2 Table 1 differs by frequency range; NAN: the set's, filled in by limits_parse). */
static int band_derogation_uncertainty(json_t *jb, const char *name, const char *path,
                                       limits_band *b, rfn_error *err)
{
    int has = get_number(jb, "derogation_limit", 0, &b->derogation_limit, name, path, err);
    if (has < 0)
        goto fail;
    if (has) {
        if (!b->has_limit)
            FAIL("%s: %sderogation_limit: only bands with a constant limit take one", name, path);
        if (b->derogation_limit < b->limit)
            FAIL("%s: %sderogation_limit: must be >= limit (%g < %g)", name, path,
                 b->derogation_limit, b->limit);
        b->has_derogation = 1;
    }
    b->u_cispr_db = NAN; /* the set's, once the bands are read (limits_parse) */
    has = get_number(jb, "u_cispr_db", 0, &b->u_cispr_db, name, path, err);
    if (has < 0)
        goto fail;
    if (has && !(b->u_cispr_db >= 0 && b->u_cispr_db <= LIMITS_UNCERTAINTY_MAX_DB))
        FAIL("%s: %su_cispr_db: must be a number of dB in 0 ... %g", name, path,
             LIMITS_UNCERTAINTY_MAX_DB);
    return 0;
fail:
    return -1;
}

/* applies_to.regions or applies_to.han (which = 1): a non-empty array of known names, OR-ed into
 * *bits; left alone when absent. */
static int band_applies_list(json_t *ja, int which, const char *name, const char *apath,
                             unsigned *bits_out, rfn_error *err)
{
    const char *key = which ? "han" : "regions";
    json_t *arr = json_object_get(ja, key);
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        FAIL("%s: %s%s: must be a non-empty array", name, apath, key);
    unsigned bits = 0;
    for (size_t k = 0; k < json_array_size(arr); k++) {
        json_t *s = json_array_get(arr, k);
        unsigned bit = 0;
        if (json_is_string(s))
            bit = which ? limits_han_from_name(json_string_value(s))
                        : limits_region_from_name(json_string_value(s));
        if (!bit)
            FAIL("%s: %s%s[%zu]: unknown %s (%s)", name, apath, key, k,
                 which ? "HAN variant" : "region",
                 which ? "single, dual" : "north, central, south");
        bits |= bit;
    }
    *bits_out = bits;
    return 0;
fail:
    return -1;
}

/* Where the band applies: every region and HAN variant unless applies_to narrows them. */
static int band_applies_to(json_t *jb, const char *name, const char *path, limits_band *b,
                           rfn_error *err)
{
    static const char *const known_a[] = {"regions", "han", NULL};
    b->regions = LIMITS_REGION_ALL;
    b->han = LIMITS_HAN_ALL;
    json_t *ja = json_object_get(jb, "applies_to");
    if (!ja)
        return 0;
    char apath[64];
    snprintf(apath, sizeof apath, "%sapplies_to.", path);
    if (!json_is_object(ja))
        FAIL("%s: %sapplies_to: must be an object", name, path);
    if (check_keys(ja, known_a, name, apath, err) ||
        band_applies_list(ja, 0, name, apath, &b->regions, err) ||
        band_applies_list(ja, 1, name, apath, &b->han, err))
        goto fail;
    return 0;
fail:
    return -1;
}

static rfn_status parse_band(json_t *jb, size_t i, const char *name, limits_band *b,
                             rfn_error *err)
{
    static const char *const known[] = {
        "id",      "label",         "note",      "f_lo_hz", "f_hi_hz",          "quantity",
        "rbw_hz",  "ref_bw_hz",     "trace",     "unit",    "limit",            "mask",
        "interpolation", "applies_to", "derogation_limit", "u_cispr_db", NULL,
    };
    char path[48];
    snprintf(path, sizeof path, "bands[%zu].", i);
    memset(b, 0, sizeof *b);

    if (!json_is_object(jb))
        FAIL("%s: bands[%zu]: must be an object", name, i);
    if (check_keys(jb, known, name, path, err) ||
        band_names_and_range(jb, name, path, b, err) ||
        band_quantity_trace_unit(jb, name, path, b, err) ||
        band_bandwidths(jb, name, path, b, err) ||
        band_limit_or_mask(jb, name, path, b, err) ||
        band_derogation_uncertainty(jb, name, path, b, err) ||
        band_applies_to(jb, name, path, b, err))
        goto fail;
    return RFN_OK;
fail:
    free(b->mask);
    b->mask = NULL;
    return err ? err->status : RFN_ERR_FORMAT;
}

/* ---- the set --------------------------------------------------------------------------------- */

void limits_free(limits_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n_bands; i++)
        free(set->bands[i].mask);
    free(set->bands);
    free(set);
}

static const char *const decision_rule_names[] = {
    [DECISION_FROM_LIMITS] = "limit-set",         [DECISION_SIMPLE] = "simple",
    [DECISION_GUARDED_ACCEPT] = "guarded-accept", [DECISION_GUARDED_REJECT] = "guarded-reject",
    [DECISION_CISPR_16_4_2] = "cispr-16-4-2",
};

const char *limits_decision_rule_name(decision_rule r)
{
    return (unsigned)r < sizeof decision_rule_names / sizeof *decision_rule_names
               ? decision_rule_names[r]
               : "?";
}

int limits_decision_rule_from_name(const char *name, decision_rule *r)
{
    for (unsigned i = DECISION_SIMPLE; i <= DECISION_CISPR_16_4_2; i++)
        if (strcmp(name, decision_rule_names[i]) == 0) {
            *r = (decision_rule)i;
            return 0;
        }
    return -1;
}

/* "decision_rule" (default simple) and "u_cispr_db", the standard's own measurement
 * instrumentation uncertainty (CISPR 16-4-2 Table 1), which the cispr-16-4-2 rule needs and no
 * other rule reads; a band's own u_cispr_db wins (Table 1 differs by frequency range and
 * measurement), and limits_parse checks that every band has one under cispr-16-4-2. */
static rfn_status parse_decision(json_t *root, const char *name, limits_set *set,
                                 rfn_error *err)
{
    char text[32];
    set->decision_rule = DECISION_SIMPLE;
    set->u_cispr_db = NAN;
    if (get_string(root, "decision_rule", 0, text, sizeof text, name, "", err))
        return err->status;
    if (text[0] && limits_decision_rule_from_name(text, &set->decision_rule))
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: decision_rule: unknown rule '%s' (simple, guarded-accept, "
                             "guarded-reject, cispr-16-4-2)", name, text);
    json_t *ju = json_object_get(root, "u_cispr_db");
    if (ju && !(json_is_number(ju) && json_number_value(ju) >= 0 &&
                json_number_value(ju) <= LIMITS_UNCERTAINTY_MAX_DB))
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: u_cispr_db: must be a number of dB in "
                             "0 ... %g", name, LIMITS_UNCERTAINTY_MAX_DB);
    if (ju)
        set->u_cispr_db = json_number_value(ju);
    return RFN_OK;
}

/* Each band without its own u_cispr_db takes the set's; under cispr-16-4-2 none may lack one. */
static rfn_status bands_u_cispr(limits_set *set, const char *name, rfn_error *err)
{
    for (size_t i = 0; i < set->n_bands; i++) {
        limits_band *b = &set->bands[i];
        if (isnan(b->u_cispr_db))
            b->u_cispr_db = set->u_cispr_db;
        if (set->decision_rule == DECISION_CISPR_16_4_2 && isnan(b->u_cispr_db))
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: u_cispr_db: missing (bands[%zu] "
                                 "'%s' has none; the cispr-16-4-2 rule compares the lab's "
                                 "uncertainty with it)", name, i, b->id);
    }
    return RFN_OK;
}

rfn_status limits_parse(const char *text, size_t len, const char *name, limits_set **out,
                        rfn_error *err)
{
    static const char *const known[] = {"format", "id",       "version",      "title",
                                        "source", "valid_from", "valid_to",   "illustrative",
                                        "bands",  "decision_rule", "u_cispr_db", NULL};
    *out = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s:%d:%d: %s", name, jerr.line, jerr.column,
                             jerr.text);
    limits_set *set = calloc(1, sizeof *set);
    if (!set) {
        json_decref(root);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    snprintf(set->path, sizeof set->path, "%s", name);
    char fmt[32];

    if (!json_is_object(root))
        FAIL("%s: $: the top level must be an object", name);
    if (check_keys(root, known, name, "", err))
        goto fail;
    if (get_string(root, "format", 1, fmt, sizeof fmt, name, "", err))
        goto fail;
    if (strcmp(fmt, LIMITS_FORMAT) != 0)
        FAIL("%s: format: unsupported format '%s' (this rfnoise reads %s)", name, fmt,
             LIMITS_FORMAT);
    if (get_string(root, "id", 1, set->id, sizeof set->id, name, "", err) ||
        get_string(root, "version", 1, set->version, sizeof set->version, name, "", err) ||
        get_string(root, "title", 0, set->title, sizeof set->title, name, "", err) ||
        get_string(root, "source", 1, set->source, sizeof set->source, name, "", err) ||
        get_string(root, "valid_from", 1, set->valid_from, sizeof set->valid_from, name, "",
                   err) ||
        get_string(root, "valid_to", 0, set->valid_to, sizeof set->valid_to, name, "", err))
        goto fail;
    if (!set->id[0] || !set->version[0])
        FAIL("%s: %s: must not be empty", name, set->id[0] ? "version" : "id");
    if (!valid_date(set->valid_from))
        FAIL("%s: valid_from: bad date '%s' (want YYYY-MM-DD)", name, set->valid_from);
    if (set->valid_to[0] && !valid_date(set->valid_to))
        FAIL("%s: valid_to: bad date '%s' (want YYYY-MM-DD)", name, set->valid_to);
    if (set->valid_to[0] && strcmp(set->valid_to, set->valid_from) < 0)
        FAIL("%s: valid_to: %s is before valid_from %s", name, set->valid_to, set->valid_from);
    json_t *ji = json_object_get(root, "illustrative");
    if (ji && !json_is_boolean(ji))
        FAIL("%s: illustrative: must be true or false", name);
    set->illustrative = ji && json_is_true(ji);
    if (parse_decision(root, name, set, err))
        goto fail;

    json_t *jb = json_object_get(root, "bands");
    if (!jb)
        FAIL("%s: bands: missing", name);
    if (!json_is_array(jb) || json_array_size(jb) == 0)
        FAIL("%s: bands: must be a non-empty array", name);
    set->bands = calloc(json_array_size(jb), sizeof *set->bands);
    if (!set->bands) {
        rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
        goto fail;
    }
    for (size_t i = 0; i < json_array_size(jb); i++) {
        if (parse_band(json_array_get(jb, i), i, name, &set->bands[i], err))
            goto fail;
        set->n_bands = i + 1;
    }
    if (bands_u_cispr(set, name, err))
        goto fail;
    /* Two bands for the same quantity, trace-independent, with overlapping frequencies and a
     * common region and HAN variant would give one emission two limits: refuse the file. */
    for (size_t i = 0; i < set->n_bands; i++)
        for (size_t j = 0; j < i; j++) {
            const limits_band *a = &set->bands[i], *b = &set->bands[j];
            if (strcmp(a->id, b->id) == 0)
                FAIL("%s: bands[%zu].id: duplicate band id '%s' (also bands[%zu])", name, i,
                     a->id, j);
            if (a->quantity == b->quantity && a->f_lo_hz < b->f_hi_hz &&
                b->f_lo_hz < a->f_hi_hz && (a->regions & b->regions) && (a->han & b->han))
                FAIL("%s: bands[%zu]: overlaps bands[%zu] ('%s' %.9g..%.9g Hz and '%s' "
                     "%.9g..%.9g Hz, same quantity, region and HAN variant)",
                     name, i, j, a->id, a->f_lo_hz, a->f_hi_hz, b->id, b->f_lo_hz, b->f_hi_hz);
        }
    json_decref(root);
    *out = set;
    return RFN_OK;
fail:
    json_decref(root);
    limits_free(set);
    return err ? err->status : RFN_ERR_FORMAT;
}

rfn_status limits_load(const char *path, limits_set **out, rfn_error *err)
{
    *out = NULL;
    FILE *fp;
    rfn_status ost = io_fopen_input(path, &fp, NULL, err);
    if (ost)
        return ost;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= (size_t)16 << 20) {
                free(buf);
                fclose(fp);
                return rfn_error_set(err, RFN_ERR_FORMAT, "%s: larger than 16 MiB", path);
            }
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return rfn_error_set(err, RFN_ERR_IO, "%s: read error", path);
    }
    rfn_status st = limits_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

/* ---- selection and evaluation ---------------------------------------------------------------- */

int limits_in_force(const limits_set *set, const char *date)
{
    if (strcmp(date, set->valid_from) < 0)
        return 0;
    return !set->valid_to[0] || strcmp(date, set->valid_to) <= 0;
}

rfn_status limits_select(limits_set *const *sets, size_t n, const char *date, size_t *index,
                         rfn_error *err)
{
    char today[11];
    if (!date || !*date) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
        date = today;
    }
    if (!valid_date(date))
        return rfn_error_set(err, RFN_ERR_INVALID, "bad date '%s' (want YYYY-MM-DD)", date);
    size_t best = n;
    for (size_t i = 0; i < n; i++) {
        if (!limits_in_force(sets[i], date))
            continue;
        if (best == n || strcmp(sets[i]->valid_from, sets[best]->valid_from) > 0) {
            best = i;
        } else if (strcmp(sets[i]->valid_from, sets[best]->valid_from) == 0) {
            return rfn_error_set(err, RFN_ERR_CONFLICT,
                                 "%s and %s are both in force on %s from the same date %s",
                                 sets[best]->path, sets[i]->path, date, sets[i]->valid_from);
        }
    }
    if (best == n)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "no limit set given is in force on %s", date);
    *index = best;
    return RFN_OK;
}

static double interp_segment(const limits_band *b, size_t k, double f)
{
    const limits_point *p = &b->mask[k], *q = &b->mask[k + 1];
    if (q->freq_hz == p->freq_hz)
        return fmin(p->level, q->level);
    double t;
    if (b->interp == LIMITS_INTERP_LOG_FREQ)
        t = log10(f / p->freq_hz) / log10(q->freq_hz / p->freq_hz);
    else
        t = (f - p->freq_hz) / (q->freq_hz - p->freq_hz);
    return p->level + t * (q->level - p->level);
}

double limits_band_level(const limits_band *band, double freq_hz)
{
    if (band->has_limit)
        return band->limit;
    const limits_point *m = band->mask;
    size_t n = band->n_mask;
    if (freq_hz <= m[0].freq_hz)
        return m[0].freq_hz == m[1].freq_hz ? fmin(m[0].level, m[1].level) : m[0].level;
    if (freq_hz >= m[n - 1].freq_hz)
        return m[n - 1].freq_hz == m[n - 2].freq_hz ? fmin(m[n - 1].level, m[n - 2].level)
                                                     : m[n - 1].level;
    /* Every segment containing freq_hz: at a step the lower level applies (CISPR practice: "the
     * lower limit applies at the transition frequency"). */
    double level = INFINITY;
    for (size_t k = 0; k + 1 < n; k++)
        if (m[k].freq_hz <= freq_hz && freq_hz <= m[k + 1].freq_hz)
            level = fmin(level, interp_segment(band, k, freq_hz));
    return level;
}

int limits_band_applies(const limits_band *band, unsigned region, unsigned han)
{
    if (region && !(band->regions & region))
        return 0;
    if (han && !(band->han & han))
        return 0;
    return 1;
}
