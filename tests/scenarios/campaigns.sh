#!/bin/sh
# Mail campaigns (examples/campaigns.sh, suite: nodes=2): three campaigns of
# CPU-bound sender jobs, started lowest priority first, finish in priority
# order under campaign_priority and not without it; jobs get their
# campaign's nice and their own back when they leave, when the policy goes;
# priority refuses garbage; the module does not unload while in use.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
E=/krg/examples
CG=/sys/fs/cgroup/campaigns
tap_plan 19

w() { echo "$2" > "$1"; }
nice_of() { cut -d' ' -f19 /proc/$1/stat; }
nice_is() { [ "$(nice_of $1)" = "$2" ]; }
wait_for() {
	i=0
	while [ $i -lt 100 ]; do "$@" && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}

check "the campaigns are set up" sh $E/campaigns.sh setup
P=$C/schedulers/campaign_low/campaign_priority
for bad in abc -1 1001 "" 1.5 0x10; do
	case "$bad" in -1|1001) e="out of range" ;; *) e="Invalid argument" ;; esac
	fails "priority refuses '$bad'" "$e" w $P/priority "$bad"
done
check "priority is still 100" test "$(cat $P/priority)" = 100
check "ranks: low is rank 2 of 3, nice 19" wait_for grep -q "rank 2 of 3 nice 19" $P/rank

# A job of the low campaign gets nice 19, and its own nice back when it leaves.
sh -c "echo \$\$ > $CG/low/cgroup.procs && exec sleep 1000" &
job=$!
check "a low-priority job gets nice 19" wait_for nice_is $job 19
echo $job > /sys/fs/cgroup/cgroup.procs
check "out of the campaign, its own nice is back" wait_for nice_is $job 0
echo $job > $CG/medium/cgroup.procs
check "in the medium campaign it gets nice 9" wait_for nice_is $job 9
fails "campaign_priority.ko is in use" "can't unload" rmmod campaign_priority
rmdir $C/schedulers/campaign_medium/campaign_priority
check "the policy gone, its job's nice is back" test "$(nice_of $job)" = 0
check "the others are ranked again: low is rank 1 of 2" wait_for grep -q "rank 1 of 2 nice 19" $P/rank
kill $job
sh $E/campaigns.sh destroy
check "nothing is left" test -z "$(ls $C/schedulers)"

# The demo: completion order. Each node is one vCPU, a thread on a shared
# host: when one of them gets much less host time than the other, the jobs
# on it fall behind whatever their nice (seen once on the debug kernel in
# CI: low ahead of medium by 0.1 s). The starts are 0.5 s apart, so that
# low's head start is small beside its work (medium is then ahead by about
# 25% in a fair run, 13% with 1 s), and a run whose order is off is run
# once more: a policy that does not rank fails both.
demo_once() {
	CAMPAIGN_JOBS=2 CAMPAIGN_SECONDS=2 CAMPAIGN_STAGGER=0.5 \
		sh $E/campaigns.sh demo > /tmp/demo.out 2>&1
	sed 's/^/# /' /tmp/demo.out
}
demo_once
if ! grep -q "^order with: high medium low" /tmp/demo.out; then
	echo "# the order is off: once more"
	demo_once
fi
check "with campaign_priority the campaigns finish in priority order" \
	grep -q "^order with: high medium low" /tmp/demo.out
check "without it they do not" sh -c \
	"grep -q '^order without:' /tmp/demo.out && ! grep -q '^order without: high medium low' /tmp/demo.out"
check "the demo cleans up" test -z "$(ls $C/schedulers)"
check "campaign_priority.ko unloads once unused" rmmod campaign_priority
tap_done
