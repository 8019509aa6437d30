// SPDX-License-Identifier: GPL-2.0
/*
 * The tlsdev link type: a device stacked on an Ethernet-like lower device.
 * Everything the pair sends leaves through tlsdev (which encrypts what the
 * TLS core offloaded to it) and everything the lower device receives is
 * handed to tlsdev by an rx_handler. MTU and MAC follow the lower device.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "tlsdev.h"
#include "uapi/tlsdev.h"

#define TLSDEV_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
			 NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE |	   \
			 NETIF_F_HW_TLS_TX | NETIF_F_HW_TLS_RX)

static netdev_tx_t tlsdev_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct tlsdev *td = netdev_priv(dev);

	if (skb->sk && tls_is_sk_tx_device_offloaded(skb->sk)) {
		skb = tlsdev_tx_offload(td, skb);
		if (!skb)
			return NETDEV_TX_OK;
	} else if (skb->decrypted) {
		/*
		 * The socket's offload was torn down (tls_device_down) and
		 * the core's fallback encrypted this skb on its way here,
		 * leaving it marked: the lower device's validate_xmit would
		 * run the fallback over the ciphertext again.
		 */
		skb = tlsdev_tx_detach(skb);
	}
	tlsdev_xmit_lower(td, skb);
	tlsdev_fault_flush(td);
	return NETDEV_TX_OK;
}

static rx_handler_result_t tlsdev_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct tlsdev *td = rcu_dereference(skb->dev->rx_handler_data);

	if (!(td->dev->flags & IFF_UP))
		return RX_HANDLER_PASS;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		DEV_STATS_INC(td->dev, rx_dropped);
		return RX_HANDLER_CONSUMED;
	}
	skb->dev = td->dev;
	/*
	 * Only the device decrypts: a mark that came with the frame (veth
	 * hands the sender's skb over as it is, and the core's TX fallback
	 * leaves its output marked) is not something a wire carries.
	 */
	skb->decrypted = 0;
	if (READ_ONCE(td->nr_rx_conns)) {
		skb = tlsdev_rx(td, skb);
		if (!skb)	/* dropped or held back by fault injection */
			return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;
	dev_sw_netstats_rx_add(td->dev, skb->len);
	return RX_HANDLER_ANOTHER;
}

bool netif_is_tlsdev(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &tlsdev_link_ops;
}

static struct tlsdev *tlsdev_from_lower(const struct net_device *lower)
{
	if (rcu_access_pointer(lower->rx_handler) != tlsdev_handle_frame)
		return NULL;
	return rtnl_dereference(lower->rx_handler_data);
}

static int tlsdev_open(struct net_device *dev)
{
	struct tlsdev *td = netdev_priv(dev);

	netif_stacked_transfer_operstate(td->lower, dev);
	return 0;
}

static int tlsdev_change_mtu(struct net_device *dev, int mtu)
{
	struct tlsdev *td = netdev_priv(dev);

	if (mtu > td->lower->mtu)
		return -EINVAL;
	dev->mtu = mtu;
	return 0;
}

/*
 * Resources are taken in ndo_init and given back in ndo_uninit and the
 * destructor, which the core runs exactly when ndo_init succeeded. The
 * backend reference is the exception: newlink takes it (to report an
 * unknown name through extack) and hands it to the destructor when
 * ndo_init succeeds (td->be_owned). If register_netdevice() fails after
 * that (a NETDEV_REGISTER notifier refusing), the destructor only runs
 * once the unregistration it queued completes, after newlink returned.
 */
static int tlsdev_init(struct net_device *dev)
{
	struct tlsdev *td = netdev_priv(dev);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;

	td->stats = netdev_alloc_pcpu_stats(struct tlsdev_pcpu_stats);
	if (!td->stats) {
		free_percpu(dev->tstats);
		return -ENOMEM;
	}

	spin_lock_init(&td->conns_lock);
	INIT_LIST_HEAD(&td->conns);
	hash_init(td->rx_hash);
	tlsdev_fault_init(td);
	netdev_hold(td->lower, &td->lower_tracker, GFP_KERNEL);
	td->be_owned = true;
	return 0;
}

