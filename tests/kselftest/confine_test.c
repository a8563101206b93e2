// SPDX-License-Identifier: GPL-2.0
/*
 * Confinement: no move takes a task outside what sched_setaffinity() would
 * allow it. A process in a cgroup v2 cpuset limited to node 0's CPUs: the
 * migrate tool refuses to take it to node 1, naming its cpuset (for its
 * user and for root); the raw KRG_IOC_MIGRATE refuses (EPERM), and so
 * does a policy's krg_migrate() (EBUSY); a distant fork from it is not
 * placed outside it. A SCHED_DEADLINE task and a node whose CPUs are
 * isolated (a cpuset partition) count as pinned. A process in the root
 * cpuset still moves (with the tool and the ioctl).
 */
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"
#include <krg.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE	6
#endif

/* The sched_setattr(2) argument (glibc has no wrapper). */
struct krg_sched_attr {
	__u32 size;
	__u32 sched_policy;
	__u64 sched_flags;
	__s32 sched_nice;
	__u32 sched_priority;
	__u64 sched_runtime;
	__u64 sched_deadline;
	__u64 sched_period;
};

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)
#define ALL		(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | \
			 B(CHECKPOINTABLE))
#define CG		"/sys/fs/cgroup"
#define CONF		CG "/krgconf"
#define ISO		CG "/krgiso"
#define TP		"/sys/module/krg_test_placement/parameters/"
#define MIGRATE		"/krg/tools/migrate"

static int set_caps(int fd, pid_t pid, __u32 e)
{
	return krg_set_caps4(fd, pid ? KRG_TARGET_PID : KRG_TARGET_SELF, pid,
			     ALL, e, ALL, e);
}

static int migrate_ioctl(pid_t pid, int node)
{
	int fd = krg_dev(), ret;

	if (fd < 0)
		return -errno;
	ret = krg_migrate_pid(fd, pid, node, 0);
	close(fd);
	return ret;
}

static void node_cpulist(int node, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist", node);
	if (krg_read(path, buf, len))
		buf[0] = '\0';
}

static void allowed_list(pid_t pid, char *buf, size_t len)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Cpus_allowed_list: %63s", buf) == 1)
			break;
	if (f)
		fclose(f);
	(void)len;
}

/* A child that waits to be killed, as @uid (0: root), in cgroup @cg. */
static pid_t park(uid_t uid, const char *cg)
{
	char path[256], nr[16];
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(1);
		for (;;)
			pause();
	}
	if (pid > 0 && cg) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(nr, sizeof(nr), "%d", pid);
		if (krg_write(path, nr)) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Run "migrate PID NODE" as @uid (0: root); its exit status, and its
 * standard error in @err.
 */
