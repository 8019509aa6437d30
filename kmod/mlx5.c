// SPDX-License-Identifier: GPL-2.0
/*
 * mlx5: a behavioural model of the kTLS offload of NVIDIA ConnectX
 * (drivers/net/ethernet/mellanox/mlx5/core/en_accel/ktls_tx.c and
 * ktls_rx.c), at the level a tlsdev backend sees it. The crypto is the core's streaming
 * AES-GCM (gcm.c); what this module adds is the device's policy:
 *
 *  - a bounded pool of TX contexts. Each offloaded connection holds a
 *    DEK (the key object in the device) and a TIS (the send context that
 *    points at it). The device has room for @pool_size of them; the
 *    tls_dev_add beyond that fails with -ENOSPC and the TLS core keeps
 *    the socket in software kTLS, as it does when the NIC's firmware
 *    refuses to create a DEK. Each context gets a key_id from the pool,
 *    as the DEK object number the firmware returns.
 *  - install latency: creating the DEK is a synchronous firmware command
 *    in mlx5 (mlx5_ktls_create_key); tls_dev_add sleeps @install_usec to
 *    model it, in process context, every attempt, as the command's round
 *    trip is paid whether the firmware accepts or refuses.
 *  - the cipher capabilities (MLX5_CAP_TLS tls_1_2_aes_gcm_128/256,
 *    checked by mlx5e_ktls_type_check): @aes_gcm_256=N models a device
 *    without the AES-256 capability, whose tls_dev_add refuses AES-256
 *    keys with -EOPNOTSUPP (software kTLS again).
 *
 * RX contexts take a DEK from the same pool (mlx5 pairs it with a TIR
 * instead of a TIS). A device with this backend regains RX sync with the
 * kernel's async protocol (TLS_OFFLOAD_SYNC_TYPE_DRIVER_REQ_ASYNC) unless
 * told otherwise: the core's RX datapath (rx.c) models the hardware's
 * record tracker and answers the kernel's query from a work item, as
 * mlx5's GET_PSV completion does.
 *
 * The datapath behaviour of mlx5 (replaying a record's prefix as DUMP
 * work requests on a retransmission, and the tx_tls_* counters of
 * ethtool -S with mlx5's names) is the core's, in its "replay" tx-resync
 * mode; Documentation/backends.rst lists where the model departs from the
 * hardware. The pool is visible in /sys/kernel/debug/tlsdev_mlx5/pool.
 *
 * Static functions are prefixed mlx5m_ ("model") so that they are never
 * mistaken for the real driver's in a stack trace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <uapi/linux/tls.h>

#include "backend.h"
#include "gcm.h"
#include "uapi/tlsdev.h"

#define MLX5M_INSTALL_USEC_MAX	USEC_PER_SEC

static unsigned int pool_size = 1024;
module_param(pool_size, uint, 0444);
MODULE_PARM_DESC(pool_size,
		 "contexts (DEK + TIS or TIR) the device has room for; 0 refuses every offload (default 1024)");

static unsigned int install_usec = 100;
module_param(install_usec, uint, 0644);
MODULE_PARM_DESC(install_usec,
		 "time tls_dev_add sleeps, the DEK creation command (default 100, at most 1000000)");

static bool aes_gcm_256 = true;
module_param(aes_gcm_256, bool, 0644);
MODULE_PARM_DESC(aes_gcm_256,
		 "the device can offload AES-GCM-256 (the tls_1_2_aes_gcm_256 capability; default Y)");

/*
 * The context pool. @ida hands out the key_ids, at most pool_size of them
 * at a time; @in_use counts those handed out, and never exceeds pool_size.
 * Both are exact under concurrent tls_dev_add/del.
 */
static DEFINE_IDA(mlx5m_ida);
static atomic_t mlx5m_in_use = ATOMIC_INIT(0);
static atomic_t mlx5m_peak = ATOMIC_INIT(0);
static atomic64_t mlx5m_nr_alloc = ATOMIC64_INIT(0);	/* contexts created */
static atomic64_t mlx5m_nr_free = ATOMIC64_INIT(0);	/* contexts destroyed */
static atomic64_t mlx5m_nr_full = ATOMIC64_INIT(0);	/* -ENOSPC: pool full */
static atomic64_t mlx5m_nr_nocap = ATOMIC64_INIT(0);	/* -EOPNOTSUPP: cipher */

static struct dentry *mlx5m_debugfs;

/*
 * Per connection and direction: the context in the device. @dek must stay first:
 * the record ops are the gcm.c functions, which take it as their key.
 */
struct mlx5m_tx_ctx {
	struct tlsdev_gcm_key dek;	/* the DEK: the key schedule */
	u32 key_id;			/* its object number in the pool */
};

static_assert(offsetof(struct mlx5m_tx_ctx, dek) == 0);

static void mlx5m_peak_update(int n)
{
	int peak = atomic_read(&mlx5m_peak);

	do {
		if (n <= peak)
			return;
	} while (!atomic_try_cmpxchg(&mlx5m_peak, &peak, n));
}

