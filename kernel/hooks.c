// SPDX-License-Identifier: GPL-2.0
/*
 * Fork and exit hooks: capability inheritance, freeing at exit, and distant
 * fork (the placement hook decides, the backend places: numa and test with
 * krg_affinity_place_child() below). The kernel does not export the
 * sched_process_fork/exit tracepoints; they are found by name. Both probes
 * run in atomic context (the tracepoint disables preemption): no sleeping,
 * GFP_ATOMIC only.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include "internal.h"

/*
 * For the tests of the fork path under memory pressure (the distribution
 * kernel has no slab fault injection): the next N refills of a spare entry
 * fail, as if there were no memory, so the next fork of that task takes the
 * fallback (an atomic allocation in the hook).
 */
static atomic_t krg_fail_fork_alloc = ATOMIC_INIT(0);

static int krg_fail_fork_alloc_set(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	if (n > INT_MAX)
		return -EINVAL;
	atomic_set(&krg_fail_fork_alloc, n);
	return 0;
}

static int krg_fail_fork_alloc_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&krg_fail_fork_alloc));
}

static const struct kernel_param_ops krg_fail_fork_alloc_ops = {
	.set = krg_fail_fork_alloc_set,
	.get = krg_fail_fork_alloc_get,
};
module_param_cb(fail_fork_alloc, &krg_fail_fork_alloc_ops, NULL, 0600);
MODULE_PARM_DESC(fail_fork_alloc,
		 "testing: make the next N refills of a spare fork entry fail");

bool krg_fail_spare_alloc(void)
{
	return unlikely(atomic_read(&krg_fail_fork_alloc)) &&
	       atomic_dec_if_positive(&krg_fail_fork_alloc) >= 0;
}

/* Forks whose child got no entry (kernel-internal tasks only, see below). */
static atomic_long_t krg_fork_no_entry = ATOMIC_LONG_INIT(0);

/* A task_work was queued since load (see krg_hooks_uninit()). */
static bool krg_works_used;

/* Kernel threads and kernel-internal workers never run user code. */
static bool krg_kernel_internal(const struct task_struct *t)
{
	return t->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER);
}

/*
 * A vfork child, in its refill, gives its waiting @parent a spare (see
 * krg_task.refill_parent). The parent may have been killed meanwhile: its
 * entry is found under RCU, and a spare put in an entry being freed is
 * freed with it (after the grace period this lookup holds off).
 */
static void krg_refill_parent(struct task_struct *parent)
{
	struct krg_task *spare, *pe;

	if (krg_fail_spare_alloc())
		return;
	spare = krg_task_alloc(GFP_KERNEL | __GFP_NOFAIL, 0, KRG_NODE_NONE);
	rcu_read_lock();
	pe = krg_task_find(parent);
	if (pe && !cmpxchg(&pe->spare, NULL, spare))
		spare = NULL;
	rcu_read_unlock();
	if (spare)
		krg_task_free(spare);
}

/*
 * The refill, run by the task itself before its next user instruction
 * (TWA_RESUME), or at exit (exit_task_work(), after the exit hook, which
 * then left the freeing to us: both run in the task's own context, one
 * after the other). Process context: the allocation cannot fail.
 */
static void krg_spare_work_fn(struct callback_head *cb)
{
	struct krg_task *e = container_of(cb, struct krg_task, work);
	struct task_struct *parent = e->refill_parent;

	if (parent) {
		e->refill_parent = NULL;
		krg_refill_parent(parent);
		put_task_struct(parent);
	}
	if (!test_bit(KRG_TASK_DEAD, &e->flags) && !e->spare &&
	    !krg_fail_spare_alloc())
		e->spare = krg_task_alloc(GFP_KERNEL | __GFP_NOFAIL, 0,
					  KRG_NODE_NONE);
	clear_bit(KRG_TASK_WORK, &e->flags);
	if (test_bit(KRG_TASK_DEAD, &e->flags))
		krg_task_free_deferred(e);
	module_put(THIS_MODULE);
}

/*
 * Make @t (current, or a new child not yet run) refill its entry's spare
 * before it returns to user space. Atomic context. Only a module being
 * unloaded (every entry goes then) can leave a user task without a spare.
 */
