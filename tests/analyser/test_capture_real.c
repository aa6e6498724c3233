/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_capture_real.c: captures written by real tools (../shared/real-captures, described in its
 * README) open with the right metadata, read to the end, and give the statistics an independent
 * numpy computation gives (reference values below). Skips (77) where the folder is absent. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "check.h"

typedef struct expect {
    const char *file;
    double rate_option; /* --rate given, 0 = none */
    const char *format;
    int is_complex, channels;
    double rate_hz;
    capture_source rate_src;
    double center_hz; /* NAN = unknown */
    int64_t samples;
    int64_t zeros;     /* exact-zero frames, -1 = not checked */
    int64_t clipped;   /* clipped frames, -1 = not checked */
    double mean_power; /* numpy reference, NAN = not checked */
} expect;

static const expect cases[] = {
    {"rtl433_sensibleliving_g001_433.92M_250k.cu8", 0, "cu8", 1, 1, 250e3, CAPTURE_SRC_FILENAME,
     433.92e6, 131072, 0, 24840, 0.2719196248888649},
    {"urh_esaver.cs8", 1e6, "ci8", 1, 1, 1e6, CAPTURE_SRC_COMMAND_LINE, NAN, 299046, 198193, 0,
     NAN},
    {"urh_elektromaten.cs8", 1e6, "ci8", 1, 1, 1e6, CAPTURE_SRC_COMMAND_LINE, NAN, 1236159, 478652,
     0, NAN},
    {"urh_homematic.cs16", 1e6, "ci16_le", 1, 1, 1e6, CAPTURE_SRC_COMMAND_LINE, NAN, 117396, 140, 0,
     0.000257254242980808},
    {"urh_enocean.cf32", 1e6, "cf32_le", 1, 1, 1e6, CAPTURE_SRC_COMMAND_LINE, NAN, 49100, 31, 0,
     NAN},
    {"urh_steckdose_anlernen.cf32", 1e6, "cf32_le", 1, 1, 1e6, CAPTURE_SRC_COMMAND_LINE, NAN, 63181,
     2149, 0, NAN},
    /* Real-valued 2-channel audio: not I/Q; channel 0 is read. */
    {"sigmf_logo.sigmf-meta", 0, "ri16_le", 0, 2, 48e3, CAPTURE_SRC_SIGMF, NAN, 288000, 1253, 0,
     0.027003317760481472},
};

int main(void)
{
    const char *dir = check_real_captures_dir();
    if (!dir) {
        fprintf(stderr, "skipped: ../shared/real-captures is absent\n");
        return CHECK_SKIP;
    }
    static float complex buf[65536];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const expect *e = &cases[k];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->file);
        capture_options o = capture_options_default();
        o.rate_hz = e->rate_option;
        o.verify_sha512 = 1;
        capture *c = NULL;
        rfn_error err = {0};
        rfn_status st = capture_open(path, &o, &c, &err);
        CHECK_MSG(st == RFN_OK, "%s: %s", e->file, err.msg);
        if (st) continue;
        const capture_meta *m = capture_get_meta(c);
        CHECK_MSG(strcmp(m->format, e->format) == 0, "%s: format %s", e->file, m->format);
        CHECK(m->is_complex == e->is_complex);
        CHECK(m->channels == e->channels);
        CHECK_NEAR(m->sample_rate_hz, e->rate_hz, 0);
        CHECK(m->src_sample_rate == e->rate_src);
        if (isnan(e->center_hz))
            CHECK_MSG(isnan(m->center_freq_hz) && m->src_center_freq == CAPTURE_SRC_NONE,
                      "%s: centre %g", e->file, m->center_freq_hz);
        else
            CHECK_NEAR(m->center_freq_hz, e->center_hz, 1e-3);
        CHECK_MSG(m->sample_count == e->samples, "%s: %lld samples", e->file,
                  (long long)m->sample_count);
        CHECK_NEAR(m->duration_s, (double)e->samples / e->rate_hz, 1e-12);
        int64_t n = 0;
        size_t got;
        while ((st = capture_read(c, buf, 65536, &got, &err)) == RFN_OK) {
            for (size_t i = 0; i < got; i++)
                if (!isfinite(crealf(buf[i])) || !isfinite(cimagf(buf[i]))) n = INT64_MIN / 2;
            n += (int64_t)got;
        }
        CHECK_MSG(st == RFN_ERR_EOF, "%s: %s", e->file, err.msg);
        CHECK_MSG(n == e->samples, "%s: read %lld (or a non-finite sample)", e->file, (long long)n);
        const capture_stats *s = capture_get_stats(c);
        CHECK(s->samples_read == e->samples);
        CHECK(s->nonfinite_count == 0);
        CHECK(isfinite(s->mean_power) && isfinite(s->dc_i) && isfinite(s->dc_q));
        if (e->zeros >= 0)
            CHECK_MSG(s->zero_samples == e->zeros, "%s: %lld zeros", e->file,
                      (long long)s->zero_samples);
        if (e->clipped >= 0)
            CHECK_MSG(s->clipped_samples == e->clipped, "%s: %lld clipped", e->file,
                      (long long)s->clipped_samples);
        if (!isnan(e->mean_power))
            CHECK_REL(s->mean_power, e->mean_power, 1e-6); /* float samples, double sums */
        unsigned f = capture_findings(m, s);
        CHECK_MSG(!!(f & CAPTURE_FIND_CLIPPED) == (e->clipped > 0), "%s: findings %#x", e->file, f);
        if (strcmp(e->file, "urh_esaver.cs8") == 0)
            CHECK(f & CAPTURE_FIND_ZERO_RUNS); /* 66 % silenced gaps */
        if (!e->is_complex) {
            CHECK(isnan(s->iq_gain_imbalance_db));
            CHECK(m->n_annotations == 3);
            if (m->n_annotations == 3) {
                CHECK(m->annotations[1].sample_start == 48000);
                CHECK(m->annotations[1].sample_count == 138000);
                CHECK(strcmp(m->annotations[2].label, "logo steady") == 0);
                CHECK_NEAR(m->annotations[0].freq_lo_hz, -22000, 0);
            }
            CHECK(strcmp(m->datetime, "2021-06-18T23:17:51.163959Z") == 0);
            CHECK(strstr(m->warnings[0], "2 real channels") != NULL);
        }
        capture_close(c);
    }
    /* URH files record no rate: without --rate they are refused in one line. */
    char path[1024], want[1200];
    snprintf(path, sizeof path, "%s/urh_homematic.cs16", dir);
    capture *c = NULL;
    rfn_error err = {0};
    CHECK(capture_open(path, NULL, &c, &err) == RFN_ERR_FORMAT);
    snprintf(want, sizeof want,
             "%s: no sample rate: not in the file's metadata or name; give --rate HZ", path);
    CHECK_MSG(strcmp(err.msg, want) == 0, "%s", err.msg);
    /* --rate against the rtl_433 name: the command line wins and the conflict names both. */
    snprintf(path, sizeof path, "%s/rtl433_sensibleliving_g001_433.92M_250k.cu8", dir);
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;
    if (capture_open(path, &o, &c, &err) == RFN_OK) {
        const capture_meta *m = capture_get_meta(c);
        CHECK_NEAR(m->sample_rate_hz, 1e6, 0);
        CHECK(m->n_warnings == 1 &&
              strcmp(m->warnings[0], "sample rate: command-line says 1000000 Hz, filename says "
                                     "250000 Hz; using 1000000 Hz (command-line)") == 0);
        capture_close(c);
    }
    return check_finish();
}
