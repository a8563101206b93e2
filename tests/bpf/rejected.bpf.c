/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: uses a map lookup without checking it for NULL. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, s32);
} answer SEC(".maps");

SEC("struct_ops/new_task_node")
s32 BPF_PROG(rejected_place, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	u32 key = 0;
	s32 *node = bpf_map_lookup_elem(&answer, &key);

	return *node;
}

SEC(".struct_ops.link")
struct krg_policy_ops rejected = {
	.new_task_node	= (void *)rejected_place,
	.name		= "rejected",
};
