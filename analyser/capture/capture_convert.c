/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_convert.c: samples as stored (u8, s8, s16, s32, f32, f64, either byte order) to float
 * at full scale 1.0, and the reader's validation statistics, in one pass over each block. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "capture_internal.h"

/* ---- one value --------------------------------------------------------------------------------
 * Each conversion is libsndfile's sf_read_float with its default normalisation, operation for
 * operation, so that a capture reads the same floats (and statistics) whichever path reads it
 * (tests/analyser/test_capture.c, convert_identical): integers as (float)v times 2^-(bits-1)
 * (pcm.c: uc2f, sc2f, s2f, i2f; an exact power of two), u8 as (v - 128) / 128 followed by the
 * reader's own (x * 128 + 0.5) / 127.5 (docs/architecture.md §Units: offset binary centred on
 * 127.5), floats as stored and doubles rounded to float (float32.c, double64.c). */

static inline __attribute__((always_inline)) float load_value(const unsigned char *r, size_t i,
                                                              const int kind, const int swap)
{
    switch (kind) {
    case CAPTURE_CONV_U8: {
        float v = (float)((int)r[i] - 128) * (1.0f / 128.0f);
        return (128.0f * v + 0.5f) / 127.5f;
    }
    case CAPTURE_CONV_S8:
        return (float)(signed char)r[i] * (1.0f / 128.0f);
    case CAPTURE_CONV_S16: {
        uint16_t u;
        memcpy(&u, r + 2 * i, 2);
        u = swap ? __builtin_bswap16(u) : u;
        return (float)(int16_t)u * (1.0f / 32768.0f);
    }
    case CAPTURE_CONV_S32: {
        uint32_t u;
        memcpy(&u, r + 4 * i, 4);
        u = swap ? __builtin_bswap32(u) : u;
        return (float)(int32_t)u * (1.0f / 2147483648.0f);
    }
    case CAPTURE_CONV_F32: {
        uint32_t u;
        memcpy(&u, r + 4 * i, 4);
        u = swap ? __builtin_bswap32(u) : u;
        float v;
        memcpy(&v, &u, 4);
        return v;
    }
    case CAPTURE_CONV_F64: {
        uint64_t u;
        memcpy(&u, r + 8 * i, 8);
        u = swap ? __builtin_bswap64(u) : u;
        double d;
        memcpy(&d, &u, 8);
        return (float)d;
    }
    default: /* CAPTURE_CONV_NATIVE: floats already converted */
    {
        float v;
        memcpy(&v, r + 4 * i, 4);
        return v;
    }
    }
}

/* ---- I/Q frames: conversion and statistics fused ----------------------------------------------
 * Four frames at a time in independent lanes, so that the compiler can vectorise without
 * reassociating any sum (no -ffast-math). Each run of STAT_RUN frames is summed in float lanes
 * (8 floats a vector instead of 4 doubles, no conversions), then added to the double totals: a
 * float sum of 64 terms is good to ~1e-6 relative, far finer than DC offset, imbalance or mean
 * power are reported. NaN/Inf make the sums non-finite, which the caller detects per block.
 * The order of every operation is the one the statistics had before conversion was fused into
 * them, so the sums are bit for bit those of converting first and summing after. */

enum { STAT_RUN = 64 };

/* The lane totals of iq_pass folded into *b, with the frames from j0 on (a block's tail, or
 * every frame when exact) summed one by one in double. */
