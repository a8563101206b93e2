// SPDX-License-Identifier: GPL-2.0
/*
 * krg-ghost NODE ID - what stays of a process that migrated to another
 * machine. krgd makes the stopped original execve() it (ghost_inject(),
 * tools/krgd/ghost.c), so it keeps the original's pid, parent, process
 * group, session and fds: the parent's wait() and job control still
 * work. NODE (where the process went) and ID (the migration) are there
 * for ps only.
 *
 * It relays the signals it gets to krgd, and ends as krgd tells it (with
 * the remote process's status), over an abstract AF_UNIX SOCK_SEQPACKET
 * socket "\0krg-ghost/<pid>" where it listens for root only, in
 * struct krg_ghost_msg (tools/krgd/ghost.h). One connection at a time: a
 * new one replaces the old (a restarted krgd). Signals that come with no
 * krgd connected wait in the handler's pipe, in order (one of each kind
 * in ghost_lost[] once the pipe is full), for the next connection: the
 * ghost never ends for want of krgd.
 *
 * It runs with the original's credentials. Its fds are the original's:
 * what the remote process writes to its terminal or to a pipe comes back
 * here (KRG_GHOST_DATA, tools/krgd/relay.c) and the ghost writes it to
 * its own fd, waiting as long as the fd makes it wait. A write that fails
 * drops those bytes (a reader gone: the SIGPIPE the ghost then gets goes
 * to the process, as it would have at home).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../krgd/ghost.h"

#define GHOST_RETRY_MS	1000	/* to try again for a name or an fd */

static int ghost_pipe[2];	/* the handler's queue, a byte a signal */
static unsigned char ghost_pkt[sizeof(struct krg_ghost_msg) + KRG_GHOST_DATA_MAX];
static volatile sig_atomic_t ghost_lost[_NSIG];	/* when it was full */

static void ghost_handler(int sig)
{
	unsigned char c = sig;
	int saved = errno;

	if (write(ghost_pipe[1], &c, 1) != 1)
		ghost_lost[sig] = 1;
	errno = saved;
}

/*
 * Set @sig's action to @handler (SIG_IGN, SIG_DFL only) past glibc, which
 * refuses its own signals 32 and 33 (thread cancellation, setxid): a
 * glibc program does not die of them, nor should its ghost.
 */
