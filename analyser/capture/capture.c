/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.c: open any capture through the driver of its format family (capture_driver.h), merge
 * its metadata from every source (docs/architecture.md §Metadata), and stream it as complex float
 * blocks with validation statistics. libsndfile sits behind capture_internal.h; this file never
 * includes sndfile.h. */
#include "capture.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture_driver.h"
#include "capture_internal.h"
#include "capture_name.h"
#include "io_guard.h"
#include "sigmf.h"

#define DEFAULT_BLOCK_FRAMES 65536

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

void capture_warn(capture *c, const char *fmt, ...)
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

void capture_copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
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

int capture_frame_bytes(const sigmf_datatype *dt, int channels)
{
    return channels * (dt->is_complex ? 2 : 1) * sigmf_datatype_bytes(dt);
}

rfn_status capture_check_length(capture *c, const char *name, int64_t start, int64_t len,
                                int fbytes, int allow_truncated, rfn_error *err)
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
        capture_warn(c, "%s: %lld trailing byte(s) of a partial frame ignored", name,
                     (long long)rem);
    }
    c->meta.sample_count = len / fbytes;
    return RFN_OK;
}

rfn_status capture_open_file(capture *c, const char *path, int64_t *size, rfn_error *err)
{
    return io_open_input(path, &c->fd, size, err);
}

int capture_datatype_differs(const sigmf_datatype *a, const sigmf_datatype *b)
{
    char x[16], y[16];
    sigmf_datatype_name(a, x, sizeof x);
    sigmf_datatype_name(b, y, sizeof y);
    return strcmp(x, y) != 0;
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
            capture_warn(c, "%s: %s says %.10g Hz, %s says %.10g Hz; using %.10g Hz (%s)", what,
                         capture_source_name(*out_src), *out, capture_source_name(src[i]),
                         vals[i], *out, capture_source_name(*out_src));
        }
    }
}

static void merge_time(capture *c, const char *const *vals, const capture_source *src, size_t n)
{
    capture_meta *m = &c->meta;
    for (size_t i = 0; i < n; i++) {
        if (!vals[i] || !vals[i][0]) continue;
        if (m->src_datetime == CAPTURE_SRC_NONE) {
            capture_copy_text(m->datetime, sizeof m->datetime, vals[i]);
            m->src_datetime = src[i];
        } else if (strncmp(m->datetime, vals[i], 19) != 0) {
            capture_warn(c, "start time: %s says %s, %s says %s; using %s (%s)",
                         capture_source_name(m->src_datetime), m->datetime,
                         capture_source_name(src[i]), vals[i], m->datetime,
                         capture_source_name(m->src_datetime));
        }
    }
}

static rfn_status prefetch_start(capture *c, size_t block, rfn_error *err);
static void prefetch_stop(capture *c);
static void conv_setup(capture *c, const capture_options *opt);

/* ---- open ------------------------------------------------------------------------------------ */

/* The format families capture_open asks, in this order (capture_driver.h): those that look at the
 * path alone first, then those that read the file's first bytes; raw files last, as they have no
 * magic number. A new format is one driver file and one line here. */
static const capture_driver *const drivers[] = {
    &capture_driver_sigmf, &capture_driver_stdin,   &capture_driver_sdriq,
    &capture_driver_riff,  &capture_driver_sndfile, &capture_driver_raw,
};

