// SPDX-License-Identifier: GPL-2.0
/*
 * krg.ko: the krgsched single-system-image layer. Module init and exit only;
 * each concern lives in its own file.
 */
#include <linux/module.h>
#include "internal.h"

static int __init krg_init(void)
{
	int ret;

	ret = krg_nodes_init();
	if (ret)
		return ret;

	/* Publish last: the sysfs view appears once everything behind it works. */
	ret = krg_sysfs_init();
	if (ret)
		goto err_nodes;

	pr_info("loaded (ABI %d, backend %s)\n", KRG_ABI_VERSION,
		krg_backend_name());
	return 0;

err_nodes:
	krg_nodes_uninit();
	return ret;
}

static void __exit krg_exit(void)
{
	krg_sysfs_uninit();
	krg_nodes_uninit();
}

module_init(krg_init);
module_exit(krg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched SSI layer: nodes, capabilities, migration, distant fork");
MODULE_AUTHOR("The krgsched developers");
