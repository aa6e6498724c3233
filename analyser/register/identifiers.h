/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identifiers.h: the identifiers and code lists of the installation register
 * (docs/architecture.md §Domain): EUI-64 DeviceID, MPAN core and MPRN check digits, ISO 8601
 * dates, and the DUIS code lists (DeviceType, DeviceStatus, CSPRegion, HANVariant). Pure
 * functions: no allocation, no I/O. */
#ifndef RFN_IDENTIFIERS_H
#define RFN_IDENTIFIERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a value was rejected. Each has a stable kebab-case code (id_problem_code) used as the
 * `code` column of register-errors.csv, and a short English text (id_problem_text). */
typedef enum id_problem {
    ID_OK = 0,
    ID_EMPTY,        /* "empty": the field is empty (or only spaces) */
    ID_BAD_LENGTH,   /* "bad-length": wrong number of digits / hex digits */
    ID_BAD_CHAR,     /* "bad-character": a character that cannot appear */
    ID_BAD_FORMAT,   /* "bad-format": separators or layout wrong */
    ID_BAD_CHECK,    /* "bad-check-digit": check digit(s) do not match */
    ID_BAD_DATE,     /* "bad-date": not a calendar date or time (2021-02-30, 24:00:01) */
    ID_UNKNOWN_CODE, /* "unknown-value": not in the code list */
    ID_BAD_VALUE,    /* "bad-value": well formed but not a real identifier (all zeros, ...) */
    ID_NO_TZDATA,    /* "no-time-zone-data": a zoned date-time, and no Europe/London zone file */
    ID_PROBLEM_COUNT
} id_problem;

const char *id_problem_code(id_problem p);
const char *id_problem_text(id_problem p);

/* ---- DeviceID (EUI-64) --------------------------------------------------------------------- */

/* Parse len bytes at s as an EUI-64: "BC-33-AC-FF-FE-FA-55-3D" (canonical),
 * "bc:33:ac:ff:fe:fa:55:3d" or bare "BC33ACFFFEFA553D"; hex digits in either case; the separator
 * must be the same throughout and every group exactly two hex digits. The 64-bit value has the
 * first octet in its most significant byte. Returns ID_OK and sets *out, or the problem (then *out
 * is untouched). */
id_problem eui64_parse(const char *s, size_t len, uint64_t *out);

enum { EUI64_TEXT_LEN = 24 }; /* "XX-XX-XX-XX-XX-XX-XX-XX" + NUL */

/* Canonical form: upper-case hex octets joined by '-'. out holds EUI64_TEXT_LEN bytes. */
void eui64_format(uint64_t id, char out[EUI64_TEXT_LEN]);

/* ---- ImportMPxN (MPAN core or MPRN) -------------------------------------------------------- */

/* MPAN core check digit of its first 12 digits (ASCII '0'..'9'):
 * (sum of d_i * p_i, p = 3,5,7,13,17,19,23,29,31,37,41,43) mod 11 mod 10
 * (docs/architecture.md §Domain; the published example core 1312345678907 has check digit 7).
 * Returns 0..9. */
int mpan_check_digit(const char digits12[12]);

/* A 13-digit MPAN core whose last digit is its check digit. */
id_problem mpan_core_check(const char *s, size_t len);

/* MPRN check digits of the body (all digits but the last two): the sum of each body digit times
 * its weight, the weights running from the body length down to 1 (so the last body digit weighs
 * 1), mod 11, written as two digits "00".."10". Returns 0..10. */
int mprn_check_value(const char *body, size_t body_len);

/* An MPRN: 6 to 10 digits, the last two being mprn_check_value of the rest (3938424403: body
 * 39384244 weighs 3*8+9*7+3*6+8*5+4*4+2*3+4*2+4*1 = 179, 179 mod 11 = 3, "03"). */
id_problem mprn_check(const char *s, size_t len);

typedef enum mpxn_kind { MPXN_NONE = 0, MPXN_MPAN, MPXN_MPRN } mpxn_kind;

/* ImportMPxN: 13 digits are an MPAN core, 6 to 10 digits an MPRN; other lengths are
 * ID_BAD_LENGTH. On ID_OK sets *kind and *key (a compact key unique per identifier: the number
 * with its digit count in the top byte, so "012345" and "12345" never collide). */
id_problem mpxn_parse(const char *s, size_t len, mpxn_kind *kind, uint64_t *key);

/* Text of a key from mpxn_parse (out holds 14 bytes: up to 13 digits + NUL). */
void mpxn_format(uint64_t key, char out[14]);

