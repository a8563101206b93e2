// SPDX-License-Identifier: GPL-2.0
/*
 * token_balancer: the seed's token scheduler. Each node has a USB key
 * holding tokens and jobs spend tokens of the key of the node they run on
 * (`krgtoken consume` when they start, and as they go if they like); the
 * policy sends work to the nodes with the most tokens left, so that keys
 * drain evenly however uneven the jobs are.
 *
 *   port   tokens      u64 per node: tokens left on the node's key
 *                      (usb_token_probe/tokens, directly or through an
 *                      alert_filter). A node without a value (no key
 *                      plugged in, or its count not read yet) is out of
 *                      token placement.
 *   attrs  job_cost    tokens one job takes, 0..2^32 (default 1): a child
 *                      placed on a node counts that much against it until
 *                      the node's count drops by as much (or for 10 s), so
 *                      a burst of forks spreads before any job has paid
 *          spread      0..2^53 (default 2): balancing moves a process when
 *                      the richest and the poorest keys differ by more
 *          evacuate    0 or 1 (default 1): move processes off nodes of the
 *                      node set that have no key
 *          last_target ro: the node given last (-1: none yet)
 *          moves       ro: "spread N" and "evacuated N": migrations asked
 *
 * Placement (distant fork): the online node of the node set whose count,
 * less what placed children have not paid yet, is the highest; ties go to
 * the lowest node id; no node with a count: no decision. This keeps the
 * spread (max - min of the counts) of keys that start equal within the
 * cost of the dearest job, whatever the mix (tests/scenarios/tokens.sh
 * measures it).
 *
 * Balancing (a work item after each push of tokens, and after node set
 * changes): processes of the process set that may migrate (CAN_MIGRATE,
 * not pinned by hand: krg_may_migrate()) are moved
 *  - off nodes of the node set without a key, to the richest node, at most
 *    32 per step, when evacuate is 1: an unplugged key takes its node out
 *    of the game, and what runs there can no longer pay;
 *  - from the poorest node to the richest, one per step, when their counts
 *    differ by more than spread: a job that keeps spending tokens as it
 *    runs then spends them from the fullest key. Only processes that have
 *    run for 2 s or more: a job pays when it starts, and moving it before
 *    it paid would make it pay on the other key, against its placement.
 * A step walks the process set once (at most TB_SCAN_MAX processes).
 *
 * Locking: lock (a spinlock, taken in placement and in the work) protects
 * the per-node pending accounting and stopping; the work item's scratch
 * is its own (one step at a time).
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/migrate.h>
#include <krg/sched.h>

#define TB_SCAN_MAX		8192
#define TB_EVACUATE_BATCH	32
#define TB_PENDING_NS		(10 * NSEC_PER_SEC)
#define TB_MIN_AGE_NS		(2 * NSEC_PER_SEC)
#define TB_JOB_COST_MAX		(1ULL << 32)
#define TB_SPREAD_MAX		(1ULL << 53)

struct tb_step {
	u64 tokens[KRG_MAX_NODES];
	DECLARE_BITMAP(keyed, KRG_MAX_NODES);
	DECLARE_BITMAP(evac_from, KRG_MAX_NODES);	/* set, no key */
	int richest;
	int poorest;
	u64 now;
	unsigned int scanned;
	unsigned int nr_evac;
	struct task_struct *evac[TB_EVACUATE_BATCH];
	struct task_struct *from_poorest;
};

struct token_balancer {
	struct krg_policy *policy;
	struct work_struct work;
	struct tb_step *step;	/* the work item's */

	spinlock_t lock;	/* protects seen .. stopping */
	bool stopping;
	DECLARE_BITMAP(has_seen, KRG_MAX_NODES);
	u64 seen[KRG_MAX_NODES];	/* last count read */
	u64 pending[KRG_MAX_NODES];	/* placed, not paid yet */
	u64 pending_ns[KRG_MAX_NODES];	/* last placement there */

	atomic64_t job_cost;
	atomic64_t spread;
	atomic_t evacuate;
	atomic_t last;
	atomic64_t moves_spread;
	atomic64_t moves_evacuated;
};

static const struct krg_port_desc tb_tokens = {
	.name = "tokens", .type = &krg_type_u64,
};

static const struct krg_port_desc *const tb_ports[] = {
	&tb_tokens,
	NULL,
};

static void tb_kick(struct token_balancer *tb)
{
	unsigned long flags;

	spin_lock_irqsave(&tb->lock, flags);
	if (!tb->stopping)
		queue_work(system_unbound_wq, &tb->work);
	spin_unlock_irqrestore(&tb->lock, flags);
}

/*
 * @node's count now, less what children placed there have not paid yet.
 * Updates the accounting with what the count did since the last read.
 * Caller holds lock.
 */
static u64 tb_effective(struct token_balancer *tb, int node, u64 v, u64 now)
{
	if (test_bit(node, tb->has_seen) && v < tb->seen[node])
		tb->pending[node] -= min(tb->pending[node], tb->seen[node] - v);
	tb->seen[node] = v;
	__set_bit(node, tb->has_seen);
	if (tb->pending[node] && now - tb->pending_ns[node] > TB_PENDING_NS)
		tb->pending[node] = 0;
	return v - min(v, tb->pending[node]);
}

