#!/bin/sh
# The smallest probe, filter and policy of docs/writing-components.md
# (examples/components/), used as the guide shows: autoloaded on mkdir,
# chained with ln -s, placing a child; bad input refused; unloaded after.
. /krg/lib/krg.sh
krg_load_all
C=$KRG_CFS
S=$C/schedulers/ex
tap_plan 11
# wait_number FILE: up to 10 s for FILE to hold a number
wait_number() {
	_i=0
	while [ $_i -lt 1000 ]; do
		case "$(cat "$1")" in ''|*[!0-9]*) ;; *) return 0 ;; esac
		usleep 10000; _i=$((_i + 1))
	done
	return 1
}

check "mkdir loads mem_avail_probe" mkdir $C/probes/mem_avail_probe
check "... which measures available memory" wait_number $C/probes/mem_avail_probe/kb/value
mkdir $S && echo 0-1 > $S/node_set
mkdir $S/process_set/process_groups/$(cut -d' ' -f5 /proc/$$/stat)
check "mkdir loads first_node" mkdir $S/first_node
krgcapset -f -e +CAN_MIGRATE,DISTANT_FORK -d +CAN_MIGRATE,DISTANT_FORK
migrate $$ 1
sleep 30 & kid=$!
set -- $(cat /proc/$kid/stat)
check "first_node starts a child of node 1 on node 0" test "${39}" = 0
kill $kid
# offset_filter in a policy port: test_policy's "in".
check "mkdir loads offset_filter (in test_policy's port)" \
	sh -c "mkdir $C/schedulers/t && mkdir $C/schedulers/t/test_policy && mkdir $C/schedulers/t/test_policy/in/offset_filter"
F=$C/schedulers/t/test_policy/in/offset_filter
echo 1000 > $F/offset
ln -s $C/probes/mem_avail_probe/kb $F/mem
kb=$(cat $C/probes/mem_avail_probe/kb/value)
v=$(cat $F/value)
check "its value is the input plus 1000 ($kb -> $v)" test $((v - kb)) -ge 0 -a $((v - kb)) -le 100000
fails "garbage offset refused" "Invalid argument" sh -c "echo abc > $F/offset"
check "... the offset is kept" test "$(cat $F/offset)" = 1000
rm $F/mem; rmdir $F $C/schedulers/t/test_policy $C/schedulers/t
rmdir $S/first_node $S/process_set/process_groups/* $S
rmdir $C/probes/mem_avail_probe
check "mem_avail_probe unloads" rmmod mem_avail_probe
check "offset_filter unloads" rmmod offset_filter
check "first_node unloads" rmmod first_node
tap_done
