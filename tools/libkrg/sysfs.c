// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - read the small files of KRG_SYSFS_DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libkrg.h"

int krg_sysfs_read(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd, err;

	if (!len) {
		errno = ERANGE;
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", KRG_SYSFS_DIR,
			     name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* sysfs returns a whole attribute in one read. */
	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n == len) {
		buf[len - 1] = '\0';
		errno = ERANGE;
		return -1;
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}
