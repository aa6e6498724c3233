/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_name.h: metadata that recording tools put in file names (the weakest source but one,
 * ARCHITECTURE.md §5), and the raw datatype an extension implies. Pure string parsing. */
#ifndef RFN_CAPTURE_NAME_H
#define RFN_CAPTURE_NAME_H

#include "records.h"

typedef struct capture_name_info {
    const char *convention; /* "gqrx", "rtl_433", "SDR#", "HDSDR", "SDRuno", "SDR#-style" or
                               NULL when the name follows no known convention */
    double sample_rate_hz;  /* > 0, or NAN when the name does not say */
    double center_freq_hz;  /* >= 0, or NAN */
    char datetime[CAPTURE_TIME_MAX]; /* "2014-01-01T12:00:00Z", or "" */
    char format[16]; /* raw datatype implied by the extension ("cu8", "cf32_le"), or "" */
} capture_name_info;

/* Parse the last path component of path (any length; bytes need not be UTF-8). Conventions:
 *   gqrx     gqrx_YYYYMMDD_HHMMSS_<fHz>_<rateHz>_fc.raw           (time in UTC)
 *   rtl_433  <anything>_<f>[kMG]_<rate>[kMG].<ext>                e.g. g001_433.92M_250k.cu8
 *   SDR#, SDRuno, HDSDR and alike
 *            <Tool>_YYYYMMDD_HHMMSSZ_<f>(Hz|kHz|MHz)[_...].wav    e.g. SDRSharp_20160101_101010Z_
 *                                                                  433920kHz_IQ.wav
 * Never fails: fields the name does not carry are NAN / "". */
void capture_name_parse(const char *path, capture_name_info *out);

/* The raw datatype (SigMF notation) a file extension implies, or NULL: .cu8 .complex16u → "cu8";
 * .cs8 .complex16s → "ci8"; .cs16 .complex32s → "ci16_le"; .cs32 → "ci32_le"; .cf32 .cfile
 * .complex .raw → "cf32_le"; .cf64 → "cf64_le". Case-insensitive. */
const char *capture_name_ext_format(const char *path);

#endif
