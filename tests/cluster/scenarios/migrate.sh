#!/bin/sh
# Processes cross machines (issue 17): a job started on node 0 moves to
# node 1 with `migrate PID 1`, then from there to node 2, with CRIU
# through krgd. At every step the job runs on exactly one node (the
# invariant), under the same pid; its memory's checksum holds; it goes on
# writing to its file on /shared; at node 0 its ghost keeps its place: a
# signal sent there reaches it, and the parent's wait() there gets its
# exit status. A return to node 0 (its home, where the ghost holds the
# pid) is refused, saying so. A job without CAN_MIGRATE, another user's
# (migrate run by that user), one with a TCP connection are refused with their reason
# and go on; a pid taken on the target is an abort: the original goes on.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/migrate
OUT=$S/out
case $me in
0) tap_plan 33 ;;
1) tap_plan 14 ;;
*) tap_plan 13 ;;
esac

where() { cluster_where "$@"; }
# invariant STEP NODE: every node says where the job is; it runs on NODE
# and nowhere else, is stopped nowhere (the three views are printed).
invariant() {
	cluster_barrier "$1.a" > /dev/null
	where "$(cat $S/pid)" > $S/where.$1.$me
	cluster_barrier "$1.b" > /dev/null
	_v="$(cat $S/where.$1.0) $(cat $S/where.$1.1) $(cat $S/where.$1.2)"
	echo "# $1: node 0 $(cat $S/where.$1.0), node 1 $(cat $S/where.$1.1), node 2 $(cat $S/where.$1.2)"
	[ "$(echo "$_v" | tr ' ' '\n' | grep -c '^runs$')" = 1 ] &&
		[ "$(cat $S/where.$1.$2)" = runs ] && ! echo "$_v" | grep -q stopped
}
# nowhere PID: PID is no process here
nowhere() { [ "$(where "$1")" = none ]; }
# says TEXT PART: TEXT has PART
says() { case $1 in *"$2"*) ;; *) return 1 ;; esac; }
runs_here() { [ "$(where "$1")" = runs ]; }
# rounds_on HOST N: the job wrote N more rounds from HOST
rounds_on() {
	_n=$(grep -c " $1 " $OUT)
	wait_until 60 sh -c "[ \$(grep -c ' $1 ' $OUT) -ge $((_n + $2)) ]"
}

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
if [ $me = 0 ]; then
	rm -rf $S; mkdir -p $S
	# the guests boot alike, so do their pids: node 0's jobs from 1000000
	# (krgd raised pid_max)
	wait_until 30 sh -c '[ $(cat /proc/sys/kernel/pid_max) -ge 4194304 ]'
	echo 1000000 > /proc/sys/kernel/ns_last_pid
	setsid /krg/tests/migjob 16 0 > $OUT 2>&1 < /dev/null &
	job=$!
	echo $job > $S/pid
	wait_until 30 grep -q "^round 1 " $OUT
	krgcapset -k $job -e +CAN_MIGRATE -p +CAN_MIGRATE 2>/dev/null ||
		krgcapset -k $job -p +CAN_MIGRATE -e +CAN_MIGRATE
fi
cluster_barrier started > /dev/null
check "before: the job runs on node 0 only" invariant before 0
if [ $me = 0 ]; then
	out=$(migrate --check $job 1 2>&1)
	check "migrate --check $job 1: it can ($out)" [ "$out" = "process $job can migrate to node 1" ]
fi
cluster_barrier checked > /dev/null
check "... and nothing moved: it runs on node 0 only" invariant checked 0

# 0 -> 1
if [ $me = 0 ]; then
	out=$(migrate $job 1 2>&1)
	check "migrate $job 1: done ($out)" sh -c "echo '$out' | grep -q '^process $job migrated to node 1 in [0-9]* ms$'"
	check "... node 0 keeps its ghost (same pid, parent: this shell)" sh -c \
		"[ \$(readlink /proc/$job/exe) = /krg/tools/krg-ghost ] && [ \$(awk '/^PPid/ {print \$2}' /proc/$job/status) = $$ ]"
	grep -q '' /dev/null
fi
cluster_barrier moved1 > /dev/null
check "after 0 -> 1: the job runs on node 1 only" invariant moved1 1
if [ $me = 1 ]; then
	job=$(cat $S/pid)
	check "... with its pid $job, running migjob" sh -c "readlink /proc/$job/exe | grep -q migjob"
	check "... it goes on writing to its file, from node 1" rounds_on krg-node2 3
fi
cluster_barrier written1 > /dev/null
if [ $me = 0 ]; then
	kill -USR1 $job
	check "a signal sent to the ghost on node 0 reaches it" \
		wait_until 30 grep -q 'got SIGUSR1 on krg-node2' $OUT
fi
cluster_barrier signalled > /dev/null

# 1 -> 2
if [ $me = 1 ]; then
	out=$(migrate $job 2 2>&1)
	check "migrate $job 2 on node 1: done ($out)" sh -c "echo '$out' | grep -q '^process $job migrated to node 2 in [0-9]* ms$'"
	check "... its copy here is gone" wait_until 10 sh -c "[ ! -d /proc/$job ]"
