/* SPDX-License-Identifier: GPL-2.0-or-later */
/* case_fields.h: the remediation case as a record with one field table per CSV that lists cases
 * (field_table.h): `remediation list` and `plan` (case_fields_list), and the report's cases.csv
 * and remediation-plan-*.csv (case_fields_report). The two column sets share every accessor, so
 * a column means the same wherever it appears (issue 13: records apart from formats). And the
 * case history entry of `remediation history` (history_fields). */
#ifndef RFN_CASE_FIELDS_H
#define RFN_CASE_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "field_table.h"
#include "identifiers.h"
#include "store.h"

enum { CASE_ROW_DATES = 7 };

/* One case as the tables read it: the case, the date it is shown at, and its texts formatted
 * once (DeviceID, dates; "" for a date not set). */
typedef struct case_row {
    const store_case *c;
    int32_t as_of; /* days_since_notice counts to it */
    char eui[EUI64_TEXT_LEN];
    char dates[CASE_ROW_DATES][ISO_DATE_TEXT_LEN];
} case_row;

/* row over c at as_of. A case with id 0 (a retest listed in a plan, not a case) has an empty
 * case_id. */
void case_row_init(case_row *row, const store_case *c, int32_t as_of);

/* One case history entry as `remediation history` writes it. */
typedef struct history_row {
    const store_history *h;
    char eui[EUI64_TEXT_LEN];
    char date[ISO_DATE_TEXT_LEN];
} history_row;

void history_row_init(history_row *row, const store_history *h);

extern const record_field history_fields[];
extern const size_t history_fields_count;

extern const record_field case_fields_list[];
extern const size_t case_fields_list_count;
extern const record_field case_fields_report[];
extern const size_t case_fields_report_count;

#endif
