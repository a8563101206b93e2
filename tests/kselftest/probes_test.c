// SPDX-License-Identifier: GPL-2.0
/*
 * The probes of probes/ against the kernel's own numbers: cpu_probe vs
 * /proc/stat, mem_probe vs the nodes' meminfo, mosix_probe and load_probe
 * with CPU-bound processes pinned to a node, load_probe vs /proc/PID/stat,
 * processsize_probe vs /proc/PID/status, migration_probe around a
 * migration, thermal_probe vs a test thermal zone (krg_test_thermal); the
 * value listings of per-process sources (complete with thousands of
 * processes, per pid namespace) and the core's pid, pid_value and cost_ns;
 * their bad inputs; and that every probe module unloads.
 *
 * Tolerances (stated at each check) absorb the difference between two reads
 * made at different moments, never a time limit: waits are bounded polls.
 * Needs two NUMA nodes (the harness default); node 1 is where the load
 * goes, and this program runs on node 0.
 */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>
#include "../lib/krg_test.h"
#include "libkrg.h"
#include "kselftest_harness.h"

#define PROBES		KRG_CFS "/probes"
#define CPU		PROBES "/cpu_probe"
#define MEM		PROBES "/mem_probe"
#define MOSIX		PROBES "/mosix_probe"
#define LOAD		PROBES "/load_probe"
#define SIZE		PROBES "/processsize_probe"
#define MIG		PROBES "/migration_probe"
#define THERM		PROBES "/thermal_probe"
#define THERM_PARAM	"/sys/module/krg_test_thermal/parameters/"

static const char *const all_probes[] = {
	"cpu_probe", "mem_probe", "mosix_probe", "load_probe",
	"processsize_probe", "migration_probe", "thermal_probe",
};

#define NR_PROBES	(sizeof(all_probes) / sizeof(all_probes[0]))
#define MAX_CHILDREN	8

static pid_t children[MAX_CHILDREN];

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

/* @probe/@src's value on @node, or -1 (read as "no number"). */
static long long node_val(const char *probe, const char *src, int node)
{
	char path[256];
	long long v;

	snprintf(path, sizeof(path), "%s/%s/nodes/%d/value", probe, src, node);
	return num(path, &v) ? v : -1;
}

/* The per-process value of @pid through @probe's pid/pid_value. */
static long long pid_val(const char *probe, pid_t pid)
{
	char path[256], s[32];
	long long v;

	snprintf(path, sizeof(path), "%s/pid", probe);
	snprintf(s, sizeof(s), "%d", pid);
	if (krg_write(path, s))
		return -1;
	snprintf(path, sizeof(path), "%s/pid_value", probe);
	return num(path, &v) ? v : -1;
}

/* All of @path, read @chunk bytes at a time, NUL-terminated (free it). */
static char *read_all(const char *path, size_t chunk)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *b;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (cap - len < chunk + 1) {
			cap = 2 * cap + chunk + 1;
			b = realloc(buf, cap);
			if (!b)
				goto fail;
			buf = b;
		}
		n = read(fd, buf + len, chunk);
		if (n < 0)
			goto fail;
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* The line of @text that begins with @prefix, or NULL. */
static const char *line_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	while (text && *text) {
		if (!strncmp(text, prefix, n))
			return text;
		text = strchr(text, '\n');
		if (text)
			text++;
	}
	return NULL;
}

/* Virtual memory of @pid in pages (/proc/PID/statm's size), or -1. */
static long long statm_pages(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/statm", pid);
	return krg_rdll(path) ?: (krg_exists(path) ? 0 : -1);
}

/* Parse a CPU list ("0-1,3") into @set. */
static int cpulist_set(const char *list, cpu_set_t *set)
{
	const char *p = list;
	char *end;

	CPU_ZERO(set);
	while (*p) {
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return -1;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			p = end;
		}
		for (long c = a; c <= b; c++)
			CPU_SET(c, set);
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

static int node_cpus(int node, cpu_set_t *set)
{
	char path[96], buf[256];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	if (krg_read(path, buf, sizeof(buf)))
		return -1;
	return cpulist_set(buf, set);
}

static int pin(pid_t pid, int node)
{
	cpu_set_t set;

	if (node_cpus(node, &set))
		return -1;
	return sched_setaffinity(pid, sizeof(set), &set);
}

static void remember(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (!children[i]) {
			children[i] = pid;
			return;
		}
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

/* A child that spins on @node's CPUs (any CPU if @node < 0). */
static pid_t spinner(int node)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (node >= 0 && pin(0, node))
			_exit(1);
		for (;;)
			;
	}
	if (pid > 0)
		remember(pid);
	return pid;
}

