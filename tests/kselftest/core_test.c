// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler core's configfs object model, tested with the test
 * components of tests/kmod (test_probe, test_pass, test_policy): every
 * object's life cycle, every wrong place and order, garbage in every
 * attribute, value flow (push and pull through filters), per-node values,
 * and unprivileged access.
 */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define S	KRG_CFS "/schedulers/s"
#define S2	KRG_CFS "/schedulers/s2"
#define PR	KRG_CFS "/probes/test_probe"
#define POL	S "/test_policy"
#define LINK_DELAY	"/sys/module/krg_scheduler/parameters/test_link_delay_ms"

/* Remove whatever a test left, deepest first; ignore what is not there. */
static void cleanup(void)
{
	static const char *const links[] = {
		POL "/in/value", POL "/in/test_pass/p",
		POL "/in/test_pass/test_pass/p", POL "/aux/value",
		POL "/aux/in", POL "/in/aux", POL "/aux/test_pass",
		POL "/in/load", POL "/in/per_pid", POL "/in/s2",
		POL "/in/ticks", POL "/aux/ticks", POL "/in/test_pass",
	};
	static const char *const dirs[] = {
		POL "/in/test_pass/test_pass", POL "/in/test_pass",
		POL "/aux/test_pass", POL, S2 "/test_policy",
	};
	char path[256];
	unsigned int i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		unlink(links[i]);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		rmdir(dirs[i]);
	snprintf(path, sizeof(path), S "/process_set/single_processes/%d",
		 getpid());
	rmdir(path);
	rmdir(S);
	rmdir(S2);
	rmdir(PR);
	krg_write(LINK_DELAY, "0");
}

FIXTURE(core) {
	int unused;
};

FIXTURE_SETUP(core)
{
	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	cleanup();
}

FIXTURE_TEARDOWN(core)
{
	cleanup();
}

/* A new scheduler has Kerrighed's attributes and process_set layout. */
TEST_F(core, scheduler_layout)
{
	char online[64];

	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(-EEXIST, krg_mkdir(S));
	ASSERT_EQ(0, krg_read("/sys/kernel/krg/nodes_online", online,
			      sizeof(online)));
	EXPECT_STREQ(online, krg_rd(S "/node_set"));
	EXPECT_STREQ("0", krg_rd(S "/node_set_exclusive"));
	EXPECT_STREQ("1", krg_rd(S "/node_set_max_fit"));
	EXPECT_STREQ("idle: no policy", krg_rd(S "/status"));
	EXPECT_STREQ("0", krg_rd(S "/process_set/handle_all"));
	EXPECT_TRUE(krg_exists(S "/process_set/single_processes"));
	EXPECT_TRUE(krg_exists(S "/process_set/process_groups"));
	EXPECT_TRUE(krg_exists(S "/process_set/process_sessions"));
	EXPECT_TRUE(krg_exists(S "/process_set/cgroups"));
	ASSERT_EQ(0, krg_rmdir(S));
	ASSERT_FALSE(krg_exists(S));
}

/* mkdir in the fixed directories is refused: they are not ours to change. */
TEST_F(core, fixed_dirs)
{
	ASSERT_EQ(0, krg_mkdir(S));
	EXPECT_EQ(-EPERM, krg_mkdir(KRG_CFS "/x"));
	EXPECT_EQ(-EPERM, krg_mkdir(S "/process_set/x"));
	EXPECT_EQ(-EPERM, krg_rmdir(S "/process_set"));
	EXPECT_EQ(-EPERM, krg_rmdir(KRG_CFS "/probes"));
	EXPECT_EQ(-EPERM, krg_ln(S, KRG_CFS "/schedulers/l"));
}

