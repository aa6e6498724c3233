/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_info.c: `rfnoise info`: each capture's metadata, where every value came from, and the
 * validation findings of one full read (clipping, NaN/Inf, truncation, DC, I/Q imbalance). */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cli.h"
#include "cli_opts.h"
#include "cli_report.h"
#include "commands.h"
#include "field_table.h"
#include "progress.h"

#define READ_FRAMES 65536

static void info_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: rfnoise info [options] CAPTURE...\n"
            "\n"
            "Read each capture to its end and print its metadata, where each value came from\n"
            "(sigmf, header, wav-auxi, filename, command-line), and the validation findings.\n"
            "A capture is a SigMF pair (either file) or .sigmf archive, a WAV/RF64/W64/FLAC/CAF\n"
            "file, or a raw file (.cu8 .cs8 .cs16 .cf32 .cfile ..., or FORMAT:path).\n"
            "\n"
            "Options:\n"
            "  --rate HZ           sample rate (wins over the capture's metadata and name)\n"
            "  --center HZ         centre frequency (wins over its metadata and name)\n"
            "  --datatype T        sample type of a raw file: cu8 cs8 cs16 cf32 cf64 ci32 or a\n"
            "                      SigMF datatype (ci16_be, ...)\n"
            "  --recording NAME    the recording of a .sigmf archive holding several\n"
            "  --channel N         channel to read from a multi-channel capture (default 0)\n"
            "  --verify            check the SigMF core:sha512 of the data\n"
            "  --allow-truncated   read the whole frames of a truncated file (a finding)\n"
            "  --format F          text (default) or json: one JSON object per capture per line\n"
            "  --json              the same as --format json\n"
            "  --quiet             no progress display\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 every capture read, 2 usage error or a capture that cannot be read.\n");
}

/* A number, or null when it is not finite (an all-zero capture has a power of -inf dBFS). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static double power_dbfs(double p)
{
    return p > 0 ? 10.0 * log10(p) : -INFINITY;
}

FIELD_TEXT_FN(m_recording, capture_meta, r->recording)
FIELD_TEXT_FN(m_container, capture_meta, r->container)
FIELD_TEXT_FN(m_format, capture_meta, r->format)
FIELD_NUM_FN(m_is_complex, capture_meta, r->is_complex)
FIELD_NUM_FN(m_channels, capture_meta, r->channels)
FIELD_NUM_FN(m_rate, capture_meta, r->sample_rate_hz)
FIELD_NUM_FN(m_center, capture_meta, r->center_freq_hz)
FIELD_NUM_FN(m_count, capture_meta, (double)r->sample_count)
FIELD_NUM_FN(m_duration, capture_meta, r->duration_s)
FIELD_TEXT_FN(m_datetime, capture_meta, r->datetime)
FIELD_NUM_FN(m_datetime_local, capture_meta, r->datetime_is_local)
FIELD_NUM_FN(m_bandwidth, capture_meta, r->bandwidth_hz)
FIELD_TEXT_FN(m_device_id, capture_meta, r->device_id)
FIELD_TEXT_FN(m_mpxn, capture_meta, r->mpxn)
FIELD_TEXT_FN(m_calibration_id, capture_meta, r->calibration_id)
FIELD_TEXT_FN(m_engineer, capture_meta, r->engineer)
FIELD_TEXT_FN(m_site, capture_meta, r->site)
FIELD_TEXT_FN(m_hw, capture_meta, r->hw)
FIELD_TEXT_FN(m_recorder, capture_meta, r->recorder)

/* The metadata after path and data_path (written by hand: a file name need not be UTF-8, and
 * jansson refuses it; that key is then left out, not the whole line). */
