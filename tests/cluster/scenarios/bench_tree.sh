#!/bin/sh
# The replicated tree's figures (issue 16; bench/README.md), not in the
# suite: tests/cluster/run -n 3 --timeout 1200 bench_tree
# Through krgd's own front (tools/krgd/front.c), in one run, `# ...` lines
# from node 0 unless said (median / p90, system call to return):
#   (a) the CPG AGREED round trip (multicast to own delivery), node 0 alone;
#   (b) mkdir+rmdir of a scheduler in krgd's private configfs mount
#       (local, not replicated: one machine's cost);
#   (c) the same through the front, ordered and applied on the 3 nodes,
#       from node 0 alone, then from nodes 0 and 1 at once (throughput);
#   (d) an attribute write, directly and through the front.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
C=$KRG_CFS
L=/run/krgd/cfs/krg_scheduler
B=/krg/bench/replication_bench
N=${BENCH_COUNT:-200}
me=$((KRG_NODE_ID - 1))
tap_plan 5

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
check "the front is up" wait_until 60 cluster_front_up
cluster_barrier ready > /dev/null

# (a) CPG round trips; nodes 1 and 2 only stay in the group.
case $me in
0) $B cpg krg_bench_rtt agreed "$N" 1 3 ;;
*) $B cpg krg_bench_rtt agreed 0 1 3 ;;
esac
cluster_barrier rtt > /dev/null
if [ $me = 0 ]; then
	$B lat $L/schedulers "$N" l_ | sed 's/^# /# (b) local (private mount): /'
	$B lat $C/schedulers "$N" r_ | sed 's/^# /# (c) replicated, node 0 alone: /'
fi
cluster_barrier alone > /dev/null
case $me in
0|1) $B lat $C/schedulers "$N" "r${me}_" | sed "s/^# /# (c) replicated, nodes 0 and 1 at once, node $me: /" ;;
esac
cluster_barrier both > /dev/null
if [ $me = 0 ]; then
	mkdir $C/schedulers/w
	$B wr $L/schedulers/w/node_set_exclusive "$N" 0 | sed 's/^# /# (d) local: /'
	$B wr $C/schedulers/w/node_set_exclusive "$N" 0 | sed 's/^# /# (d) replicated: /'
	rmdir $C/schedulers/w
fi
check "no scheduler left" wait_until 60 sh -c "[ -z \"\$(ls $C/schedulers)\" ]"
cluster_barrier done > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
check "krgd stopped" true
tap_done
