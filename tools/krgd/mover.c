// SPDX-License-Identifier: GPL-2.0
/*
 * Processes crossing machines: krg.ko's migration orders carried out with
 * CRIU, in two phases (docs/cluster.md, "Migration"). At most one copy of
 * a process runs at any time, and one that ran before an attempt runs
 * somewhere after it.
 *
 * The source (a worker thread per order):
 *  1. checks the live process (movecheck.c): refused with the reason, and
 *     nothing frozen, if it cannot move;
 *  2. offers it to the target's agent over the channel (MIG_OFFER), which
 *     checks its side and answers with a TCP port and a one-time token;
 *  3. `criu dump -s` (the process is left stopped) with its pages to the
 *     target's `criu page-server`, both on that connection (--ps-socket),
 *     then the other images over the channel (MIG_FILE);
 *  4. MIG_RESTORE: the target runs `criu restore -d -s -S` (the copy, with
 *     the same pid, stays stopped) and gives it its krg state;
 *  5. asks krg.ko to begin (KRG_CMD_MIGRATE_BEGIN: the request did not end
 *     meanwhile), then multicasts COMMIT in the CPG group krg_move. The
 *     target resumes its copy when COMMIT is delivered and multicasts
 *     RUNNING; only then the source turns the original into a ghost (at
 *     its home) or kills it (a copy that moves on), and tells krg.ko DONE.
 * Any failure before COMMIT is an abort: ABORT in krg_move, the target
 * kills its copy, the original gets SIGCONT and goes on where it was.
 * A target whose source leaves the group before COMMIT kills its copy; a
 * source whose target leaves between COMMIT and RUNNING is in doubt: the
 * original stays stopped until that node's agent is back and says whether
 * its copy runs (QUERY; RUNNING or NOT_RUNNING).
 *
 * The ghost (ghost.c, krg-ghost) keeps the process's place at its home:
 * its pid, parent, group, session, fds. Signals it gets go to the copy
 * (SIG in krg_move, to whichever node runs it); the copy's end (EXIT, from
 * the node that reaps it: krgd is the subreaper of restored copies) ends
 * the ghost with the same status. A node that leaves takes the copies it
 * ran: their ghosts end as killed, with a line naming the node.
 *
 * Locking: lock protects every list below and is never held across I/O
 * to another node or a child; cond is signalled on every change.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include "krgd.h"
#include "ghost.h"
#include "mover.h"

#define MOVE_GROUP	"krg_move"
#define MOVE_MAGIC	0x4b52474f	/* "KRGO" */
#define MOVE_VERSION	1
#define MOVER_PID_MAX	4194304

enum move_type {
	MV_COMMIT = 1,		/* src's id: the copy at dst runs */
	MV_ABORT,		/* src's id: undone */
	MV_RUNNING,		/* from dst: its copy of src's id runs */
	MV_NOT_RUNNING,		/* from dst: it has no copy of src's id */
	MV_QUERY,		/* from src, to dst: does it run? */
	MV_SIG,			/* from home: signal value to (home, pid) */
	MV_EXIT,		/* to home: (home, pid) ended, wait status value */
};

struct move_msg {
	uint32_t magic, version, type;
	uint32_t src;
	uint64_t id;
	uint32_t dst, home;
	int32_t pid;
	int32_t value;
};

/* A target's session: a stopped copy waiting for the decision. */
struct tsession {
	struct tsession *next;
	uint32_t src;
	uint64_t id;
	int decided;		/* 0, MV_COMMIT, MV_ABORT, or -1: src left */
};

/* A source's wait for its target's word after COMMIT. */
struct ssession {
	struct ssession *next;
	uint64_t id;
	uint32_t dst;
	int word;		/* 0, MV_RUNNING, MV_NOT_RUNNING */
	int doubt;		/* dst left after COMMIT, before its word */
	int committed;		/* COMMIT sent */
	int gone;		/* dst left before COMMIT: abort */
	int pfd;		/* the page connection (shut down if gone), -1 */
	struct chan_conn *c;	/* the channel (likewise), or NULL */
};

/* A copy running here (restored, krgd's child) for its home's ghost. */
struct runner {
	struct runner *next;
	uint32_t home, src;
	uint64_t id;		/* of the migration that brought it */
	pid_t pid;
	int moved;		/* it went on: its end is no one's news */
	struct relay *relay;	/* its terminal and pipes (relay.c), or NULL */
};

/* A ghost here: the process runs at dst. */
struct ghost {
	struct ghost *next;
	pid_t pid;
	uint32_t dst;
	uint64_t id;
	int fd;			/* its socket, -1 until connected */
	const void *relay;	/* the relay writing to it (mover_ghost_claim()) */
	int status;		/* the end it is to be told, */
	int ending;		/* once its socket takes it (it is full) */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct tsession *tsessions;
static struct ssession *ssessions;
static struct runner *runners;
static struct ghost *ghosts;
static int joined;		/* in krg_move */
static unsigned char group_nodes[KRG_MAX_NODES / 8];	/* its members */

static int me = -1;
static struct chan_key chan_key;
static int chan_port;
static struct chan_peers chan_peers;
static int chan_ready;

static cpg_handle_t cpg;
static pthread_t thread;
static int started, stopping;
static int wake[2] = { -1, -1 };
static char ghost_path[4096];

static unsigned long n_done, n_refused, n_failed, n_collisions;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void poke(void)
{
	if (wake[1] >= 0 && write(wake[1], "", 1) < 0 && errno != EAGAIN)
		say(LOG_DEBUG, "move: wake: %s", strerror(errno));
}

/*
 * /dev/krg for one call of libkrg (which keeps one fd for its process):
 * one thread at a time, and closed after, so that krgd pins krg.ko only
 * while it uses it (rmmod krg works with krgd running).
 */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

static void dev_begin(void)
{
	pthread_mutex_lock(&dev_lock);
}

static void dev_end(void)
{
	krg_close();
	pthread_mutex_unlock(&dev_lock);
}

void mover_set_channel(const struct chan_key *key, int port,
		       const struct chan_peers *peers, int node)
{
	pthread_mutex_lock(&lock);
	me = node;
	chan_key = *key;
	chan_port = port;
	chan_peers = *peers;
	chan_ready = 1;
	pthread_mutex_unlock(&lock);
}

struct chan_conn *mover_connect(unsigned int node, char *why, size_t len)
{
	int ready;

