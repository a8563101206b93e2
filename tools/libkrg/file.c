// SPDX-License-Identifier: GPL-2.0
/*
 * file.c - the small files of sysfs and configfs: read one into a buffer,
 * write one value.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libkrg.h"

int krg_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	if (!len) {
		errno = ERANGE;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* An attribute comes whole from one read. */
	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	err = (size_t)n == len ? ERANGE : 0;
	if (err)
		n--;
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int krg_write_file(const char *path, const char *value)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A store takes the whole value, or refuses it, in one write. */
	if (write(fd, value, strlen(value)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return close(fd);
}

int krg_sysfs_read(const char *name, char *buf, size_t len)
{
	char path[256];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", KRG_SYSFS_DIR,
			     name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return krg_read_file(path, buf, len);
}
