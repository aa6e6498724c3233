/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture_driver.h: the capture format families behind capture_open: the reader's state a driver
 * fills (struct capture), the {probe, open, read, close} table entry, and the helpers drivers
 * share. capture_open walks the table in capture.c; each family lives in its own file. Not for
 * other modules. */
#ifndef RFN_CAPTURE_DRIVER_H
#define RFN_CAPTURE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "capture_internal.h"
#include "capture_name.h"
#include "records.h"
#include "rfn_error.h"
#include "sigmf.h"

typedef struct capture_driver capture_driver;

struct capture {
    const capture_driver *drv; /* the family that opened it */
    capture_meta meta;
    capture_stats stats;
    capture_segment *segments;       /* owned; meta.segments points here */
    capture_annotation *annotations; /* owned */
    capture_sf *sf;
    int fd; /* data file for raw reads, -1 otherwise */
    sigmf_datatype dt;
    int components; /* floats per frame in the file */
    int channel;    /* channel delivered */
    int u8_fix;     /* libsndfile's (x-128)/128 → (x-127.5)/127.5 */
    float clip_pos, clip_neg;
    int64_t frames_left;
    float *tmp;
    size_t tmp_frames;
    rfn_status sticky;
    char sticky_msg[sizeof(((rfn_error *)0)->msg)];
    double sum_i, sum_q, sum_ii, sum_qq, sum_iq;
    /* What the driver found in the file, by source (docs/architecture.md §Metadata): */
    sigmf_meta sm;     /* SigMF metadata, when has_sigmf (the segments move to segments) */
    int has_sigmf;
    double hdr_rate;   /* sample rate in a container header, 0 when none */
    double hdr_center; /* centre frequency in a container header (.sdriq), NAN when none */
    char hdr_time[CAPTURE_TIME_MAX]; /* start time in a container header (.sdriq), "" */
    double auxi_center;              /* centre frequency in a WAV auxi chunk, NAN when none */
    char auxi_time[CAPTURE_TIME_MAX]; /* start time in a WAV auxi chunk, "" */
    int64_t samples_offset; /* where the samples start, for "no samples" (0 when not known) */
    float post_scale;    /* factor after libsndfile's scaling (24-bit values in 32-bit words) */
    struct prefetch *pf; /* read-ahead thread, NULL unless capture_options.prefetch */
    int conv_kind;       /* CAPTURE_CONV_ kind read as stored and converted here, or -1:
                            libsndfile's sf_read_float converts (see conv_setup) */
    int conv_swap;       /* stored byte order differs from the host's */
    unsigned char *raw;  /* samples as stored, raw_frames of them */
    size_t raw_frames;
    int stream;          /* read front to back by the driver's read (standard input) */
};

/* What capture_open knows before choosing a driver. */
typedef struct capture_probe {
    const char *path;               /* the file (a FORMAT: prefix removed) */
    const sigmf_datatype *forced;   /* --datatype or the prefix's type; NULL when not given */
    const char *forced_name;        /* forced as the user wrote it */
    const capture_name_info *name;  /* what the file name says (capture_name.h) */
    const unsigned char *head;      /* the first head_len (<= 12) bytes of the file; NULL for a
                                       driver whose probe looks at the path alone */
    size_t head_len;
    int64_t size;                   /* the file's size in bytes (c->fd open on it), or 0 */
} capture_probe;

/* One format family. capture_open asks each driver of the table in turn (capture.c) and opens
 * the capture with the first whose probe says yes.
 *
 * by_path: 1 when probe looks at p->path alone and open opens what it needs; 0 when capture_open
 *   first opens the file (c->fd, a regular file, not empty) and fills p->head and p->size.
 * probe: 1 when this family reads the input p describes.
 * open: fill c: c->dt (the datatype as stored), meta.channels, meta.sample_count (unless
 *   streamed), meta.container, meta.src_format, c->sf (capture_sf_open_raw or
 *   capture_sf_open_container) and what the file says about rate, centre and time (hdr_, auxi_,
 *   sm). A 2-channel container read as I/Q sets dt.is_complex and 1 channel itself. On error
 *   err names the file and the offset; capture_open then closes c.
 * read: up to frames frames of the samples as stored into c->raw (sized by the reader); *got 0
 *   at the end. The reader converts them itself (capture_convert.c), so c->dt is a type
 *   capture_conv_kind knows. NULL: c->sf reads (capture_sf_read_bytes, or libsndfile's
 *   conversion). An input whose length is known only at its end (standard input) also sets
 *   c->stream and meta.streamed.
 * close: free what open kept beyond c->sf, c->fd and c->sm; NULL when nothing. */
struct capture_driver {
    const char *name;
    int by_path;
    int (*probe)(const capture_probe *p);
    rfn_status (*open)(capture *c, const capture_probe *p, const capture_options *opt,
                       rfn_error *err);
    rfn_status (*read)(capture *c, size_t frames, int64_t *got, rfn_error *err);
    void (*close)(capture *c);
};

extern const capture_driver capture_driver_sigmf; /* capture_sigmf.c: pairs and archives */
extern const capture_driver capture_driver_stdin; /* capture_raw.c: "-" */
extern const capture_driver capture_driver_sdriq; /* capture_sdriq.c: SDRangel .sdriq */
extern const capture_driver capture_driver_riff;  /* capture_riff.c: RIFF/RF64/BW64 WAVE */
extern const capture_driver capture_driver_sndfile; /* capture_sndfile.c: W64, FLAC, CAF, AIFF */
extern const capture_driver capture_driver_raw;   /* capture_raw.c: headerless files */

/* ---- helpers for drivers (capture.c) --------------------------------------------------------- */

/* Add a metadata warning to c->meta (counted as dropped beyond CAPTURE_MAX_WARNINGS). */
void capture_warn(capture *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Copy src into dst of cap bytes, cutting it if needed (always NUL-terminated). */
void capture_copy_text(char *dst, size_t cap, const char *src);

/* Bytes of one frame of channels channels of dt. */
int capture_frame_bytes(const sigmf_datatype *dt, int channels);

/* 1 when a and b name different datatypes. */
int capture_datatype_differs(const sigmf_datatype *a, const sigmf_datatype *b);

/* Open path as c->fd, a regular file only (a FIFO or /dev/zero would hang the reader); every
 * read stops at the *size it had here, so a capture still being written cannot keep the reader
 * going. */
rfn_status capture_open_file(capture *c, const char *path, int64_t *size, rfn_error *err);

/* Check len bytes of headerless data at start (for the message) against frames of fbytes: a
 * partial last frame is RFN_ERR_TRUNCATED, or with allow_truncated a finding and a warning. Sets
 * meta.sample_count. */
rfn_status capture_check_length(capture *c, const char *name, int64_t start, int64_t len,
                                int fbytes, int allow_truncated, rfn_error *err);

/* The end of open for the container drivers (RIFF, libsndfile): header metadata, no --datatype
 * (the header gives the type), and a 2-channel file read as I/Q. */
rfn_status capture_container_done(capture *c, const capture_probe *p, rfn_error *err);

/* Open c's file (p->size bytes) through libsndfile's container parsers: datatype, channels,
 * frames, header rate and container name into c, what libsndfile says into *info
 * (capture_sndfile.c; the RIFF driver uses it for a file of one data chunk). */
rfn_status capture_sndfile_open(capture *c, const capture_probe *p, capture_sf_info *info,
                                rfn_error *err);

#endif
