// SPDX-License-Identifier: GPL-2.0
/*
 * campaign_priority: the seed's mail campaigns. "Mail campaigns are sent;
 * each campaign has a priority. Goal: drain the highest priority campaigns
 * first." A campaign is a scheduler: its process set (a cgroup, a process
 * group, a session) holds the campaign's sender jobs, and this policy, with
 * its priority, is attached to it. The instances of the policy know each
 * other and share the machine out by priority.
 *
 *   port   load      optional: u64 per node (e.g. mosix_probe/
 *                    norm_mean_load): breaks ties between nodes in placement
 *   attrs  priority  0..1000 (default 0): higher goes first. EINVAL for
 *                    garbage, ERANGE out of range
 *          rank      ro: "rank R of N nice V": R-th distinct priority of
 *                    the N among the live campaigns (0 is the highest) and
 *                    the nice value its jobs get
 *          stats     ro: "tasks N" (jobs last seen), "reniced N" and
 *                    "moved N" (since the policy was made)
 *
 * Every 500 ms (and when a priority or a node set changes) one step, for
 * all campaigns at once, in priority order:
 *  1. CPU share: a campaign of rank R of N gets nice 19*R/(N-1) (0 for the
 *     highest, 19 for the lowest; nice 0, 9, 19 for three): a job's nice is
 *     set to max(its own nice, that), so nothing is ever made more
 *     favoured than it was and no privilege is needed. The job's own nice
 *     is remembered and given back when the job leaves the campaign, when
 *     the campaign's policy goes, or when the module is unloaded; a nice
 *     someone changed since is theirs and becomes the job's own. A child
 *     born with its parent's campaign nice gets its parent's own nice as
 *     its own.
 *  2. Nodes: jobs are laid out on the nodes greedily, highest priority
 *     first: each job goes to the node of its node set that holds the
 *     fewest jobs of equal or higher priority laid out so far (staying
 *     where it is on ties), so the highest campaign spreads over the least
 *     loaded nodes and lower ones fill in around it. A job whose node
 *     differs is migrated if it may (CAN_MIGRATE, not pinned by hand:
 *     krg_may_migrate()), at most 16 per step; lower-priority work is thus
 *     moved out of the way of higher-priority work.
 *  3. The layout is kept for placement: a distant-forked child of a
 *     campaign goes to the online node of its node set with the fewest
 *     jobs of equal or higher priority (ties: lowest load value, then
 *     lowest id), and counts there until the next step.
 * Jobs in several campaigns belong to the highest one. At most 1024 jobs
 * are looked at per step.
 *
 * Nodes are counted in jobs, not normalised by their CPUs: the numa
 * backend's nodes are alike in the test VM; on unlike nodes connect load
 * for the ties and expect the layout to be approximate.
 *
 * Locking. cp_mutex serialises steps, instance creation and removal, and
 * the tracking table (cp_tracked). cp_lock (a spinlock) protects the
 * instance list and each instance's priority and per-node counts, which
 * placement reads in atomic context. Order: cp_mutex, then cp_lock.
 */
#include <linux/hashtable.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <krg/migrate.h>
#include <krg/sched.h>

#define CP_PRIORITY_MAX	1000
#define CP_PERIOD_MS	500
#define CP_SCAN_MAX	1024
#define CP_MOVES_MAX	16
#define CP_MAX_CAMPAIGNS	256	/* looked at per step */

struct cp_campaign {
	struct list_head node;		/* in cp_campaigns */
	struct krg_policy *policy;
	unsigned int priority;		/* cp_lock */
	unsigned int rank;		/* cp_mutex */
	unsigned int nr_ranks;		/* cp_mutex */
	int nice;			/* cp_mutex */
	u32 count[KRG_MAX_NODES];	/* cp_lock: jobs per node */
	unsigned int tasks;		/* cp_mutex */
	atomic64_t reniced;
	atomic64_t moved;
};

