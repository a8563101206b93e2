// SPDX-License-Identifier: GPL-2.0
/*
 * hub PORT GUEST_PORT...: the virtual link of a cluster of test guests, on
 * the host's loopback only. Each guest's network device is a qemu
 * `-netdev socket,udp=127.0.0.1:PORT,localaddr=127.0.0.1:GUEST_PORT`: its
 * frames arrive here as datagrams from its own port, and each one is sent
 * on to every other guest, as a hub (a repeater) would. Frames from a port
 * that is not a guest's are dropped. A guest whose link is cut neither
 * sends nor receives: the file named by HUB_CUT_FILE lists the indexes
 * (0-based) of the guests cut off, and SIGUSR1 makes the hub read it again
 * (tests/cluster/run's partition). Runs until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_GUESTS	8

static unsigned short ports[MAX_GUESTS];
static int nr_guests;
static volatile sig_atomic_t reload = 1;
static int cut[MAX_GUESTS];	/* 1: the guest's link is down */

static void on_signal(int sig)
{
	(void)sig;
	reload = 1;
}

/* HUB_CUT_FILE holds the indexes (0-based) of the guests cut off. */
static void read_cuts(void)
{
	const char *path = getenv("HUB_CUT_FILE");
	FILE *f;
	int i;

	memset(cut, 0, sizeof(cut));
	if (!path)
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	while (fscanf(f, "%d", &i) == 1)
		if (i >= 0 && i < nr_guests)
			cut[i] = 1;
	fclose(f);
}

static int guest_of(unsigned short port)
{
	for (int i = 0; i < nr_guests; i++)
		if (ports[i] == port)
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, from, to;
	static char frame[65536];
	struct sigaction sa = { .sa_handler = on_signal };
	socklen_t len;
	ssize_t n;
	int fd, g;

	if (argc < 3 || argc - 2 > MAX_GUESTS) {
		fprintf(stderr, "usage: hub PORT GUEST_PORT... (at most %d)\n",
			MAX_GUESTS);
		return 2;
	}
	for (int i = 2; i < argc; i++)
		ports[nr_guests++] = (unsigned short)atoi(argv[i]);
	sigaction(SIGUSR1, &sa, NULL);
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		fprintf(stderr, "hub: 127.0.0.1:%s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	to = me;
	for (;;) {
		if (reload) {
			reload = 0;
			read_cuts();
		}
		len = sizeof(from);
		n = recvfrom(fd, frame, sizeof(frame), 0,
			     (struct sockaddr *)&from, &len);
		if (n < 0)
			continue;	/* EINTR: a signal */
		if (from.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			continue;
		g = guest_of(ntohs(from.sin_port));
		if (g < 0 || cut[g])
			continue;
		for (int i = 0; i < nr_guests; i++) {
			if (i == g || cut[i])
				continue;
			to.sin_port = htons(ports[i]);
			sendto(fd, frame, n, 0, (struct sockaddr *)&to,
			       sizeof(to));
		}
	}
}
