#!/bin/sh
# Two guests (corosync's two_node: 1): cut apart, both halves stay quorate
# and both may change the tree. What protects it: at the merge the two
# epochs tie, and the lower node id's tree wins (tools/krgd/tree.c). Node
# 0's change is on both, node 1's is gone, and node 1 says so (krgadm
# cluster status, the kernel log); node 0 has nothing to say.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
. /krg/lib/tree.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/tree_two_node
tap_plan 12

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "both nodes online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-1 ]"
krg_load krg_scheduler
check "the front is mounted" wait_until 60 cluster_front_up
mkdir -p $S
cluster_barrier ready > /dev/null
[ $me = 0 ] && mkdir $C/schedulers/both
check "a scheduler made before the split is on both" wait_until 30 test -d $C/schedulers/both
cluster_barrier made > /dev/null

[ $me = 0 ] && cluster_host cut 2
check "cut apart: each alone" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = $me ]"
check "... and still quorate (two_node)" wait_until 30 cluster_quorate
check "so the tree is writable here: mkdir side$me" mkdir $C/schedulers/side$me
cluster_barrier split 2 > /dev/null
[ $me = 0 ] && { dump > $S/node0 2>&1; cluster_host join 2; }
check "merged: both online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-1 ]"
check "both have node 0's tree (the lower node id wins)" wait_until 60 same_as node0
same_as node0 || show_diff node0
if [ $me = 1 ]; then
	check "node 1 says its changes since the split are lost" wait_until 30 sh -c \
		"krgadm cluster status | grep -q '^tree: at the merge, the tree of node 0 replaced this one.*lost'"
	check "... in the kernel log too" sh -c "dmesg | grep -q 'krg_scheduler tree: at the merge'"
else
	check "node 0 has nothing to say" wait_until 30 sh -c "! krgadm cluster status | grep -q '^tree:'"
	check "(node 1 lost its changes)" true
fi
krgadm cluster status | sed 's/^/# /'
cluster_barrier merged > /dev/null
[ $me = 0 ] && rmdir $C/schedulers/both $C/schedulers/side0
wait_until 60 sh -c "[ -z \"\$(ls $C/schedulers)\" ]"
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
# corosync_conf, after this in its cluster, starts without krg.ko
check "krg_scheduler.ko and krg.ko unload" sh -c "rmmod krg_scheduler && rmmod krg"
tap_done
