// SPDX-License-Identifier: GPL-2.0
/*
 * migrate - move a process to another node of the cluster.
 *
 * krg.ko checks the request (ownership, CAN_MIGRATE, ptrace, node online,
 * ...); then migrate sets the affinity of every thread to the node's CPUs
 * with sched_setaffinity(2), as the caller, so that the kernel applies the
 * process's cpuset, the LSM and the SCHED_DEADLINE rules; then krg.ko
 * records the move (the node, the events, the counters). Returns once the
 * process runs on the destination node, or with the reason it could not be
 * moved (its threads then keep the affinity they had).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libkrg.h"


struct migrate_control {
	pid_t pid;
	int node;
	bool nowait;			/* --nowait: leave the memory to NUMA balancing */
	bool keep_memory;		/* --keep-memory */
	bool check;			/* --check: say why not, move nothing */
};

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s [options] <pid> <node>\n",
		program_invocation_short_name);
	fputs("\nMove process <pid> (all its threads) to node <node>.\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -n, --nowait     do not wait for the memory to move\n", out);
	fputs(" -k, --keep-memory  do not move the process's memory\n", out);
	fputs(" -c, --check      only say whether it could move now, and every\n"
	      "                    reason why not (nothing is frozen or moved)\n", out);
	fputs(" -h, --help       display this help\n", out);
	fputs(" -V, --version    display version\n", out);
	fputs("\nThe process needs CAN_MIGRATE in its effective Kerrighed"
	      " capabilities;\nsee krgcapset(1). For more details see"
	      " migrate(1).\n", out);
	exit(EXIT_SUCCESS);
}

