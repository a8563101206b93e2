// SPDX-License-Identifier: GPL-2.0
/*
 * migjob - the job the migration scenarios move between machines.
 *
 * migjob MIB ROUNDS [busy]: fills MIB MiB with a pattern, then ROUNDS times
 * (0: forever) checks the whole memory against the pattern's checksum and
 * prints "round N host sum OK|BAD" to its stdout (a file on the shared
 * directory), about 5 times a second. With "busy" it never sleeps (a
 * CPU-bound job, for the balancers), ROUNDS is a number of seconds and a
 * line is printed every 100 checks. A
 * SIGUSR1 prints "got SIGUSR1"; SIGTERM ends it with 143. It ends with 0
 * if every check held, 1 if one did not: its parent's wait() says whether
 * its memory survived the moves. The host name in each line shows where
 * each round ran.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, term;

static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

static void on_term(int sig)
{
	(void)sig;
	term = 1;
}

int main(int argc, char **argv)
{
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	unsigned long mib, rounds, n;
	uint64_t *mem, sum0 = 0, words;
	char host[64] = "?";
	int bad = 0;

	struct timespec t0, t;
	int busy = argc == 4 && !strcmp(argv[3], "busy");

	if (argc != 3 && !busy) {
		fprintf(stderr, "usage: migjob MIB ROUNDS [busy]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mib = strtoul(argv[1], NULL, 10);
	rounds = strtoul(argv[2], NULL, 10);
	words = (mib ? mib : 1) << 17;
	mem = malloc(words * sizeof(*mem));
	if (!mem)
		return 2;
	for (uint64_t i = 0; i < words; i++) {
		mem[i] = i * 0x9e3779b97f4a7c15ULL;
		sum0 ^= mem[i];
	}
	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (n = 1; busy || !rounds || n <= rounds; n++) {
		uint64_t sum = 0;

		for (uint64_t i = 0; i < words; i++)
			sum ^= mem[i];
		if (sum != sum0)
			bad = 1;
		if (busy) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((unsigned long)(t.tv_sec - t0.tv_sec) >= rounds)
				break;
			if (n % 100 && !usr1 && !term)
				continue;
		}
		gethostname(host, sizeof(host) - 1);
		printf("round %lu %s %016llx %s\n", n, host,
		       (unsigned long long)sum, sum == sum0 ? "OK" : "BAD");
		if (usr1) {
			usr1 = 0;
			printf("got SIGUSR1 on %s\n", host);
		}
		if (term)
			return 143;
		if (!busy)
			nanosleep(&pause, NULL);
	}
	return bad;
}
