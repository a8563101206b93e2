// SPDX-License-Identifier: GPL-2.0
/*
 * Registries of probe, filter and policy types. A component module registers
 * its type at load; `mkdir` looks the name up, autoloads
 * "krg-<kind>-<name>" with request_module() when it is unknown, and pins the
 * owner module for as long as the instance lives.
 */
#include <linux/ctype.h>
#include <linux/kmod.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "internal.h"

/* krg_registry_mutex protects krg_registry. Never held across request_module. */
static DEFINE_MUTEX(krg_registry_mutex);
static LIST_HEAD(krg_registry);

static const char *const krg_kind_names[] = {
	[KRG_KIND_PROBE] = "probe",
	[KRG_KIND_FILTER] = "filter",
	[KRG_KIND_POLICY] = "policy",
};

static bool krg_name_ok(const char *name)
{
	size_t len = strnlen(name, KRG_NAME_MAX + 1);
	const char *c;

	if (!len || len > KRG_NAME_MAX)
		return false;
	for (c = name; *c; c++)
		if (!isalnum(*c) && *c != '_' && *c != '-')
			return false;
	return true;
}

static struct krg_type_entry *krg_type_find(enum krg_kind kind,
					    const char *name)
{
	struct krg_type_entry *e;

	lockdep_assert_held(&krg_registry_mutex);
	list_for_each_entry(e, &krg_registry, node)
		if (e->kind == kind && !strcmp(e->name, name))
			return e;
	return NULL;
}

static struct krg_type_entry *krg_type_try_get(enum krg_kind kind,
					       const char *name)
{
	struct krg_type_entry *e;

	mutex_lock(&krg_registry_mutex);
	e = krg_type_find(kind, name);
	if (e && !try_module_get(e->owner))
		e = NULL;	/* its module is going away */
	if (e)
		refcount_inc(&e->refs);
	mutex_unlock(&krg_registry_mutex);
	return e;
}

/**
 * krg_type_get - find a registered type by name, autoloading its module.
 * @kind: probe, filter or policy
 * @name: the type's name (the directory name given to mkdir)
 *
 * Returns the entry with a reference on its owner module (krg_type_put()),
 * or ERR_PTR(-ENOENT). Process context; no locks held.
 */
struct krg_type_entry *krg_type_get(enum krg_kind kind, const char *name)
{
	struct krg_type_entry *e;

	if (!krg_name_ok(name))
		return ERR_PTR(-ENOENT);
	e = krg_type_try_get(kind, name);
	if (e)
		return e;
	request_module("krg-%s-%s", krg_kind_names[kind], name);
	e = krg_type_try_get(kind, name);
	return e ?: ERR_PTR(-ENOENT);
}

static void krg_type_entry_put(struct krg_type_entry *e)
{
	if (!refcount_dec_and_test(&e->refs))
		return;
	kfree(e->attrs);
	if (e->release)
		e->release(e);
	kfree(e);
}

void krg_type_put(struct krg_type_entry *e)
{
	struct module *owner = e->owner;

	krg_type_entry_put(e);
	module_put(owner);
}

static struct configfs_attribute **
krg_merge_attrs(struct configfs_attribute **core,
		struct configfs_attribute **own)
{
	struct configfs_attribute **all;
	size_t n = 0, m = 0, i;

	while (core && core[n])
		n++;
	while (own && own[m])
		m++;
	all = kcalloc(n + m + 1, sizeof(*all), GFP_KERNEL);
	if (!all)
		return NULL;
	for (i = 0; i < n; i++)
		all[i] = core[i];
	for (i = 0; i < m; i++)
		all[n + i] = own[i];
	return all;
}

static int krg_type_register(enum krg_kind kind, const char *name,
			     const void *type, struct module *owner,
			     struct configfs_attribute **own_attrs,
			     const struct krg_policy_checks *checks,
			     void (*release)(struct krg_type_entry *e))
{
	static struct configfs_item_operations *const item_ops[] = {
		[KRG_KIND_PROBE] = &krg_probe_item_ops,
		[KRG_KIND_FILTER] = &krg_filter_item_ops,
		[KRG_KIND_POLICY] = &krg_policy_item_ops,
	};
	static struct configfs_attribute **const core_attrs[] = {
		[KRG_KIND_PROBE] = NULL,	/* by type: krg_probe_core_attrs() */
		[KRG_KIND_FILTER] = krg_filter_common_attrs,
		[KRG_KIND_POLICY] = krg_policy_common_attrs,
	};
	struct krg_type_entry *e;
	int ret;

	if (!name || !krg_name_ok(name)) {
		pr_err("cannot register %s type: invalid name '%s'\n",
		       krg_kind_names[kind], name ?: "(null)");
		return -EINVAL;
	}

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->attrs = krg_merge_attrs(kind == KRG_KIND_PROBE ?
				   krg_probe_core_attrs(type) :
				   core_attrs[kind], own_attrs);
	if (!e->attrs) {
		ret = -ENOMEM;
		goto err_free_entry;
	}
	refcount_set(&e->refs, 1);
	e->release = release;
	e->kind = kind;
	e->name = name;
	e->any = type;
	e->owner = owner;
	e->checks = checks;
	e->ct.ct_item_ops = item_ops[kind];
	if (kind == KRG_KIND_FILTER)
		e->ct.ct_group_ops = &krg_filter_group_ops;
	e->ct.ct_attrs = e->attrs;
	e->ct.ct_owner = THIS_MODULE;

	mutex_lock(&krg_registry_mutex);
	if (krg_type_find(kind, name)) {
		mutex_unlock(&krg_registry_mutex);
		pr_err("cannot register %s type %s: already registered\n",
		       krg_kind_names[kind], name);
		ret = -EEXIST;
		goto err_free_attrs;
	}
	list_add_tail(&e->node, &krg_registry);
	mutex_unlock(&krg_registry_mutex);
	return 0;

err_free_attrs:
	kfree(e->attrs);
err_free_entry:
	kfree(e);
	return ret;
}

