// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_probe: how busy the CPUs were over the last probe_period.
 *
 * Sources (u64 unless said; per node = nodes/<n>/value, local = the node of
 * the CPU that reads):
 *   usage      permille (0..1000) of the node's online CPU time that was
 *              busy during the last period
 *   cpus       online CPUs of the node (read when asked, published when it
 *              changes)
 *   cpu_usage  u64(int): the same permille for one CPU (parameter: the CPU
 *              id); Kerrighed's per-CPU cpu_usage
 * Attributes: per_cpu (ro: "cpu C node N usage U" per node and measured
 * CPU of it; a CPU that nodes share is listed under each); the core's
 * cost_ns.
 * A node's CPUs are those krg_node_cpus() gives.
 *
 * Busy time is what /proc/stat counts as neither idle nor iowait: user +
 * nice + system + irq + softirq + steal (guest time is already in user and
 * nice). Idle and iowait are read as /proc/stat reads them: from the tick
 * code's NO_HZ accounting (get_cpu_{idle,iowait}_time_us()) when it runs,
 * else from kcpustat. usage = 1000 * delta(busy) / delta(busy + idle +
 * iowait) over one period, so it matches the same computation made on the
 * cpuN lines of /proc/stat over the same interval, up to their USER_HZ
 * (10 ms) rounding and the time between the two reads: in the tests, within
 * 100 permille on intervals of a second.
 *
 * usage values exist from the second measurement on (-EAGAIN before); a node
 * without online CPUs has none (-ENODATA).
 */
#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/tick.h>
#include "krg_probe_util.h"

enum {
	CPU_PROBE_USAGE,
	CPU_PROBE_CPUS,
	CPU_PROBE_CPU_USAGE,
};

/* Cumulative ns of one CPU at the last measurement, and the last deltas. */
struct cpu_probe_times {
	u64 busy;
	u64 total;
	u64 db;
	u64 dt;
	bool valid;
};

#define CPU_PROBE_NONE	U32_MAX		/* no value (yet) */

struct cpu_probe {
	struct cpu_probe_times *last;	/* [nr_cpu_ids]; measure only */
	u32 *cpu_usage;			/* [nr_cpu_ids]; READ_ONCE */
	u32 usage[KRG_MAX_NODES];	/* READ_ONCE; CPU_PROBE_NONE */
	u32 cpus[KRG_MAX_NODES];	/* last published; measure only */
};

static const struct krg_value_type cpu_probe_u64_cpu = {
	.name = "u64",
	.size = sizeof(u64),
	.param = "int",
	.param_size = sizeof(int),
};

/* Like /proc/stat: NO_HZ idle accounting when it runs, else kcpustat. */
static u64 cpu_probe_idle_ns(int cpu, const struct kernel_cpustat *kcs)
{
	u64 us = cpu_online(cpu) ? get_cpu_idle_time_us(cpu, NULL) : -1ULL;

	return us == -1ULL ? kcs->cpustat[CPUTIME_IDLE] : us * NSEC_PER_USEC;
}

static u64 cpu_probe_iowait_ns(int cpu, const struct kernel_cpustat *kcs)
{
	u64 us = cpu_online(cpu) ? get_cpu_iowait_time_us(cpu, NULL) : -1ULL;

	return us == -1ULL ? kcs->cpustat[CPUTIME_IOWAIT] : us * NSEC_PER_USEC;
}

static void cpu_probe_read(int cpu, u64 *busy, u64 *total)
{
	struct kernel_cpustat kcs;
	const u64 *t = kcs.cpustat;

	kcpustat_cpu_fetch(&kcs, cpu);
	*busy = t[CPUTIME_USER] + t[CPUTIME_NICE] + t[CPUTIME_SYSTEM] +
		t[CPUTIME_IRQ] + t[CPUTIME_SOFTIRQ] + t[CPUTIME_STEAL];
	*total = *busy + cpu_probe_idle_ns(cpu, &kcs) +
		 cpu_probe_iowait_ns(cpu, &kcs);
}

