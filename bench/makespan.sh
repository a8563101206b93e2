#!/bin/sh
# Makespan of CPU-bound jobs (bench/burn) against the floor, in the VM:
#   tests/vm/run -t 1800 --bench makespan --nodes 2   (or --nodes 4)
#
# The floor is measured in the same run: NCPU burners at once (one per CPU,
# every vCPU busy) give the total rate R of work units per second that the
# guest really gets (4 vCPUs on 2 host cores get about 2 CPUs), and
#   floor = max(longest job, total work / R)
# with "a job of S seconds" = S x R0/NCPU units (R0: the first calibration),
# so the longest job takes S x NCPU / R. A calibration counts for 2 s; one
# runs before the first run and one after each, and a run's floor uses the
# mean of the two around it: the ratio to the floor comes from moments
# seconds apart, whatever the host does meanwhile.
# Beside it, the CPU-time floor: each job reports the CPU time it used
# (burn -t), and max(longest, sum / NCPU) of those is what the guest's CPUs
# would need if none were ever idle (makespan / it = 1 / utilisation).
#
# Workloads (NCPU = the guest's CPUs):
#   equal   4 x NCPU jobs of 4 s (8 on 2 nodes, 16 on 4)
#   mixed   NCPU/2 times the list 3 7 1 8 5 2 6 4 s (36 s of work per 2
#           CPUs; 8 jobs on 2 nodes, 16 on 4)
# Set-ups; every job is started by this shell, on node 0, with
# DISTANT_FORK and CAN_MIGRATE:
#   none         no scheduler: all stay on node 0 (first round only)
#   mosix        examples/mosix.cfg, the legacy MOSIX set-up (Kerrighed's
#                defaults: 2 s, stab_factor 130, 1 s periods)
#   balanced     examples/balanced.cfg: placement in turn, and a MOSIX
#                balancer that reacts within about a second
#   round_robin  examples/round_robin.cfg: placement in turn, no balancing
# Each round runs every set-up on both workloads, in an order that rotates
# from round to round. Migrations: the growth of "done" in
# /sys/kernel/krg/migrations during the run (placements by distant fork are
# not migrations).
# Settings (environment; the kernel command line passes NAME=value to
# init, so: tests/vm/run --append "KRG_BENCH_ROUNDS=3" ...):
#   KRG_BENCH_ROUNDS (2), KRG_BENCH_SETUPS ("mosix balanced round_robin"),
#   KRG_BENCH_NONE (1: run none in the first round), KRG_BENCH_WORKLOADS
#   ("equal mixed").
. /krg/lib/krg.sh
C=$KRG_CFS
B=/krg/bench
E=/krg/examples
ROUNDS=${KRG_BENCH_ROUNDS:-2}
SETUPS=${KRG_BENCH_SETUPS:-"mosix balanced round_robin"}
WORKLOADS=${KRG_BENCH_WORKLOADS:-"equal mixed"}
MIXED="3 7 1 8 5 2 6 4"
N=$(ls -d /sys/kernel/krg/node[0-9]* | wc -l)
NCPU=$(grep -c ^processor /proc/cpuinfo)
R=/tmp/ms.raw

now() { cut -d' ' -f1 /proc/uptime; }
done_migrations() { sed -n 's/^done //p' /sys/kernel/krg/migrations; }

# The work units all NCPU CPUs do in one second together, each busy.
calibrate() {
	i=0
	while [ $i -lt $NCPU ]; do
		sh -c "migrate \$\$ $((i % N)) > /dev/null; exec $B/burn -c 2" \
			> /tmp/cal.$i &
		i=$((i + 1))
	done
	wait
	cat /tmp/cal.* | awk '{ s += $1 } END { print s }'
	rm -f /tmp/cal.*
}

