/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fft_fftw.c: FFTW single-precision backend of fft.h; the only file that includes fftw3.h. */
#include "fft.h"

#include <fftw3.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* FFTW's planner and plan destruction are not thread-safe (FFTW manual §5.4 "Thread safety");
 * execution is. One lock serialises planning across worker threads. */
static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

struct rfn_fft {
    rfn_fft_config cfg;
    fftwf_plan plan;
    fftwf_complex *in;
    fftwf_complex *out;
};

rfn_fft_config rfn_fft_config_default(void)
{
    rfn_fft_config c = {.n = 1024, .howmany = 1, .in_dist = 0, .inverse = 0, .in_place = 0,
                        .unaligned = 0, .effort = RFN_FFT_MEASURE};
    return c;
}

static unsigned effort_flags(rfn_fft_effort e)
{
    switch (e) {
    case RFN_FFT_ESTIMATE:
        return FFTW_ESTIMATE;
    case RFN_FFT_PATIENT:
        return FFTW_PATIENT;
    case RFN_FFT_MEASURE:
    default:
        return FFTW_MEASURE;
    }
}

rfn_status rfn_fft_create(const rfn_fft_config *cfg, rfn_fft **out, rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "fft: missing configuration");
    *out = NULL;
    size_t idist = cfg->in_dist ? cfg->in_dist : cfg->n;
    if (cfg->n < 1 || cfg->howmany < 1 || cfg->n > (size_t)1 << 30 ||
        cfg->howmany > ((size_t)1 << 31) / cfg->n || idist > (size_t)1 << 30)
        return rfn_error_set(err, RFN_ERR_INVALID, "fft: bad size n=%zu howmany=%zu", cfg->n,
                             cfg->howmany);
    if (cfg->in_place && (idist != cfg->n || cfg->unaligned))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "fft: in-place plans need contiguous, aligned inputs");
    rfn_fft *f = calloc(1, sizeof *f);
    if (!f)
        return rfn_error_set(err, RFN_ERR_NOMEM, "fft: out of memory");
    f->cfg = *cfg;
    size_t total = cfg->n * cfg->howmany;
    size_t in_total = idist * (cfg->howmany - 1) + cfg->n;
    f->in = fftwf_alloc_complex(in_total > total ? in_total : total);
    f->out = cfg->in_place ? f->in : fftwf_alloc_complex(total);
    if (!f->in || !f->out) {
        rfn_fft_destroy(f);
        return rfn_error_set(err, RFN_ERR_NOMEM, "fft: out of memory for %zu points", total);
    }
    int n = (int)cfg->n;
    pthread_mutex_lock(&planner_lock);
    /* MEASURE/PATIENT overwrite the arrays while planning; they are fresh, so that is harmless. */
    unsigned flags = effort_flags(cfg->effort);
    if (!cfg->in_place)
        flags |= FFTW_PRESERVE_INPUT; /* callers hand in read-only capture data */
    if (cfg->unaligned)
        flags |= FFTW_UNALIGNED;
    f->plan = fftwf_plan_many_dft(1, &n, (int)cfg->howmany, f->in, NULL, 1, (int)idist, f->out,
                                  NULL, 1, n, cfg->inverse ? FFTW_BACKWARD : FFTW_FORWARD, flags);
    pthread_mutex_unlock(&planner_lock);
    if (!f->plan) {
        rfn_fft_destroy(f);
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "fft: FFTW could not plan n=%zu", cfg->n);
    }
    *out = f;
    return RFN_OK;
}

float complex *rfn_fft_input(rfn_fft *fft)
{
    return (float complex *)fft->in;
}

float complex *rfn_fft_output(rfn_fft *fft)
{
    return (float complex *)fft->out;
}

void rfn_fft_execute(rfn_fft *fft)
{
    fftwf_execute(fft->plan);
}

void rfn_fft_execute_on(rfn_fft *fft, const float complex *in, float complex *out)
{
    /* FFTW's prototype is not const-correct; an out-of-place plan made with
     * FFTW_PRESERVE_INPUT never writes in (FFTW manual §4.3.2 "Planner Flags"). */
    fftwf_execute_dft(fft->plan, (fftwf_complex *)(uintptr_t)in, (fftwf_complex *)out);
}

int rfn_fft_aligned(const void *p)
{
    return fftwf_alignment_of((float *)(uintptr_t)p) == 0;
}

void rfn_fft_destroy(rfn_fft *fft)
{
    if (!fft)
        return;
    pthread_mutex_lock(&planner_lock);
    if (fft->plan)
        fftwf_destroy_plan(fft->plan);
    pthread_mutex_unlock(&planner_lock);
    if (fft->out && fft->out != fft->in)
        fftwf_free(fft->out);
    fftwf_free(fft->in);
    free(fft);
}

void *rfn_fft_malloc(size_t bytes)
{
    return fftwf_malloc(bytes);
}

void rfn_fft_free(void *p)
{
    fftwf_free(p);
}

char *rfn_fft_wisdom_export(void)
{
    pthread_mutex_lock(&planner_lock);
    char *s = fftwf_export_wisdom_to_string();
    pthread_mutex_unlock(&planner_lock);
    return s;
}

rfn_status rfn_fft_wisdom_import(const char *wisdom)
{
    if (!wisdom)
        return RFN_ERR_INVALID;
    pthread_mutex_lock(&planner_lock);
    int ok = fftwf_import_wisdom_from_string(wisdom);
    pthread_mutex_unlock(&planner_lock);
    return ok ? RFN_OK : RFN_ERR_FORMAT;
}

const char *rfn_fft_library_version(void)
{
    return fftwf_version;
}
