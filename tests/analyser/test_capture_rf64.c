/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_capture_rf64.c: a 5 GiB RF64 capture (made sparse with ftruncate, so it costs no disk) is
 * read end to end in constant memory: exact 64-bit sample count, marker samples found at the
 * right indices (including past 4 GiB), peak RSS under 64 MiB. Label: slow. */
#include <complex.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"

#define DATA_BYTES (5LL << 30)
#define FRAMES (DATA_BYTES / 4)
#define HEADER 80 /* RIFF 12 + ds64 36 + fmt 24 + data 8 */

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff), put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

/* Marker frames (index, I code, Q code): first, across the 4 GiB byte boundary, last. */
static const struct {
    int64_t frame;
    int16_t i, q;
} markers[] = {
    {0, 1000, -1000},
    {(1LL << 30) - 1, 32767, -32768}, /* bytes just below 4 GiB */
    {1LL << 30, -12345, 12345},       /* byte offset 4 GiB: a 32-bit overflow would miss it */
    {FRAMES - 1, 7, -7},
};

#if defined(__SANITIZE_ADDRESS__)
#define RFN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RFN_ASAN 1
#endif
#endif

int main(void)
{
#ifdef RFN_ASAN
    /* Under AddressSanitizer this read takes minutes and RSS counts shadow memory; the 64-bit
     * paths are the same as in the normal build, which runs it. */
    fprintf(stderr, "skipped: the 5 GiB read is a speed and memory test, not run under ASan\n");
    return CHECK_SKIP;
#endif
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/rfn_test_rf64_%d.wav", tmpdir, (int)getpid());
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        fprintf(stderr, "skipped: cannot create %s\n", path);
        return CHECK_SKIP;
    }
    unsigned char h[HEADER] = {0};
    memcpy(h, "RF64", 4), put32(h + 4, 0xFFFFFFFFu), memcpy(h + 8, "WAVE", 4);
    memcpy(h + 12, "ds64", 4), put32(h + 16, 28);
    put64(h + 20, (uint64_t)(HEADER - 8 + DATA_BYTES)); /* RIFF size */
    put64(h + 28, (uint64_t)DATA_BYTES);                /* data size */
    put64(h + 36, (uint64_t)FRAMES);                    /* sample count */
    put32(h + 44, 0);                                   /* table length */
    memcpy(h + 48, "fmt ", 4), put32(h + 52, 16), put16(h + 56, 1), put16(h + 58, 2);
    put32(h + 60, 20000000), put32(h + 64, 80000000), put16(h + 68, 4), put16(h + 70, 16);
    memcpy(h + 72, "data", 4), put32(h + 76, 0xFFFFFFFFu);
    int ok = write(fd, h, HEADER) == HEADER && ftruncate(fd, HEADER + DATA_BYTES) == 0;
    for (size_t k = 0; ok && k < sizeof markers / sizeof markers[0]; k++) {
        unsigned char s[4];
        put16(s, (uint16_t)markers[k].i), put16(s + 2, (uint16_t)markers[k].q);
        ok = pwrite(fd, s, 4, HEADER + 4 * markers[k].frame) == 4;
    }
    close(fd);
    if (!ok) {
        unlink(path);
        fprintf(stderr, "skipped: cannot make a sparse 5 GiB file in %s\n", tmpdir);
        return CHECK_SKIP;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    capture *c = NULL;
    rfn_error err = {0};
    rfn_status st = capture_open(path, NULL, &c, &err);
    CHECK_MSG(st == RFN_OK, "%s", err.msg);
    if (st == RFN_OK) {
        const capture_meta *m = capture_get_meta(c);
        CHECK(strcmp(m->container, "rf64") == 0);
        CHECK_MSG(m->sample_count == FRAMES, "%lld samples", (long long)m->sample_count);
        CHECK(m->is_complex);
        CHECK_NEAR(m->sample_rate_hz, 20e6, 0);
        enum { BLOCK = 65536 };
        float complex *buf = malloc(BLOCK * sizeof *buf);
        int64_t pos = 0;
        size_t got, found = 0;
        while ((st = capture_read(c, buf, BLOCK, &got, &err)) == RFN_OK) {
            for (size_t k = 0; k < sizeof markers / sizeof markers[0]; k++) {
                int64_t f = markers[k].frame;
                if (f >= pos && f < pos + (int64_t)got) {
                    found++;
                    CHECK(crealf(buf[f - pos]) == markers[k].i / 32768.0f);
                    CHECK(cimagf(buf[f - pos]) == markers[k].q / 32768.0f);
                }
            }
            pos += (int64_t)got;
        }
        CHECK_MSG(st == RFN_ERR_EOF, "%s", err.msg);
        CHECK(pos == FRAMES);
        CHECK(found == 4);
        const capture_stats *s = capture_get_stats(c);
        CHECK(s->samples_read == FRAMES);
        CHECK(s->zero_samples == FRAMES - 4);
        CHECK(s->clipped_samples == 1); /* the marker at the rails */
        free(buf);
        capture_close(c);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    unlink(path);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    fprintf(stderr, "5 GiB RF64: %.1f s, %.0f MS/s, peak RSS %.1f MiB\n", secs,
            (double)FRAMES / secs / 1e6, ru.ru_maxrss / 1024.0);
    CHECK_MSG(ru.ru_maxrss < 64 * 1024, "peak RSS %ld KiB", ru.ru_maxrss);
    return check_finish();
}
