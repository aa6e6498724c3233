/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flips.h: what a rejudge changed (README "rfnoise rejudge"): old_dir/devices.csv against the
 * new verdicts, written as new_dir/flips.csv (atomically). */
#ifndef RFN_FLIPS_H
#define RFN_FLIPS_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "rfn_error.h"

/* One new verdict, as devices.csv gives it (strings owned by the caller). */
typedef struct flips_new {
    uint64_t device_id;
    const char *supplier;
    device_verdict_kind verdict;
    double margin_db;
    unsigned reasons; /* enum device_reason bits */
} flips_new;

/* The verdicts of old_dir/devices.csv, indexed by device (a reading apart from the writing, so
 * that a rejudge can read them on another core while it judges). Input errors name the file and
 * line. flips_old_free(NULL) is a no-op. */
typedef struct flips_old flips_old;
rfn_status flips_old_load(const char *old_dir, flips_old **out, rfn_error *err);
void flips_old_free(flips_old *old);

/* flips.csv: DeviceID, Supplier, old_verdict, new_verdict, old_margin_db, new_margin_db,
 * reasons (the new verdict's), one row per new verdict (in the order given) that differs from
 * the old one. A device the old file lacks has old_verdict "". */
rfn_status flips_write(const flips_old *old, const flips_new *now, size_t n_now,
                       const char *new_dir, rfn_error *err);

#endif
