#!/bin/sh
# The token scheduler (examples/tokens.sh) on real emulated USB sticks (suite:
# nodes=2 usb=2; stick i has serial KRGKEY000i and is node i's key):
# usb_token_probe sees the keys come and go, krgtoken reads and spends their
# tokens, token_balancer keeps the keys draining evenly (the spread of the
# counts stays within the dearest job's cost once the keys are even, where
# jobs started in place drain one key), alert_filter fires once per key
# crossing its threshold and again only after a refill re-armed it, an
# unplugged key takes its node out of placement and its processes are moved
# off; every attribute refuses garbage; modules in use do not unload.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
P=$C/probes/usb_token_probe
S=$C/schedulers/tok
TB=$S/token_balancer
A=$TB/tokens/alert_filter
tap_plan 72

if [ "$(krg_usb_count)" -lt 2 ]; then
	i=0
	while [ $i -lt 72 ]; do skip "needs 2 USB sticks (usb=2)"; i=$((i + 1)); done
	exit 0
fi

w() { echo "$2" > "$1"; }	# w FILE VALUE: one write, the error on stderr
val() { cat "$P/$1/nodes/$2/value"; }
# wait_for CMD...: up to 20 s for a command to succeed
wait_for() {
	i=0
	while [ $i -lt 200 ]; do "$@" && return 0; sleep 0.1; i=$((i + 1)); done
	return 1
}
present_is() { [ "$(val key_present "$1")" = "$2" ]; }
spread() {
	a=$(val tokens 0); b=$(val tokens 1)
	[ "$a" -gt "$b" ] && echo $((a - b)) || echo $((b - a))
}

# --- the probe and its bad inputs ----------------------------------------------
check "mkdir probes/usb_token_probe" mkdir $P
for bad in xyz 46f4 46f4: :0001 12345:1 46f4:0001:2 0x46f4:1 -1:2 "46f4 :1" g6f4:0001; do
	fails "key_id refuses '$bad'" "Invalid argument" w $P/key_id "$bad"
done
check "key_id is still empty" test -z "$(cat $P/key_id)"
check "key_id 46f4:0001 (qemu's usb-storage)" w $P/key_id 46f4:0001
fails "key_map refuses a missing node" "Invalid argument" w $P/key_map "x KRGKEY0000"
fails "key_map refuses node 256" "out of range" w $P/key_map "256 KRGKEY0000"
fails "key_map refuses node -1" "out of range" w $P/key_map "-1 KRGKEY0000"
fails "key_map refuses an id with a blank" "Invalid argument" w $P/key_map "0 KRG KEY"
fails "key_map refuses an empty port" "Invalid argument" w $P/key_map "0 port:"
check "key_map: node 0 -> KRGKEY0000" w $P/key_map "0 KRGKEY0000"
check "key_map: node 1 -> KRGKEY0001" w $P/key_map "1 KRGKEY0001"
fails "a key belongs to one node" "File exists" w $P/key_map "1 KRGKEY0000"
check "both keys are seen present" wait_for sh -c \
	"[ \"\$(cat $P/key_present/nodes/0/value)\$(cat $P/key_present/nodes/1/value)\" = 11 ]"
check "a key without a count has no value yet" \
	grep -q "no value yet" $P/tokens/nodes/0/value
fails "set_tokens refuses a negative count" "out of range" w $P/set_tokens "0 -5"
fails "set_tokens refuses garbage" "Invalid argument" w $P/set_tokens "0 five"
fails "set_tokens refuses a count above 2^53" "out of range" w $P/set_tokens "0 9007199254740993"
fails "set_tokens refuses a node without a key" "No such device" w $P/set_tokens "2 5"
# usb-storage waits 1 s (delay_use) before it makes a stick's disk.
check "krgtoken sync reads both keys (100 each)" wait_for sh -c \
	"krgtoken sync > /dev/null 2>&1 && [ \"\$(cat $P/tokens/nodes/0/value) \$(cat $P/tokens/nodes/1/value)\" = '100 100' ]"
fails "krgtoken refuses a negative refill" "invalid count" krgtoken refill 0 -3
krgtoken refill 0 30 && krgtoken refill 1 50
check "refill writes the keys: 30 and 50" test "$(val tokens 0) $(val tokens 1)" = "30 50"