/* A job whose nice the policy changed. */
struct cp_track {
	struct hlist_node hash;
	struct pid *pid;		/* referenced */
	struct cp_campaign *owner;
	int orig;			/* its own nice */
	int applied;			/* the nice we set */
	bool seen;
};

/* One job in a step. */
struct cp_job {
	struct task_struct *p;		/* referenced */
	unsigned int idx;		/* campaign, in priority order */
	int node;
};

struct cp_step {
	struct cp_campaign *order[CP_MAX_CAMPAIGNS];
	unsigned int nr_campaigns;
	unsigned int cur;		/* campaign being walked */
	unsigned int nr_jobs;
	struct cp_job jobs[CP_SCAN_MAX];
	u32 occ[KRG_MAX_NODES];
};

static DEFINE_MUTEX(cp_mutex);
static DEFINE_SPINLOCK(cp_lock);
static LIST_HEAD(cp_campaigns);
static DEFINE_HASHTABLE(cp_tracked, 8);
static struct cp_step *cp_step;		/* cp_mutex */
static void cp_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(cp_work, cp_work_fn);

static const struct krg_port_desc cp_load = {
	.name = "load", .type = &krg_type_u64,
};

static const struct krg_port_desc *const cp_ports[] = {
	&cp_load,
	NULL,
};

static void cp_kick(unsigned long delay)
{
	mod_delayed_work(system_unbound_wq, &cp_work, delay);
}

/* --- nice ------------------------------------------------------------------- */

static struct cp_track *cp_track_find(struct pid *pid)
{
	struct cp_track *t;

	hash_for_each_possible(cp_tracked, t, hash, (unsigned long)pid)
		if (t->pid == pid)
			return t;
	return NULL;
}

/* Set every thread of @p to @nice. */
static void cp_set_nice(struct task_struct *p, int nice)
{
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(p, t)
		if (task_nice(t) != nice)
			set_user_nice(t, nice);
	rcu_read_unlock();
}

/* Give @t's job its own nice back if nobody changed ours, and forget it. */
static void cp_untrack(struct cp_track *t)
{
	struct task_struct *p;

	rcu_read_lock();
	p = pid_task(t->pid, PIDTYPE_PID);
	if (p)
		get_task_struct(p);
	rcu_read_unlock();
	if (p) {
		if (task_nice(p) == t->applied)
			cp_set_nice(p, t->orig);
		put_task_struct(p);
	}
	hash_del(&t->hash);
	put_pid(t->pid);
	kfree(t);
}

/* Apply campaign @c's nice to job @p. Caller holds cp_mutex. */
static void cp_renice(struct cp_campaign *c, struct task_struct *p)
{
	struct pid *pid = task_tgid(p);
	struct cp_track *t = cp_track_find(pid), *pt = NULL;
	struct task_struct *parent;
	int now = task_nice(p), want;

	if (!t) {
		t = kzalloc(sizeof(*t), GFP_KERNEL);
		if (!t)
			return;		/* next step */
		t->pid = get_pid(pid);
		t->orig = now;
		t->applied = now;
		/* Born with its parent's campaign nice: the parent's own is its own. */
		rcu_read_lock();
		parent = rcu_dereference(p->real_parent);
		if (parent)
			pt = cp_track_find(task_tgid(parent));
		if (pt && now == pt->applied)
			t->orig = pt->orig;
		rcu_read_unlock();
		hash_add(cp_tracked, &t->hash, (unsigned long)pid);
	} else if (now != t->applied) {
		t->orig = now;		/* someone else's choice */
	}
	t->owner = c;
	t->seen = true;
	want = max(t->orig, c->nice);
	if (now != want) {
		cp_set_nice(p, want);
		atomic64_inc(&c->reniced);
	}
	t->applied = want;
}

/* --- the step ------------------------------------------------------------------ */

static int cp_cmp_priority(const void *a, const void *b)
{
	const struct cp_campaign *x = *(struct cp_campaign * const *)a;
	const struct cp_campaign *y = *(struct cp_campaign * const *)b;

	return x->priority > y->priority ? -1 : x->priority < y->priority;
}

