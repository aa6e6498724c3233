/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_identifiers.c: EUI-64, MPAN core, MPRN, ISO 8601 dates and the DUIS code lists, with
 * published real-format examples and every rejection path. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "identifiers.h"

#define S(lit) lit, sizeof(lit) - 1

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK_MSG(strcmp(g_, w_) == 0, "got [%s] want [%s]", g_, w_);                              \
    } while (0)

static void test_eui64(void)
{
    uint64_t id = 0;
    char text[EUI64_TEXT_LEN];
    /* The DUIS example DeviceID of docs/architecture.md §Domain in its three accepted spellings. */
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-55-3D"), &id) == ID_OK);
    CHECK(id == UINT64_C(0xBC33ACFFFEFA553D));
    eui64_format(id, text);
    CHECK_STR(text, "BC-33-AC-FF-FE-FA-55-3D");
    id = 0;
    CHECK(eui64_parse(S("bc:33:ac:ff:fe:fa:55:3d"), &id) == ID_OK);
    CHECK(id == UINT64_C(0xBC33ACFFFEFA553D));
    id = 0;
    CHECK(eui64_parse(S("bc33acFFFEfa553d"), &id) == ID_OK);
    CHECK(id == UINT64_C(0xBC33ACFFFEFA553D));
    /* All zeros (unset) and all ones (broadcast) are well formed but never a device. */
    id = 7;
    CHECK(eui64_parse(S("00-00-00-00-00-00-00-00"), &id) == ID_BAD_VALUE && id == 7);
    CHECK(eui64_parse(S("ffffffffffffffff"), &id) == ID_BAD_VALUE && id == 7);
    CHECK(eui64_parse(S("00-00-00-00-00-00-00-01"), &id) == ID_OK && id == 1);
    eui64_format(0, text);
    CHECK_STR(text, "00-00-00-00-00-00-00-00");
    eui64_format(UINT64_MAX, text);
    CHECK_STR(text, "FF-FF-FF-FF-FF-FF-FF-FF");

    uint64_t keep = 42;
    CHECK(eui64_parse(S(""), &keep) == ID_EMPTY);
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-55"), &keep) == ID_BAD_LENGTH);
    CHECK(eui64_parse(S("BC33ACFFFEFA553"), &keep) == ID_BAD_LENGTH);
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-55-3D-00"), &keep) == ID_BAD_LENGTH);
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-55-3G"), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("BC33ACFFFEFA553G"), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-55-3 "), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("=BC-33-AC-FF-FE-FA-55"), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("BC-33:AC-FF-FE-FA-55-3D"), &keep) == ID_BAD_FORMAT); /* mixed */
    CHECK(eui64_parse(S("BC.33.AC.FF.FE.FA.55.3D"), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("BC3-3AC-FF-FE-FA-55-3D0"), &keep) == ID_BAD_FORMAT);
    CHECK(eui64_parse(S("BC3-3AC-FF-FE-FA-55-3D"), &keep) == ID_BAD_LENGTH);
    CHECK(eui64_parse(S("BCX33-AC-FF-FE-FA-55-3D"), &keep) == ID_BAD_CHAR);
    CHECK(eui64_parse(S("BC-33-AC-FF-FE-FA-5-53D"), &keep) == ID_BAD_FORMAT);
    CHECK(keep == 42);
}

