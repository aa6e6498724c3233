/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_e2e.c: scripts/bench's end-to-end line (not a ctest test): read a 1 GiB 2-channel 16-bit
 * WAV generated in /tmp through the capture reader (with read-ahead) into the Welch engine, and
 * compare with the same engine fed from memory. Prints
 *   bench e2e_wav msps=M ratio_to_inmemory=R peak_rss_mib=K
 * where M is samples per second end to end (wall clock), R = M / in-memory Welch rate at the same
 * nfft, and K the peak resident memory of the end-to-end run (measured before the in-memory
 * buffer is allocated). The end-to-end runs and the in-memory ones alternate, three each, and
 * both are medians, so that a slow moment of the shared machine hits both (issue 17: a reference
 * measured alone once flattered R). Arguments: [MiB of WAV, default 1024] [nfft, default 4096].
 * `rfnoise_bench_e2e inmem NFFT` prints only the in-memory rate: "inmem nfft=N msps=M" (the
 * single-thread Welch rate scripts/bench holds the reader against). */
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

static double median3(const double v[3])
{
    double a = v[0], b = v[1], c = v[2];
    return a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
}

/* 64 MiB of the same kind of noise as the WAV, for the in-memory runs. */
static float complex *noise_buffer(size_t n, uint32_t *s)
{
    float complex *x = malloc(n * sizeof *x);
    for (size_t i = 0; x && i < n; i++) {
        *s = *s * 1664525u + 1013904223u;
        float re = (float)((int)(*s >> 20) - 2048) / 32768.0f;
        *s = *s * 1664525u + 1013904223u;
        x[i] = re + (float)((int)(*s >> 20) - 2048) / 32768.0f * I;
    }
    if (!x) {
        fprintf(stderr, "bench_e2e: out of memory\n");
        exit(1);
    }
    return x;
}

enum { BLOCK = 65536 };

/* The engine fed x[0 .. n) in BLOCK writes: wall and thread CPU seconds. */
static void inmem_once(rfn_welch *w, const float complex *x, size_t n, double *t, double *tc)
{
    rfn_error err = {0};
    rfn_welch_reset(w);
    double t1 = wall_s(), c1 = thread_cpu_s();
    for (size_t off = 0; off < n; off += BLOCK)
        rfn_welch_write(w, x + off, n - off < BLOCK ? n - off : BLOCK, &err);
    *t = wall_s() - t1;
    *tc = thread_cpu_s() - c1;
}

/* The WAV at path through the capture reader (read-ahead thread) into the engine. */
static int e2e_once(const char *path, rfn_welch *w, int64_t *total, double *t, double *tc)
{
    rfn_error err = {0};
    capture_options o = capture_options_default();
    o.prefetch = 1;
    capture *c = NULL;
    if (capture_open(path, &o, &c, &err)) {
        fprintf(stderr, "bench_e2e: %s\n", err.msg);
        return 1;
    }
    rfn_welch_reset(w);
    float complex *buf = malloc(BLOCK * sizeof *buf);
    size_t got;
    *total = 0;
    double t0 = wall_s(), c0 = thread_cpu_s();
    while (buf && capture_read(c, buf, BLOCK, &got, &err) == RFN_OK) {
        rfn_welch_write(w, buf, got, &err);
        *total += (int64_t)got;
    }
    *t = wall_s() - t0;
    *tc = thread_cpu_s() - c0;
    capture_close(c);
    free(buf);
    return buf ? 0 : 1;
}

/* `inmem NFFT`: the single-thread in-memory rate alone, median of 3. */
static int inmem_only(size_t nfft)
{
    rfn_error err = {0};
    if (fft_wisdom_load(NULL, &err)) fprintf(stderr, "bench_e2e: %s (re-planning)\n", err.msg);
    rfn_welch *w = make_welch(nfft);
    uint32_t s = 1;
    size_t n = (64u << 20) / sizeof(float complex);
    float complex *x = noise_buffer(n, &s);
    double t[3], tc[3];
    for (int rep = 0; rep < 3; rep++)
        inmem_once(w, x, n, &t[rep], &tc[rep]);
    printf("inmem nfft=%zu msps=%.1f\n", nfft, (double)n / median3(t) / 1e6);
    free(x);
    rfn_welch_destroy(w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "inmem") == 0)
        return inmem_only((size_t)strtoull(argv[2], NULL, 10));
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

    /* 2. and 3., alternating: end to end (capture reader with its read-ahead thread -> Welch),
     * then the same engine from a 64 MiB in-memory buffer; wall clock, medians of 3. */
    rfn_welch *w = make_welch(nfft);
    double t_run[3], c_run[3], m_run[3], mc_run[3];
    int64_t total = 0;
    long rss_mib = 0;
    size_t n = (64u << 20) / sizeof(float complex);
    float complex *x = NULL;
    for (int rep = 0; rep < 3; rep++) {
        if (e2e_once(path, w, &total, &t_run[rep], &c_run[rep])) {
            unlink(path);
            return 1;
        }
        if (rep == 0) {
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            rss_mib = ru.ru_maxrss / 1024;
            x = noise_buffer(n, &s);
        }
        inmem_once(w, x, n, &m_run[rep], &mc_run[rep]);
    }
    unlink(path);
    free(x);
    rfn_welch_destroy(w);
    if (total != frames) {
        fprintf(stderr, "bench_e2e: read %lld of %lld samples\n", (long long)total,
                (long long)frames);
        return 1;
    }
    double t_e2e = median3(t_run), cpu_e2e = median3(c_run), best = median3(m_run),
           best_cpu = median3(mc_run);
    double msps = (double)total / t_e2e / 1e6, mem_msps = (double)n / best / 1e6;
    (void)s;
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
