// SPDX-License-Identifier: GPL-2.0
/*
 * mosix_probe: Kerrighed's MOSIX load (after Barak and Shiloh's MOSIX).
 *
 * Unit: load units, where 1000 is one task runnable (running or waiting on
 * a runqueue) during a whole period. Kerrighed's unit was CF = HZ ticks;
 * the same idea, without the dependence on HZ.
 *
 * Every probe_period (default 1000 ms) the probe walks every thread once,
 * under rcu_read_lock(), and reads r(t) = se.sum_exec_runtime +
 * sched_info.run_delay: the ns thread t has been runnable in its life (both
 * are maintained by the scheduler; run_delay needs CONFIG_SCHED_INFO). With
 * dt the ns since the previous measurement and dr(t) the growth of r(t)
 * since then (r(t) itself for a thread born since; nothing for a thread not
 * seen before, i.e. at the first measurement):
 *
 *   L(n)  = 1000 * sum(dr(t), t on n) / dt        instantaneous load of
 *           node n: the mean number of runnable tasks on n, times 1000;
 *           "t on n": t's CPU is one of n's at measurement time
 *   mean_load(n)  <- L(n)               if L(n) <= mean_load(n)
 *                    (5 * mean_load(n) + 3 * L(n)) / 8   otherwise
 *           (rises slowly: within 5% of a steady L after 7 periods;
 *           drops at once) - the load used locally
 *   upper_load(n) <- L(n)               if L(n) >= upper_load(n)
 *                    (7 * upper_load(n) + L(n)) / 8      otherwise
 *           (rises at once, falls slowly: halves in about 5 periods) - the
 *           load shown to other nodes
 *   single_process_load(n) = 1000       the load one CPU-bound process adds
 *   norm_X(n) = X(n) / cpus(n)          cpus(n): online CPUs of n; all CPUs
 *           count as equally fast (Kerrighed's speed factor was 1 too)
 *   process_load(pid) = sum over the process's threads of
 *           P(t) <- (5 * P(t) + 3 * min(1000, 1000 * dr(t) / dt)) / 8
 *           (Kerrighed's per-task load; threads found by the first
 *           measurement start at 0)
 *
 * So a node with k CPU-bound processes and nothing else has mean_load about
 * k * single_process_load (k * 1000), whatever its number of CPUs, and
 * norm_mean_load about k * 1000 / cpus; in steady state the process_load of
 * the processes on a node add up to about its mean_load. Rising averages
 * round up and falling ones down, so they reach a steady input exactly.
 *
 * Accuracy: a running thread's sum_exec_runtime lags by up to one tick and
 * a waiting thread's current wait is added to run_delay only when it runs
 * (up to one time slice), so L(n) is within about (ticks + slices per
 * runnable thread) / period of the truth: 1-4% at 100 ms, less at 1 s. A
 * thread that moved between nodes during the period counts wholly on the
 * node where it is found; time that exited threads ran in their last period
 * is lost.
 *
 * Cost: one walk of the thread list and one hash lookup per thread per
 * period, plus a sweep of the table; 64 bytes of state per thread (see
 * cost_ns and bench/probes.sh).
 *
 * Per node values: nodes/<n>/value; local: the node of the CPU that reads.
 * Values exist from the second measurement on (-EAGAIN before); nodes
 * without online CPUs have none (-ENODATA). All sources are u64; published
 * when a node's value changed, except process_load (read on demand, as in
 * Kerrighed); its `value` lists "Process N: LOAD" per process followed.
 * Attributes: tasks; the core's pid, pid_value (process_load of one
 * process) and cost_ns.
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "krg_probe_util.h"

#define MOSIX_SINGLE_PROCESS_LOAD	1000ULL
#define MOSIX_NONE			U64_MAX		/* no value yet */
#define MOSIX_HASH_BITS			9

enum {
	MOSIX_MEAN_LOAD,
	MOSIX_UPPER_LOAD,
	MOSIX_SINGLE_PROCESS_LOAD_SRC,
	MOSIX_NORM_MEAN_LOAD,
	MOSIX_NORM_UPPER_LOAD,
	MOSIX_NORM_SINGLE_PROCESS_LOAD,
	MOSIX_PROCESS_LOAD,
	MOSIX_NR_SOURCES,
};

