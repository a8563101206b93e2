// SPDX-License-Identifier: GPL-2.0
/*
 * alert_filter: a threshold filter that tells the administrator when a
 * node's value crosses a threshold, once per crossing. Not in Kerrighed:
 * the seed's token scheduler ("warn the administrator when a key falls
 * below a token threshold").
 *
 *   port    source      u64, the value watched (per node)
 *   output  u64         the input unchanged, per node too; every push of the
 *                       input is republished, so the filter can sit in a
 *                       policy's port chain without changing what it sees
 *   attrs   threshold   u64 (default 0)
 *           direction   "below" (default: alert when a value is < threshold)
 *                       or "above" (alert when a value is > threshold)
 *           hysteresis  u64 (default 1): an alerted node is re-armed when
 *                       its value is back to >= threshold + hysteresis
 *                       (below) or <= threshold - hysteresis (above)
 *           name        the alert's name: /sys/kernel/krg_alert/<name>/;
 *                       default alert<N> (N a free number); 1..32 of
 *                       [A-Za-z0-9_.-], not starting with '.'. EINVAL
 *                       otherwise, EEXIST when another alert has it
 *           active      ro: the nodes in alert now (a node list)
 *           alerts      ro: alerts fired since the filter was made
 *
 * Per node, a state: armed (at first) or alerted. On each push of the input
 * the filter reads every online node's value: an armed node whose value
 * crossed the threshold becomes alerted and fires one alert; an alerted
 * node whose value is back beyond the hysteresis band is re-armed (logged,
 * and a "cleared" uevent, but no alert). A value that stays low, or goes
 * up and down inside the band, never fires twice. A node without a value
 * (e.g. its token key unplugged) keeps its state. Changing threshold,
 * direction or hysteresis keeps the states too; the next push decides.
 *
 * An alert reaches the administrator three ways, from a work item (they
 * may sleep; the push is atomic):
 *  - one kernel log line (pr_warn): "alert <name>: node N value V fell
 *    below threshold T";
 *  - /sys/kernel/krg_alert/<name>/alerts, the alert count, is pollable
 *    (sysfs_notify: poll(2) returns POLLPRI|POLLERR after a change;
 *    `krgtoken wait` does that), and .../last says what the last alert was
 *    ("node N value V below threshold T"); .../active lists the nodes in
 *    alert;
 *  - a KOBJ_CHANGE uevent of /kernel/krg_alert/<name> with KRG_ALERT=<name>
 *    KRG_EVENT=fired|cleared KRG_NODE=N KRG_VALUE=V KRG_THRESHOLD=T
 *    KRG_DIRECTION=below|above (udev rules, mdev, or any netlink listener).
 * Alerts raised faster than the work item runs are all counted and logged,
 * with the value each node had when it crossed.
 *
 * Locking. lock (a spinlock) protects the per-node states and pending
 * events; the push and the work item take it. names_lock (a module mutex)
 * serialises renames and guards the kobject's name for the work item.
 */
#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <krg/nodes.h>
#include <krg/sched.h>

#define ALERT_NAME_LEN	32
#define ALERT_LAST_LEN	96

enum alert_direction {
	ALERT_BELOW,
	ALERT_ABOVE,
};

static const char *const alert_direction_names[] = {
	[ALERT_BELOW] = "below",
	[ALERT_ABOVE] = "above",
};

struct alert_filter;

/* The sysfs side; freed by its release, after the filter is gone. */
struct alert_kobj {
	struct kobject kobj;
	struct alert_filter *af;	/* valid until kobject_del() */
};

struct alert_filter {
	struct krg_filter *filter;
	struct alert_kobj *ak;
	int id;
	struct work_struct work;
	atomic64_t threshold;
	atomic64_t hysteresis;
	atomic_t direction;
	atomic64_t alerts;

