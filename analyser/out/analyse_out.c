/* SPDX-License-Identifier: GPL-2.0-or-later */
/* analyse_out.c: the text and CSV forms of capture analyses (records in, text out; nothing here
 * measures). The JSON form is records_json.c's, beside its reader. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyse.h"
#include "capture.h"
#include "csv_util.h"
#include "field_table.h"
#include "limits.h"
#include "text_escape.h"

/* Reasons as "a;b;c" (CSV, text) into buf. */
static void reasons_text(unsigned reasons, const char *sep, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (unsigned bit = 1; bit; bit <<= 1) {
        const char *n = (reasons & bit) ? analyse_reason_name(bit) : NULL;
        if (!n)
            continue;
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", l ? sep : "", n);
    }
}

static void findings_text(const capture_analysis *r, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (unsigned bit = 1; bit && bit <= CAPTURE_FIND_ALL_ZERO; bit <<= 1) {
        const char *n = (r->findings & bit) ? capture_finding_name(bit) : NULL;
        if (!n)
            continue;
        size_t l = strlen(buf);
        snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", n);
    }
    if (!buf[0])
        snprintf(buf, cap, "none");
}

/* A level for the text table: "-inf" for silence, "-" when not measured. */
static void level_text(double v, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else if (isinf(v))
        snprintf(buf, cap, "%s", v < 0 ? "-inf" : "inf");
    else
        snprintf(buf, cap, "%.2f", v);
}

/* ---- text ------------------------------------------------------------------------------------ */

/* Text lines shown for the bursts left out; JSON lists them all. */
#define TEXT_BURSTS_MAX 20

/* The bursts left out (--exclude-bursts) and how much of the capture the spectrum used. */
static void bursts_text(FILE *fp, const capture_analysis *r)
{
    const analysis_settings *s = &r->settings;
    const capture_meta *m = &r->meta;
    if (s->exclude_bursts) {
        fprintf(fp, "bursts     %zu found against each band's floor (%.3g dB over it for %.3g ms "
                    "or more, guard %.3g ms): %llu samples (%.2f %%), left out\n",
                s->n_bursts, s->burst_threshold_db, 1e3 * s->burst_min_s, 1e3 * s->burst_guard_s,
                (unsigned long long)s->burst_samples,
                m->sample_count > 0
                    ? 100.0 * (double)s->burst_samples / (double)m->sample_count
                    : 0.0);
        for (size_t i = 0; r->bursts && i < s->n_bursts && i < TEXT_BURSTS_MAX; i++) {
            const excluded_burst *b = &r->bursts[i];
            fprintf(fp, "  burst    start %.6f s (sample %llu), length %.3f ms, %.1f dB over the "
                        "floor in %s\n",
                    (double)b->start / m->sample_rate_hz, (unsigned long long)b->start,
                    1e3 * (double)b->length / m->sample_rate_hz, b->level_db,
                    text_esc(b->band_id));
        }
        if (r->bursts && s->n_bursts > TEXT_BURSTS_MAX)
            fprintf(fp, "  burst    %zu more (all in the JSON output)\n",
                    s->n_bursts - TEXT_BURSTS_MAX);
    }
    if (s->exclude_bursts || s->excluded_spans)
        fprintf(fp, "used       %.2f %% of the capture\n", 100.0 * s->used_fraction);
}

/* Each band's own floor in the capture (information, not used for the verdict): the median and
 * the ITU-R SM.1753 20 % method over the band's bins, in its measured unit. */
