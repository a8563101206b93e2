// SPDX-License-Identifier: GPL-2.0
/*
 * The front: a FUSE filesystem (libfuse3, its path API) mounted over
 * /sys/kernel/config/krg_scheduler, and bound onto /config/krg_scheduler
 * where configfs is mounted there too, through which users reach the
 * replicated tree (tree.c; docs/cluster.md, "The replicated tree").
 *
 * Reads (getattr, readdir, readlink, open, read) pass straight through
 * to the subsystem in krgd's private configfs mount: every node reads its
 * own kernel (values, statuses, stats). Changes (mkdir, rmdir, ln -s, rm,
 * a write) are records ordered by tree.c, except what is this node's own
 * (snapshot_is_local(): process-set members by pid, group or session, a
 * probe's `pid`; and write-only attributes, events of this machine such
 * as a user's presence or USB tokens), which is applied here directly.
 * Permissions are the FUSE kernel's `default_permissions` checks of the
 * modes and owners configfs gives (the same EACCES as on one machine);
 * records are applied as root on every node. What configfs does not
 * allow (files, renames, hard links) gets configfs's own errno. The
 * kernel caches nothing (timeouts 0, direct_io): another node's change is
 * seen at once, and an attribute is read whole from configfs each time.
 *
 * A relative `ln -s` target is resolved as configfs resolves it for the
 * caller: from the caller's working directory (/proc/PID/cwd of the FUSE
 * request), translated into the private mount and resolved there by the
 * kernel (realpath: `..` and links physically); the record carries it as
 * a path under the subsystem, since the other nodes do not know the
 * caller's cwd.
 *
 * When krgd stops, a read-only bind of the private tree is put over the
 * mount points (reads go on, changes are EROFS: never a writable local
 * tree that would diverge); the next krgd takes it and any dead front
 * away before mounting its own.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 312
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <fuse.h>
#include "krgd.h"

#define FRONT_FSTYPE	"fuse.krgd"

/* Where users see the subsystem; the first one is the FUSE mount. */
static const char *const mountpoints[] = {
	"/sys/kernel/config/krg_scheduler",
	"/config/krg_scheduler",
};
#define NR_MOUNTPOINTS	(sizeof(mountpoints) / sizeof(mountpoints[0]))

static struct fuse *fuse;
static pthread_t loop_thread;
static int running;
static int bound[NR_MOUNTPOINTS];

/* The private path of FUSE path @path ("/probes/x"): 0 or -ENAMETOOLONG. */
static int priv(char *out, size_t n, const char *path)
{
	return snprintf(out, n, "%s%s", tree_private(), path) >= (int)n ?
	       -ENAMETOOLONG : 0;
}

/* The private path of @rel (relative to the subsystem): 0 or -ENAMETOOLONG. */
static int priv_rel(char *out, size_t n, const char *rel)
{
	return snprintf(out, n, "%s/%s", tree_private(), rel) >= (int)n ?
	       -ENAMETOOLONG : 0;
}

/*
 * Members by pid, group or session (members.c): is @rel one, `<pid>` or
 * `<node>:<pid>`? Then (1) @local is its path as on its node, @dir its
 * directory, and *@node the node, -1 for this one; 0: it is not; -errno:
 * a plain number that names no process of the caller's namespace.
 */
static int member(const char *rel, char *local, char *dir, size_t n, int *node)
{
	const char *kind;
	long nr;
	int k = members_name(rel, dir, n, node, &nr);

	if (!k)
		return 0;
	if (k == 2 && *node == tree_node())
		*node = -1;
	/* a plain number is the caller's, in its pid namespace (pidns.c) */
	kind = strrchr(dir, '/') + 1;
	if (k == 1 &&
	    pidns_translate(fuse_get_context()->pid,
			    !strcmp(kind, "process_groups") ? PIDNS_PGID :
			    !strcmp(kind, "process_sessions") ? PIDNS_SID :
			    PIDNS_PID, nr, &nr))
		return -ESRCH;
	return snprintf(local, n, "%s/%ld", dir, nr) < (int)n ? 1 : -ENAMETOOLONG;
}

