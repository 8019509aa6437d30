// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: lose, duplicate, delay or force a resync of chosen
 * segments the device encrypted, make tls_dev_add fail, limit the number
 * of contexts. Configured over generic netlink; see struct tlsdev_fault.
 */
#include <linux/skbuff.h>
#include <linux/timer.h>

#include "tlsdev.h"

#define TLSDEV_FAULT_DELAY_MAX	msecs_to_jiffies(20)

/* Called once for each segment the device is about to encrypt in order. */
enum tlsdev_fault_action tlsdev_fault_tx(struct tlsdev *td)
{
	struct tlsdev_fault *f = &td->fault;
	u8 action = READ_ONCE(f->tx_action);
	u32 nth, every, n;

	if (likely(action == TLSDEV_FAULT_ACT_NONE))
		return TLSDEV_FAULT_ACT_NONE;

	nth = READ_ONCE(f->tx_nth);
	every = READ_ONCE(f->tx_every);
	n = atomic_inc_return(&f->tx_count);
	if (n == nth || (every && n > nth && (n - nth) % every == 0))
		return action;
	return TLSDEV_FAULT_ACT_NONE;
}

/* RX segment faults: configured by the rxctl branch; none here. */
enum tlsdev_fault_action tlsdev_fault_rx(struct tlsdev *td)
{
	return TLSDEV_FAULT_ACT_NONE;
}

/* RX async answer faults: configured by the rxctl branch; none here. */
enum tlsdev_fault_action tlsdev_fault_rx_async(struct tlsdev *td)
{
	return TLSDEV_FAULT_ACT_NONE;
}

/* Should this tls_dev_add fail? */
bool tlsdev_fault_add(struct tlsdev *td)
{
	return atomic_add_unless(&td->fault.add_fail, -1, 0);
}

static struct sk_buff *tlsdev_fault_take(struct tlsdev *td)
{
	struct sk_buff *skb;

	spin_lock_bh(&td->fault.delay_lock);
	skb = td->fault.delayed;
	td->fault.delayed = NULL;
	spin_unlock_bh(&td->fault.delay_lock);
	return skb;
}

/* Send the held segment, if any (after the one that overtook it). */
void tlsdev_fault_flush(struct tlsdev *td)
{
	struct sk_buff *skb;

	if (likely(!READ_ONCE(td->fault.delayed)))
		return;
	skb = tlsdev_fault_take(td);
	if (skb)
		tlsdev_xmit_lower(td, skb);
}

/* Hold @skb back until the next segment has gone, or a timeout. */
void tlsdev_fault_delay(struct tlsdev *td, struct sk_buff *skb)
{
	struct sk_buff *old;

	spin_lock_bh(&td->fault.delay_lock);
	old = td->fault.delayed;
	td->fault.delayed = skb;
	spin_unlock_bh(&td->fault.delay_lock);
	mod_timer(&td->fault.delay_timer, jiffies + TLSDEV_FAULT_DELAY_MAX);
	if (old)
		tlsdev_xmit_lower(td, old);
}

static void tlsdev_fault_timer(struct timer_list *t)
{
	struct tlsdev *td = from_timer(td, t, fault.delay_timer);

	tlsdev_fault_flush(td);
}

void tlsdev_fault_init(struct tlsdev *td)
{
	spin_lock_init(&td->fault.delay_lock);
	timer_setup(&td->fault.delay_timer, tlsdev_fault_timer, 0);
}

/* The device is going away: nothing may be sent through it any more. */
void tlsdev_fault_cleanup(struct tlsdev *td)
{
	del_timer_sync(&td->fault.delay_timer);
	kfree_skb(tlsdev_fault_take(td));
}