/* A probe is autoloaded on mkdir and shows its sources and per-node values. */
TEST_F(core, probe_autoload)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	EXPECT_TRUE(krg_mod_loaded("krg_test_probe"));
	EXPECT_STREQ("(no value yet)", krg_rd(PR "/value/value"));
	EXPECT_STREQ("u64", krg_rd(PR "/value/type"));
	EXPECT_STREQ("u64(pid_t)", krg_rd(PR "/per_pid/type"));
	EXPECT_EQ(0, strncmp("Process 1: 2\n", krg_rd(PR "/per_pid/value"), 13));
	EXPECT_STREQ("(needs a pid_t parameter)",
		     krg_rd(PR "/per_pid/nodes/0/value"));
	ASSERT_EQ(0, krg_write(PR "/set", "42"));
	EXPECT_STREQ("42", krg_rd(PR "/value/value"));
	EXPECT_STREQ("(no value yet)", krg_rd(PR "/value/nodes/1/value"));
	ASSERT_EQ(0, krg_write(PR "/set_node", "1 99"));
	EXPECT_STREQ("99", krg_rd(PR "/value/nodes/1/value"));
	EXPECT_STREQ("1000", krg_rd(PR "/probe_period"));
	/* The module is pinned while the probe exists, free after. */
	EXPECT_EQ(-EWOULDBLOCK, krg_rmmod("krg_test_probe"));
	ASSERT_EQ(0, krg_rmdir(PR));
	EXPECT_EQ(0, krg_rmmod("krg_test_probe"));
}

/*
 * The core gives a probe with a pid_t source pid and pid_value (test_probe's
 * per_pid is 2 * pid) and a periodic probe cost_ns, which grows.
 */
TEST_F(core, probe_core_attrs)
{
	char s[32], want[32];
	long long c0;

	ASSERT_EQ(0, krg_mkdir(PR));
	EXPECT_STREQ("(none)", krg_rd(PR "/pid"));
	snprintf(s, sizeof(s), "%d", getpid());
	ASSERT_EQ(0, krg_write(PR "/pid", s));
	EXPECT_STREQ(s, krg_rd(PR "/pid"));
	snprintf(want, sizeof(want), "%lld", 2LL * getpid());
	EXPECT_STREQ(want, krg_rd(PR "/pid_value"));
	c0 = krg_rdll(PR "/cost_ns");
	EXPECT_LE(0, c0);
	ASSERT_EQ(0, krg_write(PR "/probe_period", "50"));
	EXPECT_TRUE(WAIT_FOR(krg_rdll(PR "/cost_ns") > c0, 5));
	EXPECT_EQ(-EACCES, krg_write(PR "/cost_ns", "0"));
}

/* Unknown or malformed type names are ENOENT, wherever they are made. */
TEST_F(core, unknown_types)
{
	EXPECT_EQ(-ENOENT, krg_mkdir(KRG_CFS "/probes/no_such_probe"));
	EXPECT_EQ(-ENOENT, krg_mkdir(KRG_CFS "/probes/bad name!"));
	ASSERT_EQ(0, krg_mkdir(S));
	EXPECT_EQ(-ENOENT, krg_mkdir(S "/no_such_policy"));
	ASSERT_EQ(0, krg_mkdir(POL));
	EXPECT_EQ(-ENOENT, krg_mkdir(POL "/in/no_such_filter"));
	/* A probe type is not a policy type and the reverse. */
	EXPECT_EQ(-ENOENT, krg_mkdir(POL "/in/test_policy"));
	EXPECT_EQ(-ENOENT, krg_mkdir(KRG_CFS "/probes/test_policy"));
}

/* One policy per scheduler; its ports and stats are there. */
TEST_F(core, one_policy)
{
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	EXPECT_STREQ("active: policy test_policy", krg_rd(S "/status"));
	EXPECT_EQ(-EBUSY, krg_mkdir(S "/test_policy2"));
	EXPECT_TRUE(krg_exists(POL "/in/collected_value"));
	EXPECT_STREQ("u64", krg_rd(POL "/in/type"));
	EXPECT_STREQ("(not connected)", krg_rd(POL "/in/collected_value"));
	EXPECT_EQ(0, strncmp("placements 0\n", krg_rd(POL "/stats"), 13));
	/* The scheduler cannot go while it has a policy. */
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(S));
	ASSERT_EQ(0, krg_rmdir(POL));
	EXPECT_STREQ("idle: no policy", krg_rd(S "/status"));
}

