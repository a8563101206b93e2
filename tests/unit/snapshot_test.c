// SPDX-License-Identifier: GPL-2.0
/*
 * snapshot_test.c - the replicated tree's snapshots (tools/krgd/snapshot.c)
 * on a directory of the host standing for krg_scheduler: what is listed
 * and what is left out, the text form through its parser, what a peer's
 * text may not name, and snapshot_restore() making a tree equal to
 * another, with a directory that cannot be made.
 *
 * Build and run: `make check-unit` (tests/Makefile links snapshot.c and
 * hash.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/krgd/krgd.h"

/* krgd's log: snapshot.c says what it cannot make; counted here. */
static int said;
void say(int prio, const char *fmt, ...)
{
	(void)prio;
	(void)fmt;
	said++;
}

static void put(const char *root, const char *rel, const char *value,
		mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
		perror(p);
		exit(1);
	}
	close(fd);
	chmod(p, mode);
}

static void dir(const char *root, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755)) {
		perror(p);
		exit(1);
	}
}

static void link_to(const char *root, const char *rel, const char *target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p)) {
		perror(p);
		exit(1);
	}
}

/* The text form of the tree at @root, NUL-terminated. */
static char *text_of(const char *root)
{
	struct snapshot *s = snapshot_take(root);
	size_t len;
	char *t, *z;

	if (!s)
		return NULL;
	t = snapshot_text(s, &len);
	snapshot_free(s);
	if (!t)
		return NULL;
	z = realloc(t, len + 1);
	if (!z) {
		free(t);
		return NULL;
	}
	z[len] = '\0';
	return z;
}

/* A tree as krg_scheduler has them: probes, schedulers, links, members. */
static void build(const char *r)
{
	dir(r, "probes");
	dir(r, "probes/mosix_probe");
	put(r, "probes/mosix_probe/probe_period", "100\n", 0644);
	put(r, "probes/mosix_probe/value", "3\n", 0444);	/* not configuration */
	put(r, "probes/mosix_probe/pid", "42\n", 0644);		/* this node's */
	dir(r, "schedulers");
	dir(r, "schedulers/fit");
	put(r, "schedulers/fit/node_set_max_fit", "1\n", 0644);
	put(r, "schedulers/fit/node_set", "0-2\n", 0644);	/* follows the view */
	dir(r, "schedulers/fixed");
	put(r, "schedulers/fixed/node_set_max_fit", "0\n", 0644);
	put(r, "schedulers/fixed/node_set", "0-1\n", 0644);
	dir(r, "schedulers/fixed/port");
	link_to(r, "schedulers/fixed/port/p", "../../../probes/mosix_probe");
	dir(r, "schedulers/fixed/process_set");
	dir(r, "schedulers/fixed/process_set/single_processes");
	dir(r, "schedulers/fixed/process_set/single_processes/4242");
	dir(r, "schedulers/fixed/process_set/cgroups");
	put(r, "schedulers/fixed/odd\tname", "a\\b\nc", 0644);
}

FIXTURE(trees) {
	char a[64], b[64];
};

FIXTURE_SETUP(trees)
{
	char base[] = "/tmp/krg-snapshot-XXXXXX";

	ASSERT_NE(NULL, mkdtemp(base));
	snprintf(self->a, sizeof(self->a), "%s/a", base);
	snprintf(self->b, sizeof(self->b), "%s/b", base);
	ASSERT_EQ(0, mkdir(self->a, 0755));
	ASSERT_EQ(0, mkdir(self->b, 0755));
	build(self->a);
	said = 0;
}

FIXTURE_TEARDOWN(trees)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(self->a) - 2),
		 self->a);
	if (system(cmd))
		TH_LOG("could not remove %s", cmd);
}

