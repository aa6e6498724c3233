/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uk_time.c: UK civil dates through the C library's time zone support (uk_time.h). */
#include "uk_time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* localtime_r reads the zone from TZ: the zone is switched to Europe/London while a year is read
 * (and back), under a lock. No other code of rfnoise reads local time, so nothing sees it. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* glibc falls back to UTC, silently, when the zone file is missing: look for it first. */
static bool zone_file_present(void)
{
    const char *dir = getenv("TZDIR");
    char path[1100];
    snprintf(path, sizeof path, "%s/Europe/London", dir && *dir ? dir : "/usr/share/zoneinfo");
    return access(path, R_OK) == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level
 * date algorithms", days_from_civil). */
static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Summer time in a year as [start, end) in Unix seconds, from the zone data: read once per year
 * under the lock (switching TZ and reading the zone file cost some 30 µs a call, too much for a
 * register of a million zoned date-times). Europe/London has used only +0 and +1 h since 1972. */
enum { YEAR_FIRST = 1972, YEAR_COUNT = 200 };
typedef struct summer {
    bool known;
    int64_t start, end; /* start == end: no summer time that year */
} summer;
static summer summers[YEAR_COUNT];

/* With TZ=Europe/London set: the first hour of year y from which tm_isdst is `dst`, scanning
 * from `from`; the year's end when none. Transitions fall on the hour (01:00 UTC). */
static int64_t next_change(int64_t from, int64_t year_end, int dst)
{
    for (int64_t t = from; t < year_end; t += 3600) {
        time_t tt = (time_t)t;
        struct tm tm;
        if (localtime_r(&tt, &tm) && (tm.tm_isdst > 0) == dst) return t;
    }
    return year_end;
}

static bool summer_of(int year, summer *out)
{
    if (year < YEAR_FIRST || year >= YEAR_FIRST + YEAR_COUNT) return false;
    summer *s = &summers[year - YEAR_FIRST];
    pthread_mutex_lock(&tz_lock);
    if (!s->known) {
        const char *old = getenv("TZ");
        char *saved = old ? strdup(old) : NULL;
        setenv("TZ", "Europe/London", 1);
        tzset();
        int64_t y0 = (int64_t)days_from_civil(year, 1, 1) * 86400;
        int64_t y1 = (int64_t)days_from_civil(year + 1, 1, 1) * 86400;
        s->start = next_change(y0, y1, 1);
        s->end = next_change(s->start, y1, 0);
        s->known = true;
        if (saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
        free(saved);
    }
    *out = *s;
    pthread_mutex_unlock(&tz_lock);
    return true;
}

/* Outside the cached years: localtime_r itself, switching TZ for the one call. */
static bool date_by_localtime(int64_t unix_s, int32_t *days)
{
    pthread_mutex_lock(&tz_lock);
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", "Europe/London", 1);
    tzset();
    time_t t = (time_t)unix_s;
    struct tm tm;
    bool ok = localtime_r(&t, &tm) != NULL;
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    pthread_mutex_unlock(&tz_lock);
    if (ok) *days = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return ok;
}

bool uk_civil_date(int64_t unix_s, int32_t *days)
{
    if (!zone_file_present()) return false;
    int64_t day = unix_s >= 0 ? unix_s / 86400 : -((-unix_s + 86399) / 86400);
    int y = 1970 + (int)(day / 365);
    while (days_from_civil(y, 1, 1) > day) y--;
    while (days_from_civil(y + 1, 1, 1) <= day) y++;
    summer s;
    if (!summer_of(y, &s)) return date_by_localtime(unix_s, days);
    int64_t local = unix_s + (unix_s >= s.start && unix_s < s.end ? 3600 : 0);
    *days = (int32_t)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
    return true;
}