/* ln -s connects a port to a probe source; the types must match. */
TEST_F(core, links)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_write(PR "/set", "5"));
	ASSERT_EQ(0, krg_ln(PR "/value", POL "/in/value"));
	EXPECT_STREQ("5", krg_rd(POL "/in/collected_value"));
	/* A port takes one source. */
	EXPECT_EQ(-EBUSY, krg_ln(PR "/ticks", POL "/in/ticks"));
	EXPECT_EQ(-EBUSY, krg_mkdir(POL "/in/test_pass"));
	/* Types: "load" and "u64(pid_t)" are not "u64". */
	EXPECT_EQ(-EINVAL, krg_ln(PR "/load", POL "/aux/load"));
	EXPECT_EQ(-EINVAL, krg_ln(PR "/per_pid", POL "/aux/per_pid"));
	/* Not a source at all. */
	ASSERT_EQ(0, krg_mkdir(S2));
	EXPECT_EQ(-EINVAL, krg_ln(S2, POL "/aux/s2"));
	/* Links are made in ports only. */
	EXPECT_EQ(-EPERM, krg_ln(PR "/value", S "/value"));
	EXPECT_EQ(-EPERM, krg_ln(PR "/value", POL "/value"));
	/* Linked items cannot go. */
	EXPECT_EQ(-EBUSY, krg_rmdir(PR));
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(POL));
	ASSERT_EQ(0, krg_unlink(POL "/in/value"));
	EXPECT_STREQ("(not connected)", krg_rd(POL "/in/collected_value"));
	ASSERT_EQ(0, krg_rmdir(POL));
	ASSERT_EQ(0, krg_rmdir(PR));
}

/* ln -s @target @link in a child; returns its pid (exit status: -errno). */
static pid_t ln_in_child(const char *target, const char *link)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(-krg_ln(target, link));
	return pid;
}

static int ln_child_result(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return INT_MIN;
	return -WEXITSTATUS(status);
}

/* Is @pid's kernel stack in @fn? (It sleeps there, held by the knob.) */
static bool in_kernel_fn(pid_t pid, const char *fn)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	return !krg_read(path, buf, sizeof(buf)) && strstr(buf, fn);
}

/* Wait (up to about 20 s) until @pid sleeps in @fn. */
static bool wait_in_kernel_fn(pid_t pid, const char *fn)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (in_kernel_fn(pid, fn))
			return true;
		usleep(10 * 1000);
	}
	return false;
}

/* Has child @pid exited (without reaping it)? */
static bool child_done(pid_t pid)
{
	siginfo_t si = { 0 };

	return !waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid == pid;
}

#define NOT_CONNECTED	"(error -61)"	/* -ENODATA */

/*
 * Test that a link made while its target is removed never leaves a port
 * connected to a probe whose exit() ran. configfs calls allow_link before
 * it checks that the target is being dropped; the core's test knob holds
 * ln -s in allow_link (before and after connecting) so that the rmdir runs
 * inside that window. test_probe WARNs if anything reads it after exit().
 * (Reads go through test_policy's pull: the port's own directory is locked
 * while ln -s runs.)
 */
