// SPDX-License-Identifier: GPL-2.0
/*
 * Distant fork placement through the core: which scheduler answers for a
 * forked child is decided by Kerrighed's order (universal schedulers first,
 * then by the parent's pid, process group, session, cgroup) and by
 * process-set membership; the first answer that is not "none" wins; answers
 * outside the node set are ignored. Uses test_policy (tests/kmod), whose
 * answer the test sets.
 */
#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define SCH KRG_CFS "/schedulers/"

static const char *const scheds[] = { "pl_all", "pl_pid", "pl_pgid",
				      "pl_sid", "pl_cg" };

static void sched_path(char *buf, size_t len, const char *s, const char *rest)
{
	snprintf(buf, len, SCH "%s%s", s, rest);
}

static int make_sched(const char *s, int answer)
{
	char p[256], v[16];

	sched_path(p, sizeof(p), s, "");
	if (mkdir(p, 0755))
		return -errno;
	sched_path(p, sizeof(p), s, "/test_policy");
	if (mkdir(p, 0755))
		return -errno;
	sched_path(p, sizeof(p), s, "/test_policy/answer");
	snprintf(v, sizeof(v), "%d", answer);
	return krg_write(p, v);
}

static int member(const char *s, const char *kind, long id)
{
	char p[256], rest[128];

	snprintf(rest, sizeof(rest), "/process_set/%s/%ld", kind, id);
	sched_path(p, sizeof(p), s, rest);
	return mkdir(p, 0755) ? -errno : 0;
}

static int calls(const char *s)
{
	char p[256], buf[32];

	sched_path(p, sizeof(p), s, "/test_policy/calls");
	if (krg_read(p, buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

/* rmdir every directory in @dir (members are leaves). */
static void rmdir_children(const char *dir)
{
	char p[512];
	struct dirent *d;
	DIR *dp = opendir(dir);

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		rmdir(p);
	}
	if (dp)
		closedir(dp);
}

static void remove_all(void)
{
	static const char *const kinds[] = {
		"single_processes", "process_groups", "process_sessions",
		"cgroups",
	};
	char p[256], rest[128];
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(scheds); i++) {
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			snprintf(rest, sizeof(rest), "/process_set/%s", kinds[k]);
			sched_path(p, sizeof(p), scheds[i], rest);
			rmdir_children(p);
		}
		sched_path(p, sizeof(p), scheds[i], "/test_policy");
		rmdir(p);
		sched_path(p, sizeof(p), scheds[i], "");
		rmdir(p);
	}
}

static int set_distant_fork(bool on)
{
	struct krg_caps c;
	__u32 bit = 1U << KRG_CAP_DISTANT_FORK;

	if (krg_caps_get(KRG_TARGET_SELF, 0, &c))
		return -errno;
	c.effective = on ? c.effective | bit : c.effective & ~bit;
	return krg_caps_set(KRG_TARGET_SELF, 0, &c) ? -errno : 0;
}

FIXTURE(place) {
	int unused;
};

FIXTURE_SETUP(place)
{
	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	remove_all();
	ASSERT_EQ(0, set_distant_fork(true));
}

FIXTURE_TEARDOWN(place)
{
	remove_all();
	rmdir("/sys/fs/cgroup/krgpl");
}

/* A scheduler holding the parent's pid places its children. */
TEST_F(place, by_pid)
{
	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getpid()));
	EXPECT_EQ(1, krg_child_node());
	EXPECT_EQ(1, calls("pl_pid"));
	ASSERT_EQ(0, krg_write(SCH "pl_pid/test_policy/answer", "0"));
	EXPECT_EQ(0, krg_child_node());
}

/* Without DISTANT_FORK in the parent's effective set nothing is asked. */
TEST_F(place, needs_distant_fork)
{
	ASSERT_EQ(0, set_distant_fork(false));
	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getpid()));
	EXPECT_EQ(-1, krg_child_node());
	EXPECT_EQ(0, calls("pl_pid"));
}

/* A parent in no process set is not placed. */
TEST_F(place, not_a_member)
{
	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getppid()));
	EXPECT_EQ(-1, krg_child_node());
	EXPECT_EQ(0, calls("pl_pid"));
}

/* Universal schedulers are asked before the others. */
TEST_F(place, universal_first)
{
	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getpid()));
	ASSERT_EQ(0, make_sched("pl_all", 0));
	ASSERT_EQ(0, krg_write(SCH "pl_all/process_set/handle_all", "1"));
	EXPECT_EQ(0, krg_child_node());
	EXPECT_EQ(1, calls("pl_all"));
	EXPECT_EQ(0, calls("pl_pid"));
}

/* "No decision" passes the question on; the first real answer wins. */
TEST_F(place, first_answer_wins)
{
	ASSERT_EQ(0, make_sched("pl_all", -1));
	ASSERT_EQ(0, krg_write(SCH "pl_all/process_set/handle_all", "1"));
	ASSERT_EQ(0, make_sched("pl_pgid", 0));
	ASSERT_EQ(0, member("pl_pgid", "process_groups", getpgrp()));
	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getpid()));
	/* pid before process group. */
	EXPECT_EQ(1, krg_child_node());
	EXPECT_EQ(1, calls("pl_all"));
	EXPECT_EQ(1, calls("pl_pid"));
	EXPECT_EQ(0, calls("pl_pgid"));
}

/* Process group and session members cover processes that join later. */
TEST_F(place, group_and_session)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, make_sched("pl_sid", 0));
	ASSERT_EQ(0, member("pl_sid", "process_sessions", getsid(0)));
	ASSERT_EQ(0, make_sched("pl_pgid", 1));
	ASSERT_EQ(0, member("pl_pgid", "process_groups", getpgrp()));
	/* Process group before session. */
	EXPECT_EQ(1, krg_child_node());
	ASSERT_EQ(0, rmdir(SCH "pl_pgid/test_policy"));
	EXPECT_EQ(0, krg_child_node());
	/* A process started after the member was made is covered too. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(krg_child_node() == 0 ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A cgroup member covers the tasks of that cgroup. */
TEST_F(place, cgroup)
{
	char pid[16];

	ASSERT_EQ(0, mkdir("/sys/fs/cgroup/krgpl", 0755));
	ASSERT_EQ(0, make_sched("pl_cg", 1));
	ASSERT_EQ(0, mkdir(SCH "pl_cg/process_set/cgroups/krgpl", 0755));
	EXPECT_EQ(-1, krg_child_node());
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, krg_write("/sys/fs/cgroup/krgpl/cgroup.procs", pid));
	EXPECT_EQ(1, krg_child_node());
	ASSERT_EQ(0, krg_write("/sys/fs/cgroup/cgroup.procs", pid));
	EXPECT_EQ(-1, krg_child_node());
}

/* Answers outside the node set, or not nodes at all, are ignored. */
TEST_F(place, bad_answers)
{
	char buf[512];

	ASSERT_EQ(0, make_sched("pl_pid", 1));
	ASSERT_EQ(0, member("pl_pid", "single_processes", getpid()));
	ASSERT_EQ(0, krg_write(SCH "pl_pid/node_set", "0"));
	EXPECT_EQ(-1, krg_child_node());
	ASSERT_EQ(0, krg_write(SCH "pl_pid/test_policy/answer", "300"));
	EXPECT_EQ(-1, krg_child_node());
	ASSERT_EQ(0, krg_write(SCH "pl_pid/test_policy/answer", "-7"));
	EXPECT_EQ(-1, krg_child_node());
	ASSERT_EQ(0, krg_read(SCH "pl_pid/test_policy/stats", buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "placements_ignored 3"));
}

TEST_HARNESS_MAIN
