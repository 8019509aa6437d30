// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS TX device offload through a tlsdev device.
 *
 * tls_tx.sh builds the topology: namespace $TX_NS holds tls0 (a tlsdev
 * stacked on veth0) with 198.18.0.1/24 and 2001:db8::1/64, namespace
 * $RX_NS a plain veth1 with 198.18.0.2/24 and 2001:db8::2/64. This program
 * holds both ends of each connection: the listener is opened inside
 * $RX_NS, the client connects from $TX_NS. The client's TLS_TX is
 * offloaded to tls0 (TLS_HW, encrypted by the device's engine), the
 * server's TLS_RX is software kTLS, which checks every record's tag; the
 * receiver also checks every byte against the sender's pattern.
 *
 * The keys are fixed test keys (no handshake). The record sequence number
 * starts just below 2^32 so that the first records cross that boundary.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the harness has an unused parameter; -Wextra would break the build */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#define TX_DEV		"tls0"
#define TX_ADDR4	"198.18.0.1"
#define RX_ADDR4	"198.18.0.2"
#define TX_ADDR6	"2001:db8::1"
#define RX_ADDR6	"2001:db8::2"

#define REC_CHANGE_CIPHER_SPEC	20
#define REC_ALERT		21
#define REC_HANDSHAKE		22
#define REC_DATA		23

#define KIB			1024
#define MIB			(1024 * KIB)
#define IO_TIMEOUT_S		10	/* a stalled socket fails, not hangs */
#define CTX_DEL_TIMEOUT_MS	5000	/* tls_dev_del runs from a work item */
#define SWEEP_MAX		20000	/* a write size above one record */
#define SWEEP_STEP		23
#define XFER_CHUNK		(256 * KIB)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* /proc/net/tls_stat counters of $TX_NS, indexed by enum tls_stat */
enum tls_stat { TS_CURR_TX_SW, TS_CURR_TX_DEV, TS_TX_SW, TS_TX_DEV, TS_NUM };
static const char tls_stat_names[TS_NUM][16] = {
	[TS_CURR_TX_SW]	= "TlsCurrTxSw",
	[TS_CURR_TX_DEV] = "TlsCurrTxDevice",
	[TS_TX_SW]	= "TlsTxSw",
	[TS_TX_DEV]	= "TlsTxDevice",
};

/* ethtool -S counters of tls0, indexed by enum dev_stat */
enum dev_stat {
	DS_PKTS, DS_BYTES, DS_CTX, DS_DEL, DS_OOO, DS_FALLBACK,
	DS_DROP_NO_MEM, DS_DROP_ENGINE, DS_NUM
};

static const char dev_stat_names[DS_NUM][ETH_GSTRING_LEN] = {
	[DS_PKTS]	= "tx_tls_encrypted_packets",
	[DS_BYTES]	= "tx_tls_encrypted_bytes",
	[DS_CTX]	= "tx_tls_ctx",
	[DS_DEL]	= "tx_tls_del",
	[DS_OOO]	= "tx_tls_ooo",
	[DS_FALLBACK]	= "tx_tls_fallback_packets",
	[DS_DROP_NO_MEM] = "tx_tls_drop_no_mem",
	[DS_DROP_ENGINE] = "tx_tls_drop_engine",
};

union tls_crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
};

/* A run of @len stream bytes sent as records of type @type. */
struct seg {
	uint8_t type;
	uint32_t len;
};

/*
 * Byte @off of every test stream. Not periodic at any power of two or
 * record size, so a byte that is lost, repeated or moved shows.
 */
static inline uint8_t pattern(uint64_t off)
{
	return (off * 0x9e3779b97f4a7c15ULL) >> 56;
}

static void pattern_fill(uint8_t *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern(off + i);
}

/* Index of the first byte of @buf that is not the pattern, or -1. */
static ssize_t pattern_check(const uint8_t *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern(off + i))
			return i;
	return -1;
}

/* $TX_NS or $RX_NS: a name under /run/netns or a path */
static int ns_open(const char *var, char *path, size_t size)
{
	const char *name = getenv(var);

	if (name && name[0] == '/')
		snprintf(path, size, "%s", name);
	else
		snprintf(path, size, "/run/netns/%s", name ? name : "");
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Run @cmd with sh; its output becomes TAP diagnostics. */
static int run_cmd(const char *cmd)
{
	char line[256];
	FILE *f;
	int st;

	fflush(stdout);
	fflush(stderr);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# %s: %s", cmd, line);
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static socklen_t sockaddr_make(int family, const char *ip,
			       struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1)
			return 0;
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) != 1)
		return 0;
	return sizeof(*sin6);
}

