/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_name.h: metadata that recording tools put in file names (the weakest source but one,
 * docs/architecture.md §Metadata), and the raw datatype an extension implies. Pure string
 * parsing. */
#ifndef RFN_CAPTURE_NAME_H
#define RFN_CAPTURE_NAME_H

#include "records.h"

typedef struct capture_name_info {
    const char *convention; /* the tool whose naming the name follows: "gqrx", "rtl_433",
                               "rtl_sdr", "SDR#", "HDSDR", "SDRuno", "SDR#-style", "SDR++",
                               "KiwiSDR", "URH"; NULL when none */
    double sample_rate_hz;  /* > 0, or NAN when the name does not say */
    double center_freq_hz;  /* >= 0, or NAN */
    double bandwidth_hz;    /* > 0 (URH), or NAN */
    char datetime[CAPTURE_TIME_MAX]; /* "2014-01-01T12:00:00Z" (UTC), "2023-11-04T15:35:40"
                                        (local time: time_is_local 1), or "" */
    int time_is_local; /* 1: the tool writes the computer's local time, zone unknown */
    char format[16];   /* raw datatype implied by the extension ("cu8", "cf32_le") or by the
                          name (gqrx's 16-bit fork "_16.raw": "ci16_le"), or "" */
    char hw[32];       /* hardware the name states (URH: "HackRF"), or "" */
    char station[32];  /* receiving station (KiwiSDR), or "" */
} capture_name_info;

/* Parse the last path component of path (any length; bytes need not be UTF-8). Conventions, as
 * each tool writes them (README "File names"):
 *   gqrx     gqrx_YYYYMMDD_HHMMSS_<fHz>_<rateHz>_fc.raw (UTC; cf32), and the 16-bit fork's
 *            gqrx_..._fc_16.raw (cs16)
 *   SDR#, SDRuno, HDSDR and alike
 *            <Tool>_YYYYMMDD_HHMMSSZ_<f>(Hz|kHz|MHz)[_...].wav
 *            SDRSharp_20160101_101010Z_433920kHz_IQ
 *   SDR++    (baseband|audio)_<f>Hz_HH-MM-SS_DD-MM-YYYY.wav (local time)
 *   KiwiSDR  YYYYMMDDTHHMMSSZ_<fHz>_<station>[_<mode>].wav   20171127T104156Z_77500_DF0KL_iq
 *   URH      <device>-YYYYMMDD_HHMMSS-<f>-<rate>-<bw>.<ext>  HackRF-20231104_153540-433_92MHz-
 *            2MSps-2MHz.complex16s ("_" as the decimal point; local time)
 *   rtl_433 / rtl_sdr
 *            ..._<f>_<rate>[_...]: f with k/M/G, Hz, kHz, MHz or GHz (868.950M, 433.92MHz,
 *            915000000Hz), rate with k/M (a letter may be the decimal point: 1M6 = 1.6 MS/s,
 *            2M4), sps, ksps or Msps (250ksps, 2400000sps); "rtl_433" when the pair ends the
 *            name, as rtl_433 writes it, else "rtl_sdr"
 * Never fails: fields the name does not carry are NAN / "". */
void capture_name_parse(const char *path, capture_name_info *out);

/* The raw datatype (SigMF notation) a file extension implies, or NULL: .cu8 .complex16u → "cu8";
 * .cs8 .complex16s → "ci8"; .cs16 .complex32s → "ci16_le"; .cs32 → "ci32_le"; .cf32 .cfile
 * .complex .raw → "cf32_le"; .cf64 → "cf64_le". Case-insensitive. */
const char *capture_name_ext_format(const char *path);

#endif
