// SPDX-License-Identifier: GPL-2.0
/*
 * Kerrighed's other probes: cpuspeed_probe against sysfs and /proc/cpuinfo,
 * user_probe with a terminal session of a regular user, local_user_presence
 * fed as PAM would (and refused to anyone else), mattload_probe and its
 * input ports; every writable attribute with garbage; rmdir and rmmod while
 * in use. Needs two NUMA nodes (the harness default); this program runs on
 * node 0.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include "../lib/krg_test.h"
#include "kselftest_harness.h"

#define PROBES		KRG_CFS "/probes"
#define SPEED		PROBES "/cpuspeed_probe"
#define USER		PROBES "/user_probe"
#define LUP		PROBES "/local_user_presence"
#define MATT		PROBES "/mattload_probe"
#define TP		PROBES "/test_probe"
#define S		KRG_CFS "/schedulers/kp"
#define POL		S "/test_policy"
#define HOOK		"/krg/examples/pam-user-presence.sh"

static const char *const new_probes[] = {
	"cpuspeed_probe", "user_probe", "local_user_presence", "mattload_probe",
};

#define NR_NEW	(sizeof(new_probes) / sizeof(new_probes[0]))

static pid_t session_pid;

static void cleanup(void)
{
	static const char *const links[] = {
		POL "/in/connected", POL "/in/isused", POL "/in/mattload",
		MATT "/active_tasks/value", MATT "/cpu_speed/speed",
		MATT "/cpu_connected/connected", MATT "/user_connected/connected",
		MATT "/active_tasks/load", MATT "/cpu_speed/connected",
		MATT "/active_tasks/mattload", POL "/in/active_tasks",
	};
	char path[256];

	if (session_pid > 0) {
		kill(session_pid, SIGKILL);
		waitpid(session_pid, NULL, 0);
		session_pid = 0;
	}
	for (unsigned int i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		unlink(links[i]);
	rmdir(POL);
	rmdir(S);
	for (unsigned int i = 0; i < NR_NEW; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", new_probes[i]);
		rmdir(path);
	}
	rmdir(TP);
}

/* A value file holding a number: true and *@v, false otherwise. */
static bool num(const char *path, long long *v)
{
	char buf[128], *end;

	if (krg_read(path, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return !errno && !*end;
}

static long long val(const char *path)
{
	long long v;

	return num(path, &v) ? v : -1;
}

static long long node_val(const char *probe, const char *src, int node)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/nodes/%d/value", probe, src, node);
	return val(path);
}

/* CPUs in a list such as "0-1,3". */
static int cpulist_count(const char *list)
{
	const char *p = list;
	int n = 0;
	char *end;

	while (*p) {
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			p = end;
		}
		n += b - a + 1;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

static int node_nr_cpus(int node)
{
	char path[96], buf[256];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	if (krg_read(path, buf, sizeof(buf)))
		return -1;
	return cpulist_count(buf);
}

static int pin_node0(void)
{
	char buf[256], *p = buf;
	cpu_set_t set;

	if (krg_read("/sys/devices/system/node/node0/cpulist", buf,
		     sizeof(buf)))
		return -1;
	CPU_ZERO(&set);
	/* Node 0's first CPU is enough to be "on node 0". */
	CPU_SET(strtol(p, NULL, 10), &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The kHz /proc/cpuinfo shows for @cpu (its "cpu MHz"), or -1. */
static long long cpuinfo_khz(int cpu)
{
	char line[256];
	int cur = -1;
	double mhz;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "processor : %d", &cur) == 1)
			continue;
		if (cur == cpu && sscanf(line, "cpu MHz : %lf", &mhz) == 1) {
			fclose(f);
			return (long long)(mhz * 1000);
		}
	}
	fclose(f);
	return -1;
}

FIXTURE(kp) {
	int unused;
};

FIXTURE_SETUP(kp)
{
	int ret;

	ret = krg_need("krg");
	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	ret = krg_need("krg_scheduler");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_scheduler: %s", strerror(-ret));
	if (!krg_exists("/sys/devices/system/node/node1"))
		SKIP(return, "needs two NUMA nodes");
	ASSERT_EQ(0, pin_node0());
	cleanup();
}

FIXTURE_TEARDOWN(kp)
{
	cleanup();
}

/*
 * cpuspeed_probe's connected is each node's online CPUs (sysfs cpulist);
 * the local value is node 0's, where this program runs.
 */
TEST_F(kp, cpuspeed_connected)
{
	long long n0, n1;

	ASSERT_EQ(0, krg_mkdir(SPEED));
	n0 = node_val(SPEED, "connected", 0);
	n1 = node_val(SPEED, "connected", 1);
	EXPECT_EQ(node_nr_cpus(0), n0);
	EXPECT_EQ(node_nr_cpus(1), n1);
	EXPECT_LT(0, n0);
	EXPECT_EQ(n0, val(SPEED "/connected/value"));
	EXPECT_STREQ("u64", krg_rd(SPEED "/connected/type"));
	EXPECT_STREQ("u64(int)", krg_rd(SPEED "/speed/type"));
	EXPECT_STREQ("(needs a int parameter)", krg_rd(SPEED "/speed/value"));
}

/*
 * The periodic probes (and test_probe) have the core's cost_ns, which grows
 * as they measure; local_user_presence, event-driven, has none; none has
 * pid or pid_value (no per-process source) but test_probe (per_pid).
 */
TEST_F_TIMEOUT(kp, cost_ns, 60)
{
	static const char *const periodic[] = {
		SPEED, USER, MATT, TP,
	};
	char path[128];
	long long c0, c1 = 0;

	for (unsigned int i = 0; i < sizeof(periodic) / sizeof(periodic[0]); i++) {
		const char *p = periodic[i];

		ASSERT_EQ(0, krg_mkdir(p));
		snprintf(path, sizeof(path), "%s/pid", p);
		EXPECT_EQ(!strcmp(p, TP), krg_exists(path)) TH_LOG("%s", path);
		snprintf(path, sizeof(path), "%s/probe_period", p);
		ASSERT_EQ(0, krg_write(path, "50"));
		snprintf(path, sizeof(path), "%s/cost_ns", p);
		ASSERT_TRUE(num(path, &c0)) TH_LOG("%s", path);
		EXPECT_TRUE(WAIT_FOR(num(path, &c1) && c1 > c0, 5))
			TH_LOG("%s: %lld then %lld", path, c0, c1);
	}
	ASSERT_EQ(0, krg_mkdir(LUP));
	EXPECT_FALSE(krg_exists(LUP "/cost_ns"));
	EXPECT_FALSE(krg_exists(LUP "/pid"));
}

/*
 * speed: one line per online CPU in per_cpu, in kHz (100 MHz..10 GHz),
 * each within 10% of /proc/cpuinfo's "cpu MHz" for that CPU, on the node
 * sysfs gives it.
 */
TEST_F(kp, cpuspeed_speed)
{
	char buf[4096], *line, *save = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int lines = 0;

	ASSERT_EQ(0, krg_mkdir(SPEED));
	ASSERT_TRUE(WAIT_FOR(krg_rd(SPEED "/per_cpu")[0], 5));
	ASSERT_EQ(0, krg_read(SPEED "/per_cpu", buf, sizeof(buf)));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int cpu, node;
		long long khz, ref;
		char path[128];

		ASSERT_EQ(3, sscanf(line, "cpu %d node %d speed %lld", &cpu,
				    &node, &khz)) TH_LOG("%s", line);
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpu%d", node, cpu);
		EXPECT_TRUE(krg_exists(path)) TH_LOG("%s", line);
		EXPECT_LE(100000, khz);
		EXPECT_GE(10000000, khz);
		ref = cpuinfo_khz(cpu);
		if (ref > 0) {
			EXPECT_LE(llabs(khz - ref), ref / 10)
				TH_LOG("cpu %d: probe %lld kHz, cpuinfo %lld kHz",
				       cpu, khz, ref);
		}
		lines++;
	}
	EXPECT_EQ(ncpu, lines);
}

