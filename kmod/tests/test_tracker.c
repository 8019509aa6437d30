// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the TLS record stream tracker, ../tracker.c.
 *
 * A case stops at its first failed check, which prints one line. The last
 * line is "N passed, M failed", counting cases; the exit status is non-zero
 * if any failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "toy.h"

#define BUF_SIZE	(1 << 20)
#define MAX_LEN		TRK_MAX_RECORD_LEN

static const struct toy_cfg std = { .prepend = 13, .tag = 16 };

static unsigned int n_pass, n_fail;
static char case_name[64];
static bool case_failed;
static char why[256];
static u8 *buf;			/* the input stream */
static u32 *segs;		/* a segmentation of it */
static struct toy_res ref_res, run_res;

static void __printf(3, 4)
fail(int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: line %d: %s:", case_name, line, expr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	case_failed = true;
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fail(__LINE__, #cond, " " __VA_ARGS__);			\
		return;							\
	}								\
} while (0)

/* Append a record of @plen payload bytes to buf[@n]; returns the new end. */
static size_t put(size_t n, const struct toy_cfg *c, u32 plen)
{
	return n + toy_put_rec(buf + n, 23, toy_len(c, plen), n);
}

/* Append a header, its nonce and @junk more bytes (enough to be rejected). */
static size_t put_hdr(size_t n, const struct toy_cfg *c, const u8 *hdr,
		      u32 junk)
{
	n += toy_put_rec(buf + n, 0, c->prepend - TRK_TLS_HEADER_SIZE + junk,
			 n);
	memcpy(buf + n - junk - c->prepend, hdr, TRK_TLS_HEADER_SIZE);
	return n;
}

/* One trk_span()/trk_advance() round over @p, expected to give these. */
static bool round_is(struct trk *t, const u8 *p, u32 avail,
		     enum trk_part part, u32 off, u32 len, int ev)
{
	struct trk_span sp;
	int got;

	trk_span(t, avail, &sp);
	got = trk_advance(t, &sp, p);
	if (sp.part == part && sp.off == off && sp.len == len && got == ev)
		return true;
	snprintf(why, sizeof(why), "span %d/%u/%u ev %d, expected %d/%u/%u ev %d",
		 sp.part, sp.off, sp.len, got, part, off, len, ev);
	return false;
}

/* Feed @n bytes as one segment; returns ORed events, or the error. */
static int feed(struct trk *t, const u8 *p, u32 n, unsigned int *recs)
{
	struct trk_span sp;
	u32 done = 0, idle = 0;
	int ev, all = 0;

	while (done < n) {
		trk_span(t, n - done, &sp);
		ev = trk_advance(t, &sp, p + done);
		idle = sp.len ? 0 : idle + 1;
		if (ev < 0 || idle > 1)
			return ev < 0 ? ev : -EDEADLK;
		if (recs && (ev & TRK_EV_REC_DONE))
			++*recs;
		all |= ev;
		done += sp.len;
	}
	return all;
}

static void ref(const struct toy_cfg *c, size_t n)
{
	toy_ref(&ref_res, c, buf, n);
}

/* The engine over this segmentation must match the last ref(). */
static bool run_ok(const struct toy_cfg *c, size_t n, const u32 *seg,
		   size_t nseg)
{
	toy_run(&run_res, c, buf, n, seg, nseg);
	return toy_same(&ref_res, &run_res, why, sizeof(why));
}

