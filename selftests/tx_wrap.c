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
 *
 * The device's TX resync mode decides what the counters must show:
 * TX_WRAP_RESYNC=request for a tls0 made with "tx-resync request" (the
 * default is replay). TX_WRAP_NAME names the run in the results (default
 * tx_wrap), TX_WRAP_VARIANTS and TX_WRAP_TESTS (names separated by spaces)
 * restrict it to those variants and tests. TLSDEVCTL is the tlsdevctl
 * binary, for the fault injection of drop_no_sync_data.
 *
 * Also here, the TX contract counters that only these connections reach
 * deterministically: tx_tls_skip_no_sync_data (a segment sent before the
 * keys, lost on the wire and retransmitted after them) and
 * tx_tls_drop_no_sync_data (a retransmission reaching the device after
 * its record was acknowledged and freed).
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
	DS_FALLBACK, DS_RESYNC_REQ, DS_RESYNC_DONE, DS_SKIP_NO_SYNC,
	DS_DROP_NO_SYNC, DS_DROP_BYPASS, DS_DROP_NO_MEM, DS_DROP_ENGINE,
	DS_FAULT_HOLD, DS_NUM
};

static const char dev_stat_names[DS_NUM][ETH_GSTRING_LEN] = {
	[DS_BYTES]	= "tx_tls_encrypted_bytes",
	[DS_CTX]	= "tx_tls_ctx",
	[DS_DEL]	= "tx_tls_del",
	[DS_OOO]	= "tx_tls_ooo",
	[DS_DUMP]	= "tx_tls_dump_packets",
	[DS_DUMP_BYTES]	= "tx_tls_dump_bytes",
	[DS_FALLBACK]	= "tx_tls_fallback_packets",
	[DS_RESYNC_REQ]	= "tx_tls_resync_req",
	[DS_RESYNC_DONE] = "tx_tls_resync_done",
	[DS_SKIP_NO_SYNC] = "tx_tls_skip_no_sync_data",
	[DS_DROP_NO_SYNC] = "tx_tls_drop_no_sync_data",
	[DS_DROP_BYPASS] = "tx_tls_drop_bypass_req",
	[DS_DROP_NO_MEM] = "tx_tls_drop_no_mem",
	[DS_DROP_ENGINE] = "tx_tls_drop_engine",
	[DS_FAULT_HOLD]	= "fault_hold",
};

/* The device's tx-resync mode (TX_WRAP_RESYNC) and the fault tool. */
static bool request_mode;
static const char *tlsdevctl;

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
	bool drop_before_device;	/* the same on tls0 (root qdisc 1: prio) */
	int sndbuf;		/* SO_SNDBUF of the client, 0: default */
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

