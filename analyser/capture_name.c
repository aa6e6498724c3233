/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_name.c: file-name conventions of gqrx, rtl_433, SDR#, SDRuno and HDSDR. */
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

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return 1;
}

/* "YYYYMMDD" + "HHMMSS" → ISO 8601 UTC, with a plausibility check on each field. */
static int make_time(const char *date, const char *time, char out[CAPTURE_TIME_MAX])
{
    if (!all_digits(date, 8) || date[8] || !all_digits(time, 6)) return -1;
    int y, mo, d, h, mi, s;
    if (sscanf(date, "%4d%2d%2d", &y, &mo, &d) != 3 || sscanf(time, "%2d%2d%2d", &h, &mi, &s) != 3)
        return -1;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 60)
        return -1;
    snprintf(out, CAPTURE_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    return 0;
}

#define MAX_TOKENS 32

void capture_name_parse(const char *path, capture_name_info *out)
{
    memset(out, 0, sizeof *out);
    out->sample_rate_hz = NAN;
    out->center_freq_hz = NAN;
    const char *fmt = capture_name_ext_format(path);
    if (fmt) snprintf(out->format, sizeof out->format, "%s", fmt);

    /* Work on a bounded copy of the stem (the name without its extension). */
    char stem[256];
    snprintf(stem, sizeof stem, "%s", base_name(path));
    char *dot = strrchr(stem, '.');
    if (dot) *dot = '\0';
    char *tok[MAX_TOKENS];
    size_t n = 0;
    for (char *p = stem; n < MAX_TOKENS;) {
        tok[n++] = p;
        p = strchr(p, '_');
        if (!p) break;
        *p++ = '\0';
    }

    static const char *const hz_units[] = {"", NULL};
    static const double hz_mult[] = {1.0};
    static const char *const si_units[] = {"k", "M", "G", NULL};
    static const double si_mult[] = {1e3, 1e6, 1e9};
    static const char *const sdr_units[] = {"Hz", "kHz", "MHz", "KHz", NULL};
    static const double sdr_mult[] = {1.0, 1e3, 1e6, 1e3};
    double f, r;
    char when[CAPTURE_TIME_MAX];

    /* gqrx_YYYYMMDD_HHMMSS_<fHz>_<rateHz>_fc */
    if (n >= 6 && strcmp(tok[0], "gqrx") == 0 && strcmp(tok[5], "fc") == 0 &&
        make_time(tok[1], tok[2], when) == 0 && strlen(tok[2]) == 6 &&
        parse_scaled(tok[3], hz_units, hz_mult, &f) == 0 &&
        parse_scaled(tok[4], hz_units, hz_mult, &r) == 0 && r > 0) {
        out->convention = "gqrx";
        out->center_freq_hz = f;
        out->sample_rate_hz = r;
        memcpy(out->datetime, when, sizeof when);
        return;
    }
    /* <Tool>_YYYYMMDD_HHMMSSZ_<f>(Hz|kHz|MHz)[_...] (SDR#, SDRuno, HDSDR). */
    if (n >= 4 && strlen(tok[2]) == 7 && tok[2][6] == 'Z' && make_time(tok[1], tok[2], when) == 0 &&
        parse_scaled(tok[3], sdr_units, sdr_mult, &f) == 0) {
        out->convention = strcmp(tok[0], "SDRSharp") == 0 ? "SDR#"
                          : strcmp(tok[0], "HDSDR") == 0  ? "HDSDR"
                          : strcmp(tok[0], "SDRuno") == 0 ? "SDRuno"
                                                          : "SDR#-style";
        out->center_freq_hz = f;
        memcpy(out->datetime, when, sizeof when);
        return;
    }
    /* rtl_433: ..._<f>[kMG]_<rate>[kMG] at the end of the stem. */
    if (n >= 2 && parse_scaled(tok[n - 2], si_units, si_mult, &f) == 0 &&
        parse_scaled(tok[n - 1], si_units, si_mult, &r) == 0 && r > 0) {
        out->convention = "rtl_433";
        out->center_freq_hz = f;
        out->sample_rate_hz = r;
    }
}
