/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policies as BPF programs: the struct_ops type krg_policy_ops.
 *
 * A BPF object defines one or more maps of this type (SEC(".struct_ops.link"))
 * and `krgpolicy load` attaches them. Each attached map becomes a policy type
 * named @name: `mkdir schedulers/<s>/<name>` instantiates it exactly like a
 * module policy, with the ports it declares; the core calls the callbacks
 * below for that instance. BPF programs see this type, the kfuncs and the
 * iterators through the module's BTF (bpf/krg_policy.bpf.h).
 *
 * Every callback gets the instance, @policy, an opaque handle to pass to the
 * kfuncs. Callbacks run under rcu_read_lock() and must not sleep (sleepable
 * programs are refused). All are optional.
 *
 * Safety, in the manner of sched_ext: the core checks everything a program
 * asks for. The first error of an instance wins and is recorded (kind and
 * message, shown in its scheduler's `status`); the instance is then detached:
 * exit() is called, no other callback is, and the scheduler falls back to
 * "no decision" until the instance is removed with rmdir. Errors are only
 * what the program controls: a callback returning a negative errno, a node
 * that is not an online node of the node set, a migration asked for a task
 * outside the process set or a kernel thread, krg_bpf_error(), and a
 * callback running longer than @timeout_ms (the watchdog notices while it
 * runs: no other call enters the instance from then on, and it is detached
 * once the running call returns). A migration refused for what the task's
 * owner controls (no CAN_MIGRATE, pinned, ptraced, exiting) is returned to
 * the program and counted in stats, never an error. Detaching the BPF link
 * (krgpolicy unload) detaches every instance the same way, with the exit
 * kind "unloaded"; the processes of the scheduler keep running where they
 * are.
 */
#ifndef _KRG_BPF_POLICY_H
#define _KRG_BPF_POLICY_H

#include <linux/types.h>

struct krg_policy;
struct task_struct;

/* Longest policy, port and value type name, with the terminating NUL. */
#define KRG_BPF_NAME_LEN	32
/* Most ports a BPF policy declares. */
#define KRG_BPF_MAX_PORTS	8
/* A callback may run this long by default before the watchdog detaches it. */
#define KRG_BPF_TIMEOUT_MS	50
/*
 * Longest timeout_ms accepted: callbacks run with preemption disabled (on
 * the fork path) or under RCU, and a module cannot stop a running program.
 */
#define KRG_BPF_TIMEOUT_MAX_MS	50
/* Shortest balance period. */
#define KRG_BPF_BALANCE_MIN_MS	10
/* Bytes of state each instance has for its programs (krg_bpf_policy_data). */
#define KRG_BPF_DATA_SIZE	64
/* Default and largest migrate_rate (requests per second and instance). */
#define KRG_BPF_MIGRATE_RATE	100
#define KRG_BPF_MIGRATE_RATE_MAX 100000

/**
 * struct krg_bpf_port - a port a BPF policy declares.
 * @name: directory name of the port under the policy's directory
 * @type: value type it accepts: "u64", "s64" or "u64(pid_t)" (a u64 read
 *	  with a pid, e.g. mosix_probe's process_load); any source of that
 *	  type may be linked
 */
struct krg_bpf_port {
	char name[KRG_BPF_NAME_LEN];
	char type[KRG_BPF_NAME_LEN];
};

/* krg_policy_ops.flags */
enum krg_bpf_ops_flags {
	/* A value pushed on any port runs balance() soon (besides the period). */
	KRG_BPF_BALANCE_ON_UPDATE	= 1 << 0,
	KRG_BPF_ALL_FLAGS		= KRG_BPF_BALANCE_ON_UPDATE,
};

/**
 * struct krg_policy_ops - a policy written as BPF programs.
 *
 * @init: a new instance, @policy, is being created by mkdir. Return 0, or
 *	a negative errno to make the mkdir fail with it.
 * @exit: the instance is going (rmdir) or detached (an error, or the BPF
 *	link went away); no callback of @policy is called after this.
 * @new_task_node: distant-fork placement: @child of @parent (both trusted)
 *	is about to run for the first time. Return a node of the scheduler's
 *	node set that is online, or -1 for no decision. Any other answer is
 *	an error that detaches the instance. Runs in the fork path: keep it
 *	short.
 * @balance: called every @balance_ms in a worker (and soon after a port
 *	update with KRG_BPF_BALANCE_ON_UPDATE): look at the ports and the
 *	process set, and ask for migrations with krg_bpf_migrate(). Return 0,
 *	or a negative errno (an error).
 * @update_node_set: the scheduler's node set changed (the node iterator
 *	already walks the new set).
 * @update: port @port (its index) was pushed new values, in the pushing
 *	source's context (atomic, under RCU): e.g. recompute an answer that
 *	new_task_node then gives without reading every node. Keep it short.
 * @balance_ms: period of @balance, at least KRG_BPF_BALANCE_MIN_MS; 0: no
 *	periodic balance.
 * @timeout_ms: a callback running longer than this detaches the instance
 *	(watchdog); 0: KRG_BPF_TIMEOUT_MS; at most KRG_BPF_TIMEOUT_MAX_MS (more
 *	is refused with E2BIG).
 * @migrate_rate: most migration requests per second an instance may make;
 *	more are refused with -EAGAIN; 0: KRG_BPF_MIGRATE_RATE.
 * @flags: enum krg_bpf_ops_flags.
 * @name: the policy type name (letters, digits, '_' and '-'); must not be
 *	in use by another policy type.
 * @ports: the ports, in order (krg_bpf_port_read() takes the index); the
 *	first entry with an empty name ends the list.
 */
struct krg_policy_ops {
	s32 (*init)(struct krg_policy *policy);
	void (*exit)(struct krg_policy *policy);
	s32 (*new_task_node)(struct krg_policy *policy,
			     struct task_struct *parent,
			     struct task_struct *child);
	s32 (*balance)(struct krg_policy *policy);
	void (*update_node_set)(struct krg_policy *policy);
	void (*update)(struct krg_policy *policy, u32 port);
	u32 balance_ms;
	u32 timeout_ms;
	u32 migrate_rate;
	u32 flags;
	char name[KRG_BPF_NAME_LEN];
	struct krg_bpf_port ports[KRG_BPF_MAX_PORTS];
};

/*
 * Why an instance was detached (its exit kind); as in sched_ext, kinds below
 * 1024 are normal ends, 1024 and above are errors.
 */
enum krg_policy_exit_kind {
	KRG_EXIT_NONE		= 0,
	KRG_EXIT_UNLOADED	= 1,	/* the BPF link was detached */
	KRG_EXIT_ERROR		= 1024,	/* a callback failed, krg_bpf_error() */
	KRG_EXIT_ERROR_BAD_NODE	= 1025,	/* a node outside the node set */
	KRG_EXIT_ERROR_FORBIDDEN = 1026, /* a task outside its set, a kthread */
	KRG_EXIT_ERROR_WATCHDOG	= 1027,	/* a callback ran past timeout_ms */
};

#endif /* _KRG_BPF_POLICY_H */