/* Fixed test keys; the same on both ends, distinct per cipher. */
static socklen_t crypto_init(union tls_crypto *c, uint16_t cipher)
{
	/* 2^32 - 3: the fourth record crosses into the upper half */
	static const uint8_t rec_seq[8] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfd };
	static const uint8_t iv[8] = { 0xca, 0xfe, 0xf0, 0x0d, 0, 0, 0, 1 };
	static const uint8_t salt[4] = { 0x5a, 0x17, 0x5a, 0x17 };
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->info.version = TLS_1_2_VERSION;
	c->info.cipher_type = cipher;
	if (cipher == TLS_CIPHER_AES_GCM_128) {
		for (i = 0; i < sizeof(c->gcm128.key); i++)
			c->gcm128.key[i] = 0x10 + i;
		memcpy(c->gcm128.iv, iv, sizeof(iv));
		memcpy(c->gcm128.salt, salt, sizeof(salt));
		memcpy(c->gcm128.rec_seq, rec_seq, sizeof(rec_seq));
		return sizeof(c->gcm128);
	}
	for (i = 0; i < sizeof(c->gcm256.key); i++)
		c->gcm256.key[i] = 0xa0 + i;
	memcpy(c->gcm256.iv, iv, sizeof(iv));
	memcpy(c->gcm256.salt, salt, sizeof(salt));
	memcpy(c->gcm256.rec_seq, rec_seq, sizeof(rec_seq));
	return sizeof(c->gcm256);
}

static void tls_stats_read(struct __test_metadata *_metadata, uint64_t *v)
{
	bool found[TS_NUM] = {};
	unsigned long long val;
	char name[64];
	FILE *f;
	int i;

	/* /proc/net is the netns of the reader: $TX_NS */
	f = fopen("/proc/net/tls_stat", "re");
	ASSERT_NE(NULL, f) TH_LOG("/proc/net/tls_stat: %s", strerror(errno));
	while (fscanf(f, "%63s %llu", name, &val) == 2) {
		for (i = 0; i < TS_NUM; i++) {
			if (!strcmp(name, tls_stat_names[i])) {
				v[i] = val;
				found[i] = true;
			}
		}
	}
	fclose(f);
	for (i = 0; i < TS_NUM; i++)
		ASSERT_TRUE(found[i]) TH_LOG("no %s in /proc/net/tls_stat",
					     tls_stat_names[i]);
}

/* The ethtool -S counters of tls0, through SIOCETHTOOL. */
static void dev_stats_read(struct __test_metadata *_metadata, uint64_t *v)
{
	struct ethtool_drvinfo drv = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *strs;
	struct ethtool_stats *stats;
	struct ifreq ifr = {};
	unsigned int i, j, n;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TX_DEV);
	ifr.ifr_data = (void *)&drv;
	ASSERT_EQ(0, ioctl(fd, SIOCETHTOOL, &ifr))
		TH_LOG("ETHTOOL_GDRVINFO %s: %s", TX_DEV, strerror(errno));
	n = drv.n_stats;

	strs = calloc(1, sizeof(*strs) + n * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + n * sizeof(stats->data[0]));
	ASSERT_TRUE(strs && stats);
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_STATS;
	strs->len = n;
	ifr.ifr_data = (void *)strs;
	ASSERT_EQ(0, ioctl(fd, SIOCETHTOOL, &ifr))
		TH_LOG("ETHTOOL_GSTRINGS %s: %s", TX_DEV, strerror(errno));
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	ifr.ifr_data = (void *)stats;
	ASSERT_EQ(0, ioctl(fd, SIOCETHTOOL, &ifr))
		TH_LOG("ETHTOOL_GSTATS %s: %s", TX_DEV, strerror(errno));
	close(fd);

	for (i = 0; i < DS_NUM; i++) {
		for (j = 0; j < n; j++)
			if (!strncmp((char *)strs->data + j * ETH_GSTRING_LEN,
				     dev_stat_names[i], ETH_GSTRING_LEN))
				break;
		ASSERT_LT(j, n) TH_LOG("%s has no counter %s", TX_DEV,
				       dev_stat_names[i]);
		v[i] = stats->data[j];
	}
	free(strs);
	free(stats);
}

