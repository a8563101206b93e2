// SPDX-License-Identifier: GPL-2.0
/*
 * krgsched: assemble, inspect and remove krgsched schedulers.
 *
 *   krgsched apply FILE.cfg       build the trees a libconfig file describes
 *   krgsched show [--cfg] [NAME]  print live schedulers (graph or .cfg)
 *   krgsched destroy NAME...      remove schedulers and what is in them
 *
 * A convenience over configfs, never a replacement: everything it does can
 * be done with mkdir, ln -s and echo.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "krgsched.h"
#include "libkrg.h"

#define PROG "krgsched"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		"  %1$s [options] apply FILE.cfg\n"
		"  %1$s [options] show [--cfg] [NAME]\n"
		"  %1$s [options] destroy NAME...\n"
		"\n"
		"Assemble, inspect and remove krgsched schedulers (configfs).\n"
		"\n"
		"Commands:\n"
		"  apply FILE      build the probes and schedulers FILE describes; on\n"
		"                  any error, remove what was made and name the line\n"
		"  show [NAME]     print the live tree as a graph (every scheduler, or NAME)\n"
		"  destroy NAME    remove scheduler NAME with its policy, filters, links\n"
		"                  and members (probes stay: other schedulers may use them)\n"
		"\n"
		"Options:\n"
		"  -c, --cfg           show: print a file that apply accepts\n"
		"  -n, --dry-run       apply: print the operations, change nothing\n"
		"  -r, --root DIR      the krg_scheduler directory\n"
		"                      (default " KRG_CFS_ROOT ")\n"
		"  -v, --verbose       print every operation\n"
		"  -h, --help          display this help\n"
		"  -V, --version       display version\n"
		"\n"
		"See krgsched(1).\n", PROG);
}

static int destroy(struct ctl *c, const char *name)
{
	char rel[512];

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		fprintf(stderr, PROG ": invalid scheduler name '%s'\n", name);
		return -1;
	}
	pathf(rel, sizeof(rel), "schedulers/%s", name);
	if (!cfs_is_dir(c, rel)) {
		fprintf(stderr, PROG ": no scheduler '%s'\n", name);
		return -1;
	}
	if (cfs_remove_tree(c, rel)) {
		fprintf(stderr, PROG ": cannot remove scheduler '%s': %s%s\n",
			name, strerror(errno),
			errno == EBUSY ? " (something outside it links to it)" : "");
		return -1;
	}
	if (c->verbose)
		printf("removed scheduler %s\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cfg", no_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "root", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl c = { .root = krg_cfs_root() };
	const char *cmd;
	int o, i, ret = 0;

	while ((o = getopt_long(argc, argv, "cnr:vhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			c.cfg = true;
			break;
		case 'n':
			c.dry_run = true;
			break;
		case 'r':
			c.root = optarg;
			break;
		case 'v':
			c.verbose = true;
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
	if (optind >= argc)
		krg_usage_error("no command given");
	cmd = argv[optind++];

	if (!strcmp(cmd, "apply")) {
		if (argc - optind != 1)
			krg_usage_error("apply takes one file");
		return krgsched_apply(&c, argv[optind]) ? 1 : 0;
	}
	if (!strcmp(cmd, "show")) {
		if (argc - optind > 1)
			krg_usage_error("show takes at most one scheduler name");
		return krgsched_show(&c, optind < argc ? argv[optind] : NULL,
				     stdout) ? 1 : 0;
	}
	if (!strcmp(cmd, "destroy")) {
		if (optind >= argc)
			krg_usage_error("destroy needs a scheduler name");
		if (cfs_check_root(&c))
			return 1;
		for (i = optind; i < argc; i++)
			if (destroy(&c, argv[i]))
				ret = 1;
		return ret;
	}
	krg_usage_error("unknown command '%s'", cmd);
}