/* Fork a session leader with a terminal running as @uid. */
static pid_t start_session(uid_t uid)
{
	int fds[2], status, m, s;
	char c, *name;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		/* The pty first, as root; then become the user, as login does. */
		if (setsid() < 0)
			_exit(1);
		m = posix_openpt(O_RDWR | O_NOCTTY);
		if (m < 0 || grantpt(m) || unlockpt(m))
			_exit(2);
		name = ptsname(m);
		s = name ? open(name, O_RDWR) : -1;
		if (s < 0 || ioctl(s, TIOCSCTTY, 0))
			_exit(3);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(5);
		if (write(fds[1], "k", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
		return -1;
	}
	close(fds[0]);
	return pid;
}

/*
 * user_probe counts a terminal session of uid 1000 while its leader lives,
 * not root's (min_uid 1000) until min_uid is 0; sessions lists it.
 */
TEST_F_TIMEOUT(kp, user_sessions, 60)
{
	long long base;
	char want[64];

	ASSERT_EQ(0, krg_mkdir(USER));
	ASSERT_EQ(0, krg_write(USER "/probe_period", "50"));
	EXPECT_STREQ("1000", krg_rd(USER "/min_uid"));
	ASSERT_TRUE(WAIT_FOR(val(USER "/connected/value") >= 0, 5));
	base = val(USER "/connected/value");

	session_pid = start_session(KRG_USER_UID);
	ASSERT_LT(0, session_pid);
	EXPECT_TRUE(WAIT_FOR(val(USER "/connected/value") == base + 1, 5))
		TH_LOG("connected %lld, base %lld",
		       val(USER "/connected/value"), base);
	EXPECT_EQ(base + 1, node_val(USER, "connected", 0));
	EXPECT_EQ(base + 1, node_val(USER, "connected", 1));
	snprintf(want, sizeof(want), "sid %d uid %d", session_pid,
		 KRG_USER_UID);
	EXPECT_NE(NULL, strstr(krg_rd(USER "/sessions"), want))
		TH_LOG("sessions: %s", krg_rd(USER "/sessions"));
	kill(session_pid, SIGKILL);
	waitpid(session_pid, NULL, 0);
	EXPECT_TRUE(WAIT_FOR(val(USER "/connected/value") == base, 5));

	/* Root's terminal session counts only with min_uid 0. */
	session_pid = start_session(0);
	ASSERT_LT(0, session_pid);
	usleep(300000);
	EXPECT_EQ(base, val(USER "/connected/value"));
	ASSERT_EQ(0, krg_write(USER "/min_uid", "0"));
	EXPECT_TRUE(WAIT_FOR(val(USER "/connected/value") >= base + 1, 5));
}

/* Every writable attribute of user_probe refuses garbage. */
TEST_F(kp, user_garbage)
{
	static const char *const bad[] = {
		"\n", "x", "-1", "4294967295", "4294967296", "10 20", "0x10",
	};

	ASSERT_EQ(0, krg_mkdir(USER));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, krg_write(USER "/min_uid", bad[i]))
			TH_LOG("min_uid \"%s\"", bad[i]);
	}
	EXPECT_STREQ("1000", krg_rd(USER "/min_uid"));
	EXPECT_EQ(0, krg_write(USER "/min_uid", "4294967294"));
	EXPECT_EQ(-EINVAL, krg_write(USER "/probe_period", "soon"));
}

