/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spectrogram.c: bounded (time, frequency) grid by column binning and pairwise row merging. */
#include "spectrogram.h"

#include <stdlib.h>
#include <string.h>

struct rfn_spectrogram {
    rfn_spectrogram_config cfg;
    size_t cols, bpc;
    size_t rows;            /* full rows in cells */
    uint64_t fpr;           /* frames per full row */
    uint64_t acc_frames;    /* frames in acc */
    uint64_t frames;
    double *cells;          /* max_rows * cols; mean mode holds means, max mode maxima */
    double *acc;            /* cols: running sum (mean) or max of the row being built */
    size_t bytes;
};

rfn_spectrogram_config rfn_spectrogram_config_default(void)
{
    rfn_spectrogram_config c = {.n_bins = 1024, .max_rows = 1000, .max_cols = 1000,
                                .mode = RFN_SPECTROGRAM_MAX};
    return c;
}

rfn_status rfn_spectrogram_create(const rfn_spectrogram_config *cfg, rfn_spectrogram **out,
                                  rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "spectrogram: missing configuration");
    *out = NULL;
    if (cfg->n_bins < 1 || cfg->n_bins > ((size_t)1 << 26))
        return rfn_error_set(err, RFN_ERR_INVALID, "spectrogram: n_bins %zu out of range",
                             cfg->n_bins);
    if (cfg->max_rows < 2 || cfg->max_rows % 2 || cfg->max_rows > 100000)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "spectrogram: max_rows must be even and in [2, 100000] (got %zu)",
                             cfg->max_rows);
    if (cfg->max_cols < 1 || cfg->max_cols > 100000)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "spectrogram: max_cols must be in [1, 100000] (got %zu)",
                             cfg->max_cols);
    if (cfg->mode != RFN_SPECTROGRAM_MAX && cfg->mode != RFN_SPECTROGRAM_MEAN)
        return rfn_error_set(err, RFN_ERR_INVALID, "spectrogram: unknown mode");
    rfn_spectrogram *s = calloc(1, sizeof *s);
    if (!s)
        return rfn_error_set(err, RFN_ERR_NOMEM, "spectrogram: out of memory");
    s->cfg = *cfg;
    s->bpc = (cfg->n_bins + cfg->max_cols - 1) / cfg->max_cols;
    s->cols = (cfg->n_bins + s->bpc - 1) / s->bpc;
    s->fpr = 1;
    s->cells = malloc(cfg->max_rows * s->cols * sizeof *s->cells);
    s->acc = calloc(s->cols, sizeof *s->acc);
    if (!s->cells || !s->acc) {
        size_t cols = s->cols;
        rfn_spectrogram_destroy(s);
        return rfn_error_set(err, RFN_ERR_NOMEM, "spectrogram: out of memory for %zu x %zu",
                             cfg->max_rows, cols);
    }
    s->bytes = sizeof *s + (cfg->max_rows + 1) * s->cols * sizeof(double);
    *out = s;
    return RFN_OK;
}

/* Halve the rows by merging neighbours: both hold fpr frames, so the mean of two means is the
 * mean over both. */
static void merge_pairs(rfn_spectrogram *s)
{
    const size_t cols = s->cols;
    for (size_t r = 0; r < s->rows / 2; r++) {
        const double *a = s->cells + 2 * r * cols, *b = a + cols;
        double *o = s->cells + r * cols;
        if (s->cfg.mode == RFN_SPECTROGRAM_MAX)
            for (size_t c = 0; c < cols; c++)
                o[c] = a[c] > b[c] ? a[c] : b[c];
        else
            for (size_t c = 0; c < cols; c++)
                o[c] = 0.5 * (a[c] + b[c]);
    }
    s->rows /= 2;
    s->fpr *= 2;
}

/* Cell value of the accumulator over k frames into out. */
static void finish_acc(const rfn_spectrogram *s, uint64_t k, double *out)
{
    const size_t n = s->cfg.n_bins;
    for (size_t c = 0; c < s->cols; c++) {
        if (s->cfg.mode == RFN_SPECTROGRAM_MAX) {
            out[c] = s->acc[c];
        } else {
            size_t nb = (c + 1) * s->bpc <= n ? s->bpc : n - c * s->bpc;
            out[c] = k ? s->acc[c] / ((double)k * (double)nb) : 0.0;
        }
    }
}

void rfn_spectrogram_write(rfn_spectrogram *s, const float *power, size_t n_frames)
{
    const size_t n = s->cfg.n_bins, bpc = s->bpc;
    const int is_max = s->cfg.mode == RFN_SPECTROGRAM_MAX;
    for (size_t f = 0; f < n_frames; f++) {
        const float *p = power + f * n;
        for (size_t c = 0, j = 0; c < s->cols; c++) {
            size_t end = j + bpc < n ? j + bpc : n;
            double a = s->acc[c];
            if (is_max) {
                for (; j < end; j++)
                    a = p[j] > a ? p[j] : a;
            } else {
                for (; j < end; j++)
                    a += p[j];
            }
            s->acc[c] = a;
        }
        s->frames++;
        if (++s->acc_frames == s->fpr) {
            finish_acc(s, s->acc_frames, s->cells + s->rows * s->cols);
            s->rows++;
            memset(s->acc, 0, s->cols * sizeof *s->acc);
            s->acc_frames = 0;
            if (s->rows == s->cfg.max_rows)
                merge_pairs(s);
        }
    }
}

rfn_spectrogram_shape rfn_spectrogram_get_shape(const rfn_spectrogram *s)
{
    rfn_spectrogram_shape sh = {.rows = s->rows + (s->acc_frames > 0),
                                .cols = s->cols,
                                .bins_per_col = s->bpc,
                                .frames_per_row = s->fpr,
                                .frames_in_last_row = s->acc_frames ? s->acc_frames : s->fpr,
                                .frames = s->frames};
    if (sh.rows == 0)
        sh.frames_in_last_row = 0;
    return sh;
}

rfn_status rfn_spectrogram_get_row(const rfn_spectrogram *s, size_t r, double *out,
                                   rfn_error *err)
{
    if (!s || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "spectrogram: missing argument");
    if (r < s->rows) {
        memcpy(out, s->cells + r * s->cols, s->cols * sizeof *out);
        return RFN_OK;
    }
    if (r == s->rows && s->acc_frames > 0) {
        finish_acc(s, s->acc_frames, out);
        return RFN_OK;
    }
    return rfn_error_set(err, RFN_ERR_INVALID, "spectrogram: row %zu out of range (%zu rows)",
                         r, s->rows + (s->acc_frames > 0));
}

size_t rfn_spectrogram_bytes(const rfn_spectrogram *s)
{
    return s->bytes;
}

void rfn_spectrogram_reset(rfn_spectrogram *s)
{
    s->rows = 0;
    s->fpr = 1;
    s->acc_frames = 0;
    s->frames = 0;
    memset(s->acc, 0, s->cols * sizeof *s->acc);
}

void rfn_spectrogram_destroy(rfn_spectrogram *s)
{
    if (!s)
        return;
    free(s->cells);
    free(s->acc);
    free(s);
}
