/* SPDX-License-Identifier: GPL-2.0-or-later */
/* detector.c: CISPR 16-1-1 detectors on every STFT bin (see detector.h). The envelope of bin j in
 * a frame is e = sqrt(power); the circuits below are the standard's analogue detectors, stepped
 * exactly (exponential coefficients) at the frame rate or at a block rate K frames long. */
#include "detector.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- CISPR 16-1-1 parameters ------------------------------------------------------------------
 * Quasi-peak (CISPR 16-1-1 clause 4, table "characteristics of the quasi-peak measuring
 * receiver"), as reproduced in the R&S FPL1000 User Manual 1178.3370.02, Table 6-16 "Required
 * parameters depending on frequency for CISPR quasi-peak detector" and in the German Wikipedia
 * article "Quasispitzenwert" (technical definition table):
 *            RBW(6 dB)  charge  discharge  meter T_M
 *   Band A   200 Hz     45 ms   500 ms     160 ms
 *   Band B   9 kHz      1 ms    160 ms     160 ms
 *   Band C/D 120 kHz    1 ms    550 ms     100 ms
 * CISPR average (clause 6): the peak reading of a meter of time constant 160 ms in Bands A and B
 * and 100 ms in Bands C, D and E, independent of observation time (Narda PMM ER9000 operating
 * instructions §3.2.3.3 quoting CISPR 16-1-1; R&S FPL1000 Table 6-17). Band E RBW 1 MHz and no
 * quasi-peak (FPL1000 Table 6-17). The RMS-average corner frequencies (A, B 10 Hz; C/D 100 Hz;
 * E 1 kHz; CISPR 16-1-1 clause 7) are from the standard's text as we know it and were NOT
 * confirmed against a published copy by the search available here. */
static const rfn_det_params band_params[RFN_DET_BAND_COUNT] = {
    [RFN_DET_BAND_A] = {200.0, 45e-3, 500e-3, 160e-3, 160e-3, 10.0},
    [RFN_DET_BAND_B] = {9e3, 1e-3, 160e-3, 160e-3, 160e-3, 10.0},
    [RFN_DET_BAND_CD] = {120e3, 1e-3, 550e-3, 100e-3, 100e-3, 100.0},
    [RFN_DET_BAND_E] = {1e6, 0.0, 0.0, 0.0, 100e-3, 1000.0},
};

static const char *const band_names[RFN_DET_BAND_COUNT] = {"A", "B", "CD", "E"};

rfn_status rfn_det_params_for_band(rfn_det_band band, rfn_det_params *p)
{
    if ((int)band < 0 || band >= RFN_DET_BAND_COUNT || !p)
        return RFN_ERR_INVALID;
    *p = band_params[band];
    return RFN_OK;
}

rfn_status rfn_det_band_from_name(const char *name, rfn_det_band *band)
{
    static const struct { const char *name; rfn_det_band band; } names[] = {
        {"A", RFN_DET_BAND_A}, {"B", RFN_DET_BAND_B}, {"CD", RFN_DET_BAND_CD},
        {"C/D", RFN_DET_BAND_CD}, {"C", RFN_DET_BAND_CD}, {"D", RFN_DET_BAND_CD},
        {"E", RFN_DET_BAND_E},
    };
    if (!name || !band)
        return RFN_ERR_INVALID;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *a = names[i].name, *b = name;
        while (*a && (*a == *b || *a == *b - 'a' + 'A'))
            a++, b++;
        if (!*a && !*b) {
            *band = names[i].band;
            return RFN_OK;
        }
    }
    return RFN_ERR_INVALID;
}

const char *rfn_det_band_name(rfn_det_band band)
{
    return (int)band >= 0 && band < RFN_DET_BAND_COUNT ? band_names[band] : "unknown";
}

rfn_det_band rfn_det_band_for_freq(double freq_hz)
{
    if (freq_hz < 150e3)
        return RFN_DET_BAND_A;
    if (freq_hz < 30e6)
        return RFN_DET_BAND_B;
    if (freq_hz <= 1e9)
        return RFN_DET_BAND_CD;
    return RFN_DET_BAND_E;
}

static const char *const det_names[] = {"peak", "rms", "cispr_avg", "rms_avg", "qp"};
_Static_assert(sizeof det_names / sizeof det_names[0] == RFN_DET_KIND_COUNT,
               "a name for every detector kind");

