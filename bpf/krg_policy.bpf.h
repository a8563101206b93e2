/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krg_policy.bpf.h: what a krgsched policy written in BPF includes.
 *
 * The types (struct krg_policy_ops, struct krg_policy, the iterators) come
 * from the BTF of the running kernel and of krg_scheduler.ko, dumped into
 * vmlinux.h by bpf/Makefile; never copied. The contract is documented in
 * include/krg/bpf_policy.h and docs/bpf-policies.md.
 *
 * A policy is a map of type struct krg_policy_ops in SEC(".struct_ops.link")
 * whose callbacks are SEC("struct_ops/<callback>") programs:
 *
 *	SEC("struct_ops/new_task_node")
 *	s32 BPF_PROG(my_place, struct krg_policy *policy,
 *		     struct task_struct *parent, struct task_struct *child)
 *	{ ... return node or KRG_NODE_NONE; }
 *
 *	SEC(".struct_ops.link")
 *	struct krg_policy_ops my_policy = {
 *		.new_task_node	= (void *)my_place,
 *		.name		= "my_policy",
 *		.ports		= { { .name = "load", .type = "u64" } },
 *	};
 */
#ifndef __KRG_POLICY_BPF_H
#define __KRG_POLICY_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* No decision (new_task_node), or "this node" (the node of a port read). */
#define KRG_NODE_NONE	(-1)
#define KRG_LOCAL	(-1)
/* Bytes of state krg_bpf_policy_data() gives each instance. */
#define KRG_BPF_DATA_SIZE	64

/* The errnos the kfuncs return (vmlinux.h has no macros). */
#define EPERM		1
#define ESRCH		3
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EBUSY		16
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ENODATA		61
#define EALREADY	114
#define EHOSTDOWN	112

/* Ports: 0 and the value, or -errno (see core/bpf_kfuncs.c). */
extern s32 krg_bpf_port_read(struct krg_policy *policy, u32 port, s32 node,
			     u64 *value) __ksym;
extern s32 krg_bpf_port_read_pid(struct krg_policy *policy, u32 port,
				 s32 node, s32 pid, u64 *value) __ksym;

/* The instance: a number to key its state in maps. */
extern u32 krg_bpf_policy_id(struct krg_policy *policy) __ksym;
/*
 * The instance's own state, @size (a constant, at most KRG_BPF_DATA_SIZE)
 * bytes zeroed at mkdir; NULL if @size is too large.
 */
extern u64 *krg_bpf_policy_data(struct krg_policy *policy, u32 size) __ksym;

/*
 * Nodes: is @node an online node of the node set; the online node of the
 * set after @node (wrapping; -1: the first), or -1 if none; where @p runs.
 */
extern bool krg_bpf_node_ok(struct krg_policy *policy, s32 node) __ksym;
extern s32 krg_bpf_node_next(struct krg_policy *policy, s32 node) __ksym;
extern s32 krg_bpf_task_node(struct task_struct *p) __ksym;

/*
 * Migration: would a request be accepted now (may); request it (migrate).
 * A refusal the process's owner causes is returned and counted, never an
 * error; a node outside the node set, a process outside the process set
 * or a kernel thread detaches the instance.
 */
extern s32 krg_bpf_may_migrate(struct krg_policy *policy,
			       struct task_struct *p, s32 node) __ksym;
extern s32 krg_bpf_migrate(struct krg_policy *policy, struct task_struct *p,
			   s32 node) __ksym;

/* Give up: record @msg (a string constant) and detach the instance. */
extern void krg_bpf_error(struct krg_policy *policy, const char *msg) __ksym;

/* bpf_for_each(krg_node, node, policy): int *node, online nodes of the set. */
extern int bpf_iter_krg_node_new(struct bpf_iter_krg_node *it,
				 struct krg_policy *policy) __ksym;
extern int *bpf_iter_krg_node_next(struct bpf_iter_krg_node *it) __ksym;
extern void bpf_iter_krg_node_destroy(struct bpf_iter_krg_node *it) __ksym;

/*
 * bpf_for_each(krg_port_node, nv, policy, port): struct krg_node_value *nv,
 * the online nodes of the set with port @port's value on each (nv->node,
 * nv->err, nv->value): one kfunc call per node.
 */
extern int bpf_iter_krg_port_node_new(struct bpf_iter_krg_port_node *it,
				      struct krg_policy *policy, u32 port) __ksym;
extern struct krg_node_value *
bpf_iter_krg_port_node_next(struct bpf_iter_krg_port_node *it) __ksym;
extern void
bpf_iter_krg_port_node_destroy(struct bpf_iter_krg_port_node *it) __ksym;

/*
 * bpf_for_each(krg_task, p, policy, node): struct task_struct *p, the
 * processes of the process set on @node (-1: anywhere).
 */
extern int bpf_iter_krg_task_new(struct bpf_iter_krg_task *it,
				 struct krg_policy *policy, s32 node) __ksym;
extern struct task_struct *
bpf_iter_krg_task_next(struct bpf_iter_krg_task *it) __ksym;
extern void bpf_iter_krg_task_destroy(struct bpf_iter_krg_task *it) __ksym;

/* A port's value on @node, or -1 (u64 max) when it has none. */
static __always_inline u64 krg_port_node_value(struct krg_policy *policy,
					       u32 port, s32 node)
{
	u64 v = 0;

	return krg_bpf_port_read(policy, port, node, &v) ? (u64)-1 : v;
}

#endif /* __KRG_POLICY_BPF_H */
