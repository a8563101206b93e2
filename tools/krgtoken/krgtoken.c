// SPDX-License-Identifier: GPL-2.0
/*
 * krgtoken - the user-space side of the USB token keys (docs/krgtoken.1).
 *
 * usb_token_probe knows which node has its key plugged in; the count lives
 * in the file TOKENS on the key's FAT file system. This tool finds a node's
 * key (its serial or port from the probe's key_map, then the block device
 * under that USB device in sysfs), mounts it under /run/krgtoken/node<N>
 * when it is not mounted yet, reads or changes TOKENS (under flock, written
 * back with fsync) and feeds the count to the probe (set_tokens). It also
 * waits for a krgsched alert (a pollable sysfs attribute).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libkrg.h"

#define PROBE_REL	"/probes/usb_token_probe"
#define DEF_MOUNTS	"/run/krgtoken"
#define ALERT_DIR	"/sys/kernel/krg_alert"
#define USB_DEVICES	"/sys/bus/usb/devices"
#define TOKENS_FILE	"TOKENS"
#define TOKENS_MAX	(1ULL << 53)	/* the probe's limit */
#define ID_LEN		64

struct token_control {
	const char *probe;	/* the probe's configfs directory */
	const char *mounts;	/* where keys get mounted */
	int node;		/* -n, or -1 */
	double timeout;		/* wait -t, seconds; < 0: none */
	long long after;	/* wait -a, or -1 */
};

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;
	const char *p = program_invocation_short_name;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s [options] show\n", p);
	fprintf(out, " %s [options] sync [<node>...]\n", p);
	fprintf(out, " %s [options] consume [-n <node>] [<count>]\n", p);
	fprintf(out, " %s [options] refill <node> <count>\n", p);
	fprintf(out, " %s wait [-t <seconds>] [-a <count>] <alert>\n", p);
	fputs("\nRead and spend the tokens of the USB keys of usb_token_probe.\n",
	      out);
	fputs("\nCommands:\n", out);
	fputs(" show       each node's key: id, state, device, tokens on it\n", out);
	fputs(" sync       read every plugged key (or those of <node>s) and feed\n"
	      "            the count to the probe\n", out);
	fputs(" consume    take <count> tokens (default 1) from the key of\n"
	      "            <node> (default: the node this runs on)\n", out);
	fputs(" refill     write <count> on <node>'s key\n", out);
	fputs(" wait       wait until alert <alert> (a name under " ALERT_DIR
	      "\n            or a directory) fires; print what it says\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -p, --probe <dir>      the probe (default " KRG_CFS_ROOT PROBE_REL
	      ")\n", out);
	fputs(" -m, --mounts <dir>     where keys are mounted (default "
	      DEF_MOUNTS ")\n", out);
	fputs(" -n, --node <node>      consume: the node whose key pays\n", out);
	fputs(" -t, --timeout <sec>    wait: give up after <sec> seconds (exit 2)\n",
	      out);
	fputs(" -a, --after <count>    wait: until the alert count exceeds <count>\n"
	      "                        (default: its value when wait starts)\n", out);
	fputs(" -h, --help             display this help\n", out);
	fputs(" -V, --version          display version\n", out);
	fputs("\nFor more details see krgtoken(1).\n", out);
	exit(EXIT_SUCCESS);
}

/* --- the probe ------------------------------------------------------------ */

struct key {
	int node;
	char id[ID_LEN];	/* serial, or "port:<name>" */
	bool present;		/* as the probe sees it */
};

#define MAX_KEYS	32

/* The probe's key_map; returns the number of keys or -1. */
static int read_keys(const struct token_control *ctl, struct key *keys)
{
	char path[PATH_MAX], buf[8192], *line, *save = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/key_map", ctl->probe);
	if (krg_read_file(path, buf, sizeof(buf))) {
		warn("cannot read %s (is probes/usb_token_probe made?)", path);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line && n < MAX_KEYS;
	     line = strtok_r(NULL, "\n", &save)) {
		char state[16];

		if (sscanf(line, "%d %63s %15s", &keys[n].node, keys[n].id,
			   state) != 3)
			continue;
		keys[n].present = !strcmp(state, "present");
		n++;
	}
	return n;
}

