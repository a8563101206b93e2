// SPDX-License-Identifier: GPL-2.0
/*
 * The policies of policies/: round_robin_balancer and least_loaded place
 * distant-forked children (DISTANT_FORK on the test process, children
 * report after a pipe sync, their node is read from Cpus_allowed_list);
 * mosix_load_balancer moves CPU-bound processes between nodes by
 * Kerrighed's rule, with loads the test feeds through test_probe, and
 * leaves alone what may not move. Best with 4 nodes (suite: nodes=4).
 */
#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define PR	KRG_CFS "/probes/test_probe"
#define S	KRG_CFS "/schedulers/pt"
#define RR	S "/round_robin_balancer"
#define LL	S "/least_loaded"
#define MX	S "/mosix_load_balancer"
#define MIGS	"/sys/kernel/krg/migrations"
#define MAXN	4

/* The number after "@key " in a "key value" per line file, or -1. */
static long long stat_of(const char *path, const char *key)
{
	const char *buf = krg_rd(path), *p = buf;
	size_t n = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static int set(unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return krg_write(PR "/set", buf);
}

static int set_node(int node, unsigned long long v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%d %llu", node, v);
	return krg_write(PR "/set_node", buf);
}

/* Wait (up to 20 s) for a counter to go past @old; returns its value. */
static long long wait_past(const char *path, const char *key, long long old)
{
	long long v = -1;
	int i;

	for (i = 0; i < 2000; i++) {
		v = key ? stat_of(path, key) : krg_rdll(path);
		if (v > old)
			break;
		usleep(10 * 1000);
	}
	return v;
}

/* Processes the tests start; killed by the teardown. */
static pid_t kids[16];
static int nr_kids;

static void kill_kids(void)
{
	while (nr_kids > 0) {
		kill(kids[--nr_kids], SIGKILL);
		waitpid(kids[nr_kids], NULL, 0);
	}
}

static void cleanup(void)
{
	kill_kids();
	krg_remove_tree(S);
	rmdir(PR);
	rmdir(KRG_CFS "/probes/mosix_probe");
	rmdir(KRG_CFS "/probes/migration_probe");
}

static int nr_nodes(void)
{
	unsigned long mask[KRG_NODEMASK_LONGS];
	int n, nr = 0;

	if (krg_nodes_online(mask))
		return 0;
	for (n = 0; n < MAXN; n++)
		nr += krg_node_isset(n, mask);
	return nr;
}

static int cpus_of_node(int node, cpu_set_t *set)
{
	char list[64];

	if (krg_node_cpulist(node, list, sizeof(list)))
		return -1;
	CPU_ZERO(set);
	CPU_SET(atoi(list), set);	/* the harness gives 1 CPU per node */
	return 0;
}

/* Start a CPU-bound child (niced, so the test keeps running). */
static pid_t spawn_busy(void)
{
	int sync[2];
	pid_t pid;
	char c;

	if (pipe(sync))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sync[0]);
		if (setpriority(PRIO_PROCESS, 0, 10) ||
		    write(sync[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			__asm__ __volatile__("" ::: "memory");
	}
	close(sync[1]);
	if (pid < 0 || read(sync[0], &c, 1) != 1)
		pid = -1;
	close(sync[0]);
	if (pid > 0)
		kids[nr_kids++] = pid;
	return pid;
}

static int change_caps(enum krg_target t, pid_t pid, __u32 bit, bool eff,
		       bool on)
{
	struct krg_caps c;
	__u32 *set;

	if (krg_caps_get(t, pid, &c))
		return -errno;
	set = eff ? &c.effective : &c.inheritable_effective;
	*set = on ? *set | bit : *set & ~bit;
	return krg_caps_set(t, pid, &c) ? -errno : 0;
}

static int member(pid_t pid)
{
	char path[128];

	snprintf(path, sizeof(path), S "/process_set/single_processes/%d", pid);
	return krg_mkdir(path);
}

/* The node after @node in @set (a list of node ids), wrapping. */
static int ring_next(const int *set, int nr, int node)
{
	int i;

	for (i = 0; i < nr; i++)
		if (set[i] > node)
			return set[i];
	return set[0];
}

FIXTURE(pol) {
	int nodes;
};

FIXTURE_SETUP(pol)
{
	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	cleanup();
	self->nodes = nr_nodes();
	ASSERT_GE(self->nodes, 2);
	ASSERT_EQ(0, krg_mkdir(S));
}

FIXTURE_TEARDOWN(pol)
{
	cleanup();
}

/* Place 2 rounds of children on @set in turn; returns the last node. */
static int rr_rounds(struct __test_metadata *_metadata, const int *set,
		     int nr, int prev)
{
	int i, node;

	for (i = 0; i < 2 * nr; i++) {
		node = krg_child_node();
		EXPECT_EQ(ring_next(set, nr, prev), node)
			TH_LOG("child %d after node %d", i, prev);
		prev = node;
	}
	return prev;
}

/* round_robin_balancer places successive children on successive nodes. */
TEST_F(pol, round_robin)
{
	int all[MAXN], n, last;
	char buf[16];

	ASSERT_EQ(0, krg_mkdir(RR));
	EXPECT_STREQ("-1", krg_rd(RR "/last_target"));
	ASSERT_EQ(0, member(getpid()));
	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_DISTANT_FORK), true,
				 true));
	/*
	 * The first child goes to the node after the parent's. The parent is
	 * migrated there, not pinned with sched_setaffinity(): the children
	 * of a process pinned by hand are not placed.
	 */
	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE), true, true));
	ASSERT_EQ(0, krg_migrate(getpid(), 0, 0));
	ASSERT_EQ(0, krg_node_of_pid(getpid()));
	for (n = 0; n < self->nodes; n++)
		all[n] = n;
	last = rr_rounds(_metadata, all, self->nodes, 0);
	snprintf(buf, sizeof(buf), "%d", last);
	EXPECT_STREQ(buf, krg_rd(RR "/last_target"));
	/* A smaller node set: the ring goes on from the last node given. */
	if (self->nodes >= 4) {
		static const int odd[] = { 1, 3 }, other[] = { 0, 2, 3 };

		ASSERT_EQ(0, krg_write(S "/node_set", "1,3"));
		last = rr_rounds(_metadata, odd, 2, last);
		ASSERT_EQ(0, krg_write(S "/node_set", "0,2-3"));
		rr_rounds(_metadata, other, 3, last);
	} else {
		static const int one[] = { 1 };

		ASSERT_EQ(0, krg_write(S "/node_set", "1"));
		rr_rounds(_metadata, one, 1, last);
	}
	EXPECT_EQ(0, stat_of(RR "/stats", "placements_none"));
}

