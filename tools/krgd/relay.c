// SPDX-License-Identifier: GPL-2.0
/*
 * A migrated process's terminal and pipes (docs/cluster.md, "Its terminal
 * and pipes"). A process started from a terminal, or writing into a pipe,
 * keeps writing there after it moved to another machine: its ghost, at
 * its home, still holds the original's fds.
 *
 * The source names each such file in the offer (struct mig_relay: CRIU's
 * name for it, the ghost's fd its bytes go to). Before the restore, the
 * target makes a local one of the same kind: a pty (with the terminal's
 * settings and size, which CRIU restores too, but output processing off:
 * the real terminal does it)
 * or a pipe, and gives CRIU the copy's end (--inherit-fd); it keeps the
 * other end. Once the copy runs, a thread reads what the copy writes and
 * sends it to the home's krgd on a channel connection of its own
 * (MIG_RELAY_*), which hands it to the ghost (KRG_GHOST_DATA), which
 * writes it to its own fd. Each step waits for the next: a terminal that
 * does not take more, or a pipe nobody reads, makes the copy wait as it
 * would have waited at home.
 *
 * Order. The home takes one relay at a time per ghost, in the order they
 * come: after a move on (node 1 to node 2), what node 1's copy wrote
 * before it was frozen (left in its pty or pipe) reaches the ghost before
 * anything of node 2's. And a copy's end is told home (MV_EXIT, mover.c)
 * only after its output has all been taken (relay_drain()), so the ghost
 * writes it all before it ends.
 *
 * Input is not relayed: a copy reading its terminal waits (as a job in
 * the background would); pipes it reads from are refused (movecheck.c).
 *
 * Lifetime: a relay belongs to the runner of its copy (mover.c) and to
 * its thread, counted in refs; the last relay_put() frees it. lock
 * protects refs and done; everything else is set before the thread
 * starts and only read afterwards, or belongs to the thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "krgd.h"
#include "ghost.h"
#include "mover.h"

#define RELAY_ALIVE_MS	30000	/* a keepalive, when the copy is quiet */
#define RELAY_IDLE_MS	90000	/* the home's wait for the next frame */
#define RELAY_GHOST_MS	30000	/* the home's wait for its ghost (made after RUNNING) */
#define RELAY_WORD_MS	30000	/* for the home's answer to OPEN and END */
#define RELAY_SEND_MS	600000	/* a terminal paused (^S) this long loses output */

struct relay_end {
	int kind;		/* enum mig_relay_kind */
	int local;		/* ours: the pty's master, the pipe's read end; -1 */
	int copy;		/* the copy's, until the restore is over; -1 */
	int ghost_fd;		/* where the ghost writes it; -1: nowhere */
	char local_id[48];	/* CRIU's name for the copy's end here */
	char arg[80];		/* "fd[N]:ID" for --inherit-fd */
};

struct relay {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* done */
	int refs;
	int done;		/* every end closed and sent */
	uint32_t home;
	pid_t pid;
	uint64_t id;
	struct chan_conn *c;	/* to the home's krgd, or NULL */
	unsigned int n;
	struct relay_end e[MIG_RELAY_MAX];
};

static void end_close(struct relay_end *e)
{
	if (e->local >= 0)
		close(e->local);
	if (e->copy >= 0)
		close(e->copy);
	e->local = -1;
	e->copy = -1;
}

/* A pty for the terminal @m: its master into @e->local, its slave into @e->copy. */
static int make_pty(const struct mig_relay *m, pid_t pid, uid_t uid,
		    struct relay_end *e, char *why, size_t len)
{
	struct termios tio = m->tio;
	char name[64];

	e->local = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e->local < 0 || grantpt(e->local) || unlockpt(e->local) ||
	    ptsname_r(e->local, name, sizeof(name))) {
		snprintf(why, len, "no pty for its terminal (fd %d): %s", m->ghost_fd,
			 strerror(errno));
		return -1;
	}
	e->copy = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (e->copy < 0 || fchown(e->copy, uid, (gid_t)-1)) {
		snprintf(why, len, "no pty for its terminal (fd %d): %s: %s", m->ghost_fd,
			 name, strerror(errno));
		return -1;
	}
	/* the terminal at home processes the output, this one passes it on */
	tio.c_oflag &= ~(tcflag_t)OPOST;
	if (tcsetattr(e->copy, TCSANOW, &tio))
		say(LOG_INFO, "move: process %d: its terminal's settings do not apply to %s: %s",
		    pid, name, strerror(errno));
	if (m->ws.ws_row || m->ws.ws_col)
		ioctl(e->copy, TIOCSWINSZ, &m->ws);
	return 0;
}

