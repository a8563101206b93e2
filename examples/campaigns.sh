#!/bin/sh
# Mail campaigns with priorities (the seed's second scheduler): "each
# campaign has a priority; drain the highest priority campaigns first".
# A campaign is a cgroup v2 (/sys/fs/cgroup/campaigns/<name>) and a
# scheduler holding it, with a campaign_priority policy: the highest
# priority gets the least loaded nodes and the larger CPU share (its jobs
# keep their nice, lower campaigns get nice 9 and 19), and lower-priority
# jobs are moved out of its way. The same set-up as a file:
# examples/campaigns.cfg.
#
#   campaigns.sh setup     the cgroups and the three schedulers
#   campaigns.sh destroy   remove them
#   campaigns.sh demo      three campaigns of CPU-bound sender jobs, started
#                          lowest priority first, CAMPAIGN_STAGGER s apart
#                          (default 1): once without
#                          the schedulers, once with them; prints the order
#                          they finish in ("order: ..." lines)
# In the VM: /krg/examples/campaigns.sh demo (tests/vm/run --shell).
# CAMPAIGN_JOBS jobs per campaign (default 2) of CAMPAIGN_SECONDS seconds of
# CPU each (default 2).
C=${KRG_CONFIGFS:-/sys/kernel/config/krg_scheduler}
CG=/sys/fs/cgroup/campaigns
BURN=${BURN:-/krg/bench/burn}
JOBS=${CAMPAIGN_JOBS:-2}
SECS=${CAMPAIGN_SECONDS:-2}
STAGGER=${CAMPAIGN_STAGGER:-1}
CAMPAIGNS="high medium low"

prio() { case $1 in high) echo 300 ;; medium) echo 200 ;; low) echo 100 ;; esac; }

setup() {
	set -e
	for c in $CAMPAIGNS; do
		mkdir -p $CG/$c
		S=$C/schedulers/campaign_$c
		mkdir $S
		mkdir $S/process_set/cgroups/$c
		echo /campaigns/$c > $S/process_set/cgroups/$c/path
		mkdir $S/campaign_priority
		prio $c > $S/campaign_priority/priority
	done
	set +e
}

destroy() {
	for c in $CAMPAIGNS; do
		S=$C/schedulers/campaign_$c
		[ -d $S ] || continue
		for d in $S/campaign_priority $S/process_set/cgroups/$c $S; do
			[ -d $d ] && rmdir $d
		done
	done
}

now() { cut -d' ' -f1 /proc/uptime; }

# run LABEL: start the campaigns lowest first, print when each finished
# and the order.
run() {
	units=$(( $($BURN -c) * SECS ))
	rm -f /tmp/campaign.*
	pids=
	t0=$(now)
	for c in low medium high; do
		i=0
		while [ $i -lt $JOBS ]; do
			sh -c "echo \$\$ > $CG/$c/cgroup.procs && exec $BURN $units" &
			pids="$pids $c:$!"
			i=$((i + 1))
		done
		[ $c = high ] || sleep $STAGGER
	done
	left=$pids
	while [ -n "$left" ]; do
		next=
		for e in $left; do
			if kill -0 ${e#*:} 2>/dev/null; then
				next="$next $e"
			else
				wait ${e#*:} 2>/dev/null
				echo "$(now)" >> /tmp/campaign.${e%%:*}
			fi
		done
		left=$next
		[ -n "$left" ] && sleep 0.2
	done
	for c in $CAMPAIGNS; do
		echo "$(sort -n /tmp/campaign.$c | tail -n1) $c"
	done | sort -n > /tmp/campaign.order
	while read -r t c; do
		printf '  %-7s finished at %5.1f s\n' $c "$(awk "BEGIN{print $t - $t0}")"
	done < /tmp/campaign.order
	echo "order $1: $(cut -d' ' -f2 /tmp/campaign.order | tr '\n' ' ')"
}

demo() {
	krgcapset -f -e +CAN_MIGRATE -d +CAN_MIGRATE
	mkdir -p $CG/high $CG/medium $CG/low
	echo "=== $JOBS jobs per campaign, ${SECS}s of CPU each; low starts first, high last, ${STAGGER}s apart"
	echo "=== 1/2: no scheduler"
	run without
	echo "=== 2/2: campaign_priority (high 300, medium 200, low 100)"
	setup
	run with
	for c in $CAMPAIGNS; do
		echo "  campaign_$c: $(cat $C/schedulers/campaign_$c/campaign_priority/rank)," \
		     "$(tr '\n' ' ' < $C/schedulers/campaign_$c/campaign_priority/stats)"
	done
	destroy
	rmdir $CG/high $CG/medium $CG/low $CG 2>/dev/null
	return 0
}

case "${1:-}" in
setup) mkdir -p $CG/high $CG/medium $CG/low && setup ;;
destroy) destroy; rmdir $CG/high $CG/medium $CG/low $CG 2>/dev/null; true ;;
demo) demo ;;
*) echo "usage: $0 setup|destroy|demo" >&2; exit 1 ;;
esac