/* Set node @node's value and publish it, as a real probe does. */
static int set_node_pub(int node, unsigned long long v)
{
	return set_node(node, v) ?: krg_write(PR "/publish", "1");
}

/*
 * least_loaded places on the node with the lowest value; ties: lowest id.
 * It keeps the answer of the last push (a change that is not published is
 * seen by a later scan only, at most LL_MAX_AGE later: not tested, timing).
 */
TEST_F(pol, least_loaded)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(LL));
	ASSERT_EQ(0, krg_ln(PR "/value", LL "/load/value"));
	ASSERT_EQ(0, member(getpid()));
	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_DISTANT_FORK), true,
				 true));
	/* No value on any node: no decision. */
	EXPECT_EQ(-1, krg_child_node());
	EXPECT_EQ(1, stat_of(LL "/stats", "placements_none"));
	EXPECT_STREQ("-1", krg_rd(LL "/last_target"));
	/* Only node 1 has a value. */
	ASSERT_EQ(0, set_node_pub(1, 500));
	EXPECT_EQ(1, krg_child_node());
	ASSERT_EQ(0, set_node_pub(0, 50));
	EXPECT_EQ(0, krg_child_node());
	ASSERT_EQ(0, set_node_pub(1, 50));
	EXPECT_EQ(0, krg_child_node());	/* tie */
	ASSERT_EQ(0, set_node_pub(0, 51));
	EXPECT_EQ(1, krg_child_node());
	EXPECT_STREQ("1", krg_rd(LL "/last_target"));
	/* What a push brings is answered at once. */
	ASSERT_EQ(0, set_node(0, 1));
	ASSERT_EQ(0, krg_write(PR "/publish", "1"));
	EXPECT_EQ(0, krg_child_node());
	ASSERT_EQ(0, set_node_pub(0, 51));
	if (self->nodes >= 4) {
		ASSERT_EQ(0, set_node_pub(2, 30));
		ASSERT_EQ(0, set_node_pub(3, 30));
		EXPECT_EQ(2, krg_child_node());
		ASSERT_EQ(0, set_node_pub(2, 31));
		EXPECT_EQ(3, krg_child_node());
		/* Only the node set counts. */
		ASSERT_EQ(0, krg_write(S "/node_set", "0-1"));
		EXPECT_EQ(1, krg_child_node());
	} else {
		ASSERT_EQ(0, krg_write(S "/node_set", "0"));
		EXPECT_EQ(0, krg_child_node());
	}
}

