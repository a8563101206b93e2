// SPDX-License-Identifier: GPL-2.0
/*
 * load_probe: Kerrighed's "Unix" load probe.
 *
 * Sources:
 *   active_tasks     u64 per node: tasks on a runqueue of the node's CPUs
 *                    (running or waiting to run, the sum of the CPUs'
 *                    nr_running) at the last measurement, the measuring
 *                    thread itself not counted. A sample, not an average:
 *                    mosix_probe averages.
 *   process_jiffies  u64(pid_t): CPU time the process (every thread, live
 *                    or exited) has used, in jiffies (1/HZ s; HZ is in the
 *                    `hz` attribute). From the scheduler's sum_exec_runtime:
 *                    what /proc/PID/stat's utime + stime add up to (those
 *                    are in USER_HZ ticks, each rounded down), up to one
 *                    tick of the running thread not yet accounted. Its
 *                    `value` lists Kerrighed's "PID: JIFFIES" per process.
 * Attributes: hz (ro); the core's pid and pid_value (process_jiffies of one
 * process) and cost_ns.
 *
 * active_tasks is measured every probe_period (default 1000 ms) by one walk
 * of the thread list under rcu_read_lock(), and published when a node's
 * count changed; it is -EAGAIN before the first measurement and -ENODATA
 * for nodes without online CPUs. process_jiffies is read on demand.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include "krg_probe_util.h"

#define LOAD_PROBE_NONE	U32_MAX

enum {
	LOAD_PROBE_ACTIVE_TASKS,
	LOAD_PROBE_PROCESS_JIFFIES,
};

struct load_probe {
	u32 active[KRG_MAX_NODES];	/* READ_ONCE; LOAD_PROBE_NONE */
	u32 count[KRG_MAX_NODES];	/* scratch of measure() */
};

static void load_probe_measure(struct krg_probe *probe)
{
	struct load_probe *lp = krg_probe_priv(probe);
	struct krg_nodemask possible;
	struct task_struct *p, *t;
	bool changed = false;
	int node;

	memset(lp->count, 0, sizeof(lp->count));
	rcu_read_lock();
	for_each_process_thread(p, t) {
		if (t == current || !READ_ONCE(t->on_rq))
			continue;
		node = krg_task_node(t);
		if (krg_node_valid(node))
			lp->count[node]++;
	}
	rcu_read_unlock();

	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		u32 v = krgp_node_here(node) ? lp->count[node] :
			LOAD_PROBE_NONE;

		if (v != lp->active[node]) {
			WRITE_ONCE(lp->active[node], v);
			changed = true;
		}
	}

	if (changed)
		krg_probe_publish(probe, LOAD_PROBE_ACTIVE_TASKS);
}

static int load_probe_active_node(struct krg_probe *probe, int node,
				  void *out, unsigned int nr, const void *in,
				  unsigned int in_nr)
{
	struct load_probe *lp = krg_probe_priv(probe);
	u32 v;

	if (!krgp_node_here(node))
		return -ENODATA;
	v = READ_ONCE(lp->active[node]);
	if (v == LOAD_PROBE_NONE)
		return -EAGAIN;
	*(u64 *)out = v;
	return 1;
}

static int load_probe_active_get(struct krg_probe *probe, void *out,
				 unsigned int nr, const void *in,
				 unsigned int in_nr)
{
	return load_probe_active_node(probe, krg_local_node(), out, nr, in,
				      in_nr);
}

/* CPU time of process @p in jiffies. RCU held. */
static int load_probe_task_jiffies(struct krg_probe *probe,
				   struct task_struct *p, u64 *out)
{
	u64 ns = READ_ONCE(p->signal->sum_sched_runtime);
	struct task_struct *t;

	for_each_thread(p, t)
		ns += READ_ONCE(t->se.sum_exec_runtime);
	*out = nsecs_to_jiffies64(ns);
	return 0;
}

static int load_probe_jiffies_get(struct krg_probe *probe, void *out,
				  unsigned int nr, const void *in,
				  unsigned int in_nr)
{
	return krgp_get_pid_values(probe, load_probe_task_jiffies, out, nr, in,
				   in_nr);
}

static const struct krg_source_desc load_probe_src_active = {
	.name = "active_tasks",
	.type = &krg_type_u64,
	.get_value = load_probe_active_get,
	.get_node_value = load_probe_active_node,
};

/* Kerrighed's line. Atomic. */
static int load_probe_show_process(pid_t nr, const void *value, char *buf,
				   size_t len)
{
	return scnprintf(buf, len, "%d: %llu\n", nr, *(const u64 *)value);
}

static const struct krg_source_desc load_probe_src_jiffies = {
	.name = "process_jiffies",
	.type = &krg_type_u64_pid,
	.get_value = load_probe_jiffies_get,
	.show_process = load_probe_show_process,
	.nodata = "has no CPU time",
};

/* In the order of the LOAD_PROBE_* indexes. */
static const struct krg_source_desc *const load_probe_sources[] = {
	&load_probe_src_active,
	&load_probe_src_jiffies,
	NULL,
};

static ssize_t load_probe_hz_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", HZ);
}
CONFIGFS_ATTR_RO(load_probe_, hz);

static struct configfs_attribute *load_probe_attrs[] = {
	&load_probe_attr_hz,
	NULL,
};

static int load_probe_init(struct krg_probe *probe)
{
	struct load_probe *lp = krg_probe_priv(probe);

	memset32(lp->active, LOAD_PROBE_NONE, KRG_MAX_NODES);
	return 0;
}

KRG_PROBE_MODULE(load_probe,
		 .sources = load_probe_sources,
		 .attrs = load_probe_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct load_probe),
		 .init = load_probe_init,
		 .measure = load_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: runnable tasks per node, CPU time per process");
