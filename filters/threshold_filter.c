// SPDX-License-Identifier: GPL-2.0
/*
 * threshold_filter: pass a push on only when a value has reached a
 * threshold. Kerrighed's threshold_filter, with per-node values.
 *
 *   port    source     u64, the value watched
 *   output  u64        the input unchanged on pull, per node too
 *   attr    threshold  u64 (default 0: every push passes)
 *           stats      ro: "passed N" and "held N" pushes
 *
 * A push is republished when the input's value on at least one online node
 * is >= threshold (equal passes). Kerrighed compared the value of the node
 * the filter ran on; with the numa backend one instance serves every node,
 * so "some node is loaded" is what lets the policy look at each node in
 * turn. Nodes without a value (-EAGAIN, ...) do not count; when no node has
 * one the push is held.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <krg/sched.h>

struct threshold_filter {
	atomic64_t threshold;
	atomic64_t passed;
	atomic64_t held;
};

static const struct krg_port_desc threshold_source = {
	.name = "source",
	.type = &krg_type_u64,
};

static const struct krg_port_desc *const threshold_ports[] = {
	&threshold_source,
	NULL,
};

static struct threshold_filter *threshold_of(struct config_item *item)
{
	return krg_filter_priv(krg_filter_from_item(item));
}

static ssize_t threshold_filter_threshold_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%llu\n",
			  (u64)atomic64_read(&threshold_of(item)->threshold));
}

static ssize_t threshold_filter_threshold_store(struct config_item *item,
						const char *page, size_t count)
{
	u64 v;
	int ret;

	ret = kstrtou64(page, 0, &v);
	if (ret) {
		pr_notice_ratelimited("%s: threshold: '%.32s' is not a u64\n",
				      config_item_name(item), page);
		return ret;
	}
	atomic64_set(&threshold_of(item)->threshold, v);
	return count;
}
CONFIGFS_ATTR(threshold_filter_, threshold);

static ssize_t threshold_filter_stats_show(struct config_item *item,
					   char *page)
{
	struct threshold_filter *tf = threshold_of(item);

	return sysfs_emit(page, "passed %lld\nheld %lld\n",
			  atomic64_read(&tf->passed),
			  atomic64_read(&tf->held));
}
CONFIGFS_ATTR_RO(threshold_filter_, stats);

static struct configfs_attribute *threshold_attrs[] = {
	&threshold_filter_attr_threshold,
	&threshold_filter_attr_stats,
	NULL,
};

/* Has the input reached @threshold on some online node? Atomic. */
static bool threshold_reached(struct krg_port *in, u64 threshold)
{
	struct krg_nodemask online;
	int node;
	u64 v;

	krg_nodes_online(&online);
	krg_for_each_node(node, &online)
		if (krg_port_get_node_value(in, node, &v, 1, NULL, 0) == 1 &&
		    v >= threshold)
			return true;
	return false;
}

static void threshold_update(struct krg_filter *filter, struct krg_port *port)
{
	struct threshold_filter *tf = krg_filter_priv(filter);

	if (!threshold_reached(port, (u64)atomic64_read(&tf->threshold))) {
		atomic64_inc(&tf->held);
		return;
	}
	atomic64_inc(&tf->passed);
	krg_filter_publish(filter);
}

/* No get_value/get_node_value: pulls pass through, per node too. */

KRG_FILTER_MODULE(threshold_filter,
		  .ports = threshold_ports,
		  .type = &krg_type_u64,
		  .attrs = threshold_attrs,
		  .priv_size = sizeof(struct threshold_filter),
		  .update = threshold_update);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched threshold_filter: pass pushes of values >= a threshold");
