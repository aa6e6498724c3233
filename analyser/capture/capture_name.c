/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_name.c: file-name conventions of gqrx, rtl_433/rtl_sdr, SDR#, SDRuno, HDSDR, SDR++,
 * KiwiSDR and URH (capture_name.h). */
#include "capture_name.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

const char *capture_name_ext_format(const char *path)
{
    static const struct {
        const char *ext, *fmt;
    } map[] = {
        {"cu8", "cu8"},       {"complex16u", "cu8"},     {"cs8", "ci8"},      {"complex16s", "ci8"},
        {"cs16", "ci16_le"},  {"complex32s", "ci16_le"}, {"cs32", "ci32_le"}, {"cf32", "cf32_le"},
        {"cfile", "cf32_le"}, {"complex", "cf32_le"},    {"raw", "cf32_le"},  {"cf64", "cf64_le"},
    };
    const char *dot = strrchr(base_name(path), '.');
    if (!dot) return NULL;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(dot + 1, map[i].ext) == 0) return map[i].fmt;
    return NULL;
}

/* A whole token as a finite number >= 0 times the multiplier its unit suffix names. */
static int parse_scaled(const char *tok, const char *const *units, const double *mult, double *out)
{
    if (!isdigit((unsigned char)tok[0])) return -1;
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (errno == ERANGE || !isfinite(v) || v < 0 || end == tok) return -1;
    for (size_t i = 0; units[i]; i++)
        if (strcmp(end, units[i]) == 0) {
            *out = v * mult[i];
            return isfinite(*out) ? 0 : -1;
        }
    return -1;
}

/* rtl_sdr's shorthand, an SI letter as the decimal point: "1M6" = 1.6e6, "2M4", "2k5". */
static int parse_si_point(const char *tok, double *out)
{
    static const char letters[] = "kMG";
    static const double mult[] = {1e3, 1e6, 1e9};
    size_t a = strspn(tok, "0123456789");
    const char *l = a && tok[a] ? strchr(letters, tok[a]) : NULL;
    size_t b = l ? strspn(tok + a + 1, "0123456789") : 0;
    if (!l || a > 9 || b == 0 || b > 9 || tok[a + 1 + b]) return -1;
    char num[24];
    snprintf(num, sizeof num, "%.*s.%.*s", (int)a, tok, (int)b, tok + a + 1);
    *out = strtod(num, NULL) * mult[l - letters];
    return 0;
}

static const char *const freq_units[] = {"k", "M", "G", "Hz", "kHz", "MHz", "GHz", NULL};
static const double freq_mult[] = {1e3, 1e6, 1e9, 1.0, 1e3, 1e6, 1e9};
static const char *const rate_units[] = {"k", "M", "sps", "ksps", "Msps", "Sps", "kSps", "MSps",
                                         NULL};
static const double rate_mult[] = {1e3, 1e6, 1.0, 1e3, 1e6, 1.0, 1e3, 1e6};
static const char *const hz_units[] = {"", NULL};
static const double hz_mult[] = {1.0};

static int parse_rate(const char *tok, double *r)
{
    return (parse_scaled(tok, rate_units, rate_mult, r) == 0 || parse_si_point(tok, r) == 0) &&
                   *r > 0
               ? 0
               : -1;
}

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* A plausible date and time as ISO 8601: UTC ("...Z") unless local. */
static int put_time(int y, int mo, int d, int h, int mi, int s, int local,
                    char out[CAPTURE_TIME_MAX])
{
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 60)
        return -1;
    snprintf(out, CAPTURE_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%s", y, mo, d, h, mi, s,
             local ? "" : "Z");
    return 0;
}

/* "YYYYMMDD" + "HHMMSS" (further characters of time ignored) → ISO 8601. */
static int make_time(const char *date, const char *time, int local, char out[CAPTURE_TIME_MAX])
{
    if (!all_digits(date, 8) || date[8] || !all_digits(time, 6)) return -1;
    int y, mo, d, h, mi, s;
    if (sscanf(date, "%4d%2d%2d", &y, &mo, &d) != 3 || sscanf(time, "%2d%2d%2d", &h, &mi, &s) != 3)
        return -1;
    return put_time(y, mo, d, h, mi, s, local, out);
}

