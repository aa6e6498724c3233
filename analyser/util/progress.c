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
    int samples; /* units are samples: done, MS/s, time left */
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

progress *progress_create_samples(const char *what, uint64_t total, int quiet)
{
    progress *p = progress_create(what, total, quiet);
    if (p)
        p->samples = 1;
    return p;
}

void progress_format(char *buf, size_t cap, const char *what, uint64_t done, uint64_t total,
                     double elapsed_s, int samples)
{
    double d = (double)done, pct = total ? 100.0 * d / (double)total : 0.0;
    if (!samples) {
        if (total)
            snprintf(buf, cap, "%s: %5.1f %%  (%.0f s)", what, pct, elapsed_s);
        else
            snprintf(buf, cap, "%s: %llu  (%.0f s)", what, (unsigned long long)done, elapsed_s);
        return;
    }
    double rate = elapsed_s > 0 ? d / elapsed_s : 0.0; /* samples per second so far */
    if (!total || !(rate > 0)) {
        snprintf(buf, cap, "%s: %.1f MS  %.0f MS/s  (%.0f s)", what, d / 1e6, rate / 1e6,
                 elapsed_s);
        return;
    }
    double left = done < total ? (double)(total - done) / rate : 0.0;
    snprintf(buf, cap, "%s: %5.1f %%  %.1f of %.1f MS  %.0f MS/s  %.*f s left", what, pct,
             d / 1e6, (double)total / 1e6, rate / 1e6, left < 10 ? 1 : 0, left);
}

void progress_update(progress *p, uint64_t done)
{
    if (!p || !p->active)
        return;
    double t = now_s();
    if (t - p->last_s < 0.25)
        return;
    p->last_s = t;
    char line[256];
    progress_format(line, sizeof line, p->what, done, p->total, t - p->started_s, p->samples);
    /* \033[K: a shorter line (the time left shrinking) leaves no tail of the last one */
    fprintf(stderr, "\r%s\033[K", line);
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