	spinlock_t lock;	/* protects alerted .. last, stopping */
	bool stopping;
	DECLARE_BITMAP(alerted, KRG_MAX_NODES);
	DECLARE_BITMAP(fire, KRG_MAX_NODES);	/* pending for the work */
	DECLARE_BITMAP(clear, KRG_MAX_NODES);
	u64 value_at[KRG_MAX_NODES];		/* when it crossed */
	u64 threshold_at[KRG_MAX_NODES];
	char last[ALERT_LAST_LEN];
};

static struct kset *alert_kset;
static DEFINE_IDA(alert_ida);
static DEFINE_MUTEX(alert_names_lock);	/* renames, kobject names */

/* --- sysfs: /sys/kernel/krg_alert/<name>/ ---------------------------------- */

static struct alert_filter *alert_of_kobj(struct kobject *kobj)
{
	return container_of(kobj, struct alert_kobj, kobj)->af;
}

static ssize_t alerts_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&alert_of_kobj(kobj)->alerts));
}

static struct kobj_attribute alert_attr_alerts = __ATTR_RO(alerts);

static ssize_t last_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct alert_filter *af = alert_of_kobj(kobj);
	char last[ALERT_LAST_LEN];
	unsigned long flags;

	spin_lock_irqsave(&af->lock, flags);
	strscpy(last, af->last, sizeof(last));
	spin_unlock_irqrestore(&af->lock, flags);
	return sysfs_emit(buf, "%s\n", last[0] ? last : "none");
}

static struct kobj_attribute alert_attr_last = __ATTR_RO(last);

static ssize_t alert_active_print(struct alert_filter *af, char *buf)
{
	struct krg_nodemask active;
	unsigned long flags;
	ssize_t len;

	spin_lock_irqsave(&af->lock, flags);
	bitmap_copy(active.bits, af->alerted, KRG_MAX_NODES);
	spin_unlock_irqrestore(&af->lock, flags);
	len = krg_nodelist_print(buf, PAGE_SIZE - 1, &active);
	if (len < 0)
		return len;
	buf[len++] = '\n';
	return len;
}

static ssize_t active_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return alert_active_print(alert_of_kobj(kobj), buf);
}

static struct kobj_attribute alert_attr_active = __ATTR_RO(active);

static struct attribute *alert_kobj_attrs[] = {
	&alert_attr_alerts.attr,
	&alert_attr_last.attr,
	&alert_attr_active.attr,
	NULL,
};
ATTRIBUTE_GROUPS(alert_kobj);

static void alert_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct alert_kobj, kobj));
}

static const struct kobj_type alert_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = alert_kobj_release,
	.default_groups = alert_kobj_groups,
};

/* --- the alerts ------------------------------------------------------------ */

static const struct krg_port_desc alert_source = {
	.name = "source",
	.type = &krg_type_u64,
};

static const struct krg_port_desc *const alert_ports[] = {
	&alert_source,
	NULL,
};

static void alert_emit(struct alert_filter *af, const char *name, int node,
		       bool fired, u64 value, u64 threshold, int dir)
{
	char env_name[16 + ALERT_NAME_LEN], env_node[24], env_value[40];
	char env_thr[48], env_dir[32], env_event[24];
	char *envp[7];
	unsigned long flags;

	envp[0] = env_name;
	envp[1] = env_event;
	envp[2] = env_node;
	envp[3] = env_value;
	envp[4] = env_thr;
	envp[5] = env_dir;
	envp[6] = NULL;

	snprintf(env_name, sizeof(env_name), "KRG_ALERT=%s", name);
	snprintf(env_event, sizeof(env_event), "KRG_EVENT=%s",
		 fired ? "fired" : "cleared");
	snprintf(env_node, sizeof(env_node), "KRG_NODE=%d", node);
	snprintf(env_value, sizeof(env_value), "KRG_VALUE=%llu", value);
	snprintf(env_thr, sizeof(env_thr), "KRG_THRESHOLD=%llu", threshold);
	snprintf(env_dir, sizeof(env_dir), "KRG_DIRECTION=%s",
		 alert_direction_names[dir]);

	if (fired) {
		pr_warn("alert %s: node %d value %llu %s threshold %llu\n",
			name, node, value,
			dir == ALERT_BELOW ? "fell below" : "rose above",
			threshold);
		spin_lock_irqsave(&af->lock, flags);
		snprintf(af->last, sizeof(af->last),
			 "node %d value %llu %s threshold %llu", node, value,
			 alert_direction_names[dir], threshold);
		spin_unlock_irqrestore(&af->lock, flags);
		atomic64_inc(&af->alerts);
		sysfs_notify(&af->ak->kobj, NULL, "alerts");
	} else {
		pr_notice("alert %s: node %d value %llu is back %s threshold %llu: re-armed\n",
			  name, node, value,
			  dir == ALERT_BELOW ? "above" : "below", threshold);
	}
	kobject_uevent_env(&af->ak->kobj, KOBJ_CHANGE, envp);
}

