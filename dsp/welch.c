/* SPDX-License-Identifier: GPL-2.0-or-later */
/* welch.c: streaming Welch PSD. Segments are taken straight from the caller's blocks where they
 * fit (no copy), windowed in the frequency domain for the cosine-sum windows, and their power is
 * accumulated in one fused pass; see "Segment kernels" for why and how. */
#include "welch.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Segments summed in float before they are added to the double accumulator: 32 positive terms
 * add at most 32 * 2^-24 ~ 2e-6 relative error, far below the 1e-4 agreement the tests ask, while
 * the double accumulator (8 bytes per bin, read and written) is touched once per 32 segments. */
#define FLUSH_SEGMENTS 32

/* Samples of a real block widened to complex per step of rfn_welch_write_real. */
#define REAL_CHUNK 4096

#define MAX_NFFT ((size_t)1 << 24)

/* Longest segment whose successor's samples are prefetched during the pass (see the SIMD
 * kernels). Beyond it the prefetched lines only push the FFT's and the traces' working set out
 * of L2, and the hardware prefetcher keeps up on its own: nfft 32768 gains nothing, 65536 loses
 * 4 % (tests/bench/bench.c-style paired ratios, Hann, three traces, 2 MiB L2). */
#define PREFETCH_MAX_NFFT 16384
#define MIN_MEDIAN_BLOCK 16

/* The buffers one thread transforms segments in. */
typedef struct seg_bufs {
    float complex *stage;   /* aligned: a misaligned segment, or the windowed segment (td) */
    float complex *specbuf; /* aligned: FFT output with GUARD bins either side */
    float complex *spec;    /* specbuf + GUARD */
} seg_bufs;

struct rfn_welch {
    rfn_welch_config cfg; /* overlap resolved */
    size_t n, hop;
    /* Frequency-domain windowing (fd = 1): Y[k] = X[k] + sum_{j>=1} h[j] (X[k-j] + X[k+j]) with
     * h[j] = (-1)^j a_j / (2 a0); terms = number of cosine coefficients a_j. */
    int fd;
    int terms;
    int simd;      /* kernel the CPU runs: SIMD_C, SIMD_AVX2 or SIMD_AVX512 */
    double pscale; /* |DFT(w x)|^2 = pscale * kernel output (h normalised to h[0] = 1) */
    float h[5];
    float *win; /* time-domain window (always filled: S1, S2 and the td path use it) */
    double s1, s2;
    rfn_window_props props;
    rfn_fft *fft;
    seg_bufs bufs;
    float complex *hold;    /* samples [next segment start, end of stream), fewer than n */
    size_t hold_len;
    float complex *rstage; /* real samples widened to complex */
    float *facc; /* float partial sums over <= FLUSH_SEGMENTS segments (see sink) */
    int pairs;   /* facc holds re^2, im^2 pairs (mean only) rather than powers */
    unsigned fcount;
    double *acc; /* mean accumulator */
    float *vmax, *vmin;
    float *med;     /* [med_cap][n] stored periodograms */
    size_t med_cap, med_rows;
    double *med_acc; /* sum over finished blocks of (bias-corrected block median * block size) */
    uint64_t med_done;
    float *med_scratch; /* [med_cap] */
    float *seg_row;     /* [n] the segment's periodogram for segment_fn when there is no median */
    double *seg_dens;   /* [n] that periodogram as a density, handed to segment_fn */
    uint64_t segments, samples;
};

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const trace_names[RFN_TRACE_COUNT] = {"mean", "max", "min", "median"};

const char *rfn_trace_name(rfn_trace trace)
{
    if ((int)trace < 0 || trace >= RFN_TRACE_COUNT)
        return "unknown";
    return trace_names[trace];
}

rfn_status rfn_trace_from_name(const char *name, rfn_trace *trace)
{
    if (!name || !trace)
        return RFN_ERR_INVALID;
    for (int i = 0; i < RFN_TRACE_COUNT; i++) {
        if (strcmp(name, trace_names[i]) == 0) {
            *trace = (rfn_trace)i;
            return RFN_OK;
        }
    }
    return RFN_ERR_INVALID;
}

/* ---- configuration --------------------------------------------------------------------------- */

rfn_welch_config rfn_welch_config_default(void)
{
    rfn_welch_config c = {
        .fs_hz = 1.0,
        .center_hz = 0.0,
        .nfft = 1024,
        .overlap = RFN_WELCH_OVERLAP_HALF,
        .window = RFN_WINDOW_HANN,
        .sigma_samples = 0.0,
        .detrend_mean = 0,
        .real_input = 0,
        .traces = RFN_TRACE_BIT(RFN_TRACE_MEAN) | RFN_TRACE_BIT(RFN_TRACE_MAX) |
                  RFN_TRACE_BIT(RFN_TRACE_MIN),
        .effort = RFN_FFT_MEASURE,
        .median_max_bytes = RFN_WELCH_MEDIAN_MAX_BYTES,
    };
    return c;
}

rfn_status rfn_welch_config_for_rbw(rfn_welch_config *cfg, double rbw_hz, rfn_error *err)
{
    if (!cfg)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing configuration");
    if (!(cfg->fs_hz > 0.0) || !isfinite(cfg->fs_hz) || !(rbw_hz > 0.0) || !(rbw_hz <= cfg->fs_hz))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: rbw %g Hz must be in (0, fs = %g Hz]", rbw_hz, cfg->fs_hz);
    size_t n = 0;
    if (cfg->window == RFN_WINDOW_GAUSSIAN) {
        n = rfn_window_gaussian_length(rbw_hz, cfg->fs_hz);
        if (n > MAX_NFFT)
            return rfn_error_set(err, RFN_ERR_INVALID,
                                 "welch: rbw %g Hz at fs %g Hz needs nfft > 2^24", rbw_hz,
                                 cfg->fs_hz);
        cfg->sigma_samples = rfn_window_gaussian_sigma_s(rbw_hz) * cfg->fs_hz;
    } else if (rfn_window_nfft_for_rbw(cfg->window, rbw_hz, cfg->fs_hz, &n) != RFN_OK ||
               n > MAX_NFFT) {
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: rbw %g Hz at fs %g Hz needs nfft outside 2 ... 2^24", rbw_hz,
                             cfg->fs_hz);
    }
    cfg->nfft = n < 2 ? 2 : n;
    cfg->overlap = RFN_WELCH_OVERLAP_HALF;
    return RFN_OK;
}

