// SPDX-License-Identifier: GPL-2.0
/*
 * least_loaded: distant-fork placement on the least loaded node. Not in
 * Kerrighed; the placement half of its MOSIX balancer, on its own.
 *
 *   port    load         u64, read on each node (e.g. mosix_probe's
 *                        norm_mean_load, or cpu_probe through ewma_filter)
 *   attr    last_target  ro: the node given last (-1: none yet)
 *
 * new_task_node answers the online node of the node set whose load value
 * is the lowest; ties go to the lowest node id; nodes without a value are
 * left out, and no value at all gives no decision. Values change only when
 * the source measures, so children forked together all go to the node that
 * was least loaded then (use round_robin_balancer for bursts).
 *
 * Cost: the answer is computed when values change, not at each fork. Each
 * push of the port rescans the nodes and keeps the result; a fork answers
 * it if it is still an online node of the node set and at most
 * LL_MAX_AGE old (a source whose values change without a push, a node
 * that came online, a new link: a fork rescans then), else rescans. A
 * node set change drops it. So a decision costs about the same with 4 or
 * 256 nodes (bench/README.md).
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <krg/sched.h>

/* A kept answer older than this is computed again at the next fork. */
#define LL_MAX_AGE	HZ

/*
 * @best, @best_at: the last scan's answer and when it was made; written by
 * pushes and forks (any context), read by forks: each is a single atomic,
 * a fork that reads a new @best with an old @best_at only rescans early.
 */
struct least_loaded {
	atomic_t last;
	atomic_t best;			/* KRG_NODE_NONE: none kept */
	atomic_long_t best_at;		/* jiffies */
};

static const struct krg_port_desc ll_load = {
	.name = "load", .type = &krg_type_u64,
};

static const struct krg_port_desc *const ll_ports[] = {
	&ll_load,
	NULL,
};

static ssize_t least_loaded_last_target_show(struct config_item *item,
					     char *page)
{
	struct least_loaded *ll = krg_policy_priv(krg_policy_from_item(item));

	return sysfs_emit(page, "%d\n", atomic_read(&ll->last));
}
CONFIGFS_ATTR_RO(least_loaded_, last_target);

static struct configfs_attribute *ll_attrs[] = {
	&least_loaded_attr_last_target,
	NULL,
};

/* The least loaded online node of the node set now. Atomic. */
static int ll_scan(struct least_loaded *ll, struct krg_policy *policy)
{
	struct krg_port *port = krg_policy_port(policy, 0);
	struct krg_nodemask set, online;
	int node, best = KRG_NODE_NONE;
	u64 v, lowest = 0;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES);
	krg_for_each_node(node, &set) {
		if (krg_port_get_node_value(port, node, &v, 1, NULL, 0) != 1)
			continue;
		if (best == KRG_NODE_NONE || v < lowest) {
			best = node;
			lowest = v;
		}
	}
	atomic_long_set(&ll->best_at, jiffies);
	atomic_set(&ll->best, best);
	return best;
}

/* Is the kept answer @best still good? */
static bool ll_kept(struct least_loaded *ll, struct krg_policy *policy,
		    int best)
{
	unsigned long at = atomic_long_read(&ll->best_at);
	struct krg_nodemask set;

	if (best == KRG_NODE_NONE || time_after(jiffies, at + LL_MAX_AGE) ||
	    !krg_node_online(best))
		return false;
	krg_policy_node_set(policy, &set);
	return test_bit(best, set.bits);
}

static int ll_new_task_node(struct krg_policy *policy,
			    struct task_struct *parent,
			    struct task_struct *child)
{
	struct least_loaded *ll = krg_policy_priv(policy);
	int best = atomic_read(&ll->best);

	if (!ll_kept(ll, policy, best))
		best = ll_scan(ll, policy);
	if (best != KRG_NODE_NONE)
		atomic_set(&ll->last, best);
	return best;
}

/* The load port was pushed new values: the answer changes now. Atomic. */
static void ll_update(struct krg_policy *policy, struct krg_port *port)
{
	ll_scan(krg_policy_priv(policy), policy);
}

static void ll_update_node_set(struct krg_policy *policy)
{
	struct least_loaded *ll = krg_policy_priv(policy);

	atomic_set(&ll->best, KRG_NODE_NONE);
}

static int ll_init(struct krg_policy *policy)
{
	struct least_loaded *ll = krg_policy_priv(policy);

	atomic_set(&ll->last, KRG_NODE_NONE);
	atomic_set(&ll->best, KRG_NODE_NONE);
	return 0;
}

KRG_POLICY_MODULE(least_loaded,
		  .ports = ll_ports,
		  .attrs = ll_attrs,
		  .priv_size = sizeof(struct least_loaded),
		  .init = ll_init,
		  .new_task_node = ll_new_task_node,
		  .update = ll_update,
		  .update_node_set = ll_update_node_set);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched least_loaded: distant-fork placement on the least loaded node");