static void alert_work(struct work_struct *work)
{
	struct alert_filter *af = container_of(work, struct alert_filter, work);
	DECLARE_BITMAP(fire, KRG_MAX_NODES);
	DECLARE_BITMAP(clear, KRG_MAX_NODES);
	char name[ALERT_NAME_LEN + 1];
	int node, dir = atomic_read(&af->direction);
	unsigned long flags;
	u64 v, t;

	mutex_lock(&alert_names_lock);
	strscpy(name, kobject_name(&af->ak->kobj), sizeof(name));
	mutex_unlock(&alert_names_lock);

	spin_lock_irqsave(&af->lock, flags);
	bitmap_copy(fire, af->fire, KRG_MAX_NODES);
	bitmap_copy(clear, af->clear, KRG_MAX_NODES);
	bitmap_zero(af->fire, KRG_MAX_NODES);
	bitmap_zero(af->clear, KRG_MAX_NODES);
	spin_unlock_irqrestore(&af->lock, flags);

	for_each_set_bit(node, fire, KRG_MAX_NODES) {
		spin_lock_irqsave(&af->lock, flags);
		v = af->value_at[node];
		t = af->threshold_at[node];
		spin_unlock_irqrestore(&af->lock, flags);
		alert_emit(af, name, node, true, v, t, dir);
	}
	for_each_set_bit(node, clear, KRG_MAX_NODES) {
		spin_lock_irqsave(&af->lock, flags);
		v = af->value_at[node];
		t = af->threshold_at[node];
		spin_unlock_irqrestore(&af->lock, flags);
		alert_emit(af, name, node, false, v, t, dir);
	}
}

/* Is @v past the threshold, or back inside the re-arm band? */
static bool alert_crossed(int dir, u64 v, u64 t)
{
	return dir == ALERT_BELOW ? v < t : v > t;
}

static bool alert_rearmed(int dir, u64 v, u64 t, u64 h)
{
	if (dir == ALERT_BELOW)
		return v >= t && v - t >= h;
	return v <= t && t - v >= h;
}

/* A push: look at every online node. Atomic. */
static void alert_update(struct krg_filter *filter, struct krg_port *port)
{
	struct alert_filter *af = krg_filter_priv(filter);
	u64 t = atomic64_read(&af->threshold);
	u64 h = atomic64_read(&af->hysteresis);
	int dir = atomic_read(&af->direction);
	struct krg_nodemask online;
	unsigned long flags;
	int node;
	u64 v;

	krg_nodes_online(&online);
	krg_for_each_node(node, &online) {
		if (krg_port_get_node_value(port, node, &v, 1, NULL, 0) != 1)
			continue;
		spin_lock_irqsave(&af->lock, flags);
		if (!test_bit(node, af->alerted) &&
		    alert_crossed(dir, v, t)) {
			__set_bit(node, af->alerted);
			__set_bit(node, af->fire);
			__clear_bit(node, af->clear);
		} else if (test_bit(node, af->alerted) &&
			   alert_rearmed(dir, v, t, h)) {
			__clear_bit(node, af->alerted);
			__set_bit(node, af->clear);
		} else {
			spin_unlock_irqrestore(&af->lock, flags);
			continue;
		}
		af->value_at[node] = v;
		af->threshold_at[node] = t;
		if (!af->stopping)
			queue_work(system_unbound_wq, &af->work);
		spin_unlock_irqrestore(&af->lock, flags);
	}
	/* The policy above sees every push of the input. */
	krg_filter_publish(filter);
}

