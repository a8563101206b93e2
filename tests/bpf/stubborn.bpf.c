/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A balancer that asks without asking first: every balance (10 ms) it asks
 * for every process of its process set to move to the next node of the
 * node set, and does not call krg_bpf_may_migrate() before. Every refusal
 * the processes' owner can cause (no CAN_MIGRATE, pinned, ptraced, exiting)
 * must only be counted: the policy stays active.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/balance")
s32 BPF_PROG(stubborn_balance, struct krg_policy *policy)
{
	struct task_struct *p;

	bpf_for_each(krg_task, p, policy, -1)
		krg_bpf_migrate(policy, p,
				krg_bpf_node_next(policy, krg_bpf_task_node(p)));
	return 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops stubborn = {
	.balance	= (void *)stubborn_balance,
	.balance_ms	= 10,
	.migrate_rate	= 10000,
	.name		= "stubborn",
};
