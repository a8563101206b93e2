// SPDX-License-Identifier: GPL-2.0
/*
 * The replicated krg_scheduler tree: one configuration for the whole
 * cluster (docs/cluster.md, "The replicated tree").
 *
 * Users reach the tree through front.c's FUSE filesystem; krgd works on a
 * private configfs mount (TREE_PRIVATE). Every change made through the
 * front (mkdir, rmdir, ln -s, rm, an attribute's write) is a record
 * multicast CPG_TYPE_AGREED in the group krg_tree; every member applies
 * each record to its private mount in delivery order, one at a time, in
 * this file's thread, and the writer's system call returns the result of
 * its own record applied on its own node: the errno one machine gives for
 * that sequence of calls. Nothing is locked or tried, so nobody gets
 * EAGAIN (corosync's CS_ERR_TRY_AGAIN is retried here). Without quorum
 * (libquorum) a change is refused with EROFS before it is sent, and the
 * log and the kernel log say that quorum is lost.
 *
 * The writer multicasts its result (RESULT) after applying its record;
 * a member whose own result differs (success here and failure there, or
 * the reverse: a node-local condition such as a missing module) reports
 * it (log, kernel log, /run/krgd/tree) and asks for a state exchange
 * (SYNC), which makes its tree the writer's side's again where it can.
 *
 * State exchange. At every configuration change of the group, and at
 * every SYNC, each member multicasts STATE (epoch, weight, version, hash
 * of its snapshot, partial, quorate) tagged with the round: a hash of the
 * configuration's sorted (nodeid, pid) list (and of the SYNC's sender
 * and id), so that a STATE of an earlier round delivered late is told
 * apart. Records and results delivered during a round are buffered. Once
 * every member's STATE is in (virtual synchrony: every member sees the
 * same STATEs in the same order, so all compute the same), the leader is
 * the member with the highest epoch, then the highest weight, then not
 * partial, then the lowest nodeid. If some member's hash differs from
 * the leader's, the leader multicasts its snapshot (SNAP) and those
 * members make their tree equal to it (snapshot.c); then everyone takes
 * epoch = the leader's + 1 if the leader is quorate (weight = the members
 * of the round) else the leader's, applies what it buffered, and goes on.
 * So a node that starts late gets the whole tree (its epoch is 0), and
 * after a partition the side that kept quorum, whose epoch went up,
 * replaces the minority's tree. With two_node both halves stay quorate:
 * both epochs go up by one, the weights tie, and the lower nodeid's tree
 * wins; the other half's changes since the split are lost, reported.
 *
 * Locking: tree_lock protects what front.c's threads share with this
 * thread (the connection, quorum, the writers waiting, their sequence);
 * everything else here is this thread's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>
#include "krgd.h"

#define TREE_GROUP	"krg_tree"
#define TREE_MAGIC	0x4b524754	/* "KRGT" */
#define TREE_VERSION	2
#define TREE_MSG_MAX	(1 << 20)	/* corosync's limit is about this */
#define TREE_RESULTS	4096		/* own results kept for comparison */

enum tree_type {
	T_REC = 1, T_RESULT, T_STATE, T_SNAP, T_SYNC,
	T_MEMBERS,	/* the sender's process-set members (members.c) */
	T_MEMBER_OP,	/* a change of one of them, for its node to make */
};

struct tree_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t type;			/* enum tree_type */
	uint32_t nodeid;		/* the sender, checked against corosync's */
	uint32_t pid;
	uint64_t seq;			/* REC, RESULT: the sender's record number;
					 * STATE, SNAP: the round's tag; SYNC: an id */
	int32_t res;			/* RESULT: 0, a count, or -errno */
	uint32_t op;			/* REC: enum tree_op */
	uint32_t len1, len2;		/* REC: path, argument; SNAP: text, 0 */
	uint64_t epoch, weight, tree_version, hash;	/* STATE */
	uint32_t partial, quorate;	/* STATE */
	/*
	 * MEMBER_OP: the agent asked; MEMBERS: the one whose MEMBER_OP
	 * (its seq) this list answers with res, or 0.
	 */
	uint32_t to_nodeid, to_pid;
};

_Static_assert(sizeof(struct tree_msg) == 88, "tree_msg layout");

/* ---- shared with front.c, under tree_lock ---- */

static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tree_cond = PTHREAD_COND_INITIALIZER;
static cpg_handle_t cpg;
static int joined;		/* cpg is connected and joined */
static unsigned int conn_gen;	/* bumped at each connection lost */
static int quorate;
static uint64_t next_seq = 1;

struct waiter {
	uint64_t seq;
	int done, res;
	/* MEMBER_OP: the agent asked (krg node, pid), and the errno if it goes */
	int target;			/* -1: a record */
	uint32_t target_pid;
	int gone;
	struct waiter *next;
};
static struct waiter *waiters;
/* The agents of the group, by krg node: their pid, 0 when none. */
static uint32_t agent_pid[KRG_MAX_NODES];
/* tree_members_changed(): a byte in wake[1] wakes the thread's poll. */
static int members_dirty;
static int wake[2] = { -1, -1 };

