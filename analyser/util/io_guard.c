/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io_guard.c: regular-file inputs and the input/output registry (io_guard.h). */
#include "io_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct guard_entry {
    dev_t dev;
    ino_t ino;
    int is_output;
    char *path;
} guard_entry;

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static guard_entry *entries;
static size_t n_entries, cap_entries;

const char *io_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFIFO:
        return "a FIFO";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFSOCK:
        return "a socket";
    case S_IFDIR:
        return "a directory";
    case S_IFLNK:
        return "a symbolic link";
    default:
        return "not a regular file";
    }
}

/* Record (dev, ino) as an input or an output, refusing when the other kind holds the same file.
 * Called with guard_lock held. */
static rfn_status record_locked(const struct stat *st, const char *path, int is_output,
                                rfn_error *err)
{
    for (size_t i = 0; i < n_entries; i++) {
        const guard_entry *e = &entries[i];
        if (e->dev != st->st_dev || e->ino != st->st_ino) continue;
        if (e->is_output == is_output) return RFN_OK; /* already known as this kind */
        const char *out = is_output ? path : e->path, *in = is_output ? e->path : path;
        if (strcmp(out, in) == 0)
            return rfn_error_set(err, RFN_ERR_CONFLICT,
                                 "%s: is both an input and an output: give another output", out);
        return rfn_error_set(err, RFN_ERR_CONFLICT,
                             "%s: this output is the input %s: give another output", out, in);
    }
    if (n_entries == cap_entries) {
        size_t nc = cap_entries ? 2 * cap_entries : 16;
        guard_entry *ne = realloc(entries, nc * sizeof *ne);
        if (!ne) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
        entries = ne;
        cap_entries = nc;
    }
    char *copy = strdup(path);
    if (!copy) return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    entries[n_entries++] = (guard_entry){st->st_dev, st->st_ino, is_output, copy};
    return RFN_OK;
}

static rfn_status record(const struct stat *st, const char *path, int is_output, rfn_error *err)
{
    pthread_mutex_lock(&guard_lock);
    rfn_status s = record_locked(st, path, is_output, err);
    pthread_mutex_unlock(&guard_lock);
    return s;
}

static rfn_status not_regular(const char *path, const struct stat *st, rfn_error *err)
{
    return rfn_error_set(err, RFN_ERR_INVALID,
                         "%s: is %s, not a regular file (inputs must be files)", path,
                         io_file_kind(st->st_mode));
}

rfn_status io_open_input(const char *path, int *fd, int64_t *size, rfn_error *err)
{
    *fd = -1;
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return rfn_error_set(err, errno == ENOENT ? RFN_ERR_NOTFOUND : RFN_ERR_IO, "%s: %s", path,
                             errno == ENOENT ? "no such file" : strerror(errno));
    struct stat st;
    rfn_status s = RFN_OK;
    int flags;
    if (fstat(f, &st) != 0)
        s = rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        s = not_regular(path, &st, err);
    else if ((flags = fcntl(f, F_GETFL)) < 0 || fcntl(f, F_SETFL, flags & ~O_NONBLOCK) < 0)
        s = rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(errno));
    else
        s = record(&st, path, 0, err);
    if (s) {
        close(f);
        return s;
    }
    if (size) *size = (int64_t)st.st_size;
    *fd = f;
    return RFN_OK;
}

rfn_status io_check_regular(const char *path, rfn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) return RFN_OK;
    return not_regular(path, &st, err);
}

rfn_status io_fopen_input(const char *path, FILE **fp, int64_t *size, rfn_error *err)
{
    *fp = NULL;
    int fd;
    rfn_status s = io_open_input(path, &fd, size, err);
    if (s) return s;
    *fp = fdopen(fd, "rb");
    if (!*fp) {
        int e = errno;
        close(fd);
        return rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(e));
    }
    return RFN_OK;
}

rfn_status io_note_input(const char *path, rfn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return RFN_OK;
    return record(&st, path, 0, err);
}

rfn_status io_declare_output(const char *path, rfn_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) return RFN_OK; /* a new file cannot be an input */
    return record(&st, path, 1, err);
}

rfn_status io_declare_outputs_in(const char *dir, const char *const *names, size_t n,
                                 rfn_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char path[4400];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path)
            return rfn_error_set(err, RFN_ERR_INVALID, "%s: path too long", dir);
        rfn_status s = io_declare_output(path, err);
        if (s) return s;
    }
    return RFN_OK;
}

json_t *io_json_load(const char *path, json_error_t *je)
{
    rfn_error err = {0};
    FILE *fp;
    if (io_fopen_input(path, &fp, NULL, &err) != RFN_OK) {
        /* The caller names the file itself: keep the reason only. */
        size_t n = strlen(path);
        const char *why = strncmp(err.msg, path, n) == 0 && strncmp(err.msg + n, ": ", 2) == 0
                              ? err.msg + n + 2
                              : err.msg;
        if (je) snprintf(je->text, sizeof je->text, "%.*s", (int)sizeof je->text - 1, why);
        return NULL;
    }
    json_t *root = json_loadf(fp, 0, je);
    fclose(fp);
    return root;
}

void io_guard_reset(void)
{
    pthread_mutex_lock(&guard_lock);
    for (size_t i = 0; i < n_entries; i++)
        free(entries[i].path);
    free(entries);
    entries = NULL;
    n_entries = cap_entries = 0;
    pthread_mutex_unlock(&guard_lock);
}
