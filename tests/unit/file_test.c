// SPDX-License-Identifier: GPL-2.0
/*
 * file_test.c - krg_read_file() and krg_write_file() on ordinary files
 * (what they do with sysfs and configfs attributes, the scenario tests
 * check in the VM).
 *
 * Build and run on the host (after `make -C tools`), from the top directory:
 *   gcc -I.cache/kselftest -Ikernel/uapi -Itools/libkrg \
 *	tests/unit/file_test.c tools/libkrg/libkrg.a -o /tmp/file_test
 *   /tmp/file_test
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libkrg.h"

FIXTURE(file) {
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(file)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/krg_file_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/attr", self->dir);
}

FIXTURE_TEARDOWN(file)
{
	unlink(self->path);
	rmdir(self->dir);
}

static void put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(s, f);
		fclose(f);
	}
}

/* The text comes back NUL-terminated, its trailing line ends cut. */
TEST_F(file, read_cuts_line_ends)
{
	char buf[32];

	put(self->path, "0-3,5\n");
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("0-3,5", buf);
	put(self->path, "a b\r\n\n");
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("a b", buf);
	put(self->path, "two\nlines\n");
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("two\nlines", buf);
	put(self->path, "");
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

/* @len - 1 bytes fit; one more is ERANGE, with the start in @buf. */
TEST_F(file, read_too_long)
{
	char buf[8];

	put(self->path, "1234567");
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("1234567", buf);
	put(self->path, "12345678\n");
	errno = 0;
	ASSERT_EQ(-1, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_STREQ("1234567", buf);
	errno = 0;
	EXPECT_EQ(-1, krg_read_file(self->path, buf, 0));
	EXPECT_EQ(ERANGE, errno);
}

/* A missing file is open(2)'s ENOENT, and @buf is left alone. */
TEST_F(file, read_missing)
{
	char buf[8] = "?";

	errno = 0;
	ASSERT_EQ(-1, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_STREQ("?", buf);
}

/* The value is written as given, without a newline. */
TEST_F(file, write)
{
	char buf[32];

	put(self->path, "");
	ASSERT_EQ(0, krg_write_file(self->path, "1 25"));
	ASSERT_EQ(0, krg_read_file(self->path, buf, sizeof(buf)));
	EXPECT_STREQ("1 25", buf);
}

/* Failures carry the errno of the step that failed. */
TEST_F(file, write_errors)
{
	errno = 0;
	EXPECT_EQ(-1, krg_write_file(self->path, "1"));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, krg_write_file(self->dir, "1"));
	EXPECT_EQ(EISDIR, errno);
	if (access("/dev/full", W_OK))
		SKIP(return, "no /dev/full");
	errno = 0;
	EXPECT_EQ(-1, krg_write_file("/dev/full", "1"));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_HARNESS_MAIN
