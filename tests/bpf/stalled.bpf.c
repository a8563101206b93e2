/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broken on purpose: new_task_node takes far longer than its timeout_ms
 * (a long bpf_loop) before it answers; the watchdog must detach it.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

static long spin(u64 i, void *ctx)
{
	*(u64 *)ctx += i;
	return 0;
}

SEC("struct_ops/new_task_node")
s32 BPF_PROG(stalled_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u64 sum = 0;

	bpf_loop(1 << 22, spin, &sum, 0);
	return sum == 1 ? 0 : KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops stalled = {
	.new_task_node	= (void *)stalled_place,
	.timeout_ms	= 1,
	.name		= "stalled",
};
