// SPDX-License-Identifier: GPL-2.0
/*
 * The CPG group krg_admin: krgadm's cluster-wide operations, agreed by
 * every agent through corosync (docs/krgd.8). It holds one replicated
 * state, the deleted set: the nodes taken out of krgsched's use (krgadm
 * nodes del), which stay members of corosync ("present") but are no node
 * of the others' online set; on a deleted node the online set is that
 * node alone. krgd.c reports NODES = present - deleted (or this node alone
 * if it is deleted) and PRESENT = corosync's members to krg.ko.
 *
 * Operations. DEL(mask), ADD(mask), POWEROFF and REBOOT, each tagged with
 * its originator (corosync nodeid and pid, checked against corosync's own
 * sender) and the originator's request id, are multicast CPG_TYPE_AGREED:
 * every member gets them in one total order and applies each when it is
 * delivered, so all agree. DEL sets the mask's bits of the deleted set,
 * ADD clears them. POWEROFF and REBOOT touch no state: every agent that
 * gets one runs its command at once (the originator first answers
 * krgadm), whether synced or not.
 *
 * State transfer (joiners and merges). On every configuration change of
 * the group each member snapshots its deleted set at the confchg's
 * delivery and multicasts STATE(snapshot, has_state, tag): has_state is
 * false for an agent that never synced (it just started), tag identifies
 * the configuration (a hash of its sorted (nodeid, pid) list), so that a
 * STATE sent for an earlier configuration and delivered late is told
 * apart. Every member buffers the DEL and ADD delivered after the confchg.
 * Once the STATE of every member of the configuration has been delivered
 * (the first one of each member with the configuration's tag), each sets
 * deleted := the union of the snapshots of the members with has_state
 * (of all of them when none has), re-applies the buffered operations in
 * order, and is synced. Virtual synchrony gives every member the same
 * sequence after the confchg, so every one computes the same set. A
 * second confchg before that restarts the round; the operations buffered
 * so far are applied to the member's own set first (DEL and ADD set and
 * clear bits, which commutes with the union). The union is conservative
 * on a merge: a deletion made on either side stands, and an ADD made
 * while a node holding the deletion was cut off is undone by the merge
 * (add it again). The state lives in the agents only: when every agent
 * stops, it is gone (every member is online again).
 *
 * Until it first synced an agent reports nothing to krg.ko (which keeps
 * its last membership), so that a restarted agent of a deleted node does
 * not put it back for a moment.
 *
 * Messages have a fixed layout with a magic, a version and their size
 * (as values.c's); anything else is dropped with a note naming the sender.
 *
 * krgadm talks to the local agent on KRG_ADMIN_SOCKET (libkrg.h): a
 * SOCK_SEQPACKET socket of mode 0600, the peer's uid checked to be 0
 * (SO_PEERCRED), one request {op, mask} and one reply {status, errno,
 * message} a connection; the reply to an operation comes once it was
 * delivered back here and applied. Everything is non-blocking and bounded:
 * krgd's loop never waits on a client, and a client that goes away is
 * forgotten (an operation already sent still happens).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include "krgd.h"

#define ADMIN_GROUP	"krg_admin"
#define ADMIN_MAGIC	0x4b524741	/* "KRGA" */
#define ADMIN_VERSION	1
#define ADMIN_CLIENTS	16		/* krgadm connections at once */
#define MASK_BYTES	(KRG_MAX_NODES / 8)

enum admin_type {
	ADMIN_DEL = 1,
	ADMIN_ADD,
	ADMIN_POWEROFF,
	ADMIN_REBOOT,
	ADMIN_STATE,
};

struct admin_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t size;			/* sizeof(struct admin_msg) */
	uint8_t type;			/* enum admin_type */
	uint8_t has_state;		/* STATE: the sender synced once */
	uint16_t reserved;
	uint32_t nodeid;		/* the originator's corosync nodeid */
	uint32_t pid;			/* and its pid */
	uint32_t reserved2;
	uint64_t id;			/* an op: request id; STATE: the tag */
	uint8_t mask[MASK_BYTES];	/* DEL, ADD, STATE: krg node ids */
};

