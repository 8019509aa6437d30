// SPDX-License-Identifier: GPL-2.0
/*
 * kTLS TX device offload across TCP sequence number wraparound.
 *
 * tx_wrap.sh builds the topology of tls_tx.sh: namespace $TX_NS holds
 * tls0 (a tlsdev on veth0) with 198.18.0.1/24 and 2001:db8::1/64,
 * namespace $RX_NS a plain veth1 with 198.18.0.2/24 and 2001:db8::2/64.
 *
 * The TCP connection is not made by a handshake: this program holds both
 * ends and builds them with TCP_REPAIR, as CRIU restores a connection.
 * Each socket is put in repair mode, given its send and receive sequence
 * numbers (TCP_REPAIR_QUEUE + TCP_QUEUE_SEQ, matching the peer's), bound,
 * "connected" (repair mode: straight to ESTABLISHED, nothing sent), given
 * the options a handshake would have negotiated (MSS, window scale, SACK,
 * timestamps) and the peer's window, and taken out of repair. So the
 * client's first byte goes out at a sequence number of our choosing, just
 * below 2^32, and the transfer wraps the sequence space.
 *
 * The client then gets TLS_TX offloaded to tls0 (checked through
 * sock_diag), the server TLS_RX in software; the server checks every
 * record's tag and every byte. Record sequence numbers may start near
 * 2^32 as well. At the end, the server's receive sequence number (read in
 * repair mode) proves the wrap, and tls0 must have released the context.
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
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
#define LOWER_DEV	"veth0"
#define TX_ADDR4	"198.18.0.1"
#define RX_ADDR4	"198.18.0.2"
#define TX_ADDR6	"2001:db8::1"
#define RX_ADDR6	"2001:db8::2"

#define KIB		1024
#define MIB		(1024 * KIB)
#define IO_TIMEOUT_S	20	/* a stalled socket fails, not hangs */
#define CTX_DEL_TIMEOUT_MS 10000	/* tls_dev_del runs from a work item */
#define XFER_CHUNK	(64 * KIB)

#define REC_PAYLOAD	16384
#define REC_OVERHEAD	29	/* header 5, explicit nonce 8, tag 16 */
#define REC_WIRE	(REC_PAYLOAD + REC_OVERHEAD)
#define REC_TAG_OFF	(REC_WIRE - 16)

#define TWO32		((uint64_t)1 << 32)

/* TCP options for TCP_REPAIR_OPTIONS (include/net/tcp.h) */
#define OPT_MSS		2
#define OPT_WINDOW	3
#define OPT_SACK_PERM	4
#define OPT_TIMESTAMP	8
#define WSCALE		7

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* /proc/net/tls_stat counters of $TX_NS */
enum tls_stat { TS_CURR_TX_DEV, TS_TX_SW, TS_TX_DEV, TS_NUM };
static const char tls_stat_names[TS_NUM][16] = {
	[TS_CURR_TX_DEV] = "TlsCurrTxDevice",
	[TS_TX_SW]	= "TlsTxSw",
	[TS_TX_DEV]	= "TlsTxDevice",
};

/* ethtool -S counters of tls0 */
enum dev_stat {
	DS_BYTES, DS_CTX, DS_DEL, DS_OOO, DS_DUMP, DS_DUMP_BYTES,
	DS_FALLBACK, DS_DROP_NO_SYNC, DS_DROP_BYPASS, DS_DROP_NO_MEM,
	DS_DROP_ENGINE, DS_NUM
};

static const char dev_stat_names[DS_NUM][ETH_GSTRING_LEN] = {
	[DS_BYTES]	= "tx_tls_encrypted_bytes",
	[DS_CTX]	= "tx_tls_ctx",
	[DS_DEL]	= "tx_tls_del",
	[DS_OOO]	= "tx_tls_ooo",
	[DS_DUMP]	= "tx_tls_dump_packets",
	[DS_DUMP_BYTES]	= "tx_tls_dump_bytes",
	[DS_FALLBACK]	= "tx_tls_fallback_packets",
	[DS_DROP_NO_SYNC] = "tx_tls_drop_no_sync_data",
	[DS_DROP_BYPASS] = "tx_tls_drop_bypass_req",
	[DS_DROP_NO_MEM] = "tx_tls_drop_no_mem",
	[DS_DROP_ENGINE] = "tx_tls_drop_engine",
};