static struct key *key_of(struct key *keys, int nr, int node)
{
	for (int i = 0; i < nr; i++)
		if (keys[i].node == node)
			return &keys[i];
	return NULL;
}

static int feed(const struct token_control *ctl, int node,
		unsigned long long count)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "%s/set_tokens", ctl->probe);
	snprintf(buf, sizeof(buf), "%d %llu", node, count);
	if (krg_write_file(path, buf)) {
		warn("node %d: cannot feed the count to the probe (%s)", node,
		     path);
		return -1;
	}
	return 0;
}

/* --- finding and mounting a key -------------------------------------------- */

/* The USB device directory (under USB_DEVICES) of @id into @dir. */
static int usb_dir_of(const struct token_control *ctl, const char *id,
		      char *dir, size_t len)
{
	char path[PATH_MAX], want[32], vid[8], pid[8], serial[ID_LEN];
	struct dirent *e;
	DIR *d;

	if (!strncmp(id, "port:", 5)) {
		snprintf(dir, len, USB_DEVICES "/%s", id + 5);
		return access(dir, F_OK);
	}
	snprintf(path, sizeof(path), "%s/key_id", ctl->probe);
	if (krg_read_file(path, want, sizeof(want)) || !*want)
		return -1;
	d = opendir(USB_DEVICES);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strchr(e->d_name, ':'))
			continue;
		snprintf(path, sizeof(path), USB_DEVICES "/%s/serial",
			 e->d_name);
		/* A longer serial is its first ID_LEN - 1, as for the probe. */
		if ((krg_read_file(path, serial, sizeof(serial)) &&
		     errno != ERANGE) || strcmp(serial, id))
			continue;
		snprintf(path, sizeof(path), USB_DEVICES "/%s/idVendor",
			 e->d_name);
		if (krg_read_file(path, vid, sizeof(vid)))
			continue;
		snprintf(path, sizeof(path), USB_DEVICES "/%s/idProduct",
			 e->d_name);
		if (krg_read_file(path, pid, sizeof(pid)))
			continue;
		snprintf(path, sizeof(path), "%s:%s", vid, pid);
		if (strcasecmp(path, want))
			continue;
		snprintf(dir, len, USB_DEVICES "/%s", e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	errno = ENOENT;
	return -1;
}

/*
 * The block device (its /dev name) of the disk under USB device @usbdir:
 * the first partition when the disk has some, else the whole disk.
 */