	pthread_mutex_lock(&lock);
	ready = chan_ready;
	pthread_mutex_unlock(&lock);
	if (!ready) {
		snprintf(why, len, "the agents' channel is not up on node %d", me);
		return NULL;
	}
	return chan_connect(&chan_key, (unsigned int)me, &chan_peers, node, chan_port, 5000,
			    why, len);
}

int mover_ghost_claim(pid_t pid, const void *owner, int ms)
{
	struct timespec ts;
	int fd = -1;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	pthread_mutex_lock(&lock);
	for (;;) {
		struct ghost *g = ghosts;

		while (g && g->pid != pid)
			g = g->next;
		if (g && g->fd >= 0 && !g->ending && (!g->relay || g->relay == owner)) {
			g->relay = owner;
			fd = fcntl(g->fd, F_DUPFD_CLOEXEC, 0);
			break;
		}
		if (pthread_cond_timedwait(&cond, &lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&lock);
	return fd;
}

void mover_ghost_release(pid_t pid, const void *owner)
{
	pthread_mutex_lock(&lock);
	for (struct ghost *g = ghosts; g; g = g->next)
		if (g->pid == pid && g->relay == owner) {
			g->relay = NULL;
			pthread_cond_broadcast(&cond);
		}
	pthread_mutex_unlock(&lock);
}

/* ---- krg_move ---- */

static int mcast(uint32_t type, uint32_t src, uint64_t id, uint32_t dst,
		 uint32_t home, pid_t pid, int value)
{
	struct move_msg m = {
		.magic = MOVE_MAGIC, .version = MOVE_VERSION, .type = type,
		.src = src, .id = id, .dst = dst, .home = home, .pid = pid,
		.value = value,
	};
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	cs_error_t e = CS_ERR_TRY_AGAIN;

	for (int i = 0; i < 100 && e == CS_ERR_TRY_AGAIN; i++) {
		e = cpg_mcast_joined(cpg, CPG_TYPE_AGREED, &iov, 1);
		if (e == CS_ERR_TRY_AGAIN)
			usleep(20 * 1000);
	}
	if (e != CS_OK) {
		say(LOG_ERR, "move: krg_move: cannot send (corosync error %d)", e);
		return -1;
	}
	return 0;
}

static struct runner *runner_find(uint32_t home, pid_t pid)
{
	for (struct runner *r = runners; r; r = r->next)
		if (r->pid == pid && r->home == home && !r->moved)
			return r;
	return NULL;
}

/* The runner of @pid here, whatever its home: its home, or -1. */
static int runner_home(pid_t pid)
{
	int home = -1;

	pthread_mutex_lock(&lock);
	for (struct runner *r = runners; r; r = r->next)
		if (r->pid == pid && !r->moved)
			home = (int)r->home;
	pthread_mutex_unlock(&lock);
	return home;
}

/* Under lock: take @g off the list and free it. */
static void ghost_drop(struct ghost *g)
{
	for (struct ghost **p = &ghosts; *p; p = &(*p)->next)
		if (*p == g) {
			*p = g->next;
			break;
		}
	if (g->fd >= 0)
		close(g->fd);
	free(g);
}

/*
 * Under lock: end @g with the wait status @status, and drop it. Never
 * waits: a ghost busy writing its process's output (to a terminal that
 * takes no more) is told when its socket has room (move_main()).
 */
static void ghost_end(struct ghost *g, int status)
{
	struct krg_ghost_msg m = {
		.magic = KRG_GHOST_MAGIC, .type = KRG_GHOST_EXIT, .value = status,
	};

	g->status = status;
	g->ending = 1;
	if (g->fd >= 0 && send(g->fd, &m, sizeof(m), MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(m)) {
		if (errno == EAGAIN)
			return;
		say(LOG_ERR, "move: ghost %d: cannot end it: %s", g->pid, strerror(errno));
	}
	ghost_drop(g);
}

static void deliver(cpg_handle_t h, const struct cpg_name *group,
		    uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	const struct move_msg *m = msg;

	(void)h; (void)group; (void)pid;
	if (len != sizeof(*m) || m->magic != MOVE_MAGIC || m->version != MOVE_VERSION) {
		say(LOG_WARNING, "move: krg_move: a message of %zu bytes from node %u dropped",
		    len, nodeid - 1);
		return;
	}
	pthread_mutex_lock(&lock);
	switch (m->type) {
	case MV_COMMIT:
	case MV_ABORT:
		if (m->dst == (uint32_t)me)
			for (struct tsession *t = tsessions; t; t = t->next)
				if (t->src == m->src && t->id == m->id && !t->decided)
					t->decided = (int)m->type;
		break;
	case MV_RUNNING:
		/* a copy that moved on: its ghost follows it */
		if (m->home == (uint32_t)me)
			for (struct ghost *g = ghosts; g; g = g->next)
				if (g->pid == m->pid && !g->ending)
					g->dst = nodeid - 1;
		/* fall through */
	case MV_NOT_RUNNING:
		if (m->src == (uint32_t)me)
			for (struct ssession *s = ssessions; s; s = s->next)
				if (s->id == m->id && s->dst == nodeid - 1) {
					s->word = (int)m->type;
					s->doubt = 0;
				}
		break;
	case MV_QUERY:
		if (m->dst == (uint32_t)me) {
			int runs = 0;

			for (struct runner *r = runners; r; r = r->next)
				if (r->src == m->src && r->id == m->id)
					runs = 1;
			pthread_mutex_unlock(&lock);
			mcast(runs ? MV_RUNNING : MV_NOT_RUNNING, m->src, m->id,
			      (uint32_t)me, m->home, m->pid, 0);
			pthread_mutex_lock(&lock);
		}
		break;
	case MV_SIG: {
		struct runner *r = runner_find(m->home, m->pid);

		if (r && m->value > 0 && m->value < 65 && kill(r->pid, m->value))
			say(LOG_WARNING, "move: signal %d to process %d: %s", m->value,
			    r->pid, strerror(errno));
		break;
	}
	case MV_EXIT:
		if (m->home == (uint32_t)me)
			for (struct ghost *g = ghosts; g; g = g->next)
				if (g->pid == m->pid && !g->ending) {
					ghost_end(g, m->value);
					break;
				}
		break;
	}
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void confchg(cpg_handle_t h, const struct cpg_name *group,
		    const struct cpg_address *members, size_t nmembers,
		    const struct cpg_address *left, size_t nleft,
		    const struct cpg_address *joined_list, size_t njoined)
{
	struct ssession *ask[16];
	int nask = 0;

	(void)h; (void)group;
	pthread_mutex_lock(&lock);
	memset(group_nodes, 0, sizeof(group_nodes));
	for (size_t i = 0; i < nmembers; i++) {
		unsigned int n = members[i].nodeid - 1;

		if (n < KRG_MAX_NODES)
			group_nodes[n / 8] |= 1U << (n % 8);
	}
	for (size_t i = 0; i < nleft; i++) {
		uint32_t n = left[i].nodeid - 1;

		for (struct tsession *t = tsessions; t; t = t->next)
			if (t->src == n && !t->decided)
				t->decided = -1;
		for (struct ssession *s = ssessions; s; s = s->next) {
			if (s->dst != n || s->word)
				continue;
			if (s->committed) {
				s->doubt = 1;
				continue;
			}
			/* CRIU and the channel stop waiting for it */
			s->gone = 1;
			if (s->pfd >= 0)
				shutdown(s->pfd, SHUT_RDWR);
			if (s->c)
				chan_conn_abort(s->c);
		}
		for (struct ghost *g = ghosts, *next; g; g = next) {
			next = g->next;
			if (g->dst != n || g->fd < 0 || g->ending)
				continue;
			say(LOG_WARNING, "move: process %d was lost with node %u (its agent left the cluster)",
			    g->pid, n);
			ghost_end(g, SIGKILL);
		}
	}
	for (size_t i = 0; i < njoined; i++)
		for (struct ssession *s = ssessions; s; s = s->next)
			if (s->dst == joined_list[i].nodeid - 1 && s->doubt && nask < 16)
				ask[nask++] = s;
	pthread_cond_broadcast(&cond);
	for (int i = 0; i < nask; i++) {
		uint64_t id = ask[i]->id;
		uint32_t dst = ask[i]->dst;

		pthread_mutex_unlock(&lock);
		mcast(MV_QUERY, (uint32_t)me, id, dst, 0, 0, 0);
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
}

/* A ghost said something: a signal for its process. */
static void ghost_read(struct ghost *g)
{
	struct krg_ghost_msg m;
	ssize_t n = recv(g->fd, &m, sizeof(m), MSG_DONTWAIT);
	uint32_t dst = g->dst;
	pid_t pid = g->pid;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* killed (SIGKILL cannot be caught): so is its process */
		say(LOG_INFO, "move: ghost %d is gone: its process on node %u is killed",
		    pid, dst);
		ghost_drop(g);
		pthread_mutex_unlock(&lock);
		mcast(MV_SIG, 0, 0, dst, (uint32_t)me, pid, SIGKILL);
		pthread_mutex_lock(&lock);
		return;
	}
	if (n != sizeof(m) || m.magic != KRG_GHOST_MAGIC || m.type != KRG_GHOST_SIG)
		return;
	pthread_mutex_unlock(&lock);
	mcast(MV_SIG, 0, 0, dst, (uint32_t)me, pid, m.value);
	pthread_mutex_lock(&lock);
}

static void *move_main(void *arg)
{
	cpg_model_v1_data_t model = {
		.cpg_deliver_fn = deliver,
		.cpg_confchg_fn = confchg,
	};
	unsigned int wait_s = 1;

	(void)arg;
	while (!stopping) {
		int fd;

		if (krgd_cpg_join(&cpg, MOVE_GROUP, &model)) {
			for (unsigned int i = 0; i < wait_s * 10 && !stopping; i++)
				usleep(100 * 1000);
			wait_s = wait_s < 30 ? wait_s * 2 : 30;
			continue;
		}
		wait_s = 1;
		cpg_fd_get(cpg, &fd);
		pthread_mutex_lock(&lock);
		joined = 1;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
		while (!stopping) {
			struct pollfd p[2 + 64];
			struct ghost *gs[64];
			int n = 2, ng = 0;

			p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
			p[1] = (struct pollfd){ .fd = wake[0], .events = POLLIN };
			pthread_mutex_lock(&lock);
			for (struct ghost *g = ghosts; g && ng < 64; g = g->next)
				if (g->fd >= 0) {
					gs[ng++] = g;
					p[n++] = (struct pollfd){ .fd = g->fd,
						.events = g->ending ? POLLOUT : POLLIN };
				}
			pthread_mutex_unlock(&lock);
			if (poll(p, (nfds_t)n, 500) < 0 && errno != EINTR)
				break;
			if (p[0].revents && cpg_dispatch(cpg, CS_DISPATCH_ALL) != CS_OK)
				break;
			if (p[1].revents) {
				char b[64];

				while (read(wake[0], b, sizeof(b)) > 0)
					;
			}
			pthread_mutex_lock(&lock);
			for (int i = 0; i < ng; i++) {
				int live = 0;

				for (struct ghost *g = ghosts; g; g = g->next)
					live |= g == gs[i];
				if (!live || !p[2 + i].revents || gs[i]->fd != p[2 + i].fd)
					continue;
				if (gs[i]->ending)
					ghost_end(gs[i], gs[i]->status);
				else
					ghost_read(gs[i]);
			}
			pthread_mutex_unlock(&lock);
		}
		pthread_mutex_lock(&lock);
		joined = 0;
		/* nobody's word comes now: every wait is undecided */
		for (struct tsession *t = tsessions; t; t = t->next)
			if (!t->decided)
				t->decided = -1;
		for (struct ssession *s = ssessions; s; s = s->next)
			if (!s->word && s->committed)
				s->doubt = 1;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
		cpg_finalize(cpg);
		if (!stopping)
			say(LOG_WARNING, "move: krg_move: connection to corosync lost; migrations wait for it");
	}
	return NULL;
}

/* ---- children: CRIU ---- */

/* Run @argv (CRIU) with the @nkeep fds of @keep open in it: its pid, or -1. */
static pid_t spawn_keep(char *const argv[], const int *keep, int nkeep)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (int i = 0; i < nkeep; i++)
		fcntl(keep[i], F_SETFD, 0);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	_exit(127);
}

/* ... with fd @keep open in it (or -1). */
static pid_t spawn(char *const argv[], int keep)
{
	return spawn_keep(argv, &keep, keep >= 0);
}

/*
 * Wait for child @pid at most @ms (< 0: forever): its wait status, or -1
 * (ETIMEDOUT: still running).
 */
static int reap(pid_t pid, long long ms)
{
	long long end = now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, ms < 0 ? 0 : WNOHANG);

		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (ms >= 0 && now_ms() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (ms >= 0)
			usleep(5000);
	}
}

/* The last error CRIU wrote in @log, without its prefix, into @out. */
static void criu_error(const char *log, char *out, size_t len)
{
	char line[1024];
	FILE *f = fopen(log, "re");

	char tail[8][256];
	unsigned int n = 0;

	snprintf(out, len, "see %s", log);
	while (f && fgets(line, sizeof(line), f)) {
		snprintf(tail[n++ % 8], sizeof(tail[0]), "%.255s", line);
		char *e = strstr(line, "Error (");

		if (!e)
			continue;
		e = strstr(e, "): ");
		if (!e)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", e + 3);
	}
	if (f)
		fclose(f);
	/* the end of the log, in krgd's: the log itself goes with the images */
	for (unsigned int i = n > 8 ? n - 8 : 0; i < n; i++) {
		tail[i % 8][strcspn(tail[i % 8], "\n")] = '\0';
		say(LOG_INFO, "move: %s: %s", log, tail[i % 8]);
	}
}

/* rm -r @dir (one level: images have no subdirectories). */
static void rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4352];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] ||
					    (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int make_dir(const char *dir)
{
	mkdir("/run/krgd", 0700);
	mkdir(MOVER_DIR, 0700);
	rmtree(dir);
	return mkdir(dir, 0700);
}

/* Field 22 of /proc/@pid/stat: when it started (tells a reused pid). */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (krg_read_file(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		       &t);
	return t;
}

static char state_of(pid_t pid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (krg_read_file(path, buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

/* A journal line in @dir/@name: "pid starttime". */
static void journal(const char *dir, const char *name, pid_t pid)
{
	char p[4352], line[64];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	snprintf(line, sizeof(line), "%d %llu\n", pid, start_time(pid));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, line, strlen(line)) < 0)
			say(LOG_WARNING, "move: %s: %s", p, strerror(errno));
		close(fd);
	}
}

/* ---- the target ---- */

static int valid_name(const char *n)
{
	if (!n[0] || n[0] == '.' || strlen(n) >= sizeof(((struct mig_file_hdr *)0)->name))
		return 0;
	for (const char *p = n; *p; p++)
		if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
		      ('0' <= *p && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* Accept the source's page connection: the right peer and token. */
static int accept_pages(int lfd, const struct sockaddr_storage *peer,
			const unsigned char *token)
{
	long long end = now_ms() + 30000;

	while (now_ms() < end) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		unsigned char got[MIG_TOKEN];
		size_t have = 0;
		int fd;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		fd = accept4(lfd, (struct sockaddr *)&from, &fl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (from.ss_family != peer->ss_family ||
		    (from.ss_family == AF_INET &&
		     ((struct sockaddr_in *)&from)->sin_addr.s_addr !=
		     ((const struct sockaddr_in *)peer)->sin_addr.s_addr)) {
			close(fd);
			continue;
		}
		while (have < sizeof(got)) {
			struct pollfd q = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&q, 1, 5000) <= 0)
				break;
			n = read(fd, got + have, sizeof(got) - have);
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		unsigned char diff = have == sizeof(got) ? 0 : 1;

		for (size_t i = 0; i < sizeof(got); i++)
			diff |= (unsigned char)(got[i] ^ token[i]);
		if (!diff)
			return fd;
		close(fd);
	}
	return -1;
}

/* Answer @c with an error frame; 0 (the connection stays). */
static int refuse(struct chan_conn *c, int err, const char *why)
{
	say(LOG_INFO, "move: refused here: %s", why);
	chan_send_error(c, err < 0 ? -err : err, why);
	return 0;
}

/* The copy @pid stopped here, never committed: kill it and forget it. */
static void kill_copy(pid_t pid, const struct krg_state *st)
{
	char path[4096];

	kill(pid, SIGKILL);
	reap(pid, 10000);
	for (unsigned int i = 0; st && i < st->nr_memberships; i++) {
		snprintf(path, sizeof(path),
			 "%s/schedulers/%s/process_set/single_processes/%d",
			 krg_cfs_root(), st->memberships[i].scheduler, pid);
		rmdir(path);
	}
}

/* A copy's life here: wait for its end and tell its home. */
static void *runner_main(void *arg)
{
	struct runner *r = arg;
	siginfo_t si;
	int status = 0, moved;

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, r->pid, &si, WEXITED) && errno == EINTR)
		;
	if (si.si_code == CLD_EXITED)
		status = (si.si_status & 0xff) << 8;
	else
		status = si.si_status & 0x7f;
	pthread_mutex_lock(&lock);
	moved = r->moved;
	for (struct runner **p = &runners; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	if (!moved) {
		say(LOG_INFO, "move: process %d (home node %u) ended here, status 0x%x",
		    r->pid, r->home, status);
		/* its output first: the ghost writes it all, then ends */
		if (r->relay)
			relay_drain(r->relay, 5000);
		mcast(MV_EXIT, r->src, r->id, (uint32_t)me, r->home, r->pid, status);
	}
	relay_put(r->relay);
	free(r);
	return NULL;
}

/* The copy of @pid runs here; @relay (taken over) carries its output home. */
static void start_runner(uint32_t home, uint32_t src, uint64_t id, pid_t pid,
			 struct relay *relay)
{
	struct runner *r = calloc(1, sizeof(*r));
	pthread_attr_t at;
	pthread_t t;

	if (!r) {
		relay_put(relay);
		return;
	}
	*r = (struct runner){ .home = home, .src = src, .id = id, .pid = pid, .relay = relay };
	if (relay)
		relay_start(relay);
	pthread_mutex_lock(&lock);
	r->next = runners;
	runners = r;
	pthread_mutex_unlock(&lock);
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, runner_main, r))
		say(LOG_ERR, "move: process %d: no thread to wait for it", pid);
	pthread_attr_destroy(&at);
}

