/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rfn_error.h: status codes and the error record every fallible rfnoise call fills in. */
#ifndef RFN_ERROR_H
#define RFN_ERROR_H

#include <stdarg.h>

/* Status of a call. RFN_OK is zero so that `if (st)` reads as "failed". Add new codes before
 * RFN_STATUS_COUNT and give each a message in rfn_error.c (a test checks every code has one). */
typedef enum rfn_status {
    RFN_OK = 0,
    RFN_ERR_NOMEM,       /* an allocation failed */
    RFN_ERR_INVALID,     /* an argument or configuration value is out of its valid range */
    RFN_ERR_IO,          /* the operating system refused a read, write, open or rename */
    RFN_ERR_FORMAT,      /* input data is malformed (bad syntax, bad field, bad header) */
    RFN_ERR_UNSUPPORTED, /* input is well formed but uses a feature rfnoise does not handle */
    RFN_ERR_TRUNCATED,   /* input ends before its own structure says it should */
    RFN_ERR_NOTFOUND,    /* a named file, key, band or record does not exist */
    RFN_ERR_CONFLICT,    /* two inputs disagree in a way that cannot be resolved */
    RFN_ERR_BUSY,        /* a shared resource (workspace, lock) is held by another process */
    RFN_ERR_EXTERNAL,    /* an external program or library failed (gnuplot, FFTW planner) */
    RFN_ERR_EOF,         /* end of stream; not a failure, but no data was produced */
    RFN_STATUS_COUNT
} rfn_status;

/* Human-readable text for a status; never NULL, "unknown status" for values out of range. */
const char *rfn_strerror(rfn_status status);

/* The error record a failing call fills in: the status and one line saying where and why
 * ("capture.cu8: offset 1234: odd byte count"). The line never ends in a newline. */
typedef struct rfn_error {
    rfn_status status;
    char msg[512];
} rfn_error;

/* Record status and a printf-style message in err (which may be NULL: then only the status is
 * returned). Returns status so that a failing path reads `return rfn_error_set(err, ...)`. The
 * message is truncated to fit; newlines in it are replaced by spaces to keep it on one line. */
rfn_status rfn_error_set(rfn_error *err, rfn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefix an existing message with more context ("limits.json: " + "bands[2]: f_lo >= f_hi"). */
rfn_status rfn_error_prefix(rfn_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reset to RFN_OK with an empty message. */
void rfn_error_clear(rfn_error *err);

#endif
