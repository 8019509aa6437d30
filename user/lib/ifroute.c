// SPDX-License-Identifier: GPL-2.0
#include "ifroute.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#define IFROUTE_TIMEOUT_S 5

struct addr {
	int family;
	size_t len;
	uint8_t bytes[16];
};

/* The address of @ss; IPv4-mapped IPv6 becomes IPv4. */
static int get_addr(const struct sockaddr_storage *ss, struct addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		a->family = AF_INET;
		a->len = 4;
		memcpy(a->bytes, &in->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		if (memcmp(in6->sin6_addr.s6_addr, mapped, 12) == 0) {
			a->family = AF_INET;
			a->len = 4;
			memcpy(a->bytes, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = AF_INET6;
			a->len = 16;
			memcpy(a->bytes, in6->sin6_addr.s6_addr, 16);
		}
		return 0;
	}
	return -1;
}

struct route_ctx {
	uint32_t oif;
	bool got;
};

static int route_cb(struct nl_msg *msg, void *arg)
{
	struct route_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[RTA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[RTA_OIF]) {
		ctx->oif = nla_get_u32(tb[RTA_OIF]);
		ctx->got = true;
	}
	return NL_OK;
}

int ifroute_egress(int fd, char *ifname, char *err, size_t errlen)
{
	struct sockaddr_storage loc, rem;
	socklen_t ll = sizeof(loc), rl = sizeof(rem);
	struct timeval tv = { .tv_sec = IFROUTE_TIMEOUT_S };
	struct route_ctx ctx = { 0 };
	struct addr src, dst;
	struct rtmsg rtm;
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	int ret = -1, e;

	ifname[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&loc, &ll) ||
	    getpeername(fd, (struct sockaddr *)&rem, &rl)) {
		snprintf(err, errlen, "getsockname/getpeername: %s",
			 strerror(errno));
		return -1;
	}
	if (get_addr(&loc, &src) || get_addr(&rem, &dst) ||
	    src.family != dst.family) {
		snprintf(err, errlen, "not an inet socket");
		return -1;
	}
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (unsigned char)dst.family;
	rtm.rtm_dst_len = (unsigned char)(8 * dst.len);
	rtm.rtm_src_len = (unsigned char)(8 * src.len);

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, "nl_socket_alloc failed");
		return -1;
	}
	e = nl_connect(sk, NETLINK_ROUTE);
	if (e < 0)
		goto nlerr;
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	nl_socket_disable_auto_ack(sk);
	e = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, route_cb, &ctx);
	if (e < 0)
		goto nlerr;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!msg) {
		snprintf(err, errlen, "nlmsg_alloc_simple failed");
		goto out;
	}
	e = nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	if (e >= 0)
		e = nla_put(msg, RTA_DST, (int)dst.len, dst.bytes);
	if (e >= 0)
		e = nla_put(msg, RTA_SRC, (int)src.len, src.bytes);
	if (e >= 0)
		e = nl_send_auto(sk, msg);
	if (e >= 0)
		e = nl_recvmsgs_default(sk);
	if (e < 0)
		goto nlerr;
	if (!ctx.got) {
		snprintf(err, errlen, "route lookup: no output interface");
		goto out;
	}
	if (!if_indextoname(ctx.oif, ifname)) {
		snprintf(err, errlen, "interface %u: %s", ctx.oif,
			 strerror(errno));
		goto out;
	}
	ret = 0;
	goto out;
nlerr:
	snprintf(err, errlen, "route lookup: %s", nl_geterror(e));
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret;
}

static int ethtool_ioctl(int s, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(s, SIOCETHTOOL, &ifr);
}

int ifroute_feature(const char *ifname, const char *name, char *err,
		    size_t errlen)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t count;
	} sset;
	struct ethtool_gstrings *strs = NULL;
	struct ethtool_gfeatures *gf = NULL;
	uint32_t n, i, blocks, mask;
	int s, ret = IFF_FEATURE_ERROR;
	const char *what = "socket";

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto syserr;
	memset(&sset, 0, sizeof(sset));
	sset.hdr.cmd = ETHTOOL_GSSET_INFO;
	sset.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
	what = "ETHTOOL_GSSET_INFO";
	if (ethtool_ioctl(s, ifname, &sset))
		goto syserr;
	n = sset.hdr.sset_mask ? sset.count : 0;
	if (n == 0 || n > 4096) {
		snprintf(err, errlen, "%s: no feature names", ifname);
		goto out;
	}
	strs = calloc(1, sizeof(*strs) + (size_t)n * ETH_GSTRING_LEN);
	blocks = (n + 31) / 32;
	gf = calloc(1, sizeof(*gf) + blocks * sizeof(gf->features[0]));
	if (!strs || !gf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_FEATURES;
	strs->len = n;
	what = "ETHTOOL_GSTRINGS";
	if (ethtool_ioctl(s, ifname, strs))
		goto syserr;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = blocks;
	what = "ETHTOOL_GFEATURES";
	if (ethtool_ioctl(s, ifname, gf))
		goto syserr;
	ret = IFF_FEATURE_ABSENT;
	for (i = 0; i < n && i < strs->len; i++) {
		const char *s_i = (const char *)strs->data + i * ETH_GSTRING_LEN;

		if (strncmp(s_i, name, ETH_GSTRING_LEN) != 0)
			continue;
		mask = 1U << (i % 32);
		if (gf->features[i / 32].active & mask)
			ret = IFF_FEATURE_ON;
		else if (gf->features[i / 32].available & mask)
			ret = IFF_FEATURE_OFF;
		break;
	}
	goto out;
syserr:
	snprintf(err, errlen, "%s %s: %s", ifname, what, strerror(errno));
out:
	free(strs);
	free(gf);
	if (s >= 0)
		close(s);
	return ret;
}
