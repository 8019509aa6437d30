// SPDX-License-Identifier: GPL-2.0
/*
 * tlsinstall: the offload metrics of Documentation/networking/tls-offload.rst
 * that a bulk transfer cannot show: connection installation rate and
 * latency, how many connections hold kTLS state at once, and the memory
 * each one costs.
 *
 *   tlsinstall serve --listen ADDR --port P [--ports K] --count N
 *   tlsinstall connect --connect ADDR --port P [--ports K] --count N [--no-rx]
 *
 * "serve" accepts N connections on ports P..P+K-1 and holds them until it
 * is signalled.  "connect" opens N connections to it (round robin over the
 * K ports, so more than one port range's worth fits), then installs kTLS
 * on each one in turn -- TCP_ULP "tls", TLS_TX, then TLS_RX -- timing every
 * setsockopt(), keeps them all open, samples /proc/meminfo and the netns's
 * /proc/net/tls_stat around the installation, closes them and prints one
 * JSON object.  Whether the kernel offloaded a direction to the device or
 * kept it in software is read from tls_stat (TlsCurrTxDevice, TlsCurrTxSw,
 * ...): the route of ADDR decides, as for any kTLS socket.
 *
 * Keys are random (getrandom), never printed, and wiped.  No record is
 * ever sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/tls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define MAX_PORTS 64

enum { RC_OK = 0, RC_FAIL = 1, RC_USAGE = 2, RC_SETUP = 3 };

struct opts {
	bool serve;
	const char *addr;
	unsigned int port, ports;
	unsigned long count;
	bool rx;
};

static void usage(FILE *f)
{
	fputs(
"Usage: tlsinstall serve --listen ADDR --port P [--ports K] --count N\n"
"       tlsinstall connect --connect ADDR --port P [--ports K] --count N\n"
"                          [--no-rx]\n"
"\n"
"Measures kTLS connection installation (rate, latency, memory per\n"
"connection, connections held at once) for the route to ADDR: software\n"
"kTLS, or a device offering TLS offload.\n"
"\n"
"  serve     accept N connections on ports P..P+K-1 (IPv4) and hold them\n"
"            until SIGTERM/SIGINT; prints \"listening\" on stderr\n"
"  connect   open N connections to ADDR (round robin over the K ports),\n"
"            install TCP_ULP tls + TLS_TX (+ TLS_RX unless --no-rx) with\n"
"            TLS 1.2 AES-GCM-128 random keys on each, timing every call,\n"
"            hold all of them, then close them; one JSON object on stdout\n"
"\n"
"  --ports K   listening ports (default 1, at most 64): one client address\n"
"              reaches about 64K connections per server port\n"
"  --count N   connections (default 1024)\n"
"  --no-rx     install TLS_TX only\n"
"\n"
"connect stops opening connections or installing keys when MemAvailable\n"
"falls below 1/8 of MemTotal (\"stopped_low_memory\" in the JSON, exit 1):\n"
"the maximum is then what memory allowed, without the OOM killer.\n"
"Progress every 8192 connections on stderr.\n"
"  -h, --help  this help\n"
"\n"
"Exit codes: 0 all connections opened and every setsockopt succeeded;\n"
"1 some connect or setsockopt failed (reported in the JSON); 2 usage;\n"
"3 setup error (address, listen, limits).\n", f);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || end == s || *end || *v > max || !*v ? -1 : 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	unsigned long v;
	int i;

	memset(o, 0, sizeof(*o));
	o->ports = 1;
	o->count = 1024;
	o->rx = true;
	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		exit(RC_OK);
	}
	if (!strcmp(argv[1], "serve"))
		o->serve = true;
	else if (strcmp(argv[1], "connect"))
		return -1;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(RC_OK);
		} else if (!strcmp(a, "--no-rx") && !o->serve) {
			o->rx = false;
			continue;
		}
		if (!val)
			return -1;
		i++;
		if (!strcmp(a, o->serve ? "--listen" : "--connect")) {
			o->addr = val;
		} else if (!strcmp(a, "--port")) {
			if (parse_ulong(val, 65535, &v))
				return -1;
			o->port = v;
		} else if (!strcmp(a, "--ports")) {
			if (parse_ulong(val, MAX_PORTS, &v))
				return -1;
			o->ports = v;
		} else if (!strcmp(a, "--count")) {
			if (parse_ulong(val, 1UL << 22, &v))
				return -1;
			o->count = v;
		} else {
			return -1;
		}
	}
	if (!o->addr || !o->port || o->port + o->ports - 1 > 65535)
		return -1;
	return 0;
}

static int sockaddr_of(const char *addr, unsigned int port,
		       struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	return inet_pton(AF_INET, addr, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Room for N sockets plus a few: root may raise the hard limit. */