/* ---- segment kernels ---------------------------------------------------------------------------
 * A periodic cosine-sum window w[t] = sum_j (-1)^j a_j cos(2 pi j t / n) (Hann, Blackman-Harris,
 * flat-top; rect is the 1-term case) multiplies the DFT by a (2 terms - 1)-tap kernel:
 * DFT(w x)[k] = a0 X[k] + sum_{j>=1} (-1)^j (a_j / 2) (X[k-j] + X[k+j])  (Harris 1978, §V).
 * Windowing after the FFT lets FFTW read each segment straight from the caller's block (no copy,
 * no windowing pass) and fuses the window into the one pass that squares, accumulates and keeps
 * the max/min/median traces: one read of the L1-resident FFT output per segment.
 * Mean removal (detrend='constant') is then exact and free: DFT(w (x - m)) = DFT(w x) - m DFT(w)
 * and m DFT(w) is the kernel applied to n m delta[k] = X[0] delta[k], so it suffices to zero X[0]
 * before the kernel. Other windows (Gaussian, symmetric Hann) multiply in the time domain and
 * then use the same pass with the 1-term kernel. */

enum { SIMD_C = 0, SIMD_AVX2, SIMD_AVX512 };

/* Where one segment's power goes. Mean only: facc holds 2n floats, the running sums of re^2 and
 * of im^2 of each bin, interleaved as the FFT output is, so that the mean needs no shuffle at all
 * (re^2 + im^2 is formed once per FLUSH_SEGMENTS, in double). With max/min/median the per-bin
 * power p = re^2 + im^2 is formed anyway, and facc holds n floats of p (half the traffic). */
typedef struct sink {
    float *facc, *vmax, *vmin, *row;
    const char *pf;  /* input the segment after next needs, to prefetch meanwhile (or NULL) */
    size_t pf_lines; /* its length in 64-byte lines */
} sink;

static inline void sink_put(const sink *s, size_t k, float re, float im)
{
    float p = re * re + im * im;
    if (!(s->vmax || s->vmin || s->row)) {
        s->facc[2 * k] += re * re;
        s->facc[2 * k + 1] += im * im;
        return;
    }
    s->facc[k] += p;
    if (s->vmax && p > s->vmax[k])
        s->vmax[k] = p;
    if (s->vmin && p < s->vmin[k])
        s->vmin[k] = p;
    if (s->row)
        s->row[k] = p;
}

/* Windowed bin k from the interleaved FFT output xf, any k (indices wrap). */
static inline void fd_bin_wrap(const float *xf, size_t n, const float *h, int terms, size_t k,
                               const sink *s)
{
    float re = h[0] * xf[2 * k], im = h[0] * xf[2 * k + 1];
    for (int j = 1; j < terms; j++) {
        size_t a = k >= (size_t)j ? k - (size_t)j : k + n - (size_t)j;
        size_t b = k + (size_t)j < n ? k + (size_t)j : k + (size_t)j - n;
        re += h[j] * (xf[2 * a] + xf[2 * b]);
        im += h[j] * (xf[2 * a + 1] + xf[2 * b + 1]);
    }
    sink_put(s, k, re, im);
}

/* Bins lo <= k < hi, whose taps stay inside xf's guard bins, portable C. */
static void fd_span_c(const float *xf, size_t lo, size_t hi, const float *h, int terms,
                      const sink *s)
{
    for (size_t k = lo; k < hi; k++) {
        const float *x = xf + 2 * k;
        float re = h[0] * x[0], im = h[0] * x[1];
        for (int j = 1; j < terms; j++) {
            re += h[j] * (x[-2 * j] + x[2 * j]);
            im += h[j] * (x[1 - 2 * j] + x[1 + 2 * j]);
        }
        sink_put(s, k, re, im);
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(RFN_NO_SIMD)
#include <immintrin.h>
#define HAVE_SIMD_KERNELS 1

/* The SIMD kernels work on the interleaved re/im floats: tap j adds the bins j either side
 * (unaligned loads at -+2j floats for AVX2, valignd of aligned vectors for AVX-512), and for the
 * mean alone the squares go straight into facc with one FMA per vector. They are compiled for
 * AVX2+FMA / AVX-512F and chosen at run time (__builtin_cpu_supports), so the default build runs
 * on any x86-64 (no -march=native). T (taps) and keep (max/min/median asked) are constants in
 * each instance, so the taps unroll and the mean-only loop has no shuffles and no trace stores.
 * The prefetches of the segment after next are spread evenly over the steps of the pass
 * (PREFETCH_DUE: Bresenham, pf_lines over steps), not issued as early as possible: each one
 * that misses holds an L1 fill buffer until its line arrives, and a burst of them (formerly two
 * per step, all out by mid-pass) stalls the pass behind the full buffers. Measured in one
 * process, A and B interleaved in 8 ms slices against the same raw-FFT reference (Hann, 50 %
 * overlap, mean + max + min, 1 GiB buffer): ratio_to_fftw 0.616 -> 0.667 at nfft 1024,
 * 0.665 -> 0.691 at 4096, no change at 8192 and up (see PREFETCH_MAX_NFFT). */
#define PREFETCH_DUE(pf, li, pf_lines, due, steps)                                                 \
    for (due += (pf_lines); due >= (steps) && (li) < (pf_lines); due -= (steps))                  \
        _mm_prefetch((pf) + 64 * (li)++, _MM_HINT_T1);
#define TAPS(VEC, LOADU, ADD, FMADD, W)                                                           \
    for (int j = 1; j < 5; j++)                                                                    \
        if (T > j) {                                                                               \
            a = FMADD(hv[j], ADD(LOADU(x - 2 * j), LOADU(x + 2 * j)), a);                          \
            b = FMADD(hv[j], ADD(LOADU(x + (W) - 2 * j), LOADU(x + (W) + 2 * j)), b);              \
        }

__attribute__((target("avx2,fma"), always_inline)) static inline size_t
fd_span_avx2_t(const float *restrict xf, size_t lo, size_t hi, const float *h, const int T,
               const int keep, const sink *s)
{
    __m256 hv[5];
    for (int j = 1; j < 5; j++)
        hv[j] = _mm256_set1_ps(j < T ? h[j] : 0.0f);
    float *restrict facc = s->facc, *restrict vmax = s->vmax, *restrict vmin = s->vmin,
                    *restrict row = s->row;
    const char *pf = s->pf;
    size_t k = lo, li = 0, pf_lines = s->pf_lines, steps = (hi - lo) / 8, due = steps - 1;
    for (; k + 8 <= hi; k += 8) {
        const float *x = xf + 2 * k;
        PREFETCH_DUE(pf, li, pf_lines, due, steps);
        __m256 a = _mm256_loadu_ps(x); /* h[0] == 1 */
        __m256 b = _mm256_loadu_ps(x + 8);
#pragma GCC unroll 4
        TAPS(__m256, _mm256_loadu_ps, _mm256_add_ps, _mm256_fmadd_ps, 8)
        if (!keep) {
            float *f = facc + 2 * k;
            _mm256_storeu_ps(f, _mm256_fmadd_ps(a, a, _mm256_loadu_ps(f)));
            _mm256_storeu_ps(f + 8, _mm256_fmadd_ps(b, b, _mm256_loadu_ps(f + 8)));
        } else {
            /* hadd pairs re^2 + im^2 per 128-bit lane; the 64-bit permute restores bin order */
            __m256 p = _mm256_hadd_ps(_mm256_mul_ps(a, a), _mm256_mul_ps(b, b));
            p = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(p), 0xD8));
            _mm256_storeu_ps(facc + k, _mm256_add_ps(_mm256_loadu_ps(facc + k), p));
            if (vmax)
                _mm256_storeu_ps(vmax + k, _mm256_max_ps(_mm256_loadu_ps(vmax + k), p));
            if (vmin)
                _mm256_storeu_ps(vmin + k, _mm256_min_ps(_mm256_loadu_ps(vmin + k), p));
            if (row)
                _mm256_storeu_ps(row + k, p);
        }
    }
    return k;
}

