// SPDX-License-Identifier: GPL-2.0
/*
 * Kerrighed capabilities through /dev/krg: the defaults, every rule of a
 * change and its errno, the targets (self, parent, pid), inheritance across
 * fork, exec and thread creation, no entry leaked by many forks and exits,
 * the ioctl argument checks, and what an unprivileged user may not do.
 */
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"
#include <krg.h>

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)

static __u32 supported(void)
{
	char buf[32];

	if (krg_read("/sys/kernel/krg/cap_supported", buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 0);
}

static int entries(void)
{
	char buf[32];

	if (krg_read("/sys/kernel/krg/task_entries", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

/* GET or SET; 0 or -errno. */
static int caps_ioctl(int fd, unsigned long cmd, __u32 target, pid_t pid,
		      struct krg_caps *caps)
{
	struct krg_cap_req req = {
		.size = sizeof(req),
		.target = target,
		.pid = pid,
	};

	if (cmd == KRG_IOC_SET_CAPS)
		req.caps = *caps;
	if (ioctl(fd, cmd, &req))
		return -errno;
	if (cmd == KRG_IOC_GET_CAPS)
		*caps = req.caps;
	return 0;
}

static int get_caps(int fd, __u32 target, pid_t pid, struct krg_caps *caps)
{
	return caps_ioctl(fd, KRG_IOC_GET_CAPS, target, pid, caps);
}

static int set_caps(int fd, __u32 target, pid_t pid, __u32 p, __u32 e,
		    __u32 ip, __u32 ie)
{
	struct krg_caps caps = {
		.permitted = p,
		.effective = e,
		.inheritable_permitted = ip,
		.inheritable_effective = ie,
	};

	return caps_ioctl(fd, KRG_IOC_SET_CAPS, target, pid, &caps);
}

/* A child that waits to be killed, as @uid (0: stay root). */
static pid_t park(uid_t uid)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

FIXTURE(caps) {
	int fd;
	__u32 all;
};

FIXTURE_SETUP(caps)
{
	int ret = krg_need("krg");

	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	self->fd = krg_dev();
	ASSERT_LE(0, self->fd);
	self->all = supported();
	ASSERT_NE(0U, self->all);
}

FIXTURE_TEARDOWN(caps)
{
	close(self->fd);
}

/* A task that never changed anything has Kerrighed's defaults. */
TEST_F(caps, defaults)
{
	struct krg_caps c = { 0 };

	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(self->all, c.permitted);
	EXPECT_EQ(CHANGE, c.effective);
	EXPECT_EQ(self->all, c.inheritable_permitted);
	EXPECT_EQ(CHANGE, c.inheritable_effective);
	/* The supported set is Kerrighed's bits 0, 1, 2 and 4. */
	EXPECT_EQ(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | B(CHECKPOINTABLE),
		  self->all);
}

/* Each subset rule has its EINVAL, and a refused change changes nothing. */
TEST_F(caps, subset_rules)
{
	__u32 all = self->all;
	struct krg_caps c = { 0 };

	/* effective within permitted */
	EXPECT_EQ(-EINVAL, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    CHANGE, CHANGE | B(CAN_MIGRATE),
				    CHANGE, CHANGE));
	/* inheritable permitted within permitted */
	EXPECT_EQ(-EINVAL, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    CHANGE, CHANGE, CHANGE | B(CAN_MIGRATE),
				    CHANGE));
	/* inheritable effective within inheritable permitted */
	EXPECT_EQ(-EINVAL, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    all, CHANGE, CHANGE, CHANGE | B(CAN_MIGRATE)));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(all, c.permitted);
	EXPECT_EQ(CHANGE, c.effective);
	EXPECT_EQ(all, c.inheritable_permitted);
	EXPECT_EQ(CHANGE, c.inheritable_effective);
}

/* A capability the kernel does not implement gives ENOSYS. */
TEST_F(caps, unsupported)
{
	EXPECT_EQ(-ENOSYS, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    self->all | B(FORK_DELAY), CHANGE,
				    CHANGE, CHANGE));
	EXPECT_EQ(-ENOSYS, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    self->all | (1U << 20), CHANGE, CHANGE,
				    CHANGE));
	/* The subset rules are checked first. */
	EXPECT_EQ(-EINVAL, set_caps(self->fd, KRG_TARGET_SELF, 0,
				    B(FORK_DELAY), CHANGE, 0, 0));
}

