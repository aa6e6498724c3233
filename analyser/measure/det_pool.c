/* SPDX-License-Identifier: GPL-2.0-or-later */
/* det_pool.c: detectors split by bins across worker threads, fed two blocks deep (see
 * det_pool.h). */
#include "det_pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "welch_pool.h"

/* Values a block of frames aims at: 256 Ki floats (1 MiB), about a millisecond of detector work
 * (long against a hand-over), two of them in memory whatever the capture's length. */
#define DET_POOL_VALUES ((size_t)1 << 18)

/* Slices start on multiples of 16 bins: whole vectors and cache lines of the detectors' state. */
#define SLICE_ALIGN 16

struct det_pool {
    unsigned jobs;          /* slices = worker threads; 1: `one` on the caller's thread */
    rfn_detector *one;
    rfn_detector **slice;   /* [jobs] */
    size_t *lo;             /* [jobs + 1] bin ranges */
    size_t n_bins, block_frames;
    float *buf[2];
    size_t fill;            /* frames in buf[cur] */
    int cur;                /* block the writer fills */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    uint64_t gen;           /* blocks handed over */
    int post_buf;           /* the block handed over last ... */
    size_t post_frames;     /* ... and its frames */
    unsigned finished;      /* slices done with it */
    int busy, stop, started;
    pthread_t *threads;
    unsigned n_threads;
};

typedef struct worker_arg {
    det_pool *p;
    unsigned i;
} worker_arg;

static void *det_worker(void *arg)
{
    det_pool *p = ((worker_arg *)arg)->p;
    unsigned i = ((worker_arg *)arg)->i;
    free(arg);
    uint64_t seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && seen == p->gen)
            pthread_cond_wait(&p->go, &p->mu);
        if (seen == p->gen)
            break; /* stop */
        seen = p->gen;
        const float *b = p->buf[p->post_buf] + p->lo[i];
        size_t n = p->post_frames;
        pthread_mutex_unlock(&p->mu);
        rfn_detector_write(p->slice[i], b, n);
        pthread_mutex_lock(&p->mu);
        if (++p->finished == p->jobs) {
            p->busy = 0;
            pthread_cond_broadcast(&p->done);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Hand the block being filled to the workers once they are done with the other one. */
static void post(det_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->done, &p->mu);
    p->busy = 1;
    p->finished = 0;
    p->post_buf = p->cur;
    p->post_frames = p->fill;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    p->cur ^= 1;
    p->fill = 0;
}

rfn_status det_pool_write(det_pool *p, const float *power, size_t n_frames, rfn_error *err)
{
    (void)err;
    if (p->one) {
        rfn_detector_write(p->one, power, n_frames);
        return RFN_OK;
    }
    while (n_frames) {
        size_t k = p->block_frames - p->fill;
        k = k < n_frames ? k : n_frames;
        memcpy(p->buf[p->cur] + p->fill * p->n_bins, power, k * p->n_bins * sizeof *power);
        p->fill += k;
        power += k * p->n_bins;
        n_frames -= k;
        if (p->fill == p->block_frames)
            post(p);
    }
    return RFN_OK;
}

rfn_status det_pool_sync(det_pool *p, rfn_error *err)
{
    (void)err;
    if (p->one)
        return RFN_OK;
    if (p->fill)
        post(p);
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return RFN_OK;
}

rfn_status det_pool_get(const det_pool *p, rfn_det_kind kind, double *out, rfn_error *err)
{
    if (p->one)
        return rfn_detector_get(p->one, kind, out, err);
    for (unsigned i = 0; i < p->jobs; i++) {
        rfn_status st = rfn_detector_get(p->slice[i], kind, out + p->lo[i], err);
        if (st)
            return st;
    }
    return RFN_OK;
}

void det_pool_destroy(det_pool *p)
{
    if (!p)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 0; i < p->n_threads; i++)
            pthread_join(p->threads[i], NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->go);
        pthread_cond_destroy(&p->done);
    }
    rfn_detector_destroy(p->one);
    for (unsigned i = 0; p->slice && i < p->jobs; i++)
        rfn_detector_destroy(p->slice[i]);
    free(p->slice);
    free(p->lo);
    free(p->buf[0]);
    free(p->buf[1]);
    free(p->threads);
    free(p);
}

/* One detector per slice of whole SLICE_ALIGN-bin groups, and the two blocks. */
static rfn_status make_slices(det_pool *p, const rfn_detector_config *cfg, rfn_error *err)
{
    size_t groups = (p->n_bins + SLICE_ALIGN - 1) / SLICE_ALIGN;
    p->slice = calloc(p->jobs, sizeof *p->slice);
    p->lo = calloc(p->jobs + 1, sizeof *p->lo);
    p->block_frames = DET_POOL_VALUES / p->n_bins ? DET_POOL_VALUES / p->n_bins : 1;
    p->buf[0] = malloc(p->block_frames * p->n_bins * sizeof(float));
    p->buf[1] = malloc(p->block_frames * p->n_bins * sizeof(float));
    if (!p->slice || !p->lo || !p->buf[0] || !p->buf[1])
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; i <= p->jobs; i++) {
        size_t b = groups * i / p->jobs * SLICE_ALIGN;
        p->lo[i] = b < p->n_bins ? b : p->n_bins;
    }
    for (unsigned i = 0; i < p->jobs; i++) {
        rfn_detector_config c = *cfg;
        c.n_bins = p->lo[i + 1] - p->lo[i];
        c.frame_stride = p->n_bins;
        rfn_status st = rfn_detector_create(&c, &p->slice[i], err);
        if (st)
            return st;
    }
    return RFN_OK;
}

static rfn_status start_workers(det_pool *p, rfn_error *err)
{
    p->threads = calloc(p->jobs, sizeof *p->threads);
    if (!p->threads)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->started = 1;
    for (unsigned i = 0; i < p->jobs; i++) {
        worker_arg *a = malloc(sizeof *a);
        if (!a)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
        *a = (worker_arg){p, i};
        if (pthread_create(&p->threads[i], NULL, det_worker, a) != 0) {
            free(a);
            return rfn_error_set(err, RFN_ERR_EXTERNAL, "cannot start a detector thread");
        }
        p->n_threads++;
    }
    return RFN_OK;
}

rfn_status det_pool_create(const rfn_detector_config *cfg, unsigned jobs, det_pool **out,
                           rfn_error *err)
{
    *out = NULL;
    det_pool *p = calloc(1, sizeof *p);
    if (!p)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    p->n_bins = cfg->n_bins;
    size_t groups = (p->n_bins + SLICE_ALIGN - 1) / SLICE_ALIGN;
    jobs = welch_pool_jobs(jobs);
    p->jobs = groups < jobs ? (unsigned)groups : jobs;
    rfn_status st;
    if (p->jobs <= 1) {
        p->jobs = 1;
        st = rfn_detector_create(cfg, &p->one, err);
    } else {
        st = make_slices(p, cfg, err);
        if (!st)
            st = start_workers(p, err);
    }
    if (st) {
        det_pool_destroy(p);
        return st;
    }
    *out = p;
    return RFN_OK;
}
