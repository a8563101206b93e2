// SPDX-License-Identifier: GPL-2.0
/*
 * burn: a CPU-bound job of a fixed amount of work, for the demo and the
 * makespan benchmark.
 *   burn -c [SECS]   print how many work units this CPU does per second,
 *                    counted over SECS seconds (default 1)
 *   burn UNITS       do UNITS units of work, then exit
 *   burn -t UNITS    the same, then print the CPU time it used (s): the
 *                    time the guest's CPUs spent on it, whatever the
 *                    host gave them meanwhile
 * A unit is a fixed arithmetic loop, so a job's work does not depend on
 * where or how fast it runs: only its completion time does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNIT_LOOPS 100000

static unsigned long sink;

static void unit(void)
{
	unsigned long x = sink | 1;
	int i;

	for (i = 0; i < UNIT_LOOPS; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	__atomic_store_n(&sink, x, __ATOMIC_RELAXED);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n, i;
	struct timespec cpu;
	int times = 0;
	char *end;
	double t0, secs;

	if ((argc == 2 || argc == 3) && !strcmp(argv[1], "-c")) {
		secs = argc == 3 ? strtod(argv[2], &end) : 1.0;
		if (argc == 3 && (*end || !(secs > 0 && secs <= 3600))) {
			fprintf(stderr, "burn: invalid duration '%s'\n", argv[2]);
			return 1;
		}
		t0 = now();
		for (n = 0; now() - t0 < secs; n++)
			unit();
		printf("%.0f\n", n / (now() - t0));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-t")) {
		times = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "Usage: burn -c [SECONDS] | burn [-t] UNITS\n");
		return 1;
	}
	n = strtoul(argv[1], &end, 10);
	if (*end || !n) {
		fprintf(stderr, "burn: invalid unit count '%s'\n", argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++)
		unit();
	if (times) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
		printf("%.3f\n", cpu.tv_sec + cpu.tv_nsec / 1e9);
	}
	return 0;
}
