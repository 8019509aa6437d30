// SPDX-License-Identifier: GPL-2.0
/*
 * Static (pre-shared, no handshake) kTLS key material.
 *
 * Direction convention: the material given on the command line (--key,
 * --salt, --iv, --rec-seq) protects client->server records.  Server->client
 * records use the same key, salt and starting record sequence number, but
 * the IV with its most significant bit flipped (iv[0] ^= 0x80), so that the
 * two directions never use the same GCM nonce under the same key.
 *
 * The client installs C2S as TLS_TX and S2C as TLS_RX; the server does the
 * opposite.
 */
#include "xfer.h"

#include <errno.h>
#include <linux/tls.h>
#include <openssl/crypto.h>
#include <string.h>

#include "../lib/hex.h"

void static_material_defaults(struct static_material *sm)
{
	size_t len = 0;

	memset(sm, 0, sizeof(*sm));
	hex_decode(XFER_DEFAULT_KEY, sm->key, sizeof(sm->key), &len);
	sm->key_len = len;
	hex_decode_exact(XFER_DEFAULT_SALT, sm->salt, sizeof(sm->salt));
	hex_decode_exact(XFER_DEFAULT_IV, sm->iv, sizeof(sm->iv));
	sm->rec_seq = 0;
}

int static_params(const struct static_material *sm, enum xfer_dirn d,
		  struct ktls_params *out)
{
	uint16_t cipher = ktls_cipher_for_key_len(sm->key_len);

	memset(out, 0, sizeof(*out));
	if (!cipher)
		return -EINVAL;
	out->version = TLS_1_2_VERSION;
	out->cipher = cipher;
	memcpy(out->key, sm->key, sm->key_len);
	memcpy(out->salt, sm->salt, sizeof(out->salt));
	memcpy(out->iv, sm->iv, sizeof(out->iv));
	if (d == DIRN_S2C)
		out->iv[0] ^= 0x80;
	ktls_set_rec_seq(out, sm->rec_seq);
	return 0;
}

void static_material_cleanse(struct static_material *sm)
{
	OPENSSL_cleanse(sm, sizeof(*sm));
}
