// SPDX-License-Identifier: GPL-2.0
/*
 * failnth: fail the kernel's allocations one at a time, in the order a
 * request makes them, and check that every failure is handled.
 *
 * The mechanism is syzkaller's: writing N to /proc/thread-self/fail-nth
 * makes the Nth allocation this thread makes next (slab, or pages of
 * order >= 1) fail; reading it back afterwards gives 0 if that happened,
 * the allocations still to go if the request made fewer than N. It needs
 * CONFIG_FAULT_INJECTION with FAILSLAB/FAIL_PAGE_ALLOC, and the callers
 * (failnth.sh) set their ignore-gfp-wait to N so that sleeping
 * allocations count too.
 *
 * For N = 1, 2, ... until the request no longer reaches the Nth
 * allocation, each mode does one request with the Nth allocation failing
 * and checks its outcome:
 *
 *   tx       a fresh TCP connection from $TX_NS (tls0) to a server in
 *            $RX_NS; the client's setsockopt(TCP_ULP) and
 *            setsockopt(SOL_TLS, TLS_TX) under the fault. Either succeeds
 *            (offloaded, or in software if the device could not take the
 *            connection) or fails with ENOMEM/ENOBUFS, and then works
 *            when tried again without the fault; then a few records go
 *            through and the server checks every byte.
 *   rx       the same with the server's TLS_RX (tls1 in $RX_NS).
 *   netlink  each request of the tls_dev generic netlink family (dev-get
 *            do and dump, conn-get dumps, stats-get, fault-set and its
 *            clearing) on a fresh socket: the answer is the request's
 *            success or an error (ENOMEM/ENOBUFS), never silence, and the
 *            same request succeeds right after.
 *   link     RTM_NEWLINK of a tlsdev (fnlink0) on --lower in $TX_NS:
 *            created, or refused with ENOMEM/ENOBUFS leaving no device;
 *            each created one is deleted again.
 *
 * The outcomes are printed as runs ("nth 1-3: ULP ENOMEM"). Exit status:
 * 0 all handled, 1 a failure, 2 usage, 4 no fail-nth in this kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/tls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "tlsdev.h"
#include "tlsdev_genl.h"
#include "extack.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RC_OK		0
#define RC_FAIL		1
#define RC_USAGE	2
#define RC_SKIP		4

#define IO_TIMEOUT_S	10
#define MAX_BYTES	(64 * 1024)
#define LINK_NAME	"fnlink0"

struct opts {
	const char *mode;
	const char *tx_ns;
	const char *rx_ns;
	const char *dev;
	const char *lower;
	const char *addr;
	unsigned int port;
	unsigned int first;
	unsigned int max;
	size_t bytes;
	bool verbose;
};

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	failures++;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: failnth [options] tx|rx|netlink|link\n"
"\n"
"Fails the Nth kernel allocation of a request (/proc/thread-self/fail-nth)\n"
"for N = 1, 2, ... until the request makes fewer than N, and checks that\n"
"each failure is handled: the request succeeds or fails with ENOMEM or\n"
"ENOBUFS, works again without the fault, and data or replies are intact.\n"
"\n"
"  tx       client TCP_ULP + TLS_TX in $TX_NS (through tls0)\n"
"  rx       server TCP_ULP + TLS_RX in $RX_NS (through tls1)\n"
"  netlink  every tls_dev generic netlink request, in $TX_NS\n"
"  link     RTM_NEWLINK of tlsdev " LINK_NAME " on --lower, in $TX_NS\n"
"\n"
"Options:\n"
"  --tx-ns NAME    client namespace (default $TX_NS; a name or a path)\n"
"  --rx-ns NAME    server namespace (default $RX_NS)\n"
"  --addr IPV4     server address (default 198.18.0.2)\n"
"  --port N        server port (default 4500)\n"
"  --dev NAME      netlink: the tlsdev to ask about (default tls0)\n"
"  --lower NAME    link: the lower device (default fnveth0)\n"
"  --bytes N       bytes sent per connection (default 4096, max %d)\n"
"  --first N       start at allocation N (to look at one; default 1)\n"
"  --max N         give up after N allocations (default 2000)\n"
"  -v, --verbose   one line per N\n"
"  -h, --help      this help\n"
"\n"
"Exit status: 0 every failure handled, 1 not, 2 usage, 4 the kernel has no\n"
"fail-nth (CONFIG_FAULT_INJECTION).\n", MAX_BYTES);
}

/* --- fail-nth ----------------------------------------------------------- */

