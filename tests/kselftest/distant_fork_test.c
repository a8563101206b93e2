// SPDX-License-Identifier: GPL-2.0
/*
 * Distant fork with the test placement hook (krg_test_placement): a parent
 * with DISTANT_FORK effective has its children started on the node the hook
 * answers; without it the hook is not asked; "no decision", an offline or
 * an invalid node leave the child alone; threads are not placed; and the
 * hook can come and go while processes fork.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"
#include <krg.h>

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)
#define ALL		(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | \
			 B(CHECKPOINTABLE))
#define TP		"/sys/module/krg_test_placement/parameters/"

/* Our own sets: effective and inheritable effective = @e. */
static int set_self(int fd, __u32 e)
{
	return krg_set_caps4(fd, KRG_TARGET_SELF, 0, ALL, e, ALL, e);
}

static int migrate_self(int fd, int node)
{
	return krg_migrate_pid(fd, getpid(), node, 0);
}

static int set_answer(int node)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", node);
	return krg_write(TP "node", buf);
}

static long calls(void)
{
	char buf[32];

	if (krg_read(TP "calls", buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

static void node_cpulist(int node, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist", node);
	if (krg_read(path, buf, len))
		buf[0] = '\0';
}

static int self_allowed_list(char *buf, size_t len)
{
	char line[256];
	FILE *f;
	int ret = -1;

	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Cpus_allowed_list: %63s", buf) == 1) {
			ret = 0;
			break;
		}
	fclose(f);
	(void)len;
	return ret;
}

/*
 * Fork a child that reports the CPUs it may run on as soon as it runs:
 * what the kernel gave it before it executed any of its own code.
 */
static int child_allowed(char *buf, size_t len)
{
	int pipefd[2], status;
	char got[64] = "";
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (self_allowed_list(got, sizeof(got)))
			_exit(1);
		n = write(pipefd[1], got, strlen(got) + 1);
		_exit(n > 0 ? 0 : 2);
	}
	close(pipefd[1]);
	n = read(pipefd[0], buf, len);
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status || n <= 0)
		return -1;
	return 0;
}

static int nodes_online(void)
{
	char buf[64];
	int a, b;

	if (krg_read("/sys/kernel/krg/nodes_online", buf, sizeof(buf)))
		return 0;
	if (sscanf(buf, "%d-%d", &a, &b) == 2)
		return b - a + 1;
	return 1;
}

FIXTURE(df) {
	int fd;
	char all[64];
};

FIXTURE_SETUP(df)
{
	int ret;

	/* The core registers its own hook: ours needs the place. */
	krg_unload_core();
	ret = krg_need("krg");
	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	ret = krg_need("krg_test_placement");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_test_placement: %s",
				 strerror(-ret));
	ASSERT_EQ(0, set_answer(KRG_NODE_NONE));
	self->fd = krg_dev();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, self_allowed_list(self->all, sizeof(self->all)));
	if (nodes_online() < 3)
		SKIP(return, "needs 3 online nodes");
}

FIXTURE_TEARDOWN(df)
{
	set_answer(KRG_NODE_NONE);
	close(self->fd);
}

/* With DISTANT_FORK, children start confined to the node the hook answers. */
TEST_F(df, placed)
{
	char want[64], got[64];
	long before;

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	for (int node = 0; node < 3; node++) {
		ASSERT_EQ(0, set_answer(node));
		node_cpulist(node, want, sizeof(want));
		before = calls();
		for (int i = 0; i < 5; i++) {
			ASSERT_EQ(0, child_allowed(got, sizeof(got)));
			EXPECT_STREQ(want, got) TH_LOG("node %d", node);
		}
		EXPECT_EQ(before + 5, calls());
	}
	/* The parent itself did not move. */
	ASSERT_EQ(0, self_allowed_list(got, sizeof(got)));
	EXPECT_STREQ(self->all, got);
}

/*
 * Both ways of placing: the parent already runs on the chosen node (the
 * child is confined in the fork hook itself) or not (the child confines
 * itself before it returns to user space).
 */
TEST_F(df, placed_same_and_other_node)
{
	char want[64], got[64];

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(CAN_MIGRATE) |
				      B(DISTANT_FORK)));
	ASSERT_EQ(0, migrate_self(self->fd, 2));
	node_cpulist(2, want, sizeof(want));
	ASSERT_EQ(0, self_allowed_list(got, sizeof(got)));
	ASSERT_STREQ(want, got);

	ASSERT_EQ(0, set_answer(2));
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_STREQ(want, got);

	ASSERT_EQ(0, set_answer(1));
	node_cpulist(1, want, sizeof(want));
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

/* A parent that set its affinity itself (sched_setaffinity) is placed too. */
TEST_F(df, placed_user_affinity)
{
	char want[64], got[64];
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(1));
	node_cpulist(1, want, sizeof(want));
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

