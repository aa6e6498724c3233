/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.c: open any capture, merge its metadata from every source
 * (docs/architecture.md §Metadata), and stream it as complex float blocks with validation
 * statistics. libsndfile sits behind capture_internal.h; this file never includes sndfile.h. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture_internal.h"
#include "capture_name.h"
#include "hash.h"
#include "io_guard.h"
#include "sigmf.h"

#define DEFAULT_BLOCK_FRAMES 65536
#define MAX_META_BYTES (64 << 20)

struct capture {
    capture_meta meta;
    capture_stats stats;
    capture_segment *segments;       /* owned; meta.segments points here */
    capture_annotation *annotations; /* owned */
    capture_sf *sf;
    int fd; /* data file for raw reads, -1 otherwise */
    sigmf_datatype dt;
    int components; /* floats per frame in the file */
    int channel;    /* channel delivered */
    int u8_fix;     /* libsndfile's (x-128)/128 → (x-127.5)/127.5 */
    float clip_pos, clip_neg;
    int64_t frames_left;
    float *tmp;
    size_t tmp_frames;
    rfn_status sticky;
    char sticky_msg[sizeof(((rfn_error *)0)->msg)];
    double sum_i, sum_q, sum_ii, sum_qq, sum_iq;
    double hdr_rate;   /* sample rate in a container header, 0 when none */
    double hdr_center; /* centre frequency in a container header (.sdriq), NAN when none */
    char hdr_time[CAPTURE_TIME_MAX]; /* start time in a container header (.sdriq), "" */
    float post_scale;    /* factor after libsndfile's scaling (24-bit values in 32-bit words) */
    struct prefetch *pf; /* read-ahead thread, NULL unless capture_options.prefetch */
    int conv_kind;       /* CAPTURE_CONV_ kind read as stored and converted here, or -1:
                            libsndfile's sf_read_float converts (see conv_setup) */
    int conv_swap;       /* stored byte order differs from the host's */
    unsigned char *raw;  /* samples as stored, raw_frames of them */
    size_t raw_frames;
    int stream;          /* standard input: c->fd read front to back (open_stdin) */
};

/* Read-ahead: a producer thread fills two slots in turn with blocks in the capture's natural
 * layout (complex frames, or real values), and the caller's reads drain them. */
typedef struct prefetch_slot {
    float *buf;
    size_t got, pos; /* frames in the slot, frames already handed to the caller */
    rfn_status st;   /* RFN_OK, or the EOF/error the producer met instead of filling it */
    char msg[sizeof(((rfn_error *)0)->msg)];
    capture_stats stats; /* the producer's statistics after this block */
    int full;
} prefetch_slot;

struct prefetch {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    prefetch_slot slot[2];
    size_t block;
    int head; /* slot the caller reads next */
    int stop;
    capture_stats view; /* statistics as of the blocks handed out */
    rfn_status sticky;  /* the caller's sticky EOF/error */
    char sticky_msg[sizeof(((rfn_error *)0)->msg)];
};

/* ---- small helpers --------------------------------------------------------------------------- */

const char *capture_source_name(capture_source s)
{
    switch (s) {
    case CAPTURE_SRC_SIGMF:
        return "sigmf";
    case CAPTURE_SRC_HEADER:
        return "header";
    case CAPTURE_SRC_WAV_AUXI:
        return "wav-auxi";
    case CAPTURE_SRC_FILENAME:
        return "filename";
    case CAPTURE_SRC_COMMAND_LINE:
        return "command-line";
    case CAPTURE_SRC_NONE:
    default:
        return "none";
    }
}

capture_options capture_options_default(void)
{
    capture_options o;
    memset(&o, 0, sizeof o);
    o.rate_hz = 0;
    o.center_hz = NAN;
    return o;
}