/* What the probe remembers of a thread between two measurements. */
struct mosix_task {
	struct hlist_node hnode;	/* in mosix_probe.tasks; RCU */
	struct rcu_head rcu;
	pid_t tid;			/* init namespace */
	u32 seen;			/* generation of the last walk */
	u64 start_time;			/* tells a reused tid from this one */
	u64 runnable_ns;		/* r(t) at the last measurement */
	u64 load;			/* P(t); READ_ONCE */
};

struct mosix_probe {
	/* Written by measure() only; read under RCU by process_load. */
	DECLARE_HASHTABLE(tasks, MOSIX_HASH_BITS);
	u32 gen;
	u64 last_ns;			/* time of the last measurement */
	u64 nr_tasks;
	u64 dropped;			/* threads not followed: no memory */
	/* Per node; READ_ONCE by readers, MOSIX_NONE when none. */
	u64 mean[KRG_MAX_NODES];
	u64 upper[KRG_MAX_NODES];
	/* Online CPUs at the last measurement, to publish changes. */
	u32 cpus[KRG_MAX_NODES];
	/* Scratch of measure(): ns runnable per node this period. */
	u64 runnable[KRG_MAX_NODES];
};

/* A decaying average: (5 * old + 3 * new) / 8, rounded towards @new. */
static u64 mosix_mean(u64 old, u64 new)
{
	u64 sum = 5 * old + 3 * new;

	return new > old ? DIV_ROUND_UP_ULL(sum, 8) : sum / 8;
}

/* upper_load's slow fall: (7 * old + new) / 8, rounded down. */
static u64 mosix_upper_decay(u64 old, u64 new)
{
	return (7 * old + new) / 8;
}

static struct mosix_task *mosix_task_find(struct mosix_probe *mp,
					  struct task_struct *t)
{
	struct mosix_task *e;
	pid_t tid = task_pid_nr(t);

	hash_for_each_possible_rcu(mp->tasks, e, hnode, tid)
		if (e->tid == tid)
			return e;
	return NULL;
}

static void mosix_task_forget(struct mosix_probe *mp, struct mosix_task *e)
{
	hash_del_rcu(&e->hnode);
	kfree_rcu(e, rcu);
	WRITE_ONCE(mp->nr_tasks, mp->nr_tasks - 1);
}

/* Load units from @ns runnable during @dt ns. */
static u64 mosix_units(u64 ns, u64 dt)
{
	return div64_u64(ns * MOSIX_SINGLE_PROCESS_LOAD + dt / 2, dt);
}

/*
 * Walk every thread, add what each was runnable since the last walk (@dt ns
 * ago; 0 at the first walk) to its node, and update its own average.
 */
static void mosix_walk(struct mosix_probe *mp, u64 dt)
{
	struct task_struct *p, *t;
	struct mosix_task *e;

	rcu_read_lock();
	for_each_process_thread(p, t) {
		u64 r = READ_ONCE(t->se.sum_exec_runtime) +
			READ_ONCE(t->sched_info.run_delay);
		u64 dr, ran;
		int node;

		e = mosix_task_find(mp, t);
		if (e && e->start_time != t->start_time) {
			mosix_task_forget(mp, e);
			e = NULL;
		}
		if (!e) {
			e = kzalloc(sizeof(*e), GFP_NOWAIT | __GFP_NOWARN);
			if (!e) {
				WRITE_ONCE(mp->dropped, mp->dropped + 1);
				continue;
			}
			e->tid = task_pid_nr(t);
			e->start_time = t->start_time;
			/* Born since the last walk: all its life is news. */
			e->runnable_ns = t->start_time >= mp->last_ns && dt ?
					 0 : r;
			hash_add_rcu(mp->tasks, &e->hnode, e->tid);
			WRITE_ONCE(mp->nr_tasks, mp->nr_tasks + 1);
		}
		e->seen = mp->gen;
		dr = r >= e->runnable_ns ? r - e->runnable_ns : 0;
		e->runnable_ns = r;
		if (!dt)
			continue;
		/*
		 * No thread is runnable longer than the period: more is time
		 * accounted late (run_delay grows only when a waiting task
		 * finally runs; a busy CPU's clock only at its ticks), which
		 * would show as a spike of several processes' load.
		 */
		node = krg_task_node(t);
		if (krg_node_valid(node))
			mp->runnable[node] += min(dr, dt);
		ran = min(mosix_units(dr, dt), MOSIX_SINGLE_PROCESS_LOAD);
		WRITE_ONCE(e->load, mosix_mean(e->load, ran));
	}
	rcu_read_unlock();
}

