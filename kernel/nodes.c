// SPDX-License-Identifier: GPL-2.0
/*
 * The node map: the possible and online node sets, their notifier chain and
 * node lists, kept here whatever the backend; what a node is (which nodes
 * exist, which CPUs make them up, where a task runs, how it moves) is the
 * backend's (struct krg_node_backend, internal.h), selected once at load.
 */
#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/seqlock.h>
#include "internal.h"

/*
 * krg_nodes_lock protects krg_possible and krg_online. The writer is the
 * backend (krg_nodes_set_online(), process context, serialised by the
 * backend); readers take a consistent snapshot and may run in any context.
 * krg_possible is written before any reader exists.
 */
static DEFINE_SEQLOCK(krg_nodes_lock);
static struct krg_nodemask krg_possible;
static struct krg_nodemask krg_online;
/* The nodes measured on this machine (the others: the value cache). */
static struct krg_nodemask krg_measured;

/* The running backend: set by krg_nodes_init(), before anything uses it. */
const struct krg_node_backend *krg_backend __read_mostly;

static BLOCKING_NOTIFIER_HEAD(krg_nodes_chain);

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

bool krg_node_measured(int node)
{
	return krg_node_valid(node) && test_bit(node, krg_measured.bits);
}
EXPORT_SYMBOL_GPL(krg_node_measured);

int krg_local_node(void)
{
	return krg_backend->local_node();
}
EXPORT_SYMBOL_GPL(krg_local_node);

int krg_task_node(struct task_struct *p)
{
	return krg_backend->task_node(p);
}
EXPORT_SYMBOL_GPL(krg_task_node);

const char *krg_backend_name(void)
{
	return krg_backend->name;
}
EXPORT_SYMBOL_GPL(krg_backend_name);

/*
 * For krg.ko's own use (sysfs, migration and placement checks): a node
 * without CPUs here has an empty mask, on which nothing can be placed.
 */
const struct cpumask *krg_node_cpumask(int node)
{
	return krg_backend->node_cpus(node) ?: cpu_none_mask;
}

const struct cpumask *krg_node_cpus(int node)
{
	if (!krg_node_online(node) || !krg_node_measured(node))
		return NULL;
	return krg_backend->node_cpus(node);
}
EXPORT_SYMBOL_GPL(krg_node_cpus);

int krg_node_mem(int node, struct krg_node_mem *out)
{
	if (!krg_node_online(node))
		return -ENODATA;
	if (!krg_node_measured(node))
		return -EOPNOTSUPP;
	return krg_backend->node_mem(node, out);
}
EXPORT_SYMBOL_GPL(krg_node_mem);

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

/**
 * krg_nodes_set_online - the backend's new online set
 * @online: the nodes online now (only possible ones count)
 *
 * Publishes the set, then tells the notifier chain about each node that
 * came or went. Process context; the backend serialises its calls.
 */
void krg_nodes_set_online(const struct krg_nodemask *online)
{
	struct krg_nodemask before, after;
	unsigned long changed[BITS_TO_LONGS(KRG_MAX_NODES)];
	int node;

	bitmap_and(after.bits, online->bits, krg_possible.bits, KRG_MAX_NODES);

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

int krg_nodes_init(void)
{
	int ret;

	if (krg_cluster_selected() && krg_test_nodes_requested()) {
		pr_err("cluster_nodes and test_nodes: one backend at a time\n");
		return -EINVAL;
	}
	krg_backend = krg_cluster_selected() ? &krg_backend_cluster :
					       krg_numa_select();
	bitmap_zero(krg_possible.bits, KRG_MAX_NODES);
	bitmap_zero(krg_online.bits, KRG_MAX_NODES);
	bitmap_zero(krg_measured.bits, KRG_MAX_NODES);
	ret = krg_backend->init(&krg_possible, &krg_measured);
	bitmap_and(krg_measured.bits, krg_measured.bits, krg_possible.bits,
		   KRG_MAX_NODES);
	return ret;
}

void krg_nodes_uninit(void)
{
	krg_backend->uninit();
}
