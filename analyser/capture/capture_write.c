/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_write.c: write a SigMF recording (cf32_le or ci16_le) with full metadata: a pair, both
 * files through atomic_file so that a reader never sees a half-written recording, or a .sigmf
 * archive (one tar, written the same way). */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "capture.h"
#include "hash.h"
#include "sigmf.h"

/* A recording's name in an archive: NAME/NAME.sigmf-meta must fit a ustar name (100 bytes) once
 * NAME goes to the 155-byte prefix field. */
#define ARCHIVE_NAME_MAX 88
#include "io_guard.h"

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
    int64_t samples, data_bytes;
    int archive;                /* 1: meta_path is a .sigmf archive, data its tar stream */
    char name[ARCHIVE_NAME_MAX + 1]; /* the recording's name: the archive's folder and stem */
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

/* ---- SigMF archive: a POSIX ustar tar holding the folder NAME/ with NAME.sigmf-meta and
 * NAME.sigmf-data (SigMF "Archive Format"). The data member comes first so that it can be
 * streamed: its header is written again with the size at commit. Times are 0, so that the same
 * recording gives the same bytes. */

/* An octal number field (len bytes, NUL-terminated), or GNU's base-256 form when it is too big
 * (the size of a data member of 8 GiB or more). */
static void tar_number(unsigned char *field, size_t len, uint64_t v)
{
    if (v < (1ull << (3 * (len - 1)))) {
        snprintf((char *)field, len, "%0*llo", (int)(len - 1), (unsigned long long)v);
        return;
    }
    memset(field, 0, len);
    field[0] = 0x80;
    for (size_t i = len - 1; i > 0 && v; i--, v >>= 8)
        field[i] = (unsigned char)(v & 0xff);
}

/* A ustar header for name (a file of size bytes, or a folder when ext is NULL): "NAME/" or
 * "NAME/NAME<ext>", with NAME in the prefix field when the whole does not fit the name field. */
static void tar_header(unsigned char h[512], const char *name, const char *ext, uint64_t size)
{
    memset(h, 0, 512);
    size_t n = strlen(name);
    if (!ext)
        snprintf((char *)h, 100, "%s/", name);
    else if (2 * n + 1 + strlen(ext) < 100)
        snprintf((char *)h, 100, "%s/%s%s", name, name, ext);
    else {
        snprintf((char *)h, 100, "%s%s", name, ext);
        memcpy(h + 345, name, n);
    }
    tar_number(h + 100, 8, ext ? 0644 : 0755);
    tar_number(h + 108, 8, 0);
    tar_number(h + 116, 8, 0);
    tar_number(h + 124, 12, size);
    tar_number(h + 136, 12, 0);
    h[156] = ext ? '0' : '5';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

/* Zero bytes up to the next 512-byte block after len bytes. */
static int tar_pad(FILE *fp, uint64_t len)
{
    static const unsigned char zeros[512];
    size_t pad = (size_t)((512 - len % 512) % 512);
    return fwrite(zeros, 1, pad, fp) == pad ? 0 : -1;
}

/* The archive's name (path without ".sigmf", folders dropped) into w->name. */
static rfn_status archive_name(capture_writer *w, const char *path, size_t stem, rfn_error *err)
{
    const char *start = path + stem;
    while (start > path && start[-1] != '/')
        start--;
    size_t n = stem - (size_t)(start - path);
    if (n == 0 || n > ARCHIVE_NAME_MAX)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: the recording name must be 1 to %d bytes in a SigMF archive",
                             path, ARCHIVE_NAME_MAX);
    memcpy(w->name, start, n);
    w->name[n] = '\0';
    return RFN_OK;
}

/* The folder and a header for the data member, whose size is filled in at commit. */
static rfn_status archive_start(capture_writer *w, rfn_error *err)
{
    unsigned char h[1024];
    tar_header(h, w->name, NULL, 0);
    memset(h + 512, 0, 512);
    if (fwrite(h, 1, sizeof h, atomic_file_stream(w->data)) != sizeof h)
        return rfn_error_set(err, RFN_ERR_IO, "%s: write failed", w->data_path);
    return RFN_OK;
}