static void warn(capture *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void warn(capture *c, const char *fmt, ...)
{
    capture_meta *m = &c->meta;
    if (m->n_warnings >= CAPTURE_MAX_WARNINGS) {
        m->n_warnings_dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->warnings[m->n_warnings++], CAPTURE_WARNING_MAX, fmt, ap);
    va_end(ap);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Copy src into dst of cap bytes, cutting it if needed (always NUL-terminated). */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
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

/* ---- opening the data ------------------------------------------------------------------------ */

/* Clip thresholds in full-scale units: at or within one code of either rail. */
static void set_clip_thresholds(capture *c)
{
    const sigmf_datatype *dt = &c->dt;
    if (dt->is_float) {
        c->clip_pos = 1.0f;
        c->clip_neg = -1.0f;
    } else if (!dt->is_signed) { /* offset binary 0..2^b-1, centre 2^(b-1) - 0.5 */
        double half = ldexp(1.0, dt->bits - 1) - 0.5;
        c->clip_pos = (float)((half - 1.0) / half);
        c->clip_neg = -c->clip_pos;
    } else { /* two's complement -2^(b-1)..2^(b-1)-1, divided by 2^(b-1) */
        double scale = ldexp(1.0, dt->bits - 1);
        c->clip_pos = (float)((scale - 2.0) / scale);
        c->clip_neg = (float)(-(scale - 1.0) / scale);
    }
}

static int frame_bytes(const sigmf_datatype *dt, int channels)
{
    return channels * (dt->is_complex ? 2 : 1) * sigmf_datatype_bytes(dt);
}

/* Check the byte length of headerless data against the frame size; sets the sample count. */
static rfn_status check_length(capture *c, const char *name, int64_t start, int64_t len, int fbytes,
                               int allow_truncated, rfn_error *err)
{
    int64_t rem = len % fbytes;
    if (rem) {
        if (!allow_truncated)
            return rfn_error_set(
                err, RFN_ERR_TRUNCATED,
                "%s: offset %lld: %lld trailing byte(s) are not a whole frame of %d "
                "bytes (truncated file?)",
                name, (long long)(start + len - rem), (long long)rem, fbytes);
        c->stats.truncated_bytes = rem;
        warn(c, "%s: %lld trailing byte(s) of a partial frame ignored", name, (long long)rem);
    }
    c->meta.sample_count = len / fbytes;
    return RFN_OK;
}

static rfn_status open_data_fd(capture *c, const char *path, int64_t *size, rfn_error *err)
{
    /* A regular file only (a FIFO or /dev/zero would hang the reader); every read stops at the
     * size it had here, so a capture still being written cannot keep the reader going. */
    return io_open_input(path, &c->fd, size, err);
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

/* Open a SigMF recording: a pair (either file named) or a .sigmf archive. */
static rfn_status open_sigmf(capture *c, const char *path, int archive, const capture_options *opt,
                             sigmf_meta *sm, rfn_error *err)
{
    capture_meta *m = &c->meta;
    char meta_path[CAPTURE_PATH_MAX + 16], data_name[CAPTURE_PATH_MAX + 300];
    char *text = NULL;
    size_t text_len = 0;
    int64_t data_off = 0, data_len = 0, size = 0;
    rfn_status st;
    if (archive) {
        if ((st = open_data_fd(c, path, &size, err))) return st;
        tar_member tm, td;
        if ((st = capture_archive_find(c->fd, size, path, opt->recording, &tm, &td, err)))
            return st;
        copy_text(m->recording, sizeof m->recording, tm.name);
        char *dot = strrchr(m->recording, '.'), *slash = strrchr(m->recording, '/');
        if (dot) *dot = '\0';
        if (slash) memmove(m->recording, slash + 1, strlen(slash + 1) + 1);
        if (tm.size > MAX_META_BYTES)
            return rfn_error_set(err, RFN_ERR_UNSUPPORTED, "%s: metadata larger than %d MiB", path,
                                 MAX_META_BYTES >> 20);
        text = malloc((size_t)tm.size + 1);
        if (!text) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
        if (pread(c->fd, text, (size_t)tm.size, (off_t)tm.offset) != (ssize_t)tm.size) {
            free(text);
            return rfn_error_set(err, RFN_ERR_IO, "%s: cannot read %s", path, tm.name);
        }
        text[tm.size] = '\0';
        text_len = (size_t)tm.size;
        snprintf(meta_path, sizeof meta_path, "%s:%s", path, tm.name);
        snprintf(data_name, sizeof data_name, "%s:%s", path, td.name);
        data_off = td.offset, data_len = td.size;
        snprintf(m->container, sizeof m->container, "sigmf-archive");
    } else {
        size_t stem = strlen(path) - strlen(".sigmf-meta"); /* both suffixes have one length */
        snprintf(meta_path, sizeof meta_path, "%.*s.sigmf-meta", (int)stem, path);
        snprintf(data_name, sizeof data_name, "%.*s.sigmf-data", (int)stem, path);
        if ((st = slurp(meta_path, &text, &text_len, err))) {
            if (st == RFN_ERR_NOTFOUND)
                rfn_error_set(err, st, "%s: no such file (the metadata of %s)", meta_path, path);
            return st;
        }
        snprintf(m->container, sizeof m->container, "sigmf");
    }
    st = sigmf_meta_parse(text, text_len, meta_path, sm, err);
    free(text);
    if (st) return st;
    if (!archive) {
        if (sm->dataset[0]) { /* non-conforming dataset named by the meta, beside it */
            const char *slash = strrchr(meta_path, '/');
            snprintf(data_name, sizeof data_name, "%.*s%s",
                     slash ? (int)(slash - meta_path + 1) : 0, meta_path, sm->dataset);
        }
        st = open_data_fd(c, data_name, &size, err);
        if (st == RFN_ERR_NOTFOUND)
            return rfn_error_set(err, st, "%s: no such file (the data of %s)", data_name,
                                 meta_path);
        if (st) return st;
        data_off = 0, data_len = size;
    }
    copy_text(m->data_path, sizeof m->data_path, data_name);
    if (sm->header_bytes + sm->trailing_bytes > data_len)
        return rfn_error_set(err, RFN_ERR_TRUNCATED,
                             "%s: offset %lld: data shorter than the %lld header and %lld trailing "
                             "bytes the meta names (captures[].core:header_bytes, "
                             "global.core:trailing_bytes)",
                             data_name, (long long)data_len, (long long)sm->header_bytes,
                             (long long)sm->trailing_bytes);
    if (opt->verify_sha512 && sm->sha512[0] &&
        (st = verify_sha512(c->fd, data_off, data_len, sm->sha512, data_name, err)))
        return st;
    if (opt->verify_sha512 && !sm->sha512[0])
        warn(c, "%s: --verify asked but the meta has no core:sha512", meta_path);
    c->dt = sm->dt;
    m->channels = sm->num_channels;
    int fb = frame_bytes(&c->dt, m->channels);
    /* Non-conforming data: each segment's header bytes come just before its samples, and the
     * trailing bytes (a footer) end the file; neither is a sample. */
    int64_t start = data_off + sm->segments[0].header_bytes;
    int64_t len = data_len - sm->header_bytes - sm->trailing_bytes;
    if ((st = check_length(c, data_name, start - data_off, len, fb, opt->allow_truncated, err)))
        return st;
    int64_t count = m->sample_count;
    if (sm->sample_count >= 0 && sm->sample_count != count) {
        if (sm->sample_count > count && !opt->allow_truncated)
            return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                 "%s: offset %lld: data holds %lld samples but the meta claims "
                                 "%lld (rfnoise:sample_count)",
                                 data_name, (long long)len, (long long)count,
                                 (long long)sm->sample_count);
        warn(c, "%s: data holds %lld samples, meta claims %lld (rfnoise:sample_count)", data_name,
             (long long)count, (long long)sm->sample_count);
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
    capture_span *spans = malloc(sm->n_segments * sizeof *spans);
    if (!spans) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", data_name);
    for (size_t i = 0, n = sm->n_segments; i < n; i++) {
        int64_t first = i ? sm->segments[i].sample_start : 0;
        int64_t end = i + 1 < n ? sm->segments[i + 1].sample_start : count;
        data_off += sm->segments[i].header_bytes;
        spans[i] = (capture_span){data_off + first * fb, (end - first) * fb};
    }
    st = capture_sf_open_raw(c->fd, spans, sm->n_segments, &c->dt,
                             fb / sigmf_datatype_bytes(&c->dt), data_name, &c->sf, err);
    free(spans);
    return st;
}

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

/* SDRangel .sdriq: a 32-byte little-endian header (sample rate u32, centre frequency u64 in Hz,
 * start time u64 in ms since 1970 (seconds before SDRangel 6.16.2), sample size u32 of 16 or 24
 * bits, filler u32, CRC-32 of the first 28 bytes), then I/Q pairs as int16, or as int32 words
 * holding 24-bit values. */
static rfn_status open_sdriq(capture *c, const char *path, int64_t size, const capture_options *opt,
                             rfn_error *err)
{
    capture_meta *m = &c->meta;
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
    int fb = frame_bytes(&store, 1);
    rfn_status st = check_length(c, path, 32, size - 32, fb, opt->allow_truncated, err);
    if (st) return st;
    c->hdr_rate = rate;
    c->hdr_center = (double)center;
    if (ts > 0) {
        int in_ms = ts > 100000000000ULL; /* ms since SDRangel 6.16.2, seconds before */
        time_t secs = (time_t)(in_ms ? ts / 1000 : ts);
        unsigned ms = in_ms ? (unsigned)(ts % 1000) : 0;
        struct tm tm;
        if (gmtime_r(&secs, &tm) && tm.tm_year + 1900 >= 1980 && tm.tm_year + 1900 <= 9999)
            snprintf(c->hdr_time, sizeof c->hdr_time, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ms);
    }
    capture_span span = {32, m->sample_count * fb};
    if ((st = capture_sf_open_raw(c->fd, &span, 1, &store, 2, path, &c->sf, err))) return st;
    if (bits == 24) { /* libsndfile divides by 2^31; the values are 24-bit: x/2^23 */
        c->dt.bits = 24;
        c->post_scale = 256.0f;
    }
    return RFN_OK;
}

/* Container files: libsndfile, after the RIFF walker has looked for auxi and odd data chunks. */
static rfn_status open_container(capture *c, const char *path, int64_t size,
                                 const capture_options *opt, capture_riff *riff, rfn_error *err)
{
    capture_meta *m = &c->meta;
    rfn_status st;
    if ((st = capture_riff_scan(c->fd, size, path, riff, err))) return st;
    if (riff->is_riff && riff->n_data == 0)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: no data chunk", path,
                             (long long)size);
    if (riff->is_riff && (riff->n_data > 1 || riff->data_size_unset)) {
        /* libsndfile reads only one data chunk of a declared size: read the spans ourselves. */
        if (!riff->has_fmt || riff->channels < 1 || riff->channels > 1024)
            return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 12: no usable fmt chunk", path);
        sigmf_datatype dt = {0};
        dt.is_signed = riff->bits != 8;
        dt.bits = riff->bits;
        dt.is_float = riff->format_tag == 3;
        if (!((riff->format_tag == 1 &&
               (dt.bits == 8 || dt.bits == 16 || dt.bits == 24 || dt.bits == 32)) ||
              (riff->format_tag == 3 && (dt.bits == 32 || dt.bits == 64))) ||
            riff->block_align != riff->channels * dt.bits / 8)
            return rfn_error_set(err, RFN_ERR_UNSUPPORTED,
                                 "%s: offset 12: WAV with %zu data chunks needs PCM 8/16/24/32-bit "
                                 "or float samples (format tag %u, %d bits)",
                                 path, riff->n_data, riff->format_tag, riff->bits);
        c->dt = dt;
        m->channels = riff->channels;
        int64_t total = 0;
        for (size_t i = 0; i < riff->n_data; i++)
            total += riff->data[i].length;
        /* Frames may straddle chunk boundaries: the spans are one byte stream. */
        if ((st = check_length(c, path, riff->data[0].offset, total, riff->block_align,
                               opt->allow_truncated, err)))
            return st;
        if (riff->data_size_unset)
            warn(c, "%s: data chunk size not set (recording not finalised?); read to end of file",
                 path);
        if (riff->n_data > 1)
            warn(c, "%s: read %zu data chunks as one stream (KiwiSDR-style WAV)", path,
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
    capture_sf_info info;
    if ((st = capture_sf_open_container(c->fd, size, path, &c->sf, &info, err))) return st;
    c->dt = info.dt;
    m->channels = info.channels;
    m->sample_count = info.frames;
    c->hdr_rate = info.samplerate;
    snprintf(m->container, sizeof m->container, "%s", riff->is_riff ? riff->kind : info.container);
    if (riff->is_riff) {
        int64_t have = riff->data[0].length;
        int fb = riff->block_align > 0 ? riff->block_align : info.channels * info.dt.bits / 8;
        if (riff->data_claimed > have) {
            if (!opt->allow_truncated)
                return rfn_error_set(err, RFN_ERR_TRUNCATED,
                                     "%s: offset %lld: data chunk claims %lld bytes but the file "
                                     "ends after %lld (truncated file?)",
                                     path, (long long)size, (long long)riff->data_claimed,
                                     (long long)have);
            warn(c, "%s: data chunk claims %lld bytes, file holds %lld", path,
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
    }
    return RFN_OK;
}

/* ---- metadata merge -------------------------------------------------------------------------- */

static int differs(double a, double b)
{
    return fabs(a - b) > 1e-9 * fmax(fabs(a), fabs(b));
}

/* Take the first known value of a field from sources listed strongest first, and warn about
 * every weaker source that disagrees. */
static void merge_value(capture *c, const char *what, const double *vals, const capture_source *src,
                        size_t n, double *out, capture_source *out_src)
{
    *out = NAN;
    *out_src = CAPTURE_SRC_NONE;
    for (size_t i = 0; i < n; i++) {
        if (isnan(vals[i])) continue;
        if (*out_src == CAPTURE_SRC_NONE) {
            *out = vals[i];
            *out_src = src[i];
        } else if (differs(*out, vals[i])) {
            warn(c, "%s: %s says %.10g Hz, %s says %.10g Hz; using %.10g Hz (%s)", what,
                 capture_source_name(*out_src), *out, capture_source_name(src[i]), vals[i], *out,
                 capture_source_name(*out_src));
        }
    }
}

static void merge_time(capture *c, const char *const *vals, const capture_source *src, size_t n)
{
    capture_meta *m = &c->meta;
    for (size_t i = 0; i < n; i++) {
        if (!vals[i] || !vals[i][0]) continue;
        if (m->src_datetime == CAPTURE_SRC_NONE) {
            copy_text(m->datetime, sizeof m->datetime, vals[i]);
            m->src_datetime = src[i];
        } else if (strncmp(m->datetime, vals[i], 19) != 0) {
            warn(c, "start time: %s says %s, %s says %s; using %s (%s)",
                 capture_source_name(m->src_datetime), m->datetime, capture_source_name(src[i]),
                 vals[i], m->datetime, capture_source_name(m->src_datetime));
        }
    }
}

static rfn_status prefetch_start(capture *c, size_t block, rfn_error *err);
static void prefetch_stop(capture *c);
static void conv_setup(capture *c, const capture_options *opt);

static int datatype_differs(const sigmf_datatype *a, const sigmf_datatype *b)
{
    char x[16], y[16];
    sigmf_datatype_name(a, x, sizeof x);
    sigmf_datatype_name(b, y, sizeof y);
    return strcmp(x, y) != 0;
}

/* ---- open ------------------------------------------------------------------------------------ */

/* "-": a raw stream on standard input (`rtl_sdr ... - | rfnoise psd - --datatype cu8 --rate
 * 2.4e6`). Its length is unknown until its end, so it is read front to back (read(2), never
 * seeked) and converted here (conv_setup): meta.streamed, and sample_count grows as it is read. */
static rfn_status open_stdin(capture *c, const sigmf_datatype *dt, capture_source src,
                             rfn_error *err)
{
    capture_meta *m = &c->meta;
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
    m->src_format = src;
    m->channels = 1;
    m->sample_count = 0;
    snprintf(m->container, sizeof m->container, "raw");
    snprintf(m->data_path, sizeof m->data_path, "(standard input)");
    return RFN_OK;
}

static int has_magic(const unsigned char *h, ssize_t n)
{
    if (n >= 12 && memcmp(h + 8, "WAVE", 4) == 0 &&
        (!memcmp(h, "RIFF", 4) || !memcmp(h, "RF64", 4) || !memcmp(h, "BW64", 4)))
        return 1;
    if (n >= 4 && (!memcmp(h, "riff", 4) || !memcmp(h, "fLaC", 4) || !memcmp(h, "caff", 4) ||
                   !memcmp(h, "FORM", 4)))
        return 1;
    return 0;
}

rfn_status capture_open(const char *path_in, const capture_options *opt_in, capture **out,
                        rfn_error *err)
{
    capture_options opt = opt_in ? *opt_in : capture_options_default();
    *out = NULL;
    if (!path_in || !*path_in) return rfn_error_set(err, RFN_ERR_INVALID, "capture: empty path");
    if (opt.rate_hz < 0 || isinf(opt.rate_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: --rate must be > 0 (got %g)", path_in,
                             opt.rate_hz);
    if (isinf(opt.center_hz) || opt.channel < 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: invalid centre frequency or channel",
                             path_in);

    /* An explicit FORMAT:path prefix names a raw file's datatype. */
    const char *path = path_in, *forced = opt.datatype;
    capture_source forced_src = CAPTURE_SRC_COMMAND_LINE;
    char prefix[24];
    const char *colon = strchr(path_in, ':');
    sigmf_datatype dt_forced;
    char why[256];
    if (colon && colon - path_in < (ptrdiff_t)sizeof prefix) {
        memcpy(prefix, path_in, (size_t)(colon - path_in));
        prefix[colon - path_in] = '\0';
        if (sigmf_datatype_parse(prefix, &dt_forced, why, sizeof why) == RFN_OK) {
            path = colon + 1;
            forced = prefix;
        }
    }
    if (forced && sigmf_datatype_parse(forced, &dt_forced, why, sizeof why) != RFN_OK)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: --datatype: %s", path_in, why);
    if (strlen(path) >= CAPTURE_PATH_MAX)
        return rfn_error_set(err, RFN_ERR_INVALID, "%.64s...: path longer than %d bytes", path,
                             CAPTURE_PATH_MAX - 1);

    capture *c = calloc(1, sizeof *c);
    if (!c) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    c->fd = -1;
    c->hdr_center = NAN;
    c->post_scale = 1.0f;
    capture_meta *m = &c->meta;
    copy_text(m->path, sizeof m->path, path);
    copy_text(m->data_path, sizeof m->data_path, path);
    m->latitude_deg = m->longitude_deg = m->altitude_m = NAN;
    sigmf_meta sm;
    memset(&sm, 0, sizeof sm);
    capture_riff riff;
    memset(&riff, 0, sizeof riff);
    riff.auxi_center_hz = NAN;
    capture_name_info nm;
    capture_name_parse(path, &nm);
    rfn_status st;
    int is_sigmf = 0;
    int64_t size = 0;

    if (ends_with(path, ".sigmf-meta") || ends_with(path, ".sigmf-data") ||
        ends_with(path, ".sigmf")) {
        is_sigmf = 1;
        if ((st = open_sigmf(c, path, ends_with(path, ".sigmf"), &opt, &sm, err))) goto fail;
        m->src_format = CAPTURE_SRC_SIGMF;
        if (forced && datatype_differs(&dt_forced, &sm.dt)) {
            st = rfn_error_set(err, RFN_ERR_INVALID,
                               "%s: --datatype %s, but the SigMF meta says %s (--datatype is the "
                               "sample type of a raw input; an output's is --format)",
                               path, forced, sm.datatype);
            goto fail;
        }
    } else if (strcmp(path, "-") == 0) {
        if ((st = open_stdin(c, forced ? &dt_forced : NULL, forced_src, err))) goto fail;
    } else {
        if ((st = open_data_fd(c, path, &size, err))) goto fail;
        if (size == 0) {
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 0: empty file", path);
            goto fail;
        }
        unsigned char head[12];
        ssize_t hn = pread(c->fd, head, sizeof head, 0);
        const char *dot = strrchr(path, '.');
        if (!forced && dot && strcasecmp(dot, ".sdriq") == 0) {
            if ((st = open_sdriq(c, path, size, &opt, err))) goto fail;
            m->src_format = CAPTURE_SRC_HEADER;
        } else if (has_magic(head, hn) || (!forced && !nm.format[0])) {
            if ((st = open_container(c, path, size, &opt, &riff, err))) {
                if (!has_magic(head, hn) && st == RFN_ERR_FORMAT)
                    rfn_error_set(err, RFN_ERR_FORMAT,
                                  "%s: offset 0: not a WAV/RF64/W64/FLAC/CAF or SigMF file; for a "
                                  "raw file give its datatype with --datatype or a prefix such as "
                                  "cs16:%s",
                                  path, path);
                goto fail;
            }
            m->src_format = CAPTURE_SRC_HEADER;
            if (forced) {
                st = rfn_error_set(err, RFN_ERR_INVALID,
                                   "%s: --datatype %s, but the file has a %s header that gives "
                                   "its sample type (--datatype is for raw inputs)",
                                   path, forced, m->container);
                goto fail;
            }
        } else {
            c->dt = forced ? dt_forced : (sigmf_datatype){0};
            if (!forced) sigmf_datatype_parse(nm.format, &c->dt, why, sizeof why);
            m->src_format = forced ? forced_src : CAPTURE_SRC_FILENAME;
            if (forced && nm.format[0]) {
                sigmf_datatype de;
                char a[16];
                sigmf_datatype_parse(nm.format, &de, why, sizeof why);
                sigmf_datatype_name(&dt_forced, a, sizeof a);
                if (datatype_differs(&dt_forced, &de))
                    warn(c,
                         "datatype: command line says %s, the file name suggests %s; "
                         "using %s (command-line)",
                         a, nm.format, a);
            }
            m->channels = 1;
            snprintf(m->container, sizeof m->container, "raw");
            int fb = frame_bytes(&c->dt, 1);
            if ((st = check_length(c, path, 0, size, fb, opt.allow_truncated, err))) goto fail;
            capture_span span = {0, m->sample_count * fb};
            if ((st = capture_sf_open_raw(c->fd, &span, 1, &c->dt,
                                          fb / sigmf_datatype_bytes(&c->dt), path, &c->sf, err)))
                goto fail;
        }
    }

    /* The datatype as delivered: a 2-channel container is I/Q. */
    if (!is_sigmf && strcmp(m->container, "raw") != 0) {
        if (m->channels == 2) {
            c->dt.is_complex = 1;
            m->channels = 1;
        }
    }
    m->is_complex = c->dt.is_complex;
    m->bits = c->dt.bits;
    m->is_float = c->dt.is_float;
    c->components = m->channels * (m->is_complex ? 2 : 1);
    sigmf_datatype_name(&c->dt, m->format, sizeof m->format);
    if (opt.channel >= m->channels) {
        st = rfn_error_set(err, RFN_ERR_INVALID, "%s: channel %d asked for but the capture has %d",
                           path, opt.channel, m->channels);
        goto fail;
    }
    c->channel = opt.channel;
    c->u8_fix = !c->dt.is_float && !c->dt.is_signed && c->dt.bits == 8;
    set_clip_thresholds(c);
    if (m->sample_count <= 0 && !m->streamed) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: no samples (header only?)",
                           m->data_path,
                           (long long)(riff.n_data ? riff.data[0].offset : (int64_t)0));
        goto fail;
    }

    /* Metadata, strongest source first (docs/architecture.md §Metadata). */
    double hdr_rate = c->hdr_rate > 0 ? c->hdr_rate : NAN;
    double cli_rate = opt.rate_hz > 0 ? opt.rate_hz : NAN;
    {
        /* What the user typed wins: files and names fill in only what was not given. */
        double rates[] = {cli_rate, is_sigmf ? sm.sample_rate_hz : NAN, hdr_rate,
                          nm.sample_rate_hz};
        const capture_source srcs[] = {CAPTURE_SRC_COMMAND_LINE, CAPTURE_SRC_SIGMF,
                                       CAPTURE_SRC_HEADER, CAPTURE_SRC_FILENAME};
        merge_value(c, "sample rate", rates, srcs, 4, &m->sample_rate_hz, &m->src_sample_rate);
        double centers[] = {opt.center_hz, is_sigmf ? sm.segments[0].center_freq_hz : NAN,
                            c->hdr_center, riff.auxi_center_hz, nm.center_freq_hz};
        const capture_source csrc[] = {CAPTURE_SRC_COMMAND_LINE, CAPTURE_SRC_SIGMF,
                                       CAPTURE_SRC_HEADER, CAPTURE_SRC_WAV_AUXI,
                                       CAPTURE_SRC_FILENAME};
        merge_value(c, "centre frequency", centers, csrc, 5, &m->center_freq_hz,
                    &m->src_center_freq);
        const char *times[] = {is_sigmf ? sm.segments[0].datetime : NULL, c->hdr_time,
                               riff.auxi_time, nm.datetime};
        merge_time(c, times, csrc + 1, 4);
    }
    if (m->src_sample_rate == CAPTURE_SRC_NONE) {
        st = rfn_error_set(err, RFN_ERR_FORMAT,
                           "%s: no sample rate: not in the file's metadata or name; give --rate HZ",
                           path);
        goto fail;
    }
    /* Physical sense (docs/architecture.md §Metadata): every measurement scales with these, and
     * a rate of 1e300 would "cover" every band of the limit set. */
    if (!(m->sample_rate_hz >= CAPTURE_RATE_MIN_HZ && m->sample_rate_hz <= CAPTURE_RATE_MAX_HZ)) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: sample rate %g Hz (from %s): outside 1 Hz ... "
                           "100 GHz", path, m->sample_rate_hz,
                           capture_source_name(m->src_sample_rate));
        goto fail;
    }
    if (m->src_center_freq != CAPTURE_SRC_NONE &&
        !(m->center_freq_hz >= 0 && m->center_freq_hz <= CAPTURE_CENTER_MAX_HZ)) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: centre frequency %g Hz (from %s): outside "
                           "0 ... 300 GHz", path, m->center_freq_hz,
                           capture_source_name(m->src_center_freq));
        goto fail;
    }
    m->duration_s = (double)m->sample_count / m->sample_rate_hz;
    m->bandwidth_hz = nm.bandwidth_hz;
    m->datetime_is_local = m->src_datetime == CAPTURE_SRC_FILENAME && nm.time_is_local;

    if (is_sigmf) {
        copy_text(m->device_id, sizeof m->device_id, sm.device_id);
        copy_text(m->mpxn, sizeof m->mpxn, sm.mpxn);
        copy_text(m->calibration_id, sizeof m->calibration_id, sm.calibration_id);
        copy_text(m->engineer, sizeof m->engineer, sm.engineer);
        copy_text(m->site, sizeof m->site, sm.site);
        copy_text(m->hw, sizeof m->hw, sm.hw);
        copy_text(m->recorder, sizeof m->recorder, sm.recorder);
        m->latitude_deg = sm.latitude_deg;
        m->longitude_deg = sm.longitude_deg;
        m->altitude_m = sm.altitude_m;
        if (sm.device_id[0]) m->src_device = CAPTURE_SRC_SIGMF;
        c->segments = sm.segments;
        m->n_segments = sm.n_segments;
        c->annotations = sm.annotations;
        m->n_annotations = sm.n_annotations;
        sm.segments = NULL;
        sm.annotations = NULL;
        if (m->is_complex == 0 && m->channels > 1)
            warn(c, "%s: %d real channels (core:datatype %s): not I/Q; reading channel %d", m->path,
                 m->channels, sm.datatype, c->channel);
    } else {
        c->segments = calloc(1, sizeof *c->segments);
        if (!c->segments) {
            st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
            goto fail;
        }
        c->segments[0].center_freq_hz = m->center_freq_hz;
        copy_text(c->segments[0].datetime, sizeof c->segments[0].datetime, m->datetime);
        m->n_segments = 1;
        if (nm.convention) copy_text(m->recorder, sizeof m->recorder, nm.convention);
        copy_text(m->hw, sizeof m->hw, nm.hw);
        copy_text(m->site, sizeof m->site, nm.station);
    }
    m->segments = c->segments;
    m->annotations = c->annotations;

    c->frames_left = m->sample_count;
    c->tmp_frames = opt.block_frames ? opt.block_frames : DEFAULT_BLOCK_FRAMES;
    if (c->components > 1 && !(c->components == 2 && m->is_complex)) { /* channel picking */
        c->tmp = malloc(c->tmp_frames * (size_t)c->components * sizeof *c->tmp);
        if (!c->tmp) {
            st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
            goto fail;
        }
    }
    sigmf_meta_free(&sm);
    capture_riff_free(&riff);
    c->stats.iq_gain_imbalance_db = c->stats.iq_phase_imbalance_deg = NAN;
    conv_setup(c, &opt);
    if (opt.prefetch && (st = prefetch_start(c, c->tmp_frames, err))) goto fail;
    *out = c;
    return RFN_OK;
fail:
    sigmf_meta_free(&sm);
    capture_riff_free(&riff);
    capture_close(c);
    return st;
}

const capture_meta *capture_get_meta(const capture *c)
{
    return &c->meta;
}

const capture_stats *capture_get_stats(const capture *c)
{
    return c->pf ? &c->pf->view : &c->stats;
}

void capture_close(capture *c)
{
    if (!c) return;
    prefetch_stop(c);
    capture_sf_close(c->sf);
    if (c->fd >= 0) close(c->fd);
    free(c->segments);
    free(c->annotations);
    free(c->tmp);
    free(c->raw);
    free(c);
}

/* ---- reading --------------------------------------------------------------------------------- */

static rfn_status fail_sticky(capture *c, rfn_status st, rfn_error *err)
{
    c->sticky = st;
    snprintf(c->sticky_msg, sizeof c->sticky_msg, "%s", err ? err->msg : "");
    return st;
}

/* Scale fix, NaN/Inf replacement and statistics over n delivered frames at x (2 floats a frame
 * when complex_out, else 1). converted: x was converted here (conv_kind), fixes included; fused:
 * its statistics too, in that pass (NULL: sum them now). */
static void finish_block(capture *c, float *x, size_t n, int complex_out, int converted,
                         const capture_sums *fused)
{
    capture_stats *s = &c->stats;
    const size_t k = complex_out ? 2 : 1;
    const int has_q = c->meta.is_complex;
    /* libsndfile gives u8 as (x-128)/128; docs/architecture.md §Units wants (x-127.5)/127.5. A real
     * sample delivered as complex keeps its zero imaginary part. */
    const size_t fix_stride = has_q ? 1 : k;
    if (c->u8_fix && !converted)
        for (size_t j = 0; j < n * k; j += fix_stride)
            x[j] = (128.0f * x[j] + 0.5f) / 127.5f;
    if (c->post_scale != 1.0f) /* exact: a power of two */
        for (size_t j = 0; j < n * k; j++)
            x[j] *= c->post_scale;
    capture_sums b;
    if (fused)
        b = *fused;
    else
        capture_block_stats(x, n, k, has_q, c->clip_pos, c->clip_neg, 0, &b);
    if (!isfinite(b.si + b.sq + b.sii + b.sqq)) {
        /* Rare: replace NaN/Inf by 0, count them, and redo the block in double: finite samples
         * beyond ~1.8e19 (a float capture not scaled to full scale 1) overflow the float lanes,
         * and must read as huge, never as "every sample is zero". */
        for (size_t j = 0; j < n * k; j++)
            if (!isfinite(x[j])) {
                x[j] = 0.0f;
                s->nonfinite_count++;
            }
        capture_block_stats(x, n, k, has_q, c->clip_pos, c->clip_neg, 1, &b);
    }
    s->peak_abs = b.peak > s->peak_abs ? b.peak : s->peak_abs;
    s->samples_read += (int64_t)n;
    s->clipped_samples += b.clipped;
    s->zero_samples += b.zeros;
    c->sum_i += b.si, c->sum_q += b.sq, c->sum_ii += b.sii, c->sum_qq += b.sqq;
    c->sum_iq += b.siq;
    double N = (double)s->samples_read;
    s->clipped_fraction = (double)s->clipped_samples / N;
    s->dc_i = c->sum_i / N;
    s->dc_q = c->sum_q / N;
    s->mean_power = (c->sum_ii + c->sum_qq) / N;
    if (has_q) {
        double vi = c->sum_ii / N - s->dc_i * s->dc_i, vq = c->sum_qq / N - s->dc_q * s->dc_q;
        double cov = c->sum_iq / N - s->dc_i * s->dc_q;
        if (vi > 0 && vq > 0) {
            double r = cov / sqrt(vi * vq);
            r = r > 1 ? 1 : r < -1 ? -1 : r;
            s->iq_gain_imbalance_db = 10.0 * log10(vi / vq);
            s->iq_phase_imbalance_deg = asin(r) * 180.0 / M_PI;
        } else {
            s->iq_gain_imbalance_db = s->iq_phase_imbalance_deg = NAN;
        }
    }
}

/* ---- converting here ----------------------------------------------------------------------------
 * libsndfile's sf_read_float converts through its own small buffer, a value at a time, and the
 * statistics then read the block again: together they made the reader the slowest stage of
 * `rfnoise psd` (issue 17: `rfnoise info` at ~150 MS/s against Welch at 416-466). Where the
 * samples are stored as plain arrays (headerless spans, the RIFF family's data chunk) and one
 * channel is read, the reader takes the bytes as stored (libsndfile still parses the container:
 * sf_read_raw) and converts them with the statistics in one pass, giving the same floats and
 * sums bit for bit (capture_convert.c). */

static void conv_setup(capture *c, const capture_options *opt)
{
    const int host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    int one_channel = c->components == 1 || (c->components == 2 && c->meta.is_complex);
    c->conv_kind = (!opt->convert_by_libsndfile || c->stream) && one_channel &&
                           c->post_scale == 1.0f && (c->stream || capture_sf_raw_ok(c->sf))
                       ? capture_conv_kind(&c->dt)
                       : -1;
    if (c->stream)
        c->frames_left = INT64_MAX; /* until read(2) says the end */
    c->conv_swap = c->dt.big_endian != host_big;
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
            warn(c, "-: %lld trailing byte(s) of a partial frame ignored",
                 (long long)(have % fb));
        }
    }
    return RFN_OK;
}

