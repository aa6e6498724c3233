/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_analyse.c: verdicts on synthetic captures with known truth (issue 5 acceptance): a tone
 * 6 dB above a limit, noise 3 dB below, a comb straddling a band edge, a band half outside the
 * span, a clipped capture, an uncalibrated capture against a dBm limit, plus region, guard band,
 * noise floor, detector bound and mask cases; then the CLI: golden JSON compared with a
 * tolerance-aware diff, CSV, exit statuses, plots (valid PNG/SVG) and a missing gnuplot. */
#include <complex.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "analyse.h"
#include "capture.h"
#include "check.h"

#define FS 1.0e6
#define FC 868.0e6

static char dir[300];
static char cap_tone[400], cap_noise[400], cap_comb[400], cap_clip[400];

static const char *rfnoise = RFN_BINARY_DIR "/analyser/rfnoise";

/* Run a shell command line built by the test (only test-controlled paths); exit status. */
static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ---- synthetic captures ---------------------------------------------------------------------- */

typedef struct sig {
    double noise_dbfs_hz;   /* complex white Gaussian noise density, two-sided */
    double tone_hz[16], tone_dbfs[16];
    int n_tones;
    double clip;            /* clip I and Q at +-clip (0 = none) */
} sig;

static uint64_t rng_state = 88172645463325252ull;