union tls_crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
};

/* One transfer: where the sequence spaces start, and what is sent. */
struct wrap_params {
	uint32_t isn;		/* client's first sequence number */
	uint64_t rec_seq;	/* first TLS record sequence number */
	uint64_t len;		/* bytes of payload */
	size_t chunk;		/* bytes per send(); REC_PAYLOAD: full records */
	const char *qdisc;	/* root qdisc of veth0 during the transfer */
	bool drop_at_wrap;	/* and filters dropping segments near 2^32 */
};

/* Byte @off of the stream; not periodic at any power of two. */
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

static ssize_t pattern_check(const uint8_t *buf, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pattern(off + i))
			return i;
	return -1;
}

static int ns_open(const char *var, char *path, size_t size)
{
	const char *name = getenv(var);

	if (name && name[0] == '/')
		snprintf(path, size, "%s", name);
	else
		snprintf(path, size, "/run/netns/%s", name ? name : "");
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Run @cmd with sh (in the current netns); output becomes diagnostics. */
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

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static socklen_t crypto_init(union tls_crypto *c, uint16_t cipher,
			     uint64_t rec_seq)
{
	static const uint8_t iv[8] = { 0x77, 0x72, 0x61, 0x70, 0, 0, 0, 9 };
	static const uint8_t salt[4] = { 0xc0, 0xff, 0xee, 0x01 };
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->info.version = TLS_1_2_VERSION;
	c->info.cipher_type = cipher;
	if (cipher == TLS_CIPHER_AES_GCM_128) {
		for (i = 0; i < sizeof(c->gcm128.key); i++)
			c->gcm128.key[i] = 0x30 + i;
		memcpy(c->gcm128.iv, iv, sizeof(iv));
		memcpy(c->gcm128.salt, salt, sizeof(salt));
		put_be64(c->gcm128.rec_seq, rec_seq);
		return sizeof(c->gcm128);
	}
	for (i = 0; i < sizeof(c->gcm256.key); i++)
		c->gcm256.key[i] = 0xc0 + i;
	memcpy(c->gcm256.iv, iv, sizeof(iv));
	memcpy(c->gcm256.salt, salt, sizeof(salt));
	put_be64(c->gcm256.rec_seq, rec_seq);
	return sizeof(c->gcm256);
}

static void tls_stats_read(struct __test_metadata *_metadata, uint64_t *v)
{
	bool found[TS_NUM] = {};
	unsigned long long val;
	char name[64];
	FILE *f;
	int i;

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
	ASSERT_EQ(0, ioctl(fd, SIOCETHTOOL, &ifr));
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = n;
	ifr.ifr_data = (void *)stats;
	ASSERT_EQ(0, ioctl(fd, SIOCETHTOOL, &ifr));
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

/* What sock_diag says about the TX of TCP socket @fd, or -1. */
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
				TH_LOG("sock_diag: %s",
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

static void setsockopt_int(struct __test_metadata *_metadata, int fd,
			   int opt, int val, const char *what)
{
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, opt, &val, sizeof(val)))
		TH_LOG("%s (%d): %s", what, val, strerror(errno));
}

/*
 * A TCP socket in repair mode, bound to @local (port 0: any), whose send
 * queue starts at @snd and receive queue at @rcv.
 */
static int repair_socket(struct __test_metadata *_metadata, int family,
			 const char *local, uint32_t snd, uint32_t rcv)
{
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd;

	alen = sockaddr_make(family, local, &addr);
	ASSERT_NE((socklen_t)0, alen);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	setsockopt_int(_metadata, fd, TCP_REPAIR, TCP_REPAIR_ON, "TCP_REPAIR");
	setsockopt_int(_metadata, fd, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE,
		       "TCP_REPAIR_QUEUE send");
	setsockopt_int(_metadata, fd, TCP_QUEUE_SEQ, (int)snd, "TCP_QUEUE_SEQ send");
	setsockopt_int(_metadata, fd, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE,
		       "TCP_REPAIR_QUEUE recv");
	setsockopt_int(_metadata, fd, TCP_QUEUE_SEQ, (int)rcv, "TCP_QUEUE_SEQ recv");
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&addr, alen))
		TH_LOG("bind %s: %s", local, strerror(errno));
	return fd;
}

