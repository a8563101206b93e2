// SPDX-License-Identifier: GPL-2.0
/*
 * Filters: `mkdir <port>/<filter type>` makes a filter inside a port. A
 * filter has its own ports (inputs) and one source (its output, which feeds
 * the port it lives in and any port linked to it).
 *
 * As in Kerrighed, the filter's directory is also its main input port (its
 * first port): `ln -s <source> <filter>/<any name>` and `mkdir
 * <filter>/<filter type>` connect it. Its other ports are subdirectories.
 */
#include <linux/configfs.h>
#include <linux/slab.h>
#include "internal.h"

static inline struct krg_filter *to_krg_filter(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_filter,
			    inst.group);
}

struct krg_filter *krg_filter_from_item(struct config_item *item)
{
	return to_krg_filter(item);
}
EXPORT_SYMBOL_GPL(krg_filter_from_item);

void *krg_filter_priv(struct krg_filter *filter)
{
	return filter->inst.priv;
}
EXPORT_SYMBOL_GPL(krg_filter_priv);

struct krg_port *krg_filter_port(struct krg_filter *filter, unsigned int index)
{
	return krg_instance_port(&filter->inst, index);
}
EXPORT_SYMBOL_GPL(krg_filter_port);

void krg_filter_publish(struct krg_filter *filter)
{
	krg_source_publish(&filter->src);
}
EXPORT_SYMBOL_GPL(krg_filter_publish);

/* One of @f's ports was pushed a new value. Atomic. */
void krg_filter_notify(struct krg_filter *f, struct krg_port *port)
{
	if (f->type->update)
		f->type->update(f, port);
	else
		krg_filter_publish(f);
}

static ssize_t krg_filter_value_show(struct config_item *item, char *page)
{
	return krg_source_show(&to_krg_filter(item)->src, KRG_NODE_NONE, page);
}
CONFIGFS_ATTR_RO(krg_filter_, value);

/* collected_value: what the main input reads now, as a port's file. */
static ssize_t krg_filter_collected_value_show(struct config_item *item,
					       char *page)
{
	return krg_port_collected_value_show(&to_krg_filter(item)->inst.ports[0],
					     page);
}
CONFIGFS_ATTR_RO(krg_filter_, collected_value);

/* type: the output's type, as a probe source's (what a port must accept). */
static ssize_t krg_filter_type_show(struct config_item *item, char *page)
{
	return krg_value_type_show(to_krg_filter(item)->src.type, page);
}
CONFIGFS_ATTR_RO(krg_filter_, type);

struct configfs_attribute *krg_filter_common_attrs[] = {
	&krg_filter_attr_value,
	&krg_filter_attr_collected_value,
	&krg_filter_attr_type,
	NULL,
};

struct config_group *krg_filter_make(struct krg_port *port, const char *name)
{
	const struct krg_filter_type *t;
	struct krg_filter *f;
	int ret;

	f = krg_instance_new(KRG_KIND_FILTER, name, sizeof(*f));
	if (IS_ERR(f))
		return ERR_CAST(f);
	t = f->inst.entry->filter;
	f->type = t;
	f->parent = port;
	krg_source_init(&f->src, KRG_SRC_FILTER, t->type);

	if (t->init) {
		ret = t->init(f);
		if (ret)
			goto err_free;
	}

	mutex_lock(&krg_cfg_mutex);
	ret = krg_port_attach_child(port, f);
	mutex_unlock(&krg_cfg_mutex);
	if (ret)
		goto err_exit;
	return &f->inst.group;

err_exit:
	if (t->exit)
		t->exit(f);
err_free:
	/* Not in configfs yet: nobody else holds it. */
	krg_instance_free(&f->inst);
	return ERR_PTR(ret);
}

/*
 * rmdir of a filter. configfs has checked that nothing is linked to it or
 * inside it and its ports, so only its own port connection remains, and
 * what a racing ln -s connected.
 */
void krg_filter_drop(struct krg_filter *f)
{
	mutex_lock(&krg_cfg_mutex);
	krg_port_detach_child(f->parent);
	krg_source_kill(&f->src);
	krg_instance_kill_ports(&f->inst);
	mutex_unlock(&krg_cfg_mutex);
	if (f->type->exit)
		f->type->exit(f);
	krg_remove_default_groups(&f->inst.group);
}

void krg_filter_release(struct config_item *item)
{
	krg_instance_free(&to_krg_filter(item)->inst);
}

/* The filter directory as its main input port. */
static int krg_filter_allow_link(struct config_item *item,
				 struct config_item *target)
{
	return krg_port_link(&to_krg_filter(item)->inst.ports[0], target);
}

static void krg_filter_drop_link(struct config_item *item,
				 struct config_item *target)
{
	krg_port_unlink(&to_krg_filter(item)->inst.ports[0], target);
}

static struct config_group *krg_filter_make_group(struct config_group *group,
						  const char *name)
{
	return krg_filter_make(&to_krg_filter(&group->cg_item)->inst.ports[0],
			       name);
}

static void krg_filter_drop_item(struct config_group *group,
				 struct config_item *item)
{
	krg_port_drop_filter(item);
}

struct configfs_item_operations krg_filter_item_ops = {
	.release = krg_filter_release,
	.allow_link = krg_filter_allow_link,
	.drop_link = krg_filter_drop_link,
};

struct configfs_group_operations krg_filter_group_ops = {
	.make_group = krg_filter_make_group,
	.drop_item = krg_filter_drop_item,
};
