/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synth.c: synthetic captures built from a thermal floor and the components of synth.h. Filtered
 * noise is made by overlap-save FFT convolution of white Gaussian noise with a windowed-sinc
 * low-pass, then shifted to its centre frequency, so any bandwidth costs O(log N) per sample. */
#include "synth.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fft.h"

/* ---- filtered noise source ------------------------------------------------------------------- */

/* A stream of white complex noise (or a sparse impulse train) filtered to |f| < bw/2 and shifted
 * to freq_offset, produced in overlap-save blocks of hop = n_fft - (taps - 1) samples. */
typedef struct filtered {
    size_t taps, n_fft, hop;
    rfn_fft *fwd, *inv;
    float complex *H;      /* filter spectrum, scaled by 1/n_fft for the inverse transform */
    float complex *hist;   /* last taps-1 input samples */
    float complex *ready;  /* hop output samples */
    size_t ready_pos;
    gsl_rng *rng;
    double in_scale;       /* input amplitude (per-component sigma, or impulse amplitude) */
    double impulse_period; /* samples between impulses; 0 = Gaussian noise input */
    double next_impulse;   /* sample index of the next impulse */
    uint64_t in_count;     /* input samples generated */
    double complex rot, phasor; /* frequency shift */
    uint64_t out_count;
} filtered;

static void filtered_destroy(filtered *f)
{
    if (!f)
        return;
    rfn_fft_destroy(f->fwd);
    rfn_fft_destroy(f->inv);
    rfn_fft_free(f->H);
    free(f->hist);
    free(f->ready);
    if (f->rng)
        gsl_rng_free(f->rng);
    free(f);
}

