/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_synth.c: the synthetic capture generator puts the asked power where it was asked, the
 * same bits however the stream is cut, and refuses malformed component specs. */
#include <complex.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fft.h"
#include "synth.h"

static double mean_power(const float complex *x, size_t n)
{
    double acc = 0.0;
    for (size_t i = 0; i < n; i++)
        acc += (double)crealf(x[i]) * crealf(x[i]) + (double)cimagf(x[i]) * cimagf(x[i]);
    return acc / (double)n;
}

static float complex *run(const synth_config *cfg, size_t n)
{
    synth *s = NULL;
    rfn_error err;
    float complex *x = malloc(n * sizeof *x);
    CHECK_OK(synth_create(cfg, &s, &err));
    if (s)
        synth_generate(s, x, n);
    synth_destroy(s);
    return x;
}

/* Fraction of the energy of x that lies in [f_lo, f_hi] (offsets from centre, Hz), from averaged
 * Hann-windowed periodograms (a rectangular window's own leakage would read as out-of-band
 * energy at the 1e-4 level). */
static double band_fraction(const float complex *x, size_t n, double fs, double f_lo, double f_hi)
{
    enum { nfft = 4096 };
    rfn_fft_config fc = rfn_fft_config_default();
    fc.n = nfft;
    fc.effort = RFN_FFT_ESTIMATE;
    rfn_fft *f = NULL;
    rfn_error err;
    CHECK_OK(rfn_fft_create(&fc, &f, &err));
    double in = 0.0, all = 0.0;
    for (size_t s = 0; s + nfft <= n; s += nfft) {
        for (size_t k = 0; k < nfft; k++)
            rfn_fft_input(f)[k] = x[s + k] * (float)(0.5 - 0.5 * cos(2.0 * M_PI * k / nfft));
        rfn_fft_execute(f);
        for (size_t k = 0; k < nfft; k++) {
            double fk = (k < nfft / 2 ? (double)k : (double)k - nfft) * fs / nfft;
            double p = cabsf(rfn_fft_output(f)[k]);
            p *= p;
            all += p;
            if (fk >= f_lo && fk <= f_hi)
                in += p;
        }
    }
    rfn_fft_destroy(f);
    return in / all;
}

