// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl link: create and delete tlsdev devices (rtnetlink) and list
 * them (tls_dev dev-get).
 *
 * libnl-route has no link-type module for "tlsdev", and the API to add
 * one (struct rtnl_link_info_ops) is private since libnl 3.5; so the
 * request is libnl's own RTM_NEWLINK for a link without a type, to which
 * we add the IFLA_LINKINFO nest (kind and IFLA_INFO_DATA) ourselves.
 */
#include "ctl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

static const char *const rx_resync_names[] = { "request", "hint", "async" };

struct link_add_opts {
	const char *name;
	const char *lower;
	const char *backend;
	int tx_resync;		/* -1: default */
	int rx_resync;		/* -1: the backend's default */
};

static bool link_add_keyword(const char *s)
{
	static const char *const kws[] = {
		"name", "link", "backend", "tx-resync", "rx-resync",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kws); i++)
		if (!strcmp(s, kws[i]))
			return true;
	return false;
}

static int link_add_parse(struct ctl *ctl, int argc, char **argv,
			  struct link_add_opts *o)
{
	const char *kw, *v;
	size_t k;
	int i;

	/* NAME first, or anywhere as "name NAME" (as ip link add has it) */
	i = 0;
	if (argc && !link_add_keyword(argv[0]))
		o->name = argv[i++];
	for (; i < argc; i++) {
		kw = argv[i];
		if (!link_add_keyword(kw))
			return ctl_usage(ctl, "unknown argument '%s'", kw);
		v = ctl_arg_value(ctl, argc, argv, &i);
		if (!v)
			return CTL_USAGE;
		if (!strcmp(kw, "name")) {
			if (o->name)
				return ctl_usage(ctl, "NAME given twice");
			o->name = v;
		} else if (!strcmp(kw, "link")) {
			if (ctl_arg_ifname(ctl, "link", v))
				return CTL_USAGE;
			o->lower = v;
		} else if (!strcmp(kw, "backend")) {
			if (!v[0] || strlen(v) >= TLSDEV_BACKEND_NAME_MAX)
				return ctl_usage(ctl, "backend: not a backend name: '%s'", v);
			o->backend = v;
		} else if (!strcmp(kw, "tx-resync")) {
			o->tx_resync = ctl_tx_resync_parse(v);
			if (o->tx_resync < 0)
				return ctl_usage(ctl, "tx-resync: '%s' is not replay or request", v);
		} else {
			for (k = 0; k < ARRAY_SIZE(rx_resync_names); k++)
				if (!strcmp(v, rx_resync_names[k]))
					break;
			if (k == ARRAY_SIZE(rx_resync_names))
				return ctl_usage(ctl, "rx-resync: '%s' is not request, hint or async", v);
			o->rx_resync = (int)k;
		}
	}
	if (!o->name)
		return ctl_usage(ctl, "missing NAME");
	if (ctl_arg_ifname(ctl, "NAME", o->name))
		return CTL_USAGE;
	if (!o->lower)
		return ctl_usage(ctl, "missing 'link LOWER'");
	return CTL_OK;
}

/* IFLA_LINKINFO { IFLA_INFO_KIND "tlsdev", IFLA_INFO_DATA { ... } } */
static int link_put_info(struct nl_msg *msg, const struct link_add_opts *o)
{
	struct nlattr *info, *data;

	info = nla_nest_start(msg, IFLA_LINKINFO | NLA_F_NESTED);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, TLSDEV_LINK_KIND) < 0)
		return -EMSGSIZE;
	if (o->backend || o->tx_resync >= 0 || o->rx_resync >= 0) {
		data = nla_nest_start(msg, IFLA_INFO_DATA | NLA_F_NESTED);
		if (!data ||
		    (o->backend &&
		     nla_put_string(msg, IFLA_TLSDEV_BACKEND, o->backend) < 0) ||
		    (o->tx_resync >= 0 &&
		     nla_put_u8(msg, IFLA_TLSDEV_TX_RESYNC, (uint8_t)o->tx_resync) < 0) ||
		    (o->rx_resync >= 0 &&
		     nla_put_u8(msg, IFLA_TLSDEV_RX_RESYNC, (uint8_t)o->rx_resync) < 0))
			return -EMSGSIZE;
		nla_nest_end(msg, data);
	}
	nla_nest_end(msg, info);
	return 0;
}

static int link_add(struct ctl *ctl, int argc, char **argv)
{
	struct link_add_opts o = { .tx_resync = -1, .rx_resync = -1 };
	struct rtnl_link *link = NULL;
	struct nl_msg *msg = NULL;
	struct nl_reply r;
	unsigned int lower;
	int rc;

	rc = link_add_parse(ctl, argc, argv, &o);
	if (rc)
		return rc;
	lower = if_nametoindex(o.lower);
	if (!lower) {
		errmsg("%s: %s: lower device not found", ctl->what, o.lower);
		return CTL_FAIL;
	}
	rc = ctl_rtnl_open(ctl);
	if (rc)
		return rc;

	rc = CTL_FAIL;
	link = rtnl_link_alloc();
	if (!link)
		goto err_nomem;
	rtnl_link_set_name(link, o.name);
	rtnl_link_set_link(link, (int)lower);
	if (rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg) < 0 ||
	    link_put_info(msg, &o))
		goto err_nomem;
	if (nl_request(ctl->rtnl, msg, NULL, NULL, &r)) {
		msg = NULL;	/* nl_request frees it */
		/* rtnetlink without the tlsdev link type */
		if (r.err == -EOPNOTSUPP && !strcmp(r.msg, "Unknown device type")) {
			errmsg("%s: the tlsdev link type is not available: is tlsdev.ko loaded?",
			       ctl->what);
			rc = CTL_NOTAVAIL;
		} else {
			rc = ctl_fail(ctl, o.name, &r);
		}
		goto out;
	}
	rc = CTL_OK;
	goto out;