static int target_session(struct chan_conn *c, const struct mig_offer *o)
{
	char dir[256], why[512], path[4352], num[320], sock[16];
	struct sockaddr_storage local, peer;
	struct mig_ready ready = { 0 };
	struct tsession ts = { 0 };
	struct krg_state st;
	struct relay *relay = NULL;
	int have_state = 0, restored = 0, lfd = -1, pfd = -1, ret = 0;
	pid_t ps = -1;
	socklen_t l;
	void *buf = NULL;
	int err;

	err = movecheck_target(o, me, why, sizeof(why));
	if (err) {
		if (err == -EADDRINUSE) {
			pthread_mutex_lock(&lock);
			n_collisions++;
			pthread_mutex_unlock(&lock);
		}
		return refuse(c, err, why);
	}
	snprintf(dir, sizeof(dir), MOVER_DIR "/in-%u-%llu", o->src,
		 (unsigned long long)o->id);
	if (make_dir(dir)) {
		snprintf(why, sizeof(why), "node %d cannot make %s: %s", me, dir, strerror(errno));
		return refuse(c, -EIO, why);
	}
	if (chan_conn_addrs(c, &local, &peer, &l) || local.ss_family != AF_INET) {
		snprintf(why, sizeof(why), "node %d: the channel's address: %s", me, strerror(errno));
		rmtree(dir);
		return refuse(c, -EIO, why);
	}
	((struct sockaddr_in *)&local)->sin_port = 0;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&local, l) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&local, &l) ||
	    getrandom(ready.token, sizeof(ready.token), 0) != sizeof(ready.token)) {
		snprintf(why, sizeof(why), "node %d: the page server's socket: %s", me,
			 strerror(errno));
		goto fail;
	}
	ready.port = ntohs(((struct sockaddr_in *)&local)->sin_port);
	chan_conn_set_timeout(c, 300000);
	if (chan_send(c, MIG_READY, &ready, sizeof(ready)))
		goto out;
	pfd = accept_pages(lfd, &peer, ready.token);
	close(lfd);
	lfd = -1;
	if (pfd < 0) {
		say(LOG_WARNING, "move: node %u's pages never came (migration %llu)", o->src,
		    (unsigned long long)o->id);
		goto out;
	}
	snprintf(sock, sizeof(sock), "%d", pfd);
	snprintf(path, sizeof(path), "%s/ps.log", dir);
	{
		char *argv[] = { "criu", "page-server", "-D", dir, "--ps-socket", sock,
				 "-o", path, NULL };

		ps = spawn(argv, pfd);
	}
	close(pfd);
	if (ps < 0)
		goto out;
	buf = malloc(CHAN_MAX_FRAME);
	if (!buf)
		goto out;
	for (;;) {
		uint16_t type;
		uint32_t len;

		if (chan_recv(c, &type, buf, CHAN_MAX_FRAME, &len)) {
			say(LOG_WARNING, "move: node %u's migration %llu: %s", o->src,
			    (unsigned long long)o->id, chan_conn_error(c));
			ret = -1;
			goto out;
		}
		if (type == MIG_ABORT)
			goto out;
		if (type == MIG_FILE) {
			struct mig_file_hdr *h = buf;
			char name[sizeof(h->name) + 1];
			int fd;

			if (len < sizeof(*h))
				goto out;
			snprintf(name, sizeof(name), "%.*s", (int)sizeof(h->name), h->name);
			if (!valid_name(name)) {
				say(LOG_WARNING, "move: node %u sent an image named '%s': dropped",
				    o->src, name);
				ret = -1;
				goto out;
			}
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
				  (h->offset ? 0 : O_TRUNC), 0600);
			if (fd < 0 || pwrite(fd, h + 1, len - sizeof(*h), (off_t)h->offset) !=
			    (ssize_t)(len - sizeof(*h))) {
				snprintf(why, sizeof(why), "node %d cannot write its images: %s",
					 me, strerror(errno));
				if (fd >= 0)
					close(fd);
				/* said at MIG_RESTORE */
				unlink(path);
				continue;
			}
			close(fd);
			continue;
		}
		if (type != MIG_RESTORE || len != sizeof(struct mig_restore))
			goto out;
		memcpy(&st, &((struct mig_restore *)buf)->state, sizeof(st));
		have_state = 1;
		break;
	}
	/* again just before CRIU (root) reopens them: no file swapped since */
	err = movecheck_files_as_user(o, me, why, sizeof(why));
	if (err)
		goto fail;
	/* its terminal and pipes: local ones, whose output goes home */
	relay = relay_prepare(o, me, why, sizeof(why));
	if (!relay)
		goto fail;
	/* the dump is over: so is the page server */
	err = reap(ps, 60000);
	ps = -1;
	if (err < 0 || !WIFEXITED(err) || WEXITSTATUS(err)) {
		char e[256];

		snprintf(path, sizeof(path), "%s/ps.log", dir);
		criu_error(path, e, sizeof(e));
		snprintf(why, sizeof(why), "node %d's page server failed: %s", me, e);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/restore.log", dir);
	snprintf(num, sizeof(num), "%s/copy.pid", dir);
	{
		/* -s: stopped until the commit; -S: a sibling of CRIU, krgd's child */
		char *argv[16 + 2 * MIG_RELAY_MAX] = { "criu", "restore", "-d", "-s", "-S",
			"-j", "-D", dir, "-o", path, "--pidfile", num };
		int keep[MIG_RELAY_MAX], n = relay_restore_args(relay, argv + 12,
			2 * MIG_RELAY_MAX, keep, MIG_RELAY_MAX);
		pid_t r = spawn_keep(argv, keep, n / 2);

		err = r < 0 ? -1 : reap(r, 120000);
		relay_restored(relay);
	}
	if (err < 0 || !WIFEXITED(err) || WEXITSTATUS(err)) {
		char e[256];

		criu_error(path, e, sizeof(e));
		if (strstr(e, "File exists") || !kill(o->pid, 0)) {
			pthread_mutex_lock(&lock);
			n_collisions++;
			pthread_mutex_unlock(&lock);
			snprintf(why, sizeof(why), "pid %d is taken on node %d", o->pid, me);
		} else {
			snprintf(why, sizeof(why), "CRIU could not restore it on node %d: %s", me, e);
		}
		if (!kill(o->pid, 0) && state_of(o->pid) == 'T') {
			/* a copy half made: never runs */
			kill(o->pid, SIGKILL);
		}
		goto fail;
	}
	restored = 1;
	journal(dir, "copy", o->pid);
	if (state_of(o->pid) != 'T') {
		/* it must not run before the commit: an abort would undo nothing */
		snprintf(why, sizeof(why), "CRIU did not leave its copy stopped on node %d", me);
		goto fail;
	}
	{
		int failed;

		dev_begin();
		err = krg_state_restore(o->pid, &st, &failed);
		dev_end();
		if (err) {
			snprintf(why, sizeof(why), "node %d cannot give it its krg state%s%s: %s",
				 me, failed >= 0 ? " (scheduler " : "",
				 failed >= 0 ? st.memberships[failed].scheduler : "",
				 strerror(errno));
			goto fail;
		}
	}
	if (relay_connect(relay, why, sizeof(why)))
		goto fail;
	ts.src = o->src;
	ts.id = o->id;
	pthread_mutex_lock(&lock);
	ts.next = tsessions;
	tsessions = &ts;
	pthread_mutex_unlock(&lock);
	if (chan_send(c, MIG_RESTORED, NULL, 0))
		say(LOG_WARNING, "move: node %u: %s (its decision comes by krg_move)", o->src,
		    chan_conn_error(c));
	pthread_mutex_lock(&lock);
	while (!ts.decided)
		pthread_cond_wait(&cond, &lock);
	for (struct tsession **p = &tsessions; *p; p = &(*p)->next)
		if (*p == &ts) {
			*p = ts.next;
			break;
		}
	pthread_mutex_unlock(&lock);
	if (ts.decided == MV_COMMIT) {
		start_runner(o->home, o->src, o->id, o->pid, relay);
		relay = NULL;
		kill(o->pid, SIGCONT);
		mcast(MV_RUNNING, o->src, o->id, (uint32_t)me, o->home, o->pid, 0);
		say(LOG_INFO, "move: process %d from node %u runs here (home node %u)", o->pid,
		    o->src, o->home);
		restored = 0;
	} else {
		say(LOG_INFO, "move: process %d from node %u: %s, its copy killed", o->pid,
		    o->src, ts.decided == MV_ABORT ? "aborted" : "its node left");
	}
	goto out;
fail:
	refuse(c, -EIO, why);
out:
	if (ps > 0) {
		kill(ps, SIGKILL);
		reap(ps, 10000);
	}
	if (lfd >= 0)
		close(lfd);
	if (restored)
		kill_copy(o->pid, have_state ? &st : NULL);
	relay_put(relay);
	free(buf);
	rmtree(dir);
	return ret;
}

