#!/bin/sh
# Migrations that fail (issue 17), each checking the invariant: the job
# runs on exactly one node, the one it ran on before, and goes on writing.
#  - the target's agent killed during the dump: aborted, the original goes
#    on; the agent started again leaves no copy there;
#  - the target without room for the images (its /run filled): refused
#    before anything is frozen, saying so;
#  - the target guest killed during the dump (its qemu stopped): aborted,
#    the original goes on.
# Node 0 is the source, node 1 and node 2 the targets. Last in its
# cluster: node 2 is killed.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/migrate_faults
OUT=$S/out
case $me in
0) tap_plan 12 ;;
1) tap_plan 7 ;;
*) tap_plan 3 ;;
esac

where() { cluster_where "$@"; }
# runs_here_only STEP NODES: (node 0) the job runs here, and on none of NODES
runs_here_only() {
	_step=$1; shift
	[ "$(where "$job")" = runs ] || return 1
	for _n in "$@"; do
		wait_until 30 test -e $S/where.$_step.$_n || return 1
		echo "# $_step: node $_n: $(cat $S/where.$_step.$_n)"
		[ "$(cat $S/where.$_step.$_n)" = none ] || return 1
	done
}
goes_on() {
	_n=$(wc -l < $OUT)
	wait_until 30 sh -c "[ \$(wc -l < $OUT) -gt $((_n + 2)) ]"
}
# in_flight: a migration's images are being received here
in_flight() { ls /run/krgd/moves 2>/dev/null | grep -q '^in-'; }

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
if [ $me = 0 ]; then
	rm -rf $S; mkdir -p $S
	wait_until 30 sh -c '[ $(cat /proc/sys/kernel/pid_max) -ge 4194304 ]'
	echo 2000000 > /proc/sys/kernel/ns_last_pid
	# 48 MiB: its dump takes long enough to be cut in the middle (more
	# and corosync is out of memory in these 384 MiB guests)
	setsid /krg/tests/migjob 48 0 > $OUT 2>&1 < /dev/null &
	job=$!
	echo $job > $S/pid
	wait_until 60 grep -q "^round 1 " $OUT
	krgcapset -k $job -p +CAN_MIGRATE -e +CAN_MIGRATE
fi
cluster_barrier started > /dev/null
job=$(cat $S/pid)

# 1. the target's agent killed in the middle
if [ $me = 1 ]; then
	check "a migration comes here" wait_until 120 in_flight
	kill -9 "$(cat /run/krgd.pid)"
	check "... its agent killed" wait_until 10 sh -c "! kill -0 $(cat /run/krgd.pid) 2>/dev/null"
	cluster_barrier agent_killed > /dev/null
	cluster_krgd_cleanup
	krgd -f -v > /tmp/krgd.log 2>&1 &
	echo $! > /run/krgd.pid
	check "the agent started again" wait_until 60 grep -q '^membership fresh' /sys/kernel/krg/cluster
	check "... leaves no copy of the job here" wait_until 30 sh -c "[ ! -d /proc/$job ]"
	where $job > $S/where.agent.1
elif [ $me = 0 ]; then
	out=$(migrate $job 1 2>&1)
	check "migrate with the target's agent killed: fails ($out)" [ $? != 0 ]
	cluster_barrier agent_killed > /dev/null
	check "... the job runs here only" runs_here_only agent 1
	check "... and goes on" goes_on
else
	cluster_barrier agent_killed > /dev/null
fi
cluster_barrier fault1 > /dev/null

# 2. no room for its images on the target
if [ $me = 1 ]; then
	wait_until 60 grep -q '^membership fresh' /sys/kernel/krg/cluster
	free=$(df -k /run | awk 'NR==2 {print $4}')
	dd if=/dev/zero of=/run/fill bs=1k count=$((free - 20 * 1024)) 2> /dev/null
	check "node 1's /run filled (20 MiB left)" [ "$(df -k /run | awk 'NR==2 {print $4}')" -lt 30000 ]
fi
cluster_barrier full > /dev/null
if [ $me = 0 ]; then
	out=$(migrate $job 1 2>&1)
	check "migrate to a node without room: refused ($out)" sh -c "echo '$out' | grep -q 'no room for its images on node 1'"
	echo none > $S/where.full.1.tmp
fi
cluster_barrier refused_full > /dev/null
if [ $me = 1 ]; then
	where $job > $S/where.full.1
	rm -f /run/fill
fi
if [ $me = 0 ]; then
	check "... the job runs here only" runs_here_only full 1
	check "... and goes on" goes_on
fi

# 3. the target guest killed in the middle
cluster_barrier fault3 > /dev/null
if [ $me = 2 ]; then
	check "a migration comes here" wait_until 120 in_flight
	echo "# node 2 killed amid the migration"
	cluster_host kill $KRG_NODE_ID
	sleep 60
elif [ $me = 0 ]; then
	t0=$(cluster_now)
	out=$(migrate $job 2 2>&1)
	check "migrate with the target guest killed: fails ($out)" [ $? != 0 ]
	echo "# the original ran again $(echo "$(cluster_now) - $t0" | bc 2>/dev/null || echo "?") s after the migrate began"
	echo none > $S/where.killed.2
	check "... the job runs here only" runs_here_only killed 2
	check "... and goes on" goes_on
	kill -TERM $job
	wait $job
	check "... and ends as it should (143)" [ $? = 143 ]
	check "its memory held (no BAD round)" sh -c "! grep -q BAD $OUT"
fi
[ "$_tap_fail" = 0 ] || sed 's/^/# krgd: /' /tmp/krgd.log | grep -i "move\|criu\|ghost" | tail -40
tap_done
