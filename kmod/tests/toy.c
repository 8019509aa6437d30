// SPDX-License-Identifier: GPL-2.0
/*
 * Toy record engine driven by the tracker, and a reference implementation
 * of the same transform that works on whole records. See toy.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "toy.h"

struct toy {
	struct trk t;
	const struct toy_cfg *c;
	struct toy_res *r;
	size_t off;		/* stream offset of the next byte */
	u32 plen;		/* payload length of the current record */
	u64 acc;		/* checksum of the current record so far */
	u8 hdr[TRK_MAX_PREPEND];
	u8 tag[TOY_MAX_TAG];
};

static u8 toy_ks(u64 sn, u32 i)
{
	return toy_mix(sn * 0x9e3779b97f4a7c15ULL + i);
}

static u64 toy_fold(u64 acc, u8 b)
{
	return (acc ^ b) * 0x100000001b3ULL;	/* FNV-1a */
}

static u64 toy_acc_init(const struct toy_cfg *c, u64 sn, const u8 *hdr)
{
	u64 acc = toy_mix(sn ^ 0x746c735f646576ULL);
	int i;

	for (i = 0; i < c->prepend; i++)
		acc = toy_fold(acc, hdr[i]);
	return acc;
}

static void toy_tag(const struct toy_cfg *c, u64 acc, u8 *tag)
{
	int i;

	for (i = 0; i < c->tag; i++)
		tag[i] = toy_mix(acc + i);
}

long toy_hdr_plen(const struct toy_cfg *c, const u8 *hdr)
{
	u32 len = hdr[3] << 8 | hdr[4];

	if (hdr[0] < 20 || hdr[0] > 24 || hdr[1] != 3 || hdr[2] != 3)
		return -1;
	if (len < toy_len(c, 0) || len > 16384 + 2048)
		return -1;
	return len - toy_len(c, 0);
}

size_t toy_put_rec(u8 *p, u8 type, u16 len, u64 seed)
{
	u64 s = toy_mix(seed) | 1;
	u32 i;

	p[0] = type;
	p[1] = 3;
	p[2] = 3;
	p[3] = len >> 8;
	p[4] = len;
	for (i = 0; i < len; i++)
		p[5 + i] = toy_rand(&s) >> 56;
	return 5 + len;
}

int toy_res_init(struct toy_res *r, size_t max)
{
	r->max = max;
	r->out = malloc(max + 1);
	r->ev = calloc(max + 2, sizeof(*r->ev));
	return r->out && r->ev ? 0 : -1;
}

void toy_res_free(struct toy_res *r)
{
	free(r->out);
	free(r->ev);
}

static void toy_res_reset(struct toy_res *r, size_t n)
{
	if (n > r->max)
		abort();
	r->n = n;
	memset(r->out, TOY_FILL, n);
	r->nev = 0;
	r->err_off = -1;
	r->bug[0] = 0;
}

