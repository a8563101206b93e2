// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - get and set the Kerrighed capabilities of a process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libkrg.h"

/*
 * A /dev/krg request about @t (@pid for KRG_TARGET_PID): fills the header
 * every such request starts with (struct krg_cap_req, krg_state_req: size,
 * target, pid, reserved), @size bytes in all, and issues @cmd.
 */
int krg_target_ioctl(unsigned long cmd, enum krg_target t, pid_t pid,
		     void *req, size_t size)
{
	struct krg_cap_req *hdr = req;	/* the common header's layout */
	int fd;

	if ((t == KRG_TARGET_PID) != (pid > 0)) {
		errno = EINVAL;
		return -1;
	}
	fd = krg_open();
	if (fd < 0)
		return -1;
	hdr->size = size;
	hdr->target = t;
	hdr->pid = t == KRG_TARGET_PID ? pid : 0;
	hdr->reserved = 0;
	return ioctl(fd, cmd, req) < 0 ? -1 : 0;
}

static int caps_ioctl(unsigned long cmd, enum krg_target t, pid_t pid,
		      struct krg_cap_req *req)
{
	return krg_target_ioctl(cmd, t, pid, req, sizeof(*req));
}

int krg_caps_get(enum krg_target t, pid_t pid, struct krg_caps *out)
{
	struct krg_cap_req req;

	memset(&req, 0, sizeof(req));
	if (caps_ioctl(KRG_IOC_GET_CAPS, t, pid, &req))
		return -1;
	*out = req.caps;
	return 0;
}

int krg_caps_set(enum krg_target t, pid_t pid, const struct krg_caps *in)
{
	struct krg_cap_req req;

	memset(&req, 0, sizeof(req));
	req.caps = *in;
	return caps_ioctl(KRG_IOC_SET_CAPS, t, pid, &req);
}

int krg_caps_supported(__u32 *mask)
{
	unsigned long v;
	char buf[32], *end;

	if (krg_sysfs_read("cap_supported", buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end || buf[0] == '-' || v > 0xffffffffUL) {
		errno = EPROTO;
		return -1;
	}
	*mask = v;
	return 0;
}
