// SPDX-License-Identifier: GPL-2.0
/*
 * krgd - the krgsched node agent: tells krg.ko (cluster backend) which
 * machines of the corosync cluster are members, and whether the cluster is
 * quorate, on every change (docs/krgd.8).
 *
 * It follows corosync's membership with libquorum (the votequorum view:
 * members and quorate, one notification per change) and reports it over
 * the `krg` generic netlink family (KRG_CMD_MEMBERSHIP), krg node id =
 * corosync nodeid - 1. If corosync or krg.ko is not there it says so and
 * tries again, waiting 1, 2, 4, ... up to 30 s; when it loses corosync it
 * closes its netlink socket, so krg.ko marks the membership stale until
 * the next report. Nothing in the kernel ever waits for it. It also
 * exchanges each machine's figures with the other agents (values.c), and
 * carries out krgadm's cluster-wide operations with them (admin.c: the
 * nodes taken out of krgsched's use, poweroff, reboot): krg.ko hears
 * NODES = the members not deleted (this node alone if it is deleted) and
 * PRESENT = every member. It serves the agents' own TLS channel in
 * threads of its own (channel.c; the loop here only starts it and hands
 * it corosync's nodelist).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/quorum.h>
#include "krgd.h"
#include "mover.h"
#include "channel.h"
#include "peers.h"

#define KRGD_BACKOFF_MAX	30	/* s */
#define KRGD_ADMIN_FDS		20	/* admin.c's: cpg, socket, clients */

/* Long options without a short one. */
enum { OPT_POWEROFF = 256, OPT_REBOOT, OPT_LOCAL_TREE };

static int foreground;
static int verbose;
static int period_ms = 500;
static const char *poweroff_cmd, *reboot_cmd;	/* NULL: the defaults */
static int local_tree;		/* --local-tree: no replicated tree */
static volatile sig_atomic_t stopping;

/* What the kernel needs to hear, and whether it heard it. */
struct krg_genl genl = { .fd = -1 };
static unsigned char members[KRG_MAX_NODES / 8];
static int quorate;
static unsigned long long ring;
static int have_view;		/* a notification came since we connected */
static int reported;		/* the kernel has the current view */
static unsigned int reports;	/* views it accepted; atomic (krgd_reports) */
static unsigned int local_nodeid;

/* The channel: off without a key or with --channel-port 0. */
static int chan_port = CHAN_PORT_DEFAULT;
static const char *key_file = CHAN_KEY_FILE;
static struct chan_key chan_key;
static int chan_have_key;
static struct chan_server *chan_srv;