static void floors_text(FILE *fp, const capture_analysis *r)
{
    fprintf(fp, "\nfloor      %-16s %12s %12s  %s\n", "band", "median", "20 %",
            "(this capture's own floor per band, in its measured unit: median and ITU-R "
            "SM.1753 20 % method of its bins)");
    for (size_t i = 0; i < r->n_bands; i++) {
        const band_verdict *v = &r->bands[i];
        if (v->verdict == VERDICT_NOT_APPLICABLE)
            continue;
        char med[32], f20[32], mu[32];
        level_text(v->m.capture_floor_median, med, sizeof med);
        level_text(v->m.capture_floor, f20, sizeof f20);
        limits_unit_name_text(v->m.measured_unit, v->ref_bw_hz, mu, sizeof mu);
        fprintf(fp, "floor      %-16s %12s %12s  %s\n", text_esc(v->band_id), med, f20, mu);
    }
}

/* The decision line: what was asked, the rule in force (README "Decision rules") and, where an
 * uncertainty was given to it, each judged band's U. */
static void decision_text(FILE *fp, const capture_analysis *r)
{
    const analysis_settings *s = &r->settings;
    fprintf(fp, "decision   region %s, HAN variant %s, guard band %.2f dB, rule %s%s\n",
            limits_region_name(s->region), limits_han_name(s->han), s->guard_db,
            limits_decision_rule_name(r->decision_rule),
            s->decision.rule == DECISION_FROM_LIMITS ? " (the limit set's)" : " (--decision-rule)");
    int any = 0;
    for (size_t i = 0; i < r->n_bands; i++) {
        const band_verdict *v = &r->bands[i];
        if (v->verdict == VERDICT_NOT_APPLICABLE || isnan(v->uncertainty_db))
            continue;
        fprintf(fp, "%s %s %.2f dB", any ? "," : "  U (k=2)", text_esc(v->band_id),
                v->uncertainty_db);
        any = 1;
    }
    if (any)
        fprintf(fp, " (%s)\n", s->decision.has_uncertainty ? "--uncertainty-db" : "calibration");
    fputc('\n', fp);
}

