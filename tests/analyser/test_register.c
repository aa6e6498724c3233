/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_register.c: installation register loading against a committed fixture with good and
 * deliberately bad rows: exact error lines, columns and codes; indexes; header and strict
 * failures; register-errors.csv output. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "identifiers.h"
#include "progress.h"
#include "register.h"

#define FIXTURE RFN_SOURCE_DIR "/tests/data/register_small.csv"

#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        CHECK_MSG(strcmp(g_, w_) == 0, "got [%s] want [%s]", g_, w_);                              \
    } while (0)

typedef struct expected_error {
    uint64_t line;
    const char *column;
    const char *code;
    const char *message;
} expected_error;

static const expected_error expected[] = {
    {6, "DeviceID", "bad-length", "DeviceID 'BC-33-AC-FF-FE-FA-55': wrong number of digits"},
    {7, "ImportMPxN", "bad-check-digit", "ImportMPxN '1312345678906': check digit does not match"},
    {8, "ImportMPxN", "mpxn-type-mismatch",
     "ImportMPxN '3938424403' is an MPRN, but an ESME needs an MPAN core"},
    {9, "DeviceType", "unknown-value",
     "DeviceType 'SMETS2': not one of ESME, GSME, CHF, GPF, PPMID, HCALCS"},
    {10, "DeviceStatus", "unknown-value", NULL},
    {11, "CSPRegion", "unknown-value", "CSPRegion 'Scotland': not one of North, Central, South"},
    {11, "HANVariant", "unknown-value",
     "HANVariant 'Triple Band': not one of Single Band, Dual Band"},
    {12, "InstallDate", "bad-date", "InstallDate '2021-02-29': not a valid date"},
    {13, "InstallDate", "date-out-of-range",
     "InstallDate '1900-01-01': outside the years 2000 to 2099"},
    {14, "PostCode", "bad-character", "PostCode 'SW1A-1AA': not a UK postcode"},
    {15, "", "ragged-row", "row has 4 fields, header has 13"},
    {19, "DeviceID", "duplicate-device-id",
     "DeviceID 00-1B-C5-0C-00-00-00-12 appears on lines 19 and 24"},
    {20, "DeviceModel", "missing-value", "DeviceModel is empty"},
    {20, "ImportMPxN", "missing-value", "ImportMPxN is empty (required for an installed ESME)"},
    {22, "", "bad-quoting", "malformed quoting (RFC 4180); the rest of the line is skipped"},
    {24, "DeviceID", "duplicate-device-id",
     "DeviceID 00-1B-C5-0C-00-00-00-12 appears on lines 19 and 24"},
    {26, "DeviceManufacturer", "bad-text",
     "DeviceManufacturer 'Caf? Meters': not UTF-8 (byte 0xE9 is '\xC3\xA9' in Windows-1252: "
     "give --encoding cp1252)"},
    {28, "DeviceModel", "too-long", NULL},
    {29, "DeviceID", "bad-character", "DeviceID 'GG-1B-C5-0C-00-00-00-1A': invalid character"},
    {29, "Supplier", "missing-value", "Supplier is empty"},
};

static uint64_t id_of(const char *text)
{
    uint64_t id = 0;
    CHECK(eui64_parse(text, strlen(text), &id) == ID_OK);
    return id;
}

