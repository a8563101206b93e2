#!/bin/sh
# Three guests, one tree, and process-set members by pid (issue 16): each
# node adds a process of its own as Kerrighed's users typed it (`mkdir
# single_processes/$pid`); every node then lists the three, named after
# their node (`<node>:<pid>`), and `krgsched show --cfg` is the same on
# all. Node 1 adds and removes members of nodes 0 and 2 by their
# qualified names (carried out there), with the errnos one machine gives
# for a pid that is not there (ESRCH), a node that is not there (ESRCH),
# garbage (EINVAL), and, on node 2, a scheduler that has members elsewhere
# (rmdir: ENOTEMPTY, handle_all: EPERM). A pid typed in a pid namespace
# of its own names that namespace's process. Node 0's krgd stopped, its
# members go from the other nodes' lists; started again, they are back.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/tree_members
P=$C/schedulers/ps/process_set
SP=$P/single_processes
tap_plan 28

# fails_with DESCRIPTION TEXT COMMAND...: COMMAND fails saying TEXT.
fails_with() {
	_what=$1 _err=$2
	shift 2
	_out=$("$@" 2>&1) && { check "$_what" false; echo "# it worked"; return; }
	case $_out in
	*"$_err"*) check "$_what" true ;;
	*) check "$_what" false; echo "# $_out" ;;
	esac
}
listed() { ls $SP | tr '\n' ' '; }

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
check "the front is mounted" wait_until 60 cluster_front_up
mkdir -p $S
rm -f $S/*
cluster_barrier ready > /dev/null
[ $me = 0 ] && mkdir $C/schedulers/ps
check "schedulers/ps everywhere" wait_until 30 test -d $SP

# --- each node adds one process of its own, by its plain pid ---
sleep 600 &
mine=$!
echo $mine > $S/pid.$me
check "mkdir single_processes/\$pid (this node's process)" mkdir $SP/$mine
check "... it is there by its plain pid" test -d $SP/$mine
check "... and named after this node" test -d $SP/$me:$mine
cluster_barrier added > /dev/null
p0=$(cat $S/pid.0) p1=$(cat $S/pid.1) p2=$(cat $S/pid.2)
want="0:$p0 1:$p1 2:$p2 "
check "every node lists the three, named after their node" wait_until 30 sh -c "[ \"\$(ls $SP | tr '\n' ' ')\" = '$want' ]"
echo "# listed: $(listed)"
check "another node's member is a directory here" test -d $SP/$(( (me + 1) % 3 )):$(cat $S/pid.$(( (me + 1) % 3 )))
krgsched show --cfg > $S/show.$me 2>&1
cluster_barrier shown > /dev/null
check "krgsched show --cfg: the same on every node" sh -c "cmp -s $S/show.0 $S/show.$me && cmp -s $S/show.1 $S/show.2"
check "... with the members named after their node" grep -q "processes = \\[ \"0:$p0\", \"1:$p1\", \"2:$p2\" \\]" $S/show.$me

# --- a caller in a pid namespace of its own: its numbers, translated ---
if [ $me = 0 ]; then
	unshare -p -f sh -c "sleep 601 & echo \$! > $S/ns_inner; mkdir $SP/\$! 2> $S/ns_err; echo \$? > $S/ns_rc; mkdir $SP/$(cat /run/krgd.pid) 2>> $S/ns_err; echo \$? >> $S/ns_rc; wait" &
	wait_until 30 sh -c "[ \$(wc -l < $S/ns_rc 2>/dev/null || echo 0) -ge 2 ]"
	inner=$(cat $S/ns_inner)
	outer=$(awk -v i=$inner '/^NSpid:/ && NF == 3 && $3 == i { print $2 }' /proc/[0-9]*/status 2>/dev/null)
	echo "# inside the namespace: pid $inner, here: $outer; $(tr '\n' ' ' < $S/ns_err)"
	check "mkdir single_processes/\$pid in a pid namespace names that process" \
		sh -c "[ \"\$(head -n1 $S/ns_rc)\" = 0 ] && test -d $SP/0:$outer"
	check "... and a pid of krgd's namespace only is ESRCH there" \
		sh -c "[ \"\$(sed -n 2p $S/ns_rc)\" = 1 ] && grep -q 'No such process' $S/ns_err"
	rmdir $SP/0:$outer
	kill $outer