__attribute__((target("avx512f"), always_inline)) static inline size_t
fd_span_avx512_t(const float *restrict xf, size_t lo, size_t hi, const float *h, const int T,
                 const int keep, const sink *s)
{
    __m512 hv[5];
    for (int j = 1; j < 5; j++)
        hv[j] = _mm512_set1_ps(j < T ? h[j] : 0.0f);
    float *restrict facc = s->facc, *restrict vmax = s->vmax, *restrict vmin = s->vmin,
                    *restrict row = s->row;
    const char *pf = s->pf;
    size_t k = lo, li = 0, pf_lines = s->pf_lines, steps = (hi - lo) / 16, due = steps - 1;
    __m512 prev = _mm512_load_ps(xf + 2 * lo - 16), c0 = _mm512_load_ps(xf + 2 * lo);
    for (; k + 16 <= hi; k += 16) {
        const float *x = xf + 2 * k;
        PREFETCH_DUE(pf, li, pf_lines, due, steps);
        /* Aligned loads only: the neighbours X[k -+ j] are built in registers by valignd from
         * the previous, current and next vectors (carried over between steps), instead of
         * unaligned loads that straddle cache lines (half as fast once spec leaves L1). xf is
         * 64-byte aligned with GUARD bins readable either side. */
        __m512 c1 = _mm512_load_ps(x + 16), nx = _mm512_load_ps(x + 32);
        __m512 a = c0, b = c1; /* h[0] == 1 */
#define ALIGNR(hi_, lo_, sh) \
    _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi_), _mm512_castps_si512(lo_), sh))
#define TAP512(j)                                                                                  \
    if (T > (j)) {                                                                                 \
        a = _mm512_fmadd_ps(hv[j], _mm512_add_ps(ALIGNR(c0, prev, 16 - 2 * (j)),                   \
                                                 ALIGNR(c1, c0, 2 * (j))), a);                     \
        b = _mm512_fmadd_ps(hv[j], _mm512_add_ps(ALIGNR(c1, c0, 16 - 2 * (j)),                     \
                                                 ALIGNR(nx, c1, 2 * (j))), b);                     \
    }
        TAP512(1)
        TAP512(2)
        TAP512(3)
        TAP512(4)
#undef TAP512
#undef ALIGNR
        prev = c1;
        c0 = nx;
        if (!keep) {
            float *f = facc + 2 * k;
            _mm512_storeu_ps(f, _mm512_fmadd_ps(a, a, _mm512_loadu_ps(f)));
            _mm512_storeu_ps(f + 16, _mm512_fmadd_ps(b, b, _mm512_loadu_ps(f + 16)));
        } else {
            /* two-source permutes de-interleave re and im into bin order */
            const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24,
                                                   26, 28, 30);
            const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25,
                                                  27, 29, 31);
            __m512 re = _mm512_permutex2var_ps(a, even, b);
            __m512 im = _mm512_permutex2var_ps(a, odd, b);
            __m512 p = _mm512_fmadd_ps(re, re, _mm512_mul_ps(im, im));
            _mm512_storeu_ps(facc + k, _mm512_add_ps(_mm512_loadu_ps(facc + k), p));
            if (vmax)
                _mm512_storeu_ps(vmax + k, _mm512_max_ps(_mm512_loadu_ps(vmax + k), p));
            if (vmin)
                _mm512_storeu_ps(vmin + k, _mm512_min_ps(_mm512_loadu_ps(vmin + k), p));
            if (row)
                _mm512_storeu_ps(row + k, p);
        }
    }
    return k;
}
#undef TAPS

#define DISPATCH(FN)                                                                               \
    int keep = s->vmax || s->vmin || s->row;                                                       \
    switch (terms) {                                                                               \
    case 1:                                                                                        \
        return keep ? FN(xf, lo, hi, h, 1, 1, s) : FN(xf, lo, hi, h, 1, 0, s);                     \
    case 2:                                                                                        \
        return keep ? FN(xf, lo, hi, h, 2, 1, s) : FN(xf, lo, hi, h, 2, 0, s);                     \
    case 4:                                                                                        \
        return keep ? FN(xf, lo, hi, h, 4, 1, s) : FN(xf, lo, hi, h, 4, 0, s);                     \
    case 5:                                                                                        \
        return keep ? FN(xf, lo, hi, h, 5, 1, s) : FN(xf, lo, hi, h, 5, 0, s);                     \
    default:                                                                                       \
        return lo;                                                                                 \
    }

__attribute__((target("avx2,fma"))) static size_t fd_span_avx2(const float *xf, size_t lo,
                                                               size_t hi, const float *h,
                                                               int terms, const sink *s)
{
    DISPATCH(fd_span_avx2_t)
}

__attribute__((target("avx512f"))) static size_t fd_span_avx512(const float *xf, size_t lo,
                                                                 size_t hi, const float *h,
                                                                 int terms, const sink *s)
{
    DISPATCH(fd_span_avx512_t)
}
#undef DISPATCH

static int cpu_simd(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return SIMD_AVX2;
    return SIMD_C;
}
#else
static int cpu_simd(void)
{
    return SIMD_C;
}
#endif

/* Complex guard bins either side of the FFT output (64 bytes: keeps FFTW's alignment). */
#define GUARD 8

