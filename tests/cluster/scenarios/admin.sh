#!/bin/sh
# Three guests: krgadm's cluster-wide operations, agreed by every krgd
# through corosync (the CPG group krg_admin). nodes del -n 2 from node 0:
# on 0 and 1 node 2 is out of the online set but present, a max_fit
# scheduler drops it, krgadm nodes status says 2:present everywhere, node
# 2 runs alone and its process goes on; add gives it back; del/add with -c,
# -t and -a; Kerrighed's refusals (this node, a node not online, not of
# the cluster, too many), bad input and a user refused; krgd restarted on
# a deleted node: still deleted (the others' state); cluster poweroff and
# reboot from node 1: every agent (the deleted one too) ran its command
# (here one that writes a file in /shared, so that the guests stay up); a
# partition and its merge keep the deletions of both sides. Each node's
# tree is its own here (krgd --local-tree): the checks are per node.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
C=$KRG_CFS
S=$CL_SHARED
tap_plan 70

me=$((KRG_NODE_ID - 1))
on() { [ "$me" = "$1" ]; }
online_is() { [ "$(cat $K/nodes_online)" = "$1" ]; }
present_is() { [ "$(cat $K/nodes_present)" = "$1" ]; }
fresh() { grep -q '^membership fresh' $K/cluster; }
status_is() { [ "$(krgadm nodes status | tr '\n' ' ' | sed 's/ $//')" = "$1" ]; }
fit_is() { [ "$(cat $C/schedulers/fit/node_set)" = "$1" ]; }
# (cluster_barrier and wait_until use _b, _c, _i, _t: not these. Barriers
# are named admin.*: the scenarios before, in the same cluster, left theirs
# in /shared, and a name met again would not wait.)
# says DESCRIPTION STATUS TEXT COMMAND...: the command exits STATUS and
# prints TEXT (on stdout or stderr: Kerrighed's messages are on stdout)
says() {
	says_d=$1 says_s=$2 says_t=$3; shift 3
	"$@" > /tmp/.adm 2>&1
	says_rc=$?
	if [ "$says_rc" = "$says_s" ] && grep -qF -- "$says_t" /tmp/.adm; then
		ok "$says_d"
	else
		not_ok "$says_d (exit $says_rc, wanted $says_s and '$says_t', got '$(head -c 400 /tmp/.adm | tr '\n' '|')')"
	fi
}
# op NAME NODE EXIT TEXT STATUS KRGADM-ARGS...: once every node is there,
# node NODE runs krgadm with the arguments (it exits EXIT, TEXT printed);
# then, on every node, krgadm nodes status becomes STATUS. Two checks.
op() {
	op_n=$1 op_o=$2 op_x=$3 op_t=$4 op_st=$5; shift 5
	cluster_barrier "admin.$op_n.go" > /dev/null
	if on "$op_o"; then
		says "$op_n: node $op_o: krgadm $*" "$op_x" "$op_t" krgadm "$@"
	else
		skip "$op_n: node $op_o runs krgadm $*"
	fi
	cluster_barrier "admin.$op_n" > /dev/null
	check "$op_n: every node says $op_st" wait_until 60 status_is "$op_st"
}
agent_up() {
	krgd -f -v --local-tree --poweroff-command "echo $me > $S/admin.poweroff.$me" \
		--reboot-command "echo $me > $S/admin.reboot.$me" >> /tmp/krgd.log 2>&1 &
	echo $! > /run/krgd.pid
}

# krg.ko afresh (a scenario before may have left it loaded, its agent gone).
for m in mem_probe krg_scheduler krg; do krg_loaded $m && rmmod $m; done
check "krg.ko in cluster mode" modprobe krg cluster_nodes=0-2 node_id=$me
says "no membership yet: cluster poweroff fails" 1 \
	"Shutting down cluster... fail (cluster not running)" krgadm cluster poweroff
: > /tmp/krgd.log
agent_up
check "with krgd: every node online and present" wait_until 120 sh -c \
	"[ \"\$(cat $K/nodes_online)\" = 0-2 ] && [ \"\$(cat $K/nodes_present)\" = 0-2 ]"
check "krgadm nodes status: every node online" wait_until 30 status_is "0:online 1:online 2:online"
check "krgd's socket: its answers and refusals (admin_sock_test)" sh -c \
	"/krg/tests/admin_sock_test > /tmp/admin_sock.out 2>&1 && grep -q 'pass:6 fail:0 .*skip:0' /tmp/admin_sock.out"
