/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlsdev userspace API: rtnetlink link attributes (IFLA_INFO_DATA of
 * link kind "tlsdev") and the values they take.
 */
#ifndef _UAPI_LINUX_TLSDEV_H
#define _UAPI_LINUX_TLSDEV_H

#define TLSDEV_LINK_KIND	"tlsdev"
#define TLSDEV_BACKEND_NAME_MAX	16	/* including the terminating NUL */

/* How a device handles TX segments that are not the next in sequence. */
enum tlsdev_tx_resync {
	/*
	 * The device rebuilds its state for the segment by replaying the
	 * record prefix from the TLS core's record list, as mlx5 does.
	 */
	TLSDEV_TX_RESYNC_REPLAY,
	/*
	 * The segment goes through the kernel's software fallback; after a
	 * forward jump the device asks the core for a resync at the next
	 * record (tls_offload_tx_resync_request), as nfp and funeth do.
	 */
	TLSDEV_TX_RESYNC_REQUEST,
};

/* How a device regains RX sync after losing it (loss beyond a record). */
enum tlsdev_rx_resync {
	/*
	 * The device scans for a record header and asks the core to
	 * confirm it (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ).
	 */
	TLSDEV_RX_RESYNC_REQUEST,
	/*
	 * The core names the next record start when records keep arriving
	 * encrypted (TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT), as for nfp.
	 */
	TLSDEV_RX_RESYNC_HINT,
	/*
	 * The device reports a candidate header and answers the core's
	 * query from a work item, as the mlx5 tracker does
	 * (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC).
	 */
	TLSDEV_RX_RESYNC_ASYNC,
};

/*
 * What fault injection does with a segment: TX, one the device encrypted
 * (hold: one it is about to encrypt); RX, one received for an offloaded
 * connection, before the device sees it; RX async, the device's answer to
 * the core's resync query.
 */
enum tlsdev_fault_action {
	TLSDEV_FAULT_ACT_NONE,
	TLSDEV_FAULT_ACT_DROP,		/* TX, RX, RX async: lose it */
	TLSDEV_FAULT_ACT_DUP,		/* TX: send it twice */
	TLSDEV_FAULT_ACT_DELAY,		/* TX, RX: after the next one; async: late */
	TLSDEV_FAULT_ACT_REPLAY,	/* TX: resync for it as if out of order */
	TLSDEV_FAULT_ACT_CORRUPT,	/* RX: flip a ciphertext byte */
	TLSDEV_FAULT_ACT_DESYNC,	/* RX: the device loses its sync there */
	TLSDEV_FAULT_ACT_HOLD,		/* TX: look at it once its record is acked */
	__TLSDEV_FAULT_ACT_MAX,
};

enum {
	IFLA_TLSDEV_UNSPEC,
	IFLA_TLSDEV_BACKEND,		/* string: emu, ... */
	IFLA_TLSDEV_TX_RESYNC,		/* u8: enum tlsdev_tx_resync */
	IFLA_TLSDEV_RX_RESYNC,		/* u8: enum tlsdev_rx_resync */
	__IFLA_TLSDEV_MAX,
};

#define IFLA_TLSDEV_MAX (__IFLA_TLSDEV_MAX - 1)

#endif /* _UAPI_LINUX_TLSDEV_H */
