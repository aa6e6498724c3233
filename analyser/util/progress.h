/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.h: progress lines on stderr for long work, shown only when stderr is a terminal and
 * the user did not ask for --quiet; stdout is never touched. */
#ifndef RFN_PROGRESS_H
#define RFN_PROGRESS_H

#include <stddef.h>

#include <stdint.h>

typedef struct progress progress;

/* Start reporting a task of `total` units (0 when unknown) named `what` ("reading capture.cu8").
 * quiet != 0 or a non-terminal stderr make every call a no-op. Returns NULL on allocation failure,
 * which the other calls accept as "no progress". */
progress *progress_create(const char *what, uint64_t total, int quiet);

/* The same for a task counted in samples (a capture read): the line says the samples done, the
 * rate in MS/s and the time left ("reading x.wav: 41.3 %  105.7 of 256.0 MS  398 MS/s  0.4 s
 * left"), or without a total (standard input) the samples and the rate. */
progress *progress_create_samples(const char *what, uint64_t total, int quiet);

/* The line progress_update draws for `done` of `total` units (total 0: unknown) after elapsed_s
 * seconds, into buf (cap bytes, always terminated); samples: the units are samples. Pure: the
 * format tests/analyser/test_progress.c checks. */
void progress_format(char *buf, size_t cap, const char *what, uint64_t done, uint64_t total,
                     double elapsed_s, int samples);

/* Report that `done` units are finished; redraws at most a few times a second. */
void progress_update(progress *p, uint64_t done);

/* Clear the line. NULL is a no-op. */
void progress_destroy(progress *p);

#endif
