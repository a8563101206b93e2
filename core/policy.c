// SPDX-License-Identifier: GPL-2.0
/*
 * Policies: `mkdir schedulers/<s>/<policy type>` attaches a policy to a
 * scheduler (one per scheduler). The core calls it for placement and port
 * updates, and carries out and records the migrations it asks for.
 */
#include <linux/configfs.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <krg/bpf_policy.h>
#include <krg/migrate.h>
#include "internal.h"

static inline struct krg_policy *to_krg_policy(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_policy,
			    inst.group);
}

struct krg_policy *krg_policy_from_item(struct config_item *item)
{
	return to_krg_policy(item);
}
EXPORT_SYMBOL_GPL(krg_policy_from_item);

void *krg_policy_priv(struct krg_policy *policy)
{
	return policy->inst.priv;
}
EXPORT_SYMBOL_GPL(krg_policy_priv);

struct krg_port *krg_policy_port(struct krg_policy *policy, unsigned int index)
{
	return krg_instance_port(&policy->inst, index);
}
EXPORT_SYMBOL_GPL(krg_policy_port);

void krg_policy_node_set(struct krg_policy *policy, struct krg_nodemask *out)
{
	krg_scheduler_node_set(policy->sched, out);
}
EXPORT_SYMBOL_GPL(krg_policy_node_set);

bool krg_policy_handles(struct krg_policy *policy, struct task_struct *p)
{
	struct krg_process_set *ps = &policy->sched->pset;
	int k;

	if (READ_ONCE(ps->handle_all))
		return true;
	for (k = 0; k < KRG_MEMBER_NR; k++)
		if (krg_process_set_has(ps, k, p))
			return true;
	return false;
}
EXPORT_SYMBOL_GPL(krg_policy_handles);