static inline __attribute__((always_inline)) void
iq_tail(const unsigned char *r, float *x, size_t n, size_t j0, const int kind, const int swap,
        float cp, float cn, const double ls[8], const double lss[8], const double lx[4],
        const int64_t lc[4], const int64_t lz[4], const float lp[8], capture_sums *b)
{
    const int store = kind != CAPTURE_CONV_NATIVE;
    double si = 0, sq = 0, sii = 0, sqq = 0, siq = 0;
    int64_t clipped = 0, zeros = 0;
    float peak = 0.0f;
    for (int m = 0; m < 4; m++) {
        si += ls[2 * m], sq += ls[2 * m + 1];
        sii += lss[2 * m], sqq += lss[2 * m + 1];
        siq += lx[m];
        clipped += lc[m], zeros += lz[m];
        peak = lp[2 * m] > peak ? lp[2 * m] : peak;
        peak = lp[2 * m + 1] > peak ? lp[2 * m + 1] : peak;
    }
    for (size_t j = j0; j < n; j++) {
        float i = load_value(r, 2 * j, kind, swap), q = load_value(r, 2 * j + 1, kind, swap);
        if (store)
            x[2 * j] = i, x[2 * j + 1] = q;
        clipped += (i >= cp) | (i <= cn) | (q >= cp) | (q <= cn);
        zeros += (i == 0.0f) & (q == 0.0f);
        float ai = fabsf(i), aq = fabsf(q);
        peak = ai > peak ? ai : peak;
        peak = aq > peak ? aq : peak;
        double di = i, dq = q;
        si += di, sq += dq;
        sii += di * di, sqq += dq * dq, siq += di * dq;
    }
    *b = (capture_sums){si, sq, sii, sqq, siq, clipped, zeros, peak};
}

static inline __attribute__((always_inline)) void
iq_pass(const unsigned char *r, float *x, size_t n, const int kind, const int swap, float cp,
        float cn, int exact, capture_sums *b)
{
    const int store = kind != CAPTURE_CONV_NATIVE;
    size_t j0 = 0;
    double ls[8] = {0}, lss[8] = {0}, lx[4] = {0};
    int64_t lc[4] = {0}, lz[4] = {0};
    float lp[8] = {0};
    for (; !exact && j0 + STAT_RUN <= n; j0 += STAT_RUN) {
        float fs[8] = {0}, fss[8] = {0}, fx[4] = {0};
        int32_t fc[4] = {0}, fz[4] = {0};
        for (size_t t = 0; t < STAT_RUN; t += 4) {
            float p[8];
            for (int l = 0; l < 8; l++)
                p[l] = load_value(r, 2 * (j0 + t) + (size_t)l, kind, swap);
            if (store)
                memcpy(x + 2 * (j0 + t), p, sizeof p);
            for (int l = 0; l < 8; l++) {
                float v = p[l], a = fabsf(v);
                fs[l] += v;
                fss[l] += v * v;
                lp[l] = a > lp[l] ? a : lp[l];
            }
            for (int m = 0; m < 4; m++) {
                float fi = p[2 * m], fq = p[2 * m + 1];
                fx[m] += fi * fq;
                fc[m] += (fi >= cp) | (fi <= cn) | (fq >= cp) | (fq <= cn);
                fz[m] += (fi == 0.0f) & (fq == 0.0f);
            }
        }
        for (int l = 0; l < 8; l++) {
            ls[l] += fs[l];
            lss[l] += fss[l];
        }
        for (int m = 0; m < 4; m++) {
            lx[m] += fx[m];
            lc[m] += fc[m];
            lz[m] += fz[m];
        }
    }
    iq_tail(r, x, n, j0, kind, swap, cp, cn, ls, lss, lx, lc, lz, lp, b);
}

/* Real values at stride k floats. */
static void real_stats(const float *x, size_t n, size_t k, float cp, float cn, capture_sums *b)
{
    double si = 0, sii = 0;
    int64_t clipped = 0, zeros = 0;
    float peak = 0.0f;
    for (size_t j = 0; j < n; j++) {
        float i = x[k * j];
        clipped += (i >= cp) | (i <= cn);
        zeros += i == 0.0f;
        float ai = fabsf(i);
        peak = ai > peak ? ai : peak;
        double di = i;
        si += di, sii += di * di;
    }
    *b = (capture_sums){si, 0, sii, 0, 0, clipped, zeros, peak};
}

static inline __attribute__((always_inline)) void
convert_pass(const unsigned char *r, float *x, size_t m, const int kind, const int swap)
{
    for (size_t i = 0; i < m; i++)
        x[i] = load_value(r, i, kind, swap);
}