static int nth_fd = -1;

static void nth_write(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		fprintf(stderr, "failnth: fail-nth: %s\n", strerror(errno));
		exit(RC_FAIL);
	}
}

/* Allocations that were still to go: 0 once the fault was injected. */
static unsigned int nth_left(void)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		fprintf(stderr, "failnth: fail-nth: %s\n",
			n < 0 ? strerror(errno) : "empty");
		exit(RC_FAIL);
	}
	return strtoul(buf, NULL, 10);
}

/* --- outcomes, printed as runs of equal ones ---------------------------- */

static char run_what[64];
static unsigned int run_first, run_last;

static void run_flush(const char *mode)
{
	if (!run_first)
		return;
	if (run_first == run_last)
		printf("%s: nth %u: %s\n", mode, run_first, run_what);
	else
		printf("%s: nth %u-%u: %s\n", mode, run_first, run_last, run_what);
	run_first = 0;
}

static void outcome(const char *mode, unsigned int n, const char *what,
		    bool verbose)
{
	if (verbose)
		printf("%s: nth %u: %s\n", mode, n, what);
	if (run_first && !strcmp(what, run_what)) {
		run_last = n;
		return;
	}
	if (!verbose)
		run_flush(mode);
	snprintf(run_what, sizeof(run_what), "%s", what);
	run_first = run_last = n;
}

static bool clean_errno(int e)
{
	return e == ENOMEM || e == ENOBUFS;
}

/* --- namespaces and counters -------------------------------------------- */

static int ns_open(const char *name)
{
	char path[256];
	int fd;

	if (!name || !name[0]) {
		fprintf(stderr, "failnth: no namespace given (--tx-ns/--rx-ns or $TX_NS/$RX_NS)\n");
		exit(RC_USAGE);
	}
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "failnth: %s: %s\n", path, strerror(errno));
		exit(RC_FAIL);
	}
	return fd;
}

static void ns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "failnth: setns: %s\n", strerror(errno));
		exit(RC_FAIL);
	}
}

/* /proc/net/tls_stat of the current netns, kept open (it stays that one). */
static int tls_stat_open(void)
{
	int fd = open("/proc/thread-self/net/tls_stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "failnth: /proc/net/tls_stat: %s\n", strerror(errno));
		exit(RC_FAIL);
	}
	return fd;
}

static long long tls_stat(int fd, const char *name)
{
	char buf[4096], *p;
	size_t len = strlen(name);
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && (p[len] == ' ' || p[len] == '\t'))
			return strtoll(p + len, NULL, 10);
	return -1;
}

/* --- TCP and kTLS ------------------------------------------------------- */

static struct tls12_crypto_info_aes_gcm_128 crypto;

static void crypto_setup(void)
{
	unsigned int i;

	crypto.info.version = TLS_1_2_VERSION;
	crypto.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	for (i = 0; i < sizeof(crypto.key); i++)
		crypto.key[i] = 0x40 + i;
	memcpy(crypto.salt, "\xfa\x11\x07\x01", 4);
	memcpy(crypto.iv, "\0\0\0\0\0\0\0\1", 8);
}

static int ulp_set(int fd)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls"));
}

static int keys_set(int fd, int dir)
{
	return setsockopt(fd, SOL_TLS, dir, &crypto, sizeof(crypto));
}

