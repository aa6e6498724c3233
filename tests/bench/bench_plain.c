/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_plain.c: the plain C loop scripts/bench holds rfnoise against (issue 17): libsndfile
 * sf_readf_float + Hann window + FFTW + accumulate |X|^2 in double, one thread, what anyone
 * would write in an afternoon. Not a ctest test.
 *   rfnoise_bench_plain make WAV MIB      write a MIB MiB 2-channel 16-bit WAV of noise
 *   rfnoise_bench_plain psd WAV NFFT      Welch mean (50 % overlap) of it; prints the mean
 *                                         density of the whole band (a checksum) on stderr
 * FFTW plans with FFTW_MEASURE and keeps wisdom in $TMPDIR/rfn_bench_plain.wisdom, so that the
 * timed runs do not plan (rfnoise keeps its own wisdom the same way). */
#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int make_wav(const char *path, size_t mib)
{
    int64_t frames = (int64_t)(mib << 20) / 4;
    SF_INFO si = {
        .samplerate = 10000000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16};
    if (frames > 0xFFFFFFF0LL / 4)
        si.format = SF_FORMAT_RF64 | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    if (!sf) {
        fprintf(stderr, "bench_plain: %s: %s\n", path, sf_strerror(NULL));
        return 1;
    }
    enum { BLOCK = 65536 };
    static short pcm[2 * BLOCK];
    uint32_t s = 1;
    for (int64_t done = 0; done < frames; done += BLOCK) {
        for (int i = 0; i < 2 * BLOCK; i++) {
            s = s * 1664525u + 1013904223u;
            pcm[i] = (short)((int)(s >> 20) - 2048); /* about -24 dBFS of uniform noise */
        }
        sf_count_t n = frames - done < BLOCK ? frames - done : BLOCK;
        if (sf_writef_short(sf, pcm, n) != n) {
            fprintf(stderr, "bench_plain: %s: write failed\n", path);
            sf_close(sf);
            return 1;
        }
    }
    sf_close(sf);
    return 0;
}

static int psd(const char *path, size_t nfft)
{
    SF_INFO si = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &si);
    if (!sf || si.channels != 2) {
        fprintf(stderr, "bench_plain: %s: not a 2-channel file\n", path);
        return 1;
    }
    char wis[512];
    snprintf(wis, sizeof wis, "%s/rfn_bench_plain.wisdom",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fftwf_import_wisdom_from_filename(wis);
    size_t hop = nfft / 2;
    float complex *seg = fftwf_malloc(nfft * sizeof *seg), *out = fftwf_malloc(nfft * sizeof *out);
    float complex *ring = malloc(nfft * sizeof *ring); /* the last nfft samples */
    float *win = malloc(nfft * sizeof *win);
    double *acc = calloc(nfft, sizeof *acc);
    fftwf_plan plan = fftwf_plan_dft_1d((int)nfft, (fftwf_complex *)seg, (fftwf_complex *)out,
                                        FFTW_FORWARD, FFTW_MEASURE);
    fftwf_export_wisdom_to_filename(wis);
    for (size_t t = 0; t < nfft; t++)
        win[t] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * (double)t / (double)nfft));
    enum { BLOCK = 65536 };
    float *buf = malloc(2 * BLOCK * sizeof *buf);
    size_t have = 0, segments = 0; /* samples in ring since the last segment */
    sf_count_t got;
    while ((got = sf_readf_float(sf, buf, BLOCK)) > 0) {
        for (sf_count_t i = 0; i < got; i++) {
            ring[have++] = buf[2 * i] + I * buf[2 * i + 1];
            if (have < nfft)
                continue;
            for (size_t t = 0; t < nfft; t++)
                seg[t] = ring[t] * win[t];
            fftwf_execute(plan);
            for (size_t k = 0; k < nfft; k++)
                acc[k] += (double)crealf(out[k]) * crealf(out[k]) +
                          (double)cimagf(out[k]) * cimagf(out[k]);
            segments++;
            memmove(ring, ring + hop, (nfft - hop) * sizeof *ring);
            have = nfft - hop;
        }
    }
    double s2 = 0.0, total = 0.0;
    for (size_t t = 0; t < nfft; t++)
        s2 += (double)win[t] * win[t];
    for (size_t k = 0; k < nfft; k++)
        total += acc[k] / (double)segments / (si.samplerate * s2);
    fprintf(stderr, "bench_plain: %zu segments, mean density %.6g dBFS/Hz\n", segments,
            10.0 * log10(total / (double)nfft));
    fftwf_destroy_plan(plan);
    fftwf_free(seg);
    fftwf_free(out);
    free(ring);
    free(win);
    free(acc);
    free(buf);
    sf_close(sf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "make") == 0)
        return make_wav(argv[2], (size_t)strtoull(argv[3], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "psd") == 0)
        return psd(argv[2], (size_t)strtoull(argv[3], NULL, 10));
    fprintf(stderr, "usage: rfnoise_bench_plain make WAV MIB | psd WAV NFFT\n");
    return 2;
}