# Job lengths in seconds of one CPU, one per line.
jobs_of() {
	case $1 in
	equal)
		i=0
		while [ $i -lt $((4 * NCPU)) ]; do echo 4; i=$((i + 1)); done ;;
	mixed)
		i=0
		while [ $i -lt $(((NCPU + 1) / 2)) ]; do
			for s in $MIXED; do echo $s; done
			i=$((i + 1))
		done ;;
	esac
}

setup_on() {
	case $1 in
	none) ;;
	*) krgsched apply $E/$1.cfg > /dev/null || exit 1 ;;
	esac
}

setup_off() {
	for s in $C/schedulers/*; do
		[ -d "$s" ] && krgsched destroy "${s##*/}"
	done
	rmdir $C/probes/* 2>/dev/null
}

# One run: set-up $1, workload $2, round $3; appends a line to $R:
# "workload setup round makespan floor migrations cpu_floor".
run() {
	c0=$CAL
	setup_on $1
	m0=$(done_migrations)
	t0=$(now)
	pids=
	j=0
	rm -f /tmp/job.*
	for s in $(jobs_of $2); do
		$B/burn -t $((s * UNIT)) > /tmp/job.$j &
		pids="$pids $!"
		j=$((j + 1))
	done
	for p in $pids; do wait $p; done
	t1=$(now)
	m1=$(done_migrations)
	setup_off
	c1=$(calibrate)
	CAL=$c1
	cpu=$(cat /tmp/job.* | awk -v ncpu=$NCPU '
		{ tot += $1; if ($1 > max) max = $1 }
		END { f = tot / ncpu; if (max > f) f = max; printf "%.2f", f }')
	jobs_of $2 | awk -v ms="$(awk "BEGIN { print $t1 - $t0 }")" \
		-v c="$(((c0 + c1) / 2))" -v u=$UNIT -v ncpu=$NCPU \
		-v w=$2 -v su=$1 -v r=$3 -v m=$((m1 - m0)) -v cpu=$cpu '
		{ tot += $1; if ($1 > max) max = $1 }
		END {
			f = max * u * ncpu / c; g = tot * u / c
			if (g > f) f = g
			printf "%s %s %d %.2f %.2f %d %s\n", w, su, r, ms, f, m, cpu
		}' >> $R
	tail -n1 $R | sed 's/^/# run: /'
}

krgcapset -f -e +CAN_MIGRATE,DISTANT_FORK -d +CAN_MIGRATE
migrate $$ 0 > /dev/null
: > $R
CAL=$(calibrate)
UNIT=$((CAL / NCPU))
echo "# $N nodes, $NCPU CPUs; $UNIT units per CPU-second with every CPU busy"

r=1
while [ $r -le $ROUNDS ]; do
	list=$SETUPS
	[ $r = 1 ] && [ "${KRG_BENCH_NONE:-1}" = 1 ] && list="none $list"
	# Rotate the order by the round number.
	k=1
	while [ $k -lt $r ]; do
		list="$(echo $list | cut -d' ' -f2-) $(echo $list | cut -d' ' -f1)"
		k=$((k + 1))
	done
	for w in $WORKLOADS; do
		for s in $list; do run $s $w $r; done
	done
	r=$((r + 1))
done

echo "## makespan, $N NUMA nodes of $((NCPU / N)) CPU, floor from the same run"
echo "| workload | set-up | makespan (s), each round | floor (s) | ratio to floor, each round | ratio to CPU-time floor | migrations, each round |"
echo "|---|---|---|---|---|---|---|"
for w in $WORKLOADS; do
	for s in none $SETUPS; do
		awk -v w=$w -v s=$s '
			$1 == w && $2 == s {
				ms = ms sep $4; fl = fl sep $5
				ra = ra sep sprintf("%.2f", $4 / $5)
				rc = rc sep sprintf("%.2f", $4 / $7)
				mi = mi sep $6; sep = ", "
			}
			END { if (ms != "") printf "| %s | %s | %s | %s | %s | %s | %s |\n", w, s, ms, fl, ra, rc, mi }' $R
	done
done
