/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_detectors.c: scripts/bench's measuring program for the EMI-receiver pipeline (not a ctest
 * test): Gaussian-RBW STFT plus all five CISPR detectors on every bin, CISPR Band C/D (RBW 120
 * kHz) at 2.4 MS/s, the STFT's frames cut by time and the detectors split by bins over every
 * online CPU as `rfnoise detect` runs them (analyser/measure/stft_pool.c, det_pool.c), against one
 * core of raw FFTW doing the same number of transforms of the same size, batched the same way, on
 * a buffer already in the plan (no windowing, no |X|^2, no detectors). Wall clock. Prints "bench
 * detectors rbw_hz=120000 ratio_to_fftw=R msps=M jobs=J" with R = FFTW time / pipeline time and M
 * = input Msamples/s of the pipeline; a second line gives the same for the peak and RMS detectors
 * alone. Usage: rfnoise_bench_detectors [SECONDS] [JOBS, default every online CPU] */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "det_pool.h"
#include "detector.h"
#include "fft.h"
#include "stft.h"
#include "stft_pool.h"
#include "welch_pool.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void to_detector(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)first;
    det_pool_write(ctx, power, n_frames, NULL);
}

static void die(const rfn_error *err)
{
    fprintf(stderr, "bench: %s\n", err->msg);
    exit(1);
}

/* Best-of-5 pipeline and FFTW times for one detector set, interleaved so that load from other
 * processes hits both alike. */
static void run(const float complex *x, size_t n, double fs, unsigned dets, const char *label,
                unsigned jobs)
{
    rfn_error err = {0};
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = fs;
    sc.rbw_hz = 120e3;
    stft_pool *st = NULL;
    det_pool *det = NULL;
    /* a first STFT only to learn nfft and hop for the detector's configuration */
    rfn_stft *probe = NULL;
    if (rfn_stft_create(&sc, to_detector, NULL, &probe, &err))
        die(&err);
    rfn_stft_info info = *rfn_stft_get_info(probe);
    rfn_stft_destroy(probe);
    rfn_detector_config dc = rfn_detector_config_default();
    dc.n_bins = info.nfft;
    dc.frame_rate_hz = fs / (double)info.hop;
    dc.detectors = dets;
    rfn_det_params_for_band(RFN_DET_BAND_CD, &dc.params);
    if (det_pool_create(&dc, jobs, &det, &err) ||
        stft_pool_create(&sc, jobs, to_detector, det, &st, &err))
        die(&err);
    size_t batch = info.batch; /* the STFT's own batch */
    rfn_fft_config fc = rfn_fft_config_default();
    fc.n = info.nfft;
    fc.howmany = batch;
    rfn_fft *fft = NULL;
    if (rfn_fft_create(&fc, &fft, &err))
        die(&err);
    memcpy(rfn_fft_input(fft), x, batch * info.nfft * sizeof *x);

    double best_pipe = INFINITY, best_fft = INFINITY;
    uint64_t frames = 0;
    for (int rep = 0; rep < 5; rep++) {
        stft_pool_reset(st);
        double t0 = now_s();
        for (size_t i = 0; i < n; i += 131072)
            stft_pool_write(st, x + i, n - i < 131072 ? n - i : 131072);
        stft_pool_flush(st);
        det_pool_sync(det, &err);
        double t = now_s() - t0;
        best_pipe = t < best_pipe ? t : best_pipe;
        frames = stft_pool_frames(st);
        uint64_t calls = (frames + batch - 1) / batch;
        t0 = now_s();
        for (uint64_t c = 0; c < calls; c++)
            rfn_fft_execute(fft);
        t = now_s() - t0;
        best_fft = t < best_fft ? t : best_fft;
    }
    fprintf(stderr, "bench: %s: nfft %zu hop %zu, %llu frames: pipeline %.3f s, fftw %.3f s "
            "(%.0f ns vs %.0f ns per frame)\n", label, info.nfft, info.hop,
            (unsigned long long)frames, best_pipe, best_fft, 1e9 * best_pipe / (double)frames,
            1e9 * best_fft / (double)frames);
    printf("bench %s rbw_hz=%.0f ratio_to_fftw=%.2f msps=%.1f jobs=%u\n", label, sc.rbw_hz,
           best_fft / best_pipe, (double)n / best_pipe / 1e6, jobs);
    rfn_fft_destroy(fft);
    stft_pool_destroy(st);
    det_pool_destroy(det);
}

int main(int argc, char **argv)
{
    const double fs = 2.4e6;
    double secs = argc > 1 ? strtod(argv[1], NULL) : 2.0;
    if (!(secs > 0.0 && secs <= 60.0)) {
        fprintf(stderr, "usage: rfnoise_bench_detectors [SECONDS in (0, 60]]\n");
        return 2;
    }
    size_t n = (size_t)(fs * secs);
    float complex *x = malloc(n * sizeof *x);
    if (!x) {
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    uint64_t r = 88172645463325252ULL; /* xorshift64, fixed seed; the values do not matter */
    for (size_t i = 0; i < n; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        float a = (float)(r >> 40) / 16777216.0f - 0.5f;
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        x[i] = a + I * ((float)(r >> 40) / 16777216.0f - 0.5f);
    }
    unsigned jobs = welch_pool_jobs(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 0);
    run(x, n, fs, RFN_DET_ALL, "detectors", jobs);
    run(x, n, fs, RFN_DET_PEAK | RFN_DET_RMS, "detectors-peak-rms", jobs);
    free(x);
    return 0;
}
