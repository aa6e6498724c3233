/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sigmf.c: parse SigMF 1.0 .sigmf-meta files (https://sigmf.org, core namespace) and our own
 * rfnoise: namespace with jansson, checking every field we use and naming it in errors. */
#include "sigmf.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_guard.h"

/* ---- datatypes ------------------------------------------------------------------------------- */

rfn_status sigmf_datatype_parse(const char *s, sigmf_datatype *dt, char *why, size_t why_len)
{
    static const struct {
        const char *alias, *name;
    } aliases[] = {
        {"cs8", "ci8"},      {"cs16", "ci16_le"}, {"cs32", "ci32_le"}, {"ci32", "ci32_le"},
        {"ci16", "ci16_le"}, {"cf32", "cf32_le"}, {"cf64", "cf64_le"},
    };
    memset(dt, 0, sizeof *dt);
    if (!s || !*s) {
        snprintf(why, why_len, "empty datatype");
        return RFN_ERR_FORMAT;
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(s, aliases[i].alias) == 0) {
            s = aliases[i].name;
            break;
        }
    const char *p = s;
    if (*p == 'c')
        dt->is_complex = 1;
    else if (*p != 'r')
        goto malformed;
    p++;
    char kind = *p++;
    if (kind != 'f' && kind != 'i' && kind != 'u') goto malformed;
    dt->is_float = kind == 'f';
    dt->is_signed = kind != 'u';
    /* "i08" is not a SigMF width (fuzz_sigmf_meta found it read as i8 but named back as i8) */
    if (!isdigit((unsigned char)p[0]) || p[0] == '0') goto malformed;
    int bits = 0;
    while (isdigit((unsigned char)*p) && bits < 1000)
        bits = bits * 10 + (*p++ - '0');
    dt->bits = bits;
    if (dt->is_float ? (bits != 32 && bits != 64) : (bits != 8 && bits != 16 && bits != 32))
        goto malformed;
    if (strcmp(p, "_le") == 0)
        dt->big_endian = 0;
    else if (strcmp(p, "_be") == 0)
        dt->big_endian = 1;
    else if (*p == '\0' && bits == 8)
        dt->big_endian = 0;
    else if (*p == '\0') {
        snprintf(why, why_len, "'%.40s' has no endianness suffix (_le or _be)", s);
        return RFN_ERR_FORMAT;
    } else
        goto malformed;
    /* A byte has no byte order: "ci8_be" reads as ci8, so that the name written back parses to
     * the same type. */
    if (bits == 8)
        dt->big_endian = 0;
    if (!dt->is_signed && bits > 8) {
        snprintf(why, why_len,
                 "'%.40s' is not supported (unsigned 16/32-bit samples; supported: cu8 ci8 ci16 "
                 "ci32 cf32 cf64 and their real r... forms)",
                 s);
        return RFN_ERR_UNSUPPORTED;
    }
    return RFN_OK;
malformed:
    snprintf(why, why_len,
             "'%.40s' is not a SigMF datatype ((c|r)(f32|f64|i32|i16|i8|u8)[_le|_be], or cu8 cs8 "
             "cs16 cf32)",
             s);
    return RFN_ERR_FORMAT;
}

void sigmf_datatype_name(const sigmf_datatype *dt, char *out, size_t out_len)
{
    snprintf(out, out_len, "%c%c%d%s", dt->is_complex ? 'c' : 'r',
             dt->is_float    ? 'f'
             : dt->is_signed ? 'i'
                             : 'u',
             dt->bits,
             dt->bits == 8    ? ""
             : dt->big_endian ? "_be"
                              : "_le");
}

int sigmf_datatype_bytes(const sigmf_datatype *dt)
{
    return dt->bits / 8;
}

/* ---- meta ------------------------------------------------------------------------------------ */

void sigmf_meta_free(sigmf_meta *m)
{
    if (!m) return;
    free(m->segments);
    free(m->annotations);
    m->segments = NULL;
    m->annotations = NULL;
    m->n_segments = m->n_annotations = 0;
}

/* The error helpers prefix the file name and the JSON path of the field. */
#define FIELD_ERR(st, field, ...)                                                                  \
    do {                                                                                           \
        char why_[256];                                                                            \
        snprintf(why_, sizeof why_, __VA_ARGS__);                                                  \
        status = rfn_error_set(err, st, "%s: %s: %s", name, field, why_);                          \
        goto fail;                                                                                 \
    } while (0)

static int get_int64(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (isfinite(d) && d == floor(d) && fabs(d) < 9.0e18) {
            *out = (int64_t)d;
            return 0;
        }
    }
    return -1;
}

