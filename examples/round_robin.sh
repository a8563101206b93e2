#!/bin/sh
# Round-robin distant fork: the children of every process that has
# DISTANT_FORK start on the nodes of the node set in turn.
#   krgcapset -d +DISTANT_FORK -e +DISTANT_FORK    (in the shell)
# then start jobs from that shell. Undo with: krgsched destroy round_robin
# The same set-up as a file: examples/round_robin.cfg (krgsched apply).
set -e
C=${KRG_CONFIGFS:-/sys/kernel/config/krg_scheduler}

mkdir $C/schedulers/round_robin
echo 1 > $C/schedulers/round_robin/process_set/handle_all
mkdir $C/schedulers/round_robin/round_robin_balancer
