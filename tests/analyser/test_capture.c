/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_capture.c: the capture reader and SigMF writer: round trips through every container and
 * datatype with the documented scaling, clipping/NaN/zero statistics, metadata from SigMF, WAV
 * auxi chunks, file names and the command line, and one-line errors for bad inputs. */
#include <complex.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "capture_name.h"
#include "check.h"
#include "hash.h"
#include "sigmf.h"

static char dir[64];

static const char *tmp(const char *name)
{
    static char paths[8][256];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, len, fp) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(fp);
}

static void write_text(const char *path, const char *text)
{
    write_file(path, text, strlen(text));
}

/* Read a whole capture; returns samples read (or -1 on an error other than EOF). */
static int64_t read_all(capture *c, float complex *out, size_t cap, size_t block)
{
    size_t n = 0, got;
    rfn_error err = {0};
    rfn_status st;
    float complex tmpbuf[4096];
    if (block > 4096) block = 4096;
    while ((st = capture_read(c, tmpbuf, block, &got, &err)) == RFN_OK) {
        for (size_t i = 0; i < got && n + i < cap; i++)
            out[n + i] = tmpbuf[i];
        n += got;
    }
    if (st != RFN_ERR_EOF) {
        fprintf(stderr, "read error: %s\n", err.msg);
        return -1;
    }
    return (int64_t)n;
}

static capture *open_ok(const char *path, const capture_options *opt)
{
    capture *c = NULL;
    rfn_error err = {0};
    rfn_status st = capture_open(path, opt, &c, &err);
    CHECK_MSG(st == RFN_OK, "%s: %s", path, err.msg);
    return st == RFN_OK ? c : NULL;
}

/* capture_open must fail with status st and exactly the message want. */
static void open_fails(const char *path, const capture_options *opt, rfn_status st,
                       const char *want)
{
    capture *c = NULL;
    rfn_error err = {0};
    rfn_status got = capture_open(path, opt, &c, &err);
    CHECK_MSG(got == st, "%s: status %d, want %d (%s)", path, got, st, err.msg);
    CHECK_MSG(strcmp(err.msg, want) == 0, "message\n  got  '%s'\n  want '%s'", err.msg, want);
    CHECK(c == NULL);
    CHECK(strchr(err.msg, '\n') == NULL);
    capture_close(c);
}

/* ---- round trips through libsndfile containers ----------------------------------------------- */

/* Integer codes that exercise both rails and the centre for a b-bit signed format. */
static int32_t code_at(int i, int bits)
{
    int32_t max = (int32_t)((1LL << (bits - 1)) - 1), min = -max - 1;
    switch (i % 8) {
    case 0:
        return min;
    case 1:
        return max;
    case 2:
        return 0;
    case 3:
        return -1;
    case 4:
        return 1;
    default:
        return (int32_t)((i * 7919) % (max / 2 + 1)) * (i % 2 ? 1 : -1);
    }
}

static void container_round_trip(int major, int sub, int bits, int channels, const char *ext)
{
    const int n = 1000;
    char name[64];
    snprintf(name, sizeof name, "rt_%x_%x_%d.%s", (unsigned)major, (unsigned)sub, channels, ext);
    const char *path = tmp(name);
    SF_INFO info = {.samplerate = 96000, .channels = channels, .format = major | sub};
    if (!sf_format_check(&info)) {
        fprintf(stderr, "libsndfile cannot write %s; skipped\n", name);
        return;
    }
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    CHECK_MSG(sf != NULL, "%s: %s", name, sf_strerror(NULL));
    if (!sf) return;
    int is_float = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
    int unsigned8 = sub == SF_FORMAT_PCM_U8;
    double *expect = malloc((size_t)n * (size_t)channels * sizeof *expect);
    if (is_float) {
        double *v = malloc((size_t)n * (size_t)channels * sizeof *v);
        for (int i = 0; i < n * channels; i++)
            v[i] = expect[i] = sin(0.01 * i) * (i % 5 == 0 ? 1.5 : 0.9) + (i == 7 ? 1.0 : 0.0);
        CHECK(sf_writef_double(sf, v, n) == n);
        free(v);
    } else {
        /* Write exact integer codes through the int interface (libsndfile keeps the top bits). */
        int *v = malloc((size_t)n * (size_t)channels * sizeof *v);
        for (int i = 0; i < n * channels; i++) {
            int32_t c = code_at(i, bits);
            v[i] = (int)((uint32_t)c << (32 - bits));
            /* docs/architecture.md §Units: signed x/2^(b-1); unsigned 8-bit (x - 127.5)/127.5
             * with x = c + 128 on disk. */
            expect[i] = unsigned8 ? ((double)c + 128.0 - 127.5) / 127.5 : ldexp(c, -(bits - 1));
        }
        CHECK(sf_writef_int(sf, v, n) == n);
        free(v);
    }
    sf_close(sf);

    capture *c = open_ok(path, NULL);
    if (c) {
        const capture_meta *m = capture_get_meta(c);
        CHECK_MSG(m->sample_count == n, "%s: %lld samples", name, (long long)m->sample_count);
        CHECK(m->is_complex == (channels == 2));
        CHECK(m->channels == 1);
        CHECK_NEAR(m->sample_rate_hz, 96000, 0);
        CHECK(m->src_sample_rate == CAPTURE_SRC_HEADER);
        CHECK(m->bits == bits);
        float complex *got = malloc((size_t)n * sizeof *got);
        CHECK(read_all(c, got, (size_t)n, 333) == n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double ei = expect[channels * i], eq = channels == 2 ? expect[2 * i + 1] : 0.0;
            if (is_float) /* stored as float32 or float64, delivered as float32 */
                ei = (float)ei, eq = (float)eq;
            worst = fmax(worst, fabs(crealf(got[i]) - ei));
            worst = fmax(worst, fabs(cimagf(got[i]) - eq));
        }
        CHECK_MSG(worst <= (bits == 32 && !is_float ? 1e-9 + ldexp(1, -24) : 1e-7),
                  "%s: worst error %g", name, worst);
        const capture_stats *s = capture_get_stats(c);
        CHECK(s->samples_read == n);
        if (!is_float) {
            /* Codes 0 (min) and 1 (max) of every 8 are at a rail: for I/Q one frame in 4 holds
             * both; for one channel, frames 0 and 1 of every 8. */
            double want = 0.25;
            CHECK_MSG(fabs(s->clipped_fraction - want) < 0.01, "%s: clipped %g want %g", name,
                      s->clipped_fraction, want);
        }
        free(got);
        capture_close(c);
    }
    free(expect);
}

/* ---- raw files ------------------------------------------------------------------------------- */

