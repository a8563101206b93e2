/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two policies in one object, each reporting one callback through its
 * status (krg_bpf_error()) so the test sees that the core called it:
 * on_node_set's update_node_set (a node_set write), and on_update's balance
 * run by a value pushed on its port (KRG_BPF_BALANCE_ON_UPDATE, no period).
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/update_node_set")
void BPF_PROG(ons_update_node_set, struct krg_policy *policy)
{
	krg_bpf_error(policy, "update_node_set called");
}

SEC("struct_ops/balance")
s32 BPF_PROG(onu_balance, struct krg_policy *policy)
{
	krg_bpf_error(policy, "balance ran on a port update");
	return 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops on_node_set = {
	.update_node_set = (void *)ons_update_node_set,
	.name		= "on_node_set",
};

SEC(".struct_ops.link")
struct krg_policy_ops on_update = {
	.balance	= (void *)onu_balance,
	.flags		= KRG_BPF_BALANCE_ON_UPDATE,
	.name		= "on_update",
	.ports		= { { .name = "in", .type = "u64" } },
};
