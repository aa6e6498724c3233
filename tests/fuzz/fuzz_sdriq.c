/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sdriq.c: libFuzzer target for the SDRangel .sdriq reader of capture_open (built with
 * -DRFN_FUZZ=ON). The header carries a CRC-32 of its first 28 bytes, which random bytes never
 * match: the target writes the right CRC into bytes 28..31 unless bit 0 of the unused filler word
 * (byte 24) is set, so that mutations reach the fields behind the check. Bits 1 and 2 of byte 25
 * set allow_truncated and a --rate; byte 26 the read size (1 ... 64 frames). The file is written
 * to a scratch path made once per process and read through fuzz_capture.h's checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "fuzz_capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char sdriq_path[64];

static void remove_scratch(void)
{
    unlink(sdriq_path);
}

/* CRC-32 (ISO-HDLC), as SDRangel writes it: computed independently of capture.c's. */
static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1u ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sdriq_path[0]) {
        snprintf(sdriq_path, sizeof sdriq_path, "/tmp/rfn_fuzz_%d.sdriq", (int)getpid());
        atexit(remove_scratch);
    }
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    if (size >= 32 && !(buf[24] & 1)) {
        uint32_t crc = crc32_ref(buf, 28);
        for (int i = 0; i < 4; i++)
            buf[28 + i] = (uint8_t)(crc >> (8 * i));
    }
    FILE *fp = fopen(sdriq_path, "wb"); /* truncated in place: the same inode for io_guard */
    if (!fp) __builtin_trap();
    if (size && fwrite(buf, 1, size, fp) != size) __builtin_trap();
    fclose(fp);
    capture_options o = capture_options_default();
    uint8_t flags = size > 25 ? buf[25] : 0;
    o.allow_truncated = (flags >> 1) & 1;
    if (flags & 4) o.rate_hz = 2e6;
    size_t frames = size > 26 ? 1 + buf[26] % 64 : 64;
    free(buf);
    fuzz_open_and_read(sdriq_path, &o, frames, 0);
    return 0;
}
