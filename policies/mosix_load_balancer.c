// SPDX-License-Identifier: GPL-2.0
/*
 * mosix_load_balancer: dynamic CPU load balancing by migration, the
 * simplified MOSIX algorithm of Kerrighed's mosix_load_balancer policy
 * (Kerrighed 3.0 kernel tree, kerrighed/scheduler/policies/; Louis
 * Rilling, Kerlabs, 2006-2008), with its defaults.
 *
 *   ports   local_load           u64, a node's own load; a push starts a
 *                                balancing step (legacy set-up:
 *                                freq_limit_filter <- threshold_filter <-
 *                                mosix_probe/norm_mean_load)
 *           remote_load          u64, a node's load as others see it
 *                                (remote_cache_filter <- norm_upper_load)
 *           single_process_load  u64, the load one CPU-bound process
 *                                puts on a node (norm_single_process_load)
 *           process_load         u64(pid_t), a process's load
 *                                (mosix_probe/process_load)
 *   attrs   stab_factor  percent of a single process load added to a
 *                        target's load, 0..10000 (default 130)
 *           steps        ro: balancing steps run
 *           last_move    ro: the last migration asked for and why
 *
 * Algorithm (Kerrighed's, per node n acting as "the local node"):
 *  1. n's local_load L(n) was pushed (the filters decide when: at most
 *     every 2 s, not after a recent migration, only above 1.5 single
 *     process loads).
 *  2. Target node: the node m != n of the node set whose stable load
 *     remote_load(m) + stab_factor/100 * single_process_load(m), the load
 *     m would have with one more process, is the lowest, and only if it is
 *     strictly below L(n): a move must leave the target less loaded than
 *     the source was, so balanced nodes never trade processes back and
 *     forth. Nodes without values are left out.
 *  3. Process: among the processes of the scheduler's process set that run
 *     on n and may migrate to m (CAN_MIGRATE, not pinned by hand, not
 *     ptraced, not migrating already: krg_may_migrate()), the one with the
 *     second highest process_load (the most loaded if it is alone);
 *     processes with no or zero load are left out. Kerrighed's reasoning:
 *     the most loaded one is likely to be the reason the node is loaded
 *     and to keep it so wherever it goes; the second is a safer move.
 *  4. Migrate it to m (krg_policy_migrate(); the core checks again).
 * The step runs in a work item (process context), never in the push.
 *
 * Node sets. With the numa backend one instance serves every node of its
 * scheduler's node set, so a step lets each node act as "local" in turn,
 * most loaded first; each node takes part in at most one migration per
 * step, as source or target, so that two sources never pick the same idle
 * target on the same stale values (Kerrighed's nodes decided independently
 * and could); and a target counts the process sent to it until its load
 * value changes (see mosix_read_loads()). In cluster mode each node will
 * run its own instance and act for itself only: the set of acting nodes is
 * a parameter of the step.
 * When nodes leave the node set, the processes on them that may migrate
 * are sent to the least loaded nodes of the new set (Kerrighed expelled
 * them when its own node left), in batches.
 *
 * Bounded work: one walk of the process set per step, at most
 * MOSIX_SCAN_MAX processes looked at, at most one migration per node pair,
 * at most MOSIX_EXPEL_BATCH processes expelled per step.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/migrate.h>
#include <krg/sched.h>

enum {
	MOSIX_LOCAL_LOAD,
	MOSIX_REMOTE_LOAD,
	MOSIX_SINGLE_PROCESS_LOAD,
	MOSIX_PROCESS_LOAD,
};

#define MOSIX_STAB_DEFAULT	130	/* percent, Kerrighed's */
#define MOSIX_STAB_MAX		10000
#define MOSIX_SCAN_MAX		8192	/* processes looked at per step */
#define MOSIX_EXPEL_BATCH	32	/* processes expelled per step */
#define MOSIX_LAST_MOVE_LEN	128
/* How long a target counts one more process at most (see below). */
#define MOSIX_SENT_HOLD_NS	(10 * NSEC_PER_SEC)

/* One source node's move in a step. */
struct mosix_move {
	int from;
	int to;
	struct task_struct *cand[2];	/* most, second most loaded; held */
	u64 cand_load[2];
};

