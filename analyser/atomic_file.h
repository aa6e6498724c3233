/* SPDX-License-Identifier: GPL-2.0-or-later */
/* atomic_file.h: write an output file under a temporary name and rename it into place, so that a
 * reader never sees a half-written file and an interrupted run leaves the previous one intact. */
#ifndef RFN_ATOMIC_FILE_H
#define RFN_ATOMIC_FILE_H

#include <stdio.h>

#include "rfn_error.h"

typedef struct atomic_file atomic_file;

/* Open a temporary file beside path (same directory, so rename(2) is atomic) for writing. */
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
