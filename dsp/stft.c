/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stft.c: streaming short-time FFT with a Gaussian RBW window (see stft.h). */
#include "stft.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fft.h"
#include "window.h"

struct rfn_stft {
    rfn_stft_info info;
    size_t batch;
    rfn_stft_sink sink;
    void *ctx;
    rfn_fft *fft;
    float *win;          /* win_len window values */
    float *win2;         /* 2 win_len: each value twice, to multiply interleaved re/im directly */
    float inv_s1sq;      /* 1 / S1^2: |X|^2 -> tone power (docs/architecture.md §Units) */
    float complex *buf;  /* pending samples, capacity cap */
    size_t cap, len;
    float *power;        /* batch * nfft, centred bins */
    uint64_t n_samples, n_frames;
    size_t bytes;
};

rfn_stft_config rfn_stft_config_default(void)
{
    rfn_stft_config c = {.fs_hz = 2.4e6, .rbw_hz = 120e3, .nfft = 0, .hop = 0,
                         .max_peak_loss_db = 0.5, .batch = 0};
    return c;
}

/* Smallest n >= min whose only prime factors are 2, 3 and 5 (FFTW's fastest sizes). */
static size_t smooth_size(size_t min)
{
    for (size_t n = min ? min : 1;; n++) {
        size_t m = n;
        while (m % 2 == 0)
            m /= 2;
        while (m % 3 == 0)
            m /= 3;
        while (m % 5 == 0)
            m /= 5;
        if (m == 1)
            return n;
    }
}

/* The frame grid an RBW gives: the Gaussian window (sigma, L samples), the FFT size, the step
 * and the frames per batch. */
typedef struct stft_grid {
    double sigma_s, sigma; /* the window's sigma in seconds and in samples */
    size_t L, nfft, hop, batch;
} stft_grid;

static rfn_status plan_grid(const rfn_stft_config *cfg, stft_grid *g, rfn_error *err)
{
    if (!(cfg->fs_hz > 0.0) || !isfinite(cfg->fs_hz))
        return rfn_error_set(err, RFN_ERR_INVALID, "stft: fs_hz must be > 0 (got %g)",
                             cfg->fs_hz);
    if (!(cfg->rbw_hz > 0.0) || !(cfg->rbw_hz <= cfg->fs_hz / 4.0))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "stft: rbw_hz must be in (0, fs/4] (got %g at fs %g)", cfg->rbw_hz,
                             cfg->fs_hz);
    if (cfg->hop == 0 && !(cfg->max_peak_loss_db > 0.0 && cfg->max_peak_loss_db < 20.0))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "stft: max_peak_loss_db must be in (0, 20) (got %g)",
                             cfg->max_peak_loss_db);
    g->sigma_s = rfn_window_gaussian_sigma_s(cfg->rbw_hz);
    g->sigma = g->sigma_s * cfg->fs_hz; /* samples */
    size_t L = g->L = rfn_window_gaussian_length(cfg->rbw_hz, cfg->fs_hz);
    if (L == 0 || L > ((size_t)1 << 26))
        return rfn_error_set(err, RFN_ERR_INVALID, "stft: window of %zu samples is out of range",
                             L);
    size_t nfft = cfg->nfft;
    if (nfft == 0) {
        size_t min_bins = (size_t)ceil(2.0 * cfg->fs_hz / cfg->rbw_hz);
        nfft = smooth_size(L > min_bins ? L : min_bins);
    } else if (nfft < L) {
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "stft: nfft %zu is shorter than the %zu-sample RBW window", nfft, L);
    }
    g->nfft = nfft;
    /* A pulse's envelope through a Gaussian window is exp(-t^2 / 2 sigma^2) in amplitude; a frame
     * grid of step h misses its top by at most h/2, a power loss of exp(-(h/2)^2 / sigma^2). */
    size_t hop = cfg->hop;
    if (hop == 0) {
        double h = 2.0 * g->sigma * sqrt(cfg->max_peak_loss_db * log(10.0) / 10.0);
        hop = h < 1.0 ? 1 : (size_t)floor(h);
    }
    if (hop > L)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "stft: hop %zu exceeds the %zu-sample window (samples would be lost)",
                             hop, L);
    g->hop = hop;
    g->batch = cfg->batch ? cfg->batch : (8192 / nfft ? 8192 / nfft : 1);
    if (g->batch > 65536)
        return rfn_error_set(err, RFN_ERR_INVALID, "stft: batch %zu too large", g->batch);
    return RFN_OK;
}

