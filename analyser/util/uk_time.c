/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uk_time.c: UK civil dates through the C library's time zone support (uk_time.h). */
#include "uk_time.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* localtime_r reads the zone from TZ: the zone is switched to Europe/London for the call and
 * back, under a lock. No other code of rfnoise reads local time, so nothing sees the switch. */
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

bool uk_civil_date(int64_t unix_s, int32_t *days)
{
    if (!zone_file_present()) return false;
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
    if (!ok) return false;
    *days = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return true;
}
