#!/bin/sh
# Makespan of 8 CPU-bound jobs (bench/burn, about 4 s of CPU each), in the
# VM (tests/vm/run --bench makespan; 2 NUMA nodes of one CPU by default):
#   none         all start on node 0 and stay there
#   round_robin  distant fork: round_robin_balancer places them in turn
#   mosix        all start on node 0; the legacy MOSIX balancer spreads them
#   ideal        spread by hand at start (job i on node i mod N)
# Each set-up runs 2 times, interleaved; the table keeps the better run.
# The ratio to ideal is the figure of merit (goal for mosix: <= 1.15).
. /krg/lib/krg.sh
C=$KRG_CFS
JOBS=${KRG_BENCH_JOBS:-8}
SECS=${KRG_BENCH_JOB_SECONDS:-4}
N=$(ls -d /sys/kernel/krg/node[0-9]* | wc -l)

krgcapset -f -e +CAN_MIGRATE -d +CAN_MIGRATE
migrate $$ 0
UNITS=$(( $(/krg/bench/burn -c) * SECS ))
now() { cut -d' ' -f1 /proc/uptime; }

run() {		# $1: set-up
	case $1 in
	mosix) krgsched apply /krg/examples/mosix.cfg > /dev/null ;;
	round_robin)
		krgsched apply /krg/examples/round_robin.cfg > /dev/null
		krgcapset -f -e +DISTANT_FORK ;;
	esac
	t0=$(now)
	pids=
	i=0
	while [ $i -lt $JOBS ]; do
		/krg/bench/burn $UNITS &
		pids="$pids $!"
		[ "$1" = ideal ] && migrate $! $((i % N))
		i=$((i + 1))
	done
	for p in $pids; do wait $p; done
	t1=$(now)
	case $1 in
	mosix) krgsched destroy mosix; rmdir $C/probes/* 2>/dev/null ;;
	round_robin)
		krgcapset -f -e -DISTANT_FORK
		krgsched destroy round_robin ;;
	esac
	awk "BEGIN { printf \"%.2f\\n\", $t1 - $t0 }" >> /tmp/ms.$1
}

for s in none round_robin mosix ideal; do : > /tmp/ms.$s; done
for r in 1 2; do
	for s in none round_robin mosix ideal; do run $s; done
done
best() { sort -n /tmp/ms.$1 | head -n1; }
ideal=$(best ideal)
echo "## makespan of $JOBS jobs of ${SECS}s of CPU, $N nodes of 1 CPU"
echo "| set-up | makespan (s) | ratio to ideal |"
echo "|---|---|---|"
for s in none round_robin mosix ideal; do
	v=$(best $s)
	awk "BEGIN { printf \"| %s | %s | %.2f |\\n\", \"$s\", $v, $v / $ideal }"
done
