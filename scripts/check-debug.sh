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
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) -print0 |
	xargs -0 cp -p --parents -t "$shadow"
make -C "$dbg" M="$shadow" W=1 modules -s
echo "== modules built against it ($(( $(date +%s) - start ))s)"

set +e
tests/vm/run --debug "$@"
rc=$?
set -e
echo "== check-debug took $(( $(date +%s) - start ))s"
exit $rc