void say(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !verbose)
		return;
	va_start(ap, fmt);
	if (foreground) {
		/* the channel's threads say things too: one line at a time */
		flockfile(stderr);
		fputs("krgd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
	} else {
		vsyslog(prio, fmt, ap);
	}
	va_end(ap);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sleep @s seconds unless asked to stop; then double it, up to the max. */
static void backoff(unsigned int *s)
{
	for (unsigned int i = 0; i < *s * 10 && !stopping; i++)
		usleep(100 * 1000);
	*s = *s * 2 > KRGD_BACKOFF_MAX ? KRGD_BACKOFF_MAX : *s * 2;
}

static const char *cs_name(cs_error_t e)
{
	switch (e) {
	case CS_ERR_LIBRARY: return "corosync is not running";
	case CS_ERR_TRY_AGAIN: return "corosync is busy";
	case CS_ERR_ACCESS: return "not allowed by corosync";
	case CS_ERR_BAD_HANDLE: return "connection to corosync lost";
	case CS_ERR_NOT_EXIST: return "no such key";
	default: return "corosync error";
	}
}

/* The socket to krg.ko, opened if it is not: 0, or -1 (said why). */
int krgd_genl(void)
{
	if (genl.fd >= 0)
		return 0;
	if (!krg_genl_open(&genl))
		return 0;
	say(LOG_ERR, "krg.ko: generic netlink family %s: %s (is krg.ko loaded?)",
	    KRG_GENL_NAME, strerror(errno));
	return -1;
}

const unsigned char *krgd_members(void)
{
	return members;
}

int krgd_cpg_join(cpg_handle_t *h, const char *group,
		  cpg_model_v1_data_t *model)
{
	struct cpg_name name = { .length = (uint32_t)strlen(group) };
	cs_error_t e;

	memcpy(name.value, group, name.length);
	e = cpg_model_initialize(h, CPG_MODEL_V1, (cpg_model_data_t *)model,
				 NULL);
	if (e != CS_OK) {
		say(LOG_WARNING, "%s: cpg: %s (error %d)", group, cs_name(e), e);
		return -1;
	}
	for (int i = 0; i < 50; i++) {
		e = cpg_join(*h, &name);
		if (e != CS_ERR_TRY_AGAIN)
			break;
		usleep(100 * 1000);
	}
	if (e != CS_OK) {
		say(LOG_WARNING, "%s: cannot join the group: %s (error %d)", group,
		    cs_name(e), e);
		cpg_finalize(*h);
		return -1;
	}
	return 0;
}

/*
 * Send the view to krg.ko; on failure it is sent again at the next change.
 * Not before admin.c synced once: the deleted set is not known before.
 */
static void report(void)
{
	unsigned char nodes[KRG_MAX_NODES / 8];
	int self = (int)local_nodeid - 1;
	char err[256];

	if (!have_view || !admin_ready() || krgd_genl())
		return;
	memset(nodes, 0, sizeof(nodes));
	if (admin_node_deleted(self)) {
		/* Out of the cluster's use: this node runs alone. */
		nodes[self / 8] = 1U << (self % 8);
	} else {
		for (int n = 0; n < KRG_MAX_NODES; n++)
			if (!admin_node_deleted(n))
				nodes[n / 8] |= members[n / 8] & (1U << (n % 8));
	}
	if (krg_membership_set(&genl, nodes, members, quorate, ring, err,
			       sizeof(err))) {
		say(LOG_ERR, "krg.ko refused the membership: %s%s%s",
		    strerror(errno), err[0] ? ": " : "", err);
		krg_genl_close(&genl);
		return;
	}
	reported = 1;
	__atomic_add_fetch(&reports, 1, __ATOMIC_RELEASE);
	say(LOG_DEBUG, "reported ring %llu, quorate %d", ring, quorate);
}

unsigned int krgd_reports(void)
{
	return __atomic_load_n(&reports, __ATOMIC_ACQUIRE);
}

void krgd_deleted_changed(void)
{
	reported = 0;
	report();
}

static void on_quorum(quorum_handle_t h, uint32_t q, struct quorum_ring_id id,
		      uint32_t n, const uint32_t *list)
{
	char line[1024];
	size_t len = 0;

	(void)h;
	memset(members, 0, sizeof(members));
	for (uint32_t i = 0; i < n; i++) {
		/* krg ids are 0..255: corosync nodeids 1..256 */
		if (list[i] < 1 || list[i] > KRG_MAX_NODES) {
			say(LOG_ERR, "corosync nodeid %u is outside 1..%d: left out",
			    list[i], KRG_MAX_NODES);
			continue;
		}
		krg_nodebytes_set(members, (int)list[i] - 1);
		len += snprintf(line + len, sizeof(line) - len, " %u",
				list[i] - 1);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
	}
	quorate = q;
	ring = id.seq;
	have_view = 1;
	reported = 0;
	say(LOG_INFO, "membership (ring %llu, %s): nodes%s", ring,
	    quorate ? "quorate" : "NOT quorate", line);
	report();
}

/*
 * Is @id one corosync made up from a node's IPv4 address (udp and udpu do
 * when the nodelist gives no nodeid; with clear_node_high_bit, minus the
 * top bit)?
 */
static int nodeid_from_address(cmap_handle_t cmap, uint32_t id)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	int found = 0;

	if (cmap_iter_init(cmap, "nodelist.node.", &it) != CS_OK)
		return 0;
	while (!found && cmap_iter_next(cmap, it, key, NULL, NULL) == CS_OK) {
		size_t n = strlen(key);
		struct in_addr a;
		char *addr;

		if (n < 11 || strcmp(key + n - 11, ".ring0_addr"))
			continue;
		if (cmap_get_string(cmap, key, &addr) != CS_OK)
			continue;
		if (inet_pton(AF_INET, addr, &a) == 1)
			found = ntohl(a.s_addr) == id ||
				(ntohl(a.s_addr) & 0x7fffffff) == id;
		free(addr);
	}
	cmap_iter_finalize(cmap, it);
	return found;
}

