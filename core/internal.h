/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of krg_scheduler.ko, and only them. */
#ifndef _KRG_SCHED_INTERNAL_H
#define _KRG_SCHED_INTERNAL_H

#include <linux/configfs.h>

/* configfs.c */
int krg_configfs_init(void);
void krg_configfs_uninit(void);

/* scheduler.c */
struct config_group *krg_scheduler_make(struct config_group *parent,
					const char *name);

#endif /* _KRG_SCHED_INTERNAL_H */
