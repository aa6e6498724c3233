/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synth_batch.h: the bundled sample batch (`rfnoise synth --batch DIR`): an installation register,
 * a derogation list, lab results per model + firmware, short SigMF field captures with their
 * manifest, and the expected device verdicts, all made deterministically from one seed (GSL
 * mt19937). data/sample/README.md describes the scenarios. */
#ifndef RFN_SYNTH_BATCH_H
#define RFN_SYNTH_BATCH_H

#include <stdint.h>

#include "rfn_error.h"

/* The dB added to dBFS to get dBm in every sample capture (validate --cal-db). */
#define SYNTH_BATCH_CAL_DB (-40.0)

/* Write into dir (created when absent):
 *   register.csv     ~2,000 rows, 5 Suppliers, 3 regions, a few dozen bad rows
 *   derogations.csv  the derogation list
 *   manifest.csv     capture,DeviceID,captured_at for captures/ (paths relative to dir)
 *   captures/        ~60 field captures (SigMF ci16_le, rfnoise:device_id set)
 *   lab/             index.csv + one analyse JSON per model + firmware + band (lab/captures/ the
 *                    lab captures they were measured on)
 *   expected.csv     DeviceID,verdict,reasons,evidence for every device validate judges
 * Every file goes through atomic_file. quiet: no progress on stderr. */
rfn_status synth_batch_write(const char *dir, uint64_t seed, int quiet, rfn_error *err);

#endif