static const record_field meta_fields[] = {
    {"recording", FIELD_TEXT_OR_NULL, m_recording, NULL, 0},
    {"container", FIELD_TEXT, m_container, NULL, 0},
    {"format", FIELD_TEXT, m_format, NULL, 0},
    {"is_complex", FIELD_BOOL, NULL, m_is_complex, 0},
    {"channels", FIELD_INT, NULL, m_channels, 0},
    {"sample_rate_hz", FIELD_NUM, NULL, m_rate, -1},
    {"center_freq_hz", FIELD_NUM, NULL, m_center, -1},
    {"sample_count", FIELD_INT, NULL, m_count, 0},
    {"duration_s", FIELD_NUM, NULL, m_duration, -1},
    {"datetime", FIELD_TEXT_OR_NULL, m_datetime, NULL, 0},
    {"datetime_is_local", FIELD_BOOL, NULL, m_datetime_local, 0},
    {"bandwidth_hz", FIELD_NUM, NULL, m_bandwidth, -1},
    {"device_id", FIELD_TEXT_OR_NULL, m_device_id, NULL, 0},
    {"mpxn", FIELD_TEXT_OR_NULL, m_mpxn, NULL, 0},
    {"calibration_id", FIELD_TEXT_OR_NULL, m_calibration_id, NULL, 0},
    {"engineer", FIELD_TEXT_OR_NULL, m_engineer, NULL, 0},
    {"site", FIELD_TEXT_OR_NULL, m_site, NULL, 0},
    {"hw", FIELD_TEXT_OR_NULL, m_hw, NULL, 0},
    {"recorder", FIELD_TEXT_OR_NULL, m_recorder, NULL, 0},
};

FIELD_NUM_FN(m_latitude, capture_meta, r->latitude_deg)
FIELD_NUM_FN(m_longitude, capture_meta, r->longitude_deg)
FIELD_NUM_FN(m_altitude, capture_meta, r->altitude_m)

/* Only when the capture says where it was made (latitude known). */
static const record_field location_fields[] = {
    {"latitude_deg", FIELD_NUM, NULL, m_latitude, -1},
    {"longitude_deg", FIELD_NUM, NULL, m_longitude, -1},
    {"altitude_m", FIELD_NUM, NULL, m_altitude, -1},
};

FIELD_NUM_FN(s_read, capture_stats, (double)r->samples_read)
FIELD_NUM_FN(s_clipped, capture_stats, r->clipped_fraction)
FIELD_NUM_FN(s_nonfinite, capture_stats, (double)r->nonfinite_count)
FIELD_NUM_FN(s_zero, capture_stats,
             r->samples_read ? (double)r->zero_samples / (double)r->samples_read : 0.0)
FIELD_NUM_FN(s_dc_i, capture_stats, r->dc_i)
FIELD_NUM_FN(s_dc_q, capture_stats, r->dc_q)
FIELD_NUM_FN(s_gain_imb, capture_stats, r->iq_gain_imbalance_db)
FIELD_NUM_FN(s_phase_imb, capture_stats, r->iq_phase_imbalance_deg)
FIELD_NUM_FN(s_power, capture_stats, power_dbfs(r->mean_power))
FIELD_NUM_FN(s_peak, capture_stats, r->peak_abs)
FIELD_NUM_FN(s_truncated, capture_stats, (double)r->truncated_bytes)

/* What the full read found. */
static const record_field stats_fields[] = {
    {"samples_read", FIELD_INT, NULL, s_read, 0},
    {"clipped_fraction", FIELD_NUM, NULL, s_clipped, -1},
    {"nonfinite_count", FIELD_INT, NULL, s_nonfinite, 0},
    {"zero_fraction", FIELD_NUM, NULL, s_zero, -1},
    {"dc_i", FIELD_NUM, NULL, s_dc_i, -1},
    {"dc_q", FIELD_NUM, NULL, s_dc_q, -1},
    {"iq_gain_imbalance_db", FIELD_NUM, NULL, s_gain_imb, -1},
    {"iq_phase_imbalance_deg", FIELD_NUM, NULL, s_phase_imb, -1},
    {"mean_power_dbfs", FIELD_NUM, NULL, s_power, -1},
    {"peak_abs", FIELD_NUM, NULL, s_peak, -1},
    {"truncated_bytes", FIELD_INT, NULL, s_truncated, 0},
};

FIELD_TEXT_FN(src_format, capture_meta, capture_source_name(r->src_format))
FIELD_TEXT_FN(src_rate, capture_meta, capture_source_name(r->src_sample_rate))
FIELD_TEXT_FN(src_center, capture_meta, capture_source_name(r->src_center_freq))
FIELD_TEXT_FN(src_datetime, capture_meta, capture_source_name(r->src_datetime))
FIELD_TEXT_FN(src_device, capture_meta, capture_source_name(r->src_device))

