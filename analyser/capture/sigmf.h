/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sigmf.h: SigMF 1.0 metadata (.sigmf-meta JSON, via jansson) and sample datatypes. Parsing
 * only: capture_sigmf.c opens the data; capture_write.c writes pairs. */
#ifndef RFN_SIGMF_H
#define RFN_SIGMF_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "rfn_error.h"

/* The SigMF version rfnoise writes, and the version of its rfnoise: extension (the keys and their
 * meaning: docs/sigmf-extension.md; raised when a key changes meaning). */
#define SIGMF_WRITE_VERSION "1.2.6"
#define SIGMF_RFNOISE_EXT_VERSION "1.0.0"

/* A sample datatype, SigMF `core:datatype` grammar: (c|r)(f32|f64|i32|i16|u32|u16|i8|u8)[_le|_be]
 * (the endianness suffix is required above 8 bits). */
typedef struct sigmf_datatype {
    int is_complex; /* 1 = I/Q pairs */
    int is_float;   /* f32 / f64 */
    int is_signed;  /* i (and f); 0 for u */
    int bits;       /* 8, 16, 32 or 64 (24 only from WAV headers) */
    int big_endian; /* 1 = _be */
} sigmf_datatype;

/* Parse a SigMF datatype, or one of the raw-file names used on command lines and by SDR tools:
 * cu8, cs8 (= ci8), cs16 (= ci16_le), cs32 / ci32 (= ci32_le), cf32 (= cf32_le), cf64. Fills why
 * (one phrase) and returns RFN_ERR_FORMAT for a malformed name, RFN_ERR_UNSUPPORTED for a valid
 * one rfnoise cannot read (unsigned 16/32-bit). */
rfn_status sigmf_datatype_parse(const char *s, sigmf_datatype *dt, char *why, size_t why_len);

/* Canonical SigMF name ("ci16_le", "cu8", "rf32_be") into out (>= 16 bytes). */
void sigmf_datatype_name(const sigmf_datatype *dt, char *out, size_t out_len);

/* Bytes per component. */
int sigmf_datatype_bytes(const sigmf_datatype *dt);

/* The parsed contents of a .sigmf-meta file. */
typedef struct sigmf_meta {
    char datatype[24]; /* core:datatype as written */
    sigmf_datatype dt;
    double sample_rate_hz; /* core:sample_rate (> 0) */
    int num_channels;      /* core:num_channels, 1 when absent */
    char sha512[129];      /* core:sha512 lower-cased, "" when absent */
    char version[24];      /* core:version */
    char hw[CAPTURE_TEXT_MAX], author[CAPTURE_TEXT_MAX], description[CAPTURE_TEXT_MAX];
    char recorder[CAPTURE_TEXT_MAX];
    char device_id[CAPTURE_TEXT_MAX], mpxn[CAPTURE_TEXT_MAX], calibration_id[CAPTURE_TEXT_MAX];
    char engineer[CAPTURE_TEXT_MAX], site[CAPTURE_TEXT_MAX];
    double latitude_deg, longitude_deg, altitude_m; /* core:geolocation, NAN when absent */
    int64_t sample_count;           /* rfnoise:sample_count written by rfnoise, -1 when absent */
    int64_t header_bytes;           /* the sum of every captures[].core:header_bytes */
    int64_t trailing_bytes;         /* global core:trailing_bytes, 0 when absent */
    char dataset[CAPTURE_TEXT_MAX]; /* core:dataset (non-conforming data file name), "" */
    capture_segment *segments;      /* captures[], sorted as written (must be ascending) */
    size_t n_segments;
    capture_annotation *annotations;
    size_t n_annotations;
} sigmf_meta;

/* Parse len bytes of JSON text. name prefixes every message: "x.sigmf-meta: line 3 column 7:
 * invalid JSON: ...", "x.sigmf-meta: global.core:sample_rate: must be > 0 (got -1)",
 * "x.sigmf-meta: annotations[2].core:sample_start: must be an integer >= 0". On success out owns
 * its arrays (free with sigmf_meta_free); on failure out is left empty. */
rfn_status sigmf_meta_parse(const char *text, size_t len, const char *name, sigmf_meta *out,
                            rfn_error *err);

/* Free the arrays of m and empty it. NULL is a no-op. */
void sigmf_meta_free(sigmf_meta *m);

/* The device the .sigmf-meta at path names (rfnoise:device_id or its alias, as sigmf_meta_parse
 * reads them) into out, from its global object alone, whatever else in it or in the samples is
 * unusable: validate still ties a capture it cannot analyse to its device. "" when the file does
 * not parse as JSON or names no device. */
void sigmf_meta_device_id(const char *path, char *out, size_t size);

#endif