/* The options a capture cannot be opened with. */
static rfn_status check_options(const char *path_in, const capture_options *opt, rfn_error *err)
{
    if (!path_in || !*path_in) return rfn_error_set(err, RFN_ERR_INVALID, "capture: empty path");
    if (opt->rate_hz < 0 || isinf(opt->rate_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: --rate must be > 0 (got %g)", path_in,
                             opt->rate_hz);
    if (isinf(opt->center_hz) || opt->channel < 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: invalid centre frequency or channel",
                             path_in);
    return RFN_OK;
}

/* The datatype the user forces: --datatype, or an explicit FORMAT:path prefix naming a raw
 * file's datatype (then cut from the path). */
typedef struct forced_type {
    const char *path;  /* path_in without the prefix */
    const char *name;  /* as written, NULL when none */
    sigmf_datatype dt; /* when name */
    char prefix[24];
} forced_type;

static rfn_status force_datatype(const char *path_in, const capture_options *opt, forced_type *f,
                                 rfn_error *err)
{
    f->path = path_in;
    f->name = opt->datatype;
    const char *colon = strchr(path_in, ':');
    char why[256];
    if (colon && colon - path_in < (ptrdiff_t)sizeof f->prefix) {
        memcpy(f->prefix, path_in, (size_t)(colon - path_in));
        f->prefix[colon - path_in] = '\0';
        if (sigmf_datatype_parse(f->prefix, &f->dt, why, sizeof why) == RFN_OK) {
            f->path = colon + 1;
            f->name = f->prefix;
        }
    }
    if (f->name && sigmf_datatype_parse(f->name, &f->dt, why, sizeof why) != RFN_OK)
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: --datatype: %s", path_in, why);
    if (strlen(f->path) >= CAPTURE_PATH_MAX)
        return rfn_error_set(err, RFN_ERR_INVALID, "%.64s...: path longer than %d bytes", f->path,
                             CAPTURE_PATH_MAX - 1);
    return RFN_OK;
}

/* A capture of nothing yet: every value "not known". */
static capture *capture_new(const char *path)
{
    capture *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = -1;
    c->hdr_center = NAN;
    c->auxi_center = NAN;
    c->post_scale = 1.0f;
    capture_meta *m = &c->meta;
    capture_copy_text(m->path, sizeof m->path, path);
    capture_copy_text(m->data_path, sizeof m->data_path, path);
    m->latitude_deg = m->longitude_deg = m->altitude_m = NAN;
    return c;
}

/* Open the file for the drivers that read it: a regular file, not empty, and its first bytes
 * (head, 12 bytes) for their magic numbers. */
static rfn_status open_head(capture *c, capture_probe *p, unsigned char *head, rfn_error *err)
{
    rfn_status st = capture_open_file(c, p->path, &p->size, err);
    if (st) return st;
    if (p->size == 0)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 0: empty file", p->path);
    ssize_t n = pread(c->fd, head, 12, 0);
    p->head = head;
    p->head_len = n > 0 ? (size_t)n : 0;
    return RFN_OK;
}

/* Open c with the first driver whose probe takes p. */
static rfn_status open_by_driver(capture *c, capture_probe *p, const capture_options *opt,
                                 rfn_error *err)
{
    unsigned char head[12];
    for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
        const capture_driver *d = drivers[i];
        rfn_status st;
        if (!d->by_path && !p->head && (st = open_head(c, p, head, err))) return st;
        if (!d->probe(p)) continue;
        c->drv = d;
        return d->open(c, p, opt, err);
    }
    return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset 0: no reader for this file", p->path);
}

/* The datatype and channel as delivered, the clip thresholds, and samples to deliver. */
static rfn_status describe_samples(capture *c, const capture_options *opt, rfn_error *err)
{
    capture_meta *m = &c->meta;
    m->is_complex = c->dt.is_complex;
    m->bits = c->dt.bits;
    m->is_float = c->dt.is_float;
    c->components = m->channels * (m->is_complex ? 2 : 1);
    sigmf_datatype_name(&c->dt, m->format, sizeof m->format);
    if (opt->channel >= m->channels)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "%s: channel %d asked for but the capture has %d", m->path,
                             opt->channel, m->channels);
    c->channel = opt->channel;
    c->u8_fix = !c->dt.is_float && !c->dt.is_signed && c->dt.bits == 8;
    set_clip_thresholds(c);
    if (m->sample_count <= 0 && !m->streamed)
        return rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: no samples (header only?)",
                             m->data_path, (long long)c->samples_offset);
    return RFN_OK;
}

/* Rate, centre frequency and start time, strongest source first (docs/architecture.md
 * §Metadata): what the user typed wins, files and names fill in only what was not given. */
