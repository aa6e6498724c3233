/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_write.c: write a SigMF pair (cf32_le or ci16_le) with full metadata, both files through
 * atomic_file so that a reader never sees a half-written recording. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "capture.h"
#include "hash.h"

struct capture_writer {
    capture_writer_config cfg;
    char meta_path[CAPTURE_PATH_MAX + 16], data_path[CAPTURE_PATH_MAX + 16];
    /* Copies of everything cfg points at, so the caller's strings may go away. */
    char datatype[16], datetime[CAPTURE_TIME_MAX];
    char text[8][CAPTURE_TEXT_MAX];
    capture_annotation *annotations;
    int ci16; /* 16-bit integers, else 32-bit floats */
    int real; /* one component (the real part) per sample */
    atomic_file *data;
    hash_ctx *sha; /* SHA-512 of the data, for core:sha512 */
    int64_t samples;
    unsigned char buf[1 << 16];
};

capture_writer_config capture_writer_config_default(void)
{
    capture_writer_config c;
    memset(&c, 0, sizeof c);
    c.datatype = "cf32_le";
    c.sample_rate_hz = NAN;
    c.center_freq_hz = NAN;
    c.latitude_deg = c.longitude_deg = c.altitude_m = NAN;
    return c;
}

void capture_writer_config_from_meta(capture_writer_config *cfg, const capture_meta *m)
{
    cfg->sample_rate_hz = m->sample_rate_hz;
    cfg->center_freq_hz = m->center_freq_hz;
    cfg->datetime = m->datetime[0] ? m->datetime : NULL;
    cfg->hw = m->hw[0] ? m->hw : NULL;
    cfg->device_id = m->device_id[0] ? m->device_id : NULL;
    cfg->mpxn = m->mpxn[0] ? m->mpxn : NULL;
    cfg->calibration_id = m->calibration_id[0] ? m->calibration_id : NULL;
    cfg->engineer = m->engineer[0] ? m->engineer : NULL;
    cfg->site = m->site[0] ? m->site : NULL;
    cfg->latitude_deg = m->latitude_deg;
    cfg->longitude_deg = m->longitude_deg;
    cfg->altitude_m = m->altitude_m;
    cfg->annotations = m->annotations;
    cfg->n_annotations = m->n_annotations;
}

static const char *keep(capture_writer *w, int slot, const char *s)
{
    if (!s || !*s) return NULL;
    snprintf(w->text[slot], sizeof w->text[slot], "%s", s);
    return w->text[slot];
}