/* Scratch of a step; only the work item uses it (it never runs twice). */
struct mosix_step {
	struct krg_policy *policy;
	u64 local[KRG_MAX_NODES];
	u64 stable[KRG_MAX_NODES];	/* remote_load + stab% * single load */
	u64 single[KRG_MAX_NODES];
	u64 remote[KRG_MAX_NODES];
	/* A migration sent there: remote_load then, and when (0: none). */
	u64 sent_remote[KRG_MAX_NODES];
	u64 sent_ns[KRG_MAX_NODES];
	DECLARE_BITMAP(has_local, KRG_MAX_NODES);
	DECLARE_BITMAP(has_stable, KRG_MAX_NODES);
	DECLARE_BITMAP(busy, KRG_MAX_NODES);	/* in a move already */
	s16 move_of[KRG_MAX_NODES];		/* index in moves, or -1 */
	unsigned int nr_moves;
	unsigned int scanned;
	struct mosix_move moves[KRG_MAX_NODES / 2];
	/* expel */
	struct krg_nodemask leaving;
	int fallback;
	unsigned int nr_expel;
	struct task_struct *expel[MOSIX_EXPEL_BATCH];
};

struct mosix_lb {
	struct krg_policy *policy;
	struct work_struct work;
	struct mosix_step *step;
	/* lock protects stopping, prev_set, expel and last_move. */
	spinlock_t lock;
	bool stopping;
	struct krg_nodemask prev_set;	/* node set at the last change */
	struct krg_nodemask expel;	/* nodes left: move their processes */
	char last_move[MOSIX_LAST_MOVE_LEN];
	atomic_t stab_factor;
	atomic64_t steps;
};

static const struct krg_port_desc mosix_local_load = {
	.name = "local_load", .type = &krg_type_u64,
};

static const struct krg_port_desc mosix_remote_load = {
	.name = "remote_load", .type = &krg_type_u64,
};

static const struct krg_port_desc mosix_single_process_load = {
	.name = "single_process_load", .type = &krg_type_u64,
};

static const struct krg_port_desc mosix_process_load = {
	.name = "process_load", .type = &krg_type_u64_pid,
};

static const struct krg_port_desc *const mosix_ports[] = {
	[MOSIX_LOCAL_LOAD] = &mosix_local_load,
	[MOSIX_REMOTE_LOAD] = &mosix_remote_load,
	[MOSIX_SINGLE_PROCESS_LOAD] = &mosix_single_process_load,
	[MOSIX_PROCESS_LOAD] = &mosix_process_load,
	NULL,
};

/* Queue a step unless exit started. Any context. */
static void mosix_kick(struct mosix_lb *lb)
{
	unsigned long flags;

	spin_lock_irqsave(&lb->lock, flags);
	if (!lb->stopping)
		queue_work(system_unbound_wq, &lb->work);
	spin_unlock_irqrestore(&lb->lock, flags);
}

