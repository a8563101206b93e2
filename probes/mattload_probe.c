// SPDX-License-Identifier: GPL-2.0
/*
 * mattload_probe: a node's load by Matthieu Perotin's formula, computed
 * from other probes' values (Kerrighed's mattload_probe):
 *
 *   mattload = (1 + param_k * users) * multiply_factor * tasks
 *              / (speed * cpus)
 *
 * with, for the node: tasks its runnable tasks, speed its CPUs' mean
 * speed in MHz, cpus its online CPUs, users its interactive users. A node
 * used by people counts as more loaded, a fast or large node as less.
 *
 * Input ports (probes/mattload_probe/<port>/: ln -s a source into each, as
 * into a policy's port; the types are checked, EINVAL otherwise):
 *   active_tasks    u64: load_probe/active_tasks
 *   cpu_speed       u64(int), kHz per CPU id: cpuspeed_probe/speed
 *   cpu_connected   u64: cpuspeed_probe/connected (or cpu_probe/cpus)
 *   user_connected  u64: user_probe/connected or
 *                   local_user_presence/connected
 * Sources (u64, per node and local):
 *   mattload        the formula above
 *   load_increment  the same with tasks = 1: what one more task adds
 * Attributes: param_k (rw, 0..1000000, default 1), multiply_factor (rw,
 * 1..1000000000, default 1000000): EINVAL otherwise; the core's cost_ns.
 *
 * Where it differs from Kerrighed's: it reads each node's values through
 * the ports (krg_port_get_node_value()), so every node has its own load;
 * speed is the mean over the node's CPUs (cpu_speed read without a
 * parameter gives one value per CPU of the node) where Kerrighed took CPU
 * 0's; it measures every probe_period (default 1000 ms) in a workqueue
 * and publishes what changed, where Kerrighed computed on every read; a
 * node whose inputs are missing (a port not connected, no value yet) or
 * whose speed or CPU count is 0 has no value (-ENODATA) instead of a
 * division by zero; the product saturates at U64_MAX - 1.
 */
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include "krg_probe_util.h"

enum {
	MATT_ACTIVE_TASKS,
	MATT_CPU_SPEED,
	MATT_CPU_CONNECTED,
	MATT_USER_CONNECTED,
};

enum {
	MATT_SRC_MATTLOAD,
	MATT_SRC_LOAD_INCREMENT,
};

#define MATT_NONE	U64_MAX		/* no value for the node */
#define MATT_MAX_CPUS	64		/* speeds averaged per node */

struct mattload_probe {
	u32 param_k;			/* READ_ONCE */
	u32 multiply_factor;		/* READ_ONCE */
	bool measured;			/* READ_ONCE, after the values */
	u64 load[KRG_MAX_NODES];	/* READ_ONCE; MATT_NONE */
	u64 inc[KRG_MAX_NODES];		/* READ_ONCE; MATT_NONE */
	u64 khz[MATT_MAX_CPUS];		/* scratch of measure() */
};

static const struct krg_value_type mattload_u64_cpu = {
	.name = "u64",
	.size = sizeof(u64),
	.param = "int",
	.param_size = sizeof(int),
};

static const struct krg_port_desc mattload_port_active_tasks = {
	.name = "active_tasks", .type = &krg_type_u64,
};

static const struct krg_port_desc mattload_port_cpu_speed = {
	.name = "cpu_speed", .type = &mattload_u64_cpu,
};

static const struct krg_port_desc mattload_port_cpu_connected = {
	.name = "cpu_connected", .type = &krg_type_u64,
};

static const struct krg_port_desc mattload_port_user_connected = {
	.name = "user_connected", .type = &krg_type_u64,
};

/* In the order of the MATT_* port indexes. */
static const struct krg_port_desc *const mattload_ports[] = {
	&mattload_port_active_tasks,
	&mattload_port_cpu_speed,
	&mattload_port_cpu_connected,
	&mattload_port_user_connected,
	NULL,
};

static int mattload_read(struct krg_probe *probe, unsigned int port,
			 int node, u64 *v)
{
	int ret = krg_port_get_node_value(krg_probe_port(probe, port), node,
					  v, 1, NULL, 0);

	return ret < 0 ? ret : ret ? 0 : -ENODATA;
}

/* (1 + k * users) * factor * tasks / (mhz * cpus), saturated. */
static u64 mattload_formula(u64 k, u64 users, u64 factor, u64 tasks,
			    u64 mhz, u64 cpus)
{
	u64 weight, num, den, load;

	if (check_mul_overflow(k, users, &weight) ||
	    check_add_overflow(weight, 1ULL, &weight) ||
	    check_mul_overflow(factor, tasks, &num) ||
	    check_mul_overflow(mhz, cpus, &den))
		return MATT_NONE - 1;
	load = div64_u64(num, den);
	if (check_mul_overflow(load, weight, &load) || load >= MATT_NONE)
		return MATT_NONE - 1;
	return load;
}

/* Compute node @node's two values; false if it has none. */
static bool mattload_node(struct krg_probe *probe, int node, u64 *load,
			  u64 *inc)
{
	struct mattload_probe *mp = krg_probe_priv(probe);
	u64 tasks, cpus, users, sum = 0, mhz;
	int n, i;

	if (!krg_node_online(node) ||
	    mattload_read(probe, MATT_ACTIVE_TASKS, node, &tasks) ||
	    mattload_read(probe, MATT_CPU_CONNECTED, node, &cpus) ||
	    mattload_read(probe, MATT_USER_CONNECTED, node, &users))
		return false;
	n = krg_port_get_node_value(krg_probe_port(probe, MATT_CPU_SPEED),
				    node, mp->khz, MATT_MAX_CPUS, NULL, 0);
	if (n <= 0)
		return false;
	for (i = 0; i < n; i++)
		sum += mp->khz[i];
	mhz = div64_u64(sum, (u64)n * 1000);
	if (!mhz || !cpus)
		return false;
	*load = mattload_formula(READ_ONCE(mp->param_k), users,
				 READ_ONCE(mp->multiply_factor), tasks, mhz,
				 cpus);
	*inc = mattload_formula(READ_ONCE(mp->param_k), users,
				READ_ONCE(mp->multiply_factor), 1, mhz, cpus);
	return true;
}

