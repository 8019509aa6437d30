// SPDX-License-Identifier: GPL-2.0
/*
 * TX datapath: encrypt the TLS records of offloaded sockets.
 *
 * The TLS core hands us TCP segments whose payload is a plaintext record
 * stream with room left for the tags. Like a NIC, the engine follows that
 * stream in TCP sequence order (tracker.c) and keeps its crypto state
 * across segments, so records may be cut anywhere. The record pages are
 * shared with TCP's retransmit queue, so the ciphertext goes into a new
 * skb and the original is released.
 *
 * A segment that is not the next one in sequence (a retransmission, or a
 * jump after a segment the device never saw) is handled per the device's
 * tx_resync mode:
 *  - replay: as mlx5 does, find the segment's record in the TLS core's
 *    record list, replay the record's bytes before the segment through a
 *    scratch stream (the "dump" of the hardware), then encrypt the segment;
 *  - request: as nfp does, use the kernel's software fallback, and after a
 *    forward jump ask the core to resync the device at the next record.
 */
#include <linux/highmem.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "tlsdev.h"

#define TLSDEV_AAD_SIZE		13	/* seq(8) type(1) version(2) length(2) */

void tlsdev_stream_reset(struct tlsdev_stream *st, u32 tcp_seq, u64 rec_sn)
{
	st->tcp_seq = tcp_seq;
	trk_init(&st->trk, TLS_HEADER_SIZE + TLS_CIPHER_AES_GCM_128_IV_SIZE,
		 TLSDEV_TAG_SIZE, rec_sn);
}

static struct tlsdev_tx_conn *tlsdev_tx_conn(struct sock *sk)
{
	return *(struct tlsdev_tx_conn **)tls_driver_ctx(sk, TLS_OFFLOAD_CTX_DIR_TX);
}

/*
 * What we hand to the lower device must not look like an skb of an
 * offloaded socket: the lower device would run it through the software
 * fallback again (socket attached) or drop it (decrypted, no socket).
 */
struct sk_buff *tlsdev_tx_detach(struct sk_buff *skb)
{
	skb_orphan(skb);
	skb->decrypted = 0;
	return skb;
}

void tlsdev_xmit_lower(struct tlsdev *td, struct sk_buff *skb)
{
	unsigned int len = skb->len;
	int ret;

	skb->dev = td->lower;
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(td->dev, 1, len);
	else
		DEV_STATS_INC(td->dev, tx_dropped);
}

static int tlsdev_tx_rec_begin(struct tlsdev_tx_conn *conn,
			       struct tlsdev_stream *st)
{
	const struct trk *t = &st->trk;
	u8 nonce[TLSDEV_NONCE_SIZE];
	u8 aad[TLSDEV_AAD_SIZE];

	memcpy(nonce, conn->salt, TLSDEV_SALT_SIZE);
	memcpy(nonce + TLSDEV_SALT_SIZE, t->hdr + TLS_HEADER_SIZE,
	       TLSDEV_NONCE_SIZE - TLSDEV_SALT_SIZE);

	put_unaligned_be64(t->rec_sn, aad);
	memcpy(aad + 8, t->hdr, 3);		/* type, version */
	put_unaligned_be16(t->payload_len, aad + 11);

	return conn->be->rec_begin(conn->key, st->be, nonce, aad, sizeof(aad));
}

/* Run the engine of @st over the next @len bytes of the stream, in place. */
static int tlsdev_tx_engine(struct tlsdev_tx_conn *conn,
			    struct tlsdev_stream *st, u8 *buf, u32 len)
{
	const struct tlsdev_backend *be = conn->be;
	struct trk_span sp;
	int ev, err = 0;

	lockdep_assert_held(&conn->lock);

