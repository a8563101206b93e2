// SPDX-License-Identifier: GPL-2.0
/*
 * krgtop: a live view of krgsched nodes, refreshed in place like top(1).
 *
 * Per node: CPUs, CPU busy % (from /proc/stat), runnable threads and
 * processes whose last CPU is on the node (from /proc/PID/task/TID/stat),
 * free and total memory (from the node's meminfo), temperature (the
 * thermal_probe's per-node value when that probe is active). Then the
 * migration rate (krg.ko's counters) and one line per scheduler with its
 * policy's stats. `-b` prints plain text for scripts.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "libkrg.h"

#define PROG		"krgtop"
#define MAX_CPUS	4096

struct ctl {
	bool batch;
	double delay;
	long iterations;	/* 0: forever */
};

struct node {
	bool present;
	int cpus;
	unsigned long long busy, total;		/* /proc/stat sums */
	double cpu_pct;
	int running, procs;
	long long mem_free_kb, mem_total_kb;
	char temp[32];
};

static struct node nodes[KRG_MAX_NODES];
static int cpu_node[MAX_CPUS];
static volatile sig_atomic_t stop;
static struct termios saved_tty;
static bool tty_raw;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A small file, cut to what @buf holds (a frame shows what fits). */
static int read_text(const char *path, char *buf, size_t len)
{
	return krg_read_file(path, buf, len) && errno != ERANGE ? -1 : 0;
}

/* Which node each CPU belongs to, and which nodes exist. */
static int map_nodes(void)
{
	unsigned long mask[KRG_MAX_NODES / (8 * sizeof(unsigned long))];
	char path[128], list[1024];
	int node, cpu, a, b, n;
	char *p;

	memset(mask, 0, sizeof(mask));
	if (krg_nodes_possible(mask)) {
		if (read_text("/sys/devices/system/node/possible", list,
			      sizeof(list)))
			snprintf(list, sizeof(list), "0");
		if (krg_nodelist_parse(list, mask)) {
			fprintf(stderr, PROG ": cannot parse node list '%s'\n",
				list);
			return -1;
		}
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		cpu_node[cpu] = -1;
	for (node = 0; node < KRG_MAX_NODES; node++) {
		if (!krg_node_isset(node, mask))
			continue;
		nodes[node].present = true;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/cpulist", node);
		if (read_text(path, list, sizeof(list)))
			continue;
		for (p = strtok(list, ","); p; p = strtok(NULL, ",")) {
			n = sscanf(p, "%d-%d", &a, &b);
			if (n < 1)
				continue;
			if (n == 1)
				b = a;
			for (cpu = a; cpu <= b && cpu < MAX_CPUS; cpu++) {
				cpu_node[cpu] = node;
				nodes[node].cpus++;
			}
		}
	}
	return 0;
}

static void sample_cpu(void)
{
	unsigned long long v[10], busy, total;
	struct node prev[KRG_MAX_NODES];
	char line[512];
	FILE *f;
	int cpu, node, i;

	for (node = 0; node < KRG_MAX_NODES; node++) {
		prev[node] = nodes[node];
		nodes[node].busy = nodes[node].total = 0;
	}
	f = fopen("/proc/stat", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		memset(v, 0, sizeof(v));
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6], &v[7]) < 5)
			continue;
		if (cpu < 0 || cpu >= MAX_CPUS || cpu_node[cpu] < 0)
			continue;
		for (total = 0, i = 0; i < 8; i++)
			total += v[i];
		busy = total - v[3] - v[4];	/* minus idle and iowait */
		nodes[cpu_node[cpu]].busy += busy;
		nodes[cpu_node[cpu]].total += total;
	}
	fclose(f);
	for (node = 0; node < KRG_MAX_NODES; node++) {
		unsigned long long dt = nodes[node].total - prev[node].total;

		nodes[node].cpu_pct = dt ? 100.0 * (nodes[node].busy -
				      prev[node].busy) / dt : 0.0;
	}
}

/* Field 3 (state) and 39 (processor) of a /proc stat line. */
static int stat_state_cpu(const char *path, char *state, int *cpu)
{
	char buf[1024], *p;
	int field;

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	if (!p || !p[1])
		return -1;
	*state = p[2];
	for (field = 3, p += 2; *p && field < 39; p++)
		if (*p == ' ')
			field++;
	*cpu = atoi(p);
	return 0;
}

