/* SPDX-License-Identifier: GPL-2.0-or-later */
/* noise_gen.h: fixed-seed complex Gaussian noise for DSP tests (xorshift64* + Box-Muller), so
 * that no test depends on the C library's rand(). */
#ifndef RFN_TEST_NOISE_GEN_H
#define RFN_TEST_NOISE_GEN_H

#include <complex.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

typedef struct noise_gen {
    uint64_t s;
} noise_gen;

static inline double noise_uniform(noise_gen *g) /* (0, 1) */
{
    g->s ^= g->s >> 12;
    g->s ^= g->s << 25;
    g->s ^= g->s >> 27;
    return ((double)((g->s * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

/* n samples of circular complex Gaussian noise with E|x|^2 = power. */
static inline void noise_fill(noise_gen *g, float complex *x, size_t n, double power)
{
    double s = sqrt(power / 2.0);
    for (size_t i = 0; i < n; i++) {
        double r = sqrt(-2.0 * log(noise_uniform(g))), t = 2.0 * M_PI * noise_uniform(g);
        x[i] = (float)(s * r * cos(t)) + I * (float)(s * r * sin(t));
    }
}

#endif