/* After the data: the meta member, the end-of-archive blocks, then the data header's size. */
static rfn_status archive_finish(capture_writer *w, const char *meta, size_t meta_len,
                                 rfn_error *err)
{
    FILE *fp = atomic_file_stream(w->data);
    unsigned char h[512];
    static const unsigned char zeros[1024];
    tar_header(h, w->name, ".sigmf-meta", meta_len);
    int bad = tar_pad(fp, (uint64_t)w->data_bytes) || fwrite(h, 1, 512, fp) != 512 ||
              fwrite(meta, 1, meta_len, fp) != meta_len || tar_pad(fp, meta_len) ||
              fwrite(zeros, 1, sizeof zeros, fp) != sizeof zeros;
    tar_header(h, w->name, ".sigmf-data", (uint64_t)w->data_bytes);
    bad = bad || fseek(fp, 512, SEEK_SET) != 0 || fwrite(h, 1, 512, fp) != 512 ||
          fseek(fp, 0, SEEK_END) != 0;
    return bad ? rfn_error_set(err, RFN_ERR_IO, "%s: write failed", w->data_path) : RFN_OK;
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
    int archive = n > 6 && strcmp(meta_path + n - 6, ".sigmf") == 0;
    const char *ext = archive ? ".sigmf" : ".sigmf-meta";
    size_t stem =
        n >= strlen(ext) && strcmp(meta_path + n - strlen(ext), ext) == 0 ? n - strlen(ext) : n;
    if (stem == 0 || stem >= CAPTURE_PATH_MAX)
        return rfn_error_set(err, RFN_ERR_INVALID, "'%s': not a usable .sigmf-meta path",
                             meta_path);
    capture_writer *w = calloc(1, sizeof *w);
    if (!w) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", meta_path);
    w->archive = archive;
    snprintf(w->meta_path, sizeof w->meta_path, "%.*s.sigmf-meta", (int)stem, meta_path);
    snprintf(w->data_path, sizeof w->data_path, "%.*s.sigmf-data", (int)stem, meta_path);
    if (archive) {
        snprintf(w->meta_path, sizeof w->meta_path, "%s", meta_path);
        snprintf(w->data_path, sizeof w->data_path, "%s", meta_path);
        rfn_status st = archive_name(w, meta_path, stem, err);
        if (st) {
            free(w);
            return st;
        }
    }
    /* The meta is written last, at commit: check it against the inputs now, with the data. */
    rfn_status gst = io_declare_output(w->meta_path, err);
    if (gst) {
        free(w);
        return gst;
    }
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
    if (!st && archive && (st = archive_start(w, err)))
        atomic_file_abort(w->data);
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
    /* Full scale 1.0 = 32768 (docs/architecture.md §Units); +1.0 itself saturates to 32767. */
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
        w->data_bytes += (int64_t)bytes;
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
    bad |= json_object_set_new(global, "core:version", json_string(SIGMF_WRITE_VERSION));
    /* The rfnoise: keys are an extension (docs/sigmf-extension.md), declared as SigMF asks:
     * optional, since a reader without it still reads the samples right. */
    bad |= json_object_set_new(global, "core:extensions",
                               json_pack("[{s:s, s:s, s:b}]", "name", "rfnoise", "version",
                                         SIGMF_RFNOISE_EXT_VERSION, "optional", 1));
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
    /* SigMF times are UTC ("...Z"); a local time of unknown zone (from a file name) is left out. */
    if (c->datetime && c->datetime[strlen(c->datetime) - 1] == 'Z')
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

/* The meta as text with a final newline; NULL when out of memory. */
static char *meta_text(capture_writer *w, size_t *len)
{
    char hex[HASH_HEX_MAX];
    hash_final_hex(w->sha, hex);
    json_t *root = build_meta(w, hex);
    char *text =
        root ? json_dumps(root, JSON_INDENT(4) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(root);
    char *with_nl = text ? malloc(strlen(text) + 2) : NULL;
    if (with_nl) {
        *len = strlen(text) + 1;
        memcpy(with_nl, text, *len - 1);
        with_nl[*len - 1] = '\n';
        with_nl[*len] = '\0';
    }
    free(text);
    return with_nl;
}

rfn_status capture_writer_commit(capture_writer *w, rfn_error *err)
{
    rfn_status st = RFN_OK;
    size_t len = 0;
    char *text = meta_text(w, &len);
    if (!text) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: cannot build the metadata", w->meta_path);
        atomic_file_abort(w->data);
    } else if (w->archive) {
        if ((st = archive_finish(w, text, len, err)))
            atomic_file_abort(w->data);
        else
            st = atomic_file_commit(w->data, err);
    } else if (!(st = atomic_file_commit(w->data, err))) {
        /* Data first: a meta never names data that is not there. */
        st = atomic_file_write_all(w->meta_path, text, len, err);
    }
    free(text);
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
