#!/bin/sh
# The legacy MOSIX set-up on three machines (issue 17): examples/mosix.cfg
# applied on node 0 (the tree is every node's), six CPU-bound jobs started
# on node 0 with CAN_MIGRATE; mosix_load_balancer moves some of them to the
# other machines through krgd, as `migrate` does. They end up spread over
# the machines (nodes 1 and 2 get some; node 0 may keep none: what left it
# does not come back, its ghosts hold the pids there), each running on
# exactly one node, and every one finishes with a correct result (its memory checked all along), its exit
# status reaching node 0's shell through its ghost.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/migrate_mosix
case $me in
0) tap_plan 8 ;;
*) tap_plan 4 ;;
esac
where() { cluster_where "$@"; }
# runs_here: how many of the jobs run on this node
runs_here() {
	_n=0
	for _p in $(cat $S/pids); do
		[ "$(where $_p)" = runs ] && _n=$((_n + 1))
	done
	echo $_n
}

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
cluster_barrier front > /dev/null
if [ $me = 0 ]; then
	rm -rf $S; mkdir -p $S
	check "the legacy MOSIX set-up applies (examples/mosix.cfg)" krgsched apply /krg/examples/mosix.cfg
	echo 4000000 > /proc/sys/kernel/ns_last_pid
	for i in 1 2 3 4 5 6; do
		setsid /krg/tests/migjob 2 90 busy > $S/out.$i 2>&1 < /dev/null &
		echo $! >> $S/pids.tmp
		krgcapset -k $! -p +CAN_MIGRATE -e +CAN_MIGRATE
	done
	mv $S/pids.tmp $S/pids
	check "six CPU-bound jobs run here" [ "$(runs_here)" = 6 ]
else
	check "node 0's set-up is here" wait_until 60 test -d $C/schedulers/mosix/mosix_load_balancer
	wait_until 60 test -e $S/pids
fi
# each node says how many run here, until some went to nodes 1 and 2
for t in $(seq 300); do
	runs_here > $S/count.$me.tmp && mv $S/count.$me.tmp $S/count.$me
	[ -s $S/count.1 ] && [ -s $S/count.2 ] && [ "$(cat $S/count.1)" -ge 1 ] &&
		[ "$(cat $S/count.2)" -ge 1 ] && break
	sleep 1
done
cluster_barrier spread > /dev/null
# one census, at once on every node
runs_here > $S/census.$me
cluster_barrier census > /dev/null
c0=$(cat $S/census.0) c1=$(cat $S/census.1) c2=$(cat $S/census.2)
echo "# jobs per node: node 0 $c0, node 1 $c1, node 2 $c2"
check "spread: some on every machine, six in all (each runs once)" \
	sh -c "[ $c1 -ge 1 ] && [ $c2 -ge 1 ] && [ $((c0 + c1 + c2)) = 6 ]"
if [ $me = 0 ]; then
	good=0
	for p in $(cat $S/pids); do
		wait $p && good=$((good + 1))
	done
	check "all six finished with a correct result ($good)" [ $good = 6 ]
	check "no BAD round anywhere" sh -c "! grep -q BAD $S/out.*"
	moved=$(grep -h "to node [12]: done" /tmp/krgd.log | wc -l)
	check "the balancer moved some away ($moved moves from here)" [ "$moved" -ge 2 ]
fi
cluster_barrier done > /dev/null
[ "$me" = 0 ] && krgsched destroy mosix && rmdir $C/probes/mosix_probe $C/probes/migration_probe
wait_until 60 test ! -d $C/probes/migration_probe
cluster_barrier removed > /dev/null
[ "$_tap_fail" = 0 ] || grep -i "move" /tmp/krgd.log | tail -30 | sed 's/^/# krgd: /'
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
