/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spectrum.c: spectrum options to a Welch configuration (spectrum.h), one place for analyse, psd
 * and validate. */
#include "spectrum.h"

#include <math.h>
#include <string.h>

spectrum_options spectrum_options_default(void)
{
    spectrum_options o;
    memset(&o, 0, sizeof o);
    o.window = RFN_WINDOW_HANN;
    o.overlap = 0.5;
    return o;
}

rfn_status spectrum_welch_config(const spectrum_options *o, const capture_meta *m,
                                 size_t default_nfft, rfn_welch_config *w, rfn_error *err)
{
    if (o->nfft && o->rbw_hz > 0)
        return rfn_error_set(err, RFN_ERR_INVALID, "give --nfft or --rbw, not both");
    *w = rfn_welch_config_default();
    w->fs_hz = m->sample_rate_hz;
    w->center_hz = isfinite(m->center_freq_hz) ? m->center_freq_hz : 0;
    w->window = o->window;
    w->detrend_mean = o->detrend_mean;
    w->real_input = !m->is_complex;
    w->traces = RFN_TRACE_BIT(RFN_TRACE_MEAN) | o->traces;
    if (o->rbw_hz > 0) {
        rfn_status st = rfn_welch_config_for_rbw(w, o->rbw_hz, err);
        if (st)
            return st;
    } else {
        w->nfft = o->nfft ? o->nfft : default_nfft;
        if (w->nfft < SPECTRUM_NFFT_MIN || w->nfft > SPECTRUM_NFFT_MAX)
            return rfn_error_set(err, RFN_ERR_INVALID, "nfft %zu: expected %d ... %d", w->nfft,
                                 SPECTRUM_NFFT_MIN, SPECTRUM_NFFT_MAX);
        /* A Gaussian of a given length spans +-RFN_GAUSS_HALF_SIGMAS sigma (window.h). */
        w->sigma_samples = (double)w->nfft / (2 * RFN_GAUSS_HALF_SIGMAS);
    }
    w->overlap = (size_t)floor(o->overlap * (double)w->nfft);
    return RFN_OK;
}
