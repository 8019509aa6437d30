// SPDX-License-Identifier: GPL-2.0
/*
 * emu: a software model of a TLS offload engine.
 *
 * A NIC encrypts a record as its segments go by, keeping AES-GCM state from
 * one packet to the next. The kernel's "gcm(aes)" AEAD only takes whole
 * messages, so this engine is built from the two streamable halves of GCM
 * (NIST SP 800-38D) through the crypto API: "ctr(aes)" for the keystream
 * and "ghash" for the authenticator, which keeps its running hash in a
 * shash descriptor between segments. The output is byte for byte what
 * software kTLS produces for the same keys and records.
 */
#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/gcm.h>
#include <crypto/ghash.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "backend.h"

/* Per connection: the key schedules. */
struct emu_key {
	struct crypto_sync_skcipher *ctr;	/* ctr(aes), key K */
	struct crypto_shash *ghash;		/* ghash, key H = E(K, 0) */
};

/*
 * Per stream: one record in progress. The core kmallocs it, so @ks and
 * @ek0 are valid scatterlist memory (the stack may not be).
 */
struct emu_stream {
	u8 j0[AES_BLOCK_SIZE];			/* nonce || 0x00000001 */
	u8 ek0[AES_BLOCK_SIZE];			/* E(K, J0): masks the tag */
	u8 ks[AES_BLOCK_SIZE];			/* keystream block of @pos */
	u32 pos;				/* payload bytes done */
	u32 aad_len;
	/* running GHASH of the record: an shash_desc and its context */
	u8 desc[sizeof(struct shash_desc) + HASH_MAX_DESCSIZE] CRYPTO_MINALIGN_ATTR;
};

static struct shash_desc *emu_desc(struct emu_stream *st)
{
	return (struct shash_desc *)st->desc;
}

/* CTR over @len bytes at @buf (in place), from counter block @ctr of @j0 */
static int emu_ctr(struct emu_key *k, const u8 *j0, u8 *buf, unsigned int len,
		   u32 ctr)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, k->ctr);
	u8 iv[AES_BLOCK_SIZE];
	struct scatterlist sg;
	int err;

	memcpy(iv, j0, GCM_AES_IV_SIZE);
	put_unaligned_be32(ctr, iv + GCM_AES_IV_SIZE);
	sg_init_one(&sg, buf, len);
	skcipher_request_set_sync_tfm(req, k->ctr);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, len, iv);
	err = crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
	return err;
}

/* E(K, counter block @ctr of @j0) into @out */
static int emu_block(struct emu_key *k, const u8 *j0, u8 *out, u32 ctr)
{
	memset(out, 0, AES_BLOCK_SIZE);
	return emu_ctr(k, j0, out, AES_BLOCK_SIZE, ctr);
}

static void emu_free(void *key)
{
	struct emu_key *k = key;

	crypto_free_shash(k->ghash);
	crypto_free_sync_skcipher(k->ctr);
	memzero_explicit(k, sizeof(*k));
}

static int emu_init(void *key, const struct tlsdev_key *tk)
{
	static const u8 zero_iv[GCM_AES_IV_SIZE];
	struct emu_key *k = key;
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

	/* H = E(K, 0^128): counter block 0 of an all-zero nonce */
	h = kmalloc(AES_BLOCK_SIZE, GFP_KERNEL);
	if (!h) {
		err = -ENOMEM;
		goto err_free;
	}
	err = emu_block(k, zero_iv, h, 0);
	if (!err)
		err = crypto_shash_setkey(k->ghash, h, GHASH_BLOCK_SIZE);
	kfree_sensitive(h);
	if (err)
		goto err_free;
	return 0;

err_free:
	emu_free(k);
	return err;
}

static const u8 emu_zeros[GHASH_BLOCK_SIZE];

static int emu_ghash_pad(struct emu_stream *st, u32 len)
{
	u32 rem = len % GHASH_BLOCK_SIZE;

	if (!rem)
		return 0;
	return crypto_shash_update(emu_desc(st), emu_zeros,
				   GHASH_BLOCK_SIZE - rem);
}

static int emu_rec_begin(void *key, void *stream, const u8 *nonce,
			 const u8 *aad, unsigned int aad_len)
{
	struct emu_stream *st = stream;
	struct emu_key *k = key;
	int err;

	memcpy(st->j0, nonce, GCM_AES_IV_SIZE);
	put_unaligned_be32(1, st->j0 + GCM_AES_IV_SIZE);
	st->pos = 0;
	st->aad_len = aad_len;

	err = emu_block(k, st->j0, st->ek0, 1);
	if (err)
		return err;
	emu_desc(st)->tfm = k->ghash;
	err = crypto_shash_init(emu_desc(st));
	if (err)
		return err;
	err = crypto_shash_update(emu_desc(st), aad, aad_len);
	if (err)
		return err;
	return emu_ghash_pad(st, aad_len);
}

/* Payload block i of a record uses counter block J0 + 1 + i. */
static int emu_encrypt(void *key, void *stream, u8 *buf, unsigned int len)
{
	struct emu_stream *st = stream;
	struct emu_key *k = key;
	unsigned int n, off;
	u32 ctr;
	int err;

	while (len) {
		off = st->pos % AES_BLOCK_SIZE;
		ctr = 2 + st->pos / AES_BLOCK_SIZE;
		if (off || len < AES_BLOCK_SIZE) {
			/* a partial block: keep its keystream for the rest */
			if (!off) {
				err = emu_block(k, st->j0, st->ks, ctr);
				if (err)
					return err;
			}
			n = min_t(unsigned int, len, AES_BLOCK_SIZE - off);
			crypto_xor(buf, st->ks + off, n);
		} else {
			n = round_down(len, AES_BLOCK_SIZE);
			err = emu_ctr(k, st->j0, buf, n, ctr);
			if (err)
				return err;
		}
		err = crypto_shash_update(emu_desc(st), buf, n);
		if (err)
			return err;
		st->pos += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static int emu_rec_end(void *key, void *stream, u8 *tag)
{
	struct emu_stream *st = stream;
	__be64 lens[2];
	int err;

	err = emu_ghash_pad(st, st->pos);
	if (err)
		return err;
	lens[0] = cpu_to_be64((u64)st->aad_len * 8);
	lens[1] = cpu_to_be64((u64)st->pos * 8);
	err = crypto_shash_finup(emu_desc(st), (u8 *)lens, sizeof(lens), tag);
	if (err)
		return err;
	crypto_xor(tag, st->ek0, TLSDEV_TAG_SIZE);
	return 0;
}

static struct tlsdev_backend emu_backend = {
	.name		= "emu",
	.owner		= THIS_MODULE,
	.key_size	= sizeof(struct emu_key),
	.stream_size	= sizeof(struct emu_stream),
	.init		= emu_init,
	.free		= emu_free,
	.rec_begin	= emu_rec_begin,
	.encrypt	= emu_encrypt,
	.rec_end	= emu_rec_end,
};

static int __init emu_module_init(void)
{
	return tlsdev_backend_register(&emu_backend);
}

static void __exit emu_module_exit(void)
{
	tlsdev_backend_unregister(&emu_backend);
}

module_init(emu_module_init);
module_exit(emu_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tlsdev emu backend: AES-GCM engine on the kernel crypto API");
MODULE_ALIAS("tlsdev-backend-emu");
MODULE_IMPORT_NS(TLSDEV);
