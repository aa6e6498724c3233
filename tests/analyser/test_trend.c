/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_trend.c: the Poisson trend fit recovers known monthly growth rates; its 95 % interval
 * covers the truth about 95 % of the time; flat, falling and degenerate inputs. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "trend.h"

/* Monthly counts ~ Poisson(base * (1 + growth)^t), t = 0..n-1. */
static void generate(gsl_rng *rng, double base, double growth, size_t n, double *out)
{
    for (size_t t = 0; t < n; t++)
        out[t] = (double)gsl_ran_poisson(rng, base * pow(1.0 + growth, (double)t));
}

static void test_known_growth(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20261129);
    double c[36];
    trend_fit fit;
    rfn_error err = {0};
    /* 5 % a month over three years from 20 a month: rising, interval holds 5 %. */
    generate(rng, 20.0, 0.05, 36, c);
    CHECK_OK(trend_fit_poisson(c, 36, &fit, &err));
    CHECK(fit.direction == TREND_RISING);
    CHECK_MSG(fit.growth_lo <= 0.05 && 0.05 <= fit.growth_hi, "%g..%g", fit.growth_lo,
              fit.growth_hi);
    CHECK_NEAR(fit.growth, 0.05, 0.01);
    CHECK(fit.growth_lo < fit.growth && fit.growth < fit.growth_hi);
    CHECK(strcmp(trend_direction_name(fit.direction), "rising") == 0);
    /* -4 % a month from 80: falling. */
    generate(rng, 80.0, -0.04, 36, c);
    CHECK_OK(trend_fit_poisson(c, 36, &fit, &err));
    CHECK(fit.direction == TREND_FALLING);
    CHECK_MSG(fit.growth_lo <= -0.04 && -0.04 <= fit.growth_hi, "%g..%g", fit.growth_lo,
              fit.growth_hi);
    /* no growth: flat, interval holds 0 */
    generate(rng, 30.0, 0.0, 24, c);
    CHECK_OK(trend_fit_poisson(c, 24, &fit, &err));
    CHECK(fit.direction == TREND_FLAT);
    CHECK(fit.growth_lo < 0 && fit.growth_hi > 0);
    gsl_rng_free(rng);
}

/* Exact data on the curve: the fit returns the curve itself, dispersion stays 1. */
static void test_exact_curve(void)
{
    double c[12];
    for (int t = 0; t < 12; t++)
        c[t] = 100.0 * exp(0.1 * t);
    trend_fit fit;
    rfn_error err = {0};
    CHECK_OK(trend_fit_poisson(c, 12, &fit, &err));
    CHECK_NEAR(fit.slope, 0.1, 1e-9);
    CHECK_NEAR(fit.intercept, log(100.0), 1e-9);
    CHECK_NEAR(fit.dispersion, 1.0, 0);
    /* se of b for a Poisson GLM: 1 / sqrt(sum mu_t (t - tbar_w)^2), tbar_w the mu-weighted mean */
    double sw = 0, swt = 0, swtt = 0;
    for (int t = 0; t < 12; t++) {
        sw += c[t];
        swt += c[t] * t;
        swtt += c[t] * t * t;
    }
    CHECK_NEAR(fit.slope_se, 1.0 / sqrt(swtt - swt * swt / sw), 1e-9);
}

/* Coverage: over 400 seeded series the 95 % interval holds the true rate 91-99 % of the time. */
static void test_coverage(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    const double growth = 0.03;
    int hit = 0, n_runs = 400;
    double c[30];
    for (int k = 0; k < n_runs; k++) {
        generate(rng, 15.0, growth, 30, c);
        trend_fit fit;
        rfn_error err = {0};
        if (trend_fit_poisson(c, 30, &fit, &err) == RFN_OK && fit.growth_lo <= growth &&
            growth <= fit.growth_hi)
            hit++;
    }
    double cover = (double)hit / n_runs;
    CHECK_MSG(cover >= 0.91 && cover <= 0.99, "coverage %.3f", cover);
    gsl_rng_free(rng);
}