/* A child that sleeps until killed, after mapping @mb MB. */
static pid_t sleeper(int mb)
{
	int pipefd[2];
	pid_t pid;
	char c = 0;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (mb && mmap(NULL, (size_t)mb << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(1);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pipefd[1]);
	if (pid > 0 && read(pipefd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pipefd[0]);
	if (pid > 0)
		remember(pid);
	return pid;
}

/* Field @n (1-based) of /proc/@pid/stat, after the comm. */
static long long stat_field(pid_t pid, int n)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (krg_read(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;		/* field 3 */
	for (field = 3; field < n && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoll(p, NULL, 10) : -1;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (krg_read(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	return p ? p[2] : 0;
}

/* "Key:  N kB" of a meminfo-like file. */
static long long kb_field(const char *path, const char *key)
{
	char line[256], *p;
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, key);
		if (p && p[strlen(key)] == ':') {
			v = strtoll(p + strlen(key) + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Busy and total ns... in USER_HZ ticks, of /proc/stat's cpu@cpu line. */
static int proc_stat_cpu(int cpu, long long *busy, long long *total)
{
	long long f[8];
	char line[512], name[16];
	FILE *file = fopen("/proc/stat", "re");
	int ret = -1;

	if (!file)
		return -1;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), file)) {
		if (strncmp(line, name, strlen(name)))
			continue;
		if (sscanf(line + strlen(name),
			   "%lld %lld %lld %lld %lld %lld %lld %lld", &f[0],
			   &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7]) != 8)
			break;
		/* user nice system idle iowait irq softirq steal */
		*busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7];
		*total = *busy + f[3] + f[4];
		ret = 0;
		break;
	}
	fclose(file);
	return ret;
}

/* /proc/stat usage of @node's CPUs over @ms, permille. */
static long long proc_stat_usage(int node, int ms)
{
	long long b0 = 0, t0 = 0, b1 = 0, t1 = 0, b, t;
	cpu_set_t set;

	if (node_cpus(node, &set))
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && !proc_stat_cpu(c, &b, &t)) {
			b0 += b;
			t0 += t;
		}
	usleep(ms * 1000);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && !proc_stat_cpu(c, &b, &t)) {
			b1 += b;
			t1 += t;
		}
	return t1 > t0 ? (b1 - b0) * 1000 / (t1 - t0) : -1;
}

/* A TAP diagnostic line: the numbers a check compared, for the record. */
#define NOTE(fmt, ...)	printf("# " fmt "\n", ##__VA_ARGS__)

static long long llabs_diff(long long a, long long b)
{
	return a > b ? a - b : b - a;
}

static void cleanup(void)
{
	char path[256];

	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i])
			reap(children[i]);
	for (unsigned int i = 0; i < NR_PROBES; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", all_probes[i]);
		rmdir(path);
	}
}

FIXTURE(probes) {
	int unused;
};

FIXTURE_SETUP(probes)
{
	int ret;

	ret = krg_need("krg");
	ASSERT_EQ(0, ret) TH_LOG("loading krg: %s", strerror(-ret));
	ret = krg_need("krg_scheduler");
	ASSERT_EQ(0, ret) TH_LOG("loading krg_scheduler: %s", strerror(-ret));
	if (!krg_exists("/sys/devices/system/node/node1"))
		SKIP(return, "needs two NUMA nodes");
	/* Load goes to node 1; this program stays out of its way. */
	ASSERT_EQ(0, pin(0, 0));
	cleanup();
}

FIXTURE_TEARDOWN(probes)
{
	cleanup();
}

/*
 * A CPU-bound process pinned to node 1 shows as node 1's usage (over 900
 * permille) while node 0 stays low; both agree with /proc/stat measured
 * over one second within 100 permille.
 */
TEST_F_TIMEOUT(probes, cpu_usage, 60)
{
	long long u1, u0, ref1, ref0, v;
	char per_cpu[4096];
	cpu_set_t set;

	ASSERT_EQ(0, krg_mkdir(CPU));
	EXPECT_STREQ("1000", krg_rd(CPU "/probe_period"));
	EXPECT_STREQ("u64", krg_rd(CPU "/usage/type"));
	EXPECT_STREQ("u64(int)", krg_rd(CPU "/cpu_usage/type"));
	/* cpus: the online CPUs of each node. */
	for (int n = 0; n < 2; n++) {
		ASSERT_EQ(0, node_cpus(n, &set));
		EXPECT_EQ(CPU_COUNT(&set), node_val(CPU, "cpus", n));
	}
	ASSERT_LT(0, spinner(1));
	ASSERT_TRUE(WAIT_FOR(node_val(CPU, "usage", 1) > 900, 8))
		TH_LOG("node 1 usage %lld", node_val(CPU, "usage", 1));
	ref1 = proc_stat_usage(1, 1000);
	u1 = node_val(CPU, "usage", 1);
	ref0 = proc_stat_usage(0, 1000);
	u0 = node_val(CPU, "usage", 0);
	NOTE("usage: node 1 probe %lld /proc/stat %lld; node 0 probe %lld /proc/stat %lld",
	     u1, ref1, u0, ref0);
	EXPECT_GT(u1, 900);
	EXPECT_LE(u1, 1000);
	EXPECT_LE(llabs_diff(u1, ref1), 100)
		TH_LOG("node 1: probe %lld, /proc/stat %lld", u1, ref1);
	EXPECT_LT(u0, 300);
	EXPECT_LE(llabs_diff(u0, ref0), 100)
		TH_LOG("node 0: probe %lld, /proc/stat %lld", u0, ref0);
	/* Per CPU: node 1's CPU is busy in per_cpu too. */
	ASSERT_EQ(0, node_cpus(1, &set));
	for (int c = 0; c < CPU_SETSIZE; c++) {
		char want[64];

		if (!CPU_ISSET(c, &set))
			continue;
		snprintf(want, sizeof(want), "cpu %d node 1 usage ", c);
		snprintf(per_cpu, sizeof(per_cpu), "%s", krg_rd(CPU "/per_cpu"));
		ASSERT_NE(NULL, strstr(per_cpu, want))
			TH_LOG("per_cpu: %s", per_cpu);
		v = atoll(strstr(per_cpu, want) + strlen(want));
		EXPECT_GT(v, 900);
		break;
	}
	EXPECT_STREQ("(needs a int parameter)", krg_rd(CPU "/cpu_usage/value"));
	EXPECT_TRUE(num(CPU "/cost_ns", &v));
	EXPECT_GT(v, 0);
}

/*
 * ram_total is each node's MemTotal exactly and ram_free its MemFree
 * within 2 MB (two reads a moment apart); the local value is the reader's
 * node.
 */
