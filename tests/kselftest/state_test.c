// SPDX-License-Identifier: GPL-2.0
/*
 * A task's krg state travels: KRG_IOC_GET_STATE exports a process's sets
 * and pid memberships, KRG_IOC_SET_STATE (root only) gives them to another
 * process, libkrg's krg_state_restore() re-makes the memberships. Bad
 * records, targets and callers are refused with their errno, and the core
 * unloading while records are read is safe.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"
#include <krg.h>

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)
#define SUPPORTED	(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | \
			 B(CHECKPOINTABLE))
#define SA		KRG_CFS "/schedulers/state_a"
#define SB		KRG_CFS "/schedulers/state_b"

/* GET_STATE of @pid (or self if 0); 0 or -errno. */
static int get_state(pid_t pid, struct krg_state *st)
{
	struct krg_state_req req = {
		.size = sizeof(req),
		.target = pid ? KRG_TARGET_PID : KRG_TARGET_SELF,
		.pid = pid,
	};
	int fd = krg_dev(), ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, KRG_IOC_GET_STATE, &req))
		ret = -errno;
	else
		*st = req.state;
	close(fd);
	return ret;
}

/* SET_STATE of @pid with @st as given; 0 or -errno. */
static int set_state(pid_t pid, const struct krg_state *st)
{
	struct krg_state_req req = {
		.size = sizeof(req),
		.target = KRG_TARGET_PID,
		.pid = pid,
		.state = *st,
	};
	int fd = krg_dev(), ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, KRG_IOC_SET_STATE, &req))
		ret = -errno;
	close(fd);
	return ret;
}

static int get_caps(pid_t pid, struct krg_caps *caps)
{
	struct krg_cap_req req = {
		.size = sizeof(req),
		.target = KRG_TARGET_PID,
		.pid = pid,
	};
	int fd = krg_dev(), ret = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, KRG_IOC_GET_CAPS, &req))
		ret = -errno;
	else
		*caps = req.caps;
	close(fd);
	return ret;
}

static int set_caps(pid_t pid, __u32 p, __u32 e, __u32 ip, __u32 ie)
{
	int fd = krg_dev(), ret;

	if (fd < 0)
		return -errno;
	ret = krg_set_caps4(fd, KRG_TARGET_PID, pid, p, e, ip, ie);
	close(fd);
	return ret;
}

