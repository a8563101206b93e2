// SPDX-License-Identifier: GPL-2.0
/* mem_avail_probe: this machine's available memory, in KB. */
#include <linux/mm.h>
#include <linux/module.h>
#include <krg/sched.h>

#define MEM_AVAIL_NONE	U64_MAX		/* not measured yet */

struct mem_avail {
	u64 kb;		/* written by measure, read anywhere: *_ONCE */
};

/* Every probe_period ms, in a workqueue: measure, publish if it changed. */
static void mem_avail_measure(struct krg_probe *probe)
{
	struct mem_avail *ma = krg_probe_priv(probe);
	u64 kb = (u64)si_mem_available() << (PAGE_SHIFT - 10);

	if (kb != READ_ONCE(ma->kb)) {
		WRITE_ONCE(ma->kb, kb);
		krg_probe_publish(probe, 0);	/* source 0 changed */
	}
}

/* A read of the value (a port pulling, or cat .../kb/value). Atomic. */
static int mem_avail_get(struct krg_probe *probe, void *out, unsigned int nr,
			 const void *in, unsigned int in_nr)
{
	struct mem_avail *ma = krg_probe_priv(probe);
	u64 kb = READ_ONCE(ma->kb);

	if (kb == MEM_AVAIL_NONE)
		return -EAGAIN;			/* "(no value yet)" */
	*(u64 *)out = kb;
	return 1;				/* one value written */
}

static const struct krg_source_desc mem_avail_kb = {
	.name = "kb",
	.type = &krg_type_u64,
	.get_value = mem_avail_get,
};

static const struct krg_source_desc *const mem_avail_sources[] = {
	&mem_avail_kb,
	NULL,
};

static int mem_avail_init(struct krg_probe *probe)
{
	struct mem_avail *ma = krg_probe_priv(probe);

	ma->kb = MEM_AVAIL_NONE;
	return 0;
}

KRG_PROBE_MODULE(mem_avail_probe,
		 .sources = mem_avail_sources,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct mem_avail),
		 .init = mem_avail_init,
		 .measure = mem_avail_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched example probe: available memory (KB)");