static int get_double(json_t *v, double *out)
{
    if (!json_is_number(v)) return -1;
    *out = json_number_value(v);
    return isfinite(*out) ? 0 : -1;
}

/* Copy an optional string member; -1 when present but not a string. */
static int get_text(json_t *obj, const char *key, char *out, size_t out_len)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    if (!json_is_string(v)) return -1;
    snprintf(out, out_len, "%s", json_string_value(v));
    return 0;
}

/* The text fields of global, with the aliases of the rfnoise extension
 * (docs/sigmf-extension.md). */
static const struct {
    const char *key;
    size_t off;
} meta_texts[] = {
    {"core:version", offsetof(sigmf_meta, version)},
    {"core:hw", offsetof(sigmf_meta, hw)},
    {"core:author", offsetof(sigmf_meta, author)},
    {"core:description", offsetof(sigmf_meta, description)},
    {"core:recorder", offsetof(sigmf_meta, recorder)},
    {"core:dataset", offsetof(sigmf_meta, dataset)},
    {"rfnoise:device_id", offsetof(sigmf_meta, device_id)},
    {"rfnoise:DeviceID", offsetof(sigmf_meta, device_id)},
    {"rfnoise:mpxn", offsetof(sigmf_meta, mpxn)},
    {"rfnoise:ImportMPxN", offsetof(sigmf_meta, mpxn)},
    {"rfnoise:calibration_id", offsetof(sigmf_meta, calibration_id)},
    {"rfnoise:engineer", offsetof(sigmf_meta, engineer)},
    {"rfnoise:site", offsetof(sigmf_meta, site)},
};

/* The parts of sigmf_meta_parse below each read one group of fields into out and return
 * RFN_OK, or the status of the error set in err (FIELD_ERR: file name and JSON path). */

/* global.core:datatype: a SigMF datatype, with an endianness suffix above 8 bits. */
static rfn_status parse_datatype(json_t *global, const char *name, sigmf_meta *out,
                                 rfn_error *err)
{
    rfn_status status = RFN_OK;
    json_t *v = json_object_get(global, "core:datatype");
    if (!v) FIELD_ERR(RFN_ERR_FORMAT, "global.core:datatype", "missing");
    if (!json_is_string(v)) FIELD_ERR(RFN_ERR_FORMAT, "global.core:datatype", "must be a string");
    snprintf(out->datatype, sizeof out->datatype, "%s", json_string_value(v));
    char why[200];
    rfn_status st = sigmf_datatype_parse(json_string_value(v), &out->dt, why, sizeof why);
    if (st) FIELD_ERR(st, "global.core:datatype", "%s", why);
    /* The raw-file aliases (cs16, cf32, ...) are for command lines, not SigMF files. */
    if (strncmp(out->datatype, "cs", 2) == 0)
        FIELD_ERR(RFN_ERR_FORMAT, "global.core:datatype", "'%s' is not a SigMF datatype",
                  out->datatype);
    if (out->dt.bits > 8 && !strchr(out->datatype, '_'))
        FIELD_ERR(RFN_ERR_FORMAT, "global.core:datatype",
                  "'%s' has no endianness suffix (_le or _be)", out->datatype);
fail:
    return status;
}

