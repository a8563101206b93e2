#!/bin/sh
# A migrated process's terminal and pipes (issue 17): they stay at its
# home, where its ghost writes what the process writes on the node that
# runs it (tools/krgd/relay.c).
#  - a job on a terminal of node 0 (tests/cluster/ptyrun: a session with
#    a pty as its controlling terminal) moves 0 -> 1 -> 2 and ends there:
#    every line it printed reaches that terminal once, in order, with the
#    terminal's own line ends, and the terminal's owner (ptyrun, the
#    parent) gets its exit status after its last line;
#  - a job writing into a pipe (`job | cat > file`) moves to node 1: cat
#    goes on getting its lines, and ends when the job ends;
#  - a job reading from a pipe is refused, saying so, and goes on.
# The invariant holds at every step: it runs on exactly one node.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/migrate_stdio
case $me in
0) tap_plan 18 ;;
1) tap_plan 9 ;;
*) tap_plan 7 ;;
esac

# says TEXT PART: TEXT has PART
says() { case $1 in *"$2"*) ;; *) return 1 ;; esac; }
# lines_from FILE HOST N: FILE got N more lines written from HOST
lines_from() {
	_n=$(grep -c " $2 " "$1")
	wait_until 60 sh -c "[ \$(grep -c ' $2 ' $1) -ge $((_n + $3)) ]"
}
# in_order FILE N: FILE has rounds 1..N, each once, in order
in_order() {
	tr -d '\r' < "$1" | sed -n 's/^round \([0-9]*\) .*/\1/p' > $S/rounds.$me
	seq 1 "$2" | cmp -s - $S/rounds.$me
}

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
ROUNDS=100	# 5 a second: 20 s, time for two moves
if [ $me = 0 ]; then
	rm -rf $S; mkdir -p $S
	wait_until 30 sh -c '[ $(cat /proc/sys/kernel/pid_max) -ge 4194304 ]'
	echo 3000000 > /proc/sys/kernel/ns_last_pid
	/krg/tests/ptyrun $S/tty /krg/tests/migjob 1 $ROUNDS > $S/pid < /dev/null &
	term=$!
	wait_until 10 test -s $S/pid
	job=$(cat $S/pid)
	wait_until 30 grep -q "^round 1 " $S/tty
	krgcapset -k $job -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(migrate --check $job 1 2>&1)
	check "a job on a terminal can migrate ($out)" [ "$out" = "process $job can migrate to node 1" ]
	out=$(migrate $job 1 2>&1)
	check "migrate $job 1: done ($out)" says "$out" "process $job migrated to node 1 in"
fi
cluster_barrier moved1 > /dev/null
job=$(cat $S/pid)
check "after 0 -> 1: it runs on node 1 only" cluster_invariant moved1 1 $job $S
if [ $me = 1 ]; then
	check "... its lines from node 1 reach its terminal on node 0" lines_from $S/tty krg-node2 3
	out=$(migrate $job 2 2>&1)
	check "migrate $job 2 on node 1: done ($out)" says "$out" "process $job migrated to node 2 in"
fi
cluster_barrier moved2 > /dev/null
check "after 1 -> 2: it runs on node 2 only" cluster_invariant moved2 2 $job $S
if [ $me = 2 ]; then
	check "... its lines from node 2 reach its terminal on node 0" lines_from $S/tty krg-node3 3
fi
if [ $me = 0 ]; then
	wait $term
	st=$?
	check "it ends on node 2; its terminal's owner gets its status 0 ($st)" [ $st = 0 ]
	check "... every line reached the terminal once, in order (1..$ROUNDS)" in_order $S/tty $ROUNDS
	crs=$(tr -cd '\r' < $S/tty | wc -c)
	nls=$(wc -l < $S/tty)
	check "... each with the terminal's line end, once: $crs CRs, $nls lines" [ "$crs" = "$nls" ]
	[ "$crs" = "$nls" ] || tr '\r' '#' < $S/tty | grep -v '^[^#]*#$' | sed 's/^/# /' | head -5
	check "... lines came from the three nodes" sh -c \
		"grep -q ' krg-node1 ' $S/tty && grep -q ' krg-node2 ' $S/tty && grep -q ' krg-node3 ' $S/tty"
	check "... and the ghost is gone" sh -c "[ ! -d /proc/$job ]"
fi
cluster_barrier tty_done > /dev/null
w=$(cluster_where $job)
check "after its end: it runs nowhere ($w)" [ "$w" = none ]

# a pipe it writes to
if [ $me = 0 ]; then
	echo 3500000 > /proc/sys/kernel/ns_last_pid
	sh -c "echo \$\$ > $S/ppid; exec setsid /krg/tests/migjob 1 0 < /dev/null 2>&1" | cat > $S/piped &
	pipeline=$!
	wait_until 10 test -s $S/ppid
	p=$(cat $S/ppid)
	wait_until 30 grep -q "^round 1 " $S/piped
	krgcapset -k $p -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(migrate $p 1 2>&1)
	check "a job writing into a pipe migrates ($out)" says "$out" "process $p migrated to node 1 in"
	echo $p > $S/pid2
fi
cluster_barrier piped > /dev/null
p=$(cat $S/pid2)
check "after 0 -> 1: it runs on node 1 only" cluster_invariant piped 1 $p $S
if [ $me = 1 ]; then
	check "... the reader on node 0 gets its lines from node 1" lines_from $S/piped krg-node2 3
fi
cluster_barrier piped_read > /dev/null
if [ $me = 0 ]; then
	kill -TERM $p
	check "SIGTERM to its ghost ends it, and the pipe: cat ends" wait_until 30 sh -c "[ ! -d /proc/$pipeline ]"
	check "... its memory held (no BAD line)" sh -c "! grep -q BAD $S/piped"
	# a pipe it reads from: input does not cross machines
	sleep 600 | sh -c "echo \$\$ > $S/rpid; exec setsid /krg/tests/migjob 1 0 > $S/out3 2>&1" &
	wait_until 10 test -s $S/rpid
	r=$(cat $S/rpid)
	sleep 1
	krgcapset -k $r -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(migrate $r 1 2>&1)
	check "a job reading from a pipe is refused, saying so ($out)" says "$out" "fd 0 is a pipe it reads from"
	w=$(cluster_where $r)
	check "... and goes on here ($w)" [ "$w" = runs ]
	kill $r
	pkill -f "sleep 600"
fi
cluster_barrier end > /dev/null
[ "$_tap_fail" = 0 ] || sed 's/^/# krgd: /' /tmp/krgd.log | grep -i "move\|criu\|ghost\|relay" | tail -40
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
