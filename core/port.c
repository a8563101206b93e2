// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: the inputs of filters, policies and probes. A port is connected to
 * one source, by `ln -s <source dir> <port dir>/<any name>` (a probe source,
 * a filter, or another port) or by `mkdir <port dir>/<filter type>`. It
 * subscribes to that source only while a policy is at the end of its chain
 * (Kerrighed's rule), so pushes never run into dead ends.
 *
 * A filter's first port is its main input and has no directory of its own:
 * as in Kerrighed, the filter's directory is that port (filter.c hands its
 * link and mkdir callbacks to the functions below). Its other ports are
 * subdirectories, like a policy's.
 */
#include <linux/configfs.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include "internal.h"

/*
 * Testing only: ln -s into a port sleeps this long before connecting and
 * again after, so that tests can run an rmdir of the target inside the
 * window between configfs resolving the target and creating the link.
 */
static unsigned int test_link_delay_ms;
module_param(test_link_delay_ms, uint, 0600);
MODULE_PARM_DESC(test_link_delay_ms,
		 "testing: ln -s into a port sleeps this long (ms) before and after connecting");

static inline struct krg_port *to_krg_port(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_port, kg.group);
}

static struct krg_source *krg_port_conn(struct krg_port *port)
{
	return rcu_dereference_protected(port->conn,
					 lockdep_is_held(&krg_cfg_mutex));
}

/* Is @port the main input of a filter, i.e. the filter's own directory? */
static bool krg_port_is_main(const struct krg_port *port)
{
	return port->filter && port == &port->filter->inst.ports[0];
}

/* The directory name users know the port by, for messages. */
static const char *krg_port_name(struct krg_port *port)
{
	if (krg_port_is_main(port))
		return config_item_name(&port->filter->inst.group.cg_item);
	return config_item_name(&port->kg.group.cg_item);
}

/*
 * Does anything at the end of this port's chain want its values? A probe
 * pulls its ports and is never pushed to: only ports linked to its port do.
 */
static bool krg_port_wanted(struct krg_port *port)
{
	if (port->policy)
		return true;
	if (port->probe)
		return port->tee.nr_subscribers;
	return port->filter->src.nr_subscribers || port->tee.nr_subscribers;
}

static void krg_source_demand_changed(struct krg_source *src)
{
	struct krg_filter *f;
	unsigned int i;

	switch (src->kind) {
	case KRG_SRC_PROBE:
		break;
	case KRG_SRC_FILTER:
		f = container_of(src, struct krg_filter, src);
		for (i = 0; i < f->inst.nr_ports; i++)
			krg_port_refresh(&f->inst.ports[i]);
		break;
	case KRG_SRC_PORT:
		krg_port_refresh(container_of(src, struct krg_port, tee));
		break;
	}
}

static void krg_port_set_subscribed(struct krg_port *port,
				    struct krg_source *src, bool want)
{
	if (want == port->subscribed)
		return;
	port->subscribed = want;
	if (want) {
		list_add_tail_rcu(&port->sub_node, &src->subscribers);
		if (src->nr_subscribers++ == 0)
			krg_source_demand_changed(src);
	} else {
		list_del_rcu(&port->sub_node);
		/* Publishers may still walk the node: wait before reuse. */
		synchronize_rcu();
		if (--src->nr_subscribers == 0)
			krg_source_demand_changed(src);
	}
}

/*
 * Subscribe or unsubscribe @port to match what its chain wants, and let the
 * sources above it know. Under krg_cfg_mutex; may sleep.
 */
void krg_port_refresh(struct krg_port *port)
{
	struct krg_source *src = krg_port_conn(port);

	lockdep_assert_held(&krg_cfg_mutex);
	krg_port_set_subscribed(port, src, src && krg_port_wanted(port));
}

/* Does @src (or anything feeding it) read from @port? */
static bool krg_source_reads(struct krg_source *src, struct krg_port *port,
			     int depth)
{
	struct krg_probe *probe;
	struct krg_filter *f;
	struct krg_port *p;
	struct krg_source *up;
	unsigned int i;

	if (depth > KRG_MAX_CHAIN)
		return true;	/* too deep: treat as a loop, refuse */
	switch (src->kind) {
	case KRG_SRC_PROBE:
		/* A probe with ports computes from them: no feedback loops. */
		probe = krg_probe_of_source(src);
		for (i = 0; (p = krg_probe_port(probe, i)); i++) {
			if (p == port)
				return true;
			up = krg_port_conn(p);
			if (up && krg_source_reads(up, port, depth + 1))
				return true;
		}
		return false;
	case KRG_SRC_PORT:
		p = container_of(src, struct krg_port, tee);
		if (p == port)
			return true;
		up = krg_port_conn(p);
		return up && krg_source_reads(up, port, depth + 1);
	case KRG_SRC_FILTER:
		f = container_of(src, struct krg_filter, src);
		for (i = 0; i < f->inst.nr_ports; i++) {
			p = &f->inst.ports[i];
			if (p == port)
				return true;
			up = krg_port_conn(p);
			if (up && krg_source_reads(up, port, depth + 1))
				return true;
		}
		return false;
	}
	return true;
}