static void sock_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct tcp_ctx {
	int tx_ns, rx_ns;
	int tx_stat, rx_stat;	/* tls_stat of each netns */
	int listener;		/* in rx_ns */
	struct sockaddr_in sa;
};

static void tcp_setup(const struct opts *o, struct tcp_ctx *t)
{
	int one = 1;

	t->tx_ns = ns_open(o->tx_ns);
	t->rx_ns = ns_open(o->rx_ns);
	ns_enter(t->tx_ns);
	t->tx_stat = tls_stat_open();
	ns_enter(t->rx_ns);
	t->rx_stat = tls_stat_open();

	memset(&t->sa, 0, sizeof(t->sa));
	t->sa.sin_family = AF_INET;
	t->sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, o->addr, &t->sa.sin_addr) != 1) {
		fprintf(stderr, "failnth: --addr: not an IPv4 address: %s\n", o->addr);
		exit(RC_USAGE);
	}
	t->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->listener < 0 ||
	    setsockopt(t->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(t->listener, (struct sockaddr *)&t->sa, sizeof(t->sa)) ||
	    listen(t->listener, 8)) {
		fprintf(stderr, "failnth: listen on %s:%u: %s\n", o->addr,
			o->port, strerror(errno));
		exit(RC_FAIL);
	}
	sock_timeouts(t->listener);
	ns_enter(t->tx_ns);
}

/* A connection from tx_ns to the listener: *c the client, *s the server. */
static int tcp_connect(struct tcp_ctx *t, int *c, int *s)
{
	*c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*c < 0)
		return -1;
	sock_timeouts(*c);
	if (connect(*c, (struct sockaddr *)&t->sa, sizeof(t->sa))) {
		close(*c);
		return -1;
	}
	*s = accept4(t->listener, NULL, NULL, SOCK_CLOEXEC);
	if (*s < 0) {
		close(*c);
		return -1;
	}
	sock_timeouts(*s);
	return 0;
}

static uint8_t pattern(unsigned int n, size_t i)
{
	return (uint8_t)(i * 131 + n * 7 + (i >> 8));
}

/* Send @len bytes from @c, receive them at @s and compare. */
static int data_check(int c, int s, unsigned int n, size_t len, char *why,
		      size_t why_len)
{
	static uint8_t out[MAX_BYTES], in[MAX_BYTES];
	size_t i, done;
	ssize_t r;

	for (i = 0; i < len; i++)
		out[i] = pattern(n, i);
	for (done = 0; done < len; done += r) {
		r = send(c, out + done, len - done, MSG_NOSIGNAL);
		if (r <= 0) {
			snprintf(why, why_len, "send: %s", r ? strerror(errno) : "0");
			return -1;
		}
	}
	for (done = 0; done < len; done += r) {
		r = recv(s, in + done, len - done, 0);
		if (r <= 0) {
			snprintf(why, why_len, "recv after %zu bytes: %s", done,
				 r ? strerror(errno) : "EOF");
			return -1;
		}
	}
	for (i = 0; i < len; i++)
		if (in[i] != out[i]) {
			snprintf(why, why_len, "byte %zu differs", i);
			return -1;
		}
	return 0;
}

/*
 * tx/rx: one connection whose key installation on one end runs with the
 * Nth allocation failing. Returns the allocations left (0: injected).
 */