# --- without a policy, jobs started on node 0 drain node 0's key ---------------
krgcapset -f -e +CAN_MIGRATE,DISTANT_FORK -d +CAN_MIGRATE,DISTANT_FORK
migrate $$ 0
i=0
while [ $i -lt 5 ]; do krgtoken consume 2 > /dev/null; i=$((i + 1)); done
check "without token_balancer the spread grows (20 -> $(spread))" test "$(spread)" -eq 30
krgtoken refill 0 50 > /dev/null && krgtoken refill 1 30 > /dev/null

# --- the token scheduler ------------------------------------------------------------
# The jobs come from a launcher in a session of its own: the process set is
# that session, so only the jobs' forks are placed (not the test's own).
mkfifo /tmp/go
setsid sh -c 'read x < /tmp/go; exec sh /tmp/jobs.sh' > /tmp/jobs.out 2>&1 &
launcher=$!
wait_for sh -c "[ \"\$(cut -d' ' -f6 /proc/$launcher/stat)\" = $launcher ]"
mkdir $S
check "the launcher's session is the process set" mkdir $S/process_set/process_sessions/$launcher
mkdir $TB
mkdir $A
w $A/name tokens_low
w $A/threshold 15
ln -s $P/tokens $A/
check "the scheduler is active" grep -q "active" $S/status
for f in job_cost spread; do
	fails "$f refuses garbage" "Invalid argument" w $TB/$f abc
	fails "$f refuses a negative value" "out of range" w $TB/$f -1
done
fails "evacuate refuses 2" "Invalid argument" w $TB/evacuate 2
fails "evacuate refuses garbage" "Invalid argument" w $TB/evacuate 1x
fails "threshold refuses garbage" "Invalid argument" w $A/threshold -3
fails "direction refuses garbage" "Invalid argument" w $A/direction sideways
fails "name refuses '../x'" "Invalid argument" w $A/name ../x
check "the alert is /sys/kernel/krg_alert/tokens_low" test -r /sys/kernel/krg_alert/tokens_low/alerts

seq0=$(cat /sys/kernel/uevent_seqnum)
krgtoken wait -t 60 tokens_low > /tmp/alert.out 2>&1 &
waiter=$!
# Uneven jobs: costs 1..3 in a fixed random order; each job pays on the node
# token_balancer placed it on. A burst of 6 first, then one at a time. The
# launcher forks nothing but jobs (builtins only).
cat > /tmp/jobs.sh <<EOT
n=0 even=0 max_after=0 spreads=
for c in 3 1 2 3 3 1 2 1 3 2 2 3 1 1 3 2 3 1 2 2 3 3 1 2 1 3 2 1; do
	n=\$((n + 1))
	if [ \$n -le 6 ]; then
		krgtoken consume \$c > /dev/null &
		[ \$n -eq 6 ] && wait
		continue
	fi
	krgtoken consume \$c > /dev/null
	read a < $P/tokens/nodes/0/value
	read b < $P/tokens/nodes/1/value
	sp=\$((a > b ? a - b : b - a))
	spreads="\$spreads \$sp"
	[ \$sp -le 3 ] && even=1
	[ \$even = 1 ] && [ \$sp -gt \$max_after ] && max_after=\$sp
done
echo "even=\$even max_after=\$max_after spreads='\$spreads'" > /tmp/jobs.res
EOT
echo go > /tmp/go
wait $launcher
cat /tmp/jobs.out
. /tmp/jobs.res
echo "# tokens left: node 0 $(val tokens 0), node 1 $(val tokens 1); spreads:$spreads"
echo "# moves: $(cat $TB/moves | tr '\n' ' '); $(grep -E '^(placements|migrations)' $TB/stats | tr '\n' ' ')"
check "token_balancer evens the keys out (spread $(spread) <= 3)" test "$(spread)" -le 3
check "once even, the spread stays within the dearest job (max $max_after <= 3)" \
	test $even = 1 -a "$max_after" -le 3
check "placement used the policy" test "$(cat $TB/last_target)" -ge 0
check "both keys crossed 15: two alerts" wait_for test "$(cat /sys/kernel/krg_alert/tokens_low/alerts)" = 2
wait $waiter
check "the alert is pollable: krgtoken wait saw it ($(cat /tmp/alert.out))" \
	grep -q "below threshold 15" /tmp/alert.out