/* What the frames measure (stft.h rfn_stft_info), from the grid and the window's properties. */
static void fill_info(rfn_stft_info *in, const rfn_stft_config *cfg, const stft_grid *g,
                      const rfn_window_props *props)
{
    size_t L = g->L, hop = g->hop;
    in->fs_hz = cfg->fs_hz;
    in->rbw_hz = cfg->rbw_hz;
    in->rbw6_hz = props->bw6_bins * cfg->fs_hz / (double)L;
    in->enbw_hz = props->enbw_bins * cfg->fs_hz / (double)L;
    in->sigma_s = g->sigma_s;
    in->win_len = L;
    in->nfft = g->nfft;
    in->hop = hop;
    in->hop_s = (double)hop / cfg->fs_hz;
    in->overlap = 1.0 - (double)hop / (double)L;
    in->bin_hz = cfg->fs_hz / (double)g->nfft;
    in->batch = g->batch;
    in->peak_loss_db = 10.0 / log(10.0) * ((double)hop / 2.0) * ((double)hop / 2.0) /
                       (g->sigma * g->sigma);
}

rfn_status rfn_stft_create(const rfn_stft_config *cfg, rfn_stft_sink sink, void *ctx,
                           rfn_stft **out, rfn_error *err)
{
    if (!cfg || !out || !sink)
        return rfn_error_set(err, RFN_ERR_INVALID, "stft: missing configuration or sink");
    *out = NULL;
    stft_grid g = {0};
    rfn_status st = plan_grid(cfg, &g, err);
    if (st != RFN_OK)
        return st;
    const size_t L = g.L, nfft = g.nfft, batch = g.batch;
    rfn_stft *s = calloc(1, sizeof *s);
    if (!s)
        return rfn_error_set(err, RFN_ERR_NOMEM, "stft: out of memory");
    s->sink = sink;
    s->ctx = ctx;
    s->batch = batch;
    s->cap = L + g.hop * batch;
    s->win = malloc(L * sizeof *s->win);
    s->win2 = malloc(2 * L * sizeof *s->win2);
    s->buf = malloc(s->cap * sizeof *s->buf);
    s->power = malloc(batch * nfft * sizeof *s->power);
    if (!s->win || !s->win2 || !s->buf || !s->power) {
        rfn_stft_destroy(s);
        return rfn_error_set(err, RFN_ERR_NOMEM, "stft: out of memory for %zu-point frames",
                             nfft);
    }
    s->bytes = sizeof *s + 3 * L * sizeof *s->win + s->cap * sizeof *s->buf +
               batch * nfft * sizeof *s->power + 2 * batch * nfft * sizeof(float complex);
    st = rfn_window_fill(RFN_WINDOW_GAUSSIAN, L, g.sigma, s->win);
    rfn_window_props props;
    if (st == RFN_OK)
        st = rfn_window_analyse(s->win, L, &props);
    if (st != RFN_OK) {
        rfn_stft_destroy(s);
        return rfn_error_set(err, st, "stft: Gaussian window for rbw %g Hz failed", cfg->rbw_hz);
    }
    for (size_t i = 0; i < L; i++)
        s->win2[2 * i] = s->win2[2 * i + 1] = s->win[i];
    rfn_fft_config fc = rfn_fft_config_default();
    fc.n = nfft;
    fc.howmany = batch;
    st = rfn_fft_create(&fc, &s->fft, err);
    if (st != RFN_OK) {
        rfn_stft_destroy(s);
        return st;
    }
    /* The zero padding beyond the window is written once; frames only overwrite [0, L). */
    memset(rfn_fft_input(s->fft), 0, batch * nfft * sizeof(float complex));
    s->inv_s1sq = (float)(1.0 / (props.s1 * props.s1));
    fill_info(&s->info, cfg, &g, &props);
    *out = s;
    return RFN_OK;
}

const rfn_stft_info *rfn_stft_get_info(const rfn_stft *s)
{
    return &s->info;
}

double rfn_stft_bin_freq_hz(const rfn_stft *s, size_t j)
{
    return ((double)j - (double)(s->info.nfft / 2)) * s->info.bin_hz;
}

