// SPDX-License-Identifier: GPL-2.0
#include "tlsdiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define TLSDIAG_TIMEOUT_S 5

struct diag_ctx {
	struct tlsdiag_info *info;
	bool got_reply;
	bool parse_error;
};

static struct nla_policy ulp_policy[INET_ULP_INFO_MAX + 1] = {
	[INET_ULP_INFO_NAME] = { .type = NLA_STRING },
	[INET_ULP_INFO_TLS]  = { .type = NLA_NESTED },
};

static struct nla_policy tls_policy[TLS_INFO_MAX + 1] = {
	[TLS_INFO_VERSION]   = { .type = NLA_U16 },
	[TLS_INFO_CIPHER]    = { .type = NLA_U16 },
	[TLS_INFO_TXCONF]    = { .type = NLA_U16 },
	[TLS_INFO_RXCONF]    = { .type = NLA_U16 },
	[TLS_INFO_ZC_RO_TX]  = { .type = NLA_FLAG },
	[TLS_INFO_RX_NO_PAD] = { .type = NLA_FLAG },
};

static int parse_tls(struct tlsdiag_info *info, struct nlattr *nest)
{
	struct nlattr *tb[TLS_INFO_MAX + 1];

	if (nla_parse_nested(tb, TLS_INFO_MAX, nest, tls_policy) < 0)
		return -1;
	info->have_tls = true;
	if (tb[TLS_INFO_VERSION])
		info->version = nla_get_u16(tb[TLS_INFO_VERSION]);
	if (tb[TLS_INFO_CIPHER])
		info->cipher = nla_get_u16(tb[TLS_INFO_CIPHER]);
	if (tb[TLS_INFO_TXCONF])
		info->txconf = nla_get_u16(tb[TLS_INFO_TXCONF]);
	if (tb[TLS_INFO_RXCONF])
		info->rxconf = nla_get_u16(tb[TLS_INFO_RXCONF]);
	info->zc_ro_tx = tb[TLS_INFO_ZC_RO_TX] != NULL;
	info->rx_no_pad = tb[TLS_INFO_RX_NO_PAD] != NULL;
	return 0;
}

static int diag_cb(struct nl_msg *msg, void *arg)
{
	struct diag_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[INET_DIAG_MAX + 1];
	struct nlattr *ulp[INET_ULP_INFO_MAX + 1];

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return NL_SKIP;
	if (!nlmsg_valid_hdr(nlh, sizeof(struct inet_diag_msg)) ||
	    nlmsg_parse(nlh, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX,
			NULL) < 0) {
		ctx->parse_error = true;
		return NL_STOP;
	}
	ctx->got_reply = true;
	if (!tb[INET_DIAG_ULP_INFO])
		return NL_OK;
	if (nla_parse_nested(ulp, INET_ULP_INFO_MAX, tb[INET_DIAG_ULP_INFO],
			     ulp_policy) < 0) {
		ctx->parse_error = true;
		return NL_STOP;
	}
	if (ulp[INET_ULP_INFO_NAME])
		nla_strlcpy(ctx->info->ulp, ulp[INET_ULP_INFO_NAME],
			    sizeof(ctx->info->ulp));
	if (ulp[INET_ULP_INFO_TLS] &&
	    parse_tls(ctx->info, ulp[INET_ULP_INFO_TLS]) < 0) {
		ctx->parse_error = true;
		return NL_STOP;
	}
	return NL_OK;
}