TEST_F(core, link_races_rmdir_of_target)
{
	pid_t ln;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_write(PR "/set", "5"));
	ASSERT_EQ(0, krg_write(LINK_DELAY, "1000"));

	/* The probe goes before the port connects: the link is refused. */
	ln = ln_in_child(PR "/value", POL "/in/value");
	ASSERT_LT(0, ln);
	ASSERT_TRUE(wait_in_kernel_fn(ln, "krg_port_link"));
	EXPECT_EQ(0, krg_rmdir(PR));
	while (!child_done(ln)) {
		EXPECT_STREQ(NOT_CONNECTED, krg_rd(POL "/pull"));
		usleep(20 * 1000);
	}
	EXPECT_EQ(-ENOENT, ln_child_result(ln));
	EXPECT_STREQ(NOT_CONNECTED, krg_rd(POL "/pull"));

	/* The probe goes after the port connected: its drop disconnects it. */
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_write(PR "/set", "6"));
	ln = ln_in_child(PR "/value", POL "/in/value");
	ASSERT_LT(0, ln);
	while (!strcmp(krg_rd(POL "/pull"), NOT_CONNECTED) && !child_done(ln))
		usleep(10 * 1000);
	EXPECT_STREQ("6", krg_rd(POL "/pull"));
	EXPECT_EQ(0, krg_rmdir(PR));
	EXPECT_STREQ(NOT_CONNECTED, krg_rd(POL "/pull"));
	EXPECT_EQ(-ENOENT, ln_child_result(ln));
	EXPECT_STREQ(NOT_CONNECTED, krg_rd(POL "/pull"));
	EXPECT_EQ(0, krg_write(LINK_DELAY, "0"));

	/* Nothing is left half-made: the same link works now. */
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_write(PR "/set", "7"));
	ASSERT_EQ(0, krg_ln(PR "/value", POL "/in/value"));
	EXPECT_STREQ("7", krg_rd(POL "/pull"));
}

/*
 * Test that links racing with the removal of the port's policy never
 * connect that policy again: test_policy WARNs if the core calls it after
 * exit(). (The window is configfs resolving the target with no lock held,
 * which no knob can widen: this is a stress loop.)
 */
TEST_F_TIMEOUT(core, link_races_rmdir_of_port_owner, 600)
{
	/* 200 rounds; 50 on the debug kernel, 12x slower (one timed out). */
	int rounds = krg_debug_kernel() ? 50 : 200, i, ret;
	pid_t ln;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, krg_mkdir(POL));
		ln = ln_in_child(PR "/value", POL "/in/value");
		ASSERT_LT(0, ln);
		usleep(i % 10 * 100);
		while ((ret = krg_rmdir(POL)) == -ENOTEMPTY)
			krg_unlink(POL "/in/value");
		ASSERT_EQ(0, ret);
		/* A push would reach the removed policy if its port connected. */
		EXPECT_EQ(0, krg_write(PR "/set", "8"));
		ret = ln_child_result(ln);
		EXPECT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("ln: %d", ret);
		EXPECT_EQ(0, krg_write(PR "/set", "9"));
	}
}

/* A port may link to another port and to a filter; loops are refused. */
TEST_F(core, port_and_filter_links)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_write(PR "/set", "8"));
	ASSERT_EQ(0, krg_mkdir(POL "/in/test_pass"));
	ASSERT_EQ(0, krg_ln(PR "/value", POL "/in/test_pass/p"));
	/* aux reads what in reads, through in. */
	ASSERT_EQ(0, krg_ln(POL "/in", POL "/aux/in"));
	EXPECT_STREQ("8", krg_rd(POL "/aux/collected_value"));
	/* in cannot read aux: aux reads in. */
	ASSERT_EQ(0, krg_unlink(POL "/in/test_pass/p"));
	EXPECT_EQ(-ELOOP, krg_ln(POL "/aux", POL "/in/test_pass/aux"));
	ASSERT_EQ(0, krg_unlink(POL "/aux/in"));
	/* A filter can be shared by linking to it. */
	ASSERT_EQ(0, krg_ln(PR "/value", POL "/in/test_pass/p"));
	ASSERT_EQ(0, krg_ln(POL "/in/test_pass", POL "/aux/test_pass"));
	EXPECT_STREQ("8", krg_rd(POL "/aux/collected_value"));
	EXPECT_EQ(-EBUSY, krg_rmdir(POL "/in/test_pass"));
	ASSERT_EQ(0, krg_unlink(POL "/aux/test_pass"));
}