/* Naturally aligned, no padding: the same bytes on every x86-64 agent. */
_Static_assert(sizeof(struct admin_msg) == 64, "admin_msg layout");

/* A krgadm connection: reading its request, or waiting for its op. */
struct admin_client {
	int fd;				/* -1: free slot */
	uid_t uid;			/* the peer's (SO_PEERCRED) */
	uint64_t id;			/* its op's request id, 0: none yet */
	int unsent;			/* the op is still to be multicast */
	struct admin_msg op;
};

/*
 * All of this is krgd's loop's only (single-threaded), CPG callbacks
 * included (they run from cpg_dispatch() in that loop).
 */
static cpg_handle_t cpg;
static int cpg_open;
static unsigned int me;			/* corosync nodeid */
static uint32_t my_pid;
static const char *cmd_poweroff, *cmd_reboot;

/* The replicated state and where this agent is in syncing it. */
static uint8_t deleted[MASK_BYTES];
static int has_state;		/* synced once (kept across reconnections) */
static int synced;		/* in the current configuration */

/* The current configuration's round. */
static struct cpg_address cfg[CPG_MEMBERS_MAX];
static int cfg_n;
static int cfg_got[CPG_MEMBERS_MAX];	/* its STATE came */
static uint64_t cfg_tag;
static uint8_t round_union[MASK_BYTES], round_all[MASK_BYTES];
static int round_any;			/* a STATE with has_state came */
static int state_unsent;		/* our STATE is still to be multicast */
static struct admin_msg state_msg;
static struct admin_msg *buffered;	/* DEL, ADD delivered in the round */
static size_t nbuffered, buffered_cap;

static int listen_fd = -1;
static struct admin_client clients[ADMIN_CLIENTS];
static uint64_t next_id;

static const char *type_name(int type)
{
	switch (type) {
	case ADMIN_DEL: return "del";
	case ADMIN_ADD: return "add";
	case ADMIN_POWEROFF: return "poweroff";
	case ADMIN_REBOOT: return "reboot";
	case ADMIN_STATE: return "state";
	default: return "?";
	}
}

static void msg_init(struct admin_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->magic = ADMIN_MAGIC;
	m->version = ADMIN_VERSION;
	m->size = sizeof(*m);
	m->type = type;
	m->nodeid = me;
	m->pid = my_pid;
}

/* Multicast @m: 0, 1 if corosync is busy (try again), -1 on error. */
static int send_msg(const struct admin_msg *m)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	cs_error_t e;

	if (!cpg_open)
		return -1;
	e = cpg_mcast_joined(cpg, CPG_TYPE_AGREED, &iov, 1);
	if (e == CS_OK)
		return 0;
	if (e == CS_ERR_TRY_AGAIN)
		return 1;
	say(LOG_WARNING, "krg_admin: cannot send a %s message: error %d",
	    type_name(m->type), e);
	return -1;
}

