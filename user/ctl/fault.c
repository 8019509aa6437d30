// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl fault: fault injection on a tlsdev device (tls_dev fault-set;
 * needs CAP_NET_ADMIN).
 */
#include "ctl.h"

#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

struct fault_opts {
	const char *dev;
	int tx_action;		/* -1: unchanged */
	uint32_t tx_nth;
	uint32_t tx_every;
	bool has_nth, has_every;
	bool has_add_fail, has_ctx_limit;
	uint32_t add_fail;
	uint32_t ctx_limit;
};

static int fault_put(struct nl_msg *msg, const struct fault_opts *o)
{
	struct nlattr *nest;

	if (ctl_put_dev(msg, o->dev))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, TLSDEV_A_FAULT | NLA_F_NESTED);
	if (!nest ||
	    (o->tx_action >= 0 &&
	     nla_put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, (uint32_t)o->tx_action) < 0) ||
	    (o->has_nth && nla_put_u32(msg, TLSDEV_A_FAULT_TX_NTH, o->tx_nth) < 0) ||
	    (o->has_every && nla_put_u32(msg, TLSDEV_A_FAULT_TX_EVERY, o->tx_every) < 0) ||
	    (o->has_add_fail &&
	     nla_put_u32(msg, TLSDEV_A_FAULT_ADD_FAIL, o->add_fail) < 0) ||
	    (o->has_ctx_limit &&
	     nla_put_u32(msg, TLSDEV_A_FAULT_CTX_LIMIT, o->ctx_limit) < 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fault_send(struct ctl *ctl, const struct fault_opts *o)
{
	struct nl_msg *msg;
	struct nl_reply r;
	int rc;

	rc = ctl_genl_open(ctl);
	if (rc)
		return rc;
	msg = ctl_genl_msg(ctl, TLSDEV_CMD_FAULT_SET, 0);
	if (!msg || fault_put(msg, o)) {
		nlmsg_free(msg);
		errmsg("%s: out of memory", ctl->what);
		return CTL_FAIL;
	}
	if (nl_request(ctl->genl, msg, NULL, NULL, &r))
		return ctl_fail(ctl, o->dev, &r);
	return CTL_OK;
}

/* "dev NAME" first; returns the index of what follows, or -1. */
static int fault_dev(struct ctl *ctl, int argc, char **argv,
		     struct fault_opts *o)
{
	if (argc < 2 || strcmp(argv[0], "dev")) {
		ctl_usage(ctl, "expected 'dev NAME' first");
		return -1;
	}
	if (ctl_arg_ifname(ctl, "dev", argv[1]))
		return -1;
	o->dev = argv[1];
	return 2;
}

/* tx ACTION nth N [every M] */
static int fault_set_tx(struct ctl *ctl, int argc, char **argv, int i,
			struct fault_opts *o)
{
	const char *v;

	if (i >= argc)
		return ctl_usage(ctl, "tx needs an action: drop, dup, delay, replay or none");
	o->tx_action = ctl_fault_action_parse(argv[i]);
	if (o->tx_action < 0)
		return ctl_usage(ctl, "tx: '%s' is not drop, dup, delay, replay or none",
				 argv[i]);
	for (i++; i < argc; i++) {
		if (strcmp(argv[i], "nth") && strcmp(argv[i], "every"))
			return ctl_usage(ctl, "unknown argument '%s'", argv[i]);
		v = ctl_arg_value(ctl, argc, argv, &i);
		if (!v)
			return CTL_USAGE;
		if (!strcmp(argv[i - 1], "nth")) {
			if (ctl_arg_u32(ctl, "nth", v, 1, &o->tx_nth))
				return CTL_USAGE;
			o->has_nth = true;
		} else {
			if (ctl_arg_u32(ctl, "every", v, 0, &o->tx_every))
				return CTL_USAGE;
			o->has_every = true;
		}
	}
	if (o->tx_action == TLSDEV_FAULT_ACT_NONE) {
		if (o->has_nth || o->has_every)
			return ctl_usage(ctl, "tx none takes no nth or every");
		return CTL_OK;
	}
	if (!o->has_nth)
		return ctl_usage(ctl, "tx %s needs 'nth N'",
				 ctl_fault_action_name((uint32_t)o->tx_action));
	return CTL_OK;
}

static int fault_set(struct ctl *ctl, int argc, char **argv)
{
	struct fault_opts o = { .tx_action = -1 };
	const char *kw;
	int i, rc;

	i = fault_dev(ctl, argc, argv, &o);
	if (i < 0)
		return CTL_USAGE;
	if (i >= argc)
		return ctl_usage(ctl, "expected tx, add-fail or ctx-limit");
	kw = argv[i];
	if (!strcmp(kw, "tx")) {
		rc = fault_set_tx(ctl, argc, argv, i + 1, &o);
		if (rc)
			return rc;
	} else if (!strcmp(kw, "add-fail") || !strcmp(kw, "ctx-limit")) {
		if (argc != i + 2)
			return ctl_usage(ctl, argc < i + 2 ? "'%s' needs a value" :
					 "too many arguments after '%s N'", kw);
		if (!strcmp(kw, "add-fail")) {
			rc = ctl_arg_u32(ctl, kw, argv[i + 1], 0, &o.add_fail);
			o.has_add_fail = true;
		} else {
			rc = ctl_arg_u32(ctl, kw, argv[i + 1], 0, &o.ctx_limit);
			o.has_ctx_limit = true;
		}
		if (rc)
			return rc;
	} else {
		return ctl_usage(ctl, "unknown argument '%s'", kw);
	}
	return fault_send(ctl, &o);
}

static int fault_clear(struct ctl *ctl, int argc, char **argv)
{
	struct fault_opts o = {
		.tx_action = TLSDEV_FAULT_ACT_NONE,
		.has_add_fail = true,
		.has_ctx_limit = true,
	};
	int i;

	i = fault_dev(ctl, argc, argv, &o);
	if (i < 0)
		return CTL_USAGE;
	if (i != argc)
		return ctl_usage(ctl, "too many arguments");
	return fault_send(ctl, &o);
}

static const struct ctl_cmd fault_cmds[] = {
	{
		.name = "set",
		.args = "dev NAME { tx drop|dup|delay|replay nth N [every M] | tx none | add-fail N | ctx-limit N }",
		.help = "tx: do ACTION to the Nth segment the device encrypts from now on\n"
			"    (counted from 1), then to every Mth one after it (default:\n"
			"    only once): drop it, send it twice, send it after the next\n"
			"    one, or resync for it as if it were out of order (replay;\n"
			"    ignored in tx-resync request mode). tx none: no TX rule.\n"
			"add-fail: make the next N offload requests (tls_dev_add, TX or\n"
			"    RX) fail; those sockets use software kTLS in that direction.\n"
			"ctx-limit: offload the TX of at most N connections at a time\n"
			"    (0: no limit).\n"
			"The other settings are left as they are. Needs CAP_NET_ADMIN.",
		.run = fault_set,
	},
	{
		.name = "clear",
		.args = "dev NAME",
		.help = "Turn every fault off on NAME: no TX rule, add-fail 0, no\n"
			"ctx-limit. Needs CAP_NET_ADMIN.",
		.run = fault_clear,
	},
	{ 0 }
};

const struct ctl_group ctl_fault_group = {
	.name = "fault",
	.help = "fault injection",
	.cmds = fault_cmds,
};