#define MAX_TOKENS 32

/* Split s in place at sep into at most MAX_TOKENS tokens. */
static size_t split(char *s, char sep, char **tok)
{
    size_t n = 0;
    for (char *p = s; n < MAX_TOKENS;) {
        tok[n++] = p;
        p = strchr(p, sep);
        if (!p) break;
        *p++ = '\0';
    }
    return n;
}

/* gqrx_YYYYMMDD_HHMMSS_<fHz>_<rateHz>_fc, and the 16-bit fork's ..._fc_16 (cs16 samples). */
static int try_gqrx(char **tok, size_t n, capture_name_info *out)
{
    double f, r;
    if (n < 6 || n > 7 || strcmp(tok[0], "gqrx") || strcmp(tok[5], "fc") ||
        (n == 7 && strcmp(tok[6], "16")) || strlen(tok[2]) != 6 ||
        make_time(tok[1], tok[2], 0, out->datetime) ||
        parse_scaled(tok[3], hz_units, hz_mult, &f) ||
        parse_scaled(tok[4], hz_units, hz_mult, &r) || !(r > 0))
        return -1;
    out->convention = "gqrx";
    out->center_freq_hz = f;
    out->sample_rate_hz = r;
    if (n == 7) snprintf(out->format, sizeof out->format, "ci16_le");
    return 0;
}

/* <Tool>_YYYYMMDD_HHMMSSZ_<f>(Hz|kHz|MHz)[_...] (SDR#, SDRuno, HDSDR). */
static int try_sdrsharp(char **tok, size_t n, capture_name_info *out)
{
    static const char *const sdr_units[] = {"Hz", "kHz", "MHz", "KHz", NULL};
    static const double sdr_mult[] = {1.0, 1e3, 1e6, 1e3};
    double f;
    if (n < 4 || strlen(tok[2]) != 7 || tok[2][6] != 'Z' ||
        make_time(tok[1], tok[2], 0, out->datetime) ||
        parse_scaled(tok[3], sdr_units, sdr_mult, &f))
        return -1;
    out->convention = strcmp(tok[0], "SDRSharp") == 0 ? "SDR#"
                      : strcmp(tok[0], "HDSDR") == 0  ? "HDSDR"
                      : strcmp(tok[0], "SDRuno") == 0 ? "SDRuno"
                                                      : "SDR#-style";
    out->center_freq_hz = f;
    return 0;
}

/* SDR++: (baseband|audio)_<f>Hz_HH-MM-SS_DD-MM-YYYY, in the computer's local time. */
static int try_sdrpp(char **tok, size_t n, capture_name_info *out)
{
    static const char *const units[] = {"Hz", NULL};
    static const double mult[] = {1.0};
    double f;
    int h, mi, s, d, mo, y;
    char c1, c2;
    if (n != 4 || (strcmp(tok[0], "baseband") && strcmp(tok[0], "audio")) ||
        parse_scaled(tok[1], units, mult, &f) || strlen(tok[2]) != 8 || strlen(tok[3]) != 10 ||
        sscanf(tok[2], "%2d-%2d-%2d%c", &h, &mi, &s, &c1) != 3 ||
        sscanf(tok[3], "%2d-%2d-%4d%c", &d, &mo, &y, &c2) != 3 ||
        put_time(y, mo, d, h, mi, s, 1, out->datetime))
        return -1;
    out->convention = "SDR++";
    out->center_freq_hz = f;
    out->time_is_local = 1;
    return 0;
}

/* KiwiSDR (kiwirecorder): YYYYMMDDTHHMMSSZ_<fHz>_<station>[_<mode>], in UTC. */
static int try_kiwi(char **tok, size_t n, capture_name_info *out)
{
    double f;
    char date[9];
    if (n < 3 || strlen(tok[0]) != 16 || tok[0][8] != 'T' || tok[0][15] != 'Z' || !tok[2][0])
        return -1;
    snprintf(date, sizeof date, "%.8s", tok[0]);
    if (make_time(date, tok[0] + 9, 0, out->datetime) ||
        parse_scaled(tok[1], hz_units, hz_mult, &f))
        return -1;
    out->convention = "KiwiSDR";
    out->center_freq_hz = f;
    snprintf(out->station, sizeof out->station, "%s", tok[2]);
    return 0;
}

