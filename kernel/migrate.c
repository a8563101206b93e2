// SPDX-License-Identifier: GPL-2.0
/*
 * Migration: a request (request.c) is checked and queued; a worker re-checks
 * it and has the backend carry it out (numa and test: krg_affinity_migrate()
 * below moves the CPU affinity of every thread of the group to the target
 * node's CPUs, and memory follows through NUMA balancing), which completes
 * it, now or later.
 *
 * Each request produces exactly one final event: END (done), or ABORT with
 * the outcome (refused by a check, at once or in the worker; failed) and
 * the error. START comes when the backend begins; a request refused or
 * failed before that has no START.
 */
#include <linux/cgroup.h>
#include <linux/cpuset.h>
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

static struct workqueue_struct *krg_migrate_wq;
static atomic64_t krg_mig_requested, krg_mig_done, krg_mig_aborted;

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
	/*
	 * An affinity's rules, on this machine's nodes; another machine's
	 * (cluster) are its agent's to check: its CPUs, the cgroup there.
	 */
	else if (by_krg && krg_node_measured(node) && !krg_group_unconfined(p))
		ret = origin == KRG_MIGRATE_POLICY ? -EBUSY : -EPERM;
	else if (by_krg && krg_node_measured(node) && !krg_node_has_usable(node))
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
 * @req: the request (its destination is @req->to)
 * @p: the task whose thread group moves, referenced by the caller
 *
 * Sets the affinity of every thread to the destination's CPUs that are not
 * isolated, and completes @req before it returns: DONE, or FAILED with
 * -ENOMEM, -EINVAL (every CPU of the node isolated), -EHOSTDOWN (the node
 * went offline) or an error of set_cpus_allowed_ptr(). Process context
 * (the migration worker); sleeps.
 */
