// SPDX-License-Identifier: GPL-2.0
/*
 * probes/<probe>: a probe instance, its sources (<source>/value) and their
 * per-node values (<source>/nodes/<n>/value). Periodic probes measure every
 * probe_period ms in a workqueue, timed by the core (cost_ns); event-driven
 * ones publish from their own hooks. A probe type may declare input ports
 * (probes/<probe>/<port>/), which it reads when it measures.
 *
 * Sources with a pid_t parameter: their `value` lists every process of the
 * reader's pid namespace that has a value, one line each (Kerrighed's
 * show_value), however many there are (a binary attribute: configfs's
 * ordinary ones hold one page); the probe's `pid` and `pid_value` read one
 * process by hand.
 */
#include <linux/configfs.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "internal.h"

/* nodes/<n>/: one per possible node, allocated with the probe. */
struct krg_node_dir {
	struct krg_group kg;
	struct krg_probe_source *ps;
	int node;
	struct krg_value_entry cache;	/* the node's last value (cache.c) */
};

struct krg_probe_source {
	struct krg_source src;
	struct krg_group kg;		/* <source>/ */
	struct krg_group nodes;		/* <source>/nodes/ */
	struct krg_probe *probe;
	const struct krg_source_desc *desc;
	unsigned int nr_node_dirs;
	struct krg_node_dir *node_dirs;
	/* Listings made by a first read of `value` (krg_psrc_listing_read). */
	spinlock_t listings_lock;	/* protects listings */
	struct list_head listings;
};

struct krg_probe {
	struct config_group group;
	struct list_head node;		/* on krg_probes, krg_probes_mutex */
	struct krg_type_entry *entry;
	const struct krg_probe_type *type;
	/* period_ms: written under krg_cfg_mutex, read by the worker. */
	unsigned int period_ms;
	struct delayed_work work;
	bool stopping;			/* cfg mutex; no more rescheduling */
	/*
	 * cost_ns: ns spent in ->measure(), less its publishes, added by the
	 * worker only. While it measures, @measurer is the worker (else
	 * NULL) and @publish_ns, the worker's own, sums its publishes.
	 */
	atomic64_t cost_ns;
	struct task_struct *measurer;
	u64 publish_ns;
	/* pid, pid_value: the first source with a pid_t parameter, or NULL. */
	struct krg_probe_source *pid_src;
	spinlock_t pid_lock;		/* protects pid */
	struct pid *pid;		/* referenced; NULL: none selected */
	void *priv;
	unsigned int nr_ports;
	struct krg_port *ports;		/* [nr_ports], default groups */
	unsigned int nr_sources;
	struct krg_probe_source sources[];
};

/* Every probe made (and not yet dropped); see internal.h for the lock. */
DEFINE_MUTEX(krg_probes_mutex);
static LIST_HEAD(krg_probes);

#define KRG_PROBE_PERIOD_MIN	10		/* ms */
#define KRG_PROBE_PERIOD_MAX	3600000		/* ms: one hour */

static inline struct krg_probe *to_krg_probe(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_probe, group);
}

struct krg_probe *krg_probe_from_item(struct config_item *item)
{
	return to_krg_probe(item);
}
EXPORT_SYMBOL_GPL(krg_probe_from_item);

void *krg_probe_priv(struct krg_probe *probe)
{
	return probe->priv;
}
EXPORT_SYMBOL_GPL(krg_probe_priv);

struct krg_port *krg_probe_port(struct krg_probe *probe, unsigned int index)
{
	return index < probe->nr_ports ? &probe->ports[index] : NULL;
}
EXPORT_SYMBOL_GPL(krg_probe_port);

void krg_probe_publish(struct krg_probe *probe, unsigned int source)
{
	u64 t0;

	if (source >= probe->nr_sources)
		return;
	/* What the subscribers do with the value is not the probe's cost. */
	if (in_task() && READ_ONCE(probe->measurer) == current) {
		t0 = ktime_get_ns();
		krg_source_publish(&probe->sources[source].src);
		probe->publish_ns += ktime_get_ns() - t0;
		return;
	}
	krg_source_publish(&probe->sources[source].src);
}
EXPORT_SYMBOL_GPL(krg_probe_publish);

