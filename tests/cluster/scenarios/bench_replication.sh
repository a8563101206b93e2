#!/bin/sh
# The design spike of issue 16 (the replicated tree), not in the suite:
#   tests/cluster/run -n 3 --timeout 1200 bench_replication
# Its figures and findings are in docs/cluster.md ("The replicated tree:
# decision (spike)"); its prototype is bench/replication_bench.c.
# 1. Facts, on the guest kernel: FUSE built in; configfs mounted a second
#    time (/run/krgd/cfs) is the same tree; a FUSE passthrough mounted over
#    /sys/kernel/config/krg_scheduler while the private mount still reaches
#    the real one; errnos and a non-root user's EACCES through it as
#    directly; a relative `ln -s` through it resolved from the caller's cwd.
# 2. Figures (`# ...` lines, from node 0 unless said, one run):
#    (a) the CPG round trip (multicast to its own delivery), AGREED from
#        node 0 alone, from nodes 0 and 1 at once, SAFE from node 0;
#    (b) mkdir+rmdir of a scheduler, configfs directly;
#    (c) the same through the FUSE passthrough, not replicated;
#    (d) the same through the FUSE front with every change ordered by CPG
#        (AGREED) and applied on the 3 nodes, from node 0, then from nodes
#        0 and 1 at once; the legacy MOSIX set-up typed with relative paths
#        on node 0 (also under /config/krg_scheduler, where the front is
#        bound too) gives the same `krgsched show --cfg` on every node;
#        attribute writes; `krgsched show` through the front, directly and
#        through a front that lets the kernel cache; two writers on the
#        same names; the front killed with its mount up, and a read-only
#        bind of the private tree in its place.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
C=$KRG_CFS
PRIV=/run/krgd/cfs
B=/krg/bench/replication_bench
N=${SPIKE_COUNT:-300}
me=$((KRG_NODE_ID - 1))
tap_plan 23

# errtext COMMAND...: what the command says on stderr, its path removed
errtext() { "$@" 2>&1 >/dev/null | sed "s|'[^']*'||g; s|$C||g; s|$PRIV/krg_scheduler||g"; }
front_up() {	# $1: extra arguments (cpg 3)
	# shellcheck disable=SC2086
	$B fs $PRIV/krg_scheduler $C $1 -- -f -o allow_other,default_permissions \
		> /tmp/front.log 2>&1 &
	echo $! > /run/front.pid
	# Kerrighed's /config/krg_scheduler: the same front, bound there
	wait_until 60 sh -c "grep -q ' $C fuse' /proc/mounts" &&
		mount -o bind $C /config/krg_scheduler
}
front_down() {
	umount /config/krg_scheduler && umount $C && kill "$(cat /run/front.pid)" 2>/dev/null
	wait "$(cat /run/front.pid)" 2>/dev/null
	! grep -q " $C fuse" /proc/mounts
}

check "FUSE is built into the kernel (/proc/filesystems, /dev/fuse)" sh -c \
	"grep -qw fuse /proc/filesystems && [ -c /dev/fuse ] && ! find /lib/modules -name 'fuse.ko*' | grep -q ."
krg_load krg_scheduler
mkdir -p $PRIV
check "configfs mounts a second time ($PRIV)" mount -t configfs none $PRIV
check "... the same tree" sh -c "[ \"\$(ls $C)\" = \"\$(ls $PRIV/krg_scheduler)\" ]"
mkdir $C/schedulers/spike_same
check "... a mkdir in one shows in the other" test -d $PRIV/krg_scheduler/schedulers/spike_same
rmdir $PRIV/krg_scheduler/schedulers/spike_same
# The errnos a single machine gives, for comparison through the front.
mkdir $C/schedulers/e
direct_errs="$(errtext mkdir $C/schedulers/e)|$(errtext rmdir $C/schedulers/nope)|\
$(errtext sh -c "echo x > $C/schedulers/e/node_set_exclusive")|\
$(errtext as_user sh -c "echo 1 > $C/schedulers/e/node_set_exclusive")|\
$(errtext as_user mkdir $C/schedulers/u)|$(errtext ln -s /tmp $C/schedulers/e/l)"
rmdir $C/schedulers/e
echo "# direct errors: $direct_errs"

