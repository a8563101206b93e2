// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - ask krg.ko to move a process to another node, or move its
 * threads with sched_setaffinity(2) (what migrate(1) does).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libkrg.h"

int krg_migrate(pid_t pid, int node, unsigned int flags)
{
	return krg_migrate_why(pid, node, flags, NULL, 0);
}

int krg_migrate_why(pid_t pid, int node, unsigned int flags, char *why,
		    size_t len)
{
	struct krg_migrate_req req;
	int fd, ret;

	if (pid <= 0 || node < 0 || node >= KRG_MAX_NODES ||
	    (flags & ~KRG_MIGRATE_ALL)) {
		errno = EINVAL;
		return -1;
	}
	fd = krg_open();
	if (fd < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.flags = flags;
	req.pid = pid;
	req.node = node;
	ret = ioctl(fd, KRG_IOC_MIGRATE, &req) < 0 ? -1 : 0;
	if (why && len)
		snprintf(why, len, "%.*s", (int)sizeof(req.reason) - 1, req.reason);
	return ret;
}

int krg_cpulist_parse(const char *s, cpu_set_t *set, size_t setsize)
{
	unsigned long a, b;
	char *end;

	CPU_ZERO_S(setsize, set);
	while (*s && *s != '\n') {
		errno = 0;
		a = strtoul(s, &end, 10);
		if (errno || end == s)
			goto err_inval;
		b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (errno || end == s || b < a)
				goto err_inval;
		}
		if (b >= 8 * setsize) {
			errno = ERANGE;
			return -1;
		}
		for (; a <= b; a++)
			CPU_SET_S(a, setsize, set);
		s = end;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			goto err_inval;
	}
	return 0;

err_inval:
	errno = EINVAL;
	return -1;
}

/* Grow @m's arrays to hold one more thread; 0 or -1 (errno). */
static int krg_move_grow(struct krg_move *m)
{
	cpu_set_t **old;
	pid_t *tids;

	if (m->nr < m->cap)
		return 0;
	m->cap = m->cap ? 2 * m->cap : 16;
	tids = realloc(m->tids, m->cap * sizeof(*tids));
	if (!tids)
		return -1;
	m->tids = tids;
	old = realloc(m->old, m->cap * sizeof(*old));
	if (!old)
		return -1;
	m->old = old;
	return 0;
}

static bool krg_move_has(const struct krg_move *m, pid_t tid)
{
	for (size_t i = 0; i < m->nr; i++)
		if (m->tids[i] == tid)
			return true;
	return false;
}

int krg_move_threads(struct krg_move *m, pid_t pid, const cpu_set_t *set,
		     size_t setsize, pid_t *failed)
{
	char path[64];
	struct dirent *d;
	cpu_set_t *old;
	DIR *dir;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		pid_t tid = atoi(d->d_name);

		if (tid <= 0)
			continue;
		old = NULL;
		if (!krg_move_has(m, tid)) {
			old = CPU_ALLOC(8 * setsize);
			if (!old || krg_move_grow(m) ||
			    sched_getaffinity(tid, setsize, old)) {
				free(old);
				if (errno == ESRCH)
					continue;
				ret = -1;
				break;
			}
		}
		if (sched_setaffinity(tid, setsize, set)) {
			int err = errno;

			free(old);
			if (err == ESRCH)
				continue;
			*failed = tid;
			errno = err;
			ret = -1;
			break;
		}
		if (old) {
			m->tids[m->nr] = tid;
			m->old[m->nr++] = old;
		}
	}
	closedir(dir);
	return ret;
}

void krg_move_undo(struct krg_move *m, size_t setsize)
{
	for (size_t i = 0; i < m->nr; i++)
		sched_setaffinity(m->tids[i], setsize, m->old[i]);
}

void krg_move_free(struct krg_move *m)
{
	for (size_t i = 0; i < m->nr; i++)
		CPU_FREE(m->old[i]);
	free(m->old);
	free(m->tids);
	memset(m, 0, sizeof(*m));
}
