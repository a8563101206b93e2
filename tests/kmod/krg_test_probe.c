// SPDX-License-Identifier: GPL-2.0
/*
 * test_probe: a probe whose values the tests set, for testing the core on
 * its own. Attributes of probes/test_probe/:
 *   set        write V: source "value" becomes V and is published
 *   set_node   write "N V": node N's value of "value" becomes V (not
 *              published: tests count pushes)
 *   publish    write anything: publish "value" now
 * Sources: value (u64; -EAGAIN until set), ticks (u64, +1 per measurement,
 * published each probe_period), load (type "load", for type checks),
 * per_pid (u64 with a pid_t parameter: returns 2 * pid).
 *   bench      write N: publish "value" N times in a loop (bench/)
 *   bench_ns   read: the mean ns per publish of the last bench run
 *   read_bench write "N NODE": call the probe's own read of "value" on
 *              NODE N times in a loop (what the core calls; bench/)
 *   read_bench_ns  read: the mean ns per call of the last read_bench run
 * It also checks the core's contract: nothing reads a probe once its exit()
 * ran (a read after exit WARNs, which fails the VM run).
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <krg/sched.h>

struct test_probe {
	spinlock_t lock;	/* protects the values below */
	bool has_value;
	u64 value;
	u64 ticks;
	u64 node_value[KRG_MAX_NODES];
	DECLARE_BITMAP(node_set, KRG_MAX_NODES);
	u64 bench_ns;		/* mean ns per publish, last bench run */
	u64 read_bench_ns;	/* mean ns per read, last read_bench run */
	bool dead;		/* exit() ran; READ_ONCE */
};

/* The core promised that nothing calls a probe after its exit(). */
static void test_probe_check_alive(struct test_probe *tp)
{
	WARN_ONCE(READ_ONCE(tp->dead), "test_probe: read after exit()\n");
}

static const struct krg_value_type test_load_type = {
	.name = "load",
	.size = sizeof(u64),
};

static const struct krg_value_type test_pid_type = {
	.name = "u64",
	.size = sizeof(u64),
	.param = "pid_t",
	.param_size = sizeof(pid_t),
};

static int test_value_get(struct krg_probe *probe, void *out, unsigned int nr,
			  const void *in, unsigned int in_nr)
{
	struct test_probe *tp = krg_probe_priv(probe);
	unsigned long flags;
	int ret = 1;

	test_probe_check_alive(tp);
	spin_lock_irqsave(&tp->lock, flags);
	if (tp->has_value)
		*(u64 *)out = tp->value;
	else
		ret = -EAGAIN;
	spin_unlock_irqrestore(&tp->lock, flags);
	return ret;
}

static int test_value_get_node(struct krg_probe *probe, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	struct test_probe *tp = krg_probe_priv(probe);
	unsigned long flags;
	int ret = 1;

	test_probe_check_alive(tp);
	spin_lock_irqsave(&tp->lock, flags);
	if (test_bit(node, tp->node_set))
		*(u64 *)out = tp->node_value[node];
	else
		ret = -EAGAIN;
	spin_unlock_irqrestore(&tp->lock, flags);
	return ret;
}

static int test_ticks_get(struct krg_probe *probe, void *out, unsigned int nr,
			  const void *in, unsigned int in_nr)
{
	struct test_probe *tp = krg_probe_priv(probe);

	test_probe_check_alive(tp);
	*(u64 *)out = READ_ONCE(tp->ticks);
	return 1;
}

static int test_per_pid_get(struct krg_probe *probe, void *out,
			    unsigned int nr, const void *in, unsigned int in_nr)
{
	test_probe_check_alive(krg_probe_priv(probe));
	if (in_nr < 1)
		return -EINVAL;
	*(u64 *)out = 2 * (u64)*(const pid_t *)in;
	return 1;
}

static const struct krg_source_desc test_src_value = {
	.name = "value",
	.type = &krg_type_u64,
	.get_value = test_value_get,
	.get_node_value = test_value_get_node,
};

static const struct krg_source_desc test_src_ticks = {
	.name = "ticks",
	.type = &krg_type_u64,
	.get_value = test_ticks_get,
};

static const struct krg_source_desc test_src_load = {
	.name = "load",
	.type = &test_load_type,
	.get_value = test_ticks_get,
};

static const struct krg_source_desc test_src_per_pid = {
	.name = "per_pid",
	.type = &test_pid_type,
	.get_value = test_per_pid_get,
};

static const struct krg_source_desc *const test_sources[] = {
	&test_src_value,
	&test_src_ticks,
	&test_src_load,
	&test_src_per_pid,
	NULL,
};