const char *rfn_det_name(rfn_det_kind kind)
{
    for (int i = 0; i < RFN_DET_KIND_COUNT; i++)
        if ((unsigned)kind == 1u << i)
            return det_names[i];
    return "unknown";
}

rfn_status rfn_det_parse_list(const char *list, unsigned *flags, rfn_error *err)
{
    if (!list || !flags)
        return rfn_error_set(err, RFN_ERR_INVALID, "detectors: missing list");
    unsigned f = 0;
    const char *p = list;
    for (;;) {
        const char *end = p;
        while (*end && *end != ',')
            end++;
        size_t len = (size_t)(end - p);
        int found = -1;
        for (int i = 0; i < RFN_DET_KIND_COUNT; i++)
            if (strlen(det_names[i]) == len && strncmp(p, det_names[i], len) == 0)
                found = i;
        if (found < 0)
            return rfn_error_set(err, RFN_ERR_INVALID,
                                 "detectors: unknown detector '%.*s' (peak, rms, cispr_avg, "
                                 "rms_avg, qp)", (int)len, p);
        f |= 1u << found;
        if (!*end)
            break;
        p = end + 1;
    }
    *flags = f;
    return RFN_OK;
}

/* ---- the detector object ---------------------------------------------------------------------
 * Per bin, all in double (docs/style.md §Numbers: accumulate in double):
 *  peak     max of power.
 *  rms      sum of power / frames.
 *  qp       charge circuit: a half-wave rectifier on the IF sine charges C through Rc while the
 *           sine's crest exceeds V (cycle-averaged: dV/dt = (e / T) h(V / e), rect_h below), and
 *           Rd always discharges it (dV/dt = -V / Td). T is solved at create so that a suddenly
 *           applied sine reaches 63 % of its final value in the charge time constant (CISPR
 *           16-1-1's definition); the charge is stepped per frame, the discharge per block. A
 *           steady sine settles at x_f e (h(x_f) / x_f = T / Td), so V is divided by x_f to read
 *           a continuous sine at its level, as a receiver is calibrated to. Then the meter.
 *  meter    critically damped second-order movement: H(s) = 1 / (1 + s T_M)^2, two cascaded
 *           first-order lags of T_M (CISPR 16-1-1 defines T_M as the free period / 2 pi), the
 *           reading being the maximum of its output.
 *  cispr_avg  meter on the envelope e (linear average), maximum.
 *  rms_avg  power through a first-order integrator tau = 1 / (4 f_c), sqrt, meter, maximum. A
 *           pulse train of rate f reads sqrt(E f) for f >> f_c (rms law) and 2 f sqrt(E tau) for
 *           f << f_c (linear law); the two meet at f = 1 / (4 tau) = f_c.
 * The meters, the rms integrator and the QP discharge change slowly (time constants >= 2.5 ms
 * against frames of a few microseconds), so they are stepped once per block of K frames on the
 * block's mean input, with K chosen so that a block is at most 1/100 of the shortest of those
 * time constants (and at most 256 frames). */
/* Charge current of a half-wave peak rectifier fed by a sine of amplitude e at the IF, averaged
 * over the IF cycle (the IF is thousands of times faster than any time constant here), relative
 * to its value at V = 0: the diode conducts while e sin(t) > V, so
 *   (1/2pi) integral (e sin t - V)+ dt = (e/pi) h(V/e),  h(x) = sqrt(1 - x^2) - x arccos(x),
 * h(0) = 1, h(1) = 0. Driving the charge with the envelope itself, (e - V)+, reads slow pulse
 * trains 2-3.5 dB low against the CISPR 16-1-1 pulse-response table; the rectifier law meets it
 * (tests/dsp/test_detector.c). */
static double rect_h(double x)
{
    if (x <= 0.0)
        return 1.0;
    if (x >= 1.0)
        return 0.0;
    return sqrt(1.0 - x * x) - x * acos(x);
}

/* dV/dt = (e / T) h(V / e) - V / Td with e = 1 from V = 0: V after t seconds (RK4, fine steps),
 * and its final value x_f where h(x_f) / x_f = T / Td. */
