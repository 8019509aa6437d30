// SPDX-License-Identifier: GPL-2.0
/*
 * struct tlsdev_ops: the TLS core adds, deletes and resyncs offloaded
 * connections.
 */
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/tls.h>

#include "tlsdev.h"

/* The driver state area of the TLS context holds a pointer to ours. */
static_assert(sizeof(struct tlsdev_tx_conn *) <= TLS_DRIVER_STATE_SIZE_TX);
static_assert(sizeof(struct tlsdev_rx_conn *) <= TLS_DRIVER_STATE_SIZE_RX);

static struct tlsdev_tx_conn **tlsdev_tx_conn_slot(struct tls_context *ctx)
{
	return __tls_driver_ctx(ctx, TLS_OFFLOAD_CTX_DIR_TX);
}

/* Copy the key material of @ci into @key; only AES-GCM on TLS 1.2. */
static int tlsdev_key_from_info(const struct tls_crypto_info *ci,
				struct tlsdev_key *key, u64 *rec_sn)
{
	const struct tls12_crypto_info_aes_gcm_128 *gcm128;
	const struct tls12_crypto_info_aes_gcm_256 *gcm256;

	if (ci->version != TLS_1_2_VERSION)
		return -EOPNOTSUPP;

	key->cipher_type = ci->cipher_type;
	switch (ci->cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		gcm128 = container_of(ci, typeof(*gcm128), info);
		key->key_len = TLS_CIPHER_AES_GCM_128_KEY_SIZE;
		memcpy(key->key, gcm128->key, key->key_len);
		memcpy(key->salt, gcm128->salt, TLSDEV_SALT_SIZE);
		*rec_sn = get_unaligned_be64(gcm128->rec_seq);
		return 0;
	case TLS_CIPHER_AES_GCM_256:
		gcm256 = container_of(ci, typeof(*gcm256), info);
		key->key_len = TLS_CIPHER_AES_GCM_256_KEY_SIZE;
		memcpy(key->key, gcm256->key, key->key_len);
		memcpy(key->salt, gcm256->salt, TLSDEV_SALT_SIZE);
		*rec_sn = get_unaligned_be64(gcm256->rec_seq);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static void tlsdev_flow_from_sk(struct tlsdev_flow *flow, const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	flow->family = sk->sk_family;
	flow->sport = inet->inet_sport;
	flow->dport = inet->inet_dport;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		flow->saddr.v6 = sk->sk_v6_rcv_saddr;
		flow->daddr.v6 = sk->sk_v6_daddr;
		return;
	}
#endif
	flow->saddr.v4 = inet->inet_saddr;
	flow->daddr.v4 = inet->inet_daddr;
}

static struct tlsdev_stream *tlsdev_stream_alloc(const struct tlsdev_backend *be)
{
	struct tlsdev_stream *st;

	return kzalloc(struct_size(st, be, be->stream_size), GFP_KERNEL);
}

static void tlsdev_tx_conn_free(struct tlsdev_tx_conn *conn)
{
	kfree_sensitive(conn->main);
	kfree_sensitive(conn->scratch);
	kfree_sensitive(conn);
}

/* Take a context slot of the device, within its fault-injected limit. */
static bool tlsdev_ctx_get(struct tlsdev *td, struct tlsdev_tx_conn *conn)
{
	bool ok;

	spin_lock(&td->conns_lock);
	ok = tlsdev_fault_ctx_room(td);
	if (ok) {
		list_add_tail(&conn->list, &td->conns);
		td->nr_conns++;
	}
	spin_unlock(&td->conns_lock);
	return ok;
}

static void tlsdev_ctx_put(struct tlsdev *td, struct tlsdev_tx_conn *conn)
{
	spin_lock(&td->conns_lock);
	list_del(&conn->list);
	td->nr_conns--;
	spin_unlock(&td->conns_lock);
}

static int tlsdev_tx_add(struct net_device *dev, struct sock *sk,
			 struct tlsdev_key *key, u64 rec_sn, u32 start_tcp_seq)
{
	struct tlsdev *td = netdev_priv(dev);
	const struct tlsdev_backend *be = td->be;
	struct tlsdev_tx_conn *conn;
	int err;

