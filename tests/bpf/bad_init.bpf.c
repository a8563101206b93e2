/* SPDX-License-Identifier: GPL-2.0 */
/* Broken on purpose: refuses every instance. */
#include "krg_policy.bpf.h"

char _license[] SEC("license") = "GPL";

SEC("struct_ops/init")
s32 BPF_PROG(bad_init_init, struct krg_policy *policy)
{
	return -EINVAL;
}

SEC(".struct_ops.link")
struct krg_policy_ops bad_init = {
	.init		= (void *)bad_init_init,
	.name		= "bad_init",
};
