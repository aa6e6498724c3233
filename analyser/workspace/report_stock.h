/* SPDX-License-Identifier: GPL-2.0-or-later */
/* report_stock.h: the report's section on derogation stock (issue 20 §1): the declarations the
 * workspace keeps (workspace import-stock) and how each ran down against its projection. */
#ifndef RFN_REPORT_STOCK_H
#define RFN_REPORT_STOCK_H

#include <stdint.h>
#include <stdio.h>

#include "rfn_error.h"
#include "store.h"

/* Write the section (id "stock") for the declarations on or before as_of; nothing when the
 * workspace holds none. For each Supplier, model and firmware, one row per declaration: its
 * date, quantity, status, derogation, cut-off, run rate (95 % interval), projected installs
 * before the cut-off, surplus at the cut-off (95 %) and wrong-place installs; and where a later
 * declaration follows, the stock projected for that date at the run rate, quantity - rate *
 * months (months of 365.2425 / 12 days; not below 0), with its interval from the rate's, the
 * stock then declared, and whether it ran down as projected (inside the interval), faster
 * (below it) or slower (above it: installs fell behind, or stock was added). */
rfn_status report_stock_write(FILE *f, store *s, int32_t as_of, rfn_error *err);

#endif
