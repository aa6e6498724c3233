/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_derogation.c: derogation list loading (every column's syntax and error message), version
 * ordering, and rule matching with each outcome. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "derogation.h"

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK_MSG(strcmp(g_, w_) == 0, "got [%s] want [%s]", g_, w_);                              \
    } while (0)

static void test_version_compare(void)
{
    CHECK(version_compare("1.10", "1.9") > 0);
    CHECK(version_compare("1.9", "1.10") < 0);
    CHECK(version_compare("1.2.0", "1.2") > 0);
    CHECK(version_compare("1.2", "1.2") == 0);
    CHECK(version_compare("1.02", "1.2") == 0);
    CHECK(version_compare("v1.2", "V1.2") == 0);
    CHECK(version_compare("1.2a", "1.2b") < 0);
    CHECK(version_compare("1.2.1", "1.2a") > 0); /* digits newer than letters */
    CHECK(version_compare("1-2-3", "1.2.3") == 0);
    CHECK(version_compare("0D010203", "0D010204") < 0);
    CHECK(version_compare("12345678901234567890", "12345678901234567891") < 0);
    CHECK(version_compare("", "") == 0);
    CHECK(version_compare("", "1") < 0);
    CHECK(version_compare(NULL, "1") < 0);
    CHECK(version_compare("abc", "abcd") < 0);
}

static derogation_list *load(const char *text, rfn_error *err)
{
    derogation_list *l = NULL;
    rfn_status st = derogation_load_mem("d.csv", text, strlen(text), &l, err);
    CHECK((st == RFN_OK) == (l != NULL));
    return l;
}

#define HDR                                                                                        \
    "Reference,Manufacturer,Model,Firmware,Bands,Limit,Regions,PostcodeAreas,HANVariant,"          \
    "InstallBy\n"

static void expect_error(const char *row, const char *msg)
{
    char text[1024];
    snprintf(text, sizeof text, HDR "%s\n", row);
    rfn_error err;
    derogation_list *l = load(text, &err);
    CHECK(l == NULL);
    CHECK_MSG(err.status == RFN_ERR_FORMAT, "status %d", err.status);
    CHECK_STR(err.msg, msg);
    derogation_destroy(l);
}