static double qp_step_response(double T, double Td, double t)
{
    const int n = 4000;
    double h = t / n, v = 0.0;
    for (int i = 0; i < n; i++) {
        double k1 = rect_h(v) / T - v / Td;
        double k2 = rect_h(v + 0.5 * h * k1) / T - (v + 0.5 * h * k1) / Td;
        double k3 = rect_h(v + 0.5 * h * k2) / T - (v + 0.5 * h * k2) / Td;
        double k4 = rect_h(v + h * k3) / T - (v + h * k3) / Td;
        v += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return v;
}

static double qp_final(double T, double Td)
{
    double lo = 0.0, hi = 1.0; /* h(x)/x - T/Td decreases in x */
    for (int i = 0; i < 60; i++) {
        double x = 0.5 * (lo + hi);
        if (rect_h(x) / x > T / Td)
            lo = x;
        else
            hi = x;
    }
    return 0.5 * (lo + hi);
}

/* CISPR 16-1-1 defines the charge time constant as the time a suddenly applied constant sine
 * takes to bring the detector output to 63 % (1 - 1/e) of its final value. Find the rectifier's
 * T that does so (bisection in log T; the step time grows with T). */
static double qp_calibrate(double Tc, double Td)
{
    double lo = Tc * 1e-3, hi = Tc * 10.0;
    for (int i = 0; i < 50; i++) {
        double T = sqrt(lo * hi);
        if (qp_step_response(T, Td, Tc) < (1.0 - exp(-1.0)) * qp_final(T, Td))
            hi = T; /* too slow */
        else
            lo = T;
    }
    return sqrt(lo * hi);
}

/* The per-bin state arrays, n each, carved from one float and one double block: a detector's
 * state is a name in these lists, and the struct's fields, the block sizes and the carving all
 * follow (issue 13: counts typed by hand had to match the arrays). Floats are per-frame state,
 * so that the frame loop vectorises (summed over at most 256 frames before reaching the double
 * accumulators); doubles are block-rate state. */
#define DET_FLOAT_STATE(X) X(peak) X(blk_p) X(blk_e) X(blk_v) X(qp_v)
#define DET_DOUBLE_STATE(X)                                                                    \
    X(rms_sum) X(qp_m1) X(qp_m2) X(qp_max) X(av_m1) X(av_m2) X(av_max) X(ra_i) X(ra_m1)         \
        X(ra_m2) X(ra_max)
#define DET_FLOAT_FIELD(name) float *name;
#define DET_DOUBLE_FIELD(name) double *name;
#define DET_ONE(name) +1
#define DET_ADDR(name) &d->name,
enum { DET_N_FLOAT = 0 DET_FLOAT_STATE(DET_ONE), DET_N_DOUBLE = 0 DET_DOUBLE_STATE(DET_ONE) };

struct rfn_detector {
    rfn_detector_config cfg;
    size_t n;        /* bins */
    size_t K, k;     /* frames per block, frames in the current block */
    uint64_t frames;
    /* per-frame coefficients */
    double qp_c, qp_d; /* V += qp_c e h(V/e) ; V *= qp_d */
    double qp_scale;   /* 1 / x_f: a steady sine's V reads its amplitude */
    /* per-block coefficients */
    double a_qpm, a_avm, a_rms;
    DET_FLOAT_STATE(DET_FLOAT_FIELD)   /* per-frame state (DET_FLOAT_STATE) */
    float qp_dk;       /* qp_d^K: the discharge, applied once per block */
    DET_DOUBLE_STATE(DET_DOUBLE_FIELD) /* block-rate state (DET_DOUBLE_STATE) */
    float *fmem;  /* the float arrays, in one block */
    double *mem;  /* the double arrays, likewise */
};

rfn_detector_config rfn_detector_config_default(void)
{
    rfn_detector_config c = {.n_bins = 1, .frame_rate_hz = 480e3, .detectors = RFN_DET_ALL,
                             .params = band_params[RFN_DET_BAND_CD]};
    return c;
}

rfn_status rfn_detector_create(const rfn_detector_config *cfg, rfn_detector **out,
                               rfn_error *err)
{
    if (!cfg || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: missing configuration");
    *out = NULL;
    const rfn_det_params *p = &cfg->params;
    double fr = cfg->frame_rate_hz;
    if (cfg->n_bins < 1 || cfg->n_bins > ((size_t)1 << 24) ||
        (cfg->frame_stride && cfg->frame_stride < cfg->n_bins))
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: n_bins %zu (stride %zu) out of range",
                             cfg->n_bins, cfg->frame_stride);
    if (!(fr > 0.0) || !isfinite(fr))
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: frame_rate_hz must be > 0");
    if (!(cfg->detectors & RFN_DET_ALL) || (cfg->detectors & ~(unsigned)RFN_DET_ALL))
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: no valid detector selected");
    double min_tc = INFINITY; /* shortest block-stepped time constant */
    if (cfg->detectors & RFN_DET_QP) {
        if (!(p->qp_charge_s > 0.0 && p->qp_discharge_s > 0.0 && p->qp_meter_s > 0.0))
            return rfn_error_set(err, RFN_ERR_INVALID,
                                 "detector: quasi-peak is not defined for these parameters "
                                 "(Band E)");
        if (p->qp_charge_s * fr < 2.0)
            return rfn_error_set(err, RFN_ERR_INVALID,
                                 "detector: frame rate %g Hz too low for a %g s QP charge", fr,
                                 p->qp_charge_s);
        min_tc = fmin(min_tc, p->qp_meter_s);
    }
    if (cfg->detectors & (RFN_DET_CISPR_AVG | RFN_DET_RMS_AVG)) {
        if (!(p->avg_meter_s > 0.0))
            return rfn_error_set(err, RFN_ERR_INVALID, "detector: avg_meter_s must be > 0");
        min_tc = fmin(min_tc, p->avg_meter_s);
    }
    if (cfg->detectors & RFN_DET_RMS_AVG) {
        if (!(p->rms_corner_hz > 0.0))
            return rfn_error_set(err, RFN_ERR_INVALID, "detector: rms_corner_hz must be > 0");
        min_tc = fmin(min_tc, 1.0 / (4.0 * p->rms_corner_hz));
    }
    if (isfinite(min_tc) && min_tc * fr < 2.0)
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "detector: frame rate %g Hz too low for a %g s time constant", fr,
                             min_tc);

    rfn_detector *d = calloc(1, sizeof *d);
    if (!d)
        return rfn_error_set(err, RFN_ERR_NOMEM, "detector: out of memory");
    d->cfg = *cfg;
    d->n = cfg->n_bins;
    size_t K = isfinite(min_tc) ? (size_t)floor(min_tc * fr / 100.0) : 256;
    d->K = K < 1 ? 1 : (K > 256 ? 256 : K);
    const size_t n = d->n;
    d->mem = calloc(n * DET_N_DOUBLE, sizeof(double));
    d->fmem = calloc(n * DET_N_FLOAT, sizeof(float));
    if (!d->mem || !d->fmem) {
        rfn_detector_destroy(d);
        return rfn_error_set(err, RFN_ERR_NOMEM, "detector: out of memory for %zu bins", n);
    }
    double **arr[] = {DET_DOUBLE_STATE(DET_ADDR)};
    for (size_t i = 0; i < DET_N_DOUBLE; i++)
        *arr[i] = d->mem + i * n;
    float **farr[] = {DET_FLOAT_STATE(DET_ADDR)};
    for (size_t i = 0; i < DET_N_FLOAT; i++)
        *farr[i] = d->fmem + i * n;

    double dt = 1.0 / fr, dtb = (double)d->K / fr;
    if (cfg->detectors & RFN_DET_QP) {
        double T = qp_calibrate(p->qp_charge_s, p->qp_discharge_s);
        d->qp_c = dt / T;
        d->qp_d = exp(-dt / p->qp_discharge_s);
        d->qp_scale = 1.0 / qp_final(T, p->qp_discharge_s);
        d->qp_dk = (float)pow(d->qp_d, (double)d->K);
        d->a_qpm = 1.0 - exp(-dtb / p->qp_meter_s);
    }
    if (cfg->detectors & (RFN_DET_CISPR_AVG | RFN_DET_RMS_AVG))
        d->a_avm = 1.0 - exp(-dtb / p->avg_meter_s);
    if (cfg->detectors & RFN_DET_RMS_AVG)
        d->a_rms = 1.0 - exp(-dtb * 4.0 * p->rms_corner_hz);
    *out = d;
    return RFN_OK;
}

