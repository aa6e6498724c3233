/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_band.c: band measurements with exact expected numbers (fractional edge bins, coverage,
 * DC exclusion, floors), and white noise: band power = density x bandwidth. */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "band.h"
#include "check.h"
#include "units.h"
#include "welch.h"

/* 10 bins of 100 Hz centred on 1 kHz (500 ... 1400 Hz), density[i] = i + 1. */
static void toy(rfn_spectrum *s, double *freq, double *dens)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 10; i++) {
        freq[i] = 1000.0 + (i - 5) * 100.0;
        dens[i] = i + 1.0;
    }
    s->n_bins = 10;
    s->freq_hz = freq;
    s->density[RFN_TRACE_MEAN] = dens;
    s->bin_hz = 100.0;
    s->center_hz = 1000.0;
    s->fs_hz = 1000.0;
    s->nfft = 10;
}

static void test_exact(void)
{
    double freq[10], dens[10];
    rfn_spectrum s;
    toy(&s, freq, dens);
    rfn_band_result r;
    rfn_error err = {0};

    /* [520, 760]: bin 0 [450,550) 0.3 inside, bins 1, 2 whole, bin 3 [750,850) 0.1 inside */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 520.0, 760.0, NULL, &r, &err));
    CHECK_NEAR(r.power_fs2, 100.0 * (1 * 0.3 + 2 + 3 + 4 * 0.1), 1e-9);
    CHECK_NEAR(r.power_included_fs2, 570.0, 1e-9);
    CHECK_NEAR(r.bandwidth_hz, 240.0, 1e-9);
    CHECK_NEAR(r.mean_density, 570.0 / 240.0, 1e-12);
    CHECK_NEAR(r.peak_density, 4.0, 0.0);
    CHECK_NEAR(r.peak_freq_hz, 800.0, 0.0);
    CHECK(r.n_bins == 4 && r.n_floor_bins == 2); /* centres 600 and 700 */
    CHECK_NEAR(r.floor_median_density, 2.5, 0.0);
    CHECK_NEAR(r.floor_20pct_density, 2.0, 0.0);
    CHECK(r.fully_covered == 1 && r.covered_fraction == 1.0);
    CHECK(r.dc_excluded_bins == 0 && r.dc_excluded_hz == 0.0);

    /* Whole span: Parseval-style sum 100 * (1 + ... + 10); floors over all 10 bins */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 450.0, 1450.0, NULL, &r, &err));
    CHECK_NEAR(r.power_fs2, 5500.0, 1e-9);
    CHECK_NEAR(r.floor_median_density, 5.5, 0.0);
    CHECK_NEAR(r.floor_20pct_density, 1.5, 0.0); /* lowest 2 of 10: (1 + 2) / 2 */

    /* Partly outside: [1400, 1600] has [1400, 1450] inside, a quarter */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 1400.0, 1600.0, NULL, &r, &err));
    CHECK(r.fully_covered == 0);
    CHECK_NEAR(r.covered_fraction, 0.25, 1e-12);
    CHECK_NEAR(r.covered_lo_hz, 1400.0, 0.0);
    CHECK_NEAR(r.covered_hi_hz, 1450.0, 0.0);
    CHECK_NEAR(r.power_fs2, 10.0 * 50.0, 1e-9);

    /* Entirely outside: nothing measured, NaN so that it can never pass a limit */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 2000.0, 3000.0, NULL, &r, &err));
    CHECK(r.covered_fraction == 0.0 && r.fully_covered == 0 && r.n_bins == 0);
    CHECK(isnan(r.power_fs2) && isnan(r.peak_density) && isnan(r.floor_20pct_density));

    /* DC exclusion: centre bin 5 (1000 Hz) +- 1 left out of [800, 1250] */
    rfn_band_config c = rfn_band_config_default();
    c.dc_exclude_bins = 1;
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 800.0, 1250.0, &c, &r, &err));
    CHECK(r.dc_excluded_bins == 3);
    CHECK_NEAR(r.dc_excluded_hz, 300.0, 1e-9);
    CHECK_NEAR(r.power_included_fs2, 4.0 * 50.0 + 8.0 * 100.0, 1e-9);
    CHECK_NEAR(r.bandwidth_hz, 150.0, 1e-9);
    CHECK_NEAR(r.mean_density, 1000.0 / 150.0, 1e-12);
    CHECK_NEAR(r.power_fs2, 1000.0 + 1000.0 / 150.0 * 300.0, 1e-9);
    CHECK_NEAR(r.floor_median_density, 6.0, 0.0); /* centres 800 (4) and 1200 (8) */
    CHECK_NEAR(r.floor_20pct_density, 4.0, 0.0);
    CHECK_NEAR(r.peak_density, 8.0, 0.0);
    /* DC outside the band: nothing excluded */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 500.0, 700.0, &c, &r, &err));
    CHECK(r.dc_excluded_bins == 0);

    /* A band narrower than a bin: one bin, its density, power = density x width */
    CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, 610.0, 640.0, NULL, &r, &err));
    CHECK(r.n_bins == 1 && r.n_floor_bins == 1);
    CHECK_NEAR(r.power_fs2, 2.0 * 30.0, 1e-9);
    CHECK_NEAR(r.floor_median_density, 2.0, 0.0);

    CHECK_NEAR(rfn_band_power_in_bw(1e-9, 120e3), 1.2e-4, 1e-18);
}

