// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl conn: the connections offloaded to tlsdev devices (tls_dev
 * conn-get dump).
 */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

struct conn {
	char dev[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t dir;
	uint16_t family;
	char saddr[INET6_ADDRSTRLEN];
	char daddr[INET6_ADDRSTRLEN];
	uint16_t sport;
	uint16_t dport;
	uint16_t cipher;
	uint32_t start_seq;
	uint32_t tcp_seq;
	uint64_t rec_seq;
	bool synced;
	uint64_t ooo;
	uint64_t replays;	/* TX */
	uint32_t rx_state;	/* RX: enum tlsdev_conn_rx_state */
	uint64_t resyncs;	/* RX */
};

struct conns {
	struct conn *v;
	unsigned int n;
};

static struct nla_policy top_policy[TLSDEV_A_MAX + 1] = {
	[TLSDEV_A_IFINDEX] = { .type = NLA_U32 },
	[TLSDEV_A_IFNAME] = { .type = NLA_STRING },
	[TLSDEV_A_CONN] = { .type = NLA_NESTED },
};

static struct nla_policy conn_policy[TLSDEV_A_CONN_MAX + 1] = {
	[TLSDEV_A_CONN_DIR] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_FAMILY] = { .type = NLA_U16 },
	[TLSDEV_A_CONN_SADDR_IPV4] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_DADDR_IPV4] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_SADDR_IPV6] = { .minlen = 16 },
	[TLSDEV_A_CONN_DADDR_IPV6] = { .minlen = 16 },
	[TLSDEV_A_CONN_SPORT] = { .type = NLA_U16 },
	[TLSDEV_A_CONN_DPORT] = { .type = NLA_U16 },
	[TLSDEV_A_CONN_CIPHER] = { .type = NLA_U16 },
	[TLSDEV_A_CONN_START_SEQ] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_TCP_SEQ] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_REC_SEQ] = { .type = NLA_U64 },
	[TLSDEV_A_CONN_SYNCED] = { .type = NLA_U8 },
	[TLSDEV_A_CONN_OOO] = { .type = NLA_U64 },
	[TLSDEV_A_CONN_REPLAYS] = { .type = NLA_U64 },
	[TLSDEV_A_CONN_RX_STATE] = { .type = NLA_U32 },
	[TLSDEV_A_CONN_RESYNCS] = { .type = NLA_U64 },
};

static const char *cipher_name(uint16_t cipher, char *buf, size_t len)
{
	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128:
		return "aes-gcm-128";
	case TLS_CIPHER_AES_GCM_256:
		return "aes-gcm-256";
	}
	snprintf(buf, len, "cipher-%u", cipher);
	return buf;
}

