// SPDX-License-Identifier: GPL-2.0
/*
 * RX datapath: decrypt the TLS records of offloaded sockets on receive.
 *
 * As Documentation/networking/tls-offload.rst asks of a NIC: the device
 * matches segments to connections by 4-tuple, follows the record stream in
 * TCP sequence order, decrypts and authenticates, and marks a segment
 * decrypted only if it handled all of it. Anything else (a failed tag, a
 * bad header or checksum, a segment it cannot place) goes up exactly as it
 * came off the wire, so the software path decides. Segments are decrypted
 * in a copy: their pages may be shared with the sender (veth) and the
 * original must stay intact when the device gives up.
 *
 * Losing sync and getting it back:
 *  - a gap that stays inside the current record (the next header's place
 *    is known) costs the segments of that record only;
 *  - otherwise the device searches. In request mode (emu's default) it
 *    scans for a plausible header and asks the core to confirm it with
 *    tls_offload_rx_resync_request(), counting the records it passes until
 *    tls_dev_resync(RX) tells it the record number. In async mode (mlx5's
 *    default) it reports the segment holding the candidate with
 *    tls_offload_rx_resync_async_request_start() and answers the core's
 *    query from a work item, as mlx5's GET_PSV completion does:
 *    ..._request_end() with the header it is tracking, or
 *    ..._request_cancel() once it no longer tracks one. In hint mode the
 *    core drives: tls_dev_resync(RX) says where a record starts; the
 *    device meanwhile follows a candidate of its own, and a hint naming one
 *    of its recent headers places it at once. Linux 6.1 can hint one
 *    record off (tls_device_core_ctrl_rx_resync names the start of the
 *    record being decrypted with the next one's number), so a placement
 *    stands only once a record authenticates; a failed tag before that
 *    sends the device searching again.
 *  - a candidate the core does not confirm within
 *    TLSDEV_RX_CONFIRM_RECORDS records (or, answered in async mode, within
 *    TLSDEV_RX_ASYNC_TIMEOUT) is dropped and the scan starts again.
 *
 * Fault injection (fault.c decides, this file applies) acts on segments
 * before the device sees them, and on the async answers.
 */
#include <crypto/algapi.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/tls.h>

#include "compat.h"
#include "tlsdev.h"

#define TLSDEV_AAD_SIZE		13
/* records followed from an unconfirmed candidate before giving it up */
#define TLSDEV_RX_CONFIRM_RECORDS	1024
/* how long an answered async query may go without tls_dev_resync */
#define TLSDEV_RX_ASYNC_TIMEOUT		HZ
/* how late a delayed async answer comes (fault injection) */
#define TLSDEV_RX_ASYNC_DELAY		msecs_to_jiffies(20)

static u32 tlsdev_rx_hash(const struct tlsdev_flow *f)
{
	u32 ports = (__force u32)f->sport << 16 | (__force u32)f->dport;

	if (f->family == AF_INET6)
		return jhash2((const u32 *)&f->saddr.v6, 4,
			      jhash2((const u32 *)&f->daddr.v6, 4, ports));
	return jhash_3words((__force u32)f->saddr.v4, (__force u32)f->daddr.v4,
			    ports, 0);
}

static bool tlsdev_flow_eq(const struct tlsdev_flow *a,
			   const struct tlsdev_flow *b)
{
	if (a->family != b->family || a->sport != b->sport ||
	    a->dport != b->dport)
		return false;
	if (a->family == AF_INET6)
		return ipv6_addr_equal(&a->saddr.v6, &b->saddr.v6) &&
		       ipv6_addr_equal(&a->daddr.v6, &b->daddr.v6);
	return a->saddr.v4 == b->saddr.v4 && a->daddr.v4 == b->daddr.v4;
}

void tlsdev_rx_conn_hash(struct tlsdev *td, struct tlsdev_rx_conn *conn)
{
	hash_add_rcu(td->rx_hash, &conn->hnode, tlsdev_rx_hash(&conn->flow));
}

static struct tlsdev_rx_conn *tlsdev_rx_lookup(struct tlsdev *td,
					       const struct tlsdev_flow *f)
{
	struct tlsdev_rx_conn *conn;

	hash_for_each_possible_rcu(td->rx_hash, conn, hnode, tlsdev_rx_hash(f))
		if (tlsdev_flow_eq(&conn->flow, f))
			return conn;
	return NULL;
}

