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
 * places processes, as in Kerrighed. A process moves to another machine
 * through the agent (CRIU, docs/cluster.md "Migration"): the request is
 * sent to the agent's socket (KRG_CMD_MIGRATE) and kept in krg_cluster_moves
 * until the agent ends it (MIGRATE_DONE), its socket is released
 * (FAILED -ECONNRESET: the agent that restarts undoes what it left) or
 * krg.ko unloads. Distant fork places only on this machine.
 *
 * Locking: krg_cluster_lock (a mutex) serialises the reports, the release
 * of the agent's socket and the state below; the online set itself is
 * published by nodes.c (krg_nodes_set_online(): process context).
 * krg_cluster_moves_lock (a spinlock, never held while completing)
 * protects krg_cluster_moves; each listed request holds a reference.
 */
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
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

/* A migration handed to the agent, until it ends. */
struct krg_cluster_move {
	struct list_head node;		/* in krg_cluster_moves */
	struct krg_request *req;	/* a reference of its own */
	u32 agent;			/* the port id it was sent to */
};

static DEFINE_SPINLOCK(krg_cluster_moves_lock);
static LIST_HEAD(krg_cluster_moves);

/*
 * A dry run asked of the agent (KRG_MIGRATE_DRY_RUN): its waiter owns it;
 * listed in krg_cluster_dry (under krg_cluster_moves_lock) until answered
 * or given up. Its ids have the top bit set: never a request's.
 */
struct krg_cluster_dry {
	struct list_head node;
	u64 id;
	u32 agent;			/* the port it was sent to */
	struct completion done;
	int error;
	char reason[KRG_REASON_LEN];
};

#define KRG_CLUSTER_DRY_BIT	BIT_ULL(63)
static LIST_HEAD(krg_cluster_dry);
static atomic64_t krg_cluster_dry_ids = ATOMIC64_INIT(0);

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

/*
 * Take the moves that match (@all, or those sent to @agent) off the list
 * and end them FAILED @err with @reason.
 */
static void krg_cluster_moves_fail(bool all, u32 agent, int err,
				   const char *reason)
{
	struct krg_cluster_move *m, *tmp;
	LIST_HEAD(gone);

	spin_lock(&krg_cluster_moves_lock);
	list_for_each_entry_safe(m, tmp, &krg_cluster_moves, node)
		if (all || m->agent == agent)
			list_move(&m->node, &gone);
	spin_unlock(&krg_cluster_moves_lock);
	list_for_each_entry_safe(m, tmp, &gone, node) {
		list_del(&m->node);
		krg_request_complete_why(m->req, KRG_REQUEST_FAILED, err,
					 reason);
		krg_request_put(m->req);
		kfree(m);
	}
}

static void krg_cluster_uninit(void)
{
	krg_cluster_moves_fail(true, 0, -ESHUTDOWN, "krg.ko was unloaded");
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

/* KRG_CMD_MIGRATE to the agent's port @agent: 0 or -errno. */
static int krg_cluster_send_move(u64 id, pid_t tgid, int to, bool user,
				 bool dry, u32 agent)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, 0, &krg_genl_family, 0, KRG_CMD_MIGRATE);
	if (!hdr ||
	    nla_put_u64_64bit(skb, KRG_A_REQUEST_ID, id, KRG_A_UNSPEC) ||
	    nla_put_u32(skb, KRG_A_PID, tgid) ||
	    nla_put_u32(skb, KRG_A_NODE, to) ||
	    nla_put_u8(skb, KRG_A_ORIGIN, user) ||
	    (dry && nla_put_u8(skb, KRG_A_DRY, 1))) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return genlmsg_unicast(&init_net, skb, agent);
}

/* The agent's port, if one reported and is there: 0, or -EHOSTUNREACH. */
static int krg_cluster_agent_port(u32 *agent)
{
	bool ok;

	mutex_lock(&krg_cluster_lock);
	ok = krg_cluster_reported && !krg_cluster_stale_flag;
	*agent = krg_cluster_agent;
	mutex_unlock(&krg_cluster_lock);
	return ok ? 0 : -EHOSTUNREACH;
}

/**
 * krg_cluster_dry_run - the agent's checks of moving @p to machine @node
 * @p: the process (a reference held by the caller)
 * @node: another machine's node id
 * @reason: every reason, "" if none (KRG_REASON_LEN bytes)
 *
 * Waits (killable, 30 s at most) for the agent's answer. Process context.
 * Return: 0 (it could move now), the first reason's -errno, -EHOSTUNREACH
 * (no agent), -ETIMEDOUT, -EINTR.
 */
