/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hash.c: SHA-256/512 against the FIPS 180-4 example vectors, streaming = one-shot. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hash.h"

int main(void)
{
    char hex[HASH_HEX_MAX];
    /* FIPS 180-4 / NIST CSRC examples: "abc". */
    hash_buffer_hex(HASH_SHA256, "abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    hash_buffer_hex(HASH_SHA512, "abc", 3, hex);
    CHECK(strcmp(hex, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f") == 0);
    /* The 896-bit two-block message, fed byte by byte through the streaming API. */
    const char *m2 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
                     "nopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hash_ctx *h2 = NULL;
    CHECK_OK(hash_create(HASH_SHA512, &h2));
    for (size_t i = 0; m2[i]; i++)
        hash_update(h2, m2 + i, 1);
    hash_final_hex(h2, hex);
    hash_destroy(h2);
    CHECK(strcmp(hex, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900"
                      "f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909") == 0);
    hash_buffer_hex(HASH_SHA256, "", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);

    /* Streaming in odd pieces equals one shot; the context restarts after final. */
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_ctx *h = NULL;
    CHECK_OK(hash_create(HASH_SHA256, &h));
    for (size_t i = 0; i < strlen(msg); i += 7)
        hash_update(h, msg + i, strlen(msg) - i < 7 ? strlen(msg) - i : 7);
    hash_final_hex(h, hex);
    CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0);
    hash_update(h, "abc", 3);
    hash_final_hex(h, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    hash_destroy(h);

    /* Files; a missing file is a clear error naming it. */
    char path[] = "/tmp/rfn_hash_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
    close(fd);
    rfn_error err;
    CHECK_OK(hash_sha256_file(path, hex, &err));
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    unlink(path);
    CHECK(hash_sha256_file("/nonexistent/x", hex, &err) == RFN_ERR_NOTFOUND);
    CHECK(strstr(err.msg, "/nonexistent/x") != NULL);
    return check_finish();
}
