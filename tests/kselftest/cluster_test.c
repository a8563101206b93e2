// SPDX-License-Identifier: GPL-2.0
/*
 * krg.ko's cluster backend from the agent's side, in a guest of the
 * cluster harness (tests/cluster/suite; KRG_NODE_ID and KRG_NODES come
 * from /krg/run.conf) or alone in the single-VM suite (node 0 of 2, so
 * that the debug kernel checks it too): this program plays krgd, so the
 * kernel's answers are checked without corosync's timing. A report becomes the online set;
 * the membership goes stale when the reporting socket closes and fresh
 * again with the next report; the present set (KRG_A_PRESENT) is shown in
 * nodes_present, the online set when it is left out; bad reports are
 * refused with a message and change nothing; a user may not report. A
 * migration to another machine is the agent's to begin and end.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
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

/*
 * A membership report whose PRESENT is @len bytes of @present (NODES and
 * QUORATE right), sent by hand: libkrg always sends the right size. 0, or
 * the kernel's -errno with its message in err.
 */
static int raw_report(struct krg_genl *g, const unsigned char *nodes,
		      const unsigned char *present, size_t len)
{
	struct {
		struct nlmsghdr nh;
		struct genlmsghdr gh;
		char attrs[256];
	} m = { 0 };
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	char buf[4096];
	__u8 q = 1;
	struct {
		unsigned short type;
		const void *data;
		size_t len;
	} a[] = {
		{ KRG_A_NODES, nodes, KRG_MAX_NODES / 8 },
		{ KRG_A_QUORATE, &q, 1 },
		{ KRG_A_PRESENT, present, len },
	};
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct nlmsgerr *e;
	ssize_t n;

	err[0] = '\0';
	m.nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m.nh.nlmsg_type = g->family;
	m.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m.nh.nlmsg_seq = 4242;
	m.gh.cmd = KRG_CMD_MEMBERSHIP;
	m.gh.version = KRG_GENL_VERSION;
	for (size_t i = 0; i < ARRAY_SIZE(a); i++) {
		struct nlattr *at = (struct nlattr *)((char *)&m +
						      NLMSG_ALIGN(m.nh.nlmsg_len));

		at->nla_type = a[i].type;
		at->nla_len = NLA_HDRLEN + a[i].len;
		memcpy((char *)at + NLA_HDRLEN, a[i].data, a[i].len);
		m.nh.nlmsg_len = NLMSG_ALIGN(m.nh.nlmsg_len) +
				 NLA_ALIGN(at->nla_len);
	}
	if (sendto(g->fd, &m, m.nh.nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	do {
		n = recv(g->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
	} while (nh->nlmsg_seq != 4242 || nh->nlmsg_type != NLMSG_ERROR);
	e = NLMSG_DATA(nh);
	if (e->error && (nh->nlmsg_flags & NLM_F_ACK_TLVS)) {
		/* NETLINK_CAP_ACK: the request is not echoed; TLVs follow. */
		const struct nlattr *at = (const void *)((const char *)e +
							 NLMSG_ALIGN(sizeof(*e)));
		int left = (int)nh->nlmsg_len - NLMSG_HDRLEN -
			   (int)NLMSG_ALIGN(sizeof(*e));

		while (left >= NLA_HDRLEN && at->nla_len >= NLA_HDRLEN &&
		       at->nla_len <= left) {
			if (at->nla_type == NLMSGERR_ATTR_MSG)
				snprintf(err, sizeof(err), "%.*s",
					 (int)(at->nla_len - NLA_HDRLEN),
					 (const char *)at + NLA_HDRLEN);
			left -= NLA_ALIGN(at->nla_len);
			at = (const void *)((const char *)at +
					    NLA_ALIGN(at->nla_len));
		}
	}
	return e->error;
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
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 42, err, sizeof(err)))
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
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 0, 43, err, sizeof(err)))
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
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, NULL, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "node %d is not in cluster_nodes=0-%d",
		 nodes, nodes - 1);
	EXPECT_STREQ(want, err);

	memset(m, 0, sizeof(m));
	set_bit_of(m, (me + 1) % nodes);	/* without this machine */
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, NULL, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "this node (%d) is not in the membership",
		 me);
	EXPECT_STREQ(want, err);

	/* Nothing of that landed. */
	EXPECT_STREQ("membership none\nquorate 0\nring 0", krg_rd(K "/cluster"));
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));
}

/* PRESENT: shown in nodes_present; left out, it is the online set. */
TEST_F(cl, present)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	unsigned char p[KRG_MAX_NODES / 8] = { 0 };
	char want[32];
	int other = (me + 1) % nodes;

	/* Before any report: this machine alone. */
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));

	/* Every node present, the other one taken out of use. */
	set_bit_of(m, me);
	for (int n = 0; n < nodes; n++)
		set_bit_of(p, n);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, p, 1, 5, err, sizeof(err)))
		TH_LOG("%s", err);
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
	snprintf(want, sizeof(want), "0-%d", nodes - 1);
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));

	/* Left out: present = online. */
	set_bit_of(m, other);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 6, err,
					sizeof(err))) TH_LOG("%s", err);
	snprintf(want, sizeof(want), "%d-%d", me < other ? me : other,
		 me < other ? other : me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_online"));
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));

	/* Stale: both kept. */
	krg_genl_close(&self->g);
	EXPECT_TRUE(WAIT_FOR(!strncmp(krg_rd(K "/cluster"), "membership stale", 16), 5));
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));
}

