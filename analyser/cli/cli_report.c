/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_report.c: conflict warnings, the versioned JSON head and the --meta sidecar
 * (cli_report.h). */
#include "cli_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "capture.h"
#include "cli_opts.h"

void cli_report_warnings(const char *cmd, const capture_meta *m)
{
    for (size_t i = 0; i < m->n_warnings; i++)
        fprintf(stderr, "rfnoise: %s: warning: %s\n", cmd, m->warnings[i]);
    if (m->n_warnings_dropped)
        fprintf(stderr, "rfnoise: %s: warning: %zu more\n", cmd, m->n_warnings_dropped);
}

json_t *cli_json_num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

json_t *cli_report_head(const char *cmd, const capture_meta *m)
{
    json_t *o = json_pack("{s:s, s:i}", "rfnoise", cmd, "format_version", CLI_JSON_FORMAT_VERSION);
    if (!o || !m)
        return o;
    json_t *src = json_pack("{s:s, s:s, s:s}", "sample_rate",
                            capture_source_name(m->src_sample_rate), "center_freq",
                            capture_source_name(m->src_center_freq), "datetime",
                            capture_source_name(m->src_datetime));
    json_t *wl = json_array();
    for (size_t i = 0; wl && i < m->n_warnings; i++)
        json_array_append_new(wl, json_string(m->warnings[i]));
    json_object_set_new(o, "capture", json_string(m->path));
    json_object_set_new(o, "sample_rate_hz", cli_json_num(m->sample_rate_hz));
    json_object_set_new(o, "center_freq_hz", cli_json_num(m->center_freq_hz));
    json_object_set_new(o, "datetime", m->datetime[0] ? json_string(m->datetime) : json_null());
    json_object_set_new(o, "sources", src ? src : json_null());
    json_object_set_new(o, "warnings", wl ? wl : json_null());
    return o;
}

int cli_report_sidecar_name(const char *out_path, char *name, size_t cap)
{
    size_t n = strlen(out_path);
    if (n > 4 && strcmp(out_path + n - 4, ".csv") == 0)
        n -= 4;
    int w = snprintf(name, cap, "%.*s.meta.json", (int)n, out_path);
    return w < 0 || (size_t)w >= cap ? -1 : 0;
}

int cli_report_meta_check(const char *cmd, int meta, int json, const char *out_path)
{
    if (meta && json) {
        fprintf(stderr, "rfnoise: %s: --meta is for CSV output: the JSON output holds the "
                        "metadata already\n", cmd);
        return -1;
    }
    if (meta && !out_path) {
        fprintf(stderr, "rfnoise: %s: --meta needs --output FILE (the sidecar is "
                        "FILE.meta.json)\n", cmd);
        return -1;
    }
    return 0;
}

rfn_status cli_report_write_sidecar(const char *out_path, const json_t *head, rfn_error *err)
{
    char name[4096];
    if (cli_report_sidecar_name(out_path, name, sizeof name))
        return rfn_error_set(err, RFN_ERR_INVALID, "%.64s...: name too long for a sidecar",
                             out_path);
    char *text = json_dumps(head, JSON_INDENT(1) | JSON_REAL_PRECISION(12) | JSON_PRESERVE_ORDER);
    if (!text)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    size_t len = strlen(text);
    char *withnl = malloc(len + 2);
    if (!withnl) {
        free(text);
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    memcpy(withnl, text, len);
    withnl[len] = '\n';
    free(text);
    rfn_status st = atomic_file_write_all(name, withnl, len + 1, err);
    free(withnl);
    return st;
}

rfn_status cli_report_finish(int meta, const char *out_path, const json_t *head,
                             atomic_file **af, rfn_error *err)
{
    rfn_status st = meta ? cli_report_write_sidecar(out_path, head, err) : RFN_OK;
    return st ? st : cli_output_commit(af, err);
}
