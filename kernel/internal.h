/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of krg.ko, and only them. */
#ifndef _KRG_INTERNAL_H
#define _KRG_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <krg/caps.h>
#include <krg/migrate.h>
#include <krg/nodes.h>

/* nodes.c */
int krg_nodes_init(void);
void krg_nodes_uninit(void);
const struct cpumask *krg_node_cpumask(int node);

/* caps.c: the per-task entries and the capability rules */
struct krg_task {
	struct hlist_node hnode;	/* in its bucket of the task table */
	struct task_struct *task;	/* the key; gone once the entry is */
	atomic64_t caps;		/* the four sets, packed */
	int node;			/* where krg.ko put the task, or NONE */
	unsigned long flags;		/* KRG_TASK_* bits */
	/*
	 * The entry of the task's next child, allocated in process context so
	 * that the fork hook needs no allocation. Only the task's own context
	 * (its fork and exit hooks, its task_work) takes or refills it, except
	 * before the task first runs (its parent's fork hook) and while it
	 * waits for a vfork child (the child's refill fills it, see below). NULL for kernel
	 * threads and kernel-internal workers, and between a fork and the
	 * refill (which runs before the next user instruction).
	 */
	struct krg_task *spare;
	/*
	 * A vfork child refills its parent's spare in its own refill: the
	 * parent waits for the child's exec or exit, and a work queued on it
	 * would hold krg.ko (a module reference) until then, so that a
	 * `rmmod krg` run by posix_spawn() or vfork() could never succeed.
	 * Set by the fork hook with a task reference, cleared by the refill.
	 */
	struct task_struct *refill_parent;
	struct callback_head work;	/* the refill, queued iff KRG_TASK_WORK */
	struct rcu_head rcu;
};

/* A migration of the task is queued or running (migrate.c). */
#define KRG_TASK_MIGRATING	0
/* The refill of spare is queued on the task: it holds a module reference. */
#define KRG_TASK_WORK		1
/* Removed at exit while the refill was queued: the refill frees it. */
#define KRG_TASK_DEAD		2

int krg_caps_init(void);
void krg_caps_uninit(void);
u64 krg_caps_default(void);
u64 krg_caps_inherit(u64 parent);
u32 krg_caps_effective(u64 caps);
struct krg_task *krg_task_find(const struct task_struct *p);
struct krg_task *krg_task_alloc(gfp_t gfp, u64 caps, int node);
void krg_task_init(struct krg_task *e, u64 caps, int node);
void krg_task_free(struct krg_task *e);
void krg_task_free_deferred(struct krg_task *e);
int krg_task_insert(struct task_struct *p, struct krg_task *e);
void krg_task_remove(struct task_struct *p);
int krg_task_ensure(struct task_struct *p);
unsigned int krg_tasks_count(void);
bool krg_may_access(struct task_struct *p);
int krg_caps_get(struct task_struct *p, struct krg_caps *out);
int krg_caps_set(struct task_struct *p, const struct krg_caps *req);

/* hooks.c: fork and exit tracepoints, distant fork */
int krg_hooks_init(void);
void krg_hooks_uninit(void);
bool krg_fail_spare_alloc(void);
void krg_fork_stats(unsigned long *no_entry, unsigned long *not_placed);

/* migrate.c */
struct krg_migration;

int krg_migrate_init(void);
void krg_migrate_uninit(void);
int krg_migrate_queue(struct task_struct *p, int node,
		      enum krg_migrate_origin origin,
		      struct krg_migration **waiter);
int krg_migration_wait(struct krg_migration *m);
void krg_migration_put(struct krg_migration *m);
void krg_migration_stats(u64 *requested, u64 *done, u64 *aborted);
int krg_migrate_check(struct task_struct *p, int node);
int krg_migrate_record(struct task_struct *p, int node);
bool krg_cpu_isolated(int cpu);
bool krg_node_usable(int node, struct cpumask *dst);
bool krg_task_unconfined(struct task_struct *p);

/* dev.c: /dev/krg */
int krg_dev_init(void);
void krg_dev_uninit(void);

/* sysfs.c */
extern struct kobject *krg_kobj;
int krg_sysfs_init(void);
void krg_sysfs_uninit(void);

#endif /* _KRG_INTERNAL_H */
