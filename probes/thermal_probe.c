// SPDX-License-Identifier: GPL-2.0
/*
 * thermal_probe: the temperature of one of the kernel's thermal zones.
 *
 * Attribute zone (rw): the zone to read, by its type as in
 * /sys/class/thermal/thermal_zone<N>/type (e.g. "x86_pkg_temp", "acpitz",
 * "krg_test"; compared without case, as the thermal core does), or by its
 * device name "thermal_zone<N>" when several zones share a type. Empty (the
 * default, or an empty line written): no zone, no value. Writes fail with
 * EINVAL for a malformed name (over 19 characters, blanks, '/'), ENOENT when
 * no zone has that type, EEXIST when several do; the reason is logged and
 * the zone read before stays. Also the core's cost_ns.
 *
 * Source:
 *   temperature  s64, millidegrees Celsius (may be negative), read every
 *                probe_period (default 1000 ms) and when zone is written;
 *                published when it changes. -EAGAIN while there is no
 *                value: no zone set, or the last read failed (the zone went
 *                away or its driver failed; logged).
 * Per node: one zone serves every online node (nodes/<n>/value are all the
 * same; offline nodes -ENODATA). Zones are not tied to NUMA nodes in any
 * way the kernel exports; a per-node mapping would be a list of zones, one
 * per node, if a user ever needs it.
 *
 * Why sysfs and not thermal_zone_get_zone_by_name() + thermal_zone_get_temp()
 * directly: the lookup returns the zone without a reference, so a zone
 * unregistered between two periods (its driver unbound, a module unloaded)
 * would be used after it is freed. Reading
 * /sys/class/thermal/thermal_zone<N>/temp calls thermal_zone_get_temp()
 * just the same, and kernfs guarantees the zone outlives the read or the
 * read fails. The probe keeps that file open and reads it from offset 0
 * each period (one read, no path walk); once a read fails (the zone is
 * gone) it closes it and looks the type up again at the next period, so a
 * zone that comes back under another id is found. The lookup walks
 * /sys/class/thermal as the writer of zone sees it (at the write) or as the
 * initial namespaces do (in the workqueue): the same for root on the host.
 */
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/thermal.h>
#include "krg_probe_util.h"

#define THERMAL_PROBE_DIR	"/sys/class/thermal"
#define THERMAL_PROBE_ZONE	"thermal_zone"
#define THERMAL_PROBE_MAX_IDS	256	/* zones scanned for a type */

struct thermal_probe {
	struct mutex zone_lock;		/* protects zone .. failed */
	char zone[THERMAL_NAME_LENGTH];	/* "": none */
	int id;				/* thermal_zone<id>; -1: not found */
	bool by_id;			/* zone is "thermal_zone<id>" */
	struct file *file;		/* its temp file, or NULL */
	bool failed;			/* the last read failed (logged once) */
	spinlock_t lock;		/* protects temp, valid */
	s64 temp;
	bool valid;
};

/* Read a small sysfs file into @buf, NUL-terminated, blanks trimmed. */
static int thermal_probe_read(const char *path, char *buf, size_t len)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, len - 1, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	strim(buf);
	return 0;
}

static int thermal_probe_read_attr(int id, const char *attr, char *buf,
				   size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), THERMAL_PROBE_DIR "/" THERMAL_PROBE_ZONE
		 "%d/%s", id, attr);
	return thermal_probe_read(path, buf, len);
}

/* Does thermal_zone<@id> exist, with type @type (unless NULL)? */
static bool thermal_probe_zone_is(int id, const char *type)
{
	char buf[THERMAL_NAME_LENGTH + 2];

	if (thermal_probe_read_attr(id, "type", buf, sizeof(buf)))
		return false;
	return !type || !strcasecmp(buf, type);
}

/* "thermal_zone<N>" exactly: N, else -1. */
static int thermal_probe_parse_id(const char *name)
{
	size_t n = strlen(THERMAL_PROBE_ZONE);
	int id;

	if (strncmp(name, THERMAL_PROBE_ZONE, n) || !isdigit(name[n]) ||
	    (name[n] == '0' && name[n + 1]) || kstrtoint(name + n, 10, &id))
		return -1;
	return id;
}

struct thermal_probe_scan {
	struct dir_context ctx;
	unsigned int nr;
	int ids[THERMAL_PROBE_MAX_IDS];
};

static bool thermal_probe_scan_actor(struct dir_context *ctx,
				     const char *name, int len, loff_t off,
				     u64 ino, unsigned int d_type)
{
	struct thermal_probe_scan *scan =
		container_of(ctx, struct thermal_probe_scan, ctx);
	char buf[THERMAL_NAME_LENGTH + 16];
	int id;

	if (len >= sizeof(buf))
		return true;
	memcpy(buf, name, len);
	buf[len] = '\0';
	id = thermal_probe_parse_id(buf);
	if (id >= 0 && scan->nr < THERMAL_PROBE_MAX_IDS)
		scan->ids[scan->nr++] = id;
	return true;
}