/*
 * local_user_presence: connection and disconnection move connected, isfree
 * and isused on every node; the count stops at 0; each change is pushed to
 * a policy linked to it.
 */
TEST_F(kp, presence_counts)
{
	char updates[4096];

	ASSERT_EQ(0, krg_mkdir(LUP));
	EXPECT_STREQ("0", krg_rd(LUP "/probe_period"));
	EXPECT_EQ(0, val(LUP "/connected/value"));
	EXPECT_EQ(1, val(LUP "/isfree/value"));
	EXPECT_EQ(0, val(LUP "/isused/value"));

	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_ln(LUP "/connected", POL "/in/connected"));
	EXPECT_STREQ("in 0 aux 0 node_sets 0", krg_rd(POL "/updates"));

	ASSERT_EQ(0, krg_write(LUP "/connection", "1"));
	EXPECT_EQ(1, val(LUP "/connected/value"));
	EXPECT_EQ(0, val(LUP "/isfree/value"));
	EXPECT_EQ(1, val(LUP "/isused/value"));
	EXPECT_EQ(1, node_val(LUP, "connected", 1));
	EXPECT_EQ(1, node_val(LUP, "isused", 0));
	EXPECT_STREQ("in 1 aux 0 node_sets 0", krg_rd(POL "/updates"));
	EXPECT_STREQ("1", krg_rd(POL "/last"));

	ASSERT_EQ(0, krg_write(LUP "/connection", "3\n"));
	EXPECT_EQ(4, val(LUP "/connected/value"));
	ASSERT_EQ(0, krg_write(LUP "/disconnection", "2"));
	EXPECT_EQ(2, val(LUP "/connected/value"));
	ASSERT_EQ(0, krg_write(LUP "/disconnection", "5"));
	EXPECT_EQ(0, val(LUP "/connected/value"));
	EXPECT_EQ(1, node_val(LUP, "isfree", 1));
	snprintf(updates, sizeof(updates), "%s", krg_rd(POL "/updates"));
	EXPECT_STREQ("in 4 aux 0 node_sets 0", updates);
	/* No change, no push. */
	ASSERT_EQ(0, krg_write(LUP "/disconnection", "1"));
	EXPECT_STREQ(updates, krg_rd(POL "/updates"));
	EXPECT_EQ(0, val(LUP "/connected/value"));
}