/* least_loaded through remote_cache_filter places by the cached values. */
TEST_F(pol, least_loaded_cached)
{
	long long polls;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(LL));
	ASSERT_EQ(0, krg_mkdir(LL "/load/remote_cache_filter"));
	ASSERT_EQ(0, krg_ln(PR "/value", LL "/load/remote_cache_filter/v"));
	ASSERT_EQ(0, member(getpid()));
	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_DISTANT_FORK), true,
				 true));
	ASSERT_EQ(0, krg_write(S "/node_set", "0-1"));
	ASSERT_EQ(0, set_node(0, 10));
	ASSERT_EQ(0, set_node(1, 20));
	polls = stat_of(LL "/load/remote_cache_filter/stats", "polls");
	ASSERT_EQ(0, krg_write(LL "/load/remote_cache_filter/polling_period",
			       "3600000"));
	polls = wait_past(LL "/load/remote_cache_filter/stats", "polls", polls);
	EXPECT_EQ(0, krg_child_node());
	/* The cache is an hour old at most: the change is not seen yet. */
	ASSERT_EQ(0, set_node(0, 30));
	EXPECT_EQ(0, krg_child_node());
	ASSERT_EQ(0, krg_write(LL "/load/remote_cache_filter/polling_period",
			       "3600000"));
	wait_past(LL "/load/remote_cache_filter/stats", "polls", polls);
	EXPECT_EQ(1, krg_child_node());
}

/* --- mosix_load_balancer ------------------------------------------------ */

enum { W0, W1, W2, W3, NOCAP, PINNED, NR_MX };

/* Each node's load: 100 per test process on it (every port reads it). */
static int mx_feed(int nodes)
{
	int count[MAXN] = { 0 }, i, n;

	for (i = 0; i < nr_kids; i++) {
		n = krg_node_of_pid(kids[i]);
		if (n >= 0 && n < MAXN)
			count[n]++;
	}
	for (n = 0; n < nodes; n++)
		if (set_node(n, 100ULL * count[n]))
			return -1;
	return 0;
}

/* Wait (up to 20 s) until no migration is in flight. */
static int mx_settled(void)
{
	long long req, done, aborted;
	int i;

	for (i = 0; i < 2000; i++) {
		req = stat_of(MIGS, "requested");
		done = stat_of(MIGS, "done");
		aborted = stat_of(MIGS, "aborted");
		if (req >= 0 && req == done + aborted)
			return 0;
		usleep(10 * 1000);
	}
	return -1;
}

/* Wait for the step after @steps and its migrations; migrations asked. */
static int mx_wait_step(long long steps, long long asked)
{
	if (wait_past(MX "/steps", NULL, steps) <= steps || mx_settled())
		return -1;
	return stat_of(MX "/stats", "migrations") - asked;
}

/* Feed the loads, push local_load once, wait for the step. */
static int mx_step(int nodes)
{
	long long steps = krg_rdll(MX "/steps");
	long long asked = stat_of(MX "/stats", "migrations");

	if (mx_feed(nodes) || set(1))
		return -1;
	return mx_wait_step(steps, asked);
}

