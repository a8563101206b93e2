#!/bin/sh
# Every guest: krg.ko in cluster mode (node id = corosync nodeid - 1)
# follows corosync's membership through krgd: all nodes online and
# quorate on each; the probes measure this machine only (other nodes'
# values come from the value cache); a node_set_max_fit scheduler covers
# the cluster; krgd killed: the membership goes stale, nothing waits for
# it (a fork loop runs); krgd back: fresh again. Each node's tree is its
# own here (krgd --local-tree): the checks are per node.
. /krg/lib/krg.sh
. /krg/lib/cluster.sh
K=/sys/kernel/krg
C=$KRG_CFS
tap_plan 30

me=$((KRG_NODE_ID - 1))
last=$((KRG_NODES - 1))
all="0-$last"
[ "$KRG_NODES" = 2 ] && all="0-1"

check "krg.ko loads in cluster mode" modprobe krg cluster_nodes=$all node_id=$me
check "backend cluster, nodes $all possible, this is node $me" sh -c \
	"[ \"\$(cat $K/backend)\" = cluster ] && [ \"\$(cat $K/nodes_possible)\" = $all ] && [ \"\$(cat $K/local_node)\" = $me ]"
check "before the agent: only this node online, no membership" sh -c \
	"[ \"\$(cat $K/nodes_online)\" = $me ] && grep -q '^membership none' $K/cluster"
check "corosync formed the membership" wait_until 120 sh -c \
	'[ "$(. /krg/lib/cluster.sh; cluster_members)" = "$0" ]' "$(seq 1 "$KRG_NODES" | tr '\n' ' ' | sed 's/ $//')"

check "krgadm: down before the agent" [ "$(krgadm cluster status)" = "status: down" ]
krgd -f -v --local-tree > /tmp/krgd.log 2>&1 &
agent=$!
check "with krgd every node is online" wait_until 60 sh -c "[ \"\$(cat $K/nodes_online)\" = $all ]"
check "... the membership fresh and quorate" sh -c \
	"grep -q '^membership fresh' $K/cluster && grep -q '^quorate 1' $K/cluster"

check "krgadm cluster wait -c $KRG_NODES" krgadm cluster wait -c "$KRG_NODES" -t 60
check "krgadm cluster status: up on $KRG_NODES nodes" \
	[ "$(krgadm cluster status)" = "status: up on $KRG_NODES nodes" ]
check "krgadm nodes status: Kerrighed's lines" \
	[ "$(krgadm nodes status | tr '\n' ' ')" = "$(seq 0 $last | sed 's/$/:online/' | tr '\n' ' ')" ]
check "krgadm nodes status -l -n $me: its address, CPUs, memory" sh -c \
	"krgadm nodes status -l -n $me | grep -qE '^$me:online	10.77.0.$KRG_NODE_ID	cpus 1	mem [0-9]+ kB\$'"
fails "krgadm nodes status -n abc" "invalid node list 'abc'" krgadm nodes status -n abc
fails "krgadm cluster wait -c 0" "invalid count argument '0'" krgadm cluster wait -c 0
fails "krgadm nodes add without a selection" "needs -n LIST, -c COUNT, -t TOTAL or -a" krgadm nodes add
fails "krgadm frobnicate" "unknown mode 'frobnicate'" krgadm frobnicate
P=/proc/nodes
check "/proc/nodes/self is this node" [ "$(readlink $P/self)" = "node$me" ]
check "/proc/nodes has every online node" [ "$(ls -d $P/node* | wc -l)" = "$KRG_NODES" ]
check "... another node's CPUs and memory, from its agent" wait_until 30 sh -c \
	"[ \"\$(cat $P/node$(( (me + 1) % KRG_NODES ))/cpus)\" = 1 ] && grep -q '^MemTotal: *[0-9]* kB' $P/node$(( (me + 1) % KRG_NODES ))/meminfo"
check "... its load average" grep -qE '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' $P/node$(( (me + 1) % KRG_NODES ))/loadavg
krg_load krg_scheduler
mkdir $C/probes/mem_probe
other=$(( (me + 1) % KRG_NODES ))
v=$(cat $C/probes/mem_probe/ram_total/nodes/$me/value)
check "mem_probe measures this machine ($v)" sh -c "echo '$v' | grep -qE '^[0-9]+$'"
# (none yet, or already what that node's agent published: the tree is
# replicated, so the other node may have made the probe and sent it)
ov=$(cat $C/probes/mem_probe/ram_total/nodes/$other/value)
check "... another node's value comes from the cache ($ov)" \
	sh -c "[ '$ov' = '(no value yet)' ] || echo '$ov' | grep -qE '^[0-9]+$'"
check "... which its node_dirs say is measured elsewhere" sh -c \
	"[ \"\$(cat $K/node$me/measured)\" = 1 ] && [ \"\$(cat $K/node$other/measured)\" = 0 ]"
rmdir $C/probes/mem_probe
mkdir $C/schedulers/all
echo 1 > $C/schedulers/all/node_set_max_fit
check "a node_set_max_fit scheduler covers the cluster" [ "$(cat $C/schedulers/all/node_set)" = "$all" ]
rmdir $C/schedulers/all

kill "$agent"; wait "$agent" 2>/dev/null
check "krgd stopped: the membership is kept, stale" wait_until 10 grep -q '^membership stale' $K/cluster
check "... the nodes stay online" [ "$(cat $K/nodes_online)" = "$all" ]
check "... krgadm says stale" sh -c "krgadm nodes status -n $me | grep -q '^$me:stale\$' && krgadm cluster status | grep -q '^membership: stale'"
i=0
while [ $i -lt 50 ] && /bin/true; do i=$((i + 1)); done
check "... and processes fork on (50 forks)" [ $i = 50 ]
krgd -f --local-tree > /tmp/krgd.log 2>&1 &
agent=$!
check "krgd back: fresh again" wait_until 60 grep -q '^membership fresh' $K/cluster
check "every node got here" cluster_barrier agent
kill "$agent"; wait "$agent" 2>/dev/null
check "krg.ko unloads" sh -c "rmmod mem_probe krg_scheduler krg"
[ "$_tap_fail" = 0 ] || sed 's/^/# /' /tmp/krgd.log
cluster_barrier done > /dev/null
tap_done
