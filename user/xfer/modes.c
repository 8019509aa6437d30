// SPDX-License-Identifier: GPL-2.0
/*
 * The mode table: how a connected TCP socket gets its keys.  Data movement
 * and verification (transfer.c) only see the struct xfer_io chosen here.
 *
 *   static        kTLS from static keys, no handshake
 *   tcp           plain TCP
 *   openssl       OpenSSL handshake, userspace TLS (SSL_read/SSL_write)
 *   ktls          OpenSSL handshake, tlsxfer derives the keys and pushes
 *                 them to the kernel (handoff.c); hw or sw as the route
 *                 decides.  When the kernel cannot take the session (cipher,
 *                 no tls module) it says why and goes on in userspace TLS,
 *                 or fails with --require-ktls.
 *   ktls-openssl  OpenSSL handshake with SSL_OP_ENABLE_KTLS: OpenSSL pushes
 *                 the keys it wants to (OpenSSL 3.0: TX and RX for TLS 1.2,
 *                 TX only for TLS 1.3) and does the I/O.
 */
#include "xfer.h"

#include <errno.h>
#include <linux/tls.h>
#include <stdio.h>
#include <string.h>

static int tcp_setup(struct xfer_conn *c, const struct xfer_opts *o)
{
	(void)o;
	c->io = &xfer_io_fd;
	return RC_OK;
}

static int install_static(struct xfer_conn *c, const struct xfer_opts *o,
			  enum ktls_dir dir)
{
	struct ktls_params p;
	enum xfer_dirn d;
	int err;

	/* Client sends C2S; the server sends S2C. */
	if ((dir == KTLS_DIR_TX) == (c->role == ROLE_CLIENT))
		d = DIRN_C2S;
	else
		d = DIRN_S2C;
	err = static_params(&o->sm, d, &p);
	if (!err)
		err = ktls_set_keys(c->fd, dir, &p);
	ktls_params_cleanse(&p);
	if (err) {
		errmsg("setsockopt(SOL_TLS, %s): %s",
		       dir == KTLS_DIR_TX ? "TLS_TX" : "TLS_RX", strerror(-err));
		return RC_SETUP;
	}
	return RC_OK;
}

static int static_setup(struct xfer_conn *c, const struct xfer_opts *o)
{
	int err, rc;

	err = ktls_attach_ulp(c->fd);
	if (err) {
		errmsg("setsockopt(TCP_ULP, \"tls\"): %s%s", strerror(-err),
		       err == -ENOENT ? " (kernel tls module not available)"
				      : "");
		return RC_SETUP;
	}
	c->ktls = true;
	c->tls = true;
	c->tls_version = TLS_1_2_VERSION;
	c->cipher = ktls_cipher_for_key_len(o->sm.key_len);
	if (!o->no_tx_keys) {
		rc = install_static(c, o, KTLS_DIR_TX);
		if (rc)
			return rc;
		c->tx_keys = true;
	}
	if (!o->no_rx_keys) {
		rc = install_static(c, o, KTLS_DIR_RX);
		if (rc)
			return rc;
		c->rx_keys = true;
	}
	c->io = &xfer_io_fd;
	return RC_OK;
}

static int openssl_setup(struct xfer_conn *c, const struct xfer_opts *o)
{
	int rc = tls_handshake(c, o, TLS_FLAVOR_USER);

	if (rc)
		return rc;
	c->io = &xfer_io_ssl;
	return RC_OK;
}

static int ktls_setup(struct xfer_conn *c, const struct xfer_opts *o)
{
	char why[sizeof(c->ti.ktls_note)];
	int rc;

	rc = tls_handshake(c, o, TLS_FLAVOR_HANDOFF);
	if (rc)
		return rc;
	why[0] = '\0';
	rc = tls_handoff(c, o, why, sizeof(why));
	if (rc != XFER_FALLBACK)
		return rc;
	if (o->require_ktls) {
		errmsg("--require-ktls: %s", why);
		tls_close_notify(c);
		return RC_SETUP;
	}
	snprintf(c->ti.ktls_note, sizeof(c->ti.ktls_note), "%s", why);
	if (!c->ti.peer_gone)
		fprintf(stderr, "%s: kernel TLS not used: %s; continuing with "
			"userspace TLS (OpenSSL)\n", prog_name(), why);
	c->io = &xfer_io_ssl;
	return RC_OK;
}

static int ktls_openssl_setup(struct xfer_conn *c, const struct xfer_opts *o)
{
	int rc = tls_handshake(c, o, TLS_FLAVOR_OSSL_KTLS);

	if (rc)
		return rc;
	tls_ossl_ktls_state(c);
	c->io = &xfer_io_ssl;
	if (!c->ti.ossl_ktls_tx && !c->ti.ossl_ktls_rx) {
		snprintf(c->ti.ktls_note, sizeof(c->ti.ktls_note),
			 "OpenSSL did not enable kernel TLS (%s %s)",
			 c->ti.protocol, c->ti.suite);
		if (o->require_ktls) {
			errmsg("--require-ktls: %s", c->ti.ktls_note);
			tls_close_notify(c);
			return RC_SETUP;
		}
	} else if (!c->ti.ossl_ktls_rx) {
		snprintf(c->ti.ktls_note, sizeof(c->ti.ktls_note),
			 "OpenSSL enabled kernel TLS for TX only (%s)",
			 c->ti.protocol);
	}
	return RC_OK;
}

static int openssl_prepare(const struct xfer_opts *o)
{
	return tls_prepare(o, TLS_FLAVOR_USER);
}

static int ktls_prepare(const struct xfer_opts *o)
{
	return tls_prepare(o, TLS_FLAVOR_HANDOFF);
}

static int ktls_openssl_prepare(const struct xfer_opts *o)
{
	return tls_prepare(o, TLS_FLAVOR_OSSL_KTLS);
}

static void tls_cleanup(struct xfer_conn *c)
{
	tls_conn_free(c);
}

const struct xfer_mode xfer_modes[] = {
	{
		.name = "static",
		.summary = "kernel TLS 1.2 with static keys (no handshake)",
		.flags = MODE_F_STATIC_KEYS | MODE_F_KTLS,
		.setup = static_setup,
	},
	{
		.name = "tcp",
		.summary = "plain TCP baseline",
		.setup = tcp_setup,
	},
	{
		.name = "openssl",
		.summary = "OpenSSL handshake, userspace TLS (SSL_read/SSL_write)",
		.flags = MODE_F_HANDSHAKE,
		.prepare = openssl_prepare,
		.setup = openssl_setup,
		.cleanup = tls_cleanup,
	},
	{
		.name = "ktls",
		.summary = "OpenSSL handshake, keys handed to kernel TLS by tlsxfer",
		.flags = MODE_F_HANDSHAKE | MODE_F_KTLS,
		.prepare = ktls_prepare,
		.setup = ktls_setup,
		.cleanup = tls_cleanup,
	},
	{
		.name = "ktls-openssl",
		.summary = "OpenSSL handshake with OpenSSL's own kTLS "
			   "(SSL_OP_ENABLE_KTLS)",
		.flags = MODE_F_HANDSHAKE | MODE_F_KTLS,
		.prepare = ktls_openssl_prepare,
		.setup = ktls_openssl_setup,
		.cleanup = tls_cleanup,
	},
};

const size_t xfer_nmodes = ARRAY_SIZE(xfer_modes);

const struct xfer_mode *xfer_mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < xfer_nmodes; i++)
		if (strcmp(xfer_modes[i].name, name) == 0)
			return &xfer_modes[i];
	return NULL;
}
