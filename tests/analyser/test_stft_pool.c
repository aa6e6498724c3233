/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_stft_pool.c: the STFT cut by time over 1, 2, 3 and 7 threads hands its sink the same
 * calls (frame counts, first frames) and the same bits as one rfn_stft fed the same samples, for
 * a narrow and a wide transform, samples written one at a time, in irregular pieces and all at
 * once, with a partial block and a partial window at the end; and the counts after the flush. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stft.h"
#include "stft_pool.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static float next_value(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t z = rng * 2685821657736338717ull;
    return (float)((double)(z >> 11) / 9007199254740992.0 - 0.5) * (z % 89 == 0 ? 30.0f : 1.0f);
}

/* What a sink was handed: every frame's power in order and every call's (count, first). */
typedef struct record {
    float *power;
    size_t n_frames, cap_frames, nfft;
    uint64_t *calls; /* pairs */
    size_t n_calls, cap_calls;
} record;

static void record_sink(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    record *r = ctx;
    if (r->n_frames + n_frames > r->cap_frames) {
        r->cap_frames = 2 * (r->n_frames + n_frames);
        r->power = realloc(r->power, r->cap_frames * r->nfft * sizeof *r->power);
        CHECK(r->power != NULL);
    }
    memcpy(r->power + r->n_frames * r->nfft, power, n_frames * r->nfft * sizeof *power);
    r->n_frames += n_frames;
    if (r->n_calls + 1 > r->cap_calls) {
        r->cap_calls = 2 * r->cap_calls + 16;
        r->calls = realloc(r->calls, 2 * r->cap_calls * sizeof *r->calls);
        CHECK(r->calls != NULL);
    }
    r->calls[2 * r->n_calls] = n_frames;
    r->calls[2 * r->n_calls + 1] = first;
    r->n_calls++;
}

static void free_record(record *r)
{
    free(r->power);
    free(r->calls);
}

/* Piece i of a writing pattern: 0 all at once, 1 one sample at a time (short inputs only),
 * 2 irregular pieces. */
static size_t piece(int pattern, size_t i, size_t left)
{
    size_t k = pattern == 0 ? left : pattern == 1 ? 1 : 1 + (i * 7919) % 50021;
    return k < left ? k : left;
}

static void test_identical(double rbw_hz, size_t n)
{
    float complex *x = malloc(n * sizeof *x);
    CHECK(x != NULL);
    for (size_t i = 0; i < n; i++)
        x[i] = next_value() + I * next_value();
    rfn_stft_config sc = rfn_stft_config_default();
    sc.rbw_hz = rbw_hz;
    rfn_error err = {0};
    rfn_stft *ref = NULL;
    const rfn_stft_info *info = NULL;
    record want = {0};
    CHECK_OK(rfn_stft_create(&sc, record_sink, &want, &ref, &err));
    info = rfn_stft_get_info(ref);
    want.nfft = info->nfft;
    rfn_stft_write(ref, x, n);
    rfn_stft_flush(ref);
    CHECK(want.n_frames == rfn_stft_frames(ref));
    CHECK(want.n_frames > 3 * info->batch); /* more than one block on several threads */
    static const unsigned jobs[] = {1, 2, 3, 7};
    for (size_t j = 0; j < 4; j++)
        for (int pattern = 0; pattern < 3; pattern++) {
            if (pattern == 1 && n > 300000)
                continue;
            stft_pool *p = NULL;
            record got = {.nfft = info->nfft};
            CHECK_OK(stft_pool_create(&sc, jobs[j], record_sink, &got, &p, &err));
            CHECK(stft_pool_info(p)->nfft == info->nfft && stft_pool_info(p)->hop == info->hop);
            CHECK(stft_pool_bin_freq_hz(p, 3) == rfn_stft_bin_freq_hz(ref, 3));
            for (size_t done = 0, i = 0; done < n; i++) {
                size_t k = piece(pattern, i, n - done);
                stft_pool_write(p, x + done, k);
                done += k;
            }
            stft_pool_flush(p);
            CHECK(stft_pool_samples(p) == n);
            CHECK(stft_pool_frames(p) == want.n_frames);
            CHECK(got.n_calls == want.n_calls);
            CHECK(!memcmp(got.calls, want.calls, 2 * want.n_calls * sizeof *want.calls));
            CHECK(got.n_frames == want.n_frames);
            CHECK(!memcmp(got.power, want.power, want.n_frames * want.nfft * sizeof(float)));
            stft_pool_destroy(p);
            free_record(&got);
        }
    rfn_stft_destroy(ref);
    free_record(&want);
    free(x);
}

/* A capture shorter than one window: no frame, no sink call, the samples counted. */
static void test_short(void)
{
    rfn_stft_config sc = rfn_stft_config_default();
    rfn_error err = {0};
    stft_pool *p = NULL;
    record got = {.nfft = 0};
    CHECK_OK(stft_pool_create(&sc, 3, record_sink, &got, &p, &err));
    float complex x[20] = {0};
    stft_pool_write(p, x, 20);
    stft_pool_flush(p);
    CHECK(stft_pool_frames(p) == 0 && stft_pool_samples(p) == 20 && got.n_calls == 0);
    stft_pool_destroy(p);
    free_record(&got);
    sc.rbw_hz = sc.fs_hz; /* beyond fs/4: refused as by rfn_stft_create */
    CHECK(stft_pool_create(&sc, 2, record_sink, &got, &p, &err) == RFN_ERR_INVALID);
    CHECK(p == NULL);
}

int main(void)
{
    test_identical(120e3, 250001); /* nfft 80, hop 5: many small frames per block */
    test_identical(9e3, 1200007);  /* nfft 540: fewer, wider frames */
    test_short();
    return check_finish();
}