fi
cluster_barrier moved2 > /dev/null
check "after 1 -> 2: the job runs on node 2 only" invariant moved2 2
if [ $me = 2 ]; then
	job=$(cat $S/pid)
	check "... it goes on writing to its file, from node 2" rounds_on krg-node3 3
	check "... keeping CAN_MIGRATE" sh -c "krgcapset -k $job -s | sed -n '/^Effective/,/^Inheritable/p' | grep -q CAN_MIGRATE"
	fails_home=$(migrate $job 0 2>&1)
	check "migrate $job 0 (its home) is refused, saying why ($fails_home)" sh -c \
		"echo '$fails_home' | grep -q 'ghost holds pid $job on node 0'"
fi
cluster_barrier home > /dev/null
check "after the refused return: the job runs on node 2 only" invariant home 2
if [ $me = 0 ]; then
	check "its memory held everywhere (no BAD round)" sh -c "! grep -q BAD $OUT"
	kill -TERM $job
	wait $job
	st=$?
	check "SIGTERM to the ghost ends it there; the parent's wait() gets 143 ($st)" [ $st = 143 ]
	check "... and the ghost is gone" sh -c "[ ! -d /proc/$job ]"
fi
cluster_barrier ended > /dev/null
check "after its end: it runs nowhere" nowhere "$(cat $S/pid)"

# refusals, each before anything was frozen
if [ $me = 0 ]; then
	setsid /krg/tests/migjob 1 0 > $S/out2 2>&1 < /dev/null &
	q=$!
	sleep 1
	out=$(migrate $q 1 2>&1)
	check "a job without CAN_MIGRATE is refused ($out)" sh -c "echo '$out' | grep -q CAN_MIGRATE"
	krgcapset -k $q -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(as_user migrate $q 1 2>&1)
	check "root's job, migrate by a user: refused ($out)" sh -c "echo '$out' | grep -q 'permission denied'"
	out=$(as_user migrate --check $q 1 2>&1)
	check "... and migrate --check by a user ($out)" sh -c "echo '$out' | grep -q 'permission denied'"
	check "... it goes on here" runs_here $q
	echo $q > $S/pid2
	# an open TCP connection (to a listener here)
	nc -l -p 5555 > /dev/null 2>&1 &
	lis=$!
	sleep 1
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/5555; exec sleep 600' < /dev/null > $S/out3 2>&1 &
	t=$!
	sleep 1
	krgcapset -k $t -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(migrate $t 1 2>&1)
	check "a process with an open TCP connection is refused ($out)" sh -c "echo '$out' | grep -q 'fd 3 is an open TCP connection'"
	check "... it goes on here" runs_here $t
	kill $t $lis 2>/dev/null
fi
cluster_barrier refusals > /dev/null
# a binary that differs on the target: /tmp/mj is migjob here, another file there
[ $me = 1 ] && echo "not the same" > /tmp/mj
cluster_barrier mj > /dev/null
if [ $me = 0 ]; then
	cp /krg/tests/migjob /tmp/mj
	echo 1500000 > /proc/sys/kernel/ns_last_pid
	setsid /tmp/mj 1 0 > $S/out4 2>&1 < /dev/null &
	b=$!
	sleep 1
	krgcapset -k $b -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(migrate $b 1 2>&1)
	check "a process whose binary differs on the target is refused ($out)" sh -c "echo '$out' | grep -q '/tmp/mj differs on node 1'"
	out=$(migrate $b 2 2>&1)
	check "... and where it is missing ($out)" sh -c "echo '$out' | grep -q '/tmp/mj is missing on node 2'"
	check "... it goes on here" runs_here $b
	kill $b
	# a user's job writing to root's file (the fd given by root's shell):
	# CRIU, as root, would reopen it by path for the user; refused
	: > $S/secret && chmod 600 $S/secret
	rm -f /tmp/upid
	as_user sh -c 'echo $$ > /tmp/upid; exec /krg/tests/migjob 1 0' > $S/secret 2>&1 < /dev/null &
	wait_until 10 test -s /tmp/upid
	u=$(cat /tmp/upid)
	sleep 1
	krgcapset -k $u -p +CAN_MIGRATE -e +CAN_MIGRATE
	out=$(as_user migrate $u 1 2>&1)
	check "a user's job holding root's file is refused, by the file's name ($out)" \
		says "$out" "file $S/secret cannot be opened by uid"
	check "... it goes on here" runs_here $u
	kill $u
fi
cluster_barrier mj_done > /dev/null
# a pid taken on the target: node 1 holds node 0's job's pid
if [ $me = 1 ]; then
	q=$(cat $S/pid2)
	# a process of that pid here: raise the next pid to it
	echo $((q - 1)) > /proc/sys/kernel/ns_last_pid
	sleep 600 &
	holder=$!
	echo $holder > $S/holder
	check "node 1 holds pid $q ($holder)" [ "$holder" = "$q" ]
fi
cluster_barrier taken > /dev/null
if [ $me = 0 ]; then
	out=$(migrate $q 1 2>&1)
	check "migrate to a node where its pid is taken: refused ($out)" sh -c "echo '$out' | grep -q 'pid $q is taken on node 1'"
	check "... and it goes on here" runs_here $q
	n=$(wc -l < $S/out2)
	check "... writing" wait_until 10 sh -c "[ \$(wc -l < $S/out2) -gt $n ]"
	kill $q
fi
cluster_barrier done > /dev/null
[ $me = 1 ] && kill "$(cat $S/holder)" 2>/dev/null
[ "$_tap_fail" = 0 ] || sed 's/^/# krgd: /' /tmp/krgd.log | grep -i "move\|criu\|ghost" | tail -40
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
