#!/bin/sh
# The token scheduler (the seed's first one): each node has a USB key
# holding tokens, jobs spend tokens of the key of the node they run on, and
# consumption is uneven. token_balancer places new jobs (distant fork) and
# moves migratable ones toward the keys with the most tokens left, so keys
# drain evenly; an alert_filter on the way warns the administrator once
# when a key falls below 15 tokens (examples/token-alert.sh waits for it).
#
#   tokens  <- alert_filter "tokens_low" (below 15, re-armed at 16)
#           <- usb_token_probe/tokens
#
# Keys are USB sticks of vendor:product 46f4:0001 (qemu's usb-storage; put
# your keys' id here), node N's key has serial KRGKEY000N (see
# usb_token_probe/usb_devices for yours). Counts are read from the keys by
# `krgtoken sync`; a job pays with `krgtoken consume COUNT`. Jobs of the
# shell that ran this script (its session) are handled; start them with
# DISTANT_FORK (and CAN_MIGRATE to let them move):
#   krgcapset -e +DISTANT_FORK,CAN_MIGRATE -d +DISTANT_FORK,CAN_MIGRATE
# Undo with: krgsched destroy tokens; rmdir the probe.
# The same set-up as a file: examples/tokens.cfg (krgsched apply; it
# handles every process instead of a session).
set -e
C=${KRG_CONFIGFS:-/sys/kernel/config/krg_scheduler}
P=$C/probes/usb_token_probe
NODES=${TOKEN_NODES:-"0 1"}

mkdir -p $P
echo 46f4:0001 > $P/key_id
for n in $NODES; do
	echo "$n KRGKEY000$n" > $P/key_map
done

S=$C/schedulers/tokens
mkdir $S
if [ -n "${TOKEN_SESSION:-}" ]; then
	mkdir $S/process_set/process_sessions/$TOKEN_SESSION
else
	echo 1 > $S/process_set/handle_all
fi
mkdir $S/token_balancer
echo 1 > $S/token_balancer/job_cost
echo 2 > $S/token_balancer/spread
A=$S/token_balancer/tokens/alert_filter
mkdir $A
echo tokens_low > $A/name
echo 15 > $A/threshold
echo 1 > $A/hysteresis
ln -s $P/tokens $A/
# The counts: on boot the keys are read once; afterwards jobs feed them.
krgtoken sync || echo "tokens.sh: some keys could not be read yet (run krgtoken sync)" >&2