int krg_cluster_dry_run(struct task_struct *p, int node, char *reason)
{
	struct krg_cluster_dry *d;
	bool answered;
	long left = 0;
	u32 agent;
	int ret;

	reason[0] = '\0';
	ret = krg_cluster_agent_port(&agent);
	if (ret) {
		strscpy(reason, "no node agent (krgd) runs on this machine",
			KRG_REASON_LEN);
		return ret;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	init_completion(&d->done);
	d->agent = agent;
	d->id = KRG_CLUSTER_DRY_BIT |
		(u64)atomic64_inc_return(&krg_cluster_dry_ids);
	spin_lock(&krg_cluster_moves_lock);
	list_add_tail(&d->node, &krg_cluster_dry);
	spin_unlock(&krg_cluster_moves_lock);
	ret = krg_cluster_send_move(d->id, task_tgid_nr(p), node, true, true,
				    agent);
	if (!ret) {
		left = wait_for_completion_killable_timeout(&d->done, 30 * HZ);
		ret = left > 0 ? 0 : left ? -EINTR : -ETIMEDOUT;
	}
	/* Answered (taken off the list by the answer) wins over giving up. */
	spin_lock(&krg_cluster_moves_lock);
	answered = list_empty(&d->node);
	if (!answered)
		list_del(&d->node);
	spin_unlock(&krg_cluster_moves_lock);
	if (answered) {
		ret = d->error;
		strscpy(reason, d->reason, KRG_REASON_LEN);
	} else if (ret == -ETIMEDOUT) {
		strscpy(reason, "the node agent did not answer", KRG_REASON_LEN);
	}
	kfree(d);
	return ret;
}

/* The dry runs sent to @agent's port end: it is gone. */
static void krg_cluster_dry_fail(u32 agent)
{
	struct krg_cluster_dry *d, *tmp;

	spin_lock(&krg_cluster_moves_lock);
	list_for_each_entry_safe(d, tmp, &krg_cluster_dry, node) {
		if (d->agent != agent)
			continue;
		list_del_init(&d->node);
		d->error = -ECONNRESET;
		strscpy(d->reason, "the node agent (krgd) exited", sizeof(d->reason));
		complete(&d->done);
	}
	spin_unlock(&krg_cluster_moves_lock);
}

/* A dry run's answer: @info's REQUEST_ID had the dry bit. */
static int krg_cluster_dry_done(struct genl_info *info, u64 id, int err,
				const char *reason)
{
	struct krg_cluster_dry *d, *found = NULL;

	spin_lock(&krg_cluster_moves_lock);
	list_for_each_entry(d, &krg_cluster_dry, node) {
		if (d->id == id) {
			found = d;
			list_del_init(&d->node);
			d->error = err;
			if (reason)
				strscpy(d->reason, reason, sizeof(d->reason));
			complete(&d->done);
			break;
		}
	}
	spin_unlock(&krg_cluster_moves_lock);
	if (!found) {
		GENL_SET_ERR_MSG(info, "no such dry run (its caller gave up)");
		return -ENOENT;
	}
	return 0;
}

/*
 * Across machines, the agent moves the process (CRIU): the request goes
 * to it and ends when it says. Within this machine the process is already
 * where it runs (Linux places it on the machine's CPUs). Process context
 * (the migration worker).
 */
static void krg_cluster_migrate(struct krg_request *req, struct task_struct *p)
{
	struct krg_cluster_move *m;
	bool ok;
	u32 agent;
	int err;

	if (req->to == node_id) {
		krg_request_complete(req, KRG_REQUEST_DONE, 0);
		return;
	}
	if (krg_cluster_agent_port(&agent)) {
		krg_request_complete_why(req, KRG_REQUEST_REFUSED, -EHOSTUNREACH,
					 "no node agent (krgd) runs on this machine");
		return;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		krg_request_complete(req, KRG_REQUEST_FAILED, -ENOMEM);
		return;
	}
	m->req = krg_request_get(req);
	m->agent = agent;
	spin_lock(&krg_cluster_moves_lock);
	list_add_tail(&m->node, &krg_cluster_moves);
	spin_unlock(&krg_cluster_moves_lock);
	err = krg_cluster_send_move(req->id, req->tgid, req->to,
				    req->origin == KRG_MIGRATE_USER, false, agent);
	if (err) {
		/* Unless the agent's release already took it. */
		spin_lock(&krg_cluster_moves_lock);
		ok = !list_empty(&m->node);
		if (ok)
			list_del_init(&m->node);
		spin_unlock(&krg_cluster_moves_lock);
		if (!ok)
			return;
		krg_request_complete_why(req, KRG_REQUEST_FAILED, err,
					 "the node agent cannot be reached");
		krg_request_put(req);
		kfree(m);
	}
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
	krg_cluster_moves_fail(false, n->portid, -ECONNRESET,
			       "the node agent (krgd) exited during the migration");
	krg_cluster_dry_fail(n->portid);
	return NOTIFY_OK;
}

static struct notifier_block krg_cluster_nl_nb = {
	.notifier_call = krg_cluster_nl_event,
};

/*
 * The move REQUEST_ID, or NULL. Under the moves lock. The answer may come
 * from any socket with CAP_NET_ADMIN (the agent's workers have their own):
 * the ids are krg.ko's, and only the agent knows them.
 */
static struct krg_cluster_move *krg_cluster_move_lookup(struct genl_info *info)
{
	u64 id = nla_get_u64(info->attrs[KRG_A_REQUEST_ID]);
	struct krg_cluster_move *m;

	lockdep_assert_held(&krg_cluster_moves_lock);
	list_for_each_entry(m, &krg_cluster_moves, node)
		if (m->req->id == id)
			return m;
	return NULL;
}

/* KRG_CMD_MIGRATE_BEGIN: the agent commits unless the request ended. */
int krg_cluster_migrate_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct krg_cluster_move *m;
	int ret = 0;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_REQUEST_ID))
		return -EINVAL;
	spin_lock(&krg_cluster_moves_lock);
	m = krg_cluster_move_lookup(info);
	if (!m)
		ret = -ENOENT;
	else if (!krg_request_begin(m->req))
		ret = -ECANCELED;
	spin_unlock(&krg_cluster_moves_lock);
	if (ret == -ENOENT)
		GENL_SET_ERR_MSG(info, "no such migration handed to the agent");
	else if (ret)
		GENL_SET_ERR_MSG(info, "the migration already ended");
	return ret;
}

