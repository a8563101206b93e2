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
 * @migrate: carry out the migration of @p's thread group to @node. Called
 *	by the migration worker, in process context (may sleep), with a
 *	reference on @p, after krg_may_migrate()'s checks passed again and
 *	START was announced. 0 once every thread runs on @node, else -errno
 *	(announced as ABORT)
 * @place_child: put @child, forked by a task with DISTANT_FORK, on the
 *	online @node before it first runs in user space; @home is the node
 *	its parent was put on (or KRG_NODE_NONE). Atomic context (the fork
 *	tracepoint: preemption off, RCU held, @child is TASK_NEW and its
 *	entry is hashed): no sleeping, GFP_ATOMIC. True if @child is placed
 *	(krg.ko records @node in its entry), false if it stays where the
 *	kernel put it
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
	int (*migrate)(struct task_struct *p, int node);
	bool (*place_child)(struct task_struct *child, int node, int home);
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
ssize_t krg_cluster_show(char *buf);
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

/* hooks.c: fork and exit tracepoints, distant fork */
int krg_hooks_init(void);
void krg_hooks_uninit(void);
bool krg_fail_spare_alloc(void);
void krg_fork_stats(unsigned long *no_entry, unsigned long *not_placed);
/* The place_child op of the numa and test backends: the child's affinity. */
bool krg_affinity_place_child(struct task_struct *child, int node, int home);

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
/* The migrate op of the numa and test backends: the group's CPU affinity. */
int krg_affinity_migrate(struct task_struct *p, int node);

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
