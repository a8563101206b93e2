// SPDX-License-Identifier: GPL-2.0
/*
 * cpuspeed_probe: how many CPUs a node has and how fast they run
 * (Kerrighed's cpuspeed_probe, an input of mattload_probe).
 *
 * Sources (per node = nodes/<n>/value, local = the node of the CPU that
 * reads):
 *   connected  u64: online CPUs of the node (Kerrighed: of the machine,
 *              which was its node)
 *   speed      u64(int): kHz of one CPU (parameter: the CPU id), as the
 *              cpufreq core last saw it (cpufreq_quick_get()), else the
 *              boot-time calibrated frequency (cpu_khz on x86), which is
 *              what /proc/cpuinfo falls back to as well. Read without a
 *              parameter (in_nr 0) it gives one value per online CPU in id
 *              order, as Kerrighed's did; per node, the node's CPUs only.
 * Attributes: per_cpu (ro: "cpu C node N speed K" per node and online CPU
 * of it, the one-line-per-CPU view of `speed`); the core's cost_ns.
 *
 * cpufreq_quick_get() may take a driver's path that is not safe in atomic
 * context, so measure() reads every CPU each probe_period and get_value
 * only returns those numbers; `speed` is published when one changes and
 * `connected` when a node's count does. A CPU not measured yet (just
 * online) answers -EAGAIN, an offline one or an offline node -ENODATA.
 */
#include <linux/cpufreq.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "krg_probe_util.h"

enum {
	CPUSPEED_CONNECTED,
	CPUSPEED_SPEED,
};

struct cpuspeed_probe {
	u32 *khz;			/* [nr_cpu_ids]; 0: none; READ_ONCE */
	u32 cpus[KRG_MAX_NODES];	/* last published; measure only */
};

static const struct krg_value_type cpuspeed_u64_cpu = {
	.name = "u64",
	.size = sizeof(u64),
	.param = "int",
	.param_size = sizeof(int),
};

/* Process context. */
static u32 cpuspeed_read_khz(int cpu)
{
	unsigned int khz = cpufreq_quick_get(cpu);

#ifdef CONFIG_X86
	if (!khz)
		khz = cpu_khz;
#endif
	return khz;
}

static void cpuspeed_measure(struct krg_probe *probe)
{
	struct cpuspeed_probe *cs = krg_probe_priv(probe);
	struct krg_nodemask possible;
	bool speed_changed = false, cpus_changed = false;
	int cpu, node;

	for_each_possible_cpu(cpu) {
		u32 khz = cpu_online(cpu) ? cpuspeed_read_khz(cpu) : 0;

		if (khz != READ_ONCE(cs->khz[cpu])) {
			WRITE_ONCE(cs->khz[cpu], khz);
			speed_changed = true;
		}
	}
	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		u32 n = krgp_node_nr_cpus(node);

		if (n != cs->cpus[node]) {
			cs->cpus[node] = n;
			cpus_changed = true;
		}
	}
	if (cpus_changed)
		krg_probe_publish(probe, CPUSPEED_CONNECTED);
	if (speed_changed)
		krg_probe_publish(probe, CPUSPEED_SPEED);
}

static int cpuspeed_connected_node(struct krg_probe *probe, int node,
				   void *out, unsigned int nr, const void *in,
				   unsigned int in_nr)
{
	u32 v = krgp_node_nr_cpus(node);

	if (!v)
		return -ENODATA;
	*(u64 *)out = v;
	return 1;
}

static int cpuspeed_connected_get(struct krg_probe *probe, void *out,
				  unsigned int nr, const void *in,
				  unsigned int in_nr)
{
	return cpuspeed_connected_node(probe, krg_local_node(), out, nr, in,
				       in_nr);
}

/* One CPU's kHz into @v: 0, or -EAGAIN / -ENODATA. Atomic. */
static int cpuspeed_cpu(struct cpuspeed_probe *cs, int cpu, u64 *v)
{
	u32 khz = READ_ONCE(cs->khz[cpu]);

	if (!cpu_online(cpu))
		return -ENODATA;
	if (!khz)
		return -EAGAIN;
	*v = khz;
	return 0;
}