/* ---- dates (ISO 8601) ---------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (negative before 1970). */
int32_t date_from_ymd(int year, int month, int day);
void date_to_ymd(int32_t days, int *year, int *month, int *day);

/* Parse an ISO 8601 calendar date "YYYY-MM-DD" or a full date-time "YYYY-MM-DDThh:mm[:ss[.f...]]"
 * with optional "Z" or "+hh:mm"/"-hh:mm" (a space may stand for 'T'). Years 0001-9999.
 * *days is the UK calendar date (what cut-off rules and due dates compare): the date as written
 * for a date or a date-time without a zone, else the date in Europe/London of the instant
 * (uk_time.h; ID_NO_TZDATA when the system lacks that zone's data). */
id_problem iso_date_parse(const char *s, size_t len, int32_t *days);

/* The same grammar as an instant: seconds since 1970-01-01T00:00:00Z. A date alone is midnight
 * UTC; a date-time without offset is taken as UTC. Fractions of a second are dropped. */
id_problem iso_datetime_parse(const char *s, size_t len, int64_t *unix_s);

/* The order of day, month and year in the dates of an input (--date-format ymd|dmy|mdy). */
typedef enum date_order { DATE_YMD = 0, DATE_DMY, DATE_MDY } date_order;
bool date_order_parse(const char *s, date_order *out); /* "ymd", "dmy", "mdy" */
const char *date_order_name(date_order o);             /* "ymd", ... */
const char *date_order_pattern(date_order o);          /* "YYYY-MM-DD", "DD/MM/YYYY", ... */

/* A date in the given order. DATE_YMD is iso_date_parse. DATE_DMY / DATE_MDY take "D/M/YYYY"
 * (day and month of one or two digits, a four-digit year; the separator '/', '.' or '-', the
 * same twice), optionally followed by a space and "hh:mm" or "hh:mm:ss" (checked, not used), as
 * spreadsheets save them; an ISO date is accepted in every order (a leading four-digit year
 * cannot be misread). On ID_OK sets *days and, when sec_of_day is not NULL, the time of day in
 * seconds (-1 when none was written). */
id_problem date_parse_order(const char *s, size_t len, date_order order, int32_t *days,
                            int32_t *sec_of_day);

/* For a date that failed in order `given`: the --date-format value(s) it does read in ("dmy",
 * "mdy", or "dmy or mdy" when both: never a guess between them), or NULL. */
const char *date_order_hint(const char *s, size_t len, date_order given);

/* Length of the longest prefix of s that is valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * <= U+10FFFF); len when all of it is. */
size_t utf8_valid_prefix(const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (len > 0), or 0 when invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t len);

enum { ISO_DATE_TEXT_LEN = 11 }; /* "YYYY-MM-DD" + NUL */
void iso_date_format(int32_t days, char out[ISO_DATE_TEXT_LEN]);

/* ---- PostCode -------------------------------------------------------------------------------- */

enum { POSTCODE_TEXT_LEN = 9 }; /* "AB12 3CD" + NUL */

/* Normalise a UK postcode: letters upper-cased, spaces dropped and one space put before the
 * inward code. Accepted shapes (outward + inward "9AA"): A9, A99, AA9, AA99, A9A, AA9A, plus the
 * special "GIR 0AA". Returns ID_OK, ID_EMPTY, ID_BAD_CHAR (not a letter, digit or space) or
 * ID_BAD_FORMAT. */
id_problem postcode_normalise(const char *s, size_t len, char out[POSTCODE_TEXT_LEN]);

/* Whether a normalised postcode lies in the area given by prefix (case-insensitive):
 *   letters only ("AB", "KW")    - the postcode area: the outward code's leading letters equal it
 *                                  ("AB" matches "AB10 1AA", not "A1 1AA"; "B" does not match
 *                                  "BT1 1AA");
 *   an outward code ("AB10")     - the postcode district: the outward code equals it ("AB1" does
 *                                  not match "AB10 1AA");
 *   outward + space + more       - a plain prefix of the normalised postcode ("AB10 1" is the
 *                                  sector).
 * An empty prefix or postcode never matches. */
bool postcode_in_area(const char *postcode, const char *prefix);

/* ---- code lists (DUIS Read Inventory values, docs/architecture.md §Domain) ------------------- */
/* Parsing is ASCII case-insensitive and ignores spaces, '-' and '_' inside the value ("dual band",
 * "Dual-Band", "DUALBAND" all read as "Dual Band"); *_name gives the canonical DUIS spelling.
 * Each *_parse returns ID_OK, ID_EMPTY or ID_UNKNOWN_CODE. Value 0 of each enum means "unknown". */