# (a) CPG round trips; node 2 only stays in the group.
cluster_barrier cpg1 > /dev/null
case $me in
0) $B cpg krg_spike agreed "$N" 1 3 ;;
*) $B cpg krg_spike agreed 0 1 3 ;;
esac
cluster_barrier cpg2 > /dev/null
case $me in
0|1) $B cpg krg_spike2 agreed "$N" 2 3 ;;
*) $B cpg krg_spike2 agreed 0 2 3 ;;
esac
cluster_barrier cpg3 > /dev/null
case $me in
0) $B cpg krg_spike3 safe "$N" 1 3 ;;
*) $B cpg krg_spike3 safe 0 1 3 ;;
esac
cluster_barrier cpg_done > /dev/null

# (b) directly, (c) through the front, not replicated: node 0 only.
if [ "$me" = 0 ]; then
	check "(b) mkdir+rmdir directly" $B lat $C/schedulers "$N" d_
	check "(c) the front, no replication, mounted over $C" front_up
	check "... the private mount still reaches the real one" sh -c \
		"grep -q ' $PRIV configfs' /proc/mounts && [ -d $PRIV/krg_scheduler/probes ] && mkdir $C/schedulers/p && [ -d $PRIV/krg_scheduler/schedulers/p/process_set ] && rmdir $PRIV/krg_scheduler/schedulers/p && [ ! -e $C/schedulers/p ]"
	grep -E " ($C|$PRIV) " /proc/mounts | sed 's/^/# mounts: /'
	check "... mkdir+rmdir through it" $B lat $C/schedulers "$N" f_
	mkdir $C/schedulers/e
	front_errs="$(errtext mkdir $C/schedulers/e)|$(errtext rmdir $C/schedulers/nope)|\
$(errtext sh -c "echo x > $C/schedulers/e/node_set_exclusive")|\
$(errtext as_user sh -c "echo 1 > $C/schedulers/e/node_set_exclusive")|\
$(errtext as_user mkdir $C/schedulers/u)|$(errtext ln -s /tmp $C/schedulers/e/l)"
	echo "# front errors:  $front_errs"
	check "... the same errnos as directly, a user's EACCES included" \
		[ "$front_errs" = "$direct_errs" ]
	check "... a user reads an attribute" as_user cat $C/schedulers/e/node_set_max_fit
	echo 1 > $C/schedulers/e/node_set_exclusive
	check "... a write reaches configfs" sh -c \
		"[ \"\$(cat $PRIV/krg_scheduler/schedulers/e/node_set_exclusive)\" = 1 ]"
	rmdir $C/schedulers/e
	check "... stopped: configfs is back" front_down
else
	for i in 1 2 3 4 5 6 7 8; do ok "(node 0 checks) $i"; done
fi
cluster_barrier local_done > /dev/null

# (d) replicated: the front on every node, each change ordered by CPG.
check "(d) the replicated front on every node" front_up "cpg 3"
cluster_barrier front_up > /dev/null
[ "$me" = 0 ] && $B lat $C/schedulers "$N" r_ | sed 's/^# /# replicated, alone: /'
stat $C/.spike-stats > /dev/null 2>&1	# batch 1 (node 0): alone
cluster_barrier rep1 > /dev/null
case $me in
0|1) $B lat $C/schedulers "$N" "r${me}_" | sed "s/^# /# replicated, nodes 0 and 1 at once, node $me: /" ;;
esac
stat $C/.spike-stats > /dev/null 2>&1	# the next batch: at once
cluster_barrier rep2 > /dev/null
# The legacy MOSIX set-up typed by hand on node 0 with relative paths.
if [ "$me" = 0 ]; then
	(
		cd $C || exit 1
		P=schedulers/mosix/mosix_load_balancer
		mkdir probes/mosix_probe probes/migration_probe schedulers/mosix &&
		mkdir $P && mkdir $P/local_load/freq_limit_filter &&
		mkdir $P/local_load/freq_limit_filter/threshold_filter &&
		cd $P/local_load/freq_limit_filter &&
		ln -s ../../../../../probes/migration_probe/last_migration last_event/migration &&
		cd $C && ln -s probes/mosix_probe/norm_mean_load \
			$P/local_load/freq_limit_filter/threshold_filter/mosix_mean &&
		echo 1500 > $P/local_load/freq_limit_filter/threshold_filter/threshold &&
		cd /config/krg_scheduler/schedulers/mosix &&
		ln -s ../../probes/mosix_probe/process_load mosix_load_balancer/process_load/mosix
	) > /tmp/legacy.log 2>&1
	check "the legacy set-up, relative paths, on node 0" [ $? = 0 ]
	cat /tmp/legacy.log
