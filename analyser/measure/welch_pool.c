/* SPDX-License-Identifier: GPL-2.0-or-later */
/* welch_pool.c: worker threads computing runs of a Welch stream, merged in order (see
 * welch_pool.h). Run r holds the samples of segments [r S, (r + 1) S) for S segments per run,
 * (S - 1) hop + nfft samples: its last nfft - hop samples begin run r + 1, so the writer copies
 * them over before it fills the rest. */
#include "welch_pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fft.h"

/* Samples a run aims at: 128 Ki complex samples (1 MiB) is about 0.3 ms of work per core at
 * nfft 4096, long against a thread hand-over (tens of microseconds), and small enough to pass
 * from the reading core to a worker through the shared cache rather than memory (4 MiB runs
 * made --jobs 2 slower than --jobs 1 on the 2-core machine); a run is never shorter than one
 * chunk of segments (8.6 MiB at nfft 65536). */
#define POOL_RUN_SAMPLES ((size_t)1 << 17)

/* Samples of the block jobs 1 reads into (welch_pool_space). */
#define POOL_BLOCK 65536

enum { SLOT_FREE = 0, SLOT_QUEUED, SLOT_DONE };

typedef struct pool_slot {
    float complex *buf; /* run_samples */
    rfn_welch_part *part;
    int state;
    rfn_status st;
    rfn_error err;
} pool_slot;

struct welch_pool {
    rfn_welch *w;
    unsigned jobs;
    int real;
    size_t run_segments, run_samples, keep; /* keep = nfft - hop, carried to the next run */
    size_t hop;
    pool_slot *slots;
    size_t n_slots;
    uint64_t fill;     /* run being filled by the writer */
    size_t fill_len;   /* samples in it */
    uint64_t merged;   /* runs merged into the engine */
    uint64_t taken;    /* runs a worker has taken */
    uint64_t queued;   /* runs handed to the workers */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stop, started, finished;
    pthread_t *threads;
    unsigned n_threads;
    float complex *block; /* jobs 1: welch_pool_space's buffer */
};

unsigned welch_pool_jobs(unsigned jobs)
{
    if (jobs)
        return jobs;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* ---- workers --------------------------------------------------------------------------------- */

static void *pool_worker(void *arg)
{
    welch_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->taken == p->queued)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->taken == p->queued)
            break; /* stop, and nothing left */
        uint64_t r = p->taken++;
        pool_slot *s = &p->slots[r % p->n_slots];
        pthread_mutex_unlock(&p->mu);
        rfn_status st = rfn_welch_part_run(s->part, s->buf, p->run_samples,
                                           r * p->run_segments, &s->err);
        pthread_mutex_lock(&p->mu);
        s->st = st;
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Merge run p->merged into the engine once a worker has done it. Only the writer merges, in run
 * order; the slot is then free. */