/* Garbage, zero and out-of-range counts are refused and change nothing. */
TEST_F(kp, presence_garbage)
{
	static const char *const bad[] = {
		"\n", "x", "0", "-1", "1025", "1 2", "0x1", "1.5",
	};
	static const char *const files[] = {
		LUP "/connection", LUP "/disconnection",
	};

	ASSERT_EQ(0, krg_mkdir(LUP));
	for (unsigned int f = 0; f < 2; f++) {
		for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			EXPECT_EQ(-EINVAL, krg_write(files[f], bad[i]))
				TH_LOG("%s \"%s\"", files[f], bad[i]);
		}
	}
	EXPECT_EQ(0, val(LUP "/connected/value"));
	for (int i = 0; i < 1024; i++)
		ASSERT_EQ(0, krg_write(LUP "/connection", "1024"));
	EXPECT_EQ(1 << 20, val(LUP "/connected/value"));
	EXPECT_EQ(-ERANGE, krg_write(LUP "/connection", "1"));
	EXPECT_EQ(1 << 20, val(LUP "/connected/value"));
	EXPECT_EQ(-EACCES, krg_write(LUP "/probe_period", "100"));
}

static int write_connection(void *arg)
{
	int fd = open(LUP "/connection", O_WRONLY);

	if (fd < 0)
		return errno == EACCES ? 10 : 11;
	if (write(fd, "1", 1) == 1)
		return 0;
	return errno == EPERM ? 20 : 21;
}

/*
 * Only root writes presence: the files are 0200 root's (a user's open
 * fails with EACCES), and after root makes them world-writable the write
 * itself is refused with EPERM (the capable() check). Nothing changes.
 */
