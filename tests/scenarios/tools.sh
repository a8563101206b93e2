#!/bin/sh
# Scenario: the user tools against krg.ko. krgcapset shows and changes the
# capabilities of its parent shell or of a pid, Kerrighed's way; after
# "krgcapset -d +CAN_MIGRATE" the shell's new jobs can be moved with
# "migrate PID NODE"; every refusal names its reason and exits 1; --help,
# --version and misuse follow util-linux conventions.
. /krg/lib/krg.sh

echo "TAP version 13"
krg_load krg || { echo "not ok 1 - load krg"; exit 1; }

allowed() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"; }
cpulist() { cat "/sys/kernel/krg/node$1/cpulist"; }
spin() { ( while :; do :; done ) & }
# quiesce: up to 3 s for every queued migration to end
quiesce() {
	i=0
	while [ $i -lt 300 ]; do
		set -- $(cat /sys/kernel/krg/migrations)
		[ "$2" -eq $(($4 + $6)) ] && return 0
		usleep 10000; i=$((i + 1))
	done
	return 1
}
# wait_allowed PID NODE: the queued migrations ended, PID's CPUs are NODE's
wait_allowed() {
	quiesce && [ "$(allowed "$1")" = "$(cpulist "$2")" ]
}

TAB=$(printf '\t')
ALLNAMES="CHANGE_KERRIGHED_CAP, CAN_MIGRATE, DISTANT_FORK, CHECKPOINTABLE"

# --- krgcapset -s: Kerrighed's format, defaults -------------------------------
cat > /tmp/.krg-want <<EOT
Permitted Capabilities: 027
${TAB}$ALLNAMES
Effective Capabilities: 01
${TAB}CHANGE_KERRIGHED_CAP
Inheritable Permitted Capabilities: 027
${TAB}$ALLNAMES
Inheritable Effective Capabilities: 01
${TAB}CHANGE_KERRIGHED_CAP
EOT
krgcapset -s > /tmp/.krg-got
check "krgcapset -s shows the shell's default sets" cmp -s /tmp/.krg-want /tmp/.krg-got
krgcapset --show > /tmp/.krg-got2
check "krgcapset --show is -s" cmp -s /tmp/.krg-got /tmp/.krg-got2
krgcapset -k $$ -s > /tmp/.krg-got2
check "krgcapset -k PID -s shows that process" cmp -s /tmp/.krg-got /tmp/.krg-got2

# --- a job started before CAN_MIGRATE may not migrate ------------------------
spin; old=$!
refused "migrate: no CAN_MIGRATE" \
	"cannot migrate process $old to node 1: the process lacks CAN_MIGRATE" \
	migrate "$old" 1

# --- krgcapset -d +CAN_MIGRATE on the shell, then its new jobs migrate -------
status_is "krgcapset -d +CAN_MIGRATE" 0 krgcapset -d +CAN_MIGRATE
krgcapset -s > /tmp/.krg-got
check "the shell's inheritable effective set has CAN_MIGRATE" \
	grep -qx "Inheritable Effective Capabilities: 03" /tmp/.krg-got
check "... named on the next line" \
	grep -qx "${TAB}CHANGE_KERRIGHED_CAP, CAN_MIGRATE" /tmp/.krg-got
check "... and its effective set is unchanged" \
	grep -qx "Effective Capabilities: 01" /tmp/.krg-got
refused "the older job still may not migrate" "lacks CAN_MIGRATE" \
	migrate "$old" 1

check "node 1's memory is NUMA node 1's (numa_node)" test "$(cat /sys/kernel/krg/node1/numa_node)" = 1
spin; job=$!
status_is "migrate JOB 1" 0 migrate "$job" 1
check "... with nothing on stderr (its memory moved too)" test ! -s /tmp/.krg-err
check "JOB's CPUs are node 1's" test "$(allowed "$job")" = "$(cpulist 1)"
# Its private memory (heap, stack) is on node 1 now: migrate_pages(2).
grep -E 'heap|stack' /proc/$job/numa_maps > /tmp/.krg-maps
check "JOB's heap and stack pages are on node 1" \
	sh -c "grep -q N1= /tmp/.krg-maps && ! grep -q N0= /tmp/.krg-maps"
