#!/bin/sh
# Not in the suite (bench/README.md, "migration"): node 0's job moved to
# node 1, by hand with CRIU (CLUSTER.md's recipe: criu dump -s with the
# pages to node 1's page server, the images on /shared, criu restore -d -S
# there: "raw") and with `migrate` through krgd, for each size of
# KRG_BENCH_SIZES (MiB, default "1 64"; 256 needs --mem 1200), twice each,
# alternating, in one run. Prints per size: raw frozen (dump + restore),
# migrate's frozen time (krgd's log) and its end to end (migrate's), and
# the ratios. Figures only: no verdict but that each move worked.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
me=$((KRG_NODE_ID - 1))
S=$CL_SHARED/bench_migrate
# 256 MiB when the guests have the memory (--mem 1200)
sizes="1 64"
[ "$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" -gt 1000000 ] && sizes="1 64 256"
reps=2
n=0
for _ in $sizes; do n=$((n + reps * 2)); done
[ $me -le 1 ] && tap_plan $((n + 2)) || tap_plan 2
check "krg.ko in cluster mode, krgd running" cluster_krg_up
check "every node online" wait_until 120 sh -c "[ \"\$(cat /sys/kernel/krg/nodes_online)\" = 0-$((KRG_NODES - 1)) ]"
krg_load krg_scheduler
wait_until 60 cluster_front_up
[ $me = 0 ] && { rm -rf $S; mkdir -p $S; }
cluster_barrier ready > /dev/null
[ $me -le 1 ] || { tap_done; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
# job SIZE: start node 0's job of SIZE MiB, its pid in $job
job() {
	echo $((3000000 + $(ms) % 1000000)) > /proc/sys/kernel/ns_last_pid
	setsid /krg/tests/migjob "$1" 0 > $S/out.$1 2>&1 < /dev/null &
	job=$!
	wait_until 120 grep -q "^round 1 " $S/out.$1
	krgcapset -k $job -p +CAN_MIGRATE -e +CAN_MIGRATE
}
i=0
for size in $sizes; do
	for rep in $(seq $reps); do
		i=$((i + 1))
		# raw: CLUSTER.md's hand-driven recipe, images in tmpfs on both
		# nodes, the small ones (all but the pages) carried by /shared
		if [ $me = 1 ]; then
			rm -rf /tmp/raw; mkdir -p /tmp/raw
			criu page-server -D /tmp/raw --address 10.77.0.2 --port 7090 > /dev/null 2>&1 &
			ps=$!
			sleep 1
			echo up > $S/ps.$i
			wait_until 300 test -e $S/dumped.$i
			wait $ps
			t0=$(ms)
			cp $S/img.$i/* /tmp/raw/ && criu restore -d -S -j -D /tmp/raw -o restore.log > /dev/null 2>&1
			r=$?
			t1=$(ms)
			echo $((t1 - t0)) > $S/restore_ms.$i
			pid=$(cat $S/rawpid.$i)
			check "raw $size MiB: restored on node 1" [ $r = 0 ]
			kill -9 $pid 2>/dev/null
			wait_until 10 sh -c "[ ! -d /proc/$pid ]"
			echo done > $S/rawdone.$i
			rm -rf /tmp/raw $S/img.$i
		else
			job "$size"
			echo $job > $S/rawpid.$i
			wait_until 60 test -e $S/ps.$i
			rm -rf /tmp/raw; mkdir -p /tmp/raw $S/img.$i
			t0=$(ms)
			criu dump -t $job -s -j -D /tmp/raw -o dump.log --page-server --address 10.77.0.2 --port 7090 > /dev/null 2>&1 &&
				cp /tmp/raw/*.img $S/img.$i/
			r=$?
			t1=$(ms)
			echo $((t1 - t0)) > $S/dump_ms.$i
			check "raw $size MiB: dumped on node 0" [ $r = 0 ]
			kill -9 $job; wait $job 2>/dev/null
			echo done > $S/dumped.$i
			wait_until 300 test -e $S/rawdone.$i
			rm -rf /tmp/raw
		fi
		cluster_barrier raw.$i > /dev/null
		# through krgd
		if [ $me = 0 ]; then
			job "$size"
			out=$(migrate $job 1 2>&1)
			e2e=$(echo "$out" | sed -n 's/.* in \([0-9]*\) ms$/\1/p')
			frozen=$(grep "process $job to node 1: done" /tmp/krgd.log | sed -n 's/.*frozen \([0-9]*\) ms.*/\1/p' | tail -n1)
			phases=$(grep "process $job to node 1: done" /tmp/krgd.log | sed -n 's/.*frozen [0-9]* ms: \(.*\))/\1/p' | tail -n1)
			check "migrate $size MiB: done ($out)" [ -n "$e2e" ]
			raw=$(( $(cat $S/dump_ms.$i) + $(cat $S/restore_ms.$i) ))
			echo "# $size MiB: raw $raw ms (dump and its images to /shared $(cat $S/dump_ms.$i), images from /shared and restore $(cat $S/restore_ms.$i)); migrate frozen ${frozen:-?} ms ($phases), end to end ${e2e:-?} ms; frozen/raw $(awk "BEGIN { printf \"%.2f\", ${frozen:-0} / $raw }"), end to end/raw $(awk "BEGIN { printf \"%.2f\", ${e2e:-0} / $raw }")"
			kill -TERM $job; wait $job 2>/dev/null
			check "... it ended through its ghost" sh -c "[ ! -d /proc/$job ]"
		fi
		cluster_barrier krg.$i > /dev/null
	done
done
tap_done
