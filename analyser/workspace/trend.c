/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trend.c: Poisson log-linear trend of monthly counts by IRLS on GSL's weighted least squares. */
#include "trend.h"

#include <math.h>
#include <stdio.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

const char *trend_direction_name(trend_direction d)
{
    switch (d) {
    case TREND_RISING:
        return "rising";
    case TREND_FALLING:
        return "falling";
    case TREND_FLAT:
        return "flat";
    default:
        return "unknown";
    }
}

void trend_poisson_ci95(double k, double *lo, double *hi)
{
    *lo = k > 0 ? gsl_cdf_chisq_Pinv(0.025, 2 * k) / 2 : 0.0;
    *hi = gsl_cdf_chisq_Pinv(0.975, 2 * k + 2) / 2;
}

void trend_month_text(int month, char out[TREND_MONTH_TEXT_LEN])
{
    snprintf(out, TREND_MONTH_TEXT_LEN, "%04d-%02d", month / 12, month % 12 + 1);
}

rfn_status trend_fit_poisson(const double *counts, size_t n, trend_fit *fit, rfn_error *err)
{
    return trend_fit_rate(counts, NULL, n, fit, err);
}

/* Reset *fit, check the inputs and count the months with exposure (*used); fit->note says why
 * no fit can be made, "" when one can. */
static rfn_status check_inputs(const double *counts, const double *exposure, size_t n,
                               trend_fit *fit, size_t *used_out, rfn_error *err)
{
    *fit = (trend_fit){.direction = TREND_UNKNOWN,
                       .n_months = n,
                       .dispersion = 1.0,
                       .growth = NAN,
                       .growth_lo = NAN,
                       .growth_hi = NAN,
                       .intercept = NAN,
                       .slope = NAN,
                       .slope_se = NAN,
                       .note = ""};
    size_t used = 0; /* months with exposure: only they carry information */
    for (size_t i = 0; i < n; i++) {
        double e = exposure ? exposure[i] : 1;
        if (!isfinite(counts[i]) || counts[i] < 0 || !isfinite(e) || e < 0 ||
            (e == 0 && counts[i] > 0))
            return exposure ? rfn_error_set(err, RFN_ERR_INVALID,
                                            "trend: month %zu has count %g of %g", i, counts[i],
                                            e)
                            : rfn_error_set(err, RFN_ERR_INVALID,
                                            "trend: month %zu has count %g", i, counts[i]);
        fit->total += counts[i];
        used += e > 0;
    }
    *used_out = used;
    if (fit->total <= 0) {
        fit->note = "no non-compliant installs";
        return RFN_OK;
    }
    if (used < 3) {
        fit->note = "fewer than 3 months";
        return RFN_OK;
    }
    return RFN_OK;
}

rfn_status trend_fit_rate(const double *counts, const double *exposure, size_t n,
                          trend_fit *fit, rfn_error *err)
{
    size_t used = 0;
    rfn_status r = check_inputs(counts, exposure, n, fit, &used, err);
    if (r || fit->note[0]) return r;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_matrix *X = gsl_matrix_alloc(n, 2), *cov = gsl_matrix_alloc(2, 2);
    gsl_vector *z = gsl_vector_alloc(n), *w = gsl_vector_alloc(n), *c = gsl_vector_alloc(2);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, 2);
    if (!X || !cov || !z || !w || !c || !ws) {
        r = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        gsl_matrix_set(X, i, 0, 1.0);
        gsl_matrix_set(X, i, 1, (double)i);
    }
    /* Start from mu = y + 0.5 (keeps log finite for zero months). */
    double a = 0, b = 0, b_prev = INFINITY;
    bool started = false;
    int it;
    for (it = 1; it <= 100; it++) {
        for (size_t i = 0; i < n; i++) {
            /* log mu = log E + a + b t: the offset log E makes a + b t the log rate per unit of
             * exposure (McCullagh & Nelder §6.2.3); a month without exposure weighs nothing. */
            double e = exposure ? exposure[i] : 1;
            if (e <= 0) {
                gsl_vector_set(z, i, 0);
                gsl_vector_set(w, i, 0);
                continue;
            }
            double mu = started ? e * exp(a + b * (double)i) : counts[i] + 0.5;
            double eta = log(mu) - log(e);
            gsl_vector_set(z, i, eta + (counts[i] - mu) / mu);
            gsl_vector_set(w, i, mu);
        }
        started = true;
        double chisq;
        if (gsl_multifit_wlinear(X, w, z, c, cov, &chisq, ws) != GSL_SUCCESS) {
            r = rfn_error_set(err, RFN_ERR_EXTERNAL, "trend: weighted least squares failed");
            goto done;
        }
        a = gsl_vector_get(c, 0);
        b = gsl_vector_get(c, 1);
        if (!isfinite(a) || !isfinite(b)) {
            r = rfn_error_set(err, RFN_ERR_EXTERNAL, "trend: the fit diverged");
            goto done;
        }
        if (fabs(b - b_prev) < 1e-10) break;
        b_prev = b;
    }
    if (it > 100) {
        r = rfn_error_set(err, RFN_ERR_EXTERNAL, "trend: IRLS did not converge in 100 iterations");
        goto done;
    }
    /* cov from the last solve is (X'WX)^-1 at the previous mu; at convergence they agree. */
    double pearson = 0;
    for (size_t i = 0; i < n; i++) {
        double e = exposure ? exposure[i] : 1;
        if (e <= 0) continue;
        double mu = e * exp(a + b * (double)i);
        pearson += (counts[i] - mu) * (counts[i] - mu) / mu;
    }
    double phi = used > 2 ? pearson / (double)(used - 2) : 1.0;
    if (!(phi > 1.0)) phi = 1.0;
    double se = sqrt(gsl_matrix_get(cov, 1, 1) * phi);
    const double z95 = 1.959963984540054; /* standard normal 97.5 % quantile */
    fit->intercept = a;
    fit->slope = b;
    fit->slope_se = se;
    fit->dispersion = phi;
    fit->iterations = it;
    fit->growth = expm1(b);
    fit->growth_lo = expm1(b - z95 * se);
    fit->growth_hi = expm1(b + z95 * se);
    fit->direction = b - z95 * se > 0   ? TREND_RISING
                     : b + z95 * se < 0 ? TREND_FALLING
                                        : TREND_FLAT;
done:
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(z);
    gsl_vector_free(w);
    gsl_vector_free(c);
    gsl_set_error_handler(old);
    return r;
}
