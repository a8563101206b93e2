// SPDX-License-Identifier: GPL-2.0
/*
 * The filters of filters/ (threshold_filter, freq_limit_filter,
 * remote_cache_filter, ewma_filter), each between test_probe (whose global
 * and per-node values the tests set) and test_policy (whose `updates` and
 * `last` show what was pushed and what a pull read then): push and pull
 * semantics, per-node values, boundaries, "no value yet", garbage in every
 * attribute. No timed assertions: waits are for counters to move.
 */
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"

#define PR	KRG_CFS "/probes/test_probe"
#define S	KRG_CFS "/schedulers/ft"
#define POL	S "/test_policy"
#define IN	POL "/in"
#define THR	IN "/threshold_filter"
#define FRQ	IN "/freq_limit_filter"
#define RC	IN "/remote_cache_filter"
#define EW	IN "/ewma_filter"

/* The number after "@key " in a "key value" per line file, or -1. */
static long long stat_of(const char *path, const char *key)
{
	const char *buf = krg_rd(path), *p = buf;
	size_t n = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

/* Pushes test_policy saw on its "in" port. */
static int updates(void)
{
	int in = -1;

	sscanf(krg_rd(POL "/updates"), "in %d", &in);
	return in;
}

static int set(unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return krg_write(PR "/set", buf);
}

static int set_node(int node, unsigned long long v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%d %llu", node, v);
	return krg_write(PR "/set_node", buf);
}

static void cleanup(void)
{
	krg_remove_tree(S);
	rmdir(PR);
}

/* Run on the CPU(s) of @node, so that "the local node" is @node. */
static int pin_node(int node)
{
	char path[64], list[64];
	cpu_set_t set;
	int cpu;

	snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist", node);
	if (krg_read(path, list, sizeof(list)))
		return -1;
	cpu = atoi(list);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Wait (up to 10 s) for a counter file's value to go past @old. */
static long long wait_past(const char *path, const char *key, long long old)
{
	long long v = -1;
	int i;

	for (i = 0; i < 1000; i++) {
		v = key ? stat_of(path, key) : krg_rdll(path);
		if (v > old)
			break;
		usleep(10 * 1000);
	}
	return v;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

struct bad_input {
	const char *in;
	int err;
};

/* Every @bad write fails with its errno and leaves @attr showing @keep. */
#define EXPECT_GARBAGE(attr, bad, keep)					\
	do {								\
		unsigned int __i;					\
		for (__i = 0; __i < ARRAY_SIZE(bad); __i++) {		\
			EXPECT_EQ(-(bad)[__i].err,			\
				  krg_write(attr, (bad)[__i].in))	\
				TH_LOG("%s accepted '%s'", attr,	\
				       (bad)[__i].in);			\
			EXPECT_STREQ(keep, krg_rd(attr));			\
		}							\
	} while (0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

FIXTURE(flt) {
	int unused;
};

FIXTURE_SETUP(flt)
{
	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	cleanup();
	ASSERT_EQ(0, krg_mkdir(PR));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
}

FIXTURE_TEARDOWN(flt)
{
	cleanup();
}

/*
 * Every filter is autoloaded on mkdir. As in Kerrighed, its directory is
 * its main input port: no source/ subdirectory; its type is its output's.
 */
TEST_F(flt, autoload)
{
	static const char *const names[] = {
		"threshold_filter", "freq_limit_filter", "remote_cache_filter",
		"ewma_filter",
	};
	char path[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), IN "/%s", names[i]);
		ASSERT_EQ(0, krg_mkdir(path));
		EXPECT_TRUE(krg_mod_loaded(names[i]));
		snprintf(path, sizeof(path), IN "/%s/type", names[i]);
		EXPECT_STREQ("u64", krg_rd(path));
		snprintf(path, sizeof(path), IN "/%s/collected_value", names[i]);
		EXPECT_STREQ("(not connected)", krg_rd(path));
		snprintf(path, sizeof(path), IN "/%s/source", names[i]);
		EXPECT_FALSE(krg_exists(path)) TH_LOG("%s", names[i]);
		/* Pinned while in use, free after. */
		EXPECT_EQ(-EWOULDBLOCK, krg_rmmod(names[i]));
		snprintf(path, sizeof(path), IN "/%s", names[i]);
		ASSERT_EQ(0, rmdir(path));
		EXPECT_EQ(0, krg_rmmod(names[i]));
	}
}

/*
 * The filter directory is its main input port (Kerrighed's shape): a link
 * of any name or a filter made in it connects it, one source at a time;
 * extra ports (freq_limit_filter's last_event) are subdirectories.
 */
TEST_F(flt, filter_dir_is_its_main_port)
{
	ASSERT_EQ(0, krg_write(PR "/set", "1500"));
	ASSERT_EQ(0, krg_mkdir(THR));
	ASSERT_EQ(0, krg_write(THR "/threshold", "1000"));

	/* Any link name; the source's value reaches the filter. */
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/mosix_mean"));
	EXPECT_STREQ("1500", krg_rd(THR "/collected_value"));
	EXPECT_STREQ("1500", krg_rd(THR "/value"));
	/* One source at a time, by link or by filter. */
	EXPECT_EQ(-EBUSY, krg_ln(PR "/value", THR "/second"));
	EXPECT_EQ(-EBUSY, krg_mkdir(THR "/ewma_filter"));
	/* A link cannot take an attribute's name. */
	ASSERT_EQ(0, krg_unlink(THR "/mosix_mean"));
	EXPECT_EQ(-EEXIST, krg_ln(PR "/value", THR "/threshold"));
	EXPECT_STREQ("(not connected)", krg_rd(THR "/collected_value"));
	/* Not a source: a scheduler, a policy, the probe directory. */
	EXPECT_EQ(-EINVAL, krg_ln(S, THR "/s"));
	EXPECT_EQ(-EINVAL, krg_ln(POL, THR "/p"));
	EXPECT_EQ(-EINVAL, krg_ln(PR, THR "/p"));
	/* A filter's own output cannot feed it: a loop. */
	EXPECT_EQ(-ELOOP, krg_ln(THR, THR "/self"));

	/* mkdir <filter>/<filter type> nests the next filter. */
	EXPECT_EQ(-ENOENT, krg_mkdir(THR "/no_such_filter"));
	EXPECT_EQ(-ENOENT, krg_mkdir(THR "/test_probe"));
	ASSERT_EQ(0, krg_mkdir(THR "/ewma_filter"));
	EXPECT_EQ(-EBUSY, krg_ln(PR "/value", THR "/late"));
	EXPECT_EQ(-EBUSY, krg_mkdir(THR "/freq_limit_filter"));
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/ewma_filter/v"));
	EXPECT_STREQ("1500", krg_rd(THR "/ewma_filter/collected_value"));
	/* Nothing above goes while something is linked or made in it. */
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(THR));
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(THR "/ewma_filter"));
	ASSERT_EQ(0, krg_unlink(THR "/ewma_filter/v"));
	ASSERT_EQ(0, krg_rmdir(THR "/ewma_filter"));
	EXPECT_STREQ("(not connected)", krg_rd(THR "/collected_value"));
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/again"));
	EXPECT_STREQ("1500", krg_rd(THR "/value"));
	ASSERT_EQ(0, krg_unlink(THR "/again"));
	ASSERT_EQ(0, krg_rmdir(THR));

	/* Extra ports are subdirectories; the main one is not. */
	ASSERT_EQ(0, krg_mkdir(FRQ));
	EXPECT_TRUE(krg_exists(FRQ "/last_event/type"));
	EXPECT_TRUE(krg_exists(FRQ "/events_on_going/type"));
	EXPECT_FALSE(krg_exists(FRQ "/source"));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/last_event/migration"));
	ASSERT_EQ(0, krg_mkdir(FRQ "/threshold_filter"));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/threshold_filter/mean"));
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(FRQ));
	ASSERT_EQ(0, krg_unlink(FRQ "/threshold_filter/mean"));
	ASSERT_EQ(0, krg_rmdir(FRQ "/threshold_filter"));
	ASSERT_EQ(0, krg_unlink(FRQ "/last_event/migration"));
	ASSERT_EQ(0, krg_rmdir(FRQ));
}