static void sample_tasks(void)
{
	char path[600], state;
	struct dirent *d, *t;
	DIR *proc, *tasks;
	int node, cpu;

	for (node = 0; node < KRG_MAX_NODES; node++)
		nodes[node].running = nodes[node].procs = 0;
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((d = readdir(proc))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if (!stat_state_cpu(path, &state, &cpu) && cpu >= 0 &&
		    cpu < MAX_CPUS && cpu_node[cpu] >= 0)
			nodes[cpu_node[cpu]].procs++;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		tasks = opendir(path);
		while (tasks && (t = readdir(tasks))) {
			if (!isdigit((unsigned char)t->d_name[0]))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 d->d_name, t->d_name);
			if (!stat_state_cpu(path, &state, &cpu) && state == 'R' &&
			    cpu >= 0 && cpu < MAX_CPUS && cpu_node[cpu] >= 0)
				nodes[cpu_node[cpu]].running++;
		}
		if (tasks)
			closedir(tasks);
	}
	closedir(proc);
}

static void sample_mem_temp(void)
{
	char path[PATH_MAX], line[256];
	long long v;
	FILE *f;
	int node;

	for (node = 0; node < KRG_MAX_NODES; node++) {
		if (!nodes[node].present)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/meminfo", node);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "Node %*d MemTotal: %lld", &v) == 1)
				nodes[node].mem_total_kb = v;
			else if (sscanf(line, "Node %*d MemFree: %lld", &v) == 1)
				nodes[node].mem_free_kb = v;
		}
		if (f)
			fclose(f);
		snprintf(path, sizeof(path),
			 "%s/probes/thermal_probe/temperature/nodes/%d/value",
			 krg_cfs_root(), node);
		if (read_text(path, line, sizeof(line)) ||
		    sscanf(line, "%lld", &v) != 1)
			snprintf(nodes[node].temp, sizeof(nodes[node].temp), "-");
		else
			snprintf(nodes[node].temp, sizeof(nodes[node].temp),
				 "%.1fC", v / 1000.0);
	}
}

/* Completed migrations so far (krg.ko's counters), or -1. */
static long long migrations_done(void)
{
	char line[128];
	long long v;
	FILE *f = fopen(KRG_SYSFS_DIR "/migrations", "r");
	long long done = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "done %lld", &v) == 1 ||
		    sscanf(line, "done: %lld", &v) == 1)
			done = v;
	if (f)
		fclose(f);
	return done;
}

static long long stat_value(const char *stats, const char *key)
{
	const char *p = strstr(stats, key);

	return p ? atoll(p + strlen(key)) : 0;
}

static void print_schedulers(FILE *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 600], buf[2048], status[256];
	struct dirent *s, *p;
	DIR *sd, *pd;
	bool header = false;

	snprintf(dir, sizeof(dir), "%s/schedulers", krg_cfs_root());
	sd = opendir(dir);
	while (sd && (s = readdir(sd))) {
		if (s->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/status", dir, s->d_name);
		if (read_text(path, status, sizeof(status)))
			continue;
		if (!header) {
			fprintf(out, "\n%-16s %-22s %-8s %8s %8s %8s\n",
				"SCHEDULER", "POLICY", "STATE", "PLACED",
				"MIGRATED", "REFUSED");
			header = true;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, s->d_name);
		pd = opendir(path);
		buf[0] = '\0';
		while (pd && (p = readdir(pd))) {
			if (p->d_name[0] == '.' || p->d_type != DT_DIR ||
			    !strcmp(p->d_name, "process_set"))
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s/stats", dir,
				 s->d_name, p->d_name);
			if (read_text(path, buf, sizeof(buf)))
				buf[0] = '\0';
			fprintf(out, "%-16s %-22s %-8.*s %8lld %8lld %8lld\n",
				s->d_name, p->d_name,
				(int)strcspn(status, ":"), status,
				stat_value(buf, "placements "),
				stat_value(buf, "\nmigrations "),
				stat_value(buf, "migrations_refused "));
			break;
		}
		if (pd)
			closedir(pd);
		if (!buf[0])
			fprintf(out, "%-16s %-22s %-8.*s\n", s->d_name, "-",
				(int)strcspn(status, ":"), status);
	}
	if (sd)
		closedir(sd);
}

