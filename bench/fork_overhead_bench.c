// SPDX-License-Identifier: GPL-2.0
/*
 * fork_overhead_bench [ROUNDS [FORKS]]: the cost of krg.ko's fork and exit
 * hooks on a fork+exit+wait loop. Each round times FORKS iterations in each
 * configuration, in a rotating order:
 *   off      krg.ko not loaded;
 *   default  krg.ko loaded, this process has the default capabilities (no
 *            entry: one lookup per fork, one per exit);
 *   entries  krg.ko loaded, this process's children inherit non-default sets
 *            (krgcapset -d +CAN_MIGRATE), so every fork allocates and hashes
 *            an entry and every exit frees it.
 * Under TCG on a shared machine one run can be twice as slow as the next, so
 * the configurations are interleaved in short samples and two robust
 * estimates are printed: the ratio of the 10th percentiles (interference
 * only ever adds time) and the median of the per-round ratios (slow drifts
 * of the host cancel within a round).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KRG_KO		"/krg/modules/krg.ko"

enum { OFF, DEFAULT, ENTRIES, NR_CONFIGS };

static const char *const names[NR_CONFIGS] = { "off", "default", "entries" };

static int loaded(void)
{
	return access("/sys/module/krg", F_OK) == 0;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void unload(void)
{
	for (int i = 0; loaded() && i < 100; i++) {
		if (!syscall(SYS_delete_module, "krg", O_NONBLOCK))
			return;
		usleep(10000);
	}
	if (loaded())
		die("fork_overhead_bench: rmmod krg");
}

static void load(void)
{
	int fd = open(KRG_KO, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		die("fork_overhead_bench: insmod " KRG_KO);
	close(fd);
}

static void setup(int config)
{
	char cmd[128];

	/* A fresh krg.ko: nothing is known of this process. */
	unload();
	if (config == OFF)
		return;
	load();
	if (config == ENTRIES) {
		snprintf(cmd, sizeof(cmd),
			 "krgcapset -f -k %d -d +CAN_MIGRATE", getpid());
		if (system(cmd))
			die("fork_overhead_bench: krgcapset");
	}
}

/* Mean ns of one fork+exit+wait over @n. */
static double sample(long n)
{
	struct timespec a, b;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork_overhead_bench: fork");
		if (!pid)
			_exit(0);
		if (waitpid(pid, NULL, 0) != pid)
			die("fork_overhead_bench: waitpid");
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
}

/* /sys/kernel/krg/task_entries, or -1. */
static int task_entries(void)
{
	char buf[32];
	FILE *f;
	int n = -1;

	f = fopen("/sys/kernel/krg/task_entries", "re");
	if (f && fgets(buf, sizeof(buf), f))
		n = atoi(buf);
	if (f)
		fclose(f);
	return n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @q quantile (0..1) of @v[@n], sorted in place. */
static double quantile(double *v, int n, double q)
{
	qsort(v, n, sizeof(*v), cmp);
	return v[(int)(q * (n - 1) + 0.5)];
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 100;
	long forks = argc > 2 ? atol(argv[2]) : 200;
	double *t[NR_CONFIGS], *ratio[NR_CONFIGS], tmp[3];
	double p10[NR_CONFIGS];
	int leaks = 0;

	if (rounds < 3 || forks < 1) {
		fprintf(stderr, "usage: fork_overhead_bench [ROUNDS>=3 [FORKS]]\n");
		return 1;
	}
	for (int c = 0; c < NR_CONFIGS; c++) {
		t[c] = calloc(rounds, sizeof(double));
		ratio[c] = calloc(rounds, sizeof(double));
		if (!t[c] || !ratio[c])
			die("fork_overhead_bench: calloc");
	}

	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NR_CONFIGS; k++) {
			int c = (k + r) % NR_CONFIGS;

			setup(c);
			sample(forks / 10 + 1);	/* warm up */
			t[c][r] = sample(forks);
			/* Every child's entry is gone: only ours is left. */
			if (c == ENTRIES && task_entries() != 1)
				leaks++;
		}
		for (int c = 0; c < NR_CONFIGS; c++)
			ratio[c][r] = t[c][r] / t[OFF][r];
		printf("# round %d: off %.0f default %.0f entries %.0f ns\n",
		       r + 1, t[OFF][r], t[DEFAULT][r], t[ENTRIES][r]);
	}

	printf("# rounds where task_entries was not 1 after the 'entries' sample: %d\n",
	       leaks);

	printf("\n| configuration | ns/iteration: p10 | median | ratio to off (p10) | ratio to off (median of %d paired rounds) |\n",
	       rounds);
	printf("|---|---|---|---|---|\n");
	for (int c = 0; c < NR_CONFIGS; c++)
		p10[c] = quantile(t[c], rounds, 0.1);
	for (int c = 0; c < NR_CONFIGS; c++) {
		tmp[0] = quantile(t[c], rounds, 0.5);
		tmp[1] = p10[c] / p10[OFF];
		tmp[2] = quantile(ratio[c], rounds, 0.5);
		printf("| %s | %.0f | %.0f | %.3f | %.3f |\n", names[c], p10[c],
		       tmp[0], tmp[1], tmp[2]);
	}
	return 0;
}