static void test_load_errors(void)
{
    rfn_error err;
    CHECK(load("", &err) == NULL);
    CHECK_STR(err.msg, "d.csv: empty file (no header row)");
    CHECK(load("Reference,Manufacturer,Model,Firmware,Bands\n", &err) == NULL);
    CHECK_STR(err.msg, "d.csv:1: header lacks column Limit");
    derogation_list *l = load(HDR, &err); /* header only: an empty list */
    CHECK(l && derogation_count(l) == 0);
    derogation_destroy(l);

    expect_error(",Acme,AM-1,*,*,-100,,,,", "d.csv:2: Reference is empty");
    expect_error("R1,Acme,,*,*,-100,,,,", "d.csv:2: Model is empty");
    expect_error("R1,Acme,AM-1,..,*,-100,,,,",
                 "d.csv:2: Firmware '..': a range needs at least one end (use * for any)");
    expect_error("R1,Acme,AM-1,2.0..1.0,*,-100,,,,",
                 "d.csv:2: Firmware '2.0..1.0': range runs backwards (lower end is the newer)");
    expect_error("R1,Acme,AM-1,1..2..3,*,-100,,,,",
                 "d.csv:2: Firmware '1..2..3': one range \"lo..hi\" or a ';' list, not both");
    expect_error("R1,Acme,AM-1,1.0;;1.1,*,-100,,,,",
                 "d.csv:2: Firmware '1.0;;1.1': empty item in the ';' list");
    expect_error("R1,Acme,AM-1,*,WAN-North,-100,,,,",
                 "d.csv:2: Bands 'WAN-North': band ids are lower-case letters, digits and '-' "
                 "(as in the limit set)");
    expect_error("R1,Acme,AM-1,*,han-868;han-868,-100,,,,",
                 "d.csv:2: Bands 'han-868;han-868': a band is listed twice");
    expect_error("R1,Acme,AM-1,*,*,loud,,,,",
                 "d.csv:2: Limit 'loud': not a number of dB (within +-300), \"limit-set\" or "
                 "band=dB pairs");
    expect_error("R1,Acme,AM-1,*,*,-1e400,,,,",
                 "d.csv:2: Limit '-1e400': not a number of dB (within +-300), \"limit-set\" or "
                 "band=dB pairs");
    expect_error("R1,Acme,AM-1,*,*,han-868=-90,,,,",
                 "d.csv:2: Limit 'han-868=-90': per-band limits need the bands listed in Bands, "
                 "not *");
    expect_error("R1,Acme,AM-1,*,han-868;han-2400,han-868=-90,,,,",
                 "d.csv:2: Limit 'han-868=-90': lacks a limit for a band listed in Bands");
    expect_error("R1,Acme,AM-1,*,han-868,han-868=-90;han-868=-91,,,,",
                 "d.csv:2: Limit 'han-868=-90;han-868=-91': gives a band twice");
    expect_error("R1,Acme,AM-1,*,han-868,wan-cell-900=-90,,,,",
                 "d.csv:2: Limit 'wan-cell-900=-90': names a band that is not in Bands");
    expect_error("R1,Acme,AM-1,*,han-868,han-868=x,,,,",
                 "d.csv:2: Limit 'han-868=x': a limit is not a number of dB (within +-300)");
    expect_error("R1,Acme,AM-1,*,han-868,han-868=-90;-91,,,,",
                 "d.csv:2: Limit 'han-868=-90;-91': mixes band=dB pairs with a bare value");
    expect_error("R1,Acme,AM-1,*,*,-100,Scotland,,,",
                 "d.csv:2: Regions 'Scotland': regions are north, central, south");
    expect_error("R1,Acme,AM-1,*,*,-100,,A-B,,",
                 "d.csv:2: PostcodeAreas 'A-B': an area is a postcode prefix: area letters, "
                 "district or sector");
    expect_error("R1,Acme,AM-1,*,*,-100,,1AB,,",
                 "d.csv:2: PostcodeAreas '1AB': an area is a postcode prefix: area letters, "
                 "district or sector");
    expect_error("R1,Acme,AM-1,*,*,-100,,,Tri Band,",
                 "d.csv:2: HANVariant 'Tri Band': HAN variants are Single Band, Dual Band");
    expect_error("R1,Acme,AM-1,*,*,-100,,,,31/03/2022",
                 "d.csv:2: InstallBy '31/03/2022': not a date YYYY-MM-DD: give --date-format dmy");
    expect_error("R1,Acme,AM-1,*,*,-100,,,\nR1,Acme,AM-2,*,*,-100,,,,",
                 "d.csv:2: row has 9 fields, header has 10");
    expect_error("R1,Acme,AM-1,*,*,-100,,,,\nR1,Acme,AM-2,*,*,-100,,,,",
                 "d.csv:3: Reference 'R1' is also on line 2");
    expect_error("R1,\"Acme\"x,AM-1,*,*,-100,,,,", "d.csv:2: malformed quoting (RFC 4180)");
    derogation_list *none = NULL;
    CHECK(derogation_load("/nonexistent/d.csv", &none, &err) == RFN_ERR_NOTFOUND && !none);
}

static void test_example_file(void)
{
    derogation_list *l = NULL;
    rfn_error err;
    CHECK_OK(derogation_load(RFN_SOURCE_DIR "/data/derogations/example.csv", &l, &err));
    if (!l) return;
    CHECK(derogation_count(l) == 3);
    const derogation_rule *r = derogation_get(l, 0);
    CHECK_STR(r->reference, "DRG-EXAMPLE-001");
    CHECK(r->line == 2 && r->firmware_kind == FIRMWARE_RANGE);
    CHECK_STR(r->firmware_lo, "1.2.0");
    CHECK_STR(r->firmware_hi, "1.4.9");
    CHECK(r->limit_from_limit_set && r->n_bands == 1 && r->n_postcode_areas == 3);
    CHECK(r->region_mask == 1u << CSP_REGION_NORTH && r->han_mask == 0);
    CHECK(r->install_by == date_from_ymd(2022, 3, 31));
    r = derogation_get(l, 1);
    CHECK(r->firmware_kind == FIRMWARE_LIST && r->n_firmware == 1 && r->n_bands == 2);
    CHECK(r->limits[0] == -95 && r->limits[1] == -92 && !r->limit_from_limit_set);
    CHECK(r->han_mask == 1u << HAN_VARIANT_DUAL_BAND);
    CHECK(derogation_get(l, 3) == NULL);
    derogation_destroy(l);
}

