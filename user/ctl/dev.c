// SPDX-License-Identifier: GPL-2.0
/*
 * What the command groups share about tlsdev devices: the dev-get request
 * and its parser, the device attribute, the attributes of fault rules.
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

const struct ctl_rule_attrs ctl_rule_attrs[CTL_NR_RULES] = {
	[CTL_RULE_TX] = {
		TLSDEV_A_FAULT_TX_ACTION, TLSDEV_A_FAULT_TX_NTH,
		TLSDEV_A_FAULT_TX_EVERY, TLSDEV_A_FAULT_TX_COUNT,
	},
	[CTL_RULE_RX] = {
		TLSDEV_A_FAULT_RX_ACTION, TLSDEV_A_FAULT_RX_NTH,
		TLSDEV_A_FAULT_RX_EVERY, TLSDEV_A_FAULT_RX_COUNT,
	},
	[CTL_RULE_RX_ASYNC] = {
		TLSDEV_A_FAULT_RX_ASYNC_ACTION, TLSDEV_A_FAULT_RX_ASYNC_NTH,
		TLSDEV_A_FAULT_RX_ASYNC_EVERY, TLSDEV_A_FAULT_RX_ASYNC_COUNT,
	},
};

int ctl_put_dev(struct nl_msg *msg, const char *name)
{
	return nla_put_string(msg, TLSDEV_A_IFNAME, name) < 0 ? -EMSGSIZE : 0;
}

static struct nla_policy dev_policy[TLSDEV_A_MAX + 1] = {
	[TLSDEV_A_IFINDEX] = { .type = NLA_U32 },
	[TLSDEV_A_IFNAME] = { .type = NLA_STRING },
	[TLSDEV_A_LOWER_IFINDEX] = { .type = NLA_U32 },
	[TLSDEV_A_LOWER_IFNAME] = { .type = NLA_STRING },
	[TLSDEV_A_BACKEND] = { .type = NLA_STRING },
	[TLSDEV_A_TX_RESYNC] = { .type = NLA_U32 },
	[TLSDEV_A_NR_CONNS] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT] = { .type = NLA_NESTED },
	[TLSDEV_A_RX_RESYNC] = { .type = NLA_U32 },
	[TLSDEV_A_NR_RX_CONNS] = { .type = NLA_U32 },
};

static struct nla_policy fault_policy[TLSDEV_A_FAULT_MAX + 1] = {
	[TLSDEV_A_FAULT_TX_ACTION] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_NTH] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_COUNT] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_ADD_FAIL] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_CTX_LIMIT] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ACTION] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_NTH] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_COUNT] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ASYNC_ACTION] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ASYNC_NTH] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ASYNC_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_RX_ASYNC_COUNT] = { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int parse_fault(struct nlattr *nest, struct ctl_fault *f)
{
	struct nlattr *tb[TLSDEV_A_FAULT_MAX + 1];
	const struct ctl_rule_attrs *a;
	int r;

	if (nla_parse_nested(tb, TLSDEV_A_FAULT_MAX, nest, fault_policy) < 0)
		return -EPROTO;
	for (r = 0; r < CTL_NR_RULES; r++) {
		a = &ctl_rule_attrs[r];
		f->rule[r].action = get_u32(tb[a->action]);
		f->rule[r].nth = get_u32(tb[a->nth]);
		f->rule[r].every = get_u32(tb[a->every]);
		f->rule[r].count = get_u32(tb[a->count]);
	}
	f->add_fail = get_u32(tb[TLSDEV_A_FAULT_ADD_FAIL]);
	f->ctx_limit = get_u32(tb[TLSDEV_A_FAULT_CTX_LIMIT]);
	return 0;
}

static int parse_dev(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSDEV_A_MAX + 1];
	struct ctl_devs *devs = arg;
	struct ctl_dev *d, *v;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLSDEV_A_MAX, dev_policy) < 0 ||
	    !tb[TLSDEV_A_IFINDEX] || !tb[TLSDEV_A_IFNAME])
		return -EPROTO;
	v = realloc(devs->v, (devs->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	devs->v = v;
	d = memset(&v[devs->n], 0, sizeof(*d));
	d->ifindex = nla_get_u32(tb[TLSDEV_A_IFINDEX]);
	nla_strlcpy(d->name, tb[TLSDEV_A_IFNAME], sizeof(d->name));
	d->lower_ifindex = get_u32(tb[TLSDEV_A_LOWER_IFINDEX]);
	if (tb[TLSDEV_A_LOWER_IFNAME])
		nla_strlcpy(d->lower, tb[TLSDEV_A_LOWER_IFNAME], sizeof(d->lower));
	if (tb[TLSDEV_A_BACKEND])
		nla_strlcpy(d->backend, tb[TLSDEV_A_BACKEND], sizeof(d->backend));
	d->tx_resync = get_u32(tb[TLSDEV_A_TX_RESYNC]);
	d->rx_resync = get_u32(tb[TLSDEV_A_RX_RESYNC]);
	d->nr_conns = get_u32(tb[TLSDEV_A_NR_CONNS]);
	d->nr_rx_conns = get_u32(tb[TLSDEV_A_NR_RX_CONNS]);
	if (tb[TLSDEV_A_FAULT] && parse_fault(tb[TLSDEV_A_FAULT], &d->fault))
		return -EPROTO;
	devs->n++;
	return 0;
}

int ctl_dev_get(struct ctl *ctl, const char *name, struct ctl_devs *devs)
{
	struct nl_reply r;
	struct nl_msg *msg;
	int rc;

	devs->v = NULL;
	devs->n = 0;
	rc = ctl_genl_open(ctl);
	if (rc)
		return rc;
	msg = ctl_genl_msg(ctl, TLSDEV_CMD_DEV_GET, name ? 0 : NLM_F_DUMP);
	if (!msg || (name && ctl_put_dev(msg, name))) {
		nlmsg_free(msg);
		errmsg("%s: out of memory", ctl->what);
		return CTL_FAIL;
	}
	if (nl_request(ctl->genl, msg, parse_dev, devs, &r)) {
		free(devs->v);
		devs->v = NULL;
		devs->n = 0;
		return ctl_fail(ctl, name, &r);
	}
	ctl_warn_intr(ctl, &r);
	return CTL_OK;
}
