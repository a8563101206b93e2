// SPDX-License-Identifier: GPL-2.0
/*
 * channel_bench - krgd's channel (tools/krgd/channel.c) against plain TCP
 * for a large transfer over 127.0.0.1 on the host, in one run: process
 * images will go over it.
 *
 * A round sends MiB mebibytes (default 256) from a client thread to a
 * server thread of this process, once in 1 MiB frames over the channel
 * (TLS 1.3, AES-128-GCM; the server's handler counts them, then answers
 * a last request with the total) and once in 1 MiB write()s over a plain
 * TCP socket (the server reads it all, then writes 8 bytes back); the
 * time runs from the first byte to the answer. The two alternate, which
 * goes first alternating too, for ROUNDS rounds (default 5); printed:
 * each round, the best and median throughput of each, the ratio of the
 * medians and the median of the per-round ratios, the CPU time both
 * sides spent per GB (the process's CPU clock: what a busy host does
 * not change), and the channel's connection set-up (TCP + TLS handshake
 * + HELLO).
 *
 * Usage: bench/channel_bench [MiB [ROUNDS]]
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "channel.h"

#define T_DATA	(CHAN_TYPE_USER + 0)
#define T_SYNC	(CHAN_TYPE_USER + 1)
#define CHUNK	CHAN_MAX_FRAME

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of both sides (threads of this process): robust to a busy host. */
static double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "channel_bench: %s: %s\n", what, why);
	exit(1);
}

/* The channel's server side: count the data, answer SYNC with the count. */
static int sink(struct chan_conn *c, uint16_t type, const void *body,
		uint32_t len, void *arg)
{
	unsigned long long *got = arg;

	(void)body;
	if (type == T_DATA) {
		*got += len;
		return 0;
	}
	if (type == T_SYNC) {
		int r = chan_send(c, T_SYNC, got, sizeof(*got));

		*got = 0;
		return r;
	}
	return 1;
}

static double tls_round(const struct chan_key *key,
			const struct chan_peers *peers, int port,
			const char *buf, unsigned long long total,
			double *setup)
{
	char err[640];
	unsigned long long got = 0;
	struct chan_conn *c;
	uint16_t t;
	uint32_t n;
	double t0 = now_s(), t1;

	c = chan_connect(key, 1, peers, 0, port, 30000, err, sizeof(err));
	if (!c)
		die("connect", err);
	t1 = now_s();
	*setup = t1 - t0;
	for (unsigned long long off = 0; off < total; off += CHUNK)
		if (chan_send(c, T_DATA, buf, CHUNK))
			die("send", chan_conn_error(c));
	if (chan_request(c, T_SYNC, NULL, 0, &t, &got, sizeof(got), &n))
		die("sync", chan_conn_error(c));
	if (got != total)
		die("sync", "the server got a different count");
	t0 = now_s() - t1;
	chan_close(c);
	return t0;
}

/* Plain TCP: one connection a round, the server a thread of its own. */
struct tcp_srv {
	int lfd;
	unsigned long long total;
};

static void *tcp_server(void *arg)
{
	struct tcp_srv *s = arg;
	static char rbuf[CHUNK];
	unsigned long long got = 0;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		die("accept", strerror(errno));
	while (got < s->total) {
		ssize_t n = read(fd, rbuf, sizeof(rbuf));

		if (n <= 0)
			die("tcp read", n ? strerror(errno) : "early EOF");
		got += (unsigned long long)n;
	}
	if (write(fd, &got, sizeof(got)) != sizeof(got))
		die("tcp write", strerror(errno));
	close(fd);
	return NULL;
}

