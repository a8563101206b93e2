/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the probe modules of probes/ (header only: each probe is
 * one .c file and one module).
 *
 * Nodes. Probes measure this machine, node by node, through krg.ko's
 * per-node measurement API (<krg/nodes.h>): krg_node_cpus() gives the CPUs
 * and krg_node_mem() the memory that make up a node, as the backend defines
 * it (numa: a NUMA node with CPUs; test: an emulated node over one, several
 * of them sharing its CPUs and memory). Probes never ask which backend
 * runs. A node offline has no CPUs here, and no value from a probe here:
 * -ENODATA. A node this machine does not measure (the cluster backend's
 * other machines) is never asked of a probe: the core answers it from the
 * value cache, which the node agent fills.
 *
 * Processes. Per-process sources take a pid_t of the init pid namespace and
 * mean the thread group: a thread's id selects its process. A process whose
 * threads have all exited (a zombie, or reaped) has no value: -ESRCH.
 *
 * The core owns what people read of them: the source's `value` lists every
 * process (->show_process gives a probe's line), and a probe with such a
 * source gets `pid` and `pid_value` (->nodata says what -ENODATA means).
 * It also times ->measure() for `cost_ns`.
 */
#ifndef _KRG_PROBE_UTIL_H
#define _KRG_PROBE_UTIL_H

#include <linux/atomic.h>
#include <linux/configfs.h>
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <krg/nodes.h>
#include <krg/sched.h>

/* Does this machine measure @node (see above)? Atomic. */
static inline bool krgp_node_here(int node)
{
	return krg_node_cpus(node);
}

/* Online CPUs of @node (0 when not measured here). Atomic. */
static inline unsigned int krgp_node_nr_cpus(int node)
{
	const struct cpumask *mask = krg_node_cpus(node);

	return mask ? cpumask_weight_and(mask, cpu_online_mask) : 0;
}

/*
 * The process (thread group leader) @p belongs to, or NULL when every thread
 * of it has exited. Caller holds rcu_read_lock().
 */
static inline struct task_struct *krgp_process_of(struct task_struct *p)
{
	if (!p)
		return NULL;
	p = READ_ONCE(p->group_leader);
	if (!atomic_read(&p->signal->live))
		return NULL;
	return p;
}

/* Process @nr (init namespace), or NULL. Caller holds rcu_read_lock(). */
static inline struct task_struct *krgp_find_process(pid_t nr)
{
	if (nr <= 0)
		return NULL;
	return krgp_process_of(pid_task(find_pid_ns(nr, &init_pid_ns),
					PIDTYPE_PID));
}

/* Per-process value of @p (an alive thread group leader), RCU held. */
typedef int (*krgp_task_value_fn)(struct krg_probe *probe,
				  struct task_struct *p, u64 *out);

/*
 * get_value of a u64(pid_t) source: one value per parameter, up to @nr;
 * stops at the first process without a value and returns how many were
 * written, or its error if it was the first (-ESRCH: no such process).
 * Atomic.
 */
static inline int krgp_get_pid_values(struct krg_probe *probe,
				      krgp_task_value_fn fn, void *out,
				      unsigned int nr, const void *in,
				      unsigned int in_nr)
{
	const pid_t *pids = in;
	u64 *values = out;
	unsigned int i;
	int ret = 0;

	if (!in_nr)
		return -EINVAL;
	rcu_read_lock();
	for (i = 0; i < nr && i < in_nr; i++) {
		struct task_struct *p = krgp_find_process(pids[i]);

		ret = p ? fn(probe, p, &values[i]) : -ESRCH;
		if (ret < 0)
			break;
	}
	rcu_read_unlock();
	return i ? i : ret;
}

#endif /* _KRG_PROBE_UTIL_H */