static void test_fixture(void)
{
    register_data *reg = NULL;
    rfn_error err;
    CHECK_OK(register_load(FIXTURE, NULL, &reg, &err));
    if (!reg) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    const register_summary *s = register_get_summary(reg);
    CHECK(s->rows_read == 26);
    CHECK(s->delim == ',' && s->lines == 29 && s->blank_lines == 1 && s->continuation_lines == 1);
    CHECK(s->lines == 1 + s->rows_read + s->continuation_lines + s->blank_lines);
    CHECK(s->rows_accepted == 9);
    CHECK(s->rows_rejected == 17);
    CHECK(s->rows_on_wall == 7);
    CHECK(s->errors == 20);
    CHECK(s->rejected_by_code[REGISTER_CODE_DUPLICATE] == 2);
    CHECK(s->rejected_by_code[REGISTER_CODE_MISSING] == 2); /* lines 20 and 29 */
    CHECK(s->rejected_by_code[REGISTER_CODE_UNKNOWN_VALUE] == 3);
    CHECK(s->rejected_by_code[REGISTER_CODE_BAD_CHAR] == 2);
    CHECK(s->rejected_by_code[REGISTER_CODE_RAGGED] == 1);
    CHECK(s->rejected_by_code[REGISTER_CODE_BAD_QUOTING] == 1);

    size_t n = register_error_count(reg);
    CHECK(n == sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < n && i < sizeof expected / sizeof expected[0]; i++) {
        register_error e;
        register_error_get(reg, i, &e);
        CHECK_MSG(e.line == expected[i].line && strcmp(e.column, expected[i].column) == 0 &&
                      strcmp(e.code, expected[i].code) == 0,
                  "error %zu: got %llu/%s/%s want %llu/%s/%s", i, (unsigned long long)e.line,
                  e.column, e.code, (unsigned long long)expected[i].line, expected[i].column,
                  expected[i].code);
        if (expected[i].message) CHECK_STR(e.message, expected[i].message);
        CHECK_STR(e.file, FIXTURE);
    }

    /* Accepted rows in file order, with their physical lines (16 spans two lines). */
    static const uint64_t lines[] = {2, 3, 4, 5, 16, 18, 21, 23, 27};
    CHECK(register_count(reg) == 9);
    const register_row *rows = register_rows(reg);
    for (size_t i = 0; i < 9 && i < register_count(reg); i++)
        CHECK_MSG(rows[i].line == lines[i], "row %zu line %llu", i,
                  (unsigned long long)rows[i].line);

    /* Normalised values. */
    const register_row *r = register_find_device(reg, id_of("BC-33-AC-FF-FE-FA-55-3D"));
    CHECK(r && r->line == 2);
    if (r) {
        CHECK(r->type == DEVICE_TYPE_ESME && r->status == DEVICE_STATUS_COMMISSIONED);
        CHECK(r->region == CSP_REGION_NORTH && r->han == HAN_VARIANT_DUAL_BAND);
        CHECK(r->mpxn_kind == MPXN_MPAN);
        CHECK_STR(register_string(reg, r->supplier), "Octo Energy");
        CHECK_STR(register_string(reg, r->manufacturer), "Acme Meters");
        CHECK_STR(register_string(reg, r->model), "AM-100");
        CHECK_STR(register_string(reg, r->firmware), "1.2.3");
        CHECK_STR(r->postcode, "AB10 1AA");
        char d[ISO_DATE_TEXT_LEN];
        iso_date_format(r->install_date, d);
        CHECK_STR(d, "2021-06-15");
    }
    r = register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-01"));
    CHECK(r && r->mpxn_kind == MPXN_MPRN && strcmp(r->postcode, "M1 1AE") == 0);
    r = register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-02")); /* colon lower-case form */
    CHECK(r && r->line == 4 && r->type == DEVICE_TYPE_CHF);
    r = register_find_device(reg, id_of("001BC50C00000003")); /* bare hex, date-time */
    CHECK(r && r->han == HAN_VARIANT_DUAL_BAND && r->install_date == date_from_ymd(2022, 3, 31));
    r = register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-11"));
    CHECK(r && strcmp(register_string(reg, r->supplier), "=HYPERLINK(\"http://x\",\"y\")") == 0);
    r = register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-14")); /* Pending: optional empty */
    CHECK(r && r->mpxn_key == 0 && r->han == HAN_VARIANT_UNKNOWN &&
          r->install_date == REGISTER_NO_DATE && r->postcode[0] == '\0');
    /* Rejected rows are not found: both duplicates, and bad rows. */
    CHECK(register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-12")) == NULL);
    CHECK(register_find_device(reg, id_of("00-1B-C5-0C-00-00-00-07")) == NULL);
    CHECK(register_find_device(reg, id_of("FF-FF-FF-FF-FF-FF-FF-FE")) == NULL);
    /* Interning: one copy of each distinct string. */
    CHECK(register_rows(reg)[0].manufacturer == register_rows(reg)[3].manufacturer);

    /* MPxN index: 2000123456780 on lines 5 and 18, in file order. */
    mpxn_kind kind;
    uint64_t key;
    CHECK(mpxn_parse("2000123456780", 13, &kind, &key) == ID_OK);
    uint32_t k = register_mpxn_first(reg, key);
    CHECK(k != REGISTER_NONE && rows[k].line == 5);
    k = register_mpxn_next(reg, k);
    CHECK(k != REGISTER_NONE && rows[k].line == 18);
    CHECK(register_mpxn_next(reg, k) == REGISTER_NONE);
    CHECK(mpxn_parse("3938424403", 10, &kind, &key) == ID_OK);
    CHECK(register_mpxn_first(reg, key) == REGISTER_NONE);
    CHECK(register_mpxn_first(reg, 0) == REGISTER_NONE);

    CHECK(register_extra_column_count(reg) == 1);
    CHECK_STR(register_extra_column(reg, 0), "Notes");

    /* register-errors.csv: header, one row per error, values quoted as needed. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    register_errors_write_csv(reg, f);
    fclose(f);
    CHECK(strncmp(buf, "file,line,column,code,message,Supplier,DeviceID\n", 48) == 0);
    CHECK(strstr(buf, FIXTURE ",6,DeviceID,bad-length,DeviceID 'BC-33-AC-FF-FE-FA-55': wrong "
                              "number of digits,Octo Energy,BC-33-AC-FF-FE-FA-55\n") != NULL);
    CHECK(strstr(buf, FIXTURE ",15,,ragged-row,\"row has 4 fields, header has 13\",Octo Energy,"
                              "00-1B-C5-0C-00-00-00-0F\n") != NULL);
    int rows_out = 0;
    for (char *p = buf; *p; p++)
        rows_out += *p == '\n';
    CHECK(rows_out == 21);

    /* The same through an atomic file. */
    char dir[] = "/tmp/test_register_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/register-errors.csv", dir);
    CHECK_OK(register_errors_save(reg, path, &err));
    FILE *in = fopen(path, "rb");
    char *saved = calloc(1, len + 1);
    CHECK(in && saved && fread(saved, 1, len + 1, in) == len && memcmp(saved, buf, len) == 0);
    if (in) fclose(in);
    free(saved);
    remove(path);
    char bad_path[80];
    snprintf(bad_path, sizeof bad_path, "%s/missing-dir/register-errors.csv", dir);
    CHECK(register_errors_save(reg, bad_path, &err) != RFN_OK);
    rmdir(dir);
    free(buf);
    register_destroy(reg);
}