	conn = kzalloc(struct_size(conn, key, be->key_size), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	err = -ENOMEM;
	conn->main = tlsdev_stream_alloc(be);
	conn->scratch = tlsdev_stream_alloc(be);
	if (!conn->main || !conn->scratch)
		goto err_free;

	spin_lock_init(&conn->lock);
	tlsdev_stream_reset(conn->main, start_tcp_seq, rec_sn);
	conn->synced = true;
	conn->start_seq = start_tcp_seq;
	conn->cipher_type = key->cipher_type;
	memcpy(conn->salt, key->salt, sizeof(conn->salt));
	tlsdev_flow_from_sk(&conn->flow, sk);
	conn->be = be;

	err = be->init(conn->key, key);
	if (err)
		goto err_free;

	if (!tlsdev_ctx_get(td, conn)) {
		tlsdev_stats_inc_ctl(td, TLSDEV_TX_CTX_REFUSED);
		err = -ENOSPC;
		goto err_be;
	}

	*tlsdev_tx_conn_slot(tls_get_ctx(sk)) = conn;
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_CTX);
	netdev_dbg(dev, "tx conn %p created\n", conn);
	return 0;

err_be:
	be->free(conn->key);
err_free:
	tlsdev_tx_conn_free(conn);
	return err;
}

static struct tlsdev_rx_conn **tlsdev_rx_conn_slot(struct tls_context *ctx)
{
	return __tls_driver_ctx(ctx, TLS_OFFLOAD_CTX_DIR_RX);
}

/* As seen on received packets: the peer is the source. */
static void tlsdev_rx_flow_from_sk(struct tlsdev_flow *flow,
				   const struct sock *sk)
{
	struct tlsdev_flow local;

	tlsdev_flow_from_sk(&local, sk);
	flow->family = local.family;
	flow->sport = local.dport;
	flow->dport = local.sport;
	flow->saddr = local.daddr;
	flow->daddr = local.saddr;
}

static int tlsdev_rx_add(struct net_device *dev, struct sock *sk,
			 struct tlsdev_key *key, u64 rec_sn, u32 start_tcp_seq)
{
	struct tlsdev *td = netdev_priv(dev);
	const struct tlsdev_backend *be = td->be;
	struct tlsdev_rx_conn *conn;
	bool room;
	int err;

	if (!be->decrypt)
		return -EOPNOTSUPP;

	conn = kzalloc(struct_size(conn, key, be->key_size), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->st = tlsdev_stream_alloc(be);
	if (!conn->st) {
		err = -ENOMEM;
		goto err_free;
	}

	tlsdev_rx_conn_init(td, conn);
	tlsdev_stream_reset(conn->st, start_tcp_seq, rec_sn);
	conn->state = TLSDEV_RX_SYNC;
	conn->rec_known = true;
	conn->sk = sk;
	conn->cipher_type = key->cipher_type;
	memcpy(conn->salt, key->salt, sizeof(conn->salt));
	tlsdev_rx_flow_from_sk(&conn->flow, sk);
	conn->be = be;

	err = be->init(conn->key, key);
	if (err)
		goto err_free;

	if (td->rx_resync == TLSDEV_RX_RESYNC_HINT) {
		tls_offload_rx_resync_set_type(sk,
					       TLS_OFFLOAD_SYNC_TYPE_CORE_NEXT_HINT);
	} else if (td->rx_resync == TLSDEV_RX_RESYNC_ASYNC) {
		/* as mlx5e_ktls_add_rx: the core logs headers into ours */
		tls_offload_ctx_rx(tls_get_ctx(sk))->resync_async = &conn->async;
		tls_offload_rx_resync_set_type(sk,
					       TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC);
	}
	*tlsdev_rx_conn_slot(tls_get_ctx(sk)) = conn;

	spin_lock(&td->conns_lock);
	room = tlsdev_fault_ctx_room(td);
	if (room) {
		tlsdev_rx_conn_hash(td, conn);
		WRITE_ONCE(td->nr_rx_conns, td->nr_rx_conns + 1);
	}
	spin_unlock(&td->conns_lock);
	if (!room) {
		tlsdev_stats_inc_ctl(td, TLSDEV_RX_CTX_REFUSED);
		err = -ENOSPC;
		goto err_unpublish;
	}

	tlsdev_stats_inc_ctl(td, TLSDEV_RX_CTX);
	netdev_dbg(dev, "rx conn %p created\n", conn);
	return 0;

err_unpublish:
	/* the core frees its context on failure; leave it nothing of ours */
	*tlsdev_rx_conn_slot(tls_get_ctx(sk)) = NULL;
	tls_offload_ctx_rx(tls_get_ctx(sk))->resync_async = NULL;
	be->free(conn->key);
err_free:
	kfree_sensitive(conn->st);
	kfree_sensitive(conn);
	return err;
}

static int tlsdev_tls_dev_add(struct net_device *dev, struct sock *sk,
			      enum tls_offload_ctx_dir direction,
			      struct tls_crypto_info *ci, u32 start_tcp_seq)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_key key;
	u64 rec_sn;
	int err;

