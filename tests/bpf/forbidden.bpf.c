/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Broken on purpose, two ways the program alone controls:
 *  - forbidden: asks to migrate init (pid 1), which is not in its process
 *    set;
 *  - forbidden_kthread: asks to migrate the task that runs its balance, a
 *    kernel worker thread.
 */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("struct_ops/balance")
s32 BPF_PROG(forbidden_balance, struct krg_policy *policy)
{
	struct task_struct *p = bpf_task_from_pid(1);

	if (!p)
		return 0;
	krg_bpf_migrate(policy, p, krg_bpf_node_next(policy, krg_bpf_task_node(p)));
	bpf_task_release(p);
	return 0;
}

SEC("struct_ops/balance")
s32 BPF_PROG(forbidden_kthread_balance, struct krg_policy *policy)
{
	struct task_struct *p = bpf_get_current_task_btf();

	krg_bpf_migrate(policy, p, krg_bpf_node_next(policy, krg_bpf_task_node(p)));
	return 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops forbidden = {
	.balance	= (void *)forbidden_balance,
	.balance_ms	= 50,
	.name		= "forbidden",
};

SEC(".struct_ops.link")
struct krg_policy_ops forbidden_kthread = {
	.balance	= (void *)forbidden_kthread_balance,
	.balance_ms	= 50,
	.name		= "forbidden_kthread",
};