static void parse_args(struct migrate_control *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nowait",	no_argument, NULL, 'n' },
		{ "keep-memory", no_argument, NULL, 'k' },
		{ "check",	no_argument, NULL, 'c' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long long node;
	int c;

	while ((c = getopt_long(argc, argv, "+nkchV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ctl->nowait = true;
			break;
		case 'k':
			ctl->keep_memory = true;
			break;
		case 'c':
			ctl->check = true;
			break;
		case 'h':
			usage();
		case 'V':
			exit(krg_print_version());
		default:
			krg_usage_error(NULL);
		}
	}
	if (argc - optind != 2)
		krg_usage_error(argc - optind < 2 ? "missing argument" :
			    "too many arguments");
	ctl->pid = krg_parse_arg(argv[optind], "pid", 1, INT_MAX);
	if (krg_parse_num(argv[optind + 1], 0, KRG_MAX_NODES - 1, &node))
		krg_usage_error("invalid node argument '%s' (0-%d)",
				argv[optind + 1], KRG_MAX_NODES - 1);
	ctl->node = node;
}

/* What the kernel's errno means for a migration request. */
static const char *reason(int err, int node, char *buf, size_t len)
{
	switch (err) {
	case ESRCH:
		return "no such process (or it is exiting)";
	case EPERM:
		return "permission denied: you do not own the process";
	case EACCES:
		return "the process lacks CAN_MIGRATE in its effective"
		       " capabilities";
	case EBUSY:
		return "the process is being traced or is already migrating";
	case EAGAIN:
		return "the process is being created; try again";
	case EINVAL:
		return "kernel thread or invalid node";
	case EHOSTDOWN:
		snprintf(buf, len, "node %d is not online", node);
		return buf;
	case ENOSYS:
		return "krg.ko is not loaded";
	default:
		return strerror(err);
	}
}

/*
 * Move the process's pages to the NUMA node that holds @node's memory too
 * (migrate_pages(2)), when krg.ko says there is one on this machine
 * (/sys/kernel/krg/node<N>/numa_node; -1 for a node whose memory is not
 * here); NUMA balancing would move them later anyway. Moving another
 * user's pages needs CAP_SYS_NICE: failing is only a note, the migration
 * itself succeeded.
 */
static void move_memory(const struct migrate_control *ctl)
{
	unsigned long from[KRG_MAX_NODES / (8 * sizeof(unsigned long))];
	unsigned long to[KRG_MAX_NODES / (8 * sizeof(unsigned long))];
	char path[64], val[32], mems[1024];
	long long numa;
	long left;

	snprintf(path, sizeof(path), "node%d/numa_node", ctl->node);
	if (krg_sysfs_read(path, val, sizeof(val)) ||
	    krg_parse_num(val, -1, KRG_MAX_NODES - 1, &numa) || numa < 0)
		return;
	/* From every NUMA node with memory (that has ids below 256). */
	memset(from, 0, sizeof(from));
	memset(to, 0, sizeof(to));
	if (krg_read_file("/sys/devices/system/node/has_memory", mems,
			  sizeof(mems)) ||
	    krg_nodelist_parse(mems, from))
		return;
	krg_node_clear((int)numa, from);
	krg_node_set((int)numa, to);
	left = syscall(SYS_migrate_pages, ctl->pid, KRG_MAX_NODES + 1, from, to);
	if (left < 0)
		warnx("process %d moved to node %d; its memory stays where it is (%s)",
		      ctl->pid, ctl->node, strerror(errno));
}

/* The value of "@key:" in /proc/@pid/status, or "". */
static void status_field(pid_t pid, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		snprintf(buf, len, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
		buf[strcspn(buf, "\n")] = '\0';
		break;
	}
	if (f)
		fclose(f);
}

/* Why sched_setaffinity(2) refused thread @tid: @err, with the cpuset. */
static void explain_affinity(const struct migrate_control *ctl, pid_t tid,
			     int err, const char *cpus, char *buf, size_t len)
{
	char path[64], cpuset[256], allowed[128];

	snprintf(path, sizeof(path), "/proc/%d/cpuset", tid);
	if (krg_read_file(path, cpuset, sizeof(cpuset)) && errno != ERANGE)
		cpuset[0] = '\0';
	status_field(tid, "Cpus_allowed_list", allowed, sizeof(allowed));
	if (err == EINVAL && cpuset[0] && strcmp(cpuset, "/"))
		snprintf(buf, len, "node %d's CPUs %s are outside its cpuset"
			 " %s (cpus %s)", ctl->node, cpus, cpuset,
			 allowed[0] ? allowed : "?");
	else if (err == EINVAL)
		snprintf(buf, len, "the kernel refused node %d's CPUs %s for"
			 " thread %d (SCHED_DEADLINE, or isolated CPUs)",
			 ctl->node, cpus, tid);
	else if (err == EPERM)
		snprintf(buf, len, "the kernel refused to change the affinity"
			 " of thread %d: permission denied", tid);
	else
		snprintf(buf, len, "cannot set the affinity of thread %d: %s",
			 tid, strerror(err));
}

#define MOVE_ROUNDS	16

/*
 * The move itself: every thread onto the node's CPUs, as the caller, then
 * the record in krg.ko (EAGAIN: a thread appeared or changed; again). On
 * failure every thread moved gets its old affinity back. 0, or -1 with a
 * message in @msg.
 */
static int move(const struct migrate_control *ctl, char *msg, size_t len)
{
	struct krg_move m = { 0 };
	char cpus[256];
	size_t setsize;
	cpu_set_t *set;
	pid_t failed = 0;
	int round, err = 0;
	char why[128];

	if (krg_node_cpulist(ctl->node, cpus, sizeof(cpus))) {
		snprintf(msg, len, "cannot read node %d's CPUs: %s", ctl->node,
			 strerror(errno));
		return -1;
	}
	setsize = CPU_ALLOC_SIZE(8192);
	set = CPU_ALLOC(8192);
	if (!set || krg_cpulist_parse(cpus, set, setsize)) {
		snprintf(msg, len, "node %d's CPU list '%s': %s", ctl->node,
			 cpus, strerror(errno));
		CPU_FREE(set);
		return -1;
	}
	for (round = 0; round < MOVE_ROUNDS; round++) {
		if (krg_move_threads(&m, ctl->pid, set, setsize, &failed)) {
			err = errno;
			if (failed)
				explain_affinity(ctl, failed, err, cpus, msg,
						 len);
			else
				snprintf(msg, len, "%s", reason(err, ctl->node,
								why, sizeof(why)));
			break;
		}
		if (!krg_migrate(ctl->pid, ctl->node, KRG_MIGRATE_RECORD))
			break;
		err = errno;
		if (err != EAGAIN) {
			snprintf(msg, len, "%s", reason(err, ctl->node, why,
							sizeof(why)));
			break;
		}
	}
	if (round == MOVE_ROUNDS)
		snprintf(msg, len, "its threads keep changing; try again");
	if (err || round == MOVE_ROUNDS)
		krg_move_undo(&m, setsize);
	krg_move_free(&m);
	CPU_FREE(set);
	return (err || round == MOVE_ROUNDS) ? -1 : 0;
}

/*
 * Is @node another machine (krg.ko's cluster backend)? Then krg.ko's node
 * agent moves the process (CRIU), not an affinity.
 */
static bool other_machine(int node)
{
	char backend[32];

	return !krg_sysfs_read("backend", backend, sizeof(backend)) &&
	       !strncmp(backend, "cluster", 7) && node != krg_local_node();
}

/* The move to another machine, waited for: 0, or -1 with @msg. */
static int across(const struct migrate_control *ctl, char *msg, size_t len)
{
	struct timespec a, b;
	char why[KRG_REASON_LEN], buf[128];

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (krg_migrate_why(ctl->pid, ctl->node, 0, why, sizeof(why))) {
		snprintf(msg, len, "%s", why[0] ? why :
			 reason(errno, ctl->node, buf, sizeof(buf)));
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("process %d migrated to node %d in %ld ms\n", ctl->pid, ctl->node,
	       (long)((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000));
	return 0;
}

int main(int argc, char **argv)
{
	struct migrate_control ctl = { 0 };
	char msg[512];
	int ret = EXIT_SUCCESS;

	parse_args(&ctl, argc, argv);

	if (krg_open() < 0)
		errx(EXIT_FAILURE, "%s",
		     krg_abi_strerror(errno, msg, sizeof(msg)));
	if (ctl.check) {
		char why[KRG_REASON_LEN];

		if (krg_migrate_why(ctl.pid, ctl.node, KRG_MIGRATE_DRY_RUN, why,
				    sizeof(why))) {
			warnx("process %d cannot migrate to node %d: %s", ctl.pid,
			      ctl.node, why[0] ? why : reason(errno, ctl.node, msg,
							      sizeof(msg)));
			ret = EXIT_FAILURE;
		} else {
			printf("process %d can migrate to node %d\n", ctl.pid, ctl.node);
		}
	} else if (other_machine(ctl.node)) {
		if (across(&ctl, msg, sizeof(msg))) {
			warnx("cannot migrate process %d to node %d: %s", ctl.pid,
			      ctl.node, msg);
			ret = EXIT_FAILURE;
		}
	} else if (krg_migrate(ctl.pid, ctl.node, KRG_MIGRATE_CHECK)) {
		warnx("cannot migrate process %d to node %d: %s", ctl.pid,
		      ctl.node, reason(errno, ctl.node, msg, sizeof(msg)));
		ret = EXIT_FAILURE;
	} else if (move(&ctl, msg, sizeof(msg))) {
		warnx("cannot migrate process %d to node %d: %s", ctl.pid,
		      ctl.node, msg);
		ret = EXIT_FAILURE;
	} else if (!ctl.keep_memory && !ctl.nowait) {
		move_memory(&ctl);
	}
	krg_close();
	return ret;
}
