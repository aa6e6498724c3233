/* SPDX-License-Identifier: GPL-2.0-or-later */
/* data_dir.c: the run-time data directory (see data_dir.h): $RFNOISE_DATA_DIR, else
 * ../share/rfnoise from the executable's real path. */
#include "data_dir.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[4096];
static const char *dir_origin;
static pthread_once_t dir_once = PTHREAD_ONCE_INIT;

/* Drop the last path component (and the slash before it) in place; "/x" becomes "". */
static void strip_component(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
}

static void find_dir(void)
{
    const char *env = getenv("RFNOISE_DATA_DIR");
    if (env && *env && strlen(env) < sizeof dir) {
        snprintf(dir, sizeof dir, "%s", env);
        dir_origin = "RFNOISE_DATA_DIR";
        return;
    }
    /* realpath, not readlink alone: a symlink to the binary (/usr/local/bin/rfnoise ->
     * /opt/rfnoise/bin/rfnoise) must find the data of the tree the binary came from. */
    char *exe = realpath("/proc/self/exe", NULL);
    if (!exe)
        return;
    strip_component(exe); /* PREFIX/bin */
    strip_component(exe); /* PREFIX */
    int n = snprintf(dir, sizeof dir, "%s/share/rfnoise", exe);
    free(exe);
    if (n > 0 && (size_t)n < sizeof dir)
        dir_origin = "beside the executable";
}

const char *data_dir(const char **origin)
{
    pthread_once(&dir_once, find_dir);
    if (origin)
        *origin = dir_origin;
    return dir_origin ? dir : NULL;
}

rfn_status data_dir_path(const char *rel, char *out, size_t cap, rfn_error *err)
{
    const char *d = data_dir(NULL);
    if (!d)
        return rfn_error_set(err, RFN_ERR_NOTFOUND,
                             "no data directory: /proc/self/exe is unreadable; set "
                             "RFNOISE_DATA_DIR to the folder holding limits/ and calibration/");
    int n = snprintf(out, cap, "%s/%s", d, rel);
    if (n < 0 || (size_t)n >= cap)
        return rfn_error_set(err, RFN_ERR_INVALID, "data directory path too long: %s", d);
    return RFN_OK;
}
