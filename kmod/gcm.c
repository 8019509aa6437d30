// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming AES-GCM: the engine the crypto backends share.
 *
 * A NIC encrypts a record as its segments go by, keeping AES-GCM state from
 * one packet to the next. The kernel's "gcm(aes)" AEAD only takes whole
 * messages, so this engine is built from the two streamable halves of GCM
 * (NIST SP 800-38D) through the crypto API: "ctr(aes)" for the keystream
 * and "ghash" for the authenticator, which keeps its running hash in a
 * shash descriptor between segments. The output is byte for byte what
 * software kTLS produces for the same keys and records.
 *
 * The keystream has two sources. The "ctr(aes)" a synchronous caller gets
 * is the ctr template over the single-block cipher, one call and (with
 * AES-NI) one FPU section per 16 bytes. Where the architecture has a SIMD
 * CTR implementation it registers it as the internal "__ctr(aes)", for
 * callers that check crypto_simd_usable() first, as crypto/simd.c does:
 * the engine uses it whenever that holds and the template otherwise (an
 * interrupt that came during a kernel FPU section), unless gcm_simd=N
 * (read when a connection is set up). Counter blocks are stateless, so
 * the two mix freely within a record. GHASH stays on the synchronous
 * "ghash": the running hash cannot move between implementations
 * mid-record.
 *
 * Built into tlsdev.ko and exported in the TLSDEV namespace, so that the
 * backend modules (emu, mlx5) only add their own policy around it.
 */
#include <crypto/algapi.h>
#include <crypto/gcm.h>
#include <crypto/ghash.h>
#include <crypto/internal/simd.h>
#include <crypto/skcipher.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <asm/simd.h>

#include "gcm.h"

static bool gcm_simd = true;
module_param(gcm_simd, bool, 0644);
MODULE_PARM_DESC(gcm_simd,
		 "new connections use the architecture's SIMD CTR (__ctr(aes)) where it exists (default Y)");

static struct shash_desc *gcm_desc(struct tlsdev_gcm_stream *st)
{
	return (struct shash_desc *)st->desc;
}

/* the keystream's source for this call: see the top of the file */
static struct crypto_sync_skcipher *gcm_ctr_tfm(struct tlsdev_gcm_key *k)
{
	if (k->ctr_simd && crypto_simd_usable())
		return k->ctr_simd;
	return k->ctr;
}

/* CTR over @len bytes at @buf (in place), from counter block @ctr of @j0 */
static int gcm_ctr(struct tlsdev_gcm_key *k, const u8 *j0, u8 *buf,
		   unsigned int len, u32 ctr)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, k->ctr);	/* sized for either */
	u8 iv[AES_BLOCK_SIZE];
	struct scatterlist sg;
	int err;

	memcpy(iv, j0, GCM_AES_IV_SIZE);
	put_unaligned_be32(ctr, iv + GCM_AES_IV_SIZE);
	sg_init_one(&sg, buf, len);
	skcipher_request_set_sync_tfm(req, gcm_ctr_tfm(k));
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, len, iv);
	err = crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
	return err;
}

/* E(K, counter block @ctr of @j0) into @out */
static int gcm_block(struct tlsdev_gcm_key *k, const u8 *j0, u8 *out, u32 ctr)
{
	memset(out, 0, AES_BLOCK_SIZE);
	return gcm_ctr(k, j0, out, AES_BLOCK_SIZE, ctr);
}

/**
 * tlsdev_gcm_free - release the key schedules set up by tlsdev_gcm_init()
 * @key: a struct tlsdev_gcm_key
 *
 * Wipes @key. Safe on a zeroed key.
 */
void tlsdev_gcm_free(void *key)
{
	struct tlsdev_gcm_key *k = key;

	crypto_free_shash(k->ghash);
	crypto_free_sync_skcipher(k->ctr_simd);
	crypto_free_sync_skcipher(k->ctr);
	memzero_explicit(k, sizeof(*k));
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_free, TLSDEV);

