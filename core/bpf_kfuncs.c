// SPDX-License-Identifier: GPL-2.0
/*
 * What a BPF policy may call (declared for the programs in
 * bpf/krg_policy.bpf.h). Every kfunc checks its arguments and can fail
 * only with an errno: none sleeps, none loops for longer than one walk of
 * the node set or of the task list, and every migration request goes
 * through the same checks as a module policy's, and more: what only the
 * program controls (a node that is not an online node of the node set, a
 * task outside the process set, a kernel thread) detaches the instance
 * (krg_bpf_fail()); what the task's owner controls (CAN_MIGRATE, pinning,
 * ptrace, exiting) is a refusal, counted in stats. Only krg_policy_ops
 * programs may call these (the filter at the end).
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <krg/migrate.h>
#include "bpf_policy.h"

/* The node iterator: the online nodes of the node set, in id order. */
struct bpf_iter_krg_node {
	__u64 __opaque[5];
} __aligned(8);

struct bpf_iter_krg_node_kern {
	struct krg_nodemask set;
	int pos;
} __aligned(8);

/**
 * struct krg_node_value - what bpf_iter_krg_port_node_next() yields.
 * @node: an online node of the node set
 * @err: 0 if @value is the port's value as seen on @node, else why there
 *	 is none (as krg_bpf_port_read())
 * @value: the value (0 when @err)
 */
struct krg_node_value {
	s32 node;
	s32 err;
	u64 value;
};

/* The port-node iterator: the node iterator with a port's value on each. */
struct bpf_iter_krg_port_node {
	__u64 __opaque[8];
} __aligned(8);

struct bpf_iter_krg_port_node_kern {
	struct krg_nodemask set;
	struct krg_port *port;		/* NULL: the walk is empty */
	struct krg_node_value nv;
} __aligned(8);

/* The task iterator: the processes of the process set (on one node). */
struct bpf_iter_krg_task {
	__u64 __opaque[3];
} __aligned(8);

struct bpf_iter_krg_task_kern {
	struct krg_policy *policy;
	struct task_struct *pos;	/* NULL: the walk is over */
	int node;			/* -1: any */
} __aligned(8);

static bool krg_bpf_in_node_set(struct krg_policy *policy, int node,
				struct krg_nodemask *set)
{
	krg_policy_node_set(policy, set);
	return krg_node_valid(node) && test_bit(node, set->bits);
}

/*
 * A task that left its process set while the program looked at it: it is
 * exiting (its pids are detached at release, after PF_EXITING is set). The
 * caller saw it out of the set first.
 */
static bool krg_bpf_task_exiting(struct task_struct *p)
{
	/* The pids were read before: PF_EXITING was set before they went. */
	smp_rmb();
	return (READ_ONCE(p->flags) & PF_EXITING) || READ_ONCE(p->exit_state);
}

/* At most migrate_rate requests per second and instance. Any context. */
static bool krg_bpf_rate_ok(struct krg_bpf_inst *inst)
{
	unsigned long flags;
	u64 now = local_clock();
	bool ok;

	spin_lock_irqsave(&inst->lock, flags);
	if (now - inst->window_start_ns >= NSEC_PER_SEC) {
		inst->window_start_ns = now;
		inst->window_count = 0;
	}
	ok = inst->window_count < inst->bt->migrate_rate;
	if (ok)
		inst->window_count++;
	spin_unlock_irqrestore(&inst->lock, flags);
	return ok;
}

__bpf_kfunc_start_defs();

/**
 * krg_bpf_port_read - read port @port (index in ops.ports) of @policy.
 * @policy: the instance (the callback's argument)
 * @port: the port's index
 * @node: -1 for the value on this node, else the value as seen on @node
 * @value: where the value goes (0 on error)
 *
 * Return: 0; -EINVAL for no such port, a port that takes a pid (use
 * krg_bpf_port_read_pid()) or a bad node id; -ENODATA if nothing is linked
 * to the port; -EAGAIN if its source has no value yet; or the source's
 * error.
 */
__bpf_kfunc s32 krg_bpf_port_read(struct krg_policy *policy, u32 port,
				  s32 node, u64 *value)
{
	struct krg_port *pt = krg_policy_port(policy, port);
	int ret;

	*value = 0;
	if (!pt || pt->desc->type->param)
		return -EINVAL;
	if (node == KRG_NODE_NONE)
		ret = krg_port_get_value(pt, value, 1, NULL, 0);
	else if (krg_node_valid(node))
		ret = krg_port_get_node_value(pt, node, value, 1, NULL, 0);
	else
		return -EINVAL;
	return ret < 0 ? ret : ret == 1 ? 0 : -EAGAIN;
}

