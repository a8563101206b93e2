// SPDX-License-Identifier: GPL-2.0
/*
 * migrate.c - ask krg.ko to move a process to another node.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libkrg.h"

int krg_migrate(pid_t pid, int node, unsigned int flags)
{
	struct krg_migrate_req req;
	int fd;

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
	return ioctl(fd, KRG_IOC_MIGRATE, &req) < 0 ? -1 : 0;
}