static size_t next_pow2(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Blackman-windowed sinc low-pass with cutoff bw/2 (Oppenheim & Schafer 7.5): unit DC gain. Its
 * length grows as fs/bw so the transition band stays ~10 % of bw, capped for very narrow bands. */
static rfn_status filtered_create(double fs, double bw, double freq_offset, uint64_t seed,
                                  filtered **out, rfn_error *err)
{
    *out = NULL;
    filtered *f = calloc(1, sizeof *f);
    if (!f)
        return rfn_error_set(err, RFN_ERR_NOMEM, "synth: out of memory");
    size_t taps = (size_t)ceil(60.0 * fs / bw);
    if (taps > 16383)
        taps = 16383;
    taps |= 1;
    f->taps = taps;
    f->n_fft = next_pow2(4 * taps);
    f->hop = f->n_fft - (taps - 1);
    rfn_fft_config fc = rfn_fft_config_default();
    fc.n = f->n_fft;
    fc.effort = RFN_FFT_ESTIMATE;
    fc.in_place = 1;
    rfn_status st = rfn_fft_create(&fc, &f->fwd, err);
    if (!st) {
        fc.inverse = 1;
        st = rfn_fft_create(&fc, &f->inv, err);
    }
    f->H = rfn_fft_malloc(f->n_fft * sizeof *f->H);
    f->hist = calloc(taps, sizeof *f->hist);
    f->ready = calloc(f->hop, sizeof *f->ready);
    f->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (st || !f->H || !f->hist || !f->ready || !f->rng) {
        filtered_destroy(f);
        return st ? st : rfn_error_set(err, RFN_ERR_NOMEM, "synth: out of memory");
    }
    gsl_rng_set(f->rng, (unsigned long)seed);

    float complex *h = rfn_fft_input(f->fwd);
    memset(h, 0, f->n_fft * sizeof *h);
    double fc_norm = 0.5 * bw / fs, sum = 0.0, mid = (double)(taps - 1) / 2.0;
    for (size_t k = 0; k < taps; k++) {
        double t = (double)k - mid;
        double sinc = t == 0.0 ? 2.0 * fc_norm : sin(2.0 * M_PI * fc_norm * t) / (M_PI * t);
        double win = 0.42 - 0.5 * cos(2.0 * M_PI * (double)k / (double)(taps - 1)) +
                     0.08 * cos(4.0 * M_PI * (double)k / (double)(taps - 1));
        h[k] = (float)(sinc * win);
        sum += sinc * win;
    }
    double sum2 = 0.0, peak = 0.0;
    for (size_t k = 0; k < taps; k++) {
        h[k] /= (float)sum;
        sum2 += (double)crealf(h[k]) * crealf(h[k]);
        if (fabs(crealf(h[k])) > peak)
            peak = fabs(crealf(h[k]));
    }
    /* in_scale defaults to 1/sqrt(sum h^2): unit output power for unit-power white input. */
    f->in_scale = 1.0 / sqrt(sum2);
    f->impulse_period = peak; /* stashed: caller turns it into the impulse amplitude */
    rfn_fft_execute(f->fwd);
    for (size_t k = 0; k < f->n_fft; k++)
        f->H[k] = h[k] / (float)f->n_fft;
    f->rot = cexp(I * 2.0 * M_PI * freq_offset / fs);
    f->phasor = 1.0;
    f->ready_pos = f->hop;
    *out = f;
    return RFN_OK;
}

static void filtered_refill(filtered *f)
{
    float complex *x = rfn_fft_input(f->fwd);
    size_t keep = f->taps - 1;
    memcpy(x, f->hist, keep * sizeof *x);
    for (size_t k = 0; k < f->hop; k++) {
        double re = 0.0, im = 0.0;
        if (f->impulse_period > 0.0) {
            if ((double)f->in_count >= f->next_impulse) {
                double ph = 2.0 * M_PI * gsl_rng_uniform(f->rng);
                re = f->in_scale * cos(ph);
                im = f->in_scale * sin(ph);
                f->next_impulse += f->impulse_period;
            }
        } else {
            /* Complex unit power: each component has variance 1/2. */
            re = f->in_scale * gsl_ran_gaussian_ziggurat(f->rng, M_SQRT1_2);
            im = f->in_scale * gsl_ran_gaussian_ziggurat(f->rng, M_SQRT1_2);
        }
        x[keep + k] = (float)re + I * (float)im;
        f->in_count++;
    }
    memcpy(f->hist, x + f->hop, keep * sizeof *x);
    rfn_fft_execute(f->fwd);
    for (size_t k = 0; k < f->n_fft; k++)
        x[k] *= f->H[k];
    rfn_fft_execute_on(f->inv, x, x);
    /* Overlap-save: the first taps-1 outputs are circular wrap-around and are discarded. */
    for (size_t k = 0; k < f->hop; k++) {
        f->ready[k] = (float complex)(x[keep + k] * f->phasor);
        f->phasor *= f->rot;
        if ((++f->out_count & 1023) == 0)
            f->phasor /= cabs(f->phasor);
    }
    f->ready_pos = 0;
}

static inline float complex filtered_next(filtered *f)
{
    if (f->ready_pos == f->hop)
        filtered_refill(f);
    return f->ready[f->ready_pos++];
}

/* ---- the generator --------------------------------------------------------------------------- */

typedef struct comp_state {
    synth_component c;
    double amp;          /* tone/comb line amplitude, or output scale of filtered noise */
    double complex *phasor, *rot; /* per tone/comb line */
    int n_rot;
    filtered *flt;
    uint64_t period_samples, on_samples, start_sample;
} comp_state;

struct synth {
    synth_config cfg;
    gsl_rng *rng;
    double sigma; /* thermal noise per real component */
    comp_state comp[SYNTH_MAX_COMPONENTS];
    uint64_t n;
};

synth_config synth_config_default(void)
{
    synth_config c;
    memset(&c, 0, sizeof c);
    c.sample_rate_hz = 1e6;
    c.noise_dbfs_hz = -130.0;
    c.seed = 1;
    return c;
}

static double db_to_lin(double db)
{
    return pow(10.0, db / 10.0);
}

void synth_destroy(synth *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cfg.n_components; i++) {
        free(s->comp[i].phasor);
        free(s->comp[i].rot);
        filtered_destroy(s->comp[i].flt);
    }
    if (s->rng)
        gsl_rng_free(s->rng);
    free(s);
}

