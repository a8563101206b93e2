// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun - a terminal for the migration scenarios, as a login would give.
 *
 * ptyrun OUT CMD [ARG...]: runs CMD in a session of its own whose
 * controlling terminal is a new pty (its stdin, stdout and stderr), and
 * appends everything written to that terminal to the file OUT, as it
 * comes. It prints CMD's pid on its own stdout, then waits for CMD and
 * ends with its status (a signal's 128 + N), after the terminal's last
 * bytes are in OUT. The terminal keeps its usual settings (ONLCR: OUT has
 * "\r\n" line ends).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void copy_out(int master, int out)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(master, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
}

int main(int argc, char **argv)
{
	int master, out, status = 0;
	char name[64];
	pid_t pid;

	if (argc < 3) {
		fputs("usage: ptyrun OUT CMD [ARG...]\n", stderr);
		return 2;
	}
	out = open(argv[1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (out < 0 || master < 0 || grantpt(master) || unlockpt(master) ||
	    ptsname_r(master, name, sizeof(name))) {
		perror("ptyrun");
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (!pid) {
		int slave;

		setsid();
		slave = open(name, O_RDWR);	/* a session leader's first: its ctty */
		if (slave < 0)
			_exit(126);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	printf("%d\n", (int)pid);
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		pid_t w;

		if (poll(&p, 1, 200) > 0) {
			char buf[4096];
			ssize_t n = read(master, buf, sizeof(buf));

			if (n > 0 && write(out, buf, (size_t)n) != n)
				return 2;
			if (n < 0 && errno == EIO)
				usleep(200 * 1000);	/* nobody holds the terminal now */
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
	}
	fcntl(master, F_SETFL, O_NONBLOCK);
	copy_out(master, out);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