static int blockdev_of(const char *usbdir, char *dev, size_t len)
{
	char real_usb[PATH_MAX], real[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *e;
	size_t n;
	DIR *d;

	if (!realpath(usbdir, real_usb))
		return -1;
	n = strlen(real_usb);
	d = opendir("/sys/block");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s", e->d_name);
		if (!realpath(path, real) || strncmp(real, real_usb, n) ||
		    real[n] != '/')
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/%s1", e->d_name,
			 e->d_name);
		if (access(path, F_OK) == 0)
			snprintf(dev, len, "/dev/%s1", e->d_name);
		else
			snprintf(dev, len, "/dev/%s", e->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	errno = ENODEV;
	return -1;
}

/* Where @dev is mounted, from /proc/mounts; 0 if found. */
static int mounted_at(const char *dev, char *dir, size_t len)
{
	char line[1024], src[512], mnt[512];
	FILE *f = fopen("/proc/mounts", "re");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%511s %511s", src, mnt) == 2 &&
		    !strcmp(src, dev)) {
			snprintf(dir, len, "%s", mnt);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/* Mount @key's file system if needed; its mount point into @dir. */
static int key_mount(const struct token_control *ctl, const struct key *key,
		     char *dir, size_t len)
{
	char usb[PATH_MAX], dev[PATH_MAX];

	if (!key->present) {
		warnx("node %d: its key %s is not plugged in", key->node,
		      key->id);
		return -1;
	}
	if (usb_dir_of(ctl, key->id, usb, sizeof(usb))) {
		warnx("node %d: no USB device %s", key->node, key->id);
		return -1;
	}
	if (blockdev_of(usb, dev, sizeof(dev))) {
		warnx("node %d: key %s has no disk (yet?)", key->node, key->id);
		return -1;
	}
	if (!mounted_at(dev, dir, len))
		return 0;
	snprintf(dir, len, "%s/node%d", ctl->mounts, key->node);
	if (mkdir(ctl->mounts, 0755) && errno != EEXIST) {
		warn("cannot make %s", ctl->mounts);
		return -1;
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		warn("cannot make %s", dir);
		return -1;
	}
	/* A key pulled out while mounted leaves a dead mount here. */
	umount2(dir, MNT_DETACH);
	if (mount(dev, dir, "vfat", MS_NOSUID | MS_NODEV | MS_NOEXEC, "")) {
		warn("node %d: cannot mount %s on %s", key->node, dev, dir);
		return -1;
	}
	return 0;
}

/* Parse TOKENS content: a decimal count, blanks around allowed; or -1. */
static long long parse_tokens(const char *buf)
{
	char copy[64], *e;
	long long v;

	snprintf(copy, sizeof(copy), "%s", buf);
	e = copy + strlen(copy);
	while (e > copy && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return krg_parse_num(copy, 0, TOKENS_MAX, &v) ? -1 : v;
}

/*
 * Open @key's TOKENS, locked; read the count. Returns the descriptor or -1.
 */
static int tokens_open(const struct token_control *ctl, const struct key *key,
		       long long *count)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], buf[64];
	ssize_t n;
	int fd;

	if (key_mount(ctl, key, dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/" TOKENS_FILE, dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		warn("node %d: cannot open %s", key->node, path);
		return -1;
	}
	if (flock(fd, LOCK_EX)) {
		warn("node %d: cannot lock %s", key->node, path);
		close(fd);
		return -1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		warn("node %d: cannot read %s", key->node, path);
		close(fd);
		return -1;
	}
	buf[n] = '\0';
	*count = parse_tokens(buf);
	if (*count < 0) {
		warnx("node %d: %s does not hold a token count", key->node,
		      path);
		close(fd);
		return -1;
	}
	return fd;
}

static int tokens_write(int fd, const struct key *key, long long count)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld\n", count);

	if (pwrite(fd, buf, n, 0) != n || ftruncate(fd, n) || fsync(fd)) {
		warn("node %d: cannot write the count on its key", key->node);
		return -1;
	}
	return 0;
}

/* --- commands ------------------------------------------------------------- */

static int cmd_show(const struct token_control *ctl)
{
	struct key keys[MAX_KEYS];
	char usb[PATH_MAX], dev[PATH_MAX], path[PATH_MAX + 32], v[64];
	int nr = read_keys(ctl, keys);

	if (nr < 0)
		return EXIT_FAILURE;
	printf("%-5s %-20s %-8s %-10s %s\n", "NODE", "KEY", "STATE", "DEVICE",
	       "TOKENS(probe)");
	for (int i = 0; i < nr; i++) {
		strcpy(dev, "-");
		if (keys[i].present &&
		    !usb_dir_of(ctl, keys[i].id, usb, sizeof(usb)))
			blockdev_of(usb, dev, sizeof(dev));
		snprintf(path, sizeof(path), "%s/tokens/nodes/%d/value",
			 ctl->probe, keys[i].node);
		if (krg_read_file(path, v, sizeof(v)))
			strcpy(v, "?");
		printf("%-5d %-20s %-8s %-10s %s\n", keys[i].node, keys[i].id,
		       keys[i].present ? "present" : "absent", dev, v);
	}
	return EXIT_SUCCESS;
}

static int sync_one(const struct token_control *ctl, const struct key *key)
{
	long long count;
	int fd, ret;

	fd = tokens_open(ctl, key, &count);
	if (fd < 0)
		return -1;
	ret = feed(ctl, key->node, count);
	close(fd);
	if (!ret)
		printf("node %d: %lld tokens\n", key->node, count);
	return ret;
}

static int cmd_sync(const struct token_control *ctl, int argc, char **argv)
{
	struct key keys[MAX_KEYS], *key;
	int nr = read_keys(ctl, keys), rc = EXIT_SUCCESS;

	if (nr < 0)
		return EXIT_FAILURE;
	if (!argc) {
		for (int i = 0; i < nr; i++)
			if (keys[i].present && sync_one(ctl, &keys[i]))
				rc = EXIT_FAILURE;
		return rc;
	}
	for (int i = 0; i < argc; i++) {
		long long node = krg_parse_arg(argv[i], "node", 0,
					       KRG_MAX_NODES - 1);

		key = key_of(keys, nr, node);
		if (!key) {
			warnx("node %lld has no key in the probe's key_map",
			      node);
			rc = EXIT_FAILURE;
		} else if (sync_one(ctl, key)) {
			rc = EXIT_FAILURE;
		}
	}
	return rc;
}

static int cmd_consume(const struct token_control *ctl, int argc, char **argv)
{
	struct key keys[MAX_KEYS], *key;
	long long want = 1, have;
	int node = ctl->node, nr, fd, ret;

	if (argc > 1)
		krg_usage_error("consume takes one <count>");
	if (argc == 1)
		want = krg_parse_arg(argv[0], "count", 0, TOKENS_MAX);
	if (node < 0) {
		node = krg_local_node();
		if (node < 0) {
			warnx("cannot tell which node this runs on (is krg.ko loaded?)");
			return EXIT_FAILURE;
		}
	}
	nr = read_keys(ctl, keys);
	if (nr < 0)
		return EXIT_FAILURE;
	key = key_of(keys, nr, node);
	if (!key) {
		warnx("node %d has no key in the probe's key_map", node);
		return EXIT_FAILURE;
	}
	fd = tokens_open(ctl, key, &have);
	if (fd < 0)
		return EXIT_FAILURE;
	if (have < want) {
		warnx("node %d: its key has %lld tokens, %lld wanted", node,
		      have, want);
		close(fd);
		return EXIT_FAILURE;
	}
	/* Fed under the lock: the probe sees the counts in order. */
	ret = tokens_write(fd, key, have - want) ||
	      feed(ctl, node, have - want);
	close(fd);
	if (ret)
		return EXIT_FAILURE;
	printf("node %d: %lld tokens left\n", node, have - want);
	return EXIT_SUCCESS;
}

static int cmd_refill(const struct token_control *ctl, int argc, char **argv)
{
	struct key keys[MAX_KEYS], *key;
	long long node, count, old;
	int nr, fd, ret;

	if (argc != 2)
		krg_usage_error("refill takes <node> <count>");
	node = krg_parse_arg(argv[0], "node", 0, KRG_MAX_NODES - 1);
	count = krg_parse_arg(argv[1], "count", 0, TOKENS_MAX);
	nr = read_keys(ctl, keys);
	if (nr < 0)
		return EXIT_FAILURE;
	key = key_of(keys, nr, node);
	if (!key) {
		warnx("node %lld has no key in the probe's key_map", node);
		return EXIT_FAILURE;
	}
	fd = tokens_open(ctl, key, &old);
	if (fd < 0)
		return EXIT_FAILURE;
	ret = tokens_write(fd, key, count) || feed(ctl, node, count);
	close(fd);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static long long read_count(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_wait(const struct token_control *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], last[512];
	double end = ctl->timeout >= 0 ? now_s() + ctl->timeout : 0;
	long long after = ctl->after, v;
	struct pollfd pfd;

	if (argc != 1)
		krg_usage_error("wait takes one <alert>");
	if (strchr(argv[0], '/'))
		snprintf(dir, sizeof(dir), "%s", argv[0]);
	else
		snprintf(dir, sizeof(dir), ALERT_DIR "/%s", argv[0]);
	snprintf(path, sizeof(path), "%s/alerts", dir);
	pfd.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0) {
		warn("cannot open alert %s", path);
		return EXIT_FAILURE;
	}
	pfd.events = POLLPRI | POLLERR;
	/* sysfs: poll reports a change after a read of the attribute. */
	v = read_count(pfd.fd);
	if (v < 0) {
		warnx("%s: not an alert count", path);
		close(pfd.fd);
		return EXIT_FAILURE;
	}
	if (after < 0)
		after = v;
	while (v <= after) {
		int ms = -1;

		if (ctl->timeout >= 0) {
			double left = end - now_s();

			if (left <= 0) {
				close(pfd.fd);
				warnx("alert %s: nothing after %g s", dir,
				      ctl->timeout);
				return 2;
			}
			ms = (int)(left * 1000) + 1;
		}
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
			warn("poll %s", path);
			close(pfd.fd);
			return EXIT_FAILURE;
		}
		v = read_count(pfd.fd);
		if (v < 0) {
			warnx("alert %s is gone", dir);
			close(pfd.fd);
			return EXIT_FAILURE;
		}
	}
	close(pfd.fd);
	snprintf(path, sizeof(path), "%s/last", dir);
	if (krg_read_file(path, last, sizeof(last)))
		snprintf(last, sizeof(last), "alert count %lld", v);
	printf("%s\n", last);
	return EXIT_SUCCESS;
}

