// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl stats: the counters of a tlsdev device (tls_dev stats-get),
 * named as ethtool -S names them.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#define STAT_NAME_MAX 32	/* ETH_GSTRING_LEN */

struct stat {
	char name[STAT_NAME_MAX];
	uint64_t value;
};

struct stats {
	char dev[IFNAMSIZ];
	struct stat *v;
	unsigned int n;
};

static struct nla_policy top_policy[TLSDEV_A_MAX + 1] = {
	[TLSDEV_A_IFINDEX] = { .type = NLA_U32 },
	[TLSDEV_A_IFNAME] = { .type = NLA_STRING },
	[TLSDEV_A_STAT] = { .type = NLA_NESTED },
};

static struct nla_policy stat_policy[TLSDEV_A_STAT_MAX + 1] = {
	[TLSDEV_A_STAT_NAME] = { .type = NLA_STRING },
	[TLSDEV_A_STAT_VALUE] = { .type = NLA_U64 },
};

static int parse_stats(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSDEV_A_MAX + 1], *s[TLSDEV_A_STAT_MAX + 1], *a;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct stats *st = arg;
	struct stat *v;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, TLSDEV_A_MAX, top_policy) < 0)
		return -EPROTO;
	if (tb[TLSDEV_A_IFNAME])
		nla_strlcpy(st->dev, tb[TLSDEV_A_IFNAME], sizeof(st->dev));
	/* TLSDEV_A_STAT is repeated: walk them all */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != TLSDEV_A_STAT)
			continue;
		if (nla_parse_nested(s, TLSDEV_A_STAT_MAX, a, stat_policy) < 0 ||
		    !s[TLSDEV_A_STAT_NAME] || !s[TLSDEV_A_STAT_VALUE])
			return -EPROTO;
		v = realloc(st->v, (st->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		st->v = v;
		nla_strlcpy(v[st->n].name, s[TLSDEV_A_STAT_NAME], STAT_NAME_MAX);
		v[st->n].value = nla_get_u64(s[TLSDEV_A_STAT_VALUE]);
		st->n++;
	}
	return 0;
}

static int stats_show(struct ctl *ctl, int argc, char **argv)
{
	struct stats st = { 0 };
	struct nl_msg *msg;
	struct nl_reply r;
	struct json j;
	unsigned int i;
	int rc;

	if (argc != 2 || strcmp(argv[0], "dev"))
		return ctl_usage(ctl, "expected 'dev NAME'");
	if (ctl_arg_ifname(ctl, "dev", argv[1]))
		return CTL_USAGE;
	rc = ctl_genl_open(ctl);
	if (rc)
		return rc;

	msg = ctl_genl_msg(ctl, TLSDEV_CMD_STATS_GET, 0);
	if (!msg || ctl_put_dev(msg, argv[1])) {
		nlmsg_free(msg);
		errmsg("%s: out of memory", ctl->what);
		return CTL_FAIL;
	}
	if (nl_request(ctl->genl, msg, parse_stats, &st, &r)) {
		free(st.v);
		return ctl_fail(ctl, argv[1], &r);
	}

	if (ctl->json) {
		json_init(&j, stdout);
		json_obj_begin(&j, NULL);
		json_str(&j, "dev", st.dev);
		json_obj_begin(&j, "stats");
		for (i = 0; i < st.n; i++)
			json_u64(&j, st.v[i].name, st.v[i].value);
		json_obj_end(&j);
		json_obj_end(&j);
		json_finish(&j);
	} else {
		printf("%s:\n", st.dev);
		for (i = 0; i < st.n; i++)
			printf("    %s: %llu\n", st.v[i].name,
			       (unsigned long long)st.v[i].value);
	}
	free(st.v);
	return CTL_OK;
}

static const struct ctl_cmd stats_cmds[] = {
	{
		.name = "show",
		.args = "dev NAME",
		.help = "Print the counters of tlsdev device NAME, named and ordered as in\n"
			"ethtool -S (Documentation/design.rst explains each).",
		.run = stats_show,
	},
	{ 0 }
};

const struct ctl_group ctl_stats_group = {
	.name = "stats",
	.help = "device counters",
	.cmds = stats_cmds,
};
