/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stft.h: streaming short-time FFT with a Gaussian window sized to a 6 dB resolution bandwidth,
 * the front end of the time-domain EMI receiver (per-bin detectors, spectrogram, APD). */
#ifndef RFN_STFT_H
#define RFN_STFT_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "rfn_error.h"

typedef struct rfn_stft rfn_stft;

typedef struct rfn_stft_config {
    double fs_hz;  /* sample rate, > 0 */
    double rbw_hz; /* 6 dB resolution bandwidth (CISPR: 200 Hz, 9 kHz, 120 kHz, 1 MHz), > 0 and
                    * <= fs_hz / 4 so that the window spans at least a few samples */
    size_t nfft;   /* transform length; 0 = auto: the smallest 2^a 3^b 5^c >= max(window length,
                    * 2 fs / rbw), i.e. bins no wider than RBW/2 (CISPR 16-2-x scan step) */
    size_t hop;    /* samples between frames; 0 = auto from max_peak_loss_db */
    double max_peak_loss_db; /* auto hop: the largest loss (dB, > 0) of a pulse's envelope peak
                              * falling half-way between frames; default 0.5 dB */
    size_t batch;  /* frames per FFT call and per sink call; 0 = auto (about 8192 points) */
} rfn_stft_config;

/* Defaults: fs 2.4 MHz, RBW 120 kHz (CISPR Band C/D), nfft/hop/batch auto, 0.5 dB peak loss. */
rfn_stft_config rfn_stft_config_default(void);

/* What the transform was built with; every figure a consumer needs to label its output. */
typedef struct rfn_stft_info {
    double fs_hz;
    double rbw_hz;     /* the 6 dB bandwidth asked for */
    double rbw6_hz;    /* the 6 dB bandwidth of the window as built (from its DTFT) */
    double enbw_hz;    /* equivalent noise bandwidth, ~0.753 rbw (docs/architecture.md §Units) */
    double sigma_s;    /* Gaussian sigma, seconds: sqrt(2 ln 2) / (pi rbw) */
    size_t win_len;    /* window length, samples (+-5 sigma) */
    size_t nfft;       /* transform length (>= win_len; the window is zero-padded) */
    size_t hop;        /* samples between frames */
    double hop_s;      /* hop / fs */
    double overlap;    /* 1 - hop / win_len, fraction */
    double bin_hz;     /* fs / nfft */
    double peak_loss_db; /* worst-case envelope-peak loss from the hop: (hop/2)^2 / sigma^2 in
                          * nepers of power, expressed in dB */
    size_t batch;      /* frames per FFT call and at most per sink call */
} rfn_stft_info;

/* Receives each batch of frames: power[f * nfft + j] for frame f (0..n_frames-1) and bin j, in
 * FS^2 as the power of a tone centred on that bin (|X|^2 / S1^2, docs/architecture.md §Units).
 * Bins are centred: j = nfft/2 is 0 Hz, bin j is at (j - nfft/2) fs / nfft
 * (rfn_stft_bin_freq_hz).
 * first_frame is the 64-bit index of power's first row; frame m covers samples
 * [m hop, m hop + win_len), centre m hop + win_len / 2. The buffer is owned by the STFT and valid
 * only during the call. */
typedef void (*rfn_stft_sink)(void *ctx, const float *power, size_t n_frames,
                              uint64_t first_frame);

/* Build the window, plan the FFT and allocate buffers (no allocation after this). sink is called
 * from rfn_stft_write; ctx is passed through. RFN_ERR_INVALID for bad rates/sizes (message
 * names the field), RFN_ERR_NOMEM, RFN_ERR_EXTERNAL when FFTW cannot plan. */
rfn_status rfn_stft_create(const rfn_stft_config *cfg, rfn_stft_sink sink, void *ctx,
                           rfn_stft **out, rfn_error *err);

const rfn_stft_info *rfn_stft_get_info(const rfn_stft *s);

/* Centre frequency of centred bin j, Hz relative to the capture's centre. */
double rfn_stft_bin_freq_hz(const rfn_stft *s, size_t j);

/* Feed n samples (any n, including 0; complex float, full scale 1.0). Whole batches of frames
 * are transformed and handed to the sink as soon as their samples are in. Never fails once
 * created; samples left over wait for the next write. */
void rfn_stft_write(rfn_stft *s, const float complex *x, size_t n);

/* The frames of a stretch of samples without the stream: n_frames frames read straight from x,
 * frame f at x + f hop (x holds (n_frames - 1) hop + win_len samples), into power (n_frames rows
 * of nfft, as the sink receives them). Frames go through the FFT batch by batch, the first in
 * slot 0, so a stretch whose first frame is a multiple of info.batch in the stream gives the
 * stream's bits exactly: one rfn_stft per thread can then share a capture's frames
 * (analyser/measure/stft_pool.c). Leaves the stream's samples and counts alone. */
void rfn_stft_execute_frames(rfn_stft *s, const float complex *x, size_t n_frames, float *power);

/* Transform and hand over the frames that are complete but still wait for a full batch. A final
 * partial window (fewer than win_len samples) is not transformed. */
void rfn_stft_flush(rfn_stft *s);

/* Samples and frames so far (64-bit: captures exceed 4 GiB). */
uint64_t rfn_stft_samples(const rfn_stft *s);
uint64_t rfn_stft_frames(const rfn_stft *s);

/* Bytes allocated by the object (fixed at create; for memory-bound tests and reports). */
size_t rfn_stft_bytes(const rfn_stft *s);

/* Forget all samples; the next write starts frame 0 at sample 0. */
void rfn_stft_reset(rfn_stft *s);

/* NULL is a no-op. */
void rfn_stft_destroy(rfn_stft *s);

#endif
