// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/nodes: Kerrighed's global view of the cluster (cluster backend
 * only). One directory per online node, nodeN/ (made when the node comes
 * online, removed when it goes), with
 *   status   "online", or "stale" while the membership is (cluster.c)
 *   cpus     the CPUs online there
 *   meminfo  "MemTotal: N kB" and "MemFree: N kB"
 *   loadavg  the 1, 5 and 15 minute load averages, as /proc/loadavg's
 * and /proc/nodes/self, a link to this node's directory. This node's
 * figures are read here; the others' are what their agents published,
 * which this node's agent hands over (KRG_CMD_NODE_INFO), "(no value
 * yet)" before the first. A node going offline loses its figures.
 *
 * Locking: krg_pn_lock (a spinlock) protects krg_pn_info; the directories
 * are made and removed by the node notifier (process context, serialised
 * by nodes.c's chain) and at init and exit.
 */
#include <linux/mm.h>
#include <linux/proc_fs.h>
#include <linux/sched/loadavg.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>
#include "internal.h"

struct krg_pn_info {
	bool valid;
	u32 cpus;
	u64 mem_total_kb, mem_free_kb;
	u32 load[3];		/* x 100 */
};

static DEFINE_SPINLOCK(krg_pn_lock);
static struct krg_pn_info krg_pn_info[KRG_MAX_NODES];
static struct proc_dir_entry *krg_pn_root;
static struct proc_dir_entry *krg_pn_dir[KRG_MAX_NODES];

static int krg_pn_node(struct seq_file *m)
{
	return (int)(long)m->private;
}

/* @node's figures: this node's measured now, another's as published. */
static bool krg_pn_get(int node, struct krg_pn_info *out)
{
	struct sysinfo si;

	if (node == krg_local_node()) {
		si_meminfo(&si);
		out->cpus = num_online_cpus();
		out->mem_total_kb = (u64)si.totalram * si.mem_unit >> 10;
		out->mem_free_kb = (u64)si.freeram * si.mem_unit >> 10;
		for (int i = 0; i < 3; i++)
			out->load[i] = (avenrun[i] + FIXED_1 / 200) * 100 >> FSHIFT;
		return true;
	}
	spin_lock(&krg_pn_lock);
	*out = krg_pn_info[node];
	spin_unlock(&krg_pn_lock);
	return out->valid;
}

static int krg_pn_status_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", krg_cluster_stale() ? "stale" : "online");
	return 0;
}

static int krg_pn_cpus_show(struct seq_file *m, void *v)
{
	struct krg_pn_info i;

	if (krg_pn_get(krg_pn_node(m), &i))
		seq_printf(m, "%u\n", i.cpus);
	else
		seq_puts(m, "(no value yet)\n");
	return 0;
}

static int krg_pn_meminfo_show(struct seq_file *m, void *v)
{
	struct krg_pn_info i;

	if (krg_pn_get(krg_pn_node(m), &i))
		seq_printf(m, "MemTotal: %8llu kB\nMemFree:  %8llu kB\n",
			   i.mem_total_kb, i.mem_free_kb);
	else
		seq_puts(m, "(no value yet)\n");
	return 0;
}

static int krg_pn_loadavg_show(struct seq_file *m, void *v)
{
	struct krg_pn_info i;

	if (krg_pn_get(krg_pn_node(m), &i))
		seq_printf(m, "%u.%02u %u.%02u %u.%02u\n",
			   i.load[0] / 100, i.load[0] % 100,
			   i.load[1] / 100, i.load[1] % 100,
			   i.load[2] / 100, i.load[2] % 100);
	else
		seq_puts(m, "(no value yet)\n");
	return 0;
}

static void krg_pn_add(int node)
{
	struct proc_dir_entry *d;
	void *data = (void *)(long)node;
	char name[16];

	if (!krg_pn_root || krg_pn_dir[node])
		return;
	/* Figures published before it went offline are not its figures now. */
	spin_lock(&krg_pn_lock);
	krg_pn_info[node].valid = false;
	spin_unlock(&krg_pn_lock);
	snprintf(name, sizeof(name), "node%d", node);
	d = proc_mkdir(name, krg_pn_root);
	if (!d)
		return;
	proc_create_single_data("status", 0444, d, krg_pn_status_show, data);
	proc_create_single_data("cpus", 0444, d, krg_pn_cpus_show, data);
	proc_create_single_data("meminfo", 0444, d, krg_pn_meminfo_show, data);
	proc_create_single_data("loadavg", 0444, d, krg_pn_loadavg_show, data);
	krg_pn_dir[node] = d;
}

