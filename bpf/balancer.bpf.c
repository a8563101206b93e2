/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_balancer: dynamic load balancing by migration, in its simplest form.
 *
 *   port  load  u64, read on each node (e.g. load_probe/active_tasks)
 *
 * Every balance_ms (1 s), and soon after the load port is pushed a new
 * value: find the most and the least loaded online nodes of the node set;
 * if the most loaded one has at least `min_gap` (default 2) more load than
 * the least loaded one, move one process of the process set from the most
 * to the least loaded node: the first, in task list order, that may
 * migrate there (krg_bpf_may_migrate(): CAN_MIGRATE, not pinned by hand,
 * not ptraced, not migrating already). One move per step, so that a new
 * measurement comes before the next.
 *
 * Where it falls short: it does not look at what each process costs
 * (mosix_load_balancer moves the second most loaded process, using a
 * process_load port), and it trusts the load values to be comparable
 * across nodes (same CPU count and speed).
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

/* Least load difference worth a move; set before loading to change it. */
const volatile u64 min_gap = 2;

SEC("struct_ops/balance")
s32 BPF_PROG(bal_balance, struct krg_policy *policy)
{
	s32 hi = KRG_NODE_NONE, lo = KRG_NODE_NONE;
	u64 hi_load = 0, lo_load = 0, v;
	struct task_struct *p;
	int *node;

	bpf_for_each(krg_node, node, policy) {
		if (krg_bpf_port_read(policy, 0, *node, &v))
			continue;
		if (hi == KRG_NODE_NONE || v > hi_load) {
			hi = *node;
			hi_load = v;
		}
		if (lo == KRG_NODE_NONE || v < lo_load) {
			lo = *node;
			lo_load = v;
		}
	}
	if (hi == KRG_NODE_NONE || hi == lo || hi_load < lo_load + min_gap)
		return 0;

	bpf_for_each(krg_task, p, policy, hi) {
		if (krg_bpf_may_migrate(policy, p, lo))
			continue;
		krg_bpf_migrate(policy, p, lo);
		break;
	}
	return 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops balancer = {
	.balance	= (void *)bal_balance,
	.balance_ms	= 1000,
	.flags		= KRG_BPF_BALANCE_ON_UPDATE,
	.name		= "bpf_balancer",
	.ports		= { { .name = "load", .type = "u64" } },
};