TEST_F(probes, memory)
{
	long long total[2], freekb, v;
	char path[96];

	ASSERT_EQ(0, krg_mkdir(MEM));
	for (int n = 0; n < 2; n++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/meminfo", n);
		total[n] = kb_field(path, "MemTotal");
		ASSERT_LT(0, total[n]);
		EXPECT_EQ(total[n], node_val(MEM, "ram_total", n));
		freekb = kb_field(path, "MemFree");
		v = node_val(MEM, "ram_free", n);
		NOTE("node %d: MemTotal %lld MemFree %lld ram_free %lld", n,
		     total[n], freekb, v);
		EXPECT_LE(llabs_diff(freekb, v), 2048)
			TH_LOG("node %d: MemFree %lld, ram_free %lld", n,
			       freekb, v);
		EXPECT_LE(v, total[n]);
	}
	/* Local: the node this program runs on. */
	ASSERT_TRUE(num(MEM "/ram_total/value", &v));
	EXPECT_EQ(total[0], v);
	ASSERT_EQ(0, pin(0, 1));
	ASSERT_TRUE(num(MEM "/ram_total/value", &v));
	EXPECT_EQ(total[1], v);
	ASSERT_EQ(0, pin(0, 0));
}

/*
 * mean_load of node 1 follows the number of CPU-bound processes on it
 * (0, 1, 2 -> about 0, 1000, 2000: within 100, 100, 200); the normalised
 * forms are the values divided by the node's CPUs; when the load goes,
 * mean_load drops at once and upper_load slowly.
 */
TEST_F_TIMEOUT(probes, mosix_mean_load, 120)
{
	long long cpus, mean = -1, upper, norm;
	cpu_set_t set;
	pid_t a, b;

	ASSERT_EQ(0, node_cpus(1, &set));
	cpus = CPU_COUNT(&set);
	ASSERT_EQ(0, krg_mkdir(MOSIX));
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "100"));
	EXPECT_EQ(1000, node_val(MOSIX, "single_process_load", 1));
	EXPECT_EQ(1000 / cpus, node_val(MOSIX, "norm_single_process_load", 1));

	/* Idle: only the odd kernel thread. */
	EXPECT_TRUE(WAIT_FOR((mean = node_val(MOSIX, "mean_load", 1)) >= 0 &&
			     mean <= 100, 5))
		TH_LOG("idle node 1: mean_load %lld", mean);
	NOTE("0 processes: mean_load %lld", mean);

	a = spinner(1);
	ASSERT_LT(0, a);
	EXPECT_TRUE(WAIT_FOR(llabs_diff(mean = node_val(MOSIX, "mean_load", 1),
					1000) <= 100, 5))
		TH_LOG("1 process: mean_load %lld", mean);
	NOTE("1 process: mean_load %lld", mean);
	b = spinner(1);
	ASSERT_LT(0, b);
	EXPECT_TRUE(WAIT_FOR(llabs_diff(mean = node_val(MOSIX, "mean_load", 1),
					2000) <= 200, 5))
		TH_LOG("2 processes: mean_load %lld", mean);
	upper = node_val(MOSIX, "upper_load", 1);
	NOTE("2 processes: mean_load %lld upper_load %lld", mean, upper);
	EXPECT_GE(upper, 1700);
	/* Normalised: the same reading divided by the node's CPUs. */
	EXPECT_TRUE(WAIT_FOR((mean = node_val(MOSIX, "mean_load", 1),
			      norm = node_val(MOSIX, "norm_mean_load", 1),
			      norm == mean / cpus &&
			      mean == node_val(MOSIX, "mean_load", 1)), 5))
		TH_LOG("mean_load %lld, norm_mean_load %lld, cpus %lld", mean,
		       norm, cpus);
	EXPECT_TRUE(WAIT_FOR((upper = node_val(MOSIX, "upper_load", 1),
			      norm = node_val(MOSIX, "norm_upper_load", 1),
			      norm == upper / cpus &&
			      upper == node_val(MOSIX, "upper_load", 1)), 5));
	/* Node 0 does not see node 1's load. */
	EXPECT_LE(node_val(MOSIX, "mean_load", 0), 500);

	/* Slow periods: upper_load then loses an eighth a second. */
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "1000"));
	reap(a);
	reap(b);
	ASSERT_TRUE(WAIT_FOR((mean = node_val(MOSIX, "mean_load", 1)) >= 0 &&
			     mean <= 150, 5))
		TH_LOG("after: mean_load %lld", mean);
	upper = node_val(MOSIX, "upper_load", 1);
	NOTE("gone: mean_load %lld upper_load %lld", mean, upper);
	EXPECT_GT(upper, mean + 1000)
		TH_LOG("upper_load fell at once: %lld", upper);
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "100"));
	EXPECT_TRUE(WAIT_FOR(node_val(MOSIX, "upper_load", 1) <= 300, 10));
}

/*
 * process_load of a CPU-bound process approaches single_process_load (over
 * 850, at most 1000); an idle one stays near 0 (under 50).
 */
TEST_F_TIMEOUT(probes, mosix_process_load, 60)
{
	long long v = -1;
	pid_t busy, idle;

	busy = spinner(1);
	ASSERT_LT(0, busy);
	idle = sleeper(0);
	ASSERT_LT(0, idle);
	ASSERT_EQ(0, krg_mkdir(MOSIX));
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "100"));
	EXPECT_STREQ("u64(pid_t)", krg_rd(MOSIX "/process_load/type"));
	EXPECT_TRUE(WAIT_FOR((v = pid_val(MOSIX, busy)) > 850, 5))
		TH_LOG("busy process: process_load %lld", v);
	EXPECT_LE(v, 1000);
	NOTE("process_load: busy %lld idle %lld", v, pid_val(MOSIX, idle));
	v = pid_val(MOSIX, idle);
	EXPECT_LE(0, v);
	EXPECT_LT(v, 50);
}