/* What is configuration is listed, in order; this node's own is not. */
TEST_F(trees, listed_and_left_out)
{
	char *t = text_of(self->a);

	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "D\tprobes/mosix_probe\t\n"));
	EXPECT_NE(NULL, strstr(t, "A\tprobes/mosix_probe/probe_period\t100\\n\n"));
	EXPECT_EQ(NULL, strstr(t, "mosix_probe/value"));
	EXPECT_EQ(NULL, strstr(t, "mosix_probe/pid"));
	EXPECT_EQ(NULL, strstr(t, "schedulers/fit/node_set\t"));
	EXPECT_NE(NULL, strstr(t, "A\tschedulers/fit/node_set_max_fit\t1\\n\n"));
	EXPECT_NE(NULL, strstr(t, "A\tschedulers/fixed/node_set\t0-1\\n\n"));
	EXPECT_NE(NULL, strstr(t, "L\tschedulers/fixed/port/p\tprobes/mosix_probe\n"));
	EXPECT_NE(NULL, strstr(t, "D\tschedulers/fixed/process_set/single_processes\t\n"));
	EXPECT_EQ(NULL, strstr(t, "4242"));
	EXPECT_NE(NULL, strstr(t, "A\tschedulers/fixed/odd\\tname\ta\\\\b\\nc\n"));
	/* pre-order, names sorted: probes before schedulers, fit before fixed */
	EXPECT_LT(strstr(t, "D\tprobes\t"), strstr(t, "D\tschedulers\t"));
	EXPECT_LT(strstr(t, "D\tschedulers/fit\t"), strstr(t, "D\tschedulers/fixed\t"));
	free(t);
}

/* The text parses back to the same text, so the same hash. */
TEST_F(trees, text_round_trip)
{
	char *t = text_of(self->a), *t2;
	struct snapshot *s;
	size_t len;

	ASSERT_NE(NULL, t);
	s = snapshot_parse(t, strlen(t));
	ASSERT_NE(NULL, s);
	t2 = snapshot_text(s, &len);
	ASSERT_NE(NULL, t2);
	ASSERT_EQ(strlen(t), len);
	EXPECT_EQ(0, memcmp(t, t2, len));
	EXPECT_EQ(snapshot_hash(t, len), snapshot_hash(t2, len));
	snapshot_free(s);
	free(t2);
	free(t);
}

/*
 * What differs is undone: an extra directory and link, a changed value, a
 * directory and link missing. (The attribute files are there, as configfs
 * makes them with their directory.)
 */
TEST_F(trees, restore_what_differs)
{
	char *t = text_of(self->a), *t2, log[512];
	struct snapshot *want;

	ASSERT_NE(NULL, t);
	build(self->b);
	dir(self->b, "schedulers/extra");
	dir(self->b, "schedulers/extra/inner");
	link_to(self->b, "schedulers/fit/p", "../../probes/mosix_probe");
	put(self->b, "probes/mosix_probe/probe_period", "250\n", 0644);
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/schedulers/fixed/port/p", self->b);
		ASSERT_EQ(0, unlink(p));
		snprintf(p, sizeof(p), "%s/schedulers/fixed/port", self->b);
		ASSERT_EQ(0, rmdir(p));
	}
	want = snapshot_parse(t, strlen(t));
	ASSERT_NE(NULL, want);
	EXPECT_EQ(0, snapshot_restore(self->b, want, log, sizeof(log)));
	t2 = text_of(self->b);
	ASSERT_NE(NULL, t2);
	EXPECT_STREQ(t, t2);
	snapshot_free(want);
	free(t2);
	free(t);
}

/*
 * A directory that cannot be made here (a module missing, in krgd; a name
 * too long, here) counts once: what lies under it is not tried.
 */
