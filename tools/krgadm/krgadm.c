// SPDX-License-Identifier: GPL-2.0
/*
 * krgadm - Kerrighed's cluster administration command, on krgsched
 * (docs/krgadm.8). Kerrighed's syntax and output:
 *
 *   krgadm cluster status       "status: up on N nodes" or "status: down"
 *   krgadm cluster start        the cluster forms by itself once corosync
 *                               has quorum: waits for that, says so
 *   krgadm cluster wait [-c COUNT] [--timeout S]
 *                               (also Kerrighed's wait_start) until COUNT
 *                               nodes (default: every possible one) are
 *                               online
 *   krgadm nodes status [-n LIST] [-l]
 *                               "N:online" per node (Kerrighed's lines);
 *                               -l adds the address, CPUs and memory
 *
 * What it reads: /sys/kernel/krg (krg.ko's node map, filled by krgd from
 * corosync), corosync's cmap for the nodes' addresses, and /proc/nodes
 * (what each node's agent published) for CPUs and memory.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cmap.h>
#include "libkrg.h"

#define MASK_LONGS	(KRG_MAX_NODES / (8 * sizeof(unsigned long)))

static int test_node(const unsigned long *m, int n)
{
	return (m[n / (8 * sizeof(long))] >> (n % (8 * sizeof(long)))) & 1;
}

static int weight(const unsigned long *m)
{
	int w = 0;

	for (int n = 0; n < KRG_MAX_NODES; n++)
		w += test_node(m, n);
	return w;
}

/* The "membership ..." line of /sys/kernel/krg/cluster, or "" if none. */
static void membership(char *state, size_t len, int *quorate)
{
	char buf[256], *p;

	state[0] = '\0';
	*quorate = 0;
	if (krg_sysfs_read("cluster", buf, sizeof(buf)))
		return;
	p = strstr(buf, "membership ");
	if (p)
		sscanf(p + 11, "%31s", state);
	(void)len;
	p = strstr(buf, "quorate ");
	if (p)
		*quorate = atoi(p + 8);
}

static int need_krg(void)
{
	char buf[32];

	if (krg_sysfs_read("backend", buf, sizeof(buf))) {
		fprintf(stderr, "krgadm: krg.ko is not loaded (%s: %s)\n",
			KRG_SYSFS_DIR "/backend", strerror(errno));
		return -1;
	}
	if (strcmp(buf, "cluster")) {
		fprintf(stderr, "krgadm: krg.ko runs the %s backend: this machine is not in a cluster (docs/cluster.md)\n",
			buf);
		return -1;
	}
	return 0;
}

/* The online count if the cluster is up (a membership was reported), else 0. */
static int cluster_up(void)
{
	unsigned long online[MASK_LONGS];
	char state[32];
	int q;

	membership(state, sizeof(state), &q);
	if (!state[0] || !strcmp(state, "none"))
		return 0;
	if (krg_nodes_online(online))
		return 0;
	return weight(online);
}

static int cluster_status(void)
{
	char state[32];
	int n, q;

	if (need_krg())
		return 1;
	n = cluster_up();
	if (!n) {
		printf("status: down\n");
		return 0;
	}
	printf("status: up on %d nodes\n", n);
	membership(state, sizeof(state), &q);
	if (!strcmp(state, "stale"))
		printf("membership: stale (krgd is not running)\n");
	if (!q)
		printf("quorum: lost\n");
	return 0;
}

/* Wait until @count nodes are online and the cluster quorate (0: forever). */
static int cluster_wait(int count, long timeout_s, int quiet)
{
	unsigned long online[MASK_LONGS];
	time_t end = time(NULL) + timeout_s;
	char state[32];
	int n = 0, q = 0;

	if (need_krg())
		return 1;
	if (!quiet) {
		printf("Waiting for %d nodes to join... ", count);
		fflush(stdout);
	}
	for (;;) {
		membership(state, sizeof(state), &q);
		n = krg_nodes_online(online) ? 0 : weight(online);
		if (strcmp(state, "none") && q && n >= count)
			break;
		if (timeout_s && time(NULL) >= end) {
			if (!quiet)
				printf("fail (%d/%d online%s after %ld s)\n", n, count,
				       q ? "" : ", not quorate", timeout_s);
			return 1;
		}
		usleep(200 * 1000);
	}
	if (!quiet)
		printf("done\n");
	return 0;
}