struct krg_value_entry *krg_psrc_entry(struct krg_probe_source *ps, int node)
{
	int i = krg_node_index(node);

	return i >= 0 && i < ps->nr_node_dirs ? &ps->node_dirs[i].cache : NULL;
}

struct krg_source *krg_psrc_source(struct krg_probe_source *ps)
{
	return &ps->src;
}

/*
 * A probe source's value: local (KRG_NODE_NONE), or as seen on @node,
 * through the value cache (cache.c): a node measured here is read by the
 * probe, and the read fills its entry; another node's value is its entry's.
 */
int krg_probe_source_get_value(struct krg_source *src, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	struct krg_probe_source *ps = container_of(src, struct krg_probe_source,
						   src);
	const struct krg_source_desc *d = ps->desc;
	struct krg_value_entry *e;
	u64 now;
	int ret;

	if (node == KRG_NODE_NONE)
		return d->get_value(ps->probe, out, nr, in, in_nr);
	e = krg_psrc_entry(ps, node);
	if (!e)
		return -EINVAL;
	if (!krg_node_measured(node)) {
		if (in_nr)
			return -EOPNOTSUPP;
		if (!krg_node_online(node))
			return -ENODATA;
		return krg_cache_read(e, out, nr, d->type->size, NULL);
	}
	if (d->get_node_value)
		ret = d->get_node_value(ps->probe, node, out, nr, in, in_nr);
	else if (node == krg_local_node())
		ret = d->get_value(ps->probe, out, nr, in, in_nr);
	else
		ret = -EOPNOTSUPP;
	if (ret > 0 && !in_nr) {
		now = get_jiffies_64();
		if (!krg_cache_fresh(e, now, ret))
			krg_cache_fill(e, node, out, ret, d->type->size, now);
	}
	return ret;
}

static void krg_probe_work(struct work_struct *work)
{
	struct krg_probe *probe = container_of(to_delayed_work(work),
					       struct krg_probe, work);
	u64 ns;

	probe->publish_ns = 0;
	WRITE_ONCE(probe->measurer, current);
	ns = ktime_get_ns();
	probe->type->measure(probe);
	ns = ktime_get_ns() - ns;
	WRITE_ONCE(probe->measurer, NULL);
	atomic64_add(ns - min(ns, probe->publish_ns), &probe->cost_ns);

	if (!READ_ONCE(probe->stopping))
		queue_delayed_work(system_wq, &probe->work,
				   msecs_to_jiffies(READ_ONCE(probe->period_ms)));
}

/* --- attributes ---------------------------------------------------------- */

static ssize_t krg_probe_probe_period_show(struct config_item *item,
					   char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_krg_probe(item)->period_ms));
}

static ssize_t krg_probe_probe_period_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct krg_probe *probe = to_krg_probe(item);
	unsigned int ms;
	int ret;

	ret = kstrtouint(page, 0, &ms);
	if (ret)
		return ret;
	if (ms < KRG_PROBE_PERIOD_MIN || ms > KRG_PROBE_PERIOD_MAX) {
		krg_cfg_err(item, "probe_period %u out of range %u..%u ms\n",
			    ms, KRG_PROBE_PERIOD_MIN, KRG_PROBE_PERIOD_MAX);
		return -ERANGE;
	}
	mutex_lock(&krg_cfg_mutex);
	WRITE_ONCE(probe->period_ms, ms);
	if (!probe->stopping)
		mod_delayed_work(system_wq, &probe->work, msecs_to_jiffies(ms));
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_probe_, probe_period);