static unsigned int ktls_one(const struct opts *o, struct tcp_ctx *t,
			     unsigned int n, bool rx)
{
	const char *dir_name = rx ? "TLS_RX" : "TLS_TX";
	int stat_fd = rx ? t->rx_stat : t->tx_stat;
	const char *dev_stat = rx ? "TlsRxDevice" : "TlsTxDevice";
	const char *sw_stat = rx ? "TlsRxSw" : "TlsTxSw";
	int c, s, fd, peer, dir, peer_dir, err_ulp = 0, err_key = 0;
	long long dev0, sw0, ddev, dsw;
	char what[64], why[128];
	unsigned int left;

	if (tcp_connect(t, &c, &s)) {
		fail("nth %u: connect: %s", n, strerror(errno));
		return 0;
	}
	fd = rx ? s : c;		/* the end under the fault */
	peer = rx ? c : s;
	dir = rx ? TLS_RX : TLS_TX;
	peer_dir = rx ? TLS_TX : TLS_RX;
	if (ulp_set(peer) || keys_set(peer, peer_dir)) {
		fail("nth %u: peer's kTLS: %s", n, strerror(errno));
		goto out;
	}
	dev0 = tls_stat(stat_fd, dev_stat);
	sw0 = tls_stat(stat_fd, sw_stat);

	nth_write(n);
	if (ulp_set(fd))
		err_ulp = errno;
	else if (keys_set(fd, dir))
		err_key = errno;
	left = nth_left();
	nth_write(0);

	if (left && (err_ulp || err_key)) {
		fail("nth %u: %s failed without an injected fault: %s", n,
		     err_ulp ? "TCP_ULP" : dir_name,
		     strerror(err_ulp ?: err_key));
		goto out;
	}
	if ((err_ulp && !clean_errno(err_ulp)) ||
	    (err_key && !clean_errno(err_key)))
		fail("nth %u: %s failed with %s, not ENOMEM or ENOBUFS", n,
		     err_ulp ? "TCP_ULP" : dir_name,
		     strerror(err_ulp ?: err_key));
	/* a refused request leaves the socket as it was: try again */
	if (err_ulp && ulp_set(fd)) {
		fail("nth %u: TCP_ULP again, without the fault: %s", n,
		     strerror(errno));
		goto out;
	}
	if ((err_ulp || err_key) && keys_set(fd, dir)) {
		fail("nth %u: %s again, without the fault: %s", n, dir_name,
		     strerror(errno));
		goto out;
	}

	ddev = tls_stat(stat_fd, dev_stat) - dev0;
	dsw = tls_stat(stat_fd, sw_stat) - sw0;
	if (ddev + dsw != 1 || ddev < 0 || dsw < 0) {
		fail("nth %u: %s +%lld, %s +%lld: expected one of them +1", n,
		     dev_stat, ddev, sw_stat, dsw);
		goto out;
	}
	if (err_ulp)
		snprintf(what, sizeof(what), "TCP_ULP %s, then %s",
			 strerrorname_np(err_ulp), ddev ? "hw" : "sw");
	else if (err_key)
		snprintf(what, sizeof(what), "%s %s, then %s", dir_name,
			 strerrorname_np(err_key), ddev ? "hw" : "sw");
	else
		snprintf(what, sizeof(what), "%s%s", ddev ? "hw" : "sw",
			 left ? " (not reached)" : "");
	outcome(o->mode, n, what, o->verbose);

	if (data_check(c, s, n, o->bytes, why, sizeof(why)))
		fail("nth %u (%s): %zu bytes: %s", n, what, o->bytes, why);
	if (left && !ddev)
		fail("nth %u: without a fault, %s is not offloaded", n, dir_name);
	close(c);
	close(s);
	return left;
out:
	close(c);
	close(s);
	return 0;
}

static int run_ktls(const struct opts *o, bool rx)
{
	struct tcp_ctx t;
	unsigned int n;

	crypto_setup();
	tcp_setup(o, &t);
	for (n = o->first; n <= o->max; n++) {
		if (ktls_one(o, &t, n, rx))
			break;
		if (failures > 10)
			break;
	}
	run_flush(o->mode);
	if (n > o->max)
		fail("still reaching allocation %u: raise --max", o->max);
	else
		printf("%s: %u allocation(s) failed in turn, allocation %u was not reached\n",
		       o->mode, n - o->first, n);
	return failures ? RC_FAIL : RC_OK;
}

/* --- netlink ------------------------------------------------------------ */

struct nl_res {
	bool done;
	int err;		/* the kernel's answer: 0 or -errno */
	int local;		/* a libnl error of the exchange itself */
	unsigned int msgs;	/* replies before the end */
	char msg[128];		/* the extack message with the error, if any */
};

