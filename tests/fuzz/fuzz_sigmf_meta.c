/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sigmf_meta.c: libFuzzer target for the SigMF meta parser and the SigMF branch of
 * capture_open (built with -DRFN_FUZZ=ON). Every input is either accepted, giving a
 * self-consistent record, or refused with one line: never a crash, leak or sanitizer report. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "fuzz_capture.h"
#include "sigmf.h"
#include "fuzz_scratch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char meta_path[64], data_path[64];

static void remove_scratch(void)
{
    unlink(meta_path);
    unlink(data_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!meta_path[0]) {
        snprintf(meta_path, sizeof meta_path, "/tmp/rfn_fuzz_%d.sigmf-meta", (int)getpid());
        snprintf(data_path, sizeof data_path, "/tmp/rfn_fuzz_%d.sigmf-data", (int)getpid());
        unsigned char d[96];
        for (size_t i = 0; i < sizeof d; i++)
            d[i] = (unsigned char)(i * 37 + 11);
        fuzz_write_all(data_path, d, sizeof d);
        atexit(remove_scratch);
    }
    rfn_error err = {0};
    sigmf_meta m;
    if (sigmf_meta_parse((const char *)data, size, "fuzz.sigmf-meta", &m, &err) == RFN_OK) {
        if (m.n_segments < 1 || !(m.num_channels >= 1) || m.dt.bits < 8) __builtin_trap();
        for (size_t i = 1; i < m.n_segments; i++)
            if (m.segments[i].sample_start <= m.segments[i - 1].sample_start) __builtin_trap();
        for (size_t i = 0; i < m.n_annotations; i++)
            if (m.annotations[i].sample_start < 0) __builtin_trap();
        sigmf_meta_free(&m);
        /* The whole open + read path over a small fixed data file. */
        fuzz_write_all(meta_path, data, size);
        capture_options o = capture_options_default();
        o.verify_sha512 = size & 1;
        o.allow_truncated = (size >> 1) & 1;
        fuzz_open_and_read(meta_path, &o, 7, 0);
    } else {
        fuzz_check_one_line(&err);
    }
    /* The datatype grammar on its own. */
    char s[32];
    size_t k = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, k);
    s[k] = '\0';
    sigmf_datatype dt;
    char why[256];
    if (sigmf_datatype_parse(s, &dt, why, sizeof why) == RFN_OK) {
        char name[24];
        sigmf_datatype_name(&dt, name, sizeof name);
        sigmf_datatype back;
        if (sigmf_datatype_parse(name, &back, why, sizeof why) != RFN_OK ||
            memcmp(&dt, &back, sizeof dt) != 0)
            __builtin_trap();
    }
    return 0;
}