/* The whole periodogram of one segment into the sink. xf is the FFT output with GUARD complex
 * bins of room either side: they are filled with the circular neighbours (X[-j] = X[n-j],
 * X[n-1+j] = X[j-1]) so that every bin takes the same straight-line kernel path. */
static void fd_power(float *xf, size_t n, const float *h, int terms, int simd, const sink *s)
{
    size_t edge = (size_t)terms - 1;
    if (n <= 2 * edge) { /* tiny n: the taps wrap more than once */
        for (size_t k = 0; k < n; k++)
            fd_bin_wrap(xf, n, h, terms, k, s);
        return;
    }
    for (size_t j = 1; j <= edge; j++) {
        xf[-2 * (ptrdiff_t)j] = xf[2 * (n - j)];
        xf[-2 * (ptrdiff_t)j + 1] = xf[2 * (n - j) + 1];
        xf[2 * (n - 1 + j)] = xf[2 * (j - 1)];
        xf[2 * (n - 1 + j) + 1] = xf[2 * (j - 1) + 1];
    }
    size_t k = 0;
#ifdef HAVE_SIMD_KERNELS
    if (simd == SIMD_AVX512)
        k = fd_span_avx512(xf, 0, n, h, terms, s);
    else if (simd == SIMD_AVX2)
        k = fd_span_avx2(xf, 0, n, h, terms, s);
#else
    (void)simd;
#endif
    fd_span_c(xf, k, n, h, terms, s);
}

/* stage = (x - mean) * w; the mean (in double) only when detrending. */
static void td_window(const float complex *restrict x, const float *restrict w, size_t n,
                      int detrend, float complex *restrict stage)
{
    float mr = 0.0f, mi = 0.0f;
    const float *xf = (const float *)x;
    if (detrend) {
        double sr = 0.0, si = 0.0;
        for (size_t t = 0; t < n; t++) {
            sr += xf[2 * t];
            si += xf[2 * t + 1];
        }
        mr = (float)(sr / (double)n);
        mi = (float)(si / (double)n);
    }
    float *sf = (float *)stage;
    for (size_t t = 0; t < n; t++) {
        sf[2 * t] = (xf[2 * t] - mr) * w[t];
        sf[2 * t + 1] = (xf[2 * t + 1] - mi) * w[t];
    }
}

/* acc[k] += the float partial sum of bin k (pairs: re^2 and im^2 sums interleaved), and
 * restart the partial sums. */
static void add_float_to_double(double *restrict acc, float *restrict f, size_t n, int pairs)
{
    if (pairs)
        for (size_t k = 0; k < n; k++)
            acc[k] += (double)f[2 * k] + (double)f[2 * k + 1];
    else
        for (size_t k = 0; k < n; k++)
            acc[k] += f[k];
    memset(f, 0, (pairs ? 2 : 1) * n * sizeof *f);
}

/* ---- median ---------------------------------------------------------------------------------- */

/* scipy.signal._spectral_py._median_bias: the median of K chi^2_2 periodograms over their
 * mean, 1 + sum_{i=1}^{(K-1)/2} (1/(2i+1) - 1/(2i)). */
static double median_bias(uint64_t k)
{
    double b = 1.0;
    for (uint64_t i = 1; i <= (k - 1) / 2; i++)
        b += 1.0 / (double)(2 * i + 1) - 1.0 / (double)(2 * i);
    return b;
}

/* Wirth's selection: after it, a[k] is the k-th smallest, a[0..k) <= a[k] <= a(k..m). */
static float select_kth(float *a, size_t m, size_t k)
{
    size_t l = 0, r = m - 1;
    while (l < r) {
        float x = a[k];
        size_t i = l, j = r;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                float t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        } while (i <= j);
        if (j < k)
            l = i;
        if (k < i)
            r = j;
    }
    return a[k];
}

/* numpy.median of a[0..m) (mean of the two middle values for even m); reorders a. */
static double median_of(float *a, size_t m)
{
    size_t mid = m / 2;
    double hi = select_kth(a, m, mid);
    if (m & 1)
        return hi;
    float lo = a[0];
    for (size_t i = 1; i < mid; i++)
        lo = a[i] > lo ? a[i] : lo;
    return 0.5 * ((double)lo + hi);
}

/* Bias-corrected median of the stored rows for FFT bin k. */
static double stored_median(rfn_welch *w, size_t k)
{
    for (size_t r = 0; r < w->med_rows; r++)
        w->med_scratch[r] = w->med[r * w->n + k];
    return median_of(w->med_scratch, w->med_rows) / median_bias(w->med_rows);
}

/* The row the next periodogram is stored in; a full store is first reduced to its block
 * median (see welch.h, "Median"). */
static float *median_row(rfn_welch *w)
{
    if (w->med_rows == w->med_cap) {
        for (size_t k = 0; k < w->n; k++)
            w->med_acc[k] += stored_median(w, k) * (double)w->med_rows;
        w->med_done += w->med_rows;
        w->med_rows = 0;
    }
    return w->med + w->med_rows++ * w->n;
}

/* Hand one segment's periodogram (row, FFT order, kernel units) to the segment hook, scaled and
 * ordered exactly as rfn_welch_get_spectrum scales the MEAN trace. */
static void emit_segment(rfn_welch *w, const float *row)
{
    size_t n = w->n;
    int real = w->cfg.real_input;
    size_t nb = real ? n / 2 + 1 : n;
    double scale = w->pscale / (w->cfg.fs_hz * w->s2);
    for (size_t i = 0; i < nb; i++) {
        size_t k = real ? i : (i + n - n / 2) % n;
        double fold = real && i != 0 && !(n % 2 == 0 && i == n / 2) ? 2.0 : 1.0;
        w->seg_dens[i] = (double)row[k] * scale * fold;
    }
    w->cfg.segment_fn(w->cfg.segment_ctx, w->seg_dens, nb);
}

/* The transform of one segment and its fused window-square-accumulate pass into the sink s,
 * with the FFT buffers b (the engine's own, or a part's: FFTW's new-array execute may run on
 * one plan from several threads, FFTW manual §5.4 "Thread safety"). */
static void transform_segment(const rfn_welch *w, const seg_bufs *b, const float complex *x,
                              const sink *s)
{
    size_t n = w->n;
    static const float one[1] = {1.0f};
    if (w->fd) {
        const float complex *in = x;
        if (!rfn_fft_aligned(x)) {
            memcpy(b->stage, x, n * sizeof *x);
            in = b->stage;
        }
        rfn_fft_execute_on(w->fft, in, b->spec);
        if (w->cfg.detrend_mean)
            b->spec[0] = 0.0f;
        fd_power((float *)b->spec, n, w->h, w->terms, w->simd, s);
    } else {
        td_window(x, w->win, n, w->cfg.detrend_mean, b->stage);
        rfn_fft_execute_on(w->fft, b->stage, b->spec);
        fd_power((float *)b->spec, n, one, 1, w->simd, s);
    }
}