/* ---- AVX2 ------------------------------------------------------------------------------------
 * The same sums written with AVX2 intrinsics, chosen at run time as dsp/welch.c chooses its
 * kernels (the default build runs on any x86-64). GCC's own AVX2 vectorisation of the lanes above
 * is slower than its SSE2 one (1.9 against 1.1 ns a frame, s16, one core), as the 4 per-frame
 * lanes cross the 128-bit halves; here the 8 value lanes stay put, and the per-frame lanes are
 * the even lanes of 8-lane vectors, fed by an in-lane swap of I and Q (x * swap(x) holds I*Q in
 * both lanes of a frame: the product commutes exactly). No FMA: each lane computes exactly what
 * the scalar lanes compute, so the sums are the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(RFN_NO_SIMD)
#include <immintrin.h>
#define HAVE_AVX2_KERNEL 1

/* Four I/Q frames (8 values) of kind at value index i, converted as load_value converts. */
__attribute__((target("avx2"), always_inline)) static inline __m256
load8_avx2(const unsigned char *r, size_t i, const int kind, const int swap)
{
    const __m128i sw16 = _mm_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    const __m256i sw32 = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3,
                                          2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    switch (kind) {
    case CAPTURE_CONV_U8: {
        __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(r + i)));
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(v, _mm256_set1_epi32(128))),
                                 _mm256_set1_ps(1.0f / 128.0f));
        return _mm256_div_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(128.0f), f),
                                           _mm256_set1_ps(0.5f)),
                             _mm256_set1_ps(127.5f));
    }
    case CAPTURE_CONV_S8: {
        __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(r + i)));
        return _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(1.0f / 128.0f));
    }
    case CAPTURE_CONV_S16: {
        __m128i v = _mm_loadu_si128((const __m128i *)(r + 2 * i));
        if (swap)
            v = _mm_shuffle_epi8(v, sw16);
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(v)),
                             _mm256_set1_ps(1.0f / 32768.0f));
    }
    case CAPTURE_CONV_S32: {
        __m256i v = _mm256_loadu_si256((const __m256i *)(r + 4 * i));
        if (swap)
            v = _mm256_shuffle_epi8(v, sw32);
        return _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(1.0f / 2147483648.0f));
    }
    case CAPTURE_CONV_F32: {
        __m256i v = _mm256_loadu_si256((const __m256i *)(r + 4 * i));
        if (swap)
            v = _mm256_shuffle_epi8(v, sw32);
        return _mm256_castsi256_ps(v);
    }
    default: /* CAPTURE_CONV_NATIVE */
        return _mm256_loadu_ps((const float *)(const void *)(r + 4 * i));
    }
}

/* The runs of STAT_RUN frames of iq_pass (the caller does the tail), for n frames from j0 = 0;
 * returns the frames done and adds into the lane totals. */
