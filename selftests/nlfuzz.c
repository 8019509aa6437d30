// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz - hostile input for the tls_dev generic netlink family.
 *
 * Phases (--phase, default all of them in this order):
 *
 * fuzz   random requests for every command and for unknown ones: valid and
 *        invalid attribute types, wrong payload sizes, zero-length and huge
 *        attributes, nested garbage, unknown attribute numbers, random
 *        netlink flags (NLM_F_DUMP on do-only commands and the reverse),
 *        broken generic netlink headers, trailing bytes. Every request asks
 *        for an ACK; each must get exactly one final answer (ACK, error or
 *        NLMSG_DONE) with its sequence number within --timeout, and nothing
 *        after it. A model of the family's strict policies (written from
 *        kmod/netlink.c and lib/nlattr.c) decides which requests the policy
 *        refuses: those must come back as errors, never be accepted.
 *        Requests built to be valid must succeed. Errors raised after the
 *        generic netlink header was accepted must carry an extack message,
 *        except the core's EPERM and EOPNOTSUPP.
 * close  dumps (conn-get and dev-get) whose socket is closed after the
 *        first datagram of the answer, or before reading anything.
 * stall  several dumps started at once and left unread for a while (the
 *        caller changes the set of devices and connections meanwhile),
 *        some abandoned, the others read to the end: every dump ends with
 *        NLMSG_DONE and status 0, no connection or device twice, devices
 *        in ifindex order, every message well formed.
 * check  the family still answers correctly: the same devices as at the
 *        start (unless --no-compare), dev-get by index and by name, stats,
 *        conn-get (the same count as at the start unless --no-compare),
 *        and fault-set clearing every rule, which dev-get then shows.
 *        Runs after each of the phases above too.
 *
 * Exit status: 0 every check passed, 1 a check failed, 2 usage error,
 * 4 cannot run here (no tls_dev family, no tlsdev device).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "tlsdev_genl.h"
#include "extack.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

enum {
	EXIT_PASS = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_CANNOT = 4,	/* KSFT_SKIP */
};

#define PH_FUZZ		0x1
#define PH_CLOSE	0x2
#define PH_STALL	0x4
#define PH_CHECK	0x8

#define DEF_ITERATIONS	3000
#define DEF_CLOSES	300
#define DEF_STALLS	20
#define DEF_TIMEOUT_MS	10000
#define STALL_SOCKS	8

static struct {
	uint64_t seed;
	unsigned long iterations;
	unsigned long closes;
	unsigned long stalls;
	int timeout_ms;
	unsigned int phases;
	bool compare;
	bool verbose;
} opt = {
	.seed = 1,
	.iterations = DEF_ITERATIONS,
	.closes = DEF_CLOSES,
	.stalls = DEF_STALLS,
	.timeout_ms = DEF_TIMEOUT_MS,
	.phases = PH_FUZZ | PH_CLOSE | PH_STALL | PH_CHECK,
	.compare = true,
};

static int family;
static unsigned long failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (failures > 30)
		return;
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* deterministic randomness: xorshift64* */

static uint64_t rng;

static uint64_t rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() >> 32) % n : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static void rnd_bytes(unsigned char *p, size_t n)
{
	size_t i;

	switch (rnd(4)) {
	case 0:
		memset(p, 0, n);
		break;
	case 1:
		memset(p, 0xff, n);
		break;
	default:
		for (i = 0; i < n; i++)
			p[i] = (unsigned char)rnd64();
	}
}

/* ------------------------------------------------------------------ */
/* the devices */

struct dev {
	uint32_t ifindex;
	char name[IFNAMSIZ];
};

#define MAX_DEVS 64
static struct dev devs[MAX_DEVS];
static int ndevs;
static uint32_t lo_ifindex;
static unsigned long base_conns;

/* ------------------------------------------------------------------ */
/* sockets and one request's answer */

struct sock {
	struct nl_sock *sk;
	uint32_t seq;
};

static int sock_open(struct sock *s)
{
	struct timeval tv = {
		.tv_sec = opt.timeout_ms / 1000,
		.tv_usec = (opt.timeout_ms % 1000) * 1000,
	};
	int one = 1, fd, err;

	s->seq = (uint32_t)rnd64() | 1;
	s->sk = nl_socket_alloc();
	if (!s->sk)
		return -ENOMEM;
	err = genl_connect(s->sk);
	if (err < 0) {
		nl_socket_free(s->sk);
		s->sk = NULL;
		return err;
	}
	/* room for requests of several huge attributes (libnl sets 32 KiB) */
	err = nl_socket_set_buffer_size(s->sk, 1 << 20, 1 << 20);
	if (err < 0) {
		nl_socket_free(s->sk);
		s->sk = NULL;
		return err;
	}
	nl_socket_disable_seq_check(s->sk);
	nl_socket_disable_auto_ack(s->sk);
	nl_socket_enable_msg_peek(s->sk);
	fd = nl_socket_get_fd(s->sk);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static void sock_close(struct sock *s)
{
	if (s->sk)
		nl_socket_free(s->sk);
	s->sk = NULL;
}

struct answer {
	int err;		/* 0: ACK or DONE with status 0 */
	bool final;		/* an ACK, error or DONE came */
	bool is_done;		/* the final answer was NLMSG_DONE */
	bool timeout;
	bool intr;		/* NLM_F_DUMP_INTR seen */
	unsigned int replies;	/* data messages */
	char msg[256];		/* extack message */
};

/* Checks a data message gets, and what it collects: set per request. */
typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *arg);

/*
 * Take the datagrams of the answer to request @seq until its final
 * message. Returns false if the answer broke the protocol (reported).
 */
static bool recv_answer(struct sock *s, uint32_t seq, int cmd,
			struct answer *a, reply_fn fn, void *arg,
			bool one_datagram)
{
	struct sockaddr_nl peer;
	unsigned char *buf;
	struct nlmsghdr *nlh;
	int n, rem;

	while (!a->final) {
		buf = NULL;
		n = nl_recv(s->sk, &peer, &buf, NULL);
		if (n == -NLE_AGAIN) {
			a->timeout = true;
			free(buf);
			return false;
		}
		if (n <= 0) {
			fail("receive: %s", n ? nl_geterror(n) : "end of file");
			free(buf);
			return false;
		}
		nlh = (struct nlmsghdr *)buf;
		rem = n;
		for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
			if (a->final) {
				fail("seq %u: message type %u after the final answer",
				     seq, nlh->nlmsg_type);
				free(buf);
				return false;
			}
			if (nlh->nlmsg_seq != seq) {
				fail("seq %u: got a message of seq %u (type %u)",
				     seq, nlh->nlmsg_seq, nlh->nlmsg_type);
				free(buf);
				return false;
			}
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				a->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = nlmsg_data(nlh);
				size_t off = sizeof(*e);

				if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
					fail("seq %u: short NLMSG_ERROR", seq);
					free(buf);
					return false;
				}
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				a->err = e->error;
				a->final = true;
				nl_extack_msg(nlh, off, a->msg, sizeof(a->msg));
				if (a->err > 0) {
					fail("seq %u: positive error %d", seq, a->err);
					free(buf);
					return false;
				}
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				int status = 0;

				if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(status)) {
					fail("seq %u: short NLMSG_DONE", seq);
					free(buf);
					return false;
				}
				memcpy(&status, nlmsg_data(nlh), sizeof(status));
				a->err = status;
				a->final = true;
				a->is_done = true;
				nl_extack_msg(nlh, sizeof(status), a->msg,
					      sizeof(a->msg));
			} else if (nlh->nlmsg_type == family) {
				struct genlmsghdr *g = nlmsg_data(nlh);

				if (!genlmsg_valid_hdr(nlh, 0)) {
					fail("seq %u: reply without a genl header", seq);
					free(buf);
					return false;
				}
				if (cmd >= 0 && g->cmd != cmd) {
					fail("seq %u: reply of command %u to command %d",
					     seq, g->cmd, cmd);
				}
				a->replies++;
				if (fn)
					fn(nlh, arg);
			} else {
				fail("seq %u: unexpected message type %u",
				     seq, nlh->nlmsg_type);
				free(buf);
				return false;
			}
		}
		free(buf);
		if (rem) {
			fail("seq %u: %d bytes of a broken message in the datagram",
			     seq, rem);
			return false;
		}
		if (one_datagram)
			break;
	}
	return true;
}

