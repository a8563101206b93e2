/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broken on purpose: new_task_node runs far past its timeout_ms (a long
 * nested bpf_loop: about 2 s under emulation) before it answers. The
 * watchdog must notice while it runs, let no other call in, and detach it
 * once it returns.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

/* Rounds of 65536 steps. */
const volatile u32 stall_rounds = 2048;

static long spin(u64 i, void *ctx)
{
	*(u64 *)ctx += i;
	return 0;
}

static long round(u64 i, void *ctx)
{
	bpf_loop(1 << 16, spin, ctx, 0);
	return 0;
}

SEC("struct_ops/new_task_node")
s32 BPF_PROG(stalled_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u64 sum = 0;

	bpf_loop(stall_rounds, round, &sum, 0);
	return sum == 1 ? 0 : KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops stalled = {
	.new_task_node	= (void *)stalled_place,
	.timeout_ms	= 1,
	.name		= "stalled",
};