static void krg_pn_del(int node)
{
	if (krg_pn_dir[node])
		proc_remove(krg_pn_dir[node]);
	krg_pn_dir[node] = NULL;
	spin_lock(&krg_pn_lock);
	krg_pn_info[node].valid = false;
	spin_unlock(&krg_pn_lock);
}

static int krg_pn_event(struct notifier_block *nb, unsigned long event,
			void *data)
{
	int node = (int)(long)data;

	if (event == KRG_NODE_ONLINE)
		krg_pn_add(node);
	else if (event == KRG_NODE_OFFLINE)
		krg_pn_del(node);
	return NOTIFY_OK;
}

static struct notifier_block krg_pn_nb = {
	.notifier_call = krg_pn_event,
};

/*
 * KRG_CMD_NODE_INFO: what NODE published of itself: CPUS, MEM_TOTAL and
 * MEM_FREE (kB), LOADAVG (three u32, x 100). Not for this node (measured
 * here), nor an offline one.
 */
int krg_procnodes_info(struct sk_buff *skb, struct genl_info *info)
{
	struct krg_pn_info i = { .valid = true };
	int node;

	if (krg_backend != &krg_backend_cluster) {
		GENL_SET_ERR_MSG_FMT(info, "krg.ko runs the %s backend, not cluster",
				     krg_backend->name);
		return -EOPNOTSUPP;
	}
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_NODE) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_CPUS) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_MEM_TOTAL) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_MEM_FREE) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_LOADAVG))
		return -EINVAL;
	node = nla_get_u32(info->attrs[KRG_A_NODE]);
	if (node == krg_local_node()) {
		GENL_SET_ERR_MSG_FMT(info, "node %d is measured here", node);
		return -EINVAL;
	}
	if (nla_len(info->attrs[KRG_A_LOADAVG]) != sizeof(i.load)) {
		GENL_SET_ERR_MSG(info, "LOADAVG must be three u32");
		return -EINVAL;
	}
	i.cpus = nla_get_u32(info->attrs[KRG_A_CPUS]);
	i.mem_total_kb = nla_get_u64(info->attrs[KRG_A_MEM_TOTAL]);
	i.mem_free_kb = nla_get_u64(info->attrs[KRG_A_MEM_FREE]);
	memcpy(i.load, nla_data(info->attrs[KRG_A_LOADAVG]), sizeof(i.load));
	/* The notifier runs under nodes.c's chain: serialised with this. */
	spin_lock(&krg_pn_lock);
	if (!krg_node_online(node)) {
		spin_unlock(&krg_pn_lock);
		GENL_SET_ERR_MSG_FMT(info, "node %d is offline", node);
		return -EHOSTDOWN;
	}
	krg_pn_info[node] = i;
	spin_unlock(&krg_pn_lock);
	return 0;
}

int krg_procnodes_init(void)
{
	struct krg_nodemask online;
	char self[16];
	int node, ret;

	if (krg_backend != &krg_backend_cluster)
		return 0;
	krg_pn_root = proc_mkdir("nodes", NULL);
	if (!krg_pn_root)
		return -ENOMEM;
	snprintf(self, sizeof(self), "node%d", krg_local_node());
	proc_symlink("self", krg_pn_root, self);
	/* Before the genl family exists: no report can change the set now. */
	ret = krg_nodes_register_notifier(&krg_pn_nb);
	if (ret) {
		proc_remove(krg_pn_root);
		krg_pn_root = NULL;
		return ret;
	}
	krg_nodes_online(&online);
	krg_for_each_node(node, &online)
		krg_pn_add(node);
	return 0;
}

void krg_procnodes_uninit(void)
{
	if (!krg_pn_root)
		return;
	krg_nodes_unregister_notifier(&krg_pn_nb);
	proc_remove(krg_pn_root);
	krg_pn_root = NULL;
	memset(krg_pn_dir, 0, sizeof(krg_pn_dir));
}