int mover_chan_handle(struct chan_conn *c, uint16_t type, const void *body,
		      uint32_t len, void *arg)
{
	const struct mig_offer *o = body;
	struct mig_offer *copy;
	int ret;

	(void)arg;
	if (type == MIG_RELAY_OPEN)
		return relay_serve(c, body, len);
	if (type != MIG_OFFER)
		return 1;
	if (len != sizeof(*o) || o->magic != MIG_MAGIC || o->version != MIG_VERSION)
		return refuse(c, EPROTO, "a migration offer of another krgd version");
	if (o->src != chan_conn_node(c))
		return refuse(c, EPERM, "a migration offer naming another node as its source");
	copy = malloc(sizeof(*copy));
	if (!copy)
		return refuse(c, ENOMEM, "out of memory");
	memcpy(copy, o, sizeof(*copy));
	copy->cgroup[sizeof(copy->cgroup) - 1] = '\0';
	copy->cpus[sizeof(copy->cpus) - 1] = '\0';
	copy->cpu_flags[sizeof(copy->cpu_flags) - 1] = '\0';
	copy->files[sizeof(copy->files) - 1] = '\0';
	copy->fds[sizeof(copy->fds) - 1] = '\0';
	if (copy->ngroups > 32)
		copy->ngroups = 32;
	for (unsigned int i = 0; i < MIG_RELAY_MAX; i++)
		copy->relay[i].id[sizeof(copy->relay[i].id) - 1] = '\0';
	copy->release[sizeof(copy->release) - 1] = '\0';
	copy->criu[sizeof(copy->criu) - 1] = '\0';
	if (copy->flags & MIG_DRY) {
		char why[512];
		int err = movecheck_target(copy, me, why, sizeof(why));

		ret = err ? chan_send_error(c, -err, why) :
		      chan_send(c, MIG_CHECKED, NULL, 0);
		free(copy);
		return ret ? -1 : 0;
	}
	ret = target_session(c, copy);
	free(copy);
	return ret;
}