/* Up to n frames as stored into c->raw, converted into out (complex or real as read_frames);
 * I/Q frames read as complex get their statistics in the same pass, into *sums. */
static rfn_status read_converted(capture *c, float *out, size_t n, int complex_out, int64_t *r,
                                 capture_sums *sums, rfn_error *err)
{
    size_t vbytes = (size_t)c->dt.bits / 8;
    if (n > c->raw_frames) {
        unsigned char *p = realloc(c->raw, n * (size_t)c->components * vbytes);
        if (!p)
            return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", c->meta.path);
        c->raw = p;
        c->raw_frames = n;
    }
    rfn_status st = c->stream ? stream_read_bytes(c, n, r, err)
                              : capture_sf_read_bytes(c->sf, c->raw, (int64_t)n, r, err);
    if (st || *r == 0)
        return st;
    size_t got = (size_t)*r;
    if (c->components == 2 && complex_out) {
        capture_convert_iq(c->raw, out, got, c->conv_kind, c->conv_swap, c->clip_pos, c->clip_neg,
                           sums);
    } else if (complex_out) { /* real values spread to complex, imaginary 0 */
        capture_convert(c->raw, out + n, got, c->conv_kind, c->conv_swap);
        for (size_t j = 0; j < got; j++) {
            out[2 * j] = out[n + j];
            out[2 * j + 1] = 0.0f;
        }
    } else {
        capture_convert(c->raw, out, got, c->conv_kind, c->conv_swap);
    }
    return RFN_OK;
}

