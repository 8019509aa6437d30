// SPDX-License-Identifier: GPL-2.0
/*
 * What the command groups share about tlsdev devices: the dev-get request
 * and its parser, the device attribute, and the names of enum values.
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

static const char *const tx_resync_names[] = {
	[TLSDEV_TX_RESYNC_REPLAY] = "replay",
	[TLSDEV_TX_RESYNC_REQUEST] = "request",
};

static const char *const fault_action_names[] = {
	[TLSDEV_FAULT_ACT_NONE] = "none",
	[TLSDEV_FAULT_ACT_DROP] = "drop",
	[TLSDEV_FAULT_ACT_DUP] = "dup",
	[TLSDEV_FAULT_ACT_DELAY] = "delay",
	[TLSDEV_FAULT_ACT_REPLAY] = "replay",
};

static const char *enum_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int enum_parse(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

const char *ctl_tx_resync_name(uint32_t v)
{
	return enum_name(tx_resync_names, ARRAY_SIZE(tx_resync_names), v);
}

const char *ctl_fault_action_name(uint32_t v)
{
	return enum_name(fault_action_names, ARRAY_SIZE(fault_action_names), v);
}

int ctl_tx_resync_parse(const char *s)
{
	return enum_parse(tx_resync_names, ARRAY_SIZE(tx_resync_names), s);
}

int ctl_fault_action_parse(const char *s)
{
	return enum_parse(fault_action_names, ARRAY_SIZE(fault_action_names), s);
}

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
};

static struct nla_policy fault_policy[TLSDEV_A_FAULT_MAX + 1] = {
	[TLSDEV_A_FAULT_TX_ACTION] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_NTH] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_EVERY] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_TX_COUNT] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_ADD_FAIL] = { .type = NLA_U32 },
	[TLSDEV_A_FAULT_CTX_LIMIT] = { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int parse_fault(struct nlattr *nest, struct ctl_fault *f)
{
	struct nlattr *tb[TLSDEV_A_FAULT_MAX + 1];

	if (nla_parse_nested(tb, TLSDEV_A_FAULT_MAX, nest, fault_policy) < 0)
		return -EPROTO;
	f->tx_action = get_u32(tb[TLSDEV_A_FAULT_TX_ACTION]);
	f->tx_nth = get_u32(tb[TLSDEV_A_FAULT_TX_NTH]);
	f->tx_every = get_u32(tb[TLSDEV_A_FAULT_TX_EVERY]);
	f->tx_count = get_u32(tb[TLSDEV_A_FAULT_TX_COUNT]);
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
	d->nr_conns = get_u32(tb[TLSDEV_A_NR_CONNS]);
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
