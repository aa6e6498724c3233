/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flips.h: what a rejudge changed (README "rfnoise rejudge"): old_dir/devices.csv against
 * new_dir/devices.csv, written as new_dir/flips.csv (atomically). */
#ifndef RFN_FLIPS_H
#define RFN_FLIPS_H

#include "rfn_error.h"

/* flips.csv: DeviceID, Supplier, old_verdict, new_verdict, old_margin_db, new_margin_db,
 * reasons (the new verdict's), one row per device of the new devices.csv whose verdict differs
 * from the old one's, in the new file's order. A device the old file lacks has old_verdict "".
 * Input errors name the file and line. */
rfn_status flips_write(const char *old_dir, const char *new_dir, rfn_error *err);

#endif
