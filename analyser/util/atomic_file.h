/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic_file.h: write an output file under a temporary name and rename it into place, so that a
 * reader never sees a half-written file and an interrupted run leaves the previous one intact. */
#ifndef RFN_ATOMIC_FILE_H
#define RFN_ATOMIC_FILE_H

#include <stdio.h>

#include "rfn_error.h"

typedef struct atomic_file atomic_file;

/* Open a temporary file beside path (same directory, so rename(2) is atomic) for writing. Only a
 * regular file or a new path is replaced that way: an existing character device, FIFO or socket
 * (/dev/null, a named pipe) and /dev/stdout, /dev/stderr, /dev/fd/N are written in place, and a
 * directory or block device is RFN_ERR_INVALID. path is first checked against the inputs
 * (io_declare_output): an output that is one of the inputs is RFN_ERR_CONFLICT. */
rfn_status atomic_file_open(const char *path, atomic_file **out, rfn_error *err);

/* The stream to write to (owned by the atomic_file). */
FILE *atomic_file_stream(atomic_file *af);

/* Flush, fsync and rename over path. A write error seen on the stream fails the commit and
 * removes the temporary file; either way af is freed. */
rfn_status atomic_file_commit(atomic_file *af, rfn_error *err);

/* Remove the temporary file and free af, leaving any previous file at path untouched. NULL is a
 * no-op. */
void atomic_file_abort(atomic_file *af);

/* Convenience: write len bytes of data to path atomically. */
rfn_status atomic_file_write_all(const char *path, const void *data, size_t len, rfn_error *err);

#endif
