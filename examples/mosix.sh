#!/bin/sh
# The legacy MOSIX set-up (Kerrighed's krg_legacy_scheduler): dynamic load
# balancing of every process that may migrate, over every online node.
#
#   local_load  <- freq_limit_filter (at most every 2 s, not right after a
#                  migration: last_event <- migration_probe/last_migration)
#               <- threshold_filter (only above 1.5 single-process loads)
#               <- mosix_probe/norm_mean_load
#   remote_load <- remote_cache_filter (every node's value, polled each s)
#               <- mosix_probe/norm_upper_load
#   single_process_load <- remote_cache_filter (every node's value)
#                       <- mosix_probe/norm_single_process_load
#   process_load        <- mosix_probe/process_load
#
# Processes move only when they have CAN_MIGRATE (krgcapset -d +CAN_MIGRATE
# in the shell that starts them). Undo with: krgsched destroy mosix
# The same set-up as a file: examples/mosix.cfg (krgsched apply).
set -e
C=${KRG_CONFIGFS:-/sys/kernel/config/krg_scheduler}

mkdir -p $C/probes/mosix_probe $C/probes/migration_probe
mkdir $C/schedulers/mosix
echo 1 > $C/schedulers/mosix/process_set/handle_all
P=$C/schedulers/mosix/mosix_load_balancer
mkdir $P
echo 130 > $P/stab_factor

# A filter's directory is its main input port, as in Kerrighed: the next
# filter is made in it, the source is linked into it (any link name); only
# extra ports such as freq_limit_filter's last_event are subdirectories.
F=$P/local_load/freq_limit_filter
mkdir $F
echo 2000000000 > $F/min_interval
ln -s $C/probes/migration_probe/last_migration $F/last_event/migration
mkdir $F/threshold_filter
echo 1500 > $F/threshold_filter/threshold
ln -s $C/probes/mosix_probe/norm_mean_load $F/threshold_filter/mosix_mean

mkdir $P/remote_load/remote_cache_filter
echo 1000 > $P/remote_load/remote_cache_filter/polling_period
ln -s $C/probes/mosix_probe/norm_upper_load \
	$P/remote_load/remote_cache_filter/mosix_upper

mkdir $P/single_process_load/remote_cache_filter
ln -s $C/probes/mosix_probe/norm_single_process_load \
	$P/single_process_load/remote_cache_filter/mosix
ln -s $C/probes/mosix_probe/process_load $P/process_load/mosix