/* A pushed value reaches the policy through two filters; pull agrees. */
TEST_F(core, value_flow)
{
	char *p;

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_mkdir(POL "/in/test_pass"));
	ASSERT_EQ(0, krg_mkdir(POL "/in/test_pass/test_pass"));
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(POL "/in/test_pass"));
	EXPECT_STREQ("(no data)", krg_rd(POL "/in/collected_value"));
	ASSERT_EQ(0, krg_ln(PR "/value", POL "/in/test_pass/test_pass/p"));
	EXPECT_STREQ("(no value yet)", krg_rd(POL "/in/collected_value"));
	EXPECT_STREQ("in 0 aux 0 node_sets 0", krg_rd(POL "/updates"));
	ASSERT_EQ(0, krg_write(PR "/set", "1234"));
	EXPECT_STREQ("in 1 aux 0 node_sets 0", krg_rd(POL "/updates"));
	EXPECT_STREQ("1234", krg_rd(POL "/last"));
	EXPECT_STREQ("1234", krg_rd(POL "/in/collected_value"));
	EXPECT_STREQ("1234", krg_rd(POL "/in/test_pass/value"));
	EXPECT_STREQ("1234", krg_rd(POL "/in/test_pass/collected_value"));
	ASSERT_EQ(0, krg_write(PR "/set", "18446744073709551615"));
	EXPECT_STREQ("in 2 aux 0 node_sets 0", krg_rd(POL "/updates"));
	EXPECT_STREQ("18446744073709551615", krg_rd(POL "/in/collected_value"));
	/* A disconnected chain no longer pushes. */
	ASSERT_EQ(0, krg_unlink(POL "/in/test_pass/test_pass/p"));
	ASSERT_EQ(0, krg_write(PR "/set", "1"));
	p = strdup(krg_rd(POL "/updates"));
	EXPECT_STREQ("in 2 aux 0 node_sets 0", p);
	free(p);
}

/* Periodic probes publish every probe_period. */
TEST_F(core, periodic_push)
{
	char first[32];

	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_write(PR "/probe_period", "50"));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_ln(PR "/ticks", POL "/aux/ticks"));
	strcpy(first, krg_rd(POL "/updates"));
	usleep(600 * 1000);
	EXPECT_STRNE(first, krg_rd(POL "/updates"));
}

/* probe_period accepts 10..3600000 ms and nothing else. */
TEST_F(core, probe_period_garbage)
{
	static const char *const bad[] = {
		"", "abc", "-1", "0", "9", "3600001", "99999999999999999999",
		"1.5", "0x", "10 20",
	};
	unsigned int i;

	ASSERT_EQ(0, krg_mkdir(PR));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, krg_write(PR "/probe_period", bad[i]))
			TH_LOG("probe_period accepted '%s'", bad[i]);
		EXPECT_STREQ("1000", krg_rd(PR "/probe_period"));
	}
	EXPECT_EQ(0, krg_write(PR "/probe_period", "10"));
	EXPECT_EQ(0, krg_write(PR "/probe_period", "3600000\n"));
	EXPECT_STREQ("3600000", krg_rd(PR "/probe_period"));
}

/* node_set takes a list of online nodes; garbage leaves it unchanged. */
TEST_F(core, node_set_garbage)
{
	char big[8192];
	static const char *const bad[] = {
		"", "\n", "abc", "-1", "0-", "1-0", "256", "99999999999",
		"0,,1", "0;1", "0-1-2", "255",
	};
	unsigned int i;

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_write(S "/node_set", "0"));
	EXPECT_STREQ("0", krg_rd(S "/node_set_max_fit"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, krg_write(S "/node_set", bad[i]))
			TH_LOG("node_set accepted '%s'", bad[i]);
		EXPECT_STREQ("0", krg_rd(S "/node_set"));
	}
	EXPECT_NE(0, krg_write(S "/node_set", big));
	EXPECT_STREQ("0", krg_rd(S "/node_set"));
	EXPECT_EQ(0, krg_write(S "/node_set", "0-1\n"));
	EXPECT_STREQ("0-1", krg_rd(S "/node_set"));
	for (i = 0; i < 4; i++) {
		static const char *const b[] = { "2", "yes please", "-1", "" };

		EXPECT_NE(0, krg_write(S "/node_set_exclusive", b[i]));
		EXPECT_NE(0, krg_write(S "/node_set_max_fit", b[i]));
	}
	EXPECT_STREQ("0", krg_rd(S "/node_set_exclusive"));
	EXPECT_STREQ("0", krg_rd(S "/node_set_max_fit"));
	EXPECT_EQ(-EACCES, krg_write(S "/status", "x"));
}

