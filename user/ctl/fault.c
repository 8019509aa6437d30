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
	bool has_rule[CTL_NR_RULES];
	struct ctl_rule_arg rule[CTL_NR_RULES];	/* enum ctl_rule */
	bool has_add_fail, has_ctx_limit;
	uint32_t add_fail;
	uint32_t ctx_limit;
};

static int rule_put(struct nl_msg *msg, const struct ctl_rule_attrs *a,
		    const struct ctl_rule_arg *r)
{
	if (nla_put_u32(msg, a->action, r->action) < 0 ||
	    (r->has_nth && nla_put_u32(msg, a->nth, r->nth) < 0) ||
	    (r->has_every && nla_put_u32(msg, a->every, r->every) < 0))
		return -EMSGSIZE;
	return 0;
}

static int fault_put(struct nl_msg *msg, const struct fault_opts *o)
{
	struct nlattr *nest;
	int r;

	if (ctl_put_dev(msg, o->dev))
		return -EMSGSIZE;
	nest = nla_nest_start(msg, TLSDEV_A_FAULT | NLA_F_NESTED);
	if (!nest)
		return -EMSGSIZE;
	for (r = 0; r < CTL_NR_RULES; r++)
		if (o->has_rule[r] && rule_put(msg, &ctl_rule_attrs[r], &o->rule[r]))
			return -EMSGSIZE;
	if ((o->has_add_fail &&
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

static int fault_set(struct ctl *ctl, int argc, char **argv)
{
	struct fault_opts o = { 0 };
	char err[160];
	const char *kw;
	int i, r, rc;

	i = fault_dev(ctl, argc, argv, &o);
	if (i < 0)
		return CTL_USAGE;
	if (i >= argc)
		return ctl_usage(ctl, "expected tx, rx, rx-async, add-fail or ctx-limit");
	kw = argv[i];
	r = ctl_rule_parse_name(kw);
	if (r >= 0) {
		/* which actions a rule takes is the kernel's to say */
		if (ctl_rule_parse(r, argc - i - 1, argv + i + 1, &o.rule[r],
				   err, sizeof(err)))
			return ctl_usage(ctl, "%s", err);
		o.has_rule[r] = true;
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
		.has_rule = { true, true, true },	/* action none */
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
		.args = "dev NAME { tx drop|dup|delay|replay|hold nth N [every M] | rx drop|delay|corrupt|desync nth N [every M] | rx-async drop|delay nth N [every M] | tx|rx|rx-async none | add-fail N | ctx-limit N }",
		.help = "tx: do ACTION to the Nth segment the device encrypts from now on\n"
			"    (counted from 1), then to every Mth one after it (default:\n"
			"    only once): drop it, send it twice, send it after the next\n"
			"    one, or resync for it as if it were out of order (replay;\n"
			"    ignored in tx-resync request mode), or hold it back before\n"
			"    the device looks at it until the TLS core has freed its\n"
			"    record, at most 2 s (hold; one segment at a time).\n"
			"rx: the same with the TCP segments (with payload) received for\n"
			"    RX-offloaded connections, before the device sees them: drop\n"
			"    it, deliver it after the next one (delay), flip a ciphertext\n"
			"    byte (corrupt), or make the device lose its sync there\n"
			"    (desync).\n"
			"rx-async: the same with the device's answers to the core's async\n"
			"    resync queries (rx-resync async): drop or delay the answer.\n"
			"tx|rx|rx-async none: turn that rule off. An action the rule\n"
			"    does not take is refused by the kernel, with its message.\n"
			"add-fail: make the next N offload requests (tls_dev_add, TX or\n"
			"    RX, in the order they come) fail; those sockets use software\n"
			"    kTLS in that direction.\n"
			"ctx-limit: at most N offloaded contexts at a time, TX and RX\n"
			"    together (0: no limit); the requests over it fail the same way.\n"
			"The other settings are left as they are. Needs CAP_NET_ADMIN.",
		.run = fault_set,
	},
	{
		.name = "clear",
		.args = "dev NAME",
		.help = "Turn every fault off on NAME: no tx, rx or rx-async rule,\n"
			"add-fail 0, no ctx-limit. Needs CAP_NET_ADMIN.",
		.run = fault_clear,
	},
	{ 0 }
};

const struct ctl_group ctl_fault_group = {
	.name = "fault",
	.help = "fault injection",
	.cmds = fault_cmds,
};
