/* SPDX-License-Identifier: GPL-2.0-or-later */
/* welch_pool.h: one Welch spectrum on every core. The samples written to the pool are cut into
 * runs of whole chunks of segments (dsp/welch.h, "Parts"); worker threads compute the runs and
 * the writing thread merges them into the engine in stream order, so the spectrum is bit for bit
 * the one-thread spectrum whatever the number of threads and however the stream is cut into
 * blocks (tests/analyser/test_welch_pool.c). Memory stays bounded: jobs + 2 runs of about
 * POOL_RUN_SAMPLES samples each, whatever the capture's length. */
#ifndef RFN_WELCH_POOL_H
#define RFN_WELCH_POOL_H

#include <complex.h>
#include <stddef.h>

#include "rfn_error.h"
#include "welch.h"

typedef struct welch_pool welch_pool;

/* Worker threads for jobs: jobs itself, or the number of online CPUs when jobs is 0. */
unsigned welch_pool_jobs(unsigned jobs);

/* A pool feeding engine w (freshly created or reset; not owned, must outlive the pool) on
 * welch_pool_jobs(jobs) threads. jobs 1 starts no thread: writes go straight to w, exactly as
 * rfn_welch_write. RFN_ERR_NOMEM, RFN_ERR_EXTERNAL (no thread could be started). */
rfn_status welch_pool_create(rfn_welch *w, unsigned jobs, welch_pool **out, rfn_error *err);

/* Append n samples to the stream (complex samples to a complex engine, real to a real one;
 * RFN_ERR_INVALID otherwise). Blocks may have any length. A worker's failure is reported by a
 * later write or by welch_pool_finish. */
rfn_status welch_pool_write(welch_pool *p, const float complex *x, size_t n, rfn_error *err);
rfn_status welch_pool_write_real(welch_pool *p, const float *x, size_t n, rfn_error *err);

/* Room for complex samples to be read straight into (no copy): *room >= 1 samples at *at, valid
 * until the next call on the pool; welch_pool_commit(p, k) then appends the first k of them
 * (k <= *room). Complex engines only. */
rfn_status welch_pool_space(welch_pool *p, float complex **at, size_t *room, rfn_error *err);
rfn_status welch_pool_commit(welch_pool *p, size_t k, rfn_error *err);

/* Wait for the workers and leave every sample written in the engine (read its spectrum
 * next). Nothing may be written afterwards. */
rfn_status welch_pool_finish(welch_pool *p, rfn_error *err);

/* Stops the workers (finished or not); NULL is a no-op. */
void welch_pool_destroy(welch_pool *p);

#endif
