// SPDX-License-Identifier: GPL-2.0
/*
 * The `cluster` node backend: a node is a machine of a corosync cluster.
 *
 * Selected at load by krg.cluster_nodes=LIST (the possible node ids) with
 * krg.node_id=N (this machine's). A krg node id is the corosync nodeid
 * minus 1 (corosync reserves 0), so Kerrighed's ids 0..255 and its node 0
 * stay. The online set is what the node agent (krgd) reports of corosync's
 * membership (KRG_CMD_MEMBERSHIP on the `krg` generic netlink family): this
 * machine alone until the first report. The agent also reports the present
 * set (KRG_A_PRESENT: every member of corosync's membership, a superset of
 * the online set, which leaves out the nodes an administrator took out of
 * krgsched's use: krgadm nodes del), shown in nodes_present. When the
 * agent that reported goes
 * away (its netlink socket is released: it exited or crashed), the last
 * membership is kept and marked stale until an agent reports again; no
 * kernel path waits for the agent.
 *
 * Only this machine is measured here: its CPUs are all of this machine's
 * and its memory is the machine's; the others' values come from the value
 * cache, which the agent fills. Within the machine Linux's own scheduler
 * places processes, as in Kerrighed. Moving a process to another machine
 * (CRIU, through the agent) is not there yet: migrate refuses with
 * EOPNOTSUPP and distant fork places only on this machine.
 *
 * Locking: krg_cluster_lock (a mutex) serialises the reports, the release
 * of the agent's socket and the state below; the online set itself is
 * published by nodes.c (krg_nodes_set_online(): process context).
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <krg/genl.h>
#include "internal.h"

static char *cluster_nodes;
module_param(cluster_nodes, charp, 0444);
MODULE_PARM_DESC(cluster_nodes, "cluster backend: the possible node ids (corosync nodeids - 1), e.g. 0-15");

static int node_id = KRG_NODE_NONE;
module_param(node_id, int, 0444);
MODULE_PARM_DESC(node_id, "cluster backend: this machine's node id (its corosync nodeid - 1)");

static DEFINE_MUTEX(krg_cluster_lock);
/* Under krg_cluster_lock: what the agent reported last. */
static struct krg_nodemask krg_cluster_members;
static struct krg_nodemask krg_cluster_present;	/* covers krg_cluster_members */
static bool krg_cluster_quorate;
static bool krg_cluster_stale_flag;	/* its agent went away since */
static bool krg_cluster_reported;	/* an agent reported once */
static u64 krg_cluster_ring;		/* corosync's ring id, as reported */
static u32 krg_cluster_agent;		/* netlink port id of that agent */

bool krg_cluster_selected(void)
{
	return cluster_nodes && cluster_nodes[0];
}

static int krg_cluster_init(struct krg_nodemask *possible,
			    struct krg_nodemask *measured)
{
	struct krg_nodemask online;
	int ret;

	ret = krg_nodelist_parse(cluster_nodes, possible);
	if (ret) {
		pr_err("cluster_nodes=%s: not a node list of 0..%d\n",
		       cluster_nodes, KRG_MAX_NODES - 1);
		return ret;
	}
	if (!krg_node_valid(node_id) || !test_bit(node_id, possible->bits)) {
		pr_err("node_id=%d: not one of cluster_nodes=%s\n", node_id,
		       cluster_nodes);
		return -EINVAL;
	}
	__set_bit(node_id, measured->bits);
	/* Until the agent says otherwise, this machine is the cluster. */
	bitmap_zero(online.bits, KRG_MAX_NODES);
	__set_bit(node_id, online.bits);
	krg_cluster_members = online;
	krg_cluster_present = online;
	krg_nodes_set_online(&online);
	return 0;
}

static void krg_cluster_uninit(void)
{
}

static int krg_cluster_local_node(void)
{
	return node_id;
}

static int krg_cluster_task_node(struct task_struct *p)
{
	return node_id;
}