static int cp_cmp_task(const void *a, const void *b)
{
	const struct cp_job *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cp_cmp_order(const void *a, const void *b)
{
	const struct cp_job *x = a, *y = b;

	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return task_tgid_nr(x->p) - task_tgid_nr(y->p);
}

/* krg_policy_walk_tasks() callback: collect the campaign's jobs. RCU. */
static int cp_collect(struct task_struct *p, void *arg)
{
	struct cp_step *s = arg;
	struct cp_job *j;

	if (s->nr_jobs == CP_SCAN_MAX)
		return 1;
	j = &s->jobs[s->nr_jobs++];
	j->p = get_task_struct(p);
	j->idx = s->cur;
	j->node = krg_task_node(p);
	return 0;
}

/* The node of @allowed with the fewest jobs laid out; @cur wins ties. */
static int cp_best_node(struct cp_step *s, const struct krg_nodemask *allowed,
			int cur)
{
	int n, best = KRG_NODE_NONE;

	if (krg_node_valid(cur) && test_bit(cur, allowed->bits))
		best = cur;
	krg_for_each_node(n, allowed)
		if (best == KRG_NODE_NONE || s->occ[n] < s->occ[best])
			best = n;
	return best;
}

static void cp_step_run(struct cp_step *s)
{
	struct krg_nodemask online, allowed;
	unsigned int i, k, moves = 0, prev = UINT_MAX, rank = 0;
	struct cp_campaign *c;
	struct cp_track *t;
	struct hlist_node *tmp;
	unsigned long flags;
	int node, bkt;

	/* Campaigns by priority; ranks by distinct priority. */
	s->nr_campaigns = 0;
	spin_lock_irqsave(&cp_lock, flags);
	list_for_each_entry(c, &cp_campaigns, node)
		if (s->nr_campaigns < ARRAY_SIZE(s->order))
			s->order[s->nr_campaigns++] = c;
	spin_unlock_irqrestore(&cp_lock, flags);
	if (!s->nr_campaigns)
		return;
	sort(s->order, s->nr_campaigns, sizeof(s->order[0]), cp_cmp_priority,
	     NULL);
	for (i = 0; i < s->nr_campaigns; i++) {
		c = s->order[i];
		if (i && c->priority != prev)
			rank++;
		prev = c->priority;
		c->rank = rank;
	}
	for (i = 0; i < s->nr_campaigns; i++) {
		c = s->order[i];
		c->nr_ranks = rank + 1;
		c->nice = c->rank ? 19 * c->rank / rank : 0;
	}

	/* Every campaign's jobs; a job in several belongs to the highest. */
	s->nr_jobs = 0;
	for (i = 0; i < s->nr_campaigns; i++) {
		s->cur = i;
		krg_policy_walk_tasks(s->order[i]->policy, cp_collect, s);
	}
	sort(s->jobs, s->nr_jobs, sizeof(s->jobs[0]), cp_cmp_task, NULL);
	for (i = 0, k = 0; i < s->nr_jobs; i++) {
		if (k && s->jobs[k - 1].p == s->jobs[i].p) {
			put_task_struct(s->jobs[i].p);
			continue;
		}
		s->jobs[k++] = s->jobs[i];
	}
	s->nr_jobs = k;
	sort(s->jobs, s->nr_jobs, sizeof(s->jobs[0]), cp_cmp_order, NULL);

	/* 1. CPU share. */
	hash_for_each(cp_tracked, bkt, t, hash)
		t->seen = false;
	for (i = 0; i < s->nr_campaigns; i++)
		s->order[i]->tasks = 0;
	for (i = 0; i < s->nr_jobs; i++) {
		c = s->order[s->jobs[i].idx];
		c->tasks++;
		cp_renice(c, s->jobs[i].p);
	}
	hash_for_each_safe(cp_tracked, bkt, tmp, t, hash)
		if (!t->seen)
			cp_untrack(t);

	/* 2. Nodes, highest priority first. */
	memset(s->occ, 0, sizeof(s->occ));
	spin_lock_irqsave(&cp_lock, flags);
	for (i = 0; i < s->nr_campaigns; i++)
		memset(s->order[i]->count, 0, sizeof(s->order[i]->count));
	spin_unlock_irqrestore(&cp_lock, flags);
	krg_nodes_online(&online);
	for (i = 0; i < s->nr_jobs; i++) {
		struct cp_job *j = &s->jobs[i];

		c = s->order[j->idx];
		krg_policy_node_set(c->policy, &allowed);
		bitmap_and(allowed.bits, allowed.bits, online.bits,
			   KRG_MAX_NODES);
		node = cp_best_node(s, &allowed, j->node);
		if (node != KRG_NODE_NONE && node != j->node &&
		    moves < CP_MOVES_MAX &&
		    !krg_may_migrate(j->p, node, KRG_MIGRATE_POLICY) &&
		    !krg_policy_migrate(c->policy, j->p, node)) {
			moves++;
			atomic64_inc(&c->moved);
		} else {
			node = j->node;
		}
		if (krg_node_valid(node)) {
			s->occ[node]++;
			spin_lock_irqsave(&cp_lock, flags);
			c->count[node]++;
			spin_unlock_irqrestore(&cp_lock, flags);
		}
		put_task_struct(j->p);
	}
	s->nr_jobs = 0;
}

static void cp_work_fn(struct work_struct *work)
{
	bool more;

	mutex_lock(&cp_mutex);
	cp_step_run(cp_step);
	more = !list_empty(&cp_campaigns);
	mutex_unlock(&cp_mutex);
	if (more)
		queue_delayed_work(system_unbound_wq, &cp_work,
				   msecs_to_jiffies(CP_PERIOD_MS));
}

/* --- placement ------------------------------------------------------------------ */

static int cp_new_task_node(struct krg_policy *policy,
			    struct task_struct *parent,
			    struct task_struct *child)
{
	struct cp_campaign *me = krg_policy_priv(policy), *c;
	struct krg_port *port = krg_policy_port(policy, 0);
	struct krg_nodemask set, online;
	int n, best = KRG_NODE_NONE;
	u64 load, best_load = U64_MAX;
	unsigned long flags;
	u32 hp, best_hp = U32_MAX;

	krg_policy_node_set(policy, &set);
	krg_nodes_online(&online);
	if (!bitmap_and(set.bits, set.bits, online.bits, KRG_MAX_NODES))
		return KRG_NODE_NONE;
	spin_lock_irqsave(&cp_lock, flags);
	krg_for_each_node(n, &set) {
		hp = 0;
		list_for_each_entry(c, &cp_campaigns, node)
			if (c->priority >= me->priority)
				hp += c->count[n];
		if (krg_port_get_node_value(port, n, &load, 1, NULL, 0) != 1)
			load = U64_MAX;
		if (hp < best_hp || (hp == best_hp && load < best_load)) {
			best = n;
			best_hp = hp;
			best_load = load;
		}
	}
	if (best != KRG_NODE_NONE)
		me->count[best]++;
	spin_unlock_irqrestore(&cp_lock, flags);
	return best;
}

/* --- attributes ------------------------------------------------------------------ */

static struct cp_campaign *cp_of(struct config_item *item)
{
	return krg_policy_priv(krg_policy_from_item(item));
}

static ssize_t campaign_priority_priority_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(cp_of(item)->priority));
}