/* One segment: FFT (straight from the caller's block when aligned), then the fused
 * window-square-accumulate pass. pf, pf_n: caller samples that the segment after next will
 * need, prefetched during this one's pass. */
static void process_segment(rfn_welch *w, const float complex *x, const float complex *pf,
                            size_t pf_n)
{
    float *row = w->med ? median_row(w) : w->seg_row;
    sink s = {w->facc, w->vmax, w->vmin, row, (const char *)pf, pf ? pf_n * sizeof *pf / 64 : 0};
    transform_segment(w, &w->bufs, x, &s);
    if (w->cfg.segment_fn)
        emit_segment(w, row);
    if (++w->fcount == FLUSH_SEGMENTS) {
        add_float_to_double(w->acc, w->facc, w->n, w->pairs);
        w->fcount = 0;
    }
    w->segments++;
}

/* Invariant: hold[0 .. hold_len) are the samples from the next segment's start to the end of the
 * stream so far, hold_len < n. */
static void stream(rfn_welch *w, const float complex *x, size_t m)
{
    size_t n = w->n, hop = w->hop, off;
    w->samples += m;
    /* Segments starting in hold: complete them with the head of x. */
    for (;;) {
        if (w->hold_len == 0) {
            off = 0;
            break;
        }
        size_t need = n - w->hold_len;
        if (m < need) {
            memcpy(w->hold + w->hold_len, x, m * sizeof *x);
            w->hold_len += m;
            return;
        }
        memcpy(w->hold + w->hold_len, x, need * sizeof *x);
        process_segment(w, w->hold, NULL, 0);
        if (hop < w->hold_len) {
            memmove(w->hold, w->hold + hop, (w->hold_len - hop) * sizeof *x);
            w->hold_len -= hop;
        } else {
            off = hop - w->hold_len;
            w->hold_len = 0;
            break;
        }
    }
    /* Segments lying wholly in x: straight from the caller's memory. */
    int prefetch = n <= PREFETCH_MAX_NFFT;
    for (; off + n <= m; off += hop) {
        size_t a = off + n + hop, b = a + hop;
        b = b < m ? b : m;
        prefetch &= a < b;
        process_segment(w, x + off, prefetch ? x + a : NULL, prefetch ? b - a : 0);
    }
    if (off < m) {
        memcpy(w->hold, x + off, (m - off) * sizeof *x);
        w->hold_len = m - off;
    }
}

rfn_status rfn_welch_write(rfn_welch *w, const float complex *x, size_t n, rfn_error *err)
{
    if (!w || (!x && n))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing engine or samples");
    if (w->cfg.real_input)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: complex samples written to a real-input engine");
    if (n)
        stream(w, x, n);
    return RFN_OK;
}

rfn_status rfn_welch_write_real(rfn_welch *w, const float *x, size_t n, rfn_error *err)
{
    if (!w || (!x && n))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing engine or samples");
    if (!w->cfg.real_input)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: real samples written to a complex-input engine");
    while (n) {
        size_t c = n < REAL_CHUNK ? n : REAL_CHUNK;
        for (size_t i = 0; i < c; i++)
            w->rstage[i] = x[i];
        stream(w, w->rstage, c);
        x += c;
        n -= c;
    }
    return RFN_OK;
}

uint64_t rfn_welch_segments(const rfn_welch *w)
{
    return w ? w->segments : 0;
}

uint64_t rfn_welch_samples(const rfn_welch *w)
{
    return w ? w->samples : 0;
}

size_t rfn_welch_hop(const rfn_welch *w)
{
    return w ? w->hop : 0;
}

const rfn_welch_config *rfn_welch_get_config(const rfn_welch *w)
{
    return w ? &w->cfg : NULL;
}

