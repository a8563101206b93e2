// SPDX-License-Identifier: GPL-2.0
/*
 * mem_probe: memory of each node, in KB (Kerrighed's ram_total, ram_free).
 *
 * Sources (u64, KB; per node = nodes/<n>/value, local = the node of the CPU
 * that reads):
 *   ram_total  pages the page allocator manages on the node (MemTotal of
 *              /sys/devices/system/node/node<n>/meminfo)
 *   ram_free   free pages on the node (MemFree of the same file)
 * Attribute: the core's cost_ns.
 *
 * Both are read when asked, with krg_node_mem(): krg.ko reads the zone
 * counters that the meminfo file of the NUMA node making up the node sums
 * (atomic reads, no lock), so a read equals that file read at the same
 * moment. The periodic measurement only decides what to publish: a source is
 * published when some node's value differs from the last one published.
 * Nodes without online CPUs, and nodes not measured here, have no value
 * (-ENODATA).
 */
#include <linux/module.h>
#include "krg_probe_util.h"

enum {
	MEM_PROBE_TOTAL,
	MEM_PROBE_FREE,
	MEM_PROBE_NR,
};

struct mem_probe {
	/* Last values published, KB; measure only. */
	u64 last[MEM_PROBE_NR][KRG_MAX_NODES];
};

/* @node's memory, as krg.ko measures it here; -ENODATA if none. Atomic. */
static int mem_probe_read(int node, unsigned int which, u64 *kb)
{
	struct krg_node_mem mem;

	if (krg_node_mem(node, &mem))
		return -ENODATA;
	*kb = which == MEM_PROBE_TOTAL ? mem.total_kb : mem.free_kb;
	return 0;
}

static int mem_probe_node_value(unsigned int which, int node, void *out)
{
	int ret = mem_probe_read(node, which, out);

	return ret ?: 1;
}

static int mem_probe_total_node(struct krg_probe *probe, int node, void *out,
				unsigned int nr, const void *in,
				unsigned int in_nr)
{
	return mem_probe_node_value(MEM_PROBE_TOTAL, node, out);
}

static int mem_probe_total_get(struct krg_probe *probe, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	return mem_probe_node_value(MEM_PROBE_TOTAL, krg_local_node(), out);
}

static int mem_probe_free_node(struct krg_probe *probe, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	return mem_probe_node_value(MEM_PROBE_FREE, node, out);
}

static int mem_probe_free_get(struct krg_probe *probe, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr)
{
	return mem_probe_node_value(MEM_PROBE_FREE, krg_local_node(), out);
}

static const struct krg_source_desc mem_probe_src_total = {
	.name = "ram_total",
	.type = &krg_type_u64,
	.get_value = mem_probe_total_get,
	.get_node_value = mem_probe_total_node,
};

static const struct krg_source_desc mem_probe_src_free = {
	.name = "ram_free",
	.type = &krg_type_u64,
	.get_value = mem_probe_free_get,
	.get_node_value = mem_probe_free_node,
};

/* In the order of the MEM_PROBE_* indexes. */
static const struct krg_source_desc *const mem_probe_sources[] = {
	&mem_probe_src_total,
	&mem_probe_src_free,
	NULL,
};

static void mem_probe_measure(struct krg_probe *probe)
{
	struct mem_probe *mp = krg_probe_priv(probe);
	bool changed[MEM_PROBE_NR] = {};
	struct krg_nodemask possible;
	unsigned int i;
	int node;

	krg_nodes_possible(&possible);
	for (i = 0; i < MEM_PROBE_NR; i++) {
		krg_for_each_node(node, &possible) {
			u64 kb = 0;

			/* An offline node reads as 0: its change is news too. */
			mem_probe_read(node, i, &kb);
			if (kb != mp->last[i][node]) {
				mp->last[i][node] = kb;
				changed[i] = true;
			}
		}
	}

	for (i = 0; i < MEM_PROBE_NR; i++)
		if (changed[i])
			krg_probe_publish(probe, i);
}

KRG_PROBE_MODULE(mem_probe,
		 .sources = mem_probe_sources,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct mem_probe),
		 .measure = mem_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: total and free memory per node (KB)");
