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
 * runs. A node this machine does not measure (offline, or with the cluster
 * backend another machine, whose values come from the SSI layer's cache)
 * has no CPUs here, and no value from a probe here: -ENODATA.
 *
 * Processes. Per-process sources take a pid_t of the init pid namespace and
 * mean the thread group: a thread's id selects its process. A process whose
 * threads have all exited (a zombie, or reaped) has no value: -ESRCH.
 *
 * Reading per-process values by hand. The core shows "(needs a pid_t
 * parameter)" in the value file of such a source, so each probe with one
 * also has two attributes: `pid` (rw: a pid in the writer's namespace
 * selects the process) and `pid_value` (ro: the source's value for it, or a
 * message in parentheses). The selection is shared by every reader: it is
 * a convenience for people, scripts and tests; programs use ports.
 *
 * Cost. Periodic probes count the time their ->measure() takes in
 * `cost_ns` (ro): total ns since the probe was made (bench/probes.sh).
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

/* The `pid` / `pid_value` attributes; embed one in the probe's priv. */
struct krgp_pid_sel {
	spinlock_t lock;	/* protects pid */
	struct pid *pid;	/* referenced; NULL: none selected */
};

static inline void krgp_pid_sel_init(struct krgp_pid_sel *sel)
{
	spin_lock_init(&sel->lock);
}

static inline void krgp_pid_sel_exit(struct krgp_pid_sel *sel)
{
	put_pid(sel->pid);
	sel->pid = NULL;
}

static inline ssize_t krgp_pid_show(struct krgp_pid_sel *sel, char *page)
{
	pid_t nr = 0;
	bool set;

	spin_lock(&sel->lock);
	set = sel->pid;
	if (set)
		nr = pid_vnr(sel->pid);
	spin_unlock(&sel->lock);
	if (!set)
		return sysfs_emit(page, "(none)\n");
	return sysfs_emit(page, "%d\n", nr);
}

/* Select process @page (the writer's pid namespace); "0" unselects. */
static inline ssize_t krgp_pid_store(struct krgp_pid_sel *sel,
				     struct config_item *item,
				     const char *page, size_t count)
{
	struct pid *pid = NULL, *old;
	int nr, ret;

	ret = kstrtoint(page, 10, &nr);
	if (ret || nr < 0) {
		pr_notice_ratelimited("%s: pid: \"%.*s\" is not a pid\n",
				      config_item_name(item),
				      (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	if (nr) {
		pid = find_get_pid(nr);
		if (!pid || !pid_has_task(pid, PIDTYPE_PID)) {
			put_pid(pid);
			pr_notice_ratelimited("%s: pid: no process %d\n",
					      config_item_name(item), nr);
			return -ESRCH;
		}
	}
	spin_lock(&sel->lock);
	old = sel->pid;
	sel->pid = pid;
	spin_unlock(&sel->lock);
	put_pid(old);
	return count;
}

/*
 * `pid_value`: the value of the selected process, or why there is none.
 * @nodata tells what -ENODATA from @fn means for this source.
 */
static inline ssize_t krgp_pid_value_show(struct krgp_pid_sel *sel,
					  struct krg_probe *probe,
					  krgp_task_value_fn fn,
					  const char *nodata, char *page)
{
	struct task_struct *p;
	struct pid *pid;
	pid_t nr;
	u64 v = 0;
	int ret;

	spin_lock(&sel->lock);
	pid = get_pid(sel->pid);
	spin_unlock(&sel->lock);
	if (!pid)
		return sysfs_emit(page, "(no process selected: write a pid to pid)\n");
	nr = pid_vnr(pid);
	rcu_read_lock();
	p = krgp_process_of(pid_task(pid, PIDTYPE_PID));
	ret = p ? fn(probe, p, &v) : -ESRCH;
	rcu_read_unlock();
	put_pid(pid);
	switch (ret) {
	case 0:
		return sysfs_emit(page, "%llu\n", v);
	case -ESRCH:
		return sysfs_emit(page, "(process %d has exited)\n", nr);
	case -EAGAIN:
		return sysfs_emit(page, "(no value yet for process %d)\n", nr);
	case -ENODATA:
		return sysfs_emit(page, "(process %d %s)\n", nr, nodata);
	default:
		return ret;
	}
}

/* Time spent in ->measure(), for `cost_ns`. */
struct krgp_cost {
	atomic64_t ns;
};

static inline u64 krgp_cost_begin(void)
{
	return ktime_get_ns();
}

static inline void krgp_cost_end(struct krgp_cost *cost, u64 t0)
{
	atomic64_add(ktime_get_ns() - t0, &cost->ns);
}

static inline ssize_t krgp_cost_show(struct krgp_cost *cost, char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&cost->ns));
}

#endif /* _KRG_PROBE_UTIL_H */
