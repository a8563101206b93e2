#!/bin/sh
# Three guests, one tree, and a component module missing on one of them:
# node 2 hides cpuspeed_probe.ko, node 0 makes that probe and mem_probe.
# Node 2 keeps the rest of the tree (mem_probe), reports the change that
# failed there only (krgadm cluster status, the kernel log), while the
# writer's node has nothing to report; once the module is back, node 2's
# next state exchange (asked again, 1 to 60 s apart) gives it the probe,
# and the report goes.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
. /krg/lib/tree.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
tap_plan 10

tree_line() { krgadm cluster status | grep '^tree:'; }
check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
check "the front is mounted" wait_until 60 cluster_front_up
ko=$(find /lib/modules -name cpuspeed_probe.ko | head -n1)
if [ $me = 2 ]; then
	check "cpuspeed_probe.ko hidden on node 2" mv "$ko" "$ko.hidden"
else
	check "(node 2 hides a module)" true
fi
cluster_barrier hidden > /dev/null
[ $me = 0 ] && mkdir $C/probes/cpuspeed_probe $C/probes/mem_probe
check "mem_probe made everywhere" wait_until 30 test -d $C/probes/mem_probe
if [ $me = 2 ]; then
	check "node 2 lacks cpuspeed_probe only" test ! -e $C/probes/cpuspeed_probe
	check "krgadm cluster status names what failed here" wait_until 30 sh -c \
		"krgadm cluster status | grep -q \"^tree: this node differs from the cluster: node 0's tree, 1 part(s) of it failed: mkdir probes/cpuspeed_probe: \""
	check "... and so does the kernel log: the record, then the part" sh -c \
		"dmesg | grep -q 'krg_scheduler tree: record [0-9]* of node 0 (mkdir) failed here (No such file or directory) but was done there' &&
		 dmesg | grep -q \"krg_scheduler tree: node 0's tree, 1 part(s) of it failed: mkdir probes/cpuspeed_probe\""
	tree_line | sed 's/^/# /'
	mv "$ko.hidden" "$ko"
	check "the module back, the next exchange gives node 2 the probe" wait_until 120 \
		test -d $C/probes/cpuspeed_probe
	check "... and nothing is wrong with the tree any more" wait_until 30 sh -c "[ -z \"\$(krgadm cluster status | grep '^tree:')\" ]"
	tree_line | sed 's/^/# /'
else
	check "node $me has both" test -d $C/probes/cpuspeed_probe
	# (a moment "tree: syncing" while node 2 asks for its exchanges)
	check "... and nothing to report" wait_until 30 sh -c "[ -z \"\$(krgadm cluster status | grep '^tree:')\" ]"
	check "(node 2 reports)" true
	check "(node 2 gets the probe)" true
	check "(...)" true
fi
cluster_barrier mended > /dev/null
[ $me = 0 ] && rmdir $C/probes/cpuspeed_probe $C/probes/mem_probe
wait_until 60 sh -c "[ -z \"\$(ls $C/probes)\" ]"
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
