// SPDX-License-Identifier: GPL-2.0
/*
 * Migration with the numa backend, through /dev/krg (a user's request) and
 * through krg_test_placement's "migrate" parameter (a policy's request):
 * a running process and all its threads move to the target node's CPUs,
 * each forbidden case fails with its errno, a process pinned by hand is
 * left alone by policies but not by its owner, and every request is
 * counted and announced.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <dirent.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"
#include <krg.h>

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)
#define ALL		(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | \
			 B(CHECKPOINTABLE))
#define TP		"/sys/module/krg_test_placement/parameters/"

static int set_caps(int fd, __u32 target, pid_t pid, __u32 e)
{
	return krg_set_caps4(fd, target, pid, ALL, e, ALL, CHANGE);
}

/* A policy's request (krg_migrate(..., KRG_MIGRATE_POLICY)); 0 or -errno. */
static int policy_migrate(pid_t pid, int node)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d %d", pid, node);
	return krg_write(TP "migrate", buf);
}

static void node_cpulist(int node, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist", node);
	if (krg_read(path, buf, len))
		buf[0] = '\0';
}

/* "Cpus_allowed_list" of /proc/@pid(/task/@tid)/status. */
static int allowed_list(const char *dir, char *buf, size_t len)
{
	char path[128], line[256];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/status", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Cpus_allowed_list: %255s", buf) == 1) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	(void)len;
	return ret;
}

static int pid_allowed_list(pid_t pid, char *buf, size_t len)
{
	char dir[64];

	snprintf(dir, sizeof(dir), "/proc/%d", pid);
	return allowed_list(dir, buf, len);
}

/* Field 39 of /proc/@pid/stat: the CPU it last ran on. */
static int last_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	int field, cpu = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (krg_read(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p)
		return -1;
	/* Field 3 starts after ") ". */
	p += 2;
	for (field = 3; field < 39 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		cpu = atoi(p);
	return cpu;
}

static int cpu_node(int cpu)
{
	char path[96];

	for (int n = 0; n < 4; n++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/node%d", cpu, n);
		if (krg_exists(path))
			return n;
	}
	return -1;
}

/* Wait (up to 3 s) until @pid last ran on a CPU of @node. */
static bool runs_on(pid_t pid, int node)
{
	for (int i = 0; i < 300; i++) {
		if (cpu_node(last_cpu(pid)) == node)
			return true;
		usleep(10000);
	}
	return false;
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

static void *spin(void *arg)
{
	for (;;)
		;
	return arg;
}

/*
 * A CPU-bound child with @e in its effective set and @threads extra
 * spinning threads; it runs once this returns.
 */
static pid_t spinner(__u32 e, int threads)
{
	int pipefd[2];
	char c = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = krg_dev();
		pthread_t t;

		/* Hold no /dev/krg: krg.ko must stay unloadable. */
		for (int i = 3; i < 64; i++)
			if (i != pipefd[1] && i != fd)
				close(i);
		if (fd < 0 || set_caps(fd, KRG_TARGET_SELF, 0, e))
			_exit(1);
		close(fd);
		for (int i = 0; i < threads; i++)
			if (pthread_create(&t, NULL, spin, NULL))
				_exit(2);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(3);
		spin(NULL);
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

/* Stop a seized tracee and let it go. */
static int untrace(pid_t tid)
{
	int status;

	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) ||
	    waitpid(tid, &status, __WALL) != tid)
		return -1;
	return ptrace(PTRACE_DETACH, tid, 0, 0);
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void read_migrations(unsigned long long *v)
{
	char buf[256];

	v[0] = v[1] = v[2] = 0;
	if (!krg_read("/sys/kernel/krg/migrations", buf, sizeof(buf)))
		sscanf(buf, "requested %llu done %llu aborted %llu", &v[0],
		       &v[1], &v[2]);
}

/* Wait (up to 3 s) until every queued request has ended. */
static bool quiesce(void)
{
	unsigned long long v[3];

	for (int i = 0; i < 300; i++) {
		read_migrations(v);
		if (v[0] == v[1] + v[2])
			return true;
		usleep(10000);
	}
	return false;
}

FIXTURE(mig) {
	int fd;
	int nodes;
};

FIXTURE_SETUP(mig)
{
	int ret;

	/* The core's placement hook would keep ours from registering. */
	krg_unload_core();
	ret = krg_need("krg");
	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	ret = krg_need("krg_test_placement");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_test_placement: %s",
				 strerror(-ret));
	self->fd = krg_dev();
	ASSERT_LE(0, self->fd);
	self->nodes = nodes_online();
	if (self->nodes < 2)
		SKIP(return, "needs 2 online nodes, has %d", self->nodes);
}

FIXTURE_TEARDOWN(mig)
{
	close(self->fd);
}

/* A running CPU-bound process moves to each node in turn, and runs there. */
TEST_F(mig, running_process)
{
	char want[64], got[64];
	pid_t pid;

	pid = spinner(CHANGE | B(CAN_MIGRATE), 0);
	ASSERT_LT(0, pid);
	for (int node = self->nodes - 1; node >= 0; node--) {
		ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, node, 0));
		node_cpulist(node, want, sizeof(want));
		ASSERT_EQ(0, pid_allowed_list(pid, got, sizeof(got)));
		EXPECT_STREQ(want, got);
		EXPECT_TRUE(runs_on(pid, node))
			TH_LOG("pid %d still on cpu %d", pid, last_cpu(pid));
	}
	reap(pid);
}

