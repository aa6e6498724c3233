/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stft_pool.c: the STFT's frames cut by time across worker threads, the sink fed in order on the
 * caller's thread (see stft_pool.h). */
#include "stft_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "welch_pool.h"

/* Power values a block aims at: 256 Ki floats (1 MiB), long against a hand-over between threads
 * (a few microseconds) and two blocks in memory whatever the capture's length. */
#define STFT_POOL_VALUES ((size_t)1 << 18)

typedef struct stft_pool_job {
    const float complex *in; /* the block's samples: frame f at in + f hop */
    float *power;            /* its frames, nfft each */
    size_t n_frames;
} stft_pool_job;

struct stft_pool {
    rfn_stft_info info;
    rfn_stft_sink sink;
    void *ctx;
    rfn_stft *one;           /* jobs == 1: the stream itself */
    unsigned jobs;
    rfn_stft **eng;          /* [jobs]: one per worker, used through rfn_stft_execute_frames */
    size_t block_frames;     /* frames a full block holds: jobs chunks of whole batches */
    size_t in_cap;           /* samples a full block spans: (block_frames - 1) hop + win_len */
    float complex *in[2];
    float *power[2];
    int cur;                 /* the input block being filled */
    size_t len;              /* samples in in[cur] */
    uint64_t n_samples, n_posted;
    int have_prev;           /* the last block posted is still to be handed to the sink */
    stft_pool_job prev;
    uint64_t prev_first;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    stft_pool_job job;
    uint64_t gen;            /* blocks posted */
    unsigned finished;
    int busy, stop, started;
    pthread_t *threads;
    unsigned n_threads;
};

typedef struct worker_arg {
    stft_pool *p;
    unsigned i;
} worker_arg;

/* Worker i's chunk of the block: whole batches from its start, so that every frame takes the FFT
 * slot it takes in one stream. */
static void run_chunk(stft_pool *p, unsigned i, const stft_pool_job *j)
{
    size_t chunk = (j->n_frames + p->jobs - 1) / p->jobs;
    chunk = (chunk + p->info.batch - 1) / p->info.batch * p->info.batch;
    size_t lo = (size_t)i * chunk;
    if (lo >= j->n_frames)
        return;
    size_t n = j->n_frames - lo < chunk ? j->n_frames - lo : chunk;
    rfn_stft_execute_frames(p->eng[i], j->in + lo * p->info.hop, n,
                            j->power + lo * p->info.nfft);
}

