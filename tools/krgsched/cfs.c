// SPDX-License-Identifier: GPL-2.0
/*
 * krgsched: configfs operations. Every directory or link apply creates is
 * logged so that a failed apply can remove exactly what it made, in reverse.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krgsched.h"
#include "libkrg.h"

struct undo {
	enum cfs_op op;
	char path[PATH_MAX];
};

static struct undo *undo_log;
static size_t undo_len, undo_cap;

int cfs_path(const struct ctl *c, char *buf, size_t len, const char *rel)
{
	int n;

	if (rel[0] == '/')
		n = snprintf(buf, len, "%s", rel);
	else
		n = snprintf(buf, len, "%s/%s", c->root, rel);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* snprintf for paths: -1 with ENAMETOOLONG (and an empty @buf) if cut. */
int pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int undo_push(enum cfs_op op, const char *path)
{
	struct undo *n;

	if (undo_len == undo_cap) {
		undo_cap = undo_cap ? 2 * undo_cap : 32;
		n = realloc(undo_log, undo_cap * sizeof(*n));
		if (!n)
			return -1;
		undo_log = n;
	}
	undo_log[undo_len].op = op;
	snprintf(undo_log[undo_len].path, PATH_MAX, "%s", path);
	undo_len++;
	return 0;
}

int cfs_mkdir(struct ctl *c, const char *rel, bool *created)
{
	char p[PATH_MAX];

	if (created)
		*created = false;
	if (cfs_path(c, p, sizeof(p), rel))
		return -1;
	if (c->verbose || c->dry_run)
		printf("mkdir %s\n", p);
	if (c->dry_run)
		return 0;
	if (mkdir(p, 0755)) {
		if (errno == EEXIST && created)
			return 0;
		return -1;
	}
	if (created)
		*created = true;
	return undo_push(CFS_MKDIR, p);
}

int cfs_link(struct ctl *c, const char *target_rel, const char *link_rel)
{
	char t[PATH_MAX], l[PATH_MAX];

	if (cfs_path(c, t, sizeof(t), target_rel) ||
	    cfs_path(c, l, sizeof(l), link_rel))
		return -1;
	if (c->verbose || c->dry_run)
		printf("ln -s %s %s\n", t, l);
	if (c->dry_run)
		return 0;
	if (symlink(t, l)) {
		char rt[PATH_MAX], rl[PATH_MAX];
		int err = errno;

		/* Already linked to the same target (a reused probe): done. */
		if (err == EEXIST && realpath(t, rt) && realpath(l, rl) &&
		    !strcmp(rt, rl))
			return 0;
		errno = err;
		return -1;
	}
	return undo_push(CFS_LINK, l);
}

int cfs_write(struct ctl *c, const char *rel, const char *value)
{
	char p[PATH_MAX];

	if (cfs_path(c, p, sizeof(p), rel))
		return -1;
	if (c->verbose || c->dry_run)
		printf("echo %s > %s\n", value, p);
	if (c->dry_run)
		return 0;
	return krg_write_file(p, value);
}

bool cfs_is_dir(const struct ctl *c, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	return !cfs_path(c, p, sizeof(p), rel) && !lstat(p, &st) &&
	       S_ISDIR(st.st_mode);
}

bool cfs_is_file(const struct ctl *c, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	return !cfs_path(c, p, sizeof(p), rel) && !lstat(p, &st) &&
	       S_ISREG(st.st_mode);
}

/* Remove what this run created, newest first. */
void cfs_undo(struct ctl *c)
{
	while (undo_len) {
		struct undo *u = &undo_log[--undo_len];

		if (c->verbose)
			printf("undo: remove %s\n", u->path);
		if ((u->op == CFS_LINK ? unlink(u->path) : rmdir(u->path)) &&
		    errno != ENOENT)
			fprintf(stderr, "krgsched: cannot remove %s while undoing: %s\n",
				u->path, strerror(errno));
	}
}

void cfs_commit(void)
{
	free(undo_log);
	undo_log = NULL;
	undo_len = undo_cap = 0;
}

/* Unlink every symlink below @p (links can cross subtrees: they go first). */
static int unlink_links(const char *p)
{
	char sub[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int ret = 0;

	dir = opendir(p);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		pathf(sub, sizeof(sub), "%s/%s", p, d->d_name);
		if (lstat(sub, &st))
			continue;
		if (S_ISLNK(st.st_mode) && unlink(sub))
			ret = -1;
		else if (S_ISDIR(st.st_mode) && unlink_links(sub))
			ret = -1;
	}
	closedir(dir);
	return ret;
}

/* rmdir @p after its subdirectories; default groups (EPERM) stay. */
static int remove_dirs(const char *p, bool top)
{
	char sub[PATH_MAX];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int ret = 0;

	dir = opendir(p);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		pathf(sub, sizeof(sub), "%s/%s", p, d->d_name);
		if (!lstat(sub, &st) && S_ISDIR(st.st_mode) &&
		    remove_dirs(sub, false))
			ret = -1;
	}
	closedir(dir);
	if (rmdir(p)) {
		if (!top && errno == EPERM)
			return ret;	/* a default group: goes with its parent */
		return -1;
	}
	return ret;
}

/*
 * Remove the configfs directory @rel and everything a user made in it:
 * every link first, then the directories, deepest first.
 */
int cfs_remove_tree(const struct ctl *c, const char *rel)
{
	char p[PATH_MAX];

	if (cfs_path(c, p, sizeof(p), rel))
		return -1;
	if (unlink_links(p))
		return -1;
	return remove_dirs(p, true);
}

int cfs_check_root(const struct ctl *c)
{
	char p[PATH_MAX];

	if (cfs_path(c, p, sizeof(p), "schedulers"))
		return -1;
	if (access(p, F_OK)) {
		fprintf(stderr, "krgsched: %s not found: is krg_scheduler.ko loaded and configfs mounted?\n",
			c->root);
		return -1;
	}
	return 0;
}
