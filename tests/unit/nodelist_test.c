// SPDX-License-Identifier: GPL-2.0
/*
 * nodelist_test.c - krg_nodelist_parse() and krg_nodelist_format().
 *
 * Build and run on the host (after `make -C tools`), from the top directory:
 *   gcc -I.cache/kselftest -Ikernel/uapi -Itools/libkrg \
 *	tests/unit/nodelist_test.c tools/libkrg/libkrg.a -o /tmp/nodelist_test
 *   /tmp/nodelist_test
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "libkrg.h"

/* Parse @s and return the canonical text of the result, or NULL. */
static const char *roundtrip(const char *s, char *buf, size_t len)
{
	unsigned long mask[KRG_NODEMASK_LONGS];

	if (krg_nodelist_parse(s, mask))
		return NULL;
	if (krg_nodelist_format(mask, buf, len) < 0)
		return NULL;
	return buf;
}

/* The empty list, alone or with the newline of a sysfs file, is no node. */
TEST(parse_empty)
{
	unsigned long mask[KRG_NODEMASK_LONGS];
	char buf[64];

	memset(mask, 0xff, sizeof(mask));
	ASSERT_EQ(0, krg_nodelist_parse("", mask));
	for (int n = 0; n < KRG_MAX_NODES; n++)
		ASSERT_EQ(0, krg_node_isset(n, mask));
	EXPECT_STREQ("", roundtrip("\n", buf, sizeof(buf)));
	EXPECT_STREQ("", roundtrip("  \t\n", buf, sizeof(buf)));
}

/* Single ids, ranges and their mix set exactly the listed nodes. */
TEST(parse_valid)
{
	unsigned long mask[KRG_NODEMASK_LONGS];

	ASSERT_EQ(0, krg_nodelist_parse("0-3,5\n", mask));
	for (int n = 0; n < KRG_MAX_NODES; n++)
		ASSERT_EQ(n <= 3 || n == 5, krg_node_isset(n, mask));
	ASSERT_EQ(0, krg_nodelist_parse("255", mask));
	ASSERT_EQ(1, krg_node_isset(255, mask));
	ASSERT_EQ(0, krg_node_isset(254, mask));
	ASSERT_EQ(0, krg_nodelist_parse("0-255", mask));
	for (int n = 0; n < KRG_MAX_NODES; n++)
		ASSERT_EQ(1, krg_node_isset(n, mask));
}

/* Bad syntax and bad ranges fail with EINVAL and leave the mask alone. */
TEST(parse_invalid)
{
	static const char *const bad[] = {
		"x", "1x", "1,,2", "1,", ",1", "-1", "1-", "-", "3-1",
		"1-2-3", " 1", "1 ,2", "1, 2", "+1", "0x1", "1\n2", "1.5",
		"1-\n", ",",
	};
	unsigned long mask[KRG_NODEMASK_LONGS];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		krg_nodemask_zero(mask);
		krg_node_set(7, mask);
		errno = 0;
		EXPECT_EQ(-1, krg_nodelist_parse(bad[i], mask))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("errno for '%s'", bad[i]);
		EXPECT_EQ(1, krg_node_isset(7, mask));
		EXPECT_EQ(0, krg_node_isset(1, mask));
	}
}

/* Ids from KRG_MAX_NODES up, however large, fail with ERANGE. */
TEST(parse_out_of_range)
{
	static const char *const bad[] = {
		"256", "0-256", "1,256", "99999999999999999999999999",
		"0-18446744073709551617", "4294967297",
	};
	unsigned long mask[KRG_NODEMASK_LONGS];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, krg_nodelist_parse(bad[i], mask))
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(ERANGE, errno) TH_LOG("errno for '%s'", bad[i]);
	}
}

/* Formatting merges runs like the kernel's %*pbl. */
TEST(format_canonical)
{
	char buf[64];

	EXPECT_STREQ("0-3,5", roundtrip("0,1,2,3,5", buf, sizeof(buf)));
	EXPECT_STREQ("0-1", roundtrip("1,0", buf, sizeof(buf)));
	EXPECT_STREQ("0-4", roundtrip("0-2,2-4", buf, sizeof(buf)));
	EXPECT_STREQ("7", roundtrip("7-7", buf, sizeof(buf)));
	EXPECT_STREQ("0-255", roundtrip("0-100,101-255", buf, sizeof(buf)));
	EXPECT_STREQ("0,2,255", roundtrip("255,0,2", buf, sizeof(buf)));
	EXPECT_STREQ("1-3,10-12", roundtrip("010-012,001-3", buf,
					     sizeof(buf)));
}

/* Every other node: the longest list still formats and parses back. */
TEST(format_longest)
{
	unsigned long mask[KRG_NODEMASK_LONGS], back[KRG_NODEMASK_LONGS];
	char buf[1024];
	int len;

	krg_nodemask_zero(mask);
	for (int n = 0; n < KRG_MAX_NODES; n += 2)
		krg_node_set(n, mask);
	len = krg_nodelist_format(mask, buf, sizeof(buf));
	ASSERT_EQ((int)strlen(buf), len);
	ASSERT_EQ(0, strncmp(buf, "0,2,4,", 6));
	ASSERT_EQ(0, krg_nodelist_parse(buf, back));
	ASSERT_EQ(0, memcmp(mask, back, sizeof(mask)));
}

/* A buffer too small gives ERANGE and a NUL-terminated prefix. */
TEST(format_too_small)
{
	unsigned long mask[KRG_NODEMASK_LONGS];
	char buf[4], exact[6];

	ASSERT_EQ(0, krg_nodelist_parse("0-3,5", mask));
	errno = 0;
	EXPECT_EQ(-1, krg_nodelist_format(mask, buf, sizeof(buf)));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_STREQ("0-3", buf);
	EXPECT_EQ(-1, krg_nodelist_format(mask, buf, 0));
	/* Exactly enough room. */
	EXPECT_EQ(5, krg_nodelist_format(mask, exact, sizeof(exact)));
	EXPECT_STREQ("0-3,5", exact);
}

/* Byte masks in Kerrighed's form: "[]", "[0]", "[1,2,255]"; cut short, NUL-ended. */
TEST(nodebytes_str)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	char buf[64], small[4];

	EXPECT_STREQ("[]", krg_nodebytes_str(m, buf, sizeof(buf)));
	krg_nodebytes_set(m, 0);
	EXPECT_STREQ("[0]", krg_nodebytes_str(m, buf, sizeof(buf)));
	memset(m, 0, sizeof(m));
	krg_nodebytes_set(m, 1);
	krg_nodebytes_set(m, 2);
	krg_nodebytes_set(m, 255);
	EXPECT_TRUE(krg_nodebytes_isset(m, 255));
	EXPECT_FALSE(krg_nodebytes_isset(m, 3));
	EXPECT_STREQ("[1,2,255]", krg_nodebytes_str(m, buf, sizeof(buf)));
	EXPECT_STREQ("[1,", krg_nodebytes_str(m, small, sizeof(small)));
}

TEST_HARNESS_MAIN
