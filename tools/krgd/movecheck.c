// SPDX-License-Identifier: GPL-2.0
/*
 * What a migration across machines checks before anything is frozen
 * (docs/cluster.md, "Migration: know before freezing"). CRIU finds what it
 * cannot carry only halfway through a dump; these checks read the live
 * process and the target instead, and say every reason in one sentence
 * naming the object.
 *
 * On the source (movecheck_source): the process's fds and mappings, its
 * children, its pid namespace; what the target must check goes into the
 * offer (struct mig_offer): the kernel and CRIU versions, the CPU's flags,
 * the process's uid, cgroup, allowed CPUs, memory, and the mapped files
 * that are not on a shared filesystem with their size and a hash of their
 * contents. On the target (movecheck_target): the same versions, flags
 * present, the pid free, the uid known, the cgroup there, an allowed CPU
 * there, room for its memory and its images, the same files.
 *
 * A file is on a shared filesystem when the process's mount of it is a
 * network or cluster one (NFS, 9p, virtiofs, CIFS/SMB, Ceph, GFS2, OCFS2,
 * Lustre, GlusterFS, BeeGFS, GPFS): the same path names the same file on
 * every node, as CRIU needs.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>
#include "krgd.h"
#include "mover.h"

/* Append a reason to @why ("; " between them), as far as it fits. */
static void add(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char *why, size_t len, const char *fmt, ...)
{
	size_t n = strnlen(why, len);
	va_list ap;

	if (n && n + 3 < len) {
		memcpy(why + n, "; ", 3);
		n += 2;
	}
	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(why + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * Filesystems whose paths name the same file on every node. By the mount's
 * type, from mountinfo: statfs() cannot tell (9p gives the server's own
 * filesystem's magic).
 */
static const char *const shared_fs[] = {
	"nfs", "nfs4", "9p", "virtiofs", "cifs", "smb3", "ceph", "gfs2",
	"ocfs2", "lustre", "glusterfs", "fuse.glusterfs", "beegfs", "gpfs",
};

/* mountinfo's escapes (\040 for a space) undone in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int movecheck_shared(pid_t pid, const char *path)
{
	char mi[64], line[8192], best[64] = "";
	size_t best_len = 0;
	FILE *f;

	snprintf(mi, sizeof(mi), "/proc/%d/mountinfo", pid);
	f = fopen(mi, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char mp[4096], type[64], *dash;
		size_t l;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		dash = strstr(line, " - ");
		if (!dash || sscanf(dash + 3, "%63s", type) != 1)
			continue;
		unescape(mp);
		l = strlen(mp);
		if (strcmp(mp, "/") &&
		    (strncmp(path, mp, l) || (path[l] && path[l] != '/')))
			continue;
		if (!strcmp(mp, "/"))
			l = 0;
		if (l >= best_len) {
			best_len = l;
			snprintf(best, sizeof(best), "%s", type);
		}
	}
	fclose(f);
	for (size_t i = 0; i < sizeof(shared_fs) / sizeof(shared_fs[0]); i++)
		if (!strcmp(best, shared_fs[i]))
			return 1;
	return 0;
}

/* Devices that are the same thing on every machine. */
static int common_device(const char *path)
{
	static const char *const ok[] = {
		"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
		"/dev/urandom",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(path, ok[i]))
			return 1;
	return 0;
}

/* The line of @path starting with @key, its rest into @out. */
static int file_field(const char *path, const char *key, char *out, size_t len)
{
	char line[4096];
	size_t klen = strlen(key);
	FILE *f;
	int found = 0;

	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen))
			continue;
		snprintf(out, len, "%s", line + klen + strspn(line + klen, " \t"));
		out[strcspn(out, "\n")] = '\0';
		found = 1;
		break;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* The line of /proc/@pid/@file starting with @key. */
static int proc_field(pid_t pid, const char *file, const char *key,
		      char *out, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	return file_field(path, key, out, len);
}

/* Is socket inode @ino in /proc/@pid/net/@table (tcp, tcp6)? */
static int in_net_table(pid_t pid, const char *table, unsigned long ino)
{
	char path[64], line[512];
	unsigned long i;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, table);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &i) == 1 &&
		    i == ino)
			found = 1;
	fclose(f);
	return found;
}

