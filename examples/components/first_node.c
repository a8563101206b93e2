// SPDX-License-Identifier: GPL-2.0
/* first_node: children of the process set start on its first online node. */
#include <linux/module.h>
#include <krg/nodes.h>
#include <krg/sched.h>

/* Distant fork: @child of @parent is about to run. Atomic. */
static int first_new_task_node(struct krg_policy *policy,
			       struct task_struct *parent,
			       struct task_struct *child)
{
	struct krg_nodemask set, online;
	int node;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	krg_for_each_node(node, &set)
		if (test_bit(node, online.bits))
			return node;
	return KRG_NODE_NONE;			/* no decision */
}

KRG_POLICY_MODULE(first_node,
		  .new_task_node = first_new_task_node);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched example policy: the first online node of the node set");