static int nl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);
	struct nl_res *r = arg;

	(void)nla;
	r->err = e->error;
	r->done = true;
	/* NETLINK_CAP_ACK: the TLVs follow the error, not the request */
	nl_extack_msg(nlh, sizeof(*e), r->msg, sizeof(r->msg));
	return NL_STOP;
}

static int nl_on_ack(struct nl_msg *msg, void *arg)
{
	struct nl_res *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

static int nl_on_finish(struct nl_msg *msg, void *arg)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_res *r = arg;
	int status;

	r->done = true;
	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(status)) {
		memcpy(&status, nlmsg_data(nlh), sizeof(status));
		r->err = status < 0 ? status : 0;
	}
	return NL_STOP;
}

static int nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct nl_res *r = arg;

	(void)msg;
	r->msgs++;
	return NL_OK;
}

/* Send @msg (freed) and read until its ACK, error or end of dump. */
static void nl_exchange(struct nl_sock *sk, struct nl_msg *msg,
			struct nl_res *r)
{
	struct nl_cb *cb;
	int err;

	memset(r, 0, sizeof(*r));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		r->local = -NLE_NOMEM;
		nlmsg_free(msg);
		return;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, nl_on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_on_finish, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_on_valid, r);

	err = nl_send_auto(sk, msg);
	if (err < 0)
		r->local = err;
	while (!r->local && !r->done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !r->done)
			r->local = err;
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
}

static struct nl_sock *nl_open(int protocol, int *family)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, fd;

	if (!sk)
		return NULL;
	if ((protocol == NETLINK_GENERIC ? genl_connect(sk) :
	     nl_connect(sk, protocol)) < 0)
		goto err;
	fd = nl_socket_get_fd(sk);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (family) {
		*family = genl_ctrl_resolve(sk, TLSDEV_FAMILY_NAME);
		if (*family < 0)
			goto err;
	}
	return sk;
err:
	nl_socket_free(sk);
	return NULL;
}

enum nl_req_id {
	REQ_DEV_GET, REQ_DEV_DUMP, REQ_CONN_DUMP, REQ_CONN_DEV, REQ_STATS,
	REQ_FAULT_SET, REQ_FAULT_CLEAR, NR_REQS
};

static const char *const nl_req_names[NR_REQS] = {
	[REQ_DEV_GET]	= "dev-get",
	[REQ_DEV_DUMP]	= "dev-get dump",
	[REQ_CONN_DUMP]	= "conn-get dump",
	[REQ_CONN_DEV]	= "conn-get dump of one device",
	[REQ_STATS]	= "stats-get",
	[REQ_FAULT_SET]	= "fault-set tx drop",
	[REQ_FAULT_CLEAR] = "fault-set tx none",
};

static struct nl_msg *nl_req_build(enum nl_req_id id, int family,
				   const char *dev)
{
	static const uint8_t cmds[NR_REQS] = {
		[REQ_DEV_GET] = TLSDEV_CMD_DEV_GET,
		[REQ_DEV_DUMP] = TLSDEV_CMD_DEV_GET,
		[REQ_CONN_DUMP] = TLSDEV_CMD_CONN_GET,
		[REQ_CONN_DEV] = TLSDEV_CMD_CONN_GET,
		[REQ_STATS] = TLSDEV_CMD_STATS_GET,
		[REQ_FAULT_SET] = TLSDEV_CMD_FAULT_SET,
		[REQ_FAULT_CLEAR] = TLSDEV_CMD_FAULT_SET,
	};
	bool dump = id == REQ_DEV_DUMP || id == REQ_CONN_DUMP ||
		    id == REQ_CONN_DEV;
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : 0, cmds[id], TLSDEV_FAMILY_VERSION))
		goto err;
	if (id != REQ_DEV_DUMP && id != REQ_CONN_DUMP &&
	    nla_put_string(msg, TLSDEV_A_IFNAME, dev) < 0)
		goto err;
	if (id == REQ_FAULT_SET || id == REQ_FAULT_CLEAR) {
		nest = nla_nest_start(msg, TLSDEV_A_FAULT);
		if (!nest)
			goto err;
		if (id == REQ_FAULT_SET ?
		    nla_put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, TLSDEV_FAULT_ACT_DROP) < 0 ||
		    nla_put_u32(msg, TLSDEV_A_FAULT_TX_NTH, 1000000000) < 0 :
		    nla_put_u32(msg, TLSDEV_A_FAULT_TX_ACTION, TLSDEV_FAULT_ACT_NONE) < 0)
			goto err;
		nla_nest_end(msg, nest);
	}
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

