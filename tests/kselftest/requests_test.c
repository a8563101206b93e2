// SPDX-License-Identifier: GPL-2.0
/*
 * Migrations and distant fork placements as requests (krg.test_nodes=4,
 * one node per NUMA node of the VM): every request has an id, ids grow,
 * each request gets exactly one completion with the right outcome and
 * reason, its events carry the id the caller got; a child whose placement
 * completes later (krg.test_place_delay_ms) runs only after it completed,
 * or, past krg.place_wait_ms, where it is and is never moved afterwards;
 * a held child can be killed, and the modules unloaded around it; the
 * core passes the deciding scheduler's name. The events are read from
 * krg_test_placement's "log".
 */
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"
#include <krg.h>

#define B(cap)		KRG_CAP_BIT(KRG_CAP_##cap)
#define CHANGE		B(CHANGE_KERRIGHED_CAP)
#define ALL		(CHANGE | B(CAN_MIGRATE) | B(DISTANT_FORK) | \
			 B(CHECKPOINTABLE))
#define TP		"/sys/module/krg_test_placement/parameters/"
#define KP		"/sys/module/krg/parameters/"

/* enum krg_migration_kind, krg_request_kind, _why, _outcome */
enum { START = 1, END = 2, ABORT = 3, PLACEMENT_END = 4 };
enum { MIGRATION = 1, PLACEMENT = 2 };
enum { WHY_POLICY = 0, WHY_USER = 1, WHY_DISTANT_FORK = 2 };
enum { PENDING = 0, DONE = 1, REFUSED = 2, FAILED = 3 };

struct event {
	unsigned long long id, time_ns;
	int kind, request, why, outcome, error, pid, from, to;
	char who[64];
};

static int set_caps(int fd, __u32 target, pid_t pid, __u32 e)
{
	return krg_set_caps4(fd, target, pid, ALL, e, ALL, e & ~B(DISTANT_FORK));
}

static int user_migrate(int fd, pid_t pid, int node)
{
	struct krg_migrate_req req = {
		.size = sizeof(req),
		.pid = pid,
		.node = node,
	};

	return ioctl(fd, KRG_IOC_MIGRATE, &req) ? -errno : 0;
}

/* A policy's request through krg_test_placement; 0 or -errno, and its id. */
static int policy_migrate(pid_t pid, int node, unsigned long long *id)
{
	char buf[64];
	int ret;

	snprintf(buf, sizeof(buf), "%d %d", pid, node);
	ret = krg_write(TP "migrate", buf);
	*id = krg_rdll(TP "last_id");
	return ret;
}

/* Unload krg.ko and what holds it; 0 or -errno. */
static int unload_krg(void)
{
	return krg_unload_krg();
}

/*
 * The events of request @id in the log (at most @max, in order); and with
 * @pid > 0, those of the requests of kind @request for @pid instead.
 * Their number.
 */
static int find_events(unsigned long long id, pid_t pid, int request,
		       struct event *out, int max)
{
	static char buf[8192];
	struct event ev;
	char *line, *save;
	int n = 0, fd;
	ssize_t len;

	fd = open(TP "log", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%llu %d %d %d %d %d %d %d %d %llu %63s",
			   &ev.id, &ev.kind, &ev.request, &ev.why, &ev.outcome,
			   &ev.error, &ev.pid, &ev.from, &ev.to, &ev.time_ns,
			   ev.who) != 11)
			continue;
		if (pid > 0 ? ev.pid != pid || ev.request != request :
			      ev.id != id)
			continue;
		if (n < max)
			out[n] = ev;
		n++;
	}
	return n;
}

/* Wait (up to 5 s) for request @id's completion event; its index or -1. */
static int wait_completion(unsigned long long id, pid_t pid, struct event *evs,
			   int max, int *n)
{
	for (int t = 0; t < 500; t++) {
		*n = find_events(id, pid, PLACEMENT, evs, max);
		for (int i = 0; i < *n && i < max; i++)
			if (evs[i].kind != START)
				return i;
		usleep(10000);
	}
	return -1;
}

static void node_cpulist(int node, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist", node);
	if (krg_read(path, buf, len))
		buf[0] = '\0';
}

static int allowed_list(pid_t pid, char *buf, size_t len)
{
	char path[64], line[256];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Cpus_allowed_list: %63s", buf) == 1) {
			ret = 0;
			break;
		}
	fclose(f);
	(void)len;
	return ret;
}

