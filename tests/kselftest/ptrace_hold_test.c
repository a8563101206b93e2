// SPDX-License-Identifier: GPL-2.0
/*
 * Not a test of its own: a helper of tests/scenarios/bpf_policies.sh, a tracer
 * an unprivileged user runs on its own process ("ptrace_hold_test PID MS":
 * PTRACE_SEIZE, wait MS milliseconds, exit, which detaches). Without
 * arguments it reports a skipped TAP plan, so running it as a test is
 * harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/ptrace.h>

int main(int argc, char **argv)
{
	long pid, ms;

	if (argc != 3) {
		printf("1..0 # SKIP a helper of bpf_policies.sh\n");
		return 0;
	}
	pid = strtol(argv[1], NULL, 10);
	ms = strtol(argv[2], NULL, 10);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		fprintf(stderr, "ptrace_hold: pid %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	usleep(ms * 1000);
	return 0;
}
