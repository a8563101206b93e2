// SPDX-License-Identifier: GPL-2.0
/*
 * probes/<probe>: a probe instance, its sources (<source>/value) and their
 * per-node values (<source>/nodes/<n>/value). Periodic probes measure every
 * probe_period ms in a workqueue; event-driven ones publish from their own
 * hooks. A probe type may declare input ports (probes/<probe>/<port>/),
 * which it reads when it measures.
 */
#include <linux/configfs.h>
#include <linux/slab.h>
#include "internal.h"

/* nodes/<n>/: one per possible node, allocated with the probe. */
struct krg_node_dir {
	struct krg_group kg;
	struct krg_probe_source *ps;
	int node;
};

struct krg_probe_source {
	struct krg_source src;
	struct krg_group kg;		/* <source>/ */
	struct krg_group nodes;		/* <source>/nodes/ */
	struct krg_probe *probe;
	const struct krg_source_desc *desc;
	unsigned int nr_node_dirs;
	struct krg_node_dir *node_dirs;
};

struct krg_probe {
	struct config_group group;
	struct krg_type_entry *entry;
	const struct krg_probe_type *type;
	/* period_ms: written under krg_cfg_mutex, read by the worker. */
	unsigned int period_ms;
	struct delayed_work work;
	bool stopping;			/* cfg mutex; no more rescheduling */
	void *priv;
	unsigned int nr_ports;
	struct krg_port *ports;		/* [nr_ports], default groups */
	unsigned int nr_sources;
	struct krg_probe_source sources[];
};

#define KRG_PROBE_PERIOD_MIN	10		/* ms */
#define KRG_PROBE_PERIOD_MAX	3600000		/* ms: one hour */

static inline struct krg_probe *to_krg_probe(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_probe, group);
}

struct krg_probe *krg_probe_from_item(struct config_item *item)
{
	return to_krg_probe(item);
}
EXPORT_SYMBOL_GPL(krg_probe_from_item);

void *krg_probe_priv(struct krg_probe *probe)
{
	return probe->priv;
}
EXPORT_SYMBOL_GPL(krg_probe_priv);

struct krg_port *krg_probe_port(struct krg_probe *probe, unsigned int index)
{
	return index < probe->nr_ports ? &probe->ports[index] : NULL;
}
EXPORT_SYMBOL_GPL(krg_probe_port);

void krg_probe_publish(struct krg_probe *probe, unsigned int source)
{
	if (source < probe->nr_sources)
		krg_source_publish(&probe->sources[source].src);
}
EXPORT_SYMBOL_GPL(krg_probe_publish);

int krg_probe_source_get_value(struct krg_source *src, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	struct krg_probe_source *ps = container_of(src, struct krg_probe_source,
						   src);
	const struct krg_source_desc *d = ps->desc;

	if (node == KRG_NODE_NONE)
		return d->get_value(ps->probe, out, nr, in, in_nr);
	if (!krg_node_valid(node))
		return -EINVAL;
	/*
	 * With the numa backend every node's value is a local read. The
	 * cluster backend will answer remote nodes from the SSI layer's cache.
	 */
	if (d->get_node_value)
		return d->get_node_value(ps->probe, node, out, nr, in, in_nr);
	return node == krg_local_node() ?
	       d->get_value(ps->probe, out, nr, in, in_nr) : -EOPNOTSUPP;
}

static void krg_probe_work(struct work_struct *work)
{
	struct krg_probe *probe = container_of(to_delayed_work(work),
					       struct krg_probe, work);

	probe->type->measure(probe);
	if (!READ_ONCE(probe->stopping))
		queue_delayed_work(system_wq, &probe->work,
				   msecs_to_jiffies(READ_ONCE(probe->period_ms)));
}

/* --- attributes ---------------------------------------------------------- */

static ssize_t krg_probe_probe_period_show(struct config_item *item,
					   char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_krg_probe(item)->period_ms));
}

static ssize_t krg_probe_probe_period_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct krg_probe *probe = to_krg_probe(item);
	unsigned int ms;
	int ret;

	ret = kstrtouint(page, 0, &ms);
	if (ret)
		return ret;
	if (ms < KRG_PROBE_PERIOD_MIN || ms > KRG_PROBE_PERIOD_MAX) {
		krg_cfg_err(item, "probe_period %u out of range %u..%u ms\n",
			    ms, KRG_PROBE_PERIOD_MIN, KRG_PROBE_PERIOD_MAX);
		return -ERANGE;
	}
	mutex_lock(&krg_cfg_mutex);
	WRITE_ONCE(probe->period_ms, ms);
	if (!probe->stopping)
		mod_delayed_work(system_wq, &probe->work, msecs_to_jiffies(ms));
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_probe_, probe_period);