TEST_F(kp, presence_root_only)
{
	struct stat st;

	ASSERT_EQ(0, krg_mkdir(LUP));
	ASSERT_EQ(0, stat(LUP "/connection", &st));
	EXPECT_EQ(0200, (int)(st.st_mode & 0777));
	ASSERT_EQ(0, stat(LUP "/disconnection", &st));
	EXPECT_EQ(0200, (int)(st.st_mode & 0777));
	EXPECT_EQ(10, krg_as_user(KRG_USER_UID, write_connection, NULL));
	ASSERT_EQ(0, chmod(LUP "/connection", 0666));
	EXPECT_EQ(20, krg_as_user(KRG_USER_UID, write_connection, NULL));
	EXPECT_EQ(0, val(LUP "/connected/value"));
	EXPECT_EQ(0, krg_write(LUP "/connection", "1"));
	EXPECT_EQ(1, val(LUP "/connected/value"));
}

/*
 * The PAM hook (scripts/krg-user-presence, run by pam_exec) counts an
 * open_session and a close_session, and does nothing without the probe.
 */
TEST_F(kp, presence_pam_hook)
{
	const char *hook = HOOK;

	if (!krg_exists(hook))
		SKIP(return, "%s not in the image", hook);
	EXPECT_EQ(0, system("PAM_TYPE=open_session PAM_USER=krguser " \
			    HOOK));
	ASSERT_EQ(0, krg_mkdir(LUP));
	EXPECT_EQ(0, system("PAM_TYPE=open_session PAM_USER=krguser " \
			    HOOK));
	EXPECT_EQ(1, val(LUP "/connected/value"));
	EXPECT_EQ(0, system("PAM_TYPE=close_session PAM_USER=krguser " \
			    HOOK));
	EXPECT_EQ(0, val(LUP "/connected/value"));
}

/*
 * Each probe pins its module; a probe linked from a policy cannot be
 * removed (EBUSY) and its module not unloaded; once free, both go.
 */
TEST_F(kp, unload_in_use)
{
	char path[128];

	for (unsigned int i = 0; i < NR_NEW; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", new_probes[i]);
		ASSERT_EQ(0, krg_mkdir(path)) TH_LOG("%s", path);
		EXPECT_EQ(-EWOULDBLOCK, krg_rmmod(new_probes[i]));
		ASSERT_EQ(0, krg_rmdir(path));
		EXPECT_EQ(0, krg_rmmod(new_probes[i])) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, krg_mkdir(LUP));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_ln(LUP "/isused", POL "/in/isused"));
	EXPECT_EQ(-EBUSY, krg_rmdir(LUP));
	EXPECT_EQ(-EWOULDBLOCK, krg_rmmod("local_user_presence"));
	ASSERT_EQ(0, krg_write(LUP "/connection", "1"));
	EXPECT_STREQ("1", krg_rd(POL "/pull"));
	ASSERT_EQ(0, krg_unlink(POL "/in/isused"));
	EXPECT_EQ(0, krg_rmdir(LUP));
	EXPECT_EQ(0, krg_rmmod("local_user_presence"));
}

