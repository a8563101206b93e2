/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krgsched component API: what a probe, filter or policy module implements
 * and what it may call. The core (krg_scheduler.ko) owns every object; a
 * component supplies a type (a static const table) and private data per
 * instance.
 *
 * Data flow. A *source* produces typed values: a probe's sources, a filter's
 * output, or a port re-exported as a source. A *port* is an input of a filter
 * or a policy or a probe; it is connected to one source, by `ln -s` to the
 * source's directory or by a filter created inside the port with `mkdir`.
 * Values are pulled (krg_port_get_value() reads through the chain) or pushed:
 * krg_source_publish() notifies every port subscribed to the source, which
 * calls its owner's ->update(). A port subscribes only when the chain above
 * it ends in a policy, so pushes never run into dead ends.
 *
 * Contexts. Callbacks marked "atomic" may run with preemption disabled or
 * under rcu_read_lock(): they must not sleep. Callbacks marked "process" may
 * sleep and run under the configuration mutex: they must not wait on
 * anything a configfs operation holds.
 */
#ifndef _KRG_SCHED_H
#define _KRG_SCHED_H

#include <linux/configfs.h>
#include <linux/module.h>
#include <linux/types.h>
#include <krg/nodes.h>

struct task_struct;
struct krg_probe;
struct krg_filter;
struct krg_policy;
struct krg_port;
struct krg_source;

/**
 * struct krg_value_type - the type of the values a source produces or a
 * port accepts. A port may be connected to a source only when the names and
 * sizes of both the value and the parameter types are equal.
 * @name:	type name, e.g. "load" or "u64"
 * @size:	bytes per value
 * @param:	name of the parameter type a read takes (e.g. "pid_t"), or NULL
 * @param_size:	bytes of the parameter
 * @show:	optional: print one value into @buf (at most @len bytes) and
 *		return the length; default: decimal u64/s64/u32 by @size and
 *		@is_signed. Atomic.
 * @is_signed:	for the default @show
 * @unit:	optional unit printed after the value by the default @show
 */
struct krg_value_type {
	const char *name;
	size_t size;
	const char *param;
	size_t param_size;
	int (*show)(const void *value, char *buf, size_t len);
	bool is_signed;
	const char *unit;
};

/* Common types. */
extern const struct krg_value_type krg_type_u64;	/* "u64" */
extern const struct krg_value_type krg_type_s64;	/* "s64" */
/* "u64(pid_t)": a u64 read with a pid (a pid_t in the init namespace). */
extern const struct krg_value_type krg_type_u64_pid;

/*
 * get_value contract, for every source: write at most @nr values into @out
 * (an array of @nr * type->size bytes), reading with the @in_nr parameters
 * in @in (@in_nr is 0 when the type has no parameter). Return how many
 * values were written (>= 0) or -errno: -EAGAIN when no value exists yet,
 * -ENODATA when the chain is not connected. Atomic.
 */

/**
 * struct krg_source_desc - a source a probe declares.
 * @name:	directory name under probes/<probe>/
 * @type:	its value type
 * @get_value:	read the local value; see the get_value contract. Atomic.
 * @get_node_value: optional: read the value as seen on @node (per-node
 *		values, probes/<probe>/<source>/nodes/<n>/value). Atomic.
 * @show_process: optional, for a source with a pid_t parameter: print the
 *		line of process @nr (as the reader numbers it) whose value is
 *		@value in the source's `value` listing, newline included, into
 *		@buf (at most @len bytes); return its length. Default:
 *		"Process <nr>: <value>\n". Atomic.
 * @nodata:	optional, for a source with a pid_t parameter: what -ENODATA
 *		from @get_value means, shown by the probe's `pid_value` as
 *		"(process <nr> <nodata>)". Default: "has no value".
 */
struct krg_source_desc {
	const char *name;
	const struct krg_value_type *type;
	int (*get_value)(struct krg_probe *probe, void *out, unsigned int nr,
			 const void *in, unsigned int in_nr);
	int (*get_node_value)(struct krg_probe *probe, int node, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr);
	int (*show_process)(pid_t nr, const void *value, char *buf,
			    size_t len);
	const char *nodata;
};