	st->tcp_seq += len;
	while (len) {
		trk_span(&st->trk, len, &sp);
		if (sp.part == TRK_PAYLOAD)
			err = be->encrypt(conn->key, st->be, buf, sp.len);
		else if (sp.part == TRK_TAG)
			memcpy(buf, st->tag + sp.off, sp.len);
		if (err)
			return err;

		ev = trk_advance(&st->trk, &sp, buf);
		if (ev < 0)
			return ev;
		if (ev & TRK_EV_HDR_DONE)
			err = tlsdev_tx_rec_begin(conn, st);
		if (!err && (ev & TRK_EV_PAYLOAD_DONE))
			err = be->rec_end(conn->key, st->be, st->tag);
		if (err)
			return err;

		buf += sp.len;
		len -= sp.len;
	}
	return 0;
}

/* Copy @len bytes at offset @off of @frag to @dst. */
static void tlsdev_frag_copy(u8 *dst, const skb_frag_t *frag, u32 off, u32 len)
{
	struct page *page = skb_frag_page(frag);
	u32 poff = skb_frag_off(frag) + off;

	while (len) {
		u32 n = min_t(u32, len, PAGE_SIZE - offset_in_page(poff));

		memcpy_from_page(dst, page + (poff >> PAGE_SHIFT),
				 offset_in_page(poff), n);
		dst += n;
		poff += n;
		len -= n;
	}
}

/*
 * Replay the first @len bytes of a record (@frags, referenced by the
 * caller) through @st, discarding the output: the hardware's "dump".
 */
