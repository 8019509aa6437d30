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
	u32 limit = READ_ONCE(td->fault.ctx_limit);
	bool ok;

	spin_lock(&td->conns_lock);
	ok = !limit || td->nr_conns < limit;
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

static int tlsdev_tls_dev_add(struct net_device *dev, struct sock *sk,
			      enum tls_offload_ctx_dir direction,
			      struct tls_crypto_info *ci, u32 start_tcp_seq)
{
	struct tlsdev *td = netdev_priv(dev);
	const struct tlsdev_backend *be = td->be;
	struct tlsdev_tx_conn *conn;
	struct tlsdev_key key;
	u64 rec_sn;
	int err;

	if (direction != TLS_OFFLOAD_CTX_DIR_TX)
		return -EOPNOTSUPP;

	if (tlsdev_fault_add(td)) {
		tlsdev_stats_inc_ctl(td, TLSDEV_FAULT_ADD_FAIL);
		return -EIO;
	}

	err = tlsdev_key_from_info(ci, &key, &rec_sn);
	if (err)
		goto out;

	err = -ENOMEM;
	conn = kzalloc(struct_size(conn, key, be->key_size), GFP_KERNEL);
	if (!conn)
		goto out;
	conn->main = tlsdev_stream_alloc(be);
	conn->scratch = tlsdev_stream_alloc(be);
	if (!conn->main || !conn->scratch)
		goto err_free;

	spin_lock_init(&conn->lock);
	tlsdev_stream_reset(conn->main, start_tcp_seq, rec_sn);
	conn->synced = true;
	conn->start_seq = start_tcp_seq;
	conn->cipher_type = key.cipher_type;
	memcpy(conn->salt, key.salt, sizeof(conn->salt));
	tlsdev_flow_from_sk(&conn->flow, sk);
	conn->be = be;

	err = be->init(conn->key, &key);
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
	goto out;

err_be:
	be->free(conn->key);
err_free:
	tlsdev_tx_conn_free(conn);
out:
	memzero_explicit(&key, sizeof(key));
	if (err)
		netdev_dbg(dev, "tx conn not added: %d\n", err);
	return err;
}

static void tlsdev_tls_dev_del(struct net_device *dev, struct tls_context *ctx,
			       enum tls_offload_ctx_dir direction)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_tx_conn *conn;

	if (WARN_ON_ONCE(direction != TLS_OFFLOAD_CTX_DIR_TX))
		return;

	conn = *tlsdev_tx_conn_slot(ctx);
	tlsdev_ctx_put(td, conn);
	conn->be->free(conn->key);
	tlsdev_tx_conn_free(conn);
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_DEL);
	netdev_dbg(dev, "tx conn %p destroyed\n", conn);
}

/*
 * Request mode: the core tells us where the next record starts, after we
 * asked with tls_offload_tx_resync_request(). Process context.
 */
static int tlsdev_tls_dev_resync(struct net_device *dev, struct sock *sk,
				 u32 seq, u8 *rcd_sn,
				 enum tls_offload_ctx_dir direction)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_tx_conn *conn;

	if (direction != TLS_OFFLOAD_CTX_DIR_TX)
		return -EOPNOTSUPP;

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