# The kernel's automatic NUMA balancing would move them after a while, on
# its own: off for this check.
autonuma=$(cat /proc/sys/kernel/numa_balancing)
echo 0 > /proc/sys/kernel/numa_balancing
status_is "migrate --keep-memory JOB 0" 0 migrate --keep-memory "$job" 0
grep -E 'heap|stack' /proc/$job/numa_maps > /tmp/.krg-maps
check "... leaves its pages on node 1" \
	sh -c "grep -q N1= /tmp/.krg-maps && ! grep -q N0= /tmp/.krg-maps"
echo "$autonuma" > /proc/sys/kernel/numa_balancing
status_is "migrate JOB 1" 0 migrate "$job" 1
status_is "migrate JOB 0" 0 migrate "$job" 0
check "JOB's CPUs are node 0's" test "$(allowed "$job")" = "$(cpulist 0)"
status_is "migrate JOB 0 again (already there)" 0 migrate "$job" 0
status_is "migrate --nowait JOB 1" 0 migrate --nowait "$job" 1
check "JOB moves to node 1" wait_allowed "$job" 1
status_is "migrate -n JOB 0" 0 migrate -n "$job" 0
check "JOB moves to node 0" wait_allowed "$job" 0

# --- refusals -----------------------------------------------------------------
sh -c 'exit 0' & dead=$!
wait $dead
refused "migrate: dead process" \
	"cannot migrate process $dead to node 1: no such process" \
	migrate "$dead" 1
refused "migrate: kernel thread" \
	"cannot migrate process 2 to node 1: kernel thread or invalid node" \
	migrate 2 1
refused "migrate: offline node" \
	"cannot migrate process $job to node 255: node 255 is not online" \
	migrate "$job" 255
refused "migrate: another user's process" \
	"cannot migrate process $job to node 1: permission denied" \
	as_user migrate "$job" 1
status_is "krgcapset -k JOB -e -CAN_MIGRATE" 0 krgcapset -k "$job" -e -CAN_MIGRATE
refused "migrate: CAN_MIGRATE removed" "lacks CAN_MIGRATE" migrate "$job" 1
status_is "krgcapset -k JOB -e +CAN_MIGRATE" 0 krgcapset -k "$job" -e +CAN_MIGRATE
status_is "migrate JOB 1 once allowed again" 0 migrate "$job" 1

# An unprivileged user: its own job yes, another user's no.
as_user sh -c 'krgcapset -d +CAN_MIGRATE && { while :; do :; done & } &&
	migrate $! 1 && test "$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/$!/status)" = "$(cat /sys/kernel/krg/node1/cpulist)"; rc=$?; kill $!; exit $rc' \
	>/tmp/.krg-out 2>&1
check "a user migrates its own job" test $? = 0
refused "krgcapset: another user's process" \
	"cannot get capabilities of process $job: Operation not permitted" \
	as_user krgcapset -k "$job" -s
refused "krgcapset: change another user's process" "Operation not permitted" \
	as_user krgcapset -k "$job" -e +DISTANT_FORK

# --- krgcapset rules ----------------------------------------------------------
refused "krgcapset: effective outside permitted" \
	"the effective set must be within the permitted set, not FORK_DELAY" \
	krgcapset -k "$job" -e +FORK_DELAY
refused "krgcapset: ... is EINVAL" "Invalid argument" \
	krgcapset -k "$job" -e +FORK_DELAY
refused "krgcapset: inheritable permitted outside permitted" \
	"the inheritable permitted set must be within the permitted set, not DISTANT_FORK" \
	krgcapset -k "$job" -p -DISTANT_FORK
status_is "krgcapset -k JOB -p -DISTANT_FORK -i -DISTANT_FORK" 0 \
	krgcapset -k "$job" -p -DISTANT_FORK -i -DISTANT_FORK
krgcapset -k "$job" -p +DISTANT_FORK >/tmp/.krg-out 2>/tmp/.krg-err
check "krgcapset: the permitted set only shrinks" \
	grep -q "cannot gain DISTANT_FORK: the permitted set only shrinks" /tmp/.krg-err
check "... and DISTANT_FORK stays out of it" \
	sh -c "krgcapset -k $job -s | grep -qx 'Permitted Capabilities: 023'"
