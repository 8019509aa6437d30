/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlsdev core: a netdev stacked on a lower device that offers kTLS
 * device offload (NETIF_F_HW_TLS_TX) and does the crypto with a backend.
 */
#ifndef _TLSDEV_H
#define _TLSDEV_H

#include <linux/ethtool.h>
#include <linux/hashtable.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/tls.h>

#include "backend.h"
#include "tracker.h"
#include "uapi/tlsdev.h"

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
	TLSDEV_TX_DUMP_PACKETS,
	TLSDEV_TX_DUMP_BYTES,
	TLSDEV_TX_RESYNC_BYTES,
	TLSDEV_TX_RESYNC_REQ,
	TLSDEV_TX_RESYNC_DONE,
	TLSDEV_TX_FALLBACK_PACKETS,
	TLSDEV_TX_SKIP_NO_SYNC_DATA,
	TLSDEV_TX_DROP_NO_SYNC_DATA,
	TLSDEV_TX_DROP_BYPASS_REQ,
	TLSDEV_TX_DROP_NO_MEM,
	TLSDEV_TX_DROP_ENGINE,
	TLSDEV_TX_CTX_REFUSED,
	TLSDEV_FAULT_DROP,
	TLSDEV_FAULT_DUP,
	TLSDEV_FAULT_DELAY,
	TLSDEV_FAULT_REPLAY,
	TLSDEV_FAULT_HOLD,
	TLSDEV_FAULT_ADD_FAIL,
	TLSDEV_RX_DECRYPTED_PACKETS,
	TLSDEV_RX_DECRYPTED_BYTES,
	TLSDEV_RX_CTX,
	TLSDEV_RX_DEL,
	TLSDEV_RX_CTX_REFUSED,
	TLSDEV_RX_OOO,
	TLSDEV_RX_SYNC_LOST,
	TLSDEV_RX_AUTH_FAIL,
	TLSDEV_RX_RESYNC_REQ_PKT,
	TLSDEV_RX_RESYNC_REQ_START,
	TLSDEV_RX_RESYNC_REQ_END,
	TLSDEV_RX_RESYNC_REQ_SKIP,
	TLSDEV_RX_RESYNC_RES_OK,
	TLSDEV_RX_RESYNC_RES_SKIP,
	TLSDEV_RX_ERR,
	TLSDEV_FAULT_CORRUPT,
	TLSDEV_FAULT_DESYNC,
	TLSDEV_NUM_STATS
};

struct tlsdev_pcpu_stats {
	u64 v[TLSDEV_NUM_STATS];
	struct u64_stats_sync syncp;
};

/**
 * struct tlsdev_fault_rule - hit the nth event, then every every-th one
 * @action: what to do (enum tlsdev_fault_action) with the @nth event
 *	counted from when the rule was set, and then with every @every-th
 *	one after it (0: only once); TLSDEV_FAULT_ACT_NONE disables
 * @nth: the first event hit, from 1
 * @every: the period after it, 0 for once
 * @count: events seen since the rule was set
 *
 * Written by netlink.c under RTNL: it turns @action off, waits for a
 * grace period (synchronize_net), rewrites @nth, @every and @count, then
 * publishes the new @action with smp_store_release(). The datapath
 * (tlsdev_fault_hit in fault.c) reads @action with smp_load_acquire()
 * inside an RCU read-side section that it takes itself, and the rest only
 * if it is not NONE, so it never applies an action with the @nth, @every
 * or @count of another rule.
 */
struct tlsdev_fault_rule {
	u8 action;
	u32 nth;
	u32 every;
	atomic_t count;
};

