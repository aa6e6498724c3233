/* SPDX-License-Identifier: GPL-2.0-or-later */
/* calibration.h: converting dBFS to dBm at the reference plane (and dBm to dBuV/m) with a
 * measured calibration: one value, or tables over frequency interpolated with GSL.
 *
 * File format "rfnoise-calibration-1" (JSON, example in data/calibration/):
 *   { "format": "rfnoise-calibration-1", "id": "...", "description": "...", "date": "YYYY-MM-DD",
 *     "reference_plane": "antenna port",
 *     "gain_db": 12.5                       -- dB added to dBFS to give dBm, the same everywhere,
 *     | "gain": [[freq_hz, dB], ...]        -- or a table over frequency,
 *     | "gain_by_rx_gain": [ {"rx_gain_db": 20, "gain_db": X | "gain": [[f, dB], ...]}, ... ]
 *                                           -- or one of those per receiver gain setting,
 *     "cable_loss_db": X | [[freq_hz, dB], ...],          -- optional, loss (>= 0) added too,
 *     "antenna_factor_db_per_m": [[freq_hz, dB/m], ...],  -- optional, for field strength,
 *     "noise_floor_dbm_hz": -165,                          -- optional floor of the chain,
 *     "uncertainty_db": 3.1 | [[freq_hz, dB], ...] }       -- optional expanded uncertainty
 *                                           (k = 2, 0 ... 30 dB) of a level measured through
 *                                           the chain, for the decision rules (records.h).
 * Keys starting with '_' are comments. Exactly one of gain_db, gain, gain_by_rx_gain.
 *
 * Formulas (docs/architecture.md §Units):  dBm = dBFS + G(f) + L_cable(f)
 *                                 dBuV/m = dBm + 107 + AF(f)     (50 ohm: 0 dBm = 107 dBuV)
 * Tables are interpolated linearly in dB over log10(frequency) (gsl_interp_linear on log10 f);
 * a frequency outside a table's first..last point is an error, never an extrapolation. */
#ifndef RFN_CALIBRATION_H
#define RFN_CALIBRATION_H

#include <stddef.h>

#include "rfn_error.h"

#define CALIBRATION_FORMAT "rfnoise-calibration-1"

/* dBuV = dBm + 107 for a 50 ohm system: 20 log10(sqrt(1 mW * 50 ohm) / 1 uV) = 106.99 dB. */
#define CALIBRATION_DBM_TO_DBUV 107.0

/* The largest correction in dB any calibration value may hold (gains, antenna factors, tables,
 * --cal-db): no receiving chain is 300 dB from dBFS, so a larger value is a typo or a unit error,
 * and it would carry a reading to infinity (a verdict is only as good as its weakest number). */
#define CALIBRATION_DB_MAX 300.0

typedef struct calibration calibration;

/* Parse a calibration from JSON text (name is used in messages, as in limits_parse: syntax errors
 * "name:line:col: why", others "name: field: why"). RFN_ERR_FORMAT or RFN_ERR_NOMEM. */
rfn_status calibration_parse(const char *text, size_t len, const char *name, calibration **out,
                             rfn_error *err);

/* Read and parse a file; RFN_ERR_IO when unreadable. */
rfn_status calibration_load(const char *path, calibration **out, rfn_error *err);

/* A calibration that is one number of dB everywhere (`--cal-db X`); id "cal-db:X". */
rfn_status calibration_from_db(double gain_db, calibration **out, rfn_error *err);

/* The calibration a command's options ask for (--cal FILE, --cal-db X, --rx-gain DB): the file
 * at path (calibration_load) when path is not NULL, else the constant gain_db
 * (calibration_from_db); then, when rx_gain_db is finite, that receiver gain's table
 * (calibration_select_rx_gain). None (*out NULL, RFN_OK) when path is NULL and gain_db is NAN.
 * A per-gain file with rx_gain_db NAN is returned unselected (see calibration_needs_rx_gain).
 * On failure *out is NULL. The caller frees *out with calibration_free. */
rfn_status calibration_open(const char *path, double gain_db, double rx_gain_db,
                            calibration **out, rfn_error *err);

/* NULL is a no-op. */
void calibration_free(calibration *cal);

/* The id ("" never: a file without one is refused) and the description ("" when absent). */
const char *calibration_id(const calibration *cal);
const char *calibration_description(const calibration *cal);

/* Choose the table for a receiver gain (dB, matched within 0.05 dB) of a gain_by_rx_gain file.
 * RFN_ERR_NOTFOUND listing the gains available when none matches; RFN_ERR_INVALID when the file
 * has no per-gain tables. */
rfn_status calibration_select_rx_gain(calibration *cal, double rx_gain_db, rfn_error *err);

/* 1 when the file has tables per receiver gain and none has been selected yet. */
int calibration_needs_rx_gain(const calibration *cal);

/* Total dB to add to a dBFS figure at freq_hz to get dBm at the reference plane: G(f) + cable
 * loss. RFN_ERR_INVALID when freq_hz lies outside a table ("cal.json: gain: 2.5e+09 Hz is outside
 * the table (4e+08 ... 1e+09 Hz)"), or when a per-gain file has no gain selected. */
rfn_status calibration_gain_db(const calibration *cal, double freq_hz, double *db, rfn_error *err);

/* Antenna factor in dB/m at freq_hz. RFN_ERR_NOTFOUND when the file has none, RFN_ERR_INVALID
 * outside its table. */
rfn_status calibration_antenna_factor_db(const calibration *cal, double freq_hz, double *af_db_m,
                                         rfn_error *err);
int calibration_has_antenna_factor(const calibration *cal);

/* The stated noise floor of the chain in dBm/Hz at the reference plane; 0 when not stated. */
int calibration_noise_floor_dbm_hz(const calibration *cal, double *dbm_hz);

/* The expanded uncertainty (k = 2) of a level measured over [f_lo_hz, f_hi_hz] through this
 * chain: the largest of the file's uncertainty_db over the band. RFN_ERR_NOTFOUND when the file
 * states none, RFN_ERR_INVALID when the band leaves its table. */
rfn_status calibration_uncertainty_db(const calibration *cal, double f_lo_hz, double f_hi_hz,
                                      double *u_db, rfn_error *err);

/* Is [f_lo_hz, f_hi_hz] entirely inside every table gain_db needs (always true for scalars)? */
int calibration_covers(const calibration *cal, double f_lo_hz, double f_hi_hz);

/* GSL's run-time version ("2.7.1"), for `rfnoise version`. GSL has several users (calibration
 * tables, the synthesiser's random numbers, trend fits); its version query lives with the first. */
const char *calibration_library_version(void);

#endif
