/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_capture_convert.c: the reader's own conversion of stored samples (capture_convert.c) gives
 * bit for bit the floats and the statistics of libsndfile's sf_read_float path
 * (capture_options.convert_by_libsndfile), for every stored type in both byte orders, complex and
 * real, headerless and in WAV / RF64 / W64, whatever the block size read, with rails, zeros,
 * NaN/Inf and huge float values among the samples; and a few known values. */
#include <complex.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "check.h"

enum { FRAMES = 20011 }; /* odd: runs of 64 frames and block tails both happen */

static char dir[64];

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint32_t next32(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

/* One stored value of `bytes` bytes (float when is_float) in byte order big, at index i: random
 * codes, with runs of zeros, the rails and (floats) NaN, Inf and huge values mixed in. */
static void put_value(unsigned char *p, int bytes, int is_float, int big, size_t i)
{
    unsigned char v[8] = {0};
    uint32_t r = next32();
    if (is_float) {
        double d = ((double)(r % 2000001) - 1000000.0) / 800000.0; /* +-1.25: clips too */
        if (i % 1000 == 7)
            d = NAN;
        else if (i % 1777 == 3)
            d = -INFINITY;
        else if (i % 3001 == 5)
            d = 3e30;
        else if (i / 200 % 20 == 3)
            d = 0.0;
        if (bytes == 4) {
            float f = (float)d;
            memcpy(v, &f, 4);
        } else {
            memcpy(v, &d, 8);
        }
    } else if (i / 200 % 20 != 3) { /* else a run of zero codes (u8: code 0 = a rail) */
        uint64_t w = (uint64_t)r << 32 | next32();
        memcpy(v, &w, 8);
        if (i % 97 == 1)
            memset(v, 0x7F, 8), v[bytes - 1] = 0x7F; /* near the positive rail */
    }
    for (int k = 0; k < bytes; k++)
        p[k] = big ? v[bytes - 1 - k] : v[k];
}

static void write_bytes(const char *path, const unsigned char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(b, 1, len, f) == len);
    if (f)
        fclose(f);
}

/* Read path both ways in blocks of `block` frames; every float and every statistic must agree. */
static void same_both_ways(const char *path, const char *datatype, size_t block, int real_out)
{
    float *got[2];
    capture_stats st[2];
    size_t n[2] = {0, 0};
    for (int way = 0; way < 2; way++) {
        capture_options o = capture_options_default();
        o.datatype = datatype;
        o.rate_hz = datatype ? 1e6 : 0;
        o.convert_by_libsndfile = way;
        o.block_frames = block;
        capture *c = NULL;
        rfn_error err = {0};
        rfn_status s = capture_open(path, &o, &c, &err);
        CHECK_MSG(s == RFN_OK, "%s: %s", path, err.msg);
        got[way] = calloc(2 * FRAMES + 2, sizeof(float));
        if (s)
            continue;
        size_t r;
        while (n[way] < FRAMES) {
            size_t want = block < FRAMES - n[way] ? block : FRAMES - n[way];
            float *at = got[way] + (real_out ? n[way] : 2 * n[way]);
            s = real_out ? capture_read_real(c, at, want, &r, &err)
                         : capture_read(c, (float complex *)at, want, &r, &err);
            if (s)
                break;
            n[way] += r;
        }
        st[way] = *capture_get_stats(c);
        capture_close(c);
    }
    size_t vals = (real_out ? 1 : 2) * n[0];
    CHECK_MSG(n[0] == n[1] && n[0] == FRAMES, "%s: %zu / %zu frames", path, n[0], n[1]);
    CHECK_MSG(!memcmp(got[0], got[1], vals * sizeof(float)), "%s %s block %zu: samples differ",
              path, datatype ? datatype : "", block);
    CHECK_MSG(!memcmp(&st[0], &st[1], sizeof st[0]), "%s %s block %zu: statistics differ "
              "(power %.17g / %.17g, dc %.17g / %.17g, clipped %lld / %lld)", path,
              datatype ? datatype : "", block, st[0].mean_power, st[1].mean_power, st[0].dc_i,
              st[1].dc_i, (long long)st[0].clipped_samples, (long long)st[1].clipped_samples);
    free(got[0]);
    free(got[1]);
}

