/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A correct policy with a name no module policy has: attaching it makes the
 * core look for a module policy "krg-policy-slowpoke" (the test makes that
 * module load slow) before the name is given to it.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/new_task_node")
s32 BPF_PROG(slowpoke_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops slowpoke = {
	.new_task_node	= (void *)slowpoke_place,
	.name		= "slowpoke",
};