/* Node @node's CPUs' mean speed in MHz, from cpuspeed_probe's per_cpu. */
static long long mean_mhz(int node)
{
	char buf[4096], *line, *save = NULL;
	long long sum = 0, n = 0;

	if (krg_read(SPEED "/per_cpu", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int cpu, nd;
		long long khz;

		if (sscanf(line, "cpu %d node %d speed %lld", &cpu, &nd,
			   &khz) == 3 && nd == node) {
			sum += khz;
			n++;
		}
	}
	return n ? sum / (n * 1000) : -1;
}

/* The formula of mattload_probe, as its top comment states it. */
static long long matt(long long k, long long users, long long factor,
		      long long tasks, long long mhz, long long cpus)
{
	return factor * tasks / (mhz * cpus) * (1 + k * users);
}

static void set_tasks(int node, int v)
{
	char s[32];

	snprintf(s, sizeof(s), "%d %d", node, v);
	krg_write(TP "/set_node", s);
}

/*
 * mattload_probe's input ports: shown as directories with their types,
 * refused a source of another type (EINVAL) or one fed by the probe
 * itself (ELOOP); once linked, each node's mattload and load_increment
 * follow the formula over its own inputs and change when an input does
 * (tasks, users, param_k), and the change is pushed to a policy. No value
 * while an input is missing. The probe and its inputs cannot be removed
 * while linked; once unlinked they go and the module unloads.
 */
TEST_F_TIMEOUT(kp, mattload_ports, 60)
{
	long long mhz0, mhz1, cpus0, cpus1, want;
	char upd[4096];

	ASSERT_EQ(0, krg_mkdir(MATT));
	ASSERT_EQ(0, krg_write(MATT "/probe_period", "50"));
	EXPECT_STREQ("u64", krg_rd(MATT "/active_tasks/type"));
	EXPECT_STREQ("u64(int)", krg_rd(MATT "/cpu_speed/type"));
	EXPECT_STREQ("u64", krg_rd(MATT "/cpu_connected/type"));
	EXPECT_STREQ("u64", krg_rd(MATT "/user_connected/type"));
	EXPECT_STREQ("(not connected)",
		     krg_rd(MATT "/active_tasks/collected_value"));
	EXPECT_TRUE(WAIT_FOR(!strcmp(krg_rd(MATT "/mattload/nodes/0/value"),
				     "(no data)"), 5))
		TH_LOG("%s", krg_rd(MATT "/mattload/nodes/0/value"));
	EXPECT_STREQ("1", krg_rd(MATT "/param_k"));
	EXPECT_STREQ("1000000", krg_rd(MATT "/multiply_factor"));

	ASSERT_EQ(0, krg_mkdir(TP));
	ASSERT_EQ(0, krg_mkdir(SPEED));
	ASSERT_EQ(0, krg_mkdir(LUP));
	EXPECT_EQ(-EINVAL, krg_ln(TP "/load", MATT "/active_tasks/load"));
	EXPECT_EQ(-EINVAL, krg_ln(SPEED "/connected",
				  MATT "/cpu_speed/connected"));
	EXPECT_EQ(-ELOOP, krg_ln(MATT "/mattload",
				 MATT "/active_tasks/mattload"));
	set_tasks(0, 3);
	set_tasks(1, 5);
	ASSERT_EQ(0, krg_write(TP "/set", "3"));	/* the local value */
	ASSERT_EQ(0, krg_ln(TP "/value", MATT "/active_tasks/value"));
	ASSERT_EQ(0, krg_ln(SPEED "/speed", MATT "/cpu_speed/speed"));
	ASSERT_EQ(0, krg_ln(SPEED "/connected",
			    MATT "/cpu_connected/connected"));
	/* Three inputs of four: still no value. */
	usleep(200000);
	EXPECT_STREQ("(no data)", krg_rd(MATT "/mattload/nodes/1/value"));
	ASSERT_EQ(0, krg_ln(LUP "/connected",
			    MATT "/user_connected/connected"));
	EXPECT_STREQ("3", krg_rd(MATT "/active_tasks/collected_value"));

	ASSERT_TRUE(WAIT_FOR(krg_rd(SPEED "/per_cpu")[0], 5));
	mhz0 = mean_mhz(0);
	mhz1 = mean_mhz(1);
	cpus0 = node_val(SPEED, "connected", 0);
	cpus1 = node_val(SPEED, "connected", 1);
	ASSERT_LT(0, mhz0);
	ASSERT_LT(0, mhz1);
	want = matt(1, 0, 1000000, 3, mhz0, cpus0);
	EXPECT_TRUE(WAIT_FOR(node_val(MATT, "mattload", 0) == want, 5))
		TH_LOG("node 0: %lld, want %lld", node_val(MATT, "mattload", 0),
		       want);
	EXPECT_EQ(matt(1, 0, 1000000, 5, mhz1, cpus1),
		  node_val(MATT, "mattload", 1));
	EXPECT_EQ(matt(1, 0, 1000000, 1, mhz1, cpus1),
		  node_val(MATT, "load_increment", 1));
	EXPECT_EQ(want, val(MATT "/mattload/value"));

	/* Pushed to a policy when it changes. */
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_ln(MATT "/mattload", POL "/in/mattload"));
	snprintf(upd, sizeof(upd), "%s", krg_rd(POL "/updates"));

	set_tasks(0, 6);
	want = matt(1, 0, 1000000, 6, mhz0, cpus0);
	EXPECT_TRUE(WAIT_FOR(node_val(MATT, "mattload", 0) == want, 5));
	EXPECT_TRUE(WAIT_FOR(strcmp(krg_rd(POL "/updates"), upd), 5));
	ASSERT_EQ(0, krg_write(LUP "/connection", "1"));
	want = matt(1, 1, 1000000, 6, mhz0, cpus0);
	EXPECT_TRUE(WAIT_FOR(node_val(MATT, "mattload", 0) == want, 5))
		TH_LOG("one user: %lld, want %lld",
		       node_val(MATT, "mattload", 0), want);
	ASSERT_EQ(0, krg_write(MATT "/param_k", "3"));
	want = matt(3, 1, 1000000, 6, mhz0, cpus0);
	EXPECT_TRUE(WAIT_FOR(node_val(MATT, "mattload", 0) == want, 5));
	ASSERT_EQ(0, krg_write(MATT "/multiply_factor", "1000"));
	EXPECT_TRUE(WAIT_FOR(node_val(MATT, "load_increment", 1) ==
			     matt(3, 1, 1000, 1, mhz1, cpus1), 5));

	/* In use: neither the probe nor its inputs go. */
	EXPECT_EQ(-ENOTEMPTY, krg_rmdir(MATT));
	EXPECT_TRUE(krg_exists(MATT "/active_tasks"));
	EXPECT_EQ(-EBUSY, krg_rmdir(TP));
	EXPECT_EQ(-EWOULDBLOCK, krg_rmmod("mattload_probe"));
	ASSERT_EQ(0, krg_unlink(MATT "/active_tasks/value"));
	EXPECT_TRUE(WAIT_FOR(!strcmp(krg_rd(MATT "/mattload/nodes/0/value"),
				     "(no data)"), 5));
	EXPECT_EQ(0, krg_rmdir(TP));
	ASSERT_EQ(0, krg_unlink(POL "/in/mattload"));
	ASSERT_EQ(0, krg_unlink(MATT "/cpu_speed/speed"));
	ASSERT_EQ(0, krg_unlink(MATT "/cpu_connected/connected"));
	ASSERT_EQ(0, krg_unlink(MATT "/user_connected/connected"));
	EXPECT_EQ(0, krg_rmdir(MATT));
	EXPECT_EQ(0, krg_rmmod("mattload_probe"));
}

