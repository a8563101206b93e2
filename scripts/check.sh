#!/usr/bin/env bash
# `make check`: host unit tests, the VM suite, then the cluster suite
# (tests/cluster/run: guests on one virtual link). Prints every test's TAP,
# then one line "N passed, N failed"; exits non-zero if anything failed.
# Arguments select tests of the VM suite, and then the cluster suite is
# left out.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log=$(mktemp)
fails=$(mktemp)
trap 'rm -f "$log" "$fails"' EXIT

# What failed in the part whose output is in $log, one line each, named by
# its scenario ("# ==== NAME" before it) and guest prefix: the summary at
# the end repeats them, so that the last lines of a long run say what failed.
failures() {	# $1: the part
	awk -v part="$1" '
	{ l = $0; sub(/\r$/, "", l); pre = "" }
	match(l, /^\[[^]]*\] /) { pre = substr(l, 1, RLENGTH); l = substr(l, RLENGTH + 1) }
	l ~ /^# ==== / { name[pre] = substr(l, 8); next }
	l ~ /^not ok [0-9]+/ && l !~ /# TODO/ {
		print part ": " pre (name[pre] != "" ? name[pre] ": " : "") l; next }
	l ~ /^vm: hard timeout|verdict=no-token|^vm: the guest panicked/ { print part ": " pre l }
	' "$log" >> "$fails"
}

echo "== host unit tests"
make --no-print-directory -C tests run-unit 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
up=$(grep -cE '^ok [0-9]+' "$log")
us=$(grep -cE '^ok [0-9]+.*# SKIP' "$log")
uf=$(grep -cE '^not ok [0-9]+' "$log")
up=$((up - us))
[ "$unit_rc" = 0 ] || [ "$uf" -gt 0 ] || uf=1
failures unit

echo "== VM suite"
tests/vm/run "$@" 2>&1 | tee "$log"
vm_rc=${PIPESTATUS[0]}
line=$(grep -E '^vm: [0-9]+ passed' "$log" | tail -n1)
vp=$(sed -n 's/^vm: \([0-9]*\) passed.*/\1/p' <<< "$line")
vf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$line")
[ -n "$vp" ] || vp=0
[ -n "$vf" ] || vf=1
[ "$vm_rc" = 0 ] || [ "$vf" -gt 0 ] || vf=1
failures vm

cp=0 cf=0
if [ $# -eq 0 ]; then
	echo "== cluster suite"
	start=$(date +%s)
	tests/cluster/run 2>&1 | tee "$log"
	cl_rc=${PIPESTATUS[0]}
	line=$(grep -E '^cluster: [0-9]+ passed' "$log" | tail -n1)
	cp=$(sed -n 's/^cluster: \([0-9]*\) passed.*/\1/p' <<< "$line")
	cf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$line")
	[ -n "$cp" ] || cp=0
	[ -n "$cf" ] || cf=1
	[ "$cl_rc" = 0 ] || [ "$cf" -gt 0 ] || cf=1
	failures cluster
	echo "== cluster suite took $(( $(date +%s) - start ))s"
fi

if [ -s "$fails" ]; then
	echo "== what failed"
	cat "$fails"
fi
echo "$((up + vp + cp)) passed, $((uf + vf + cf)) failed"
[ $((uf + vf + cf)) = 0 ]
