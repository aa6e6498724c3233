/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compare_out.h: the text, CSV and JSON forms of a before/after comparison (compare.h) and its
 * plots; records in, text out: nothing here measures. */
#ifndef RFN_COMPARE_OUT_H
#define RFN_COMPARE_OUT_H

#include <stdio.h>

#include "compare.h"
#include "rfn_error.h"

/* The rise table: one line per band, then the method in one line. */
void compare_write_text(FILE *fp, const char *before, const char *after,
                        const compare_result *res);
/* One row per band over the field table (band, f_lo_hz, f_hi_hz, level_before, level_after,
 * unit, rise_db, rise_ci95_lo_db, rise_ci95_hi_db, excess, excess_is_bound, apd_diff_1e-1_db,
 * apd_diff_1e-2_db, apd_diff_1e-3_db, segments_before, segments_after). */
void compare_write_csv(FILE *fp, const compare_result *res);
/* {"rfnoise": "compare", "format_version": 1, "before", "after", "limits" (the set's id, "" for
 * --band), "ci_level": 0.95, "bands": [{the CSV fields, null where not finite}]} */
rfn_status compare_write_json(FILE *fp, const char *before, const char *after,
                              const compare_result *res, rfn_error *err);

/* Two plots: out_path (both mean spectra as densities, dBm/Hz or dBFS/Hz, with each band's
 * constant limit as a flat density where the unit allows) and the same name with ".diff" before
 * the extension (after - before, dB). Errors as plot_spectrum_write. */
rfn_status compare_plot(const compare_result *res, const char *before, const char *after,
                        const char *out_path, rfn_error *err);

#endif
