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
 * A segment that is not the next one in sequence (a retransmission) goes
 * through the kernel's software fallback and is counted as tx_tls_ooo.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "tlsdev.h"

#define TLSDEV_AAD_SIZE		13	/* seq(8) type(1) version(2) length(2) */

int tlsdev_tx_conn_init(struct tlsdev_tx_conn *conn,
			const struct tls_crypto_info *ci, u32 start_tcp_seq)
{
	const struct tls12_crypto_info_aes_gcm_128 *gcm128;
	const struct tls12_crypto_info_aes_gcm_256 *gcm256;
	const unsigned char *rec_seq;

	switch (ci->cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		gcm128 = container_of(ci, typeof(*gcm128), info);
		rec_seq = gcm128->rec_seq;
		break;
	case TLS_CIPHER_AES_GCM_256:
		gcm256 = container_of(ci, typeof(*gcm256), info);
		rec_seq = gcm256->rec_seq;
		break;
	default:
		return -EOPNOTSUPP;
	}

	spin_lock_init(&conn->lock);
	conn->tcp_seq = start_tcp_seq;
	trk_init(&conn->trk, TLS_HEADER_SIZE + TLS_CIPHER_AES_GCM_128_IV_SIZE,
		 TLSDEV_TAG_SIZE, get_unaligned_be64(rec_seq));
	return 0;
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
static struct sk_buff *tlsdev_tx_detach(struct sk_buff *skb)
{
	skb_orphan(skb);
	skb->decrypted = 0;
	return skb;
}

static int tlsdev_tx_rec_begin(struct tlsdev_tx_conn *conn)
{
	const struct trk *t = &conn->trk;
	u8 nonce[TLSDEV_NONCE_SIZE];
	u8 aad[TLSDEV_AAD_SIZE];

	memcpy(nonce, conn->salt, TLSDEV_SALT_SIZE);
	memcpy(nonce + TLSDEV_SALT_SIZE, t->hdr + TLS_HEADER_SIZE,
	       TLSDEV_NONCE_SIZE - TLSDEV_SALT_SIZE);

	put_unaligned_be64(t->rec_sn, aad);
	memcpy(aad + 8, t->hdr, 3);		/* type, version */
	put_unaligned_be16(t->payload_len, aad + 11);

	return conn->be->rec_begin(conn->state, nonce, aad, sizeof(aad));
}

/* Run the engine over the next @len bytes of the stream, in place. */
static int tlsdev_tx_engine(struct tlsdev_tx_conn *conn, u8 *buf, u32 len)
{
	const struct tlsdev_backend *be = conn->be;
	struct trk_span sp;
	int ev, err = 0;

	lockdep_assert_held(&conn->lock);

	while (len) {
		trk_span(&conn->trk, len, &sp);
		if (sp.part == TRK_PAYLOAD)
			err = be->encrypt(conn->state, buf, sp.len);
		else if (sp.part == TRK_TAG)
			memcpy(buf, conn->tag + sp.off, sp.len);
		if (err)
			return err;

		ev = trk_advance(&conn->trk, &sp, buf);
		if (ev < 0)
			return ev;
		if (ev & TRK_EV_HDR_DONE)
			err = tlsdev_tx_rec_begin(conn);
		if (!err && (ev & TRK_EV_PAYLOAD_DONE))
			err = be->rec_end(conn->state, conn->tag);
		if (err)
			return err;

		buf += sp.len;
		len -= sp.len;
	}
	return 0;
}

/* Encrypt the in-sequence segment @skb into a new skb. */
static struct sk_buff *tlsdev_tx_encrypt(struct tlsdev *td,
					 struct tlsdev_tx_conn *conn,
					 struct sk_buff *skb, u32 hlen)
{
	u32 plen = skb->len - hlen;
	struct sk_buff *nskb;
	int err;

	nskb = skb_copy(skb, GFP_ATOMIC);
	if (!nskb) {
		tlsdev_stats_inc(td, TLSDEV_TX_DROP_NO_MEM);
		kfree_skb(skb);
		return NULL;
	}

	err = tlsdev_tx_engine(conn, nskb->data + hlen, plen);
	if (err) {
		/* mid-record engine state is lost: software from now on */
		conn->broken = true;
		tlsdev_stats_inc(td, TLSDEV_TX_DROP_ENGINE);
		kfree_skb(nskb);
		kfree_skb(skb);
		return NULL;
	}
	conn->tcp_seq += plen;

	tlsdev_stats_inc(td, TLSDEV_TX_ENCRYPTED_PACKETS);
	tlsdev_stats_add(td, TLSDEV_TX_ENCRYPTED_BYTES, plen);
	consume_skb(skb);
	return nskb;
}

/*
 * @skb belongs to a socket whose TX is offloaded (to this device or, if
 * the route changed, to another). Returns what to send to the lower device,
 * or NULL if the skb was dropped.
 */
struct sk_buff *tlsdev_tx_offload(struct tlsdev *td, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct tlsdev_tx_conn *conn;
	struct sk_buff *nskb;
	u32 hlen, seq;

	/*
	 * Only skbs marked decrypted carry plaintext records for this
	 * device; the rest is data sent before the keys were installed,
	 * bare ACKs and FINs, or what the software fallback already
	 * encrypted because the socket is offloaded to another device.
	 */
	if (!skb->decrypted ||
	    rcu_dereference_bh(tls_get_ctx(sk)->netdev) != td->dev)
		return tlsdev_tx_detach(skb);

	hlen = skb_tcp_all_headers(skb);
	if (skb->len == hlen)
		return tlsdev_tx_detach(skb);

	conn = tlsdev_tx_conn(sk);
	seq = ntohl(tcp_hdr(skb)->seq);

	spin_lock(&conn->lock);
	if (likely(seq == conn->tcp_seq && !conn->broken)) {
		nskb = tlsdev_tx_encrypt(td, conn, skb, hlen);
		spin_unlock(&conn->lock);
		return nskb ? tlsdev_tx_detach(nskb) : NULL;
	}
	if (seq != conn->tcp_seq)
		tlsdev_stats_inc(td, TLSDEV_TX_OOO);
	spin_unlock(&conn->lock);

	nskb = tls_encrypt_skb(skb);
	if (!nskb)
		return NULL;
	tlsdev_stats_inc(td, TLSDEV_TX_FALLBACK_PACKETS);
	return tlsdev_tx_detach(nskb);
}