static void test_degenerate(void)
{
    trend_fit fit;
    rfn_error err = {0};
    double two[2] = {3, 4};
    CHECK_OK(trend_fit_poisson(two, 2, &fit, &err));
    CHECK(fit.direction == TREND_UNKNOWN);
    CHECK(strcmp(fit.note, "fewer than 3 months") == 0);
    double zeros[5] = {0};
    CHECK_OK(trend_fit_poisson(zeros, 5, &fit, &err));
    CHECK(fit.direction == TREND_UNKNOWN);
    CHECK(strcmp(fit.note, "no non-compliant installs") == 0);
    CHECK_OK(trend_fit_poisson(NULL, 0, &fit, &err)); /* no months at all */
    CHECK(fit.direction == TREND_UNKNOWN);
    CHECK(strcmp(fit.note, "no non-compliant installs") == 0);
    double bad[4] = {1, -1, 2, 3};
    CHECK(trend_fit_poisson(bad, 4, &fit, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "trend: month 1 has count -1") == 0);
    /* mostly zero months still converge */
    double sparse[10] = {0, 0, 1, 0, 0, 0, 2, 0, 0, 1};
    CHECK_OK(trend_fit_poisson(sparse, 10, &fit, &err));
    CHECK(fit.direction != TREND_UNKNOWN);
    CHECK(isfinite(fit.growth_lo) && isfinite(fit.growth_hi));
}

/* The report's question (issue 15): non-compliant meters installed at a rising *share* while
 * installs fall. Installs fall 6 % a month from 2,000; the non-compliant share rises 5 % a month
 * from 1 %, so the counts fall. The rate fit sees the rising share, which a count trend
 * misses; a month without installs carries no weight. */
static void test_rising_share_falling_volume(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20261205);
    enum { N = 30 };
    double installs[N], nc[N];
    for (size_t t = 0; t < N; t++) {
        installs[t] = round(2000.0 * pow(0.94, (double)t));
        double share = 0.01 * pow(1.05, (double)t);
        nc[t] = (double)gsl_ran_binomial(rng, share, (unsigned)installs[t]);
    }
    installs[7] = nc[7] = 0; /* a month the extract holds no installs for */
    trend_fit share, count;
    rfn_error err = {0};
    CHECK_OK(trend_fit_rate(nc, installs, N, &share, &err));
    CHECK_OK(trend_fit_poisson(nc, N, &count, &err));
    CHECK_MSG(share.direction == TREND_RISING, "share %s %g", trend_direction_name(share.direction),
              share.growth);
    CHECK_MSG(share.growth_lo <= 0.05 && 0.05 <= share.growth_hi, "%g..%g", share.growth_lo,
              share.growth_hi);
    CHECK_MSG(count.direction != TREND_RISING, "count %s %g",
              trend_direction_name(count.direction), count.growth);
    /* a count in a month without exposure is an error, not data */
    installs[7] = 0, nc[7] = 3;
    CHECK(trend_fit_rate(nc, installs, N, &share, &err) == RFN_ERR_INVALID);
    gsl_rng_free(rng);
}

/* Garwood's exact 95 % interval of a Poisson mean, against the usual tabulated values
 * (k = 0 -> 0..3.689, 1 -> 0.0253..5.572, 10 -> 4.795..18.39). */
static void test_poisson_ci95(void)
{
    double lo, hi;
    trend_poisson_ci95(0, &lo, &hi);
    CHECK_NEAR(lo, 0.0, 0);
    CHECK_NEAR(hi, 3.688879, 1e-6);
    trend_poisson_ci95(1, &lo, &hi);
    CHECK_NEAR(lo, 0.025318, 1e-6);
    CHECK_NEAR(hi, 5.571643, 1e-6);
    trend_poisson_ci95(10, &lo, &hi);
    CHECK_NEAR(lo, 4.795389, 1e-6);
    CHECK_NEAR(hi, 18.390356, 1e-6);
}

int main(void)
{
    test_poisson_ci95();
    test_rising_share_falling_volume();
    test_known_growth();
    test_exact_curve();
    test_coverage();
    test_degenerate();
    return check_finish();
}