static void test_mpan(void)
{
    /* Published example cores: 1312345678907 (limejump/mpan README), 1030006718997 (limejump/mpan
     * tests), 1800021679848 (worked example on shaunfreeman.name, "Validating MPAN numbers in
     * PHP": products total 1328, 1328 mod 11 mod 10 = 8). */
    CHECK(mpan_core_check(S("1312345678907")) == ID_OK);
    CHECK(mpan_check_digit("131234567890") == 7);
    CHECK(mpan_core_check(S("1030006718997")) == ID_OK);
    CHECK(mpan_core_check(S("1800021679848")) == ID_OK);
    CHECK(mpan_check_digit("180002167984") == 8);
    /* limejump/mpan's "bad checksum" example, and one-digit slips of the valid ones. */
    CHECK(mpan_core_check(S("2499999999990")) == ID_BAD_CHECK);
    CHECK(mpan_core_check(S("1312345678906")) == ID_BAD_CHECK);
    CHECK(mpan_core_check(S("1312345678917")) == ID_BAD_CHECK);
    CHECK(mpan_core_check(S("1321345678907")) == ID_BAD_CHECK); /* adjacent transposition */
    /* A sum that is 10 mod 11 gives check digit 0: 000000000004 weighs 4*43 = 172 = 15*11 + 7,
     * 000000000001 weighs 43 = 3*11 + 10 -> 10 mod 10 = 0. */
    CHECK(mpan_check_digit("000000000001") == 0);
    CHECK(mpan_core_check(S("0000000000010")) == ID_OK);
    /* ... and the all-zero core passes the check digit too, but is a placeholder. */
    CHECK(mpan_core_check(S("0000000000000")) == ID_BAD_VALUE);
    CHECK(mprn_check(S("000000")) == ID_BAD_VALUE);
    CHECK(mprn_check(S("0000000000")) == ID_BAD_VALUE);
    CHECK(mpan_core_check(S("")) == ID_EMPTY);
    CHECK(mpan_core_check(S("131234567890")) == ID_BAD_LENGTH);
    CHECK(mpan_core_check(S("13123456789077")) == ID_BAD_LENGTH);
    CHECK(mpan_core_check(S("13 1234 5678 907")) == ID_BAD_CHAR);
    CHECK(mpan_core_check(S("131234567890A")) == ID_BAD_CHAR);
}

static void test_mprn(void)
{
    /* Worked example of en.everybodywiki.com/Meter_Point_Reference_Number: 3938424403. */
    CHECK(mprn_check(S("3938424403")) == ID_OK);
    CHECK(mprn_check_value("39384244", 8) == 3);
    /* Shorter MPRNs made by the same rule (weights n..1): 1234 -> 1*4+2*3+3*2+4*1 = 20 -> 09. */
    CHECK(mprn_check_value("1234", 4) == 9);
    CHECK(mprn_check(S("123409")) == ID_OK);
    CHECK(mprn_check(S("741234509")) == ID_OK);
    CHECK(mprn_check(S("9999999905")) == ID_OK);
    /* A check value of 10 is written "10". */
    CHECK(mprn_check_value("12345678", 8) == 10);
    CHECK(mprn_check(S("1234567810")) == ID_OK);
    CHECK(mprn_check(S("3938424404")) == ID_BAD_CHECK);
    CHECK(mprn_check(S("3938424430")) == ID_BAD_CHECK);
    CHECK(mprn_check(S("1234567890")) == ID_BAD_CHECK);
    CHECK(mprn_check(S("12340")) == ID_BAD_LENGTH);
    CHECK(mprn_check(S("39384244031")) == ID_BAD_LENGTH);
    CHECK(mprn_check(S("39384244O3")) == ID_BAD_CHAR); /* letter O */
    CHECK(mprn_check(S("")) == ID_EMPTY);
}