TEST_F(trees, restore_skips_under_a_failed_directory)
{
	char name[300], text[2048], log[512];
	struct snapshot *want;
	int n;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = snprintf(text, sizeof(text),
		     "D\tprobes\t\nD\tprobes/%s\t\nD\tprobes/%s/sub\t\n"
		     "A\tprobes/%s/sub/probe_period\t5\nL\tprobes/%s/l\tprobes\n"
		     "D\tprobes/ok\t\n",
		     name, name, name, name);
	ASSERT_LT(n, (int)sizeof(text));
	want = snapshot_parse(text, (size_t)n);
	ASSERT_NE(NULL, want);
	EXPECT_EQ(1, snapshot_restore(self->b, want, log, sizeof(log)));
	EXPECT_EQ(1, said);
	EXPECT_NE(NULL, strstr(log, "mkdir probes/xxx"));
	EXPECT_NE(NULL, strstr(log, strerror(ENAMETOOLONG)));
	EXPECT_EQ(NULL, strstr(log, "; "));	/* one failure said */
	snapshot_free(want);
	{
		char p[PATH_MAX];
		struct stat st;

		snprintf(p, sizeof(p), "%s/probes/ok", self->b);
		EXPECT_EQ(0, stat(p, &st));	/* the rest is made */
	}
}

/* A peer's text may only name what is inside the subsystem. */
TEST(parse_refuses)
{
	static const char *const bad[] = {
		"D\t../etc\t\n",
		"D\tprobes/../../etc\t\n",
		"D\t/etc\t\n",
		"A\tprobes//x\t1\n",
		"A\tprobes/./x\t1\n",
		"D\tprobes/\t\n",
		"D\t\t\n",
		"L\tschedulers/s/p\t../../etc\n",
		"D\tprobes\tdata\n",
		"X\tprobes\t\n",
		"D probes\n",
		"Dprobes\t\t\n",
		"D\tprobes\t",		/* no newline */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(NULL, snapshot_parse(bad[i], strlen(bad[i]))) {
			TH_LOG("accepted: %s", bad[i]);
		}
		EXPECT_EQ(EINVAL, errno);
	}
}

/* Absolute link targets (outside the subsystem) and the empty text are. */
TEST(parse_accepts)
{
	static const char ok[] = "L\tschedulers/s/p\t/sys/kernel/config/x\n";
	struct snapshot *s = snapshot_parse(ok, strlen(ok));

	EXPECT_NE(NULL, s);
	snapshot_free(s);
	s = snapshot_parse("", 0);
	EXPECT_NE(NULL, s);
	snapshot_free(s);
}

TEST(path_ok)
{
	EXPECT_TRUE(snapshot_path_ok("probes"));
	EXPECT_TRUE(snapshot_path_ok("schedulers/s/mosix_load_balancer/process_load/p"));
	EXPECT_TRUE(snapshot_path_ok("probes/..x/.y"));
	EXPECT_FALSE(snapshot_path_ok(""));
	EXPECT_FALSE(snapshot_path_ok("/probes"));
	EXPECT_FALSE(snapshot_path_ok("probes/"));
	EXPECT_FALSE(snapshot_path_ok("probes//x"));
	EXPECT_FALSE(snapshot_path_ok(".."));
	EXPECT_FALSE(snapshot_path_ok("probes/.."));
	EXPECT_FALSE(snapshot_path_ok("./probes"));
}

/* This node's own: members by pid, pgid, sid, and a probe's pid. */
TEST(is_local)
{
	EXPECT_TRUE(snapshot_is_local("probes/mosix_probe/pid"));
	EXPECT_TRUE(snapshot_is_local("schedulers/s/process_set/single_processes/42"));
	EXPECT_TRUE(snapshot_is_local("schedulers/s/process_set/process_groups/7"));
	EXPECT_TRUE(snapshot_is_local("schedulers/s/process_set/process_sessions/1"));
	EXPECT_FALSE(snapshot_is_local("schedulers/s/process_set/single_processes"));
	EXPECT_FALSE(snapshot_is_local("schedulers/s/process_set/cgroups/a"));
	EXPECT_FALSE(snapshot_is_local("probes/mosix_probe/probe_period"));
	EXPECT_FALSE(snapshot_is_local("probes/pid"));
}

TEST_HARNESS_MAIN