/**
 * struct krg_port_desc - a port a filter, policy or probe declares.
 * @name:	directory name of the port
 * @type:	the value type it accepts
 */
struct krg_port_desc {
	const char *name;
	const struct krg_value_type *type;
};

/**
 * struct krg_probe_type - a kind of probe (one module each, usually).
 * @name:	probe name: `mkdir probes/<name>` instantiates it
 * @sources:	its sources, NULL-terminated
 * @attrs:	extra configfs attributes of the probe directory, or NULL.
 *		The core's come first: probe_period; cost_ns when the probe
 *		has @measure; pid and pid_value when one of its sources has a
 *		pid_t parameter (they read the first such source).
 * @period_ms:	default probe_period (0: event-driven, no periodic measure)
 * @priv_size:	bytes of private data allocated per instance
 * @init:	optional: set up an instance. Process.
 * @exit:	optional: tear it down; nothing calls the probe after. Process.
 * @measure:	optional: take a measurement every probe_period ms and call
 *		krg_probe_publish() for the sources that changed. Process
 *		(a workqueue), may sleep briefly. The core times it: the
 *		probe's `cost_ns` is the total, publishes excluded.
 * @ports:	optional: input ports, NULL-terminated, for a probe that
 *		computes its values from other sources (Kerrighed's
 *		mattload_probe). Each is a directory probes/<probe>/<port>/
 *		like a policy's port (ln -s a source into it, or mkdir a
 *		filter in it; type checked on link) and is read with
 *		krg_port_get_value() / krg_port_get_node_value(), typically
 *		from @measure. The probe pulls: nothing is pushed to it, so
 *		its sources must not pull through its ports from get_value
 *		(keep the values measure() computed). Port names must differ
 *		from source names. rmdir of the probe disconnects them.
 */
struct krg_probe_type {
	const char *name;
	const struct krg_source_desc *const *sources;
	struct configfs_attribute **attrs;
	unsigned int period_ms;
	size_t priv_size;
	int (*init)(struct krg_probe *probe);
	void (*exit)(struct krg_probe *probe);
	void (*measure)(struct krg_probe *probe);
	const struct krg_port_desc *const *ports;
};

/**
 * struct krg_filter_type - a kind of filter: ports in, one source out.
 * @name:	`mkdir <port>/<name>` instantiates it inside a port
 * @ports:	its input ports, NULL-terminated. The first is the main input:
 *		the filter's directory itself is that port (its name is not
 *		shown); the others are subdirectories named after their desc
 * @type:	the value type of its output source
 * @attrs:	extra configfs attributes, or NULL
 * @priv_size:	bytes of private data per instance
 * @init:	optional. Process.
 * @exit:	optional. Process.
 * @get_value:	pull: compute the output (typically from
 *		krg_port_get_value() on its ports). Atomic. Default (NULL):
 *		pass the first port's value through.
 * @update:	push: @port's source published. Decide whether to publish
 *		the output with krg_filter_publish(). Atomic. Default (NULL):
 *		always publish.
 * @get_node_value: optional: the output as seen on @node (e.g. a cache of
 *		every node's value). Atomic. Default: pass-through filters
 *		(no @get_value) pass the first port's per-node values; others
 *		have none (-EOPNOTSUPP).
 */
struct krg_filter_type {
	const char *name;
	const struct krg_port_desc *const *ports;
	const struct krg_value_type *type;
	struct configfs_attribute **attrs;
	size_t priv_size;
	int (*init)(struct krg_filter *filter);
	void (*exit)(struct krg_filter *filter);
	int (*get_value)(struct krg_filter *filter, void *out, unsigned int nr,
			 const void *in, unsigned int in_nr);
	void (*update)(struct krg_filter *filter, struct krg_port *port);
	int (*get_node_value)(struct krg_filter *filter, int node, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr);
};

