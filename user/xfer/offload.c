// SPDX-License-Identifier: GPL-2.0
/*
 * Why a kTLS direction is not offloaded.  The kernel only says hw or sw
 * (sock_diag); the reason is reconstructed from what the TLS core checks,
 * in its order (net/tls/tls_device.c, tls_set_device_offload() on 6.1):
 *   1. the socket's egress device offers NETIF_F_HW_TLS_TX ("ethtool -k":
 *      tls-hw-tx-offload; RX: tls-hw-rx-offload),
 *   2. the version is TLS 1.2 (6.1 refuses TLS 1.3 with EOPNOTSUPP),
 *   3. the cipher is AES-GCM-128/256,
 *   4. the driver's tls_dev_add() accepts the connection.
 * The first that fails is the reason; when all pass but the state is sw,
 * the device refused.  The egress device is the output interface of the
 * route to the peer (rtnetlink), which is what the TLS core looks at
 * (for RX: packets arrive where replies leave on symmetric routes).
 */
#include "xfer.h"

#include <linux/tls.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "../lib/ifroute.h"

#define FEAT_TX "tls-hw-tx-offload"
#define FEAT_RX "tls-hw-rx-offload"

void offload_probe_route(const struct xfer_conn *c, struct xfer_result *r)
{
	char err[128];

	r->have_route = false;
	r->feat_tx = r->feat_rx = IFF_FEATURE_ERROR;
	if (!c->ktls)
		return;
	if (ifroute_egress(c->fd, r->route_if, r->route_err,
			   sizeof(r->route_err)))
		return;
	r->have_route = true;
	r->feat_tx = ifroute_feature(r->route_if, FEAT_TX, err, sizeof(err));
	r->feat_rx = ifroute_feature(r->route_if, FEAT_RX, err, sizeof(err));
	if (r->feat_tx == IFF_FEATURE_ERROR || r->feat_rx == IFF_FEATURE_ERROR)
		snprintf(r->route_err, sizeof(r->route_err), "%s", err);
}

static const char *feat_state(int f)
{
	switch (f) {
	case IFF_FEATURE_ON:     return "on";
	case IFF_FEATURE_OFF:    return "off";
	case IFF_FEATURE_ABSENT: return "not offered";
	}
	return "unknown";
}

void offload_reason(const struct xfer_conn *c, const struct xfer_result *r,
		    const struct tlsdiag_info *d, bool tx, char *buf,
		    size_t len)
{
	const char *state = tlsdiag_state(d, tx);
	const char *dir = tx ? "tx" : "rx";
	int feat = tx ? r->feat_tx : r->feat_rx;
	uint16_t version = d->version ? d->version : c->tls_version;
	uint16_t cipher = d->cipher ? d->cipher : c->cipher;
	struct utsname un;
	char cb[16];

	buf[0] = '\0';
	if (strcmp(state, "hw") == 0 || strcmp(state, "hw-record") == 0)
		return;
	if (strcmp(state, "unknown") == 0) {
		snprintf(buf, len, "%s", d->errstr[0] ? d->errstr
						      : "state not reported");
		return;
	}
	if (strcmp(state, "none") == 0) {
		if (c->ti.ktls_note[0])
			snprintf(buf, len, "userspace TLS: %s", c->ti.ktls_note);
		else if (!c->tls)
			snprintf(buf, len, "no TLS");
		else if (!c->ktls)
			snprintf(buf, len, "userspace TLS: OpenSSL encrypts");
		else
			snprintf(buf, len, "no %s keys installed", dir);
		return;
	}
	/* sw: the TLS core's checks, in order. */
	if (!r->have_route) {
		snprintf(buf, len, "egress device unknown: %s", r->route_err);
		return;
	}
	if (feat != IFF_FEATURE_ON) {
		snprintf(buf, len, "route via %s: tls-hw-%s-offload %s",
			 r->route_if, dir, feat_state(feat));
		return;
	}
	if (version != TLS_1_2_VERSION) {
		if (uname(&un))
			snprintf(un.release, sizeof(un.release), "?");
		snprintf(buf, len, "TLS 1.3: the kernel (%s) offloads TLS 1.2 "
			 "only; %s has tls-hw-%s-offload on", un.release,
			 r->route_if, dir);
		return;
	}
	if (cipher != TLS_CIPHER_AES_GCM_128 && cipher != TLS_CIPHER_AES_GCM_256) {
		snprintf(buf, len, "cipher %s: no device offload for it",
			 ktls_cipher_name(cipher, cb, sizeof(cb)));
		return;
	}
	snprintf(buf, len, "%s has tls-hw-%s-offload on, but the offload was "
		 "refused (the device's tls_dev_add failed or the TLS core "
		 "fell back)", r->route_if, dir);
}
