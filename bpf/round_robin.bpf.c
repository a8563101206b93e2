/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_round_robin: distant-fork placement on the nodes of the node set in
 * turn; the BPF twin of policies/round_robin_balancer.c (Kerrighed's
 * round_robin_balancer), with the same answers.
 *
 *   ports  none
 *
 * new_task_node answers the online node of the node set that follows the
 * last one given, in node id order and wrapping; the first answer is the
 * node that follows the parent's node. E.g. with node set 0,2,3 and a
 * parent on node 0: 2 3 0 2 3 0 ... Offline nodes are skipped; no online
 * node in the set gives no decision.
 *
 * State: the last node given, plus one (0: none yet), in the instance's
 * own data (krg_bpf_policy_data(), zeroed at mkdir). Concurrent forks
 * advance it with a compare-and-swap, as the module does, but try twice
 * only (the module retries until it wins): under a storm of concurrent
 * forks two children may get the same node.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

/* The node after @last (node + 1, 0: none yet), from the parent's at first. */
static __always_inline s32 rr_next(struct krg_policy *policy, s64 last,
				   struct task_struct *parent)
{
	return krg_bpf_node_next(policy, last ? (s32)(last - 1) :
						krg_bpf_task_node(parent));
}

SEC("struct_ops/new_task_node")
s32 BPF_PROG(rr_new_task_node, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u64 *last = krg_bpf_policy_data(policy, sizeof(u64));
	u64 old;
	s32 next;

	if (!last)
		return KRG_NODE_NONE;
	old = *(volatile u64 *)last;
	next = rr_next(policy, old, parent);
	if (next == KRG_NODE_NONE ||
	    __sync_val_compare_and_swap(last, old, (u64)next + 1) == old)
		return next;
	/* Another fork moved the ring meanwhile: go on from where it is. */
	old = *(volatile u64 *)last;
	next = rr_next(policy, old, parent);
	if (next != KRG_NODE_NONE)
		__sync_val_compare_and_swap(last, old, (u64)next + 1);
	return next;
}

SEC(".struct_ops.link")
struct krg_policy_ops round_robin = {
	.new_task_node	= (void *)rr_new_task_node,
	.name		= "bpf_round_robin",
};
