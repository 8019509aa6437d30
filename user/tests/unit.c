// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the pure parts of the userspace tools (built with
 * ASan/UBSan by "make -C user test").  Last output line:
 * "N passed, M failed"; exit status non-zero on any failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/common.h"
#include "../lib/digest.h"
#include "../lib/hex.h"
#include "../lib/json.h"
#include "../lib/ktls.h"
#include "../lib/net.h"
#include "../lib/parse.h"
#include "../lib/pattern.h"
#include "../ctl/names.h"
#include "../xfer/keys.h"
#include "../xfer/xfer.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static int g_pass, g_fail;

#define CHECK(cond)                                                       \
	do {                                                              \
		if (cond) {                                               \
			g_pass++;                                         \
		} else {                                                  \
			g_fail++;                                         \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__,    \
			       #cond);                                    \
		}                                                         \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                \
	do {                                                              \
		uint64_t a_ = (a), b_ = (b);                              \
		if (a_ == b_) {                                           \
			g_pass++;                                         \
		} else {                                                  \
			g_fail++;                                         \
			printf("FAIL %s:%d: %s == %s (%" PRIu64 " != %"   \
			       PRIu64 ")\n", __FILE__, __LINE__, #a, #b,  \
			       a_, b_);                                   \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                    \
			g_pass++;                                         \
		} else {                                                  \
			g_fail++;                                         \
			printf("FAIL %s:%d: %s == \"%s\" (got \"%s\")\n", \
			       __FILE__, __LINE__, #a, b_ ? b_ : "(null)",\
			       a_ ? a_ : "(null)");                       \
		}                                                         \
	} while (0)

static void test_hex(void)
{
	uint8_t out[8];
	char enc[17];
	size_t len = 99;

	CHECK(hex_decode("00ff7A", out, sizeof(out), &len) == HEX_OK);
	CHECK(len == 3 && out[0] == 0x00 && out[1] == 0xff && out[2] == 0x7a);
	CHECK(hex_decode("0xDEAD", out, sizeof(out), &len) == HEX_OK);
	CHECK(len == 2 && out[0] == 0xde && out[1] == 0xad);
	/* odd length */
	CHECK(hex_decode("abc", out, sizeof(out), &len) == HEX_ODD);
	CHECK(hex_decode("0x1", out, sizeof(out), &len) == HEX_ODD);
	/* bad characters, position reported */
	CHECK(hex_decode("00g0", out, sizeof(out), &len) == HEX_BADCHAR);
	CHECK(len == 2);
	CHECK(hex_decode("00 0", out, sizeof(out), &len) == HEX_BADCHAR);
	CHECK(hex_decode("-001", out, sizeof(out), &len) == HEX_BADCHAR);
	/* empty */
	CHECK(hex_decode("", out, sizeof(out), &len) == HEX_EMPTY);
	CHECK(hex_decode("0x", out, sizeof(out), &len) == HEX_EMPTY);
	CHECK(hex_decode(NULL, out, sizeof(out), &len) == HEX_EMPTY);
	/* too long for the buffer: length still reported, nothing written */
	memset(out, 0x55, sizeof(out));
	CHECK(hex_decode("000102030405060708", out, sizeof(out), &len) ==
	      HEX_SIZE);
	CHECK(len == 9 && out[0] == 0x55);
	/* exact size */
	CHECK(hex_decode_exact("01020304", out, 4) == HEX_OK);
	CHECK(out[3] == 4);
	CHECK(hex_decode_exact("010203", out, 4) == HEX_SIZE);
	CHECK(hex_decode_exact("0102030405", out, 4) == HEX_SIZE);
	CHECK(hex_decode_exact("0102030z", out, 4) == HEX_BADCHAR);
	/* encode round trip */
	hex_encode((const uint8_t *)"\x01\xab\xff", 3, enc);
	CHECK_STR(enc, "01abff");
	CHECK(strcmp(hex_strerror(HEX_ODD), "odd number of hex digits") == 0);
}

static void test_size(void)
{
	uint64_t v = 0, lo = 0, hi = 0;

	CHECK(parse_size("0", &v) == PARSE_OK && v == 0);
	CHECK(parse_size("512", &v) == PARSE_OK && v == 512);
	CHECK(parse_size("4K", &v) == PARSE_OK && v == 4096);
	CHECK(parse_size("4k", &v) == PARSE_OK && v == 4096);
	CHECK(parse_size("64M", &v) == PARSE_OK && v == 64ULL << 20);
	CHECK(parse_size("2G", &v) == PARSE_OK && v == 2147483648ULL);
	CHECK(parse_size("3G", &v) == PARSE_OK && v == 3ULL << 30);
	CHECK(parse_size("1T", &v) == PARSE_OK && v == 1ULL << 40);
	CHECK(parse_size("16KiB", &v) == PARSE_OK && v == 16384);
	CHECK(parse_size("16KB", &v) == PARSE_OK && v == 16384);
	CHECK(parse_size("18446744073709551615", &v) == PARSE_OK &&
	      v == UINT64_MAX);
	/* overflow */
	CHECK(parse_size("18446744073709551616", &v) == PARSE_RANGE);
	CHECK(parse_size("99999999999999999999999", &v) == PARSE_RANGE);
	CHECK(parse_size("16777216T", &v) == PARSE_RANGE);
	CHECK(parse_size("16777215T", &v) == PARSE_OK &&
	      v == 16777215ULL << 40);
	CHECK(parse_size("17179869184G", &v) == PARSE_RANGE);
	/* malformed */
	CHECK(parse_size("", &v) == PARSE_INVALID);
	CHECK(parse_size("K", &v) == PARSE_INVALID);
	CHECK(parse_size("-1", &v) == PARSE_INVALID);
	CHECK(parse_size("+1", &v) == PARSE_INVALID);
	CHECK(parse_size(" 1", &v) == PARSE_INVALID);
	CHECK(parse_size("1.5G", &v) == PARSE_INVALID);
	CHECK(parse_size("10X", &v) == PARSE_INVALID);
	CHECK(parse_size("1iB", &v) == PARSE_INVALID);
	CHECK(parse_size("1MM", &v) == PARSE_INVALID);

	CHECK(parse_size_range("1-16384", &lo, &hi) == PARSE_OK &&
	      lo == 1 && hi == 16384);
	CHECK(parse_size_range("1K-2K", &lo, &hi) == PARSE_OK &&
	      lo == 1024 && hi == 2048);
	CHECK(parse_size_range("16K", &lo, &hi) == PARSE_OK &&
	      lo == 16384 && hi == 16384);
	CHECK(parse_size_range("5-1", &lo, &hi) == PARSE_INVALID);
	CHECK(parse_size_range("1-", &lo, &hi) == PARSE_INVALID);
	CHECK(parse_size_range("-5", &lo, &hi) == PARSE_INVALID);
	CHECK(parse_size_range("1-2-3", &lo, &hi) == PARSE_INVALID);
	CHECK(parse_size_range("1-99999999999999999999", &lo, &hi) ==
	      PARSE_RANGE);

	CHECK(parse_u64("0x10", &v) == PARSE_OK && v == 16);
	CHECK(parse_u64("010", &v) == PARSE_OK && v == 10);
	CHECK(parse_u64("0xffffffffffffffff", &v) == PARSE_OK &&
	      v == UINT64_MAX);
	CHECK(parse_u64("0x10000000000000000", &v) == PARSE_RANGE);
	CHECK(parse_u64("18446744073709551616", &v) == PARSE_RANGE);
	CHECK(parse_u64("12a", &v) == PARSE_INVALID);
	CHECK(parse_u64("0x", &v) == PARSE_INVALID);
	CHECK(parse_u64("", &v) == PARSE_INVALID);
}

static void test_seconds(void)
{
	double d = 0;

	CHECK(parse_seconds("30", &d) == PARSE_OK && d == 30.0);
	CHECK(parse_seconds("0.5", &d) == PARSE_OK && d == 0.5);
	CHECK(parse_seconds(".25", &d) == PARSE_OK && d == 0.25);
	CHECK(parse_seconds("0", &d) == PARSE_RANGE);
	CHECK(parse_seconds("1000001", &d) == PARSE_RANGE);
	CHECK(parse_seconds("abc", &d) == PARSE_INVALID);
	CHECK(parse_seconds("1e3", &d) == PARSE_INVALID);
	CHECK(parse_seconds("inf", &d) == PARSE_INVALID);
	CHECK(parse_seconds("-1", &d) == PARSE_INVALID);
	CHECK(parse_seconds("1.2.3", &d) == PARSE_INVALID);
	CHECK(parse_seconds(".", &d) == PARSE_INVALID);
}

static void test_hostport(void)
{
	struct hostport hp;
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[128], buf[NET_ADDRSTR_MAX];

	CHECK(parse_hostport("127.0.0.1:4433", &hp) == NULL);
	CHECK_STR(hp.host, "127.0.0.1");
	CHECK(hp.port_num == 4433 && !hp.bracketed);
	CHECK(parse_hostport("[2001:db8::1]:4433", &hp) == NULL);
	CHECK_STR(hp.host, "2001:db8::1");
	CHECK_STR(hp.port, "4433");
	CHECK(hp.bracketed);
	CHECK(parse_hostport("[::1]:0", &hp) == NULL && hp.port_num == 0);
	CHECK(parse_hostport("localhost:80", &hp) == NULL);
	CHECK_STR(hp.host, "localhost");
	CHECK(parse_hostport(":4433", &hp) == NULL && hp.host[0] == '\0');
	CHECK(parse_hostport("127.0.0.1:65535", &hp) == NULL);
	/* missing port */
	CHECK(parse_hostport("127.0.0.1", &hp) != NULL);
	CHECK(parse_hostport("127.0.0.1:", &hp) != NULL);
	CHECK(parse_hostport("[::1]", &hp) != NULL);
	CHECK(parse_hostport("[::1]:", &hp) != NULL);
	/* malformed */
	CHECK(parse_hostport("", &hp) != NULL);
	CHECK(parse_hostport("::1:4433", &hp) != NULL);
	CHECK(parse_hostport("2001:db8::1", &hp) != NULL);
	CHECK(parse_hostport("[::1]x", &hp) != NULL);
	CHECK(parse_hostport("[::1:80", &hp) != NULL);
	CHECK(parse_hostport("[]:80", &hp) != NULL);
	CHECK(parse_hostport("host:65536", &hp) != NULL);
	CHECK(parse_hostport("host:-1", &hp) != NULL);
	CHECK(parse_hostport("host:http", &hp) != NULL);
	CHECK(parse_hostport("host:99999999999999999999999", &hp) != NULL);

	/* numeric resolution needs no network */
	CHECK(net_resolve("127.0.0.1:4433", AF_UNSPEC, false, &ss, &sl, why,
			  sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET && sl == sizeof(struct sockaddr_in));
	net_format_addr((struct sockaddr *)&ss, buf, sizeof(buf));
	CHECK_STR(buf, "127.0.0.1:4433");
	CHECK(net_resolve("[2001:db8::1]:443", AF_UNSPEC, false, &ss, &sl,
			  why, sizeof(why)) == 0);
	CHECK(ss.ss_family == AF_INET6);
	net_format_addr((struct sockaddr *)&ss, buf, sizeof(buf));
	CHECK_STR(buf, "[2001:db8::1]:443");
	CHECK(net_resolve("[::1]:443", AF_INET, false, &ss, &sl, why,
			  sizeof(why)) != 0);
	CHECK(net_resolve("127.0.0.1:80", AF_INET6, false, &ss, &sl, why,
			  sizeof(why)) != 0);
	CHECK(net_resolve(":4433", AF_INET, true, &ss, &sl, why,
			  sizeof(why)) == 0);
	net_format_addr((struct sockaddr *)&ss, buf, sizeof(buf));
	CHECK_STR(buf, "0.0.0.0:4433");
	CHECK(net_resolve(":4433", AF_UNSPEC, false, &ss, &sl, why,
			  sizeof(why)) != 0);
	CHECK(net_resolve("127.0.0.1", AF_UNSPEC, false, &ss, &sl, why,
			  sizeof(why)) != 0);
	CHECK(strstr(why, "port") != NULL);
}

static void test_pattern(void)
{
	enum { N = 4099 };
	uint8_t *a = malloc(N), *b = malloc(N), *c = malloc(N);
	struct pattern p, q;
	size_t off, step;

	if (!a || !b || !c) {
		CHECK(!"malloc");
		goto out;
	}
	/* Pinned values: the stream must never change across versions. */
	CHECK_EQ_U64(pattern_block(0, 0), 0xe220a8397b1dcdafULL);
	CHECK_EQ_U64(pattern_block(0, 1), 0x6e789e6aa1b965f4ULL);
	pattern_init(&p, 0);
	pattern_fill(&p, a, 9);
	CHECK(a[0] == 0xaf && a[7] == 0xe2 && a[8] == 0xf4);

	/* Same seed -> same bytes; different seed -> different bytes. */
	pattern_init(&p, 42);
	pattern_fill(&p, a, N);
	pattern_init(&q, 42);
	pattern_fill(&q, b, N);
	CHECK(memcmp(a, b, N) == 0);
	CHECK(p.off == N);
	pattern_init(&q, 43);
	pattern_fill(&q, b, N);
	CHECK(memcmp(a, b, N) != 0);

	/* Chunking does not matter (odd chunk sizes cross block edges). */
	for (step = 1; step <= 17; step += 3) {
		pattern_init(&q, 42);
		for (off = 0; off < N; off += step)
			pattern_fill(&q, b + off, off + step > N ? N - off : step);
		CHECK(memcmp(a, b, N) == 0);
	}
	/* Seeking equals slicing. */
	pattern_init(&q, 42);
	pattern_seek(&q, 1001);
	pattern_fill(&q, b, 500);
	CHECK(memcmp(a + 1001, b, 500) == 0);

	/* pattern_check finds the first differing byte. */
	memcpy(b, a, N);
	pattern_init(&q, 42);
	CHECK(pattern_check(&q, b, N, c) == N);
	b[3000] ^= 1;
	b[3500] ^= 1;
	pattern_init(&q, 42);
	CHECK(pattern_check(&q, b, N, c) == 3000);
	pattern_init(&q, 42);
	pattern_seek(&q, 2000);
	CHECK(pattern_check(&q, b + 2000, 2000, c) == 1000);

	/* PRNG: deterministic and in range. */
	{
		struct prng r1, r2;
		int i, inrange = 1, same = 1, hit_lo = 0, hit_hi = 0;

		prng_init(&r1, 7);
		prng_init(&r2, 7);
		for (i = 0; i < 100000; i++) {
			uint64_t x = prng_range(&r1, 1, 16);
			uint64_t y = prng_range(&r2, 1, 16);

			same &= x == y;
			inrange &= x >= 1 && x <= 16;
			hit_lo |= x == 1;
			hit_hi |= x == 16;
		}
		CHECK(same && inrange && hit_lo && hit_hi);
		prng_init(&r1, 0);
		CHECK(prng_next(&r1) != 0);
		CHECK(prng_range(&r1, 5, 5) == 5);
	}
out:
	free(a);
	free(b);
	free(c);
}

static void test_static_keys(void)
{
	struct static_material sm;
	struct ktls_params c2s, s2c;
	int i, same = 1;

	static_material_defaults(&sm);
	CHECK(sm.key_len == 16);
	CHECK(static_params(&sm, DIRN_C2S, &c2s) == 0);
	CHECK(static_params(&sm, DIRN_S2C, &s2c) == 0);
	CHECK(c2s.version == TLS_1_2_VERSION);
	CHECK(c2s.cipher == TLS_CIPHER_AES_GCM_128);
	/* C2S uses the material as given. */
	CHECK(memcmp(c2s.key, sm.key, 16) == 0);
	CHECK(memcmp(c2s.salt, sm.salt, 4) == 0);
	CHECK(memcmp(c2s.iv, sm.iv, 8) == 0);
	/* S2C: same key/salt/seq, IV top bit flipped, nothing else. */
	CHECK(memcmp(s2c.key, c2s.key, sizeof(c2s.key)) == 0);
	CHECK(memcmp(s2c.salt, c2s.salt, sizeof(c2s.salt)) == 0);
	CHECK(memcmp(s2c.rec_seq, c2s.rec_seq, sizeof(c2s.rec_seq)) == 0);
	CHECK(s2c.iv[0] == (uint8_t)(c2s.iv[0] ^ 0x80));
	for (i = 1; i < 8; i++)
		same &= s2c.iv[i] == c2s.iv[i];
	CHECK(same);
	CHECK(memcmp(s2c.iv, c2s.iv, 8) != 0);

	/* IV with the top bit already set flips back to clear. */
	sm.iv[0] = 0xff;
	CHECK(static_params(&sm, DIRN_S2C, &s2c) == 0 && s2c.iv[0] == 0x7f);

	/* 32-byte key -> AES-GCM-256; record sequence is big endian. */
	memset(sm.key, 0xaa, 32);
	sm.key_len = 32;
	sm.rec_seq = 0x0102030405060708ULL;
	CHECK(static_params(&sm, DIRN_C2S, &c2s) == 0);
	CHECK(c2s.cipher == TLS_CIPHER_AES_GCM_256);
	CHECK(memcmp(c2s.key, sm.key, 32) == 0);
	CHECK(c2s.rec_seq[0] == 1 && c2s.rec_seq[7] == 8);

	/* Unsupported key length. */
	sm.key_len = 24;
	CHECK(static_params(&sm, DIRN_C2S, &c2s) == -EINVAL);

	static_material_cleanse(&sm);
	CHECK(sm.key_len == 0 && sm.key[0] == 0);
	CHECK(ktls_cipher_for_key_len(16) == TLS_CIPHER_AES_GCM_128);
	CHECK(ktls_cipher_for_key_len(32) == TLS_CIPHER_AES_GCM_256);
	CHECK(ktls_cipher_for_key_len(24) == 0);
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	if (!f) {
		CHECK(!"open_memstream");
		return;
	}
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_str(&j, "s", "a\"b\\c\nd\x01");
	json_u64(&j, "n", UINT64_MAX);
	json_i64(&j, "i", -5);
	json_double(&j, "d", 1.5, 2);
	json_double(&j, "nan", 0.0 / 0.0, 2);
	json_bool(&j, "t", true);
	json_str(&j, "z", NULL);
	json_arr_begin(&j, "a");
	json_u64(&j, NULL, 1);
	json_obj_begin(&j, NULL);
	json_obj_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	CHECK(json_finish(&j) == 0);
	fclose(f);
	CHECK_STR(buf, "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\","
		       "\"n\":18446744073709551615,\"i\":-5,\"d\":1.50,"
		       "\"nan\":null,\"t\":true,\"z\":null,\"a\":[1,{}]}\n");
	free(buf);

	/* Unbalanced documents are flagged. */
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	CHECK(json_finish(&j) != 0);
	fclose(f);
	free(buf);
}

static void test_sha256(void)
{
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	struct sha256 h;

	CHECK(sha256_buf("abc", 3, d) == 0);
	sha256_hex(d, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
		       "b00361a396177a9cb410ff61f20015ad");
	CHECK(sha256_init(&h) == 0);
	CHECK(sha256_update(&h, "a", 1) == 0);
	CHECK(sha256_update(&h, "bc", 2) == 0);
	CHECK(sha256_final(&h, d) == 0);
	sha256_free(&h);
	sha256_hex(d, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
		       "b00361a396177a9cb410ff61f20015ad");
}

static void test_misc(void)
{
	char b[16];

	CHECK_STR(ktls_cipher_name(TLS_CIPHER_AES_GCM_128, b, sizeof(b)),
		  "aes-gcm-128");
	CHECK_STR(ktls_cipher_name(999, b, sizeof(b)), "cipher-999");
	CHECK_STR(ktls_version_name(TLS_1_2_VERSION, b, sizeof(b)), "1.2");
	CHECK_STR(rc_name(RC_OFFLOAD), "offload");
	CHECK_STR(rc_name(RC_TIMEOUT), "timeout");
}

/* Hex string -> bytes for test vectors (aborts the test on bad input). */
static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t len = 0;

	if (hex_decode(s, out, max, &len) != HEX_OK)
		return 0;
	return len;
}

#define CHECK_HEX(buf, len, hexstr)                                        \
	do {                                                              \
		uint8_t want_[128];                                       \
		size_t wl_ = unhex(hexstr, want_, sizeof(want_));         \
		CHECK(wl_ == (len) && memcmp((buf), want_, wl_) == 0);    \
	} while (0)

/*
 * TLS 1.2 PRF: the published P_SHA256 test vector (secret 9bbe..., label
 * "test label"), and key blocks for fixed inputs computed independently
 * with the openssl CLI:
 *   openssl kdf -keylen 40 -kdfopt digest:SHA256 -kdfopt hexsecret:$MS \
 *     -kdfopt seed:"key expansion" -kdfopt hexseed:$SR$CR TLS1-PRF
 * with MS = 00 01 .. 2f, CR = 40 41 .. 5f, SR = 60 61 .. 7f (and -keylen
 * 72 with SHA384).
 */
static void test_tls12_kdf(void)
{
	static const char prf_want[] =
		"e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
		"6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
		"4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
		"87347b66";
	static const char blk128[] =
		"423c50f2f6b72c3836113ba32c7996015c603cd23c2778884a8cd4c5bd1f53e5"
		"53838d6edc7e8f68";
	static const char blk256[] =
		"9498a22079475afce3772b5145a3f652c06381f361b1a147322936f2dab18af4"
		"7a3753265071673274ef2d9b82d64367336b2998d67b673c5e1b1f03808a3705"
		"7f6581b540e8a926";
	uint8_t secret[16], seed[16], out[100], ms[48], cr[32], sr[32];
	uint8_t block[72];
	struct ktls_params c2s, s2c;
	size_t i;

	unhex("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
	unhex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
	CHECK(keys_tls12_prf("SHA256", secret, 16, "test label", seed, 16,
			     NULL, 0, out, sizeof(out)) == 0);
	CHECK_HEX(out, sizeof(out), prf_want);

	for (i = 0; i < 48; i++)
		ms[i] = (uint8_t)i;
	for (i = 0; i < 32; i++) {
		cr[i] = (uint8_t)(0x40 + i);
		sr[i] = (uint8_t)(0x60 + i);
	}
	/* AES-128-GCM, SHA-256 PRF: c key, s key, c salt, s salt. */
	unhex(blk128, block, sizeof(block));
	CHECK(keys_tls12_params("SHA256", ms, 48, cr, sr,
				TLS_CIPHER_AES_GCM_128, true, 1, &c2s) == 0);
	CHECK(keys_tls12_params("SHA256", ms, 48, cr, sr,
				TLS_CIPHER_AES_GCM_128, false, 1, &s2c) == 0);
	CHECK(c2s.version == TLS_1_2_VERSION && c2s.cipher == TLS_CIPHER_AES_GCM_128);
	CHECK(memcmp(c2s.key, block, 16) == 0);
	CHECK(memcmp(s2c.key, block + 16, 16) == 0);
	CHECK(memcmp(c2s.salt, block + 32, 4) == 0);
	CHECK(memcmp(s2c.salt, block + 36, 4) == 0);
	CHECK_HEX(c2s.rec_seq, 8, "0000000000000001");
	/* explicit nonce starts at the record sequence number */
	CHECK(memcmp(c2s.iv, c2s.rec_seq, 8) == 0);
	/* AES-256-GCM, SHA-384 PRF */
	unhex(blk256, block, sizeof(block));
	CHECK(keys_tls12_params("SHA384", ms, 48, cr, sr,
				TLS_CIPHER_AES_GCM_256, true, 7, &c2s) == 0);
	CHECK(keys_tls12_params("SHA384", ms, 48, cr, sr,
				TLS_CIPHER_AES_GCM_256, false, 7, &s2c) == 0);
	CHECK(memcmp(c2s.key, block, 32) == 0);
	CHECK(memcmp(s2c.key, block + 32, 32) == 0);
	CHECK(memcmp(c2s.salt, block + 64, 4) == 0);
	CHECK(memcmp(s2c.salt, block + 68, 4) == 0);
	CHECK_HEX(s2c.rec_seq, 8, "0000000000000007");
	/* not a cipher the hand-off takes */
	CHECK(keys_tls12_params("SHA256", ms, 48, cr, sr,
				TLS_CIPHER_CHACHA20_POLY1305, true, 1,
				&c2s) == -EINVAL);
	ktls_params_cleanse(&c2s);
	ktls_params_cleanse(&s2c);
}

/*
 * HKDF-Expand-Label: RFC 8448 section 3 (Simple 1-RTT Handshake) traffic
 * keys, and a SHA-384 case computed with the openssl CLI (TLS13-KDF,
 * EXPAND_ONLY, prefix "tls13 ", secret 00 01 .. 2f).
 */
static void test_tls13_kdf(void)
{
	static const struct {
		const char *secret, *key, *iv;
	} v[] = {
		{ /* server handshake traffic secret */
		  "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38",
		  "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30" },
		{ /* client handshake traffic secret */
		  "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21",
		  "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f" },
		{ /* server application traffic secret 0 */
		  "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643",
		  "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984" },
		{ /* client application traffic secret 0 */
		  "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5",
		  "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9" },
	};
	uint8_t secret[48], key[32], iv[12];
	struct ktls_params p;
	size_t i, sl;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		sl = unhex(v[i].secret, secret, sizeof(secret));
		CHECK(keys_hkdf_expand_label("SHA256", secret, sl, "key", NULL,
					     0, key, 16) == 0);
		CHECK_HEX(key, 16, v[i].key);
		CHECK(keys_hkdf_expand_label("SHA256", secret, sl, "iv", NULL,
					     0, iv, 12) == 0);
		CHECK_HEX(iv, 12, v[i].iv);
	}
	/* kTLS layout: salt = iv[0..3], iv = iv[4..11], seq as given */
	sl = unhex(v[3].secret, secret, sizeof(secret));
	CHECK(keys_tls13_params("SHA256", secret, sl, TLS_CIPHER_AES_GCM_128,
				0, &p) == 0);
	CHECK(p.version == TLS_1_3_VERSION && p.cipher == TLS_CIPHER_AES_GCM_128);
	CHECK_HEX(p.key, 16, v[3].key);
	CHECK_HEX(p.salt, 4, "5b78923d");
	CHECK_HEX(p.iv, 8, "ee08579033e523d9");
	CHECK_HEX(p.rec_seq, 8, "0000000000000000");

	for (i = 0; i < 48; i++)
		secret[i] = (uint8_t)i;
	CHECK(keys_tls13_params("SHA384", secret, 48, TLS_CIPHER_AES_GCM_256,
				3, &p) == 0);
	CHECK_HEX(p.key, 32, "6877d022f1c61d24ebb7487c16752d9a"
			     "4798e40431c75b39320e537c90e23225");
	CHECK_HEX(p.salt, 4, "42822531");
	CHECK_HEX(p.iv, 8, "a0fe88648fc09e9f");
	CHECK_HEX(p.rec_seq, 8, "0000000000000003");
	CHECK(keys_tls13_params("SHA256", secret, 32, 0, 0, &p) == -EINVAL);
	ktls_params_cleanse(&p);
}

static void test_keylog(void)
{
	static const char line[] =
		"CLIENT_TRAFFIC_SECRET_0 "
		"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f "
		"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";
	uint8_t rnd[32], sec[64];
	size_t len = 99;

	CHECK(keys_parse_keylog(line, "CLIENT_TRAFFIC_SECRET_0", rnd, sec,
				sizeof(sec), &len) == 1);
	CHECK(len == 32 && sec[0] == 0x9e && sec[31] == 0xa5);
	CHECK(rnd[0] == 0x40 && rnd[31] == 0x5f);
	/* another label: secret and length stay as they were */
	CHECK(keys_parse_keylog(line, "SERVER_TRAFFIC_SECRET_0", rnd, sec,
				sizeof(sec), &len) == 0);
	CHECK(len == 32 && sec[0] == 0x9e);
	CHECK(keys_parse_keylog("CLIENT_TRAFFIC_SECRET_0 zz 00", 
				"CLIENT_TRAFFIC_SECRET_0", rnd, sec,
				sizeof(sec), &len) == -1);
	CHECK(keys_parse_keylog("CLIENT_TRAFFIC_SECRET_0 "
				"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
				"CLIENT_TRAFFIC_SECRET_0", rnd, sec,
				sizeof(sec), &len) == -1 && len == 0);
	CHECK(keys_parse_keylog("", "X", NULL, sec, sizeof(sec), &len) == -1);
	CHECK(keys_parse_keylog("EXPORTER_SECRET 00 00", "X", NULL, sec,
				sizeof(sec), &len) == 0);
	OPENSSL_cleanse(sec, sizeof(sec));
}

/*
 * End to end without a kernel: a real OpenSSL handshake over memory BIOs,
 * keys_from_ssl() on both ends, then the first application record each
 * side writes is opened with the derived parameters (key, salt/IV and
 * record sequence number: exactly what the kernel would use).
 */
static struct keys_tls13_secrets g_sec[2]; /* [SSL_is_server] */

static void unit_keylog_cb(const SSL *ssl, const char *line)
{
	struct keys_tls13_secrets *s = &g_sec[SSL_is_server(ssl) ? 1 : 0];

	if (keys_parse_keylog(line, "CLIENT_TRAFFIC_SECRET_0", NULL, s->client,
			      sizeof(s->client), &s->client_len) == 0)
		keys_parse_keylog(line, "SERVER_TRAFFIC_SECRET_0", NULL,
				  s->server, sizeof(s->server),
				  &s->server_len);
}

/* Decrypt one TLS record with kTLS-style parameters (EVP AES-GCM). */
static int open_record(const struct ktls_params *p, const uint8_t *rec,
		       size_t len, uint8_t *out, size_t *outlen)
{
	const EVP_CIPHER *aead = p->cipher == TLS_CIPHER_AES_GCM_128 ?
				 EVP_aes_128_gcm() : EVP_aes_256_gcm();
	EVP_CIPHER_CTX *ctx;
	uint8_t nonce[12], aad[13];
	const uint8_t *ct;
	size_t rlen, ctlen, aadlen, i;
	int n, ok = 0;

	if (len < 5)
		return -1;
	rlen = (size_t)rec[3] << 8 | rec[4];
	if (rec[0] != 23 || 5 + rlen != len || rlen < 16 + 8)
		return -1;
	memcpy(nonce, p->salt, 4);
	if (p->version == TLS_1_2_VERSION) {
		memcpy(nonce + 4, rec + 5, 8);          /* explicit nonce */
		ct = rec + 13;
		ctlen = rlen - 8 - 16;
		memcpy(aad, p->rec_seq, 8);
		aad[8] = 23;
		aad[9] = 3;
		aad[10] = 3;
		aad[11] = (uint8_t)(ctlen >> 8);
		aad[12] = (uint8_t)ctlen;
		aadlen = 13;
	} else {
		memcpy(nonce + 4, p->iv, 8);
		for (i = 0; i < 8; i++)
			nonce[4 + i] ^= p->rec_seq[i];
		ct = rec + 5;
		ctlen = rlen - 16;
		memcpy(aad, rec, 5);
		aadlen = 5;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (ctx &&
	    EVP_DecryptInit_ex(ctx, aead, NULL, p->key, nonce) &&
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) &&
	    EVP_DecryptUpdate(ctx, out, &n, ct, (int)ctlen) &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16,
				(void *)(ct + ctlen)) &&
	    EVP_DecryptFinal_ex(ctx, out + n, &n))
		ok = 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -1;
	*outlen = ctlen;
	if (p->version == TLS_1_3_VERSION) {
		/* inner plaintext: data || content type || zero padding */
		while (*outlen && out[*outlen - 1] == 0)
			(*outlen)--;
		if (!*outlen || out[*outlen - 1] != 23)
			return -1;
		(*outlen)--;
	}
	return 0;
}