/* The parts of a received TCP/IP packet the device looks at. */
struct tlsdev_rx_pkt {
	struct tlsdev_flow flow;
	u32 seq;
	u32 thoff;		/* of the TCP header in the skb */
	u32 off;		/* of the TCP payload in the skb */
	u32 len;		/* of the TCP payload */
};

/* Parse IPv4/IPv6 + TCP at skb->data; false for anything else. */
static bool tlsdev_rx_parse(struct sk_buff *skb, struct tlsdev_rx_pkt *p)
{
	const struct tcphdr *th;
	u32 l3len, thoff;

	memset(&p->flow, 0, sizeof(p->flow));
	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, sizeof(*iph)))
			return false;
		iph = ip_hdr(skb);
		if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
			return false;
		thoff = iph->ihl * 4;
		l3len = ntohs(iph->tot_len);
		p->flow.family = AF_INET;
		p->flow.saddr.v4 = iph->saddr;
		p->flow.daddr.v4 = iph->daddr;
	} else if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;

		if (!pskb_may_pull(skb, sizeof(*ip6h)))
			return false;
		ip6h = ipv6_hdr(skb);
		if (ip6h->nexthdr != IPPROTO_TCP)
			return false;
		thoff = sizeof(*ip6h);
		l3len = thoff + ntohs(ip6h->payload_len);
		p->flow.family = AF_INET6;
		p->flow.saddr.v6 = ip6h->saddr;
		p->flow.daddr.v6 = ip6h->daddr;
	} else {
		return false;
	}

	if (l3len > skb->len || !pskb_may_pull(skb, thoff + sizeof(*th)))
		return false;
	th = (const struct tcphdr *)(skb->data + thoff);
	if (th->doff < 5 || thoff + th->doff * 4 > l3len)
		return false;
	p->flow.sport = th->source;
	p->flow.dport = th->dest;
	p->seq = ntohl(th->seq);
	p->thoff = thoff;
	p->off = thoff + th->doff * 4;
	p->len = l3len - p->off;
	return true;
}

/* Is the TCP checksum known good (or left to check by the stack)? */
static bool tlsdev_rx_csum_ok(struct sk_buff *skb, const struct tlsdev_rx_pkt *p)
{
	u32 tlen = p->off + p->len - p->thoff;
	__wsum csum;

	if (skb->ip_summed == CHECKSUM_UNNECESSARY ||
	    skb->ip_summed == CHECKSUM_PARTIAL)
		return true;

	csum = skb_checksum(skb, p->thoff, tlen, 0);
	if (p->flow.family == AF_INET6)
		return !csum_ipv6_magic(&p->flow.saddr.v6, &p->flow.daddr.v6,
					tlen, IPPROTO_TCP, csum);
	return !csum_tcpudp_magic(p->flow.saddr.v4, p->flow.daddr.v4, tlen,
				  IPPROTO_TCP, csum);
}

static int tlsdev_rx_rec_begin(struct tlsdev_rx_conn *conn)
{
	const struct trk *t = &conn->st->trk;
	u8 nonce[TLSDEV_NONCE_SIZE];
	u8 aad[TLSDEV_AAD_SIZE];

	memcpy(nonce, conn->salt, TLSDEV_SALT_SIZE);
	memcpy(nonce + TLSDEV_SALT_SIZE, t->hdr + TLS_HEADER_SIZE,
	       TLSDEV_NONCE_SIZE - TLSDEV_SALT_SIZE);
	put_unaligned_be64(t->rec_sn, aad);
	memcpy(aad + 8, t->hdr, 3);
	put_unaligned_be16(t->payload_len, aad + 11);
	return conn->be->rec_begin(conn->key, conn->st->be, nonce, aad,
				   sizeof(aad));
}

/*
 * Following a candidate: remember where its last TLSDEV_RX_HDR_LOG record
 * headers were, and their place in the chain (the current record's number
 * counts from 0 at the candidate), so that a hint naming one of them
 * places the chain even after its header went by.
 */