__attribute__((target("avx2"), always_inline)) static inline size_t
runs_avx2(const unsigned char *r, float *x, size_t n, const int kind, const int swap, float cp,
          float cn, double ls[8], double lss[8], double lx[4], int64_t lc[4], int64_t lz[4],
          float lp_out[8])
{
    const int store = kind != CAPTURE_CONV_NATIVE;
    const __m256 vcp = _mm256_set1_ps(cp), vcn = _mm256_set1_ps(cn), zero = _mm256_setzero_ps();
    const __m256 mag = _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MAX));
    __m256 lp = _mm256_setzero_ps();
    size_t j0 = 0;
    for (; j0 + STAT_RUN <= n; j0 += STAT_RUN) {
        __m256 fs = zero, fss = zero, fx = zero;
        __m256i fc = _mm256_setzero_si256(), fz = _mm256_setzero_si256();
        for (size_t t = 0; t < STAT_RUN; t += 4) {
            __m256 p = load8_avx2(r, 2 * (j0 + t), kind, swap);
            if (store)
                _mm256_storeu_ps(x + 2 * (j0 + t), p);
            __m256 sp = _mm256_permute_ps(p, 0xB1); /* I and Q of each frame swapped */
            fs = _mm256_add_ps(fs, p);
            fss = _mm256_add_ps(fss, _mm256_mul_ps(p, p));
            lp = _mm256_max_ps(_mm256_and_ps(p, mag), lp); /* a > lp ? a : lp */
            fx = _mm256_add_ps(fx, _mm256_mul_ps(p, sp));
            __m256 c = _mm256_or_ps(_mm256_cmp_ps(p, vcp, _CMP_GE_OQ),
                                    _mm256_cmp_ps(p, vcn, _CMP_LE_OQ));
            __m256 z = _mm256_cmp_ps(p, zero, _CMP_EQ_OQ);
            c = _mm256_or_ps(c, _mm256_permute_ps(c, 0xB1));
            z = _mm256_and_ps(z, _mm256_permute_ps(z, 0xB1));
            fc = _mm256_sub_epi32(fc, _mm256_castps_si256(c)); /* true is -1 */
            fz = _mm256_sub_epi32(fz, _mm256_castps_si256(z));
        }
        float a[8], q[8], xx[8];
        int32_t cc[8], zz[8];
        _mm256_storeu_ps(a, fs);
        _mm256_storeu_ps(q, fss);
        _mm256_storeu_ps(xx, fx);
        _mm256_storeu_si256((__m256i *)cc, fc);
        _mm256_storeu_si256((__m256i *)zz, fz);
        for (int l = 0; l < 8; l++) {
            ls[l] += a[l];
            lss[l] += q[l];
        }
        for (int m = 0; m < 4; m++) {
            lx[m] += xx[2 * m];
            lc[m] += cc[2 * m];
            lz[m] += zz[2 * m];
        }
    }
    _mm256_storeu_ps(lp_out, lp);
    return j0;
}

__attribute__((target("avx2"), always_inline)) static inline void
iq_pass_avx2(const unsigned char *r, float *x, size_t n, const int kind, const int swap,
             float cp, float cn, capture_sums *b)
{
    double ls[8] = {0}, lss[8] = {0}, lx[4] = {0};
    int64_t lc[4] = {0}, lz[4] = {0};
    float lp[8];
    size_t j0 = runs_avx2(r, x, n, kind, swap, cp, cn, ls, lss, lx, lc, lz, lp);
    iq_tail(r, x, n, j0, kind, swap, cp, cn, ls, lss, lx, lc, lz, lp, b);
}
#endif

/* One instance per stored type and byte order, each with its loads inlined. Doubles are
 * converted first and summed after: fused, GCC 12's vectoriser (-O2 -ftree-vectorize) drops the
 * rounding to float from (double)(float)d in the double sums, so a value beyond float precision
 * added its unrounded self (test_capture_convert caught it: 3e30 summed as 3e30, not as the
 * 2.99999989e30 delivered). */
#define IQ_CASES(PASS, SWAP)                                                                       \
    switch (kind) {                                                                                \
    case CAPTURE_CONV_NATIVE:                                                                      \
        PASS(raw, NULL, CAPTURE_CONV_NATIVE, 0);                                                   \
        break;                                                                                     \
    case CAPTURE_CONV_U8:                                                                          \
        PASS(raw, x, CAPTURE_CONV_U8, SWAP);                                                       \
        break;                                                                                     \
    case CAPTURE_CONV_S8:                                                                          \
        PASS(raw, x, CAPTURE_CONV_S8, SWAP);                                                       \
        break;                                                                                     \
    case CAPTURE_CONV_S16:                                                                         \
        PASS(raw, x, CAPTURE_CONV_S16, SWAP);                                                      \
        break;                                                                                     \
    case CAPTURE_CONV_S32:                                                                         \
        PASS(raw, x, CAPTURE_CONV_S32, SWAP);                                                      \
        break;                                                                                     \
    case CAPTURE_CONV_F32:                                                                         \
        PASS(raw, x, CAPTURE_CONV_F32, SWAP);                                                      \
        break;                                                                                     \
    case CAPTURE_CONV_F64: /* two passes, see above */                                             \
        convert_pass(raw, x, 2 * n, CAPTURE_CONV_F64, SWAP);                                       \
        PASS((const unsigned char *)x, NULL, CAPTURE_CONV_NATIVE, 0);                              \
        break;                                                                                     \
    default:                                                                                       \
        break;                                                                                     \
    }

