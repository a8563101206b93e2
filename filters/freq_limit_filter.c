// SPDX-License-Identifier: GPL-2.0
/*
 * freq_limit_filter: let pushes through at most once per interval, and not
 * too soon after an event (a migration). Kerrighed's freq_limit_filter.
 *
 *   port    source           u64, the value whose pushes are limited
 *           last_event       u64, optional: time of the last event,
 *                            ktime_get_ns() (0: none yet); link it to
 *                            migration_probe/last_migration
 *           events_on_going  u64, optional: events in flight; link it to
 *                            migration_probe/migration_on_going
 *   output  u64              the source unchanged on pull, per node too
 *   attr    min_interval     ns, default 2000000000 (2 s)
 *           stats            ro: pushes passed and held, by reason
 *
 * A push on `source` is republished only when, at that moment,
 *  - at least min_interval ns passed since this filter last republished,
 *  - last_event (when connected) is 0 or at least min_interval ns old; a
 *    time in the future (another node's clock, later) counts as "now"; an
 *    unreadable last_event holds the push back, as in Kerrighed,
 *  - events_on_going (when connected and readable) is 0.
 * Equal passes: an interval of exactly min_interval is enough, and
 * min_interval 0 lets everything through except while events are on going.
 * A held push is dropped, not delayed: the probe's next one will do.
 *
 * Kerrighed differences: its filter started at 0 (no limit) and the legacy
 * MOSIX set-up wrote 2 s, its only value in use: 2 s is the default here.
 * It timed only from last_event (so without migrations every push passed)
 * and skipped the on-going check when min_interval was 0.
 */
#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <krg/sched.h>

#define FREQ_LIMIT_DEFAULT_NS	2000000000ULL

enum {
	FREQ_PORT_SOURCE,
	FREQ_PORT_LAST_EVENT,
	FREQ_PORT_ON_GOING,
};

struct freq_limit_filter {
	atomic64_t min_interval;	/* ns */
	atomic64_t last_pub;		/* ktime_get_ns() of the last push on; 0: none */
	atomic64_t passed;
	atomic64_t held_interval;	/* too soon after the last push on */
	atomic64_t held_event;		/* too soon after last_event */
	atomic64_t held_on_going;	/* events_on_going != 0 */
};

static const struct krg_port_desc freq_source = {
	.name = "source", .type = &krg_type_u64,
};

static const struct krg_port_desc freq_last_event = {
	.name = "last_event", .type = &krg_type_u64,
};

static const struct krg_port_desc freq_on_going = {
	.name = "events_on_going", .type = &krg_type_u64,
};

static const struct krg_port_desc *const freq_ports[] = {
	[FREQ_PORT_SOURCE] = &freq_source,
	[FREQ_PORT_LAST_EVENT] = &freq_last_event,
	[FREQ_PORT_ON_GOING] = &freq_on_going,
	NULL,
};

static struct freq_limit_filter *freq_of(struct config_item *item)
{
	return krg_filter_priv(krg_filter_from_item(item));
}

static ssize_t freq_limit_filter_min_interval_show(struct config_item *item,
						   char *page)
{
	return sysfs_emit(page, "%llu\n",
			  (u64)atomic64_read(&freq_of(item)->min_interval));
}

static ssize_t freq_limit_filter_min_interval_store(struct config_item *item,
						    const char *page,
						    size_t count)
{
	u64 ns;
	int ret;

	ret = kstrtou64(page, 0, &ns);
	if (ret) {
		pr_notice_ratelimited("%s: min_interval: '%.32s' is not a number of ns\n",
				      config_item_name(item), page);
		return ret;
	}
	if (ns > S64_MAX) {
		pr_notice_ratelimited("%s: min_interval: %llu ns is too long\n",
				      config_item_name(item), ns);
		return -ERANGE;
	}
	atomic64_set(&freq_of(item)->min_interval, ns);
	return count;
}
CONFIGFS_ATTR(freq_limit_filter_, min_interval);

static ssize_t freq_limit_filter_stats_show(struct config_item *item,
					    char *page)
{
	struct freq_limit_filter *fl = freq_of(item);

	return sysfs_emit(page,
			  "passed %lld\nheld_interval %lld\nheld_event %lld\nheld_on_going %lld\n",
			  atomic64_read(&fl->passed),
			  atomic64_read(&fl->held_interval),
			  atomic64_read(&fl->held_event),
			  atomic64_read(&fl->held_on_going));
}
CONFIGFS_ATTR_RO(freq_limit_filter_, stats);

static struct configfs_attribute *freq_attrs[] = {
	&freq_limit_filter_attr_min_interval,
	&freq_limit_filter_attr_stats,
	NULL,
};

/* ns from @then to @now; a @then in the future counts as now. */
static u64 freq_elapsed(u64 now, u64 then)
{
	return then < now ? now - then : 0;
}

/* May a push go through because of the optional ports? Atomic. */
static bool freq_ports_allow(struct krg_filter *filter,
			     struct freq_limit_filter *fl, u64 now, u64 min)
{
	u64 v;
	int ret;

	ret = krg_port_get_value(krg_filter_port(filter, FREQ_PORT_ON_GOING),
				 &v, 1, NULL, 0);
	if (ret == 1 && v) {
		atomic64_inc(&fl->held_on_going);
		return false;
	}
	ret = krg_port_get_value(krg_filter_port(filter, FREQ_PORT_LAST_EVENT),
				 &v, 1, NULL, 0);
	if (ret == -ENODATA)
		return true;		/* not connected */
	if (ret != 1 || (v && freq_elapsed(now, v) < min)) {
		atomic64_inc(&fl->held_event);
		return false;
	}
	return true;
}

static void freq_update(struct krg_filter *filter, struct krg_port *port)
{
	struct freq_limit_filter *fl = krg_filter_priv(filter);
	u64 now, min;
	s64 last;

	/* Only pushes of the source are events; the other ports are read. */
	if (krg_port_index(port) != FREQ_PORT_SOURCE)
		return;
	now = ktime_get_ns();
	min = atomic64_read(&fl->min_interval);
	if (!freq_ports_allow(filter, fl, now, min))
		return;
	last = atomic64_read(&fl->last_pub);
	if ((last && freq_elapsed(now, last) < min) ||
	    !atomic64_try_cmpxchg(&fl->last_pub, &last, now)) {
		/* Too soon, or a concurrent push went through first. */
		atomic64_inc(&fl->held_interval);
		return;
	}
	atomic64_inc(&fl->passed);
	krg_filter_publish(filter);
}

static int freq_init(struct krg_filter *filter)
{
	struct freq_limit_filter *fl = krg_filter_priv(filter);

	atomic64_set(&fl->min_interval, FREQ_LIMIT_DEFAULT_NS);
	return 0;
}

/* No get_value/get_node_value: pulls pass through, per node too. */

KRG_FILTER_MODULE(freq_limit_filter,
		  .ports = freq_ports,
		  .type = &krg_type_u64,
		  .attrs = freq_attrs,
		  .priv_size = sizeof(struct freq_limit_filter),
		  .init = freq_init,
		  .update = freq_update);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched freq_limit_filter: at most one push per interval");