static rfn_status check_component(const synth_config *cfg, size_t i, rfn_error *err)
{
    const synth_component *c = &cfg->components[i];
    double fs = cfg->sample_rate_hz;
    if (!isfinite(c->freq_hz) || !isfinite(c->power_dbfs))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: frequency and power "
                             "must be finite", i + 1);
    if ((c->kind == SYNTH_BROADBAND || c->kind == SYNTH_BURSTS) &&
        !(c->bandwidth_hz > 0.0 && c->bandwidth_hz < fs))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: bandwidth %g Hz must "
                             "be in (0, %g)", i + 1, c->bandwidth_hz, fs);
    if (c->kind == SYNTH_IMPULSES && (c->bandwidth_hz < 0.0 || c->bandwidth_hz >= fs))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: bandwidth %g Hz must "
                             "be in [0, %g)", i + 1, c->bandwidth_hz, fs);
    if (c->kind == SYNTH_COMB && (c->n_lines < 1 || c->n_lines > 100000 || !(c->spacing_hz > 0)))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: a comb needs 1..100000 "
                             "lines and a spacing > 0", i + 1);
    if (c->kind == SYNTH_BURSTS && (!(c->period_s > 0.0) || !(c->duty > 0.0 && c->duty <= 1.0) ||
                                    !(c->start_s >= 0.0)))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: bursts need period > "
                             "0, 0 < duty <= 1 and start >= 0", i + 1);
    if (c->kind == SYNTH_IMPULSES && !(c->rate_hz > 0.0 && c->rate_hz <= fs))
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: impulse rate must be "
                             "in (0, %g]", i + 1, fs);
    if ((int)c->kind < 0 || c->kind >= SYNTH_KIND_COUNT)
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: component %zu: unknown kind", i + 1);
    return RFN_OK;
}

rfn_status synth_create(const synth_config *cfg, synth **out, rfn_error *err)
{
    *out = NULL;
    if (!cfg || !(cfg->sample_rate_hz > 0.0) || !isfinite(cfg->sample_rate_hz) ||
        !isfinite(cfg->center_freq_hz) || isnan(cfg->noise_dbfs_hz) ||
        cfg->n_components > SYNTH_MAX_COMPONENTS || cfg->clip_level < 0.0)
        return rfn_error_set(err, RFN_ERR_INVALID, "synth: bad configuration (sample rate, "
                             "centre, floor, clip level or component count)");
    for (size_t i = 0; i < cfg->n_components; i++) {
        rfn_status st = check_component(cfg, i, err);
        if (st)
            return st;
    }
    synth *s = calloc(1, sizeof *s);
    if (!s || !(s->rng = gsl_rng_alloc(gsl_rng_mt19937))) {
        free(s);
        return rfn_error_set(err, RFN_ERR_NOMEM, "synth: out of memory");
    }
    s->cfg = *cfg;
    gsl_rng_set(s->rng, (unsigned long)cfg->seed);
    double fs = cfg->sample_rate_hz;
    /* Two-sided density N0 over fs gives total power N0 fs, split between I and Q. */
    s->sigma = isinf(cfg->noise_dbfs_hz) ? 0.0 : sqrt(db_to_lin(cfg->noise_dbfs_hz) * fs / 2.0);

    for (size_t i = 0; i < cfg->n_components; i++) {
        comp_state *cs = &s->comp[i];
        cs->c = cfg->components[i];
        double off = cs->c.freq_hz - cfg->center_freq_hz;
        double p = db_to_lin(cs->c.power_dbfs);
        uint64_t sub_seed = cfg->seed * 1000003ULL + i + 1;
        rfn_status st = RFN_OK;
        switch (cs->c.kind) {
        case SYNTH_TONE:
        case SYNTH_COMB: {
            int n = cs->c.kind == SYNTH_TONE ? 1 : cs->c.n_lines;
            cs->phasor = malloc((size_t)n * sizeof *cs->phasor);
            cs->rot = malloc((size_t)n * sizeof *cs->rot);
            if (!cs->phasor || !cs->rot) {
                synth_destroy(s);
                return rfn_error_set(err, RFN_ERR_NOMEM, "synth: out of memory");
            }
            cs->n_rot = n;
            cs->amp = sqrt(p);
            for (int k = 0; k < n; k++) {
                double f = off + (cs->c.kind == SYNTH_COMB ? k * cs->c.spacing_hz : 0.0);
                /* A single tone starts at phase 0; comb lines get fixed random phases so that
                 * their sum has the crest factor of a real harmonic series, not one spike. */
                double ph = cs->c.kind == SYNTH_COMB ? 2.0 * M_PI * gsl_rng_uniform(s->rng) : 0;
                cs->phasor[k] = cexp(I * ph);
                cs->rot[k] = cexp(I * 2.0 * M_PI * f / fs);
            }
            break;
        }
        case SYNTH_BROADBAND:
        case SYNTH_BURSTS:
            st = filtered_create(fs, cs->c.bandwidth_hz, off, sub_seed, &cs->flt, err);
            cs->amp = sqrt(p);
            if (cs->c.kind == SYNTH_BURSTS) {
                cs->period_samples = (uint64_t)llround(cs->c.period_s * fs);
                cs->on_samples = (uint64_t)llround(cs->c.duty * cs->c.period_s * fs);
                cs->start_sample = (uint64_t)llround(cs->c.start_s * fs);
                if (cs->period_samples == 0)
                    cs->period_samples = 1;
            }
            break;
        case SYNTH_IMPULSES: {
            double bw = cs->c.bandwidth_hz > 0.0 ? cs->c.bandwidth_hz : 0.999 * fs;
            st = filtered_create(fs, bw, cs->c.bandwidth_hz > 0.0 ? off : 0.0, sub_seed, &cs->flt,
                                 err);
            if (!st) {
                /* Peak envelope of a filtered impulse of amplitude a is a * max|h|. */
                double hpeak = cs->flt->impulse_period;
                cs->flt->in_scale = sqrt(p) / hpeak;
                cs->flt->impulse_period = fs / cs->c.rate_hz;
                cs->flt->next_impulse = 0.5 * cs->flt->impulse_period;
            }
            cs->amp = 1.0;
            break;
        }
        default:
            break;
        }
        if (st) {
            synth_destroy(s);
            return st;
        }
    }
    *out = s;
    return RFN_OK;
}

