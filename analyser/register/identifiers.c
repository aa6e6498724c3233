/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identifiers.c: EUI-64, MPAN/MPRN check digits, ISO 8601 dates and the DUIS code lists. */
#include "identifiers.h"

#include <stdio.h>
#include <string.h>

#include "uk_time.h"

static const char *const problem_codes[ID_PROBLEM_COUNT] = {
    [ID_OK] = "ok",
    [ID_EMPTY] = "empty",
    [ID_BAD_LENGTH] = "bad-length",
    [ID_BAD_CHAR] = "bad-character",
    [ID_BAD_FORMAT] = "bad-format",
    [ID_BAD_CHECK] = "bad-check-digit",
    [ID_BAD_DATE] = "bad-date",
    [ID_UNKNOWN_CODE] = "unknown-value",
    [ID_BAD_VALUE] = "bad-value",
    [ID_NO_TZDATA] = "no-time-zone-data",
};

static const char *const problem_texts[ID_PROBLEM_COUNT] = {
    [ID_OK] = "ok",
    [ID_EMPTY] = "empty",
    [ID_BAD_LENGTH] = "wrong number of digits",
    [ID_BAD_CHAR] = "invalid character",
    [ID_BAD_FORMAT] = "malformed",
    [ID_BAD_CHECK] = "check digit does not match",
    [ID_BAD_DATE] = "not a valid date",
    [ID_UNKNOWN_CODE] = "not a known value",
    [ID_BAD_VALUE] = "not a real identifier",
    [ID_NO_TZDATA] = "needs the Europe/London time zone data (install tzdata)",
};

const char *id_problem_code(id_problem p)
{
    return (unsigned)p < ID_PROBLEM_COUNT ? problem_codes[p] : "unknown";
}

const char *id_problem_text(id_problem p)
{
    return (unsigned)p < ID_PROBLEM_COUNT ? problem_texts[p] : "unknown problem";
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ---- EUI-64 ------------------------------------------------------------------------------- */

/* All zeros and all ones are the "unset" and "broadcast" values of an EUI-64, never a device. */
static id_problem eui64_done(uint64_t v, uint64_t *out)
{
    if (v == 0 || v == UINT64_MAX) return ID_BAD_VALUE;
    *out = v;
    return ID_OK;
}

id_problem eui64_parse(const char *s, size_t len, uint64_t *out)
{
    if (len == 0) return ID_EMPTY;
    uint64_t v = 0;
    if (len == 16) { /* bare hex */
        for (size_t i = 0; i < 16; i++) {
            int h = hex_value(s[i]);
            if (h < 0) return ID_BAD_CHAR;
            v = v << 4 | (uint64_t)h;
        }
        return eui64_done(v, out);
    }
    if (len != 23) {
        /* Say "bad character" when the length is off because of junk, "bad length" otherwise. */
        for (size_t i = 0; i < len; i++)
            if (hex_value(s[i]) < 0 && s[i] != '-' && s[i] != ':') return ID_BAD_CHAR;
        return ID_BAD_LENGTH;
    }
    char sep = s[2];
    if (sep != '-' && sep != ':') return hex_value(sep) < 0 ? ID_BAD_CHAR : ID_BAD_FORMAT;
    for (size_t i = 0; i < 23; i++) {
        if (i % 3 == 2) {
            if (s[i] != sep)
                return (s[i] == '-' || s[i] == ':' || hex_value(s[i]) >= 0) ? ID_BAD_FORMAT
                                                                            : ID_BAD_CHAR;
            continue;
        }
        int h = hex_value(s[i]);
        if (h < 0) return (s[i] == '-' || s[i] == ':') ? ID_BAD_FORMAT : ID_BAD_CHAR;
        v = v << 4 | (uint64_t)h;
    }
    return eui64_done(v, out);
}

void eui64_format(uint64_t id, char out[EUI64_TEXT_LEN])
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < 8; i++) {
        unsigned b = (unsigned)(id >> (56 - 8 * i)) & 0xffu;
        out[3 * i] = hex[b >> 4];
        out[3 * i + 1] = hex[b & 15];
        out[3 * i + 2] = i < 7 ? '-' : '\0';
    }
}

