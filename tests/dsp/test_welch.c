/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_welch.c: known-answer tests of the streaming Welch engine: scipy.signal.welch reference
 * vectors (tests/data, scripts/make-reference-vectors), tones, white noise, Parseval, zeros,
 * real one-sided input, streaming invariance, the bounded-memory median and error cases. */
#include <complex.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "units.h"
#include "welch.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double uniform(void)
{
    /* splitmix64: fixed seed, reproducible across platforms */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Complex Gaussian noise with E|x|^2 = var. */
static void noise(float complex *x, size_t n, double var)
{
    double s = sqrt(var / 2.0);
    for (size_t i = 0; i < n; i++) {
        double r = sqrt(-2.0 * log(uniform())), ph = 2.0 * M_PI * uniform();
        x[i] = (float)(s * r * cos(ph)) + (float)(s * r * sin(ph)) * I;
    }
}

static rfn_welch *make(rfn_welch_config *c)
{
    rfn_welch *w = NULL;
    rfn_error err = {0};
    c->effort = RFN_FFT_ESTIMATE; /* tests: no planner time */
    rfn_status st = rfn_welch_create(c, &w, &err);
    CHECK_MSG(st == RFN_OK, "%s", err.msg);
    return w;
}

static void spectrum_of(rfn_welch_config *c, const float complex *x, size_t n, rfn_spectrum *s)
{
    rfn_welch *w = make(c);
    rfn_error err = {0};
    CHECK_OK(rfn_welch_write(w, x, n, &err));
    rfn_status st = rfn_welch_get_spectrum(w, s, &err);
    CHECK_MSG(st == RFN_OK, "%s", err.msg);
    rfn_welch_destroy(w);
}

/* ---- scipy reference vectors ---------------------------------------------------------------- */

static float complex *read_input(size_t *n)
{
    FILE *f = fopen(RFN_SOURCE_DIR "/tests/data/welch_input.cf32", "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    *n = (size_t)bytes / sizeof(float complex);
    float complex *x = malloc(*n * sizeof *x);
    if (x && fread(x, sizeof *x, *n, f) != *n) {
        free(x);
        x = NULL;
    }
    fclose(f);
    return x;
}

static double *read_reference(const char *name, size_t *n)
{
    char path[512];
    snprintf(path, sizeof path, RFN_SOURCE_DIR "/tests/data/welch_%s.txt", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1024;
    double *v = malloc(cap * sizeof *v);
    *n = 0;
    while (v && fscanf(f, "%lf", &v[*n]) == 1) {
        if (++*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
    }
    fclose(f);
    return v;
}

/* Feed x in irregular blocks, so that segments straddle block edges in every way. */
static void write_irregular(rfn_welch *w, const float complex *x, size_t n, int real)
{
    static const size_t sizes[] = {1, 7, 333, 4097, 2, 1000, 64, 129};
    rfn_error err = {0};
    float *re = real ? malloc(5000 * sizeof *re) : NULL;
    for (size_t off = 0, i = 0; off < n; i++) {
        size_t b = sizes[i % 8];
        if (b > n - off)
            b = n - off;
        if (real) {
            for (size_t k = 0; k < b; k++)
                re[k] = crealf(x[off + k]);
            CHECK_OK(rfn_welch_write_real(w, re, b, &err));
        } else {
            CHECK_OK(rfn_welch_write(w, x + off, b, &err));
        }
        off += b;
    }
    free(re);
}

static void test_scipy(void)
{
    size_t nx = 0;
    float complex *x = read_input(&nx);
    CHECK_MSG(x != NULL, "tests/data/welch_input.cf32 unreadable");
    FILE *f = fopen(RFN_SOURCE_DIR "/tests/data/welch_cases.txt", "r");
    CHECK_MSG(f != NULL, "tests/data/welch_cases.txt unreadable");
    if (!x || !f) {
        free(x);
        if (f)
            fclose(f);
        return;
    }
    char line[512];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        char name[128], win[64], detrend[32], avg[32];
        size_t nps, nov;
        int onesided;
        double sigma;
        if (line[0] == '#' ||
            sscanf(line, "%127s %63s %zu %zu %31s %31s %d %lf", name, win, &nps, &nov, detrend,
                   avg, &onesided, &sigma) != 8)
            continue;
        rfn_welch_config c = rfn_welch_config_default();
        c.fs_hz = 2.4e6;
        c.nfft = nps;
        c.overlap = nov;
        CHECK_OK(rfn_window_from_name(win, &c.window));
        c.sigma_samples = sigma;
        c.detrend_mean = strcmp(detrend, "constant") == 0;
        c.real_input = onesided;
        int median = strcmp(avg, "median") == 0;
        rfn_trace tr = median ? RFN_TRACE_MEDIAN : RFN_TRACE_MEAN;
        c.traces = RFN_TRACES_ALL;
        rfn_welch *w = make(&c);
        if (!w)
            continue;
        write_irregular(w, x, nx, onesided);
        rfn_spectrum s;
        rfn_error err = {0};
        CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
        size_t nref = 0;
        double *ref = read_reference(name, &nref);
        CHECK_MSG(ref && nref == s.n_bins, "%s: %zu reference bins, %zu computed", name, nref,
                  s.n_bins);
        if (ref && nref == s.n_bins) {
            double worst = 0.0;
            size_t n = nps;
            for (size_t i = 0; i < s.n_bins; i++) {
                /* scipy returns FFT order for two-sided output; ours is DC-centred */
                size_t k = onesided ? i : (i + n - n / 2) % n;
                double e = fabs(s.density[tr][i] - ref[k]) / ref[k];
                worst = e > worst ? e : worst;
            }
            CHECK_MSG(worst <= 1e-4, "%s: max relative error %.3g", name, worst);
            fprintf(stderr, "scipy %-26s bins %5zu segments %3llu max rel err %.2e\n", name,
                    s.n_bins, (unsigned long long)s.segments, worst);
            CHECK(s.median_method == RFN_MEDIAN_EXACT);
            CHECK(s.one_sided == onesided);
            CHECK(s.segments == (nx - nps) / (nps - nov) + 1);
        }
        free(ref);
        rfn_spectrum_free(&s);
        rfn_welch_destroy(w);
        cases++;
    }
    fclose(f);
    CHECK(cases >= 16);
    free(x);
}

/* One block or many: bit-identical results. */
static void test_block_invariance(void)
{
    size_t n = 20000;
    float complex *x = malloc(n * sizeof *x);
    noise(x, n, 1.0);
    rfn_welch_config c = rfn_welch_config_default();
    c.nfft = 500;
    c.overlap = 123;
    c.traces = RFN_TRACES_ALL;
    rfn_spectrum a, b;
    spectrum_of(&c, x, n, &a);
    rfn_welch *w = make(&c);
    write_irregular(w, x, n, 0);
    rfn_error err = {0};
    CHECK_OK(rfn_welch_get_spectrum(w, &b, &err));
    CHECK(a.segments == b.segments && a.segments == (n - 500) / 377 + 1);
    int same = 1;
    for (int t = 0; t < RFN_TRACE_COUNT; t++)
        same &= memcmp(a.density[t], b.density[t], a.n_bins * sizeof(double)) == 0;
    CHECK_MSG(same, "block cutting changed the result");
    /* reset forgets everything; the same stream gives the same answer again */
    rfn_welch_reset(w);
    CHECK(rfn_welch_segments(w) == 0 && rfn_welch_samples(w) == 0);
    rfn_spectrum_free(&b);
    CHECK_OK(rfn_welch_write(w, x, n, &err));
    CHECK_OK(rfn_welch_get_spectrum(w, &b, &err));
    CHECK(memcmp(a.density[RFN_TRACE_MEAN], b.density[RFN_TRACE_MEAN],
                 a.n_bins * sizeof(double)) == 0);
    CHECK(rfn_welch_samples(w) == n);
    rfn_spectrum_free(&a);
    rfn_spectrum_free(&b);
    rfn_welch_destroy(w);
    free(x);
}

/* Every mix of traces runs its own kernel instance (welch.c, DISPATCH_KEEP): each trace must come
 * out the same whichever others are asked for. Max, min and median are bit-identical to the
 * all-traces run; the mean alone sums re^2 and im^2 separately (float), so it may differ in the
 * last bits only. nfft 1000 leaves a tail of bins that are not a whole SIMD vector. */
static void test_trace_masks(void)
{
    size_t n = 40000;
    float complex *x = malloc(n * sizeof *x);
    noise(x, n, 2.0);
    const rfn_window_type wins[] = {RFN_WINDOW_RECT, RFN_WINDOW_HANN, RFN_WINDOW_BLACKMANHARRIS,
                                    RFN_WINDOW_FLATTOP};
    const size_t sizes[] = {1000, 1024};
    for (int wi = 0; wi < 4; wi++) {
        for (int si = 0; si < 2; si++) {
            rfn_welch_config c = rfn_welch_config_default();
            c.nfft = sizes[si];
            c.window = wins[wi];
            c.traces = RFN_TRACES_ALL;
            rfn_spectrum all;
            spectrum_of(&c, x, n, &all);
            for (unsigned mask = 0; mask < 8; mask++) {
                c.traces = RFN_TRACE_BIT(RFN_TRACE_MEAN) |
                           (mask & 1 ? RFN_TRACE_BIT(RFN_TRACE_MAX) : 0) |
                           (mask & 2 ? RFN_TRACE_BIT(RFN_TRACE_MIN) : 0) |
                           (mask & 4 ? RFN_TRACE_BIT(RFN_TRACE_MEDIAN) : 0);
                rfn_spectrum s;
                spectrum_of(&c, x, n, &s);
                int same = 1;
                double worst = 0.0;
                for (int t = RFN_TRACE_MAX; t < RFN_TRACE_COUNT; t++) {
                    int asked = (c.traces & RFN_TRACE_BIT(t)) != 0;
                    same &= asked == (s.density[t] != NULL);
                    if (asked && s.density[t])
                        same &= memcmp(s.density[t], all.density[t],
                                       s.n_bins * sizeof(double)) == 0;
                }
                for (size_t i = 0; i < s.n_bins; i++) {
                    double e = fabs(s.density[RFN_TRACE_MEAN][i] / all.density[RFN_TRACE_MEAN][i] -
                                    1.0);
                    worst = e > worst ? e : worst;
                }
                CHECK_MSG(same, "window %d nfft %zu traces 0x%x: a trace changed with the mix",
                          wins[wi], sizes[si], c.traces);
                CHECK_MSG(worst < (mask ? 1e-15 : 1e-6),
                          "window %d nfft %zu traces 0x%x: mean differs by %g relative", wins[wi],
                          sizes[si], c.traces, worst);
                rfn_spectrum_free(&s);
            }
            rfn_spectrum_free(&all);
        }
    }
    free(x);
}

/* ---- tones ---------------------------------------------------------------------------------- */

static void test_tones(void)
{
    const rfn_window_type wins[] = {RFN_WINDOW_RECT, RFN_WINDOW_HANN, RFN_WINDOW_HANN_SYMMETRIC,
                                    RFN_WINDOW_BLACKMANHARRIS, RFN_WINDOW_FLATTOP,
                                    RFN_WINDOW_GAUSSIAN};
    size_t nfft = 1024, n = 16 * 1024;
    double amp = 0.25, fs = 1e6, p_true = amp * amp;
    float complex *x = malloc(n * sizeof *x);
    for (size_t wi = 0; wi < sizeof wins / sizeof wins[0]; wi++) {
        double worst_db = 0.0, sl = 0.0;
        for (int step = 0; step <= 10; step++) {
            double bin = 100.0 + step * 0.05; /* 0 ... 0.5 bin off centre */
            for (size_t t = 0; t < n; t++) {
                double ph = 2.0 * M_PI * bin * (double)t / (double)nfft;
                x[t] = (float)(amp * cos(ph)) + (float)(amp * sin(ph)) * I;
            }
            rfn_welch_config c = rfn_welch_config_default();
            c.fs_hz = fs;
            c.center_hz = 100e6;
            c.nfft = nfft;
            c.window = wins[wi];
            c.sigma_samples = nfft / 10.0;
            rfn_spectrum s;
            spectrum_of(&c, x, n, &s);
            size_t peak = 0;
            for (size_t i = 1; i < s.n_bins; i++)
                if (s.density[RFN_TRACE_MEAN][i] > s.density[RFN_TRACE_MEAN][peak])
                    peak = i;
            double p = rfn_spectrum_tone_power(&s, RFN_TRACE_MEAN, peak);
            double err_db = rfn_db10(p / p_true);
            worst_db = fabs(err_db) > fabs(worst_db) ? err_db : worst_db;
            sl = s.scalloping_loss_db;
            if (step < 10) /* at exactly half a bin both neighbours tie */
                CHECK_NEAR(s.freq_hz[peak], 100e6 + floor(bin + 0.5) * fs / nfft, 1e-6);
            if (wins[wi] == RFN_WINDOW_FLATTOP)
                CHECK_MSG(fabs(err_db) <= 0.05, "flattop tone at +%.2f bin reads %+.4f dB",
                          step * 0.05, err_db);
            else
                CHECK_MSG(err_db <= 0.01 && err_db >= -sl - 0.01,
                          "%s tone at +%.2f bin reads %+.4f dB, scalloping %.3f dB",
                          rfn_window_name(wins[wi]), step * 0.05, err_db, sl);
            rfn_spectrum_free(&s);
        }
        fprintf(stderr, "tone %-15s worst %+.4f dB (scalloping loss %.4f dB)\n",
                rfn_window_name(wins[wi]), worst_db, sl);
    }
    free(x);
}

/* ---- white noise, Parseval, zeros ------------------------------------------------------------ */

static void test_white_noise(void)
{
    const rfn_window_type wins[] = {RFN_WINDOW_RECT, RFN_WINDOW_HANN, RFN_WINDOW_HANN_SYMMETRIC,
                                    RFN_WINDOW_BLACKMANHARRIS, RFN_WINDOW_FLATTOP,
                                    RFN_WINDOW_GAUSSIAN};
    const size_t sizes[] = {256, 1000, 4096};
    double var = 0.01, fs = 2.4e6, expect = var / fs;
    size_t cap = 4096 * 130;
    float complex *x = malloc(cap * sizeof *x);
    for (size_t si = 0; si < 3; si++) {
        size_t nfft = sizes[si], n = nfft * 129; /* 257 segments at 50 % overlap */
        noise(x, n, var);
        for (size_t wi = 0; wi < sizeof wins / sizeof wins[0]; wi++) {
            rfn_welch_config c = rfn_welch_config_default();
            c.fs_hz = fs;
            c.nfft = nfft;
            c.window = wins[wi];
            c.sigma_samples = nfft / 8.0;
            c.traces = RFN_TRACE_BIT(RFN_TRACE_MEAN) | RFN_TRACE_BIT(RFN_TRACE_MEDIAN);
            rfn_spectrum s;
            spectrum_of(&c, x, n, &s);
            CHECK(s.segments >= 256);
            double sum = 0.0, sum_med = 0.0;
            for (size_t i = 0; i < s.n_bins; i++) {
                sum += s.density[RFN_TRACE_MEAN][i];
                sum_med += s.density[RFN_TRACE_MEDIAN][i];
            }
            double e = rfn_db10(sum / s.n_bins / expect);
            double em = rfn_db10(sum_med / s.n_bins / expect);
            CHECK_MSG(fabs(e) <= 0.2, "%s n=%zu: noise density off by %+.3f dB",
                      rfn_window_name(wins[wi]), nfft, e);
            CHECK_MSG(fabs(em) <= 0.2, "%s n=%zu: median noise density off by %+.3f dB",
                      rfn_window_name(wins[wi]), nfft, em);
            rfn_spectrum_free(&s);
        }
    }
    free(x);
}

static void test_parseval(void)
{
    /* Unit-modulus random-phase samples: white, and |x|^2 = 1 exactly at every instant, so the
     * window-weighted power of every segment is 1 whatever the window: sum density * bin = 1. */
    size_t n = 100000;
    float complex *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double ph = 2.0 * M_PI * uniform();
        x[i] = (float)cos(ph) + (float)sin(ph) * I;
    }
    const rfn_window_type wins[] = {RFN_WINDOW_HANN, RFN_WINDOW_BLACKMANHARRIS,
                                    RFN_WINDOW_FLATTOP, RFN_WINDOW_GAUSSIAN};
    for (int wi = 0; wi < 4; wi++) {
        rfn_welch_config c = rfn_welch_config_default();
        c.fs_hz = 1e6;
        c.nfft = 1000;
        c.window = wins[wi];
        c.sigma_samples = 120.0;
        rfn_spectrum s;
        spectrum_of(&c, x, n, &s);
        double total = 0.0;
        for (size_t i = 0; i < s.n_bins; i++)
            total += s.density[RFN_TRACE_MEAN][i] * s.bin_hz;
        CHECK_REL(total, 1.0, 1e-3);
        rfn_spectrum_free(&s);
    }
    /* Gaussian noise, rect window, no overlap: the PSD integrates to the time-domain mean power
     * of the samples it covered. */
    noise(x, n, 0.3);
    rfn_welch_config c = rfn_welch_config_default();
    c.nfft = 777;
    c.overlap = 0;
    c.window = RFN_WINDOW_RECT;
    c.fs_hz = 3e6;
    rfn_spectrum s;
    spectrum_of(&c, x, n, &s);
    double total = 0.0, td = 0.0;
    for (size_t i = 0; i < s.n_bins; i++)
        total += rfn_spectrum_bin_power(&s, RFN_TRACE_MEAN, i);
    CHECK(isnan(rfn_spectrum_bin_power(&s, RFN_TRACE_MAX, 0)) == 0);
    CHECK(isnan(rfn_spectrum_bin_power(&s, RFN_TRACE_MEDIAN, 0)));
    CHECK(isnan(rfn_spectrum_bin_power(&s, RFN_TRACE_MEAN, s.n_bins)));
    size_t used = (size_t)s.segments * 777;
    for (size_t i = 0; i < used; i++)
        td += (double)crealf(x[i]) * crealf(x[i]) + (double)cimagf(x[i]) * cimagf(x[i]);
    CHECK_REL(total, td / (double)used, 1e-5);
    rfn_spectrum_free(&s);
    free(x);
}

static void test_zeros(void)
{
    size_t n = 10000;
    float complex *x = calloc(n, sizeof *x);
    const rfn_window_type wins[] = {RFN_WINDOW_HANN, RFN_WINDOW_GAUSSIAN};
    for (int wi = 0; wi < 2; wi++) {
        for (int detrend = 0; detrend < 2; detrend++) {
            rfn_welch_config c = rfn_welch_config_default();
            c.nfft = 256;
            c.window = wins[wi];
            c.sigma_samples = 30.0;
            c.detrend_mean = detrend;
            c.traces = RFN_TRACES_ALL;
            rfn_spectrum s;
            spectrum_of(&c, x, n, &s);
            int clean = 1;
            for (int t = 0; t < RFN_TRACE_COUNT; t++)
                for (size_t i = 0; i < s.n_bins; i++)
                    clean &= s.density[t][i] == 0.0 && rfn_db10(s.density[t][i]) == -INFINITY;
            CHECK_MSG(clean, "zeros must give density 0 (-inf dB) in every trace, no NaN");
            rfn_spectrum_free(&s);
        }
    }
    CHECK(rfn_db10(0.0) == -INFINITY);
    CHECK(rfn_db10_floor(0.0, -300.0) == -300.0);
    CHECK_NEAR(rfn_db10(1e-3), -30.0, 1e-12);
    CHECK_NEAR(rfn_from_db10(-30.0), 1e-3, 1e-15);
    free(x);
}

/* ---- real input ------------------------------------------------------------------------------ */

static void test_real(void)
{
    /* A real cosine of amplitude A has mean power A^2/2, all of it in one one-sided bin; white
     * real noise of variance v has one-sided density 2 v / fs; both integrate to their power. */
    size_t nfft = 512, n = 512 * 300;
    double fs = 48000.0, amp = 0.5;
    float *x = malloc(n * sizeof *x);
    for (size_t t = 0; t < n; t++)
        x[t] = (float)(amp * cos(2.0 * M_PI * 64.0 * (double)t / (double)nfft));
    rfn_welch_config c = rfn_welch_config_default();
    c.fs_hz = fs;
    c.nfft = nfft;
    c.real_input = 1;
    c.window = RFN_WINDOW_FLATTOP;
    rfn_welch *w = make(&c);
    rfn_error err = {0};
    CHECK_OK(rfn_welch_write_real(w, x, n, &err));
    CHECK(rfn_welch_write(w, (const float complex *)x, 2, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "welch: complex samples written to a real-input engine") == 0);
    rfn_spectrum s;
    CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
    CHECK(s.n_bins == nfft / 2 + 1 && s.one_sided == 1);
    CHECK_NEAR(s.freq_hz[0], 0.0, 0.0);
    CHECK_NEAR(s.freq_hz[s.n_bins - 1], fs / 2.0, 1e-9);
    CHECK_DB_NEAR(rfn_db10(rfn_spectrum_tone_power(&s, RFN_TRACE_MEAN, 64)),
                  rfn_db10(amp * amp / 2.0), 0.01);
    rfn_spectrum_free(&s);
    rfn_welch_destroy(w);

    double v = 0.04;
    for (size_t t = 0; t < n; t++) {
        double r = sqrt(-2.0 * log(uniform())), ph = 2.0 * M_PI * uniform();
        x[t] = (float)(sqrt(v) * r * cos(ph));
    }
    c.window = RFN_WINDOW_HANN;
    w = make(&c);
    CHECK_OK(rfn_welch_write_real(w, x, n, &err));
    CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
    double sum = 0.0, total = 0.0, td = 0.0;
    for (size_t i = 1; i + 1 < s.n_bins; i++)
        sum += s.density[RFN_TRACE_MEAN][i];
    for (size_t i = 0; i < s.n_bins; i++)
        total += s.density[RFN_TRACE_MEAN][i] * s.bin_hz;
    for (size_t t = 0; t < n; t++)
        td += (double)x[t] * x[t];
    CHECK_DB_NEAR(rfn_db10(sum / (double)(s.n_bins - 2)), rfn_db10(2.0 * v / fs), 0.2);
    CHECK_REL(total, td / (double)n, 0.01);
    rfn_spectrum_free(&s);
    rfn_welch_destroy(w);
    free(x);
}

/* ---- median beyond the memory cap ------------------------------------------------------------ */

static void test_median_stream(void)
{
    /* White noise plus a strong burst in 20 % of the time, spread over the capture: the median
     * must ignore it, exact or blocked. The blocked estimator's difference from the exact median
     * on the same data is the figure stated in welch.h and the README. */
    size_t nfft = 256, nseg = 8192, n = nfft * nseg; /* no overlap: nseg segments */
    float complex *x = malloc(n * sizeof *x);
    noise(x, n, 1.0);
    for (size_t s = 0; s < nseg; s++)
        if (s % 5 == 2)
            for (size_t t = 0; t < nfft; t++)
                x[s * nfft + t] *= 10.0f;
    rfn_welch_config c = rfn_welch_config_default();
    c.nfft = nfft;
    c.overlap = 0;
    c.window = RFN_WINDOW_HANN;
    c.traces = RFN_TRACE_BIT(RFN_TRACE_MEDIAN);
    rfn_spectrum exact, blocked;
    c.median_max_bytes = n * sizeof(float);
    spectrum_of(&c, x, n, &exact);
    c.median_max_bytes = 256 * nfft * sizeof(float); /* blocks of 256 segments */
    spectrum_of(&c, x, n, &blocked);
    CHECK(exact.median_method == RFN_MEDIAN_EXACT && exact.median_block_segments == 0);
    CHECK(blocked.median_method == RFN_MEDIAN_BLOCKED && blocked.median_block_segments == 256);
    double sum_e = 0.0, sum_b = 0.0, worst = 0.0, sq = 0.0;
    for (size_t i = 0; i < nfft; i++) {
        double e = exact.density[RFN_TRACE_MEDIAN][i], b = blocked.density[RFN_TRACE_MEDIAN][i];
        sum_e += e;
        sum_b += b;
        double r = b / e - 1.0;
        sq += r * r;
        worst = fabs(r) > worst ? fabs(r) : worst;
    }
    double bias_db = rfn_db10(sum_b / sum_e), rms = sqrt(sq / nfft);
    fprintf(stderr,
            "median_stream_error: blocked (256-segment blocks) vs exact over %zu segments: "
            "mean %+.4f dB, per-bin rms %.4f (%.3f dB), worst %.4f\n",
            nseg, bias_db, rms, rfn_db10(1.0 + rms), worst);
    CHECK_MSG(fabs(bias_db) <= 0.05, "blocked median bias %+.4f dB", bias_db);
    CHECK_MSG(rms <= 0.03, "blocked median per-bin rms difference %.4f", rms);
    /* Both reject the burst (mean would read ~ 0.2*100 + 0.8 = 20.8x the noise): */
    double expect = 1.0 / 1.0; /* var 1, fs 1 */
    CHECK_DB_NEAR(rfn_db10(sum_e / nfft), rfn_db10(expect), 1.5);
    CHECK_DB_NEAR(rfn_db10(sum_b / nfft), rfn_db10(expect), 1.5);
    rfn_spectrum_free(&exact);
    rfn_spectrum_free(&blocked);
    free(x);
}

/* ---- configuration and errors ---------------------------------------------------------------- */

static void test_config(void)
{
    rfn_welch_config c = rfn_welch_config_default();
    rfn_welch *w = NULL;
    rfn_error err = {0};
    c.nfft = 64;
    c.overlap = 64;
    CHECK(rfn_welch_create(&c, &w, &err) == RFN_ERR_INVALID && w == NULL);
    CHECK(strcmp(err.msg, "welch: overlap 64 must be < nfft 64") == 0);
    c.overlap = RFN_WELCH_OVERLAP_HALF;
    c.fs_hz = 0.0;
    CHECK(rfn_welch_create(&c, &w, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "welch: sample rate 0 Hz must be > 0") == 0);
    c.fs_hz = 1e6;
    c.window = RFN_WINDOW_GAUSSIAN;
    CHECK(rfn_welch_create(&c, &w, &err) == RFN_ERR_INVALID);
    c.window = RFN_WINDOW_HANN;
    c.nfft = 1;
    CHECK(rfn_welch_create(&c, &w, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "welch: nfft 1 outside 2 ... 2^24") == 0);

    c = rfn_welch_config_default();
    c.nfft = 100;
    w = make(&c);
    float complex z[99] = {0};
    CHECK_OK(rfn_welch_write(w, z, 99, &err));
    CHECK_OK(rfn_welch_write(w, NULL, 0, &err));
    rfn_spectrum s;
    CHECK(rfn_welch_get_spectrum(w, &s, &err) == RFN_ERR_TRUNCATED);
    CHECK(strcmp(err.msg, "welch: 99 samples, fewer than one segment of nfft 100") == 0);
    CHECK(s.n_bins == 0 && s.freq_hz == NULL);
    CHECK(rfn_welch_write_real(w, (const float *)z, 2, &err) == RFN_ERR_INVALID);
    CHECK_OK(rfn_welch_write(w, z, 1, &err));
    CHECK(rfn_welch_segments(w) == 1);
    CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
    CHECK(s.overlap == 50 && s.density[RFN_TRACE_MEDIAN] == NULL && s.density[RFN_TRACE_MAX]);
    CHECK(s.median_method == RFN_MEDIAN_NONE);
    /* DC-centred axis: bin 50 is the centre, bins go from -fs/2 upwards */
    CHECK_NEAR(s.freq_hz[50], 0.0, 0.0);
    CHECK_NEAR(s.freq_hz[0], -0.5, 1e-15);
    CHECK(rfn_spectrum_bin_of(&s, 0.004) == 50 && rfn_spectrum_bin_of(&s, 0.006) == 51);
    CHECK(rfn_spectrum_bin_of(&s, -0.506) == -1 && rfn_spectrum_bin_of(&s, 0.496) == -1);
    rfn_spectrum_free(&s);
    rfn_spectrum_free(&s);
    rfn_welch_destroy(w);
    rfn_welch_destroy(NULL);

    /* RBW -> nfft: Hann ENBW 1.5 bins, so 2.4 MHz / 1 kHz needs 3600 points (ENBW 1 kHz). */
    c = rfn_welch_config_default();
    c.fs_hz = 2.4e6;
    CHECK_OK(rfn_welch_config_for_rbw(&c, 1000.0, &err));
    CHECK(c.nfft == 3600 && c.overlap == RFN_WELCH_OVERLAP_HALF);
    c.window = RFN_WINDOW_GAUSSIAN;
    CHECK_OK(rfn_welch_config_for_rbw(&c, 9000.0, &err));
    CHECK_NEAR(c.sigma_samples, 0.374746 / 9000.0 * 2.4e6, 0.01);
    c.traces = RFN_TRACE_BIT(RFN_TRACE_MEAN);
    w = make(&c);
    float complex *x = calloc(c.nfft, sizeof *x);
    CHECK_OK(rfn_welch_write(w, x, c.nfft, &err));
    CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
    CHECK_REL(s.rbw6_hz, 9000.0, 0.01);
    CHECK_REL(s.enbw_hz, 0.7527 * 9000.0, 0.01);
    rfn_spectrum_free(&s);
    rfn_welch_destroy(w);
    free(x);
    CHECK(rfn_welch_config_for_rbw(&c, 0.0, &err) == RFN_ERR_INVALID);

    rfn_trace t;
    CHECK(rfn_trace_from_name("median", &t) == RFN_OK && t == RFN_TRACE_MEDIAN);
    CHECK(rfn_trace_from_name("avg", &t) == RFN_ERR_INVALID);
    CHECK(strcmp(rfn_trace_name(RFN_TRACE_MAX), "max") == 0);
}

/* ---- per-segment hook ------------------------------------------------------------------------ */

typedef struct seg_sum {
    size_t calls, n_bins;
    double sum[600], first[600];
} seg_sum;

static void seg_add(void *ctx, const double *density, size_t n_bins)
{
    seg_sum *a = ctx;
    a->n_bins = n_bins;
    for (size_t i = 0; i < n_bins && i < 600; i++) {
        a->sum[i] += density[i];
        if (a->calls == 0)
            a->first[i] = density[i];
    }
    a->calls++;
}

/* Worst relative difference between a[i] and b[i] over n bins. */
static double worst_rel(const double *a, const double *b, size_t n)
{
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-30));
    return worst;
}

