// SPDX-License-Identifier: GPL-2.0
/*
 * The value cache: one entry per (probe source, possible node), in the
 * source's nodes/<n>/ directory, holding the last value seen for that node
 * and when it was measured. Every per-node read of a probe source goes
 * through it (krg_probe_source_get_value()):
 *
 *  - a node measured on this machine (krg_node_measured(): every node with
 *    the numa backend, this machine with the cluster one) is read where
 *    its value is made, the probe's own read, and that read fills the
 *    entry (at most once per jiffy: the entry is there for its age and for
 *    the agent, the reader gets the fresh value);
 *  - another node's value is the entry's, which the node agent fills with
 *    what that node published (KRG_CMD_VALUE_SET, netlink.c); none yet is
 *    -EAGAIN ("(no value yet)"), a node offline -ENODATA.
 *
 * An entry of a node that goes offline is dropped (the node notifier
 * below), so a value that comes back is a new one. Per-process reads (a
 * source with a parameter) are not cached: a remote one is -EOPNOTSUPP.
 *
 * Locking: each entry is a seqlock. Writers (a measured read, in any
 * context; the agent's command; the drop) take it with interrupts off and
 * write the entry only while its node is online, checked inside the write
 * section: a drop, which runs after nodes.c took the node out of the
 * online set, therefore either follows a fill or sees it refuse. Readers
 * retry; they never block.
 */
#include <linux/jiffies.h>
#include <linux/notifier.h>
#include <linux/string.h>
#include "internal.h"

s16 krg_node_idx[KRG_MAX_NODES] __read_mostly;

void krg_cache_entry_init(struct krg_value_entry *e)
{
	seqlock_init(&e->lock);
	e->nr = 0;
	e->stamp = 0;
}

static unsigned int krg_cache_room(size_t size)
{
	return size && size <= KRG_CACHE_BYTES ? KRG_CACHE_BYTES / size : 0;
}

/*
 * Store @nr values of @size bytes (as many as fit) measured at @stamp
 * (jiffies64) in @node's entry @e, if @node is online. Any context.
 */
void krg_cache_fill(struct krg_value_entry *e, int node, const void *v,
		    unsigned int nr, size_t size, u64 stamp)
{
	unsigned int room = krg_cache_room(size);
	unsigned long flags;

	nr = min(nr, room);
	if (!nr)
		return;
	write_seqlock_irqsave(&e->lock, flags);
	if (krg_node_online(node)) {
		memcpy(e->data, v, nr * size);
		e->nr = nr;
		e->stamp = stamp;
	}
	write_sequnlock_irqrestore(&e->lock, flags);
}

/*
 * Up to @nr values of @size bytes from @e into @out: their count, or
 * -EAGAIN if it holds none; *@stamp (if not NULL) when they were measured.
 * Any context; never blocks.
 */
int krg_cache_read(struct krg_value_entry *e, void *out, unsigned int nr,
		   size_t size, u64 *stamp)
{
	unsigned int seq, n;
	u64 when;

	do {
		seq = read_seqbegin(&e->lock);
		n = min_t(unsigned int, nr, e->nr);
		if (n)
			memcpy(out, e->data, n * size);
		when = e->stamp;
	} while (read_seqretry(&e->lock, seq));
	if (!n)
		return nr ? -EAGAIN : 0;
	if (stamp)
		*stamp = when;
	return n;
}

/* Empty @e. True if it held a value. Any context. */
bool krg_cache_drop(struct krg_value_entry *e)
{
	unsigned long flags;
	bool had;

	write_seqlock_irqsave(&e->lock, flags);
	had = e->nr;
	e->nr = 0;
	write_sequnlock_irqrestore(&e->lock, flags);
	return had;
}

/* How old @e's value is, in ms, or -EAGAIN if it holds none. */
s64 krg_cache_age_ms(struct krg_value_entry *e)
{
	unsigned int seq;
	u64 when;
	u8 nr;

	do {
		seq = read_seqbegin(&e->lock);
		nr = e->nr;
		when = e->stamp;
	} while (read_seqretry(&e->lock, seq));
	if (!nr)
		return -EAGAIN;
	return jiffies64_to_msecs(get_jiffies_64() - when);
}

/* A node gone: its entries go (and subscribers hear of it). Process. */
static int krg_cache_node_event(struct notifier_block *nb,
				unsigned long event, void *data)
{
	if (event == KRG_NODE_OFFLINE)
		krg_probes_drop_node((int)(long)data);
	return NOTIFY_OK;
}

static struct notifier_block krg_cache_nb = {
	.notifier_call = krg_cache_node_event,
};

int krg_cache_init(void)
{
	struct krg_nodemask possible;
	int node, i = 0;

	memset(krg_node_idx, 0xff, sizeof(krg_node_idx));	/* -1 */
	krg_nodes_possible(&possible);
	krg_for_each_node(node, &possible)
		krg_node_idx[node] = i++;
	return krg_nodes_register_notifier(&krg_cache_nb);
}

void krg_cache_uninit(void)
{
	krg_nodes_unregister_notifier(&krg_cache_nb);
}