void analyse_write_text(FILE *fp, const capture_analysis *res, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        const capture_analysis *r = &res[c];
        const capture_meta *m = &r->meta;
        const analysis_settings *s = &r->settings;
        char buf[512];
        if (c)
            fputc('\n', fp);
        fprintf(fp, "capture    %s\n", text_esc(m->path));
        fprintf(fp, "  format   %s (%s), %s, %.0f S/s (%s)", m->format, m->container,
                m->is_complex ? "complex" : "real", m->sample_rate_hz,
                capture_source_name(m->src_sample_rate));
        if (isfinite(m->center_freq_hz))
            fprintf(fp, ", centre %.6f MHz (%s)\n", m->center_freq_hz / 1e6,
                    capture_source_name(m->src_center_freq));
        else
            fprintf(fp, ", centre unknown (frequencies are offsets)\n");
        fprintf(fp, "  samples  %lld (%.3f s), time %s\n", (long long)m->sample_count,
                m->duration_s, m->datetime[0] ? text_esc(m->datetime) : "unknown");
        if (m->device_id[0])
            fprintf(fp, "  device   %s\n", text_esc(m->device_id));
        findings_text(r, buf, sizeof buf);
        fprintf(fp, "  findings %s (clipped %.4f %% of samples)\n", buf,
                100.0 * r->stats.clipped_fraction);
        for (size_t i = 0; i < m->n_warnings; i++)
            fprintf(fp, "  warning  %s\n", m->warnings[i]);
        if (m->n_warnings_dropped)
            fprintf(fp, "  warning  %zu more\n", m->n_warnings_dropped);
        fprintf(fp, "calibration %s\n",
                r->calibration_id[0] ? text_esc(r->calibration_id) : "none (levels in dBFS)");
        fprintf(fp,
                "analysis   window %s, nfft %zu, overlap %zu, RBW %.6g Hz (ENBW; 6 dB %.6g Hz), "
                "bin %.6g Hz, %llu averages, detrend %s\n",
                s->window, s->nfft, s->overlap, s->enbw_hz, s->rbw6_hz, s->bin_hz,
                (unsigned long long)s->segments, s->detrend_mean ? "mean" : "none");
        /* The bursts never overlap an annotation left out (analyse.c find_bursts): the rest of
         * the samples left out are the annotations'. */
        uint64_t ann = s->excluded_samples > s->burst_samples
                           ? s->excluded_samples - s->burst_samples
                           : 0;
        if (s->excluded_spans)
            fprintf(fp, "excluded   %zu annotated span(s) (the hub's own bursts): %llu samples, "
                        "%.2f %% of the capture, left out of the spectrum and detectors\n",
                    s->excluded_spans, (unsigned long long)ann,
                    m->sample_count > 0 ? 100.0 * (double)ann / (double)m->sample_count : 0.0);
        bursts_text(fp, r);
        fprintf(fp, "limits     %s version %s%s%s\n", text_esc(r->limits_id),
                text_esc(r->limits_version),
                r->limits_illustrative ? " (ILLUSTRATIVE VALUES, not the limits in force)" : "",
                r->limits_in_force == 0 ? " (NOT valid on the capture's date)" : "");
        fprintf(fp, "  source   %s\n", text_esc(r->limits_source));
        decision_text(fp, r);
        fprintf(fp, "%-16s %-14s %-6s %10s %-12s %10s %-12s %8s %12s  %-14s %s\n", "band",
                "quantity", "trace", "measured", "unit", "limit", "unit", "margin",
                "worst MHz", "verdict", "reasons");
        for (size_t i = 0; i < r->n_bands; i++) {
            const band_verdict *v = &r->bands[i];
            char meas[32], lim[32], mar[32], wf[32], why[256], mu[32], lu[32];
            limits_unit_name_text(v->m.measured_unit, v->ref_bw_hz, mu, sizeof mu);
            limits_unit_name_text(v->unit, v->ref_bw_hz, lu, sizeof lu);
            level_text(v->m.measured, meas, sizeof meas);
            level_text(v->limit, lim, sizeof lim);
            level_text(v->margin_db, mar, sizeof mar);
            if (isfinite(v->m.worst_freq_hz))
                snprintf(wf, sizeof wf, "%.6f", v->m.worst_freq_hz / 1e6);
            else
                snprintf(wf, sizeof wf, "-");
            reasons_text(v->reasons, ",", why, sizeof why);
            fprintf(fp, "%-16s %-14s %-6s %10s %-12s %10s %-12s %8s %12s  %-14s %s\n",
                    text_esc(v->band_id), v->quantity, v->trace, meas, mu, lim, lu, mar, wf,
                    analyse_verdict_name(v->verdict), why[0] ? why : "-");
        }
        floors_text(fp, r);
        fprintf(fp, "\nverdict    %s\n", analyse_verdict_name(r->verdict));
    }
}

/* ---- CSV ------------------------------------------------------------------------------------- */

/* One row of the CSV: a band of a capture, with its texts made once. */
typedef struct band_row {
    const capture_analysis *r;
    const band_verdict *v;
    char why[256], measured_unit[32], unit[32];
} band_row;