/* ---- the source ---- */

/*
 * A copy moving on: its terminals and pipes here are the relay's (relay.c),
 * whose bytes go to the ghost's fds; the next node's relay writes to the
 * same ones. 0, or -EOPNOTSUPP with @why (one made since it came here).
 */
static int relay_remap(pid_t pid, struct mig_offer *of, char *why, size_t len)
{
	int ret = 0;

	pthread_mutex_lock(&lock);
	for (struct runner *r = runners; r; r = r->next) {
		if (r->pid != pid || r->moved)
			continue;
		for (unsigned int i = 0; i < of->nrelay; i++) {
			int gfd;

			if (!r->relay || relay_ghost_fd(r->relay, of->relay[i].id, &gfd)) {
				snprintf(why, len, "its %s %s was made on node %d (only those of its home follow it)",
					 of->relay[i].kind == MIG_RELAY_TTY ? "terminal" : "pipe",
					 of->relay[i].id, me);
				ret = -EOPNOTSUPP;
				break;
			}
			of->relay[i].ghost_fd = gfd;
		}
		break;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

struct order {
	struct krg_migrate_order o;
	long long t0;
};

/* Tell krg.ko how @o ended; count it. */
static void finish(const struct order *w, int err, int refused, const char *why)
{
	struct krg_genl g;
	char e[256];

	pthread_mutex_lock(&lock);
	if (w->o.dry)
		;
	else if (!err)
		n_done++;
	else if (refused)
		n_refused++;
	else
		n_failed++;
	pthread_mutex_unlock(&lock);
	if (err)
		say(LOG_INFO, "move: process %u to node %u%s: %s", w->o.pid, w->o.node,
		    w->o.dry ? " (a check)" : "", why);
	if (krg_genl_open(&g)) {
		say(LOG_ERR, "move: krg.ko: %s", strerror(errno));
		return;
	}
	if (krg_migrate_done(&g, w->o.id, err, refused, why, e, sizeof(e)))
		say(LOG_WARNING, "move: krg.ko took no outcome for migration %llu: %s%s%s",
		    w->o.id, strerror(errno), e[0] ? ": " : "", e);
	krg_genl_close(&g);
}

/* Send every image of @dir but the logs over @c. */
static int send_images(struct chan_conn *c, const char *dir, char *why, size_t len)
{
	const size_t chunk = CHAN_MAX_FRAME - sizeof(struct mig_file_hdr);
	char *buf = malloc(CHAN_MAX_FRAME);
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!buf || !d) {
		snprintf(why, len, "its images: %s", strerror(errno));
		ret = -1;
	}
	while (!ret && (e = readdir(d))) {
		struct mig_file_hdr *h = (struct mig_file_hdr *)buf;
		char path[4352];
		uint64_t off = 0;
		ssize_t n;
		int fd;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".log") || !valid_name(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		do {
			memset(h, 0, sizeof(*h));
			snprintf(h->name, sizeof(h->name), "%.63s", e->d_name);
			h->offset = off;
			n = read(fd, h + 1, chunk);
			if (n < 0)
				break;
			if ((n || !off) &&
			    chan_send(c, MIG_FILE, buf, (uint32_t)(sizeof(*h) + (size_t)n))) {
				snprintf(why, len, "sending its images: %s", chan_conn_error(c));
				ret = -1;
				break;
			}
			off += (uint64_t)n;
		} while (n == (ssize_t)chunk);
		close(fd);
	}
	if (d)
		closedir(d);
	free(buf);
	return ret;
}

/* Our end of the page connection: connected, the token sent; or -1. */
static int connect_pages(struct chan_conn *c, const struct mig_ready *r)
{
	struct sockaddr_storage local, peer;
	socklen_t l;
	int fd;

	if (chan_conn_addrs(c, &local, &peer, &l) || peer.ss_family != AF_INET)
		return -1;
	((struct sockaddr_in *)&peer)->sin_port = htons((uint16_t)r->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&peer, sizeof(struct sockaddr_in)) ||
	    write(fd, r->token, sizeof(r->token)) != (ssize_t)sizeof(r->token)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The original @pid goes on (it was left stopped). */
static void resume(pid_t pid)
{
	if (kill(pid, SIGCONT))
		say(LOG_ERR, "move: process %d cannot be resumed: %s", pid, strerror(errno));
}

/* The original, at its home, becomes the ghost of its copy at @dst. */
static void make_ghost(pid_t pid, uint32_t dst, uint64_t id, const struct krg_state *st)
{
	char a1[16], a2[32], err[512], path[4096];
	char *argv[] = { "krg-ghost", a1, a2, NULL };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct krg_caps caps;
	struct ghost *g;
	socklen_t sl;
	int fd = -1;

	snprintf(a1, sizeof(a1), "%u", dst);
	snprintf(a2, sizeof(a2), "%llu", (unsigned long long)id);
	/* a ghost is no process a policy moves, nor a member here */
	dev_begin();
	if (!krg_caps_get(KRG_TARGET_PID, pid, &caps)) {
		caps.effective &= ~KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE);
		krg_caps_set(KRG_TARGET_PID, pid, &caps);
	}
	dev_end();
	for (unsigned int i = 0; i < st->nr_memberships; i++) {
		snprintf(path, sizeof(path),
			 "%s/schedulers/%s/process_set/single_processes/%d",
			 krg_cfs_root(), st->memberships[i].scheduler, pid);
		rmdir(path);
	}
	if (ghost_inject(pid, ghost_path, argv, err, sizeof(err))) {
		say(LOG_ERR, "move: the ghost of process %d: %s; the original is killed (its copy runs on node %u)",
		    pid, err, dst);
		kill(pid, SIGKILL);
		return;
	}
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			 (size_t)snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1,
					  "krg-ghost/%d", pid));
	for (int i = 0; i < 200; i++) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sl))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		usleep(10000);
	}
	if (fd < 0)
		say(LOG_ERR, "move: ghost %d does not answer: its end will not be known", pid);
	g = calloc(1, sizeof(*g));
	if (!g) {
		if (fd >= 0)
			close(fd);
		return;
	}
	*g = (struct ghost){ .pid = pid, .dst = dst, .id = id, .fd = fd };
	pthread_mutex_lock(&lock);
	g->next = ghosts;
	ghosts = g;
	pthread_cond_broadcast(&cond);	/* its output may wait for it */
	pthread_mutex_unlock(&lock);
	poke();
}

