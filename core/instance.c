// SPDX-License-Identifier: GPL-2.0
/*
 * Instances: what a filter and a policy made by mkdir share. Each starts
 * with a struct krg_instance, its directory, a reference on its type (and
 * so on the component's module), the type's private data and its input
 * ports. filter.c and policy.c add what is theirs (a filter's output, a
 * policy's scheduler and stats) and the order of their make and drop.
 *
 * Lifetime: krg_instance_new() at mkdir; krg_instance_free() from the
 * configfs release of the directory (its last reference), or at once if
 * mkdir fails before configfs knows the directory.
 */
#include <linux/configfs.h>
#include <linux/slab.h>
#include "internal.h"

static const struct krg_port_desc *const *krg_type_ports(struct krg_type_entry *e)
{
	return e->kind == KRG_KIND_FILTER ? e->filter->ports : e->policy->ports;
}

static size_t krg_type_priv_size(struct krg_type_entry *e)
{
	return e->kind == KRG_KIND_FILTER ? e->filter->priv_size :
					    e->policy->priv_size;
}

/* The instance's ports know their owner (port.c reads it). */
static void krg_instance_own(struct krg_instance *in, struct krg_port *port)
{
	if (in->entry->kind == KRG_KIND_FILTER)
		port->filter = container_of(in, struct krg_filter, inst);
	else
		port->policy = container_of(in, struct krg_policy, inst);
}

/**
 * krg_instance_new - make an instance of the filter or policy type @name.
 * @kind: KRG_KIND_FILTER or KRG_KIND_POLICY
 * @name: the type's name, which the directory takes
 * @size: bytes of the object, which starts with a struct krg_instance
 *
 * Finds the type (loading its module), allocates the object, the type's
 * private data and ports, and sets up the directory and its port
 * subdirectories. The component's init() is the caller's. Process context.
 * Returns the zeroed object or an ERR_PTR().
 */
void *krg_instance_new(enum krg_kind kind, const char *name, size_t size)
{
	const struct krg_port_desc *const *descs;
	struct krg_type_entry *e;
	struct krg_instance *in;
	unsigned int n = 0, i;
	size_t priv_size;

	e = krg_type_get(kind, name);
	if (IS_ERR(e))
		return ERR_CAST(e);
	descs = krg_type_ports(e);
	while (descs && descs[n])
		n++;
	priv_size = krg_type_priv_size(e);

	in = kzalloc(size, GFP_KERNEL);
	if (!in)
		goto err_put_type;
	in->entry = e;
	in->nr_ports = n;
	if (n) {
		in->ports = kcalloc(n, sizeof(*in->ports), GFP_KERNEL);
		if (!in->ports)
			goto err_free;
	}
	if (priv_size) {
		in->priv = kzalloc(priv_size, GFP_KERNEL);
		if (!in->priv)
			goto err_free;
	}
	config_group_init_type_name(&in->group, name, &e->ct);
	for (i = 0; i < n; i++) {
		krg_instance_own(in, &in->ports[i]);
		krg_port_init(&in->ports[i], descs[i], i, &in->group);
	}
	return in;

err_free:
	kfree(in->ports);
	kfree(in);
err_put_type:
	krg_type_put(e);
	return ERR_PTR(-ENOMEM);
}

/* Free @in and drop its type reference: nothing may use it any more. */
void krg_instance_free(struct krg_instance *in)
{
	struct krg_type_entry *e = in->entry;

	kfree(in->priv);
	kfree(in->ports);
	kfree(in);
	krg_type_put(e);
}

/* Mark every port of @in dead, under krg_cfg_mutex (drop of @in). */
void krg_instance_kill_ports(struct krg_instance *in)
{
	unsigned int i;

	lockdep_assert_held(&krg_cfg_mutex);
	for (i = 0; i < in->nr_ports; i++)
		krg_port_kill(&in->ports[i]);
}

struct krg_port *krg_instance_port(struct krg_instance *in, unsigned int index)
{
	return index < in->nr_ports ? &in->ports[index] : NULL;
}