static double uniform01(void)
{
    /* xorshift64*: fixed seed, reproducible */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((rng_state * 2685821657736338717ull) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
    double u1 = uniform01(), u2 = uniform01();
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

static void write_capture_cal(const char *meta_path, const sig *s, double duration_s,
                              const char *datetime, const char *device_id, const char *cal_id)
{
    capture_writer_config wc = capture_writer_config_default();
    wc.sample_rate_hz = FS;
    wc.center_freq_hz = FC;
    wc.datetime = datetime;
    wc.device_id = device_id;
    wc.calibration_id = cal_id;
    capture_writer *w = NULL;
    rfn_error err;
    CHECK_OK(capture_writer_create(meta_path, &wc, &w, &err));
    if (!w) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    /* density N0 (FS^2/Hz) over fs: total power N0 fs = 2 sigma^2 */
    double sigma = isfinite(s->noise_dbfs_hz) ? sqrt(pow(10, s->noise_dbfs_hz / 10) * FS / 2) : 0;
    size_t n = (size_t)(duration_s * FS);
    enum { B = 8192 };
    static float complex buf[B];
    for (size_t off = 0; off < n; off += B) {
        size_t m = n - off < B ? n - off : B;
        for (size_t i = 0; i < m; i++) {
            double t = (double)(off + i) / FS;
            double re = sigma * gauss(), im = sigma * gauss();
            for (int k = 0; k < s->n_tones; k++) {
                double a = sqrt(pow(10, s->tone_dbfs[k] / 10));
                double ph = 2 * M_PI * (s->tone_hz[k] - FC) * t + 0.7 * k;
                re += a * cos(ph);
                im += a * sin(ph);
            }
            if (s->clip > 0) {
                re = fmax(-s->clip, fmin(s->clip, re));
                im = fmax(-s->clip, fmin(s->clip, im));
            }
            buf[i] = (float)re + I * (float)im;
        }
        CHECK_OK(capture_writer_write(w, buf, m, &err));
    }
    CHECK_OK(capture_writer_commit(w, &err));
}

static void write_capture(const char *meta_path, const sig *s, double duration_s,
                          const char *datetime, const char *device_id)
{
    write_capture_cal(meta_path, s, duration_s, datetime, device_id, NULL);
}

static void make_captures(void)
{
    snprintf(cap_tone, sizeof cap_tone, "%s/tone.sigmf-meta", dir);
    snprintf(cap_noise, sizeof cap_noise, "%s/noise.sigmf-meta", dir);
    snprintf(cap_comb, sizeof cap_comb, "%s/comb.sigmf-meta", dir);
    snprintf(cap_clip, sizeof cap_clip, "%s/clip.sigmf-meta", dir);
    sig a = {.noise_dbfs_hz = -130, .tone_hz = {868.0123e6}, .tone_dbfs = {-40}, .n_tones = 1};
    /* 0.6 s: long enough for the quasi-peak meter (Band C/D, 100 ms) to settle (5 T_M). */
    write_capture(cap_tone, &a, 0.6, "2025-06-01T10:00:00Z", "BC-33-AC-FF-FE-FA-55-3D");
    sig b = {.noise_dbfs_hz = -120};
    write_capture(cap_noise, &b, 0.25, "2025-06-01T11:00:00Z", NULL);
    sig c = {.noise_dbfs_hz = -130, .n_tones = 11};
    for (int k = 0; k < 11; k++) {
        c.tone_hz[k] = 867.90e6 + 20e3 * k; /* 867.90 ... 868.10 MHz */
        c.tone_dbfs[k] = -50;
    }
    write_capture(cap_comb, &c, 0.25, NULL, NULL);
    sig d = {.noise_dbfs_hz = -100, .tone_hz = {868.0123e6}, .tone_dbfs = {3}, .n_tones = 1,
             .clip = 1.0};
    write_capture(cap_clip, &d, 0.1, NULL, NULL);
}

/* ---- library-level verdicts ------------------------------------------------------------------ */

#define SET_HEAD "{\"format\":\"rfnoise-limits-1\",\"id\":\"test\",\"version\":\"7\"," \
                 "\"source\":\"test\",\"valid_from\":\"2020-01-01\",\"bands\":["

static limits_set *set_of(const char *bands_json)
{
    char text[4096];
    snprintf(text, sizeof text, SET_HEAD "%s]}", bands_json);
    limits_set *s = NULL;
    rfn_error err;
    if (limits_parse(text, strlen(text), "test.json", &s, &err))
        fprintf(stderr, "limits: %s\n", err.msg);
    return s;
}

/* Analyse capture with one band (JSON) under cfg; returns band 0's verdict record. */
static band_verdict run1(const char *capture_path, const char *band_json, analyse_config cfg,
                         capture_analysis *keep)
{
    band_verdict v;
    memset(&v, 0, sizeof v);
    v.verdict = (band_verdict_kind)-1;
    limits_set *s = set_of(band_json);
    CHECK(s != NULL);
    if (!s)
        return v;
    cfg.limits = &s;
    cfg.n_limits = 1;
    cfg.quiet = 1;
    capture_analysis res;
    rfn_error err;
    rfn_status st = analyse_capture(capture_path, &cfg, &res, NULL, &err);
    CHECK_MSG(st == RFN_OK, "%s", err.msg);
    if (st == RFN_OK && res.n_bands > 0)
        v = res.bands[0];
    if (keep && st == RFN_OK)
        *keep = res;
    else if (st == RFN_OK)
        analyse_result_free(&res);
    limits_free(s);
    return v;
}

#define BAND(id, lo, hi, q, extra)                                                               \
    "{\"id\":\"" id "\",\"f_lo_hz\":" #lo ",\"f_hi_hz\":" #hi ",\"quantity\":\"" q "\"," extra "}"

static void test_tone_above(void)
{
    analyse_config cfg = analyse_config_default();
    capture_analysis res;
    band_verdict v = run1(cap_tone,
                          BAND("tone", 867.9e6, 868.1e6, "peak_density",
                               "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-46"),
                          cfg, &res);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK(v.reasons == REASON_EXCEEDS_LIMIT);
    CHECK_DB_NEAR(v.m.measured, -40, 0.2);
    CHECK_DB_NEAR(v.margin_db, -6, 0.2);
    CHECK_NEAR(v.m.worst_freq_hz, 868.0123e6, 5e3);
    CHECK(strcmp(v.m.measured_unit, "dBFS/ref_bw") == 0);
    CHECK(res.verdict == VERDICT_FAIL);
    CHECK(analyse_exit_status(&res, 1) == 1);
    CHECK(strcmp(res.limits_id, "test") == 0 && strcmp(res.limits_version, "7") == 0);
    CHECK(res.calibration_id[0] == '\0');
    CHECK(strcmp(res.meta.device_id, "BC-33-AC-FF-FE-FA-55-3D") == 0);
    CHECK(res.settings.segments >= 10);
    analyse_result_free(&res);

    /* The same tone against a limit 6 dB above it: pass with +6 dB. */
    v = run1(cap_tone,
             BAND("tone", 867.9e6, 868.1e6, "peak_density",
                  "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-34"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_PASS && v.reasons == 0);
    CHECK_DB_NEAR(v.margin_db, 6, 0.2);
}

static void test_noise_below(void)
{
    analyse_config cfg = analyse_config_default();
    /* -120 dBFS/Hz over 800 kHz = -60.97 dBFS; the limit sits 3 dB above. */
    double p = -120 + 10 * log10(800e3);
    char band[512];
    snprintf(band, sizeof band,
             BAND("noise", 867.6e6, 868.4e6, "channel_power", "\"unit\":\"dBFS\",\"limit\":%.4f")
             "," BAND("dens", 867.6e6, 868.4e6, "mean_density",
                      "\"unit\":\"dBFS/Hz\",\"limit\":-117"),
             p + 3);
    capture_analysis res;
    band_verdict v = run1(cap_noise, band, cfg, &res);
    CHECK(v.verdict == VERDICT_PASS && v.reasons == 0);
    CHECK_DB_NEAR(v.m.measured, p, 0.2);
    CHECK_DB_NEAR(v.margin_db, 3, 0.2);
    CHECK(isnan(v.m.worst_freq_hz));
    if (res.n_bands == 2) {
        CHECK(res.bands[1].verdict == VERDICT_PASS);
        CHECK_DB_NEAR(res.bands[1].margin_db, 3, 0.2);
    }
    CHECK(res.verdict == VERDICT_PASS && analyse_exit_status(&res, 1) == 0);
    analyse_result_free(&res);

    /* Guard band 4 dB: a 3 dB margin is no longer a proven pass. */
    cfg.guard_db = 4;
    v = run1(cap_noise, band, cfg, &res);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_GUARD_BAND);
    CHECK(analyse_exit_status(&res, 1) == 3);
    analyse_result_free(&res);
}

static void test_comb_edge(void)
{
    analyse_config cfg = analyse_config_default();
    /* Band 868.01-868.30 MHz holds 5 lines of the comb (868.02 ... 868.10), each -50 dBFS:
     * -50 + 10 log10 5 = -43.01 dBFS; the line 10 kHz below the edge stays out. */
    double p = -50 + 10 * log10(5.0);
    band_verdict v = run1(cap_comb,
                          BAND("comb", 868.01e6, 868.30e6, "channel_power",
                               "\"unit\":\"dBFS\",\"limit\":-40"),
                          cfg, NULL);
    CHECK(v.verdict == VERDICT_PASS);
    CHECK_DB_NEAR(v.m.measured, p, 0.2);
    CHECK_DB_NEAR(v.margin_db, -40 - p, 0.2);
    v = run1(cap_comb,
             BAND("comb", 868.01e6, 868.30e6, "channel_power", "\"unit\":\"dBFS\",\"limit\":-46"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL && v.reasons == REASON_EXCEEDS_LIMIT);
    CHECK_DB_NEAR(v.margin_db, -46 - p, 0.2);
}

static void test_half_outside(void)
{
    analyse_config cfg = analyse_config_default();
    /* The span is 867.5-868.5 MHz: half of 868.3-868.7 lies outside. */
    capture_analysis res;
    band_verdict v = run1(cap_noise,
                          BAND("out", 868.3e6, 868.7e6, "channel_power",
                               "\"unit\":\"dBFS\",\"limit\":-40"),
                          cfg, &res);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE);
    CHECK(v.reasons == REASON_BAND_NOT_COVERED);
    /* The two-sided span of an even nfft ends half a bin below fc + fs/2. */
    CHECK_NEAR(v.m.covered_fraction, (FC + FS / 2 - res.settings.bin_hz / 2 - 868.3e6) / 400e3,
               1e-9);
    analyse_result_free(&res);
    /* ... but when the covered half already exceeds the limit, the fail is proven. */
    v = run1(cap_noise,
             BAND("out", 868.3e6, 868.7e6, "channel_power", "\"unit\":\"dBFS\",\"limit\":-80"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK(v.reasons == (REASON_BAND_NOT_COVERED | REASON_EXCEEDS_LIMIT));
}

static void test_clipped(void)
{
    analyse_config cfg = analyse_config_default();
    capture_analysis res;
    band_verdict v = run1(cap_clip,
                          BAND("tone", 867.9e6, 868.1e6, "peak_density",
                               "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":20"),
                          cfg, &res);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE);
    CHECK(v.reasons == REASON_CLIPPED);
    CHECK(res.findings & CAPTURE_FIND_CLIPPED);
    CHECK(res.stats.clipped_fraction > 0.1);
    analyse_result_free(&res);
}

static void test_uncalibrated(void)
{
    analyse_config cfg = analyse_config_default();
    const char *band = BAND("tone", 867.9e6, 868.1e6, "peak_density",
                            "\"unit\":\"dBm/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-76");
    band_verdict v = run1(cap_tone, band, cfg, NULL);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE);
    CHECK(v.reasons == REASON_UNCALIBRATED);
    CHECK(strcmp(v.m.measured_unit, "dBFS/ref_bw") == 0); /* never dBm when uncalibrated */
    CHECK(strcmp(v.unit, "dBm/ref_bw") == 0);
    CHECK_DB_NEAR(v.m.measured, -40, 0.2);
    CHECK(isnan(v.margin_db));

    /* Calibrated with -30 dB: -70 dBm against -76 dBm fails by 6 dB. */
    calibration *cal = NULL;
    rfn_error err;
    CHECK_OK(calibration_from_db(-30, &cal, &err));
    cfg.cal = cal;
    capture_analysis res;
    v = run1(cap_tone, band, cfg, &res);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK(strcmp(v.m.measured_unit, "dBm/ref_bw") == 0);
    CHECK_DB_NEAR(v.m.measured, -70, 0.2);
    CHECK_DB_NEAR(v.margin_db, -6, 0.2);
    CHECK(strcmp(res.calibration_id, "cal-db:-30") == 0);
    analyse_result_free(&res);
    calibration_free(cal);

    /* A calibration whose table does not reach the band: calibration-out-of-range. */
    const char *ct = "{\"format\":\"rfnoise-calibration-1\",\"id\":\"narrow\","
                     "\"gain\":[[400e6,-30],[500e6,-30]]}";
    CHECK_OK(calibration_parse(ct, strlen(ct), "narrow.json", &cal, &err));
    cfg.cal = cal;
    v = run1(cap_tone, band, cfg, NULL);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_CAL_RANGE);
    calibration_free(cal);
}

static void test_region_and_floor(void)
{
    analyse_config cfg = analyse_config_default();
    const char *band = BAND("north", 867.9e6, 868.1e6, "peak_density",
                            "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-46,"
                            "\"applies_to\":{\"regions\":[\"north\"]}");
    cfg.region = LIMITS_REGION_SOUTH;
    capture_analysis res;
    band_verdict v = run1(cap_tone, band, cfg, &res);
    CHECK(v.verdict == VERDICT_NOT_APPLICABLE && v.reasons == REASON_REGION);
    CHECK(res.verdict == VERDICT_PASS && analyse_exit_status(&res, 1) == 0);
    analyse_result_free(&res);
    cfg.region = LIMITS_REGION_NORTH;
    v = run1(cap_tone, band, cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL);

    /* The chain's stated floor (-119 dBm/Hz, gain 0 dB) is 1 dB above the noise measured:
     * within 3 dB of the limit, so the pass cannot be proven. */
    cfg = analyse_config_default();
    calibration *cal = NULL;
    rfn_error err;
    const char *ct = "{\"format\":\"rfnoise-calibration-1\",\"id\":\"floor\",\"gain_db\":0,"
                     "\"noise_floor_dbm_hz\":-119}";
    CHECK_OK(calibration_parse(ct, strlen(ct), "floor.json", &cal, &err));
    cfg.cal = cal;
    char b2[400];
    snprintf(b2, sizeof b2,
             BAND("noise", 867.6e6, 868.4e6, "channel_power", "\"unit\":\"dBm\",\"limit\":%.4f"),
             -120 + 10 * log10(800e3) + 3);
    v = run1(cap_noise, b2, cfg, NULL);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_NOISE_FLOOR);
    CHECK_DB_NEAR(v.m.floor_level, -119 + 10 * log10(800e3), 1e-6);
    calibration_free(cal);

    /* The floor measured on a baseline capture: the noise capture as its own baseline sits
     * 3 dB under the limit, so the pass is not proven; as the tone's baseline it is 34 dB
     * under the tone-peak limit and the fail stands. */
    cfg = analyse_config_default();
    cfg.baseline_path = cap_noise;
    char b3[400];
    snprintf(b3, sizeof b3,
             BAND("noise", 867.6e6, 868.4e6, "channel_power", "\"unit\":\"dBFS\",\"limit\":%.4f"),
             -120 + 10 * log10(800e3) + 2.5);
    v = run1(cap_noise, b3, cfg, NULL);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_NOISE_FLOOR);
    CHECK_DB_NEAR(v.m.floor_level, v.m.measured, 1e-9);
    v = run1(cap_tone,
             BAND("tone", 867.9e6, 868.1e6, "peak_density",
                  "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-46"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK_DB_NEAR(v.m.floor_level, -120 + 40, 0.5);
    cfg.baseline_path = cap_comb; /* no date, same rate and centre: fine */
    v = run1(cap_tone,
             BAND("tone", 867.9e6, 868.1e6, "peak_density",
                  "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-30"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_PASS); /* comb lines at -50 in 10 kHz: 20 dB under the limit */
}

static void test_detector_and_mask(void)
{
    analyse_config cfg = analyse_config_default();
    /* Quasi-peak by the CISPR 16-1-1 detector (emi.h): a steady tone reads its power. */
    band_verdict v = run1(cap_tone,
                          BAND("qp", 867.9e6, 868.1e6, "quasi_peak",
                               "\"unit\":\"dBFS\",\"rbw_hz\":120000,\"limit\":-46"),
                          cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL && v.reasons == REASON_EXCEEDS_LIMIT);
    CHECK(strcmp(v.m.method, "emi-detector") == 0);
    /* Within 0.5 dB: the tone falls between output bins of the STFT (Gaussian RBW response)
     * and the meter is at 96 % after 6 T_M. */
    CHECK_DB_NEAR(v.m.measured, -40, 0.5);
    CHECK_DB_NEAR(v.margin_db, -6, 0.5);
    v = run1(cap_tone,
             BAND("qp", 867.9e6, 868.1e6, "quasi_peak",
                  "\"unit\":\"dBFS\",\"rbw_hz\":120000,\"limit\":-30"),
             cfg, NULL);
    CHECK_MSG(v.verdict == VERDICT_PASS, "verdict %d reasons %#x margin %g method %s", v.verdict,
              v.reasons, v.margin_db, v.m.method);
    CHECK_DB_NEAR(v.margin_db, 10, 0.5);
    /* 0.25 s is shorter than 5 meter time constants: the reading may still be rising, so a pass
     * is not proven. */
    v = run1(cap_comb,
             BAND("qp", 867.9e6, 868.1e6, "quasi_peak",
                  "\"unit\":\"dBFS\",\"rbw_hz\":120000,\"limit\":0"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_INCONCLUSIVE && v.reasons == REASON_TOO_SHORT);
    /* Peak detector: a plain fail. */
    v = run1(cap_tone,
             BAND("pk", 867.9e6, 868.1e6, "peak", "\"unit\":\"dBFS\",\"rbw_hz\":120000,"
                                                   "\"limit\":-46"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL);

    /* A sloping mask: -35 dB at 867.9 MHz to -45 dB at 868.1 MHz; at the tone (868.0123 MHz)
     * the limit is -40.615, so the margin is a little below -0.6 (the worst window sits a few
     * kHz above the tone, where the mask is lower still). */
    v = run1(cap_tone,
             BAND("mask", 867.9e6, 868.1e6, "peak_density",
                  "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,"
                  "\"mask\":[[867.9e6,-35],[868.1e6,-45]]"),
             cfg, NULL);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK_MSG(v.margin_db < -0.55 && v.margin_db > -0.95, "mask margin %g", v.margin_db);
    CHECK_NEAR(v.m.worst_freq_hz, 868.0123e6, 5e3);
    CHECK_NEAR(v.limit, -35 - 10 * (v.m.worst_freq_hz - 867.9e6) / 0.2e6, 1e-6);
}

static void test_select_by_date(void)
{
    /* Two versions of a set: the capture (2025-06-01) falls in the second one's validity. */
    const char *t1 = "{\"format\":\"rfnoise-limits-1\",\"id\":\"dated\",\"version\":\"1\","
                     "\"source\":\"t\",\"valid_from\":\"2020-01-01\",\"valid_to\":\"2024-12-31\","
                     "\"bands\":[" BAND("tone", 867.9e6, 868.1e6, "peak_density",
                                        "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,"
                                        "\"limit\":-46") "]}";
    const char *t2 = "{\"format\":\"rfnoise-limits-1\",\"id\":\"dated\",\"version\":\"2\","
                     "\"source\":\"t\",\"valid_from\":\"2025-01-01\","
                     "\"bands\":[" BAND("tone", 867.9e6, 868.1e6, "peak_density",
                                        "\"unit\":\"dBFS/ref_bw\",\"ref_bw_hz\":10000,"
                                        "\"limit\":-30") "]}";
    limits_set *sets[2] = {NULL, NULL};
    rfn_error err;
    CHECK_OK(limits_parse(t1, strlen(t1), "v1.json", &sets[0], &err));
    CHECK_OK(limits_parse(t2, strlen(t2), "v2.json", &sets[1], &err));
    analyse_config cfg = analyse_config_default();
    cfg.limits = sets;
    cfg.n_limits = 2;
    cfg.quiet = 1;
    capture_analysis res;
    CHECK_OK(analyse_capture(cap_tone, &cfg, &res, NULL, &err));
    CHECK(strcmp(res.limits_version, "2") == 0 && res.verdict == VERDICT_PASS);
    analyse_result_free(&res);
    /* The comb capture has no date: today's set (version 2, open-ended) applies. */
    CHECK_OK(analyse_capture(cap_comb, &cfg, &res, NULL, &err));
    CHECK(strcmp(res.limits_version, "2") == 0);
    analyse_result_free(&res);
    limits_free(sets[0]);
    limits_free(sets[1]);
}

static void test_calibration_by_id(void)
{
    /* A capture that names its calibration (SigMF rfnoise:calibration_id) is calibrated from
     * cal_dir/<id>.json without --cal. */
    char cal_dir[400], cal_path[500], cap[500];
    snprintf(cal_dir, sizeof cal_dir, "%s/cals", dir);
    snprintf(cal_path, sizeof cal_path, "%s/bench-7.json", cal_dir);
    snprintf(cap, sizeof cap, "%s/named.sigmf-meta", dir);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && printf '%%s' '{\"format\":\"rfnoise-calibration-1\","
             "\"id\":\"bench-7\",\"gain_db\":-30}' > '%s'",
             cal_dir, cal_path);
    CHECK(run(cmd) == 0);
    sig a = {.noise_dbfs_hz = -130, .tone_hz = {868.0123e6}, .tone_dbfs = {-40}, .n_tones = 1};
    write_capture_cal(cap, &a, 0.1, NULL, NULL, "bench-7");
    analyse_config cfg = analyse_config_default();
    cfg.cal_dir = cal_dir;
    capture_analysis res;
    band_verdict v = run1(cap,
                          BAND("tone", 867.9e6, 868.1e6, "peak_density",
                               "\"unit\":\"dBm/ref_bw\",\"ref_bw_hz\":10000,\"limit\":-76"),
                          cfg, &res);
    CHECK(strcmp(res.calibration_id, "bench-7") == 0);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK_DB_NEAR(v.m.measured, -70, 0.2);
    analyse_result_free(&res);
    /* A missing calibration file is an input error naming the capture and the id. */
    cfg.cal_dir = dir;
    limits_set *s = set_of(BAND("t", 867.9e6, 868.1e6, "channel_power",
                                "\"unit\":\"dBm\",\"limit\":0"));
    cfg.limits = &s;
    cfg.n_limits = 1;
    cfg.quiet = 1;
    rfn_error err;
    CHECK(analyse_capture(cap, &cfg, &res, NULL, &err) == RFN_ERR_NOTFOUND);
    CHECK_MSG(strstr(err.msg, "named.sigmf-meta: calibration 'bench-7': ") != NULL, "%s",
              err.msg);
    limits_free(s);
}

static void test_annotations_excluded(void)
{
    /* Noise at -120 dBFS/Hz for 0.25 s, and the hub's own burst: a -40 dBFS carrier at
     * 868.2 MHz during samples 50000..99999, annotated. Left out, the band reads the noise
     * (-120 + 50 = -70 dBFS in 100 kHz); kept, the burst dominates (-40 + 10 log 0.2 = -47). */
    char cap[500];
    snprintf(cap, sizeof cap, "%s/burst.sigmf-meta", dir);
    capture_annotation ann;
    memset(&ann, 0, sizeof ann);
    ann.sample_start = 50000;
    ann.sample_count = 50000;
    ann.freq_lo_hz = 868.19e6;
    ann.freq_hi_hz = 868.21e6;
    snprintf(ann.label, sizeof ann.label, "hub-burst");
    capture_writer_config wc = capture_writer_config_default();
    wc.sample_rate_hz = FS;
    wc.center_freq_hz = FC;
    wc.annotations = &ann;
    wc.n_annotations = 1;
    capture_writer *w = NULL;
    rfn_error err;
    CHECK_OK(capture_writer_create(cap, &wc, &w, &err));
    if (!w)
        return;
    double sigma = sqrt(1e-12 * FS / 2), a = sqrt(1e-4);
    static float complex buf[250000];
    for (size_t n = 0; n < 250000; n++) {
        double re = sigma * gauss(), im = sigma * gauss();
        if (n >= 50000 && n < 100000) {
            double ph = 2 * M_PI * 0.2e6 * (double)n / FS;
            re += a * cos(ph);
            im += a * sin(ph);
        }
        buf[n] = (float)re + I * (float)im;
    }
    CHECK_OK(capture_writer_write(w, buf, 250000, &err));
    CHECK_OK(capture_writer_commit(w, &err));

    const char *band = BAND("burst", 868.15e6, 868.25e6, "channel_power",
                            "\"unit\":\"dBFS\",\"limit\":-60");
    analyse_config cfg = analyse_config_default();
    capture_analysis res;
    band_verdict v = run1(cap, band, cfg, &res);
    CHECK(v.verdict == VERDICT_PASS);
    CHECK_DB_NEAR(v.m.measured, -70, 0.2);
    CHECK(res.settings.excluded_spans == 1 && res.settings.excluded_samples == 50000);
    analyse_result_free(&res);
    cfg.keep_annotations = 1;
    v = run1(cap, band, cfg, &res);
    CHECK(v.verdict == VERDICT_FAIL);
    CHECK_DB_NEAR(v.m.measured, -40 + 10 * log10(0.2), 0.2);
    CHECK(res.settings.excluded_spans == 0 && res.settings.excluded_samples == 0);
    analyse_result_free(&res);
}

/* ---- CLI ------------------------------------------------------------------------------------- */

/* Tolerance-aware JSON comparison: numbers within abs_tol (or 1e-9 relative for large values),
 * strings/bools/nulls equal, same keys, same array lengths; "path" values are ignored (they name
 * temporary files). Prints the JSON path of the first difference. */
static int json_near(json_t *a, json_t *b, const char *where, double abs_tol)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        double tol = fmax(abs_tol, 1e-9 * fabs(y));
        if (fabs(x - y) <= tol)
            return 1;
        fprintf(stderr, "%s: %.10g != %.10g (tol %g)\n", where, x, y, tol);
        return 0;
    }
    if (json_typeof(a) != json_typeof(b)) {
        fprintf(stderr, "%s: type differs\n", where);
        return 0;
    }
    char sub[512];
    if (json_is_object(a)) {
        const char *k;
        json_t *va;
        if (json_object_size(a) != json_object_size(b)) {
            fprintf(stderr, "%s: %zu keys != %zu keys\n", where, json_object_size(a),
                    json_object_size(b));
            return 0;
        }
        json_object_foreach(a, k, va) {
            json_t *vb = json_object_get(b, k);
            snprintf(sub, sizeof sub, "%s.%s", where, k);
            if (!vb) {
                fprintf(stderr, "%s: missing in golden\n", sub);
                return 0;
            }
            if (strcmp(k, "path") == 0)
                continue;
            if (!json_near(va, vb, sub, abs_tol))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b)) {
            fprintf(stderr, "%s: array length differs\n", where);
            return 0;
        }
        for (size_t i = 0; i < json_array_size(a); i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            if (!json_near(json_array_get(a, i), json_array_get(b, i), sub, abs_tol))
                return 0;
        }
        return 1;
    }
    if (json_equal(a, b))
        return 1;
    fprintf(stderr, "%s: values differ\n", where);
    return 0;
}

static void test_cli_golden(void)
{
    const char *limits = RFN_SOURCE_DIR "/tests/data/analyse/test-limits.json";
    const char *golden = RFN_SOURCE_DIR "/tests/data/analyse/golden.json";
    char cmd[4096], out[400];
    snprintf(out, sizeof out, "%s/analyse.json", dir);
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' '%s' --limits '%s' --region north --quiet "
                              "--format json > '%s'",
             rfnoise, cap_tone, cap_noise, limits, out);
    CHECK(run(cmd) == 1); /* the tone capture fails */
    json_error_t je;
    json_t *got = json_load_file(out, 0, &je);
    CHECK_MSG(got != NULL, "%s: %s", out, je.text);
    if (getenv("RFN_UPDATE_GOLDEN") && got) {
        json_dump_file(got, golden, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fprintf(stderr, "wrote %s\n", golden);
    }
    json_t *want = json_load_file(golden, 0, &je);
    CHECK_MSG(want != NULL, "%s: %s", golden, je.text);
    if (got && want)
        CHECK(json_near(got, want, "$", 0.05));
    /* Spot checks that do not depend on the golden file. */
    json_t *caps = json_object_get(got, "captures");
    CHECK(json_array_size(caps) == 2);
    CHECK(strcmp(json_string_value(json_object_get(got, "verdict")), "fail") == 0);
    json_decref(got);
    json_decref(want);

    /* CSV: a header and one row per capture x band (test-limits.json has 6 bands). */
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' '%s' --limits '%s' --quiet --format csv > "
                              "'%s/a.csv'",
             rfnoise, cap_tone, cap_noise, limits, dir);
    CHECK(run(cmd) == 1);
    snprintf(cmd, sizeof cmd, "test $(wc -l < '%s/a.csv') -eq 13 && head -1 '%s/a.csv' | grep -q "
                              "'^capture,device_id,datetime,calibration_id,limit_set'",
             dir, dir);
    CHECK(run(cmd) == 0);

    /* A label from a limit file that a spreadsheet would run as a formula is neutralised. */
    snprintf(cmd, sizeof cmd,
             "printf '%%s' '{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"1\","
             "\"source\":\"s\",\"valid_from\":\"2020-01-01\",\"bands\":[{\"id\":\"b\","
             "\"label\":\"=HYPERLINK(1)\",\"f_lo_hz\":867.9e6,\"f_hi_hz\":868.1e6,"
             "\"quantity\":\"channel_power\",\"unit\":\"dBFS\",\"limit\":0}]}' > '%s/f.json' && "
             "'%s' analyse '%s' --limits '%s/f.json' --quiet --format csv | "
             "grep -q \",'=HYPERLINK(1),\"",
             dir, rfnoise, cap_noise, dir);
    CHECK(run(cmd) == 0);

    /* Text: header with the settings, the verdict line. */
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' --limits '%s' --quiet > '%s/a.txt'", rfnoise,
             cap_noise, limits, dir);
    CHECK(run(cmd) == 3); /* the noise capture has inconclusive bands only */
    snprintf(cmd, sizeof cmd,
             "grep -q '^limits     test-limits version 3' '%s/a.txt' && grep -q '^analysis   "
             "window hann, nfft ' '%s/a.txt' && grep -q '^calibration none (levels in dBFS)' "
             "'%s/a.txt' && grep -q '^verdict    inconclusive' '%s/a.txt'",
             dir, dir, dir, dir);
    CHECK(run(cmd) == 0);

    /* Usage and input errors exit 2. */
    snprintf(cmd, sizeof cmd, "'%s' analyse --format xml '%s' 2>/dev/null", rfnoise, cap_noise);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s/missing.sigmf-meta' --quiet >/dev/null "
                              "2>/dev/null", rfnoise, dir);
    CHECK(run(cmd) == 2);
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' --limits '%s/../nonexistent.json' 2>/dev/null",
             rfnoise, cap_noise, dir);
    CHECK(run(cmd) == 2);
}

