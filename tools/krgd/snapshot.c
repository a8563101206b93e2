// SPDX-License-Identifier: GPL-2.0
/*
 * The replicated part of this node's krg_scheduler tree as a canonical
 * list (a snapshot): what tree.c hashes, sends to a new or diverged node,
 * and makes this node's tree equal to (docs/cluster.md, "The replicated
 * tree").
 *
 * The snapshot walks the subsystem's directory in the private configfs
 * mount in pre-order, names sorted byte-wise, and lists:
 *   D path          every directory (default groups too: making one that
 *                   exists is skipped),
 *   L path target   every link, its target relative to the subsystem
 *                   (absolute if it points outside it),
 *   A path value    every attribute that is configuration: a regular file
 *                   its owner may read and write (krgsched show's rule).
 * Paths are relative to the subsystem ("probes/mosix_probe"). What is
 * this node's own and never replicated (snapshot_is_local()) is left out:
 * process-set members named by pid, process group or session (they name
 * processes of this machine), a probe's `pid` selection, and `node_set`
 * of a scheduler whose `node_set_max_fit` is 1 (it follows this node's
 * view of the membership, which may lag the others' for a moment).
 *
 * Its text form, one entry a line, `K<TAB>path<TAB>data<NL>`, with `\`,
 * TAB and NL in paths and data written `\\`, `\t` and `\n`, is what is
 * hashed (FNV-1a 64) and sent. Only tree.c's thread calls these.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "krgd.h"

#define SNAP_VALUE_MAX	4096	/* an ordinary configfs attribute: a page */

struct snap_entry {
	char kind;		/* 'D', 'L' or 'A' */
	char *path;
	char *data;		/* L: target, A: value, D: "" */
};

struct snapshot {
	struct snap_entry *e;
	size_t n, cap;
};

static const char *const member_dirs[] = {
	"single_processes", "process_groups", "process_sessions",
};

/*
 * Is @rel (relative to the subsystem) this node's own: never replicated,
 * never in a snapshot? @rel names a directory or file being made, removed
 * or written. Members by pid, process group or session name processes of
 * this machine; a probe's `pid` is one selection of this machine's
 * processes. Write-only attributes (events of this machine: a user's
 * presence, USB tokens) are told apart by their mode in front.c.
 */
int snapshot_is_local(const char *rel)
{
	const char *p, *q;

	if (!strncmp(rel, "probes/", 7)) {
		p = strchr(rel + 7, '/');
		return p && !strcmp(p, "/pid");
	}
	if (strncmp(rel, "schedulers/", 11))
		return 0;
	p = strstr(rel, "/process_set/");
	if (!p)
		return 0;
	p += strlen("/process_set/");
	for (size_t i = 0; i < sizeof(member_dirs) / sizeof(member_dirs[0]); i++) {
		size_t l = strlen(member_dirs[i]);

		q = p + l;
		if (!strncmp(p, member_dirs[i], l) && *q == '/' && q[1])
			return 1;
	}
	return 0;
}

/*
 * Is @rel a path inside the subsystem: not empty, relative, without empty,
 * "." or ".." components? What comes from another node (a record's path, a
 * snapshot's paths and relative link targets) must be, before it is joined
 * to the private mount's root: a peer's bug never reaches outside it.
 */
int snapshot_path_ok(const char *rel)
{
	const char *c = rel;

	if (!*rel || *rel == '/')
		return 0;
	while (*c) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/' && !*++c)
			return 0;	/* a trailing slash */
	}
	return 1;
}

static int snap_add(struct snapshot *s, char kind, const char *path,
		    const char *data)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct snap_entry *e = realloc(s->e, cap * sizeof(*e));

		if (!e)
			return -1;
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n].kind = kind;
	s->e[s->n].path = strdup(path);
	s->e[s->n].data = strdup(data);
	if (!s->e[s->n].path || !s->e[s->n].data) {
		free(s->e[s->n].path);
		free(s->e[s->n].data);
		return -1;
	}
	s->n++;
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].path);
		free(s->e[i].data);
	}
	free(s->e);
	free(s);
}

/* @a/@b into @out: 0, or -1 if it does not fit (the entry is skipped). */
static int join(char *out, size_t n, const char *a, const char *b)
{
	int r = snprintf(out, n, "%s%s%s", a, *a && *b ? "/" : "", b);

	return r < 0 || (size_t)r >= n ? -1 : 0;
}

