// SPDX-License-Identifier: GPL-2.0
/*
 * ghost_inject(): make a stopped process execve() krg-ghost (ghost.h says
 * what for) from the outside, with ptrace. x86-64 only.
 *
 * The task is seized (PTRACE_SEIZE: in group-stop, it traps at once), its
 * registers and signal mask saved, every signal blocked in it; the
 * execve()'s arguments are written below its stack pointer, past the red
 * zone, through /proc/PID/mem; its rip is pointed at a `syscall`
 * instruction of its [vdso] with rax = SYS_execve, and orig_rax = -1 so
 * that the syscall it was stopped in is not restarted on the way. Resumed
 * with PTRACE_SYSCALL, it executes that one instruction and then either
 * reports PTRACE_EVENT_EXEC (done) or the syscall's exit with -errno in
 * rax: then memory, registers and mask are put back and the detached task
 * goes back to its group-stop, where the syscall it was in is restarted
 * on SIGCONT as it would have been. Syscall stops rather than a single
 * step: the step's SIGTRAP is forced on the task, which resets the handler
 * of a blocked or ignored SIGTRAP.
 *
 * Signals sent meanwhile stay pending (blocked): the ghost gets them once
 * its handlers are in place. The SIGCONT that ends the group-stop is sent
 * while the task is still traced, SIGCONT alone unblocked: traced, it is
 * queued rather than discarded, and the detached task dequeues it with
 * the new program's default action (none) before its first instruction.
 * So the ghost does not stop again and never sees that SIGCONT.
 *
 * Every wait is bounded (GHOST_WAIT_MS). The caller may be the task's
 * parent (the unit test is): an exit meanwhile is then left for its
 * wait(); any other caller reaps it off ptrace so the parent is told.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ghost.h"

#define GHOST_WAIT_MS	5000	/* for the task to stop, in all */
#define GHOST_GRACE_MS	1000	/* more, after a PTRACE_INTERRUPT */
#define GHOST_STOPS_MAX	32	/* stops before the execve, at most */
#define GHOST_ARGS_MAX	4096	/* bytes written below the stack pointer */
#define GHOST_VDSO_MAX	65536	/* a [vdso] is two pages or so */
#define GHOST_RED_ZONE	128	/* the x86-64 ABI's, below rsp */
#define GHOST_USER_CS	0x33	/* a 64-bit task's code segment */