/* ---- MPAN core and MPRN --------------------------------------------------------------------- */

int mpan_check_digit(const char digits12[12])
{
    /* The MPAN core check (MRA MPAS rules, as quoted in docs/architecture.md §Domain): primes
     * from 3 with 11 left out, so that no weight is a multiple of the modulus. */
    static const int primes[12] = {3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43};
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (digits12[i] - '0') * primes[i];
    return sum % 11 % 10;
}

static id_problem all_digits(const char *s, size_t len)
{
    if (len == 0) return ID_EMPTY;
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i])) return ID_BAD_CHAR;
    return ID_OK;
}

id_problem mpan_core_check(const char *s, size_t len)
{
    id_problem p = all_digits(s, len);
    if (p) return p;
    if (len != 13) return ID_BAD_LENGTH;
    if (mpan_check_digit(s) != s[12] - '0') return ID_BAD_CHECK;
    /* The all-zero core passes the check digit: a placeholder, not a meter point. */
    for (size_t i = 0; i < 13; i++)
        if (s[i] != '0') return ID_OK;
    return ID_BAD_VALUE;
}

/* MPRN check digits. No primary specification (Xoserve / UNC) was found to cite; the algorithm
 * is the one described, with the worked example 3938424403, at
 * https://en.everybodywiki.com/Meter_Point_Reference_Number ("Check digits modulus of the MPRN
 * number"), and matches docs/architecture.md §Domain ("last two digits a mod-11 check"). */
int mprn_check_value(const char *body, size_t body_len)
{
    long sum = 0;
    for (size_t i = 0; i < body_len; i++)
        sum += (long)(body[i] - '0') * (long)(body_len - i);
    return (int)(sum % 11);
}

id_problem mprn_check(const char *s, size_t len)
{
    id_problem p = all_digits(s, len);
    if (p) return p;
    if (len < 6 || len > 10) return ID_BAD_LENGTH;
    int want = mprn_check_value(s, len - 2);
    int got = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');
    if (want != got) return ID_BAD_CHECK;
    for (size_t i = 0; i < len; i++) /* all zeros passes the check: a placeholder */
        if (s[i] != '0') return ID_OK;
    return ID_BAD_VALUE;
}

id_problem mpxn_parse(const char *s, size_t len, mpxn_kind *kind, uint64_t *key)
{
    id_problem p = all_digits(s, len);
    if (p) return p;
    mpxn_kind k;
    if (len == 13) {
        p = mpan_core_check(s, len);
        k = MPXN_MPAN;
    } else if (len >= 6 && len <= 10) {
        p = mprn_check(s, len);
        k = MPXN_MPRN;
    } else {
        return ID_BAD_LENGTH;
    }
    if (p) return p;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    *kind = k;
    *key = (uint64_t)len << 56 | v;
    return ID_OK;
}