/* mattload_probe's attributes refuse garbage and keep their value. */
TEST_F(kp, mattload_garbage)
{
	static const char *const bad_k[] = {
		"\n", "x", "-1", "1000001", "1 2", "0x1",
	};
	static const char *const bad_f[] = {
		"\n", "x", "0", "-1", "1000000001", "1e6",
	};

	ASSERT_EQ(0, krg_mkdir(MATT));
	for (unsigned int i = 0; i < sizeof(bad_k) / sizeof(bad_k[0]); i++) {
		EXPECT_EQ(-EINVAL, krg_write(MATT "/param_k", bad_k[i]))
			TH_LOG("param_k \"%s\"", bad_k[i]);
	}
	for (unsigned int i = 0; i < sizeof(bad_f) / sizeof(bad_f[0]); i++) {
		EXPECT_EQ(-EINVAL, krg_write(MATT "/multiply_factor", bad_f[i]))
			TH_LOG("multiply_factor \"%s\"", bad_f[i]);
	}
	EXPECT_STREQ("1", krg_rd(MATT "/param_k"));
	EXPECT_STREQ("1000000", krg_rd(MATT "/multiply_factor"));
	EXPECT_EQ(0, krg_write(MATT "/param_k", "0"));
	EXPECT_EQ(0, krg_write(MATT "/multiply_factor", "1000000000"));
	EXPECT_EQ(-EINVAL, krg_write(MATT "/probe_period", "soon"));
	/* A port is not a place for a source's garbage either. */
	EXPECT_EQ(-EINVAL, krg_ln(KRG_CFS "/schedulers",
				  MATT "/active_tasks/schedulers"));
}