/* "sources": where each value came from. */
static const record_field source_fields[] = {
    {"format", FIELD_TEXT, src_format, NULL, 0},
    {"sample_rate", FIELD_TEXT, src_rate, NULL, 0},
    {"center_freq", FIELD_TEXT, src_center, NULL, 0},
    {"datetime", FIELD_TEXT, src_datetime, NULL, 0},
    {"device", FIELD_TEXT, src_device, NULL, 0},
};

#define N_FIELDS(t) (sizeof(t) / sizeof *(t))

/* Add the n fields of t (record rec) to o, in table order. -1 when out of memory. */
static int set_fields(json_t *o, const record_field *t, size_t n, const void *rec)
{
    return json_object_update_new(o, field_json_object(t, n, rec));
}

/* The flat fields through their tables; the findings, warnings, segments and annotations are
 * arrays (a segment's sample_start may pass 2^53, which a table's number would round). */
static int print_json(const capture_meta *m, const capture_stats *s, unsigned findings)
{
    json_t *o = json_object(), *fl = json_array(), *wl = json_array(), *al = json_array(),
           *sl = json_array();
    if (!o || !fl || !wl || !al || !sl) {
        json_decref(o), json_decref(fl), json_decref(wl), json_decref(al), json_decref(sl);
        return -1;
    }
    json_object_set_new(o, "rfnoise", json_string("info"));
    json_object_set_new(o, "format_version", json_integer(CLI_JSON_FORMAT_VERSION));
    json_object_set_new(o, "path", json_string(m->path));
    json_object_set_new(o, "data_path", json_string(m->data_path));
    json_t *src = field_json_object(source_fields, N_FIELDS(source_fields), m);
    if (set_fields(o, meta_fields, N_FIELDS(meta_fields), m) ||
        (isfinite(m->latitude_deg) &&
         set_fields(o, location_fields, N_FIELDS(location_fields), m)) ||
        set_fields(o, stats_fields, N_FIELDS(stats_fields), s) || !src) {
        json_decref(o), json_decref(src), json_decref(fl), json_decref(wl), json_decref(al);
        json_decref(sl);
        return -1;
    }
    json_object_set_new(o, "sources", src);
    for (unsigned bit = 1; bit; bit <<= 1)
        if ((findings & bit) && capture_finding_name(bit))
            json_array_append_new(fl, json_string(capture_finding_name(bit)));
    json_object_set_new(o, "findings", fl);
    for (size_t i = 0; i < m->n_warnings; i++)
        json_array_append_new(wl, json_string(m->warnings[i]));
    json_object_set_new(o, "warnings", wl);
    for (size_t i = 0; i < m->n_segments; i++) {
        const capture_segment *g = &m->segments[i];
        json_array_append_new(sl, json_pack("{s:I, s:o, s:o}", "sample_start",
                                            (json_int_t)g->sample_start, "center_freq_hz",
                                            num(g->center_freq_hz), "datetime",
                                            text_or_null(g->datetime)));
    }
    json_object_set_new(o, "segments", sl);
    for (size_t i = 0; i < m->n_annotations; i++) {
        const capture_annotation *a = &m->annotations[i];
        json_array_append_new(
            al, json_pack("{s:I, s:I, s:o, s:o, s:s}", "sample_start", (json_int_t)a->sample_start,
                          "sample_count", (json_int_t)a->sample_count, "freq_lo_hz",
                          num(a->freq_lo_hz), "freq_hi_hz", num(a->freq_hi_hz), "label", a->label));
    }
    json_object_set_new(o, "annotations", al);
    char *line = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(o);
    if (!line) return -1;
    puts(line);
    free(line);
    return 0;
}

static void print_hz(const char *label, double v, capture_source src)
{
    if (isnan(v))
        printf("%-18s unknown\n", label);
    else
        printf("%-18s %.10g Hz (%s)\n", label, v, capture_source_name(src));
}