static ssize_t krg_probe_cost_ns_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n",
			  (u64)atomic64_read(&to_krg_probe(item)->cost_ns));
}
CONFIGFS_ATTR_RO(krg_probe_, cost_ns);

static ssize_t krg_probe_pid_show(struct config_item *item, char *page)
{
	struct krg_probe *probe = to_krg_probe(item);
	pid_t nr = 0;
	bool set;

	spin_lock(&probe->pid_lock);
	set = probe->pid;
	if (set)
		nr = pid_vnr(probe->pid);
	spin_unlock(&probe->pid_lock);
	if (!set)
		return sysfs_emit(page, "(none)\n");
	return sysfs_emit(page, "%d\n", nr);
}

/*
 * Select a process by a pid of the writer's namespace (a thread's id means
 * its process); "0" unselects.
 */
static ssize_t krg_probe_pid_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct krg_probe *probe = to_krg_probe(item);
	struct pid *pid = NULL, *old;
	int nr;

	if (kstrtoint(page, 10, &nr) || nr < 0) {
		krg_cfg_err(item, "pid: \"%.*s\" is not a pid\n",
			    (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	if (nr) {
		pid = find_get_pid(nr);
		if (!pid || !pid_has_task(pid, PIDTYPE_PID)) {
			put_pid(pid);
			krg_cfg_err(item, "pid: no process %d\n", nr);
			return -ESRCH;
		}
	}
	spin_lock(&probe->pid_lock);
	old = probe->pid;
	probe->pid = pid;
	spin_unlock(&probe->pid_lock);
	put_pid(old);
	return count;
}
CONFIGFS_ATTR(krg_probe_, pid);

/* The value of the selected process for pid_src, or why there is none. */
static ssize_t krg_probe_pid_value_show(struct config_item *item, char *page)
{
	struct krg_probe *probe = to_krg_probe(item);
	const struct krg_source_desc *d = probe->pid_src->desc;
	u64 v[8];	/* one value of up to 64 bytes, as krg_source_show() */
	struct pid *pid;
	pid_t nr, knr;
	int ret;

	spin_lock(&probe->pid_lock);
	pid = get_pid(probe->pid);
	spin_unlock(&probe->pid_lock);
	if (!pid)
		return sysfs_emit(page, "(no process selected: write a pid to pid)\n");
	nr = pid_vnr(pid);
	knr = pid_nr(pid);
	rcu_read_lock();
	/* By its struct pid: once it exited, its number may be another's. */
	ret = pid_has_task(pid, PIDTYPE_PID) ?
	      d->get_value(probe, v, 1, &knr, 1) : -ESRCH;
	rcu_read_unlock();
	put_pid(pid);
	switch (ret) {
	case 1:
		ret = krg_value_print(d->type, v, page, PAGE_SIZE - 1);
		page[ret++] = '\n';
		return ret;
	case -ESRCH:
		return sysfs_emit(page, "(process %d has exited)\n", nr);
	case -EAGAIN:
		return sysfs_emit(page, "(no value yet for process %d)\n", nr);
	case 0:
	case -ENODATA:
		return sysfs_emit(page, "(process %d %s)\n", nr,
				  d->nodata ?: "has no value");
	default:
		return ret;
	}
}
CONFIGFS_ATTR_RO(krg_probe_, pid_value);

static bool krg_type_is_pid(const struct krg_value_type *t)
{
	return t->param && !strcmp(t->param, "pid_t") &&
	       t->param_size == sizeof(pid_t);
}

/* The first source of @type with a pid_t parameter: its index, or -1. */
static int krg_probe_type_pid_source(const struct krg_probe_type *type)
{
	int i;

	for (i = 0; type->sources[i]; i++)
		if (krg_type_is_pid(type->sources[i]->type))
			return i;
	return -1;
}

/* An event-driven probe's probe_period (0) is read-only: not a setting. */
static struct configfs_attribute krg_probe_attr_probe_period_ro = {
	.ca_name = "probe_period", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_probe_probe_period_show,
};

/* The core's attributes of a probe directory, by what the probe has. */
static struct configfs_attribute *krg_probe_attrs_events[] = {
	&krg_probe_attr_probe_period_ro,
	NULL,
};

static struct configfs_attribute *krg_probe_attrs_periodic[] = {
	&krg_probe_attr_probe_period,
	&krg_probe_attr_cost_ns,
	NULL,
};

static struct configfs_attribute *krg_probe_attrs_events_pid[] = {
	&krg_probe_attr_probe_period_ro,
	&krg_probe_attr_pid,
	&krg_probe_attr_pid_value,
	NULL,
};

static struct configfs_attribute *krg_probe_attrs_periodic_pid[] = {
	&krg_probe_attr_probe_period,
	&krg_probe_attr_cost_ns,
	&krg_probe_attr_pid,
	&krg_probe_attr_pid_value,
	NULL,
};

/* Process context, when @type registers (its sources are checked). */
struct configfs_attribute **krg_probe_core_attrs(const struct krg_probe_type *type)
{
	bool pid = krg_probe_type_pid_source(type) >= 0;

	if (type->measure)
		return pid ? krg_probe_attrs_periodic_pid :
			     krg_probe_attrs_periodic;
	return pid ? krg_probe_attrs_events_pid : krg_probe_attrs_events;
}

static struct krg_probe_source *to_probe_source(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_probe_source,
			    kg.group);
}

struct krg_source *krg_probe_source_of(struct config_item *item)
{
	return &to_probe_source(item)->src;
}

/* The probe of a KRG_SRC_PROBE source. */
struct krg_probe *krg_probe_of_source(struct krg_source *src)
{
	return container_of(src, struct krg_probe_source, src)->probe;
}

static ssize_t krg_psrc_value_show(struct config_item *item, char *page)
{
	return krg_source_show(&to_probe_source(item)->src, KRG_NODE_NONE,
			       page);
}

static ssize_t krg_psrc_type_show(struct config_item *item, char *page)
{
	const struct krg_value_type *t = to_probe_source(item)->src.type;

	if (t->param)
		return sysfs_emit(page, "%s(%s)\n", t->name, t->param);
	return sysfs_emit(page, "%s\n", t->name);
}

static struct configfs_attribute krg_psrc_attr_value = {
	.ca_name = "value", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_psrc_value_show,
};

static struct configfs_attribute krg_psrc_attr_type = {
	.ca_name = "type", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_psrc_type_show,
};

static struct configfs_attribute *krg_psrc_attrs[] = {
	&krg_psrc_attr_value,
	&krg_psrc_attr_type,
	NULL,
};

/*
 * The `value` listing of a source with a pid_t parameter. configfs reads a
 * binary attribute in one read(2) of the reader by calling ->read twice:
 * for the size, then for the content, into a buffer of that size. The
 * first call makes the listing and keeps it on the source, marked with the
 * reading task; the second, made by the same task within that read(2),
 * takes it. A listing left by a read that failed in between goes with the
 * reader's next one or, KRG_LIST_TTL later, with anyone's.
 */
#define KRG_LIST_BATCH	64		/* pids per RCU read section */
#define KRG_LIST_LINE	128		/* room for one line */
#define KRG_LIST_MAX	(64 << 20)	/* a longer listing is EFBIG */
#define KRG_LIST_TTL	(10 * HZ)

struct krg_listing {
	struct list_head node;		/* on krg_probe_source.listings */
	const struct task_struct *reader; /* compared, never dereferenced */
	unsigned long made;		/* jiffies */
	size_t len;
	char *buf;			/* kvmalloc()ed */
};

static void krg_listings_free(struct list_head *list)
{
	struct krg_listing *l, *tmp;

	list_for_each_entry_safe(l, tmp, list, node) {
		list_del(&l->node);
		kvfree(l->buf);
		kfree(l);
	}
}

/* The line of process @nr (the reader's number), at most @len bytes. */
static size_t krg_listing_line(const struct krg_source_desc *d, pid_t nr,
			       const void *v, char *buf, size_t len)
{
	int n;

	if (d->show_process) {
		n = d->show_process(nr, v, buf, len);
		return clamp_t(int, n, 0, len);
	}
	n = scnprintf(buf, len, "Process %d: ", nr);
	n += krg_value_print(d->type, v, buf + n, len - n - 1);
	buf[n++] = '\n';
	return n;
}

/*
 * Append the lines of the processes among the next KRG_LIST_BATCH pids of
 * @ns from *@next on to @buf (room for KRG_LIST_BATCH lines), in one RCU
 * read section; return the bytes written. *@next becomes the pid to go on
 * from, 0 at the end. Processes with no value are left out; *@again counts
 * those with none yet.
 */
static size_t krg_listing_batch(struct krg_probe_source *ps,
				struct pid_namespace *ns, pid_t *next,
				char *buf, unsigned int *again)
{
	const struct krg_source_desc *d = ps->desc;
	u64 v[8];	/* one value of up to 64 bytes, as krg_source_show() */
	size_t len = 0;
	unsigned int i;
	struct pid *pid;
	pid_t knr;
	int ret;

	rcu_read_lock();
	for (i = 0; i < KRG_LIST_BATCH; i++) {
		pid = find_ge_pid(*next, ns);
		if (!pid) {
			*next = 0;
			break;
		}
		*next = pid_nr_ns(pid, ns) + 1;
		/* A process's id (not a thread's); the source checks it lives. */
		if (!pid_task(pid, PIDTYPE_TGID))
			continue;
		knr = pid_nr(pid);
		ret = d->get_value(ps->probe, v, 1, &knr, 1);
		if (ret == -EAGAIN)
			(*again)++;
		if (ret < 1)
			continue;
		len += krg_listing_line(d, *next - 1, v, buf + len,
					KRG_LIST_LINE);
	}
	rcu_read_unlock();
	return len;
}

/*
 * Make @l's listing: the processes of the reader's pid namespace, by
 * increasing pid, numbered as the reader numbers them (so a reader in a
 * container sees its own processes only). Between batches the walk may
 * sleep: a process there from its start to its end is listed, one that
 * starts or exits meanwhile may be or not. Process context.
 */
static int krg_listing_make(struct krg_probe_source *ps, struct krg_listing *l)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	const size_t batch = KRG_LIST_BATCH * KRG_LIST_LINE;
	size_t cap = 0, len = 0, want;
	unsigned int again = 0;
	char *buf = NULL, *bigger;
	pid_t next = 1;

	do {
		if (cap - len < batch) {
			want = min_t(size_t, max_t(size_t, 2 * cap, 4 * batch),
				     KRG_LIST_MAX + batch);
			bigger = kvmalloc(want, GFP_KERNEL_ACCOUNT);
			if (!bigger) {
				kvfree(buf);
				return -ENOMEM;
			}
			if (len)
				memcpy(bigger, buf, len);
			kvfree(buf);
			buf = bigger;
			cap = want;
		}
		len += krg_listing_batch(ps, ns, &next, buf + len, &again);
		if (len > KRG_LIST_MAX) {
			kvfree(buf);
			return -EFBIG;
		}
		cond_resched();
	} while (next);
	if (!len)
		len = scnprintf(buf, cap, again ? "(no value yet)\n" :
						  "(no value)\n");
	l->buf = buf;
	l->len = len;
	return 0;
}

