// SPDX-License-Identifier: GPL-2.0
/*
 * krg.ko's cluster backend from the agent's side, in a guest of the
 * cluster harness (tests/cluster/suite; KRG_NODE_ID and KRG_NODES come
 * from /krg/run.conf) or alone in the single-VM suite (node 0 of 2, so
 * that the debug kernel checks it too): this program plays krgd, so the
 * kernel's answers are checked without corosync's timing. A report becomes the online set;
 * the membership goes stale when the reporting socket closes and fresh
 * again with the next report; bad reports are refused with a message and
 * change nothing; a user may not report.
 */
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define K	"/sys/kernel/krg"

static int me = 1, nodes = 2;	/* corosync's id (1..) until read_conf() */
static char err[256];

static void read_conf(void)
{
	char line[128];
	FILE *f = fopen("/krg/run.conf", "re");

	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "KRG_NODE_ID=%d", &me);
		sscanf(line, "KRG_NODES=%d", &nodes);
	}
	if (f)
		fclose(f);
	me--;		/* krg ids are corosync's minus 1 */
}

static void set_bit_of(unsigned char *m, int n)
{
	m[n / 8] |= 1U << (n % 8);
}

FIXTURE(cl) {
	struct krg_genl g;
};

FIXTURE_SETUP(cl)
{
	char args[96];
	int ret;

	read_conf();
	ASSERT_LE(2, nodes);
	krg_close();
	ASSERT_EQ(0, krg_unload_krg());
	snprintf(args, sizeof(args), "cluster_nodes=0-%d node_id=%d",
		 nodes - 1, me);
	ret = krg_insmod_args("krg", args);
	ASSERT_EQ(0, ret) TH_LOG("loading krg %s: %s", args, strerror(-ret));
	ASSERT_EQ(0, krg_genl_open(&self->g));
}

FIXTURE_TEARDOWN(cl)
{
	krg_genl_close(&self->g);
	EXPECT_EQ(0, krg_unload_krg());
	/* What the rest of a single-VM suite expects. */
	if (!krg_exists("/krg/cluster-guest"))
		EXPECT_EQ(0, krg_insmod("krg"));
}

TEST_F(cl, reports_and_staleness)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	char want[32];
	struct krg_genl other;

	EXPECT_STREQ("membership none\nquorate 0\nring 0", krg_rd(K "/cluster"));
	for (int n = 0; n < nodes; n++)
		set_bit_of(m, n);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, 1, 42, err, sizeof(err)))
		TH_LOG("%s", err);
	snprintf(want, sizeof(want), "0-%d", nodes - 1);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
	EXPECT_STREQ("membership fresh\nquorate 1\nring 42", krg_rd(K "/cluster"));

	/* Another socket closing does not matter; the reporter's does. */
	ASSERT_EQ(0, krg_genl_open(&other));
	krg_genl_close(&other);
	EXPECT_STREQ("membership fresh\nquorate 1\nring 42", krg_rd(K "/cluster"));
	krg_genl_close(&self->g);
	EXPECT_TRUE(WAIT_FOR(!strncmp(krg_rd(K "/cluster"), "membership stale", 16), 5));
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));

	/* A smaller membership, not quorate: the others go offline. */
	ASSERT_EQ(0, krg_genl_open(&self->g));
	memset(m, 0, sizeof(m));
	set_bit_of(m, me);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, 0, 43, err, sizeof(err)))
		TH_LOG("%s", err);
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
	EXPECT_STREQ("membership fresh\nquorate 0\nring 43", krg_rd(K "/cluster"));
}

TEST_F(cl, bad_reports)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	char want[64];

	set_bit_of(m, me);
	set_bit_of(m, nodes);		/* not in cluster_nodes */
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "node %d is not in cluster_nodes=0-%d",
		 nodes, nodes - 1);
	EXPECT_STREQ(want, err);

	memset(m, 0, sizeof(m));
	set_bit_of(m, (me + 1) % nodes);	/* without this machine */
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "this node (%d) is not in the membership",
		 me);
	EXPECT_STREQ(want, err);

	/* Nothing of that landed. */
	EXPECT_STREQ("membership none\nquorate 0\nring 0", krg_rd(K "/cluster"));
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
}

/* /proc/nodes: this node's own figures; another's only as published. */
TEST_F(cl, proc_nodes)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	unsigned int load[3] = { 150, 75, 5 };
	char path[64], want[32];
	int other = (me + 1) % nodes;

	snprintf(want, sizeof(want), "node%d", me);
	EXPECT_EQ(0, readlink("/proc/nodes/self", path, sizeof(path)) < 0);
	snprintf(path, sizeof(path), "/proc/nodes/node%d/status", me);
	EXPECT_STREQ("online", krg_rd(path));
	snprintf(path, sizeof(path), "/proc/nodes/node%d", other);
	EXPECT_FALSE(krg_exists(path));		/* not online */
	EXPECT_EQ(-1, krg_node_info_set(&self->g, other, 2, 1000, 500, load,
					err, sizeof(err)));
	EXPECT_EQ(EHOSTDOWN, errno);
	EXPECT_EQ(-1, krg_node_info_set(&self->g, me, 2, 1000, 500, load, err,
					sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "node %d is measured here", me);
	EXPECT_STREQ(want, err);

	set_bit_of(m, me);
	set_bit_of(m, other);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, 1, 7, err, sizeof(err)));
	snprintf(path, sizeof(path), "/proc/nodes/node%d/cpus", other);
	EXPECT_STREQ("(no value yet)", krg_rd(path));
	ASSERT_EQ(0, krg_node_info_set(&self->g, other, 2, 1000, 500, load, err,
				       sizeof(err))) TH_LOG("%s", err);
	EXPECT_STREQ("2", krg_rd(path));
	snprintf(path, sizeof(path), "/proc/nodes/node%d/meminfo", other);
	EXPECT_STREQ("MemTotal:     1000 kB\nMemFree:       500 kB", krg_rd(path));
	snprintf(path, sizeof(path), "/proc/nodes/node%d/loadavg", other);
	EXPECT_STREQ("1.50 0.75 0.05", krg_rd(path));
	/* Gone offline and back: its old figures do not come back. */
	memset(m, 0, sizeof(m));
	set_bit_of(m, me);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, 1, 8, err, sizeof(err)));
	snprintf(path, sizeof(path), "/proc/nodes/node%d", other);
	EXPECT_FALSE(krg_exists(path));
	set_bit_of(m, other);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, 1, 9, err, sizeof(err)));
	snprintf(path, sizeof(path), "/proc/nodes/node%d/cpus", other);
	EXPECT_STREQ("(no value yet)", krg_rd(path));
}

static int user_report(void *arg)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	struct krg_genl g;

	set_bit_of(m, me);
	if (krg_genl_open(&g))
		return 1;
	if (!krg_membership_set(&g, m, 1, 1, err, sizeof(err)))
		return 0;
	return errno;
}

TEST_F(cl, unprivileged)
{
	EXPECT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_report, NULL));
	EXPECT_STREQ("membership none\nquorate 0\nring 0", krg_rd(K "/cluster"));
}

TEST_HARNESS_MAIN
