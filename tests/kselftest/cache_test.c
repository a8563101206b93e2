// SPDX-License-Identifier: GPL-2.0
/*
 * The value cache and the generic netlink family "krg" (core/cache.c,
 * core/netlink.c, kernel/genl.c).
 *
 * With the numa backend every node is measured here: a per-node read is
 * the probe's own and fills the node's entry (nodes/<n>/age_ms), and the
 * agent may not set a measured node's value. With the test backend and
 * krg.test_remote_nodes=2 (nodes 2 and 3 of 4 measured "elsewhere", as
 * another machine's would be), their values are what the agent sets
 * through KRG_CMD_VALUE_SET, with an age; subscribers (least_loaded,
 * remote_cache_filter) see them; an offline node's entries are dropped;
 * every bad request gets its errno and a message; a user gets EPERM.
 *
 * Needs two NUMA nodes of one CPU each (the harness default).
 */
#include <sched.h>
#include <signal.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define K	"/sys/kernel/krg"
#define PR	KRG_CFS "/probes/test_probe"
#define S	KRG_CFS "/schedulers/ct"
#define LL	S "/least_loaded"
#define RC	LL "/load/remote_cache_filter"

static char err[256];

static int set_node(int node, unsigned long long v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%d %llu", node, v);
	return krg_write(PR "/set_node", buf);
}

/* KRG_CMD_VALUE_SET of one u64 (@age_ms old): 0 or -errno; err says why. */
static int agent_set(int node, const char *probe, const char *src,
		     unsigned long long v, unsigned int age_ms)
{
	struct krg_genl g;
	__u64 val = v;
	int ret;

	if (krg_genl_open(&g))
		return -errno;
	ret = krg_value_set(&g, node, probe, src, &val, sizeof(val), age_ms,
			    err, sizeof(err)) ? -errno : 0;
	krg_genl_close(&g);
	return ret;
}

static int agent_set_raw(int node, const char *src, const void *v, size_t len)
{
	struct krg_genl g;
	int ret;

	if (krg_genl_open(&g))
		return -errno;
	ret = krg_value_set(&g, node, "test_probe", src, v, len, 0, err,
			    sizeof(err)) ? -errno : 0;
	krg_genl_close(&g);
	return ret;
}

/* KRG_CMD_VALUE_GET of test_probe/value on @node: 0 or -errno. */
static int agent_get(int node, unsigned long long *v, unsigned int *age)
{
	struct krg_genl g;
	__u64 val[8];
	size_t len = sizeof(val);
	int ret;

	if (krg_genl_open(&g))
		return -errno;
	ret = krg_value_get(&g, node, "test_probe", "value", val, &len, age,
			    err, sizeof(err)) ? -errno : 0;
	krg_genl_close(&g);
	if (!ret && len != sizeof(__u64))
		ret = -EPROTO;
	if (!ret)
		*v = val[0];
	return ret;
}

static const char *node_file(int node, const char *file)
{
	static char path[256];

	snprintf(path, sizeof(path), PR "/value/nodes/%d/%s", node, file);
	return krg_rd(path);
}

static bool is_number(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int unload_krg(void)
{
	krg_close();
	return krg_unload_krg();
}

static int load_remote(void)
{
	int ret = unload_krg();

	return ret ?: krg_insmod_args("krg", "test_nodes=4 test_remote_nodes=2");
}

static int restore_numa(void)
{
	int ret = unload_krg();

	return ret ?: krg_insmod("krg");
}

/* The CPU of NUMA node 1, if it is one CPU that can go offline, or -1. */
static int node1_cpu(void)
{
	const char *list = krg_rd("/sys/devices/system/node/node1/cpulist");
	char path[64];
	int cpu;

	if (!is_number(list))
		return -1;
	cpu = atoi(list);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return krg_exists(path) ? cpu : -1;
}

static int set_cpu(int cpu, const char *on)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	return krg_write(path, on);
}

static void cleanup(void)
{
	int cpu = node1_cpu();

	if (cpu >= 0)
		set_cpu(cpu, "1");
	krg_remove_tree(S);
	krg_rmdir(PR);
}

FIXTURE(numa) {
};

