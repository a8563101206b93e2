/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broken on purpose: moves every process of its process set to the next
 * node without asking krg_bpf_may_migrate() first.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/balance")
s32 BPF_PROG(forbidden_balance, struct krg_policy *policy)
{
	struct task_struct *p;
	s32 target = KRG_NODE_NONE;
	int *node;

	bpf_for_each(krg_node, node, policy)
		target = *node;		/* the highest online node */
	if (target == KRG_NODE_NONE)
		return 0;
	bpf_for_each(krg_task, p, policy, -1) {
		if (krg_bpf_task_node(p) != target)
			krg_bpf_migrate(policy, p, target);
	}
	return 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops forbidden = {
	.balance	= (void *)forbidden_balance,
	.balance_ms	= 50,
	.name		= "forbidden",
};