static int file_starts(const char *path, const char *magic, size_t n)
{
    char buf[16] = {0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    return got == n && memcmp(buf, magic, n) == 0;
}

static void test_cli_plots(void)
{
    if (run("gnuplot --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "gnuplot not installed: plot checks skipped\n");
        return;
    }
    char cmd[4096], p[600];
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' --limits '%s' --quiet --plot '%s/plots' "
                              ">/dev/null",
             rfnoise, cap_tone, RFN_SOURCE_DIR "/tests/data/analyse/test-limits.json", dir);
    CHECK(run(cmd) == 1);
    snprintf(p, sizeof p, "%s/plots/tone.spectrum.png", dir);
    CHECK(file_starts(p, "\x89PNG\r\n\x1a\n", 8));
    snprintf(p, sizeof p, "%s/plots/tone.spectrogram.png", dir);
    CHECK(file_starts(p, "\x89PNG\r\n\x1a\n", 8));
    snprintf(cmd, sizeof cmd, "'%s' analyse '%s' --limits '%s' --quiet --plot '%s/plots' "
                              "--plot-format svg >/dev/null",
             rfnoise, cap_tone, RFN_SOURCE_DIR "/tests/data/analyse/test-limits.json", dir);
    CHECK(run(cmd) == 1);
    snprintf(p, sizeof p, "%s/plots/tone.spectrum.svg", dir);
    CHECK(file_starts(p, "<?xml", 5));
    snprintf(cmd, sizeof cmd, "grep -q '<svg' '%s' && grep -q '</svg>' '%s'", p, p);
    CHECK(run(cmd) == 0);

    /* A device name from the capture's metadata is drawn literally and runs nothing. */
    char evil_cap[500], marker[500];
    snprintf(evil_cap, sizeof evil_cap, "%s/evil.sigmf-meta", dir);
    snprintf(marker, sizeof marker, "%s/RFNMARK", dir);
    /* relative marker path: rfnoise (and gnuplot) run with dir as working directory */
    const char *evil = "x\"'`touch RFNMARK` system(\"touch RFNMARK\")\n@x";
    sig a = {.noise_dbfs_hz = -130};
    write_capture(evil_cap, &a, 0.05, NULL, evil);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' analyse '%s' --limits '%s' --quiet --plot plots "
                              "--plot-format svg >/dev/null",
             dir, rfnoise, evil_cap, RFN_SOURCE_DIR "/tests/data/analyse/test-limits.json");
    CHECK(run(cmd) == 3);
    snprintf(p, sizeof p, "%s/plots/evil.spectrum.svg", dir);
    CHECK(file_starts(p, "<?xml", 5));
    struct stat st;
    CHECK_MSG(stat(marker, &st) != 0, "a device name ran a command: %s exists", marker);
    snprintf(cmd, sizeof cmd, "grep -q 'system(' '%s' && grep -q '`touch ' '%s'", p, p);
    CHECK(run(cmd) == 0);

    /* Without gnuplot the analysis still runs and says why the plot is missing. */
    snprintf(cmd, sizeof cmd, "RFN_GNUPLOT=/nonexistent/gnuplot '%s' analyse '%s' --limits '%s' "
                              "--quiet --plot '%s/noplot' > '%s/np.txt' 2> '%s/np.err'",
             rfnoise, cap_tone, RFN_SOURCE_DIR "/tests/data/analyse/test-limits.json", dir, dir,
             dir);
    CHECK(run(cmd) == 1);
    snprintf(cmd, sizeof cmd, "grep -q '^verdict    fail' '%s/np.txt' && grep -q '^rfnoise: "
                              "analyse: plot: /nonexistent/gnuplot not found' '%s/np.err' && "
                              "test ! -e '%s/noplot/tone.spectrum.png'",
             dir, dir, dir);
    CHECK(run(cmd) == 0);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/test_analyse.tmp", RFN_BINARY_DIR);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (run(cmd) != 0)
        return 1;
    make_captures();
    test_tone_above();
    test_noise_below();
    test_comb_edge();
    test_half_outside();
    test_clipped();
    test_uncalibrated();
    test_region_and_floor();
    test_detector_and_mask();
    test_select_by_date();
    test_calibration_by_id();
    test_annotations_excluded();
    test_cli_golden();
    test_cli_plots();
    return check_finish();
}
