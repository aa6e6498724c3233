/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_sigmf.c: the SigMF driver of capture_open: a recording given as either file of its
 * pair (x.sigmf-meta, x.sigmf-data) or as a .sigmf tar archive. The meta is parsed by sigmf.c,
 * the archive walked by capture_archive.c; the samples are read as headerless spans. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_driver.h"
#include "hash.h"
#include "io_guard.h"

#define MAX_META_BYTES (64 << 20)

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Read a whole small file (the SigMF meta) into a NUL-terminated buffer. */
static rfn_status slurp(const char *path, char **out, size_t *len, rfn_error *err)
{
    *out = NULL;
    FILE *fp;
    rfn_status st = io_fopen_input(path, &fp, NULL, err);
    if (st)
        return st;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? 2 * cap : 65536 + 1;
            char *nb = cap > MAX_META_BYTES ? NULL : realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return rfn_error_set(err, RFN_ERR_UNSUPPORTED, "%s: metadata larger than %d MiB",
                                     path, MAX_META_BYTES >> 20);
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, 65536, fp);
        n += got;
        if (got < 65536) break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return rfn_error_set(err, RFN_ERR_IO, "%s: read error", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return RFN_OK;
}

/* Hash [0, size) of fd and compare with the SigMF core:sha512. */
static rfn_status verify_sha512(int fd, int64_t offset, int64_t size, const char *expect,
                                const char *name, rfn_error *err)
{
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    if (!buf) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    hash_ctx *ctx = NULL;
    if (hash_create(HASH_SHA512, &ctx)) {
        free(buf);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    for (int64_t done = 0; done < size;) {
        size_t want = size - done < CHUNK ? (size_t)(size - done) : CHUNK;
        ssize_t n = pread(fd, buf, want, (off_t)(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            free(buf);
            hash_destroy(ctx);
            return rfn_error_set(err, RFN_ERR_IO, "%s: offset %lld: read failed while hashing",
                                 name, (long long)done);
        }
        hash_update(ctx, buf, (size_t)n);
        done += n;
    }
    free(buf);
    char hex[HASH_HEX_MAX];
    hash_final_hex(ctx, hex);
    hash_destroy(ctx);
    if (strcmp(hex, expect) != 0)
        return rfn_error_set(
            err, RFN_ERR_CONFLICT,
            "%s: core:sha512 mismatch: meta says %.16s..., data hashes to %.16s...", name, expect,
            hex);
    return RFN_OK;
}


/* The two files of a recording, or the two members of an archive, as named in messages. */
typedef struct sigmf_files {
    char meta_path[CAPTURE_PATH_MAX + 16], data_name[CAPTURE_PATH_MAX + 300];
    char *text; /* the meta's JSON, NUL-terminated */
    size_t text_len;
    int64_t data_off, data_len; /* the data's bytes in c->fd */
} sigmf_files;

/* The meta member of the recording opt->recording of the archive at path (c->fd), and where its
 * data member lies; meta.recording names the recording. */
static rfn_status read_archive_meta(capture *c, const char *path, const capture_options *opt,
                                    sigmf_files *f, rfn_error *err)
{
    capture_meta *m = &c->meta;
    int64_t size = 0;
    rfn_status st;
    if ((st = capture_open_file(c, path, &size, err))) return st;
    tar_member tm, td;
    if ((st = capture_archive_find(c->fd, size, path, opt->recording, &tm, &td, err))) return st;
    capture_copy_text(m->recording, sizeof m->recording, tm.name);
    char *dot = strrchr(m->recording, '.'), *slash = strrchr(m->recording, '/');
    if (dot) *dot = '\0';
    if (slash) memmove(m->recording, slash + 1, strlen(slash + 1) + 1);
    if (tm.size > MAX_META_BYTES)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED, "%s: metadata larger than %d MiB", path,
                             MAX_META_BYTES >> 20);
    f->text = malloc((size_t)tm.size + 1);
    if (!f->text) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    if (pread(c->fd, f->text, (size_t)tm.size, (off_t)tm.offset) != (ssize_t)tm.size)
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot read %s", path, tm.name);
    f->text[tm.size] = '\0';
    f->text_len = (size_t)tm.size;
    snprintf(f->meta_path, sizeof f->meta_path, "%s:%s", path, tm.name);
    snprintf(f->data_name, sizeof f->data_name, "%s:%s", path, td.name);
    f->data_off = td.offset, f->data_len = td.size;
    snprintf(m->container, sizeof m->container, "sigmf-archive");
    return RFN_OK;
}

/* The .sigmf-meta of the pair path names either file of. */
static rfn_status read_pair_meta(capture *c, const char *path, sigmf_files *f, rfn_error *err)
{
    size_t stem = strlen(path) - strlen(".sigmf-meta"); /* both suffixes have one length */
    snprintf(f->meta_path, sizeof f->meta_path, "%.*s.sigmf-meta", (int)stem, path);
    snprintf(f->data_name, sizeof f->data_name, "%.*s.sigmf-data", (int)stem, path);
    rfn_status st = slurp(f->meta_path, &f->text, &f->text_len, err);
    if (st) {
        if (st == RFN_ERR_NOTFOUND)
            rfn_error_set(err, st, "%s: no such file (the metadata of %s)", f->meta_path, path);
        return st;
    }
    snprintf(c->meta.container, sizeof c->meta.container, "sigmf");
    return RFN_OK;
}

/* Open the data file of a pair: x.sigmf-data, or the non-conforming dataset the meta names,
 * beside it. */
static rfn_status open_pair_data(capture *c, const sigmf_meta *sm, sigmf_files *f, rfn_error *err)
{
    if (sm->dataset[0]) {
        const char *slash = strrchr(f->meta_path, '/');
        snprintf(f->data_name, sizeof f->data_name, "%.*s%s",
                 slash ? (int)(slash - f->meta_path + 1) : 0, f->meta_path, sm->dataset);
    }
    int64_t size = 0;
    rfn_status st = capture_open_file(c, f->data_name, &size, err);
    if (st == RFN_ERR_NOTFOUND)
        return rfn_error_set(err, st, "%s: no such file (the data of %s)", f->data_name,
                             f->meta_path);
    if (st) return st;
    f->data_off = 0, f->data_len = size;
    return RFN_OK;
}

/* The data's room for the header and trailing bytes the meta names, and its core:sha512 when
 * --verify asks. */
static rfn_status check_data(capture *c, const sigmf_meta *sm, const sigmf_files *f,
                             const capture_options *opt, rfn_error *err)
{
    if (sm->header_bytes + sm->trailing_bytes > f->data_len)
        return rfn_error_set(err, RFN_ERR_TRUNCATED,
                             "%s: offset %lld: data shorter than the %lld header and %lld trailing "
                             "bytes the meta names (captures[].core:header_bytes, "
                             "global.core:trailing_bytes)",
                             f->data_name, (long long)f->data_len, (long long)sm->header_bytes,
                             (long long)sm->trailing_bytes);
    rfn_status st;
    if (opt->verify_sha512 && sm->sha512[0] &&
        (st = verify_sha512(c->fd, f->data_off, f->data_len, sm->sha512, f->data_name, err)))
        return st;
    if (opt->verify_sha512 && !sm->sha512[0])
        capture_warn(c, "%s: --verify asked but the meta has no core:sha512", f->meta_path);
    return RFN_OK;
}

/* The samples the data holds (len bytes of them) against what the meta says: its
 * rfnoise:sample_count, where its captures[] start and its annotations end. */
static rfn_status check_counts(capture *c, const sigmf_meta *sm, const char *data_name,
                               int64_t len, const capture_options *opt, rfn_error *err)
{
    int64_t count = c->meta.sample_count;
    if (sm->sample_count >= 0 && sm->sample_count != count) {
        if (sm->sample_count > count && !opt->allow_truncated)
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: data holds %lld samples but the meta claims "
                                 "%lld (rfnoise:sample_count)",
                                 data_name, (long long)len, (long long)count,
                                 (long long)sm->sample_count);
        capture_warn(c, "%s: data holds %lld samples, meta claims %lld (rfnoise:sample_count)",
                     data_name, (long long)count, (long long)sm->sample_count);
    }
    for (size_t i = 0; i < sm->n_segments; i++)
        if (sm->segments[i].sample_start > count ||
            (i > 0 && sm->segments[i].sample_start == count))
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: data holds %lld samples but captures[%zu] "
                                 "starts at sample %lld",
                                 data_name, (long long)len, (long long)count, i,
                                 (long long)sm->segments[i].sample_start);
    for (size_t i = 0; i < sm->n_annotations; i++) {
        const capture_annotation *a = &sm->annotations[i];
        int64_t end = a->sample_start + (a->sample_count > 0 ? a->sample_count : 0);
        if (end > count)
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: data holds %lld samples but annotations[%zu] "
                                 "ends at sample %lld",
                                 data_name, (long long)len, (long long)count, i, (long long)end);
    }
    return RFN_OK;
}