/* TLS_INFO_TXCONF of an INET_DIAG_ULP_INFO attribute, or -1. */
static int diag_ulp_txconf(struct rtattr *ulp)
{
	struct rtattr *a, *b;
	int la, lb;

	la = RTA_PAYLOAD(ulp);
	for (a = RTA_DATA(ulp); RTA_OK(a, la); a = RTA_NEXT(a, la)) {
		if ((a->rta_type & NLA_TYPE_MASK) != INET_ULP_INFO_TLS)
			continue;
		lb = RTA_PAYLOAD(a);
		for (b = RTA_DATA(a); RTA_OK(b, lb); b = RTA_NEXT(b, lb))
			if ((b->rta_type & NLA_TYPE_MASK) == TLS_INFO_TXCONF &&
			    RTA_PAYLOAD(b) >= sizeof(uint16_t))
				return *(uint16_t *)RTA_DATA(b);
	}
	return -1;
}

/*
 * What sock_diag says about the TX of TCP socket @fd (TLS_CONF_HW, ...),
 * or -1 if it reports no TLS ULP info for it.
 */
static int tls_tx_conf(struct __test_metadata *_metadata, int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {};
	static char buf[32 * KIB] __attribute__((aligned(8)));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	bool done = false;
	int nl, conf = -1;
	uint16_t port;

	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&ss, &sl));
	port = ss.ss_family == AF_INET ?
		((struct sockaddr_in *)&ss)->sin_port :
		((struct sockaddr_in6 *)&ss)->sin6_port;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ASSERT_LE(0, nl) TH_LOG("NETLINK_SOCK_DIAG: %s", strerror(errno));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = ss.ss_family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1 << TCP_ESTABLISHED;
	/* the ULP info comes with INET_DIAG_INFO, for CAP_NET_ADMIN */
	req.r.idiag_ext = 1 << (INET_DIAG_INFO - 1);
	ASSERT_EQ((ssize_t)sizeof(req), send(nl, &req, sizeof(req), 0));

	while (!done) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		ssize_t n = recv(nl, buf, sizeof(buf), 0);

		ASSERT_LT(0, n) TH_LOG("sock_diag recv: %s", strerror(errno));
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			struct inet_diag_msg *m = NLMSG_DATA(nlh);
			struct rtattr *a;
			int len;

			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			ASSERT_NE(NLMSG_ERROR, nlh->nlmsg_type)
				TH_LOG("sock_diag: %s (CONFIG_INET_TCP_DIAG?)",
				       strerror(-((struct nlmsgerr *)m)->error));
			if (m->id.idiag_sport != port)
				continue;
			len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			for (a = (struct rtattr *)(m + 1); RTA_OK(a, len);
			     a = RTA_NEXT(a, len))
				if ((a->rta_type & NLA_TYPE_MASK) ==
				    INET_DIAG_ULP_INFO)
					conf = diag_ulp_txconf(a);
		}
	}
	close(nl);
	return conf;
}

static void sock_timeouts(struct __test_metadata *_metadata, int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
}

FIXTURE(tls_tx)
{
	int tx_ns, rx_ns;
	int cfd, sfd;		/* offloaded client in TX_NS, server in RX_NS */
	int cfd2, sfd2;		/* a second connection, for some tests */
	uint64_t ts0[TS_NUM];	/* tls_stat before TLS_TX was set on cfd */
	uint64_t ds0[DS_NUM];	/* tls0 counters before cfd was created */
	bool offload_off;	/* teardown turns tls-hw-tx-offload back on */
};

