/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_limits.c: limit-set loading (shipped files, every validation error with its exact message),
 * selection by date, mask interpolation and applicability. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "limits.h"

static limits_set *parse(const char *text, rfn_error *err)
{
    limits_set *s = NULL;
    rfn_error_clear(err);
    limits_parse(text, strlen(text), "t.json", &s, err);
    return s;
}

#define HEAD "{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"1\",\"source\":\"s\"," \
             "\"valid_from\":\"2024-01-01\","
#define BAND(extra)                                                                               \
    "{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":\"channel_power\","           \
    "\"unit\":\"dBm\"" extra "}"
#define BAND2M(extra) "{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":" \
                      "\"peak_density\",\"unit\":\"dBm/Hz\"" extra "}"
#define BAND2 "{\"id\":\"d\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":\"peak_density\"," \
              "\"unit\":\"dBm/Hz\",\"limit\":-100}"

/* The file must be rejected with exactly this message. */
static void expect_error(const char *text, const char *msg)
{
    rfn_error err;
    limits_set *s = parse(text, &err);
    CHECK_MSG(s == NULL, "accepted: %s", text);
    CHECK_MSG(err.status == RFN_ERR_FORMAT, "status %d for %s", err.status, text);
    CHECK_MSG(strcmp(err.msg, msg) == 0, "\n got  '%s'\n want '%s'", err.msg, msg);
    limits_free(s);
}

static void test_shipped(void)
{
    rfn_error err;
    limits_set *s = NULL;
    CHECK_OK(limits_load(RFN_SOURCE_DIR "/data/limits/ichis-annex-f-illustrative.json", &s, &err));
    if (!s)
        return;
    CHECK(s->illustrative == 1);
    CHECK(s->n_bands == 4);
    CHECK(strcmp(s->bands[0].id, "wan-north-423") == 0);
    CHECK(s->bands[0].regions == LIMITS_REGION_NORTH);
    CHECK(s->bands[1].regions == (LIMITS_REGION_CENTRAL | LIMITS_REGION_SOUTH));
    CHECK(s->bands[2].han == LIMITS_HAN_DUAL);
    CHECK(s->bands[3].han == LIMITS_HAN_ALL && s->bands[3].regions == LIMITS_REGION_ALL);
    CHECK_NEAR(s->bands[3].f_hi_hz, 2483.5e6, 0);
    CHECK(s->bands[0].unit == LIMITS_U_DBM_REFBW && s->bands[0].ref_bw_hz == 12500);
    CHECK(!limits_band_applies(&s->bands[0], LIMITS_REGION_SOUTH, 0));
    CHECK(limits_band_applies(&s->bands[0], LIMITS_REGION_NORTH, LIMITS_HAN_SINGLE));
    CHECK(!limits_band_applies(&s->bands[2], LIMITS_REGION_NORTH, LIMITS_HAN_SINGLE));
    CHECK(limits_band_applies(&s->bands[2], 0, 0));
    limits_free(s);

    CHECK_OK(limits_load(RFN_SOURCE_DIR "/data/limits/cispr32-class-b-radiated.json", &s, &err));
    if (!s)
        return;
    CHECK(s->illustrative == 0 && s->n_bands == 3);
    const limits_band *qp = &s->bands[0];
    CHECK(qp->quantity == LIMITS_Q_QUASI_PEAK && qp->rbw_hz == 120000);
    CHECK(qp->unit == LIMITS_U_DBUV_M && qp->trace == LIMITS_TRACE_MAX);
    CHECK_NEAR(limits_band_level(qp, 100e6), 40, 1e-12);
    CHECK_NEAR(limits_band_level(qp, 230e6), 40, 1e-12); /* lower limit at the transition */
    CHECK_NEAR(limits_band_level(qp, 230.001e6), 47, 1e-12);
    CHECK_NEAR(limits_band_level(&s->bands[1], 2e9), 50, 1e-12);
    CHECK_NEAR(limits_band_level(&s->bands[2], 5e9), 74, 1e-12);
    limits_free(s);

    CHECK_OK(limits_load(RFN_SOURCE_DIR "/data/limits/TEMPLATE.json", &s, &err));
    limits_free(s);
}

