// SPDX-License-Identifier: GPL-2.0
/*
 * Many concurrent offloaded connections, with churn: tx_many.sh runs this
 * in the topology of lib.sh ($TX_NS: tls0 on veth0; $RX_NS: plain veth1).
 *
 * It opens N connections from $TX_NS to listeners in $RX_NS (IPv4 and
 * IPv6 alternately), each with its own static keys, AES-GCM-128 or -256
 * alternately, and a record sequence number of its own: TLS_TX on the
 * client (offloaded to tls0), TLS_RX on the server (software). Then, for
 * each round: every connection sends a few writes, interleaved across all
 * connections, and every server checks every byte; half the connections
 * are closed, in turn by the client with data still in flight, by the
 * server first, or by the client with a RST (SO_LINGER 0) once the server
 * has all the data; as many new ones are opened. At the end all are
 * closed.
 *
 * Checked here: each TLS_TX gives a device context (TlsCurrTxDevice counts
 * the open connections, TlsTxSw stays unchanged) and every byte arrives.
 * Printed for tx_many.sh: "stream_bytes N" (record stream sent: payload
 * plus 29 bytes per record, one record per write) and "opened N".
 *
 *   tx_many [-n CONNS] [-r ROUNDS] [-p PORT] [-s SEED] [-S]
 *
 * -S: other processes have offloaded connections in $TX_NS at the same
 * time, so TlsCurrTxDevice must only be at least our own count.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define TX_ADDR4	"198.18.0.1"
#define RX_ADDR4	"198.18.0.2"
#define TX_ADDR6	"2001:db8::1"
#define RX_ADDR6	"2001:db8::2"
#define IO_TIMEOUT_S	30
#define REC_OVERHEAD	29
#define MAX_WRITE	16384	/* one record per write */

union tls_crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
};

struct conn {
	int cfd, sfd;
	uint32_t id;
	uint64_t sent;		/* payload bytes sent by the client */
	uint64_t rcvd;		/* payload bytes checked by the server */
};

/* The writes of one connection in one round: sizes vary with the id. */
static const uint32_t write_sizes[] = { 1, 517, 2048, 4000 };

