// SPDX-License-Identifier: GPL-2.0
/*
 * ewma_filter: an exponentially weighted moving average of each node's
 * value, to smooth a noisy probe. Not in Kerrighed (its policies smoothed
 * inside the probes); new here.
 *
 *   port    source  u64, the value to smooth
 *   output  u64     per node: that node's average; local (no node): the
 *                   local node's average; -EAGAIN until a node has a sample
 *   attr    weight  permille of a new sample, 1..1000 (default 250: a
 *                   sample's weight halves in about 2.4 samples);
 *                   1000 passes the last sample through
 *           samples ro: samples folded in so far (every node together)
 *
 * Samples are taken on pushes only, so the time constant is counted in the
 * source's publications (probe periods), never in pulls: on each push of
 * the source, the value of every online node that has one is folded in,
 * then the filter republishes (if some node had a sample). A node's first
 * sample starts its average; a node that goes offline loses it. Pulls read
 * the averages and never change them.
 *
 * Arithmetic, exact and in integers: the state is S = 1000 * average, kept
 * as an integer part and thousandths so that no value overflows. With w the
 * weight and v the sample:
 *	S' = w * v + floor((1000 - w) * S / 1000)
 * and the output is round(S / 1000), halves up. The first sample sets
 * S = 1000 * v. A constant input v is reached exactly (for w >= 2).
 */
#include <linux/bitmap.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <krg/sched.h>

#define EWMA_SCALE		1000U
#define EWMA_WEIGHT_DEFAULT	250U

struct ewma_filter {
	spinlock_t lock;		/* protects the averages */
	DECLARE_BITMAP(valid, KRG_MAX_NODES);
	u64 whole[KRG_MAX_NODES];	/* S / 1000 */
	u16 milli[KRG_MAX_NODES];	/* S % 1000 */
	unsigned int weight;		/* permille; READ_ONCE */
	atomic64_t samples;
};

static const struct krg_port_desc ewma_source = {
	.name = "source", .type = &krg_type_u64,
};

static const struct krg_port_desc *const ewma_ports[] = {
	&ewma_source,
	NULL,
};

static struct ewma_filter *ewma_of(struct config_item *item)
{
	return krg_filter_priv(krg_filter_from_item(item));
}

/* x * m = EWMA_SCALE * *q + *r, exactly, for m <= EWMA_SCALE. */
static void ewma_mul(u64 x, u32 m, u64 *q, u32 *r)
{
	u32 xr;
	u64 xq = div_u64_rem(x, EWMA_SCALE, &xr);

	/* xq * m <= x: no overflow; xr * m < EWMA_SCALE^2. */
	*q = xq * m + (xr * m) / EWMA_SCALE;
	*r = (xr * m) % EWMA_SCALE;
}

/* Fold sample @v into node @node's average. Under ef->lock. */
static void ewma_fold(struct ewma_filter *ef, int node, u64 v, u32 w)
{
	u32 keep = EWMA_SCALE - w, r1, r2, t;
	u64 q1, q2;

	if (!test_bit(node, ef->valid)) {
		ef->whole[node] = v;
		ef->milli[node] = 0;
		__set_bit(node, ef->valid);
		return;
	}
	ewma_mul(v, w, &q1, &r1);
	ewma_mul(ef->whole[node], keep, &q2, &r2);
	t = r1 + r2 + (keep * ef->milli[node]) / EWMA_SCALE;
	ef->whole[node] = q1 + q2 + t / EWMA_SCALE;
	ef->milli[node] = t % EWMA_SCALE;
}

static ssize_t ewma_filter_weight_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(ewma_of(item)->weight));
}

static ssize_t ewma_filter_weight_store(struct config_item *item,
					const char *page, size_t count)
{
	unsigned int w;
	int ret;

	ret = kstrtouint(page, 0, &w);
	if (ret) {
		pr_notice_ratelimited("%s: weight: '%.32s' is not a number\n",
				      config_item_name(item), page);
		return ret;
	}
	if (w < 1 || w > EWMA_SCALE) {
		pr_notice_ratelimited("%s: weight %u out of range 1..%u permille\n",
				      config_item_name(item), w, EWMA_SCALE);
		return -ERANGE;
	}
	WRITE_ONCE(ewma_of(item)->weight, w);
	return count;
}
CONFIGFS_ATTR(ewma_filter_, weight);

static ssize_t ewma_filter_samples_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&ewma_of(item)->samples));
}
CONFIGFS_ATTR_RO(ewma_filter_, samples);

static struct configfs_attribute *ewma_attrs[] = {
	&ewma_filter_attr_weight,
	&ewma_filter_attr_samples,
	NULL,
};

static void ewma_update(struct krg_filter *filter, struct krg_port *port)
{
	struct ewma_filter *ef = krg_filter_priv(filter);
	u32 w = READ_ONCE(ef->weight);
	struct krg_nodemask online;
	unsigned long flags;
	bool any = false;
	int node;
	u64 v;

	krg_nodes_online(&online);
	for (node = 0; node < KRG_MAX_NODES; node++) {
		if (!test_bit(node, online.bits)) {
			if (test_bit(node, ef->valid)) {
				spin_lock_irqsave(&ef->lock, flags);
				__clear_bit(node, ef->valid);
				spin_unlock_irqrestore(&ef->lock, flags);
			}
			continue;
		}
		if (krg_port_get_node_value(port, node, &v, 1, NULL, 0) != 1)
			continue;
		spin_lock_irqsave(&ef->lock, flags);
		ewma_fold(ef, node, v, w);
		spin_unlock_irqrestore(&ef->lock, flags);
		atomic64_inc(&ef->samples);
		any = true;
	}
	if (any)
		krg_filter_publish(filter);
}

static int ewma_get_node_value(struct krg_filter *filter, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr)
{
	struct ewma_filter *ef = krg_filter_priv(filter);
	unsigned long flags;
	int ret = -EAGAIN;
	u64 v;

	if (!krg_node_valid(node))
		return -EINVAL;
	spin_lock_irqsave(&ef->lock, flags);
	if (test_bit(node, ef->valid)) {
		v = ef->whole[node];
		if (ef->milli[node] >= EWMA_SCALE / 2 && v != U64_MAX)
			v++;
		*(u64 *)out = v;
		ret = 1;
	}
	spin_unlock_irqrestore(&ef->lock, flags);
	return ret;
}

static int ewma_get_value(struct krg_filter *filter, void *out,
			  unsigned int nr, const void *in, unsigned int in_nr)
{
	return ewma_get_node_value(filter, krg_local_node(), out, nr, in,
				   in_nr);
}

static int ewma_init(struct krg_filter *filter)
{
	struct ewma_filter *ef = krg_filter_priv(filter);

	spin_lock_init(&ef->lock);
	ef->weight = EWMA_WEIGHT_DEFAULT;
	return 0;
}

KRG_FILTER_MODULE(ewma_filter,
		  .ports = ewma_ports,
		  .type = &krg_type_u64,
		  .attrs = ewma_attrs,
		  .priv_size = sizeof(struct ewma_filter),
		  .init = ewma_init,
		  .update = ewma_update,
		  .get_value = ewma_get_value,
		  .get_node_value = ewma_get_node_value);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched ewma_filter: per-node exponentially weighted moving average");
