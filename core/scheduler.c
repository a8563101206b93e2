// SPDX-License-Identifier: GPL-2.0
/*
 * schedulers/<name>: a scheduler. It owns its process set, its node set and
 * at most one policy (a child directory named after the policy type).
 */
#include <linux/configfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <krg/bpf_policy.h>
#include "internal.h"

/* Every scheduler, in creation order (placement asks them in this order). */
LIST_HEAD(krg_schedulers);

static inline struct krg_scheduler *to_krg_scheduler(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_scheduler, group);
}

void krg_scheduler_node_set(struct krg_scheduler *s, struct krg_nodemask *out)
{
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	*out = s->node_set;
	spin_unlock_irqrestore(&s->lock, flags);
}

static struct krg_policy *krg_scheduler_policy(struct krg_scheduler *s)
{
	return rcu_dereference_protected(s->policy,
					 lockdep_is_held(&krg_cfg_mutex));
}

/*
 * Is @set free of every other exclusive scheduler's nodes, and, when @s
 * is exclusive, of every other scheduler's nodes? Under krg_cfg_mutex.
 */
static bool krg_node_set_free(struct krg_scheduler *s,
			      const struct krg_nodemask *set, bool exclusive)
{
	struct krg_scheduler *o;
	struct krg_nodemask os;

	lockdep_assert_held(&krg_cfg_mutex);
	list_for_each_entry(o, &krg_schedulers, node) {
		if (o == s)
			continue;
		krg_scheduler_node_set(o, &os);
		if ((exclusive || READ_ONCE(o->exclusive)) &&
		    bitmap_intersects(set->bits, os.bits, KRG_MAX_NODES))
			return false;
	}
	return true;
}

/* Install @set (under krg_cfg_mutex) and tell the policy. */
static void krg_scheduler_set_nodes(struct krg_scheduler *s,
				    const struct krg_nodemask *set,
				    bool max_fit)
{
	struct krg_policy *p = krg_scheduler_policy(s);
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	s->node_set = *set;
	s->max_fit = max_fit;
	spin_unlock_irqrestore(&s->lock, flags);
	if (p && p->type->update_node_set)
		p->type->update_node_set(p);
}

/*
 * What node_set_max_fit gives @s: the online nodes no other exclusive
 * scheduler holds, or, when @s is exclusive, that no other scheduler holds.
 * Under krg_cfg_mutex.
 */
static void krg_scheduler_fit(struct krg_scheduler *s,
			      struct krg_nodemask *out)
{
	bool exclusive = READ_ONCE(s->exclusive);
	struct krg_scheduler *o;
	struct krg_nodemask os;

	krg_nodes_online(out);
	list_for_each_entry(o, &krg_schedulers, node) {
		if (o == s || !(exclusive || READ_ONCE(o->exclusive)))
			continue;
		krg_scheduler_node_set(o, &os);
		bitmap_andnot(out->bits, out->bits, os.bits, KRG_MAX_NODES);
	}
}

/* --- attributes ---------------------------------------------------------- */

static ssize_t krg_scheduler_node_set_show(struct config_item *item,
					   char *page)
{
	struct krg_nodemask set;

	krg_scheduler_node_set(to_krg_scheduler(item), &set);
	return sysfs_emit(page, "%*pbl\n", KRG_MAX_NODES, set.bits);
}

/* Writing node_set turns node_set_max_fit off. */
static ssize_t krg_scheduler_node_set_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set, online;
	int ret;

	ret = krg_nodelist_parse(page, &set);
	if (ret) {
		krg_cfg_err(item, "node_set: '%.32s' is not a node list\n",
			    page);
		return ret == -ERANGE ? -EINVAL : ret;
	}
	krg_nodes_online(&online);
	if (bitmap_empty(set.bits, KRG_MAX_NODES) ||
	    !bitmap_subset(set.bits, online.bits, KRG_MAX_NODES)) {
		krg_cfg_err(item, "node_set: %*pbl is empty or has offline nodes (online: %*pbl)\n",
			    KRG_MAX_NODES, set.bits, KRG_MAX_NODES,
			    online.bits);
		return -EINVAL;
	}

	mutex_lock(&krg_cfg_mutex);
	if (!krg_node_set_free(s, &set, READ_ONCE(s->exclusive))) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(item, "node_set: nodes held by an exclusive scheduler\n");
		return -EBUSY;
	}
	krg_scheduler_set_nodes(s, &set, false);
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_scheduler_, node_set);