static int byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Read attribute @path whole (up to a page): 0 or -1. */
static int read_value(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Does scheduler directory @dir follow the membership (max_fit 1)? */
static int max_fit(const char *dir)
{
	char path[PATH_MAX], v[16];

	if (join(path, sizeof(path), dir, "node_set_max_fit") ||
	    read_value(path, v, sizeof(v)))
		return 0;
	return v[0] == '1';
}

static int walk(struct snapshot *s, const char *root, const char *rel)
{
	char dir[PATH_MAX], path[PATH_MAX], sub[PATH_MAX], buf[SNAP_VALUE_MAX];
	size_t rl = strlen(root);
	struct dirent **l;
	int n, ret = 0, fit;

	if (join(dir, sizeof(dir), root, rel))
		return 0;
	n = scandir(dir, &l, NULL, byname);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;	/* gone meanwhile */
	fit = !strncmp(rel, "schedulers/", 11) && !strchr(rel + 11, '/') &&
	      max_fit(dir);
	for (int i = 0; i < n; i++) {
		const char *name = l[i]->d_name;
		struct stat st;
		ssize_t len;

		if (ret || name[0] == '.')
			continue;
		if (join(sub, sizeof(sub), rel, name) ||
		    join(path, sizeof(path), dir, name) ||
		    snapshot_is_local(sub) || lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			ret = snap_add(s, 'D', sub, "") ?: walk(s, root, sub);
		} else if (S_ISLNK(st.st_mode)) {
			char real[PATH_MAX];

			len = readlink(path, buf, sizeof(buf) - 1);
			if (len < 0)
				continue;
			buf[len] = '\0';
			/* configfs links are relative; make them root-based */
			if (!realpath(path, real))
				continue;
			if (!strncmp(real, root, rl) && real[rl] == '/')
				ret = snap_add(s, 'L', sub, real + rl + 1);
			else
				ret = snap_add(s, 'L', sub, real);
		} else if (S_ISREG(st.st_mode) && (st.st_mode & 0600) == 0600) {
			if (fit && !strcmp(name, "node_set"))
				continue;
			if (read_value(path, buf, sizeof(buf)))
				continue;
			ret = snap_add(s, 'A', sub, buf);
		}
	}
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
	return ret;
}

/* The snapshot of the subsystem at @root, or NULL (errno). */
struct snapshot *snapshot_take(const char *root)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (walk(s, root, "")) {
		snapshot_free(s);
		return NULL;
	}
	return s;
}

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* The text form (malloc'd, *@len bytes, not NUL-terminated), or NULL. */
char *snapshot_text(const struct snapshot *s, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		fputc(s->e[i].kind, f);
		fputc('\t', f);
		put_escaped(f, s->e[i].path);
		fputc('\t', f);
		put_escaped(f, s->e[i].data);
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

uint64_t snapshot_hash(const char *text, size_t len)
{
	return krgd_fnv(KRGD_FNV_INIT, text, len);
}

/* Undo put_escaped() from @s up to @end into a new string. */
static char *unescape(const char *s, const char *end)
{
	char *out = malloc((size_t)(end - s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end) {
			s++;
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/*
 * A snapshot from its text form, or NULL (EINVAL: not one, or a path that
 * is not inside the subsystem: snapshot_path_ok()).
 */
struct snapshot *snapshot_parse(const char *text, size_t len)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	const char *p = text, *end = text + len;

	if (!s)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *t1, *t2;
		char *path, *data;
		int r;

		t1 = nl ? memchr(p, '\t', (size_t)(nl - p)) : NULL;
		t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1)) : NULL;
		if (!t2 || t1 != p + 1 || !strchr("DLA", *p)) {
			snapshot_free(s);
			errno = EINVAL;
			return NULL;
		}
		path = unescape(t1 + 1, t2);
		data = unescape(t2 + 1, nl);
		r = !path || !data;
		if (!r && (!snapshot_path_ok(path) ||
			   (*p == 'L' && data[0] != '/' && !snapshot_path_ok(data)) ||
			   (*p == 'D' && data[0]))) {
			errno = EINVAL;
			r = 1;
		}
		r = r || snap_add(s, *p, path, data);
		free(path);
		free(data);
		if (r) {
			snapshot_free(s);
			return NULL;
		}
		p = nl + 1;
	}
	return s;
}

static const struct snap_entry *find(const struct snapshot *s, char kind,
				     const char *path)
{
	/* pre-order lists are short (hundreds): a linear search will do */
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].kind == kind && !strcmp(s->e[i].path, path))
			return &s->e[i];
	return NULL;
}