/* Relative link targets, typed after cd /config/krg_scheduler, work. */
TEST_F(flt, relative_targets_from_the_root)
{
	char old[256];

	ASSERT_NE(NULL, getcwd(old, sizeof(old)));
	ASSERT_EQ(0, krg_write(PR "/set", "700"));
	ASSERT_EQ(0, chdir("/config/krg_scheduler"));
	ASSERT_EQ(0, mkdir("schedulers/ft/test_policy/in/threshold_filter",
			   0755));
	EXPECT_EQ(0, symlink("probes/test_probe/value",
			     "schedulers/ft/test_policy/in/threshold_filter/p"));
	EXPECT_STREQ("700", krg_rd(THR "/collected_value"));
	EXPECT_EQ(0, unlink("schedulers/ft/test_policy/in/threshold_filter/p"));
	ASSERT_EQ(0, chdir(KRG_CFS "/schedulers/ft"));
	EXPECT_EQ(0, symlink("../../probes/test_probe/value",
			     "test_policy/in/threshold_filter/p"));
	EXPECT_STREQ("700", krg_rd(THR "/collected_value"));
	ASSERT_EQ(0, chdir(old));
}

static int user_shapes_filter(void *arg)
{
	(void)arg;
	if (!mkdir(THR "/ewma_filter", 0755) || errno != EACCES)
		return 1;
	if (!symlink(PR "/value", THR "/mine") || errno != EACCES)
		return 2;
	if (!unlink(THR "/p") || errno != EACCES)
		return 3;
	if (!rmdir(THR) || errno != EACCES)
		return 4;
	return 0;
}