static void reply_fd(int fd, int status, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Answer a client (never blocking: a client that cannot take it loses it). */
static void reply_fd(int fd, int status, int error, const char *fmt, ...)
{
	struct krg_admin_reply r;
	const uint8_t *present = krgd_members();
	va_list ap;

	memset(&r, 0, sizeof(r));
	r.magic = KRG_ADMIN_MAGIC;
	r.version = KRG_ADMIN_VERSION;
	r.size = sizeof(r);
	r.status = status;
	r.error = error;
	r.synced = has_state;
	r.local_node = me - 1;
	memcpy(r.present, present, MASK_BYTES);
	memcpy(r.deleted, deleted, MASK_BYTES);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r.message, sizeof(r.message), fmt, ap);
		va_end(ap);
	}
	if (send(fd, &r, sizeof(r), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		say(LOG_DEBUG, "krg_admin: a client left before its reply: %s",
		    strerror(errno));
}

static void client_close(struct admin_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->id = 0;
	c->unsent = 0;
}

static void client_reply(struct admin_client *c, int status, int error,
			 const char *msg)
{
	if (msg)
		reply_fd(c->fd, status, error, "%s", msg);
	else
		reply_fd(c->fd, status, error, NULL);
	client_close(c);
}

/* The client waiting for our op @id, or NULL (gone, or none). */
static struct admin_client *client_of(uint64_t id)
{
	for (int i = 0; i < ADMIN_CLIENTS; i++)
		if (clients[i].fd >= 0 && clients[i].id == id &&
		    !clients[i].unsent)
			return &clients[i];
	return NULL;
}

/*
 * The commands running, reaped by admin_tick(): by pid, never any child
 * (krgd's other children are CRIU's runs and migrated processes, which
 * mover.c waits for).
 */
#define ADMIN_COMMANDS	8
static pid_t commands[ADMIN_COMMANDS];

/*
 * Run @cmd (through /bin/sh), or the default of @what: systemctl when
 * systemd runs, else /sbin/@what. Never waits: the child is reaped by
 * admin_tick().
 */
static void run_command(const char *what, const char *cmd,
			const struct admin_msg *m)
{
	int systemd = !access("/run/systemd/system", F_OK);
	char how[64];
	pid_t pid;
	int fd;

	say(LOG_NOTICE, "%s asked by node %u (pid %u)", what, m->nodeid - 1,
	    m->pid);
	snprintf(how, sizeof(how), systemd ? "systemctl %s" : "/sbin/%s", what);
	pid = fork();
	if (pid < 0) {
		say(LOG_ERR, "%s: fork: %s", what, strerror(errno));
		return;
	}
	if (!pid) {
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		setsid();
		fd = open("/dev/null", O_RDONLY);
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		closefrom(3);
		if (cmd)
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		else if (systemd)
			execlp("systemctl", "systemctl", what, (char *)NULL);
		else
			execl(how, what, (char *)NULL);
		_exit(127);
	}
	say(LOG_INFO, "%s: running %s (pid %d)", what, cmd ? cmd : how, pid);
	for (int i = 0; i < ADMIN_COMMANDS; i++)
		if (!commands[i]) {
			commands[i] = pid;
			return;
		}
	say(LOG_WARNING, "%s: more than %d commands at once: pid %d is not reaped",
	    what, ADMIN_COMMANDS, pid);
}

/* Apply a DEL or ADD delivered (now, or replayed at the end of a round). */
static void apply(const struct admin_msg *m)
{
	struct admin_client *c;
	char list[1024];

	for (int i = 0; i < MASK_BYTES; i++) {
		if (m->type == ADMIN_DEL)
			deleted[i] |= m->mask[i];
		else
			deleted[i] &= ~m->mask[i];
	}
	say(LOG_INFO, "nodes %s %s, asked by node %u (pid %u)",
	    krg_nodebytes_str(m->mask, list, sizeof(list)),
	    m->type == ADMIN_DEL ? "deleted" : "added", m->nodeid - 1,
	    m->pid);
	if (synced)
		krgd_deleted_changed();
	if (m->nodeid == me && m->pid == my_pid) {
		c = client_of(m->id);
		if (c)
			client_reply(c, 0, 0, NULL);
	}
}

static void apply_buffered(void)
{
	for (size_t i = 0; i < nbuffered; i++)
		apply(&buffered[i]);
	nbuffered = 0;
}

static int buffer(const struct admin_msg *m)
{
	if (nbuffered == buffered_cap) {
		size_t cap = buffered_cap ? buffered_cap * 2 : 64;
		struct admin_msg *b = realloc(buffered, cap * sizeof(*b));

		if (!b)
			return -1;
		buffered = b;
		buffered_cap = cap;
	}
	buffered[nbuffered++] = *m;
	return 0;
}

static void send_state(void)
{
	if (state_unsent && send_msg(&state_msg) <= 0)
		state_unsent = 0;	/* sent, or failed: corosync is lost */
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
		       const struct cpg_address *members, size_t n,
		       const struct cpg_address *left, size_t nl,
		       const struct cpg_address *joined, size_t nj)
{
	(void)h; (void)group; (void)left; (void)nl; (void)joined; (void)nj;
	/* A round cut short: what it delivered is applied to our own set. */
	if (!synced)
		apply_buffered();
	cfg_n = krgd_cpg_config(cfg, members, n, &cfg_tag);
	memset(cfg_got, 0, sizeof(cfg_got));
	memset(round_union, 0, sizeof(round_union));
	memset(round_all, 0, sizeof(round_all));
	round_any = 0;
	synced = 0;
	msg_init(&state_msg, ADMIN_STATE);
	state_msg.has_state = has_state;
	state_msg.id = cfg_tag;
	memcpy(state_msg.mask, deleted, MASK_BYTES);
	state_unsent = 1;
	say(LOG_DEBUG, "krg_admin: %zu agents (%zu left, %zu joined): syncing",
	    n, nl, nj);
	send_state();
}

static void on_state(const struct admin_msg *m, uint32_t nodeid, uint32_t pid)
{
	char list[1024];
	int i, all = 1;

	if (synced || m->id != cfg_tag)
		return;		/* of an earlier configuration */
	for (i = 0; i < cfg_n; i++)
		if (cfg[i].nodeid == nodeid && cfg[i].pid == pid)
			break;
	if (i == cfg_n || cfg_got[i])
		return;
	cfg_got[i] = 1;
	for (int b = 0; b < MASK_BYTES; b++) {
		round_all[b] |= m->mask[b];
		if (m->has_state)
			round_union[b] |= m->mask[b];
	}
	round_any |= m->has_state;
	for (i = 0; i < cfg_n; i++)
		all &= cfg_got[i];
	if (!all)
		return;
	memcpy(deleted, round_any ? round_union : round_all, MASK_BYTES);
	has_state = 1;
	synced = 1;
	apply_buffered();
	say(LOG_INFO, "krg_admin: synced with %d agents, deleted nodes %s",
	    cfg_n, krg_nodebytes_str(deleted, list, sizeof(list)));
	krgd_deleted_changed();
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct admin_msg m;
	struct admin_client *c;

	(void)h; (void)group;
	if (len != sizeof(m)) {
		say(LOG_WARNING, "krg_admin: a message of %zu bytes from nodeid %u (pid %u): dropped",
		    len, nodeid, pid);
		return;
	}
	memcpy(&m, msg, sizeof(m));
	if (m.magic != ADMIN_MAGIC || m.version != ADMIN_VERSION ||
	    m.size != sizeof(m)) {
		say(LOG_WARNING, "krg_admin: not a version %d message from nodeid %u (pid %u): dropped",
		    ADMIN_VERSION, nodeid, pid);
		return;
	}
	if (m.nodeid != nodeid || m.pid != pid) {
		say(LOG_WARNING, "krg_admin: a message from nodeid %u (pid %u) says it is from nodeid %u (pid %u): dropped",
		    nodeid, pid, m.nodeid, m.pid);
		return;
	}
	switch (m.type) {
	case ADMIN_STATE:
		on_state(&m, nodeid, pid);
		break;
	case ADMIN_DEL:
	case ADMIN_ADD:
		if (synced)
			apply(&m);
		else if (buffer(&m))
			say(LOG_ERR, "krg_admin: out of memory: %s from node %u lost",
			    type_name(m.type), nodeid - 1);
		break;
	case ADMIN_POWEROFF:
	case ADMIN_REBOOT:
		if (nodeid == me && pid == my_pid) {
			c = client_of(m.id);
			if (c)
				client_reply(c, 0, 0, NULL);
		}
		run_command(type_name(m.type),
			    m.type == ADMIN_POWEROFF ? cmd_poweroff : cmd_reboot,
			    &m);
		break;
	default:
		say(LOG_WARNING, "krg_admin: a message of unknown type %u from nodeid %u (pid %u): dropped",
		    m.type, nodeid, pid);
	}
}

static void listen_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;

	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
			   SOCK_CLOEXEC, 0);
	if (listen_fd < 0) {
		say(LOG_ERR, "%s: socket: %s", KRG_ADMIN_SOCKET, strerror(errno));
		return;
	}
	strncpy(sa.sun_path, KRG_ADMIN_SOCKET, sizeof(sa.sun_path) - 1);
	unlink(KRG_ADMIN_SOCKET);
	old = umask(077);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(KRG_ADMIN_SOCKET, 0600) || listen(listen_fd, 8)) {
		say(LOG_ERR, "%s: %s: krgadm cannot reach this agent",
		    KRG_ADMIN_SOCKET, strerror(errno));
		close(listen_fd);
		listen_fd = -1;
	}
	umask(old);
}