static bool pump_handshake(SSL *cli, SSL *srv)
{
	int i, rc, rs, ec, es;

	/* SSL_get_error() right after each call: the other side's writes
	 * reset the shared BIO's retry flags. */
	for (i = 0; i < 20; i++) {
		rc = SSL_do_handshake(cli);
		ec = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(cli, rc);
		rs = SSL_do_handshake(srv);
		es = rs == 1 ? SSL_ERROR_NONE : SSL_get_error(srv, rs);
		if (rc == 1 && rs == 1)
			return true;
		if ((ec != SSL_ERROR_NONE && ec != SSL_ERROR_WANT_READ) ||
		    (es != SSL_ERROR_NONE && es != SSL_ERROR_WANT_READ))
			return false;
	}
	return false;
}

/* Write @msg on @from; open the record from @wire with @p. */
static bool record_opens(SSL *from, BIO *wire, const struct ktls_params *p,
			 const char *msg)
{
	uint8_t rec[512], plain[512];
	size_t plen = 0;
	int n;

	if (SSL_write(from, msg, (int)strlen(msg)) != (int)strlen(msg))
		return false;
	struct ktls_params off_by_one = *p;

	n = BIO_read(wire, rec, sizeof(rec));
	if (n <= 0 || BIO_pending(wire))
		return false; /* exactly one record expected */
	/* The sequence number matters: one off must not open. */
	off_by_one.rec_seq[7] ^= 1;
	if (open_record(&off_by_one, rec, (size_t)n, plain, &plen) == 0)
		return false;
	return open_record(p, rec, (size_t)n, plain, &plen) == 0 &&
	       plen == strlen(msg) && memcmp(plain, msg, plen) == 0;
}

