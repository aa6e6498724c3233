/* SPDX-License-Identifier: GPL-2.0-or-later */
/* case_fields.c: the remediation case's field tables (case_fields.h). */
#include "case_fields.h"

#include <math.h>

enum { D_INSTALL, D_NOTICE, D_PLAN_DUE, D_PLAN_AGREED, D_REMEDIATION_DUE, D_STATE_SINCE,
       D_AGREED_DUE };

static void date_text(int32_t d, char out[ISO_DATE_TEXT_LEN])
{
    out[0] = '\0';
    if (d != STORE_NO_DATE) iso_date_format(d, out);
}

void case_row_init(case_row *row, const store_case *c, int32_t as_of)
{
    row->c = c;
    row->as_of = as_of;
    eui64_format(c->device_id, row->eui);
    const int32_t d[CASE_ROW_DATES] = {
        [D_INSTALL] = c->install_date,           [D_NOTICE] = c->notice_date,
        [D_PLAN_DUE] = c->plan_due,              [D_PLAN_AGREED] = c->plan_agreed,
        [D_REMEDIATION_DUE] = c->remediation_due, [D_STATE_SINCE] = c->state_since,
        [D_AGREED_DUE] = c->agreed_due,
    };
    for (int i = 0; i < CASE_ROW_DATES; i++)
        date_text(d[i], row->dates[i]);
}

FIELD_NUM_FN(f_id, case_row, r->c->id > 0 ? (double)r->c->id : NAN)
FIELD_TEXT_FN(f_supplier, case_row, r->c->supplier)
FIELD_TEXT_FN(f_supplier_id, case_row, r->c->supplier_id ? r->c->supplier_id : "")
FIELD_TEXT_FN(f_device, case_row, r->eui)
FIELD_TEXT_FN(f_mpxn, case_row, r->c->mpxn)
FIELD_TEXT_FN(f_manufacturer, case_row, r->c->manufacturer)
FIELD_TEXT_FN(f_model, case_row, r->c->model)
FIELD_TEXT_FN(f_firmware, case_row, r->c->firmware)
FIELD_TEXT_FN(f_region, case_row, r->c->region)
FIELD_TEXT_FN(f_install, case_row, r->dates[D_INSTALL])
FIELD_TEXT_FN(f_reasons, case_row, r->c->reasons)
FIELD_TEXT_FN(f_evidence, case_row, r->c->evidence)
FIELD_TEXT_FN(f_worst_band, case_row, r->c->worst_band)
FIELD_NUM_FN(f_margin, case_row, r->c->margin_db)
FIELD_TEXT_FN(f_notice, case_row, r->dates[D_NOTICE])
FIELD_TEXT_FN(f_plan_due, case_row, r->dates[D_PLAN_DUE])
FIELD_TEXT_FN(f_plan_agreed, case_row, r->dates[D_PLAN_AGREED])
FIELD_TEXT_FN(f_remediation_due, case_row, r->dates[D_REMEDIATION_DUE])
FIELD_TEXT_FN(f_state, case_row, r->c->state)
FIELD_TEXT_FN(f_state_since, case_row, r->dates[D_STATE_SINCE])
FIELD_TEXT_FN(f_agreed_due, case_row, r->dates[D_AGREED_DUE])
FIELD_NUM_FN(f_days, case_row, (double)r->as_of - r->c->notice_date)

void history_row_init(history_row *row, const store_history *h)
{
    row->h = h;
    eui64_format(h->device_id, row->eui);
    date_text(h->date, row->date);
}

FIELD_NUM_FN(h_case, history_row, (double)r->h->case_id)
FIELD_TEXT_FN(h_device, history_row, r->eui)
FIELD_TEXT_FN(h_date, history_row, r->date)
/* 0: none (a note is caused by no snapshot or result set) */
FIELD_NUM_FN(h_snapshot, history_row, r->h->snapshot_id ? (double)r->h->snapshot_id : NAN)
FIELD_NUM_FN(h_result_set, history_row,
             r->h->result_set_id ? (double)r->h->result_set_id : NAN)
