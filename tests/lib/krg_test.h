/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the in-guest kselftest programs: load and unload our modules,
 * read and write small files, run a function as another user.
 */
#ifndef KRG_TEST_H
#define KRG_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <krg.h>

#define KRG_MODDIR	"/krg/modules"
#define KRG_CFS		"/sys/kernel/config/krg_scheduler"
#define KRG_USER_UID	1000	/* krguser in the guest's /etc/passwd */
#define KRG_OTHER_UID	1001	/* krgother */

/*
 * Load /krg/modules/@name.ko with the parameters @args ("a=1 b=2");
 * 0, or -errno (-EEXIST if already loaded).
 */
static inline int krg_insmod_args(const char *name, const char *args)
{
	char path[256];
	int fd, ret;

	snprintf(path, sizeof(path), KRG_MODDIR "/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, args, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Load /krg/modules/@name.ko; 0, or -errno (-EEXIST if already loaded). */
static inline int krg_insmod(const char *name)
{
	return krg_insmod_args(name, "");
}

/* Unload @name without waiting; 0 or -errno (-EWOULDBLOCK when in use). */
static inline int krg_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * Unload krg_scheduler and the component modules that hold it (earlier
 * tests of the same boot leave them loaded), e.g. before loading another
 * placement hook. 0 when it is gone, or -errno.
 */
static inline int krg_unload_core(void)
{
	DIR *d = opendir("/sys/module/krg_scheduler/holders");
	struct dirent *de;

	if (!d)
		return 0;	/* not loaded */
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			krg_rmmod(de->d_name);
	closedir(d);
	return krg_rmmod("krg_scheduler");
}

/* Unload the modules that hold @name (test modules may hold krg.ko). */
static inline void krg_unload_holders(const char *name)
{
	char path[128];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/module/%s/holders", name);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			krg_rmmod(de->d_name);
	if (d)
		closedir(d);
}

/*
 * Unload krg.ko and what holds it, e.g. to load it again with other
 * parameters (close libkrg's /dev/krg first). A task that just forked may
 * hold krg.ko for a moment (its spare refill): retries for up to 10 s.
 */
static inline int krg_unload_krg(void)
{
	int ret = 0;

	for (int i = 0; i < 100; i++) {
		krg_unload_core();
		krg_unload_holders("krg");
		ret = krg_rmmod("krg");
		if (ret == 0 || ret == -ENOENT)
			return 0;
		usleep(100 * 1000);
	}
	return ret;
}

static inline bool krg_mod_loaded(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* Load @name unless it is loaded; 0 or -errno. */
static inline int krg_need(const char *name)
{
	int ret = krg_insmod(name);

	return ret == -EEXIST ? 0 : ret;
}

/* Read a small file into @buf (NUL-terminated, trailing newline cut). */
static inline int krg_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Write @s to @path in one write(); 0 or -errno. */
static inline int krg_write(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Poll every 50 ms, at most @s seconds, until @cond holds. */
#define WAIT_FOR(cond, s) ({						\
	bool __ok = false;						\
	for (int __i = 0; __i < (s) * 20 && !(__ok = (cond)); __i++)	\
		usleep(50 * 1000);					\
	__ok;								\
})

/* Tree operations for the tests: 0 or -errno. */
static inline int krg_mkdir(const char *path)
{
	return mkdir(path, 0755) ? -errno : 0;
}

static inline int krg_rmdir(const char *path)
{
	return rmdir(path) ? -errno : 0;
}

static inline int krg_ln(const char *target, const char *link)
{
	return symlink(target, link) ? -errno : 0;
}

static inline int krg_unlink(const char *link)
{
	return unlink(link) ? -errno : 0;
}

/*
 * A small file's content without its newline, or "(unreadable)". The buffer
 * is reused by the next call (one per test program).
 */
static inline const char *krg_rd(const char *path)
{
	static char buf[4096];

	if (krg_read(path, buf, sizeof(buf)))
		return "(unreadable)";
	return buf;
}

static inline long long krg_rdll(const char *path)
{
	return strtoll(krg_rd(path), NULL, 0);
}

static inline bool krg_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Remove a configfs directory: links, then made directories, deepest first. */
static inline void krg_remove_tree(const char *path)
{
	char names[32][256], p[512];
	struct dirent *e;
	struct stat st;
	int n = 0, i;
	DIR *d;

	d = opendir(path);
	while (d && n < 32 && (e = readdir(d)))
		if (e->d_name[0] != '.')
			snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	if (d)
		closedir(d);
	for (i = 0; i < n; i++) {
		if (snprintf(p, sizeof(p), "%s/%s", path, names[i]) >=
		    (int)sizeof(p) || lstat(p, &st))
			continue;
		if (S_ISLNK(st.st_mode))
			unlink(p);
		else if (S_ISDIR(st.st_mode))
			krg_remove_tree(p);
	}
	rmdir(path);
}

/* The node whose CPUs are exactly @pid's CPU affinity, or -1. */
static inline int krg_node_of_pid(pid_t pid)
{
	char path[64], line[256], list[64] = "", want[64];
	FILE *f;
	int node;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Cpus_allowed_list: %63s", list) == 1)
			break;
	if (f)
		fclose(f);
	for (node = 0; node < 256; node++) {
		snprintf(path, sizeof(path), "/sys/kernel/krg/node%d/cpulist",
			 node);
		if (krg_read(path, want, sizeof(want)))
			break;
		if (!strcmp(want, list))
			return node;
	}
	return -1;
}

/*
 * Fork a child that waits, once it runs in user space (any distant-fork
 * placement is done by then); return the node its CPU affinity is (-1 for
 * none, -2 on error), and kill it.
 */
static inline int krg_child_node(void)
{
	int sync[2], node;
	pid_t pid;
	char c;

	if (pipe(sync))
		return -2;
	pid = fork();
	if (pid == 0) {
		close(sync[0]);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	if (pid < 0 || read(sync[0], &c, 1) != 1) {
		close(sync[0]);
		return -2;
	}
	close(sync[0]);
	node = krg_node_of_pid(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return node;
}

/*
 * Run @fn(@arg) in a child as @uid (gid = uid, no supplementary groups) and
 * return what it returned (0..255), or -1 if it did not exit normally.
 */
static inline int krg_as_user(uid_t uid, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(254);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Booted on the debug kernel (make check-debug: KASAN, lockdep, kmemleak),
 * about 12 times slower under emulation: expectations that depend on timing
 * (real probes measuring real load) may be looser there, never the others.
 */
static inline bool krg_debug_kernel(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.release, "-krgdebug") != NULL;
}

/* /dev/krg opened read-write (close-on-exec), or -1 with errno. */
static inline int krg_dev(void)
{
	return open("/dev/krg", O_RDWR | O_CLOEXEC);
}

/*
 * KRG_IOC_SET_CAPS on @fd: @target (KRG_TARGET_*) and @pid, the sets
 * permitted @p, effective @e, inheritable permitted @ip and inheritable
 * effective @ie; 0 or -errno.
 */
static inline int krg_set_caps4(int fd, __u32 target, pid_t pid, __u32 p,
				__u32 e, __u32 ip, __u32 ie)
{
	struct krg_cap_req req = {
		.size = sizeof(req),
		.target = target,
		.pid = pid,
		.caps = {
			.permitted = p,
			.effective = e,
			.inheritable_permitted = ip,
			.inheritable_effective = ie,
		},
	};

	return ioctl(fd, KRG_IOC_SET_CAPS, &req) ? -errno : 0;
}

/* KRG_IOC_MIGRATE on @fd: @pid to @node with @flags; 0 or -errno. */
static inline int krg_migrate_pid(int fd, pid_t pid, int node, __u32 flags)
{
	struct krg_migrate_req req = {
		.size = sizeof(req),
		.flags = flags,
		.pid = pid,
		.node = node,
	};

	return ioctl(fd, KRG_IOC_MIGRATE, &req) ? -errno : 0;
}

#endif /* KRG_TEST_H */
