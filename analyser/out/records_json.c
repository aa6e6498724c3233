/* SPDX-License-Identifier: GPL-2.0-or-later */
/* records_json.c: the analysis record as JSON, written and read over the same field tables
 * (records_json.h), and analyse's JSON document of such records. */
#include "records_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyse.h"
#include "capture.h"
#include "field_table.h"
#include "limits.h"

/* One table row per kind, written and, where a setter is named, read back. */
#define JF_TEXT(name, get, set) {{name, FIELD_TEXT, get, NULL, 0}, NULL, set, NULL, NULL}
#define JF_TEXT_OR_NULL(name, get, set)                                                       \
    {{name, FIELD_TEXT_OR_NULL, get, NULL, 0}, NULL, set, NULL, NULL}
#define JF_NUM(name, get, set) {{name, FIELD_NUM, NULL, get, -1}, NULL, NULL, set, NULL}
#define JF_INT(name, get) {{name, FIELD_INT, NULL, get, 0}, NULL, NULL, NULL, NULL}
#define JF_BOOL(name, get, set) {{name, FIELD_BOOL, NULL, get, 0}, NULL, NULL, set, NULL}
#define JF_JSON(name, get, set) {{name, FIELD_JSON, NULL, NULL, 0}, get, NULL, NULL, set}
#define N_FIELDS(t) (sizeof(t) / sizeof *(t))

/* ---- reasons: band_reason bits as an array of names ------------------------------------------ */

static json_t *reasons_json(unsigned reasons)
{
    json_t *a = json_array();
    for (unsigned bit = 1; a && bit; bit <<= 1)
        if ((reasons & bit) && analyse_reason_name(bit))
            json_array_append_new(a, json_string(analyse_reason_name(bit)));
    return a;
}

static unsigned reasons_from_json(const json_t *rs)
{
    unsigned bits = 0;
    for (size_t k = 0; k < json_array_size(rs); k++) {
        const char *name = json_string_value(json_array_get(rs, k));
        for (unsigned bit = 1; bit && name; bit <<= 1)
            if (analyse_reason_name(bit) && strcmp(analyse_reason_name(bit), name) == 0)
                bits |= bit;
    }
    return bits;
}

/* ---- band: measurement ----------------------------------------------------------------------- */

/* The measurement's own fields beyond the verdict's (records.h band_measurement): what rejudge
 * needs to apply the decision rule again. */
FIELD_TEXT_FN(m_geometry, band_measurement, r->geometry)
FIELD_NUM_FN(m_rbw_reads_low, band_measurement, r->rbw_reads_low)
FIELD_NUM_FN(m_detector_unsettled, band_measurement, r->detector_unsettled)
FIELD_NUM_FN(m_uncertainty, band_measurement, r->uncertainty_db)
FIELD_SET_TEXT_FN(m_set_geometry, band_measurement, r->geometry)
FIELD_SET_NUM_FN(m_set_uncertainty, band_measurement, r->uncertainty_db)

static json_t *m_flags(const void *rec)
{
    return reasons_json(((const band_measurement *)rec)->flags);
}

static void m_set_flags(void *rec, const json_t *v)
{
    ((band_measurement *)rec)->flags = reasons_from_json(v);
}

static void m_set_rbw_reads_low(void *rec, double v)
{
    ((band_measurement *)rec)->rbw_reads_low = v != 0;
}

static void m_set_detector_unsettled(void *rec, double v)
{
    ((band_measurement *)rec)->detector_unsettled = v != 0;
}

static const json_field measurement_fields[] = {
    JF_TEXT("geometry", m_geometry, m_set_geometry),
    JF_JSON("flags", m_flags, m_set_flags),
    JF_BOOL("rbw_reads_low", m_rbw_reads_low, m_set_rbw_reads_low),
    JF_BOOL("detector_unsettled", m_detector_unsettled, m_set_detector_unsettled),
    JF_NUM("uncertainty_db", m_uncertainty, m_set_uncertainty),
};

/* ---- band: verdict --------------------------------------------------------------------------- */

