# Shell helpers of the cluster scenarios (tests/cluster/scenarios), in a
# guest of tests/cluster/run. Source after krg.sh.
# shellcheck shell=sh

. /krg/run.conf		# KRG_NODE_ID, KRG_NODES, KRG_TOKEN_MS
CL_SHARED=/shared

# krgd's log, /tmp/krgd.log, is a file of the shared directory (one per
# guest, boot and scenario), so that the host keeps it even when the guest
# hangs or is killed (tests/cluster/run copies them into build/cluster/).
mkdir -p $CL_SHARED/log &&
	ln -sfn "$CL_SHARED/log/krgd-$KRG_NODE_ID-boot${KRG_BOOT:-1}-${KRG_TEST_NAME:-none}.log" /tmp/krgd.log

# cluster_barrier NAME [COUNT] [SECONDS]: wait (default 300 s) until COUNT
# guests (default: all) reached barrier NAME of this scenario; false on
# timeout. Guests meet through files in the shared directory; a barrier's
# name is the scenario's own (KRG_TEST_NAME, from the runner), so two
# scenarios of one cluster never share one.
cluster_barrier() {
	_b=$CL_SHARED/barrier.${KRG_TEST_NAME:-}.$1
	_c=${2:-$KRG_NODES}
	_t=${3:-300}
	mkdir -p "$_b" && : > "$_b/$KRG_NODE_ID"
	_i=0
	while [ "$(ls "$_b" 2>/dev/null | wc -l)" -lt "$_c" ]; do
		[ $_i -ge $((_t * 5)) ] && return 1
		sleep 0.2
		_i=$((_i + 1))
	done
}

# The corosync node ids of the members joined, as corosync sees them here,
# sorted, one line.
cluster_members() {
	corosync-cmapctl -b runtime.members 2>/dev/null |
		sed -n 's/^runtime\.members\.\([0-9]*\)\.status (str) = joined$/\1/p' |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}

cluster_quorate() { corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes'; }

# wait_until SECONDS COMMAND...: poll every 0.2 s; false on timeout.
wait_until() {
	_t=$1; shift
	_i=0
	until "$@"; do
		[ $_i -ge $((_t * 5)) ] && return 1
		sleep 0.2
		_i=$((_i + 1))
	done
}

# cluster_host REQUEST GUEST [ARG...]: ask the host ("kill", "start",
# "cut" or "join" guest GUEST, a corosync nodeid) and wait (30 s) until it
# is done.
cluster_host() {
	_r=$CL_SHARED/ctl/$KRG_NODE_ID.$$.$(cut -d' ' -f1 /proc/uptime)
	mkdir -p "$CL_SHARED/ctl"
	echo "$*" > "$_r.tmp" && mv "$_r.tmp" "$_r.req" || return 1
	wait_until 30 test -e "$_r.done"
}

# cluster_restart GUEST SCENARIO: have the host boot killed guest GUEST
# again, to run SCENARIO and those after it in this cluster's list.
cluster_restart() {
	_tail=$(echo "$KRG_TESTS" | tr ' ' '\n' | sed -n "/^$2\$/,\$p" | tr '\n' ' ')
	cluster_host start "$1" ${_tail:-$2}
}

# The time since boot, in seconds (for figures, never for verdicts).
cluster_now() { cut -d' ' -f1 /proc/uptime; }

# cluster_krg_up [KRGD-OPTION...]: load krg.ko in cluster mode (node id:
# KRG_NODE_ID - 1, every node of the cluster possible) and start krgd
# with these options; its log in /tmp/krgd.log (above).
cluster_krg_up() {
	modprobe krg cluster_nodes=0-$((KRG_NODES - 1)) node_id=$((KRG_NODE_ID - 1)) &&
		{ krgd -f -v "$@" > /tmp/krgd.log 2>&1 & echo $! > /run/krgd.pid; }
}

# Stop krgd and wait for it (it leaves a read-only tree over the
# krg_scheduler directories).
cluster_krgd_stop() {
	_p=$(cat /run/krgd.pid 2>/dev/null) || return 0
	kill "$_p" 2>/dev/null
	wait_until 30 sh -c "! kill -0 $_p 2>/dev/null"
}
# ... and take that away, and krgd's private configfs mount (so that the
# modules can go).
cluster_krgd_cleanup() {
	for _m in /config/krg_scheduler $KRG_CFS /run/krgd/cfs; do
		while grep -q " $_m " /proc/mounts; do umount -l "$_m" || break; done
	done
}

# The front of the replicated tree is mounted (krgd's FUSE filesystem).
cluster_front_up() { grep -q " $KRG_CFS fuse.krgd " /proc/mounts; }

# cluster_invariant STEP NODE PID DIR: every node says where process PID
# is (files DIR/where.STEP.N); it runs on NODE and on no other node, and is
# stopped nowhere (a migration's invariant). Every node calls it.
cluster_invariant() {
	cluster_barrier "$1.a" > /dev/null
	cluster_where "$3" > "$4/where.$1.$((KRG_NODE_ID - 1))"
	cluster_barrier "$1.b" > /dev/null
	_ci_runs=0 _ci_v=
	for _ci_n in $(seq 0 $((KRG_NODES - 1))); do
		_ci_w=$(cat "$4/where.$1.$_ci_n")
		_ci_v="$_ci_v node $_ci_n $_ci_w,"
		[ "$_ci_w" != runs ] || _ci_runs=$((_ci_runs + 1))
		[ "$_ci_w" != stopped ] || _ci_runs=99
	done
	echo "# $1:$_ci_v"
	[ $_ci_runs = 1 ] && [ "$(cat "$4/where.$1.$2")" = runs ]
}

# cluster_where PID: how process PID is on this node (migration scenarios):
# runs, ghost (krg-ghost holds its place: it runs elsewhere), stopped (a
# copy or an original frozen: never after a migration ended) or none.
cluster_where() {
	[ -d /proc/$1 ] || { echo none; return; }
	case $(readlink /proc/$1/exe) in
	*krg-ghost) echo ghost ;;
	*) case $(sed 's/.*) \(.\).*/\1/' /proc/$1/stat) in
	   T) echo stopped ;;
	   *) echo runs ;;
	   esac ;;
	esac
}