static int raise_nofile(unsigned long n)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		fprintf(stderr, "tlsinstall: RLIMIT_NOFILE %lu: %s\n", n + 64,
			strerror(errno));
		return -1;
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int serve(const struct opts *o)
{
	struct pollfd pfd[MAX_PORTS];
	struct sockaddr_in sa;
	unsigned long accepted = 0;
	struct sigaction act;
	int *held, one = 1, rc = RC_SETUP;
	unsigned int i, nl;

	if (raise_nofile(o->count + o->ports))
		return RC_SETUP;
	held = calloc(o->count, sizeof(*held));
	if (!held) {
		fprintf(stderr, "tlsinstall: out of memory\n");
		return RC_SETUP;
	}
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	for (nl = 0; nl < o->ports; nl++) {
		pfd[nl].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		pfd[nl].events = POLLIN;
		if (pfd[nl].fd < 0)
			goto fail_listen;
		if (sockaddr_of(o->addr, o->port + nl, &sa) ||
		    setsockopt(pfd[nl].fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) ||
		    bind(pfd[nl].fd, (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(pfd[nl].fd, 65535)) {
			close(pfd[nl].fd);
			goto fail_listen;
		}
	}
	fprintf(stderr, "listening\n");
	while (!stop && accepted < o->count) {
		if (poll(pfd, nl, -1) < 0 && errno != EINTR) {
			fprintf(stderr, "tlsinstall: poll: %s\n", strerror(errno));
			goto out;
		}
		for (i = 0; i < nl && accepted < o->count; i++) {
			int fd;

			if (!(pfd[i].revents & POLLIN))
				continue;
			while (accepted < o->count &&
			       (fd = accept(pfd[i].fd, NULL, NULL)) >= 0)
				held[accepted++] = fd;
		}
	}
	/* Hold them (the peer measures with every connection open). */
	while (!stop)
		pause();
	rc = RC_OK;
out:
	while (accepted)
		close(held[--accepted]);
	while (nl--)
		close(pfd[nl].fd);
	free(held);
	return rc;
fail_listen:
	fprintf(stderr, "tlsinstall: listen %s:%u: %s\n", o->addr,
		o->port + nl, strerror(errno));
	goto out;
}

/* The /proc/meminfo fields a connection's kernel state shows up in (kB). */
static const char *const mem_keys[] = {
	"MemFree", "MemAvailable", "Slab", "SUnreclaim", "Percpu",
	"VmallocUsed", "PageTables",
};
#define N_MEM (sizeof(mem_keys) / sizeof(mem_keys[0]))

static void meminfo(long long kb[N_MEM])
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	size_t i;

	for (i = 0; i < N_MEM; i++)
		kb[i] = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < N_MEM; i++) {
			size_t l = strlen(mem_keys[i]);

			if (!strncmp(line, mem_keys[i], l) && line[l] == ':')
				kb[i] = atoll(line + l + 1);
		}
	}
	fclose(f);
}

/*
 * Below this share of MemTotal in MemAvailable the run stops opening
 * connections or installing keys, and says so: the maximum is then what
 * memory allowed, reached without calling in the OOM killer (MemAvailable
 * counts page cache and reclaimable slab that a burst of unreclaimable
 * socket and crypto allocations cannot wait for, hence the margin).
 */
#define MEM_FLOOR_SHARE 8	/* 1/8 */
#define MEM_CHECK_EVERY 64	/* connections between checks */

