// SPDX-License-Identifier: GPL-2.0
/*
 * caps_test.c - capability names, krg_caps_apply() and the set formatters.
 *
 * Build and run on the host (after `make -C tools`), from the top directory:
 *   gcc -I.cache/kselftest -Ikernel/uapi -Itools/libkrg \
 *	tests/unit/caps_test.c tools/libkrg/libkrg.a -o /tmp/caps_test
 *   /tmp/caps_test
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "libkrg.h"

#define B(cap)	KRG_CAP_BIT(KRG_CAP_##cap)

static const char *const names[KRG_CAP_NR] = {
	"CHANGE_KERRIGHED_CAP", "CAN_MIGRATE", "DISTANT_FORK", "FORK_DELAY",
	"CHECKPOINTABLE", "USE_REMOTE_MEMORY", "USE_INTRA_CLUSTER_KERSTREAMS",
	"USE_INTER_CLUSTER_KERSTREAMS", "USE_WORLD_VISIBLE_KERSTREAMS",
	"SEE_LOCAL_PROC_STAT", "DEBUG", "SYSCALL_EXIT_HOOK",
};

/* Every bit has Kerrighed's name, and nothing outside 0..11 has one. */
TEST(cap_name)
{
	for (int bit = 0; bit < KRG_CAP_NR; bit++)
		EXPECT_STREQ(names[bit], krg_cap_name(bit));
	EXPECT_EQ(NULL, krg_cap_name(-1));
	EXPECT_EQ(NULL, krg_cap_name(KRG_CAP_NR));
	EXPECT_EQ(NULL, krg_cap_name(31));
}

/* Names map back to their bits, in any case. */
TEST(cap_from_name)
{
	for (int bit = 0; bit < KRG_CAP_NR; bit++)
		EXPECT_EQ(bit, krg_cap_from_name(names[bit]));
	EXPECT_EQ(KRG_CAP_CAN_MIGRATE, krg_cap_from_name("can_migrate"));
	EXPECT_EQ(KRG_CAP_DEBUG, krg_cap_from_name("Debug"));
}

/* Prefixes, extensions, padding and junk are not names (unlike Kerrighed). */
TEST(cap_from_name_invalid)
{
	static const char *const bad[] = {
		"", "C", "CAN", "CAN_MIG", "CAN_MIGRATEX", " CAN_MIGRATE",
		"CAN_MIGRATE ", "KRG_CAP_CAN_MIGRATE", "1", "ALL", "CAN-MIGRATE",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, krg_cap_from_name(bad[i]))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, krg_cap_from_name(NULL));
}

/* "+LIST" adds to the old set. */
TEST(apply_add)
{
	__u32 out = 0;

	ASSERT_EQ(0, krg_caps_apply("+CAN_MIGRATE", B(CHANGE_KERRIGHED_CAP),
				    &out, NULL));
	EXPECT_EQ(B(CHANGE_KERRIGHED_CAP) | B(CAN_MIGRATE), out);
	ASSERT_EQ(0, krg_caps_apply("+distant_fork,DEBUG,CAN_MIGRATE",
				    B(CAN_MIGRATE), &out, NULL));
	EXPECT_EQ(B(CAN_MIGRATE) | B(DISTANT_FORK) | B(DEBUG), out);
	/* A name twice is harmless. */
	ASSERT_EQ(0, krg_caps_apply("+DEBUG,DEBUG", 0, &out, NULL));
	EXPECT_EQ(B(DEBUG), out);
}

/* "-LIST" removes from the old set; removing what is absent is fine. */
TEST(apply_remove)
{
	__u32 out = 0;

	ASSERT_EQ(0, krg_caps_apply("-CAN_MIGRATE", KRG_CAP_ALL_NAMED, &out,
				    NULL));
	EXPECT_EQ(KRG_CAP_ALL_NAMED & ~B(CAN_MIGRATE), out);
	ASSERT_EQ(0, krg_caps_apply("-DEBUG,CHECKPOINTABLE", B(DEBUG), &out,
				    NULL));
	EXPECT_EQ(0U, out);
}

/* "LIST" replaces the old set. */
TEST(apply_replace)
{
	__u32 out = 0;

	ASSERT_EQ(0, krg_caps_apply("CAN_MIGRATE,SYSCALL_EXIT_HOOK",
				    KRG_CAP_ALL_NAMED, &out, NULL));
	EXPECT_EQ(B(CAN_MIGRATE) | B(SYSCALL_EXIT_HOOK), out);
}

/* A NUMBER replaces the set, in decimal, hex or octal. */
TEST(apply_number)
{
	__u32 out = 0;

	ASSERT_EQ(0, krg_caps_apply("3", 0xff, &out, NULL));
	EXPECT_EQ(3U, out);
	ASSERT_EQ(0, krg_caps_apply("0x800", 0, &out, NULL));
	EXPECT_EQ(B(SYSCALL_EXIT_HOOK), out);
	ASSERT_EQ(0, krg_caps_apply("0X3", 0, &out, NULL));
	EXPECT_EQ(3U, out);
	ASSERT_EQ(0, krg_caps_apply("07777", 0, &out, NULL));
	EXPECT_EQ(KRG_CAP_ALL_NAMED, out);
	ASSERT_EQ(0, krg_caps_apply("0", 0xff, &out, NULL));
	EXPECT_EQ(0U, out);
	ASSERT_EQ(0, krg_caps_apply("4095", 0, &out, NULL));
	EXPECT_EQ(KRG_CAP_ALL_NAMED, out);
}