/* The hook sees every segment once, as the density a one-segment spectrum holds: the mean of its
 * calls is the MEAN trace, its first call the spectrum of the first nfft samples alone; for every
 * window path (fused cosine kernel, time-domain Gaussian), both sidednesses and with or without
 * the traces that switch the accumulator layout (mean only, max/min, median). */
static void test_segment_hook(void)
{
    enum { N = 40000, NFFT = 512 };
    float complex *x = malloc(N * sizeof *x);
    noise(x, N, 1e-3);
    for (size_t t = 0; t < N; t++)
        x[t] += 0.01f * cexpf(I * (float)(2.0 * M_PI * 0.1234 * (double)t));
    static const unsigned traces[] = {
        0, RFN_TRACE_BIT(RFN_TRACE_MAX) | RFN_TRACE_BIT(RFN_TRACE_MIN),
        RFN_TRACE_BIT(RFN_TRACE_MEDIAN)};
    static const rfn_window_type wins[] = {RFN_WINDOW_HANN, RFN_WINDOW_GAUSSIAN};
    for (int real = 0; real < 2; real++)
        for (size_t ti = 0; ti < 3; ti++)
            for (size_t wi = 0; wi < 2; wi++) {
                seg_sum *a = calloc(1, sizeof *a);
                rfn_welch_config c = rfn_welch_config_default();
                c.fs_hz = 1e6;
                c.nfft = NFFT;
                c.window = wins[wi];
                c.sigma_samples = NFFT / 10.0;
                c.real_input = real;
                c.traces = traces[ti];
                c.segment_fn = seg_add;
                c.segment_ctx = a;
                rfn_welch *w = make(&c);
                write_irregular(w, x, N, real);
                rfn_spectrum s, one;
                rfn_error err = {0};
                CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
                CHECK(a->calls == s.segments && s.segments == (N - NFFT) / (NFFT / 2) + 1);
                CHECK(a->n_bins == s.n_bins);
                for (size_t i = 0; i < s.n_bins; i++)
                    a->sum[i] /= (double)a->calls;
                CHECK_MSG(worst_rel(a->sum, s.density[RFN_TRACE_MEAN], s.n_bins) < 1e-5,
                          "real %d traces %u window %d", real, traces[ti], (int)wins[wi]);
                rfn_welch_destroy(w);
                c.segment_fn = NULL;
                w = make(&c);
                write_irregular(w, x, NFFT, real);
                CHECK_OK(rfn_welch_get_spectrum(w, &one, &err));
                CHECK(worst_rel(a->first, one.density[RFN_TRACE_MEAN], one.n_bins) < 1e-6);
                rfn_welch_destroy(w);
                rfn_spectrum_free(&s);
                rfn_spectrum_free(&one);
                free(a);
            }
    free(x);
}

