# Shell helpers of the replicated tree's cluster scenarios (tree,
# tree_loss). Source after cluster.sh; C, S and me are the scenario's.
# shellcheck shell=sh

# The whole tree as text: every path (links with their targets), then
# what krgsched show --cfg says (every attribute that is configuration).
dump() {
	(cd $C && find . | sort | while read -r p; do
		if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; else echo "$p"; fi
	done)
	krgsched show --cfg
}
# same_as NAME: this node's tree is the one saved as $S/NAME
same_as() { dump > /tmp/dump 2>&1 && cmp -s /tmp/dump "$S/$1"; }
# show_diff NAME: what differs (a failed check's diagnostics)
show_diff() { dump 2>&1 | diff "$S/$1" - | head -20 | sed 's/^/# /'; }

# One random change on the names s0..s3; its error message, if any, to
# stderr. Every error must be one a single machine gives for the change.
one_change() {
	i=$((RANDOM % 4)); d=$C/schedulers/s$i
	case $((RANDOM % 10)) in
	0|1) mkdir $d ;;
	2) rmdir $d ;;
	3) mkdir $d/mosix_load_balancer ;;
	4) rmdir $d/mosix_load_balancer ;;
	5) echo $((RANDOM % 2)) > $d/node_set_exclusive ;;
	6) ln -s $C/probes/mosix_probe/process_load $d/mosix_load_balancer/process_load/p ;;
	7) rm $d/mosix_load_balancer/process_load/p ;;
	8) mkdir $C/probes/mosix_probe ;;
	9) rmdir $C/probes/mosix_probe ;;
	esac
}
# writers: 200 random changes; check_writers: only errors one machine gives
writers() {
	: > /tmp/errors
	n=0
	while [ $n -lt 200 ]; do one_change 2>> /tmp/errors; n=$((n + 1)); done
}
check_writers() {
	grep -vE 'File exists|No such file or directory|nonexistent directory|Directory not empty|Device or resource busy|Invalid argument|Operation not permitted' /tmp/errors > /tmp/bad || true
	check "200 changes on node $me: only errors one machine gives ($(wc -l < /tmp/errors) errors)" test ! -s /tmp/bad
	sed 's/^/# /' /tmp/bad | head
}