/* A valid change takes effect; permitted only shrinks. */
TEST_F(caps, permitted_shrinks)
{
	__u32 all = self->all;
	struct krg_caps c = { 0 };

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, all,
			      CHANGE | B(CAN_MIGRATE), all, CHANGE));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(CHANGE | B(CAN_MIGRATE), c.effective);

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      all & ~B(CAN_MIGRATE), CHANGE,
			      all & ~B(CAN_MIGRATE), CHANGE));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(all & ~B(CAN_MIGRATE), c.permitted);
	EXPECT_EQ(CHANGE, c.effective);

	/* Asking for it back succeeds but gives nothing back. */
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, all,
			      CHANGE | B(CAN_MIGRATE), all,
			      CHANGE | B(CAN_MIGRATE)));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(all & ~B(CAN_MIGRATE), c.permitted);
	EXPECT_EQ(CHANGE, c.effective);
	EXPECT_EQ(all & ~B(CAN_MIGRATE), c.inheritable_permitted);
	EXPECT_EQ(CHANGE, c.inheritable_effective);
}

/* Without CHANGE_KERRIGHED_CAP in effective, no change is possible, by anyone. */
TEST_F(caps, no_change_cap)
{
	__u32 all = self->all;
	struct krg_caps c = { 0 };
	int status;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, all, 0, all, 0));
	EXPECT_EQ(-EPERM, set_caps(self->fd, KRG_TARGET_SELF, 0, all, CHANGE,
				   all, CHANGE));
	/* Root could not change it from outside either. */
	{
		pid_t me = getpid(), pid = fork();

		if (pid == 0) {
			int fd = krg_dev();

			_exit(set_caps(fd, KRG_TARGET_PID, me, all, CHANGE,
				       all, CHANGE) == -EPERM ? 0 : 1);
		}
		ASSERT_LT(0, pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status);
	}
	/* Reading still works. */
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(0U, c.effective);
	EXPECT_EQ(all, c.permitted);
}

/* SET and GET reach the caller's parent. */
TEST_F(caps, target_parent)
{
	__u32 all = self->all;
	struct krg_caps c = { 0 };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = krg_dev();

		if (set_caps(fd, KRG_TARGET_PARENT, 0, all,
			     CHANGE | B(CAN_MIGRATE), all, CHANGE))
			_exit(1);
		if (get_caps(fd, KRG_TARGET_PARENT, 0, &c) ||
		    c.effective != (CHANGE | B(CAN_MIGRATE)))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(CHANGE | B(CAN_MIGRATE), c.effective);
}

/* SET and GET reach a process by pid; a dead pid is ESRCH. */
TEST_F(caps, target_pid)
{
	__u32 all = self->all;
	struct krg_caps c = { 0 };
	pid_t pid;

	pid = park(0);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, set_caps(self->fd, KRG_TARGET_PID, pid, all,
			      CHANGE | B(DISTANT_FORK), all, CHANGE));
	EXPECT_EQ(0, get_caps(self->fd, KRG_TARGET_PID, pid, &c));
	EXPECT_EQ(CHANGE | B(DISTANT_FORK), c.effective);
	/* Ours did not change. */
	EXPECT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &c));
	EXPECT_EQ(CHANGE, c.effective);
	reap(pid);
	EXPECT_EQ(-ESRCH, get_caps(self->fd, KRG_TARGET_PID, pid, &c));
	EXPECT_EQ(-ESRCH, set_caps(self->fd, KRG_TARGET_PID, pid, all,
				   CHANGE, all, CHANGE));
}

/* Fork: P = parent IP, E = parent IE & IP, inheritable sets copied. */
TEST_F(caps, inherit_fork)
{
	__u32 ip = CHANGE | B(CAN_MIGRATE) | B(CHECKPOINTABLE);
	__u32 ie = CHANGE | B(CAN_MIGRATE);
	struct krg_caps c = { 0 };
	int pipefd[2];
	pid_t pid;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE | B(DISTANT_FORK), ip, ie));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (get_caps(self->fd, KRG_TARGET_SELF, 0, &c))
			_exit(1);
		write(pipefd[1], &c, sizeof(c));
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(c), read(pipefd[0], &c, sizeof(c)));
	waitpid(pid, NULL, 0);
	EXPECT_EQ(ip, c.permitted);
	EXPECT_EQ(ie & ip, c.effective);
	EXPECT_EQ(ip, c.inheritable_permitted);
	EXPECT_EQ(ie, c.inheritable_effective);
}

