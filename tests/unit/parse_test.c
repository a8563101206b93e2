// SPDX-License-Identifier: GPL-2.0
/*
 * parse_test.c - krg_parse_num() and krg_parse_arg(), the number parser of
 * every tool's arguments.
 *
 * Build and run on the host (after `make -C tools`), from the top directory:
 *   gcc -I.cache/kselftest -Ikernel/uapi -Itools/libkrg \
 *	tests/unit/parse_test.c tools/libkrg/libkrg.a -o /tmp/parse_test
 *   /tmp/parse_test
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libkrg.h"

/* Whole decimal numbers within the range are taken, bounds included. */
TEST(num_valid)
{
	long long v;

	ASSERT_EQ(0, krg_parse_num("0", 0, 255, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, krg_parse_num("255", 0, 255, &v));
	EXPECT_EQ(255, v);
	ASSERT_EQ(0, krg_parse_num("-7", -10, 10, &v));
	EXPECT_EQ(-7, v);
	ASSERT_EQ(0, krg_parse_num("9223372036854775807", 0, LLONG_MAX, &v));
	EXPECT_EQ(LLONG_MAX, v);
	ASSERT_EQ(0, krg_parse_num("-9223372036854775808", LLONG_MIN, 0, &v));
	EXPECT_EQ(LLONG_MIN, v);
	/* Base 10 always: a leading 0 is no octal. */
	ASSERT_EQ(0, krg_parse_num("010", 0, 100, &v));
	EXPECT_EQ(10, v);
}

/* As strtoll(3) reads it: leading blanks and a sign are allowed. */
TEST(num_strtoll_syntax)
{
	long long v;

	ASSERT_EQ(0, krg_parse_num(" 12", 0, 100, &v));
	EXPECT_EQ(12, v);
	ASSERT_EQ(0, krg_parse_num("+12", 0, 100, &v));
	EXPECT_EQ(12, v);
	ASSERT_EQ(0, krg_parse_num("-0", 0, 100, &v));
	EXPECT_EQ(0, v);
}

/* Empty strings, garbage and trailing junk are EINVAL; *out is kept. */
TEST(num_invalid)
{
	static const char *const bad[] = {
		"", " ", "-", "+", "abc", "x1", "1x", "12 ", "1.5", "0x10",
		"1e3", "1,2", "5\n", "--1", "+-1", "1 2",
	};
	long long v;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 42;
		errno = 0;
		EXPECT_EQ(-1, krg_parse_num(bad[i], 0, 1000, &v))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("errno for '%s'", bad[i]);
		EXPECT_EQ(42, v) TH_LOG("wrote *out for '%s'", bad[i]);
	}
}

/* Below min (a negative for a count), above max, or beyond long long. */
TEST(num_range)
{
	static const struct {
		const char *s;
		long long min, max;
	} bad[] = {
		{ "-1", 0, 255 },
		{ "256", 0, 255 },
		{ "0", 1, INT_MAX },
		{ "2147483648", 1, INT_MAX },
		{ "-11", -10, 10 },
		{ "9223372036854775808", 0, LLONG_MAX },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX },
		{ "99999999999999999999999", LLONG_MIN, LLONG_MAX },
	};
	long long v;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 42;
		errno = 0;
		EXPECT_EQ(-1, krg_parse_num(bad[i].s, bad[i].min, bad[i].max,
					    &v))
			TH_LOG("accepted '%s'", bad[i].s);
		EXPECT_EQ(ERANGE, errno) TH_LOG("errno for '%s'", bad[i].s);
		EXPECT_EQ(42, v) TH_LOG("wrote *out for '%s'", bad[i].s);
	}
}

/*
 * Run krg_parse_arg(@arg, "node", 0, 255) in a child; its exit status,
 * and its stderr in @err.
 */
static int parse_arg_child(const char *arg, char *err, size_t len)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fds[1], STDERR_FILENO);
		krg_parse_arg(arg, "node", 0, 255);
		_exit(0);
	}
	close(fds[1]);
	while (got < len - 1 &&
	       (n = read(fds[0], err + got, len - 1 - got)) > 0)
		got += n;
	err[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A bad argument: "invalid node argument 'X'", the --help hint, exit 1. */
TEST(arg_misuse)
{
	static const char *const bad[] = { "", "abc", "-1", "256", "3x" };
	char err[512], want[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(1, parse_arg_child(bad[i], err, sizeof(err)))
			TH_LOG("exit status for '%s'", bad[i]);
		snprintf(want, sizeof(want), "invalid node argument '%s'\n",
			 bad[i]);
		EXPECT_NE(NULL, strstr(err, want)) TH_LOG("stderr: %s", err);
		EXPECT_NE(NULL, strstr(err, "--help' for more information."))
			TH_LOG("stderr: %s", err);
	}
}

/* A good argument is returned, and nothing is printed. */
TEST(arg_valid)
{
	char err[512];

	ASSERT_EQ(0, parse_arg_child("17", err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_EQ(17, krg_parse_arg("17", "node", 0, 255));
}

TEST_HARNESS_MAIN
