/* SPDX-License-Identifier: GPL-2.0-or-later */
/* welch_tone.c: a first program on librfn-dsp: the Welch PSD of a generated tone in white noise,
 * read back as the tone's power and the noise density. It checks its own answer, so it doubles as
 * a test of an installed library (exit 0 when both readings agree with what was generated).
 *
 * Build against an installed library:
 *     cc welch_tone.c $(pkg-config --cflags --libs rfn-dsp) -o welch_tone
 * or in CMake: find_package(rfn-dsp REQUIRED) and target_link_libraries(t rfn-dsp::rfn-dsp). */
#include <complex.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rfn-dsp/units.h>
#include <rfn-dsp/welch.h>

#define FS_HZ 1e6
#define NFFT 1024
#define TONE_HZ 125000.0   /* bin 128 exactly: fs / nfft = 976.5625 Hz */
#define TONE_DBFS (-20.0)
#define NOISE_DBFS_HZ (-100.0) /* two-sided density of the complex white noise */
#define N_SAMPLES 1000000
#define TWO_PI 6.283185307179586 /* M_PI is not ISO C */

/* Deterministic Gaussian noise (xorshift64* + Box-Muller), so every run reads the same. */
static double gauss(uint64_t *s)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        u[k] = ((*s * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
    }
    return sqrt(-2.0 * log(u[0] + 0x1.0p-54)) * cos(TWO_PI * u[1]);
}

int main(void)
{
    rfn_welch_config cfg = rfn_welch_config_default();
    cfg.fs_hz = FS_HZ;
    cfg.nfft = NFFT;
    cfg.effort = RFN_FFT_ESTIMATE;
    rfn_welch *w = NULL;
    rfn_spectrum spec = {0};
    rfn_error err = {0};
    float complex *x = malloc(N_SAMPLES * sizeof *x);
    if (!x || rfn_welch_create(&cfg, &w, &err)) {
        fprintf(stderr, "welch_tone: %s\n", x ? err.msg : "out of memory");
        free(x);
        return 2;
    }
    /* A complex tone of amplitude a has power a^2; complex noise of density N over fs has power
     * N fs, split equally between I and Q. */
    double a = sqrt(rfn_from_db10(TONE_DBFS));
    double sigma = sqrt(rfn_from_db10(NOISE_DBFS_HZ) * FS_HZ / 2.0);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < N_SAMPLES; i++)
        x[i] = (float complex)(a * cexp(TWO_PI * I * TONE_HZ * (double)i / FS_HZ) +
                               sigma * (gauss(&seed) + I * gauss(&seed)));
    int rc = 2;
    if (rfn_welch_write(w, x, N_SAMPLES, &err) || rfn_welch_get_spectrum(w, &spec, &err)) {
        fprintf(stderr, "welch_tone: %s\n", err.msg);
        goto done;
    }
    long tone = rfn_spectrum_bin_of(&spec, TONE_HZ);
    double tone_dbfs = rfn_db10(rfn_spectrum_tone_power(&spec, RFN_TRACE_MEAN, (size_t)tone));
    /* The mean density over a quarter of the band away from the tone. */
    double sum = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < spec.n_bins / 4; i++, n++)
        sum += spec.density[RFN_TRACE_MEAN][i];
    double noise_dbfs_hz = rfn_db10(sum / (double)n);
    printf("segments %llu, bin %.4f Hz, ENBW %.4f Hz\n", (unsigned long long)spec.segments,
           spec.bin_hz, spec.enbw_hz);
    printf("tone at %.1f Hz: %.2f dBFS (generated %.2f)\n", spec.freq_hz[tone], tone_dbfs,
           TONE_DBFS);
    printf("noise: %.2f dBFS/Hz (generated %.2f)\n", noise_dbfs_hz, NOISE_DBFS_HZ);
    /* The noise adds about N ENBW to the tone's bin (-70 dBFS: 0.0004 dB); the density of ~1950
     * averaged segments x 256 bins is good to ~0.02 dB. */
    rc = fabs(tone_dbfs - TONE_DBFS) < 0.01 && fabs(noise_dbfs_hz - NOISE_DBFS_HZ) < 0.1 ? 0 : 1;
    if (rc)
        fprintf(stderr, "welch_tone: readings differ from what was generated\n");
done:
    rfn_spectrum_free(&spec);
    rfn_welch_destroy(w);
    free(x);
    return rc;
}