/* URH: <device>-YYYYMMDD_HHMMSS-<f>-<rate>-<bandwidth>, "_" for the decimal point, local time.
 * The device name may hold dashes itself ("RTL-SDR"): the fields are counted from the end. */
static int try_urh(const char *stem, capture_name_info *out)
{
    char buf[256], *all[MAX_TOKENS];
    snprintf(buf, sizeof buf, "%s", stem);
    size_t n = split(buf, '-', all);
    if (n < 5 || n == MAX_TOKENS) return -1;
    char **t = all + n - 5; /* t[0] the device's last part, t[1] the time, ... */
    if (!all[0][0] || strlen(t[1]) != 15 || t[1][8] != '_') return -1;
    t[1][8] = '\0';
    for (int i = 2; i < 5; i++)
        for (char *p = t[i]; (p = strchr(p, '_'));)
            *p = '.';
    static const char *const hz[] = {"Hz", "kHz", "MHz", "GHz", NULL};
    static const double hz_m[] = {1.0, 1e3, 1e6, 1e9};
    static const char *const sps[] = {"Sps", "kSps", "MSps", NULL};
    static const double sps_m[] = {1.0, 1e3, 1e6};
    double f, r, bw;
    if (make_time(t[1], t[1] + 9, 1, out->datetime) || parse_scaled(t[2], hz, hz_m, &f) ||
        parse_scaled(t[3], sps, sps_m, &r) || !(r > 0) || parse_scaled(t[4], hz, hz_m, &bw))
        return -1;
    out->convention = "URH";
    out->center_freq_hz = f;
    out->sample_rate_hz = r;
    out->bandwidth_hz = bw > 0 ? bw : NAN;
    out->time_is_local = 1;
    size_t dev_len = (size_t)(t[1] - all[0]) - 1; /* the device: everything before the time */
    snprintf(out->hw, sizeof out->hw, "%.*s", (int)dev_len, stem);
    return 0;
}

/* rtl_433 / rtl_sdr: ..._<f>_<rate>[_...], the last such pair; rtl_433 puts it at the end. */
static int try_rtl(char **tok, size_t n, capture_name_info *out)
{
    double f, r;
    for (size_t i = n >= 2 ? n - 1 : 0; i-- > 0;)
        if (parse_scaled(tok[i], freq_units, freq_mult, &f) == 0 &&
            parse_rate(tok[i + 1], &r) == 0) {
            out->convention = i + 2 == n ? "rtl_433" : "rtl_sdr";
            out->center_freq_hz = f;
            out->sample_rate_hz = r;
            return 0;
        }
    return -1;
}

void capture_name_parse(const char *path, capture_name_info *out)
{
    memset(out, 0, sizeof *out);
    out->sample_rate_hz = out->center_freq_hz = out->bandwidth_hz = NAN;
    const char *fmt = capture_name_ext_format(path);
    if (fmt) snprintf(out->format, sizeof out->format, "%s", fmt);

    /* Work on a bounded copy of the stem (the name without its extension). */
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base_name(path));
    char *dot = strrchr(stem, '.');
    if (dot) *dot = '\0';
    capture_name_info keep = *out; /* a convention that fails half-way leaves nothing behind */
    if (try_urh(stem, out) == 0) return;
    *out = keep;
    typedef int (*try_fn)(char **tok, size_t n, capture_name_info *out);
    static const try_fn tries[] = {try_gqrx, try_sdrsharp, try_sdrpp, try_kiwi, try_rtl};
    char *tok[MAX_TOKENS];
    size_t n = split(stem, '_', tok);
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        if (tries[i](tok, n, out) == 0) return;
        *out = keep;
    }
}