/**
 * krg_bpf_port_read_pid - read a port of type u64(pid_t) for process @pid.
 * @policy: the instance
 * @port: the port's index
 * @node: -1 for the value on this node, else as seen on @node
 * @pid: the process (its tgid: task->tgid)
 * @value: where the value goes (0 on error)
 *
 * Return: as krg_bpf_port_read(); -EINVAL also for a port without a pid
 * parameter.
 */
__bpf_kfunc s32 krg_bpf_port_read_pid(struct krg_policy *policy, u32 port,
				      s32 node, s32 pid, u64 *value)
{
	struct krg_port *pt = krg_policy_port(policy, port);
	pid_t in = pid;
	int ret;

	*value = 0;
	if (!pt || !pt->desc->type->param ||
	    pt->desc->type->param_size != sizeof(in))
		return -EINVAL;
	if (node == KRG_NODE_NONE)
		ret = krg_port_get_value(pt, value, 1, &in, 1);
	else if (krg_node_valid(node))
		ret = krg_port_get_node_value(pt, node, value, 1, &in, 1);
	else
		return -EINVAL;
	return ret < 0 ? ret : ret == 1 ? 0 : -EAGAIN;
}

/**
 * krg_bpf_policy_id - a number that identifies @policy while it exists
 * (e.g. the key of the instance's state in a BPF map); never 0.
 * @policy: the instance
 */
__bpf_kfunc u32 krg_bpf_policy_id(struct krg_policy *policy)
{
	return krg_bpf_inst(policy)->id;
}

/**
 * krg_bpf_policy_data - the instance's own state: KRG_BPF_DATA_SIZE bytes,
 * zeroed when the instance is made, kept until it goes, for its programs
 * only (they synchronise their accesses, e.g. with __sync builtins).
 * Cheaper than a map keyed by krg_bpf_policy_id(): no lookup.
 * @policy: the instance
 * @rdwr_buf_size: how many bytes the program uses, a constant (the
 *	verifier bounds its accesses by it)
 *
 * Return: the state, or NULL if @rdwr_buf_size is above KRG_BPF_DATA_SIZE.
 */
__bpf_kfunc u64 *krg_bpf_policy_data(struct krg_policy *policy,
				     const u32 rdwr_buf_size)
{
	if (rdwr_buf_size > KRG_BPF_DATA_SIZE)
		return NULL;
	return krg_bpf_inst(policy)->data;
}

/**
 * krg_bpf_node_ok - is @node an online node of @policy's node set?
 * @policy: the instance
 * @node: a node id
 */
__bpf_kfunc bool krg_bpf_node_ok(struct krg_policy *policy, s32 node)
{
	struct krg_nodemask set;

	return krg_bpf_in_node_set(policy, node, &set) &&
	       krg_node_online(node);
}

/**
 * krg_bpf_node_next - the online node of @policy's node set that follows
 * @node in id order, wrapping around; from the first with @node -1.
 * @policy: the instance
 * @node: a node id, or -1
 *
 * Return: a node, or -1 when no node of the set is online.
 */
__bpf_kfunc s32 krg_bpf_node_next(struct krg_policy *policy, s32 node)
{
	struct krg_nodemask set, online;
	int next = KRG_MAX_NODES;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	if (!bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES))
		return KRG_NODE_NONE;
	if (node >= -1 && node + 1 < KRG_MAX_NODES)
		next = find_next_bit(set.bits, KRG_MAX_NODES, node + 1);
	if (next >= KRG_MAX_NODES)
		next = find_first_bit(set.bits, KRG_MAX_NODES);
	return next;
}

/**
 * krg_bpf_task_node - the node @p runs on now.
 * @p: a task (trusted or RCU)
 */
__bpf_kfunc s32 krg_bpf_task_node(struct task_struct *p)
{
	return krg_task_node(p);
}

