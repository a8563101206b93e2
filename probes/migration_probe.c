// SPDX-License-Identifier: GPL-2.0
/*
 * migration_probe: what the SSI layer's migrations are doing (Kerrighed's
 * migration_probe, used by freq_limit_filter to hold a policy back while
 * migrations are on going and for a while after the last one).
 *
 * Sources (u64):
 *   last_migration      ktime_get_ns() (CLOCK_MONOTONIC, ns) of the last
 *                       migration that ended successfully; 0 if none since
 *                       the probe was made. (Kerrighed stamped the start; a
 *                       migration's effect on load shows once it is done.)
 *   migration_on_going  migrations started and not yet ended or aborted
 *
 * Event-driven: krg.ko's migration notifier chain (atomic) calls the probe
 * at each start, end and abort, and the probe publishes the sources that
 * changed from there; probe_period cannot be set. Migrations are a property
 * of the whole system, not of a node: every online node shows the same
 * values (nodes/<n>/value), offline nodes none (-ENODATA).
 *
 * A request can be aborted before it starts (the process exited, or is no
 * longer allowed to move), so an abort only ends a migration whose start
 * was seen: starts are matched to their end by the request's id, which
 * every event of one request carries. Placements (distant forks) are not
 * migrations: their events are ignored.
 */
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <krg/migrate.h>
#include "krg_probe_util.h"

enum {
	MIGRATION_PROBE_LAST,
	MIGRATION_PROBE_ON_GOING,
};

/* Concurrent migrations matched exactly; more are counted approximately. */
#define MIGRATION_PROBE_SLOTS	64

struct migration_probe_slot {
	u64 id;				/* the request's; 0: free */
};

struct migration_probe {
	struct notifier_block nb;
	struct krg_probe *probe;
	spinlock_t lock;		/* protects the fields below */
	u64 last_ns;			/* also READ_ONCE */
	u64 on_going;			/* also READ_ONCE */
	unsigned int untracked;		/* started beyond the slots */
	struct migration_probe_slot slots[MIGRATION_PROBE_SLOTS];
};

/* Forget the start of @ev's request; true if it had been seen. */
static bool migration_probe_match(struct migration_probe *mp,
				  const struct krg_migration_event *ev,
				  unsigned long kind)
{
	unsigned int i;

	for (i = 0; i < MIGRATION_PROBE_SLOTS; i++) {
		struct migration_probe_slot *s = &mp->slots[i];

		if (s->id == ev->id) {
			s->id = 0;
			return true;
		}
	}
	/* Unmatched: an end always had a start; an abort may not have. */
	if (kind == KRG_MIGRATION_END && mp->untracked) {
		mp->untracked--;
		return true;
	}
	return false;
}

static void migration_probe_start(struct migration_probe *mp,
				  const struct krg_migration_event *ev)
{
	unsigned int i;

	for (i = 0; i < MIGRATION_PROBE_SLOTS; i++) {
		struct migration_probe_slot *s = &mp->slots[i];

		if (!s->id) {
			s->id = ev->id;
			return;
		}
	}
	mp->untracked++;
}

/* The migration notifier: atomic context. */
static int migration_probe_event(struct notifier_block *nb,
				 unsigned long kind, void *data)
{
	struct migration_probe *mp = container_of(nb, struct migration_probe,
						  nb);
	const struct krg_migration_event *ev = data;
	bool last = false, on_going = false;
	unsigned long flags;

	spin_lock_irqsave(&mp->lock, flags);
	switch (kind) {
	case KRG_MIGRATION_START:
		migration_probe_start(mp, ev);
		WRITE_ONCE(mp->on_going, mp->on_going + 1);
		on_going = true;
		break;
	case KRG_MIGRATION_END:
		WRITE_ONCE(mp->last_ns, ev->time_ns);
		last = true;
		fallthrough;
	case KRG_MIGRATION_ABORT:
		if (migration_probe_match(mp, ev, kind) && mp->on_going) {
			WRITE_ONCE(mp->on_going, mp->on_going - 1);
			on_going = true;
		}
		break;
	}
	spin_unlock_irqrestore(&mp->lock, flags);

	if (last)
		krg_probe_publish(mp->probe, MIGRATION_PROBE_LAST);
	if (on_going)
		krg_probe_publish(mp->probe, MIGRATION_PROBE_ON_GOING);
	return NOTIFY_DONE;
}

static int migration_probe_value(struct krg_probe *probe, unsigned int which,
				 int node, void *out)
{
	struct migration_probe *mp = krg_probe_priv(probe);

	if (!krgp_node_here(node))
		return -ENODATA;
	*(u64 *)out = which == MIGRATION_PROBE_LAST ? READ_ONCE(mp->last_ns) :
		      READ_ONCE(mp->on_going);
	return 1;
}

static int migration_probe_last_node(struct krg_probe *probe, int node,
				     void *out, unsigned int nr,
				     const void *in, unsigned int in_nr)
{
	return migration_probe_value(probe, MIGRATION_PROBE_LAST, node, out);
}

static int migration_probe_last_get(struct krg_probe *probe, void *out,
				    unsigned int nr, const void *in,
				    unsigned int in_nr)
{
	return migration_probe_value(probe, MIGRATION_PROBE_LAST,
				     krg_local_node(), out);
}

static int migration_probe_on_going_node(struct krg_probe *probe, int node,
					 void *out, unsigned int nr,
					 const void *in, unsigned int in_nr)
{
	return migration_probe_value(probe, MIGRATION_PROBE_ON_GOING, node,
				     out);
}

static int migration_probe_on_going_get(struct krg_probe *probe, void *out,
					unsigned int nr, const void *in,
					unsigned int in_nr)
{
	return migration_probe_value(probe, MIGRATION_PROBE_ON_GOING,
				     krg_local_node(), out);
}

static const struct krg_source_desc migration_probe_src_last = {
	.name = "last_migration",
	.type = &krg_type_u64,
	.get_value = migration_probe_last_get,
	.get_node_value = migration_probe_last_node,
};

static const struct krg_source_desc migration_probe_src_on_going = {
	.name = "migration_on_going",
	.type = &krg_type_u64,
	.get_value = migration_probe_on_going_get,
	.get_node_value = migration_probe_on_going_node,
};

/* In the order of the MIGRATION_PROBE_* indexes. */
static const struct krg_source_desc *const migration_probe_sources[] = {
	&migration_probe_src_last,
	&migration_probe_src_on_going,
	NULL,
};

static int migration_probe_init(struct krg_probe *probe)
{
	struct migration_probe *mp = krg_probe_priv(probe);

	spin_lock_init(&mp->lock);
	mp->probe = probe;
	mp->nb.notifier_call = migration_probe_event;
	/* Publish last: events may come as soon as this returns. */
	return krg_migration_register_notifier(&mp->nb);
}

/* Returns once no callback runs any more (the chain waits for RCU). */
static void migration_probe_exit(struct krg_probe *probe)
{
	struct migration_probe *mp = krg_probe_priv(probe);

	krg_migration_unregister_notifier(&mp->nb);
}

KRG_PROBE_MODULE(migration_probe,
		 .sources = migration_probe_sources,
		 .priv_size = sizeof(struct migration_probe),
		 .init = migration_probe_init,
		 .exit = migration_probe_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: last migration time, migrations on going");
