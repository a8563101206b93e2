#!/bin/sh
# CRIU by hand between two guests, as CLUSTER.md's recipe: node 0 dumps a
# job leaving it stopped (criu dump -s) with its pages to node 1's page
# server, the other images through /shared; node 1 restores it stopped
# (criu restore -d -S), node 0 kills its original, node 1 lets the copy
# run: same pid, it goes on writing to its file. Prints the times (the
# raw figures bench/README.md compares migrate with); not in the suite.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
tap_plan 6
me=$((KRG_NODE_ID - 1))
S=/shared/criu_raw
if [ $me = 0 ]; then
	rm -rf $S; mkdir -p $S/img
fi
check "criu check" sh -c 'criu check > /tmp/criu-check.log 2>&1 || { sed "s/^/# /" /tmp/criu-check.log; false; }'
cluster_barrier ready > /dev/null
if [ $me = 1 ]; then
	criu page-server -D $S/img --address 10.77.0.2 --port 7080 > /tmp/ps.log 2>&1 &
	sleep 1
	echo ps > $S/ps-up
fi
if [ $me = 0 ]; then
	setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i >> /shared/criu_raw/out; sleep 0.2; done' < /dev/null > /dev/null 2>&1 &
	job=$!
	echo $job > $S/pid
	sleep 1
	wait_until 30 test -e $S/ps-up
	t0=$(cluster_now)
	check "dump -s to node 1's page server" sh -c "criu dump -t $job -s -D $S/img --page-server --address 10.77.0.2 --port 7080 -o dump.log > /dev/null 2>&1 || { sed 's/^/# /' $S/img/dump.log | tail -20; false; }"
	t1=$(cluster_now)
	echo "# dump: $t0 -> $t1"
	grep -q . $S/pid
	echo dumped > $S/dumped
	wait_until 60 test -e $S/restored
	kill -9 $job
	echo killed > $S/killed
	skip "restore runs on node 1"
	skip "same pid"
	n=$(wc -l < $S/out)
	check "the job goes on writing from node 1" wait_until 30 sh -c "[ \$(wc -l < $S/out) -gt $((n + 3)) ]"
else
	wait_until 60 test -e $S/dumped
	job=$(cat $S/pid)
	t0=$(cluster_now)
	check "restore -d -S on node 1" sh -c "criu restore -d -S -D $S/img -o restore.log > /dev/null 2>&1 || { sed 's/^/# /' $S/img/restore.log | tail -20; false; }"
	t1=$(cluster_now)
	echo "# restore: $t0 -> $t1"
	echo restored > $S/restored
	wait_until 30 test -e $S/killed
	kill -CONT $job
	check "same pid $job, running here" sh -c "grep -q '^State:.*[RS]' /proc/$job/status"
	skip "dump"
	n=$(wc -l < $S/out)
	check "the job goes on writing" wait_until 30 sh -c "[ \$(wc -l < $S/out) -gt $((n + 3)) ]"
	kill -9 $job
fi
cluster_barrier done > /dev/null
tap_done
