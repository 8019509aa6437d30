/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlsdev userspace API: the "tls_dev" generic netlink family.
 *
 * Written from Documentation/netlink/tls_dev.yaml, which is the contract;
 * keep the two in step (Documentation/netlink.rst describes them).
 * enum tlsdev_tx_resync, enum tlsdev_rx_resync and enum tlsdev_fault_action
 * are in tlsdev.h.
 */
#ifndef _UAPI_LINUX_TLSDEV_GENL_H
#define _UAPI_LINUX_TLSDEV_GENL_H

#include "tlsdev.h"

#define TLSDEV_FAMILY_NAME	"tls_dev"
#define TLSDEV_FAMILY_VERSION	1

/* Direction of an offloaded connection. */
enum tlsdev_conn_dir {
	TLSDEV_CONN_DIR_TX,
	TLSDEV_CONN_DIR_RX,
};

/*
 * Where the device stands in the record stream of an RX connection
 * (TLSDEV_A_CONN_RX_STATE). More values may be added: a client shows an
 * unknown one by its number.
 */
enum tlsdev_conn_rx_state {
	TLSDEV_CONN_RX_STATE_SYNC,	/* following the stream, decrypting */
	TLSDEV_CONN_RX_STATE_SEARCH,	/* lost: looking for a record header */
	TLSDEV_CONN_RX_STATE_CONFIRM,	/* on a candidate the core must confirm */
	TLSDEV_CONN_RX_STATE_HINT,	/* waiting for the record the core named */
};

enum {
	TLSDEV_A_IFINDEX = 1,		/* u32 */
	TLSDEV_A_IFNAME,		/* string */
	TLSDEV_A_LOWER_IFINDEX,		/* u32 */
	TLSDEV_A_LOWER_IFNAME,		/* string */
	TLSDEV_A_BACKEND,		/* string */
	TLSDEV_A_TX_RESYNC,		/* u32: enum tlsdev_tx_resync */
	TLSDEV_A_NR_CONNS,		/* u32 */
	TLSDEV_A_FAULT,			/* nest: TLSDEV_A_FAULT_* */
	TLSDEV_A_CONN,			/* nest: TLSDEV_A_CONN_* */
	TLSDEV_A_STAT,			/* nest: TLSDEV_A_STAT_*, multi-attr */
	TLSDEV_A_RX_RESYNC,		/* u32: enum tlsdev_rx_resync */
	TLSDEV_A_NR_RX_CONNS,		/* u32 */

	__TLSDEV_A_MAX,
	TLSDEV_A_MAX = (__TLSDEV_A_MAX - 1)
};

enum {
	TLSDEV_A_FAULT_TX_ACTION = 1,	/* u32: none, drop, dup, delay, replay */
	TLSDEV_A_FAULT_TX_NTH,		/* u32, >= 1 */
	TLSDEV_A_FAULT_TX_EVERY,	/* u32, 0: once */
	TLSDEV_A_FAULT_TX_COUNT,	/* u32, read-only */
	TLSDEV_A_FAULT_ADD_FAIL,	/* u32 */
	TLSDEV_A_FAULT_CTX_LIMIT,	/* u32, TX + RX contexts, 0: no limit */
	TLSDEV_A_FAULT_RX_ACTION,	/* u32: none, drop, delay, corrupt, desync */
	TLSDEV_A_FAULT_RX_NTH,		/* u32, >= 1 */
	TLSDEV_A_FAULT_RX_EVERY,	/* u32, 0: once */
	TLSDEV_A_FAULT_RX_COUNT,	/* u32, read-only */
	TLSDEV_A_FAULT_RX_ASYNC_ACTION,	/* u32: none, drop, delay */
	TLSDEV_A_FAULT_RX_ASYNC_NTH,	/* u32, >= 1 */
	TLSDEV_A_FAULT_RX_ASYNC_EVERY,	/* u32, 0: once */
	TLSDEV_A_FAULT_RX_ASYNC_COUNT,	/* u32, read-only */

	__TLSDEV_A_FAULT_MAX,
	TLSDEV_A_FAULT_MAX = (__TLSDEV_A_FAULT_MAX - 1)
};

enum {
	TLSDEV_A_CONN_DIR = 1,		/* u32: enum tlsdev_conn_dir */
	TLSDEV_A_CONN_FAMILY,		/* u16: AF_INET, AF_INET6 */
	TLSDEV_A_CONN_SADDR_IPV4,	/* be32 */
	TLSDEV_A_CONN_DADDR_IPV4,	/* be32 */
	TLSDEV_A_CONN_SADDR_IPV6,	/* binary, 16 bytes */
	TLSDEV_A_CONN_DADDR_IPV6,	/* binary, 16 bytes */
	TLSDEV_A_CONN_SPORT,		/* be16 */
	TLSDEV_A_CONN_DPORT,		/* be16 */
	TLSDEV_A_CONN_CIPHER,		/* u16: TLS_CIPHER_* */
	TLSDEV_A_CONN_START_SEQ,	/* u32, TX */
	TLSDEV_A_CONN_TCP_SEQ,		/* u32 */
	TLSDEV_A_CONN_REC_SEQ,		/* u64 */
	TLSDEV_A_CONN_SYNCED,		/* u8: 0 or 1 */
	TLSDEV_A_CONN_OOO,		/* u64 */
	TLSDEV_A_CONN_REPLAYS,		/* u64, TX */
	TLSDEV_A_CONN_PAD,
	TLSDEV_A_CONN_RX_STATE,		/* u32: enum tlsdev_conn_rx_state, RX */
	TLSDEV_A_CONN_RESYNCS,		/* u64, RX */

	__TLSDEV_A_CONN_MAX,
	TLSDEV_A_CONN_MAX = (__TLSDEV_A_CONN_MAX - 1)
};

enum {
	TLSDEV_A_STAT_NAME = 1,		/* string, as ethtool -S names it */
	TLSDEV_A_STAT_VALUE,		/* u64 */
	TLSDEV_A_STAT_PAD,

	__TLSDEV_A_STAT_MAX,
	TLSDEV_A_STAT_MAX = (__TLSDEV_A_STAT_MAX - 1)
};

enum {
	TLSDEV_CMD_DEV_GET = 1,		/* do, dump */
	TLSDEV_CMD_CONN_GET,		/* dump */
	TLSDEV_CMD_STATS_GET,		/* do */
	TLSDEV_CMD_FAULT_SET,		/* do, CAP_NET_ADMIN */

	__TLSDEV_CMD_MAX,
	TLSDEV_CMD_MAX = (__TLSDEV_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_TLSDEV_GENL_H */