else
	check "(node 0 tries a pid namespace)" true
	check "(...)" true
fi
cluster_barrier namespaced > /dev/null

# --- node 1 changes the others' members by their qualified names ---
if [ $me = 0 ]; then
	sleep 600 &
	echo $! > $S/pid0b
fi
cluster_barrier second > /dev/null
p0b=$(cat $S/pid0b)
if [ $me = 1 ]; then
	check "node 1: mkdir single_processes/0:\$pid (node 0's process)" mkdir $SP/0:$p0b
	fails_with "node 1: a pid node 0 does not have: ESRCH" "No such process" mkdir $SP/0:4194000
	fails_with "node 1: a node not in the cluster: ESRCH" "No such process" mkdir $SP/7:$p0b
	fails_with "node 1: garbage: EINVAL" "Invalid argument" mkdir $SP/0:x1
	fails_with "node 1: a member already there: EEXIST" "exists" mkdir $SP/2:$p2
	check "node 1: rmdir single_processes/2:\$pid (node 2's)" rmdir $SP/2:$p2
	fails_with "node 1: rmdir of one not there: ENOENT" "No such file" rmdir $SP/2:$p2
else
	for i in 1 2 3 4 5 6 7; do check "(node 1 changes the others' members)" true; done
fi
cluster_barrier changed > /dev/null
if [ $me = 0 ]; then
	check "node 0 has the member node 1 added, in its own kernel" test -d /run/krgd/cfs/krg_scheduler/schedulers/ps/process_set/single_processes/$p0b
else
	check "(node 0 has it)" true
fi
if [ $me = 2 ]; then
	check "node 2's member node 1 removed is gone from its kernel" test ! -e /run/krgd/cfs/krg_scheduler/schedulers/ps/process_set/single_processes/$p2
	fails_with "node 2: rmdir schedulers/ps, members on other nodes: ENOTEMPTY" "not empty" rmdir $C/schedulers/ps
	fails_with "node 2: handle_all 1, members on other nodes: EPERM" "not permitted" sh -c "echo 1 > $P/handle_all"
else
	check "(node 2 has it gone)" true
	check "(node 2 tries)" true
	check "(...)" true
fi
want=$(printf '%s\n' 0:$p0 0:$p0b 1:$p1 | sort | tr '\n' ' ')
check "every node lists the members left" wait_until 30 sh -c "[ \"\$(ls $SP | tr '\n' ' ')\" = '$want' ]"
echo "# listed: $(listed)"
cluster_barrier compared > /dev/null

# --- node 0's krgd stops: its members go from the others' lists ---
if [ $me = 0 ]; then
	cluster_krgd_stop
	cluster_barrier stopped > /dev/null
	cluster_barrier seen > /dev/null
	{ krgd -f -v >> /tmp/krgd.log 2>&1 & echo $! > /run/krgd.pid; }
	check "(the others see node 0's members go)" true
	wait_until 60 cluster_front_up
else
	cluster_barrier stopped > /dev/null
	check "node 0's krgd stopped: its members are gone here" wait_until 30 sh -c "[ \"\$(ls $SP | tr '\n' ' ')\" = '1:$p1 ' ]"
	cluster_barrier seen > /dev/null
fi
check "krgd back on node 0: its members are listed again" wait_until 60 sh -c "[ \"\$(ls $SP | tr '\n' ' ')\" = '$want' ]"
echo "# listed: $(listed)"
cluster_barrier back > /dev/null

# --- clean up: each node its own ---
for m in $(ls $SP); do
	case $m in $me:*) rmdir $SP/$m ;; esac
done
kill $mine 2>/dev/null
[ $me = 0 ] && kill $(cat $S/pid0b) 2>/dev/null
cluster_barrier emptied > /dev/null
check "the members are gone everywhere" wait_until 30 sh -c "[ -z \"\$(ls $SP)\" ]"
[ $me = 0 ] && rmdir $C/schedulers/ps
wait_until 30 test ! -e $C/schedulers/ps
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