void krg_affinity_migrate(struct krg_request *req, struct task_struct *p)
{
	cpumask_var_t mask;
	int err;

	if (!krg_request_begin(req))
		return;
	if (!alloc_cpumask_var(&mask, GFP_KERNEL)) {
		krg_request_complete(req, KRG_REQUEST_FAILED, -ENOMEM);
		return;
	}
	if (krg_node_usable(req->to, mask))
		err = krg_move_group(p, mask);
	else
		err = -EINVAL;
	if (err == -EINVAL && !krg_node_online(req->to))
		err = -EHOSTDOWN;
	free_cpumask_var(mask);
	krg_request_complete(req, err ? KRG_REQUEST_FAILED : KRG_REQUEST_DONE,
			     err);
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

/*
 * A migration completed, in process context: count it, remember the node
 * of a done one, and let the task be asked for again.
 */
void krg_migration_finish(struct krg_request *req)
{
	struct task_struct *p = get_pid_task(req->pid, PIDTYPE_PID);

	if (req->outcome == KRG_REQUEST_DONE)
		atomic64_inc(&krg_mig_done);
	else
		atomic64_inc(&krg_mig_aborted);
	if (!p)
		return;
	if (req->outcome == KRG_REQUEST_DONE)
		krg_record_node(p, req->to);
	krg_clear_migrating(p);
	put_task_struct(p);
}

/*
 * The worker: re-check, then the backend carries the request out. A
 * check that fails now refuses it; a task gone or exiting fails it.
 */
static void krg_migration_work(struct work_struct *work)
{
	struct krg_request *req = container_of(work, struct krg_request, work);
	struct task_struct *p;
	int err;

	p = get_pid_task(req->pid, PIDTYPE_PID);
	if (!p) {
		krg_request_complete(req, KRG_REQUEST_FAILED, -ESRCH);
		goto out;
	}
	req->from = krg_task_node(p);
	err = krg_check(p, req->to, req->origin, true, true);
	if (err)
		krg_request_complete(req, err == -ESRCH ? KRG_REQUEST_FAILED :
				     KRG_REQUEST_REFUSED, err);
	else
		krg_backend->migrate(req, p);
	put_task_struct(p);
out:
	krg_request_put(req);
}

/*
 * A request that ends before it is queued (refused by a check, or no
 * memory for it): it gets an id, is counted and announced all the same.
 */
static u64 krg_migration_end_now(struct task_struct *p, int node,
				 enum krg_migrate_origin origin,
				 const char *who,
				 enum krg_request_outcome outcome, int err)
{
	struct krg_migration_event ev = {
		.pid = task_tgid_nr(p),
		.from = krg_task_node(p),
		.to = node,
		.error = err,
		.queued_ns = ktime_get_ns(),
		.id = krg_request_next_id(),
		.request = KRG_REQUEST_MIGRATION,
		.why = origin == KRG_MIGRATE_USER ? KRG_WHY_USER :
						     KRG_WHY_POLICY,
		.outcome = outcome,
		.who = who,
	};

	atomic64_inc(&krg_mig_requested);
	atomic64_inc(&krg_mig_aborted);
	krg_request_event(&ev, KRG_MIGRATION_ABORT);
	return ev.id;
}

/*
 * krg_migrate_request(), and with @waiter a reference on the request for
 * krg_request_wait() (release with krg_request_put()).
 */
int krg_migrate_queue(struct task_struct *p, int node,
		      enum krg_migrate_origin origin, const char *who,
		      u64 *id, struct krg_request **waiter)
{
	enum krg_request_outcome outcome = KRG_REQUEST_REFUSED;
	struct krg_request *req;
	struct krg_task *e;
	bool on_node;
	u64 nr;
	int ret;

	if (id)
		*id = 0;
	ret = krg_check(p, node, origin, false, true);
	if (ret)
		goto err_end;
	/* Nodes may share CPUs: @p must also be on @node for the backend. */
	rcu_read_lock();
	on_node = krg_group_on_node(p, krg_node_cpumask(node)) &&
		  krg_task_node(p) == node;
	rcu_read_unlock();
	if (on_node)
		return -EALREADY;

	/* One request at a time per task: its completion clears the bit. */
	rcu_read_lock();
	e = krg_task_find(p);
	if (!e)
		ret = -EACCES;
	else if (test_and_set_bit(KRG_TASK_MIGRATING, &e->flags))
		ret = -EBUSY;
	rcu_read_unlock();
	if (ret)
		goto err_end;

	req = krg_request_new(KRG_REQUEST_MIGRATION,
			      origin == KRG_MIGRATE_USER ? KRG_WHY_USER :
							   KRG_WHY_POLICY,
			      p, krg_task_node(p), node, who, GFP_ATOMIC);
	if (!req) {
		krg_clear_migrating(p);
		outcome = KRG_REQUEST_FAILED;
		ret = -ENOMEM;
		goto err_end;
	}
	INIT_WORK(&req->work, krg_migration_work);
	req->origin = origin;
	if (id)
		*id = req->id;
	if (waiter)
		*waiter = krg_request_get(req);
	atomic64_inc(&krg_mig_requested);
	/* The worker's reference is the one krg_request_new() gave. */
	queue_work(krg_migrate_wq, &req->work);
	return 0;

err_end:
	nr = krg_migration_end_now(p, node, origin, who, outcome, ret);
	if (id)
		*id = nr;
	return ret;
}

/**
 * krg_migrate_request - ask for a task's thread group to move to a node
 * @p: the task, pinned by the caller
 * @node: the destination
 * @origin: who asks (see krg_may_migrate())
 * @who: the asking scheduler's name for the events, or NULL
 * @id: where to store the request's id, or NULL
 *
 * Checks krg_may_migrate() and queues the request; the outcome is announced
 * on the notifier chain with the same id. A request refused at once is
 * announced (ABORT, REFUSED) before this returns. Any context (allocates
 * with GFP_ATOMIC).
 *
 * Return: 0 when queued, -EALREADY if every thread of the group already
 * runs within @node's CPUs and @p is on @node (krg_task_node(); no request,
 * *@id is 0), -ENOMEM, or an error of krg_may_migrate().
 */
int krg_migrate_request(struct task_struct *p, int node,
			enum krg_migrate_origin origin, const char *who,
			u64 *id)
{
	return krg_migrate_queue(p, node, origin, who, id, NULL);
}
EXPORT_SYMBOL_GPL(krg_migrate_request);

/**
 * krg_migrate - krg_migrate_request() without a name or an id
 * @p: the task, pinned by the caller
 * @node: the destination
 * @origin: who asks
 *
 * Return: as krg_migrate_request().
 */
int krg_migrate(struct task_struct *p, int node,
		enum krg_migrate_origin origin)
{
	return krg_migrate_queue(p, node, origin, NULL, NULL, NULL);
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
	struct krg_migration_event ev = {};
	bool on_node;
	int ret;

	ret = krg_check(p, node, KRG_MIGRATE_USER, false, false);
	if (ret)
		return ret;
	rcu_read_lock();
	on_node = krg_group_on_node(p, krg_node_cpumask(node));
	rcu_read_unlock();
	if (!on_node)
		return -EAGAIN;
	ev.pid = task_tgid_nr(p);
	ev.from = krg_task_node(p);
	ev.to = node;
	ev.queued_ns = ktime_get_ns();
	ev.id = krg_request_next_id();
	ev.request = KRG_REQUEST_MIGRATION;
	ev.why = KRG_WHY_USER;
	atomic64_inc(&krg_mig_requested);
	krg_request_event(&ev, KRG_MIGRATION_START);
	krg_record_node(p, node);
	atomic64_inc(&krg_mig_done);
	ev.outcome = KRG_REQUEST_DONE;
	krg_request_event(&ev, KRG_MIGRATION_END);
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