/* An unprivileged user can neither reconnect nor remove a filter. */
TEST_F(flt, user_cannot_rewire_a_filter)
{
	ASSERT_EQ(0, krg_write(PR "/set", "900"));
	ASSERT_EQ(0, krg_mkdir(THR));
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/p"));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_shapes_filter, NULL));
	EXPECT_STREQ("900", krg_rd(THR "/collected_value"));
	EXPECT_TRUE(krg_exists(THR "/p"));
}

/* Before the probe has a value, every filter says so, and so does the port. */
TEST_F(flt, no_value_yet)
{
	static const char *const names[] = {
		"threshold_filter", "freq_limit_filter", "remote_cache_filter",
		"ewma_filter",
	};
	char path[256], link[300];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), IN "/%s", names[i]);
		ASSERT_EQ(0, krg_mkdir(path));
		snprintf(link, sizeof(link), "%s/in", path);
		ASSERT_EQ(0, krg_ln(PR "/value", link));
		snprintf(link, sizeof(link), "%s/value", path);
		EXPECT_STREQ("(no value yet)", krg_rd(link)) TH_LOG("%s", names[i]);
		EXPECT_STREQ("(no value yet)", krg_rd(IN "/collected_value"));
		snprintf(link, sizeof(link), "%s/in", path);
		ASSERT_EQ(0, unlink(link));
		ASSERT_EQ(0, rmdir(path));
	}
	EXPECT_EQ(0, updates());
}

/* threshold_filter: a push passes when some node's value is >= threshold. */
TEST_F(flt, threshold)
{
	ASSERT_EQ(0, krg_mkdir(THR));
	EXPECT_STREQ("0", krg_rd(THR "/threshold"));
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/in"));
	ASSERT_EQ(0, krg_write(THR "/threshold", "100"));
	/* Below on every node: held. */
	ASSERT_EQ(0, set_node(0, 10));
	ASSERT_EQ(0, set_node(1, 99));
	ASSERT_EQ(0, set(7));
	EXPECT_EQ(0, updates());
	/* Pulls pass through unchanged whatever the threshold. */
	EXPECT_STREQ("7", krg_rd(THR "/value"));
	EXPECT_STREQ("7", krg_rd(IN "/collected_value"));
	/* Equal on one node: passes. */
	ASSERT_EQ(0, set_node(1, 100));
	ASSERT_EQ(0, set(8));
	EXPECT_EQ(1, updates());
	EXPECT_STREQ("8", krg_rd(POL "/last"));
	/* Above on another node: passes. */
	ASSERT_EQ(0, set_node(0, 150));
	ASSERT_EQ(0, set_node(1, 0));
	ASSERT_EQ(0, set(9));
	EXPECT_EQ(2, updates());
	/* One above the highest value: held again. */
	ASSERT_EQ(0, krg_write(THR "/threshold", "151"));
	ASSERT_EQ(0, set(10));
	EXPECT_EQ(2, updates());
	ASSERT_EQ(0, krg_write(THR "/threshold", "0x96"));
	EXPECT_STREQ("150", krg_rd(THR "/threshold"));
	ASSERT_EQ(0, set(11));
	EXPECT_EQ(3, updates());
	EXPECT_EQ(3, stat_of(THR "/stats", "passed"));
	EXPECT_EQ(2, stat_of(THR "/stats", "held"));
}

