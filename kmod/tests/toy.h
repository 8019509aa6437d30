/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Toy record "engine" for the tracker tests and fuzzer.
 *
 * The input is a TLS-like record stream in the clear, tag bytes being
 * placeholders. The engine (toy_run) cuts the stream into segments, drives
 * the tracker over each segment and transforms it span by span, the way the
 * module encrypts a TX stream: header spans are copied, payload byte i of
 * record n becomes in ^ toy_ks(n, i), and the tag is a checksum over n, the
 * header and the transformed payload. toy_ref() does the same transform
 * record by record, without the tracker. Both fill a struct toy_res, which
 * must come out identical for any segmentation.
 */
#ifndef _TOY_H
#define _TOY_H

#include <stdbool.h>
#include <stddef.h>

#include "tracker_user.h"
#include "tracker.h"

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif
#ifndef __maybe_unused
#define __maybe_unused		__attribute__((unused))
#endif

#define TOY_MAX_TAG	32
#define TOY_FILL	0xa5	/* output bytes the run never reached */

struct toy_cfg {
	u8 prepend;		/* TRK_TLS_HEADER_SIZE..TRK_MAX_PREPEND */
	u8 tag;			/* 0..TOY_MAX_TAG */
	u64 sn;			/* sequence number of the first record */
};

/* Events of all trk_advance() calls that ended at the same stream offset */
struct toy_ev {
	size_t off;
	u64 sn;			/* record they belong to */
	int ev;
};

struct toy_res {
	size_t n, max;
	u8 *out;
	struct toy_ev *ev;
	size_t nev;
	long err_off;		/* where the rejected header ends, or -1 */
	u64 sn;			/* tracker state after the run */
	enum trk_part part;
	u32 pos;		/* not compared after an error */
	char bug[160];		/* first tracker contract violation seen */
};

int toy_res_init(struct toy_res *r, size_t max);
void toy_res_free(struct toy_res *r);

/*
 * Run the engine over @in cut into segments of @seg[0], @seg[1], ... bytes,
 * the list repeating until @n bytes are consumed; nseg == 0 means a single
 * segment. Zero-length segments are fed as such.
 */
void toy_run(struct toy_res *r, const struct toy_cfg *c, const u8 *in,
	     size_t n, const u32 *seg, size_t nseg);
void toy_ref(struct toy_res *r, const struct toy_cfg *c, const u8 *in,
	     size_t n);
/* Compare two results; on mismatch say why in @why. */
bool toy_same(const struct toy_res *a, const struct toy_res *b, char *why,
	      size_t len);

/*
 * The state trk_advance() promises to leave alone on -EBADMSG: hdr bytes
 * from pos on are scratch (the rejected span was copied there).
 */
bool toy_same_state(const struct trk *a, const struct trk *b);
/* Header as the tracker should judge it: payload length or -1. */
long toy_hdr_plen(const struct toy_cfg *c, const u8 *hdr);
/* TLS length field of a record with @plen payload bytes */
static inline u32 toy_len(const struct toy_cfg *c, u32 plen)
{
	return c->prepend - TRK_TLS_HEADER_SIZE + plen + c->tag;
}
/* Write a record header and @len filler bytes at @p; returns 5 + @len. */
size_t toy_put_rec(u8 *p, u8 type, u16 len, u64 seed);

static inline u64 toy_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* xorshift64*; the state must not be 0 */
static inline u64 toy_rand(u64 *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

#endif /* _TOY_H */
