// SPDX-License-Identifier: GPL-2.0
/*
 * admin.c - krgadm's side of krgd's administration socket: one request,
 * one reply, on a SOCK_SEQPACKET connection (libkrg.h).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "libkrg.h"

int krg_admin_call(const struct krg_admin_req *req,
		   struct krg_admin_reply *reply, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p = { .events = POLLIN };
	int fd, n, saved;
	ssize_t got;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	strncpy(sa.sun_path, KRG_ADMIN_SOCKET, sizeof(sa.sun_path) - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, req, sizeof(*req), MSG_NOSIGNAL) != (ssize_t)sizeof(*req))
		goto fail;
	p.fd = fd;
	n = poll(&p, 1, timeout_ms);
	if (n <= 0) {
		if (!n)
			errno = ETIMEDOUT;
		goto fail;
	}
	got = recv(fd, reply, sizeof(*reply), 0);
	if (got < 0)
		goto fail;
	if (got != (ssize_t)sizeof(*reply) || reply->magic != KRG_ADMIN_MAGIC ||
	    reply->version != KRG_ADMIN_VERSION ||
	    reply->size != sizeof(*reply)) {
		errno = EPROTO;
		goto fail;
	}
	reply->message[sizeof(reply->message) - 1] = '\0';
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