/* "Connect" a repair-mode socket and give it the handshake's options. */
static void repair_connect(struct __test_metadata *_metadata, int fd,
			   const struct sockaddr_storage *peer, int family)
{
	const struct tcp_repair_opt opts[] = {
		{ OPT_MSS, family == AF_INET ? 1460 : 1440 },
		{ OPT_WINDOW, WSCALE | WSCALE << 16 },
		{ OPT_SACK_PERM, 0 },
		{ OPT_TIMESTAMP, 0 },
	};
	socklen_t plen = family == AF_INET ? sizeof(struct sockaddr_in) :
					     sizeof(struct sockaddr_in6);

	ASSERT_EQ(0, connect(fd, (const struct sockaddr *)peer, plen))
		TH_LOG("connect in repair mode: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts,
				sizeof(opts)))
		TH_LOG("TCP_REPAIR_OPTIONS: %s", strerror(errno));
}

/* Each side may send as much as the other offers to receive. */
static void repair_windows(struct __test_metadata *_metadata, int a, int b)
{
	struct tcp_repair_window wa, wb;
	socklen_t len = sizeof(wa);

	ASSERT_EQ(0, getsockopt(a, IPPROTO_TCP, TCP_REPAIR_WINDOW, &wa, &len));
	len = sizeof(wb);
	ASSERT_EQ(0, getsockopt(b, IPPROTO_TCP, TCP_REPAIR_WINDOW, &wb, &len));
	wa.snd_wnd = wa.max_window = wb.rcv_wnd;
	wa.snd_wl1 = wa.rcv_wup;
	wb.snd_wnd = wb.max_window = wa.rcv_wnd;
	wb.snd_wl1 = wb.rcv_wup;
	ASSERT_EQ(0, setsockopt(a, IPPROTO_TCP, TCP_REPAIR_WINDOW, &wa, sizeof(wa)))
		TH_LOG("TCP_REPAIR_WINDOW: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(b, IPPROTO_TCP, TCP_REPAIR_WINDOW, &wb, sizeof(wb)))
		TH_LOG("TCP_REPAIR_WINDOW: %s", strerror(errno));
}

/* The receive sequence number of @fd, read in repair mode. */
static uint32_t rcv_nxt_get(struct __test_metadata *_metadata, int fd)
{
	socklen_t len = sizeof(int);
	int seq = 0;

	setsockopt_int(_metadata, fd, TCP_REPAIR, TCP_REPAIR_ON, "TCP_REPAIR");
	setsockopt_int(_metadata, fd, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE,
		       "TCP_REPAIR_QUEUE recv");
	EXPECT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &len))
		TH_LOG("TCP_QUEUE_SEQ: %s", strerror(errno));
	setsockopt_int(_metadata, fd, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP,
		       "TCP_REPAIR off");
	return (uint32_t)seq;
}

FIXTURE(tx_wrap)
{
	int tx_ns, rx_ns;
	int cfd, sfd;
	bool loss_on;		/* teardown removes the qdisc from veth0 */
};