static void mattload_measure(struct krg_probe *probe)
{
	struct mattload_probe *mp = krg_probe_priv(probe);
	bool changed_load = false, changed_inc = false;
	struct krg_nodemask possible;
	int node;

	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		u64 load = MATT_NONE, inc = MATT_NONE;

		mattload_node(probe, node, &load, &inc);
		if (load != READ_ONCE(mp->load[node])) {
			WRITE_ONCE(mp->load[node], load);
			changed_load = true;
		}
		if (inc != READ_ONCE(mp->inc[node])) {
			WRITE_ONCE(mp->inc[node], inc);
			changed_inc = true;
		}
	}
	/* Pairs with mattload_value(): the values are there before the flag. */
	smp_store_release(&mp->measured, true);
	if (changed_load)
		krg_probe_publish(probe, MATT_SRC_MATTLOAD);
	if (changed_inc)
		krg_probe_publish(probe, MATT_SRC_LOAD_INCREMENT);
}

static int mattload_value(struct krg_probe *probe, int node, void *out,
			  bool increment)
{
	struct mattload_probe *mp = krg_probe_priv(probe);
	u64 v;

	/* Pairs with mattload_measure(). */
	if (!smp_load_acquire(&mp->measured))
		return -EAGAIN;
	if (!krg_node_valid(node))
		return -ENODATA;
	v = increment ? READ_ONCE(mp->inc[node]) : READ_ONCE(mp->load[node]);
	if (v == MATT_NONE)
		return -ENODATA;
	*(u64 *)out = v;
	return 1;
}

static int mattload_load_node(struct krg_probe *probe, int node, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr)
{
	return mattload_value(probe, node, out, false);
}

static int mattload_load_get(struct krg_probe *probe, void *out,
			     unsigned int nr, const void *in,
			     unsigned int in_nr)
{
	return mattload_value(probe, krg_local_node(), out, false);
}

static int mattload_inc_node(struct krg_probe *probe, int node, void *out,
			     unsigned int nr, const void *in,
			     unsigned int in_nr)
{
	return mattload_value(probe, node, out, true);
}

static int mattload_inc_get(struct krg_probe *probe, void *out,
			    unsigned int nr, const void *in,
			    unsigned int in_nr)
{
	return mattload_value(probe, krg_local_node(), out, true);
}

static const struct krg_source_desc mattload_src_mattload = {
	.name = "mattload",
	.type = &krg_type_u64,
	.get_value = mattload_load_get,
	.get_node_value = mattload_load_node,
};

static const struct krg_source_desc mattload_src_load_increment = {
	.name = "load_increment",
	.type = &krg_type_u64,
	.get_value = mattload_inc_get,
	.get_node_value = mattload_inc_node,
};

/* In the order of the MATT_SRC_* indexes. */
static const struct krg_source_desc *const mattload_sources[] = {
	&mattload_src_mattload,
	&mattload_src_load_increment,
	NULL,
};

static struct mattload_probe *mattload_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t mattload_store_u32(struct config_item *item, const char *what,
				  const char *page, size_t count, u32 min,
				  u32 max, u32 *field)
{
	u32 v;

	if (kstrtou32(page, 10, &v) || v < min || v > max) {
		pr_notice_ratelimited("%s: %s: \"%.*s\" is not in %u..%u\n",
				      config_item_name(item), what,
				      (int)strcspn(page, "\n"), page, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*field, v);
	return count;
}

static ssize_t mattload_probe_param_k_show(struct config_item *item,
					   char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(mattload_of(item)->param_k));
}

static ssize_t mattload_probe_param_k_store(struct config_item *item,
					    const char *page, size_t count)
{
	return mattload_store_u32(item, "param_k", page, count, 0, 1000000,
				  &mattload_of(item)->param_k);
}
CONFIGFS_ATTR(mattload_probe_, param_k);

static ssize_t mattload_probe_multiply_factor_show(struct config_item *item,
						   char *page)
{
	return sysfs_emit(page, "%u\n",
			  READ_ONCE(mattload_of(item)->multiply_factor));
}

static ssize_t mattload_probe_multiply_factor_store(struct config_item *item,
						    const char *page,
						    size_t count)
{
	return mattload_store_u32(item, "multiply_factor", page, count, 1,
				  1000000000, &mattload_of(item)->multiply_factor);
}
CONFIGFS_ATTR(mattload_probe_, multiply_factor);

static struct configfs_attribute *mattload_attrs[] = {
	&mattload_probe_attr_param_k,
	&mattload_probe_attr_multiply_factor,
	NULL,
};

static int mattload_init(struct krg_probe *probe)
{
	struct mattload_probe *mp = krg_probe_priv(probe);

	mp->param_k = 1;
	mp->multiply_factor = 1000000;
	memset64(mp->load, MATT_NONE, KRG_MAX_NODES);
	memset64(mp->inc, MATT_NONE, KRG_MAX_NODES);
	return 0;
}

KRG_PROBE_MODULE(mattload_probe,
		 .sources = mattload_sources,
		 .ports = mattload_ports,
		 .attrs = mattload_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct mattload_probe),
		 .init = mattload_init,
		 .measure = mattload_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: node load by Perotin's formula, from its input ports");
