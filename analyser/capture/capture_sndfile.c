/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_sndfile.c: the only file that includes sndfile.h: containers through libsndfile's
 * header parsers, and headerless samples (raw files, SigMF data, WAV data chunks) through its RAW
 * format, both over a virtual file that concatenates byte spans of an open descriptor; and the
 * libsndfile driver of capture_open (W64, FLAC, CAF, AIFF: the containers besides the RIFF
 * family). */
#include <errno.h>
#include <limits.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "capture_driver.h"
#include "capture_internal.h"

/* The virtual file: spans of fd presented as one contiguous stream starting at 0. */
typedef struct vfile {
    int fd;
    capture_span *spans;
    size_t n_spans;
    int64_t total, pos;
    size_t cur;       /* span holding the last position read */
    int64_t cur_base; /* stream position where span cur starts */
    int io_errno;
} vfile;

struct capture_sf {
    SNDFILE *sf;
    vfile *vf;
    int components;
    int frame_bytes; /* > 0: sf_read_raw gives the samples as stored (capture_sf_raw_ok) */
    char name[CAPTURE_PATH_MAX];
};

static sf_count_t vf_len(void *user)
{
    return ((vfile *)user)->total;
}

static sf_count_t vf_seek(sf_count_t off, int whence, void *user)
{
    vfile *v = user;
    int64_t np = whence == SEEK_SET ? off : whence == SEEK_CUR ? v->pos + off : v->total + off;
    if (np < 0) return -1;
    v->pos = np;
    return np;
}

/* Find the span holding position pos, starting from the cached one (reads are sequential). */
static int vf_locate(vfile *v, int64_t pos)
{
    if (pos < v->cur_base) {
        v->cur = 0;
        v->cur_base = 0;
    }
    while (v->cur < v->n_spans && pos >= v->cur_base + v->spans[v->cur].length) {
        v->cur_base += v->spans[v->cur].length;
        v->cur++;
    }
    return v->cur < v->n_spans;
}

static sf_count_t vf_read(void *ptr, sf_count_t count, void *user)
{
    vfile *v = user;
    sf_count_t done = 0;
    while (done < count && vf_locate(v, v->pos)) {
        const capture_span *s = &v->spans[v->cur];
        int64_t in = v->pos - v->cur_base, left = s->length - in;
        size_t want = (size_t)(count - done < left ? count - done : left);
        ssize_t n = pread(v->fd, (char *)ptr + done, want, (off_t)(s->offset + in));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            v->io_errno = errno;
            break;
        }
        if (n == 0) break;
        done += n;
        v->pos += n;
    }
    return done;
}

static sf_count_t vf_write(const void *ptr, sf_count_t count, void *user)
{
    (void)ptr, (void)count, (void)user;
    return 0;
}

static sf_count_t vf_tell(void *user)
{
    return ((vfile *)user)->pos;
}

const char *capture_sf_version(void)
{
    return sf_version_string();
}

/* libsndfile's open errors speak of its own structs ("SF_INFO struct incomplete"): say what is
 * wrong with the file instead. */
static const char *open_reason(const char *msg)
{
    if (strstr(msg, "SF_INFO struct incomplete"))
        return "the header gives a sample rate or channel count of 0: a damaged header?";
    if (strstr(msg, "Bad format field in SF_INFO"))
        return "the samples' datatype or channel count is not readable";
    return msg;
}

static int subtype_of(const sigmf_datatype *dt)
{
    if (dt->is_float) return dt->bits == 64 ? SF_FORMAT_DOUBLE : SF_FORMAT_FLOAT;
    switch (dt->bits) {
    case 8:
        return dt->is_signed ? SF_FORMAT_PCM_S8 : SF_FORMAT_PCM_U8;
    case 16:
        return SF_FORMAT_PCM_16;
    case 24:
        return SF_FORMAT_PCM_24;
    case 32:
        return SF_FORMAT_PCM_32;
    default:
        return 0;
    }
}