/* An exclusive scheduler shares its nodes with no other scheduler. */
TEST_F(core, exclusive)
{
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(S2));
	/* Both hold every node: neither can be exclusive. */
	EXPECT_EQ(-EBUSY, krg_write(S "/node_set_exclusive", "1"));
	ASSERT_EQ(0, krg_write(S "/node_set", "0"));
	ASSERT_EQ(0, krg_write(S2 "/node_set", "1"));
	ASSERT_EQ(0, krg_write(S "/node_set_exclusive", "1"));
	EXPECT_EQ(-EBUSY, krg_write(S2 "/node_set", "0-1"));
	EXPECT_STREQ("1", krg_rd(S2 "/node_set"));
	/* max_fit takes the nodes that are left. */
	ASSERT_EQ(0, krg_write(S2 "/node_set_max_fit", "1"));
	EXPECT_STREQ("1", krg_rd(S2 "/node_set"));
	/* An exclusive max_fit scheduler takes the nodes nobody holds. */
	ASSERT_EQ(0, krg_write(S "/node_set_max_fit", "1"));
	EXPECT_STREQ("0", krg_rd(S "/node_set"));
	ASSERT_EQ(0, krg_write(S "/node_set_exclusive", "0"));
	ASSERT_EQ(0, krg_write(S2 "/node_set_max_fit", "1"));
	EXPECT_STREQ("0-1", krg_rd(S2 "/node_set"));
}

/* Node 1's only CPU, for taking the node offline; -1 if it has several. */
static int node1_cpu(void)
{
	char list[64];
	char *end;
	long cpu;

	if (krg_read("/sys/kernel/krg/node1/cpulist", list, sizeof(list)))
		return -1;
	cpu = strtol(list, &end, 10);
	return *end ? -1 : (int)cpu;
}

/*
 * Test that hotplug keeps exclusive node sets exclusive: a node coming back
 * online goes to the first exclusive max_fit scheduler, never to it and to
 * a non-exclusive max_fit scheduler listed before it.
 */
TEST_F(core, exclusive_hotplug)
{
	char online[64];
	int cpu = node1_cpu();

	if (cpu < 0)
		SKIP(return, "node 1 has several CPUs");
	snprintf(online, sizeof(online), "/sys/devices/system/cpu/cpu%d/online",
		 cpu);
	if (!krg_exists(online))
		SKIP(return, "CPU %d cannot go offline", cpu);

	/* s2 (listed first) follows hotplug; s is exclusive on node 0. */
	ASSERT_EQ(0, krg_mkdir(S2));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_write(S "/node_set", "0"));
	ASSERT_EQ(0, krg_write(S2 "/node_set", "1"));
	ASSERT_EQ(0, krg_write(S "/node_set_exclusive", "1"));
	ASSERT_EQ(0, krg_write(S2 "/node_set_max_fit", "1"));
	EXPECT_STREQ("1", krg_rd(S2 "/node_set"));

	ASSERT_EQ(0, krg_write(online, "0"));
	ASSERT_TRUE(WAIT_FOR(!strcmp(krg_rd("/sys/kernel/krg/nodes_online"), "0"),
			     5));
	EXPECT_STREQ("", krg_rd(S2 "/node_set"));
	EXPECT_STREQ("0", krg_rd(S "/node_set"));
	/* Now s follows hotplug too. */
	EXPECT_EQ(0, krg_write(S "/node_set_max_fit", "1"));

	ASSERT_EQ(0, krg_write(online, "1"));
	ASSERT_TRUE(WAIT_FOR(!strcmp(krg_rd("/sys/kernel/krg/nodes_online"), "0-1"),
			     5));
	EXPECT_STREQ("0-1", krg_rd(S "/node_set"));
	EXPECT_STREQ("", krg_rd(S2 "/node_set"));
	EXPECT_STREQ("1", krg_rd(S "/node_set_exclusive"));

	/* Leaving exclusivity: s2 takes what is online again. */
	ASSERT_EQ(0, krg_write(S "/node_set_exclusive", "0"));
	ASSERT_EQ(0, krg_write(S2 "/node_set_max_fit", "1"));
	EXPECT_STREQ("0-1", krg_rd(S2 "/node_set"));
}