static void raw_scaling(void)
{
    /* cu8: (x - 127.5)/127.5, so 0 → -1, 255 → +1, 127/128 → ∓0.5/127.5. */
    unsigned char u8[] = {0, 255, 127, 128, 1, 254, 2, 253};
    write_file(tmp("scale.cu8"), u8, sizeof u8);
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;
    capture *c = open_ok(tmp("scale.cu8"), &o);
    float complex v[4];
    if (c) {
        CHECK(read_all(c, v, 4, 4) == 4);
        CHECK_NEAR(crealf(v[0]), -1.0, 0);
        CHECK_NEAR(cimagf(v[0]), 1.0, 0);
        CHECK_NEAR(crealf(v[1]), -0.5 / 127.5, 1e-8);
        CHECK_NEAR(cimagf(v[1]), 0.5 / 127.5, 1e-8);
        CHECK_NEAR(crealf(v[2]), -126.5 / 127.5, 1e-7);
        CHECK_NEAR(cimagf(v[3]), 125.5 / 127.5, 1e-7);
        const capture_stats *s = capture_get_stats(c);
        /* frames 0 (0,255) and 2 (1,254) are at or within one code of a rail; 3 (2,253) not */
        CHECK(s->clipped_samples == 2);
        CHECK(strcmp(capture_get_meta(c)->format, "cu8") == 0);
        CHECK(capture_get_meta(c)->src_format == CAPTURE_SRC_FILENAME);
        capture_close(c);
    }
    /* cs8: x/128; within one code of the rails: -128, -127, 126, 127. */
    signed char s8[] = {-128, 127, -127, 126, 125, -126, 64, -64};
    write_file(tmp("scale.cs8"), s8, sizeof s8);
    if ((c = open_ok(tmp("scale.cs8"), &o))) {
        CHECK(read_all(c, v, 4, 3) == 4);
        CHECK_NEAR(crealf(v[0]), -1.0, 0);
        CHECK_NEAR(cimagf(v[0]), 127.0 / 128, 0);
        CHECK_NEAR(crealf(v[3]), 0.5, 0);
        CHECK(capture_get_stats(c)->clipped_samples == 2);
        CHECK(strcmp(capture_get_meta(c)->format, "ci8") == 0);
        capture_close(c);
    }
    /* cs16 little-endian: x/32768. */
    int16_t s16[] = {-32768, 32767, 16384, -16384, 32766, 0, 32765, -32766};
    unsigned char b16[sizeof s16];
    for (size_t i = 0; i < 8; i++)
        b16[2 * i] = (unsigned char)((uint16_t)s16[i] & 0xff),
                b16[2 * i + 1] = (unsigned char)((uint16_t)s16[i] >> 8);
    write_file(tmp("scale.cs16"), b16, sizeof b16);
    if ((c = open_ok(tmp("scale.cs16"), &o))) {
        CHECK(read_all(c, v, 4, 4) == 4);
        CHECK_NEAR(crealf(v[0]), -1.0, 0);
        CHECK_NEAR(cimagf(v[0]), 32767.0 / 32768, 0);
        CHECK_NEAR(crealf(v[1]), 0.5, 0);
        CHECK_NEAR(cimagf(v[1]), -0.5, 0);
        CHECK(capture_get_stats(c)->clipped_samples == 2); /* frame 2 has 32766 */
        capture_close(c);
    }
    /* The same bytes as big-endian through an explicit prefix: 0x0080 → 128 etc. */
    char pre[300];
    snprintf(pre, sizeof pre, "ci16_be:%s", tmp("scale.cs16"));
    if ((c = open_ok(pre, &o))) {
        CHECK(read_all(c, v, 4, 4) == 4);
        CHECK_NEAR(crealf(v[0]), 128.0 / 32768, 0); /* bytes 00 80 */
        CHECK(strcmp(capture_get_meta(c)->format, "ci16_be") == 0);
        CHECK(capture_get_meta(c)->src_format == CAPTURE_SRC_COMMAND_LINE);
        CHECK(strcmp(capture_get_meta(c)->path, tmp("scale.cs16")) == 0);
        capture_close(c);
    }
    /* ci32: x/2^31. */
    int32_t s32[] = {INT32_MIN, INT32_MAX, 1 << 30, -(1 << 29)};
    write_file(tmp("scale.cs32"), s32, sizeof s32);
    if ((c = open_ok(tmp("scale.cs32"), &o))) {
        CHECK(read_all(c, v, 2, 2) == 2);
        CHECK_NEAR(crealf(v[0]), -1.0, 0);
        CHECK_NEAR(crealf(v[1]), 0.5, 0);
        CHECK_NEAR(cimagf(v[1]), -0.25, 0);
        capture_close(c);
    }
    /* cf32 with NaN and Inf: delivered as 0 and counted; |x| >= 1 is clipped. */
    float f32[] = {0.25f, -0.5f, NAN, 0.125f, INFINITY, -INFINITY, 1.0f, 0.0f, 0.0f, 0.0f};
    write_file(tmp("nan.cf32"), f32, sizeof f32);
    if ((c = open_ok(tmp("nan.cf32"), &o))) {
        float complex w[5];
        CHECK(read_all(c, w, 5, 5) == 5);
        CHECK_NEAR(crealf(w[0]), 0.25, 0);
        CHECK_NEAR(cimagf(w[0]), -0.5, 0);
        CHECK(crealf(w[1]) == 0.0f && cimagf(w[1]) == 0.125f);
        CHECK(crealf(w[2]) == 0.0f && cimagf(w[2]) == 0.0f);
        const capture_stats *s = capture_get_stats(c);
        CHECK(s->nonfinite_count == 3);
        CHECK(s->clipped_samples == 1);
        CHECK(s->zero_samples == 2);
        CHECK(!isnan(s->mean_power) && !isnan(s->dc_i));
        unsigned f = capture_findings(capture_get_meta(c), s);
        CHECK(f & CAPTURE_FIND_NONFINITE);
        CHECK(f & CAPTURE_FIND_CLIPPED);
        CHECK(f & CAPTURE_FIND_SHORT);
        capture_close(c);
    }
    /* cf64 */
    double f64[] = {0.125, -0.375, 1e-300, 0.5};
    write_file(tmp("x.cf64"), f64, sizeof f64);
    if ((c = open_ok(tmp("x.cf64"), &o))) {
        CHECK(read_all(c, v, 2, 2) == 2);
        CHECK_NEAR(crealf(v[0]), 0.125, 0);
        CHECK_NEAR(cimagf(v[0]), -0.375, 0);
        CHECK_NEAR(cimagf(v[1]), 0.5, 0);
        capture_close(c);
    }
    /* All zeros: no NaN anywhere, power 0, finding all-zero. */
    static unsigned char zeros[8192];
    write_file(tmp("zeros.cs8"), zeros, sizeof zeros);
    if ((c = open_ok(tmp("zeros.cs8"), &o))) {
        float complex z[4096];
        CHECK(read_all(c, z, 4096, 1000) == 4096);
        const capture_stats *s = capture_get_stats(c);
        CHECK(s->mean_power == 0.0 && s->dc_i == 0.0 && s->zero_samples == 4096);
        CHECK(isnan(s->iq_gain_imbalance_db)); /* undefined, not a number of dB */
        unsigned f = capture_findings(capture_get_meta(c), s);
        CHECK(f & CAPTURE_FIND_ALL_ZERO);
        CHECK(!(f & CAPTURE_FIND_ZERO_RUNS));
        capture_close(c);
    }
}

/* ---- statistics ------------------------------------------------------------------------------ */

