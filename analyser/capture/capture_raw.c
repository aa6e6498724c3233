/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_raw.c: the drivers of headerless samples: a raw file whose datatype comes from
 * --datatype, a FORMAT:path prefix, its extension or its name (capture_name.h), and a raw stream
 * on standard input ("-"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture_driver.h"

/* ---- a raw file ------------------------------------------------------------------------------ */

/* The datatype a file claims by neither header nor --datatype: what its name says, else the
 * forced one wins (a warning when the name suggests another). */
static void raw_datatype(capture *c, const capture_probe *p)
{
    char why[256];
    const char *named = p->name->format;
    c->dt = p->forced ? *p->forced : (sigmf_datatype){0};
    if (!p->forced) sigmf_datatype_parse(named, &c->dt, why, sizeof why);
    c->meta.src_format = p->forced ? CAPTURE_SRC_COMMAND_LINE : CAPTURE_SRC_FILENAME;
    if (p->forced && named[0]) {
        sigmf_datatype de;
        char a[16];
        sigmf_datatype_parse(named, &de, why, sizeof why);
        sigmf_datatype_name(p->forced, a, sizeof a);
        if (capture_datatype_differs(p->forced, &de))
            capture_warn(c,
                         "datatype: command line says %s, the file name suggests %s; "
                         "using %s (command-line)",
                         a, named, a);
    }
}

/* Headerless: the datatype from --datatype, a prefix or the name, nothing else to claim it. */
static int raw_probe(const capture_probe *p)
{
    return p->forced || p->name->format[0];
}

static rfn_status raw_open(capture *c, const capture_probe *p, const capture_options *opt,
                           rfn_error *err)
{
    capture_meta *m = &c->meta;
    raw_datatype(c, p);
    m->channels = 1;
    snprintf(m->container, sizeof m->container, "raw");
    int fb = capture_frame_bytes(&c->dt, 1);
    rfn_status st = capture_check_length(c, p->path, 0, p->size, fb, opt->allow_truncated, err);
    if (st) return st;
    capture_span span = {0, m->sample_count * fb};
    return capture_sf_open_raw(c->fd, &span, 1, &c->dt, fb / sigmf_datatype_bytes(&c->dt),
                               p->path, &c->sf, err);
}

const capture_driver capture_driver_raw = {
    .name = "raw",
    .probe = raw_probe,
    .open = raw_open,
};

/* ---- standard input -------------------------------------------------------------------------- */

/* "-": a raw stream on standard input (`rtl_sdr ... - | rfnoise psd - --datatype cu8 --rate
 * 2.4e6`). Its length is unknown until its end, so it is read front to back (read(2), never
 * seeked) and converted by the reader (conv_setup): meta.streamed, and sample_count grows as it
 * is read. */
static int stdin_probe(const capture_probe *p)
{
    return strcmp(p->path, "-") == 0;
}

static rfn_status stdin_open(capture *c, const capture_probe *p, const capture_options *opt,
                             rfn_error *err)
{
    (void)opt;
    capture_meta *m = &c->meta;
    const sigmf_datatype *dt = p->forced;
    if (!dt)
        return rfn_error_set(err, RFN_ERR_INVALID, "-: standard input needs --datatype (cu8, "
                                                   "cs8, cs16, cf32 ...) and --rate");
    if (capture_conv_kind(dt) < 0)
        return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                             "-: %d-bit %s samples cannot be read from standard input", dt->bits,
                             dt->is_signed ? "signed" : "unsigned");
    c->fd = dup(STDIN_FILENO);
    if (c->fd < 0)
        return rfn_error_set(err, RFN_ERR_IO, "-: standard input: %s", strerror(errno));
    c->dt = *dt;
    c->stream = 1;
    m->streamed = 1;
    m->src_format = CAPTURE_SRC_COMMAND_LINE;
    m->channels = 1;
    m->sample_count = 0;
    snprintf(m->container, sizeof m->container, "raw");
    snprintf(m->data_path, sizeof m->data_path, "(standard input)");
    return RFN_OK;
}

/* Up to n whole frames from standard input into c->raw (a short pipe read is continued); at its
 * end the stream's length is known, and a partial last frame is reported like a truncated
 * file's (stats.truncated_bytes, a warning). */
static rfn_status stream_read_bytes(capture *c, size_t n, int64_t *r, rfn_error *err)
{
    size_t fb = (size_t)c->components * (size_t)c->dt.bits / 8, want = n * fb, have = 0;
    int eof = 0;
    while (have < want) {
        ssize_t k = read(c->fd, c->raw + have, want - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return rfn_error_set(err, RFN_ERR_IO, "-: standard input: %s", strerror(errno));
        if (k == 0) {
            eof = 1;
            break;
        }
        have += (size_t)k;
    }
    *r = (int64_t)(have / fb);
    c->meta.sample_count += *r;
    c->meta.duration_s = (double)c->meta.sample_count / c->meta.sample_rate_hz;
    if (eof) {
        c->frames_left = *r; /* what is delivered now ends the stream */
        if (have % fb) {
            c->stats.truncated_bytes = (int64_t)(have % fb);
            capture_warn(c, "-: %lld trailing byte(s) of a partial frame ignored",
                         (long long)(have % fb));
        }
    }
    return RFN_OK;
}

const capture_driver capture_driver_stdin = {
    .name = "stdin",
    .by_path = 1,
    .probe = stdin_probe,
    .open = stdin_open,
    .read = stream_read_bytes,
};
