/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ghosts: what a process that migrated to another machine leaves behind.
 * The original keeps its pid, parent, process group, session and fds, so
 * that its parent's wait() and its job control still work, but it runs
 * krg-ghost (tools/krg-ghost/) instead: krgd turns it into one with
 * ghost_inject() (ghost.c), and the ghost and krgd then talk over an
 * abstract AF_UNIX SOCK_SEQPACKET socket named "\0krg-ghost/<pid>" (the
 * ghost listens, krgd connects; the ghost accepts root only), in
 * struct krg_ghost_msg, one a packet.
 */
#ifndef _KRG_GHOST_H
#define _KRG_GHOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KRG_GHOST_MAGIC		0x4b524748	/* "KRGH" */
/* The socket's name after its leading NUL byte: %d is the ghost's pid. */
#define KRG_GHOST_SOCK_FMT	"krg-ghost/%d"

/* Both directions, host byte order (the two ends are on one machine). */
struct krg_ghost_msg {
	uint32_t magic;		/* KRG_GHOST_MAGIC */
	uint32_t type;		/* enum krg_ghost_type */
	int32_t value;
};

enum krg_ghost_type {
	KRG_GHOST_SIG = 1,	/* ghost -> krgd: value = a signal it received */
	KRG_GHOST_EXIT = 2,	/* krgd -> ghost: value = a wait(2) status to end with */
	KRG_GHOST_HELLO = 3,	/* ghost -> krgd, on each new connection: value = its pid */
	KRG_GHOST_DATA = 4,	/* krgd -> ghost: value = its fd to write the
				 * bytes after the header to (its copy's
				 * output, relay.c) */
};

/* The bytes of one KRG_GHOST_DATA packet, at most. */
#define KRG_GHOST_DATA_MAX	65536

/*
 * Turn the stopped process @pid (a thread group leader in group-stop) into
 * @path executed with @argv (NULL-terminated, argv[0] first), keeping its pid,
 * parent, pgid, sid and non-CLOEXEC fds. 0 on success: the process runs
 * @path (it got SIGCONT). -1 on failure with @err saying why (naming the pid);
 * then the process is as it was: stopped, its registers and the memory used
 * restored, not traced.
 *
 * @path starts with every signal blocked but SIGCONT: the signals sent to the
 * process meanwhile (or pending in it before) wait for it to install its
 * handlers, and the one SIGCONT that resumed it is not among them. The caller
 * needs CAP_SYS_PTRACE (krgd is root); it may be the process's parent.
 * The calling thread is the process's tracer meanwhile: no other thread
 * of the caller may then wait for any child (pid -1 or a group: tracees
 * count as children, and it could take the stops this one waits for).
 * Takes a millisecond or so, a few seconds at most (GHOST_WAIT_MS in
 * ghost.c).
 */
int ghost_inject(pid_t pid, const char *path, char *const argv[], char *err,
		 size_t errlen);

#endif /* _KRG_GHOST_H */
