/* SPDX-License-Identifier: GPL-2.0-or-later */
/* welch.h: the streaming Welch power spectral density estimator (mean, max-hold, min-hold and
 * median traces) that every spectrum, band measurement and plot in rfnoise starts from. */
#ifndef RFN_WELCH_H
#define RFN_WELCH_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "fft.h"
#include "rfn_error.h"
#include "window.h"

/* The traces a Welch engine can keep, one value per frequency bin, all as a density:
 *   MEAN   - average of the per-segment periodograms (Welch 1967; scipy average='mean');
 *   MAX    - max-hold: largest per-segment periodogram seen in that bin;
 *   MIN    - min-hold: smallest per-segment periodogram seen in that bin;
 *   MEDIAN - median of the per-segment periodograms divided by scipy's _median_bias(K)
 *            (1 + sum_{i=1}^{(K-1)/2} (1/(2i+1) - 1/(2i)), ~ln 2 for large K), so that for
 *            Gaussian noise it estimates the same density as MEAN while ignoring bursts that
 *            occupy fewer than half the segments (scipy average='median'). */
typedef enum rfn_trace {
    RFN_TRACE_MEAN = 0,
    RFN_TRACE_MAX,
    RFN_TRACE_MIN,
    RFN_TRACE_MEDIAN,
    RFN_TRACE_COUNT
} rfn_trace;

#define RFN_TRACE_BIT(t) (1u << (t))
#define RFN_TRACES_ALL ((1u << RFN_TRACE_COUNT) - 1u)

/* Name used in files and on the command line: "mean", "max", "min", "median". */
const char *rfn_trace_name(rfn_trace trace);
rfn_status rfn_trace_from_name(const char *name, rfn_trace *trace);

/* overlap value meaning "nfft / 2" (50 %), the default; resolved in rfn_welch_create. */
#define RFN_WELCH_OVERLAP_HALF ((size_t)-1)

/* Default memory for the exact median (see rfn_welch_config.median_max_bytes). */
#define RFN_WELCH_MEDIAN_MAX_BYTES ((size_t)64 << 20)

/* Per-segment hook: called after each segment with that segment's periodogram alone, as the
 * density a one-segment MEAN trace would hold (n_bins values in the bin order, sidedness and
 * FS^2/Hz scaling of rfn_spectrum below), so that the mean of the calls is the MEAN trace. It lets
 * a caller keep statistics over the segments (the segment-to-segment spread of a band's power:
 * analyser/measure/compare.c) without storing the periodograms. density is valid only during the
 * call. The hook must not call back into the engine. */
typedef void (*rfn_welch_segment_fn)(void *ctx, const double *density, size_t n_bins);

typedef struct rfn_welch_config {
    double fs_hz;            /* sample rate, > 0 and finite */
    double center_hz;        /* capture centre frequency; the frequency axis is center_hz +
                                offset. Any finite value (0 for baseband/real captures). */
    size_t nfft;             /* segment length = FFT length, 2 ... 2^24 (any size, not only
                                powers of two; FFTW is fastest on 2^a 3^b 5^c 7^d) */
    size_t overlap;          /* samples shared by successive segments, 0 <= overlap < nfft, or
                                RFN_WELCH_OVERLAP_HALF for nfft / 2. hop = nfft - overlap. */
    rfn_window_type window;  /* any rfn_window_type; default RFN_WINDOW_HANN (periodic, as
                                scipy's get_window('hann')) */
    double sigma_samples;    /* Gaussian window standard deviation in samples (> 0); used only
                                for RFN_WINDOW_GAUSSIAN (rfn_welch_config_for_rbw sets it) */
    int detrend_mean;        /* 1: subtract each segment's mean before windowing (scipy's
                                default detrend='constant'); 0: none (detrend=False). Default 0. */
    int real_input;          /* 1: the engine takes real samples (rfn_welch_write_real) and the
                                result is one-sided; 0: complex samples (rfn_welch_write),
                                two-sided. Default 0. */
    unsigned traces;         /* bitmask of RFN_TRACE_BIT(t); MEAN is always computed. Default
                                MEAN|MAX|MIN. MEDIAN costs memory and time: ask only if needed. */
    rfn_fft_effort effort;   /* FFTW planner effort, default RFN_FFT_MEASURE (see fft.h) */
    size_t median_max_bytes; /* memory the exact median may use for stored periodograms
                                (4 bytes per bin per segment), default
                                RFN_WELCH_MEDIAN_MAX_BYTES. See "Median" below. */
    rfn_welch_segment_fn segment_fn; /* NULL (default) or called once per segment; see below */
    void *segment_ctx;               /* passed to segment_fn; not owned */
} rfn_welch_config;