struct relay *relay_prepare(const struct mig_offer *o, int me, char *why, size_t len)
{
	struct relay *r = calloc(1, sizeof(*r));
	struct stat st;

	if (!r) {
		snprintf(why, len, "node %d: out of memory", me);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->refs = 1;
	r->home = o->home;
	r->pid = o->pid;
	r->id = o->id;
	for (unsigned int i = 0; i < MIG_RELAY_MAX; i++)
		r->e[i].local = r->e[i].copy = -1;
	if (o->nrelay > MIG_RELAY_MAX) {
		snprintf(why, len, "an offer with %u relayed files (at most %d)", o->nrelay,
			 MIG_RELAY_MAX);
		goto fail;
	}
	for (unsigned int i = 0; i < o->nrelay; i++) {
		const struct mig_relay *m = &o->relay[i];
		struct relay_end *e = &r->e[i];
		char id[sizeof(m->id) + 1];
		int p[2];

		r->n = i + 1;
		snprintf(id, sizeof(id), "%.*s", (int)sizeof(m->id), m->id);
		e->kind = (int)m->kind;
		e->ghost_fd = m->ghost_fd < 0 ? -1 : m->ghost_fd;
		if (m->kind == MIG_RELAY_TTY && !strncmp(id, "tty[", 4)) {
			if (make_pty(m, o->pid, o->uid, e, why, len))
				goto fail;
		} else if (m->kind == MIG_RELAY_PIPE && !strncmp(id, "pipe:[", 6)) {
			if (pipe2(p, O_CLOEXEC)) {
				snprintf(why, len, "no pipe for its fd %d: %s", m->ghost_fd,
					 strerror(errno));
				goto fail;
			}
			e->local = p[0];
			e->copy = p[1];
		} else {
			snprintf(why, len, "an offer with a relayed file of another kind (%u, '%s')",
				 m->kind, id);
			goto fail;
		}
		if (fstat(e->copy, &st)) {
			snprintf(why, len, "node %d: %s", me, strerror(errno));
			goto fail;
		}
		if (e->kind == MIG_RELAY_TTY)
			snprintf(e->local_id, sizeof(e->local_id), "tty[%llx:%llx]",
				 (unsigned long long)st.st_rdev, (unsigned long long)st.st_dev);
		else
			snprintf(e->local_id, sizeof(e->local_id), "pipe:[%llu]",
				 (unsigned long long)st.st_ino);
		snprintf(e->arg, sizeof(e->arg), "fd[%d]:%s", e->copy, id);
		fcntl(e->local, F_SETFL, fcntl(e->local, F_GETFL) | O_NONBLOCK);
	}
	return r;
fail:
	relay_put(r);
	return NULL;
}

int relay_restore_args(struct relay *r, char **argv, int max, int *keep, int maxkeep)
{
	int n = 0;

	if ((int)r->n * 2 > max || (int)r->n > maxkeep)
		return -1;
	for (unsigned int i = 0; i < r->n; i++) {
		argv[n++] = "--inherit-fd";
		argv[n++] = r->e[i].arg;
		keep[i] = r->e[i].copy;
	}
	return n;
}

void relay_restored(struct relay *r)
{
	struct termios tio;

	for (unsigned int i = 0; i < r->n; i++) {
		/* CRIU put the dumped settings back: output processing off again */
		if (r->e[i].kind == MIG_RELAY_TTY && r->e[i].copy >= 0 &&
		    !tcgetattr(r->e[i].copy, &tio)) {
			tio.c_oflag &= ~(tcflag_t)OPOST;
			tcsetattr(r->e[i].copy, TCSANOW, &tio);
		}
		if (r->e[i].copy >= 0)
			close(r->e[i].copy);
		r->e[i].copy = -1;
	}
}

int relay_connect(struct relay *r, char *why, size_t len)
{
	struct mig_relay_open op = {
		.magic = MIG_MAGIC, .version = MIG_VERSION, .home = r->home,
		.pid = r->pid, .id = r->id,
	};
	char e[256], buf[512];
	uint16_t type;
	uint32_t rlen;

	if (!r->n)
		return 0;
	r->c = mover_connect(r->home, e, sizeof(e));
	if (!r->c) {
		snprintf(why, len, "its output cannot reach its home: %s", e);
		return -1;
	}
	chan_conn_set_timeout(r->c, RELAY_WORD_MS);
	if (chan_request(r->c, MIG_RELAY_OPEN, &op, sizeof(op), &type, buf, sizeof(buf),
			 &rlen) || type != MIG_RELAY_OK) {
		snprintf(why, len, "node %u's agent takes no output of it: %s", r->home,
			 chan_conn_error(r->c));
		chan_close(r->c);
		r->c = NULL;
		return -1;
	}
	chan_conn_set_timeout(r->c, RELAY_SEND_MS);
	return 0;
}

/* The copy's output, home, until every end is closed (the copy's end). */
static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct mig_relay_data *d = malloc(sizeof(*d) + KRG_GHOST_DATA_MAX);
	struct pollfd p[MIG_RELAY_MAX];
	int idx[MIG_RELAY_MAX];