	if (tlsdev_fault_add(td)) {
		tlsdev_stats_inc_ctl(td, TLSDEV_FAULT_ADD_FAIL);
		return -EIO;
	}

	err = tlsdev_key_from_info(ci, &key, &rec_sn);
	if (!err && direction == TLS_OFFLOAD_CTX_DIR_TX)
		err = tlsdev_tx_add(dev, sk, &key, rec_sn, start_tcp_seq);
	else if (!err)
		err = tlsdev_rx_add(dev, sk, &key, rec_sn, start_tcp_seq);
	memzero_explicit(&key, sizeof(key));
	if (err)
		netdev_dbg(dev, "%s conn not added: %d\n",
			   direction == TLS_OFFLOAD_CTX_DIR_TX ? "tx" : "rx", err);
	return err;
}

/* The connection holds the salt: wipe it with the rest. */
static void tlsdev_rx_conn_free_rcu(struct rcu_head *head)
{
	kfree_sensitive(container_of(head, struct tlsdev_rx_conn, rcu));
}

/*
 * The datapath may still find @conn under RCU, but sees its socket gone
 * under its lock and touches nothing else: the stream and keys go now,
 * the connection itself, salt included, after a grace period. The core
 * does not touch @conn->async after tls_dev_del (the socket is closing,
 * or tls_device_down set TLS_RX_DEV_DEGRADED first).
 */
static void tlsdev_rx_del(struct tlsdev *td, struct tlsdev_rx_conn *conn)
{
	spin_lock(&td->conns_lock);
	hash_del_rcu(&conn->hnode);
	WRITE_ONCE(td->nr_rx_conns, td->nr_rx_conns - 1);
	spin_unlock(&td->conns_lock);

	tlsdev_rx_conn_stop(conn);

	conn->be->free(conn->key);
	kfree_sensitive(conn->st);
	conn->st = NULL;
	call_rcu(&conn->rcu, tlsdev_rx_conn_free_rcu);
	tlsdev_stats_inc_ctl(td, TLSDEV_RX_DEL);
	netdev_dbg(td->dev, "rx conn %p destroyed\n", conn);
}

static void tlsdev_tls_dev_del(struct net_device *dev, struct tls_context *ctx,
			       enum tls_offload_ctx_dir direction)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_tx_conn *conn;

	if (direction == TLS_OFFLOAD_CTX_DIR_RX) {
		tlsdev_rx_del(td, *tlsdev_rx_conn_slot(ctx));
		return;
	}

	conn = *tlsdev_tx_conn_slot(ctx);
	tlsdev_ctx_put(td, conn);
	conn->be->free(conn->key);
	tlsdev_tx_conn_free(conn);
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_DEL);
	netdev_dbg(dev, "tx conn %p destroyed\n", conn);
}

/*
 * TX, request mode: the core tells us where the next record starts, after
 * we asked with tls_offload_tx_resync_request(). RX: see rx.c.
 */
static int tlsdev_tls_dev_resync(struct net_device *dev, struct sock *sk,
				 u32 seq, u8 *rcd_sn,
				 enum tls_offload_ctx_dir direction)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_tx_conn *conn;

	if (direction == TLS_OFFLOAD_CTX_DIR_RX)
		return tlsdev_rx_resync(td, *tlsdev_rx_conn_slot(tls_get_ctx(sk)),
					seq, get_unaligned_be64(rcd_sn));

	conn = *tlsdev_tx_conn_slot(tls_get_ctx(sk));
	spin_lock_bh(&conn->lock);
	tlsdev_stream_reset(conn->main, seq, get_unaligned_be64(rcd_sn));
	conn->synced = true;
	spin_unlock_bh(&conn->lock);
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_RESYNC_DONE);
	return 0;
}

const struct tlsdev_ops tlsdev_tls_ops = {
	.tls_dev_add	= tlsdev_tls_dev_add,
	.tls_dev_del	= tlsdev_tls_dev_del,
	.tls_dev_resync	= tlsdev_tls_dev_resync,
};