static void tlsdev_rx_hdr_log(struct tlsdev_rx_conn *conn, u32 seq)
{
	u32 idx = conn->st->trk.rec_sn;	/* < TLSDEV_RX_CONFIRM_RECORDS */

	conn->hdr_log[idx % TLSDEV_RX_HDR_LOG].seq = seq;
	conn->hdr_log[idx % TLSDEV_RX_HDR_LOG].idx = idx;
	conn->hdr_log_len = min_t(u32, idx + 1, TLSDEV_RX_HDR_LOG);
}

/* The chain index of the logged header at @seq, or -1. */
static s64 tlsdev_rx_hdr_find(const struct tlsdev_rx_conn *conn, u32 seq)
{
	u32 i;

	for (i = 0; i < conn->hdr_log_len; i++)
		if (conn->hdr_log[i].seq == seq &&
		    conn->hdr_log[i].idx <= conn->st->trk.rec_sn)
			return conn->hdr_log[i].idx;
	return -1;
}

/*
 * Run the stream over @len received bytes at @buf, decrypting in place
 * where it can. Returns 1 if every byte was decrypted or authenticated
 * header/tag, 0 if not (the caller then delivers the original), or a
 * negative error if the stream can no longer be followed.
 */
static int tlsdev_rx_engine(struct tlsdev *td, struct tlsdev_rx_conn *conn,
			    u8 *buf, u32 len)
{
	const struct tlsdev_backend *be = conn->be;
	struct tlsdev_stream *st = conn->st;
	struct trk_span sp;
	bool all;
	int ev, err;
	u32 seq;

	/* decrypting from the start: in a record, or at a known one's start */
	all = conn->crypto ||
	      (st->trk.part == TRK_HDR && !st->trk.pos && conn->rec_known);
	seq = st->tcp_seq;
	st->tcp_seq += len;
	while (len) {
		trk_span(&st->trk, len, &sp);
		if (sp.part == TRK_PAYLOAD && conn->crypto) {
			err = be->decrypt(conn->key, st->be, buf, sp.len);
			if (err)
				return err;
		} else if (sp.part == TRK_TAG && conn->crypto &&
			   crypto_memneq(buf, st->tag + sp.off, sp.len)) {
			/* this record stays to software, which fails it */
			tlsdev_stats_inc(td, TLSDEV_RX_AUTH_FAIL);
			all = false;
			/* or the hint named the wrong record: search again */
			if (conn->unproven)
				return -EBADMSG;
		}

		ev = trk_advance(&st->trk, &sp, buf);
		if (ev < 0)
			return ev;
		seq += sp.len;
		if ((ev & TRK_EV_HDR_DONE) && conn->state == TLSDEV_RX_CONFIRM)
			tlsdev_rx_hdr_log(conn, seq - st->trk.prepend_len);
		if (ev & TRK_EV_HDR_DONE) {
			/* a record start: crypto state if its number is known */
			conn->crypto = conn->rec_known;
			if (conn->crypto) {
				err = tlsdev_rx_rec_begin(conn);
				if (err)
					return err;
			}
		}
		if ((ev & TRK_EV_PAYLOAD_DONE) && conn->crypto) {
			err = be->rec_end(conn->key, st->be, st->tag);
			if (err)
				return err;
		}
		if ((ev & TRK_EV_REC_DONE) && conn->crypto)
			conn->unproven = false;
		buf += sp.len;
		len -= sp.len;
	}
	return all;
}

/* Async mode: withdraw the request open in the core, if any. */
static void tlsdev_rx_async_cancel(struct tlsdev *td,
				   struct tlsdev_rx_conn *conn)
{
	if (conn->async_state == TLSDEV_RX_ASYNC_IDLE)
		return;
	tls_offload_rx_resync_async_request_cancel(&conn->async);
	conn->async_state = TLSDEV_RX_ASYNC_IDLE;
	tlsdev_stats_inc(td, TLSDEV_RX_RESYNC_REQ_SKIP);
}

/* The stream cannot be followed any more: look for it again. */
static void tlsdev_rx_lose_sync(struct tlsdev *td, struct tlsdev_rx_conn *conn)
{
	tlsdev_rx_async_cancel(td, conn);
	conn->state = TLSDEV_RX_SEARCH;
	conn->crypto = false;
	conn->rec_known = false;
	conn->unproven = false;
	tlsdev_stats_inc(td, TLSDEV_RX_SYNC_LOST);
}

