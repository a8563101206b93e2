// SPDX-License-Identifier: GPL-2.0
/*
 * The tags of krgd's state exchanges: FNV-1a (64 bits) and a CPG group's
 * configuration in one order on every member (admin.c's and tree.c's
 * rounds, snapshot.c's hash).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "krgd.h"

uint64_t krgd_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct cpg_address *x = a, *y = b;

	if (x->nodeid != y->nodeid)
		return x->nodeid < y->nodeid ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int krgd_cpg_config(struct cpg_address *cfg, const struct cpg_address *members,
		    size_t n, uint64_t *tag)
{
	uint64_t h = KRGD_FNV_INIT;

	if (n > CPG_MEMBERS_MAX)
		n = CPG_MEMBERS_MAX;
	memcpy(cfg, members, n * sizeof(*cfg));
	qsort(cfg, n, sizeof(*cfg), addr_cmp);
	for (size_t i = 0; i < n; i++) {
		uint32_t v[2] = { cfg[i].nodeid, cfg[i].pid };

		h = krgd_fnv(h, v, sizeof(v));
	}
	*tag = h;
	return (int)n;
}
