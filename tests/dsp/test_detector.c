/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_detector.c: CISPR 16-1-1 detectors through the Gaussian-RBW STFT: quasi-peak pulse
 * response against the standard's table, peak / CISPR-average / RMS behaviour on pulse trains,
 * a continuous sine read equally by every detector, and the error paths. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detector.h"
#include "stft.h"
#include "welch.h"

/* ---- pipeline: samples -> STFT -> detector ------------------------------------------------- */

typedef struct pipe {
    rfn_stft *stft;
    rfn_detector *det;
    size_t nfft;
} pipe;

static void to_detector(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)first;
    rfn_detector_write(((pipe *)ctx)->det, power, n_frames);
}

static int pipe_open(pipe *p, double fs, rfn_det_band band, unsigned dets)
{
    rfn_error err = {0};
    rfn_det_params prm;
    memset(p, 0, sizeof *p);
    if (rfn_det_params_for_band(band, &prm))
        return -1;
    rfn_stft_config sc = rfn_stft_config_default();
    sc.fs_hz = fs;
    sc.rbw_hz = prm.rbw_hz;
    if (rfn_stft_create(&sc, to_detector, p, &p->stft, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    const rfn_stft_info *in = rfn_stft_get_info(p->stft);
    p->nfft = in->nfft;
    rfn_detector_config dc = rfn_detector_config_default();
    dc.n_bins = in->nfft;
    dc.frame_rate_hz = fs / (double)in->hop;
    dc.detectors = dets;
    dc.params = prm;
    if (rfn_detector_create(&dc, &p->det, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return 0;
}

static void pipe_close(pipe *p)
{
    rfn_stft_destroy(p->stft);
    rfn_detector_destroy(p->det);
}

/* Reading of one detector at the 0 Hz bin, dB. */
static double pipe_db(pipe *p, rfn_det_kind kind)
{
    double *v = malloc(p->nfft * sizeof *v);
    rfn_error err;
    double r = NAN;
    if (v && rfn_detector_get(p->det, kind, v, &err) == RFN_OK)
        r = 10.0 * log10(v[p->nfft / 2]);
    free(v);
    return r;
}

/* Impulses of amplitude amp (area amp / fs) at rate_hz (0: one isolated pulse) for dur_s,
 * streamed in blocks of odd length to exercise the STFT's buffering. */
static void feed_pulses(pipe *p, double fs, double rate_hz, double amp, double dur_s)
{
    enum { BLK = 10007 };
    static float complex blk[BLK];
    uint64_t total = (uint64_t)(dur_s * fs), start = (uint64_t)(0.01 * fs);
    double period = rate_hz > 0 ? fs / rate_hz : 0.0;
    double next = (double)start;
    int more = 1;
    for (uint64_t pos = 0; pos < total; pos += BLK) {
        size_t n = total - pos < BLK ? (size_t)(total - pos) : BLK;
        memset(blk, 0, n * sizeof *blk);
        while (more) {
            uint64_t idx = (uint64_t)llround(next);
            if (idx >= pos + n)
                break;
            blk[idx - pos] = (float)amp;
            next += period;
            more = period > 0.0;
        }
        rfn_stft_write(p->stft, blk, n);
    }
    rfn_stft_flush(p->stft);
}

/* ---- CISPR 16-1-1 quasi-peak pulse response ---------------------------------------------------
 * CISPR 16-1-1 (Ed. 3/4/5, clause 4.4.2, table "pulse response of quasi-peak measuring
 * receivers"): relative equivalent level of pulses of constant impulse area that give the same
 * QP indication as the 100 Hz reference, dB, with tolerances. The standard tabulates the input
 * level needed for a constant reading; the QP detector is linear in amplitude, so the reading for
 * equal-area pulses is that level negated, which is what is listed here. Values as given in the
 * issue brief and as we know them from the standard; the search available here found the
 * standard's table of contents but not this table's text (the detector constants are confirmed
 * in detector.c). */
typedef struct qp_row {
    double rate_hz; /* 0 = isolated pulse */
    double rel_db, tol_db;
} qp_row;

static const qp_row qp_band_b[] = {
    {1000, +4.5, 1.0}, {100, 0.0, 0.0},  {20, -6.5, 1.0}, {10, -10.0, 1.5},
    {2, -20.5, 2.0},   {1, -22.5, 2.0},  {0, -23.5, 2.0},
};
static const qp_row qp_band_cd[] = {
    {1000, +8.0, 1.0}, {100, 0.0, 0.0},  {20, -9.0, 1.0}, {10, -14.0, 1.5},
    {2, -26.0, 2.0},   {1, -28.5, 2.0},  {0, -31.5, 2.0},
};

/* Signal long enough for the charge, discharge and meter to reach their steady pattern: at the
 * slow rates three pulses (the 550 ms discharge leaves e^-1.8 = 16 % after 1 s, so the third
 * peak is within 0.5 % of the steady one), one pulse plus the meter's response when isolated. */
static double pulse_duration(double rate_hz)
{
    if (rate_hz == 0)
        return 0.8;
    if (rate_hz < 5)
        return 3.1;
    return 2.5;
}

static void qp_table(const char *name, rfn_det_band band, double fs, const qp_row *rows,
                     size_t n_rows)
{
    double db[8], ref = NAN;
    for (size_t i = 0; i < n_rows; i++) {
        pipe p;
        CHECK(pipe_open(&p, fs, band, RFN_DET_QP | RFN_DET_PEAK) == 0);
        feed_pulses(&p, fs, rows[i].rate_hz, 0.5, pulse_duration(rows[i].rate_hz));
        db[i] = pipe_db(&p, RFN_DET_QP);
        if (rows[i].rate_hz == 100)
            ref = db[i];
        pipe_close(&p);
    }
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].rate_hz == 100)
            continue;
        double rel = db[i] - ref;
        fprintf(stderr, "QP Band %s %6.0f Hz: %+6.2f dB (table %+5.1f +- %.1f)\n", name,
                rows[i].rate_hz, rel, rows[i].rel_db, rows[i].tol_db);
        CHECK_DB_NEAR(rel, rows[i].rel_db, rows[i].tol_db);
    }
}

/* ---- peak, CISPR-average and RMS on pulse trains --------------------------------------------- */
static void pulse_behaviour(void)
{
    const double fs = 960e3, amp = 0.5;
    double pk[2], av[2], rms[2];
    const double rates[2] = {100, 1000};
    double s1 = 0, s2 = 0, peak_loss = 0;
    for (int i = 0; i < 2; i++) {
        pipe p;
        CHECK(pipe_open(&p, fs, RFN_DET_BAND_CD, RFN_DET_PEAK | RFN_DET_CISPR_AVG | RFN_DET_RMS)
              == 0);
        const rfn_stft_info *in = rfn_stft_get_info(p.stft);
        peak_loss = in->peak_loss_db;
        /* S1 and S2 of the window as built, for the expected values below. */
        double sig = in->sigma_s * fs;
        s1 = s2 = 0;
        for (size_t k = 0; k < in->win_len; k++) {
            double t = ((double)k - (double)in->win_len / 2.0) / sig, w = exp(-0.5 * t * t);
            s1 += w;
            s2 += w * w;
        }
        feed_pulses(&p, fs, rates[i], amp, 1.2);
        pk[i] = pipe_db(&p, RFN_DET_PEAK);
        av[i] = pipe_db(&p, RFN_DET_CISPR_AVG);
        rms[i] = pipe_db(&p, RFN_DET_RMS);
        pipe_close(&p);
    }
    /* Peak: the envelope's top, amp^2 / S1^2 * w_max^2 with w_max = 1, read at most the hop's
     * designed loss low, whatever the repetition rate (CISPR 16-1-1 peak receiver: the reading
     * does not depend on repetition frequency). */
    double pk_true = 10.0 * log10(amp * amp / (s1 * s1));
    for (int i = 0; i < 2; i++) {
        CHECK(pk[i] <= pk_true + 0.01);
        CHECK(pk[i] >= pk_true - peak_loss - 0.01);
    }
    CHECK_DB_NEAR(pk[1], pk[0], peak_loss + 0.01);
    /* CISPR average: linear average of the envelope, the same for any filter shape: the mean of
     * amp sum_m w(n - m hop)/S1 per period = amp rate / fs (the impulse area times the rate);
     * power 20 log10 of it; hence +20 dB per decade of rate (CISPR 16-1-1 6.4.1: reading of
     * pulses of area 1.4/n mVs at n Hz equals a 2 mV sine, i.e. proportional to area x rate). */
    for (int i = 0; i < 2; i++)
        CHECK_DB_NEAR(av[i], 20.0 * log10(amp * rates[i] / fs), 0.2);
    CHECK_DB_NEAR(av[1] - av[0], 20.0, 0.2);
    /* RMS over the capture: mean power = amp^2 S2 / S1^2 * rate / fs (Parseval per pulse). The
     * capture holds a whole number of pulses plus the first 10 ms offset; allow 0.2 dB. */
    for (int i = 0; i < 2; i++) {
        double expect = amp * amp * s2 / (s1 * s1) * rates[i] / fs;
        CHECK_DB_NEAR(rms[i], 10.0 * log10(expect), 0.2);
    }
    fprintf(stderr, "pulses: peak %.2f/%.2f dB (true %.2f), avg %.2f/%.2f, rms %.2f/%.2f\n",
            pk[0], pk[1], pk_true, av[0], av[1], rms[0], rms[1]);
}

/* ---- RMS-average: the rms law above the corner frequency ----------------------------------------
 * CISPR 16-1-1's rms-average detector reads pulse trains in proportion to sqrt(rate) above its
 * corner frequency (100 Hz in C/D): +10 dB in power per decade, 1 kHz -> 10 kHz. This checks our
 * model's law (detector.c), not a table of the standard. */
static void rms_avg_law(void)
{
    const double fs = 480e3;
    double db[2];
    const double rates[2] = {1000, 10000};
    for (int i = 0; i < 2; i++) {
        pipe p;
        CHECK(pipe_open(&p, fs, RFN_DET_BAND_CD, RFN_DET_RMS_AVG) == 0);
        feed_pulses(&p, fs, rates[i], 0.5, 0.8);
        db[i] = pipe_db(&p, RFN_DET_RMS_AVG);
        pipe_close(&p);
    }
    fprintf(stderr, "rms_avg: 1 kHz %.2f dB, 10 kHz %.2f dB\n", db[0], db[1]);
    CHECK_DB_NEAR(db[1] - db[0], 10.0, 0.3);
}

/* ---- continuous sine: every detector reads the tone's power ------------------------------------
 * ... and so does the Welch engine (Hann, nfft 32 x the STFT's, so the tone sits on a bin of both):
 * rfn_spectrum_tone_power = density * ENBW. */
static void sine_all_equal(rfn_det_band band, double fs)
{
    pipe p;
    rfn_error err = {0};
    unsigned dets = RFN_DET_ALL;
    CHECK(pipe_open(&p, fs, band, dets) == 0);
    const rfn_stft_info *in = rfn_stft_get_info(p.stft);
    const double amp = 0.25, f0 = 3.0 * in->bin_hz; /* on bin nfft/2 + 3 */
    const double p_db = 20.0 * log10(amp);
    rfn_welch_config wc = rfn_welch_config_default();
    wc.fs_hz = fs;
    wc.nfft = 32 * in->nfft;
    wc.overlap = wc.nfft / 2;
    rfn_welch *w = NULL;
    CHECK_OK(rfn_welch_create(&wc, &w, &err));
    enum { BLK = 4096 };
    static float complex blk[BLK];
    uint64_t total = (uint64_t)(1.3 * fs);
    for (uint64_t pos = 0; pos < total; pos += BLK) {
        for (size_t i = 0; i < BLK; i++) {
            double ph = 2.0 * M_PI * f0 * (double)(pos + i) / fs;
            ph = fmod(ph, 2.0 * M_PI);
            blk[i] = (float)amp * (float)cos(ph) + I * (float)amp * (float)sin(ph);
        }
        rfn_stft_write(p.stft, blk, BLK);
        if (w)
            CHECK_OK(rfn_welch_write(w, blk, BLK, &err));
    }
    double welch_db = NAN;
    rfn_spectrum spec;
    memset(&spec, 0, sizeof spec);
    if (w && rfn_welch_get_spectrum(w, &spec, &err) == RFN_OK) {
        long b = rfn_spectrum_bin_of(&spec, f0);
        CHECK(b >= 0 && fabs(spec.freq_hz[b] - f0) < 1e-6);
        welch_db = 10.0 * log10(rfn_spectrum_tone_power(&spec, RFN_TRACE_MEAN, (size_t)b));
    }
    CHECK_DB_NEAR(welch_db, p_db, 0.01);
    double *v = malloc(in->nfft * sizeof *v);
    const rfn_det_kind kinds[] = {RFN_DET_PEAK, RFN_DET_RMS, RFN_DET_CISPR_AVG, RFN_DET_RMS_AVG,
                                  RFN_DET_QP};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        CHECK_OK(rfn_detector_get(p.det, kinds[k], v, &err));
        double db = 10.0 * log10(v[in->nfft / 2 + 3]);
        fprintf(stderr, "sine Band %s %-9s %.4f dB (tone %.4f, Welch %.4f)\n",
                rfn_det_band_name(band), rfn_det_name(kinds[k]), db, p_db, welch_db);
        CHECK_DB_NEAR(db, p_db, 0.1);
        CHECK_DB_NEAR(db, welch_db, 0.1);
    }
    free(v);
    rfn_spectrum_free(&spec);
    rfn_welch_destroy(w);
    pipe_close(&p);
}

