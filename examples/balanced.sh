#!/bin/sh
# Balanced jobs: placement in turn at fork, then a MOSIX balancer that
# reacts within about a second. Two schedulers of every process:
#
#   balanced_fork  round_robin_balancer: the children of processes with
#                  DISTANT_FORK start on the nodes in turn
#   balanced       mosix_load_balancer (stab_factor 115), fed as in
#                  examples/mosix.sh but faster:
#     local_load  <- freq_limit_filter (at most every 500 ms, not right
#                    after a migration) <- threshold_filter (1.5 single
#                    process loads) <- mosix_probe/norm_mean_load
#     remote_load <- remote_cache_filter (polled every 250 ms)
#                 <- mosix_probe/norm_upper_load
#     single_process_load <- remote_cache_filter
#                         <- mosix_probe/norm_single_process_load
#     process_load        <- mosix_probe/process_load
#   with mosix_probe measuring every 250 ms.
#
# Jobs that start together are spread at once; when they end unevenly, a
# node left with two jobs more than another gives one up (about a second
# later). Start jobs from a shell with
#   krgcapset -e +CAN_MIGRATE,DISTANT_FORK -d +CAN_MIGRATE
# Undo with: krgsched destroy balanced balanced_fork
# The same set-up as a file: examples/balanced.cfg (krgsched apply).
# Figures against the legacy set-up (examples/mosix.sh): bench/README.md.
set -e
C=${KRG_CONFIGFS:-/sys/kernel/config/krg_scheduler}

mkdir -p $C/probes/mosix_probe $C/probes/migration_probe
echo 250 > $C/probes/mosix_probe/probe_period

mkdir $C/schedulers/balanced_fork
echo 1 > $C/schedulers/balanced_fork/process_set/handle_all
mkdir $C/schedulers/balanced_fork/round_robin_balancer

mkdir $C/schedulers/balanced
echo 1 > $C/schedulers/balanced/process_set/handle_all
P=$C/schedulers/balanced/mosix_load_balancer
mkdir $P
echo 115 > $P/stab_factor

F=$P/local_load/freq_limit_filter
mkdir $F
echo 500000000 > $F/min_interval
ln -s $C/probes/migration_probe/last_migration $F/last_event/migration
mkdir $F/threshold_filter
echo 1500 > $F/threshold_filter/threshold
ln -s $C/probes/mosix_probe/norm_mean_load $F/threshold_filter/mosix_mean

mkdir $P/remote_load/remote_cache_filter
echo 250 > $P/remote_load/remote_cache_filter/polling_period
ln -s $C/probes/mosix_probe/norm_upper_load \
	$P/remote_load/remote_cache_filter/mosix_upper

mkdir $P/single_process_load/remote_cache_filter
ln -s $C/probes/mosix_probe/norm_single_process_load \
	$P/single_process_load/remote_cache_filter/mosix
ln -s $C/probes/mosix_probe/process_load $P/process_load/mosix