FIXTURE_SETUP(numa)
{
	int ret = krg_need("krg_scheduler");

	ASSERT_EQ(0, ret) TH_LOG("loading krg_scheduler: %s", strerror(-ret));
	ASSERT_EQ(0, krg_need("krg_test_probe"));
	cleanup();
}

FIXTURE_TEARDOWN(numa)
{
	cleanup();
}

/*
 * numa: every node is measured here. A read fills the node's entry (its
 * age appears), the agent's get reads the probe (age 0), and the agent may
 * not set a measured node.
 */
TEST_F(numa, measured_nodes)
{
	unsigned long long v;
	unsigned int age = 99;

	EXPECT_STREQ("numa", krg_rd(K "/backend"));
	EXPECT_STREQ("1", krg_rd(K "/node0/measured"));
	EXPECT_STREQ("1", krg_rd(K "/node1/measured"));
	ASSERT_EQ(0, krg_mkdir(PR));
	EXPECT_STREQ("(no value yet)", node_file(1, "age_ms"));
	ASSERT_EQ(0, set_node(1, 77));
	EXPECT_STREQ("77", node_file(1, "value"));
	EXPECT_TRUE(is_number(node_file(1, "age_ms")))
		TH_LOG("age_ms: %s", node_file(1, "age_ms"));
	/* A value set by hand is read at once: the cache is not in the way. */
	ASSERT_EQ(0, set_node(1, 78));
	EXPECT_STREQ("78", node_file(1, "value"));
	ASSERT_EQ(0, agent_get(1, &v, &age)) TH_LOG("%s", err);
	EXPECT_EQ(78ULL, v);
	EXPECT_EQ(0U, age);
	EXPECT_EQ(-EINVAL, agent_set(1, "test_probe", "value", 5, 0));
	EXPECT_STREQ("node 1 is measured here", err);
	EXPECT_STREQ("78", node_file(1, "value"));
}

/* The family is root's (CAP_NET_ADMIN): a user gets EPERM. */
static int user_set(void *arg)
{
	return -agent_set(0, "test_probe", "value", 1, 0);
}

TEST_F(numa, unprivileged)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	EXPECT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_set, NULL));
}