static void merge_sources(capture *c, const capture_options *opt, const capture_name_info *nm)
{
    capture_meta *m = &c->meta;
    const sigmf_meta *sm = c->has_sigmf ? &c->sm : NULL;
    double hdr_rate = c->hdr_rate > 0 ? c->hdr_rate : NAN;
    double cli_rate = opt->rate_hz > 0 ? opt->rate_hz : NAN;
    double rates[] = {cli_rate, sm ? sm->sample_rate_hz : NAN, hdr_rate, nm->sample_rate_hz};
    const capture_source srcs[] = {CAPTURE_SRC_COMMAND_LINE, CAPTURE_SRC_SIGMF, CAPTURE_SRC_HEADER,
                                   CAPTURE_SRC_FILENAME};
    merge_value(c, "sample rate", rates, srcs, 4, &m->sample_rate_hz, &m->src_sample_rate);
    double centers[] = {opt->center_hz, sm ? sm->segments[0].center_freq_hz : NAN, c->hdr_center,
                        c->auxi_center, nm->center_freq_hz};
    const capture_source csrc[] = {CAPTURE_SRC_COMMAND_LINE, CAPTURE_SRC_SIGMF, CAPTURE_SRC_HEADER,
                                   CAPTURE_SRC_WAV_AUXI, CAPTURE_SRC_FILENAME};
    merge_value(c, "centre frequency", centers, csrc, 5, &m->center_freq_hz, &m->src_center_freq);
    const char *times[] = {sm ? sm->segments[0].datetime : NULL, c->hdr_time, c->auxi_time,
                           nm->datetime};
    merge_time(c, times, csrc + 1, 4);
}

/* The merged metadata: a sample rate from some source, and both figures in physical sense. */
static rfn_status merge_metadata(capture *c, const capture_options *opt,
                                 const capture_name_info *nm, rfn_error *err)
{
    capture_meta *m = &c->meta;
    const char *path = m->path;
    merge_sources(c, opt, nm);
    if (m->src_sample_rate == CAPTURE_SRC_NONE)
        return rfn_error_set(
            err, RFN_ERR_FORMAT,
            "%s: no sample rate: not in the file's metadata or name; give --rate HZ", path);
    /* Physical sense (docs/architecture.md §Metadata): every measurement scales with these, and
     * a rate of 1e300 would "cover" every band of the limit set. */
    if (!(m->sample_rate_hz >= CAPTURE_RATE_MIN_HZ && m->sample_rate_hz <= CAPTURE_RATE_MAX_HZ))
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: sample rate %g Hz (from %s): outside 1 Hz ... 100 GHz", path,
                             m->sample_rate_hz, capture_source_name(m->src_sample_rate));
    if (m->src_center_freq != CAPTURE_SRC_NONE &&
        !(m->center_freq_hz >= 0 && m->center_freq_hz <= CAPTURE_CENTER_MAX_HZ))
        return rfn_error_set(err, RFN_ERR_FORMAT,
                             "%s: centre frequency %g Hz (from %s): outside 0 ... 300 GHz", path,
                             m->center_freq_hz, capture_source_name(m->src_center_freq));
    m->duration_s = (double)m->sample_count / m->sample_rate_hz;
    m->bandwidth_hz = nm->bandwidth_hz;
    m->datetime_is_local = m->src_datetime == CAPTURE_SRC_FILENAME && nm->time_is_local;
    return RFN_OK;
}

/* The SigMF metadata beyond rate, centre and time: who, where, segments and annotations (moved
 * from c->sm into c). */
static void take_sigmf(capture *c)
{
    capture_meta *m = &c->meta;
    sigmf_meta *sm = &c->sm;
    capture_copy_text(m->device_id, sizeof m->device_id, sm->device_id);
    capture_copy_text(m->mpxn, sizeof m->mpxn, sm->mpxn);
    capture_copy_text(m->calibration_id, sizeof m->calibration_id, sm->calibration_id);
    capture_copy_text(m->engineer, sizeof m->engineer, sm->engineer);
    capture_copy_text(m->site, sizeof m->site, sm->site);
    capture_copy_text(m->hw, sizeof m->hw, sm->hw);
    capture_copy_text(m->recorder, sizeof m->recorder, sm->recorder);
    m->latitude_deg = sm->latitude_deg;
    m->longitude_deg = sm->longitude_deg;
    m->altitude_m = sm->altitude_m;
    if (sm->device_id[0]) m->src_device = CAPTURE_SRC_SIGMF;
    c->segments = sm->segments;
    m->n_segments = sm->n_segments;
    c->annotations = sm->annotations;
    m->n_annotations = sm->n_annotations;
    sm->segments = NULL;
    sm->annotations = NULL;
    if (m->is_complex == 0 && m->channels > 1)
        capture_warn(c, "%s: %d real channels (core:datatype %s): not I/Q; reading channel %d",
                     m->path, m->channels, sm->datatype, c->channel);
}