int main(void)
{
    rfn_error err;
    const size_t n = 1 << 20;
    double fs = 1e6;

    /* A -20 dBFS tone alone (on bin 410 of the 4096-point check): mean power 0.01 and a
     * constant envelope. */
    synth_config c = synth_config_default();
    c.sample_rate_hz = fs;
    c.center_freq_hz = 423e6;
    c.noise_dbfs_hz = -INFINITY;
    c.n_components = 1;
    CHECK_OK(synth_component_parse("tone:423100097.65625:-20", &c.components[0], &err));
    float complex *x = run(&c, n);
    CHECK_REL(mean_power(x, n), 0.01, 1e-5);
    CHECK_NEAR(cabsf(x[n - 1]), 0.1, 1e-5);
    CHECK(band_fraction(x, n, fs, 99e3, 101e3) > 0.999);
    free(x);

    /* Thermal floor alone: -100 dBFS/Hz over 1 MHz is 1e-4 total (within 3 sigma of 1/sqrt(N)). */
    c = synth_config_default();
    c.sample_rate_hz = fs;
    c.noise_dbfs_hz = -100.0;
    x = run(&c, n);
    CHECK_REL(mean_power(x, n), 1e-4, 3.0 / sqrt((double)n));
    free(x);

    /* Broadband rise: -30 dBFS in 100 kHz around +200 kHz, almost all of it inside the band. */
    c = synth_config_default();
    c.sample_rate_hz = fs;
    c.noise_dbfs_hz = -INFINITY;
    c.n_components = 1;
    CHECK_OK(synth_component_parse("broadband:200000:100000:-30", &c.components[0], &err));
    x = run(&c, n);
    CHECK_REL(mean_power(x, n), 1e-3, 0.02);
    CHECK(band_fraction(x, n, fs, 145e3, 255e3) > 0.995);
    CHECK(band_fraction(x, n, fs, -500e3, 100e3) < 1e-4);
    free(x);

    /* Bursts: 10 % duty at -20 dBFS -> mean 1e-3, and exact silence between bursts. */
    c.components[0] = (synth_component){0};
    CHECK_OK(synth_component_parse("bursts:0:200000:-20:0.01:0.1", &c.components[0], &err));
    x = run(&c, n);
    CHECK_REL(mean_power(x, n), 1e-3, 0.03);
    CHECK(x[5000] == 0.0f);    /* 5 ms into a 10 ms period, off */
    CHECK(cabsf(x[20500]) > 0); /* 0.5 ms into the third period, on */
    free(x);

    /* Impulses: peak envelope power -6 dBFS -> peak amplitude 0.5 at 100 per second. */
    c.components[0] = (synth_component){0};
    CHECK_OK(synth_component_parse("impulses:100:-6.0206", &c.components[0], &err));
    x = run(&c, n);
    double peak = 0.0;
    size_t above = 0;
    for (size_t i = 0; i < n; i++) {
        double a = cabsf(x[i]);
        peak = a > peak ? a : peak;
        above += a > 0.25;
    }
    CHECK_NEAR(peak, 0.5, 0.01);
    CHECK(above >= 100 && above <= 110 * 3); /* ~105 impulses in 1.05 s, a few samples each */
    free(x);

    /* Comb + noise + clipping: the stream is the same bits however it is cut into blocks. */
    c = synth_config_default();
    c.sample_rate_hz = fs;
    c.noise_dbfs_hz = -90;
    c.clip_level = 0.3;
    c.n_components = 3;
    CHECK_OK(synth_component_parse("comb:-300000:50000:12:-10", &c.components[0], &err));
    CHECK_OK(synth_component_parse("bursts:100000:50000:-20:0.02:0.2:0.003", &c.components[1],
                                   &err));
    CHECK_OK(synth_component_parse("broadband:-100000:30000:-40", &c.components[2], &err));
    const size_t m = 200000;
    float complex *a = run(&c, m), *b = malloc(m * sizeof *b);
    synth *s = NULL;
    CHECK_OK(synth_create(&c, &s, &err));
    size_t cuts[] = {1, 7, 4096, 33333, 65536, 1000};
    for (size_t done = 0, i = 0; done < m; i++) {
        size_t k = cuts[i % 6] < m - done ? cuts[i % 6] : m - done;
        synth_generate(s, b + done, k);
        done += k;
    }
    CHECK(synth_samples(s) == m);
    synth_destroy(s);
    CHECK(memcmp(a, b, m * sizeof *a) == 0);
    double maxc = 0.0;
    for (size_t i = 0; i < m; i++) {
        maxc = fabs(crealf(a[i])) > maxc ? fabs(crealf(a[i])) : maxc;
        maxc = fabs(cimagf(a[i])) > maxc ? fabs(cimagf(a[i])) : maxc;
    }
    CHECK_NEAR(maxc, 0.3, 1e-6);
    free(a);
    free(b);

    /* Malformed specs name the problem. */
    synth_component comp;
    CHECK(synth_component_parse("tone:1e6", &comp, &err) == RFN_ERR_INVALID);
    CHECK(strstr(err.msg, "tone:F:P") != NULL);
    CHECK(synth_component_parse("sine:1:2", &comp, &err) == RFN_ERR_INVALID);
    CHECK(strstr(err.msg, "unknown component") != NULL);
    CHECK(synth_component_parse("comb:1:2:3.5:4", &comp, &err) == RFN_ERR_INVALID);
    CHECK(synth_component_parse("tone:1:", &comp, &err) == RFN_ERR_INVALID);
    CHECK(synth_component_parse("tone:1:2x", &comp, &err) == RFN_ERR_INVALID);
    c = synth_config_default();
    c.n_components = 1;
    CHECK_OK(synth_component_parse("broadband:0:2e6:-30", &c.components[0], &err));
    CHECK(synth_create(&c, &s, &err) == RFN_ERR_INVALID);
    CHECK(strstr(err.msg, "bandwidth") != NULL);
    return check_finish();
}
