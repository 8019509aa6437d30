// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-off of a finished OpenSSL handshake to kernel TLS (mode ktls).
 *
 * Key material (keys.c, keys_from_ssl): TLS 1.2 from the master secret and
 * the two randoms (TLS1-PRF "key expansion"); TLS 1.3 from the application
 * traffic secrets the key log callback delivered (HKDF-Expand-Label).
 *
 * Record sequence numbers at the moment of hand-off, with no application
 * data exchanged yet:
 *   TLS 1.2: the Finished message is the first record under the new keys
 *            in each direction (NewSessionTicket, if any, comes before
 *            ChangeCipherSpec, in the clear), so the next record is 1 in
 *            both directions.
 *   TLS 1.3: Finished is protected by the handshake traffic keys; the
 *            application traffic keys have protected nothing yet, so 0 in
 *            both directions.  Our server sends no NewSessionTicket (they
 *            would use the server's application key); tickets from other
 *            servers arrive after the hand-off, are decrypted by the kernel
 *            at sequence 0, 1, ... and skipped by io_fd.c.
 * The unit tests check both against records OpenSSL itself produces.
 *
 * OpenSSL never reads ahead here (read_ahead off): when the handshake
 * returns, no record of the peer sits in OpenSSL's buffers.  That is
 * asserted (keys_ssl_holds_records) - a record left there would be lost.
 */
#include "tls.h"

#include <errno.h>
#include <linux/tls.h>
#include <stdio.h>
#include <string.h>

#include "../lib/ktls.h"

static uint64_t seq_of(const struct ktls_params *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < KTLS_SEQ_LEN; i++)
		v = v << 8 | p->rec_seq[i];
	return v;
}

int tls_handoff(struct xfer_conn *c, const struct xfer_opts *o,
		char *why, size_t whylen)
{
	struct tls_sess *ts = tls_sess_of(c);
	const SSL_CIPHER *cs = SSL_get_current_cipher(ts->ssl);
	uint16_t cipher = tls_ktls_cipher(cs);
	struct ktls_params tx, rx;
	int err, rc = RC_SETUP;

	(void)o;
	memset(&tx, 0, sizeof(tx));
	memset(&rx, 0, sizeof(rx));
	if (SSL_version(ts->ssl) != TLS1_2_VERSION &&
	    SSL_version(ts->ssl) != TLS1_3_VERSION) {
		snprintf(why, whylen, "%s cannot be handed to the kernel",
			 SSL_get_version(ts->ssl));
		rc = XFER_FALLBACK;
		goto out;
	}
	if (cipher != TLS_CIPHER_AES_GCM_128 && cipher != TLS_CIPHER_AES_GCM_256) {
		snprintf(why, whylen, "cipher %s: tlsxfer hands only "
			 "AES-128-GCM and AES-256-GCM to the kernel",
			 cs ? SSL_CIPHER_get_name(cs) : "?");
		rc = XFER_FALLBACK;
		goto out;
	}
	/* Records OpenSSL already took off the socket would be lost. */
	if (keys_ssl_holds_records(ts->ssl)) {
		errmsg("hand-off: OpenSSL holds %d bytes of records beyond the "
		       "handshake; refusing to hand off (they would be lost)",
		       SSL_pending(ts->ssl));
		goto out;
	}
	err = keys_from_ssl(ts->ssl, &ts->sec, &tx, &rx);
	tls_sess_wipe_secrets(ts);
	if (err) {
		errmsg("hand-off: %s", err == -ENOKEY ?
		       "the key log callback did not deliver both TLS 1.3 "
		       "traffic secrets" : "key derivation failed");
		goto out;
	}
	c->ti.tx_seq = seq_of(&tx);
	c->ti.rx_seq = seq_of(&rx);

	err = ktls_attach_ulp(c->fd);
	if (err == -ENOTCONN) {
		/* Already reset (a TLS 1.3 server rejecting our certificate
		 * after we finished): OpenSSL can still read why. */
		snprintf(why, whylen, "the peer closed the connection right "
			 "after the handshake");
		c->ti.peer_gone = true;
		rc = XFER_FALLBACK;
		goto out;
	}
	if (err) {
		snprintf(why, whylen, "setsockopt(TCP_ULP, \"tls\"): %s%s",
			 strerror(-err), err == -ENOENT ?
			 " (kernel tls module not available)" : "");
		rc = XFER_FALLBACK;
		goto out;
	}
	err = ktls_set_keys(c->fd, KTLS_DIR_TX, &tx);
	if (err) {
		/* Nothing installed: the socket still passes bytes through. */
		snprintf(why, whylen, "setsockopt(SOL_TLS, TLS_TX) refused "
			 "%s %s: %s", SSL_get_version(ts->ssl),
			 SSL_CIPHER_get_name(cs), strerror(-err));
		rc = XFER_FALLBACK;
		goto out;
	}
	c->ktls = true;
	c->tx_keys = true;
	err = ktls_set_keys(c->fd, KTLS_DIR_RX, &rx);
	if (err) {
		/* TX state now lives in the kernel: no way back. */
		errmsg("hand-off: setsockopt(SOL_TLS, TLS_RX): %s (TLS_TX is "
		       "already installed; cannot fall back)", strerror(-err));
		goto out;
	}
	c->rx_keys = true;
	ts->handed_off = true;
	c->io = &xfer_io_fd;
	rc = RC_OK;
out:
	tls_sess_wipe_secrets(ts);
	ktls_params_cleanse(&tx);
	ktls_params_cleanse(&rx);
	return rc;
}
