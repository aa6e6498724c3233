/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_records_json.c: the analysis record written and read back over the same field tables
 * keeps what judging reads; a record from before measurements were kept apart takes its flags
 * from its reasons; bandwidths that do not apply, empty texts and unknown verdicts read back as
 * analyse leaves them; a captures.jsonl line has its keys, the measured ones only when known. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "check.h"
#include "limits.h"
#include "records_json.h"

static void fill(capture_analysis *r, band_verdict *bands)
{
    memset(r, 0, sizeof *r);
    snprintf(r->meta.path, sizeof r->meta.path, "caps/a.sigmf-meta");
    snprintf(r->meta.device_id, sizeof r->meta.device_id, "00-11-22-33-44-55-66-77");
    snprintf(r->limits_id, sizeof r->limits_id, "ichis");
    snprintf(r->limits_version, sizeof r->limits_version, "2.1");
    snprintf(r->calibration_id, sizeof r->calibration_id, "bench-1");
    r->settings.guard_db = 1.5;
    r->settings.region = LIMITS_REGION_SOUTH;
    r->settings.han = LIMITS_HAN_DUAL;
    r->settings.used_fraction = 0.75;
    r->limits_in_force = -1;
    r->bands = bands;
    r->n_bands = 2;
    memset(bands, 0, 2 * sizeof *bands);
    band_verdict *b = &bands[0];
    snprintf(b->band_id, sizeof b->band_id, "han-868");
    snprintf(b->quantity, sizeof b->quantity, "peak_density");
    snprintf(b->trace, sizeof b->trace, "max");
    snprintf(b->unit, sizeof b->unit, "dBm/Hz");
    snprintf(b->m.measured_unit, sizeof b->m.measured_unit, "dBm/Hz");
    snprintf(b->m.method, sizeof b->m.method, "welch");
    snprintf(b->m.geometry, sizeof b->m.geometry, "g1");
    b->f_lo_hz = 863e6;
    b->f_hi_hz = 870e6;
    b->rbw_hz = 0;      /* does not apply: null, read back as 0 */
    b->ref_bw_hz = 1e3;
    b->m.measured = -101.25;
    b->m.worst_freq_hz = 868.3e6;
    b->m.floor_level = NAN;
    b->m.capture_floor = -140;
    b->m.capture_floor_median = -141;
    b->m.covered_fraction = 1;
    b->m.rbw_reads_low = 1;
    b->m.uncertainty_db = 2;
    b->m.flags = REASON_CLIPPED;
    b->limit = -100;
    b->margin_db = 1.25 - 2;
    b->derogation_limit = NAN;
    b->verdict = VERDICT_FAIL;
    b->reasons = REASON_CLIPPED;
    b->uncertainty_db = 3;
    bands[1] = bands[0];
    snprintf(bands[1].band_id, sizeof bands[1].band_id, "wan-north-423");
    bands[1].verdict = VERDICT_NOT_APPLICABLE;
}

