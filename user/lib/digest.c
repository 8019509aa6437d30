// SPDX-License-Identifier: GPL-2.0
#include "digest.h"
#include "hex.h"

#include <openssl/evp.h>

int sha256_init(struct sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->ctx = ctx;
	if (!ctx)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		h->ctx = NULL;
		return -1;
	}
	return 0;
}

int sha256_update(struct sha256 *h, const void *data, size_t len)
{
	if (!h->ctx)
		return -1;
	return EVP_DigestUpdate(h->ctx, data, len) == 1 ? 0 : -1;
}

int sha256_final(struct sha256 *h, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	if (!h->ctx)
		return -1;
	if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != SHA256_LEN)
		return -1;
	return 0;
}

void sha256_free(struct sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int sha256_buf(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != SHA256_LEN)
		return -1;
	return 0;
}

void sha256_hex(const uint8_t d[SHA256_LEN], char *out)
{
	hex_encode(d, SHA256_LEN, out);
}