static u32 cpu_probe_permille(u64 busy, u64 total)
{
	if (!total)
		return 0;
	return min_t(u64, div64_u64(busy * 1000 + total / 2, total), 1000);
}

static void cpu_probe_measure(struct krg_probe *probe)
{
	struct cpu_probe *cp = krg_probe_priv(probe);
	bool changed[3] = {};
	struct krg_nodemask possible;
	unsigned int i;
	int cpu, node;

	krg_nodes_possible(&possible);

	for_each_possible_cpu(cpu) {
		struct cpu_probe_times *last = &cp->last[cpu];
		u32 old = READ_ONCE(cp->cpu_usage[cpu]), now = CPU_PROBE_NONE;
		u64 busy, total, db, dt;

		last->db = 0;
		last->dt = 0;
		if (!cpu_online(cpu)) {
			last->valid = false;
		} else {
			cpu_probe_read(cpu, &busy, &total);
			/* The counters only grow; a CPU back online restarts. */
			if (last->valid && busy >= last->busy &&
			    total >= last->total) {
				db = busy - last->busy;
				dt = total - last->total;
				now = cpu_probe_permille(db, dt);
				last->db = db;
				last->dt = dt;
			}
			last->busy = busy;
			last->total = total;
			last->valid = true;
		}
		if (now != old) {
			WRITE_ONCE(cp->cpu_usage[cpu], now);
			changed[CPU_PROBE_CPU_USAGE] = true;
		}
	}

	krg_for_each_node(node, &possible) {
		const struct cpumask *mask = krg_node_cpus(node);
		u32 cpus = krgp_node_nr_cpus(node);
		u32 usage = CPU_PROBE_NONE;
		u64 busy = 0, total = 0;

		/* The node's CPUs, as the backend defines them. */
		if (mask) {
			for_each_cpu_and(cpu, mask, cpu_online_mask) {
				busy += cp->last[cpu].db;
				total += cp->last[cpu].dt;
			}
		}
		if (cpus && total)
			usage = cpu_probe_permille(busy, total);
		if (usage != READ_ONCE(cp->usage[node])) {
			WRITE_ONCE(cp->usage[node], usage);
			changed[CPU_PROBE_USAGE] = true;
		}
		if (cpus != cp->cpus[node]) {
			cp->cpus[node] = cpus;
			changed[CPU_PROBE_CPUS] = true;
		}
	}

	for (i = 0; i < ARRAY_SIZE(changed); i++)
		if (changed[i])
			krg_probe_publish(probe, i);
}

static int cpu_probe_usage_node(struct krg_probe *probe, int node, void *out,
				unsigned int nr, const void *in,
				unsigned int in_nr)
{
	struct cpu_probe *cp = krg_probe_priv(probe);
	u32 v;

	if (!krgp_node_here(node))
		return -ENODATA;
	v = READ_ONCE(cp->usage[node]);
	if (v == CPU_PROBE_NONE)
		return -EAGAIN;
	*(u64 *)out = v;
	return 1;
}

static int cpu_probe_usage_get(struct krg_probe *probe, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	return cpu_probe_usage_node(probe, krg_local_node(), out, nr, in,
				    in_nr);
}

/* Read live (it is cheap); measure() only tracks it to publish changes. */
static int cpu_probe_cpus_node(struct krg_probe *probe, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	u32 v = krgp_node_nr_cpus(node);

	if (!v)
		return -ENODATA;
	*(u64 *)out = v;
	return 1;
}

static int cpu_probe_cpus_get(struct krg_probe *probe, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr)
{
	return cpu_probe_cpus_node(probe, krg_local_node(), out, nr, in,
				   in_nr);
}

