// SPDX-License-Identifier: GPL-2.0
/*
 * abi.c - check that krg.ko speaks our ABI and open its device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkrg.h"

#define ABI_FILE	KRG_SYSFS_DIR "/abi_version"

static int krg_fd = -1;

/* What the last failure was about, for krg_abi_strerror(). */
static struct {
	const char *path;	/* the file that failed */
	int err;		/* the errno of the system call */
	long long kernel;	/* the kernel's version, or -1 if unparsable */
} last;

static int fail(const char *path, int sys_err, int err)
{
	last.path = path;
	last.err = sys_err;
	errno = err;
	return -1;
}

static int missing(int err)
{
	return err == ENOENT || err == ENOTDIR || err == ENXIO ||
	       err == ENODEV;
}

int krg_abi_check(void)
{
	char buf[32];
	long long v;

	if (krg_sysfs_read("abi_version", buf, sizeof(buf)))
		return fail(ABI_FILE, errno, missing(errno) ? ENOSYS : errno);

	if (krg_parse_num(buf, 0, LLONG_MAX, &v))
		v = -1;
	last.kernel = v;
	if (v != KRG_ABI_VERSION)
		return fail(ABI_FILE, 0, EPROTO);
	return 0;
}

int krg_open(void)
{
	int fd;

	if (krg_fd >= 0)
		return krg_fd;
	if (krg_abi_check())
		return -1;
	fd = open(KRG_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(KRG_DEVICE, errno, missing(errno) ? ENOSYS : errno);
	krg_fd = fd;
	return fd;
}

void krg_close(void)
{
	if (krg_fd >= 0)
		close(krg_fd);
	krg_fd = -1;
}

const char *krg_abi_strerror(int err, char *buf, size_t len)
{
	const char *path = last.path ? last.path : ABI_FILE;

	switch (err) {
	case ENOSYS:
		snprintf(buf, len, "krg.ko is not loaded (%s: %s)", path,
			 strerror(last.err ? last.err : ENOENT));
		break;
	case EPROTO:
		if (last.kernel < 0)
			snprintf(buf, len, "cannot parse %s", path);
		else
			snprintf(buf, len,
				 "ABI version mismatch: kernel %lld, tools %d",
				 last.kernel, KRG_ABI_VERSION);
		break;
	default:
		snprintf(buf, len, "cannot open %s: %s", path, strerror(err));
		break;
	}
	return buf;
}
