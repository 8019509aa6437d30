// SPDX-License-Identifier: GPL-2.0
/* Command line parsing, validation and --help texts of tlsxfer. */
#include "xfer.h"

#include <getopt.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/hex.h"
#include "../lib/parse.h"

static const char exit_codes_help[] =
"Exit codes:\n"
"  0  success (data transferred and verified end to end)\n"
"  1  transfer or verification failed (I/O error, EBADMSG, mismatch, peer\n"
"     reported FAIL)\n"
"  2  usage error (bad option or value)\n"
"  3  setup error (resolve, connect, listen, TCP_ULP, setsockopt, file,\n"
"     certificate/key files, --require-ktls not met)\n"
"  4  --require-offload not met (the transfer itself succeeded)\n"
"  5  timeout (connect/accept or no progress for --timeout seconds)\n"
"  6  TLS handshake failed or was rejected by the peer (certificate not\n"
"     verified, no client certificate, no common cipher/version, not TLS)\n";

static void usage_modes(FILE *f)
{
	size_t i;

	fprintf(f, "Modes (--mode):\n");
	for (i = 0; i < xfer_nmodes; i++)
		fprintf(f, "  %-13s %s%s\n", xfer_modes[i].name,
			xfer_modes[i].summary, i == 0 ? " (default)" : "");
}

void xfer_usage_main(void)
{
	printf(
"Usage: tlsxfer server [options]\n"
"       tlsxfer client --connect ADDR:PORT [options]\n"
"       tlsxfer {server|client} --help\n"
"\n"
"Moves a deterministic byte stream (or a file) over TCP, plain, with\n"
"static-key kernel TLS, or after an OpenSSL TLS 1.2/1.3 handshake (userspace\n"
"TLS, keys handed to kernel TLS, or OpenSSL's own kTLS); verifies it end to\n"
"end with SHA-256 and reports the kTLS offload state of each direction\n"
"(hw/sw/none, and why not hw).  By default the client sends and the server\n"
"receives (--reverse swaps; --echo: the server echoes, the client checks).\n"
"\n");
	usage_modes(stdout);
	printf("\n%s", exit_codes_help);
}