/* A membership report is the cluster backend's: numa says so. */
TEST_F(numa, membership_not_cluster)
{
	unsigned char nodes[KRG_MAX_NODES / 8] = { 1 };
	struct krg_genl g;

	ASSERT_EQ(0, krg_genl_open(&g));
	EXPECT_EQ(-1, krg_membership_set(&g, nodes, NULL, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_STREQ("krg.ko runs the numa backend, not cluster", err);
	krg_genl_close(&g);
	EXPECT_STREQ("backend numa", krg_rd(K "/cluster"));
}

/* Without the core, its commands say which module is missing. */
TEST_F(numa, without_core)
{
	ASSERT_EQ(0, krg_unload_core());
	EXPECT_EQ(-EOPNOTSUPP, agent_set(1, "test_probe", "value", 1, 0));
	EXPECT_STREQ("krg_scheduler.ko is not loaded", err);
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	ASSERT_EQ(0, krg_need("krg_test_probe"));
}

FIXTURE(remote) {
};

FIXTURE_SETUP(remote)
{
	int ret;

	if (!krg_exists("/sys/devices/system/node/node1"))
		SKIP(return, "needs two NUMA nodes");
	ret = load_remote();
	ASSERT_EQ(0, ret) TH_LOG("loading krg test_remote_nodes=2: %s",
				 strerror(-ret));
	ret = krg_need("krg_scheduler");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_scheduler: %s", strerror(-ret));
	ASSERT_EQ(0, krg_need("krg_test_probe"));
	ASSERT_EQ(0, krg_mkdir(PR));
}

FIXTURE_TEARDOWN(remote)
{
	cleanup();
	EXPECT_EQ(0, restore_numa());
	EXPECT_STREQ("numa", krg_rd(K "/backend"));
}

/* Nodes 2 and 3 are measured elsewhere: their values are the agent's. */
TEST_F(remote, values_from_the_agent)
{
	unsigned long long v;
	unsigned int age;

	EXPECT_STREQ("1", krg_rd(K "/node1/measured"));
	EXPECT_STREQ("0", krg_rd(K "/node2/measured"));
	EXPECT_STREQ("0", krg_rd(K "/node3/measured"));
	EXPECT_STREQ("(no value yet)", node_file(2, "value"));
	EXPECT_STREQ("(no value yet)", node_file(2, "age_ms"));
	EXPECT_EQ(-EAGAIN, agent_get(2, &v, &age));

	ASSERT_EQ(0, agent_set(2, "test_probe", "value", 42, 0)) TH_LOG("%s", err);
	EXPECT_STREQ("42", node_file(2, "value"));
	EXPECT_TRUE(is_number(node_file(2, "age_ms")));
	ASSERT_EQ(0, agent_get(2, &v, &age)) TH_LOG("%s", err);
	EXPECT_EQ(42ULL, v);
	/* The probe's own value for a remote node is not used. */
	ASSERT_EQ(0, set_node(2, 99));
	EXPECT_STREQ("42", node_file(2, "value"));
	EXPECT_STREQ("(no value yet)", node_file(3, "value"));

	/* An age given by the agent counts. */
	ASSERT_EQ(0, agent_set(3, "test_probe", "value", 7, 60000));
	EXPECT_STREQ("7", node_file(3, "value"));
	EXPECT_LE(60000, krg_rdll(PR "/value/nodes/3/age_ms"));
	ASSERT_EQ(0, agent_get(3, &v, &age));
	EXPECT_LE(60000U, age);
	EXPECT_EQ(7ULL, v);

	/* A measured node still reads its probe. */
	ASSERT_EQ(0, set_node(1, 11));
	EXPECT_STREQ("11", node_file(1, "value"));
}

/* Every bad request: its errno and a message naming what is wrong. */
TEST_F(remote, bad_requests)
{
	__u64 big[9] = { 0 };
	char three[3] = { 0 };

	EXPECT_EQ(-ENOENT, agent_set(2, "nope", "value", 1, 0));
	EXPECT_STREQ("no source nope/value", err);
	EXPECT_EQ(-ENOENT, agent_set(2, "test_probe", "nope", 1, 0));
	EXPECT_STREQ("no source test_probe/nope", err);
	EXPECT_EQ(-EINVAL, agent_set(5, "test_probe", "value", 1, 0));
	EXPECT_STREQ("node 5 is not a possible node", err);
	EXPECT_EQ(-ERANGE, agent_set(256, "test_probe", "value", 1, 0));
	EXPECT_EQ(-EINVAL, agent_set(0, "test_probe", "value", 1, 0));
	EXPECT_STREQ("node 0 is measured here", err);
	EXPECT_EQ(-EINVAL, agent_set(2, "test_probe", "per_pid", 1, 0));
	EXPECT_STREQ("test_probe/per_pid takes a pid_t parameter", err);
	EXPECT_EQ(-EINVAL, agent_set_raw(2, "value", three, sizeof(three)));
	EXPECT_STREQ("a value of 3 bytes is not 1 to 8 values of 8 bytes", err);
	EXPECT_EQ(-EINVAL, agent_set_raw(2, "value", three, 0));
	EXPECT_EQ(-ERANGE, agent_set_raw(2, "value", big, sizeof(big)));
	/* Nothing of that landed. */
	EXPECT_STREQ("(no value yet)", node_file(2, "value"));
}

/* Does remote_cache_filter's cache hold @v for @node ("node value age")? */
static bool cached(int node, unsigned long long v)
{
	char want[48];

	snprintf(want, sizeof(want), "%d %llu ", node, v);
	for (const char *l = krg_rd(RC "/cache"); l && *l;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, want, strlen(want)))
			return true;
	return false;
}

/* A node's new value reaches the policies that follow the source. */
TEST_F(remote, subscribers_see_it)
{
	struct krg_caps c;
	char path[128];

	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(LL));
	ASSERT_EQ(0, krg_ln(PR "/value", LL "/load/p"));
	snprintf(path, sizeof(path), S "/process_set/single_processes/%d",
		 getpid());
	ASSERT_EQ(0, krg_mkdir(path));
	ASSERT_EQ(0, krg_caps_get(KRG_TARGET_SELF, 0, &c));
	c.effective |= KRG_CAP_BIT(KRG_CAP_DISTANT_FORK);
	ASSERT_EQ(0, krg_caps_set(KRG_TARGET_SELF, 0, &c));

	ASSERT_EQ(0, set_node(0, 50));
	ASSERT_EQ(0, set_node(1, 60));
	ASSERT_EQ(0, krg_write(PR "/publish", "1"));
	/* Test nodes share CPUs (3 is NUMA node 1's): ask the policy. */
	EXPECT_EQ(0, krg_child_node());
	EXPECT_STREQ("0", krg_rd(LL "/last_target"));
	ASSERT_EQ(0, agent_set(3, "test_probe", "value", 5, 0));
	EXPECT_EQ(1, krg_child_node());
	EXPECT_STREQ("3", krg_rd(LL "/last_target"));
	ASSERT_EQ(0, agent_set(2, "test_probe", "value", 4, 0));
	EXPECT_EQ(0, krg_child_node());
	EXPECT_STREQ("2", krg_rd(LL "/last_target"));

	/* remote_cache_filter copies the cache at its polls. */
	ASSERT_EQ(0, krg_unlink(LL "/load/p"));
	ASSERT_EQ(0, krg_mkdir(RC));
	ASSERT_EQ(0, krg_ln(PR "/value", RC "/p"));
	ASSERT_EQ(0, krg_write(RC "/polling_period", "3600000"));
	EXPECT_TRUE(WAIT_FOR(cached(2, 4) && cached(3, 5), 10))
		TH_LOG("cache: %s", krg_rd(RC "/cache"));
}

