/* SPDX-License-Identifier: GPL-2.0-or-later */
/* band.c: band measurements over a spectrum: channel power with fractional edge bins, peak and
 * mean density, median and ITU-R SM.1753 20 % noise floors, coverage and DC-spike exclusion. */
#include "band.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

rfn_band_config rfn_band_config_default(void)
{
    rfn_band_config c = {.dc_exclude_bins = 0, .floor_fraction = 0.2};
    return c;
}

double rfn_band_power_in_bw(double density, double ref_bw_hz)
{
    return density * ref_bw_hz;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median (mean of the two middle values for an even count) and the mean of the lowest
 * ceil(fraction * m) values of v[0..m), m >= 1; sorts v. */
static void floors(double *v, size_t m, double fraction, double *median, double *low_mean)
{
    qsort(v, m, sizeof *v, cmp_double);
    *median = m & 1 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    size_t q = (size_t)ceil(fraction * (double)m - 1e-9);
    q = q < 1 ? 1 : q > m ? m : q;
    double sum = 0.0;
    for (size_t i = 0; i < q; i++)
        sum += v[i];
    *low_mean = sum / (double)q;
}

/* The arguments of rfn_band_measure: a spectrum with the trace asked for, a finite band
 * f_lo < f_hi and a floor fraction in (0, 1]. */
static rfn_status band_args_check(const rfn_spectrum *s, rfn_trace trace, double f_lo_hz,
                                  double f_hi_hz, const rfn_band_config *cfg,
                                  const rfn_band_result *out, rfn_error *err)
{
    if (!s || !out || s->n_bins == 0 || !s->freq_hz || !(s->bin_hz > 0.0))
        return rfn_error_set(err, RFN_ERR_INVALID, "band: missing or empty spectrum");
    if ((int)trace < 0 || trace >= RFN_TRACE_COUNT)
        return rfn_error_set(err, RFN_ERR_INVALID, "band: unknown trace %d", (int)trace);
    if (!s->density[trace])
        return rfn_error_set(err, RFN_ERR_INVALID, "band: the spectrum has no %s trace",
                             rfn_trace_name(trace));
    if (!isfinite(f_lo_hz) || !isfinite(f_hi_hz) || !(f_lo_hz < f_hi_hz))
        return rfn_error_set(err, RFN_ERR_INVALID,
                             "band: f_lo %.17g Hz must be below f_hi %.17g Hz", f_lo_hz, f_hi_hz);
    if (!(cfg->floor_fraction > 0.0 && cfg->floor_fraction <= 1.0))
        return rfn_error_set(err, RFN_ERR_INVALID, "band: floor fraction %g outside (0, 1]",
                             cfg->floor_fraction);
    return RFN_OK;
}

rfn_status rfn_band_measure(const rfn_spectrum *s, rfn_trace trace, double f_lo_hz,
                            double f_hi_hz, const rfn_band_config *cfg, rfn_band_result *out,
                            rfn_error *err)
{
    rfn_band_config def = rfn_band_config_default();
    if (!cfg)
        cfg = &def;
    rfn_status st = band_args_check(s, trace, f_lo_hz, f_hi_hz, cfg, out, err);
    if (st)
        return st;

    memset(out, 0, sizeof *out);
    out->f_lo_hz = f_lo_hz;
    out->f_hi_hz = f_hi_hz;
    out->trace = trace;
    out->power_fs2 = out->power_included_fs2 = out->peak_density = out->peak_freq_hz = NAN;
    out->mean_density = out->floor_median_density = out->floor_20pct_density = NAN;

    const double *d = s->density[trace], *f = s->freq_hz, bin = s->bin_hz;
    size_t n = s->n_bins;
    double span_lo = f[0] - bin / 2.0, span_hi = f[n - 1] + bin / 2.0;
    double c_lo = f_lo_hz > span_lo ? f_lo_hz : span_lo;
    double c_hi = f_hi_hz < span_hi ? f_hi_hz : span_hi;
    out->fully_covered = f_lo_hz >= span_lo && f_hi_hz <= span_hi;
    if (!(c_lo < c_hi)) {
        out->covered_lo_hz = out->covered_hi_hz = f_lo_hz < span_lo ? f_lo_hz : span_hi;
        return RFN_OK;
    }
    out->covered_lo_hz = c_lo;
    out->covered_hi_hz = c_hi;
    out->covered_fraction = (c_hi - c_lo) / (f_hi_hz - f_lo_hz);
    if (out->covered_fraction > 1.0)
        out->covered_fraction = 1.0;

    /* DC spike: the bin holding center_hz, +-dc_exclude_bins. */
    long dc = cfg->dc_exclude_bins ? rfn_spectrum_bin_of(s, s->center_hz) : -1;
    long dc_lo = dc - (long)cfg->dc_exclude_bins, dc_hi = dc + (long)cfg->dc_exclude_bins;

    /* Bins touching [c_lo, c_hi): bin i spans f[i] +- bin/2. */
    double pos_lo = (c_lo - span_lo) / bin, pos_hi = (c_hi - span_lo) / bin;
    size_t i0 = pos_lo <= 0.0 ? 0 : (size_t)floor(pos_lo);
    size_t i1 = (size_t)ceil(pos_hi);
    if (i1 > n)
        i1 = n;
    double *fl = malloc((i1 > i0 ? i1 - i0 : 1) * sizeof *fl);
    double *touched = malloc((i1 > i0 ? i1 - i0 : 1) * sizeof *touched);
    if (!fl || !touched) {
        free(fl);
        free(touched);
        return rfn_error_set(err, RFN_ERR_NOMEM, "band: out of memory");
    }
    size_t nfl = 0, ntouched = 0;
    double power = 0.0, width = 0.0, excluded = 0.0, peak = -INFINITY, peak_f = NAN;
    for (size_t i = i0; i < i1; i++) {
        double b_lo = f[i] - bin / 2.0, b_hi = f[i] + bin / 2.0;
        double lo = b_lo > c_lo ? b_lo : c_lo, hi = b_hi < c_hi ? b_hi : c_hi;
        if (!(hi > lo))
            continue;
        double frac = (hi - lo) / bin;
        if (dc >= 0 && (long)i >= dc_lo && (long)i <= dc_hi) {
            out->dc_excluded_bins++;
            excluded += frac * bin;
            continue;
        }
        /* docs/architecture.md §Units: sum of density x bin width, edge bins by the fraction
         * inside */
        power += d[i] * bin * frac;
        width += frac * bin;
        out->n_bins++;
        if (d[i] > peak) {
            peak = d[i];
            peak_f = f[i];
        }
        touched[ntouched++] = d[i];
        if (f[i] >= c_lo && f[i] <= c_hi)
            fl[nfl++] = d[i];
    }
    out->dc_excluded_hz = excluded;
    out->bandwidth_hz = width;
    if (out->n_bins > 0) {
        out->power_included_fs2 = power;
        out->mean_density = power / width;
        out->power_fs2 = power + out->mean_density * excluded;
        out->peak_density = peak;
        out->peak_freq_hz = peak_f;
        /* A band narrower than a bin may hold no bin centre: use the bins it touches. */
        double *v = nfl ? fl : touched;
        size_t m = nfl ? nfl : ntouched;
        out->n_floor_bins = m;
        floors(v, m, cfg->floor_fraction, &out->floor_median_density, &out->floor_20pct_density);
    }
    free(fl);
    free(touched);
    return RFN_OK;
}