static void usage_role(enum xfer_role role)
{
	if (role == ROLE_SERVER)
		printf(
"Usage: tlsxfer server [--listen ADDR:PORT] [options]\n"
"\n"
"Listens, serves one connection (--once, default) and exits with the status\n"
"of that transfer.  Prints \"listening on ADDR:PORT\" once listening (on\n"
"stdout; on stderr with --json so stdout stays one JSON object).\n"
"\n"
"  --listen ADDR:PORT   address to listen on (default 0.0.0.0:" XFER_DEFAULT_PORT ",\n"
"                       [::]:" XFER_DEFAULT_PORT " with -6); port 0 picks a free port\n"
"  --once               serve a single connection (default)\n"
"  --loop               serve connections one after another until killed\n"
"                       (waits for connections without timeout)\n");
	else
		printf(
"Usage: tlsxfer client --connect ADDR:PORT [options]\n"
"\n"
"  --connect ADDR:PORT  server to connect to (required)\n");
	printf(
"\n"
"ADDR is an IPv4 address, a host name or a bracketed IPv6 address\n"
"([2001:db8::1]:4433).\n"
"\n"
"Common options:\n"
"  --mode MODE          static (default), tcp, openssl, ktls, ktls-openssl\n"
"                       (see below)\n"
"  -4, -6               use IPv4 / IPv6 only\n"
"  --timeout SECONDS    connect/accept timeout and inactivity timeout during\n"
"                       the transfer (default 30; fractions allowed)\n"
"  --reverse            the server sends and the client receives\n"
"  --echo               (both ends) the client sends, the server echoes every\n"
"                       byte back and the client verifies each chunk (64K in\n"
"                       flight: --write-size <= 64K); round-trip times are\n"
"                       reported\n"
"  --no-status          the peer is not tlsxfer (openssl s_client/s_server):\n"
"                       no status line; a receiver given --bytes N stops\n"
"                       after N bytes and closes\n"
"  --json               print one JSON object on stdout instead of text\n"
"  --require-offload tx|rx|both\n"
"                       exit 4 unless the kTLS state of that direction is\n"
"                       \"hw\" both after key installation and at the end\n"
"  -h, --help           this help\n"
"\n"
"Data (sending side: the client, or the server with --reverse):\n"
"  --bytes N            bytes to send (default 64M; suffixes K, M, G, T are\n"
"                       powers of 1024).  With --file: send the first N bytes\n"
"  --seed S             pattern seed, also seeds random write sizes\n"
"                       (u64, default 1)\n"
"  --file PATH          send this file instead of the pattern\n"
"  --sendfile           send the --file with sendfile(2) (default: read+write)\n"
"  --splice             send the --file with splice(2) through a pipe\n"
"                       (--sendfile and --splice need the kernel to see\n"
"                       plaintext: not with --mode openssl)\n"
"  --write-size N|MIN-MAX\n"
"                       bytes per write()/sendfile() call: fixed, or a\n"
"                       pseudo-random size in [MIN,MAX] derived from --seed\n"
"                       (default 64K, max 64M)\n"
"\n"
"Receiving side:\n"
"  --bytes N            expect exactly N bytes of the --seed pattern (with\n"
"                       --expect-sha256: N bytes of anything)\n"
"  --seed S             expect the pattern with this seed (any length)\n"
"  --expect-sha256 HEX  expect this SHA-256 of the whole stream\n"
"  --splice             receive with splice(2): socket -> pipe -> memory\n"
"                       (the kernel TLS splice_read path; control records\n"
"                       are still read with their cmsg)\n"
"  The receiver always reads to EOF and hashes everything; on a pattern\n"
"  mismatch it reports the first differing offset.  It answers the sender\n"
"  with \"OK <bytes> <sha256>\" or \"FAIL <bytes> <sha256> <reason>\", and the\n"
"  sender checks bytes and SHA-256 against what it sent.\n"
"\n"
"Static kTLS keys (--mode static; TLS 1.2, AES-GCM):\n"
"  --key HEX            16 bytes -> AES-GCM-128, 32 bytes -> AES-GCM-256\n"
"                       (default " XFER_DEFAULT_KEY ")\n"
"  --salt HEX           4 bytes (default " XFER_DEFAULT_SALT ")\n"
"  --iv HEX             8 bytes (default " XFER_DEFAULT_IV ")\n"
"  --rec-seq N          initial record sequence number (u64, decimal or 0x\n"
"                       hex, default 0)\n"
"  --no-tx-keys         do not install TLS_TX (this side sends plaintext)\n"
"  --no-rx-keys         do not install TLS_RX (this side reads raw bytes)\n"
"  Direction convention: the key material above protects client->server\n"
"  records.  Server->client records use the same key, salt and record\n"
"  sequence number with the IV's most significant bit flipped (iv[0] ^ 0x80),\n"
"  so GCM nonces never repeat across directions.  Both ends must be given\n"
"  the same material.  Keys are never printed.\n"
"\n"
"TLS handshake (--mode openssl, ktls, ktls-openssl; TLS 1.2 and 1.3):\n"
"  --cert FILE          PEM certificate (chain); required on the server\n"
"  --cert-key FILE      PEM private key (default: in --cert)\n"
"  --ca FILE|DIR        CAs to verify the peer.  Client: verifies the server\n"
"                       (default: the system CAs) and its name (--sni or the\n"
"                       --connect host/address).  Server: with --ca, a client\n"
"                       certificate is required and verified (mutual TLS)\n"
"  --no-verify          client: do not verify the server\n"
"  --sni NAME           client: server name to send and verify; server: the\n"
"                       name clients must ask for\n"
"  --alpn LIST          comma-separated ALPN protocols (server: its order of\n"
"                       preference; no overlap fails the handshake)\n"
"  --tls 1.2|1.3|any    protocol version (default any: 1.2 or 1.3)\n"
"  --ciphers LIST       TLS 1.2 ciphers (OpenSSL syntax)\n"
"  --ciphersuites LIST  TLS 1.3 suites (e.g. TLS_AES_128_GCM_SHA256)\n"
"  --require-ktls       ktls, ktls-openssl: fail (exit 3) when the kernel\n"
"                       cannot take the session instead of continuing in\n"
"                       userspace TLS\n"
"  Mode ktls hands AES-128-GCM and AES-256-GCM sessions to the kernel;\n"
"  other ciphers (CHACHA20-POLY1305, ...) may be negotiated, and then the\n"
"  tool says so and keeps the session in userspace TLS.  The server sends\n"
"  no TLS 1.3 session tickets.  Keys are never printed and are wiped.\n"
"\n"
"Output: mode, role, addresses; after a handshake \"TLS handshake completed\n"
"successfully\", Protocol, Cipher, SNI, ALPN and the peer certificate\n"
"(Subject, Issuer, \"Certificate verified: YES/NO\"); TLS version/cipher/\n"
"keys, the egress route, then \"tx: STATE\" and \"rx: STATE\" (with the\n"
"reason when not hw) right after key installation; at the end bytes, calls,\n"
"elapsed, throughput (MB/s = 10^6 bytes/s), latency (handshake, first\n"
"byte), CPU user/sys of the data phase, \"end: tx STATE, rx STATE\", sha256\n"
"and the verdict.  STATE (from sock_diag): hw, hw-record, sw, none (no kTLS\n"
"in that direction) or unknown (query failed; the kernel reports kTLS state\n"
"to CAP_NET_ADMIN only).  --json prints the same as one object.  On a\n"
"terminal, long transfers show a progress line on stderr.\n"
"\n");
	usage_modes(stdout);
	printf("\n%s", exit_codes_help);
}