static void statistics(void)
{
    /* I = 0.3 cos + 0.05, Q = 0.3·g sin(θ + φ) with g = 0.9 (−0.915 dB), φ = 3°, DC on I. */
    const int n = 48000;
    float *f = malloc(2 * (size_t)n * sizeof *f);
    double g = 0.9, phi = 3.0 * M_PI / 180;
    for (int i = 0; i < n; i++) {
        double th = 2 * M_PI * 0.01 * i;
        f[2 * i] = (float)(0.3 * cos(th) + 0.05);
        f[2 * i + 1] = (float)(0.3 * g * sin(th + phi));
    }
    write_file(tmp("iq.cf32"), f, 2 * (size_t)n * sizeof *f);
    free(f);
    capture_options o = capture_options_default();
    o.rate_hz = 48000;
    capture *c = open_ok(tmp("iq.cf32"), &o);
    if (!c) return;
    float complex buf[4096];
    size_t got;
    rfn_error err;
    while (capture_read(c, buf, 4096, &got, &err) == RFN_OK)
        ;
    const capture_stats *s = capture_get_stats(c);
    CHECK_NEAR(s->dc_i, 0.05, 1e-6);
    CHECK_NEAR(s->dc_q, 0.0, 1e-6);
    /* var I = 0.045, var Q = 0.045 g²: gain = 10 log10(1/g²) */
    CHECK_NEAR(s->iq_gain_imbalance_db, -20 * log10(g), 1e-3);
    /* cov(I,Q) = 0.3·0.3g·sin(φ)/2 → asin of the correlation = φ (sign: Q leads by φ) */
    CHECK_NEAR(fabs(s->iq_phase_imbalance_deg), 3.0, 1e-3);
    CHECK_NEAR(s->mean_power, 0.045 + 0.0025 + 0.045 * g * g, 1e-5);
    unsigned fl = capture_findings(capture_get_meta(c), s);
    CHECK(fl & CAPTURE_FIND_DC_OFFSET);
    CHECK(!(fl & CAPTURE_FIND_IQ_IMBALANCE)); /* 0.9 dB and 3° are within 1 dB / 5° */
    /* EOF is sticky, and a 0-frame read is invalid. */
    CHECK(capture_read(c, buf, 4096, &got, &err) == RFN_ERR_EOF && got == 0);
    CHECK(capture_read(c, buf, 4096, &got, &err) == RFN_ERR_EOF);
    capture_close(c);
    capture_close(NULL);
}

/* Read-ahead on a second thread gives the same samples and statistics, whatever the block
 * sizes; closing early stops the thread. */
static void prefetch_equivalence(void)
{
    enum { N = 50001 };
    static signed char raw[2 * N];
    for (int i = 0; i < 2 * N; i++)
        raw[i] = (signed char)((i * 7919) % 256 - 128);
    write_file(tmp("pf.cs8"), raw, sizeof raw);
    static float complex a[N], b[N];
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;
    o.block_frames = 4096;
    capture *c1 = open_ok(tmp("pf.cs8"), &o);
    o.prefetch = 1;
    capture *c2 = open_ok(tmp("pf.cs8"), &o);
    if (c1 && c2) {
        CHECK(read_all(c1, a, N, 1000) == N);
        CHECK(read_all(c2, b, N, 777) == N);
        CHECK(memcmp(a, b, sizeof a) == 0);
        const capture_stats *s1 = capture_get_stats(c1), *s2 = capture_get_stats(c2);
        CHECK(s1->samples_read == N && s2->samples_read == N);
        CHECK(s1->clipped_samples == s2->clipped_samples && s1->zero_samples == s2->zero_samples);
        CHECK(s1->mean_power == s2->mean_power && s1->dc_q == s2->dc_q);
        float complex x[8];
        size_t got;
        rfn_error err;
        CHECK(capture_read(c2, x, 8, &got, &err) == RFN_ERR_EOF && got == 0);
        CHECK(capture_read(c2, x, 8, &got, &err) == RFN_ERR_EOF);
    }
    capture_close(c1);
    capture_close(c2);
    /* Close after one block, with the producer waiting on full slots. */
    if ((c2 = open_ok(tmp("pf.cs8"), &o))) {
        float complex x[10];
        size_t got;
        rfn_error err;
        CHECK(capture_read(c2, x, 10, &got, &err) == RFN_OK && got == 10);
        CHECK(x[3] == a[3]);
        capture_close(c2);
    }
    /* Real samples through capture_read_real with read-ahead. */
    int16_t r[3000];
    for (int i = 0; i < 3000; i++)
        r[i] = (int16_t)(i * 10 - 15000);
    write_file(tmp("pf.sigmf-data"), r, sizeof r);
    write_text(tmp("pf.sigmf-meta"), "{\"global\": {\"core:datatype\": \"ri16_le\","
                                     " \"core:sample_rate\": 8000}}");
    o = capture_options_default();
    o.prefetch = 1;
    o.block_frames = 1000;
    if ((c2 = open_ok(tmp("pf.sigmf-meta"), &o))) {
        static float v[3000];
        size_t n = 0, got;
        rfn_error err;
        while (capture_read_real(c2, v + n, 3000 - n < 700 ? 3000 - n : 700, &got, &err) == RFN_OK)
            n += got;
        CHECK(n == 3000);
        CHECK(v[2999] == r[2999] / 32768.0f && v[0] == r[0] / 32768.0f);
        capture_close(c2);
    }
}

/* ---- SigMF ----------------------------------------------------------------------------------- */