/* x86-64 builds also get an AVX2 clone of the bin loops, picked at load time (glibc ifunc), for
 * twice the vector width; results are the same IEEE operations in either clone. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__APPLE__)
#define RFN_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define RFN_VECTOR_CLONES
#endif

/* Critically damped meter (two first-order lags of coefficient a) on the block's mean input
 * x[j] * scale, with max-hold of its output. */
RFN_VECTOR_CLONES
static void meter_step(size_t n, const float *restrict x, double scale, double a,
                       double *restrict m1, double *restrict m2, double *restrict mx)
{
    for (size_t j = 0; j < n; j++) {
        double u = (double)x[j] * scale;
        double y1 = m1[j] + a * (u - m1[j]);
        double y2 = m2[j] + a * (y1 - m2[j]);
        m1[j] = y1;
        m2[j] = y2;
        mx[j] = y2 > mx[j] ? y2 : mx[j];
    }
}

/* RMS-average: power integrator (coefficient ar) then sqrt then the meter. */
RFN_VECTOR_CLONES
static void rms_avg_step(size_t n, const float *restrict p, double inv, double ar, double a,
                         double *restrict ri, double *restrict m1, double *restrict m2,
                         double *restrict mx)
{
    for (size_t j = 0; j < n; j++) {
        double r = ri[j] + ar * ((double)p[j] * inv - ri[j]);
        double u = sqrt(r);
        double y1 = m1[j] + a * (u - m1[j]);
        double y2 = m2[j] + a * (y1 - m2[j]);
        ri[j] = r;
        m1[j] = y1;
        m2[j] = y2;
        mx[j] = y2 > mx[j] ? y2 : mx[j];
    }
}