struct ghost_inj {
	pid_t pid;
	pid_t ppid;		/* its parent, whose wait() an exit is for */
	int mem;		/* /proc/PID/mem, or -1 */
	unsigned long long deadline;	/* CLOCK_MONOTONIC, ns */
	bool interrupted;	/* the grace PTRACE_INTERRUPT was sent */
	bool mask_set;		/* @mask replaced in the task */
	bool regs_set;		/* @regs replaced in the task */
	uint64_t mask;		/* its blocked signals, as stopped */
	struct user_regs_struct regs;	/* its registers, as stopped */
	unsigned long addr;	/* where the arguments went, */
	size_t len;		/* how many bytes (0: none written), */
	unsigned char saved[GHOST_ARGS_MAX];	/* and what they overwrote */
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3))) ghost_fail(struct ghost_inj *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(g->err, g->errlen, "pid %d: ", (int)g->pid);
	if (n >= 0 && (size_t)n < g->errlen) {
		va_start(ap, fmt);
		vsnprintf(g->err + n, g->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static unsigned long long ghost_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The task's state letter (/proc/PID/stat) and its parent: 0, or -1 with
 * errno (ENOENT: no such process, EINVAL: unreadable).
 */
static int ghost_state(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	/* the command name, in parentheses, may hold anything: skip past it */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", state, ppid) != 2) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Refuse anything but a thread group leader in group-stop; note its parent. */
static int ghost_check(struct ghost_inj *g)
{
	char path[64], buf[256];
	int tgid = 0;
	char state;
	FILE *f;

	if (ghost_state(g->pid, &state, &g->ppid))
		return ghost_fail(g, "%s", errno == ENOENT ? "no such process" :
				  errno == EINVAL ? "unreadable /proc/PID/stat" : strerror(errno));
	if (state == 't')
		return ghost_fail(g, "traced by another process (state t)");
	if (state != 'T')
		return ghost_fail(g, "not stopped (state %c)", state);

	snprintf(path, sizeof(path), "/proc/%d/status", (int)g->pid);
	f = fopen(path, "re");
	if (!f)
		return ghost_fail(g, "%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	if (tgid != g->pid)
		return ghost_fail(g, "not a thread group leader (its process is %d)", tgid);
	return 0;
}

/*
 * Wait for the task's next ptrace stop: its code (the signal | the ptrace
 * event << 8, or SIGTRAP | 0x80 for a syscall stop), or -1 if it ended or
 * did not stop in time (@err says which): nothing more can be done then.
 * At the deadline it is sent one PTRACE_INTERRUPT, which stops it unless
 * it is deep in a syscall. Polled: a ptrace stop wakes no pidfd. Stops
 * are taken without WEXITED, so that an exit is never reaped by mistake.
 */
static int ghost_wait(struct ghost_inj *g)
{
	unsigned int nap = 20;	/* us, doubling to 1 ms */
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, g->pid, &si, WSTOPPED | WNOHANG | __WALL) &&
		    si.si_pid == g->pid)
			return si.si_status;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, g->pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL)) {
			if (errno != EINTR)
				return ghost_fail(g, "waitid: %s", strerror(errno));
		} else if (si.si_pid == g->pid) {
			/* a tracer is told of stops even without WSTOPPED */
			if (si.si_code == CLD_TRAPPED || si.si_code == CLD_STOPPED)
				continue;	/* stopped since the first waitid */
			if (g->ppid != getpid())
				waitid(P_PID, g->pid, &si, WEXITED | WNOHANG | __WALL);
			if (si.si_code == CLD_EXITED)
				ghost_fail(g, "exited (status %d) during the injection",
					   si.si_status);
			else
				ghost_fail(g, "killed by signal %d during the injection",
					   si.si_status);
			return -1;
		}

		if (ghost_now() >= g->deadline) {
			if (g->interrupted)
				return ghost_fail(g, "did not stop in %d ms; left traced",
						  GHOST_WAIT_MS + GHOST_GRACE_MS);
			ptrace(PTRACE_INTERRUPT, g->pid, 0, 0);
			g->interrupted = true;
			g->deadline += GHOST_GRACE_MS * 1000000ULL;
		}
		usleep(nap);
		if (nap < 1000)
			nap *= 2;
	}
}

/* The address of bytes 0f 05 (`syscall`) in the task's [vdso], or 0. */
static unsigned long ghost_vdso_syscall(struct ghost_inj *g)
{
	unsigned long start = 0, end = 0, sc = 0;
	char path[64], line[512];
	unsigned char *text;
	size_t len, i;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)g->pid);
	f = fopen(path, "re");
	if (!f) {
		ghost_fail(g, "%s: %s", path, strerror(errno));
		return 0;
	}
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " [vdso]") && sscanf(line, "%lx-%lx", &start, &end) == 2)
			break;
	fclose(f);
	if (end <= start) {
		ghost_fail(g, "no [vdso] mapping");
		return 0;
	}

	len = end - start < GHOST_VDSO_MAX ? end - start : GHOST_VDSO_MAX;
	text = malloc(len);
	if (!text) {
		ghost_fail(g, "out of memory");
		return 0;
	}
	n = pread(g->mem, text, len, start);
	for (i = 0; n > 1 && i < (size_t)n - 1; i++)
		if (text[i] == 0x0f && text[i + 1] == 0x05) {
			sc = start + i;
			break;
		}
	free(text);
	if (n < 0)
		ghost_fail(g, "cannot read its [vdso]: %s", strerror(errno));
	else if (!sc)
		ghost_fail(g, "no syscall instruction in its [vdso]");
	return sc;
}

/*
 * Write @path, @argv and an empty environment below the task's stack
 * pointer (keeping what was there) and set its registers for the execve.
 */