/* ---- this thread's ---- */

static pthread_t thread;
static int started;
static int no_module = 1;	/* krg_scheduler's directory is not there */
static volatile int stopping;
static uint32_t me, my_pid;
static char priv_root[PATH_MAX];	/* TREE_PRIVATE/krg_scheduler */

/* The configuration and its round. */
static struct cpg_address cfg[CPG_MEMBERS_MAX];
static int cfg_n;
static uint64_t cfg_tag, round_tag;
static int synced;			/* no round running */
static struct tree_msg states[CPG_MEMBERS_MAX];
static unsigned char got[CPG_MEMBERS_MAX];
static int leader = -1;			/* index in cfg, once known */

/* What this node's tree is. */
static uint64_t epoch, weight, version;
static uint64_t round_version;		/* version when the last round ended */
static int partial;			/* some change failed here only */
static unsigned long failed_records;
static char last_failure[512];
static char last_lost[256];	/* our side's changes a merge undid */
static uint64_t sync_ids;
/* The leader's tree could not be taken whole: ask again then (backoff). */
static struct timespec resync_at;
static unsigned int resync_s;

/* Records and results delivered during a round. */
struct buffered {
	struct tree_msg m;
	char *payload;
	struct buffered *next;
};
static struct buffered *buf_head, **buf_tail = &buf_head;

/* Own results of others' records: compared with their RESULT. */
static struct {
	uint32_t nodeid;
	uint64_t seq;
	int res;
} results[TREE_RESULTS];


static void kmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kmsg(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n :
			   sizeof(line) - 1) < 0)
		n = 0;
	close(fd);
}

/* /run/krgd/tree: what krgadm cluster status shows (written whole). */
static void write_status(void)
{
	char tmp[] = TREE_STATUS ".tmp";
	FILE *f = fopen(tmp, "w");

	if (!f)
		return;
	fprintf(f, "state %s\n", no_module ? "off (krg_scheduler.ko is not loaded)" :
		!joined ? "disconnected" :
		!synced ? "syncing" : !quorate ? "read-only (quorum lost)" :
		"writable");
	fprintf(f, "epoch %llu\nversion %llu\n", (unsigned long long)epoch,
		(unsigned long long)version);
	fprintf(f, "agents %d\n", cfg_n);
	fprintf(f, "failed_records %lu\n", failed_records);
	fprintf(f, "partial %d\n", partial);
	if (last_failure[0])
		fprintf(f, "last_failure %s\n", last_failure);
	if (last_lost[0])
		fprintf(f, "lost %s\n", last_lost);
	if (fclose(f) || rename(tmp, TREE_STATUS))
		unlink(tmp);
}

/*
 * Multicast, trying @tries times 5 ms apart while corosync is busy (it is
 * during a membership change, for seconds): 0, 1 (still busy), or -1.
 */
static int send_iov(struct iovec *iov, int n, int tries)
{
	cs_error_t e = CS_ERR_TRY_AGAIN;

	for (int i = 0; i < tries && e == CS_ERR_TRY_AGAIN; i++) {
		e = cpg_mcast_joined(cpg, CPG_TYPE_AGREED, iov, (unsigned int)n);
		if (e == CS_ERR_TRY_AGAIN && i + 1 < tries)
			usleep(5000);
	}
	if (e == CS_ERR_TRY_AGAIN)
		return 1;
	if (e != CS_OK)
		say(LOG_WARNING, "krg_tree: cannot multicast: error %d", e);
	return e == CS_OK ? 0 : -1;
}

/*
 * What this thread sends (STATE, SNAP, SYNC, RESULT) goes through a queue,
 * in order, sent from its loop: a message is never dropped because
 * corosync is busy (a round whose STATE was lost would never end), and
 * the dispatch never waits for it.
 */
struct outgoing {
	struct tree_msg m;
	char *payload;
	size_t len;
	struct outgoing *next;
};
static struct outgoing *out_head, **out_tail = &out_head;

static void queue_msg(const struct tree_msg *m, const char *payload, size_t len)
{
	struct outgoing *o = calloc(1, sizeof(*o));

	if (!o || (len && !(o->payload = malloc(len)))) {
		free(o);
		say(LOG_ERR, "tree: out of memory: a message of type %u not sent",
		    m->type);
		return;
	}
	o->m = *m;
	if (len)
		memcpy(o->payload, payload, len);
	o->len = len;
	*out_tail = o;
	out_tail = &o->next;
}

/* Send what is queued: 0 when all went, 1 if corosync is busy. */
static int flush_out(void)
{
	while (out_head) {
		struct outgoing *o = out_head;
		struct iovec iov[2] = {
			{ &o->m, sizeof(o->m) }, { o->payload, o->len },
		};
		int r = send_iov(iov, o->len ? 2 : 1, 1);

		if (r > 0)
			return 1;
		out_head = o->next;
		if (!out_head)
			out_tail = &out_head;
		free(o->payload);
		free(o);
	}
	return 0;
}

static void drop_out(void)
{
	while (out_head) {
		struct outgoing *o = out_head;

		out_head = o->next;
		free(o->payload);
		free(o);
	}
	out_tail = &out_head;
}