static void spin(void)
{
	for (;;)
		;
}

/* A CPU-bound child with @e effective; it runs once this returns. */
static pid_t spinner(__u32 e)
{
	int pipefd[2];
	char c = 0;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = krg_dev();

		for (int i = 3; i < 64; i++)
			if (i != pipefd[1] && i != fd)
				close(i);
		if (fd < 0 || set_caps(fd, KRG_TARGET_SELF, 0, e))
			_exit(1);
		close(fd);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(3);
		spin();
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* What a distant-forked child reports from its very first instructions. */
struct first {
	unsigned long long time_ns;	/* CLOCK_MONOTONIC = ktime_get_ns() */
	char allowed[64];
};

/*
 * Fork a child (distant fork applies: the caller has DISTANT_FORK) whose
 * first action is to note the time and its CPU affinity and send them on
 * @fd; it then waits for SIGKILL. Its pid.
 */
static pid_t first_child(int fd[2])
{
	struct first f = {};
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		f.time_ns = now_ns();
		if (allowed_list(getpid(), f.allowed, sizeof(f.allowed)))
			_exit(1);
		if (write(fd[1], &f, sizeof(f)) != sizeof(f))
			_exit(2);
		pause();
		_exit(0);
	}
	close(fd[1]);
	return pid;
}

static int read_first(int fd, struct first *f)
{
	int ret = read(fd, f, sizeof(*f)) == sizeof(*f) ? 0 : -1;

	close(fd);
	return ret;
}

static int set_answer(int node)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", node);
	return krg_write(TP "node", buf);
}

static int set_param(const char *name, unsigned int v)
{
	char path[128], buf[16];

	snprintf(path, sizeof(path), KP "%s", name);
	snprintf(buf, sizeof(buf), "%u", v);
	return krg_write(path, buf);
}

FIXTURE(req) {
	int fd;
	char all[64];
};

FIXTURE_SETUP(req)
{
	int ret;

	self->fd = -1;
	if (!krg_exists("/sys/devices/system/node/node3"))
		SKIP(return, "needs four NUMA nodes");
	ASSERT_EQ(0, unload_krg());
	ret = krg_insmod_args("krg", "test_nodes=4");
	ASSERT_EQ(0, ret) TH_LOG("loading krg test_nodes=4: %s", strerror(-ret));
	ret = krg_insmod("krg_test_placement");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_test_placement: %s",
				 strerror(-ret));
	self->fd = krg_dev();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, allowed_list(getpid(), self->all, sizeof(self->all)));
}

FIXTURE_TEARDOWN(req)
{
	if (krg_mod_loaded("krg_test_placement"))
		EXPECT_EQ(0, krg_rdll(TP "dups"));
	if (self->fd >= 0)
		close(self->fd);
	rmdir(KRG_CFS "/schedulers/reqsched/test_policy");
	rmdir(KRG_CFS "/schedulers/reqsched");
	EXPECT_EQ(0, unload_krg());
	EXPECT_EQ(0, krg_insmod("krg"));
}

/*
 * Ids grow and are unique; the events of a request carry the id its asker
 * got, with why it was asked and by whom.
 */
TEST_F(req, ids_and_events)
{
	unsigned long long id1, id2, last = 0;
	struct event evs[4];
	int n, i;
	pid_t pid;

	pid = spinner(CHANGE | B(CAN_MIGRATE));
	ASSERT_LT(0, pid);
	for (int node = 1; node < 4; node++) {
		ASSERT_EQ(0, policy_migrate(pid, node, &id1));
		ASSERT_LT(last, id1);
		last = id1;
		i = wait_completion(id1, 0, evs, 4, &n);
		ASSERT_LE(0, i) TH_LOG("no completion for request %llu", id1);
		EXPECT_EQ(2, n);		/* START, END */
		EXPECT_EQ(START, evs[0].kind);
		EXPECT_EQ(END, evs[i].kind);
		EXPECT_EQ(MIGRATION, evs[i].request);
		EXPECT_EQ(WHY_POLICY, evs[i].why);
		EXPECT_EQ(DONE, evs[i].outcome);
		EXPECT_EQ(0, evs[i].error);
		EXPECT_EQ(pid, evs[i].pid);
		EXPECT_EQ(node, evs[i].to);
		EXPECT_STREQ("ktp", evs[i].who);
	}
	/* A user's request in between gets an id of its own. */
	ASSERT_EQ(0, user_migrate(self->fd, pid, 0));
	ASSERT_EQ(-EALREADY, policy_migrate(pid, 0, &id2));
	EXPECT_EQ(0ULL, id2);		/* nothing to do: no request */
	ASSERT_EQ(0, policy_migrate(pid, 2, &id2));
	EXPECT_LT(id1 + 1, id2);	/* the user's took id1 + 1 at least */
	n = find_events(id1 + 1, 0, 0, evs, 4);
	ASSERT_EQ(2, n);
	EXPECT_EQ(WHY_USER, evs[1].why);
	EXPECT_STREQ("-", evs[1].who);
	EXPECT_LE(0, wait_completion(id2, 0, evs, 4, &n));
	reap(pid);
}