/* Block-end bookkeeping: rms sum, QP discharge, clearing the block sums. */
RFN_VECTOR_CLONES
static void block_clear(size_t n, float *restrict bp, float *restrict be, float *restrict bv,
                        float *restrict qv, float qdk, double *restrict rms_sum)
{
    for (size_t j = 0; j < n; j++) {
        rms_sum[j] += (double)bp[j];
        bp[j] = 0.0f;
        be[j] = 0.0f;
        bv[j] = 0.0f;
        qv[j] *= qdk;
    }
}

/* Step the block-rate stages with the mean inputs of the k frames just accumulated. */
static void end_block(rfn_detector *d)
{
    const size_t n = d->n;
    const unsigned det = d->cfg.detectors;
    const double inv = 1.0 / (double)d->k;
    if (det & RFN_DET_QP)
        meter_step(n, d->blk_v, inv * d->qp_scale, d->a_qpm, d->qp_m1, d->qp_m2, d->qp_max);
    if (det & RFN_DET_CISPR_AVG)
        meter_step(n, d->blk_e, inv, d->a_avm, d->av_m1, d->av_m2, d->av_max);
    if (det & RFN_DET_RMS_AVG)
        rms_avg_step(n, d->blk_p, inv, d->a_rms, d->a_avm, d->ra_i, d->ra_m1, d->ra_m2,
                     d->ra_max);
    block_clear(n, d->blk_p, d->blk_e, d->blk_v, d->qp_v, (det & RFN_DET_QP) ? d->qp_dk : 1.0f,
                d->rms_sum);
    d->k = 0;
}

/* h(x) of rect_h in terms of y = 1 - x = (e - V) / e: h = y^1.5 (c0 + c1 y + c2 y^2), c0 =
 * 2 sqrt(2) / 3 from h's expansion at x -> 1 and c1, c2 a least-squares fit with c0 + c1 + c2 = 1
 * (h(0) = 1): relative error < 3e-4 over [0, 1]. The charge per frame is then
 * qc e h = qc (e - V) sqrt(y) (c0 + c1 y + c2 y^2), without a branch or a table. */
#define QP_C0 0.94280904f
#define QP_C1 0.04504712f
#define QP_C2 0.01214384f

/* One frame of every per-frame stage; written as one branch-free loop over the bins so that
 * the compiler vectorises it. */
