#!/bin/sh
# A benchmark, not in the suite (bench/README.md):
#   tests/cluster/run -n 3 bench_values
# 1. Age of remote values at the reader: each node reads, 200 times 50 ms
#    apart, the age_ms of the other nodes' mosix_probe upper_load (probe
#    period 1000 ms, krgd's period 500 ms); the age counts from the
#    sender's read, so a value is at most one agent period plus transit
#    old here, plus up to one probe period since the probe measured it.
#    Median and 90th percentile (goal: median <= 1 probe period + 1 CPG
#    round trip).
# 2. The agent's CPU at idle on every node: krgd's utime + stime over
#    20 s, as % of one CPU (goal < 1%), without probes (only the
#    membership and the node figures) and then with the MOSIX set-up's
#    probes (their values sent and received), in one run.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
C=$KRG_CFS
P=$C/probes/mosix_probe/upper_load
tap_plan 2

me=$((KRG_NODE_ID - 1))
hz=100	# USER_HZ on x86-64 (busybox has no getconf)
# agent_cpu WHAT: krgd's CPU over 20 s, printed.
agent_cpu() {
	_p=$(cat /run/krgd.pid)
	_t0=$(awk '{ print $14 + $15 }' /proc/$_p/stat)
	_u0=$(cut -d' ' -f1 /proc/uptime)
	sleep 20
	_t1=$(awk '{ print $14 + $15 }' /proc/$_p/stat)
	_u1=$(cut -d' ' -f1 /proc/uptime)
	awk -v t="$((_t1 - _t0))" -v hz="$hz" -v s0="$_u0" -v s1="$_u1" -v w="$1" 'BEGIN {
		printf "# krgd CPU at idle, %s: %.2f%% of one CPU over %.0f s\n", w, 100 * t / hz / (s1 - s0), s1 - s0 }'
}

cluster_krg_up
wait_until 120 sh -c "[ \"\$(cat $K/nodes_online)\" = 0-$((KRG_NODES - 1)) ]"
cluster_barrier formed > /dev/null
agent_cpu "no probes"
krg_load krg_scheduler
wait_until 60 cluster_front_up
cluster_barrier front > /dev/null
[ "$me" = 0 ] && krgsched apply /krg/examples/mosix.cfg > /dev/null
wait_until 60 test -d $C/schedulers/mosix/mosix_load_balancer
cluster_barrier ready > /dev/null
check "every node's value here" wait_until 60 sh -c \
	"for n in \$(seq 0 $((KRG_NODES - 1))); do grep -qE '^[0-9]+\$' $P/nodes/\$n/age_ms || exit 1; done"
i=0
: > /tmp/ages
while [ $i -lt 200 ]; do
	for n in $(seq 0 $((KRG_NODES - 1))); do
		[ "$n" = "$me" ] || cat $P/nodes/$n/age_ms >> /tmp/ages
	done
	sleep 0.05
	i=$((i + 1))
done
sort -n /tmp/ages | awk '{ a[NR] = $1 } END {
	printf "# remote value age at the reader: median %d ms, p90 %d ms (%d reads)\n",
		a[int(NR / 2) + 1], a[int(NR * 0.9) + 1], NR }'
check "krgd ran throughout" kill -0 "$(cat /run/krgd.pid)"
agent_cpu "with the MOSIX set-up's probes"
cluster_barrier done > /dev/null
[ "$me" = 0 ] && krgsched destroy mosix
wait_until 60 test ! -d $C/schedulers/mosix
cluster_barrier removed > /dev/null
cluster_krgd_stop
cluster_krgd_cleanup
tap_done
