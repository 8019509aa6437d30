// SPDX-License-Identifier: GPL-2.0
#include "ktls.h"

#include <errno.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

_Static_assert(TLS_CIPHER_AES_GCM_256_KEY_SIZE <= KTLS_KEY_MAX, "key size");
_Static_assert(TLS_CIPHER_AES_GCM_128_SALT_SIZE <= KTLS_SALT_MAX, "salt size");
_Static_assert(TLS_CIPHER_AES_GCM_128_IV_SIZE <= KTLS_IV_MAX, "iv size");
_Static_assert(TLS_CIPHER_AES_GCM_128_REC_SEQ_SIZE == KTLS_SEQ_LEN, "seq size");

int ktls_attach_ulp(int fd)
{
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls") - 1))
		return -errno;
	return 0;
}

int ktls_set_keys(int fd, enum ktls_dir dir, const struct ktls_params *p)
{
	union {
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
	} ci;
	socklen_t len;
	int optname = dir == KTLS_DIR_TX ? TLS_TX : TLS_RX;
	int err = 0;

	if (p->version != TLS_1_2_VERSION && p->version != TLS_1_3_VERSION)
		return -EINVAL;
	memset(&ci, 0, sizeof(ci));
	switch (p->cipher) {
	case TLS_CIPHER_AES_GCM_128:
		ci.g128.info.version = p->version;
		ci.g128.info.cipher_type = p->cipher;
		memcpy(ci.g128.key, p->key, sizeof(ci.g128.key));
		memcpy(ci.g128.salt, p->salt, sizeof(ci.g128.salt));
		memcpy(ci.g128.iv, p->iv, sizeof(ci.g128.iv));
		memcpy(ci.g128.rec_seq, p->rec_seq, sizeof(ci.g128.rec_seq));
		len = sizeof(ci.g128);
		break;
	case TLS_CIPHER_AES_GCM_256:
		ci.g256.info.version = p->version;
		ci.g256.info.cipher_type = p->cipher;
		memcpy(ci.g256.key, p->key, sizeof(ci.g256.key));
		memcpy(ci.g256.salt, p->salt, sizeof(ci.g256.salt));
		memcpy(ci.g256.iv, p->iv, sizeof(ci.g256.iv));
		memcpy(ci.g256.rec_seq, p->rec_seq, sizeof(ci.g256.rec_seq));
		len = sizeof(ci.g256);
		break;
	default:
		return -EINVAL;
	}
	if (setsockopt(fd, SOL_TLS, optname, &ci, len))
		err = -errno;
	OPENSSL_cleanse(&ci, sizeof(ci));
	return err;
}

size_t ktls_cipher_key_len(uint16_t cipher)
{
	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128: return TLS_CIPHER_AES_GCM_128_KEY_SIZE;
	case TLS_CIPHER_AES_GCM_256: return TLS_CIPHER_AES_GCM_256_KEY_SIZE;
	}
	return 0;
}

uint16_t ktls_cipher_for_key_len(size_t key_len)
{
	switch (key_len) {
	case TLS_CIPHER_AES_GCM_128_KEY_SIZE: return TLS_CIPHER_AES_GCM_128;
	case TLS_CIPHER_AES_GCM_256_KEY_SIZE: return TLS_CIPHER_AES_GCM_256;
	}
	return 0;
}

const char *ktls_cipher_name(uint16_t cipher, char *buf, size_t len)
{
	switch (cipher) {
	case 0:                         return "none";
	case TLS_CIPHER_AES_GCM_128:    return "aes-gcm-128";
	case TLS_CIPHER_AES_GCM_256:    return "aes-gcm-256";
	case TLS_CIPHER_AES_CCM_128:    return "aes-ccm-128";
	case TLS_CIPHER_CHACHA20_POLY1305: return "chacha20-poly1305";
	}
	snprintf(buf, len, "cipher-%u", cipher);
	return buf;
}

const char *ktls_version_name(uint16_t version, char *buf, size_t len)
{
	switch (version) {
	case 0:                return "none";
	case TLS_1_2_VERSION:  return "1.2";
	case TLS_1_3_VERSION:  return "1.3";
	}
	snprintf(buf, len, "0x%04x", version);
	return buf;
}

void ktls_set_rec_seq(struct ktls_params *p, uint64_t seq)
{
	int i;

	for (i = KTLS_SEQ_LEN - 1; i >= 0; i--) {
		p->rec_seq[i] = (uint8_t)seq;
		seq >>= 8;
	}
}

void ktls_params_cleanse(struct ktls_params *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
}
