/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_apd.c: APD of complex Gaussian noise through the Gaussian-RBW STFT against the Rayleigh
 * closed form P(A > a) = exp(-a^2 / sigma^2); grid, table and error behaviour. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "apd.h"
#include "check.h"
#include "noise_gen.h"
#include "stft.h"

static void to_apd(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)first;
    rfn_apd_write(ctx, power, n_frames);
}

static void rayleigh(void)
{
    const double fs = 960e3, v = 1e-3; /* noise power -30 dBFS */
    rfn_error err = {0};
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = fs;
    sc.rbw_hz = 120e3;
    rfn_stft *s = NULL;
    rfn_apd *a = NULL;
    CHECK_OK(rfn_stft_create(&sc, to_apd, NULL, &s, &err));
    const rfn_stft_info *in = rfn_stft_get_info(s);
    rfn_apd_config ac = rfn_apd_config_default();
    ac.n_bins = in->nfft;
    ac.bin_lo = ac.bin_hi = in->nfft / 2 + 5;
    CHECK_OK(rfn_apd_create(&ac, &a, &err));
    rfn_stft_destroy(s);
    CHECK_OK(rfn_stft_create(&sc, to_apd, a, &s, &err));
    in = rfn_stft_get_info(s);

    noise_gen g = {0x9E3779B97F4A7C15ULL};
    enum { BLK = 8192 };
    static float complex x[BLK];
    for (int k = 0; k < 300; k++) { /* 2.56 s */
        noise_fill(&g, x, BLK, v);
        rfn_stft_write(s, x, BLK);
    }
    /* Mean power in one bin: v S2 / S1^2 = v enbw / fs; the envelope of circular Gaussian noise
     * is Rayleigh, its power exponential: level exceeded with probability p = mean ln(1/p). */
    double mean = v * in->enbw_hz / fs;
    const double probs[] = {1e-1, 1e-2, 1e-3};
    for (size_t i = 0; i < 3; i++) {
        double lvl;
        CHECK_OK(rfn_apd_level_at(a, probs[i], &lvl, &err));
        double truth = 10.0 * log10(mean * log(1.0 / probs[i]));
        fprintf(stderr, "APD p=%g: %.3f dBFS (Rayleigh %.3f)\n", probs[i], lvl, truth);
        CHECK_DB_NEAR(lvl, truth, 0.3);
        /* and the other way: the probability at the true level */
        double p = rfn_apd_prob_exceed(a, truth);
        CHECK(p > probs[i] * 0.8 && p < probs[i] * 1.25);
    }
    double lvl4;
    CHECK_OK(rfn_apd_level_at(a, 1e-4, &lvl4, &err));
    fprintf(stderr, "APD p=1e-4: %.3f dBFS (Rayleigh %.3f, %llu samples)\n", lvl4,
            10.0 * log10(mean * log(1e4)), (unsigned long long)rfn_apd_samples(a));
    CHECK_DB_NEAR(lvl4, 10.0 * log10(mean * log(1e4)), 0.6);
    CHECK(rfn_apd_level_at(a, 1e-7, &lvl4, &err) == RFN_ERR_INVALID);
    char want[160];
    snprintf(want, sizeof want, "apd: probability 1e-07 needs at least 100000000 samples (have "
             "%llu)", (unsigned long long)rfn_apd_samples(a));
    CHECK(strcmp(err.msg, want) == 0);
    rfn_stft_destroy(s);
    rfn_apd_destroy(a);
}

/* Known answer on a hand-made stream, band of two bins with a scale. */
static void known_answer(void)
{
    rfn_error err = {0};
    rfn_apd_config ac = rfn_apd_config_default();
    ac.n_bins = 3;
    ac.bin_lo = 1;
    ac.bin_hi = 2;
    ac.scale = 0.5;
    ac.level_min_db = -50;
    ac.level_max_db = 10;
    ac.step_db = 0.1;
    rfn_apd *a = NULL;
    CHECK_OK(rfn_apd_create(&ac, &a, &err));
    CHECK(isnan(rfn_apd_prob_exceed(a, 0.0)));
    /* levels: 0.5*(a+b) -> 1e-3 (-30 dB) x 90 frames, 1e-1 (-10 dB) x 10 frames */
    float frames[100 * 3];
    for (int f = 0; f < 100; f++) {
        float lvl = f < 90 ? 1e-3f : 1e-1f;
        frames[3 * f] = 100.0f; /* outside the band */
        frames[3 * f + 1] = lvl;
        frames[3 * f + 2] = lvl;
    }
    rfn_apd_write(a, frames, 100);
    CHECK(rfn_apd_samples(a) == 100);
    CHECK_NEAR(rfn_apd_prob_exceed(a, -40.0), 1.0, 1e-12);
    CHECK_NEAR(rfn_apd_prob_exceed(a, -20.0), 0.1, 1e-12);
    CHECK_NEAR(rfn_apd_prob_exceed(a, -9.0), 0.0, 1e-12);
    double lvl;
    CHECK_OK(rfn_apd_level_at(a, 0.1, &lvl, &err));
    CHECK_NEAR(lvl, -10.0, 0.1);
    double L[1000], P[1000];
    size_t n;
    rfn_apd_table(a, L, P, 1000, &n);
    CHECK(n > 100 && n < 300);
    CHECK_NEAR(P[0], 1.0, 1e-12);
    CHECK_NEAR(P[n - 1], 0.1, 1e-12);
    CHECK(rfn_apd_level_at(a, 1.5, &lvl, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "apd: probability 1.5 is not in (0, 1)") == 0);
    rfn_apd_reset(a);
    CHECK(rfn_apd_samples(a) == 0);
    rfn_apd_destroy(a);

    ac.bin_hi = 3;
    CHECK(rfn_apd_create(&ac, &a, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "apd: bins 1..3 not inside 0..2") == 0);
    rfn_apd_destroy(NULL);
}

int main(void)
{
    known_answer();
    rayleigh();
    return check_finish();
}