static const struct option token_opts[] = {
	{ "probe", required_argument, NULL, 'p' },
	{ "mounts", required_argument, NULL, 'm' },
	{ "node", required_argument, NULL, 'n' },
	{ "timeout", required_argument, NULL, 't' },
	{ "after", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Options up to the first non-option (the command, then its arguments). */
static void parse_opts(struct token_control *ctl, int argc, char **argv)
{
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "+p:m:n:t:a:hV", token_opts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			ctl->probe = optarg;
			break;
		case 'm':
			ctl->mounts = optarg;
			break;
		case 'n':
			ctl->node = krg_parse_arg(optarg, "node", 0,
						  KRG_MAX_NODES - 1);
			break;
		case 't':
			errno = 0;
			ctl->timeout = strtod(optarg, &end);
			if (errno || end == optarg || *end || ctl->timeout < 0)
				krg_usage_error("invalid timeout argument '%s'",
					    optarg);
			break;
		case 'a':
			ctl->after = krg_parse_arg(optarg, "count", 0, LLONG_MAX);
			break;
		case 'h':
			usage();
		case 'V':
			exit(krg_print_version());
		default:
			krg_usage_error(NULL);
		}
	}
}

int main(int argc, char **argv)
{
	struct token_control ctl = {
		.mounts = DEF_MOUNTS, .node = -1, .timeout = -1, .after = -1,
	};
	char probe[PATH_MAX];
	const char *cmd;

	snprintf(probe, sizeof(probe), "%s" PROBE_REL, krg_cfs_root());
	ctl.probe = probe;

	parse_opts(&ctl, argc, argv);
	if (optind >= argc)
		krg_usage_error("no command");
	cmd = argv[optind];
	/* Options may also follow the command ("consume -n 1 3"). */
	argc -= optind;
	argv += optind;
	optind = 1;
	parse_opts(&ctl, argc, argv);
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "show")) {
		if (argc)
			krg_usage_error("show takes no argument");
		return cmd_show(&ctl);
	}
	if (!strcmp(cmd, "sync"))
		return cmd_sync(&ctl, argc, argv);
	if (!strcmp(cmd, "consume"))
		return cmd_consume(&ctl, argc, argv);
	if (!strcmp(cmd, "refill"))
		return cmd_refill(&ctl, argc, argv);
	if (!strcmp(cmd, "wait"))
		return cmd_wait(&ctl, argc, argv);
	krg_usage_error("unknown command '%s'", cmd);
}