/* Read up to n frames of the selected channel into out: complex (2 floats a frame) or real. */
static rfn_status read_frames(capture *c, float *out, size_t max_frames, int complex_out,
                              size_t *got, rfn_error *err)
{
    *got = 0;
    if (c->sticky) {
        if (err) {
            err->status = c->sticky;
            snprintf(err->msg, sizeof err->msg, "%s", c->sticky_msg);
        }
        return c->sticky;
    }
    if (max_frames == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: read of 0 samples", c->meta.path);
    if (c->frames_left == 0) {
        rfn_error_set(err, RFN_ERR_EOF, "%s: end of capture", c->meta.path);
        return fail_sticky(c, RFN_ERR_EOF, err);
    }
    size_t n = max_frames;
    if ((int64_t)n > c->frames_left) n = (size_t)c->frames_left;
    int64_t r = 0;
    rfn_status st;
    capture_sums sums, *fused = NULL;
    if (c->conv_kind >= 0) {
        st = read_converted(c, out, n, complex_out, &r, &sums, err);
        fused = c->components == 2 && complex_out ? &sums : NULL;
    } else if (c->components == 2 && c->meta.is_complex && complex_out) {
        st = capture_sf_read(c->sf, out, (int64_t)n, &r, err);
    } else if (c->components == 1 && complex_out) {
        /* Read the real values into the upper half, then spread them forward in place. */
        st = capture_sf_read(c->sf, out + n, (int64_t)n, &r, err);
        for (int64_t j = 0; !st && j < r; j++) {
            float v = out[n + (size_t)j];
            out[2 * j] = v;
            out[2 * j + 1] = 0.0f;
        }
    } else if (c->components == 1) {
        st = capture_sf_read(c->sf, out, (int64_t)n, &r, err);
    } else {
        if (n > c->tmp_frames) n = c->tmp_frames;
        st = capture_sf_read(c->sf, c->tmp, (int64_t)n, &r, err);
        size_t w = c->meta.is_complex ? 2 : 1, base = (size_t)c->channel * w;
        for (int64_t j = 0; !st && j < r; j++) {
            const float *f = c->tmp + (size_t)j * (size_t)c->components + base;
            out[(complex_out ? 2 : 1) * j] = f[0];
            if (complex_out) out[2 * j + 1] = w == 2 ? f[1] : 0.0f;
        }
    }
    if (st) return fail_sticky(c, st, err);
    if (r == 0 && c->stream) {
        rfn_error_set(err, RFN_ERR_EOF, "-: end of capture");
        return fail_sticky(c, RFN_ERR_EOF, err);
    }
    if (r == 0) {
        rfn_error_set(err, RFN_ERR_TRUNCATED,
                      "%s: sample %lld: file ended %lld samples early (changed while reading?)",
                      c->meta.data_path, (long long)c->stats.samples_read,
                      (long long)c->frames_left);
        return fail_sticky(c, RFN_ERR_TRUNCATED, err);
    }
    finish_block(c, out, (size_t)r, complex_out, c->conv_kind >= 0, fused);
    c->frames_left -= r;
    *got = (size_t)r;
    return RFN_OK;
}

/* ---- read-ahead thread ----------------------------------------------------------------------- */

static void *prefetch_main(void *arg)
{
    capture *c = arg;
    struct prefetch *p = c->pf;
    const int complex_out = c->meta.is_complex;
    for (int k = 0;; k ^= 1) {
        prefetch_slot *s = &p->slot[k];
        pthread_mutex_lock(&p->mu);
        while (s->full && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) return NULL;
        rfn_error err = {0};
        size_t got = 0;
        rfn_status st = read_frames(c, s->buf, p->block, complex_out, &got, &err);
        pthread_mutex_lock(&p->mu);
        s->got = got;
        s->pos = 0;
        s->st = st;
        snprintf(s->msg, sizeof s->msg, "%s", err.msg);
        s->stats = c->stats;
        s->full = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (st) return NULL; /* EOF or error: sticky from here on */
    }
}

static rfn_status prefetch_start(capture *c, size_t block, rfn_error *err)
{
    struct prefetch *p = calloc(1, sizeof *p);
    if (!p) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", c->meta.path);
    size_t per = c->meta.is_complex ? 2 : 1;
    p->block = block;
    p->view = c->stats;
    for (int k = 0; k < 2; k++)
        if (!(p->slot[k].buf = malloc(block * per * sizeof(float)))) {
            free(p->slot[0].buf);
            free(p);
            return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", c->meta.path);
        }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    c->pf = p;
    if (pthread_create(&p->thread, NULL, prefetch_main, c) != 0) {
        c->pf = NULL;
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p->slot[0].buf), free(p->slot[1].buf), free(p);
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "%s: cannot start the read-ahead thread",
                             c->meta.path);
    }
    return RFN_OK;
}