static int run_migrate(uid_t uid, pid_t pid, int node, char *err, size_t len)
{
	char spid[16], snode[16];
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t child;

	snprintf(spid, sizeof(spid), "%d", pid);
	snprintf(snode, sizeof(snode), "%d", node);
	if (pipe(pipefd))
		return -1;
	child = fork();
	if (child == 0) {
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execl(MIGRATE, "migrate", spid, snode, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (got < (ssize_t)len - 1 &&
	       (n = read(pipefd[0], err + got, len - 1 - got)) > 0)
		got += n;
	err[got] = '\0';
	close(pipefd[0]);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(conf) {
	int fd;
	char node0[64], node1[64], all[64];
};

FIXTURE_SETUP(conf)
{
	int ret;

	/* The core registers its own placement hook: ours needs the place. */
	krg_unload_core();
	ret = krg_need("krg");
	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	ret = krg_need("krg_test_placement");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_test_placement: %s",
				 strerror(-ret));
	ASSERT_EQ(0, krg_write(TP "node", "-1"));
	self->fd = open("/dev/krg", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	node_cpulist(0, self->node0, sizeof(self->node0));
	node_cpulist(1, self->node1, sizeof(self->node1));
	if (!self->node1[0])
		SKIP(return, "needs 2 nodes");
	allowed_list(getpid(), self->all, sizeof(self->all));

	if (!krg_exists(CG "/cgroup.controllers"))
		mount("cgroup2", CG, "cgroup2", 0, NULL);
	ASSERT_TRUE(krg_exists(CG "/cgroup.controllers"));
	if (!strstr(krg_rd(CG "/cgroup.controllers"), "cpuset"))
		SKIP(return, "no cpuset controller");
	ASSERT_EQ(0, krg_write(CG "/cgroup.subtree_control", "+cpuset"));
	ASSERT_NE(NULL, strstr(krg_rd(CG "/cgroup.subtree_control"), "cpuset"));
	if (!krg_exists(CONF))
		ASSERT_EQ(0, krg_mkdir(CONF));
	ASSERT_EQ(0, krg_write(CONF "/cpuset.cpus", self->node0));
}

FIXTURE_TEARDOWN(conf)
{
	krg_write(TP "node", "-1");
	close(self->fd);
	krg_rmdir(CONF);
	/* The tests after this one may need the core's placement hook. */
	krg_rmmod("krg_test_placement");
}

/* As its user: migrate refuses, naming the cpuset; the affinity stays. */
TEST_F(conf, tool_user)
{
	char err[512], got[64];
	pid_t pid;

	pid = park(KRG_USER_UID, CONF);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	EXPECT_EQ(1, run_migrate(KRG_USER_UID, pid, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "outside its cpuset /krgconf"))
		TH_LOG("migrate said: %s", err);
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node0, got);
	/* Within the cpuset it moves. */
	EXPECT_EQ(0, run_migrate(KRG_USER_UID, pid, 0, err, sizeof(err)))
		TH_LOG("migrate said: %s", err);
	reap(pid);
}

/* Root gets the same refusal: the cpuset wins over the tool. */
TEST_F(conf, tool_root)
{
	char err[512], got[64];
	pid_t pid;

	pid = park(KRG_USER_UID, CONF);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	EXPECT_EQ(1, run_migrate(0, pid, 1, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "outside its cpuset /krgconf"))
		TH_LOG("migrate said: %s", err);
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node0, got);
	reap(pid);
}

static int user_raw(void *p)
{
	pid_t pid = *(pid_t *)p;

	return migrate_ioctl(pid, 1) == -EPERM ? 0 : 1;
}

/* The raw ioctl (krg.ko moving it itself) refuses, for its user and root. */
TEST_F(conf, raw_ioctl)
{
	char got[64];
	pid_t pid;

	pid = park(KRG_USER_UID, CONF);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_raw, &pid));
	EXPECT_EQ(-EPERM, migrate_ioctl(pid, 1));
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node0, got);
	reap(pid);
}

/* A policy's krg_migrate() leaves it alone (pinned: EBUSY). */
TEST_F(conf, policy)
{
	char req[32], got[64];
	pid_t pid;

	pid = park(KRG_USER_UID, CONF);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	snprintf(req, sizeof(req), "%d 1", pid);
	EXPECT_EQ(-EBUSY, krg_write(TP "migrate", req));
	usleep(100000);
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node0, got);
	reap(pid);
}

/* Fork a child in @cg with DISTANT_FORK; its CPUs once it runs. */
static int df_child(int fd, const char *cg, char *buf, size_t len)
{
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		char path[256], nr[16], mine[64];
		int pfd[2];
		pid_t c;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(nr, sizeof(nr), "%d", getpid());
		if (krg_write(path, nr) ||
		    set_caps(fd, 0, CHANGE | B(DISTANT_FORK)) || pipe(pfd))
			_exit(1);
		c = fork();
		if (c == 0) {
			allowed_list(getpid(), mine, sizeof(mine));
			n = write(pfd[1], mine, strlen(mine) + 1);
			_exit(n > 0 ? 0 : 1);
		}
		close(pfd[1]);
		n = read(pfd[0], mine, sizeof(mine));
		if (c < 0 || waitpid(c, &status, 0) != c || status || n <= 0)
			_exit(2);
		n = write(pipefd[1], mine, strlen(mine) + 1);
		_exit(n > 0 ? 0 : 3);
	}
	close(pipefd[1]);
	n = read(pipefd[0], buf, len);
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status || n <= 0)
		return -1;
	return 0;
}