static void sigmf_writer_round_trip(void)
{
    const int n = 5000;
    float complex *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++) /* exact in ci16: multiples of 1/32768 */
        x[i] = (float)((i % 200) - 100) / 256.0f + I * (float)(((i * 7) % 300) - 150) / 512.0f;
    capture_annotation ann[2] = {
        {.sample_start = 100,
         .sample_count = 50,
         .freq_lo_hz = 868.0e6,
         .freq_hi_hz = 868.2e6,
         .label = "hub-burst"},
        {.sample_start = 4000,
         .sample_count = -1,
         .freq_lo_hz = NAN,
         .freq_hi_hz = NAN,
         .label = "tail"},
    };
    const char *types[] = {"cf32_le", "ci16_le", "rf32_le", "ri16_le"};
    for (int t = 0; t < 4; t++) {
        int real = types[t][0] == 'r';
        char base[64];
        snprintf(base, sizeof base, "w_%s", types[t]);
        const char *meta = tmp(base);
        capture_writer_config cfg = capture_writer_config_default();
        cfg.datatype = types[t];
        cfg.sample_rate_hz = 2.4e6;
        cfg.center_freq_hz = 868.3e6;
        cfg.datetime = "2026-03-01T10:00:00Z";
        cfg.device_id = "BC-33-AC-FF-FE-FA-55-3D";
        cfg.mpxn = "1200023456789";
        cfg.engineer = "A. Engineer";
        cfg.site = "Leeds LS1";
        cfg.calibration_id = "cal-2026-01";
        cfg.latitude_deg = 53.8;
        cfg.longitude_deg = -1.55;
        cfg.annotations = ann;
        cfg.n_annotations = 2;
        capture_writer *w = NULL;
        rfn_error err = {0};
        CHECK_OK(capture_writer_create(meta, &cfg, &w, &err));
        if (!w) continue;
        CHECK_OK(capture_writer_write(w, x, 1234, &err));
        CHECK_OK(capture_writer_write(w, x + 1234, (size_t)n - 1234, &err));
        CHECK_OK(capture_writer_commit(w, &err));
        char mp[300];
        snprintf(mp, sizeof mp, "%s.sigmf-data", meta); /* open by the data file */
        capture_options o = capture_options_default();
        o.verify_sha512 = 1;
        o.rate_hz = 1e6; /* the command line wins over SigMF: a warning naming both */
        capture *c = open_ok(mp, &o);
        if (!c) continue;
        const capture_meta *m = capture_get_meta(c);
        CHECK(m->sample_count == n);
        CHECK_NEAR(m->sample_rate_hz, 1e6, 0);
        CHECK(m->src_sample_rate == CAPTURE_SRC_COMMAND_LINE);
        CHECK(m->n_warnings == 1 &&
              strcmp(m->warnings[0], "sample rate: command-line says 1000000 Hz, sigmf says "
                                     "2400000 Hz; using 1000000 Hz (command-line)") == 0);
        CHECK_NEAR(m->center_freq_hz, 868.3e6, 0);
        CHECK(strcmp(m->datetime, "2026-03-01T10:00:00Z") == 0);
        CHECK(strcmp(m->device_id, "BC-33-AC-FF-FE-FA-55-3D") == 0);
        CHECK(strcmp(m->mpxn, "1200023456789") == 0);
        CHECK(strcmp(m->engineer, "A. Engineer") == 0);
        CHECK(strcmp(m->site, "Leeds LS1") == 0);
        CHECK(strcmp(m->calibration_id, "cal-2026-01") == 0);
        CHECK_NEAR(m->latitude_deg, 53.8, 1e-12);
        CHECK_NEAR(m->longitude_deg, -1.55, 1e-12);
        CHECK(m->n_annotations == 2);
        if (m->n_annotations == 2) {
            CHECK(m->annotations[0].sample_start == 100 && m->annotations[0].sample_count == 50);
            CHECK_NEAR(m->annotations[0].freq_hi_hz, 868.2e6, 0);
            CHECK(strcmp(m->annotations[0].label, "hub-burst") == 0);
            CHECK(m->annotations[1].sample_count == -1 && isnan(m->annotations[1].freq_lo_hz));
        }
        CHECK(strcmp(m->format, types[t]) == 0);
        CHECK(m->n_warnings == 1 && strstr(m->warnings[0], "sigmf says 2400000 Hz") &&
              strstr(m->warnings[0], "command-line says 1000000 Hz"));
        float complex *y = malloc((size_t)n * sizeof *y);
        CHECK(read_all(c, y, (size_t)n, 4096) == n);
        int bad = 0;
        for (int i = 0; i < n; i++) /* real datatypes keep the real part */
            bad += y[i] != (real ? crealf(x[i]) : x[i]);
        CHECK_MSG(bad == 0, "%s: %d samples differ", types[t], bad);
        free(y);
        capture_close(c);
    }
    free(x);
}

static void sigmf_datatypes(void)
{
    /* Every datatype via a hand-written meta; the value 0.5 (or 192 for cu8) in each. */
    static const struct {
        const char *dt;
        unsigned char bytes[16];
        size_t len;
        double re, im;
    } cases[] = {
        {"cu8", {192, 64}, 2, 64.5 / 127.5, -63.5 / 127.5},
        {"ci8", {64, 0xc0}, 2, 0.5, -0.5},
        {"ci16_le", {0x00, 0x40, 0x00, 0xc0}, 4, 0.5, -0.5},
        {"ci16_be", {0x40, 0x00, 0xc0, 0x00}, 4, 0.5, -0.5},
        {"ci32_le", {0, 0, 0, 0x40, 0, 0, 0, 0xc0}, 8, 0.5, -0.5},
        {"ci32_be", {0x40, 0, 0, 0, 0xc0, 0, 0, 0}, 8, 0.5, -0.5},
        {"cf32_le", {0, 0, 0, 0x3f, 0, 0, 0, 0xbf}, 8, 0.5, -0.5},
        {"cf32_be", {0x3f, 0, 0, 0, 0xbf, 0, 0, 0}, 8, 0.5, -0.5},
        {"cf64_le", {0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0, 0, 0, 0, 0, 0, 0xe0, 0xbf}, 16, 0.5, -0.5},
        {"cf64_be", {0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0}, 16, 0.5, -0.5},
        {"ri16_le", {0x00, 0x40, 0x00, 0xc0}, 4, 0.5, 0.0},
        {"rf32_le", {0, 0, 0, 0x3f, 0, 0, 0, 0xbf}, 8, 0.5, 0.0},
        {"ru8", {192, 64}, 2, 64.5 / 127.5, -63.5 / 127.5},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char name[64], meta[512];
        snprintf(name, sizeof name, "dt_%s.sigmf-data", cases[k].dt);
        write_file(tmp(name), cases[k].bytes, cases[k].len);
        snprintf(name, sizeof name, "dt_%s.sigmf-meta", cases[k].dt);
        snprintf(meta, sizeof meta,
                 "{\"global\": {\"core:datatype\": \"%s\", \"core:sample_rate\": 1000,"
                 " \"core:version\": \"1.0.0\"}, \"captures\": [{\"core:sample_start\": 0}],"
                 " \"annotations\": []}",
                 cases[k].dt);
        write_text(tmp(name), meta);
        capture *c = open_ok(tmp(name), NULL);
        if (!c) continue;
        const capture_meta *m = capture_get_meta(c);
        int real = cases[k].dt[0] == 'r';
        CHECK_MSG(strcmp(m->format, cases[k].dt) == 0, "%s read as %s", cases[k].dt, m->format);
        CHECK(m->is_complex == !real);
        float complex v[2];
        int64_t n = read_all(c, v, 2, 2);
        CHECK_MSG(n == (real ? 2 : 1), "%s: %lld samples", cases[k].dt, (long long)n);
        CHECK_MSG(fabs(crealf(v[0]) - cases[k].re) < 1e-7, "%s: re %g", cases[k].dt, crealf(v[0]));
        if (real)
            CHECK_MSG(fabs(crealf(v[1]) - (cases[k].dt[1] == 'u' ? cases[k].im : -0.5)) < 1e-7 &&
                          cimagf(v[0]) == 0.0f,
                      "%s: second %g", cases[k].dt, crealf(v[1]));
        else
            CHECK_MSG(fabs(cimagf(v[0]) - cases[k].im) < 1e-7, "%s: im %g", cases[k].dt,
                      cimagf(v[0]));
        capture_close(c);
    }
    /* capture_read_real on a real capture; refused on a complex one. */
    capture *c = open_ok(tmp("dt_ri16_le.sigmf-meta"), NULL);
    if (c) {
        float r[4];
        size_t got;
        rfn_error err;
        CHECK(capture_read_real(c, r, 4, &got, &err) == RFN_OK && got == 2);
        CHECK(r[0] == 0.5f && r[1] == -0.5f);
        CHECK(capture_read_real(c, r, 4, &got, &err) == RFN_ERR_EOF);
        capture_close(c);
    }
    if ((c = open_ok(tmp("dt_ci8.sigmf-meta"), NULL))) {
        float r[4];
        size_t got;
        rfn_error err;
        CHECK(capture_read_real(c, r, 4, &got, &err) == RFN_ERR_INVALID);
        capture_close(c);
    }
}