/*
 * A dry run (migrate --check): this node's reasons (@err, @why) and the
 * target's, every one, to krg.ko; nothing frozen.
 */
static void dry_run(const struct order *w, struct mig_offer *of, int err,
		    char *why, size_t len)
{
	char rbuf[512], e[512];
	struct chan_conn *c;
	uint16_t rtype;
	uint32_t rlen;
	size_t n;

	of->magic = MIG_MAGIC;
	of->version = MIG_VERSION;
	of->flags = MIG_DRY;
	of->id = w->o.id;
	of->src = (uint32_t)me;
	of->pid = (int32_t)w->o.pid;
	pthread_mutex_lock(&lock);
	n = chan_ready;
	pthread_mutex_unlock(&lock);
	c = n ? chan_connect(&chan_key, (unsigned int)me, &chan_peers, w->o.node, chan_port,
			     5000, e, sizeof(e)) : NULL;
	n = strlen(why);
	if (!c) {
		snprintf(why + n, len - n, "%scannot reach node %u's agent: %.200s",
			 n ? "; " : "", w->o.node, chan_ready ? e : "no channel");
		finish(w, err ?: -EHOSTUNREACH, 1, why);
		return;
	}
	chan_conn_set_timeout(c, 20000);
	if (chan_request(c, MIG_OFFER, of, sizeof(*of), &rtype, rbuf, sizeof(rbuf), &rlen)) {
		const struct chan_error_body *eb = (const void *)rbuf;

		if (rtype == CHAN_ERROR && rlen > sizeof(*eb)) {
			snprintf(why + n, len - n, "%s%.*s", n ? "; " : "",
				 (int)(rlen - sizeof(*eb)), eb->text);
			err = err ?: -(int)eb->code;
		} else {
			snprintf(why + n, len - n, "%snode %u's agent: %s", n ? "; " : "",
				 w->o.node, chan_conn_error(c));
			err = err ?: -EHOSTUNREACH;
		}
	} else if (rtype != MIG_CHECKED) {
		snprintf(why + n, len - n, "%snode %u's agent answered something else",
			 n ? "; " : "", w->o.node);
		err = err ?: -EPROTO;
	}
	chan_close(c);
	finish(w, err, 1, err ? why : NULL);
}