int krg_policy_walk_tasks(struct krg_policy *policy, krg_task_fn fn,
			  void *arg)
{
	struct task_struct *p;
	int ret = 0;

	rcu_read_lock();
	for_each_process(p) {
		if (p->flags & (PF_KTHREAD | PF_EXITING))
			continue;
		if (!krg_policy_handles(policy, p))
			continue;
		ret = fn(p, arg);
		if (ret)
			break;
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(krg_policy_walk_tasks);

void krg_policy_refused(struct krg_policy *policy, struct task_struct *p,
			int node, int err)
{
	atomic64_inc(&policy->stats.refused);
	atomic_set(&policy->stats.last_error, -err);
	atomic_set(&policy->stats.last_pid, task_tgid_nr(p));
	atomic_set(&policy->stats.last_node, node);
}

int krg_policy_migrate(struct krg_policy *policy, struct task_struct *p,
		       int node)
{
	struct krg_nodemask set;
	int ret;

	krg_scheduler_node_set(policy->sched, &set);
	if (!krg_node_valid(node) || !test_bit(node, set.bits))
		ret = -EINVAL;
	else
		ret = krg_migrate_request(p, node, KRG_MIGRATE_POLICY,
					  config_item_name(&policy->sched->group.cg_item),
					  NULL);
	if (ret) {
		krg_policy_refused(policy, p, node, ret);
		return ret;
	}
	atomic64_inc(&policy->stats.migrations);
	return 0;
}
EXPORT_SYMBOL_GPL(krg_policy_migrate);

static const char *const krg_exit_kind_names[] = {
	[KRG_EXIT_UNLOADED] = "unloaded",
};

static const char *const krg_exit_error_names[] = {
	[KRG_EXIT_ERROR - KRG_EXIT_ERROR] = "error",
	[KRG_EXIT_ERROR_BAD_NODE - KRG_EXIT_ERROR] = "bad node",
	[KRG_EXIT_ERROR_FORBIDDEN - KRG_EXIT_ERROR] = "forbidden migration",
	[KRG_EXIT_ERROR_WATCHDOG - KRG_EXIT_ERROR] = "watchdog",
};

const char *krg_policy_exit_kind_name(int kind)
{
	if (kind >= KRG_EXIT_ERROR &&
	    kind - KRG_EXIT_ERROR < ARRAY_SIZE(krg_exit_error_names))
		return krg_exit_error_names[kind - KRG_EXIT_ERROR];
	if (kind > 0 && kind < ARRAY_SIZE(krg_exit_kind_names) &&
	    krg_exit_kind_names[kind])
		return krg_exit_kind_names[kind];
	return "unknown";
}

/**
 * krg_policy_fail - record why @p stops deciding; the first call wins.
 * @p: the policy instance
 * @kind: enum krg_policy_exit_kind, not KRG_EXIT_NONE
 * @fmt: the message (printf format)
 *
 * From now on placement and port updates skip @p: its scheduler makes no
 * decision. Returns true for the call that won. Any context.
 */
bool krg_policy_fail(struct krg_policy *p, int kind, const char *fmt, ...)
{
	va_list args;

	if (atomic_cmpxchg(&p->exit_kind, KRG_EXIT_NONE, kind) != KRG_EXIT_NONE)
		return false;
	va_start(args, fmt);
	vscnprintf(p->exit_msg, sizeof(p->exit_msg), fmt, args);
	va_end(args);
	atomic_set_release(&p->exit_msg_ready, 1);
	if (kind >= KRG_EXIT_ERROR)
		pr_warn_ratelimited("scheduler %s: policy %s detached: %s: %s\n",
				    config_item_name(&p->sched->group.cg_item),
				    p->type->name,
				    krg_policy_exit_kind_name(kind), p->exit_msg);
	return true;
}

/* "<kind>: <message>" of a failed policy into @buf; 0 if it did not fail. */
ssize_t krg_policy_exit_show(struct krg_policy *p, char *buf, size_t len)
{
	int kind = atomic_read(&p->exit_kind);

	if (kind == KRG_EXIT_NONE)
		return 0;
	if (!atomic_read_acquire(&p->exit_msg_ready))
		return scnprintf(buf, len, "%s", krg_policy_exit_kind_name(kind));
	return scnprintf(buf, len, "%s: %s", krg_policy_exit_kind_name(kind),
			 p->exit_msg);
}

static bool krg_policy_failed(struct krg_policy *p)
{
	return atomic_read(&p->exit_kind) != KRG_EXIT_NONE;
}

/* A port of @p was pushed a new value. Atomic. */
void krg_policy_notify(struct krg_policy *p, struct krg_port *port)
{
	if (p->type->update && !krg_policy_failed(p))
		p->type->update(p, port);
}

/*
 * Ask @p where @child goes. Returns a node of the scheduler's node set that
 * is online, or KRG_NODE_NONE. Atomic.
 */
int krg_policy_place(struct krg_policy *p, struct task_struct *parent,
		     struct task_struct *child)
{
	const struct krg_policy_checks *checks;
	struct krg_nodemask set;
	u64 t0;
	int node;

	if (!p->type->new_task_node || krg_policy_failed(p))
		return KRG_NODE_NONE;
	t0 = local_clock();
	node = p->type->new_task_node(p, parent, child);
	t0 = local_clock() - t0;
	atomic64_add(t0, &p->stats.place_ns);
	checks = p->inst.entry->checks;
	if (unlikely(checks) && t0 > checks->timeout_ns)
		checks->slow(p, t0);
	if (node == KRG_NODE_NONE) {
		atomic64_inc(&p->stats.placements_none);
		return KRG_NODE_NONE;
	}
	krg_scheduler_node_set(p->sched, &set);
	if (!krg_node_valid(node) || !test_bit(node, set.bits) ||
	    !krg_node_online(node)) {
		atomic64_inc(&p->stats.placements_bad);
		if (unlikely(checks))
			checks->bad_node(p, node, &set);
		return KRG_NODE_NONE;
	}
	atomic64_inc(&p->stats.placements);
	return node;
}

/* stats: what the policy decided, one "key value" per line. */
static ssize_t krg_policy_stats_show(struct config_item *item, char *page)
{
	struct krg_policy_stats *st = &to_krg_policy(item)->stats;
	int err = atomic_read(&st->last_error);
	u64 calls = atomic64_read(&st->placements) +
		    atomic64_read(&st->placements_none) +
		    atomic64_read(&st->placements_bad);
	ssize_t len;

	len = sysfs_emit(page,
			 "placements %lld\nplacements_none %lld\n"
			 "placements_ignored %lld\nmigrations %lld\n"
			 "migrations_refused %lld\nnew_task_node_ns_mean %llu\n",
			 atomic64_read(&st->placements),
			 atomic64_read(&st->placements_none),
			 atomic64_read(&st->placements_bad),
			 atomic64_read(&st->migrations),
			 atomic64_read(&st->refused),
			 calls ? div64_u64(atomic64_read(&st->place_ns), calls) : 0);
	if (err)
		len += sysfs_emit_at(page, len,
				     "last_refusal %pe pid %d node %d\n",
				     ERR_PTR(-err), atomic_read(&st->last_pid),
				     atomic_read(&st->last_node));
	return len;
}
CONFIGFS_ATTR_RO(krg_policy_, stats);

struct configfs_attribute *krg_policy_common_attrs[] = {
	&krg_policy_attr_stats,
	NULL,
};

/* Called by the scheduler's make_group, without krg_cfg_mutex. */
struct config_group *krg_policy_make(struct krg_scheduler *s,
				     const char *name)
{
	const struct krg_policy_type *t;
	struct krg_policy *p;
	int ret;

	p = krg_instance_new(KRG_KIND_POLICY, name, sizeof(*p));
	if (IS_ERR(p))
		return ERR_CAST(p);
	t = p->inst.entry->policy;
	p->type = t;
	p->sched = s;

	if (t->init) {
		ret = t->init(p);
		if (ret)
			goto err_free;
	}

	/* Publish last: from here placement may call the policy. */
	mutex_lock(&krg_cfg_mutex);
	if (rcu_access_pointer(s->policy)) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(&s->group.cg_item, "already has a policy\n");
		ret = -EBUSY;
		goto err_exit;
	}
	rcu_assign_pointer(s->policy, p);
	mutex_unlock(&krg_cfg_mutex);
	return &p->inst.group;

err_exit:
	if (t->exit)
		t->exit(p);
err_free:
	krg_instance_free(&p->inst);
	return ERR_PTR(ret);
}

/*
 * rmdir of the policy: detach it from its scheduler, wait for callers, then
 * the component's exit. Its ports are unconnected (configfs refuses rmdir
 * while they hold a link or a filter) but for what a racing ln -s connected.
 */
void krg_policy_drop(struct krg_policy *p)
{
	struct krg_scheduler *s = p->sched;

	mutex_lock(&krg_cfg_mutex);
	if (rcu_access_pointer(s->policy) == p)
		RCU_INIT_POINTER(s->policy, NULL);
	krg_instance_kill_ports(&p->inst);
	mutex_unlock(&krg_cfg_mutex);
	synchronize_rcu();
	if (p->type->exit)
		p->type->exit(p);
	krg_remove_default_groups(&p->inst.group);
}

void krg_policy_release(struct config_item *item)
{
	krg_instance_free(&to_krg_policy(item)->inst);
}

struct configfs_item_operations krg_policy_item_ops = {
	.release = krg_policy_release,
};