/* An offline node's entries go; a value set then is EHOSTDOWN. */
TEST_F(remote, offline_drops)
{
	int cpu = node1_cpu();

	if (cpu < 0)
		SKIP(return, "NUMA node 1's CPU cannot go offline");
	ASSERT_EQ(0, agent_set(3, "test_probe", "value", 5, 0));
	EXPECT_STREQ("5", node_file(3, "value"));
	/* Nodes 1 and 3 are NUMA node 1's CPU. */
	ASSERT_EQ(0, set_cpu(cpu, "0"));
	ASSERT_TRUE(WAIT_FOR(!strcmp(krg_rd(K "/nodes_online"), "0,2"), 5));
	EXPECT_STREQ("(no data)", node_file(3, "value"));
	EXPECT_STREQ("(no value yet)", node_file(3, "age_ms"));
	EXPECT_EQ(-EHOSTDOWN, agent_set(3, "test_probe", "value", 6, 0));
	EXPECT_STREQ("node 3 is offline", err);
	ASSERT_EQ(0, set_cpu(cpu, "1"));
	ASSERT_TRUE(WAIT_FOR(!strcmp(krg_rd(K "/nodes_online"), "0-3"), 5));
	/* The old value does not come back. */
	EXPECT_STREQ("(no value yet)", node_file(3, "value"));
	ASSERT_EQ(0, agent_set(3, "test_probe", "value", 8, 0));
	EXPECT_STREQ("8", node_file(3, "value"));
}

/* A probe removed is not found; made again, it starts empty. */
TEST_F(remote, probe_removed)
{
	ASSERT_EQ(0, agent_set(2, "test_probe", "value", 3, 0));
	ASSERT_EQ(0, krg_rmdir(PR));
	EXPECT_EQ(-ENOENT, agent_set(2, "test_probe", "value", 3, 0));
	ASSERT_EQ(0, krg_mkdir(PR));
	EXPECT_STREQ("(no value yet)", node_file(2, "value"));
}

/* Bad parameters of the test and cluster backends are refused at load. */
TEST(remote_params)
{
	if (!krg_exists("/sys/devices/system/node/node1"))
		SKIP(return, "needs two NUMA nodes");
	ASSERT_EQ(0, unload_krg());
	/* numa has no remote nodes; the local NUMA nodes stay measured. */
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "test_remote_nodes=1"));
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "test_nodes=4 test_remote_nodes=3"));
	/* The cluster backend: a node list and this machine's id in it. */
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "cluster_nodes=0-3"));
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "cluster_nodes=0-3 node_id=4"));
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "cluster_nodes=zero node_id=0"));
	EXPECT_EQ(-ERANGE, krg_insmod_args("krg", "cluster_nodes=0-256 node_id=0"));
	EXPECT_EQ(-EINVAL, krg_insmod_args("krg", "cluster_nodes=0-3 node_id=0 test_nodes=4"));
	EXPECT_EQ(0, krg_insmod("krg"));
}

TEST_HARNESS_MAIN
