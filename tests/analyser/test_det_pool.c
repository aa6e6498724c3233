/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_det_pool.c: the detectors split by bins over 1, 2, 3 and 7 threads give bit for bit the
 * readings of one rfn_detector fed the same frames, for every detector, narrow and wide frames,
 * frames written in irregular batches, read in the middle of the stream and at its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "det_pool.h"
#include "detector.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static float next_power(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    uint64_t z = rng * 2685821657736338717ull;
    double u = (double)(z >> 11) / 9007199254740992.0;
    return (float)(u * u * (z % 97 == 0 ? 1e3 : 1.0)); /* now and then an impulse */
}

static int same_readings(const rfn_detector *ref, const det_pool *p, size_t n)
{
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    int ok = 1;
    for (unsigned k = 1; k <= RFN_DET_QP; k <<= 1) {
        rfn_error err = {0};
        CHECK_OK(rfn_detector_get(ref, (rfn_det_kind)k, a, &err));
        CHECK_OK(det_pool_get(p, (rfn_det_kind)k, b, &err));
        ok &= !memcmp(a, b, n * sizeof *a);
    }
    free(a);
    free(b);
    return ok;
}

static void test_identical(size_t n_bins, size_t n_frames)
{
    float *pw = malloc(n_frames * n_bins * sizeof *pw);
    for (size_t i = 0; i < n_frames * n_bins; i++)
        pw[i] = next_power();
    rfn_detector_config c = rfn_detector_config_default();
    c.n_bins = n_bins;
    c.frame_rate_hz = 480e3;
    rfn_detector *ref = NULL;
    rfn_error err = {0};
    CHECK_OK(rfn_detector_create(&c, &ref, &err));
    rfn_detector_write(ref, pw, n_frames / 2);
    rfn_detector *ref_end = NULL;
    CHECK_OK(rfn_detector_create(&c, &ref_end, &err));
    rfn_detector_write(ref_end, pw, n_frames);
    static const unsigned jobs[] = {1, 2, 3, 7};
    for (size_t j = 0; j < 4; j++) {
        det_pool *p = NULL;
        CHECK_OK(det_pool_create(&c, jobs[j], &p, &err));
        size_t done = 0;
        for (size_t i = 0; done < n_frames; i++) {
            size_t k = (i * 37 + 1) % 5003 + 1;
            size_t stop = done < n_frames / 2 ? n_frames / 2 : n_frames;
            k = k < stop - done ? k : stop - done;
            CHECK_OK(det_pool_write(p, pw + done * n_bins, k, &err));
            done += k;
            if (done == n_frames / 2) {
                CHECK_OK(det_pool_sync(p, &err));
                CHECK_MSG(same_readings(ref, p, n_bins), "bins %zu jobs %u, half way", n_bins,
                          jobs[j]);
            }
        }
        CHECK_OK(det_pool_sync(p, &err));
        CHECK_MSG(same_readings(ref_end, p, n_bins), "bins %zu jobs %u", n_bins, jobs[j]);
        det_pool_destroy(p);
    }
    rfn_detector_destroy(ref);
    rfn_detector_destroy(ref_end);
    free(pw);
}

int main(void)
{
    test_identical(80, 40000);  /* CISPR Band C/D at 2.4 MS/s: 5 slices of 16 bins at most */
    test_identical(1001, 3000); /* wide, not a multiple of the slice alignment */
    test_identical(8, 5000);    /* narrower than one slice: one detector */
    det_pool_destroy(NULL);
    return check_finish();
}