static bool krg_spare_queue(struct task_struct *t, struct krg_task *e)
{
	if ((e->spare && !e->refill_parent) || krg_kernel_internal(t) ||
	    test_and_set_bit(KRG_TASK_WORK, &e->flags))
		return false;
	if (!try_module_get(THIS_MODULE))
		goto err_clear;
	WRITE_ONCE(krg_works_used, true);
	init_task_work(&e->work, krg_spare_work_fn);
	if (!task_work_add(t, &e->work, TWA_RESUME))
		return true;
	module_put(THIS_MODULE);
err_clear:
	clear_bit(KRG_TASK_WORK, &e->flags);
	return false;
}

/*
 * Queue the refills after a fork: the parent's and the child's, or, for a
 * vfork child (it shares the parent's memory and is not a thread: the
 * parent waits for its exec or exit), both in the child's.
 */
static void krg_spare_queue_fork(struct task_struct *parent,
				 struct krg_task *pe,
				 struct task_struct *child,
				 struct krg_task *ce)
{
	if (child->mm && child->mm == parent->mm &&
	    thread_group_leader(child) && !pe->spare &&
	    !krg_kernel_internal(child) && !ce->refill_parent) {
		ce->refill_parent = get_task_struct(parent);
		if (krg_spare_queue(child, ce))
			return;
		ce->refill_parent = NULL;
		put_task_struct(parent);
	}
	krg_spare_queue(parent, pe);
	krg_spare_queue(child, ce);
}

/* The placement hook (the scheduler core's), or NULL. Writers hold the mutex. */
static const struct krg_placement_ops __rcu *krg_placement;
static DEFINE_MUTEX(krg_placement_lock);

/**
 * krg_placement_register - install the distant fork placement hook
 * @ops: the hook; @ops->place is called in atomic context
 *
 * Return: 0, -EINVAL if @ops has no place callback, or -EBUSY if another
 * hook is installed (there is one at a time).
 */