/* A child that waits to be killed, as @uid unless 0. */
/* A child pausing as @uid: returned once it is that user (not before). */
static pid_t sleeper(uid_t uid)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		if (write(p[1], "", 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(p[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static bool member(const char *sched, pid_t pid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/process_set/single_processes/%d",
		 sched, pid);
	return krg_exists(path);
}

static int join(const char *sched, pid_t pid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/process_set/single_processes/%d",
		 sched, pid);
	return krg_mkdir(path);
}

/* A valid record: @caps, and memberships of the schedulers @names. */
static void record(struct krg_state *st, const struct krg_caps *caps,
		   const char *const *names, unsigned int n)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->version = KRG_STATE_VERSION;
	st->caps = *caps;
	st->nr_memberships = n;
	for (i = 0; i < n; i++) {
		strcpy(st->memberships[i].scheduler, names[i]);
		st->memberships[i].kind = KRG_STATE_MEMBER_PID;
	}
}

static const struct krg_caps some = {
	.permitted = CHANGE | B(CAN_MIGRATE) | B(CHECKPOINTABLE),
	.effective = CHANGE | B(CAN_MIGRATE),
	.inheritable_permitted = CHANGE | B(CAN_MIGRATE),
	.inheritable_effective = CHANGE,
};

FIXTURE(state) {
	pid_t pid;		/* a child of root's, killed at teardown */
};

FIXTURE_SETUP(state)
{
	ASSERT_EQ(0, krg_need("krg"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	krg_remove_tree(SA);
	krg_remove_tree(SB);
	ASSERT_EQ(0, krg_mkdir(SA));
	ASSERT_EQ(0, krg_mkdir(SB));
	self->pid = sleeper(0);
	ASSERT_GT(self->pid, 0);
}

FIXTURE_TEARDOWN(state)
{
	if (self->pid > 0)
		reap(self->pid);
	krg_need("krg_scheduler");
	krg_remove_tree(SA);
	krg_remove_tree(SB);
}

/*
 * Test that a process's sets and scheduler membership, exported, given to
 * a new process once the first is gone, are the new one's.
 */
TEST_F(state, travels)
{
	struct krg_state st, again;
	struct krg_caps caps;
	pid_t next;
	int failed;

	ASSERT_EQ(0, set_caps(self->pid, some.permitted, some.effective,
			      some.inheritable_permitted,
			      some.inheritable_effective));
	ASSERT_EQ(0, join(SA, self->pid));

	ASSERT_EQ(0, get_state(self->pid, &st));
	EXPECT_EQ(sizeof(st), st.size);
	EXPECT_EQ(KRG_STATE_VERSION, (int)st.version);
	EXPECT_EQ(0U, st.flags);
	EXPECT_EQ(0, memcmp(&some, &st.caps, sizeof(some)));
	ASSERT_EQ(1U, st.nr_memberships);
	EXPECT_STREQ("state_a", st.memberships[0].scheduler);
	EXPECT_EQ((__u32)KRG_STATE_MEMBER_PID, st.memberships[0].kind);

	reap(self->pid);
	self->pid = 0;
	/* The member went with the process, the record did not. */
	next = sleeper(0);
	ASSERT_GT(next, 0);
	self->pid = next;
	EXPECT_FALSE(member(SA, next));

	ASSERT_EQ(0, krg_state_restore(next, &st, &failed));
	ASSERT_EQ(0, get_caps(next, &caps));
	EXPECT_EQ(0, memcmp(&some, &caps, sizeof(caps)));
	EXPECT_TRUE(member(SA, next));
	EXPECT_FALSE(member(SB, next));

	/* Its own record is the one it was given. */
	ASSERT_EQ(0, get_state(next, &again));
	EXPECT_EQ(0, memcmp(&st, &again, sizeof(st)));
}

/*
 * Test that attaching sets every set as recorded, a larger permitted set
 * included (what SET_CAPS never allows), and that a record of the defaults
 * without memberships brings a process back to the defaults.
 */
TEST_F(state, attach_replaces_sets)
{
	struct krg_caps full = {
		.permitted = SUPPORTED,
		.effective = SUPPORTED,
		.inheritable_permitted = SUPPORTED,
		.inheritable_effective = CHANGE,
	};
	struct krg_caps defaults = {
		.permitted = SUPPORTED,
		.effective = CHANGE,
		.inheritable_permitted = SUPPORTED,
		.inheritable_effective = CHANGE,
	};
	struct krg_state st;
	struct krg_caps caps;

	ASSERT_EQ(0, set_caps(self->pid, CHANGE, CHANGE, CHANGE, CHANGE));
	record(&st, &full, NULL, 0);
	ASSERT_EQ(0, set_state(self->pid, &st));
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ(0, memcmp(&full, &caps, sizeof(caps)));

	record(&st, &defaults, NULL, 0);
	ASSERT_EQ(0, set_state(self->pid, &st));
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ(0, memcmp(&defaults, &caps, sizeof(caps)));
}

/*
 * Test that a record of another version or size, or garbage, gets EINVAL
 * and changes nothing.
 */
TEST_F(state, bad_records)
{
	static const char *const a[] = { "state_a" };
	struct krg_state good, st;
	struct krg_state_req req;
	struct krg_caps caps;
	int fd;

	record(&good, &some, a, 1);

#define BAD(what, change) do {						\
		st = good;						\
		change;							\
		EXPECT_EQ(-EINVAL, set_state(self->pid, &st))		\
			TH_LOG("%s", what);				\
	} while (0)
	BAD("version 0", st.version = 0);
	BAD("next version", st.version = KRG_STATE_VERSION + 1);
	BAD("short size", st.size = sizeof(st) - 4);
	BAD("larger size", st.size = sizeof(st) + 4);
	BAD("unknown flag", st.flags = 1);
	BAD("too many memberships",
	    st.nr_memberships = KRG_STATE_MAX_MEMBERSHIPS + 1);
	BAD("huge count", st.nr_memberships = ~0U);
	BAD("empty name", st.memberships[0].scheduler[0] = '\0');
	BAD("slash", strcpy(st.memberships[0].scheduler, "state_a/x"));
	BAD("dot", strcpy(st.memberships[0].scheduler, "."));
	BAD("dotdot", strcpy(st.memberships[0].scheduler, ".."));
	BAD("no NUL", memset(st.memberships[0].scheduler, 'a',
			     sizeof(st.memberships[0].scheduler)));
	BAD("too long", memset(st.memberships[0].scheduler, 'a',
			       KRG_STATE_NAME_MAX + 1));
	BAD("not zero-padded", st.memberships[0].scheduler[20] = 'x');
	BAD("unknown kind", st.memberships[0].kind = 2);
	BAD("no kind", st.memberships[0].kind = 0);
	BAD("reserved", st.memberships[0].reserved = 1);
	BAD("unused slot", st.memberships[1].kind = KRG_STATE_MEMBER_PID);
	BAD("effective outside permitted",
	    st.caps.effective |= B(DISTANT_FORK));
	BAD("inheritable permitted outside permitted",
	    st.caps.inheritable_permitted |= B(DISTANT_FORK));
	BAD("inheritable effective outside inheritable permitted",
	    st.caps.inheritable_effective |= B(CHECKPOINTABLE));
	BAD("unsupported capability",
	    (st.caps.permitted |= B(USE_REMOTE_MEMORY)));
	BAD("unnamed capability", (st.caps.permitted |= 1U << 20));
#undef BAD

	/* A request too short for a record, and a bad request target. */
	fd = krg_dev();
	ASSERT_GE(fd, 0);
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req) - sizeof(req.state);
	req.target = KRG_TARGET_PID;
	req.pid = self->pid;
	EXPECT_EQ(-1, ioctl(fd, KRG_IOC_SET_STATE, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, KRG_IOC_GET_STATE, &req));
	EXPECT_EQ(EINVAL, errno);
	req.size = sizeof(req);
	req.state = good;
	req.reserved = 1;
	EXPECT_EQ(-1, ioctl(fd, KRG_IOC_SET_STATE, &req));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	/* Nothing of it reached the process. */
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ((__u32)CHANGE, caps.effective);
	EXPECT_EQ((__u32)SUPPORTED, caps.permitted);
	EXPECT_FALSE(member(SA, self->pid));
	/* And the record they were made from is good. */
	EXPECT_EQ(0, set_state(self->pid, &good));
}

/* Test that a record naming a scheduler that does not exist gets ENOENT. */
TEST_F(state, unknown_scheduler)
{
	static const char *const names[] = { "state_a", "state_nowhere" };
	struct krg_state st;
	struct krg_caps caps;

	record(&st, &some, names, 2);
	EXPECT_EQ(-ENOENT, set_state(self->pid, &st));
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ((__u32)CHANGE, caps.effective);
}

static int user_attach(void *arg)
{
	struct krg_state st;

	/* Even garbage: the caller is refused before the record is read. */
	memset(&st, 0xff, sizeof(st));
	if (set_state(getpid(), &st) != -EPERM)
		return 1;
	record(&st, &some, NULL, 0);
	if (set_state(getpid(), &st) != -EPERM)
		return 2;
	if (set_state(*(pid_t *)arg, &st) != -EPERM)
		return 3;
	return 0;
}

/* Test that an unprivileged attach gets EPERM, to its own process too. */
TEST_F(state, unprivileged_attach)
{
	pid_t mine = sleeper(KRG_USER_UID);

	ASSERT_GT(mine, 0);
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_attach, &mine));
	reap(mine);
}