	for (;;) {
		unsigned int n = 0;
		int k;

		for (unsigned int i = 0; i < r->n; i++)
			if (r->e[i].local >= 0) {
				idx[n] = (int)i;
				p[n++] = (struct pollfd){ .fd = r->e[i].local, .events = POLLIN };
			}
		if (!n)
			break;
		k = poll(p, n, RELAY_ALIVE_MS);
		if (k < 0 && errno != EINTR)
			break;
		if (!k && r->c && d) {
			d->ghost_fd = -1;
			if (chan_send(r->c, MIG_RELAY_DATA, d, sizeof(*d)))
				goto lost;
			continue;
		}
		for (unsigned int j = 0; k > 0 && j < n; j++) {
			struct relay_end *e = &r->e[idx[j]];
			ssize_t got;

			if (!p[j].revents)
				continue;
			got = d ? read(e->local, d + 1, KRG_GHOST_DATA_MAX) : -1;
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (got <= 0) {
				/* EOF, or EIO: a pty whose slave is closed */
				close(e->local);
				e->local = -1;
				continue;
			}
			if (!r->c || e->ghost_fd < 0)
				continue;
			d->ghost_fd = e->ghost_fd;
			if (chan_send(r->c, MIG_RELAY_DATA, d, sizeof(*d) + (uint32_t)got))
				goto lost;
		}
		continue;
lost:
		say(LOG_WARNING, "move: process %d: its output no longer reaches node %u: %s; what it writes now is dropped",
		    r->pid, r->home, chan_conn_error(r->c));
		chan_close(r->c);
		r->c = NULL;
	}
	if (r->c) {
		char buf[512];
		uint16_t type;
		uint32_t len;

		chan_conn_set_timeout(r->c, RELAY_WORD_MS);
		if (chan_request(r->c, MIG_RELAY_END, NULL, 0, &type, buf, sizeof(buf), &len) ||
		    type != MIG_RELAY_OK)
			say(LOG_WARNING, "move: process %d: node %u did not say it took all its output: %s",
			    r->pid, r->home, chan_conn_error(r->c));
		chan_close(r->c);
		r->c = NULL;
	}
	free(d);
	pthread_mutex_lock(&r->lock);
	r->done = 1;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	relay_put(r);
	return NULL;
}

void relay_start(struct relay *r)
{
	pthread_attr_t at;
	pthread_t t;

	pthread_mutex_lock(&r->lock);
	r->refs++;
	pthread_mutex_unlock(&r->lock);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (!r->n || pthread_create(&t, &at, relay_main, r)) {
		if (r->n)
			say(LOG_ERR, "move: process %d: no thread for its output", r->pid);
		pthread_mutex_lock(&r->lock);
		r->done = 1;
		pthread_mutex_unlock(&r->lock);
		relay_put(r);
	}
	pthread_attr_destroy(&at);
}