/**
 * struct krg_policy_type - a kind of policy (the decision maker).
 * @name:	`mkdir schedulers/<s>/<name>` instantiates it (one per scheduler)
 * @ports:	its input ports, NULL-terminated
 * @attrs:	extra configfs attributes, or NULL
 * @priv_size:	bytes of private data per instance
 * @init:	optional. Process.
 * @exit:	optional; the core has stopped calling the policy. Process.
 * @new_task_node: optional: distant fork placement. @child of @parent is
 *		about to run for the first time; return a node of the
 *		scheduler's node set, or KRG_NODE_NONE for no decision. Atomic.
 * @update:	optional: @port's source published a new value. Atomic.
 * @update_node_set: optional: the scheduler's node set changed. Process.
 */
struct krg_policy_type {
	const char *name;
	const struct krg_port_desc *const *ports;
	struct configfs_attribute **attrs;
	size_t priv_size;
	int (*init)(struct krg_policy *policy);
	void (*exit)(struct krg_policy *policy);
	int (*new_task_node)(struct krg_policy *policy,
			     struct task_struct *parent,
			     struct task_struct *child);
	void (*update)(struct krg_policy *policy, struct krg_port *port);
	void (*update_node_set)(struct krg_policy *policy);
};

/* Registration (see the KRG_*_MODULE macros below). Process. */
int krg_probe_type_register(const struct krg_probe_type *type,
			    struct module *owner);
void krg_probe_type_unregister(const struct krg_probe_type *type);
int krg_filter_type_register(const struct krg_filter_type *type,
			     struct module *owner);
void krg_filter_type_unregister(const struct krg_filter_type *type);
int krg_policy_type_register(const struct krg_policy_type *type,
			     struct module *owner);
void krg_policy_type_unregister(const struct krg_policy_type *type);

/* Private data of an instance (priv_size bytes, zeroed). */
void *krg_probe_priv(struct krg_probe *probe);
void *krg_filter_priv(struct krg_filter *filter);
void *krg_policy_priv(struct krg_policy *policy);

/* From a configfs item of an instance (for the component's attributes). */
struct krg_probe *krg_probe_from_item(struct config_item *item);
struct krg_filter *krg_filter_from_item(struct config_item *item);
struct krg_policy *krg_policy_from_item(struct config_item *item);

/* Push: notify the subscribers of a source. Atomic. */
void krg_probe_publish(struct krg_probe *probe, unsigned int source);
void krg_filter_publish(struct krg_filter *filter);

/* Pull through a port; see the get_value contract. Atomic. */
int krg_port_get_value(struct krg_port *port, void *out, unsigned int nr,
		       const void *in, unsigned int in_nr);
/* The same value as seen on @node. Atomic; never blocks. */
int krg_port_get_node_value(struct krg_port *port, int node, void *out,
			    unsigned int nr, const void *in,
			    unsigned int in_nr);
/* Port @index of a filter, policy or probe (the order of ->ports), or NULL. */
struct krg_port *krg_filter_port(struct krg_filter *filter, unsigned int index);
struct krg_port *krg_probe_port(struct krg_probe *probe, unsigned int index);
struct krg_port *krg_policy_port(struct krg_policy *policy, unsigned int index);
unsigned int krg_port_index(struct krg_port *port);

/* The scheduler of a policy: its node set (a snapshot). Atomic. */
void krg_policy_node_set(struct krg_policy *policy, struct krg_nodemask *out);

/*
 * Does @p belong to the policy's scheduler's process set? Atomic; @p must be
 * pinned (RCU or a reference).
 */
bool krg_policy_handles(struct krg_policy *policy, struct task_struct *p);

/* A visitor of krg_policy_walk_tasks(). */
typedef int (*krg_task_fn)(struct task_struct *p, void *arg);

/*
 * Call @fn for every process (thread group leader) the policy's scheduler
 * handles, under rcu_read_lock(): @fn must not sleep; it may take a
 * reference (get_task_struct) to use a task later. Stops early when @fn
 * returns non-zero, and returns that value (0 when every process was seen).
 * Kernel threads and exiting processes are skipped. Atomic.
 */