/* Steps until one moves nothing (at most 10); migrations asked in all. */
static int mx_settle(int nodes)
{
	int i, r, total = 0;

	for (i = 0; i < 10; i++) {
		r = mx_step(nodes);
		if (r <= 0)
			return r < 0 ? -1 : total;
		total += r;
	}
	return -2;
}

/* Write the node set; wait for the step it starts. */
static int mx_node_set(int nodes, const char *list)
{
	long long steps = krg_rdll(MX "/steps");
	long long asked = stat_of(MX "/stats", "migrations");

	if (mx_feed(nodes) || krg_write(S "/node_set", list))
		return -1;
	return mx_wait_step(steps, asked);
}

static void expect_nodes(struct __test_metadata *_metadata, const int *want)
{
	int i;

	for (i = 0; i < NR_MX; i++)
		EXPECT_EQ(want[i], krg_node_of_pid(kids[i]))
			TH_LOG("process %d (pid %d)", i, kids[i]);
}

/*
 * mosix_load_balancer spreads CPU-bound processes from a loaded node to
 * idle ones of its node set and stops when the stability rule says so
 * (no ping-pong); it moves the second most loaded process each time and
 * never one without CAN_MIGRATE or pinned by hand; nodes leaving the node
 * set are emptied of what may move, nodes joining it are used.
 *
 * test_probe's one value per node feeds local_load, remote_load and
 * single_process_load, and process_load(pid) = 2 * pid (later forks look
 * more loaded). So with stab_factor 130 a node m looks like 2.3 V(m) with
 * one more process, and n gives one up while 2.3 V(m) < V(n).
 */
TEST_F_TIMEOUT(pol, mosix, 300)
{
	static const int start[NR_MX] = { 0, 1, 1, 0, 0, 0 };
	static const int left[NR_MX] = { 1, 1, 1, 1, 0, 0 };
	static const int grown[NR_MX] = { 1, 3, 2, 1, 0, 0 };
	cpu_set_t cpus;
	long long asked;
	int i;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_write(S "/node_set", "0-1"));
	ASSERT_EQ(0, krg_mkdir(MX));
	EXPECT_STREQ("130", krg_rd(MX "/stab_factor"));
	EXPECT_STREQ("none", krg_rd(MX "/last_move"));
	ASSERT_EQ(0, krg_ln(PR "/value", MX "/local_load/v"));
	ASSERT_EQ(0, krg_ln(PR "/value", MX "/remote_load/v"));
	ASSERT_EQ(0, krg_ln(PR "/value", MX "/single_process_load/v"));
	ASSERT_EQ(0, krg_ln(PR "/per_pid", MX "/process_load/v"));

	/* Children inherit CAN_MIGRATE; all start on node 0. */
	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE), false,
				 true));
	for (i = 0; i < NR_MX; i++) {
		ASSERT_LT(0, spawn_busy());
		ASSERT_EQ(0, member(kids[i]));
		if (i == PINNED)
			continue;
		ASSERT_EQ(0, krg_migrate(kids[i], 0, 0))
			TH_LOG("migrate %d: %s", kids[i], strerror(errno));
	}
	ASSERT_EQ(0, change_caps(KRG_TARGET_PID, kids[NOCAP],
				 KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE), true,
				 false));
	/* Pinned by hand on node 0's CPU, never placed by krg. */
	ASSERT_EQ(0, cpus_of_node(0, &cpus));
	ASSERT_EQ(0, sched_setaffinity(kids[PINNED], sizeof(cpus), &cpus));
	for (i = 0; i < NR_MX; i++)
		ASSERT_EQ(0, krg_node_of_pid(kids[i]));

	/* 600/0 -> 500/100 -> 400/200: then 2.3 * 200 >= 400, done. */
	EXPECT_EQ(2, mx_settle(self->nodes));
	expect_nodes(_metadata, start);
	EXPECT_NE(NULL, strstr(krg_rd(MX "/last_move"), "from 0 to 1"));

	/* Quiet period: the same loads, and balanced ones, move nothing. */
	asked = stat_of(MX "/stats", "migrations");
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0, mx_step(self->nodes));
	for (i = 0; i < 5; i++) {
		long long steps = krg_rdll(MX "/steps");

		ASSERT_EQ(0, set_node(0, 300));
		ASSERT_EQ(0, set_node(1, 300));
		ASSERT_EQ(0, set(1));
		EXPECT_EQ(0, mx_wait_step(steps, asked));
	}
	EXPECT_EQ(asked, stat_of(MX "/stats", "migrations"));
	expect_nodes(_metadata, start);

	/* Node 0 leaves: what may migrate goes to node 1, the rest stays. */
	EXPECT_EQ(2, mx_node_set(self->nodes, "1"));
	expect_nodes(_metadata, left);

	if (self->nodes < 4)
		return;
	/* Nodes 2 and 3 join: 400/0/0 -> 300/100/0 -> 200/100/100. */
	EXPECT_EQ(1, mx_node_set(self->nodes, "1-3"));
	EXPECT_EQ(1, mx_settle(self->nodes));
	expect_nodes(_metadata, grown);
	EXPECT_EQ(0, stat_of(MX "/stats", "migrations_refused"));
}