/* The parent's inheritable effective set is masked by its inheritable permitted one. */
TEST_F(caps, inherit_masked)
{
	__u32 ip = CHANGE, ie = CHANGE;
	struct krg_caps c = { 0 };
	int pipefd[2];
	pid_t pid;

	/* Its child can never regain what the parent's IP lacks. */
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE | B(CAN_MIGRATE), ip, ie));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret = set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
				   CHANGE | B(CAN_MIGRATE), self->all, CHANGE);

		get_caps(self->fd, KRG_TARGET_SELF, 0, &c);
		c.inheritable_effective = ret;
		write(pipefd[1], &c, sizeof(c));
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(c), read(pipefd[0], &c, sizeof(c)));
	waitpid(pid, NULL, 0);
	EXPECT_EQ(0U, c.inheritable_effective);	/* the SET succeeded... */
	EXPECT_EQ(CHANGE, c.permitted);		/* ...but P only shrinks */
	EXPECT_EQ(CHANGE, c.effective);
}

/* Exec leaves the sets unchanged. */
TEST_F(caps, inherit_exec)
{
	__u32 e = CHANGE | B(CAN_MIGRATE);
	char buf[1];
	struct krg_caps c = { 0 };
	int pipefd[2];
	pid_t pid;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (set_caps(self->fd, KRG_TARGET_SELF, 0, self->all, e,
			     CHANGE | B(CAN_MIGRATE), CHANGE))
			_exit(1);
		execl("/bin/sleep", "sleep", "30", NULL);
		_exit(2);
	}
	close(pipefd[1]);
	/* EOF once exec has closed the pipe. */
	ASSERT_EQ(0, read(pipefd[0], buf, 1));
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_PID, pid, &c));
	EXPECT_EQ(self->all, c.permitted);
	EXPECT_EQ(e, c.effective);
	EXPECT_EQ(CHANGE | B(CAN_MIGRATE), c.inheritable_permitted);
	EXPECT_EQ(CHANGE, c.inheritable_effective);
	reap(pid);
}

struct thread_arg {
	int fd;
	struct krg_caps caps;
	int ret;
};

static void *thread_get(void *p)
{
	struct thread_arg *a = p;

	a->ret = get_caps(a->fd, KRG_TARGET_SELF, 0, &a->caps);
	return NULL;
}

/* A thread inherits from the thread that creates it, like a child. */
TEST_F(caps, inherit_thread)
{
	__u32 ip = CHANGE | B(CAN_MIGRATE), ie = CHANGE | B(CAN_MIGRATE);
	struct thread_arg a = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE, ip, ie));
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_get, &a));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, a.ret);
	EXPECT_EQ(ip, a.caps.permitted);
	EXPECT_EQ(ie & ip, a.caps.effective);
	EXPECT_EQ(ip, a.caps.inheritable_permitted);
	EXPECT_EQ(ie, a.caps.inheritable_effective);
	/* The creating thread keeps its own sets. */
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_SELF, 0, &a.caps));
	EXPECT_EQ(self->all, a.caps.permitted);
	EXPECT_EQ(CHANGE, a.caps.effective);
}

static void *thread_nop(void *p)
{
	return p;
}

/*
 * Many concurrent forks and exits with inherited sets leave no entry behind.
 * 600 processes and 200 threads: past the default 30 s on a busy host's
 * debug kernel (seen once).
 */
TEST_F_TIMEOUT(caps, no_leak, 180)
{
	enum { N = 200 };
	pid_t pids[N];
	int before, after, i, status, bad = 0;

	before = entries();
	ASSERT_LE(0, before);
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE, self->all, CHANGE | B(CAN_MIGRATE)));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			pthread_t t;
			pid_t gc;

			/* A thread and a grandchild, both with entries. */
			if (pthread_create(&t, NULL, thread_nop, NULL) ||
			    pthread_join(t, NULL))
				_exit(1);
			gc = fork();
			if (gc == 0) {
				usleep(1000);
				_exit(0);
			}
			waitpid(gc, NULL, 0);
			_exit(0);
		}
	}
	for (i = 0; i < N; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	EXPECT_EQ(0, bad);
	after = entries();
	/* Ours is the only new one. */
	EXPECT_EQ(before + 1, after);
}

#define FAIL_ALLOC	"/sys/module/krg/parameters/fail_fork_alloc"