/*
 * active_tasks counts the tasks on node 1's runqueues: two CPU-bound
 * processes there (a stray kernel thread may add one).
 */
TEST_F_TIMEOUT(probes, active_tasks, 60)
{
	long long v = -1;

	ASSERT_EQ(0, krg_mkdir(LOAD));
	ASSERT_EQ(0, krg_write(LOAD "/probe_period", "100"));
	ASSERT_LT(0, spinner(1));
	ASSERT_LT(0, spinner(1));
	EXPECT_TRUE(WAIT_FOR((v = node_val(LOAD, "active_tasks", 1)) >= 2 &&
			     v <= 3, 5))
		TH_LOG("node 1: active_tasks %lld", v);
	NOTE("active_tasks: node 1 %lld node 0 %lld", v,
	     node_val(LOAD, "active_tasks", 0));
	/*
	 * Node 0 runs this program, asleep while the probe samples, and the
	 * kernel's own threads: the debug kernel, which runs more of them
	 * (kmemleak's scan, lockdep's and KASAN's work), showed 3 once.
	 */
	v = node_val(LOAD, "active_tasks", 0);
	EXPECT_LE(0, v);
	EXPECT_LE(v, 3);
}

/*
 * process_jiffies of a stopped process equals /proc/PID/stat's utime +
 * stime once both are in USER_HZ ticks (within 2 ticks: /proc rounds each
 * down).
 */
TEST_F_TIMEOUT(probes, process_jiffies, 60)
{
	long long hz, j, ticks, tck = sysconf(_SC_CLK_TCK);
	pid_t pid;

	ASSERT_EQ(0, krg_mkdir(LOAD));
	ASSERT_TRUE(num(LOAD "/hz", &hz));
	ASSERT_LT(0, hz);
	pid = spinner(1);
	ASSERT_LT(0, pid);
	/* Let it run a while, then freeze its times. */
	ASSERT_TRUE(WAIT_FOR(stat_field(pid, 14) + stat_field(pid, 15) >=
			     tck / 2, 10));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_TRUE(WAIT_FOR(proc_state(pid) == 'T', 5));
	ticks = stat_field(pid, 14) + stat_field(pid, 15);
	j = pid_val(LOAD, pid);
	ASSERT_LE(0, j);
	NOTE("process_jiffies %lld at HZ %lld = %lld at USER_HZ; /proc %lld",
	     j, hz, j * tck / hz, ticks);
	EXPECT_LE(llabs_diff(j * tck / hz, ticks), 2)
		TH_LOG("process_jiffies %lld at HZ %lld, /proc %lld at %lld",
		       j, hz, ticks, tck);
	EXPECT_STREQ("u64(pid_t)", krg_rd(LOAD "/process_jiffies/type"));
	kill(pid, SIGCONT);
}

/*
 * total_vm is /proc/PID/status's VmSize exactly, for this program and for
 * a child that mapped 64 MB; a kernel thread has none.
 */
TEST_F(probes, total_vm)
{
	char path[64], msg[128];
	pid_t pid;

	pid = sleeper(64);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_mkdir(SIZE));
	EXPECT_STREQ("u64(pid_t)", krg_rd(SIZE "/total_vm/type"));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	EXPECT_EQ(kb_field(path, "VmSize"), pid_val(SIZE, pid));
	EXPECT_LE(64 * 1024, pid_val(SIZE, pid));
	EXPECT_EQ(kb_field("/proc/self/status", "VmSize"),
		  pid_val(SIZE, getpid()));
	/* kthreadd */
	ASSERT_EQ(0, krg_write(SIZE "/pid", "2"));
	snprintf(msg, sizeof(msg),
		 "(process 2 has no address space (kernel thread or exiting))");
	EXPECT_STREQ(msg, krg_rd(SIZE "/pid_value"));
}

/*
 * A per-process source's value lists its processes, with Kerrighed's lines:
 * total_vm "Process N: P pages" (P: /proc/N/statm's size) for init and for
 * a child, none for kthreadd (no address space); process_jiffies "N: J",
 * kernel threads too; process_load "Process N: L" once measured. The
 * per-node files still need a parameter.
 */
TEST_F_TIMEOUT(probes, value_listing, 60)
{
	char want[64], *l;
	long long v = -1;
	pid_t pid;

	pid = sleeper(64);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, krg_mkdir(SIZE));
	l = read_all(SIZE "/total_vm/value", 4096);
	ASSERT_NE(NULL, l);
	snprintf(want, sizeof(want), "Process 1: %lld pages\n", statm_pages(1));
	EXPECT_NE(NULL, line_of(l, want)) TH_LOG("no '%s' in '%.300s'", want, l);
	snprintf(want, sizeof(want), "Process %d: %lld pages\n", pid,
		 statm_pages(pid));
	EXPECT_NE(NULL, line_of(l, want)) TH_LOG("no '%s'", want);
	EXPECT_LE(64 * 256, statm_pages(pid));
	EXPECT_EQ(NULL, line_of(l, "Process 2: "));
	free(l);
	EXPECT_STREQ("(needs a pid_t parameter)",
		     krg_rd(SIZE "/total_vm/nodes/0/value"));

	ASSERT_EQ(0, krg_mkdir(LOAD));
	l = read_all(LOAD "/process_jiffies/value", 4096);
	ASSERT_NE(NULL, l);
	EXPECT_NE(NULL, line_of(l, "1: "));
	EXPECT_NE(NULL, line_of(l, "2: "));
	/* A sleeper's CPU time does not move. */
	snprintf(want, sizeof(want), "%d: %lld\n", pid, pid_val(LOAD, pid));
	EXPECT_NE(NULL, line_of(l, want)) TH_LOG("no '%s'", want);
	free(l);

	ASSERT_EQ(0, krg_mkdir(MOSIX));
	ASSERT_EQ(0, krg_write(MOSIX "/probe_period", "100"));
	snprintf(want, sizeof(want), "Process %d: ", pid);
	EXPECT_TRUE(WAIT_FOR((l = read_all(MOSIX "/process_load/value", 4096),
			      v = l && line_of(l, want), free(l), v), 5));
}