#define BAND_TEXT(fn, expr) FIELD_TEXT_FN(fn, band_row, expr)
#define BAND_NUM(fn, expr) FIELD_NUM_FN(fn, band_row, expr)
BAND_TEXT(bc_capture, r->r->meta.path)
BAND_TEXT(bc_device, r->r->meta.device_id)
BAND_TEXT(bc_datetime, r->r->meta.datetime)
BAND_TEXT(bc_calibration, r->r->calibration_id)
BAND_TEXT(bc_limit_set, r->r->limits_id)
BAND_TEXT(bc_limit_version, r->r->limits_version)
BAND_TEXT(bc_band, r->v->band_id)
BAND_TEXT(bc_label, r->v->label)
BAND_NUM(bc_f_lo, r->v->f_lo_hz)
BAND_NUM(bc_f_hi, r->v->f_hi_hz)
BAND_TEXT(bc_quantity, r->v->quantity)
BAND_TEXT(bc_trace, r->v->trace)
BAND_NUM(bc_measured, r->v->m.measured)
BAND_TEXT(bc_measured_unit, r->measured_unit)
BAND_NUM(bc_limit, r->v->limit)
BAND_TEXT(bc_unit, r->unit)
BAND_NUM(bc_margin, r->v->margin_db)
BAND_NUM(bc_worst_freq, r->v->m.worst_freq_hz)
BAND_TEXT(bc_method, r->v->m.method)
BAND_TEXT(bc_verdict, analyse_verdict_name(r->v->verdict))
BAND_TEXT(bc_reasons, r->why)
BAND_TEXT(bc_capture_verdict, analyse_verdict_name(r->r->verdict))
BAND_TEXT(bc_rule, limits_decision_rule_name(r->v->rule))
BAND_NUM(bc_uncertainty, r->v->uncertainty_db)
#undef BAND_TEXT
#undef BAND_NUM

static const record_field band_cols[] = {
    {"capture", FIELD_TEXT, bc_capture, NULL, 0},
    {"device_id", FIELD_TEXT, bc_device, NULL, 0},
    {"datetime", FIELD_TEXT, bc_datetime, NULL, 0},
    {"calibration_id", FIELD_TEXT, bc_calibration, NULL, 0},
    {"limit_set", FIELD_TEXT, bc_limit_set, NULL, 0},
    {"limit_version", FIELD_TEXT, bc_limit_version, NULL, 0},
    {"band", FIELD_TEXT, bc_band, NULL, 0},
    {"label", FIELD_TEXT, bc_label, NULL, 0},
    {"f_lo_hz", FIELD_NUM, NULL, bc_f_lo, -1},
    {"f_hi_hz", FIELD_NUM, NULL, bc_f_hi, -1},
    {"quantity", FIELD_TEXT, bc_quantity, NULL, 0},
    {"trace", FIELD_TEXT, bc_trace, NULL, 0},
    {"measured", FIELD_NUM, NULL, bc_measured, 3},
    {"measured_unit", FIELD_TEXT, bc_measured_unit, NULL, 0},
    {"limit", FIELD_NUM, NULL, bc_limit, 3},
    {"unit", FIELD_TEXT, bc_unit, NULL, 0},
    {"margin_db", FIELD_NUM, NULL, bc_margin, 3},
    {"worst_freq_hz", FIELD_NUM, NULL, bc_worst_freq, -1},
    {"method", FIELD_TEXT, bc_method, NULL, 0},
    {"verdict", FIELD_TEXT, bc_verdict, NULL, 0},
    {"reasons", FIELD_TEXT, bc_reasons, NULL, 0},
    {"capture_verdict", FIELD_TEXT, bc_capture_verdict, NULL, 0},
    {"decision_rule", FIELD_TEXT, bc_rule, NULL, 0},
    {"uncertainty_db", FIELD_NUM, NULL, bc_uncertainty, 3},
};
enum { N_BAND_COLS = sizeof band_cols / sizeof *band_cols };

void analyse_write_csv(FILE *fp, const capture_analysis *res, size_t n)
{
    field_csv_header(fp, band_cols, N_BAND_COLS);
    for (size_t c = 0; c < n; c++)
        for (size_t i = 0; i < res[c].n_bands; i++) {
            band_row b = {.r = &res[c], .v = &res[c].bands[i]};
            reasons_text(b.v->reasons, ";", b.why, sizeof b.why);
            limits_unit_name_text(b.v->m.measured_unit, b.v->ref_bw_hz, b.measured_unit,
                                  sizeof b.measured_unit);
            limits_unit_name_text(b.v->unit, b.v->ref_bw_hz, b.unit, sizeof b.unit);
            field_csv_row(fp, band_cols, N_BAND_COLS, &b);
        }
}