static ssize_t campaign_priority_priority_store(struct config_item *item,
						const char *page, size_t count)
{
	struct cp_campaign *c = cp_of(item);
	unsigned long flags;
	unsigned int v;
	int ret;

	if (page[0] == '-') {
		pr_notice_ratelimited("%s: priority: '%.32s' is negative (0..%d)\n",
				      config_item_name(item), page,
				      CP_PRIORITY_MAX);
		return -ERANGE;
	}
	ret = kstrtouint(page, 10, &v);
	if (ret) {
		pr_notice_ratelimited("%s: priority: '%.32s' is not a number\n",
				      config_item_name(item), page);
		return ret;
	}
	if (v > CP_PRIORITY_MAX) {
		pr_notice_ratelimited("%s: priority %u out of range 0..%d\n",
				      config_item_name(item), v,
				      CP_PRIORITY_MAX);
		return -ERANGE;
	}
	spin_lock_irqsave(&cp_lock, flags);
	WRITE_ONCE(c->priority, v);
	spin_unlock_irqrestore(&cp_lock, flags);
	cp_kick(0);
	return count;
}
CONFIGFS_ATTR(campaign_priority_, priority);

static ssize_t campaign_priority_rank_show(struct config_item *item,
					   char *page)
{
	struct cp_campaign *c = cp_of(item);
	ssize_t len;

	mutex_lock(&cp_mutex);
	if (c->nr_ranks)
		len = sysfs_emit(page, "rank %u of %u nice %d\n", c->rank,
				 c->nr_ranks, c->nice);
	else
		len = sysfs_emit(page, "(not ranked yet)\n");
	mutex_unlock(&cp_mutex);
	return len;
}
CONFIGFS_ATTR_RO(campaign_priority_, rank);

