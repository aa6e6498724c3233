/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_manifest.c: libFuzzer target for validate's capture manifest (built with -DRFN_FUZZ=ON).
 * The reader takes a path (capture paths are relative to the manifest's folder), so the bytes are
 * written to manifest.csv in a scratch folder made once per process, which also holds a capture
 * file (a.sigmf-meta) and a folder (d); the encoding and date order are chosen by the input's
 * length. Every input is accepted or refused with one line: never a crash, leak or sanitizer
 * report. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"
#include "fuzz_scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], manifest[96], capture[96], subdir[96];

static void remove_scratch(void)
{
    unlink(manifest);
    unlink(capture);
    rmdir(subdir);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/rfn_fuzz_%d.manifest", (int)getpid());
        snprintf(manifest, sizeof manifest, "%s/manifest.csv", dir);
        snprintf(capture, sizeof capture, "%s/a.sigmf-meta", dir);
        snprintf(subdir, sizeof subdir, "%s/d", dir);
        if ((mkdir(dir, 0700) && errno != EEXIST) || (mkdir(subdir, 0700) && errno != EEXIST))
            __builtin_trap();
        fuzz_write_all(capture, "{}", 2);
        atexit(remove_scratch);
    }
    fuzz_write_all(manifest, data, size);
    csv_input in = {.encoding = (csv_encoding)(size % 3), .dates = (date_order)(size / 3 % 3)};
    rfn_error err = {0};
    size_t n = 0;
    if (validate_load_manifest(manifest, &in, &n, &err) != RFN_OK) {
        if (!err.msg[0] || strchr(err.msg, '\n')) __builtin_trap();
    } else if (n > size) {
        __builtin_trap(); /* every capture takes at least one byte */
    }
    return 0;
}
