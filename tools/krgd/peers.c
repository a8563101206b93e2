// SPDX-License-Identifier: GPL-2.0
/*
 * peers.c - the channel's peer table from corosync's nodelist (cmap):
 * nodelist.node.X.nodeid and nodelist.node.X.ring0_addr, X = 0, 1, ...
 * as corosync numbers them; krg node id = nodeid - 1, the address
 * resolved with getaddrinfo(). Shared by krgd and krgchan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/cmap.h>
#include "channel.h"
#include "peers.h"

int chan_peers_from_cmap(cmap_handle_t cmap, struct chan_peers *p,
			 char *err, size_t errlen)
{
	int n = 0;

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < CHAN_MAX_NODES; i++) {
		char key[64], *addr = NULL;
		uint32_t id;
		int r;

		snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
		if (cmap_get_uint32(cmap, key, &id) != CS_OK)
			break;
		if (id < 1 || id > CHAN_MAX_NODES) {
			snprintf(err, errlen, "corosync nodeid %u (nodelist.node.%d) is outside 1..%d",
				 id, i, CHAN_MAX_NODES);
			return -1;
		}
		snprintf(key, sizeof(key), "nodelist.node.%d.ring0_addr", i);
		if (cmap_get_string(cmap, key, &addr) != CS_OK) {
			snprintf(err, errlen, "corosync's nodelist.node.%d (nodeid %u) has no ring0_addr",
				 i, id);
			return -1;
		}
		r = chan_peer_set(p, id - 1, addr, err, errlen);
		free(addr);
		if (r)
			return -1;
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "corosync has no nodelist (nodelist.node.0.nodeid)");
		return -1;
	}
	return n;
}
