#!/bin/sh
# The cost of krg.ko's fork and exit hooks on fork+exit+wait, in the VM
# (bench/run-fork-overhead.sh, or tests/vm/run --bench fork_overhead):
# krg.ko not loaded vs loaded with a forking task that has the default
# capabilities vs one whose children inherit non-default sets. See
# fork_overhead_bench.c for the method.
. /krg/lib/krg.sh

# The core is not part of this measure.
krg_loaded krg_scheduler && rmmod krg_scheduler

echo "## fork+exit+wait with and without krg.ko"
/krg/bench/fork_overhead_bench 100 200
