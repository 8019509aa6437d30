/* SPDX-License-Identifier: GPL-2.0 */
/* State of one OpenSSL connection, shared by tls.c and handoff.c. */
#ifndef TLSXFER_TLS_H
#define TLSXFER_TLS_H

#include <openssl/ssl.h>

#include "keys.h"
#include "xfer.h"

struct tls_sess {
	SSL *ssl;
	enum tls_flavor flavor;
	/*
	 * TLS 1.3 application traffic secrets, from the key log callback
	 * (CLIENT_TRAFFIC_SECRET_0 / SERVER_TRAFFIC_SECRET_0; only captured
	 * in the hand-off flavor).  Wiped right after the hand-off.
	 */
	struct keys_tls13_secrets sec;
	/* First certificate verification failure (verify callback). */
	int verify_err;
	int verify_depth;
	char verify_subject[256];
	/* Server: SNI the client sent did not match --sni. */
	bool sni_mismatch;
	/* Client: the server asked for a certificate and we have none. */
	bool cert_requested;
	/* The handshake was done; SSL is kept for reporting only after a
	 * hand-off (must never do I/O again then). */
	bool handed_off;
};

static inline struct tls_sess *tls_sess_of(const struct xfer_conn *c)
{
	return c->io_priv;
}

/* kTLS cipher constant of an OpenSSL cipher (0: no kTLS equivalent). */
uint16_t tls_ktls_cipher(const SSL_CIPHER *cipher);

/* Wipe the captured TLS 1.3 secrets. */
void tls_sess_wipe_secrets(struct tls_sess *ts);

#endif