/*
 * @mask: the CPUs asked about (NULL: any). With parameters, one value per
 * CPU id, stopping at the first without one; without, every online CPU of
 * @mask in id order, up to @nr.
 */
static int cpuspeed_speed_read(struct krg_probe *probe,
			       const struct cpumask *mask, u64 *out,
			       unsigned int nr, const int *ids,
			       unsigned int in_nr)
{
	struct cpuspeed_probe *cs = krg_probe_priv(probe);
	unsigned int i = 0;
	int cpu, ret = 0;

	if (!in_nr) {
		for_each_online_cpu(cpu) {
			if (i >= nr)
				break;
			if (mask && !cpumask_test_cpu(cpu, mask))
				continue;
			ret = cpuspeed_cpu(cs, cpu, &out[i]);
			if (ret)
				break;
			i++;
		}
		if (!i && !ret)
			ret = -ENODATA;
		return i ? i : ret;
	}
	for (i = 0; i < nr && i < in_nr; i++) {
		cpu = ids[i];
		if (cpu < 0 || cpu >= nr_cpu_ids ||
		    (mask && !cpumask_test_cpu(cpu, mask))) {
			ret = -EINVAL;
			break;
		}
		ret = cpuspeed_cpu(cs, cpu, &out[i]);
		if (ret)
			break;
	}
	return i ? i : ret;
}

static int cpuspeed_speed_get(struct krg_probe *probe, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr)
{
	return cpuspeed_speed_read(probe, NULL, out, nr, in, in_nr);
}

static int cpuspeed_speed_node(struct krg_probe *probe, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	const struct cpumask *mask = krg_node_cpus(node);

	if (!mask)
		return -ENODATA;
	return cpuspeed_speed_read(probe, mask, out, nr, in, in_nr);
}

static const struct krg_source_desc cpuspeed_src_connected = {
	.name = "connected",
	.type = &krg_type_u64,
	.get_value = cpuspeed_connected_get,
	.get_node_value = cpuspeed_connected_node,
};

static const struct krg_source_desc cpuspeed_src_speed = {
	.name = "speed",
	.type = &cpuspeed_u64_cpu,
	.get_value = cpuspeed_speed_get,
	.get_node_value = cpuspeed_speed_node,
};

/* In the order of the CPUSPEED_* indexes. */
static const struct krg_source_desc *const cpuspeed_sources[] = {
	&cpuspeed_src_connected,
	&cpuspeed_src_speed,
	NULL,
};

static struct cpuspeed_probe *cpuspeed_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t cpuspeed_probe_per_cpu_show(struct config_item *item,
					   char *page)
{
	struct cpuspeed_probe *cs = cpuspeed_of(item);
	struct krg_nodemask possible;
	ssize_t len = 0;
	int cpu, node;

	/* Node by node: a CPU several nodes share is listed under each. */
	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible) {
		const struct cpumask *mask = krg_node_cpus(node);

		if (!mask)
			continue;
		for_each_cpu_and(cpu, mask, cpu_online_mask) {
			u32 khz = READ_ONCE(cs->khz[cpu]);

			if (khz)
				len += sysfs_emit_at(page, len,
						     "cpu %d node %d speed %u\n",
						     cpu, node, khz);
		}
	}
	return len;
}
CONFIGFS_ATTR_RO(cpuspeed_probe_, per_cpu);

static struct configfs_attribute *cpuspeed_attrs[] = {
	&cpuspeed_probe_attr_per_cpu,
	NULL,
};

static int cpuspeed_init(struct krg_probe *probe)
{
	struct cpuspeed_probe *cs = krg_probe_priv(probe);

	cs->khz = kcalloc(nr_cpu_ids, sizeof(*cs->khz), GFP_KERNEL);
	return cs->khz ? 0 : -ENOMEM;
}

static void cpuspeed_exit(struct krg_probe *probe)
{
	struct cpuspeed_probe *cs = krg_probe_priv(probe);

	kfree(cs->khz);
}

KRG_PROBE_MODULE(cpuspeed_probe,
		 .sources = cpuspeed_sources,
		 .attrs = cpuspeed_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct cpuspeed_probe),
		 .init = cpuspeed_init,
		 .exit = cpuspeed_exit,
		 .measure = cpuspeed_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: online CPUs per node and CPU speeds in kHz");
