/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_riff.c: the RIFF/WAVE, RF64 and BW64 driver of capture_open. A small walker over the
 * chunks (EBU Tech 3306) finds what libsndfile does not expose: the auxi chunk of
 * SDR#/HDSDR/SDRangel, every data chunk (KiwiSDR writes many), and data sizes that disagree with
 * the file's length; libsndfile then reads a file of one data chunk, and the reader the spans of
 * several itself. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_driver.h"

#define MAX_DATA_CHUNKS (1u << 20)

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Read exactly len bytes at off, or fewer at the end of the file; -1 on an I/O error. */
static ssize_t read_at(int fd, void *buf, size_t len, int64_t off)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + (int64_t)done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

void capture_riff_parse_auxi(const unsigned char *p, size_t len, capture_riff *r)
{
    r->has_auxi = 1;
    r->auxi_center_hz = NAN;
    r->auxi_time[0] = '\0';
    if (len < 36) return;
    /* SYSTEMTIME: year, month, day-of-week, day, hour, minute, second, millisecond (uint16). */
    unsigned y = le16(p), mo = le16(p + 2), d = le16(p + 6), h = le16(p + 8), mi = le16(p + 10),
             s = le16(p + 12), ms = le16(p + 14);
    if (y >= 1980 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 &&
        s <= 60 && ms <= 999)
        snprintf(r->auxi_time, sizeof r->auxi_time, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", y, mo, d,
                 h, mi, s, ms);
    uint32_t f = le32(p + 32);
    if (f > 0) r->auxi_center_hz = (double)f;
}

void capture_riff_free(capture_riff *r)
{
    if (!r) return;
    free(r->data);
    r->data = NULL;
    r->n_data = 0;
}

static int printable_id(const unsigned char *id)
{
    for (int i = 0; i < 4; i++)
        if (id[i] < 0x20 || id[i] > 0x7e) return 0;
    return 1;
}

static rfn_status scan(int fd, int64_t file_size, const char *name, capture_riff *out,
                       rfn_error *err);

rfn_status capture_riff_scan(int fd, int64_t file_size, const char *name, capture_riff *out,
                             rfn_error *err)
{
    rfn_status st = scan(fd, file_size, name, out, err);
    if (st) capture_riff_free(out);
    return st;
}