static void on_accept(void)
{
	struct ucred cr;
	socklen_t len;
	int fd, i;

	for (;;) {
		len = sizeof(cr);
		fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
			close(fd);
			continue;
		}
		for (i = 0; i < ADMIN_CLIENTS && clients[i].fd >= 0; i++)
			;
		if (i == ADMIN_CLIENTS) {
			reply_fd(fd, -1, EBUSY, "krgd has %d requests in progress",
				 ADMIN_CLIENTS);
			close(fd);
			continue;
		}
		clients[i].fd = fd;
		clients[i].uid = cr.uid;
		clients[i].id = 0;
		clients[i].unsent = 0;
	}
}

/* A client's request: answered now, or its op sent (answered when applied). */
static void on_request(struct admin_client *c)
{
	static const int types[] = {
		[KRG_ADMIN_DEL] = ADMIN_DEL,
		[KRG_ADMIN_ADD] = ADMIN_ADD,
		[KRG_ADMIN_POWEROFF] = ADMIN_POWEROFF,
		[KRG_ADMIN_REBOOT] = ADMIN_REBOOT,
	};
	struct krg_admin_req req;
	ssize_t n;
	int empty = 1;

	n = recv(c->fd, &req, sizeof(req), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	/* Refused once its request is in: it reads the refusal, not EPIPE. */
	if (c->uid != 0) {
		reply_fd(c->fd, -1, EPERM, "only root may ask krgd (uid %d)",
			 (int)c->uid);
		client_close(c);
		return;
	}
	if (n != (ssize_t)sizeof(req) || req.magic != KRG_ADMIN_MAGIC ||
	    req.version != KRG_ADMIN_VERSION || req.size != sizeof(req)) {
		client_reply(c, -1, EPROTO, "not a version 1 request of krgadm");
		return;
	}
	if (req.op == KRG_ADMIN_STATUS) {
		client_reply(c, 0, 0, NULL);
		return;
	}
	if (req.op < KRG_ADMIN_DEL || req.op > KRG_ADMIN_REBOOT) {
		client_reply(c, -1, EINVAL, "unknown request");
		return;
	}
	for (int i = 0; i < MASK_BYTES; i++)
		empty &= !req.mask[i];
	if ((req.op == KRG_ADMIN_DEL || req.op == KRG_ADMIN_ADD) && empty) {
		client_reply(c, -1, EINVAL, "no node given");
		return;
	}
	if (req.op == KRG_ADMIN_DEL && krg_nodebytes_isset(req.mask, (int)me - 1)) {
		client_reply(c, -1, EINVAL, "Unable to suppress current node.");
		return;
	}
	msg_init(&c->op, types[req.op]);
	c->op.id = ++next_id;
	memcpy(c->op.mask, req.mask, MASK_BYTES);
	c->id = c->op.id;
	c->unsent = 1;
	say(LOG_DEBUG, "krg_admin: request %llu: %s",
	    (unsigned long long)c->id, type_name(c->op.type));
}

static void client_send(struct admin_client *c)
{
	int r = send_msg(&c->op);

	if (r < 0)
		client_reply(c, -1, EIO, "cannot send to the other agents");
	else if (!r)
		c->unsent = 0;
}

int admin_open(unsigned int local_nodeid, const char *poweroff,
	       const char *reboot)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};

	me = local_nodeid;
	my_pid = (uint32_t)getpid();
	cmd_poweroff = poweroff;
	cmd_reboot = reboot;
	for (int i = 0; i < ADMIN_CLIENTS; i++)
		clients[i].fd = -1;
	if (krgd_cpg_join(&cpg, ADMIN_GROUP, &model))
		return -1;
	cpg_open = 1;
	synced = 0;
	listen_open();
	return 0;
}