static void test_mpxn(void)
{
    mpxn_kind kind = MPXN_NONE;
    uint64_t key = 0, key2 = 0;
    char text[14];
    CHECK(mpxn_parse(S("1312345678907"), &kind, &key) == ID_OK && kind == MPXN_MPAN);
    mpxn_format(key, text);
    CHECK_STR(text, "1312345678907");
    CHECK(mpxn_parse(S("3938424403"), &kind, &key) == ID_OK && kind == MPXN_MPRN);
    mpxn_format(key, text);
    CHECK_STR(text, "3938424403");
    /* Leading zeros are significant: 0000000101 (10 digits) and 00000101 (8) differ (body
     * ...01: the last body digit weighs 1, check value 01). */
    CHECK(mpxn_parse(S("0000000101"), &kind, &key) == ID_OK);
    CHECK(mpxn_parse(S("00000101"), &kind, &key2) == ID_OK);
    CHECK(key != key2);
    mpxn_format(key2, text);
    CHECK_STR(text, "00000101");
    mpxn_format(0, text);
    CHECK_STR(text, "");
    CHECK(mpxn_parse(S("13123456789"), &kind, &key) == ID_BAD_LENGTH);  /* 11 digits */
    CHECK(mpxn_parse(S("131234567890"), &kind, &key) == ID_BAD_LENGTH); /* 12 digits */
    CHECK(mpxn_parse(S("12345"), &kind, &key) == ID_BAD_LENGTH);
    CHECK(mpxn_parse(S("1312345678906"), &kind, &key) == ID_BAD_CHECK);
    CHECK(mpxn_parse(S("3938424404"), &kind, &key) == ID_BAD_CHECK);
    CHECK(mpxn_parse(S("-3938424403"), &kind, &key) == ID_BAD_CHAR);
    CHECK(mpxn_parse(S(""), &kind, &key) == ID_EMPTY);
}

