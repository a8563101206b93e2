// SPDX-License-Identifier: GPL-2.0
/*
 * The `numa` and `test` node backends: nodes made of this machine's CPUs.
 *
 * numa: the nodes are this machine's NUMA nodes that have CPUs (id for id).
 * A node is online while at least one of its CPUs is online.
 *
 * test (krg.test_nodes=N, 1 to KRG_MAX_NODES, for benchmarks and tests):
 * N nodes, node n made of the CPUs and memory of the (n mod k)-th of the k
 * NUMA nodes that have CPUs, so that policies can be measured on node sets
 * larger than the machine. Nodes that share a NUMA node share its CPUs: a
 * task runs on the node krg.ko last put it on (migration, distant fork, or
 * its parent's) while it runs on that node's CPUs, else on the first node
 * of the NUMA node it runs on.
 *
 * Both follow CPU hotplug for the online set, migrate by moving a thread
 * group's CPU affinity (migrate.c) and place a child by setting its
 * affinity before it first runs (hooks.c).
 */
#include <linux/cpuhotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/topology.h>
#include <linux/vmstat.h>
#include "internal.h"

static unsigned int test_nodes;
module_param(test_nodes, uint, 0444);
MODULE_PARM_DESC(test_nodes, "test node map of N nodes over the NUMA nodes (0: off)");

/*
 * Testing only: the last M test nodes are measured elsewhere, as another
 * machine's would be: probes get no CPUs or memory for them and their
 * values come from the value cache (filled through the `krg` generic
 * netlink family, as the node agent will). Processes still run on them.
 */
static unsigned int test_remote_nodes;
module_param(test_remote_nodes, uint, 0444);
MODULE_PARM_DESC(test_remote_nodes, "testing: the last M test nodes are measured elsewhere");

/*
 * Testing only: the test backend completes distant fork placements from a
 * worker this many ms after the fork instead of at once, so that the tests
 * see a child held until its placement completes (krg.place_wait_ms), as
 * with a backend that carries placements out elsewhere. 0: at once.
 */
static unsigned int test_place_delay_ms;

static int krg_test_place_delay_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int ms;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	if (ms > 60000)
		return -EINVAL;
	WRITE_ONCE(test_place_delay_ms, ms);
	return 0;
}

static const struct kernel_param_ops krg_test_place_delay_ops = {
	.set = krg_test_place_delay_set,
	.get = param_get_uint,
};
module_param_cb(test_place_delay_ms, &krg_test_place_delay_ops,
		&test_place_delay_ms, 0600);
MODULE_PARM_DESC(test_place_delay_ms,
		 "testing: the test backend completes placements after N ms (0-60000)");

/* The test backend's NUMA nodes with CPUs at load, in order; fixed. */
static int krg_test_base[MAX_NUMNODES];
static int krg_test_nr_base;

static enum cpuhp_state krg_cpuhp_state;

/*
 * Where @p runs: the CPU it last ran on, unless it may not run there any
 * more (its affinity moved, by a migration, while it slept): then its first
 * allowed CPU, where it will run next.
 */
static unsigned int krg_task_cpu(struct task_struct *p)
{
	unsigned int cpu = task_cpu(p);
	const struct cpumask *allowed = READ_ONCE(p->cpus_ptr);

	if (!cpumask_test_cpu(cpu, allowed)) {
		unsigned int first = cpumask_first(allowed);

		if (first < nr_cpu_ids)
			cpu = first;
	}
	return cpu;
}

/* The NUMA node's memory, as si_meminfo_node() counts it. Atomic. */
static int krg_numa_mem_of(int nid, struct krg_node_mem *out)
{
	unsigned long total = 0, free = 0;
	struct pglist_data *pgdat;
	int z;

	if (nid < 0 || nid >= MAX_NUMNODES || !node_online(nid))
		return -ENODATA;
	pgdat = NODE_DATA(nid);
	if (!pgdat)
		return -ENODATA;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		total += zone_managed_pages(zone);
		free += zone_page_state(zone, NR_FREE_PAGES);
	}
	out->total_kb = (u64)total << (PAGE_SHIFT - 10);
	out->free_kb = (u64)free << (PAGE_SHIFT - 10);
	return 0;
}

/* Online set: the nodes with an online CPU other than @leaving. */
static void krg_cpu_nodes_update(unsigned int leaving)
{
	struct krg_nodemask possible, online;
	unsigned int cpu;
	int node;

	krg_nodes_possible(&possible);
	bitmap_zero(online.bits, KRG_MAX_NODES);
	krg_for_each_node(node, &possible) {
		for_each_cpu_and(cpu, krg_node_cpumask(node), cpu_online_mask) {
			if (cpu != leaving) {
				__set_bit(node, online.bits);
				break;
			}
		}
	}
	krg_nodes_set_online(&online);
}

/* CPU hotplug callbacks: process context, serialised by the hotplug lock. */
static int krg_cpu_online(unsigned int cpu)
{
	krg_cpu_nodes_update(nr_cpu_ids);
	return 0;
}

static int krg_cpu_offline(unsigned int cpu)
{
	krg_cpu_nodes_update(cpu);
	return 0;
}