#define MP	KRG_CFS "/probes/mosix_probe"
#define MG	KRG_CFS "/probes/migration_probe"
#define LFRQ	MX "/local_load/freq_limit_filter"
#define LTHR	LFRQ "/threshold_filter"
#define RRC	MX "/remote_load/remote_cache_filter"
#define SRC	MX "/single_process_load/remote_cache_filter"

/* Most minus fewest of the test's processes on a node of 0..@nodes-1. */
static int spread(int nodes)
{
	int count[MAXN] = { 0 }, i, n, lo = 1 << 30, hi = 0;

	for (i = 0; i < nr_kids; i++) {
		n = krg_node_of_pid(kids[i]);
		if (n < 0 || n >= nodes)
			return 1 << 30;
		count[n]++;
	}
	for (n = 0; n < nodes; n++) {
		lo = count[n] < lo ? count[n] : lo;
		hi = count[n] > hi ? count[n] : hi;
	}
	return hi - lo;
}

/* "node:mean/upper ..." of mosix_probe, for failure messages. */
static const char *mx_loads(int nodes)
{
	static char buf[256];
	char path[128];
	size_t len = 0;
	int n;

	buf[0] = '\0';
	for (n = 0; n < nodes && len < sizeof(buf) - 40; n++) {
		snprintf(path, sizeof(path), MP "/norm_mean_load/nodes/%d/value", n);
		len += snprintf(buf + len, sizeof(buf) - len, "%d:%lld/", n,
				krg_rdll(path));
		snprintf(path, sizeof(path), MP "/norm_upper_load/nodes/%d/value", n);
		len += snprintf(buf + len, sizeof(buf) - len, "%lld ", krg_rdll(path));
	}
	return buf;
}

/*
 * Kerrighed's legacy MOSIX set-up with the real probes (mosix_probe,
 * migration_probe): one CPU-bound process per node, all started on node 0,
 * end up one per node, with the fewest migrations, and then stay put. The
 * probes keep their default period (1 s): shorter ones let a vCPU stall of
 * the emulator look like a load spike.
 */