enum {
	OPT_MODE = 256, OPT_LISTEN, OPT_CONNECT, OPT_TIMEOUT, OPT_JSON,
	OPT_REVERSE, OPT_ONCE, OPT_LOOP, OPT_BYTES, OPT_SEED, OPT_FILE,
	OPT_SENDFILE, OPT_WSIZE, OPT_EXPECT, OPT_KEY, OPT_SALT, OPT_IV,
	OPT_RECSEQ, OPT_NO_TX_KEYS, OPT_NO_RX_KEYS, OPT_REQUIRE,
	OPT_SPLICE, OPT_ECHO, OPT_NO_STATUS, OPT_CERT, OPT_CERT_KEY, OPT_CA,
	OPT_NO_VERIFY, OPT_SNI, OPT_ALPN, OPT_TLS, OPT_CIPHERS,
	OPT_CIPHERSUITES, OPT_REQUIRE_KTLS,
};

static const struct option long_opts[] = {
	{ "help",            no_argument,       NULL, 'h' },
	{ "mode",            required_argument, NULL, OPT_MODE },
	{ "listen",          required_argument, NULL, OPT_LISTEN },
	{ "connect",         required_argument, NULL, OPT_CONNECT },
	{ "timeout",         required_argument, NULL, OPT_TIMEOUT },
	{ "json",            no_argument,       NULL, OPT_JSON },
	{ "reverse",         no_argument,       NULL, OPT_REVERSE },
	{ "once",            no_argument,       NULL, OPT_ONCE },
	{ "loop",            no_argument,       NULL, OPT_LOOP },
	{ "bytes",           required_argument, NULL, OPT_BYTES },
	{ "seed",            required_argument, NULL, OPT_SEED },
	{ "file",            required_argument, NULL, OPT_FILE },
	{ "sendfile",        no_argument,       NULL, OPT_SENDFILE },
	{ "write-size",      required_argument, NULL, OPT_WSIZE },
	{ "expect-sha256",   required_argument, NULL, OPT_EXPECT },
	{ "key",             required_argument, NULL, OPT_KEY },
	{ "salt",            required_argument, NULL, OPT_SALT },
	{ "iv",              required_argument, NULL, OPT_IV },
	{ "rec-seq",         required_argument, NULL, OPT_RECSEQ },
	{ "no-tx-keys",      no_argument,       NULL, OPT_NO_TX_KEYS },
	{ "no-rx-keys",      no_argument,       NULL, OPT_NO_RX_KEYS },
	{ "require-offload", required_argument, NULL, OPT_REQUIRE },
	{ "splice",          no_argument,       NULL, OPT_SPLICE },
	{ "echo",            no_argument,       NULL, OPT_ECHO },
	{ "no-status",       no_argument,       NULL, OPT_NO_STATUS },
	{ "cert",            required_argument, NULL, OPT_CERT },
	{ "cert-key",        required_argument, NULL, OPT_CERT_KEY },
	{ "ca",              required_argument, NULL, OPT_CA },
	{ "no-verify",       no_argument,       NULL, OPT_NO_VERIFY },
	{ "sni",             required_argument, NULL, OPT_SNI },
	{ "alpn",            required_argument, NULL, OPT_ALPN },
	{ "tls",             required_argument, NULL, OPT_TLS },
	{ "ciphers",         required_argument, NULL, OPT_CIPHERS },
	{ "ciphersuites",    required_argument, NULL, OPT_CIPHERSUITES },
	{ "require-ktls",    no_argument,       NULL, OPT_REQUIRE_KTLS },
	{ NULL, 0, NULL, 0 },
};

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_err(const char *fmt, ...)
{
	char buf[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errmsg("%s", buf);
	return RC_USAGE;
}

static int bad_size(const char *opt, const char *val, int err)
{
	return usage_err("%s '%s': %s", opt, val,
			 err == PARSE_RANGE ? "value out of range"
					    : "expected a number with an optional "
					      "K/M/G/T suffix");
}

/* Static key material: never echo the value (it may be a secret). */
static int parse_key(const char *val, struct static_material *sm)
{
	uint8_t tmp[KTLS_KEY_MAX];
	size_t len = 0;
	int err;

	err = hex_decode(val, tmp, sizeof(tmp), &len);
	if (err == HEX_OK && !ktls_cipher_for_key_len(len))
		err = HEX_SIZE;
	if (err) {
		OPENSSL_cleanse(tmp, sizeof(tmp));
		if (err == HEX_SIZE)
			return usage_err("--key: expected 16 or 32 bytes (32 or 64 "
					 "hex digits), got %zu bytes", len);
		if (err == HEX_BADCHAR)
			return usage_err("--key: invalid hex character at "
					 "position %zu", len);
		return usage_err("--key: %s", hex_strerror(err));
	}
	memcpy(sm->key, tmp, len);
	sm->key_len = len;
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return RC_OK;
}

static int parse_fixed_hex(const char *opt, const char *val, uint8_t *out,
			   size_t want)
{
	int err = hex_decode_exact(val, out, want);

	if (err == HEX_SIZE)
		return usage_err("%s: expected %zu bytes (%zu hex digits)", opt,
				 want, 2 * want);
	if (err)
		return usage_err("%s: %s", opt, hex_strerror(err));
	return RC_OK;
}

/* "h2,http/1.1": non-empty names of at most 255 bytes, <= 255 in all. */
static int check_alpn(const char *list)
{
	const char *p = list, *e;
	size_t n, total = 0;

	if (!*list)
		return usage_err("--alpn: empty protocol list");
	for (;;) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > 255)
			return usage_err("--alpn '%s': protocol names must be "
					 "1 to 255 bytes, comma-separated",
					 list);
		total += n + 1;
		if (!e)
			break;
		p = e + 1;
	}
	if (total > 255)
		return usage_err("--alpn '%s': list too long", list);
	return RC_OK;
}