else
	ok "(node 0 types the set-up)"
fi
cluster_barrier typed > /dev/null
T=schedulers/mosix/mosix_load_balancer/local_load/freq_limit_filter/threshold_filter/threshold
if [ "$me" = 0 ]; then
	# a binary attribute (a pid source's listing) through the front
	lf=$(wc -l < $C/probes/mosix_probe/process_load/value)
	lp=$(wc -l < $PRIV/krg_scheduler/probes/mosix_probe/process_load/value)
	echo "# binary attribute process_load/value: $lf lines through the front, $lp directly"
	check "... a binary attribute reads whole through the front" \
		[ "$lf" -ge 5 ] && [ $((lf - lp)) -le 3 ] && [ $((lp - lf)) -le 3 ]
	$B wr $PRIV/krg_scheduler/$T "$N" 1500 | sed 's/^# /# attribute write, directly: /'
	$B wr $C/$T "$N" 1500 | sed 's/^# /# attribute write, replicated: /'
else
	ok "(node 0 reads a binary attribute)"
fi
cluster_barrier written > /dev/null
krgsched show --cfg > $CL_SHARED/show.$me 2>&1
cluster_barrier shown > /dev/null
check "... the same krgsched show --cfg on every node" sh -c \
	"cmp -s $CL_SHARED/show.0 $CL_SHARED/show.1 && cmp -s $CL_SHARED/show.0 $CL_SHARED/show.2 && grep -q threshold_filter $CL_SHARED/show.0"
check "... the links read the same through the private mount" sh -c \
	"readlink $PRIV/krg_scheduler/schedulers/mosix/mosix_load_balancer/local_load/freq_limit_filter/last_event/migration | grep -q 'probes/migration_probe/last_migration\$'"
check "... the link made through /config/krg_scheduler too" sh -c \
	"readlink $PRIV/krg_scheduler/schedulers/mosix/mosix_load_balancer/process_load/mosix | grep -q 'probes/mosix_probe/process_load\$'"