static ssize_t krg_scheduler_node_set_exclusive_show(struct config_item *item,
						     char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_krg_scheduler(item)->exclusive));
}

static ssize_t krg_scheduler_node_set_exclusive_store(struct config_item *item,
						      const char *page,
						      size_t count)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set;
	bool on;
	int ret;

	ret = krg_parse_bool(page, &on);
	if (ret)
		return ret;
	mutex_lock(&krg_cfg_mutex);
	krg_scheduler_node_set(s, &set);
	if (on && !krg_node_set_free(s, &set, true)) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(item, "node_set_exclusive: another scheduler uses some of %*pbl\n",
			    KRG_MAX_NODES, set.bits);
		return -EBUSY;
	}
	WRITE_ONCE(s->exclusive, on);
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_scheduler_, node_set_exclusive);

static ssize_t krg_scheduler_node_set_max_fit_show(struct config_item *item,
						   char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_krg_scheduler(item)->max_fit));
}

/* 1: node_set follows every online node no exclusive scheduler holds. */
static ssize_t krg_scheduler_node_set_max_fit_store(struct config_item *item,
						    const char *page,
						    size_t count)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set;
	bool on;
	int ret;

	ret = krg_parse_bool(page, &on);
	if (ret)
		return ret;
	mutex_lock(&krg_cfg_mutex);
	if (!on) {
		WRITE_ONCE(s->max_fit, false);
		goto out;
	}
	krg_scheduler_fit(s, &set);
	if (bitmap_empty(set.bits, KRG_MAX_NODES) ||
	    !krg_node_set_free(s, &set, READ_ONCE(s->exclusive))) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(item, "node_set_max_fit: no free node, or a conflict with an exclusive scheduler\n");
		return -EBUSY;
	}
	krg_scheduler_set_nodes(s, &set, true);
out:
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_scheduler_, node_set_max_fit);

static ssize_t krg_scheduler_status_show(struct config_item *item, char *page)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set, online, off;
	struct krg_policy *p;
	ssize_t len;

	krg_scheduler_node_set(s, &set);
	krg_nodes_online(&online);
	rcu_read_lock();
	p = rcu_dereference(s->policy);
	if (!p) {
		len = sysfs_emit(page, "idle: no policy\n");
	} else if (atomic_read(&p->exit_kind) == KRG_EXIT_NONE) {
		len = sysfs_emit(page, "active: policy %s\n", p->type->name);
	} else {
		/* Detached: no decision until the policy is removed. */
		len = sysfs_emit(page, "detached: policy %s: ", p->type->name);
		len += krg_policy_exit_show(p, page + len, PAGE_SIZE - len - 1);
		len += sysfs_emit_at(page, len, "\n");
	}
	rcu_read_unlock();
	if (!bitmap_intersects(set.bits, online.bits, KRG_MAX_NODES))
		len += sysfs_emit_at(page, len,
				     "degraded: no node of node_set %*pbl is online\n",
				     KRG_MAX_NODES, set.bits);
	else if (bitmap_andnot(off.bits, set.bits, online.bits, KRG_MAX_NODES))
		len += sysfs_emit_at(page, len,
				     "offline: node %*pbl of node_set %*pbl\n",
				     KRG_MAX_NODES, off.bits, KRG_MAX_NODES,
				     set.bits);
	return len;
}
CONFIGFS_ATTR_RO(krg_scheduler_, status);

static struct configfs_attribute *krg_scheduler_attrs[] = {
	&krg_scheduler_attr_node_set,
	&krg_scheduler_attr_node_set_exclusive,
	&krg_scheduler_attr_node_set_max_fit,
	&krg_scheduler_attr_status,
	NULL,
};

