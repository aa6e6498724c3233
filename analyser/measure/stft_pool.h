/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stft_pool.h: the RBW STFT of one capture (dsp/stft.h) on every core. Samples are gathered in
 * blocks of whole FFT batches; each block's frames are cut into chunks of whole batches, one
 * worker thread and one rfn_stft each (rfn_stft_execute_frames), while the caller's thread hands
 * the block before to the sink. The sink sees the same calls, in the same order and with the same
 * bits, as from one rfn_stft, for any number of threads and however the samples are written
 * (tests/analyser/test_stft_pool.c): frame m always takes FFT slot m mod batch. */
#ifndef RFN_STFT_POOL_H
#define RFN_STFT_POOL_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"
#include "stft.h"

typedef struct stft_pool stft_pool;

/* The STFT of cfg on jobs threads (0 = every online CPU; 1 = one rfn_stft on the caller's thread,
 * exactly today's stream). sink is called on the caller's thread, from stft_pool_write and
 * stft_pool_flush. Errors as rfn_stft_create, and RFN_ERR_EXTERNAL when no thread could start. */
rfn_status stft_pool_create(const rfn_stft_config *cfg, unsigned jobs, rfn_stft_sink sink,
                            void *ctx, stft_pool **out, rfn_error *err);

const rfn_stft_info *stft_pool_info(const stft_pool *p);

/* Centre frequency of centred bin j, Hz relative to the capture's centre (rfn_stft_bin_freq_hz). */
double stft_pool_bin_freq_hz(const stft_pool *p, size_t j);

/* As rfn_stft_write: frames reach the sink once their block is transformed. */
void stft_pool_write(stft_pool *p, const float complex *x, size_t n);

/* As rfn_stft_flush: every complete frame has reached the sink when this returns. */
void stft_pool_flush(stft_pool *p);

/* Samples written and frames transformed so far (after a flush: every frame handed over). */
uint64_t stft_pool_samples(const stft_pool *p);
uint64_t stft_pool_frames(const stft_pool *p);

/* Forget all samples, as rfn_stft_reset; frames not yet flushed are dropped. */
void stft_pool_reset(stft_pool *p);

/* Stops the workers; NULL is a no-op. */
void stft_pool_destroy(stft_pool *p);

#endif
