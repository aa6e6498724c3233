/* SPDX-License-Identifier: GPL-2.0-or-later */
/* derogation.h: the derogation list (which noisy models may stay installed, where, until when
 * and within which relaxed limit; docs/architecture.md §Domain) and the rule matching used by
 * classification. */
#ifndef RFN_DEROGATION_H
#define RFN_DEROGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv_read.h"
#include "identifiers.h"
#include "limits.h"
#include "rfn_error.h"

/* File format (README "Data formats"; sample data/derogations/example.csv): CSV read with
 * csv_read.h, header names case-insensitive in any order, extra columns ignored. One rule a row;
 * lists inside a cell are separated by ';'.
 *   Reference      required, unique: the derogation's reference, quoted in every verdict
 *   Manufacturer   required: DeviceManufacturer as in the register (compared case-insensitively)
 *   Model          required: DeviceModel as in the register (case-insensitive)
 *   Firmware       required: "*" (any), an exact list "1.2.3;1.2.4", or an inclusive range
 *                  "1.2.0..1.4.9", open at either end ("1.2.0..", "..1.4.9"); compared with
 *                  version_compare
 *   Bands          required: "*" (every band) or limit-set band ids "wan-north-423;han-868"
 *   Limit          required: the derogation limit, in the unit of the limit set's band limit:
 *                  "limit-set" (the band's derogation_limit in the limit set in use), one number
 *                  for every band ("-104"), or one per band "wan-north-423=-104;han-868=-95"
 *                  (each listed band exactly once; not with Bands "*")
 *   Regions        optional: "north;central" (CSPRegion, case-insensitive); empty = any region
 *   PostcodeAreas  optional: "AB;IV;KW1" (postcode_in_area prefixes); empty = any postcode
 *   HANVariant     optional: "Single Band" or "Dual Band" (or both, ';'); empty = any
 *   InstallBy      optional: cut-off date YYYY-MM-DD; a device must be installed on or before
 *                  it; empty = no cut-off
 * A location is acceptable when it meets every constraint given (region AND postcode area AND
 * HAN variant). A malformed rule fails the load (RFN_ERR_FORMAT "file:line: Column 'value': why"):
 * a silently dropped rule would turn derogated devices non-compliant.
 *
 * JSON form (chosen when the file's first non-space byte is '{'; sample example.json), in the
 * style of the limit-set files: {"format": "rfnoise-derogations-1", "rules": [{...}]} with keys
 * reference, manufacturer, model, firmware, bands, limit, regions, postcode_areas, han_variant,
 * install_by. Values are the CSV cell texts, except that lists may be JSON arrays of strings,
 * limit may be a number or an object {"band-id": number}, and optional keys may be absent or
 * null. Keys starting with '_' are comments; any other unknown key is an error. Messages say
 * "file: rules[3]: key 'value': why"; rules from JSON have line 0. */

typedef enum firmware_spec_kind {
    FIRMWARE_ANY = 0,
    FIRMWARE_LIST,
    FIRMWARE_RANGE,
} firmware_spec_kind;

typedef struct derogation_rule {
    uint64_t line; /* line of the rule in its CSV file; 0 from JSON */
    const char *reference;
    const char *manufacturer;
    const char *model;
    firmware_spec_kind firmware_kind;
    const char *const *firmware_list; /* FIRMWARE_LIST: n_firmware versions */
    size_t n_firmware;
    const char *firmware_lo; /* FIRMWARE_RANGE: inclusive bounds, NULL = open */
    const char *firmware_hi;
    const char *const *bands; /* NULL with n_bands 0 = every band */
    size_t n_bands;
    bool limit_from_limit_set; /* use the limit set's derogation_limit for the band */
    const double *limits;      /* per band (n_bands), or limits[0] for every band when n_bands 0 */
    uint8_t region_mask;       /* bit (1 << csp_region); 0 = any */
    uint8_t han_mask;          /* bit (1 << han_variant); 0 = any */
    const char *const *postcode_areas;
    size_t n_postcode_areas; /* 0 = any */
    int32_t install_by;      /* days since 1970-01-01; INT32_MIN = no cut-off */
} derogation_rule;

typedef struct derogation_list derogation_list;

rfn_status derogation_load(const char *path, derogation_list **out, rfn_error *err);
/* The same with --encoding and --date-format (InstallBy) for a CSV list (in NULL: defaults). The
 * separator (',' ';' or tab) is detected from the header line. InstallBy years 2000..2099. */
rfn_status derogation_load_input(const char *path, const csv_input *in, derogation_list **out,
                                 rfn_error *err);