static void *source_main(void *arg)
{
	struct order *w = arg;
	const struct krg_migrate_order *o = &w->o;
	pid_t pid = (pid_t)o->pid;
	struct mig_offer *of = calloc(1, sizeof(*of));
	char why[512], dir[256], log[4352], sock[16], rbuf[512];
	struct mig_restore rs;
	struct mig_ready ready;
	struct ssession ss = { 0 };
	struct chan_conn *c = NULL;
	struct krg_genl g;
	long long t_freeze = 0, t_run, t_dump = 0, t_sent = 0, t_restored = 0, t_commit = 0;
	int home = runner_home(pid), err, status, pfd = -1, stopped = 0, registered = 0;
	uint16_t rtype;
	uint32_t rlen;

	if (home < 0)
		home = me;
	snprintf(dir, sizeof(dir), MOVER_DIR "/out-%llu", (unsigned long long)o->id);
	if (!of) {
		finish(w, -ENOMEM, 0, "out of memory");
		goto out;
	}
	if ((int)o->node == home) {
		snprintf(why, sizeof(why), "its ghost holds pid %d on node %d, its home: a process does not go back to its home node yet",
			 pid, home);
		finish(w, -EBUSY, 1, why);
		goto out;
	}
	err = movecheck_source(pid, of, why, sizeof(why));
	if (err && (!o->dry || err == -ESRCH)) {
		finish(w, err, 1, why);
		goto out;
	}
	if (!err && home != me)
		err = relay_remap(pid, of, why, sizeof(why));
	if (o->dry) {
		dry_run(w, of, err, why, sizeof(why));
		goto out;
	}
	of->magic = MIG_MAGIC;
	of->version = MIG_VERSION;
	of->id = o->id;
	of->src = (uint32_t)me;
	of->home = (uint32_t)home;
	of->pid = pid;
	dev_begin();
	err = krg_state_get(KRG_TARGET_PID, pid, &rs.state) ? -errno : 0;
	dev_end();
	if (err) {
		snprintf(why, sizeof(why), "its krg state: %s", strerror(-err));
		finish(w, err, 1, why);
		goto out;
	}
	pthread_mutex_lock(&lock);
	err = chan_ready && joined;
	pthread_mutex_unlock(&lock);
	if (!err) {
		finish(w, -EHOSTUNREACH, 1, "the agents' channel or krg_move is not up on this node");
		goto out;
	}
	ss.id = o->id;
	ss.dst = o->node;
	ss.pfd = -1;
	pthread_mutex_lock(&lock);
	ss.next = ssessions;
	ssessions = &ss;
	pthread_mutex_unlock(&lock);
	registered = 1;
	c = chan_connect(&chan_key, (unsigned int)me, &chan_peers, o->node, chan_port, 5000,
			 why, sizeof(why));
	pthread_mutex_lock(&lock);
	ss.c = c;
	pthread_mutex_unlock(&lock);
	if (!c) {
		char e[600];

		snprintf(e, sizeof(e), "cannot reach node %u's agent: %s", o->node, why);
		finish(w, -EHOSTUNREACH, 1, e);
		goto out;
	}
	chan_conn_set_timeout(c, 120000);
	if (chan_request(c, MIG_OFFER, of, sizeof(*of), &rtype, rbuf, sizeof(rbuf), &rlen)) {
		const struct chan_error_body *eb = (const void *)rbuf;

		if (rtype == CHAN_ERROR && rlen > sizeof(*eb)) {
			snprintf(why, sizeof(why), "%.*s", (int)(rlen - sizeof(*eb)), eb->text);
			finish(w, -(int)eb->code, 1, why);
		} else {
			snprintf(why, sizeof(why), "node %u's agent: %s", o->node, chan_conn_error(c));
			finish(w, -EHOSTUNREACH, 1, why);
		}
		goto out;
	}
	if (rtype != MIG_READY || rlen != sizeof(ready)) {
		finish(w, -EPROTO, 1, "node's agent answered something else");
		goto out;
	}
	memcpy(&ready, rbuf, sizeof(ready));
	pfd = connect_pages(c, &ready);
	pthread_mutex_lock(&lock);
	ss.pfd = pfd;
	if (ss.gone && pfd >= 0)
		shutdown(pfd, SHUT_RDWR);
	pthread_mutex_unlock(&lock);
	if (pfd < 0 || make_dir(dir)) {
		snprintf(why, sizeof(why), "cannot reach node %u's page server: %s", o->node,
			 strerror(errno));
		chan_send(c, MIG_ABORT, NULL, 0);
		finish(w, -EHOSTUNREACH, 1, why);
		goto out;
	}
	journal(dir, "orig", pid);
	snprintf(log, sizeof(log), "%s/dump.log", dir);
	snprintf(sock, sizeof(sock), "%d", pfd);
	t_freeze = now_ms();
	{
		char pids[16];
		char *argv[16 + 2 * MIG_RELAY_MAX] = { "criu", "dump", "-t", pids, "-s", "-j",
			"-D", dir, "-o", log, "--page-server", "--ps-socket", sock };
		pid_t d;
		int n = 13;

		/* its terminals stay here: CRIU leaves them out */
		for (unsigned int i = 0; i < of->nrelay; i++)
			if (of->relay[i].kind == MIG_RELAY_TTY) {
				argv[n++] = "--external";
				argv[n++] = of->relay[i].id;
			}
		snprintf(pids, sizeof(pids), "%d", pid);
		d = spawn(argv, pfd);
		/* CRIU bounds its own steps: never killed amid a dump */
		status = d < 0 ? -1 : reap(d, -1);
	}
	pthread_mutex_lock(&lock);
	ss.pfd = -1;
	pthread_mutex_unlock(&lock);
	close(pfd);
	pfd = -1;
	stopped = state_of(pid) == 'T';
	if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		char e[256];

		criu_error(log, e, sizeof(e));
		snprintf(why, sizeof(why), "CRIU could not dump it: %s", e);
		chan_send(c, MIG_ABORT, NULL, 0);
		goto abort;
	}
	if (!stopped) {
		snprintf(why, sizeof(why), "it was not left stopped by the dump");
		chan_send(c, MIG_ABORT, NULL, 0);
		goto abort;
	}
	t_dump = now_ms();
	if (send_images(c, dir, why, sizeof(why)))
		goto abort;
	t_sent = now_ms();
	if (chan_request(c, MIG_RESTORE, &rs, sizeof(rs), &rtype, rbuf, sizeof(rbuf), &rlen)) {
		const struct chan_error_body *eb = (const void *)rbuf;

		if (rtype == CHAN_ERROR && rlen > sizeof(*eb))
			snprintf(why, sizeof(why), "%.*s", (int)(rlen - sizeof(*eb)), eb->text);
		else
			snprintf(why, sizeof(why), "node %u's agent: %s", o->node,
				 chan_conn_error(c));
		/* a copy restored whose answer was lost: ABORT kills it */
		mcast(MV_ABORT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0);
		goto abort;
	}
	if (rtype != MIG_RESTORED) {
		snprintf(why, sizeof(why), "node %u's agent answered something else", o->node);
		mcast(MV_ABORT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0);
		goto abort;
	}
	t_restored = now_ms();
	/* krg.ko has the last word before the commit */
	if (krg_genl_open(&g)) {
		snprintf(why, sizeof(why), "krg.ko: %s", strerror(errno));
		mcast(MV_ABORT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0);
		goto abort;
	}
	err = krg_migrate_begin(&g, o->id, why, sizeof(why));
	krg_genl_close(&g);
	if (err) {
		snprintf(why, sizeof(why), "the request ended before its commit (%s)",
			 strerror(errno));
		mcast(MV_ABORT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0);
		goto abort;
	}
	pthread_mutex_lock(&lock);
	err = ss.gone;
	ss.committed = !err;
	pthread_mutex_unlock(&lock);
	if (err) {
		snprintf(why, sizeof(why), "node %u left before the commit", o->node);
		goto abort;
	}
	journal(dir, "commit", pid);
	t_commit = now_ms();
	if (mcast(MV_COMMIT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0)) {
		/* not sent: nobody has it */
		snprintf(why, sizeof(why), "the commit could not be sent (corosync)");
		pthread_mutex_lock(&lock);
		ss.committed = 0;
		pthread_mutex_unlock(&lock);
		mcast(MV_ABORT, (uint32_t)me, o->id, o->node, (uint32_t)home, pid, 0);
		goto abort;
	}
	pthread_mutex_lock(&lock);
	while (!ss.word) {
		if (ss.doubt) {
			say(LOG_WARNING, "move: process %d is in doubt: node %u left before saying its copy runs; it stays stopped here until that node's agent is back",
			    pid, o->node);
			while (ss.doubt && !ss.word)
				pthread_cond_wait(&cond, &lock);
			continue;
		}
		pthread_cond_wait(&cond, &lock);
	}
	pthread_mutex_unlock(&lock);
	if (ss.word == MV_NOT_RUNNING) {
		snprintf(why, sizeof(why), "node %u left during the commit and has no copy: the original goes on",
			 o->node);
		goto abort;
	}
	t_run = now_ms();
	if (home == me) {
		make_ghost(pid, o->node, o->id, &rs.state);
	} else {
		/* a copy that moves on: the ghost at home follows it */
		pthread_mutex_lock(&lock);
		for (struct runner *r = runners; r; r = r->next)
			if (r->pid == pid && !r->moved)
				r->moved = 1;
		pthread_mutex_unlock(&lock);
		kill(pid, SIGKILL);
	}
	say(LOG_INFO, "move: process %d to node %u: done in %lld ms (frozen %lld ms: dump %lld, images %lld, restore %lld, commit %lld)",
	    pid, o->node, now_ms() - w->t0, t_run - t_freeze, t_dump - t_freeze,
	    t_sent - t_dump, t_restored - t_sent, t_run - t_commit);
	finish(w, 0, 0, NULL);
	goto out;