static void print_text(const capture_meta *m, const capture_stats *s, unsigned findings)
{
    printf("%-18s %s\n", "path:", text_esc(m->path));
    if (strcmp(m->path, m->data_path) != 0) printf("%-18s %s\n", "data:", text_esc(m->data_path));
    if (m->recording[0]) printf("%-18s %s\n", "recording:", text_esc(m->recording));
    printf("%-18s %s, %s (%s, %d-bit %s) (%s)\n", "format:", m->container, m->format,
           m->is_complex ? "complex I/Q" : "real", m->bits, m->is_float ? "float" : "integer",
           capture_source_name(m->src_format));
    if (m->channels > 1)
        printf("%-18s %d (%s)\n", "channels:", m->channels,
               m->is_complex ? "complex" : "real, not I/Q");
    print_hz("sample rate:", m->sample_rate_hz, m->src_sample_rate);
    print_hz("centre frequency:", m->center_freq_hz, m->src_center_freq);
    if (isfinite(m->bandwidth_hz))
        printf("%-18s %.10g Hz (filename)\n", "bandwidth:", m->bandwidth_hz);
    if (m->datetime[0])
        printf("%-18s %s (%s%s)\n", "start time:", text_esc(m->datetime),
               capture_source_name(m->src_datetime),
               m->datetime_is_local ? ", local time of the recording computer, zone unknown" : "");
    else
        printf("%-18s unknown\n", "start time:");
    printf("%-18s %lld\n", "samples:", (long long)m->sample_count);
    printf("%-18s %.6f s\n", "duration:", m->duration_s);
    const struct {
        const char *label, *value;
    } texts[] = {
        {"device id:", m->device_id}, {"mpxn:", m->mpxn}, {"calibration id:", m->calibration_id},
        {"engineer:", m->engineer},   {"site:", m->site}, {"hardware:", m->hw},
        {"recorder:", m->recorder}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].value[0]) printf("%-18s %s\n", texts[i].label, text_esc(texts[i].value));
    if (isfinite(m->latitude_deg))
        printf("%-18s %.6f, %.6f\n", "location:", m->latitude_deg, m->longitude_deg);
    if (m->n_segments > 1) printf("%-18s %zu\n", "segments:", m->n_segments);
    for (size_t i = 0; i < m->n_annotations; i++) {
        const capture_annotation *a = &m->annotations[i];
        printf("%-18s samples %lld+%lld%s%s\n", i ? "" : "annotations:", (long long)a->sample_start,
               (long long)a->sample_count, a->label[0] ? " " : "", text_esc(a->label));
    }
    printf("%-18s %.4f %% of samples at or within one code of full scale\n",
           "clipped:", 100.0 * s->clipped_fraction);
    printf("%-18s %lld\n", "NaN/Inf:", (long long)s->nonfinite_count);
    printf("%-18s %.2f %%\n", "exact zeros:",
           s->samples_read ? 100.0 * (double)s->zero_samples / (double)s->samples_read : 0.0);
    if (m->is_complex)
        printf("%-18s I %+.6f  Q %+.6f (full scale 1)\n", "DC offset:", s->dc_i, s->dc_q);
    else
        printf("%-18s %+.6f (full scale 1)\n", "DC offset:", s->dc_i);
    if (m->is_complex && isfinite(s->iq_gain_imbalance_db))
        printf("%-18s gain %+.3f dB, phase %+.3f deg\n", "I/Q imbalance:", s->iq_gain_imbalance_db,
               s->iq_phase_imbalance_deg);
    double p = power_dbfs(s->mean_power);
    if (isfinite(p))
        printf("%-18s %.2f dBFS (peak component %.4f)\n", "mean power:", p, s->peak_abs);
    else if (s->samples_read > 0 && s->zero_samples == s->samples_read)
        printf("%-18s none (every sample is zero)\n", "mean power:");
    else
        printf("%-18s beyond range (peak component %.4g: float samples not scaled to full "
               "scale 1)\n", "mean power:", s->peak_abs);
    if (s->truncated_bytes)
        printf("%-18s %lld trailing bytes ignored\n", "truncated:", (long long)s->truncated_bytes);
    printf("%-18s", "findings:");
    if (!findings) printf(" none");
    for (unsigned bit = 1; bit; bit <<= 1)
        if ((findings & bit) && capture_finding_name(bit)) printf(" %s", capture_finding_name(bit));
    printf("\n");
    for (size_t i = 0; i < m->n_warnings; i++)
        printf("%-18s %s\n", "warning:", text_esc(m->warnings[i]));
    if (m->n_warnings_dropped) printf("%-18s %zu more\n", "warning:", m->n_warnings_dropped);
}