/* Follow the stream from a record header at @seq whose number is unknown. */
static void tlsdev_rx_track(struct tlsdev_rx_conn *conn, u32 seq)
{
	tlsdev_stream_reset(conn->st, seq, 0);
	conn->crypto = false;
	conn->rec_known = false;
	conn->hdr_log_len = 0;
}

/*
 * A plausible TLS 1.2 record header at @p, with (when the segment holds
 * it) another one right after the record.
 */
static bool tlsdev_rx_hdr_plausible(const u8 *p, u32 avail)
{
	u32 len, next;

	if (avail < TLS_HEADER_SIZE || p[0] < 20 || p[0] > 24 ||
	    p[1] != 3 || p[2] != 3)
		return false;
	len = get_unaligned_be16(p + 3);
	if (len < TLS_CIPHER_AES_GCM_128_IV_SIZE + TLSDEV_TAG_SIZE ||
	    len > TRK_MAX_RECORD_LEN)
		return false;
	next = TLS_HEADER_SIZE + len;
	if (next + TLS_HEADER_SIZE > avail)
		return true;
	return p[next] >= 20 && p[next] <= 24 && p[next + 1] == 3 &&
	       p[next + 2] == 3;
}

/*
 * Searching: scan the segment for a header and follow the stream from
 * there; in request and async modes, ask the core to confirm it. Returns
 * the offset of the candidate in @buf, or -1.
 */
static int tlsdev_rx_scan(struct tlsdev *td, struct tlsdev_rx_conn *conn,
			  const u8 *buf, u32 seq, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		if (!tlsdev_rx_hdr_plausible(buf + i, len - i))
			continue;
		tlsdev_rx_track(conn, seq + i);
		conn->state = TLSDEV_RX_CONFIRM;
		conn->cand_seq = seq + i;
		if (td->rx_resync == TLSDEV_RX_RESYNC_HINT)
			return i;	/* the core's next hint may place it */
		tlsdev_stats_inc(td, TLSDEV_RX_RESYNC_REQ_PKT);
		if (td->rx_resync == TLSDEV_RX_RESYNC_REQUEST) {
			tls_offload_rx_resync_request(conn->sk,
						      htonl(seq + i + TLS_HEADER_SIZE - 1));
			return i;
		}
		/*
		 * The core logs the record headers it parses in the
		 * segment from now on; the work item tells it which one.
		 */
		tls_offload_rx_resync_async_request_start(conn->sk, htonl(seq),
							  min_t(u32, len, U16_MAX));
		conn->async_state = TLSDEV_RX_ASYNC_QUERY;
		conn->async_late = false;
		mod_delayed_work(system_wq, &conn->async_work, 0);
		tlsdev_stats_inc(td, TLSDEV_RX_RESYNC_REQ_START);
		return i;
	}
	return -1;
}

/*
 * Where does the segment at @p go with respect to the stream? Sets up the
 * stream for it and returns the offset in the segment at which the stream
 * continues, or -1 if the segment is not to be looked at.
 */
static int tlsdev_rx_place(struct tlsdev *td, struct tlsdev_rx_conn *conn,
			   const struct tlsdev_rx_pkt *p)
{
	struct tlsdev_stream *st = conn->st;
	const struct trk *t = &st->trk;
	u32 next_hdr;

	if (p->seq == st->tcp_seq)
		return 0;
	if (!after(p->seq + p->len, st->tcp_seq))
		return -1;	/* old data: retransmitted or reordered */
	if (before(p->seq, st->tcp_seq))
		return st->tcp_seq - p->seq;	/* partly old */

	/* a gap: fine if the next record's place is known and in reach */
	tlsdev_stats_inc(td, TLSDEV_RX_OOO);
	conn->ooo++;
	if (t->part == TRK_HDR && t->pos < TLS_HEADER_SIZE)
		goto lost;
	if (t->part == TRK_HDR)		/* the length field is in */
		next_hdr = st->tcp_seq - t->pos + TLS_HEADER_SIZE +
			   get_unaligned_be16(t->hdr + 3);
	else if (t->part == TRK_PAYLOAD)
		next_hdr = st->tcp_seq + t->payload_len - t->pos + t->tag_len;
	else
		next_hdr = st->tcp_seq + t->tag_len - t->pos;
	if (after(p->seq, next_hdr))
		goto lost;
	if (!after(p->seq + p->len, next_hdr))
		return -1;	/* all in the record with the hole */

	tlsdev_stream_reset(st, next_hdr, t->rec_sn + 1);
	conn->crypto = false;
	return next_hdr - p->seq;

lost:
	tlsdev_rx_lose_sync(td, conn);
	return -1;
}

