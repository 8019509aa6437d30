// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: driver info, link settings of the lower device, and the TLS
 * offload counters (``ethtool -S``), named as in the kernel's
 * Documentation/networking/tls-offload.rst where a name exists there.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>

#include "tlsdev.h"

const char tlsdev_stat_names[][ETH_GSTRING_LEN] = {
	[TLSDEV_TX_ENCRYPTED_PACKETS]	= "tx_tls_encrypted_packets",
	[TLSDEV_TX_ENCRYPTED_BYTES]	= "tx_tls_encrypted_bytes",
	[TLSDEV_TX_CTX]			= "tx_tls_ctx",
	[TLSDEV_TX_DEL]			= "tx_tls_del",
	[TLSDEV_TX_OOO]			= "tx_tls_ooo",
	[TLSDEV_TX_DUMP_PACKETS]	= "tx_tls_dump_packets",
	[TLSDEV_TX_DUMP_BYTES]		= "tx_tls_dump_bytes",
	[TLSDEV_TX_RESYNC_BYTES]	= "tx_tls_resync_bytes",
	[TLSDEV_TX_RESYNC_REQ]		= "tx_tls_resync_req",
	[TLSDEV_TX_RESYNC_DONE]		= "tx_tls_resync_done",
	[TLSDEV_TX_FALLBACK_PACKETS]	= "tx_tls_fallback_packets",
	[TLSDEV_TX_SKIP_NO_SYNC_DATA]	= "tx_tls_skip_no_sync_data",
	[TLSDEV_TX_DROP_NO_SYNC_DATA]	= "tx_tls_drop_no_sync_data",
	[TLSDEV_TX_DROP_BYPASS_REQ]	= "tx_tls_drop_bypass_req",
	[TLSDEV_TX_DROP_NO_MEM]		= "tx_tls_drop_no_mem",
	[TLSDEV_TX_DROP_ENGINE]		= "tx_tls_drop_engine",
	[TLSDEV_TX_CTX_REFUSED]		= "tx_tls_ctx_refused",
	[TLSDEV_FAULT_DROP]		= "fault_drop",
	[TLSDEV_FAULT_DUP]		= "fault_dup",
	[TLSDEV_FAULT_DELAY]		= "fault_delay",
	[TLSDEV_FAULT_REPLAY]		= "fault_replay",
	[TLSDEV_FAULT_HOLD]		= "fault_hold",
	[TLSDEV_FAULT_ADD_FAIL]		= "fault_add_fail",
	[TLSDEV_RX_DECRYPTED_PACKETS]	= "rx_tls_decrypted_packets",
	[TLSDEV_RX_DECRYPTED_BYTES]	= "rx_tls_decrypted_bytes",
	[TLSDEV_RX_CTX]			= "rx_tls_ctx",
	[TLSDEV_RX_DEL]			= "rx_tls_del",
	[TLSDEV_RX_CTX_REFUSED]		= "rx_tls_ctx_refused",
	[TLSDEV_RX_OOO]			= "rx_tls_ooo",
	[TLSDEV_RX_SYNC_LOST]		= "rx_tls_sync_lost",
	[TLSDEV_RX_AUTH_FAIL]		= "rx_tls_auth_fail",
	[TLSDEV_RX_RESYNC_REQ_PKT]	= "rx_tls_resync_req_pkt",
	[TLSDEV_RX_RESYNC_REQ_START]	= "rx_tls_resync_req_start",
	[TLSDEV_RX_RESYNC_REQ_END]	= "rx_tls_resync_req_end",
	[TLSDEV_RX_RESYNC_REQ_SKIP]	= "rx_tls_resync_req_skip",
	[TLSDEV_RX_RESYNC_RES_OK]	= "rx_tls_resync_res_ok",
	[TLSDEV_RX_RESYNC_RES_SKIP]	= "rx_tls_resync_res_skip",
	[TLSDEV_RX_ERR]			= "rx_tls_err",
	[TLSDEV_FAULT_CORRUPT]		= "fault_corrupt",
	[TLSDEV_FAULT_DESYNC]		= "fault_desync",
};

static_assert(ARRAY_SIZE(tlsdev_stat_names) == TLSDEV_NUM_STATS);

static void tlsdev_get_drvinfo(struct net_device *dev,
			       struct ethtool_drvinfo *info)
{
	const struct tlsdev *td = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->fw_version, td->be->name, sizeof(info->fw_version));
	strscpy(info->bus_info, td->lower->name, sizeof(info->bus_info));
}

static int tlsdev_get_link_ksettings(struct net_device *dev,
				     struct ethtool_link_ksettings *cmd)
{
	const struct tlsdev *td = netdev_priv(dev);

	return __ethtool_get_link_ksettings(td->lower, cmd);
}

static int tlsdev_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? TLSDEV_NUM_STATS : -EOPNOTSUPP;
}

static void tlsdev_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	if (sset != ETH_SS_STATS)
		return;
	memcpy(buf, tlsdev_stat_names, sizeof(tlsdev_stat_names));
}

static void tlsdev_get_ethtool_stats(struct net_device *dev,
				     struct ethtool_stats *stats, u64 *data)
{
	const struct tlsdev *td = netdev_priv(dev);
	int cpu, i;

	memset(data, 0, TLSDEV_NUM_STATS * sizeof(*data));
	for_each_possible_cpu(cpu) {
		const struct tlsdev_pcpu_stats *p = per_cpu_ptr(td->stats, cpu);
		u64 v[TLSDEV_NUM_STATS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			memcpy(v, p->v, sizeof(v));
		} while (u64_stats_fetch_retry(&p->syncp, start));

		for (i = 0; i < TLSDEV_NUM_STATS; i++)
			data[i] += v[i];
	}
}

const struct ethtool_ops tlsdev_ethtool_ops = {
	.get_drvinfo		= tlsdev_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= tlsdev_get_link_ksettings,
	.get_sset_count		= tlsdev_get_sset_count,
	.get_strings		= tlsdev_get_strings,
	.get_ethtool_stats	= tlsdev_get_ethtool_stats,
};