/* ln -s in a child; its result: 0 or -errno, from ln_result(). */
static pid_t ln_child(const char *target, const char *link)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(symlink(target, link) ? errno : 0);
	return pid;
}

static int ln_result(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1000;
	return -WEXITSTATUS(status);
}

/*
 * Links racing with the removal of mattload_probe never leave one of its
 * ports connected: every round the probe goes (after unlinking what did
 * connect), its input can be removed after it (no link left behind), and
 * nothing warns while measure() pulls every 10 ms (the runner checks the
 * kernel log; on the debug kernel KASAN watches the freed ports).
 */
TEST_F_TIMEOUT(kp, mattload_rmdir_races_link, 120)
{
	int ret;

	for (int i = 0; i < 100; i++) {
		pid_t ln;

		ASSERT_EQ(0, krg_mkdir(TP));
		ASSERT_EQ(0, krg_write(TP "/set", "4"));
		ASSERT_EQ(0, krg_mkdir(MATT)) TH_LOG("round %d", i);
		ASSERT_EQ(0, krg_write(MATT "/probe_period", "10"));
		ln = ln_child(TP "/value", MATT "/active_tasks/value");
		ASSERT_LT(0, ln);
		usleep(i % 10 * 100);
		while ((ret = krg_rmdir(MATT)) == -ENOTEMPTY)
			krg_unlink(MATT "/active_tasks/value");
		ASSERT_EQ(0, ret) TH_LOG("round %d", i);
		ret = ln_result(ln);
		EXPECT_TRUE(ret == 0 || ret == -ENOENT) TH_LOG("ln: %d", ret);
		ASSERT_EQ(0, krg_rmdir(TP)) TH_LOG("round %d", i);
	}
	EXPECT_EQ(0, krg_rmmod("mattload_probe"));
}

/*
 * A probe's port is a source like any port: a policy linked to it reads
 * what it reads and is pushed its input's updates (the probe itself is
 * never pushed to: it pulls).
 */
TEST_F(kp, probe_port_as_source)
{
	char upd[4096];

	ASSERT_EQ(0, krg_mkdir(MATT));
	ASSERT_EQ(0, krg_mkdir(TP));
	ASSERT_EQ(0, krg_write(TP "/set", "7"));
	ASSERT_EQ(0, krg_ln(TP "/value", MATT "/active_tasks/value"));
	ASSERT_EQ(0, krg_mkdir(S));
	ASSERT_EQ(0, krg_mkdir(POL));
	ASSERT_EQ(0, krg_ln(MATT "/active_tasks", POL "/in/active_tasks"));
	EXPECT_STREQ("7", krg_rd(POL "/pull"));
	snprintf(upd, sizeof(upd), "%s", krg_rd(POL "/updates"));
	ASSERT_EQ(0, krg_write(TP "/set", "8"));
	EXPECT_STRNE(upd, krg_rd(POL "/updates"));
	EXPECT_STREQ("8", krg_rd(POL "/last"));
	/* Linked to: the probe stays. */
	EXPECT_EQ(-EBUSY, krg_rmdir(MATT));
	ASSERT_EQ(0, krg_unlink(POL "/in/active_tasks"));
	ASSERT_EQ(0, krg_unlink(MATT "/active_tasks/value"));
	EXPECT_EQ(0, krg_rmdir(MATT));
}

TEST_HARNESS_MAIN