static void t_single(long arg __maybe_unused)
{
	struct toy_cfg c = { .prepend = 13, .tag = 16, .sn = 7 };
	size_t n = put(0, &c, 100);
	struct trk t;

	trk_init(&t, 13, 16, 7);
	CHECK(round_is(&t, buf, n, TRK_HDR, 0, 13, TRK_EV_HDR_DONE), "%s", why);
	CHECK(t.payload_len == 100 && trk_record_size(&t) == n);
	CHECK(round_is(&t, buf + 13, n - 13, TRK_PAYLOAD, 0, 100,
		       TRK_EV_PAYLOAD_DONE), "%s", why);
	CHECK(round_is(&t, buf + 113, n - 113, TRK_TAG, 0, 16,
		       TRK_EV_REC_DONE), "%s", why);
	CHECK(t.rec_sn == 8 && t.part == TRK_HDR && t.pos == 0);

	ref(&c, n);
	CHECK(ref_res.nev == 3 && ref_res.sn == 8);
	CHECK(run_ok(&c, n, NULL, 0), "%s", why);
}

/* The model must notice a wrong sequence number */
static void t_model_sensitive(long arg __maybe_unused)
{
	struct toy_cfg c = std;
	size_t n = put(put(0, &c, 0), &c, 10);

	ref(&c, n);
	c.sn = 1;
	CHECK(!run_ok(&c, n, NULL, 0));
	c.sn = 0;
	CHECK(run_ok(&c, n, NULL, 0), "%s", why);
	CHECK(memcmp(run_res.out + 42, buf + 42, 10));
}

static void t_spanning(long arg __maybe_unused)
{
	static const u32 seg[] = { 7, 20, 150, 400, 3, 1000 };
	size_t n = put(0, &std, 100);
	struct trk t;

	/* segments of 50, 50, 29 bytes */
	trk_init(&t, 13, 16, 0);
	CHECK(round_is(&t, buf, 50, TRK_HDR, 0, 13, TRK_EV_HDR_DONE), "%s", why);
	CHECK(round_is(&t, buf + 13, 37, TRK_PAYLOAD, 0, 37, 0), "%s", why);
	CHECK(round_is(&t, buf + 50, 50, TRK_PAYLOAD, 37, 50, 0), "%s", why);
	CHECK(round_is(&t, buf + 100, 29, TRK_PAYLOAD, 87, 13,
		       TRK_EV_PAYLOAD_DONE), "%s", why);
	CHECK(round_is(&t, buf + 113, 16, TRK_TAG, 0, 16, TRK_EV_REC_DONE),
	      "%s", why);

	n = put(put(put(put(0, &std, 300), &std, 0), &std, 1000), &std, 5);
	ref(&std, n);
	CHECK(run_ok(&std, n, seg, 6), "%s", why);
}

static void t_multi(long arg __maybe_unused)
{
	static const u32 plen[] = { 0, 1, 2, 100, 17 };
	unsigned int recs = 0, i;
	size_t n = 0;
	struct trk t;
	u32 seg;

	for (i = 0; i < 5; i++)
		n = put(n, &std, plen[i]);
	trk_init(&t, 13, 16, 0);
	CHECK(feed(&t, buf, n, &recs) == 7);
	CHECK(recs == 5 && t.rec_sn == 5 && t.part == TRK_HDR && t.pos == 0);

	ref(&std, n);
	CHECK(run_ok(&std, n, NULL, 0), "%s", why);
	for (seg = 1; seg < n; seg += 10)
		CHECK(run_ok(&std, n, &seg, 1), "segments of %u: %s", seg, why);
}

/* First header cut after byte @k, and the second one too */
static void t_hdr_split(long k)
{
	size_t n = put(put(0, &std, 10), &std, 3);
	u32 seg[] = { k, 39, 0 };
	struct trk t;

	trk_init(&t, 13, 16, 0);
	CHECK(round_is(&t, buf, k, TRK_HDR, 0, k, 0), "%s", why);
	CHECK(t.pos == k && t.part == TRK_HDR && !memcmp(t.hdr, buf, k));
	CHECK(round_is(&t, buf + k, n - k, TRK_HDR, k, 13 - k,
		       TRK_EV_HDR_DONE), "%s", why);
	CHECK(t.payload_len == 10);

	seg[2] = n - k - 39;
	ref(&std, n);
	CHECK(run_ok(&std, n, seg, 3), "%s", why);
}