static int fs_getattr(const char *path, struct stat *st,
		      struct fuse_file_info *fi)
{
	char p[PATH_MAX], local[PATH_MAX], dir[PATH_MAX];
	int node, m;

	(void)fi;
	m = member(path + 1, local, dir, sizeof(local), &node);
	if (m < 0)
		return m == -ESRCH ? -ENOENT : m;
	if (m) {
		if (node >= 0) {
			/* another node's: a directory like its parent */
			if (!members_has(node, local))
				return -ENOENT;
			if (priv_rel(p, sizeof(p), dir))
				return -ENAMETOOLONG;
			if (lstat(p, st))
				return -errno;
			st->st_nlink = 2;
			return 0;
		}
		if (priv_rel(p, sizeof(p), local))
			return -ENAMETOOLONG;
		return lstat(p, st) ? -errno : 0;
	}
	if (priv(p, sizeof(p), path))
		return -ENAMETOOLONG;
	return lstat(p, st) ? -errno : 0;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t fill;
};

static int fill_member(void *arg, const char *name)
{
	struct fill_ctx *c = arg;
	struct stat st = { .st_mode = S_IFDIR };

	return c->fill(c->buf, name, &st, 0, 0);
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags fl)
{
	struct fill_ctx c = { buf, fill };
	int members = members_is_dir(path + 1), here = tree_node(), full = 0;
	char p[PATH_MAX], name[NAME_MAX + 16];
	struct dirent *de;
	DIR *d;

	(void)off; (void)fi; (void)fl;
	if (priv(p, sizeof(p), path))
		return -ENAMETOOLONG;
	d = opendir(p);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		/* the entry's type, for readdir's d_type (DT_UNKNOWN without) */
		struct stat st = {
			.st_ino = de->d_ino,
			.st_mode = (mode_t)DTTOIF(de->d_type),
		};
		const char *n = de->d_name;

		/* this node's members, named after it as the others see them */
		if (members && here >= 0 && n[0] != '.') {
			snprintf(name, sizeof(name), "%d:%s", here, n);
			n = name;
		}
		if (fill(buf, n, &st, 0, 0)) {
			full = 1;
			break;
		}
	}
	closedir(d);
	if (members && !full)
		members_each(path + 1, fill_member, &c);
	return 0;
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	char p[PATH_MAX];
	ssize_t n;

	if (priv(p, sizeof(p), path))
		return -ENAMETOOLONG;
	n = readlink(p, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * What the kernel of one machine would refuse because of members of
 * another node: a scheduler removed while it has some (ENOTEMPTY), or
 * handle_all set (EPERM). The writer's node answers for them; what
 * changes meanwhile elsewhere is a record failed there (reported).
 */
static int refused_for_members(uint32_t op, const char *rel, const char *arg,
			       size_t alen)
{
	char dir[PATH_MAX];
	const char *s;
	size_t l;

	if (op == TREE_RMDIR && !strncmp(rel, "schedulers/", 11) &&
	    !strchr(rel + 11, '/'))
		return members_under(rel) ? -ENOTEMPTY : 0;
	s = strrchr(rel, '/');
	if (op != TREE_WRITE || !s || strcmp(s, "/handle_all") ||
	    !(alen == 1 || (alen == 2 && arg[1] == '\n')) || arg[0] != '1')
		return 0;
	l = (size_t)(s - rel);
	if (l >= sizeof(dir))
		return 0;
	memcpy(dir, rel, l);
	dir[l] = '\0';
	return members_under(dir) ? -EPERM : 0;
}

/*
 * A probe's `pid` (the only local attribute): a number of the writer's
 * pid namespace, written as krgd's namespace numbers it (pidns.c).
 */
static int write_pid(const char *rel, const char *arg, size_t alen)
{
	char text[32], *end;
	long nr, here;
	int r;

	if (alen >= sizeof(text))
		return tree_apply(TREE_WRITE, rel, arg, alen, 0);
	memcpy(text, arg, alen);
	text[alen] = '\0';
	nr = strtol(text, &end, 10);
	/* what is not a positive number is the kernel's to refuse */
	if (end == text || nr <= 0 || (*end && strcmp(end, "\n")))
		return tree_apply(TREE_WRITE, rel, arg, alen, 0);
	r = pidns_translate(fuse_get_context()->pid, PIDNS_PID, nr, &here);
	if (r)
		return r;
	snprintf(text, sizeof(text), "%ld\n", here);
	r = tree_apply(TREE_WRITE, rel, text, strlen(text), 0);
	return r < 0 ? r : (int)alen;
}

/* A change: this node's own, applied here, or a record for everyone. */
static int change(uint32_t op, const char *path, const char *arg, size_t alen)
{
	char local[PATH_MAX], dir[PATH_MAX];
	const char *rel = path + 1;
	int node, r = member(rel, local, dir, sizeof(local), &node);

	if (r == -ESRCH)
		return op == TREE_MKDIR ? -ESRCH : -ENOENT;
	if (r < 0)
		return r;
	if (r) {
		if (node >= 0 && (op == TREE_MKDIR || op == TREE_RMDIR))
			return tree_member_op(node, op, local);
		if (node >= 0)	/* what one machine says for a directory */
			return members_has(node, local) ?
			       (op == TREE_UNLINK ? -EISDIR : -EEXIST) :
			       (op == TREE_UNLINK ? -ENOENT : -EPERM);
		r = tree_apply(op, local, arg, alen, 0755);
		if (!r)
			tree_members_changed();
		return r;
	}
	if (snapshot_is_local(rel) && op == TREE_WRITE)
		return write_pid(rel, arg, alen);
	if (snapshot_is_local(rel))
		return tree_apply(op, rel, arg, alen, 0755);
	r = refused_for_members(op, rel, arg, alen);
	return r ? r : tree_change(op, rel, arg, alen);
}

static int fs_mkdir(const char *path, mode_t mode)
{
	(void)mode;		/* configfs's modes are its own */
	return change(TREE_MKDIR, path, "", 0);
}

static int fs_rmdir(const char *path)
{
	return change(TREE_RMDIR, path, "", 0);
}

static int fs_unlink(const char *path)
{
	return change(TREE_UNLINK, path, "", 0);
}

/* Lexical clean-up of an absolute path (., .., //), in place. */
static void normalise(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		size_t len;
		char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		len = e ? (size_t)(e - s) : strlen(s);
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else if (len != 1 || s[0] != '.') {
			*out++ = '/';
			memmove(out, s, len);
			out += len;
		}
		s += len;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

/* Is @path (absolute) in the subsystem as users see it? Its rest, or NULL. */
static const char *in_front(const char *path)
{
	for (size_t i = 0; i < NR_MOUNTPOINTS; i++) {
		size_t l = strlen(mountpoints[i]);

		if (!strncmp(path, mountpoints[i], l) &&
		    (path[l] == '/' || !path[l]))
			return path + l;
	}
	return NULL;
}

/*
 * The target of the caller's `ln -s TARGET`, as configfs would resolve it
 * for the caller, into @out: a path under the subsystem (no leading '/')
 * when it is in it, else the absolute path (the apply refuses it as one
 * machine does). 0 or -errno (ENOENT: no such target, as configfs says).
 */
static int resolve_target(const char *target, char *out, size_t n)
{
	char cwd[PATH_MAX], link[64], full[2 * PATH_MAX + 2], p[3 * PATH_MAX];
	char real[PATH_MAX];
	const char *rest, *root = tree_private();
	size_t rl = strlen(root);
	ssize_t len;

	if (target[0] == '/') {
		snprintf(full, sizeof(full), "%s", target);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd",
			 fuse_get_context()->pid);
		len = readlink(link, cwd, sizeof(cwd) - 1);
		if (len < 0)
			return -errno;
		cwd[len] = '\0';
		rest = in_front(cwd);
		if (rest) {
			/* the kernel resolves the rest in the private tree */
			snprintf(p, sizeof(p), "%s%s/%s", root, rest, target);
			if (!realpath(p, real))
				return -errno;
			goto resolved;
		}
		snprintf(full, sizeof(full), "%s/%s", cwd, target);
	}
	normalise(full);
	rest = in_front(full);
	if (!rest) {
		snprintf(out, n, "%s", full);
		return 0;
	}
	snprintf(p, sizeof(p), "%s%s", root, rest);
	if (!realpath(p, real))
		return -errno;
resolved:
	if (!strncmp(real, root, rl) && real[rl] == '/')
		snprintf(out, n, "%s", real + rl + 1);
	else if (!strcmp(real, root))
		return -EPERM;	/* the subsystem itself is no item */
	else
		snprintf(out, n, "%s", real);
	return 0;
}

static int fs_symlink(const char *target, const char *path)
{
	char t[PATH_MAX];
	int r = resolve_target(target, t, sizeof(t));

	return r ? r : change(TREE_SYMLINK, path, t, strlen(t));
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	if (priv(p, sizeof(p), path))
		return -ENAMETOOLONG;
	fd = open(p, (fi->flags & ~(O_TRUNC | O_CREAT | O_EXCL)) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	fi->direct_io = 1;	/* configfs sizes mean nothing: no page cache */
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	ssize_t n = pread((int)fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size,
		    off_t off, struct fuse_file_info *fi)
{
	struct stat st;
	ssize_t n;

	/* write-only attributes are events of this machine */
	if (!fstat((int)fi->fh, &st) && !(st.st_mode & 0444)) {
		n = pwrite((int)fi->fh, buf, size, off);
		return n < 0 ? -errno : (int)n;
	}
	return change(TREE_WRITE, path, buf, size);
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	(void)path; (void)size; (void)fi;
	return 0;	/* `echo >` truncates; a configfs attribute has no size */
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

/* What configfs does not do, with the errno the VFS gives for it there. */
static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	(void)path; (void)mode; (void)fi;
	return -EACCES;
}

static int fs_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)path; (void)mode; (void)dev;
	return -EPERM;
}

static int fs_rename(const char *from, const char *to, unsigned int flags)
{
	(void)from; (void)to; (void)flags;
	return -EPERM;
}

static int fs_link(const char *from, const char *to)
{
	(void)from; (void)to;
	return -EPERM;
}

static int fs_statfs(const char *path, struct statvfs *st)
{
	char p[PATH_MAX];

	if (priv(p, sizeof(p), path))
		return -ENAMETOOLONG;
	return statvfs(p, st) ? -errno : 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	cfg->hard_remove = 1;
	return NULL;
}

static const struct fuse_operations fs_ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.readlink = fs_readlink,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.unlink = fs_unlink,
	.symlink = fs_symlink,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.release = fs_release,
	.create = fs_create,
	.mknod = fs_mknod,
	.rename = fs_rename,
	.link = fs_link,
	.statfs = fs_statfs,
};

