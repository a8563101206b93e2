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
#include <string.h>

#include "libkrg.h"

#define PACKAGE_STRING	"krgsched 0.1"

struct migrate_control {
	pid_t pid;
	int node;
	unsigned int flags;		/* KRG_MIGRATE_* */
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
	fputs(" -h, --help       display this help\n", out);
	fputs(" -V, --version    display version\n", out);
	fputs("\nThe process needs CAN_MIGRATE in its effective Kerrighed"
	      " capabilities;\nsee krgcapset(1). For more details see"
	      " migrate(1).\n", out);
	exit(EXIT_SUCCESS);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vwarnx(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(EXIT_FAILURE);
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
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "+nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ctl->flags |= KRG_MIGRATE_NOWAIT;
			break;
		case 'h':
			usage();
		case 'V':
			printf("%s from %s\n", program_invocation_short_name,
			       PACKAGE_STRING);
			exit(EXIT_SUCCESS);
		default:
			usage_error(NULL);
		}
	}
	if (argc - optind != 2)
		usage_error(argc - optind < 2 ? "missing argument" :
			    "too many arguments");
	ctl->pid = parse_num(argv[optind], 1, INT_MAX);
	if (ctl->pid < 0)
		usage_error("invalid pid argument '%s'", argv[optind]);
	ctl->node = parse_num(argv[optind + 1], 0, KRG_MAX_NODES - 1);
	if (ctl->node < 0)
		usage_error("invalid node argument '%s' (0-%d)",
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
	}
	krg_close();
	return ret;
}
