#!/bin/sh
# Every guest, last in its cluster (it leaves the cluster's corosync for
# one of its own): krgd against corosync configurations it cannot use
# gives a clear error and exits (a configuration error: retrying would not
# help), and nothing else breaks: a nodelist without node ids (corosync,
# over udpu, makes one up from the address), a node id above 256 (krg's
# ids are 0..255); and with no corosync at all it says so and keeps
# trying, until it is stopped.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
tap_plan 12

me=$((KRG_NODE_ID - 1))
addr=10.77.0.$KRG_NODE_ID

# corosync_stop: stop this guest's corosync and wait until it is gone (a
# zombie counts as gone: its parent may not reap it).
corosync_stop() {
	kill "$(cat /run/corosync.pid)" 2>/dev/null
	wait_until 30 sh -c '! grep -qs "^State:	[^Z]" /proc/$(cat /run/corosync.pid)/status'
}

# corosync_with FILE: this guest's corosync again, on FILE; wait until it
# answers.
corosync_with() {
	corosync_stop || return 1
	setsid corosync -f -c "$1" > /tmp/corosync.log 2>&1 &
	echo $! > /run/corosync.pid
	wait_until 60 sh -c 'corosync-cmapctl -g runtime.votequorum.this_node_id > /dev/null 2>&1' ||
		{ sed 's/^/# corosync: /' /tmp/corosync.log; return 1; }
}

# conf TRANSPORT NODE_LINE: a one-node corosync.conf of this guest.
conf() {
	cat <<EOT
totem {
	version: 2
	cluster_name: krgbad$KRG_NODE_ID
	transport: $1
	crypto_cipher: none
	crypto_hash: none
}
nodelist {
	node {
		ring0_addr: $addr
		$2
	}
}
quorum {
	provider: corosync_votequorum
}
logging {
	to_stderr: yes
	to_syslog: no
}
EOT
}

# agent_fails PATTERN: krgd exits 1 within 60 s, saying PATTERN.
agent_fails() {
	timeout 60 krgd -f > /tmp/krgd.bad 2>&1
	rc=$?
	sed 's/^/# /' /tmp/krgd.bad
	[ $rc = 1 ] && grep -q "$1" /tmp/krgd.bad
}

cluster_barrier start > /dev/null
check "krg.ko in cluster mode (node $me)" \
	modprobe krg cluster_nodes=0-$((KRG_NODES - 1)) node_id=$me

conf udpu "" > /tmp/noid.conf
check "corosync runs on a nodelist without node ids (udpu)" corosync_with /tmp/noid.conf
id=$(corosync-cmapctl -g runtime.votequorum.this_node_id | sed 's/.* = //')
check "... and made up nodeid $id from the address" [ "$id" -gt 256 ]
check "krgd: exits 1, naming the nodeid and saying why" agent_fails \
	"corosync nodeid is $id, outside 1..256 (the nodelist gives none, so corosync made it up from the address)"
check "... krg.ko heard nothing (only this node, no membership)" sh -c \
	"[ \"\$(cat $K/nodes_online)\" = $me ] && grep -q '^membership none' $K/cluster"

conf knet "nodeid: 300" > /tmp/bigid.conf
check "corosync runs with nodeid 300" corosync_with /tmp/bigid.conf
check "krgd: exits 1, nodeid 300 outside 1..256" agent_fails \
	"corosync nodeid is 300, outside 1..256: give every node"
check "... without blaming a missing nodeid" sh -c '! grep -q "made it up" /tmp/krgd.bad'

corosync_stop
krgd -f > /tmp/krgd.none 2>&1 &
agent=$!
check "no corosync: krgd says so" wait_until 30 grep -q "corosync is not running" /tmp/krgd.none
check "... and keeps trying (still running)" kill -0 $agent
kill $agent
wait $agent
check "... and stops on SIGTERM (status 0)" [ $? = 0 ]
check "krg.ko unloads" rmmod krg
cluster_barrier done > /dev/null
tap_done
