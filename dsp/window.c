/* SPDX-License-Identifier: GPL-2.0-or-later */
/* window.c: window generation and the figures (ENBW, coherent gain, 6 dB bandwidth, scalloping)
 * that turn |X|^2 into calibrated power or density. */
#include "window.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const window_names[RFN_WINDOW_COUNT] = {
    [RFN_WINDOW_RECT] = "rect",
    [RFN_WINDOW_HANN] = "hann",
    [RFN_WINDOW_HANN_SYMMETRIC] = "hann-symmetric",
    [RFN_WINDOW_BLACKMANHARRIS] = "blackmanharris",
    [RFN_WINDOW_FLATTOP] = "flattop",
    [RFN_WINDOW_GAUSSIAN] = "gaussian",
};

rfn_status rfn_window_from_name(const char *name, rfn_window_type *type)
{
    if (!name || !type)
        return RFN_ERR_INVALID;
    for (int i = 0; i < RFN_WINDOW_COUNT; i++) {
        if (strcmp(name, window_names[i]) == 0) {
            *type = (rfn_window_type)i;
            return RFN_OK;
        }
    }
    if (strcmp(name, "rectangular") == 0 || strcmp(name, "boxcar") == 0) {
        *type = RFN_WINDOW_RECT;
        return RFN_OK;
    }
    return RFN_ERR_INVALID;
}

const char *rfn_window_name(rfn_window_type type)
{
    if ((int)type < 0 || type >= RFN_WINDOW_COUNT)
        return "unknown";
    return window_names[type];
}

double rfn_window_gaussian_sigma_s(double rbw6_hz)
{
    return sqrt(2.0 * log(2.0)) / (M_PI * rbw6_hz);
}

size_t rfn_window_gaussian_length(double rbw6_hz, double fs_hz)
{
    if (!(rbw6_hz > 0.0) || !(fs_hz > 0.0))
        return 0;
    double sigma = rfn_window_gaussian_sigma_s(rbw6_hz) * fs_hz;
    double len = ceil(2.0 * RFN_GAUSS_HALF_SIGMAS * sigma);
    if (!(len < 0x1p52)) /* beyond any buffer (and beyond size_t's exact range): unusable */
        return 0;
    size_t n = (size_t)len;
    if (n < 8)
        n = 8;
    return n + (n & 1); /* even, so that the centre n/2 is a sample */
}

/* Sum of cosines a0 - a1 cos(x) + a2 cos(2x) - ... with x = 2 pi k / d: the form shared by Hann,
 * Blackman-Harris and flat-top (Harris 1978, eq. 30). d = n for periodic, n - 1 for symmetric. */
static void cosine_sum(const double *a, int terms, size_t n, double d, float *w)
{
    for (size_t k = 0; k < n; k++) {
        double x = 2.0 * M_PI * (double)k / d, v = 0.0, sign = 1.0;
        for (int t = 0; t < terms; t++, sign = -sign)
            v += sign * a[t] * cos((double)t * x);
        w[k] = (float)v;
    }
}

rfn_status rfn_window_fill(rfn_window_type type, size_t n, double sigma_samples, float *w)
{
    static const double hann[] = {0.5, 0.5};
    /* Harris 1978 4-term Blackman-Harris (-92 dB), as scipy.signal.windows.blackmanharris. */
    static const double bh4[] = {0.35875, 0.48829, 0.14128, 0.01168};
    /* scipy.signal.windows.flattop coefficients (D'Antona & Ferrero, ISO 18431-2 style). */
    static const double flattop[] = {0.21557895, 0.41663158, 0.277263158, 0.083578947,
                                     0.006947368};
    if (n == 0 || !w)
        return RFN_ERR_INVALID;
    switch (type) {
    case RFN_WINDOW_RECT:
        for (size_t k = 0; k < n; k++)
            w[k] = 1.0f;
        return RFN_OK;
    case RFN_WINDOW_HANN:
        cosine_sum(hann, 2, n, (double)n, w);
        return RFN_OK;
    case RFN_WINDOW_HANN_SYMMETRIC:
        if (n == 1) {
            w[0] = 1.0f;
            return RFN_OK;
        }
        cosine_sum(hann, 2, n, (double)(n - 1), w);
        return RFN_OK;
    case RFN_WINDOW_BLACKMANHARRIS:
        cosine_sum(bh4, 4, n, (double)n, w);
        return RFN_OK;
    case RFN_WINDOW_FLATTOP:
        cosine_sum(flattop, 5, n, (double)n, w);
        return RFN_OK;
    case RFN_WINDOW_GAUSSIAN:
        if (!(sigma_samples > 0.0) || !isfinite(sigma_samples))
            return RFN_ERR_INVALID;
        for (size_t k = 0; k < n; k++) {
            double t = ((double)k - (double)n / 2.0) / sigma_samples;
            w[k] = (float)exp(-0.5 * t * t);
        }
        return RFN_OK;
    default:
        return RFN_ERR_INVALID;
    }
}

