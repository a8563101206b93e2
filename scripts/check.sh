#!/usr/bin/env bash
# `make check`: host unit tests, then the VM suite. Prints every test's TAP,
# then one line "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== host unit tests"
make --no-print-directory -C tests run-unit 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
up=$(grep -cE '^ok [0-9]+' "$log")
us=$(grep -cE '^ok [0-9]+.*# SKIP' "$log")
uf=$(grep -cE '^not ok [0-9]+' "$log")
up=$((up - us))
[ "$unit_rc" = 0 ] || [ "$uf" -gt 0 ] || uf=1

echo "== VM suite"
tests/vm/run "$@" 2>&1 | tee "$log"
vm_rc=${PIPESTATUS[0]}
line=$(grep -E '^vm: [0-9]+ passed' "$log" | tail -n1)
vp=$(sed -n 's/^vm: \([0-9]*\) passed.*/\1/p' <<< "$line")
vf=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<< "$line")
[ -n "$vp" ] || vp=0
[ -n "$vf" ] || vf=1
[ "$vm_rc" = 0 ] || [ "$vf" -gt 0 ] || vf=1

echo "$((up + vp)) passed, $((uf + vf)) failed"
[ $((uf + vf)) = 0 ]