static void sigmf_multichannel_and_segments(void)
{
    /* 2 real channels (like the SigMF logo) and 3 channels; channel selection. */
    int16_t d[] = {100, -200, 300, -400, 500, -600};
    write_file(tmp("mc.sigmf-data"), d, sizeof d);
    write_text(tmp("mc.sigmf-meta"),
               "{\"global\": {\"core:datatype\": \"ri16_le\", \"core:sample_rate\": 48000,"
               " \"core:num_channels\": 2, \"core:version\": \"1.0.0\","
               " \"core:geolocation\": {\"type\": \"Point\", \"coordinates\": [-0.12, 51.5, 20]},"
               " \"rfnoise:DeviceID\": \"00-11-22-FF-FE-33-44-55\"},"
               " \"captures\": [{\"core:sample_start\": 0, \"core:frequency\": 868.0e6,"
               " \"core:datetime\": \"2026-01-02T03:04:05Z\"},"
               " {\"core:sample_start\": 2, \"core:frequency\": 869.0e6}],"
               " \"annotations\": [{\"core:sample_start\": 1, \"core:sample_count\": 2,"
               " \"core:comment\": \"burst\"}]}");
    capture_options o = capture_options_default();
    o.channel = 1;
    capture *c = open_ok(tmp("mc.sigmf-meta"), &o);
    if (c) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(m->channels == 2 && !m->is_complex && m->sample_count == 3);
        CHECK(m->n_segments == 2 && m->segments[1].sample_start == 2);
        CHECK_NEAR(m->segments[1].center_freq_hz, 869e6, 0);
        CHECK_NEAR(m->center_freq_hz, 868e6, 0);
        CHECK_NEAR(m->altitude_m, 20, 0);
        CHECK_NEAR(m->latitude_deg, 51.5, 0);
        CHECK(strcmp(m->device_id, "00-11-22-FF-FE-33-44-55") == 0);
        CHECK(m->src_device == CAPTURE_SRC_SIGMF);
        CHECK(m->n_annotations == 1 && strcmp(m->annotations[0].label, "burst") == 0);
        float complex v[3];
        CHECK(read_all(c, v, 3, 2) == 3);
        CHECK_NEAR(crealf(v[0]), -200.0 / 32768, 0);
        CHECK_NEAR(crealf(v[2]), -600.0 / 32768, 0);
        CHECK(cimagf(v[1]) == 0.0f);
        capture_close(c);
    }
    o.channel = 2;
    char want[400];
    snprintf(want, sizeof want, "%s: channel 2 asked for but the capture has 2",
             tmp("mc.sigmf-meta"));
    open_fails(tmp("mc.sigmf-meta"), &o, RFN_ERR_INVALID, want);
}

/* A minimal ustar archive with the given members. */
static void tar_add(FILE *fp, const char *name, const void *data, size_t len)
{
    unsigned char h[512] = {0};
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 124, 12, "%011zo", len);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    fwrite(h, 1, 512, fp);
    fwrite(data, 1, len, fp);
    static const unsigned char zero[512];
    fwrite(zero, 1, (512 - len % 512) % 512, fp);
}

static void sigmf_archive(void)
{
    const char *meta = "{\"global\": {\"core:datatype\": \"ci8\", \"core:sample_rate\": 250000,"
                       " \"core:version\": \"1.0.0\"}, \"captures\": [{\"core:sample_start\": 0,"
                       " \"core:frequency\": 433.92e6}], \"annotations\": []}";
    signed char data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (signed char)(i % 100 - 50);
    FILE *fp = fopen(tmp("rec.sigmf"), "wb");
    tar_add(fp, "rec/rec.sigmf-meta", meta, strlen(meta));
    tar_add(fp, "rec/rec.sigmf-data", data, sizeof data);
    static const unsigned char zero[1024];
    fwrite(zero, 1, sizeof zero, fp);
    fclose(fp);
    capture *c = open_ok(tmp("rec.sigmf"), NULL);
    if (!c) return;
    const capture_meta *m = capture_get_meta(c);
    CHECK(strcmp(m->container, "sigmf-archive") == 0);
    CHECK(m->sample_count == 500);
    CHECK_NEAR(m->center_freq_hz, 433.92e6, 0);
    float complex v[500];
    CHECK(read_all(c, v, 500, 100) == 500);
    CHECK_NEAR(crealf(v[1]), -48.0 / 128, 0);
    CHECK_NEAR(cimagf(v[1]), -47.0 / 128, 0);
    capture_close(c);
}

/* ---- WAV specials: auxi chunk, many data chunks, unset sizes --------------------------------- */

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff), put16(p + 2, v >> 16);
}

/* A 2-channel 16-bit WAV by hand: fmt, optional auxi, then the data split into n_chunks. */
static void hand_wav(const char *path, uint32_t rate, const int16_t *iq, size_t frames,
                     size_t n_chunks, int with_auxi, uint32_t center, int unset_size)
{
    FILE *fp = fopen(path, "wb");
    unsigned char h[64];
    memcpy(h, "RIFF", 4), put32(h + 4, 0), memcpy(h + 8, "WAVE", 4);
    fwrite(h, 1, 12, fp);
    memcpy(h, "fmt ", 4), put32(h + 4, 16), put16(h + 8, 1), put16(h + 10, 2), put32(h + 12, rate);
    put32(h + 16, rate * 4), put16(h + 20, 4), put16(h + 22, 16);
    fwrite(h, 1, 24, fp);
    if (with_auxi) {
        unsigned char a[8 + 64] = {0};
        memcpy(a, "auxi", 4), put32(a + 4, 64);
        /* SYSTEMTIME 2024-05-06 (Monday) 07:08:09.010, then stop time, then centre frequency. */
        put16(a + 8, 2024), put16(a + 10, 5), put16(a + 12, 1), put16(a + 14, 6);
        put16(a + 16, 7), put16(a + 18, 8), put16(a + 20, 9), put16(a + 22, 10);
        put32(a + 8 + 32, center);
        put32(a + 8 + 36, rate);
        fwrite(a, 1, sizeof a, fp);
    }
    size_t per = frames / n_chunks;
    for (size_t k = 0; k < n_chunks; k++) {
        size_t from = k * per, to = k + 1 == n_chunks ? frames : from + per;
        if (n_chunks > 1) { /* KiwiSDR puts a small chunk between data chunks */
            unsigned char kw[8 + 10] = {'k', 'i', 'w', 'i', 10, 0, 0, 0};
            fwrite(kw, 1, sizeof kw, fp);
        }
        memcpy(h, "data", 4), put32(h + 4, unset_size ? 0 : (uint32_t)((to - from) * 4));
        fwrite(h, 1, 8, fp);
        for (size_t i = from; i < to; i++) {
            unsigned char s[4];
            put16(s, (uint16_t)iq[2 * i]), put16(s + 2, (uint16_t)iq[2 * i + 1]);
            fwrite(s, 1, 4, fp);
        }
    }
    long end = ftell(fp);
    fseek(fp, 4, SEEK_SET);
    put32(h, (uint32_t)(end - 8));
    fwrite(h, 1, 4, fp);
    fclose(fp);
}