/* Headerless files of every datatype, complex and real, both byte orders. */
static void raw_every_type(void)
{
    static const char *const types[] = {"cu8", "ci8", "ci16_le", "ci16_be", "ci32_le",
                                        "ci32_be", "cf32_le", "cf32_be", "cf64_le", "cf64_be",
                                        "ru8", "ri8", "ri16_le", "ri16_be", "ri32_le",
                                        "ri32_be", "rf32_le", "rf32_be", "rf64_le", "rf64_be"};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        const char *ty = types[t];
        int cplx = ty[0] == 'c', is_float = ty[1] == 'f';
        int bits = atoi(ty + 2), bytes = bits / 8, big = strstr(ty, "_be") != NULL;
        size_t vals = (size_t)FRAMES * (cplx ? 2 : 1);
        unsigned char *b = malloc(vals * (size_t)bytes);
        for (size_t i = 0; i < vals; i++)
            put_value(b + i * (size_t)bytes, bytes, is_float, big, i);
        char path[128];
        snprintf(path, sizeof path, "%s/x.%s", dir, ty);
        write_bytes(path, b, vals * (size_t)bytes);
        static const size_t blocks[] = {65536, 1000, 63};
        for (size_t k = 0; k < 3; k++) {
            same_both_ways(path, ty, blocks[k], 0);
            if (!cplx)
                same_both_ways(path, ty, blocks[k], 1);
        }
        free(b);
    }
}

/* WAV, RF64 and W64 of each PCM and float encoding libsndfile writes, 2 channels (I/Q) and 1. */
static void containers(void)
{
    static const struct {
        int major, sub;
        const char *ext;
    } kinds[] = {
        {SF_FORMAT_WAV, SF_FORMAT_PCM_U8, "wav"},  {SF_FORMAT_WAV, SF_FORMAT_PCM_16, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_PCM_32, "wav"},  {SF_FORMAT_WAV, SF_FORMAT_FLOAT, "wav"},
        {SF_FORMAT_WAV, SF_FORMAT_DOUBLE, "wav"},  {SF_FORMAT_RF64, SF_FORMAT_PCM_16, "rf64"},
        {SF_FORMAT_W64, SF_FORMAT_PCM_16, "w64"},  {SF_FORMAT_W64, SF_FORMAT_FLOAT, "w64"},
    };
    double *x = malloc(2 * FRAMES * sizeof *x);
    for (size_t i = 0; i < 2 * FRAMES; i++)
        x[i] = (i / 300 % 9 == 4) ? 0.0 : ((double)(next32() % 2000001) - 1e6) / 9e5;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int ch = 1; ch <= 2; ch++) {
            char path[128];
            snprintf(path, sizeof path, "%s/c%zu_%d.%s", dir, k, ch, kinds[k].ext);
            SF_INFO si = {.samplerate = 48000, .channels = ch,
                          .format = kinds[k].major | kinds[k].sub};
            SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
            CHECK_MSG(sf != NULL, "%s: %s", path, sf_strerror(NULL));
            if (!sf)
                continue;
            sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
            CHECK(sf_writef_double(sf, x, FRAMES) == FRAMES);
            sf_close(sf);
            same_both_ways(path, NULL, 65536, 0);
            same_both_ways(path, NULL, 777, 0);
            if (ch == 1)
                same_both_ways(path, NULL, 4096, 1);
        }
    free(x);
}

/* Known values: ci16 codes -32768, -1, 0, 32767 and cu8 codes 0, 127, 128, 255 read as the
 * full-scale floats docs/architecture.md §Units gives. */
static void known_values(void)
{
    const unsigned char s16[] = {0x00, 0x80, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0x7F};
    const unsigned char u8[] = {0, 127, 128, 255};
    char p16[128], p8[128];
    snprintf(p16, sizeof p16, "%s/k.ci16", dir);
    snprintf(p8, sizeof p8, "%s/k.cu8", dir);
    write_bytes(p16, s16, sizeof s16);
    write_bytes(p8, u8, sizeof u8);
    capture_options o = capture_options_default();
    o.rate_hz = 1e6;
    capture *c = NULL;
    rfn_error err = {0};
    float complex v[2];
    size_t got = 0;
    o.datatype = "ci16_le";
    CHECK_OK(capture_open(p16, &o, &c, &err));
    CHECK_OK(capture_read(c, v, 2, &got, &err));
    CHECK(got == 2 && crealf(v[0]) == -1.0f && cimagf(v[0]) == -1.0f / 32768.0f);
    CHECK(crealf(v[1]) == 0.0f && cimagf(v[1]) == 32767.0f / 32768.0f);
    CHECK(capture_get_stats(c)->clipped_samples == 2);
    capture_close(c);
    o.datatype = "cu8";
    CHECK_OK(capture_open(p8, &o, &c, &err));
    CHECK_OK(capture_read(c, v, 2, &got, &err));
    CHECK(got == 2 && crealf(v[0]) == -1.0f && cimagf(v[0]) == (128.0f * (-1.0f / 128.0f) +
                                                                 0.5f) / 127.5f);
    CHECK(fabsf(crealf(v[1]) - 0.5f / 127.5f) < 1e-7f && cimagf(v[1]) == 1.0f);
    capture_close(c);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/rfn_conv_XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    raw_every_type();
    containers();
    known_values();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return check_finish();
}