/* threshold_filter: no node with a value holds the push, even at 0. */
TEST_F(flt, threshold_no_node_value)
{
	ASSERT_EQ(0, krg_mkdir(THR));
	ASSERT_EQ(0, krg_ln(PR "/value", THR "/in"));
	ASSERT_EQ(0, set(5));
	EXPECT_EQ(0, updates());
	EXPECT_STREQ("5", krg_rd(IN "/collected_value"));
	ASSERT_EQ(0, set_node(1, 0));
	ASSERT_EQ(0, set(5));
	EXPECT_EQ(1, updates());
}

/* threshold_filter: per-node values pass through, read by a cache above. */
TEST_F(flt, threshold_per_node_pull)
{
	long long polls;

	ASSERT_EQ(0, krg_mkdir(RC));
	ASSERT_EQ(0, krg_mkdir(RC "/threshold_filter"));
	ASSERT_EQ(0, krg_write(RC "/threshold_filter/threshold", "1000"));
	ASSERT_EQ(0, krg_ln(PR "/value", RC "/threshold_filter/v"));
	ASSERT_EQ(0, set_node(0, 12));
	ASSERT_EQ(0, set_node(1, 34));
	polls = stat_of(RC "/stats", "polls");
	ASSERT_EQ(0, krg_write(RC "/polling_period", "3600000"));
	ASSERT_GT(wait_past(RC "/stats", "polls", polls), polls);
	/*
	 * A poll begun before the values were set may be the one counted
	 * (the write then polls again at once): wait for the write's.
	 */
	for (int i = 0; i < 1000; i++) {
		const char *c = krg_rd(RC "/cache");

		if (!strncmp(c, "0 12 ", 5) && strstr(c, "\n1 34 "))
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(0, strncmp(krg_rd(RC "/cache"), "0 12 ", 5)) TH_LOG("%s", krg_rd(RC "/cache"));
	EXPECT_NE(NULL, strstr(krg_rd(RC "/cache"), "\n1 34 "));
}

static const struct bad_input bad_u64[] = {
	{ "\n", EINVAL }, { "abc", EINVAL }, { "-1", EINVAL }, { "1.5", EINVAL },
	{ "0x", EINVAL }, { "10 20", EINVAL }, { "12abc", EINVAL },
	{ "18446744073709551616", ERANGE },
	{ "99999999999999999999999", ERANGE },
};

/* threshold_filter: garbage is refused and changes nothing. */
TEST_F(flt, threshold_garbage)
{
	ASSERT_EQ(0, krg_mkdir(THR));
	ASSERT_EQ(0, krg_write(THR "/threshold", "42"));
	EXPECT_GARBAGE(THR "/threshold", bad_u64, "42");
	EXPECT_EQ(0, krg_write(THR "/threshold", "18446744073709551615\n"));
	EXPECT_STREQ("18446744073709551615", krg_rd(THR "/threshold"));
}

/* freq_limit_filter: with a long interval only the first push passes. */
TEST_F(flt, freq_limit_long_interval)
{
	int i;

	ASSERT_EQ(0, krg_mkdir(FRQ));
	EXPECT_STREQ("2000000000", krg_rd(FRQ "/min_interval"));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/in"));
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "3600000000000"));
	for (i = 1; i <= 5; i++)
		ASSERT_EQ(0, set(i));
	EXPECT_EQ(1, updates());
	EXPECT_STREQ("1", krg_rd(POL "/last"));
	EXPECT_EQ(1, stat_of(FRQ "/stats", "passed"));
	EXPECT_EQ(4, stat_of(FRQ "/stats", "held_interval"));
	/* Pulls are not limited. */
	EXPECT_STREQ("5", krg_rd(FRQ "/value"));
	EXPECT_STREQ("5", krg_rd(IN "/collected_value"));
	/* A 1 ns interval lets every push through. */
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "1"));
	ASSERT_EQ(0, set(6));
	ASSERT_EQ(0, set(7));
	EXPECT_EQ(3, updates());
	EXPECT_STREQ("7", krg_rd(POL "/last"));
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "0"));
	ASSERT_EQ(0, set(8));
	EXPECT_EQ(4, updates());
}

/*
 * freq_limit_filter: the time since last_event is compared with
 * min_interval, equal passing: an event "in the future" is 0 ns old.
 */