/* Wipe a secret command-line argument (also hides it from ps). */
static void wipe_arg(char *arg)
{
	OPENSSL_cleanse(arg, strlen(arg));
	memset(arg, 'x', strlen(arg));
}

int xfer_parse_args(int argc, char **argv, struct xfer_opts *o)
{
	bool family4 = false, family6 = false;
	bool key_set = false, salt_set = false, iv_set = false;
	const char *cmd = argv[0];
	struct hostport hp;
	const char *perr;
	bool once = false;
	uint64_t v;
	int c, err, rc;

	memset(o, 0, sizeof(*o));
	if (strcmp(cmd, "server") == 0)
		o->role = ROLE_SERVER;
	else if (strcmp(cmd, "client") == 0)
		o->role = ROLE_CLIENT;
	else
		return usage_err("unknown command '%s' (expected server or "
				 "client; see --help)", cmd);
	o->mode = &xfer_modes[0];
	o->family = AF_UNSPEC;
	o->timeout = XFER_DEFAULT_TIMEOUT;
	o->bytes = XFER_DEFAULT_BYTES;
	o->seed = XFER_DEFAULT_SEED;
	o->wsize_min = o->wsize_max = XFER_DEFAULT_WRITE;
	o->tls_min = TLS1_2_VERSION;
	o->tls_max = TLS1_3_VERSION;
	o->progress = isatty(STDERR_FILENO);
	static_material_defaults(&o->sm);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h46", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage_role(o->role);
			return -1; /* caller exits 0 */
		case '4':
			family4 = true;
			break;
		case '6':
			family6 = true;
			break;
		case OPT_MODE:
			o->mode = xfer_mode_find(optarg);
			if (!o->mode)
				return usage_err("--mode: unknown mode '%s' "
						 "(static, tcp, openssl, ktls, "
						 "ktls-openssl)", optarg);
			break;
		case OPT_LISTEN:
			if (o->role != ROLE_SERVER)
				return usage_err("--listen is a server option");
			o->addr = optarg;
			break;
		case OPT_CONNECT:
			if (o->role != ROLE_CLIENT)
				return usage_err("--connect is a client option");
			o->addr = optarg;
			break;
		case OPT_TIMEOUT:
			err = parse_seconds(optarg, &o->timeout);
			if (err)
				return usage_err("--timeout '%s': expected seconds "
						 "> 0 and <= 1000000", optarg);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_REVERSE:
			o->reverse = true;
			break;
		case OPT_ONCE:
		case OPT_LOOP:
			if (o->role != ROLE_SERVER)
				return usage_err("--%s is a server option",
						 c == OPT_ONCE ? "once" : "loop");
			if (c == OPT_ONCE)
				once = true;
			else
				o->loop = true;
			break;
		case OPT_BYTES:
			err = parse_size(optarg, &o->bytes);
			if (err)
				return bad_size("--bytes", optarg, err);
			o->bytes_set = true;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed))
				return usage_err("--seed '%s': expected an unsigned "
						 "64-bit number", optarg);
			o->seed_set = true;
			break;
		case OPT_FILE:
			o->file = optarg;
			break;
		case OPT_SENDFILE:
			o->use_sendfile = true;
			break;
		case OPT_WSIZE:
			err = parse_size_range(optarg, &o->wsize_min,
					       &o->wsize_max);
			if (err == PARSE_INVALID && strchr(optarg, '-'))
				return usage_err("--write-size '%s': expected N "
						 "or MIN-MAX with MIN <= MAX",
						 optarg);
			if (err)
				return bad_size("--write-size", optarg, err);
			if (o->wsize_min < 1 || o->wsize_max > XFER_MAX_WRITE)
				return usage_err("--write-size '%s': sizes must "
						 "be between 1 and 64M", optarg);
			o->wsize_set = true;
			break;
		case OPT_EXPECT:
			rc = parse_fixed_hex("--expect-sha256", optarg,
					     o->expect_sha, SHA256_LEN);
			if (rc)
				return rc;
			o->expect_sha_set = true;
			break;
		case OPT_KEY:
			rc = parse_key(optarg, &o->sm);
			wipe_arg(optarg);
			if (rc)
				return rc;
			key_set = true;
			break;
		case OPT_SALT:
			rc = parse_fixed_hex("--salt", optarg, o->sm.salt,
					     KTLS_SALT_MAX);
			if (rc)
				return rc;
			salt_set = true;
			break;
		case OPT_IV:
			rc = parse_fixed_hex("--iv", optarg, o->sm.iv,
					     KTLS_IV_MAX);
			if (rc)
				return rc;
			iv_set = true;
			break;
		case OPT_RECSEQ:
			if (parse_u64(optarg, &v))
				return usage_err("--rec-seq '%s': expected an "
						 "unsigned 64-bit number",
						 optarg);
			o->sm.rec_seq = v;
			o->static_opt_set = true;
			break;
		case OPT_NO_TX_KEYS:
			o->no_tx_keys = true;
			o->static_opt_set = true;
			break;
		case OPT_NO_RX_KEYS:
			o->no_rx_keys = true;
			o->static_opt_set = true;
			break;
		case OPT_REQUIRE:
			if (strcmp(optarg, "tx") == 0)
				o->require = REQUIRE_TX;
			else if (strcmp(optarg, "rx") == 0)
				o->require = REQUIRE_RX;
			else if (strcmp(optarg, "both") == 0)
				o->require = REQUIRE_BOTH;
			else
				return usage_err("--require-offload '%s': "
						 "expected tx, rx or both",
						 optarg);
			break;
		case OPT_SPLICE:
			o->use_splice = true;
			break;
		case OPT_ECHO:
			o->echo = true;
			break;
		case OPT_NO_STATUS:
			o->no_status = true;
			break;
		case OPT_CERT:
			o->cert = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_CERT_KEY:
			o->cert_key = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_CA:
			o->ca = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_NO_VERIFY:
			if (o->role != ROLE_CLIENT)
				return usage_err("--no-verify is a client option "
						 "(servers verify clients only "
						 "with --ca)");
			o->no_verify = true;
			o->tls_opt_set = true;
			break;
		case OPT_SNI:
			if (!*optarg || strlen(optarg) > 253)
				return usage_err("--sni: expected a host name "
						 "of 1 to 253 characters");
			o->sni = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_ALPN:
			rc = check_alpn(optarg);
			if (rc)
				return rc;
			o->alpn = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_TLS:
			if (strcmp(optarg, "1.2") == 0) {
				o->tls_min = o->tls_max = TLS1_2_VERSION;
			} else if (strcmp(optarg, "1.3") == 0) {
				o->tls_min = o->tls_max = TLS1_3_VERSION;
			} else if (strcmp(optarg, "any") == 0) {
				o->tls_min = TLS1_2_VERSION;
				o->tls_max = TLS1_3_VERSION;
			} else {
				return usage_err("--tls '%s': expected 1.2, 1.3 "
						 "or any", optarg);
			}
			o->tls_opt_set = true;
			break;
		case OPT_CIPHERS:
			o->ciphers = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_CIPHERSUITES:
			o->ciphersuites = optarg;
			o->tls_opt_set = true;
			break;
		case OPT_REQUIRE_KTLS:
			o->require_ktls = true;
			o->tls_opt_set = true;
			break;
		case ':':
			return usage_err("option '%s' requires an argument",
					 argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				return usage_err("unknown option '-%c' (see "
						 "'tlsxfer %s --help')",
						 optopt, cmd);
			return usage_err("unknown option '%s' (see 'tlsxfer %s "
					 "--help')", argv[optind - 1], cmd);
		}
	}
	if (optind < argc)
		return usage_err("unexpected argument '%s'", argv[optind]);

	/* Cross-option validation. */
	if (key_set || salt_set || iv_set)
		o->static_opt_set = true;
	if (family4 && family6)
		return usage_err("-4 and -6 are mutually exclusive");
	o->family = family4 ? AF_INET : family6 ? AF_INET6 : AF_UNSPEC;
	if (once && o->loop)
		return usage_err("--once and --loop are mutually exclusive");
	if (o->role == ROLE_CLIENT && !o->addr)
		return usage_err("client needs --connect ADDR:PORT");
	if (o->role == ROLE_SERVER && !o->addr)
		o->addr = family6 ? "[::]:" XFER_DEFAULT_PORT
				  : "0.0.0.0:" XFER_DEFAULT_PORT;
	/* Syntax is checked here (exit 2); resolution later (exit 3). */
	perr = parse_hostport(o->addr, &hp);
	if (perr)
		return usage_err("%s '%s': %s", o->role == ROLE_SERVER ?
				 "--listen" : "--connect", o->addr, perr);
	if (hp.bracketed && family4)
		return usage_err("'%s' is an IPv6 address but -4 was given",
				 o->addr);
	if (!hp.host[0] && o->role == ROLE_CLIENT)
		return usage_err("--connect '%s': missing host", o->addr);
	if (o->static_opt_set && !(o->mode->flags & MODE_F_STATIC_KEYS))
		return usage_err("--key/--salt/--iv/--rec-seq/--no-tx-keys/"
				 "--no-rx-keys need --mode static");
	if (o->no_tx_keys && o->no_rx_keys)
		return usage_err("--no-tx-keys with --no-rx-keys installs "
				 "nothing; use --mode tcp");
	if (o->require && !(o->mode->flags & MODE_F_KTLS))
		return usage_err("--require-offload needs a kTLS mode "
				 "(--mode static, ktls or ktls-openssl)");
	if (o->tls_opt_set && !(o->mode->flags & MODE_F_HANDSHAKE))
		return usage_err("--cert/--cert-key/--ca/--no-verify/--sni/"
				 "--alpn/--tls/--ciphers/--ciphersuites/"
				 "--require-ktls need a handshake mode (--mode "
				 "openssl, ktls or ktls-openssl)");
	if (o->require_ktls && !(o->mode->flags & MODE_F_KTLS))
		return usage_err("--require-ktls needs --mode ktls or "
				 "ktls-openssl");
	if ((o->mode->flags & MODE_F_HANDSHAKE) && o->role == ROLE_SERVER &&
	    !o->cert)
		return usage_err("a TLS server needs --cert FILE (see "
				 "scripts/mkcerts.sh)");
	if (o->cert_key && !o->cert)
		return usage_err("--cert-key needs --cert");
	if (o->echo) {
		if (o->reverse)
			return usage_err("--echo and --reverse are mutually "
					 "exclusive");
		if (o->no_status)
			return usage_err("--echo has no status line anyway; "
					 "drop --no-status");
		if (o->wsize_max > XFER_ECHO_MAX_WRITE)
			return usage_err("--echo: --write-size must not exceed "
					 "64K (bytes in flight)");
		if (o->role == ROLE_CLIENT && (o->use_sendfile || o->use_splice))
			return usage_err("--echo: the client sends with write(); "
					 "drop --sendfile/--splice");
		if (o->use_sendfile)
			return usage_err("--echo: the server echoes with write(); "
					 "drop --sendfile");
	}
	if (xfer_is_sender(o)) {
		if (o->expect_sha_set)
			return usage_err("--expect-sha256 applies to the "
					 "receiving side");
	} else {
		const char *opt = o->file ? "--file" :
				  o->use_sendfile ? "--sendfile" :
				  o->wsize_set ? "--write-size" : NULL;

		if (opt)
			return usage_err("%s applies to the sending side, but "
					 "this side receives (%s)", opt,
					 o->role == ROLE_SERVER ?
					 "the client sends unless --reverse" :
					 "with --reverse the server sends");
	}
	if (o->use_sendfile && !o->file)
		return usage_err("--sendfile needs --file PATH");
	if (o->use_splice && !o->file && xfer_is_sender(o))
		return usage_err("--splice on the sending side needs --file "
				 "PATH");
	if (o->use_splice && o->use_sendfile)
		return usage_err("--splice and --sendfile are mutually "
				 "exclusive");
	if ((o->use_splice || o->use_sendfile) &&
	    strcmp(o->mode->name, "openssl") == 0)
		return usage_err("--%s: with --mode openssl the kernel never "
				 "sees plaintext (use ktls or ktls-openssl)",
				 o->use_splice ? "splice" : "sendfile");
	return RC_OK;
}
