#!/bin/sh
# krgsched apply / show / destroy with the test components: apply builds what
# the file says (the same tree as the equivalent mkdir/ln -s/echo), show
# --cfg prints a file that apply accepts and that rebuilds the same tree, a
# broken file is refused with its line and leaves nothing behind, and
# destroy removes a scheduler with everything in it.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
D=/krg/tests/data
tap_plan 16

# Reference tree built by hand, then its description.
mkdir $C/probes/test_probe
echo 500 > $C/probes/test_probe/probe_period
mkdir $C/schedulers/tc
echo 0 > $C/schedulers/tc/node_set
mkdir $C/schedulers/tc/process_set/process_groups/1 2>/dev/null ||
	mkdir $C/schedulers/tc/process_set/process_groups/$$
mkdir $C/schedulers/tc/test_policy
echo 1 > $C/schedulers/tc/test_policy/answer
mkdir $C/schedulers/tc/test_policy/in/test_pass
ln -s $C/probes/test_probe/value $C/schedulers/tc/test_policy/in/test_pass/in/value
ln -s $C/probes/test_probe/ticks $C/schedulers/tc/test_policy/aux/ticks
krgsched show --cfg tc > /tmp/byhand.cfg
check "show --cfg succeeds" test -s /tmp/byhand.cfg
check "destroy removes the scheduler" krgsched destroy tc
check "nothing of it is left" test ! -e $C/schedulers/tc
check "destroy leaves the probes" test -d $C/probes/test_probe
rmdir $C/probes/test_probe

# The same from the file (pgid 1 does not exist here: use ours).
sed "s/process_groups = \[ 1 \]/process_groups = [ $$ ]/" $D/test_chain.cfg > /tmp/chain.cfg
check "apply builds the tree" krgsched apply /tmp/chain.cfg
krgsched show --cfg tc > /tmp/applied.cfg
check "it equals the tree built by hand" cmp /tmp/byhand.cfg /tmp/applied.cfg
check "the link is there" test -L $C/schedulers/tc/test_policy/in/test_pass/in/value
check "attributes are set" grep -qx 1 $C/schedulers/tc/test_policy/answer
krgsched show tc > /tmp/graph.txt
check "show prints the graph" grep -q "in <- filter test_pass" /tmp/graph.txt

# show --cfg output round-trips.
krgsched destroy tc
rmdir $C/probes/test_probe
check "show --cfg output applies" krgsched apply /tmp/applied.cfg
krgsched destroy tc
rmdir $C/probes/test_probe

# A broken file: refused with its line, nothing left behind.
fails "a broken file is refused" ":10: cannot link probes/test_probe/load" \
	krgsched apply $D/test_broken.cfg
check "nothing of it is left" test ! -e $C/schedulers/broken
check "the probe it needed is not created" test ! -e $C/probes/test_probe
printf 'schedulers = ( { name = "x" ' > /tmp/syntax.cfg
fails "a syntax error names the line" "/tmp/syntax.cfg:1:" krgsched apply /tmp/syntax.cfg
fails "a missing file is named" "cannot read /nope.cfg" krgsched apply /nope.cfg
fails "destroy of an unknown scheduler" "no scheduler 'nope'" krgsched destroy nope
tap_done
