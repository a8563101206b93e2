/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of krg.ko, and only them. */
#ifndef _KRG_INTERNAL_H
#define _KRG_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/workqueue.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <krg/caps.h>
#include <krg/migrate.h>
#include <krg/nodes.h>

/* State of a request (struct krg_request.state); it only moves forward. */
enum {
	KRG_REQ_STATE_PENDING,		/* asked, not carried out yet */
	KRG_REQ_STATE_STARTED,		/* the backend began: no timeout now */
	KRG_REQ_STATE_COMPLETED,	/* outcome set (or being set), final */
};

/**
 * struct krg_request - a migration or a placement, asked to completed
 * @id: the handle, unique and increasing while krg.ko is loaded
 * @kind: migration or placement
 * @why: who asked
 * @pid: the task named by the request (a placement: the child), counted
 * @tgid: its thread group id in the initial namespace, for the events
 * @from: its node when asked (the migration worker refreshes it before
 *	the backend begins), KRG_NODE_NONE if unknown
 * @to: the destination
 * @who: the asking scheduler's name, "" if none
 * @queued_ns: when it was asked
 * @ref: references, see below
 * @state: KRG_REQ_STATE_*, moved by cmpxchg only
 * @outcome: enum krg_request_outcome, written once by the completing call
 * @error: 0 or the reason, written with @outcome
 * @done: completed (complete_all()) once @outcome is set and announced
 * @work: a migration: the worker that has the backend carry it out
 * @origin: a migration: krg_migrate_origin of the asker
 * @hold: a placement: the held child's task_work
 *
 * Lifetime: a kref. Its maker holds one reference and hands it on (to
 * the migration worker, to the held child's task_work) or puts it; a
 * waiter (KRG_IOC_MIGRATE without NOWAIT) holds one while it waits; a
 * backend that completes later holds one from krg_request_get() until it
 * has called krg_request_complete(). The last put frees it, in any context.
 *
 * Exactly one completion: krg_request_complete() wins the move of @state
 * to COMPLETED (from PENDING or STARTED) and only then writes @outcome and
 * @error, runs the kind's finish, announces and completes @done; readers
 * of @outcome wait for @done first. krg_request_begin() moves PENDING to
 * STARTED: a timeout (a held child's bounded wait) completes only a
 * request still PENDING, so a backend that began may still finish its
 * move and a backend that lost never moves the task. No lock is held
 * across any of this.
 */
struct krg_request {
	u64 id;
	enum krg_request_kind kind;
	enum krg_request_why why;
	struct pid *pid;
	pid_t tgid;
	int from;
	int to;
	char who[KRG_REQUEST_WHO_LEN];
	u64 queued_ns;
	struct kref ref;
	atomic_t state;
	enum krg_request_outcome outcome;
	int error;
	/* Set by the completion that wins, before done; "" if none said. */
	char reason[KRG_REASON_LEN];
	struct completion done;
	union {
		struct {
			struct work_struct work;
			enum krg_migrate_origin origin;
		};
		struct callback_head hold;
	};
};

/**
 * struct krg_node_backend - what a node is, and how a process gets onto one
 * @name: for people (/sys/kernel/krg/backend, the load message); no code
 *	branches on it
 * @init: at load, before any other part of krg.ko, in process context:
 *	fill @possible and @measured (the nodes whose values this machine
 *	measures; the others' come from the value cache, filled by the node
 *	agent; both fixed until @uninit), then start keeping the online set
 *	with krg_nodes_set_online(), which it has called once before it
 *	returns. 0 or -errno
 * @uninit: at unload, last, in process context: stop keeping the online
 *	set
 * @local_node: the node of the CPU this code runs on. Any context; a
 *	preemptible caller may be moved at once (the answer is a hint)
 * @task_node: the node @p runs on (for a task that slept since its
 *	affinity moved, where it runs next). Any context; the caller holds
 *	RCU or a reference on @p
 * @node_cpus: the CPUs of this machine that make up @node (a valid id,
 *	online or not), or NULL if it has none here (a node that is another
 *	machine). Nodes may share CPUs. The mask lives as long as krg.ko.
 *	Any context
 * @node_mem: the memory of @node, measured here: 0, -ENODATA (no memory
 *	of its own) or -EOPNOTSUPP (not measured here). Only called for an
 *	online node. Any context, no lock taken
 * @numa_node: the NUMA node of this machine that holds @node's memory
 *	(where migrate(1) moves a process's pages), or NUMA_NO_NODE if its
 *	memory is not here. Any context
 * @migrate: carry out @req, the migration of @p's thread group to
 *	@req->to. Called by the migration worker, in process context (may
 *	sleep), with a reference on @p, after krg_may_migrate()'s checks
 *	passed again. The backend calls krg_request_begin() when it starts
 *	(START) and krg_request_complete() exactly once, before it returns
 *	or later from any process context (holding its own reference from
 *	krg_request_get() meanwhile): DONE once every thread runs on the
 *	node, else FAILED (or REFUSED) with the error
 * @place_child: carry out @req, the placement of @child, forked by a task
 *	with DISTANT_FORK, on the online node @req->to before it first runs
 *	in user space; @home is the node its parent was put on (or
 *	KRG_NODE_NONE). Atomic context (the fork tracepoint: preemption
 *	off, RCU held, @child is TASK_NEW and its entry is hashed): no
 *	sleeping, GFP_ATOMIC. The backend completes @req exactly once: at
 *	once (DONE: @child is placed, krg.ko records the node; REFUSED: it
 *	stays where the kernel put it), or later from another context with
 *	its own reference: until then @child waits before its first user
 *	instruction, at most krg.place_wait_ms, after which it runs where it
 *	is and @req is FAILED -ETIMEDOUT. A backend that moves @child later
 *	calls krg_request_begin() first and moves it only if that returns
 *	true
 *
 * One backend is selected at load (krg_nodes_init()) and stays until
 * unload; every op is mandatory. The possible and online sets themselves
 * are kept by nodes.c, so that readers get one consistent snapshot from any
 * context whatever the backend.
 */