TEST_F(flt, freq_limit_last_event)
{
	ASSERT_EQ(0, krg_mkdir(FRQ));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/in"));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/last_event/value"));
	/* 0 ns since the event, min_interval 0: equal, passes. */
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "0"));
	ASSERT_EQ(0, set(UINT64_MAX));
	EXPECT_EQ(1, updates());
	/* 0 ns since the event, min_interval 1: held. */
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "1"));
	ASSERT_EQ(0, set(UINT64_MAX));
	EXPECT_EQ(1, updates());
	EXPECT_EQ(1, stat_of(FRQ "/stats", "held_event"));
	/* No event yet (0): passes. */
	ASSERT_EQ(0, set(0));
	EXPECT_EQ(2, updates());
	/* An event just now, min_interval one hour: held. */
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "3600000000000"));
	ASSERT_EQ(0, set(now_ns()));
	EXPECT_EQ(2, updates());
	EXPECT_EQ(2, stat_of(FRQ "/stats", "held_event"));
	/* An event at boot is older than 1 us, and so is the last push. */
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "1000"));
	ASSERT_EQ(0, set(1));
	EXPECT_EQ(3, updates());
}

/* freq_limit_filter: nothing passes while events are on going. */
TEST_F(flt, freq_limit_on_going)
{
	ASSERT_EQ(0, krg_mkdir(FRQ));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/in"));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/events_on_going/value"));
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "0"));
	ASSERT_EQ(0, set(0));
	EXPECT_EQ(1, updates());
	ASSERT_EQ(0, set(3));
	EXPECT_EQ(1, updates());
	EXPECT_EQ(1, stat_of(FRQ "/stats", "held_on_going"));
	ASSERT_EQ(0, set(0));
	EXPECT_EQ(2, updates());
}

/* freq_limit_filter: a last_event with no value yet holds pushes back. */
TEST_F(flt, freq_limit_event_unknown)
{
	ASSERT_EQ(0, krg_mkdir(FRQ));
	ASSERT_EQ(0, krg_ln(PR "/value", FRQ "/in"));
	/* An average of nothing: -EAGAIN. */
	ASSERT_EQ(0, krg_mkdir(FRQ "/last_event/ewma_filter"));
	ASSERT_EQ(0, krg_write(FRQ "/min_interval", "0"));
	ASSERT_EQ(0, set(1));
	EXPECT_EQ(0, updates());
	EXPECT_EQ(1, stat_of(FRQ "/stats", "held_event"));
	ASSERT_EQ(0, rmdir(FRQ "/last_event/ewma_filter"));
	ASSERT_EQ(0, set(2));
	EXPECT_EQ(1, updates());
}

/* freq_limit_filter: garbage is refused and changes nothing. */
TEST_F(flt, freq_limit_garbage)
{
	static const struct bad_input too_long[] = {
		{ "9223372036854775808", ERANGE },
	};

	ASSERT_EQ(0, krg_mkdir(FRQ));
	EXPECT_GARBAGE(FRQ "/min_interval", bad_u64, "2000000000");
	EXPECT_GARBAGE(FRQ "/min_interval", too_long, "2000000000");
	EXPECT_EQ(0, krg_write(FRQ "/min_interval", "9223372036854775807"));
}

/*
 * remote_cache_filter: values are read at polls only; between polls reads
 * are served from the cache (stale) and counted as hits.
 */
