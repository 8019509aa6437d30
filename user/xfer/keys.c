// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS key material from TLS secrets, with OpenSSL's own KDFs (see keys.h
 * for the layouts).  No key byte is ever printed; every temporary is
 * wiped with OPENSSL_cleanse.
 */
#include "keys.h"

#include <errno.h>
#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "../lib/hex.h"

#define TLS12_IMPLICIT_IV_LEN 4
#define TLS13_IV_LEN 12

static int kdf_derive(const char *name, OSSL_PARAM *params, uint8_t *out,
		      size_t out_len)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx = NULL;
	int ok = 0;

	kdf = EVP_KDF_fetch(NULL, name, NULL);
	if (kdf)
		kctx = EVP_KDF_CTX_new(kdf);
	if (kctx)
		ok = EVP_KDF_derive(kctx, out, out_len, params) > 0;
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

int keys_tls12_prf(const char *md, const uint8_t *secret, size_t secret_len,
		   const char *label, const uint8_t *seed1, size_t seed1_len,
		   const uint8_t *seed2, size_t seed2_len,
		   uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[6], *p = params;

	/* TLS1-PRF concatenates repeated seed parameters: label + seeds. */
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
						 (void *)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						 (void *)label, strlen(label));
	if (seed1_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
							 (void *)seed1,
							 seed1_len);
	if (seed2_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
							 (void *)seed2,
							 seed2_len);
	*p = OSSL_PARAM_construct_end();
	return kdf_derive("TLS1-PRF", params, out, out_len);
}

int keys_hkdf_expand_label(const char *md, const uint8_t *secret,
			   size_t secret_len, const char *label,
			   const uint8_t *context, size_t context_len,
			   uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	OSSL_PARAM params[7], *p = params;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;

	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	/* EXPAND_ONLY: the "key" is the PRK, here the secret itself. */
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX,
						 (void *)prefix,
						 sizeof(prefix) - 1);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL,
						 (void *)label, strlen(label));
	if (context_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA,
							 (void *)context,
							 context_len);
	*p = OSSL_PARAM_construct_end();
	return kdf_derive("TLS13-KDF", params, out, out_len);
}

int keys_tls12_params(const char *md, const uint8_t *master,
		      size_t master_len,
		      const uint8_t client_random[KEYS_RANDOM_LEN],
		      const uint8_t server_random[KEYS_RANDOM_LEN],
		      uint16_t cipher, bool client_write, uint64_t seq,
		      struct ktls_params *p)
{
	uint8_t block[2 * KTLS_KEY_MAX + 2 * TLS12_IMPLICIT_IV_LEN];
	size_t klen = ktls_cipher_key_len(cipher), blen;
	const uint8_t *key, *salt;

	memset(p, 0, sizeof(*p));
	if (!klen || klen > KTLS_KEY_MAX)
		return -EINVAL;
	blen = 2 * klen + 2 * TLS12_IMPLICIT_IV_LEN;
	if (keys_tls12_prf(md, master, master_len, "key expansion",
			   server_random, KEYS_RANDOM_LEN,
			   client_random, KEYS_RANDOM_LEN, block, blen)) {
		OPENSSL_cleanse(block, sizeof(block));
		return -EIO;
	}
	key = block + (client_write ? 0 : klen);
	salt = block + 2 * klen + (client_write ? 0 : TLS12_IMPLICIT_IV_LEN);
	p->version = TLS_1_2_VERSION;
	p->cipher = cipher;
	memcpy(p->key, key, klen);
	memcpy(p->salt, salt, TLS12_IMPLICIT_IV_LEN);
	ktls_set_rec_seq(p, seq);
	/* Explicit nonce of the next record = its sequence number. */
	memcpy(p->iv, p->rec_seq, KTLS_IV_MAX);
	OPENSSL_cleanse(block, sizeof(block));
	return 0;
}

int keys_tls13_params(const char *md, const uint8_t *secret,
		      size_t secret_len, uint16_t cipher, uint64_t seq,
		      struct ktls_params *p)
{
	uint8_t iv[TLS13_IV_LEN];
	size_t klen = ktls_cipher_key_len(cipher);

	_Static_assert(KTLS_SALT_MAX + KTLS_IV_MAX == TLS13_IV_LEN, "iv");
	memset(p, 0, sizeof(*p));
	if (!klen || klen > KTLS_KEY_MAX)
		return -EINVAL;
	if (keys_hkdf_expand_label(md, secret, secret_len, "key", NULL, 0,
				   p->key, klen) ||
	    keys_hkdf_expand_label(md, secret, secret_len, "iv", NULL, 0,
				   iv, sizeof(iv))) {
		OPENSSL_cleanse(iv, sizeof(iv));
		OPENSSL_cleanse(p, sizeof(*p));
		return -EIO;
	}
	p->version = TLS_1_3_VERSION;
	p->cipher = cipher;
	memcpy(p->salt, iv, KTLS_SALT_MAX);
	memcpy(p->iv, iv + KTLS_SALT_MAX, KTLS_IV_MAX);
	ktls_set_rec_seq(p, seq);
	OPENSSL_cleanse(iv, sizeof(iv));
	return 0;
}