/* ---- parts on several threads ------------------------------------------------------------ */

/* Bit-exact comparison of two spectra: every trace the engine kept, and the segment count. */
static int spectra_identical(const rfn_spectrum *a, const rfn_spectrum *b)
{
    if (a->n_bins != b->n_bins || a->segments != b->segments || a->n_samples != b->n_samples ||
        a->median_method != b->median_method)
        return 0;
    for (int t = 0; t < RFN_TRACE_COUNT; t++) {
        if (!a->density[t] != !b->density[t])
            return 0;
        if (a->density[t] && memcmp(a->density[t], b->density[t], a->n_bins * sizeof(double)))
            return 0;
    }
    return 1;
}

typedef struct part_job {
    rfn_welch_part **parts;
    const float complex *x;
    size_t n_runs, run_samples, last_samples, run_step, threads, t;
    uint64_t run_segments;
} part_job;

/* Thread t computes runs t, t + threads, ... each into its own part. */
static void *part_worker(void *arg)
{
    part_job *j = arg;
    for (size_t r = j->t; r < j->n_runs; r += j->threads) {
        size_t len = r + 1 == j->n_runs ? j->last_samples : j->run_samples;
        rfn_status st = rfn_welch_part_run(j->parts[r], j->x + r * j->run_step, len,
                                           r * j->run_segments, NULL);
        CHECK(st == RFN_OK);
    }
    return NULL;
}