/* Node @node's ring0 address from corosync's nodelist, or "-". */
static void node_addr(cmap_handle_t cmap, int node, char *out, size_t len)
{
	char key[CMAP_KEYNAME_MAXLEN];
	uint32_t id;
	char *addr;

	snprintf(out, len, "-");
	if (!cmap)
		return;
	for (int i = 0; i < KRG_MAX_NODES; i++) {
		snprintf(key, sizeof(key), "nodelist.node.%d.nodeid", i);
		if (cmap_get_uint32(cmap, key, &id) != CS_OK)
			return;
		if ((int)id != node + 1)
			continue;
		snprintf(key, sizeof(key), "nodelist.node.%d.ring0_addr", i);
		if (cmap_get_string(cmap, key, &addr) == CS_OK) {
			snprintf(out, len, "%s", addr);
			free(addr);
		}
		return;
	}
}

/* /proc/nodes/node<node>/<file>'s number after @key (or first), or "-". */
static void proc_node(int node, const char *file, const char *key, char *out,
		      size_t len)
{
	char path[64], buf[256], *p = buf;

	snprintf(out, len, "-");
	snprintf(path, sizeof(path), "/proc/nodes/node%d/%s", node, file);
	if (krg_read_file(path, buf, sizeof(buf)) && errno != ERANGE)
		return;
	if (key) {
		p = strstr(buf, key);
		if (!p)
			return;
		p += strlen(key);
		while (*p == ' ')
			p++;
	}
	if (*p >= '0' && *p <= '9')
		snprintf(out, len, "%.*s", (int)strspn(p, "0123456789"), p);
}

