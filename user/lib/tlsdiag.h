/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Query a TCP socket's kernel TLS state (per-direction TLS_CONF_*) through
 * NETLINK_SOCK_DIAG (libnl-3).
 *
 * The kernel (6.1: tcp_diag_get_aux -> tcp_diag_put_ulp -> tls_get_info)
 * reports, when INET_DIAG_INFO is requested and the requester has
 * CAP_NET_ADMIN:
 *   INET_DIAG_ULP_INFO (nested)
 *     INET_ULP_INFO_NAME  "tls"
 *     INET_ULP_INFO_TLS   (nested)
 *       TLS_INFO_VERSION, TLS_INFO_CIPHER, TLS_INFO_TXCONF, TLS_INFO_RXCONF
 *       (u16), TLS_INFO_ZC_RO_TX, TLS_INFO_RX_NO_PAD (flags)
 */
#ifndef TLSDEV_TLSDIAG_H
#define TLSDEV_TLSDIAG_H

#include <stdbool.h>
#include <stdint.h>

enum tlsdiag_status {
	TLSDIAG_OK = 0,     /* query answered; fields below are valid */
	TLSDIAG_ERROR,      /* query failed; see errstr */
};

struct tlsdiag_info {
	int status;
	char errstr[128];
	char ulp[16];       /* ULP attached to the socket ("" if none) */
	bool have_tls;      /* TLS info attribute was present */
	uint16_t version;   /* TLS_1_2_VERSION, ... (0 if unknown) */
	uint16_t cipher;    /* TLS_CIPHER_* (0 if unknown) */
	uint16_t txconf;    /* TLS_CONF_* (0 if unknown) */
	uint16_t rxconf;
	bool zc_ro_tx;
	bool rx_no_pad;
};

/*
 * Look up @fd (a connected TCP socket) by its exact 4-tuple and socket
 * cookie.  Never blocks for more than a few seconds.  Returns 0 when the
 * query was answered, -1 otherwise (info->status / errstr tell why).
 */
int tlsdiag_query(int fd, struct tlsdiag_info *info);

/*
 * Offload state of one direction: "hw", "hw-record", "sw", "none" (no TLS
 * keys in that direction / no tls ULP) or "unknown" (query failed, or the
 * kernel withheld ULP info because we lack CAP_NET_ADMIN).
 */
const char *tlsdiag_state(const struct tlsdiag_info *info, bool tx);

#endif