/* global.core:sample_rate, core:num_channels and core:sha512. */
static rfn_status parse_rate_channels_hash(json_t *global, const char *name, sigmf_meta *out,
                                           rfn_error *err)
{
    rfn_status status = RFN_OK;
    /* core:sample_rate: optional in SigMF; capture_open insists that some source gives one. */
    json_t *v = json_object_get(global, "core:sample_rate");
    if (v) {
        if (get_double(v, &out->sample_rate_hz))
            FIELD_ERR(RFN_ERR_FORMAT, "global.core:sample_rate", "must be a finite number");
        if (!(out->sample_rate_hz > 0))
            FIELD_ERR(RFN_ERR_FORMAT, "global.core:sample_rate", "must be > 0 (got %g)",
                      out->sample_rate_hz);
    }
    v = json_object_get(global, "core:num_channels");
    if (v) {
        int64_t nc;
        if (get_int64(v, &nc) || nc < 1 || nc > 1024)
            FIELD_ERR(RFN_ERR_FORMAT, "global.core:num_channels", "must be an integer 1..1024");
        out->num_channels = (int)nc;
    }
    v = json_object_get(global, "core:sha512");
    if (v) {
        const char *h = json_string_value(v);
        size_t i = 0;
        for (; h && i < 128 && isxdigit((unsigned char)h[i]); i++)
            out->sha512[i] = (char)tolower((unsigned char)h[i]);
        if (!h || i != 128 || h[128])
            FIELD_ERR(RFN_ERR_FORMAT, "global.core:sha512", "must be 128 hexadecimal digits");
        out->sha512[128] = '\0';
    }
fail:
    return status;
}

/* The text fields of global (meta_texts), core:trailing_bytes and rfnoise:sample_count. */
static rfn_status parse_texts_and_sizes(json_t *global, const char *name, sigmf_meta *out,
                                        rfn_error *err)
{
    rfn_status status = RFN_OK;
    char field[96];
    for (size_t i = 0; i < sizeof meta_texts / sizeof meta_texts[0]; i++) {
        size_t cap =
            strcmp(meta_texts[i].key, "core:version") == 0 ? sizeof out->version : CAPTURE_TEXT_MAX;
        if (get_text(global, meta_texts[i].key, (char *)out + meta_texts[i].off, cap)) {
            snprintf(field, sizeof field, "global.%s", meta_texts[i].key);
            FIELD_ERR(RFN_ERR_FORMAT, field, "must be a string");
        }
    }
    json_t *v = json_object_get(global, "core:trailing_bytes");
    if (v && (get_int64(v, &out->trailing_bytes) || out->trailing_bytes < 0 ||
              out->trailing_bytes > INT64_MAX / 2))
        FIELD_ERR(RFN_ERR_FORMAT, "global.core:trailing_bytes", "must be an integer >= 0");
    v = json_object_get(global, "rfnoise:sample_count");
    if (v && (get_int64(v, &out->sample_count) || out->sample_count < 0))
        FIELD_ERR(RFN_ERR_FORMAT, "global.rfnoise:sample_count", "must be an integer >= 0");
fail:
    return status;
}

/* core:geolocation is a GeoJSON point: coordinates [longitude, latitude, altitude?]. */
static rfn_status parse_geolocation(json_t *global, const char *name, sigmf_meta *out,
                                    rfn_error *err)
{
    rfn_status status = RFN_OK;
    json_t *v = json_object_get(global, "core:geolocation");
    if (!v)
        return RFN_OK;
    json_t *c = json_object_get(v, "coordinates");
    size_t nc = json_array_size(c);
    double lon, lat, alt = NAN;
    if (!json_is_object(v) || nc < 2 || nc > 3 || get_double(json_array_get(c, 0), &lon) ||
        get_double(json_array_get(c, 1), &lat) ||
        (nc == 3 && get_double(json_array_get(c, 2), &alt)) || fabs(lat) > 90 ||
        fabs(lon) > 180)
        FIELD_ERR(RFN_ERR_FORMAT, "global.core:geolocation",
                  "must be a GeoJSON point {\"type\": \"Point\", \"coordinates\": [lon, lat, "
                  "alt]}");
    out->longitude_deg = lon;
    out->latitude_deg = lat;
    out->altitude_m = alt;
fail:
    return status;
}