/*
 * A client and a server SSL talking through two memory BIOs (@c2s, @s2c:
 * each SSL owns a reference, the caller may look into them). False, with
 * nothing left allocated, when an allocation fails.
 */
static bool ssl_pair(SSL_CTX *sctx, SSL_CTX *cctx, SSL **cli, SSL **srv,
		     BIO **c2s, BIO **s2c)
{
	*cli = SSL_new(cctx);
	*srv = SSL_new(sctx);
	*c2s = BIO_new(BIO_s_mem());
	*s2c = BIO_new(BIO_s_mem());
	if (!*cli || !*srv || !*c2s || !*s2c) {
		SSL_free(*cli);
		SSL_free(*srv);
		BIO_free(*c2s);
		BIO_free(*s2c);
		*cli = *srv = NULL;
		CHECK(!"allocation");
		return false;
	}
	BIO_set_mem_eof_return(*c2s, -1);
	BIO_set_mem_eof_return(*s2c, -1);
	BIO_up_ref(*c2s);
	BIO_up_ref(*s2c);
	SSL_set_bio(*cli, *s2c, *c2s);
	SSL_set_bio(*srv, *c2s, *s2c);
	SSL_set_connect_state(*cli);
	SSL_set_accept_state(*srv);
	return true;
}

static void handoff_case(SSL_CTX *sctx, SSL_CTX *cctx, int version,
			 const char *suite, int want_err)
{
	struct ktls_params ctx_, crx, stx, srx;
	SSL *cli, *srv;
	BIO *c2s, *s2c;
	bool ok;

	memset(g_sec, 0, sizeof(g_sec));
	if (!ssl_pair(sctx, cctx, &cli, &srv, &c2s, &s2c))
		goto out;
	SSL_set_min_proto_version(cli, version);
	SSL_set_max_proto_version(cli, version);
	if (version == TLS1_3_VERSION)
		CHECK(SSL_set_ciphersuites(cli, suite) == 1);
	else
		CHECK(SSL_set_cipher_list(cli, suite) == 1);
	ok = pump_handshake(cli, srv);
	CHECK(ok);
	if (!ok) {
		printf("  handshake failed: %s %s\n", suite,
		       ERR_reason_error_string(ERR_peek_error()));
		ERR_clear_error();
		goto out;
	}
	CHECK(strcmp(SSL_CIPHER_get_name(SSL_get_current_cipher(cli)),
		     suite) == 0);
	/* Nothing buffered on either side at hand-off time. */
	CHECK(!keys_ssl_holds_records(cli) && !keys_ssl_holds_records(srv));

	CHECK(keys_from_ssl(cli, &g_sec[0], &ctx_, &crx) == want_err);
	CHECK(keys_from_ssl(srv, &g_sec[1], &stx, &srx) == want_err);
	if (want_err)
		goto out;
	/* Both ends agree on each direction. */
	CHECK(memcmp(&ctx_, &srx, sizeof(ctx_)) == 0);
	CHECK(memcmp(&crx, &stx, sizeof(crx)) == 0);
	CHECK(memcmp(&ctx_, &stx, sizeof(ctx_)) != 0);
	CHECK_EQ_U64(ctx_.rec_seq[7], version == TLS1_2_VERSION ? 1 : 0);
	/* The peers' own first records open with the derived keys. */
	CHECK(record_opens(cli, c2s, &ctx_, "client -> server, first record"));
	CHECK(record_opens(srv, s2c, &stx, "server -> client, first record"));
out:
	ktls_params_cleanse(&ctx_);
	ktls_params_cleanse(&crx);
	ktls_params_cleanse(&stx);
	ktls_params_cleanse(&srx);
	OPENSSL_cleanse(g_sec, sizeof(g_sec));
	SSL_free(cli);
	SSL_free(srv);
}