/* Handle a segment of @conn; returns what to deliver. */
static struct sk_buff *tlsdev_rx_segment(struct tlsdev *td,
					 struct tlsdev_rx_conn *conn,
					 struct sk_buff *skb,
					 const struct tlsdev_rx_pkt *p)
{
	struct sk_buff *nskb;
	int start, ret = 0;
	u8 *buf;

	switch (conn->state) {
	case TLSDEV_RX_HINT:
		if (before(p->seq + p->len, conn->hint_seq))
			return skb;
		if (after(p->seq, conn->hint_seq)) {
			/* the named start went by: look for headers again */
			conn->state = TLSDEV_RX_SEARCH;
			break;
		}
		/* the core said where a record starts: follow from there */
		tlsdev_stream_reset(conn->st, conn->hint_seq, conn->hint_rec_sn);
		conn->rec_known = true;
		conn->crypto = false;
		conn->unproven = true;
		conn->state = TLSDEV_RX_SYNC;
		break;
	}

	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb) {
		tlsdev_stats_inc(td, TLSDEV_RX_ERR);
		return skb;
	}
	buf = nskb->data + p->off;

	if (conn->state == TLSDEV_RX_SEARCH) {
		start = tlsdev_rx_scan(td, conn, buf, p->seq, p->len);
		if (start < 0)
			goto deliver_original;
	} else {
		start = tlsdev_rx_place(td, conn, p);
		if (start < 0)
			goto deliver_original;
	}

	/* the segment is the device's to decrypt only if it starts in sync */
	if (start)
		conn->crypto = false;
	ret = tlsdev_rx_engine(td, conn, buf + start, p->len - start);
	if (ret < 0) {
		tlsdev_rx_lose_sync(td, conn);
		goto deliver_original;
	}
	/* a plausible but false candidate, or one the core never heard of */
	if (conn->state == TLSDEV_RX_CONFIRM &&
	    conn->st->trk.rec_sn >= TLSDEV_RX_CONFIRM_RECORDS) {
		tlsdev_rx_lose_sync(td, conn);
		goto deliver_original;
	}
	if (!ret || start)
		goto deliver_original;

	tlsdev_stats_inc(td, TLSDEV_RX_DECRYPTED_PACKETS);
	tlsdev_stats_add(td, TLSDEV_RX_DECRYPTED_BYTES, p->len);
	nskb->decrypted = 1;
	nskb->ip_summed = CHECKSUM_UNNECESSARY;
	nskb->csum_level = 0;
	consume_skb(skb);
	return nskb;

deliver_original:
	kfree_skb(nskb);
	return skb;
}

/*
 * Fault injection: the wire flipped a byte of the TCP payload and its
 * checksum did not catch it. The NIC's checksum check passed, so the
 * segment is marked as verified; the copy keeps the sender's pages intact.
 * Returns the segment to go on with (the original if it cannot be copied).
 */
static struct sk_buff *tlsdev_rx_corrupt(struct tlsdev *td,
					 struct sk_buff *skb,
					 const struct tlsdev_rx_pkt *p)
{
	struct sk_buff *nskb;

	if (!tlsdev_rx_csum_ok(skb, p))
		return skb;	/* already bad: the stack drops it */
	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb) {
		tlsdev_stats_inc(td, TLSDEV_RX_ERR);
		return skb;
	}
	nskb->data[p->off + p->len / 2] ^= 0xff;
	nskb->ip_summed = CHECKSUM_UNNECESSARY;
	nskb->csum_level = 0;
	consume_skb(skb);
	tlsdev_stats_inc(td, TLSDEV_FAULT_CORRUPT);
	return nskb;
}