/* The outcome of one exchange as text; false if it was not a clean one. */
static bool nl_outcome(const struct nl_res *r, bool want_reply, char *what,
		       size_t len)
{
	if (r->local == -NLE_NOMEM) {
		/* send or receive: ENOMEM or ENOBUFS from the socket */
		snprintf(what, len, "socket: %s", nl_geterror(r->local));
		return true;
	}
	if (r->local) {
		snprintf(what, len, "socket: %s", nl_geterror(r->local));
		return false;
	}
	if (r->err) {
		/* room for the callers' suffixes in a what[96] */
		snprintf(what, len, "%s%s%.48s%s", strerrorname_np(-r->err) ?: "?",
			 r->msg[0] ? " (" : "", r->msg, r->msg[0] ? ")" : "");
		return clean_errno(-r->err);
	}
	if (want_reply && !r->msgs) {
		snprintf(what, len, "ok but no reply message");
		return false;
	}
	snprintf(what, len, "ok");
	return true;
}

static unsigned int nl_one(const struct opts *o, enum nl_req_id id,
			   unsigned int n)
{
	bool want_reply = id == REQ_DEV_GET || id == REQ_STATS ||
			  id == REQ_DEV_DUMP || id == REQ_CONN_DUMP ||
			  id == REQ_CONN_DEV;
	struct nl_sock *sk;
	struct nl_msg *msg;
	unsigned int left;
	struct nl_res r;
	char what[96];
	int family;

	sk = nl_open(NETLINK_GENERIC, &family);
	msg = sk ? nl_req_build(id, family, o->dev) : NULL;
	if (!msg) {
		fail("%s nth %u: cannot open the family", nl_req_names[id], n);
		if (sk)
			nl_socket_free(sk);
		return 0;
	}
	nth_write(n);
	nl_exchange(sk, msg, &r);
	left = nth_left();
	nth_write(0);
	nl_socket_free(sk);

	if (!nl_outcome(&r, want_reply, what, sizeof(what)))
		fail("%s nth %u: %s", nl_req_names[id], n, what);
	else if (left && strcmp(what, "ok"))
		fail("%s nth %u: %s without an injected fault", nl_req_names[id],
		     n, what);
	if (left)
		strcat(what, " (not reached)");
	outcome(nl_req_names[id], n, what, o->verbose);

	/* and the family answers the same request right after */
	sk = nl_open(NETLINK_GENERIC, &family);
	msg = sk ? nl_req_build(id, family, o->dev) : NULL;
	if (!msg) {
		fail("%s nth %u: the family is gone", nl_req_names[id], n);
	} else {
		nl_exchange(sk, msg, &r);
		if (r.local || r.err || (want_reply && !r.msgs))
			fail("%s nth %u: the same request without the fault: %s",
			     nl_req_names[id], n,
			     r.local ? nl_geterror(r.local) :
			     r.err ? strerror(-r.err) : "no reply");
	}
	if (sk)
		nl_socket_free(sk);
	return left;
}