static rfn_status merge_next(welch_pool *p, rfn_error *err)
{
    pool_slot *s = &p->slots[p->merged % p->n_slots];
    pthread_mutex_lock(&p->mu);
    while (s->state != SLOT_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
    rfn_status st = s->st;
    if (st)
        rfn_error_set(err, st, "%s", s->err.msg);
    else
        st = rfn_welch_merge(p->w, s->part, err);
    s->state = SLOT_FREE;
    p->merged++;
    return st;
}

/* Hand the full run p->fill to the workers and start run fill + 1 in the next slot, merging
 * the run that slot held first (so at most n_slots runs are ever in memory). */
static rfn_status next_run(welch_pool *p, rfn_error *err)
{
    pool_slot *s = &p->slots[p->fill % p->n_slots];
    pthread_mutex_lock(&p->mu);
    s->state = SLOT_QUEUED;
    p->queued++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    p->fill++;
    while (p->merged + p->n_slots <= p->fill) {
        rfn_status st = merge_next(p, err);
        if (st)
            return st;
    }
    pool_slot *t = &p->slots[p->fill % p->n_slots];
    /* s->buf is only read by its worker meanwhile: two readers, no race. */
    memcpy(t->buf, s->buf + (p->run_samples - p->keep), p->keep * sizeof *t->buf);
    p->fill_len = p->keep;
    return RFN_OK;
}

/* ---- writing --------------------------------------------------------------------------------- */

rfn_status welch_pool_space(welch_pool *p, float complex **at, size_t *room, rfn_error *err)
{
    if (!p || p->real || p->finished)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch pool: no complex stream to write to");
    if (p->jobs == 1) {
        *at = p->block;
        *room = POOL_BLOCK;
        return RFN_OK;
    }
    pool_slot *s = &p->slots[p->fill % p->n_slots];
    *at = s->buf + p->fill_len;
    *room = p->run_samples - p->fill_len;
    return RFN_OK;
}

rfn_status welch_pool_commit(welch_pool *p, size_t k, rfn_error *err)
{
    if (p->jobs == 1)
        return rfn_welch_write(p->w, p->block, k, err);
    p->fill_len += k;
    return p->fill_len == p->run_samples ? next_run(p, err) : RFN_OK;
}

rfn_status welch_pool_write(welch_pool *p, const float complex *x, size_t n, rfn_error *err)
{
    if (p && p->jobs == 1 && !p->finished)
        return rfn_welch_write(p->w, x, n, err);
    while (n) {
        float complex *at = NULL;
        size_t room = 0;
        rfn_status st = welch_pool_space(p, &at, &room, err);
        if (st)
            return st;
        size_t k = n < room ? n : room;
        memcpy(at, x, k * sizeof *x);
        if ((st = welch_pool_commit(p, k, err)))
            return st;
        x += k;
        n -= k;
    }
    return RFN_OK;
}

rfn_status welch_pool_write_real(welch_pool *p, const float *x, size_t n, rfn_error *err)
{
    if (!p || !p->real || p->finished)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch pool: no real stream to write to");
    if (p->jobs == 1)
        return rfn_welch_write_real(p->w, x, n, err);
    while (n) {
        pool_slot *s = &p->slots[p->fill % p->n_slots];
        size_t room = p->run_samples - p->fill_len, k = n < room ? n : room;
        float complex *at = s->buf + p->fill_len;
        for (size_t i = 0; i < k; i++)
            at[i] = x[i]; /* widened as rfn_welch_write_real does */
        p->fill_len += k;
        if (p->fill_len == p->run_samples) {
            rfn_status st = next_run(p, err);
            if (st)
                return st;
        }
        x += k;
        n -= k;
    }
    return RFN_OK;
}

/* Samples x[0 .. n) that end the stream, written to the engine itself (a real engine's as the
 * real parts they were widened from). */
static rfn_status write_tail(welch_pool *p, const float complex *x, size_t n, rfn_error *err)
{
    if (!p->real)
        return rfn_welch_write(p->w, x, n, err);
    float *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        r[i] = crealf(x[i]);
    rfn_status st = rfn_welch_write_real(p->w, r, n, err);
    free(r);
    return st;
}

rfn_status welch_pool_finish(welch_pool *p, rfn_error *err)
{
    if (!p || p->finished)
        return rfn_error_set(err, RFN_ERR_INVALID, "welch pool: finished twice");
    p->finished = 1;
    if (p->jobs == 1)
        return RFN_OK;
    rfn_status st = RFN_OK;
    while (!st && p->merged < p->fill)
        st = merge_next(p, err);
    if (st || !p->fill_len)
        return st;
    /* The last, partial run: its whole segments here, then the samples after them. */
    pool_slot *s = &p->slots[p->fill % p->n_slots];
    st = rfn_welch_part_run(s->part, s->buf, p->fill_len, p->fill * p->run_segments, err);
    if (!st)
        st = rfn_welch_merge(p->w, s->part, err);
    size_t from = rfn_welch_part_segments(s->part) * p->hop;
    if (!st)
        st = write_tail(p, s->buf + from, p->fill_len - from, err);
    return st;
}

/* ---- lifecycle ------------------------------------------------------------------------------- */

static void stop_workers(welch_pool *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    p->n_threads = 0;
}

void welch_pool_destroy(welch_pool *p)
{
    if (!p)
        return;
    stop_workers(p);
    if (p->started) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->done);
    }
    for (size_t i = 0; p->slots && i < p->n_slots; i++) {
        rfn_fft_free(p->slots[i].buf);
        rfn_welch_part_destroy(p->slots[i].part);
    }
    free(p->slots);
    free(p->threads);
    rfn_fft_free(p->block);
    free(p);
}

