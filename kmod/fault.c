// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: lose, duplicate, delay or force a resync of chosen
 * segments the device encrypted, or hold one back, before the device looks
 * at it, until its record was acknowledged; lose, reorder or corrupt chosen received
 * segments before the device sees them, or make it lose its sync there;
 * lose or delay its answers to async resync queries; make tls_dev_add
 * fail, limit the number of contexts. Configured over generic netlink
 * (netlink.c); see struct tlsdev_fault. This file decides which events a
 * rule hits; tx.c and rx.c apply the actions.
 */
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/timer.h>

#include "tlsdev.h"

#define TLSDEV_FAULT_DELAY_MAX	msecs_to_jiffies(20)
#define TLSDEV_FAULT_HOLD_MAX	(2 * HZ)
#define TLSDEV_FAULT_HOLD_POLL	msecs_to_jiffies(5)

/*
 * One more event of @r: the action to apply to it, or NONE. Readers run in
 * any context (softirq for the segments, a work item for async answers);
 * the RCU read-side section taken here is what the writer's grace period
 * waits for (struct tlsdev_fault_rule).
 */
static enum tlsdev_fault_action tlsdev_fault_hit(struct tlsdev_fault_rule *r)
{
	enum tlsdev_fault_action ret = TLSDEV_FAULT_ACT_NONE;
	u32 nth, every, n;
	u8 action;

	rcu_read_lock();
	/* pairs with smp_store_release() in tlsdev_nl_fault_rules_set() */
	action = smp_load_acquire(&r->action);
	if (likely(action == TLSDEV_FAULT_ACT_NONE))
		goto out;

	nth = READ_ONCE(r->nth);
	every = READ_ONCE(r->every);
	n = atomic_inc_return(&r->count);
	if (n == nth || (every && n > nth && (n - nth) % every == 0))
		ret = action;
out:
	rcu_read_unlock();
	return ret;
}

/* Called once for each segment the device is about to encrypt in order. */
enum tlsdev_fault_action tlsdev_fault_tx(struct tlsdev *td)
{
	return tlsdev_fault_hit(&td->fault.tx);
}

/*
 * Called once for each TCP segment with payload received for an
 * RX-offloaded connection, before the device looks at it.
 */
enum tlsdev_fault_action tlsdev_fault_rx(struct tlsdev *td)
{
	return tlsdev_fault_hit(&td->fault.rx);
}

/* Called once for each answer the device gives to an async resync query. */
enum tlsdev_fault_action tlsdev_fault_rx_async(struct tlsdev *td)
{
	return tlsdev_fault_hit(&td->fault.rx_async);
}

/* Should this tls_dev_add (TX or RX) fail? */
bool tlsdev_fault_add(struct tlsdev *td)
{
	return atomic_add_unless(&td->fault.add_fail, -1, 0);
}

/*
 * Is there room for one more context, TX or RX, within the fault-injected
 * limit? Called under td->conns_lock by the tls_dev_add that then lists
 * its context, so that concurrent adds cannot exceed the limit.
 */
bool tlsdev_fault_ctx_room(struct tlsdev *td)
{
	u32 limit = READ_ONCE(td->fault.ctx_limit);

	lockdep_assert_held(&td->conns_lock);
	return !limit || td->nr_conns + td->nr_rx_conns < limit;
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

/*
 * Hold @skb, a segment of an offloaded socket that the device has not
 * looked at, as if it sat in a queue in front of the device while TCP got
 * the acknowledgment of its bytes (from an earlier copy): @hold_timer
 * hands it to the device once the TLS core has freed its record, or after
 * TLSDEV_FAULT_HOLD_MAX. The skb keeps its socket, whose TLS context lives
 * as long as the skb does. One at a time: false if one is held already.
 */
bool tlsdev_fault_hold(struct tlsdev *td, struct sk_buff *skb)
{
	bool held = false;

	spin_lock_bh(&td->fault.delay_lock);
	if (!td->fault.held) {
		td->fault.held = skb;
		td->fault.held_until = jiffies + TLSDEV_FAULT_HOLD_MAX;
		held = true;
	}
	spin_unlock_bh(&td->fault.delay_lock);
	if (held)
		mod_timer(&td->fault.hold_timer,
			  jiffies + TLSDEV_FAULT_HOLD_POLL);
	return held;
}

static void tlsdev_fault_hold_timer(struct timer_list *t)
{
	struct tlsdev *td = from_timer(td, t, fault.hold_timer);
	struct sk_buff *skb;

	spin_lock_bh(&td->fault.delay_lock);
	skb = td->fault.held;
	if (skb && (time_after_eq(jiffies, td->fault.held_until) ||
		    tlsdev_tx_held_done(td, skb)))
		td->fault.held = NULL;
	else
		skb = NULL;
	if (!skb && td->fault.held)
		mod_timer(&td->fault.hold_timer,
			  jiffies + TLSDEV_FAULT_HOLD_POLL);
	spin_unlock_bh(&td->fault.delay_lock);
	if (skb)
		tlsdev_tx_held_send(td, skb);
}

void tlsdev_fault_init(struct tlsdev *td)
{
	spin_lock_init(&td->fault.delay_lock);
	timer_setup(&td->fault.delay_timer, tlsdev_fault_timer, 0);
	timer_setup(&td->fault.hold_timer, tlsdev_fault_hold_timer, 0);
}

/* The device is going away: nothing may be sent through it any more. */
void tlsdev_fault_cleanup(struct tlsdev *td)
{
	del_timer_sync(&td->fault.delay_timer);
	kfree_skb(tlsdev_fault_take(td));
	del_timer_sync(&td->fault.hold_timer);
	kfree_skb(td->fault.held);
	td->fault.held = NULL;
}