if [ "$me" = 0 ]; then
	# the FUSE hop on a whole-tree read: krgsched show --cfg, 10 times,
	# through the front, then in a mount namespace without it
	t0=$(cluster_now); for i in 1 2 3 4 5 6 7 8 9 10; do krgsched show --cfg > /dev/null; done; t1=$(cluster_now)
	td=$(unshare -m sh -c "umount /config/krg_scheduler; umount $C && t0=\$(cut -d' ' -f1 /proc/uptime) &&
		for i in 1 2 3 4 5 6 7 8 9 10; do krgsched show --cfg > /dev/null; done &&
		echo \$t0 \$(cut -d' ' -f1 /proc/uptime)")
	echo "$t0 $t1 $td" | awk '{ printf "# krgsched show --cfg (the set-up above): %.0f ms through the front, %.0f ms directly (mean of 10)\n", ($2 - $1) * 100, ($4 - $3) * 100 }'
	# the same through a second, caching front (entries and attributes
	# kept 10 s, nothing invalidated: a measurement only), in its own
	# mount namespace
	tc=$(unshare -m sh -c "umount /config/krg_scheduler; umount $C &&
		{ $B fs $PRIV/krg_scheduler $C cache -- -f -o allow_other,default_permissions > /tmp/front2.log 2>&1 & } &&
		for i in \$(seq 50); do grep -q ' $C fuse' /proc/mounts && break; sleep 0.2; done &&
		krgsched show --cfg > /dev/null && t0=\$(cut -d' ' -f1 /proc/uptime) &&
		for i in 1 2 3 4 5 6 7 8 9 10; do krgsched show --cfg > /dev/null; done &&
		echo \$t0 \$(cut -d' ' -f1 /proc/uptime); umount $C")
	echo "$tc" | awk '{ printf "# krgsched show --cfg through a front that lets the kernel cache 10 s: %.0f ms (mean of 10, after one to fill)\n", ($2 - $1) * 100 }'
fi
cluster_barrier compared > /dev/null
if [ "$me" = 1 ]; then
	krgsched destroy mosix > /dev/null 2>&1 || true
	rmdir $C/probes/mosix_probe $C/probes/migration_probe 2>/dev/null
fi
cluster_barrier destroyed > /dev/null
check "... destroyed on node 1: gone everywhere" wait_until 30 sh -c \
	"[ ! -e $PRIV/krg_scheduler/schedulers/mosix ] && [ ! -e $PRIV/krg_scheduler/probes/mosix_probe ]"
# Two writers, the same names: the total order decides, no EAGAIN.
case $me in
0|1) $B race mkdir $C/schedulers 100 same_ > $CL_SHARED/race.mk.$me ;;
esac
cluster_barrier raced > /dev/null
case $me in
0|1) $B race rmdir $C/schedulers 100 same_ > $CL_SHARED/race.rm.$me ;;
esac
cluster_barrier raced2 > /dev/null
echo "# same 100 names from nodes 0 and 1 at once (ok lost other): mkdir $(cat $CL_SHARED/race.mk.0) / $(cat $CL_SHARED/race.mk.1), rmdir $(cat $CL_SHARED/race.rm.0) / $(cat $CL_SHARED/race.rm.1)"
check "... each name made once (the other EEXIST), removed once (ENOENT), nothing else" \
	awk '{ ok += $1; lost += $2; other += $3 } END { exit !(ok == 200 && lost == 200 && other == 0) }' \
	$CL_SHARED/race.mk.0 $CL_SHARED/race.mk.1 $CL_SHARED/race.rm.0 $CL_SHARED/race.rm.1
check "... and the trees are the same" wait_until 30 sh -c "[ -z \"\$(ls $PRIV/krg_scheduler/schedulers)\" ]"
cluster_barrier end > /dev/null
if [ "$me" = 2 ]; then
	kill -9 "$(cat /run/front.pid)"; wait "$(cat /run/front.pid)" 2>/dev/null
	echo "# the front killed, the mount up: $(errtext ls $C)"
	check "the front killed: ENOTCONN until unmounted" sh -c \
		"ls $C 2>&1 | grep -q 'not connected' && umount /config/krg_scheduler && umount $C && [ -d $C/probes ]"
	# what krgd could leave when it stops: the private tree, read-only
	mount -o bind $PRIV/krg_scheduler $C && mount -o remount,bind,ro $C
	echo "# a read-only bind in its place: $(errtext mkdir $C/schedulers/x)"
	check "... a read-only bind of the private tree instead: reads, EROFS for changes" sh -c \
		"[ -d $C/probes ] && cat $C/stats > /dev/null && mkdir $C/schedulers/x 2>&1 | grep -q 'Read-only' && umount $C && mkdir $C/schedulers/x && rmdir $C/schedulers/x"
else
	check "... the front stops" front_down
	ok "(node 2 tries a read-only bind)"
fi
grep '^# ' /tmp/front.log
grep -v '^# \|max threads' /tmp/front.log | sed 's/^/# front log: /' | head -5
umount $PRIV
tap_done
