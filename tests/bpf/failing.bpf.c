/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: its balance callback fails. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/balance")
s32 BPF_PROG(failing_balance, struct krg_policy *policy)
{
	return -EINVAL;
}

SEC(".struct_ops.link")
struct krg_policy_ops failing = {
	.balance	= (void *)failing_balance,
	.balance_ms	= 50,
	.name		= "failing",
};