/* Every malformed spec fails with EINVAL, names the token, keeps *out. */
TEST(apply_invalid)
{
	static const struct {
		const char *spec, *bad;
	} cases[] = {
		{ "",				"" },
		{ "+",				"" },
		{ "-",				"" },
		{ "FOO",			"FOO" },
		{ "+CAN_MIG",			"CAN_MIG" },
		{ "-CAN_MIGRATEX",		"CAN_MIGRATEX" },
		{ "CAN_MIGRATE,",		"" },
		{ ",CAN_MIGRATE",		"" },
		{ "+CAN_MIGRATE,,DEBUG",	"" },
		{ "CAN_MIGRATE,FOO,DEBUG",	"FOO" },
		{ "CAN_MIGRATE DEBUG",		"CAN_MIGRATE DEBUG" },
		{ " CAN_MIGRATE",		" CAN_MIGRATE" },
		{ "++CAN_MIGRATE",		"+CAN_MIGRATE" },
		{ "+-CAN_MIGRATE",		"-CAN_MIGRATE" },
		{ "+3",				"3" },
		{ "-1",				"1" },
		{ "4096",			"4096" },	/* bit 12 */
		{ "0x1000",			"0x1000" },
		{ "0x80000000",			"0x80000000" },
		{ "4294967296",			"4294967296" },	/* > 32 bits */
		{ "99999999999999999999999",	"99999999999999999999999" },
		{ "08",				"08" },		/* octal */
		{ "0x",				"0x" },
		{ "12abc",			"12abc" },
		{ "1 ",				"1 " },
		{ "0xg",			"0xg" },
	};
	const char *bad;
	__u32 out;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		out = 0x5a5;
		bad = NULL;
		errno = 0;
		EXPECT_EQ(-1, krg_caps_apply(cases[i].spec, 0, &out, &bad))
			TH_LOG("accepted '%s'", cases[i].spec);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0x5a5U, out);
		ASSERT_NE(NULL, bad);
		EXPECT_STREQ(cases[i].bad, bad)
			TH_LOG("spec '%s'", cases[i].spec);
	}
	/* @bad may be NULL, and a NULL spec is refused. */
	EXPECT_EQ(-1, krg_caps_apply("FOO", 0, &out, NULL));
	EXPECT_EQ(-1, krg_caps_apply(NULL, 0, &out, &bad));
}

/* A very long bad token is reported truncated, not overflowed. */
TEST(apply_long_token)
{
	char spec[300];
	const char *bad = NULL;
	__u32 out;

	memset(spec, 'A', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	ASSERT_EQ(-1, krg_caps_apply(spec, 0, &out, &bad));
	ASSERT_NE(NULL, bad);
	EXPECT_EQ(63UL, strlen(bad));
}

/* The flat list is names joined by ", ", unknown bits as bitN. */
TEST(format_flat)
{
	char buf[512];

	EXPECT_EQ(0, krg_caps_format(0, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	krg_caps_format(B(CHANGE_KERRIGHED_CAP), buf, sizeof(buf));
	EXPECT_STREQ("CHANGE_KERRIGHED_CAP", buf);
	krg_caps_format(B(CAN_MIGRATE) | B(DEBUG) | (1U << 31), buf,
			sizeof(buf));
	EXPECT_STREQ("CAN_MIGRATE, DEBUG, bit31", buf);
}

/* snprintf semantics: the full length is returned even when truncated. */
TEST(format_truncated)
{
	char buf[8];
	int len;

	len = krg_caps_format(B(CAN_MIGRATE) | B(DEBUG), buf, sizeof(buf));
	EXPECT_EQ((int)strlen("CAN_MIGRATE, DEBUG"), len);
	EXPECT_STREQ("CAN_MIG", buf);
	EXPECT_EQ(len, krg_caps_format(B(CAN_MIGRATE) | B(DEBUG), NULL, 0));
}

/* Wrapped lines start with a tab, end with '\n' and stay under 80 columns. */
TEST(format_wrapped)
{
	char buf[512], *line, *save;
	int lines = 0;
	__u32 set = 0;

	krg_caps_format_wrapped(0, buf, sizeof(buf));
	EXPECT_STREQ("\t\n", buf);
	krg_caps_format_wrapped(B(CHANGE_KERRIGHED_CAP), buf, sizeof(buf));
	EXPECT_STREQ("\tCHANGE_KERRIGHED_CAP\n", buf);

	krg_caps_format_wrapped(KRG_CAP_ALL_NAMED, buf, sizeof(buf));
	ASSERT_EQ('\n', buf[strlen(buf) - 1]);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), lines++) {
		ASSERT_EQ('\t', line[0]);
		EXPECT_LT(8 + strlen(line + 1), 80UL) TH_LOG("'%s'", line);
		/* Each name of the line, back to a set. */
		for (char *tok = strtok(line + 1, ","); tok;
		     tok = strtok(NULL, ",")) {
			int bit;

			while (*tok == ' ')
				tok++;
			bit = krg_cap_from_name(tok);
			ASSERT_GE(bit, 0) TH_LOG("'%s'", tok);
			set |= KRG_CAP_BIT(bit);
		}
	}
	EXPECT_GT(lines, 1);
	EXPECT_EQ(KRG_CAP_ALL_NAMED, set);
}

TEST_HARNESS_MAIN