static void t_hdr_bytes(long arg __maybe_unused)
{
	size_t n = put(0, &std, 1);
	struct trk t;
	u32 i;

	trk_init(&t, 13, 16, 0);
	for (i = 0; i < 12; i++)
		CHECK(round_is(&t, buf + i, 1, TRK_HDR, i, 1, 0), "%s", why);
	CHECK(round_is(&t, buf + 12, 1, TRK_HDR, 12, 1, TRK_EV_HDR_DONE),
	      "%s", why);
	ref(&std, n);
	CHECK(run_ok(&std, n, &(u32){ 1 }, 1), "%s", why);
}

/* Tag cut after byte @k */
static void t_tag_split(long k)
{
	size_t n = put(put(0, &std, 4), &std, 0);
	u32 seg[] = { 17 + k, 16 - k, 13, k, 16 - k };
	struct trk t;

	trk_init(&t, 13, 16, 0);
	CHECK(feed(&t, buf, 17, NULL) == (TRK_EV_HDR_DONE |
					  TRK_EV_PAYLOAD_DONE));
	CHECK(round_is(&t, buf + 17, k, TRK_TAG, 0, k, 0), "%s", why);
	CHECK(t.rec_sn == 0 && t.part == TRK_TAG && t.pos == k);
	CHECK(round_is(&t, buf + 17 + k, n, TRK_TAG, k, 16 - k,
		       TRK_EV_REC_DONE), "%s", why);
	CHECK(t.rec_sn == 1 && t.part == TRK_HDR && t.pos == 0);

	ref(&std, n);
	CHECK(run_ok(&std, n, seg, 5), "%s", why);
}

static void t_empty(long arg __maybe_unused)
{
	static const u32 seg[] = { 1, 13, 29, 14, 15 };
	size_t n = put(put(put(put(0, &std, 0), &std, 0), &std, 0), &std, 5);
	struct trk t;
	int i;

	trk_init(&t, 13, 16, 0);
	for (i = 0; i < 3; i++) {
		CHECK(round_is(&t, buf + 29 * i, n, TRK_HDR, 0, 13,
			       TRK_EV_HDR_DONE | TRK_EV_PAYLOAD_DONE), "%s", why);
		CHECK(t.payload_len == 0 && trk_record_size(&t) == 29);
		CHECK(round_is(&t, buf + 29 * i + 13, n, TRK_TAG, 0, 16,
			       TRK_EV_REC_DONE), "%s", why);
	}
	CHECK(t.rec_sn == 3);

	ref(&std, n);
	for (i = 0; i < 5; i++)
		CHECK(run_ok(&std, n, &seg[i], 1), "segments of %u: %s",
		      seg[i], why);
}

/* Largest record accepted, one byte more rejected, in two layouts */
static void t_max_len(long arg)
{
	struct toy_cfg c = arg ? (struct toy_cfg){ .prepend = 5, .tag = 16 }
			       : std;
	u32 plen = MAX_LEN - toy_len(&c, 0), seg[] = { 1, 4000, 777 };
	const u8 hdr[] = { 23, 3, 3, (MAX_LEN + 1) >> 8, (MAX_LEN + 1) & 0xff };
	size_t n = put(put(0, &c, plen), &c, plen);
	struct trk t, old;
	int i;

	trk_init(&t, c.prepend, c.tag, 0);
	CHECK(round_is(&t, buf, n, TRK_HDR, 0, c.prepend, TRK_EV_HDR_DONE),
	      "%s", why);
	CHECK(t.payload_len == plen && trk_record_size(&t) == 5 + MAX_LEN);
	CHECK(feed(&t, buf + c.prepend, n - c.prepend, NULL) ==
	      (TRK_EV_HDR_DONE | TRK_EV_PAYLOAD_DONE | TRK_EV_REC_DONE));
	CHECK(t.rec_sn == 2);

	n = put_hdr(n, &c, hdr, 100);
	old = t;
	CHECK(round_is(&t, buf + n - 100 - c.prepend, 1000, TRK_HDR, 0,
		       c.prepend, -EBADMSG), "%s", why);
	CHECK(toy_same_state(&old, &t));

	ref(&c, n);
	CHECK(ref_res.err_off == (long)(n - 100));
	for (i = 0; i < 3; i++)
		CHECK(run_ok(&c, n, &seg[i], 1), "segments of %u: %s",
		      seg[i], why);
}