static void msg_init(struct tree_msg *m, int type)
{
	memset(m, 0, sizeof(*m));
	m->magic = TREE_MAGIC;
	m->version = TREE_VERSION;
	m->type = (uint16_t)type;
	m->nodeid = me;
	m->pid = my_pid;
}

/* Ask every member for a state exchange (a round of its own). */
static void ask_sync(void)
{
	struct tree_msg m;

	msg_init(&m, T_SYNC);
	m.seq = ++sync_ids;
	queue_msg(&m, NULL, 0);
}

static const char *op_name(uint32_t op)
{
	switch (op) {
	case TREE_MKDIR: return "mkdir";
	case TREE_RMDIR: return "rmdir";
	case TREE_SYMLINK: return "ln -s";
	case TREE_UNLINK: return "rm";
	case TREE_WRITE: return "write";
	}
	return "?";
}

/* Apply a change to the private tree: 0 (a write: its count) or -errno. */
int tree_apply(uint32_t op, const char *path, const char *arg, size_t alen,
	       mode_t mode)
{
	char p[PATH_MAX], t[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(p, sizeof(p), "%s/%s", priv_root, path) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	switch (op) {
	case TREE_MKDIR:
		return mkdir(p, mode) ? -errno : 0;
	case TREE_RMDIR:
		return rmdir(p) ? -errno : 0;
	case TREE_UNLINK:
		return unlink(p) ? -errno : 0;
	case TREE_SYMLINK:
		/* under the subsystem: relative to it; else absolute */
		if (arg[0] == '/')
			snprintf(t, sizeof(t), "%s", arg);
		else if (snprintf(t, sizeof(t), "%s/%s", priv_root, arg) >=
			 (int)sizeof(t))
			return -ENAMETOOLONG;
		return symlink(t, p) ? -errno : 0;
	case TREE_WRITE:
		fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = write(fd, arg, alen);
		n = n < 0 ? -errno : n;
		close(fd);
		return (int)n;
	}
	return -EINVAL;
}

/* Has a member sent a STATE in this round? Its index in cfg, or -1. */
static int member_index(uint32_t nodeid, uint32_t pid)
{
	for (int i = 0; i < cfg_n; i++)
		if (cfg[i].nodeid == nodeid && cfg[i].pid == pid)
			return i;
	return -1;
}

static void remember_result(uint32_t nodeid, uint64_t seq, int res)
{
	size_t i = (size_t)((seq * 31 + nodeid) % TREE_RESULTS);

	results[i].nodeid = nodeid;
	results[i].seq = seq;
	results[i].res = res;
}

static void diverged(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diverged(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_failure, sizeof(last_failure), fmt, ap);
	va_end(ap);
	failed_records++;
	partial = 1;
	say(LOG_ERR, "tree: %s; this node's tree differs: asking for a state exchange",
	    last_failure);
	kmsg("krgd: krg_scheduler tree: %s; this node's tree differs from the cluster's\n",
	     last_failure);
	write_status();
	ask_sync();
}

/* A record delivered in its place in the order: apply it. */
static void do_record(const struct tree_msg *m, const char *payload)
{
	char *path = strndup(payload, m->len1);
	const char *arg = payload + m->len1;
	struct waiter *w;
	int res;

	version++;
	if (!path) {
		say(LOG_ERR, "tree: out of memory: record %llu of node %u lost here",
		    (unsigned long long)m->seq, m->nodeid - 1);
		return;
	}
	/*
	 * arg is NUL-terminated by on_deliver's copy. A path outside the
	 * subsystem is refused alike on every node (front.c never makes one).
	 */
	if (!snapshot_path_ok(path) || (m->op == TREE_SYMLINK && arg[0] != '/' &&
					!snapshot_path_ok(arg))) {
		say(LOG_WARNING, "tree: record %llu of node %u names a path outside krg_scheduler: refused",
		    (unsigned long long)m->seq, m->nodeid - 1);
		res = -EINVAL;
	} else {
		res = tree_apply(m->op, path, arg, m->len2, 0755);
	}
	say(LOG_DEBUG, "tree: %s %s from node %u: %s", op_name(m->op), path,
	    m->nodeid - 1, res < 0 ? strerror(-res) : "done");
	if (m->nodeid != me || m->pid != my_pid) {
		remember_result(m->nodeid, m->seq, res);
		free(path);
		return;
	}
	free(path);
	pthread_mutex_lock(&tree_lock);
	for (w = waiters; w; w = w->next)
		if (w->seq == m->seq) {
			w->done = 1;
			w->res = res;
		}
	pthread_cond_broadcast(&tree_cond);
	pthread_mutex_unlock(&tree_lock);
	{
		struct tree_msg r;

		msg_init(&r, T_RESULT);
		r.seq = m->seq;
		r.res = res;
		r.op = m->op;
		queue_msg(&r, NULL, 0);
	}
}

/* The writer's result of its record: ours should be the same kind. */
static void do_result(const struct tree_msg *m)
{
	size_t i = (size_t)((m->seq * 31 + m->nodeid) % TREE_RESULTS);
	int mine;

	if (m->nodeid == me && m->pid == my_pid)
		return;
	if (results[i].nodeid != m->nodeid || results[i].seq != m->seq)
		return;		/* applied before we joined, or forgotten */
	mine = results[i].res;
	if ((mine < 0) == (m->res < 0))
		return;
	if (mine < 0)
		diverged("record %llu of node %u (%s) failed here (%s) but was done there",
			 (unsigned long long)m->seq, m->nodeid - 1, op_name(m->op),
			 strerror(-mine));
	else
		diverged("record %llu of node %u (%s) was done here but failed there (%s)",
			 (unsigned long long)m->seq, m->nodeid - 1, op_name(m->op),
			 strerror(-m->res));
}

static void buffer(const struct tree_msg *m, const char *payload, size_t len)
{
	struct buffered *b = malloc(sizeof(*b));

	if (b)
		b->payload = malloc(len + 1);
	if (!b || !b->payload) {
		free(b);
		say(LOG_ERR, "tree: out of memory: a record of node %u lost here",
		    m->nodeid - 1);
		partial = 1;
		return;
	}
	b->m = *m;
	memcpy(b->payload, payload, len);
	b->payload[len] = '\0';
	b->next = NULL;
	*buf_tail = b;
	buf_tail = &b->next;
}

static void apply_buffered(void)
{
	while (buf_head) {
		struct buffered *b = buf_head;

		buf_head = b->next;
		if (b->m.type == T_REC)
			do_record(&b->m, b->payload);
		else
			do_result(&b->m);
		free(b->payload);
		free(b);
	}
	buf_tail = &buf_head;
}

/* This node's snapshot text and hash; NULL text if it cannot be read. */
static char *own_snapshot(size_t *len, uint64_t *hash)
{
	struct snapshot *s = snapshot_take(priv_root);
	char *text;

	*len = 0;
	*hash = 0;
	if (!s) {
		say(LOG_ERR, "tree: cannot read %s: %s", priv_root, strerror(errno));
		return NULL;
	}
	text = snapshot_text(s, len);
	snapshot_free(s);
	if (text)
		*hash = snapshot_hash(text, *len);
	return text;
}

/*
 * Our tree is the leader's (its hash): so is our partial flag, and there
 * is nothing to ask again.
 */
static void same_as_leader(void)
{
	partial = (int)states[leader].partial;
	resync_s = 0;
	resync_at.tv_sec = 0;
}

/*
 * Some of the leader's tree failed here (a node-local condition, often one
 * that passes: the online nodes krg.ko knows lagging the membership): ask
 * for a state exchange again in 1, 2, 4... 60 s. The exchange, not a
 * retry of the failed entries alone, since records went on meanwhile.
 */
static void resync_later(void)
{
	resync_s = resync_s ? (resync_s * 2 > 60 ? 60 : resync_s * 2) : 1;
	clock_gettime(CLOCK_MONOTONIC, &resync_at);
	resync_at.tv_sec += resync_s;
}

static void resync_due(void)
{
	struct timespec now;

	if (!resync_at.tv_sec || !synced)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < resync_at.tv_sec)
		return;
	resync_at.tv_sec = 0;
	say(LOG_INFO, "tree: asking again for the cluster's tree (some of it failed here)");
	ask_sync();
}

