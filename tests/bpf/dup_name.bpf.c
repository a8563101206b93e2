/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: takes the name of a module policy. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(dup_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops dup_name = {
	.new_task_node	= (void *)dup_place,
	.name		= "round_robin_balancer",
};
