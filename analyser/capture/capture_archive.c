/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_archive.c: the recordings of a SigMF archive, a POSIX ustar tar holding one folder per
 * recording with its NAME.sigmf-meta and NAME.sigmf-data (capture_internal.h, capture.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "capture_internal.h"

#define MAX_MEMBERS 4096

/* A number field: octal, or GNU's base-256 form (first byte 0x80) for sizes of 8 GiB or more. */
static int64_t tar_number(const unsigned char *p, size_t n)
{
    int64_t v = 0;
    size_t i = 0;
    if (p[0] & 0x80) {
        for (i = 1; i < n; i++) {
            if (v > (INT64_MAX >> 8)) return -1;
            v = (v << 8) | p[i];
        }
        return v;
    }
    while (i < n && p[i] == ' ')
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
        if (v > (INT64_MAX >> 3)) return -1;
        v = v * 8 + (p[i] - '0');
    }
    return v;
}

/* Every regular member of the archive, in order, into *out (free it). */
static rfn_status tar_scan(int fd, int64_t size, const char *path, tar_member **out, size_t *n,
                           rfn_error *err)
{
    *out = NULL;
    *n = 0;
    tar_member *list = malloc(16 * sizeof *list);
    size_t cap = 16;
    if (!list) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    unsigned char h[512];
    for (int64_t pos = 0; pos + 512 <= size;) {
        rfn_status st = RFN_OK;
        int64_t len = 0;
        if (pread(fd, h, 512, (off_t)pos) != 512)
            st = rfn_error_set(err, RFN_ERR_IO, "%s: offset %lld: cannot read tar header", path,
                               (long long)pos);
        else if (h[0] == '\0')
            break; /* end-of-archive block */
        else if (memcmp(h + 257, "ustar", 5) != 0)
            st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: offset %lld: not a ustar archive", path,
                               (long long)pos);
        else if ((len = tar_number(h + 124, 12)) < 0 || len > size - pos - 512)
            st = rfn_error_set(err, RFN_ERR_TRUNCATED,
                               "%s: offset %lld: tar member size %lld runs past the end of the "
                               "archive",
                               path, (long long)pos, (long long)len);
        else if ((h[156] == '0' || h[156] == '\0') && *n < MAX_MEMBERS) {
            if (*n == cap) {
                tar_member *grown = realloc(list, 2 * cap * sizeof *list);
                if (!grown) st = rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
                else list = grown, cap *= 2;
            }
            if (!st) {
                tar_member *m = &list[(*n)++];
                char nm[101], prefix[156];
                memcpy(nm, h, 100), nm[100] = '\0';
                memcpy(prefix, h + 345, 155), prefix[155] = '\0';
                snprintf(m->name, sizeof m->name, "%s%s%s", prefix, prefix[0] ? "/" : "", nm);
                m->offset = pos + 512;
                m->size = len;
            }
        }
        if (st) {
            free(list);
            *n = 0;
            return st;
        }
        pos += 512 + (len + 511) / 512 * 512;
    }
    *out = list;
    return RFN_OK;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The recording name of a .sigmf-meta member: "x/x.sigmf-meta" -> "x". */
static void recording_name(const char *member, char *out, size_t cap)
{
    const char *slash = strrchr(member, '/');
    const char *base = slash ? slash + 1 : member;
    snprintf(out, cap, "%.*s", (int)(strlen(base) - strlen(".sigmf-meta")), base);
}

/* "a, b, c" (cut at cap) of the recordings' names. */
static void list_names(const tar_member *m, size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < cap; i++) {
        if (!has_suffix(m[i].name, ".sigmf-meta")) continue;
        char name[256];
        recording_name(m[i].name, name, sizeof name);
        int w = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", name);
        used += w > 0 ? (size_t)w : 0;
    }
}

rfn_status capture_archive_find(int fd, int64_t size, const char *path, const char *want,
                                tar_member *meta, tar_member *data, rfn_error *err)
{
    tar_member *m;
    size_t n, n_meta = 0, pick = 0;
    int found = 0;
    rfn_status st = tar_scan(fd, size, path, &m, &n, err);
    if (st) return st;
    char name[256], names[512];
    for (size_t i = 0; i < n; i++) {
        if (!has_suffix(m[i].name, ".sigmf-meta")) continue;
        recording_name(m[i].name, name, sizeof name);
        if (++n_meta == 1 && !want) pick = i;
        if (want && !found && strcmp(name, want) == 0) found = 1, pick = i;
    }
    list_names(m, n, names, sizeof names);
    if (!n_meta)
        st = rfn_error_set(err, RFN_ERR_FORMAT, "%s: no .sigmf-meta member in the archive", path);
    else if (want && !found)
        st = rfn_error_set(err, RFN_ERR_NOTFOUND,
                           "%s: no recording '%s' in the archive (it holds: %s)", path, want,
                           names);
    else if (!want && n_meta > 1)
        st = rfn_error_set(err, RFN_ERR_INVALID,
                           "%s: the archive holds %zu recordings (%s): choose one with "
                           "--recording NAME",
                           path, n_meta, names);
    if (st) {
        free(m);
        return st;
    }
    *meta = m[pick];
    /* Its data: the member of the same path with .sigmf-data. */
    size_t stem = strlen(meta->name) - strlen(".sigmf-meta");
    data->size = -1;
    for (size_t i = 0; i < n && data->size < 0; i++)
        if (strlen(m[i].name) == stem + strlen(".sigmf-data") &&
            strncmp(m[i].name, meta->name, stem) == 0 && has_suffix(m[i].name, ".sigmf-data"))
            *data = m[i];
    free(m);
    if (data->size < 0)
        return rfn_error_set(err, RFN_ERR_NOTFOUND, "%s: no .sigmf-data member for %s in the "
                                                    "archive",
                             path, meta->name);
    return RFN_OK;
}

rfn_status capture_archive_recordings(const char *path, char (*names)[CAPTURE_TEXT_MAX],
                                      size_t max, size_t *n, rfn_error *err)
{
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rfn_status st =
            rfn_error_set(err, fd < 0 && errno == ENOENT ? RFN_ERR_NOTFOUND : RFN_ERR_IO, "%s: %s",
                          path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0) close(fd);
        return st;
    }
    tar_member *m;
    size_t count;
    rfn_status st = tar_scan(fd, (int64_t)sb.st_size, path, &m, &count, err);
    close(fd);
    if (st) return st;
    for (size_t i = 0; i < count; i++)
        if (has_suffix(m[i].name, ".sigmf-meta")) {
            if (*n < max) recording_name(m[i].name, names[*n], CAPTURE_TEXT_MAX);
            (*n)++;
        }
    free(m);
    return RFN_OK;
}