/* This machine's corosync nodeid must be krg.ko's node_id + 1. */
static int check_local(cmap_handle_t cmap)
{
	char buf[32];
	cs_error_t e;
	int kid;

	e = cmap_get_uint32(cmap, "runtime.votequorum.this_node_id",
			    &local_nodeid);
	if (e != CS_OK) {
		say(LOG_ERR, "corosync has no node id for this machine (%s): "
		    "give every node a nodeid in corosync.conf's nodelist",
		    cs_name(e));
		return -1;
	}
	if (local_nodeid < 1 || local_nodeid > KRG_MAX_NODES) {
		say(LOG_ERR, "this machine's corosync nodeid is %u, outside 1..%d%s: "
		    "give every node of corosync.conf's nodelist a nodeid 1..%d",
		    local_nodeid, KRG_MAX_NODES,
		    !nodeid_from_address(cmap, local_nodeid) ? "" :
		    " (the nodelist gives none, so corosync made it up from the address)",
		    KRG_MAX_NODES);
		return -1;
	}
	if (krg_sysfs_read("local_node", buf, sizeof(buf)))
		return 0;	/* krg.ko not loaded yet: report() says so */
	kid = atoi(buf);
	if (kid + 1 != (int)local_nodeid) {
		say(LOG_ERR, "krg.ko says this is node %d (corosync nodeid %d) "
		    "but corosync says nodeid %u: load krg.ko with node_id=%u",
		    kid, kid + 1, local_nodeid, local_nodeid - 1);
		return -1;
	}
	return 0;
}

static void chan_log(int prio, const char *msg)
{
	say(prio, "%s", msg);
}

/* The key, once at start: without one the channel is off (one line). */
static void channel_key(void)
{
	char err[512];

	if (!chan_port) {
		say(LOG_INFO, "channel off: --channel-port 0");
		return;
	}
	if (chan_key_load(key_file, &chan_key, err, sizeof(err))) {
		say(errno == ENOENT ? LOG_INFO : LOG_ERR, "channel off: %s%s",
		    err, errno == ENOENT ? " (see krgd(8) to make one)" : "");
		return;
	}
	chan_have_key = 1;
}

/*
 * Start the channel's server, or give it the nodelist again (the
 * nodelist may have been reloaded). Never waits for a peer: bind(),
 * listen() and a thread. On failure it is tried again at the next
 * connection to corosync.
 */
static void channel_update(cmap_handle_t cmap)
{
	struct chan_server_cfg cfg = {
		.key = &chan_key,
		.me = local_nodeid - 1,
		.port = chan_port,
		.version = "krgd from " KRG_PACKAGE_STRING,
		.log = chan_log,
		.handle = mover_chan_handle,
	};
	struct chan_peers *peers;
	char err[512];

	if (!chan_have_key)
		return;
	peers = malloc(sizeof(*peers));
	if (!peers)
		return;
	if (chan_peers_from_cmap(cmap, peers, err, sizeof(err)) < 0) {
		say(LOG_ERR, "channel %s: %s", chan_srv ?
		    "keeps the nodelist it had" : "off", err);
	} else if (chan_srv) {
		chan_server_set_peers(chan_srv, peers);
		mover_set_channel(&chan_key, chan_port, peers, (int)local_nodeid - 1);
	} else {
		chan_srv = chan_server_start(&cfg, peers, err, sizeof(err));
		if (!chan_srv)
			say(LOG_ERR, "channel off: %s", err);
		else
			mover_set_channel(&chan_key, chan_port, peers, (int)local_nodeid - 1);
	}
	free(peers);
}

