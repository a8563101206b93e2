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

	ret = krg_caps_init();
	if (ret)
		goto err_nodes;

	ret = krg_request_init();
	if (ret)
		goto err_caps;

	ret = krg_migrate_init();
	if (ret)
		goto err_request;

	/* From here on, forks and exits keep the task table up to date. */
	ret = krg_hooks_init();
	if (ret)
		goto err_migrate;

	/* Publish last: users see the device and sysfs once all works. */
	ret = krg_dev_init();
	if (ret)
		goto err_hooks;

	ret = krg_sysfs_init();
	if (ret)
		goto err_dev;

	ret = krg_procnodes_init();
	if (ret)
		goto err_sysfs;

	ret = krg_genl_init();
	if (ret)
		goto err_procnodes;

	pr_info("loaded (ABI %d, backend %s)\n", KRG_ABI_VERSION,
		krg_backend_name());
	return 0;

err_procnodes:
	krg_procnodes_uninit();
err_sysfs:
	krg_sysfs_uninit();
err_dev:
	krg_dev_uninit();
err_hooks:
	krg_hooks_uninit();
err_migrate:
	krg_migrate_uninit();
err_request:
	krg_request_uninit();
err_caps:
	krg_caps_uninit();
err_nodes:
	krg_nodes_uninit();
	return ret;
}

static void __exit krg_exit(void)
{
	krg_genl_uninit();
	krg_procnodes_uninit();
	krg_sysfs_uninit();
	krg_dev_uninit();
	krg_hooks_uninit();
	krg_migrate_uninit();
	krg_request_uninit();
	krg_caps_uninit();
	krg_nodes_uninit();
}

module_init(krg_init);
module_exit(krg_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched SSI layer: nodes, capabilities, migration, distant fork");
MODULE_AUTHOR("The krgsched developers");