/* ---- parameters, names and errors ------------------------------------------------------------ */
static void params_and_errors(void)
{
    rfn_det_params prm;
    CHECK_OK(rfn_det_params_for_band(RFN_DET_BAND_CD, &prm));
    CHECK(prm.rbw_hz == 120e3 && prm.qp_charge_s == 1e-3 && prm.qp_discharge_s == 550e-3 &&
          prm.qp_meter_s == 100e-3 && prm.avg_meter_s == 100e-3);
    CHECK_OK(rfn_det_params_for_band(RFN_DET_BAND_B, &prm));
    CHECK(prm.rbw_hz == 9e3 && prm.qp_charge_s == 1e-3 && prm.qp_discharge_s == 160e-3 &&
          prm.qp_meter_s == 160e-3 && prm.avg_meter_s == 160e-3);
    CHECK_OK(rfn_det_params_for_band(RFN_DET_BAND_A, &prm));
    CHECK(prm.rbw_hz == 200.0 && prm.qp_charge_s == 45e-3 && prm.qp_discharge_s == 500e-3);
    CHECK(rfn_det_band_for_freq(868e6) == RFN_DET_BAND_CD);
    CHECK(rfn_det_band_for_freq(2.44e9) == RFN_DET_BAND_E);
    CHECK(rfn_det_band_for_freq(1e6) == RFN_DET_BAND_B);
    rfn_det_band b;
    CHECK(rfn_det_band_from_name("c/d", &b) == RFN_OK && b == RFN_DET_BAND_CD);
    CHECK(rfn_det_band_from_name("F", &b) == RFN_ERR_INVALID);

    unsigned flags = 0;
    rfn_error err = {0};
    CHECK_OK(rfn_det_parse_list("peak,qp,cispr_avg,rms_avg", &flags, &err));
    CHECK(flags == (RFN_DET_PEAK | RFN_DET_QP | RFN_DET_CISPR_AVG | RFN_DET_RMS_AVG));
    CHECK(rfn_det_parse_list("peak,quasi", &flags, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "detectors: unknown detector 'quasi' (peak, rms, cispr_avg, rms_avg, "
                          "qp)") == 0);

    rfn_detector_config dc = rfn_detector_config_default();
    rfn_detector *d = NULL;
    CHECK_OK(rfn_det_params_for_band(RFN_DET_BAND_E, &dc.params));
    CHECK(rfn_detector_create(&dc, &d, &err) == RFN_ERR_INVALID && d == NULL);
    CHECK(strcmp(err.msg, "detector: quasi-peak is not defined for these parameters (Band E)")
          == 0);
    dc.detectors = RFN_DET_PEAK | RFN_DET_CISPR_AVG;
    dc.frame_rate_hz = 4e6;
    CHECK_OK(rfn_detector_create(&dc, &d, &err));
    double v[1];
    CHECK(rfn_detector_get(d, RFN_DET_QP, v, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "detector: qp was not configured") == 0);
    CHECK_OK(rfn_detector_get(d, RFN_DET_PEAK, v, &err));
    CHECK(v[0] == 0.0);
    const float zeros[4] = {0};
    rfn_detector_write(d, zeros, 4);
    CHECK_OK(rfn_detector_get(d, RFN_DET_CISPR_AVG, v, &err));
    CHECK(v[0] == 0.0 && !isnan(v[0]));
    rfn_detector_destroy(d);
    rfn_detector_destroy(NULL);

    rfn_stft_config sc = rfn_stft_config_default();
    rfn_stft *s = NULL;
    sc.rbw_hz = 1e6;
    CHECK(rfn_stft_create(&sc, to_detector, NULL, &s, &err) == RFN_ERR_INVALID);
    CHECK(strcmp(err.msg, "stft: rbw_hz must be in (0, fs/4] (got 1e+06 at fs 2.4e+06)") == 0);
    rfn_stft_destroy(NULL);

    CHECK_DB_NEAR(rfn_noise_rise_db(2e-9, 1e-9), 3.0103, 1e-3);
    CHECK(isnan(rfn_noise_rise_db(1e-9, 0.0)));
    CHECK_NEAR(rfn_noise_excess(3.0, 1.0), 2.0, 1e-12);
    CHECK(rfn_noise_excess(1.0, 3.0) == 0.0);
}