#define MANY		2100
#define MANY_DEBUG	600	/* KASAN's stacks: 2100 do not fit in 512 MB */

/*
 * The listing is complete however long it is: with MANY more processes
 * (over 10 pages of lines; 3 on the debug kernel), read 100 bytes at a
 * time, every one has its line with its size, and there are as many lines
 * as processes with an address space in /proc (within 5: others may come
 * and go meanwhile).
 */
TEST_F_TIMEOUT(probes, value_listing_complete, 600)
{
	static pid_t many[MANY];
	static unsigned char seen[4194305];
	const int want = krg_debug_kernel() ? MANY_DEBUG : MANY;
	long long pages, lines = 0, procs = 0;
	int i, nr, made;
	size_t len;
	char *l, *p;
	struct dirent *e;
	DIR *d;

	for (made = 0; made < want; made++) {
		many[made] = fork();
		if (many[made] < 0)
			break;
		if (!many[made]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	ASSERT_EQ(want, made) TH_LOG("fork: %s", strerror(errno));
	pages = statm_pages(many[0]);
	ASSERT_LT(0, pages);
	ASSERT_EQ(0, krg_mkdir(SIZE));
	l = read_all(SIZE "/total_vm/value", 100);
	ASSERT_NE(NULL, l);
	len = strlen(l);
	NOTE("listing of %zu bytes", len);
	EXPECT_LT((want / 200) * 4096UL, len);
	for (p = l; *p; p = strchr(p, '\n') + 1) {
		long long pg;

		ASSERT_EQ(2, sscanf(p, "Process %d: %lld pages\n", &nr, &pg))
			TH_LOG("line %lld: '%.60s'", lines, p);
		ASSERT_TRUE(nr > 0 && nr < (int)sizeof(seen));
		EXPECT_EQ(0, seen[nr]) TH_LOG("pid %d twice", nr);
		seen[nr] = 1;
		lines++;
		ASSERT_NE(NULL, strchr(p, '\n'));
	}
	for (i = 0; i < want; i += want / 7) {
		char want[64];

		snprintf(want, sizeof(want), "Process %d: %lld pages\n",
			 many[i], pages);
		EXPECT_NE(NULL, line_of(l, want)) TH_LOG("no '%s'", want);
	}
	free(l);
	for (i = 0; i < want; i++) {
		nr = many[i];
		EXPECT_EQ(1, seen[nr]) TH_LOG("pid %d not listed", nr);
	}
	d = opendir("/proc");
	ASSERT_NE(NULL, d);
	while ((e = readdir(d)))
		if (atoi(e->d_name) > 0 && statm_pages(atoi(e->d_name)) > 0)
			procs++;
	closedir(d);
	NOTE("%lld lines, %lld processes with memory in /proc", lines, procs);
	EXPECT_LE(llabs_diff(lines, procs), 5);
	for (i = 0; i < want; i++)
		kill(many[i], SIGKILL);
	for (i = 0; i < want; i++)
		waitpid(many[i], NULL, 0);
}

/*
 * A reader in a child pid namespace sees its own processes only, by their
 * numbers there: alone in it, a process lists itself as "Process 1:"; and
 * its pid writes are in its namespace too.
 */
TEST_F(probes, value_listing_pid_ns)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, krg_mkdir(SIZE));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char want[64], *l;
		pid_t inner;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		inner = fork();
		if (inner == 0) {
			l = read_all(SIZE "/total_vm/value", 4096);
			if (!l)
				_exit(11);
			snprintf(want, sizeof(want), "Process 1: %lld pages\n",
				 krg_rdll("/proc/self/statm"));
			if (strcmp(l, want))
				_exit(12);
			if (krg_write(SIZE "/pid", "1") ||
			    strcmp(krg_rd(SIZE "/pid"), "1"))
				_exit(13);
			if (krg_rdll(SIZE "/pid_value") !=
			    kb_field("/proc/self/status", "VmSize"))
				_exit(14);
			_exit(0);
		}
		if (inner < 0 || waitpid(inner, &status, 0) != inner)
			_exit(15);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 16);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * Every periodic probe has cost_ns, the ns the core timed its measurements
 * at, and it grows; event-driven probes have none.
 */
TEST_F_TIMEOUT(probes, cost_ns, 60)
{
	char path[128];
	long long c0, c1 = 0;

	for (unsigned int i = 0; i < NR_PROBES; i++) {
		bool events = !strcmp(all_probes[i], "migration_probe") ||
			      !strcmp(all_probes[i], "processsize_probe");

		snprintf(path, sizeof(path), PROBES "/%s", all_probes[i]);
		ASSERT_EQ(0, krg_mkdir(path));
		snprintf(path, sizeof(path), PROBES "/%s/cost_ns",
			 all_probes[i]);
		if (events) {
			EXPECT_FALSE(krg_exists(path)) TH_LOG("%s", path);
			continue;
		}
		ASSERT_TRUE(num(path, &c0)) TH_LOG("%s", path);
		snprintf(path, sizeof(path), PROBES "/%s/probe_period",
			 all_probes[i]);
		ASSERT_EQ(0, krg_write(path, "100"));
		snprintf(path, sizeof(path), PROBES "/%s/cost_ns",
			 all_probes[i]);
		EXPECT_TRUE(WAIT_FOR(num(path, &c1) && c1 > c0, 5))
			TH_LOG("%s: %lld then %lld", path, c0, c1);
	}
}

