// SPDX-License-Identifier: GPL-2.0
/*
 * The "tls_dev" generic netlink family: the devices, their offloaded
 * connections and counters, and fault injection. The contract is
 * Documentation/netlink/tls_dev.yaml (uapi/tlsdev_genl.h follows it) and
 * Documentation/netlink.rst.
 *
 * Locking: every handler runs under RTNL, which keeps the devices listed,
 * their names, lower devices and backends in place, and serialises the
 * writers of the fault settings. td->conns (TX) and td->rx_hash (RX) are
 * walked under td->conns_lock (process context only: tls_dev_add/del run
 * in process context or a work item), which keeps each listed connection
 * alive; the stream state of a connection is read under conn->lock, BH off
 * as the datapath takes it from softirq. The order is RTNL, conns_lock,
 * conn->lock.
 *
 * Nothing here touches a socket (an RX connection's socket pointer is only
 * tested, never followed) or key material: what a connection reports is
 * its flow, copied at tls_dev_add, and the position of the device's stream.
 */
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "tlsdev.h"
#include "uapi/tlsdev_genl.h"

static struct genl_family tlsdev_nl_family;

/* Policies, per operation (kernel-policy: per-op in the spec). */

/* add-fail is an atomic_t (not const: 6.1 takes a non-const pointer) */
static struct netlink_range_validation tlsdev_nl_add_fail_range = {
	.max = INT_MAX,
};

/*
 * Actions are range-checked here; which ones a rule takes is checked by
 * tlsdev_nl_rule_check() (struct tlsdev_nl_rule).
 */
static const struct nla_policy tlsdev_nl_fault_policy[TLSDEV_A_FAULT_MAX + 1] = {
	[TLSDEV_A_FAULT_TX_ACTION] = NLA_POLICY_MAX(NLA_U32,
						    __TLSDEV_FAULT_ACT_MAX - 1),
	[TLSDEV_A_FAULT_TX_NTH] = NLA_POLICY_MIN(NLA_U32, 1),
	[TLSDEV_A_FAULT_TX_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_COUNT] = { .type = NLA_REJECT,
				      .reject_message = "tx-count is read-only" },
	[TLSDEV_A_FAULT_ADD_FAIL] = NLA_POLICY_FULL_RANGE(NLA_U32,
						  &tlsdev_nl_add_fail_range),
	[TLSDEV_A_FAULT_CTX_LIMIT] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ACTION] = NLA_POLICY_MAX(NLA_U32,
						    __TLSDEV_FAULT_ACT_MAX - 1),
	[TLSDEV_A_FAULT_RX_NTH] = NLA_POLICY_MIN(NLA_U32, 1),
	[TLSDEV_A_FAULT_RX_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_COUNT] = { .type = NLA_REJECT,
				      .reject_message = "rx-count is read-only" },
	[TLSDEV_A_FAULT_RX_ASYNC_ACTION] = NLA_POLICY_MAX(NLA_U32,
							  __TLSDEV_FAULT_ACT_MAX - 1),
	[TLSDEV_A_FAULT_RX_ASYNC_NTH] = NLA_POLICY_MIN(NLA_U32, 1),
	[TLSDEV_A_FAULT_RX_ASYNC_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ASYNC_COUNT] = {
		.type = NLA_REJECT,
		.reject_message = "rx-async-count is read-only",
	},
};

/* The fault rules of a device and their attributes. */
enum tlsdev_nl_rule_id {
	TLSDEV_NL_RULE_TX,
	TLSDEV_NL_RULE_RX,
	TLSDEV_NL_RULE_RX_ASYNC,
	TLSDEV_NL_NR_RULES,
};

/**
 * struct tlsdev_nl_rule - how a fault rule of struct tlsdev_fault is set
 * @action: its TLSDEV_A_FAULT_*_ACTION attribute
 * @nth: its _NTH attribute
 * @every: its _EVERY attribute
 * @count: its _COUNT attribute (reported only)
 * @actions: the actions it takes, as BIT(enum tlsdev_fault_action)
 */
struct tlsdev_nl_rule {
	u16 action;
	u16 nth;
	u16 every;
	u16 count;
	u32 actions;
};

#define TLSDEV_NL_ACT(a)	BIT(TLSDEV_FAULT_ACT_##a)