/* Take a context from the pool: its key_id, or -ENOSPC if it is empty. */
static int mlx5m_pool_get(void)
{
	unsigned int size = READ_ONCE(pool_size);
	int id;

	if (!size)
		return -ENOSPC;
	id = ida_alloc_max(&mlx5m_ida, size - 1, GFP_KERNEL);
	if (id < 0)
		return id;
	mlx5m_peak_update(atomic_inc_return(&mlx5m_in_use));
	atomic64_inc(&mlx5m_nr_alloc);
	return id;
}

static void mlx5m_pool_put(u32 key_id)
{
	atomic64_inc(&mlx5m_nr_free);
	atomic_dec(&mlx5m_in_use);
	ida_free(&mlx5m_ida, key_id);
}

/* tls_dev_add: create the DEK, take a TIS or TIR. Process context. */
static int mlx5m_init(void *key, const struct tlsdev_key *tk)
{
	struct mlx5m_tx_ctx *ctx = key;
	unsigned int usec;
	int id, err;

	/* mlx5e_ktls_type_check(): no firmware command for this one */
	if (tk->cipher_type == TLS_CIPHER_AES_GCM_256 &&
	    !READ_ONCE(aes_gcm_256)) {
		atomic64_inc(&mlx5m_nr_nocap);
		return -EOPNOTSUPP;
	}

	/* the DEK creation command's round trip, accepted or not */
	usec = min_t(unsigned int, READ_ONCE(install_usec),
		     MLX5M_INSTALL_USEC_MAX);
	if (usec)
		fsleep(usec);

	id = mlx5m_pool_get();
	if (id < 0) {
		if (id == -ENOSPC)
			atomic64_inc(&mlx5m_nr_full);
		pr_debug("no context: %d\n", id);
		return id;
	}

	err = tlsdev_gcm_init(&ctx->dek, tk);
	if (err) {
		mlx5m_pool_put(id);
		return err;
	}
	ctx->key_id = id;
	pr_debug("DEK %d created (AES-%u)\n", id, tk->key_len * 8);
	return 0;
}

/* tls_dev_del: destroy the DEK, give the TIS back. */
static void mlx5m_free(void *key)
{
	struct mlx5m_tx_ctx *ctx = key;
	u32 key_id = ctx->key_id;

	tlsdev_gcm_free(&ctx->dek);
	mlx5m_pool_put(key_id);
	pr_debug("DEK %u destroyed\n", key_id);
}

static struct tlsdev_backend mlx5m_backend = {
	.name		= "mlx5",
	.owner		= THIS_MODULE,
	.key_size	= sizeof(struct mlx5m_tx_ctx),
	.stream_size	= sizeof(struct tlsdev_gcm_stream),
	.init		= mlx5m_init,
	.free		= mlx5m_free,
	.rec_begin	= tlsdev_gcm_rec_begin,
	.encrypt	= tlsdev_gcm_encrypt,
	.decrypt	= tlsdev_gcm_decrypt,
	.rec_end	= tlsdev_gcm_rec_end,
	.rx_resync	= TLSDEV_RX_RESYNC_ASYNC,
};

static int mlx5m_pool_show(struct seq_file *m, void *v)
{
	seq_printf(m, "pool_size: %u\n", READ_ONCE(pool_size));
	seq_printf(m, "in_use: %d\n", atomic_read(&mlx5m_in_use));
	seq_printf(m, "peak: %d\n", atomic_read(&mlx5m_peak));
	seq_printf(m, "alloc: %lld\n", atomic64_read(&mlx5m_nr_alloc));
	seq_printf(m, "free: %lld\n", atomic64_read(&mlx5m_nr_free));
	seq_printf(m, "refused_full: %lld\n", atomic64_read(&mlx5m_nr_full));
	seq_printf(m, "refused_cipher: %lld\n", atomic64_read(&mlx5m_nr_nocap));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mlx5m_pool);

static int __init mlx5m_module_init(void)
{
	int err;

	mlx5m_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("pool", 0444, mlx5m_debugfs, NULL,
			    &mlx5m_pool_fops);

	err = tlsdev_backend_register(&mlx5m_backend);
	if (err)
		debugfs_remove_recursive(mlx5m_debugfs);
	return err;
}

/* Devices pin this module, and contexts live within their device. */
static void __exit mlx5m_module_exit(void)
{
	tlsdev_backend_unregister(&mlx5m_backend);
	debugfs_remove_recursive(mlx5m_debugfs);
	WARN_ON_ONCE(atomic_read(&mlx5m_in_use));
	ida_destroy(&mlx5m_ida);
}

module_init(mlx5m_module_init);
module_exit(mlx5m_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tlsdev mlx5 backend: a model of ConnectX kTLS offload");
MODULE_ALIAS("tlsdev-backend-mlx5");
MODULE_IMPORT_NS(TLSDEV);