static void test_match(void)
{
    const char text[] =
        HDR "R-RANGE,Acme Meters,AM-100,1.2.0..1.4.9,wan-north-423,limit-set,north,AB;IV10,,"
            "2022-03-31\n"
            "R-PAIRS,Acme Meters,AM-100,1.5.0;1.5.1,wan-cell-900;han-868,"
            "wan-cell-900=-95;han-868=-92,central;south,,Dual Band,2021-12-31\n"
            "R-LATER,acme meters,am-100,1.2.0..,wan-north-423,-101.5,north,,,2023-06-30\n"
            "R-ANY,Kaifa,M-101,*,*,-90,,,,\n";
    rfn_error err;
    derogation_list *l = load(text, &err);
    if (!l) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    derogation_result res;
    derogation_query q = {
        .manufacturer = "ACME METERS",
        .model = "AM-100",
        .firmware = "1.3.7",
        .band_id = "wan-north-423",
        .region = CSP_REGION_NORTH,
        .han = HAN_VARIANT_SINGLE_BAND,
        .postcode = "AB10 1AA",
        .install_date = date_from_ymd(2022, 3, 31), /* on the cut-off day: covered */
    };
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MATCH);
    CHECK(res.rule && strcmp(res.rule->reference, "R-RANGE") == 0);
    CHECK(res.limit_from_limit_set && isnan(res.limit));
    CHECK_STR(derogation_outcome_code(res.outcome), "derogated");

    /* After R-RANGE's cut-off, R-LATER (open range, later cut-off, own limit) still covers it. */
    q.install_date = date_from_ymd(2022, 4, 1);
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MATCH);
    CHECK(strcmp(res.rule->reference, "R-LATER") == 0 && res.limit == -101.5);
    CHECK(!res.limit_from_limit_set);
    /* After both cut-offs: installed-after-cutoff, naming the first rule that got that far. */
    q.install_date = date_from_ymd(2023, 7, 1);
    CHECK(derogation_match(l, &q, &res) == DEROGATION_INSTALLED_AFTER_CUTOFF);
    CHECK(strcmp(res.rule->reference, "R-RANGE") == 0);
    CHECK_STR(derogation_outcome_code(res.outcome), "installed-after-cutoff");
    q.install_date = INT32_MIN;
    CHECK(derogation_match(l, &q, &res) == DEROGATION_INSTALL_DATE_UNKNOWN);
    q.install_date = date_from_ymd(2021, 1, 1);

    /* Outside the postcode areas: R-RANGE says location-not-acceptable, R-LATER still matches. */
    q.postcode = "AB1 1AA"; /* not district AB10... but area AB: in */
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MATCH &&
          strcmp(res.rule->reference, "R-RANGE") == 0);
    q.postcode = "IV1 1AA"; /* IV10 is a district: IV1 is not in it */
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MATCH);
    CHECK(strcmp(res.rule->reference, "R-LATER") == 0);
    q.region = CSP_REGION_CENTRAL; /* both rules need north */
    CHECK(derogation_match(l, &q, &res) == DEROGATION_LOCATION_NOT_ACCEPTABLE);
    CHECK(strcmp(res.rule->reference, "R-RANGE") == 0);
    CHECK_STR(derogation_outcome_code(res.outcome), "location-not-acceptable");
    q.region = CSP_REGION_NORTH;
    q.postcode = "";
    /* Postcode unknown: R-RANGE cannot tell, R-LATER has no postcode rule and matches. */
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MATCH);
    CHECK(strcmp(res.rule->reference, "R-LATER") == 0);
    q.install_date = date_from_ymd(2023, 7, 1); /* R-LATER now fails on the date */
    CHECK(derogation_match(l, &q, &res) == DEROGATION_INSTALLED_AFTER_CUTOFF);
    CHECK(strcmp(res.rule->reference, "R-LATER") == 0);
    q.install_date = date_from_ymd(2021, 1, 1);
    q.postcode = "AB10 1AA";

    /* Firmware outside every range / list, a band not covered, another model. */
    q.firmware = "1.1.9";
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MODEL_NOT_DEROGATED && res.rule == NULL);
    CHECK_STR(derogation_outcome_code(res.outcome), "model-not-derogated");
    q.firmware = "";
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MODEL_NOT_DEROGATED);
    q.firmware = "1.3.7";
    q.band_id = "han-2400";
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MODEL_NOT_DEROGATED);
    q.band_id = "wan-north-423";
    q.model = "AM-200";
    CHECK(derogation_match(l, &q, &res) == DEROGATION_MODEL_NOT_DEROGATED);

    /* Per-band limits and HAN variant. */
    derogation_query p = {.manufacturer = "Acme Meters",
                          .model = "AM-100",
                          .firmware = "1.5.1",
                          .band_id = "han-868",
                          .region = CSP_REGION_SOUTH,
                          .han = HAN_VARIANT_DUAL_BAND,
                          .postcode = NULL,
                          .install_date = date_from_ymd(2021, 12, 31)};
    CHECK(derogation_match(l, &p, &res) == DEROGATION_MATCH && res.limit == -92);
    p.band_id = "wan-cell-900";
    CHECK(derogation_match(l, &p, &res) == DEROGATION_MATCH && res.limit == -95);
    p.han = HAN_VARIANT_SINGLE_BAND;
    CHECK(derogation_match(l, &p, &res) == DEROGATION_LOCATION_NOT_ACCEPTABLE);
    p.han = HAN_VARIANT_UNKNOWN;
    CHECK(derogation_match(l, &p, &res) == DEROGATION_LOCATION_UNKNOWN);
    CHECK_STR(derogation_outcome_code(res.outcome), "location-unknown");
    p.han = HAN_VARIANT_DUAL_BAND;
    p.firmware = "1.5.2";
    CHECK(derogation_match(l, &p, &res) == DEROGATION_MODEL_NOT_DEROGATED);

    /* A wildcard rule covers every firmware, band and place. */
    derogation_query k = {.manufacturer = "Kaifa",
                          .model = "M-101",
                          .band_id = "han-2400",
                          .install_date = INT32_MIN};
    CHECK(derogation_match(l, &k, &res) == DEROGATION_MATCH && res.limit == -90);

    /* No list at all. */
    CHECK(derogation_match(NULL, &k, &res) == DEROGATION_MODEL_NOT_DEROGATED);
    CHECK(derogation_count(NULL) == 0);
    CHECK_STR(derogation_outcome_code((derogation_outcome)99), "unknown");
    derogation_destroy(l);
    derogation_destroy(NULL);
}