TEST_F(flt, remote_cache)
{
	long long polls, hits;
	int before;

	ASSERT_EQ(0, pin_node(0));
	ASSERT_EQ(0, krg_mkdir(RC));
	EXPECT_STREQ("1000", krg_rd(RC "/polling_period"));
	EXPECT_STREQ("(no value yet)", krg_rd(RC "/value"));
	EXPECT_GE(stat_of(RC "/stats", "misses"), 1);
	ASSERT_EQ(0, krg_ln(PR "/value", RC "/in"));
	ASSERT_EQ(0, set_node(0, 10));
	ASSERT_EQ(0, set_node(1, 20));
	/* Writing the period polls at once, then hourly. */
	polls = stat_of(RC "/stats", "polls");
	ASSERT_EQ(0, krg_write(RC "/polling_period", "3600000"));
	polls = wait_past(RC "/stats", "polls", polls);
	EXPECT_STREQ("10", krg_rd(RC "/value"));
	EXPECT_EQ(0, strncmp(krg_rd(RC "/cache"), "0 10 ", 5));
	EXPECT_NE(NULL, strstr(krg_rd(RC "/cache"), "\n1 20 "));
	/* Stale until the next poll; reads are hits. */
	ASSERT_EQ(0, set_node(0, 11));
	hits = stat_of(RC "/stats", "hits");
	EXPECT_STREQ("10", krg_rd(RC "/value"));
	EXPECT_STREQ("10", krg_rd(IN "/collected_value"));
	EXPECT_EQ(hits + 2, stat_of(RC "/stats", "hits"));
	/* A push of the source is passed on; the pull still reads the cache. */
	before = updates();
	ASSERT_EQ(0, set(5));
	EXPECT_EQ(before + 1, updates());
	EXPECT_STREQ("10", krg_rd(POL "/last"));
	EXPECT_EQ(polls, stat_of(RC "/stats", "polls"));
	/* A poll that finds a change republishes. */
	ASSERT_EQ(0, krg_write(RC "/polling_period", "3600000"));
	polls = wait_past(RC "/stats", "polls", polls);
	EXPECT_STREQ("11", krg_rd(RC "/value"));
	/* (last was pulled by the worker, on whichever node it ran.) */
	EXPECT_EQ(before + 2, updates());
	/* One that finds none does not. */
	ASSERT_EQ(0, krg_write(RC "/polling_period", "3600000"));
	wait_past(RC "/stats", "polls", polls);
	EXPECT_EQ(before + 2, updates());
	/* The local value is the local node's. */
	ASSERT_EQ(0, pin_node(1));
	EXPECT_STREQ("20", krg_rd(RC "/value"));
	/* Removed, its worker is gone and the module can go. */
	ASSERT_EQ(0, unlink(RC "/in"));
	ASSERT_EQ(0, rmdir(RC));
	EXPECT_EQ(0, krg_rmmod("remote_cache_filter"));
}

/* remote_cache_filter: the default period polls by itself. */
TEST_F(flt, remote_cache_periodic)
{
	long long polls;

	ASSERT_EQ(0, krg_mkdir(RC));
	ASSERT_EQ(0, krg_write(RC "/polling_period", "20"));
	polls = stat_of(RC "/stats", "polls");
	EXPECT_GT(wait_past(RC "/stats", "polls", polls + 3), polls + 3);
}

/* remote_cache_filter: garbage is refused and changes nothing. */
TEST_F(flt, remote_cache_garbage)
{
	static const struct bad_input bad[] = {
		{ "\n", EINVAL }, { "abc", EINVAL }, { "-1", EINVAL },
		{ "1.5", EINVAL }, { "10 20", EINVAL }, { "0", ERANGE },
		{ "9", ERANGE }, { "3600001", ERANGE },
		{ "99999999999999999999", ERANGE },
	};

	ASSERT_EQ(0, krg_mkdir(RC));
	EXPECT_GARBAGE(RC "/polling_period", bad, "1000");
	EXPECT_EQ(0, krg_write(RC "/polling_period", "10"));
	EXPECT_EQ(-EACCES, krg_write(RC "/cache", "1"));
}

/* The model of ewma_filter: S = 1000 * average, output round(S / 1000). */
struct ewma_model {
	unsigned long long s;
	int valid;
};

static unsigned long long ewma_step(struct ewma_model *m, unsigned long long v,
				    unsigned int w)
{
	if (!m->valid)
		m->s = 1000 * v;
	else
		m->s = w * v + (1000 - w) * m->s / 1000;
	m->valid = 1;
	return (m->s + 500) / 1000;
}