/*
 * The id of the zone named @name (a type or "thermal_zone<N>"): >= 0,
 * -ENOENT when none, -EEXIST when several zones have that type. Process.
 */
static int thermal_probe_find(const char *name)
{
	struct thermal_probe_scan *scan;
	struct file *dir;
	unsigned int i;
	int id, ret;

	id = thermal_probe_parse_id(name);
	if (id >= 0)
		return thermal_probe_zone_is(id, NULL) ? id : -ENOENT;

	scan = kzalloc(sizeof(*scan), GFP_KERNEL);
	if (!scan)
		return -ENOMEM;
	scan->ctx.actor = thermal_probe_scan_actor;
	dir = filp_open(THERMAL_PROBE_DIR, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(dir)) {
		ret = PTR_ERR(dir);
		goto out;
	}
	ret = iterate_dir(dir, &scan->ctx);
	filp_close(dir, NULL);
	if (ret)
		goto out;
	/* Read the types after the walk: not under the directory's lock. */
	ret = -ENOENT;
	for (i = 0; i < scan->nr; i++) {
		if (!thermal_probe_zone_is(scan->ids[i], name))
			continue;
		if (ret >= 0) {
			ret = -EEXIST;
			break;
		}
		ret = scan->ids[i];
	}
out:
	kfree(scan);
	return ret;
}

static void thermal_probe_set(struct thermal_probe *tp, bool valid, s64 temp,
			      bool *changed)
{
	unsigned long flags;

	spin_lock_irqsave(&tp->lock, flags);
	*changed = valid != tp->valid || (valid && temp != tp->temp);
	tp->valid = valid;
	if (valid)
		tp->temp = temp;
	spin_unlock_irqrestore(&tp->lock, flags);
}

static void thermal_probe_close(struct thermal_probe *tp)
{
	if (tp->file) {
		filp_close(tp->file, NULL);
		tp->file = NULL;
	}
}

/*
 * Open the configured zone's temp file, to be read again and again from
 * offset 0 (sysfs shows a fresh value each time) until a read fails: kernfs
 * makes reads of a removed zone fail, so a file that still reads is still
 * the zone it was opened for. Caller holds zone_lock.
 */
static int thermal_probe_open(struct thermal_probe *tp)
{
	char path[64];
	struct file *f;
	int id = tp->id;

	if (!tp->by_id) {
		id = thermal_probe_find(tp->zone);
		if (id < 0)
			return id;
	}
	snprintf(path, sizeof(path), THERMAL_PROBE_DIR "/" THERMAL_PROBE_ZONE
		 "%d/temp", id);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	/* The id may have gone to another zone between find and open. */
	if (!tp->by_id && !thermal_probe_zone_is(id, tp->zone)) {
		filp_close(f, NULL);
		return -EAGAIN;
	}
	tp->id = id;
	tp->file = f;
	return 0;
}

static int thermal_probe_read_temp(struct thermal_probe *tp, s64 *temp)
{
	char buf[32];
	loff_t pos = 0;
	ssize_t n;
	int ret;

	if (!tp->file) {
		ret = thermal_probe_open(tp);
		if (ret)
			return ret;
	}
	n = kernel_read(tp->file, buf, sizeof(buf) - 1, &pos);
	if (n < 0) {
		/* Gone, or failing: look the zone up again next time. */
		thermal_probe_close(tp);
		return n;
	}
	buf[n] = '\0';
	return kstrtos64(strim(buf), 10, temp);
}

/*
 * Read the configured zone into the cache; true if the value changed.
 * Caller holds zone_lock.
 */
static bool thermal_probe_update(struct thermal_probe *tp)
{
	bool changed;
	s64 temp = 0;
	int ret;

	if (!tp->zone[0]) {
		thermal_probe_set(tp, false, 0, &changed);
		return changed;
	}
	ret = thermal_probe_read_temp(tp, &temp);
	if (ret && !tp->failed)
		pr_warn_ratelimited("zone %s: cannot read its temperature (%d)\n",
				    tp->zone, ret);
	else if (!ret && tp->failed)
		pr_info_ratelimited("zone %s: temperature readable again\n",
				    tp->zone);
	tp->failed = ret != 0;
	thermal_probe_set(tp, !ret, temp, &changed);
	return changed;
}