/* Sources above @src, @src included. */
static int krg_depth_up(struct krg_source *src)
{
	struct krg_source *up;
	struct krg_filter *f;
	int d = 0, i;

	switch (src->kind) {
	case KRG_SRC_PROBE:
		return 1;
	case KRG_SRC_PORT:
		up = krg_port_conn(container_of(src, struct krg_port, tee));
		return 1 + (up ? krg_depth_up(up) : 0);
	case KRG_SRC_FILTER:
		f = container_of(src, struct krg_filter, src);
		for (i = 0; i < f->inst.nr_ports; i++) {
			up = krg_port_conn(&f->inst.ports[i]);
			if (up)
				d = max(d, krg_depth_up(up));
		}
		return 1 + d;
	}
	return KRG_MAX_CHAIN + 1;
}

static int krg_depth_down_src(struct krg_source *src);

/* Ports and sources below @port, @port included. */
static int krg_depth_down(struct krg_port *port)
{
	int d = krg_depth_down_src(&port->tee);

	if (port->filter)
		d = max(d, krg_depth_down_src(&port->filter->src));
	return 1 + d;
}

static int krg_depth_down_src(struct krg_source *src)
{
	struct krg_port *user;
	int d = 0;

	list_for_each_entry(user, &src->users, use_node)
		d = max(d, krg_depth_down(user));
	return d;
}

/*
 * Connect @port to @src. Refuses with -ENOENT a port or source whose object
 * is being removed, -EBUSY a connected port, -EINVAL incompatible types,
 * -ELOOP a loop or a chain longer than KRG_MAX_CHAIN.
 */
static int krg_port_connect(struct krg_port *port, struct krg_source *src)
{
	lockdep_assert_held(&krg_cfg_mutex);
	if (port->dead || src->dead)
		return -ENOENT;
	if (krg_port_conn(port) || port->child)
		return -EBUSY;
	if (!krg_types_match(port->desc->type, src->type)) {
		pr_notice_ratelimited("port %s accepts %s%s%s values, not %s%s%s\n",
				      krg_port_name(port), port->desc->type->name,
				      port->desc->type->param ? "(" : "",
				      port->desc->type->param ?: "",
				      src->type->name,
				      src->type->param ? "(" : "",
				      src->type->param ?: "");
		return -EINVAL;
	}
	if (krg_source_reads(src, port, 0) ||
	    krg_depth_up(src) + krg_depth_down(port) > KRG_MAX_CHAIN)
		return -ELOOP;
	list_add(&port->use_node, &src->users);
	rcu_assign_pointer(port->conn, src);
	krg_port_refresh(port);
	return 0;
}

/* Disconnect @port; readers are gone when this returns. Under the mutex. */
void krg_port_disconnect(struct krg_port *port)
{
	struct krg_source *src = krg_port_conn(port);

	lockdep_assert_held(&krg_cfg_mutex);
	if (!src)
		return;
	krg_port_set_subscribed(port, src, false);
	RCU_INIT_POINTER(port->conn, NULL);
	list_del_init(&port->use_node);
	synchronize_rcu();		/* pullers that still saw @src */
	port->link = NULL;
}

/*
 * The object of @src is being removed: called under krg_cfg_mutex at the
 * start of its drop, before its exit(). No port connects to it from now on,
 * and the ports a racing ln -s connected are disconnected: configfs calls
 * allow_link before it checks whether the target is being removed, so
 * otherwise a port could read an object whose exit() ran. (Links that
 * configfs made keep the target from being removed at all.)
 */
void krg_source_kill(struct krg_source *src)
{
	struct krg_port *user, *tmp;

	lockdep_assert_held(&krg_cfg_mutex);
	src->dead = true;
	list_for_each_entry_safe(user, tmp, &src->users, use_node)
		if (!user->child)
			krg_port_disconnect(user);
}

/*
 * @port's filter or policy is being removed (start of its drop, under
 * krg_cfg_mutex): it takes no new connection, is disconnected (a racing
 * ln -s may have connected it), and nothing connects to it any more.
 * A port holding a filter keeps it: configfs removes the filter first.
 */
void krg_port_kill(struct krg_port *port)
{
	lockdep_assert_held(&krg_cfg_mutex);
	port->dead = true;
	krg_source_kill(&port->tee);
	if (!port->child)
		krg_port_disconnect(port);
}

/*
 * The source behind a configfs item that can be a link target, or NULL:
 * a probe's source directory, a filter, or a port.
 */
struct krg_source *krg_item_source(struct config_item *item)
{
	const struct config_item_type *t = item->ci_type;

	if (!t)
		return NULL;
	if (t->ct_item_ops == &krg_probe_source_item_ops)
		return krg_probe_source_of(item);
	if (t->ct_item_ops == &krg_filter_item_ops)
		return &container_of(to_config_group(item), struct krg_filter,
				     inst.group)->src;
	if (t->ct_item_ops == &krg_port_item_ops)
		return &to_krg_port(item)->tee;
	return NULL;
}