int main(void)
{
    capture_analysis r, back;
    band_verdict bands[2];
    rfn_error err;
    fill(&r, bands);
    json_t *a = records_json_analysis(&r);
    CHECK(a != NULL);
    CHECK(records_json_is_analysis(a));
    CHECK(strcmp(records_json_analysis_device_id(a), "00-11-22-33-44-55-66-77") == 0);
    records_json_set_analysis_path(a, "elsewhere/a.sigmf-meta");
    CHECK_OK(records_json_read_analysis(a, &back, &err));
    CHECK(strcmp(back.meta.path, "elsewhere/a.sigmf-meta") == 0);
    CHECK(strcmp(back.meta.device_id, r.meta.device_id) == 0);
    CHECK(back.meta.datetime[0] == '\0'); /* written as null */
    CHECK(strcmp(back.limits_id, "ichis") == 0 && strcmp(back.limits_version, "2.1") == 0);
    CHECK(strcmp(back.calibration_id, "bench-1") == 0);
    CHECK(back.settings.guard_db == 1.5 && back.settings.used_fraction == 0.75);
    CHECK(back.settings.region == LIMITS_REGION_SOUTH && back.settings.han == LIMITS_HAN_DUAL);
    CHECK(!back.settings.exclude_bursts);
    CHECK(back.n_bands == 2);
    const band_verdict *b = &back.bands[0];
    CHECK(strcmp(b->band_id, "han-868") == 0 && strcmp(b->m.geometry, "g1") == 0);
    CHECK(strcmp(b->quantity, "peak_density") == 0 && strcmp(b->trace, "max") == 0);
    CHECK(strcmp(b->unit, "dBm/Hz") == 0 && strcmp(b->m.method, "welch") == 0);
    CHECK(b->rbw_hz == 0 && b->ref_bw_hz == 1e3);
    CHECK(b->f_lo_hz == 863e6 && b->f_hi_hz == 870e6);
    CHECK(b->m.measured == -101.25 && b->limit == -100 && b->margin_db == -0.75);
    CHECK(isnan(b->m.floor_level) && isnan(b->derogation_limit));
    CHECK(b->m.capture_floor == -140 && b->m.capture_floor_median == -141);
    CHECK(b->m.rbw_reads_low == 1 && b->m.detector_unsettled == 0);
    CHECK(b->m.uncertainty_db == 2);
    CHECK(isnan(b->uncertainty_db)); /* the limit set's, applied again when judged */
    CHECK(b->verdict == VERDICT_FAIL && b->reasons == REASON_CLIPPED);
    CHECK(b->m.flags == REASON_CLIPPED);
    CHECK(back.bands[1].verdict == VERDICT_NOT_APPLICABLE);
    analyse_result_free(&back);

    /* A record from before measurements were kept apart, with a verdict name not known here. */
    json_t *band = json_array_get(json_object_get(a, "bands"), 0);
    json_object_del(band, "measurement");
    json_object_set_new(band, "verdict", json_string("maybe"));
    json_object_set_new(band, "reasons", json_pack("[s, s]", "clipped", "guard-band"));
    CHECK_OK(records_json_read_analysis(a, &back, &err));
    CHECK(back.bands[0].verdict == VERDICT_INCONCLUSIVE);
    CHECK(back.bands[0].reasons == (REASON_CLIPPED | REASON_GUARD_BAND));
    CHECK(back.bands[0].m.flags == ((REASON_CLIPPED | REASON_GUARD_BAND) &
                                    BAND_MEASUREMENT_REASONS));
    CHECK(back.bands[0].m.geometry[0] == '\0' && isnan(back.bands[0].m.uncertainty_db));
    analyse_result_free(&back);

    /* Not a record. */
    json_object_del(a, "bands");
    CHECK(!records_json_is_analysis(a));
    CHECK(records_json_read_analysis(a, &back, &err) == RFN_ERR_FORMAT);
    json_decref(a);

    /* The record as analyse writes it: numbers at 10 significant digits. */
    bands[0].m.measured = -101.123456789012;
    json_t *w = records_json_analysis_as_written(&r);
    CHECK(w != NULL);
    double mw = json_real_value(json_object_get(
        json_array_get(json_object_get(w, "bands"), 0), "measured"));
    CHECK(mw == -101.1234568);
    json_decref(w);

    /* captures.jsonl: null for empty texts, the measured keys only when known. */
    capture_line l = {.index = 7, .path = "a.wav", .sha256 = "", .settings_sha256 = "s",
                      .device_id = "d", .captured_at = NULL, .error = "cannot analyse"};
    json_t *line = records_json_capture_line(&l);
    CHECK(json_integer_value(json_object_get(line, "index")) == 7);
    CHECK(json_integer_value(json_object_get(line, "format_version")) == 1);
    CHECK(json_is_null(json_object_get(line, "sha256")));
    CHECK(json_is_null(json_object_get(line, "captured_at")));
    CHECK(json_is_null(json_object_get(line, "analysis")));
    CHECK(strcmp(json_string_value(json_object_get(line, "error")), "cannot analyse") == 0);
    CHECK(json_object_get(line, "measured_model") == NULL);
    CHECK(json_object_size(line) == 9);
    json_decref(line);
    l.measured_model = "E470";
    l.measured_firmware = "";
    line = records_json_capture_line(&l);
    CHECK(strcmp(json_string_value(json_object_get(line, "measured_model")), "E470") == 0);
    CHECK(strcmp(json_string_value(json_object_get(line, "measured_firmware")), "") == 0);
    json_decref(line);
    return check_finish();
}