static u64 mosix_add(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

static u64 mosix_node_value(struct krg_policy *policy, unsigned int port,
			    int node, bool *ok)
{
	u64 v = 0;

	*ok = krg_port_get_node_value(krg_policy_port(policy, port), node, &v,
				      1, NULL, 0) == 1;
	return v;
}

/*
 * Read every node's loads for this step. A node this policy sent a process
 * to counts it (one more single process load) until its remote_load value
 * changes, i.e. until a measurement that saw the process reaches us, or
 * MOSIX_SENT_HOLD_NS: as MOSIX did, and Kerrighed did not. Without it, the
 * values a remote_cache_filter serves (up to a probe period plus a polling
 * period old) still show the last target idle at the next step, and a
 * second process goes there too.
 */
static void mosix_read_loads(struct mosix_lb *lb, struct mosix_step *s,
			     const struct krg_nodemask *set)
{
	u32 stab = atomic_read(&lb->stab_factor);
	u64 remote, extra, now = ktime_get_ns();
	bool ok, ok2;
	int n;

	bitmap_zero(s->has_local, KRG_MAX_NODES);
	bitmap_zero(s->has_stable, KRG_MAX_NODES);
	krg_for_each_node(n, set) {
		s->local[n] = mosix_node_value(lb->policy, MOSIX_LOCAL_LOAD, n,
					       &ok);
		if (ok)
			__set_bit(n, s->has_local);
		remote = mosix_node_value(lb->policy, MOSIX_REMOTE_LOAD, n,
					  &ok);
		s->single[n] = mosix_node_value(lb->policy,
						MOSIX_SINGLE_PROCESS_LOAD, n,
						&ok2);
		if (!ok || !ok2)
			continue;
		s->remote[n] = remote;
		if (s->sent_ns[n] && (remote != s->sent_remote[n] ||
				      now - s->sent_ns[n] > MOSIX_SENT_HOLD_NS))
			s->sent_ns[n] = 0;
		if (s->sent_ns[n])
			remote = mosix_add(remote, s->single[n]);
		extra = mul_u64_u32_div(s->single[n], stab, 100);
		s->stable[n] = mosix_add(remote, extra);
		__set_bit(n, s->has_stable);
	}
}

/* A migration to @m was queued: m has one more process now. */
static void mosix_sent(struct mosix_step *s, int m)
{
	if (!test_bit(m, s->has_stable))
		return;
	if (!s->sent_ns[m]) {
		s->sent_remote[m] = s->remote[m];
		s->sent_ns[m] = ktime_get_ns();
	}
	s->stable[m] = mosix_add(s->stable[m], s->single[m]);
}

/* The node of @set other than @n with the lowest stable load below @below. */
static int mosix_target(struct mosix_step *s, const struct krg_nodemask *set,
			int n, u64 below)
{
	int m, target = KRG_NODE_NONE;

	krg_for_each_node(m, set) {
		if (m == n || !test_bit(m, s->has_stable) ||
		    test_bit(m, s->busy))
			continue;
		if (s->stable[m] < below) {
			below = s->stable[m];
			target = m;
		}
	}
	return target;
}

/*
 * Pair each acting node that needs relief with a target, most loaded
 * first. Returns the number of moves planned.
 */
static unsigned int mosix_plan(struct mosix_step *s,
			       const struct krg_nodemask *set,
			       const struct krg_nodemask *acting)
{
	struct krg_nodemask todo;
	struct mosix_move *mv;
	int n, src, m;

	bitmap_zero(s->busy, KRG_MAX_NODES);
	memset(s->move_of, 0xff, sizeof(s->move_of));
	s->nr_moves = 0;
	bitmap_and(todo.bits, acting->bits, s->has_local, KRG_MAX_NODES);
	for (;;) {
		src = KRG_NODE_NONE;
		krg_for_each_node(n, &todo)
			if (!test_bit(n, s->busy) &&
			    (src == KRG_NODE_NONE || s->local[n] > s->local[src]))
				src = n;
		if (src == KRG_NODE_NONE)
			break;
		__clear_bit(src, todo.bits);
		m = mosix_target(s, set, src, s->local[src]);
		if (m == KRG_NODE_NONE)
			continue;
		mv = &s->moves[s->nr_moves];
		mv->from = src;
		mv->to = m;
		mv->cand[0] = NULL;
		mv->cand[1] = NULL;
		mv->cand_load[0] = 0;
		mv->cand_load[1] = 0;
		s->move_of[src] = s->nr_moves++;
		__set_bit(src, s->busy);
		__set_bit(m, s->busy);
	}
	return s->nr_moves;
}

/* krg_policy_walk_tasks() callback: keep the two most loaded. RCU. */
static int mosix_scan(struct task_struct *p, void *arg)
{
	struct mosix_step *s = arg;
	struct mosix_move *mv;
	pid_t pid;
	int node;
	u64 load;

	if (++s->scanned > MOSIX_SCAN_MAX)
		return 1;
	node = krg_task_node(p);
	if (!krg_node_valid(node) || s->move_of[node] < 0)
		return 0;
	mv = &s->moves[s->move_of[node]];
	if (krg_may_migrate(p, mv->to, KRG_MIGRATE_POLICY))
		return 0;
	pid = task_tgid_nr(p);
	if (krg_port_get_value(krg_policy_port(s->policy, MOSIX_PROCESS_LOAD),
			       &load, 1, &pid, 1) != 1 || !load)
		return 0;
	/*
	 * A reference dropped here is never the last: the task list's own is
	 * put after an RCU grace period.
	 */
	if (load > mv->cand_load[0]) {
		if (mv->cand[1])
			put_task_struct(mv->cand[1]);
		mv->cand[1] = mv->cand[0];
		mv->cand_load[1] = mv->cand_load[0];
		mv->cand[0] = get_task_struct(p);
		mv->cand_load[0] = load;
	} else if (load > mv->cand_load[1]) {
		if (mv->cand[1])
			put_task_struct(mv->cand[1]);
		mv->cand[1] = get_task_struct(p);
		mv->cand_load[1] = load;
	}
	return 0;
}

static void mosix_record(struct mosix_lb *lb, struct task_struct *p,
			 int from, int to, u64 load, u64 target_load)
{
	unsigned long flags;

	spin_lock_irqsave(&lb->lock, flags);
	snprintf(lb->last_move, sizeof(lb->last_move),
		 "pid %d from %d to %d local_load %llu target_load %llu",
		 task_tgid_nr(p), from, to, load, target_load);
	spin_unlock_irqrestore(&lb->lock, flags);
}

/*
 * One balancing step: every node of @acting acts as "the local node".
 * numa: @acting is the node set; cluster: the node this instance runs on.
 */
static void mosix_balance(struct mosix_lb *lb, struct mosix_step *s,
			  const struct krg_nodemask *set,
			  const struct krg_nodemask *acting)
{
	struct task_struct *p;
	struct mosix_move *mv;
	unsigned int i;

	if (!mosix_plan(s, set, acting))
		return;
	s->scanned = 0;
	krg_policy_walk_tasks(lb->policy, mosix_scan, s);
	for (i = 0; i < s->nr_moves; i++) {
		mv = &s->moves[i];
		p = mv->cand[1] ?: mv->cand[0];
		if (p && !krg_policy_migrate(lb->policy, p, mv->to)) {
			mosix_record(lb, p, mv->from, mv->to,
				     s->local[mv->from], s->stable[mv->to]);
			mosix_sent(s, mv->to);
		}
		if (mv->cand[0])
			put_task_struct(mv->cand[0]);
		if (mv->cand[1])
			put_task_struct(mv->cand[1]);
	}
}

/* krg_policy_walk_tasks() callback: processes on leaving nodes. RCU. */
static int mosix_collect(struct task_struct *p, void *arg)
{
	struct mosix_step *s = arg;
	int node = krg_task_node(p);

	if (!krg_node_valid(node) || !test_bit(node, s->leaving.bits) ||
	    krg_may_migrate(p, s->fallback, KRG_MIGRATE_POLICY))
		return 0;
	s->expel[s->nr_expel++] = get_task_struct(p);
	return s->nr_expel == MOSIX_EXPEL_BATCH;
}

/*
 * Send one batch of the processes on nodes that left the node set to the
 * least loaded nodes of @set. Returns true if more may remain.
 */
static bool mosix_expel(struct mosix_lb *lb, struct mosix_step *s,
			const struct krg_nodemask *set)
{
	unsigned int i, moved = 0;
	int m;

	s->fallback = find_first_bit(set->bits, KRG_MAX_NODES);
	if (s->fallback >= KRG_MAX_NODES)
		return false;		/* nowhere to go */
	s->nr_expel = 0;
	krg_policy_walk_tasks(lb->policy, mosix_collect, s);
	for (i = 0; i < s->nr_expel; i++) {
		bitmap_zero(s->busy, KRG_MAX_NODES);
		m = mosix_target(s, set, KRG_NODE_NONE, U64_MAX);
		if (m == KRG_NODE_NONE)
			m = s->fallback;
		if (!krg_policy_migrate(lb->policy, s->expel[i], m)) {
			moved++;
			/* Spread the batch too. */
			mosix_sent(s, m);
		}
		put_task_struct(s->expel[i]);
	}
	return s->nr_expel == MOSIX_EXPEL_BATCH && moved;
}

static void mosix_work(struct work_struct *work)
{
	struct mosix_lb *lb = container_of(work, struct mosix_lb, work);
	struct mosix_step *s = lb->step;
	struct krg_nodemask set, online;
	unsigned long flags;
	bool more = false;

	krg_policy_node_set(lb->policy, &set);
	krg_nodes_online(&online);
	bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES);
	spin_lock_irqsave(&lb->lock, flags);
	s->leaving = lb->expel;
	spin_unlock_irqrestore(&lb->lock, flags);

	mosix_read_loads(lb, s, &set);
	/* numa: every node of the set acts in turn (see the top comment). */
	mosix_balance(lb, s, &set, &set);
	if (!bitmap_empty(s->leaving.bits, KRG_MAX_NODES))
		more = mosix_expel(lb, s, &set);
	if (!more) {
		spin_lock_irqsave(&lb->lock, flags);
		bitmap_andnot(lb->expel.bits, lb->expel.bits, s->leaving.bits,
			      KRG_MAX_NODES);
		spin_unlock_irqrestore(&lb->lock, flags);
	}
	atomic64_inc(&lb->steps);
	if (more)
		mosix_kick(lb);
}