/* Every thread of a multithreaded process moves. */
TEST_F(mig, all_threads)
{
	char want[64], got[64], dir[300];
	int moved = 0, threads = 0;
	struct dirent *d;
	DIR *tasks;
	pid_t pid;

	pid = spinner(CHANGE | B(CAN_MIGRATE), 4);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, 1, 0));
	node_cpulist(1, want, sizeof(want));
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	tasks = opendir(dir);
	ASSERT_NE(NULL, tasks);
	while ((d = readdir(tasks))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/task/%s", pid, d->d_name);
		threads++;
		if (!allowed_list(dir, got, sizeof(got)) && !strcmp(want, got))
			moved++;
	}
	closedir(tasks);
	EXPECT_EQ(5, threads);
	EXPECT_EQ(threads, moved);
	reap(pid);
}

/* A process without CAN_MIGRATE in its effective set is refused with EACCES. */
TEST_F(mig, no_can_migrate)
{
	pid_t pid = spinner(CHANGE, 0);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EACCES, krg_migrate_pid(self->fd, pid, 1, 0));
	EXPECT_EQ(-EACCES, policy_migrate(pid, 1));
	reap(pid);
}

/* A ptraced process may not migrate (EBUSY) until it is detached. */
TEST_F(mig, ptraced)
{
	pid_t pid = spinner(CHANGE | B(CAN_MIGRATE), 0);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, pid, 0, 0));
	EXPECT_EQ(-EBUSY, krg_migrate_pid(self->fd, pid, 1, 0));
	EXPECT_EQ(-EBUSY, policy_migrate(pid, 1));
	ASSERT_EQ(0, untrace(pid));
	EXPECT_EQ(0, krg_migrate_pid(self->fd, pid, 1, 0));
	reap(pid);
}

/* A ptraced thread also keeps its whole process from migrating. */
TEST_F(mig, ptraced_thread)
{
	char dir[64];
	struct dirent *d;
	pid_t pid, tid = 0;
	DIR *tasks;

	pid = spinner(CHANGE | B(CAN_MIGRATE), 1);
	ASSERT_LT(0, pid);
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	tasks = opendir(dir);
	ASSERT_NE(NULL, tasks);
	while ((d = readdir(tasks)))
		if (atoi(d->d_name) > 0 && atoi(d->d_name) != pid)
			tid = atoi(d->d_name);
	closedir(tasks);
	ASSERT_LT(0, tid);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, tid, 0, 0));
	EXPECT_EQ(-EBUSY, krg_migrate_pid(self->fd, pid, 1, 0));
	ASSERT_EQ(0, untrace(tid));
	reap(pid);
}