int krg_placement_register(const struct krg_placement_ops *ops)
{
	int ret = 0;

	if (!ops || !ops->place)
		return -EINVAL;
	mutex_lock(&krg_placement_lock);
	if (rcu_access_pointer(krg_placement))
		ret = -EBUSY;
	else
		rcu_assign_pointer(krg_placement, ops);
	mutex_unlock(&krg_placement_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(krg_placement_register);

/**
 * krg_placement_unregister - remove the placement hook
 * @ops: the hook given to krg_placement_register()
 *
 * Waits until no fork is still calling @ops. Sleeps.
 */
void krg_placement_unregister(const struct krg_placement_ops *ops)
{
	mutex_lock(&krg_placement_lock);
	if (rcu_access_pointer(krg_placement) == ops)
		RCU_INIT_POINTER(krg_placement, NULL);
	mutex_unlock(&krg_placement_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(krg_placement_unregister);

/*
 * Where the hook puts @child: an online node, or KRG_NODE_NONE; and in
 * @who (KRG_REQUEST_WHO_LEN bytes) who decided, if the hook says.
 */
static int krg_place(struct task_struct *parent, struct task_struct *child,
		     char *who)
{
	const struct krg_placement_ops *ops;
	int node = KRG_NODE_NONE;

	who[0] = '\0';
	rcu_read_lock();
	ops = rcu_dereference(krg_placement);
	if (ops && ops->place_who)
		node = ops->place_who(parent, child, who);
	else if (ops)
		node = ops->place(parent, child);
	rcu_read_unlock();
	who[KRG_REQUEST_WHO_LEN - 1] = '\0';

	if (node == KRG_NODE_NONE || krg_node_online(node))
		return node;
	pr_notice_ratelimited("placement of pid %d: node %d is not online; ignored\n",
			      task_pid_nr(child), node);
	return KRG_NODE_NONE;
}

struct krg_place_work {
	struct callback_head cb;
	cpumask_var_t mask;
};

/*
 * The CPUs of @node that @child may be given by krg.ko, in @mask: those
 * not isolated, and, unless @child is provably unconfined (root cpuset,
 * not SCHED_DEADLINE), only those its affinity (set by cpuset_fork()
 * before the fork tracepoint, within its cpuset) already allows. False if
 * there are none. Under RCU.
 */
static bool krg_place_mask(struct task_struct *child, int node,
			   struct cpumask *mask)
{
	if (!krg_node_usable(node, mask))
		return false;
	if (!krg_task_unconfined(child))
		cpumask_and(mask, mask, &child->cpus_mask);
	return !cpumask_empty(mask);
}

/* Runs as the new child, before it first returns to user space. */
static void krg_place_work_fn(struct callback_head *cb)
{
	struct krg_place_work *w = container_of(cb, struct krg_place_work, cb);

	/* It may have changed cpuset meanwhile: stay within what it has. */
	rcu_read_lock();
	if (!krg_task_unconfined(current))
		cpumask_and(w->mask, w->mask, &current->cpus_mask);
	rcu_read_unlock();
	if (!(current->flags & PF_EXITING) && !cpumask_empty(w->mask))
		set_cpus_allowed_ptr(current, w->mask);
	free_cpumask_var(w->mask);
	kfree(w);
	module_put(THIS_MODULE);
}

/* Where krg_affinity_place_child() computes a mask (preemption is off). */
static DEFINE_PER_CPU(struct cpumask, krg_place_scratch);

/* Distant forks not placed: the child may not go to the node's CPUs. */
static atomic_long_t krg_place_refused = ATOMIC_LONG_INIT(0);

/*
 * Is @child pinned by hand (the rule of migration, migrate.c): does the
 * affinity it inherited neither cover every online CPU nor equal the CPUs
 * of @home, the node krg.ko put its parent on?
 */
static bool krg_child_pinned(struct task_struct *child, int home)
{
	if (cpumask_subset(cpu_online_mask, &child->cpus_mask))
		return false;
	return !krg_node_valid(home) ||
	       !cpumask_equal(&child->cpus_mask, krg_node_cpumask(home));
}

/*
 * May @child be placed on @node (the rules of krg_child_pinned() and
 * krg_place_mask())? 0 with the CPUs in @mask, else the reason: -EBUSY
 * (pinned by hand) or -EINVAL (no CPU of @node it may have). Counted.
 */
static int krg_place_check(struct task_struct *child, int node, int home,
			   struct cpumask *mask)
{
	int err = 0;

	if (krg_child_pinned(child, home))
		err = -EBUSY;
	else if (!krg_place_mask(child, node, mask))
		err = -EINVAL;
	if (err)
		atomic_long_inc(&krg_place_refused);
	return err;
}

/*
 * The place_child op of the numa and test backends: confine the new @child
 * to @req->to's CPUs (what krg_place_mask() leaves of them) before it first
 * runs; @home: the node its parent was put on. Completes @req at once:
 * DONE, REFUSED -EBUSY (pinned by hand), REFUSED -EINVAL (no CPU of the
 * node it may have), FAILED -ENOMEM or -ESHUTDOWN (krg.ko is unloading).
 * Called from the fork tracepoint: @child is TASK_NEW, not on any
 * runqueue, and is only woken (wake_up_new_task(), which picks its first
 * CPU within its affinity) after we return.
 *
 * set_cpus_allowed_ptr() may sleep in general, but not here when the CPU
 * @child was created on (task_cpu(), set by sched_fork()) is already in the
 * new mask: (6.12, kernel/sched/core.c) __set_cpus_allowed_ptr() takes
 * p->pi_lock and the rq lock (raw spinlocks), updates the mask, and
 * affine_move_task() returns at its first test ("can the task run on its
 * current CPU?") without installing a migration request, so it never
 * reaches wait_for_completion(). Otherwise affine_move_task() would complete
 * and then wait on its own completion: no real sleep for a task that is not
 * queued, but a might_sleep() in atomic context. The user-requested mask
 * (user_cpus_ptr, inherited from a parent that called sched_setaffinity) is
 * intersected first and could drop that CPU, so such children take the
 * slow path too. (Only a sched_setaffinity() on the child by another task,
 * between this test and set_cpus_allowed_ptr() taking the child's pi_lock,
 * could still lead there: it would still not sleep, as said above.)
 *
 * The slow path is a task_work: the child sets its own affinity in process
 * context on its way to user space (task_work runs before any signal is
 * handled, even SIGKILL), so it never executes a user instruction outside
 * @node. It holds a module reference until it has run.
 */
void krg_affinity_place_child(struct krg_request *req,
			      struct task_struct *child, int home)
{
	/* The fork tracepoint runs with preemption disabled: per-CPU is ours. */
	struct cpumask *mask = this_cpu_ptr(&krg_place_scratch);
	struct krg_place_work *w;
	int err;

	err = krg_place_check(child, req->to, home, mask);
	if (err) {
		krg_request_complete(req, KRG_REQUEST_REFUSED, err);
		return;
	}
	if (cpumask_test_cpu(task_cpu(child), mask) &&
	    !READ_ONCE(child->user_cpus_ptr)) {
		set_cpus_allowed_ptr(child, mask);
		krg_request_complete(req, KRG_REQUEST_DONE, 0);
		return;
	}

	if (!try_module_get(THIS_MODULE)) {
		/* krg.ko is going away: the child stays. */
		krg_request_complete(req, KRG_REQUEST_FAILED, -ESHUTDOWN);
		return;
	}
	w = kmalloc(sizeof(*w), GFP_ATOMIC | __GFP_NOWARN);
	if (!w)
		goto err_put;
	if (!alloc_cpumask_var(&w->mask, GFP_ATOMIC | __GFP_NOWARN))
		goto err_free;
	cpumask_copy(w->mask, mask);
	WRITE_ONCE(krg_works_used, true);
	init_task_work(&w->cb, krg_place_work_fn);
	if (task_work_add(child, &w->cb, TWA_RESUME))
		goto err_free_mask;
	/* Done: the work runs before the child's first user instruction. */
	krg_request_complete(req, KRG_REQUEST_DONE, 0);
	return;

err_free_mask:
	free_cpumask_var(w->mask);
err_free:
	kfree(w);
err_put:
	module_put(THIS_MODULE);
	pr_warn_ratelimited("cannot place pid %d on node %d\n",
			    task_pid_nr(child), req->to);
	krg_request_complete(req, KRG_REQUEST_FAILED, -ENOMEM);
}

/*
 * Placements carried out later (the test backend's test_place_delay_ms):
 * each is a delayed work on krg_place_wq, listed so that unload can
 * cancel those not run yet. The list holds the item; the one who takes
 * it off the list (its work, or unload) owns it.
 */
struct krg_place_later {
	struct delayed_work dwork;
	struct list_head node;		/* in krg_place_pending */
	struct krg_request *req;	/* counted */
	cpumask_var_t mask;
};

static struct workqueue_struct *krg_place_wq;
static LIST_HEAD(krg_place_pending);
static DEFINE_SPINLOCK(krg_place_pending_lock);

static bool krg_place_later_take(struct krg_place_later *l)
{
	bool mine;

	spin_lock(&krg_place_pending_lock);
	mine = !list_empty(&l->node);
	list_del_init(&l->node);
	spin_unlock(&krg_place_pending_lock);
	return mine;
}

static void krg_place_later_free(struct krg_place_later *l)
{
	krg_request_put(l->req);
	free_cpumask_var(l->mask);
	kfree(l);
}

/*
 * Carry out a placement from a worker: begin (unless the held child gave
 * up waiting), set the child's affinity while it waits, complete.
 */
static void krg_place_later_fn(struct work_struct *work)
{
	struct krg_place_later *l = container_of(to_delayed_work(work),
						 struct krg_place_later, dwork);
	struct task_struct *p;
	int err = 0;

	if (!krg_place_later_take(l))
		return;		/* unload took it */
	p = get_pid_task(l->req->pid, PIDTYPE_PID);
	if (!krg_request_begin(l->req))
		goto out;	/* timed out or killed: leave it alone */
	if (!p) {
		err = -ESRCH;
	} else {
		rcu_read_lock();
		if (!krg_task_unconfined(p))
			cpumask_and(l->mask, l->mask, &p->cpus_mask);
		rcu_read_unlock();
		if (cpumask_empty(l->mask))
			err = -EINVAL;
		else
			err = set_cpus_allowed_ptr(p, l->mask);
	}
	krg_request_complete(l->req, err ? KRG_REQUEST_FAILED :
			     KRG_REQUEST_DONE, err);
out:
	if (p)
		put_task_struct(p);
	krg_place_later_free(l);
}

/**
 * krg_affinity_place_later - place a child from a worker, after a delay
 * @req: the placement
 * @child: the new child (TASK_NEW)
 * @home: the node its parent was put on
 * @delay_ms: how long until the worker runs
 *
 * The test backend's place_child when test_place_delay_ms is set: the
 * checks are made now (REFUSED at once as krg_affinity_place_child()),
 * the move and the completion later, from another context, as a backend
 * that asks elsewhere would. Atomic context.
 */
void krg_affinity_place_later(struct krg_request *req,
			      struct task_struct *child, int home,
			      unsigned int delay_ms)
{
	struct cpumask *mask = this_cpu_ptr(&krg_place_scratch);
	struct krg_place_later *l;
	int err;

	err = krg_place_check(child, req->to, home, mask);
	if (err) {
		krg_request_complete(req, KRG_REQUEST_REFUSED, err);
		return;
	}
	l = kzalloc(sizeof(*l), GFP_ATOMIC | __GFP_NOWARN);
	if (!l)
		goto err_fail;
	if (!alloc_cpumask_var(&l->mask, GFP_ATOMIC | __GFP_NOWARN))
		goto err_free;
	cpumask_copy(l->mask, mask);
	l->req = krg_request_get(req);
	INIT_DELAYED_WORK(&l->dwork, krg_place_later_fn);
	spin_lock(&krg_place_pending_lock);
	list_add_tail(&l->node, &krg_place_pending);
	spin_unlock(&krg_place_pending_lock);
	queue_delayed_work(krg_place_wq, &l->dwork, msecs_to_jiffies(delay_ms));
	return;

err_free:
	kfree(l);
err_fail:
	krg_request_complete(req, KRG_REQUEST_FAILED, -ENOMEM);
}

/* Unload: no fork makes any more; end those not carried out. */
static void krg_place_later_uninit(void)
{
	struct krg_place_later *l;

	spin_lock(&krg_place_pending_lock);
	while ((l = list_first_entry_or_null(&krg_place_pending,
					     struct krg_place_later, node))) {
		list_del_init(&l->node);
		spin_unlock(&krg_place_pending_lock);
		cancel_delayed_work_sync(&l->dwork);
		krg_request_complete(l->req, KRG_REQUEST_FAILED, -ESHUTDOWN);
		krg_place_later_free(l);
		spin_lock(&krg_place_pending_lock);
	}
	spin_unlock(&krg_place_pending_lock);
	/* Works that took their item may still run. */
	destroy_workqueue(krg_place_wq);
}

/*
 * How long a child whose placement is not complete when its fork returns
 * waits for it (before its first user instruction); then it runs where it
 * is and the request fails with -ETIMEDOUT. Bounded: a placement carried
 * out elsewhere (the cluster backend's agent) may never answer.
 */
#define KRG_PLACE_WAIT_MAX_MS	60000
static unsigned int krg_place_wait_ms = 1000;

static int krg_place_wait_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	if (ms > KRG_PLACE_WAIT_MAX_MS)
		return -EINVAL;
	WRITE_ONCE(krg_place_wait_ms, ms);
	return 0;
}

static const struct kernel_param_ops krg_place_wait_ops = {
	.set = krg_place_wait_set,
	.get = param_get_uint,
};
module_param_cb(place_wait_ms, &krg_place_wait_ops, &krg_place_wait_ms, 0644);
MODULE_PARM_DESC(place_wait_ms,
		 "longest wait of a new child for its placement, ms (0-60000, default 1000)");

/* A placement completed: a done one's node is the child's. Any context. */
void krg_placement_finish(struct krg_request *req)
{
	struct task_struct *p;
	struct krg_task *e;

	if (req->outcome != KRG_REQUEST_DONE)
		return;
	rcu_read_lock();
	p = pid_task(req->pid, PIDTYPE_PID);
	e = p ? krg_task_find(p) : NULL;
	if (e)
		WRITE_ONCE(e->node, req->to);
	rcu_read_unlock();
}

/*
 * The held child, before its first user instruction (TWA_RESUME; or at
 * exit, if it dies first): wait for the placement, killable and bounded.
 * Giving up completes the request (FAILED) unless the backend began it,
 * in which case its completion is near and is waited for. No lock held.
 */
static void krg_place_hold_fn(struct callback_head *cb)
{
	struct krg_request *req = container_of(cb, struct krg_request, hold);
	unsigned long wait = msecs_to_jiffies(READ_ONCE(krg_place_wait_ms));
	long left;

	left = wait_for_completion_killable_timeout(&req->done, wait);
	if (left <= 0 &&
	    !krg_request_complete(req, KRG_REQUEST_FAILED,
				  left ? -EINTR : -ETIMEDOUT))
		wait_for_completion_killable(&req->done);
	krg_request_put(req);
	module_put(THIS_MODULE);
}

/*
 * Hold @child until @req completes; takes over the caller's reference.
 * Atomic context. If it cannot be held, the request fails now.
 */
static void krg_place_hold(struct task_struct *child, struct krg_request *req)
{
	if (!try_module_get(THIS_MODULE))
		goto err_fail;
	WRITE_ONCE(krg_works_used, true);
	init_task_work(&req->hold, krg_place_hold_fn);
	if (!task_work_add(child, &req->hold, TWA_RESUME))
		return;
	module_put(THIS_MODULE);
err_fail:
	krg_request_complete(req, KRG_REQUEST_FAILED, -ESRCH);
	krg_request_put(req);
}

/*
 * Distant fork: a placement request for @child on @node, which the
 * backend carries out; a child whose placement is still on when this
 * returns is held. Atomic context.
 */
static void krg_fork_place(struct task_struct *parent,
			   struct task_struct *child, int node, int home,
			   const char *who)
{
	struct krg_migration_event ev;
	struct krg_request *req;

	req = krg_request_new(KRG_REQUEST_PLACEMENT, KRG_WHY_DISTANT_FORK,
			      child, krg_task_node(parent), node, who,
			      GFP_ATOMIC | __GFP_NOWARN);
	if (likely(req)) {
		krg_backend->place_child(req, child, home);
		if (krg_request_completed(req))
			krg_request_put(req);
		else
			krg_place_hold(child, req);
		return;
	}
	/* No memory for it: it ends now, and the child is not placed. */
	ev = (struct krg_migration_event) {
		.pid = task_pid_nr(child),
		.from = krg_task_node(parent),
		.to = node,
		.error = -ENOMEM,
		.queued_ns = ktime_get_ns(),
		.id = krg_request_next_id(),
		.request = KRG_REQUEST_PLACEMENT,
		.why = KRG_WHY_DISTANT_FORK,
		.outcome = KRG_REQUEST_FAILED,
		.who = who,
	};
	krg_request_event(&ev, KRG_PLACEMENT_END);
}

/*
 * The child's entry, with its inherited sets: the parent's spare, or for a
 * parent that has none (a kernel thread or worker, or a failed refill) an
 * atomic allocation. NULL if that fails too. @pe is the parent's entry:
 * the parent is current, so only its own exit hook could free it.
 */
static struct krg_task *krg_fork_entry(struct krg_task *pe, u64 caps,
				       int node)
{
	struct krg_task *ce = xchg(&pe->spare, NULL);

	if (ce) {
		krg_task_init(ce, caps, node);
		return ce;
	}
	return krg_task_alloc(GFP_ATOMIC | __GFP_NOWARN, caps, node);
}

/*
 * Hash @ce as @child's entry. Only this hook gives a new task an entry
 * (krg_task_ensure() refuses a task not past it), but should one be there
 * all the same, take it over: its sets become the inherited ones, never
 * more. Return the entry in the table, or NULL (@ce is freed).
 */
static struct krg_task *krg_fork_insert(struct task_struct *child,
					struct krg_task *ce)
{
	struct krg_task *e;
	int ret;

	ret = krg_task_insert(child, ce);
	if (likely(!ret))
		return ce;
	e = ret == -EEXIST ? krg_task_find(child) : NULL;
	if (e) {
		atomic64_set(&e->caps, atomic64_read(&ce->caps));
		WRITE_ONCE(e->node, ce->node);
		if (!cmpxchg(&e->spare, NULL, ce))
			return e;
	}
	krg_task_free(ce);
	return e;
}

/*
 * Fork (and clone of a thread): the child inherits from the task that
 * creates it (current). A parent without an entry has the defaults, and
 * so does its child: one lookup and done. Otherwise the child's entry is
 * hashed before the placement hook is asked, so that a policy sees the
 * child's sets, and before the child can be woken (smp_wmb(), for
 * krg_task_ensure()).
 */
static void krg_fork_probe(void *data, struct task_struct *parent,
			   struct task_struct *child)
{
	char who[KRG_REQUEST_WHO_LEN];
	struct krg_task *pe, *ce;
	int node, placed;
	bool distant;
	u64 caps;

	rcu_read_lock();
	pe = krg_task_find(parent);
	if (likely(!pe))
		goto out;
	caps = atomic64_read(&pe->caps);
	/* Distant fork places new processes, not threads nor kernel threads. */
	distant = (krg_caps_effective(caps) &
		   KRG_CAP_BIT(KRG_CAP_DISTANT_FORK)) &&
		  thread_group_leader(child) &&
		  !((parent->flags | child->flags) & PF_KTHREAD);
	caps = krg_caps_inherit(caps);
	node = READ_ONCE(pe->node);
	if (caps == krg_caps_default() && node == KRG_NODE_NONE && !distant)
		goto out;

	ce = krg_fork_entry(pe, caps, node);
	if (ce)
		ce = krg_fork_insert(child, ce);
	if (unlikely(!ce)) {
		/*
		 * Only a parent without a spare gets here: a kernel thread
		 * or worker, whose child is kernel-internal too (it never
		 * executes user code), or a task of a module being unloaded.
		 * Never kill: count it.
		 */
		atomic_long_inc(&krg_fork_no_entry);
		pr_notice_ratelimited("no memory for the capabilities of pid %d (parent %d)\n",
				      task_pid_nr(child), task_pid_nr(parent));
		goto out;
	}
	smp_wmb();	/* the entry before the child leaves TASK_NEW */
	krg_spare_queue_fork(parent, pe, child, ce);

	if (distant) {
		placed = krg_place(parent, child, who);
		if (placed != KRG_NODE_NONE)
			krg_fork_place(parent, child, placed, node, who);
	}
out:
	rcu_read_unlock();
}

static void krg_exit_probe(void *data, struct task_struct *p)
{
	krg_task_remove(p);
}

struct krg_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
};

/*
 * Registered in this order (exit first: no entry is created that no exit
 * hook would remove); unregistered in reverse.
 */
static struct krg_hook krg_hooks[] = {
	{ .name = "sched_process_exit", .probe = krg_exit_probe },
	{ .name = "sched_process_fork", .probe = krg_fork_probe },
};

static void krg_hooks_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(krg_hooks); i++)
		if (!strcmp(tp->name, krg_hooks[i].name))
			krg_hooks[i].tp = tp;
}