/* An unprivileged process opens @arg for writing: 10 if refused (EACCES). */
static int open_for_write(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EACCES ? 10 : 11;
}

/*
 * Per-process reads: garbage pids are refused (EINVAL), unknown ones too
 * (ESRCH), and users other than root (EACCES); a process that exits shows
 * "(process N has exited)", zombie or reaped; 0 unselects.
 */
TEST_F(probes, pid_attributes)
{
	static const char *const with_pid[] = { MOSIX, LOAD, SIZE };
	static const char *const bad[] = { "abc", "-1", "1.5", "12 13", "\n" };
	char want[64], s[32];

	for (unsigned int i = 0; i < 3; i++) {
		const char *p = with_pid[i];
		char path[128], vpath[128];
		pid_t pid;

		ASSERT_EQ(0, krg_mkdir(p));
		snprintf(path, sizeof(path), "%s/pid", p);
		snprintf(vpath, sizeof(vpath), "%s/pid_value", p);
		EXPECT_STREQ("(none)", krg_rd(path));
		EXPECT_STREQ("(no process selected: write a pid to pid)",
			     krg_rd(vpath));
		for (unsigned int b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			EXPECT_EQ(-EINVAL, krg_write(path, bad[b]))
				TH_LOG("%s accepted '%s'", path, bad[b]);
		}
		EXPECT_EQ(-ESRCH, krg_write(path, "99999999"));
		EXPECT_STREQ("(none)", krg_rd(path));
		EXPECT_EQ(10, krg_as_user(KRG_USER_UID, open_for_write, path));

		pid = sleeper(0);
		ASSERT_LT(0, pid);
		snprintf(s, sizeof(s), "%d", pid);
		ASSERT_EQ(0, krg_write(path, s));
		EXPECT_STREQ(s, krg_rd(path));
		/* A zombie has exited. */
		kill(pid, SIGKILL);
		ASSERT_TRUE(WAIT_FOR(proc_state(pid) == 'Z', 5));
		snprintf(want, sizeof(want), "(process %d has exited)", pid);
		EXPECT_STREQ(want, krg_rd(vpath));
		/* So has a reaped one; its number stays selected. */
		reap(pid);
		EXPECT_STREQ(want, krg_rd(vpath));
		EXPECT_STREQ(s, krg_rd(path));
		EXPECT_EQ(-ESRCH, krg_write(path, s));
		ASSERT_EQ(0, krg_write(path, "0"));
		EXPECT_STREQ("(none)", krg_rd(path));
		EXPECT_EQ(-EINVAL, krg_write(path, "(none)"));
		ASSERT_EQ(0, krg_rmdir(p));
	}
}

/*
 * migration_probe: 0 and 0 at first; after a migration, last_migration is
 * its end time (CLOCK_MONOTONIC, between the request and its return) on
 * every node and nothing is on going. Event-driven: no probe_period.
 */
TEST_F_TIMEOUT(probes, migration, 60)
{
	struct timespec t0, t1;
	struct krg_caps caps;
	long long last, v;
	pid_t pid;
	int ret;

	ASSERT_EQ(0, krg_mkdir(MIG));
	EXPECT_STREQ("0", krg_rd(MIG "/probe_period"));
	EXPECT_EQ(-EACCES, krg_write(MIG "/probe_period", "100"));
	for (int n = 0; n < 2; n++) {
		EXPECT_EQ(0, node_val(MIG, "last_migration", n));
		EXPECT_EQ(0, node_val(MIG, "migration_on_going", n));
	}

	pid = spinner(-1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, pin(pid, 0));
	if (krg_caps_get(KRG_TARGET_PID, pid, &caps)) {
		if (errno == ENOSYS || errno == ENOTTY)
			SKIP(return, "krg.ko has no capabilities yet (%s)",
			     strerror(errno));
		ASSERT_EQ(0, errno);
	}
	caps.effective |= KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE);
	ASSERT_EQ(0, krg_caps_set(KRG_TARGET_PID, pid, &caps))
		TH_LOG("krg_caps_set: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = krg_migrate(pid, 1, 0) ? errno : 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret == ENOSYS || ret == ENOTTY)
		SKIP(return, "krg.ko cannot migrate yet (%s)", strerror(ret));
	ASSERT_EQ(0, ret) TH_LOG("krg_migrate: %s", strerror(ret));

	last = node_val(MIG, "last_migration", 0);
	EXPECT_LE(t0.tv_sec * 1000000000LL + t0.tv_nsec, last);
	EXPECT_GE(t1.tv_sec * 1000000000LL + t1.tv_nsec, last);
	EXPECT_EQ(last, node_val(MIG, "last_migration", 1));
	ASSERT_TRUE(num(MIG "/last_migration/value", &v));
	EXPECT_EQ(last, v);
	EXPECT_EQ(0, node_val(MIG, "migration_on_going", 0));
	EXPECT_EQ(0, node_val(MIG, "migration_on_going", 1));

	/* And back: a later end time. */
	ASSERT_EQ(0, krg_migrate(pid, 0, 0));
	EXPECT_LT(last, node_val(MIG, "last_migration", 0));
	EXPECT_EQ(0, node_val(MIG, "migration_on_going", 0));
}

