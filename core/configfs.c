// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs subsystem krg_scheduler and its two fixed groups:
 *
 *   krg_scheduler/probes/      mkdir <probe> activates a probe
 *   krg_scheduler/schedulers/  mkdir <name> creates a scheduler
 *
 * and the helpers every object directory uses.
 */
#include <linux/configfs.h>
#include <linux/module.h>
#include "internal.h"

/* The configuration lock: see the locking rules in internal.h. */
DEFINE_MUTEX(krg_cfg_mutex);

void krg_group_init(struct krg_group *kg, const char *name,
		    const struct config_item_type *type,
		    struct config_group *parent, struct config_item *owner)
{
	config_group_init_type_name(&kg->group, name, type);
	configfs_add_default_group(&kg->group, parent);
	kg->owner = config_item_get(owner);
}

void krg_group_release(struct config_item *item)
{
	struct krg_group *kg = container_of(to_config_group(item),
					    struct krg_group, group);

	config_item_put(kg->owner);
}

/* Drop the initial references of @group's default groups, deepest first. */
void krg_remove_default_groups(struct config_group *group)
{
	struct config_group *child;

	list_for_each_entry(child, &group->default_groups, group_entry)
		krg_remove_default_groups(child);
	configfs_remove_default_groups(group);
}

/* Strict booleans for attributes: "0" or "1", optionally with a newline. */
int krg_parse_bool(const char *page, bool *out)
{
	if (sysfs_streq(page, "1"))
		*out = true;
	else if (sysfs_streq(page, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static struct configfs_group_operations krg_probes_group_ops = {
	.make_group = krg_probe_make,
	.drop_item = krg_probe_drop,
};

static const struct config_item_type krg_probes_type = {
	.ct_group_ops = &krg_probes_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_group_operations krg_schedulers_group_ops = {
	.make_group = krg_scheduler_make,
	.drop_item = krg_scheduler_drop,
};

static const struct config_item_type krg_schedulers_type = {
	.ct_group_ops = &krg_schedulers_group_ops,
	.ct_owner = THIS_MODULE,
};

/* stats: what placement did since the core was loaded. */
static ssize_t krg_root_stats_show(struct config_item *item, char *page)
{
	return krg_placement_stats_show(page);
}
CONFIGFS_ATTR_RO(krg_root_, stats);

/*
 * bpf_policies: the attached BPF policy types, "<name> instances <n>", each
 * followed by its instances, "\t<scheduler> active" or "\t<scheduler>
 * detached: <why>".
 */
static ssize_t krg_root_bpf_policies_show(struct config_item *item, char *page)
{
	return krg_bpf_policies_show(page);
}
CONFIGFS_ATTR_RO(krg_root_, bpf_policies);

static struct configfs_attribute *krg_root_attrs[] = {
	&krg_root_attr_stats,
	&krg_root_attr_bpf_policies,
	NULL,
};

static const struct config_item_type krg_root_type = {
	.ct_attrs = krg_root_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group krg_probes_group;
static struct config_group krg_schedulers_group;

static struct configfs_subsystem krg_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "krg_scheduler",
			.ci_type = &krg_root_type,
		},
	},
};

int krg_configfs_init(void)
{
	int ret;

	config_group_init(&krg_subsys.su_group);
	mutex_init(&krg_subsys.su_mutex);

	config_group_init_type_name(&krg_probes_group, "probes",
				    &krg_probes_type);
	configfs_add_default_group(&krg_probes_group, &krg_subsys.su_group);
	config_group_init_type_name(&krg_schedulers_group, "schedulers",
				    &krg_schedulers_type);
	configfs_add_default_group(&krg_schedulers_group, &krg_subsys.su_group);

	ret = configfs_register_subsystem(&krg_subsys);
	if (ret)
		pr_err("cannot register configfs subsystem krg_scheduler: %d\n",
		       ret);
	return ret;
}

void krg_configfs_uninit(void)
{
	configfs_unregister_subsystem(&krg_subsys);
}