struct krg_node_backend {
	const char *name;
	int (*init)(struct krg_nodemask *possible,
		    struct krg_nodemask *measured);
	void (*uninit)(void);
	int (*local_node)(void);
	int (*task_node)(struct task_struct *p);
	const struct cpumask *(*node_cpus)(int node);
	int (*node_mem)(int node, struct krg_node_mem *out);
	int (*numa_node)(int node);
	void (*migrate)(struct krg_request *req, struct task_struct *p);
	void (*place_child)(struct krg_request *req, struct task_struct *child,
			    int home);
};

/* nodes.c: the node map, whatever the backend */
extern const struct krg_node_backend *krg_backend;

int krg_nodes_init(void);
void krg_nodes_uninit(void);
void krg_nodes_set_online(const struct krg_nodemask *online);
const struct cpumask *krg_node_cpumask(int node);

/* numa.c: the numa and test backends (CPU-affinity nodes of this machine) */
const struct krg_node_backend *krg_numa_select(void);
bool krg_test_nodes_requested(void);

/* cluster.c: the cluster backend (machines of a corosync cluster) */
struct sk_buff;
struct genl_info;
extern const struct krg_node_backend krg_backend_cluster;
bool krg_cluster_selected(void);
int krg_cluster_membership(struct sk_buff *skb, struct genl_info *info);
int krg_cluster_migrate_begin(struct sk_buff *skb, struct genl_info *info);
int krg_cluster_dry_run(struct task_struct *p, int node, char *reason);
int krg_cluster_migrate_done(struct sk_buff *skb, struct genl_info *info);
ssize_t krg_cluster_show(char *buf);
void krg_cluster_nodes_present(struct krg_nodemask *out);
int krg_cluster_events_init(void);
void krg_cluster_events_uninit(void);
bool krg_cluster_stale(void);

/* procnodes.c: /proc/nodes (cluster backend) */
int krg_procnodes_init(void);
void krg_procnodes_uninit(void);
int krg_procnodes_info(struct sk_buff *skb, struct genl_info *info);

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
bool krg_caps_valid(const struct krg_caps *c);
int krg_caps_restore(struct task_struct *p, const struct krg_caps *c);

/* state.c: a task's record, the ops the core lends */
bool krg_state_valid(const struct krg_state *st);
int krg_state_get(struct task_struct *p, struct krg_state *st);
int krg_state_set(struct task_struct *p, const struct krg_state *st);

/* request.c: the request object and the notifier chain */
int krg_request_init(void);
void krg_request_uninit(void);
u64 krg_request_next_id(void);
void krg_request_event(struct krg_migration_event *ev,
		       enum krg_migration_kind kind);
struct krg_request *krg_request_new(enum krg_request_kind kind,
				    enum krg_request_why why,
				    struct task_struct *p, int from, int to,
				    const char *who, gfp_t gfp);
struct krg_request *krg_request_get(struct krg_request *req);
void krg_request_put(struct krg_request *req);
bool krg_request_begin(struct krg_request *req);
bool krg_request_complete(struct krg_request *req,
			  enum krg_request_outcome outcome, int err);
bool krg_request_complete_why(struct krg_request *req,
			      enum krg_request_outcome outcome, int err,
			      const char *reason);
bool krg_request_completed(struct krg_request *req);
int krg_request_wait(struct krg_request *req);

/* hooks.c: fork and exit tracepoints, distant fork */
int krg_hooks_init(void);
void krg_hooks_uninit(void);
bool krg_fail_spare_alloc(void);
void krg_fork_stats(unsigned long *no_entry, unsigned long *not_placed);
/* The place_child op of the numa and test backends: the child's affinity. */
void krg_affinity_place_child(struct krg_request *req,
			      struct task_struct *child, int home);
/* The same, carried out from a worker after @delay_ms (test backend). */
void krg_affinity_place_later(struct krg_request *req,
			      struct task_struct *child, int home,
			      unsigned int delay_ms);
/* A placement completed (request.c): record the node if it is done. */
void krg_placement_finish(struct krg_request *req);

/* migrate.c */
int krg_migrate_init(void);
void krg_migrate_uninit(void);
int krg_migrate_queue(struct task_struct *p, int node,
		      enum krg_migrate_origin origin, const char *who,
		      u64 *id, struct krg_request **waiter);
/* A migration completed (request.c): counters, the node, the busy bit. */
void krg_migration_finish(struct krg_request *req);
void krg_migration_stats(u64 *requested, u64 *done, u64 *aborted);
int krg_migrate_check(struct task_struct *p, int node);
int krg_migrate_record(struct task_struct *p, int node);
bool krg_cpu_isolated(int cpu);
bool krg_node_usable(int node, struct cpumask *dst);
bool krg_task_unconfined(struct task_struct *p);
/* The migrate op of the numa and test backends: the group's CPU affinity. */
void krg_affinity_migrate(struct krg_request *req, struct task_struct *p);

/* dev.c: /dev/krg */
int krg_dev_init(void);
void krg_dev_uninit(void);

/* sysfs.c */
extern struct kobject *krg_kobj;
int krg_sysfs_init(void);
void krg_sysfs_uninit(void);

/* genl.c: the generic netlink family "krg" */
int krg_genl_init(void);
void krg_genl_uninit(void);

#endif /* _KRG_INTERNAL_H */
