/* SPDX-License-Identifier: GPL-2.0-or-later */
/* det_pool.h: the CISPR detectors of one STFT on every core. Every bin's detector state is its
 * own (dsp/detector.h), so the bins are cut into slices, one rfn_detector and one worker thread
 * each; frames are gathered in blocks of DET_POOL_FRAMES and handed over two blocks deep, so
 * that the workers run the detectors on one block while the STFT fills the next. The readings
 * are the same bits for any number of threads (tests/analyser/test_det_pool.c). */
#ifndef RFN_DET_POOL_H
#define RFN_DET_POOL_H

#include <stddef.h>

#include "detector.h"
#include "rfn_error.h"

typedef struct det_pool det_pool;

/* Detectors as cfg (cfg->n_bins: the frame width; frame_stride 0) on jobs threads (0 = every
 * online CPU; 1 = one rfn_detector on the caller's thread, no copy). RFN_ERR_INVALID (cfg),
 * RFN_ERR_NOMEM, RFN_ERR_EXTERNAL (no thread could be started). */
rfn_status det_pool_create(const rfn_detector_config *cfg, unsigned jobs, det_pool **out,
                           rfn_error *err);

/* Feed n_frames frames of cfg->n_bins powers (as rfn_detector_write). */
rfn_status det_pool_write(det_pool *p, const float *power, size_t n_frames, rfn_error *err);

/* Every frame written is through the detectors when this returns; more may be written after. */
rfn_status det_pool_sync(det_pool *p, rfn_error *err);

/* Reading of one detector for every bin (as rfn_detector_get); call det_pool_sync first. */
rfn_status det_pool_get(const det_pool *p, rfn_det_kind kind, double *out, rfn_error *err);

/* Stops the workers; NULL is a no-op. */
void det_pool_destroy(det_pool *p);

#endif