/* Nothing may be left on the socket once the final answer was read. */
static void check_quiet(struct sock *s, uint32_t seq)
{
	char c;
	ssize_t n;

	n = recv(nl_socket_get_fd(s->sk), &c, 1, MSG_DONTWAIT | MSG_PEEK);
	if (n >= 0)
		fail("seq %u: a message follows the final answer", seq);
}

static int send_msg(struct sock *s, struct nl_msg *msg)
{
	int err = nl_send(s->sk, msg);

	if (err < 0)
		fail("send: %s", nl_geterror(err));
	return err;
}

/* One request; returns false if no proper answer came (reported). */
static bool exchange(struct sock *s, struct nl_msg *msg, int cmd,
		     struct answer *a, reply_fn fn, void *arg)
{
	uint32_t seq = nlmsg_hdr(msg)->nlmsg_seq;

	memset(a, 0, sizeof(*a));
	if (send_msg(s, msg) < 0)
		return false;
	if (!recv_answer(s, seq, cmd, a, fn, arg, false)) {
		if (a->timeout)
			fail("seq %u: no answer within %d ms", seq, opt.timeout_ms);
		return false;
	}
	check_quiet(s, seq);
	return true;
}

static struct nl_msg *new_msg(struct sock *s, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(128 * 1024);

	if (!msg) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_FAILED);
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, ++s->seq, family, 0,
			 NLM_F_REQUEST | NLM_F_ACK | flags, cmd,
			 TLSDEV_FAMILY_VERSION)) {
		fprintf(stderr, "genlmsg_put failed\n");
		exit(EXIT_FAILED);
	}
	return msg;
}

/* ------------------------------------------------------------------ */
/* replies: parsing and checks */

/* The attributes after the genl header; false if malformed. */
static bool reply_attrs(const struct nlmsghdr *nlh, struct nlattr **tb, int max)
{
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0), rem;
	struct nlattr *nla;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	nla_for_each_attr(nla, head, len, rem) {
		int t = nla_type(nla);

		if (t > 0 && t <= max)
			tb[t] = nla;
	}
	return rem == 0;
}

static bool nest_attrs(struct nlattr *nest, struct nlattr **tb, int max)
{
	struct nlattr *nla;
	int rem;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	nla_for_each_nested(nla, nest, rem) {
		int t = nla_type(nla);

		if (t > 0 && t <= max)
			tb[t] = nla;
	}
	return rem == 0;
}

struct devlist {
	struct dev d[MAX_DEVS];
	int n;
	bool unordered;
	bool dup;
	bool bad;
	bool fault_clear;	/* every device's rules are none, counters 0 */
};

static void dev_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[TLSDEV_A_MAX + 1], *ft[TLSDEV_A_FAULT_MAX + 1];
	struct devlist *l = arg;
	uint32_t ifindex;
	int i, t;

	if (!reply_attrs(nlh, tb, TLSDEV_A_MAX) || !tb[TLSDEV_A_IFINDEX] ||
	    !tb[TLSDEV_A_IFNAME] || !tb[TLSDEV_A_FAULT] ||
	    !tb[TLSDEV_A_LOWER_IFINDEX] || !tb[TLSDEV_A_BACKEND] ||
	    !nest_attrs(tb[TLSDEV_A_FAULT], ft, TLSDEV_A_FAULT_MAX)) {
		l->bad = true;
		return;
	}
	for (t = TLSDEV_A_FAULT_TX_ACTION; t <= TLSDEV_A_FAULT_MAX; t++) {
		if (!ft[t]) {
			l->bad = true;
			return;
		}
		/* the counts of events seen may be anything */
		if (t == TLSDEV_A_FAULT_TX_COUNT || t == TLSDEV_A_FAULT_RX_COUNT ||
		    t == TLSDEV_A_FAULT_RX_ASYNC_COUNT)
			continue;
		if (nla_get_u32(ft[t]))
			l->fault_clear = false;
	}
	ifindex = nla_get_u32(tb[TLSDEV_A_IFINDEX]);
	for (i = 0; i < l->n; i++)
		if (l->d[i].ifindex == ifindex)
			l->dup = true;
	if (l->n && ifindex <= l->d[l->n - 1].ifindex)
		l->unordered = true;
	if (l->n < MAX_DEVS) {
		l->d[l->n].ifindex = ifindex;
		nla_strlcpy(l->d[l->n].name, tb[TLSDEV_A_IFNAME], IFNAMSIZ);
		l->n++;
	}
}

#define MAX_CONNS 8192

struct conn_key {
	uint32_t ifindex;
	uint32_t dir;
	uint16_t family;
	uint16_t sport, dport;
	unsigned char saddr[16], daddr[16];
};

struct connlist {
	struct conn_key *k;
	unsigned long n;
	bool dup;
	bool bad;
	const char *why;
};