void rfn_welch_reset(rfn_welch *w)
{
    if (!w)
        return;
    size_t n = w->n;
    w->hold_len = 0;
    w->segments = w->samples = 0;
    w->fcount = 0;
    memset(w->facc, 0, (w->pairs ? 2 : 1) * n * sizeof *w->facc);
    memset(w->acc, 0, n * sizeof *w->acc);
    for (size_t k = 0; w->vmax && k < n; k++)
        w->vmax[k] = 0.0f;
    for (size_t k = 0; w->vmin && k < n; k++)
        w->vmin[k] = INFINITY;
    if (w->med) {
        w->med_rows = 0;
        w->med_done = 0;
        memset(w->med_acc, 0, n * sizeof *w->med_acc);
    }
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

/* Cache-line-aligned allocation for the arrays the SIMD kernels read and write: a 64-byte vector
 * access that straddles two lines costs two. Freed with free(). */
static void *amalloc(size_t bytes)
{
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

static int bufs_alloc(seg_bufs *b, size_t n)
{
    b->specbuf = amalloc((n + 2 * GUARD) * sizeof *b->specbuf);
    if (b->specbuf)
        memset(b->specbuf, 0, (n + 2 * GUARD) * sizeof *b->specbuf);
    b->spec = b->specbuf ? b->specbuf + GUARD : NULL;
    b->stage = rfn_fft_malloc(n * sizeof *b->stage);
    return b->specbuf && b->stage;
}

static void bufs_free(seg_bufs *b)
{
    rfn_fft_free(b->stage);
    free(b->specbuf);
}

void rfn_welch_destroy(rfn_welch *w)
{
    if (!w)
        return;
    rfn_fft_destroy(w->fft);
    bufs_free(&w->bufs);
    rfn_fft_free(w->hold);
    rfn_fft_free(w->rstage);
    free(w->win);
    free(w->facc);
    free(w->acc);
    free(w->vmax);
    free(w->vmin);
    free(w->med);
    free(w->med_acc);
    free(w->med_scratch);
    free(w->seg_row);
    free(w->seg_dens);
    free(w);
}

/* Window figures that need the DTFT (6 dB width, scalloping) are nearly independent of n, and
 * their search costs O(n) per probe, so long windows are analysed at a 4096-point stand-in. */
static rfn_status analyse_window(rfn_welch *w)
{
    enum { probe = 4096 };
    if (w->n <= probe)
        return rfn_window_analyse(w->win, w->n, &w->props);
    float *pw = malloc(probe * sizeof *pw);
    if (!pw)
        return RFN_ERR_NOMEM;
    double sigma = w->cfg.sigma_samples * probe / (double)w->n;
    rfn_status st = rfn_window_fill(w->cfg.window, probe, sigma, pw);
    if (!st)
        st = rfn_window_analyse(pw, probe, &w->props);
    free(pw);
    if (st)
        return st;
    double s1 = 0.0, s2 = 0.0;
    for (size_t k = 0; k < w->n; k++) {
        s1 += w->win[k];
        s2 += (double)w->win[k] * w->win[k];
    }
    w->props.n = w->n;
    w->props.s1 = s1;
    w->props.s2 = s2;
    w->props.coherent_gain = s1 / (double)w->n;
    w->props.enbw_bins = (double)w->n * s2 / (s1 * s1);
    return RFN_OK;
}

/* The configuration as used: checked, the overlap and flags resolved, the mean trace added. */
static rfn_status check_config(const rfn_welch_config *cfg, rfn_welch_config *out,
                               rfn_error *err)
{
    rfn_welch_config c = *cfg;
    if (!(c.fs_hz > 0.0) || !isfinite(c.fs_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: sample rate %g Hz must be > 0",
                             c.fs_hz);
    if (!isfinite(c.center_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: centre frequency is not finite");
    if (c.nfft < 2 || c.nfft > MAX_NFFT)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: nfft %zu outside 2 ... 2^24", c.nfft);
    if (c.overlap == RFN_WELCH_OVERLAP_HALF)
        c.overlap = c.nfft / 2;
    if (c.overlap >= c.nfft)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: overlap %zu must be < nfft %zu",
                             c.overlap, c.nfft);
    if ((int)c.window < 0 || c.window >= RFN_WINDOW_COUNT)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: unknown window %d", (int)c.window);
    if (c.window == RFN_WINDOW_GAUSSIAN && (!(c.sigma_samples > 0.0) || !isfinite(c.sigma_samples)))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: gaussian window needs sigma_samples > 0 (got %g)",
                             c.sigma_samples);
    if (c.window != RFN_WINDOW_GAUSSIAN)
        c.sigma_samples = 0.0;
    if (c.traces & ~RFN_TRACES_ALL)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: unknown trace bits 0x%x", c.traces);
    c.traces |= RFN_TRACE_BIT(RFN_TRACE_MEAN);
    c.detrend_mean = c.detrend_mean != 0;
    c.real_input = c.real_input != 0;
    *out = c;
    return RFN_OK;
}

/* Frequency-domain windowing for the periodic cosine sums (coefficients as window.c): the taps
 * of w->cfg.window, or nothing for the windows applied in time. */
static void set_freq_window(rfn_welch *w)
{
    static const double hann[] = {0.5, 0.5};
    static const double bh4[] = {0.35875, 0.48829, 0.14128, 0.01168};
    static const double flattop[] = {0.21557895, 0.41663158, 0.277263158, 0.083578947,
                                     0.006947368};
    const double *a = NULL;
    int terms = 0;
    switch (w->cfg.window) {
    case RFN_WINDOW_RECT:
        terms = 1;
        break;
    case RFN_WINDOW_HANN:
        a = hann, terms = 2;
        break;
    case RFN_WINDOW_BLACKMANHARRIS:
        a = bh4, terms = 4;
        break;
    case RFN_WINDOW_FLATTOP:
        a = flattop, terms = 5;
        break;
    default:
        break;
    }
    if (!terms)
        return;
    w->fd = 1;
    w->terms = terms;
    /* Taps normalised to h[0] = 1 (one multiply fewer per bin); a0^2 goes into the final
     * scale instead. */
    double a0 = a ? a[0] : 1.0;
    w->h[0] = 1.0f;
    for (int j = 1; j < terms; j++)
        w->h[j] = (float)((j & 1 ? -0.5 : 0.5) * a[j] / a0);
    w->pscale = a0 * a0;
}

/* The buffers of n points the configured traces and hooks need; 0 when one is missing. */
static int alloc_buffers(rfn_welch *w, size_t n)
{
    const rfn_welch_config c = w->cfg;
    /* The segment hook needs each bin's power formed per segment, as max/min/median do. */
    w->pairs = !c.segment_fn && !(c.traces & (RFN_TRACE_BIT(RFN_TRACE_MAX) |
                                              RFN_TRACE_BIT(RFN_TRACE_MIN) |
                                              RFN_TRACE_BIT(RFN_TRACE_MEDIAN)));
    int ok = bufs_alloc(&w->bufs, n);
    w->hold = rfn_fft_malloc(n * sizeof *w->hold);
    w->win = malloc(n * sizeof *w->win);
    w->facc = amalloc((w->pairs ? 2 : 1) * n * sizeof *w->facc);
    w->acc = calloc(n, sizeof *w->acc);
    if (c.real_input)
        w->rstage = rfn_fft_malloc(REAL_CHUNK * sizeof *w->rstage);
    if (c.traces & RFN_TRACE_BIT(RFN_TRACE_MAX))
        w->vmax = amalloc(n * sizeof *w->vmax);
    if (c.traces & RFN_TRACE_BIT(RFN_TRACE_MIN))
        w->vmin = amalloc(n * sizeof *w->vmin);
    ok = ok && w->hold && w->win && w->facc && w->acc &&
             (!c.real_input || w->rstage) &&
             (!(c.traces & RFN_TRACE_BIT(RFN_TRACE_MAX)) || w->vmax) &&
             (!(c.traces & RFN_TRACE_BIT(RFN_TRACE_MIN)) || w->vmin);
    if (ok && (c.traces & RFN_TRACE_BIT(RFN_TRACE_MEDIAN))) {
        size_t cap = c.median_max_bytes / (n * sizeof(float));
        w->med_cap = cap < MIN_MEDIAN_BLOCK ? MIN_MEDIAN_BLOCK : cap;
        w->med = amalloc(w->med_cap * n * sizeof *w->med);
        w->med_acc = calloc(n, sizeof *w->med_acc);
        w->med_scratch = malloc(w->med_cap * sizeof *w->med_scratch);
        ok = w->med && w->med_acc && w->med_scratch;
    }
    if (ok && c.segment_fn) {
        if (!w->med)
            w->seg_row = amalloc(n * sizeof *w->seg_row);
        w->seg_dens = malloc(n * sizeof *w->seg_dens);
        ok = (w->med || w->seg_row) && w->seg_dens;
    }
    return ok;
}

rfn_status rfn_welch_create(const rfn_welch_config *cfg, rfn_welch **out, rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing configuration");
    *out = NULL;
    rfn_welch_config c;
    rfn_status st = check_config(cfg, &c, err);
    if (st)
        return st;
    rfn_welch *w = calloc(1, sizeof *w);
    if (!w)
        return rfn_error_set(err, RFN_ERR_NOMEM, "welch: out of memory");
    w->cfg = c;
    size_t n = w->n = c.nfft;
    w->hop = n - c.overlap;
    w->simd = cpu_simd();
    w->pscale = 1.0;
    set_freq_window(w);

    rfn_fft_config fc = rfn_fft_config_default();
    fc.n = n;
    fc.effort = c.effort;
    st = rfn_fft_create(&fc, &w->fft, err);
    if (st) {
        rfn_welch_destroy(w);
        return st;
    }
    if (!alloc_buffers(w, n)) {
        rfn_welch_destroy(w);
        return rfn_error_set(err, RFN_ERR_NOMEM, "welch: out of memory for nfft %zu", n);
    }
    st = rfn_window_fill(c.window, n, c.sigma_samples, w->win);
    if (!st)
        st = analyse_window(w);
    if (st) {
        rfn_welch_destroy(w);
        return rfn_error_set(err, st, "welch: cannot build the %s window of %zu points",
                             rfn_window_name(c.window), n);
    }
    w->s1 = w->props.s1;
    w->s2 = w->props.s2;
    rfn_welch_reset(w);
    *out = w;
    return RFN_OK;
}

/* ---- parts (welch.h: "Parts") ------------------------------------------------------------- */

struct rfn_welch_part {
    const rfn_welch *w;
    seg_bufs bufs;
    size_t cap;         /* segments, whole chunks */
    size_t fn;          /* floats of one chunk's partial sums: 2 n (pairs) or n */
    float *facc;        /* [cap / RFN_WELCH_CHUNK_SEGMENTS][fn] */
    float *vmax, *vmin; /* [n] when the engine keeps them */
    float *rows;        /* [cap][n] every periodogram, for the median and the segment hook */
    uint64_t first;
    size_t count;
};

/* The partial sums are flushed every FLUSH_SEGMENTS segments: a chunk is one flush. */
_Static_assert(RFN_WELCH_CHUNK_SEGMENTS == FLUSH_SEGMENTS, "a chunk is one float flush");

void rfn_welch_part_destroy(rfn_welch_part *p)
{
    if (!p)
        return;
    bufs_free(&p->bufs);
    free(p->facc);
    free(p->vmax);
    free(p->vmin);
    free(p->rows);
    free(p);
}

rfn_status rfn_welch_part_create(const rfn_welch *w, size_t max_segments, rfn_welch_part **out,
                                 rfn_error *err)
{
    if (!w || !out || max_segments == 0 || max_segments > ((size_t)1 << 30))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: part needs an engine and 1 ... 2^30 "
                                                   "segments");
    *out = NULL;
    rfn_welch_part *p = calloc(1, sizeof *p);
    if (!p)
        return rfn_error_set(err, RFN_ERR_NOMEM, "welch: out of memory");
    size_t n = w->n, chunks = (max_segments + FLUSH_SEGMENTS - 1) / FLUSH_SEGMENTS;
    p->w = w;
    p->cap = chunks * FLUSH_SEGMENTS;
    p->fn = (w->pairs ? 2 : 1) * n;
    int ok = bufs_alloc(&p->bufs, n);
    p->facc = amalloc(chunks * p->fn * sizeof *p->facc);
    if (w->vmax)
        p->vmax = amalloc(n * sizeof *p->vmax);
    if (w->vmin)
        p->vmin = amalloc(n * sizeof *p->vmin);
    if (w->med || w->cfg.segment_fn)
        p->rows = amalloc(p->cap * n * sizeof *p->rows);
    ok = ok && p->facc && (!w->vmax || p->vmax) && (!w->vmin || p->vmin) &&
         (!(w->med || w->cfg.segment_fn) || p->rows);
    if (!ok) {
        rfn_welch_part_destroy(p);
        return rfn_error_set(err, RFN_ERR_NOMEM, "welch: out of memory for a part of %zu "
                                                 "segments of nfft %zu", max_segments, n);
    }
    *out = p;
    return RFN_OK;
}

rfn_status rfn_welch_part_run(rfn_welch_part *p, const float complex *x, size_t m,
                              uint64_t first, rfn_error *err)
{
    if (!p || (!x && m))
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing part or samples");
    const rfn_welch *w = p->w;
    size_t n = w->n, hop = w->hop;
    size_t k = m >= n ? (m - n) / hop + 1 : 0;
    if (first % FLUSH_SEGMENTS || k > p->cap)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: part of %zu segments from segment %llu (at most %zu, from "
                             "a multiple of %d)", k, (unsigned long long)first, p->cap,
                             FLUSH_SEGMENTS);
    p->first = first;
    p->count = k;
    memset(p->facc, 0, (k + FLUSH_SEGMENTS - 1) / FLUSH_SEGMENTS * p->fn * sizeof *p->facc);
    for (size_t i = 0; p->vmax && i < n; i++)
        p->vmax[i] = 0.0f;
    for (size_t i = 0; p->vmin && i < n; i++)
        p->vmin[i] = INFINITY;
    int prefetch = n <= PREFETCH_MAX_NFFT; /* as stream() */
    for (size_t i = 0; i < k; i++) {
        size_t off = i * hop, a = off + n + hop, b = a + hop;
        b = b < m ? b : m;
        prefetch &= a < b;
        sink s = {p->facc + i / FLUSH_SEGMENTS * p->fn, p->vmax, p->vmin,
                  p->rows ? p->rows + i * n : NULL, prefetch ? (const char *)(x + a) : NULL,
                  prefetch ? (b - a) * sizeof *x / 64 : 0};
        transform_segment(w, &p->bufs, x + off, &s);
    }
    return RFN_OK;
}

size_t rfn_welch_part_segments(const rfn_welch_part *p)
{
    return p ? p->count : 0;
}

/* Max/min of the part into the engine's traces, with the engine's comparison (sink_put). */
static void merge_holds(rfn_welch *w, const rfn_welch_part *p)
{
    for (size_t k = 0; w->vmax && k < w->n; k++)
        if (p->vmax[k] > w->vmax[k])
            w->vmax[k] = p->vmax[k];
    for (size_t k = 0; w->vmin && k < w->n; k++)
        if (p->vmin[k] < w->vmin[k])
            w->vmin[k] = p->vmin[k];
}

rfn_status rfn_welch_merge(rfn_welch *w, rfn_welch_part *p, rfn_error *err)
{
    if (!w || !p || p->w != w)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: part of another engine");
    if (w->hold_len || w->fcount || w->segments != p->first)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "welch: part from segment %llu merged where the engine expects "
                             "segment %llu%s", (unsigned long long)p->first,
                             (unsigned long long)w->segments,
                             w->hold_len || w->fcount ? " in the middle of a chunk" : "");
    size_t n = w->n;
    for (size_t i = 0; p->rows && i < p->count; i++) {
        const float *row = p->rows + i * n;
        if (w->med)
            memcpy(median_row(w), row, n * sizeof *row);
        if (w->cfg.segment_fn)
            emit_segment(w, row);
    }
    for (size_t c = 0; c * FLUSH_SEGMENTS < p->count; c++) {
        float *f = p->facc + c * p->fn;
        size_t in_chunk = p->count - c * FLUSH_SEGMENTS;
        if (in_chunk >= FLUSH_SEGMENTS) {
            add_float_to_double(w->acc, f, n, w->pairs);
        } else {
            memcpy(w->facc, f, p->fn * sizeof *f);
            w->fcount = (unsigned)in_chunk;
        }
    }
    if (p->count)
        merge_holds(w, p);
    w->segments += p->count;
    w->samples = (p->first + p->count) * w->hop;
    return RFN_OK;
}

/* ---- results --------------------------------------------------------------------------------- */

void rfn_spectrum_free(rfn_spectrum *spec)
{
    if (!spec)
        return;
    free(spec->freq_hz);
    for (int t = 0; t < RFN_TRACE_COUNT; t++)
        free(spec->density[t]);
    memset(spec, 0, sizeof *spec);
}

rfn_status rfn_welch_get_spectrum(rfn_welch *w, rfn_spectrum *spec, rfn_error *err)
{
    if (!spec)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing spectrum record");
    memset(spec, 0, sizeof *spec);
    if (!w)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch: missing engine");
    if (w->segments == 0)
        return rfn_error_set(err, RFN_ERR_TRUNCATED,
                             "welch: %llu samples, fewer than one segment of nfft %zu",
                             (unsigned long long)w->samples, w->n);
    size_t n = w->n;
    int real = w->cfg.real_input;
    size_t nb = real ? n / 2 + 1 : n;
    spec->n_bins = nb;
    spec->freq_hz = malloc(nb * sizeof *spec->freq_hz);
    int ok = spec->freq_hz != NULL;
    for (int t = 0; t < RFN_TRACE_COUNT && ok; t++) {
        if (w->cfg.traces & RFN_TRACE_BIT(t)) {
            spec->density[t] = malloc(nb * sizeof(double));
            ok = spec->density[t] != NULL;
        }
    }
    if (!ok) {
        rfn_spectrum_free(spec);
        return rfn_error_set(err, RFN_ERR_NOMEM, "welch: out of memory for the spectrum");
    }
    if (w->fcount) {
        add_float_to_double(w->acc, w->facc, n, w->pairs);
        w->fcount = 0;
    }

    double fs = w->cfg.fs_hz, bin = fs / (double)n;
    /* density = |X|^2 / (fs S2), docs/architecture.md §Units */
    double scale = w->pscale / (fs * w->s2);
    double kseg = (double)w->segments;
    for (size_t i = 0; i < nb; i++) {
        /* Complex: DC-centred, as numpy.fft.fftshift. Real: bins 0 ... n/2, one-sided. */
        size_t k = real ? i : (i + n - n / 2) % n;
        double offset = real ? (double)i : (double)i - (double)(n / 2);
        double fold = real && i != 0 && !(n % 2 == 0 && i == n / 2) ? 2.0 : 1.0;
        double sc = scale * fold;
        spec->freq_hz[i] = w->cfg.center_hz + offset * bin;
        spec->density[RFN_TRACE_MEAN][i] = w->acc[k] / kseg * sc;
        if (spec->density[RFN_TRACE_MAX])
            spec->density[RFN_TRACE_MAX][i] = w->vmax[k] * sc;
        if (spec->density[RFN_TRACE_MIN])
            spec->density[RFN_TRACE_MIN][i] = w->vmin[k] * sc;
        if (spec->density[RFN_TRACE_MEDIAN]) {
            double m;
            if (w->med_done == 0) {
                m = stored_median(w, k);
            } else {
                double sum = w->med_acc[k];
                if (w->med_rows)
                    sum += stored_median(w, k) * (double)w->med_rows;
                m = sum / (double)(w->med_done + w->med_rows);
            }
            spec->density[RFN_TRACE_MEDIAN][i] = m * sc;
        }
    }
    spec->fs_hz = fs;
    spec->center_hz = w->cfg.center_hz;
    spec->nfft = n;
    spec->overlap = w->cfg.overlap;
    spec->window = w->cfg.window;
    spec->sigma_samples = w->cfg.sigma_samples;
    spec->bin_hz = bin;
    spec->enbw_hz = fs * w->s2 / (w->s1 * w->s1);
    spec->rbw6_hz = w->props.bw6_bins * bin;
    spec->scalloping_loss_db = w->props.scalloping_loss_db;
    spec->segments = w->segments;
    spec->n_samples = w->samples;
    spec->one_sided = real;
    spec->detrend_mean = w->cfg.detrend_mean;
    if (w->med) {
        spec->median_method = w->med_done ? RFN_MEDIAN_BLOCKED : RFN_MEDIAN_EXACT;
        spec->median_block_segments = w->med_done ? w->med_cap : 0;
    }
    return RFN_OK;
}

double rfn_spectrum_tone_power(const rfn_spectrum *spec, rfn_trace trace, size_t i)
{
    if (!spec || (int)trace < 0 || trace >= RFN_TRACE_COUNT || !spec->density[trace] ||
        i >= spec->n_bins)
        return NAN;
    return spec->density[trace][i] * spec->enbw_hz;
}

double rfn_spectrum_bin_power(const rfn_spectrum *spec, rfn_trace trace, size_t i)
{
    if (!spec || (int)trace < 0 || trace >= RFN_TRACE_COUNT || !spec->density[trace] ||
        i >= spec->n_bins)
        return NAN;
    return spec->density[trace][i] * spec->bin_hz;
}

long rfn_spectrum_bin_of(const rfn_spectrum *spec, double freq_hz)
{
    if (!spec || spec->n_bins == 0 || !(spec->bin_hz > 0.0) || !isfinite(freq_hz))
        return -1;
    double pos = (freq_hz - spec->freq_hz[0]) / spec->bin_hz + 0.5;
    if (!(pos >= 0.0) || pos >= (double)spec->n_bins)
        return -1;
    return (long)floor(pos);
}