/**
 * struct tlsdev_fault - fault injection of one device, set over netlink
 * @tx: TX rule: the events are the segments the device encrypts in order
 *	(tlsdev_fault_tx); DROP, DUP, DELAY, REPLAY, HOLD
 * @rx: RX rule: the TCP segments with payload received for an RX-offloaded
 *	connection, before the device looks at them (tlsdev_fault_rx); DROP,
 *	DELAY (delivered after the next one), CORRUPT, DESYNC
 * @rx_async: RX async rule: the device's answers to the core's async
 *	resync queries (tlsdev_fault_rx_async); DROP, DELAY
 * @add_fail: how many of the next tls_dev_add calls fail, whatever their
 *	direction; lockless, atomic
 * @ctx_limit: at most this many contexts on the device, TX and RX together
 *	(0: no limit); written under RTNL, read under tlsdev.conns_lock
 *	where a context is added (tlsdev_fault_ctx_room)
 * @delayed: a segment held back by TLSDEV_FAULT_ACT_DELAY, sent after the
 *	next one or when @delay_timer fires; under @delay_lock
 * @held: a segment held back by TLSDEV_FAULT_ACT_HOLD before the device
 *	looked at it, with its socket; @hold_timer polls until its record is
 *	gone from the TLS core's list, or @held_until, then hands it to the
 *	device; under @delay_lock
 * @held_until: when @held is handed to the device in any case (jiffies)
 *
 * Netlink validates which actions each rule takes; see struct
 * tlsdev_fault_rule for how the rules are read and written.
 */
struct tlsdev_fault {
	struct tlsdev_fault_rule tx;
	struct tlsdev_fault_rule rx;
	struct tlsdev_fault_rule rx_async;
	atomic_t add_fail;
	u32 ctx_limit;
	spinlock_t delay_lock;	/* @delayed, @held, @held_until */
	struct sk_buff *delayed;
	struct timer_list delay_timer;
	struct sk_buff *held;
	unsigned long held_until;
	struct timer_list hold_timer;
};

/**
 * struct tlsdev - private part of a tlsdev net_device
 * @dev: the tlsdev device itself
 * @lower: the device underneath; set at creation under RTNL and held
 *	(netdev_hold) until the tlsdev is unregistered, so the datapath
 *	reads it without further protection
 * @be: the backend; its module is pinned for the device's lifetime
 * @be_owned: ndo_init succeeded, so the destructor (which the core may
 *	run only after newlink has returned) drops the reference of @be
 * @tx_resync: how out-of-sequence segments are handled
 *	(enum tlsdev_tx_resync); set at creation
 * @stats: per-CPU counters, updated on the datapath, summed for ethtool
 * @rx_resync: how RX sync is regained (enum tlsdev_rx_resync); set at
 *	creation
 * @conns_lock: guards @conns, @nr_conns, @nr_rx_conns and writers of
 *	@rx_hash
 * @conns: the offloaded connections (struct tlsdev_tx_conn.list)
 * @nr_conns: length of @conns
 * @nr_rx_conns: connections in @rx_hash; read locklessly on the datapath
 * @rx_hash: RX-offloaded connections by 4-tuple; RCU on the datapath
 * @fault: fault injection
 */
struct tlsdev {
	struct net_device *dev;
	struct net_device *lower;
	netdevice_tracker lower_tracker;
	const struct tlsdev_backend *be;
	bool be_owned;
	u8 tx_resync;
	u8 rx_resync;
	struct tlsdev_pcpu_stats __percpu *stats;
	spinlock_t conns_lock;	/* @conns, @nr_conns, @nr_rx_conns, @rx_hash */
	struct list_head conns;
	unsigned int nr_conns;
	unsigned int nr_rx_conns;
	DECLARE_HASHTABLE(rx_hash, 8);
	struct tlsdev_fault fault;
};

/**
 * struct tlsdev_stream - a position in a record stream and its engine state
 * @tcp_seq: TCP sequence number of the next byte
 * @trk: where @tcp_seq falls in the record stream
 * @tag: tag of the current record, valid once its payload is done
 * @be: backend stream state, tlsdev_backend.stream_size bytes
 */
struct tlsdev_stream {
	u32 tcp_seq;
	struct trk trk;
	u8 tag[TLSDEV_TAG_SIZE];
	u8 be[] __aligned(8);
};

/* Addresses of an offloaded connection, copied at tls_dev_add. */
struct tlsdev_flow {
	u16 family;
	__be16 sport;
	__be16 dport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
};

#define TLSDEV_REPLAY_CHUNK	1024

