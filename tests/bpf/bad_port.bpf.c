/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: declares a port of a value type the core does not know. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(bad_port_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops bad_port = {
	.new_task_node	= (void *)bad_port_place,
	.name		= "bad_port",
	.ports		= { { .name = "load", .type = "u32" } },
};
