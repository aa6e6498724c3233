/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic_file.c: temp file + fsync + rename, the one way rfnoise writes outputs; devices, FIFOs
 * and sockets written in place. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "io_guard.h"

struct atomic_file {
    FILE *fp;
    char *path;
    char *tmp; /* NULL when written in place */
};

/* The descriptor behind /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N, or -1. Such a
 * name may resolve to a regular file (stdout redirected), which must still be written through the
 * descriptor the shell opened: a rename would replace the link in /dev instead. */
static int std_stream_fd(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    const char *n = strncmp(path, "/dev/fd/", 8) == 0          ? path + 8
                    : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                               : NULL;
    if (!n || !*n || strspn(n, "0123456789") != strlen(n) || strlen(n) > 6)
        return -1;
    return atoi(n);
}

/* Connect to a Unix stream socket at path (a listener such as `nc -lU`). */
static int connect_socket(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        fd = -1;
    }
    return fd;
}

/* An existing character device, FIFO or socket (/dev/null, a named pipe) is opened and written in
 * place: renaming a temporary file over it would replace the device node with a regular file
 * (as root, /dev/null). *fd is the descriptor to write when path is such a file (or a standard
 * stream), -1 when it is a regular file or a new path (temp + rename). */
static rfn_status open_in_place(const char *path, int *fd, rfn_error *err)
{
    struct stat st;
    int sfd = std_stream_fd(path);
    *fd = -1;
    if (sfd >= 0) {
        if (sfd == 1)
            fflush(stdout);
        *fd = fcntl(sfd, F_DUPFD_CLOEXEC, 3);
    } else if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) {
        return RFN_OK;
    } else if (S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) {
        return rfn_error_set(err, RFN_ERR_INVALID, "%s: is %s: give a file name for the output",
                             path, io_file_kind(st.st_mode));
    } else {
        *fd = S_ISSOCK(st.st_mode) ? connect_socket(path) : open(path, O_WRONLY | O_CLOEXEC);
    }
    if (*fd < 0)
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot open for writing: %s", path,
                             strerror(errno));
    return RFN_OK;
}

rfn_status atomic_file_open(const char *path, atomic_file **out, rfn_error *err)
{
    *out = NULL;
    rfn_status gst = io_declare_output(path, err);
    if (gst)
        return gst;
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
    int fd;
    rfn_status pst = open_in_place(path, &fd, err);
    if (pst || fd >= 0) {
        free(af->tmp);
        af->tmp = NULL;
        if (!pst && !(af->fp = fdopen(fd, "w"))) {
            pst = rfn_error_set(err, RFN_ERR_IO, "%s: %s", path, strerror(errno));
            close(fd);
        }
        if (pst) {
            atomic_file_abort(af);
            return pst;
        }
        *out = af;
        return RFN_OK;
    }
    /* A hidden sibling (".name.XXXXXX") in the same directory, so rename(2) stays atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    memcpy(af->tmp, path, dir_len);
    snprintf(af->tmp + dir_len, len + 16 - dir_len, ".%s.XXXXXX", path + dir_len);
    fd = mkstemp(af->tmp);
    if (fd < 0) {
        int e = errno;
        free(af->tmp);
        af->tmp = NULL;
        atomic_file_abort(af);
        return rfn_error_set(err, RFN_ERR_IO, "%s: cannot create temporary file: %s", path,
                             strerror(e));
    }
    af->fp = fdopen(fd, "w");
    /* Large outputs (a million-row devices.csv) in 1 MiB writes rather than 4 KiB ones. */
    if (af->fp)
        setvbuf(af->fp, NULL, _IOFBF, 1u << 20);
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
    /* In place (a device or FIFO) there is nothing to sync or rename: flush and close. */
    int bad = ferror(af->fp) || fflush(af->fp) != 0 || (af->tmp && fsync(fileno(af->fp)) != 0);
    int e = errno;
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    af->fp = NULL;
    /* mkstemp makes 0600 files; outputs are ordinary files, readable like any other. */
    if (!bad && af->tmp) {
        mode_t mask = umask(0);
        umask(mask);
        chmod(af->tmp, 0666 & ~mask);
    }
    if (bad)
        st = rfn_error_set(err, RFN_ERR_IO, "%s: write failed: %s", af->path, strerror(e));
    else if (af->tmp && rename(af->tmp, af->path) != 0)
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