/* The child's own sets, checked against what it inherits: 0 or a code. */
static int check_inherited(int fd, __u32 ip, __u32 ie)
{
	struct krg_caps c = { 0 };

	if (get_caps(fd, KRG_TARGET_SELF, 0, &c))
		return 20;
	if (c.permitted != ip || c.effective != (ie & ip) ||
	    c.inheritable_permitted != ip || c.inheritable_effective != ie)
		return 21;
	return 0;
}

static int ip_fail, ie_fail, fd_fail;

static void *thread_check(void *p)
{
	return (void *)(long)check_inherited(fd_fail, ip_fail, ie_fail);
}

/* Fork a child that checks its sets and exits with the result. */
static int fork_checked(int fd, __u32 ip, __u32 ie, bool grandchild)
{
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		ret = check_inherited(fd, ip, ie);
		if (!ret && grandchild)
			ret = fork_checked(fd, ip, ie, false);
		_exit(ret);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 100 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * An allocation failure on the fork path (the spare entries, refilled
 * after each fork, fail to refill) neither kills the child nor gives it
 * more than its parent's inheritable sets: processes, grandchildren,
 * threads.
 */
TEST_F(caps, fail_safe)
{
	__u32 ip = CHANGE | B(CAN_MIGRATE), ie = CHANGE | B(CAN_MIGRATE);
	int before = entries();
	pthread_t t;
	void *tret;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE, ip, ie));
	ASSERT_EQ(0, krg_write(FAIL_ALLOC, "4"));
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(0, fork_checked(self->fd, ip, ie, true))
			TH_LOG("fork %d", i);
	}
	fd_fail = self->fd;
	ip_fail = ip;
	ie_fail = ie;
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_create(&t, NULL, thread_check, NULL));
		ASSERT_EQ(0, pthread_join(t, &tret));
		EXPECT_EQ(0, (long)tret) TH_LOG("thread %d", i);
	}
	/* Every armed failure was consumed. */
	EXPECT_STREQ("0", krg_rd(FAIL_ALLOC));
	EXPECT_EQ(0, krg_write(FAIL_ALLOC, "0"));

	/* A task with the defaults allocates nothing: the knob stays armed. */
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all, CHANGE,
			      self->all, CHANGE));
	ASSERT_EQ(0, krg_write(FAIL_ALLOC, "1"));
	EXPECT_EQ(0, fork_checked(self->fd, self->all, CHANGE, false));
	EXPECT_STREQ("1", krg_rd(FAIL_ALLOC));
	EXPECT_EQ(0, krg_write(FAIL_ALLOC, "0"));
	EXPECT_EQ(before + 1, entries());
}

static volatile long refcnt_in_child;

/*
 * Test that a vfork (posix_spawn) by a task with an entry leaves krg.ko
 * unloadable from the child: the parent waits for the child's exec, so a
 * refill queued on the parent would hold a module reference until then
 * (a `rmmod krg` spawned that way would always fail).
 */
TEST_F(caps, vfork_holds_no_module_ref)
{
	__u32 ip = CHANGE | B(CAN_MIGRATE), ie = CHANGE | B(CAN_MIGRATE);
	long before;
	pid_t pid;
	int status;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0, self->all,
			      CHANGE, ip, ie));
	/* A fork first: this task's own refill has run once we are back. */
	EXPECT_EQ(0, fork_checked(self->fd, ip, ie, true));
	before = krg_rdll("/sys/module/krg/refcnt");
	pid = vfork();
	if (pid == 0) {
		refcnt_in_child = krg_rdll("/sys/module/krg/refcnt");
		_exit(0);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(before, refcnt_in_child);
	/* The child refilled this task's spare: the next fork needs none. */
	EXPECT_EQ(0, fork_checked(self->fd, ip, ie, true));
	EXPECT_EQ(before, krg_rdll("/sys/module/krg/refcnt"));
}

struct race_arg {
	__u32 ip, ie;
	int seconds;
};

/*
 * As a user: fork children as fast as possible while another process sets
 * the sets of the pids about to appear. Every child must have exactly the
 * inherited sets (the hammer asks for the same inheritable sets with
 * P = all, which only a child without its entry yet would get) and run.
 */