static void test_dates(void)
{
    int32_t d = 0;
    int64_t t = 0;
    char text[ISO_DATE_TEXT_LEN];
    CHECK(date_from_ymd(1970, 1, 1) == 0);
    CHECK(date_from_ymd(2000, 3, 1) == 11017);
    CHECK(date_from_ymd(1969, 12, 31) == -1);
    CHECK(iso_date_parse(S("2022-03-31"), &d) == ID_OK && d == 19082);
    iso_date_format(d, text);
    CHECK_STR(text, "2022-03-31");
    CHECK(iso_date_parse(S("2020-02-29"), &d) == ID_OK);
    CHECK(iso_date_parse(S("2000-02-29"), &d) == ID_OK);
    /* Date-times keep the date as written, whatever the offset. */
    /* A zoned date-time is judged on its UK date (Europe/London; issue 15): 23:30 at -01:00 on
     * 31 March is 00:30 UTC and 01:30 BST on 1 April, after a 31 March cut-off. */
    CHECK(iso_date_parse(S("2022-03-31T23:30:00-01:00"), &d) == ID_OK && d == 19083);
    CHECK(iso_date_parse(S("2022-03-31T23:30Z"), &d) == ID_OK && d == 19083);     /* BST */
    CHECK(iso_date_parse(S("2022-03-31T23:30"), &d) == ID_OK && d == 19082);      /* UK local */
    CHECK(iso_date_parse(S("2022-03-26T23:30Z"), &d) == ID_OK && d == 19077);     /* GMT */
    CHECK(iso_date_parse(S("2022-10-29T23:30Z"), &d) == ID_OK && d == 19295);     /* BST */
    CHECK(iso_date_parse(S("2022-10-30T23:30Z"), &d) == ID_OK && d == 19295);     /* GMT */
    CHECK(date_parse_order(S("2022-03-31T23:30-01:00"), DATE_DMY, &d, NULL) == ID_OK &&
          d == 19083);
    const char *tzdir = getenv("TZDIR");
    setenv("TZDIR", "/nonexistent", 1);
    CHECK(iso_date_parse(S("2022-03-31T23:30Z"), &d) == ID_NO_TZDATA);
    CHECK(iso_date_parse(S("2022-03-31"), &d) == ID_OK); /* a date needs no zone data */
    if (tzdir)
        setenv("TZDIR", tzdir, 1);
    else
        unsetenv("TZDIR");
    CHECK(iso_date_parse(S("2022-03-31 08:15"), &d) == ID_OK && d == 19082);
    CHECK(iso_date_parse(S("2022-03-31T08:15:07.250Z"), &d) == ID_OK && d == 19082);
    CHECK(iso_datetime_parse(S("2022-03-31T23:30:00-01:00"), &t) == ID_OK);
    CHECK(t == (int64_t)19083 * 86400 + 30 * 60);
    CHECK(iso_datetime_parse(S("2022-03-31T12:00:00+0530"), &t) == ID_OK);
    CHECK(t == (int64_t)19082 * 86400 + 12 * 3600 - 5 * 3600 - 30 * 60);
    CHECK(iso_datetime_parse(S("2022-03-31T12:00+01"), &t) == ID_OK);
    CHECK(t == (int64_t)19082 * 86400 + 11 * 3600);
    CHECK(iso_datetime_parse(S("1970-01-01"), &t) == ID_OK && t == 0);
    CHECK(iso_datetime_parse(S("2016-12-31T23:59:60Z"), &t) == ID_OK); /* leap second */
    /* Round trip over four centuries of days. */
    int bad = 0;
    for (int32_t k = -200000; k < 200000; k += 7) {
        int y, m, dd;
        date_to_ymd(k, &y, &m, &dd);
        if (date_from_ymd(y, m, dd) != k) bad++;
    }
    CHECK(bad == 0);

    int32_t keep = 5;
    CHECK(iso_date_parse(S(""), &keep) == ID_EMPTY);
    CHECK(iso_date_parse(S("2021-02-29"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("1900-02-29"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-13-01"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-04-31"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-00-10"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("0000-01-01"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-01-01T24:00:00"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-01-01T10:60"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("2021-01-01T10:00+15:00"), &keep) == ID_BAD_DATE);
    CHECK(iso_date_parse(S("31/03/2022"), &keep) == ID_BAD_CHAR);
    CHECK(iso_date_parse(S("2022-3-31"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("20220331"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T10"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T10:00:00."), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T10:00:00Zx"), &keep) == ID_BAD_CHAR);
    CHECK(iso_date_parse(S("2022-03-31T10:00:00ZZ"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T10:00:00+1"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31T10:00:00+01:0"), &keep) == ID_BAD_FORMAT);
    CHECK(iso_date_parse(S("2022-03-31x"), &keep) == ID_BAD_CHAR);
    CHECK(iso_date_parse(S("2022-03-3"), &keep) == ID_BAD_FORMAT);
    CHECK(keep == 5);
}

static void test_code_lists(void)
{
    device_type t = DEVICE_TYPE_UNKNOWN;
    device_status st = DEVICE_STATUS_UNKNOWN;
    csp_region r = CSP_REGION_UNKNOWN;
    han_variant h = HAN_VARIANT_UNKNOWN;
    CHECK(device_type_parse(S("ESME"), &t) == ID_OK && t == DEVICE_TYPE_ESME);
    CHECK(device_type_parse(S("gsme"), &t) == ID_OK && t == DEVICE_TYPE_GSME);
    CHECK(device_type_parse(S("HCALCS"), &t) == ID_OK && t == DEVICE_TYPE_HCALCS);
    CHECK(device_type_parse(S("SMETS2"), &t) == ID_UNKNOWN_CODE && t == DEVICE_TYPE_HCALCS);
    CHECK(device_type_parse(S(""), &t) == ID_EMPTY);
    CHECK(device_type_parse(S("  "), &t) == ID_EMPTY);
    CHECK_STR(device_type_name(DEVICE_TYPE_PPMID), "PPMID");
    CHECK_STR(device_type_name(DEVICE_TYPE_UNKNOWN), "");
    CHECK_STR(device_type_name((device_type)99), "");

    CHECK(device_status_parse(S("InstalledNotCommissioned"), &st) == ID_OK);
    CHECK(st == DEVICE_STATUS_INSTALLED_NOT_COMMISSIONED);
    CHECK(device_status_parse(S("installed not commissioned"), &st) == ID_OK);
    CHECK(st == DEVICE_STATUS_INSTALLED_NOT_COMMISSIONED);
    CHECK(device_status_parse(S("COMMISSIONED"), &st) == ID_OK && st == DEVICE_STATUS_COMMISSIONED);
    CHECK(device_status_parse(S("Not_Applicable"), &st) == ID_OK);
    CHECK(st == DEVICE_STATUS_NOT_APPLICABLE);
    CHECK(device_status_parse(S("Installed"), &st) == ID_UNKNOWN_CODE);
    CHECK(device_status_parse(S("Commissioned2"), &st) == ID_UNKNOWN_CODE);
    CHECK_STR(device_status_name(DEVICE_STATUS_RECOVERED), "Recovered");

    /* The documented on-the-wall list: Whitelisted is installed and judged (issue 15). */
    int on = 0;
    for (int s = 0; s < DEVICE_STATUS_COUNT; s++)
        on += device_status_on_wall((device_status)s);
    CHECK(on == 6);
    CHECK(device_status_on_wall(DEVICE_STATUS_INSTALLED_NOT_COMMISSIONED));
    CHECK(device_status_on_wall(DEVICE_STATUS_COMMISSIONED));
    CHECK(device_status_on_wall(DEVICE_STATUS_SUSPENDED));
    CHECK(device_status_on_wall(DEVICE_STATUS_RECOVERY));
    CHECK(device_status_on_wall(DEVICE_STATUS_RECOVERED));
    CHECK(!device_status_on_wall(DEVICE_STATUS_PENDING));
    CHECK(device_status_on_wall(DEVICE_STATUS_WHITELISTED));
    CHECK(!device_status_on_wall(DEVICE_STATUS_DECOMMISSIONED));
    CHECK(!device_status_on_wall(DEVICE_STATUS_WITHDRAWN));
    CHECK(!device_status_on_wall(DEVICE_STATUS_NOT_APPLICABLE));
    CHECK(!device_status_on_wall(DEVICE_STATUS_UNKNOWN));
    /* --installed-statuses: names as in the register, in any case; an unknown one is named. */
    unsigned set = 0;
    size_t bad = 0;
    char text[200];
    CHECK(device_statuses_parse("commissioned,Suspended", &set, &bad) == ID_OK);
    CHECK(set == (1u << DEVICE_STATUS_COMMISSIONED | 1u << DEVICE_STATUS_SUSPENDED));
    CHECK(device_status_in(set, DEVICE_STATUS_SUSPENDED) && !device_status_in(set, 0));
    device_statuses_text(set, text, sizeof text);
    CHECK_STR(text, "Commissioned,Suspended");
    CHECK(device_statuses_parse("Commissioned,Fitted", &set, &bad) == ID_UNKNOWN_CODE && bad == 13);
    CHECK(device_statuses_parse("Commissioned,", &set, &bad) == ID_EMPTY && bad == 13);

    CHECK(csp_region_parse(S("North"), &r) == ID_OK && r == CSP_REGION_NORTH);
    CHECK(csp_region_parse(S("central"), &r) == ID_OK && r == CSP_REGION_CENTRAL);
    CHECK(csp_region_parse(S("SOUTH"), &r) == ID_OK && r == CSP_REGION_SOUTH);
    CHECK(csp_region_parse(S("Scotland"), &r) == ID_UNKNOWN_CODE);
    CHECK_STR(csp_region_id(CSP_REGION_NORTH), "north");
    CHECK_STR(csp_region_name(CSP_REGION_SOUTH), "South");

    CHECK(han_variant_parse(S("Single Band"), &h) == ID_OK && h == HAN_VARIANT_SINGLE_BAND);
    CHECK(han_variant_parse(S("dual-band"), &h) == ID_OK && h == HAN_VARIANT_DUAL_BAND);
    CHECK(han_variant_parse(S("DUALBAND"), &h) == ID_OK && h == HAN_VARIANT_DUAL_BAND);
    CHECK(han_variant_parse(S("Triple Band"), &h) == ID_UNKNOWN_CODE);
    CHECK(han_variant_parse(S("Dual"), &h) == ID_UNKNOWN_CODE);
    CHECK_STR(han_variant_name(HAN_VARIANT_DUAL_BAND), "Dual Band");

    CHECK(device_type_has_mpxn(DEVICE_TYPE_ESME) && device_type_has_mpxn(DEVICE_TYPE_GSME));
    CHECK(!device_type_has_mpxn(DEVICE_TYPE_CHF) && !device_type_has_mpxn(DEVICE_TYPE_PPMID));

    for (int p = 0; p < ID_PROBLEM_COUNT; p++) {
        CHECK(strlen(id_problem_code((id_problem)p)) > 0);
        CHECK(strlen(id_problem_text((id_problem)p)) > 0);
    }
    CHECK_STR(id_problem_code(ID_BAD_CHECK), "bad-check-digit");
    CHECK_STR(id_problem_code((id_problem)999), "unknown");
}

static void test_postcode(void)
{
    char pc[POSTCODE_TEXT_LEN];
    CHECK(postcode_normalise(S("sw1a 1aa"), pc) == ID_OK);
    CHECK_STR(pc, "SW1A 1AA");
    CHECK(postcode_normalise(S("M11AE"), pc) == ID_OK);
    CHECK_STR(pc, "M1 1AE");
    CHECK(postcode_normalise(S("B33 8TH"), pc) == ID_OK);
    CHECK_STR(pc, "B33 8TH");
    CHECK(postcode_normalise(S("CR2 6XH"), pc) == ID_OK);
    CHECK(postcode_normalise(S("DN55 1PT"), pc) == ID_OK);
    CHECK(postcode_normalise(S("W1A 0AX"), pc) == ID_OK);
    CHECK(postcode_normalise(S("EC1A 1BB"), pc) == ID_OK);
    CHECK(postcode_normalise(S("AB10  1AA"), pc) == ID_OK);
    CHECK_STR(pc, "AB10 1AA");
    CHECK(postcode_normalise(S("GIR 0AA"), pc) == ID_OK);
    CHECK_STR(pc, "GIR 0AA");
    CHECK(postcode_normalise(S("GIR 0AS"), pc) == ID_BAD_FORMAT); /* found by fuzz_register */
    CHECK(postcode_normalise(S(""), pc) == ID_EMPTY);
    CHECK(postcode_normalise(S("  "), pc) == ID_EMPTY);
    CHECK(postcode_normalise(S("SW1A-1AA"), pc) == ID_BAD_CHAR);
    CHECK(postcode_normalise(S("1AB 1AA"), pc) == ID_BAD_FORMAT);
    CHECK(postcode_normalise(S("AB1"), pc) == ID_BAD_FORMAT);
    CHECK(postcode_normalise(S("AB10 AAA"), pc) == ID_BAD_FORMAT);
    CHECK(postcode_normalise(S("ABC1 1AA"), pc) == ID_BAD_FORMAT);
    CHECK(postcode_normalise(S("AB123 1AA"), pc) == ID_BAD_FORMAT);
    CHECK(postcode_normalise(S("SW1AA 1AA"), pc) == ID_BAD_FORMAT);

    CHECK(postcode_in_area("AB10 1AA", "AB"));
    CHECK(postcode_in_area("AB10 1AA", "ab"));
    CHECK(!postcode_in_area("AB10 1AA", "A"));
    CHECK(!postcode_in_area("BT1 1AA", "B"));
    CHECK(postcode_in_area("B33 8TH", "B"));
    CHECK(postcode_in_area("AB10 1AA", "AB10"));
    CHECK(!postcode_in_area("AB10 1AA", "AB1"));
    CHECK(postcode_in_area("AB10 1AA", "AB10 1"));
    CHECK(!postcode_in_area("AB10 2AA", "AB10 1"));
    CHECK(!postcode_in_area("AB10 1AA", ""));
    CHECK(!postcode_in_area("", "AB"));
}

int main(void)
{
    test_eui64();
    test_mpan();
    test_mprn();
    test_mpxn();
    test_dates();
    test_code_lists();
    test_postcode();
    return check_finish();
}