/**
 * krg_bpf_may_migrate - would krg_bpf_migrate(@policy, @p, @node) be
 * accepted now? Ask before asking: a request the policy may not make
 * detaches it.
 * @policy: the instance
 * @p: the process
 * @node: the target
 *
 * Return: 0; -EINVAL (not an online node of the node set, or a kernel
 * thread), -EPERM (not in the process set), -EACCES (no CAN_MIGRATE),
 * -EBUSY (pinned by hand, ptraced or already migrating), -ESRCH (exiting),
 * -EHOSTDOWN (node offline).
 */
__bpf_kfunc s32 krg_bpf_may_migrate(struct krg_policy *policy,
				    struct task_struct *p, s32 node)
{
	struct krg_nodemask set;

	if (!krg_bpf_in_node_set(policy, node, &set))
		return -EINVAL;
	if (!krg_policy_handles(policy, p))
		return -EPERM;
	return krg_may_migrate(p, node, KRG_MIGRATE_POLICY);
}

/**
 * krg_bpf_migrate - ask for process @p to move to @node.
 * @policy: the instance
 * @p: the process (its whole thread group moves)
 * @node: the target, an online node of the node set
 *
 * The core checks the request and queues it to the SSI layer; it is
 * recorded in the policy's stats. Asking for a node that is not an online
 * node of the node set, a process outside the process set or a kernel
 * thread is an error: the instance is detached. What the process's owner
 * controls is a refusal, returned and counted in stats, never an error:
 * no CAN_MIGRATE, pinned by hand, ptraced, exiting (so krg_bpf_may_migrate()
 * first is a courtesy, not a duty).
 *
 * Return: 0 when queued; refusals: -EALREADY (already there), -EAGAIN
 * (more than migrate_rate requests this second), -EACCES (no CAN_MIGRATE),
 * -EBUSY (pinned, ptraced, migrating already), -ESRCH (exiting, or it
 * left the process set since bpf_iter_krg_task_next() gave it),
 * -EHOSTDOWN (the node went offline meanwhile), -ENOMEM; or the error that
 * detached the instance (-EINVAL, -EPERM; -ENODEV once detached).
 */
__bpf_kfunc s32 krg_bpf_migrate(struct krg_policy *policy,
				struct task_struct *p, s32 node)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);
	struct krg_nodemask set;
	int ret;

	if (atomic_read(&policy->exit_kind) != KRG_EXIT_NONE)
		return -ENODEV;
	/* The program's own errors: what it could check, and no one else sets. */
	if (!krg_bpf_in_node_set(policy, node, &set) || !krg_node_online(node)) {
		krg_bpf_fail(inst, KRG_EXIT_ERROR_BAD_NODE,
			     "asked to migrate pid %d to node %d, not an online node of node_set %*pbl",
			     task_tgid_nr(p), node, KRG_MAX_NODES, set.bits);
		return -EINVAL;
	}
	if (p->flags & PF_KTHREAD) {
		krg_bpf_fail(inst, KRG_EXIT_ERROR_FORBIDDEN,
			     "asked to migrate pid %d (%s), a kernel thread",
			     task_tgid_nr(p), p->comm);
		return -EINVAL;
	}
	if (!krg_policy_handles(policy, p)) {
		/* Exiting, or it left the set since the iterator gave it. */
		if (krg_bpf_task_exiting(p) || p == READ_ONCE(inst->iter_task)) {
			ret = -ESRCH;
			goto refused;
		}
		krg_bpf_fail(inst, KRG_EXIT_ERROR_FORBIDDEN,
			     "asked to migrate pid %d (%s), which is not in its process set",
			     task_tgid_nr(p), p->comm);
		return -EPERM;
	}
	if (!krg_bpf_rate_ok(inst)) {
		ret = -EAGAIN;
		goto refused;
	}
	/* Refusals by krg.ko (what the owner controls) are counted there. */
	return krg_policy_migrate(policy, p, node);

refused:
	krg_policy_refused(policy, p, node, ret);
	return ret;
}

/**
 * krg_bpf_error - the policy found an error of its own: record @msg and
 * detach the instance (as sched_ext's scx_bpf_error()).
 * @policy: the instance
 * @msg__str: a constant string
 */
__bpf_kfunc void krg_bpf_error(struct krg_policy *policy, const char *msg__str)
{
	krg_bpf_fail(krg_bpf_inst(policy), KRG_EXIT_ERROR, "%s", msg__str);
}