/* The thermal zone id whose type is @type (the @nth such zone), or -1. */
static int zone_id(const char *type, int nth)
{
	char path[96], buf[64];

	for (int id = 0; id < 256; id++) {
		snprintf(path, sizeof(path),
			 "/sys/class/thermal/thermal_zone%d/type", id);
		if (krg_read(path, buf, sizeof(buf)) || strcmp(buf, type))
			continue;
		if (!nth--)
			return id;
	}
	return -1;
}

/*
 * thermal_probe reads the zone it is given: 42000 set in the test zone
 * reads 42000 (and negative values too) on every node; a failing sensor
 * gives no value; a zone that goes away and comes back is found again.
 */
TEST_F_TIMEOUT(probes, thermal, 60)
{
	long long v = 0;
	char buf[64];
	int id;

	ASSERT_EQ(0, krg_need("krg_test_thermal"));
	ASSERT_EQ(0, krg_mkdir(THERM));
	ASSERT_EQ(0, krg_write(THERM "/probe_period", "100"));
	EXPECT_STREQ("s64", krg_rd(THERM "/temperature/type"));
	EXPECT_STREQ("", krg_rd(THERM "/zone"));
	EXPECT_STREQ("(no value yet)", krg_rd(THERM "/temperature/value"));

	ASSERT_EQ(0, krg_write(THERM_PARAM "temp", "25000"));
	ASSERT_EQ(0, krg_write(THERM "/zone", "krg_test"));
	EXPECT_STREQ("krg_test", krg_rd(THERM "/zone"));
	/* Read when written, not a period later. */
	EXPECT_STREQ("25000", krg_rd(THERM "/temperature/value"));
	ASSERT_EQ(0, krg_write(THERM_PARAM "temp", "42000"));
	EXPECT_TRUE(WAIT_FOR(num(THERM "/temperature/value", &v) &&
			     v == 42000, 5)) TH_LOG("temperature %lld", v);
	EXPECT_EQ(42000, node_val(THERM, "temperature", 0));
	EXPECT_EQ(42000, node_val(THERM, "temperature", 1));
	ASSERT_EQ(0, krg_write(THERM_PARAM "temp", "-5000"));
	EXPECT_TRUE(WAIT_FOR(num(THERM "/temperature/value", &v) &&
			     v == -5000, 5)) TH_LOG("temperature %lld", v);
	EXPECT_EQ(-5000, node_val(THERM, "temperature", 1));

	/* A broken sensor: no value, then back. */
	ASSERT_EQ(0, krg_write(THERM_PARAM "error", "5"));
	EXPECT_TRUE(WAIT_FOR(!strcmp(krg_rd(THERM "/temperature/value"),
				     "(no value yet)"), 5));
	ASSERT_EQ(0, krg_write(THERM_PARAM "error", "0"));
	EXPECT_TRUE(WAIT_FOR(num(THERM "/temperature/value", &v) &&
			     v == -5000, 5));

	/* Twins: ambiguous by type, fine by device name. */
	EXPECT_EQ(-EEXIST, krg_write(THERM "/zone", "krg_test_twin"));
	EXPECT_STREQ("krg_test", krg_rd(THERM "/zone"));
	id = zone_id("krg_test_twin", 1);
	ASSERT_LE(0, id);
	snprintf(buf, sizeof(buf), "thermal_zone%d", id);
	ASSERT_EQ(0, krg_write(THERM "/zone", buf));
	EXPECT_STREQ(buf, krg_rd(THERM "/zone"));
	ASSERT_TRUE(num(THERM "/temperature/value", &v));
	EXPECT_TRUE(v == -4999 || v == -4998) TH_LOG("twin reads %lld", v);

	/* The zone goes away, and comes back under another id. */
	ASSERT_EQ(0, krg_write(THERM "/zone", "KRG_TEST\n"));
	ASSERT_EQ(0, krg_rmmod("krg_test_thermal"));
	EXPECT_TRUE(WAIT_FOR(!strcmp(krg_rd(THERM "/temperature/value"),
				     "(no value yet)"), 5));
	ASSERT_EQ(0, krg_insmod("krg_test_thermal"));
	ASSERT_EQ(0, krg_write(THERM_PARAM "temp", "31000"));
	EXPECT_TRUE(WAIT_FOR(num(THERM "/temperature/value", &v) &&
			     v == 31000, 5)) TH_LOG("temperature %lld", v);

	/* Empty: no zone, no value. */
	ASSERT_EQ(0, krg_write(THERM "/zone", "\n"));
	EXPECT_STREQ("", krg_rd(THERM "/zone"));
	EXPECT_STREQ("(no value yet)", krg_rd(THERM "/temperature/value"));
	ASSERT_EQ(0, krg_rmdir(THERM));
	EXPECT_EQ(0, krg_rmmod("krg_test_thermal"));
}

/* zone refuses malformed names (EINVAL) and unknown zones (ENOENT). */
TEST_F(probes, thermal_zone_garbage)
{
	static const struct {
		const char *name;
		int err;
	} bad[] = {
		{ "no_such_zone", -ENOENT },
		{ "thermal_zone999", -ENOENT },
		{ "thermal_zone01", -ENOENT },
		{ "a/b", -EINVAL },
		{ "../thermal_zone0", -EINVAL },
		{ "two words", -EINVAL },
		{ "tab\there", -EINVAL },
		{ "twenty_characters_xx", -EINVAL },
		{ "krg_test\n\n", -EINVAL },
	};

	ASSERT_EQ(0, krg_need("krg_test_thermal"));
	ASSERT_EQ(0, krg_mkdir(THERM));
	ASSERT_EQ(0, krg_write(THERM "/zone", "krg_test"));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(bad[i].err, krg_write(THERM "/zone", bad[i].name))
			TH_LOG("zone '%s'", bad[i].name);
		EXPECT_STREQ("krg_test", krg_rd(THERM "/zone"));
	}
	ASSERT_EQ(0, krg_rmdir(THERM));
	EXPECT_EQ(0, krg_rmmod("krg_test_thermal"));
}

