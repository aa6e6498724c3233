/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench.c: scripts/bench's measuring program (not a ctest test): the Welch engine against bare
 * FFTW, single thread. Prints, per size,
 *   bench welch nfft=N msps=M ratio_to_fftw=R
 *   bench welch_fft_from_memory nfft=N ratio_to_fftw=C
 *   bench welch_cached nfft=N ratio_to_fftw=K
 * where R = (time of one FFTW transform of a cache-resident buffer, same plan flags) / (Welch time
 * per segment over a 1 GiB in-memory buffer, Hann, 50 % overlap, the default traces); C the same
 * ratio for FFTW alone transforming the same segments straight from the buffer (no window, no
 * accumulation): the ceiling that the memory traffic leaves any Welch built on FFTW; K the engine
 * on a 1 MiB region that stays in L2 (its arithmetic without the memory). Then the peak resident
 * memory.
 *
 * How it is timed. The build machines are shared VMs whose speed drifts by 20-50 % within
 * seconds. Timing the raw FFT and a whole 1 GiB pass separately and keeping the best of each
 * pairs a quiet moment of the one with an average moment of the other. Instead the buffer is
 * streamed in 16 MiB slices (rfn_welch_write, 1 MiB blocks as a capture reader hands them over),
 * each slice is followed by a raw-FFT timing of about the same length, each pair gives one ratio,
 * and each figure is the median over its pairs (two passes over the whole buffer, ~128 pairs).
 * Times are thread CPU time, so time spent preempted is nobody's. */
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

#define BLOCK ((size_t)1 << 17) /* samples per write, as a capture reader hands them over */
#define SLICE_BLOCKS 16         /* blocks per timed slice (16 MiB of samples) */
#define PASSES 2

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per transform of the plan's own cache-resident buffers, over at least min_s. The clock
 * is read once per ~0.25 ms of transforms: on a VM, reading the thread CPU clock is a system call
 * of about a microsecond, which would otherwise be charged to every 1024-point transform. */
