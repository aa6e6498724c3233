/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_internal.h: the pieces behind capture.h: the libsndfile backend (the only code that
 * includes sndfile.h), the RIFF/RF64 chunk walker, and the SigMF tar walker. Not for other modules.
 */
#ifndef RFN_CAPTURE_INTERNAL_H
#define RFN_CAPTURE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "rfn_error.h"
#include "sigmf.h"

/* A byte range of a file that holds samples. */
typedef struct capture_span {
    int64_t offset, length;
} capture_span;

/* ---- libsndfile backend (capture_sndfile.c) -------------------------------------------------- */

typedef struct capture_sf capture_sf;

/* What libsndfile says about a container file. */
typedef struct capture_sf_info {
    char container[16]; /* "wav", "rf64", "w64", "flac", "caf", "aiff", ... */
    sigmf_datatype dt;  /* components as stored (is_complex set by the caller from channels) */
    int channels;       /* channels in the file */
    int samplerate;     /* header sample rate, Hz */
    int64_t frames;     /* frames libsndfile will deliver */
} capture_sf_info;

/* Open a container file (WAV, RF64, W64, FLAC, CAF, AIFF) with libsndfile, reading the first size
 * bytes of fd (not owned; path names it in messages). Refuses lossy or companded encodings (one
 * line naming the encoding). */
rfn_status capture_sf_open_container(int fd, int64_t size, const char *path, capture_sf **out,
                                     capture_sf_info *info, rfn_error *err);

/* Open headerless samples: the concatenation of spans of fd (not owned), as datatype dt with
 * `components` interleaved values per frame (channels × 2 for complex). Frames = total span
 * length / frame bytes (the caller has checked the remainder). */
rfn_status capture_sf_open_raw(int fd, const capture_span *spans, size_t n_spans,
                               const sigmf_datatype *dt, int components, const char *name,
                               capture_sf **out, rfn_error *err);

/* Read up to frames frames of interleaved floats (libsndfile's normalisation: integers divided by
 * 2^(bits-1); u8 as (x-128)/128; floats as stored). *got 0 at the end. */
rfn_status capture_sf_read(capture_sf *s, float *buf, int64_t frames, int64_t *got, rfn_error *err);

/* 1 when capture_sf_read_bytes can read s: a headerless span, or a WAV/RF64/W64 whose samples are
 * stored as PCM u8/s8/16/32-bit or float/double (libsndfile reads the container; the bytes of its
 * data chunk are then the samples as stored). */
int capture_sf_raw_ok(const capture_sf *s);

/* Read up to frames frames of the samples as stored (bytes in the file's own order and type)
 * into buf (frames x frame bytes); *got 0 at the end. Only where capture_sf_raw_ok. */
rfn_status capture_sf_read_bytes(capture_sf *s, void *buf, int64_t frames, int64_t *got,
                                 rfn_error *err);

/* libsndfile's name and version, for `rfnoise version`-style provenance. */
const char *capture_sf_version(void);

void capture_sf_close(capture_sf *s);

/* ---- conversion and statistics (capture_convert.c) ------------------------------------------- */

/* Sums over one block, in double (docs/style.md §Numbers); the reader merges them into its
 * totals. */
typedef struct capture_sums {
    double si, sq, sii, sqq, siq;
    int64_t clipped, zeros;
    float peak;
} capture_sums;

/* Stored sample types the reader converts itself. */
enum {
    CAPTURE_CONV_NATIVE = 0, /* float, already converted */
    CAPTURE_CONV_U8,
    CAPTURE_CONV_S8,
    CAPTURE_CONV_S16,
    CAPTURE_CONV_S32,
    CAPTURE_CONV_F32,
    CAPTURE_CONV_F64
};

/* The CAPTURE_CONV_ kind of a datatype, or -1 (24-bit, unsigned 16/32-bit). */
int capture_conv_kind(const sigmf_datatype *dt);

/* Statistics of n frames at x, stride k floats, with a Q value after each I when has_q: clipping
 * at cp / cn, zeros, peak, sums for DC, power and I/Q imbalance. exact: every sum in double frame
 * by frame (for samples whose squares overflow a float). NaN/Inf make the sums non-finite. */
void capture_block_stats(const float *x, size_t n, size_t k, int has_q, float cp, float cn,
                         int exact, capture_sums *b);

/* n I/Q frames stored as kind (bytes swapped when swap) into 2 n floats at x, with their
 * statistics in the same pass: bit for bit x and *b of libsndfile's sf_read_float (plus the u8
 * centre fix) followed by capture_block_stats(x, n, 2, 1, cp, cn, 0, b). */
void capture_convert_iq(const void *raw, float *x, size_t n, int kind, int swap, float cp,
                        float cn, capture_sums *b);

/* m values stored as kind into m floats at x (the same conversion, no statistics). */
void capture_convert(const void *raw, float *x, size_t m, int kind, int swap);

/* ---- SigMF archives (capture_archive.c) ------------------------------------------------------ */

/* A member of a .sigmf tar archive (POSIX ustar): its path in the archive, and the byte range of
 * its contents in the archive file. */
typedef struct tar_member {
    char name[260]; /* prefix "/" name: 155 + 1 + 100 bytes */
    int64_t offset, size;
} tar_member;

/* The recording named want (the stem of its .sigmf-meta member, "x" for "x/x.sigmf-meta"; NULL
 * for the only one) of the archive in fd (size bytes; path names it in messages): its meta and
 * data members. Errors: RFN_ERR_FORMAT (not ustar, no .sigmf-meta), RFN_ERR_TRUNCATED,
 * RFN_ERR_NOTFOUND (no such recording, or no data for it: the message lists the recordings),
 * RFN_ERR_INVALID ("the archive holds 3 recordings (a, b, c): choose one with --recording NAME"),
 * RFN_ERR_IO, RFN_ERR_NOMEM. */
rfn_status capture_archive_find(int fd, int64_t size, const char *path, const char *want,
                                tar_member *meta, tar_member *data, rfn_error *err);

/* ---- RIFF / RF64 / BW64 walker (capture_riff.c) ---------------------------------------------- */

typedef struct capture_riff {
    int is_riff;  /* RIFF/WAVE, RF64/WAVE or BW64/WAVE */
    char kind[8]; /* "wav" or "rf64" */
    int has_fmt;
    unsigned format_tag; /* 1 PCM, 3 IEEE float (from the extensible sub-format too) */
    int channels, bits, block_align;
    uint32_t samplerate;
    int64_t file_size;
    capture_span *data; /* every data chunk's payload, clipped to the file */
    size_t n_data;
    int64_t data_claimed; /* sum of data sizes the headers claim (before clipping) */
    int data_size_unset;  /* a data size of 0 / 0xFFFFFFFF with bytes after it */
    int has_auxi;
    double auxi_center_hz; /* NAN when absent or zero */
    char auxi_time[CAPTURE_TIME_MAX];
} capture_riff;

/* Walk the chunks of fd (size file_size). Not a RIFF file: RFN_OK with is_riff 0. Malformed
 * chunks: RFN_ERR_FORMAT "name: offset N: why", and out holds nothing to free. On success free
 * out with capture_riff_free. */
rfn_status capture_riff_scan(int fd, int64_t file_size, const char *name, capture_riff *out,
                             rfn_error *err);
void capture_riff_free(capture_riff *r);

/* Parse an auxi chunk body (SpectraVue layout: SYSTEMTIME start, SYSTEMTIME stop, DWORD centre
 * frequency, ...). Pure; used by the walker and the fuzz target. */
void capture_riff_parse_auxi(const unsigned char *p, size_t len, capture_riff *r);

#endif