#define BAND_TEXT(fn, expr) FIELD_TEXT_FN(fn, band_verdict, expr)
#define BAND_NUM(fn, expr) FIELD_NUM_FN(fn, band_verdict, expr)
#define BAND_SET_TEXT(fn, dst) FIELD_SET_TEXT_FN(fn, band_verdict, dst)
#define BAND_SET_NUM(fn, dst) FIELD_SET_NUM_FN(fn, band_verdict, dst)
BAND_TEXT(b_id, r->band_id)
BAND_TEXT(b_label, r->label)
BAND_NUM(b_f_lo, r->f_lo_hz)
BAND_NUM(b_f_hi, r->f_hi_hz)
BAND_TEXT(b_quantity, r->quantity)
BAND_TEXT(b_trace, r->trace)
BAND_TEXT(b_unit, r->unit)
BAND_TEXT(b_measured_unit, r->m.measured_unit)
/* A bandwidth that does not apply (0) is null. */
BAND_NUM(b_rbw, r->rbw_hz > 0 ? r->rbw_hz : NAN)
BAND_NUM(b_ref_bw, r->ref_bw_hz > 0 ? r->ref_bw_hz : NAN)
BAND_NUM(b_measured, r->m.measured)
BAND_NUM(b_limit, r->limit)
BAND_NUM(b_margin, r->margin_db)
BAND_NUM(b_worst_freq, r->m.worst_freq_hz)
BAND_NUM(b_derogation_limit, r->derogation_limit)
BAND_NUM(b_noise_floor, r->m.floor_level)
BAND_NUM(b_capture_floor, r->m.capture_floor)
BAND_NUM(b_covered, r->m.covered_fraction)
BAND_TEXT(b_method, r->m.method)
BAND_TEXT(b_verdict, analyse_verdict_name(r->verdict))
BAND_TEXT(b_rule, limits_decision_rule_name(r->rule))
BAND_NUM(b_uncertainty, r->uncertainty_db)
BAND_NUM(b_capture_floor_median, r->m.capture_floor_median)
BAND_SET_TEXT(b_set_id, r->band_id)
BAND_SET_TEXT(b_set_quantity, r->quantity)
BAND_SET_TEXT(b_set_trace, r->trace)
BAND_SET_TEXT(b_set_unit, r->unit)
BAND_SET_TEXT(b_set_measured_unit, r->m.measured_unit)
BAND_SET_NUM(b_set_f_lo, r->f_lo_hz)
BAND_SET_NUM(b_set_f_hi, r->f_hi_hz)
BAND_SET_NUM(b_set_measured, r->m.measured)
BAND_SET_NUM(b_set_limit, r->limit)
BAND_SET_NUM(b_set_margin, r->margin_db)
BAND_SET_NUM(b_set_worst_freq, r->m.worst_freq_hz)
BAND_SET_NUM(b_set_derogation_limit, r->derogation_limit)
BAND_SET_NUM(b_set_noise_floor, r->m.floor_level)
BAND_SET_NUM(b_set_capture_floor, r->m.capture_floor)
BAND_SET_NUM(b_set_covered, r->m.covered_fraction)
BAND_SET_TEXT(b_set_method, r->m.method)
BAND_SET_NUM(b_set_capture_floor_median, r->m.capture_floor_median)
#undef BAND_TEXT
#undef BAND_NUM
#undef BAND_SET_TEXT
#undef BAND_SET_NUM

/* "unit" and "measured_unit" are the limit file's unit names (what a program matches on); the
 * *_text keys are the same units as people read them, naming the reference bandwidth. The text
 * is made per thread (validate writes records on several) and copied by the writer at once. */
static const char *b_unit_text(const void *rec)
{
    static _Thread_local char buf[32];
    const band_verdict *v = rec;
    return limits_unit_name_text(v->unit, v->ref_bw_hz, buf, sizeof buf);
}

static const char *b_measured_unit_text(const void *rec)
{
    static _Thread_local char buf[32];
    const band_verdict *v = rec;
    return limits_unit_name_text(v->m.measured_unit, v->ref_bw_hz, buf, sizeof buf);
}

