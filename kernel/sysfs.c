// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/krg: the read-only view of the SSI layer for users and tools
 * (the ABI is described in uapi/krg.h).
 */
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "internal.h"

struct kobject *krg_kobj;

static ssize_t abi_version_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", KRG_ABI_VERSION);
}

static ssize_t backend_show(struct kobject *kobj,
			    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", krg_backend_name());
}

static ssize_t nodes_show(char *buf, const struct krg_nodemask *mask)
{
	return sysfs_emit(buf, "%*pbl\n", KRG_MAX_NODES, mask->bits);
}

static ssize_t nodes_possible_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct krg_nodemask mask;

	krg_nodes_possible(&mask);
	return nodes_show(buf, &mask);
}

static ssize_t nodes_online_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct krg_nodemask mask;

	krg_nodes_online(&mask);
	return nodes_show(buf, &mask);
}

/* nodes_present: corosync's members (cluster backend), else the online set. */
static ssize_t nodes_present_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct krg_nodemask mask;

	krg_cluster_nodes_present(&mask);
	return nodes_show(buf, &mask);
}

static ssize_t local_node_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_local_node());
}

static ssize_t cap_supported_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#x\n", KRG_CAP_SUPPORTED);
}

static ssize_t task_entries_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", krg_tasks_count());
}

static ssize_t migrations_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	u64 requested, done, aborted;

	krg_migration_stats(&requested, &done, &aborted);
	return sysfs_emit(buf, "requested %llu\ndone %llu\naborted %llu\n",
			  requested, done, aborted);
}

static ssize_t forks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	unsigned long no_entry, not_placed;

	krg_fork_stats(&no_entry, &not_placed);
	return sysfs_emit(buf, "no_entry %lu\nnot_placed %lu\n", no_entry,
			  not_placed);
}

/* cluster: the agent's membership report (cluster.c), or the backend. */
static ssize_t cluster_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return krg_cluster_show(buf);
}

static struct kobj_attribute krg_attr_abi_version = __ATTR_RO(abi_version);
static struct kobj_attribute krg_attr_cluster = __ATTR_RO(cluster);
static struct kobj_attribute krg_attr_backend = __ATTR_RO(backend);
static struct kobj_attribute krg_attr_nodes_possible = __ATTR_RO(nodes_possible);
static struct kobj_attribute krg_attr_nodes_online = __ATTR_RO(nodes_online);
static struct kobj_attribute krg_attr_nodes_present = __ATTR_RO(nodes_present);
static struct kobj_attribute krg_attr_local_node = __ATTR_RO(local_node);
static struct kobj_attribute krg_attr_cap_supported = __ATTR_RO(cap_supported);
static struct kobj_attribute krg_attr_task_entries = __ATTR_RO(task_entries);
static struct kobj_attribute krg_attr_migrations = __ATTR_RO(migrations);
static struct kobj_attribute krg_attr_forks = __ATTR_RO(forks);

static struct attribute *krg_attrs[] = {
	&krg_attr_abi_version.attr,
	&krg_attr_backend.attr,
	&krg_attr_nodes_possible.attr,
	&krg_attr_nodes_online.attr,
	&krg_attr_nodes_present.attr,
	&krg_attr_local_node.attr,
	&krg_attr_cap_supported.attr,
	&krg_attr_task_entries.attr,
	&krg_attr_migrations.attr,
	&krg_attr_forks.attr,
	&krg_attr_cluster.attr,
	NULL,
};

static const struct attribute_group krg_attr_group = {
	.attrs = krg_attrs,
};

/* node<N>/: one kobject per possible node. */
struct krg_node_kobj {
	struct kobject kobj;
	int node;
};

static struct krg_node_kobj *krg_node_kobjs[KRG_MAX_NODES];

static int krg_kobj_node(struct kobject *kobj)
{
	return container_of(kobj, struct krg_node_kobj, kobj)->node;
}

static ssize_t cpulist_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%*pbl\n",
			  cpumask_pr_args(krg_node_cpumask(krg_kobj_node(kobj))));
}

static ssize_t online_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_node_online(krg_kobj_node(kobj)));
}

/* measured: 1 if its values are measured here, 0 if they come from the cache. */
static ssize_t measured_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", krg_node_measured(krg_kobj_node(kobj)));
}

/* numa_node: this machine's NUMA node with the node's memory, or -1. */
static ssize_t numa_node_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  krg_backend->numa_node(krg_kobj_node(kobj)));
}

static struct kobj_attribute krg_node_attr_cpulist = __ATTR_RO(cpulist);
static struct kobj_attribute krg_node_attr_online = __ATTR_RO(online);
static struct kobj_attribute krg_node_attr_numa_node = __ATTR_RO(numa_node);
static struct kobj_attribute krg_node_attr_measured = __ATTR_RO(measured);

static struct attribute *krg_node_attrs[] = {
	&krg_node_attr_cpulist.attr,
	&krg_node_attr_online.attr,
	&krg_node_attr_numa_node.attr,
	&krg_node_attr_measured.attr,
	NULL,
};
ATTRIBUTE_GROUPS(krg_node);

static void krg_node_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct krg_node_kobj, kobj));
}

static const struct kobj_type krg_node_ktype = {
	.release = krg_node_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = krg_node_groups,
};

static void krg_sysfs_remove_nodes(void)
{
	int node;

	for (node = 0; node < KRG_MAX_NODES; node++) {
		if (krg_node_kobjs[node])
			kobject_put(&krg_node_kobjs[node]->kobj);
		krg_node_kobjs[node] = NULL;
	}
}

static int krg_sysfs_add_nodes(void)
{
	struct krg_nodemask possible;
	struct krg_node_kobj *nk;
	int node, ret;

	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		nk = kzalloc(sizeof(*nk), GFP_KERNEL);
		if (!nk) {
			ret = -ENOMEM;
			goto err_remove_nodes;
		}
		nk->node = node;
		ret = kobject_init_and_add(&nk->kobj, &krg_node_ktype, krg_kobj,
					   "node%d", node);
		if (ret) {
			kobject_put(&nk->kobj);
			goto err_remove_nodes;
		}
		krg_node_kobjs[node] = nk;
	}
	return 0;

err_remove_nodes:
	krg_sysfs_remove_nodes();
	return ret;
}

int krg_sysfs_init(void)
{
	int ret;

	krg_kobj = kobject_create_and_add("krg", kernel_kobj);
	if (!krg_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(krg_kobj, &krg_attr_group);
	if (ret)
		goto err_put_kobj;

	ret = krg_sysfs_add_nodes();
	if (ret)
		goto err_remove_group;
	return 0;

err_remove_group:
	sysfs_remove_group(krg_kobj, &krg_attr_group);
err_put_kobj:
	kobject_put(krg_kobj);
	return ret;
}

void krg_sysfs_uninit(void)
{
	krg_sysfs_remove_nodes();
	sysfs_remove_group(krg_kobj, &krg_attr_group);
	kobject_put(krg_kobj);
}
