// SPDX-License-Identifier: GPL-2.0
/*
 * Node map, `numa` backend: the nodes are this machine's NUMA nodes that
 * have CPUs. A node is online while at least one of its CPUs is online.
 *
 * For benchmarks and tests, krg.test_nodes=N (1 to KRG_MAX_NODES) replaces
 * them with the `test` backend: N nodes, node n backed by the CPUs of the
 * (n mod k)-th of the k NUMA nodes that have CPUs, so that policies can be
 * measured on node sets larger than the machine. Everything else (online
 * state, migration, placement) works as with `numa`.
 */
#include <linux/cpuhotplug.h>
#include <linux/ctype.h>
#include <linux/moduleparam.h>
#include <linux/export.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/topology.h>
#include <linux/workqueue.h>
#include "internal.h"

/*
 * krg_nodes_lock protects krg_possible and krg_online. Writers are the CPU
 * hotplug callbacks (process context, serialised by the hotplug lock);
 * readers take a consistent snapshot and may run in any context.
 */
static DEFINE_SEQLOCK(krg_nodes_lock);
static struct krg_nodemask krg_possible;
static struct krg_nodemask krg_online;

static unsigned int test_nodes;
module_param(test_nodes, uint, 0444);
MODULE_PARM_DESC(test_nodes, "test node map of N nodes over the NUMA nodes (0: off)");

/* With test_nodes: the NUMA nodes with CPUs at load, in order; fixed. */
static int krg_test_base[MAX_NUMNODES];
static int krg_test_nr_base;

/* The NUMA node whose CPUs back @node. */
static int krg_numa_of(int node)
{
	return test_nodes ? krg_test_base[node % krg_test_nr_base] : node;
}

static BLOCKING_NOTIFIER_HEAD(krg_nodes_chain);
static enum cpuhp_state krg_cpuhp_state;

void krg_nodes_possible(struct krg_nodemask *out)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&krg_nodes_lock);
		*out = krg_possible;
	} while (read_seqretry(&krg_nodes_lock, seq));
}
EXPORT_SYMBOL_GPL(krg_nodes_possible);

void krg_nodes_online(struct krg_nodemask *out)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&krg_nodes_lock);
		*out = krg_online;
	} while (read_seqretry(&krg_nodes_lock, seq));
}
EXPORT_SYMBOL_GPL(krg_nodes_online);

bool krg_node_online(int node)
{
	return krg_node_valid(node) && test_bit(node, krg_online.bits);
}
EXPORT_SYMBOL_GPL(krg_node_online);

unsigned int krg_nodes_online_count(void)
{
	return bitmap_weight(krg_online.bits, KRG_MAX_NODES);
}
EXPORT_SYMBOL_GPL(krg_nodes_online_count);

/* The node of NUMA node @nid: with test_nodes, the first one it backs. */
static int krg_node_of_numa(int nid)
{
	int i;

	if (!test_nodes)
		return nid;
	for (i = 0; i < krg_test_nr_base; i++)
		if (krg_test_base[i] == nid)
			return i % test_nodes;
	return 0;
}

int krg_local_node(void)
{
	return krg_node_of_numa(numa_node_id());
}
EXPORT_SYMBOL_GPL(krg_local_node);

/*
 * Where @p runs: the node of the CPU it last ran on, unless it may not run
 * there any more (its affinity moved, by a migration, while it slept): then
 * the node of its first allowed CPU, where it will run next.
 */
int krg_task_node(struct task_struct *p)
{
	unsigned int cpu = task_cpu(p);
	const struct cpumask *allowed = READ_ONCE(p->cpus_ptr);

	if (!cpumask_test_cpu(cpu, allowed)) {
		unsigned int first = cpumask_first(allowed);

		if (first < nr_cpu_ids)
			cpu = first;
	}
	return krg_node_of_numa(cpu_to_node(cpu));
}
EXPORT_SYMBOL_GPL(krg_task_node);

const char *krg_backend_name(void)
{
	return test_nodes ? "test" : "numa";
}
EXPORT_SYMBOL_GPL(krg_backend_name);

const struct cpumask *krg_node_cpumask(int node)
{
	return cpumask_of_node(krg_numa_of(node));
}

int krg_nodes_register_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&krg_nodes_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_nodes_register_notifier);

int krg_nodes_unregister_notifier(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&krg_nodes_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_nodes_unregister_notifier);

/* Decimal digits at @p into @id; their count, or -ERANGE past 3 digits. */
static int krg_parse_id(const char *p, unsigned int *id)
{
	int n;

	*id = 0;
	for (n = 0; isdigit(p[n]); n++) {
		if (n == 3)
			return -ERANGE;
		*id = *id * 10 + (p[n] - '0');
	}
	return n;
}