static int ghost_load(struct ghost_inj *g, const char *path, char *const argv[])
{
	unsigned char buf[GHOST_ARGS_MAX];
	unsigned long sc, at, *ptrs;
	struct user_regs_struct r;
	size_t argc, len, n, i;

	len = strlen(path) + 1 + sizeof(long);
	for (argc = 0; argv[argc] && len <= sizeof(buf); argc++)
		len += strlen(argv[argc]) + 1 + sizeof(long);
	if (len > sizeof(buf))
		return ghost_fail(g, "execve(%s): arguments longer than %zu bytes",
				  path, sizeof(buf));

	sc = ghost_vdso_syscall(g);
	if (!sc)
		return -1;

	/* argv[] first (16-aligned), its NULL doubling as envp; the strings */
	g->addr = (g->regs.rsp - GHOST_RED_ZONE - len) & ~15UL;
	ptrs = (unsigned long *)buf;
	at = (argc + 1) * sizeof(long);
	n = strlen(path) + 1;
	memcpy(buf + at, path, n);
	r = g->regs;
	r.rdi = g->addr + at;
	for (i = 0, at += n; i < argc; i++, at += n) {
		n = strlen(argv[i]) + 1;
		memcpy(buf + at, argv[i], n);
		ptrs[i] = g->addr + at;
	}
	ptrs[argc] = 0;
	r.rsi = g->addr;
	r.rdx = g->addr + argc * sizeof(long);
	r.rip = sc;
	r.rax = SYS_execve;
	r.orig_rax = -1;

	if (pread(g->mem, g->saved, len, g->addr) != (ssize_t)len)
		return ghost_fail(g, "cannot read its stack at 0x%lx: %s", g->addr,
				  strerror(errno));
	g->len = len;	/* from here on, undone even if partly written */
	if (pwrite(g->mem, buf, len, g->addr) != (ssize_t)len)
		return ghost_fail(g, "cannot write its stack at 0x%lx: %s", g->addr,
				  strerror(errno));
	g->regs_set = true;
	if (ptrace(PTRACE_SETREGS, g->pid, 0, &r))
		return ghost_fail(g, "ptrace(SETREGS): %s", strerror(errno));
	return 0;
}

/*
 * Run the execve: 1 once it is done (stopped at PTRACE_EVENT_EXEC), -1
 * if it failed (stopped: to undo), -2 if the task is gone or out of
 * reach (@err says why in both cases).
 */
static int ghost_run(struct ghost_inj *g, const char *path)
{
	struct user_regs_struct r;
	bool entered = false;
	int stops = 0, code;

	for (;;) {
		if (!entered && ++stops > GHOST_STOPS_MAX)
			return ghost_fail(g, "stopped %d times before the execve", stops);
		if (ptrace(PTRACE_SYSCALL, g->pid, 0, 0)) {
			ghost_fail(g, "ptrace(SYSCALL): %s", strerror(errno));
			return -2;
		}
		code = ghost_wait(g);
		if (code < 0)
			return -2;
		if (code == (SIGTRAP | PTRACE_EVENT_EXEC << 8))
			return 1;
		if (code != (SIGTRAP | 0x80))
			/*
			 * A PTRACE_EVENT_STOP (the second trap of a task
			 * seized in group-stop, and the grace interrupt) or
			 * a SIGSTOP's delivery (the rest are blocked): the
			 * resumption above suppresses it.
			 */
			continue;
		if (!entered) {
			entered = true;
			continue;
		}
		if (ptrace(PTRACE_GETREGS, g->pid, 0, &r))
			return ghost_fail(g, "ptrace(GETREGS): %s", strerror(errno));
		return ghost_fail(g, "execve(%s): %s", path,
				  (long long)r.rax < 0 ? strerror(-(long long)r.rax) :
				  "returned without an exec event");
	}
}

/*
 * Put back what was changed in the stopped task, and let it go with @sig
 * (the signal it was stopped to deliver, or 0). Best effort: none of these
 * fails on a task in a ptrace stop but for -ESRCH (SIGKILLed meanwhile).
 */
static void ghost_undo(struct ghost_inj *g, int sig)
{
	ssize_t n;

	if (g->len) {
		n = pwrite(g->mem, g->saved, g->len, g->addr);
		(void)n;
	}
	if (g->regs_set)
		ptrace(PTRACE_SETREGS, g->pid, 0, &g->regs);
	if (g->mask_set)
		ptrace(PTRACE_SETSIGMASK, g->pid, sizeof(g->mask), &g->mask);
	ptrace(PTRACE_DETACH, g->pid, 0, (long)sig);
}

