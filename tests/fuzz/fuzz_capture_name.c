/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_capture_name.c: libFuzzer target for the metadata that is not SigMF: file-name
 * conventions, the WAV auxi chunk, the RIFF/RF64 chunk walker, and capture_open's container path
 * over the same bytes (built with -DRFN_FUZZ=ON). */
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "capture_internal.h"
#include "capture_name.h"
#include "fuzz_capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char wav_path[64];

static char sdriq_path[64];

static void remove_scratch(void)
{
    unlink(wav_path);
    if (sdriq_path[0]) unlink(sdriq_path);
}

/* Open path, read it to the end, and check the sample count; or check the one-line error. */
static void open_and_read(const char *path, int allow_truncated)
{
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;
    o.allow_truncated = allow_truncated;
    fuzz_open_and_read(path, &o, 64, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* 1. The bytes as a path. */
    char *name = malloc(size + 1);
    if (!name) return 0;
    memcpy(name, data, size);
    name[size] = '\0';
    capture_name_info n;
    capture_name_parse(name, &n);
    if (n.sample_rate_hz <= 0 || n.center_freq_hz < 0 || isinf(n.center_freq_hz) ||
        memchr(n.datetime, '\0', sizeof n.datetime) == NULL)
        __builtin_trap();
    if ((!isnan(n.sample_rate_hz) || !isnan(n.center_freq_hz) || n.datetime[0]) && !n.convention)
        __builtin_trap();
    capture_name_ext_format(name);
    free(name);

    /* 2. The bytes as an auxi chunk body. */
    capture_riff r;
    memset(&r, 0, sizeof r);
    capture_riff_parse_auxi(data, size, &r);
    if (r.auxi_center_hz <= 0 || memchr(r.auxi_time, '\0', sizeof r.auxi_time) == NULL)
        __builtin_trap();

    /* 3. The bytes as a WAV/RF64 file for the chunk walker. */
    static int fd = -1;
    if (fd < 0) { /* one scratch file for the whole run, rewritten per input */
        snprintf(wav_path, sizeof wav_path, "/tmp/rfn_fuzz_%d.wav", (int)getpid());
        fd = open(wav_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) __builtin_trap();
        atexit(remove_scratch);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        __builtin_trap();
    rfn_error err = {0};
    if (capture_riff_scan(fd, (int64_t)size, "fuzz.wav", &r, &err) == RFN_OK) {
        int64_t total = 0;
        for (size_t i = 0; i < r.n_data; i++) {
            const capture_span *s = &r.data[i];
            if (s->offset < 12 || s->length < 0 || s->offset + s->length > (int64_t)size)
                __builtin_trap();
            total += s->length;
        }
        if (total > (int64_t)size) __builtin_trap();
        capture_riff_free(&r);
    } else {
        fuzz_check_one_line(&err);
    }

    /* 4. The whole container path of capture_open (libsndfile or the data-chunk reader), and
     * for half the inputs the same bytes as an SDRangel .sdriq file. */
    open_and_read(wav_path, size & 1);
    if (size && (data[0] & 1)) {
        static int fd2 = -1;
        if (fd2 < 0) {
            snprintf(sdriq_path, sizeof sdriq_path, "/tmp/rfn_fuzz_%d.sdriq", (int)getpid());
            fd2 = open(sdriq_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
            if (fd2 < 0) __builtin_trap();
        }
        if (ftruncate(fd2, 0) != 0 || pwrite(fd2, data, size, 0) != (ssize_t)size) __builtin_trap();
        open_and_read(sdriq_path, (size >> 1) & 1);
    }
    return 0;
}
