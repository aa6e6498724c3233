/* fft.h: the complex single-precision FFT used by every spectral estimator; the only FFTW user
 * is fft_fftw.c behind this interface. */
#ifndef RFN_FFT_H
#define RFN_FFT_H

#include <complex.h>
#include <stddef.h>

#include "rfn_error.h"

typedef struct rfn_fft rfn_fft;

/* Planner effort, FFTW's ESTIMATE / MEASURE / PATIENT. MEASURE is the default: on this
 * project's 2-core x86-64 machines it gives plans within a few percent of PATIENT while planning
 * in well under a second for n <= 65536, and wisdom (below) makes a second planning free. */
typedef enum rfn_fft_effort {
    RFN_FFT_ESTIMATE = 0,
    RFN_FFT_MEASURE,
    RFN_FFT_PATIENT,
} rfn_fft_effort;

typedef struct rfn_fft_config {
    size_t n;              /* transform length, >= 1 */
    size_t howmany;        /* transforms per execute, contiguous, each n apart; >= 1 */
    int inverse;           /* 0 forward (e^-j), 1 backward (e^+j), unnormalised like FFTW */
    int in_place;          /* 1: output overwrites input buffer */
    rfn_fft_effort effort; /* planner effort */
} rfn_fft_config;

/* Defaults: n = 1024, howmany = 1, forward, out of place, RFN_FFT_MEASURE. */
rfn_fft_config rfn_fft_config_default(void);

/* Plan a transform and allocate its aligned buffers (n * howmany complex each). Thread-safe:
 * planning is serialised internally. Returns RFN_ERR_INVALID or RFN_ERR_NOMEM with err filled. */
rfn_status rfn_fft_create(const rfn_fft_config *cfg, rfn_fft **out, rfn_error *err);

/* The plan's own buffers (owned by the plan; input == output when in place). */
float complex *rfn_fft_input(rfn_fft *fft);
float complex *rfn_fft_output(rfn_fft *fft);

/* Transform the plan's own buffers. */
void rfn_fft_execute(rfn_fft *fft);

/* Transform other buffers with the same plan. They must be allocated with rfn_fft_malloc (same
 * SIMD alignment) and be in place or not exactly as the plan was made. */
void rfn_fft_execute_on(rfn_fft *fft, float complex *in, float complex *out);

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