/* The hook sees the child's inherited sets, not the defaults. */
TEST_F(df, hook_sees_child_caps)
{
	__u32 e = CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK);
	char got[64];

	ASSERT_EQ(0, set_self(self->fd, e));
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_EQ(e, (__u32)krg_rdll(TP "child_effective"));
}

/* Without DISTANT_FORK the hook is not even asked. */
TEST_F(df, not_asked)
{
	char got[64];
	long before;

	ASSERT_EQ(0, set_answer(1));
	before = calls();
	/* Defaults (no entry), then non-default sets without it. */
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_STREQ(self->all, got);
	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(CAN_MIGRATE)));
	ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	EXPECT_STREQ(self->all, got);
	EXPECT_EQ(before, calls());
}

/* "No decision", an offline node and an invalid id leave the child alone. */
TEST_F(df, ignored_answers)
{
	static const int answers[] = { KRG_NODE_NONE, 255, 4, 256, 1000, -7 };
	char got[64];
	long before;

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		ASSERT_EQ(0, set_answer(answers[i]));
		before = calls();
		ASSERT_EQ(0, child_allowed(got, sizeof(got)));
		EXPECT_STREQ(self->all, got) TH_LOG("answer %d", answers[i]);
		EXPECT_EQ(before + 1, calls());
	}
}

static void *thread_allowed(void *arg)
{
	if (self_allowed_list(arg, 64))
		strcpy(arg, "?");
	return NULL;
}

/* New threads are not placed: distant fork is about processes. */
TEST_F(df, threads_not_placed)
{
	char got[64];
	long before;
	pthread_t t;

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(1));
	before = calls();
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_allowed, got));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_STREQ(self->all, got);
	EXPECT_EQ(before, calls());
}

/* Grandchildren inherit DISTANT_FORK and are placed as well. */
TEST_F(df, grandchildren)
{
	char want[64], got[64] = "";
	int pipefd[2], status;
	pid_t pid;

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(2));
	node_cpulist(2, want, sizeof(want));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		char buf[64];

		if (child_allowed(buf, sizeof(buf)))
			_exit(1);
		_exit(write(pipefd[1], buf, strlen(buf) + 1) > 0 ? 0 : 2);
	}
	ASSERT_LT(0, pid);
	close(pipefd[1]);
	ASSERT_LT(0, read(pipefd[0], got, sizeof(got)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_STREQ(want, got);
}

static int forker(int fd)
{
	time_t end = time(NULL) + 60;
	pid_t pid;

	if (set_self(fd, CHANGE | B(DISTANT_FORK)))
		return 1;
	for (;;) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			return 2;
		if (getppid() == 1 || time(NULL) > end)
			return 0;
	}
}

/*
 * The hook module can be unloaded and loaded while processes fork. (Fewer
 * cycles on the debug kernel, where a module load under KASAN takes
 * seconds: 20 did not fit the 30 s default timeout there.)
 */
TEST_F_TIMEOUT(df, unload_while_forking, 240)
{
	enum { FORKERS = 4 };
	const int cycles = krg_debug_kernel() ? 6 : 20;
	pid_t pids[FORKERS];
	int i, status, ret, bad = 0;

	ASSERT_EQ(0, krg_write(TP "delay_us", "50"));
	ASSERT_EQ(0, set_answer(1));
	for (i = 0; i < FORKERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(forker(self->fd));
	}
	for (i = 0; i < cycles; i++) {
		usleep(20000);
		ret = krg_rmmod("krg_test_placement");
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: rmmod: %s", i,
					 strerror(-ret));
		usleep(5000);
		ret = krg_insmod_args("krg_test_placement",
				  i % 2 ? "node=2 delay_us=50" : "node=0");
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: insmod: %s", i,
					 strerror(-ret));
	}
	for (i = 0; i < FORKERS; i++) {
		kill(pids[i], SIGKILL);
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFSIGNALED(status) && (!WIFEXITED(status) ||
					     WEXITSTATUS(status)))
			bad++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, krg_write(TP "delay_us", "0"));
}

/* krg.ko itself unloads once the forks that it placed are done. */
TEST_F(df, unload_krg)
{
	char got[64];
	int ret = -EBUSY;

	ASSERT_EQ(0, set_self(self->fd, CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(1));
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(0, child_allowed(got, sizeof(got)));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, krg_rmmod("krg_test_placement"));
	for (int i = 0; i < 100 && ret; i++) {
		ret = krg_rmmod("krg");
		if (ret)
			usleep(10000);
	}
	EXPECT_EQ(0, ret) TH_LOG("rmmod krg: %s", strerror(-ret));
	EXPECT_EQ(0, krg_insmod("krg"));
}

TEST_HARNESS_MAIN