/*
 * A TLS 1.2 server's first record, sent right after its Finished, reaches
 * the client before the client's handshake returns: whether read ahead by
 * OpenSSL (@read_ahead) or left in the read BIO, a hand-off then would lose
 * it, and keys_ssl_holds_records() says so until the client has read it.
 */
static void held_records_case(SSL_CTX *sctx, SSL_CTX *cctx, int read_ahead)
{
	SSL *cli, *srv;
	BIO *c2s, *s2c;
	int i, rc = 0, rs = 0, n = 0;
	char buf[16];

	if (!ssl_pair(sctx, cctx, &cli, &srv, &c2s, &s2c))
		return;
	SSL_set_max_proto_version(cli, TLS1_2_VERSION);
	SSL_set_read_ahead(cli, read_ahead);
	/* In TLS 1.2 the server finishes first. */
	for (i = 0; i < 20 && rs != 1; i++) {
		rc = SSL_do_handshake(cli);
		rs = SSL_do_handshake(srv);
	}
	CHECK(rs == 1 && rc != 1);
	CHECK(SSL_write(srv, "early", 5) == 5);
	CHECK(SSL_do_handshake(cli) == 1);
	CHECK(keys_ssl_holds_records(cli));
	if (read_ahead)
		CHECK(SSL_has_pending(cli));
	else
		CHECK(BIO_pending(s2c) > 0);
	n = SSL_read(cli, buf, sizeof(buf));
	CHECK(n == 5 && memcmp(buf, "early", 5) == 0);
	CHECK(!keys_ssl_holds_records(cli));
	SSL_free(cli);
	SSL_free(srv);
}