/*
 * Multicast this node's process-set members (members.c), answering @req
 * (a MEMBER_OP) with @res if it is not NULL.
 */
static void announce_members(const struct tree_msg *req, int res)
{
	struct tree_msg m;
	size_t len;
	char *text = members_local_text(priv_root, &len);

	msg_init(&m, T_MEMBERS);
	if (!text || len > TREE_MSG_MAX - sizeof(m)) {
		say(LOG_ERR, "tree: cannot send this node's process-set members (%zu bytes)",
		    len);
		len = 0;
	}
	if (req) {
		m.seq = req->seq;
		m.res = res;
		m.to_nodeid = req->nodeid;
		m.to_pid = req->pid;
	}
	m.len1 = (uint32_t)len;
	queue_msg(&m, text, len);
	free(text);
}

/* Another agent's members, and maybe the answer to our MEMBER_OP. */
static void on_members(const struct tree_msg *m, const char *text)
{
	struct waiter *w;
	int bad;

	if (m->nodeid == me && m->pid == my_pid)
		return;
	if (member_index(m->nodeid, m->pid) < 0)
		return;		/* from an agent that has left */
	bad = members_set((int)m->nodeid - 1, text, m->len1);
	if (bad)
		say(LOG_WARNING, "tree: %d member(s) node %u announced are not process-set members: ignored",
		    bad, m->nodeid - 1);
	if (m->to_nodeid != me || m->to_pid != my_pid || !m->seq)
		return;
	pthread_mutex_lock(&tree_lock);
	for (w = waiters; w; w = w->next)
		if (w->seq == m->seq && w->target == (int)m->nodeid - 1) {
			w->done = 1;
			w->res = m->res;
		}
	pthread_cond_broadcast(&tree_cond);
	pthread_mutex_unlock(&tree_lock);
}