static int krg_cpu_nodes_init(void)
{
	int ret;

	/* The callbacks also run now, on every online CPU: that fills it. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "krg/nodes:online",
				krg_cpu_online, krg_cpu_offline);
	if (ret < 0)
		return ret;
	krg_cpuhp_state = ret;
	return 0;
}

static void krg_cpu_nodes_uninit(void)
{
	cpuhp_remove_state_nocalls(krg_cpuhp_state);
}

/* numa */

static int krg_numa_init(struct krg_nodemask *possible,
			 struct krg_nodemask *measured)
{
	int node;

	if (test_remote_nodes) {
		pr_err("test_remote_nodes=%u needs test_nodes\n",
		       test_remote_nodes);
		return -EINVAL;
	}
	for_each_node_state(node, N_POSSIBLE) {
		if (!krg_node_valid(node)) {
			pr_warn("NUMA node %d is beyond krgsched's %d-node limit; ignored\n",
				node, KRG_MAX_NODES);
			continue;
		}
		__set_bit(node, possible->bits);
	}
	*measured = *possible;
	return krg_cpu_nodes_init();
}

static int krg_numa_local_node(void)
{
	return numa_node_id();
}

static int krg_numa_task_node(struct task_struct *p)
{
	return cpu_to_node(krg_task_cpu(p));
}

static const struct cpumask *krg_numa_node_cpus(int node)
{
	return cpumask_of_node(node);
}

static int krg_numa_node_mem(int node, struct krg_node_mem *out)
{
	return krg_numa_mem_of(node, out);
}

static int krg_numa_numa_node(int node)
{
	return node;
}

static const struct krg_node_backend krg_backend_numa = {
	.name		= "numa",
	.init		= krg_numa_init,
	.uninit		= krg_cpu_nodes_uninit,
	.local_node	= krg_numa_local_node,
	.task_node	= krg_numa_task_node,
	.node_cpus	= krg_numa_node_cpus,
	.node_mem	= krg_numa_node_mem,
	.numa_node	= krg_numa_numa_node,
	.migrate	= krg_affinity_migrate,
	.place_child	= krg_affinity_place_child,
};

/* test */

/* The NUMA node whose CPUs and memory make up @node. */
static int krg_test_numa_of(int node)
{
	return krg_test_base[node % krg_test_nr_base];
}

/* The first node made of NUMA node @nid. */
static int krg_test_node_of_numa(int nid)
{
	int i;

	for (i = 0; i < krg_test_nr_base; i++)
		if (krg_test_base[i] == nid)
			return i % test_nodes;
	return 0;
}

static int krg_test_init(struct krg_nodemask *possible,
			 struct krg_nodemask *measured)
{
	int nid;

	if (test_nodes > KRG_MAX_NODES) {
		pr_err("test_nodes=%u: at most %d\n", test_nodes, KRG_MAX_NODES);
		return -EINVAL;
	}
	for_each_node_state(nid, N_CPU)
		krg_test_base[krg_test_nr_base++] = nid;
	if (!krg_test_nr_base)
		return -ENODEV;
	/* The nodes of this machine's own NUMA nodes stay measured here. */
	if (test_remote_nodes &&
	    test_remote_nodes + krg_test_nr_base > test_nodes) {
		pr_err("test_remote_nodes=%u: at most test_nodes - %d\n",
		       test_remote_nodes, krg_test_nr_base);
		return -EINVAL;
	}
	bitmap_set(possible->bits, 0, test_nodes);
	bitmap_set(measured->bits, 0, test_nodes - test_remote_nodes);
	return krg_cpu_nodes_init();
}

static int krg_test_local_node(void)
{
	return krg_test_node_of_numa(numa_node_id());
}

/* The node krg.ko put @p on, if it still runs there; else the first one. */
static int krg_test_task_node(struct task_struct *p)
{
	int nid = cpu_to_node(krg_task_cpu(p)), node = KRG_NODE_NONE;
	struct krg_task *e;

	rcu_read_lock();
	e = krg_task_find(p);
	if (e)
		node = READ_ONCE(e->node);
	rcu_read_unlock();
	if (node >= 0 && node < test_nodes && krg_test_numa_of(node) == nid)
		return node;
	return krg_test_node_of_numa(nid);
}

static const struct cpumask *krg_test_node_cpus(int node)
{
	return cpumask_of_node(krg_test_numa_of(node));
}

static int krg_test_node_mem(int node, struct krg_node_mem *out)
{
	return krg_numa_mem_of(krg_test_numa_of(node), out);
}

static int krg_test_numa_node(int node)
{
	return krg_test_numa_of(node);
}

/* As numa's, or later from a worker with test_place_delay_ms. */
static void krg_test_place_child(struct krg_request *req,
				 struct task_struct *child, int home)
{
	unsigned int ms = READ_ONCE(test_place_delay_ms);

	if (ms)
		krg_affinity_place_later(req, child, home, ms);
	else
		krg_affinity_place_child(req, child, home);
}

static const struct krg_node_backend krg_backend_test = {
	.name		= "test",
	.init		= krg_test_init,
	.uninit		= krg_cpu_nodes_uninit,
	.local_node	= krg_test_local_node,
	.task_node	= krg_test_task_node,
	.node_cpus	= krg_test_node_cpus,
	.node_mem	= krg_test_node_mem,
	.numa_node	= krg_test_numa_node,
	.migrate	= krg_affinity_migrate,
	.place_child	= krg_test_place_child,
};

bool krg_test_nodes_requested(void)
{
	return test_nodes || test_remote_nodes;
}

/* The backend krg.ko runs with: chosen once, at load, by test_nodes. */
const struct krg_node_backend *krg_numa_select(void)
{
	return test_nodes ? &krg_backend_test : &krg_backend_numa;
}
