/* SPDX-License-Identifier: GPL-2.0-or-later */
/* records_json.h: the analysis record (one capture_analysis: one analysis of one capture) as
 * JSON, its writer and its reader side by side over one field table per object
 * (docs/architecture.md §Records). The same record is an element of "captures" in `rfnoise
 * analyse --format json` (analyse_write_json, analyse.h), the "analysis" of a captures.jsonl
 * line, a cached result and a lab result read by validate. Also the writer of that line. */
#ifndef RFN_RECORDS_JSON_H
#define RFN_RECORDS_JSON_H

#include <stddef.h>

#include "records.h"
#include "rfn_error.h"

struct json_t;

/* Record r as a JSON object (keys in the order analyse's output shows them), or NULL when out of
 * memory or when a text of r is not UTF-8; the caller owns the reference. */
struct json_t *records_json_analysis(const capture_analysis *r);

/* The same record as `analyse --format json` writes it: every number at that output's 10
 * significant digits, so that a record analysed now is the same bits as one read back from a
 * cache or a lab result. NULL as records_json_analysis. */
struct json_t *records_json_analysis_as_written(const capture_analysis *r);

/* Whether a is an analysis record (a cached file may hold anything). */
int records_json_is_analysis(const struct json_t *a);

/* The capture's device id as record a names it; NULL when it names none. */
const char *records_json_analysis_device_id(const struct json_t *a);

/* Name the capture of record a by path (validate names a capture as its manifest does); a
 * record without a capture object is left as it is. */
void records_json_set_analysis_path(struct json_t *a, const char *path);

/* Rebuild from record a the parts of a capture_analysis that judging and classification read:
 * the capture's path, device and time, the limit set's id and version, the calibration, the
 * region, HAN variant, guard band, whether bursts were left out and how much of the capture was
 * used, and every band with its measurement (a record from before measurements were kept apart
 * has no "measurement": its flags are then the measurement reasons among its reasons). r is
 * zeroed first and owns its bands afterwards (analyse_result_free). RFN_ERR_FORMAT when a is
 * not a record, RFN_ERR_NOMEM. */
rfn_status records_json_read_analysis(const struct json_t *a, capture_analysis *r,
                                      rfn_error *err);

/* One line of captures.jsonl (validate): one capture of the run by its index in the run, with its
 * analysis record or why there is none. A text NULL or "" is written as null. */
typedef struct capture_line {
    size_t index;
    const char *path, *sha256, *settings_sha256, *device_id, *captured_at, *error;
    const char *measured_model, *measured_firmware; /* what the manifest says the capture
                                                       measured; model NULL or "": no keys */
    struct json_t *analysis;                        /* the record (not taken); NULL: none */
} capture_line;

/* Line l as a JSON object (validate writes its keys sorted), or NULL when out of memory; the
 * caller owns the reference. */
struct json_t *records_json_capture_line(const capture_line *l);

#endif
