/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_least_loaded: distant-fork placement on the least loaded node; the
 * BPF twin of policies/least_loaded.c, with the same port and the same
 * answers, so the two can be compared (bench/bpf.sh).
 *
 *   port  load  u64, read on each node (e.g. load_probe/active_tasks, or
 *               mosix_probe/norm_mean_load through a filter)
 *
 * new_task_node answers the online node of the node set whose load is the
 * lowest; ties go to the lowest node id; nodes without a value are left
 * out, and no value at all gives no decision.
 *
 * Where it falls short: as its twin, children forked together all go to
 * the node that was least loaded at the last measurement. Unlike its twin
 * it has no last_target attribute (a BPF policy has no attributes of its
 * own; the policy's stats file counts its placements).
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(ll_new_task_node, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	struct krg_node_value *nv;
	s32 best = KRG_NODE_NONE;
	u64 lowest = 0;

	/* Every online node of the node set, with its value of port 0. */
	bpf_for_each(krg_port_node, nv, policy, 0) {
		if (nv->err)
			continue;
		if (best == KRG_NODE_NONE || nv->value < lowest) {
			best = nv->node;
			lowest = nv->value;
		}
	}
	return best;
}

SEC(".struct_ops.link")
struct krg_policy_ops least_loaded = {
	.new_task_node	= (void *)ll_new_task_node,
	.name		= "bpf_least_loaded",
	.ports		= { { .name = "load", .type = "u64" } },
};
