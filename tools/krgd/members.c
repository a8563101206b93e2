// SPDX-License-Identifier: GPL-2.0
/*
 * Process-set members by pid, process group or session, cluster-wide
 * (docs/cluster.md, "Members by pid").
 *
 * Such a member names a process of one machine, so it lives in that
 * machine's kernel only (single_processes/<pid> holds a reference on the
 * struct pid there) and is never a record of the replicated tree. Each
 * node is the authority on its own: tree.c announces this node's list
 * (members_local_text()) in krg_tree after every state exchange and
 * after every change of it, and keeps the other nodes' lists here
 * (members_set()); a node that leaves takes its list with it
 * (members_keep()).
 *
 * Through the front every node shows every member, named after its node:
 * `<node>:<pid>` (node ids as krgadm gives them), so the tree reads the
 * same on every machine; a plain `<pid>` is the caller's own machine's,
 * as Kerrighed's users type it (`mkdir single_processes/$$`), and names
 * the same member as `<this node>:<pid>`. A change of another node's
 * member is carried out by that node (tree_member_op()).
 *
 * Locking: members_lock protects the table (front.c's threads read it,
 * tree.c's thread writes it).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "krgd.h"

static const char *const pid_kinds[] = {
	"single_processes", "process_groups", "process_sessions",
};
#define NR_PID_KINDS	(sizeof(pid_kinds) / sizeof(pid_kinds[0]))

struct rmember {
	int node;
	char *path;	/* as on its node: schedulers/s/process_set/<kind>/<n> */
};

static pthread_mutex_t members_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rmember *table;		/* under members_lock */
static size_t table_n, table_cap;

/* A positive number without sign or leading zero: its value, else 0. */
static long number(const char *s, size_t len)
{
	long v = 0;

	if (!len || len > 9 || s[0] < '1' || s[0] > '9')
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int members_is_dir(const char *rel)
{
	const char *p;

	if (strncmp(rel, "schedulers/", 11))
		return 0;
	p = strchr(rel + 11, '/');
	if (!p || strncmp(p, "/process_set/", 13))
		return 0;
	p += 13;
	for (size_t i = 0; i < NR_PID_KINDS; i++)
		if (!strcmp(p, pid_kinds[i]))
			return 1;
	return 0;
}

int members_name(const char *rel, char *dir, size_t n, int *node, long *nr)
{
	const char *slash = strrchr(rel, '/'), *name, *colon;
	size_t dl;

	if (!slash)
		return 0;
	dl = (size_t)(slash - rel);
	if (dl >= n)
		return 0;
	memcpy(dir, rel, dl);
	dir[dl] = '\0';
	if (!members_is_dir(dir))
		return 0;
	name = slash + 1;
	colon = strchr(name, ':');
	if (!colon) {
		*node = -1;
		*nr = number(name, strlen(name));
		return *nr ? 1 : 0;
	}
	if (colon == name || (colon - name > 1 && name[0] == '0'))
		return 0;
	*node = 0;
	for (const char *c = name; c < colon; c++) {
		if (*c < '0' || *c > '9' || *node * 10 + (*c - '0') >= KRG_MAX_NODES)
			return 0;
		*node = *node * 10 + (*c - '0');
	}
	*nr = number(colon + 1, strlen(colon + 1));
	return *nr ? 2 : 0;
}

/* Append "<root-relative dir>/<entry>\n" for each numeric entry of @dir. */
static int list_dir(const char *root, const char *rel, char **buf,
		    size_t *len, size_t *cap)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (snprintf(p, sizeof(p), "%s/%s", root, rel) >= (int)sizeof(p))
		return 0;
	d = opendir(p);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t need = strlen(rel) + strlen(de->d_name) + 3;

		if (!number(de->d_name, strlen(de->d_name)))
			continue;
		if (*len + need > *cap) {
			size_t nc = (*cap + need) * 2;
			char *nb = realloc(*buf, nc);

			if (!nb) {
				closedir(d);
				return -1;
			}
			*buf = nb;
			*cap = nc;
		}
		*len += (size_t)sprintf(*buf + *len, "%s/%s\n", rel, de->d_name);
	}
	closedir(d);
	return 0;
}

char *members_local_text(const char *root, size_t *len)
{
	char p[PATH_MAX], rel[PATH_MAX], *buf = NULL;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*len = 0;
	snprintf(p, sizeof(p), "%s/schedulers", root);
	d = opendir(p);
	if (!d)
		return calloc(1, 1);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < NR_PID_KINDS; i++) {
			if (snprintf(rel, sizeof(rel), "schedulers/%s/process_set/%s",
				     de->d_name, pid_kinds[i]) >= (int)sizeof(rel))
				continue;
			if (list_dir(root, rel, &buf, len, &cap)) {
				closedir(d);
				free(buf);
				return NULL;
			}
		}
	}
	closedir(d);
	return buf ? buf : calloc(1, 1);
}

static void drop_locked(int node)
{
	size_t j = 0;

	for (size_t i = 0; i < table_n; i++) {
		if (table[i].node == node)
			free(table[i].path);
		else
			table[j++] = table[i];
	}
	table_n = j;
}

int members_set(int node, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	int bad = 0;

	pthread_mutex_lock(&members_lock);
	drop_locked(node);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *path = strndup(s, l), dir[PATH_MAX];
		int n;
		long nr;

		s += l + 1;
		/* what a peer sends is checked: a member path of its own */
		if (!path || !snapshot_path_ok(path) ||
		    members_name(path, dir, sizeof(dir), &n, &nr) != 1) {
			free(path);
			bad++;
			continue;
		}
		if (table_n == table_cap) {
			size_t nc = table_cap ? table_cap * 2 : 64;
			struct rmember *nt = realloc(table, nc * sizeof(*nt));

			if (!nt) {
				free(path);
				bad++;
				break;
			}
			table = nt;
			table_cap = nc;
		}
		table[table_n].node = node;
		table[table_n++].path = path;
	}
	pthread_mutex_unlock(&members_lock);
	return bad;
}

void members_keep(const unsigned char *present)
{
	pthread_mutex_lock(&members_lock);
	for (int node = 0; node < KRG_MAX_NODES; node++)
		if (!present || !krg_nodebytes_isset(present, node))
			drop_locked(node);
	pthread_mutex_unlock(&members_lock);
}

int members_has(int node, const char *path)
{
	int found = 0;

	pthread_mutex_lock(&members_lock);
	for (size_t i = 0; i < table_n && !found; i++)
		found = table[i].node == node && !strcmp(table[i].path, path);
	pthread_mutex_unlock(&members_lock);
	return found;
}

int members_under(const char *prefix)
{
	size_t l = strlen(prefix);
	int found = 0;

	pthread_mutex_lock(&members_lock);
	for (size_t i = 0; i < table_n && !found; i++)
		found = !strncmp(table[i].path, prefix, l) &&
			table[i].path[l] == '/';
	pthread_mutex_unlock(&members_lock);
	return found;
}

int members_each(const char *dir, int (*fn)(void *arg, const char *name),
		 void *arg)
{
	size_t l = strlen(dir);
	char name[32];
	int r = 0;

	pthread_mutex_lock(&members_lock);
	for (size_t i = 0; i < table_n && !r; i++) {
		const char *p = table[i].path;

		if (strncmp(p, dir, l) || p[l] != '/' || strchr(p + l + 1, '/'))
			continue;
		snprintf(name, sizeof(name), "%d:%s", table[i].node, p + l + 1);
		r = fn(arg, name);
	}
	pthread_mutex_unlock(&members_lock);
	return r;
}
