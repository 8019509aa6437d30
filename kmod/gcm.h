/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming AES-GCM for the backends (gcm.c, built into tlsdev.ko).
 *
 * The functions have the signatures of the struct tlsdev_backend ops, so
 * a backend with no state of its own points its ops at them; a backend
 * that wraps them passes its embedded struct tlsdev_gcm_key as @key.
 */
#ifndef _TLSDEV_GCM_H
#define _TLSDEV_GCM_H

#include <crypto/aes.h>
#include <crypto/hash.h>

#include "backend.h"

struct crypto_sync_skcipher;

/* Per connection: the key schedules. */
struct tlsdev_gcm_key {
	struct crypto_sync_skcipher *ctr;	/* ctr(aes), key K */
	struct crypto_sync_skcipher *ctr_simd;	/* __ctr(aes), key K, or NULL */
	struct crypto_shash *ghash;		/* ghash, key H = E(K, 0) */
};

/*
 * Per stream: one record in progress. It must live in kmalloc'ed memory
 * (the core's stream allocation is), so that @ks and @ek0 are valid
 * scatterlist memory, which the stack may not be.
 */
struct tlsdev_gcm_stream {
	u8 j0[AES_BLOCK_SIZE];			/* nonce || 0x00000001 */
	u8 ek0[AES_BLOCK_SIZE];			/* E(K, J0): masks the tag */
	u8 ks[AES_BLOCK_SIZE];			/* keystream block of @pos */
	u32 pos;				/* payload bytes done */
	u32 aad_len;
	/* running GHASH of the record: an shash_desc and its context */
	u8 desc[sizeof(struct shash_desc) + HASH_MAX_DESCSIZE] CRYPTO_MINALIGN_ATTR;
};

/* @key is a struct tlsdev_gcm_key, @stream a struct tlsdev_gcm_stream. */
int tlsdev_gcm_init(void *key, const struct tlsdev_key *tk);
void tlsdev_gcm_free(void *key);
int tlsdev_gcm_rec_begin(void *key, void *stream, const u8 *nonce,
			 const u8 *aad, unsigned int aad_len);
int tlsdev_gcm_encrypt(void *key, void *stream, u8 *buf, unsigned int len);
int tlsdev_gcm_decrypt(void *key, void *stream, u8 *buf, unsigned int len);
int tlsdev_gcm_rec_end(void *key, void *stream, u8 *tag);

#endif /* _TLSDEV_GCM_H */