/* Take a type out of the registry; the registry's reference is returned. */
static struct krg_type_entry *krg_type_unlist(enum krg_kind kind,
					      const void *type)
{
	struct krg_type_entry *e, *found = NULL;

	mutex_lock(&krg_registry_mutex);
	list_for_each_entry(e, &krg_registry, node) {
		if (e->kind == kind && e->any == type) {
			found = e;
			list_del(&e->node);
			break;
		}
	}
	mutex_unlock(&krg_registry_mutex);
	return found;
}

static void krg_type_unregister(enum krg_kind kind, const void *type)
{
	struct krg_type_entry *e = krg_type_unlist(kind, type);

	/* The registry's reference; instances may hold others (BPF types). */
	if (e)
		krg_type_entry_put(e);
}

/*
 * A BPF policy type leaves the registry (no mkdir finds it any more) but
 * stays allocated until krg_policy_type_put_dyn() drops this reference.
 */
struct krg_type_entry *krg_policy_type_unlist_dyn(const struct krg_policy_type *type)
{
	return krg_type_unlist(KRG_KIND_POLICY, type);
}

void krg_policy_type_put_dyn(struct krg_type_entry *e)
{
	krg_type_entry_put(e);
}

/* Is @name a source of @type, or a port declared before @self? */
static bool krg_probe_name_taken(const struct krg_probe_type *type,
				 const char *name,
				 const struct krg_port_desc *const *self)
{
	const struct krg_source_desc *const *d;
	const struct krg_port_desc *const *p;

	for (d = type->sources; *d; d++)
		if (!strcmp((*d)->name, name))
			return true;
	for (p = type->ports; p != self; p++)
		if (!strcmp((*p)->name, name))
			return true;
	return false;
}

int krg_probe_type_register(const struct krg_probe_type *type,
			    struct module *owner)
{
	const struct krg_source_desc *const *d;
	const struct krg_port_desc *const *p;
	unsigned int n = 0;

	for (d = type->sources; d && *d; d++, n++) {
		if (!(*d)->name || !(*d)->type || !(*d)->get_value ||
		    !krg_name_ok((*d)->name)) {
			pr_err("probe %s: source %u is incomplete\n",
			       type->name, n);
			return -EINVAL;
		}
	}
	if (!n) {
		pr_err("probe %s declares no source\n", type->name);
		return -EINVAL;
	}
	for (p = type->ports, n = 0; p && *p; p++, n++) {
		if (!(*p)->name || !(*p)->type || !krg_name_ok((*p)->name) ||
		    krg_probe_name_taken(type, (*p)->name, p)) {
			pr_err("probe %s: port %u is incomplete or its name is taken\n",
			       type->name, n);
			return -EINVAL;
		}
	}
	return krg_type_register(KRG_KIND_PROBE, type->name, type, owner,
				 type->attrs, NULL, NULL);
}
EXPORT_SYMBOL_GPL(krg_probe_type_register);

void krg_probe_type_unregister(const struct krg_probe_type *type)
{
	krg_type_unregister(KRG_KIND_PROBE, type);
}
EXPORT_SYMBOL_GPL(krg_probe_type_unregister);

static int krg_check_ports(const char *owner,
			   const struct krg_port_desc *const *ports)
{
	const struct krg_port_desc *const *d;
	unsigned int n = 0;

	for (d = ports; d && *d; d++, n++) {
		if (!(*d)->name || !(*d)->type || !krg_name_ok((*d)->name)) {
			pr_err("%s: port %u is incomplete\n", owner, n);
			return -EINVAL;
		}
	}
	return n;
}

int krg_filter_type_register(const struct krg_filter_type *type,
			     struct module *owner)
{
	int n = krg_check_ports(type->name, type->ports);

	if (n < 0)
		return n;
	if (!n || !type->type) {
		pr_err("filter %s needs a port and an output type\n",
		       type->name);
		return -EINVAL;
	}
	return krg_type_register(KRG_KIND_FILTER, type->name, type, owner,
				 type->attrs, NULL, NULL);
}
EXPORT_SYMBOL_GPL(krg_filter_type_register);

void krg_filter_type_unregister(const struct krg_filter_type *type)
{
	krg_type_unregister(KRG_KIND_FILTER, type);
}
EXPORT_SYMBOL_GPL(krg_filter_type_unregister);

int krg_policy_type_register(const struct krg_policy_type *type,
			     struct module *owner)
{
	int n = krg_check_ports(type->name, type->ports);

	if (n < 0)
		return n;
	return krg_type_register(KRG_KIND_POLICY, type->name, type, owner,
				 type->attrs, NULL, NULL);
}
EXPORT_SYMBOL_GPL(krg_policy_type_register);

/*
 * A policy type of the core itself (a BPF policy): instances may outlive
 * its unregistration; @release runs when the last of them is released.
 */
int krg_policy_type_register_dyn(const struct krg_policy_type *type,
				 const struct krg_policy_checks *checks,
				 void (*release)(struct krg_type_entry *e))
{
	int n = krg_check_ports(type->name, type->ports);

	if (n < 0)
		return n;
	return krg_type_register(KRG_KIND_POLICY, type->name, type,
				 THIS_MODULE, type->attrs, checks, release);
}

void krg_policy_type_unregister(const struct krg_policy_type *type)
{
	krg_type_unregister(KRG_KIND_POLICY, type);
}
EXPORT_SYMBOL_GPL(krg_policy_type_unregister);