rfn_status capture_sf_open_raw(int fd, const capture_span *spans, size_t n_spans,
                               const sigmf_datatype *dt, int components, const char *name,
                               capture_sf **out, rfn_error *err)
{
    *out = NULL;
    int sub = subtype_of(dt);
    if (!sub || (!dt->is_signed && dt->bits > 8))
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED, "%s: samples of %d-bit %s are not supported",
                             name, dt->bits, dt->is_signed ? "signed" : "unsigned");
    if (components < 1 || components > 1024) /* libsndfile's SF_MAX_CHANNELS */
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: %d values per frame (channels x I/Q, core:num_channels): at most "
                             "1024 are supported",
                             name, components);
    capture_sf *s = calloc(1, sizeof *s);
    vfile *v = calloc(1, sizeof *v);
    capture_span *sp = malloc((n_spans ? n_spans : 1) * sizeof *sp);
    if (!s || !v || !sp) {
        free(s), free(v), free(sp);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
    }
    memcpy(sp, spans, n_spans * sizeof *sp);
    v->fd = fd, v->spans = sp, v->n_spans = n_spans;
    for (size_t i = 0; i < n_spans; i++)
        v->total += sp[i].length;
    s->vf = v;
    s->components = components;
    if (dt->bits != 24)
        s->frame_bytes = components * dt->bits / 8;
    snprintf(s->name, sizeof s->name, "%s", name);
    SF_VIRTUAL_IO io = {vf_len, vf_seek, vf_read, vf_write, vf_tell};
    SF_INFO info = {0};
    info.samplerate = 1; /* unused for RAW; rfnoise keeps the real rate as a double */
    info.channels = components;
    info.format = SF_FORMAT_RAW | sub | (dt->big_endian ? SF_ENDIAN_BIG : SF_ENDIAN_LITTLE);
    s->sf = sf_open_virtual(&io, SFM_READ, &info, v);
    if (!s->sf) {
        rfn_status st =
            rfn_error_set(err, RFN_ERR_EXTERNAL, "%s: libsndfile: %s", name,
                          open_reason(sf_strerror(NULL)));
        capture_sf_close(s);
        return st;
    }
    *out = s;
    return RFN_OK;
}

/* The datatype as stored of a container's libsndfile format (0 bits: an encoding the reader
 * refuses, lossy or companded). */
static sigmf_datatype stored_datatype(int format)
{
    int major = format & SF_FORMAT_TYPEMASK, sub = format & SF_FORMAT_SUBMASK;
    sigmf_datatype dt = {0};
    dt.is_signed = 1;
    switch (sub) {
    case SF_FORMAT_PCM_U8:
        dt.is_signed = 0, dt.bits = 8;
        break;
    case SF_FORMAT_PCM_S8:
        dt.bits = 8;
        break;
    case SF_FORMAT_PCM_16:
        dt.bits = 16;
        break;
    case SF_FORMAT_PCM_24:
        dt.bits = 24;
        break;
    case SF_FORMAT_PCM_32:
        dt.bits = 32;
        break;
    case SF_FORMAT_FLOAT:
        dt.is_float = 1, dt.bits = 32;
        break;
    case SF_FORMAT_DOUBLE:
        dt.is_float = 1, dt.bits = 64;
        break;
    default:
        break;
    }
    /* Byte order as stored, for the datatype name: AIFF and CAF default to big-endian. */
    int endian = format & SF_FORMAT_ENDMASK;
    dt.big_endian =
        endian == SF_ENDIAN_BIG ||
        ((major == SF_FORMAT_AIFF || major == SF_FORMAT_CAF) && endian != SF_ENDIAN_LITTLE);
    return dt;
}

/* rfnoise's name of a container libsndfile reads, or NULL for one not taken as a capture. */
static const char *container_name(int major)
{
    static const struct {
        int major;
        const char *name;
    } majors[] = {
        {SF_FORMAT_WAV, "wav"},   {SF_FORMAT_WAVEX, "wav"}, {SF_FORMAT_RF64, "rf64"},
        {SF_FORMAT_W64, "w64"},   {SF_FORMAT_FLAC, "flac"}, {SF_FORMAT_CAF, "caf"},
        {SF_FORMAT_AIFF, "aiff"},
    };
    const char *cname = NULL;
    for (size_t i = 0; i < sizeof majors / sizeof majors[0]; i++)
        if (majors[i].major == major) cname = majors[i].name;
    return cname;
}

