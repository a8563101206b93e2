#!/bin/sh
# Each example set-up builds the same tree from its shell script (mkdir,
# ln -s, echo) as from its .cfg file (krgsched apply), and removes cleanly.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
E=/krg/examples
tap_plan 22

for ex in mosix round_robin tokens; do
	check "$ex.sh builds its scheduler" sh $E/$ex.sh
	krgsched show --cfg $ex > /tmp/$ex.sh.cfg
	krgsched destroy $ex
	rmdir $C/probes/* 2>/dev/null
	check "$ex.cfg applies" krgsched apply $E/$ex.cfg
	krgsched show --cfg $ex > /tmp/$ex.cfg.cfg
	check "$ex: the script and the file build the same tree" \
		cmp /tmp/$ex.sh.cfg /tmp/$ex.cfg.cfg
	krgsched destroy $ex
	rmdir $C/probes/* 2>/dev/null
	check "$ex: nothing is left" test -z "$(ls $C/schedulers)$(ls $C/probes)"
done

# Campaigns: three schedulers, each built the same way by both.
mkdir -p /sys/fs/cgroup/campaigns/high /sys/fs/cgroup/campaigns/medium \
	/sys/fs/cgroup/campaigns/low
check "campaigns.sh builds its schedulers" sh $E/campaigns.sh setup
for c in high medium low; do krgsched show --cfg campaign_$c; done > /tmp/campaigns.sh.cfg
sh $E/campaigns.sh destroy
mkdir -p /sys/fs/cgroup/campaigns/high /sys/fs/cgroup/campaigns/medium \
	/sys/fs/cgroup/campaigns/low
check "campaigns.cfg applies" krgsched apply $E/campaigns.cfg
for c in high medium low; do krgsched show --cfg campaign_$c; done > /tmp/campaigns.cfg.cfg
check "campaigns: the script and the file build the same tree" \
	cmp /tmp/campaigns.sh.cfg /tmp/campaigns.cfg.cfg
for c in high medium low; do krgsched destroy campaign_$c; done
check "campaigns: nothing is left" test -z "$(ls $C/schedulers)"
rmdir /sys/fs/cgroup/campaigns/high /sys/fs/cgroup/campaigns/medium \
	/sys/fs/cgroup/campaigns/low /sys/fs/cgroup/campaigns

# Balanced: two schedulers (placement in turn, a quick MOSIX balancer);
# jobs started under it run to the end (no timing is checked).
B="balanced_fork balanced"
check "balanced.sh builds its schedulers" sh $E/balanced.sh
for s in $B; do krgsched show --cfg $s; done > /tmp/balanced.sh.cfg
krgsched destroy $B
rmdir $C/probes/* 2>/dev/null
check "balanced.cfg applies" krgsched apply $E/balanced.cfg
for s in $B; do krgsched show --cfg $s; done > /tmp/balanced.cfg.cfg
check "balanced: the script and the file build the same tree" \
	cmp /tmp/balanced.sh.cfg /tmp/balanced.cfg.cfg
# Four short jobs from a shell that may fork remotely and migrate.
jobs_ok() {
	krgcapset -f -e +CAN_MIGRATE,DISTANT_FORK -d +CAN_MIGRATE || return 1
	u=$(( $(/krg/bench/burn -c) / 4 ))
	pids=
	for i in 1 2 3 4; do /krg/bench/burn $u & pids="$pids $!"; done
	for p in $pids; do wait $p || return 1; done
	krgcapset -f -e -DISTANT_FORK,CAN_MIGRATE
}
check "balanced: jobs run to the end under it" jobs_ok
check "balanced: they were placed by distant fork" awk \
	'/^placements /{ok = $2 >= 4} END{exit !ok}' \
	$C/schedulers/balanced_fork/round_robin_balancer/stats
krgsched destroy $B
rmdir $C/probes/* 2>/dev/null
check "balanced: nothing is left" test -z "$(ls $C/schedulers)$(ls $C/probes)"
tap_done
