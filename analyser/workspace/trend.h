/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trend.h: is the monthly count of non-compliant installs rising, falling or flat? A Poisson
 * log-linear regression (GLM, fitted by iteratively reweighted least squares on GSL) of counts on
 * month index, with a 95 % confidence interval on the monthly growth rate. */
#ifndef RFN_TREND_H
#define RFN_TREND_H

#include <stdbool.h>
#include <stddef.h>

#include "rfn_error.h"

typedef enum trend_direction {
    TREND_UNKNOWN = 0, /* not enough data to fit */
    TREND_RISING,      /* the whole 95 % interval of the growth rate is above 0 */
    TREND_FALLING,     /* the whole interval is below 0 */
    TREND_FLAT,        /* the interval contains 0 */
} trend_direction;

/* Model: counts[t] ~ Poisson(mu_t), log mu_t = a + b t, t = 0..n-1 (months). IRLS with weights
 * mu and working response eta + (y - mu) / mu (McCullagh & Nelder, Generalized Linear Models,
 * §2.5), converged when b changes by < 1e-10. Standard errors come from (X'WX)^-1 scaled by the
 * dispersion phi = max(1, Pearson chi^2 / (n - 2)) (quasi-Poisson: extra-Poisson scatter widens
 * the interval, never narrows it). Interval: b +- 1.959964 se, growth = exp(b) - 1 per month. */
typedef struct trend_fit {
    trend_direction direction;
    size_t n_months;
    double total;                        /* sum of counts */
    double intercept, slope;             /* a, b (b per month, natural log) */
    double slope_se;                     /* after dispersion scaling */
    double dispersion;                   /* phi >= 1 */
    double growth, growth_lo, growth_hi; /* exp(b) - 1 and its 95 % interval, per month */
    int iterations;
    const char *note; /* why direction is TREND_UNKNOWN, else "" */
} trend_fit;

/* Fit counts[0..n-1] (non-negative, finite). Needs n >= 3 and at least one non-zero count;
 * otherwise *fit has TREND_UNKNOWN and a note, and RFN_OK is returned. RFN_ERR_INVALID for a
 * negative or non-finite count, RFN_ERR_EXTERNAL when GSL fails or IRLS does not converge in 100
 * iterations. */
rfn_status trend_fit_poisson(const double *counts, size_t n, trend_fit *fit, rfn_error *err);

/* The same model for a rate: counts[t] ~ Poisson(exposure[t] mu_t), log mu_t = a + b t, so the
 * trend is that of counts / exposure (the non-compliant share of installs when exposure is the
 * month's installs), not of the counts: fewer installs in a month is not an improvement.
 * Months with exposure 0 carry no information and must have count 0; needs 3 months with
 * exposure. exposure NULL is trend_fit_poisson. */
rfn_status trend_fit_rate(const double *counts, const double *exposure, size_t n,
                          trend_fit *fit, rfn_error *err);

/* An install month (year * 12 + month - 1) as "YYYY-MM", for every table and chart of months. */
enum { TREND_MONTH_TEXT_LEN = 16 };
void trend_month_text(int month, char out[TREND_MONTH_TEXT_LEN]);

/* The exact (Garwood) 95 % interval of a Poisson mean from one observed count k >= 0:
 * lo = chi2_{0.025}(2k) / 2 (0 when k = 0), hi = chi2_{0.975}(2k + 2) / 2 (Garwood, Biometrika
 * 23 (1936) 437; GSL's chi-squared quantiles, as the trend's fit uses GSL). A rate over W months
 * is k / W with the interval [lo, hi] / W. */
void trend_poisson_ci95(double k, double *lo, double *hi);

/* "rising", "falling", "flat", "unknown". */
const char *trend_direction_name(trend_direction d);

#endif
