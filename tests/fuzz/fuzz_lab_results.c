/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_lab_results.c: libFuzzer target for validate's lab results (built with -DRFN_FUZZ=ON): a
 * folder holding index.csv (result,Manufacturer,Model,Firmware) and the `rfnoise analyse --format
 * json` results it names. The reader takes a folder, so the input is written into a scratch
 * folder made once per process: the bytes before the first NUL become index.csv, those after it
 * r.json (without a NUL, index.csv only, and r.json keeps its last contents). The encoding and
 * date order are chosen by the input's length. Every input is accepted or refused with one line:
 * never a crash, leak or sanitizer report. */
#define _GNU_SOURCE /* memmem */
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

static char dir[64], index_csv[96], result[96];

static void remove_scratch(void)
{
    unlink(index_csv);
    unlink(result);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/rfn_fuzz_%d.lab", (int)getpid());
        snprintf(index_csv, sizeof index_csv, "%s/index.csv", dir);
        snprintf(result, sizeof result, "%s/r.json", dir);
        if (mkdir(dir, 0700) && errno != EEXIST) __builtin_trap();
        fuzz_write_all(result, "{\"captures\": []}", 16);
        atexit(remove_scratch);
    }
    const uint8_t *nul = memchr(data, '\0', size);
    size_t n_index = nul ? (size_t)(nul - data) : size;
    /* A result named by an absolute path is read as it is: keep the fuzzer out of the files of
     * the machine that are not regular files in disguise (/proc, /sys) or are devices. */
    static const char *const banned[] = {"/proc", "/sys", "/dev"};
    for (size_t i = 0; i < sizeof banned / sizeof *banned; i++)
        if (memmem(data, n_index, banned[i], strlen(banned[i]))) return 0;
    fuzz_write_all(index_csv, data, n_index);
    if (nul) fuzz_write_all(result, nul + 1, size - n_index - 1);
    csv_input in = {.encoding = (csv_encoding)(size % 3), .dates = (date_order)(size / 3 % 3)};
    rfn_error err = {0};
    size_t groups = 0, results = 0;
    if (validate_load_lab(dir, &in, &groups, &results, &err) != RFN_OK) {
        if (!err.msg[0] || strchr(err.msg, '\n')) __builtin_trap();
    } else if (groups > n_index) {
        __builtin_trap(); /* every group takes a row of the index */
    }
    return 0;
}
