/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_compare.c: the before/after comparison (compare.h) on generated captures of known levels:
 * a +6 dB comb reads within 0.3 dB with its 95 % interval covering the truth in at least 90 of 100
 * seeded runs, a no-change pair's interval holds 0 in at least 90 of 100, the overlap correction
 * of Hann at 50 % is 1 + 2 (3/70), the excess floor, and the segment mean equals the MEAN trace's
 * band power. The captures are synthesised in memory (synth.c) and fed to the Welch engine with
 * the comparison's segment hook, as compare_captures does with files. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "band.h"
#include "check.h"
#include "compare.h"
#include "synth.h"
#include "units.h"

enum { FS = 250000, N_SAMPLES = 50000, NFFT = 256, RUNS = 100 };
static const compare_band band = {"-50000:50000", -50e3, 50e3, NAN};

/* The floor alone (-130 dBFS/Hz: -80 dBFS in the 100 kHz band), or with a comb of ten lines of
 * 3e-9 each (-85.2 dBFS), three times the band's noise: a rise of 10 log10(4) = 6.02 dB. */
static synth_config capture_config(uint64_t seed, int comb)
{
    synth_config c = synth_config_default();
    c.sample_rate_hz = FS;
    c.noise_dbfs_hz = -130;
    c.seed = seed;
    if (comb) {
        c.n_components = 1;
        c.components[0] = (synth_component){.kind = SYNTH_COMB, .freq_hz = -22500,
                                            .spacing_hz = 5000, .n_lines = 10,
                                            .power_dbfs = rfn_db10(3e-9)};
    }
    return c;
}

/* One capture's band level through the segment hook; *mean_trace_power (when not NULL) is the
 * same band measured on the MEAN trace by rfn_band_measure. */
static compare_level measure(const synth_config *sc, double *mean_trace_power)
{
    rfn_welch_config w = rfn_welch_config_default();
    w.fs_hz = FS;
    w.nfft = NFFT;
    w.effort = RFN_FFT_ESTIMATE;
    w.traces = 0;
    compare_acc *acc = NULL;
    rfn_welch *eng = NULL;
    synth *s = NULL;
    rfn_error err = {0};
    CHECK_OK(compare_acc_create(&w, &band, 1, NULL, &acc, &err));
    compare_acc_attach(acc, &w);
    CHECK_OK(rfn_welch_create(&w, &eng, &err));
    CHECK_OK(synth_create(sc, &s, &err));
    float complex *x = malloc(N_SAMPLES * sizeof *x);
    synth_generate(s, x, N_SAMPLES);
    CHECK_OK(rfn_welch_write(eng, x, N_SAMPLES, &err));
    compare_level lv = compare_acc_level(acc, 0);
    if (mean_trace_power) {
        rfn_spectrum spec;
        rfn_band_result r;
        CHECK_OK(rfn_welch_get_spectrum(eng, &spec, &err));
        CHECK_OK(rfn_band_measure(&spec, RFN_TRACE_MEAN, band.f_lo_hz, band.f_hi_hz, NULL, &r,
                                  &err));
        *mean_trace_power = r.power_fs2;
        rfn_spectrum_free(&spec);
    }
    free(x);
    synth_destroy(s);
    rfn_welch_destroy(eng);
    compare_acc_destroy(acc);
    return lv;
}

static void test_coverage(int comb, double truth_db)
{
    int covered = 0;
    double worst = 0.0, sum_half = 0.0;
    for (uint64_t seed = 1; seed <= RUNS; seed++) {
        synth_config b = capture_config(1000 + seed, 0), a = capture_config(5000 + seed, comb);
        compare_level lb = measure(&b, NULL), la = measure(&a, NULL);
        compare_row row;
        memset(&row, 0, sizeof row);
        compare_row_fill(&lb, &la, &row);
        worst = fmax(worst, fabs(row.rise_db - truth_db));
        covered += row.rise_ci95_lo_db <= truth_db && truth_db <= row.rise_ci95_hi_db;
        sum_half += (row.rise_ci95_hi_db - row.rise_ci95_lo_db) / 2;
    }
    printf("truth %.3f dB: worst error %.3f dB, covered %d/%d, mean half-width %.3f dB\n",
           truth_db, worst, covered, RUNS, sum_half / RUNS);
    CHECK_MSG(worst < 0.3, "worst error %.3f dB", worst);
    CHECK_MSG(covered >= 90, "covered %d of %d", covered, RUNS);
    /* An interval that always covers is no test: it must stay well under 0.3 dB wide. */
    CHECK_MSG(sum_half / RUNS < 0.15, "half-width %.3f dB", sum_half / RUNS);
}

/* Hann at 50 %: one lag, rho = 3/70 for a wide band of noise; the measured correlation of white
 * noise segments is about that, so F is close to 1 + 2 (1 - 1/K) 3/70 and never below it. */
static void test_overlap_factor(void)
{
    synth_config b = capture_config(7, 0);
    double p_mean = NAN;
    compare_level lv = measure(&b, &p_mean);
    double k = (double)lv.segments;
    CHECK(lv.segments == (N_SAMPLES - NFFT) / (NFFT / 2) + 1);
    CHECK_MSG(lv.overlap_factor >= 1 + 2 * (1 - 1 / k) * 3.0 / 70 - 1e-6, "F %.6f",
              lv.overlap_factor);
    CHECK(lv.overlap_factor < 1.3);
    CHECK_NEAR(lv.covered_fraction, 1.0, 1e-12);
    /* The mean of the segment powers is the band power of the MEAN trace. */
    CHECK_MSG(fabs(lv.power / p_mean - 1) < 1e-6, "%g vs %g", lv.power, p_mean);
    CHECK_DB_NEAR(rfn_db10(lv.power), -80.0, 0.3);
}

/* Excess: the power subtraction above 0.5 dB of rise, the floor under it. */
static void test_excess(void)
{
    compare_level b = {1e-8, 1e-20, 1.0, 1.0, 100}, a = b;
    compare_row r;
    a.power = 4e-8;
    compare_row_fill(&b, &a, &r);
    CHECK_DB_NEAR(r.rise_db, 6.0206, 1e-3);
    CHECK(!r.excess_is_bound);
    CHECK_DB_NEAR(r.excess, rfn_db10(3e-8), 1e-9);
    a.power = 1.05e-8; /* +0.21 dB */
    compare_row_fill(&b, &a, &r);
    CHECK(r.excess_is_bound);
    CHECK_DB_NEAR(r.excess, -80.0 + rfn_db10(pow(10, 0.05) - 1), 1e-9);
    CHECK_DB_NEAR(r.excess, -89.14, 0.01);
}

int main(void)
{
    test_overlap_factor();
    test_excess();
    test_coverage(1, 10 * log10(4.0));
    test_coverage(0, 0.0);
    return check_finish();
}