void relay_drain(struct relay *r, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->lock);
	while (!r->done)
		if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT)
			break;
	if (!r->done)
		say(LOG_INFO, "move: process %d ended; its terminal or pipe is still written to here (its children?)",
		    r->pid);
	pthread_mutex_unlock(&r->lock);
}

int relay_ghost_fd(const struct relay *r, const char *id, int *ghost_fd)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (!strcmp(r->e[i].local_id, id)) {
			*ghost_fd = r->e[i].ghost_fd;
			return 0;
		}
	return -1;
}

void relay_put(struct relay *r)
{
	int last;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	last = !--r->refs;
	pthread_mutex_unlock(&r->lock);
	if (!last)
		return;
	for (unsigned int i = 0; i < MIG_RELAY_MAX; i++)
		end_close(&r->e[i]);
	if (r->c)
		chan_close(r->c);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* ---- the home ---- */

int relay_serve(struct chan_conn *c, const void *body, uint32_t len)
{
	const struct mig_relay_open *op = body;
	const struct mig_relay_data *d;
	struct krg_ghost_msg *m;
	unsigned int from = chan_conn_node(c);
	char *buf, *pkt;
	int owner, fd = -1, given_up = 0, ret = -1;
	pid_t pid;

	if (len != sizeof(*op) || op->magic != MIG_MAGIC || op->version != MIG_VERSION ||
	    op->pid <= 0)
		return chan_send_error(c, EPROTO, "a relay of another krgd version") ? -1 : 0;
	pid = op->pid;
	buf = malloc(sizeof(*d) + KRG_GHOST_DATA_MAX);
	pkt = malloc(sizeof(*m) + KRG_GHOST_DATA_MAX);
	if (!buf || !pkt) {
		free(buf);
		free(pkt);
		return chan_send_error(c, ENOMEM, "out of memory") ? -1 : 0;
	}
	if (chan_send(c, MIG_RELAY_OK, NULL, 0))
		goto out;
	chan_conn_set_timeout(c, RELAY_IDLE_MS);
	m = (struct krg_ghost_msg *)pkt;
	d = (const struct mig_relay_data *)buf;
	for (;;) {
		uint16_t type;
		uint32_t got, n;

		if (chan_recv(c, &type, buf, sizeof(*d) + KRG_GHOST_DATA_MAX, &got)) {
			say(LOG_WARNING, "move: output of process %d from node %u: %s", pid, from,
			    chan_conn_error(c));
			break;
		}
		if (type == MIG_RELAY_END) {
			mover_ghost_release(pid, &owner);
			chan_conn_set_timeout(c, RELAY_WORD_MS);
			ret = chan_send(c, MIG_RELAY_OK, NULL, 0) ? -1 : 0;
			break;
		}
		if (type != MIG_RELAY_DATA || got < sizeof(*d)) {
			say(LOG_WARNING, "move: output of process %d from node %u: a frame of type %u, closed",
			    pid, from, type);
			break;
		}
		n = got - (uint32_t)sizeof(*d);
		if (!n || d->ghost_fd < 0 || given_up)
			continue;
		if (fd < 0) {
			fd = mover_ghost_claim(pid, &owner, RELAY_GHOST_MS);
			if (fd < 0) {
				say(LOG_WARNING, "move: output of process %d from node %u: no ghost of it here; dropped",
				    pid, from);
				given_up = 1;
				continue;
			}
		}
		*m = (struct krg_ghost_msg){ .magic = KRG_GHOST_MAGIC, .type = KRG_GHOST_DATA,
					     .value = d->ghost_fd };
		memcpy(m + 1, d + 1, n);
		if (send(fd, pkt, sizeof(*m) + n, MSG_NOSIGNAL) != (ssize_t)(sizeof(*m) + n)) {
			say(LOG_INFO, "move: output of process %d: its ghost is gone (%s); dropped",
			    pid, strerror(errno));
			given_up = 1;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	mover_ghost_release(pid, &owner);
	free(buf);
	free(pkt);
	return ret;
}