FIXTURE_VARIANT(tls_tx)
{
	int family;
	const char *rx_addr;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(tls_tx, gcm128_ipv4)
{
	.family = AF_INET,
	.rx_addr = RX_ADDR4,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(tls_tx, gcm128_ipv6)
{
	.family = AF_INET6,
	.rx_addr = RX_ADDR6,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(tls_tx, gcm256_ipv4)
{
	.family = AF_INET,
	.rx_addr = RX_ADDR4,
	.cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_VARIANT_ADD(tls_tx, gcm256_ipv6)
{
	.family = AF_INET6,
	.rx_addr = RX_ADDR6,
	.cipher = TLS_CIPHER_AES_GCM_256,
};

/*
 * A TCP connection from $TX_NS to a listener in $RX_NS, the client with
 * TLS_TX and the server with TLS_RX. If @ts isn't NULL, it gets the
 * tls_stat counters from just before TLS_TX was set.
 */
static void conn_open(struct __test_metadata *_metadata,
		      FIXTURE_DATA(tls_tx) *self,
		      const FIXTURE_VARIANT(tls_tx) *variant,
		      int *cfd, int *sfd, uint64_t *ts)
{
	struct sockaddr_storage addr;
	union tls_crypto crypto;
	socklen_t alen, clen;
	int lfd;

	alen = sockaddr_make(variant->family, variant->rx_addr, &addr);
	ASSERT_NE((socklen_t)0, alen);

	ASSERT_EQ(0, setns(self->rx_ns, CLONE_NEWNET))
		TH_LOG("setns RX_NS: %s", strerror(errno));
	lfd = socket(variant->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lfd) TH_LOG("socket: %s", strerror(errno));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&addr, alen))
		TH_LOG("bind %s in RX_NS: %s", variant->rx_addr,
		       strerror(errno));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&addr, &alen));
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET))
		TH_LOG("setns TX_NS: %s", strerror(errno));

	*cfd = socket(variant->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, *cfd);
	ASSERT_EQ(0, connect(*cfd, (struct sockaddr *)&addr, alen))
		TH_LOG("connect to %s: %s", variant->rx_addr, strerror(errno));
	*sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, *sfd) TH_LOG("accept: %s", strerror(errno));
	close(lfd);
	sock_timeouts(_metadata, *cfd);
	sock_timeouts(_metadata, *sfd);

	ASSERT_EQ(0, setsockopt(*cfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls: %s (CONFIG_TLS?)", strerror(errno));
	ASSERT_EQ(0, setsockopt(*sfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls: %s", strerror(errno));
	if (ts)
		tls_stats_read(_metadata, ts);
	clen = crypto_init(&crypto, variant->cipher);
	ASSERT_EQ(0, setsockopt(*cfd, SOL_TLS, TLS_TX, &crypto, clen))
		TH_LOG("TLS_TX: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(*sfd, SOL_TLS, TLS_RX, &crypto, clen))
		TH_LOG("TLS_RX: %s", strerror(errno));
}

FIXTURE_SETUP(tls_tx)
{
	char path[PATH_MAX];

	self->cfd = self->sfd = self->cfd2 = self->sfd2 = -1;
	self->tx_ns = ns_open("TX_NS", path, sizeof(path));
	ASSERT_LE(0, self->tx_ns) TH_LOG("TX_NS %s: %s", path, strerror(errno));
	self->rx_ns = ns_open("RX_NS", path, sizeof(path));
	ASSERT_LE(0, self->rx_ns) TH_LOG("RX_NS %s: %s", path, strerror(errno));
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET))
		TH_LOG("setns TX_NS: %s", strerror(errno));

	dev_stats_read(_metadata, self->ds0);
	conn_open(_metadata, self, variant, &self->cfd, &self->sfd, self->ts0);
	ASSERT_EQ(TLS_CONF_HW, tls_tx_conf(_metadata, self->cfd))
		TH_LOG("TX of the client is not offloaded to %s", TX_DEV);
}

FIXTURE_TEARDOWN(tls_tx)
{
	int fds[] = { self->cfd, self->sfd, self->cfd2, self->sfd2 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (self->offload_off)
		EXPECT_EQ(0, run_cmd("ethtool -K " TX_DEV " tls-hw-tx-offload on 2>&1"));
	close(self->tx_ns);
	close(self->rx_ns);
}

/*
 * The receiver runs in a child process so that the sender can block. If
 * it fails, it signals the sender, whose blocked send then returns early
 * (no SA_RESTART) and sees rx_failed.
 */
static volatile sig_atomic_t rx_failed;

static void rx_failed_handler(int sig)
{
	(void)sig;
	rx_failed = 1;
}

/* The sender stops as soon as the receiver has failed. */
static void rx_alive(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, rx_failed) TH_LOG("the receiver failed, see above");
}

/*
 * Reads the @n segments from @fd, checking each record type and every
 * byte. Returns the child's exit status.
 */
static int rx_verify(int fd, const struct seg *segs, int n)
{
	static uint8_t buf[XFER_CHUNK];
	char cbuf[CMSG_SPACE(sizeof(uint8_t))];
	uint64_t off = 0, end = 0;
	int i;

	for (i = 0; i < n; i++) {
		end += segs[i].len;
		while (off < end) {
			struct iovec iov = {
				.iov_base = buf,
				.iov_len = end - off < sizeof(buf) ?
					   end - off : sizeof(buf),
			};
			struct msghdr msg = {
				.msg_iov = &iov,
				.msg_iovlen = 1,
				.msg_control = cbuf,
				.msg_controllen = sizeof(cbuf),
			};
			struct cmsghdr *cm;
			int type = -1;
			ssize_t r, bad;

			r = recvmsg(fd, &msg, 0);
			if (r <= 0) {
				fprintf(stderr, "# receiver: recvmsg: %s at byte %" PRIu64 " of %" PRIu64 "%s\n",
					r ? strerror(errno) : "EOF", off, end,
					r && errno == EBADMSG ?
					" (a record failed authentication)" : "");
				return 1;
			}
			cm = CMSG_FIRSTHDR(&msg);
			if (cm && cm->cmsg_level == SOL_TLS &&
			    cm->cmsg_type == TLS_GET_RECORD_TYPE)
				type = *CMSG_DATA(cm);
			if (type != segs[i].type) {
				fprintf(stderr, "# receiver: record type %d at byte %" PRIu64 ", expected %u\n",
					type, off, segs[i].type);
				return 1;
			}
			bad = pattern_check(buf, off, r);
			if (bad >= 0) {
				fprintf(stderr, "# receiver: byte %" PRIu64 " is %#04x, expected %#04x (recvmsg of %zd bytes at %" PRIu64 ")\n",
					off + bad, buf[bad], pattern(off + bad),
					r, off);
				return 1;
			}
			off += r;
		}
	}
	return 0;
}

static pid_t rx_start(struct __test_metadata *_metadata, int fd,
		      const struct seg *segs, int n)
{
	struct sigaction sa = { .sa_handler = rx_failed_handler };
	pid_t pid;
	int ret;

	rx_failed = 0;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (!pid) {
		ret = rx_verify(fd, segs, n);
		if (ret)
			kill(getppid(), SIGUSR1);
		_exit(ret);
	}
	return pid;
}

/* Wait for the receiver; then nothing more may be readable on @fd. */
static void rx_wait(struct __test_metadata *_metadata, pid_t pid, int fd)
{
	int status;
	pid_t r;
	char c;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	ASSERT_EQ(pid, r) TH_LOG("waitpid: %s", strerror(errno));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("receiver failed (status %#x)", status);
	ASSERT_EQ(-1, recv(fd, &c, 1, MSG_DONTWAIT))
		TH_LOG("more bytes arrived than were sent");
	ASSERT_EQ(EAGAIN, errno) TH_LOG("after the data: %s", strerror(errno));
}

static void send_all(struct __test_metadata *_metadata, int fd,
		     const uint8_t *buf, size_t len, int flags)
{
	while (len) {
		ssize_t n;

		rx_alive(_metadata);
		n = send(fd, buf, len, flags);
		rx_alive(_metadata);
		ASSERT_LT(0, n) TH_LOG("send of %zu bytes: %s", len,
				       n ? strerror(errno) : "0");
		buf += n;
		len -= n;
	}
}

/* Send @len pattern bytes from stream offset @off, @chunk at a time. */
static void send_pattern(struct __test_metadata *_metadata, int fd,
			 uint64_t off, uint64_t len, size_t chunk)
{
	static uint8_t buf[XFER_CHUNK];

	ASSERT_GE(sizeof(buf), chunk);
	while (len) {
		size_t n = len < chunk ? len : chunk;

		pattern_fill(buf, off, n);
		send_all(_metadata, fd, buf, n, 0);
		off += n;
		len -= n;
	}
}

/*
 * The client's payload went through the device's engine: at least
 * @payload bytes (the stream adds headers and tags) were encrypted by
 * tls0 since the connection was made, and the engine dropped nothing.
 */
static void check_dev_encrypted(struct __test_metadata *_metadata,
				FIXTURE_DATA(tls_tx) *self, uint64_t payload)
{
	uint64_t ds[DS_NUM];

	dev_stats_read(_metadata, ds);
	EXPECT_EQ(self->ds0[DS_DROP_ENGINE], ds[DS_DROP_ENGINE])
		TH_LOG("the engine failed");
	EXPECT_EQ(self->ds0[DS_DROP_NO_MEM], ds[DS_DROP_NO_MEM]);
	EXPECT_LE(self->ds0[DS_BYTES] + payload, ds[DS_BYTES])
		TH_LOG("%s encrypted %" PRIu64 " bytes of %" PRIu64 " sent",
		       TX_DEV, ds[DS_BYTES] - self->ds0[DS_BYTES], payload);
	if (ds[DS_FALLBACK] != self->ds0[DS_FALLBACK])
		TH_LOG("note: %" PRIu64 " packets went through the software fallback (%" PRIu64 " retransmissions)",
		       ds[DS_FALLBACK] - self->ds0[DS_FALLBACK],
		       ds[DS_OOO] - self->ds0[DS_OOO]);
}

/* Pattern bytes from @cfd to @sfd in @chunk writes, checked. */
static void xfer(struct __test_metadata *_metadata, int cfd, int sfd,
		 uint64_t len, size_t chunk)
{
	struct seg seg = { REC_DATA, len };
	pid_t pid;

	pid = rx_start(_metadata, sfd, &seg, 1);
	send_pattern(_metadata, cfd, 0, len, chunk);
	rx_wait(_metadata, pid, sfd);
}

TEST_F(tls_tx, single_byte_writes)
{
	const unsigned int n = 1000;
	struct seg seg = { REC_DATA, n };
	unsigned int i;
	pid_t pid;

	pid = rx_start(_metadata, self->sfd, &seg, 1);
	for (i = 0; i < n; i++) {
		uint8_t b = pattern(i);

		send_all(_metadata, self->cfd, &b, 1, 0);
	}
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, n);
}

/* Every SWEEP_STEP-th write size up to SWEEP_MAX, and record edges. */
TEST_F(tls_tx, write_size_sweep)
{
	static const uint32_t edges[] = {
		16383, 16384, 16385, 2 * 16384 - 1, 2 * 16384, 2 * 16384 + 1,
	};
	uint64_t total = 0, off = 0;
	struct seg seg;
	uint32_t sz;
	unsigned int i;
	pid_t pid;

	for (sz = 1; sz <= SWEEP_MAX; sz += SWEEP_STEP)
		total += sz;
	for (i = 0; i < ARRAY_SIZE(edges); i++)
		total += edges[i];
	seg = (struct seg){ REC_DATA, total };
	pid = rx_start(_metadata, self->sfd, &seg, 1);
	for (sz = 1; sz <= SWEEP_MAX; sz += SWEEP_STEP) {
		send_pattern(_metadata, self->cfd, off, sz, sz);
		off += sz;
	}
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		send_pattern(_metadata, self->cfd, off, edges[i], edges[i]);
		off += edges[i];
	}
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, total);
}

