// SPDX-License-Identifier: GPL-2.0
/*
 * ghost_test.c - turning a stopped process into its ghost
 * (tools/krgd/ghost.c's ghost_inject()) and the ghost itself
 * (tools/krg-ghost/krg-ghost): what the process keeps (pid, parent,
 * group, session, fds), the ghost's conversation with a root peer
 * (HELLO, the signals it gets, EXIT with a status its parent then sees),
 * and failures that leave the process as it was. Children busy, in an
 * interrupted read() or nanosleep(), with signals blocked, with threads.
 *
 * Root only (ptrace, and the ghost talks to root only). The ghost is
 * KRG_GHOST, by default tools/krg-ghost/krg-ghost next to this tests/
 * directory: build tools/ first. Build and run: `make check-unit`
 * (tests/Makefile links ghost.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../tools/krgd/ghost.h"

#define WAIT_MS		5000	/* for anything the tests wait for */
#define STACK_PEEK	4096	/* bytes below the stack pointer compared */

/* What a child shares with the test (MAP_SHARED). */
struct child_shm {
	volatile unsigned long counter;	/* the busy loop's */
	volatile int ready;		/* set when it is where it should be */
	volatile int got;		/* read()'s byte, or -errno */
	volatile int bad;		/* its own checks failed */
};

enum child_kind { BUSY, READ, SLEEP, MASKED, THREADS };

struct child {
	pid_t pid;
	int in[2];		/* the test writes to it (READ) */
	int out[2];		/* the child writes to it (BUSY...) */
	struct child_shm *shm;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };	/* 1 ms */

	nanosleep(&ts, NULL);
}

static const char *ghost_bin(void)
{
	static char path[PATH_MAX];
	char self[PATH_MAX];
	ssize_t n;

	if (getenv("KRG_GHOST"))
		return getenv("KRG_GHOST");
	if (path[0])
		return path;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return "../tools/krg-ghost/krg-ghost";
	self[n] = '\0';
	/* .../tests/unit/ghost_test -> .../tools/krg-ghost/krg-ghost */
	snprintf(path, sizeof(path), "%s/../../tools/krg-ghost/krg-ghost",
		 dirname(self));
	if (!realpath(path, self))
		return path;
	snprintf(path, sizeof(path), "%s", self);
	return path;
}

/* /proc/@pid/stat's state letter, or 0 when there is no such process. */
static char proc_state(pid_t pid)
{
	char path[64], buf[1024], *p, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	if (p)
		sscanf(p + 1, " %c", &st);
	fclose(f);
	return st;
}