/* The policy hears about node set changes. */
TEST_F(core, update_node_set)
{
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_write(S "/node_set", "1"));
	EXPECT_STREQ("in 0 aux 0 node_sets 1", krg_rd(POL "/updates"));
	EXPECT_NE(0, krg_write(S "/node_set", "junk"));
	EXPECT_STREQ("in 0 aux 0 node_sets 1", krg_rd(POL "/updates"));
}

/* handle_all and explicit members exclude each other (EPERM). */
TEST_F(core, handle_all)
{
	char path[256];

	ASSERT_EQ(0, krg_mkdir(S));
	EXPECT_NE(0, krg_write(S "/process_set/handle_all", "maybe"));
	EXPECT_NE(0, krg_write(S "/process_set/handle_all", ""));
	snprintf(path, sizeof(path), S "/process_set/single_processes/%d",
		 getpid());
	ASSERT_EQ(0, krg_mkdir(path));
	EXPECT_EQ(-EPERM, krg_write(S "/process_set/handle_all", "1"));
	ASSERT_EQ(0, krg_rmdir(path));
	ASSERT_EQ(0, krg_write(S "/process_set/handle_all", "1"));
	EXPECT_STREQ("1", krg_rd(S "/process_set/handle_all"));
	EXPECT_EQ(-EPERM, krg_mkdir(path));
	ASSERT_EQ(0, krg_write(S "/process_set/handle_all", "0"));
}

/* Members name live processes, groups and sessions by number. */
TEST_F(core, members)
{
	static const char *const bad[] = { "abc", "0", "-5", "1x", "", "99999999999" };
	char path[256];
	unsigned int i;

	ASSERT_EQ(0, krg_mkdir(S));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), S "/process_set/single_processes/%s",
			 bad[i]);
		if (bad[i][0])
			EXPECT_EQ(-EINVAL, krg_mkdir(path)) TH_LOG("member '%s'", bad[i]);
	}
	/* pid_max is at most 4194304: this one cannot exist. */
	EXPECT_EQ(-ESRCH, krg_mkdir(S "/process_set/single_processes/4194305"));
	EXPECT_EQ(-ESRCH, krg_mkdir(S "/process_set/process_groups/4194305"));
	snprintf(path, sizeof(path), S "/process_set/process_groups/%d",
		 getpgrp());
	ASSERT_EQ(0, krg_mkdir(path));
	EXPECT_EQ(-EEXIST, krg_mkdir(path));
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(S));
	ASSERT_EQ(0, krg_rmdir(path));
	snprintf(path, sizeof(path), S "/process_set/process_sessions/%d",
		 getsid(0));
	ASSERT_EQ(0, krg_mkdir(path));
	ASSERT_EQ(0, krg_rmdir(path));
}

/* cgroups/<name> resolves a cgroup v2 path; path re-targets it. */
TEST_F(core, cgroup_members)
{
	ASSERT_EQ(0, access("/sys/fs/cgroup/cgroup.procs", F_OK));
	mkdir("/sys/fs/cgroup/krgjobs", 0755);
	mkdir("/sys/fs/cgroup/krgjobs/c1", 0755);
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(S "/process_set/cgroups/krgjobs"));
	EXPECT_STREQ("/krgjobs", krg_rd(S "/process_set/cgroups/krgjobs/path"));
	ASSERT_EQ(0, krg_mkdir(S "/process_set/cgroups/c1"));
	EXPECT_STREQ("", krg_rd(S "/process_set/cgroups/c1/path"));
	EXPECT_EQ(-ENOENT, krg_write(S "/process_set/cgroups/c1/path", "/nope"));
	EXPECT_EQ(-EINVAL, krg_write(S "/process_set/cgroups/c1/path", "krgjobs"));
	EXPECT_EQ(0, krg_write(S "/process_set/cgroups/c1/path", "/krgjobs/c1\n"));
	EXPECT_STREQ("/krgjobs/c1", krg_rd(S "/process_set/cgroups/c1/path"));
	ASSERT_EQ(0, krg_rmdir(S "/process_set/cgroups/c1"));
	ASSERT_EQ(0, krg_rmdir(S "/process_set/cgroups/krgjobs"));
	rmdir("/sys/fs/cgroup/krgjobs/c1");
	rmdir("/sys/fs/cgroup/krgjobs");
}

