#!/bin/sh
# A benchmark, not in the suite (bench/README.md):
#   tests/cluster/run --token 1000 -n 3 bench_membership
# 1. Membership formed after boot: when corosync's own view holds every
#    node, and when krg.ko's online set does (krg.ko and krgd started at
#    once, right after corosync), both in seconds since boot; the ratio is
#    the figure (goal <= 1.2).
# 2. A node killed (the last one): when the first node's corosync drops it
#    and when its online set does, from the kill it asked for (its own
#    clock: guests' clocks are not comparable); the figure is krg.ko's
#    time (goal <= 2.5 s at token 1000).
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
all="0-$((KRG_NODES - 1))"
want=$(seq 1 "$KRG_NODES" | tr '\n' ' ' | sed 's/ $//')
tap_plan 2

cluster_krg_up
tc= tk=
i=0
while [ $i -lt 1500 ] && { [ -z "$tc" ] || [ -z "$tk" ]; }; do
	[ -z "$tc" ] && [ "$(cluster_members)" = "$want" ] && tc=$(cluster_now)
	[ -z "$tk" ] && [ "$(cat $K/nodes_online)" = "$all" ] && tk=$(cluster_now)
	sleep 0.05
	i=$((i + 1))
done
check "formed" [ -n "$tc" ] && [ -n "$tk" ]
echo "# formed: corosync at ${tc}s, krg.ko at ${tk}s after boot: ratio $(awk "BEGIN{printf \"%.2f\", $tk/$tc}")"
cluster_barrier ready > /dev/null
last=$KRG_NODES
if [ "$KRG_NODE_ID" = "$last" ]; then
	sleep 600
fi
gone=$(seq 1 $((KRG_NODES - 1)) | tr '\n' ' ' | sed 's/ $//')
less="0-$((KRG_NODES - 2))"
[ "$KRG_NODES" = 2 ] && less=0
[ "$KRG_NODE_ID" = 1 ] && { cluster_now > $CL_SHARED/kill.t0; cluster_host kill "$last"; }
wait_until 10 test -s $CL_SHARED/kill.t0
t0=$(cat $CL_SHARED/kill.t0)
tc= tk=
i=0
while [ $i -lt 1500 ] && { [ -z "$tc" ] || [ -z "$tk" ]; }; do
	[ -z "$tc" ] && [ "$(cluster_members)" = "$gone" ] && tc=$(cluster_now)
	[ -z "$tk" ] && [ "$(cat $K/nodes_online)" = "$less" ] && tk=$(cluster_now)
	sleep 0.05
	i=$((i + 1))
done
check "the killed node dropped" [ -n "$tc" ] && [ -n "$tk" ]
[ "$KRG_NODE_ID" = 1 ] &&
	echo "# node loss (token $KRG_TOKEN_MS ms): corosync $(awk "BEGIN{printf \"%.2f\", $tc - $t0}") s, krg.ko $(awk "BEGIN{printf \"%.2f\", $tk - $t0}") s after the kill"
cluster_barrier done $((KRG_NODES - 1)) > /dev/null
kill "$(cat /run/krgd.pid)"
tap_done