static int info_one(const char *path, const capture_options *opt, int json, int quiet,
                    float complex *buf)
{
    rfn_error err = {0};
    capture *c = NULL;
    if (capture_open(path, opt, &c, &err)) {
        cli_error("info", &err);
        return -1;
    }
    const capture_meta *m = capture_get_meta(c);
    char what[128];
    snprintf(what, sizeof what, "reading %.100s", path);
    progress *pr = progress_create_samples(what, (uint64_t)m->sample_count, quiet);
    size_t got;
    rfn_status st;
    uint64_t done = 0;
    while ((st = capture_read(c, buf, READ_FRAMES, &got, &err)) == RFN_OK) {
        done += got;
        progress_update(pr, done);
    }
    progress_destroy(pr);
    if (st != RFN_ERR_EOF) {
        cli_error("info", &err);
        capture_close(c);
        return -1;
    }
    const capture_stats *s = capture_get_stats(c);
    unsigned findings = capture_findings(m, s);
    int rc = 0;
    if (json)
        rc = print_json(m, s, findings);
    else
        print_text(m, s, findings);
    capture_close(c);
    if (rc) {
        cli_errorf("info", "%s: out of memory", path);
        return -1;
    }
    return 0;
}

/* A .sigmf archive of several recordings, without --recording: list them, then each one. */
static int info_path(const char *path, const capture_options *opt, int json, int quiet,
                     float complex *buf)
{
    enum { MAX_LISTED = 64 };
    static char names[MAX_LISTED][CAPTURE_TEXT_MAX];
    size_t n = 0, len = strlen(path);
    rfn_error err = {0};
    if (opt->recording || len < 6 || strcmp(path + len - 6, ".sigmf") != 0 ||
        capture_archive_recordings(path, names, MAX_LISTED, &n, &err) != RFN_OK || n < 2)
        return info_one(path, opt, json, quiet, buf); /* errors are info_one's to report */
    if (!json) {
        printf("%-18s %s: a SigMF archive of %zu recordings:", "archive:", path, n);
        for (size_t i = 0; i < n && i < MAX_LISTED; i++)
            printf("%s %s", i ? "," : "", names[i]);
        printf("%s\n\n", n > MAX_LISTED ? ", ..." : "");
    }
    int failed = 0;
    for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
        capture_options one = *opt;
        one.recording = names[i];
        if (info_one(path, &one, json, quiet, buf))
            failed = 1;
        else if (!json && i + 1 < n)
            printf("\n");
    }
    return failed ? -1 : 0;
}

int cmd_info(int argc, char **argv)
{
    enum { O_VERIFY = 256, O_JSON, O_FORMAT };
    static const struct option longopts[] = {
        CLI_LONGOPTS_CAPTURE,
        CLI_LONGOPTS_CAPTURE_INPUT,
        {"verify", no_argument, NULL, O_VERIFY},
        {"json", no_argument, NULL, O_JSON},
        {"format", required_argument, NULL, O_FORMAT},
        CLI_LONGOPTS_QUIET,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_capture_opts co = cli_capture_opts_default();
    int json = 0, ch;
    co.copt.prefetch = 1; /* read the file on the second core while this one validates/writes */
    optind = 1;
    while ((ch = cli_getopt(argc, argv, longopts, "info", &co, NULL)) != -1) {
        switch (ch) {
        case O_VERIFY:
            co.copt.verify_sha512 = 1;
            break;
        case O_JSON:
            json = 1;
            break;
        case O_FORMAT:
            if (cli_opt_format("info", optarg, "text", "json", &json))
                return RFN_EXIT_USAGE;
            break;
        case 'h':
            info_usage(stdout);
            return RFN_EXIT_OK;
        default:
            return RFN_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_errorf("info", "no capture given (see rfnoise info --help)");
        return RFN_EXIT_USAGE;
    }
    float complex *buf = malloc(READ_FRAMES * sizeof *buf);
    if (!buf) {
        cli_errorf("info", "out of memory");
        return RFN_EXIT_USAGE;
    }
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        if (info_path(argv[i], &co.copt, json, co.quiet, buf))
            failed = 1;
        else if (!json && i + 1 < argc)
            printf("\n");
    }
    free(buf);
    return failed ? RFN_EXIT_USAGE : RFN_EXIT_OK;
}
