/* bench.c: scripts/bench's measuring program (not a ctest test): the Welch engine against bare
 * FFTW, single thread. Prints "bench welch nfft=N msps=M ratio_to_fftw=R" per size, where
 * R = (time of one FFTW transform of a cache-resident buffer, same plan flags) / (Welch time per
 * segment over a large in-memory buffer, Hann, 50 % overlap), then the peak resident memory. */
#include <complex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fft.h"
#include "fft_wisdom.h"
#include "welch.h"

/* Thread CPU time: the build machines are shared, and time spent preempted by another process
 * is not the engine's. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Best seconds per transform of one cache-resident n-point buffer over runs of >= 0.1 s. */
static double time_fft(rfn_fft *f, int runs)
{
    double best = 1e30;
    for (int run = 0; run < runs; run++) {
        size_t reps = 0;
        double t0 = now_s(), t;
        do {
            for (int k = 0; k < 64; k++)
                rfn_fft_execute(f);
            reps += 64;
            t = now_s() - t0;
        } while (t < 0.1);
        if (t / (double)reps < best)
            best = t / (double)reps;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1024;
    size_t block = 1 << 17; /* samples per write, as a capture reader hands them over */
    size_t n = mib * ((size_t)1 << 20) / sizeof(float complex);
    rfn_fft_effort effort = RFN_FFT_MEASURE;
    rfn_error werr = {0};
    if (fft_wisdom_load(NULL, &werr))
        fprintf(stderr, "bench: %s (re-planning)\n", werr.msg);

    float complex *x = rfn_fft_malloc(n * sizeof *x);
    if (!x) {
        fprintf(stderr, "bench: cannot allocate %zu MiB\n", mib);
        return 1;
    }
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) { /* cheap LCG noise; the values do not matter */
        s = s * 1664525u + 1013904223u;
        float re = (float)(s >> 8) * (1.0f / 16777216.0f) - 0.5f;
        s = s * 1664525u + 1013904223u;
        x[i] = re + ((float)(s >> 8) * (1.0f / 16777216.0f) - 0.5f) * I;
    }

    const size_t sizes[] = {1024, 4096, 65536};
    size_t only = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 0; /* one size (profiling) */
    for (int si = 0; si < 3; si++) {
        size_t nfft = sizes[si];
        if (only && nfft != only)
            continue;
        rfn_fft_config fc = rfn_fft_config_default();
        fc.n = nfft;
        fc.effort = effort;
        rfn_fft *f = NULL;
        rfn_error err = {0};
        if (rfn_fft_create(&fc, &f, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        for (size_t i = 0; i < nfft; i++)
            rfn_fft_input(f)[i] =
                (float)((i * 7919) % 1000) * 1e-3f + (float)((i * 104729) % 1000) * 1e-3f * I;
        rfn_welch_config c = rfn_welch_config_default();
        c.fs_hz = 1e6;
        c.nfft = nfft;
        c.window = RFN_WINDOW_HANN;
        c.effort = effort;
        if (getenv("RFN_BENCH_TRACES")) /* experiments: a different trace mask */
            c.traces = (unsigned)strtoul(getenv("RFN_BENCH_TRACES"), NULL, 0);
        rfn_welch *w = NULL;
        if (rfn_welch_create(&c, &w, &err)) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        /* Raw FFT and Welch runs alternate and each keeps its best, so that a burst of load
         * from other processes on the shared machine biases neither side. */
        double best = 1e30, t_fft = 1e30;
        uint64_t segs = 0;
        for (int run = 0; run < 3; run++) {
            double tf = time_fft(f, 3);
            t_fft = tf < t_fft ? tf : t_fft;
            rfn_welch_reset(w);
            double t0 = now_s();
            for (size_t off = 0; off < n; off += block)
                rfn_welch_write(w, x + off, n - off < block ? n - off : block, &err);
            double t = now_s() - t0;
            segs = rfn_welch_segments(w);
            if (t < best)
                best = t;
        }
        rfn_spectrum sp;
        if (rfn_welch_get_spectrum(w, &sp, &err) == RFN_OK)
            rfn_spectrum_free(&sp);
        rfn_welch_destroy(w);
        double tf = time_fft(f, 3);
        t_fft = tf < t_fft ? tf : t_fft;
        rfn_fft_destroy(f);
        double t_seg = best / (double)segs;
        printf("bench welch nfft=%zu msps=%.1f ratio_to_fftw=%.3f\n", nfft,
               (double)n / best / 1e6, t_fft / t_seg);
        fprintf(stderr,
                "  nfft %zu: fftw %.3f us/transform, welch %.3f us/segment, %llu segments\n", nfft,
                t_fft * 1e6, t_seg * 1e6, (unsigned long long)segs);
        fflush(stdout);
    }
    if (fft_wisdom_save(NULL, &werr))
        fprintf(stderr, "bench: %s\n", werr.msg);
    rfn_fft_free(x);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench welch_memory peak_rss_mib=%ld\n", ru.ru_maxrss / 1024);
    return 0;
}