static void test_masks(void)
{
    rfn_error err;
    /* CISPR 11-style conducted line: 66 -> 56 dBuV falling linearly with log f, 0.15-0.5 MHz. */
    limits_set *s = parse(HEAD "\"bands\":[{\"id\":\"m\",\"f_lo_hz\":150e3,\"f_hi_hz\":500e3,"
                               "\"quantity\":\"quasi_peak\",\"rbw_hz\":9000,\"unit\":\"dBm\","
                               "\"mask\":[[150e3,66],[500e3,56]],"
                               "\"interpolation\":\"log-frequency\"},"
                               "{\"id\":\"l\",\"f_lo_hz\":1e6,\"f_hi_hz\":3e6,"
                               "\"quantity\":\"peak\",\"rbw_hz\":9000,\"unit\":\"dBm\","
                               "\"mask\":[[1e6,10],[3e6,30]]}]}",
                          &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    if (!s)
        return;
    double f = sqrt(150e3 * 500e3); /* geometric mean: half-way in log f */
    CHECK_NEAR(limits_band_level(&s->bands[0], f), 61, 1e-9);
    CHECK_NEAR(limits_band_level(&s->bands[0], 150e3), 66, 1e-12);
    CHECK_NEAR(limits_band_level(&s->bands[0], 500e3), 56, 1e-12);
    CHECK_NEAR(limits_band_level(&s->bands[1], 2e6), 20, 1e-12);
    CHECK_NEAR(limits_band_level(&s->bands[1], 1.5e6), 15, 1e-12);
    limits_free(s);
}

static void test_errors(void)
{
    expect_error("{\"format\": 1,", "t.json:1:13: string or '}' expected near end of file");
    expect_error("{\n  \"id\": \"x\",\n  \"id\": \"y\"\n}",
                 "t.json:3:6: duplicate object key near '\"id\"'");
    expect_error("[]", "t.json: $: the top level must be an object");
    expect_error("{\"format\":\"rfnoise-limits-9\"}",
                 "t.json: format: unsupported format 'rfnoise-limits-9' (this rfnoise reads "
                 "rfnoise-limits-1)");
    expect_error("{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"1\"}",
                 "t.json: source: missing");
    expect_error(HEAD "\"valid_to\":\"2023-12-31\",\"bands\":[" BAND(",\"limit\":1") "]}",
                 "t.json: valid_to: 2023-12-31 is before valid_from 2024-01-01");
    expect_error("{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"1\",\"source\":\"s\","
                 "\"valid_from\":\"2024-02-30\",\"bands\":[]}",
                 "t.json: valid_from: bad date '2024-02-30' (want YYYY-MM-DD)");
    expect_error(HEAD "\"bands\":[]}", "t.json: bands: must be a non-empty array");
    expect_error(HEAD "\"bandz\":[]}", "t.json: bandz: unknown field");
    expect_error(HEAD "\"bands\":[" BAND("") "]}",
                 "t.json: bands[0].limit: missing (give limit or mask)");
    expect_error(HEAD "\"bands\":[" BAND(",\"limit\":\"-3\"") "]}",
                 "t.json: bands[0].limit: must be a finite number");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":2e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"channel_power\",\"unit\":\"dBm\",\"limit\":1}]}",
                 "t.json: bands[0].f_lo_hz: must be < f_hi_hz (2000000 >= 2000000)");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"channel_power\",\"unit\":\"dBW\",\"limit\":1}]}",
                 "t.json: bands[0].unit: unknown unit 'dBW' (dBm, dBm/Hz, dBm/ref_bw, dBuV/m, "
                 "dBFS, dBFS/Hz, dBFS/ref_bw)");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"channel_power\",\"unit\":\"dBm/Hz\",\"limit\":1}]}",
                 "t.json: bands[0].unit: 'dBm/Hz' is not a unit for quantity channel_power");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"peak_density\",\"unit\":\"dBm/ref_bw\",\"limit\":1}]}",
                 "t.json: bands[0].ref_bw_hz: unit dBm/ref_bw needs ref_bw_hz > 0");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"quasi_peak\",\"unit\":\"dBm\",\"limit\":1}]}",
                 "t.json: bands[0].rbw_hz: detector quantity quasi_peak needs rbw_hz > 0");
    expect_error(HEAD "\"bands\":[{\"id\":\"b\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                      "\"power\",\"unit\":\"dBm\",\"limit\":1}]}",
                 "t.json: bands[0].quantity: unknown quantity 'power' (channel_power, "
                 "peak_density, mean_density, quasi_peak, cispr_average, peak, rms_average)");
    expect_error(HEAD "\"bands\":[" BAND(",\"limit\":1") "," BAND(",\"limit\":2") "]}",
                 "t.json: bands[1].id: duplicate band id 'b' (also bands[0])");
    expect_error(HEAD "\"bands\":[" BAND(",\"limit\":1") ",{\"id\":\"c\",\"f_lo_hz\":1.5e6,"
                      "\"f_hi_hz\":3e6,\"quantity\":\"channel_power\",\"unit\":\"dBm\","
                      "\"limit\":1}]}",
                 "t.json: bands[1]: overlaps bands[0] ('c' 1500000..3000000 Hz and 'b' "
                 "1000000..2000000 Hz, same quantity, region and HAN variant)");
    expect_error(HEAD "\"bands\":[" BAND(",\"limit\":1,\"applies_to\":{\"regions\":[\"east\"]}")
                      "]}",
                 "t.json: bands[0].applies_to.regions[0]: unknown region (north, central, south)");
    expect_error(HEAD "\"bands\":[" BAND(",\"mask\":[[1e6,1],[2e6,2]]") "]}",
                 "t.json: bands[0].mask: channel_power is one figure for the whole band: give a "
                 "constant limit");
    expect_error(HEAD "\"bands\":[" BAND2M(",\"mask\":[[1e6,1],[1.5e6,2]]") "]}",
                 "t.json: bands[0].mask: points span 1000000..1500000 Hz but the band is "
                 "1000000..2000000 Hz");
    expect_error(HEAD "\"bands\":[" BAND2M(",\"mask\":[[1e6,1],[3e6,2],[2e6,2]]") "]}",
                 "t.json: bands[0].mask[2]: frequencies must not decrease (2000000 < 3000000)");
    expect_error(HEAD "\"bands\":[" BAND(",\"limit\":1,\"derogation_limit\":0") "]}",
                 "t.json: bands[0].derogation_limit: must be >= limit (0 < 1)");

    /* Same frequencies but disjoint regions, or different quantities: allowed. */
    rfn_error err;
    limits_set *s = parse(HEAD "\"bands\":[" BAND(",\"limit\":1,\"applies_to\":{\"regions\":"
                                                  "[\"north\"]}") ","
                               "{\"id\":\"c\",\"f_lo_hz\":1e6,\"f_hi_hz\":2e6,\"quantity\":"
                               "\"channel_power\",\"unit\":\"dBm\",\"limit\":3,\"applies_to\":"
                               "{\"regions\":[\"south\"]}}," BAND2 "]}",
                          &err);
    CHECK_MSG(s != NULL, "%s", err.msg);
    limits_free(s);

    rfn_error ioerr;
    CHECK(limits_load("/nonexistent/l.json", &s, &ioerr) == RFN_ERR_NOTFOUND);
    CHECK(strcmp(ioerr.msg, "/nonexistent/l.json: no such file") == 0);
}