/* |W(f)| for f in bins, by direct DTFT about the window's centre (phase does not matter). */
static double dtft_mag(const float *w, size_t n, double f_bins)
{
    double re = 0.0, im = 0.0, c = (double)(n - 1) / 2.0;
    for (size_t k = 0; k < n; k++) {
        double ph = -2.0 * M_PI * f_bins * ((double)k - c) / (double)n;
        re += w[k] * cos(ph);
        im += w[k] * sin(ph);
    }
    return hypot(re, im);
}

rfn_status rfn_window_analyse(const float *w, size_t n, rfn_window_props *props)
{
    if (!w || n == 0 || !props)
        return RFN_ERR_INVALID;
    double s1 = 0.0, s2 = 0.0;
    for (size_t k = 0; k < n; k++) {
        s1 += w[k];
        s2 += (double)w[k] * w[k];
    }
    if (!(s1 > 0.0))
        return RFN_ERR_INVALID;
    memset(props, 0, sizeof *props);
    props->n = n;
    props->s1 = s1;
    props->s2 = s2;
    props->coherent_gain = s1 / (double)n;
    props->enbw_bins = (double)n * s2 / (s1 * s1);

    double w0 = dtft_mag(w, n, 0.0);
    double half = dtft_mag(w, n, 0.5);
    props->scalloping_loss_db = -20.0 * log10(half / w0);

    /* Walk out of the main lobe in small steps until |W| drops below half, then bisect. */
    double lo = 0.0, hi = 0.0;
    for (hi = 0.05; hi < (double)n / 2.0; hi += 0.05) {
        if (dtft_mag(w, n, hi) < 0.5 * w0)
            break;
        lo = hi;
    }
    for (int it = 0; it < 40; it++) {
        double mid = 0.5 * (lo + hi);
        if (dtft_mag(w, n, mid) < 0.5 * w0)
            hi = mid;
        else
            lo = mid;
    }
    props->bw6_bins = lo + hi; /* full width: twice the half-width (lo+hi)/2 */
    return RFN_OK;
}

rfn_status rfn_window_nfft_for_rbw(rfn_window_type type, double rbw_hz, double fs_hz,
                                   size_t *nfft)
{
    enum { probe_n = 4096 };
    if (!nfft || !(rbw_hz > 0.0) || !(fs_hz > 0.0) || type == RFN_WINDOW_GAUSSIAN ||
        (int)type < 0 || type >= RFN_WINDOW_COUNT)
        return RFN_ERR_INVALID;
    /* ENBW in bins is nearly independent of n for these windows, so a probe length gives it. */
    float *w = malloc(probe_n * sizeof *w);
    if (!w)
        return RFN_ERR_NOMEM;
    rfn_window_fill(type, probe_n, 0.0, w);
    double s1 = 0.0, s2 = 0.0;
    for (size_t k = 0; k < probe_n; k++) {
        s1 += w[k];
        s2 += (double)w[k] * w[k];
    }
    free(w);
    double n = ceil(probe_n * s2 / (s1 * s1) * fs_hz / rbw_hz - 1e-9);
    if (n < 2.0 || n > (double)(1u << 30))
        return RFN_ERR_INVALID;
    *nfft = (size_t)n;
    return RFN_OK;
}