static void conn_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[TLSDEV_A_MAX + 1], *ct[TLSDEV_A_CONN_MAX + 1];
	struct connlist *l = arg;
	struct conn_key k = { 0 };
	int sa, da, alen;
	unsigned long i;

	if (!reply_attrs(nlh, tb, TLSDEV_A_MAX) || !tb[TLSDEV_A_IFINDEX] ||
	    !tb[TLSDEV_A_IFNAME] || !tb[TLSDEV_A_CONN] ||
	    !nest_attrs(tb[TLSDEV_A_CONN], ct, TLSDEV_A_CONN_MAX)) {
		l->bad = true;
		l->why = "malformed message";
		return;
	}
	if (!ct[TLSDEV_A_CONN_DIR] || !ct[TLSDEV_A_CONN_FAMILY] ||
	    !ct[TLSDEV_A_CONN_SPORT] || !ct[TLSDEV_A_CONN_DPORT] ||
	    !ct[TLSDEV_A_CONN_CIPHER] || !ct[TLSDEV_A_CONN_TCP_SEQ] ||
	    !ct[TLSDEV_A_CONN_REC_SEQ]) {
		l->bad = true;
		l->why = "a connection attribute is missing";
		return;
	}
	k.ifindex = nla_get_u32(tb[TLSDEV_A_IFINDEX]);
	k.dir = nla_get_u32(ct[TLSDEV_A_CONN_DIR]);
	k.family = nla_get_u16(ct[TLSDEV_A_CONN_FAMILY]);
	k.sport = nla_get_u16(ct[TLSDEV_A_CONN_SPORT]);
	k.dport = nla_get_u16(ct[TLSDEV_A_CONN_DPORT]);
	if (k.family == AF_INET) {
		sa = TLSDEV_A_CONN_SADDR_IPV4;
		da = TLSDEV_A_CONN_DADDR_IPV4;
		alen = 4;
	} else if (k.family == AF_INET6) {
		sa = TLSDEV_A_CONN_SADDR_IPV6;
		da = TLSDEV_A_CONN_DADDR_IPV6;
		alen = 16;
	} else {
		l->bad = true;
		l->why = "unknown address family";
		return;
	}
	if (!ct[sa] || !ct[da] || nla_len(ct[sa]) != alen || nla_len(ct[da]) != alen) {
		l->bad = true;
		l->why = "addresses missing";
		return;
	}
	memcpy(k.saddr, nla_data(ct[sa]), alen);
	memcpy(k.daddr, nla_data(ct[da]), alen);
	for (i = 0; i < l->n; i++)
		if (!memcmp(&l->k[i], &k, sizeof(k)))
			l->dup = true;
	if (l->n < MAX_CONNS)
		l->k[l->n++] = k;
}

static void connlist_init(struct connlist *l)
{
	memset(l, 0, sizeof(*l));
	l->k = calloc(MAX_CONNS, sizeof(*l->k));
	if (!l->k) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_FAILED);
	}
}

/* ------------------------------------------------------------------ */
/* a model of the family's strict policies (kmod/netlink.c) */

enum pol {
	P_NONE,		/* no policy: NLA_UNSPEC, refused in strict mode */
	P_U32,
	P_U32_MIN1,	/* NLA_POLICY_MIN(NLA_U32, 1) */
	P_ACTION,	/* NLA_POLICY_MAX(NLA_U32, __TLSDEV_FAULT_ACT_MAX - 1) */
	P_ADD_FAIL,	/* NLA_U32 at most INT_MAX */
	P_IFNAME,	/* NLA_NUL_STRING, .len IFNAMSIZ - 1 */
	P_FAULT,	/* NLA_POLICY_NESTED(fault policy) */
	P_REJECT,	/* NLA_REJECT */
};

static const enum pol dev_pol[TLSDEV_A_IFNAME + 1] = {
	[TLSDEV_A_IFINDEX] = P_U32_MIN1,
	[TLSDEV_A_IFNAME] = P_IFNAME,
};

static const enum pol fault_set_pol[TLSDEV_A_FAULT + 1] = {
	[TLSDEV_A_IFINDEX] = P_U32_MIN1,
	[TLSDEV_A_IFNAME] = P_IFNAME,
	[TLSDEV_A_FAULT] = P_FAULT,
};

static const enum pol fault_pol[TLSDEV_A_FAULT_MAX + 1] = {
	[TLSDEV_A_FAULT_TX_ACTION] = P_ACTION,
	[TLSDEV_A_FAULT_TX_NTH] = P_U32_MIN1,
	[TLSDEV_A_FAULT_TX_EVERY] = P_U32,
	[TLSDEV_A_FAULT_TX_COUNT] = P_REJECT,
	[TLSDEV_A_FAULT_ADD_FAIL] = P_ADD_FAIL,
	[TLSDEV_A_FAULT_CTX_LIMIT] = P_U32,
	[TLSDEV_A_FAULT_RX_ACTION] = P_ACTION,
	[TLSDEV_A_FAULT_RX_NTH] = P_U32_MIN1,
	[TLSDEV_A_FAULT_RX_EVERY] = P_U32,
	[TLSDEV_A_FAULT_RX_COUNT] = P_REJECT,
	[TLSDEV_A_FAULT_RX_ASYNC_ACTION] = P_ACTION,
	[TLSDEV_A_FAULT_RX_ASYNC_NTH] = P_U32_MIN1,
	[TLSDEV_A_FAULT_RX_ASYNC_EVERY] = P_U32,
	[TLSDEV_A_FAULT_RX_ASYNC_COUNT] = P_REJECT,
};