/* ewma_filter: each push folds every node's sample in, exactly as modelled. */
TEST_F(flt, ewma_arithmetic)
{
	static const unsigned long long samples[] = {
		1000, 0, 0, 0, 999, 1, 12345, 7, 7, 7, 500, 501, 0, 100000,
	};
	struct ewma_model m0 = { 0 }, m1 = { 0 };
	unsigned long long want0 = 0, want1 = 0;
	char buf[32];
	unsigned int i;

	ASSERT_EQ(0, pin_node(0));
	ASSERT_EQ(0, krg_mkdir(EW));
	EXPECT_STREQ("250", krg_rd(EW "/weight"));
	ASSERT_EQ(0, krg_ln(PR "/value", EW "/in"));
	for (i = 0; i < ARRAY_SIZE(samples); i++) {
		ASSERT_EQ(0, set_node(0, samples[i]));
		ASSERT_EQ(0, set_node(1, 3 * samples[i] + 1));
		ASSERT_EQ(0, set(i));
		want0 = ewma_step(&m0, samples[i], 250);
		want1 = ewma_step(&m1, 3 * samples[i] + 1, 250);
		snprintf(buf, sizeof(buf), "%llu", want0);
		EXPECT_STREQ(buf, krg_rd(EW "/value")) TH_LOG("sample %u", i);
		EXPECT_STREQ(buf, krg_rd(POL "/last"));
	}
	EXPECT_EQ((int)ARRAY_SIZE(samples), updates());
	EXPECT_EQ((long long)(2 * ARRAY_SIZE(samples)), krg_rdll(EW "/samples"));
	ASSERT_EQ(0, pin_node(1));
	snprintf(buf, sizeof(buf), "%llu", want1);
	EXPECT_STREQ(buf, krg_rd(EW "/value"));
	/* Another weight applies from the next sample on. */
	ASSERT_EQ(0, pin_node(0));
	ASSERT_EQ(0, krg_write(EW "/weight", "600"));
	ASSERT_EQ(0, set_node(0, 40));
	ASSERT_EQ(0, set(0));
	snprintf(buf, sizeof(buf), "%llu", ewma_step(&m0, 40, 600));
	EXPECT_STREQ(buf, krg_rd(EW "/value"));
	/* 1000 permille: the last sample. */
	ASSERT_EQ(0, krg_write(EW "/weight", "1000"));
	ASSERT_EQ(0, set_node(0, 123456789));
	ASSERT_EQ(0, set(0));
	EXPECT_STREQ("123456789", krg_rd(EW "/value"));
}

/* ewma_filter: a constant input is reached exactly, from above and below. */
TEST_F(flt, ewma_converges)
{
	int i;

	ASSERT_EQ(0, pin_node(0));
	ASSERT_EQ(0, krg_mkdir(EW));
	ASSERT_EQ(0, krg_ln(PR "/value", EW "/in"));
	ASSERT_EQ(0, set_node(0, 0));
	ASSERT_EQ(0, set(0));
	ASSERT_EQ(0, set_node(0, 777));
	for (i = 0; i < 60; i++)
		ASSERT_EQ(0, set(0));
	EXPECT_STREQ("777", krg_rd(EW "/value"));
	ASSERT_EQ(0, set_node(0, 5));
	for (i = 0; i < 60; i++)
		ASSERT_EQ(0, set(0));
	EXPECT_STREQ("5", krg_rd(EW "/value"));
	/* Large values do not overflow. */
	ASSERT_EQ(0, set_node(0, UINT64_MAX));
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, set(0));
	EXPECT_STREQ("18446744073709551615", krg_rd(EW "/value"));
}

/* ewma_filter: a node without samples has no average; pulls do not sample. */
TEST_F(flt, ewma_no_sample)
{
	ASSERT_EQ(0, pin_node(0));
	ASSERT_EQ(0, krg_mkdir(EW));
	ASSERT_EQ(0, krg_ln(PR "/value", EW "/in"));
	ASSERT_EQ(0, set(9));
	EXPECT_STREQ("(no value yet)", krg_rd(EW "/value"));
	EXPECT_EQ(0, updates());
	ASSERT_EQ(0, set_node(0, 9));
	EXPECT_STREQ("(no value yet)", krg_rd(EW "/value"));
	EXPECT_EQ(0, krg_rdll(EW "/samples"));
	ASSERT_EQ(0, set(9));
	EXPECT_STREQ("9", krg_rd(EW "/value"));
	EXPECT_EQ(1, updates());
}

/* ewma_filter: garbage is refused and changes nothing. */
TEST_F(flt, ewma_garbage)
{
	static const struct bad_input bad[] = {
		{ "\n", EINVAL }, { "abc", EINVAL }, { "-1", EINVAL },
		{ "1.5", EINVAL }, { "10 20", EINVAL }, { "0", ERANGE },
		{ "1001", ERANGE }, { "99999999999999999999", ERANGE },
	};

	ASSERT_EQ(0, krg_mkdir(EW));
	EXPECT_GARBAGE(EW "/weight", bad, "250");
	EXPECT_EQ(0, krg_write(EW "/weight", "1"));
	EXPECT_EQ(0, krg_write(EW "/weight", "1000"));
	EXPECT_EQ(-EACCES, krg_write(EW "/samples", "1"));
}

TEST_HARNESS_MAIN
