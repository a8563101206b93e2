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
tap_plan 29

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
ln -s $C/probes/test_probe/value $C/schedulers/tc/test_policy/in/test_pass/probe
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
check "the link is there" test -L $C/schedulers/tc/test_policy/in/test_pass/probe
check "show --cfg keeps the link's name" grep -q 'input = { link = "probes/test_probe/value"; name = "probe"; };' /tmp/applied.cfg
check "attributes are set" grep -qx 1 $C/schedulers/tc/test_policy/answer
krgsched show tc > /tmp/graph.txt
check "show prints the graph" grep -q "in <- filter test_pass" /tmp/graph.txt
check "show prints the filter's input" grep -q "^      <- probes/test_probe/value" /tmp/graph.txt

# show --cfg output round-trips.
krgsched destroy tc
rmdir $C/probes/test_probe
check "show --cfg output applies" krgsched apply /tmp/applied.cfg
krgsched destroy tc
rmdir $C/probes/test_probe

# Files of the older shape (the main input as ports.source) still apply; a
# link without a name whose source is called like a filter file (value) is
# named <probe>_<source>.
cat > /tmp/old.cfg <<EOT
probes = ( { name = "test_probe"; } );
schedulers = ( { name = "old"; policy = { name = "test_policy";
  ports = { in = { filter = "test_pass";
                   ports = { source = { link = "probes/test_probe/value"; }; }; }; }; }; } );
EOT
check "a file of the older shape applies" krgsched apply /tmp/old.cfg
check "its source is linked into the filter" \
	test -L $C/schedulers/old/test_policy/in/test_pass/test_probe_value
check "and connected" sh -c "! grep -q 'not connected' $C/schedulers/old/test_policy/in/test_pass/collected_value"
krgsched destroy old
printf 'schedulers = ( { name = "bad"; policy = { name = "test_policy"; ports = { in = { link = "probes/test_probe/value"; name = "a/b"; }; }; }; } );\n' > /tmp/badname.cfg
fails "a link name with a slash is refused" "must be a single file name" krgsched apply /tmp/badname.cfg
check "nothing of it is left" test ! -e $C/schedulers/bad
rmdir $C/probes/test_probe

# A probe's input ports (mattload_probe) from a file, in any order of the
# probes list; show --cfg saves them and the saved file rebuilds them.
cat > /tmp/matt.cfg <<EOT
probes = (
  { name = "mattload_probe"; param_k = 2;
    ports = { active_tasks = { link = "probes/load_probe/active_tasks"; };
              cpu_speed = { link = "probes/cpuspeed_probe/speed"; };
              cpu_connected = { link = "probes/cpuspeed_probe/connected"; };
              user_connected = { link = "probes/user_probe/connected"; name = "users"; }; }; },
  { name = "load_probe"; }, { name = "cpuspeed_probe"; }, { name = "user_probe"; }
);
EOT
check "probe ports apply, whatever the order of probes" krgsched apply /tmp/matt.cfg
check "the port is linked under the file's name" test -L $C/probes/mattload_probe/user_connected/users
krgsched show --cfg > /tmp/matt.saved.cfg
check "show --cfg saves the probe's ports" grep -q 'cpu_speed = { link = "probes/cpuspeed_probe/speed"; };' /tmp/matt.saved.cfg
check "applying it again over the live probes is a no-op" krgsched apply /tmp/matt.saved.cfg
find $C/probes/mattload_probe -type l -exec rm {} +
rmdir $C/probes/mattload_probe $C/probes/load_probe $C/probes/cpuspeed_probe $C/probes/user_probe
check "the saved file rebuilds them" krgsched apply /tmp/matt.saved.cfg
krgsched show --cfg > /tmp/matt.saved2.cfg
check "... the same" cmp /tmp/matt.saved.cfg /tmp/matt.saved2.cfg
find $C/probes/mattload_probe -type l -exec rm {} +
rmdir $C/probes/mattload_probe $C/probes/load_probe $C/probes/cpuspeed_probe $C/probes/user_probe

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
