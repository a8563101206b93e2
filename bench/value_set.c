// SPDX-License-Identifier: GPL-2.0
/*
 * value_set NODE PROBE SOURCE VALUE: what the node agent does when NODE
 * publishes VALUE (a u64) for probes/PROBE/SOURCE: KRG_CMD_VALUE_SET on
 * the generic netlink family "krg". For the benchmarks (bench/cache.sh),
 * to fill a remote node's value cache entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libkrg.h"

int main(int argc, char **argv)
{
	struct krg_genl g;
	char err[256];
	__u64 v;

	if (argc != 5) {
		fprintf(stderr, "usage: value_set NODE PROBE SOURCE VALUE\n");
		return 2;
	}
	v = strtoull(argv[4], NULL, 0);
	if (krg_genl_open(&g)) {
		fprintf(stderr, "value_set: family %s: %s\n", KRG_GENL_NAME,
			strerror(errno));
		return 1;
	}
	if (krg_value_set(&g, atoi(argv[1]), argv[2], argv[3], &v, sizeof(v),
			  0, err, sizeof(err))) {
		fprintf(stderr, "value_set: %s/%s on node %s: %s%s%s\n",
			argv[2], argv[3], argv[1], strerror(errno),
			err[0] ? ": " : "", err);
		krg_genl_close(&g);
		return 1;
	}
	krg_genl_close(&g);
	return 0;
}
