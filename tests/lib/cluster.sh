# Shell helpers of the cluster scenarios (tests/cluster/scenarios), in a
# guest of tests/cluster/run. Source after krg.sh.
# shellcheck shell=sh

. /krg/run.conf		# KRG_NODE_ID, KRG_NODES, KRG_TOKEN_MS
CL_SHARED=/shared

# cluster_barrier NAME [SECONDS]: wait (default 300 s) until every guest
# reached barrier NAME; false on timeout. Guests meet through files in the
# shared directory.
cluster_barrier() {
	_b=$CL_SHARED/barrier.$1
	_t=${2:-300}
	mkdir -p "$_b" && : > "$_b/$KRG_NODE_ID"
	_i=0
	while [ "$(ls "$_b" 2>/dev/null | wc -l)" -lt "$KRG_NODES" ]; do
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
