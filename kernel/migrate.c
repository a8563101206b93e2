// SPDX-License-Identifier: GPL-2.0
/*
 * Migration: a request is checked and queued; a worker has the backend carry
 * it out (numa and test: krg_affinity_migrate() below moves the CPU affinity
 * of every thread of the group to the target node's CPUs, and memory follows
 * through NUMA balancing) and announces the outcome on the migration
 * notifier chain.
 *
 * Each request produces exactly one final event: END, or ABORT with the
 * error. START comes before the threads are moved; a request that fails its
 * re-check in the worker (the task exited, lost CAN_MIGRATE, ...) is aborted
 * without a START.
 */
#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/cpuset.h>
#include <linux/kref.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched/deadline.h>
#include <linux/sched/isolation.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include "internal.h"

struct krg_migration {
	struct work_struct work;
	struct kref ref;		/* the worker's, and a waiter's */
	struct pid *pid;		/* the task named by the request */
	pid_t tgid;			/* for the events, init namespace */
	int node;
	enum krg_migrate_origin origin;
	u64 queued_ns;
	int error;			/* the outcome, once done completes */
	struct completion done;
};

static struct workqueue_struct *krg_migrate_wq;
static ATOMIC_NOTIFIER_HEAD(krg_migration_chain);
static atomic64_t krg_mig_requested, krg_mig_done, krg_mig_aborted;

/**
 * krg_migration_register_notifier - follow migrations
 * @nb: called with (enum krg_migration_kind, struct krg_migration_event *)
 *	in atomic context
 *
 * Return: 0 or -errno.
 */