int krg_nodelist_parse(const char *buf, struct krg_nodemask *out)
{
	struct krg_nodemask tmp;
	const char *p = buf;
	unsigned int a, b;
	int n;

	/*
	 * Strict: "N" or "N-M" (N <= M) items separated by single commas,
	 * an optional trailing newline, nothing else. The empty list is
	 * valid (callers decide whether they accept it).
	 */
	bitmap_zero(tmp.bits, KRG_MAX_NODES);
	if (*p == '\n' && !p[1])
		p++;
	while (*p) {
		if (!isdigit(*p))
			return -EINVAL;
		n = krg_parse_id(p, &a);
		if (n < 0)
			return n;
		p += n;
		b = a;
		if (*p == '-') {
			p++;
			if (!isdigit(*p))
				return -EINVAL;
			n = krg_parse_id(p, &b);
			if (n < 0)
				return n;
			p += n;
		}
		if (a > b)
			return -EINVAL;
		if (b >= KRG_MAX_NODES)
			return -ERANGE;
		bitmap_set(tmp.bits, a, b - a + 1);
		if (*p == ',' && isdigit(p[1]))
			p++;
		else if (*p == '\n' && !p[1])
			p++;
		else if (*p)
			return -EINVAL;
	}
	*out = tmp;
	return 0;
}
EXPORT_SYMBOL_GPL(krg_nodelist_parse);

int krg_nodelist_print(char *buf, size_t len, const struct krg_nodemask *mask)
{
	return scnprintf(buf, len, "%*pbl", KRG_MAX_NODES, mask->bits);
}
EXPORT_SYMBOL_GPL(krg_nodelist_print);

/* Is @node online if @leaving (or nr_cpu_ids for none) goes offline? */
static bool krg_node_has_cpus(int node, unsigned int leaving)
{
	unsigned int cpu;

	for_each_cpu_and(cpu, cpumask_of_node(krg_numa_of(node)), cpu_online_mask)
		if (cpu != leaving)
			return true;
	return false;
}

static void krg_nodes_update(unsigned int leaving)
{
	struct krg_nodemask before, after;
	unsigned long changed[BITS_TO_LONGS(KRG_MAX_NODES)];
	int node;

	bitmap_zero(after.bits, KRG_MAX_NODES);
	krg_for_each_node(node, &krg_possible)
		if (krg_node_has_cpus(node, leaving))
			__set_bit(node, after.bits);

	write_seqlock(&krg_nodes_lock);
	before = krg_online;
	krg_online = after;
	write_sequnlock(&krg_nodes_lock);

	bitmap_xor(changed, before.bits, after.bits, KRG_MAX_NODES);
	for_each_set_bit(node, changed, KRG_MAX_NODES) {
		bool up = test_bit(node, after.bits);

		pr_info("node %d %s\n", node, up ? "online" : "offline");
		blocking_notifier_call_chain(&krg_nodes_chain,
					     up ? KRG_NODE_ONLINE : KRG_NODE_OFFLINE,
					     (void *)(long)node);
	}
}

static int krg_cpu_online(unsigned int cpu)
{
	krg_nodes_update(nr_cpu_ids);
	return 0;
}

static int krg_cpu_offline(unsigned int cpu)
{
	krg_nodes_update(cpu);
	return 0;
}

int krg_nodes_init(void)
{
	int node, ret;

	bitmap_zero(krg_possible.bits, KRG_MAX_NODES);
	if (test_nodes) {
		if (test_nodes > KRG_MAX_NODES) {
			pr_err("test_nodes=%u: at most %d\n", test_nodes,
			       KRG_MAX_NODES);
			return -EINVAL;
		}
		for_each_node_state(node, N_CPU)
			krg_test_base[krg_test_nr_base++] = node;
		if (!krg_test_nr_base)
			return -ENODEV;
		bitmap_set(krg_possible.bits, 0, test_nodes);
		goto online;
	}
	for_each_node_state(node, N_POSSIBLE) {
		if (!krg_node_valid(node)) {
			pr_warn("NUMA node %d is beyond krgsched's %d-node limit; ignored\n",
				node, KRG_MAX_NODES);
			continue;
		}
		__set_bit(node, krg_possible.bits);
	}

online:
	/* The callbacks also run now, on every online CPU: that fills krg_online. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "krg/nodes:online",
				krg_cpu_online, krg_cpu_offline);
	if (ret < 0)
		return ret;
	krg_cpuhp_state = ret;
	return 0;
}

void krg_nodes_uninit(void)
{
	cpuhp_remove_state_nocalls(krg_cpuhp_state);
}
