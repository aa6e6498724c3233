/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_derogation_csv.c: libFuzzer target for the CSV derogation list (built with -DRFN_FUZZ=ON):
 * the bytes through derogation_load_mem, and as a file through derogation_load_input with the
 * encoding and date order chosen by the input's length. Every input is accepted with rules that
 * match what they describe, or refused with one line (fuzz_derogation.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "derogation.h"
#include "fuzz_derogation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char csv_path[64];

static void remove_scratch(void)
{
    unlink(csv_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rfn_error err = {0};
    derogation_list *dl = NULL;
    fuzz_check_derogations(derogation_load_mem("fuzz.csv", data, size, &dl, &err), dl, &err);

    if (!csv_path[0]) {
        snprintf(csv_path, sizeof csv_path, "/tmp/rfn_fuzz_%d.derogations.csv", (int)getpid());
        atexit(remove_scratch);
    }
    FILE *fp = fopen(csv_path, "wb"); /* truncated in place: the same inode for io_guard */
    if (!fp) __builtin_trap();
    if (size && fwrite(data, 1, size, fp) != size) __builtin_trap();
    fclose(fp);
    csv_input in = {.encoding = (csv_encoding)(size % 3), .dates = (date_order)(size / 3 % 3)};
    dl = NULL;
    err = (rfn_error){0};
    fuzz_check_derogations(derogation_load_input(csv_path, &in, &dl, &err), dl, &err);
    return 0;
}