static rfn_status load_text(const char *text, const register_config *cfg, register_data **reg,
                            rfn_error *err)
{
    return register_load_mem("t.csv", text, strlen(text), cfg, reg, err);
}

#define HEADER                                                                                     \
    "DeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,DeviceFirmwareVersion,"       \
    "ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier,InstallDate\n"
#define GOOD_ROW                                                                                   \
    "BC-33-AC-FF-FE-FA-55-3D,ESME,Commissioned,Acme,AM-1,1.0,1312345678907,North,Dual Band,,S1,"   \
    "2021-01-01\n"
#define BAD_ROW                                                                                    \
    "BC-33-AC-FF-FE-FA-55-3E,ESME,Commissioned,Acme,AM-1,1.0,1312345678900,North,Dual Band,,S1,"   \
    "2021-01-01\n"

static void test_failures(void)
{
    register_data *reg = NULL;
    rfn_error err;
    CHECK(register_load("/nonexistent/r.csv", NULL, &reg, &err) == RFN_ERR_NOTFOUND);
    CHECK(reg == NULL);
    CHECK(load_text("", NULL, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv: empty file (no header row)");
    CHECK(load_text("DeviceID,DeviceType\nx,y\n", NULL, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv:1: header lacks columns DeviceStatus, DeviceManufacturer, "
                       "DeviceModel, DeviceFirmwareVersion, ImportMPxN, CSPRegion, HANVariant, "
                       "PostCode, Supplier, InstallDate");
    CHECK(load_text("\n\nDeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,"
                    "DeviceFirmwareVersion,ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier\n",
                    NULL, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv:3: header lacks column InstallDate");
    CHECK(load_text("DeviceID,DEVICEID," HEADER, NULL, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv:1: column DeviceID appears twice (columns 1 and 2)");
    CHECK(reg == NULL);

    /* Header only: an empty, valid register. */
    CHECK_OK(load_text(HEADER, NULL, &reg, &err));
    CHECK(reg && register_count(reg) == 0 && register_get_summary(reg)->rows_read == 0);
    CHECK(reg && register_find_device(reg, 1) == NULL);
    register_destroy(reg);

    /* Strict: the first rejected row fails the load with that row's message. */
    register_config cfg = register_config_default();
    cfg.strict = true;
    CHECK_OK(load_text(HEADER GOOD_ROW, &cfg, &reg, &err));
    register_destroy(reg);
    reg = NULL;
    CHECK(load_text(HEADER GOOD_ROW BAD_ROW GOOD_ROW, &cfg, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv:3: ImportMPxN '1312345678900': check digit does not match (strict)");
    CHECK(reg == NULL);
    /* Strict also fails on duplicates, found after the last row. */
    CHECK(load_text(HEADER GOOD_ROW GOOD_ROW, &cfg, &reg, &err) == RFN_ERR_FORMAT);
    CHECK_STR(err.msg, "t.csv:2: DeviceID BC-33-AC-FF-FE-FA-55-3D appears on lines 2 and 3 "
                       "(strict)");
    /* Not strict: three copies of one DeviceID are all rejected, each error naming two lines. */
    CHECK_OK(load_text(HEADER GOOD_ROW GOOD_ROW GOOD_ROW, NULL, &reg, &err));
    CHECK(reg && register_count(reg) == 0 && register_error_count(reg) == 3);
    CHECK(reg && register_get_summary(reg)->rejected_by_code[REGISTER_CODE_DUPLICATE] == 3);
    if (reg) {
        register_error e;
        register_error_get(reg, 2, &e);
        CHECK_STR(e.message, "DeviceID BC-33-AC-FF-FE-FA-55-3D appears on lines 2 and 4");
    }
    register_destroy(reg);
    register_destroy(NULL);

    /* A progress object is updated while loading (quiet here, so nothing is drawn). */
    cfg = register_config_default();
    cfg.progress = progress_create("loading register", 0, 1);
    CHECK_OK(register_load(FIXTURE, &cfg, &reg, &err));
    CHECK(reg && register_count(reg) == 9);
    register_destroy(reg);
    progress_destroy(cfg.progress);

    /* Max text length and year range are configurable. */
    cfg = register_config_default();
    cfg.max_text_bytes = 3;
    cfg.min_install_year = 2022;
    CHECK_OK(load_text(HEADER GOOD_ROW, &cfg, &reg, &err));
    CHECK(reg && register_error_count(reg) == 3); /* AM-1 too long, InstallDate 2021 < 2022 */
    register_destroy(reg);
}

/* The optional SupplierID and Installer columns (issue 15 ownership, issue 20 reasons): read in
 * any order and case, empty allowed, checked as text; absent columns read as "". */
static void test_optional_columns(void)
{
    register_data *reg = NULL;
    rfn_error err;
    CHECK_OK(load_text("installer,DeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,"
                       "DeviceFirmwareVersion,ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier,"
                       "InstallDate,SUPPLIERID,Notes\n"
                       "Meterworks Ltd,BC-33-AC-FF-FE-FA-55-3D,ESME,Commissioned,Acme,AM-1,1.0,"
                       "1312345678907,North,Dual Band,,S1,2021-01-01, OCTO ,x\n"
                       ",00-1B-C5-0C-00-00-00-01,CHF,Commissioned,Hub,H,1,,North,Dual Band,,S1,"
                       "2021-01-01,,\n"
                       "Fit\x01ters,00-1B-C5-0C-00-00-00-02,CHF,Commissioned,Hub,H,1,,North,"
                       "Dual Band,,S1,2021-01-01,OCTO,\n",
                       NULL, &reg, &err));
    CHECK(reg && register_count(reg) == 2 && register_error_count(reg) == 1);
    if (reg && register_count(reg) == 2) {
        const register_row *r = register_rows(reg);
        CHECK_STR(register_string(reg, r[0].supplier_id), "OCTO");
        CHECK_STR(register_string(reg, r[0].installer), "Meterworks Ltd");
        CHECK(r[1].supplier_id == 0 && r[1].installer == 0);
        CHECK(register_extra_column_count(reg) == 1);
        register_error e;
        register_error_get(reg, 0, &e);
        CHECK(e.line == 4);
        CHECK_STR(e.column, "Installer");
        CHECK_STR(e.code, "bad-text");
        CHECK_STR(e.message, "Installer 'Fit?ters': invalid UTF-8 or a control character");
    }
    register_destroy(reg);
    /* Without the columns: every row reads "" (string id 0). */
    CHECK_OK(load_text(HEADER GOOD_ROW, NULL, &reg, &err));
    CHECK(reg && register_count(reg) == 1 && register_rows(reg)[0].supplier_id == 0 &&
          register_rows(reg)[0].installer == 0);
    register_destroy(reg);
}

int main(void)
{
    test_fixture();
    test_failures();
    test_optional_columns();
    return check_finish();
}