/**
 * struct tlsdev_tx_conn - TX offload state of one socket
 * @lock: serialises the datapath of the connection; taken in softirq
 *	context from ndo_start_xmit, with BH disabled elsewhere
 * @main: the device's stream: just after the last segment it encrypted
 *	in sequence
 * @scratch: a second stream, to rebuild the state of an out-of-sequence
 *	segment by replaying its record's prefix; swapped with @main when the
 *	segment reaches beyond it
 * @synced: @main is valid; false after an engine failure, and in request
 *	mode from a resync request until the core's tls_dev_resync
 * @ooo: segments that were not the next in sequence
 * @replays: record prefixes replayed to resynchronise
 * @chunk: where record prefixes are replayed (output discarded)
 * @list: entry in tlsdev.conns
 * @flow: addresses and ports, for the netlink dump
 * @start_seq: first TCP sequence number of offloaded data
 * @cipher_type: TLS_CIPHER_AES_GCM_128 or _256
 * @salt: implicit part of the GCM nonce
 * @be: backend doing the crypto, same as the device's
 * @key: backend key state, @be->key_size bytes
 *
 * Allocated in tls_dev_add, freed in tls_dev_del. The TLS core only calls
 * tls_dev_del once no skb of the socket can reach ndo_start_xmit any more
 * (after the socket is destroyed, or after tls_device_down's
 * synchronize_net()), so the datapath needs no reference of its own.
 * The socket itself may be gone before tls_dev_del: never keep a pointer.
 */
struct tlsdev_tx_conn {
	spinlock_t lock;	/* the datapath of this connection */
	struct tlsdev_stream *main;
	struct tlsdev_stream *scratch;
	bool synced;
	u64 ooo;
	u64 replays;
	u8 chunk[TLSDEV_REPLAY_CHUNK];

	struct list_head list;
	struct tlsdev_flow flow;
	u32 start_seq;
	u16 cipher_type;
	u8 salt[TLSDEV_SALT_SIZE];
	const struct tlsdev_backend *be;
	u8 key[] __aligned(8);
};

enum tlsdev_rx_state {
	TLSDEV_RX_SYNC,		/* following the stream */
	TLSDEV_RX_SEARCH,	/* lost: scanning (request, async) or waiting */
	TLSDEV_RX_CONFIRM,	/* following a candidate the core must confirm */
	TLSDEV_RX_HINT,		/* waiting for the record start the core named */
};

#define TLSDEV_RX_HDR_LOG	16

/* Async mode: where the query about the candidate stands. */
enum tlsdev_rx_async_state {
	TLSDEV_RX_ASYNC_IDLE,		/* no request open in the core */
	TLSDEV_RX_ASYNC_QUERY,		/* started; the answer is due */
	TLSDEV_RX_ASYNC_ANSWERED,	/* ended; waiting for tls_dev_resync */
	TLSDEV_RX_ASYNC_LOST,		/* the answer was lost (fault) */
};

/**
 * struct tlsdev_rx_conn - RX offload state of one socket
 * @hnode: entry in tlsdev.rx_hash
 * @flow: the 4-tuple as received: source is the peer
 * @lock: serialises the datapath (softirq) and tls_dev_resync
 * @sk: the socket, for resync requests; valid until tls_dev_del, which
 *	clears it under @lock: nothing else of the connection but @lock may
 *	be touched once it is NULL
 * @st: the stream: where the next expected byte falls
 * @state: enum tlsdev_rx_state
 * @rec_known: the record numbers of @st are right
 * @crypto: the record in progress is being decrypted
 * @unproven: hint mode: placed by the core's hint, and no record has been
 *	authenticated since; a tag that fails then means the hint was wrong
 * @cand_seq: request and async modes: the header the core was asked to
 *	confirm
 * @hint_seq: hint mode: where the core said a record starts
 * @hint_rec_sn: and its number
 * @hdr_log: hint mode, following a candidate: the TCP sequence of its
 *	last record headers and their record number in the chain (from 0 at
 *	the candidate), at that number modulo TLSDEV_RX_HDR_LOG
 * @hdr_log_len: valid entries in @hdr_log
 * @ooo: segments that were not the next in sequence
 * @resyncs: resyncs the core confirmed (tls_dev_resync accepted)
 * @held: a segment held back by TLSDEV_FAULT_ACT_DELAY, handled and
 *	delivered after the next segment of the connection
 * @td: the device, for the async work
 * @async_state: async mode: enum tlsdev_rx_async_state
 * @async_late: async mode: the answer due was already delayed once
 * @async_work: async mode: answers the core's query (the GET_PSV of
 *	mlx5) and times the answered request out; queued only under @lock
 *	while @sk is set, cancelled by tls_dev_del
 * @async: async mode: the request as the core sees it
 *	(tls_offload_context_rx.resync_async points here); written by the
 *	tls_offload_rx_resync_async_request_*() helpers under @lock
 * @rcu: frees the connection after tls_dev_del
 * @cipher_type: TLS_CIPHER_AES_GCM_128 or _256
 * @salt: implicit part of the GCM nonce
 * @be: backend doing the crypto
 * @key: backend key state
 */