/* the optional SIMD keystream of @k (see the top of the file) */
static int gcm_ctr_simd_init(struct tlsdev_gcm_key *k,
			     const struct tlsdev_key *tk)
{
	struct crypto_sync_skcipher *tfm;

	if (!READ_ONCE(gcm_simd))
		return 0;
	tfm = crypto_alloc_sync_skcipher("__ctr(aes)", CRYPTO_ALG_INTERNAL,
					 CRYPTO_ALG_INTERNAL);
	if (IS_ERR(tfm))	/* ENOENT: none here, the template does it all */
		return PTR_ERR(tfm) == -ENOENT ? 0 : PTR_ERR(tfm);
	k->ctr_simd = tfm;	/* freed with the key from here on */
	return crypto_sync_skcipher_setkey(tfm, tk->key, tk->key_len);
}

/**
 * tlsdev_gcm_init - set up the key schedules of one connection
 * @key: a zeroed struct tlsdev_gcm_key
 * @tk: AES-128 or AES-256 key material
 *
 * Process context. On failure, @key is left zeroed: nothing to free.
 */
int tlsdev_gcm_init(void *key, const struct tlsdev_key *tk)
{
	static const u8 zero_iv[GCM_AES_IV_SIZE];
	struct tlsdev_gcm_key *k = key;
	u8 *h;
	int err;

	k->ctr = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(k->ctr)) {
		err = PTR_ERR(k->ctr);
		k->ctr = NULL;
		return err;
	}
	k->ghash = crypto_alloc_shash("ghash", 0, 0);
	if (IS_ERR(k->ghash)) {
		err = PTR_ERR(k->ghash);
		k->ghash = NULL;
		goto err_free;
	}
	err = crypto_sync_skcipher_setkey(k->ctr, tk->key, tk->key_len);
	if (err)
		goto err_free;
	err = gcm_ctr_simd_init(k, tk);
	if (err)
		goto err_free;

	/* H = E(K, 0^128): counter block 0 of an all-zero nonce */
	h = kmalloc(AES_BLOCK_SIZE, GFP_KERNEL);
	if (!h) {
		err = -ENOMEM;
		goto err_free;
	}
	err = gcm_block(k, zero_iv, h, 0);
	if (!err)
		err = crypto_shash_setkey(k->ghash, h, GHASH_BLOCK_SIZE);
	kfree_sensitive(h);
	if (err)
		goto err_free;
	return 0;

err_free:
	tlsdev_gcm_free(k);
	return err;
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_init, TLSDEV);

static const u8 gcm_zeros[GHASH_BLOCK_SIZE];

static int gcm_ghash_pad(struct tlsdev_gcm_stream *st, u32 len)
{
	u32 rem = len % GHASH_BLOCK_SIZE;

	if (!rem)
		return 0;
	return crypto_shash_update(gcm_desc(st), gcm_zeros,
				   GHASH_BLOCK_SIZE - rem);
}

/**
 * tlsdev_gcm_rec_begin - start a record on a stream
 * @key: a struct tlsdev_gcm_key
 * @stream: a struct tlsdev_gcm_stream
 * @nonce: the 12-byte GCM nonce (salt || explicit nonce)
 * @aad: the additional data
 * @aad_len: its length
 *
 * Does not sleep.
 */
int tlsdev_gcm_rec_begin(void *key, void *stream, const u8 *nonce,
			 const u8 *aad, unsigned int aad_len)
{
	struct tlsdev_gcm_stream *st = stream;
	struct tlsdev_gcm_key *k = key;
	int err;

	memcpy(st->j0, nonce, GCM_AES_IV_SIZE);
	put_unaligned_be32(1, st->j0 + GCM_AES_IV_SIZE);
	st->pos = 0;
	st->aad_len = aad_len;

	err = gcm_block(k, st->j0, st->ek0, 1);
	if (err)
		return err;
	gcm_desc(st)->tfm = k->ghash;
	err = crypto_shash_init(gcm_desc(st));
	if (err)
		return err;
	err = crypto_shash_update(gcm_desc(st), aad, aad_len);
	if (err)
		return err;
	return gcm_ghash_pad(st, aad_len);
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_rec_begin, TLSDEV);

