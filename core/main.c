// SPDX-License-Identifier: GPL-2.0
/*
 * krg_scheduler.ko: the configurable scheduler core. Module init and exit.
 */
#include <linux/module.h>
#include "internal.h"

static int __init krg_sched_init(void)
{
	int ret;

	ret = krg_scheduler_nodes_init();
	if (ret)
		return ret;
	ret = krg_cache_init();
	if (ret)
		goto err_nodes;
	ret = krg_placement_init();
	if (ret)
		goto err_cache;
	/* BPF policies are optional: without BTF the rest works. */
	krg_bpf_init();
	/* Publish last: the configfs tree is what users see. */
	ret = krg_configfs_init();
	if (ret)
		goto err_placement;
	/* Memberships exist only once the tree does. */
	ret = krg_sched_state_init();
	if (ret)
		goto err_configfs;
	/* The agent's commands name probes of the tree. */
	ret = krg_netlink_init();
	if (ret)
		goto err_state;
	return 0;

err_state:
	krg_sched_state_uninit();
err_configfs:
	krg_configfs_uninit();
err_placement:
	krg_bpf_uninit();
	krg_placement_uninit();
err_cache:
	krg_cache_uninit();
err_nodes:
	krg_scheduler_nodes_uninit();
	return ret;
}

static void __exit krg_sched_exit(void)
{
	krg_netlink_uninit();
	krg_sched_state_uninit();
	krg_configfs_uninit();
	krg_bpf_uninit();
	krg_placement_uninit();
	krg_cache_uninit();
	krg_scheduler_nodes_uninit();
}

module_init(krg_sched_init);
module_exit(krg_sched_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched configurable scheduler core (configfs krg_scheduler)");
MODULE_AUTHOR("The krgsched developers");