/* --- attributes ---------------------------------------------------------- */

static struct mosix_lb *mosix_of(struct config_item *item)
{
	return krg_policy_priv(krg_policy_from_item(item));
}

static ssize_t mosix_load_balancer_stab_factor_show(struct config_item *item,
						    char *page)
{
	return sysfs_emit(page, "%d\n", atomic_read(&mosix_of(item)->stab_factor));
}

static ssize_t mosix_load_balancer_stab_factor_store(struct config_item *item,
						     const char *page,
						     size_t count)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(page, 0, &v);
	if (ret) {
		pr_notice_ratelimited("%s: stab_factor: '%.32s' is not a percentage\n",
				      config_item_name(item), page);
		return ret;
	}
	if (v > MOSIX_STAB_MAX) {
		pr_notice_ratelimited("%s: stab_factor %u out of range 0..%u\n",
				      config_item_name(item), v,
				      MOSIX_STAB_MAX);
		return -ERANGE;
	}
	atomic_set(&mosix_of(item)->stab_factor, v);
	return count;
}
CONFIGFS_ATTR(mosix_load_balancer_, stab_factor);

static ssize_t mosix_load_balancer_steps_show(struct config_item *item,
					      char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&mosix_of(item)->steps));
}
CONFIGFS_ATTR_RO(mosix_load_balancer_, steps);

