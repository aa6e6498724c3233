/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progress.c: rate-limited progress line on a terminal's stderr. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
    int active;
    uint64_t total;
    double started_s;
    double last_s;
    char what[96];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

progress *progress_create(const char *what, uint64_t total, int quiet)
{
    progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->active = !quiet && isatty(STDERR_FILENO);
    p->total = total;
    p->started_s = p->last_s = now_s();
    snprintf(p->what, sizeof p->what, "%s", what ? what : "");
    return p;
}

void progress_update(progress *p, uint64_t done)
{
    if (!p || !p->active)
        return;
    double t = now_s();
    if (t - p->last_s < 0.25)
        return;
    p->last_s = t;
    if (p->total)
        fprintf(stderr, "\r%s: %5.1f %%  (%.0f s)", p->what,
                100.0 * (double)done / (double)p->total, t - p->started_s);
    else
        fprintf(stderr, "\r%s: %llu  (%.0f s)", p->what, (unsigned long long)done,
                t - p->started_s);
    fflush(stderr);
}

void progress_destroy(progress *p)
{
    if (!p)
        return;
    if (p->active)
        fprintf(stderr, "\r\033[K");
    free(p);
}
