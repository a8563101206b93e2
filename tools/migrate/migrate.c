// SPDX-License-Identifier: GPL-2.0
/*
 * migrate - move a process to another node of the cluster.
 *
 * Synchronous by default: returns once the process runs on the destination
 * node, or with the reason it could not be moved.
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
#include <unistd.h>

#include "libkrg.h"


struct migrate_control {
	pid_t pid;
	int node;
	unsigned int flags;		/* KRG_MIGRATE_* */
	bool keep_memory;		/* --keep-memory */
};

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s [options] <pid> <node>\n",
		program_invocation_short_name);
	fputs("\nMove process <pid> (all its threads) to node <node>.\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -n, --nowait     return once the migration is queued\n", out);
	fputs(" -k, --keep-memory  do not move the process's memory\n", out);
	fputs(" -h, --help       display this help\n", out);
	fputs(" -V, --version    display version\n", out);
	fputs("\nThe process needs CAN_MIGRATE in its effective Kerrighed"
	      " capabilities;\nsee krgcapset(1). For more details see"
	      " migrate(1).\n", out);
	exit(EXIT_SUCCESS);
}

/* A whole decimal string in [min, max], else -1. */
static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	return v;
}

static void parse_args(struct migrate_control *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nowait",	no_argument, NULL, 'n' },
		{ "keep-memory", no_argument, NULL, 'k' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+nkhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ctl->flags |= KRG_MIGRATE_NOWAIT;
			break;
		case 'k':
			ctl->keep_memory = true;
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
	ctl->pid = parse_num(argv[optind], 1, INT_MAX);
	if (ctl->pid < 0)
		krg_usage_error("invalid pid argument '%s'", argv[optind]);
	ctl->node = parse_num(argv[optind + 1], 0, KRG_MAX_NODES - 1);
	if (ctl->node < 0)
		krg_usage_error("invalid node argument '%s' (0-%d)",
			    argv[optind + 1], KRG_MAX_NODES - 1);
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
 * With the numa backend, move the process's pages to @node too
 * (migrate_pages(2)); NUMA balancing would move them later anyway. Moving
 * another user's pages needs CAP_SYS_NICE: failing is only a note, the
 * migration itself succeeded.
 */
static void move_memory(const struct migrate_control *ctl)
{
	unsigned long from[KRG_MAX_NODES / (8 * sizeof(unsigned long))];
	unsigned long to[KRG_MAX_NODES / (8 * sizeof(unsigned long))];
	char backend[32];
	long left;

	if (krg_sysfs_read("backend", backend, sizeof(backend)) ||
	    strncmp(backend, "numa", 4))
		return;
	memset(from, 0, sizeof(from));
	memset(to, 0, sizeof(to));
	if (krg_nodes_online(from))
		return;
	krg_node_clear(ctl->node, from);
	krg_node_set(ctl->node, to);
	left = syscall(SYS_migrate_pages, ctl->pid, KRG_MAX_NODES + 1, from, to);
	if (left < 0)
		warnx("process %d moved to node %d; its memory stays where it is (%s)",
		      ctl->pid, ctl->node, strerror(errno));
}

int main(int argc, char **argv)
{
	struct migrate_control ctl = { 0 };
	char msg[256];
	int ret = EXIT_SUCCESS;

	parse_args(&ctl, argc, argv);

	if (krg_open() < 0)
		errx(EXIT_FAILURE, "%s",
		     krg_abi_strerror(errno, msg, sizeof(msg)));
	if (krg_migrate(ctl.pid, ctl.node, ctl.flags)) {
		warnx("cannot migrate process %d to node %d: %s", ctl.pid,
		      ctl.node, reason(errno, ctl.node, msg, sizeof(msg)));
		ret = EXIT_FAILURE;
	} else if (!ctl.keep_memory && !(ctl.flags & KRG_MIGRATE_NOWAIT)) {
		move_memory(&ctl);
	}
	krg_close();
	return ret;
}
