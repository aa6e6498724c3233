/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.h: progress lines on stderr for long work, shown only when stderr is a terminal and
 * the user did not ask for --quiet; stdout is never touched. */
#ifndef RFN_PROGRESS_H
#define RFN_PROGRESS_H

#include <stdint.h>

typedef struct progress progress;

/* Start reporting a task of `total` units (0 when unknown) named `what` ("reading capture.cu8").
 * quiet != 0 or a non-terminal stderr make every call a no-op. Returns NULL on allocation failure,
 * which the other calls accept as "no progress". */
progress *progress_create(const char *what, uint64_t total, int quiet);

/* Report that `done` units are finished; redraws at most a few times a second. */
void progress_update(progress *p, uint64_t done);

/* Clear the line. NULL is a no-op. */
void progress_destroy(progress *p);

#endif
