#!/bin/sh
# Kerrighed's users' set-ups, typed as they typed them: kerrighed-tools'
# krg_legacy_scheduler (round-robin distant fork for every process, and the
# MOSIX-like load balancer made after `cd /config/krg_scheduler` with
# relative paths and link targets, filters nested in filter directories,
# links named by the user, a threshold read with bash's v=`< file`), run
# with bash unchanged. Then what it built is checked piece by piece, shown
# by krgsched, saved and re-applied, used (round robin places children),
# and removed as Kerrighed's users removed it.
. /krg/lib/krg.sh
krg_load_all
C=/config/krg_scheduler
tap_plan 35

# The checks Kerrighed's script starts with: configfs on /config.
check "/config is configfs (magic 62656570)" test "$(stat -f -c %t /config)" = 62656570
check "/config/krg_scheduler is there" test "$(stat -f -c %t /config/krg_scheduler)" = 62656570

# kerrighed-tools' script, unchanged (the cluster scenario tree types it too).
cp /krg/tests/data/krg_legacy_scheduler /tmp/krg_legacy_scheduler
status_is "krg_legacy_scheduler runs unchanged (bash)" 0 bash /tmp/krg_legacy_scheduler
check "... and says nothing" test ! -s /tmp/.krg-err

P=$C/schedulers/mosix/mosix_load_balancer
F=$P/local_load/freq_limit_filter
single=$(cat $C/probes/mosix_probe/norm_single_process_load/value)
check "the single-process load reads as a number ($single)" test "$single" -gt 0
check "the threshold is 3/2 of it" test "$(cat $F/threshold_filter/threshold)" = $((single * 3 / 2))
check "min_interval is Kerrighed's 2 s" test "$(cat $F/min_interval)" = 2000000000
check "polling_period is 1 s" test "$(cat $P/remote_load/remote_cache_filter/polling_period)" = 1000
check "links keep the users' names" test -L $F/threshold_filter/mosix_mean -a \
	-L $F/last_event/migration -a -L $P/process_load/mosix -a \
	-L $P/remote_load/remote_cache_filter/mosix_upper -a \
	-L $P/single_process_load/remote_cache_filter/mosix
check "relative targets resolved to the probes" test \
	"$(readlink -f $F/threshold_filter/mosix_mean)" = "$(readlink -f $C/probes/mosix_probe/norm_mean_load)"
check "no filter has a source/ directory" test -z "$(find $C/schedulers -name source)"
check "the nested filter reads the probe" sh -c "! grep -q 'not connected' $F/threshold_filter/collected_value"
check "freq_limit_filter reads the threshold filter" sh -c "! grep -q 'not connected' $F/collected_value"
check "remote_cache_filter reads the probe" sh -c "! grep -q 'not connected' $P/remote_load/remote_cache_filter/collected_value"
check "the same tree at /sys/kernel/config" test -L \
	$KRG_CFS/schedulers/mosix/mosix_load_balancer/local_load/freq_limit_filter/threshold_filter/mosix_mean
check "mosix is active" grep -q active $C/schedulers/mosix/status
check "rr is active" grep -q active $C/schedulers/rr/status
check "both handle every process" test "$(cat $C/schedulers/mosix/process_set/handle_all)$(cat $C/schedulers/rr/process_set/handle_all)" = 11

# krgsched sees the same set-up, and its saved form rebuilds it.
krgsched show mosix > /tmp/mosix.txt
check "krgsched show: the nested filters" grep -q "<- filter threshold_filter" /tmp/mosix.txt
check "krgsched show: the user's link into the filter" grep -q "<- probes/mosix_probe/norm_mean_load" /tmp/mosix.txt
krgsched show --cfg mosix > /tmp/mosix.cfg
check "show --cfg keeps the link names" grep -q 'name = "mosix_mean"' /tmp/mosix.cfg
krgsched show --cfg rr > /tmp/rr.cfg

# Kerrighed's mount alone: with /sys/kernel/config unmounted (in a mount
# namespace of their own) the tools find the tree at /config; with neither,
# the message names the usual place.
only_config() {
	unshare -m --propagation private sh -c 'umount /sys/kernel/config && "$@"' sh "$@"
}
only_config krgsched show --cfg mosix > /tmp/mosix-config.cfg 2>/tmp/.krg-err
check "krgsched finds the tree at /config when only it is mounted" cmp /tmp/mosix.cfg /tmp/mosix-config.cfg
only_config krgtop -b -n 1 -d 0.1 > /tmp/krgtop.txt 2>/tmp/.krg-err
check "... and krgtop too" grep -q "^mosix  *mosix_load_balancer" /tmp/krgtop.txt
refused "no configfs at all: krgsched names /sys/kernel/config" \
	"/sys/kernel/config/krg_scheduler not found" \
	only_config sh -c 'umount /config && krgsched show'

# Round robin: children of a DISTANT_FORK shell start on every node in turn.
cat > /tmp/rr.sh <<'EOT'
krgcapset -d +DISTANT_FORK -e +DISTANT_FORK || exit 1
pids=
for i in 1 2 3 4; do sleep 30 & pids="$pids $!"; done
for p in $pids; do set -- $(cat /proc/$p/stat); eval "echo \${39}"; done | sort -u | tr '\n' ' '
kill $pids
EOT
nodes=$(sh /tmp/rr.sh)
check "round robin spread 4 children over nodes 0 and 1 ($nodes)" test "$nodes" = "0 1 "
check "round_robin_balancer counted its placements" \
	awk '/^placements /{ok = $2 >= 4} END{exit !ok}' $C/schedulers/rr/round_robin_balancer/stats

# Removed as its users removed it: links, then filters inside out.
fails "a filter holding a link cannot go" "Directory not empty" rmdir $F/threshold_filter
fails "a probe linked from a filter cannot go" "Device or resource busy" rmdir $C/probes/mosix_probe
cd $C || exit 1
rm $P/local_load/freq_limit_filter/threshold_filter/mosix_mean \
	$P/local_load/freq_limit_filter/last_event/migration $P/process_load/mosix \
	$P/remote_load/remote_cache_filter/mosix_upper $P/single_process_load/remote_cache_filter/mosix
check "filters go inside out" rmdir $F/threshold_filter $F \
	$P/remote_load/remote_cache_filter $P/single_process_load/remote_cache_filter
check "then the policy and the schedulers" rmdir $P schedulers/mosix \
	schedulers/rr/round_robin_balancer schedulers/rr
check "then the probes" rmdir probes/mosix_probe probes/migration_probe
cd /

# The saved form applies and gives the same description back.
check "the saved set-up applies" krgsched apply /tmp/mosix.cfg
krgsched show --cfg mosix > /tmp/mosix2.cfg
check "... and is the same tree" cmp /tmp/mosix.cfg /tmp/mosix2.cfg
check "rr from its saved form" krgsched apply /tmp/rr.cfg
krgsched destroy mosix
krgsched destroy rr
rmdir $C/probes/* 2>/dev/null
check "nothing is left" test -z "$(ls $C/schedulers)$(ls $C/probes)"
tap_done
