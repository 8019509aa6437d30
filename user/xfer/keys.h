/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kTLS key material from a finished OpenSSL handshake: pure derivations
 * (OpenSSL KDFs only, no sockets), unit-tested against RFC 5246 and RFC
 * 8448 vectors.
 *
 * TLS 1.2 AES-GCM (RFC 5246 6.3, RFC 5288):
 *   key_block = PRF(master_secret, "key expansion",
 *                   server_random + client_random)
 *             = client_write_key[K] server_write_key[K]
 *               client_write_IV[4]  server_write_IV[4]
 *   (AEAD suites have no MAC keys.)  kTLS takes the 4-byte implicit IV as
 *   the salt and an 8-byte explicit nonce; the kernel increments the latter
 *   with every record.  tlsxfer starts it at the record sequence number
 *   (RFC 5288 3: "MAY be the 64-bit sequence number"), so nonces of one key
 *   never repeat.
 *
 * TLS 1.3 (RFC 8446 7.1, 7.3):
 *   key = HKDF-Expand-Label(traffic_secret, "key", "", K)
 *   iv  = HKDF-Expand-Label(traffic_secret, "iv",  "", 12)
 *   kTLS takes salt = iv[0..3], iv = iv[4..11]; the kernel XORs the
 *   record sequence number into salt||iv per record.
 */
#ifndef TLSXFER_KEYS_H
#define TLSXFER_KEYS_H

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/ktls.h"

#define KEYS_RANDOM_LEN   32
#define KEYS_SECRET_MAX   64  /* SHA-384 traffic secret, TLS 1.2 master secret (48) */

/*
 * TLS 1.2 PRF (P_<md>) through EVP_KDF "TLS1-PRF": @out = PRF(secret,
 * label, seed1 + seed2).  @md is an OpenSSL digest name ("SHA256").
 * Returns 0 or -1 (OpenSSL error).
 */
int keys_tls12_prf(const char *md, const uint8_t *secret, size_t secret_len,
		   const char *label, const uint8_t *seed1, size_t seed1_len,
		   const uint8_t *seed2, size_t seed2_len,
		   uint8_t *out, size_t out_len);

/*
 * HKDF-Expand-Label(secret, label, context, out_len) of RFC 8446 7.1
 * through EVP_KDF "TLS13-KDF" (mode EXPAND_ONLY, prefix "tls13 ").
 * Returns 0 or -1.
 */
int keys_hkdf_expand_label(const char *md, const uint8_t *secret,
			   size_t secret_len, const char *label,
			   const uint8_t *context, size_t context_len,
			   uint8_t *out, size_t out_len);

/*
 * kTLS parameters of one direction of a TLS 1.2 AES-GCM connection.
 * @client_write: the client->server direction (else server->client).
 * @seq: record sequence number of the next record in that direction.
 * Returns 0, -EINVAL (cipher) or -EIO (KDF failure).  Temporaries are
 * wiped; @p must be wiped by the caller (ktls_params_cleanse).
 */
int keys_tls12_params(const char *md, const uint8_t *master,
		      size_t master_len,
		      const uint8_t client_random[KEYS_RANDOM_LEN],
		      const uint8_t server_random[KEYS_RANDOM_LEN],
		      uint16_t cipher, bool client_write, uint64_t seq,
		      struct ktls_params *p);

/* kTLS parameters from a TLS 1.3 traffic secret (either direction). */
int keys_tls13_params(const char *md, const uint8_t *secret,
		      size_t secret_len, uint16_t cipher, uint64_t seq,
		      struct ktls_params *p);

/* TLS 1.3 application traffic secrets (from the key log callback). */
struct keys_tls13_secrets {
	uint8_t client[KEYS_SECRET_MAX];
	uint8_t server[KEYS_SECRET_MAX];
	size_t client_len, server_len;
};

/*
 * Record sequence numbers of the next record in each direction right after
 * the handshake, before any application data (see handoff.c).
 */
#define KEYS_TLS12_SEQ_AFTER_HANDSHAKE 1
#define KEYS_TLS13_SEQ_AFTER_HANDSHAKE 0

/*
 * kTLS parameters of both directions of the finished handshake on @ssl,
 * from this side's point of view (@tx: what it sends).  TLS 1.2: master
 * secret and randoms from the SSL; TLS 1.3: @sec.  Returns 0, -EINVAL
 * (version or cipher the kernel hand-off does not take), -ENOKEY (TLS 1.3
 * secrets missing) or -EIO (KDF failure).  The caller wipes @tx, @rx.
 */
int keys_from_ssl(SSL *ssl, const struct keys_tls13_secrets *sec,
		  struct ktls_params *tx, struct ktls_params *rx);

/*
 * True when OpenSSL holds bytes that a hand-off would lose: records of the
 * peer it has read ahead or that sit in its read BIO, or output it has not
 * flushed yet.
 */
bool keys_ssl_holds_records(SSL *ssl);

/*
 * One NSS key log line ("LABEL <client_random hex> <secret hex>"): if its
 * label is @label, decode the secret into @secret (at most @max bytes) and
 * the client random into @random (32 bytes, may be NULL).  Returns 1 on a
 * match, 0 for another label (nothing is written then), -1 for a
 * malformed line (then *@len is 0).
 */
int keys_parse_keylog(const char *line, const char *label,
		      uint8_t random[KEYS_RANDOM_LEN],
		      uint8_t *secret, size_t max, size_t *len);

#endif