/* The number on /proc/@pid/status's line @key, or -1. */
static long proc_status(pid_t pid, const char *key)
{
	char path[64], buf[512];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, key, kl) && buf[kl] == ':') {
			v = strtol(buf + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* /proc/@pid/@name's target, "" if none. */
static void proc_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* /proc/@pid/syscall: the syscall it is in, its arguments, sp and pc. */
static void proc_syscall(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* The STACK_PEEK bytes below @pid's stack pointer (from @sc). 0 or -1. */
static int stack_peek(pid_t pid, const char *sc, unsigned char *buf)
{
	unsigned long sp;
	const char *p;
	char path[64];
	ssize_t n;
	int fd;

	/* "nr [args...] sp pc": the one before last */
	p = strrchr(sc, ' ');
	while (p && p > sc && p[-1] != ' ')
		p--;
	if (!p || sscanf(p, "%lx", &sp) != 1)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, buf, STACK_PEEK, sp - STACK_PEEK);
	close(fd);
	return n == STACK_PEEK ? 0 : -1;
}

static void *child_spin(void *arg)
{
	volatile unsigned long *n = arg;

	for (;;)
		(*n)++;
	return NULL;
}

/* The child's life: where @kind says, until killed. */
static void __attribute__((noreturn)) child_main(struct child *c, enum child_kind kind)
{
	struct child_shm *s = c->shm;
	volatile unsigned long spins[2] = { 0, 0 };
	unsigned char mark[256];
	unsigned long i, x = 1;
	pthread_t t;
	sigset_t all;
	char b;
	int k;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(c->in[1]);
	close(c->out[0]);
	fcntl(c->out[1], F_SETFL, O_NONBLOCK);
	for (i = 0; i < sizeof(mark); i++)
		mark[i] = i * 7;

	switch (kind) {
	case READ:
		s->ready = 1;
		k = read(c->in[0], &b, 1);
		s->got = k == 1 ? b : k ? -errno : -1000;
		_exit(0);
	case SLEEP:
		s->ready = 1;
		{
			struct timespec ts = { 1000, 0 };

			nanosleep(&ts, NULL);
		}
		_exit(0);
	case MASKED:
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		break;
	case THREADS:
		for (k = 0; k < 2; k++)
			if (pthread_create(&t, NULL, child_spin, (void *)&spins[k]))
				s->bad = 1;
		break;
	default:
		break;
	}
	s->ready = 1;
	for (;;) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		s->counter++;
		if (!(s->counter & 0xfffff)) {
			if (write(c->out[1], &x, sizeof(x)) < 0 && errno != EAGAIN)
				s->bad = 1;
			for (i = 0; i < sizeof(mark); i++)
				if (mark[i] != (unsigned char)(i * 7))
					s->bad = 1;
		}
	}
}

/* Fork a child of @kind, running or blocked where it should be. */
static pid_t child_start(struct child *c, enum child_kind kind)
{
	unsigned long long end = now_ms() + WAIT_MS;

	memset(c, 0, sizeof(*c));
	c->shm = mmap(NULL, sizeof(*c->shm), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->shm == MAP_FAILED || pipe(c->in) || pipe(c->out))
		return -1;
	c->pid = fork();
	if (!c->pid)
		child_main(c, kind);
	close(c->in[0]);
	close(c->out[1]);
	while (!c->shm->ready || ((kind == READ || kind == SLEEP) &&
				  proc_state(c->pid) != 'S')) {
		if (now_ms() > end)
			return -1;
		nap();
	}
	return c->pid;
}

/* SIGSTOP the child and wait for its group-stop. 0 or -1. */
static int child_stop(struct child *c)
{
	unsigned long long end = now_ms() + WAIT_MS;

	kill(c->pid, SIGSTOP);
	while (proc_state(c->pid) != 'T') {
		if (now_ms() > end)
			return -1;
		nap();
	}
	return 0;
}

/* Wait for the busy counter to move. 0 or -1. */
static int child_moves(struct child *c)
{
	unsigned long long end = now_ms() + WAIT_MS;
	unsigned long n = c->shm->counter;

	while (c->shm->counter == n) {
		if (now_ms() > end)
			return -1;
		nap();
	}
	return 0;
}

/* Wait for the child's end: its wait status, or -1. */
static int child_reap(struct child *c)
{
	unsigned long long end = now_ms() + WAIT_MS;
	int st;

	while (waitpid(c->pid, &st, WNOHANG) != c->pid) {
		if (now_ms() > end)
			return -1;
		nap();
	}
	return st;
}

static void child_kill(struct child *c)
{
	kill(c->pid, SIGKILL);
	kill(c->pid, SIGCONT);
	child_reap(c);
}

static int inject(struct __test_metadata *_metadata, pid_t pid, const char *path,
		  char *err, size_t errlen)
{
	char *argv[] = { "krg-ghost", "3", "42", NULL };
	struct timespec a, b;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &a);
	r = ghost_inject(pid, path, argv, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ksft_print_msg("%s: ghost_inject(%d) = %d in %.2f ms%s%s\n", _metadata->name,
		       (int)pid, r, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6,
		       r ? ": " : "", r ? err : "");
	return r;
}

/* Connect to the ghost @pid (retrying until it listens): the socket or -1. */
static int ghost_connect(pid_t pid)
{
	unsigned long long end = now_ms() + WAIT_MS;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, n;

	n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, KRG_GHOST_SOCK_FMT, (int)pid);
	len = offsetof(struct sockaddr_un, sun_path) + 1 + n;
	for (;;) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (!connect(fd, (struct sockaddr *)&a, len))
			return fd;
		close(fd);
		if (now_ms() > end)
			return -1;
		nap();
	}
}

/* The next message: 1, 0 at EOF, -1 if none came in time. */
static int ghost_recv(int fd, struct krg_ghost_msg *m)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, WAIT_MS) != 1)
		return -1;
	n = recv(fd, m, sizeof(*m), 0);
	if (!n)
		return 0;
	return n == sizeof(*m) && m->magic == KRG_GHOST_MAGIC ? 1 : -1;
}