static void mosix_probe_measure(struct krg_probe *probe)
{
	struct mosix_probe *mp = krg_probe_priv(probe);
	bool changed[MOSIX_NR_SOURCES] = {};
	struct krg_nodemask possible;
	struct mosix_task *e;
	struct hlist_node *tmp;
	u64 now = ktime_get_ns();
	u64 dt = mp->last_ns ? now - mp->last_ns : 0;
	unsigned int i;
	int node;

	/* A second walk within a millisecond would only add noise. */
	if (mp->last_ns && dt < NSEC_PER_MSEC)
		return;
	memset(mp->runnable, 0, sizeof(mp->runnable));
	mp->gen++;
	mosix_walk(mp, dt);
	mp->last_ns = now;
	hash_for_each_safe(mp->tasks, i, tmp, e, hnode)
		if (e->seen != mp->gen)
			mosix_task_forget(mp, e);

	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		u32 cpus = krgp_node_nr_cpus(node);
		u64 mean = MOSIX_NONE, upper = MOSIX_NONE, load;
		u64 old_mean = mp->mean[node], old_upper = mp->upper[node];

		if (cpus != mp->cpus[node]) {
			mp->cpus[node] = cpus;
			changed[MOSIX_NORM_SINGLE_PROCESS_LOAD] = true;
			changed[MOSIX_NORM_MEAN_LOAD] = true;
			changed[MOSIX_NORM_UPPER_LOAD] = true;
		}
		if (cpus && dt) {
			load = mosix_units(mp->runnable[node], dt);
			mean = old_mean == MOSIX_NONE || load <= old_mean ?
			       load : mosix_mean(old_mean, load);
			upper = old_upper == MOSIX_NONE || load >= old_upper ?
				load : mosix_upper_decay(old_upper, load);
		}
		if (mean != old_mean) {
			WRITE_ONCE(mp->mean[node], mean);
			changed[MOSIX_MEAN_LOAD] = true;
			changed[MOSIX_NORM_MEAN_LOAD] = true;
		}
		if (upper != old_upper) {
			WRITE_ONCE(mp->upper[node], upper);
			changed[MOSIX_UPPER_LOAD] = true;
			changed[MOSIX_NORM_UPPER_LOAD] = true;
		}
	}

	/* The constant appears with the first per-node values. */
	changed[MOSIX_SINGLE_PROCESS_LOAD_SRC] = !dt;
	for (i = 0; i < MOSIX_PROCESS_LOAD; i++)
		if (changed[i])
			krg_probe_publish(probe, i);
}

/* Value @which of @node, before normalisation. Atomic. */
static int mosix_node_value(struct mosix_probe *mp, unsigned int which,
			    int node, u64 *out)
{
	u64 v;

	if (!krgp_node_here(node))
		return -ENODATA;
	switch (which) {
	case MOSIX_MEAN_LOAD:
		v = READ_ONCE(mp->mean[node]);
		break;
	case MOSIX_UPPER_LOAD:
		v = READ_ONCE(mp->upper[node]);
		break;
	default:
		v = MOSIX_SINGLE_PROCESS_LOAD;
		break;
	}
	if (v == MOSIX_NONE)
		return -EAGAIN;
	*out = v;
	return 0;
}

static int mosix_get(struct krg_probe *probe, unsigned int which, bool norm,
		     int node, void *out)
{
	struct mosix_probe *mp = krg_probe_priv(probe);
	u64 v;
	u32 cpus;
	int ret;

	ret = mosix_node_value(mp, which, node, &v);
	if (ret)
		return ret;
	if (norm) {
		/* Live, not the measured count: never divide by zero. */
		cpus = krgp_node_nr_cpus(node);
		if (!cpus)
			return -ENODATA;
		v = div_u64(v, cpus);
	}
	*(u64 *)out = v;
	return 1;
}