static void tlsdev_uninit(struct net_device *dev)
{
	struct tlsdev *td = netdev_priv(dev);

	if (tlsdev_from_lower(td->lower) == td) {
		netdev_upper_dev_unlink(td->lower, dev);
		netdev_rx_handler_unregister(td->lower);
	}
	tlsdev_fault_cleanup(td);
	netdev_put(td->lower, &td->lower_tracker);
	netdev_dbg(dev, "destroyed\n");
}

static void tlsdev_destructor(struct net_device *dev)
{
	struct tlsdev *td = netdev_priv(dev);

	free_percpu(td->stats);
	free_percpu(dev->tstats);
	tlsdev_backend_put(td->be);
}

/* ip link shows tls0@veth0; @lower is held as long as @dev is registered */
static int tlsdev_get_iflink(const struct net_device *dev)
{
	const struct tlsdev *td = netdev_priv(dev);

	return td->lower->ifindex;
}

static const struct net_device_ops tlsdev_netdev_ops = {
	.ndo_init		= tlsdev_init,
	.ndo_uninit		= tlsdev_uninit,
	.ndo_open		= tlsdev_open,
	.ndo_start_xmit		= tlsdev_start_xmit,
	.ndo_change_mtu		= tlsdev_change_mtu,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= tlsdev_get_iflink,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

static void tlsdev_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &tlsdev_netdev_ops;
	dev->ethtool_ops = &tlsdev_ethtool_ops;
	dev->tlsdev_ops = &tlsdev_tls_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = tlsdev_destructor;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hw_features = TLSDEV_FEATURES;
	dev->features = TLSDEV_FEATURES | NETIF_F_LLTX;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
}

static const struct nla_policy tlsdev_policy[IFLA_TLSDEV_MAX + 1] = {
	[IFLA_TLSDEV_BACKEND] = { .type = NLA_NUL_STRING,
				  .len = TLSDEV_BACKEND_NAME_MAX - 1 },
	[IFLA_TLSDEV_TX_RESYNC] = NLA_POLICY_MAX(NLA_U8, TLSDEV_TX_RESYNC_REQUEST),
	[IFLA_TLSDEV_RX_RESYNC] = NLA_POLICY_MAX(NLA_U8, TLSDEV_RX_RESYNC_ASYNC),
};

static int tlsdev_validate(struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "tlsdev needs a lower device (link DEV)");
		return -EINVAL;
	}
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG(extack, "tlsdev takes the lower device's MAC address");
		return -EINVAL;
	}
	return 0;
}

static struct net_device *tlsdev_lower_get(struct net *net, struct nlattr *tb[],
					   struct netlink_ext_ack *extack)
{
	struct net_device *lower;

	lower = __dev_get_by_index(net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK], "lower device not found");
		return ERR_PTR(-ENODEV);
	}
	if (netif_is_tlsdev(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "cannot stack a tlsdev on a tlsdev");
		return ERR_PTR(-EINVAL);
	}
	if (lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "cannot stack a tlsdev on a loopback device");
		return ERR_PTR(-EINVAL);
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "lower device is not an Ethernet device");
		return ERR_PTR(-EINVAL);
	}
	return lower;
}

