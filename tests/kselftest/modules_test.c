// SPDX-License-Identifier: GPL-2.0
/*
 * krg.ko and krg_scheduler.ko load and unload cleanly; the core registers
 * the configfs subsystem krg_scheduler with probes/ and schedulers/ and
 * removes it on unload; a module in use cannot be unloaded.
 */
#include "../lib/krg_test.h"
#include "kselftest_harness.h"

static void unload_all(struct __test_metadata *_metadata)
{
	int ret;

	rmdir(KRG_CFS "/schedulers/s1");
	ret = krg_rmmod("krg_scheduler");
	ASSERT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("rmmod krg_scheduler: %s",
						       strerror(-ret));
	ret = krg_rmmod("krg");
	ASSERT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("rmmod krg: %s",
						       strerror(-ret));
}

FIXTURE(mods) {
	int unused;
};

FIXTURE_SETUP(mods)
{
	unload_all(_metadata);
}

FIXTURE_TEARDOWN(mods)
{
	unload_all(_metadata);
}

/* Loading krg.ko publishes its ABI version and this machine's NUMA nodes. */
TEST_F(mods, krg_sysfs)
{
	char buf[256], want[256];

	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(0, krg_read("/sys/kernel/krg/abi_version", buf, sizeof(buf)));
	ASSERT_EQ(1, atoi(buf));
	ASSERT_EQ(0, krg_read("/sys/kernel/krg/backend", buf, sizeof(buf)));
	ASSERT_STREQ("numa", buf);
	ASSERT_EQ(0, krg_read("/sys/kernel/krg/nodes_online", buf, sizeof(buf)));
	ASSERT_EQ(0, krg_read("/sys/devices/system/node/has_cpu", want,
			      sizeof(want)));
	ASSERT_STREQ(want, buf);
	ASSERT_EQ(0, krg_read("/sys/kernel/krg/node0/cpulist", buf, sizeof(buf)));
	ASSERT_EQ(0, krg_read("/sys/devices/system/node/node0/cpulist", want,
			      sizeof(want)));
	ASSERT_STREQ(want, buf);
	ASSERT_EQ(0, krg_rmmod("krg"));
	ASSERT_FALSE(krg_exists("/sys/kernel/krg"));
}

/* The core needs krg.ko: loading it alone fails with an unknown symbol. */
TEST_F(mods, core_needs_krg)
{
	ASSERT_EQ(-ENOENT, krg_insmod("krg_scheduler"));
}

/* The core registers krg_scheduler/{probes,schedulers}, at both mounts. */
TEST_F(mods, configfs_tree)
{
	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(0, krg_insmod("krg_scheduler"));
	ASSERT_TRUE(krg_exists(KRG_CFS "/probes"));
	ASSERT_TRUE(krg_exists(KRG_CFS "/schedulers"));
	ASSERT_TRUE(krg_exists("/config/krg_scheduler/schedulers"));
	ASSERT_EQ(0, krg_rmmod("krg_scheduler"));
	ASSERT_FALSE(krg_exists(KRG_CFS));
	ASSERT_FALSE(krg_exists("/config/krg_scheduler"));
}

/* krg.ko cannot go while the core uses it. */
TEST_F(mods, krg_busy_while_core_loaded)
{
	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(0, krg_insmod("krg_scheduler"));
	ASSERT_EQ(-EWOULDBLOCK, krg_rmmod("krg"));
	ASSERT_TRUE(krg_exists("/sys/kernel/krg/abi_version"));
}

/* The core cannot be unloaded while a configfs object exists; it can after. */
TEST_F(mods, core_busy_while_objects_exist)
{
	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(0, krg_insmod("krg_scheduler"));
	ASSERT_EQ(0, mkdir(KRG_CFS "/schedulers/s1", 0755));
	ASSERT_EQ(-EWOULDBLOCK, krg_rmmod("krg_scheduler"));
	ASSERT_TRUE(krg_exists(KRG_CFS "/schedulers/s1"));
	ASSERT_EQ(0, rmdir(KRG_CFS "/schedulers/s1"));
	ASSERT_EQ(0, krg_rmmod("krg_scheduler"));
}

/* Loading a module twice is refused and changes nothing. */
TEST_F(mods, double_load)
{
	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(-EEXIST, krg_insmod("krg"));
	ASSERT_TRUE(krg_exists("/sys/kernel/krg/abi_version"));
}

/* Many load/unload cycles leave nothing behind. */
TEST_F(mods, cycles)
{
	int i;

	for (i = 0; i < 25; i++) {
		ASSERT_EQ(0, krg_insmod("krg"));
		ASSERT_EQ(0, krg_insmod("krg_scheduler"));
		ASSERT_EQ(0, mkdir(KRG_CFS "/schedulers/s1", 0755));
		ASSERT_EQ(0, rmdir(KRG_CFS "/schedulers/s1"));
		ASSERT_EQ(0, krg_rmmod("krg_scheduler"));
		ASSERT_EQ(0, krg_rmmod("krg"));
	}
}

static int user_insmod(void *arg)
{
	return -krg_insmod(arg);
}

static int user_mkdir(void *arg)
{
	return mkdir(arg, 0755) ? errno : 0;
}

/* An unprivileged user can neither load modules nor create objects. */
TEST_F(mods, unprivileged)
{
	ASSERT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_insmod, "krg"));
	ASSERT_EQ(0, krg_insmod("krg"));
	ASSERT_EQ(0, krg_insmod("krg_scheduler"));
	ASSERT_EQ(EACCES, krg_as_user(KRG_USER_UID, user_mkdir,
				      KRG_CFS "/schedulers/s1"));
	ASSERT_FALSE(krg_exists(KRG_CFS "/schedulers/s1"));
}

TEST_HARNESS_MAIN