static int ghost_send(int fd, uint32_t type, int32_t value)
{
	struct krg_ghost_msg m = { KRG_GHOST_MAGIC, type, value };

	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == sizeof(m) ? 0 : -1;
}

#define EXPECT_MSG(fd, t, v) do { \
	struct krg_ghost_msg _m = { 0 }; \
	ASSERT_EQ(1, ghost_recv(fd, &_m)); \
	EXPECT_EQ((uint32_t)(t), _m.type); \
	EXPECT_EQ((int32_t)(v), _m.value); \
} while (0)

/*
 * Stop @c, make it a ghost, check what it kept, talk to it: HELLO,
 * @pending (if not 0: sent to the stopped original, which blocks it), a
 * SIGUSR1 relayed, and then EXIT @status, which its parent (this test)
 * must see.
 */
static void ghost_cycle(struct __test_metadata *_metadata, struct child *c,
			int pending, int status)
{
	char before[PATH_MAX], after[PATH_MAX], fdname[32], err[256] = "";
	pid_t pgid, sid;
	int fd, st;

	ASSERT_EQ(0, child_stop(c));
	pgid = getpgid(c->pid);
	sid = getsid(c->pid);
	snprintf(fdname, sizeof(fdname), "fd/%d", c->out[1]);
	proc_link(c->pid, fdname, before, sizeof(before));
	ASSERT_EQ(0, strncmp(before, "pipe:", 5)) TH_LOG("%s: %s", fdname, before);
	if (pending)
		ASSERT_EQ(0, kill(c->pid, pending));
	ASSERT_EQ(0, inject(_metadata, c->pid, ghost_bin(), err, sizeof(err)));

	/* what the process kept, and what it runs now */
	proc_link(c->pid, "exe", after, sizeof(after));
	EXPECT_STREQ(ghost_bin(), after);
	EXPECT_EQ(getpid(), proc_status(c->pid, "PPid"));
	EXPECT_EQ(pgid, getpgid(c->pid));
	EXPECT_EQ(sid, getsid(c->pid));
	EXPECT_EQ(0, proc_status(c->pid, "TracerPid"));
	EXPECT_EQ(1, proc_status(c->pid, "Threads"));
	proc_link(c->pid, fdname, after, sizeof(after));
	EXPECT_STREQ(before, after);	/* its write end of our pipe */

	fd = ghost_connect(c->pid);
	ASSERT_LE(0, fd);
	EXPECT_MSG(fd, KRG_GHOST_HELLO, c->pid);
	if (pending)
		EXPECT_MSG(fd, KRG_GHOST_SIG, pending);
	/* the first signal relayed: not the SIGCONT that resumed it */
	ASSERT_EQ(0, kill(c->pid, SIGUSR1));
	EXPECT_MSG(fd, KRG_GHOST_SIG, SIGUSR1);
	ASSERT_EQ(0, kill(c->pid, SIGTERM));
	EXPECT_MSG(fd, KRG_GHOST_SIG, SIGTERM);

	ASSERT_EQ(0, ghost_send(fd, KRG_GHOST_EXIT, status));
	st = child_reap(c);
	EXPECT_EQ(status, st);
	close(fd);
}

/* Test that a busy child becomes a ghost that exits as told. */
TEST(busy)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_EQ(0, access(ghost_bin(), X_OK)) TH_LOG("%s: build tools/ first", ghost_bin());
	ASSERT_LT(0, child_start(&c, BUSY));
	ASSERT_EQ(0, child_moves(&c));
	ghost_cycle(_metadata, &c, 0, W_EXITCODE(7, 0));
	if (c.pid > 0 && proc_state(c.pid))
		child_kill(&c);
}

/* Test that a child stopped in an interrupted read() becomes a ghost. */
TEST(in_read)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, READ));
	ghost_cycle(_metadata, &c, 0, W_EXITCODE(7, 0));
	if (proc_state(c.pid))
		child_kill(&c);
}

/* Test that a child stopped in an interrupted nanosleep() becomes a ghost. */
TEST(in_nanosleep)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, SLEEP));
	ghost_cycle(_metadata, &c, 0, W_EXITCODE(7, 0));
	if (proc_state(c.pid))
		child_kill(&c);
}

/*
 * Test that a child blocking every signal becomes a ghost that gets them
 * (one pending in the original too), and dies of one.
 */
