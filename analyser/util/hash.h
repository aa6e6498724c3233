/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash.h: SHA-256 / SHA-512 digests (nettle) for provenance: SigMF core:sha512, input file
 * hashes in summaries and register snapshots, capture content keys of the result cache. The
 * only user of nettle is hash.c. */
#ifndef RFN_HASH_H
#define RFN_HASH_H

#include <stddef.h>

#include "rfn_error.h"

typedef enum hash_alg {
    HASH_SHA256 = 0, /* 64 hex digits */
    HASH_SHA512,     /* 128 hex digits */
} hash_alg;

/* Hex digest buffers: large enough for either algorithm plus the NUL. */
#define HASH_HEX_MAX 129

typedef struct hash_ctx hash_ctx;

/* Start a streaming digest. RFN_ERR_NOMEM or RFN_ERR_INVALID (unknown alg). */
rfn_status hash_create(hash_alg alg, hash_ctx **out);

/* Add len bytes. */
void hash_update(hash_ctx *h, const void *data, size_t len);

/* Write the digest as lower-case hex into hex (HASH_HEX_MAX bytes) and start over, so the
 * context can hash another message. */
void hash_final_hex(hash_ctx *h, char hex[HASH_HEX_MAX]);

/* NULL is a no-op. */
void hash_destroy(hash_ctx *h);

/* Digest of a whole file, read in blocks (constant memory). Errors name the file. */
rfn_status hash_file_hex(const char *path, hash_alg alg, char hex[HASH_HEX_MAX], rfn_error *err);

/* Convenience for the most common case. */
rfn_status hash_sha256_file(const char *path, char hex[HASH_HEX_MAX], rfn_error *err);

/* Digest of a memory buffer (settings keys). */
void hash_buffer_hex(hash_alg alg, const void *data, size_t len, char hex[HASH_HEX_MAX]);

/* Nettle's run-time version ("3.8") into buf (cap bytes), for `rfnoise version`. */
void hash_library_version(char *buf, size_t cap);

#endif