/* The stream x[0 .. n) as runs of `chunks` whole chunks computed by `threads` threads, merged in
 * order; the samples after the last whole run written as usual, in irregular blocks. */
static void spectrum_by_parts(rfn_welch_config *c, const float complex *x, size_t n,
                              size_t chunks, size_t threads, rfn_spectrum *s)
{
    rfn_welch *w = make(c);
    rfn_error err = {0};
    size_t nfft = c->nfft, hop = rfn_welch_hop(w);
    uint64_t rs = (uint64_t)chunks * RFN_WELCH_CHUNK_SEGMENTS;
    size_t run_samples = (size_t)(rs - 1) * hop + nfft, n_runs = 0;
    while (n >= (n_runs + 1) * rs * hop + (nfft - hop) && n_runs < 64)
        n_runs++;
    rfn_welch_part **parts = calloc(n_runs + 1, sizeof *parts);
    for (size_t r = 0; r < n_runs; r++)
        CHECK_OK(rfn_welch_part_create(w, (size_t)rs, &parts[r], &err));
    pthread_t tid[8];
    part_job jobs[8];
    for (size_t t = 0; t < threads; t++) {
        jobs[t] = (part_job){parts, x, n_runs, run_samples, run_samples, rs * hop, threads, t,
                             rs};
        CHECK(pthread_create(&tid[t], NULL, part_worker, &jobs[t]) == 0);
    }
    for (size_t t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    for (size_t r = 0; r < n_runs; r++) {
        CHECK(rfn_welch_part_segments(parts[r]) == rs);
        CHECK_OK(rfn_welch_merge(w, parts[r], &err));
        rfn_welch_part_destroy(parts[r]);
    }
    size_t done = n_runs * (size_t)rs * hop;
    write_irregular(w, x + done, n - done, c->real_input);
    CHECK_OK(rfn_welch_get_spectrum(w, s, &err));
    free(parts);
    rfn_welch_destroy(w);
}

/* Parts computed on 1, 2, 3 and 7 threads, in runs of 1, 2 or 5 chunks, give bit for bit the
 * spectrum that rfn_welch_write gives on the same stream written in irregular blocks: every
 * window path, overlaps whose hop is odd (misaligned segments), mean only (the re^2/im^2 pair
 * layout), max/min, the median (blocked: its store fills inside a part), the segment hook and
 * real input. */
static void test_parts_identical(void)
{
    enum { N = 300000 };
    float complex *x = malloc(N * sizeof *x);
    noise(x, N, 1e-3);
    for (size_t t = 0; t < N; t++)
        x[t] += 0.01f * cexpf(I * (float)(2.0 * M_PI * 0.1234 * (double)t));
    float complex *xr = malloc(N * sizeof *xr); /* real parts widened, for the real engine */
    for (size_t t = 0; t < N; t++)
        xr[t] = crealf(x[t]);
    static const struct {
        rfn_window_type win;
        size_t nfft, overlap;
        unsigned traces;
        int hook, detrend, real;
    } cases[] = {
        {RFN_WINDOW_HANN, 1024, RFN_WELCH_OVERLAP_HALF, RFN_TRACE_BIT(RFN_TRACE_MAX) |
                                                          RFN_TRACE_BIT(RFN_TRACE_MIN), 0, 0, 0},
        {RFN_WINDOW_HANN, 512, RFN_WELCH_OVERLAP_HALF, 0, 0, 1, 0},
        {RFN_WINDOW_BLACKMANHARRIS, 256, 101, RFN_TRACE_BIT(RFN_TRACE_MAX), 0, 0, 0},
        {RFN_WINDOW_GAUSSIAN, 300, RFN_WELCH_OVERLAP_HALF, RFN_TRACE_BIT(RFN_TRACE_MIN), 0, 0, 0},
        {RFN_WINDOW_HANN, 256, RFN_WELCH_OVERLAP_HALF, RFN_TRACE_BIT(RFN_TRACE_MEDIAN), 1, 0, 0},
        {RFN_WINDOW_FLATTOP, 128, 0, 0, 1, 0, 0},
        {RFN_WINDOW_HANN, 512, RFN_WELCH_OVERLAP_HALF, RFN_TRACE_BIT(RFN_TRACE_MAX), 0, 0, 1},
    };
    static const size_t threads[] = {1, 2, 3, 7};
    static const size_t chunks[] = {1, 2, 5};
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        rfn_welch_config c = rfn_welch_config_default();
        c.fs_hz = 1e6;
        c.nfft = cases[ci].nfft;
        c.overlap = cases[ci].overlap;
        c.window = cases[ci].win;
        c.sigma_samples = (double)c.nfft / 10.0;
        c.traces = cases[ci].traces;
        c.detrend_mean = cases[ci].detrend;
        c.real_input = cases[ci].real;
        c.median_max_bytes = 100 * c.nfft * sizeof(float); /* blocks of 100 segments */
        seg_sum *ref_sum = calloc(1, sizeof *ref_sum), *sum = calloc(1, sizeof *sum);
        c.segment_fn = cases[ci].hook ? seg_add : NULL;
        c.segment_ctx = ref_sum;
        rfn_welch *w = make(&c);
        write_irregular(w, x, N, c.real_input);
        rfn_spectrum ref, s;
        rfn_error err = {0};
        CHECK_OK(rfn_welch_get_spectrum(w, &ref, &err));
        rfn_welch_destroy(w);
        for (size_t ti = 0; ti < 4; ti++)
            for (size_t k = 0; k < 3; k++) {
                memset(sum, 0, sizeof *sum);
                c.segment_ctx = sum;
                spectrum_by_parts(&c, c.real_input ? xr : x, N, chunks[k], threads[ti], &s);
                CHECK_MSG(spectra_identical(&ref, &s), "case %zu threads %zu chunks %zu", ci,
                          threads[ti], chunks[k]);
                CHECK(!cases[ci].hook || (sum->calls == ref_sum->calls &&
                                          !memcmp(sum->sum, ref_sum->sum, sizeof sum->sum)));
                rfn_spectrum_free(&s);
            }
        rfn_spectrum_free(&ref);
        free(ref_sum);
        free(sum);
    }
    free(xr);
    free(x);
}