/* fs_hz = 1, center_hz = 0, nfft = 1024, overlap = RFN_WELCH_OVERLAP_HALF, Hann, sigma 0, no
 * detrend, complex input, traces MEAN|MAX|MIN, RFN_FFT_MEASURE, median_max_bytes 64 MiB, no
 * segment hook. */
rfn_welch_config rfn_welch_config_default(void);

/* Pick the segment length for a resolution bandwidth at cfg->fs_hz (set fs_hz and window
 * first). For the cosine windows rbw_hz is the equivalent noise bandwidth (the bandwidth a
 * density is integrated over): nfft = ceil(ENBW_bins * fs / rbw) (rfn_window_nfft_for_rbw),
 * so the achieved ENBW is <= rbw_hz. For RFN_WINDOW_GAUSSIAN rbw_hz is the 6 dB bandwidth
 * (CISPR 16-1-1 convention, docs/architecture.md §Units): sigma_samples = 0.3748 fs / rbw_hz and
 * nfft spans +-5 sigma (rfn_window_gaussian_length). Sets cfg->nfft (and sigma_samples) and
 * resets cfg->overlap to RFN_WELCH_OVERLAP_HALF. The achieved enbw_hz and rbw6_hz are reported
 * in the spectrum. RFN_ERR_INVALID when rbw_hz is not in (0, fs_hz] or nfft would exceed 2^24. */
rfn_status rfn_welch_config_for_rbw(rfn_welch_config *cfg, double rbw_hz, rfn_error *err);

typedef struct rfn_welch rfn_welch;

/* Validate cfg, build the window and FFT plans (FFTW wisdom already imported is reused; see
 * fft.h) and allocate every buffer; nothing is allocated afterwards by write. Returns
 * RFN_ERR_INVALID (err says which field), RFN_ERR_NOMEM or RFN_ERR_EXTERNAL (FFTW). */
rfn_status rfn_welch_create(const rfn_welch_config *cfg, rfn_welch **out, rfn_error *err);

/* Feed n complex samples (full scale 1.0 per component, docs/architecture.md §Units). Blocks may
 * have any length, including 0, and need not align with segments: the engine keeps up to nfft - 1
 * samples between calls, so the result is identical however the stream is cut into blocks.
 * x is only read, never kept. Samples are counted in 64 bits. NaN/Inf samples are not screened
 * (the capture reader reports them); they make the affected bins NaN/Inf.
 * RFN_ERR_INVALID when the engine was created with real_input (or x is NULL with n > 0). */
rfn_status rfn_welch_write(rfn_welch *w, const float complex *x, size_t n, rfn_error *err);

/* Feed n real samples (full scale 1.0) to an engine created with real_input = 1. Same streaming
 * rules as rfn_welch_write. RFN_ERR_INVALID for a complex engine. */
rfn_status rfn_welch_write_real(rfn_welch *w, const float *x, size_t n, rfn_error *err);

/* Complete segments processed so far (= floor((n_samples - nfft) / hop) + 1 when n_samples >=
 * nfft, as scipy.signal.welch; a trailing partial segment is never used). */
uint64_t rfn_welch_segments(const rfn_welch *w);

/* Samples written since create/reset. */
uint64_t rfn_welch_samples(const rfn_welch *w);

/* Samples from one segment's start to the next's: nfft - overlap (overlap resolved). */
size_t rfn_welch_hop(const rfn_welch *w);

/* The engine's configuration as resolved by create (overlap in samples, MEAN in traces); valid
 * while w lives. */
const rfn_welch_config *rfn_welch_get_config(const rfn_welch *w);

/* Forget all samples and traces; keep plans and buffers (a new capture, same settings). */
void rfn_welch_reset(rfn_welch *w);

/* NULL is a no-op. */
void rfn_welch_destroy(rfn_welch *w);

