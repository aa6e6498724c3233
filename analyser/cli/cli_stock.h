/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli_stock.h: `rfnoise workspace import-stock`, which lives in cmd_stock.c beside
 * `rfnoise stock` (the same figures, kept in the workspace). */
#ifndef RFN_CLI_STOCK_H
#define RFN_CLI_STOCK_H

#include <stdint.h>

#include "csv_read.h"
#include "store.h"

typedef struct workspace_stock_args {
    const char *file;        /* the stock declaration */
    const char *derogations; /* the derogation list */
    int32_t as_of;           /* the declaration's date: every line is judged on it */
    int window_months;       /* run-rate window (stock.h) */
    csv_input input;
} workspace_stock_args;

/* Work out the figures of the declaration against the workspace's latest register snapshot on
 * or before a->as_of (checked unchanged) and record them (store_stock_import). Prints a summary
 * line, or one error line; returns the exit status. ws names the workspace in messages. */
int workspace_import_stock(store *s, const char *ws, const workspace_stock_args *a);

#endif