static int nodes_status(const char *list, int lng)
{
	unsigned long possible[MASK_LONGS], online[MASK_LONGS], want[MASK_LONGS];
	cmap_handle_t cmap = 0;
	char state[32], addr[64], cpus[64], mem[64];
	int q;

	if (need_krg())
		return 1;
	if (krg_nodes_possible(possible) || krg_nodes_online(online)) {
		fprintf(stderr, "krgadm: %s: %s\n", KRG_SYSFS_DIR, strerror(errno));
		return 1;
	}
	memcpy(want, possible, sizeof(want));
	if (list && krg_nodelist_parse(list, want)) {
		fprintf(stderr, "krgadm: invalid node list '%s': %s\n", list,
			strerror(errno));
		return 1;
	}
	membership(state, sizeof(state), &q);
	if (lng && cmap_initialize(&cmap) != CS_OK)
		cmap = 0;
	for (int n = 0; n < KRG_MAX_NODES; n++) {
		const char *st;

		if (!test_node(want, n))
			continue;
		if (!test_node(possible, n)) {
			fprintf(stderr, "krgadm: node %d is not a node of this cluster\n", n);
			continue;
		}
		st = !test_node(online, n) ? "offline" :
		     !strcmp(state, "stale") ? "stale" : "online";
		if (!lng) {
			printf("%d:%s\n", n, st);
			continue;
		}
		node_addr(cmap, n, addr, sizeof(addr));
		proc_node(n, "cpus", NULL, cpus, sizeof(cpus));
		proc_node(n, "meminfo", "MemTotal:", mem, sizeof(mem));
		printf("%d:%s\t%s\tcpus %s\tmem %s%s\n", n, st, addr, cpus, mem,
		       strcmp(mem, "-") ? " kB" : "");
	}
	if (cmap)
		cmap_finalize(cmap);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: krgadm cluster {status|start|wait [-c COUNT] [-t SECONDS]}\n"
		"  or:  krgadm nodes status [-n LIST] [-l]\n"
		"Kerrighed's cluster administration, on krgsched (docs/krgadm.8).\n"
		"\n"
		"Cluster mode:\n"
		"  status            print the cluster's status: up on N nodes, or down\n"
		"  start             the cluster forms by itself once corosync has quorum:\n"
		"                    wait for that\n"
		"  wait, wait_start  wait until COUNT nodes (default: all) are online\n"
		"Nodes mode:\n"
		"  status            print each node's status (N:online, N:offline,\n"
		"                    N:stale)\n"
		"Options:\n"
		"  -n, --nodes LIST  nodes to show, e.g. 2,3,6-10\n"
		"  -c, --count N     nodes to wait for\n"
		"  -t, --timeout S   give up after S seconds (default 300; 0: never)\n"
		"  -l, --long        also the address, CPUs and memory of each node\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "long", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode, *action, *list = NULL;
	long long count = -1, timeout_s = 300;
	unsigned long possible[MASK_LONGS];
	int c, lng = 0;

	while ((c = getopt_long(argc, argv, "+n:c:t:lhV", opts, NULL)) != -1) {
		switch (c) {
		case 'n': list = optarg; break;
		case 'c': count = krg_parse_arg(optarg, "count", 1, KRG_MAX_NODES); break;
		case 't': timeout_s = krg_parse_arg(optarg, "timeout", 0, 86400); break;
		case 'l': lng = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': return krg_print_version();
		default: krg_usage_error(NULL);
		}
	}
	if (optind >= argc)
		krg_usage_error("a mode is needed: cluster or nodes");
	mode = argv[optind++];
	action = optind < argc ? argv[optind++] : "status";
	/* Options may also follow the action, as Kerrighed's users typed. */
	while ((c = getopt_long(argc, argv, "n:c:t:l", opts, NULL)) != -1) {
		switch (c) {
		case 'n': list = optarg; break;
		case 'c': count = krg_parse_arg(optarg, "count", 1, KRG_MAX_NODES); break;
		case 't': timeout_s = krg_parse_arg(optarg, "timeout", 0, 86400); break;
		case 'l': lng = 1; break;
		default: krg_usage_error(NULL);
		}
	}
	if (optind < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind]);

	if (!strcmp(mode, "cluster")) {
		if (!strcmp(action, "status"))
			return cluster_status();
		if (!strcmp(action, "wait") || !strcmp(action, "wait_start") ||
		    !strcmp(action, "start")) {
			if (need_krg())
				return 1;
			if (count < 0) {
				if (krg_nodes_possible(possible)) {
					perror("krgadm: " KRG_SYSFS_DIR "/nodes_possible");
					return 1;
				}
				count = weight(possible);
			}
			if (!strcmp(action, "start")) {
				printf("The cluster forms by itself once corosync has quorum.\n");
				if (cluster_wait(1, timeout_s, 1))
					return cluster_status() ?: 1;
				return cluster_status();
			}
			return cluster_wait((int)count, timeout_s, 0);
		}
		if (!strcmp(action, "poweroff") || !strcmp(action, "reboot")) {
			fprintf(stderr, "krgadm: cluster %s: not available yet (it needs every node's agent to agree: docs/cluster.md)\n",
				action);
			return 1;
		}
		krg_usage_error("unknown cluster action '%s'", action);
	}
	if (!strcmp(mode, "nodes")) {
		if (!strcmp(action, "status"))
			return nodes_status(list, lng);
		if (!strcmp(action, "add") || !strcmp(action, "del")) {
			fprintf(stderr, "krgadm: nodes %s: not available yet: every member of corosync's membership is a node (docs/cluster.md)\n",
				action);
			return 1;
		}
		krg_usage_error("unknown nodes action '%s'", action);
	}
	krg_usage_error("unknown mode '%s' (cluster or nodes)", mode);
}