/* Random write sizes; about half of them with MSG_MORE. */
TEST_F(tls_tx, random_sizes_msg_more)
{
	static uint8_t buf[SWEEP_MAX];
	const unsigned int seed = 0x7157, n = 300;
	uint64_t total = 0, off = 0;
	uint32_t sizes[300];
	bool more[300];
	struct seg seg;
	unsigned int i;
	pid_t pid;

	srandom(seed);
	for (i = 0; i < n; i++) {
		/* mostly small writes, some beyond a record */
		sizes[i] = 1 + random() % (random() % 4 ? 2000 : SWEEP_MAX);
		more[i] = i + 1 < n && random() % 2;
		total += sizes[i];
	}
	TH_LOG("seed %#x: %u writes, %" PRIu64 " bytes", seed, n, total);
	seg = (struct seg){ REC_DATA, total };
	pid = rx_start(_metadata, self->sfd, &seg, 1);
	for (i = 0; i < n; i++) {
		pattern_fill(buf, off, sizes[i]);
		send_all(_metadata, self->cfd, buf, sizes[i],
			 more[i] ? MSG_MORE : 0);
		off += sizes[i];
	}
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, total);
}

TEST_F(tls_tx, sendfile)
{
	const size_t len = MIB + 12345, chunk = 100000;
	struct seg seg = { REC_DATA, len };
	off_t off = 0;
	uint8_t *buf;
	pid_t pid;
	int mfd;

	mfd = memfd_create("tls_tx", MFD_CLOEXEC);
	ASSERT_LE(0, mfd) TH_LOG("memfd_create: %s", strerror(errno));
	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	pattern_fill(buf, 0, len);
	ASSERT_EQ((ssize_t)len, write(mfd, buf, len));
	free(buf);

	pid = rx_start(_metadata, self->sfd, &seg, 1);
	while ((size_t)off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t r = sendfile(self->cfd, mfd, &off, n);

		rx_alive(_metadata);
		ASSERT_LT(0, r) TH_LOG("sendfile at %jd: %s", (intmax_t)off,
				       r ? strerror(errno) : "0");
	}
	close(mfd);
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, len);
}

