/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.h: open any IQ capture a lab or field engineer brings (SigMF, WAV/RF64/W64/FLAC/CAF,
 * raw cu8/cs8/cs16/cf32/...), learn its metadata, and stream it as complex float blocks in
 * constant memory; plus the SigMF pair writer used by generators and `rfnoise convert`.
 *
 * Samples have full scale 1.0 per component (docs/architecture.md §Units): cu8 → (x − 127.5)/127.5,
 * ci8 → x/128, ci16 → x/32768, ci24 → x/2^23, ci32 → x/2^31, floats as stored. */
#ifndef RFN_CAPTURE_H
#define RFN_CAPTURE_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "rfn_error.h"

/* ---- reading --------------------------------------------------------------------------------- */

typedef struct capture capture;

/* What the user said on the command line; it wins over the file's own metadata and name (a
 * conflict is a warning in capture_meta.warnings naming both values). */
/* The metadata a capture may carry (capture_open refuses anything else as an input error): a
 * sample rate of 1 Hz ... 100 GHz and a centre frequency of 0 ... 300 GHz, finite. */
#define CAPTURE_RATE_MIN_HZ 1.0
#define CAPTURE_RATE_MAX_HZ 100e9
#define CAPTURE_CENTER_MAX_HZ 300e9

typedef struct capture_options {
    double rate_hz;      /* --rate: sample rate in Hz; 0 or NAN = not given; < 0 is invalid */
    double center_hz;    /* --center: centre frequency in Hz; NAN = not given (0 is a value) */
    const char *datatype; /* --datatype: sample type of a raw file ("cu8", "cs8", "cs16", "cf32",
                            "cf64", "ci32" or any SigMF datatype such as "ci16_be"); NULL = by
                            SigMF / header / FORMAT:path prefix / extension / file name. Wins
                            over the extension and the file name (a warning names both); for
                            SigMF and container files, whose bytes their own header describes,
                            a different type is RFN_ERR_INVALID. */
    int verify_sha512;   /* 1 = check SigMF core:sha512 at open (reads the data file once) */
    size_t block_frames; /* hint: frames per internal read; 0 = 65536 */
    int channel;         /* which channel of a multi-channel capture to deliver, 0-based */
    int allow_truncated; /* 1 = a partial final frame / data shorter than a WAV header claims is
                            a finding (stats.truncated_bytes, a warning) instead of an error */
    const char *recording; /* --recording: the recording of a multi-recording .sigmf archive
                              (the stem of its .sigmf-meta); NULL = the only one (an archive of
                              several without it is RFN_ERR_INVALID, naming them) */
    int prefetch;        /* 1 = read ahead on a second thread (two blocks of block_frames), so
                            that file reading, conversion and validation overlap the caller's
                            processing; results are identical. capture_get_stats then covers
                            whole blocks already read ahead (complete after RFN_ERR_EOF). */
    int convert_by_libsndfile; /* 1 = every sample through libsndfile's sf_read_float, as before
                                  the reader converted stored samples itself (the same floats
                                  and statistics, slower: for tests that prove it) */
} capture_options;

/* rate_hz 0, center_hz NAN, format NULL, verify_sha512 0, block_frames 0, channel 0,
 * allow_truncated 0, prefetch 0. */
capture_options capture_options_default(void);

/* Open a capture. path is one of:
 *   - a SigMF pair, either file (x.sigmf-meta or x.sigmf-data), or a .sigmf tar archive;
 *   - a WAV, RF64, W64, FLAC or CAF file: 2 channels = I/Q, 1 channel = real;
 *   - an SDRangel .sdriq file (32-byte header with rate, centre frequency, time, CRC-32; I/Q int16
 *     or 24-bit values in int32 words);
 *   - a raw headerless file, datatype from opt->datatype, an explicit prefix ("cs16:cap.bin"), or
 *     the extension: .cu8 .complex16u → cu8; .cs8 .complex16s → ci8; .cs16 .complex32s → ci16_le;
 *     .cs32 → ci32_le; .cf32 .cfile .complex .raw → cf32_le; .cf64 → cf64_le (little-endian).
 * Metadata is merged strongest first: opt (command line), SigMF, container header, WAV auxi
 * chunk, file-name conventions (capture_name.h). A sample rate is required
 * from some source. opt may be NULL (defaults).
 * On success *out owns the open file; on failure *out is NULL and err holds one line naming the
 * file and the offset or field: "cap.cs16: offset 1001: 1 trailing byte(s) are not a whole frame
 * of 4 bytes (truncated file?)", "x.sigmf-meta: line 3 column 7: invalid JSON: ...",
 * "x.sigmf-meta: global.core:datatype: 'cu16_le' is not supported (...)". Status codes:
 * RFN_ERR_NOTFOUND (missing file), RFN_ERR_IO, RFN_ERR_FORMAT (malformed, empty, no samples, no
 * sample rate, rate <= 0), RFN_ERR_UNSUPPORTED, RFN_ERR_TRUNCATED, RFN_ERR_CONFLICT (sha512
 * mismatch), RFN_ERR_INVALID (bad opt), RFN_ERR_NOMEM. */
rfn_status capture_open(const char *path, const capture_options *opt, capture **out,
                        rfn_error *err);

/* The names of the recordings of the SigMF archive at path, in archive order: the first max into
 * names, their count into *n. Errors as capture_open's for the archive. */
rfn_status capture_archive_recordings(const char *path, char (*names)[CAPTURE_TEXT_MAX],
                                      size_t max, size_t *n, rfn_error *err);