FIXTURE_VARIANT(tx_wrap)
{
	int family;
	const char *tx_addr;
	const char *rx_addr;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(tx_wrap, gcm128_ipv4)
{
	.family = AF_INET,
	.tx_addr = TX_ADDR4,
	.rx_addr = RX_ADDR4,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(tx_wrap, gcm256_ipv6)
{
	.family = AF_INET6,
	.tx_addr = TX_ADDR6,
	.rx_addr = RX_ADDR6,
	.cipher = TLS_CIPHER_AES_GCM_256,
};

FIXTURE_SETUP(tx_wrap)
{
	char path[PATH_MAX];

	self->cfd = self->sfd = -1;
	self->tx_ns = ns_open("TX_NS", path, sizeof(path));
	ASSERT_LE(0, self->tx_ns) TH_LOG("TX_NS %s: %s", path, strerror(errno));
	self->rx_ns = ns_open("RX_NS", path, sizeof(path));
	ASSERT_LE(0, self->rx_ns) TH_LOG("RX_NS %s: %s", path, strerror(errno));
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET));
}

FIXTURE_TEARDOWN(tx_wrap)
{
	if (self->cfd >= 0)
		close(self->cfd);
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->loss_on)
		run_cmd("tc qdisc del dev " LOWER_DEV " root 2>&1");
	close(self->tx_ns);
	close(self->rx_ns);
}

/*
 * The connection, built in repair mode: the client in $TX_NS sends from
 * @isn, the server in $RX_NS from an arbitrary 0x1000000. Returns in $TX_NS.
 */
static void conn_repair(struct __test_metadata *_metadata,
			FIXTURE_DATA(tx_wrap) *self,
			const FIXTURE_VARIANT(tx_wrap) *variant, uint32_t isn)
{
	const uint32_t srv_isn = 0x1000000;
	struct sockaddr_storage caddr, saddr;
	socklen_t len;

	ASSERT_EQ(0, setns(self->rx_ns, CLONE_NEWNET));
	self->sfd = repair_socket(_metadata, variant->family, variant->rx_addr,
				  srv_isn, isn);
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET));
	self->cfd = repair_socket(_metadata, variant->family, variant->tx_addr,
				  isn, srv_isn);

	len = sizeof(caddr);
	ASSERT_EQ(0, getsockname(self->cfd, (struct sockaddr *)&caddr, &len));
	len = sizeof(saddr);
	ASSERT_EQ(0, getsockname(self->sfd, (struct sockaddr *)&saddr, &len));
	repair_connect(_metadata, self->cfd, &saddr, variant->family);
	repair_connect(_metadata, self->sfd, &caddr, variant->family);
	repair_windows(_metadata, self->cfd, self->sfd);
	setsockopt_int(_metadata, self->cfd, TCP_REPAIR, TCP_REPAIR_OFF, "TCP_REPAIR off");
	setsockopt_int(_metadata, self->sfd, TCP_REPAIR, TCP_REPAIR_OFF, "TCP_REPAIR off");
	sock_timeouts(_metadata, self->cfd);
	sock_timeouts(_metadata, self->sfd);
}