FIELD_TEXT_FN(h_event, history_row, r->h->event)
FIELD_TEXT_FN(h_old, history_row, r->h->old_state)
FIELD_TEXT_FN(h_new, history_row, r->h->new_state)
FIELD_TEXT_FN(h_detail, history_row, r->h->detail)
FIELD_TEXT_FN(h_by, history_row, r->h->by)

#define F_TEXT(name, fn) {name, FIELD_TEXT, fn, NULL, 0}
#define F_NUM(name, fn, digits) {name, FIELD_NUM, NULL, fn, digits}
#define F_INT(name, fn) {name, FIELD_INT, NULL, fn, 0}

const record_field history_fields[] = {
    F_INT("case_id", h_case),       F_TEXT("DeviceID", h_device),
    F_TEXT("date", h_date),         F_NUM("snapshot", h_snapshot, 0),
    F_NUM("result_set", h_result_set, 0), F_TEXT("event", h_event),
    F_TEXT("old_state", h_old),     F_TEXT("new_state", h_new),
    F_TEXT("detail", h_detail),     F_TEXT("by", h_by),
};
const size_t history_fields_count = sizeof history_fields / sizeof history_fields[0];

/* agreed_due (the removal date agreed with a plan, which replaces remediation_due) and
 * SupplierID come last in both: columns are only ever appended (scripts read by position). */
const record_field case_fields_list[] = {
    F_NUM("case_id", f_id, 0),
    F_TEXT("Supplier", f_supplier),
    F_TEXT("DeviceID", f_device),
    F_TEXT("ImportMPxN", f_mpxn),
    F_TEXT("DeviceManufacturer", f_manufacturer),
    F_TEXT("DeviceModel", f_model),
    F_TEXT("DeviceFirmwareVersion", f_firmware),
    F_TEXT("reasons", f_reasons),
    F_TEXT("evidence", f_evidence),
    F_TEXT("state", f_state),
    F_TEXT("notice_date", f_notice),
    F_TEXT("plan_due", f_plan_due),
    F_TEXT("plan_agreed", f_plan_agreed),
    F_TEXT("remediation_due", f_remediation_due),
    F_TEXT("state_since", f_state_since),
    F_TEXT("agreed_due", f_agreed_due),
    F_TEXT("SupplierID", f_supplier_id),
};
const size_t case_fields_list_count = sizeof case_fields_list / sizeof case_fields_list[0];

const record_field case_fields_report[] = {
    F_NUM("case_id", f_id, 0),
    F_TEXT("Supplier", f_supplier),
    F_TEXT("DeviceID", f_device),
    F_TEXT("ImportMPxN", f_mpxn),
    F_TEXT("DeviceManufacturer", f_manufacturer),
    F_TEXT("DeviceModel", f_model),
    F_TEXT("DeviceFirmwareVersion", f_firmware),
    F_TEXT("CSPRegion", f_region),
    F_TEXT("InstallDate", f_install),
    F_TEXT("reasons", f_reasons),
    F_TEXT("evidence", f_evidence),
    F_TEXT("worst_band", f_worst_band),
    F_NUM("margin_db", f_margin, 2),
    F_TEXT("notice_date", f_notice),
    F_TEXT("plan_due", f_plan_due),
    F_TEXT("plan_agreed", f_plan_agreed),
    F_TEXT("remediation_due", f_remediation_due),
    F_TEXT("state", f_state),
    F_TEXT("state_since", f_state_since),
    F_INT("days_since_notice", f_days),
    F_TEXT("agreed_due", f_agreed_due),
    F_TEXT("SupplierID", f_supplier_id),
};
const size_t case_fields_report_count = sizeof case_fields_report / sizeof case_fields_report[0];