/* Kernel threads never migrate (EINVAL), even for root. */
TEST_F(mig, kernel_thread)
{
	char comm[32];

	ASSERT_EQ(0, krg_read("/proc/2/comm", comm, sizeof(comm)));
	ASSERT_STREQ("kthreadd", comm);
	EXPECT_EQ(-EINVAL, krg_migrate_pid(self->fd, 2, 1, 0));
	EXPECT_EQ(-EINVAL, policy_migrate(2, 1));
}

/* Offline nodes give EHOSTDOWN, ids out of range EINVAL. */
TEST_F(mig, bad_nodes)
{
	pid_t pid = spinner(CHANGE | B(CAN_MIGRATE), 0);

	ASSERT_LT(0, pid);
	EXPECT_EQ(-EHOSTDOWN, krg_migrate_pid(self->fd, pid, 255, 0));
	EXPECT_EQ(-EHOSTDOWN, krg_migrate_pid(self->fd, pid, self->nodes, 0));
	EXPECT_EQ(-EINVAL, krg_migrate_pid(self->fd, pid, -1, 0));
	EXPECT_EQ(-EINVAL, krg_migrate_pid(self->fd, pid, 256, 0));
	EXPECT_EQ(-EINVAL, policy_migrate(pid, -1));
	EXPECT_EQ(-EHOSTDOWN, policy_migrate(pid, 255));
	reap(pid);
}

/* A pid that no longer exists is ESRCH. */
TEST_F(mig, dead_process)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-ESRCH, krg_migrate_pid(self->fd, pid, 1, 0));
}

struct user_arg {
	pid_t pid;
	int ret;
};

static int user_migrate(void *p)
{
	struct user_arg *a = p;
	int fd = krg_dev();

	if (fd < 0)
		return 100;
	return -krg_migrate_pid(fd, a->pid, 1, 0);
}

/* Users migrate their own processes, not another user's (EPERM). */
TEST_F(mig, other_user)
{
	struct user_arg a;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		int fd = krg_dev();

		if (fd < 0 || set_caps(fd, KRG_TARGET_SELF, 0,
				       CHANGE | B(CAN_MIGRATE)))
			_exit(1);
		if (setgroups(0, NULL) || setgid(KRG_OTHER_UID) ||
		    setuid(KRG_OTHER_UID))
			_exit(2);
		spin(NULL);
	}
	ASSERT_LT(0, pid);
	usleep(100000);
	a.pid = pid;
	EXPECT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_migrate, &a));
	EXPECT_EQ(0, krg_as_user(KRG_OTHER_UID, user_migrate, &a));
	reap(pid);
}

static void pin_to(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(pid, sizeof(set), &set);
}

static bool wait_allowed(pid_t pid, const char *want)
{
	char got[64];

	for (int i = 0; i < 300; i++) {
		if (!pid_allowed_list(pid, got, sizeof(got)) &&
		    !strcmp(got, want))
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Policies leave a process pinned by hand alone; its owner's migrate
 * overrides the pin, and then policies may move it again.
 */
TEST_F(mig, pinned_by_hand)
{
	char want[64], got[64];
	cpu_set_t all;
	pid_t pid;

	pid = spinner(CHANGE | B(CAN_MIGRATE), 0);
	ASSERT_LT(0, pid);
	node_cpulist(0, want, sizeof(want));
	pin_to(pid, atoi(want));
	EXPECT_EQ(-EBUSY, policy_migrate(pid, 1));

	/* The user's request wins. */
	ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, 1, 0));
	node_cpulist(1, want, sizeof(want));
	ASSERT_EQ(0, pid_allowed_list(pid, got, sizeof(got)));
	EXPECT_STREQ(want, got);

	/* Placed by krg.ko: not pinned, a policy may move it. */
	EXPECT_EQ(0, policy_migrate(pid, 0));
	EXPECT_TRUE(quiesce());
	node_cpulist(0, want, sizeof(want));
	EXPECT_TRUE(wait_allowed(pid, want));

	/* Already there. */
	EXPECT_EQ(-EALREADY, policy_migrate(pid, 0));
	EXPECT_EQ(0, krg_migrate_pid(self->fd, pid, 0, 0));

	/* Pinned to one CPU of that node's set is pinned too (2 CPUs per node only). */
	pin_to(pid, atoi(want));
	ASSERT_EQ(0, pid_allowed_list(pid, got, sizeof(got)));
	if (strcmp(got, want))
		EXPECT_EQ(-EBUSY, policy_migrate(pid, 1));

	/* All CPUs again: not pinned. */
	CPU_ZERO(&all);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	ASSERT_EQ(0, sched_setaffinity(pid, sizeof(all), &all));
	EXPECT_EQ(0, policy_migrate(pid, 1));
	EXPECT_TRUE(quiesce());
	node_cpulist(1, want, sizeof(want));
	EXPECT_TRUE(wait_allowed(pid, want));
	reap(pid);
}