/* NULL if the attributes at @p pass the policy, else why not */
static const char *model_parse(const unsigned char *p, int len,
			       const enum pol *pol, int maxtype)
{
	const struct nlattr *nla = (const struct nlattr *)p;
	int rem = len;

	while (rem >= (int)sizeof(*nla) && nla->nla_len >= sizeof(*nla) &&
	       nla->nla_len <= rem) {
		int type = nla->nla_type & NLA_TYPE_MASK;
		int alen = nla->nla_len - NLA_HDRLEN;
		const unsigned char *d = p + (len - rem) + NLA_HDRLEN;
		bool nested = nla->nla_type & NLA_F_NESTED;
		const char *why;
		uint32_t v = 0;
		int minlen;

		if (type == 0 || type > maxtype)
			return "unknown attribute type";
		switch (pol[type]) {
		case P_NONE:
			return "attribute without policy";
		case P_REJECT:
			return "rejected attribute";
		case P_U32:
		case P_U32_MIN1:
		case P_ACTION:
		case P_ADD_FAIL:
			if (alen != 4)
				return "u32 of the wrong length";
			if (nested)
				return "NLA_F_NESTED on a u32";
			memcpy(&v, d, 4);
			if (pol[type] == P_U32_MIN1 && v < 1)
				return "u32 below its minimum";
			if (pol[type] == P_ACTION && v >= __TLSDEV_FAULT_ACT_MAX)
				return "action out of range";
			if (pol[type] == P_ADD_FAIL && v > INT_MAX)
				return "add-fail over INT_MAX";
			break;
		case P_IFNAME:
			if (nested)
				return "NLA_F_NESTED on a string";
			minlen = alen < IFNAMSIZ ? alen : IFNAMSIZ;
			if (!minlen || !memchr(d, 0, minlen))
				return "string without NUL";
			if (alen - (d[alen - 1] == 0) > IFNAMSIZ - 1)
				return "string too long";
			break;
		case P_FAULT:
			if (!nested)
				return "nest without NLA_F_NESTED";
			if (alen == 0)
				break;
			if (alen < NLA_HDRLEN)
				return "nest shorter than an attribute";
			why = model_parse(d, alen, fault_pol, TLSDEV_A_FAULT_MAX);
			if (why)
				return why;
			break;
		}
		rem -= NLA_ALIGN(nla->nla_len);
		nla = (const struct nlattr *)(p + (len - rem));
	}
	if (rem > 0)
		return "bytes left over";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the fuzz phase: generating requests */

struct gen {
	int cmd;
	bool dump;
	bool must_fail;		/* the policy or the core refuses it */
	bool must_ok;		/* a valid request */
	bool core_error;	/* refused before the family: maybe no message */
	bool no_request;	/* without NLM_F_REQUEST: ACKed, not processed */
	const char *why;
};

static void violation(struct gen *g, const char *why)
{
	g->must_fail = true;
	if (!g->why)
		g->why = why;
}

static uint32_t pick_ifindex(void)
{
	switch (rnd(8)) {
	case 0:
		return 0;
	case 1:
		return lo_ifindex;
	case 2:
		return 1000000 + rnd(1000);
	case 3:
		return (uint32_t)rnd64();
	default:
		return devs[rnd(ndevs)].ifindex;
	}
}

/* an IFNAME payload into @buf (room 64); its length */
static int pick_ifname(unsigned char *buf)
{
	int n, i;

	switch (rnd(9)) {
	case 0:
		return 0;			/* empty */
	case 1:
		buf[0] = 0;
		return 1;			/* "" */
	case 2:
		n = 1 + rnd(20);		/* no NUL */
		for (i = 0; i < n; i++)
			buf[i] = 'a' + rnd(26);
		return n;
	case 3:
		n = 15 + rnd(3);		/* 15, 16, 17 characters */
		for (i = 0; i < n; i++)
			buf[i] = 'a' + rnd(26);
		buf[n] = 0;
		return n + 1;
	case 4:
		strcpy((char *)buf, "lo");
		return 3;
	case 5:
		n = snprintf((char *)buf, 64, "%s", devs[rnd(ndevs)].name);
		buf[n + 1] = 'x';		/* NUL, then garbage */
		return n + 2 + rnd(30);
	case 6:
		return snprintf((char *)buf, 64, "nosuch%u", rnd(100)) + 1;
	default:
		return snprintf((char *)buf, 64, "%s", devs[rnd(ndevs)].name) + 1;
	}
}

static void put(struct nl_msg *msg, int type, int len, const void *data)
{
	if (nla_put(msg, type, len, data) < 0) {
		fprintf(stderr, "nla_put of %d bytes failed\n", len);
		exit(EXIT_FAILED);
	}
}

static void put_u32(struct nl_msg *msg, int type, uint32_t v)
{
	put(msg, type, 4, &v);
}

/* A random u32 attribute payload of a random wrong length */
static void put_wrong_len(struct nl_msg *msg, int type)
{
	static const int lens[] = { 0, 1, 2, 3, 5, 6, 7, 8, 12, 16, 33, 64 };
	unsigned char b[64];
	int len = lens[rnd(sizeof(lens) / sizeof(lens[0]))];

	rnd_bytes(b, sizeof(b));
	put(msg, type, len, b);
}

static uint32_t pick_action(void)
{
	return chance(85) ? rnd(__TLSDEV_FAULT_ACT_MAX) :
			    __TLSDEV_FAULT_ACT_MAX + rnd(300);
}

static uint32_t pick_u32(void)
{
	switch (rnd(6)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return INT_MAX;
	case 3:
		return (uint32_t)INT_MAX + 1;
	case 4:
		return UINT32_MAX;
	default:
		return rnd(1000);
	}
}

static void put_garbage_attrs(struct nl_msg *msg, int depth);

/* A nest of @type (flags included) whose content is built by @fill */
static void put_nest(struct nl_msg *msg, int type,
		     void (*fill)(struct nl_msg *, int), int depth)
{
	struct nl_msg *inner = nlmsg_alloc_size(96 * 1024);
	struct nlmsghdr *h;

	if (!inner || !nlmsg_put(inner, 0, 0, 0, 0, 0)) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_FAILED);
	}
	fill(inner, depth);
	h = nlmsg_hdr(inner);
	put(msg, type, nlmsg_datalen(h), nlmsg_data(h));
	nlmsg_free(inner);
}

static void put_garbage_attrs(struct nl_msg *msg, int depth)
{
	unsigned char b[256];
	int n = rnd(5), i, type;

	for (i = 0; i < n; i++) {
		type = rnd(4) ? 1 + (int)rnd(20) : (int)rnd(0x4000);
		if (chance(30))
			type |= NLA_F_NESTED;
		if (chance(10))
			type |= NLA_F_NET_BYTEORDER;
		if (depth < 4 && chance(30)) {
			put_nest(msg, type | NLA_F_NESTED, put_garbage_attrs,
				 depth + 1);
			continue;
		}
		rnd_bytes(b, sizeof(b));
		put(msg, type, rnd(40), b);
	}
	if (chance(10)) {
		rnd_bytes(b, 8);
		nlmsg_append(msg, b, 1 + rnd(7), 0);	/* a broken tail */
	}
}

/* the content of a TLSDEV_A_FAULT nest, valid or not */
static void put_fault_attrs(struct nl_msg *msg, int depth)
{
	int n = rnd(6), i, t, flags;

	for (i = 0; i < n; i++) {
		flags = chance(5) ? NLA_F_NESTED : 0;
		if (chance(5))
			flags |= NLA_F_NET_BYTEORDER;
		t = 1 + rnd(TLSDEV_A_FAULT_MAX);
		switch (rnd(12)) {
		case 0:
			put_wrong_len(msg, t | flags);
			break;
		case 1:
			/* unknown inner type */
			put_u32(msg, (chance(50) ? 0 : TLSDEV_A_FAULT_MAX + 1 +
				      rnd(100)) | flags, 1);
			break;
		case 2:
			if (depth < 4)
				put_nest(msg, t | NLA_F_NESTED, put_garbage_attrs,
					 depth + 1);
			break;
		default:
			if (fault_pol[t] == P_ACTION)
				put_u32(msg, t | flags, pick_action());
			else if (fault_pol[t] == P_U32_MIN1)
				put_u32(msg, t | flags, chance(80) ? 1 + rnd(50) : 0);
			else
				put_u32(msg, t | flags, pick_u32());
		}
	}
}

/* A semantically valid fault-set nest: one rule, or add-fail/ctx-limit */
static void put_fault_valid(struct nl_msg *msg, int depth)
{
	static const uint32_t tx[] = { 1, 2, 3, 4 }, rx[] = { 1, 3, 5, 6 },
			      as[] = { 1, 3 };
	(void)depth;

	switch (rnd(6)) {
	case 0:
		put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, tx[rnd(4)]);
		put_u32(msg, TLSDEV_A_FAULT_TX_NTH, 1000 + rnd(1000));
		put_u32(msg, TLSDEV_A_FAULT_TX_EVERY, rnd(3));
		break;
	case 1:
		put_u32(msg, TLSDEV_A_FAULT_RX_ACTION, rx[rnd(4)]);
		put_u32(msg, TLSDEV_A_FAULT_RX_NTH, 1000 + rnd(1000));
		break;
	case 2:
		put_u32(msg, TLSDEV_A_FAULT_RX_ASYNC_ACTION, as[rnd(2)]);
		put_u32(msg, TLSDEV_A_FAULT_RX_ASYNC_NTH, 1 + rnd(5));
		break;
	case 3:
		put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, 0);
		put_u32(msg, TLSDEV_A_FAULT_RX_ACTION, 0);
		put_u32(msg, TLSDEV_A_FAULT_RX_ASYNC_ACTION, 0);
		break;
	case 4:
		put_u32(msg, TLSDEV_A_FAULT_ADD_FAIL, 0);
		break;
	default:
		put_u32(msg, TLSDEV_A_FAULT_CTX_LIMIT, 0);
		break;
	}
}

