/* sha512.h: SHA-512 (FIPS 180-4) for SigMF core:sha512, streaming; no outside dependency. */
#ifndef RFN_SHA512_H
#define RFN_SHA512_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha512_ctx {
    uint64_t h[8];
    uint64_t total_lo, total_hi; /* message length in bytes (128-bit) */
    unsigned char buf[128];
    size_t buf_len;
} sha512_ctx;

void sha512_init(sha512_ctx *c);
void sha512_update(sha512_ctx *c, const void *data, size_t len);
/* Write the 64-byte digest; c must be re-initialised before reuse. */
void sha512_final(sha512_ctx *c, unsigned char digest[64]);
/* Write the digest as 128 lower-case hex digits plus a terminating NUL. */
void sha512_final_hex(sha512_ctx *c, char hex[129]);

#endif