/* Refused at once: one completion, REFUSED with the check's reason. */
TEST_F(req, refused)
{
	unsigned long long id;
	struct event ev;
	cpu_set_t set;
	pid_t pid;

	pid = spinner(CHANGE);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EACCES, policy_migrate(pid, 1, &id));
	ASSERT_NE(0ULL, id);
	ASSERT_EQ(1, find_events(id, 0, 0, &ev, 1));
	EXPECT_EQ(ABORT, ev.kind);
	EXPECT_EQ(REFUSED, ev.outcome);
	EXPECT_EQ(-EACCES, ev.error);
	EXPECT_EQ(pid, ev.pid);
	reap(pid);

	/* Pinned by hand: policies get EBUSY. */
	pid = spinner(CHANGE | B(CAN_MIGRATE));
	ASSERT_LT(0, pid);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CPU_SET(1, &set);
	ASSERT_EQ(0, sched_setaffinity(pid, sizeof(set), &set));
	EXPECT_EQ(-EBUSY, policy_migrate(pid, 2, &id));
	ASSERT_EQ(1, find_events(id, 0, 0, &ev, 1));
	EXPECT_EQ(REFUSED, ev.outcome);
	EXPECT_EQ(-EBUSY, ev.error);

	/* An offline node: EHOSTDOWN (if a CPU can be taken offline). */
	if (!krg_write("/sys/devices/system/cpu/cpu3/online", "0")) {
		int ret = policy_migrate(pid, 3, &id);

		krg_write("/sys/devices/system/cpu/cpu3/online", "1");
		EXPECT_EQ(-EHOSTDOWN, ret);
		ASSERT_EQ(1, find_events(id, 0, 0, &ev, 1));
		EXPECT_EQ(REFUSED, ev.outcome);
		EXPECT_EQ(-EHOSTDOWN, ev.error);
	} else {
		TH_LOG("cpu3 cannot go offline: EHOSTDOWN not tried");
	}
	reap(pid);
}

/*
 * A process killed right after its request was queued: the request ends
 * exactly once, done or failed with ESRCH (the worker did not find it).
 */
TEST_F(req, task_gone)
{
	unsigned long long id;
	int n, i, esrch = 0;
	struct event evs[4];

	for (int round = 0; round < 10; round++) {
		pid_t pid = spinner(CHANGE | B(CAN_MIGRATE));

		ASSERT_LT(0, pid);
		ASSERT_EQ(0, policy_migrate(pid, 1 + round % 3, &id));
		reap(pid);
		i = wait_completion(id, 0, evs, 4, &n);
		ASSERT_LE(0, i);
		ASSERT_GE(2, n);
		if (evs[i].outcome == DONE) {
			EXPECT_EQ(END, evs[i].kind);
			continue;
		}
		EXPECT_EQ(ABORT, evs[i].kind);
		EXPECT_EQ(-ESRCH, evs[i].error);
		EXPECT_TRUE(evs[i].outcome == FAILED ||
			    evs[i].outcome == REFUSED);
		esrch++;
	}
	TH_LOG("%d of 10 ended with ESRCH", esrch);
}

/* A placement completed at once (no delay) is announced, DONE, with its id. */
TEST_F(req, placement_at_once)
{
	char want[64];
	struct first f;
	struct event ev;
	int fd[2];
	pid_t pid;

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(2));
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, read_first(fd[0], &f));
	node_cpulist(2, want, sizeof(want));
	EXPECT_STREQ(want, f.allowed);
	ASSERT_EQ(1, find_events(0, pid, PLACEMENT, &ev, 1));
	EXPECT_EQ(PLACEMENT_END, ev.kind);
	EXPECT_EQ(DONE, ev.outcome);
	EXPECT_EQ(WHY_DISTANT_FORK, ev.why);
	EXPECT_EQ(2, ev.to);
	EXPECT_LT(0ULL, ev.id);
	reap(pid);
}