/* A container, an encoding and a channel count the reader takes, or one line saying which is
 * not. */
static rfn_status check_container(SNDFILE *sf, const SF_INFO *si, const char *cname,
                                  const sigmf_datatype *dt, const char *path, rfn_error *err)
{
    int major = si->format & SF_FORMAT_TYPEMASK, sub = si->format & SF_FORMAT_SUBMASK;
    SF_FORMAT_INFO fi = {.format = sub};
    const char *subname = sf_command(sf, SFC_GET_FORMAT_INFO, &fi, sizeof fi) == 0 && fi.name
                              ? fi.name
                              : "unknown encoding";
    if (!cname) {
        SF_FORMAT_INFO mi = {.format = major};
        sf_command(sf, SFC_GET_FORMAT_INFO, &mi, sizeof mi);
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: offset 0: %s files are not supported as captures (use WAV, "
                             "RF64, W64, FLAC, CAF or SigMF)",
                             path, mi.name ? mi.name : "these");
    }
    if (!dt->bits)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: offset 0: %s encoding is not supported (need PCM 8/16/24/32-bit "
                             "or float)",
                             path, subname);
    if (si->channels < 1)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 0: no channels", path);
    return RFN_OK;
}

rfn_status capture_sf_open_container(int fd, int64_t size, const char *path, capture_sf **out,
                                     capture_sf_info *info, rfn_error *err)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    SF_INFO si = {0};
    /* Through the descriptor already checked to be a regular file, and no further than its size
     * at open: libsndfile's own sf_open would open the path again (a FIFO put there since would
     * block it) and read a growing file's new bytes. */
    vfile *v = calloc(1, sizeof *v);
    capture_span *sp = malloc(sizeof *sp);
    if (!v || !sp) {
        free(v), free(sp);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    *sp = (capture_span){0, size};
    v->fd = fd, v->spans = sp, v->n_spans = 1, v->total = size;
    SF_VIRTUAL_IO io = {vf_len, vf_seek, vf_read, vf_write, vf_tell};
    SNDFILE *sf = sf_open_virtual(&io, SFM_READ, &si, v);
    if (!sf) {
        free(sp), free(v);
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 0: not a readable capture (%s)", path,
                             open_reason(sf_strerror(NULL)));
    }
    int major = si.format & SF_FORMAT_TYPEMASK;
    const char *cname = container_name(major);
    sigmf_datatype dt = stored_datatype(si.format);
    rfn_status st = check_container(sf, &si, cname, &dt, path, err);
    capture_sf *s = st ? NULL : calloc(1, sizeof *s);
    if (!s) {
        sf_close(sf);
        free(sp), free(v);
        return st ? st : rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    s->sf = sf;
    s->vf = v;
    s->components = si.channels;
    /* The RIFF family holds PCM and float samples as plain arrays in its data chunk (FLAC, CAF and
     * AIFF go through libsndfile's conversion). */
    if ((major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64 ||
         major == SF_FORMAT_W64) && dt.bits != 24)
        s->frame_bytes = si.channels * dt.bits / 8;
    snprintf(s->name, sizeof s->name, "%s", path);
    snprintf(info->container, sizeof info->container, "%s", cname);
    info->dt = dt;
    info->channels = si.channels;
    info->samplerate = si.samplerate;
    info->frames = si.frames;
    *out = s;
    return RFN_OK;
}

