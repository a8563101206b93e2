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
 * was least loaded then (use round_robin_balancer for bursts). A node set
 * change needs no work: each decision reads the set.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <krg/sched.h>

struct least_loaded {
	atomic_t last;
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

static int ll_new_task_node(struct krg_policy *policy,
			    struct task_struct *parent,
			    struct task_struct *child)
{
	struct least_loaded *ll = krg_policy_priv(policy);
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
	if (best != KRG_NODE_NONE)
		atomic_set(&ll->last, best);
	return best;
}

static int ll_init(struct krg_policy *policy)
{
	struct least_loaded *ll = krg_policy_priv(policy);

	atomic_set(&ll->last, KRG_NODE_NONE);
	return 0;
}

static const struct krg_policy_type least_loaded_type = {
	.name = "least_loaded",
	.ports = ll_ports,
	.attrs = ll_attrs,
	.priv_size = sizeof(struct least_loaded),
	.init = ll_init,
	.new_task_node = ll_new_task_node,
};

KRG_POLICY_MODULE(least_loaded, least_loaded_type);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched least_loaded: distant-fork placement on the least loaded node");
