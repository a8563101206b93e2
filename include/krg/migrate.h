/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Migration and distant fork: the primitives policies act through.
 *
 * Both are requests (docs/requests.md): a request has a handle (a u64 id,
 * unique and increasing while krg.ko is loaded), names a task, where it
 * is and where it should go, and why it is asked; the backend carries it
 * out (numa: CPU affinity; cluster: the node agent) and it ends with
 * exactly one completion: done, refused (with the reason) or failed (with
 * the error). Every event of a request on the notifier chain carries its
 * id.
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

/* What a request asks for. */
enum krg_request_kind {
	KRG_REQUEST_MIGRATION = 1,	/* move a running thread group */
	KRG_REQUEST_PLACEMENT = 2,	/* start a new child on a node */
};

/* Why it was asked. */
enum krg_request_why {
	KRG_WHY_POLICY = 0,		/* a policy (krg_migrate(), POLICY) */
	KRG_WHY_USER = 1,		/* a user (migrate(1), /dev/krg) */
	KRG_WHY_DISTANT_FORK = 2,	/* the placement hook, at fork */
};

/* How it ended; exactly one per request. */
enum krg_request_outcome {
	KRG_REQUEST_PENDING = 0,	/* not yet (START events) */
	KRG_REQUEST_DONE = 1,
	KRG_REQUEST_REFUSED = 2,	/* a check said no; @error why */
	KRG_REQUEST_FAILED = 3,		/* tried, or gave up; @error */
};

/* The longest asking scheduler's name an event carries (truncated). */
#define KRG_REQUEST_WHO_LEN	32

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
 * krg_migrate_request - ask for @p's thread group to move to @node.
 * @who: the asking scheduler's name for the events (copied, truncated to
 *	KRG_REQUEST_WHO_LEN - 1), or NULL
 * @id: if not NULL, the request's id (0 when there is no request: the
 *	-EALREADY case)
 *
 * Every call that names a task and has something to do is a request: one
 * refused by krg_may_migrate() at once completes REFUSED with that error
 * before this returns (its ABORT event comes first), one that cannot be
 * allocated completes FAILED -ENOMEM. Returns 0 when queued (the outcome
 * comes later on the notifier chain), -EALREADY if @p already runs on
 * @node (no request, no event), or the error it completed with. Any
 * context (allocates with GFP_ATOMIC).
 */
int krg_migrate_request(struct task_struct *p, int node,
			enum krg_migrate_origin origin, const char *who,
			u64 *id);

/* krg_migrate_request() without a name or an id. */
int krg_migrate(struct task_struct *p, int node,
		enum krg_migrate_origin origin);

/* The notifier chain's action: what happened to a request. */
enum krg_migration_kind {
	KRG_MIGRATION_START = 1,	/* a migration is being carried out */
	KRG_MIGRATION_END = 2,		/* a migration completed DONE */
	KRG_MIGRATION_ABORT = 3,	/* a migration completed REFUSED/FAILED */
	KRG_PLACEMENT_END = 4,		/* a placement completed (@outcome) */
};

/**
 * struct krg_migration_event - one event of a request
 * @kind: the chain's action (enum krg_migration_kind)
 * @pid: the task's thread group id, init namespace (a placement: the child)
 * @from: node before (KRG_NODE_NONE if unknown)
 * @to: requested node
 * @error: -errno for REFUSED and FAILED, else 0
 * @time_ns: ktime_get_ns() of the event
 * @queued_ns: when the request was made
 * @id: the request's handle; every event of one request has the same
 * @request: enum krg_request_kind
 * @why: enum krg_request_why
 * @outcome: enum krg_request_outcome (PENDING for START)
 * @who: the asking scheduler's name, "" if none; valid during the call
 *
 * A request has at most one START (migrations only: when the backend
 * begins) and exactly one END, ABORT or PLACEMENT_END.
 */
struct krg_migration_event {
	enum krg_migration_kind kind;
	pid_t pid;
	int from;
	int to;
	int error;
	u64 time_ns;
	u64 queued_ns;
	u64 id;
	enum krg_request_kind request;
	enum krg_request_why why;
	enum krg_request_outcome outcome;
	const char *who;
};

/*
 * The chain is atomic: callbacks get (kind, struct krg_migration_event *)
 * and must not sleep. A placement's completion may be announced from the
 * fork tracepoint itself.
 */
int krg_migration_register_notifier(struct notifier_block *nb);
int krg_migration_unregister_notifier(struct notifier_block *nb);

/*
 * Distant fork placement. When a task forks with DISTANT_FORK in its
 * effective set, krg.ko asks the registered placement hook where the child
 * goes, before the child first runs. @place runs in atomic context (the fork
 * tracepoint) and returns a node id, or KRG_NODE_NONE for "no decision"
 * (the child stays where the kernel puts it). A node makes a placement
 * request; the child does not run in user space until it completes, or
 * until krg.place_wait_ms have passed (then it runs where it is and the
 * request completes FAILED -ETIMEDOUT). Only one hook at a time (the
 * scheduler core's); krg_placement_unregister() waits for running calls.
 */
struct krg_placement_ops {
	int (*place)(struct task_struct *parent, struct task_struct *child);
	/*
	 * Optional, called instead of @place if set: the same, and the name
	 * of whoever decided (the scheduler's) into @who, a buffer of
	 * KRG_REQUEST_WHO_LEN bytes that starts empty; the placement request
	 * and its event carry it.
	 */
	int (*place_who)(struct task_struct *parent, struct task_struct *child,
			 char *who);
};

int krg_placement_register(const struct krg_placement_ops *ops);
void krg_placement_unregister(const struct krg_placement_ops *ops);

#endif /* _KRG_MIGRATE_H */