/* captures[i]: sample_start (required after the first, ascending), frequency, datetime and
 * header_bytes (summed into out->header_bytes). */
static rfn_status parse_segment(json_t *seg, size_t i, const char *name, sigmf_meta *out,
                                rfn_error *err)
{
    rfn_status status = RFN_OK;
    char field[96];
    capture_segment *s = &out->segments[i];
    s->center_freq_hz = NAN;
    if (!json_is_object(seg)) {
        snprintf(field, sizeof field, "captures[%zu]", i);
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be an object");
    }
    json_t *v = json_object_get(seg, "core:sample_start");
    snprintf(field, sizeof field, "captures[%zu].core:sample_start", i);
    if (v ? get_int64(v, &s->sample_start) || s->sample_start < 0 : i > 0)
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be an integer >= 0");
    if (i > 0 && s->sample_start <= out->segments[i - 1].sample_start)
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be greater than the previous segment's (%lld)",
                  (long long)out->segments[i - 1].sample_start);
    v = json_object_get(seg, "core:frequency");
    snprintf(field, sizeof field, "captures[%zu].core:frequency", i);
    if (v && get_double(v, &s->center_freq_hz))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be a finite number");
    snprintf(field, sizeof field, "captures[%zu].core:datetime", i);
    if (get_text(seg, "core:datetime", s->datetime, sizeof s->datetime))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be a string");
    v = json_object_get(seg, "core:header_bytes");
    if (v) {
        int64_t hb;
        snprintf(field, sizeof field, "captures[%zu].core:header_bytes", i);
        if (get_int64(v, &hb) || hb < 0 || hb > INT64_MAX / 2 - out->header_bytes)
            FIELD_ERR(RFN_ERR_FORMAT, field, "must be an integer >= 0");
        s->header_bytes = hb;
        out->header_bytes += hb;
    }
fail:
    return status;
}

/* captures[]: segments in ascending sample order. */
static rfn_status parse_segments(json_t *root, const char *name, sigmf_meta *out, rfn_error *err)
{
    rfn_status status = RFN_OK;
    json_t *caps = json_object_get(root, "captures");
    if (caps && !json_is_array(caps)) FIELD_ERR(RFN_ERR_FORMAT, "captures", "must be an array");
    size_t nseg = json_array_size(caps);
    out->segments = calloc(nseg ? nseg : 1, sizeof *out->segments);
    if (!out->segments) FIELD_ERR(RFN_ERR_NOMEM, "captures", "out of memory");
    for (size_t i = 0; i < nseg; i++)
        if ((status = parse_segment(json_array_get(caps, i), i, name, out, err)))
            return status;
    out->n_segments = nseg;
    if (nseg == 0) { /* SigMF requires captures[]; be lenient with one implicit segment. */
        out->segments[0].center_freq_hz = NAN;
        out->n_segments = 1;
    }
fail:
    return status;
}

/* annotations[i]: sample_start, sample_count, frequency edges (lower <= upper) and the label
 * (core:comment when core:label is empty or absent). */