static void wav_specials(void)
{
    enum { N = 3001 };
    static int16_t iq[2 * N];
    for (int i = 0; i < 2 * N; i++)
        iq[i] = (int16_t)((i * 37) % 2000 - 1000);
    /* auxi chunk + SDR# file name: auxi wins for the centre frequency, with a warning. */
    const char *sdr = tmp("SDRSharp_20240506_070809Z_433920kHz_IQ.wav");
    hand_wav(sdr, 250000, iq, N, 1, 1, 433900000u, 0);
    capture *c = open_ok(sdr, NULL);
    if (c) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(m->sample_count == N && m->is_complex);
        CHECK_NEAR(m->center_freq_hz, 433.9e6, 0);
        CHECK(m->src_center_freq == CAPTURE_SRC_WAV_AUXI);
        CHECK(strcmp(m->datetime, "2024-05-06T07:08:09.010") == 0);
        CHECK(m->src_datetime == CAPTURE_SRC_WAV_AUXI);
        CHECK(m->src_sample_rate == CAPTURE_SRC_HEADER);
        CHECK(m->n_warnings == 1 &&
              strcmp(m->warnings[0], "centre frequency: wav-auxi says 433900000 Hz, filename "
                                     "says 433920000 Hz; using 433900000 Hz (wav-auxi)") == 0);
        float complex v[N];
        CHECK(read_all(c, v, N, 1000) == N);
        CHECK_NEAR(crealf(v[N - 1]), iq[2 * N - 2] / 32768.0, 0);
        capture_close(c);
    }
    /* KiwiSDR style: 7 data chunks with kiwi chunks between, read as one stream. */
    hand_wav(tmp("kiwi.wav"), 12000, iq, N, 7, 0, 0, 0);
    if ((c = open_ok(tmp("kiwi.wav"), NULL))) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(m->sample_count == N);
        CHECK(m->n_warnings == 1 && strstr(m->warnings[0], "read 7 data chunks"));
        float complex v[N];
        CHECK(read_all(c, v, N, 999) == N);
        int bad = 0;
        for (int i = 0; i < N; i++)
            bad += crealf(v[i]) != iq[2 * i] / 32768.0f || cimagf(v[i]) != iq[2 * i + 1] / 32768.0f;
        CHECK_MSG(bad == 0, "kiwi: %d samples differ", bad);
        capture_close(c);
    }
    /* A recorder that never finalised the data size (0): read to the end, with a warning. */
    hand_wav(tmp("unset.wav"), 12000, iq, N, 1, 0, 0, 1);
    if ((c = open_ok(tmp("unset.wav"), NULL))) {
        CHECK(capture_get_meta(c)->sample_count == N);
        CHECK(strstr(capture_get_meta(c)->warnings[0], "data chunk size not set"));
        capture_close(c);
    }
}

/* ---- SDRangel .sdriq ------------------------------------------------------------------------- */

static uint32_t test_crc32(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void sdriq_header(unsigned char h[32], uint32_t rate, uint64_t center, uint64_t ts,
                         uint32_t bits)
{
    memset(h, 0, 32);
    put32(h, rate);
    put32(h + 4, (uint32_t)center), put32(h + 8, (uint32_t)(center >> 32));
    put32(h + 12, (uint32_t)ts), put32(h + 16, (uint32_t)(ts >> 32));
    put32(h + 20, bits);
    put32(h + 28, test_crc32(h, 28));
}

static void sdriq(void)
{
    CHECK(test_crc32((const unsigned char *)"123456789", 9) == 0xCBF43926u); /* check value */
    unsigned char f[32 + 4 * 8];
    /* 16-bit, time in ms (SDRangel >= 6.16.2): 2024-05-06T07:08:09.010Z = 1714979289010 ms */
    sdriq_header(f, 2400000, 868300000ULL, 1714979289010ULL, 16);
    int16_t v16[8] = {16384, -16384, 32767, -32768, 0, 1, -1, 2};
    memcpy(f + 32, v16, sizeof v16);
    write_file(tmp("rec.sdriq"), f, 32 + sizeof v16);
    capture *c = open_ok(tmp("rec.sdriq"), NULL);
    if (c) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(strcmp(m->container, "sdriq") == 0 && strcmp(m->format, "ci16_le") == 0);
        CHECK(m->sample_count == 4 && m->is_complex);
        CHECK_NEAR(m->sample_rate_hz, 2.4e6, 0);
        CHECK_NEAR(m->center_freq_hz, 868.3e6, 0);
        CHECK(m->src_center_freq == CAPTURE_SRC_HEADER && m->src_sample_rate == CAPTURE_SRC_HEADER);
        CHECK_MSG(strcmp(m->datetime, "2024-05-06T07:08:09.010Z") == 0, "%s", m->datetime);
        float complex v[4];
        CHECK(read_all(c, v, 4, 4) == 4);
        CHECK(v[0] == 0.5f - 0.5f * I);
        CHECK(capture_get_stats(c)->clipped_samples == 1);
        capture_close(c);
    }
    /* 24-bit in 32-bit words, time in seconds (older SDRangel): x/2^23. */
    sdriq_header(f, 48000, 7100000ULL, 1714979289ULL, 24);
    int32_t v24[8] = {4194304, -4194304, 8388607, -8388608, 0, 1, -1, 2};
    memcpy(f + 32, v24, sizeof v24);
    write_file(tmp("rec24.sdriq"), f, sizeof f);
    if ((c = open_ok(tmp("rec24.sdriq"), NULL))) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(strcmp(m->format, "ci24_le") == 0 && m->bits == 24);
        CHECK(strcmp(m->datetime, "2024-05-06T07:08:09.000Z") == 0);
        float complex v[4];
        CHECK(read_all(c, v, 4, 3) == 4);
        CHECK(v[0] == 0.5f - 0.5f * I);
        CHECK(v[1] == 8388607.0f / 8388608.0f - 1.0f * I);
        CHECK(v[3] == -1.0f / 8388608.0f + 2.0f / 8388608.0f * I);
        CHECK(capture_get_stats(c)->clipped_samples == 1);
        capture_close(c);
    }
    /* A corrupted header is refused: the rate cannot be trusted. */
    f[0] ^= 1;
    write_file(tmp("bad.sdriq"), f, sizeof f);
    char want[400];
    snprintf(want, sizeof want,
             "%s: offset 28: header CRC-32 mismatch (corrupted header, or written before SDRangel "
             "4.2.1)",
             tmp("bad.sdriq"));
    open_fails(tmp("bad.sdriq"), NULL, RFN_ERR_FORMAT, want);
}

/* ---- file names ------------------------------------------------------------------------------ */

