/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_least_loaded: distant-fork placement on the least loaded node; the
 * BPF twin of policies/least_loaded.c, with the same port and the same
 * answers, so the two can be compared (bench/bpf.sh).
 *
 *   port  load  u64, read on each node (e.g. load_probe/active_tasks, or
 *               mosix_probe/norm_mean_load through a filter)
 *
 * new_task_node answers the online node of the node set whose load is the
 * lowest; ties go to the lowest node id; nodes without a value are left
 * out, and no value at all gives no decision.
 *
 * Cost: as its twin, it computes the answer when the port is pushed new
 * values (update), keeps it in the instance's data with the time, and a
 * fork answers it if it is still an online node of the node set and at
 * about a second old, else scans (and keeps) again; a node set change
 * drops it. So a decision costs about the same with 4 or 256 nodes.
 *
 * Where it falls short: as its twin, children forked together all go to
 * the node that was least loaded at the last measurement. Unlike its twin
 * it has no last_target attribute (a BPF policy has no attributes of its
 * own; the policy's stats file counts its placements).
 */
#include "krg_policy.bpf.h"

/*
 * A kept answer older than this many jiffies is computed again: 1 s at
 * Debian's HZ=250, 0.25 s to 2.5 s elsewhere (a program cannot read HZ
 * without the kernel's config file, which not every machine has).
 */
#define LL_MAX_AGE_JIFFIES	250

char _license[] SEC("license") = "GPL";

/*
 * The instance's data: the kept answer plus one (0: none), and its time in
 * jiffies (a tick's precision is enough; bpf_ktime_get_ns() may read a
 * clock device, which costs about 1 us under emulation).
 */
struct ll_kept {
	u64 best;
	u64 at;
};

/* The least loaded online node of the node set now, kept in @k. */
static __always_inline s32 ll_scan(struct krg_policy *policy,
				   struct ll_kept *k)
{
	struct krg_node_value *nv;
	s32 best = KRG_NODE_NONE;
	u64 lowest = 0;

	/* Every online node of the node set, with its value of port 0. */
	bpf_for_each(krg_port_node, nv, policy, 0) {
		if (nv->err)
			continue;
		if (best == KRG_NODE_NONE || nv->value < lowest) {
			best = nv->node;
			lowest = nv->value;
		}
	}
	k->at = bpf_jiffies64();
	k->best = (u64)(best + 1);
	return best;
}

SEC("struct_ops/new_task_node")
s32 BPF_PROG(ll_new_task_node, struct krg_policy *policy,
	     struct task_struct *parent, struct task_struct *child)
{
	struct ll_kept *k = (void *)krg_bpf_policy_data(policy, sizeof(*k));
	u64 best;

	if (!k)
		return KRG_NODE_NONE;
	best = k->best;
	if (best && bpf_jiffies64() - k->at <= LL_MAX_AGE_JIFFIES &&
	    krg_bpf_node_ok(policy, (s32)(best - 1)))
		return (s32)(best - 1);
	return ll_scan(policy, k);
}

/* The load port was pushed new values: the answer changes now. */
SEC("struct_ops/update")
void BPF_PROG(ll_update, struct krg_policy *policy, u32 port)
{
	struct ll_kept *k = (void *)krg_bpf_policy_data(policy, sizeof(*k));

	if (k)
		ll_scan(policy, k);
}

SEC("struct_ops/update_node_set")
void BPF_PROG(ll_update_node_set, struct krg_policy *policy)
{
	struct ll_kept *k = (void *)krg_bpf_policy_data(policy, sizeof(*k));

	if (k)
		k->best = 0;
}

SEC(".struct_ops.link")
struct krg_policy_ops least_loaded = {
	.new_task_node		= (void *)ll_new_task_node,
	.update			= (void *)ll_update,
	.update_node_set	= (void *)ll_update_node_set,
	.name			= "bpf_least_loaded",
	.ports			= { { .name = "load", .type = "u64" } },
};
