/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash.c: nettle-backed SHA-2 digests behind hash.h. */
#include "hash.h"
#include "io_guard.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hash_ctx {
    hash_alg alg;
    union {
        struct sha256_ctx s256;
        struct sha512_ctx s512;
    } u;
};

static void reset(hash_ctx *h)
{
    if (h->alg == HASH_SHA256)
        sha256_init(&h->u.s256);
    else
        sha512_init(&h->u.s512);
}

rfn_status hash_create(hash_alg alg, hash_ctx **out)
{
    *out = NULL;
    if (alg != HASH_SHA256 && alg != HASH_SHA512)
        return RFN_ERR_INVALID;
    hash_ctx *h = malloc(sizeof *h);
    if (!h)
        return RFN_ERR_NOMEM;
    h->alg = alg;
    reset(h);
    *out = h;
    return RFN_OK;
}

void hash_update(hash_ctx *h, const void *data, size_t len)
{
    if (h->alg == HASH_SHA256)
        sha256_update(&h->u.s256, len, data);
    else
        sha512_update(&h->u.s512, len, data);
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

void hash_final_hex(hash_ctx *h, char hex[HASH_HEX_MAX])
{
    unsigned char d[SHA512_DIGEST_SIZE];
    if (h->alg == HASH_SHA256) {
        sha256_digest(&h->u.s256, SHA256_DIGEST_SIZE, d); /* also re-initialises */
        to_hex(d, SHA256_DIGEST_SIZE, hex);
    } else {
        sha512_digest(&h->u.s512, SHA512_DIGEST_SIZE, d);
        to_hex(d, SHA512_DIGEST_SIZE, hex);
    }
}

void hash_destroy(hash_ctx *h)
{
    free(h);
}

rfn_status hash_file_hex(const char *path, hash_alg alg, char hex[HASH_HEX_MAX], rfn_error *err)
{
    FILE *fp;
    rfn_status ost = io_fopen_input(path, &fp, NULL, err);
    if (ost)
        return ost;
    hash_ctx *h = NULL;
    unsigned char *buf = malloc(1 << 20);
    if (hash_create(alg, &h) || !buf) {
        fclose(fp);
        free(buf);
        hash_destroy(h);
        return rfn_error_set(err, RFN_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t n;
    while ((n = fread(buf, 1, 1 << 20, fp)) > 0)
        hash_update(h, buf, n);
    rfn_status st = RFN_OK;
    if (ferror(fp))
        st = rfn_error_set(err, RFN_ERR_IO, "%s: read error while hashing", path);
    else
        hash_final_hex(h, hex);
    fclose(fp);
    free(buf);
    hash_destroy(h);
    return st;
}

rfn_status hash_sha256_file(const char *path, char hex[HASH_HEX_MAX], rfn_error *err)
{
    return hash_file_hex(path, HASH_SHA256, hex, err);
}

void hash_buffer_hex(hash_alg alg, const void *data, size_t len, char hex[HASH_HEX_MAX])
{
    hash_ctx h;
    h.alg = alg;
    reset(&h);
    hash_update(&h, data, len);
    hash_final_hex(&h, hex);
}

void hash_library_version(char *buf, size_t cap)
{
    snprintf(buf, cap, "%d.%d", nettle_version_major(), nettle_version_minor());
}