/* Requests are counted, and announced with the right pid and nodes. */
TEST_F(mig, events)
{
	unsigned long long before[3], after[3];
	char buf[128], want[64];
	int kind, epid, from, to, err, i;
	unsigned long ev0[3], ev1[3];
	pid_t pid;

	read_migrations(before);
	ASSERT_EQ(0, krg_read(TP "events", buf, sizeof(buf)));
	ASSERT_EQ(3, sscanf(buf, "%lu %lu %lu", &ev0[0], &ev0[1], &ev0[2]));

	pid = spinner(CHANGE | B(CAN_MIGRATE), 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, 1, 0));
	ASSERT_EQ(0, krg_read(TP "last_event", buf, sizeof(buf)));
	ASSERT_EQ(5, sscanf(buf, "%d %d %d %d %d", &kind, &epid, &from, &to,
			    &err));
	EXPECT_EQ(2, kind);	/* KRG_MIGRATION_END */
	EXPECT_EQ(pid, epid);
	EXPECT_EQ(1, to);
	EXPECT_EQ(0, err);
	EXPECT_LE(0, from);

	/* Queued without waiting; then the policy path. */
	ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, 0, KRG_MIGRATE_NOWAIT));
	EXPECT_TRUE(quiesce());
	node_cpulist(0, want, sizeof(want));
	EXPECT_TRUE(wait_allowed(pid, want));
	/* Nothing to do: no request. */
	EXPECT_EQ(0, krg_migrate_pid(self->fd, pid, 0, 0));

	/* Queued, then killed: it ends or aborts, it is never lost. */
	for (i = 0; i < 5; i++) {
		pid_t victim = spinner(CHANGE | B(CAN_MIGRATE), 2);

		ASSERT_LT(0, victim);
		ASSERT_EQ(0, krg_migrate_pid(self->fd, victim, 1, KRG_MIGRATE_NOWAIT));
		reap(victim);
	}
	reap(pid);

	/* Every request reaches its end. */
	for (i = 0; i < 300; i++) {
		read_migrations(after);
		if (after[0] == after[1] + after[2])
			break;
		usleep(10000);
	}
	EXPECT_EQ(before[0] + 7, after[0]);
	EXPECT_EQ(after[0], after[1] + after[2]);
	ASSERT_EQ(0, krg_read(TP "events", buf, sizeof(buf)));
	ASSERT_EQ(3, sscanf(buf, "%lu %lu %lu", &ev1[0], &ev1[1], &ev1[2]));
	EXPECT_EQ(after[1] - before[1], ev1[1] - ev0[1]);
	EXPECT_EQ(after[2] - before[2], ev1[2] - ev0[2]);
	/* START for every END, and at most one for every ABORT. */
	EXPECT_LE(ev1[1] - ev0[1], ev1[0] - ev0[0]);
	EXPECT_GE(ev1[1] - ev0[1] + ev1[2] - ev0[2], ev1[0] - ev0[0]);
}

/* Unloading krg.ko with migrations just done leaves nothing behind. */
TEST_F(mig, unload)
{
	pid_t pid = spinner(CHANGE | B(CAN_MIGRATE), 3);

	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_migrate_pid(self->fd, pid, 1, KRG_MIGRATE_NOWAIT));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, krg_rmmod("krg_test_placement"));
	ASSERT_EQ(0, krg_rmmod("krg"));
	reap(pid);
	ASSERT_EQ(0, krg_insmod("krg"));
	self->fd = krg_dev();
}

TEST_HARNESS_MAIN
