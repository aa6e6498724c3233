/* SPDX-License-Identifier: GPL-2.0-or-later */
/* limits.h: limit sets (dated, versioned JSON files in data/limits/): loading with validation,
 * choosing the set in force on a date, and evaluating limit lines (masks) over frequency.
 *
 * File format "rfnoise-limits-1" (documented field by field in data/limits/TEMPLATE.json):
 *   { "format": "rfnoise-limits-1", "id": "...", "version": "...", "title": "...",
 *     "source": "document and clause", "valid_from": "YYYY-MM-DD", "valid_to": "YYYY-MM-DD"|null,
 *     "illustrative": true|false,
 *     "bands": [ { "id", "label", "f_lo_hz", "f_hi_hz", "quantity", "rbw_hz", "ref_bw_hz",
 *                  "trace", "unit", "limit" | "mask" + "interpolation",
 *                  "applies_to": {"regions": [...], "han": [...]}, "derogation_limit",
 *                  "u_cispr_db", "note" } ],
 *     "decision_rule": "simple"|..., "u_cispr_db": dB }
 * Keys starting with "_" are comments and ignored; any other unknown key is an error (typos in a
 * limit file must not silently drop a limit). Bands are half-open [f_lo_hz, f_hi_hz). */
#ifndef RFN_LIMITS_H
#define RFN_LIMITS_H

#include <stddef.h>

#include "records.h"
#include "rfn_error.h"

#define LIMITS_FORMAT "rfnoise-limits-1"

/* What a band's limit is stated for. */
typedef enum limits_quantity {
    LIMITS_Q_CHANNEL_POWER = 0, /* power integrated over [f_lo, f_hi) (fractional edge bins) */
    LIMITS_Q_PEAK_DENSITY,      /* highest density in the band (per Hz or per ref_bw_hz) */
    LIMITS_Q_MEAN_DENSITY,      /* band power / band width (per Hz or per ref_bw_hz) */
    LIMITS_Q_QUASI_PEAK,        /* CISPR 16-1-1 quasi-peak detector at rbw_hz */
    LIMITS_Q_CISPR_AVERAGE,     /* CISPR 16-1-1 average detector at rbw_hz */
    LIMITS_Q_PEAK,              /* peak detector at rbw_hz */
    LIMITS_Q_RMS_AVERAGE,       /* CISPR 16-1-1 RMS-average detector at rbw_hz */
    LIMITS_Q_COUNT
} limits_quantity;

/* Which Welch trace the quantity is taken from. */
typedef enum limits_trace {
    LIMITS_TRACE_MEAN = 0,
    LIMITS_TRACE_MAX, /* max-hold */
    LIMITS_TRACE_MEDIAN,
    LIMITS_TRACE_COUNT
} limits_trace;

/* Unit of a limit. The dBFS variants are for uncalibrated lab work: they compare directly with
 * uncalibrated captures; the others need a calibration (dBuV/m also an antenna factor). */
typedef enum limits_unit {
    LIMITS_U_DBM = 0,     /* "dBm": a power */
    LIMITS_U_DBM_HZ,      /* "dBm/Hz": a density */
    LIMITS_U_DBM_REFBW,   /* "dBm/ref_bw": density x ref_bw_hz, a power in a reference bandwidth */
    LIMITS_U_DBUV_M,      /* "dBuV/m" (also "dBµV/m"): field strength, = dBm + 107 + AF (50 ohm) */
    LIMITS_U_DBFS,        /* "dBFS" */
    LIMITS_U_DBFS_HZ,     /* "dBFS/Hz" */
    LIMITS_U_DBFS_REFBW,  /* "dBFS/ref_bw" */
    LIMITS_U_COUNT
} limits_unit;

/* How a mask is interpolated between its points. */
typedef enum limits_interp {
    LIMITS_INTERP_LINEAR = 0, /* linear in dB over linear frequency */
    LIMITS_INTERP_LOG_FREQ,   /* linear in dB over log10(frequency), as EMC limit lines are drawn */
} limits_interp;

/* Applicability bit sets. A band with no "applies_to" applies everywhere. */
enum {
    LIMITS_REGION_NORTH = 1u << 0,
    LIMITS_REGION_CENTRAL = 1u << 1,
    LIMITS_REGION_SOUTH = 1u << 2,
    LIMITS_REGION_ALL = 7u,
    LIMITS_HAN_SINGLE = 1u << 0,
    LIMITS_HAN_DUAL = 1u << 1,
    LIMITS_HAN_ALL = 3u,
};

typedef struct limits_point {
    double freq_hz;
    double level; /* in the band's unit */
} limits_point;

typedef struct limits_band {
    char id[64];
    char label[128];
    char note[256];       /* free text from the file ("" when absent) */
    double f_lo_hz;       /* >= 0 */
    double f_hi_hz;       /* > f_lo_hz */
    limits_quantity quantity;
    double rbw_hz;        /* detector resolution bandwidth (6 dB); > 0 for detector quantities,
                             0 when the quantity does not need one */
    double ref_bw_hz;     /* > 0 exactly when unit is a /ref_bw unit, else 0 */
    limits_trace trace;
    limits_unit unit;
    int has_limit;        /* 1: a constant `limit`; 0: a mask */
    double limit;         /* constant limit, in unit */
    limits_point *mask;   /* >= 2 points, non-decreasing freq_hz covering [f_lo, f_hi]; a step is
                             two points at the same frequency (the lower level applies there) */
    size_t n_mask;
    limits_interp interp;
    unsigned regions;     /* LIMITS_REGION_* bits, never 0 */
    unsigned han;         /* LIMITS_HAN_* bits, never 0 */
    int has_derogation;
    double derogation_limit; /* relaxed limit in unit, >= the limit (constant limits only) */
    double u_cispr_db;    /* "u_cispr_db" of the band, else the set's: U_cispr of CISPR 16-4-2
                             for the cispr-16-4-2 rule; NAN when neither states one */
} limits_band;