static void *stft_worker(void *arg)
{
    stft_pool *p = ((worker_arg *)arg)->p;
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
        stft_pool_job j = p->job;
        pthread_mutex_unlock(&p->mu);
        run_chunk(p, i, &j);
        pthread_mutex_lock(&p->mu);
        if (++p->finished == p->jobs) {
            p->busy = 0;
            pthread_cond_broadcast(&p->done);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void wait_idle(stft_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->busy)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* The block before, transformed by now, to the sink in the stream's batches. */
static void hand_over_prev(stft_pool *p)
{
    if (!p->have_prev)
        return;
    const size_t batch = p->info.batch, nfft = p->info.nfft;
    for (size_t f = 0; f < p->prev.n_frames; f += batch) {
        size_t n = p->prev.n_frames - f < batch ? p->prev.n_frames - f : batch;
        p->sink(p->ctx, p->prev.power + f * nfft, n, p->prev_first + f);
    }
    p->have_prev = 0;
}

/* Give the workers the first n_frames frames of the block being filled, hand the block before
 * to the sink meanwhile, and start the next block with the samples these frames leave. */
static void post(stft_pool *p, size_t n_frames)
{
    wait_idle(p);
    stft_pool_job j = {p->in[p->cur], p->power[p->cur], n_frames};
    pthread_mutex_lock(&p->mu);
    p->busy = 1;
    p->finished = 0;
    p->job = j;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    hand_over_prev(p);
    p->prev = j;
    p->prev_first = p->n_posted;
    p->have_prev = 1;
    p->n_posted += n_frames;
    /* The workers only read in[cur]; the other block's workers are done with it. */
    size_t used = n_frames * p->info.hop, keep = p->len - used;
    memcpy(p->in[p->cur ^ 1], p->in[p->cur] + used, keep * sizeof(float complex));
    p->cur ^= 1;
    p->len = keep;
}

void stft_pool_write(stft_pool *p, const float complex *x, size_t n)
{
    if (p->one) {
        rfn_stft_write(p->one, x, n);
        return;
    }
    while (n > 0) {
        size_t take = p->in_cap - p->len < n ? p->in_cap - p->len : n;
        memcpy(p->in[p->cur] + p->len, x, take * sizeof *x);
        p->len += take;
        p->n_samples += take;
        x += take;
        n -= take;
        if (p->len == p->in_cap)
            post(p, p->block_frames);
    }
}

void stft_pool_flush(stft_pool *p)
{
    if (p->one) {
        rfn_stft_flush(p->one);
        return;
    }
    const size_t L = p->info.win_len, hop = p->info.hop;
    if (p->len >= L)
        post(p, (p->len - L) / hop + 1);
    wait_idle(p);
    hand_over_prev(p);
}

const rfn_stft_info *stft_pool_info(const stft_pool *p)
{
    return &p->info;
}

double stft_pool_bin_freq_hz(const stft_pool *p, size_t j)
{
    return ((double)j - (double)(p->info.nfft / 2)) * p->info.bin_hz;
}

uint64_t stft_pool_samples(const stft_pool *p)
{
    return p->one ? rfn_stft_samples(p->one) : p->n_samples;
}

uint64_t stft_pool_frames(const stft_pool *p)
{
    return p->one ? rfn_stft_frames(p->one) : p->n_posted;
}

void stft_pool_reset(stft_pool *p)
{
    if (p->one) {
        rfn_stft_reset(p->one);
        return;
    }
    wait_idle(p);
    p->have_prev = 0;
    p->len = 0;
    p->n_samples = p->n_posted = 0;
}

void stft_pool_destroy(stft_pool *p)
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
    rfn_stft_destroy(p->one);
    for (unsigned i = 0; p->eng && i < p->jobs; i++)
        rfn_stft_destroy(p->eng[i]);
    free(p->eng);
    for (int k = 0; k < 2; k++) {
        free(p->in[k]);
        free(p->power[k]);
    }
    free(p->threads);
    free(p);
}

static void no_sink(void *ctx, const float *power, size_t n_frames, uint64_t first)
{
    (void)ctx, (void)power, (void)n_frames, (void)first;
}

/* One rfn_stft per worker (the same plan, so the same bits: FFTW keeps the first plan's wisdom)
 * and the two blocks. */
static rfn_status make_engines(stft_pool *p, const rfn_stft_config *cfg, rfn_error *err)
{
    p->eng = calloc(p->jobs, sizeof *p->eng);
    if (!p->eng)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (unsigned i = 0; i < p->jobs; i++) {
        rfn_status st = rfn_stft_create(cfg, no_sink, NULL, &p->eng[i], err);
        if (st)
            return st;
    }
    p->info = *rfn_stft_get_info(p->eng[0]);
    const size_t batch = p->info.batch, nfft = p->info.nfft;
    size_t per = STFT_POOL_VALUES / (batch * nfft * p->jobs);
    p->block_frames = (per ? per : 1) * batch * p->jobs;
    p->in_cap = (p->block_frames - 1) * p->info.hop + p->info.win_len;
    for (int k = 0; k < 2; k++) {
        p->in[k] = malloc(p->in_cap * sizeof *p->in[k]);
        p->power[k] = malloc(p->block_frames * nfft * sizeof *p->power[k]);
        if (!p->in[k] || !p->power[k])
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    }
    return RFN_OK;
}

static rfn_status start_workers(stft_pool *p, rfn_error *err)
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
        if (pthread_create(&p->threads[i], NULL, stft_worker, a) != 0) {
            free(a);
            return rfn_error_set(err, RFN_ERR_EXTERNAL, "cannot start an STFT thread");
        }
        p->n_threads++;
    }
    return RFN_OK;
}

rfn_status stft_pool_create(const rfn_stft_config *cfg, unsigned jobs, rfn_stft_sink sink,
                            void *ctx, stft_pool **out, rfn_error *err)
{
    *out = NULL;
    stft_pool *p = calloc(1, sizeof *p);
    if (!p)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    p->sink = sink;
    p->ctx = ctx;
    p->jobs = welch_pool_jobs(jobs);
    rfn_status st;
    if (p->jobs == 1) {
        st = rfn_stft_create(cfg, sink, ctx, &p->one, err);
        if (!st)
            p->info = *rfn_stft_get_info(p->one);
    } else {
        st = make_engines(p, cfg, err);
        if (!st)
            st = start_workers(p, err);
    }
    if (st) {
        stft_pool_destroy(p);
        return st;
    }
    *out = p;
    return RFN_OK;
}
