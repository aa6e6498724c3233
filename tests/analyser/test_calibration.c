/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_calibration.c: calibration files: scalar and table gains, log-frequency interpolation,
 * per-receiver-gain tables, cable loss, antenna factor, out-of-range errors, bad files. */
#include <math.h>
#include <string.h>

#include "calibration.h"
#include "check.h"

static calibration *parse(const char *text, rfn_error *err)
{
    calibration *c = NULL;
    rfn_error_clear(err);
    calibration_parse(text, strlen(text), "c.json", &c, err);
    return c;
}

static void expect_error(const char *text, const char *msg)
{
    rfn_error err;
    calibration *c = parse(text, &err);
    CHECK_MSG(c == NULL, "accepted: %s", text);
    CHECK_MSG(strcmp(err.msg, msg) == 0, "\n got  '%s'\n want '%s'", err.msg, msg);
    calibration_free(c);
}

#define HEAD "{\"format\":\"rfnoise-calibration-1\",\"id\":\"t\","

static void test_scalar(void)
{
    rfn_error err;
    calibration *c = NULL;
    CHECK_OK(calibration_from_db(-30.5, &c, &err));
    double g = 0;
    CHECK_OK(calibration_gain_db(c, 2.4e9, &g, &err));
    CHECK_NEAR(g, -30.5, 0);
    CHECK(strcmp(calibration_id(c), "cal-db:-30.5") == 0);
    CHECK(calibration_covers(c, 0, 6e9));
    CHECK(!calibration_has_antenna_factor(c));
    double af;
    CHECK(calibration_antenna_factor_db(c, 1e9, &af, &err) == RFN_ERR_NOTFOUND);
    calibration_free(c);

    c = parse(HEAD "\"gain_db\":-20,\"cable_loss_db\":1.5}", &err);
    CHECK_MSG(c != NULL, "%s", err.msg);
    CHECK_OK(calibration_gain_db(c, 100e6, &g, &err));
    CHECK_NEAR(g, -18.5, 1e-12);
    calibration_free(c);
}

static void test_table(void)
{
    rfn_error err;
    calibration *c = parse(HEAD "\"gain\":[[100e6,-10],[1000e6,-20]],"
                                "\"antenna_factor_db_per_m\":[[100e6,10],[1000e6,30]],"
                                "\"noise_floor_dbm_hz\":-165}",
                           &err);
    CHECK_MSG(c != NULL, "%s", err.msg);
    if (!c)
        return;
    double g = 0;
    /* Linear in dB over log10 f: sqrt(1e8 * 1e9) is half-way. */
    CHECK_OK(calibration_gain_db(c, sqrt(1e17), &g, &err));
    CHECK_NEAR(g, -15, 1e-9);
    CHECK_OK(calibration_gain_db(c, 100e6, &g, &err));
    CHECK_NEAR(g, -10, 1e-12);
    CHECK_OK(calibration_gain_db(c, 1000e6, &g, &err));
    CHECK_NEAR(g, -20, 1e-12);
    /* 10^(1/4) of the way in frequency ratio = a quarter in log f. */
    CHECK_OK(calibration_gain_db(c, 100e6 * pow(10, 0.25), &g, &err));
    CHECK_NEAR(g, -12.5, 1e-9);
    CHECK(calibration_gain_db(c, 1.5e9, &g, &err) == RFN_ERR_INVALID);
    CHECK_MSG(strcmp(err.msg, "c.json: gain: 1.5e+09 Hz is outside the table (100000000 ... "
                              "1e+09 Hz)") == 0 ||
                  strcmp(err.msg, "c.json: gain: 1500000000 Hz is outside the table (100000000 "
                                  "... 1000000000 Hz)") == 0,
              "%s", err.msg);
    CHECK(calibration_gain_db(c, 99e6, &g, &err) == RFN_ERR_INVALID);
    double af = 0;
    CHECK_OK(calibration_antenna_factor_db(c, sqrt(1e17), &af, &err));
    CHECK_NEAR(af, 20, 1e-9);
    double nf = 0;
    CHECK(calibration_noise_floor_dbm_hz(c, &nf) == 1);
    CHECK_NEAR(nf, -165, 0);
    CHECK(calibration_covers(c, 400e6, 500e6));
    CHECK(!calibration_covers(c, 900e6, 1100e6));
    calibration_free(c);
}

static void test_example_file(void)
{
    rfn_error err;
    calibration *c = NULL;
    CHECK_OK(calibration_load(RFN_SOURCE_DIR "/data/calibration/example-lab-sdr.json", &c, &err));
    if (!c)
        return;
    double g = 0;
    CHECK(calibration_gain_db(c, 900e6, &g, &err) == RFN_ERR_INVALID); /* no rx gain chosen */
    CHECK(strstr(err.msg, "--rx-gain") != NULL);
    CHECK(calibration_select_rx_gain(c, 30, &err) == RFN_ERR_NOTFOUND);
    CHECK_MSG(strstr(err.msg, "no table for receiver gain 30 dB (tables for: 40, 20 dB)") != NULL,
              "%s", err.msg);
    CHECK_OK(calibration_select_rx_gain(c, 40, &err));
    CHECK_OK(calibration_gain_db(c, 900e6, &g, &err));
    /* gain -36.5 at 900 MHz, cable 0.9 + (1.7 - 0.9) * log(900/300)/log(1000/300). */
    double cable = 0.9 + 0.8 * log10(3.0) / log10(1000.0 / 300.0);
    CHECK_NEAR(g, -36.5 + cable, 1e-9);
    CHECK_OK(calibration_select_rx_gain(c, 20.02, &err));
    CHECK_OK(calibration_gain_db(c, 900e6, &g, &err));
    CHECK_NEAR(g, -16.4 + cable, 1e-9);
    calibration_free(c);
}

static void test_errors(void)
{
    expect_error("{", "c.json:1:1: string or '}' expected near end of file");
    expect_error("{\"format\":\"rfnoise-calibration-2\"}",
                 "c.json: format: want \"rfnoise-calibration-1\"");
    expect_error(HEAD "\"gain_db\":1,\"gian\":2}", "c.json: gian: unknown field");
    expect_error(HEAD "\"cable_loss_db\":1}", "c.json: gain_db: missing (give gain_db or gain)");
    expect_error(HEAD "\"gain\":[[2e9,1],[1e9,2]]}",
                 "c.json: gain[1]: frequencies must be finite, > 0 and increasing");
    expect_error(HEAD "\"gain\":[[2e9,1]]}",
                 "c.json: gain: must be a number or an array of at least two [freq_hz, dB] "
                 "points");
    expect_error(HEAD "\"gain_db\":1,\"cable_loss_db\":-1}",
                 "c.json: cable_loss_db: a loss must be >= 0 dB");
    expect_error(HEAD "\"gain_db\":1,\"gain\":[[1e9,1],[2e9,1]]}",
                 "c.json: gain: give gain_db or gain, not both");
}

int main(void)
{
    test_scalar();
    test_table();
    test_example_file();
    test_errors();
    return check_finish();
}