/* x86-64 builds also get an AVX2 clone of the per-sample loops (glibc ifunc picks it at load
 * time); the same IEEE operations either way. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
#define RFN_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RFN_VECTOR_CLONES
#endif

/* row = x w on interleaved re/im floats, w2 holding each window value twice (n2 = 2 L). */
RFN_VECTOR_CLONES
static void window_frame(size_t n2, const float *restrict x, const float *restrict w2,
                         float *restrict row)
{
    for (size_t i = 0; i < n2; i++)
        row[i] = x[i] * w2[i];
}

/* p[k] = g |X[k]|^2 for k in [0, n). */
RFN_VECTOR_CLONES
static void power_of(size_t n, const float *restrict xr, float g, float *restrict p)
{
    for (size_t k = 0; k < n; k++)
        p[k] = g * (xr[2 * k] * xr[2 * k] + xr[2 * k + 1] * xr[2 * k + 1]);
}

/* Window, transform and square n_frames (<= batch) frames read from x, frame f at x + f hop, into
 * power; frame f always takes FFT slot f, as in the stream (rfn_stft_execute_frames). */
static void transform_frames(rfn_stft *s, const float complex *x, size_t n_frames, float *power)
{
    const size_t nfft = s->info.nfft, L = s->info.win_len, hop = s->info.hop;
    const size_t half = nfft / 2, upper = nfft - half;
    float complex *in = rfn_fft_input(s->fft);
    for (size_t f = 0; f < n_frames; f++)
        window_frame(2 * L, (const float *)(x + f * hop), s->win2, (float *)(in + f * nfft));
    rfn_fft_execute(s->fft);
    const float complex *X = rfn_fft_output(s->fft);
    for (size_t f = 0; f < n_frames; f++) {
        const float *xr = (const float *)(X + f * nfft);
        float *p = power + f * nfft;
        /* FFT order -> centred order (fftshift) while forming |X|^2 / S1^2. */
        power_of(upper, xr, s->inv_s1sq, p + half);
        power_of(nfft - upper, xr + 2 * upper, s->inv_s1sq, p);
    }
}

/* Transform and hand over n_frames (<= batch) frames from the start of buf. */
static void run_frames(rfn_stft *s, size_t n_frames)
{
    transform_frames(s, s->buf, n_frames, s->power);
    s->sink(s->ctx, s->power, n_frames, s->n_frames);
    s->n_frames += n_frames;
    size_t drop = n_frames * s->info.hop;
    memmove(s->buf, s->buf + drop, (s->len - drop) * sizeof *s->buf);
    s->len -= drop;
}

void rfn_stft_execute_frames(rfn_stft *s, const float complex *x, size_t n_frames, float *power)
{
    for (size_t f = 0; f < n_frames; f += s->batch) {
        size_t n = n_frames - f < s->batch ? n_frames - f : s->batch;
        transform_frames(s, x + f * s->info.hop, n, power + f * s->info.nfft);
    }
}

static size_t frames_ready(const rfn_stft *s)
{
    return s->len < s->info.win_len ? 0 : (s->len - s->info.win_len) / s->info.hop + 1;
}

void rfn_stft_write(rfn_stft *s, const float complex *x, size_t n)
{
    while (n > 0) {
        size_t take = s->cap - s->len;
        if (take > n)
            take = n;
        memcpy(s->buf + s->len, x, take * sizeof *x);
        s->len += take;
        s->n_samples += take;
        x += take;
        n -= take;
        while (frames_ready(s) >= s->batch)
            run_frames(s, s->batch);
    }
}

void rfn_stft_flush(rfn_stft *s)
{
    size_t nf;
    while ((nf = frames_ready(s)) > 0)
        run_frames(s, nf < s->batch ? nf : s->batch);
}

uint64_t rfn_stft_samples(const rfn_stft *s)
{
    return s->n_samples;
}

uint64_t rfn_stft_frames(const rfn_stft *s)
{
    return s->n_frames;
}

size_t rfn_stft_bytes(const rfn_stft *s)
{
    return s->bytes;
}

void rfn_stft_reset(rfn_stft *s)
{
    s->len = 0;
    s->n_samples = 0;
    s->n_frames = 0;
}

void rfn_stft_destroy(rfn_stft *s)
{
    if (!s)
        return;
    rfn_fft_destroy(s->fft);
    free(s->win);
    free(s->win2);
    free(s->buf);
    free(s->power);
    free(s);
}