static void prefetch_stop(capture *c)
{
    struct prefetch *p = c->pf;
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->slot[0].buf), free(p->slot[1].buf), free(p);
    c->pf = NULL;
}

/* Hand out up to max_frames from the read-ahead slots (complex_out as in read_frames). */
static rfn_status prefetch_read(capture *c, float *out, size_t max_frames, int complex_out,
                                size_t *got, rfn_error *err)
{
    struct prefetch *p = c->pf;
    *got = 0;
    if (p->sticky) {
        if (err) {
            err->status = p->sticky;
            snprintf(err->msg, sizeof err->msg, "%s", p->sticky_msg);
        }
        return p->sticky;
    }
    if (max_frames == 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: read of 0 samples", c->meta.path);
    prefetch_slot *s = &p->slot[p->head];
    pthread_mutex_lock(&p->mu);
    while (!s->full)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (s->st) {
        p->sticky = s->st;
        snprintf(p->sticky_msg, sizeof p->sticky_msg, "%s", s->msg);
        p->view = s->stats;
        return prefetch_read(c, out, max_frames, complex_out, got, err);
    }
    if (s->pos == 0) p->view = s->stats;
    size_t n = s->got - s->pos < max_frames ? s->got - s->pos : max_frames;
    if (c->meta.is_complex) {
        memcpy(out, s->buf + 2 * s->pos, n * 2 * sizeof(float));
    } else if (complex_out) {
        for (size_t j = 0; j < n; j++)
            out[2 * j] = s->buf[s->pos + j], out[2 * j + 1] = 0.0f;
    } else {
        memcpy(out, s->buf + s->pos, n * sizeof(float));
    }
    s->pos += n;
    if (s->pos == s->got) { /* slot drained: give it back to the producer */
        pthread_mutex_lock(&p->mu);
        s->full = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        p->head ^= 1;
    }
    *got = n;
    return RFN_OK;
}

rfn_status capture_read(capture *c, float complex *buf, size_t max_frames, size_t *got,
                        rfn_error *err)
{
    if (c->pf) return prefetch_read(c, (float *)buf, max_frames, 1, got, err);
    return read_frames(c, (float *)buf, max_frames, 1, got, err);
}

rfn_status capture_read_real(capture *c, float *buf, size_t max_frames, size_t *got, rfn_error *err)
{
    if (c->meta.is_complex) {
        *got = 0;
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: capture_read_real on a complex capture",
                             c->meta.path);
    }
    if (c->pf) return prefetch_read(c, buf, max_frames, 0, got, err);
    return read_frames(c, buf, max_frames, 0, got, err);
}