void mpxn_format(uint64_t key, char out[14])
{
    int len = (int)(key >> 56);
    uint64_t v = key & ((UINT64_C(1) << 56) - 1);
    if (len < 1 || len > 13) {
        out[0] = '\0';
        return;
    }
    out[len] = '\0';
    for (int i = len - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* ---- dates ---------------------------------------------------------------------------------- */

/* Days from civil and back: Howard Hinnant's algorithms ("chrono-Compatible Low-Level Date
 * Algorithms", days_from_civil / civil_from_days), exact for the proleptic Gregorian calendar. */
int32_t date_from_ymd(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(int32_t days, int *year, int *month, int *day)
{
    int z = days + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

static int days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : dim[month - 1];
}

/* n digits at s[*pos] into *v; false when not all digits. */
static bool take_digits(const char *s, size_t len, size_t *pos, int n, int *v)
{
    if (*pos + (size_t)n > len) return false;
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = s[*pos + (size_t)i];
        if (!is_digit(c)) return false;
        x = x * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *v = x;
    return true;
}

static bool take_char(const char *s, size_t len, size_t *pos, char c)
{
    if (*pos < len && s[*pos] == c) {
        (*pos)++;
        return true;
    }
    return false;
}

/* Shared parser: date, and the UTC offset of a date-time in seconds (0 when none); *zoned
 * says whether a zone ("Z" or an offset) was written. */
static id_problem parse_iso(const char *s, size_t len, int32_t *days, int32_t *sec_of_day,
                            int32_t *offset_s, bool *zoned)
{
    *zoned = false;
    if (len == 0) return ID_EMPTY;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!is_digit(c) && c != '-' && c != ':' && c != 'T' && c != 't' && c != ' ' && c != 'Z' &&
            c != 'z' && c != '+' && c != '.')
            return ID_BAD_CHAR;
    }
    size_t pos = 0;
    int y, mo, d;
    if (!take_digits(s, len, &pos, 4, &y) || !take_char(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &mo) || !take_char(s, len, &pos, '-') ||
        !take_digits(s, len, &pos, 2, &d))
        return ID_BAD_FORMAT;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return ID_BAD_DATE;
    *days = date_from_ymd(y, mo, d);
    *sec_of_day = 0;
    *offset_s = 0;
    if (pos == len) return ID_OK;
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return ID_BAD_FORMAT;
    pos++;
    int hh, mm, ss = 0;
    if (!take_digits(s, len, &pos, 2, &hh) || !take_char(s, len, &pos, ':') ||
        !take_digits(s, len, &pos, 2, &mm))
        return ID_BAD_FORMAT;
    if (take_char(s, len, &pos, ':')) {
        if (!take_digits(s, len, &pos, 2, &ss)) return ID_BAD_FORMAT;
        if (take_char(s, len, &pos, '.')) {
            size_t start = pos;
            while (pos < len && is_digit(s[pos]))
                pos++;
            if (pos == start) return ID_BAD_FORMAT;
        }
    }
    /* 24:00:00 (end of day) is ISO 8601 but never seen in registers; 60 s allows a leap second. */
    if (hh > 23 || mm > 59 || ss > 60) return ID_BAD_DATE;
    *sec_of_day = hh * 3600 + mm * 60 + ss;
    if (pos == len) return ID_OK;
    *zoned = true;
    if (s[pos] == 'Z' || s[pos] == 'z') return pos + 1 == len ? ID_OK : ID_BAD_FORMAT;
    if (s[pos] != '+' && s[pos] != '-') return ID_BAD_FORMAT;
    int sign = s[pos] == '-' ? -1 : 1;
    pos++;
    int oh, om = 0;
    if (!take_digits(s, len, &pos, 2, &oh)) return ID_BAD_FORMAT;
    if (take_char(s, len, &pos, ':')) {
        if (!take_digits(s, len, &pos, 2, &om)) return ID_BAD_FORMAT;
    } else if (pos < len && !take_digits(s, len, &pos, 2, &om)) {
        return ID_BAD_FORMAT;
    }
    if (pos != len) return ID_BAD_FORMAT;
    if (oh > 14 || om > 59) return ID_BAD_DATE;
    *offset_s = sign * (oh * 3600 + om * 60);
    return ID_OK;
}

id_problem iso_date_parse(const char *s, size_t len, int32_t *days)
{
    int32_t d, sec, off;
    bool zoned;
    id_problem p = parse_iso(s, len, &d, &sec, &off, &zoned);
    if (p != ID_OK) return p;
    /* A date-time with a zone is an instant: its date is the UK date it fell on (issue 15:
     * 2022-03-31T23:30-01:00 is 1 April in the UK). Without a zone it is UK local already. */
    if (zoned && !uk_civil_date((int64_t)d * 86400 + sec - off, &d)) return ID_NO_TZDATA;
    *days = d;
    return ID_OK;
}

id_problem iso_datetime_parse(const char *s, size_t len, int64_t *unix_s)
{
    int32_t d, sec, off;
    bool zoned;
    id_problem p = parse_iso(s, len, &d, &sec, &off, &zoned);
    if (p == ID_OK) *unix_s = (int64_t)d * 86400 + sec - off;
    return p;
}

static const char *const order_names[3] = {"ymd", "dmy", "mdy"};
static const char *const order_patterns[3] = {"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY"};

bool date_order_parse(const char *s, date_order *out)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, order_names[i])) {
            *out = (date_order)i;
            return true;
        }
    return false;
}

const char *date_order_name(date_order o)
{
    return (unsigned)o < 3 ? order_names[o] : "?";
}

