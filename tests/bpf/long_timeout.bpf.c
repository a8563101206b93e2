/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: asks for a timeout_ms above KRG_BPF_TIMEOUT_MAX_MS. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(long_timeout_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops long_timeout = {
	.new_task_node	= (void *)long_timeout_place,
	.timeout_ms	= 1000,
	.name		= "long_timeout",
};