/* @o's list of the files CRIU will reopen: fd @fd of @pid, at @path. */
static void note_fd(pid_t pid, struct mig_offer *o, const char *fd,
		    const char *path)
{
	char p[320], flags[64] = "";
	size_t used = strlen(o->fds);
	unsigned int f = 0;

	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%s", pid, fd);
	if (!file_field(p, "flags:", flags, sizeof(flags)))
		f = (unsigned int)strtoul(flags, NULL, 8);
	if (used + strlen(path) + 32 < sizeof(o->fds))
		snprintf(o->fds + used, sizeof(o->fds) - used, "%s %u %s\n", fd,
			 f & O_ACCMODE, path);
}

/* fd @fd's access mode (O_ACCMODE of its flags), or -1. */
static int fd_accmode(pid_t pid, const char *fd)
{
	char p[320], flags[64];

	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%s", pid, fd);
	if (file_field(p, "flags:", flags, sizeof(flags)))
		return -1;
	return (int)(strtoul(flags, NULL, 8) & O_ACCMODE);
}

/* A terminal (a pts, a console, a serial line), which the ghost can relay. */
static int relayable_tty(dev_t rdev)
{
	unsigned int ma = major(rdev);

	return ma == 4 || (ma >= 136 && ma <= 143) || ma == 204 || ma == 229 ||
	       rdev == makedev(5, 1);
}

/*
 * fd @fd of @pid, a terminal or a pipe it writes to, named @id by CRIU:
 * relayed by its ghost (relay.c). -1 with a reason added when it cannot be.
 */
static int note_relay(pid_t pid, struct mig_offer *o, const char *fd, int kind,
		      const char *id, char *why, size_t len)
{
	int mode = fd_accmode(pid, fd), n = atoi(fd);
	struct mig_relay *m = NULL;

	if (kind == MIG_RELAY_PIPE && mode != O_WRONLY) {
		add(why, len, "fd %s is a pipe it reads from (input does not cross machines: redirect it from a file on the shared filesystem)",
		    fd);
		return -1;
	}
	for (unsigned int i = 0; i < o->nrelay; i++)
		if (!strcmp(o->relay[i].id, id))
			m = &o->relay[i];
	if (!m) {
		char path[320];
		int t;

		if (o->nrelay == MIG_RELAY_MAX) {
			add(why, len, "fd %s: more than %d terminals and pipes", fd, MIG_RELAY_MAX);
			return -1;
		}
		m = &o->relay[o->nrelay++];
		memset(m, 0, sizeof(*m));
		m->kind = (uint32_t)kind;
		m->ghost_fd = -1;
		snprintf(m->id, sizeof(m->id), "%s", id);
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fd);
		t = kind == MIG_RELAY_TTY ?
		    open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
		if (t >= 0) {
			if (tcgetattr(t, &m->tio))
				memset(&m->tio, 0, sizeof(m->tio));
			if (ioctl(t, TIOCGWINSZ, &m->ws))
				memset(&m->ws, 0, sizeof(m->ws));
			close(t);
		}
	}
	/* its bytes go to the first fd that writes to it */
	if (m->ghost_fd < 0 && (mode == O_WRONLY || mode == O_RDWR))
		m->ghost_fd = n;
	return 0;
}