/* Run "tlsdevctl fault @args" (in the current netns). */
static int fault_cmd(const char *args)
{
	char cmd[512];

	if (!tlsdevctl)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s fault %s 2>&1", tlsdevctl, args);
	return run_cmd(cmd);
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

/*
 * tls0's tx_dropped (a netdev statistic, not an ethtool one), from
 * /proc/net/dev of our netns (sysfs shows the netns that mounted it).
 */
static uint64_t dev_tx_dropped(struct __test_metadata *_metadata)
{
	unsigned long long v[12];
	char line[512], *p;
	bool found = false;
	FILE *f;

	f = fopen("/proc/net/dev", "re");
	ASSERT_NE(NULL, f) TH_LOG("/proc/net/dev: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p)
			continue;
		*p = 0;
		if (strcmp(line + strspn(line, " "), TX_DEV))
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast */
		found = sscanf(p + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
			       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			       &v[7], &v[8], &v[9], &v[10], &v[11]) == 12;
	}
	fclose(f);
	ASSERT_TRUE(found) TH_LOG("no %s in /proc/net/dev", TX_DEV);
	return v[11];	/* tx: bytes packets errs drop */
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
	bool tls0_qdisc;	/* from tls0 */
	bool ack_delay;		/* from veth1 in $RX_NS */
	bool fault_on;		/* teardown clears tls0's fault rules */
};

FIXTURE_VARIANT(tx_wrap)
{
	const char *name;	/* as the harness names it; TX_WRAP_VARIANTS */
	int family;
	const char *tx_addr;
	const char *rx_addr;
	uint16_t cipher;
};

FIXTURE_VARIANT_ADD(tx_wrap, gcm128_ipv4)
{
	.name = "gcm128_ipv4",
	.family = AF_INET,
	.tx_addr = TX_ADDR4,
	.rx_addr = RX_ADDR4,
	.cipher = TLS_CIPHER_AES_GCM_128,
};

FIXTURE_VARIANT_ADD(tx_wrap, gcm256_ipv6)
{
	.name = "gcm256_ipv6",
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
	if (self->tls0_qdisc)
		run_cmd("tc qdisc del dev " TX_DEV " root 2>&1");
	if (self->fault_on)
		fault_cmd("clear dev " TX_DEV);
	if (self->ack_delay && !setns(self->rx_ns, CLONE_NEWNET)) {
		run_cmd("tc qdisc del dev veth1 root 2>&1");
		setns(self->tx_ns, CLONE_NEWNET);
	}
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

/* The server's TLS_RX, with the keys of the client's TLS_TX; 0 or errno. */
static int tls_install_rx(int fd, uint16_t cipher, uint64_t rec_seq)
{
	union tls_crypto crypto;
	socklen_t clen;

	clen = crypto_init(&crypto, cipher, rec_seq);
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fd, SOL_TLS, TLS_RX, &crypto, clen))
		return errno;
	return 0;
}

/* The client's TLS_TX, which must be offloaded to tls0. */
static void tls_install_tx(struct __test_metadata *_metadata, int fd,
			   uint16_t cipher, uint64_t rec_seq)
{
	union tls_crypto crypto;
	socklen_t clen;

	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		TH_LOG("TCP_ULP tls on the repaired client: %s", strerror(errno));
	clen = crypto_init(&crypto, cipher, rec_seq);
	ASSERT_EQ(0, setsockopt(fd, SOL_TLS, TLS_TX, &crypto, clen))
		TH_LOG("TLS_TX: %s", strerror(errno));
	ASSERT_EQ(TLS_CONF_HW, tls_tx_conf(_metadata, fd))
		TH_LOG("TX of the client is not offloaded to %s", TX_DEV);
}

static void tls_install(struct __test_metadata *_metadata,
			FIXTURE_DATA(tx_wrap) *self,
			const FIXTURE_VARIANT(tx_wrap) *variant,
			uint64_t rec_seq)
{
	tls_install_tx(_metadata, self->cfd, variant->cipher, rec_seq);
	ASSERT_EQ(0, tls_install_rx(self->sfd, variant->cipher, rec_seq))
		TH_LOG("TLS_RX on the repaired server: %s", strerror(errno));
}

static volatile sig_atomic_t rx_failed;

static void rx_failed_handler(int sig)
{
	(void)sig;
	rx_failed = 1;
}

/*
 * Receive pattern bytes [@off, @end) from @fd and check them; an exit
 * status.
 */