/* Parts refuse what would break that identity: a run not starting on a chunk, a part merged out
 * of order or into another engine, more segments than the part holds. */
static void test_parts_errors(void)
{
    rfn_welch_config c = rfn_welch_config_default();
    c.nfft = 64;
    rfn_welch *w = make(&c), *other = make(&c);
    rfn_welch_part *p = NULL;
    rfn_error err = {0};
    float complex *x = calloc(64 * 100, sizeof *x);
    CHECK_OK(rfn_welch_part_create(w, 40, &p, &err));
    CHECK(rfn_welch_part_run(p, x, 64 * 100, 5, &err) == RFN_ERR_INVALID);
    CHECK(rfn_welch_part_run(p, x, 64 * 100, 0, &err) == RFN_ERR_INVALID); /* 199 > 64 */
    CHECK_OK(rfn_welch_part_run(p, x, 32 * 33, 32, &err));
    CHECK(rfn_welch_part_segments(p) == 32);
    CHECK(rfn_welch_merge(w, p, &err) == RFN_ERR_INVALID); /* the engine expects segment 0 */
    CHECK(rfn_welch_merge(other, p, &err) == RFN_ERR_INVALID);
    CHECK_OK(rfn_welch_part_run(p, x, 32 * 33, 0, &err));
    CHECK_OK(rfn_welch_merge(w, p, &err));
    CHECK(rfn_welch_segments(w) == 32 && rfn_welch_samples(w) == 32 * 32);
    rfn_welch_part_destroy(p);
    rfn_welch_destroy(other);
    rfn_welch_destroy(w);
    rfn_welch_part_destroy(NULL);
    free(x);
}

int main(void)
{
    test_scipy();
    test_block_invariance();
    test_trace_masks();
    test_tones();
    test_white_noise();
    test_parseval();
    test_zeros();
    test_real();
    test_median_stream();
    test_config();
    test_segment_hook();
    test_parts_identical();
    test_parts_errors();
    return check_finish();
}