/* Without SigMF: one segment of the merged centre and time, and what the file name says of the
 * recorder, hardware and station. */
static rfn_status one_segment(capture *c, const capture_name_info *nm, rfn_error *err)
{
    capture_meta *m = &c->meta;
    c->segments = calloc(1, sizeof *c->segments);
    if (!c->segments) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", m->path);
    c->segments[0].center_freq_hz = m->center_freq_hz;
    capture_copy_text(c->segments[0].datetime, sizeof c->segments[0].datetime, m->datetime);
    m->n_segments = 1;
    if (nm->convention) capture_copy_text(m->recorder, sizeof m->recorder, nm->convention);
    capture_copy_text(m->hw, sizeof m->hw, nm->hw);
    capture_copy_text(m->site, sizeof m->site, nm->station);
    return RFN_OK;
}

/* Buffers and conversion for reading, and the read-ahead thread when asked. */
static rfn_status start_reading(capture *c, const capture_options *opt, rfn_error *err)
{
    capture_meta *m = &c->meta;
    c->frames_left = m->sample_count;
    c->tmp_frames = opt->block_frames ? opt->block_frames : DEFAULT_BLOCK_FRAMES;
    if (c->components > 1 && !(c->components == 2 && m->is_complex)) { /* channel picking */
        c->tmp = malloc(c->tmp_frames * (size_t)c->components * sizeof *c->tmp);
        if (!c->tmp) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", m->path);
    }
    c->stats.iq_gain_imbalance_db = c->stats.iq_phase_imbalance_deg = NAN;
    conv_setup(c, opt);
    return opt->prefetch ? prefetch_start(c, c->tmp_frames, err) : RFN_OK;
}

rfn_status capture_open(const char *path_in, const capture_options *opt_in, capture **out,
                        rfn_error *err)
{
    capture_options opt = opt_in ? *opt_in : capture_options_default();
    *out = NULL;
    forced_type forced = {0};
    rfn_status st;
    if ((st = check_options(path_in, &opt, err)) ||
        (st = force_datatype(path_in, &opt, &forced, err)))
        return st;
    const char *path = forced.path;
    capture *c = capture_new(path);
    if (!c) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    capture_name_info nm;
    capture_name_parse(path, &nm);
    capture_probe probe = {.path = path,
                           .forced = forced.name ? &forced.dt : NULL,
                           .forced_name = forced.name,
                           .name = &nm};
    if ((st = open_by_driver(c, &probe, &opt, err)) || (st = describe_samples(c, &opt, err)) ||
        (st = merge_metadata(c, &opt, &nm, err)))
        goto fail;
    if (c->has_sigmf)
        take_sigmf(c);
    else if ((st = one_segment(c, &nm, err)))
        goto fail;
    c->meta.segments = c->segments;
    c->meta.annotations = c->annotations;
    if ((st = start_reading(c, &opt, err))) goto fail;
    *out = c;
    return RFN_OK;
fail:
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
    if (c->drv && c->drv->close) c->drv->close(c);
    capture_sf_close(c->sf);
    if (c->fd >= 0) close(c->fd);
    free(c->segments);
    free(c->annotations);
    free(c->tmp);
    free(c->raw);
    sigmf_meta_free(&c->sm);
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
    const int own_read = c->drv->read != NULL; /* no libsndfile to convert instead */
    c->conv_kind = (!opt->convert_by_libsndfile || own_read) && one_channel &&
                           c->post_scale == 1.0f && (own_read || capture_sf_raw_ok(c->sf))
                       ? capture_conv_kind(&c->dt)
                       : -1;
    if (c->stream)
        c->frames_left = INT64_MAX; /* until read(2) says the end */
    c->conv_swap = c->dt.big_endian != host_big;
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
    rfn_status st = c->drv->read ? c->drv->read(c, n, r, err)
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