/**
 * bpf_iter_krg_node_new - iterate over the online nodes of @policy's node
 * set, in id order (bpf_for_each(krg_node, node, policy)). The set is the
 * one at the time of this call.
 * @it: the iterator
 * @policy: the instance
 */
__bpf_kfunc int bpf_iter_krg_node_new(struct bpf_iter_krg_node *it,
				      struct krg_policy *policy)
{
	struct bpf_iter_krg_node_kern *kit = (void *)it;
	struct krg_nodemask online;

	BUILD_BUG_ON(sizeof(*kit) > sizeof(*it));
	BUILD_BUG_ON(__alignof__(*kit) != __alignof__(*it));
	krg_policy_node_set(policy, &kit->set);
	krg_nodes_online(&online);
	bitmap_and(kit->set.bits, kit->set.bits, online.bits, KRG_MAX_NODES);
	kit->pos = -1;
	return 0;
}

__bpf_kfunc int *bpf_iter_krg_node_next(struct bpf_iter_krg_node *it)
{
	struct bpf_iter_krg_node_kern *kit = (void *)it;

	if (kit->pos >= KRG_MAX_NODES)
		return NULL;
	kit->pos = find_next_bit(kit->set.bits, KRG_MAX_NODES, kit->pos + 1);
	return kit->pos < KRG_MAX_NODES ? &kit->pos : NULL;
}

__bpf_kfunc void bpf_iter_krg_node_destroy(struct bpf_iter_krg_node *it)
{
}

/**
 * bpf_iter_krg_port_node_new - iterate over the online nodes of @policy's
 * node set with the value of port @port on each
 * (bpf_for_each(krg_port_node, nv, policy, port)): one call per node
 * instead of two (the node iterator and krg_bpf_port_read()).
 * @it: the iterator
 * @policy: the instance
 * @port: the port's index; a port that takes a pid is refused
 *
 * Return: 0, or -EINVAL for a bad port (the walk is then empty).
 */
__bpf_kfunc int bpf_iter_krg_port_node_new(struct bpf_iter_krg_port_node *it,
					   struct krg_policy *policy, u32 port)
{
	struct bpf_iter_krg_port_node_kern *kit = (void *)it;
	struct krg_port *pt = krg_policy_port(policy, port);
	struct krg_nodemask online;

	BUILD_BUG_ON(sizeof(*kit) > sizeof(*it));
	BUILD_BUG_ON(__alignof__(*kit) != __alignof__(*it));
	kit->nv.node = -1;
	kit->port = NULL;
	if (!pt || pt->desc->type->param)
		return -EINVAL;
	kit->port = pt;
	krg_policy_node_set(policy, &kit->set);
	krg_nodes_online(&online);
	bitmap_and(kit->set.bits, kit->set.bits, online.bits, KRG_MAX_NODES);
	return 0;
}

__bpf_kfunc struct krg_node_value *
bpf_iter_krg_port_node_next(struct bpf_iter_krg_port_node *it)
{
	struct bpf_iter_krg_port_node_kern *kit = (void *)it;
	int node, ret;

	if (!kit->port || kit->nv.node >= KRG_MAX_NODES)
		return NULL;
	node = find_next_bit(kit->set.bits, KRG_MAX_NODES, kit->nv.node + 1);
	kit->nv.node = node;
	if (node >= KRG_MAX_NODES)
		return NULL;
	kit->nv.value = 0;
	ret = krg_port_get_node_value(kit->port, node, &kit->nv.value, 1,
				      NULL, 0);
	kit->nv.err = ret < 0 ? ret : ret == 1 ? 0 : -EAGAIN;
	return &kit->nv;
}

__bpf_kfunc void bpf_iter_krg_port_node_destroy(struct bpf_iter_krg_port_node *it)
{
}

/**
 * bpf_iter_krg_task_new - iterate over the processes (thread group leaders)
 * of @policy's process set that run on @node (-1: on any node); kernel
 * threads and exiting processes are left out
 * (bpf_for_each(krg_task, p, policy, node)). The tasks are RCU pointers:
 * valid until the callback returns.
 * @it: the iterator
 * @policy: the instance
 * @node: a node id, or -1
 *
 * Return: 0, or -EINVAL for a bad node id (the walk is then empty).
 */
__bpf_kfunc int bpf_iter_krg_task_new(struct bpf_iter_krg_task *it,
				      struct krg_policy *policy, s32 node)
{
	struct bpf_iter_krg_task_kern *kit = (void *)it;