int admin_ready(void)
{
	return has_state;
}

int admin_node_deleted(int node)
{
	return krg_nodebytes_isset(deleted, node);
}

int admin_pollfds(struct pollfd *p, int max)
{
	int n = 0;

	if (cpg_open && n < max && cpg_fd_get(cpg, &p[n].fd) == CS_OK)
		p[n++].events = POLLIN;
	if (listen_fd >= 0 && n < max) {
		p[n].fd = listen_fd;
		p[n++].events = POLLIN;
	}
	for (int i = 0; i < ADMIN_CLIENTS && n < max; i++) {
		if (clients[i].fd < 0)
			continue;
		p[n].fd = clients[i].fd;
		/* Its request, or its hanging up while it waits. */
		p[n++].events = clients[i].id ? 0 : POLLIN;
	}
	return n;
}

int admin_dispatch(const struct pollfd *p, int n)
{
	cs_error_t e;
	int cpg_fd = -1;

	if (cpg_open)
		cpg_fd_get(cpg, &cpg_fd);
	for (int k = 0; k < n; k++) {
		if (!p[k].revents)
			continue;
		if (p[k].fd == cpg_fd) {
			e = cpg_dispatch(cpg, CS_DISPATCH_ALL);
			if (e != CS_OK && e != CS_ERR_TRY_AGAIN)
				return -1;
			continue;
		}
		if (p[k].fd == listen_fd) {
			on_accept();
			continue;
		}
		for (int i = 0; i < ADMIN_CLIENTS; i++) {
			if (clients[i].fd != p[k].fd)
				continue;
			if (!clients[i].id && (p[k].revents & POLLIN))
				on_request(&clients[i]);
			else if (p[k].revents & (POLLHUP | POLLERR))
				client_close(&clients[i]);	/* went away */
			break;
		}
	}
	return 0;
}

