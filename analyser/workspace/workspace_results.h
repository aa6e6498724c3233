/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workspace_results.h: import a `rfnoise validate` output directory (devices.csv, captures.jsonl,
 * summary.json) into the workspace as one result set. */
#ifndef RFN_WORKSPACE_RESULTS_H
#define RFN_WORKSPACE_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "records.h"
#include "store.h"

/* The directory contract (README "rfnoise validate"):
 * - devices.csv (required): header with at least DeviceID, Supplier, ImportMPxN and verdict
 *   (case-insensitive, any order); the other columns of the validate contract (DeviceType,
 *   DeviceManufacturer, DeviceModel, DeviceFirmwareVersion, CSPRegion, HANVariant, PostCode,
 *   InstallDate, DeviceStatus, reasons, worst_band, measured, limit, unit, margin_db, evidence,
 *   n_captures, derogation_ref, limit_set_id, limit_set_version) are read when present; a
 *   text cell "'=..." (csv_util's formula neutralisation of "=...") is read as "=...". A bad
 *   DeviceID, verdict, date or number is an RFN_ERR_FORMAT error "devices.csv:LINE: why" and
 *   nothing is added.
 * - captures.jsonl (optional): one JSON object per line with sha256, settings_hash (or
 *   settings_sha256), path and device_id; stored whole, keyed by sha256 + settings hash.
 * - summary.json (optional): tool version (tool_version, or tool.version), limit set (limit_set_id
 * / limit_set_version, or limit_set.id / limit_set.version) and derogation reference
 *   (derogation_ref, derogation_list.version, or the "derogations" entry of inputs[] as
 *   "PATH sha256:FIRST16HEX"); what it lacks is taken from the first devices.csv row.
 * The result set's identity is devices.csv's SHA-256: adding the same file again adds nothing. */
typedef struct workspace_results_summary {
    int64_t result_set_id;
    bool already; /* this devices.csv was added before */
    uint64_t devices, captures, captures_new;
    uint64_t measurements; /* rows of measurements.csv kept (0 for an older output) */
    uint64_t by_verdict[DEVICE_VERDICT_COUNT]; /* by device_verdict_kind */
    store_changes changes;
    /* SHA-256 of the register validate read (summary.json inputs[] role "register"), "" when
     * not stated: the caller can warn when it is not the latest snapshot's. */
    char register_sha256[65];
} workspace_results_summary;

rfn_status workspace_add_results(store *s, const char *dir, workspace_results_summary *out,
                                 rfn_error *err);

#endif