abort:
	if (state_of(pid) == 'T')
		resume(pid);
	finish(w, -EIO, 0, why);
out:
	if (registered) {
		pthread_mutex_lock(&lock);
		for (struct ssession **p = &ssessions; *p; p = &(*p)->next)
			if (*p == &ss) {
				*p = ss.next;
				break;
			}
		pthread_mutex_unlock(&lock);
	}
	if (pfd >= 0)
		close(pfd);
	if (c)
		chan_close(c);
	rmtree(dir);
	free(of);
	free(w);
	return NULL;
}

void mover_order(const struct krg_migrate_order *o)
{
	struct order *w = malloc(sizeof(*w));
	pthread_attr_t at;
	pthread_t t;

	if (!w)
		return;
	w->o = *o;
	w->t0 = now_ms();
	say(LOG_DEBUG, "move: order %llu: process %u to node %u (%s%s)", o->id, o->pid, o->node,
	    o->user ? "a user" : "a policy", o->dry ? ", a check" : "");
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, source_main, w)) {
		finish(w, -EAGAIN, 0, "krgd has no thread for it");
		free(w);
	}
	pthread_attr_destroy(&at);
}

/*
 * What a krgd that stopped left: originals stopped before their commit go
 * on, copies never committed are killed (a pid reused since is left alone:
 * its start time differs).
 */
static void recover(void)
{
	DIR *d = opendir(MOVER_DIR);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char dir[512], p[600], line[64];
		unsigned long long t;
		int pid, commit;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), MOVER_DIR "/%s", e->d_name);
		snprintf(p, sizeof(p), "%s/commit", dir);
		commit = !access(p, F_OK);
		snprintf(p, sizeof(p), "%s/%s", dir, !strncmp(e->d_name, "out-", 4) ? "orig" : "copy");
		if (!krg_read_file(p, line, sizeof(line)) &&
		    sscanf(line, "%d %llu", &pid, &t) == 2 && pid > 0 &&
		    start_time(pid) == t && state_of(pid) == 'T') {
			if (!strncmp(e->d_name, "out-", 4) && !commit) {
				say(LOG_WARNING, "move: process %d was left stopped by a krgd that stopped: it goes on", pid);
				kill(pid, SIGCONT);
			} else if (!strncmp(e->d_name, "out-", 4)) {
				say(LOG_WARNING, "move: process %d was committed by a krgd that stopped: in doubt, it stays stopped (kill -CONT %d if its copy does not run)",
				    pid, pid);
			} else {
				say(LOG_WARNING, "move: a copy of process %d never committed: killed", pid);
				kill(pid, SIGKILL);
				waitpid(pid, NULL, WNOHANG);
			}
		}
		rmtree(dir);
	}
	if (d)
		closedir(d);
}

int mover_start(void)
{
	char exe[4000];
	ssize_t n;
	sigset_t block, old;
	int r;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(ghost_path, sizeof(ghost_path), "%s/krg-ghost", exe);
		if (access(ghost_path, X_OK)) {
			char *s = strrchr(exe, '/');

			/* the build tree: tools/krgd/krgd, tools/krg-ghost/krg-ghost */
			if (s) {
				*s = '\0';
				snprintf(ghost_path, sizeof(ghost_path), "%s/krg-ghost/krg-ghost", exe);
			}
		}
	}
	/*
	 * A migrated process keeps its pid: the larger the pid space, the
	 * fewer collisions between machines (each refused with its reason).
	 */
	{
		char v[32];

		if (!krg_read_file("/proc/sys/kernel/pid_max", v, sizeof(v)) &&
		    strtoul(v, NULL, 10) < MOVER_PID_MAX) {
			FILE *f = fopen("/proc/sys/kernel/pid_max", "we");

			if (!f || fprintf(f, "%d\n", MOVER_PID_MAX) < 0 || fclose(f))
				say(LOG_WARNING, "move: pid_max stays %lu: %s",
				    strtoul(v, NULL, 10), strerror(errno));
			else
				say(LOG_INFO, "move: pid_max raised to %d (migrated processes keep their pid)",
				    MOVER_PID_MAX);
		}
	}
	mkdir("/run/krgd", 0700);
	mkdir(MOVER_DIR, 0700);
	/* restored copies are ours to reap */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		say(LOG_WARNING, "move: not a subreaper: %s", strerror(errno));
	recover();
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC))
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	r = pthread_create(&thread, NULL, move_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r)
		return -1;
	started = 1;
	return 0;
}

void mover_stop(void)
{
	if (!started)
		return;
	stopping = 1;
	poke();
	pthread_join(thread, NULL);
	say(LOG_INFO, "move: %lu done, %lu refused, %lu failed, %lu pid collisions",
	    n_done, n_refused, n_failed, n_collisions);
}