/* random top-level attributes for @cmd */
static void put_random_attrs(struct nl_msg *msg, struct gen *g)
{
	unsigned char b[64], *huge;
	int n = rnd(5), i, t, len;

	for (i = 0; i < n; i++) {
		int flags = chance(4) ? NLA_F_NET_BYTEORDER : 0;

		switch (rnd(10)) {
		case 0:
		case 1:
			put_u32(msg, TLSDEV_A_IFINDEX | flags, pick_ifindex());
			break;
		case 2:
		case 3:
			len = pick_ifname(b);
			put(msg, TLSDEV_A_IFNAME | flags, len, b);
			break;
		case 4:
			put_wrong_len(msg, (chance(50) ? TLSDEV_A_IFINDEX :
					    1 + rnd(TLSDEV_A_MAX)) | flags);
			break;
		case 5:
			/* unknown or reply-only attribute numbers */
			t = chance(20) ? 0 : chance(50) ? 3 + (int)rnd(TLSDEV_A_MAX) :
			    (int)rnd(0x4000);
			if (chance(30))
				t |= NLA_F_NESTED;
			rnd_bytes(b, sizeof(b));
			put(msg, t, rnd(16), b);
			break;
		case 6:
			/* huge, up to the 16-bit attribute length */
			len = chance(50) ? 1000 + rnd(4000) : 60000 + rnd(5500);
			huge = malloc(len);
			if (!huge)
				exit(EXIT_FAILED);
			rnd_bytes(huge, len);
			t = chance(70) ? 1 + (int)rnd(TLSDEV_A_MAX) : (int)rnd(0x4000);
			if (chance(30))
				t |= NLA_F_NESTED;
			put(msg, t, len, huge);
			free(huge);
			break;
		case 7:
			put_nest(msg, TLSDEV_A_FAULT |
				 (chance(90) ? NLA_F_NESTED : 0) | flags,
				 put_fault_attrs, 0);
			break;
		case 8:
			put_nest(msg, (chance(70) ? 1 + (int)rnd(TLSDEV_A_MAX) :
				       (int)rnd(0x4000)) | NLA_F_NESTED,
				 put_garbage_attrs, 0);
			break;
		default:
			/* zero-length attribute */
			put(msg, 1 + rnd(TLSDEV_A_MAX + 2), 0, NULL);
			break;
		}
	}
	if (chance(5)) {
		rnd_bytes(b, 8);
		nlmsg_append(msg, b, 1 + rnd(7), 0);	/* a broken tail */
	}
	(void)g;
}

/* valid attributes for @cmd: a device, or none for a dump */
static void put_valid_attrs(struct nl_msg *msg, struct gen *g)
{
	const struct dev *d = &devs[rnd(ndevs)];

	if (g->cmd == TLSDEV_CMD_DEV_GET && g->dump)
		return;
	if (g->cmd == TLSDEV_CMD_CONN_GET && chance(50))
		return;
	if (chance(50))
		put_u32(msg, TLSDEV_A_IFINDEX, d->ifindex);
	else
		put(msg, TLSDEV_A_IFNAME, strlen(d->name) + 1, d->name);
	if (g->cmd == TLSDEV_CMD_FAULT_SET)
		put_nest(msg, TLSDEV_A_FAULT | NLA_F_NESTED, put_fault_valid, 0);
}

static const int known_flags[] = {
	NLM_F_ECHO, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_MULTI,
	NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED, NLM_F_NONREC, NLM_F_CAPPED,
	0x1000, 0x4000, 0x8000,
};

static struct nl_msg *gen_request(struct sock *s, struct gen *g)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;
	struct nl_msg *msg;
	const char *why;
	bool clean = chance(20), short_hdr = chance(2);
	int flags = NLM_F_REQUEST | NLM_F_ACK, extra = 0, i;
	unsigned char b[4];

	memset(g, 0, sizeof(*g));
	g->cmd = chance(92) ? 1 + (int)rnd(TLSDEV_CMD_MAX) :
		 chance(30) ? 0 : TLSDEV_CMD_MAX + 1 + (int)rnd(250);
	switch (g->cmd) {
	case TLSDEV_CMD_DEV_GET:
		g->dump = chance(40);
		break;
	case TLSDEV_CMD_CONN_GET:
		g->dump = chance(90);
		break;
	default:
		g->dump = chance(15);
	}
	if (g->dump)
		flags |= NLM_F_DUMP;
	if (!clean && chance(15)) {
		extra = known_flags[rnd(sizeof(known_flags) / sizeof(known_flags[0]))];
		if (chance(30))
			extra |= 1 << rnd(16);
		flags |= extra;
	}
	if (!clean && chance(3)) {
		flags &= ~NLM_F_REQUEST;
		g->no_request = true;
	}
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		g->dump = true;

	msg = nlmsg_alloc_size(128 * 1024);
	if (!msg)
		exit(EXIT_FAILED);
	if (!clean && short_hdr) {
		/* a generic netlink header cut short */
		if (!nlmsg_put(msg, NL_AUTO_PORT, ++s->seq, family, 0, flags))
			exit(EXIT_FAILED);
		b[0] = g->cmd;
		b[1] = 1;
		b[2] = b[3] = 0;
		nlmsg_append(msg, b, rnd(GENL_HDRLEN), 0);
		violation(g, "short genl header");
		g->core_error = true;
		return msg;
	}
	gh = genlmsg_put(msg, NL_AUTO_PORT, ++s->seq, family, 0, flags, g->cmd,
			 chance(90) ? TLSDEV_FAMILY_VERSION : rnd(256));
	if (!gh)
		exit(EXIT_FAILED);
	if (!clean && chance(4)) {
		gh = nlmsg_data(nlmsg_hdr(msg));
		gh->reserved = 1 + rnd(0xfffe);
		violation(g, "reserved field set");
		g->core_error = true;
	}
	if (clean)
		put_valid_attrs(msg, g);
	else
		put_random_attrs(msg, g);

	/* what the core refuses before the family sees the request */
	i = flags;
	if ((i & NLM_F_DUMP) == NLM_F_DUMP)
		i &= ~NLM_F_DUMP;
	if (i & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)) {
		violation(g, "reserved netlink flags");
		g->core_error = true;
	}
	if (g->cmd < 1 || g->cmd > TLSDEV_CMD_MAX) {
		violation(g, "unknown command");
		g->core_error = true;
	} else if (g->dump && (g->cmd == TLSDEV_CMD_STATS_GET ||
			       g->cmd == TLSDEV_CMD_FAULT_SET)) {
		violation(g, "dump of a do-only command");
		g->core_error = true;
	} else if (!g->dump && g->cmd == TLSDEV_CMD_CONN_GET) {
		violation(g, "do of a dump-only command");
		g->core_error = true;
	} else {
		nlh = nlmsg_hdr(msg);
		why = model_parse((const unsigned char *)genlmsg_attrdata(nlmsg_data(nlh), 0),
				  genlmsg_attrlen(nlmsg_data(nlh), 0),
				  g->cmd == TLSDEV_CMD_FAULT_SET ? fault_set_pol : dev_pol,
				  g->cmd == TLSDEV_CMD_FAULT_SET ? TLSDEV_A_FAULT :
								   TLSDEV_A_IFNAME);
		if (why)
			violation(g, why);
	}
	if (clean && !g->must_fail)
		g->must_ok = true;
	return msg;
}