/* --- configfs attributes --------------------------------------------------- */

static struct alert_filter *alert_of(struct config_item *item)
{
	return krg_filter_priv(krg_filter_from_item(item));
}

static ssize_t alert_u64_store(struct config_item *item, const char *attr,
			       atomic64_t *where, const char *page,
			       size_t count)
{
	u64 v;
	int ret;

	ret = kstrtou64(page, 0, &v);
	if (ret) {
		pr_notice_ratelimited("%s: %s: '%.32s' is not a u64\n",
				      config_item_name(item), attr, page);
		return ret;
	}
	atomic64_set(where, v);
	return 0;
}

static ssize_t alert_filter_threshold_show(struct config_item *item,
					   char *page)
{
	return sysfs_emit(page, "%llu\n",
			  (u64)atomic64_read(&alert_of(item)->threshold));
}

static ssize_t alert_filter_threshold_store(struct config_item *item,
					    const char *page, size_t count)
{
	return alert_u64_store(item, "threshold", &alert_of(item)->threshold,
			       page, count) ?: count;
}
CONFIGFS_ATTR(alert_filter_, threshold);

static ssize_t alert_filter_hysteresis_show(struct config_item *item,
					    char *page)
{
	return sysfs_emit(page, "%llu\n",
			  (u64)atomic64_read(&alert_of(item)->hysteresis));
}

static ssize_t alert_filter_hysteresis_store(struct config_item *item,
					     const char *page, size_t count)
{
	return alert_u64_store(item, "hysteresis", &alert_of(item)->hysteresis,
			       page, count) ?: count;
}
CONFIGFS_ATTR(alert_filter_, hysteresis);

static ssize_t alert_filter_direction_show(struct config_item *item,
					   char *page)
{
	int dir = atomic_read(&alert_of(item)->direction);

	return sysfs_emit(page, "%s\n", alert_direction_names[dir]);
}

static ssize_t alert_filter_direction_store(struct config_item *item,
					    const char *page, size_t count)
{
	int dir = sysfs_match_string(alert_direction_names, page);

	if (dir < 0) {
		pr_notice_ratelimited("%s: direction: '%.32s' is neither below nor above\n",
				      config_item_name(item), page);
		return -EINVAL;
	}
	atomic_set(&alert_of(item)->direction, dir);
	return count;
}
CONFIGFS_ATTR(alert_filter_, direction);

static ssize_t alert_filter_name_show(struct config_item *item, char *page)
{
	struct alert_filter *af = alert_of(item);
	ssize_t len;

	mutex_lock(&alert_names_lock);
	len = sysfs_emit(page, "%s\n", kobject_name(&af->ak->kobj));
	mutex_unlock(&alert_names_lock);
	return len;
}

static bool alert_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > ALERT_NAME_LEN || s[0] == '.')
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static ssize_t alert_filter_name_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct alert_filter *af = alert_of(item);
	char name[ALERT_NAME_LEN + 1];
	size_t len = count;
	struct kobject *other;
	int ret = 0;

	if (len && page[len - 1] == '\n')
		len--;
	if (!alert_name_ok(page, len)) {
		pr_notice_ratelimited("%s: name: '%.*s' is not 1..%d of [A-Za-z0-9_.-]\n",
				      config_item_name(item),
				      (int)min_t(size_t, len, 40), page,
				      ALERT_NAME_LEN);
		return -EINVAL;
	}
	memcpy(name, page, len);
	name[len] = '\0';

	mutex_lock(&alert_names_lock);
	if (strcmp(name, kobject_name(&af->ak->kobj))) {
		other = kset_find_obj(alert_kset, name);
		if (other) {
			kobject_put(other);
			ret = -EEXIST;
		} else {
			ret = kobject_rename(&af->ak->kobj, name);
		}
	}
	mutex_unlock(&alert_names_lock);
	if (ret == -EEXIST)
		pr_notice_ratelimited("%s: name: another alert is called %s\n",
				      config_item_name(item), name);
	return ret ?: count;
}
CONFIGFS_ATTR(alert_filter_, name);

