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
#include "../xfer/xfer.h"

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
