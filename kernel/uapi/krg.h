/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * krg.h - the user ABI of krg.ko, the krgsched SSI layer.
 *
 * Shared by the kernel modules and tools/libkrg; nothing else may define these
 * numbers. Three parts:
 *
 *  - /sys/kernel/krg/ (read-only): abi_version, backend, nodes_possible,
 *    nodes_online, nodes_present, local_node, node<N>/{cpulist,online},
 *    cap_supported, task_entries, migrations, forks and cluster; node<N>/
 *    also has numa_node and measured. Node lists use the kernel's list
 *    format ("0-3,5"). nodes_present is, with the cluster backend, the
 *    present set the agent reported last (corosync's members, of which
 *    the online ones are those in krgsched's use; this machine alone
 *    before a report), and the online set with the others. cap_supported
 *    is the mask of the capabilities the kernel implements, in
 *    hexadecimal with a 0x prefix ("0x17"). task_entries is
 *    the number of tasks krg.ko keeps state for (decimal): those whose sets
 *    are not the defaults, or that it placed on a node. migrations holds
 *    three lines "requested N", "done N", "aborted N": migrations queued,
 *    carried out, and failed after being queued, since krg.ko was loaded.
 *    forks holds "no_entry N" (children of kernel threads or workers left
 *    without an entry for lack of memory: they never run user code) and
 *    "not_placed N" (distant forks not placed because the node's CPUs were
 *    outside the child's cpuset or affinity, or it was pinned by hand).
 *  - /dev/krg (mode 0666; each request checks the caller's rights): the
 *    ioctls below. Every ioctl takes a struct whose first member is its size,
 *    so the structs can grow at their end without a new number: the kernel
 *    matches the command without its size bits, refuses a size smaller than
 *    it knows (EINVAL), and accepts a larger one only if the bytes it does
 *    not know are zero (else E2BIG). A bad pointer gives EFAULT, an unknown
 *    command ENOTTY, a non-zero reserved member or an unknown flag EINVAL.
 *  - the generic netlink family "krg" (below): the channel between the
 *    kernel and the node agent, in the initial network namespace only,
 *    every command for CAP_NET_ADMIN.
 *
 * abi_version is KRG_ABI_VERSION. It changes whenever a number or a layout
 * here changes incompatibly; libkrg refuses to talk to a different one.
 */
#ifndef _UAPI_LINUX_KRG_H
#define _UAPI_LINUX_KRG_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define KRG_ABI_VERSION		1

#define KRG_DEVICE		"/dev/krg"
#define KRG_SYSFS_DIR		"/sys/kernel/krg"

/* Node ids are 0..KRG_MAX_NODES-1 (Kerrighed's limit). */
#define KRG_MAX_NODES		256
#define KRG_NODE_NONE		(-1)

/*
 * Kerrighed capabilities: names and bit numbers as in Kerrighed, so scripts
 * written for it keep working. A set is a bit mask of (1 << KRG_CAP_*).
 */
enum krg_cap {
	KRG_CAP_CHANGE_KERRIGHED_CAP		= 0,
	KRG_CAP_CAN_MIGRATE			= 1,
	KRG_CAP_DISTANT_FORK			= 2,
	KRG_CAP_FORK_DELAY			= 3,
	KRG_CAP_CHECKPOINTABLE			= 4,
	KRG_CAP_USE_REMOTE_MEMORY		= 5,
	KRG_CAP_USE_INTRA_CLUSTER_KERSTREAMS	= 6,
	KRG_CAP_USE_INTER_CLUSTER_KERSTREAMS	= 7,
	KRG_CAP_USE_WORLD_VISIBLE_KERSTREAMS	= 8,
	KRG_CAP_SEE_LOCAL_PROC_STAT		= 9,
	KRG_CAP_DEBUG				= 10,
	KRG_CAP_SYSCALL_EXIT_HOOK		= 11,
	KRG_CAP_NR				= 12,
};

#define KRG_CAP_BIT(cap)	(1U << (cap))
#define KRG_CAP_ALL_NAMED	((1U << KRG_CAP_NR) - 1)

/*
 * The four sets of a task (Kerrighed's krg_cap_t).
 *  permitted:		what the task may ever have in effective;
 *  effective:		what is in force now;
 *  inheritable_permitted: the permitted set of children forked from now on;
 *  inheritable_effective: the effective set of those children (masked by
 *			inheritable_permitted).
 */
struct krg_caps {
	__u32 permitted;
	__u32 effective;
	__u32 inheritable_permitted;
	__u32 inheritable_effective;
};

/* Targets of KRG_IOC_GET_CAPS / KRG_IOC_SET_CAPS. */
enum krg_target {
	KRG_TARGET_SELF		= 0,	/* the caller */
	KRG_TARGET_PARENT	= 1,	/* the caller's parent (krgcapset's default) */
	KRG_TARGET_PID		= 2,	/* the process whose pid is @pid */
};

/*
 * KRG_IOC_GET_CAPS and KRG_IOC_SET_CAPS need the caller to own the target
 * (its effective uid is the target's real or effective uid) or to have
 * CAP_SYS_ADMIN, else EPERM; ESRCH if there is no such process. SET
 * follows Kerrighed's rules, in this order: EINVAL unless effective and
 * inheritable_permitted are within permitted and inheritable_effective is
 * within inheritable_permitted; ENOSYS if permitted holds a capability the
 * kernel does not implement (cap_supported); EPERM as above, or if the
 * target lacks CHANGE_KERRIGHED_CAP in its effective set. The new permitted
 * set is the old one intersected with the requested one, and the three
 * other sets are cut to it: permitted never grows. Both give EAGAIN for a
 * process that is being created (found by pid before it inherited its
 * sets at fork): try again.
 */
struct krg_cap_req {
	__u32 size;		/* sizeof(struct krg_cap_req) */
	__u32 target;		/* enum krg_target */
	__s32 pid;		/* KRG_TARGET_PID only, else 0 */
	__u32 reserved;		/* must be 0 */
	struct krg_caps caps;	/* out for GET, in for SET */
};

/* The longest reason a migration request gives back, with its NUL. */
#define KRG_REASON_LEN		256

/* Flags of struct krg_migrate_req (at most one of them). */
#define KRG_MIGRATE_NOWAIT	(1U << 0)	/* return once queued */
#define KRG_MIGRATE_CHECK	(1U << 1)	/* only check; the caller moves */
#define KRG_MIGRATE_RECORD	(1U << 2)	/* the caller moved it: record */
#define KRG_MIGRATE_DRY_RUN	(1U << 3)	/* every check, no move */
#define KRG_MIGRATE_ALL		(KRG_MIGRATE_NOWAIT | KRG_MIGRATE_CHECK | \
				 KRG_MIGRATE_RECORD | KRG_MIGRATE_DRY_RUN)

/*
 * KRG_IOC_MIGRATE: move the thread group of @pid to @node, like a user with
 * the right to (its owner or CAP_SYS_ADMIN, else EPERM): a CPU affinity set
 * by hand is overridden. Without KRG_MIGRATE_NOWAIT it returns once the
 * migration is done, with its error if it failed (EINTR if the caller is
 * killed meanwhile). Errors: ESRCH (no such process, or exiting), EACCES (no
 * CAN_MIGRATE in its effective set), EBUSY (ptraced or already migrating),
 * EINVAL (kernel thread, node out of range, or every CPU of the node is
 * isolated), EHOSTDOWN (node offline). A process already within @node's
 * CPUs is not an error. Each call that has something to do is a request
 * of krg.ko (docs/requests.md) and is announced in the kernel with its id,
 * refused ones included; the id is not returned here.
 *
 * krg.ko cannot apply what sched_setaffinity(2) applies (the cpuset, the
 * LSM hook, SCHED_DEADLINE admission, isolated CPUs): without flags it
 * moves only a process that none of them can concern, i.e. whose threads
 * are all in the root cpuset, not SCHED_DEADLINE and not on isolated CPUs,
 * and never onto an isolated CPU; any other process gives EPERM. Such a
 * process is moved the way migrate(1) moves every process:
 *  KRG_MIGRATE_CHECK: check every rule above but those (no move), then
 *	the caller sets the affinity of every thread (/proc/PID/task) to the
 *	node's CPUs (/sys/kernel/krg/node<N>/cpulist) with sched_setaffinity,
 *	where the kernel applies them with the caller's credentials;
 *  KRG_MIGRATE_RECORD: the same checks, then if every thread runs within
 *	the node's CPUs krg.ko records the node (the process is not "pinned
 *	by hand" there), announces and counts the migration; EAGAIN if a
 *	thread is not (one was created or changed meanwhile: move it, ask
 *	again).
 *  KRG_MIGRATE_DRY_RUN: KRG_MIGRATE_CHECK's checks, then, for a node that
 *	is another machine (cluster backend), the node agent's on this
 *	machine and on the target (what CRIU cannot carry, versions, the pid
 *	free there, ...), nothing frozen or moved: 0, or the first reason's
 *	error with every reason in @reason ("; " between them). ETIMEDOUT
 *	if the agent does not answer within 30 s.
 */
struct krg_migrate_req {
	__u32 size;		/* sizeof(struct krg_migrate_req) */
	__u32 flags;		/* KRG_MIGRATE_* */
	__s32 pid;		/* process (thread group) to move */
	__s32 node;		/* destination node id */
	/*
	 * Out (since 0.2; a caller passing the first 16 bytes only gets
	 * none): why a waited-for migration was refused or failed, as the
	 * backend said it (the cluster's node agent: "pid 123 is taken on
	 * node 2"), NUL-terminated; "" when it said nothing.
	 */
	char reason[KRG_REASON_LEN];
};

/*
 * A task's krg state as a record that outlives the task: what the node
 * agent saves with a process it checkpoints (CRIU) and gives back to the
 * process restored from it, here or on another machine.
 *
 * A membership names the scheduler by its configfs name
 * (schedulers/<name>), the one handle that means the same thing once the
 * process is gone and on every machine of the cluster (the configuration
 * tree is the same everywhere); its kind says which member directory
 * names the process. Only pid members (single_processes/<pid>) travel:
 * a process group, a session or a cgroup names more than the process and
 * is restored with them, not with it.
 *
 * The record has a fixed size and no pointers. KRG_IOC_SET_STATE refuses
 * with EINVAL a record whose size or version is not this one's, unknown
 * flags, more than KRG_STATE_MAX_MEMBERSHIPS memberships, a membership of
 * an unknown kind or with a non-zero reserved member, a scheduler name
 * that is empty, longer than KRG_STATE_NAME_MAX, ".", "..", holds a '/'
 * or is not zero-padded, a non-zero unused membership slot, and sets that
 * break Kerrighed's rules (see KRG_IOC_SET_CAPS) or hold a capability
 * outside cap_supported.
 */
#define KRG_STATE_VERSION		1
#define KRG_STATE_MAX_MEMBERSHIPS	16
#define KRG_STATE_NAME_MAX		64	/* a scheduler name, without NUL */

/* Kinds of struct krg_state_membership. */
#define KRG_STATE_MEMBER_PID		1	/* process_set/single_processes/<pid> */

struct krg_state_membership {
	char scheduler[KRG_STATE_NAME_MAX + 8];	/* NUL-terminated, zero-padded */
	__u32 kind;				/* KRG_STATE_MEMBER_* */
	__u32 reserved;				/* must be 0 */
};

struct krg_state {
	__u32 size;		/* sizeof(struct krg_state) */
	__u32 version;		/* KRG_STATE_VERSION */
	__u32 flags;		/* none defined yet: 0 */
	__u32 nr_memberships;	/* used slots of memberships, from the first */
	struct krg_caps caps;	/* the four sets */
	struct krg_state_membership memberships[KRG_STATE_MAX_MEMBERSHIPS];
};

/*
 * KRG_IOC_GET_STATE: the record of the target (as for KRG_IOC_GET_CAPS,
 * with the same permission: owner or CAP_SYS_ADMIN, else EPERM; ESRCH,
 * EAGAIN likewise). Its memberships are the schedulers whose
 * single_processes has the target's thread group, in creation order; none
 * while krg_scheduler.ko is not loaded. E2BIG if it has more than
 * KRG_STATE_MAX_MEMBERSHIPS.
 *
 * KRG_IOC_SET_STATE: the target's sets become the record's, whatever they
 * were (permitted may grow: that is why it is for root only). EPERM
 * without CAP_SYS_ADMIN in the initial user namespace, before anything
 * else is looked at; then EINVAL for a bad record (above) or target,
 * ESRCH if there is no such process, EINVAL for a kernel thread or worker,
 * EOPNOTSUPP if the record has memberships and krg_scheduler.ko is not
 * loaded, ENOENT if a scheduler it names does not exist, EAGAIN for a
 * process being created. On error nothing changed. The memberships are
 * checked, not made: configfs items are only made by mkdir(2), so the
 * caller then makes schedulers/<name>/process_set/single_processes/<pid>
 * for each (libkrg's krg_state_restore() does both).
 */
struct krg_state_req {
	__u32 size;		/* sizeof(struct krg_state_req) */
	__u32 target;		/* enum krg_target */
	__s32 pid;		/* KRG_TARGET_PID only, else 0 */
	__u32 reserved;		/* must be 0 */
	struct krg_state state;	/* out for GET, in for SET */
};

#define KRG_IOC_MAGIC		0xb7
#define KRG_IOC_GET_CAPS	_IOWR(KRG_IOC_MAGIC, 1, struct krg_cap_req)
#define KRG_IOC_SET_CAPS	_IOW(KRG_IOC_MAGIC, 2, struct krg_cap_req)
#define KRG_IOC_MIGRATE		_IOW(KRG_IOC_MAGIC, 3, struct krg_migrate_req)
#define KRG_IOC_GET_STATE	_IOWR(KRG_IOC_MAGIC, 4, struct krg_state_req)
#define KRG_IOC_SET_STATE	_IOW(KRG_IOC_MAGIC, 5, struct krg_state_req)

/*
 * The generic netlink family KRG_GENL_NAME, version KRG_GENL_VERSION. Its
 * attributes are validated strictly: an unknown attribute, a string or
 * value too long, or a node id out of range is EINVAL (or ERANGE) with an
 * extended ack message.
 *
 * KRG_CMD_VALUE_SET (agent -> kernel): node NODE published VALUE for
 *	probes/PROBE/SOURCE, AGE_MS old when sent (optional, 0). It fills
 *	that entry of the value cache and tells the source's subscribers.
 *	ENOENT: no such probe or source; EINVAL: NODE is measured on this
 *	machine (its values are read here), the source takes a parameter, or
 *	VALUE is not a whole number of values; EHOSTDOWN: NODE is offline;
 *	EOPNOTSUPP: krg_scheduler.ko is not loaded.
 * KRG_CMD_MEMBERSHIP (agent -> kernel, cluster backend): corosync's
 *	membership as the agent sees it: NODES, a bitmap of krg node ids
 *	(KRG_MAX_NODES bits, bit n of byte n / 8: a krg id is the corosync
 *	nodeid - 1), QUORATE (u8), RING_ID (u64, optional) and PRESENT
 *	(optional, a bitmap as NODES: the members of corosync's membership,
 *	NODES being those of them in krgsched's use; default: NODES). NODES
 *	becomes the online set, PRESENT /sys/kernel/krg/nodes_present; the
 *	membership is "stale" once the agent's socket is closed, until a
 *	report comes again (/sys/kernel/krg/cluster).
 *	EINVAL: a node not in krg.cluster_nodes, this machine not in NODES,
 *	a node of NODES not in PRESENT, NODES or PRESENT not
 *	KRG_MAX_NODES / 8 bytes; EOPNOTSUPP: krg.ko does not run the cluster
 *	backend.
 * KRG_CMD_NODE_INFO (agent -> kernel, cluster backend): what NODE
 *	published of itself, for /proc/nodes/nodeN: CPUS (u32), MEM_TOTAL
 *	and MEM_FREE (u64, kB), LOADAVG (three u32: the 1, 5 and 15 minute
 *	load averages x 100). EINVAL for this node (read here); EHOSTDOWN
 *	for an offline one.
 * KRG_CMD_VALUE_GET: the value of probes/PROBE/SOURCE as seen on NODE
 *	(a measured node is read, another one's comes from the cache), in a
 *	reply with NODE, PROBE, SOURCE, VALUE and AGE_MS (how old the cached
 *	value is; 0 for a fresh read). EAGAIN: no value yet; ENODATA: none.
 * KRG_CMD_MIGRATE (kernel -> agent, cluster backend; never accepted from
 *	user space: EOPNOTSUPP): carry out the migration REQUEST_ID of the
 *	thread group PID (initial pid namespace) to NODE; ORIGIN is 1 for a
 *	user's request, 0 for a policy's. Sent to the socket of the agent
 *	that last reported the membership; the agent answers with
 *	MIGRATE_BEGIN and MIGRATE_DONE (docs/cluster.md, "Migration").
 * KRG_CMD_MIGRATE_BEGIN (agent -> kernel): the agent is about to commit
 *	REQUEST_ID (the copy on the target is restored, stopped): from now
 *	on the request waits for its DONE. ECANCELED: it already ended (its
 *	task exited, krg.ko gave up on it): the agent must abort; ENOENT:
 *	no such request handed to an agent.
 * KRG_CMD_MIGRATE_DONE (agent -> kernel): REQUEST_ID ended: ERROR 0
 *	(done: the process runs on the target), or -errno with OUTCOME
 *	(2, refused: a check said no before anything was frozen; 3, failed:
 *	tried and undone, the original runs again) and
 *	REASON (optional, a sentence for migrate(1)). ENOENT: no such request
 *	(it ended already); EINVAL: ERROR 0 before MIGRATE_BEGIN, or an
 *	OUTCOME that does not match ERROR.
 *	A MIGRATE with DRY (u8 1) is a dry run (KRG_MIGRATE_DRY_RUN): the
 *	agent only checks, and answers with MIGRATE_DONE and the same
 *	REQUEST_ID (no MIGRATE_BEGIN); ERROR 0 means it could move.
 */
#define KRG_GENL_NAME		"krg"
#define KRG_GENL_VERSION	1
#define KRG_GENL_NAME_MAX	255	/* PROBE, SOURCE, without NUL */
#define KRG_GENL_VALUE_MAX	64	/* bytes of VALUE */

enum krg_genl_cmd {
	KRG_CMD_UNSPEC,
	KRG_CMD_VALUE_SET,
	KRG_CMD_VALUE_GET,
	KRG_CMD_MEMBERSHIP,
	KRG_CMD_NODE_INFO,
	KRG_CMD_MIGRATE,
	KRG_CMD_MIGRATE_BEGIN,
	KRG_CMD_MIGRATE_DONE,
	__KRG_CMD_MAX,
};

#define KRG_CMD_MAX		(__KRG_CMD_MAX - 1)

enum krg_genl_attr {
	KRG_A_UNSPEC,
	KRG_A_NODE,		/* u32 */
	KRG_A_PROBE,		/* NUL-terminated string */
	KRG_A_SOURCE,		/* NUL-terminated string */
	KRG_A_VALUE,		/* binary: values of the source's type */
	KRG_A_AGE_MS,		/* u32 */
	KRG_A_NODES,		/* binary: KRG_MAX_NODES bits */
	KRG_A_QUORATE,		/* u8: 0 or 1 */
	KRG_A_RING_ID,		/* u64 */
	KRG_A_CPUS,		/* u32 */
	KRG_A_MEM_TOTAL,	/* u64, kB */
	KRG_A_MEM_FREE,		/* u64, kB */
	KRG_A_LOADAVG,		/* binary: three u32, x 100 */
	KRG_A_PRESENT,		/* binary: KRG_MAX_NODES bits */
	KRG_A_REQUEST_ID,	/* u64 */
	KRG_A_PID,		/* u32 */
	KRG_A_ORIGIN,		/* u8: 0 policy, 1 user */
	KRG_A_ERROR,		/* s32: 0 or -errno */
	KRG_A_OUTCOME,		/* u8: 2 refused, 3 failed */
	KRG_A_REASON,		/* NUL-terminated string, < KRG_REASON_LEN */
	KRG_A_DRY,		/* u8: 1, a dry run */
	__KRG_A_MAX,
};

#define KRG_A_MAX		(__KRG_A_MAX - 1)

#endif /* _UAPI_LINUX_KRG_H */