typedef enum device_type {
    DEVICE_TYPE_UNKNOWN = 0,
    DEVICE_TYPE_ESME,   /* electricity smart meter */
    DEVICE_TYPE_GSME,   /* gas smart meter */
    DEVICE_TYPE_CHF,    /* communications hub function */
    DEVICE_TYPE_GPF,    /* gas proxy function */
    DEVICE_TYPE_PPMID,  /* prepayment interface device */
    DEVICE_TYPE_HCALCS, /* HAN-connected auxiliary load control switch */
    DEVICE_TYPE_COUNT
} device_type;

typedef enum device_status {
    DEVICE_STATUS_UNKNOWN = 0,
    DEVICE_STATUS_PENDING,
    DEVICE_STATUS_WHITELISTED,
    DEVICE_STATUS_INSTALLED_NOT_COMMISSIONED,
    DEVICE_STATUS_COMMISSIONED,
    DEVICE_STATUS_DECOMMISSIONED,
    DEVICE_STATUS_WITHDRAWN,
    DEVICE_STATUS_SUSPENDED,
    DEVICE_STATUS_RECOVERY,
    DEVICE_STATUS_RECOVERED,
    DEVICE_STATUS_NOT_APPLICABLE,
    DEVICE_STATUS_COUNT
} device_status;

typedef enum csp_region {
    CSP_REGION_UNKNOWN = 0,
    CSP_REGION_NORTH,
    CSP_REGION_CENTRAL,
    CSP_REGION_SOUTH,
    CSP_REGION_COUNT
} csp_region;

typedef enum han_variant {
    HAN_VARIANT_UNKNOWN = 0,
    HAN_VARIANT_SINGLE_BAND, /* 2.4 GHz only */
    HAN_VARIANT_DUAL_BAND,   /* 2.4 GHz and 868 MHz */
    HAN_VARIANT_COUNT
} han_variant;

id_problem device_type_parse(const char *s, size_t len, device_type *out);
id_problem device_status_parse(const char *s, size_t len, device_status *out);
id_problem csp_region_parse(const char *s, size_t len, csp_region *out);
id_problem han_variant_parse(const char *s, size_t len, han_variant *out);

/* Canonical names ("ESME", "InstalledNotCommissioned", "North", "Dual Band"); "" for UNKNOWN or
 * out of range. */
const char *device_type_name(device_type t);
const char *device_status_name(device_status s);
const char *csp_region_name(csp_region r);
const char *han_variant_name(han_variant h);

/* Lower-case region as used by limit-set bands' `regions` ("north", "central", "south"). */
const char *csp_region_id(csp_region r);

/* The statuses counted as installed ("on the wall") and so judged, as a set of 1u << status
 * bits. The default (device_statuses_installed_default):
 *   InstalledNotCommissioned, Commissioned - installed at the premises;
 *   Whitelisted - in the Smart Metering Inventory a device is normally whitelisted once it is
 *     fitted and joined to its Communications Hub: a noisy whitelisted meter is on the wall;
 *   Suspended - still installed: suspension (e.g. its model left the Certified Products List)
 *     stops most DCC services, not the meter's radio noise;
 *   Recovery, Recovered - an installed device whose security credentials are being / have been
 *     replaced after a compromise; it stays where it is.
 * Not installed: Pending (in the inventory, not yet installed), Decommissioned (removed),
 * Withdrawn (withdrawn from the inventory), NotApplicable, and UNKNOWN. --installed-statuses
 * overrides the set (device_statuses_parse). */
unsigned device_statuses_installed_default(void);
bool device_status_in(unsigned set, device_status s);
/* "Commissioned,Suspended" (DUIS names, case-insensitive, comma-separated, no empties) into a
 * set; ID_OK, else the problem with *bad_at the offending name's offset. */
id_problem device_statuses_parse(const char *list, unsigned *set, size_t *bad_at);
/* The set as DUIS names joined by ',' in code-list order into buf (size bytes). */
void device_statuses_text(unsigned set, char *buf, size_t size);
/* device_status_in(device_statuses_installed_default(), s). */
bool device_status_on_wall(device_status s);

/* Whether devices of this type carry an ImportMPxN: ESME (MPAN core) and GSME (MPRN). */
bool device_type_has_mpxn(device_type t);

#endif