rfn_status capture_writer_create(const char *meta_path, const capture_writer_config *cfg,
                                 capture_writer **out, rfn_error *err)
{
    *out = NULL;
    const char *dt = cfg->datatype ? cfg->datatype : "cf32_le";
    if (strcmp(dt, "cf32_le") != 0 && strcmp(dt, "ci16_le") != 0 && strcmp(dt, "rf32_le") != 0 &&
        strcmp(dt, "ri16_le") != 0)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: the writer supports datatype cf32_le, ci16_le, rf32_le or "
                             "ri16_le, not '%s'",
                             meta_path, dt);
    if (!(cfg->sample_rate_hz > 0) || !isfinite(cfg->sample_rate_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: sample rate must be > 0 (got %g)",
                             meta_path, cfg->sample_rate_hz);
    size_t n = strlen(meta_path);
    const char *ext = ".sigmf-meta";
    size_t stem =
        n >= strlen(ext) && strcmp(meta_path + n - strlen(ext), ext) == 0 ? n - strlen(ext) : n;
    if (stem == 0 || stem >= CAPTURE_PATH_MAX)
        return rfn_error_set(err, RFN_ERR_INVALID, "'%s': not a usable .sigmf-meta path",
                             meta_path);
    capture_writer *w = calloc(1, sizeof *w);
    if (!w) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", meta_path);
    snprintf(w->meta_path, sizeof w->meta_path, "%.*s.sigmf-meta", (int)stem, meta_path);
    snprintf(w->data_path, sizeof w->data_path, "%.*s.sigmf-data", (int)stem, meta_path);
    w->cfg = *cfg;
    snprintf(w->datatype, sizeof w->datatype, "%s", dt);
    w->cfg.datatype = w->datatype;
    w->ci16 = strcmp(dt + 1, "i16_le") == 0;
    w->real = dt[0] == 'r';
    if (cfg->datetime && *cfg->datetime) {
        snprintf(w->datetime, sizeof w->datetime, "%s", cfg->datetime);
        w->cfg.datetime = w->datetime;
    } else {
        w->cfg.datetime = NULL;
    }
    w->cfg.description = keep(w, 0, cfg->description);
    w->cfg.author = keep(w, 1, cfg->author);
    w->cfg.hw = keep(w, 2, cfg->hw);
    w->cfg.device_id = keep(w, 3, cfg->device_id);
    w->cfg.mpxn = keep(w, 4, cfg->mpxn);
    w->cfg.calibration_id = keep(w, 5, cfg->calibration_id);
    w->cfg.engineer = keep(w, 6, cfg->engineer);
    w->cfg.site = keep(w, 7, cfg->site);
    if (cfg->n_annotations) {
        w->annotations = malloc(cfg->n_annotations * sizeof *w->annotations);
        if (!w->annotations) {
            free(w);
            return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", meta_path);
        }
        memcpy(w->annotations, cfg->annotations, cfg->n_annotations * sizeof *w->annotations);
    }
    w->cfg.annotations = w->annotations;
    if (hash_create(HASH_SHA512, &w->sha)) {
        free(w->annotations);
        free(w);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", meta_path);
    }
    rfn_status st = atomic_file_open(w->data_path, &w->data, err);
    if (st) {
        hash_destroy(w->sha);
        free(w->annotations);
        free(w);
        return st;
    }
    *out = w;
    return RFN_OK;
}

static void put_le16(unsigned char *p, int16_t v)
{
    uint16_t u = (uint16_t)v;
    p[0] = (unsigned char)u, p[1] = (unsigned char)(u >> 8);
}

static void put_le32f(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}

static int16_t to_i16(float x)
{
    /* Full scale 1.0 = 32768 (ARCHITECTURE.md §4); +1.0 itself saturates to 32767. */
    if (!(x == x)) return 0;
    double v = nearbyint((double)x * 32768.0);
    return (int16_t)(v > 32767.0 ? 32767 : v < -32768.0 ? -32768 : v);
}

rfn_status capture_writer_write(capture_writer *w, const float complex *buf, size_t n,
                                rfn_error *err)
{
    FILE *fp = atomic_file_stream(w->data);
    size_t comp = w->ci16 ? 2 : 4, per = (w->real ? 1 : 2) * comp, chunk = sizeof w->buf / per;
    for (size_t done = 0; done < n;) {
        size_t k = n - done < chunk ? n - done : chunk;
        unsigned char *p = w->buf;
        for (size_t j = 0; j < k; j++, p += per) {
            float i = crealf(buf[done + j]), q = cimagf(buf[done + j]);
            if (w->ci16)
                put_le16(p, to_i16(i));
            else
                put_le32f(p, i);
            if (!w->real && w->ci16)
                put_le16(p + 2, to_i16(q));
            else if (!w->real)
                put_le32f(p + 4, q);
        }
        size_t bytes = k * per;
        if (fwrite(w->buf, 1, bytes, fp) != bytes)
            return rfn_error_set(err, RFN_ERR_IO, "%s: write failed", w->data_path);
        hash_update(w->sha, w->buf, bytes);
        done += k;
        w->samples += (int64_t)k;
    }
    return RFN_OK;
}

static int set_text(json_t *obj, const char *key, const char *val)
{
    return val && *val ? json_object_set_new(obj, key, json_string(val)) : 0;
}

