/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_welch_pool.c: the Welch pool gives bit for bit the spectrum of one engine fed directly,
 * for 1, 2, 3 and 7 threads, complex and real streams, blocks cut in every way, through
 * welch_pool_write and through welch_pool_space/commit; and it stays usable on a stream shorter
 * than one run. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dsp/noise_gen.h"
#include "check.h"
#include "welch.h"
#include "welch_pool.h"

static rfn_welch *make(size_t nfft, unsigned traces, int real)
{
    rfn_welch_config c = rfn_welch_config_default();
    c.fs_hz = 2.4e6;
    c.nfft = nfft;
    c.traces = traces;
    c.real_input = real;
    c.effort = RFN_FFT_ESTIMATE;
    c.median_max_bytes = 300 * nfft * sizeof(float);
    rfn_welch *w = NULL;
    rfn_error err = {0};
    CHECK_MSG(rfn_welch_create(&c, &w, &err) == RFN_OK, "%s", err.msg);
    return w;
}

static int identical(const rfn_spectrum *a, const rfn_spectrum *b)
{
    if (a->n_bins != b->n_bins || a->segments != b->segments || a->n_samples != b->n_samples)
        return 0;
    for (int t = 0; t < RFN_TRACE_COUNT; t++)
        if (!a->density[t] != !b->density[t] ||
            (a->density[t] && memcmp(a->density[t], b->density[t], a->n_bins * sizeof(double))))
            return 0;
    return 1;
}

/* Write x[0 .. n) to a pool of `jobs` threads in blocks cut by `cut`, via space/commit when
 * direct; return the spectrum. */
static void pooled(size_t nfft, unsigned traces, int real, const float complex *x,
                   const float *xr, size_t n, unsigned jobs, size_t cut, int direct,
                   rfn_spectrum *s)
{
    rfn_welch *w = make(nfft, traces, real);
    welch_pool *p = NULL;
    rfn_error err = {0};
    CHECK_OK(welch_pool_create(w, jobs, &p, &err));
    for (size_t off = 0, i = 0; off < n; i++) {
        size_t b = (cut * (i % 7 + 1)) % 100003 + 1;
        b = b > n - off ? n - off : b;
        if (real) {
            CHECK_OK(welch_pool_write_real(p, xr + off, b, &err));
        } else if (direct) {
            float complex *at;
            size_t room;
            CHECK_OK(welch_pool_space(p, &at, &room, &err));
            b = b < room ? b : room;
            memcpy(at, x + off, b * sizeof *x);
            CHECK_OK(welch_pool_commit(p, b, &err));
        } else {
            CHECK_OK(welch_pool_write(p, x + off, b, &err));
        }
        off += b;
    }
    CHECK_OK(welch_pool_finish(p, &err));
    CHECK(welch_pool_finish(p, &err) == RFN_ERR_INVALID);
    CHECK_OK(rfn_welch_get_spectrum(w, s, &err));
    welch_pool_destroy(p);
    rfn_welch_destroy(w);
}

static void test_identical(void)
{
    enum { N = 3000000 };
    float complex *x = malloc(N * sizeof *x);
    float *xr = malloc(N * sizeof *xr);
    noise_gen g = {0x1234567ull};
    noise_fill(&g, x, N, 1e-2);
    for (size_t i = 0; i < N; i++)
        xr[i] = crealf(x[i]);
    static const struct {
        size_t nfft;
        unsigned traces;
        int real;
    } cases[] = {
        {4096, RFN_TRACE_BIT(RFN_TRACE_MAX) | RFN_TRACE_BIT(RFN_TRACE_MIN), 0},
        {1024, 0, 0},
        {65536, RFN_TRACE_BIT(RFN_TRACE_MAX), 0},
        {256, RFN_TRACE_BIT(RFN_TRACE_MEDIAN), 0},
        {2048, RFN_TRACE_BIT(RFN_TRACE_MIN), 1},
    };
    static const unsigned jobs[] = {1, 2, 3, 7};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        rfn_welch *w = make(cases[ci].nfft, cases[ci].traces, cases[ci].real);
        rfn_error err = {0};
        rfn_spectrum ref, s;
        if (cases[ci].real)
            CHECK_OK(rfn_welch_write_real(w, xr, N, &err));
        else
            CHECK_OK(rfn_welch_write(w, x, N, &err));
        CHECK_OK(rfn_welch_get_spectrum(w, &ref, &err));
        rfn_welch_destroy(w);
        for (size_t j = 0; j < 4; j++)
            for (int direct = 0; direct < 2; direct++) {
                pooled(cases[ci].nfft, cases[ci].traces, cases[ci].real, x, xr, N, jobs[j],
                       4099 * (j + 1) + 77 * (size_t)direct, direct, &s);
                CHECK_MSG(identical(&ref, &s), "nfft %zu jobs %u direct %d", cases[ci].nfft,
                          jobs[j], direct);
                rfn_spectrum_free(&s);
            }
        rfn_spectrum_free(&ref);
    }
    free(x);
    free(xr);
}

/* Shorter than one run, and shorter than one segment: the engine gets everything at finish. */
static void test_short(void)
{
    float complex x[5000];
    noise_gen g = {99};
    noise_fill(&g, x, 5000, 1.0);
    for (unsigned jobs = 1; jobs <= 3; jobs++) {
        rfn_welch *w = make(1024, 0, 0);
        welch_pool *p = NULL;
        rfn_error err = {0};
        CHECK_OK(welch_pool_create(w, jobs, &p, &err));
        CHECK_OK(welch_pool_write(p, x, 5000, &err));
        CHECK(welch_pool_write_real(p, (const float *)x, 10, &err) == RFN_ERR_INVALID);
        CHECK_OK(welch_pool_finish(p, &err));
        CHECK(rfn_welch_samples(w) == 5000 && rfn_welch_segments(w) == 8);
        welch_pool_destroy(p);
        rfn_welch_destroy(w);
    }
    CHECK(welch_pool_jobs(0) >= 1 && welch_pool_jobs(5) == 5);
    welch_pool_destroy(NULL);
}

int main(void)
{
    test_identical();
    test_short();
    return check_finish();
}