static void ghost_raw_action(int sig, void (*handler)(int))
{
	struct {	/* the kernel's struct sigaction on x86-64 */
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ka = { .handler = handler };

	syscall(SYS_rt_sigaction, sig, &ka, NULL, sizeof(ka.mask));
}

/* Catch every signal that can be (SIGCHLD is ignored), then unblock them. */
static void ghost_catch(void)
{
	struct sigaction sa = { .sa_handler = ghost_handler,
				.sa_flags = SA_RESTART };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t none;
	int sig;

	sigfillset(&sa.sa_mask);
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, sig == SIGCHLD ? &ign : &sa, NULL) && errno == EINVAL)
			ghost_raw_action(sig, SIG_IGN);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void ghost_nap(void)
{
	struct timespec ts = { GHOST_RETRY_MS / 1000, GHOST_RETRY_MS % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

/* Listen on "\0krg-ghost/<pid>": the socket, or -1 (the name is taken). */
static int ghost_listen(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, n;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, KRG_GHOST_SOCK_FMT,
		     (int)getpid());
	if (bind(fd, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 1 + n) ||
	    listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 0 sent, 1 to retry (the socket is full), -1 the connection is lost. */
static int ghost_send(int conn, uint32_t type, int32_t value)
{
	struct krg_ghost_msg m = { KRG_GHOST_MAGIC, type, value };

	if (send(conn, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(m))
		return 0;
	return errno == EAGAIN || errno == EINTR ? 1 : -1;
}

/* Write the @len bytes at @buf to our fd @fd, all of them, or give up. */
static void ghost_write(int fd, const unsigned char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, -1);	/* a non-blocking fd of the original's */
		} else {
			return;
		}
	}
}

/* End with the wait(2) status @status, if it is one that ends a process. */
static void ghost_end(int status)
{
	sigset_t none;
	int sig;

	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	if (!WIFSIGNALED(status))
		return;
	sig = WTERMSIG(status);
	if (sig >= _NSIG || sig == SIGSTOP)
		return;
	/* the parent sees the signal; a core of the ghost would tell nothing */
	prctl(PR_SET_DUMPABLE, 0);
	ghost_raw_action(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	kill(getpid(), sig);
	_exit(128 + sig);	/* one whose default is to be ignored */
}

/*
 * Send the queued signals in order (@carry, the one read but not sent,
 * first), until the socket is full (then kept in @carry) or the queue is
 * empty. -1 if the connection is lost (@carry kept for the next one).
 */
static int ghost_flush(int conn, int *carry)
{
	unsigned char c;
	int r, sig;

	for (;;) {
		if (!*carry) {
			if (read(ghost_pipe[0], &c, 1) == 1)
				*carry = c;
			for (sig = 1; !*carry && sig < _NSIG; sig++)
				if (ghost_lost[sig]) {
					ghost_lost[sig] = 0;
					*carry = sig;
				}
			if (!*carry)
				return 0;
		}
		r = ghost_send(conn, KRG_GHOST_SIG, *carry);
		if (r)
			return r > 0 ? 0 : -1;
		*carry = 0;
	}
}

/* A connection to the listener: root's, or closed at once. */
static int ghost_accept(int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0 ||
	    ghost_send(fd, KRG_GHOST_HELLO, getpid())) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char *argv[])
{
	int lfd = -1, conn = -1, carry = 0, fd, n, il, ic;
	struct rlimit core = { 0, 0 };
	struct krg_ghost_msg *m = (struct krg_ghost_msg *)ghost_pkt;
	struct pollfd pfd[3];
	sigset_t all;
	ssize_t r;

	if (argc != 3 || !argv[1][0] || !argv[2][0]) {
		fputs("usage: krg-ghost NODE ID (krgd runs it for a migrated process)\n",
		      stderr);
		return 2;
	}
	/* injected with all blocked but SIGCONT; run by hand, it is not */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	while (pipe2(ghost_pipe, O_NONBLOCK | O_CLOEXEC))
		ghost_nap();	/* the original used all its fds */
	setrlimit(RLIMIT_CORE, &core);
	ghost_catch();

	for (;;) {
		n = 0;
		il = -1;
		ic = -1;
		if (lfd < 0)
			lfd = ghost_listen();
		if (lfd >= 0) {
			il = n;
			pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		}
		if (conn >= 0) {
			ic = n;
			pfd[n++] = (struct pollfd){ .fd = conn,
				.events = POLLIN | (carry ? POLLOUT : 0) };
			if (!carry)
				pfd[n++] = (struct pollfd){ .fd = ghost_pipe[0],
					.events = POLLIN };
		}
		if (poll(pfd, n, lfd < 0 ? GHOST_RETRY_MS : -1) < 0)
			continue;	/* EINTR: a signal, queued in the pipe */

		if (ic >= 0 && (pfd[ic].revents & (POLLIN | POLLHUP | POLLERR))) {
			r = recv(conn, ghost_pkt, sizeof(ghost_pkt), MSG_DONTWAIT);
			if (r == sizeof(*m) && m->magic == KRG_GHOST_MAGIC &&
			    m->type == KRG_GHOST_EXIT)
				ghost_end(m->value);
			if (r > (ssize_t)sizeof(*m) && m->magic == KRG_GHOST_MAGIC &&
			    m->type == KRG_GHOST_DATA && m->value >= 0 &&
			    m->value != conn && m->value != lfd &&
			    m->value != ghost_pipe[0] && m->value != ghost_pipe[1])
				ghost_write(m->value, ghost_pkt + sizeof(*m),
					    (size_t)r - sizeof(*m));
			if (!r || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(conn);
				conn = -1;
			}
		}
		if (il >= 0 && (pfd[il].revents & POLLIN)) {
			fd = ghost_accept(lfd);
			if (fd >= 0) {
				if (conn >= 0)
					close(conn);
				conn = fd;
			}
		}
		/* the pipe and POLLOUT need no test: flushing is non-blocking */
		if (conn >= 0 && ghost_flush(conn, &carry)) {
			close(conn);
			conn = -1;
		}
	}
}