static ssize_t test_probe_set_store(struct config_item *item, const char *page,
				    size_t count)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct test_probe *tp = krg_probe_priv(probe);
	unsigned long flags;
	u64 v;
	int ret;

	ret = kstrtou64(page, 0, &v);
	if (ret)
		return ret;
	spin_lock_irqsave(&tp->lock, flags);
	tp->value = v;
	tp->has_value = true;
	spin_unlock_irqrestore(&tp->lock, flags);
	krg_probe_publish(probe, 0);
	return count;
}
CONFIGFS_ATTR_WO(test_probe_, set);

static ssize_t test_probe_set_node_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct test_probe *tp = krg_probe_priv(krg_probe_from_item(item));
	unsigned long flags;
	int node;
	u64 v;

	if (sscanf(page, "%d %llu", &node, &v) != 2 || !krg_node_valid(node))
		return -EINVAL;
	spin_lock_irqsave(&tp->lock, flags);
	tp->node_value[node] = v;
	__set_bit(node, tp->node_set);
	spin_unlock_irqrestore(&tp->lock, flags);
	return count;
}
CONFIGFS_ATTR_WO(test_probe_, set_node);

static ssize_t test_probe_publish_store(struct config_item *item,
					const char *page, size_t count)
{
	krg_probe_publish(krg_probe_from_item(item), 0);
	return count;
}
CONFIGFS_ATTR_WO(test_probe_, publish);

static ssize_t test_probe_bench_ns_show(struct config_item *item, char *page)
{
	struct test_probe *tp = krg_probe_priv(krg_probe_from_item(item));

	return sysfs_emit(page, "%llu\n", READ_ONCE(tp->bench_ns));
}

static ssize_t test_probe_bench_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct test_probe *tp = krg_probe_priv(probe);
	unsigned int n, i;
	u64 t0;
	int ret;

	ret = kstrtouint(page, 0, &n);
	if (ret)
		return ret;
	if (!n || n > 10000000)
		return -ERANGE;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		krg_probe_publish(probe, 0);
		if (!(i & 1023))
			cond_resched();
	}
	WRITE_ONCE(tp->bench_ns, div_u64(ktime_get_ns() - t0, n));
	return count;
}
CONFIGFS_ATTR_WO(test_probe_, bench);
CONFIGFS_ATTR_RO(test_probe_, bench_ns);

static ssize_t test_probe_read_bench_ns_show(struct config_item *item,
					     char *page)
{
	struct test_probe *tp = krg_probe_priv(krg_probe_from_item(item));

	return sysfs_emit(page, "%llu\n", READ_ONCE(tp->read_bench_ns));
}

static ssize_t test_probe_read_bench_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct test_probe *tp = krg_probe_priv(probe);
	unsigned int n, i;
	int node, ret;
	u64 t0, v;

	if (sscanf(page, "%u %d", &n, &node) != 2 || !krg_node_valid(node))
		return -EINVAL;
	if (!n || n > 10000000)
		return -ERANGE;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = test_value_get_node(probe, node, &v, 1, NULL, 0);
		if (ret != 1)
			return ret < 0 ? ret : -ENODATA;
		if (!(i & 1023))
			cond_resched();
	}
	WRITE_ONCE(tp->read_bench_ns, div_u64(ktime_get_ns() - t0, n));
	return count;
}
CONFIGFS_ATTR_WO(test_probe_, read_bench);
CONFIGFS_ATTR_RO(test_probe_, read_bench_ns);

static struct configfs_attribute *test_probe_attrs[] = {
	&test_probe_attr_bench,
	&test_probe_attr_bench_ns,
	&test_probe_attr_read_bench,
	&test_probe_attr_read_bench_ns,
	&test_probe_attr_set,
	&test_probe_attr_set_node,
	&test_probe_attr_publish,
	NULL,
};

static int test_probe_init(struct krg_probe *probe)
{
	struct test_probe *tp = krg_probe_priv(probe);

	spin_lock_init(&tp->lock);
	return 0;
}

static void test_probe_exit(struct krg_probe *probe)
{
	struct test_probe *tp = krg_probe_priv(probe);

	WRITE_ONCE(tp->dead, true);
}

static void test_probe_measure(struct krg_probe *probe)
{
	struct test_probe *tp = krg_probe_priv(probe);

	WRITE_ONCE(tp->ticks, tp->ticks + 1);
	krg_probe_publish(probe, 1);
}

KRG_PROBE_MODULE(test_probe,
		 .sources = test_sources,
		 .attrs = test_probe_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct test_probe),
		 .init = test_probe_init,
		 .exit = test_probe_exit,
		 .measure = test_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched test probe (tests only)");