static int note_failure(char *log, size_t loglen, size_t *used,
			const char *what, const char *path)
{
	int e = errno;

	say(LOG_ERR, "tree: cannot %s %s here: %s", what, path, strerror(e));
	if (*used < loglen)
		*used += snprintf(log + *used, loglen - *used, "%s%s %s: %s",
				  *used ? "; " : "", what, path, strerror(e));
	if (*used >= loglen && loglen)
		*used = loglen - 1;
	return 1;
}

/*
 * Make the tree at @root what @want lists, changing only what differs:
 * links and directories it lacks are removed (links first, directories
 * deepest first), then what is missing is made (directories in pre-order,
 * then links, then attributes whose value differs). Best effort: what
 * fails is logged, described in @log, and counted. Returns the number of
 * failures.
 */
/*
 * Is @path under one of the @n directories of @want whose indexes are in
 * @failed (they could not be made): then it is not tried, nor counted.
 */
static int under_failed(const struct snapshot *want, const size_t *failed,
			size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		const char *d = want->e[failed[i]].path;
		size_t len = strlen(d);

		if (!strncmp(path, d, len) && path[len] == '/')
			return 1;
	}
	return 0;
}

int snapshot_restore(const char *root, const struct snapshot *want,
		     char *log, size_t loglen)
{
	struct snapshot *have = snapshot_take(root);
	char path[PATH_MAX], target[PATH_MAX], cur[SNAP_VALUE_MAX];
	size_t used = 0, nfailed = 0, *failed;
	int fail = 0;

	if (loglen)
		log[0] = '\0';
	/* the directories that could not be made, indexes in @want */
	failed = calloc(want->n ? want->n : 1, sizeof(*failed));
	if (!have || !failed) {
		note_failure(log, loglen, &used, "read", root);
		snapshot_free(have);
		free(failed);
		return 1;
	}
	for (size_t i = 0; i < have->n; i++) {
		const struct snap_entry *e = &have->e[i], *w;

		if (e->kind != 'L')
			continue;
		w = find(want, 'L', e->path);
		if (w && !strcmp(w->data, e->data))
			continue;
		if (join(path, sizeof(path), root, e->path))
			continue;
		if (unlink(path) && errno != ENOENT)
			fail += note_failure(log, loglen, &used, "remove link", e->path);
	}
	for (size_t i = have->n; i-- > 0;) {
		const struct snap_entry *e = &have->e[i];

		if (e->kind != 'D' || find(want, 'D', e->path))
			continue;
		if (join(path, sizeof(path), root, e->path))
			continue;
		/* a default group goes with its parent: ENOENT, or EPERM first */
		if (rmdir(path) && errno != ENOENT) {
			if (errno == EPERM && strchr(e->path, '/'))
				continue;
			fail += note_failure(log, loglen, &used, "rmdir", e->path);
		}
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct snap_entry *e = &want->e[i];

		if (e->kind != 'D' || under_failed(want, failed, nfailed, e->path))
			continue;
		if (join(path, sizeof(path), root, e->path))
			continue;
		if (mkdir(path, 0755) && errno != EEXIST) {
			fail += note_failure(log, loglen, &used, "mkdir", e->path);
			failed[nfailed++] = i;
		}
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct snap_entry *e = &want->e[i], *h;

		if (e->kind != 'L' || under_failed(want, failed, nfailed, e->path))
			continue;
		h = find(have, 'L', e->path);
		if (h && !strcmp(h->data, e->data))
			continue;
		if (join(path, sizeof(path), root, e->path) ||
		    join(target, sizeof(target), e->data[0] == '/' ? "" : root,
			 e->data))
			continue;
		if (symlink(target, path))
			fail += note_failure(log, loglen, &used, "link", e->path);
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct snap_entry *e = &want->e[i];
		size_t len = strlen(e->data);
		ssize_t n;
		int fd;

		if (e->kind != 'A' || under_failed(want, failed, nfailed, e->path))
			continue;
		if (join(path, sizeof(path), root, e->path))
			continue;
		if (!read_value(path, cur, sizeof(cur)) && !strcmp(cur, e->data))
			continue;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : write(fd, e->data, len);
		if (n != (ssize_t)len)
			fail += note_failure(log, loglen, &used, "write", e->path);
		if (fd >= 0)
			close(fd);
	}
	snapshot_free(have);
	free(failed);
	return fail;
}
