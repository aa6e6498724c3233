/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fft_wisdom.c: FFTW wisdom file in the user's cache directory, loaded before planning and saved
 * (atomically) after, so that FFTW_MEASURE planning is paid once per machine. */
#include "fft_wisdom.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "fft.h"

#define WISDOM_NAME "fftwf-wisdom"
#define WISDOM_MAX_BYTES ((long)16 << 20)

rfn_status fft_wisdom_default_path(char *buf, size_t len, rfn_error *err)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, len, "%s/rfnoise/" WISDOM_NAME, xdg);
    else if (home && home[0])
        n = snprintf(buf, len, "%s/.cache/rfnoise/" WISDOM_NAME, home);
    else
        return rfn_error_set(err, RFN_ERR_NOTFOUND,
                             "fft wisdom: neither XDG_CACHE_HOME nor HOME is set");
    if (n < 0 || (size_t)n >= len)
        return rfn_error_set(err, RFN_ERR_INVALID, "fft wisdom: cache path too long");
    return RFN_OK;
}

rfn_status fft_wisdom_load(const char *path, rfn_error *err)
{
    char def[4096];
    if (!path) {
        rfn_status st = fft_wisdom_default_path(def, sizeof def, err);
        if (st)
            return st == RFN_ERR_NOTFOUND ? RFN_OK : st;
        path = def;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return RFN_OK;
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(errno));
    }
    rfn_status st = RFN_OK;
    char *text = NULL;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || size > WISDOM_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0) {
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: not a wisdom file (size %ld)", path, size);
        goto done;
    }
    text = malloc((size_t)size + 1);
    if (!text) {
        st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if (fread(text, 1, (size_t)size, f) != (size_t)size) {
        st = rfn_error_set(err, RFN_ERR_IO, "%s: read failed", path);
        goto done;
    }
    text[size] = '\0';
    if (rfn_fft_wisdom_import(text) != RFN_OK)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: FFTW rejected the wisdom", path);
done:
    free(text);
    fclose(f);
    return st;
}

/* mkdir -p for the directory part of path. */
static rfn_status make_parent(const char *path, rfn_error *err)
{
    char dir[4096];
    size_t len = strlen(path);
    if (len >= sizeof dir)
        return rfn_error_set(err, RFN_ERR_INVALID, "fft wisdom: path too long");
    memcpy(dir, path, len + 1);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return RFN_OK;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return rfn_error_set(err, RFN_ERR_IO, "%s: %s", dir, strerror(errno));
        *p = '/';
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", dir, strerror(errno));
    return RFN_OK;
}

rfn_status fft_wisdom_save(const char *path, rfn_error *err)
{
    char def[4096];
    if (!path) {
        rfn_status st = fft_wisdom_default_path(def, sizeof def, err);
        if (st)
            return st;
        path = def;
        st = make_parent(path, err);
        if (st)
            return st;
    }
    char *text = rfn_fft_wisdom_export();
    if (!text)
        return rfn_error_set(err, RFN_ERR_NOMEM, "fft wisdom: FFTW could not export");
    rfn_status st = atomic_file_write_all(path, text, strlen(text), err);
    free(text);
    return st;
}