/* Another agent asks this one to change one of this node's members. */
static void on_member_op(const struct tree_msg *m, const char *payload)
{
	char *path, dir[PATH_MAX];
	int node, res;
	long nr;

	if (m->to_nodeid != me || m->to_pid != my_pid)
		return;
	path = strndup(payload, m->len1);
	if (!path) {
		res = -ENOMEM;
	} else if (!snapshot_path_ok(path) || (m->op != TREE_MKDIR && m->op != TREE_RMDIR) ||
		   members_name(path, dir, sizeof(dir), &node, &nr) != 1) {
		say(LOG_WARNING, "tree: node %u asked for %s of %s here, which is no process-set member: refused",
		    m->nodeid - 1, op_name(m->op), path);
		res = -EINVAL;
	} else {
		res = tree_apply(m->op, path, "", 0, 0755);
		say(LOG_DEBUG, "tree: %s %s asked by node %u: %s", op_name(m->op),
		    path, m->nodeid - 1, res < 0 ? strerror(-res) : "done");
	}
	free(path);
	announce_members(m, res);
}

/* Start a round tagged @tag: send our STATE, buffer what comes. */
static void round_start(uint64_t tag)
{
	struct tree_msg m;
	size_t len;
	char *text;

	round_tag = tag;
	synced = 0;
	leader = -1;
	memset(got, 0, sizeof(got));
	msg_init(&m, T_STATE);
	m.seq = tag;
	m.epoch = epoch;
	m.weight = weight;
	m.tree_version = version;
	text = own_snapshot(&len, &m.hash);
	free(text);
	m.partial = (uint32_t)partial;
	pthread_mutex_lock(&tree_lock);
	m.quorate = (uint32_t)quorate;
	pthread_mutex_unlock(&tree_lock);
	write_status();
	queue_msg(&m, NULL, 0);
}

static void round_done(const struct tree_msg *l)
{
	epoch = l->epoch + (l->quorate ? 1 : 0);
	weight = l->quorate ? (uint64_t)cfg_n : l->weight;
	version = l->tree_version;
	round_version = version;
	synced = 1;
	apply_buffered();
	announce_members(NULL, 0);
	say(LOG_INFO, "tree: synced with %d agents (epoch %llu, version %llu, the tree of node %u)",
	    cfg_n, (unsigned long long)epoch, (unsigned long long)version,
	    l->nodeid - 1);
	write_status();
}

static int better(const struct tree_msg *a, const struct tree_msg *b)
{
	if (a->epoch != b->epoch)
		return a->epoch > b->epoch;
	if (a->weight != b->weight)
		return a->weight > b->weight;
	if (a->partial != b->partial)
		return !a->partial;
	return a->nodeid < b->nodeid;
}

static void on_state(const struct tree_msg *m)
{
	int i = member_index(m->nodeid, m->pid), all = 1, differ = 0;

	if (synced || m->seq != round_tag || i < 0 || got[i])
		return;
	got[i] = 1;
	states[i] = *m;
	for (int j = 0; j < cfg_n; j++)
		all &= got[j];
	if (!all)
		return;
	leader = 0;
	for (int j = 1; j < cfg_n; j++)
		if (better(&states[j], &states[leader]))
			leader = j;
	for (int j = 0; j < cfg_n; j++)
		differ |= states[j].hash != states[leader].hash;
	if (!differ) {
		same_as_leader();
		round_done(&states[leader]);
		return;
	}
	if (cfg[leader].nodeid == me && cfg[leader].pid == my_pid) {
		struct tree_msg s;
		size_t len;
		char *text = own_snapshot(&len, &s.hash);

		msg_init(&s, T_SNAP);
		s.seq = round_tag;
		if (!text || len > TREE_MSG_MAX - sizeof(s)) {
			say(LOG_ERR, "tree: cannot send the tree (%zu bytes): the others keep theirs",
			    len);
			len = 0;
		}
		s.len1 = (uint32_t)len;
		queue_msg(&s, text, len);
		free(text);
	}
	/* those whose tree is the leader's are done; the others wait */
	i = member_index(me, my_pid);
	if (i >= 0 && states[i].hash == states[leader].hash) {
		same_as_leader();
		round_done(&states[leader]);
	}
}