static int tb_new_task_node(struct krg_policy *policy,
			    struct task_struct *parent,
			    struct task_struct *child)
{
	struct token_balancer *tb = krg_policy_priv(policy);
	struct krg_port *port = krg_policy_port(policy, 0);
	struct krg_nodemask set, online;
	int node, best = KRG_NODE_NONE;
	u64 v, eff, most = 0, now = ktime_get_ns();
	unsigned long flags;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES);
	spin_lock_irqsave(&tb->lock, flags);
	krg_for_each_node(node, &set) {
		if (krg_port_get_node_value(port, node, &v, 1, NULL, 0) != 1)
			continue;
		eff = tb_effective(tb, node, v, now);
		if (best == KRG_NODE_NONE || eff > most) {
			best = node;
			most = eff;
		}
	}
	if (best != KRG_NODE_NONE) {
		tb->pending[best] += atomic64_read(&tb->job_cost);
		tb->pending_ns[best] = now;
	}
	spin_unlock_irqrestore(&tb->lock, flags);
	if (best != KRG_NODE_NONE)
		atomic_set(&tb->last, best);
	return best;
}

/* krg_policy_walk_tasks() callback. RCU. */
static int tb_scan(struct task_struct *p, void *arg)
{
	struct tb_step *s = arg;
	int node;

	if (++s->scanned > TB_SCAN_MAX)
		return 1;
	node = krg_task_node(p);
	if (!krg_node_valid(node) || s->richest == KRG_NODE_NONE ||
	    node == s->richest ||
	    krg_may_migrate(p, s->richest, KRG_MIGRATE_POLICY))
		return 0;
	/* A reference dropped here is never the last (RCU holds the list's). */
	if (test_bit(node, s->evac_from)) {
		if (s->nr_evac < TB_EVACUATE_BATCH)
			s->evac[s->nr_evac++] = get_task_struct(p);
	} else if (node == s->poorest && !s->from_poorest &&
		   s->now - p->start_time >= TB_MIN_AGE_NS) {
		s->from_poorest = get_task_struct(p);
	}
	return 0;
}

static void tb_work(struct work_struct *work)
{
	struct token_balancer *tb = container_of(work, struct token_balancer,
						 work);
	struct krg_port *port = krg_policy_port(tb->policy, 0);
	struct tb_step *s = tb->step;
	struct krg_nodemask set, online;
	u64 v, now = ktime_get_ns();
	unsigned long flags;
	unsigned int i;
	bool spread;
	int node;

	krg_policy_node_set(tb->policy, &set);
	krg_nodes_online(&online);
	bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES);
	bitmap_zero(s->keyed, KRG_MAX_NODES);
	s->richest = KRG_NODE_NONE;
	s->poorest = KRG_NODE_NONE;
	spin_lock_irqsave(&tb->lock, flags);
	krg_for_each_node(node, &set) {
		if (krg_port_get_node_value(port, node, &v, 1, NULL, 0) != 1)
			continue;
		s->tokens[node] = tb_effective(tb, node, v, now);
		__set_bit(node, s->keyed);
		if (s->richest == KRG_NODE_NONE ||
		    s->tokens[node] > s->tokens[s->richest])
			s->richest = node;
		if (s->poorest == KRG_NODE_NONE ||
		    s->tokens[node] < s->tokens[s->poorest])
			s->poorest = node;
	}
	spin_unlock_irqrestore(&tb->lock, flags);
	if (s->richest == KRG_NODE_NONE)
		return;

	spread = s->tokens[s->richest] - s->tokens[s->poorest] >
		 (u64)atomic64_read(&tb->spread);
	if (!spread)
		s->poorest = KRG_NODE_NONE;
	/* Nodes outside the node set are not ours to empty. */
	if (atomic_read(&tb->evacuate))
		bitmap_andnot(s->evac_from, set.bits, s->keyed, KRG_MAX_NODES);
	else
		bitmap_zero(s->evac_from, KRG_MAX_NODES);
	if (!spread && bitmap_empty(s->evac_from, KRG_MAX_NODES))
		return;
	s->now = now;
	s->scanned = 0;
	s->nr_evac = 0;
	s->from_poorest = NULL;
	krg_policy_walk_tasks(tb->policy, tb_scan, s);

	for (i = 0; i < s->nr_evac; i++) {
		if (!krg_policy_migrate(tb->policy, s->evac[i], s->richest))
			atomic64_inc(&tb->moves_evacuated);
		put_task_struct(s->evac[i]);
	}
	if (s->from_poorest) {
		if (!krg_policy_migrate(tb->policy, s->from_poorest,
					s->richest))
			atomic64_inc(&tb->moves_spread);
		put_task_struct(s->from_poorest);
	}
	/* A full batch: there may be more to evacuate. */
	if (s->nr_evac == TB_EVACUATE_BATCH)
		tb_kick(tb);
}

/* --- attributes ------------------------------------------------------------ */

static struct token_balancer *tb_of(struct config_item *item)
{
	return krg_policy_priv(krg_policy_from_item(item));
}