static void thermal_probe_measure(struct krg_probe *probe)
{
	struct thermal_probe *tp = krg_probe_priv(probe);
	bool changed;

	mutex_lock(&tp->zone_lock);
	changed = thermal_probe_update(tp);
	mutex_unlock(&tp->zone_lock);
	if (changed)
		krg_probe_publish(probe, 0);
}

static int thermal_probe_temp_node(struct krg_probe *probe, int node,
				   void *out, unsigned int nr,
				   const void *in, unsigned int in_nr)
{
	struct thermal_probe *tp = krg_probe_priv(probe);
	unsigned long flags;
	int ret = 1;

	if (!krgp_node_here(node))
		return -ENODATA;
	spin_lock_irqsave(&tp->lock, flags);
	if (tp->valid)
		*(s64 *)out = tp->temp;
	else
		ret = -EAGAIN;
	spin_unlock_irqrestore(&tp->lock, flags);
	return ret;
}

static int thermal_probe_temp_get(struct krg_probe *probe, void *out,
				  unsigned int nr, const void *in,
				  unsigned int in_nr)
{
	return thermal_probe_temp_node(probe, krg_local_node(), out, nr, in,
				       in_nr);
}

static const struct krg_source_desc thermal_probe_src_temperature = {
	.name = "temperature",
	.type = &krg_type_s64,
	.get_value = thermal_probe_temp_get,
	.get_node_value = thermal_probe_temp_node,
};

static const struct krg_source_desc *const thermal_probe_sources[] = {
	&thermal_probe_src_temperature,
	NULL,
};

static struct thermal_probe *thermal_probe_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t thermal_probe_zone_show(struct config_item *item, char *page)
{
	struct thermal_probe *tp = thermal_probe_of(item);
	ssize_t len;

	mutex_lock(&tp->zone_lock);
	len = sysfs_emit(page, "%s\n", tp->zone);
	mutex_unlock(&tp->zone_lock);
	return len;
}

/* A plausible zone type: printable, no blank, no '/'. */
static bool thermal_probe_name_ok(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isgraph(name[i]) || name[i] == '/')
			return false;
	return true;
}

static ssize_t thermal_probe_zone_store(struct config_item *item,
					const char *page, size_t count)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct thermal_probe *tp = krg_probe_priv(probe);
	size_t len = count;
	bool changed;
	int id = -1;

	if (len && page[len - 1] == '\n')
		len--;
	if (len >= THERMAL_NAME_LENGTH) {
		pr_notice_ratelimited("zone: a zone type has at most %d characters\n",
				      THERMAL_NAME_LENGTH - 1);
		return -EINVAL;
	}
	if (!thermal_probe_name_ok(page, len)) {
		pr_notice_ratelimited("zone: \"%.*s\" is not a zone type\n",
				      (int)len, page);
		return -EINVAL;
	}

	mutex_lock(&tp->zone_lock);
	if (len) {
		char name[THERMAL_NAME_LENGTH];

		memcpy(name, page, len);
		name[len] = '\0';
		id = thermal_probe_find(name);
		if (id < 0) {
			mutex_unlock(&tp->zone_lock);
			if (id == -EEXIST)
				pr_notice_ratelimited("zone: several zones have type %s; write thermal_zone<N> to choose one\n",
						      name);
			else
				pr_notice_ratelimited("zone: no thermal zone %s (%d)\n",
						      name, id);
			return id;
		}
		tp->by_id = thermal_probe_parse_id(name) >= 0;
		strscpy(tp->zone, name, sizeof(tp->zone));
	} else {
		tp->zone[0] = '\0';
	}
	thermal_probe_close(tp);
	tp->id = id;
	tp->failed = false;
	/* A value now rather than a period later. */
	changed = thermal_probe_update(tp);
	mutex_unlock(&tp->zone_lock);
	if (changed)
		krg_probe_publish(probe, 0);
	return count;
}
CONFIGFS_ATTR(thermal_probe_, zone);

static struct configfs_attribute *thermal_probe_attrs[] = {
	&thermal_probe_attr_zone,
	NULL,
};

static int thermal_probe_init(struct krg_probe *probe)
{
	struct thermal_probe *tp = krg_probe_priv(probe);

	mutex_init(&tp->zone_lock);
	spin_lock_init(&tp->lock);
	tp->id = -1;
	return 0;
}

static void thermal_probe_exit(struct krg_probe *probe)
{
	struct thermal_probe *tp = krg_probe_priv(probe);

	thermal_probe_close(tp);
	mutex_destroy(&tp->zone_lock);
}

KRG_PROBE_MODULE(thermal_probe,
		 .sources = thermal_probe_sources,
		 .attrs = thermal_probe_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct thermal_probe),
		 .init = thermal_probe_init,
		 .exit = thermal_probe_exit,
		 .measure = thermal_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: temperature of a thermal zone");