int krg_policy_walk_tasks(struct krg_policy *policy, krg_task_fn fn,
			  void *arg);

/*
 * Ask the SSI layer to migrate @p to @node on behalf of @policy. The core
 * checks that @node is in the scheduler's node set and that @p may migrate
 * (capabilities, not pinned by hand, ...), records the outcome in the
 * policy's stats, and returns 0 when the request is queued or -errno.
 * Atomic.
 */
int krg_policy_migrate(struct krg_policy *policy, struct task_struct *p,
		       int node);

/*
 * krg_place_task - run distant-fork placement for @child of @parent, as the
 * SSI layer does at fork: ask the schedulers in order, return the node or
 * KRG_NODE_NONE. Exported for tests and benchmarks. Atomic.
 */
int krg_place_task(struct task_struct *parent, struct task_struct *child);

/*
 * One module per component. KRG_POLICY_MODULE(name, fields...) defines the
 * policy type `name_type`, with .name = "name" and the designated
 * initialisers @fields, the module alias the core autoloads on mkdir
 * ("krg-policy-<name>"), and the module init and exit that register and
 * unregister it; KRG_PROBE_MODULE and KRG_FILTER_MODULE alike:
 *
 *	KRG_POLICY_MODULE(least_loaded,
 *		.ports = ll_ports,
 *		.new_task_node = ll_new_task_node);
 *
 * KRG_POLICY_MODULE_INIT(name, init, exit, fields...) is for a component
 * with module-wide state of its own: the module's init runs @init (int
 * (void)) before registering, and @exit (void (void)) if registering fails
 * and after unregistering. (DECLARE_USB_FUNCTION_INIT is the model.)
 */
static inline int krg_module_init_none(void)
{
	return 0;
}

static inline void krg_module_exit_none(void)
{
}

#define __KRG_COMPONENT_MODULE(kind, __name, init_fn, exit_fn, ...)	\
static const struct krg_##kind##_type __name##_type = {		\
	.name = #__name,						\
	__VA_ARGS__							\
};									\
static int __init __name##_module_init(void)				\
{									\
	int ret = init_fn();						\
									\
	if (ret)							\
		return ret;						\
	ret = krg_##kind##_type_register(&__name##_type, THIS_MODULE);	\
	if (ret)							\
		exit_fn();						\
	return ret;							\
}									\
module_init(__name##_module_init);					\
static void __exit __name##_module_exit(void)				\
{									\
	krg_##kind##_type_unregister(&__name##_type);			\
	exit_fn();							\
}									\
module_exit(__name##_module_exit);					\
MODULE_ALIAS("krg-" #kind "-" #__name)

#define KRG_PROBE_MODULE(__name, ...)					\
	__KRG_COMPONENT_MODULE(probe, __name, krg_module_init_none,	\
			       krg_module_exit_none, __VA_ARGS__)
#define KRG_FILTER_MODULE(__name, ...)					\
	__KRG_COMPONENT_MODULE(filter, __name, krg_module_init_none,	\
			       krg_module_exit_none, __VA_ARGS__)
#define KRG_POLICY_MODULE(__name, ...)					\
	__KRG_COMPONENT_MODULE(policy, __name, krg_module_init_none,	\
			       krg_module_exit_none, __VA_ARGS__)
#define KRG_PROBE_MODULE_INIT(__name, init_fn, exit_fn, ...)		\
	__KRG_COMPONENT_MODULE(probe, __name, init_fn, exit_fn, __VA_ARGS__)
#define KRG_FILTER_MODULE_INIT(__name, init_fn, exit_fn, ...)		\
	__KRG_COMPONENT_MODULE(filter, __name, init_fn, exit_fn, __VA_ARGS__)
#define KRG_POLICY_MODULE_INIT(__name, init_fn, exit_fn, ...)		\
	__KRG_COMPONENT_MODULE(policy, __name, init_fn, exit_fn, __VA_ARGS__)

#endif /* _KRG_SCHED_H */
