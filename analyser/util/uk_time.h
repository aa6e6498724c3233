/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uk_time.h: the civil date in Great Britain (Europe/London: GMT in winter, BST in summer) of an
 * instant, from the system's time zone data (tzdata), so that a date-time written with an offset
 * is judged on the UK date it fell on (docs/architecture.md §Domain: cut-offs and due dates are
 * UK dates). */
#ifndef RFN_UK_TIME_H
#define RFN_UK_TIME_H

#include <stdbool.h>
#include <stdint.h>

/* The UK date of unix_s as days since 1970-01-01. false when the time zone data for
 * Europe/London cannot be found (then *days is untouched): never a silent fall-back to UTC. */
bool uk_civil_date(int64_t unix_s, int32_t *days);

#endif
