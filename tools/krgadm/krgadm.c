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
 *   krgadm cluster poweroff|reboot
 *                               every agent powers off (reboots) its machine
 *   krgadm nodes status [-n LIST] [-l]
 *                               "N:online" per node (Kerrighed's lines);
 *                               -l adds the address, CPUs and memory
 *   krgadm nodes add|del {-n LIST | -c COUNT | -t TOTAL | -a}
 *                               take nodes out of krgsched's use (they stay
 *                               corosync members: "present"), give them back
 *
 * What it reads: /sys/kernel/krg (krg.ko's node map, filled by krgd from
 * corosync), corosync's cmap for the nodes' addresses, and /proc/nodes
 * (what each node's agent published) for CPUs and memory. What it asks
 * (root only): the local krgd, on its socket (KRG_ADMIN_SOCKET), which
 * has every agent agree on the operation through corosync (docs/krgd.8).
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
#define MASK_BYTES	(KRG_MAX_NODES / 8)

/* nodes add/del's selection: -n LIST, -c COUNT, -t TOTAL, -a. */
enum sel { SEL_LIST = 1, SEL_COUNT = 2, SEL_TOTAL = 4, SEL_ALL = 8 };

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

/*
 * The replicated tree, as this node's krgd says in KRGD_TREE_STATUS,
 * when something is wrong with it (as "quorum: lost"; Kerrighed's
 * scripts read the first line): "tree: read-only (quorum lost)",
 * "syncing" or "disconnected" (not while krg_scheduler.ko is not loaded:
 * "off"), what failed here only while the tree differs from the
 * cluster's for it (until a state exchange mends it), and changes a merge
 * undid (two_node).
 */
static void tree_status(void)
{
	char line[640], state[64] = "", fail[512] = "", lost[256] = "";
	int partial = 0;
	FILE *f = fopen(KRGD_TREE_STATUS, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "state ", 6))
			snprintf(state, sizeof(state), "%.63s", line + 6);
		else if (!strncmp(line, "partial ", 8))
			partial = atoi(line + 8);
		else if (!strncmp(line, "last_failure ", 13))
			snprintf(fail, sizeof(fail), "%.511s", line + 13);
		else if (!strncmp(line, "lost ", 5))
			snprintf(lost, sizeof(lost), "%.255s", line + 5);
	}
	fclose(f);
	if (state[0] && strcmp(state, "writable") && strncmp(state, "off", 3))
		printf("tree: %s\n", state);
	if (partial && fail[0])
		printf("tree: this node differs from the cluster: %s\n", fail);
	if (lost[0])
		printf("tree: %s\n", lost);
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
	tree_status();
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

/* The local krgd's view (root only): 0, or -1 if it did not answer. */
static int agent_status(struct krg_admin_reply *r)
{
	struct krg_admin_req req = {
		.magic = KRG_ADMIN_MAGIC,
		.version = KRG_ADMIN_VERSION,
		.size = sizeof(req),
		.op = KRG_ADMIN_STATUS,
	};

	return krg_admin_call(&req, r, 10000) || r->status ? -1 : 0;
}

static void agent_error(const char *what)
{
	fprintf(stderr, "krgadm: %s: cannot reach krgd (%s): %s%s\n", what,
		KRG_ADMIN_SOCKET, strerror(errno),
		errno == ENOENT || errno == ECONNREFUSED ?
		" (is krgd running?)" : "");
}

static int need_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "krgadm: %s: must be run as root\n", what);
	return -1;
}

