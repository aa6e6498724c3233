/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io_guard.h: the one door inputs come in by and the one check outputs pass, so that no command
 * hangs on a FIFO or a device given as an input, and no output ever replaces one of the inputs.
 *
 * Every input file (captures, SigMF pairs, registers, manifests, limit sets, calibration,
 * derogations, lab results, workspace databases) is opened with io_open_input / io_fopen_input,
 * which refuse anything but a regular file and record the file's device and inode. Every output
 * (atomic_file_open, and each file an output folder will receive, declared up front) is checked
 * with io_declare_output. Whichever of an input and an output comes second is refused, so the
 * order in which a command opens its files does not matter. The registry is process-wide and
 * thread-safe. */
#ifndef RFN_IO_GUARD_H
#define RFN_IO_GUARD_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "rfn_error.h"

/* Open path read-only as an input: O_NONBLOCK so that a FIFO without a writer or a device cannot
 * block the open, then fstat: anything but a regular file is RFN_ERR_INVALID "<path>: is a FIFO,
 * not a regular file (inputs must be files)" (likewise a character device, a block device, a
 * socket, a directory); then O_NONBLOCK is cleared. *size (may be NULL) is the size at open:
 * readers stop there, so a file growing while it is read cannot keep them going. The file is
 * recorded as an input; when it is an output already declared, RFN_ERR_CONFLICT (see
 * io_declare_output). Missing file: RFN_ERR_NOTFOUND "<path>: no such file". *fd is -1 on
 * failure; the caller closes it on success. */
rfn_status io_open_input(const char *path, int *fd, int64_t *size, rfn_error *err);

/* io_open_input as a stdio stream opened "rb" (*fp NULL on failure; fclose it). */
rfn_status io_fopen_input(const char *path, FILE **fp, int64_t *size, rfn_error *err);

/* Without opening it: RFN_ERR_INVALID as io_open_input when path exists (following symlinks) and
 * is not a regular file; RFN_OK when it is one or does not exist (the reader reports that). For
 * lists of inputs (a manifest) checked before any is read. */
rfn_status io_check_regular(const char *path, rfn_error *err);

/* Record a file that another library opens itself (SQLite) as an input, by stat(2) of path; a
 * path that does not exist yet is not recorded. RFN_ERR_CONFLICT as io_open_input. */
rfn_status io_note_input(const char *path, rfn_error *err);

/* Say that path will be written. When path exists (following symlinks; hard links share the
 * inode) and is the same file as a recorded input: RFN_ERR_CONFLICT "<path>: this output is the
 * input <input>: give another output". An existing output is remembered, so that an input opened
 * later that is the same file is refused with the same line. Calling it again for the same path
 * is harmless. */
rfn_status io_declare_output(const char *path, rfn_error *err);

/* io_declare_output for each of the n files named in dir (dir/names[i]): the files an output
 * folder will receive, declared before the command reads or writes anything, so that a clash is
 * refused before any work is done or any file written. */
rfn_status io_declare_outputs_in(const char *dir, const char *const *names, size_t n,
                                 rfn_error *err);

/* json_load_file through io_fopen_input: NULL when path is not a regular file or does not parse,
 * with je->text (je may be NULL) holding the reason, without the path. */
json_t *io_json_load(const char *path, json_error_t *je);

/* Forget every input and output (tests; a process running several commands in turn). */
void io_guard_reset(void);

/* "a FIFO", "a character device", "a block device", "a socket", "a directory", "a symbolic
 * link" or "not a regular file" for an st_mode. */
const char *io_file_kind(unsigned mode);

#endif