static void __printf(2, 3) toy_bug(struct toy_res *r, const char *fmt, ...)
{
	va_list ap;

	if (r->bug[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->bug, sizeof(r->bug), fmt, ap);
	va_end(ap);
}

/* Offsets only grow, so merged entries never outnumber stream bytes + 1. */
static void toy_ev_add(struct toy_res *r, size_t off, u64 sn, int ev)
{
	struct toy_ev *last = r->nev ? &r->ev[r->nev - 1] : NULL;

	if (last && last->off == off && last->sn == sn) {
		last->ev |= ev;
		return;
	}
	if (r->nev == r->max + 2) {
		toy_bug(r, "event log overflow at %zu", off);
		return;
	}
	r->ev[r->nev++] = (struct toy_ev){ .off = off, .sn = sn, .ev = ev };
}

static u32 toy_part_len(const struct toy *e, enum trk_part part)
{
	switch (part) {
	case TRK_HDR:
		return e->c->prepend;
	case TRK_PAYLOAD:
		return e->plen;
	default:
		return e->c->tag;
	}
}

bool toy_same_state(const struct trk *a, const struct trk *b)
{
	return a->rec_sn == b->rec_sn && a->part == b->part &&
	       a->pos == b->pos && a->payload_len == b->payload_len &&
	       a->prepend_len == b->prepend_len && a->tag_len == b->tag_len &&
	       !memcmp(a->hdr, b->hdr, a->pos);
}

static void toy_hdr_done(struct toy *e, u64 sn)
{
	long plen = toy_hdr_plen(e->c, e->hdr);

	if (plen < 0 || e->t.payload_len != plen ||
	    trk_record_size(&e->t) != TRK_TLS_HEADER_SIZE +
	    (u32)(e->hdr[3] << 8 | e->hdr[4]))
		toy_bug(e->r, "header at %zu: payload_len %u, expected %ld",
			e->off - e->c->prepend, e->t.payload_len, plen);
	e->plen = plen < 0 ? 0 : plen;
	e->acc = toy_acc_init(e->c, sn, e->hdr);
}

/* One trk_span()/trk_advance() round; false when the run must stop. */
static bool toy_step(struct toy *e, const u8 *in, u8 *out, u32 avail)
{
	struct trk old = e->t;
	struct trk_span sp;
	u64 sn = e->t.rec_sn;
	u32 i, plen;
	int ev;

	trk_span(&e->t, avail, &sp);
	plen = toy_part_len(e, sp.part);
	if (sp.part != old.part || sp.off != old.pos || sp.len > avail ||
	    sp.off + sp.len > plen ||
	    (sp.len < avail && sp.off + sp.len < plen)) {
		toy_bug(e->r, "span %d/%u/%u at %zu, avail %u, part len %u",
			sp.part, sp.off, sp.len, e->off, avail, plen);
		return false;
	}

	switch (sp.part) {
	case TRK_HDR:
		memcpy(out, in, sp.len);
		memcpy(e->hdr + sp.off, in, sp.len);
		break;
	case TRK_PAYLOAD:
		for (i = 0; i < sp.len; i++) {
			out[i] = in[i] ^ toy_ks(sn, sp.off + i);
			e->acc = toy_fold(e->acc, out[i]);
		}
		break;
	case TRK_TAG:
		memcpy(out, e->tag + sp.off, sp.len);
		break;
	}

	ev = trk_advance(&e->t, &sp, in);
	if (ev < 0) {
		if (ev != -EBADMSG || sp.part != TRK_HDR ||
		    sp.off + sp.len != plen || !toy_same_state(&old, &e->t))
			toy_bug(e->r, "error %d at %zu, state changed: %d",
				ev, e->off, !toy_same_state(&old, &e->t));
		if (toy_hdr_plen(e->c, e->hdr) >= 0)
			toy_bug(e->r, "good header rejected at %zu", e->off);
		e->r->err_off = e->off + sp.len;
		return false;
	}
	if (ev & ~(TRK_EV_HDR_DONE | TRK_EV_PAYLOAD_DONE | TRK_EV_REC_DONE))
		toy_bug(e->r, "bad events %#x at %zu", ev, e->off);
	e->off += sp.len;
	if (ev & TRK_EV_HDR_DONE)
		toy_hdr_done(e, sn);
	if (ev & TRK_EV_PAYLOAD_DONE)
		toy_tag(e->c, e->acc, e->tag);
	if (ev)
		toy_ev_add(e->r, e->off, sn, ev);
	return true;
}

/* At least one round, so that empty segments feed empty spans. */
static bool toy_feed(struct toy *e, const u8 *in, u8 *out, u32 len)
{
	u32 done = 0, idle = 0;

	do {
		size_t off = e->off;

		if (!toy_step(e, in + done, out + done, len - done))
			return false;
		done += e->off - off;
		idle = e->off == off ? idle + 1 : 0;
		if (idle > 2 && done < len) {
			toy_bug(e->r, "no progress at %zu", e->off);
			return false;
		}
	} while (done < len);
	return true;
}

static void toy_check_cfg(const struct toy_cfg *c)
{
	if (c->prepend < TRK_TLS_HEADER_SIZE || c->prepend > TRK_MAX_PREPEND ||
	    c->tag > TOY_MAX_TAG)
		abort();
}

void toy_run(struct toy_res *r, const struct toy_cfg *c, const u8 *in,
	     size_t n, const u32 *seg, size_t nseg)
{
	struct toy e = { .c = c, .r = r };
	size_t off = 0, i = 0, idle = 0;
	bool ok = true;

	toy_check_cfg(c);
	toy_res_reset(r, n);
	trk_init(&e.t, c->prepend, c->tag, c->sn);
	while (ok && off < n) {
		size_t len = nseg ? seg[i++ % nseg] : n - off;

		idle = len ? 0 : idle + 1;
		if (len > n - off || idle > nseg)
			len = n - off;
		ok = toy_feed(&e, in + off, r->out + off, len);
		off += len;
	}
	/* let a zero-length tag end the last record */
	if (ok)
		toy_feed(&e, in + n, r->out + n, 0);
	r->sn = e.t.rec_sn;
	r->part = e.t.part;
	r->pos = e.t.pos;
}

void toy_ref(struct toy_res *r, const struct toy_cfg *c, const u8 *in,
	     size_t n)
{
	size_t off = 0, k;
	u64 sn = c->sn;
	u8 tag[TOY_MAX_TAG];
	u64 acc;
	long plen;

	toy_check_cfg(c);
	toy_res_reset(r, n);
	r->part = TRK_HDR;
	for (;;) {
		const u8 *hdr = in + off;

		k = n - off < c->prepend ? n - off : c->prepend;
		memcpy(r->out + off, in + off, k);
		off += k;
		r->pos = k;
		if (k < c->prepend)
			break;
		plen = toy_hdr_plen(c, hdr);
		if (plen < 0) {
			r->err_off = off;
			break;
		}
		toy_ev_add(r, off, sn, TRK_EV_HDR_DONE |
			   (plen ? 0 : TRK_EV_PAYLOAD_DONE));

		acc = toy_acc_init(c, sn, hdr);
		r->part = TRK_PAYLOAD;
		for (k = 0; k < (size_t)plen && off < n; k++, off++) {
			r->out[off] = in[off] ^ toy_ks(sn, k);
			acc = toy_fold(acc, r->out[off]);
		}
		r->pos = k;
		if (k < (size_t)plen)
			break;
		if (plen)
			toy_ev_add(r, off, sn, TRK_EV_PAYLOAD_DONE);

		toy_tag(c, acc, tag);
		r->part = TRK_TAG;
		for (k = 0; k < c->tag && off < n; k++, off++)
			r->out[off] = tag[k];
		r->pos = k;
		if (k < c->tag)
			break;
		toy_ev_add(r, off, sn, TRK_EV_REC_DONE);
		r->part = TRK_HDR;
		sn++;
	}
	r->sn = sn;
}

bool toy_same(const struct toy_res *a, const struct toy_res *b, char *why,
	      size_t len)
{
	size_t i;

	if (a->bug[0] || b->bug[0]) {
		snprintf(why, len, "tracker bug: %s", a->bug[0] ? a->bug : b->bug);
		return false;
	}
	if (a->n != b->n || a->err_off != b->err_off) {
		snprintf(why, len, "error at %ld vs %ld", a->err_off, b->err_off);
		return false;
	}
	if (a->sn != b->sn || a->part != b->part ||
	    (a->err_off < 0 && a->pos != b->pos)) {
		snprintf(why, len, "end state sn %#llx/%d/%u vs %#llx/%d/%u",
			 (unsigned long long)a->sn, a->part, a->pos,
			 (unsigned long long)b->sn, b->part, b->pos);
		return false;
	}
	for (i = 0; i < a->nev && i < b->nev; i++)
		if (a->ev[i].off != b->ev[i].off || a->ev[i].sn != b->ev[i].sn ||
		    a->ev[i].ev != b->ev[i].ev)
			break;
	if (i < a->nev || i < b->nev) {
		const struct toy_ev *x = i < a->nev ? &a->ev[i] : &b->ev[i];

		snprintf(why, len, "event %zu of %zu vs %zu differs: %#x at %zu",
			 i, a->nev, b->nev, x->ev, x->off);
		return false;
	}
	for (i = 0; i < a->n; i++)
		if (a->out[i] != b->out[i]) {
			snprintf(why, len, "output differs at %zu: %#x vs %#x",
				 i, a->out[i], b->out[i]);
			return false;
		}
	return true;
}
