/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Installing kernel TLS keys on a connected TCP socket.  Independent of
 * where the keys come from (static material, OpenSSL handshake, ...).
 */
#ifndef TLSDEV_KTLS_H
#define TLSDEV_KTLS_H

#include <stddef.h>
#include <stdint.h>

#define KTLS_KEY_MAX 32
#define KTLS_SALT_MAX 4
#define KTLS_IV_MAX 8
#define KTLS_SEQ_LEN 8

enum ktls_dir {
	KTLS_DIR_TX,
	KTLS_DIR_RX,
};

/* Key material for one direction. */
struct ktls_params {
	uint16_t version;          /* TLS_1_2_VERSION / TLS_1_3_VERSION */
	uint16_t cipher;           /* TLS_CIPHER_AES_GCM_128 / _256 */
	uint8_t key[KTLS_KEY_MAX];
	uint8_t salt[KTLS_SALT_MAX];
	uint8_t iv[KTLS_IV_MAX];
	uint8_t rec_seq[KTLS_SEQ_LEN]; /* big endian */
};

/* Attach the "tls" ULP.  Returns 0 or -errno (-ENOENT: no tls module). */
int ktls_attach_ulp(int fd);

/*
 * setsockopt(SOL_TLS, TLS_TX/TLS_RX) with @p.  The temporary crypto_info is
 * wiped before returning.  Returns 0 or -errno (-EINVAL for an unsupported
 * cipher/version).
 */
int ktls_set_keys(int fd, enum ktls_dir dir, const struct ktls_params *p);

/* Key length for @cipher, or 0 if the cipher is not supported here. */
size_t ktls_cipher_key_len(uint16_t cipher);
/* Cipher for a key length (16 -> AES-GCM-128, 32 -> AES-GCM-256), or 0. */
uint16_t ktls_cipher_for_key_len(size_t key_len);

/* "aes-gcm-128", "aes-gcm-256", ... or "cipher-<n>"; 0 -> "none". */
const char *ktls_cipher_name(uint16_t cipher, char *buf, size_t len);
/* "1.2", "1.3", or "0x...."; 0 -> "none". */
const char *ktls_version_name(uint16_t version, char *buf, size_t len);

/* Store @seq big endian in rec_seq. */
void ktls_set_rec_seq(struct ktls_params *p, uint64_t seq);

/* Wipe the key material (OPENSSL_cleanse). */
void ktls_params_cleanse(struct ktls_params *p);

#endif