/*
 * Distant fork from the cpuset: never outside it. The node's CPUs outside
 * it: not placed; inside it: placed.
 */
static long not_placed(void)
{
	const char *s = strstr(krg_rd("/sys/kernel/krg/forks"), "not_placed ");

	return s ? atol(s + strlen("not_placed ")) : -1;
}

TEST_F(conf, distant_fork)
{
	long before = not_placed();
	char got[64];

	ASSERT_LE(0, before);
	ASSERT_EQ(0, krg_write(TP "node", "1"));
	ASSERT_EQ(0, df_child(self->fd, CONF, got, sizeof(got)));
	EXPECT_STREQ(self->node0, got);
	EXPECT_EQ(before + 1, not_placed());
	ASSERT_EQ(0, krg_write(TP "node", "0"));
	ASSERT_EQ(0, df_child(self->fd, CONF, got, sizeof(got)));
	EXPECT_STREQ(self->node0, got);
	/* From the root cpuset it is placed as before. */
	ASSERT_EQ(0, krg_write(TP "node", "1"));
	ASSERT_EQ(0, df_child(self->fd, CG, got, sizeof(got)));
	EXPECT_STREQ(self->node1, got);
}

/* A SCHED_DEADLINE task (root cpuset) is pinned: no raw move, no policy. */
TEST_F(conf, deadline)
{
	struct krg_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = SCHED_DEADLINE,
		.sched_runtime = 1000000,
		.sched_deadline = 100000000,
		.sched_period = 100000000,
	};
	char req[32], got[64];
	pid_t pid;

	pid = park(0, NULL);
	ASSERT_LT(0, pid);
	if (syscall(SYS_sched_setattr, pid, &attr, 0)) {
		reap(pid);
		SKIP(return, "sched_setattr(SCHED_DEADLINE): %s",
		     strerror(errno));
	}
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	EXPECT_EQ(-EPERM, migrate_ioctl(pid, 1));
	snprintf(req, sizeof(req), "%d 1", pid);
	EXPECT_EQ(-EBUSY, krg_write(TP "migrate", req));
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->all, got);
	reap(pid);
}

/*
 * Node 1's CPUs made an isolated partition: krg.ko does not put a task
 * there (EINVAL), a distant fork is not placed there. Then, the partition
 * gone, a process of the root cpuset moves as before (ioctl and tool).
 */
TEST_F(conf, isolated_then_root)
{
	char err[512], got[64];
	pid_t pid;

	pid = park(0, NULL);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, set_caps(self->fd, pid, CHANGE | B(CAN_MIGRATE)));
	if (!krg_exists(ISO))
		ASSERT_EQ(0, krg_mkdir(ISO));
	if (krg_write(ISO "/cpuset.cpus", self->node1) ||
	    krg_write(ISO "/cpuset.cpus.partition", "isolated") ||
	    strcmp(krg_rd(ISO "/cpuset.cpus.partition"), "isolated")) {
		TH_LOG("no isolated partition (%s): not tested",
		       krg_rd(ISO "/cpuset.cpus.partition"));
	} else {
		fprintf(stderr, "# node 1's CPUs %s: isolated partition\n",
			self->node1);
		EXPECT_EQ(-EINVAL, migrate_ioctl(pid, 1));
		ASSERT_EQ(0, krg_write(TP "node", "1"));
		ASSERT_EQ(0, df_child(self->fd, CG, got, sizeof(got)));
		EXPECT_STRNE(self->node1, got);
		krg_write(TP "node", "-1");
	}
	krg_write(ISO "/cpuset.cpus.partition", "member");
	EXPECT_EQ(0, krg_rmdir(ISO));

	EXPECT_EQ(0, migrate_ioctl(pid, 1));
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node1, got);
	EXPECT_EQ(0, run_migrate(0, pid, 0, err, sizeof(err)))
		TH_LOG("migrate said: %s", err);
	allowed_list(pid, got, sizeof(got));
	EXPECT_STREQ(self->node0, got);
	reap(pid);
}

TEST_HARNESS_MAIN
