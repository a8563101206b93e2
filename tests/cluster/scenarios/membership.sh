#!/bin/sh
# Every guest of the cluster: corosync forms one membership of all the
# nodes, quorate, and every node sees the same members.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
tap_plan 5

all=$(seq 1 "$KRG_NODES" | tr '\n' ' ' | sed 's/ $//')
check "corosync runs" kill -0 "$(cat /run/corosync.pid)"
# A generous bound against a hang: how fast is the benchmark's figure.
check "the membership holds all $KRG_NODES nodes" \
	wait_until 120 sh -c '[ "$(. /krg/lib/cluster.sh; cluster_members)" = "$0" ]' "$all"
check "the cluster is quorate" wait_until 60 cluster_quorate
cluster_members > "$CL_SHARED/members.$KRG_NODE_ID"
check "every node reached the check" cluster_barrier members
same=1
for f in "$CL_SHARED"/members.*; do
	cmp -s "$f" "$CL_SHARED/members.$KRG_NODE_ID" || same=0
done
check "every node sees the same members ($(cat "$CL_SHARED/members.$KRG_NODE_ID"))" [ $same = 1 ]
[ "$(cat "$CL_SHARED/members.$KRG_NODE_ID")" = "$all" ] ||
	sed 's/^/# /' /tmp/corosync.log
# Nobody leaves before everyone has looked.
cluster_barrier done > /dev/null
tap_done
