// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - a process's krg state as a record: get it, keep it in a file,
 * give it to another process (the sets through the kernel, the pid
 * memberships by mkdir in the configfs tree, which only user space can do).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkrg.h"

static int state_ioctl(unsigned long cmd, enum krg_target t, pid_t pid,
		       struct krg_state_req *req)
{
	return krg_target_ioctl(cmd, t, pid, req, sizeof(*req));
}

int krg_state_get(enum krg_target t, pid_t pid, struct krg_state *out)
{
	struct krg_state_req req;

	memset(&req, 0, sizeof(req));
	if (state_ioctl(KRG_IOC_GET_STATE, t, pid, &req))
		return -1;
	*out = req.state;
	return 0;
}

int krg_state_set(pid_t pid, const struct krg_state *in)
{
	struct krg_state_req req;

	memset(&req, 0, sizeof(req));
	req.state = *in;
	return state_ioctl(KRG_IOC_SET_STATE, KRG_TARGET_PID, pid, &req);
}

int krg_state_restore(pid_t pid, const struct krg_state *in, int *failed)
{
	char path[PATH_MAX];
	unsigned int i;

	*failed = -1;
	if (krg_state_set(pid, in))
		return -1;
	for (i = 0; i < in->nr_memberships; i++) {
		snprintf(path, sizeof(path),
			 "%s/schedulers/%s/process_set/single_processes/%d",
			 krg_cfs_root(), in->memberships[i].scheduler, pid);
		if (mkdir(path, 0755) && errno != EEXIST) {
			*failed = i;
			return -1;
		}
	}
	return 0;
}

int krg_state_save(const char *path, const struct krg_state *st)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	n = write(fd, st, sizeof(*st));
	err = n < 0 ? errno : EIO;
	if (close(fd) && n == (ssize_t)sizeof(*st))
		return -1;
	if (n != (ssize_t)sizeof(*st)) {
		errno = err;
		return -1;
	}
	return 0;
}

int krg_state_load(const char *path, struct krg_state *st)
{
	char extra;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, st, sizeof(*st));
	if (n < 0)
		err = errno;
	else if (n != (ssize_t)sizeof(*st) || read(fd, &extra, 1) != 0)
		err = EINVAL;	/* not a record of this size */
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