void synth_generate(synth *s, float complex *out, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint64_t idx = s->n + k;
        double re = 0.0, im = 0.0;
        if (s->sigma > 0.0) {
            re = gsl_ran_gaussian_ziggurat(s->rng, s->sigma);
            im = gsl_ran_gaussian_ziggurat(s->rng, s->sigma);
        }
        double complex acc = re + I * im;
        for (size_t i = 0; i < s->cfg.n_components; i++) {
            comp_state *cs = &s->comp[i];
            switch (cs->c.kind) {
            case SYNTH_TONE:
            case SYNTH_COMB:
                for (int l = 0; l < cs->n_rot; l++) {
                    acc += cs->amp * cs->phasor[l];
                    cs->phasor[l] *= cs->rot[l];
                    /* Renormalise now and then: rounding would otherwise drift the amplitude. */
                    if ((idx & 1023) == 1023)
                        cs->phasor[l] /= cabs(cs->phasor[l]);
                }
                break;
            case SYNTH_BROADBAND:
            case SYNTH_IMPULSES:
                acc += cs->amp * filtered_next(cs->flt);
                break;
            case SYNTH_BURSTS: {
                /* The burst source runs continuously so the stream does not depend on gating. */
                float complex v = filtered_next(cs->flt);
                if (idx >= cs->start_sample &&
                    (idx - cs->start_sample) % cs->period_samples < cs->on_samples)
                    acc += cs->amp * v;
                break;
            }
            default:
                break;
            }
        }
        double c = s->cfg.clip_level;
        if (c > 0.0) {
            double r = creal(acc), q = cimag(acc);
            r = r > c ? c : r < -c ? -c : r;
            q = q > c ? c : q < -c ? -c : q;
            acc = r + I * q;
        }
        out[k] = (float complex)acc;
    }
    s->n += n;
}

uint64_t synth_samples(const synth *s)
{
    return s->n;
}

/* ---- parsing --------------------------------------------------------------------------------- */

static int parse_fields(const char *text, double *v, int max)
{
    int n = 0;
    const char *p = text;
    while (*p && n < max) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || (*end != ':' && *end != '\0'))
            return -1;
        v[n++] = x;
        p = *end == ':' ? end + 1 : end;
        if (*end == ':' && *p == '\0')
            return -1;
    }
    return *p ? -1 : n;
}

