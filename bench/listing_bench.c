// SPDX-License-Identifier: GPL-2.0
/*
 * listing_bench FILE... : for each FILE, the ns one open + read to the end +
 * close takes, median of ROUNDS rounds of READS reads each, the files read
 * in turn within a round (bench/listing.sh). Prints "FILE NS BYTES" lines.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS	9
#define READS	20
#define MAXF	4

static char buf[1 << 16];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One full read of @path: its bytes, or -1. */
static long long read_once(const char *path)
{
	long long bytes = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		bytes += n;
	close(fd);
	return n < 0 ? -1 : bytes;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long long ns[MAXF][ROUNDS], bytes[MAXF], t0;
	int f, r, i, nf = argc - 1;

	if (nf < 1 || nf > MAXF) {
		fprintf(stderr, "usage: listing_bench FILE... (1 to %d)\n", MAXF);
		return 1;
	}
	for (r = 0; r < ROUNDS; r++) {
		for (f = 0; f < nf; f++) {
			t0 = now_ns();
			for (i = 0; i < READS; i++) {
				bytes[f] = read_once(argv[f + 1]);
				if (bytes[f] < 0) {
					perror(argv[f + 1]);
					return 1;
				}
			}
			ns[f][r] = (now_ns() - t0) / READS;
		}
	}
	for (f = 0; f < nf; f++) {
		qsort(ns[f], ROUNDS, sizeof(ns[f][0]), cmp);
		printf("%s %lld %lld\n", argv[f + 1], ns[f][ROUNDS / 2], bytes[f]);
	}
	return 0;
}