typedef struct limits_set {
    char path[256];        /* file it was loaded from, for messages */
    char id[64];
    char version[32];
    char title[160];
    char source[256];
    char valid_from[11];   /* YYYY-MM-DD */
    char valid_to[11];     /* YYYY-MM-DD, last day in force, or "" when open-ended */
    int illustrative;      /* 1: values are examples, not the limits in force */
    decision_rule decision_rule; /* "decision_rule": how margins and uncertainty make verdicts
                                    (records.h); DECISION_SIMPLE when the file names none */
    double u_cispr_db;     /* "u_cispr_db": U_cispr of CISPR 16-4-2 for the cispr-16-4-2 rule;
                              NAN when not stated */
    limits_band *bands;
    size_t n_bands;
} limits_set;

/* An expanded uncertainty (k = 2) beyond this is not a measurement's: a typo or a unit error. */
#define LIMITS_UNCERTAINTY_MAX_DB 30.0

/* "simple", "guarded-accept", "guarded-reject", "cispr-16-4-2" ("limit-set" for
 * DECISION_FROM_LIMITS); _from_name: 0, or -1 for other text (DECISION_FROM_LIMITS is never
 * read). */
const char *limits_decision_rule_name(decision_rule r);
int limits_decision_rule_from_name(const char *name, decision_rule *r);

/* Names used in files and outputs; _from_name returns -1 (or RFN_ERR_INVALID) for unknown text. */
const char *limits_quantity_name(limits_quantity q);
const char *limits_trace_name(limits_trace t);
const char *limits_unit_name(limits_unit u);
rfn_status limits_unit_from_name(const char *name, limits_unit *u);
int limits_unit_is_dbfs(limits_unit u);          /* 1 for the dBFS variants */
int limits_quantity_is_detector(limits_quantity q); /* quasi_peak, cispr_average, peak, rms_avg */

/* A bandwidth for people: hz rounded to `digits` significant digits (1..6), in Hz, kHz, MHz or
 * GHz, whichever puts the number in [1, 1000), written with only the digits it needs, then sep,
 * then the unit: (12500, 4, "") -> "12.5kHz", (29296.875, 3, " ") -> "29.3 kHz", never
 * "2.93e+04 Hz". Not finite or <= 0 gives "?". Returns buf. */
const char *limits_bw_text(double hz, int digits, const char *sep, char *buf, size_t cap);

/* The unit as people read it (text, CSV, JSON's *_text keys, plots): the name, except that a
 * /ref_bw unit names its reference bandwidth: (LIMITS_U_DBM_REFBW, 12500) -> "dBm/12.5kHz".
 * ref_bw_hz not finite or <= 0 leaves "dBm/ref_bw". The unit *names* stay what files and the
 * machine fields (JSON "unit", "measured_unit") carry. Returns buf. */
const char *limits_unit_text(limits_unit u, double ref_bw_hz, char *buf, size_t cap);
/* The same from a unit name as stored in a band verdict; an unknown name is copied as is. */
const char *limits_unit_name_text(const char *name, double ref_bw_hz, char *buf, size_t cap);

/* Region / HAN variant names ("north", "central", "south"; "single", "dual"), case-insensitive;
 * register spellings "Single Band"/"Dual Band" accepted. Return the bit or 0 when unknown. */
unsigned limits_region_from_name(const char *name);
unsigned limits_han_from_name(const char *name);
/* The name of one LIMITS_REGION_* / LIMITS_HAN_* bit as the outputs write it; "any" for 0 (an
 * analysis for any region or variant) or anything else. */
const char *limits_region_name(unsigned region);
const char *limits_han_name(unsigned han);

/* Parse a limit set from JSON text (len bytes, need not be NUL-terminated). `name` is used in
 * messages only ("limits.json: bands[2].f_lo_hz: must be < f_hi_hz (2.4e9 >= 2.4e9)"; syntax
 * errors carry jansson's line and column: "limits.json:3:14: ..."). On success *out is a new set
 * owned by the caller (limits_free). Errors: RFN_ERR_FORMAT for anything invalid, RFN_ERR_NOMEM. */
rfn_status limits_parse(const char *text, size_t len, const char *name, limits_set **out,
                        rfn_error *err);

/* Read and parse a file; RFN_ERR_IO when it cannot be read. */
rfn_status limits_load(const char *path, limits_set **out, rfn_error *err);

/* NULL is a no-op. */
void limits_free(limits_set *set);

/* Is the set in force on date (YYYY-MM-DD): valid_from <= date <= valid_to? */
int limits_in_force(const limits_set *set, const char *date);

/* Choose among n sets the one in force on date; when several are, the latest valid_from wins and
 * an equal valid_from is RFN_ERR_CONFLICT. RFN_ERR_NOTFOUND when none is in force. A NULL or
 * empty date picks by today's UTC date. *index receives the chosen position. */
rfn_status limits_select(limits_set *const *sets, size_t n, const char *date, size_t *index,
                         rfn_error *err);

/* Limit of a band at freq_hz (constant, or the mask interpolated; at a step the lower level).
 * freq_hz outside the mask's points clamps to the nearest end (the loader guarantees the mask
 * covers [f_lo, f_hi]). */
double limits_band_level(const limits_band *band, double freq_hz);

/* Does the band apply to region / han bits (0 = unknown: applies)? */
int limits_band_applies(const limits_band *band, unsigned region, unsigned han);

#endif
