/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies as BPF programs, inside the core: what bpf_policy.c (the
 * struct_ops type, the policy types it registers, their instances) and
 * bpf_kfuncs.c (what the programs may call) share.
 *
 * Lifetimes:
 *  - struct krg_bpf_type: one per attached krg_policy_ops map, from reg() to
 *    unreg(), registered as a policy type. Owned by its registry entry: it
 *    is freed by the entry's release, after unreg() and after the release of
 *    the last instance (which may outlive unreg(), detached).
 *  - struct krg_bpf_inst: the private data of an instance (krg_policy.priv),
 *    from mkdir (->init) to rmdir (->exit). Detached at most once: on its
 *    first error, or when its type's link goes. A detached instance stays in
 *    configfs, deciding nothing, until rmdir.
 *
 * Locking:
 *  - krg_bpf_mutex protects krg_bpf_types, every type's @instances,
 *    @nr_instances and @dead, and every instance's @detached. Process
 *    context. Never held while waiting for an instance's detach work (which
 *    takes it); the balance work never takes it.
 *  - Programs are called under rcu_read_lock() through inst->ops, which is
 *    RCU-protected: detaching clears it, and unreg() waits for a grace
 *    period before it returns and the programs can go. Every caller checks
 *    the instance's failure in the same read-side section, so a grace
 *    period after the failure no call of it runs (the detach work waits
 *    for one before exit()).
 *  - The watchdog's timer reads running calls from per-CPU slots under
 *    krg_bpf_wd_lock; rmdir takes that lock once after its grace period,
 *    so the timer never sees a freed instance.
 */
#ifndef _KRG_SCHED_BPF_POLICY_H
#define _KRG_SCHED_BPF_POLICY_H

#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/bpf_policy.h>
#include "internal.h"

struct krg_bpf_type {
	struct krg_policy_type type;
	struct krg_policy_ops *ops;	/* the kernel's copy: valid until unreg() */
	struct list_head node;		/* krg_bpf_types */
	struct list_head instances;	/* krg_bpf_inst.node */
	unsigned int nr_instances;
	bool dead;			/* unreg() ran */
	/* Copied from ops at reg(): instances may outlive ops. */
	u64 timeout_ns;
	unsigned long timeout_jiffies;	/* the watchdog's, rounded up */
	struct krg_policy_checks checks; /* placement's: timeout, answers */
	u32 balance_ms;
	u32 migrate_rate;
	u32 flags;
	char name[KRG_BPF_NAME_LEN];
	char port_names[KRG_BPF_MAX_PORTS][KRG_BPF_NAME_LEN];
	struct krg_port_desc port_descs[KRG_BPF_MAX_PORTS];
	const struct krg_port_desc *ports[KRG_BPF_MAX_PORTS + 1];
};

struct krg_bpf_inst {
	struct krg_policy *policy;
	struct krg_bpf_type *bt;
	struct krg_policy_ops __rcu *ops;	/* NULL once detached */
	struct list_head node;		/* bt->instances, krg_bpf_mutex */
	bool detached;			/* krg_bpf_mutex */
	/*
	 * rmdir began: queue no work. Read, and the work queued, in one RCU
	 * read-side section (krg_bpf_fail()), which rmdir waits for.
	 */
	bool dying;
	u32 id;				/* unique while the core is loaded */
	struct delayed_work balance_work;
	struct work_struct detach_work;
	/* Migration requests: a window of one second; @lock, any context. */
	spinlock_t lock;
	u64 window_start_ns;
	u32 window_count;
	/*
	 * The last task bpf_iter_krg_task_next() gave this instance: only
	 * compared, never dereferenced (WRITE_ONCE/READ_ONCE). A task the
	 * iterator gave that is no longer in the process set left it by its
	 * owner's doing (setsid, setpgid, a cgroup move): a refusal, not the
	 * program's error.
	 */
	const struct task_struct *iter_task;
	/*
	 * The programs' own state (krg_bpf_policy_data()), zeroed at mkdir,
	 * never read by the core. The programs synchronise their accesses.
	 */
	u64 data[KRG_BPF_DATA_SIZE / sizeof(u64)];
};

extern struct mutex krg_bpf_mutex;

static inline struct krg_bpf_inst *krg_bpf_inst(struct krg_policy *policy)
{
	return policy->inst.priv;
}

__printf(3, 4)
void krg_bpf_fail(struct krg_bpf_inst *inst, int kind, const char *fmt, ...);
void krg_bpf_kfuncs_set_ops_btf(const struct btf *btf);

#endif /* _KRG_SCHED_BPF_POLICY_H */
