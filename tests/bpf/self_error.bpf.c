/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: gives up with krg_bpf_error() when its port is unset. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(self_error_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u64 v;

	if (krg_bpf_port_read(policy, 0, KRG_LOCAL, &v))
		krg_bpf_error(policy, "no value on port load");
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops self_error = {
	.new_task_node	= (void *)self_error_place,
	.name		= "self_error",
	.ports		= { { .name = "load", .type = "u64" } },
};