TEST_F_TIMEOUT(pol, mosix_legacy, 300)
{
	char thr[32];
	long long asked;
	int i, n;

	if (!krg_exists(KRG_MODDIR "/mosix_probe.ko") ||
	    !krg_exists(KRG_MODDIR "/migration_probe.ko"))
		SKIP(return, "mosix_probe or migration_probe not built");
	ASSERT_EQ(0, krg_mkdir(MP));
	ASSERT_EQ(0, krg_mkdir(MG));
	ASSERT_EQ(0, krg_mkdir(MX));
	ASSERT_EQ(0, krg_mkdir(LFRQ));
	ASSERT_EQ(0, krg_mkdir(LTHR));
	ASSERT_EQ(0, krg_mkdir(RRC));
	ASSERT_EQ(0, krg_mkdir(SRC));
	/* threshold: 1.5 single process loads, once the probe has measured. */
	for (i = 0; i < 500 && !isdigit(*krg_rd(MP "/norm_single_process_load/value")); i++)
		usleep(10 * 1000);
	snprintf(thr, sizeof(thr), "%lld",
		 krg_rdll(MP "/norm_single_process_load/value") * 3 / 2);
	ASSERT_EQ(0, krg_write(LTHR "/threshold", thr));
	ASSERT_EQ(0, krg_ln(MG "/last_migration", LFRQ "/last_event/m"));
	ASSERT_EQ(0, krg_ln(MP "/process_load", MX "/process_load/m"));
	ASSERT_EQ(0, krg_ln(MP "/norm_upper_load", RRC "/m"));
	ASSERT_EQ(0, krg_ln(MP "/norm_single_process_load", SRC "/m"));

	ASSERT_EQ(0, change_caps(KRG_TARGET_SELF, 0,
				 KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE), false,
				 true));
	for (n = 0; n < self->nodes; n++) {
		ASSERT_LT(0, spawn_busy());
		ASSERT_EQ(0, member(kids[n]));
		ASSERT_EQ(0, krg_migrate(kids[n], 0, 0));
	}
	/* The last link starts the pushes. */
	ASSERT_EQ(0, krg_ln(MP "/norm_mean_load", LTHR "/m"));
	for (i = 0; i < 1200 && spread(self->nodes) > 1; i++)
		usleep(100 * 1000);
	EXPECT_LE(spread(self->nodes), 1) TH_LOG("%s", krg_rd(MX "/last_move"));
	asked = stat_of(MX "/stats", "migrations");
	/*
	 * The fewest migrations: one per node but the first. On the debug
	 * kernel a stall of the emulator can make one measurement look like
	 * a spike and cost one move more (seen once in CI).
	 */
	if (krg_debug_kernel()) {
		EXPECT_TRUE(asked == self->nodes - 1 || asked == self->nodes)
			TH_LOG("%lld migrations", asked);
	} else {
		EXPECT_EQ(self->nodes - 1, asked);
	}
	/* Quiet period: four min_intervals, not one migration more. */
	sleep(8);
	EXPECT_EQ(asked, stat_of(MX "/stats", "migrations"))
		TH_LOG("%s; loads %s", krg_rd(MX "/last_move"), mx_loads(self->nodes));
	EXPECT_LE(spread(self->nodes), 1);
	EXPECT_GT(stat_of(LFRQ "/stats", "passed"), 0);
}

/* mosix_load_balancer: garbage in stab_factor is refused, nothing changes. */
TEST_F(pol, mosix_garbage)
{
	static const char *const bad[] = {
		"", "\n", "abc", "-1", "1.5", "10 20", "10001", "99999999999",
	};
	unsigned int i;

	ASSERT_EQ(0, krg_mkdir(MX));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, krg_write(MX "/stab_factor", bad[i]))
			TH_LOG("stab_factor accepted '%s'", bad[i]);
		EXPECT_STREQ("130", krg_rd(MX "/stab_factor"));
	}
	EXPECT_EQ(-ERANGE, krg_write(MX "/stab_factor", "10001"));
	EXPECT_EQ(-EINVAL, krg_write(MX "/stab_factor", "x"));
	EXPECT_EQ(0, krg_write(MX "/stab_factor", "0"));
	EXPECT_EQ(0, krg_write(MX "/stab_factor", "10000\n"));
	EXPECT_STREQ("10000", krg_rd(MX "/stab_factor"));
	EXPECT_EQ(-EACCES, krg_write(MX "/steps", "1"));
}

/*
 * mosix_load_balancer: removed while pushes keep coming, its work is
 * stopped and its module can be unloaded at once.
 */
TEST_F(pol, mosix_exit)
{
	int i;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(MX));
	ASSERT_EQ(0, krg_ln(PR "/value", MX "/local_load/v"));
	ASSERT_EQ(0, set_node(0, 1000));
	ASSERT_EQ(0, set_node(1, 0));
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, set(i));
	ASSERT_EQ(0, unlink(MX "/local_load/v"));
	ASSERT_EQ(0, rmdir(MX));
	EXPECT_EQ(0, krg_rmmod("mosix_load_balancer"));
}

TEST_HARNESS_MAIN
