// SPDX-License-Identifier: GPL-2.0
/*
 * TLS record stream tracker: see tracker.h. No kernel calls in this file.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include "tracker_user.h"
#endif
#include "tracker.h"

void trk_init(struct trk *t, u8 prepend_len, u8 tag_len, u64 rec_sn)
{
	memset(t, 0, sizeof(*t));
	t->prepend_len = prepend_len;
	t->tag_len = tag_len;
	t->rec_sn = rec_sn;
	t->part = TRK_HDR;
}

static u32 trk_part_len(const struct trk *t)
{
	switch (t->part) {
	case TRK_HDR:
		return t->prepend_len;
	case TRK_PAYLOAD:
		return t->payload_len;
	default:
		return t->tag_len;
	}
}

void trk_span(const struct trk *t, u32 avail, struct trk_span *sp)
{
	u32 left = trk_part_len(t) - t->pos;

	sp->part = t->part;
	sp->off = t->pos;
	sp->len = avail < left ? avail : left;
}

/* Validate a complete header; returns the payload length or -EBADMSG. */
static int trk_parse_hdr(const struct trk *t)
{
	u32 len = (u32)t->hdr[3] << 8 | t->hdr[4];
	u32 overhead = t->prepend_len - TRK_TLS_HEADER_SIZE + t->tag_len;

	/* content types 20..24 (RFC 8446 B.1); version must be TLS 1.2 */
	if (t->hdr[0] < 20 || t->hdr[0] > 24)
		return -EBADMSG;
	if (t->hdr[1] != 3 || t->hdr[2] != 3)
		return -EBADMSG;
	if (len < overhead || len > TRK_MAX_RECORD_LEN)
		return -EBADMSG;
	return len - overhead;
}

int trk_advance(struct trk *t, const struct trk_span *sp, const u8 *data)
{
	int plen, ev = 0;

	if (t->part == TRK_HDR) {
		memcpy(t->hdr + t->pos, data, sp->len);
		if (t->pos + sp->len < t->prepend_len) {
			t->pos += sp->len;
			return 0;
		}
		plen = trk_parse_hdr(t);
		if (plen < 0)
			return plen;
		t->payload_len = plen;
		t->part = TRK_PAYLOAD;
		t->pos = 0;
		ev = TRK_EV_HDR_DONE;
		/* an empty record ends its payload with its header */
		if (!plen) {
			t->part = TRK_TAG;
			ev |= TRK_EV_PAYLOAD_DONE;
		}
		return ev;
	}

	t->pos += sp->len;
	if (t->pos < trk_part_len(t))
		return 0;

	t->pos = 0;
	if (t->part == TRK_PAYLOAD) {
		t->part = TRK_TAG;
		return TRK_EV_PAYLOAD_DONE;
	}
	t->part = TRK_HDR;
	t->rec_sn++;
	return TRK_EV_REC_DONE;
}
