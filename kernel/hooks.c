// SPDX-License-Identifier: GPL-2.0
/*
 * Fork and exit hooks: capability inheritance, freeing at exit, and distant
 * fork. The kernel does not export the sched_process_fork/exit tracepoints;
 * they are found by name. Both probes run in atomic context (the tracepoint
 * disables preemption): no sleeping, GFP_ATOMIC only.
 */
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include "internal.h"

/*
 * For the tests of the fail-closed path (the distribution kernel has no slab
 * fault injection): the next N entry allocations of the fork hook fail.
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
		 "testing: make the next N capability allocations at fork fail");

static struct krg_task *krg_fork_alloc(u64 caps, int node)
{
	if (unlikely(atomic_read(&krg_fail_fork_alloc)) &&
	    atomic_dec_if_positive(&krg_fail_fork_alloc) >= 0)
		return NULL;
	return krg_task_alloc(GFP_ATOMIC | __GFP_NOWARN, caps, node);
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

/* Where the hook puts @child: an online node, or KRG_NODE_NONE. */
static int krg_place(struct task_struct *parent, struct task_struct *child)
{
	const struct krg_placement_ops *ops;
	int node = KRG_NODE_NONE;

	rcu_read_lock();
	ops = rcu_dereference(krg_placement);
	if (ops)
		node = ops->place(parent, child);
	rcu_read_unlock();

	if (node == KRG_NODE_NONE || krg_node_online(node))
		return node;
	pr_notice_ratelimited("placement of pid %d: node %d is not online; ignored\n",
			      task_pid_nr(child), node);
	return KRG_NODE_NONE;
}

struct krg_place_work {
	struct callback_head cb;
	int node;
};

/* A placement task_work was queued since load (see krg_hooks_uninit()). */
static bool krg_place_work_used;

/* Runs as the new child, before it first returns to user space. */
static void krg_place_work_fn(struct callback_head *cb)
{
	struct krg_place_work *w = container_of(cb, struct krg_place_work, cb);

	if (!(current->flags & PF_EXITING) && krg_node_online(w->node))
		set_cpus_allowed_ptr(current, krg_node_cpumask(w->node));
	kfree(w);
	module_put(THIS_MODULE);
}

/*
 * Confine the new @child to @node's CPUs before it first runs. Called from
 * the fork tracepoint: @child is TASK_NEW, not on any runqueue, and is only
 * woken (wake_up_new_task(), which picks its first CPU within its affinity)
 * after we return.
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
static void krg_place_child(struct task_struct *child, int node)
{
	const struct cpumask *mask = krg_node_cpumask(node);
	struct krg_place_work *w;

	if (cpumask_test_cpu(task_cpu(child), mask) &&
	    !READ_ONCE(child->user_cpus_ptr)) {
		set_cpus_allowed_ptr(child, mask);
		return;
	}

	if (!try_module_get(THIS_MODULE))
		return;
	w = kmalloc(sizeof(*w), GFP_ATOMIC | __GFP_NOWARN);
	if (!w)
		goto err_put;
	w->node = node;
	WRITE_ONCE(krg_place_work_used, true);
	init_task_work(&w->cb, krg_place_work_fn);
	if (task_work_add(child, &w->cb, TWA_RESUME))
		goto err_free;
	return;

err_free:
	kfree(w);
err_put:
	module_put(THIS_MODULE);
	pr_warn_ratelimited("cannot place pid %d on node %d\n",
			    task_pid_nr(child), node);
}

/*
 * Fork (and clone of a thread): the child inherits from the task that
 * creates it (current). A parent without an entry has the defaults, and
 * so does its child: one lookup and done.
 */
static void krg_fork_probe(void *data, struct task_struct *parent,
			   struct task_struct *child)
{
	int ret, node, placed = KRG_NODE_NONE;
	struct krg_task *pe, *ce;
	bool distant;
	u64 caps;

	rcu_read_lock();
	pe = krg_task_find(parent);
	if (likely(!pe)) {
		rcu_read_unlock();
		return;
	}
	caps = atomic64_read(&pe->caps);
	distant = krg_caps_effective(caps) & KRG_CAP_BIT(KRG_CAP_DISTANT_FORK);
	caps = krg_caps_inherit(caps);
	node = READ_ONCE(pe->node);
	rcu_read_unlock();

	/* Distant fork places new processes, not threads nor kernel threads. */
	if (distant && thread_group_leader(child) &&
	    !((parent->flags | child->flags) & PF_KTHREAD)) {
		placed = krg_place(parent, child);
		if (placed != KRG_NODE_NONE)
			node = placed;
	}
	if (caps == krg_caps_default() && node == KRG_NODE_NONE)
		return;

	ce = krg_fork_alloc(caps, node);
	if (unlikely(!ce))
		goto err_kill;
	ret = krg_task_insert(child, ce);
	if (unlikely(ret)) {
		/* A stale entry would mean an exit we missed: a bug. */
		WARN_ON_ONCE(ret == -EEXIST);
		krg_task_free(ce);
		goto err_kill;
	}
	if (placed != KRG_NODE_NONE)
		krg_place_child(child, placed);
	return;

err_kill:
	/*
	 * Without an entry the child would run with the defaults, which may
	 * allow what its parent's sets deny: it must not run at all. SIGKILL
	 * is process-wide, so a new thread takes its process with it.
	 */
	if (caps != krg_caps_default()) {
		pr_err_ratelimited("cannot keep the capabilities of pid %d; killed\n",
				   task_pid_nr(child));
		send_sig(SIGKILL, child, 1);
	}
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

	for (i = 0; i < ARRAY_SIZE(krg_hooks); i++) {
		ret = tracepoint_probe_register(krg_hooks[i].tp,
						krg_hooks[i].probe, NULL);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n",
			       krg_hooks[i].name, ret);
			krg_hooks_unregister(i);
			return ret;
		}
	}
	return 0;
}

void krg_hooks_uninit(void)
{
	krg_hooks_unregister(ARRAY_SIZE(krg_hooks));
	/*
	 * krg_place_work_fn() drops its module reference as its last step,
	 * then still runs its own last instructions: wait until every task
	 * has left them (a task passes an RCU-tasks quiescent state only
	 * after returning from it, on its way to user space). Only needed
	 * if one ever ran: a grace period is slow.
	 */
	if (READ_ONCE(krg_place_work_used))
		synchronize_rcu_tasks();
}
