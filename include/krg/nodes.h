/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node map of the krgsched SSI layer (krg.ko).
 *
 * A node is where a process can run: a NUMA node of this machine with the
 * `numa` backend, an emulated node over this machine's NUMA nodes with the
 * `test` backend (krg.test_nodes=N), a machine of the cluster with the
 * `cluster` backend (later). Nothing outside kernel/ knows which backend
 * runs: this API is all there is.
 *
 * Node ids are 0..KRG_MAX_NODES-1. The possible set is fixed while krg.ko is
 * loaded; the online set follows hotplug (CPU hotplug for numa) and changes
 * are announced on a notifier chain. Every function here may be called from
 * atomic context unless it says otherwise.
 */
#ifndef _KRG_NODES_H
#define _KRG_NODES_H

#include <linux/bitmap.h>
#include <linux/notifier.h>
#include <linux/types.h>
#include <krg.h>

struct cpumask;
struct task_struct;

struct krg_nodemask {
	DECLARE_BITMAP(bits, KRG_MAX_NODES);
};

#define krg_for_each_node(n, mask) \
	for_each_set_bit(n, (mask)->bits, KRG_MAX_NODES)

static inline bool krg_node_valid(int node)
{
	return node >= 0 && node < KRG_MAX_NODES;
}

/* Snapshots, consistent with each other at the time of the call. */
void krg_nodes_possible(struct krg_nodemask *out);
void krg_nodes_online(struct krg_nodemask *out);
bool krg_node_online(int node);

/*
 * Is @node measured on this machine? Its values are then read where they
 * are made (the probes' own reads); else they come from the value cache,
 * which the node agent fills with what that node published (the `cluster`
 * backend: every node but this machine; numa: every node is measured
 * here). Fixed while krg.ko is loaded. Atomic, no lock.
 */
bool krg_node_measured(int node);

/*
 * The node this code runs on; the node @p runs on (for a task that slept
 * since its affinity moved to another node, that node: where it runs next).
 */
int krg_local_node(void);
int krg_task_node(struct task_struct *p);

/*
 * Name of the running backend ("numa", "test"), for display only: no code
 * may behave differently by it (what differs is behind this API).
 */
const char *krg_backend_name(void);

/*
 * Per-node measurement, for probes: what this machine can measure of a
 * node, answered by the backend, so that a probe measures every node the
 * same way whichever backend runs.
 *
 * krg_node_cpus() - the CPUs of this machine that make up @node (some may
 * be offline; with the test backend several nodes share a NUMA node's
 * CPUs), or NULL when @node is offline or not measured here
 * (!krg_node_measured(): with the cluster backend, another machine; its
 * values come from the value cache). The mask stays valid while krg.ko is
 * loaded.
 *
 * krg_node_mem() - the memory of @node: 0, -ENODATA (offline, or no memory
 * of its own) or -EOPNOTSUPP (not measured here).
 *
 * Both are atomic and take no lock.
 */
struct krg_node_mem {
	u64 total_kb;	/* managed by the page allocator (MemTotal) */
	u64 free_kb;	/* free (MemFree) */
};

const struct cpumask *krg_node_cpus(int node);
int krg_node_mem(int node, struct krg_node_mem *out);

/*
 * Online set changes: @nb is called in process context with the event
 * KRG_NODE_ONLINE or KRG_NODE_OFFLINE and the node id (cast to void *).
 */
enum krg_node_event {
	KRG_NODE_ONLINE = 1,
	KRG_NODE_OFFLINE = 2,
};

int krg_nodes_register_notifier(struct notifier_block *nb);
int krg_nodes_unregister_notifier(struct notifier_block *nb);

/* Parse and print node lists ("0-3,5") bounded to KRG_MAX_NODES. */
int krg_nodelist_parse(const char *buf, struct krg_nodemask *out);
int krg_nodelist_print(char *buf, size_t len, const struct krg_nodemask *mask);

#endif /* _KRG_NODES_H */