/* KRG_CMD_MIGRATE_DONE: the agent's outcome of a move. */
int krg_cluster_migrate_done(struct sk_buff *skb, struct genl_info *info)
{
	enum krg_request_outcome outcome = KRG_REQUEST_DONE;
	struct krg_cluster_move *m;
	const char *reason = NULL;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_REQUEST_ID) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_ERROR))
		return -EINVAL;
	err = nla_get_s32(info->attrs[KRG_A_ERROR]);
	if (err) {
		if (err < -MAX_ERRNO || err > 0 || !info->attrs[KRG_A_OUTCOME]) {
			GENL_SET_ERR_MSG(info, "ERROR must be 0 or -errno with an OUTCOME");
			return -EINVAL;
		}
		outcome = nla_get_u8(info->attrs[KRG_A_OUTCOME]);
		if (outcome != KRG_REQUEST_REFUSED &&
		    outcome != KRG_REQUEST_FAILED) {
			GENL_SET_ERR_MSG(info, "OUTCOME must be 2 (refused) or 3 (failed)");
			return -EINVAL;
		}
	} else if (info->attrs[KRG_A_OUTCOME]) {
		GENL_SET_ERR_MSG(info, "a done migration has no OUTCOME");
		return -EINVAL;
	}
	if (info->attrs[KRG_A_REASON])
		reason = nla_data(info->attrs[KRG_A_REASON]);
	if (nla_get_u64(info->attrs[KRG_A_REQUEST_ID]) & KRG_CLUSTER_DRY_BIT)
		return krg_cluster_dry_done(info,
					    nla_get_u64(info->attrs[KRG_A_REQUEST_ID]),
					    err, reason);
	spin_lock(&krg_cluster_moves_lock);
	m = krg_cluster_move_lookup(info);
	/* Done only after BEGIN (the agent committed). */
	if (m && (err || atomic_read(&m->req->state) == KRG_REQ_STATE_STARTED))
		list_del_init(&m->node);
	else if (m)
		err = 1;
	spin_unlock(&krg_cluster_moves_lock);
	if (!m) {
		GENL_SET_ERR_MSG(info, "no such migration handed to the agent");
		return -ENOENT;
	}
	if (err == 1) {
		GENL_SET_ERR_MSG(info, "a migration is done only after MIGRATE_BEGIN");
		return -EINVAL;
	}
	krg_request_complete_why(m->req, outcome, err, reason);
	krg_request_put(m->req);
	kfree(m);
	return 0;
}

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