TEST_F(tls_tx, splice_from_pipe)
{
	static uint8_t buf[40961];
	const size_t len = MIB + 777;
	struct seg seg = { REC_DATA, len };
	size_t off = 0;
	int pfd[2];
	pid_t pid;

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = rx_start(_metadata, self->sfd, &seg, 1);
	while (off < len) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		size_t left = n;

		pattern_fill(buf, off, n);
		/* fits: a pipe holds 64 KiB */
		ASSERT_EQ((ssize_t)n, write(pfd[1], buf, n));
		while (left) {
			ssize_t r = splice(pfd[0], NULL, self->cfd, NULL, left,
					   off + n < len ? SPLICE_F_MORE : 0);

			rx_alive(_metadata);
			ASSERT_LT(0, r) TH_LOG("splice at %zu: %s", off,
					       r ? strerror(errno) : "0");
			left -= r;
		}
		off += n;
	}
	close(pfd[0]);
	close(pfd[1]);
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, len);
}

/* Records of other types, set with TLS_SET_RECORD_TYPE, between data. */
TEST_F(tls_tx, record_type)
{
	static const struct seg segs[] = {
		{ REC_DATA, 1000 },
		{ REC_HANDSHAKE, 20000 },	/* two records */
		{ REC_DATA, 5000 },
		{ REC_CHANGE_CIPHER_SPEC, 1 },
		{ REC_HANDSHAKE, 40 },
		{ REC_ALERT, 2 },
		{ REC_DATA, 100 },
	};
	static uint8_t buf[SWEEP_MAX];
	uint64_t off = 0;
	unsigned int i;
	pid_t pid;

	pid = rx_start(_metadata, self->sfd, segs, ARRAY_SIZE(segs));
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		char cbuf[CMSG_SPACE(sizeof(uint8_t))] = {};
		struct iovec iov = { .iov_base = buf, .iov_len = segs[i].len };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

		cm->cmsg_level = SOL_TLS;
		cm->cmsg_type = TLS_SET_RECORD_TYPE;
		cm->cmsg_len = CMSG_LEN(sizeof(uint8_t));
		*CMSG_DATA(cm) = segs[i].type;
		pattern_fill(buf, off, segs[i].len);
		ASSERT_EQ((ssize_t)segs[i].len, sendmsg(self->cfd, &msg, 0))
			TH_LOG("sendmsg of type %u: %s", segs[i].type,
			       strerror(errno));
		off += segs[i].len;
	}
	rx_wait(_metadata, pid, self->sfd);
	check_dev_encrypted(_metadata, self, off);
}