/* The JSON form of the example gives the same rules as the CSV form. */
static void test_json(void)
{
    derogation_list *c = NULL, *j = NULL;
    rfn_error err;
    CHECK_OK(derogation_load(RFN_SOURCE_DIR "/data/derogations/example.csv", &c, &err));
    CHECK_OK(derogation_load(RFN_SOURCE_DIR "/data/derogations/example.json", &j, &err));
    if (!c || !j) {
        fprintf(stderr, "%s\n", err.msg);
        derogation_destroy(c);
        derogation_destroy(j);
        return;
    }
    CHECK(derogation_count(c) == 3 && derogation_count(j) == 3);
    for (size_t i = 0; i < 3; i++) {
        const derogation_rule *a = derogation_get(c, i), *b = derogation_get(j, i);
        CHECK_STR(a->reference, b->reference);
        CHECK_STR(a->manufacturer, b->manufacturer);
        CHECK_STR(a->model, b->model);
        CHECK(a->firmware_kind == b->firmware_kind && a->n_firmware == b->n_firmware);
        CHECK(a->n_bands == b->n_bands && a->limit_from_limit_set == b->limit_from_limit_set);
        for (size_t k = 0; k < a->n_bands; k++) {
            CHECK_STR(a->bands[k], b->bands[k]);
            CHECK(a->limit_from_limit_set || a->limits[k] == b->limits[k]);
        }
        CHECK(a->region_mask == b->region_mask && a->han_mask == b->han_mask);
        CHECK(a->n_postcode_areas == b->n_postcode_areas && a->install_by == b->install_by);
        CHECK(b->line == 0);
    }
    derogation_destroy(c);
    derogation_destroy(j);

    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"{\"format\": \"x\", \"rules\": []}",
         "d.json: \"format\" must be \"rfnoise-derogations-1\""},
        {"{\"format\": \"rfnoise-derogations-1\"}", "d.json: \"rules\" must be an array"},
        {"{\"format\": \"rfnoise-derogations-1\",\n \"rules\": [}", "d.json:2: unexpected token"},
        {"{\"format\": \"rfnoise-derogations-1\", \"format\": \"x\", \"rules\": []}",
         "d.json:1: duplicate object key near '\"format\"'"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [3]}",
         "d.json: rules[0]: expected an object"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"referenc\": \"R\"}]}",
         "d.json: rules[0]: unknown key \"referenc\""},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": 1}]}",
         "d.json: rules[0]: reference: expected a string"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\"}]}",
         "d.json: rules[0]: manufacturer is empty"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\", "
         "\"manufacturer\": \"A\", \"model\": \"M\", \"firmware\": [\"1;2\"], \"bands\": \"*\", "
         "\"limit\": -90}]}",
         "d.json: rules[0]: firmware[0]: expected a string without ';'"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\", "
         "\"manufacturer\": \"A\", \"model\": \"M\", \"firmware\": \"*\", \"bands\": "
         "[\"han-868\"], "
         "\"limit\": {\"han-868\": \"x\"}}]}",
         "d.json: rules[0]: limit.han-868: expected a number"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\", "
         "\"manufacturer\": \"A\", \"model\": \"M\", \"firmware\": \"*\", \"bands\": \"*\", "
         "\"limit\": [1]}]}",
         "d.json: rules[0]: limit: expected \"limit-set\", a number or {band: number}"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\", "
         "\"manufacturer\": \"A\", \"model\": \"M\", \"firmware\": \"*\", \"bands\": \"*\", "
         "\"limit\": -90, \"regions\": [\"mars\"]}]}",
         "d.json: rules[0]: regions 'mars': regions are north, central, south"},
        {"{\"format\": \"rfnoise-derogations-1\", \"rules\": [{\"reference\": \"R\", "
         "\"manufacturer\": \"A\", \"model\": \"M\", \"firmware\": \"*\", \"bands\": \"*\", "
         "\"limit\": -90}, {\"reference\": \"R\", \"manufacturer\": \"A\", \"model\": \"M\", "
         "\"firmware\": \"*\", \"bands\": \"*\", \"limit\": -90}]}",
         "d.json: rules[1]: reference 'R' is also rules[0]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        derogation_list *l = NULL;
        CHECK(derogation_load_mem("d.json", bad[i].text, strlen(bad[i].text), &l, &err) ==
              RFN_ERR_FORMAT);
        CHECK(l == NULL);
        CHECK_MSG(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "got [%s] want [%s]",
                  err.msg, bad[i].msg);
    }
    /* A leading BOM and spaces still select JSON; a limit number becomes the rule's limit. */
    const char ok[] = "\xEF\xBB\xBF  {\"format\": \"rfnoise-derogations-1\", \"rules\": "
                      "[{\"reference\": \"R\", \"manufacturer\": \"A\", \"model\": \"M\", "
                      "\"firmware\": \"*\", \"bands\": \"*\", \"limit\": -90.5, "
                      "\"install_by\": null}]}";
    derogation_list *l = NULL;
    CHECK_OK(derogation_load_mem("d.json", ok, sizeof ok - 1, &l, &err));
    CHECK(l && derogation_count(l) == 1 && derogation_get(l, 0)->limits[0] == -90.5);
    CHECK(l && derogation_get(l, 0)->install_by == INT32_MIN);
    derogation_destroy(l);
}

int main(void)
{
    test_version_compare();
    test_load_errors();
    test_example_file();
    test_match();
    test_json();
    return check_finish();
}