/* Header in one span: accepted exactly when valid, with the right length */
static bool hdr_ok(const u8 *hdr)
{
	long plen = toy_hdr_plen(&std, hdr);
	int ev = plen < 0 ? -EBADMSG : plen ? TRK_EV_HDR_DONE :
		 TRK_EV_HDR_DONE | TRK_EV_PAYLOAD_DONE;
	struct trk t;

	trk_init(&t, 13, 16, 0);
	if (!round_is(&t, hdr, 13, TRK_HDR, 0, 13, ev))
		return false;
	if (plen < 0 || t.payload_len == plen)
		return true;
	snprintf(why, sizeof(why), "payload_len %u", t.payload_len);
	return false;
}

/* Every type, version and length field */
static void t_hdr_fields(long arg __maybe_unused)
{
	u8 hdr[13] = { 23, 3, 3, 0, 24 };
	u32 v;

	for (v = 0; v < 1 << 8; v++) {
		hdr[0] = v;
		CHECK(hdr_ok(hdr), "type %u: %s", v, why);
	}
	hdr[0] = 23;
	for (v = 0; v < 1 << 16; v++) {
		hdr[1] = v >> 8;
		hdr[2] = v;
		CHECK(hdr_ok(hdr), "version %#x: %s", v, why);
	}
	hdr[1] = hdr[2] = 3;
	for (v = 0; v < 1 << 16; v++) {
		hdr[3] = v >> 8;
		hdr[4] = v;
		CHECK(hdr_ok(hdr), "length %u: %s", v, why);
	}
}

static const u8 bad_hdrs[][5] = {
	{ 19, 3, 3, 0, 24 }, { 25, 3, 3, 0, 24 }, { 0, 3, 3, 0, 24 },
	{ 255, 3, 3, 0, 24 }, { 23, 3, 1, 0, 24 }, { 23, 3, 4, 0, 24 },
	{ 23, 2, 3, 0, 24 }, { 23, 0, 0, 0, 24 }, { 23, 3, 3, 0, 23 },
	{ 23, 3, 3, 0, 0 }, { 23, 3, 3, 0x48, 0x01 }, { 23, 3, 3, 0xff, 0xff },
};