static double time_fft(rfn_fft *f, size_t nfft, double min_s)
{
    size_t reps = 0, batch = 1 + ((size_t)1 << 18) / nfft;
    double t0 = now_s(), t;
    do {
        for (size_t k = 0; k < batch; k++)
            rfn_fft_execute(f);
        reps += batch;
        t = now_s() - t0;
    } while (t < min_s);
    return t / (double)reps;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t m)
{
    qsort(v, m, sizeof *v, cmp_double);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* What a slice runs: the Welch engine over the 1 GiB buffer; FFTW alone over the same segments;
 * the Welch engine over a 1 MiB region that stays in L2. */
typedef enum { RUN_WELCH, RUN_FFT_ONLY, RUN_WELCH_CACHED } run_kind;

typedef struct bench {
    rfn_fft *ref;  /* the reference plan, on its own cache-resident buffers */
    rfn_welch *w;  /* the engine under test */
    const float complex *x;
    size_t n, nfft, hop;
    /* results of paired(): median ratio, Welch seconds and segments, mean reference time */
    double ratio, seconds, fft_s;
    uint64_t segments;
} bench;

/* One slice of kind starting at sample off: returns the segments it did and their seconds. */
static uint64_t run_slice(bench *b, run_kind kind, size_t off, double *seconds)
{
    size_t slice = SLICE_BLOCKS * BLOCK, end = off + slice < b->n ? off + slice : b->n;
    rfn_error err = {0};
    uint64_t s0 = rfn_welch_segments(b->w), k = 0;
    double t0 = now_s();
    if (kind == RUN_WELCH) {
        for (size_t o = off; o < end; o += BLOCK)
            rfn_welch_write(b->w, b->x + o, end - o < BLOCK ? end - o : BLOCK, &err);
        k = rfn_welch_segments(b->w) - s0;
    } else if (kind == RUN_FFT_ONLY) {
        /* Out of place from the buffer (every segment start is aligned), prefetching the
         * segment after next as the engine does (welch.c, PREFETCH_MAX_NFFT). */
        float complex *out = rfn_fft_output(b->ref);
        for (size_t o = off; o < end && o + b->nfft <= b->n; o += b->hop, k++) {
            const char *pf = (const char *)(b->x + o + b->nfft + b->hop);
            if (b->nfft <= 16384 && o + b->nfft + 2 * b->hop <= b->n)
                for (size_t l = 0; l < b->hop * sizeof *b->x; l += 64)
                    __builtin_prefetch(pf + l, 0, 2);
            rfn_fft_execute_on(b->ref, b->x + o, out);
        }
    } else {
        size_t region = ((size_t)1 << 20) / sizeof *b->x;
        region = region > 2 * b->nfft ? region : 2 * b->nfft;
        for (size_t o = off; o < end; o += region)
            rfn_welch_write(b->w, b->x, region, &err);
        k = rfn_welch_segments(b->w) - s0;
    }
    *seconds = now_s() - t0;
    return k;
}

/* PASSES passes of slices over the buffer, each slice followed by a reference timing of about
 * its length; b->ratio = median of (reference time per transform) / (slice time per segment). */
static int paired(bench *b, run_kind kind)
{
    size_t slice = SLICE_BLOCKS * BLOCK, cap = PASSES * (b->n / slice + 1), m = 0;
    double *ratio = malloc(cap * sizeof *ratio);
    if (!ratio)
        return -1;
    b->seconds = b->fft_s = 0.0;
    b->segments = 0;
    for (int pass = 0; pass < PASSES; pass++) {
        rfn_welch_reset(b->w);
        for (size_t off = 0; off < b->n; off += slice) {
            double t;
            uint64_t k = run_slice(b, kind, off, &t);
            double tf = time_fft(b->ref, b->nfft, t > 2e-3 ? t : 2e-3);
            if (k && t > 0.0) {
                ratio[m++] = tf / (t / (double)k);
                b->seconds += t;
                b->segments += k;
                b->fft_s += tf;
            }
        }
    }
    b->fft_s /= (double)(m ? m : 1);
    b->ratio = m ? median(ratio, m) : 0.0;
    free(ratio);
    return 0;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1024;
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
        bench b = {.ref = f, .w = w, .x = x, .n = n, .nfft = nfft, .hop = nfft - nfft / 2};
        time_fft(f, nfft, 0.05); /* warm-up */
        bench fo = b, cached = b;
        if (paired(&b, RUN_WELCH) || paired(&fo, RUN_FFT_ONLY) ||
            paired(&cached, RUN_WELCH_CACHED)) {
            fprintf(stderr, "bench: out of memory\n");
            return 1;
        }
        rfn_spectrum sp;
        if (rfn_welch_get_spectrum(w, &sp, &err) == RFN_OK)
            rfn_spectrum_free(&sp);
        rfn_welch_destroy(w);
        rfn_fft_destroy(f);
        /* The engine against FFTW transforming the same segments from the same memory (both
         * ratios share the cached-FFTW reference, which cancels): the ceiling the hardware sets
         * (issue 17, target 0.85). */
        printf("bench welch nfft=%zu msps=%.1f ratio_to_fftw=%.3f ratio_to_fft_from_memory=%.3f\n",
               nfft, (double)b.segments * (double)b.hop / b.seconds / 1e6, b.ratio,
               b.ratio / fo.ratio);
        printf("bench welch_fft_from_memory nfft=%zu ratio_to_fftw=%.3f\n", nfft, fo.ratio);
        printf("bench welch_cached nfft=%zu ratio_to_fftw=%.3f\n", nfft, cached.ratio);
        fprintf(stderr,
                "  nfft %zu: fftw %.3f us/transform, welch %.3f us/segment from the buffer, "
                "%.3f us from L2, fftw alone from the buffer %.3f us (means over the slices)\n",
                nfft, b.fft_s * 1e6, b.seconds / (double)b.segments * 1e6,
                cached.seconds / (double)cached.segments * 1e6,
                fo.seconds / (double)fo.segments * 1e6);
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