/*
 * Event-driven probes show probe_period 0, read-only (it is no setting, so
 * krgsched show --cfg does not save it); periodic ones take one.
 */
TEST_F(probes, probe_period)
{
	char path[128];

	for (unsigned int i = 0; i < NR_PROBES; i++) {
		bool events = !strcmp(all_probes[i], "migration_probe") ||
			      !strcmp(all_probes[i], "processsize_probe");

		snprintf(path, sizeof(path), PROBES "/%s", all_probes[i]);
		ASSERT_EQ(0, krg_mkdir(path));
		snprintf(path, sizeof(path), PROBES "/%s/probe_period",
			 all_probes[i]);
		EXPECT_STREQ(events ? "0" : "1000", krg_rd(path));
		EXPECT_EQ(events ? -EACCES : 0, krg_write(path, "250"))
			TH_LOG("%s", path);
		EXPECT_EQ(events ? -EACCES : -EINVAL, krg_write(path, "soon"));
	}
}

/* Every probe module is pinned by its probe and unloads once it is gone. */
TEST_F(probes, unload)
{
	char path[128];

	for (unsigned int i = 0; i < NR_PROBES; i++) {
		snprintf(path, sizeof(path), PROBES "/%s", all_probes[i]);
		ASSERT_EQ(0, krg_mkdir(path));
		EXPECT_TRUE(krg_mod_loaded(all_probes[i]));
		EXPECT_EQ(-EWOULDBLOCK, krg_rmmod(all_probes[i]));
		ASSERT_EQ(0, krg_rmdir(path));
		EXPECT_EQ(0, krg_rmmod(all_probes[i])) TH_LOG("%s", path);
		EXPECT_FALSE(krg_mod_loaded(all_probes[i]));
	}
}

/*
 * mkdir and rmdir of every probe 50 times, reading values in between (the
 * first measurement runs at once, so removal races with it): no module
 * reference leaks and nothing warns (the runner checks the kernel log).
 */
TEST_F_TIMEOUT(probes, mkdir_rmdir_loop, 300)
{
	char path[128];
	long long v;

	for (int round = 0; round < 50; round++) {
		for (unsigned int i = 0; i < NR_PROBES; i++) {
			snprintf(path, sizeof(path), PROBES "/%s",
				 all_probes[i]);
			ASSERT_EQ(0, krg_mkdir(path)) TH_LOG("round %d %s", round,
						      path);
		}
		num(CPU "/usage/nodes/0/value", &v);
		num(MOSIX "/mean_load/nodes/1/value", &v);
		if (round == 0 || round == 49) {
			/* Let a walk fill mosix_probe's table of threads. */
			EXPECT_TRUE(WAIT_FOR(strncmp(krg_rd(MOSIX "/tasks"),
						     "followed 0 ", 11), 5));
		}
		for (unsigned int i = 0; i < NR_PROBES; i++) {
			snprintf(path, sizeof(path), PROBES "/%s",
				 all_probes[i]);
			ASSERT_EQ(0, krg_rmdir(path)) TH_LOG("round %d %s", round,
						      path);
		}
	}
	for (unsigned int i = 0; i < NR_PROBES; i++) {
		EXPECT_EQ(0, krg_rmmod(all_probes[i]))
			TH_LOG("%s", all_probes[i]);
	}
}

/*
 * A node whose CPUs all go offline has no value (the core shows
 * "(no data)" for -ENODATA) and gets values back when it returns.
 */
TEST_F_TIMEOUT(probes, node_offline, 60)
{
	static const char *const per_node[][2] = {
		{ CPU, "usage" }, { MEM, "ram_free" }, { MOSIX, "mean_load" },
		{ LOAD, "active_tasks" }, { MIG, "last_migration" },
	};
	char online[96];
	cpu_set_t set;
	int cpu = -1;

	ASSERT_EQ(0, node_cpus(1, &set));
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			if (cpu >= 0)
				SKIP(return, "node 1 has several CPUs");
			cpu = c;
		}
	snprintf(online, sizeof(online),
		 "/sys/devices/system/cpu/cpu%d/online", cpu);
	if (!krg_exists(online))
		SKIP(return, "CPU %d cannot go offline", cpu);
	for (unsigned int i = 0; i < 5; i++)
		ASSERT_EQ(0, krg_mkdir(per_node[i][0]));
	for (unsigned int i = 0; i < 5; i++)
		ASSERT_TRUE(WAIT_FOR(node_val(per_node[i][0], per_node[i][1],
					      1) >= 0, 5));
	ASSERT_EQ(0, krg_write(online, "0"));
	ASSERT_TRUE(WAIT_FOR(!strcmp(krg_rd("/sys/kernel/krg/nodes_online"), "0"),
			     5));
	for (unsigned int i = 0; i < 5; i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s/nodes/1/value",
			 per_node[i][0], per_node[i][1]);
		EXPECT_TRUE(WAIT_FOR(!strcmp(krg_rd(path), "(no data)"), 5))
			TH_LOG("%s: %s", path, krg_rd(path));
		/* Node 0 carries on. */
		EXPECT_LE(0, node_val(per_node[i][0], per_node[i][1], 0));
	}
	ASSERT_EQ(0, krg_write(online, "1"));
	for (unsigned int i = 0; i < 5; i++) {
		EXPECT_TRUE(WAIT_FOR(node_val(per_node[i][0], per_node[i][1],
					      1) >= 0, 5))
			TH_LOG("%s/%s", per_node[i][0], per_node[i][1]);
	}
}

TEST_HARNESS_MAIN