static ssize_t mosix_load_balancer_last_move_show(struct config_item *item,
						  char *page)
{
	struct mosix_lb *lb = mosix_of(item);
	char buf[MOSIX_LAST_MOVE_LEN];
	unsigned long flags;

	spin_lock_irqsave(&lb->lock, flags);
	strscpy(buf, lb->last_move, sizeof(buf));
	spin_unlock_irqrestore(&lb->lock, flags);
	return sysfs_emit(page, "%s\n", buf[0] ? buf : "none");
}
CONFIGFS_ATTR_RO(mosix_load_balancer_, last_move);

static struct configfs_attribute *mosix_attrs[] = {
	&mosix_load_balancer_attr_stab_factor,
	&mosix_load_balancer_attr_steps,
	&mosix_load_balancer_attr_last_move,
	NULL,
};

/* --- policy callbacks ---------------------------------------------------- */

static void mosix_update(struct krg_policy *policy, struct krg_port *port)
{
	/* Only local_load starts a step; the other ports are read. */
	if (krg_port_index(port) == MOSIX_LOCAL_LOAD)
		mosix_kick(krg_policy_priv(policy));
}

static void mosix_update_node_set(struct krg_policy *policy)
{
	struct mosix_lb *lb = krg_policy_priv(policy);
	struct krg_nodemask set, left;
	unsigned long flags;

	krg_policy_node_set(policy, &set);
	spin_lock_irqsave(&lb->lock, flags);
	bitmap_andnot(left.bits, lb->prev_set.bits, set.bits, KRG_MAX_NODES);
	bitmap_or(lb->expel.bits, lb->expel.bits, left.bits, KRG_MAX_NODES);
	bitmap_andnot(lb->expel.bits, lb->expel.bits, set.bits, KRG_MAX_NODES);
	lb->prev_set = set;
	spin_unlock_irqrestore(&lb->lock, flags);
	/* Expel what must leave, and balance over the new set. */
	mosix_kick(lb);
}

static int mosix_init(struct krg_policy *policy)
{
	struct mosix_lb *lb = krg_policy_priv(policy);

	lb->step = kvzalloc(sizeof(*lb->step), GFP_KERNEL);
	if (!lb->step)
		return -ENOMEM;
	lb->step->policy = policy;
	lb->policy = policy;
	spin_lock_init(&lb->lock);
	INIT_WORK(&lb->work, mosix_work);
	atomic_set(&lb->stab_factor, MOSIX_STAB_DEFAULT);
	krg_policy_node_set(policy, &lb->prev_set);
	return 0;
}

static void mosix_exit(struct krg_policy *policy)
{
	struct mosix_lb *lb = krg_policy_priv(policy);
	unsigned long flags;

	spin_lock_irqsave(&lb->lock, flags);
	lb->stopping = true;
	spin_unlock_irqrestore(&lb->lock, flags);
	cancel_work_sync(&lb->work);
	kvfree(lb->step);
}

KRG_POLICY_MODULE(mosix_load_balancer,
		  .ports = mosix_ports,
		  .attrs = mosix_attrs,
		  .priv_size = sizeof(struct mosix_lb),
		  .init = mosix_init,
		  .exit = mosix_exit,
		  .update = mosix_update,
		  .update_node_set = mosix_update_node_set);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched mosix_load_balancer: Kerrighed's MOSIX-like load balancing");
