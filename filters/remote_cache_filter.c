// SPDX-License-Identifier: GPL-2.0
/*
 * remote_cache_filter: a cache of every node's value, refreshed by polling,
 * so that readers of remote values never wait. Kerrighed's
 * remote_cache_filter.
 *
 *   port    source          u64, the value to cache
 *   output  u64             per node: the cached value of that node;
 *                           local (no node): the local node's cached value
 *   attr    polling_period  ms between polls, 10..3600000 (default 1000);
 *                           writing it polls at once, then every period
 *           cache           ro: one line per cached node, "node value age_ms"
 *           stats           ro: polls done, reads served (hits) and reads
 *                           with no cached value (misses)
 *
 * Every polling_period a worker reads the source's value on every online
 * node, stores each with the time it was read, and republishes when a
 * value changed (or appeared, or went away). A node whose read fails with
 * -EAGAIN keeps its cached value (the answer is pending); another error or
 * the node going offline drops it. Reads are served from the cache only:
 * -EAGAIN for a node with nothing cached (before the first poll, say).
 * Pushes from the source are republished unchanged (Kerrighed did the same
 * for the local source) without touching the cache.
 *
 * Its polls read through the core's value cache (core/cache.c): a node
 * measured on this machine (every node with the numa backend) is read by
 * its probe, another node's value is the one its agent last sent, without
 * blocking. This filter's own cache then holds those values still between
 * polls, so a policy reading through it sees values at most
 * polling_period old (plus the agent's age) that change only at polls:
 * Kerrighed's behaviour, kept for its set-ups.
 *
 * Kerrighed differences: its default period was 0 (an hourly poll; the
 * legacy set-up wrote 1000 ms, the default here) and it polled on the first
 * remote read; here the first poll is at creation and again every period.
 */
#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/sched.h>

#define RC_PERIOD_DEFAULT	1000		/* ms */
#define RC_PERIOD_MIN		10
#define RC_PERIOD_MAX		3600000		/* one hour */

struct remote_cache_filter {
	struct krg_filter *filter;
	struct delayed_work poll;
	/* lock protects the cache, period_ms and stopping. */
	spinlock_t lock;
	unsigned int period_ms;
	bool stopping;			/* exit started: no more polls */
	DECLARE_BITMAP(valid, KRG_MAX_NODES);
	u64 value[KRG_MAX_NODES];
	u64 stamp[KRG_MAX_NODES];	/* ktime_get_ns() of the read */
	atomic64_t polls;
	atomic64_t hits;
	atomic64_t misses;
};

static const struct krg_port_desc rc_source = {
	.name = "source", .type = &krg_type_u64,
};

static const struct krg_port_desc *const rc_ports[] = {
	&rc_source,
	NULL,
};

static struct remote_cache_filter *rc_of(struct config_item *item)
{
	return krg_filter_priv(krg_filter_from_item(item));
}

/*
 * Queue a poll in @delay jiffies unless exit started. @now moves a poll
 * already queued to @delay (a new period polls at once); otherwise a queued
 * poll stays where it is: a poll ending while a write of polling_period
 * queued the next one at once must not push that one a period away.
 */
static void rc_schedule(struct remote_cache_filter *rc, unsigned long delay,
			bool now)
{
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	if (!rc->stopping) {
		if (now)
			mod_delayed_work(system_wq, &rc->poll, delay);
		else
			queue_delayed_work(system_wq, &rc->poll, delay);
	}
	spin_unlock_irqrestore(&rc->lock, flags);
}

/* One node's read folded into the cache; true if the cache changed. */
static bool rc_store(struct remote_cache_filter *rc, int node, int ret, u64 v,
		     u64 now)
{
	bool changed = false;
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	if (ret == 1) {
		changed = !test_bit(node, rc->valid) || rc->value[node] != v;
		rc->value[node] = v;
		rc->stamp[node] = now;
		__set_bit(node, rc->valid);
	} else if (ret != -EAGAIN && test_bit(node, rc->valid)) {
		__clear_bit(node, rc->valid);
		changed = true;
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	return changed;
}

static void rc_poll(struct work_struct *work)
{
	struct remote_cache_filter *rc =
		container_of(to_delayed_work(work), struct remote_cache_filter,
			     poll);
	struct krg_port *in = krg_filter_port(rc->filter, 0);
	struct krg_nodemask online;
	bool changed = false;
	int node, ret;
	u64 v = 0;

	krg_nodes_online(&online);
	for (node = 0; node < KRG_MAX_NODES; node++) {
		if (test_bit(node, online.bits))
			ret = krg_port_get_node_value(in, node, &v, 1, NULL, 0);
		else
			ret = -EHOSTDOWN;
		changed |= rc_store(rc, node, ret, v, ktime_get_ns());
	}
	if (changed)
		krg_filter_publish(rc->filter);
	/* Counted once its effects are visible (tests wait on it). */
	atomic64_inc(&rc->polls);
	rc_schedule(rc, msecs_to_jiffies(READ_ONCE(rc->period_ms)), false);
}

static ssize_t remote_cache_filter_polling_period_show(struct config_item *item,
						       char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(rc_of(item)->period_ms));
}