TEST_F_TIMEOUT(tls_tx, large_transfer, 120)
{
	const uint64_t len = 16 * MIB;
	uint64_t t0 = now_ms(), ms;

	xfer(_metadata, self->cfd, self->sfd, len, XFER_CHUNK);
	ms = now_ms() - t0;
	TH_LOG("%" PRIu64 " MiB in %" PRIu64 " ms", len / MIB, ms);
	check_dev_encrypted(_metadata, self, len);
}

/* The TLS core and the device both see the connection as offloaded. */
TEST_F(tls_tx, offloaded)
{
	const uint64_t len = 256 * KIB;
	uint64_t ts[TS_NUM], ds[DS_NUM];
	uint64_t deadline;

	tls_stats_read(_metadata, ts);
	ASSERT_EQ(1ULL, ts[TS_CURR_TX_DEV])
		TH_LOG("TlsCurrTxDevice with one offloaded socket");
	ASSERT_EQ(0ULL, ts[TS_CURR_TX_SW]) TH_LOG("TlsCurrTxSw");
	ASSERT_EQ(self->ts0[TS_TX_DEV] + 1, ts[TS_TX_DEV]) TH_LOG("TlsTxDevice");
	ASSERT_EQ(self->ts0[TS_TX_SW], ts[TS_TX_SW]) TH_LOG("TlsTxSw grew");

	dev_stats_read(_metadata, ds);
	ASSERT_EQ(self->ds0[DS_CTX] + 1, ds[DS_CTX])
		TH_LOG("tx_tls_ctx did not count the connection");
	ASSERT_EQ(self->ds0[DS_PKTS], ds[DS_PKTS])
		TH_LOG("packets encrypted before any data was sent");

	xfer(_metadata, self->cfd, self->sfd, len, 16 * KIB);

	dev_stats_read(_metadata, ds);
	/* at least one packet per 64 KiB GSO super-packet */
	ASSERT_LE(self->ds0[DS_PKTS] + len / (64 * KIB), ds[DS_PKTS])
		TH_LOG("tx_tls_encrypted_packets grew by %" PRIu64,
		       ds[DS_PKTS] - self->ds0[DS_PKTS]);
	check_dev_encrypted(_metadata, self, len);
	tls_stats_read(_metadata, ts);
	ASSERT_EQ(self->ts0[TS_TX_SW], ts[TS_TX_SW]) TH_LOG("TlsTxSw grew");

	/* Closed: the TLS core lets go at once, the device a bit later. */
	close(self->cfd);
	close(self->sfd);
	self->cfd = self->sfd = -1;
	tls_stats_read(_metadata, ts);
	ASSERT_EQ(0ULL, ts[TS_CURR_TX_DEV]) TH_LOG("TlsCurrTxDevice after close");
	deadline = now_ms() + CTX_DEL_TIMEOUT_MS;
	do {
		dev_stats_read(_metadata, ds);
		if (ds[DS_DEL] == self->ds0[DS_DEL] + 1)
			break;
		usleep(20000);
	} while (now_ms() < deadline);
	ASSERT_EQ(self->ds0[DS_DEL] + 1, ds[DS_DEL])
		TH_LOG("tx_tls_del did not count the closed connection within %d ms",
		       CTX_DEL_TIMEOUT_MS);
}