static void on_snap(const struct tree_msg *m, const char *text)
{
	struct snapshot *want;
	char log[sizeof(last_failure) - 64];
	int i = member_index(me, my_pid), fail;

	if (synced || m->seq != round_tag || leader < 0 ||
	    m->nodeid != cfg[leader].nodeid || m->pid != cfg[leader].pid)
		return;
	if (i >= 0 && states[i].hash == states[leader].hash)
		return;
	if (!m->len1) {
		round_done(&states[leader]);
		return;
	}
	want = snapshot_parse(text, m->len1);
	if (!want) {
		say(LOG_ERR, "tree: the tree node %u sent is not one: keeping ours",
		    m->nodeid - 1);
		partial = 1;
		round_done(&states[leader]);
		return;
	}
	/*
	 * A merge whose sides both went on (two_node: both stayed quorate,
	 * the same epoch; the lower node id won), and ours changed since the
	 * split (records applied since the last round): those changes are
	 * gone. Said, never silent.
	 */
	if (i >= 0 && round_tag == cfg_tag && states[i].epoch &&
	    states[i].epoch == states[leader].epoch &&
	    states[i].tree_version > round_version) {
		snprintf(last_lost, sizeof(last_lost),
			 "at the merge, the tree of node %u replaced this one (epoch %llu, version %llu): the changes made on this side since the split are lost",
			 m->nodeid - 1, (unsigned long long)states[i].epoch,
			 (unsigned long long)states[i].tree_version);
		say(LOG_WARNING, "tree: %s", last_lost);
		kmsg("krgd: krg_scheduler tree: %s\n", last_lost);
	}
	fail = snapshot_restore(priv_root, want, log, sizeof(log));
	snapshot_free(want);
	partial = fail > 0;
	if (!fail) {
		resync_s = 0;
	} else {
		char was[sizeof(last_failure)];

		memcpy(was, last_failure, sizeof(was));
		snprintf(last_failure, sizeof(last_failure),
			 "node %u's tree, %d part(s) of it failed: %s",
			 m->nodeid - 1, fail, log);
		/* said once, not at every exchange asked again */
		if (strcmp(was, last_failure))
			kmsg("krgd: krg_scheduler tree: %s\n", last_failure);
		resync_later();
	}
	say(fail ? LOG_ERR : LOG_INFO, "tree: took the tree of node %u%s",
	    m->nodeid - 1, fail ? ", not all of it (krgadm cluster status)" : "");
	round_done(&states[leader]);
}

/*
 * The group's agents changed: forget the members of the nodes gone, and
 * fail the MEMBER_OPs asked of agents that are no longer there.
 */
static void agents_changed(void)
{
	unsigned char present[KRG_MAX_NODES / 8] = { 0 };
	struct waiter *w;

	pthread_mutex_lock(&tree_lock);
	memset(agent_pid, 0, sizeof(agent_pid));
	for (int i = 0; i < cfg_n; i++)
		if (cfg[i].nodeid >= 1 && cfg[i].nodeid <= KRG_MAX_NODES) {
			agent_pid[cfg[i].nodeid - 1] = cfg[i].pid;
			krg_nodebytes_set(present, (int)cfg[i].nodeid - 1);
		}
	for (w = waiters; w; w = w->next)
		if (w->target >= 0 && !w->done &&
		    agent_pid[w->target] != w->target_pid) {
			w->done = 1;
			w->res = w->gone;
		}
	pthread_cond_broadcast(&tree_cond);
	pthread_mutex_unlock(&tree_lock);
	members_keep(present);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
		       const struct cpg_address *members, size_t n,
		       const struct cpg_address *left, size_t nl,
		       const struct cpg_address *joined_list, size_t nj)
{
	(void)h; (void)group; (void)left; (void)joined_list;
	/* A round cut short: what it buffered is applied to our tree. */
	if (!synced)
		apply_buffered();
	cfg_n = krgd_cpg_config(cfg, members, n, &cfg_tag);
	agents_changed();
	say(LOG_DEBUG, "krg_tree: %zu agents (%zu left, %zu joined): syncing",
	    n, nl, nj);
	round_start(cfg_tag);
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct tree_msg m;
	const char *payload = (const char *)msg + sizeof(m);
	size_t plen = len - sizeof(m);
	char *copy;

	(void)h; (void)group;
	if (len < sizeof(m)) {
		say(LOG_WARNING, "krg_tree: a message of %zu bytes from nodeid %u: dropped",
		    len, nodeid);
		return;
	}
	memcpy(&m, msg, sizeof(m));
	if (m.magic != TREE_MAGIC || m.version != TREE_VERSION ||
	    m.nodeid != nodeid || m.pid != pid ||
	    (uint64_t)m.len1 + m.len2 != plen) {
		say(LOG_WARNING, "krg_tree: a bad message from nodeid %u (pid %u): dropped",
		    nodeid, pid);
		return;
	}
	switch (m.type) {
	case T_REC:
	case T_RESULT:
		if (!synced) {
			buffer(&m, payload, plen);
			break;
		}
		if (m.type == T_RESULT) {
			do_result(&m);
			break;
		}
		/* a NUL after the argument, for tree_apply() */
		copy = malloc(plen + 1);
		if (!copy) {
			say(LOG_ERR, "tree: out of memory: a record of node %u lost here",
			    nodeid - 1);
			partial = 1;
			break;
		}
		memcpy(copy, payload, plen);
		copy[plen] = '\0';
		do_record(&m, copy);
		free(copy);
		break;
	case T_STATE:
		on_state(&m);
		break;
	case T_MEMBERS:
		on_members(&m, payload);
		break;
	case T_MEMBER_OP:
		on_member_op(&m, payload);
		break;
	case T_SNAP:
		on_snap(&m, payload);
		break;
	case T_SYNC:
		say(LOG_INFO, "tree: node %u asked for a state exchange", nodeid - 1);
		if (!synced)
			apply_buffered();
		round_start(krgd_fnv(krgd_fnv(cfg_tag, &m.nodeid, sizeof(m.nodeid)),
				     &m.seq, sizeof(m.seq)));
		break;
	default:
		say(LOG_WARNING, "krg_tree: a message of unknown type %u from nodeid %u: dropped",
		    m.type, nodeid);
	}
}

