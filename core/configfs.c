// SPDX-License-Identifier: GPL-2.0
/*
 * The configfs subsystem krg_scheduler and its two fixed groups:
 *
 *   krg_scheduler/probes/      mkdir <probe> activates a probe
 *   krg_scheduler/schedulers/  mkdir <name> creates a scheduler
 */
#include <linux/configfs.h>
#include <linux/module.h>
#include "internal.h"

static struct config_group *krg_probes_make_group(struct config_group *group,
						  const char *name)
{
	/* Probe types are registered by component modules (the core issue). */
	return ERR_PTR(-ENOENT);
}

static struct configfs_group_operations krg_probes_group_ops = {
	.make_group = krg_probes_make_group,
};

static const struct config_item_type krg_probes_type = {
	.ct_group_ops = &krg_probes_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_group_operations krg_schedulers_group_ops = {
	.make_group = krg_scheduler_make,
};

static const struct config_item_type krg_schedulers_type = {
	.ct_group_ops = &krg_schedulers_group_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type krg_root_type = {
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