/*
 * Completed later but within the bound: the child's first instruction
 * comes after the completion, and it runs on the node.
 */
TEST_F(req, held_until_placed)
{
	char want[64];
	struct event ev;
	struct first f;
	int fd[2], n;
	pid_t pid;

	ASSERT_EQ(0, set_param("place_wait_ms", 20000));
	ASSERT_EQ(0, set_param("test_place_delay_ms", 300));
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	for (int node = 1; node < 4; node++) {
		ASSERT_EQ(0, set_answer(node));
		pid = first_child(fd);
		ASSERT_LT(0, pid);
		ASSERT_EQ(0, read_first(fd[0], &f));
		node_cpulist(node, want, sizeof(want));
		EXPECT_STREQ(want, f.allowed);
		ASSERT_LE(0, wait_completion(0, pid, &ev, 1, &n));
		EXPECT_EQ(1, n);
		EXPECT_EQ(PLACEMENT_END, ev.kind);
		EXPECT_EQ(DONE, ev.outcome);
		EXPECT_EQ(node, ev.to);
		EXPECT_LT(ev.time_ns, f.time_ns)
			TH_LOG("completed at %llu, child ran at %llu",
			       ev.time_ns, f.time_ns);
		reap(pid);
	}
}

/*
 * Completed after the bound: the child runs where it was after the bound
 * (FAILED, ETIMEDOUT) and the late completion moves nothing.
 */
TEST_F(req, held_past_the_bound)
{
	char got[64];
	struct event evs[2];
	struct first f;
	int fd[2], n;
	pid_t pid;

	ASSERT_EQ(0, set_param("place_wait_ms", 200));
	ASSERT_EQ(0, set_param("test_place_delay_ms", 1500));
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(3));
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, read_first(fd[0], &f));
	EXPECT_STREQ(self->all, f.allowed);
	ASSERT_LE(0, wait_completion(0, pid, evs, 2, &n));
	EXPECT_EQ(1, n);
	EXPECT_EQ(FAILED, evs[0].outcome);
	EXPECT_EQ(-ETIMEDOUT, evs[0].error);
	EXPECT_LT(evs[0].time_ns, f.time_ns);
	/* Past the backend's late completion: still where it was. */
	usleep(2000 * 1000);
	ASSERT_EQ(0, allowed_list(pid, got, sizeof(got)));
	EXPECT_STREQ(self->all, got);
	EXPECT_EQ(1, find_events(0, pid, PLACEMENT, evs, 2));
	reap(pid);
}

/* SIGKILL ends the wait: the child dies, the request fails with EINTR. */
TEST_F(req, killed_while_held)
{
	struct event evs[2];
	int fd[2], n, status;
	pid_t pid;

	ASSERT_EQ(0, set_param("place_wait_ms", 60000));
	ASSERT_EQ(0, set_param("test_place_delay_ms", 1000));
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(2));
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(fd[0]);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_LE(0, wait_completion(0, pid, evs, 2, &n));
	EXPECT_EQ(FAILED, evs[0].outcome);
	EXPECT_EQ(-EINTR, evs[0].error);
	/* The backend's late completion changes nothing. */
	usleep(1500 * 1000);
	EXPECT_EQ(1, find_events(0, pid, PLACEMENT, evs, 2));
}

/*
 * While a child is held, the hook module goes and krg.ko stays (the wait
 * holds it); the child is still placed, then krg.ko unloads. And krg.ko
 * unloads with a late placement still queued.
 */