/* Rejected with the state unchanged, then recoverable */
static void t_bad_hdr(long i)
{
	const u8 *bad = bad_hdrs[i];
	size_t good = put(0, &std, 7), n = put_hdr(good, &std, bad, 40);
	u8 fixed[13];
	u32 p, q, seg[3];
	struct trk t, old;

	trk_init(&t, 13, 16, 41);
	CHECK(feed(&t, buf, good, NULL) > 0 && t.rec_sn == 42);

	/* whole header in one span: resubmit it fixed */
	old = t;
	CHECK(round_is(&t, buf + good, 13, TRK_HDR, 0, 13, -EBADMSG), "%s", why);
	CHECK(toy_same_state(&old, &t));
	CHECK(round_is(&t, buf + good, 13, TRK_HDR, 0, 13, -EBADMSG), "%s", why);
	CHECK(toy_same_state(&old, &t));
	memcpy(fixed, buf + good, 13);
	memcpy(fixed, (u8 []){ 23, 3, 3, 0, 26 }, 5);
	CHECK(round_is(&t, fixed, 13, TRK_HDR, 0, 13, TRK_EV_HDR_DONE),
	      "%s", why);
	CHECK(t.payload_len == 2 && t.rec_sn == 42);
	CHECK(feed(&t, buf, 18, NULL) == (TRK_EV_PAYLOAD_DONE |
					  TRK_EV_REC_DONE));
	CHECK(t.rec_sn == 43 && t.part == TRK_HDR && t.pos == 0);

	/* header split: recover by restarting at a record boundary */
	trk_init(&t, 13, 16, 42);
	CHECK(round_is(&t, buf + good, 3, TRK_HDR, 0, 3, 0), "%s", why);
	old = t;
	CHECK(round_is(&t, buf + good + 3, 100, TRK_HDR, 3, 10, -EBADMSG),
	      "%s", why);
	CHECK(toy_same_state(&old, &t));
	trk_init(&t, 13, 16, 42);
	CHECK(feed(&t, buf, good, NULL) > 0 && t.rec_sn == 43);

	/* the error ends the prepend, whatever the segmentation */
	ref(&std, n);
	CHECK(ref_res.err_off == (long)good + 13 && ref_res.nev == 3);
	for (p = 0; p <= n; p++)
		for (q = p; q <= n; q++) {
			seg[0] = p;
			seg[1] = q - p;
			seg[2] = n - q;
			CHECK(run_ok(&std, n, seg, 3), "cuts %u %u: %s",
			      p, q, why);
		}
}

static void t_rec_sn(long arg)
{
	static const u64 first[] = { 0, 0xfffffffeULL, ~0ULL - 1 };
	struct toy_cfg c = std;
	struct trk t;
	size_t n = 0;
	unsigned int i;

	c.sn = first[arg];
	for (i = 0; i < 4; i++)
		n = put(n, &c, i * 3);
	trk_init(&t, 13, 16, c.sn);
	for (i = 0; i < 4; i++) {
		unsigned int recs = 0;

		CHECK(t.rec_sn == c.sn + i);
		CHECK(feed(&t, buf + 29 * i + 3 * i * (i - 1) / 2, 29 + 3 * i,
			   &recs) > 0 && recs == 1);
	}
	CHECK(t.rec_sn == c.sn + 4, "%#llx", (unsigned long long)t.rec_sn);
	if (arg == 1)
		CHECK(t.rec_sn == 0x100000002ULL);
	if (arg == 2)
		CHECK(t.rec_sn == 2);

	ref(&c, n);
	CHECK(run_ok(&c, n, &(u32){ 1 }, 1), "%s", why);
	CHECK(run_ok(&c, n, &(u32){ 31 }, 1), "%s", why);
}

static const struct toy_cfg layouts[] = {
	{ .prepend = 5, .tag = 16 },	/* TLS 1.3-like */
	{ .prepend = 13, .tag = 8 },
	{ .prepend = 9, .tag = 12 },
	{ .prepend = 12, .tag = 16 },
	{ .prepend = 5, .tag = 0 },
	{ .prepend = 13, .tag = 0 },
};