const char *date_order_pattern(date_order o)
{
    return (unsigned)o < 3 ? order_patterns[o] : "?";
}

/* 1 or 2 digits at s[*pos]. */
static bool take_1_2_digits(const char *s, size_t len, size_t *pos, int *v)
{
    if (!take_digits(s, len, pos, 1, v)) return false;
    int d;
    if (take_digits(s, len, pos, 1, &d)) *v = *v * 10 + d;
    return true;
}

/* " hh:mm" or " hh:mm:ss" at s[pos] to the end. */
static id_problem take_time(const char *s, size_t len, size_t pos, int32_t *sec)
{
    int hh, mm, ss = 0;
    if (!take_char(s, len, &pos, ' ') || !take_1_2_digits(s, len, &pos, &hh) ||
        !take_char(s, len, &pos, ':') || !take_digits(s, len, &pos, 2, &mm))
        return ID_BAD_FORMAT;
    if (take_char(s, len, &pos, ':') && !take_digits(s, len, &pos, 2, &ss)) return ID_BAD_FORMAT;
    if (pos != len) return ID_BAD_FORMAT;
    if (hh > 23 || mm > 59 || ss > 60) return ID_BAD_DATE;
    *sec = hh * 3600 + mm * 60 + ss;
    return ID_OK;
}

id_problem date_parse_order(const char *s, size_t len, date_order order, int32_t *days,
                            int32_t *sec_of_day)
{
    int32_t d, sec = -1, off;
    bool zoned;
    id_problem p = parse_iso(s, len, &d, &sec, &off, &zoned);
    if (p == ID_OK && len == 10) sec = -1; /* a date alone */
    if (p == ID_OK && zoned)                /* the UK date of the instant (iso_date_parse) */
        p = iso_date_parse(s, len, &d);
    if (order == DATE_YMD || p == ID_OK || (len >= 4 && is_digit(s[0]) && is_digit(s[1]) &&
                                            is_digit(s[2]) && is_digit(s[3]))) {
        if (p == ID_OK) {
            *days = d;
            if (sec_of_day) *sec_of_day = sec;
        }
        return p;
    }
    size_t pos = 0;
    int a, b, y;
    if (!take_1_2_digits(s, len, &pos, &a) || pos >= len ||
        (s[pos] != '/' && s[pos] != '.' && s[pos] != '-'))
        return ID_BAD_FORMAT;
    char sep = s[pos++];
    if (!take_1_2_digits(s, len, &pos, &b) || !take_char(s, len, &pos, sep) ||
        !take_digits(s, len, &pos, 4, &y) || (pos < len && is_digit(s[pos])))
        return ID_BAD_FORMAT;
    if (pos < len && (p = take_time(s, len, pos, &sec))) return p;
    int day = order == DATE_DMY ? a : b, month = order == DATE_DMY ? b : a;
    if (y < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(y, month))
        return ID_BAD_DATE;
    *days = date_from_ymd(y, month, day);
    if (sec_of_day) *sec_of_day = sec;
    return ID_OK;
}

const char *date_order_hint(const char *s, size_t len, date_order given)
{
    int32_t x;
    bool dmy = given != DATE_DMY && len && !date_parse_order(s, len, DATE_DMY, &x, NULL);
    bool mdy = given != DATE_MDY && len && !date_parse_order(s, len, DATE_MDY, &x, NULL);
    return dmy && mdy ? "dmy or mdy" : dmy ? "dmy" : mdy ? "mdy" : NULL;
}

/* ---- UTF-8 ----------------------------------------------------------------------------------- */

size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (len < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return n;
}

size_t utf8_valid_prefix(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len((const unsigned char *)s + i, len - i);
        if (!n) break;
        i += n;
    }
    return i;
}

void iso_date_format(int32_t days, char out[ISO_DATE_TEXT_LEN])
{
    int y, m, d;
    date_to_ymd(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        out[0] = '\0';
        return;
    }
    /* Written digit by digit: snprintf with %02d cannot be proven by the compiler to fit. */
    const int parts[3] = {y, m, d}, widths[3] = {4, 2, 2};
    char *p = out;
    for (int k = 0; k < 3; k++) {
        for (int w = widths[k] - 1, v = parts[k]; w >= 0; w--, v /= 10)
            p[w] = (char)('0' + v % 10);
        p += widths[k];
        *p++ = k < 2 ? '-' : '\0';
    }
}

