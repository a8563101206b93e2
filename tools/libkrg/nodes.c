// SPDX-License-Identifier: GPL-2.0
/*
 * nodes.c - node information from KRG_SYSFS_DIR.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libkrg.h"

/* Enough for the longest list of KRG_MAX_NODES ids ("0,2,4,...,254"). */
#define NODELIST_MAX	1024

static int read_nodelist(const char *name, unsigned long *mask)
{
	char buf[NODELIST_MAX];

	if (krg_sysfs_read(name, buf, sizeof(buf)))
		return -1;
	if (krg_nodelist_parse(buf, mask)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int krg_nodes_online(unsigned long *mask)
{
	return read_nodelist("nodes_online", mask);
}

int krg_nodes_possible(unsigned long *mask)
{
	return read_nodelist("nodes_possible", mask);
}

int krg_nodes_present(unsigned long *mask)
{
	return read_nodelist("nodes_present", mask);
}

int krg_local_node(void)
{
	char buf[32];
	long long v;

	if (krg_sysfs_read("local_node", buf, sizeof(buf)))
		return -1;
	if (krg_parse_num(buf, 0, KRG_MAX_NODES - 1, &v)) {
		errno = EPROTO;
		return -1;
	}
	return v;
}

int krg_node_cpulist(int node, char *buf, size_t len)
{
	char name[32];

	if (node < 0 || node >= KRG_MAX_NODES) {
		errno = EINVAL;
		return -1;
	}
	snprintf(name, sizeof(name), "node%d/cpulist", node);
	return krg_sysfs_read(name, buf, len);
}