static int tlsdev_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	struct tlsdev *td = netdev_priv(dev);
	const char *name = tlsdev_default_backend;
	struct net_device *lower;
	int err;

	lower = tlsdev_lower_get(src_net, tb, extack);
	if (IS_ERR(lower))
		return PTR_ERR(lower);

	if (data && data[IFLA_TLSDEV_BACKEND])
		name = nla_data(data[IFLA_TLSDEV_BACKEND]);
	td->be = tlsdev_backend_get(name);
	if (!td->be) {
		NL_SET_ERR_MSG_ATTR(extack, data ? data[IFLA_TLSDEV_BACKEND] : NULL,
				    "unknown backend (no module provides it)");
		return -ENOENT;
	}

	if (data && data[IFLA_TLSDEV_TX_RESYNC])
		td->tx_resync = nla_get_u8(data[IFLA_TLSDEV_TX_RESYNC]);
	td->rx_resync = td->be->rx_resync;
	if (data && data[IFLA_TLSDEV_RX_RESYNC])
		td->rx_resync = nla_get_u8(data[IFLA_TLSDEV_RX_RESYNC]);

	td->dev = dev;
	td->lower = lower;
	eth_hw_addr_set(dev, lower->dev_addr);
	dev->mtu = lower->mtu;
	netif_inherit_tso_max(dev, lower);

	err = register_netdevice(dev);
	if (err) {
		if (!td->be_owned)
			tlsdev_backend_put(td->be);
		return err;
	}

	err = netdev_rx_handler_register(lower, tlsdev_handle_frame, td);
	if (err) {
		NL_SET_ERR_MSG(extack, "lower device is busy (it already has an rx handler)");
		goto err_unregister;
	}

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_rx_handler;

	netif_stacked_transfer_operstate(lower, dev);
	netdev_dbg(dev, "created on %s, backend %s\n", lower->name, td->be->name);
	return 0;

err_rx_handler:
	netdev_rx_handler_unregister(lower);
err_unregister:
	unregister_netdevice(dev);
	return err;
}

static size_t tlsdev_get_size(const struct net_device *dev)
{
	return nla_total_size(TLSDEV_BACKEND_NAME_MAX) +	/* _BACKEND */
	       nla_total_size(sizeof(u8)) +			/* _TX_RESYNC */
	       nla_total_size(sizeof(u8));			/* _RX_RESYNC */
}

static int tlsdev_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct tlsdev *td = netdev_priv(dev);

	if (nla_put_string(skb, IFLA_TLSDEV_BACKEND, td->be->name) ||
	    nla_put_u8(skb, IFLA_TLSDEV_TX_RESYNC, td->tx_resync) ||
	    nla_put_u8(skb, IFLA_TLSDEV_RX_RESYNC, td->rx_resync))
		return -EMSGSIZE;
	return 0;
}

static struct net *tlsdev_get_link_net(const struct net_device *dev)
{
	const struct tlsdev *td = netdev_priv(dev);

	return dev_net(td->lower);
}

struct rtnl_link_ops tlsdev_link_ops = {
	.kind		= TLSDEV_LINK_KIND,
	.priv_size	= sizeof(struct tlsdev),
	.setup		= tlsdev_setup,
	.maxtype	= IFLA_TLSDEV_MAX,
	.policy		= tlsdev_policy,
	.validate	= tlsdev_validate,
	.newlink	= tlsdev_newlink,
	.get_size	= tlsdev_get_size,
	.fill_info	= tlsdev_fill_info,
	.get_link_net	= tlsdev_get_link_net,
};

static int tlsdev_lower_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct tlsdev *td = tlsdev_from_lower(lower);

	if (!td)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		netif_stacked_transfer_operstate(lower, td->dev);
		break;
	case NETDEV_CHANGEMTU:
		if (td->dev->mtu > lower->mtu)
			dev_set_mtu(td->dev, lower->mtu);
		break;
	case NETDEV_CHANGEADDR:
		eth_hw_addr_set(td->dev, lower->dev_addr);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, td->dev);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		return NOTIFY_BAD;
	case NETDEV_UNREGISTER:
		/* not when the lower device only moves to another netns */
		if (lower->reg_state == NETREG_UNREGISTERING)
			unregister_netdevice(td->dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block tlsdev_notifier = {
	.notifier_call = tlsdev_lower_event,
};

int tlsdev_notifier_init(void)
{
	return register_netdevice_notifier(&tlsdev_notifier);
}

void tlsdev_notifier_exit(void)
{
	unregister_netdevice_notifier(&tlsdev_notifier);
}
