/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_progress.c: the progress line's text (issue 17: samples done, rate in MS/s, time left),
 * known answers from fixed times, no clock involved; and that a progress on a non-terminal or
 * under --quiet draws nothing (stderr here is not a terminal under ctest). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "progress.h"

static void check_line(const char *want, uint64_t done, uint64_t total, double t, int samples)
{
    char got[256];
    progress_format(got, sizeof got, "reading x.wav", done, total, t, samples);
    CHECK_MSG(strcmp(got, want) == 0, "got '%s', want '%s'", got, want);
}

int main(void)
{
    /* 105.7 of 256 MS in 0.265 s: 398.9 MS/s, 150.3 MS left: 0.38 s */
    check_line("reading x.wav:  41.3 %  105.7 of 256.0 MS  399 MS/s  0.4 s left", 105700000,
               256000000, 0.265, 1);
    /* long work: the time left in whole seconds */
    check_line("reading x.wav:   2.0 %  100.0 of 5000.0 MS  50 MS/s  98 s left", 100000000,
               5000000000ull, 2.0, 1);
    /* standard input: no total */
    check_line("reading x.wav: 12.0 MS  20 MS/s  (1 s)", 12000000, 0, 0.6, 1);
    /* other units keep the percentage and the elapsed time */
    check_line("reading x.wav:  50.0 %  (3 s)", 5, 10, 3.0, 0);
    check_line("reading x.wav: 7  (2 s)", 7, 0, 2.0, 0);
    progress *p = progress_create_samples("quiet", 100, 1);
    progress_update(p, 50);
    progress_destroy(p);
    p = progress_create_samples("not a terminal", 100, 0);
    progress_update(p, 50);
    progress_destroy(p);
    return check_finish();
}