/* kTLS AES-GCM cipher of an SSL cipher (0: not one the hand-off takes). */
static uint16_t gcm_cipher(const SSL_CIPHER *cs)
{
	switch (cs ? SSL_CIPHER_get_cipher_nid(cs) : NID_undef) {
	case NID_aes_128_gcm: return TLS_CIPHER_AES_GCM_128;
	case NID_aes_256_gcm: return TLS_CIPHER_AES_GCM_256;
	}
	return 0;
}

int keys_from_ssl(SSL *ssl, const struct keys_tls13_secrets *sec,
		  struct ktls_params *tx, struct ktls_params *rx)
{
	const SSL_CIPHER *cs = SSL_get_current_cipher(ssl);
	uint16_t cipher = gcm_cipher(cs);
	bool client = !SSL_is_server(ssl);
	uint8_t ms[KEYS_SECRET_MAX];
	uint8_t cr[KEYS_RANDOM_LEN], sr[KEYS_RANDOM_LEN];
	const EVP_MD *md_obj;
	const char *md;
	size_t ms_len, want;
	int err;

	memset(tx, 0, sizeof(*tx));
	memset(rx, 0, sizeof(*rx));
	md_obj = cs ? SSL_CIPHER_get_handshake_digest(cs) : NULL;
	if (!cipher || !md_obj)
		return -EINVAL;
	md = EVP_MD_get0_name(md_obj);
	if (SSL_version(ssl) == TLS1_2_VERSION) {
		ms_len = SSL_SESSION_get_master_key(SSL_get_session(ssl), ms,
						    sizeof(ms));
		if (ms_len == 0 ||
		    SSL_get_client_random(ssl, cr, sizeof(cr)) != sizeof(cr) ||
		    SSL_get_server_random(ssl, sr, sizeof(sr)) != sizeof(sr)) {
			err = -EIO;
			goto out;
		}
		err = keys_tls12_params(md, ms, ms_len, cr, sr, cipher, client,
					KEYS_TLS12_SEQ_AFTER_HANDSHAKE, tx);
		if (!err)
			err = keys_tls12_params(md, ms, ms_len, cr, sr, cipher,
						!client,
						KEYS_TLS12_SEQ_AFTER_HANDSHAKE,
						rx);
	} else if (SSL_version(ssl) == TLS1_3_VERSION) {
		want = (size_t)EVP_MD_get_size(md_obj);
		if (!sec || sec->client_len != want || sec->server_len != want)
			return -ENOKEY;
		err = keys_tls13_params(md, client ? sec->client : sec->server,
					want, cipher,
					KEYS_TLS13_SEQ_AFTER_HANDSHAKE, tx);
		if (!err)
			err = keys_tls13_params(md, client ? sec->server
							   : sec->client,
						want, cipher,
						KEYS_TLS13_SEQ_AFTER_HANDSHAKE,
						rx);
	} else {
		return -EINVAL;
	}
out:
	OPENSSL_cleanse(ms, sizeof(ms));
	if (err) {
		ktls_params_cleanse(tx);
		ktls_params_cleanse(rx);
	}
	return err;
}

/* Copy the next space-separated token of @s into @tok; advance @s. */
static size_t next_token(const char **s, char *tok, size_t cap)
{
	const char *b = *s, *e;
	size_t n;

	while (*b == ' ')
		b++;
	e = b;
	while (*e && *e != ' ' && *e != '\n')
		e++;
	n = (size_t)(e - b);
	*s = e;
	if (n == 0 || n >= cap)
		return 0;
	memcpy(tok, b, n);
	tok[n] = '\0';
	return n;
}

int keys_parse_keylog(const char *line, const char *label,
		      uint8_t random[KEYS_RANDOM_LEN],
		      uint8_t *secret, size_t max, size_t *len)
{
	char tok[2 * KEYS_SECRET_MAX + 2];
	const char *s = line;
	int rc = -1;

	/* Other labels leave @secret and @len alone. */
	if (!next_token(&s, tok, sizeof(tok)))
		return -1;
	if (strcmp(tok, label) != 0)
		return 0;
	*len = 0;
	if (!next_token(&s, tok, sizeof(tok)) ||
	    hex_decode_exact(tok, random ? random : (uint8_t[KEYS_RANDOM_LEN]){ 0 },
			     KEYS_RANDOM_LEN))
		goto out;
	if (!next_token(&s, tok, sizeof(tok)) ||
	    hex_decode(tok, secret, max, len) != HEX_OK)
		goto out;
	rc = 1;
out:
	if (rc < 0 && *len) {
		OPENSSL_cleanse(secret, max);
		*len = 0;
	}
	OPENSSL_cleanse(tok, sizeof(tok));
	return rc;
}

bool keys_ssl_holds_records(SSL *ssl)
{
	return SSL_has_pending(ssl) ||
	       BIO_pending(SSL_get_rbio(ssl)) > 0 ||
	       BIO_wpending(SSL_get_wbio(ssl)) > 0;
}