static int nodes_status(const char *list, int lng)
{
	unsigned long possible[MASK_LONGS], online[MASK_LONGS], want[MASK_LONGS];
	unsigned long present[MASK_LONGS];
	struct krg_admin_reply ar;
	cmap_handle_t cmap = 0;
	char state[32], addr[64], cpus[64], mem[64];
	int q, agent;

	if (need_krg())
		return 1;
	if (krg_nodes_possible(possible) || krg_nodes_online(online)) {
		fprintf(stderr, "krgadm: %s: %s\n", KRG_SYSFS_DIR, strerror(errno));
		return 1;
	}
	/* An older krg.ko has no nodes_present: every member is online. */
	if (krg_nodes_present(present))
		memcpy(present, online, sizeof(present));
	/*
	 * Which present nodes are deleted: the agent knows (root); without
	 * it, the kernel's view (exact but on a deleted node itself, which
	 * sees the others as not online).
	 */
	agent = geteuid() == 0 && !agent_status(&ar) && ar.synced;
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
		if (!test_node(present, n) && !test_node(online, n))
			st = "offline";
		else if (agent ? krg_nodebytes_isset(ar.deleted, n) : !test_node(online, n))
			st = "present";
		else
			st = !strcmp(state, "stale") ? "stale" : "online";
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

static int set_weight(const unsigned char *m)
{
	int w = 0;

	for (int n = 0; n < KRG_MAX_NODES; n++)
		w += krg_nodebytes_isset(m, n);
	return w;
}

/* Send @op for @mask to the local krgd; "done" or "fail (...)". */
static int agent_op(int op, const unsigned char *mask)
{
	struct krg_admin_req req = {
		.magic = KRG_ADMIN_MAGIC,
		.version = KRG_ADMIN_VERSION,
		.size = sizeof(req),
		.op = op,
	};
	struct krg_admin_reply r;

	if (mask)
		memcpy(req.mask, mask, MASK_BYTES);
	/* Long enough for corosync to carry it even while a node is lost. */
	if (krg_admin_call(&req, &r, 60000)) {
		/* No agent: no cluster to power off (Kerrighed's words). */
		if ((op == KRG_ADMIN_POWEROFF || op == KRG_ADMIN_REBOOT) &&
		    (errno == ENOENT || errno == ECONNREFUSED))
			printf("fail (cluster not running)\n");
		else
			printf("fail (krgd: %s)\n", strerror(errno));
		return 1;
	}
	if (r.status) {
		printf("fail (%s)\n", r.message[0] ? r.message : strerror(r.error));
		return 1;
	}
	printf("done\n");
	return 0;
}

/* The cluster's online nodes as the agent sees them: present, not deleted. */
static void agent_online(const struct krg_admin_reply *r, unsigned char *out)
{
	for (int i = 0; i < MASK_BYTES; i++)
		out[i] = r->present[i] & ~r->deleted[i];
}

/*
 * Wait (at most @timeout_s, 0: forever) until @want are online, printing
 * Kerrighed's progress. 0, or 1 on timeout.
 */
static int wait_online(const unsigned char *want, long timeout_s)
{
	time_t end = time(NULL) + timeout_s;
	unsigned char on[MASK_BYTES];
	struct krg_admin_reply r;
	char buf[1024];
	int printed = 0, n;

	for (;;) {
		int missing = 0;

		if (agent_status(&r)) {
			if (printed)
				printf("fail (krgd: %s)\n", strerror(errno));
			else
				agent_error("nodes add");
			return 1;
		}
		agent_online(&r, on);
		for (n = 0; n < KRG_MAX_NODES; n++)
			missing += krg_nodebytes_isset(want, n) && !krg_nodebytes_isset(on, n);
		if (!missing)
			break;
		if (!printed) {
			printf("Waiting for nodes %s to join... ",
			       krg_nodebytes_str(want, buf, sizeof(buf)));
			fflush(stdout);
			printed = 1;
		}
		if (timeout_s && time(NULL) >= end) {
			printf("fail (%d/%d online after %ld s)\n",
			       set_weight(want) - missing, set_weight(want),
			       timeout_s);
			return 1;
		}
		usleep(200 * 1000);
	}
	if (printed)
		printf("done\n");
	return 0;
}

/*
 * Wait until @count nodes are present and deleted (candidates to add),
 * then put the first @count of them in @out. 0, or 1 on timeout.
 */
static int wait_present(int count, long timeout_s, unsigned char *out)
{
	time_t end = time(NULL) + timeout_s;
	struct krg_admin_reply r;
	unsigned char cand[MASK_BYTES];
	int printed = 0, n, w;

	for (;;) {
		if (agent_status(&r)) {
			agent_error("nodes add");
			return 1;
		}
		for (int i = 0; i < MASK_BYTES; i++)
			cand[i] = r.present[i] & r.deleted[i];
		w = set_weight(cand);
		if (w >= count)
			break;
		if (!printed) {
			printf("Waiting for %d nodes to be present... ", count);
			fflush(stdout);
			printed = 1;
		}
		if (timeout_s && time(NULL) >= end) {
			printf("fail (%d/%d present after %ld s)\n", w, count,
			       timeout_s);
			return 1;
		}
		usleep(200 * 1000);
	}
	if (printed)
		printf("done\n");
	memset(out, 0, MASK_BYTES);
	for (n = 0, w = 0; n < KRG_MAX_NODES && w < count; n++) {
		if (krg_nodebytes_isset(cand, n)) {
			krg_nodebytes_set(out, n);
			w++;
		}
	}
	return 0;
}

/*
 * What nodes add and del start with: root, krg.ko, the possible nodes and
 * the local agent's view; 0, or 1 (said why).
 */
static int nodes_begin(const char *what, unsigned long *possible,
		       struct krg_admin_reply *r)
{
	if (need_krg() || need_root(what))
		return 1;
	if (krg_nodes_possible(possible)) {
		perror("krgadm: " KRG_SYSFS_DIR "/nodes_possible");
		return 1;
	}
	if (agent_status(r)) {
		agent_error(what);
		return 1;
	}
	return 0;
}

static int nodes_add(int sel, const unsigned long *list, int num,
		     long timeout_s)
{
	unsigned long possible[MASK_LONGS];
	unsigned char set[MASK_BYTES] = { 0 }, on[MASK_BYTES];
	struct krg_admin_reply r;
	char buf[1024];
	int ret = 0;

	if (nodes_begin("nodes add", possible, &r))
		return 1;
	agent_online(&r, on);
	switch (sel) {
	case SEL_LIST:
		for (int n = 0; n < KRG_MAX_NODES; n++) {
			if (!test_node(list, n))
				continue;
			if (!test_node(possible, n)) {
				printf("Unable to add node %d (not a node of this cluster).\n",
				       n);
				ret = 1;
				continue;
			}
			krg_nodebytes_set(set, n);
		}
		break;
	case SEL_TOTAL:
		num -= set_weight(on);
		if (num <= 0) {
			printf("%d nodes are online already.\n", set_weight(on));
			return 0;
		}
		__attribute__((fallthrough));	/* add that many */
	case SEL_COUNT:
		if (wait_present(num, timeout_s, set))
			return 1;
		break;
	case SEL_ALL:
		for (int i = 0; i < MASK_BYTES; i++)
			set[i] = r.present[i] & r.deleted[i];
		break;
	}
	if (!set_weight(set)) {
		printf("No present node to add.\n");
		return ret;
	}
	printf("Adding nodes %s... ", krg_nodebytes_str(set, buf, sizeof(buf)));
	fflush(stdout);
	if (agent_op(KRG_ADMIN_ADD, set))
		return 1;
	return wait_online(set, timeout_s) || ret;
}

static int nodes_del(int sel, const unsigned long *list, int num)
{
	unsigned long possible[MASK_LONGS];
	unsigned char set[MASK_BYTES] = { 0 }, on[MASK_BYTES], cand[MASK_BYTES];
	struct krg_admin_reply r;
	char buf[1024];
	int ret = 0, self, want;

	if (nodes_begin("nodes del", possible, &r))
		return 1;
	self = (int)r.local_node;
	agent_online(&r, on);
	memcpy(cand, on, sizeof(cand));
	cand[self / 8] &= ~(1U << (self % 8));
	switch (sel) {
	case SEL_LIST:
		for (int n = 0; n < KRG_MAX_NODES; n++) {
			if (!test_node(list, n))
				continue;
			if (!test_node(possible, n)) {
				printf("Unable to suppress node %d (not a node of this cluster).\n",
				       n);
				ret = 1;
			} else if (n == self) {
				printf("Unable to suppress current node.\n");
				ret = 1;
			} else if (!krg_nodebytes_isset(on, n)) {
				printf("Unable to suppress node %d (must be 'online').\n",
				       n);
				ret = 1;
			} else {
				krg_nodebytes_set(set, n);
			}
		}
		break;
	case SEL_TOTAL:
		num = set_weight(on) - num;
		if (num <= 0)
			break;
		__attribute__((fallthrough));	/* remove that many */
	case SEL_COUNT:
		if (num > set_weight(cand)) {
			printf("Can not remove so many nodes (%d online besides this one). Aborting.\n",
			       set_weight(cand));
			return 1;
		}
		want = num;
		for (int n = 0; n < KRG_MAX_NODES && want; n++) {
			if (krg_nodebytes_isset(cand, n)) {
				krg_nodebytes_set(set, n);
				want--;
			}
		}
		break;
	case SEL_ALL:
		memcpy(set, cand, sizeof(set));
		break;
	}
	if (!set_weight(set)) {
		printf("No online node to remove.\n");
		return ret;
	}
	printf("Removing nodes %s... ", krg_nodebytes_str(set, buf, sizeof(buf)));
	fflush(stdout);
	return agent_op(KRG_ADMIN_DEL, set) || ret;
}

/* cluster poweroff|reboot: every agent runs its command. */
static int cluster_down(int reboot)
{
	const char *what = reboot ? "cluster reboot" : "cluster poweroff";
	char buf[32];

	if (need_root(what))
		return 1;
	printf(reboot ? "Rebooting cluster... " : "Shutting down cluster... ");
	fflush(stdout);
	if (krg_sysfs_read("backend", buf, sizeof(buf)) || strcmp(buf, "cluster") ||
	    !cluster_up()) {
		printf("fail (cluster not running)\n");
		return 1;
	}
	return agent_op(reboot ? KRG_ADMIN_REBOOT : KRG_ADMIN_POWEROFF, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: krgadm cluster {status|start|wait [-c COUNT] [-t SECONDS]}\n"
		"  or:  krgadm cluster {poweroff|reboot}\n"
		"  or:  krgadm nodes status [-n LIST] [-l]\n"
		"  or:  krgadm nodes {add|del} {-n LIST|-c COUNT|-t TOTAL|-a} [--timeout S]\n"
		"Kerrighed's cluster administration, on krgsched (docs/krgadm.8).\n"
		"\n"
		"Cluster mode:\n"
		"  status            print the cluster's status: up on N nodes, or down\n"
		"  start             the cluster forms by itself once corosync has quorum:\n"
		"                    wait for that\n"
		"  wait, wait_start  wait until COUNT nodes (default: all) are online\n"
		"  poweroff          power off every node of the cluster\n"
		"  reboot            reboot every node of the cluster\n"
		"Nodes mode:\n"
		"  status            print each node's status (N:online, N:present,\n"
		"                    N:offline, N:stale)\n"
		"  add               give nodes back to the cluster's use\n"
		"  del               take nodes out of the cluster's use\n"
		"Options:\n"
		"  -n, --nodes LIST  nodes to show, add or remove, e.g. 2,3,6-10\n"
		"  -c, --count N     nodes to wait for, add or remove\n"
		"  -t, --timeout S   give up after S seconds (default 300; 0: never)\n"
		"  -t, --total N     (add, del) until N nodes are online\n"
		"  -a, --all         (add, del) every present (online) node\n"
		"      --timeout S   (add, del) give up waiting after S seconds\n"
		"Node status:\n"
		"  present           available for integrating the cluster\n"
		"  online            participating in the cluster\n"
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
	static const struct option add_opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "total", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode, *action, *list = NULL;
	long long count = -1, timeout_s = 300, total = -1;
	unsigned long possible[MASK_LONGS], want[MASK_LONGS];
	int c, lng = 0, sel = 0, addel;

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
	if (list)
		sel |= SEL_LIST;
	if (count >= 0)
		sel |= SEL_COUNT;
	addel = !strcmp(mode, "nodes") &&
		(!strcmp(action, "add") || !strcmp(action, "del"));
	/*
	 * Options may also follow the action, as Kerrighed's users typed;
	 * nodes add/del take Kerrighed 3's (-t is the total there).
	 */
	while ((c = addel ? getopt_long(argc, argv, "n:c:t:a", add_opts, NULL) :
		   getopt_long(argc, argv, "n:c:t:l", opts, NULL)) != -1) {
		switch (c) {
		case 'n': list = optarg; sel |= SEL_LIST; break;
		case 'c':
			count = krg_parse_arg(optarg, "count", 1, KRG_MAX_NODES);
			sel |= SEL_COUNT;
			break;
		case 't':
			if (!addel) {
				timeout_s = krg_parse_arg(optarg, "timeout", 0, 86400);
				break;
			}
			total = krg_parse_arg(optarg, "total", 1, KRG_MAX_NODES);
			sel |= SEL_TOTAL;
			break;
		case 'T': timeout_s = krg_parse_arg(optarg, "timeout", 0, 86400); break;
		case 'a': sel |= SEL_ALL; break;
		case 'l': lng = 1; break;
		default: krg_usage_error(NULL);
		}
	}
	if (optind < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind]);
	if (list && krg_nodelist_parse(list, want))
		krg_usage_error("invalid node list '%s': %s", list,
				errno == ERANGE ? "node ids are 0 to 255" :
				"not like 2,3,6-10");

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
		if (!strcmp(action, "poweroff") || !strcmp(action, "reboot"))
			return cluster_down(!strcmp(action, "reboot"));
		krg_usage_error("unknown cluster action '%s'", action);
	}
	if (!strcmp(mode, "nodes")) {
		if (!strcmp(action, "status"))
			return nodes_status(list, lng);
		if (addel) {
			if (!sel)
				krg_usage_error("nodes %s needs -n LIST, -c COUNT, -t TOTAL or -a",
						action);
			if (sel & (sel - 1))
				krg_usage_error("nodes %s: -n, -c, -t and -a are mutually exclusive",
						action);
			if (!strcmp(action, "add"))
				return nodes_add(sel, want, sel == SEL_COUNT ?
						 (int)count : (int)total,
						 timeout_s);
			return nodes_del(sel, want, sel == SEL_COUNT ?
					 (int)count : (int)total);
		}
		krg_usage_error("unknown nodes action '%s'", action);
	}
	krg_usage_error("unknown mode '%s' (cluster or nodes)", mode);
}
