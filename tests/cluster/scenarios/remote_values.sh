#!/bin/sh
# Three guests, one tree: the legacy MOSIX set-up applied on node 0 is
# every node's (krgd's replicated tree), and every node's value reaches every
# other node's value cache through krgd (CPG). A CPU-bound job on node 1
# shows as node 1's load on nodes 0 and 2, each value with its age; the
# age is printed (bench/README.md; never a verdict). A node's own value is
# read here, never taken from the others. The legacy MOSIX set-up
# (examples/mosix.cfg) reads the other machines:
# its remote_load's remote_cache_filter holds every node's value.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
C=$KRG_CFS
P=$C/probes/mosix_probe/upper_load
tap_plan 9

me=$((KRG_NODE_ID - 1))
value_of() { cat $P/nodes/$1/value; }
# is_number NODE: node NODE's value here is a number
is_number() { value_of "$1" | grep -qE '^[0-9]+$'; }
# loaded NODE: node NODE's value here says one CPU-bound process or more
loaded() { is_number "$1" && [ "$(value_of "$1")" -ge 700 ]; }

check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat $K/nodes_online)\" = 0-2 ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
cluster_barrier front > /dev/null
if [ "$me" = 0 ]; then
	check "the legacy MOSIX set-up applies (examples/mosix.cfg)" krgsched apply /krg/examples/mosix.cfg
	check "... mosix_probe's period 200 ms" sh -c "echo 200 > $C/probes/mosix_probe/probe_period"
else
	check "node 0's set-up is here" wait_until 60 test -d $C/schedulers/mosix/mosix_load_balancer/remote_load
	check "... mosix_probe's period 200 ms" wait_until 30 grep -qx 200 $C/probes/mosix_probe/probe_period
fi
R=$C/schedulers/mosix/mosix_load_balancer/remote_load/remote_cache_filter
cluster_barrier probes > /dev/null
check "every node's value reaches this node" wait_until 60 sh -c \
	"for n in 0 1 2; do cat $P/nodes/\$n/value | grep -qE '^[0-9]+\$' || exit 1; done"
check "... with its age (ms)" sh -c \
	"for n in 0 1 2; do grep -qE '^[0-9]+\$' $P/nodes/\$n/age_ms || exit 1; done"
cluster_barrier seen > /dev/null

if [ "$me" = 1 ]; then
	sh -c 'while :; do :; done' &
	job=$!
	check "the job loads this node (read here)" wait_until 60 loaded 1
	check "(this node's value is measured here)" [ "$(cat $K/node1/measured)" = 1 ]
else
	check "node 1's job shows here as node 1's load" wait_until 60 loaded 1
	ages=$(for i in 1 2 3 4 5 6 7 8 9 10; do cat $P/nodes/1/age_ms; sleep 0.1; done | sort -n | tr '\n' ' ')
	echo "# node 1's value here: $(value_of 1); ages (ms, sorted): $ages"
	check "... and its age is a number of ms" grep -qE '^[0-9]+$' $P/nodes/1/age_ms
fi
check "MOSIX's remote_load caches node 1's load too" wait_until 60 sh -c \
	"awk '\$1 == 1 && \$2 >= 700 { ok = 1 } END { exit !ok }' $R/cache"
sed 's/^/# remote_load cache: /' $R/cache
cluster_barrier loaded > /dev/null
[ -z "${job:-}" ] || { kill $job; wait $job 2>/dev/null; }
cluster_barrier done > /dev/null
[ "$me" = 0 ] && krgsched destroy mosix && rmdir $C/probes/mosix_probe $C/probes/migration_probe
wait_until 60 test ! -d $C/probes/migration_probe
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
rmmod mosix_load_balancer remote_cache_filter freq_limit_filter threshold_filter \
	mosix_probe migration_probe krg_scheduler krg
tap_done