/* ---- Parts: one spectrum computed on several threads ---------------------------------------
 * The engine itself is single-threaded; a caller that wants every core cuts the stream into
 * runs of whole chunks of RFN_WELCH_CHUNK_SEGMENTS segments, counted from the stream's first
 * sample, computes each run into a part of its own on any thread (rfn_welch_part_run), and
 * merges the parts into the engine in stream order (rfn_welch_merge). Each chunk keeps its own
 * partial sums and the merge adds them in chunk order, exactly as rfn_welch_write sums them, so
 * the spectrum is bit for bit the one rfn_welch_write gives, whatever the number of threads and
 * however the stream was cut (tests/dsp/test_welch.c, parts_*). Segment s starts at sample
 * s * hop; a run of segments [first, first + k) needs the samples [first * hop, (first + k - 1)
 * * hop + nfft). Parts read the engine's plan and window but never write to it, so parts may
 * run while other threads run other parts; merging needs the engine to itself. */
#define RFN_WELCH_CHUNK_SEGMENTS 32

typedef struct rfn_welch_part rfn_welch_part;

/* A part for runs of up to max_segments segments (rounded up to whole chunks) of engine w's
 * configuration; it holds FFT buffers, one set of partial sums per chunk, max/min traces, and,
 * when w keeps the median or has a segment hook, every segment's periodogram (4 bytes per bin
 * per segment). w must outlive the part. RFN_ERR_INVALID, RFN_ERR_NOMEM. */
rfn_status rfn_welch_part_create(const rfn_welch *w, size_t max_segments, rfn_welch_part **out,
                                 rfn_error *err);

/* Compute the segments that lie wholly in x[0 .. n): segments first, first + 1, ... (first a
 * multiple of RFN_WELCH_CHUNK_SEGMENTS, x[0] the first sample of segment first), at most
 * max_segments of them; what the part held before is forgotten. x is complex for every engine:
 * a real-input engine's samples are given widened (imaginary part 0), as
 * rfn_welch_write_real widens them. RFN_ERR_INVALID for a misplaced first or too many
 * segments. */
rfn_status rfn_welch_part_run(rfn_welch_part *p, const float complex *x, size_t n,
                              uint64_t first, rfn_error *err);

/* Segments computed by the last run. */
size_t rfn_welch_part_segments(const rfn_welch_part *p);

/* Add part p to its engine: p's first segment must be the next the engine expects (its segment
 * count, with no samples held: the engine was created or reset, or has only merged parts whose
 * runs were whole chunks). Afterwards the engine stands at the start of segment first + k, as if
 * the samples before it had been written: continue with rfn_welch_write from sample (first + k)
 * * hop, or merge the next part. The segment hook, if any, is called here, in order.
 * RFN_ERR_INVALID when p is out of order. */
rfn_status rfn_welch_merge(rfn_welch *w, rfn_welch_part *p, rfn_error *err);

/* NULL is a no-op. */
void rfn_welch_part_destroy(rfn_welch_part *p);

/* Median method used for a spectrum (see "Median" below). */
typedef enum rfn_median_method {
    RFN_MEDIAN_NONE = 0, /* median trace not asked */
    RFN_MEDIAN_EXACT,    /* exact per-bin median over all segments (matches scipy) */
    RFN_MEDIAN_BLOCKED   /* streaming: weighted mean of bias-corrected exact block medians */
} rfn_median_method;

/* Median: the per-segment periodograms are stored (float, n_bins per segment) while they fit in
 * median_max_bytes, i.e. up to B = max(16, median_max_bytes / (4 n_bins)) segments, and the
 * median is exact (identical to scipy average='median', bias correction included). Beyond B
 * segments memory stays bounded: each completed block of B segments is reduced to its exact
 * bias-corrected median, and the result is the segment-count-weighted mean of the block
 * medians (the last, partial block included). For stationary noise this estimates the same
 * density. Its extra error, measured by tests/dsp/test_welch.c (median_stream_error) on 8192
 * segments of complex white noise with a 20 dB burst in every fifth segment, blocks of 256
 * segments against the exact median of all 8192: mean over bins +0.001 dB, per-bin rms
 * difference 0.5 % (0.02 dB), worst bin 1.5 % (the test allows 0.05 dB and 3 % rms). A burst
 * still has to occupy fewer than half of the segments of every block to be rejected. */

