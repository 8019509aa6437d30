/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 through OpenSSL 3 EVP. */
#ifndef TLSDEV_DIGEST_H
#define TLSDEV_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_LEN)

struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

/* All return 0 on success, -1 on an OpenSSL error. */
int sha256_init(struct sha256 *h);
int sha256_update(struct sha256 *h, const void *data, size_t len);
int sha256_final(struct sha256 *h, uint8_t out[SHA256_LEN]);
void sha256_free(struct sha256 *h);

/* One-shot digest. */
int sha256_buf(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* Lower-case hex; @out holds SHA256_HEX_LEN + 1 chars. */
void sha256_hex(const uint8_t d[SHA256_LEN], char *out);

#endif