static json_t *build_meta(capture_writer *w, const char *sha_hex)
{
    const capture_writer_config *c = &w->cfg;
    json_t *root = json_object(), *global = json_object(), *caps = json_array(),
           *seg = json_object(), *anns = json_array();
    if (!root || !global || !caps || !seg || !anns) {
        json_decref(root), json_decref(global), json_decref(caps), json_decref(seg);
        json_decref(anns);
        return NULL;
    }
    int bad = json_object_set_new(root, "global", global);
    bad |= json_object_set_new(global, "core:datatype", json_string(c->datatype));
    bad |= json_object_set_new(global, "core:sample_rate", json_real(c->sample_rate_hz));
    bad |= json_object_set_new(global, "core:version", json_string("1.0.0"));
    bad |= json_object_set_new(global, "core:num_channels", json_integer(1));
    bad |= json_object_set_new(global, "core:sha512", json_string(sha_hex));
    bad |= json_object_set_new(global, "core:recorder", json_string("rfnoise"));
    bad |= set_text(global, "core:description", c->description);
    bad |= set_text(global, "core:author", c->author);
    bad |= set_text(global, "core:hw", c->hw);
    bad |= set_text(global, "rfnoise:device_id", c->device_id);
    bad |= set_text(global, "rfnoise:mpxn", c->mpxn);
    bad |= set_text(global, "rfnoise:calibration_id", c->calibration_id);
    bad |= set_text(global, "rfnoise:engineer", c->engineer);
    bad |= set_text(global, "rfnoise:site", c->site);
    bad |= json_object_set_new(global, "rfnoise:sample_count", json_integer(w->samples));
    if (isfinite(c->latitude_deg) && isfinite(c->longitude_deg)) {
        json_t *pt = json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", c->longitude_deg,
                               c->latitude_deg);
        if (pt && isfinite(c->altitude_m))
            json_array_append_new(json_object_get(pt, "coordinates"), json_real(c->altitude_m));
        bad |= !pt || json_object_set_new(global, "core:geolocation", pt);
    }
    bad |= json_object_set_new(root, "captures", caps);
    bad |= json_object_set_new(seg, "core:sample_start", json_integer(0));
    if (isfinite(c->center_freq_hz))
        bad |= json_object_set_new(seg, "core:frequency", json_real(c->center_freq_hz));
    bad |= set_text(seg, "core:datetime", c->datetime);
    bad |= json_array_append_new(caps, seg);
    bad |= json_object_set_new(root, "annotations", anns);
    for (size_t i = 0; i < c->n_annotations; i++) {
        const capture_annotation *a = &c->annotations[i];
        json_t *o = json_object();
        bad |= !o || json_array_append_new(anns, o);
        if (!o) break;
        bad |= json_object_set_new(o, "core:sample_start", json_integer(a->sample_start));
        if (a->sample_count >= 0)
            bad |= json_object_set_new(o, "core:sample_count", json_integer(a->sample_count));
        if (isfinite(a->freq_lo_hz))
            bad |= json_object_set_new(o, "core:freq_lower_edge", json_real(a->freq_lo_hz));
        if (isfinite(a->freq_hi_hz))
            bad |= json_object_set_new(o, "core:freq_upper_edge", json_real(a->freq_hi_hz));
        bad |= set_text(o, "core:label", a->label);
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

rfn_status capture_writer_commit(capture_writer *w, rfn_error *err)
{
    char hex[HASH_HEX_MAX];
    hash_final_hex(w->sha, hex);
    rfn_status st = RFN_OK;
    json_t *root = build_meta(w, hex);
    char *text =
        root ? json_dumps(root, JSON_INDENT(4) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(root);
    if (!text) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: cannot build the metadata", w->meta_path);
        atomic_file_abort(w->data);
        goto done;
    }
    /* Data first: a meta never names data that is not there. */
    st = atomic_file_commit(w->data, err);
    if (!st) {
        size_t len = strlen(text);
        text[len] = '\0';
        char *with_nl = malloc(len + 2);
        if (!with_nl) {
            st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", w->meta_path);
        } else {
            memcpy(with_nl, text, len);
            with_nl[len] = '\n';
            st = atomic_file_write_all(w->meta_path, with_nl, len + 1, err);
            free(with_nl);
        }
    }
    free(text);
done:
    hash_destroy(w->sha);
    free(w->annotations);
    free(w);
    return st;
}

void capture_writer_abort(capture_writer *w)
{
    if (!w) return;
    atomic_file_abort(w->data);
    hash_destroy(w->sha);
    free(w->annotations);
    free(w);
}