/* One value per CPU id in @in; stops at the first CPU without one. */
static int cpu_probe_cpu_usage_get(struct krg_probe *probe, void *out,
				   unsigned int nr, const void *in,
				   unsigned int in_nr)
{
	struct cpu_probe *cp = krg_probe_priv(probe);
	const int *cpus = in;
	u64 *values = out;
	unsigned int i;
	int ret = 0;

	if (!in_nr)
		return -EINVAL;
	for (i = 0; i < nr && i < in_nr; i++) {
		int cpu = cpus[i];
		u32 v;

		if (cpu < 0 || cpu >= nr_cpu_ids) {
			ret = -EINVAL;
			break;
		}
		v = READ_ONCE(cp->cpu_usage[cpu]);
		if (v == CPU_PROBE_NONE) {
			ret = cpu_online(cpu) ? -EAGAIN : -ENODATA;
			break;
		}
		values[i] = v;
	}
	return i ? i : ret;
}

static const struct krg_source_desc cpu_probe_src_usage = {
	.name = "usage",
	.type = &krg_type_u64,
	.get_value = cpu_probe_usage_get,
	.get_node_value = cpu_probe_usage_node,
};

static const struct krg_source_desc cpu_probe_src_cpus = {
	.name = "cpus",
	.type = &krg_type_u64,
	.get_value = cpu_probe_cpus_get,
	.get_node_value = cpu_probe_cpus_node,
};

static const struct krg_source_desc cpu_probe_src_cpu_usage = {
	.name = "cpu_usage",
	.type = &cpu_probe_u64_cpu,
	.get_value = cpu_probe_cpu_usage_get,
};

/* In the order of the CPU_PROBE_* indexes. */
static const struct krg_source_desc *const cpu_probe_sources[] = {
	&cpu_probe_src_usage,
	&cpu_probe_src_cpus,
	&cpu_probe_src_cpu_usage,
	NULL,
};

static struct cpu_probe *cpu_probe_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t cpu_probe_per_cpu_show(struct config_item *item, char *page)
{
	struct cpu_probe *cp = cpu_probe_of(item);
	struct krg_nodemask possible;
	ssize_t len = 0;
	int cpu, node;

	/* Node by node: a CPU several nodes share is listed under each. */
	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		const struct cpumask *mask = krg_node_cpus(node);

		if (!mask)
			continue;
		for_each_cpu(cpu, mask) {
			u32 v = READ_ONCE(cp->cpu_usage[cpu]);

			if (v == CPU_PROBE_NONE)
				continue;
			len += sysfs_emit_at(page, len,
					     "cpu %d node %d usage %u\n",
					     cpu, node, v);
		}
	}
	return len;
}
CONFIGFS_ATTR_RO(cpu_probe_, per_cpu);

static struct configfs_attribute *cpu_probe_attrs[] = {
	&cpu_probe_attr_per_cpu,
	NULL,
};

static int cpu_probe_init(struct krg_probe *probe)
{
	struct cpu_probe *cp = krg_probe_priv(probe);
	int cpu;

	cp->last = kcalloc(nr_cpu_ids, sizeof(*cp->last), GFP_KERNEL);
	if (!cp->last)
		return -ENOMEM;
	cp->cpu_usage = kcalloc(nr_cpu_ids, sizeof(*cp->cpu_usage),
				GFP_KERNEL);
	if (!cp->cpu_usage)
		goto err_free_last;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		cp->cpu_usage[cpu] = CPU_PROBE_NONE;
	memset32(cp->usage, CPU_PROBE_NONE, KRG_MAX_NODES);
	return 0;

err_free_last:
	kfree(cp->last);
	return -ENOMEM;
}

static void cpu_probe_exit(struct krg_probe *probe)
{
	struct cpu_probe *cp = krg_probe_priv(probe);

	kfree(cp->cpu_usage);
	kfree(cp->last);
}

KRG_PROBE_MODULE(cpu_probe,
		 .sources = cpu_probe_sources,
		 .attrs = cpu_probe_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct cpu_probe),
		 .init = cpu_probe_init,
		 .exit = cpu_probe_exit,
		 .measure = cpu_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: CPU usage per node and per CPU");
