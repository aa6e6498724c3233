/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_spectrogram.c: decimated spectrogram: known answers for column binning and pairwise row
 * merging in max and mean modes; memory stays fixed while a capture 100 x longer than the output
 * streams through the STFT; a tone burst lands in the right cell. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#define HAVE_MALLINFO2 1
#endif

#include "check.h"
#include "noise_gen.h"
#include "spectrogram.h"
#include "stft.h"

static void known_answer(void)
{
    rfn_error err = {0};
    for (int mode = 0; mode < 2; mode++) {
        rfn_spectrogram_config c = rfn_spectrogram_config_default();
        c.n_bins = 5;
        c.max_rows = 4;
        c.max_cols = 2; /* bins_per_col 3: columns {0,1,2} and {3,4} */
        c.mode = mode ? RFN_SPECTROGRAM_MEAN : RFN_SPECTROGRAM_MAX;
        rfn_spectrogram *s = NULL;
        CHECK_OK(rfn_spectrogram_create(&c, &s, &err));
        float fr[9 * 5];
        for (int f = 0; f < 9; f++)
            for (int j = 0; j < 5; j++)
                fr[f * 5 + j] = (float)(f * 10 + j);
        rfn_spectrogram_write(s, fr, 9);
        /* 9 frames, 4 rows max: after 4 rows -> 2 rows of 2 frames; after 8 frames -> 4 rows of
         * 2 -> merged to 2 rows of 4; the 9th frame is a partial row. */
        rfn_spectrogram_shape sh = rfn_spectrogram_get_shape(s);
        CHECK(sh.cols == 2 && sh.bins_per_col == 3 && sh.rows == 3 && sh.frames_per_row == 4 &&
              sh.frames_in_last_row == 1 && sh.frames == 9);
        double row[2];
        CHECK_OK(rfn_spectrogram_get_row(s, 0, row, &err));
        if (mode == 0) { /* max over frames 0-3: frame 3 -> 32 and 34 */
            CHECK_NEAR(row[0], 32.0, 1e-9);
            CHECK_NEAR(row[1], 34.0, 1e-9);
        } else { /* mean of f*10+j over f 0..3, j 0..2 -> 15 + 1; j 3..4 -> 15 + 3.5 */
            CHECK_NEAR(row[0], 16.0, 1e-9);
            CHECK_NEAR(row[1], 18.5, 1e-9);
        }
        CHECK_OK(rfn_spectrogram_get_row(s, 2, row, &err));
        CHECK_NEAR(row[0], mode == 0 ? 82.0 : 81.0, 1e-9);
        CHECK(rfn_spectrogram_get_row(s, 3, row, &err) == RFN_ERR_INVALID);
        CHECK(strcmp(err.msg, "spectrogram: row 3 out of range (3 rows)") == 0);
        rfn_spectrogram_destroy(s);
    }
    rfn_spectrogram_config c = rfn_spectrogram_config_default();
    c.max_rows = 999;
    rfn_spectrogram *s = NULL;
    CHECK(rfn_spectrogram_create(&c, &s, &err) == RFN_ERR_INVALID && !s);
    CHECK(strcmp(err.msg, "spectrogram: max_rows must be even and in [2, 100000] (got 999)") ==
          0);
    rfn_spectrogram_destroy(NULL);
}

typedef struct sg_pipe {
    rfn_spectrogram *sg;
} sg_pipe;

static void to_sg(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)first;
    rfn_spectrogram_write(((sg_pipe *)ctx)->sg, power, n_frames);
}