/* The device handles a segment of @conn; under @conn->lock, @conn->sk set. */
static struct sk_buff *tlsdev_rx_one(struct tlsdev *td,
				     struct tlsdev_rx_conn *conn,
				     struct sk_buff *skb,
				     const struct tlsdev_rx_pkt *p)
{
	if (!tlsdev_rx_csum_ok(skb, p)) {
		tlsdev_stats_inc(td, TLSDEV_RX_ERR);
		return skb;
	}
	return tlsdev_rx_segment(td, conn, skb, p);
}

/*
 * Called from the rx_handler for every frame of the lower device, in
 * softirq context under RCU. Returns the skb to deliver, or NULL if the
 * frame was consumed (dropped or held back by fault injection).
 */
struct sk_buff *tlsdev_rx(struct tlsdev *td, struct sk_buff *skb)
{
	enum tlsdev_fault_action act;
	struct sk_buff *held = NULL;
	struct tlsdev_rx_conn *conn;
	struct tlsdev_rx_pkt p, hp;

	if (!tlsdev_rx_parse(skb, &p) || !p.len)
		return skb;
	conn = tlsdev_rx_lookup(td, &p.flow);
	if (!conn)
		return skb;

	act = tlsdev_fault_rx(td);
	switch (act) {
	case TLSDEV_FAULT_ACT_DROP:
		tlsdev_stats_inc(td, TLSDEV_FAULT_DROP);
		kfree_skb(skb);
		return NULL;
	case TLSDEV_FAULT_ACT_CORRUPT:
		skb = tlsdev_rx_corrupt(td, skb, &p);
		break;
	default:
		break;
	}

	spin_lock(&conn->lock);
	if (unlikely(!conn->sk)) {
		spin_unlock(&conn->lock);
		return skb;
	}
	if (act == TLSDEV_FAULT_ACT_DESYNC) {
		tlsdev_stats_inc(td, TLSDEV_FAULT_DESYNC);
		tlsdev_rx_lose_sync(td, conn);
	}
	if (act == TLSDEV_FAULT_ACT_DELAY && !conn->held) {
		/* on the wire behind the next segment of the connection */
		tlsdev_stats_inc(td, TLSDEV_FAULT_DELAY);
		conn->held = skb;
		spin_unlock(&conn->lock);
		return NULL;
	}
	skb = tlsdev_rx_one(td, conn, skb, &p);
	held = conn->held;
	conn->held = NULL;
	if (held && tlsdev_rx_parse(held, &hp))
		held = tlsdev_rx_one(td, conn, held, &hp);
	spin_unlock(&conn->lock);

	/* it came off the wire after @skb: deliver it after @skb */
	if (held) {
		dev_sw_netstats_rx_add(td->dev, held->len);
		netif_rx(held);
	}
	return skb;
}

/* tls_dev_resync(RX): the core names the record at @seq. */
int tlsdev_rx_resync(struct tlsdev *td, struct tlsdev_rx_conn *conn, u32 seq,
		     u64 rec_sn)
{
	int ret = 0;
	s64 idx;

	spin_lock_bh(&conn->lock);
	idx = conn->state == TLSDEV_RX_CONFIRM ? tlsdev_rx_hdr_find(conn, seq) : -1;
	if (td->rx_resync == TLSDEV_RX_RESYNC_HINT && idx >= 0) {
		/* a header of the chain being followed: that places it */
		conn->st->trk.rec_sn = rec_sn + conn->st->trk.rec_sn - idx;
		conn->rec_known = true;
		conn->unproven = true;
		conn->state = TLSDEV_RX_SYNC;
	} else if (td->rx_resync == TLSDEV_RX_RESYNC_HINT &&
		   (conn->state == TLSDEV_RX_CONFIRM ||
		    conn->state == TLSDEV_RX_SYNC) &&
		   before(seq, conn->st->tcp_seq)) {
		/* gone by (and not in the log): keep following the stream */
		ret = -EINVAL;
	} else if (td->rx_resync == TLSDEV_RX_RESYNC_HINT) {
		/* the next record starts at @seq: wait for it */
		conn->state = TLSDEV_RX_HINT;
		conn->hint_seq = seq;
		conn->hint_rec_sn = rec_sn;
	} else if (conn->state == TLSDEV_RX_CONFIRM &&
		   seq == conn->cand_seq +
			  (td->rx_resync == TLSDEV_RX_RESYNC_REQUEST ?
			   TLS_HEADER_SIZE - 1 : 0)) {
		/* the candidate was right: count the records seen since */
		conn->st->trk.rec_sn += rec_sn;
		conn->rec_known = true;
		conn->state = TLSDEV_RX_SYNC;
		conn->async_state = TLSDEV_RX_ASYNC_IDLE;
	} else {
		ret = -EINVAL;
	}
	if (!ret)
		conn->resyncs++;
	spin_unlock_bh(&conn->lock);

	tlsdev_stats_inc_ctl(td, ret ? TLSDEV_RX_RESYNC_RES_SKIP :
				       TLSDEV_RX_RESYNC_RES_OK);
	return ret;
}