static void dump_hex(const struct nl_msg *msg)
{
	const unsigned char *p = (const unsigned char *)nlmsg_hdr((struct nl_msg *)msg);
	uint32_t len = nlmsg_hdr((struct nl_msg *)msg)->nlmsg_len, i;

	printf("  request (%u bytes):", len);
	for (i = 0; i < len && i < 160; i++)
		printf("%s%02x", i % 32 ? "" : "\n    ", p[i]);
	printf("%s\n", len > 160 ? " ..." : "");
}

struct errstat {
	int err;
	unsigned long n;
};

static void count_err(struct errstat *st, int *nst, int err)
{
	int i;

	for (i = 0; i < *nst; i++)
		if (st[i].err == err) {
			st[i].n++;
			return;
		}
	if (*nst < 32) {
		st[*nst].err = err;
		st[(*nst)++].n = 1;
	}
}

static void phase_fuzz(void)
{
	unsigned long i, refused = 0, accepted = 0, valid = 0;
	struct errstat st[32];
	struct answer a;
	struct sock s;
	struct gen g;
	struct nl_msg *msg;
	unsigned long before;
	int nst = 0, k;

	if (sock_open(&s)) {
		fail("socket");
		return;
	}
	for (i = 0; i < opt.iterations; i++) {
		before = failures;
		msg = gen_request(&s, &g);
		if (!exchange(&s, msg, g.cmd, &a, NULL, NULL)) {
			printf("  (request %lu: cmd %d%s)\n", i, g.cmd,
			       g.dump ? " dump" : "");
			dump_hex(msg);
			nlmsg_free(msg);
			/* a broken exchange leaves the socket unusable */
			sock_close(&s);
			if (sock_open(&s))
				break;
			continue;
		}
		count_err(st, &nst, a.err);
		if (g.no_request) {
			if (a.err || a.replies || a.is_done)
				fail("a message without NLM_F_REQUEST was processed (err %d, %u replies)",
				     a.err, a.replies);
		} else if (g.must_fail && !a.err) {
			fail("request %lu (cmd %d%s) accepted although %s (%u replies)",
			     i, g.cmd, g.dump ? " dump" : "", g.why, a.replies);
		} else if (g.must_ok && a.err) {
			fail("valid request %lu (cmd %d%s) refused: %s (%s)", i,
			     g.cmd, g.dump ? " dump" : "", strerror(-a.err), a.msg);
		} else if (g.must_ok && g.cmd != TLSDEV_CMD_FAULT_SET &&
			   g.cmd != TLSDEV_CMD_CONN_GET && !a.replies) {
			fail("valid request %lu (cmd %d) got no reply", i, g.cmd);
		} else if (a.err && !g.core_error && a.err != -EPERM &&
			   a.err != -EOPNOTSUPP && !a.msg[0]) {
			fail("request %lu (cmd %d%s): %s without an extack message",
			     i, g.cmd, g.dump ? " dump" : "", strerror(-a.err));
		}
		if (failures != before)
			dump_hex(msg);
		else if (opt.verbose)
			printf("  %lu: cmd %d%s: %d %s%s%s\n", i, g.cmd,
			       g.dump ? " dump" : "", a.err, a.msg,
			       g.why ? " / model: " : "", g.why ? g.why : "");
		refused += !!a.err;
		accepted += !a.err;
		valid += g.must_ok;
		nlmsg_free(msg);
	}
	sock_close(&s);
	note("fuzz: %lu requests, %lu refused, %lu accepted (%lu built valid)",
	     opt.iterations, refused, accepted, valid);
	printf("fuzz: answers:");
	for (k = 0; k < nst; k++)
		printf(" %s %lu;", st[k].err ? strerror(-st[k].err) : "ok", st[k].n);
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* dumps and the family's state */

/* A whole dump of @cmd, each reply to @fn; false (said) if it failed. */
static bool dump_all(struct sock *s, int cmd, const char *what, reply_fn fn,
		     void *arg)
{
	struct nl_msg *msg = new_msg(s, cmd, NLM_F_DUMP);
	struct answer a;
	bool ok;

	ok = exchange(s, msg, cmd, &a, fn, arg);
	nlmsg_free(msg);
	if (!ok)
		return false;
	if (a.err || !a.is_done) {
		fail("%s dump: %s (%s)", what, strerror(-a.err), a.msg);
		return false;
	}
	return true;
}

static bool dump_devs(struct sock *s, struct devlist *l)
{
	memset(l, 0, sizeof(*l));
	l->fault_clear = true;
	if (!dump_all(s, TLSDEV_CMD_DEV_GET, "dev-get", dev_reply, l))
		return false;
	if (l->bad || l->dup || l->unordered) {
		fail("dev-get dump: %s", l->bad ? "malformed message" :
		     l->dup ? "a device twice" : "not in ifindex order");
		return false;
	}
	return true;
}

static bool dump_conns(struct sock *s, struct connlist *l)
{
	if (!dump_all(s, TLSDEV_CMD_CONN_GET, "conn-get", conn_reply, l))
		return false;
	if (l->bad || l->dup) {
		fail("conn-get dump: %s", l->bad ? l->why : "a connection twice");
		return false;
	}
	return true;
}

/* One do request that must succeed with one reply; false if not. */
static bool do_ok(struct sock *s, struct nl_msg *msg, int cmd, const char *what,
		  reply_fn fn, void *arg, unsigned int want_replies)
{
	struct answer a;
	bool ok;

	ok = exchange(s, msg, cmd, &a, fn, arg);
	nlmsg_free(msg);
	if (!ok)
		return false;
	if (a.err || a.replies != want_replies) {
		fail("%s: %s (%s), %u replies", what, strerror(-a.err), a.msg,
		     a.replies);
		return false;
	}
	return true;
}

struct stats {
	unsigned int n;
	bool bad;
};

static void stats_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *head = genlmsg_attrdata(nlmsg_data(nlh), 0);
	int len = genlmsg_attrlen(nlmsg_data(nlh), 0), rem, rem2;
	struct stats *st = arg;
	struct nlattr *nla, *in;

	nla_for_each_attr(nla, head, len, rem) {
		bool name = false, value = false;

		if (nla_type(nla) != TLSDEV_A_STAT)
			continue;
		nla_for_each_nested(in, nla, rem2) {
			if (nla_type(in) == TLSDEV_A_STAT_NAME && nla_len(in) > 1)
				name = true;
			if (nla_type(in) == TLSDEV_A_STAT_VALUE && nla_len(in) == 8)
				value = true;
		}
		if (!name || !value || rem2)
			st->bad = true;
		st->n++;
	}
	if (rem)
		st->bad = true;
}

