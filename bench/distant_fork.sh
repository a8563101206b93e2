#!/bin/sh
# The cost of a distant fork on fork+exit+wait (tests/vm/run --nodes 1
# --bench distant_fork): a task with DISTANT_FORK forks while the test
# placement hook (krg_test_placement) answers
#   none   "no decision" (node=-1): the hook is asked, nothing is placed;
#   placed node 0, the node the task runs on: a placement request,
#          carried out and completed in the fork hook (numa backend).
# ROUNDS rounds of FORKS forks each, the two in turn; prints each round's
# ns per fork, the ratio placed/none of the 10th percentiles (interference
# only adds time) and the median of the per-round ratios (slow drifts of
# the host cancel within a round).
. /krg/lib/krg.sh
ROUNDS=${ROUNDS:-30}
FORKS=${FORKS:-200}

krg_loaded krg_scheduler && rmmod krg_scheduler
krg_load krg_test_placement || exit 1
P=/sys/module/krg_test_placement/parameters
# This shell's children (fork_bench) have DISTANT_FORK in effect.
/krg/tools/krgcapset -f -d +DISTANT_FORK || exit 1

echo "## fork+exit+wait by a DISTANT_FORK task: none vs placed (ns per fork)"
r=0
while [ $r -lt "$ROUNDS" ]; do
	echo -1 > $P/node
	a=$(/krg/bench/fork_bench "$FORKS")
	echo 0 > $P/node
	b=$(/krg/bench/fork_bench "$FORKS")
	echo "round $r none $a placed $b"
	r=$((r + 1))
done | tee /tmp/df.txt
echo -1 > $P/node
p10() { sort -n | awk '{ v[NR] = $1 } END { print v[int(NR / 10) + 1] }'; }
a=$(awk '{ print $4 }' /tmp/df.txt | p10)
b=$(awk '{ print $6 }' /tmp/df.txt | p10)
echo "p10 none $a placed $b ratio $(awk "BEGIN { printf \"%.3f\", $b / $a }")"
awk '{ print $6 / $4 }' /tmp/df.txt | sort -n |
	awk '{ v[NR] = $1 } END { printf "median ratio placed/none %.3f\n", v[int((NR + 1) / 2)] }'