static void krg_hooks_unregister(int n)
{
	while (n--)
		tracepoint_probe_unregister(krg_hooks[n].tp, krg_hooks[n].probe,
					    NULL);
	tracepoint_synchronize_unregister();
}

void krg_fork_stats(unsigned long *no_entry, unsigned long *not_placed)
{
	*no_entry = atomic_long_read(&krg_fork_no_entry);
	*not_placed = atomic_long_read(&krg_place_refused);
}

int krg_hooks_init(void)
{
	int i, ret;

	for_each_kernel_tracepoint(krg_hooks_find, NULL);
	for (i = 0; i < ARRAY_SIZE(krg_hooks); i++) {
		if (!krg_hooks[i].tp) {
			pr_err("tracepoint %s not found\n", krg_hooks[i].name);
			return -ENOENT;
		}
	}
	krg_place_wq = alloc_workqueue("krg_place", WQ_UNBOUND, 0);
	if (!krg_place_wq)
		return -ENOMEM;

	for (i = 0; i < ARRAY_SIZE(krg_hooks); i++) {
		ret = tracepoint_probe_register(krg_hooks[i].tp,
						krg_hooks[i].probe, NULL);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       krg_hooks[i].name, ret);
			krg_hooks_unregister(i);
			destroy_workqueue(krg_place_wq);
			return ret;
		}
	}
	return 0;
}

void krg_hooks_uninit(void)
{
	krg_hooks_unregister(ARRAY_SIZE(krg_hooks));
	krg_place_later_uninit();
	/*
	 * Our task_works drop their module reference as their last step,
	 * then still runs its own last instructions: wait until every task
	 * has left them (a task passes an RCU-tasks quiescent state only
	 * after returning from it, on its way to user space). Only needed
	 * if one ever ran: a grace period is slow.
	 */
	if (READ_ONCE(krg_works_used))
		synchronize_rcu_tasks();
}