static const struct tlsdev_nl_rule tlsdev_nl_rules[TLSDEV_NL_NR_RULES] = {
	[TLSDEV_NL_RULE_TX] = {
		.action = TLSDEV_A_FAULT_TX_ACTION,
		.nth = TLSDEV_A_FAULT_TX_NTH,
		.every = TLSDEV_A_FAULT_TX_EVERY,
		.count = TLSDEV_A_FAULT_TX_COUNT,
		.actions = TLSDEV_NL_ACT(NONE) | TLSDEV_NL_ACT(DROP) |
			   TLSDEV_NL_ACT(DUP) | TLSDEV_NL_ACT(DELAY) |
			   TLSDEV_NL_ACT(REPLAY) | TLSDEV_NL_ACT(HOLD),
	},
	[TLSDEV_NL_RULE_RX] = {
		.action = TLSDEV_A_FAULT_RX_ACTION,
		.nth = TLSDEV_A_FAULT_RX_NTH,
		.every = TLSDEV_A_FAULT_RX_EVERY,
		.count = TLSDEV_A_FAULT_RX_COUNT,
		.actions = TLSDEV_NL_ACT(NONE) | TLSDEV_NL_ACT(DROP) |
			   TLSDEV_NL_ACT(DELAY) | TLSDEV_NL_ACT(CORRUPT) |
			   TLSDEV_NL_ACT(DESYNC),
	},
	[TLSDEV_NL_RULE_RX_ASYNC] = {
		.action = TLSDEV_A_FAULT_RX_ASYNC_ACTION,
		.nth = TLSDEV_A_FAULT_RX_ASYNC_NTH,
		.every = TLSDEV_A_FAULT_RX_ASYNC_EVERY,
		.count = TLSDEV_A_FAULT_RX_ASYNC_COUNT,
		.actions = TLSDEV_NL_ACT(NONE) | TLSDEV_NL_ACT(DROP) |
			   TLSDEV_NL_ACT(DELAY),
	},
};

static struct tlsdev_fault_rule *tlsdev_nl_rule_of(struct tlsdev_fault *f,
						   enum tlsdev_nl_rule_id id)
{
	switch (id) {
	case TLSDEV_NL_RULE_RX:
		return &f->rx;
	case TLSDEV_NL_RULE_RX_ASYNC:
		return &f->rx_async;
	default:
		return &f->tx;
	}
}

/* The numbers of enum tlsdev_rx_state are those of the uapi */
static_assert((int)TLSDEV_RX_SYNC == (int)TLSDEV_CONN_RX_STATE_SYNC);
static_assert((int)TLSDEV_RX_SEARCH == (int)TLSDEV_CONN_RX_STATE_SEARCH);
static_assert((int)TLSDEV_RX_CONFIRM == (int)TLSDEV_CONN_RX_STATE_CONFIRM);
static_assert((int)TLSDEV_RX_HINT == (int)TLSDEV_CONN_RX_STATE_HINT);

