/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration and distant fork: the primitives policies act through.
 *
 * A migration is an asynchronous request: krg_migrate() checks it and queues
 * it; the backend carries it out later in process context (numa: the thread
 * group's CPU affinity moves to the target node's CPUs) and the outcome is
 * announced to the migration notifier chain (start, end or abort).
 */
#ifndef _KRG_MIGRATE_H
#define _KRG_MIGRATE_H

#include <linux/notifier.h>
#include <linux/types.h>

struct task_struct;

/* Who asks; decides whether a CPU affinity pinned by hand is respected. */
enum krg_migrate_origin {
	/* A policy: never moves a task whose affinity was pinned by hand. */
	KRG_MIGRATE_POLICY = 0,
	/* A user allowed to act on the task (`migrate`): overrides the pin. */
	KRG_MIGRATE_USER = 1,
};

/*
 * krg_may_migrate - may @p be migrated to @node now?
 * Returns 0 or: -EACCES (no CAN_MIGRATE in effective), -EBUSY (ptraced,
 * already migrating, or pinned by hand and @origin is a policy), -EINVAL
 * (kernel thread or node id out of range), -EHOSTDOWN (node offline),
 * -ESRCH (exiting). The caller's own permission is not checked here.
 * Any context.
 */
int krg_may_migrate(struct task_struct *p, int node,
		    enum krg_migrate_origin origin);

/*
 * krg_migrate - ask for @p's thread group to move to @node.
 * Checks krg_may_migrate() and queues the request; returns 0 when queued,
 * -EALREADY if @p already runs on @node, -ENOMEM, or an error of
 * krg_may_migrate(). Any context (allocates with GFP_ATOMIC).
 */
int krg_migrate(struct task_struct *p, int node,
		enum krg_migrate_origin origin);

enum krg_migration_kind {
	KRG_MIGRATION_START = 1,
	KRG_MIGRATION_END = 2,		/* done */
	KRG_MIGRATION_ABORT = 3,	/* failed; @error says why */
};

struct krg_migration_event {
	enum krg_migration_kind kind;
	pid_t pid;		/* thread group id, init namespace */
	int from;		/* node before */
	int to;			/* requested node */
	int error;		/* -errno for KRG_MIGRATION_ABORT */
	u64 time_ns;		/* ktime_get_ns() of the event */
	u64 queued_ns;		/* when krg_migrate() accepted the request */
};

/*
 * The chain is atomic: callbacks get (kind, struct krg_migration_event *)
 * and must not sleep.
 */
int krg_migration_register_notifier(struct notifier_block *nb);
int krg_migration_unregister_notifier(struct notifier_block *nb);

/*
 * Distant fork placement. When a task forks with DISTANT_FORK in its
 * effective set, krg.ko asks the registered placement hook where the child
 * goes, before the child first runs. @place runs in atomic context (the fork
 * tracepoint) and returns a node id, or KRG_NODE_NONE for "no decision"
 * (the child stays where the kernel puts it). Only one hook at a time (the
 * scheduler core's); krg_placement_unregister() waits for running calls.
 */
struct krg_placement_ops {
	int (*place)(struct task_struct *parent, struct task_struct *child);
};

int krg_placement_register(const struct krg_placement_ops *ops);
void krg_placement_unregister(const struct krg_placement_ops *ops);

#endif /* _KRG_MIGRATE_H */