static void test_errors(void)
{
    double freq[10], dens[10];
    rfn_spectrum s;
    toy(&s, freq, dens);
    rfn_band_result r;
    rfn_error err = {0};
    CHECK(rfn_band_measure(&s, RFN_TRACE_MEAN, 900.0, 800.0, NULL, &r, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "band: f_lo 900 Hz must be below f_hi 800 Hz") == 0);
    CHECK(rfn_band_measure(&s, RFN_TRACE_MAX, 600.0, 800.0, NULL, &r, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "band: the spectrum has no max trace") == 0);
    rfn_band_config c = rfn_band_config_default();
    c.floor_fraction = 0.0;
    CHECK(rfn_band_measure(&s, RFN_TRACE_MEAN, 600.0, 800.0, &c, &r, &err) == RFN_ERR_INVALID);
    CHECK(rfn_band_measure(NULL, RFN_TRACE_MEAN, 600.0, 800.0, NULL, &r, &err) ==
          RFN_ERR_INVALID);
}

static uint64_t rng = 12345;
static double uniform(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return ((double)((z ^ (z >> 31)) >> 11) + 0.5) / 9007199254740992.0;
}

/* White noise of variance v at fs: density v / fs; any band reads density x width, and all
 * zeros read 0 power / -inf dB without NaN. */
static void test_noise(void)
{
    const rfn_window_type wins[] = {RFN_WINDOW_HANN, RFN_WINDOW_BLACKMANHARRIS,
                                    RFN_WINDOW_FLATTOP};
    size_t nfft = 1000, n = nfft * 129;
    double v = 0.02, fs = 2.4e6, fc = 868e6;
    float complex *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double r = sqrt(-v * log(uniform())), ph = 2.0 * M_PI * uniform();
        x[i] = (float)(r * cos(ph)) + (float)(r * sin(ph)) * I;
    }
    for (int wi = 0; wi < 3; wi++) {
        rfn_welch_config c = rfn_welch_config_default();
        c.fs_hz = fs;
        c.center_hz = fc;
        c.nfft = nfft;
        c.window = wins[wi];
        c.effort = RFN_FFT_ESTIMATE;
        rfn_welch *w = NULL;
        rfn_error err = {0};
        CHECK_OK(rfn_welch_create(&c, &w, &err));
        CHECK_OK(rfn_welch_write(w, x, n, &err));
        rfn_spectrum s;
        CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
        rfn_band_result r;
        double lo = fc - 300e3 + 1234.5, hi = fc + 500e3 - 777.0;
        rfn_band_config bc = rfn_band_config_default();
        bc.dc_exclude_bins = 2;
        CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, lo, hi, &bc, &r, &err));
        CHECK_DB_NEAR(rfn_db10(r.power_fs2), rfn_db10(v / fs * (hi - lo)), 0.2);
        CHECK_DB_NEAR(rfn_db10(r.mean_density), rfn_db10(v / fs), 0.2);
        CHECK_DB_NEAR(rfn_db10(r.floor_median_density), rfn_db10(v / fs), 0.3);
        CHECK(r.dc_excluded_bins == 5 && r.fully_covered);
        /* the 20 % floor sits a little below: ~ -1.4 / sqrt(segments) relative */
        CHECK(r.floor_20pct_density < r.floor_median_density);
        CHECK(r.floor_20pct_density > 0.7 * v / fs);
        rfn_spectrum_free(&s);

        /* zeros: power 0, -inf dB, no NaN */
        rfn_welch_reset(w);
        memset(x, 0, nfft * 2 * sizeof *x);
        CHECK_OK(rfn_welch_write(w, x, nfft * 2, &err));
        CHECK_OK(rfn_welch_get_spectrum(w, &s, &err));
        CHECK_OK(rfn_band_measure(&s, RFN_TRACE_MEAN, lo, hi, &bc, &r, &err));
        CHECK(r.power_fs2 == 0.0 && rfn_db10(r.power_fs2) == -INFINITY);
        CHECK(r.mean_density == 0.0 && r.floor_20pct_density == 0.0 && r.peak_density == 0.0);
        rfn_spectrum_free(&s);
        rfn_welch_destroy(w);
        for (size_t i = 0; i < n; i++) {
            double rr = sqrt(-v * log(uniform())), ph = 2.0 * M_PI * uniform();
            x[i] = (float)(rr * cos(ph)) + (float)(rr * sin(ph)) * I;
        }
    }
    free(x);
}

int main(void)
{
    test_exact();
    test_errors();
    test_noise();
    return check_finish();
}