/* With tls-hw-tx-offload off, a new connection uses software kTLS. */
TEST_F(tls_tx, offload_off_is_software)
{
	const uint64_t len = 256 * KIB;
	uint64_t ts0[TS_NUM], ts[TS_NUM], ds0[DS_NUM], ds[DS_NUM];

	ASSERT_EQ(0, run_cmd("ethtool -K " TX_DEV " tls-hw-tx-offload off 2>&1"));
	self->offload_off = true;

	dev_stats_read(_metadata, ds0);
	conn_open(_metadata, self, variant, &self->cfd2, &self->sfd2, ts0);
	ASSERT_EQ(TLS_CONF_SW, tls_tx_conf(_metadata, self->cfd2))
		TH_LOG("TX of a new connection is not software");
	tls_stats_read(_metadata, ts);
	ASSERT_EQ(ts0[TS_CURR_TX_SW] + 1, ts[TS_CURR_TX_SW]) TH_LOG("TlsCurrTxSw");
	ASSERT_EQ(ts0[TS_TX_SW] + 1, ts[TS_TX_SW]) TH_LOG("TlsTxSw");
	ASSERT_EQ(ts0[TS_TX_DEV], ts[TS_TX_DEV]) TH_LOG("TlsTxDevice grew");
	ASSERT_EQ(ts0[TS_CURR_TX_DEV], ts[TS_CURR_TX_DEV]);

	xfer(_metadata, self->cfd2, self->sfd2, len, 16 * KIB);

	dev_stats_read(_metadata, ds);
	ASSERT_EQ(ds0[DS_CTX], ds[DS_CTX])
		TH_LOG("%s got a context for a software connection", TX_DEV);
	ASSERT_EQ(ds0[DS_PKTS], ds[DS_PKTS])
		TH_LOG("%s encrypted packets of a software connection", TX_DEV);
	ASSERT_EQ(ds0[DS_FALLBACK], ds[DS_FALLBACK]);
}

int main(int argc, char **argv)
{
	if (!getenv("TX_NS") || !getenv("RX_NS")) {
		ksft_print_header();
		ksft_exit_skip("TX_NS and RX_NS are not set: run tls_tx.sh\n");
	}
	return test_harness_run(argc, argv);
}
