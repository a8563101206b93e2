#!/bin/sh
# Three guests; the third's link is cut (a partition of 1 from 2): the
# two keep quorum and mark it offline, the third loses quorum and reports
# it (alone online, not quorate). The link back (the partitions merge):
# all three agree again, quorate.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
tap_plan 6

online_is() { [ "$(cat $K/nodes_online)" = "$1" ]; }
quorate_is() { grep -q "^quorate $1" $K/cluster; }

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 online_is 0-2
cluster_barrier ready > /dev/null
[ "$KRG_NODE_ID" = 1 ] && cluster_host cut 3
if [ "$KRG_NODE_ID" = 3 ]; then
	check "cut off: alone online" wait_until 120 online_is 2
	check "... and not quorate" wait_until 30 quorate_is 0
else
	check "the third cut off: 0-1 online" wait_until 120 online_is 0-1
	check "... quorate" quorate_is 1
fi
cluster_barrier split > /dev/null
[ "$KRG_NODE_ID" = 1 ] && cluster_host join 3
check "merged: all three online" wait_until 120 online_is 0-2
check "... quorate" wait_until 60 quorate_is 1
cluster_barrier done > /dev/null
kill "$(cat /run/krgd.pid)"
tap_done