/* A computed spectrum: plain data, owned by the caller after rfn_welch_get_spectrum and freed
 * with rfn_spectrum_free. Linear units throughout; convert with rfn_db10 (units.h) at the edge.
 *
 * Bins. Complex input: n_bins = nfft, DC-centred ascending order: bin i is at offset
 * (i - floor(nfft/2)) * bin_hz from center_hz (FFT order shifted as numpy.fft.fftshift does),
 * two-sided density. Real input: n_bins = nfft/2 + 1 (floor), offsets 0 ... floor(nfft/2) *
 * bin_hz, one-sided density (every bin except DC and, for even nfft, Nyquist doubled, as scipy
 * return_onesided=True), so that the integral over the bins is the signal's mean power.
 *
 * Scaling (docs/architecture.md §Units): density[i] = |X_i|^2 / (fs S2), in FS^2/Hz (dBFS/Hz after
 * rfn_db10), where FS^2 is full-scale power (a full-scale complex tone is 1 = 0 dBFS). Each bin
 * spans bin_hz centred on freq_hz[i]: noise power in a bin is density * bin_hz, and the power
 * of a tone centred on a bin is density * enbw_hz (rfn_spectrum_tone_power). Total power
 * sum(density) * bin_hz equals the time-domain mean power (Parseval) for the MEAN trace.
 * All-zero input gives density 0 (rfn_db10 gives -inf), never NaN. */
typedef struct rfn_spectrum {
    size_t n_bins;
    double *freq_hz;                  /* [n_bins] absolute frequency: center_hz + offset */
    double *density[RFN_TRACE_COUNT]; /* [n_bins] per trace, FS^2/Hz; NULL when not asked */
    double fs_hz;
    double center_hz;
    size_t nfft;
    size_t overlap;                   /* resolved, in samples */
    rfn_window_type window;
    double sigma_samples;             /* Gaussian only, else 0 */
    double bin_hz;                    /* fs / nfft */
    double enbw_hz;                   /* fs S2 / S1^2: the noise bandwidth of one bin */
    double rbw6_hz;                   /* 6 dB bandwidth of one bin (window's bw6_bins * bin_hz) */
    double scalloping_loss_db;        /* window's loss for a tone half-way between bins */
    uint64_t segments;                /* periodograms averaged */
    uint64_t n_samples;               /* samples written */
    int one_sided;                    /* 1 for real input */
    int detrend_mean;                 /* as configured */
    rfn_median_method median_method;  /* how the MEDIAN trace was computed */
    uint64_t median_block_segments;   /* B for RFN_MEDIAN_BLOCKED, else 0 */
} rfn_spectrum;

/* Fill *spec with the spectrum of everything written so far (a snapshot: writing may continue
 * and a later call includes more). spec's previous contents are not freed (call
 * rfn_spectrum_free first when reusing it). RFN_ERR_TRUNCATED when no complete segment has been
 * seen yet ("welch: N samples, fewer than one segment of nfft"), RFN_ERR_NOMEM. On failure *spec
 * is zeroed and owns nothing. */
rfn_status rfn_welch_get_spectrum(rfn_welch *w, rfn_spectrum *spec, rfn_error *err);

/* Free the arrays and zero the record; NULL or an already freed/zeroed record is a no-op. */
void rfn_spectrum_free(rfn_spectrum *spec);

/* Power (FS^2) of a steady tone centred on bin i read from trace: density[i] * enbw_hz. Off-bin
 * tones read low by at most scalloping_loss_db. NaN when the trace is absent or i is out of
 * range. */
double rfn_spectrum_tone_power(const rfn_spectrum *spec, rfn_trace trace, size_t i);

/* Noise power (FS^2) in bin i of trace: density[i] * bin_hz; summed over all bins of the MEAN
 * trace it is the capture's mean power (Parseval). NaN when the trace is absent or i is out of
 * range. */
double rfn_spectrum_bin_power(const rfn_spectrum *spec, rfn_trace trace, size_t i);

/* Index of the bin whose span contains freq_hz (nearest centre), or -1 when freq_hz lies outside
 * [freq_hz[0] - bin_hz/2, freq_hz[n_bins-1] + bin_hz/2). */
long rfn_spectrum_bin_of(const rfn_spectrum *spec, double freq_hz);

#endif