/* ---- PostCode -------------------------------------------------------------------------------- */

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

id_problem postcode_normalise(const char *s, size_t len, char out[POSTCODE_TEXT_LEN])
{
    char c[8];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t') continue;
        if (!is_alpha(s[i]) && !is_digit(s[i])) return ID_BAD_CHAR;
        if (n == sizeof c) return ID_BAD_FORMAT;
        c[n++] = upper(s[i]);
    }
    if (n == 0) return ID_EMPTY;
    if (n < 5) return ID_BAD_FORMAT;
    /* Inward code: digit, letter, letter. */
    if (!is_digit(c[n - 3]) || !is_alpha(c[n - 2]) || !is_alpha(c[n - 1])) return ID_BAD_FORMAT;
    size_t out_n = n - 3;
    bool ok = false;
    if (n == 6 && memcmp(c, "GIR0AA", 6) == 0)
        ok = true; /* GIR 0AA, the one postcode outside the pattern */
    else if (is_alpha(c[0])) {
        size_t k = is_alpha(c[1]) ? 2 : 1; /* area letters */
        size_t rest = out_n - k;           /* district: 9, 99 or 9A */
        if (rest == 1)
            ok = is_digit(c[k]);
        else if (rest == 2)
            ok = is_digit(c[k]) && (is_digit(c[k + 1]) || is_alpha(c[k + 1]));
    }
    if (!ok) return ID_BAD_FORMAT;
    memcpy(out, c, out_n);
    out[out_n] = ' ';
    memcpy(out + out_n + 1, c + out_n, 3);
    out[out_n + 4] = '\0';
    return ID_OK;
}

bool postcode_in_area(const char *postcode, const char *prefix)
{
    size_t pl = strlen(prefix), cl = strlen(postcode);
    if (pl == 0 || cl == 0) return false;
    const char *space = strchr(postcode, ' ');
    size_t outward = space ? (size_t)(space - postcode) : cl;
    bool letters_only = true, has_space = false;
    for (size_t i = 0; i < pl; i++) {
        if (prefix[i] == ' ')
            has_space = true;
        else if (!is_alpha(prefix[i]))
            letters_only = false;
    }
    if (has_space) {
        if (pl > cl) return false;
        for (size_t i = 0; i < pl; i++)
            if (upper(prefix[i]) != postcode[i]) return false;
        return true;
    }
    size_t want = outward;
    if (letters_only) {
        want = 0;
        while (want < outward && is_alpha(postcode[want]))
            want++;
    }
    if (want != pl) return false;
    for (size_t i = 0; i < pl; i++)
        if (upper(prefix[i]) != postcode[i]) return false;
    return true;
}

/* ---- code lists ------------------------------------------------------------------------------ */

static const char *const type_names[DEVICE_TYPE_COUNT] = {
    "", "ESME", "GSME", "CHF", "GPF", "PPMID", "HCALCS",
};
static const char *const status_names[DEVICE_STATUS_COUNT] = {
    "",
    "Pending",
    "Whitelisted",
    "InstalledNotCommissioned",
    "Commissioned",
    "Decommissioned",
    "Withdrawn",
    "Suspended",
    "Recovery",
    "Recovered",
    "NotApplicable",
};
static const char *const region_names[CSP_REGION_COUNT] = {"", "North", "Central", "South"};
static const char *const region_ids[CSP_REGION_COUNT] = {"", "north", "central", "south"};
static const char *const han_names[HAN_VARIANT_COUNT] = {"", "Single Band", "Dual Band"};

static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ignorable(char c)
{
    return c == ' ' || c == '-' || c == '_' || c == '\t';
}

/* Compare ignoring case and the separators space, '-' and '_'. */
static bool loose_equal(const char *s, size_t len, const char *name)
{
    size_t i = 0;
    for (;;) {
        while (i < len && ignorable(s[i]))
            i++;
        while (*name && ignorable(*name))
            name++;
        if (i == len || !*name) return i == len && !*name;
        if (fold(s[i]) != fold(*name)) return false;
        i++;
        name++;
    }
}

