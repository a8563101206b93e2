#!/usr/bin/env bash
# `make check-debug`: the VM suite on the debug kernel (KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, kmemleak, DEBUG_LIST, debugobjects).
#  1. scripts/debug-kernel.sh builds the kernel once per machine (cached by version
#     and config fragment);
#  2. our modules are built against it in a shadow tree, build/debug (Kbuild writes
#     objects next to the sources, and the checkout's own objects are for the
#     reference kernel);
#  3. tests/vm/run --debug boots it; the guest runner fails on any report in the
#     kernel log and on what a final kmemleak scan finds, quoting them.
# Extra arguments go to tests/vm/run (test names, --nodes, ...).
#
# --selftest instead proves the checks work: for each bug krg_test_bugs.ko
# commits on purpose (use after free, lock inversion, leak, sleeping in
# atomic context), a boot must fail with the matching report in its output.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
start=$(date +%s)

dbg=$(scripts/debug-kernel.sh)
echo "== debug kernel: $dbg ($(( $(date +%s) - start ))s)"

shadow=$top/build/debug
mkdir -p "$shadow"
# Sources only, timestamps kept, so a second run rebuilds only what changed.
find Kbuild include kernel core probes filters policies tests/kmod \
	examples/components \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
	xargs -0 cp -p --parents -t "$shadow"
make -C "$dbg" M="$shadow" W=1 modules -s
echo "== modules built against it ($(( $(date +%s) - start ))s)"

if [ "${1:-}" = --selftest ]; then
	rc=0
	for t in "uaf:BUG: KASAN: slab-use-after-free" \
		 "inversion:WARNING: possible circular locking dependency detected" \
		 "leak:unreferenced object" \
		 "sleep:BUG: sleeping function called from invalid context"; do
		bug=${t%%:*} want=${t#*:}
		echo "== selftest: $bug must fail with '$want'"
		if tests/vm/run --debug --selftest "$bug" > build/vm/selftest-$bug.log 2>&1; then
			echo "not ok - $bug: the run passed"
			rc=1
		elif grep -qF -- "$want" build/vm/selftest-$bug.log; then
			echo "ok - $bug: caught:"
			grep -F -A3 -- "$want" build/vm/selftest-$bug.log | head -n 4 | sed 's/^/#   /'
		else
			echo "not ok - $bug: failed without '$want' (build/vm/selftest-$bug.log)"
			rc=1
		fi
	done
	echo "== check-debug --selftest took $(( $(date +%s) - start ))s"
	exit $rc
fi

set +e
tests/vm/run --debug "$@"
rc=$?
set -e
echo "== check-debug took $(( $(date +%s) - start ))s"
exit $rc