static int user_fork_race(void *p)
{
	struct race_arg *a = p;
	int fd = krg_dev(), bad = 0, status, n = 0;
	time_t end = time(NULL) + a->seconds;
	pid_t hammer, pid;
	int pipefd[2];
	long eagain = 0;

	if (fd < 0)
		return 10;
	if (set_caps(fd, KRG_TARGET_SELF, 0, KRG_CAP_ALL_NAMED & supported(),
		     a->ie, a->ip, a->ie))
		return 11;
	if (pipe(pipefd))
		return 12;
	hammer = fork();
	if (hammer < 0)
		return 13;
	if (hammer == 0) {
		close(pipefd[0]);
		while (time(NULL) < end) {
			pid_t last = krg_rdll("/proc/sys/kernel/ns_last_pid");

			for (pid_t nr = last + 1; nr <= last + 3; nr++)
				if (set_caps(fd, KRG_TARGET_PID, nr,
					     supported(), a->ie, a->ip,
					     a->ie) == -EAGAIN)
					eagain++;
		}
		write(pipefd[1], &eagain, sizeof(eagain));
		_exit(0);
	}
	close(pipefd[1]);
	while (time(NULL) < end) {
		pid = fork();
		if (pid < 0)
			return 14;
		if (pid == 0)
			_exit(check_inherited(fd, a->ip, a->ie));
		if (waitpid(pid, &status, 0) != pid)
			return 15;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
		n++;
	}
	if (read(pipefd[0], &eagain, sizeof(eagain)) != sizeof(eagain))
		eagain = -1;
	waitpid(hammer, NULL, 0);
	fprintf(stderr, "# %d forks, %d bad, %ld EAGAIN\n", n, bad, eagain);
	return bad ? 16 : 0;
}

/*
 * A process found by pid before the fork hook ran (it is being created)
 * cannot be given an entry by SET_CAPS (EAGAIN): the hook never meets an
 * entry it did not make, the guest never WARNs, and the child has the
 * inherited sets. The test placement hook's delay widens the window.
 */
TEST_F(caps, fork_race)
{
	struct race_arg a = {
		.ip = CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK),
		.ie = CHANGE | B(DISTANT_FORK),
		.seconds = 5,
	};
	int ret;

	krg_unload_core();
	ret = krg_need("krg_test_placement");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_test_placement: %s",
				 strerror(-ret));
	ASSERT_EQ(0, krg_write("/sys/module/krg_test_placement/parameters/node",
			       "-1"));
	ASSERT_EQ(0, krg_write("/sys/module/krg_test_placement/parameters/delay_us",
			       "500"));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_fork_race, &a));
	krg_write("/sys/module/krg_test_placement/parameters/delay_us", "0");
	EXPECT_EQ(0, krg_rmmod("krg_test_placement"));
}

/* Struct sizes, reserved fields, targets and commands are checked. */
TEST_F(caps, bad_requests)
{
	struct { struct krg_cap_req req; __u32 extra[4]; } big;
	struct krg_cap_req req;
	void *ro;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req) - 4;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);
	req.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);

	req.size = sizeof(req);
	req.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);
	req.reserved = 0;
	req.target = 3;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);
	req.target = KRG_TARGET_SELF;
	req.pid = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);
	req.target = KRG_TARGET_PID;
	req.pid = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);
	req.pid = -5;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &req));
	EXPECT_EQ(EINVAL, errno);

	/* Larger than known: fine if the tail is zero, E2BIG if not. */
	memset(&big, 0, sizeof(big));
	big.req.size = sizeof(big);
	big.req.target = KRG_TARGET_SELF;
	EXPECT_EQ(0, ioctl(self->fd, KRG_IOC_GET_CAPS, &big));
	EXPECT_EQ(CHANGE, big.req.caps.effective);
	big.extra[3] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, &big));
	EXPECT_EQ(E2BIG, errno);

	/* Unknown command, bad pointers. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(KRG_IOC_MAGIC, 42, __u32), &req));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW('x', 1, __u32), &req));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_SET_CAPS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* GET writes back: a read-only buffer faults. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	memcpy(ro, &req, sizeof(req));
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_GET_CAPS, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);

	/* Migration requests are checked the same way. */
	{
		/* shorter than the part before the reason (out only) */
		struct krg_migrate_req m = {
			.size = offsetof(struct krg_migrate_req, reason) - 4,
			.pid = 1,
		};

		EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_MIGRATE, &m));
		EXPECT_EQ(EINVAL, errno);
		m.size = sizeof(m);
		m.flags = 1U << 7;
		EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_MIGRATE, &m));
		EXPECT_EQ(EINVAL, errno);
		m.flags = 0;
		m.pid = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_MIGRATE, &m));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, ioctl(self->fd, KRG_IOC_MIGRATE, NULL));
		EXPECT_EQ(EFAULT, errno);
	}
}