static int user_get(void *arg)
{
	pid_t other = ((pid_t *)arg)[0], mine = ((pid_t *)arg)[1];
	struct krg_state st;
	struct krg_caps caps;

	if (get_caps(other, &caps) != -EPERM)
		return 1;
	if (get_state(other, &st) != -EPERM)
		return 2;
	if (get_state(mine, &st) || st.nr_memberships != 1)
		return 3;
	return get_state(0, &st) ? 4 : 0;
}

/*
 * Test that a user may export the record of their own process, and gets
 * EPERM for another user's as for GET_CAPS.
 */
TEST_F(state, unprivileged_get)
{
	pid_t pids[2];

	pids[0] = sleeper(KRG_OTHER_UID);
	pids[1] = sleeper(KRG_USER_UID);
	ASSERT_GT(pids[0], 0);
	ASSERT_GT(pids[1], 0);
	ASSERT_EQ(0, join(SB, pids[1]));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_get, pids));
	reap(pids[0]);
	reap(pids[1]);
}

/*
 * Test that attaching to a kernel thread gets EINVAL and to a process that
 * does not exist ESRCH.
 */
TEST_F(state, bad_targets)
{
	struct krg_state st;
	pid_t gone;

	record(&st, &some, NULL, 0);
	/* kthreadd */
	EXPECT_EQ(-EINVAL, set_state(2, &st));
	gone = fork();
	if (gone == 0)
		_exit(0);
	ASSERT_GT(gone, 0);
	waitpid(gone, NULL, 0);
	EXPECT_EQ(-ESRCH, set_state(gone, &st));
	EXPECT_EQ(-ESRCH, get_state(gone, &st));
}