static int rx_pattern(int fd, uint64_t off, uint64_t end)
{
	static uint8_t buf[XFER_CHUNK];

	while (off < end) {
		size_t want = end - off < sizeof(buf) ? end - off : sizeof(buf);
		ssize_t r = recv(fd, buf, want, 0), bad;

		if (r <= 0) {
			fprintf(stderr, "# receiver: recv: %s at byte %" PRIu64 " of %" PRIu64 "%s\n",
				r ? strerror(errno) : "EOF", off, end,
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

/*
 * Plaintext sent before the keys (a handshake's last flight) is the
 * pattern from this offset on, so that it differs from the records'.
 */
#define PLAIN_OFF	((uint64_t)1 << 40)

/*
 * The receiver: @pre bytes of plaintext (the end of what was sent before
 * the keys, from PLAIN_OFF + @pre_off) first, if any, then TLS_RX with
 * @cipher and record sequence number 0, then @len pattern bytes from
 * @fd. Returns an exit status.
 */
static int rx_verify(int fd, uint64_t pre_off, uint32_t pre, uint16_t cipher,
		     uint64_t len)
{
	int err;

	if (pre) {
		if (rx_pattern(fd, PLAIN_OFF + pre_off, PLAIN_OFF + pre_off + pre))
			return 1;
		err = tls_install_rx(fd, cipher, 0);
		if (err) {
			fprintf(stderr, "# receiver: TLS_RX: %s\n", strerror(err));
			return 1;
		}
	}
	return rx_pattern(fd, 0, len);
}

static pid_t rx_start_pre(struct __test_metadata *_metadata, int fd,
			  uint64_t pre_off, uint32_t pre, uint16_t cipher,
			  uint64_t len)
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
		int ret = rx_verify(fd, pre_off, pre, cipher, len);

		if (ret)
			kill(getppid(), SIGUSR1);
		_exit(ret);
	}
	return pid;
}

static pid_t rx_start(struct __test_metadata *_metadata, int fd, uint64_t len)
{
	return rx_start_pre(_metadata, fd, 0, 0, 0, len);
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

/* Send pattern bytes [@off, @end) in writes of @chunk bytes. */
static void send_range(struct __test_metadata *_metadata, int fd,
		       uint64_t off, uint64_t end, size_t chunk)
{
	static uint8_t buf[XFER_CHUNK];

	ASSERT_GE(sizeof(buf), chunk);
	while (off < end) {
		size_t n = end - off < chunk ? end - off : chunk, done = 0;

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

static void send_pattern(struct __test_metadata *_metadata, int fd,
			 uint64_t len, size_t chunk)
{
	send_range(_metadata, fd, 0, len, chunk);
}

/* Wait until everything @fd sent was acknowledged (TCP_INFO). */
static void wait_acked(struct __test_metadata *_metadata, int fd)
{
	uint64_t deadline = now_ms() + 10000;
	struct tcp_info ti;
	socklen_t len;

	do {
		len = sizeof(ti);
		ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
		if (!ti.tcpi_unacked)
			return;
		usleep(5000);
	} while (now_ms() < deadline);
	ASSERT_EQ(0U, ti.tcpi_unacked) TH_LOG("data unacknowledged after 10 s");
}

/*
 * On @dev (root qdisc 1: prio), drop every 4th segment whose TCP
 * sequence number is in [2^32 - 256 KiB, 2^32 + 256 KiB): the top 14 bits
 * all set or all clear. u32 offsets count from the IP header (no options
 * or extension headers here); gact "determ" counts the matches, so the
 * retransmission of a dropped segment usually passes. On veth0 the
 * segments are lost after the device; on tls0 before it, so the device
 * sees jumps forward (a skb there may be a TSO burst of several segments).
 */
static void drop_at_wrap(struct __test_metadata *_metadata, const char *dev,
			 int family)
{
	static const char *const values[] = { "0xfffc0000", "0x00000000" };
	unsigned int i;
	char cmd[512];

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		snprintf(cmd, sizeof(cmd),
			 "tc filter add dev %s parent 1: protocol %s prio %u u32 match u32 %s 0xfffc0000 at %d action gact ok random determ drop 4 2>&1",
			 dev, family == AF_INET ? "ip" : "ipv6", i + 1,
			 values[i], family == AF_INET ? 20 + 4 : 40 + 4);
		ASSERT_EQ(0, run_cmd(cmd)) TH_LOG("%s", cmd);
	}
}

/*
 * Close both ends: the connection's context must be released (@ts0 and
 * @ds0: the counters before it was made).
 */
static void conn_close(struct __test_metadata *_metadata,
		       FIXTURE_DATA(tx_wrap) *self, const uint64_t *ts0,
		       const uint64_t *ds0)
{
	uint64_t ts[TS_NUM], ds[DS_NUM], deadline;

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

/*
 * The server received the stream of @bytes TCP payload bytes from @isn,
 * past 2^32 (read in repair mode).
 */
static void wrap_check(struct __test_metadata *_metadata, int sfd,
		       uint32_t isn, uint64_t bytes)
{
	uint32_t end = rcv_nxt_get(_metadata, sfd);

	TH_LOG("stream ended at %#" PRIx32 ", %" PRIu32 " bytes after the isn",
	       end, end - isn);
	EXPECT_LT(end, isn) TH_LOG("the sequence number did not wrap");
	EXPECT_EQ((uint32_t)bytes, (uint32_t)(end - isn));
}

/*
 * The device's counters over one transfer of a @stream-byte record stream
 * (@ds0 before, @ds after), per the device's tx-resync mode. @loss: TCP
 * must have retransmitted; @jumps: segments were lost before the device,
 * which saw jumps forward.
 *
 * replay: every out-of-sequence segment replayed, never the fallback, and
 * every byte of the record stream through the engine.
 * request: no replay; out-of-sequence segments go through the software
 * fallback (retransmissions), a jump makes the device ask the core for a
 * resync at the next record, which the core answers (the sender keeps
 * writing after the drops); the device encrypts the whole stream unless it
 * missed part of it.
 */
static void dev_stats_check(struct __test_metadata *_metadata,
			    const uint64_t *ds0, const uint64_t *ds,
			    uint64_t stream, bool loss, bool jumps)
{
	uint64_t d[DS_NUM];
	int i;

	for (i = 0; i < DS_NUM; i++)
		d[i] = ds[i] - ds0[i];
	TH_LOG("tls0: encrypted %" PRIu64 " bytes, %" PRIu64 " out of sequence, %" PRIu64 " replays of %" PRIu64 " bytes, %" PRIu64 " fallback, %" PRIu64 " resyncs requested, %" PRIu64 " done",
	       d[DS_BYTES], d[DS_OOO], d[DS_DUMP], d[DS_DUMP_BYTES],
	       d[DS_FALLBACK], d[DS_RESYNC_REQ], d[DS_RESYNC_DONE]);
	EXPECT_EQ(1UL, d[DS_CTX]);
	EXPECT_EQ(0UL, d[DS_DROP_NO_SYNC]);
	EXPECT_EQ(0UL, d[DS_DROP_BYPASS]);
	EXPECT_EQ(0UL, d[DS_DROP_NO_MEM]);
	EXPECT_EQ(0UL, d[DS_DROP_ENGINE]);
	EXPECT_LE(d[DS_RESYNC_DONE], d[DS_RESYNC_REQ])
		TH_LOG("more resyncs done than requested");
	if (!request_mode) {
		EXPECT_LE(stream, d[DS_BYTES])
			TH_LOG("the device encrypted less than the record stream");
		EXPECT_EQ(0UL, d[DS_FALLBACK]) TH_LOG("fallback used");
		EXPECT_EQ(0UL, d[DS_RESYNC_REQ]) TH_LOG("replay mode requested a resync");
		EXPECT_EQ(d[DS_OOO], d[DS_DUMP])
			TH_LOG("out-of-sequence segments not replayed");
		if (loss) {
			EXPECT_LT(0UL, d[DS_DUMP]) TH_LOG("no replay under loss");
		}
		return;
	}
	EXPECT_EQ(0UL, d[DS_DUMP]) TH_LOG("request mode replayed");
	EXPECT_LE(d[DS_FALLBACK], d[DS_OOO])
		TH_LOG("fallback packets that were not out of sequence");
	/* at most one request is pending when the connection ends */
	EXPECT_LE(d[DS_RESYNC_REQ], d[DS_RESYNC_DONE] + 1)
		TH_LOG("resync requests never answered");
	if (!jumps) {
		EXPECT_LE(stream, d[DS_BYTES])
			TH_LOG("the device encrypted less than the record stream");
		EXPECT_EQ(0UL, d[DS_RESYNC_REQ])
			TH_LOG("a resync requested without a jump");
	}
	if (loss) {
		EXPECT_LT(0UL, d[DS_FALLBACK]) TH_LOG("no fallback under loss");
	}
	if (jumps) {
		EXPECT_LT(0UL, d[DS_RESYNC_REQ]) TH_LOG("no resync requested");
		EXPECT_LT(0UL, d[DS_RESYNC_DONE]) TH_LOG("no resync done");
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
	uint64_t records, stream, t0;
	uint32_t end;
	char cmd[256];
	pid_t pid;

	/* full records when writes are whole records; at least this many */
	records = (p->len + REC_PAYLOAD - 1) / REC_PAYLOAD;
	stream = p->len + records * REC_OVERHEAD;
	TH_LOG("isn %#" PRIx32 " (2^32 - %" PRIu64 "), rec_seq %#" PRIx64 ", %" PRIu64 " bytes in %zu-byte writes%s%s%s%s, %s mode",
	       p->isn, TWO32 - p->isn, p->rec_seq, p->len, p->chunk,
	       p->qdisc ? ", veth0: " : "", p->qdisc ? p->qdisc : "",
	       p->drop_at_wrap ? ", drops near 2^32" : "",
	       p->drop_before_device ? ", drops near 2^32 before the device" : "",
	       request_mode ? "request" : "replay");

	dev_stats_read(_metadata, ds0);
	tls_stats_read(_metadata, ts0);
	conn_repair(_metadata, self, variant, p->isn);
	if (p->sndbuf)
		ASSERT_EQ(0, setsockopt(self->cfd, SOL_SOCKET, SO_SNDBUF,
					&p->sndbuf, sizeof(p->sndbuf)));
	tls_install(_metadata, self, variant, p->rec_seq);

	if (p->qdisc) {
		snprintf(cmd, sizeof(cmd), "tc qdisc add dev %s root %s 2>&1",
			 LOWER_DEV, p->qdisc);
		ASSERT_EQ(0, run_cmd(cmd));
		self->loss_on = true;
	}
	if (p->drop_at_wrap)
		drop_at_wrap(_metadata, LOWER_DEV, variant->family);
	if (p->drop_before_device) {
		ASSERT_EQ(0, run_cmd("tc qdisc add dev " TX_DEV " root handle 1: prio 2>&1"));
		self->tls0_qdisc = true;
		drop_at_wrap(_metadata, TX_DEV, variant->family);
	}
	t0 = now_ms();
	pid = rx_start(_metadata, self->sfd, p->len);
	send_pattern(_metadata, self->cfd, p->len, p->chunk);
	rx_wait(_metadata, pid, self->sfd);
	TH_LOG("%" PRIu64 " bytes in %" PRIu64 " ms", p->len, now_ms() - t0);
	if (p->qdisc) {
		self->loss_on = false;
		ASSERT_EQ(0, run_cmd("tc qdisc del dev " LOWER_DEV " root 2>&1"));
	}
	if (p->drop_before_device) {
		self->tls0_qdisc = false;
		ASSERT_EQ(0, run_cmd("tc qdisc del dev " TX_DEV " root 2>&1"));
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
	dev_stats_check(_metadata, ds0, ds, stream,
			p->qdisc || p->drop_at_wrap || p->drop_before_device,
			p->drop_before_device);
	EXPECT_EQ(ds0[DS_SKIP_NO_SYNC], ds[DS_SKIP_NO_SYNC]);

	conn_close(_metadata, self, ts0, ds0);
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

/* Loss before the device at the wrap: it sees jumps forward across 2^32 */
TEST_F_TIMEOUT(tx_wrap, tcp_seq_wrap_loss_before_device, 120)
{
	/*
	 * In request mode the core answers a resync request when the
	 * application pushes its next record: a small send buffer keeps the
	 * client writing until the end.
	 */
	const struct wrap_params p = {
		.isn = TWO32 - MIB, .len = 2 * MIB, .chunk = XFER_CHUNK,
		.drop_before_device = true, .sndbuf = 64 * KIB,
	};

	wrap_xfer(_metadata, self, variant, &p);
}

/*
 * On veth0 (after the device; root qdisc 1: prio), lose the TCP segment
 * of @len payload bytes at sequence number @seq once: gact drops its
 * first copy and passes the next. The TCP header has timestamps (32
 * bytes), the IP header no options.
 */
static void lose_once(struct __test_metadata *_metadata, int family,
		      uint32_t seq, unsigned int len)
{
	char cmd[512];

	ASSERT_EQ(0, run_cmd("tc qdisc add dev " LOWER_DEV " root handle 1: prio 2>&1"));
	if (family == AF_INET)
		snprintf(cmd, sizeof(cmd),
			 "tc filter add dev %s parent 1: protocol ip prio 1 u32 match u16 %u 0xffff at 2 match u32 %#x 0xffffffff at 24 action gact drop random determ ok 2 2>&1",
			 LOWER_DEV, 20 + 32 + len, seq);
	else
		snprintf(cmd, sizeof(cmd),
			 "tc filter add dev %s parent 1: protocol ipv6 prio 1 u32 match u16 %u 0xffff at 4 match u32 %#x 0xffffffff at 44 action gact drop random determ ok 2 2>&1",
			 LOWER_DEV, 32 + len, seq);
	ASSERT_EQ(0, run_cmd(cmd)) TH_LOG("%s", cmd);
}

#define PRE_SENT	1000	/* plaintext before the keys, delivered */
#define PRE_LOST	300	/* then the last pre-key segment, lost once */

/*
 * tx_tls_skip_no_sync_data: plaintext sent before the keys (a handshake's
 * last flight), its last segment lost on the wire and retransmitted by
 * TCP after setsockopt(TLS_TX). The retransmission reaches the device,
 * unmarked (not decrypted): the device passes it on as it is and counts
 * it. The offload starts at 2^32 exactly, so the TLS core's start marker
 * record ends at sequence number 0.
 */
TEST_F(tx_wrap, skip_no_sync_data)
{
	const uint32_t isn = TWO32 - PRE_SENT - PRE_LOST;
	const uint64_t len = 256 * KIB;
	uint64_t ts0[TS_NUM], ts[TS_NUM], ds0[DS_NUM], ds[DS_NUM];
	uint64_t stream = len + (len / REC_PAYLOAD) * REC_OVERHEAD;
	static uint8_t plain[PRE_SENT + PRE_LOST];
	pid_t pid;

	dev_stats_read(_metadata, ds0);
	tls_stats_read(_metadata, ts0);
	conn_repair(_metadata, self, variant, isn);
	self->loss_on = true;
	lose_once(_metadata, variant->family, isn + PRE_SENT, PRE_LOST);

	pattern_fill(plain, PLAIN_OFF, sizeof(plain));
	ASSERT_EQ(PRE_SENT, send(self->cfd, plain, PRE_SENT, 0));
	ASSERT_EQ(0, rx_pattern(self->sfd, PLAIN_OFF, PLAIN_OFF + PRE_SENT));
	wait_acked(_metadata, self->cfd);	/* and TCP has an RTT sample */
	ASSERT_EQ(PRE_LOST, send(self->cfd, plain + PRE_SENT, PRE_LOST, 0));
	/* before TCP retransmits it (200 ms at least) */
	tls_install_tx(_metadata, self->cfd, variant->cipher, 0);

	pid = rx_start_pre(_metadata, self->sfd, PRE_SENT, PRE_LOST,
			   variant->cipher, len);
	send_pattern(_metadata, self->cfd, len, REC_PAYLOAD);
	rx_wait(_metadata, pid, self->sfd);
	self->loss_on = false;
	ASSERT_EQ(0, run_cmd("tc -s filter show dev " LOWER_DEV " parent 1: 2>&1 | grep -E 'installed|Sent'"));
	ASSERT_EQ(0, run_cmd("tc qdisc del dev " LOWER_DEV " root 2>&1"));
	wrap_check(_metadata, self->sfd, isn, PRE_SENT + PRE_LOST + stream);

	tls_stats_read(_metadata, ts);
	EXPECT_EQ(ts0[TS_TX_SW], ts[TS_TX_SW]) TH_LOG("TlsTxSw grew");
	EXPECT_EQ(ts0[TS_TX_DEV] + 1, ts[TS_TX_DEV]) TH_LOG("TlsTxDevice");
	dev_stats_read(_metadata, ds);
	TH_LOG("tls0: %" PRIu64 " pre-key segments passed on (tx_tls_skip_no_sync_data)",
	       ds[DS_SKIP_NO_SYNC] - ds0[DS_SKIP_NO_SYNC]);
	EXPECT_LT(ds0[DS_SKIP_NO_SYNC], ds[DS_SKIP_NO_SYNC])
		TH_LOG("the retransmitted pre-key segment was not counted");
	dev_stats_check(_metadata, ds0, ds, stream, false, false);
	conn_close(_metadata, self, ts0, ds0);
}

#define HOLD_A		4000	/* a record, acknowledged */
#define HOLD_B		100	/* a record whose retransmission is held */
#define HOLD_C		(32 * KIB)	/* records after it, within the windows */
#define ACK_DELAY	"1000ms"

/*
 * tx_tls_drop_no_sync_data: a retransmission that reaches the device after
 * its record was acknowledged and freed. Record B (one segment, across
 * 2^32) is sent while the server's ACKs are delayed by 1 s (netem on
 * veth1): TCP retransmits it spuriously after about 200 ms (tail loss
 * probe or RTO). The device's fault injection holds that retransmission
 * (the 2nd segment after the rule is set), as a queue in front of a NIC
 * would, until the late ACK has made the TLS core free B's record; then
 * the device gets it, finds no record and drops it. TCP needed it no
 * more: the data is intact and the connection goes on.
 *
 * Replay mode only: in request mode a retransmission goes to the kernel's
 * software fallback before any fault rule, and the fallback drops what
 * has no record itself (tls_sw_fallback).
 */
TEST_F(tx_wrap, drop_no_sync_data)
{
	const uint32_t isn = TWO32 - 50 - (HOLD_A + REC_OVERHEAD);
	uint64_t ts0[TS_NUM], ts[TS_NUM], ds0[DS_NUM], ds1[DS_NUM], ds[DS_NUM];
	uint64_t stream, deadline, drop0, drop, d[DS_NUM];
	int i;

	if (request_mode)
		SKIP(return, "replay mode only (request: the fallback drops it)");
	if (!tlsdevctl)
		SKIP(return, "TLSDEVCTL not set");

	dev_stats_read(_metadata, ds0);
	tls_stats_read(_metadata, ts0);
	conn_repair(_metadata, self, variant, isn);
	tls_install(_metadata, self, variant, 0);
	send_range(_metadata, self->cfd, 0, HOLD_A, HOLD_A);
	ASSERT_EQ(0, rx_pattern(self->sfd, 0, HOLD_A));
	wait_acked(_metadata, self->cfd);

	ASSERT_EQ(0, setns(self->rx_ns, CLONE_NEWNET));
	self->ack_delay = true;
	i = run_cmd("tc qdisc add dev veth1 root netem delay " ACK_DELAY " 2>&1");
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET));
	ASSERT_EQ(0, i);
	self->fault_on = true;
	ASSERT_EQ(0, fault_cmd("set dev " TX_DEV " tx hold nth 2"));
	dev_stats_read(_metadata, ds1);
	drop0 = dev_tx_dropped(_metadata);

	send_range(_metadata, self->cfd, HOLD_A, HOLD_A + HOLD_B, HOLD_B);
	deadline = now_ms() + 5000;
	do {
		usleep(20000);
		dev_stats_read(_metadata, ds);
	} while (ds[DS_DROP_NO_SYNC] == ds1[DS_DROP_NO_SYNC] &&
		 now_ms() < deadline);
	drop = dev_tx_dropped(_metadata);

	self->fault_on = false;
	ASSERT_EQ(0, fault_cmd("clear dev " TX_DEV));
	ASSERT_EQ(0, setns(self->rx_ns, CLONE_NEWNET));
	self->ack_delay = false;
	i = run_cmd("tc qdisc del dev veth1 root 2>&1");
	ASSERT_EQ(0, setns(self->tx_ns, CLONE_NEWNET));
	ASSERT_EQ(0, i);

	for (i = 0; i < DS_NUM; i++)
		d[i] = ds[i] - ds1[i];
	TH_LOG("tls0 while B was sent: %" PRIu64 " held, %" PRIu64 " out of sequence, %" PRIu64 " dropped without a record, %" PRIu64 " replays, tx_dropped +%" PRIu64,
	       d[DS_FAULT_HOLD], d[DS_OOO], d[DS_DROP_NO_SYNC], d[DS_DUMP],
	       drop - drop0);
	EXPECT_EQ(1UL, d[DS_FAULT_HOLD]) TH_LOG("no retransmission held");
	EXPECT_EQ(1UL, d[DS_DROP_NO_SYNC])
		TH_LOG("the held retransmission was not dropped as recordless");
	EXPECT_EQ(1UL, d[DS_OOO]);
	EXPECT_EQ(0UL, d[DS_DUMP]) TH_LOG("replayed: its record was still there");
	EXPECT_EQ(1UL, drop - drop0) TH_LOG("tx_dropped");

	/* the connection goes on, every byte intact */
	send_range(_metadata, self->cfd, HOLD_A + HOLD_B,
		   HOLD_A + HOLD_B + HOLD_C, REC_PAYLOAD);
	ASSERT_EQ(0, rx_pattern(self->sfd, HOLD_A, HOLD_A + HOLD_B + HOLD_C));
	stream = HOLD_A + HOLD_B + HOLD_C +
		 (2 + HOLD_C / REC_PAYLOAD) * REC_OVERHEAD;
	wrap_check(_metadata, self->sfd, isn, stream);

	tls_stats_read(_metadata, ts);
	EXPECT_EQ(ts0[TS_TX_SW], ts[TS_TX_SW]) TH_LOG("TlsTxSw grew");
	dev_stats_read(_metadata, ds);
	for (i = 0; i < DS_NUM; i++)
		d[i] = ds[i] - ds0[i];
	EXPECT_EQ(1UL, d[DS_CTX]);
	EXPECT_LE(stream, d[DS_BYTES]);
	EXPECT_EQ(1UL, d[DS_DROP_NO_SYNC]);
	EXPECT_EQ(0UL, d[DS_FALLBACK]);
	EXPECT_EQ(0UL, d[DS_SKIP_NO_SYNC]);
	EXPECT_EQ(0UL, d[DS_DROP_BYPASS]);
	EXPECT_EQ(0UL, d[DS_DROP_NO_MEM]);
	EXPECT_EQ(0UL, d[DS_DROP_ENGINE]);
	EXPECT_EQ(d[DS_OOO], d[DS_DUMP] + 1)
		TH_LOG("out-of-sequence segments other than the held one not replayed");
	conn_close(_metadata, self, ts0, ds0);
}

/*
 * Keep only the variants named in TX_WRAP_VARIANTS and the tests named
 * in TX_WRAP_TESTS (names separated by spaces; unset or empty: all), and
 * name the fixture TX_WRAP_NAME in the results. The 6.1 harness has no
 * command line filter: its lists are edited before it runs (it follows
 * only ->next).
 */
static bool name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

static void harness_filter(void)
{
	const char *variants = getenv("TX_WRAP_VARIANTS");
	const char *tests = getenv("TX_WRAP_TESTS");
	const char *name = getenv("TX_WRAP_NAME");
	struct __fixture_variant_metadata *v, **vp;
	struct __test_metadata *t, **tp;
	struct __fixture_metadata *f;

	if (variants && !*variants)
		variants = NULL;
	if (tests && !*tests)
		tests = NULL;
	for (f = __fixture_list; f; f = f->next) {
		if (strcmp(f->name, "tx_wrap"))
			continue;
		if (name && *name)
			f->name = name;
		for (vp = &f->variant; (v = *vp);) {
			if (variants && !name_listed(variants, v->name))
				*vp = v->next;
			else
				vp = &v->next;
		}
		for (tp = &f->tests; (t = *tp);) {
			if (tests && !name_listed(tests, t->name))
				*tp = t->next;
			else
				tp = &t->next;
		}
	}
}

int main(int argc, char **argv)
{
	const char *resync = getenv("TX_WRAP_RESYNC");

	if (!getenv("TX_NS") || !getenv("RX_NS")) {
		ksft_print_header();
		ksft_exit_skip("TX_NS and RX_NS are not set: run tx_wrap.sh\n");
	}
	request_mode = resync && !strcmp(resync, "request");
	tlsdevctl = getenv("TLSDEVCTL");
	if (tlsdevctl && access(tlsdevctl, X_OK))
		tlsdevctl = NULL;
	harness_filter();
	return test_harness_run(argc, argv);
}