#define PASS_GENERIC(SRC, DST, KIND, SWAP) iq_pass(SRC, DST, n, KIND, SWAP, cp, cn, 0, b)
static void convert_iq_generic(const unsigned char *raw, float *x, size_t n, int kind, int swap,
                               float cp, float cn, capture_sums *b)
{
    if (swap) {
        IQ_CASES(PASS_GENERIC, 1)
    } else {
        IQ_CASES(PASS_GENERIC, 0)
    }
}
#undef PASS_GENERIC

#ifdef HAVE_AVX2_KERNEL
#define PASS_AVX2(SRC, DST, KIND, SWAP) iq_pass_avx2(SRC, DST, n, KIND, SWAP, cp, cn, b)
__attribute__((target("avx2"))) static void convert_iq_avx2(const unsigned char *raw, float *x,
                                                            size_t n, int kind, int swap,
                                                            float cp, float cn, capture_sums *b)
{
    if (swap) {
        IQ_CASES(PASS_AVX2, 1)
    } else {
        IQ_CASES(PASS_AVX2, 0)
    }
}
#undef PASS_AVX2
#endif
#undef IQ_CASES

void capture_convert_iq(const void *raw_in, float *x, size_t n, int kind, int swap, float cp,
                        float cn, capture_sums *b)
{
#ifdef HAVE_AVX2_KERNEL
    if (__builtin_cpu_supports("avx2")) {
        convert_iq_avx2(raw_in, x, n, kind, swap, cp, cn, b);
        return;
    }
#endif
    convert_iq_generic(raw_in, x, n, kind, swap, cp, cn, b);
}

void capture_block_stats(const float *x, size_t n, size_t k, int has_q, float cp, float cn,
                         int exact, capture_sums *b)
{
    if (has_q && !exact)
        capture_convert_iq(x, NULL, n, CAPTURE_CONV_NATIVE, 0, cp, cn, b);
    else if (has_q)
        iq_pass((const unsigned char *)x, NULL, n, CAPTURE_CONV_NATIVE, 0, cp, cn, 1, b);
    else
        real_stats(x, n, k, cp, cn, b);
}

void capture_convert(const void *raw_in, float *x, size_t m, int kind, int swap)
{
    const unsigned char *r = raw_in;
    switch (kind * 2 + (swap != 0)) {
    case CAPTURE_CONV_U8 * 2:
    case CAPTURE_CONV_U8 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_U8, 0);
        break;
    case CAPTURE_CONV_S8 * 2:
    case CAPTURE_CONV_S8 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_S8, 0);
        break;
    case CAPTURE_CONV_S16 * 2:
        convert_pass(r, x, m, CAPTURE_CONV_S16, 0);
        break;
    case CAPTURE_CONV_S16 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_S16, 1);
        break;
    case CAPTURE_CONV_S32 * 2:
        convert_pass(r, x, m, CAPTURE_CONV_S32, 0);
        break;
    case CAPTURE_CONV_S32 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_S32, 1);
        break;
    case CAPTURE_CONV_F32 * 2:
        convert_pass(r, x, m, CAPTURE_CONV_F32, 0);
        break;
    case CAPTURE_CONV_F32 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_F32, 1);
        break;
    case CAPTURE_CONV_F64 * 2:
        convert_pass(r, x, m, CAPTURE_CONV_F64, 0);
        break;
    case CAPTURE_CONV_F64 * 2 + 1:
        convert_pass(r, x, m, CAPTURE_CONV_F64, 1);
        break;
    default:
        break;
    }
}

int capture_conv_kind(const sigmf_datatype *dt)
{
    if (dt->is_float)
        return dt->bits == 32 ? CAPTURE_CONV_F32 : dt->bits == 64 ? CAPTURE_CONV_F64 : -1;
    if (dt->bits == 8)
        return dt->is_signed ? CAPTURE_CONV_S8 : CAPTURE_CONV_U8;
    if (!dt->is_signed)
        return -1;
    return dt->bits == 16 ? CAPTURE_CONV_S16 : dt->bits == 32 ? CAPTURE_CONV_S32 : -1;
}