int admin_tick(void)
{
	int busy = 0, st;
	pid_t pid;

	send_state();
	busy |= state_unsent;
	for (int i = 0; i < ADMIN_CLIENTS; i++) {
		if (clients[i].fd >= 0 && clients[i].unsent)
			client_send(&clients[i]);
		busy |= clients[i].fd >= 0 && clients[i].unsent;
	}
	for (int i = 0; i < ADMIN_COMMANDS; i++) {
		if (!commands[i])
			continue;
		pid = waitpid(commands[i], &st, WNOHANG);
		if (pid == 0 || (pid < 0 && errno == EINTR))
			continue;
		commands[i] = 0;
		if (pid < 0)
			continue;
		if (WIFEXITED(st) && !WEXITSTATUS(st))
			say(LOG_INFO, "command (pid %d) done", pid);
		else
			say(LOG_WARNING, "command (pid %d) failed (%s %d)", pid,
			    WIFEXITED(st) ? "exit status" : "signal",
			    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	return busy;
}

void admin_close(void)
{
	/* Whatever a cut-short round delivered is ours too. */
	if (!synced)
		apply_buffered();
	for (int i = 0; i < ADMIN_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_reply(&clients[i], -1, ECONNRESET,
				     "krgd lost corosync");
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(KRG_ADMIN_SOCKET);
	}
	listen_fd = -1;
	if (cpg_open)
		cpg_finalize(cpg);
	cpg_open = 0;
	synced = 0;
	state_unsent = 0;
}