/* Fill the request's id from the socket's own view of its 4-tuple. */
static int fill_req(int fd, struct inet_diag_req_v2 *req, char *err,
		    size_t errlen)
{
	struct sockaddr_storage loc, rem;
	socklen_t ll = sizeof(loc), rl = sizeof(rem), cl;
	uint64_t cookie = 0;

	if (getsockname(fd, (struct sockaddr *)&loc, &ll) ||
	    getpeername(fd, (struct sockaddr *)&rem, &rl)) {
		snprintf(err, errlen, "getsockname/getpeername: %s",
			 strerror(errno));
		return -1;
	}
	memset(req, 0, sizeof(*req));
	req->sdiag_family = loc.ss_family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	req->idiag_states = ~0U;
	if (loc.ss_family == AF_INET) {
		const struct sockaddr_in *l = (void *)&loc, *r = (void *)&rem;

		req->id.idiag_sport = l->sin_port;
		req->id.idiag_dport = r->sin_port;
		memcpy(req->id.idiag_src, &l->sin_addr, 4);
		memcpy(req->id.idiag_dst, &r->sin_addr, 4);
	} else if (loc.ss_family == AF_INET6) {
		const struct sockaddr_in6 *l = (void *)&loc, *r = (void *)&rem;

		req->id.idiag_sport = l->sin6_port;
		req->id.idiag_dport = r->sin6_port;
		memcpy(req->id.idiag_src, &l->sin6_addr, 16);
		memcpy(req->id.idiag_dst, &r->sin6_addr, 16);
	} else {
		snprintf(err, errlen, "not an inet socket");
		return -1;
	}
	/* Pin the exact socket; fall back to "no cookie" if unsupported. */
	cl = sizeof(cookie);
	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &cl) == 0 &&
	    cl == sizeof(cookie)) {
		req->id.idiag_cookie[0] = (uint32_t)cookie;
		req->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
	} else {
		req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	return 0;
}

int tlsdiag_query(int fd, struct tlsdiag_info *info)
{
	struct inet_diag_req_v2 req;
	struct diag_ctx ctx = { .info = info };
	struct nl_sock *sk = NULL;
	struct nl_msg *msg = NULL;
	struct timeval tv = { .tv_sec = TLSDIAG_TIMEOUT_S };
	socklen_t ulen;
	int err;

	memset(info, 0, sizeof(*info));
	info->status = TLSDIAG_ERROR;

	/* The attached ULP's name is available without privileges. */
	ulen = sizeof(info->ulp) - 1;
	if (getsockopt(fd, SOL_TCP, TCP_ULP, info->ulp, &ulen) == 0)
		info->ulp[ulen < sizeof(info->ulp) ? ulen : 0] = '\0';
	else
		info->ulp[0] = '\0';

	if (fill_req(fd, &req, info->errstr, sizeof(info->errstr)))
		return -1;

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(info->errstr, sizeof(info->errstr),
			 "nl_socket_alloc failed");
		return -1;
	}
	err = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (err < 0) {
		snprintf(info->errstr, sizeof(info->errstr),
			 "netlink sock_diag: %s", nl_geterror(err));
		goto out;
	}
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	/* Exact lookup: one reply message (or an error), no ACK. */
	nl_socket_disable_auto_ack(sk);
	err = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, diag_cb, &ctx);
	if (err < 0)
		goto nlerr;

	msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST);
	if (!msg) {
		snprintf(info->errstr, sizeof(info->errstr),
			 "nlmsg_alloc_simple failed");
		goto out;
	}
	err = nlmsg_append(msg, &req, sizeof(req), NLMSG_ALIGNTO);
	if (err < 0)
		goto nlerr;
	err = nl_send_auto(sk, msg);
	if (err < 0)
		goto nlerr;
	err = nl_recvmsgs_default(sk);
	if (err < 0)
		goto nlerr;
	if (ctx.parse_error) {
		snprintf(info->errstr, sizeof(info->errstr),
			 "malformed sock_diag reply");
		goto out;
	}
	if (!ctx.got_reply) {
		snprintf(info->errstr, sizeof(info->errstr),
			 "no sock_diag reply");
		goto out;
	}
	if (info->ulp[0] && !info->have_tls && strcmp(info->ulp, "tls") == 0)
		snprintf(info->errstr, sizeof(info->errstr),
			 "kernel sent no TLS info (CAP_NET_ADMIN needed)");
	info->status = TLSDIAG_OK;
	goto out;

nlerr:
	snprintf(info->errstr, sizeof(info->errstr), "sock_diag: %s",
		 nl_geterror(err));
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return info->status == TLSDIAG_OK ? 0 : -1;
}

const char *tlsdiag_state(const struct tlsdiag_info *info, bool tx)
{
	uint16_t conf;

	if (info->status != TLSDIAG_OK)
		return "unknown";
	if (!info->ulp[0] || strcmp(info->ulp, "tls") != 0)
		return "none";
	if (!info->have_tls)
		return "unknown";
	conf = tx ? info->txconf : info->rxconf;
	switch (conf) {
	case TLS_CONF_BASE:      return "none";
	case TLS_CONF_SW:        return "sw";
	case TLS_CONF_HW:        return "hw";
	case TLS_CONF_HW_RECORD: return "hw-record";
	}
	return "unknown";
}