static void test_select(void)
{
    rfn_error err;
    limits_set *a = parse(HEAD "\"valid_to\":\"2024-12-31\",\"bands\":[" BAND(",\"limit\":1") "]}",
                          &err);
    limits_set *b = parse("{\"format\":\"rfnoise-limits-1\",\"id\":\"x\",\"version\":\"2\","
                          "\"source\":\"s\",\"valid_from\":\"2024-06-01\",\"bands\":["
                          BAND(",\"limit\":2") "]}",
                          &err);
    CHECK(a && b);
    if (!a || !b) {
        limits_free(a);
        limits_free(b);
        return;
    }
    limits_set *sets[2] = {a, b};
    size_t idx = 99;
    CHECK_OK(limits_select(sets, 2, "2024-03-01", &idx, &err));
    CHECK(idx == 0);
    CHECK_OK(limits_select(sets, 2, "2024-07-01", &idx, &err)); /* both: the later one wins */
    CHECK(idx == 1);
    CHECK_OK(limits_select(sets, 2, "2025-01-01", &idx, &err));
    CHECK(idx == 1);
    CHECK_OK(limits_select(sets, 2, "2024-12-31", &idx, &err)); /* valid_to is inclusive */
    CHECK(idx == 1);
    CHECK(limits_select(sets, 2, "2023-12-31", &idx, &err) == RFN_ERR_NOTFOUND);
    CHECK(strcmp(err.msg, "no limit set given is in force on 2023-12-31") == 0);
    CHECK(limits_select(sets, 2, "2024-13-01", &idx, &err) == RFN_ERR_INVALID);
    limits_free(a);
    limits_free(b);
}

/* Units as people read them name the reference bandwidth; bandwidths never print as 2.93e+04. */
static void test_unit_text(void)
{
    char b[32];
    CHECK(strcmp(limits_unit_text(LIMITS_U_DBM_REFBW, 12500, b, sizeof b), "dBm/12.5kHz") == 0);
    CHECK(strcmp(limits_unit_text(LIMITS_U_DBFS_REFBW, 2e6, b, sizeof b), "dBFS/2MHz") == 0);
    CHECK(strcmp(limits_unit_text(LIMITS_U_DBM_REFBW, 0, b, sizeof b), "dBm/ref_bw") == 0);
    CHECK(strcmp(limits_unit_text(LIMITS_U_DBM_HZ, 12500, b, sizeof b), "dBm/Hz") == 0);
    CHECK(strcmp(limits_unit_name_text("dBm/ref_bw", 200e3, b, sizeof b), "dBm/200kHz") == 0);
    CHECK(strcmp(limits_unit_name_text("dBm/ref_bw", NAN, b, sizeof b), "dBm/ref_bw") == 0);
    CHECK(strcmp(limits_unit_name_text("furlongs", 1e3, b, sizeof b), "furlongs") == 0);
    CHECK(strcmp(limits_bw_text(29296.875, 3, " ", b, sizeof b), "29.3 kHz") == 0);
    CHECK(strcmp(limits_bw_text(1757.8125, 4, " ", b, sizeof b), "1.758 kHz") == 0);
    CHECK(strcmp(limits_bw_text(999.96, 4, "", b, sizeof b), "1kHz") == 0);
    CHECK(strcmp(limits_bw_text(120e3, 3, " ", b, sizeof b), "120 kHz") == 0);
    CHECK(strcmp(limits_bw_text(500, 1, " ", b, sizeof b), "500 Hz") == 0);
    CHECK(strcmp(limits_bw_text(-1, 3, " ", b, sizeof b), "?") == 0);
}

int main(void)
{
    test_shipped();
    test_masks();
    test_errors();
    test_select();
    test_unit_text();
    return check_finish();
}