TEST_F(req, unload_while_held)
{
	char want[64];
	struct first f;
	int fd[2], ret;
	pid_t pid;

	ASSERT_EQ(0, set_param("place_wait_ms", 20000));
	ASSERT_EQ(0, set_param("test_place_delay_ms", 1000));
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	ASSERT_EQ(0, set_answer(1));
	close(self->fd);
	self->fd = -1;
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_rmmod("krg_test_placement"));
	ret = krg_rmmod("krg");
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("rmmod krg with a held child: %s", strerror(-ret));
	ASSERT_EQ(0, read_first(fd[0], &f));
	node_cpulist(1, want, sizeof(want));
	EXPECT_STREQ(want, f.allowed);
	reap(pid);
	ASSERT_EQ(0, unload_krg());

	/* A placement that timed out, its late completion still queued. */
	ASSERT_EQ(0, krg_insmod_args("krg", "test_nodes=4 place_wait_ms=50 "
				 "test_place_delay_ms=5000"));
	ASSERT_EQ(0, krg_insmod("krg_test_placement"));
	ASSERT_EQ(0, set_answer(2));
	self->fd = krg_dev();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	close(self->fd);
	self->fd = -1;
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, read_first(fd[0], &f));
	EXPECT_STREQ(self->all, f.allowed);
	reap(pid);
	EXPECT_EQ(0, krg_rdll(TP "dups"));
	ASSERT_EQ(0, krg_rmmod("krg_test_placement"));
	ret = -EBUSY;
	for (int i = 0; i < 50 && ret; i++) {
		ret = krg_rmmod("krg");
		if (ret)
			usleep(20000);
	}
	EXPECT_EQ(0, ret) TH_LOG("rmmod krg: %s", strerror(-ret));
}

/*
 * Through the core: a scheduler's placement and its policy's migration
 * carry the scheduler's name (krg_test_placement only follows the events).
 */
TEST_F(req, scheduler_named)
{
	const char *s = KRG_CFS "/schedulers/reqsched";
	char path[160], buf[32];
	struct event evs[4];
	struct first f;
	int fd[2], n;
	pid_t pid;

	ASSERT_EQ(0, krg_rmmod("krg_test_placement"));
	ASSERT_EQ(0, krg_need("krg_scheduler"));
	ASSERT_EQ(0, krg_insmod_args("krg_test_placement", "hook=0"));
	ASSERT_EQ(0, krg_need("krg_test_policy"));
	ASSERT_EQ(0, mkdir(s, 0755));
	snprintf(path, sizeof(path), "%s/test_policy", s);
	ASSERT_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof(path), "%s/process_set/handle_all", s);
	ASSERT_EQ(0, krg_write(path, "1"));
	snprintf(path, sizeof(path), "%s/test_policy/answer", s);
	ASSERT_EQ(0, krg_write(path, "2"));

	ASSERT_EQ(0, set_caps(self->fd, KRG_TARGET_SELF, 0,
			      CHANGE | B(DISTANT_FORK)));
	pid = first_child(fd);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, read_first(fd[0], &f));
	ASSERT_LE(0, wait_completion(0, pid, evs, 1, &n));
	EXPECT_EQ(DONE, evs[0].outcome);
	EXPECT_EQ(2, evs[0].to);
	EXPECT_STREQ("reqsched", evs[0].who);

	/* The policy's migration of that child (it has no CAN_MIGRATE). */
	snprintf(path, sizeof(path), "%s/test_policy/migrate", s);
	snprintf(buf, sizeof(buf), "%d 1", pid);
	EXPECT_EQ(-EACCES, krg_write(path, buf));
	n = find_events(0, pid, MIGRATION, evs, 4);
	ASSERT_EQ(1, n);
	EXPECT_EQ(REFUSED, evs[0].outcome);
	EXPECT_EQ(-EACCES, evs[0].error);
	EXPECT_EQ(WHY_POLICY, evs[0].why);
	EXPECT_STREQ("reqsched", evs[0].who);
	reap(pid);
	snprintf(path, sizeof(path), "%s/test_policy", s);
	EXPECT_EQ(0, rmdir(path));
	EXPECT_EQ(0, rmdir(s));
}

/* place_wait_ms and test_place_delay_ms are range-checked. */
TEST_F(req, parameters)
{
	EXPECT_NE(0, set_param("place_wait_ms", 60001));
	EXPECT_NE(0, krg_write(KP "place_wait_ms", "-1"));
	EXPECT_NE(0, krg_write(KP "place_wait_ms", "soon"));
	EXPECT_EQ(0, set_param("place_wait_ms", 0));
	EXPECT_EQ(0, set_param("place_wait_ms", 1000));
	EXPECT_NE(0, set_param("test_place_delay_ms", 60001));
	EXPECT_EQ(0, set_param("test_place_delay_ms", 0));
}

TEST_HARNESS_MAIN