/* The family answers correctly; @label names the moment. */
static void check_family(const char *label, bool compare)
{
	struct devlist l, one;
	struct connlist cl;
	struct stats st;
	struct nl_msg *msg;
	struct nlattr *nest;
	struct sock s;
	unsigned long before = failures;
	int i, j;

	if (sock_open(&s)) {
		fail("%s: socket", label);
		return;
	}
	if (!dump_devs(&s, &l))
		goto out;
	if (compare) {
		bool same = l.n == ndevs;

		for (i = 0; same && i < ndevs; i++)
			same = l.d[i].ifindex == devs[i].ifindex &&
			       !strcmp(l.d[i].name, devs[i].name);
		if (!same)
			fail("%s: dev-get lists %d devices, %d at the start",
			     label, l.n, ndevs);
	}
	for (i = 0; i < l.n; i++) {
		for (j = 0; j < 2; j++) {
			memset(&one, 0, sizeof(one));
			one.fault_clear = true;
			msg = new_msg(&s, TLSDEV_CMD_DEV_GET, 0);
			if (j)
				nla_put_string(msg, TLSDEV_A_IFNAME, l.d[i].name);
			else
				nla_put_u32(msg, TLSDEV_A_IFINDEX, l.d[i].ifindex);
			if (!do_ok(&s, msg, TLSDEV_CMD_DEV_GET, "dev-get", dev_reply,
				   &one, 1))
				goto out;
			if (one.bad || one.n != 1 || one.d[0].ifindex != l.d[i].ifindex)
				fail("%s: dev-get of %s: wrong reply", label, l.d[i].name);
		}
		memset(&st, 0, sizeof(st));
		msg = new_msg(&s, TLSDEV_CMD_STATS_GET, 0);
		nla_put_u32(msg, TLSDEV_A_IFINDEX, l.d[i].ifindex);
		if (!do_ok(&s, msg, TLSDEV_CMD_STATS_GET, "stats-get", stats_reply,
			   &st, 1))
			goto out;
		if (st.bad || st.n < 10)
			fail("%s: stats-get of %s: %u counters%s", label,
			     l.d[i].name, st.n, st.bad ? ", malformed" : "");

		/* every rule off, no add-fail, no limit */
		msg = new_msg(&s, TLSDEV_CMD_FAULT_SET, 0);
		nla_put_string(msg, TLSDEV_A_IFNAME, l.d[i].name);
		nest = nla_nest_start(msg, TLSDEV_A_FAULT);
		nest->nla_type |= NLA_F_NESTED;
		nla_put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, 0);
		nla_put_u32(msg, TLSDEV_A_FAULT_RX_ACTION, 0);
		nla_put_u32(msg, TLSDEV_A_FAULT_RX_ASYNC_ACTION, 0);
		nla_put_u32(msg, TLSDEV_A_FAULT_ADD_FAIL, 0);
		nla_put_u32(msg, TLSDEV_A_FAULT_CTX_LIMIT, 0);
		nla_nest_end(msg, nest);
		if (!do_ok(&s, msg, TLSDEV_CMD_FAULT_SET, "fault-set clear", NULL,
			   NULL, 0))
			goto out;
	}
	if (!dump_devs(&s, &l))
		goto out;
	if (!l.fault_clear)
		fail("%s: a fault setting is left after clearing them all", label);

	connlist_init(&cl);
	if (dump_conns(&s, &cl) && compare && cl.n != base_conns)
		fail("%s: conn-get lists %lu connections, %lu at the start",
		     label, cl.n, base_conns);
	free(cl.k);
out:
	sock_close(&s);
	note("check after %s: %s (%d devices)", label,
	     failures == before ? "the family answers correctly" : "FAILED", l.n);
}

/* ------------------------------------------------------------------ */
/* interrupted dumps */

/*
 * A dump request: conn-get of every device or of one (then *@filtered:
 * the device may be gone by then, ENODEV), or dev-get.
 */
static struct nl_msg *dump_request(struct sock *s, int *cmd, bool *filtered)
{
	struct nl_msg *msg;
	const struct dev *d;

	*cmd = chance(75) ? TLSDEV_CMD_CONN_GET : TLSDEV_CMD_DEV_GET;
	*filtered = false;
	msg = new_msg(s, *cmd, NLM_F_DUMP);
	if (*cmd == TLSDEV_CMD_CONN_GET && ndevs && chance(30)) {
		d = &devs[rnd(ndevs)];
		nla_put_u32(msg, TLSDEV_A_IFINDEX, d->ifindex);
		*filtered = true;
	}
	return msg;
}

/* The end of a dump: status 0, or ENODEV for a device since deleted. */
static bool dump_end_ok(const struct answer *a, bool filtered)
{
	return a->is_done && (!a->err || (filtered && a->err == -ENODEV));
}