/*
 * Is the top mount at @mp one of ours (a front, live or dead, or the
 * read-only bind a stopped krgd left)? Its mount id, or -1.
 */
static int our_top_mount(const char *mp)
{
	char line[4096], where[PATH_MAX], root[PATH_MAX], *dash;
	int id, found = -1;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char fstype[64];

		if (sscanf(line, "%d %*d %*s %4095s %4095s", &id, root, where) != 3 ||
		    strcmp(where, mp))
			continue;
		dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %63s", fstype) != 1)
			continue;
		/* the last one listed is the top one */
		found = !strcmp(fstype, FRONT_FSTYPE) ||
			(!strcmp(fstype, "configfs") &&
			 !strcmp(root, "/krg_scheduler")) ? id : -1;
	}
	fclose(f);
	return found;
}

static void clear_mountpoint(const char *mp)
{
	for (int i = 0; i < 16 && our_top_mount(mp) >= 0; i++)
		if (umount2(mp, MNT_DETACH)) {
			say(LOG_WARNING, "front: cannot unmount %s: %s", mp,
			    strerror(errno));
			return;
		}
}

static void *loop_main(void *arg)
{
	struct fuse_loop_config *lc = fuse_loop_cfg_create();

	(void)arg;
	if (lc) {
		fuse_loop_cfg_set_clone_fd(lc, 0);
		fuse_loop_cfg_set_max_threads(lc, 16);
	}
	if (fuse_loop_mt(fuse, lc))
		say(LOG_DEBUG, "front: its loop ended");
	if (lc)
		fuse_loop_cfg_destroy(lc);
	return NULL;
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

int front_start(void)
{
	char *argv[] = {
		"krgd", "-o",
		"allow_other,default_permissions,fsname=krg_scheduler,subtype=krgd",
		NULL,
	};
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);

	if (running)
		return 0;
	for (size_t i = 0; i < NR_MOUNTPOINTS; i++)
		clear_mountpoint(mountpoints[i]);
	if (!is_dir(mountpoints[0])) {
		say(LOG_ERR, "front: no %s", mountpoints[0]);
		return -1;
	}
	fuse = fuse_new(&args, &fs_ops, sizeof(fs_ops), NULL);
	if (!fuse) {
		say(LOG_ERR, "front: cannot make the FUSE filesystem");
		return -1;
	}
	if (fuse_mount(fuse, mountpoints[0])) {
		say(LOG_ERR, "front: cannot mount it at %s", mountpoints[0]);
		fuse_destroy(fuse);
		fuse = NULL;
		return -1;
	}
	if (pthread_create(&loop_thread, NULL, loop_main, NULL)) {
		fuse_unmount(fuse);
		fuse_destroy(fuse);
		fuse = NULL;
		return -1;
	}
	running = 1;
	/* Kerrighed's /config too, if configfs is there */
	for (size_t i = 1; i < NR_MOUNTPOINTS; i++) {
		bound[i] = is_dir(mountpoints[i]) &&
			   !mount(mountpoints[0], mountpoints[i], NULL, MS_BIND, NULL);
	}
	say(LOG_INFO, "front: the replicated tree is mounted at %s%s", mountpoints[0],
	    bound[1] ? " and /config/krg_scheduler" : "");
	return 0;
}

/* A read-only bind of the private tree over @mp: 0 or -1. */
static int bind_read_only(const char *mp)
{
	if (mount(tree_private(), mp, NULL, MS_BIND, NULL) ||
	    mount(NULL, mp, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL)) {
		say(LOG_WARNING, "front: cannot put a read-only tree at %s: %s", mp,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void front_stop(int read_only)
{
	if (!running)
		return;
	running = 0;
	if (read_only) {
		/*
		 * Over the front while it still answers; krgd exits right
		 * after, so the front below dies with it and the next krgd
		 * takes both away. No fuse_unmount: it would unmount the top.
		 */
		for (size_t i = 0; i < NR_MOUNTPOINTS; i++)
			if ((!i || bound[i]) && !bind_read_only(mountpoints[i]))
				say(LOG_INFO, "front: %s is read-only until krgd is back",
				    mountpoints[i]);
		return;
	}
	for (size_t i = 1; i < NR_MOUNTPOINTS; i++)
		if (bound[i])
			umount2(mountpoints[i], MNT_DETACH);
	fuse_exit(fuse);
	fuse_unmount(fuse);
	pthread_join(loop_thread, NULL);
	fuse_destroy(fuse);
	fuse = NULL;
}
