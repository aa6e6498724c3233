/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_report.h: what every command that reads a capture says besides its data: the metadata
 * conflicts (command line against file, file against file name) on stderr, the versioned head of
 * its JSON output, and the --meta sidecar that carries that head beside a CSV (a CSV has nothing
 * before its header line, so that spreadsheets and pandas read it as it is). */
#ifndef RFN_CLI_REPORT_H
#define RFN_CLI_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "atomic_file.h"
#include "records.h"
#include "rfn_error.h"

/* The version of every command's JSON layout; raised when a key changes meaning or goes. */
#define CLI_JSON_FORMAT_VERSION 1

/* Print each of m's warnings as "rfnoise: <cmd>: warning: <text>" on stderr (and "... N more"). */
void cli_report_warnings(const char *cmd, const capture_meta *m);

/* A new object {"rfnoise": cmd, "format_version": 1, "capture": path, "sample_rate_hz",
 * "center_freq_hz" (null when unknown), "datetime" (null), "sources": {...}, "warnings": [...]};
 * m may be NULL (only the first two keys). NULL when out of memory. */
json_t *cli_report_head(const char *cmd, const capture_meta *m);

/* A number, or null when not finite (unknown values are null in every JSON output). */
json_t *cli_json_num(double v);

/* The sidecar of a CSV written to out_path: out_path without a ".csv" suffix, plus ".meta.json"
 * ("det.csv" -> "det.meta.json"), into name (cap bytes). -1 when it does not fit. */
int cli_report_sidecar_name(const char *out_path, char *name, size_t cap);

/* 0 when --meta (meta 1) can be honoured: a CSV (json 0) written to --output; else -1 after
 * printing "rfnoise: <cmd>: --meta needs --output FILE (...)" or "... --meta is for CSV ...". */
int cli_report_meta_check(const char *cmd, int meta, int json, const char *out_path);

/* Write head as indented JSON to the sidecar of out_path, atomically. */
rfn_status cli_report_write_sidecar(const char *out_path, const json_t *head, rfn_error *err);

/* Finish a data export: write head to the --meta sidecar when meta is set (a CSV --output), then
 * commit the output (cli_output_commit). */
rfn_status cli_report_finish(int meta, const char *out_path, const json_t *head,
                             atomic_file **af, rfn_error *err);

#endif