/* 200 x 64 output; 2.4 MS/s C/D STFT (hop 5) for 100 x 200 rows' worth of frames and more. */
static void bounded_memory(void)
{
    rfn_error err = {0};
    const double fs = 2.4e6;
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = fs;
    sg_pipe p = {0};
    rfn_stft *st = NULL;
    CHECK_OK(rfn_stft_create(&sc, to_sg, &p, &st, &err));
    const rfn_stft_info *in = rfn_stft_get_info(st);
    rfn_spectrogram_config c = rfn_spectrogram_config_default();
    c.n_bins = in->nfft;
    c.max_rows = 200;
    c.max_cols = 40; /* 80 bins -> 40 columns of 2 */
    CHECK_OK(rfn_spectrogram_create(&c, &p.sg, &err));
    size_t bytes0 = rfn_spectrogram_bytes(p.sg), sbytes0 = rfn_stft_bytes(st);
    const uint64_t frames_wanted = 100ULL * 200 * 2; /* 200x the output rows */
    const uint64_t total = frames_wanted * in->hop + in->win_len;
    /* a tone at +600 kHz during samples [40 %, 41 %) of the capture, 20 dB over the noise */
    const uint64_t t0 = total * 40 / 100, t1 = total * 41 / 100;
    const double f0 = 600e3;
    noise_gen g = {777};
    enum { BLK = 10000 };
    static float complex x[BLK];
#ifdef HAVE_MALLINFO2
    struct mallinfo2 m0 = mallinfo2();
#endif
    for (uint64_t pos = 0; pos < total; pos += BLK) {
        size_t n = total - pos < BLK ? (size_t)(total - pos) : BLK;
        noise_fill(&g, x, n, 1e-6);
        for (size_t i = 0; i < n; i++) {
            uint64_t k = pos + i;
            if (k >= t0 && k < t1) {
                double ph = fmod(2.0 * M_PI * f0 / fs * (double)k, 2.0 * M_PI);
                x[i] += 0.01f * ((float)cos(ph) + I * (float)sin(ph));
            }
        }
        rfn_stft_write(st, x, n);
    }
    rfn_stft_flush(st);
#ifdef HAVE_MALLINFO2
    struct mallinfo2 m1 = mallinfo2();
    CHECK_MSG(m1.uordblks <= m0.uordblks + 4096, "heap grew by %zu bytes while streaming",
              m1.uordblks - m0.uordblks);
#endif
    rfn_spectrogram_shape sh = rfn_spectrogram_get_shape(p.sg);
    fprintf(stderr, "spectrogram: %llu frames -> %zu x %zu cells, %llu frames per row, %zu "
            "bytes (stft %zu)\n", (unsigned long long)sh.frames, sh.rows, sh.cols,
            (unsigned long long)sh.frames_per_row, rfn_spectrogram_bytes(p.sg),
            rfn_stft_bytes(st));
    CHECK(sh.frames >= frames_wanted);
    CHECK(sh.rows <= 200 && sh.rows >= 100);
    CHECK(sh.cols == 40);
    CHECK(sh.frames_per_row == 256);
    CHECK(rfn_spectrogram_bytes(p.sg) == bytes0 && rfn_stft_bytes(st) == sbytes0);
    CHECK(bytes0 < 201 * 40 * sizeof(double) + 1024);
    /* the tone's cell: the row holding frame ~ 40.5 % and the column of bin nfft/2 + 600k/bin */
    size_t col = (in->nfft / 2 + (size_t)llround(f0 / in->bin_hz)) / sh.bins_per_col;
    size_t row_tone = (size_t)((double)(t0 + t1) / 2 / in->hop / (double)sh.frames_per_row);
    double *row = malloc(sh.cols * sizeof *row);
    CHECK_OK(rfn_spectrogram_get_row(p.sg, row_tone, row, &err));
    double tone_db = 10 * log10(row[col]);
    CHECK_OK(rfn_spectrogram_get_row(p.sg, 10, row, &err));
    double quiet_db = 10 * log10(row[col]);
    fprintf(stderr, "tone cell %.1f dBFS, same column early %.1f dBFS\n", tone_db, quiet_db);
    CHECK_DB_NEAR(tone_db, -40.0, 1.0); /* max mode: the tone's power, less scalloping */
    CHECK(quiet_db < -45.0);
    free(row);
    rfn_stft_destroy(st);
    rfn_spectrogram_destroy(p.sg);
}

int main(void)
{
    known_answer();
    bounded_memory();
    return check_finish();
}