/* Every fd of @pid CRIU can carry across machines, or why not. */
static int check_fds(pid_t pid, struct mig_offer *o, char *why, size_t len)
{
	char dir[64], link[PATH_MAX], fdp[320];
	struct dirent *d;
	unsigned long ino;
	struct stat st;
	ssize_t n;
	DIR *dp;
	int ret = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		add(why, len, "process %d: %s: %s", pid, dir, strerror(errno));
		return -ESRCH;
	}
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(fdp, sizeof(fdp), "%s/%s", dir, d->d_name);
		n = readlink(fdp, link, sizeof(link) - 1);
		if (n < 0)
			continue;	/* closed meanwhile */
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1) {
			if (in_net_table(pid, "tcp", ino) || in_net_table(pid, "tcp6", ino))
				add(why, len, "fd %s is an open TCP connection", d->d_name);
			else
				add(why, len, "fd %s is a socket (sockets do not cross machines yet)",
					 d->d_name);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (!strncmp(link, "pipe:", 5)) {
			if (note_relay(pid, o, d->d_name, MIG_RELAY_PIPE, link, why, len) && !ret)
				ret = -EOPNOTSUPP;
		} else if (!strncmp(link, "anon_inode:", 11)) {
			continue;	/* eventfd, epoll, signalfd, timerfd, ...: CRIU's */
		} else if (link[0] != '/') {
			add(why, len, "fd %s is %s, which CRIU cannot move", d->d_name, link);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (strstr(link, " (deleted)")) {
			add(why, len, "fd %s is a deleted file (%s)", d->d_name, link);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (stat(fdp, &st)) {
			continue;
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			char id[48];

			if (common_device(link))
				continue;
			if (S_ISCHR(st.st_mode) && relayable_tty(st.st_rdev)) {
				snprintf(id, sizeof(id), "tty[%llx:%llx]",
					 (unsigned long long)st.st_rdev,
					 (unsigned long long)st.st_dev);
				if (note_relay(pid, o, d->d_name, MIG_RELAY_TTY, id, why, len) &&
				    !ret)
					ret = -EOPNOTSUPP;
				continue;
			}
			add(why, len, "fd %s is %s %s (devices do not cross machines)",
				 d->d_name, !strncmp(link, "/dev/pts/", 9) ||
				 !strncmp(link, "/dev/tty", 8) || !strcmp(link, "/dev/console") ?
				 "the terminal" : "the device", link);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (S_ISFIFO(st.st_mode)) {
			add(why, len, "fd %s is the FIFO %s (FIFOs do not cross machines yet)",
				 d->d_name, link);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (!movecheck_shared(pid, link)) {
			add(why, len, "fd %s is %s, a file outside the shared filesystem",
				 d->d_name, link);
			if (!ret)
				ret = -EOPNOTSUPP;
		} else if (S_ISREG(st.st_mode)) {
			note_fd(pid, o, d->d_name, link);
		}
	}
	closedir(dp);
	return ret;
}

/*
 * A hash of @path's contents (FNV-1a, 64 bits) and its size. Hashes are
 * kept by (device, inode, size, mtime): a library is read once.
 */
#define HASH_CACHE	256
static struct {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t hash;
} hash_cache[HASH_CACHE];
static unsigned int hash_next;
static pthread_mutex_t hash_lock = PTHREAD_MUTEX_INITIALIZER;

int movecheck_hash(const char *path, uint64_t *size, uint64_t *hash)
{
	static char buf[1 << 16];
	struct stat st;
	uint64_t h = KRGD_FNV_INIT;
	ssize_t n;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	pthread_mutex_lock(&hash_lock);
	for (unsigned int i = 0; i < HASH_CACHE; i++) {
		if (hash_cache[i].ino == st.st_ino && hash_cache[i].dev == st.st_dev &&
		    hash_cache[i].size == st.st_size &&
		    hash_cache[i].mtime.tv_sec == st.st_mtim.tv_sec &&
		    hash_cache[i].mtime.tv_nsec == st.st_mtim.tv_nsec) {
			*hash = hash_cache[i].hash;
			ret = 0;
			break;
		}
	}
	if (ret) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			h = krgd_fnv(h, buf, (size_t)n);
		if (!n) {
			unsigned int i = hash_next++ % HASH_CACHE;

			hash_cache[i].dev = st.st_dev;
			hash_cache[i].ino = st.st_ino;
			hash_cache[i].size = st.st_size;
			hash_cache[i].mtime = st.st_mtim;
			hash_cache[i].hash = h;
			*hash = h;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&hash_lock);
	close(fd);
	return ret;
}

/*
 * The mappings of @pid: a file mapping outside the shared filesystem goes
 * into @o's file list (the target must have the same file); shared
 * memory is refused.
 */
static int check_maps(pid_t pid, struct mig_offer *o, char *why, size_t len)
{
	char path[64], line[PATH_MAX + 128], last[PATH_MAX] = "";
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		add(why, len, "process %d: %s: %s", pid, path, strerror(errno));
		return -ESRCH;
	}
	o->files[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char perms[8] = "", *file;
		uint64_t size, hash;
		size_t used;
		int field = 0;

		line[strcspn(line, "\n")] = '\0';
		sscanf(line, "%*s %7s", perms);
		/* the path is the 6th field, after the inode (or nothing) */
		file = line;
		while (field < 5 && (file = strchr(file, ' '))) {
			file += strspn(file, " ");
			field++;
		}
		if (!file)
			continue;
		if (perms[3] == 's' && (!file || !*file || !strncmp(file, "/dev/zero", 9) ||
					!strncmp(file, "/SYSV", 5))) {
			add(why, len, "it has shared memory (%s)",
				 file && *file ? file : "a shared anonymous mapping");
			ret = -EOPNOTSUPP;
			continue;
		}
		if (!file || file[0] != '/' || !strcmp(file, last))
			continue;
		snprintf(last, sizeof(last), "%s", file);
		if (strstr(file, " (deleted)")) {
			add(why, len, "it maps a deleted file (%s)", file);
			ret = -EOPNOTSUPP;
			continue;
		}
		if (!strncmp(file, "/memfd:", 7) || movecheck_shared(pid, file))
			continue;
		if (movecheck_hash(file, &size, &hash)) {
			add(why, len, "it maps %s, which cannot be read here: %s",
				 file, strerror(errno));
			ret = -EOPNOTSUPP;
			continue;
		}
		used = strlen(o->files);
		if (used + strlen(file) + 48 >= sizeof(o->files)) {
			add(why, len, "it maps too many files outside the shared filesystem");
			ret = -EOPNOTSUPP;
			break;
		}
		snprintf(o->files + used, sizeof(o->files) - used, "%llu %016llx %s\n",
			 (unsigned long long)size, (unsigned long long)hash, file);
	}
	fclose(f);
	return ret;
}

/* Has @pid children (any thread's)? */
static int has_children(pid_t pid)
{
	char dir[64], path[384], buf[64];
	struct dirent *d;
	DIR *dp;
	int found = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	dp = opendir(dir);
	if (!dp)
		return 0;
	while (!found && (d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/children", dir, d->d_name);
		if (!krg_read_file(path, buf, sizeof(buf)) && buf[0] &&
		    buf[0] != '\n')
			found = 1;
	}
	closedir(dp);
	return found;
}

static char my_release[65], my_criu[64], my_flags[sizeof(((struct mig_offer *)0)->cpu_flags)];

/* What this machine is, once: the kernel, CRIU, the CPU's flags. */
static pthread_once_t about_once = PTHREAD_ONCE_INIT;
static void about_init(void)
{
	struct utsname u;
	FILE *p;
	char line[8192];

	if (!uname(&u))
		snprintf(my_release, sizeof(my_release), "%s", u.release);
	p = popen("criu --version 2>/dev/null", "re");
	while (p && fgets(line, sizeof(line), p))
		if (!strncmp(line, "Version: ", 9)) {
			snprintf(my_criu, sizeof(my_criu), "%.63s", line + 9);
			my_criu[strcspn(my_criu, "\n")] = '\0';
		}
	if (p)
		pclose(p);
	p = fopen("/proc/cpuinfo", "re");
	while (p && fgets(line, sizeof(line), p))
		if (!strncmp(line, "flags", 5) && strchr(line, ':')) {
			snprintf(my_flags, sizeof(my_flags), "%s", strchr(line, ':') + 2);
			my_flags[strcspn(my_flags, "\n")] = '\0';
			break;
		}
	if (p)
		fclose(p);
}

const char *movecheck_criu_version(void)
{
	pthread_once(&about_once, about_init);
	return my_criu;
}

int movecheck_source(pid_t pid, struct mig_offer *o, char *why, size_t len)
{
	char buf[1024];
	unsigned long rss_kb = 0;
	int ret = 0, r;

	why[0] = '\0';
	pthread_once(&about_once, about_init);
	if (!my_criu[0]) {
		snprintf(why, len, "CRIU is not installed on this node (criu --version)");
		return -EOPNOTSUPP;
	}
	snprintf(o->release, sizeof(o->release), "%s", my_release);
	snprintf(o->criu, sizeof(o->criu), "%s", my_criu);
	snprintf(o->cpu_flags, sizeof(o->cpu_flags), "%s", my_flags);
	if (proc_field(pid, "status", "Tgid:", buf, sizeof(buf)) ||
	    atoi(buf) != pid) {
		snprintf(why, len, "no process %d", pid);
		return -ESRCH;
	}
	if (!proc_field(pid, "status", "NSpid:", buf, sizeof(buf)) &&
	    strchr(buf, '\t')) {
		add(why, len, "it runs in a pid namespace of its own (its namespace moves whole, not one process of it)");
		ret = -EOPNOTSUPP;
	}
	if (has_children(pid)) {
		add(why, len, "it has child processes (a process moves to another machine without children)");
		ret = ret ?: -EOPNOTSUPP;
	}
	if (proc_field(pid, "status", "Uid:", buf, sizeof(buf)) ||
	    sscanf(buf, "%u", &o->uid) != 1 ||
	    proc_field(pid, "status", "Gid:", buf, sizeof(buf)) ||
	    sscanf(buf, "%u", &o->gid) != 1) {
		snprintf(why, len, "no process %d", pid);
		return -ESRCH;
	}
	o->ngroups = 0;
	if (!proc_field(pid, "status", "Groups:", buf, sizeof(buf))) {
		char *q = buf, *end;

		while (o->ngroups < 32) {
			unsigned long g = strtoul(q, &end, 10);

			if (end == q)
				break;
			o->groups[o->ngroups++] = (uint32_t)g;
			q = end;
		}
	}
	if (!proc_field(pid, "status", "VmRSS:", buf, sizeof(buf)))
		rss_kb = strtoul(buf, NULL, 10);
	o->rss_kb = rss_kb;
	if (proc_field(pid, "status", "Cpus_allowed_list:", o->cpus, sizeof(o->cpus)))
		o->cpus[0] = '\0';
	if (proc_field(pid, "cgroup", "0::", o->cgroup, sizeof(o->cgroup)))
		snprintf(o->cgroup, sizeof(o->cgroup), "/");
	o->fds[0] = '\0';
	o->nrelay = 0;
	r = check_fds(pid, o, why, len);
	ret = ret ?: r;
	r = check_maps(pid, o, why, len);
	return ret ?: r;
}

/* Is every flag of @want in @have (space-separated lists)? The first missing into @miss. */
static int flags_cover(const char *have, const char *want, char *miss, size_t len)
{
	char w[64];
	const char *p = want;
	int n;

	while (sscanf(p, "%63s%n", w, &n) == 1) {
		char pat[72];
		const char *h = have;
		int found = 0;
		size_t wl = strlen(w);

		p += n;
		snprintf(pat, sizeof(pat), "%s", w);
		while ((h = strstr(h, pat))) {
			if ((h == have || h[-1] == ' ') && (h[wl] == ' ' || !h[wl])) {
				found = 1;
				break;
			}
			h += wl;
		}
		if (!found) {
			snprintf(miss, len, "%s", w);
			return 0;
		}
	}
	return 1;
}

int movecheck_target(const struct mig_offer *o, int me, char *why, size_t len)
{
	char path[PATH_MAX + 32], miss[64], mine[1024];
	const char *line;
	struct statvfs sv;
	cpu_set_t allowed, online;
	unsigned long avail_kb = 0;
	int ret = 0;

	why[0] = '\0';
	pthread_once(&about_once, about_init);
	if (strcmp(o->release, my_release)) {
		add(why, len, "node %d runs Linux %s, the process's node %s", me,
			 my_release, o->release);
		ret = ret ?: -EOPNOTSUPP;
	}
	if (!my_criu[0] || strcmp(o->criu, my_criu)) {
		add(why, len, "node %d has CRIU %s, the process's node %s", me,
			 my_criu[0] ? my_criu : "(none)", o->criu);
		ret = ret ?: -EOPNOTSUPP;
	}
	if (!flags_cover(my_flags, o->cpu_flags, miss, sizeof(miss))) {
		add(why, len, "node %d's CPU lacks the feature %s", me, miss);
		ret = ret ?: -EOPNOTSUPP;
	}
	if (!kill(o->pid, 0) || errno != ESRCH) {
		add(why, len, "pid %d is taken on node %d", o->pid, me);
		ret = ret ?: -EADDRINUSE;
	}
	if (!getpwuid(o->uid)) {
		add(why, len, "uid %u does not exist on node %d", o->uid, me);
		ret = ret ?: -EOPNOTSUPP;
	}
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s", o->cgroup);
	if (access(path, F_OK)) {
		add(why, len, "cgroup %s does not exist on node %d", o->cgroup, me);
		ret = ret ?: -EOPNOTSUPP;
	}
	if (o->cpus[0] && !krg_cpulist_parse(o->cpus, &allowed, sizeof(allowed)) &&
	    !sched_getaffinity(0, sizeof(online), &online)) {
		CPU_AND(&allowed, &allowed, &online);
		if (!CPU_COUNT(&allowed)) {
			add(why, len, "it is confined to CPUs %s, which node %d does not have",
				 o->cpus, me);
			ret = ret ?: -EOPNOTSUPP;
		}
	}
	if (!file_field("/proc/meminfo", "MemAvailable:", mine, sizeof(mine)))
		avail_kb = strtoul(mine, NULL, 10);
	if (avail_kb && avail_kb < o->rss_kb + 16384) {
		add(why, len, "node %d has %lu MiB of memory available, the process uses %lu",
			 me, avail_kb >> 10, (unsigned long)(o->rss_kb >> 10));
		ret = ret ?: -ENOMEM;
	}
	if ((!statvfs(MOVER_DIR, &sv) || !statvfs("/run", &sv)) &&
	    (uint64_t)sv.f_bavail * sv.f_frsize < (uint64_t)(o->rss_kb + 4096) * 1024) {
		add(why, len, "no room for its images on node %d (%s: %llu MiB free)",
			 me, MOVER_DIR,
			 (unsigned long long)((uint64_t)sv.f_bavail * sv.f_frsize >> 20));
		ret = ret ?: -ENOSPC;
	}
	for (line = o->files; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		unsigned long long size, hash;
		uint64_t s2, h2;
		char file[PATH_MAX];
		int n = 0;

		if (sscanf(line, "%llu %llx %n", &size, &hash, &n) != 2 || !n)
			break;
		snprintf(file, sizeof(file), "%.*s", (int)strcspn(line + n, "\n"), line + n);
		if (movecheck_hash(file, &s2, &h2)) {
			add(why, len, "%s is missing on node %d", file, me);
			ret = ret ?: -EOPNOTSUPP;
		} else if (s2 != size || h2 != hash) {
			add(why, len, "%s differs on node %d", file, me);
			ret = ret ?: -EOPNOTSUPP;
		}
	}
	if (movecheck_files_as_user(o, me, path, sizeof(path))) {
		add(why, len, "%s", path);
		ret = ret ?: -EACCES;
	}
	return ret;
}

int movecheck_files_as_user(const struct mig_offer *o, int me, char *why,
			    size_t len)
{
	int p[2], status;
	ssize_t n;
	pid_t c;

	why[0] = '\0';
	if (!o->fds[0])
		return 0;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	c = fork();
	if (c < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (!c) {
		gid_t groups[32];
		char out[1024] = "";
		const char *line;

		close(p[0]);
		for (uint32_t i = 0; i < o->ngroups && i < 32; i++)
			groups[i] = o->groups[i];
		if (setgroups(o->ngroups < 32 ? o->ngroups : 32, groups) ||
		    setgid(o->gid) || setuid(o->uid))
			_exit(2);
		for (line = o->fds; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
			char path[PATH_MAX], fd[16];
			unsigned int mode;
			int n2 = 0, f;

			if (sscanf(line, "%15s %u %n", fd, &mode, &n2) != 2 || !n2)
				break;
			snprintf(path, sizeof(path), "%.*s", (int)strcspn(line + n2, "\n"),
				 line + n2);
			f = open(path, (int)(mode & O_ACCMODE) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			if (f >= 0) {
				close(f);
				continue;
			}
			add(out, sizeof(out), "fd %s's file %s cannot be opened by uid %u on node %d: %s",
			    fd, path, o->uid, me, strerror(errno));
		}
		if (out[0] && write(p[1], out, strlen(out)) < 0)
			_exit(3);
		_exit(out[0] ? 1 : 0);
	}
	close(p[1]);
	n = read(p[0], why, len - 1);
	why[n > 0 ? n : 0] = '\0';
	close(p[0]);
	while (waitpid(c, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!why[0])
		snprintf(why, len, "node %d cannot check its files as uid %u", me, o->uid);
	return -EACCES;
}