/*
 * Payload block i of a record uses counter block J0 + 1 + i. GHASH runs
 * over the ciphertext: after the keystream when encrypting, before it
 * when decrypting.
 */
static int gcm_crypt(struct tlsdev_gcm_key *k, struct tlsdev_gcm_stream *st,
		     u8 *buf, unsigned int len, bool decrypt)
{
	unsigned int n, off;
	u32 ctr;
	int err;

	while (len) {
		off = st->pos % AES_BLOCK_SIZE;
		ctr = 2 + st->pos / AES_BLOCK_SIZE;
		if (off || len < AES_BLOCK_SIZE)
			n = min_t(unsigned int, len, AES_BLOCK_SIZE - off);
		else
			n = round_down(len, AES_BLOCK_SIZE);
		if (decrypt) {
			err = crypto_shash_update(gcm_desc(st), buf, n);
			if (err)
				return err;
		}
		if (off || len < AES_BLOCK_SIZE) {
			/* a partial block: keep its keystream for the rest */
			if (!off) {
				err = gcm_block(k, st->j0, st->ks, ctr);
				if (err)
					return err;
			}
			crypto_xor(buf, st->ks + off, n);
		} else {
			err = gcm_ctr(k, st->j0, buf, n, ctr);
			if (err)
				return err;
		}
		if (!decrypt) {
			err = crypto_shash_update(gcm_desc(st), buf, n);
			if (err)
				return err;
		}
		st->pos += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * tlsdev_gcm_encrypt - encrypt the next payload bytes of the record
 * @key: a struct tlsdev_gcm_key
 * @stream: a struct tlsdev_gcm_stream, after tlsdev_gcm_rec_begin()
 * @buf: the bytes, encrypted in place
 * @len: how many; any length, on any boundary
 *
 * Does not sleep.
 */
int tlsdev_gcm_encrypt(void *key, void *stream, u8 *buf, unsigned int len)
{
	return gcm_crypt(key, stream, buf, len, false);
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_encrypt, TLSDEV);

/**
 * tlsdev_gcm_decrypt - decrypt the next payload bytes of the record
 * @key: a struct tlsdev_gcm_key
 * @stream: a struct tlsdev_gcm_stream, after tlsdev_gcm_rec_begin()
 * @buf: the bytes, decrypted in place
 * @len: how many; any length, on any boundary
 *
 * The ciphertext goes into the record's GHASH: the tag tlsdev_gcm_rec_end()
 * writes is the one the record must carry. Does not sleep.
 */
int tlsdev_gcm_decrypt(void *key, void *stream, u8 *buf, unsigned int len)
{
	return gcm_crypt(key, stream, buf, len, true);
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_decrypt, TLSDEV);

/**
 * tlsdev_gcm_rec_end - finish the record and write its tag
 * @key: a struct tlsdev_gcm_key
 * @stream: a struct tlsdev_gcm_stream, after its last payload byte
 * @tag: where the TLSDEV_TAG_SIZE bytes of the tag go
 *
 * Does not sleep.
 */
int tlsdev_gcm_rec_end(void *key, void *stream, u8 *tag)
{
	struct tlsdev_gcm_stream *st = stream;
	__be64 lens[2];
	int err;

	err = gcm_ghash_pad(st, st->pos);
	if (err)
		return err;
	lens[0] = cpu_to_be64((u64)st->aad_len * 8);
	lens[1] = cpu_to_be64((u64)st->pos * 8);
	err = crypto_shash_finup(gcm_desc(st), (u8 *)lens, sizeof(lens), tag);
	if (err)
		return err;
	crypto_xor(tag, st->ek0, TLSDEV_TAG_SIZE);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(tlsdev_gcm_rec_end, TLSDEV);