static int tb_parse_u64(struct config_item *item, const char *attr,
			const char *page, u64 max, u64 *v)
{
	int ret;

	if (page[0] == '-') {
		pr_notice_ratelimited("%s: %s: '%.32s' is negative\n",
				      config_item_name(item), attr, page);
		return -ERANGE;
	}
	ret = kstrtou64(page, 0, v);
	if (ret) {
		pr_notice_ratelimited("%s: %s: '%.32s' is not a number\n",
				      config_item_name(item), attr, page);
		return ret;
	}
	if (*v > max) {
		pr_notice_ratelimited("%s: %s: %llu out of range 0..%llu\n",
				      config_item_name(item), attr, *v, max);
		return -ERANGE;
	}
	return 0;
}

static ssize_t token_balancer_job_cost_show(struct config_item *item,
					    char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&tb_of(item)->job_cost));
}

static ssize_t token_balancer_job_cost_store(struct config_item *item,
					     const char *page, size_t count)
{
	u64 v;
	int ret = tb_parse_u64(item, "job_cost", page, TB_JOB_COST_MAX, &v);

	if (ret)
		return ret;
	atomic64_set(&tb_of(item)->job_cost, v);
	return count;
}
CONFIGFS_ATTR(token_balancer_, job_cost);

static ssize_t token_balancer_spread_show(struct config_item *item,
					  char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&tb_of(item)->spread));
}

static ssize_t token_balancer_spread_store(struct config_item *item,
					   const char *page, size_t count)
{
	u64 v;
	int ret = tb_parse_u64(item, "spread", page, TB_SPREAD_MAX, &v);

	if (ret)
		return ret;
	atomic64_set(&tb_of(item)->spread, v);
	tb_kick(tb_of(item));
	return count;
}
CONFIGFS_ATTR(token_balancer_, spread);

static ssize_t token_balancer_evacuate_show(struct config_item *item,
					    char *page)
{
	return sysfs_emit(page, "%d\n", atomic_read(&tb_of(item)->evacuate));
}

static ssize_t token_balancer_evacuate_store(struct config_item *item,
					     const char *page, size_t count)
{
	unsigned int v;

	if (kstrtouint(page, 10, &v) || v > 1) {
		pr_notice_ratelimited("%s: evacuate: '%.32s' is not 0 or 1\n",
				      config_item_name(item), page);
		return -EINVAL;
	}
	atomic_set(&tb_of(item)->evacuate, v);
	tb_kick(tb_of(item));
	return count;
}
CONFIGFS_ATTR(token_balancer_, evacuate);

static ssize_t token_balancer_last_target_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%d\n", atomic_read(&tb_of(item)->last));
}
CONFIGFS_ATTR_RO(token_balancer_, last_target);

static ssize_t token_balancer_moves_show(struct config_item *item, char *page)
{
	struct token_balancer *tb = tb_of(item);

	return sysfs_emit(page, "spread %lld\nevacuated %lld\n",
			  atomic64_read(&tb->moves_spread),
			  atomic64_read(&tb->moves_evacuated));
}
CONFIGFS_ATTR_RO(token_balancer_, moves);

static struct configfs_attribute *tb_attrs[] = {
	&token_balancer_attr_job_cost,
	&token_balancer_attr_spread,
	&token_balancer_attr_evacuate,
	&token_balancer_attr_last_target,
	&token_balancer_attr_moves,
	NULL,
};

/* --- policy callbacks -------------------------------------------------------- */

static void tb_update(struct krg_policy *policy, struct krg_port *port)
{
	tb_kick(krg_policy_priv(policy));
}

static void tb_update_node_set(struct krg_policy *policy)
{
	tb_kick(krg_policy_priv(policy));
}

static int tb_init(struct krg_policy *policy)
{
	struct token_balancer *tb = krg_policy_priv(policy);

	tb->step = kvzalloc(sizeof(*tb->step), GFP_KERNEL);
	if (!tb->step)
		return -ENOMEM;
	tb->policy = policy;
	spin_lock_init(&tb->lock);
	INIT_WORK(&tb->work, tb_work);
	atomic64_set(&tb->job_cost, 1);
	atomic64_set(&tb->spread, 2);
	atomic_set(&tb->evacuate, 1);
	atomic_set(&tb->last, KRG_NODE_NONE);
	return 0;
}

static void tb_exit(struct krg_policy *policy)
{
	struct token_balancer *tb = krg_policy_priv(policy);
	unsigned long flags;

	spin_lock_irqsave(&tb->lock, flags);
	tb->stopping = true;
	spin_unlock_irqrestore(&tb->lock, flags);
	cancel_work_sync(&tb->work);
	kvfree(tb->step);
}

KRG_POLICY_MODULE(token_balancer,
		  .ports = tb_ports,
		  .attrs = tb_attrs,
		  .priv_size = sizeof(struct token_balancer),
		  .init = tb_init,
		  .exit = tb_exit,
		  .new_task_node = tb_new_task_node,
		  .update = tb_update,
		  .update_node_set = tb_update_node_set);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched token_balancer: place and move jobs toward the fullest USB token keys");