krg_load krg_scheduler
mkdir $C/schedulers/fit || echo "# mkdir $C/schedulers/fit failed"
echo 1 > $C/schedulers/fit/node_set_max_fit || echo "# node_set_max_fit refused"
check "a node_set_max_fit scheduler over 0-2" wait_until 60 fit_is 0-2
fit_is 0-2 || echo "# fit: node_set '$(cat $C/schedulers/fit/node_set)', max_fit $(cat $C/schedulers/fit/node_set_max_fit), online $(cat $K/nodes_online), schedulers: $(ls $C/schedulers | tr '\n' ' ')"
if on 2; then
	sleep 100000 &
	job=$!
fi
check "every node ready" cluster_barrier admin.ready

# del -n 2 from node 0
if on 0; then
	says "node 0: nodes del -n 2" 0 "Removing nodes [2]... done" krgadm nodes del -n 2
else
	skip "node 0 removes node 2"
fi
cluster_barrier admin.del2 > /dev/null
if on 2; then
	check "node 2: alone online, 0-2 present" wait_until 60 sh -c \
		"[ \"\$(cat $K/nodes_online)\" = 2 ] && [ \"\$(cat $K/nodes_present)\" = 0-2 ]"
	check "... the max_fit scheduler has node 2 alone" wait_until 30 fit_is 2
	check "... krgadm cluster status: up on 1 nodes" wait_until 30 sh -c \
		'[ "$(krgadm cluster status)" = "status: up on 1 nodes" ]'
	check "... its process started before still runs" kill -0 "$job"
else
	check "node $me: 0-1 online, 0-2 present" wait_until 60 sh -c \
		"[ \"\$(cat $K/nodes_online)\" = 0-1 ] && [ \"\$(cat $K/nodes_present)\" = 0-2 ]"
	check "... the max_fit scheduler dropped node 2" wait_until 30 fit_is 0-1
	check "... krgadm cluster status: up on 2 nodes" wait_until 30 sh -c \
		'[ "$(krgadm cluster status)" = "status: up on 2 nodes" ]'
	skip "node 2's process: checked on node 2"
fi
check "krgadm nodes status: 2:present" wait_until 30 status_is "0:online 1:online 2:present"
check "krgadm nodes status -n 2: 2:present" wait_until 30 sh -c \
	'[ "$(krgadm nodes status -n 2)" = "2:present" ]'

# Refusals (nothing is sent): on every node.
says "del of this node: refused" 1 "Unable to suppress current node." krgadm nodes del -n $me
if on 2; then
	says "del of node 2 on node 2 (deleted): this node, refused" 1 \
		"Unable to suppress current node." krgadm nodes del -n 2
else
	says "del of node 2 (present, not online): refused" 1 \
		"Unable to suppress node 2 (must be 'online')." krgadm nodes del -n 2
fi
says "del -n 5 (not of the cluster): refused" 1 \
	"Unable to suppress node 5 (not a node of this cluster)." krgadm nodes del -n 5
says "del -n 300: a bad node list" 1 "invalid node list '300': node ids are 0 to 255" \
	krgadm nodes del -n 300
says "del -n x: a bad node list" 1 "invalid node list 'x'" krgadm nodes del -n x
says "del -n 1 -c 1: mutually exclusive" 1 "-n, -c, -t and -a are mutually exclusive" \
	krgadm nodes del -n 1 -c 1
says "add without a selection" 1 "needs -n LIST, -c COUNT, -t TOTAL or -a" krgadm nodes add
says "del -c 5: too many" 1 "Can not remove so many nodes" krgadm nodes del -c 5
says "a user: nodes del refused" 1 "must be run as root" as_user krgadm nodes del -n 1
says "a user: cluster poweroff refused" 1 "must be run as root" as_user krgadm cluster poweroff
check "nothing changed" wait_until 30 status_is "0:online 1:online 2:present"

# poweroff from node 1 while node 2 is deleted: every agent runs it.
if on 1; then
	says "node 1: cluster poweroff" 0 "Shutting down cluster... done" krgadm cluster poweroff
else
	skip "node 1 asks for a poweroff"
fi
check "every agent ran its poweroff command" wait_until 60 sh -c \
	"[ -s $S/admin.poweroff.0 ] && [ -s $S/admin.poweroff.1 ] && [ -s $S/admin.poweroff.2 ]"
check "... this one logged who asked" grep -q "poweroff asked by node 1 (pid " /tmp/krgd.log

# krgd restarted on node 2 while it is deleted: the others' state stands.
cluster_barrier admin.restart > /dev/null
if on 2; then
	kill "$(cat /run/krgd.pid)"
	check "node 2: krgd stopped: stale" wait_until 30 grep -q '^membership stale' $K/cluster
	says "... cluster poweroff without the agent fails" 1 \
		"Shutting down cluster... fail (cluster not running)" krgadm cluster poweroff
	agent_up
	check "node 2: krgd back: still deleted (alone online, fresh)" wait_until 60 sh -c \
		"grep -q '^membership fresh' $K/cluster && [ \"\$(cat $K/nodes_online)\" = 2 ]"
	check "... it synced the deleted set from the others" wait_until 30 \
		grep -q 'synced with 3 agents, deleted nodes \[2\]' /tmp/krgd.log