/*
 * Async mode: the device's answer to the core's query (in mlx5, the
 * completion of GET_PSV, which reads the tracker's state), and the
 * timeout of an answered query the core never confirmed.
 */
static void tlsdev_rx_async_work(struct work_struct *work)
{
	struct tlsdev_rx_conn *conn = container_of(to_delayed_work(work),
						   struct tlsdev_rx_conn,
						   async_work);
	struct tlsdev *td = conn->td;
	enum tlsdev_fault_action act;

	spin_lock_bh(&conn->lock);
	if (!conn->sk)
		goto out;

	switch (conn->async_state) {
	case TLSDEV_RX_ASYNC_QUERY:
		act = tlsdev_fault_rx_async(td);
		if (act == TLSDEV_FAULT_ACT_DROP) {
			/* no answer: the timeout below withdraws the request */
			tlsdev_stats_inc(td, TLSDEV_FAULT_DROP);
			conn->async_state = TLSDEV_RX_ASYNC_LOST;
			mod_delayed_work(system_wq, &conn->async_work,
					 TLSDEV_RX_ASYNC_TIMEOUT);
			break;
		}
		if (act == TLSDEV_FAULT_ACT_DELAY && !conn->async_late) {
			tlsdev_stats_inc(td, TLSDEV_FAULT_DELAY);
			conn->async_late = true;
			mod_delayed_work(system_wq, &conn->async_work,
					 TLSDEV_RX_ASYNC_DELAY);
			break;
		}
		if (conn->state != TLSDEV_RX_CONFIRM) {
			/* the tracker lost the candidate meanwhile */
			tlsdev_rx_async_cancel(td, conn);
			break;
		}
		tls_offload_rx_resync_async_request_end(conn->sk,
							htonl(conn->cand_seq));
		conn->async_state = TLSDEV_RX_ASYNC_ANSWERED;
		tlsdev_stats_inc(td, TLSDEV_RX_RESYNC_REQ_END);
		mod_delayed_work(system_wq, &conn->async_work,
				 TLSDEV_RX_ASYNC_TIMEOUT);
		break;
	case TLSDEV_RX_ASYNC_ANSWERED:
	case TLSDEV_RX_ASYNC_LOST:
		/* never confirmed: give the candidate up and scan again */
		tlsdev_rx_lose_sync(td, conn);
		break;
	}
out:
	spin_unlock_bh(&conn->lock);
}

/* tls_dev_add: before the connection is visible to the datapath. */
void tlsdev_rx_conn_init(struct tlsdev *td, struct tlsdev_rx_conn *conn)
{
	spin_lock_init(&conn->lock);
	conn->td = td;
	INIT_DELAYED_WORK(&conn->async_work, tlsdev_rx_async_work);
}

/*
 * tls_dev_del: after this the datapath and the work item leave @conn
 * alone (the socket may be gone): @sk is cleared under the lock, which
 * stops both from starting anything new, and the work is cancelled.
 */
void tlsdev_rx_conn_stop(struct tlsdev_rx_conn *conn)
{
	struct sk_buff *held;

	spin_lock_bh(&conn->lock);
	conn->sk = NULL;
	held = conn->held;
	conn->held = NULL;
	spin_unlock_bh(&conn->lock);

	cancel_delayed_work_sync(&conn->async_work);
	kfree_skb(held);
}