echo n | krgcapset -k "$job" -e -CHANGE_KERRIGHED_CAP >/tmp/.krg-out 2>/tmp/.krg-err
check "krgcapset asks before dropping CHANGE_KERRIGHED_CAP" \
	grep -q "left unchanged" /tmp/.krg-err
status_is "krgcapset -f drops it" 0 krgcapset -f -k "$job" -e -CHANGE_KERRIGHED_CAP
refused "krgcapset: no more changes without it" "Operation not permitted" \
	krgcapset -f -k "$job" -e +CHANGE_KERRIGHED_CAP
refused "krgcapset: dead process" \
	"cannot get capabilities of process $dead: No such process" \
	krgcapset -k "$dead" -s

# --- krgcapset --save / --restore: the state goes to another process ---------
status_is "krgcapset -k JOB --save FILE" 0 krgcapset -k "$job" --save /tmp/.krg-state
status_is "krgcapset -k OLD --restore FILE" 0 krgcapset -k "$old" --restore /tmp/.krg-state
krgcapset -k "$job" -s >/tmp/.krg-want
krgcapset -k "$old" -s >/tmp/.krg-got
check "... OLD has JOB's sets, the permitted set included" cmp -s /tmp/.krg-want /tmp/.krg-got
head -c 100 /dev/zero >/tmp/.krg-junk
refused "krgcapset --restore: not a record" "is not a krg state record" \
	krgcapset -k "$old" --restore /tmp/.krg-junk
chmod 644 /tmp/.krg-state
refused "krgcapset --restore by a user" "Operation not permitted" \
	as_user krgcapset -k "$old" --restore /tmp/.krg-state
refused "krgcapset --save with a set" "cannot be combined" \
	krgcapset --save /tmp/.krg-state -e +CAN_MIGRATE
rm -f /tmp/.krg-state /tmp/.krg-junk

# --- --help, --version, misuse -------------------------------------------------
for tool in krgcapset migrate krgadm; do
	status_is "$tool --help exits 0" 0 $tool --help
	check "$tool --help prints its usage on stdout" grep -q "^Usage:" /tmp/.krg-out
	status_is "$tool -h exits 0" 0 $tool -h
	status_is "$tool --version exits 0" 0 $tool --version
	check "$tool --version names krgsched" grep -q "krgsched" /tmp/.krg-out
	refused "$tool with no argument" "Try '$tool --help' for more information." $tool
	refused "$tool --bogus" "Try '$tool --help' for more information." $tool --bogus
done
refused "migrate: bad pid" "invalid pid argument 'abc'" migrate abc 1
refused "migrate: bad node" "invalid node argument '256'" migrate 1 256
refused "migrate: negative node" "invalid node argument '-1'" migrate 1 -1
refused "migrate: too many arguments" "too many arguments" migrate 1 2 3
refused "krgcapset: unknown capability" "invalid capability 'BOGUS'" \
	krgcapset -e +BOGUS
refused "krgcapset: bad pid" "invalid pid argument '0'" krgcapset -k 0 -s
refused "krgcapset: -s with a set" "cannot be combined" krgcapset -s -e +CAN_MIGRATE
# Cluster tools on a single machine (the numa backend) say so.
refused "krgadm without a cluster" "runs the numa backend: this machine is not in a cluster" \
	krgadm cluster status
status_is "krgd --help exits 0" 0 krgd --help
check "krgd --help prints its usage on stdout" grep -q "^Usage:" /tmp/.krg-out
refused "krgd --bogus" "Try 'krgd --help' for more information." krgd --bogus
refused "krgd by a user" "must run as root" as_user krgd -f

kill "$old" "$job"
wait "$old" "$job" 2>/dev/null

# --- without krg.ko -----------------------------------------------------------
# (earlier tests may have left modules that use it loaded)
krg_unload_all >/dev/null 2>&1
if ! krg_loaded krg; then
	refused "migrate without krg.ko" "krg.ko is not loaded" migrate 1 1
	refused "krgcapset without krg.ko" "krg.ko is not loaded" krgcapset -s
	krg_load krg
else
	skip "tools without krg.ko (krg.ko is in use)"
	skip "tools without krg.ko (krg.ko is in use)"
fi

echo "1..$_tap_n"
tap_done