TEST(masked_signaled)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, MASKED));
	ASSERT_EQ(0, child_moves(&c));
	ghost_cycle(_metadata, &c, SIGUSR2, SIGTERM);	/* WIFSIGNALED, WTERMSIG SIGTERM */
	if (proc_state(c.pid))
		child_kill(&c);
}

/* Test that a child of three threads becomes a ghost of one. */
TEST(threads)
{
	unsigned long long end = now_ms() + WAIT_MS;
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, THREADS));
	while (proc_status(c.pid, "Threads") != 3 && now_ms() < end)
		nap();
	ASSERT_EQ(3, proc_status(c.pid, "Threads"));
	ghost_cycle(_metadata, &c, 0, W_EXITCODE(0, 0));
	EXPECT_EQ(0, c.shm->bad);
	if (proc_state(c.pid))
		child_kill(&c);
}

/*
 * Test that signals sent before any connection come after HELLO. Sent
 * before the ghost unblocks them, they reach it lowest number first (the
 * kernel's order for pending signals), not in the order they were sent.
 */
TEST(signals_before_connection)
{
	char err[256] = "";
	int fd, i, seen = 0;
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, BUSY));
	ASSERT_EQ(0, child_stop(&c));
	ASSERT_EQ(0, inject(_metadata, c.pid, ghost_bin(), err, sizeof(err)));
	/* at once: the ghost may not even have its handlers yet */
	ASSERT_EQ(0, kill(c.pid, SIGUSR2));
	ASSERT_EQ(0, kill(c.pid, SIGHUP));
	fd = ghost_connect(c.pid);
	ASSERT_LE(0, fd);
	EXPECT_MSG(fd, KRG_GHOST_HELLO, c.pid);
	for (i = 0; i < 2; i++) {
		struct krg_ghost_msg m = { 0 };

		ASSERT_EQ(1, ghost_recv(fd, &m));
		EXPECT_EQ((uint32_t)KRG_GHOST_SIG, m.type);
		EXPECT_TRUE(m.value == SIGHUP || m.value == SIGUSR2) TH_LOG("%d", m.value);
		seen |= 1 << m.value;
	}
	EXPECT_EQ(1 << SIGHUP | 1 << SIGUSR2, seen);
	/* the ghost outlives its peer; the next one hears the rest */
	close(fd);
	ASSERT_EQ(0, kill(c.pid, SIGINT));
	fd = ghost_connect(c.pid);
	ASSERT_LE(0, fd);
	EXPECT_MSG(fd, KRG_GHOST_HELLO, c.pid);
	EXPECT_MSG(fd, KRG_GHOST_SIG, SIGINT);
	ASSERT_EQ(0, ghost_send(fd, KRG_GHOST_EXIT, W_EXITCODE(3, 0)));
	EXPECT_EQ(W_EXITCODE(3, 0), child_reap(&c));
	close(fd);
}

/* Test that a running child is refused, and goes on untraced. */
TEST(not_stopped)
{
	char err[256] = "";
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, BUSY));
	EXPECT_EQ(-1, inject(_metadata, c.pid, ghost_bin(), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not stopped")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "pid ")) TH_LOG("%s", err);
	EXPECT_EQ(0, proc_status(c.pid, "TracerPid"));
	EXPECT_EQ(0, child_moves(&c));
	EXPECT_EQ(0, c.shm->bad);
	child_kill(&c);
}

/* Test that a caller that may not trace the process is refused, harmlessly. */
TEST(not_permitted)
{
	char err[256] = "";
	struct child c;
	int p[2], st;
	pid_t helper;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, BUSY));
	ASSERT_EQ(0, child_stop(&c));
	ASSERT_EQ(0, pipe(p));
	helper = fork();
	ASSERT_LE(0, helper);
	if (!helper) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (inject(_metadata, c.pid, ghost_bin(), err, sizeof(err)) != -1)
			_exit(11);
		_exit(write(p[1], err, strlen(err) + 1) > 0 ? 0 : 12);
	}
	close(p[1]);
	ASSERT_EQ(helper, waitpid(helper, &st, 0));
	EXPECT_EQ(W_EXITCODE(0, 0), st);
	ASSERT_LT(0, read(p[0], err, sizeof(err) - 1));
	EXPECT_NE(NULL, strstr(err, "ptrace: Operation not permitted")) TH_LOG("%s", err);
	EXPECT_EQ('T', proc_state(c.pid));
	EXPECT_EQ(0, proc_status(c.pid, "TracerPid"));
	close(p[0]);
	child_kill(&c);
}