/* Read the segments' samples as one headerless stream: each segment's header bytes come just
 * before its samples. */
static rfn_status open_segments(capture *c, const sigmf_meta *sm, const sigmf_files *f, int fb,
                                rfn_error *err)
{
    capture_span *spans = malloc(sm->n_segments * sizeof *spans);
    if (!spans) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", f->data_name);
    int64_t data_off = f->data_off, count = c->meta.sample_count;
    for (size_t i = 0, n = sm->n_segments; i < n; i++) {
        int64_t first = i ? sm->segments[i].sample_start : 0;
        int64_t end = i + 1 < n ? sm->segments[i + 1].sample_start : count;
        data_off += sm->segments[i].header_bytes;
        spans[i] = (capture_span){data_off + first * fb, (end - first) * fb};
    }
    rfn_status st = capture_sf_open_raw(c->fd, spans, sm->n_segments, &c->dt,
                                        fb / sigmf_datatype_bytes(&c->dt), f->data_name, &c->sf,
                                        err);
    free(spans);
    return st;
}

/* Open a SigMF recording: a pair (either file named) or a .sigmf archive. */
static rfn_status open_recording(capture *c, const char *path, const capture_options *opt,
                                 sigmf_files *f, rfn_error *err)
{
    capture_meta *m = &c->meta;
    sigmf_meta *sm = &c->sm;
    int archive = ends_with(path, ".sigmf");
    rfn_status st = archive ? read_archive_meta(c, path, opt, f, err)
                            : read_pair_meta(c, path, f, err);
    if (st) return st;
    st = sigmf_meta_parse(f->text, f->text_len, f->meta_path, sm, err);
    if (st) return st;
    c->has_sigmf = 1;
    if (!archive && (st = open_pair_data(c, sm, f, err))) return st;
    capture_copy_text(m->data_path, sizeof m->data_path, f->data_name);
    if ((st = check_data(c, sm, f, opt, err))) return st;
    c->dt = sm->dt;
    m->channels = sm->num_channels;
    int fb = capture_frame_bytes(&c->dt, m->channels);
    /* Non-conforming data: each segment's header bytes come just before its samples, and the
     * trailing bytes (a footer) end the file; neither is a sample. */
    int64_t len = f->data_len - sm->header_bytes - sm->trailing_bytes;
    if ((st = capture_check_length(c, f->data_name, sm->segments[0].header_bytes, len, fb,
                                   opt->allow_truncated, err)) ||
        (st = check_counts(c, sm, f->data_name, len, opt, err)))
        return st;
    return open_segments(c, sm, f, fb, err);
}

static int sigmf_probe(const capture_probe *p)
{
    return ends_with(p->path, ".sigmf-meta") || ends_with(p->path, ".sigmf-data") ||
           ends_with(p->path, ".sigmf");
}

static rfn_status sigmf_open(capture *c, const capture_probe *p, const capture_options *opt,
                             rfn_error *err)
{
    sigmf_files f = {0};
    rfn_status st = open_recording(c, p->path, opt, &f, err);
    free(f.text);
    if (st) return st;
    c->meta.src_format = CAPTURE_SRC_SIGMF;
    if (p->forced && capture_datatype_differs(p->forced, &c->sm.dt))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: --datatype %s, but the SigMF meta says %s (--datatype is the "
                             "sample type of a raw input; an output's is --format)",
                             p->path, p->forced_name, c->sm.datatype);
    return RFN_OK;
}

const capture_driver capture_driver_sigmf = {
    .name = "sigmf",
    .by_path = 1,
    .probe = sigmf_probe,
    .open = sigmf_open,
};
