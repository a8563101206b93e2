// SPDX-License-Identifier: GPL-2.0
/*
 * Pids as the front's callers typed them. On one machine configfs reads
 * a number written into single_processes/, process_groups/ or
 * process_sessions/ (or a probe's `pid`) in the pid namespace of the
 * writer; through the front krgd does the mkdir, in its own namespace.
 * So a number from a caller of another pid namespace (a container) is
 * translated first, from /proc/<pid>/status's NSpid, NSpgid and NSsid
 * (the ids of a process in each namespace from krgd's down to its own):
 * never to another process that has the same number here.
 *
 * A process is found when it is in the caller's namespace itself (same
 * /proc/<pid>/ns/pid); processes of namespaces nested in the caller's
 * are not looked at (ESRCH), nor groups and sessions without a member
 * there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "krgd.h"

#define NS_LEVELS	33	/* the kernel nests pid namespaces 32 deep */

/* The ids on /proc/@pid/status's line @key: how many (0: none). */
static int ns_ids(pid_t pid, const char *key, long *ids)
{
	char path[64], line[512];
	size_t kl = strlen(key);
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + kl, *e;

		if (strncmp(line, key, kl) || line[kl] != ':')
			continue;
		s++;
		while (n < NS_LEVELS) {
			long v = strtol(s, &e, 10);

			if (e == s)
				break;
			ids[n++] = v;
			s = e;
		}
		break;
	}
	fclose(f);
	return n;
}

static int ns_of(pid_t pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, st);
}

int pidns_translate(pid_t caller, enum pidns_kind kind, long nr, long *out)
{
	static const char *const keys[] = {
		[PIDNS_PID] = "NSpid", [PIDNS_PGID] = "NSpgid",
		[PIDNS_SID] = "NSsid",
	};
	struct stat mine, theirs, st;
	long ids[NS_LEVELS], cids[NS_LEVELS];
	struct dirent *de;
	int depth, found = 0;
	DIR *d;

	if (ns_of(getpid(), &mine) || ns_of(caller, &theirs))
		return -ESRCH;	/* the caller is gone */
	if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) {
		*out = nr;
		return 0;
	}
	depth = ns_ids(caller, "NSpid", cids) - 1;
	if (depth < 1)
		return -ESRCH;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		pid_t p = (pid_t)atoi(de->d_name);

		if (p <= 0 || ns_ids(p, keys[kind], ids) != depth + 1 ||
		    ids[depth] != nr || ns_of(p, &st) ||
		    st.st_ino != theirs.st_ino || st.st_dev != theirs.st_dev)
			continue;
		*out = ids[0];
		found = 1;
	}
	closedir(d);
	return found ? 0 : -ESRCH;
}
