#!/bin/sh
# BPF policies against their module twins, in the VM
# (tests/vm/run --bench bpf; bench/README.md has the results):
# ns per distant-fork placement decision of least_loaded and bpf_least_loaded
# (one port read per node), and of round_robin_balancer and bpf_round_robin,
# with 4, 64 and 256 nodes in the node set. krg.ko runs with the test node
# map (test_nodes=256: 256 nodes over the VM's NUMA nodes) so that a node set
# can be larger than the machine. test_probe gives every node a load value.
# One scheduler holds this shell's process group and is the only one asked;
# test_policy's in-kernel loop times the core's placement (krg_place_task)
# L times a run. "none" is the same scheduler with a policy that answers at
# once (test_policy), the fixed cost; "policy" columns subtract it.
# Runs are interleaved (7 of each); the fastest is kept: interference from a
# shared host only ever adds time.
. /krg/lib/krg.sh
C=/sys/kernel/config/krg_scheduler
S=$C/schedulers
P=$C/probes/test_probe
L=${KRG_BENCH_PLACEMENTS:-20000}

krg_unload_all > /dev/null
modprobe krg test_nodes=256 && modprobe krg_scheduler || exit 1
echo "# backend $(cat /sys/kernel/krg/backend), nodes online $(cat /sys/kernel/krg/nodes_online)"
krgpolicy load /krg/bpf/least_loaded.bpf.o > /dev/null || exit 1
krgpolicy load /krg/bpf/round_robin.bpf.o > /dev/null || exit 1

mkdir $P
n=0
while [ $n -lt 256 ]; do
	echo "$n $(( (n * 7919 + 13) % 1000 + 1 ))" > $P/set_node
	n=$((n + 1))
done
# The driver: a scheduler that holds nothing, whose test_policy runs the loop.
mkdir $S/driver $S/driver/test_policy
D=$S/driver/test_policy
pg=$(cut -d' ' -f5 /proc/self/stat)

run() {		# $1 policy, $2 node set: prints ns per decision
	mkdir $S/b && echo "$2" > $S/b/node_set &&
		mkdir $S/b/process_set/process_groups/$pg && mkdir $S/b/$1 || exit 1
	[ -d $S/b/$1/load ] && ln -s $P/value $S/b/$1/load
	echo "$L" > $D/place_bench
	cat $D/place_bench_ns
	rm -f $S/b/$1/load/value
	rmdir $S/b/$1 $S/b/process_set/process_groups/$pg $S/b
}
fastest() { sort -n | sed -n 1p; }

POLICIES="test_policy least_loaded bpf_least_loaded round_robin_balancer bpf_round_robin"
for set in 0-3 0-63 0-255; do
	for p in $POLICIES; do : > /tmp/b.$p; done
	for r in 1 2 3 4 5 6 7; do
		for p in $POLICIES; do run $p $set >> /tmp/b.$p; done
	done
	for p in $POLICIES; do eval "m_$p=$(fastest < /tmp/b.$p)"; done
	echo "## node set $set ($L decisions a run, fastest of 7)"
	echo "| policy | ns/decision | policy ns (minus none) | BPF / module |"
	echo "|---|---|---|---|"
	echo "| none (test_policy) | $m_test_policy | 0 | |"
	for pair in "least_loaded bpf_least_loaded" "round_robin_balancer bpf_round_robin"; do
		set -- $pair
		eval "a=\$m_$1 b=\$m_$2"
		awk -v n="$m_test_policy" -v a="$a" -v b="$b" -v ma="$1" -v mb="$2" 'BEGIN {
			printf "| %s | %d | %d | |\n", ma, a, a - n
			printf "| %s | %d | %d | %.2f (total %.2f) |\n", mb, b, b - n,
				(a - n > 0 ? (b - n) / (a - n) : 0), b / a }'
	done
	echo
done
rmdir $D $S/driver $P
for f in bpf_least_loaded bpf_round_robin; do krgpolicy unload $f > /dev/null; done