static int run_netlink(const struct opts *o)
{
	struct tcp_ctx t;
	int c = -1, s = -1, id;
	unsigned int n;

	/* one offloaded connection, so that conn-get has one to report */
	crypto_setup();
	tcp_setup(o, &t);
	if (tcp_connect(&t, &c, &s) || ulp_set(c) || keys_set(c, TLS_TX) ||
	    ulp_set(s) || keys_set(s, TLS_RX)) {
		fail("an offloaded connection for conn-get: %s", strerror(errno));
		return RC_FAIL;
	}

	for (id = 0; id < NR_REQS; id++) {
		for (n = o->first; n <= o->max && failures <= 10; n++)
			if (nl_one(o, id, n))
				break;
		run_flush(nl_req_names[id]);
		if (n > o->max)
			fail("%s: still reaching allocation %u: raise --max",
			     nl_req_names[id], o->max);
		else if (failures <= 10)
			printf("%s: %u allocation(s) failed in turn, allocation %u was not reached\n",
			       nl_req_names[id], n - o->first, n);
	}
	close(c);
	close(s);
	return failures ? RC_FAIL : RC_OK;
}

/* --- link --------------------------------------------------------------- */

static struct nl_msg *link_add_msg(int lower)
{
	struct rtnl_link *link = rtnl_link_alloc();
	struct nl_msg *msg = NULL;
	struct nlattr *info;

	if (!link)
		return NULL;
	rtnl_link_set_name(link, LINK_NAME);
	rtnl_link_set_link(link, lower);
	if (rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg) < 0)
		goto out;
	info = nla_nest_start(msg, IFLA_LINKINFO);
	if (!info || nla_put_string(msg, IFLA_INFO_KIND, TLSDEV_LINK_KIND) < 0) {
		nlmsg_free(msg);
		msg = NULL;
		goto out;
	}
	nla_nest_end(msg, info);
out:
	rtnl_link_put(link);
	return msg;
}

static struct nl_msg *link_del_msg(void)
{
	struct rtnl_link *link = rtnl_link_alloc();
	struct nl_msg *msg = NULL;

	if (!link)
		return NULL;
	rtnl_link_set_name(link, LINK_NAME);
	if (rtnl_link_build_delete_request(link, &msg) < 0)
		msg = NULL;
	rtnl_link_put(link);
	return msg;
}

/* Send @msg (freed) on a new rtnetlink socket, the Nth allocation failing. */
static bool link_request(struct nl_msg *msg, unsigned int n,
			 unsigned int *left, struct nl_res *r)
{
	struct nl_sock *sk = nl_open(NETLINK_ROUTE, NULL);

	if (!sk || !msg) {
		nlmsg_free(msg);
		if (sk)
			nl_socket_free(sk);
		return false;
	}
	if (n)
		nth_write(n);
	nl_exchange(sk, msg, r);
	if (n) {
		*left = nth_left();
		nth_write(0);
	}
	nl_socket_free(sk);
	return true;
}

static unsigned int link_one(const struct opts *o, int lower, unsigned int n)
{
	unsigned int left = 0;
	struct nl_res r;
	bool ok, exists;
	char what[96];

	if (!link_request(link_add_msg(lower), n, &left, &r)) {
		fail("link add nth %u: no request or no socket", n);
		return 0;
	}
	ok = !r.local && !r.err;
	if (r.err == -EINVAL && !r.msg[0])
		/*
		 * Linux 6.1's netdev_register_kobject() ignores an ENOMEM of
		 * dev_set_name() and device_add() then fails with EINVAL;
		 * failnth.sh checks that a failure was injected there.
		 */
		snprintf(what, sizeof(what), "EINVAL (netdev_register_kobject)");
	else if (!nl_outcome(&r, false, what, sizeof(what)))
		fail("link add nth %u: %s", n, what);
	else if (left && !ok)
		fail("link add nth %u: %s without an injected fault", n, what);
	exists = if_nametoindex(LINK_NAME) != 0;
	if (ok && !exists)
		fail("link add nth %u: success, but no %s", n, LINK_NAME);
	if (ok)
		snprintf(what, sizeof(what), "created");
	else if (exists)	/* the answer was lost, not the device */
		strcat(what, ", yet created");
	if (left)
		strcat(what, " (not reached)");
	outcome("link add", n, what, o->verbose);

	if (exists && (!link_request(link_del_msg(), 0, NULL, &r) ||
		       r.local || r.err))
		fail("link add nth %u: deleting %s: %s", n, LINK_NAME,
		     r.local ? nl_geterror(r.local) :
		     r.err ? strerror(-r.err) : "no request");
	return left;
}

