/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rfn_error.c: the one table of status messages, and helpers that format error records. */
#include "rfn_error.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[RFN_STATUS_COUNT] = {
    [RFN_OK] = "success",
    [RFN_ERR_NOMEM] = "out of memory",
    [RFN_ERR_INVALID] = "invalid argument",
    [RFN_ERR_IO] = "input/output error",
    [RFN_ERR_FORMAT] = "malformed input",
    [RFN_ERR_UNSUPPORTED] = "unsupported input",
    [RFN_ERR_TRUNCATED] = "input is truncated",
    [RFN_ERR_NOTFOUND] = "not found",
    [RFN_ERR_CONFLICT] = "conflicting inputs",
    [RFN_ERR_BUSY] = "resource busy",
    [RFN_ERR_EXTERNAL] = "external program or library failed",
    [RFN_ERR_EOF] = "end of stream",
};

const char *rfn_strerror(rfn_status status)
{
    if ((int)status < 0 || status >= RFN_STATUS_COUNT || !status_text[status])
        return "unknown status";
    return status_text[status];
}

static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r')
            *s = ' ';
}

rfn_status rfn_error_set(rfn_error *err, rfn_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    one_line(err->msg);
    return status;
}

rfn_status rfn_error_prefix(rfn_error *err, const char *fmt, ...)
{
    if (!err)
        return RFN_OK;
    char head[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    /* Keep as much of the original reason as fits after the new context. */
    size_t hl = strlen(head), ml = strlen(err->msg);
    if (hl >= sizeof err->msg)
        hl = sizeof err->msg - 1;
    if (hl + ml >= sizeof err->msg)
        ml = sizeof err->msg - 1 - hl;
    memmove(err->msg + hl, err->msg, ml);
    memcpy(err->msg, head, hl);
    err->msg[hl + ml] = '\0';
    one_line(err->msg);
    return err->status;
}

void rfn_error_clear(rfn_error *err)
{
    if (!err)
        return;
    err->status = RFN_OK;
    err->msg[0] = '\0';
}
