/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fft.h: the complex single-precision FFT used by every spectral estimator; the only FFTW user
 * is fft_fftw.c behind this interface. */
#ifndef RFN_FFT_H
#define RFN_FFT_H

#include <complex.h>
#include <stddef.h>

#include "rfn_error.h"

typedef struct rfn_fft rfn_fft;

/* Planner effort, FFTW's ESTIMATE / MEASURE / PATIENT. MEASURE is the default, chosen by
 * measurement on the project's 2-core Xeon VM (FFTW 3.3.10 sse2-avx, out of place, one thread;
 * planning time / time per transform):
 *     n        ESTIMATE          MEASURE             PATIENT
 *     1024     0 s / 1.26 us     0.21 s / 1.07 us    1.4 s / 1.07 us
 *     4096     0 s / 6.6 us      0.39 s / 4.8 us     3.7 s / 5.0 us
 *     65536    0 s / 230 us      1.9 s / 168 us      28 s / 128 us
 * MEASURE gets ESTIMATE's 15-40 % back for at most ~2 s of planning; PATIENT only pays off for
 * long transforms (-24 % at 65536) and costs ~30 s per new size, so it stays an option. Wisdom
 * (below; kept in $XDG_CACHE_HOME/rfnoise by analyser/measure/fft_wisdom.c) makes re-planning
 * free. */
typedef enum rfn_fft_effort {
    RFN_FFT_ESTIMATE = 0,
    RFN_FFT_MEASURE,
    RFN_FFT_PATIENT,
} rfn_fft_effort;

typedef struct rfn_fft_config {
    size_t n;              /* transform length, >= 1 */
    size_t howmany;        /* transforms per execute; >= 1 */
    size_t in_dist;        /* distance in complex samples between the inputs of successive
                              transforms of one execute; 0 means n (contiguous). May be < n when
                              out of place: overlapping inputs, e.g. Welch segments read straight
                              from a capture block with in_dist = hop. Outputs are always
                              contiguous, n apart. */
    int inverse;           /* 0 forward (e^-j), 1 backward (e^+j), unnormalised like FFTW */
    int in_place;          /* 1: output overwrites input buffer (needs in_dist 0 or n) */
    int unaligned;         /* 1: plan so that rfn_fft_execute_on accepts pointers of any
                              alignment (FFTW_UNALIGNED). FFTW then uses no SIMD at all, so this
                              is several times slower: prefer copying a misaligned input into
                              an aligned buffer. Out of place only. */
    rfn_fft_effort effort; /* planner effort */
} rfn_fft_config;

/* Defaults: n = 1024, howmany = 1, in_dist 0, forward, out of place, aligned,
 * RFN_FFT_MEASURE. */
rfn_fft_config rfn_fft_config_default(void);

/* Plan a transform and allocate its aligned buffers (n * howmany complex each). Thread-safe:
 * planning is serialised internally. Returns RFN_ERR_INVALID or RFN_ERR_NOMEM with err filled. */
rfn_status rfn_fft_create(const rfn_fft_config *cfg, rfn_fft **out, rfn_error *err);

/* The plan's own buffers (owned by the plan; input == output when in place). */
float complex *rfn_fft_input(rfn_fft *fft);
float complex *rfn_fft_output(rfn_fft *fft);

/* Transform the plan's own buffers. */
void rfn_fft_execute(rfn_fft *fft);

/* Transform other buffers with the same plan. They must be in place or not exactly as the plan
 * was made, and have the plan's SIMD alignment (rfn_fft_malloc'd buffers, or any pointer p with
 * rfn_fft_aligned(p)) unless the plan was made with unaligned = 1. An out-of-place transform
 * never writes its input (FFTW's default FFTW_PRESERVE_INPUT for complex transforms), so in may
 * point into read-only caller data. */
void rfn_fft_execute_on(rfn_fft *fft, const float complex *in, float complex *out);

/* 1 when p has the SIMD alignment of rfn_fft_malloc'd buffers (FFTW's fftwf_alignment_of). */
int rfn_fft_aligned(const void *p);

/* NULL is a no-op. */
void rfn_fft_destroy(rfn_fft *fft);

/* SIMD-aligned allocation for buffers handed to rfn_fft_execute_on. */
void *rfn_fft_malloc(size_t bytes);
void rfn_fft_free(void *p);

/* Planner wisdom as text, so the caller (which owns files) can keep it between runs and avoid
 * re-planning. Export returns a malloc'd string (free with free()) or NULL; import returns
 * RFN_ERR_FORMAT when FFTW rejects the text. */
char *rfn_fft_wisdom_export(void);
rfn_status rfn_fft_wisdom_import(const char *wisdom);

/* FFTW's version string ("fftw-3.3.10-sse2-avx"), for provenance in outputs. */
const char *rfn_fft_library_version(void);

#endif