/* STFT figures for the Band C/D settings the bench uses (2.4 MS/s). */
static void stft_info(void)
{
    pipe p;
    CHECK(pipe_open(&p, 2.4e6, RFN_DET_BAND_CD, RFN_DET_PEAK) == 0);
    const rfn_stft_info *in = rfn_stft_get_info(p.stft);
    fprintf(stderr, "stft C/D 2.4 MS/s: win %zu nfft %zu hop %zu (%.3f us, overlap %.1f %%), "
            "rbw6 %.0f Hz enbw %.0f Hz, peak loss %.2f dB\n", in->win_len, in->nfft, in->hop,
            in->hop_s * 1e6, 100.0 * in->overlap, in->rbw6_hz, in->enbw_hz, in->peak_loss_db);
    CHECK_REL(in->rbw6_hz, 120e3, 0.01);
    CHECK_REL(in->enbw_hz, 0.7527 * 120e3, 0.01);
    CHECK(in->peak_loss_db <= 0.5);
    CHECK(in->nfft >= in->win_len && in->bin_hz <= 60e3);
    CHECK(rfn_stft_bin_freq_hz(p.stft, in->nfft / 2) == 0.0);
    pipe_close(&p);
}

int main(void)
{
    params_and_errors();
    stft_info();
    /* Rates: 4 x RBW (the STFT's minimum) still resolves the RBW filter: the Gaussian's response
     * at fs/2 = 2 RBW is e^-11 in amplitude, so nothing aliases, and the envelope is sampled
     * at the same frame rate (hop about 0.68 sigma) as at 2.4 MS/s. At 480 kS/s the C/D table
     * costs a fifth of the work it would at 2.4 MS/s, and reads within 0.1 dB of 960 kS/s. The
     * trains last 2.5 s (the 100 Hz reading settles with the 550 ms discharge: 2.5 s and 4 s
     * agree within 0.06 dB). */
    qp_table("C/D", RFN_DET_BAND_CD, 480e3, qp_band_cd, sizeof qp_band_cd / sizeof qp_band_cd[0]);
    qp_table("B", RFN_DET_BAND_B, 72e3, qp_band_b, sizeof qp_band_b / sizeof qp_band_b[0]);
    pulse_behaviour();
    rms_avg_law();
    sine_all_equal(RFN_DET_BAND_CD, 960e3);
    sine_all_equal(RFN_DET_BAND_B, 72e3);
    return check_finish();
}