rfn_status synth_component_parse(const char *text, synth_component *out, rfn_error *err)
{
    static const struct {
        const char *name;
        synth_kind kind;
        int min_fields, max_fields;
        const char *form;
    } forms[] = {
        {"tone", SYNTH_TONE, 2, 2, "tone:F:P"},
        {"comb", SYNTH_COMB, 4, 4, "comb:F0:SPACING:N:P"},
        {"broadband", SYNTH_BROADBAND, 3, 3, "broadband:F:BW:P"},
        {"bursts", SYNTH_BURSTS, 5, 6, "bursts:F:BW:P:PERIOD:DUTY[:START]"},
        {"impulses", SYNTH_IMPULSES, 2, 4, "impulses:RATE:P[:F:BW]"},
    };
    memset(out, 0, sizeof *out);
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (strlen(forms[i].name) != name_len || strncmp(text, forms[i].name, name_len) != 0)
            continue;
        double v[6];
        int n = colon ? parse_fields(colon + 1, v, 6) : 0;
        if (n < forms[i].min_fields || n > forms[i].max_fields || (n == 3 && forms[i].kind ==
                                                                   SYNTH_IMPULSES))
            return rfn_error_set(err, RFN_ERR_INVALID, "'%s': expected %s", text, forms[i].form);
        for (int k = 0; k < n; k++)
            if (!isfinite(v[k]))
                return rfn_error_set(err, RFN_ERR_INVALID, "'%s': field %d is not finite", text,
                                     k + 1);
        out->kind = forms[i].kind;
        switch (out->kind) {
        case SYNTH_TONE:
            out->freq_hz = v[0], out->power_dbfs = v[1];
            break;
        case SYNTH_COMB:
            if (v[2] != floor(v[2]) || v[2] < 1 || v[2] > 100000)
                return rfn_error_set(err, RFN_ERR_INVALID, "'%s': N must be a whole number "
                                     "1..100000", text);
            out->freq_hz = v[0], out->spacing_hz = v[1], out->n_lines = (int)v[2];
            out->power_dbfs = v[3];
            break;
        case SYNTH_BROADBAND:
            out->freq_hz = v[0], out->bandwidth_hz = v[1], out->power_dbfs = v[2];
            break;
        case SYNTH_BURSTS:
            out->freq_hz = v[0], out->bandwidth_hz = v[1], out->power_dbfs = v[2];
            out->period_s = v[3], out->duty = v[4], out->start_s = n > 5 ? v[5] : 0.0;
            break;
        case SYNTH_IMPULSES:
            out->rate_hz = v[0], out->power_dbfs = v[1];
            if (n == 4)
                out->freq_hz = v[2], out->bandwidth_hz = v[3];
            break;
        default:
            break;
        }
        return RFN_OK;
    }
    return rfn_error_set(err, RFN_ERR_INVALID, "'%s': unknown component (tone, comb, broadband, "
                         "bursts, impulses)", text);
}

rfn_status synth_burst_annotations(const synth_config *cfg, int64_t n_samples,
                                   capture_annotation **out, size_t *n_out, rfn_error *err)
{
    size_t cap = 0, n = 0;
    capture_annotation *a = NULL;
    double fs = cfg->sample_rate_hz;
    for (size_t i = 0; i < cfg->n_components; i++) {
        const synth_component *c = &cfg->components[i];
        if (c->kind != SYNTH_BURSTS)
            continue;
        int64_t period = llround(c->period_s * fs), on = llround(c->duty * c->period_s * fs);
        if (period < 1)
            period = 1;
        for (int64_t s = llround(c->start_s * fs); s < n_samples && on > 0; s += period) {
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                capture_annotation *na = realloc(a, cap * sizeof *a);
                if (!na) {
                    free(a);
                    return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
                }
                a = na;
            }
            capture_annotation *x = &a[n++];
            memset(x, 0, sizeof *x);
            x->sample_start = s;
            x->sample_count = s + on > n_samples ? n_samples - s : on;
            x->freq_lo_hz = c->freq_hz - c->bandwidth_hz / 2.0;
            x->freq_hi_hz = c->freq_hz + c->bandwidth_hz / 2.0;
            snprintf(x->label, sizeof x->label, "hub-burst");
        }
    }
    *out = a;
    *n_out = n;
    return RFN_OK;
}
