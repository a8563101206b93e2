#!/bin/sh
# Three guests, one tree (issue 16): krgd's front is mounted over both
# krg_scheduler directories; Kerrighed's legacy set-up (kerrighed-tools'
# krg_legacy_scheduler, relative paths after cd /config/krg_scheduler),
# typed on node 0 only, is the same tree on all three; `krgsched destroy`
# on node 2 removes it everywhere; `krgsched apply` of balanced.cfg on
# node 1 gives the same `krgsched show --cfg` on all three, and its
# policies run on each. Then nodes 0 and 1 make 200 random
# changes each at once on a bounded set of names: every error is one a
# single machine gives (never EAGAIN, EIO, EROFS, ENOTCONN) and the three
# trees end the same. Then node 2 is cut off (a partition of 1 from 2):
# its changes are refused with EROFS while it reads on, the two go on
# changing the tree, and after the merge node 2 has their tree. (A node
# killed during the writers: tree_loss.)
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
. /krg/lib/tree.sh
C=$KRG_CFS
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/tree
tap_plan 27

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
check "the front is mounted over $C" wait_until 60 cluster_front_up
check "... and over /config/krg_scheduler" grep -q " /config/krg_scheduler fuse.krgd " /proc/mounts
check "krgadm cluster status: nothing wrong with the tree" wait_until 60 sh -c "! krgadm cluster status | grep -q '^tree:'"
mkdir -p $S
cluster_barrier ready > /dev/null

# --- Kerrighed's set-up typed on node 0 ---
if [ $me = 0 ]; then
	status_is "krg_legacy_scheduler runs unchanged on node 0 (bash)" 0 \
		bash /krg/tests/data/krg_legacy_scheduler
	dump > $S/legacy 2>&1
else
	check "(node 0 types the set-up)" true
fi
cluster_barrier typed > /dev/null
check "the same tree on every node" wait_until 30 same_as legacy
same_as legacy || show_diff legacy
check "mosix is active here" grep -q active $C/schedulers/mosix/status
L=$(readlink $C/schedulers/mosix/mosix_load_balancer/process_load/mosix)
check "a relative link reads as configfs makes it ($L)" test "$L" = \
	"../../../../../krg_scheduler/probes/mosix_probe/process_load"
cluster_barrier compared > /dev/null
if [ $me = 2 ]; then
	check "krgsched destroy mosix on node 2" krgsched destroy mosix rr
	check "... and its probes" rmdir $C/probes/mosix_probe $C/probes/migration_probe
else
	check "(node 2 destroys)" true
	check "(...)" true
fi
check "gone everywhere" wait_until 30 sh -c "[ ! -e $C/schedulers/mosix -a ! -e $C/schedulers/rr -a ! -e $C/probes/mosix_probe ]"
cluster_barrier destroyed > /dev/null

# --- krgsched apply on node 1: the same krgsched show everywhere ---
if [ $me = 1 ]; then
	check "krgsched apply examples/balanced.cfg on node 1" krgsched apply /krg/examples/balanced.cfg
	krgsched show --cfg > $S/applied 2>&1
else
	check "(node 1 applies)" true
fi
cluster_barrier applied > /dev/null
check "krgsched show --cfg: the same on every node" wait_until 30 sh -c "krgsched show --cfg 2>&1 | cmp -s - $S/applied"
krgsched show --cfg 2>&1 | diff $S/applied - | head -10 | sed 's/^/# /'
check "... balanced's policy runs here" wait_until 30 grep -q active $C/schedulers/balanced/status
cluster_barrier compared2 > /dev/null
if [ $me = 0 ]; then
	check "krgsched destroy on node 0" krgsched destroy balanced balanced_fork
	rmdir $C/probes/mosix_probe $C/probes/migration_probe
else
	check "(node 0 destroys)" true
fi
check "gone everywhere" wait_until 30 sh -c "[ -z \"\$(ls $C/schedulers 2>/dev/null)\$(ls $C/probes 2>/dev/null)\" ]"
cluster_barrier destroyed2 > /dev/null

# --- two writers at once ---
if [ $me -lt 2 ]; then
	writers
	check_writers
else
	check "(nodes 0 and 1 write)" true
fi
cluster_barrier written > /dev/null
[ $me = 0 ] && { sleep 2; dump > $S/written 2>&1; }
cluster_barrier saved > /dev/null
check "the trees are the same after the writers" wait_until 30 same_as written
same_as written || show_diff written
cluster_barrier same > /dev/null

# --- a partitioned minority: read-only, then the majority's tree ---
[ $me = 0 ] && cluster_host cut 3
if [ $me = 2 ]; then
	check "cut off: not quorate" wait_until 120 sh -c "krgadm cluster status | grep -q '^tree: read-only'"
	mkdir $C/schedulers/minority 2> /tmp/erofs
	check "a change is refused: Read-only file system" grep -q "Read-only file system" /tmp/erofs
	check "reads go on" test -d $C/schedulers
else
	check "node 2 cut off" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-1 ]"
	[ $me = 0 ] && mkdir $C/schedulers/majority
	check "the majority changes the tree" wait_until 30 test -d $C/schedulers/majority
	check "(node 2 is cut off)" true
fi
cluster_barrier split > /dev/null
[ $me = 0 ] && { dump > $S/majority 2>&1; cluster_host join 3; }
check "merged: all three online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-2 ]"
check "every node has the majority's tree" wait_until 60 same_as majority
same_as majority || show_diff majority
cluster_barrier merged > /dev/null

cluster_barrier merged > /dev/null
if [ $me = 0 ]; then
	for i in 0 1 2 3; do
		rm -f $C/schedulers/s$i/mosix_load_balancer/process_load/p
		[ ! -d $C/schedulers/s$i/mosix_load_balancer ] || rmdir $C/schedulers/s$i/mosix_load_balancer
		[ ! -d $C/schedulers/s$i ] || rmdir $C/schedulers/s$i
	done 2>&1 | sed 's/^/# cleaning: /'
	rmdir $C/schedulers/majority
	[ ! -d $C/probes/mosix_probe ] || rmdir $C/probes/mosix_probe
fi
check "removed on every node" wait_until 60 sh -c "[ -z \"\$(ls $C/schedulers 2>/dev/null)\$(ls $C/probes 2>/dev/null)\" ]"
ls $C/schedulers $C/probes | sed 's/^/# left: /'
cluster_barrier removed > /dev/null
cluster_krgd_stop
mkdir $C/schedulers/x 2> /tmp/ro
check "after krgd: changes are refused (read-only)" grep -q "Read-only file system" /tmp/ro
check "... and the tree reads on" test -d $C/schedulers
grep krg_scheduler /proc/mounts | sed 's/^/# /'
sed 's/^/# /' /tmp/ro
cluster_krgd_cleanup
tap_done