/* krg.ko's migration orders: each to a worker of mover.c. */
static void orders(void)
{
	struct krg_migrate_order o;
	int r;

	while ((r = krg_genl_next_order(&genl, &o)) > 0)
		mover_order(&o);
	if (genl.lost_orders) {
		say(LOG_ERR, "krg.ko: %lu migration orders lost (more than %d at once)",
		    genl.lost_orders, KRG_GENL_ORDERS);
		genl.lost_orders = 0;
	}
	if (r < 0)
		krg_genl_close(&genl);
}

/* One connection to corosync, until it is lost or we stop. */
static int follow(unsigned int *wait_s)
{
	quorum_model_v1_data_t model = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = on_quorum,
	};
	quorum_handle_t qh;
	cmap_handle_t cmap;
	uint32_t type;
	struct pollfd pfd[3 + KRGD_ADMIN_FDS] = {
		{ .events = POLLIN }, { .events = POLLIN }
	};
	struct timespec next, now;
	cs_error_t e;
	int ret = 0;

	e = cmap_initialize(&cmap);
	if (e != CS_OK) {
		say(LOG_WARNING, "%s (cmap: error %d); trying again in %u s",
		    cs_name(e), e, *wait_s);
		return 1;
	}
	if (check_local(cmap)) {
		cmap_finalize(cmap);
		return -1;
	}
	channel_update(cmap);
	cmap_finalize(cmap);
	e = quorum_model_initialize(&qh, QUORUM_MODEL_V1,
				    (quorum_model_data_t *)&model, &type, NULL);
	if (e != CS_OK) {
		say(LOG_WARNING, "%s (quorum: error %d); trying again in %u s",
		    cs_name(e), e, *wait_s);
		return 1;
	}
	if (type != QUORUM_SET)
		say(LOG_WARNING, "corosync has no quorum provider: every membership is quorate");
	e = quorum_trackstart(qh, CS_TRACK_CHANGES | CS_TRACK_CURRENT);
	if (e == CS_OK)
		e = quorum_fd_get(qh, &pfd[0].fd);
	if (e != CS_OK) {
		say(LOG_WARNING, "%s (tracking: error %d)", cs_name(e), e);
		quorum_finalize(qh);
		return 1;
	}
	if (values_open(local_nodeid)) {
		quorum_finalize(qh);
		return 1;
	}
	pfd[1].fd = values_fd();
	if (admin_open(local_nodeid, poweroff_cmd, reboot_cmd)) {
		values_close();
		quorum_finalize(qh);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	say(LOG_INFO, "following corosync's membership (this is node %u)",
	    local_nodeid - 1);
	*wait_s = 1;
	have_view = 0;
	while (!stopping) {
		long wait_ms;
		int n, na;

		clock_gettime(CLOCK_MONOTONIC, &now);
		wait_ms = (next.tv_sec - now.tv_sec) * 1000 +
			  (next.tv_nsec - now.tv_nsec) / 1000000;
		if (wait_ms <= 0) {
			values_publish();
			next = now;
			next.tv_nsec += (long)period_ms * 1000000;
			next.tv_sec += next.tv_nsec / 1000000000;
			next.tv_nsec %= 1000000000;
			wait_ms = period_ms;
		}
		/* Messages corosync was too busy to take: soon again. */
		if (admin_tick() && wait_ms > 100)
			wait_ms = 100;
		na = admin_pollfds(pfd + 2, KRGD_ADMIN_FDS);
		/* krg.ko's orders come on the socket that reported */
		pfd[2 + na] = (struct pollfd){ .fd = genl.fd, .events = POLLIN };
		for (int i = 0; i < 3 + na; i++)
			pfd[i].revents = 0;
		if (genl.fd >= 0 && genl.norders)
			wait_ms = 0;
		n = poll(pfd, 3 + na, (int)wait_ms);
		if (n < 0 && errno != EINTR) {
			ret = 1;
			break;
		}
		if (n > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP))) {
			e = quorum_dispatch(qh, CS_DISPATCH_ALL);
			if (e != CS_OK && e != CS_ERR_TRY_AGAIN) {
				say(LOG_WARNING, "%s; the membership is stale until it is back",
				    cs_name(e));
				ret = 1;
				break;
			}
		}
		if (n > 0 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    values_dispatch()) {
			say(LOG_WARNING, "connection to corosync lost (cpg); the membership is stale until it is back");
			ret = 1;
			break;
		}
		if (n > 0 && admin_dispatch(pfd + 2, na)) {
			say(LOG_WARNING, "connection to corosync lost (krg_admin); the membership is stale until it is back");
			ret = 1;
			break;
		}
		/* A report that failed (krg.ko not loaded yet) is retried. */
		if (have_view && !reported)
			report();
		if (genl.fd >= 0)
			orders();
	}
	admin_close();
	values_close();
	quorum_finalize(qh);
	/* The kernel marks the membership stale when this socket closes. */
	krg_genl_close(&genl);
	reported = 0;
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: krgd [OPTION]...\n"
		"The krgsched node agent: reports corosync's membership and quorum\n"
		"to krg.ko (cluster backend) on every change.\n"
		"\n"
		"  -f, --foreground  stay in the foreground and log to stderr\n"
		"                    (default: a daemon logging to syslog)\n"
		"  -v, --verbose     also log each report\n"
		"  -p, --period MS   publish this machine's figures and probe values\n"
		"                    every MS ms (100 to 60000, default 500)\n"
		"      --channel-port PORT  the agents' TLS channel's TCP port\n"
		"                    (default 7079; 0: no channel)\n"
		"      --key FILE    the channel's pre-shared key (default\n"
		"                    /etc/krg/authkey; none: no channel)\n"
		"      --poweroff-command CMD, --reboot-command CMD\n"
		"                    what krgadm cluster poweroff (reboot) runs here\n"
		"                    (/bin/sh -c CMD; default: systemctl poweroff\n"
		"                    (reboot) under systemd, else /sbin/poweroff)\n"
		"      --local-tree  do not replicate the krg_scheduler tree: each\n"
		"                    node's configfs is its own (default: one tree\n"
		"                    for the cluster, through a FUSE front)\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"\n"
		"krg.ko must run the cluster backend (krg.cluster_nodes=LIST\n"
		"krg.node_id=N, N being this machine's corosync nodeid - 1).\n"
		"See krgd(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "period", required_argument, NULL, 'p' },
		{ "channel-port", required_argument, NULL, 'P' },
		{ "key", required_argument, NULL, 'k' },
		{ "poweroff-command", required_argument, NULL, OPT_POWEROFF },
		{ "reboot-command", required_argument, NULL, OPT_REBOOT },
		{ "local-tree", no_argument, NULL, OPT_LOCAL_TREE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int wait_s = 1;
	int c, ret;

	while ((c = getopt_long(argc, argv, "fvp:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'f': foreground = 1; break;
		case 'v': verbose = 1; break;
		case 'p': period_ms = (int)krg_parse_arg(optarg, "period", 100, 60000); break;
		case 'P': chan_port = (int)krg_parse_arg(optarg, "channel-port", 0, 65535); break;
		case 'k': key_file = optarg; break;
		case OPT_POWEROFF: poweroff_cmd = optarg; break;
		case OPT_REBOOT: reboot_cmd = optarg; break;
		case OPT_LOCAL_TREE: local_tree = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': return krg_print_version();
		default: krg_usage_error(NULL);
		}
	}
	if (optind < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind]);
	if (geteuid() != 0) {
		fprintf(stderr, "krgd: must run as root (the krg family needs CAP_NET_ADMIN)\n");
		return 1;
	}
	if (!foreground) {
		if (daemon(0, 0)) {
			perror("krgd: daemon");
			return 1;
		}
		openlog("krgd", LOG_PID, LOG_DAEMON);
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	channel_key();
	if (mover_start())
		say(LOG_ERR, "move: processes do not cross machines from here");
	if (!local_tree && tree_start())
		say(LOG_ERR, "the replicated tree is off: each node's tree is its own");

	while (!stopping) {
		ret = follow(&wait_s);
		if (ret < 0)
			return 1;	/* a configuration error: retrying won't help */
		if (!stopping)
			backoff(&wait_s);
	}
	say(LOG_INFO, "stopping");
	tree_stop();
	mover_stop();
	chan_server_stop(chan_srv);
	chan_key_clear(&chan_key);
	return 0;
}