static id_problem lookup(const char *s, size_t len, const char *const *names, int count, int *out)
{
    size_t i = 0;
    while (i < len && ignorable(s[i]))
        i++;
    if (i == len) return ID_EMPTY;
    for (int k = 1; k < count; k++) {
        if (loose_equal(s, len, names[k])) {
            *out = k;
            return ID_OK;
        }
    }
    return ID_UNKNOWN_CODE;
}

id_problem device_type_parse(const char *s, size_t len, device_type *out)
{
    int k = 0;
    id_problem p = lookup(s, len, type_names, DEVICE_TYPE_COUNT, &k);
    if (p == ID_OK) *out = (device_type)k;
    return p;
}

id_problem device_status_parse(const char *s, size_t len, device_status *out)
{
    int k = 0;
    id_problem p = lookup(s, len, status_names, DEVICE_STATUS_COUNT, &k);
    if (p == ID_OK) *out = (device_status)k;
    return p;
}

id_problem csp_region_parse(const char *s, size_t len, csp_region *out)
{
    int k = 0;
    id_problem p = lookup(s, len, region_names, CSP_REGION_COUNT, &k);
    if (p == ID_OK) *out = (csp_region)k;
    return p;
}

id_problem han_variant_parse(const char *s, size_t len, han_variant *out)
{
    int k = 0;
    id_problem p = lookup(s, len, han_names, HAN_VARIANT_COUNT, &k);
    if (p == ID_OK) *out = (han_variant)k;
    return p;
}

const char *device_type_name(device_type t)
{
    return (unsigned)t < DEVICE_TYPE_COUNT ? type_names[t] : "";
}

const char *device_status_name(device_status s)
{
    return (unsigned)s < DEVICE_STATUS_COUNT ? status_names[s] : "";
}

const char *csp_region_name(csp_region r)
{
    return (unsigned)r < CSP_REGION_COUNT ? region_names[r] : "";
}

const char *csp_region_id(csp_region r)
{
    return (unsigned)r < CSP_REGION_COUNT ? region_ids[r] : "";
}

const char *han_variant_name(han_variant h)
{
    return (unsigned)h < HAN_VARIANT_COUNT ? han_names[h] : "";
}

unsigned device_statuses_installed_default(void)
{
    static const device_status installed[] = {
        DEVICE_STATUS_INSTALLED_NOT_COMMISSIONED, DEVICE_STATUS_COMMISSIONED,
        DEVICE_STATUS_WHITELISTED, DEVICE_STATUS_SUSPENDED, DEVICE_STATUS_RECOVERY,
        DEVICE_STATUS_RECOVERED};
    unsigned set = 0;
    for (size_t i = 0; i < sizeof installed / sizeof *installed; i++)
        set |= 1u << installed[i];
    return set;
}

bool device_status_in(unsigned set, device_status s)
{
    return (unsigned)s < DEVICE_STATUS_COUNT && (set >> s & 1u);
}

bool device_status_on_wall(device_status s)
{
    return device_status_in(device_statuses_installed_default(), s);
}

id_problem device_statuses_parse(const char *list, unsigned *set, size_t *bad_at)
{
    unsigned out = 0;
    size_t pos = 0, len = strlen(list);
    for (;;) {
        size_t end = pos;
        while (end < len && list[end] != ',')
            end++;
        device_status st;
        id_problem p = device_status_parse(list + pos, end - pos, &st);
        if (p == ID_OK && st == DEVICE_STATUS_UNKNOWN) p = ID_UNKNOWN_CODE;
        if (p != ID_OK) {
            *bad_at = pos;
            return p;
        }
        out |= 1u << st;
        if (end == len) break;
        pos = end + 1;
    }
    *set = out;
    return ID_OK;
}

void device_statuses_text(unsigned set, char *buf, size_t size)
{
    size_t n = 0;
    if (size) buf[0] = '\0';
    for (int s = 1; s < DEVICE_STATUS_COUNT; s++)
        if (set >> s & 1u)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
                                  status_names[s]);
}

bool device_type_has_mpxn(device_type t)
{
    return t == DEVICE_TYPE_ESME || t == DEVICE_TYPE_GSME;
}
