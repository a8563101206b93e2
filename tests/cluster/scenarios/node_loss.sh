#!/bin/sh
# Three guests; the third is killed (its qemu stopped: a crash). The two
# others mark it offline, stay quorate (2 of 3 votes), a node_set_max_fit
# scheduler drops it, and a scheduler whose node_set names it goes on with
# the others and says which node is offline. The time from the kill to the
# online set without it is printed (bench/README.md reports it; never a
# verdict).
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
C=$KRG_CFS
tap_plan 9

online_is() { [ "$(cat $K/nodes_online)" = "$1" ]; }

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 online_is 0-2
krg_load krg_scheduler
mkdir $C/schedulers/fit $C/schedulers/fixed
echo 1 > $C/schedulers/fit/node_set_max_fit
echo 0-2 > $C/schedulers/fixed/node_set
check "schedulers over 0-2" sh -c "[ \"\$(cat $C/schedulers/fit/node_set)\" = 0-2 ]"
check "every node ready" cluster_barrier ready
if [ "$KRG_NODE_ID" = 3 ]; then
	sleep 600	# killed meanwhile: no verdict expected
fi
if [ "$KRG_NODE_ID" = 1 ]; then
	cluster_now > $CL_SHARED/kill.t0
	cluster_host kill 3
fi
check "node 2 goes offline" wait_until 120 online_is 0-1
t1=$(cluster_now)
wait_until 10 test -s $CL_SHARED/kill.t0
echo "# node 2 seen offline $(awk "BEGIN{printf \"%.1f\", $t1 - $(cat $CL_SHARED/kill.t0)}") s after the kill (token $KRG_TOKEN_MS ms)"
check "... still quorate (2 of 3)" grep -q '^quorate 1' $K/cluster
check "the max_fit scheduler dropped it" [ "$(cat $C/schedulers/fit/node_set)" = 0-1 ]
check "the other keeps its node_set" [ "$(cat $C/schedulers/fixed/node_set)" = 0-2 ]
check "... and says node 2 is offline" grep -q '^offline: node 2 of node_set 0-2$' $C/schedulers/fixed/status
cluster_barrier done 2 > /dev/null
rmdir $C/schedulers/fit $C/schedulers/fixed
kill "$(cat /run/krgd.pid)"
tap_done