static const struct cpumask *krg_cluster_node_cpus(int node)
{
	return node == node_id ? cpu_possible_mask : NULL;
}

static int krg_cluster_node_mem(int node, struct krg_node_mem *out)
{
	if (node != node_id)
		return -EOPNOTSUPP;
	out->total_kb = (u64)totalram_pages() << (PAGE_SHIFT - 10);
	out->free_kb = (u64)global_zone_page_state(NR_FREE_PAGES) <<
		       (PAGE_SHIFT - 10);
	return 0;
}

static int krg_cluster_numa_node(int node)
{
	return NUMA_NO_NODE;
}

/*
 * Across machines, a process moves by CRIU through the agent: not yet, so
 * a request to move one is refused, saying so. Within this machine it is
 * already where it runs (Linux places it on the machine's CPUs).
 */
static void krg_cluster_migrate(struct krg_request *req, struct task_struct *p)
{
	if (req->to == node_id)
		krg_request_complete(req, KRG_REQUEST_DONE, 0);
	else
		krg_request_complete(req, KRG_REQUEST_REFUSED, -EOPNOTSUPP);
}

static void krg_cluster_place_child(struct krg_request *req,
				    struct task_struct *child, int home)
{
	if (req->to == node_id)
		krg_request_complete(req, KRG_REQUEST_DONE, 0);
	else
		krg_request_complete(req, KRG_REQUEST_REFUSED, -EOPNOTSUPP);
}

const struct krg_node_backend krg_backend_cluster = {
	.name		= "cluster",
	.init		= krg_cluster_init,
	.uninit		= krg_cluster_uninit,
	.local_node	= krg_cluster_local_node,
	.task_node	= krg_cluster_task_node,
	.node_cpus	= krg_cluster_node_cpus,
	.node_mem	= krg_cluster_node_mem,
	.numa_node	= krg_cluster_numa_node,
	.migrate	= krg_cluster_migrate,
	.place_child	= krg_cluster_place_child,
};

/* The bitmap attribute @type (@name) into @mask: 0, or -EINVAL said. */
static int krg_cluster_mask_attr(struct genl_info *info, int type,
				 const char *name, struct krg_nodemask *mask)
{
	if (nla_len(info->attrs[type]) != sizeof(mask->bits)) {
		GENL_SET_ERR_MSG_FMT(info, "%s must be %zu bytes", name,
				     sizeof(mask->bits));
		return -EINVAL;
	}
	memcpy(mask->bits, nla_data(info->attrs[type]), sizeof(mask->bits));
	return 0;
}

/*
 * KRG_CMD_MEMBERSHIP: the agent's view of corosync's membership. NODES is
 * a bitmap of krg node ids (KRG_MAX_NODES bits), every one possible and
 * this machine's among them; PRESENT (optional, default NODES) the same
 * for every member of corosync's membership, NODES among them; QUORATE
 * and RING_ID as corosync says.
 */
