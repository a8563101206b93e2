// SPDX-License-Identifier: GPL-2.0
/*
 * krgd's administration socket (/run/krgd.sock) from the client's side,
 * below krgadm: run by the cluster scenario admin.sh in every guest while
 * krgd runs there (skipped where no krgd listens). The status of the agent
 * (synced, this node, the present set); the agent's own refusals: a peer
 * that is not uid 0 (the socket opened to everyone for the test), a
 * request that is not one, DEL of this node, an empty mask. No request
 * here changes the cluster.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

static int me = 1;	/* corosync's nodeid until read_conf() */

static void read_conf(void)
{
	char line[128];
	FILE *f = fopen("/krg/run.conf", "re");

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "KRG_NODE_ID=%d", &me);
	if (f)
		fclose(f);
	me--;
}

static void req_init(struct krg_admin_req *r, int op)
{
	memset(r, 0, sizeof(*r));
	r->magic = KRG_ADMIN_MAGIC;
	r->version = KRG_ADMIN_VERSION;
	r->size = sizeof(*r);
	r->op = op;
}

FIXTURE(sock) {
	int unused;
};

FIXTURE_SETUP(sock)
{
	read_conf();
	if (access(KRG_ADMIN_SOCKET, F_OK))
		SKIP(return, "no krgd listens on " KRG_ADMIN_SOCKET);
}

FIXTURE_TEARDOWN(sock)
{
	chmod(KRG_ADMIN_SOCKET, 0600);
}

TEST_F(sock, status)
{
	struct krg_admin_req req;
	struct krg_admin_reply r;
	struct stat st;

	ASSERT_EQ(0, stat(KRG_ADMIN_SOCKET, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	req_init(&req, KRG_ADMIN_STATUS);
	ASSERT_EQ(0, krg_admin_call(&req, &r, 10000)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(1U, r.synced);
	EXPECT_EQ(me, (int)r.local_node);
	EXPECT_TRUE((r.present[me / 8] >> (me % 8)) & 1);
}

static int user_status(void *arg)
{
	struct krg_admin_req req;
	struct krg_admin_reply *r = arg;

	req_init(&req, KRG_ADMIN_STATUS);
	if (krg_admin_call(&req, r, 10000))
		return 100;
	if (r->status != -1)
		return 101;
	if (strcmp(r->message, "only root may ask krgd (uid 1000)"))
		return 102;
	return r->error;
}

/* The mode keeps users out; were it wrong, the agent still refuses them. */
TEST_F(sock, user_refused_by_the_agent)
{
	struct krg_admin_reply r;

	ASSERT_EQ(0, chmod(KRG_ADMIN_SOCKET, 0666));
	EXPECT_EQ(EPERM, krg_as_user(KRG_USER_UID, user_status, &r));
	ASSERT_EQ(0, chmod(KRG_ADMIN_SOCKET, 0600));
}

TEST_F(sock, not_a_request)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct krg_admin_reply r;
	char junk[16] = "not a request";
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ASSERT_LE(0, fd);
	strcpy(sa.sun_path, KRG_ADMIN_SOCKET);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ((ssize_t)sizeof(junk), send(fd, junk, sizeof(junk), 0));
	ASSERT_EQ((ssize_t)sizeof(r), recv(fd, &r, sizeof(r), 0));
	close(fd);
	EXPECT_EQ(-1, r.status);
	EXPECT_EQ(EPROTO, r.error);
	EXPECT_STREQ("not a version 1 request of krgadm", r.message);
}

TEST_F(sock, del_of_this_node)
{
	struct krg_admin_req req;
	struct krg_admin_reply r;

	req_init(&req, KRG_ADMIN_DEL);
	req.mask[me / 8] |= 1U << (me % 8);
	ASSERT_EQ(0, krg_admin_call(&req, &r, 10000));
	EXPECT_EQ(-1, r.status);
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_STREQ("Unable to suppress current node.", r.message);
}

TEST_F(sock, empty_mask)
{
	struct krg_admin_req req;
	struct krg_admin_reply r;

	req_init(&req, KRG_ADMIN_ADD);
	ASSERT_EQ(0, krg_admin_call(&req, &r, 10000));
	EXPECT_EQ(-1, r.status);
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_STREQ("no node given", r.message);
}

TEST_F(sock, unknown_op)
{
	struct krg_admin_req req;
	struct krg_admin_reply r;

	req_init(&req, 99);
	ASSERT_EQ(0, krg_admin_call(&req, &r, 10000));
	EXPECT_EQ(-1, r.status);
	EXPECT_EQ(EINVAL, r.error);
	EXPECT_STREQ("unknown request", r.message);
}

TEST_HARNESS_MAIN
