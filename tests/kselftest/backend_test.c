// SPDX-License-Identifier: GPL-2.0
/*
 * krg.ko's node backends as one ops table: with the `test` backend
 * (krg.test_nodes=4 over the VM's two NUMA nodes: nodes 0 and 2 are NUMA
 * node 0, nodes 1 and 3 NUMA node 1) /sys/kernel/krg says so, the probes
 * start and measure every node through krg.ko's per-node API (the CPUs and
 * memory the backend gives the node), and a task krg.ko moved to node 3
 * counts on node 3, not on node 1 that shares its CPUs.
 *
 * Each test loads krg.ko with the test backend and puts the numa backend
 * back at the end. Needs two NUMA nodes (the harness default).
 */
#include <sched.h>
#include <signal.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define K		"/sys/kernel/krg"
#define PROBES		KRG_CFS "/probes"
#define CPU		PROBES "/cpu_probe"
#define MEM		PROBES "/mem_probe"
#define MOSIX		PROBES "/mosix_probe"
#define LOAD		PROBES "/load_probe"
#define SPEED		PROBES "/cpuspeed_probe"
#define NR_TEST_NODES	4

/* The probes that refused to start under any backend but numa. */
static const char *const node_probes[] = {
	"cpu_probe", "mem_probe", "mosix_probe", "load_probe",
	"cpuspeed_probe", "user_probe", "local_user_presence",
	"mattload_probe",
};

#define NR_NODE_PROBES	(sizeof(node_probes) / sizeof(node_probes[0]))

static pid_t child;

static int unload_krg(void)
{
	krg_close();
	return krg_unload_krg();
}

static bool num(const char *path, long long *v)
{
	char buf[128], *end;

	if (krg_read(path, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return !errno && !*end;
}

/* @probe/@src's value on @node, or -1. */
static long long node_val(const char *probe, const char *src, int node)
{
	char path[256];
	long long v;

	snprintf(path, sizeof(path), "%s/%s/nodes/%d/value", probe, src, node);
	return num(path, &v) ? v : -1;
}

/* The NUMA node that makes up test node @node. */
static int numa_of(int node)
{
	return node % 2;
}

static int numa_cpulist(int nid, char *buf, size_t len)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 nid);
	return krg_read(path, buf, len);
}

static int numa_cpus(int nid, cpu_set_t *set)
{
	char buf[256];

	if (numa_cpulist(nid, buf, sizeof(buf)))
		return -1;
	return krg_cpulist_parse(buf, set, sizeof(*set));
}

static int pin(pid_t pid, int nid)
{
	cpu_set_t set;

	if (numa_cpus(nid, &set))
		return -1;
	return sched_setaffinity(pid, sizeof(set), &set);
}