static int tlsdev_tx_replay(struct tlsdev_tx_conn *conn,
			    struct tlsdev_stream *st, const skb_frag_t *frags,
			    u32 len)
{
	u32 off = 0;
	int err;

	while (len) {
		u32 fsize = skb_frag_size(frags), n;

		if (off == fsize) {
			frags++;
			off = 0;
			continue;
		}
		n = min3(len, fsize - off, (u32)TLSDEV_REPLAY_CHUNK);
		tlsdev_frag_copy(conn->chunk, frags, off, n);
		err = tlsdev_tx_engine(conn, st, conn->chunk, n);
		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

/* The result of looking a segment's record up in the core's list. */
struct tlsdev_tx_sync {
	u32 rec_start;
	u32 prefix;		/* bytes of the record before the segment */
	u64 rec_sn;
	int nr_frags;
	skb_frag_t frags[MAX_SKB_FRAGS];	/* referenced */
};

static enum tlsdev_stat tlsdev_tx_sync_get(struct sock *sk, u32 seq,
					   struct tlsdev_tx_sync *sync)
{
	struct tls_offload_context_tx *octx = tls_offload_ctx_tx(tls_get_ctx(sk));
	struct tls_record_info *rec;
	unsigned long flags;
	s32 remaining;

	spin_lock_irqsave(&octx->lock, flags);
	rec = tls_get_record(octx, seq, &sync->rec_sn);
	if (!rec) {
		/* acked and freed: TCP will not need these bytes again */
		spin_unlock_irqrestore(&octx->lock, flags);
		return TLSDEV_TX_DROP_NO_SYNC_DATA;
	}
	if (tls_record_is_start_marker(rec)) {
		/* decrypted data before the first offloaded record */
		spin_unlock_irqrestore(&octx->lock, flags);
		return TLSDEV_TX_DROP_BYPASS_REQ;
	}

	sync->rec_start = tls_record_start_seq(rec);
	sync->prefix = seq - sync->rec_start;
	remaining = sync->prefix;
	for (sync->nr_frags = 0; remaining > 0; sync->nr_frags++) {
		skb_frag_t *frag = &sync->frags[sync->nr_frags];

		*frag = rec->frags[sync->nr_frags];
		__skb_frag_ref(frag);
		remaining -= skb_frag_size(frag);
	}
	spin_unlock_irqrestore(&octx->lock, flags);
	return TLSDEV_NUM_STATS;
}

static void tlsdev_tx_sync_put(struct tlsdev_tx_sync *sync)
{
	while (sync->nr_frags)
		__skb_frag_unref(&sync->frags[--sync->nr_frags], false);
}

/* Encrypt @len bytes at @buf, which start at TCP sequence number @seq. */
static int tlsdev_tx_crypt(struct tlsdev *td, struct tlsdev_tx_conn *conn,
			   struct sock *sk, u32 seq, u8 *buf, u32 len,
			   bool force_resync)
{
	struct tlsdev_tx_sync sync;
	struct tlsdev_stream *st;
	enum tlsdev_stat drop;
	int err;

	if (likely(seq == conn->main->tcp_seq && conn->synced && !force_resync))
		return tlsdev_tx_engine(conn, conn->main, buf, len);

	drop = tlsdev_tx_sync_get(sk, seq, &sync);
	if (drop != TLSDEV_NUM_STATS) {
		tlsdev_stats_inc(td, drop);
		return -ENODATA;
	}

	st = conn->scratch;
	tlsdev_stream_reset(st, sync.rec_start, sync.rec_sn);
	err = tlsdev_tx_replay(conn, st, sync.frags, sync.prefix);
	tlsdev_tx_sync_put(&sync);
	if (!err)
		err = tlsdev_tx_engine(conn, st, buf, len);
	if (err)
		return err;

	conn->replays++;
	tlsdev_stats_inc(td, TLSDEV_TX_DUMP_PACKETS);
	tlsdev_stats_add(td, TLSDEV_TX_DUMP_BYTES, sync.prefix);
	tlsdev_stats_add(td, TLSDEV_TX_RESYNC_BYTES, len);

	/* the segment reaches beyond the device's stream: it is the new one */
	if (!conn->synced || after(st->tcp_seq, conn->main->tcp_seq)) {
		conn->scratch = conn->main;
		conn->main = st;
		conn->synced = true;
	}
	return 0;
}

/* A segment the device could not send: freed and counted as dropped. */
static void tlsdev_tx_drop(struct tlsdev *td, struct sk_buff *skb)
{
	kfree_skb(skb);
	DEV_STATS_INC(td->dev, tx_dropped);
}

static struct sk_buff *tlsdev_tx_fallback(struct tlsdev *td,
					  struct sk_buff *skb)
{
	struct sk_buff *nskb;

	nskb = tls_encrypt_skb(skb);	/* frees @skb when it fails */
	if (!nskb) {
		DEV_STATS_INC(td->dev, tx_dropped);
		return NULL;
	}
	tlsdev_stats_inc(td, TLSDEV_TX_FALLBACK_PACKETS);
	return tlsdev_tx_detach(nskb);
}

/* Request mode: the device only encrypts in sequence; see above. */
static bool tlsdev_tx_request_sync(struct tlsdev *td,
				   struct tlsdev_tx_conn *conn,
				   struct sock *sk, u32 seq)
{
	if (tls_offload_tx_resync_pending(sk))
		return false;
	if (likely(seq == conn->main->tcp_seq && conn->synced))
		return true;
	/* a forward jump: the device lost its place for good */
	if (conn->synced && after(seq, conn->main->tcp_seq)) {
		conn->synced = false;
		tls_offload_tx_resync_request(sk, seq, conn->main->tcp_seq);
		tlsdev_stats_inc(td, TLSDEV_TX_RESYNC_REQ);
	}
	return false;
}

/* Encrypt @skb, a segment of @conn, into a new skb. */
static struct sk_buff *tlsdev_tx_encrypt(struct tlsdev *td,
					 struct tlsdev_tx_conn *conn,
					 struct sk_buff *skb, u32 hlen,
					 enum tlsdev_fault_action fault)
{
	u32 seq = ntohl(tcp_hdr(skb)->seq), plen = skb->len - hlen;
	struct sk_buff *nskb;
	int err;

	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb) {
		tlsdev_stats_inc(td, TLSDEV_TX_DROP_NO_MEM);
		tlsdev_tx_drop(td, skb);
		return NULL;
	}

	spin_lock(&conn->lock);
	if (seq != conn->main->tcp_seq) {
		conn->ooo++;
		tlsdev_stats_inc(td, TLSDEV_TX_OOO);
	}
	err = tlsdev_tx_crypt(td, conn, skb->sk, seq, nskb->data + hlen, plen,
			      fault == TLSDEV_FAULT_ACT_REPLAY);
	if (err && err != -ENODATA) {
		/*
		 * The stream's state is lost mid-record: the next segment
		 * resyncs (replay mode) or goes to software for good.
		 */
		conn->synced = false;
		tlsdev_stats_inc(td, TLSDEV_TX_DROP_ENGINE);
	}
	spin_unlock(&conn->lock);

	if (err) {
		kfree_skb(nskb);
		tlsdev_tx_drop(td, skb);
		return NULL;
	}
	tlsdev_stats_inc(td, TLSDEV_TX_ENCRYPTED_PACKETS);
	tlsdev_stats_add(td, TLSDEV_TX_ENCRYPTED_BYTES, plen);
	consume_skb(skb);
	return tlsdev_tx_detach(nskb);
}

/*
 * Apply a fault to a segment the device encrypted; NULL if it took it.
 * What a fault takes is counted by its fault counter only, not as
 * tx_dropped: it is the test's loss, not the device's.
 */
static struct sk_buff *tlsdev_tx_fault(struct tlsdev *td, struct sk_buff *skb,
				       enum tlsdev_fault_action fault)
{
	struct sk_buff *dup;

	switch (fault) {
	case TLSDEV_FAULT_ACT_DROP:
		tlsdev_stats_inc(td, TLSDEV_FAULT_DROP);
		kfree_skb(skb);
		return NULL;
	case TLSDEV_FAULT_ACT_DUP:
		dup = skb_clone(skb, GFP_ATOMIC);
		if (dup) {
			tlsdev_stats_inc(td, TLSDEV_FAULT_DUP);
			tlsdev_xmit_lower(td, dup);
		}
		return skb;
	case TLSDEV_FAULT_ACT_DELAY:
		tlsdev_stats_inc(td, TLSDEV_FAULT_DELAY);
		tlsdev_fault_delay(td, skb);
		return NULL;
	case TLSDEV_FAULT_ACT_REPLAY:
		tlsdev_stats_inc(td, TLSDEV_FAULT_REPLAY);
		return skb;
	default:
		return skb;
	}
}

/*
 * @skb belongs to a socket whose TX is offloaded to this device; @faults:
 * the TX fault rule may take it. Returns what to send to the lower device,
 * or NULL if the skb was consumed: dropped (counted in tx_dropped) or
 * taken by a fault (counted by the fault only).
 */
static struct sk_buff *tlsdev_tx_offload_seg(struct tlsdev *td,
					     struct sk_buff *skb, bool faults)
{
	enum tlsdev_fault_action fault = TLSDEV_FAULT_ACT_NONE;
	struct sock *sk = skb->sk;
	struct tlsdev_tx_conn *conn;
	struct sk_buff *nskb;
	bool in_sync;
	u32 hlen;

	hlen = skb_tcp_all_headers(skb);
	if (skb->len == hlen)
		return tlsdev_tx_detach(skb);

	conn = tlsdev_tx_conn(sk);
	if (!skb->decrypted) {
		/*
		 * Data sent before the keys (a handshake), retransmitted after
		 * them: passed on. TCP never puts it in one skb with data for
		 * the device (the core marks the last skb before the keys
		 * end-of-record, and no collapse mixes the decrypted mark);
		 * were it to reach past the start of the offload, records
		 * would go out in plaintext: dropped, as mlx5 drops it.
		 */
		if (after(ntohl(tcp_hdr(skb)->seq) + skb->len - hlen,
			  conn->start_seq)) {
			tlsdev_stats_inc(td, TLSDEV_TX_DROP_BYPASS_REQ);
			tlsdev_tx_drop(td, skb);
			return NULL;
		}
		tlsdev_stats_inc(td, TLSDEV_TX_SKIP_NO_SYNC_DATA);
		return tlsdev_tx_detach(skb);
	}

	if (td->tx_resync == TLSDEV_TX_RESYNC_REQUEST) {
		spin_lock(&conn->lock);
		in_sync = tlsdev_tx_request_sync(td, conn, sk,
						 ntohl(tcp_hdr(skb)->seq));
		if (!in_sync) {
			conn->ooo++;
			tlsdev_stats_inc(td, TLSDEV_TX_OOO);
		}
		spin_unlock(&conn->lock);
		if (!in_sync)
			return tlsdev_tx_fallback(td, skb);
	}

	if (faults)
		fault = tlsdev_fault_tx(td);
	if (fault == TLSDEV_FAULT_ACT_REPLAY &&
	    td->tx_resync == TLSDEV_TX_RESYNC_REQUEST)
		fault = TLSDEV_FAULT_ACT_NONE;
	if (fault == TLSDEV_FAULT_ACT_HOLD) {
		/* the device looks at it later (tlsdev_tx_held_send) */
		if (tlsdev_fault_hold(td, skb)) {
			tlsdev_stats_inc(td, TLSDEV_FAULT_HOLD);
			return NULL;
		}
		fault = TLSDEV_FAULT_ACT_NONE;
	}
	nskb = tlsdev_tx_encrypt(td, conn, skb, hlen, fault);
	if (!nskb)
		return NULL;
	if (unlikely(fault != TLSDEV_FAULT_ACT_NONE))
		nskb = tlsdev_tx_fault(td, nskb, fault);
	return nskb;
}

/*
 * @skb belongs to a socket whose TX is offloaded (to this device or, if
 * the route changed, to another). Returns what to send to the lower device,
 * or NULL if the skb was consumed: dropped (counted in tx_dropped) or
 * taken by a fault (counted by the fault only).
 */
struct sk_buff *tlsdev_tx_offload(struct tlsdev *td, struct sk_buff *skb)
{
	/*
	 * Only skbs marked decrypted carry plaintext records for this
	 * device; the rest is data sent before the keys were installed,
	 * bare ACKs and FINs, or what the software fallback already
	 * encrypted because the socket is offloaded to another device.
	 */
	if (rcu_dereference_bh(tls_get_ctx(skb->sk)->netdev) != td->dev)
		return tlsdev_tx_detach(skb);
	return tlsdev_tx_offload_seg(td, skb, true);
}

/*
 * Is the segment TLSDEV_FAULT_ACT_HOLD holds to be handed on: its first
 * byte's record gone from the TLS core's list (acknowledged and freed), or
 * its socket no longer offloaded to this device? Called in softirq
 * context; the held skb keeps its socket and TLS context alive.
 */
bool tlsdev_tx_held_done(struct tlsdev *td, struct sk_buff *skb)
{
	struct tls_context *ctx = tls_get_ctx(skb->sk);
	struct tls_offload_context_tx *octx;
	struct tls_record_info *rec;
	unsigned long flags;
	u64 rec_sn;

	if (rcu_dereference_bh(ctx->netdev) != td->dev)
		return true;
	octx = tls_offload_ctx_tx(ctx);
	spin_lock_irqsave(&octx->lock, flags);
	rec = tls_get_record(octx, ntohl(tcp_hdr(skb)->seq), &rec_sn);
	spin_unlock_irqrestore(&octx->lock, flags);
	return !rec;
}

/*
 * Hand a segment TLSDEV_FAULT_ACT_HOLD held to the device, as if it were
 * sent now; no fault applies to it again. Its payload is plaintext the
 * core meant for this device: if the socket's offload was torn down
 * meanwhile (tls_device_down, which then no longer waits for it), it is
 * dropped, never sent as it is.
 */
void tlsdev_tx_held_send(struct tlsdev *td, struct sk_buff *skb)
{
	rcu_read_lock_bh();
	if (rcu_dereference_bh(tls_get_ctx(skb->sk)->netdev) != td->dev) {
		tlsdev_tx_drop(td, skb);
		skb = NULL;
	} else {
		skb = tlsdev_tx_offload_seg(td, skb, false);
	}
	if (skb)
		tlsdev_xmit_lower(td, skb);
	rcu_read_unlock_bh();
}
