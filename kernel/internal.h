/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between the files of krg.ko, and only them. */
#ifndef _KRG_INTERNAL_H
#define _KRG_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/kobject.h>
#include <krg/nodes.h>

/* nodes.c */
int krg_nodes_init(void);
void krg_nodes_uninit(void);
const struct cpumask *krg_node_cpumask(int node);

/* sysfs.c */
extern struct kobject *krg_kobj;
int krg_sysfs_init(void);
void krg_sysfs_uninit(void);

#endif /* _KRG_INTERNAL_H */
