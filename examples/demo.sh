#!/bin/sh
# The krgsched demo (make demo), run inside the VM: CPU-bound jobs all start
# on node 0; without a scheduler they stay there, with the legacy MOSIX
# scheduler (examples/mosix.cfg) they spread over the nodes. krgtop shows
# them move; the summary compares the makespans.
#
# DEMO_JOBS (default 8) jobs of DEMO_JOB_SECONDS (default 4) seconds of CPU
# each, measured on this machine before the start.
. /krg/lib/krg.sh
C=$KRG_CFS
JOBS=${DEMO_JOBS:-8}
SECS=${DEMO_JOB_SECONDS:-4}

say() { printf '\n=== %s\n' "$*"; }
now() { cut -d' ' -f1 /proc/uptime; }
done_migrations() { sed -n 's/^done //p' /sys/kernel/krg/migrations 2>/dev/null || echo 0; }

NODES=$(cat /sys/kernel/krg/nodes_online)
CPUS=$(grep -c ^processor /proc/cpuinfo)
say "krgsched demo: nodes $NODES ($CPUS CPUs), backend $(cat /sys/kernel/krg/backend)"
for n in /sys/kernel/krg/node[0-9]*; do
	echo "  ${n##*/}: CPUs $(cat $n/cpulist)"
done

# Jobs may migrate (CAN_MIGRATE for this shell and its children), and this
# shell moves to node 0 so that every job starts there.
krgcapset -f -e +CAN_MIGRATE -d +CAN_MIGRATE
migrate $$ 0
UNITS=$(( $(/krg/bench/burn -c) * SECS ))
echo "  $JOBS jobs of $UNITS work units (about ${SECS}s of CPU each), started on node 0"

run_jobs() {	# $1: label; prints the makespan in seconds
	t0=$(now)
	pids=
	i=0
	while [ $i -lt $JOBS ]; do
		/krg/bench/burn $UNITS &
		pids="$pids $!"
		i=$((i + 1))
	done
	if [ "${KRG_LIVE:-0}" = 1 ]; then
		krgtop -d 1 &
	else
		krgtop -b -d 3 &
	fi
	top=$!
	for p in $pids; do wait $p; done
	kill $top 2>/dev/null
	wait $top 2>/dev/null
	t1=$(now)
	awk "BEGIN { printf \"%.1f\", $t1 - $t0 }" > /tmp/makespan.$1
}

say "1/2: no scheduler: the jobs share node 0"
run_jobs none
echo "makespan without a scheduler: $(cat /tmp/makespan.none)s"

say "2/2: the legacy MOSIX scheduler (examples/mosix.cfg)"
krgsched apply /krg/examples/mosix.cfg || exit 1
krgsched show mosix
m0=$(done_migrations)
run_jobs mosix
m1=$(done_migrations)
echo "makespan with the MOSIX balancer: $(cat /tmp/makespan.mosix)s"
krgsched show mosix | sed -n '1,3p'
krgsched destroy mosix
rmdir $C/probes/* 2>/dev/null

none=$(cat /tmp/makespan.none)
mosix=$(cat /tmp/makespan.mosix)
say "summary"
echo "| set-up | makespan (s) | vs no scheduler |"
echo "|---|---|---|"
echo "| no scheduler (all on node 0) | $none | 1.00 |"
awk "BEGIN { printf \"| MOSIX balancer | %s | %.2f |\n\", $mosix, $mosix / $none }"
CPUS0=$(ls -d /sys/devices/system/node/node0/cpu[0-9]* | wc -l)
awk "BEGIN { printf \"| ideal (the work over %d CPUs) | %.1f | %.2f |\n\", $CPUS, $none * $CPUS0 / $CPUS, $CPUS0 / $CPUS }"
echo "migrations done by the balancer: $((m1 - m0))"