static bool memory_low(void)
{
	static long long total_kb;
	long long kb[N_MEM];
	char line[256];
	FILE *f;

	if (!total_kb) {
		f = fopen("/proc/meminfo", "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "MemTotal:", 9))
				total_kb = atoll(line + 9);
		if (f)
			fclose(f);
	}
	meminfo(kb);
	return kb[1] >= 0 && total_kb > 0 &&
	       kb[1] < total_kb / MEM_FLOOR_SHARE;	/* MemAvailable */
}

static const char *const stat_keys[] = {
	"TlsCurrTxSw", "TlsCurrRxSw", "TlsCurrTxDevice", "TlsCurrRxDevice",
};
#define N_STAT (sizeof(stat_keys) / sizeof(stat_keys[0]))

static void tls_stat(long long v[N_STAT])
{
	char key[64];
	long long val;
	FILE *f = fopen("/proc/net/tls_stat", "r");
	size_t i;

	for (i = 0; i < N_STAT; i++)
		v[i] = -1;
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", key, &val) == 2) {
		for (i = 0; i < N_STAT; i++)
			if (!strcmp(key, stat_keys[i]))
				v[i] = val;
	}
	fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct timing {
	double *us;		/* per call, microseconds */
	unsigned long ok, fail;
	int first_errno;
	double total_s;
};

static void timing_json(const char *name, struct timing *t, bool last)
{
	unsigned long n = t->ok;
	double *v = t->us;

	printf("  \"%s\": {\"ok\": %lu, \"fail\": %lu, \"first_error\": ",
	       name, t->ok, t->fail);
	if (t->fail)
		printf("\"%s\"", strerror(t->first_errno));
	else
		printf("null");
	printf(", \"total_s\": %.6f", t->total_s);
	if (n) {
		qsort(v, n, sizeof(*v), cmp_double);
		printf(", \"rate_per_s\": %.1f, \"min_us\": %.1f, "
		       "\"median_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f",
		       t->total_s > 0 ? (double)n / t->total_s : 0.0,
		       v[0], v[n / 2], v[(n * 99) / 100], v[n - 1]);
	}
	printf("}%s\n", last ? "" : ",");
}

/* One setsockopt, timed; failures counted with the first errno. */
static void timed(struct timing *t, int fd, int level, int name,
		  const void *val, socklen_t len)
{
	double t0 = now_s(), dt;
	int r = setsockopt(fd, level, name, val, len);

	dt = now_s() - t0;
	t->total_s += dt;
	if (r) {
		if (!t->fail++)
			t->first_errno = errno;
		return;
	}
	t->us[t->ok++] = dt * 1e6;
}

static void crypto_info(struct tls12_crypto_info_aes_gcm_128 *ci,
			unsigned long i, bool tx)
{
	memset(ci, 0, sizeof(*ci));
	ci->info.version = TLS_1_2_VERSION;
	ci->info.cipher_type = TLS_CIPHER_AES_GCM_128;
	if (getrandom(ci->key, sizeof(ci->key), 0) != sizeof(ci->key) ||
	    getrandom(ci->salt, sizeof(ci->salt), 0) != sizeof(ci->salt)) {
		fprintf(stderr, "tlsinstall: getrandom: %s\n", strerror(errno));
		exit(RC_SETUP);
	}
	memcpy(ci->iv, &i, sizeof(i) < sizeof(ci->iv) ? sizeof(i) :
	       sizeof(ci->iv));
	ci->iv[0] ^= tx ? 0 : 0x80;
}

static int do_connect(const struct opts *o)
{
	struct tls12_crypto_info_aes_gcm_128 ci;
	struct timing ulp = { 0 }, tx = { 0 }, rx = { 0 };
	long long m0[N_MEM], m1[N_MEM], m2[N_MEM], s1[N_STAT], s2[N_STAT];
	unsigned long n = 0, i;
	double t0, connect_s, close_s;
	int err = 0, *fds, rc;
	bool low_connect = false, low_install = false;
	unsigned long installed;
	size_t k;

	if (raise_nofile(o->count))
		return RC_SETUP;
	fds = calloc(o->count, sizeof(*fds));
	ulp.us = calloc(o->count, sizeof(double));
	tx.us = calloc(o->count, sizeof(double));
	rx.us = calloc(o->count, sizeof(double));
	if (!fds || !ulp.us || !tx.us || !rx.us) {
		fprintf(stderr, "tlsinstall: out of memory\n");
		return RC_SETUP;
	}
	meminfo(m0);
	t0 = now_s();
	for (n = 0; n < o->count; n++) {
		struct sockaddr_in sa;
		int fd;

		if (!(n % MEM_CHECK_EVERY) && memory_low()) {
			low_connect = true;
			break;
		}
		if (n && !(n % 8192))
			fprintf(stderr, "tlsinstall: %lu connected\n", n);
		if (sockaddr_of(o->addr, o->port + n % o->ports, &sa)) {
			fprintf(stderr, "tlsinstall: bad address %s\n", o->addr);
			return RC_USAGE;
		}
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			err = errno;
			close(fd);
			break;
		}
		fds[n] = fd;
	}
	connect_s = now_s() - t0;
	meminfo(m1);
	tls_stat(s1);
	for (i = 0; i < n; i++) {
		if (!(i % MEM_CHECK_EVERY) && memory_low()) {
			low_install = true;
			break;
		}
		if (i && !(i % 8192))
			fprintf(stderr, "tlsinstall: %lu installed\n", i);
		timed(&ulp, fds[i], SOL_TCP, TCP_ULP, "tls", sizeof("tls") - 1);
		crypto_info(&ci, i, true);
		timed(&tx, fds[i], SOL_TLS, TLS_TX, &ci, sizeof(ci));
		if (o->rx) {
			crypto_info(&ci, i, false);
			timed(&rx, fds[i], SOL_TLS, TLS_RX, &ci, sizeof(ci));
		}
	}
	explicit_bzero(&ci, sizeof(ci));
	installed = i;
	meminfo(m2);
	tls_stat(s2);
	t0 = now_s();
	for (i = 0; i < n; i++)
		close(fds[i]);
	close_s = now_s() - t0;

	printf("{\n  \"tool\": \"tlsinstall\",\n  \"count\": %lu,\n"
	       "  \"connected\": %lu,\n  \"connect_error\": ", o->count, n);
	if (err)
		printf("\"%s\",\n", strerror(err));
	else
		printf("null,\n");
	printf("  \"connect_s\": %.6f,\n  \"close_s\": %.6f,\n", connect_s,
	       close_s);
	printf("  \"installed\": %lu,\n  \"stopped_low_memory\": %s,\n",
	       installed, low_connect ? "\"connect\"" :
	       low_install ? "\"install\"" : "null");
	timing_json("ulp", &ulp, false);
	timing_json("tx", &tx, false);
	if (o->rx)
		timing_json("rx", &rx, false);
	printf("  \"tls_stat_delta\": {");
	for (k = 0; k < N_STAT; k++)
		printf("%s\"%s\": %lld", k ? ", " : "", stat_keys[k],
		       s1[k] < 0 || s2[k] < 0 ? -1 : s2[k] - s1[k]);
	/* growth of each field, kB: by the connections, by kTLS on them */
	printf("},\n  \"mem_tcp_kb\": {");
	for (k = 0; k < N_MEM; k++)
		printf("%s\"%s\": %lld", k ? ", " : "", mem_keys[k],
		       m1[k] - m0[k]);
	printf("},\n  \"mem_tls_kb\": {");
	for (k = 0; k < N_MEM; k++)
		printf("%s\"%s\": %lld", k ? ", " : "", mem_keys[k],
		       m2[k] - m1[k]);
	printf("}\n}\n");
	rc = err || low_connect || low_install || ulp.fail || tx.fail ||
	     rx.fail ? RC_FAIL : RC_OK;
	free(fds);
	free(ulp.us);
	free(tx.us);
	free(rx.us);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "tlsinstall: bad arguments (see tlsinstall --help)\n");
		return RC_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	return o.serve ? serve(&o) : do_connect(&o);
}
