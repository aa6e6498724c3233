/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_sdriq.c: the SDRangel .sdriq driver of capture_open: the header's rate, centre
 * frequency and start time, then headerless I/Q. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "capture_driver.h"

/* CRC-32 (ISO-HDLC, reflected 0xEDB88320), as SDRangel's .sdriq header uses. */
static uint32_t crc32_iso(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static uint64_t le_u64(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}


/* The header's start time, ms since 1970 (seconds before SDRangel 6.16.2), as ISO 8601 UTC into
 * c->hdr_time; left "" outside 1980 ... 9999. */
static void sdriq_time(capture *c, uint64_t ts)
{
    if (ts == 0) return;
    int in_ms = ts > 100000000000ULL; /* ms since SDRangel 6.16.2, seconds before */
    time_t secs = (time_t)(in_ms ? ts / 1000 : ts);
    unsigned ms = in_ms ? (unsigned)(ts % 1000) : 0;
    struct tm tm;
    if (gmtime_r(&secs, &tm) && tm.tm_year + 1900 >= 1980 && tm.tm_year + 1900 <= 9999)
        snprintf(c->hdr_time, sizeof c->hdr_time, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ms);
}

/* SDRangel .sdriq: a 32-byte little-endian header (sample rate u32, centre frequency u64 in Hz,
 * start time u64 in ms since 1970 (seconds before SDRangel 6.16.2), sample size u32 of 16 or 24
 * bits, filler u32, CRC-32 of the first 28 bytes), then I/Q pairs as int16, or as int32 words
 * holding 24-bit values. */
static rfn_status sdriq_open(capture *c, const capture_probe *p, const capture_options *opt,
                             rfn_error *err)
{
    capture_meta *m = &c->meta;
    const char *path = p->path;
    int64_t size = p->size;
    unsigned char h[32];
    if (size < 32 || pread(c->fd, h, 32, 0) != 32)
        return rfn_error_set(err, RFN_ERR_TRUNCATED,
                             "%s: offset 0: shorter than the 32-byte .sdriq header", path);
    if (crc32_iso(h, 28) != (uint32_t)le_u64(h + 28, 4))
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: offset 28: header CRC-32 mismatch (corrupted header, or written "
                             "before SDRangel 4.2.1)",
                             path);
    uint32_t rate = (uint32_t)le_u64(h, 4), bits = (uint32_t)le_u64(h + 20, 4);
    uint64_t center = le_u64(h + 4, 8), ts = le_u64(h + 12, 8);
    if (bits != 16 && bits != 24)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "%s: offset 20: sample size %u bits (.sdriq has 16 or 24)", path,
                             (unsigned)bits);
    sigmf_datatype store = {.is_complex = 1, .is_signed = 1, .bits = bits == 16 ? 16 : 32};
    c->dt = store;
    m->channels = 1;
    snprintf(m->container, sizeof m->container, "sdriq");
    int fb = capture_frame_bytes(&store, 1);
    rfn_status st = capture_check_length(c, path, 32, size - 32, fb, opt->allow_truncated, err);
    if (st) return st;
    c->hdr_rate = rate;
    c->hdr_center = (double)center;
    sdriq_time(c, ts);
    capture_span span = {32, m->sample_count * fb};
    if ((st = capture_sf_open_raw(c->fd, &span, 1, &store, 2, path, &c->sf, err))) return st;
    if (bits == 24) { /* libsndfile divides by 2^31; the values are 24-bit: x/2^23 */
        c->dt.bits = 24;
        c->post_scale = 256.0f;
    }
    m->src_format = CAPTURE_SRC_HEADER;
    return RFN_OK;
}

/* By its extension, unless --datatype says the file is raw. */
static int sdriq_probe(const capture_probe *p)
{
    const char *dot = strrchr(p->path, '.');
    return !p->forced && dot && strcasecmp(dot, ".sdriq") == 0;
}

const capture_driver capture_driver_sdriq = {
    .name = "sdriq",
    .probe = sdriq_probe,
    .open = sdriq_open,
};