rfn_status derogation_load_mem(const char *name, const void *data, size_t len,
                               derogation_list **out, rfn_error *err);
void derogation_destroy(derogation_list *list); /* NULL is a no-op */

/* Check every band id the rules name against the limit set in use: a band the set does not have
 * would leave that band without its derogation, silently (a typo such as wan-north-432 made 53
 * more devices non-compliant). RFN_ERR_FORMAT "path:LINE: Bands 'wan-north-432': not a band of
 * limit set ID version V (its bands: ...)" ("path: rules[I]: bands ..." for JSON rules). */
rfn_status derogation_check_bands(const derogation_list *list, const char *path,
                                  const limits_set *set, rfn_error *err);

size_t derogation_count(const derogation_list *list);
const derogation_rule *derogation_get(const derogation_list *list, size_t i);
/* The derogations' cut-off: their latest InstallBy, after which no rule lets a device in (days;
 * INT32_MIN when no rule has one). */
int32_t derogation_latest_install_by(const derogation_list *list);

/* Compare firmware versions the way rpm's rpmvercmp does: split into runs of digits and runs of
 * letters (other characters only separate); digit runs compare as numbers ("1.10" > "1.9",
 * "007" == "7"), letter runs case-insensitively, a digit run is newer than a letter run, and when
 * one runs out first the longer is newer ("1.2.1" > "1.2"). Returns <0, 0, >0. */
int version_compare(const char *a, const char *b);

/* What is known about one device and one band. Unknown values: NULL/"" strings,
 * CSP_REGION_UNKNOWN, HAN_VARIANT_UNKNOWN, install_date INT32_MIN. */
typedef struct derogation_query {
    const char *manufacturer;
    const char *model;
    const char *firmware;
    const char *band_id;
    csp_region region;
    han_variant han;
    const char *postcode; /* normalised (postcode_normalise) */
    int32_t install_date; /* days since 1970-01-01 */
} derogation_query;

/* The outcome codes match the device reason codes of docs/architecture.md §Verdicts where they
 * exist; the two "unknown" outcomes mean the register lacks what the rule needs (so the device
 * cannot be shown to be covered: classification treats it as inconclusive, not compliant). */
typedef enum derogation_outcome {
    DEROGATION_MATCH = 0,               /* "derogated" */
    DEROGATION_MODEL_NOT_DEROGATED,     /* "model-not-derogated": no rule for model+firmware+band */
    DEROGATION_LOCATION_NOT_ACCEPTABLE, /* "location-not-acceptable" */
    DEROGATION_LOCATION_UNKNOWN,        /* "location-unknown": region/HAN/postcode needed, absent */
    DEROGATION_INSTALLED_AFTER_CUTOFF,  /* "installed-after-cutoff" */
    DEROGATION_INSTALL_DATE_UNKNOWN,    /* "install-date-unknown" */
    DEROGATION_OUTCOME_COUNT
} derogation_outcome;

const char *derogation_outcome_code(derogation_outcome o);

typedef struct derogation_result {
    derogation_outcome outcome;
    /* The rule that matched, or for a failure the rule that came closest (the first of those
     * that got furthest: model, then location, then date); NULL for model-not-derogated. */
    const derogation_rule *rule;
    bool limit_from_limit_set; /* on a match: use the limit set's derogation_limit */
    double limit;              /* on a match without limit_from_limit_set; NAN otherwise */
} derogation_result;

/* Find the first rule (file order) covering the query. list NULL behaves as an empty list.
 * Returns res->outcome. */
derogation_outcome derogation_match(const derogation_list *list, const derogation_query *q,
                                    derogation_result *res);

/* Whether rule r covers this manufacturer, model (case-insensitive) and firmware (any band):
 * the first part of derogation_match, for questions about a model rather than a device
 * (`rfnoise stock`). */
bool derogation_rule_covers(const derogation_rule *r, const char *manufacturer, const char *model,
                            const char *firmware);

/* Whether any rule of list names this manufacturer and model (case-insensitive), whatever
 * its firmware: a device of the model that no rule covers has firmware no rule covers. */
bool derogation_names_model(const derogation_list *list, const char *manufacturer,
                            const char *model);

/* Rule r's location constraints (region, HAN variant, postcode areas) against q's location:
 * DEROGATION_MATCH (acceptable), DEROGATION_LOCATION_NOT_ACCEPTABLE or
 * DEROGATION_LOCATION_UNKNOWN (a constraint the query lacks the value for), as in
 * derogation_match. */
derogation_outcome derogation_rule_location(const derogation_rule *r, const derogation_query *q);

#endif