#define MOSIX_SOURCE(__name, __which, __norm)				\
static int mosix_##__name##_node(struct krg_probe *probe, int node,	\
				 void *out, unsigned int nr,		\
				 const void *in, unsigned int in_nr)	\
{									\
	return mosix_get(probe, __which, __norm, node, out);		\
}									\
static int mosix_##__name##_get(struct krg_probe *probe, void *out,	\
				unsigned int nr, const void *in,	\
				unsigned int in_nr)			\
{									\
	return mosix_get(probe, __which, __norm, krg_local_node(), out); \
}									\
static const struct krg_source_desc mosix_src_##__name = {		\
	.name = #__name,						\
	.type = &krg_type_u64,						\
	.get_value = mosix_##__name##_get,				\
	.get_node_value = mosix_##__name##_node,			\
}

MOSIX_SOURCE(mean_load, MOSIX_MEAN_LOAD, false);
MOSIX_SOURCE(upper_load, MOSIX_UPPER_LOAD, false);
MOSIX_SOURCE(single_process_load, MOSIX_SINGLE_PROCESS_LOAD_SRC, false);
MOSIX_SOURCE(norm_mean_load, MOSIX_MEAN_LOAD, true);
MOSIX_SOURCE(norm_upper_load, MOSIX_UPPER_LOAD, true);
MOSIX_SOURCE(norm_single_process_load, MOSIX_SINGLE_PROCESS_LOAD_SRC, true);

/* process_load of @p: the sum of its threads' loads. RCU held. */
static int mosix_task_load(struct krg_probe *probe, struct task_struct *p,
			   u64 *out)
{
	struct mosix_probe *mp = krg_probe_priv(probe);
	struct task_struct *t;
	bool found = false;
	u64 sum = 0;

	for_each_thread(p, t) {
		struct mosix_task *e = mosix_task_find(mp, t);

		if (e && e->start_time == t->start_time) {
			sum += READ_ONCE(e->load);
			found = true;
		}
	}
	if (!found)
		return -EAGAIN;
	*out = sum;
	return 0;
}

static int mosix_process_load_get(struct krg_probe *probe, void *out,
				  unsigned int nr, const void *in,
				  unsigned int in_nr)
{
	return krgp_get_pid_values(probe, mosix_task_load, out, nr, in, in_nr);
}

static const struct krg_source_desc mosix_src_process_load = {
	.name = "process_load",
	.type = &krg_type_u64_pid,
	.get_value = mosix_process_load_get,
	.nodata = "has no load",
};

/* In the order of the MOSIX_* indexes. */
static const struct krg_source_desc *const mosix_sources[] = {
	&mosix_src_mean_load,
	&mosix_src_upper_load,
	&mosix_src_single_process_load,
	&mosix_src_norm_mean_load,
	&mosix_src_norm_upper_load,
	&mosix_src_norm_single_process_load,
	&mosix_src_process_load,
	NULL,
};

static struct mosix_probe *mosix_priv_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

/* Threads followed and threads not followed for want of memory. */
static ssize_t mosix_probe_tasks_show(struct config_item *item, char *page)
{
	struct mosix_probe *mp = mosix_priv_of(item);

	return sysfs_emit(page, "followed %llu dropped %llu\n",
			  READ_ONCE(mp->nr_tasks), READ_ONCE(mp->dropped));
}
CONFIGFS_ATTR_RO(mosix_probe_, tasks);

static struct configfs_attribute *mosix_attrs[] = {
	&mosix_probe_attr_tasks,
	NULL,
};

static int mosix_probe_init(struct krg_probe *probe)
{
	struct mosix_probe *mp = krg_probe_priv(probe);

	hash_init(mp->tasks);
	memset64(mp->mean, MOSIX_NONE, KRG_MAX_NODES);
	memset64(mp->upper, MOSIX_NONE, KRG_MAX_NODES);
	return 0;
}

/* The core has stopped measure() and waited for RCU readers. */
static void mosix_probe_exit(struct krg_probe *probe)
{
	struct mosix_probe *mp = krg_probe_priv(probe);
	struct mosix_task *e;
	struct hlist_node *tmp;
	unsigned int i;

	hash_for_each_safe(mp->tasks, i, tmp, e, hnode) {
		hash_del(&e->hnode);
		kfree(e);
	}
}

KRG_PROBE_MODULE(mosix_probe,
		 .sources = mosix_sources,
		 .attrs = mosix_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct mosix_probe),
		 .init = mosix_probe_init,
		 .exit = mosix_probe_exit,
		 .measure = mosix_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: MOSIX load (mean, upper, per process)");