else
	skip "node 2 stops its krgd"
	skip "node 2's poweroff without its agent"
	check "node $me: node 2 stays out" wait_until 30 online_is 0-1
	check "... still present" wait_until 30 present_is 0-2
fi
cluster_barrier admin.restarted > /dev/null
check "krgadm nodes status after the restart: 2:present" wait_until 30 status_is "0:online 1:online 2:present"

# add -n 2, from node 2 itself
op add2 2 0 "Adding nodes [2]... done" "0:online 1:online 2:online" nodes add -n 2
check "node 2 back everywhere: 0-2 online" wait_until 60 online_is 0-2
check "... the max_fit scheduler has it again" wait_until 30 fit_is 0-2
says "add -a with every node online" 0 "No present node to add." krgadm nodes add -a

# -c, -t, -a from node 0
op delc 0 0 "Removing nodes [1]... done" "0:online 1:present 2:online" nodes del -c 1
op adda 0 0 "Adding nodes [1]... done" "0:online 1:online 2:online" nodes add -a
op delt 0 0 "Removing nodes [1,2]... done" "0:online 1:present 2:present" nodes del -t 1
op addc 0 0 "Adding nodes [1]... done" "0:online 1:online 2:present" nodes add -c 1
op addt 0 0 "Adding nodes [2]... done" "0:online 1:online 2:online" nodes add -t 3
op dela 0 0 "Removing nodes [1,2]... done" "0:online 1:present 2:present" nodes del -a
check "node $me: online set after del -a" wait_until 60 online_is $me
op adda2 1 0 "Adding nodes [1,2]... done" "0:online 1:online 2:online" nodes add -a
check "all three online again" wait_until 60 online_is 0-2
# del -n 0,1 on node 0: this node refused (named), node 1 removed, exit 1
op part 0 1 "Removing nodes [1]... done" "0:online 1:present 2:online" nodes del -n 0,1
if on 0; then
	check "... this node named" grep -qx "Unable to suppress current node." /tmp/.adm
else
	skip "node 0's refusal: checked on node 0"
fi
op part2 1 0 "Adding nodes [1]... done" "0:online 1:online 2:online" nodes add -n 1

# A partition: node 2 (deleted) cut off, node 1 deleted meanwhile on the
# other side, and node 2 added there (waited for in vain); merged, both
# deletions stand everywhere (the union of the sides' sets: node 2 still
# held its own; docs/krgd.8).
op pdel 0 0 "Removing nodes [2]... done" "0:online 1:online 2:present" nodes del -n 2
cluster_barrier admin.cut > /dev/null
on 0 && cluster_host cut 3
if on 2; then
	check "node 2 cut off: alone present" wait_until 120 present_is 2
	skip "node 0 removes node 1 meanwhile"
	skip "node 0 adds node 2 meanwhile"
else
	check "node 2 cut off: 0-1 present" wait_until 120 present_is 0-1
	if on 0; then
		says "node 0: nodes del -n 1 while node 2 is cut off" 0 \
			"Removing nodes [1]... done" krgadm nodes del -n 1
		says "node 0: add -n 2 while it is cut off: waited for, in vain" 1 \
			"Waiting for nodes [2] to join... fail (0/1 online after 5 s)" \
			krgadm nodes add -n 2 --timeout 5
	else
		skip "node 0 removes node 1 meanwhile"
		skip "node 0 adds node 2 meanwhile"
	fi
fi
cluster_barrier admin.split > /dev/null
on 0 && cluster_host join 3
check "merged: every node present" wait_until 120 present_is 0-2
check "... both deletions stand on every node" wait_until 60 status_is "0:online 1:present 2:present"
op padd 0 0 "Adding nodes [1,2]... done" "0:online 1:online 2:online" nodes add -a

# reboot from node 1: every agent runs it.
cluster_barrier admin.reboot > /dev/null
if on 1; then
	says "node 1: cluster reboot" 0 "Rebooting cluster... done" krgadm cluster reboot
else
	skip "node 1 asks for a reboot"
fi
check "every agent ran its reboot command" wait_until 60 sh -c \
	"[ -s $S/admin.reboot.0 ] && [ -s $S/admin.reboot.1 ] && [ -s $S/admin.reboot.2 ]"

cluster_barrier admin.done > /dev/null
[ -n "${job:-}" ] && kill "$job"
rmdir $C/schedulers/fit
kill "$(cat /run/krgd.pid)"
if [ "$_tap_fail" != 0 ]; then
	sed 's/^/# /' /tmp/admin_sock.out
	grep -v "figures" /tmp/krgd.log | sed 's/^/# /' | tail -n 150
fi
tap_done