static rfn_status scan(int fd, int64_t file_size, const char *name, capture_riff *out,
                       rfn_error *err)
{
    memset(out, 0, sizeof *out);
    out->auxi_center_hz = NAN;
    out->file_size = file_size;
    unsigned char h[64];
    ssize_t n = read_at(fd, h, 12, 0);
    if (n < 0) return rfn_error_set(err, RFN_ERR_IO, "%s: offset 0: %s", name, strerror(errno));
    if (n < 12 || memcmp(h + 8, "WAVE", 4) != 0) return RFN_OK;
    int rf64 = memcmp(h, "RF64", 4) == 0 || memcmp(h, "BW64", 4) == 0;
    if (!rf64 && memcmp(h, "RIFF", 4) != 0) return RFN_OK;
    out->is_riff = 1;
    snprintf(out->kind, sizeof out->kind, "%s", rf64 ? "rf64" : "wav");
    uint64_t ds64_data = 0;
    int have_ds64 = 0;
    size_t cap = 0;

    for (int64_t pos = 12; pos + 8 <= file_size;) {
        if (read_at(fd, h, 8, pos) != 8)
            return rfn_error_set(err, RFN_ERR_IO, "%s: offset %lld: cannot read chunk header", name,
                                 (long long)pos);
        if (!printable_id(h))
            break; /* trailing junk after the last chunk, as some recorders leave */
        uint64_t size = le32(h + 4);
        int64_t body = pos + 8, avail = file_size - body;
        if (memcmp(h, "ds64", 4) == 0) {
            if (size < 24 || read_at(fd, h + 8, 24, body) != 24)
                return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: ds64 chunk too short",
                                     name, (long long)pos);
            ds64_data = le64(h + 16);
            have_ds64 = 1;
        } else if (memcmp(h, "fmt ", 4) == 0) {
            unsigned char f[40] = {0};
            if (size < 16 || read_at(fd, f, size < 40 ? (size_t)size : 40, body) < 16)
                return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: fmt chunk too short",
                                     name, (long long)pos);
            out->has_fmt = 1;
            out->format_tag = le16(f);
            out->channels = (int)le16(f + 2);
            out->samplerate = le32(f + 4);
            out->block_align = (int)le16(f + 12);
            out->bits = (int)le16(f + 14);
            if (out->format_tag == 0xFFFE && size >= 40) /* WAVE_FORMAT_EXTENSIBLE sub-format */
                out->format_tag = le16(f + 24);
        } else if (memcmp(h, "auxi", 4) == 0) {
            unsigned char a[256];
            size_t want = size < sizeof a ? (size_t)size : sizeof a;
            ssize_t got = read_at(fd, a, want, body);
            if (got < 0)
                return rfn_error_set(err, RFN_ERR_IO, "%s: offset %lld: %s", name, (long long)body,
                                     strerror(errno));
            capture_riff_parse_auxi(a, (size_t)got, out);
        } else if (memcmp(h, "data", 4) == 0) {
            if (rf64 && size == 0xFFFFFFFFu && have_ds64) size = ds64_data;
            int unset = avail > 0 && (size == 0 || (!rf64 && size == 0xFFFFFFFFu));
            if (unset && size == 0 && avail >= 8) {
                /* An empty data chunk followed by another chunk is empty, not unfinalised. */
                unsigned char next[8];
                if (read_at(fd, next, 8, body) == 8 && printable_id(next) &&
                    (int64_t)le32(next + 4) <= avail - 8)
                    unset = 0;
            }
            if (out->n_data == cap) {
                if (cap >= MAX_DATA_CHUNKS)
                    return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                                         "%s: offset %lld: more than %u data chunks", name,
                                         (long long)pos, MAX_DATA_CHUNKS);
                size_t ncap = cap ? 2 * cap : 4;
                capture_span *d = realloc(out->data, ncap * sizeof *d);
                if (!d) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", name);
                out->data = d, cap = ncap;
            }
            if (unset && out->n_data == 0) {
                /* A recorder that never finalised its header: the data runs to the end. */
                out->data_size_unset = 1;
                out->data[out->n_data++] = (capture_span){body, avail};
                out->data_claimed += avail;
                break;
            }
            out->data_claimed += (int64_t)size;
            int64_t len = (int64_t)size <= avail ? (int64_t)size : avail;
            out->data[out->n_data++] = (capture_span){body, len < 0 ? 0 : len};
        }
        if (size > (uint64_t)INT64_MAX - (uint64_t)body - 1) break;
        pos = body + (int64_t)size + (int64_t)(size & 1);
    }
    return RFN_OK;
}

/* ---- the driver ------------------------------------------------------------------------------ */

/* The datatype of the fmt chunk, for data chunks read as headerless spans: PCM 8/16/24/32-bit or
 * float 32/64-bit, frames of block_align bytes. */
static rfn_status spans_datatype(const capture_riff *riff, const char *path, sigmf_datatype *dt,
                                 rfn_error *err)
{
    if (!riff->has_fmt || riff->channels < 1 || riff->channels > 1024)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 12: no usable fmt chunk", path);
    memset(dt, 0, sizeof *dt);
    dt->is_signed = riff->bits != 8;
    dt->bits = riff->bits;
    dt->is_float = riff->format_tag == 3;
    if (!((riff->format_tag == 1 &&
           (dt->bits == 8 || dt->bits == 16 || dt->bits == 24 || dt->bits == 32)) ||
          (riff->format_tag == 3 && (dt->bits == 32 || dt->bits == 64))) ||
        riff->block_align != riff->channels * dt->bits / 8)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: offset 12: WAV with %zu data chunks needs PCM 8/16/24/32-bit "
                             "or float samples (format tag %u, %d bits)",
                             path, riff->n_data, riff->format_tag, riff->bits);
    return RFN_OK;
}

/* Several data chunks, or one whose size was never set: libsndfile reads only one data chunk of
 * a declared size, so the reader reads the spans itself, as one byte stream (frames may straddle
 * chunk boundaries). */