static ssize_t krg_psrc_listing_read(struct config_item *item, void *buf,
				     size_t len)
{
	struct krg_probe_source *ps = to_probe_source(item);
	struct krg_listing *l, *tmp, *mine = NULL;
	LIST_HEAD(old);
	ssize_t ret;

	if (!buf) {
		mine = kzalloc(sizeof(*mine), GFP_KERNEL_ACCOUNT);
		if (!mine)
			return -ENOMEM;
		ret = krg_listing_make(ps, mine);
		if (ret) {
			kfree(mine);
			return ret;
		}
		mine->reader = current;
		mine->made = jiffies;
		ret = mine->len;
		spin_lock(&ps->listings_lock);
		list_for_each_entry_safe(l, tmp, &ps->listings, node)
			if (l->reader == current ||
			    time_after(jiffies, l->made + KRG_LIST_TTL))
				list_move(&l->node, &old);
		list_add(&mine->node, &ps->listings);
		spin_unlock(&ps->listings_lock);
		krg_listings_free(&old);
		return ret;
	}
	spin_lock(&ps->listings_lock);
	list_for_each_entry(l, &ps->listings, node) {
		if (l->reader == current) {
			list_move(&l->node, &old);
			mine = l;
			break;
		}
	}
	spin_unlock(&ps->listings_lock);
	if (!mine)
		return -EAGAIN;		/* made over KRG_LIST_TTL ago */
	ret = min(len, mine->len);
	memcpy(buf, mine->buf, ret);
	krg_listings_free(&old);
	return ret;
}

