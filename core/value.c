// SPDX-License-Identifier: GPL-2.0
/*
 * Values: typed sources, push (publish to subscribed ports) and pull
 * (get_value through a chain). Both paths run under rcu_read_lock() only and
 * may be called from atomic context. Chains are acyclic and at most
 * KRG_MAX_CHAIN long (checked when they are built), which bounds the
 * recursion of both paths.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "internal.h"

const struct krg_value_type krg_type_u64 = {
	.name = "u64",
	.size = sizeof(u64),
};
EXPORT_SYMBOL_GPL(krg_type_u64);

const struct krg_value_type krg_type_s64 = {
	.name = "s64",
	.size = sizeof(s64),
	.is_signed = true,
};
EXPORT_SYMBOL_GPL(krg_type_s64);

const struct krg_value_type krg_type_u64_pid = {
	.name = "u64",
	.size = sizeof(u64),
	.param = "pid_t",
	.param_size = sizeof(pid_t),
};
EXPORT_SYMBOL_GPL(krg_type_u64_pid);

void krg_source_init(struct krg_source *src, enum krg_source_kind kind,
		     const struct krg_value_type *type)
{
	src->kind = kind;
	src->type = type;
	INIT_LIST_HEAD(&src->subscribers);
	INIT_LIST_HEAD(&src->users);
	src->nr_subscribers = 0;
	src->dead = false;
}

static bool krg_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

bool krg_types_match(const struct krg_value_type *a,
		     const struct krg_value_type *b)
{
	return krg_str_eq(a->name, b->name) && a->size == b->size &&
	       krg_str_eq(a->param, b->param) &&
	       (!a->param || a->param_size == b->param_size);
}

static struct krg_port *krg_tee_port(struct krg_source *src)
{
	return container_of(src, struct krg_port, tee);
}

static struct krg_filter *krg_src_filter(struct krg_source *src)
{
	return container_of(src, struct krg_filter, src);
}

/* Atomic. */
void krg_source_publish(struct krg_source *src)
{
	struct krg_port *port;

	rcu_read_lock();
	list_for_each_entry_rcu(port, &src->subscribers, sub_node) {
		/* Ports linked to this port see the update too. */
		krg_source_publish(&port->tee);
		if (port->filter)
			krg_filter_notify(port->filter, port);
		else if (port->policy)
			krg_policy_notify(port->policy, port);
		/* A probe's port: the probe pulls when it measures. */
	}
	rcu_read_unlock();
}

/* Atomic. */
int krg_source_get_node_value(struct krg_source *src, int node, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr)
{
	struct krg_filter *f;

	if (!nr)
		return 0;
	switch (src->kind) {
	case KRG_SRC_PROBE:
		return krg_probe_source_get_value(src, node, out, nr, in, in_nr);
	case KRG_SRC_FILTER:
		f = krg_src_filter(src);
		if (node != KRG_NODE_NONE) {
			if (f->type->get_node_value)
				return f->type->get_node_value(f, node, out, nr,
							       in, in_nr);
			/* A pass-through filter passes per-node values too. */
			if (f->type->get_value)
				return -EOPNOTSUPP;
			return krg_port_get_node_value(&f->inst.ports[0], node, out,
						       nr, in, in_nr);
		}
		if (f->type->get_value)
			return f->type->get_value(f, out, nr, in, in_nr);
		return krg_port_get_value(&f->inst.ports[0], out, nr, in, in_nr);
	case KRG_SRC_PORT:
		return krg_port_get_node_value(krg_tee_port(src), node, out, nr,
					       in, in_nr);
	}
	return -EINVAL;
}

int krg_source_get_value(struct krg_source *src, void *out, unsigned int nr,
			 const void *in, unsigned int in_nr)
{
	return krg_source_get_node_value(src, KRG_NODE_NONE, out, nr, in,
					 in_nr);
}

int krg_port_get_node_value(struct krg_port *port, int node, void *out,
			    unsigned int nr, const void *in,
			    unsigned int in_nr)
{
	struct krg_source *src;
	int ret;

	rcu_read_lock();
	src = rcu_dereference(port->conn);
	ret = src ? krg_source_get_node_value(src, node, out, nr, in, in_nr)
		  : -ENODATA;
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(krg_port_get_node_value);

int krg_port_get_value(struct krg_port *port, void *out, unsigned int nr,
		       const void *in, unsigned int in_nr)
{
	return krg_port_get_node_value(port, KRG_NODE_NONE, out, nr, in, in_nr);
}
EXPORT_SYMBOL_GPL(krg_port_get_value);

/* One value of type @t into @buf (at most @len bytes): its length. Atomic. */
int krg_value_print(const struct krg_value_type *t, const void *v, char *buf,
		    size_t len)
{
	const char *unit = t->unit ? " " : "";
	u64 u;
	s64 s;

	if (t->show)
		return t->show(v, buf, len);
	switch (t->size) {
	case 8:
		memcpy(&u, v, 8);
		s = (s64)u;
		break;
	case 4:
		u = t->is_signed ? (u64)(s64)*(const s32 *)v : *(const u32 *)v;
		s = (s64)u;
		break;
	default:
		return scnprintf(buf, len, "%*phN", (int)min_t(size_t, t->size, 64), v);
	}
	if (t->is_signed)
		return scnprintf(buf, len, "%lld%s%s", s, unit, t->unit ?: "");
	return scnprintf(buf, len, "%llu%s%s", u, unit, t->unit ?: "");
}

/* A value type as its `type` file shows it: "u64", "load(pid_t)". */
ssize_t krg_value_type_show(const struct krg_value_type *t, char *page)
{
	if (t->param)
		return sysfs_emit(page, "%s(%s)\n", t->name, t->param);
	return sysfs_emit(page, "%s\n", t->name);
}

/*
 * Show @src's value (as seen on @node, or local with KRG_NODE_NONE) for a
 * configfs attribute: the value and a newline, or an empty line with the
 * reason when there is none. Values that need a parameter show their type.
 */
ssize_t krg_source_show(struct krg_source *src, int node, char *page)
{
	u64 v[8];	/* one value of up to 64 bytes */
	int ret;

	if (src->type->param)
		return sysfs_emit(page, "(needs a %s parameter)\n",
				  src->type->param);
	if (src->type->size > sizeof(v))
		return sysfs_emit(page, "(value of %zu bytes)\n",
				  src->type->size);
	ret = krg_source_get_node_value(src, node, v, 1, NULL, 0);
	if (ret == -EAGAIN)
		return sysfs_emit(page, "(no value yet)\n");
	if (ret == -ENODATA)
		return sysfs_emit(page, "(no data)\n");
	if (ret < 0)
		return ret;
	if (ret == 0)
		return sysfs_emit(page, "(no value)\n");
	ret = krg_value_print(src->type, v, page, PAGE_SIZE - 1);
	page[ret++] = '\n';
	return ret;
}