struct user_arg {
	pid_t other;		/* a process of KRG_OTHER_UID */
	__u32 all;
};

static int user_cannot_raise(void *p)
{
	struct user_arg *a = p;
	int fd = krg_dev();
	struct krg_caps c = { 0 };

	if (fd < 0)
		return 10;
	/* Drop CAN_MIGRATE, then try to get it back. */
	if (set_caps(fd, KRG_TARGET_SELF, 0, a->all & ~B(CAN_MIGRATE), CHANGE,
		     a->all & ~B(CAN_MIGRATE), CHANGE))
		return 11;
	if (set_caps(fd, KRG_TARGET_SELF, 0, a->all, CHANGE | B(CAN_MIGRATE),
		     a->all, CHANGE | B(CAN_MIGRATE)))
		return 12;
	if (get_caps(fd, KRG_TARGET_SELF, 0, &c))
		return 13;
	if (c.permitted & B(CAN_MIGRATE) || c.effective & B(CAN_MIGRATE) ||
	    c.inheritable_effective & B(CAN_MIGRATE))
		return 14;
	return 0;
}

/* An unprivileged user cannot get back what it gave up. */
TEST_F(caps, user_cannot_raise)
{
	struct user_arg a = { .all = self->all };

	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_cannot_raise, &a));
}

static int user_other(void *p)
{
	struct user_arg *a = p;
	int fd = krg_dev();
	struct krg_caps c = { 0 };

	if (fd < 0)
		return 10;
	if (get_caps(fd, KRG_TARGET_PID, a->other, &c) != -EPERM)
		return 11;
	if (set_caps(fd, KRG_TARGET_PID, a->other, a->all,
		     CHANGE | B(CAN_MIGRATE), a->all, CHANGE) != -EPERM)
		return 12;
	if (krg_migrate_pid(fd, a->other, 0, 0) != -EPERM)
		return 13;
	/* Nor root's. */
	if (get_caps(fd, KRG_TARGET_PID, 1, &c) != -EPERM)
		return 14;
	if (set_caps(fd, KRG_TARGET_PARENT, 0, a->all, CHANGE, a->all,
		     CHANGE) != -EPERM)
		return 15;
	/* Its own are fine. */
	if (get_caps(fd, KRG_TARGET_SELF, 0, &c))
		return 16;
	return 0;
}

/* An unprivileged user can neither read, change nor migrate another user's process. */
TEST_F(caps, user_other_process)
{
	struct user_arg a = { .all = self->all };
	struct krg_caps c = { 0 };

	a.other = park(KRG_OTHER_UID);
	ASSERT_LT(0, a.other);
	/* Even one that may migrate. */
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_PID, a.other, self->all,
			      CHANGE | B(CAN_MIGRATE), self->all, CHANGE));
	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_other, &a));
	/* Nothing changed; root may read and change it. */
	ASSERT_EQ(0, get_caps(self->fd, KRG_TARGET_PID, a.other, &c));
	EXPECT_EQ(CHANGE | B(CAN_MIGRATE), c.effective);
	EXPECT_EQ(0, set_caps(self->fd, KRG_TARGET_PID, a.other, self->all,
			      CHANGE, self->all, CHANGE));
	reap(a.other);
}

static int user_own_child(void *p)
{
	struct user_arg *a = p;
	int fd = krg_dev(), ret = 0;
	struct krg_caps c = { 0 };
	pid_t pid;

	pid = park(0);
	if (pid < 0 || fd < 0)
		return 10;
	if (set_caps(fd, KRG_TARGET_PID, pid, a->all, CHANGE | B(CAN_MIGRATE),
		     a->all, CHANGE))
		ret = 11;
	else if (get_caps(fd, KRG_TARGET_PID, pid, &c) ||
		 c.effective != (CHANGE | B(CAN_MIGRATE)))
		ret = 12;
	reap(pid);
	return ret;
}

/* An unprivileged user may change its own processes. */
TEST_F(caps, user_own_process)
{
	struct user_arg a = { .all = self->all };

	EXPECT_EQ(0, krg_as_user(KRG_USER_UID, user_own_child, &a));
}

TEST_HARNESS_MAIN