static void test_handoff_keys(void)
{
	EVP_PKEY *pk = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());

	if (!pk || !x || !sctx || !cctx) {
		CHECK(!"setup");
		goto out;
	}
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"unit", -1, -1, 0);
	X509_set_issuer_name(x, name);
	CHECK(X509_sign(x, pk, EVP_sha256()) > 0);
	CHECK(SSL_CTX_use_certificate(sctx, x) == 1);
	CHECK(SSL_CTX_use_PrivateKey(sctx, pk) == 1);
	/* as tlsxfer's server: no TLS 1.3 tickets, no read-ahead */
	SSL_CTX_set_num_tickets(sctx, 0);
	SSL_CTX_set_keylog_callback(sctx, unit_keylog_cb);
	SSL_CTX_set_keylog_callback(cctx, unit_keylog_cb);

	handoff_case(sctx, cctx, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", 0);
	handoff_case(sctx, cctx, TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", 0);
	handoff_case(sctx, cctx, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", 0);
	handoff_case(sctx, cctx, TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", 0);
	/* negotiable, but not something the kernel hand-off takes */
	handoff_case(sctx, cctx, TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256",
		     -EINVAL);
	handoff_case(sctx, cctx, TLS1_2_VERSION,
		     "ECDHE-ECDSA-CHACHA20-POLY1305", -EINVAL);
	held_records_case(sctx, cctx, 0);
	held_records_case(sctx, cctx, 1);
out:
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	X509_free(x);
	EVP_PKEY_free(pk);
}

/* ctl_rule_parse of a command line in one string; 0 or -1, @err set */
static int rule_parse_str(enum ctl_rule r, const char *line,
			  struct ctl_rule_arg *out, char *err, size_t errlen)
{
	char buf[256], *argv[16], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 16;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	err[0] = '\0';
	return ctl_rule_parse(r, argc, argv, out, err, errlen);
}

static void test_ctl_names(void)
{
	struct ctl_rule_arg a;
	char err[160], buf[32];

	/* resync modes, both ways */
	CHECK_STR(ctl_tx_resync_name(TLSDEV_TX_RESYNC_REQUEST), "request");
	CHECK_STR(ctl_rx_resync_name(TLSDEV_RX_RESYNC_REQUEST), "request");
	CHECK_STR(ctl_rx_resync_name(TLSDEV_RX_RESYNC_HINT), "hint");
	CHECK_STR(ctl_rx_resync_name(TLSDEV_RX_RESYNC_ASYNC), "async");
	CHECK_STR(ctl_rx_resync_name(99), "?");
	CHECK(ctl_rx_resync_parse("request") == TLSDEV_RX_RESYNC_REQUEST);
	CHECK(ctl_rx_resync_parse("hint") == TLSDEV_RX_RESYNC_HINT);
	CHECK(ctl_rx_resync_parse("async") == TLSDEV_RX_RESYNC_ASYNC);
	CHECK(ctl_rx_resync_parse("replay") == -1);
	CHECK(ctl_rx_resync_parse("") == -1);
	CHECK(ctl_tx_resync_parse("async") == -1);

	/* fault actions, including the RX ones */
	CHECK(ctl_fault_action_parse("corrupt") == TLSDEV_FAULT_ACT_CORRUPT);
	CHECK(ctl_fault_action_parse("desync") == TLSDEV_FAULT_ACT_DESYNC);
	CHECK(ctl_fault_action_parse("none") == TLSDEV_FAULT_ACT_NONE);
	CHECK(ctl_fault_action_parse("Drop") == -1);
	CHECK_STR(ctl_fault_action_name(TLSDEV_FAULT_ACT_DESYNC), "desync");
	CHECK(ctl_fault_action_parse("hold") == TLSDEV_FAULT_ACT_HOLD);
	CHECK_STR(ctl_fault_action_name(TLSDEV_FAULT_ACT_HOLD), "hold");
	CHECK_STR(ctl_fault_action_name(__TLSDEV_FAULT_ACT_MAX), "?");

	/* RX states, and a state this tool does not know */
	CHECK_STR(ctl_rx_state_name(TLSDEV_CONN_RX_STATE_SYNC, buf, sizeof(buf)), "sync");
	CHECK_STR(ctl_rx_state_name(TLSDEV_CONN_RX_STATE_SEARCH, buf, sizeof(buf)), "search");
	CHECK_STR(ctl_rx_state_name(TLSDEV_CONN_RX_STATE_CONFIRM, buf, sizeof(buf)), "confirm");
	CHECK_STR(ctl_rx_state_name(TLSDEV_CONN_RX_STATE_HINT, buf, sizeof(buf)), "hint");
	CHECK_STR(ctl_rx_state_name(7, buf, sizeof(buf)), "state-7");
	CHECK_STR(ctl_rx_state_name(4000000000u, buf, sizeof(buf)), "state-4000000000");

	/* rule names */
	CHECK(ctl_rule_parse_name("tx") == CTL_RULE_TX);
	CHECK(ctl_rule_parse_name("rx") == CTL_RULE_RX);
	CHECK(ctl_rule_parse_name("rx-async") == CTL_RULE_RX_ASYNC);
	CHECK(ctl_rule_parse_name("rx_async") == -1);
	CHECK(ctl_rule_parse_name("add-fail") == -1);
	CHECK_STR(ctl_rule_name(CTL_RULE_RX_ASYNC), "rx-async");

	/* rules */
	CHECK(rule_parse_str(CTL_RULE_RX, "corrupt nth 5", &a, err, sizeof(err)) == 0);
	CHECK(a.action == TLSDEV_FAULT_ACT_CORRUPT && a.has_nth && a.nth == 5 &&
	      !a.has_every);
	CHECK(rule_parse_str(CTL_RULE_RX, "desync every 0x10 nth 3", &a, err,
			     sizeof(err)) == 0);
	CHECK(a.action == TLSDEV_FAULT_ACT_DESYNC && a.nth == 3 &&
	      a.has_every && a.every == 16);
	CHECK(rule_parse_str(CTL_RULE_RX_ASYNC, "delay nth 1 every 0", &a, err,
			     sizeof(err)) == 0);
	CHECK(a.action == TLSDEV_FAULT_ACT_DELAY && a.has_every && a.every == 0);
	CHECK(rule_parse_str(CTL_RULE_RX, "none", &a, err, sizeof(err)) == 0);
	CHECK(a.action == TLSDEV_FAULT_ACT_NONE && !a.has_nth && !a.has_every);
	/* the kernel, not the parser, says which actions a rule takes */
	CHECK(rule_parse_str(CTL_RULE_RX_ASYNC, "corrupt nth 1", &a, err,
			     sizeof(err)) == 0);
	CHECK(rule_parse_str(CTL_RULE_TX, "desync nth 2", &a, err, sizeof(err)) == 0);

	CHECK(rule_parse_str(CTL_RULE_RX, "", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "rx needs an action: drop, delay, corrupt or desync, or none");
	CHECK(rule_parse_str(CTL_RULE_RX_ASYNC, "sideways nth 1", &a, err,
			     sizeof(err)) == -1);
	CHECK_STR(err, "rx-async: 'sideways' is not drop or delay, or none");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "rx drop needs 'nth N'");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop every 3", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "rx drop needs 'nth N'");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth 0", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "nth: must be at least 1");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth 4294967296", &a, err,
			     sizeof(err)) == -1);
	CHECK_STR(err, "nth: not a 32-bit unsigned number: '4294967296'");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth -1", &a, err, sizeof(err)) == -1);
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth 1 every x", &a, err,
			     sizeof(err)) == -1);
	CHECK_STR(err, "every: not a 32-bit unsigned number: 'x'");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "'nth' needs a value");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth 1 nth 2", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "'nth' given twice");
	CHECK(rule_parse_str(CTL_RULE_RX, "drop nth 1 often 2", &a, err,
			     sizeof(err)) == -1);
	CHECK_STR(err, "unknown argument 'often'");
	CHECK(rule_parse_str(CTL_RULE_RX_ASYNC, "none nth 1", &a, err,
			     sizeof(err)) == -1);
	CHECK_STR(err, "rx-async none takes no nth or every");
	CHECK(rule_parse_str(CTL_RULE_TX, "none every 2", &a, err, sizeof(err)) == -1);
	CHECK_STR(err, "tx none takes no nth or every");
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "hex", test_hex },
		{ "size", test_size },
		{ "seconds", test_seconds },
		{ "hostport", test_hostport },
		{ "pattern", test_pattern },
		{ "static_keys", test_static_keys },
		{ "json", test_json },
		{ "sha256", test_sha256 },
		{ "misc", test_misc },
		{ "tls12_kdf", test_tls12_kdf },
		{ "tls13_kdf", test_tls13_kdf },
		{ "keylog", test_keylog },
		{ "handoff_keys", test_handoff_keys },
		{ "ctl_names", test_ctl_names },
	};
	size_t i;

	prog_set_name("unit_tests");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		int before = g_fail;

		tests[i].fn();
		/* Only the last line is a count (scripts/check.sh parses it). */
		printf("%-12s %s\n", tests[i].name,
		       g_fail == before ? "passed" : "FAILED");
	}
	printf("%d passed, %d failed\n", g_pass, g_fail);
	return g_fail ? 1 : 0;
}