rfn_status capture_sf_read(capture_sf *s, float *buf, int64_t frames, int64_t *got, rfn_error *err)
{
    *got = 0;
    sf_count_t n = sf_readf_float(s->sf, buf, frames);
    if (n < 0 || (n == 0 && sf_error(s->sf)) || (s->vf && s->vf->io_errno))
        return rfn_error_set(err, RFN_ERR_IO, "%s: read failed: %s", s->name,
                             s->vf && s->vf->io_errno ? strerror(s->vf->io_errno)
                                                      : sf_strerror(s->sf));
    *got = n;
    return RFN_OK;
}

int capture_sf_raw_ok(const capture_sf *s)
{
    return s && s->frame_bytes > 0;
}

rfn_status capture_sf_read_bytes(capture_sf *s, void *buf, int64_t frames, int64_t *got,
                                 rfn_error *err)
{
    *got = 0;
    sf_count_t n = sf_read_raw(s->sf, buf, frames * s->frame_bytes);
    if (n < 0 || (n == 0 && sf_error(s->sf)) || (s->vf && s->vf->io_errno))
        return rfn_error_set(err, RFN_ERR_IO, "%s: read failed: %s", s->name,
                             s->vf && s->vf->io_errno ? strerror(s->vf->io_errno)
                                                      : sf_strerror(s->sf));
    *got = n / s->frame_bytes;
    return RFN_OK;
}

void capture_sf_close(capture_sf *s)
{
    if (!s) return;
    if (s->sf) sf_close(s->sf);
    if (s->vf) free(s->vf->spans);
    free(s->vf);
    free(s);
}

const char *capture_library_version(void)
{
    return sf_version_string();
}

/* ---- the driver ------------------------------------------------------------------------------ */

rfn_status capture_sndfile_open(capture *c, const capture_probe *p, capture_sf_info *info,
                                rfn_error *err)
{
    capture_meta *m = &c->meta;
    rfn_status st = capture_sf_open_container(c->fd, p->size, p->path, &c->sf, info, err);
    if (st) return st;
    c->dt = info->dt;
    m->channels = info->channels;
    m->sample_count = info->frames;
    c->hdr_rate = info->samplerate;
    snprintf(m->container, sizeof m->container, "%s", info->container);
    return RFN_OK;
}

rfn_status capture_container_done(capture *c, const capture_probe *p, rfn_error *err)
{
    capture_meta *m = &c->meta;
    m->src_format = CAPTURE_SRC_HEADER;
    if (p->forced)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: --datatype %s, but the file has a %s header that gives "
                             "its sample type (--datatype is for raw inputs)",
                             p->path, p->forced_name, m->container);
    if (m->channels == 2) { /* a 2-channel container is I/Q */
        c->dt.is_complex = 1;
        m->channels = 1;
    }
    return RFN_OK;
}

/* The magic numbers of the containers besides the RIFF family (capture_riff.c): W64, FLAC, CAF,
 * AIFF. */
static int sndfile_magic(const capture_probe *p)
{
    const unsigned char *h = p->head;
    return p->head_len >= 4 && (!memcmp(h, "riff", 4) || !memcmp(h, "fLaC", 4) ||
                                !memcmp(h, "caff", 4) || !memcmp(h, "FORM", 4));
}

/* By magic, and any file that nothing else claims and has no raw datatype from --datatype or
 * its name (libsndfile knows more headers than the magic numbers here). */
static int sndfile_probe(const capture_probe *p)
{
    return sndfile_magic(p) || (!p->forced && !p->name->format[0]);
}

static rfn_status sndfile_open(capture *c, const capture_probe *p, const capture_options *opt,
                               rfn_error *err)
{
    (void)opt;
    capture_sf_info info;
    rfn_status st = capture_sndfile_open(c, p, &info, err);
    if (st == RFN_ERR_FORMAT && !sndfile_magic(p))
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: offset 0: not a WAV/RF64/W64/FLAC/CAF or SigMF file; for a raw "
                             "file give its datatype with --datatype or a prefix such as "
                             "cs16:%s",
                             p->path, p->path);
    if (st) return st;
    return capture_container_done(c, p, err);
}

const capture_driver capture_driver_sndfile = {
    .name = "sndfile",
    .probe = sndfile_probe,
    .open = sndfile_open,
};
