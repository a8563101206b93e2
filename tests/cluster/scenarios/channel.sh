#!/bin/sh
# Every guest: krgd serves the agents' TLS channel (port 7079, with the
# key /etc/krg/authkey the host put in every guest, mode 0600). Node 0
# says HELLO to node 1 with krgchan and gets node 1's id; a wrong key, an
# identity claimed from another node's address, one not in the nodelist,
# a key file of mode 0644, plain-TCP garbage and a stalling connection
# are refused, and node 1's krgd logs each with node 0's address and the
# reason; node 1's krgd still follows the membership afterwards, and
# stops at once on SIGTERM with a stalling connection open. Then krgd
# without a key, with a 0644 one, with --channel-port 0: the channel off,
# one line why (naming the file), the membership followed all the same;
# bad arguments of krgd and krgchan refused.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
LOG=/tmp/krgd.log
me=$((KRG_NODE_ID - 1))
case $me in
0) tap_plan 25 ;;
1) tap_plan 26 ;;
*) tap_plan 16 ;;
esac
n1=10.77.0.2
v="krgd from krgsched 0.1"

check "the key is root's, mode 0600" [ "$(stat -c %a:%u /etc/krg/authkey)" = 600:0 ]
check "krg.ko in cluster mode, krgd started" cluster_krg_up
check "krgd follows the membership" wait_until 60 grep -q '^membership fresh' $K/cluster
check "krgd serves the channel on this node's address" wait_until 10 \
	grep -q "channel: listening on 10.77.0.$KRG_NODE_ID:7079 " $LOG
check "every node's channel is up" cluster_barrier chan-up

if [ $me = 0 ]; then
	out=$(krgchan hello 1 2>&1)
	check "HELLO to node 1: node 1 answers ($out)" [ "$out" = "node 1: $v" ]
	check "HELLO to this node: node 0 answers" [ "$(krgchan hello 0 2>&1)" = "node 0: $v" ]
	head -c 64 /dev/urandom > /tmp/wrongkey && chmod 600 /tmp/wrongkey
	fails "a wrong key: refused" "node 1 (10.77.0.2:7079): TLS handshake" \
		krgchan -k /tmp/wrongkey hello 1
	fails "as node 1, from node 0's address: refused" "TLS handshake" \
		krgchan --as 1 hello 1
	fails "as node 9, not in the nodelist: refused" "TLS handshake" \
		krgchan --as 9 hello 1
	chmod 644 /tmp/wrongkey
	fails "a key file of mode 0644: refused, by name" \
		"key file /tmp/wrongkey: mode 0644, must be 0600 or stricter" \
		krgchan -k /tmp/wrongkey hello 1
	check "plain-TCP garbage: closed by node 1" sh -c \
		"echo 'GET / HTTP/1.0' | timeout 10 nc $n1 7079 > /dev/null"
	sleep 12 | nc $n1 7079 > /dev/null &
	stall=$!
	sleep 1
	check "a stalling connection open: node 1 still answers HELLO" \
		[ "$(krgchan hello 1 2>&1)" = "node 1: $v" ]
	check "... and closes the stalling one (5 s handshake bound)" \
		wait_until 10 sh -c "! kill -0 $stall 2>/dev/null"
fi
check "node 0 tried" cluster_barrier chan-tried

if [ $me = 1 ]; then
	from="channel: 10.77.0.1:[0-9]*: refused:"
	check "logged: the wrong key" grep -q "$from wrong key" $LOG
	check "logged: node 1's identity from node 0's address" \
		grep -q "$from identity krg-node1 from another address (node 1 is 10.77.0.2)" $LOG
	check "logged: an identity not in the nodelist" \
		grep -q "$from identity krg-node9: not a node of the nodelist" $LOG
	check "logged: the plain-TCP client" grep -q "$from not a TLS client" $LOG
	check "logged: the stalling client" \
		grep -q "$from no TLS handshake within 5000 ms" $LOG
	check "logged: node 0's good connections" \
		grep -q "channel: 10.77.0.1:[0-9]*: node 0 connected" $LOG
	check "krgd still follows the membership: fresh, quorate" sh -c \
		"grep -q '^membership fresh' $K/cluster && grep -q '^quorate 1' $K/cluster && kill -0 \$(cat /run/krgd.pid)"
	check "krgadm cluster status: up on $KRG_NODES nodes" \
		[ "$(krgadm cluster status)" = "status: up on $KRG_NODES nodes" ]
fi
if [ $me = 0 ]; then
	sleep 12 | nc $n1 7079 > /dev/null &
	sleep 1
fi
check "node 0 stalls a connection again" cluster_barrier chan-stall
if [ $me = 1 ]; then
	agent=$(cat /run/krgd.pid)
	kill "$agent"
	check "SIGTERM with a stalling connection: krgd stops within 3 s" \
		wait_until 3 sh -c "! kill -0 $agent 2>/dev/null"
	check "... the membership is stale" wait_until 5 grep -q '^membership stale' $K/cluster
fi
check "every node got here" cluster_barrier chan-done
kill "$(cat /run/krgd.pid)" 2>/dev/null

# krgd_off WHAT ARG...: krgd with ARGs says "channel off: WHAT" once and
# follows the membership all the same.
krgd_off() {
	_w=$1; shift
	wait_until 5 sh -c "! kill -0 $(cat /run/krgd.pid) 2>/dev/null"
	krgd -f -v "$@" > /tmp/krgd-off.log 2>&1 &
	_a=$!
	wait_until 60 grep -q "^krgd: reported ring" /tmp/krgd-off.log &&
		grep -q '^membership fresh' $K/cluster &&
		[ "$(grep -c 'channel off' /tmp/krgd-off.log)" = 1 ] &&
		grep -q "^krgd: channel off: $_w" /tmp/krgd-off.log &&
		! grep -q "listening" /tmp/krgd-off.log
	_r=$?
	if [ $_r != 0 ]; then
		# where krgd is when it said nothing (seen once: an empty log)
		echo "# krgd $_a: $(grep ^State /proc/$_a/status 2>&1)," \
			"wchan $(cat /proc/$_a/wchan 2>&1)"
		sed 's/^/# stack: /' /proc/$_a/stack 2>/dev/null
		sed 's/^/# /' /tmp/krgd-off.log
	fi
	kill $_a; wait $_a 2>/dev/null
	return $_r
}
check "krgd without a key file: channel off, one line, membership followed" \
	krgd_off "key file /etc/krg/none: No such file or directory" --key /etc/krg/none
head -c 64 /dev/urandom > /tmp/key0644 && chmod 644 /tmp/key0644
check "krgd with a 0644 key file: refused by name, channel off" \
	krgd_off "key file /tmp/key0644: mode 0644, must be 0600 or stricter" --key /tmp/key0644
head -c 16 /dev/urandom > /tmp/key16 && chmod 600 /tmp/key16
check "krgd with a 16-byte key file: refused by name, channel off" \
	krgd_off "key file /tmp/key16: 16 bytes, must be 32 to 4096" --key /tmp/key16
check "krgd --channel-port 0: channel off" krgd_off "--channel-port 0" --channel-port 0
refused "krgd --channel-port 70000" "invalid channel-port argument '70000'" \
	krgd --channel-port 70000
refused "krgchan hello x" "invalid node argument 'x'" krgchan hello x
refused "krgchan frobnicate 1" "unknown request 'frobnicate'" krgchan frobnicate 1
check "krg.ko unloads" wait_until 5 rmmod krg
[ "$_tap_fail" = 0 ] || sed 's/^/# /' $LOG
tap_done
