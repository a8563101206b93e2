#!/bin/sh
# Build everything and measure the fork/exit overhead of krg.ko in one VM boot
# (bench/fork_overhead.sh). One NUMA node of one CPU by default: under TCG
# every extra vCPU adds cross-CPU wake-ups and host contention, i.e. noise.
# Extra arguments go to tests/vm/run (e.g. --nodes 2). The iteration and
# round counts are the defaults at the top of fork_overhead.sh.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
make -C "$top" all
exec "$top/tests/vm/run" --nodes 1 --timeout 1800 "$@" --bench fork_overhead
