/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsdev core: a netdev stacked on a lower device that offers kTLS
 * device offload (NETIF_F_HW_TLS_TX) and does the crypto with a backend.
 */
#ifndef _TLSDEV_H
#define _TLSDEV_H

#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <net/tls.h>

#include "backend.h"
#include "tracker.h"

/*
 * Device counters, one per-CPU array indexed by this enum. The ethtool
 * names are in tlsdev_stat_names[] (ethtool.c), in the same order.
 */
enum tlsdev_stat {
	TLSDEV_TX_ENCRYPTED_PACKETS,
	TLSDEV_TX_ENCRYPTED_BYTES,
	TLSDEV_TX_CTX,
	TLSDEV_TX_DEL,
	TLSDEV_TX_OOO,
	TLSDEV_TX_FALLBACK_PACKETS,
	TLSDEV_TX_DROP_NO_MEM,
	TLSDEV_TX_DROP_ENGINE,
	TLSDEV_NUM_STATS
};

struct tlsdev_pcpu_stats {
	u64 v[TLSDEV_NUM_STATS];
	struct u64_stats_sync syncp;
};

/**
 * struct tlsdev - private part of a tlsdev net_device
 * @dev: the tlsdev device itself
 * @lower: the device underneath; set at creation under RTNL and held
 *	(dev_hold) until the tlsdev is unregistered, so the datapath reads
 *	it without further protection
 * @be: the backend; its module is pinned for the device's lifetime
 * @stats: per-CPU counters, updated on the datapath, summed for ethtool
 */
struct tlsdev {
	struct net_device *dev;
	struct net_device *lower;
	netdevice_tracker lower_tracker;
	const struct tlsdev_backend *be;
	struct tlsdev_pcpu_stats __percpu *stats;
};

/**
 * struct tlsdev_tx_conn - TX offload state of one socket
 * @lock: serialises the datapath of the connection; taken in softirq
 *	context from ndo_start_xmit
 * @tcp_seq: TCP sequence number of the next byte the engine expects
 * @trk: where @tcp_seq falls in the record stream
 * @tag: tag of the current record, valid once its payload is done
 * @broken: the engine failed mid-record; every further segment goes
 *	through the kernel's software fallback
 * @be: backend doing the crypto, same as the device's
 * @state: backend engine state, @be->state_size bytes
 *
 * Allocated in tls_dev_add, freed in tls_dev_del. The TLS core only calls
 * tls_dev_del once no skb of the socket can reach ndo_start_xmit any more
 * (after the socket is destroyed, or after tls_device_down's
 * synchronize_net()), so the datapath needs no reference of its own.
 */
struct tlsdev_tx_conn {
	spinlock_t lock;	/* the datapath of this connection */
	u32 tcp_seq;
	struct trk trk;
	u8 tag[TLSDEV_TAG_SIZE];
	u8 salt[TLSDEV_SALT_SIZE];
	bool broken;
	const struct tlsdev_backend *be;
	u8 state[] __aligned(8);
};

/* Datapath counters: softirq context (BH disabled). */
static inline void tlsdev_stats_add(struct tlsdev *td, enum tlsdev_stat i,
				    u64 n)
{
	struct tlsdev_pcpu_stats *s = this_cpu_ptr(td->stats);

	u64_stats_update_begin(&s->syncp);
	s->v[i] += n;
	u64_stats_update_end(&s->syncp);
}

static inline void tlsdev_stats_inc(struct tlsdev *td, enum tlsdev_stat i)
{
	tlsdev_stats_add(td, i, 1);
}

/* Control path counters, from process context. */
static inline void tlsdev_stats_inc_ctl(struct tlsdev *td, enum tlsdev_stat i)
{
	local_bh_disable();
	tlsdev_stats_inc(td, i);
	local_bh_enable();
}

/* netdev.c */
extern struct rtnl_link_ops tlsdev_link_ops;
bool netif_is_tlsdev(const struct net_device *dev);
int tlsdev_notifier_init(void);
void tlsdev_notifier_exit(void);

/* ethtool.c */
extern const struct ethtool_ops tlsdev_ethtool_ops;

/* offload.c */
extern const struct tlsdev_ops tlsdev_tls_ops;

/* tx.c */
struct sk_buff *tlsdev_tx_offload(struct tlsdev *td, struct sk_buff *skb);
int tlsdev_tx_conn_init(struct tlsdev_tx_conn *conn,
			const struct tls_crypto_info *ci, u32 start_tcp_seq);

/* backend registry, main.c */
const struct tlsdev_backend *tlsdev_backend_get(const char *name);
void tlsdev_backend_put(const struct tlsdev_backend *be);
extern char *tlsdev_default_backend;

#endif /* _TLSDEV_H */
