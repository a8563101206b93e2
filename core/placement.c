// SPDX-License-Identifier: GPL-2.0
/*
 * Distant fork placement: the core answers the SSI layer's placement hook.
 * Schedulers are asked in Kerrighed's order: the universal ones (handle_all)
 * first, then those whose process set holds the parent by pid, by process
 * group, by session, then by cgroup; within each class, in creation order.
 * The first answer that is not KRG_NODE_NONE wins.
 */
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <krg/migrate.h>
#include "internal.h"

/* Placement counters, per CPU (placement runs with preemption off). */
struct krg_place_stats {
	u64 asked;	/* forks the SSI layer asked about */
	u64 placed;	/* ... that got a node */
	u64 ns;		/* time spent deciding */
};

static DEFINE_PER_CPU(struct krg_place_stats, krg_place_stats);

/* The root's stats attribute: totals over every CPU. */
ssize_t krg_placement_stats_show(char *page)
{
	struct krg_place_stats sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krg_place_stats *st = per_cpu_ptr(&krg_place_stats, cpu);

		sum.asked += READ_ONCE(st->asked);
		sum.placed += READ_ONCE(st->placed);
		sum.ns += READ_ONCE(st->ns);
	}
	return sysfs_emit(page, "placements_asked %llu\nplacements_done %llu\n"
			  "placement_ns_mean %llu\n", sum.asked, sum.placed,
			  sum.asked ? div64_u64(sum.ns, sum.asked) : 0);
}

/*
 * Atomic: runs from the fork tracepoint. With @who (KRG_REQUEST_WHO_LEN
 * bytes), the name of the scheduler that decided goes there.
 */
static int krg_place_pick(struct task_struct *parent,
			  struct task_struct *child, char *who)
{
	struct krg_scheduler *s;
	struct krg_policy *p;
	int pass, node = KRG_NODE_NONE;
	u64 t0 = local_clock();

	rcu_read_lock();
	for (pass = -1; pass < KRG_MEMBER_NR; pass++) {
		list_for_each_entry_rcu(s, &krg_schedulers, node) {
			p = rcu_dereference(s->policy);
			if (!p)
				continue;
			if (pass < 0 ? !READ_ONCE(s->pset.handle_all) :
			    !krg_process_set_has(&s->pset, pass, parent))
				continue;
			node = krg_policy_place(p, parent, child);
			if (node == KRG_NODE_NONE)
				continue;
			if (who)
				strscpy(who, config_item_name(&s->group.cg_item),
					KRG_REQUEST_WHO_LEN);
			goto out;
		}
	}
out:
	rcu_read_unlock();
	this_cpu_inc(krg_place_stats.asked);
	if (node != KRG_NODE_NONE)
		this_cpu_inc(krg_place_stats.placed);
	this_cpu_add(krg_place_stats.ns, local_clock() - t0);
	return node;
}

int krg_place_task(struct task_struct *parent, struct task_struct *child)
{
	return krg_place_pick(parent, child, NULL);
}
EXPORT_SYMBOL_GPL(krg_place_task);

static const struct krg_placement_ops krg_core_placement = {
	.place = krg_place_task,
	.place_who = krg_place_pick,
};

int krg_placement_init(void)
{
	return krg_placement_register(&krg_core_placement);
}

void krg_placement_uninit(void)
{
	krg_placement_unregister(&krg_core_placement);
}
