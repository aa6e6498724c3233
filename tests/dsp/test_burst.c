/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_burst.c: burst masking on a synthetic capture (noise floor plus 10 % duty bursts 30 dB up,
 * through the STFT's band power): the masked floor reads the true floor, the unmasked mean does
 * not; SigMF-style given spans; short impulses stay noise; errors. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "burst.h"
#include "check.h"
#include "noise_gen.h"
#include "stft.h"

typedef struct band_pipe {
    rfn_burst *burst;
    double scale; /* bin_hz / enbw_hz: sum over overlapping Gaussian bins -> power */
    size_t nfft;
    double *tmp;
} band_pipe;

static void to_burst(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    band_pipe *bp = ctx;
    (void)first;
    for (size_t f = 0; f < n_frames; f++) {
        double s = 0.0;
        for (size_t j = 0; j < bp->nfft; j++)
            s += power[f * bp->nfft + j];
        bp->tmp[f] = s * bp->scale;
    }
    CHECK_OK(rfn_burst_write(bp->burst, bp->tmp, n_frames, NULL));
}

/* 1.2 s at 960 kS/s: floor power v everywhere, bursts of 1000 v for 2 ms every 20 ms (10 %),
 * starting at 5 ms; optionally 0.1 ms impulses of 1000 v half-way between bursts. */
static const double FS = 960e3, V = 1e-4, PERIOD = 20e-3, BURST = 2e-3, FIRST = 5e-3;

static int in_burst(uint64_t i)
{
    double t = (double)i / FS - FIRST;
    return t >= 0 && fmod(t, PERIOD) < BURST;
}

static int in_impulse(uint64_t i)
{
    double t = (double)i / FS - FIRST - PERIOD / 2;
    return t >= 0 && fmod(t, PERIOD) < 1e-4;
}

static rfn_burst_report run(int detect, int give_spans, int impulses, size_t *n_found,
                            rfn_span *first_span)
{
    rfn_error err = {0};
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = FS;
    sc.rbw_hz = 120e3;
    band_pipe bp = {0};
    rfn_stft *s = NULL;
    CHECK_OK(rfn_stft_create(&sc, to_burst, &bp, &s, &err));
    const rfn_stft_info *in = rfn_stft_get_info(s);
    bp.nfft = in->nfft;
    bp.scale = in->bin_hz / in->enbw_hz;
    bp.tmp = malloc(8192 * sizeof *bp.tmp);
    rfn_burst_config bc = rfn_burst_config_default();
    bc.fs_hz = FS;
    bc.step_samples = in->hop;
    bc.offset_samples = in->win_len / 2;
    bc.guard_s = 0.1e-3;
    bc.detect = detect;
    CHECK_OK(rfn_burst_create(&bc, &bp.burst, &err));
    uint64_t total = (uint64_t)(1.2 * FS);
    if (give_spans)
        for (double t = FIRST; t < 1.2; t += PERIOD)
            CHECK_OK(rfn_burst_add_span(bp.burst, (uint64_t)llround(t * FS),
                                        (uint64_t)llround(BURST * FS), &err));
    noise_gen g = {12345};
    enum { BLK = 4096 };
    static float complex x[BLK];
    for (uint64_t pos = 0; pos < total; pos += BLK) {
        noise_fill(&g, x, BLK, V);
        for (size_t i = 0; i < BLK; i++)
            if (in_burst(pos + i) || (impulses && in_impulse(pos + i)))
                x[i] *= (float)sqrt(1000.0);
        rfn_stft_write(s, x, BLK);
    }
    rfn_stft_flush(s);
    rfn_burst_finish(bp.burst);
    rfn_burst_report r = rfn_burst_get_report(bp.burst);
    const rfn_span *sp = rfn_burst_detected(bp.burst, n_found);
    /* Each run's peak is known and over the threshold (bursts 30 dB up: well over). */
    size_t n_peaks = 0;
    const double *peaks = rfn_burst_detected_peaks(bp.burst, &n_peaks);
    CHECK(n_peaks == *n_found);
    for (size_t k = 0; k < n_peaks; k++)
        CHECK(peaks[k] > r.threshold_power);
    if (*n_found && first_span)
        *first_span = sp[0];
    rfn_stft_destroy(s);
    rfn_burst_destroy(bp.burst);
    free(bp.tmp);
    return r;
}

int main(void)
{
    size_t n = 0;
    rfn_span first = {0};
    const double true_db = 10.0 * log10(V);
    const size_t n_bursts = 60; /* 5 ms + k 20 ms < 1.2 s */

    rfn_burst_report r = run(1, 0, 0, &n, &first);
    fprintf(stderr, "detected %zu bursts, excluded %.1f ms (%.1f %%), masked floor %.2f dB, "
            "unmasked %.2f dB, truth %.2f dB\n", n, 1e3 * r.excluded_s,
            100 * r.excluded_fraction, 10 * log10(r.floor_power), 10 * log10(r.mean_power_all),
            true_db);
    CHECK(n == n_bursts);
    CHECK(r.n_detected == n_bursts && r.n_given == 0);
    CHECK_DB_NEAR(10.0 * log10(r.floor_power), true_db, 0.5);
    CHECK(fabs(10.0 * log10(r.mean_power_all) - true_db) > 10.0); /* ~ +20 dB */
    CHECK(r.excluded_fraction > 0.10 && r.excluded_fraction < 0.16);
    /* the first burst starts at 5 ms; its span starts one guard (0.1 ms) earlier, give or take
     * the window's half-length and a hop */
    CHECK(fabs((double)first.start / FS - (FIRST - 0.1e-3)) < 0.1e-3);
    CHECK(fabs((double)first.length / FS - (BURST + 0.2e-3)) < 0.15e-3);

    /* 0.1 ms impulses of the same strength between the bursts are the meter's own noise: shorter
     * than the 1 ms minimum, they stay in the floor (mean v (1 + 0.005 * 999), +7.8 dB). */
    r = run(1, 0, 1, &n, NULL);
    fprintf(stderr, "with impulses: %zu bursts, floor %.2f dB (expected %.2f)\n", n,
            10 * log10(r.floor_power), true_db + 10 * log10(1 + 0.005 * 999));
    CHECK(n == n_bursts);
    CHECK_DB_NEAR(10.0 * log10(r.floor_power), true_db + 10 * log10(1 + 0.005 * 999), 0.5);

    /* Given spans only (SigMF annotations), no detection. The window smears each burst about
     * 5 sigma (6.6 us) past its edges, a small leak into the floor. */
    r = run(0, 1, 0, &n, NULL);
    fprintf(stderr, "given spans: excluded %.2f %%, masked floor %.2f dB\n",
            100 * r.excluded_fraction, 10 * log10(r.floor_power));
    CHECK(n == 0 && r.n_given == n_bursts && r.n_detected == 0);
    CHECK_NEAR(r.excluded_fraction, 0.1, 0.005);
    CHECK_DB_NEAR(10.0 * log10(r.floor_power), true_db, 0.5);

    /* Errors. */
    rfn_error err = {0};
    rfn_burst *b = NULL;
    rfn_burst_config bc = rfn_burst_config_default();
    bc.step_samples = 0;
    CHECK(rfn_burst_create(&bc, &b, &err) == RFN_ERR_INVALID && !b);
    CHECK(strcmp(err.msg, "burst: fs_hz and step_samples must be > 0") == 0);
    rfn_burst_destroy(NULL);

    /* A fixed floor and a hand-made series: two values below, a short run of 2 (kept), a run
     * of 5 (a burst with min 3 values and no guard), a value below. */
    bc = rfn_burst_config_default();
    bc.fs_hz = 1000.0;
    bc.min_duration_s = 3e-3;
    bc.guard_s = 0.0;
    bc.floor_power = 1.0;
    CHECK_OK(rfn_burst_create(&bc, &b, &err));
    const double vals[] = {1, 1, 20, 20, 1, 30, 30, 30, 30, 30, 1};
    CHECK_OK(rfn_burst_write(b, vals, 11, &err));
    rfn_burst_finish(b);
    r = rfn_burst_get_report(b);
    const rfn_span *sp = rfn_burst_detected(b, &n);
    CHECK(n == 1 && sp[0].start == 5 && sp[0].length == 5);
    CHECK(r.values == 11 && r.values_excluded == 5);
    CHECK_NEAR(r.floor_power, (1 + 1 + 20 + 20 + 1 + 1) / 6.0, 1e-12);
    CHECK_NEAR(r.excluded_s, 5e-3, 1e-12);
    rfn_burst_destroy(b);
    return check_finish();
}