/* A bandwidth read back as null does not apply: 0, as analyse leaves it. */
static void b_set_rbw(void *rec, double v)
{
    ((band_verdict *)rec)->rbw_hz = isnan(v) ? 0 : v;
}

static void b_set_ref_bw(void *rec, double v)
{
    ((band_verdict *)rec)->ref_bw_hz = isnan(v) ? 0 : v;
}

/* An unknown verdict name reads as inconclusive: never a pass that was not written as one. */
static void b_set_verdict(void *rec, const char *text)
{
    ((band_verdict *)rec)->verdict = strcmp(text, "pass") == 0             ? VERDICT_PASS
                                     : strcmp(text, "fail") == 0           ? VERDICT_FAIL
                                     : strcmp(text, "not-applicable") == 0 ? VERDICT_NOT_APPLICABLE
                                                                           : VERDICT_INCONCLUSIVE;
}

static json_t *b_reasons(const void *rec)
{
    return reasons_json(((const band_verdict *)rec)->reasons);
}

static void b_set_reasons(void *rec, const json_t *v)
{
    ((band_verdict *)rec)->reasons = reasons_from_json(v);
}

static json_t *b_measurement(const void *rec)
{
    return field_json_record(measurement_fields, N_FIELDS(measurement_fields),
                             &((const band_verdict *)rec)->m);
}

/* After "reasons" in table order: a record from before measurements were kept apart takes its
 * flags from them, and judge_capture then compares its fields instead of a geometry key. */
static void b_set_measurement(void *rec, const json_t *v)
{
    band_verdict *b = rec;
    if (json_is_object(v))
        field_json_read(measurement_fields, N_FIELDS(measurement_fields), v, &b->m);
    else
        b->m.flags = b->reasons & BAND_MEASUREMENT_REASONS;
}

/* Every key of a band as analyse writes it; judging reads back those with a setter (the label,
 * the rule and the band's own uncertainty are the limit set's, applied again when judged). */
static const json_field band_fields[] = {
    JF_TEXT("id", b_id, b_set_id),
    JF_TEXT("label", b_label, NULL),
    JF_NUM("f_lo_hz", b_f_lo, b_set_f_lo),
    JF_NUM("f_hi_hz", b_f_hi, b_set_f_hi),
    JF_TEXT("quantity", b_quantity, b_set_quantity),
    JF_TEXT("trace", b_trace, b_set_trace),
    JF_TEXT("unit", b_unit, b_set_unit),
    JF_TEXT("measured_unit", b_measured_unit, b_set_measured_unit),
    JF_TEXT("unit_text", b_unit_text, NULL),
    JF_TEXT("measured_unit_text", b_measured_unit_text, NULL),
    JF_NUM("rbw_hz", b_rbw, b_set_rbw),
    JF_NUM("ref_bw_hz", b_ref_bw, b_set_ref_bw),
    JF_NUM("measured", b_measured, b_set_measured),
    JF_NUM("limit", b_limit, b_set_limit),
    JF_NUM("margin_db", b_margin, b_set_margin),
    JF_NUM("worst_freq_hz", b_worst_freq, b_set_worst_freq),
    JF_NUM("derogation_limit", b_derogation_limit, b_set_derogation_limit),
    JF_NUM("noise_floor", b_noise_floor, b_set_noise_floor),
    JF_NUM("capture_floor", b_capture_floor, b_set_capture_floor),
    JF_NUM("covered_fraction", b_covered, b_set_covered),
    JF_TEXT("method", b_method, b_set_method),
    JF_TEXT("verdict", b_verdict, b_set_verdict),
    JF_JSON("reasons", b_reasons, b_set_reasons),
    JF_TEXT("decision_rule", b_rule, NULL),
    JF_NUM("uncertainty_db", b_uncertainty, NULL),
    JF_JSON("measurement", b_measurement, b_set_measurement),
    JF_NUM("capture_floor_median", b_capture_floor_median, b_set_capture_floor_median),
};

static json_t *band_json(const band_verdict *v)
{
    return field_json_record(band_fields, N_FIELDS(band_fields), v);
}