struct configfs_attribute *krg_probe_common_attrs[] = {
	&krg_probe_attr_probe_period,
	NULL,
};

/* An event-driven probe's probe_period (0) is read-only: not a setting. */
static struct configfs_attribute krg_probe_attr_probe_period_ro = {
	.ca_name = "probe_period", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_probe_probe_period_show,
};

struct configfs_attribute *krg_probe_event_attrs[] = {
	&krg_probe_attr_probe_period_ro,
	NULL,
};

static struct krg_probe_source *to_probe_source(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_probe_source,
			    kg.group);
}

struct krg_source *krg_probe_source_of(struct config_item *item)
{
	return &to_probe_source(item)->src;
}

/* The probe of a KRG_SRC_PROBE source. */
struct krg_probe *krg_probe_of_source(struct krg_source *src)
{
	return container_of(src, struct krg_probe_source, src)->probe;
}

static ssize_t krg_psrc_value_show(struct config_item *item, char *page)
{
	return krg_source_show(&to_probe_source(item)->src, KRG_NODE_NONE,
			       page);
}

static ssize_t krg_psrc_type_show(struct config_item *item, char *page)
{
	const struct krg_value_type *t = to_probe_source(item)->src.type;

	if (t->param)
		return sysfs_emit(page, "%s(%s)\n", t->name, t->param);
	return sysfs_emit(page, "%s\n", t->name);
}

static struct configfs_attribute krg_psrc_attr_value = {
	.ca_name = "value", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_psrc_value_show,
};

static struct configfs_attribute krg_psrc_attr_type = {
	.ca_name = "type", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_psrc_type_show,
};

static struct configfs_attribute *krg_psrc_attrs[] = {
	&krg_psrc_attr_value,
	&krg_psrc_attr_type,
	NULL,
};

/* Link targets are recognised by these ops (see krg_item_source()). */
struct configfs_item_operations krg_probe_source_item_ops = {
	.release = krg_group_release,
};

static struct configfs_item_operations krg_probe_child_item_ops = {
	.release = krg_group_release,
};