static void names(void)
{
    capture_name_info n;
    capture_name_parse("/x/rtl433_sensibleliving_g001_433.92M_250k.cu8", &n);
    CHECK(n.convention && strcmp(n.convention, "rtl_433") == 0);
    CHECK_NEAR(n.center_freq_hz, 433.92e6, 1e-6);
    CHECK_NEAR(n.sample_rate_hz, 250e3, 0);
    CHECK(strcmp(n.format, "cu8") == 0);
    capture_name_parse("gqrx_20140101_120000_144500000_1800000_fc.raw", &n);
    CHECK(n.convention && strcmp(n.convention, "gqrx") == 0);
    CHECK_NEAR(n.center_freq_hz, 144.5e6, 0);
    CHECK_NEAR(n.sample_rate_hz, 1.8e6, 0);
    CHECK(strcmp(n.datetime, "2014-01-01T12:00:00Z") == 0);
    CHECK(strcmp(n.format, "cf32_le") == 0);
    capture_name_parse("HDSDR_20130116_093405Z_7056kHz_RF.wav", &n);
    CHECK(n.convention && strcmp(n.convention, "HDSDR") == 0);
    CHECK_NEAR(n.center_freq_hz, 7.056e6, 0);
    CHECK(isnan(n.sample_rate_hz));
    CHECK(strcmp(n.datetime, "2013-01-16T09:34:05Z") == 0);
    capture_name_parse("SDRSharp_20200829_140232Z_100100000Hz_IQ.wav", &n);
    CHECK(n.convention && strcmp(n.convention, "SDR#") == 0);
    CHECK_NEAR(n.center_freq_hz, 100.1e6, 0);
    capture_name_parse("SDRuno_20200904_204456Z_516kHz.wav", &n);
    CHECK(n.convention && strcmp(n.convention, "SDRuno") == 0);
    capture_name_parse("gqrx_20141301_120000_144500000_1800000_fc.raw", &n); /* month 13 */
    CHECK(n.convention == NULL || strcmp(n.convention, "gqrx") != 0);
    capture_name_parse("plain.complex16s", &n);
    CHECK(n.convention == NULL && strcmp(n.format, "ci8") == 0 && isnan(n.center_freq_hz));
    CHECK(capture_name_ext_format("a.COMPLEX32S") &&
          !strcmp(capture_name_ext_format("a.COMPLEX32S"), "ci16_le"));
    CHECK(capture_name_ext_format("a.wav") == NULL);
}

/* ---- bad inputs: one line naming the file and the offset or field ---------------------------- */

