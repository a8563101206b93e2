// SPDX-License-Identifier: GPL-2.0
/*
 * round_robin_balancer: distant-fork placement on the nodes of the node set
 * in turn. Kerrighed's round_robin_balancer.
 *
 *   ports   none
 *   attr    last_target  ro: the node given last (-1: none yet)
 *
 * new_task_node answers the online node of the node set that follows the
 * last one given, in node id order and wrapping; the first answer is the
 * node that follows the parent's node (Kerrighed started after the node it
 * ran on). E.g. with node set 0,2,3 and a parent on node 0:
 * 2 3 0 2 3 0 ... Offline nodes are skipped; no online node in the set
 * gives no decision. A node set change needs no work: the ring goes on
 * from the last node given, in the new set.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <krg/sched.h>

struct round_robin {
	atomic_t last;		/* node given last, or KRG_NODE_NONE */
};

static ssize_t round_robin_balancer_last_target_show(struct config_item *item,
						     char *page)
{
	struct round_robin *rr = krg_policy_priv(krg_policy_from_item(item));

	return sysfs_emit(page, "%d\n", atomic_read(&rr->last));
}
CONFIGFS_ATTR_RO(round_robin_balancer_, last_target);

static struct configfs_attribute *rr_attrs[] = {
	&round_robin_balancer_attr_last_target,
	NULL,
};

/* The node of @set after @node, wrapping; @set is not empty. */
static int rr_next(const struct krg_nodemask *set, int node)
{
	int next = KRG_MAX_NODES;

	if (node + 1 < KRG_MAX_NODES)
		next = find_next_bit(set->bits, KRG_MAX_NODES, node + 1);
	if (next >= KRG_MAX_NODES)
		next = find_first_bit(set->bits, KRG_MAX_NODES);
	return next;
}

static int rr_new_task_node(struct krg_policy *policy,
			    struct task_struct *parent,
			    struct task_struct *child)
{
	struct round_robin *rr = krg_policy_priv(policy);
	struct krg_nodemask set, online;
	int old, next;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	if (!bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES))
		return KRG_NODE_NONE;
	old = atomic_read(&rr->last);
	do {
		next = rr_next(&set, old == KRG_NODE_NONE ?
				     krg_task_node(parent) : old);
	} while (!atomic_try_cmpxchg(&rr->last, &old, next));
	return next;
}

static int rr_init(struct krg_policy *policy)
{
	struct round_robin *rr = krg_policy_priv(policy);

	atomic_set(&rr->last, KRG_NODE_NONE);
	return 0;
}

KRG_POLICY_MODULE(round_robin_balancer,
		  .attrs = rr_attrs,
		  .priv_size = sizeof(struct round_robin),
		  .init = rr_init,
		  .new_task_node = rr_new_task_node);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched round_robin_balancer: distant-fork placement in turn");