static int run_link(const struct opts *o)
{
	int tx_ns = ns_open(o->tx_ns), lower;
	unsigned int n;

	ns_enter(tx_ns);
	lower = (int)if_nametoindex(o->lower);
	if (!lower) {
		fprintf(stderr, "failnth: %s: no such device\n", o->lower);
		return RC_FAIL;
	}
	for (n = o->first; n <= o->max && failures <= 10; n++)
		if (link_one(o, lower, n))
			break;
	run_flush("link add");
	if (n > o->max)
		fail("link add: still reaching allocation %u: raise --max", o->max);
	else if (failures <= 10)
		printf("link add: %u allocation(s) failed in turn, allocation %u was not reached\n",
		       n - o->first, n);
	return failures ? RC_FAIL : RC_OK;
}

/* --- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "tx-ns", required_argument, NULL, 't' },
		{ "rx-ns", required_argument, NULL, 'r' },
		{ "addr", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, 'd' },
		{ "lower", required_argument, NULL, 'l' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "first", required_argument, NULL, 'f' },
		{ "max", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = {
		.tx_ns = getenv("TX_NS"),
		.rx_ns = getenv("RX_NS"),
		.dev = "tls0",
		.lower = "fnveth0",
		.addr = "198.18.0.2",
		.port = 4500,
		.first = 1,
		.max = 2000,
		.bytes = 4096,
	};
	unsigned long v;
	char *end;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.tx_ns = optarg; break;
		case 'r': o.rx_ns = optarg; break;
		case 'a': o.addr = optarg; break;
		case 'd': o.dev = optarg; break;
		case 'l': o.lower = optarg; break;
		case 'v': o.verbose = true; break;
		case 'h': usage(stdout); return RC_OK;
		case 'p':
		case 'b':
		case 'f':
		case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || !v ||
			    (opt == 'p' && v > 65535) ||
			    (opt == 'b' && v > MAX_BYTES) ||
			    ((opt == 'm' || opt == 'f') && v > 1000000)) {
				fprintf(stderr, "failnth: bad value for --%s: %s\n",
					opt == 'p' ? "port" : opt == 'b' ? "bytes" :
					opt == 'f' ? "first" : "max", optarg);
				return RC_USAGE;
			}
			if (opt == 'p')
				o.port = v;
			else if (opt == 'b')
				o.bytes = v;
			else if (opt == 'f')
				o.first = v;
			else
				o.max = v;
			break;
		default:
			usage(stderr);
			return RC_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return RC_USAGE;
	}
	o.mode = argv[optind];
	if (strcmp(o.mode, "tx") && strcmp(o.mode, "rx") &&
	    strcmp(o.mode, "netlink") && strcmp(o.mode, "link")) {
		fprintf(stderr, "failnth: unknown mode: %s\n", o.mode);
		return RC_USAGE;
	}

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0) {
		printf("failnth: no /proc/thread-self/fail-nth (%s): the kernel has no CONFIG_FAULT_INJECTION\n",
		       strerror(errno));
		return RC_SKIP;
	}
	/* no page faults of ours among the counted allocations */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(o.mode, "tx") || !strcmp(o.mode, "rx"))
		rc = run_ktls(&o, !strcmp(o.mode, "rx"));
	else if (!strcmp(o.mode, "netlink"))
		rc = run_netlink(&o);
	else
		rc = run_link(&o);
	if (failures)
		printf("%s: %d failure(s)\n", o.mode, failures);
	return rc;
}