static void on_quorum(quorum_handle_t h, uint32_t q, uint64_t ring_seq,
		      uint32_t n, uint32_t *list)
{
	int was;

	(void)h; (void)ring_seq; (void)n; (void)list;
	pthread_mutex_lock(&tree_lock);
	was = quorate;
	quorate = (int)q;
	pthread_mutex_unlock(&tree_lock);
	if (was && !q) {
		say(LOG_WARNING, "tree: quorum lost: the krg_scheduler tree is read-only here until it is back");
		kmsg("krgd: quorum lost: the krg_scheduler tree is read-only here (EROFS) until it is back\n");
	} else if (!was && q) {
		say(LOG_INFO, "tree: quorate: the krg_scheduler tree is writable");
	}
	write_status();
}

/* Wake every waiting writer: their records' fate is unknown. */
static void connection_lost(void)
{
	pthread_mutex_lock(&tree_lock);
	joined = 0;
	conn_gen++;
	memset(agent_pid, 0, sizeof(agent_pid));
	pthread_cond_broadcast(&tree_cond);
	pthread_mutex_unlock(&tree_lock);
	members_keep(NULL);
	write_status();
}

/* Under tree_lock: @w waits for its answer; the connection's generation. */
static unsigned int add_waiter(struct waiter *w)
{
	w->seq = next_seq++;
	w->next = waiters;
	waiters = w;
	return conn_gen;
}

