/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_e2e.c: scripts/bench's end-to-end line (not a ctest test): read a 1 GiB 2-channel 16-bit
 * WAV generated in /tmp through the capture reader (with read-ahead) into the Welch engine, and
 * compare with the same engine fed from memory. Prints
 *   bench e2e_wav msps=M ratio_to_inmemory=R peak_rss_mib=K
 * where M is samples per second end to end (wall clock), R = M / in-memory Welch rate at the same
 * nfft, and K the peak resident memory of the end-to-end run (measured before the in-memory
 * buffer is allocated). Arguments: [MiB of WAV, default 1024] [nfft, default 4096]. */
#include <complex.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "fft.h"
#include "fft_wisdom.h"
#include "welch.h"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static rfn_welch *make_welch(size_t nfft)
{
    rfn_welch_config c = rfn_welch_config_default();
    c.fs_hz = 10e6;
    c.nfft = nfft;
    c.window = RFN_WINDOW_HANN;
    c.effort = RFN_FFT_MEASURE;
    rfn_welch *w = NULL;
    rfn_error err = {0};
    if (rfn_welch_create(&c, &w, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        exit(1);
    }
    return w;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1024;
    size_t nfft = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 4096;
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/rfn_bench_e2e_%d.wav", tmpdir, (int)getpid());
    rfn_error err = {0};
    if (fft_wisdom_load(NULL, &err)) fprintf(stderr, "bench_e2e: %s (re-planning)\n", err.msg);

    /* 1. The WAV: noise at about -20 dBFS, written in blocks (constant memory). */
    int64_t frames = (int64_t)(mib << 20) / 4;
    SF_INFO si = {
        .samplerate = 10000000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    if (frames > 0xFFFFFFF0LL / 4) si.format = SF_FORMAT_RF64 | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    if (!sf) {
        fprintf(stderr, "bench_e2e: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    enum { BLOCK = 65536 };
    static short pcm[2 * BLOCK];
    uint32_t s = 1;
    for (int64_t done = 0; done < frames; done += BLOCK) {
        for (int i = 0; i < 2 * BLOCK; i++) {
            s = s * 1664525u + 1013904223u;
            pcm[i] = (short)((int)(s >> 20) - 2048);
        }
        sf_count_t n = frames - done < BLOCK ? frames - done : BLOCK;
        if (sf_writef_short(sf, pcm, n) != n) {
            fprintf(stderr, "bench_e2e: %s: write failed\n", path);
            sf_close(sf);
            unlink(path);
            return 1;
        }
    }
    sf_close(sf);

    /* 2. End to end: capture reader (read-ahead thread) → Welch, wall clock. */
    rfn_welch *w = make_welch(nfft);
    capture_options o = capture_options_default();
    o.prefetch = 1;
    capture *c = NULL;
    if (capture_open(path, &o, &c, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        unlink(path);
        return 1;
    }
    float complex *buf = malloc(BLOCK * sizeof *buf);
    size_t got;
    int64_t total = 0;
    double t0 = wall_s(), c0 = thread_cpu_s();
    while (capture_read(c, buf, BLOCK, &got, &err) == RFN_OK) {
        rfn_welch_write(w, buf, got, &err);
        total += (int64_t)got;
    }
    double t_e2e = wall_s() - t0, cpu_e2e = thread_cpu_s() - c0;
    capture_close(c);
    free(buf);
    unlink(path);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    long rss_mib = ru.ru_maxrss / 1024;
    if (total != frames) {
        fprintf(stderr, "bench_e2e: read %lld of %lld samples\n", (long long)total,
                (long long)frames);
        return 1;
    }

    /* 3. The same engine from a 64 MiB in-memory buffer, best of 3, wall clock. */
    size_t n = (64u << 20) / sizeof(float complex);
    float complex *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        float re = (float)((int)(s >> 20) - 2048) / 32768.0f;
        s = s * 1664525u + 1013904223u;
        x[i] = re + (float)((int)(s >> 20) - 2048) / 32768.0f * I;
    }
    double best = 1e30, best_cpu = 1e30;
    for (int run = 0; run < 3; run++) {
        rfn_welch_reset(w);
        double t1 = wall_s(), c1 = thread_cpu_s();
        for (size_t off = 0; off < n; off += BLOCK)
            rfn_welch_write(w, x + off, n - off < BLOCK ? n - off : BLOCK, &err);
        double t = wall_s() - t1, tc = thread_cpu_s() - c1;
        best = t < best ? t : best;
        best_cpu = tc < best_cpu ? tc : best_cpu;
    }
    free(x);
    rfn_welch_destroy(w);
    double msps = (double)total / t_e2e / 1e6, mem_msps = (double)n / best / 1e6;
    printf("bench e2e_wav msps=%.1f ratio_to_inmemory=%.2f peak_rss_mib=%ld\n", msps,
           msps / mem_msps, rss_mib);
    /* On a shared machine wall clock is noisy; the processing thread's CPU time shows what the
     * reader costs the thread that runs Welch (1.0 = nothing). */
    fprintf(stderr,
            "  %zu MiB WAV, nfft %zu: end to end %.2f s; in-memory Welch %.1f MS/s; processing "
            "thread CPU ratio %.2f\n",
            mib, nfft, t_e2e, mem_msps, (best_cpu / (double)n) / (cpu_e2e / (double)total));
    return 0;
}
