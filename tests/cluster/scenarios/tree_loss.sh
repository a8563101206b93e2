#!/bin/sh
# Nodes 0 and 1 make 200 random changes each while node 2 is killed (its
# qemu stopped) in the middle; the two must end with the same tree, and
# node 2 booted again (KRG_BOOT=2) must get it whole.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
. /krg/lib/tree.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/tree_loss
if [ "${KRG_BOOT:-1}" -gt 1 ]; then
	# node 2, booted again after it was killed: a late node gets the tree
	tap_plan 5
	check "krg.ko in cluster mode, krgd running" cluster_krg_up
	krg_load krg_scheduler
	check "the front is mounted" wait_until 60 cluster_front_up
	check "the tree the writers left is here, whole" wait_until 120 same_as killed
	same_as killed || show_diff killed
	check "krgadm cluster status: nothing wrong with the tree" wait_until 30 sh -c \
		"! krgadm cluster status | grep -q '^tree:'"
	cluster_barrier back > /dev/null
	check "removed here too" wait_until 60 sh -c "[ -z \"\$(ls $C/schedulers)\$(ls $C/probes)\" ]"
	cluster_barrier removed > /dev/null
	cluster_krgd_stop
	cluster_krgd_cleanup
	tap_done
	exit 0
fi

tap_plan 8
check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
check "the front is mounted" wait_until 60 cluster_front_up
mkdir -p $S
cluster_barrier ready > /dev/null
# --- the writers again, node 2 killed in the middle, then booted again ---
if [ $me = 2 ]; then
	sleep 600	# killed meanwhile
fi
killer=
if [ $me = 0 ]; then
	{ sleep 5; cluster_host kill 3; } &
	killer=$!
fi
writers > /tmp/writers.out 2>&1 &
wp=$!
wait_until 240 sh -c "! kill -0 $wp 2>/dev/null"
if kill -0 $wp 2>/dev/null; then
	echo "# the writers are stuck; krgd's log:"
	tail -40 /tmp/krgd.log | sed 's/^/# krgd: /'
	ps | grep -E 'mkdir|rmdir|ln|rm|sh -c' | sed 's/^/# ps: /'
	kill $wp
fi
cat /tmp/writers.out
# (not a bare wait: krgd is a child of this shell too)
wait $wp $killer
check_writers
check "node 2 is gone" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-1 ]"
cluster_barrier written2 2 > /dev/null
[ $me = 0 ] && { sleep 2; dump > $S/killed 2>&1; }
cluster_barrier saved2 2 > /dev/null
check "nodes 0 and 1 have the same tree" wait_until 30 same_as killed
same_as killed || show_diff killed
[ $me = 0 ] && cluster_restart 3 tree_loss
check "node 2 back online" wait_until 300 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
cluster_barrier back > /dev/null
if [ $me = 0 ]; then
	for i in 0 1 2 3; do
		rm -f $C/schedulers/s$i/mosix_load_balancer/process_load/p
		[ ! -d $C/schedulers/s$i/mosix_load_balancer ] || rmdir $C/schedulers/s$i/mosix_load_balancer
		[ ! -d $C/schedulers/s$i ] || rmdir $C/schedulers/s$i
	done
	[ ! -d $C/probes/mosix_probe ] || rmdir $C/probes/mosix_probe
fi
check "removed on every node" wait_until 60 sh -c "[ -z \"\$(ls $C/schedulers)\$(ls $C/probes)\" ]"
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