err_nomem:
	nlmsg_free(msg);
	errmsg("%s: out of memory", ctl->what);
out:
	rtnl_link_put(link);
	return rc;
}

static int link_del(struct ctl *ctl, int argc, char **argv)
{
	struct rtnl_link *link;
	struct ctl_devs devs;
	struct nl_msg *msg;
	struct nl_reply r;
	int rc;

	if (argc != 1)
		return ctl_usage(ctl, argc ? "too many arguments" : "missing NAME");
	if (ctl_arg_ifname(ctl, "NAME", argv[0]))
		return CTL_USAGE;
	/* only ever delete a tlsdev: the kernel says if it is not one */
	rc = ctl_dev_get(ctl, argv[0], &devs);
	if (rc)
		return rc;
	rc = ctl_rtnl_open(ctl);
	if (rc)
		goto out;

	rc = CTL_FAIL;
	link = rtnl_link_alloc();
	if (!link) {
		errmsg("%s: out of memory", ctl->what);
		goto out;
	}
	rtnl_link_set_ifindex(link, (int)devs.v[0].ifindex);
	if (rtnl_link_build_delete_request(link, &msg) < 0) {
		errmsg("%s: out of memory", ctl->what);
	} else if (nl_request(ctl->rtnl, msg, NULL, NULL, &r)) {
		ctl_fail(ctl, argv[0], &r);
	} else {
		rc = CTL_OK;
	}
	rtnl_link_put(link);
out:
	free(devs.v);
	return rc;
}

static void fault_print(const struct ctl_fault *f)
{
	printf("    fault:");
	if (f->tx_action != TLSDEV_FAULT_ACT_NONE)
		printf(" tx %s nth %u every %u (%u segments seen)",
		       ctl_fault_action_name(f->tx_action), f->tx_nth,
		       f->tx_every, f->tx_count);
	if (f->add_fail)
		printf(" add-fail %u", f->add_fail);
	if (f->ctx_limit)
		printf(" ctx-limit %u", f->ctx_limit);
	printf("\n");
}

static void fault_json(struct json *j, const struct ctl_fault *f)
{
	json_obj_begin(j, "fault");
	json_str(j, "tx_action", ctl_fault_action_name(f->tx_action));
	json_u64(j, "tx_nth", f->tx_nth);
	json_u64(j, "tx_every", f->tx_every);
	json_u64(j, "tx_count", f->tx_count);
	json_u64(j, "add_fail", f->add_fail);
	json_u64(j, "ctx_limit", f->ctx_limit);
	json_obj_end(j);
}

static int link_show(struct ctl *ctl, int argc, char **argv)
{
	const struct ctl_fault *f;
	const struct ctl_dev *d;
	struct ctl_devs devs;
	struct json j;
	unsigned int i;
	int rc;

	if (argc > 1)
		return ctl_usage(ctl, "too many arguments");
	if (argc && ctl_arg_ifname(ctl, "NAME", argv[0]))
		return CTL_USAGE;
	rc = ctl_dev_get(ctl, argc ? argv[0] : NULL, &devs);
	if (rc)
		return rc;

	if (ctl->json) {
		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
	}
	for (i = 0; i < devs.n; i++) {
		d = &devs.v[i];
		f = &d->fault;
		if (!ctl->json) {
			printf("%s: lower %s backend %s tx-resync %s conns %u\n",
			       d->name, d->lower, d->backend,
			       ctl_tx_resync_name(d->tx_resync), d->nr_conns);
			if (f->tx_action || f->add_fail || f->ctx_limit)
				fault_print(f);
			continue;
		}
		json_obj_begin(&j, NULL);
		json_str(&j, "name", d->name);
		json_u64(&j, "ifindex", d->ifindex);
		json_str(&j, "lower", d->lower);
		json_u64(&j, "lower_ifindex", d->lower_ifindex);
		json_str(&j, "backend", d->backend);
		json_str(&j, "tx_resync", ctl_tx_resync_name(d->tx_resync));
		json_u64(&j, "conns", d->nr_conns);
		fault_json(&j, f);
		json_obj_end(&j);
	}
	if (ctl->json) {
		json_arr_end(&j);
		json_finish(&j);
	}
	free(devs.v);
	return CTL_OK;
}

static const struct ctl_cmd link_cmds[] = {
	{
		.name = "add",
		.args = "NAME link LOWER [backend emu|mlx5|null] [tx-resync replay|request] [rx-resync request|hint|async]",
		.help = "Create tlsdev device NAME on the Ethernet device LOWER (NAME may\n"
			"also be given as 'name NAME', as with ip link add). backend\n"
			"names the crypto backend (default: the backend parameter of\n"
			"tlsdev.ko, emu); tx-resync how the device handles out-of-sequence\n"
			"TX segments (default replay); rx-resync how it regains RX sync\n"
			"(default: the backend's, request for emu and null, async for mlx5).",
		.run = link_add,
	},
	{
		.name = "del",
		.args = "NAME",
		.help = "Delete tlsdev device NAME (and only a tlsdev device).",
		.run = link_del,
	},
	{
		.name = "show",
		.args = "[NAME]",
		.help = "List the tlsdev devices of the netns (or NAME): lower device,\n"
			"backend, tx-resync mode, number of offloaded connections, and the\n"
			"fault injection settings when any is set (always with -j).",
		.run = link_show,
	},
	{ 0 }
};

const struct ctl_group ctl_link_group = {
	.name = "link",
	.help = "create, delete and list tlsdev devices",
	.cmds = link_cmds,
};
