#!/bin/sh
# The value cache's cost on a per-node read, in the VM
# (tests/vm/run --bench cache; bench/README.md has the results).
# ns per read of test_probe's "value" as seen on a node:
#   direct   the probe's own read, called in a loop by test_probe
#            (read_bench): what a policy's read cost before the cache;
#   measured through the core (krg_port_get_node_value(), test_policy's
#            read_bench) for a node measured here: the probe's read, then
#            the entry's fill (at most once per jiffy);
#   cached   the same for a node measured elsewhere
#            (krg.test_remote_nodes): the entry's read only.
# krg.ko runs with test_nodes=4 test_remote_nodes=2 (nodes 0-1 measured
# here, 2-3 by "another machine", filled once through the agent channel).
# Runs interleaved, 7 of each, fastest kept (a shared host only adds time).
. /krg/lib/krg.sh
C=/sys/kernel/config/krg_scheduler
P=$C/probes/test_probe
D=$C/schedulers/b/test_policy
N=${KRG_BENCH_READS:-200000}

krg_unload_all > /dev/null
modprobe krg test_nodes=4 test_remote_nodes=2 && modprobe krg_scheduler || exit 1
mkdir $P $C/schedulers/b $D || exit 1
echo "1 500" > $P/set_node
ln -s $P/value $D/in/p
/krg/bench/value_set 3 test_probe value 600 || exit 1

min() { sort -n | head -n1; }
for k in direct measured cached; do : > /tmp/cache.$k; done
r=0
while [ $r -lt 7 ]; do
	echo "$N 1" > $P/read_bench && cat $P/read_bench_ns >> /tmp/cache.direct
	echo "$N 1" > $D/read_bench && cat $D/read_bench_ns >> /tmp/cache.measured
	echo "$N 3" > $D/read_bench && cat $D/read_bench_ns >> /tmp/cache.cached
	r=$((r + 1))
done
base=$(min < /tmp/cache.direct)
echo "## per-node read: ns per read ($N reads a run, fastest of 7)"
echo "| read | ns per read | ratio to direct |"
echo "|---|---|---|"
for k in direct measured cached; do
	v=$(min < /tmp/cache.$k)
	echo "| $k | $v | $(awk "BEGIN{printf \"%.2f\", $v/$base}") |"
done
rm -f $D/in/p
rmdir $D $C/schedulers/b $P
krg_unload_all > /dev/null
