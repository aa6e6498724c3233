/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_scratch.h: the scratch files of the fuzz targets whose readers take paths. */
#ifndef RFN_FUZZ_SCRATCH_H
#define RFN_FUZZ_SCRATCH_H

#include <stddef.h>
#include <stdio.h>

/* Write n bytes to path, truncating it in place (the same inode every run, as io_guard sees it);
 * traps when the scratch file cannot be written, which is the harness's fault, not the input's. */
static inline void fuzz_write_all(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        __builtin_trap();
    if (n && fwrite(p, 1, n, fp) != n)
        __builtin_trap();
    fclose(fp);
}

#endif
