/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS record stream tracker.
 *
 * Follows a TLS 1.2 record stream byte by byte, the way a NIC does: it
 * reassembles record headers that may be split across segments, and for
 * any run of bytes says which part of which record they belong to (header,
 * payload or tag) and at what offset. It does no crypto and touches no
 * packet memory besides the header bytes it is handed.
 *
 * Plain C on purpose: no kernel calls, so that userspace unit tests and a
 * fuzzer exercise exactly the code the module runs. The includer provides
 * the u8/u16/u32/u64 types and EBADMSG.
 *
 * Locking: none; the owner serialises all calls for one stream.
 */
#ifndef _TLSDEV_TRACKER_H
#define _TLSDEV_TRACKER_H

#define TRK_TLS_HEADER_SIZE	5
/* TLS 1.2 AES-GCM: 5 header bytes + 8 explicit nonce bytes */
#define TRK_MAX_PREPEND		13
/* RFC 5246 6.2.3: TLSCiphertext.length <= 2^14 + 2048 */
#define TRK_MAX_RECORD_LEN	(16384 + 2048)

enum trk_part {
	TRK_HDR,	/* header and explicit nonce, sent in the clear */
	TRK_PAYLOAD,	/* encrypted bytes */
	TRK_TAG,	/* authentication tag */
};

/* Events returned by trk_advance() */
#define TRK_EV_HDR_DONE		0x1	/* header parsed: record parameters valid */
#define TRK_EV_PAYLOAD_DONE	0x2	/* last payload byte consumed */
#define TRK_EV_REC_DONE		0x4	/* last tag byte consumed */

struct trk_span {
	enum trk_part part;
	u32 off;		/* offset of the span within its part */
	u32 len;
};

struct trk {
	u64 rec_sn;		/* sequence number of the current record */
	u32 payload_len;	/* valid once TRK_EV_HDR_DONE was returned */
	u32 pos;		/* offset within the current part */
	enum trk_part part;
	u8 prepend_len;		/* header + explicit nonce */
	u8 tag_len;
	u8 hdr[TRK_MAX_PREPEND];
};

void trk_init(struct trk *t, u8 prepend_len, u8 tag_len, u64 rec_sn);

/* Next contiguous span of at most @avail bytes inside one record part. */
void trk_span(const struct trk *t, u32 avail, struct trk_span *sp);

/*
 * Consume the @sp->len bytes of the span last returned by trk_span().
 * @data points at those bytes; it is only read for header spans.
 * Returns a mask of TRK_EV_* or -EBADMSG for a header that is not a
 * TLS 1.2 record this tracker can follow (the state is then unchanged).
 */
int trk_advance(struct trk *t, const struct trk_span *sp, const u8 *data);

/* Bytes of a record, from its first header byte to its last tag byte. */
static inline u32 trk_record_size(const struct trk *t)
{
	return t->prepend_len + t->payload_len + t->tag_len;
}

#endif /* _TLSDEV_TRACKER_H */