static void t_layout(long i)
{
	const struct toy_cfg *c = &layouts[i];
	u32 over = toy_len(c, 0), seg[4], p, q, r;
	u8 hdr[5] = { 23, 3, 3, 0, over - 1 };
	size_t n = put(0, c, 20);
	struct trk t, old;

	/* a record, then an empty one */
	n = put(n, c, 0);
	trk_init(&t, c->prepend, c->tag, 0);
	CHECK(round_is(&t, buf, n, TRK_HDR, 0, c->prepend, TRK_EV_HDR_DONE),
	      "%s", why);
	CHECK(t.payload_len == 20 && trk_record_size(&t) == 5 + over + 20);
	CHECK(round_is(&t, buf + c->prepend, n, TRK_PAYLOAD, 0, 20,
		       TRK_EV_PAYLOAD_DONE), "%s", why);
	/* a zero-length tag ends with an empty span */
	CHECK(round_is(&t, buf + c->prepend + 20, c->tag, TRK_TAG, 0, c->tag,
		       TRK_EV_REC_DONE), "%s", why);
	CHECK(round_is(&t, buf + 25 + over, n, TRK_HDR, 0, c->prepend,
		       TRK_EV_HDR_DONE | TRK_EV_PAYLOAD_DONE), "%s", why);
	CHECK(t.payload_len == 0 && trk_record_size(&t) == 5 + over);
	CHECK(round_is(&t, buf + 25 + over + c->prepend, c->tag, TRK_TAG, 0,
		       c->tag, TRK_EV_REC_DONE), "%s", why);
	CHECK(t.rec_sn == 2);

	/* one byte short of an empty record */
	if (over) {
		n = put_hdr(n, c, hdr, 8);
		old = t;
		CHECK(round_is(&t, buf + n - 8 - c->prepend, n, TRK_HDR, 0,
			       c->prepend, -EBADMSG), "%s", why);
		CHECK(toy_same_state(&old, &t));
	}

	ref(c, n);
	for (p = 0; p <= n; p++)
		for (q = p; q <= n; q++)
			for (r = q; r <= n; r++) {
				seg[0] = p;
				seg[1] = q - p;
				seg[2] = r - q;
				seg[3] = n - r;
				CHECK(run_ok(c, n, seg, 4), "cuts %u %u %u: %s",
				      p, q, r, why);
			}
}

/* An empty span leaves any state as it is */
static void t_zero_avail(long arg __maybe_unused)
{
	static const u32 at[] = { 0, 5, 13, 20, 113, 120 };
	size_t n = put(0, &std, 100);
	struct trk t, old;
	int i;

	for (i = 0; i < 6; i++) {
		trk_init(&t, 13, 16, 9);
		CHECK(feed(&t, buf, at[i], NULL) >= 0);
		old = t;
		CHECK(round_is(&t, buf + at[i], 0, t.part, t.pos, 0, 0),
		      "at %u: %s", at[i], why);
		CHECK(toy_same_state(&old, &t) &&
		      !memcmp(old.hdr, t.hdr, sizeof(t.hdr)), "at %u", at[i]);
		CHECK(feed(&t, buf + at[i], n - at[i], NULL) > 0);
		CHECK(t.rec_sn == 10);
	}
}

/* Every segmentation of short streams in small layouts */
static void t_exhaustive(long arg)
{
	static const u8 bad[5] = { 23, 3, 2, 0, 1 };
	struct toy_cfg c = { .prepend = 5, .tag = 1 };
	u32 mask, i, k, nseg;
	size_t n = 0;

	switch (arg) {
	case 0:
		n = put(put(put(0, &c, 0), &c, 2), &c, 1);
		break;
	case 1:
		n = put_hdr(put(0, &c, 3), &c, bad, 6);
		break;
	case 2:
		c.tag = 0;
		n = put(put(put(put(0, &c, 0), &c, 3), &c, 0), &c, 1) - 4;
		break;
	case 3:
		c = (struct toy_cfg){ .prepend = 6, .tag = 2,
				      .sn = 0xffffffffULL };
		n = put(put(0, &c, 1), &c, 5) - 3;
		break;
	}
	if (n > 21)
		CHECK(0, "%zu bytes is too many", n);
	ref(&c, n);
	for (mask = 0; mask < 1u << (n - 1); mask++) {
		for (i = 0, k = 0, nseg = 0; i < n; i++)
			if (i == n - 1 || mask & 1u << i) {
				segs[nseg++] = i + 1 - k;
				k = i + 1;
			}
		CHECK(run_ok(&c, n, segs, nseg), "cuts %#x: %s", mask, why);
	}
}