RFN_VECTOR_CLONES
static void frame_qp(size_t n, const float *restrict pw, float *restrict peak,
                     float *restrict blk_p, float *restrict blk_e, float *restrict blk_v,
                     float *restrict qv, float qc)
{
    for (size_t j = 0; j < n; j++) {
        float p = pw[j];
        peak[j] = p > peak[j] ? p : peak[j];
        blk_p[j] += p;
        float e = sqrtf(p);
        float v = qv[j];
        float dv = e - v;
        dv = dv > 0.0f ? dv : 0.0f;
        float y = dv / (e + 1e-30f);
        v += qc * dv * sqrtf(y) * (QP_C0 + y * (QP_C1 + y * QP_C2));
        qv[j] = v;
        blk_v[j] += v;
        blk_e[j] += e;
    }
}

RFN_VECTOR_CLONES
static void frame_noqp(size_t n, const float *restrict pw, float *restrict peak,
                       float *restrict blk_p, float *restrict blk_e, int need_e)
{
    for (size_t j = 0; j < n; j++) {
        float p = pw[j];
        peak[j] = p > peak[j] ? p : peak[j];
        blk_p[j] += p;
    }
    if (need_e)
        for (size_t j = 0; j < n; j++)
            blk_e[j] += sqrtf(pw[j]);
}

void rfn_detector_write(rfn_detector *d, const float *power, size_t n_frames)
{
    const size_t n = d->n, stride = d->cfg.frame_stride ? d->cfg.frame_stride : n;
    const unsigned det = d->cfg.detectors;
    const float qc = (float)d->qp_c;
    for (size_t f = 0; f < n_frames; f++) {
        const float *pw = power + f * stride;
        if (det & RFN_DET_QP)
            frame_qp(n, pw, d->peak, d->blk_p, d->blk_e, d->blk_v, d->qp_v, qc);
        else
            frame_noqp(n, pw, d->peak, d->blk_p, d->blk_e, (det & RFN_DET_CISPR_AVG) != 0);
        if (++d->k == d->K)
            end_block(d);
    }
    d->frames += n_frames;
}

rfn_status rfn_detector_get(const rfn_detector *d, rfn_det_kind kind, double *out,
                            rfn_error *err)
{
    if (!d || !out)
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: missing argument");
    if (!(d->cfg.detectors & (unsigned)kind) || (kind & (kind - 1)))
        return rfn_error_set(err, RFN_ERR_INVALID, "detector: %s was not configured",
                             rfn_det_name(kind));
    const size_t n = d->n;
    /* Frames of a block in progress count for rms (they are in blk_p); the block-rate meters
     * only see whole blocks, a lag of at most 1/100 of their time constant. */
    for (size_t j = 0; j < n; j++) {
        double v = 0.0;
        switch (kind) {
        case RFN_DET_PEAK:
            v = d->peak[j];
            break;
        case RFN_DET_RMS:
            v = d->frames ? (d->rms_sum[j] + d->blk_p[j]) / (double)d->frames : 0.0;
            break;
        case RFN_DET_CISPR_AVG:
            v = d->av_max[j] * d->av_max[j];
            break;
        case RFN_DET_RMS_AVG:
            v = d->ra_max[j] * d->ra_max[j];
            break;
        case RFN_DET_QP:
            v = d->qp_max[j] * d->qp_max[j];
            break;
        default:
            return rfn_error_set(err, RFN_ERR_INVALID, "detector: unknown kind %d", (int)kind);
        }
        out[j] = v;
    }
    return RFN_OK;
}

uint64_t rfn_detector_frames(const rfn_detector *d)
{
    return d->frames;
}

void rfn_detector_reset(rfn_detector *d)
{
    memset(d->mem, 0, d->n * DET_N_DOUBLE * sizeof(double));
    memset(d->fmem, 0, d->n * DET_N_FLOAT * sizeof(float));
    d->k = 0;
    d->frames = 0;
}

void rfn_detector_destroy(rfn_detector *d)
{
    if (!d)
        return;
    free(d->mem);
    free(d->fmem);
    free(d);
}

double rfn_noise_rise_db(double floor_on, double floor_off)
{
    if (!(floor_on > 0.0) || !(floor_off > 0.0))
        return NAN;
    return 10.0 * log10(floor_on / floor_off);
}

double rfn_noise_excess(double floor_on, double floor_off)
{
    double x = floor_on - floor_off;
    return x > 0.0 ? x : 0.0;
}