static struct configfs_bin_attribute krg_psrc_attr_listing = {
	.cb_attr = {
		.ca_name = "value", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	},
	.cb_max_size = KRG_LIST_MAX,
	.read = krg_psrc_listing_read,
};

static struct configfs_attribute *krg_psrc_pid_attrs[] = {
	&krg_psrc_attr_type,
	NULL,
};

static struct configfs_bin_attribute *krg_psrc_pid_bin_attrs[] = {
	&krg_psrc_attr_listing,
	NULL,
};

/* Link targets are recognised by these ops (see krg_item_source()). */
struct configfs_item_operations krg_probe_source_item_ops = {
	.release = krg_group_release,
};

static struct configfs_item_operations krg_probe_child_item_ops = {
	.release = krg_group_release,
};

static const struct config_item_type krg_psrc_type = {
	.ct_item_ops = &krg_probe_source_item_ops,
	.ct_attrs = krg_psrc_attrs,
	.ct_owner = THIS_MODULE,
};

/* A source with a pid_t parameter: `value` lists the processes. */
static const struct config_item_type krg_psrc_pid_type = {
	.ct_item_ops = &krg_probe_source_item_ops,
	.ct_attrs = krg_psrc_pid_attrs,
	.ct_bin_attrs = krg_psrc_pid_bin_attrs,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type krg_nodes_dir_type = {
	.ct_item_ops = &krg_probe_child_item_ops,
	.ct_owner = THIS_MODULE,
};

static ssize_t krg_node_value_show(struct config_item *item, char *page)
{
	struct krg_node_dir *nd = container_of(to_config_group(item),
					       struct krg_node_dir, kg.group);

	return krg_source_show(&nd->ps->src, nd->node, page);
}

/* age_ms: how old the node's cached value is (cache.c), or why none. */
static ssize_t krg_node_age_ms_show(struct config_item *item, char *page)
{
	struct krg_node_dir *nd = container_of(to_config_group(item),
					       struct krg_node_dir, kg.group);
	s64 age = krg_cache_age_ms(&nd->cache);

	if (age < 0)
		return sysfs_emit(page, "(no value yet)\n");
	return sysfs_emit(page, "%lld\n", age);
}

static struct configfs_attribute krg_node_attr_value = {
	.ca_name = "value", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_node_value_show,
};

static struct configfs_attribute krg_node_attr_age_ms = {
	.ca_name = "age_ms", .ca_owner = THIS_MODULE, .ca_mode = 0444,
	.show = krg_node_age_ms_show,
};

static struct configfs_attribute *krg_node_attrs[] = {
	&krg_node_attr_value,
	&krg_node_attr_age_ms,
	NULL,
};

static const struct config_item_type krg_node_dir_type = {
	.ct_item_ops = &krg_probe_child_item_ops,
	.ct_attrs = krg_node_attrs,
	.ct_owner = THIS_MODULE,
};

/* --- life cycle ---------------------------------------------------------- */

static void krg_probe_free(struct krg_probe *probe)
{
	unsigned int i;

	for (i = 0; i < probe->nr_sources; i++) {
		kfree(probe->sources[i].node_dirs);
		krg_listings_free(&probe->sources[i].listings);
	}
	put_pid(probe->pid);
	kfree(probe->ports);
	kfree(probe->priv);
	kfree(probe);
}

static int krg_probe_source_setup(struct krg_probe *probe, unsigned int i,
				  const struct krg_nodemask *possible,
				  unsigned int nr_nodes)
{
	struct krg_probe_source *ps = &probe->sources[i];
	struct krg_node_dir *nd;
	char name[12];
	int node;

	ps->probe = probe;
	ps->desc = probe->type->sources[i];
	krg_source_init(&ps->src, KRG_SRC_PROBE, ps->desc->type);
	krg_group_init(&ps->kg, ps->desc->name,
		       krg_type_is_pid(ps->desc->type) ? &krg_psrc_pid_type :
							 &krg_psrc_type,
		       &probe->group, &probe->group.cg_item);
	krg_group_init(&ps->nodes, "nodes", &krg_nodes_dir_type, &ps->kg.group,
		       &probe->group.cg_item);

	ps->node_dirs = kcalloc(nr_nodes, sizeof(*ps->node_dirs), GFP_KERNEL);
	if (!ps->node_dirs)
		return -ENOMEM;
	nd = ps->node_dirs;
	krg_for_each_node(node, possible) {
		nd->ps = ps;
		nd->node = node;
		krg_cache_entry_init(&nd->cache);
		snprintf(name, sizeof(name), "%d", node);
		krg_group_init(&nd->kg, name, &krg_node_dir_type,
			       &ps->nodes.group, &probe->group.cg_item);
		nd++;
	}
	ps->nr_node_dirs = nr_nodes;
	return 0;
}

static int krg_probe_ports_setup(struct krg_probe *probe)
{
	const struct krg_port_desc *const *d = probe->type->ports;
	unsigned int n = 0, i;

	while (d && d[n])
		n++;
	if (!n)
		return 0;
	probe->ports = kcalloc(n, sizeof(*probe->ports), GFP_KERNEL);
	if (!probe->ports)
		return -ENOMEM;
	probe->nr_ports = n;
	for (i = 0; i < n; i++) {
		probe->ports[i].probe = probe;
		krg_port_init(&probe->ports[i], d[i], i, &probe->group);
	}
	return 0;
}

struct config_group *krg_probe_make(struct config_group *parent,
				    const char *name)
{
	struct krg_nodemask possible;
	struct krg_type_entry *e;
	struct krg_probe *probe;
	unsigned int n = 0, i, nr_nodes;
	int pid_src, ret;

	e = krg_type_get(KRG_KIND_PROBE, name);
	if (IS_ERR(e))
		return ERR_CAST(e);
	while (e->probe->sources[n])
		n++;

	ret = -ENOMEM;
	probe = kzalloc(struct_size(probe, sources, n), GFP_KERNEL);
	if (!probe)
		goto err_put_type;
	probe->entry = e;
	probe->type = e->probe;
	probe->nr_sources = n;
	probe->period_ms = e->probe->period_ms;
	INIT_DELAYED_WORK(&probe->work, krg_probe_work);
	spin_lock_init(&probe->pid_lock);
	for (i = 0; i < n; i++) {
		spin_lock_init(&probe->sources[i].listings_lock);
		INIT_LIST_HEAD(&probe->sources[i].listings);
	}
	pid_src = krg_probe_type_pid_source(e->probe);
	if (pid_src >= 0)
		probe->pid_src = &probe->sources[pid_src];
	if (e->probe->priv_size) {
		probe->priv = kzalloc(e->probe->priv_size, GFP_KERNEL);
		if (!probe->priv)
			goto err_free_probe;
	}
	config_group_init_type_name(&probe->group, name, &e->ct);

	krg_nodes_possible(&possible);
	nr_nodes = bitmap_weight(possible.bits, KRG_MAX_NODES);
	for (i = 0; i < n; i++) {
		ret = krg_probe_source_setup(probe, i, &possible, nr_nodes);
		if (ret)
			goto err_free_probe;
	}
	ret = krg_probe_ports_setup(probe);
	if (ret)
		goto err_free_probe;

	if (probe->type->init) {
		ret = probe->type->init(probe);
		if (ret)
			goto err_free_probe;
	}

	/* Publish last: the first measurement runs once everything exists. */
	mutex_lock(&krg_probes_mutex);
	list_add_tail(&probe->node, &krg_probes);
	mutex_unlock(&krg_probes_mutex);
	if (probe->type->measure && probe->period_ms)
		queue_delayed_work(system_wq, &probe->work, 0);
	return &probe->group;

err_free_probe:
	/* Nothing is linked into configfs yet: free by hand. */
	krg_probe_free(probe);
err_put_type:
	krg_type_put(e);
	return ERR_PTR(ret);
}

/* rmdir probes/<probe>: stop measuring, then the component's exit. */
void krg_probe_drop(struct config_group *parent, struct config_item *item)
{
	struct krg_probe *probe = to_krg_probe(item);
	unsigned int i;

	/* The agent's commands no longer find it. */
	mutex_lock(&krg_probes_mutex);
	list_del(&probe->node);
	mutex_unlock(&krg_probes_mutex);

	mutex_lock(&krg_cfg_mutex);
	WRITE_ONCE(probe->stopping, true);
	/* configfs refused the rmdir if links existed; racing ones go. */
	for (i = 0; i < probe->nr_sources; i++)
		krg_source_kill(&probe->sources[i].src);
	/* Its inputs: links are gone (configfs), a racing one goes now. */
	for (i = 0; i < probe->nr_ports; i++)
		krg_port_kill(&probe->ports[i]);
	mutex_unlock(&krg_cfg_mutex);
	cancel_delayed_work_sync(&probe->work);
	/* No port pulls from the probe any more (and none will). */
	synchronize_rcu();
	if (probe->type->exit)
		probe->type->exit(probe);
	krg_remove_default_groups(&probe->group);
	config_item_put(item);
}

void krg_probe_release(struct config_item *item)
{
	struct krg_probe *probe = to_krg_probe(item);
	struct krg_type_entry *e = probe->entry;

	krg_probe_free(probe);
	krg_type_put(e);
}

struct krg_probe_source *krg_probe_source_find(const char *probe,
					       const char *source)
{
	struct krg_probe *p;
	unsigned int i;

	lockdep_assert_held(&krg_probes_mutex);
	list_for_each_entry(p, &krg_probes, node) {
		if (strcmp(config_item_name(&p->group.cg_item), probe))
			continue;
		for (i = 0; i < p->nr_sources; i++)
			if (!strcmp(p->sources[i].desc->name, source))
				return &p->sources[i];
		return NULL;
	}
	return NULL;
}

/* @node went offline: drop its cache entries, tell who follows them. */
void krg_probes_drop_node(int node)
{
	struct krg_probe *p;
	unsigned int i;

	mutex_lock(&krg_probes_mutex);
	list_for_each_entry(p, &krg_probes, node) {
		for (i = 0; i < p->nr_sources; i++) {
			struct krg_probe_source *ps = &p->sources[i];
			struct krg_value_entry *e = krg_psrc_entry(ps, node);

			if (e && krg_cache_drop(e) && !krg_node_measured(node))
				krg_source_publish(&ps->src);
		}
	}
	mutex_unlock(&krg_probes_mutex);
}

struct configfs_item_operations krg_probe_item_ops = {
	.release = krg_probe_release,
};
