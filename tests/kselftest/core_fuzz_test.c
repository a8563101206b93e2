// SPDX-License-Identifier: GPL-2.0
/*
 * Two processes make random configuration changes over the whole tree at
 * the same time (mkdir, rmdir, ln -s, rm, attribute writes of good values
 * and garbage, reads) for a bounded time. The kernel must not WARN or oops
 * (the VM panics on either), the tree must be removable afterwards, and
 * every module must unload.
 */
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"

#define SCH	KRG_CFS "/schedulers/"
#define PRB	KRG_CFS "/probes/test_probe"

static const char *const dirs[] = {
	PRB,
	SCH "a", SCH "b",
	SCH "a/test_policy", SCH "b/test_policy",
	SCH "a/test_policy/in/test_pass", SCH "a/test_policy/aux/test_pass",
	SCH "b/test_policy/in/test_pass",
	SCH "a/test_policy/in/test_pass/test_pass",
	SCH "a/process_set/process_groups/1",
	SCH "b/process_set/cgroups/fuzz",
};

/* Links: target, link. */
static const char *const links[][2] = {
	{ PRB "/value", SCH "a/test_policy/in/value" },
	{ PRB "/ticks", SCH "a/test_policy/aux/ticks" },
	{ PRB "/value", SCH "a/test_policy/in/test_pass/p" },
	{ PRB "/value", SCH "a/test_policy/in/test_pass/test_pass/p" },
	{ PRB "/load", SCH "a/test_policy/in/test_pass/value" },
	{ SCH "a/test_policy/in/test_pass", SCH "a/test_policy/in/test_pass/self" },
	{ PRB "/load", SCH "b/test_policy/in/load" },
	{ SCH "a/test_policy/in", SCH "b/test_policy/aux/in" },
	{ SCH "b/test_policy/aux", SCH "a/test_policy/in/aux" },
	{ SCH "a/test_policy/in/test_pass", SCH "b/test_policy/in/test_pass_l" },
	{ SCH "a", SCH "b/test_policy/in/a" },
};

static const char *const attrs[] = {
	SCH "a/node_set", SCH "b/node_set", SCH "a/node_set_exclusive",
	SCH "b/node_set_exclusive", SCH "a/node_set_max_fit",
	SCH "a/process_set/handle_all", SCH "b/process_set/handle_all",
	PRB "/probe_period", PRB "/set", PRB "/set_node",
	SCH "a/test_policy/answer", SCH "b/process_set/cgroups/fuzz/path",
	SCH "a/status", SCH "a/test_policy/stats",
	SCH "a/test_policy/in/collected_value", PRB "/value/nodes/1/value",
	SCH "a/test_policy/in/test_pass/collected_value",
	SCH "a/test_policy/in/test_pass/value",
	PRB "/per_pid/value", PRB "/pid", PRB "/pid_value", PRB "/cost_ns",
};

static const char *const values[] = {
	"0", "1", "0-1", "", "garbage", "-1", "99999999999999999999", "1,,0",
	"20", "100", "5 7", "/fuzz", "/", "0\n", "\n\n", "255",
};

/* Operations tried and succeeded, per kind, shared by both fuzzers. */
struct fuzz_counts {
	unsigned long tried[6];
	unsigned long done[6];
};

static void fuzz(unsigned int seed, int seconds, struct fuzz_counts *c)
{
	time_t end = time(NULL) + seconds;
	char buf[4096];
	unsigned int n, op;
	int ret;

	srand(seed);
	while (time(NULL) < end) {
		op = rand() % 6;
		switch (op) {
		case 0:
			ret = mkdir(dirs[rand() % ARRAY_SIZE(dirs)], 0755);
			break;
		case 1:
			ret = rmdir(dirs[rand() % ARRAY_SIZE(dirs)]);
			break;
		case 2:
			n = rand() % ARRAY_SIZE(links);
			ret = symlink(links[n][0], links[n][1]);
			break;
		case 3:
			ret = unlink(links[rand() % ARRAY_SIZE(links)][1]);
			break;
		case 4:
			ret = krg_write(attrs[rand() % ARRAY_SIZE(attrs)],
					values[rand() % ARRAY_SIZE(values)]);
			break;
		default:
			ret = krg_read(attrs[rand() % ARRAY_SIZE(attrs)], buf,
				       sizeof(buf));
			break;
		}
		__atomic_fetch_add(&c->tried[op], 1, __ATOMIC_RELAXED);
		if (!ret)
			__atomic_fetch_add(&c->done[op], 1, __ATOMIC_RELAXED);
	}
}

/* Remove everything: links first, then directories deepest first. */
static int teardown_tree(void)
{
	int i, round;

	for (round = 0; round < 5; round++) {
		for (i = 0; i < (int)ARRAY_SIZE(links); i++)
			unlink(links[i][1]);
		for (i = ARRAY_SIZE(dirs) - 1; i >= 0; i--)
			rmdir(dirs[i]);
	}
	for (i = 0; i < (int)ARRAY_SIZE(dirs); i++)
		if (krg_exists(dirs[i]))
			return -1;
	return 0;
}

FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Random concurrent changes leave no trace once the tree is removed. */
TEST_F_TIMEOUT(fuzz, concurrent_changes, 180)
{
	int seconds = getenv("KRG_FUZZ_SECONDS") ?
		      atoi(getenv("KRG_FUZZ_SECONDS")) : 20;
	static const char *const names[] = {
		"mkdir", "rmdir", "ln", "unlink", "write", "read",
	};
	struct fuzz_counts *c;
	pid_t a, b;
	int status, i;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);

	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	mkdir("/sys/fs/cgroup/fuzz", 0755);
	a = fork();
	ASSERT_GE(a, 0);
	if (!a) {
		fuzz(1, seconds, c);
		_exit(0);
	}
	b = fork();
	ASSERT_GE(b, 0);
	if (!b) {
		fuzz(2, seconds, c);
		_exit(0);
	}
	ASSERT_EQ(a, waitpid(a, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(b, waitpid(b, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));

	for (i = 0; i < 6; i++) {
		ksft_print_msg("%s: %lu tried, %lu succeeded\n", names[i],
			       c->tried[i], c->done[i]);
		/* The vocabulary must really change the tree. */
		EXPECT_GT(c->done[i], 0UL);
	}
	ASSERT_EQ(0, teardown_tree());
	rmdir("/sys/fs/cgroup/fuzz");
	/* No leftover references: every module goes. */
	krg_rmmod("krg_test_policy");
	krg_rmmod("krg_test_filter");
	krg_rmmod("krg_test_probe");
	EXPECT_FALSE(krg_mod_loaded("krg_test_policy"));
	EXPECT_FALSE(krg_mod_loaded("krg_test_filter"));
	EXPECT_FALSE(krg_mod_loaded("krg_test_probe"));
	EXPECT_EQ(0, krg_rmmod("krg_scheduler"));
}

TEST_HARNESS_MAIN