int krg_cluster_membership(struct sk_buff *skb, struct genl_info *info)
{
	struct krg_nodemask members, present, possible, extra;
	int bad, ret;

	if (krg_backend != &krg_backend_cluster) {
		GENL_SET_ERR_MSG_FMT(info, "krg.ko runs the %s backend, not cluster",
				     krg_backend->name);
		return -EOPNOTSUPP;
	}
	if (GENL_REQ_ATTR_CHECK(info, KRG_A_NODES) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_QUORATE))
		return -EINVAL;
	ret = krg_cluster_mask_attr(info, KRG_A_NODES, "NODES", &members);
	if (ret)
		return ret;
	present = members;
	if (info->attrs[KRG_A_PRESENT]) {
		ret = krg_cluster_mask_attr(info, KRG_A_PRESENT, "PRESENT",
					    &present);
		if (ret)
			return ret;
	}
	krg_nodes_possible(&possible);
	/* PRESENT within cluster_nodes covers NODES: it is checked first. */
	if (bitmap_andnot(extra.bits, present.bits, possible.bits,
			  KRG_MAX_NODES) ||
	    bitmap_andnot(extra.bits, members.bits, possible.bits,
			  KRG_MAX_NODES)) {
		bad = find_first_bit(extra.bits, KRG_MAX_NODES);
		GENL_SET_ERR_MSG_FMT(info, "node %d is not in cluster_nodes=%s",
				     bad, cluster_nodes);
		return -EINVAL;
	}
	if (bitmap_andnot(extra.bits, members.bits, present.bits,
			  KRG_MAX_NODES)) {
		bad = find_first_bit(extra.bits, KRG_MAX_NODES);
		GENL_SET_ERR_MSG_FMT(info, "node %d is in NODES but not in PRESENT",
				     bad);
		return -EINVAL;
	}
	if (!test_bit(node_id, members.bits)) {
		GENL_SET_ERR_MSG_FMT(info, "this node (%d) is not in the membership",
				     node_id);
		return -EINVAL;
	}

	mutex_lock(&krg_cluster_lock);
	krg_cluster_members = members;
	krg_cluster_present = present;
	krg_cluster_quorate = nla_get_u8(info->attrs[KRG_A_QUORATE]);
	krg_cluster_ring = info->attrs[KRG_A_RING_ID] ?
			   nla_get_u64(info->attrs[KRG_A_RING_ID]) : 0;
	krg_cluster_agent = info->snd_portid;
	WRITE_ONCE(krg_cluster_stale_flag, false);
	krg_cluster_reported = true;
	krg_nodes_set_online(&members);
	mutex_unlock(&krg_cluster_lock);
	return 0;
}

/* The agent's socket released: its membership is kept, but stale. */
static int krg_cluster_nl_event(struct notifier_block *nb, unsigned long event,
				void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&krg_cluster_lock);
	if (krg_cluster_reported && !krg_cluster_stale_flag &&
	    n->portid == krg_cluster_agent) {
		WRITE_ONCE(krg_cluster_stale_flag, true);
		pr_notice("node agent gone: membership of ring %llu kept, stale\n",
			  krg_cluster_ring);
	}
	mutex_unlock(&krg_cluster_lock);
	return NOTIFY_OK;
}

static struct notifier_block krg_cluster_nl_nb = {
	.notifier_call = krg_cluster_nl_event,
};

/* Is the membership stale (its agent went away since it reported)? */
bool krg_cluster_stale(void)
{
	return READ_ONCE(krg_cluster_stale_flag);
}

/*
 * The present set: the last one reported (this machine alone before any
 * report) with the cluster backend, the online set with the others.
 */
void krg_cluster_nodes_present(struct krg_nodemask *out)
{
	if (krg_backend != &krg_backend_cluster) {
		krg_nodes_online(out);
		return;
	}
	mutex_lock(&krg_cluster_lock);
	*out = krg_cluster_present;
	mutex_unlock(&krg_cluster_lock);
}

/*
 * /sys/kernel/krg/cluster: "membership none|fresh|stale", "quorate 0|1",
 * "ring N", one per line; "backend numa" (or test) when not in cluster
 * mode.
 */
ssize_t krg_cluster_show(char *buf)
{
	ssize_t n;

	if (krg_backend != &krg_backend_cluster)
		return sysfs_emit(buf, "backend %s\n", krg_backend->name);
	mutex_lock(&krg_cluster_lock);
	n = sysfs_emit(buf, "membership %s\nquorate %d\nring %llu\n",
		       !krg_cluster_reported ? "none" :
		       krg_cluster_stale_flag ? "stale" : "fresh",
		       krg_cluster_quorate, krg_cluster_ring);
	mutex_unlock(&krg_cluster_lock);
	return n;
}

int krg_cluster_events_init(void)
{
	return netlink_register_notifier(&krg_cluster_nl_nb);
}

void krg_cluster_events_uninit(void)
{
	netlink_unregister_notifier(&krg_cluster_nl_nb);
}