static long long meminfo_kb(int nid, const char *key)
{
	char path[96], line[256], *p;
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 nid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		p = strstr(line, key);
		if (p && p[strlen(key)] == ':') {
			v = strtoll(p + strlen(key) + 1, NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

/* A child spinning on NUMA node @nid's CPUs, once it is there. */
static pid_t spinner(int nid)
{
	int sync[2];
	pid_t pid;
	char c = 0;

	if (pipe(sync))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(sync[0]);
		if (pin(0, nid) || write(sync[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			;
	}
	close(sync[1]);
	if (pid > 0 && read(sync[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(sync[0]);
	child = pid;
	return pid;
}

static void cleanup(void)
{
	char path[256];

	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
	for (unsigned int i = 0; i < NR_NODE_PROBES; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", node_probes[i]);
		rmdir(path);
	}
}

FIXTURE(backend) {
	int unused;
};

FIXTURE_SETUP(backend)
{
	int ret;

	if (!krg_exists("/sys/devices/system/node/node1"))
		SKIP(return, "needs two NUMA nodes");
	ASSERT_EQ(0, unload_krg());
	ret = krg_insmod_args("krg", "test_nodes=4");
	ASSERT_EQ(0, ret) TH_LOG("loading krg test_nodes=4: %s", strerror(-ret));
	ret = krg_need("krg_scheduler");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_scheduler: %s", strerror(-ret));
	/* Load goes to NUMA node 1; this program stays on node 0. */
	ASSERT_EQ(0, pin(0, 0));
}

FIXTURE_TEARDOWN(backend)
{
	cleanup();
	EXPECT_EQ(0, unload_krg());
	EXPECT_EQ(0, krg_insmod("krg"));
	EXPECT_STREQ("numa", krg_rd(K "/backend"));
}

/*
 * /sys/kernel/krg names the backend and its nodes: four, all online, each
 * made of the CPUs of the NUMA node it is emulated over.
 */
TEST_F(backend, sysfs)
{
	char path[96], want[256];

	EXPECT_STREQ("test", krg_rd(K "/backend"));
	EXPECT_STREQ("0-3", krg_rd(K "/nodes_possible"));
	EXPECT_STREQ("0-3", krg_rd(K "/nodes_online"));
	/* This program runs on NUMA node 0: the first node made of it. */
	EXPECT_STREQ("0", krg_rd(K "/local_node"));
	for (int n = 0; n < NR_TEST_NODES; n++) {
		ASSERT_EQ(0, numa_cpulist(numa_of(n), want, sizeof(want)));
		snprintf(path, sizeof(path), K "/node%d/cpulist", n);
		EXPECT_STREQ(want, krg_rd(path)) TH_LOG("node %d", n);
		/* Its memory is its NUMA node's: where migrate(1) moves pages. */
		snprintf(path, sizeof(path), K "/node%d/numa_node", n);
		EXPECT_EQ(numa_of(n), krg_rdll(path)) TH_LOG("node %d", n);
	}
	snprintf(path, sizeof(path), K "/node%d", NR_TEST_NODES);
	EXPECT_FALSE(krg_exists(path));
}

/* Every probe that measures nodes starts under the test backend too. */
TEST_F(backend, probes_start)
{
	char path[256];

	for (unsigned int i = 0; i < NR_NODE_PROBES; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", node_probes[i]);
		int ret = krg_mkdir(path);

		EXPECT_EQ(0, ret) TH_LOG("mkdir %s: %s", path, strerror(-ret));
		if (!ret)
			EXPECT_EQ(0, krg_rmdir(path));
	}
}

/*
 * Each node's CPUs and memory are those of its NUMA node: cpus and
 * connected count them, ram_total is its MemTotal, and a CPU-bound process
 * on NUMA node 1 makes nodes 1 and 3 busy, not 0 and 2.
 */
TEST_F_TIMEOUT(backend, cpu_and_memory, 120)
{
	long long u0 = -1, u1 = -1, u2 = -1, u3 = -1;
	char per_cpu[4096], want[64];
	cpu_set_t set;
	int cpu = -1;

	ASSERT_EQ(0, krg_mkdir(CPU));
	ASSERT_EQ(0, krg_mkdir(MEM));
	ASSERT_EQ(0, krg_mkdir(SPEED));
	for (int n = 0; n < NR_TEST_NODES; n++) {
		ASSERT_EQ(0, numa_cpus(numa_of(n), &set));
		EXPECT_EQ(CPU_COUNT(&set), node_val(CPU, "cpus", n))
			TH_LOG("node %d", n);
		EXPECT_EQ(CPU_COUNT(&set), node_val(SPEED, "connected", n))
			TH_LOG("node %d", n);
		EXPECT_EQ(meminfo_kb(numa_of(n), "MemTotal"),
			  node_val(MEM, "ram_total", n)) TH_LOG("node %d", n);
		EXPECT_LE(0, node_val(MEM, "ram_free", n)) TH_LOG("node %d", n);
	}

	ASSERT_EQ(0, krg_write(CPU "/probe_period", "200"));
	ASSERT_LT(0, spinner(1));
	EXPECT_TRUE(WAIT_FOR((u1 = node_val(CPU, "usage", 1)) > 900 &&
			     (u3 = node_val(CPU, "usage", 3)) > 900, 10))
		TH_LOG("usage: node 1 %lld, node 3 %lld", u1, u3);
	/* This program, on NUMA node 0, mostly sleeps. */
	EXPECT_TRUE(WAIT_FOR((u0 = node_val(CPU, "usage", 0)) >= 0 &&
			     u0 < 300 &&
			     (u2 = node_val(CPU, "usage", 2)) >= 0 &&
			     u2 < 300, 10))
		TH_LOG("usage: node 0 %lld, node 2 %lld", u0, u2);

	/* per_cpu lists NUMA node 1's CPUs under nodes 1 and 3. */
	ASSERT_EQ(0, numa_cpus(1, &set));
	for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
		if (CPU_ISSET(c, &set))
			cpu = c;
	snprintf(per_cpu, sizeof(per_cpu), "%s", krg_rd(CPU "/per_cpu"));
	for (int n = 1; n < NR_TEST_NODES; n += 2) {
		snprintf(want, sizeof(want), "cpu %d node %d usage ", cpu, n);
		EXPECT_NE(NULL, strstr(per_cpu, want)) TH_LOG("%s", per_cpu);
	}
}

static int allow_migration(pid_t pid)
{
	struct krg_caps caps;

	if (krg_caps_get(KRG_TARGET_PID, pid, &caps))
		return -errno;
	caps.effective |= KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE);
	return krg_caps_set(KRG_TARGET_PID, pid, &caps) ? -errno : 0;
}

/*
 * A task migrated to node 3 runs on NUMA node 1's CPUs and is on node 3
 * for the probes (load_probe counts it there, mosix_probe loads node 3),
 * not on node 1, which shares those CPUs; migrated to node 1, it is back
 * on node 1.
 */
TEST_F_TIMEOUT(backend, task_node, 120)
{
	long long v = -1;
	pid_t pid;

	ASSERT_EQ(0, krg_mkdir(LOAD));
	ASSERT_EQ(0, krg_write(LOAD "/probe_period", "100"));
	ASSERT_EQ(0, krg_mkdir(MOSIX));
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "100"));
	pid = spinner(0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, allow_migration(pid));

	ASSERT_EQ(0, krg_migrate(pid, 3, 0)) TH_LOG("migrate: %s",
						   strerror(errno));
	EXPECT_EQ(1, krg_node_of_pid(pid));	/* the first with those CPUs */
	EXPECT_TRUE(WAIT_FOR((v = node_val(LOAD, "active_tasks", 3)) == 1, 5))
		TH_LOG("node 3: active_tasks %lld", v);
	EXPECT_TRUE(WAIT_FOR(llabs(1000 - (v = node_val(MOSIX, "mean_load",
							  3))) <= 200, 10))
		TH_LOG("node 3: mean_load %lld", v);
	EXPECT_TRUE(WAIT_FOR((v = node_val(MOSIX, "mean_load", 1)) >= 0 &&
			     v <= 300, 10))
		TH_LOG("node 1: mean_load %lld", v);

	ASSERT_EQ(0, krg_migrate(pid, 1, 0)) TH_LOG("migrate back: %s",
						   strerror(errno));
	EXPECT_TRUE(WAIT_FOR((v = node_val(LOAD, "active_tasks", 3)) == 0, 5))
		TH_LOG("node 3: active_tasks %lld", v);
	EXPECT_TRUE(WAIT_FOR((v = node_val(LOAD, "active_tasks", 1)) >= 1, 5))
		TH_LOG("node 1: active_tasks %lld", v);
}

TEST_HARNESS_MAIN
