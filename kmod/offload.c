// SPDX-License-Identifier: GPL-2.0
/*
 * struct tlsdev_ops: the TLS core adds and deletes offloaded connections.
 */
#include <linux/slab.h>
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
				struct tlsdev_key *key)
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
		return 0;
	case TLS_CIPHER_AES_GCM_256:
		gcm256 = container_of(ci, typeof(*gcm256), info);
		key->key_len = TLS_CIPHER_AES_GCM_256_KEY_SIZE;
		memcpy(key->key, gcm256->key, key->key_len);
		memcpy(key->salt, gcm256->salt, TLSDEV_SALT_SIZE);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int tlsdev_tls_dev_add(struct net_device *dev, struct sock *sk,
			      enum tls_offload_ctx_dir direction,
			      struct tls_crypto_info *ci, u32 start_tcp_seq)
{
	struct tlsdev *td = netdev_priv(dev);
	struct tlsdev_tx_conn *conn;
	struct tlsdev_key key;
	int err;

	if (direction != TLS_OFFLOAD_CTX_DIR_TX)
		return -EOPNOTSUPP;

	err = tlsdev_key_from_info(ci, &key);
	if (err)
		goto out;

	conn = kzalloc(struct_size(conn, state, td->be->state_size),
		       GFP_KERNEL);
	if (!conn) {
		err = -ENOMEM;
		goto out;
	}

	err = tlsdev_tx_conn_init(conn, ci, start_tcp_seq);
	if (err)
		goto err_free;
	conn->be = td->be;
	memcpy(conn->salt, key.salt, sizeof(conn->salt));

	err = conn->be->init(conn->state, &key);
	if (err)
		goto err_free;

	*tlsdev_tx_conn_slot(tls_get_ctx(sk)) = conn;
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_CTX);
	netdev_dbg(dev, "tx conn %p created\n", conn);
	goto out;

err_free:
	kfree_sensitive(conn);
out:
	if (err)
		netdev_dbg(dev, "tx conn not added: %d\n", err);
	memzero_explicit(&key, sizeof(key));
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
	conn->be->free(conn->state);
	kfree_sensitive(conn);
	tlsdev_stats_inc_ctl(td, TLSDEV_TX_DEL);
	netdev_dbg(dev, "tx conn %p destroyed\n", conn);
}

const struct tlsdev_ops tlsdev_tls_ops = {
	.tls_dev_add	= tlsdev_tls_dev_add,
	.tls_dev_del	= tlsdev_tls_dev_del,
};