static ssize_t alert_filter_active_show(struct config_item *item, char *page)
{
	return alert_active_print(alert_of(item), page);
}
CONFIGFS_ATTR_RO(alert_filter_, active);

static ssize_t alert_filter_alerts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&alert_of(item)->alerts));
}
CONFIGFS_ATTR_RO(alert_filter_, alerts);

static struct configfs_attribute *alert_attrs[] = {
	&alert_filter_attr_threshold,
	&alert_filter_attr_direction,
	&alert_filter_attr_hysteresis,
	&alert_filter_attr_name,
	&alert_filter_attr_active,
	&alert_filter_attr_alerts,
	NULL,
};

/* --- instance -------------------------------------------------------------- */

static int alert_init(struct krg_filter *filter)
{
	struct alert_filter *af = krg_filter_priv(filter);
	struct alert_kobj *ak;
	int ret;

	af->filter = filter;
	spin_lock_init(&af->lock);
	INIT_WORK(&af->work, alert_work);
	atomic64_set(&af->hysteresis, 1);
	atomic_set(&af->direction, ALERT_BELOW);

	af->id = ida_alloc(&alert_ida, GFP_KERNEL);
	if (af->id < 0)
		return af->id;
	ak = kzalloc(sizeof(*ak), GFP_KERNEL);
	if (!ak) {
		ret = -ENOMEM;
		goto err_free_id;
	}
	ak->af = af;
	ak->kobj.kset = alert_kset;
	mutex_lock(&alert_names_lock);
	ret = kobject_init_and_add(&ak->kobj, &alert_ktype, NULL, "alert%d",
				   af->id);
	mutex_unlock(&alert_names_lock);
	if (ret)
		goto err_put_kobj;
	af->ak = ak;
	kobject_uevent(&ak->kobj, KOBJ_ADD);
	return 0;

err_put_kobj:
	/* Someone renamed another alert to "alert<id>" first. */
	kobject_put(&ak->kobj);
err_free_id:
	ida_free(&alert_ida, af->id);
	return ret;
}

static void alert_exit(struct krg_filter *filter)
{
	struct alert_filter *af = krg_filter_priv(filter);
	unsigned long flags;

	spin_lock_irqsave(&af->lock, flags);
	af->stopping = true;
	spin_unlock_irqrestore(&af->lock, flags);
	cancel_work_sync(&af->work);
	/* After kobject_del() no attribute of it runs: af may go. */
	kobject_uevent(&af->ak->kobj, KOBJ_REMOVE);
	mutex_lock(&alert_names_lock);
	kobject_del(&af->ak->kobj);
	mutex_unlock(&alert_names_lock);
	kobject_put(&af->ak->kobj);
	ida_free(&alert_ida, af->id);
}

/* The kset lives as long as the module. */
static int alert_module_setup(void)
{
	alert_kset = kset_create_and_add("krg_alert", NULL, kernel_kobj);
	return alert_kset ? 0 : -ENOMEM;
}

static void alert_module_teardown(void)
{
	kset_unregister(alert_kset);
	ida_destroy(&alert_ida);
}

KRG_FILTER_MODULE_INIT(alert_filter, alert_module_setup, alert_module_teardown,
		       .ports = alert_ports,
		       .type = &krg_type_u64,
		       .attrs = alert_attrs,
		       .priv_size = sizeof(struct alert_filter),
		       .init = alert_init,
		       .exit = alert_exit,
		       .update = alert_update);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched alert_filter: tell the administrator when a value crosses a threshold");