static const struct config_item_type krg_psrc_type = {
	.ct_item_ops = &krg_probe_source_item_ops,
	.ct_attrs = krg_psrc_attrs,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type krg_nodes_dir_type = {
	.ct_item_ops = &krg_probe_child_item_ops,
	.ct_owner = THIS_MODULE,
};

static ssize_t krg_node_value_show(struct config_item *item, char *page)
{
	struct krg_node_dir *nd = container_of(to_config_group(item),
					       struct krg_node_dir, kg.group);

	return krg_source_show(&nd->ps->src, nd->node, page);
}

static struct configfs_attribute krg_node_attr_value = {
	.ca_name = "value", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_node_value_show,
};

static struct configfs_attribute *krg_node_attrs[] = {
	&krg_node_attr_value,
	NULL,
};

static const struct config_item_type krg_node_dir_type = {
	.ct_item_ops = &krg_probe_child_item_ops,
	.ct_attrs = krg_node_attrs,
	.ct_owner = THIS_MODULE,
};

/* --- life cycle ---------------------------------------------------------- */

static void krg_probe_free(struct krg_probe *probe)
{
	unsigned int i;

	for (i = 0; i < probe->nr_sources; i++)
		kfree(probe->sources[i].node_dirs);
	kfree(probe->ports);
	kfree(probe->priv);
	kfree(probe);
}

static int krg_probe_source_setup(struct krg_probe *probe, unsigned int i,
				  const struct krg_nodemask *possible,
				  unsigned int nr_nodes)
{
	struct krg_probe_source *ps = &probe->sources[i];
	struct krg_node_dir *nd;
	char name[12];
	int node;

	ps->probe = probe;
	ps->desc = probe->type->sources[i];
	krg_source_init(&ps->src, KRG_SRC_PROBE, ps->desc->type);
	krg_group_init(&ps->kg, ps->desc->name, &krg_psrc_type, &probe->group,
		       &probe->group.cg_item);
	krg_group_init(&ps->nodes, "nodes", &krg_nodes_dir_type, &ps->kg.group,
		       &probe->group.cg_item);

	ps->node_dirs = kcalloc(nr_nodes, sizeof(*ps->node_dirs), GFP_KERNEL);
	if (!ps->node_dirs)
		return -ENOMEM;
	nd = ps->node_dirs;
	krg_for_each_node(node, possible) {
		nd->ps = ps;
		nd->node = node;
		snprintf(name, sizeof(name), "%d", node);
		krg_group_init(&nd->kg, name, &krg_node_dir_type,
			       &ps->nodes.group, &probe->group.cg_item);
		nd++;
	}
	ps->nr_node_dirs = nr_nodes;
	return 0;
}

static int krg_probe_ports_setup(struct krg_probe *probe)
{
	const struct krg_port_desc *const *d = probe->type->ports;
	unsigned int n = 0, i;

	while (d && d[n])
		n++;
	if (!n)
		return 0;
	probe->ports = kcalloc(n, sizeof(*probe->ports), GFP_KERNEL);
	if (!probe->ports)
		return -ENOMEM;
	probe->nr_ports = n;
	for (i = 0; i < n; i++) {
		probe->ports[i].probe = probe;
		krg_port_init(&probe->ports[i], d[i], i, &probe->group);
	}
	return 0;
}

struct config_group *krg_probe_make(struct config_group *parent,
				    const char *name)
{
	struct krg_nodemask possible;
	struct krg_type_entry *e;
	struct krg_probe *probe;
	unsigned int n = 0, i, nr_nodes;
	int ret;

	e = krg_type_get(KRG_KIND_PROBE, name);
	if (IS_ERR(e))
		return ERR_CAST(e);
	while (e->probe->sources[n])
		n++;

	ret = -ENOMEM;
	probe = kzalloc(struct_size(probe, sources, n), GFP_KERNEL);
	if (!probe)
		goto err_put_type;
	probe->entry = e;
	probe->type = e->probe;
	probe->nr_sources = n;
	probe->period_ms = e->probe->period_ms;
	INIT_DELAYED_WORK(&probe->work, krg_probe_work);
	if (e->probe->priv_size) {
		probe->priv = kzalloc(e->probe->priv_size, GFP_KERNEL);
		if (!probe->priv)
			goto err_free_probe;
	}
	config_group_init_type_name(&probe->group, name, &e->ct);

	krg_nodes_possible(&possible);
	nr_nodes = bitmap_weight(possible.bits, KRG_MAX_NODES);
	for (i = 0; i < n; i++) {
		ret = krg_probe_source_setup(probe, i, &possible, nr_nodes);
		if (ret)
			goto err_free_probe;
	}
	ret = krg_probe_ports_setup(probe);
	if (ret)
		goto err_free_probe;

	if (probe->type->init) {
		ret = probe->type->init(probe);
		if (ret)
			goto err_free_probe;
	}

	/* Publish last: the first measurement runs once everything exists. */
	if (probe->type->measure && probe->period_ms)
		queue_delayed_work(system_wq, &probe->work, 0);
	return &probe->group;

err_free_probe:
	/* Nothing is linked into configfs yet: free by hand. */
	krg_probe_free(probe);
err_put_type:
	krg_type_put(e);
	return ERR_PTR(ret);
}

/* rmdir probes/<probe>: stop measuring, then the component's exit. */
void krg_probe_drop(struct config_group *parent, struct config_item *item)
{
	struct krg_probe *probe = to_krg_probe(item);
	unsigned int i;

	mutex_lock(&krg_cfg_mutex);
	WRITE_ONCE(probe->stopping, true);
	/* configfs refused the rmdir if links existed; racing ones go. */
	for (i = 0; i < probe->nr_sources; i++)
		krg_source_kill(&probe->sources[i].src);
	/* Its inputs: links are gone (configfs), a racing one goes now. */
	for (i = 0; i < probe->nr_ports; i++)
		krg_port_kill(&probe->ports[i]);
	mutex_unlock(&krg_cfg_mutex);
	cancel_delayed_work_sync(&probe->work);
	/* No port pulls from the probe any more (and none will). */
	synchronize_rcu();
	if (probe->type->exit)
		probe->type->exit(probe);
	krg_remove_default_groups(&probe->group);
	config_item_put(item);
}

void krg_probe_release(struct config_item *item)
{
	struct krg_probe *probe = to_krg_probe(item);
	struct krg_type_entry *e = probe->entry;

	krg_probe_free(probe);
	krg_type_put(e);
}

struct configfs_item_operations krg_probe_item_ops = {
	.release = krg_probe_release,
};
