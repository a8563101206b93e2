#!/bin/sh
# shellcheck disable=SC2046 # set -- $(...) splits numbers on purpose
# The probes' cost at idle, in the VM (tests/vm/run --bench probes):
#  1. each periodic probe alone at its default probe_period (1000 ms): the
#     time its measure() took, from its cost_ns attribute, per measurement
#     and as a share of one CPU;
#  2. mosix_probe and load_probe walk every thread: their cost per
#     measurement with the idle system's threads and with N more sleeping
#     processes;
#  3. the whole system's busy time (/proc/stat, all CPUs) at idle with no
#     probe vs every probe at its default period, interleaved, 3 rounds,
#     median kept: what the probes cost including the workqueue around
#     measure(), and the noise floor it is measured against.
. /krg/lib/krg.sh
C=/sys/kernel/config/krg_scheduler/probes
T=${KRG_BENCH_PROBE_SECONDS:-20}	# seconds per probe in 1.
W=${KRG_BENCH_IDLE_SECONDS:-30}		# seconds per idle window in 3.
N=${KRG_BENCH_SLEEPERS:-500}		# extra processes in 2.
PERIODIC="cpu_probe mem_probe mosix_probe load_probe thermal_probe"
ALL="$PERIODIC processsize_probe migration_probe"

median() { sort -n | sed -n 2p; }
now_ns() { awk '{printf "%.0f", $1 * 1000000000}' /proc/uptime; }

# Busy and total jiffies of all CPUs, from the "cpu" line of /proc/stat.
cpu_times() {
	awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9;
			   print b, b + $5 + $6 }' /proc/stat
}

# A thermal zone to read: the test zone.
insmod /krg/modules/krg_test_thermal.ko 2>/dev/null

# cost_ns of probe $1 over $2 s; prints "ns measurements".
probe_cost() {
	mkdir "$C/$1"
	[ "$1" = thermal_probe ] && echo krg_test > "$C/$1/zone"
	sleep 1.5	# past the first measurement (it only sets a baseline)
	c0=$(cat "$C/$1/cost_ns"); t0=$(now_ns)
	sleep "$2"
	c1=$(cat "$C/$1/cost_ns"); t1=$(now_ns)
	rmdir "$C/$1"
	echo "$((c1 - c0)) $(((t1 - t0) / 1000000000))"
}

echo "## probe cost at idle, default probe_period 1000 ms ($T s each)"
echo "| probe | us per measurement | CPU share of one CPU |"
echo "|---|---|---|"
for p in $PERIODIC; do
	set -- $(probe_cost "$p" "$T")
	awk -v p="$p" -v ns="$1" -v s="$2" 'BEGIN {
		printf "| %s | %.1f | %.4f%% |\n", p, ns / s / 1000,
		       ns / (s * 1e9) * 100 }'
done

echo
echo "## thread walks: us per measurement vs threads"
echo "| threads | mosix_probe | load_probe |"
echo "|---|---|---|"
walk_cost() {
	threads=$(ls -d /proc/[0-9]*/task/[0-9]* | wc -l)
	set -- $(probe_cost mosix_probe 10)
	m=$(awk -v ns="$1" -v s="$2" 'BEGIN { printf "%.1f", ns / s / 1000 }')
	set -- $(probe_cost load_probe 10)
	l=$(awk -v ns="$1" -v s="$2" 'BEGIN { printf "%.1f", ns / s / 1000 }')
	echo "| $threads | $m | $l |"
}
walk_cost
pids=""
i=0
while [ $i -lt "$N" ]; do
	sleep 100000 &
	pids="$pids $!"
	i=$((i + 1))
done
walk_cost
# shellcheck disable=SC2086
kill $pids 2>/dev/null
wait 2>/dev/null

echo
echo "## whole system busy at idle, all CPUs ($W s windows, median of 3)"
: > /tmp/idle.off
: > /tmp/idle.on
for _ in 1 2 3; do
	for mode in off on; do
		if [ $mode = on ]; then
			for p in $ALL; do mkdir "$C/$p"; done
			echo krg_test > "$C/thermal_probe/zone"
		fi
		set -- $(cpu_times)
		b0=$1 t0=$2
		sleep "$W"
		set -- $(cpu_times)
		awk -v b="$(($1 - b0))" -v t="$(($2 - t0))" \
			'BEGIN { printf "%.4f\n", b / t * 100 }' >> /tmp/idle.$mode
		[ $mode = on ] && for p in $ALL; do rmdir "$C/$p"; done
	done
done
off=$(median < /tmp/idle.off)
on=$(median < /tmp/idle.on)
echo "| probes | busy share of all CPUs | rounds |"
echo "|---|---|---|"
echo "| none | $off% | $(tr '\n' ' ' < /tmp/idle.off)|"
echo "| all 7, default periods | $on% | $(tr '\n' ' ' < /tmp/idle.on)|"
awk -v a="$off" -v b="$on" \
	'BEGIN { printf "difference: %+.4f points of CPU time\n", b - a }'
rmmod krg_test_thermal