static ssize_t remote_cache_filter_polling_period_store(struct config_item *item,
							const char *page,
							size_t count)
{
	struct remote_cache_filter *rc = rc_of(item);
	unsigned int ms;
	int ret;

	ret = kstrtouint(page, 0, &ms);
	if (ret) {
		pr_notice_ratelimited("%s: polling_period: '%.32s' is not a number of ms\n",
				      config_item_name(item), page);
		return ret;
	}
	if (ms < RC_PERIOD_MIN || ms > RC_PERIOD_MAX) {
		pr_notice_ratelimited("%s: polling_period %u out of range %u..%u ms\n",
				      config_item_name(item), ms,
				      RC_PERIOD_MIN, RC_PERIOD_MAX);
		return -ERANGE;
	}
	WRITE_ONCE(rc->period_ms, ms);
	rc_schedule(rc, 0, true);
	return count;
}
CONFIGFS_ATTR(remote_cache_filter_, polling_period);

static ssize_t remote_cache_filter_cache_show(struct config_item *item,
					      char *page)
{
	struct remote_cache_filter *rc = rc_of(item);
	u64 now = ktime_get_ns(), age;
	unsigned long flags;
	ssize_t len = 0;
	int node;

	spin_lock_irqsave(&rc->lock, flags);
	for_each_set_bit(node, rc->valid, KRG_MAX_NODES) {
		/* Keep room for a whole line: never a cut one. */
		if (len > PAGE_SIZE - 64)
			break;
		age = now > rc->stamp[node] ? now - rc->stamp[node] : 0;
		len += sysfs_emit_at(page, len, "%d %llu %llu\n", node,
				     rc->value[node],
				     div_u64(age, NSEC_PER_MSEC));
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	return len;
}
CONFIGFS_ATTR_RO(remote_cache_filter_, cache);

static ssize_t remote_cache_filter_stats_show(struct config_item *item,
					      char *page)
{
	struct remote_cache_filter *rc = rc_of(item);

	return sysfs_emit(page, "polls %lld\nhits %lld\nmisses %lld\n",
			  atomic64_read(&rc->polls), atomic64_read(&rc->hits),
			  atomic64_read(&rc->misses));
}
CONFIGFS_ATTR_RO(remote_cache_filter_, stats);

static struct configfs_attribute *rc_attrs[] = {
	&remote_cache_filter_attr_polling_period,
	&remote_cache_filter_attr_cache,
	&remote_cache_filter_attr_stats,
	NULL,
};

static int rc_get_node_value(struct krg_filter *filter, int node, void *out,
			     unsigned int nr, const void *in,
			     unsigned int in_nr)
{
	struct remote_cache_filter *rc = krg_filter_priv(filter);
	unsigned long flags;
	int ret = -EAGAIN;

	if (!krg_node_valid(node))
		return -EINVAL;
	spin_lock_irqsave(&rc->lock, flags);
	if (test_bit(node, rc->valid)) {
		*(u64 *)out = rc->value[node];
		ret = 1;
	}
	spin_unlock_irqrestore(&rc->lock, flags);
	atomic64_inc(ret == 1 ? &rc->hits : &rc->misses);
	return ret;
}

static int rc_get_value(struct krg_filter *filter, void *out, unsigned int nr,
			const void *in, unsigned int in_nr)
{
	return rc_get_node_value(filter, krg_local_node(), out, nr, in, in_nr);
}

static int rc_init(struct krg_filter *filter)
{
	struct remote_cache_filter *rc = krg_filter_priv(filter);

	rc->filter = filter;
	spin_lock_init(&rc->lock);
	rc->period_ms = RC_PERIOD_DEFAULT;
	INIT_DELAYED_WORK(&rc->poll, rc_poll);
	rc_schedule(rc, 0, true);
	return 0;
}

static void rc_exit(struct krg_filter *filter)
{
	struct remote_cache_filter *rc = krg_filter_priv(filter);
	unsigned long flags;

	spin_lock_irqsave(&rc->lock, flags);
	rc->stopping = true;
	spin_unlock_irqrestore(&rc->lock, flags);
	cancel_delayed_work_sync(&rc->poll);
}

/* update: NULL, the core's default republishes the source's pushes. */

KRG_FILTER_MODULE(remote_cache_filter,
		  .ports = rc_ports,
		  .type = &krg_type_u64,
		  .attrs = rc_attrs,
		  .priv_size = sizeof(struct remote_cache_filter),
		  .init = rc_init,
		  .exit = rc_exit,
		  .get_value = rc_get_value,
		  .get_node_value = rc_get_node_value);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched remote_cache_filter: polled cache of every node's value");