	BUILD_BUG_ON(sizeof(*kit) > sizeof(*it));
	BUILD_BUG_ON(__alignof__(*kit) != __alignof__(*it));
	kit->policy = policy;
	kit->node = node;
	kit->pos = &init_task;
	if (node != KRG_NODE_NONE && !krg_node_valid(node)) {
		kit->pos = NULL;
		return -EINVAL;
	}
	return 0;
}

__bpf_kfunc struct task_struct *
bpf_iter_krg_task_next(struct bpf_iter_krg_task *it)
{
	struct bpf_iter_krg_task_kern *kit = (void *)it;
	struct task_struct *p = kit->pos;

	if (!p)
		return NULL;
	/* The verifier keeps the whole walk in one RCU read-side section. */
	for (p = next_task(p); p != &init_task; p = next_task(p)) {
		if (p->flags & (PF_KTHREAD | PF_EXITING))
			continue;
		if (kit->node != KRG_NODE_NONE && krg_task_node(p) != kit->node)
			continue;
		if (!krg_policy_handles(kit->policy, p))
			continue;
		WRITE_ONCE(krg_bpf_inst(kit->policy)->iter_task, p);
		kit->pos = p;
		return p;
	}
	kit->pos = NULL;
	return NULL;
}

__bpf_kfunc void bpf_iter_krg_task_destroy(struct bpf_iter_krg_task *it)
{
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(krg_bpf_kfunc_ids)
BTF_ID_FLAGS(func, krg_bpf_port_read, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, krg_bpf_port_read_pid, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, krg_bpf_policy_id, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, krg_bpf_policy_data, KF_TRUSTED_ARGS | KF_RET_NULL)
BTF_ID_FLAGS(func, krg_bpf_node_ok, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, krg_bpf_node_next, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, krg_bpf_task_node, KF_RCU)
BTF_ID_FLAGS(func, krg_bpf_may_migrate, KF_RCU)
BTF_ID_FLAGS(func, krg_bpf_migrate, KF_RCU)
BTF_ID_FLAGS(func, krg_bpf_error, KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_iter_krg_node_new, KF_ITER_NEW | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_iter_krg_node_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_krg_node_destroy, KF_ITER_DESTROY)
BTF_ID_FLAGS(func, bpf_iter_krg_port_node_new, KF_ITER_NEW | KF_TRUSTED_ARGS)
BTF_ID_FLAGS(func, bpf_iter_krg_port_node_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_krg_port_node_destroy, KF_ITER_DESTROY)
BTF_ID_FLAGS(func, bpf_iter_krg_task_new,
	     KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED)
BTF_ID_FLAGS(func, bpf_iter_krg_task_next, KF_ITER_NEXT | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_iter_krg_task_destroy, KF_ITER_DESTROY)
BTF_KFUNCS_END(krg_bpf_kfunc_ids)

/* The BTF of krg_policy_ops, given by the struct_ops type's init. */
static const struct btf *krg_bpf_ops_btf;
BTF_ID_LIST_SINGLE(krg_bpf_ops_type_id, struct, krg_policy_ops)

void krg_bpf_kfuncs_set_ops_btf(const struct btf *btf)
{
	WRITE_ONCE(krg_bpf_ops_btf, btf);
}

/*
 * Registered for struct_ops programs, our kfuncs would be open to every
 * struct_ops type (TCP congestion control, ...): only krg_policy_ops
 * programs may call them. Runs when a program is verified.
 */
static int krg_bpf_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (!btf_id_set8_contains(&krg_bpf_kfunc_ids, kfunc_id))
		return 0;
	if (prog->type == BPF_PROG_TYPE_STRUCT_OPS &&
	    prog->aux->attach_btf &&
	    prog->aux->attach_btf == READ_ONCE(krg_bpf_ops_btf) &&
	    prog->aux->attach_btf_id == krg_bpf_ops_type_id[0])
		return 0;
	return -EACCES;
}

static const struct btf_kfunc_id_set krg_bpf_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &krg_bpf_kfunc_ids,
	.filter = krg_bpf_kfunc_filter,
};

int krg_bpf_kfuncs_init(void)
{
	return register_btf_kfunc_id_set(BPF_PROG_TYPE_STRUCT_OPS,
					 &krg_bpf_kfunc_set);
}
