// SPDX-License-Identifier: GPL-2.0
/*
 * null: an engine that does no crypto at all.
 *
 * The core still follows the record stream, frames every record and
 * drives the backend as for any other; this one leaves the payload as it
 * is (plaintext) and writes an all-zero tag. It is an infinitely fast
 * device, for measuring what the stack and the core cost without the
 * cipher.
 *
 * NOT ENCRYPTION. What a null device sends is plaintext in TLS framing:
 * no software kTLS receiver accepts it (EBADMSG on the first record). It
 * only pairs with a receiver that does not decrypt either: a tlsdev with
 * the null backend doing RX offload, whose "decryption" leaves the
 * payload as it is and whose expected tag is the same zeros. See
 * Documentation/backends.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "backend.h"

static int null_init(void *key, const struct tlsdev_key *tk)
{
	pr_warn_once("offloading with NO encryption: records go out in plaintext with zero tags\n");
	return 0;
}

static void null_free(void *key)
{
}

static int null_rec_begin(void *key, void *stream, const u8 *nonce,
			  const u8 *aad, unsigned int aad_len)
{
	return 0;
}

/* Encrypt and decrypt alike: the payload stays as it is. */
static int null_crypt(void *key, void *stream, u8 *buf, unsigned int len)
{
	return 0;
}

static int null_rec_end(void *key, void *stream, u8 *tag)
{
	memset(tag, 0, TLSDEV_TAG_SIZE);
	return 0;
}

/* No key state and no stream state: the core allocates only its own. */
static struct tlsdev_backend null_backend = {
	.name		= "null",
	.owner		= THIS_MODULE,
	.key_size	= 0,
	.stream_size	= 0,
	.init		= null_init,
	.free		= null_free,
	.rec_begin	= null_rec_begin,
	.encrypt	= null_crypt,
	.decrypt	= null_crypt,
	.rec_end	= null_rec_end,
};

static int __init null_module_init(void)
{
	return tlsdev_backend_register(&null_backend);
}

static void __exit null_module_exit(void)
{
	tlsdev_backend_unregister(&null_backend);
}

module_init(null_module_init);
module_exit(null_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tlsdev null backend: TLS framing without encryption, for measurements only");
MODULE_ALIAS("tlsdev-backend-null");
MODULE_IMPORT_NS(TLSDEV);
