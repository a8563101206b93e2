/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A TCP congestion control (another struct_ops type) that calls one of
 * krg_scheduler's kfuncs. The verifier must refuse it: those kfuncs are for
 * krg_policy_ops programs only. The file also holds a correct policy, so
 * that krgpolicy loads it (and with it every program of the file).
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/foreign_ssthresh")
u32 BPF_PROG(foreign_ssthresh, struct sock *sk)
{
	return 2 + krg_bpf_task_node(bpf_get_current_task_btf());
}

SEC("struct_ops/foreign_undo_cwnd")
u32 BPF_PROG(foreign_undo_cwnd, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/foreign_cong_avoid")
void BPF_PROG(foreign_cong_avoid, struct sock *sk, u32 ack, u32 acked)
{
}

SEC(".struct_ops.link")
struct tcp_congestion_ops foreign = {
	.ssthresh	= (void *)foreign_ssthresh,
	.undo_cwnd	= (void *)foreign_undo_cwnd,
	.cong_avoid	= (void *)foreign_cong_avoid,
	.name		= "krg_foreign",
};

SEC("struct_ops/new_task_node")
s32 BPF_PROG(foreign_host_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	return KRG_NODE_NONE;
}

SEC(".struct_ops.link")
struct krg_policy_ops foreign_host = {
	.new_task_node	= (void *)foreign_host_place,
	.name		= "foreign_host",
};
