/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: answers a node that is in no node set. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(bad_node_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return 42;
}

SEC(".struct_ops.link")
struct krg_policy_ops bad_node = {
	.new_task_node	= (void *)bad_node_place,
	.name		= "bad_node",
};