static void bad_inputs(void)
{
    char want[600];
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;

    write_file(tmp("empty.cu8"), "", 0);
    snprintf(want, sizeof want, "%s: offset 0: empty file", tmp("empty.cu8"));
    open_fails(tmp("empty.cu8"), &o, RFN_ERR_FORMAT, want);

    /* Header-only WAV: libsndfile writes the header, no frames. */
    SF_INFO info = {.samplerate = 48000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    SNDFILE *sf = sf_open(tmp("header.wav"), SFM_WRITE, &info);
    sf_close(sf);
    snprintf(want, sizeof want, "%s: offset 44: no samples (header only?)", tmp("header.wav"));
    open_fails(tmp("header.wav"), &o, RFN_ERR_FORMAT, want);

    write_file(tmp("odd.cs16"), "\1\2\3\4\5\6\7", 7);
    snprintf(want, sizeof want,
             "%s: offset 4: 3 trailing byte(s) are not a whole frame of 4 bytes (truncated file?)",
             tmp("odd.cs16"));
    open_fails(tmp("odd.cs16"), &o, RFN_ERR_TRUNCATED, want);
    /* ...or read with the partial frame reported. */
    o.allow_truncated = 1;
    capture *c = open_ok(tmp("odd.cs16"), &o);
    if (c) {
        float complex v[2];
        CHECK(read_all(c, v, 2, 2) == 1);
        CHECK(capture_get_stats(c)->truncated_bytes == 3);
        CHECK(capture_findings(capture_get_meta(c), capture_get_stats(c)) & CAPTURE_FIND_TRUNCATED);
        capture_close(c);
    }
    o.allow_truncated = 0;

    write_text(tmp("badjson.sigmf-meta"),
               "{\n  \"global\": {\n    \"core:datatype\": \"cf32_le\",\n"
               "    \"core:sample_rate\": 1e6,,\n  }\n}\n");
    write_file(tmp("badjson.sigmf-data"), "\0\0\0\0\0\0\0\0", 8);
    snprintf(want, sizeof want,
             "%s: line 4 column 29: invalid JSON: string or '}' expected near ','",
             tmp("badjson.sigmf-meta"));
    open_fails(tmp("badjson.sigmf-data"), NULL, RFN_ERR_FORMAT, want);

    write_text(tmp("dt.sigmf-meta"), "{\"global\": {\"core:datatype\": \"cq17\","
                                     " \"core:sample_rate\": 1000}}");
    write_file(tmp("dt.sigmf-data"), "\0\0", 2);
    snprintf(want, sizeof want,
             "%s: global.core:datatype: 'cq17' is not a SigMF datatype "
             "((c|r)(f32|f64|i32|i16|i8|u8)[_le|_be], or cu8 cs8 cs16 cf32)",
             tmp("dt.sigmf-meta"));
    open_fails(tmp("dt.sigmf-meta"), NULL, RFN_ERR_FORMAT, want);

    write_text(tmp("u16.sigmf-meta"), "{\"global\": {\"core:datatype\": \"cu16_le\","
                                      " \"core:sample_rate\": 1000}}");
    write_file(tmp("u16.sigmf-data"), "\0\0\0\0", 4);
    snprintf(want, sizeof want,
             "%s: global.core:datatype: 'cu16_le' is not supported (unsigned 16/32-bit samples; "
             "supported: cu8 ci8 ci16 ci32 cf32 cf64 and their real r... forms)",
             tmp("u16.sigmf-meta"));
    open_fails(tmp("u16.sigmf-meta"), NULL, RFN_ERR_UNSUPPORTED, want);

    write_text(tmp("rate.sigmf-meta"), "{\"global\": {\"core:datatype\": \"ci8\","
                                       " \"core:sample_rate\": 0}}");
    write_file(tmp("rate.sigmf-data"), "\0\0", 2);
    snprintf(want, sizeof want, "%s: global.core:sample_rate: must be > 0 (got 0)",
             tmp("rate.sigmf-meta"));
    open_fails(tmp("rate.sigmf-meta"), NULL, RFN_ERR_FORMAT, want);

    write_text(tmp("short.sigmf-meta"),
               "{\"global\": {\"core:datatype\": \"ci16_le\", \"core:sample_rate\": 1000},"
               " \"annotations\": [{\"core:sample_start\": 10, \"core:sample_count\": 5}]}");
    write_file(tmp("short.sigmf-data"), "\0\0\0\0\0\0\0\0", 8);
    snprintf(want, sizeof want,
             "%s: offset 8: data holds 2 samples but annotations[0] ends at sample 15",
             tmp("short.sigmf-data"));
    open_fails(tmp("short.sigmf-meta"), NULL, RFN_ERR_TRUNCATED, want);

    write_text(tmp("count.sigmf-meta"),
               "{\"global\": {\"core:datatype\": \"ci16_le\", \"core:sample_rate\": 1000,"
               " \"rfnoise:sample_count\": 3}}");
    write_file(tmp("count.sigmf-data"), "\0\0\0\0\0\0\0\0", 8);
    snprintf(want, sizeof want,
             "%s: offset 8: data holds 2 samples but the meta claims 3 (rfnoise:sample_count)",
             tmp("count.sigmf-data"));
    open_fails(tmp("count.sigmf-meta"), NULL, RFN_ERR_TRUNCATED, want);

    write_text(tmp("nodata.sigmf-meta"), "{\"global\": {\"core:datatype\": \"ci8\","
                                         " \"core:sample_rate\": 1000}}");
    snprintf(want, sizeof want, "%s: no such file (the data of %s)", tmp("nodata.sigmf-data"),
             tmp("nodata.sigmf-meta"));
    open_fails(tmp("nodata.sigmf-meta"), NULL, RFN_ERR_NOTFOUND, want);

    snprintf(want, sizeof want, "%s: no such file", tmp("missing.cu8"));
    open_fails(tmp("missing.cu8"), &o, RFN_ERR_NOTFOUND, want);

    write_file(tmp("norate.cs8"), "\1\2\3\4", 4);
    snprintf(want, sizeof want,
             "%s: no sample rate: not in the file's metadata or name; give --rate HZ",
             tmp("norate.cs8"));
    open_fails(tmp("norate.cs8"), NULL, RFN_ERR_FORMAT, want);

    write_file(tmp("mystery.bin"), "\1\2\3\4", 4);
    snprintf(want, sizeof want,
             "%s: offset 0: not a WAV/RF64/W64/FLAC/CAF or SigMF file; for a raw file give its "
             "datatype with --datatype or a prefix such as cs16:%s",
             tmp("mystery.bin"), tmp("mystery.bin"));
    open_fails(tmp("mystery.bin"), &o, RFN_ERR_FORMAT, want);

    /* A WAV whose data chunk claims more than the file holds. */
    static int16_t iq[200];
    hand_wav(tmp("cut.wav"), 8000, iq, 100, 1, 0, 0, 0);
    if (truncate(tmp("cut.wav"), 44 + 200) == 0) {
        snprintf(want, sizeof want,
                 "%s: offset 244: data chunk claims 400 bytes but the file ends after 200 "
                 "(truncated file?)",
                 tmp("cut.wav"));
        open_fails(tmp("cut.wav"), NULL, RFN_ERR_TRUNCATED, want);
    }

    /* An empty data chunk followed by a LIST chunk: no samples (not an unfinalised size). */
    write_file(tmp("emptylist.wav"),
               "RIFF\x32\0\0\0WAVEfmt \x10\0\0\0\1\0\2\0\x40\x1f\0\0\0\x7d\0\0\4\0\x10\0"
               "data\0\0\0\0LIST\6\0\0\0INFOab",
               58);
    snprintf(want, sizeof want, "%s: offset 44: no samples (header only?)", tmp("emptylist.wav"));
    open_fails(tmp("emptylist.wav"), NULL, RFN_ERR_FORMAT, want);

    /* A data chunk, then a fmt chunk too short to hold a format (found by fuzz_capture_name:
     * the walker leaked its data list on this error). */
    write_file(tmp("shortfmt.wav"), "RIFF\x1c\0\0\0WAVEdata\4\0\0\0\1\2\3\4fmt \4\0\0\0\1\0\2\0",
               36);
    snprintf(want, sizeof want, "%s: offset 24: fmt chunk too short", tmp("shortfmt.wav"));
    open_fails(tmp("shortfmt.wav"), NULL, RFN_ERR_FORMAT, want);

    /* core:sha512 checked on request. */
    write_text(
        tmp("sha.sigmf-meta"),
        "{\"global\": {\"core:datatype\": \"ci8\", \"core:sample_rate\": 1000, \"core:sha512\":"
        " \"00000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000\"}}");
    write_file(tmp("sha.sigmf-data"), "\1\2", 2);
    o = capture_options_default();
    o.verify_sha512 = 1;
    snprintf(want, sizeof want,
             "%s: core:sha512 mismatch: meta says 0000000000000000..., data hashes to "
             "%.16s...",
             tmp("sha.sigmf-data"), "");
    {
        char hex[HASH_HEX_MAX];
        hash_buffer_hex(HASH_SHA512, "\1\2", 2, hex);
        snprintf(want, sizeof want,
                 "%s: core:sha512 mismatch: meta says 0000000000000000..., data hashes to %.16s...",
                 tmp("sha.sigmf-data"), hex);
    }
    open_fails(tmp("sha.sigmf-meta"), &o, RFN_ERR_CONFLICT, want);
}

/* sigmf_meta_device_id reads the device from global alone, under either name the extension
 * allows, even when the rest of the meta is unusable; "" when there is none or no JSON. */
static void meta_device_id(void)
{
    char id[CAPTURE_TEXT_MAX];
    write_text(tmp("dev1.sigmf-meta"), "{\"global\": {\"core:sample_rate\": -1, "
                                       "\"rfnoise:DeviceID\": \"00-11-22-33-44-55-66-77\"}}");
    sigmf_meta_device_id(tmp("dev1.sigmf-meta"), id, sizeof id);
    CHECK(strcmp(id, "00-11-22-33-44-55-66-77") == 0);
    write_text(tmp("dev2.sigmf-meta"), "{\"global\": {\"rfnoise:device_id\": \"AA\"}}");
    sigmf_meta_device_id(tmp("dev2.sigmf-meta"), id, sizeof id);
    CHECK(strcmp(id, "AA") == 0);
    write_text(tmp("dev3.sigmf-meta"), "{\"global\": {\"rfnoise:device_id\": 7}}");
    sigmf_meta_device_id(tmp("dev3.sigmf-meta"), id, sizeof id);
    CHECK(id[0] == '\0');
    write_text(tmp("dev4.sigmf-meta"), "not json");
    sigmf_meta_device_id(tmp("dev4.sigmf-meta"), id, sizeof id);
    CHECK(id[0] == '\0');
    sigmf_meta_device_id(tmp("absent.sigmf-meta"), id, sizeof id);
    CHECK(id[0] == '\0');
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/rfn_test_capture_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    names();
    meta_device_id();
    raw_scaling();
    statistics();
    prefetch_equivalence();
    static const struct {
        int major, sub, bits;
        const char *ext;
    } containers[] = {
        {SF_FORMAT_WAV, SF_FORMAT_PCM_U8, 8, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_PCM_16, 16, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_PCM_24, 24, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_PCM_32, 32, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_FLOAT, 32, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_DOUBLE, 64, "wav"},
        {SF_FORMAT_RF64, SF_FORMAT_PCM_16, 16, "wav"},
        {SF_FORMAT_RF64, SF_FORMAT_FLOAT, 32, "wav"},
        {SF_FORMAT_W64, SF_FORMAT_PCM_16, 16, "w64"},
        {SF_FORMAT_W64, SF_FORMAT_PCM_24, 24, "w64"},
        {SF_FORMAT_FLAC, SF_FORMAT_PCM_S8, 8, "flac"},
        {SF_FORMAT_FLAC, SF_FORMAT_PCM_16, 16, "flac"},
        {SF_FORMAT_FLAC, SF_FORMAT_PCM_24, 24, "flac"},
        {SF_FORMAT_CAF, SF_FORMAT_PCM_16, 16, "caf"},
        {SF_FORMAT_CAF, SF_FORMAT_PCM_32, 32, "caf"},
        {SF_FORMAT_CAF, SF_FORMAT_FLOAT, 32, "caf"},
        {SF_FORMAT_CAF, SF_FORMAT_PCM_S8, 8, "caf"},
    };
    for (size_t i = 0; i < sizeof containers / sizeof containers[0]; i++)
        for (int ch = 1; ch <= 2; ch++)
            container_round_trip(containers[i].major, containers[i].sub, containers[i].bits, ch,
                                 containers[i].ext);
    sigmf_writer_round_trip();
    sigmf_datatypes();
    sigmf_multichannel_and_segments();
    sigmf_archive();
    wav_specials();
    sdriq();
    bad_inputs();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return check_finish();
}
