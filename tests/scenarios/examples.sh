#!/bin/sh
# Each example set-up builds the same tree from its shell script (mkdir,
# ln -s, echo) as from its .cfg file (krgsched apply), and removes cleanly.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
E=/krg/examples
tap_plan 19

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
tap_done