static double tcp_round(int lfd, int port, const char *buf,
			unsigned long long total)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	struct tcp_srv s = { .lfd = lfd, .total = total };
	unsigned long long got = 0;
	pthread_t th;
	double t0;
	int fd, one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pthread_create(&th, NULL, tcp_server, &s);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("tcp connect", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = now_s();
	for (unsigned long long off = 0; off < total; ) {
		ssize_t n = write(fd, buf, CHUNK);

		if (n <= 0)
			die("tcp write", strerror(errno));
		off += (unsigned long long)n;
	}
	if (read(fd, &got, sizeof(got)) != sizeof(got) || got < total)
		die("tcp read", "no answer");
	t0 = now_s() - t0;
	close(fd);
	pthread_join(th, NULL);
	return t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static struct chan_key key;
	static struct chan_peers peers;
	unsigned long long got = 0;
	struct chan_server_cfg cfg = {
		.key = &key, .me = 0, .port = 0, .version = "bench",
		.handle = sink, .arg = &got,
	};
	int mib = argc > 1 ? atoi(argv[1]) : 256;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct sockaddr_in a = { .sin_family = AF_INET };
	double tls[64], tcp[64], ratio[64], setup[64], ctls[64], ctcp[64];
	double mt, mp, c0;
	socklen_t al = sizeof(a);
	struct chan_server *srv;
	unsigned long long total;
	char err[640], *buf;
	int lfd, tport;

	if (mib < 1 || mib > 65536 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: channel_bench [MiB (1..65536) [ROUNDS (1..64)]]\n");
		return 1;
	}
	total = (unsigned long long)mib << 20;
	signal(SIGPIPE, SIG_IGN);
	buf = malloc(CHUNK);
	if (!buf)
		die("malloc", strerror(errno));
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = (char)(i * 2654435761u >> 13);
	key.len = 64;
	for (size_t i = 0; i < key.len; i++)
		key.data[i] = (unsigned char)(i * 97 + 1);
	if (chan_peer_set(&peers, 0, "127.0.0.1", err, sizeof(err)) ||
	    chan_peer_set(&peers, 1, "127.0.0.1", err, sizeof(err)))
		die("peers", err);
	srv = chan_server_start(&cfg, &peers, err, sizeof(err));
	if (!srv)
		die("server", err);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(lfd, 4) || getsockname(lfd, (struct sockaddr *)&a, &al))
		die("tcp listen", strerror(errno));
	tport = ntohs(a.sin_port);

	printf("# %d MiB over 127.0.0.1, %d rounds; MB/s = 10^6 bytes/s\n",
	       mib, rounds);
	printf("# round  tcp_MB/s  channel_MB/s  channel/tcp  tcp_cpu_s/GB  channel_cpu_s/GB\n");
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < 2; k++) {
			c0 = cpu_s();
			if ((k + r) % 2) {
				tls[r] = tls_round(&key, &peers,
						   chan_server_port(srv), buf,
						   total, &setup[r]);
				ctls[r] = (cpu_s() - c0) / (total / 1e9);
			} else {
				tcp[r] = tcp_round(lfd, tport, buf, total);
				ctcp[r] = (cpu_s() - c0) / (total / 1e9);
			}
		}
		tcp[r] = total / tcp[r] / 1e6;
		tls[r] = total / tls[r] / 1e6;
		ratio[r] = tls[r] / tcp[r];
		printf("%7d  %8.0f  %12.0f  %11.3f  %12.3f  %16.3f\n", r + 1,
		       tcp[r], tls[r], ratio[r], ctcp[r], ctls[r]);
	}
	/* median() sorts: the last is the best */
	mp = median(tcp, rounds);
	mt = median(tls, rounds);
	printf("tcp: best %.0f MB/s, median %.0f\n", tcp[rounds - 1], mp);
	printf("channel: best %.0f MB/s, median %.0f\n", tls[rounds - 1], mt);
	printf("ratio channel/tcp: of the medians %.3f, median of the rounds' %.3f\n",
	       mt / mp, median(ratio, rounds));
	mp = median(ctcp, rounds);
	mt = median(ctls, rounds);
	printf("CPU s/GB (both sides): tcp %.3f, channel %.3f, tcp/channel %.3f\n",
	       mp, mt, mp / mt);
	printf("channel set-up (connect, handshake, HELLO): median %.2f ms\n",
	       median(setup, rounds) * 1e3);
	chan_server_stop(srv);
	close(lfd);
	free(buf);
	return 0;
}
