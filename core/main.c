// SPDX-License-Identifier: GPL-2.0
/*
 * krg_scheduler.ko: the configurable scheduler core. Module init and exit.
 */
#include <linux/module.h>
#include "internal.h"

static int __init krg_sched_init(void)
{
	int ret;

	/* Publish last: the configfs tree is what users see. */
	ret = krg_configfs_init();
	if (ret)
		return ret;

	pr_info("loaded\n");
	return 0;
}

static void __exit krg_sched_exit(void)
{
	krg_configfs_uninit();
}

module_init(krg_sched_init);
module_exit(krg_sched_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched configurable scheduler core (configfs krg_scheduler)");
MODULE_AUTHOR("The krgsched developers");
