/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KRG_PEERS_H
#define _KRG_PEERS_H

#include <corosync/cmap.h>
#include "channel.h"

/* Fill @p from corosync's nodelist: the number of nodes, or -1 (@err). */
int chan_peers_from_cmap(cmap_handle_t cmap, struct chan_peers *p,
			 char *err, size_t errlen);

#endif /* _KRG_PEERS_H */