TEST_F(cl, bad_present)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	unsigned char p[KRG_MAX_NODES / 8] = { 0 };
	unsigned char big[KRG_MAX_NODES / 8 + 8];	/* too long */
	char want[64];
	int other = (me + 1) % nodes;

	/* Not a superset of NODES. */
	set_bit_of(m, me);
	set_bit_of(m, other);
	set_bit_of(p, me);
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, p, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "node %d is in NODES but not in PRESENT",
		 other);
	EXPECT_STREQ(want, err);

	/* Beyond cluster_nodes. */
	memset(m, 0, sizeof(m));
	set_bit_of(m, me);
	set_bit_of(p, nodes);
	EXPECT_EQ(-1, krg_membership_set(&self->g, m, p, 1, 1, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	snprintf(want, sizeof(want), "node %d is not in cluster_nodes=0-%d",
		 nodes, nodes - 1);
	EXPECT_STREQ(want, err);

	/* The wrong size: short (the handler: EINVAL), long (the policy: ERANGE). */
	memset(p, 0xff, sizeof(p));
	EXPECT_EQ(-EINVAL, raw_report(&self->g, m, p, 16));
	snprintf(want, sizeof(want), "PRESENT must be %d bytes",
		 KRG_MAX_NODES / 8);
	EXPECT_STREQ(want, err);
	memset(big, 0, sizeof(big));
	set_bit_of(big, me);
	EXPECT_EQ(-ERANGE, raw_report(&self->g, m, big, sizeof(big)));
	/* The right size by hand: accepted (the sender itself is right). */
	memset(p, 0, sizeof(p));
	set_bit_of(p, me);
	EXPECT_EQ(0, raw_report(&self->g, m, p, sizeof(p))) TH_LOG("%s", err);
	snprintf(want, sizeof(want), "%d", me);
	EXPECT_STREQ(want, krg_rd(K "/nodes_present"));
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
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 7, err, sizeof(err)));
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
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 8, err, sizeof(err)));
	snprintf(path, sizeof(path), "/proc/nodes/node%d", other);
	EXPECT_FALSE(krg_exists(path));
	set_bit_of(m, other);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 9, err, sizeof(err)));
	snprintf(path, sizeof(path), "/proc/nodes/node%d/cpus", other);
	EXPECT_STREQ("(no value yet)", krg_rd(path));
}

/*
 * The migration requests krg.ko hands to its agent (this program): a
 * child process asks (migrate(1)'s ioctl, waited for); what it got back,
 * the errno and the reason, comes through a pipe.
 */
struct asker {
	pid_t pid;
	int fd;
};