/* Random streams, layouts, sequence numbers and segmentations */
static void t_random(long arg)
{
	u64 s = toy_mix(arg) | 1, r = toy_rand(&s);
	struct toy_cfg c = std;
	u32 i, nrec = 1 + r % 16, plen, max;
	size_t n = 0, nseg, sum;
	int mode;

	if ((r & 0x30000) == 0x30000)
		c = (struct toy_cfg){ .prepend = 5 + toy_rand(&s) % 9,
				      .tag = toy_rand(&s) % 17 };
	switch (r >> 20 & 3) {
	case 1:
		c.sn = 0xffffffffULL - toy_rand(&s) % 8;
		break;
	case 2:
		c.sn = ~0ULL - toy_rand(&s) % 8;
		break;
	case 3:
		c.sn = toy_rand(&s);
		break;
	}
	max = MAX_LEN - toy_len(&c, 0);
	for (i = 0; i < nrec; i++) {
		r = toy_rand(&s);
		switch (r % 8) {
		case 0:
			plen = 0;
			break;
		case 1:
			plen = max;
			break;
		case 2:
		case 3:
			plen = (r >> 8) % 2000;
			break;
		default:
			plen = (r >> 8) % 64;
			break;
		}
		n = put(n, &c, plen % (max + 1));
	}
	r = toy_rand(&s);
	if (r % 4 == 0)
		n = put_hdr(n, &c, (u8 []){ 23, 3, 3, r >> 8, r >> 16 },
			    r >> 24 & 0xff);
	else if (r % 4 == 1)
		n -= (r >> 8) % (n + 1);

	ref(&c, n);
	for (mode = 0; mode < 5; mode++) {
		for (nseg = 0, sum = 0; sum < n && mode; nseg++) {
			r = toy_rand(&s);
			segs[nseg] = mode == 1 ? 1 : mode == 2 ? r % 8 :
				     mode == 3 ? r % 3000 : 1 + r % 17;
			sum += segs[nseg];
		}
		CHECK(run_ok(&c, n, segs, nseg), "mode %d, %zu bytes: %s",
		      mode, n, why);
	}
}

static void run(const char *name, void (*fn)(long), long from, long to)
{
	long i;

	for (i = from; i < to; i++) {
		if (to - from > 1)
			snprintf(case_name, sizeof(case_name), "%s/%ld", name, i);
		else
			snprintf(case_name, sizeof(case_name), "%s", name);
		case_failed = false;
		fn(i);
		if (case_failed)
			n_fail++;
		else
			n_pass++;
	}
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	buf = malloc(BUF_SIZE);
	segs = malloc(BUF_SIZE * sizeof(*segs));
	if (!buf || !segs || toy_res_init(&ref_res, BUF_SIZE) ||
	    toy_res_init(&run_res, BUF_SIZE))
		return 2;

	run("single_record", t_single, 0, 1);
	run("model_sensitive", t_model_sensitive, 0, 1);
	run("spanning", t_spanning, 0, 1);
	run("multi_per_segment", t_multi, 0, 1);
	run("hdr_split", t_hdr_split, 1, 13);
	run("hdr_bytes", t_hdr_bytes, 0, 1);
	run("tag_split", t_tag_split, 1, 16);
	run("empty_payload", t_empty, 0, 1);
	run("max_len", t_max_len, 0, 2);
	run("hdr_fields", t_hdr_fields, 0, 1);
	run("bad_hdr", t_bad_hdr, 0, ARRAY_SIZE(bad_hdrs));
	run("rec_sn", t_rec_sn, 0, 3);
	run("layout", t_layout, 0, ARRAY_SIZE(layouts));
	run("zero_avail", t_zero_avail, 0, 1);
	run("exhaustive", t_exhaustive, 0, 4);
	run("random", t_random, 0, 200);

	printf("%u passed, %u failed\n", n_pass, n_fail);
	toy_res_free(&ref_res);
	toy_res_free(&run_res);
	free(segs);
	free(buf);
	return n_fail ? 1 : 0;
}