check "both nodes are in alert" test "$(cat /sys/kernel/krg_alert/tokens_low/active)" = "0-1"
check "uevents were sent" test "$(cat /sys/kernel/uevent_seqnum)" -gt "$seq0"
check "one log line per crossing" test "$(dmesg | grep -c 'alert tokens_low: node .* fell below threshold 15')" = 2
krgtoken consume -n 0 1 > /dev/null
krgtoken consume -n 1 1 > /dev/null
check "spending more below the threshold does not fire again" \
	test "$(cat /sys/kernel/krg_alert/tokens_low/alerts)" = 2
krgtoken refill 0 40 > /dev/null
check "a refill re-arms the node" wait_for test "$(cat /sys/kernel/krg_alert/tokens_low/active)" = 1
TOKEN_ALERT_ONCE=1 sh /krg/examples/token-alert.sh tokens_low > /tmp/mail.out 2>&1 &
notifier=$!
krgtoken refill 0 10 > /dev/null
check "crossing again fires again" wait_for test "$(cat /sys/kernel/krg_alert/tokens_low/alerts)" = 3
wait $notifier
check "examples/token-alert.sh told the administrator" \
	grep -q "USB token key low: node 0 value 10 below threshold 15 (alert 3)" /tmp/mail.out
krgtoken refill 0 30 > /dev/null && krgtoken refill 1 30 > /dev/null

# --- unplugging a key ----------------------------------------------------------------
# CPU-bound: the node of a sleeping task is where it last ran.
sh -c 'while :; do :; done' &
sleeper=$!
mkdir $S/process_set/single_processes/$sleeper
migrate $sleeper 1
check "a migratable CPU-bound job runs on node 1" test "$(grep Cpus_allowed_list /proc/$sleeper/status | cut -f2)" = "$(cat /sys/kernel/krg/node1/cpulist)"
check "the host unplugs node 1's key" krg_host usb-unplug 1
check "the probe sees it go" wait_for present_is 1 0
check "node 1 has no count any more" grep -q "no data" $P/tokens/nodes/1/value
check "its job was moved to node 0" wait_for sh -c \
	"[ \"\$(grep Cpus_allowed_list /proc/$sleeper/status | cut -f2)\" = \"\$(cat /sys/kernel/krg/node0/cpulist)\" ]"
echo "# moves: $(cat $TB/moves | tr '\n' ' '); $(grep -E '^(migrations|last)' $TB/stats | tr '\n' ' ')"
kill $sleeper
fails "node 1 cannot be fed" "No such device" w $P/set_tokens "1 5"
ok_nodes=0
i=0
while [ $i -lt 4 ]; do
	krgtoken consume 1 | grep -q "^node 0:" && ok_nodes=$((ok_nodes + 1))
	i=$((i + 1))
done
check "with node 1's key out, every job goes to node 0 ($ok_nodes/4)" test $ok_nodes = 4
check "the host plugs it back" krg_host usb-plug 1
check "the probe sees it come" wait_for present_is 1 1
check "krgtoken sync reads it again" wait_for sh -c "krgtoken sync 1 2> /dev/null | grep -q 'node 1: 30 tokens'"
check "events counted" sh -c "grep -q 'unplugged 1' $P/events && grep -q 'plugged 3' $P/events"

# --- unload while in use ------------------------------------------------------------
fails "usb_token_probe cannot go while linked" "Device or resource busy" rmdir $P
check "usb_token_probe.ko is in use" sh -c '! rmmod usb_token_probe 2>/dev/null'
check "alert_filter.ko is in use" sh -c '! rmmod alert_filter 2>/dev/null'
check "token_balancer.ko is in use" sh -c '! rmmod token_balancer 2>/dev/null'
rm $A/tokens
rmdir $A
rmdir $TB
rmdir $S/process_set/process_sessions/$launcher
rmdir $S/process_set/single_processes/$sleeper
rmdir $S
rmdir $P
check "everything unloads once removed" sh -c \
	'rmmod token_balancer && rmmod alert_filter && rmmod usb_token_probe'
check "the alert directory is gone" test ! -e /sys/kernel/krg_alert
tap_done