/* Ask for transparent huge pages on a run buffer (Linux, THP in "madvise" mode): the reader's
 * first write to a buffer otherwise takes a page fault every 4 KiB (8 % of psd at nfft 65536,
 * issue 17). Advice only: nothing changes where it is not supported. */
static void advise_huge(void *buf, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a = (uintptr_t)buf;
    uintptr_t start = (a + page - 1) / page * page, end = (a + bytes) / page * page;
    if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)buf, (void)bytes;
#endif
}

/* Runs of whole chunks, about POOL_RUN_SAMPLES samples each, jobs + 2 of them in memory. */
static rfn_status make_slots(welch_pool *p, size_t nfft, rfn_error *err)
{
    size_t chunk = RFN_WELCH_CHUNK_SEGMENTS, chunks = POOL_RUN_SAMPLES / (p->hop * chunk);
    p->run_segments = (chunks ? chunks : 1) * chunk;
    p->run_samples = (p->run_segments - 1) * p->hop + nfft;
    p->keep = nfft - p->hop;
    p->n_slots = (size_t)p->jobs + 2;
    p->slots = calloc(p->n_slots, sizeof *p->slots);
    if (!p->slots)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < p->n_slots; i++) {
        p->slots[i].buf = rfn_fft_malloc(p->run_samples * sizeof *p->slots[i].buf);
        if (!p->slots[i].buf)
            return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory for %zu samples",
                                 p->run_samples);
        advise_huge(p->slots[i].buf, p->run_samples * sizeof *p->slots[i].buf);
        rfn_status st = rfn_welch_part_create(p->w, p->run_segments, &p->slots[i].part, err);
        if (st)
            return st;
    }
    return RFN_OK;
}

static rfn_status start_workers(welch_pool *p, rfn_error *err)
{
    p->threads = calloc(p->jobs, sizeof *p->threads);
    if (!p->threads)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->started = 1;
    for (unsigned i = 0; i < p->jobs; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_worker, p) != 0)
            break;
        p->n_threads++;
    }
    if (!p->n_threads)
        return rfn_error_set(err, RFN_ERR_EXTERNAL, "cannot start a worker thread");
    return RFN_OK;
}

rfn_status welch_pool_create(rfn_welch *w, unsigned jobs, welch_pool **out, rfn_error *err)
{
    *out = NULL;
    welch_pool *p = calloc(1, sizeof *p);
    if (!p)
        return rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    p->w = w;
    p->jobs = welch_pool_jobs(jobs);
    p->hop = rfn_welch_hop(w);
    const rfn_welch_config *wc = rfn_welch_get_config(w);
    size_t nfft = wc->nfft;
    p->real = wc->real_input;
    rfn_status st = RFN_OK;
    if (p->jobs == 1) {
        p->block = rfn_fft_malloc(POOL_BLOCK * sizeof *p->block);
        if (!p->block)
            st = rfn_error_set(err, RFN_ERR_NOMEM, "out of memory");
    } else {
        st = make_slots(p, nfft, err);
        if (!st)
            st = start_workers(p, err);
    }
    if (st) {
        welch_pool_destroy(p);
        return st;
    }
    *out = p;
    return RFN_OK;
}