static void print_frame(const struct ctl *c, double rate, long long done)
{
	char when[32], online[256] = "?";
	time_t now = time(NULL);
	int node;

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	read_text(KRG_SYSFS_DIR "/nodes_online", online, sizeof(online));
	if (!c->batch)
		fputs("\033[H\033[2J", stdout);
	printf("krgtop - %s  nodes %s online  migrations ", when, online);
	if (done < 0)
		printf("n/a (krg.ko not loaded)\n\n");
	else
		printf("%.1f/s (total %lld)\n\n", rate, done);
	printf("%4s %4s %6s %5s %6s %17s %7s\n", "NODE", "CPUS", "CPU%",
	       "RUN", "PROCS", "MEM FREE/TOTAL MB", "TEMP");
	for (node = 0; node < KRG_MAX_NODES; node++) {
		struct node *n = &nodes[node];

		if (!n->present)
			continue;
		printf("%4d %4d %6.1f %5d %6d %8lld/%-8lld %7s\n", node,
		       n->cpus, n->cpu_pct, n->running, n->procs,
		       n->mem_free_kb / 1024, n->mem_total_kb / 1024, n->temp);
	}
	print_schedulers(stdout);
	if (c->batch)
		putchar('\n');
	fflush(stdout);
}

static void restore_tty(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

/* Wait @secs, or less if 'q' is typed. Returns true to quit. */
static bool wait_or_quit(double secs)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char ch;

	if (!tty_raw) {
		struct timespec ts = { (time_t)secs,
				       (long)((secs - (time_t)secs) * 1e9) };

		while (nanosleep(&ts, &ts) && errno == EINTR && !stop)
			;
		return stop;
	}
	if (poll(&pfd, 1, (int)(secs * 1000)) > 0 &&
	    read(STDIN_FILENO, &ch, 1) == 1 && (ch == 'q' || ch == 'Q'))
		return true;
	return stop;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [options]\n"
		"\n"
		"Live view of krgsched nodes: CPU, runnable threads, processes,\n"
		"memory, temperature, migrations, and each scheduler's policy.\n"
		"\n"
		"Options:\n"
		"  -b, --batch           plain output, one frame after another\n"
		"  -d, --delay SECS      time between frames (default 1)\n"
		"  -n, --iterations N    stop after N frames (default: until q or ^C)\n"
		"  -h, --help            display this help\n"
		"  -V, --version         display version\n", PROG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .delay = 1.0 };
	long long done, last_done;
	struct timespec t0, t1;
	long long n;
	char *end;
	long i;
	int o;

	while ((o = getopt_long(argc, argv, "bd:n:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'b':
			c.batch = true;
			break;
		case 'd':
			errno = 0;
			c.delay = strtod(optarg, &end);
			if (errno || *end || c.delay < 0.1 || c.delay > 3600) {
				fprintf(stderr, PROG ": invalid delay '%s' (0.1 to 3600 seconds)\n",
					optarg);
				return 1;
			}
			break;
		case 'n':
			if (krg_parse_num(optarg, 1, LONG_MAX, &n)) {
				fprintf(stderr, PROG ": invalid iterations '%s'\n",
					optarg);
				return 1;
			}
			c.iterations = n;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return krg_print_version();
		default:
			krg_usage_error(NULL);
		}
	}
	if (optind < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind]);
	if (map_nodes())
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!c.batch && isatty(STDIN_FILENO) &&
	    !tcgetattr(STDIN_FILENO, &saved_tty)) {
		struct termios raw = saved_tty;

		raw.c_lflag &= ~(ICANON | ECHO);
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw)) {
			tty_raw = true;
			atexit(restore_tty);
		}
	}

	sample_cpu();
	last_done = migrations_done();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; !c.iterations || i < c.iterations; i++) {
		if (wait_or_quit(c.delay))
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		sample_cpu();
		sample_tasks();
		sample_mem_temp();
		done = migrations_done();
		print_frame(&c, done >= 0 && last_done >= 0 ?
			    (done - last_done) / ((t1.tv_sec - t0.tv_sec) +
			    (t1.tv_nsec - t0.tv_nsec) / 1e9) : 0.0, done);
		last_done = done;
		t0 = t1;
	}
	return 0;
}
