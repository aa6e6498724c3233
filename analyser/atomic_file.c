/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic_file.c: temp file + fsync + rename, the one way rfnoise writes outputs. */
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct atomic_file {
    FILE *fp;
    char *path;
    char *tmp;
};

rfn_status atomic_file_open(const char *path, atomic_file **out, rfn_error *err)
{
    *out = NULL;
    atomic_file *af = calloc(1, sizeof *af);
    size_t len = strlen(path);
    if (af) {
        af->path = strdup(path);
        af->tmp = malloc(len + 16);
    }
    if (!af || !af->path || !af->tmp) {
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    /* A hidden sibling (".name.XXXXXX") in the same directory, so rename(2) stays atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(af->tmp, path, dir_len);
    snprintf(af->tmp + dir_len, len + 16 - dir_len, ".%s.XXXXXX", path + dir_len);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        int e = errno;
        free(af->tmp);
        af->tmp = NULL;
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot create temporary file: %s", path,
                             strerror(e));
    }
    af->fp = fdopen(fd, "w");
    if (!af->fp) {
        int e = errno;
        close(fd);
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(e));
    }
    *out = af;
    return RFN_OK;
}

FILE *atomic_file_stream(atomic_file *af)
{
    return af->fp;
}

rfn_status atomic_file_commit(atomic_file *af, rfn_error *err)
{
    rfn_status st = RFN_OK;
    int bad = ferror(af->fp) || fflush(af->fp) != 0 || fsync(fileno(af->fp)) != 0;
    int e = errno;
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    af->fp = NULL;
    /* mkstemp makes 0600 files; outputs are ordinary files, readable like any other. */
    if (!bad) {
        mode_t mask = umask(0);
        umask(mask);
        chmod(af->tmp, 0666 & ~mask);
    }
    if (bad)
        st = rfn_error_set(err, RFN_ERR_IO, "%s: write failed: %s", af->path, strerror(e));
    else if (rename(af->tmp, af->path) != 0)
        st = rfn_error_set(err, RFN_ERR_IO, "%s: cannot rename into place: %s", af->path,
                           strerror(errno));
    else {
        free(af->tmp);
        af->tmp = NULL;
    }
    atomic_file_abort(af);
    return st;
}

void atomic_file_abort(atomic_file *af)
{
    if (!af)
        return;
    if (af->fp)
        fclose(af->fp);
    if (af->tmp)
        unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    free(af);
}

rfn_status atomic_file_write_all(const char *path, const void *data, size_t len, rfn_error *err)
{
    atomic_file *af;
    rfn_status st = atomic_file_open(path, &af, err);
    if (st)
        return st;
    if (len && fwrite(data, 1, len, af->fp) != len) {
        int e = errno;
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return atomic_file_commit(af, err);
}
