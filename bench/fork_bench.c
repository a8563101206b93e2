// SPDX-License-Identifier: GPL-2.0
/*
 * fork_bench N: fork a child that exits at once, wait for it, N times; print
 * the mean ns per iteration. The unit of the fork-path benchmarks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, i;
	struct timespec a, b;
	pid_t pid;

	if (n <= 0) {
		fprintf(stderr, "fork_bench: invalid count '%s'\n", argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork_bench: fork");
			return 1;
		}
		if (!pid)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid) {
			perror("fork_bench: waitpid");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", ((b.tv_sec - a.tv_sec) * 1000000000LL +
			  (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