static ssize_t campaign_priority_stats_show(struct config_item *item,
					    char *page)
{
	struct cp_campaign *c = cp_of(item);
	unsigned int tasks;

	mutex_lock(&cp_mutex);
	tasks = c->tasks;
	mutex_unlock(&cp_mutex);
	return sysfs_emit(page, "tasks %u\nreniced %lld\nmoved %lld\n", tasks,
			  atomic64_read(&c->reniced), atomic64_read(&c->moved));
}
CONFIGFS_ATTR_RO(campaign_priority_, stats);

static struct configfs_attribute *cp_attrs[] = {
	&campaign_priority_attr_priority,
	&campaign_priority_attr_rank,
	&campaign_priority_attr_stats,
	NULL,
};

/* --- instances -------------------------------------------------------------------- */

static int cp_init(struct krg_policy *policy)
{
	struct cp_campaign *c = krg_policy_priv(policy);
	unsigned long flags;

	c->policy = policy;
	mutex_lock(&cp_mutex);
	spin_lock_irqsave(&cp_lock, flags);
	list_add_tail(&c->node, &cp_campaigns);
	spin_unlock_irqrestore(&cp_lock, flags);
	mutex_unlock(&cp_mutex);
	cp_kick(0);
	return 0;
}

static void cp_exit(struct krg_policy *policy)
{
	struct cp_campaign *c = krg_policy_priv(policy);
	struct hlist_node *tmp;
	struct cp_track *t;
	unsigned long flags;
	int bkt;

	mutex_lock(&cp_mutex);
	spin_lock_irqsave(&cp_lock, flags);
	list_del(&c->node);
	spin_unlock_irqrestore(&cp_lock, flags);
	/* Its jobs get their own nice back. */
	hash_for_each_safe(cp_tracked, bkt, tmp, t, hash)
		if (t->owner == c)
			cp_untrack(t);
	mutex_unlock(&cp_mutex);
	/* The others are ranked again. */
	cp_kick(0);
}

static void cp_update_node_set(struct krg_policy *policy)
{
	cp_kick(0);
}

/* The step and its scratch live with the module. */
static int cp_module_setup(void)
{
	cp_step = kvzalloc(sizeof(*cp_step), GFP_KERNEL);
	return cp_step ? 0 : -ENOMEM;
}

static void cp_module_teardown(void)
{
	/* No campaign is left: the step stops re-arming itself. */
	cancel_delayed_work_sync(&cp_work);
	kvfree(cp_step);
}

KRG_POLICY_MODULE_INIT(campaign_priority, cp_module_setup, cp_module_teardown,
		       .ports = cp_ports,
		       .attrs = cp_attrs,
		       .priv_size = sizeof(struct cp_campaign),
		       .init = cp_init,
		       .exit = cp_exit,
		       .new_task_node = cp_new_task_node,
		       .update_node_set = cp_update_node_set);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched campaign_priority: drain the highest priority campaigns first");
