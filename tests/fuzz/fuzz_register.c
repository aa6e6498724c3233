/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_register.c: libFuzzer target for the register row parser and validators. The input is
 * loaded as an installation register and as a derogation list (never a crash, every rejected row
 * has an error), each CSV record is checked to survive csv_write_text -> csv_reader unchanged
 * (apart from the documented neutralisation prefix), and each field goes through every
 * identifier validator with their round-trip properties. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "csv_util.h"
#include "derogation.h"
#include "identifiers.h"
#include "register.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_validators(const char *s, size_t len)
{
    uint64_t id;
    if (eui64_parse(s, len, &id) == ID_OK) {
        char text[EUI64_TEXT_LEN];
        uint64_t back;
        eui64_format(id, text);
        if (eui64_parse(text, strlen(text), &back) != ID_OK || back != id) abort();
    }
    mpxn_kind kind;
    uint64_t key;
    if (mpxn_parse(s, len, &kind, &key) == ID_OK) {
        char text[14];
        mpxn_format(key, text);
        if (strlen(text) != len || memcmp(text, s, len) != 0) abort();
    }
    int32_t days;
    if (iso_date_parse(s, len, &days) == ID_OK) {
        char text[ISO_DATE_TEXT_LEN];
        int32_t back;
        iso_date_format(days, text);
        if (iso_date_parse(text, strlen(text), &back) != ID_OK || back != days ||
            memcmp(text, s, 10) != 0)
            abort();
    }
    int64_t t;
    (void)iso_datetime_parse(s, len, &t);
    char pc[POSTCODE_TEXT_LEN];
    if (postcode_normalise(s, len, pc) == ID_OK) {
        char again[POSTCODE_TEXT_LEN];
        if (postcode_normalise(pc, strlen(pc), again) != ID_OK || strcmp(pc, again) != 0) abort();
        char area[3] = {pc[0], pc[1] >= 'A' ? pc[1] : '\0', '\0'};
        if (strcmp(pc, "GIR 0AA") != 0 && !postcode_in_area(pc, area)) abort();
    }
    device_type dt;
    device_status ds;
    csp_region cr;
    han_variant hv;
    (void)device_type_parse(s, len, &dt);
    (void)device_status_parse(s, len, &ds);
    (void)csp_region_parse(s, len, &cr);
    (void)han_variant_parse(s, len, &hv);
}

/* Write the record's fields as one CSV line, read it back, compare. */
static void check_roundtrip(const csv_record *rec)
{
    if (rec->n_fields == 1 && rec->lens[0] == 0)
        return; /* a lone empty field writes as an empty line, which is no record */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    /* After a header line, as in every CSV rfnoise writes: the reader looks for a byte-order mark
     * in the first bytes of a file, so a record written first that starts with FE FF or EF BB BF
     * would read as UTF-16 or lose its BOM. */
    fputs("h\n", f);
    for (size_t i = 0; i < rec->n_fields; i++) {
        if (i) csv_write_sep(f);
        csv_write_text_n(f, rec->fields[i], rec->lens[i]);
    }
    csv_end_row(f);
    fclose(f);
    csv_reader *r = NULL;
    csv_record back;
    if (csv_reader_open_mem("rt", buf, len, NULL, &r, NULL) == RFN_OK &&
        csv_reader_next(r, &back, NULL) == RFN_OK && csv_reader_next(r, &back, NULL) == RFN_OK) {
        if (back.n_fields != rec->n_fields || back.bad_quotes) abort();
        for (size_t i = 0; i < rec->n_fields; i++) {
            /* A leading NUL is a control character too (csv_text_needs_neutralising sees "") */
            size_t off = rec->lens[i] &&
                         (csv_text_needs_neutralising(rec->fields[i]) || rec->fields[i][0] == '\0');
            if (back.lens[i] != rec->lens[i] + off || (off && back.fields[i][0] != '\'') ||
                memcmp(back.fields[i] + off, rec->fields[i], rec->lens[i]) != 0)
                abort();
        }
    } else if (rec->n_fields) {
        abort();
    }
    csv_reader_destroy(r);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    register_data *reg = NULL;
    rfn_error err;
    if (register_load_mem("fuzz.csv", data, size, NULL, &reg, &err) == RFN_OK) {
        const register_summary *s = register_get_summary(reg);
        if (s->rows_read != s->rows_accepted + s->rows_rejected) abort();
        if (s->rows_rejected && register_error_count(reg) == 0) abort();
        if (register_count(reg) != s->rows_accepted) abort();
        for (size_t i = 0; i < register_count(reg); i++) {
            const register_row *row = &register_rows(reg)[i];
            if (register_find_device(reg, row->device_id) != row) abort();
        }
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            register_errors_write_csv(reg, devnull);
            fclose(devnull);
        }
    }
    register_destroy(reg);

    derogation_list *dl = NULL;
    if (derogation_load_mem("fuzz.csv", data, size, &dl, &err) == RFN_OK) {
        derogation_query q = {.manufacturer = "Acme",
                              .model = "AM-1",
                              .firmware = "1.2",
                              .band_id = "han-868",
                              .region = CSP_REGION_NORTH,
                              .han = HAN_VARIANT_DUAL_BAND,
                              .postcode = "AB10 1AA",
                              .install_date = 19000};
        derogation_result res;
        for (size_t i = 0; i < derogation_count(dl); i++) {
            const derogation_rule *r = derogation_get(dl, i);
            q.manufacturer = r->manufacturer;
            q.model = r->model;
            derogation_match(dl, &q, &res);
        }
    }
    derogation_destroy(dl);

    csv_reader *cr = NULL;
    if (csv_reader_open_mem("fuzz.csv", data, size, NULL, &cr, NULL) == RFN_OK) {
        csv_record rec;
        while (csv_reader_next(cr, &rec, NULL) == RFN_OK) {
            if (!rec.bad_quotes) check_roundtrip(&rec);
            for (size_t i = 0; i < rec.n_fields && i < 16; i++) {
                check_validators(rec.fields[i], rec.lens[i]);
                if (i) (void)version_compare(rec.fields[i - 1], rec.fields[i]);
            }
        }
    }
    csv_reader_destroy(cr);
    return 0;
}
