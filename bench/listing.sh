#!/bin/sh
# shellcheck disable=SC2046 # set -- $(...) splits numbers on purpose
# The value listing of a per-process source, in the VM (tests/vm/run --bench
# listing): the time to read processsize_probe's total_vm/value (one line
# per process) with N more sleeping processes, against reading one process's
# pid_value, both with open + read + close in one program (listing_bench:
# median of 9 rounds of 20 reads, the two interleaved).
. /krg/lib/krg.sh
C=/sys/kernel/config/krg_scheduler/probes/processsize_probe
N=${KRG_BENCH_SLEEPERS:-2000}

pids=""
i=0
while [ $i -lt "$N" ]; do
	sleep 100000 &
	pids="$pids $!"
	i=$((i + 1))
done
mkdir "$C"
echo $$ > "$C/pid"
set -- $(/krg/bench/listing_bench "$C/total_vm/value" "$C/pid_value" |
	 awk '{ print $2, $3 }')
all=$1 bytes=$2 one=$3
lines=$(wc -l < "$C/total_vm/value")
echo "## total_vm/value with $lines processes ($bytes bytes) vs one pid_value"
echo "| read | us per open+read+close |"
echo "|---|---|"
echo "| value, $lines lines | $((all / 1000)) |"
echo "| pid_value | $((one / 1000)) |"
awk -v a="$all" -v o="$one" 'BEGIN { printf "ratio: %.0f\n", a / o }'
rmdir "$C"
# shellcheck disable=SC2086
kill $pids 2>/dev/null
wait 2>/dev/null