/* dev-get, conn-get, stats-get: a device, by index or name */
static const struct nla_policy tlsdev_nl_dev_policy[TLSDEV_A_IFNAME + 1] = {
	[TLSDEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TLSDEV_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

/* fault-set; the attributes between IFNAME and FAULT are rejected */
static const struct nla_policy tlsdev_nl_fault_set_policy[TLSDEV_A_FAULT + 1] = {
	[TLSDEV_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[TLSDEV_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[TLSDEV_A_FAULT] = NLA_POLICY_NESTED(tlsdev_nl_fault_policy),
};

/*
 * The tlsdev a request names by TLSDEV_A_IFINDEX and/or TLSDEV_A_IFNAME,
 * in @net (the requester's netns). RTNL keeps it listed.
 */
static struct tlsdev *tlsdev_nl_dev_find(struct net *net, struct nlattr **attrs,
					 struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[TLSDEV_A_IFINDEX];
	struct nlattr *ifname = attrs[TLSDEV_A_IFNAME];
	struct net_device *dev;

	ASSERT_RTNL();
	if (ifindex) {
		dev = __dev_get_by_index(net, nla_get_u32(ifindex));
		if (dev && ifname && nla_strcmp(ifname, dev->name)) {
			NL_SET_ERR_MSG_ATTR(extack, ifname,
					    "ifindex and ifname name different devices");
			return ERR_PTR(-EINVAL);
		}
	} else if (ifname) {
		dev = __dev_get_by_name(net, nla_data(ifname));
	} else {
		NL_SET_ERR_MSG(extack, "no device given (ifindex or ifname)");
		NL_SET_ERR_ATTR_MISS(extack, NULL, TLSDEV_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!netif_is_tlsdev(dev)) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex ?: ifname,
				    "not a tlsdev device");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/*
 * The tlsdev of @net with the smallest ifindex above @after. Dumps go in
 * ifindex order so that they resume correctly when devices come and go
 * between two of their messages; a netns holds few tlsdevs (one per lower
 * device), so the quadratic walk costs little.
 */
static struct tlsdev *tlsdev_nl_dev_next(struct net *net, int after)
{
	struct net_device *dev, *next = NULL;

	ASSERT_RTNL();
	for_each_netdev(net, dev) {
		if (!netif_is_tlsdev(dev) || dev->ifindex <= after)
			continue;
		if (!next || dev->ifindex < next->ifindex)
			next = dev;
	}
	return next ? netdev_priv(next) : NULL;
}

static int tlsdev_nl_put_dev(struct sk_buff *skb, const struct net_device *dev)
{
	if (nla_put_u32(skb, TLSDEV_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, TLSDEV_A_IFNAME, dev->name))
		return -EMSGSIZE;
	return 0;
}

/* Under RTNL: the rule words cannot change; the count can. */
static int tlsdev_nl_put_rule(struct sk_buff *skb, struct tlsdev_fault *f,
			      enum tlsdev_nl_rule_id id)
{
	const struct tlsdev_nl_rule *nr = &tlsdev_nl_rules[id];
	struct tlsdev_fault_rule *r = tlsdev_nl_rule_of(f, id);

	if (nla_put_u32(skb, nr->action, r->action) ||
	    nla_put_u32(skb, nr->nth, r->nth) ||
	    nla_put_u32(skb, nr->every, r->every) ||
	    nla_put_u32(skb, nr->count, atomic_read(&r->count)))
		return -EMSGSIZE;
	return 0;
}

static int tlsdev_nl_put_fault(struct sk_buff *skb, struct tlsdev_fault *f)
{
	struct nlattr *nest;
	int id;

	ASSERT_RTNL();
	nest = nla_nest_start(skb, TLSDEV_A_FAULT);
	if (!nest)
		return -EMSGSIZE;
	for (id = 0; id < TLSDEV_NL_NR_RULES; id++)
		if (tlsdev_nl_put_rule(skb, f, id))
			goto err_cancel;
	if (nla_put_u32(skb, TLSDEV_A_FAULT_ADD_FAIL, atomic_read(&f->add_fail)) ||
	    nla_put_u32(skb, TLSDEV_A_FAULT_CTX_LIMIT, f->ctx_limit))
		goto err_cancel;
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* One dev-get message for @td; @cb is set in dumps. */
static int tlsdev_nl_fill_dev(struct sk_buff *skb, struct tlsdev *td,
			      u32 portid, u32 seq, int flags,
			      struct netlink_callback *cb)
{
	unsigned int nr_conns, nr_rx_conns;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tlsdev_nl_family, flags,
			  TLSDEV_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	spin_lock(&td->conns_lock);
	nr_conns = td->nr_conns;
	nr_rx_conns = td->nr_rx_conns;
	spin_unlock(&td->conns_lock);

	if (tlsdev_nl_put_dev(skb, td->dev) ||
	    nla_put_u32(skb, TLSDEV_A_LOWER_IFINDEX, td->lower->ifindex) ||
	    nla_put_string(skb, TLSDEV_A_LOWER_IFNAME, td->lower->name) ||
	    nla_put_string(skb, TLSDEV_A_BACKEND, td->be->name) ||
	    nla_put_u32(skb, TLSDEV_A_TX_RESYNC, td->tx_resync) ||
	    nla_put_u32(skb, TLSDEV_A_RX_RESYNC, td->rx_resync) ||
	    nla_put_u32(skb, TLSDEV_A_NR_CONNS, nr_conns) ||
	    nla_put_u32(skb, TLSDEV_A_NR_RX_CONNS, nr_rx_conns) ||
	    tlsdev_nl_put_fault(skb, &td->fault)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tlsdev_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct tlsdev *td;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	td = tlsdev_nl_dev_find(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(td))
		err = PTR_ERR(td);
	else
		err = tlsdev_nl_fill_dev(msg, td, info->snd_portid,
					 info->snd_seq, 0, NULL);
	rtnl_unlock();

	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * State of a dump across its messages, in cb->ctx. Dumps visit devices in
 * ifindex order; cb->seq is the netns' device list generation, so that a
 * device list change between two parts of a dump sets NLM_F_DUMP_INTR.
 * A connection dump copies the connections of a device when it reaches
 * it (@snap), so a connection coming or going halfway through the device
 * can neither make it skip another one nor report one twice.
 */
struct tlsdev_nl_conn_info {
	struct tlsdev_flow flow;	/* source: the local end */
	u32 start_seq;		/* TX */
	u32 tcp_seq;
	u64 rec_sn;
	u64 ooo;
	u64 replays;		/* TX */
	u64 resyncs;		/* RX */
	u16 cipher_type;
	u8 dir;			/* enum tlsdev_conn_dir */
	u8 rx_state;		/* RX: enum tlsdev_rx_state */
	bool synced;
};

struct tlsdev_nl_snap {
	int ifindex;
	char ifname[IFNAMSIZ];
	unsigned int pos;	/* next one to report */
	unsigned int nr;
	struct tlsdev_nl_conn_info conns[];
};

struct tlsdev_nl_dump {
	bool started;		/* the request was checked */
	int last_ifindex;	/* last device started (0: none yet) */
	int filter;		/* conn-get of one device: its ifindex */
	struct tlsdev_nl_snap *snap;	/* connections of @last_ifindex */
};

static_assert(sizeof(struct tlsdev_nl_dump) <=
	      sizeof_field(struct netlink_callback, ctx));

static struct tlsdev_nl_dump *tlsdev_nl_dump_ctx(struct netlink_callback *cb)
{
	return (struct tlsdev_nl_dump *)cb->ctx;
}

/*
 * First call of a dump: check the request. (6.1 runs the start callback
 * of a dump without an extack, so the checks are done here, where an
 * error goes out in NLMSG_DONE with its extack message.)
 */
static int tlsdev_nl_dump_begin(struct netlink_callback *cb, bool filter)
{
	struct tlsdev_nl_dump *ctx = tlsdev_nl_dump_ctx(cb);
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct nlattr *attr = attrs[TLSDEV_A_IFINDEX] ?: attrs[TLSDEV_A_IFNAME];
	struct tlsdev *td;

	ctx->started = true;
	if (!attr)
		return 0;
	if (!filter) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attr,
				    "a dev-get dump takes no device: use a dev-get request");
		return -EINVAL;
	}
	td = tlsdev_nl_dev_find(sock_net(cb->skb->sk), attrs, cb->extack);
	if (IS_ERR(td))
		return PTR_ERR(td);
	ctx->filter = td->dev->ifindex;
	return 0;
}

static int tlsdev_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct tlsdev_nl_dump *ctx = tlsdev_nl_dump_ctx(cb);
	struct net *net = sock_net(skb->sk);
	struct tlsdev *td;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	if (!ctx->started)
		err = tlsdev_nl_dump_begin(cb, false);
	while (!err && (td = tlsdev_nl_dev_next(net, ctx->last_ifindex))) {
		err = tlsdev_nl_fill_dev(skb, td, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (err)
			break;
		ctx->last_ifindex = td->dev->ifindex;
	}
	rtnl_unlock();

	/* more to come if this skb is full and not empty */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

static void tlsdev_nl_conn_read(struct tlsdev_tx_conn *conn,
				struct tlsdev_nl_conn_info *ci)
{
	/* set before the connection was listed, constant since */
	ci->dir = TLSDEV_CONN_DIR_TX;
	ci->flow = conn->flow;
	ci->start_seq = conn->start_seq;
	ci->cipher_type = conn->cipher_type;

	spin_lock_bh(&conn->lock);
	ci->tcp_seq = conn->main->tcp_seq;
	ci->rec_sn = conn->main->trk.rec_sn;
	ci->synced = conn->synced;
	ci->ooo = conn->ooo;
	ci->replays = conn->replays;
	spin_unlock_bh(&conn->lock);
}

/*
 * An RX connection; false if it is being deleted (its socket and stream
 * are gone, and nothing but its lock may be touched).
 */
static bool tlsdev_nl_rx_conn_read(struct tlsdev_rx_conn *conn,
				   struct tlsdev_nl_conn_info *ci)
{
	const struct tlsdev_flow *f = &conn->flow;	/* as received */

	spin_lock_bh(&conn->lock);
	if (!conn->sk) {
		spin_unlock_bh(&conn->lock);
		return false;
	}
	ci->tcp_seq = conn->st->tcp_seq;
	ci->rec_sn = conn->st->trk.rec_sn;
	ci->rx_state = conn->state;
	ci->synced = conn->state == TLSDEV_RX_SYNC;
	ci->ooo = conn->ooo;
	ci->resyncs = conn->resyncs;
	spin_unlock_bh(&conn->lock);

	/* set before the connection was hashed, constant since */
	ci->dir = TLSDEV_CONN_DIR_RX;
	ci->flow.family = f->family;
	ci->flow.sport = f->dport;
	ci->flow.dport = f->sport;
	ci->flow.saddr = f->daddr;
	ci->flow.daddr = f->saddr;
	ci->cipher_type = conn->cipher_type;
	return true;
}

/* Copy what conn-get reports of every connection of @td, TX then RX. */
static struct tlsdev_nl_snap *tlsdev_nl_snap_take(struct tlsdev *td)
{
	struct tlsdev_rx_conn *rx_conn;
	struct tlsdev_tx_conn *conn;
	struct tlsdev_nl_snap *snap;
	unsigned int room;
	int bkt;

	ASSERT_RTNL();
	for (;;) {
		/* allocate outside the lock; retry if it grew meanwhile */
		room = READ_ONCE(td->nr_conns) + READ_ONCE(td->nr_rx_conns) + 8;
		snap = kvzalloc(struct_size(snap, conns, room), GFP_KERNEL);
		if (!snap)
			return ERR_PTR(-ENOMEM);

		spin_lock(&td->conns_lock);
		if (td->nr_conns + td->nr_rx_conns <= room)
			break;
		spin_unlock(&td->conns_lock);
		kvfree(snap);
	}
	list_for_each_entry(conn, &td->conns, list)
		tlsdev_nl_conn_read(conn, &snap->conns[snap->nr++]);
	hash_for_each(td->rx_hash, bkt, rx_conn, hnode)
		if (tlsdev_nl_rx_conn_read(rx_conn, &snap->conns[snap->nr]))
			snap->nr++;
	spin_unlock(&td->conns_lock);

	snap->ifindex = td->dev->ifindex;
	strscpy(snap->ifname, td->dev->name, sizeof(snap->ifname));
	return snap;
}

/* The next device a conn-get dump visits, or NULL. */
static struct tlsdev *tlsdev_nl_dump_next(struct net *net,
					  struct tlsdev_nl_dump *ctx)
{
	struct net_device *dev;

	if (!ctx->filter)
		return tlsdev_nl_dev_next(net, ctx->last_ifindex);
	if (ctx->last_ifindex)
		return NULL;
	/* checked by tlsdev_nl_dump_begin() under this same RTNL hold */
	dev = __dev_get_by_index(net, ctx->filter);
	return dev && netif_is_tlsdev(dev) ? netdev_priv(dev) : NULL;
}

static int tlsdev_nl_put_addrs(struct sk_buff *skb,
			       const struct tlsdev_flow *flow)
{
	if (flow->family == AF_INET6)
		return nla_put_in6_addr(skb, TLSDEV_A_CONN_SADDR_IPV6,
					&flow->saddr.v6) ||
		       nla_put_in6_addr(skb, TLSDEV_A_CONN_DADDR_IPV6,
					&flow->daddr.v6);
	return nla_put_in_addr(skb, TLSDEV_A_CONN_SADDR_IPV4, flow->saddr.v4) ||
	       nla_put_in_addr(skb, TLSDEV_A_CONN_DADDR_IPV4, flow->daddr.v4);
}

/* The attributes of one direction only. */
static int tlsdev_nl_put_conn_dir(struct sk_buff *skb,
				  const struct tlsdev_nl_conn_info *ci)
{
	if (ci->dir == TLSDEV_CONN_DIR_TX)
		return nla_put_u32(skb, TLSDEV_A_CONN_START_SEQ, ci->start_seq) ||
		       nla_put_u64_64bit(skb, TLSDEV_A_CONN_REPLAYS, ci->replays,
					 TLSDEV_A_CONN_PAD);
	return nla_put_u32(skb, TLSDEV_A_CONN_RX_STATE, ci->rx_state) ||
	       nla_put_u64_64bit(skb, TLSDEV_A_CONN_RESYNCS, ci->resyncs,
				 TLSDEV_A_CONN_PAD);
}

/* One conn-get message. */
static int tlsdev_nl_fill_conn(struct sk_buff *skb, struct netlink_callback *cb,
			       const struct tlsdev_nl_snap *snap,
			       const struct tlsdev_nl_conn_info *ci)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tlsdev_nl_family, NLM_F_MULTI, TLSDEV_CMD_CONN_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);

	if (nla_put_u32(skb, TLSDEV_A_IFINDEX, snap->ifindex) ||
	    nla_put_string(skb, TLSDEV_A_IFNAME, snap->ifname))
		goto err_cancel;
	nest = nla_nest_start(skb, TLSDEV_A_CONN);
	if (!nest)
		goto err_cancel;
	if (nla_put_u32(skb, TLSDEV_A_CONN_DIR, ci->dir) ||
	    nla_put_u16(skb, TLSDEV_A_CONN_FAMILY, ci->flow.family) ||
	    tlsdev_nl_put_addrs(skb, &ci->flow) ||
	    nla_put_be16(skb, TLSDEV_A_CONN_SPORT, ci->flow.sport) ||
	    nla_put_be16(skb, TLSDEV_A_CONN_DPORT, ci->flow.dport) ||
	    nla_put_u16(skb, TLSDEV_A_CONN_CIPHER, ci->cipher_type) ||
	    nla_put_u32(skb, TLSDEV_A_CONN_TCP_SEQ, ci->tcp_seq) ||
	    nla_put_u64_64bit(skb, TLSDEV_A_CONN_REC_SEQ, ci->rec_sn,
			      TLSDEV_A_CONN_PAD) ||
	    nla_put_u8(skb, TLSDEV_A_CONN_SYNCED, ci->synced) ||
	    nla_put_u64_64bit(skb, TLSDEV_A_CONN_OOO, ci->ooo,
			      TLSDEV_A_CONN_PAD))
		goto err_cancel;
	if (tlsdev_nl_put_conn_dir(skb, ci))
		goto err_cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int tlsdev_nl_conn_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct tlsdev_nl_dump *ctx = tlsdev_nl_dump_ctx(cb);
	struct net *net = sock_net(skb->sk);
	struct tlsdev_nl_snap *snap;
	struct tlsdev *td;
	int err = 0;

	rtnl_lock();
	cb->seq = net->dev_base_seq;
	if (!ctx->started) {
		err = tlsdev_nl_dump_begin(cb, true);
		if (err)
			goto out;
	}
	for (;;) {
		if (!ctx->snap) {
			td = tlsdev_nl_dump_next(net, ctx);
			if (!td)
				break;
			snap = tlsdev_nl_snap_take(td);
			if (IS_ERR(snap)) {
				err = PTR_ERR(snap);
				break;
			}
			ctx->snap = snap;
			ctx->last_ifindex = snap->ifindex;
		}
		snap = ctx->snap;
		for (; snap->pos < snap->nr; snap->pos++) {
			err = tlsdev_nl_fill_conn(skb, cb, snap,
						  &snap->conns[snap->pos]);
			if (err)
				goto out;
		}
		kvfree(snap);
		ctx->snap = NULL;
	}
out:
	rtnl_unlock();

	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

static int tlsdev_nl_conn_get_done(struct netlink_callback *cb)
{
	struct tlsdev_nl_dump *ctx = tlsdev_nl_dump_ctx(cb);

	kvfree(ctx->snap);
	ctx->snap = NULL;
	return 0;
}

/* Sum the per-CPU counters, as ethtool -S does. */
static void tlsdev_nl_stats_sum(const struct tlsdev *td, u64 *sum)
{
	int cpu, i;

	memset(sum, 0, TLSDEV_NUM_STATS * sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tlsdev_pcpu_stats *p = per_cpu_ptr(td->stats, cpu);
		u64 v[TLSDEV_NUM_STATS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&p->syncp);
			memcpy(v, p->v, sizeof(v));
		} while (u64_stats_fetch_retry(&p->syncp, start));

		for (i = 0; i < TLSDEV_NUM_STATS; i++)
			sum[i] += v[i];
	}
}

static int tlsdev_nl_fill_stats(struct sk_buff *skb, struct genl_info *info,
				const struct net_device *dev, const u64 *sum)
{
	struct nlattr *nest;
	void *hdr;
	int i;

	hdr = genlmsg_put_reply(skb, info, &tlsdev_nl_family, 0,
				TLSDEV_CMD_STATS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (tlsdev_nl_put_dev(skb, dev))
		goto err_cancel;
	for (i = 0; i < TLSDEV_NUM_STATS; i++) {
		nest = nla_nest_start(skb, TLSDEV_A_STAT);
		if (!nest)
			goto err_cancel;
		if (nla_put_string(skb, TLSDEV_A_STAT_NAME,
				   tlsdev_stat_names[i]) ||
		    nla_put_u64_64bit(skb, TLSDEV_A_STAT_VALUE, sum[i],
				      TLSDEV_A_STAT_PAD))
			goto err_cancel;
		nla_nest_end(skb, nest);
	}
	genlmsg_end(skb, hdr);
	return 0;

err_cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int tlsdev_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct tlsdev *td;
	u64 *sum;
	int err;

	sum = kcalloc(TLSDEV_NUM_STATS, sizeof(*sum), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	err = -ENOMEM;
	if (!sum || !msg)
		goto out;

	rtnl_lock();
	td = tlsdev_nl_dev_find(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(td)) {
		err = PTR_ERR(td);
	} else {
		tlsdev_nl_stats_sum(td, sum);
		err = tlsdev_nl_fill_stats(msg, info, td->dev, sum);
	}
	rtnl_unlock();

	if (!err) {
		err = genlmsg_reply(msg, info);
		msg = NULL;
	}
out:
	nlmsg_free(msg);
	kfree(sum);
	return err;
}

static u32 tlsdev_nl_u32(const struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

/*
 * Set the rules given in @tb (see struct tlsdev_fault_rule). The datapath
 * reads a rule's action first and the rest only if it is not NONE; so turn
 * off each active rule being changed and wait, once for all, for the
 * readers of the old ones (they read inside an RCU read-side section) to
 * finish; then rewrite the rules and publish each action last.
 */
static void tlsdev_nl_fault_rules_set(struct tlsdev_fault *f, struct nlattr **tb)
{
	const struct tlsdev_nl_rule *nr;
	struct tlsdev_fault_rule *r;
	bool wait = false;
	int id;

	ASSERT_RTNL();
	for (id = 0; id < TLSDEV_NL_NR_RULES; id++) {
		r = tlsdev_nl_rule_of(f, id);
		if (tb[tlsdev_nl_rules[id].action] &&
		    r->action != TLSDEV_FAULT_ACT_NONE) {
			WRITE_ONCE(r->action, TLSDEV_FAULT_ACT_NONE);
			wait = true;
		}
	}
	if (wait)
		synchronize_net();

	for (id = 0; id < TLSDEV_NL_NR_RULES; id++) {
		nr = &tlsdev_nl_rules[id];
		r = tlsdev_nl_rule_of(f, id);
		if (!tb[nr->action])
			continue;
		WRITE_ONCE(r->nth, tlsdev_nl_u32(tb[nr->nth]));
		WRITE_ONCE(r->every, tlsdev_nl_u32(tb[nr->every]));
		atomic_set(&r->count, 0);
		/* the rule before the action that enables it */
		smp_store_release(&r->action, (u8)nla_get_u32(tb[nr->action]));
	}
}

static int tlsdev_nl_bad_action(const struct nlattr *attr,
				enum tlsdev_nl_rule_id id,
				struct netlink_ext_ack *extack)
{
	switch (id) {
	case TLSDEV_NL_RULE_TX:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a tx action is none, drop, dup, delay, replay or hold");
		break;
	case TLSDEV_NL_RULE_RX:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an rx action is none, drop, delay, corrupt or desync");
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an rx-async action is none, drop or delay");
		break;
	}
	return -EINVAL;
}

/* Check the attributes of one rule; @tb is the parsed nest. */
static int tlsdev_nl_rule_check(struct nlattr *nest, struct nlattr **tb,
				enum tlsdev_nl_rule_id id,
				struct netlink_ext_ack *extack)
{
	const struct tlsdev_nl_rule *nr = &tlsdev_nl_rules[id];
	struct nlattr *action = tb[nr->action];
	struct nlattr *rule = tb[nr->nth] ?: tb[nr->every];
	bool active = action && nla_get_u32(action) != TLSDEV_FAULT_ACT_NONE;

	if (action && !(BIT(nla_get_u32(action)) & nr->actions))
		return tlsdev_nl_bad_action(action, id, extack);
	if (rule && !active) {
		NL_SET_ERR_MSG_ATTR(extack, rule,
				    "nth and every need an action other than none");
		return -EINVAL;
	}
	if (active && !tb[nr->nth]) {
		NL_SET_ERR_MSG_ATTR(extack, action, "an action other than none needs nth");
		NL_SET_ERR_ATTR_MISS(extack, nest, nr->nth);
		return -EINVAL;
	}
	return 0;
}

/* Check the combination of fault-set attributes; @tb is the parsed nest. */
static int tlsdev_nl_fault_check(struct nlattr *nest, struct nlattr **tb,
				 struct netlink_ext_ack *extack)
{
	bool any = tb[TLSDEV_A_FAULT_ADD_FAIL] || tb[TLSDEV_A_FAULT_CTX_LIMIT];
	int id, err;

	for (id = 0; id < TLSDEV_NL_NR_RULES; id++) {
		err = tlsdev_nl_rule_check(nest, tb, id, extack);
		if (err)
			return err;
		any |= !!tb[tlsdev_nl_rules[id].action];
	}
	if (!any) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "no fault setting given");
		return -EINVAL;
	}
	return 0;
}

static int tlsdev_nl_fault_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[TLSDEV_A_FAULT_MAX + 1];
	struct nlattr *nest = info->attrs[TLSDEV_A_FAULT];
	struct tlsdev_fault *f;
	struct tlsdev *td;
	int err;

	if (!nest) {
		NL_SET_ERR_MSG(info->extack, "no fault settings given");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, TLSDEV_A_FAULT);
		return -EINVAL;
	}
	err = nla_parse_nested(tb, TLSDEV_A_FAULT_MAX, nest,
			       tlsdev_nl_fault_policy, info->extack);
	if (err)
		return err;
	err = tlsdev_nl_fault_check(nest, tb, info->extack);
	if (err)
		return err;

	rtnl_lock();
	td = tlsdev_nl_dev_find(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(td)) {
		err = PTR_ERR(td);
		goto out;
	}
	f = &td->fault;
	tlsdev_nl_fault_rules_set(f, tb);
	if (tb[TLSDEV_A_FAULT_ADD_FAIL])
		atomic_set(&f->add_fail, nla_get_u32(tb[TLSDEV_A_FAULT_ADD_FAIL]));
	if (tb[TLSDEV_A_FAULT_CTX_LIMIT])
		WRITE_ONCE(f->ctx_limit, nla_get_u32(tb[TLSDEV_A_FAULT_CTX_LIMIT]));
	netdev_dbg(td->dev,
		   "fault: tx %u nth %u every %u, rx %u nth %u every %u, rx-async %u nth %u every %u, add-fail %d, ctx-limit %u\n",
		   f->tx.action, f->tx.nth, f->tx.every,
		   f->rx.action, f->rx.nth, f->rx.every,
		   f->rx_async.action, f->rx_async.nth, f->rx_async.every,
		   atomic_read(&f->add_fail), f->ctx_limit);
out:
	rtnl_unlock();
	return err;
}

static const struct genl_ops tlsdev_nl_ops[] = {
	{
		.cmd		= TLSDEV_CMD_DEV_GET,
		.doit		= tlsdev_nl_dev_get_doit,
		.dumpit		= tlsdev_nl_dev_get_dumpit,
		.policy		= tlsdev_nl_dev_policy,
		.maxattr	= ARRAY_SIZE(tlsdev_nl_dev_policy) - 1,
	},
	{
		.cmd		= TLSDEV_CMD_CONN_GET,
		.dumpit		= tlsdev_nl_conn_get_dumpit,
		.done		= tlsdev_nl_conn_get_done,
		.policy		= tlsdev_nl_dev_policy,
		.maxattr	= ARRAY_SIZE(tlsdev_nl_dev_policy) - 1,
	},
	{
		.cmd		= TLSDEV_CMD_STATS_GET,
		.doit		= tlsdev_nl_stats_get_doit,
		.policy		= tlsdev_nl_dev_policy,
		.maxattr	= ARRAY_SIZE(tlsdev_nl_dev_policy) - 1,
	},
	{
		.cmd		= TLSDEV_CMD_FAULT_SET,
		.flags		= GENL_UNS_ADMIN_PERM,
		.doit		= tlsdev_nl_fault_set_doit,
		.policy		= tlsdev_nl_fault_set_policy,
		.maxattr	= ARRAY_SIZE(tlsdev_nl_fault_set_policy) - 1,
	},
};

static struct genl_family tlsdev_nl_family __ro_after_init = {
	.name		= TLSDEV_FAMILY_NAME,
	.version	= TLSDEV_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,	/* RTNL serialises what needs it */
	.module		= THIS_MODULE,
	.ops		= tlsdev_nl_ops,
	.n_ops		= ARRAY_SIZE(tlsdev_nl_ops),
	/* resv_start_op 0: every op validates strictly, as a new family must */
};

int __init tlsdev_nl_init(void)
{
	return genl_register_family(&tlsdev_nl_family);
}

void tlsdev_nl_exit(void)
{
	genl_unregister_family(&tlsdev_nl_family);
}

MODULE_ALIAS_GENL_FAMILY(TLSDEV_FAMILY_NAME);