/* The merged metadata; owned by c, valid until capture_close(). */
const capture_meta *capture_get_meta(const capture *c);

/* Read up to max_frames samples of the selected channel into buf (real captures: the value in
 * the real part, 0 in the imaginary part). Returns RFN_OK with 1 <= *got <= max_frames, or
 * RFN_ERR_EOF with *got = 0 once every sample has been delivered, or an error with *got = 0.
 * EOF and errors are sticky: every later call returns the same status and message. NaN/Inf
 * components are delivered as 0.0f and counted in the stats. max_frames 0 is RFN_ERR_INVALID. */
rfn_status capture_read(capture *c, float complex *buf, size_t max_frames, size_t *got,
                        rfn_error *err);

/* As capture_read for a real capture (meta->is_complex == 0): one float per sample.
 * RFN_ERR_INVALID on a complex capture. */
rfn_status capture_read_real(capture *c, float *buf, size_t max_frames, size_t *got,
                             rfn_error *err);

/* Validation figures over what has been read so far (complete after RFN_ERR_EOF). Owned by c. */
const capture_stats *capture_get_stats(const capture *c);

/* Close the file and free everything. NULL is a no-op. */
void capture_close(capture *c);

/* "none", "sigmf", "header", "wav-auxi", "filename", "command-line". */
const char *capture_source_name(capture_source s);

/* ---- findings (validation verdicts shared by `info` and the analysis) ------------------------ */

/* More than this fraction of clipped samples makes a capture inconclusive (issue 4: 0.01 %). */
#define CAPTURE_CLIP_LIMIT 1e-4

enum capture_finding {
    CAPTURE_FIND_CLIPPED = 1u << 0,      /* clipped_fraction > CAPTURE_CLIP_LIMIT */
    CAPTURE_FIND_NONFINITE = 1u << 1,    /* NaN/Inf samples were replaced by 0 */
    CAPTURE_FIND_TRUNCATED = 1u << 2,    /* a partial final frame or short data was tolerated */
    CAPTURE_FIND_SHORT = 1u << 3,        /* fewer than CAPTURE_SHORT_SAMPLES samples */
    CAPTURE_FIND_DC_OFFSET = 1u << 4,    /* |DC| > 1 % of full scale */
    CAPTURE_FIND_IQ_IMBALANCE = 1u << 5, /* |gain| > 1 dB or |phase| > 5 degrees */
    CAPTURE_FIND_ZERO_RUNS = 1u << 6,    /* > 1 % of samples exactly zero (silenced gaps) */
    CAPTURE_FIND_WARNINGS = 1u << 7,     /* metadata warnings (conflicts) exist */
    CAPTURE_FIND_ALL_ZERO = 1u << 8,     /* every sample is zero: no noise floor can be measured */
};
#define CAPTURE_SHORT_SAMPLES 4096

/* The findings (a set of enum capture_finding bits) for a capture read to its end. */
unsigned capture_findings(const capture_meta *m, const capture_stats *s);

/* Short name of one finding bit ("clipped", "nonfinite", "truncated", "short", "dc-offset",
 * "iq-imbalance", "zero-runs", "warnings", "all-zero"); NULL for anything else. */
const char *capture_finding_name(unsigned bit);

/* ---- writing a SigMF pair -------------------------------------------------------------------- */

typedef struct capture_writer capture_writer;

typedef struct capture_writer_config {
    const char *datatype;    /* "cf32_le" (default) or "ci16_le" (x·32768 rounded, clamped);
                                "rf32_le" / "ri16_le" write only the real part of each sample */
    double sample_rate_hz;   /* > 0, required */
    double center_freq_hz;   /* NAN = not written */
    const char *datetime;    /* ISO 8601 of the first sample; NULL or "" = not written */
    const char *description; /* core:description; NULL = not written (same for the rest) */
    const char *author;      /* core:author */
    const char *hw;          /* core:hw */
    const char *device_id, *mpxn, *calibration_id, *engineer, *site; /* rfnoise: namespace */
    double latitude_deg, longitude_deg, altitude_m; /* core:geolocation; NAN = not written
                                                       (altitude optional) */
    const capture_annotation *annotations;          /* copied at create; label → core:label */
    size_t n_annotations;
} capture_writer_config;

/* datatype "cf32_le", every number NAN / every string NULL, no annotations. */
capture_writer_config capture_writer_config_default(void);

/* Fill cfg from a capture's metadata (for conversion). Strings point into m. */
void capture_writer_config_from_meta(capture_writer_config *cfg, const capture_meta *m);

/* Start writing the pair meta_path ("x.sigmf-meta", or "x" to which the extensions are added)
 * and its .sigmf-data. Both are written through atomic_file: nothing appears at either path
 * until commit. */
rfn_status capture_writer_create(const char *meta_path, const capture_writer_config *cfg,
                                 capture_writer **out, rfn_error *err);

/* Append n samples (full scale 1.0; real datatypes keep the real part). ci16_le / ri16_le round
 * x·32768 to nearest and clamp to [-32768, 32767]; NaN becomes 0. */
rfn_status capture_writer_write(capture_writer *w, const float complex *buf, size_t n,
                                rfn_error *err);

/* Write the meta (with core:sha512 of the data, rfnoise:sample_count) and rename both files into
 * place, data first. Frees w whatever the outcome. */
rfn_status capture_writer_commit(capture_writer *w, rfn_error *err);

/* Discard both temporary files and free w. NULL is a no-op. */
void capture_writer_abort(capture_writer *w);

/* libsndfile's run-time version ("libsndfile-1.2.0"), for `rfnoise version`. */
const char *capture_library_version(void);

#endif