/* ln -s @target <port>/<name>: connect @port to the source behind @target. */
int krg_port_link(struct krg_port *port, struct config_item *target)
{
	struct krg_source *src = krg_item_source(target);
	int ret;

	if (!src) {
		pr_notice_ratelimited("%s: %s is not a source\n",
				      krg_port_name(port),
				      config_item_name(target));
		return -EINVAL;
	}
	if (unlikely(READ_ONCE(test_link_delay_ms)))
		msleep_interruptible(READ_ONCE(test_link_delay_ms));
	mutex_lock(&krg_cfg_mutex);
	ret = krg_port_connect(port, src);
	if (!ret)
		port->link = target;
	mutex_unlock(&krg_cfg_mutex);
	if (unlikely(READ_ONCE(test_link_delay_ms)) && !ret)
		msleep_interruptible(READ_ONCE(test_link_delay_ms));
	return ret;
}

/* rm <port>/<link>. */
void krg_port_unlink(struct krg_port *port, struct config_item *target)
{
	mutex_lock(&krg_cfg_mutex);
	if (port->link == target)
		krg_port_disconnect(port);
	mutex_unlock(&krg_cfg_mutex);
}

/* rmdir of the filter made inside a port. */
void krg_port_drop_filter(struct config_item *item)
{
	krg_filter_drop(container_of(to_config_group(item), struct krg_filter,
				     inst.group));
	config_item_put(item);
}

static int krg_port_allow_link(struct config_item *item,
			       struct config_item *target)
{
	return krg_port_link(to_krg_port(item), target);
}

static void krg_port_drop_link(struct config_item *item,
			       struct config_item *target)
{
	krg_port_unlink(to_krg_port(item), target);
}

static struct config_group *krg_port_make_group(struct config_group *group,
						const char *name)
{
	return krg_filter_make(to_krg_port(&group->cg_item), name);
}

static void krg_port_drop_item(struct config_group *group,
			       struct config_item *item)
{
	krg_port_drop_filter(item);
}

/* Called by filter.c with the new filter, under the mutex. */
int krg_port_attach_child(struct krg_port *port, struct krg_filter *f)
{
	int ret;

	lockdep_assert_held(&krg_cfg_mutex);
	ret = krg_port_connect(port, &f->src);
	if (!ret)
		port->child = f;
	return ret;
}

void krg_port_detach_child(struct krg_port *port)
{
	lockdep_assert_held(&krg_cfg_mutex);
	krg_port_disconnect(port);
	port->child = NULL;
}

ssize_t krg_port_collected_value_show(struct krg_port *port, char *page)
{
	if (!rcu_access_pointer(port->conn))
		return sysfs_emit(page, "(not connected)\n");
	return krg_source_show(&port->tee, KRG_NODE_NONE, page);
}

static ssize_t krg_port_collected_value_show_attr(struct config_item *item,
						  char *page)
{
	return krg_port_collected_value_show(to_krg_port(item), page);
}

static struct configfs_attribute krg_port_attr_collected_value = {
	.ca_name = "collected_value",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0444,
	.show = krg_port_collected_value_show_attr,
};

/* type: what the port accepts, e.g. "u64" or "load(pid_t)". */
static ssize_t krg_port_type_show(struct config_item *item, char *page)
{
	return krg_value_type_show(to_krg_port(item)->desc->type, page);
}
CONFIGFS_ATTR_RO(krg_port_, type);

static struct configfs_attribute *krg_port_attrs[] = {
	&krg_port_attr_collected_value,
	&krg_port_attr_type,
	NULL,
};

struct configfs_item_operations krg_port_item_ops = {
	.release = krg_group_release,
	.allow_link = krg_port_allow_link,
	.drop_link = krg_port_drop_link,
};

static struct configfs_group_operations krg_port_group_ops = {
	.make_group = krg_port_make_group,
	.drop_item = krg_port_drop_item,
};

static const struct config_item_type krg_port_type = {
	.ct_item_ops = &krg_port_item_ops,
	.ct_group_ops = &krg_port_group_ops,
	.ct_attrs = krg_port_attrs,
	.ct_owner = THIS_MODULE,
};

/*
 * Set up @port, the @index-th of its owner (->filter, ->policy or ->probe is
 * already set). It is a default group of its owner's directory @parent,
 * except a filter's main input, which is the filter's directory itself.
 */
void krg_port_init(struct krg_port *port, const struct krg_port_desc *desc,
		   unsigned int index, struct config_group *parent)
{
	port->desc = desc;
	port->index = index;
	port->dead = false;
	RCU_INIT_POINTER(port->conn, NULL);
	INIT_LIST_HEAD(&port->use_node);
	krg_source_init(&port->tee, KRG_SRC_PORT, desc->type);
	if (!krg_port_is_main(port))
		krg_group_init(&port->kg, desc->name, &krg_port_type, parent,
			       &parent->cg_item);
}

unsigned int krg_port_index(struct krg_port *port)
{
	return port->index;
}
EXPORT_SYMBOL_GPL(krg_port_index);