static rfn_status open_spans(capture *c, const char *path, const capture_options *opt,
                             capture_riff *riff, rfn_error *err)
{
    capture_meta *m = &c->meta;
    rfn_status st;
    if ((st = spans_datatype(riff, path, &c->dt, err))) return st;
    m->channels = riff->channels;
    int64_t total = 0;
    for (size_t i = 0; i < riff->n_data; i++)
        total += riff->data[i].length;
    if ((st = capture_check_length(c, path, riff->data[0].offset, total, riff->block_align,
                                   opt->allow_truncated, err)))
        return st;
    if (riff->data_size_unset)
        capture_warn(c, "%s: data chunk size not set (recording not finalised?); read to end of "
                     "file", path);
    if (riff->n_data > 1)
        capture_warn(c, "%s: read %zu data chunks as one stream (KiwiSDR-style WAV)", path,
                     riff->n_data);
    /* Whole frames only: drop the partial frame's bytes from the last spans. */
    int64_t cut = c->stats.truncated_bytes;
    for (int64_t i = (int64_t)riff->n_data - 1; cut > 0 && i >= 0; i--) {
        int64_t k = cut < riff->data[i].length ? cut : riff->data[i].length;
        riff->data[i].length -= k;
        cut -= k;
    }
    snprintf(m->container, sizeof m->container, "%s", riff->kind);
    c->hdr_rate = riff->samplerate;
    return capture_sf_open_raw(c->fd, riff->data, riff->n_data, &c->dt, riff->channels, path,
                               &c->sf, err);
}

/* One data chunk, through libsndfile: its size against the file's length and the frame size. */
static rfn_status open_one_chunk(capture *c, const capture_probe *p, const capture_options *opt,
                                 const capture_riff *riff, rfn_error *err)
{
    capture_meta *m = &c->meta;
    const char *path = p->path;
    capture_sf_info info;
    rfn_status st;
    if ((st = capture_sndfile_open(c, p, &info, err))) return st;
    if (!riff->is_riff) return RFN_OK;
    snprintf(m->container, sizeof m->container, "%s", riff->kind);
    int64_t have = riff->data[0].length;
    int fb = riff->block_align > 0 ? riff->block_align : info.channels * info.dt.bits / 8;
    if (riff->data_claimed > have) {
        if (!opt->allow_truncated)
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: data chunk claims %lld bytes but the file "
                                 "ends after %lld (truncated file?)",
                                 path, (long long)p->size, (long long)riff->data_claimed,
                                 (long long)have);
        capture_warn(c, "%s: data chunk claims %lld bytes, file holds %lld", path,
                     (long long)riff->data_claimed, (long long)have);
    }
    if (fb > 0 && have % fb) {
        if (!opt->allow_truncated)
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: %lld trailing byte(s) are not a whole frame "
                                 "of %d bytes (truncated file?)",
                                 path, (long long)(riff->data[0].offset + have - have % fb),
                                 (long long)(have % fb), fb);
        c->stats.truncated_bytes = have % fb;
    }
    if (fb > 0 && have / fb != m->sample_count)
        m->sample_count = m->sample_count < have / fb ? m->sample_count : have / fb;
    return RFN_OK;
}

static rfn_status open_scanned(capture *c, const capture_probe *p, const capture_options *opt,
                               capture_riff *riff, rfn_error *err)
{
    if (riff->is_riff && riff->n_data == 0)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: no data chunk", p->path,
                             (long long)p->size);
    c->samples_offset = riff->n_data ? riff->data[0].offset : 0;
    if (riff->is_riff && (riff->n_data > 1 || riff->data_size_unset))
        return open_spans(c, p->path, opt, riff, err);
    return open_one_chunk(c, p, opt, riff, err);
}

static int riff_probe(const capture_probe *p)
{
    const unsigned char *h = p->head;
    return p->head_len >= 12 && memcmp(h + 8, "WAVE", 4) == 0 &&
           (!memcmp(h, "RIFF", 4) || !memcmp(h, "RF64", 4) || !memcmp(h, "BW64", 4));
}

static rfn_status riff_open(capture *c, const capture_probe *p, const capture_options *opt,
                            rfn_error *err)
{
    capture_riff riff;
    rfn_status st = capture_riff_scan(c->fd, p->size, p->path, &riff, err);
    if (st) return st;
    c->auxi_center = riff.auxi_center_hz;
    snprintf(c->auxi_time, sizeof c->auxi_time, "%s", riff.auxi_time);
    st = open_scanned(c, p, opt, &riff, err);
    capture_riff_free(&riff);
    return st ? st : capture_container_done(c, p, err);
}

const capture_driver capture_driver_riff = {
    .name = "riff",
    .probe = riff_probe,
    .open = riff_open,
};