/* ---- capture --------------------------------------------------------------------------------- */

#define AN_TEXT(fn, expr) FIELD_TEXT_FN(fn, capture_analysis, expr)
#define AN_NUM(fn, expr) FIELD_NUM_FN(fn, capture_analysis, expr)
#define AN_SET_TEXT(fn, dst) FIELD_SET_TEXT_FN(fn, capture_analysis, dst)
AN_TEXT(c_path, r->meta.path)
AN_TEXT(c_format, r->meta.format)
AN_TEXT(c_container, r->meta.container)
AN_NUM(c_complex, r->meta.is_complex)
AN_NUM(c_rate, r->meta.sample_rate_hz)
AN_NUM(c_centre, r->meta.center_freq_hz)
AN_NUM(c_count, (double)r->meta.sample_count)
AN_NUM(c_duration, r->meta.duration_s)
AN_TEXT(c_datetime, r->meta.datetime)
AN_TEXT(c_device, r->meta.device_id)
AN_NUM(c_clipped, r->stats.clipped_fraction)
AN_TEXT(c_mpxn, r->meta.mpxn)
AN_SET_TEXT(c_set_path, r->meta.path)
AN_SET_TEXT(c_set_datetime, r->meta.datetime)
AN_SET_TEXT(c_set_device, r->meta.device_id)

static json_t *c_findings(const void *rec)
{
    const capture_analysis *r = rec;
    json_t *findings = json_array();
    for (unsigned bit = 1; findings && bit <= CAPTURE_FIND_ALL_ZERO; bit <<= 1)
        if ((r->findings & bit) && capture_finding_name(bit))
            json_array_append_new(findings, json_string(capture_finding_name(bit)));
    return findings;
}

static json_t *c_warnings(const void *rec)
{
    const capture_meta *m = &((const capture_analysis *)rec)->meta;
    json_t *warnings = json_array();
    for (size_t i = 0; warnings && i < m->n_warnings; i++)
        json_array_append_new(warnings, json_string(m->warnings[i]));
    return warnings;
}

static const json_field capture_fields[] = {
    JF_TEXT("path", c_path, c_set_path),
    JF_TEXT("format", c_format, NULL),
    JF_TEXT("container", c_container, NULL),
    JF_BOOL("complex", c_complex, NULL),
    JF_NUM("sample_rate_hz", c_rate, NULL),
    JF_NUM("center_freq_hz", c_centre, NULL),
    JF_INT("sample_count", c_count),
    JF_NUM("duration_s", c_duration, NULL),
    JF_TEXT_OR_NULL("datetime", c_datetime, c_set_datetime),
    JF_TEXT_OR_NULL("device_id", c_device, c_set_device),
    JF_NUM("clipped_fraction", c_clipped, NULL),
    JF_JSON("findings", c_findings, NULL),
    JF_TEXT_OR_NULL("mpxn", c_mpxn, NULL),
    JF_JSON("warnings", c_warnings, NULL),
};

/* ---- settings -------------------------------------------------------------------------------- */

AN_TEXT(s_window, r->settings.window)
AN_NUM(s_nfft, (double)r->settings.nfft)
AN_NUM(s_overlap, (double)r->settings.overlap)
AN_NUM(s_bin, r->settings.bin_hz)
AN_NUM(s_enbw, r->settings.enbw_hz)
AN_NUM(s_rbw6, r->settings.rbw6_hz)
AN_NUM(s_averages, (double)r->settings.segments)
AN_TEXT(s_detrend, r->settings.detrend_mean ? "mean" : "none")
AN_NUM(s_guard, r->settings.guard_db)
AN_TEXT(s_region, limits_region_name(r->settings.region))
AN_TEXT(s_han, limits_han_name(r->settings.han))
AN_NUM(s_excluded_spans, (double)r->settings.excluded_spans)
AN_NUM(s_excluded_samples, (double)r->settings.excluded_samples)
AN_NUM(s_used, r->settings.used_fraction)
AN_TEXT(s_rule, limits_decision_rule_name(r->decision_rule))
/* What --decision-rule and --uncertainty-db gave, null when not given. */
AN_TEXT(s_rule_given, r->settings.decision.rule == DECISION_FROM_LIMITS
                          ? ""
                          : limits_decision_rule_name(r->settings.decision.rule))
