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
 * State: the last node of each instance, in a hash map keyed by
 * krg_bpf_policy_id(), made by init() and removed by exit(). Concurrent
 * forks advance it with a compare-and-swap, as the module does, but try
 * twice only (the module retries until it wins): under a storm of
 * concurrent forks two children may get the same node.
 *
 * Where it falls short: at most RR_MAX_INSTANCES schedulers use it at once
 * (mkdir of one more fails with ENOSPC).
 */
#include "krg_policy.bpf.h"

#define RR_MAX_INSTANCES	256

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RR_MAX_INSTANCES);
	__type(key, u32);
	__type(value, s32);
} rr_last SEC(".maps");

SEC("struct_ops/new_task_node")
s32 BPF_PROG(rr_new_task_node, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u32 id = krg_bpf_policy_id(policy);
	s32 *last, old, next;

	last = bpf_map_lookup_elem(&rr_last, &id);
	if (!last)
		return KRG_NODE_NONE;
	old = *(volatile s32 *)last;
	next = krg_bpf_node_next(policy, old == KRG_NODE_NONE ?
					 krg_bpf_task_node(parent) : old);
	if (next == KRG_NODE_NONE ||
	    __sync_val_compare_and_swap(last, old, next) == old)
		return next;
	/* Another fork moved the ring meanwhile: go on from where it is. */
	old = *(volatile s32 *)last;
	next = krg_bpf_node_next(policy, old == KRG_NODE_NONE ?
					 krg_bpf_task_node(parent) : old);
	__sync_val_compare_and_swap(last, old, next);
	return next;
}

SEC("struct_ops/init")
s32 BPF_PROG(rr_init, struct krg_policy *policy)
{
	u32 id = krg_bpf_policy_id(policy);
	s32 none = KRG_NODE_NONE;

	return bpf_map_update_elem(&rr_last, &id, &none, BPF_ANY) ? -ENOSPC : 0;
}

SEC("struct_ops/exit")
void BPF_PROG(rr_exit, struct krg_policy *policy)
{
	u32 id = krg_bpf_policy_id(policy);

	bpf_map_delete_elem(&rr_last, &id);
}

SEC(".struct_ops.link")
struct krg_policy_ops round_robin = {
	.init		= (void *)rr_init,
	.exit		= (void *)rr_exit,
	.new_task_node	= (void *)rr_new_task_node,
	.name		= "bpf_round_robin",
};