/*
 * Wait for the detached task to be back in its group-stop: it re-enters
 * it by itself, but not before ghost_inject() returns. Bounded: it may
 * have been continued meanwhile, and then it never does.
 */
static void ghost_restopped(struct ghost_inj *g)
{
	unsigned long long end = ghost_now() + GHOST_GRACE_MS * 1000000ULL;
	unsigned int nap = 20;
	char state;
	pid_t ppid;

	while (!ghost_state(g->pid, &state, &ppid) && state != 'T' &&
	       ghost_now() < end) {
		usleep(nap);
		if (nap < 1000)
			nap *= 2;
	}
}

int ghost_inject(pid_t pid, const char *path, char *const argv[], char *err,
		 size_t errlen)
{
	uint64_t all = ~0ULL, cont;
	int ret = -1, sig = 0, code;
	bool stopped = false;	/* it was seized in group-stop */
	struct ghost_inj *g;
	char mem[64];

	g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "pid %d: out of memory", (int)pid);
		return -1;
	}
	g->pid = pid;
	g->mem = -1;
	g->err = err;
	g->errlen = errlen;
	g->deadline = ghost_now() + GHOST_WAIT_MS * 1000000ULL;

	if (ghost_check(g))
		goto out_free;
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD)) {
		ghost_fail(g, "ptrace: %s", strerror(errno));
		goto out_free;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		ghost_fail(g, "ptrace(INTERRUPT): %s", strerror(errno));
		goto out_free;	/* it is gone: nothing to detach */
	}
	code = ghost_wait(g);
	if (code < 0)
		goto out_free;
	/*
	 * A task seized in group-stop reports that stop first (its stop
	 * signal). Anything else, the interrupt's own trap (SIGTRAP) or a
	 * signal to deliver (handed back), says it was continued since the
	 * check.
	 */
	if (code >> 8 != PTRACE_EVENT_STOP || (code & 0x7f) == SIGTRAP) {
		if (!(code >> 8))
			sig = code & 0x7f;
		ghost_fail(g, "not stopped (continued meanwhile)");
		goto out_undo;
	}
	stopped = true;

	if (ptrace(PTRACE_GETREGS, pid, 0, &g->regs)) {
		ghost_fail(g, "ptrace(GETREGS): %s", strerror(errno));
		goto out_undo;
	}
	if (g->regs.cs != GHOST_USER_CS) {
		ghost_fail(g, "not a 64-bit process");
		goto out_undo;
	}
	if (ptrace(PTRACE_GETSIGMASK, pid, sizeof(g->mask), &g->mask)) {
		ghost_fail(g, "ptrace(GETSIGMASK): %s", strerror(errno));
		goto out_undo;
	}
	g->mask_set = true;
	if (ptrace(PTRACE_SETSIGMASK, pid, sizeof(all), &all)) {
		ghost_fail(g, "ptrace(SETSIGMASK): %s", strerror(errno));
		goto out_undo;
	}

	snprintf(mem, sizeof(mem), "/proc/%d/mem", (int)pid);
	g->mem = open(mem, O_RDWR | O_CLOEXEC);
	if (g->mem < 0) {
		ghost_fail(g, "%s: %s", mem, strerror(errno));
		goto out_undo;
	}
	if (ghost_load(g, path, argv))
		goto out_undo;

	code = ghost_run(g, path);
	if (code == -1)
		goto out_undo;
	if (code != 1)
		goto out_close;	/* gone, or out of reach */

	/* the header comment says why SIGCONT now, and alone unblocked */
	cont = ~(1ULL << (SIGCONT - 1));
	ptrace(PTRACE_SETSIGMASK, pid, sizeof(cont), &cont);
	kill(pid, SIGCONT);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	ret = 0;
	goto out_close;

out_undo:
	ghost_undo(g, sig);
	if (stopped)
		ghost_restopped(g);
out_close:
	if (g->mem >= 0)
		close(g->mem);
out_free:
	free(g);
	return ret;
}