static int addr_str(int family, struct nlattr *v4, struct nlattr *v6,
		    char *buf)
{
	uint32_t a4;

	if (family == AF_INET && v4) {
		a4 = nla_get_u32(v4);	/* network byte order */
		inet_ntop(AF_INET, &a4, buf, INET6_ADDRSTRLEN);
		return 0;
	}
	if (family == AF_INET6 && v6) {
		inet_ntop(AF_INET6, nla_data(v6), buf, INET6_ADDRSTRLEN);
		return 0;
	}
	return -EPROTO;
}

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static int parse_conn(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLSDEV_A_MAX + 1], *c[TLSDEV_A_CONN_MAX + 1];
	struct conns *conns = arg;
	struct conn *x, *v;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, TLSDEV_A_MAX, top_policy) < 0 ||
	    !tb[TLSDEV_A_IFINDEX] || !tb[TLSDEV_A_CONN] ||
	    nla_parse_nested(c, TLSDEV_A_CONN_MAX, tb[TLSDEV_A_CONN],
			     conn_policy) < 0 ||
	    !c[TLSDEV_A_CONN_FAMILY])
		return -EPROTO;
	v = realloc(conns->v, (conns->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	conns->v = v;
	x = memset(&v[conns->n], 0, sizeof(*x));
	x->ifindex = nla_get_u32(tb[TLSDEV_A_IFINDEX]);
	if (tb[TLSDEV_A_IFNAME])
		nla_strlcpy(x->dev, tb[TLSDEV_A_IFNAME], sizeof(x->dev));
	x->dir = c[TLSDEV_A_CONN_DIR] ? nla_get_u32(c[TLSDEV_A_CONN_DIR]) : 0;
	x->family = nla_get_u16(c[TLSDEV_A_CONN_FAMILY]);
	if (addr_str(x->family, c[TLSDEV_A_CONN_SADDR_IPV4],
		     c[TLSDEV_A_CONN_SADDR_IPV6], x->saddr) ||
	    addr_str(x->family, c[TLSDEV_A_CONN_DADDR_IPV4],
		     c[TLSDEV_A_CONN_DADDR_IPV6], x->daddr))
		return -EPROTO;
	if (c[TLSDEV_A_CONN_SPORT])
		x->sport = ntohs(nla_get_u16(c[TLSDEV_A_CONN_SPORT]));
	if (c[TLSDEV_A_CONN_DPORT])
		x->dport = ntohs(nla_get_u16(c[TLSDEV_A_CONN_DPORT]));
	if (c[TLSDEV_A_CONN_CIPHER])
		x->cipher = nla_get_u16(c[TLSDEV_A_CONN_CIPHER]);
	if (c[TLSDEV_A_CONN_START_SEQ])
		x->start_seq = nla_get_u32(c[TLSDEV_A_CONN_START_SEQ]);
	if (c[TLSDEV_A_CONN_TCP_SEQ])
		x->tcp_seq = nla_get_u32(c[TLSDEV_A_CONN_TCP_SEQ]);
	x->rec_seq = get_u64(c[TLSDEV_A_CONN_REC_SEQ]);
	x->synced = c[TLSDEV_A_CONN_SYNCED] && nla_get_u8(c[TLSDEV_A_CONN_SYNCED]);
	x->ooo = get_u64(c[TLSDEV_A_CONN_OOO]);
	x->replays = get_u64(c[TLSDEV_A_CONN_REPLAYS]);
	if (c[TLSDEV_A_CONN_RX_STATE])
		x->rx_state = nla_get_u32(c[TLSDEV_A_CONN_RX_STATE]);
	x->resyncs = get_u64(c[TLSDEV_A_CONN_RESYNCS]);
	conns->n++;
	return 0;
}

static const char *dir_name(uint32_t dir)
{
	return dir == TLSDEV_CONN_DIR_TX ? "tx" :
	       dir == TLSDEV_CONN_DIR_RX ? "rx" : "?";
}

static void conn_print(const struct conn *x)
{
	const char *l = x->family == AF_INET6 ? "[" : "";
	const char *r = x->family == AF_INET6 ? "]" : "";
	char buf[32], sbuf[32];

	printf("%s %s %s%s%s:%u %s%s%s:%u %s tcp-seq %u rec-seq %llu",
	       x->dev, dir_name(x->dir), l, x->saddr, r, x->sport,
	       l, x->daddr, r, x->dport, cipher_name(x->cipher, buf, sizeof(buf)),
	       x->tcp_seq, (unsigned long long)x->rec_seq);
	if (x->dir == TLSDEV_CONN_DIR_RX)
		printf(" state %s ooo %llu resyncs %llu\n",
		       ctl_rx_state_name(x->rx_state, sbuf, sizeof(sbuf)),
		       (unsigned long long)x->ooo,
		       (unsigned long long)x->resyncs);
	else
		printf(" start-seq %u%s ooo %llu replays %llu\n", x->start_seq,
		       x->synced ? "" : " unsynced", (unsigned long long)x->ooo,
		       (unsigned long long)x->replays);
}

static void conn_json(struct json *j, const struct conn *x)
{
	char buf[32], sbuf[32];

	json_obj_begin(j, NULL);
	json_str(j, "dev", x->dev);
	json_u64(j, "ifindex", x->ifindex);
	json_str(j, "dir", dir_name(x->dir));
	json_str(j, "family", x->family == AF_INET6 ? "inet6" : "inet");
	json_str(j, "saddr", x->saddr);
	json_u64(j, "sport", x->sport);
	json_str(j, "daddr", x->daddr);
	json_u64(j, "dport", x->dport);
	json_str(j, "cipher", cipher_name(x->cipher, buf, sizeof(buf)));
	json_u64(j, "tcp_seq", x->tcp_seq);
	json_u64(j, "rec_seq", x->rec_seq);
	json_bool(j, "synced", x->synced);
	json_u64(j, "ooo", x->ooo);
	if (x->dir == TLSDEV_CONN_DIR_RX) {
		json_str(j, "state", ctl_rx_state_name(x->rx_state, sbuf,
						       sizeof(sbuf)));
		json_u64(j, "state_num", x->rx_state);
		json_u64(j, "resyncs", x->resyncs);
	} else {
		json_u64(j, "start_seq", x->start_seq);
		json_u64(j, "replays", x->replays);
	}
	json_obj_end(j);
}

static int conn_show(struct ctl *ctl, int argc, char **argv)
{
	struct conns conns = { 0 };
	const char *dev = NULL;
	struct nl_msg *msg;
	struct nl_reply r;
	struct json j;
	unsigned int i;
	int rc;

	if (argc == 2 && !strcmp(argv[0], "dev"))
		dev = argv[1];
	else if (argc)
		return ctl_usage(ctl, "expected nothing or 'dev NAME'");
	if (dev && ctl_arg_ifname(ctl, "dev", dev))
		return CTL_USAGE;
	rc = ctl_genl_open(ctl);
	if (rc)
		return rc;

	msg = ctl_genl_msg(ctl, TLSDEV_CMD_CONN_GET, NLM_F_DUMP);
	if (!msg || (dev && ctl_put_dev(msg, dev))) {
		nlmsg_free(msg);
		errmsg("%s: out of memory", ctl->what);
		return CTL_FAIL;
	}
	if (nl_request(ctl->genl, msg, parse_conn, &conns, &r)) {
		free(conns.v);
		return ctl_fail(ctl, dev, &r);
	}
	ctl_warn_intr(ctl, &r);

	if (ctl->json) {
		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
		for (i = 0; i < conns.n; i++)
			conn_json(&j, &conns.v[i]);
		json_arr_end(&j);
		json_finish(&j);
	} else {
		for (i = 0; i < conns.n; i++)
			conn_print(&conns.v[i]);
	}
	free(conns.v);
	return CTL_OK;
}

static const struct ctl_cmd conn_cmds[] = {
	{
		.name = "show",
		.args = "[dev NAME]",
		.help = "List the connections offloaded to the tlsdev devices of the netns\n"
			"(or to NAME), TX and RX: direction, local and peer address and\n"
			"port, cipher, the TCP and record sequence numbers the device\n"
			"expects next, its out-of-sequence segments; for TX the first\n"
			"offloaded TCP sequence number, whether the device is in sync and\n"
			"its record replays; for RX the device's state (sync, search,\n"
			"confirm, hint; state-N for a state this tool does not know) and\n"
			"the resyncs the core confirmed.\n"
			"Keys are never shown (the kernel never reports them).",
		.run = conn_show,
	},
	{ 0 }
};

const struct ctl_group ctl_conn_group = {
	.name = "conn",
	.help = "list offloaded connections",
	.cmds = conn_cmds,
};