/* Names too long for the core are refused. */
TEST_F(core, long_names)
{
	char path[512];
	char name[200];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(path, sizeof(path), KRG_CFS "/schedulers/%s", name);
	EXPECT_EQ(-ENAMETOOLONG, krg_mkdir(path));
	snprintf(path, sizeof(path), KRG_CFS "/probes/%s", name);
	EXPECT_EQ(-ENOENT, krg_mkdir(path));
}

/* A child that spins until killed; with CAN_MIGRATE when @can_migrate. */
static pid_t spinner(bool can_migrate)
{
	struct krg_caps c;
	int sync[2];
	pid_t pid;
	char x;

	if (pipe(sync))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (can_migrate && !krg_caps_get(KRG_TARGET_SELF, 0, &c)) {
			c.effective |= 1U << KRG_CAP_CAN_MIGRATE;
			krg_caps_set(KRG_TARGET_SELF, 0, &c);
		}
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			;
	}
	if (read(sync[0], &x, 1) != 1)
		pid = -1;
	close(sync[0]);
	close(sync[1]);
	return pid;
}

/* Migrations a policy asks for are checked by the core and recorded. */
TEST_F(core, policy_migrate)
{
	char req[64], buf[1024];
	pid_t no, yes;

	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	no = spinner(false);
	yes = spinner(true);
	ASSERT_GT(no, 0);
	ASSERT_GT(yes, 0);
	snprintf(req, sizeof(req), "%d 1", no);
	EXPECT_EQ(-EACCES, krg_write(POL "/migrate", req));
	ASSERT_EQ(0, krg_write(S "/node_set", "0"));
	snprintf(req, sizeof(req), "%d 1", yes);
	EXPECT_EQ(-EINVAL, krg_write(POL "/migrate", req));
	ASSERT_EQ(0, krg_write(S "/node_set", "0-1"));
	EXPECT_EQ(0, krg_write(POL "/migrate", req));
	ASSERT_EQ(0, krg_read(POL "/stats", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "migrations 1\n"));
	EXPECT_NE(NULL, strstr(buf, "migrations_refused 2\n"));
	snprintf(req, sizeof(req), "last_refusal -EINVAL pid %d node 1", yes);
	EXPECT_NE(NULL, strstr(buf, req)) TH_LOG("stats: %s", buf);
	kill(no, SIGKILL);
	kill(yes, SIGKILL);
	waitpid(no, NULL, 0);
	waitpid(yes, NULL, 0);
}

static int user_try(void *arg)
{
	char buf[256];
	int ret = 0;

	(void)arg;
	if (krg_read(S "/status", buf, sizeof(buf)) ||
	    krg_read(POL "/stats", buf, sizeof(buf)))
		ret |= 1;
	if (mkdir(KRG_CFS "/schedulers/u", 0755) == 0 || errno != EACCES)
		ret |= 2;
	if (krg_write(S "/node_set", "0") != -EACCES)
		ret |= 4;
	if (rmdir(S) == 0 || errno != EACCES)
		ret |= 8;
	if (symlink(PR "/value", POL "/in/value") == 0 || errno != EACCES)
		ret |= 16;
	if (mkdir(KRG_CFS "/probes/test_probe2", 0755) == 0 || errno != EACCES)
		ret |= 32;
	return ret;
}

/* Unprivileged users can read the tree but not change it. */
TEST_F(core, unprivileged)
{
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_try, NULL));
	EXPECT_TRUE(krg_exists(S));
}

TEST_HARNESS_MAIN