/* --- the policy child ---------------------------------------------------- */

static struct config_group *krg_scheduler_make_policy(struct config_group *g,
						      const char *name)
{
	struct krg_scheduler *s = to_krg_scheduler(&g->cg_item);

	/* Cheap early refusal; krg_policy_make() checks again under the mutex. */
	if (rcu_access_pointer(s->policy)) {
		krg_cfg_err(&g->cg_item, "already has a policy\n");
		return ERR_PTR(-EBUSY);
	}
	return krg_policy_make(s, name);
}

static void krg_scheduler_drop_policy(struct config_group *g,
				      struct config_item *item)
{
	krg_policy_drop(krg_policy_from_item(item));
	config_item_put(item);
}

static void krg_scheduler_release(struct config_item *item)
{
	kfree(to_krg_scheduler(item));
}

static struct configfs_item_operations krg_scheduler_item_ops = {
	.release = krg_scheduler_release,
};

static struct configfs_group_operations krg_scheduler_group_ops = {
	.make_group = krg_scheduler_make_policy,
	.drop_item = krg_scheduler_drop_policy,
};

static const struct config_item_type krg_scheduler_type = {
	.ct_item_ops = &krg_scheduler_item_ops,
	.ct_group_ops = &krg_scheduler_group_ops,
	.ct_attrs = krg_scheduler_attrs,
	.ct_owner = THIS_MODULE,
};

struct config_group *krg_scheduler_make(struct config_group *parent,
					const char *name)
{
	struct krg_scheduler *s;

	if (strlen(name) > KRG_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&s->lock);
	config_group_init_type_name(&s->group, name, &krg_scheduler_type);
	krg_process_set_init(&s->pset, &s->group);

	mutex_lock(&krg_cfg_mutex);
	/*
	 * A new scheduler takes every node no exclusive scheduler holds, and
	 * follows hotplug until node_set is written.
	 */
	krg_scheduler_fit(s, &s->node_set);
	s->max_fit = true;
	list_add_tail_rcu(&s->node, &krg_schedulers);
	mutex_unlock(&krg_cfg_mutex);
	return &s->group;
}

void krg_scheduler_drop(struct config_group *parent, struct config_item *item)
{
	struct krg_scheduler *s = to_krg_scheduler(item);

	mutex_lock(&krg_cfg_mutex);
	list_del_rcu(&s->node);
	mutex_unlock(&krg_cfg_mutex);
	synchronize_rcu();
	krg_remove_default_groups(&s->group);
	config_item_put(item);
}

/* --- node hotplug -------------------------------------------------------- */

/*
 * A node came or went: every max_fit scheduler takes its fit again.
 * Exclusive ones first, in creation order, so that a node coming online
 * goes to the first of them and no other scheduler can share it; the
 * others then take what no exclusive scheduler holds.
 */
static int krg_scheduler_nodes_event(struct notifier_block *nb,
				     unsigned long event, void *data)
{
	struct krg_scheduler *s;
	struct krg_nodemask set;
	int pass;

	mutex_lock(&krg_cfg_mutex);
	for (pass = 0; pass < 2; pass++) {
		list_for_each_entry(s, &krg_schedulers, node) {
			if (!READ_ONCE(s->max_fit) ||
			    READ_ONCE(s->exclusive) != !pass)
				continue;
			krg_scheduler_fit(s, &set);
			krg_scheduler_set_nodes(s, &set, true);
		}
	}
	mutex_unlock(&krg_cfg_mutex);
	return NOTIFY_OK;
}

static struct notifier_block krg_scheduler_nodes_nb = {
	.notifier_call = krg_scheduler_nodes_event,
};

int krg_scheduler_nodes_init(void)
{
	return krg_nodes_register_notifier(&krg_scheduler_nodes_nb);
}

void krg_scheduler_nodes_uninit(void)
{
	krg_nodes_unregister_notifier(&krg_scheduler_nodes_nb);
}
