// SPDX-License-Identifier: GPL-2.0
/*
 * members_test.c - cluster-wide process-set members (tools/krgd/members.c)
 * and pids typed in another pid namespace (tools/krgd/pidns.c): which
 * names are members and how they read, a node's list made from a
 * directory standing for krg_scheduler, what a peer's list may not hold,
 * nodes leaving, and a pid of a child pid namespace translated (root
 * only: the test makes a pid namespace).
 *
 * Build and run: `make check-unit` (tests/Makefile links members.c,
 * pidns.c, snapshot.c and hash.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/krgd/krgd.h"

void say(int prio, const char *fmt, ...)
{
	(void)prio;
	(void)fmt;
}

static const char *const P = "schedulers/s/process_set";

static int name(const char *rel, int *node, long *nr)
{
	char dir[PATH_MAX];

	return members_name(rel, dir, sizeof(dir), node, nr);
}

TEST(names)
{
	int node;
	long nr;

	EXPECT_TRUE(members_is_dir("schedulers/s/process_set/single_processes"));
	EXPECT_TRUE(members_is_dir("schedulers/s/process_set/process_groups"));
	EXPECT_TRUE(members_is_dir("schedulers/s/process_set/process_sessions"));
	EXPECT_FALSE(members_is_dir("schedulers/s/process_set/cgroups"));
	EXPECT_FALSE(members_is_dir("schedulers/s/process_set"));
	EXPECT_FALSE(members_is_dir("probes/s/process_set/single_processes"));
	EXPECT_FALSE(members_is_dir("schedulers/s/x/process_set/single_processes"));

	EXPECT_EQ(1, name("schedulers/s/process_set/single_processes/1234", &node, &nr));
	EXPECT_EQ(-1, node);
	EXPECT_EQ(1234, nr);
	EXPECT_EQ(2, name("schedulers/s/process_set/process_groups/2:87", &node, &nr));
	EXPECT_EQ(2, node);
	EXPECT_EQ(87, nr);
	EXPECT_EQ(2, name("schedulers/s/process_set/single_processes/255:1", &node, &nr));
	EXPECT_EQ(255, node);
	/* what one machine's kernel refuses stays the kernel's to refuse */
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/256:1", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/01:1", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/:1", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/1:", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/1:0", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/1:x", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/0", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/-3", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/12a", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/single_processes/1234567890", &node, &nr));
	EXPECT_EQ(0, name("schedulers/s/process_set/cgroups/12", &node, &nr));
	EXPECT_EQ(0, name("single_processes/12", &node, &nr));
}