AN_NUM(s_uncertainty_given,
       r->settings.decision.has_uncertainty ? r->settings.decision.uncertainty_db : NAN)
FIELD_SET_NUM_FN(s_set_used, capture_analysis, r->settings.used_fraction)

/* A guard band read back that is not a number >= 0 is none. */
static void s_set_guard(void *rec, double v)
{
    ((capture_analysis *)rec)->settings.guard_db = isfinite(v) && v >= 0 ? v : 0;
}

static void s_set_region(void *rec, const char *text)
{
    ((capture_analysis *)rec)->settings.region =
        strcmp(text, "any") ? limits_region_from_name(text) : 0;
}

static void s_set_han(void *rec, const char *text)
{
    ((capture_analysis *)rec)->settings.han = strcmp(text, "any") ? limits_han_from_name(text) : 0;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* settings.bursts: null without --exclude-bursts, else the finder's settings and each span. */
static json_t *s_bursts(const void *rec)
{
    const capture_analysis *r = rec;
    const analysis_settings *s = &r->settings;
    if (!s->exclude_bursts)
        return json_null();
    double fs = r->meta.sample_rate_hz;
    json_t *spans = json_array();
    for (size_t i = 0; spans && r->bursts && i < s->n_bursts; i++) {
        const excluded_burst *b = &r->bursts[i];
        json_array_append_new(
            spans, json_pack("{s:I, s:I, s:o, s:o, s:o, s:s}", "start_sample",
                             (json_int_t)b->start, "length_samples", (json_int_t)b->length,
                             "start_s", num((double)b->start / fs), "length_s",
                             num((double)b->length / fs), "level_db", num(b->level_db), "band",
                             b->band_id));
    }
    return json_pack("{s:o, s:o, s:o, s:I, s:I, s:o}", "threshold_db",
                     num(s->burst_threshold_db), "min_duration_s", num(s->burst_min_s), "guard_s",
                     num(s->burst_guard_s), "count", (json_int_t)s->n_bursts, "samples",
                     (json_int_t)s->burst_samples, "spans", spans ? spans : json_null());
}

/* --exclude-bursts: settings.bursts is an object (null or absent without). */
static void s_set_bursts(void *rec, const json_t *v)
{
    ((capture_analysis *)rec)->settings.exclude_bursts = json_is_object(v);
}

static const json_field settings_fields[] = {
    JF_TEXT("window", s_window, NULL),
    JF_INT("nfft", s_nfft),
    JF_INT("overlap", s_overlap),
    JF_NUM("bin_hz", s_bin, NULL),
    JF_NUM("rbw_enbw_hz", s_enbw, NULL),
    JF_NUM("rbw_6db_hz", s_rbw6, NULL),
    JF_INT("averages", s_averages),
    JF_TEXT("detrend", s_detrend, NULL),
    JF_NUM("guard_db", s_guard, s_set_guard),
    JF_TEXT("region", s_region, s_set_region),
    JF_TEXT("han", s_han, s_set_han),
    JF_INT("excluded_spans", s_excluded_spans),
    JF_INT("excluded_samples", s_excluded_samples),
    JF_NUM("used_fraction", s_used, s_set_used),
    JF_JSON("bursts", s_bursts, s_set_bursts),
    JF_TEXT("decision_rule", s_rule, NULL),
    JF_TEXT_OR_NULL("decision_rule_given", s_rule_given, NULL),
    JF_NUM("uncertainty_db_given", s_uncertainty_given, NULL),
};

/* ---- limit set ------------------------------------------------------------------------------- */

AN_TEXT(l_id, r->limits_id)
AN_TEXT(l_version, r->limits_version)
AN_TEXT(l_source, r->limits_source)
AN_TEXT(l_path, r->limits_path)
AN_NUM(l_illustrative, r->limits_illustrative)
AN_SET_TEXT(l_set_id, r->limits_id)
AN_SET_TEXT(l_set_version, r->limits_version)

/* Whether the set was in force on the capture's date: null when the date is unknown. */
static json_t *l_in_force(const void *rec)
{
    const capture_analysis *r = rec;
    return r->limits_in_force < 0 ? json_null() : json_boolean(r->limits_in_force);
}

static const json_field limits_fields[] = {
    JF_TEXT("id", l_id, l_set_id),
    JF_TEXT("version", l_version, l_set_version),
    JF_TEXT("source", l_source, NULL),
    JF_TEXT("path", l_path, NULL),
    JF_BOOL("illustrative", l_illustrative, NULL),
    JF_JSON("in_force_on_capture_date", l_in_force, NULL),
};

/* ---- the record ------------------------------------------------------------------------------ */

AN_TEXT(a_calibration, r->calibration_id)
AN_TEXT(a_verdict, analyse_verdict_name(r->verdict))
AN_SET_TEXT(a_set_calibration, r->calibration_id)
#undef AN_TEXT
#undef AN_NUM
#undef AN_SET_TEXT

static json_t *a_capture(const void *rec)
{
    return field_json_record(capture_fields, N_FIELDS(capture_fields), rec);
}

static json_t *a_settings(const void *rec)
{
    return field_json_record(settings_fields, N_FIELDS(settings_fields), rec);
}

static json_t *a_limits(const void *rec)
{
    return field_json_record(limits_fields, N_FIELDS(limits_fields), rec);
}

static json_t *a_bands(const void *rec)
{
    const capture_analysis *r = rec;
    json_t *bands = json_array();
    for (size_t i = 0; bands && i < r->n_bands; i++)
        json_array_append_new(bands, band_json(&r->bands[i]));
    return bands;
}

static void a_set_capture(void *rec, const json_t *v)
{
    field_json_read(capture_fields, N_FIELDS(capture_fields), v, rec);
}

static void a_set_settings(void *rec, const json_t *v)
{
    field_json_read(settings_fields, N_FIELDS(settings_fields), v, rec);
}

static void a_set_limits(void *rec, const json_t *v)
{
    field_json_read(limits_fields, N_FIELDS(limits_fields), v, rec);
}

/* The bands are read apart (records_json_read_analysis): they need memory. */
static const json_field analysis_fields[] = {
    JF_JSON("capture", a_capture, a_set_capture),
    JF_JSON("settings", a_settings, a_set_settings),
    JF_TEXT_OR_NULL("calibration", a_calibration, a_set_calibration),
    JF_JSON("limits", a_limits, a_set_limits),
    JF_JSON("bands", a_bands, NULL),
    JF_TEXT("verdict", a_verdict, NULL),
};

json_t *records_json_analysis(const capture_analysis *r)
{
    return field_json_record(analysis_fields, N_FIELDS(analysis_fields), r);
}

/* analyse --format json writes its numbers at 10 significant digits. */
#define ANALYSE_JSON_FLAGS (JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER)

json_t *records_json_analysis_as_written(const capture_analysis *r)
{
    json_t *full = records_json_analysis(r);
    char *text = full ? json_dumps(full, ANALYSE_JSON_FLAGS) : NULL;
    json_decref(full);
    json_t *written = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return written;
}

int records_json_is_analysis(const json_t *a)
{
    return json_is_array(json_object_get(a, "bands"));
}

const char *records_json_analysis_device_id(const json_t *a)
{
    return json_string_value(json_object_get(json_object_get(a, "capture"), "device_id"));
}

void records_json_set_analysis_path(json_t *a, const char *path)
{
    json_object_set_new(json_object_get(a, "capture"), "path", json_string(path));
}

rfn_status records_json_read_analysis(const json_t *a, capture_analysis *r, rfn_error *err)
{
    memset(r, 0, sizeof *r);
    json_t *bands = json_object_get(a, "bands");
    if (!json_is_object(json_object_get(a, "capture")) ||
        !json_is_object(json_object_get(a, "limits")) || !json_is_array(bands))
        return rfn_error_set(err, RFN_ERR_FORMAT, "not an rfnoise analyse result");
    field_json_read(analysis_fields, N_FIELDS(analysis_fields), a, r);
    size_t n = json_array_size(bands);
    r->bands = calloc(n ? n : 1, sizeof *r->bands);
    if (!r->bands)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    r->n_bands = n;
    for (size_t i = 0; i < n; i++) {
        band_verdict *v = &r->bands[i];
        v->m.uncertainty_db = v->uncertainty_db = NAN; /* a record from before uncertainties */
        field_json_read(band_fields, N_FIELDS(band_fields), json_array_get(bands, i), v);
    }
    return RFN_OK;
}

/* ---- captures.jsonl -------------------------------------------------------------------------- */

#define LINE_TEXT(fn, expr) FIELD_TEXT_FN(fn, capture_line, (expr) ? (expr) : "")
LINE_TEXT(ln_path, r->path)
LINE_TEXT(ln_sha256, r->sha256)
LINE_TEXT(ln_settings_sha256, r->settings_sha256)
LINE_TEXT(ln_device, r->device_id)
LINE_TEXT(ln_captured_at, r->captured_at)
LINE_TEXT(ln_error, r->error)
LINE_TEXT(ln_model, r->measured_model)
LINE_TEXT(ln_firmware, r->measured_firmware)
#undef LINE_TEXT
static double ln_format_version(const void *rec)
{
    (void)rec;
    return 1;
}

FIELD_NUM_FN(ln_index, capture_line, (double)r->index)

static json_t *ln_analysis(const void *rec)
{
    const capture_line *l = rec;
    return l->analysis ? json_incref(l->analysis) : json_null();
}

static const json_field line_fields[] = {
    JF_INT("format_version", ln_format_version),
    JF_INT("index", ln_index),
    JF_TEXT("path", ln_path, NULL),
    JF_TEXT_OR_NULL("sha256", ln_sha256, NULL),
    JF_TEXT("settings_sha256", ln_settings_sha256, NULL),
    JF_TEXT_OR_NULL("device_id", ln_device, NULL),
    JF_TEXT_OR_NULL("captured_at", ln_captured_at, NULL),
    JF_TEXT_OR_NULL("error", ln_error, NULL),
    JF_JSON("analysis", ln_analysis, NULL),
};

/* Only when the manifest says what the capture measured: a line without them measured the
 * device as the register shows it when first judged (validate's measured_this_device). */
static const json_field line_measured_fields[] = {
    JF_TEXT("measured_model", ln_model, NULL),
    JF_TEXT("measured_firmware", ln_firmware, NULL),
};

json_t *records_json_capture_line(const capture_line *l)
{
    json_t *o = field_json_record(line_fields, N_FIELDS(line_fields), l);
    if (o && l->measured_model && l->measured_model[0]) {
        json_t *m = field_json_record(line_measured_fields, N_FIELDS(line_measured_fields), l);
        if (!m || json_object_update(o, m)) {
            json_decref(o);
            o = NULL;
        }
        json_decref(m);
    }
    return o;
}

/* ---- analyse's JSON document ----------------------------------------------------------------- */

rfn_status analyse_write_json(FILE *fp, const capture_analysis *res, size_t n, rfn_error *err)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, records_json_analysis(&res[i]));
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        int rank = res[i].verdict == VERDICT_FAIL ? 2 : res[i].verdict == VERDICT_INCONCLUSIVE;
        worst = rank > worst ? rank : worst;
    }
    json_t *root = json_pack("{s:s, s:i, s:o, s:s}", "rfnoise", "analyse", "format_version", 1,
                             "captures", arr, "verdict",
                             worst == 2 ? "fail" : worst == 1 ? "inconclusive" : "pass");
    if (!root)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory building JSON");
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | ANALYSE_JSON_FLAGS);
    fputc('\n', fp);
    json_decref(root);
    if (rc)
        return rfn_error_set(err, RFN_ERR_IO, "cannot write JSON");
    return RFN_OK;
}