/*
 * Test that without krg_scheduler.ko a record has no memberships, one
 * without memberships still attaches, and one with them gets EOPNOTSUPP.
 */
TEST_F(state, without_core)
{
	static const char *const a[] = { "state_a" };
	struct krg_state st;
	struct krg_caps caps;

	ASSERT_EQ(0, join(SA, self->pid));
	krg_remove_tree(SA);
	krg_remove_tree(SB);
	ASSERT_EQ(0, krg_unload_core());

	ASSERT_EQ(0, get_state(self->pid, &st));
	EXPECT_EQ(0U, st.nr_memberships);
	record(&st, &some, a, 1);
	EXPECT_EQ(-EOPNOTSUPP, set_state(self->pid, &st));
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ((__u32)CHANGE, caps.effective);
	record(&st, &some, NULL, 0);
	EXPECT_EQ(0, set_state(self->pid, &st));
	ASSERT_EQ(0, get_caps(self->pid, &caps));
	EXPECT_EQ(0, memcmp(&some, &caps, sizeof(caps)));

	ASSERT_EQ(0, krg_need("krg_scheduler"));
	ASSERT_EQ(0, krg_mkdir(SA));
	ASSERT_EQ(0, krg_mkdir(SB));
}

static volatile bool racing;

static void *reader(void *arg)
{
	pid_t pid = *(pid_t *)arg;
	struct krg_state st;
	long bad = 0;
	int ret;

	while (racing) {
		ret = get_state(pid, &st);
		if (ret || st.nr_memberships > 1)
			bad++;
	}
	return (void *)bad;
}

/* Test that the core unloading and loading while records are read is safe. */
TEST_F_TIMEOUT(state, unload_race, 240)
{
	/* A load under KASAN takes seconds. */
	int rounds = krg_debug_kernel() ? 4 : 20;
	pthread_t t;
	void *bad;
	int i;

	ASSERT_EQ(0, join(SA, self->pid));
	racing = true;
	ASSERT_EQ(0, pthread_create(&t, NULL, reader, &self->pid));
	for (i = 0; i < rounds; i++) {
		krg_remove_tree(SA);
		krg_remove_tree(SB);
		/* A read holding the core makes it busy: try again. */
		WAIT_FOR(krg_unload_core() == 0, 5);
		EXPECT_FALSE(krg_mod_loaded("krg_scheduler"));
		ASSERT_EQ(0, krg_need("krg_scheduler"));
		ASSERT_EQ(0, krg_mkdir(SA));
		join(SA, self->pid);
	}
	racing = false;
	pthread_join(t, &bad);
	EXPECT_EQ(0, (long)bad);
	ASSERT_EQ(0, krg_mkdir(SB));
}

TEST_HARNESS_MAIN