/* ---- findings -------------------------------------------------------------------------------- */

unsigned capture_findings(const capture_meta *m, const capture_stats *s)
{
    unsigned f = 0;
    if (s->clipped_fraction > CAPTURE_CLIP_LIMIT) f |= CAPTURE_FIND_CLIPPED;
    if (s->nonfinite_count > 0) f |= CAPTURE_FIND_NONFINITE;
    if (s->truncated_bytes > 0) f |= CAPTURE_FIND_TRUNCATED;
    if (m->sample_count < CAPTURE_SHORT_SAMPLES) f |= CAPTURE_FIND_SHORT;
    if (s->samples_read > 0 && hypot(s->dc_i, s->dc_q) > 0.01) f |= CAPTURE_FIND_DC_OFFSET;
    if (m->is_complex &&
        ((isfinite(s->iq_gain_imbalance_db) && fabs(s->iq_gain_imbalance_db) > 1.0) ||
         (isfinite(s->iq_phase_imbalance_deg) && fabs(s->iq_phase_imbalance_deg) > 5.0)))
        f |= CAPTURE_FIND_IQ_IMBALANCE;
    if (s->samples_read > 0 && s->zero_samples == s->samples_read)
        f |= CAPTURE_FIND_ALL_ZERO;
    else if (s->samples_read > 0 && (double)s->zero_samples > 0.01 * (double)s->samples_read)
        f |= CAPTURE_FIND_ZERO_RUNS;
    if (m->n_warnings > 0) f |= CAPTURE_FIND_WARNINGS;
    return f;
}

const char *capture_finding_name(unsigned bit)
{
    switch (bit) {
    case CAPTURE_FIND_CLIPPED:
        return "clipped";
    case CAPTURE_FIND_NONFINITE:
        return "nonfinite";
    case CAPTURE_FIND_TRUNCATED:
        return "truncated";
    case CAPTURE_FIND_SHORT:
        return "short";
    case CAPTURE_FIND_DC_OFFSET:
        return "dc-offset";
    case CAPTURE_FIND_IQ_IMBALANCE:
        return "iq-imbalance";
    case CAPTURE_FIND_ZERO_RUNS:
        return "zero-runs";
    case CAPTURE_FIND_WARNINGS:
        return "warnings";
    case CAPTURE_FIND_ALL_ZERO:
        return "all-zero";
    default:
        return NULL;
    }
}
