#!/bin/sh
# The scheduler core's costs, in the VM (tests/vm/run --bench core):
#  1. ns per publish through a chain of 0, 1 and 4 filters (test_probe's
#     in-kernel publish loop), each configuration measured 3 times,
#     interleaved, median kept;
#  2. ns per distant-fork placement decision with 1, 16 and 64 schedulers
#     that all hold the process (by process group) and all answer "no
#     decision", so every one is asked (in-kernel loop over the core's
#     placement), interleaved, median of 3.
. /krg/lib/krg.sh
C=/sys/kernel/config/krg_scheduler
P=$C/probes/test_probe
POL=$C/schedulers/b/test_policy
N=${KRG_BENCH_PUBLISH:-200000}
L=${KRG_BENCH_PLACEMENTS:-100000}

median() { sort -n | sed -n 2p; }

mkdir $P $C/schedulers/b $POL
echo 1 > $P/set

chain() {	# $1: number of filters between the probe and the policy
	# A filter's directory is its main input: the chain nests test_pass
	# directories and the probe is linked (as "p") into the innermost.
	d=$POL/in
	while [ -d $d/test_pass ]; do d=$d/test_pass; done
	rm -f $d/p
	while [ "$d" != "$POL/in" ]; do rmdir $d; d=${d%/test_pass}; done
	i=0
	while [ $i -lt "$1" ]; do mkdir $d/test_pass; d=$d/test_pass; i=$((i + 1)); done
	ln -s $P/value $d/p
}

echo "## publish: ns per update through a chain of filters ($N updates a run)"
echo "| filters | ns/update | ratio to 0 |"
echo "|---|---|---|"
for f in 0 1 4; do : > /tmp/pub.$f; done
for r in 1 2 3; do
	for f in 0 1 4; do
		chain $f
		echo "$N" > $P/bench
		cat $P/bench_ns >> /tmp/pub.$f
	done
done
base=$(median < /tmp/pub.0)
for f in 0 1 4; do
	v=$(median < /tmp/pub.$f)
	echo "| $f | $v | $(awk "BEGIN{printf \"%.2f\", $v/$base}") |"
done
chain 0
rm -f $POL/in/value
rmdir $POL $C/schedulers/b $P

echo
echo "## placement: ns per decision with N schedulers ($L decisions a run)"
# Every scheduler holds this shell's process group and answers "no
# decision", so each is asked; timed by test_policy's in-kernel loop.
pg=$(cut -d' ' -f5 /proc/self/stat)
mk_scheds() {	# $1: count
	i=0
	while [ $i -lt "$1" ]; do
		mkdir $C/schedulers/p$i $C/schedulers/p$i/test_policy
		mkdir $C/schedulers/p$i/process_set/process_groups/$pg
		i=$((i + 1))
	done
}
rm_scheds() {
	for s in $C/schedulers/p*; do
		[ -d "$s" ] || continue
		rmdir $s/process_set/process_groups/* $s/test_policy $s
	done
}
for n in 1 16 64; do : > /tmp/pl.$n; done
for r in 1 2 3; do
	for n in 1 16 64; do
		mk_scheds $n
		echo "$L" > $C/schedulers/p0/test_policy/place_bench
		cat $C/schedulers/p0/test_policy/place_bench_ns >> /tmp/pl.$n
		rm_scheds
	done
done
echo "| schedulers asked | ns per decision | ns per scheduler |"
echo "|---|---|---|"
for n in 1 16 64; do
	v=$(median < /tmp/pl.$n)
	echo "| $n | $v | $((v / n)) |"
done