static int tx_ns, rx_ns, lfd4, lfd6, port = 5201;
static uint64_t stream_bytes, opened, n_open;
static unsigned int seed = 1;
static bool shared;	/* other processes open connections in $TX_NS too */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "# FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static inline uint8_t pattern(uint32_t id, uint64_t off)
{
	return ((off + ((uint64_t)id << 40)) * 0x9e3779b97f4a7c15ULL) >> 56;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int ns_open(const char *var)
{
	const char *name = getenv(var);
	char path[256];
	int fd;

	if (!name)
		die("%s is not set: run tx_many.sh", var);
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void enter(int ns)
{
	if (setns(ns, CLONE_NEWNET))
		die("setns: %s", strerror(errno));
}

static socklen_t addr_make(int family, const char *ip, int p,
			   struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		inet_pton(AF_INET, ip, &sin->sin_addr);
		return sizeof(*sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(p);
	inet_pton(AF_INET6, ip, &sin6->sin6_addr);
	return sizeof(*sin6);
}

/* /proc/net/tls_stat of the current netns */
static uint64_t tls_stat(const char *name)
{
	unsigned long long v;
	char k[64];
	FILE *f;

	f = fopen("/proc/net/tls_stat", "re");
	if (!f)
		die("/proc/net/tls_stat: %s", strerror(errno));
	while (fscanf(f, "%63s %llu", k, &v) == 2) {
		if (!strcmp(k, name)) {
			fclose(f);
			return v;
		}
	}
	die("no %s in /proc/net/tls_stat", name);
}

/* Keys, IV, salt and record sequence number of connection @id. */
static socklen_t crypto_make(union tls_crypto *c, uint32_t id)
{
	uint64_t rec_seq = id % 5 == 0 ? 0xfffffffeULL + id : (uint64_t)id * 1000003;
	uint8_t *key, *iv, *salt, *rs;
	unsigned int i, klen;
	socklen_t len;

	memset(c, 0, sizeof(*c));
	c->info.version = TLS_1_2_VERSION;
	if (id % 4 < 2) {
		c->info.cipher_type = TLS_CIPHER_AES_GCM_128;
		key = c->gcm128.key;
		klen = sizeof(c->gcm128.key);
		iv = c->gcm128.iv;
		salt = c->gcm128.salt;
		rs = c->gcm128.rec_seq;
		len = sizeof(c->gcm128);
	} else {
		c->info.cipher_type = TLS_CIPHER_AES_GCM_256;
		key = c->gcm256.key;
		klen = sizeof(c->gcm256.key);
		iv = c->gcm256.iv;
		salt = c->gcm256.salt;
		rs = c->gcm256.rec_seq;
		len = sizeof(c->gcm256);
	}
	for (i = 0; i < klen; i++)
		key[i] = (id * 131 + i * 7 + seed) & 0xff;
	for (i = 0; i < 8; i++) {
		iv[i] = (id >> (8 * (i % 4))) ^ (0x5a + i);
		rs[i] = rec_seq >> (56 - 8 * i);
	}
	for (i = 0; i < 4; i++)
		salt[i] = (id * 17 + i) & 0xff;
	return len;
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("SO_RCVTIMEO: %s", strerror(errno));
}

static int listener(int family, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_make(family, ip, port, &ss);
	int fd, one = 1;

	enter(rx_ns);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4096))
		die("listen on %s port %d: %s", ip, port, strerror(errno));
	enter(tx_ns);
	return fd;
}

/* Connection @id: connect, accept, keys on both ends. */
static void conn_open(struct conn *c, uint32_t id)
{
	int family = id % 2 ? AF_INET6 : AF_INET;
	struct sockaddr_storage ss;
	union tls_crypto crypto;
	socklen_t len, clen;

	len = addr_make(family, family == AF_INET ? RX_ADDR4 : RX_ADDR6,
			port, &ss);
	c->id = id;
	c->sent = c->rcvd = 0;
	c->cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->cfd < 0)
		die("socket (connection %u): %s", id, strerror(errno));
	if (connect(c->cfd, (struct sockaddr *)&ss, len))
		die("connect (connection %u): %s", id, strerror(errno));
	c->sfd = accept4(family == AF_INET ? lfd4 : lfd6, NULL, NULL, SOCK_CLOEXEC);
	if (c->sfd < 0)
		die("accept (connection %u): %s", id, strerror(errno));
	timeouts(c->cfd);
	timeouts(c->sfd);
	if (setsockopt(c->cfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(c->sfd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		die("TCP_ULP (connection %u): %s", id, strerror(errno));
	clen = crypto_make(&crypto, id);
	if (setsockopt(c->cfd, SOL_TLS, TLS_TX, &crypto, clen))
		die("TLS_TX (connection %u): %s", id, strerror(errno));
	if (setsockopt(c->sfd, SOL_TLS, TLS_RX, &crypto, clen))
		die("TLS_RX (connection %u): %s", id, strerror(errno));
	opened++;
	n_open++;
}

static void conn_send(struct conn *c, uint32_t size)
{
	static uint8_t buf[MAX_WRITE];
	uint32_t i;
	ssize_t n;

	for (i = 0; i < size; i++)
		buf[i] = pattern(c->id, c->sent + i);
	n = send(c->cfd, buf, size, 0);
	if (n != (ssize_t)size)
		die("send of %u bytes (connection %u): %s", size, c->id,
		    n < 0 ? strerror(errno) : "short");
	c->sent += size;
	stream_bytes += size + REC_OVERHEAD;
}

/* The server reads everything the client sent so far, and checks it. */
static void conn_check(struct conn *c)
{
	static uint8_t buf[4 * MAX_WRITE];

	while (c->rcvd < c->sent) {
		size_t want = c->sent - c->rcvd;
		ssize_t n, i;

		n = recv(c->sfd, buf, want < sizeof(buf) ? want : sizeof(buf), 0);
		if (n <= 0)
			die("connection %u: recv at byte %" PRIu64 " of %" PRIu64 ": %s%s",
			    c->id, c->rcvd, c->sent, n ? strerror(errno) : "EOF",
			    n && errno == EBADMSG ? " (a record failed authentication)" : "");
		for (i = 0; i < n; i++)
			if (buf[i] != pattern(c->id, c->rcvd + i))
				die("connection %u: byte %" PRIu64 " is %#04x, expected %#04x",
				    c->id, c->rcvd + i, buf[i],
				    pattern(c->id, c->rcvd + i));
		c->rcvd += n;
	}
}

static void expect_eof(struct conn *c)
{
	char b;
	ssize_t n = recv(c->sfd, &b, 1, 0);

	if (n != 0)
		die("connection %u: %s after the data, expected EOF", c->id,
		    n < 0 ? strerror(errno) : "more bytes");
}

/* Close connection @c, the way its id and @round say. */
static void conn_close(struct conn *c, unsigned int round)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	switch ((c->id + round) % 3) {
	case 0:
		/* the client closes with a write in flight, unread */
		conn_send(c, 3000);
		close(c->cfd);
		conn_check(c);
		expect_eof(c);
		close(c->sfd);
		break;
	case 1:
		/* the server closes first; then the client */
		conn_check(c);
		close(c->sfd);
		close(c->cfd);
		break;
	default:
		/* the client resets the connection */
		conn_check(c);
		if (setsockopt(c->cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			die("SO_LINGER: %s", strerror(errno));
		close(c->cfd);
		close(c->sfd);
		break;
	}
	c->cfd = c->sfd = -1;
	n_open--;
}

static void check_offloaded(uint64_t sw0, const char *when)
{
	uint64_t cur = tls_stat("TlsCurrTxDevice"), sw = tls_stat("TlsTxSw");

	printf("# %s: %" PRIu64 " connections open, TlsCurrTxDevice %" PRIu64 "\n",
	       when, n_open, cur);
	if (shared ? cur < n_open : cur != n_open)
		die("%s: TlsCurrTxDevice %" PRIu64 " with %" PRIu64 " offloaded connections open",
		    when, cur, n_open);
	if (sw != sw0)
		die("%s: TlsTxSw grew by %" PRIu64 ": connections fell back to software",
		    when, sw - sw0);
}

int main(int argc, char **argv)
{
	unsigned int n = 1000, rounds = 3, r, i, w, next_id = 0;
	uint64_t t0 = now_ms(), cur0, sw0;
	struct conn *conns;
	struct rlimit rl;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:p:s:S")) != -1) {
		switch (opt) {
		case 'S': shared = true; break;
		case 'n': n = atoi(optarg); break;
		case 'r': rounds = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 's': seed = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n CONNS] [-r ROUNDS] [-p PORT] [-s SEED] [-S]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srandom(seed);

	/* two sockets per connection, and some */
	rl.rlim_cur = rl.rlim_max = 2 * n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("RLIMIT_NOFILE %u: %s", 2 * n + 64, strerror(errno));
	conns = calloc(n, sizeof(*conns));
	if (!conns)
		die("no memory");

	tx_ns = ns_open("TX_NS");
	rx_ns = ns_open("RX_NS");
	lfd4 = listener(AF_INET, RX_ADDR4);
	lfd6 = listener(AF_INET6, RX_ADDR6);
	/* now and from here on in TX_NS */
	cur0 = tls_stat("TlsCurrTxDevice");
	sw0 = tls_stat("TlsTxSw");
	if (cur0 && !shared)
		die("TlsCurrTxDevice is %" PRIu64 " before the test", cur0);

	for (i = 0; i < n; i++)
		conn_open(&conns[i], next_id++);
	printf("# %u connections open after %" PRIu64 " ms\n", n, now_ms() - t0);
	check_offloaded(sw0, "opened");

	for (r = 0; r < rounds; r++) {
		/* every connection writes, interleaved with all the others */
		for (w = 0; w < sizeof(write_sizes) / sizeof(write_sizes[0]); w++)
			for (i = 0; i < n; i++)
				conn_send(&conns[i], write_sizes[(w + conns[i].id) % 4]);
		for (i = 0; i < n; i++)
			conn_check(&conns[i]);

		/* churn: half of them go, in three ways, and new ones come */
		for (i = 0; i < n; i++)
			if ((unsigned int)random() % 2)
				conn_close(&conns[i], r);
		check_offloaded(sw0, "closed half");
		for (i = 0; i < n; i++)
			if (conns[i].cfd < 0)
				conn_open(&conns[i], next_id++);
		check_offloaded(sw0, "reopened");
		printf("# round %u done after %" PRIu64 " ms\n", r + 1, now_ms() - t0);
	}

	/* a last exchange on all, then every connection goes */
	for (i = 0; i < n; i++)
		conn_send(&conns[i], MAX_WRITE);
	for (i = 0; i < n; i++)
		conn_close(&conns[i], rounds);
	check_offloaded(sw0, "closed all");
	close(lfd4);
	close(lfd6);

	printf("# %" PRIu64 " connections in %" PRIu64 " ms\n", opened, now_ms() - t0);
	printf("opened %" PRIu64 "\n", opened);
	printf("stream_bytes %" PRIu64 "\n", stream_bytes);
	return 0;
}
