/* SPDX-License-Identifier: GPL-2.0-or-later */
/* band.h: measurements over a frequency band of a spectrum: channel power with fractional edge
 * bins, peak and mean density, noise floor (median, ITU-R SM.1753 20 % method), coverage. */
#ifndef RFN_BAND_H
#define RFN_BAND_H

#include <stddef.h>

#include "rfn_error.h"
#include "welch.h"

typedef struct rfn_band_config {
    /* Exclude the bin holding center_hz and dc_exclude_bins bins either side of it (the SDR's
     * DC spike / LO leakage) from every statistic, when that bin falls in the band. 0 = exclude
     * nothing (default). Typical: 1-3 for an RTL-SDR capture. */
    unsigned dc_exclude_bins;
    /* Fraction of the lowest bins averaged by the 20 % noise-floor method, in (0, 1];
     * default 0.2. */
    double floor_fraction;
} rfn_band_config;

/* dc_exclude_bins = 0, floor_fraction = 0.2. */
rfn_band_config rfn_band_config_default(void);

/* Results of one band on one trace. Linear units: power in FS^2 (full-scale power; rfn_db10
 * gives dBFS), densities in FS^2/Hz (dBFS/Hz). A value that could not be measured (no bin of
 * the band inside the spectrum) is NaN, so that it never compares as passing a limit: check
 * covered_fraction / fully_covered first. */
typedef struct rfn_band_result {
    double f_lo_hz, f_hi_hz;   /* the band asked for */
    rfn_trace trace;           /* the trace measured */
    /* Coverage. The spectrum spans [freq_hz[0] - bin_hz/2, freq_hz[n-1] + bin_hz/2]. */
    int fully_covered;         /* 1 when [f_lo, f_hi] lies entirely inside the span */
    double covered_fraction;   /* width of band ∩ span divided by band width, 0 ... 1 */
    double covered_lo_hz, covered_hi_hz; /* band ∩ span (equal when empty) */
    /* Integrated power (docs/architecture.md §Units): sum of density_i * bin_hz * frac_i over
     * the bins touching the covered band, frac_i = the fraction of bin i's span inside the band
     * (edge bins partial, inner bins 1). Excluded DC bins are left out of power_included_fs2 and
     * filled in power_fs2 at the band's mean density (so that excluding the DC spike does not
     * lower a band's power by the excluded width). Without exclusion both are equal. */
    double power_fs2;
    double power_included_fs2;
    double bandwidth_hz;       /* covered width actually integrated (excluded width removed) */
    /* Densities over the included bins. */
    double peak_density;       /* largest density among bins touching the band */
    double peak_freq_hz;       /* centre frequency of that bin */
    double mean_density;       /* power_included_fs2 / bandwidth_hz */
    /* Noise floor estimates over the bins whose centre lies inside the band (at least half the
     * bin inside), DC-excluded bins left out (a band narrower than a bin, holding no centre,
     * uses the bins it touches): */
    double floor_median_density; /* median of those bins' densities (mean of the two middle
                                    values for an even count) */
    double floor_20pct_density;  /* ITU-R SM.1753-2 (09/2012) "20 % method": the band is
                                    assumed to have at least floor_fraction of its frequency
                                    samples free of signals; the floor is the linear mean of
                                    the lowest ceil(floor_fraction * n) densities. For a
                                    well-averaged flat noise spectrum this is a little below the
                                    true density (the low tail of the estimate's spread: about
                                    -1.4/sqrt(segments) relative); no correction is applied.
                                    Implemented from secondary descriptions of SM.1753-2; the
                                    Recommendation's own text was not at hand to check whether
                                    it prescribes a correction. */
    size_t n_bins;             /* bins touching the band (including partial edge bins) */
    size_t n_floor_bins;       /* bins used by the floor estimators */
    /* DC exclusion actually applied (0 / 0 when center_hz is outside the band or not asked). */
    unsigned dc_excluded_bins;
    double dc_excluded_hz;
} rfn_band_result;

/* Measure trace of s over [f_lo_hz, f_hi_hz] (absolute frequencies, f_lo_hz < f_hi_hz, both
 * finite). cfg may be NULL for the defaults. A band partly outside the spectrum is measured
 * over the covered part (fully_covered = 0); a band entirely outside returns RFN_OK with
 * covered_fraction = 0, n_bins = 0 and every measured value NaN. Returns RFN_ERR_INVALID for a
 * bad band, a bad cfg or a trace the spectrum does not hold (density[trace] == NULL). */
rfn_status rfn_band_measure(const rfn_spectrum *s, rfn_trace trace, double f_lo_hz,
                            double f_hi_hz, const rfn_band_config *cfg, rfn_band_result *out,
                            rfn_error *err);

/* Power (FS^2) that a flat density (FS^2/Hz) puts into a reference bandwidth ref_bw_hz:
 * density * ref_bw_hz (docs/architecture.md §Units, "power in a reference bandwidth B"). */
double rfn_band_power_in_bw(double density, double ref_bw_hz);

#endif