static int ask(struct asker *a, pid_t target, int node, unsigned int flags)
{
	int p[2];

	if (pipe(p))
		return -1;
	a->pid = fork();
	if (!a->pid) {
		char out[16 + KRG_REASON_LEN];
		int e = 0;

		/* not the agent's socket (this program's, inherited) */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != p[1])
				close(fd);
		krg_close();
		if (krg_migrate_why(target, node, flags, out + 16, KRG_REASON_LEN))
			e = errno;
		snprintf(out, 16, "%d", e);
		if (write(p[1], out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	a->fd = p[0];
	return a->pid > 0 ? 0 : -1;
}

/* What the asker got: its errno, its reason into @why. */
static int answer(struct asker *a, char *why, size_t len)
{
	char out[16 + KRG_REASON_LEN] = "";
	ssize_t n = read(a->fd, out, sizeof(out));

	close(a->fd);
	waitpid(a->pid, NULL, 0);
	if (n != (ssize_t)sizeof(out))
		return -1;
	snprintf(why, len, "%s", out + 16);
	return atoi(out);
}

/* The next order on @g within 10 s: 1, or 0. */
static int next_order(struct krg_genl *g, struct krg_migrate_order *o)
{
	for (int i = 0; i < 1000; i++) {
		if (krg_genl_next_order(g, o) > 0)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A process with CAN_MIGRATE, sleeping: the one the requests name. */
static pid_t movable(void)
{
	struct krg_caps c;
	pid_t p = fork();

	if (!p) {
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		pause();
		_exit(0);
	}
	if (krg_caps_get(KRG_TARGET_PID, p, &c))
		return -1;
	c.permitted |= KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE);
	c.effective |= KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE);
	return krg_caps_set(KRG_TARGET_PID, p, &c) ? -1 : p;
}

/*
 * A migration to another machine goes to the agent that reported, which
 * begins and ends it: done only after BEGIN, one outcome, its reason back
 * to the asker; garbage refused with a message; a second BEGIN or DONE
 * refused; the agent's socket closing fails what it held.
 */
TEST_F(cl, migration_orders)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	int other = me == 0 ? 1 : 0;
	struct krg_migrate_order o;
	struct krg_genl g2;
	struct asker a;
	char why[KRG_REASON_LEN];
	pid_t p = movable();

	ASSERT_GT(p, 0);
	/* no agent yet: refused, saying so */
	ASSERT_EQ(0, ask(&a, p, other, 0));
	EXPECT_EQ(EHOSTDOWN, answer(&a, why, sizeof(why)));
	set_bit_of(m, me);
	set_bit_of(m, other);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 3, err, sizeof(err)));

	ASSERT_EQ(0, ask(&a, p, other, 0));
	ASSERT_TRUE(next_order(&self->g, &o));
	EXPECT_EQ((unsigned int)p, o.pid);
	EXPECT_EQ((unsigned int)other, o.node);
	EXPECT_EQ(1, o.user);
	EXPECT_EQ(0, o.dry);
	/* done before begin; an errno that is none */
	EXPECT_EQ(-1, krg_migrate_done(&self->g, o.id, 0, 0, NULL, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_STREQ("a migration is done only after MIGRATE_BEGIN", err);
	EXPECT_EQ(-1, krg_migrate_done(&self->g, o.id, 5, 1, NULL, err, sizeof(err)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, krg_migrate_begin(&self->g, o.id + 1000, err, sizeof(err)));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, krg_migrate_begin(&self->g, o.id, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(-1, krg_migrate_begin(&self->g, o.id, err, sizeof(err)));
	EXPECT_EQ(ECANCELED, errno);
	/* failed, with its reason for migrate(1) */
	EXPECT_EQ(0, krg_migrate_done(&self->g, o.id, -EIO, 0, "pid 7 is taken on node 9",
				      err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(EIO, answer(&a, why, sizeof(why)));
	EXPECT_STREQ("pid 7 is taken on node 9", why);
	EXPECT_EQ(-1, krg_migrate_done(&self->g, o.id, -EIO, 0, NULL, err, sizeof(err)));
	EXPECT_EQ(ENOENT, errno);

	/* a dry run: answered without BEGIN, every reason back */
	ASSERT_EQ(0, ask(&a, p, other, KRG_MIGRATE_DRY_RUN));
	ASSERT_TRUE(next_order(&self->g, &o));
	EXPECT_EQ(1, o.dry);
	EXPECT_EQ(0, krg_migrate_done(&self->g, o.id, -EOPNOTSUPP, 1,
				      "fd 1 is a pipe; it has child processes", err,
				      sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(EOPNOTSUPP, answer(&a, why, sizeof(why)));
	EXPECT_STREQ("fd 1 is a pipe; it has child processes", why);
	ASSERT_EQ(0, ask(&a, p, other, KRG_MIGRATE_DRY_RUN));
	ASSERT_TRUE(next_order(&self->g, &o));
	EXPECT_EQ(0, krg_migrate_done(&self->g, o.id, 0, 0, NULL, err, sizeof(err)));
	EXPECT_EQ(0, answer(&a, why, sizeof(why)));

	/* the agent goes: what it held fails, saying so */
	ASSERT_EQ(0, ask(&a, p, other, 0));
	ASSERT_TRUE(next_order(&self->g, &o));
	krg_genl_close(&self->g);
	EXPECT_EQ(ECONNRESET, answer(&a, why, sizeof(why)));
	EXPECT_STREQ("the node agent (krgd) exited during the migration", why);
	ASSERT_EQ(0, krg_genl_open(&self->g));
	/* no fresh agent now: refused, saying so */
	ASSERT_EQ(0, ask(&a, p, other, 0));
	EXPECT_EQ(EHOSTUNREACH, answer(&a, why, sizeof(why)));
	EXPECT_STREQ("no node agent (krgd) runs on this machine", why);
	ASSERT_EQ(0, krg_membership_set(&self->g, m, NULL, 1, 4, err, sizeof(err)));
	/* another socket may answer (the agent's workers have their own) */
	ASSERT_EQ(0, ask(&a, p, other, 0));
	ASSERT_TRUE(next_order(&self->g, &o));
	ASSERT_EQ(0, krg_genl_open(&g2));
	EXPECT_EQ(0, krg_migrate_begin(&g2, o.id, err, sizeof(err)));
	EXPECT_EQ(0, krg_migrate_done(&g2, o.id, 0, 0, NULL, err, sizeof(err)));
	EXPECT_EQ(0, answer(&a, why, sizeof(why)));
	krg_genl_close(&g2);

	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	krg_close();	/* /dev/krg pins krg.ko: the teardown unloads it */
}

static int user_report(void *arg)
{
	unsigned char m[KRG_MAX_NODES / 8] = { 0 };
	struct krg_genl g;

	set_bit_of(m, me);
	if (krg_genl_open(&g))
		return 1;
	if (!krg_membership_set(&g, m, NULL, 1, 1, err, sizeof(err)))
		return 0;
	return errno;
}

TEST_F(cl, unprivileged)
{
	EXPECT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_report, NULL));
	EXPECT_STREQ("membership none\nquorate 0\nring 0", krg_rd(K "/cluster"));
}

TEST_HARNESS_MAIN