static void tls_install(struct __test_metadata *_metadata,
			FIXTURE_DATA(tx_wrap) *self,
			const FIXTURE_VARIANT(tx_wrap) *variant,
			uint64_t rec_seq)
{
	union tls_crypto crypto;
	socklen_t clen;

	ASSERT_EQ(0, setsockopt(self->cfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls on the repaired client: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(self->sfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls on the repaired server: %s", strerror(errno));
	clen = crypto_init(&crypto, variant->cipher, rec_seq);
	ASSERT_EQ(0, setsockopt(self->cfd, SOL_TLS, TLS_TX, &crypto, clen))
		TH_LOG("TLS_TX: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(self->sfd, SOL_TLS, TLS_RX, &crypto, clen))
		TH_LOG("TLS_RX: %s", strerror(errno));
	ASSERT_EQ(TLS_CONF_HW, tls_tx_conf(_metadata, self->cfd))
		TH_LOG("TX of the client is not offloaded to %s", TX_DEV);
}

static volatile sig_atomic_t rx_failed;

static void rx_failed_handler(int sig)
{
	(void)sig;
	rx_failed = 1;
}

/* The receiver: @len pattern bytes from @fd. Returns an exit status. */
static int rx_verify(int fd, uint64_t len)
{
	static uint8_t buf[XFER_CHUNK];
	uint64_t off = 0;

	while (off < len) {
		size_t want = len - off < sizeof(buf) ? len - off : sizeof(buf);
		ssize_t r = recv(fd, buf, want, 0), bad;

		if (r <= 0) {
			fprintf(stderr, "# receiver: recv: %s at byte %" PRIu64 " of %" PRIu64 "%s\n",
				r ? strerror(errno) : "EOF", off, len,
				r && errno == EBADMSG ?
				" (a record failed authentication)" : "");
			return 1;
		}
		bad = pattern_check(buf, off, r);
		if (bad >= 0) {
			fprintf(stderr, "# receiver: byte %" PRIu64 " is %#04x, expected %#04x\n",
				off + bad, buf[bad], pattern(off + bad));
			return 1;
		}
		off += r;
	}
	return 0;
}

static pid_t rx_start(struct __test_metadata *_metadata, int fd, uint64_t len)
{
	struct sigaction sa = { .sa_handler = rx_failed_handler };
	pid_t pid;

	rx_failed = 0;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (!pid) {
		int ret = rx_verify(fd, len);

		if (ret)
			kill(getppid(), SIGUSR1);
		_exit(ret);
	}
	return pid;
}

static void rx_wait(struct __test_metadata *_metadata, pid_t pid, int fd)
{
	int status;
	pid_t r;
	char c;

	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	ASSERT_EQ(pid, r);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("receiver failed (status %#x)", status);
	ASSERT_EQ(-1, recv(fd, &c, 1, MSG_DONTWAIT))
		TH_LOG("more bytes arrived than were sent");
	ASSERT_EQ(EAGAIN, errno);
}

static void send_pattern(struct __test_metadata *_metadata, int fd,
			 uint64_t len, size_t chunk)
{
	static uint8_t buf[XFER_CHUNK];
	uint64_t off = 0;

	ASSERT_GE(sizeof(buf), chunk);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk, done = 0;

		pattern_fill(buf, off, n);
		while (done < n) {
			ssize_t r;

			ASSERT_EQ(0, rx_failed) TH_LOG("the receiver failed");
			r = send(fd, buf + done, n - done, 0);
			ASSERT_EQ(0, rx_failed) TH_LOG("the receiver failed");
			ASSERT_LT(0, r) TH_LOG("send at byte %" PRIu64 ": %s",
					       off + done, r ? strerror(errno) : "0");
			done += r;
		}
		off += n;
	}
}

/*
 * On veth0 (root qdisc 1: prio), drop every 4th segment whose TCP
 * sequence number is in [2^32 - 256 KiB, 2^32 + 256 KiB): the top 14 bits
 * all set or all clear. u32 offsets count from the IP header (no options
 * or extension headers here); gact "determ" counts the matches, so the
 * retransmission of a dropped segment usually passes.
 */
static void drop_at_wrap(struct __test_metadata *_metadata, int family)
{
	static const char *const values[] = { "0xfffc0000", "0x00000000" };
	unsigned int i;
	char cmd[512];

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		snprintf(cmd, sizeof(cmd),
			 "tc filter add dev %s parent 1: protocol %s prio %u u32 match u32 %s 0xfffc0000 at %d action gact ok random determ drop 4 2>&1",
			 LOWER_DEV, family == AF_INET ? "ip" : "ipv6", i + 1,
			 values[i], family == AF_INET ? 20 + 4 : 40 + 4);
		ASSERT_EQ(0, run_cmd(cmd)) TH_LOG("%s", cmd);
	}
}

/*
 * One transfer over a repaired connection that starts at @p->isn, then
 * every check: data, wrap, offload state, counters, context release.
 */
static void wrap_xfer(struct __test_metadata *_metadata,
		      FIXTURE_DATA(tx_wrap) *self,
		      const FIXTURE_VARIANT(tx_wrap) *variant,
		      const struct wrap_params *p)
{
	uint64_t ts0[TS_NUM], ts[TS_NUM], ds0[DS_NUM], ds[DS_NUM];
	uint64_t records, stream, deadline, t0;
	uint32_t end;
	char cmd[256];
	pid_t pid;

	/* full records when writes are whole records; at least this many */
	records = (p->len + REC_PAYLOAD - 1) / REC_PAYLOAD;
	stream = p->len + records * REC_OVERHEAD;
	TH_LOG("isn %#" PRIx32 " (2^32 - %" PRIu64 "), rec_seq %#" PRIx64 ", %" PRIu64 " bytes in %zu-byte writes%s%s%s",
	       p->isn, TWO32 - p->isn, p->rec_seq, p->len, p->chunk,
	       p->qdisc ? ", veth0: " : "", p->qdisc ? p->qdisc : "",
	       p->drop_at_wrap ? ", drops near 2^32" : "");

	dev_stats_read(_metadata, ds0);
	tls_stats_read(_metadata, ts0);
	conn_repair(_metadata, self, variant, p->isn);
	tls_install(_metadata, self, variant, p->rec_seq);

	if (p->qdisc) {
		snprintf(cmd, sizeof(cmd), "tc qdisc add dev %s root %s 2>&1",
			 LOWER_DEV, p->qdisc);
		ASSERT_EQ(0, run_cmd(cmd));
		self->loss_on = true;
	}
	if (p->drop_at_wrap)
		drop_at_wrap(_metadata, variant->family);
	t0 = now_ms();
	pid = rx_start(_metadata, self->sfd, p->len);
	send_pattern(_metadata, self->cfd, p->len, p->chunk);
	rx_wait(_metadata, pid, self->sfd);
	TH_LOG("%" PRIu64 " bytes in %" PRIu64 " ms", p->len, now_ms() - t0);
	if (p->qdisc) {
		self->loss_on = false;
		ASSERT_EQ(0, run_cmd("tc qdisc del dev " LOWER_DEV " root 2>&1"));
	}

	/* the server received the whole record stream, past 2^32 */
	end = rcv_nxt_get(_metadata, self->sfd);
	TH_LOG("stream ended at %#" PRIx32 ", %" PRIu32 " bytes after the isn",
	       end, end - p->isn);
	EXPECT_LT(end, p->isn) TH_LOG("the sequence number did not wrap");
	if (p->chunk == REC_PAYLOAD) {
		EXPECT_EQ(stream, (uint32_t)(end - p->isn))
			TH_LOG("not the stream of %" PRIu64 " full records", records);
	} else {
		EXPECT_LE(stream, (uint32_t)(end - p->isn));
	}

	tls_stats_read(_metadata, ts);
	EXPECT_EQ(ts0[TS_TX_SW], ts[TS_TX_SW]) TH_LOG("TlsTxSw grew");
	EXPECT_EQ(ts0[TS_TX_DEV] + 1, ts[TS_TX_DEV]) TH_LOG("TlsTxDevice");

	dev_stats_read(_metadata, ds);
	TH_LOG("tls0: encrypted %" PRIu64 " bytes, %" PRIu64 " out of sequence, %" PRIu64 " replays of %" PRIu64 " bytes, %" PRIu64 " fallback",
	       ds[DS_BYTES] - ds0[DS_BYTES], ds[DS_OOO] - ds0[DS_OOO],
	       ds[DS_DUMP] - ds0[DS_DUMP], ds[DS_DUMP_BYTES] - ds0[DS_DUMP_BYTES],
	       ds[DS_FALLBACK] - ds0[DS_FALLBACK]);
	EXPECT_EQ(ds0[DS_CTX] + 1, ds[DS_CTX]);
	EXPECT_LE(ds0[DS_BYTES] + stream, ds[DS_BYTES])
		TH_LOG("the device encrypted less than the record stream");
	EXPECT_EQ(ds0[DS_FALLBACK], ds[DS_FALLBACK]) TH_LOG("fallback used");
	EXPECT_EQ(ds[DS_OOO] - ds0[DS_OOO], ds[DS_DUMP] - ds0[DS_DUMP])
		TH_LOG("out-of-sequence segments not replayed");
	EXPECT_EQ(ds0[DS_DROP_NO_SYNC], ds[DS_DROP_NO_SYNC]);
	EXPECT_EQ(ds0[DS_DROP_BYPASS], ds[DS_DROP_BYPASS]);
	EXPECT_EQ(ds0[DS_DROP_NO_MEM], ds[DS_DROP_NO_MEM]);
	EXPECT_EQ(ds0[DS_DROP_ENGINE], ds[DS_DROP_ENGINE]);
	if (p->qdisc) {
		EXPECT_LT(ds0[DS_DUMP], ds[DS_DUMP]) TH_LOG("no replay under loss");
	}

	close(self->cfd);
	close(self->sfd);
	self->cfd = self->sfd = -1;
	tls_stats_read(_metadata, ts);
	EXPECT_EQ(ts0[TS_CURR_TX_DEV], ts[TS_CURR_TX_DEV]);
	deadline = now_ms() + CTX_DEL_TIMEOUT_MS;
	do {
		dev_stats_read(_metadata, ds);
		if (ds[DS_DEL] == ds0[DS_DEL] + 1)
			break;
		usleep(20000);
	} while (now_ms() < deadline);
	EXPECT_EQ(ds0[DS_DEL] + 1, ds[DS_DEL])
		TH_LOG("context not released within %d ms", CTX_DEL_TIMEOUT_MS);
}

/* 4 MiB from 200000 bytes below 2^32 */
TEST_F(tx_wrap, tcp_seq_wrap)
{
	const struct wrap_params p = {
		.isn = TWO32 - 200000, .len = 4 * MIB, .chunk = XFER_CHUNK,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* and the record sequence number crosses 2^32 too, after 5 records */
TEST_F(tx_wrap, tcp_seq_and_rec_seq_wrap)
{
	const struct wrap_params p = {
		.isn = TWO32 - 200000, .rec_seq = TWO32 - 5, .len = 2 * MIB,
		.chunk = XFER_CHUNK,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* Full records; the 4th one's header has 2 bytes before 2^32, 3 after */
TEST_F(tx_wrap, record_header_across_wrap)
{
	const struct wrap_params p = {
		.isn = TWO32 - 3 * REC_WIRE - 2, .len = MIB, .chunk = REC_PAYLOAD,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* Full records; the 3rd one's tag has 7 bytes before 2^32, 9 after */
TEST_F(tx_wrap, tag_across_wrap)
{
	const struct wrap_params p = {
		.isn = TWO32 - 2 * REC_WIRE - REC_TAG_OFF - 7, .len = MIB,
		.chunk = REC_PAYLOAD,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* The first byte is the last one below 2^32 */
TEST_F(tx_wrap, first_byte_below_wrap)
{
	const struct wrap_params p = {
		.isn = TWO32 - 1, .len = MIB, .chunk = REC_PAYLOAD,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* 2% loss after the device: retransmissions replayed around the wrap */
TEST_F_TIMEOUT(tx_wrap, tcp_seq_wrap_loss, 120)
{
	const struct wrap_params p = {
		.isn = TWO32 - 2 * MIB, .len = 4 * MIB, .chunk = XFER_CHUNK,
		.qdisc = "netem loss 2%",
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/* Loss concentrated right around 2^32, so records across it are replayed */
TEST_F_TIMEOUT(tx_wrap, tcp_seq_wrap_loss_at_wrap, 120)
{
	const struct wrap_params p = {
		.isn = TWO32 - MIB, .len = 2 * MIB, .chunk = XFER_CHUNK,
		.qdisc = "handle 1: prio", .drop_at_wrap = true,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

int main(int argc, char **argv)
{
	if (!getenv("TX_NS") || !getenv("RX_NS")) {
		ksft_print_header();
		ksft_exit_skip("TX_NS and RX_NS are not set: run tx_wrap.sh\n");
	}
	return test_harness_run(argc, argv);
}
