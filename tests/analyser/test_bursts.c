/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_bursts.c: the burst finder of analyse --exclude-bursts (analyser/measure/bursts.h) on a
 * seeded noise capture with bursts planted at known levels over their band's floor and known
 * durations: every burst 6 dB or more over the floor and 1 ms or longer is found, each span
 * covers its burst and ends within two guards of it, and at most 1 % of the burst-free time is
 * left out. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bursts.h"
#include "capture.h"
#include "check.h"

#define FS 1.0e6
#define FC 868.3e6
#define DURATION_S 3.0
#define NOISE_DBFS_HZ (-100.0)

/* Two bands: a wide one and a narrow one (a burst is planted in one of them, a tone at its
 * centre, at a level over the band's noise power N0 x width). */
static const bursts_band bands[] = {
    {"wide", 868.0e6, 868.4e6},
    {"narrow", 868.45e6, 868.475e6},
};

typedef struct planted {
    double start_s, length_s, level_db;
    int band;
} planted;

/* Levels 6, 10, 20 dB x durations 1, 2, 5, 20 ms, alternating bands, 0.2 s apart. */
static planted plant[12];
static size_t n_plant;

static uint64_t rng = 88172645463325252ull;

static double uniform01(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    double u1 = uniform01(), u2 = uniform01();
    return sqrt(-2 * log(u1 < 1e-300 ? 1e-300 : u1)) * cos(2 * M_PI * u2);
}

static void make_plan(void)
{
    static const double levels[] = {6, 10, 20}, lengths[] = {1e-3, 2e-3, 5e-3, 20e-3};
    for (size_t l = 0; l < 3; l++)
        for (size_t d = 0; d < 4; d++, n_plant++)
            plant[n_plant] = (planted){0.1 + 0.2 * (double)n_plant + 0.013 * (double)d,
                                       lengths[d], levels[l], (int)(n_plant % 2)};
}

static void write_capture(const char *meta)
{
    capture_writer_config wc = capture_writer_config_default();
    wc.sample_rate_hz = FS;
    wc.center_freq_hz = FC;
    capture_writer *w = NULL;
    rfn_error err;
    CHECK_OK(capture_writer_create(meta, &wc, &w, &err));
    if (!w)
        return;
    double n0 = pow(10, NOISE_DBFS_HZ / 10), sigma = sqrt(n0 * FS / 2);
    size_t n = (size_t)(DURATION_S * FS);
    enum { B = 8192 };
    static float complex buf[B];
    for (size_t off = 0; off < n; off += B) {
        size_t m = n - off < B ? n - off : B;
        for (size_t i = 0; i < m; i++) {
            double t = (double)(off + i) / FS;
            double complex x = sigma * gauss() + I * sigma * gauss();
            for (size_t k = 0; k < n_plant; k++) {
                const planted *p = &plant[k];
                if (t < p->start_s || t >= p->start_s + p->length_s)
                    continue;
                const bursts_band *b = &bands[p->band];
                double a = sqrt(n0 * (b->f_hi_hz - b->f_lo_hz) * pow(10, p->level_db / 10));
                double f = (b->f_lo_hz + b->f_hi_hz) / 2 - FC;
                x += a * cexp(I * (2 * M_PI * f * t + 0.3 * (double)k));
            }
            buf[i] = (float complex)x;
        }
        CHECK_OK(capture_writer_write(w, buf, m, &err));
    }
    CHECK_OK(capture_writer_commit(w, &err));
}

int main(void)
{
    char dir[] = "/tmp/rfn_bursts.XXXXXX", meta[64], data[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(meta, sizeof meta, "%s/planted.sigmf-meta", dir);
    snprintf(data, sizeof data, "%s/planted.sigmf-data", dir);
    make_plan();
    write_capture(meta);

    bursts_config cfg = bursts_config_default();
    cfg.quiet = 1;
    capture_options copt = capture_options_default();
    bursts_result r;
    rfn_error err;
    CHECK_OK(bursts_find(meta, &copt, &cfg, bands, 2, &r, &err));
    fprintf(stderr, "%zu spans, %llu samples; floors %.2f / %.2f dBFS (median %.2f / %.2f); "
            "window %.3f ms, hop %.3f ms, smoothing %.3f ms\n", r.n_spans,
            (unsigned long long)r.excluded_samples, r.floor_dbfs[0], r.floor_dbfs[1],
            r.median_dbfs[0], r.median_dbfs[1], 1e3 * r.window_s, 1e3 * r.hop_s,
            1e3 * r.smooth_s);
    /* The floors read the band's noise power N0 x width: the median within 1 dB, the 20 %
     * method below it by the low tail of the short-time power's spread (more in a narrow band:
     * fewer degrees of freedom). */
    double below[2];
    for (size_t b = 0; b < 2; b++) {
        double truth = NOISE_DBFS_HZ + 10 * log10(bands[b].f_hi_hz - bands[b].f_lo_hz);
        below[b] = truth - r.floor_dbfs[b];
        CHECK(r.floor_dbfs[b] < r.median_dbfs[b]);
        CHECK_NEAR(r.median_dbfs[b], truth, 1.0);
        CHECK(below[b] >= 0 && below[b] <= 3.0);
    }
    /* Every planted burst inside one span that starts and ends within two guards of it. */
    const double g = 2 * cfg.guard_s * FS;
    uint64_t in_bursts = 0;
    for (size_t k = 0; k < n_plant; k++) {
        double s = plant[k].start_s * FS, e = s + plant[k].length_s * FS;
        in_bursts += (uint64_t)(e - s);
        int found = 0;
        for (size_t i = 0; i < r.n_spans; i++) {
            double fs0 = (double)r.spans[i].start, fe = fs0 + (double)r.spans[i].length;
            if (fs0 <= s && fe >= e && fs0 >= s - g && fe <= e + g) {
                found = 1;
                CHECK(strcmp(r.spans[i].band_id, bands[plant[k].band].id) == 0);
                CHECK(r.spans[i].level_db >= plant[k].level_db - 1.5);
                /* Over the 20 % floor: burst and noise together, at their highest (the noise's
                 * own spread adds up to about 2 dB in the narrow band). */
                double expect = 10 * log10(pow(10, plant[k].level_db / 10) + 1);
                CHECK(r.spans[i].level_db <= expect + below[plant[k].band] + 2.0);
            }
        }
        CHECK_MSG(found, "burst %zu (%.0f dB, %.0f ms, band %s) not found as one span", k,
                  plant[k].level_db, 1e3 * plant[k].length_s, bands[plant[k].band].id);
    }
    CHECK(r.n_spans == n_plant);
    /* Burst-free time left out: the guards, and nothing else (at most 1 %). */
    uint64_t total = (uint64_t)(DURATION_S * FS);
    double free_excluded = (double)(r.excluded_samples - in_bursts) / (double)(total - in_bursts);
    fprintf(stderr, "burst-free time left out: %.3f %%\n", 100 * free_excluded);
    CHECK(free_excluded >= 0 && free_excluded <= 0.01);
    bursts_result_free(&r);

    /* Noise alone: nothing found. */
    n_plant = 0;
    unlink(meta);
    unlink(data);
    write_capture(meta);
    CHECK_OK(bursts_find(meta, &copt, &cfg, bands, 2, &r, &err));
    CHECK(r.n_spans == 0);
    bursts_result_free(&r);
    unlink(meta);
    unlink(data);
    rmdir(dir);
    return check_failures ? 1 : 0;
}