struct tlsdev_rx_conn {
	struct hlist_node hnode;
	struct tlsdev_flow flow;
	spinlock_t lock;	/* datapath and resync */
	struct sock *sk;
	struct tlsdev_stream *st;
	u8 state;
	bool rec_known;
	bool crypto;
	bool unproven;
	u32 cand_seq;
	u32 hint_seq;
	u64 hint_rec_sn;
	struct {
		u32 seq;
		u32 idx;
	} hdr_log[TLSDEV_RX_HDR_LOG];
	u32 hdr_log_len;
	u64 ooo;
	u64 resyncs;
	struct sk_buff *held;
	struct tlsdev *td;
	u8 async_state;
	bool async_late;
	struct delayed_work async_work;
	struct tls_offload_resync_async async;
	struct rcu_head rcu;
	u16 cipher_type;
	u8 salt[TLSDEV_SALT_SIZE];
	const struct tlsdev_backend *be;
	u8 key[] __aligned(8);
};

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
extern const char tlsdev_stat_names[][ETH_GSTRING_LEN];

/* netlink.c */
int tlsdev_nl_init(void);
void tlsdev_nl_exit(void);

/* offload.c */
extern const struct tlsdev_ops tlsdev_tls_ops;

/* tx.c */
struct sk_buff *tlsdev_tx_detach(struct sk_buff *skb);
struct sk_buff *tlsdev_tx_offload(struct tlsdev *td, struct sk_buff *skb);
bool tlsdev_tx_held_done(struct tlsdev *td, struct sk_buff *skb);
void tlsdev_tx_held_send(struct tlsdev *td, struct sk_buff *skb);
void tlsdev_stream_reset(struct tlsdev_stream *st, u32 tcp_seq, u64 rec_sn);
void tlsdev_xmit_lower(struct tlsdev *td, struct sk_buff *skb);

/* rx.c */
struct sk_buff *tlsdev_rx(struct tlsdev *td, struct sk_buff *skb);
void tlsdev_rx_conn_hash(struct tlsdev *td, struct tlsdev_rx_conn *conn);
int tlsdev_rx_resync(struct tlsdev *td, struct tlsdev_rx_conn *conn, u32 seq,
		     u64 rec_sn);
void tlsdev_rx_conn_init(struct tlsdev *td, struct tlsdev_rx_conn *conn);
void tlsdev_rx_conn_stop(struct tlsdev_rx_conn *conn);

/* fault.c */
enum tlsdev_fault_action tlsdev_fault_tx(struct tlsdev *td);
enum tlsdev_fault_action tlsdev_fault_rx(struct tlsdev *td);
enum tlsdev_fault_action tlsdev_fault_rx_async(struct tlsdev *td);
bool tlsdev_fault_add(struct tlsdev *td);
bool tlsdev_fault_ctx_room(struct tlsdev *td);
void tlsdev_fault_delay(struct tlsdev *td, struct sk_buff *skb);
bool tlsdev_fault_hold(struct tlsdev *td, struct sk_buff *skb);
void tlsdev_fault_flush(struct tlsdev *td);
void tlsdev_fault_init(struct tlsdev *td);
void tlsdev_fault_cleanup(struct tlsdev *td);

/* backend registry, main.c */
const struct tlsdev_backend *tlsdev_backend_get(const char *name);
void tlsdev_backend_put(const struct tlsdev_backend *be);
extern char *tlsdev_default_backend;

#endif /* _TLSDEV_H */