/* Test that a pid that is no process is refused. */
TEST(no_process)
{
	char err[256] = "";
	pid_t pid;

	if (geteuid())
		SKIP(return, "root only");
	pid = fork();
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-1, inject(_metadata, pid, ghost_bin(), err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no such process")) TH_LOG("%s", err);
}

/*
 * A failed execve on @c: the child is left stopped and untraced, with the
 * same registers and stack bytes, and goes on once continued.
 */
static void failed_exec(struct __test_metadata *_metadata, struct child *c)
{
	unsigned char mem0[STACK_PEEK], mem1[STACK_PEEK];
	char sc0[256], sc1[256], err[256] = "";

	ASSERT_EQ(0, child_stop(c));
	proc_syscall(c->pid, sc0, sizeof(sc0));
	ASSERT_EQ(0, stack_peek(c->pid, sc0, mem0)) TH_LOG("syscall: %s", sc0);
	EXPECT_EQ(-1, inject(_metadata, c->pid, "/nonexistent/krg-ghost", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "execve(/nonexistent/krg-ghost): No such file or directory"))
		TH_LOG("%s", err);
	EXPECT_EQ('T', proc_state(c->pid));
	EXPECT_EQ(0, proc_status(c->pid, "TracerPid"));
	proc_syscall(c->pid, sc1, sizeof(sc1));
	EXPECT_STREQ(sc0, sc1);
	ASSERT_EQ(0, stack_peek(c->pid, sc1, mem1));
	EXPECT_EQ(0, memcmp(mem0, mem1, sizeof(mem0)));
	ASSERT_EQ(0, kill(c->pid, SIGCONT));
}

/* Test that a failed execve leaves a busy child as it was. */
TEST(bad_path_busy)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, BUSY));
	ASSERT_EQ(0, child_moves(&c));
	failed_exec(_metadata, &c);
	EXPECT_EQ(0, child_moves(&c));
	EXPECT_EQ(0, c.shm->bad);
	child_kill(&c);
}

/* Test that a failed execve leaves a child in read() to finish its read(). */
TEST(bad_path_read)
{
	struct child c;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, READ));
	failed_exec(_metadata, &c);
	ASSERT_EQ(1, write(c.in[1], "x", 1));
	EXPECT_EQ(W_EXITCODE(0, 0), child_reap(&c));
	EXPECT_EQ('x', c.shm->got);
}

/* Test that the ghost hangs up on a peer other than root, and still serves root. */
TEST(non_root_refused)
{
	char err[256] = "";
	struct child c;
	pid_t helper;
	int fd, st;

	if (geteuid())
		SKIP(return, "root only");
	ASSERT_LT(0, child_start(&c, BUSY));
	ASSERT_EQ(0, child_stop(&c));
	ASSERT_EQ(0, inject(_metadata, c.pid, ghost_bin(), err, sizeof(err)));

	helper = fork();
	ASSERT_LE(0, helper);
	if (!helper) {
		struct krg_ghost_msg m;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = ghost_connect(c.pid);
		if (fd < 0)
			_exit(11);
		_exit(ghost_recv(fd, &m) == 0 ? 0 : 12);	/* EOF, no HELLO */
	}
	ASSERT_EQ(helper, waitpid(helper, &st, 0));
	EXPECT_EQ(W_EXITCODE(0, 0), st);

	fd = ghost_connect(c.pid);
	ASSERT_LE(0, fd);
	EXPECT_MSG(fd, KRG_GHOST_HELLO, c.pid);
	/* malformed messages are ignored */
	ASSERT_EQ(0, ghost_send(fd, 99, 0));
	ASSERT_EQ(0, ghost_send(fd, KRG_GHOST_EXIT, 0x137f));	/* a stop */
	ASSERT_EQ(0, kill(c.pid, SIGUSR1));
	EXPECT_MSG(fd, KRG_GHOST_SIG, SIGUSR1);
	ASSERT_EQ(0, ghost_send(fd, KRG_GHOST_EXIT, SIGKILL));
	st = child_reap(&c);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(SIGKILL, WTERMSIG(st));
	close(fd);
}

TEST_HARNESS_MAIN