/* Send @iov and wait for @w's answer: its result, or -EROFS / -EIO. */
static int send_and_wait(struct iovec *iov, int n, struct waiter *w,
			 unsigned int gen)
{
	struct waiter **pp;
	/* busy through a membership change: wait (60 s), never EAGAIN */
	int res = send_iov(iov, n, 12000) ? -EROFS : 0;

	pthread_mutex_lock(&tree_lock);
	while (!res && !w->done && gen == conn_gen)
		pthread_cond_wait(&tree_cond, &tree_lock);
	if (!res)
		res = w->done ? w->res : -EIO;
	for (pp = &waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	pthread_mutex_unlock(&tree_lock);
	return res;
}

int tree_change(uint32_t op, const char *path, const char *arg, size_t alen)
{
	struct tree_msg m;
	struct iovec iov[3] = {
		{ &m, sizeof(m) }, { (void *)path, strlen(path) },
		{ (void *)arg, alen },
	};
	struct waiter w = { .target = -1 };
	unsigned int gen;

	if (alen > TREE_MSG_MAX / 2 || iov[1].iov_len >= PATH_MAX)
		return -EFBIG;
	pthread_mutex_lock(&tree_lock);
	if (!joined || !quorate) {
		pthread_mutex_unlock(&tree_lock);
		return -EROFS;
	}
	gen = add_waiter(&w);
	pthread_mutex_unlock(&tree_lock);

	msg_init(&m, T_REC);
	m.seq = w.seq;
	m.op = op;
	m.len1 = (uint32_t)iov[1].iov_len;
	m.len2 = (uint32_t)alen;
	return send_and_wait(iov, 3, &w, gen);
}

int tree_member_op(int node, uint32_t op, const char *path)
{
	struct tree_msg m;
	struct iovec iov[2] = {
		{ &m, sizeof(m) }, { (void *)path, strlen(path) },
	};
	struct waiter w = { .gone = op == TREE_MKDIR ? -ESRCH : -ENOENT };
	unsigned int gen;

	if (node < 0 || node >= KRG_MAX_NODES)
		return w.gone;
	if (iov[1].iov_len >= PATH_MAX)
		return -ENAMETOOLONG;
	pthread_mutex_lock(&tree_lock);
	if (!joined) {
		pthread_mutex_unlock(&tree_lock);
		return -EROFS;
	}
	if (!agent_pid[node]) {
		pthread_mutex_unlock(&tree_lock);
		return w.gone;
	}
	w.target = node;
	w.target_pid = agent_pid[node];
	gen = add_waiter(&w);
	pthread_mutex_unlock(&tree_lock);

	msg_init(&m, T_MEMBER_OP);
	m.seq = w.seq;
	m.op = op;
	m.len1 = (uint32_t)iov[1].iov_len;
	m.to_nodeid = (uint32_t)node + 1;
	m.to_pid = w.target_pid;
	return send_and_wait(iov, 2, &w, gen);
}

void tree_members_changed(void)
{
	__atomic_store_n(&members_dirty, 1, __ATOMIC_RELEASE);
	if (wake[1] >= 0) {
		ssize_t r = write(wake[1], "", 1);

		(void)r;	/* EAGAIN: a wake-up is pending already */
	}
}

int tree_node(void)
{
	return me ? (int)me - 1 : -1;
}

const char *tree_private(void)
{
	return priv_root;
}

/* Mount the private configfs at TREE_PRIVATE (once): 0 or -1. */
static int private_mount(void)
{
	char path[PATH_MAX];
	struct stat a, b;

	mkdir("/run/krgd", 0755);
	mkdir(TREE_PRIVATE, 0700);
	snprintf(path, sizeof(path), "%s/..", TREE_PRIVATE);
	if (stat(TREE_PRIVATE, &a) || stat(path, &b))
		return -1;
	if (a.st_dev == b.st_dev &&
	    mount("configfs", TREE_PRIVATE, "configfs", MS_NOSUID | MS_NODEV |
		  MS_NOEXEC, NULL)) {
		say(LOG_ERR, "tree: cannot mount configfs at %s: %s", TREE_PRIVATE,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int subsystem_here(void)
{
	struct stat st;

	return !stat(priv_root, &st) && S_ISDIR(st.st_mode);
}

/* One connection to corosync: until it is lost or we stop. */
static void serve(void)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};
	quorum_callbacks_t qcb = { .quorum_notify_fn = on_quorum };
	quorum_handle_t qh;
	struct pollfd pfd[3] = {
		{ .events = POLLIN }, { .events = POLLIN },
		{ .fd = wake[0], .events = POLLIN },
	};
	uint32_t qtype;
	int q = 0, gone = 0;

	if (quorum_initialize(&qh, &qcb, &qtype) != CS_OK)
		return;
	if (quorum_getquorate(qh, &q) != CS_OK ||
	    quorum_trackstart(qh, CS_TRACK_CHANGES) != CS_OK ||
	    quorum_fd_get(qh, &pfd[0].fd) != CS_OK) {
		quorum_finalize(qh);
		return;
	}
	pthread_mutex_lock(&tree_lock);
	quorate = qtype == QUORUM_SET ? q : 1;
	pthread_mutex_unlock(&tree_lock);
	if (krgd_cpg_join(&cpg, TREE_GROUP, &model)) {
		quorum_finalize(qh);
		return;
	}
	cpg_local_get(cpg, &me);
	my_pid = (uint32_t)getpid();
	cpg_fd_get(cpg, &pfd[1].fd);
	synced = 0;
	cfg_n = 0;
	pthread_mutex_lock(&tree_lock);
	joined = 1;
	pthread_mutex_unlock(&tree_lock);
	write_status();
	if (front_start())
		say(LOG_ERR, "tree: the front is not mounted: changes are local to this node");
	while (!stopping) {
		int n = poll(pfd, 3, out_head ? 20 : 500);

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && pfd[0].revents &&
		    quorum_dispatch(qh, CS_DISPATCH_ALL) != CS_OK)
			break;
		if (n > 0 && pfd[1].revents &&
		    cpg_dispatch(cpg, CS_DISPATCH_ALL) != CS_OK)
			break;
		if (n > 0 && pfd[2].revents) {
			char b[64];

			while (read(wake[0], b, sizeof(b)) > 0)
				;
		}
		if (__atomic_exchange_n(&members_dirty, 0, __ATOMIC_ACQ_REL))
			announce_members(NULL, 0);
		resync_due();
		flush_out();
		if (!subsystem_here()) {
			say(LOG_WARNING, "tree: krg_scheduler is gone (module unloaded): the front is taken down");
			gone = 1;
			break;
		}
	}
	connection_lost();
	drop_out();
	if (gone)
		front_stop(0);
	if (!stopping)
		say(LOG_WARNING, "krg_tree: connection to corosync lost: the tree is read-only here until it is back");
	apply_buffered();
	cpg_finalize(cpg);
	quorum_finalize(qh);
}

static void *tree_main(void *arg)
{
	unsigned int wait_s = 1, said = 0, said_view = 0;

	(void)arg;
	while (!stopping) {
		if (!subsystem_here()) {
			if (!said++) {
				say(LOG_INFO, "tree: waiting for krg_scheduler.ko (%s)",
				    priv_root);
				no_module = 1;
				write_status();
			}
			sleep(1);
			continue;
		}
		said = 0;
		no_module = 0;
		if (!krgd_reports()) {
			if (!said_view++)
				say(LOG_INFO, "tree: waiting for krg.ko to have the cluster's membership");
			usleep(100 * 1000);
			continue;
		}
		serve();
		for (unsigned int i = 0; i < wait_s * 10 && !stopping; i++)
			usleep(100 * 1000);
		wait_s = wait_s * 2 > 30 ? 30 : wait_s * 2;
	}
	return NULL;
}

int tree_start(void)
{
	sigset_t block, old;
	int r;

	snprintf(priv_root, sizeof(priv_root), "%s/krg_scheduler", TREE_PRIVATE);
	if (private_mount())
		return -1;
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC)) {
		say(LOG_ERR, "tree: pipe: %s", strerror(errno));
		return -1;
	}
	write_status();
	/* signals go to the main thread (its loop stops krgd) */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	r = pthread_create(&thread, NULL, tree_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		say(LOG_ERR, "tree: cannot start its thread");
		return -1;
	}
	started = 1;
	return 0;
}

void tree_stop(void)
{
	if (!started)
		return;
	stopping = 1;
	pthread_join(thread, NULL);
	front_stop(1);
	unlink(TREE_STATUS);
}
