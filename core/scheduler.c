// SPDX-License-Identifier: GPL-2.0
/*
 * schedulers/<name>: a scheduler. It owns its process set, its node set and
 * at most one policy.
 */
#include <linux/configfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <krg/nodes.h>
#include "internal.h"

struct krg_scheduler {
	struct config_group group;
	/* lock protects node_set; held only to copy it (any context). */
	spinlock_t lock;
	struct krg_nodemask node_set;
};

static inline struct krg_scheduler *to_krg_scheduler(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_scheduler, group);
}

static ssize_t krg_scheduler_status_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "idle: no policy\n");
}
CONFIGFS_ATTR_RO(krg_scheduler_, status);

/* node_set: the nodes this scheduler may use, a node list ("0-3,5"). */
static ssize_t krg_scheduler_node_set_show(struct config_item *item, char *page)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set;

	spin_lock(&s->lock);
	set = s->node_set;
	spin_unlock(&s->lock);
	return sysfs_emit(page, "%*pbl\n", KRG_MAX_NODES, set.bits);
}

static ssize_t krg_scheduler_node_set_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct krg_scheduler *s = to_krg_scheduler(item);
	struct krg_nodemask set, online;
	int ret;

	ret = krg_nodelist_parse(page, &set);
	if (ret)
		return ret;
	krg_nodes_online(&online);
	if (bitmap_empty(set.bits, KRG_MAX_NODES) ||
	    !bitmap_subset(set.bits, online.bits, KRG_MAX_NODES))
		return -EINVAL;

	spin_lock(&s->lock);
	s->node_set = set;
	spin_unlock(&s->lock);
	return count;
}
CONFIGFS_ATTR(krg_scheduler_, node_set);

static struct configfs_attribute *krg_scheduler_attrs[] = {
	&krg_scheduler_attr_status,
	&krg_scheduler_attr_node_set,
	NULL,
};

static void krg_scheduler_release(struct config_item *item)
{
	kfree(to_krg_scheduler(item));
}

static struct configfs_item_operations krg_scheduler_item_ops = {
	.release = krg_scheduler_release,
};

static const struct config_item_type krg_scheduler_type = {
	.ct_item_ops = &krg_scheduler_item_ops,
	.ct_attrs = krg_scheduler_attrs,
	.ct_owner = THIS_MODULE,
};

struct config_group *krg_scheduler_make(struct config_group *parent,
					const char *name)
{
	struct krg_scheduler *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&s->lock);
	krg_nodes_online(&s->node_set);
	config_group_init_type_name(&s->group, name, &krg_scheduler_type);
	return &s->group;
}
