/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_capture.h: what the capture fuzz targets check of capture_open + capture_read over one
 * file: accepted gives a positive rate and sample count and reads exactly sample_count frames;
 * refused gives a one-line message. A failed read is allowed only when read_error_ok (a chunk
 * walker may accept a header whose data then fails), but its message is not checked. */
#ifndef RFN_FUZZ_CAPTURE_H
#define RFN_FUZZ_CAPTURE_H

#include <complex.h>
#include <stdint.h>
#include <string.h>

#include "capture.h"

/* Trap unless err holds exactly one line. */
static inline void fuzz_check_one_line(const rfn_error *err)
{
    if (!err->msg[0] || strchr(err->msg, '\n'))
        __builtin_trap();
}

/* Open path with o and read it to the end in pieces of frames (1 ... 64). */
static inline void fuzz_open_and_read(const char *path, const capture_options *o, size_t frames,
                                      int read_error_ok)
{
    capture *c = NULL;
    rfn_error err = {0};
    if (capture_open(path, o, &c, &err) != RFN_OK) {
        fuzz_check_one_line(&err);
        return;
    }
    const capture_meta *m = capture_get_meta(c);
    if (!(m->sample_rate_hz > 0) || m->sample_count <= 0) __builtin_trap();
    float complex buf[64];
    size_t got;
    int64_t n = 0;
    rfn_status st;
    while ((st = capture_read(c, buf, frames, &got, &err)) == RFN_OK)
        n += (int64_t)got;
    if (st == RFN_ERR_EOF ? n != m->sample_count : !read_error_ok) __builtin_trap();
    capture_close(c);
}

#endif
