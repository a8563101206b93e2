#!/usr/bin/env bash
# `make demo`: boot a VM with one NUMA node per host core (at least 2, at
# most 4: more vCPUs than host cores only distorts the result), load
# everything, and run examples/demo.sh in it: CPU-bound jobs started on node
# 0 spread over the nodes under the legacy MOSIX scheduler; the summary
# compares the makespans with and without it. Ends by itself.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=$(nproc)
[ "$n" -ge 2 ] || n=2
[ "$n" -le 4 ] || n=4
exec "$top/tests/vm/run" --nodes "$n" --timeout 1200 --demo "$@"
