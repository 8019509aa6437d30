// SPDX-License-Identifier: GPL-2.0
/*
 * The mode table: how a connected TCP socket gets its keys.  Data movement
 * and verification (transfer.c) only see the struct xfer_io chosen here.
 *
 * Planned additions: openssl (userspace TLS via SSL_read/SSL_write),
 * ktls (OpenSSL handshake, keys extracted and installed with ktls_set_keys),
 * ktls-openssl (OpenSSL's own kTLS support).
 */
#include "xfer.h"

#include <errno.h>
#include <linux/tls.h>
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