static rfn_status parse_annotation(json_t *a, size_t i, const char *name, sigmf_meta *out,
                                   rfn_error *err)
{
    rfn_status status = RFN_OK;
    char field[96];
    capture_annotation *o = &out->annotations[i];
    o->sample_count = -1;
    o->freq_lo_hz = o->freq_hi_hz = NAN;
    if (!json_is_object(a)) {
        snprintf(field, sizeof field, "annotations[%zu]", i);
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be an object");
    }
    snprintf(field, sizeof field, "annotations[%zu].core:sample_start", i);
    json_t *v = json_object_get(a, "core:sample_start");
    if (!v || get_int64(v, &o->sample_start) || o->sample_start < 0)
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be an integer >= 0");
    snprintf(field, sizeof field, "annotations[%zu].core:sample_count", i);
    v = json_object_get(a, "core:sample_count");
    if (v && (get_int64(v, &o->sample_count) || o->sample_count < 0 ||
              o->sample_count > INT64_MAX - o->sample_start))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be an integer >= 0");
    snprintf(field, sizeof field, "annotations[%zu].core:freq_lower_edge", i);
    v = json_object_get(a, "core:freq_lower_edge");
    if (v && get_double(v, &o->freq_lo_hz))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be a finite number");
    snprintf(field, sizeof field, "annotations[%zu].core:freq_upper_edge", i);
    v = json_object_get(a, "core:freq_upper_edge");
    if (v && get_double(v, &o->freq_hi_hz))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be a finite number");
    if (o->freq_hi_hz < o->freq_lo_hz)
        FIELD_ERR(RFN_ERR_FORMAT, field, "is below core:freq_lower_edge");
    snprintf(field, sizeof field, "annotations[%zu].core:label", i);
    if (get_text(a, "core:label", o->label, sizeof o->label))
        FIELD_ERR(RFN_ERR_FORMAT, field, "must be a string");
    if (!o->label[0]) {
        snprintf(field, sizeof field, "annotations[%zu].core:comment", i);
        if (get_text(a, "core:comment", o->label, sizeof o->label))
            FIELD_ERR(RFN_ERR_FORMAT, field, "must be a string");
    }
fail:
    return status;
}

/* annotations[] */
static rfn_status parse_annotations(json_t *root, const char *name, sigmf_meta *out,
                                    rfn_error *err)
{
    rfn_status status = RFN_OK;
    json_t *ann = json_object_get(root, "annotations");
    if (ann && !json_is_array(ann)) FIELD_ERR(RFN_ERR_FORMAT, "annotations", "must be an array");
    size_t nann = json_array_size(ann);
    if (nann) {
        out->annotations = calloc(nann, sizeof *out->annotations);
        if (!out->annotations) FIELD_ERR(RFN_ERR_NOMEM, "annotations", "out of memory");
    }
    for (size_t i = 0; i < nann; i++)
        if ((status = parse_annotation(json_array_get(ann, i), i, name, out, err)))
            return status;
    out->n_annotations = nann;
fail:
    return status;
}

rfn_status sigmf_meta_parse(const char *text, size_t len, const char *name, sigmf_meta *out,
                            rfn_error *err)
{
    rfn_status status = RFN_OK;
    memset(out, 0, sizeof *out);
    out->sample_rate_hz = NAN;
    out->num_channels = 1;
    out->latitude_deg = out->longitude_deg = out->altitude_m = NAN;
    out->sample_count = -1;

    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: line %d column %d: invalid JSON: %s", name,
                             jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) FIELD_ERR(RFN_ERR_FORMAT, "top level", "must be a JSON object");
    json_t *global = json_object_get(root, "global");
    if (!json_is_object(global)) FIELD_ERR(RFN_ERR_FORMAT, "global", "missing or not an object");
    if ((status = parse_datatype(global, name, out, err)) ||
        (status = parse_rate_channels_hash(global, name, out, err)) ||
        (status = parse_texts_and_sizes(global, name, out, err)) ||
        (status = parse_geolocation(global, name, out, err)) ||
        (status = parse_segments(root, name, out, err)) ||
        (status = parse_annotations(root, name, out, err)))
        goto fail;
    json_decref(root);
    return RFN_OK;
fail:
    json_decref(root);
    sigmf_meta_free(out);
    return status;
}

void sigmf_meta_device_id(const char *path, char *out, size_t size)
{
    if (size)
        out[0] = '\0';
    json_t *root = io_json_load(path, NULL);
    json_t *global = json_object_get(root, "global");
    for (size_t i = 0; i < sizeof meta_texts / sizeof meta_texts[0]; i++)
        if (meta_texts[i].off == offsetof(sigmf_meta, device_id) && json_is_object(global) &&
            get_text(global, meta_texts[i].key, out, size) == 0 && out[0])
            break;
    json_decref(root);
}