static void mkdirs(const char *root, const char *rel)
{
	char p[PATH_MAX], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static int collect(void *arg, const char *n)
{
	strcat(arg, n);
	strcat(arg, " ");
	return 0;
}

TEST(local_list)
{
	char root[] = "/tmp/members_test.XXXXXX", cmd[PATH_MAX + 16], *text;
	size_t len;

	ASSERT_NE(NULL, mkdtemp(root));
	mkdirs(root, "schedulers/s/process_set/single_processes/12");
	mkdirs(root, "schedulers/s/process_set/process_groups/34");
	mkdirs(root, "schedulers/s/process_set/cgroups/jobs");
	mkdirs(root, "schedulers/t/process_set/process_sessions/56");
	mkdirs(root, "schedulers/t/process_set/process_sessions/not_a_pid");
	mkdirs(root, "schedulers/u/mosix_load_balancer");
	text = members_local_text(root, &len);
	ASSERT_NE(NULL, text);
	EXPECT_EQ(strlen(text), len);
	EXPECT_NE(NULL, strstr(text, "schedulers/s/process_set/single_processes/12\n"));
	EXPECT_NE(NULL, strstr(text, "schedulers/s/process_set/process_groups/34\n"));
	EXPECT_NE(NULL, strstr(text, "schedulers/t/process_set/process_sessions/56\n"));
	EXPECT_EQ(NULL, strstr(text, "cgroups"));
	EXPECT_EQ(NULL, strstr(text, "not_a_pid"));
	/* this list as another node's */
	EXPECT_EQ(0, members_set(3, text, len));
	EXPECT_TRUE(members_has(3, "schedulers/s/process_set/single_processes/12"));
	EXPECT_FALSE(members_has(2, "schedulers/s/process_set/single_processes/12"));
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_EQ(0, system(cmd));
	members_keep(NULL);
}

TEST(peers_lists)
{
	const char two[] = "schedulers/s/process_set/single_processes/5\n"
			   "schedulers/s/process_set/process_groups/6\n";
	const char bad[] = "schedulers/s/process_set/single_processes/1:5\n"
			   "schedulers/s/process_set/cgroups/6\n"
			   "schedulers/../process_set/single_processes/6\n"
			   "/schedulers/s/process_set/single_processes/6\n"
			   "probes/x\n"
			   "schedulers/s/process_set/single_processes/7";
	char seen[256] = "", dir[PATH_MAX];
	unsigned char present[KRG_MAX_NODES / 8] = { 0 };

	snprintf(dir, sizeof(dir), "%s/single_processes", P);
	EXPECT_EQ(0, members_set(0, two, sizeof(two) - 1));
	EXPECT_EQ(5, members_set(2, bad, sizeof(bad) - 1));
	members_each(dir, collect, seen);
	EXPECT_STREQ("0:5 2:7 ", seen);
	EXPECT_TRUE(members_under("schedulers/s"));
	EXPECT_TRUE(members_under("schedulers/s/process_set"));
	EXPECT_FALSE(members_under("schedulers/t"));
	EXPECT_FALSE(members_under("schedulers/s/process_set/single_processes/5"));
	/* a new list replaces the node's last one */
	EXPECT_EQ(0, members_set(0, "", 0));
	EXPECT_FALSE(members_has(0, "schedulers/s/process_set/single_processes/5"));
	EXPECT_TRUE(members_has(2, "schedulers/s/process_set/single_processes/7"));
	/* a node that left takes its members */
	EXPECT_EQ(0, members_set(0, two, sizeof(two) - 1));
	krg_nodebytes_set(present, 0);
	members_keep(present);
	EXPECT_TRUE(members_has(0, "schedulers/s/process_set/single_processes/5"));
	EXPECT_FALSE(members_has(2, "schedulers/s/process_set/single_processes/7"));
	members_keep(NULL);
	EXPECT_FALSE(members_under("schedulers"));
}

TEST(pid_namespace)
{
	int ready[2], r;
	pid_t child;
	long out = 0;
	char c;

	/* the caller's own namespace: the number as it is */
	EXPECT_EQ(0, pidns_translate(getpid(), PIDNS_PID, 42, &out));
	EXPECT_EQ(42, out);
	if (geteuid() || unshare(CLONE_NEWPID))
		SKIP(return, "no pid namespace here (root only)");
	ASSERT_EQ(0, pipe(ready));
	child = fork();	/* pid 1 of the new namespace */
	ASSERT_LE(0, child);
	if (!child) {
		close(ready[0]);
		setpgid(0, 0);
		if (write(ready[1], "", 1) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	EXPECT_EQ(0, pidns_translate(child, PIDNS_PID, 1, &out));
	EXPECT_EQ(child, out);
	EXPECT_EQ(0, pidns_translate(child, PIDNS_PGID, 1, &out));
	EXPECT_EQ(child, out);
	/* a number only this namespace has is none there */
	r = pidns_translate(child, PIDNS_PID, getpid(), &out);
	EXPECT_EQ(-ESRCH, r);
	EXPECT_EQ(-ESRCH, pidns_translate(child, PIDNS_SID, 7, &out));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* a caller that is gone */
	EXPECT_EQ(-ESRCH, pidns_translate(child, PIDNS_PID, 1, &out));
}

TEST_HARNESS_MAIN