static void phase_close(void)
{
	unsigned long i, read1 = 0, multi = 0;
	struct answer a;
	struct sock s;
	struct nl_msg *msg;
	bool filtered;
	int cmd;

	for (i = 0; i < opt.closes; i++) {
		if (sock_open(&s)) {
			fail("socket");
			return;
		}
		msg = dump_request(&s, &cmd, &filtered);
		memset(&a, 0, sizeof(a));
		if (send_msg(&s, msg) >= 0 && chance(80)) {
			/* the first datagram of the answer, then close */
			if (!recv_answer(&s, nlmsg_hdr(msg)->nlmsg_seq, cmd, &a,
					 NULL, NULL, true)) {
				if (a.timeout)
					fail("dump of command %d: no answer within %d ms",
					     cmd, opt.timeout_ms);
			} else if (a.final && !dump_end_ok(&a, filtered)) {
				fail("dump of command %d: %s (%s)", cmd,
				     strerror(-a.err), a.msg);
			} else {
				read1++;
				multi += !a.final;
			}
		}
		nlmsg_free(msg);
		sock_close(&s);
	}
	note("close: %lu dumps closed early (%lu after their first datagram, %lu of them unfinished)",
	     opt.closes, read1, multi);
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void phase_stall(void)
{
	unsigned long r, done = 0, abandoned = 0, intr = 0, conns = 0, devn = 0;
	struct sock s[STALL_SOCKS];
	struct nl_msg *msg[STALL_SOCKS];
	struct answer a[STALL_SOCKS];
	struct connlist cl[STALL_SOCKS];
	struct devlist dl[STALL_SOCKS];
	int cmd[STALL_SOCKS], i;
	bool filtered[STALL_SOCKS];

	for (r = 0; r < opt.stalls; r++) {
		for (i = 0; i < STALL_SOCKS; i++) {
			if (sock_open(&s[i])) {
				fail("socket");
				exit(EXIT_FAILED);
			}
			msg[i] = dump_request(&s[i], &cmd[i], &filtered[i]);
			memset(&a[i], 0, sizeof(a[i]));
			connlist_init(&cl[i]);
			memset(&dl[i], 0, sizeof(dl[i]));
			send_msg(&s[i], msg[i]);
		}
		msleep(50 + rnd(150));
		for (i = 0; i < STALL_SOCKS; i++) {
			uint32_t seq = nlmsg_hdr(msg[i])->nlmsg_seq;
			reply_fn fn = cmd[i] == TLSDEV_CMD_CONN_GET ? conn_reply :
								   dev_reply;
			void *arg = cmd[i] == TLSDEV_CMD_CONN_GET ? (void *)&cl[i] :
								   (void *)&dl[i];

			/* half of them: one datagram, then stall again */
			if (i % 2 == 0 &&
			    !recv_answer(&s[i], seq, cmd[i], &a[i], fn, arg, true) &&
			    a[i].timeout)
				fail("stalled dump: no answer within %d ms",
				     opt.timeout_ms);
		}
		msleep(50 + rnd(150));
		for (i = 0; i < STALL_SOCKS; i++) {
			uint32_t seq = nlmsg_hdr(msg[i])->nlmsg_seq;
			reply_fn fn = cmd[i] == TLSDEV_CMD_CONN_GET ? conn_reply :
								   dev_reply;
			void *arg = cmd[i] == TLSDEV_CMD_CONN_GET ? (void *)&cl[i] :
								   (void *)&dl[i];

			if (i % 4 == 3) {
				abandoned++;	/* never read to the end */
				goto next;
			}
			if (!a[i].final &&
			    !recv_answer(&s[i], seq, cmd[i], &a[i], fn, arg, false)) {
				if (a[i].timeout)
					fail("stalled dump: no answer within %d ms",
					     opt.timeout_ms);
				goto next;
			}
			check_quiet(&s[i], seq);
			if (!dump_end_ok(&a[i], filtered[i]))
				fail("stalled dump of command %d ended with %s (%s)",
				     cmd[i], strerror(-a[i].err), a[i].msg);
			if (cl[i].bad || cl[i].dup)
				fail("stalled conn-get dump: %s",
				     cl[i].bad ? cl[i].why : "a connection twice");
			if (dl[i].bad || dl[i].dup || dl[i].unordered)
				fail("stalled dev-get dump: %s",
				     dl[i].bad ? "malformed" : dl[i].dup ?
				     "a device twice" : "not in ifindex order");
			done++;
			intr += a[i].intr;
			conns += cl[i].n;
			devn += dl[i].n;
next:
			free(cl[i].k);
			nlmsg_free(msg[i]);
			sock_close(&s[i]);
		}
	}
	note("stall: %lu dumps read to the end after stalls (%lu with NLM_F_DUMP_INTR; %lu connections, %lu devices listed), %lu abandoned",
	     done, intr, conns, devn, abandoned);
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: nlfuzz [OPTIONS]\n"
"\n"
"Hostile requests to the tls_dev generic netlink family of tlsdev.ko, in\n"
"the caller's network namespace, which must hold at least one tlsdev\n"
"device. Needs CAP_NET_ADMIN (fault-set). Sets fault injection at random\n"
"while it runs and clears every rule at the end.\n"
"\n"
"Options:\n"
"  --seed N          random seed (default 1); the same seed sends the same\n"
"                    requests\n"
"  --iterations N    fuzz requests (default %lu)\n"
"  --closes N        dumps closed early (default %lu)\n"
"  --stalls N        rounds of %d stalled dumps (default %lu)\n"
"  --timeout MS      longest wait for an answer (default %d)\n"
"  --phase LIST      comma-separated: fuzz, close, stall, check (default:\n"
"                    all four); check also runs after each other phase\n"
"  --no-compare      do not require the devices and connection count seen\n"
"                    at the start (use when they change meanwhile)\n"
"  -v, --verbose     print every fuzz request's answer\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 every check passed, 1 a check failed, 2 usage error,\n"
"4 cannot run (no tls_dev family, no tlsdev device in the netns).\n",
		(unsigned long)DEF_ITERATIONS, (unsigned long)DEF_CLOSES,
		STALL_SOCKS, (unsigned long)DEF_STALLS, DEF_TIMEOUT_MS);
}

static bool parse_ul(const char *s, unsigned long *v, unsigned long max)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return false;
	*v = strtoul(s, &end, 0);
	return !errno && !*end && *v <= max;
}

static int parse_phases(char *s)
{
	char *tok, *save = NULL;
	unsigned int ph = 0;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "fuzz"))
			ph |= PH_FUZZ;
		else if (!strcmp(tok, "close"))
			ph |= PH_CLOSE;
		else if (!strcmp(tok, "stall"))
			ph |= PH_STALL;
		else if (!strcmp(tok, "check"))
			ph |= PH_CHECK;
		else
			return -1;
	}
	return ph ? (int)ph : -1;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "closes", required_argument, NULL, 'c' },
		{ "stalls", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "phase", required_argument, NULL, 'p' },
		{ "no-compare", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct nl_sock *sk;
	struct devlist l;
	struct connlist cl;
	struct sock s;
	unsigned long v;
	int c, ph;

	while ((c = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_ul(optarg, &v, ULONG_MAX))
				goto bad;
			opt.seed = v;
			break;
		case 'i':
			if (!parse_ul(optarg, &opt.iterations, 100000000))
				goto bad;
			break;
		case 'c':
			if (!parse_ul(optarg, &opt.closes, 100000000))
				goto bad;
			break;
		case 'S':
			if (!parse_ul(optarg, &opt.stalls, 1000000))
				goto bad;
			break;
		case 't':
			if (!parse_ul(optarg, &v, 3600000) || !v)
				goto bad;
			opt.timeout_ms = (int)v;
			break;
		case 'p':
			ph = parse_phases(optarg);
			if (ph < 0)
				goto bad;
			opt.phases = ph;
			break;
		case 'n':
			opt.compare = false;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_PASS;
		default:
			fprintf(stderr, "Try 'nlfuzz --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "nlfuzz: unexpected argument '%s'; try 'nlfuzz --help'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	rng = opt.seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!rng)
		rng = 1;

	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk) < 0) {
		fprintf(stderr, "nlfuzz: cannot open a generic netlink socket\n");
		return EXIT_CANNOT;
	}
	family = genl_ctrl_resolve(sk, TLSDEV_FAMILY_NAME);
	nl_socket_free(sk);
	if (family < 0) {
		fprintf(stderr, "nlfuzz: no generic netlink family %s\n",
			TLSDEV_FAMILY_NAME);
		return EXIT_CANNOT;
	}
	lo_ifindex = if_nametoindex("lo");

	/* the starting point */
	if (sock_open(&s)) {
		fprintf(stderr, "nlfuzz: socket\n");
		return EXIT_CANNOT;
	}
	if (!dump_devs(&s, &l)) {
		sock_close(&s);
		return EXIT_FAILED;
	}
	memcpy(devs, l.d, sizeof(devs));
	ndevs = l.n;
	if (!ndevs) {
		fprintf(stderr, "nlfuzz: no tlsdev device in this netns\n");
		sock_close(&s);
		return EXIT_CANNOT;
	}
	connlist_init(&cl);
	if (!dump_conns(&s, &cl)) {
		sock_close(&s);
		return EXIT_FAILED;
	}
	base_conns = cl.n;
	free(cl.k);
	sock_close(&s);
	note("seed %" PRIu64 ": family %d, %d tlsdev devices, %lu connections",
	     opt.seed, family, ndevs, base_conns);

	if (opt.phases & PH_FUZZ) {
		phase_fuzz();
		check_family("fuzz", opt.compare);
	}
	if (opt.phases & PH_CLOSE) {
		phase_close();
		check_family("close", opt.compare);
	}
	if (opt.phases & PH_STALL) {
		phase_stall();
		check_family("stall", false);
	}
	if (opt.phases == PH_CHECK)
		check_family("nothing", opt.compare);
	if (failures)
		note("%lu failures", failures);
	return failures ? EXIT_FAILED : EXIT_PASS;

bad:
	fprintf(stderr, "nlfuzz: bad option value '%s'; try 'nlfuzz --help'\n",
		optarg);
	return EXIT_USAGE;
}