int krg_migration_register_notifier(struct notifier_block *nb)
{
	return atomic_notifier_chain_register(&krg_migration_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_migration_register_notifier);

/**
 * krg_migration_unregister_notifier - stop following migrations
 * @nb: the block given to krg_migration_register_notifier()
 *
 * Waits for running callbacks. Sleeps.
 *
 * Return: 0 or -ENOENT.
 */
int krg_migration_unregister_notifier(struct notifier_block *nb)
{
	return atomic_notifier_chain_unregister(&krg_migration_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_migration_unregister_notifier);

static bool krg_thread_counts(const struct task_struct *t)
{
	/* io_uring workers and the like keep the affinity the kernel chose. */
	return !(t->flags & (PF_EXITING | PF_NO_SETAFFINITY));
}

/*
 * Confinement. krg.ko cannot read a task's cpuset (cpuset_cpus_allowed()
 * is not exported, nor sched_setaffinity() which applies it with the LSM
 * hook and the SCHED_DEADLINE checks), so it moves a task itself only when
 * nothing of that can apply: the task is in the root cpuset, is not
 * SCHED_DEADLINE, and does not run on isolated CPUs; and it never puts a
 * task on an isolated CPU. Anything else is pinned: a user moves it with
 * migrate(1), which calls sched_setaffinity() as that user and then has
 * krg.ko record the move (KRG_MIGRATE_CHECK, KRG_MIGRATE_RECORD).
 */
bool krg_cpu_isolated(int cpu)
{
	return cpuset_cpu_is_isolated(cpu) ||
	       !housekeeping_cpu(cpu, HK_TYPE_DOMAIN);
}

static bool krg_mask_isolated(const struct cpumask *mask)
{
	int cpu;

	for_each_cpu(cpu, mask)
		if (krg_cpu_isolated(cpu))
			return true;
	return false;
}

/* @dst = @node's CPUs that are not isolated; false if there are none. */
bool krg_node_usable(int node, struct cpumask *dst)
{
	int cpu;

	cpumask_copy(dst, krg_node_cpumask(node));
	for_each_cpu(cpu, dst)
		if (krg_cpu_isolated(cpu))
			cpumask_clear_cpu(cpu, dst);
	return !cpumask_empty(dst);
}

/* Has @node a CPU that is not isolated? */
static bool krg_node_has_usable(int node)
{
	int cpu;

	for_each_cpu(cpu, krg_node_cpumask(node))
		if (!krg_cpu_isolated(cpu))
			return true;
	return false;
}

/*
 * Is @p in the root cpuset and not SCHED_DEADLINE? Under RCU. (A cgroup v2
 * cgroup without the cpuset controller uses its nearest ancestor's cpuset,
 * the root one if none enabled it.)
 */
bool krg_task_unconfined(struct task_struct *p)
{
	struct cgroup_subsys_state *css;

	if (p->policy == SCHED_DEADLINE || dl_task(p))
		return false;
#ifdef CONFIG_CPUSETS
	css = task_css(p, cpuset_cgrp_id);
	if (css && css->parent)
		return false;
#endif
	return true;
}

/* May krg.ko itself move every thread of @p's group? Under RCU. */
static bool krg_group_unconfined(struct task_struct *p)
{
	struct task_struct *t;

	for_each_thread(p, t) {
		if (!krg_thread_counts(t))
			continue;
		if (!krg_task_unconfined(t) || krg_mask_isolated(&t->cpus_mask))
			return false;
	}
	return true;
}

/* Does a thread of @p's group still need moving? Under RCU. */
static bool krg_group_on_node(struct task_struct *p, const struct cpumask *mask)
{
	struct task_struct *t;

	for_each_thread(p, t)
		if (krg_thread_counts(t) && !cpumask_subset(&t->cpus_mask, mask))
			return false;
	return true;
}

static bool krg_group_ptraced(struct task_struct *p)
{
	struct task_struct *t;

	for_each_thread(p, t)
		if (READ_ONCE(t->ptrace))
			return true;
	return false;
}

/*
 * The pinned-by-hand rule. A process is pinned when one of its threads has
 * a CPU affinity that neither
 *  - covers every online CPU (what a task has unless someone restricted
 *    it, e.g. with taskset or sched_setaffinity(), or a cpuset), nor
 *  - equals the CPUs of the node krg.ko last put the process on (@placed:
 *    by migration or distant fork; inherited across fork).
 * Policies leave a pinned process alone (-EBUSY); a user allowed to act on
 * it (`migrate`, KRG_MIGRATE_USER) overrides the pin. Under RCU.
 */
static bool krg_group_pinned(struct task_struct *p, int placed)
{
	const struct cpumask *home = NULL;
	struct task_struct *t;

	if (krg_node_valid(placed))
		home = krg_node_cpumask(placed);
	for_each_thread(p, t) {
		if (!krg_thread_counts(t))
			continue;
		if (cpumask_subset(cpu_online_mask, &t->cpus_mask))
			continue;
		if (home && cpumask_equal(&t->cpus_mask, home))
			continue;
		return true;
	}
	return false;
}

/*
 * krg_may_migrate(); @queued: @p's request is the one being carried out;
 * @by_krg: krg.ko moves @p itself (not migrate(1) with sched_setaffinity()).
 */
static int krg_check(struct task_struct *p, int node,
		     enum krg_migrate_origin origin, bool queued, bool by_krg)
{
	struct krg_task *e;
	int ret = 0;

	if (!krg_node_valid(node) || (p->flags & PF_KTHREAD) ||
	    (origin != KRG_MIGRATE_POLICY && origin != KRG_MIGRATE_USER))
		return -EINVAL;
	if ((p->flags & PF_EXITING) || p->exit_state ||
	    (READ_ONCE(p->signal->flags) & SIGNAL_GROUP_EXIT))
		return -ESRCH;
	if (!krg_node_online(node))
		return -EHOSTDOWN;

	rcu_read_lock();
	e = krg_task_find(p);
	if (!e || !(krg_caps_effective(atomic64_read(&e->caps)) &
		    KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE)))
		ret = -EACCES;
	else if (krg_group_ptraced(p))
		ret = -EBUSY;
	else if (!queued && test_bit(KRG_TASK_MIGRATING, &e->flags))
		ret = -EBUSY;
	else if (origin == KRG_MIGRATE_POLICY &&
		 krg_group_pinned(p, READ_ONCE(e->node)))
		ret = -EBUSY;
	else if (by_krg && !krg_group_unconfined(p))
		ret = origin == KRG_MIGRATE_POLICY ? -EBUSY : -EPERM;
	else if (by_krg && !krg_node_has_usable(node))
		ret = -EINVAL;
	rcu_read_unlock();
	return ret;
}

/**
 * krg_may_migrate - may a task be migrated to a node now?
 * @p: the task (its thread group moves), pinned by the caller
 * @node: the destination
 * @origin: who asks; policies may not move a process pinned by hand
 *
 * The caller's own permission over @p is not checked. Any context.
 *
 * Return: 0, -EACCES (no CAN_MIGRATE in @p's effective set), -EBUSY
 * (ptraced, already migrating, or pinned by hand or confined and @origin is
 * a policy), -EPERM (confined: in a cpuset other than the root one,
 * SCHED_DEADLINE or on isolated CPUs, and @origin is a user), -EINVAL
 * (kernel thread, @node out of range or all its CPUs isolated), -EHOSTDOWN
 * (@node offline) or -ESRCH (exiting).
 */
int krg_may_migrate(struct task_struct *p, int node,
		    enum krg_migrate_origin origin)
{
	return krg_check(p, node, origin, false, true);
}
EXPORT_SYMBOL_GPL(krg_may_migrate);

static void krg_migration_release(struct kref *ref)
{
	struct krg_migration *m = container_of(ref, struct krg_migration, ref);

	put_pid(m->pid);
	kfree(m);
}

void krg_migration_put(struct krg_migration *m)
{
	kref_put(&m->ref, krg_migration_release);
}

/* Wait (killable) for the outcome of a request queued with a waiter. */
int krg_migration_wait(struct krg_migration *m)
{
	if (wait_for_completion_killable(&m->done))
		return -EINTR;
	return m->error;
}

static void krg_announce(enum krg_migration_kind kind, pid_t tgid, int from,
			 int to, int error, u64 queued_ns)
{
	struct krg_migration_event ev = {
		.kind = kind,
		.pid = tgid,
		.from = from,
		.to = to,
		.error = error,
		.time_ns = ktime_get_ns(),
		.queued_ns = queued_ns,
	};

	atomic_notifier_call_chain(&krg_migration_chain, kind, &ev);
}

static void krg_migration_announce(struct krg_migration *m,
				   enum krg_migration_kind kind, int from,
				   int error)
{
	krg_announce(kind, m->tgid, from, m->node, error, m->queued_ns);
}

#define KRG_MOVE_BATCH	32
#define KRG_MOVE_ROUNDS	1024

/*
 * Set the affinity of every thread of @p's group to @mask. Threads are taken
 * in batches under RCU and moved outside it (set_cpus_allowed_ptr() may
 * sleep); a thread created meanwhile by a thread not moved yet inherits the
 * old affinity, so the walk repeats until it finds nothing left to move.
 */
static int krg_move_group(struct task_struct *p, const struct cpumask *mask)
{
	struct task_struct *batch[KRG_MOVE_BATCH], *t;
	int round, n, i, ret = 0;

	for (round = 0; round < KRG_MOVE_ROUNDS; round++) {
		n = 0;
		rcu_read_lock();
		for_each_thread(p, t) {
			if (!krg_thread_counts(t) ||
			    cpumask_subset(&t->cpus_mask, mask))
				continue;
			batch[n++] = get_task_struct(t);
			if (n == KRG_MOVE_BATCH)
				break;
		}
		rcu_read_unlock();
		if (!n)
			return 0;

		for (i = 0; i < n; i++) {
			int err = set_cpus_allowed_ptr(batch[i], mask);

			if (err && !ret)
				ret = err;
			put_task_struct(batch[i]);
		}
		if (ret)
			return ret;
	}
	return -EAGAIN;
}

/**
 * krg_affinity_migrate - the migrate op of the numa and test backends
 * @p: the task whose thread group moves, referenced by the caller
 * @node: the destination
 *
 * Sets the affinity of every thread to @node's CPUs that are not isolated.
 * Process context (the migration worker); sleeps.
 *
 * Return: 0, -ENOMEM, -EINVAL (every CPU of @node isolated), -EHOSTDOWN
 * (@node went offline) or an error of set_cpus_allowed_ptr().
 */
int krg_affinity_migrate(struct task_struct *p, int node)
{
	cpumask_var_t mask;
	int err;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	if (krg_node_usable(node, mask))
		err = krg_move_group(p, mask);
	else
		err = -EINVAL;
	if (err == -EINVAL && !krg_node_online(node))
		err = -EHOSTDOWN;
	free_cpumask_var(mask);
	return err;
}

/* Remember where the group went: it is not pinned there. */
static void krg_record_node(struct task_struct *p, int node)
{
	struct task_struct *t;
	struct krg_task *e;

	/* @p has an entry unless it lost it exiting: it has CAN_MIGRATE. */
	if (krg_task_ensure(p))
		return;
	rcu_read_lock();
	for_each_thread(p, t) {
		e = krg_task_find(t);
		if (e)
			WRITE_ONCE(e->node, node);
	}
	rcu_read_unlock();
}

static void krg_clear_migrating(struct task_struct *p)
{
	struct krg_task *e;

	rcu_read_lock();
	e = krg_task_find(p);
	if (e)
		clear_bit(KRG_TASK_MIGRATING, &e->flags);
	rcu_read_unlock();
}

static void krg_migration_work(struct work_struct *work)
{
	struct krg_migration *m = container_of(work, struct krg_migration,
					       work);
	int err, from = KRG_NODE_NONE;
	struct task_struct *p;

	p = get_pid_task(m->pid, PIDTYPE_PID);
	if (!p) {
		err = -ESRCH;
		goto out;
	}
	from = krg_task_node(p);
	err = krg_check(p, m->node, m->origin, true, true);
	if (!err) {
		krg_migration_announce(m, KRG_MIGRATION_START, from, 0);
		err = krg_backend->migrate(p, m->node);
		if (!err)
			krg_record_node(p, m->node);
	}
	krg_clear_migrating(p);
	put_task_struct(p);
out:
	if (err) {
		atomic64_inc(&krg_mig_aborted);
		krg_migration_announce(m, KRG_MIGRATION_ABORT, from, err);
	} else {
		atomic64_inc(&krg_mig_done);
		krg_migration_announce(m, KRG_MIGRATION_END, from, 0);
	}
	m->error = err;
	complete_all(&m->done);
	krg_migration_put(m);
}

/*
 * krg_migrate(), and with @waiter a reference on the request for
 * krg_migration_wait() (release with krg_migration_put()).
 */
int krg_migrate_queue(struct task_struct *p, int node,
		      enum krg_migrate_origin origin,
		      struct krg_migration **waiter)
{
	struct krg_migration *m;
	struct krg_task *e;
	bool on_node;
	int ret;

	ret = krg_check(p, node, origin, false, true);
	if (ret)
		return ret;
	/* Nodes may share CPUs: @p must also be on @node for the backend. */
	rcu_read_lock();
	on_node = krg_group_on_node(p, krg_node_cpumask(node)) &&
		  krg_task_node(p) == node;
	rcu_read_unlock();
	if (on_node)
		return -EALREADY;

	m = kzalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return -ENOMEM;
	INIT_WORK(&m->work, krg_migration_work);
	kref_init(&m->ref);
	init_completion(&m->done);
	m->node = node;
	m->origin = origin;
	m->tgid = task_tgid_nr(p);

	/* One request at a time per task: the bit is cleared by the worker. */
	rcu_read_lock();
	e = krg_task_find(p);
	if (!e)
		ret = -EACCES;
	else if (test_and_set_bit(KRG_TASK_MIGRATING, &e->flags))
		ret = -EBUSY;
	rcu_read_unlock();
	if (ret) {
		kfree(m);
		return ret;
	}

	m->pid = get_task_pid(p, PIDTYPE_PID);
	m->queued_ns = ktime_get_ns();
	if (waiter) {
		kref_get(&m->ref);
		*waiter = m;
	}
	atomic64_inc(&krg_mig_requested);
	queue_work(krg_migrate_wq, &m->work);
	return 0;
}

/**
 * krg_migrate - ask for a task's thread group to move to a node
 * @p: the task, pinned by the caller
 * @node: the destination
 * @origin: who asks (see krg_may_migrate())
 *
 * Checks krg_may_migrate() and queues the request; the outcome is announced
 * on the migration notifier chain. Any context (allocates with GFP_ATOMIC).
 *
 * Return: 0 when queued, -EALREADY if every thread of the group already
 * runs within @node's CPUs and @p is on @node (krg_task_node()), -ENOMEM,
 * or an error of krg_may_migrate().
 */
int krg_migrate(struct task_struct *p, int node,
		enum krg_migrate_origin origin)
{
	return krg_migrate_queue(p, node, origin, NULL);
}
EXPORT_SYMBOL_GPL(krg_migrate);

/*
 * KRG_MIGRATE_CHECK: may the caller's migrate(1) move @p to @node with
 * sched_setaffinity()? The rules of a user's migration, except the
 * confinement ones, which the kernel applies to that call itself.
 */
int krg_migrate_check(struct task_struct *p, int node)
{
	return krg_check(p, node, KRG_MIGRATE_USER, false, false);
}

/*
 * KRG_MIGRATE_RECORD: migrate(1) moved @p's threads to @node with
 * sched_setaffinity(): if every thread is within @node's CPUs, remember
 * the node (the group is not pinned there) and announce and count it as a
 * migration. -EAGAIN if a thread is not (one was created meanwhile, or its
 * affinity changed): the tool moves it and asks again.
 */
int krg_migrate_record(struct task_struct *p, int node)
{
	bool on_node;
	int from, ret;

	ret = krg_check(p, node, KRG_MIGRATE_USER, false, false);
	if (ret)
		return ret;
	rcu_read_lock();
	on_node = krg_group_on_node(p, krg_node_cpumask(node));
	rcu_read_unlock();
	if (!on_node)
		return -EAGAIN;
	from = krg_task_node(p);
	atomic64_inc(&krg_mig_requested);
	krg_announce(KRG_MIGRATION_START, task_tgid_nr(p), from, node, 0,
		     ktime_get_ns());
	krg_record_node(p, node);
	atomic64_inc(&krg_mig_done);
	krg_announce(KRG_MIGRATION_END, task_tgid_nr(p), from, node, 0,
		     ktime_get_ns());
	return 0;
}

void krg_migration_stats(u64 *requested, u64 *done, u64 *aborted)
{
	*requested = atomic64_read(&krg_mig_requested);
	*done = atomic64_read(&krg_mig_done);
	*aborted = atomic64_read(&krg_mig_aborted);
}

int krg_migrate_init(void)
{
	krg_migrate_wq = alloc_workqueue("krg_migrate", WQ_UNBOUND, 0);
	if (!krg_migrate_wq)
		return -ENOMEM;
	atomic64_set(&krg_mig_requested, 0);
	atomic64_set(&krg_mig_done, 0);
	atomic64_set(&krg_mig_aborted, 0);
	return 0;
}

/*
 * Nobody queues any more (the device is gone and so are the modules that
 * use krg.ko): carry out what is queued, which drops every reference.
 */
void krg_migrate_uninit(void)
{
	destroy_workqueue(krg_migrate_wq);
}
