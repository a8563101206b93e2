// SPDX-License-Identifier: GPL-2.0
/*
 * replication_bench - THE DESIGN SPIKE'S MEASUREMENT PROTOTYPE of issue 16
 * (the replicated tree), NOT THE PRODUCT: the build that follows may take
 * from it or drop it. It exists to measure the figures of docs/cluster.md
 * ("The replicated tree: decision (spike)") in the cluster harness
 * (tests/cluster/scenarios/bench_replication.sh). Error paths are minimal,
 * there is no quorum, no state exchange, no EROFS.
 *
 * Modes:
 *   replication_bench cpg GROUP agreed|safe COUNT SENDERS MEMBERS
 *	join CPG group GROUP, wait for MEMBERS members, send COUNT messages
 *	one after the other, each when the previous one came back (the time
 *	from cpg_mcast_joined to its own delivery: the round trip), print
 *	median and p90; then send DONE and stay until SENDERS nodes sent
 *	DONE (COUNT 0: only stay, as the member that does not send).
 *   replication_bench lat DIR COUNT PREFIX
 *	COUNT times mkdir DIR/PREFIX<i> then rmdir it; print the medians
 *	and p90s of mkdir, rmdir and the pair (system call to return).
 *   replication_bench wr FILE COUNT VALUE
 *	COUNT times open FILE, write VALUE, close; print median and p90.
 *   replication_bench race mkdir|rmdir DIR COUNT PREFIX
 *	mkdir (or rmdir) DIR/PREFIX<i> for i < COUNT, counting successes,
 *	EEXIST/ENOENT and other errors (two nodes at once on the same names:
 *	the total order decides, the loser gets what one machine gives).
 *   replication_bench fs PRIVATE MOUNTPOINT [cpg MEMBERS | cache] -- FUSE-OPTIONS
 *	the front filesystem: a FUSE passthrough (libfuse3, high-level API)
 *	mounted at MOUNTPOINT over PRIVATE (the subsystem's directory in a
 *	private configfs mount, e.g. /run/krgd/cfs/krg_scheduler). Reads
 *	pass straight through. With `cpg`, every change (mkdir, rmdir,
 *	symlink, unlink, write) is a record multicast in AGREED order in
 *	group krg_spike_cfg; every member applies each record to its own
 *	PRIVATE in delivery order, and the writer's call returns the result
 *	of its own record applied on its own node. A relative symlink target
 *	is resolved by the writer from the caller's cwd (/proc/PID/cwd of
 *	the request's pid) into a path under the subsystem, the way configfs
 *	resolves it from the caller's cwd. With `cache` (not replicated, for
 *	a measurement only: nothing invalidates), the kernel may keep entries
 *	and attributes 10 s.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <corosync/cpg.h>
#include <fuse.h>

#define MAXN	100000

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_stats(const char *what, double *v, int n)
{
	if (n <= 0) {
		printf("# %s: no sample\n", what);
		return;
	}
	qsort(v, n, sizeof(v[0]), cmp_d);
	printf("# %s: median %.2f ms, p90 %.2f ms, min %.2f ms (%d)\n", what,
	       v[n / 2] / 1e3, v[(int)(n * 0.9)] / 1e3, v[0] / 1e3, n);
	fflush(stdout);
}

/* ---- CPG: shared by the cpg and fs modes --------------------------------- */

static cpg_handle_t cpg;
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned int me;
static int members;
static cpg_deliver_fn_t deliver_fn;

static void on_confchg(cpg_handle_t h, const struct cpg_name *g,
		       const struct cpg_address *m, size_t nm,
		       const struct cpg_address *l, size_t nl,
		       const struct cpg_address *j, size_t nj)
{
	(void)h; (void)g; (void)m; (void)l; (void)nl; (void)j; (void)nj;
	pthread_mutex_lock(&lock);
	members = (int)nm;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid,
		       uint32_t pid, void *msg, size_t len)
{
	deliver_fn(h, g, nodeid, pid, msg, len);
}

static int cpg_up(const char *group, int want)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
	};
	struct cpg_name g = { .length = strlen(group) };
	cs_error_t e;

	memcpy(g.value, group, g.length);
	e = cpg_model_initialize(&cpg, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL);
	if (e != CS_OK)
		return fprintf(stderr, "cpg init: %d\n", e), -1;
	cpg_local_get(cpg, &me);
	for (int i = 0; i < 100; i++) {
		e = cpg_join(cpg, &g);
		if (e != CS_ERR_TRY_AGAIN)
			break;
		usleep(100000);
	}
	if (e != CS_OK)
		return fprintf(stderr, "cpg join: %d\n", e), -1;
	(void)want;
	return 0;
}

static void *dispatch_thread(void *arg)
{
	(void)arg;
	for (;;) {
		cs_error_t e = cpg_dispatch(cpg, CS_DISPATCH_BLOCKING);

		if (e != CS_OK && e != CS_ERR_TRY_AGAIN) {
			fprintf(stderr, "cpg dispatch: %d\n", e);
			exit(1);
		}
	}
	return NULL;
}

static void wait_members(int want)
{
	pthread_mutex_lock(&lock);
	while (members < want)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

/* CS_ERR_TRY_AGAIN (flow control, a membership change): bounded retry. */
static int mcast(cpg_guarantee_t type, struct iovec *iov, int n)
{
	cs_error_t e = CS_OK;

	pthread_mutex_lock(&send_lock);
	for (int i = 0; i < 2000; i++) {
		e = cpg_mcast_joined(cpg, type, iov, n);
		if (e != CS_ERR_TRY_AGAIN)
			break;
		usleep(1000);
	}
	pthread_mutex_unlock(&send_lock);
	return e == CS_OK ? 0 : -1;
}

/* ---- cpg mode: round trips ----------------------------------------------- */

struct ping {
	uint32_t kind;		/* 1 ping, 2 done */
	uint32_t seq;
};

static uint32_t got_seq;	/* our last ping delivered */
static int done_from;

static void ping_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid,
			 uint32_t pid, void *msg, size_t len)
{
	struct ping p;

	(void)h; (void)g;
	if (len != sizeof(p))
		return;
	memcpy(&p, msg, sizeof(p));
	pthread_mutex_lock(&lock);
	if (p.kind == 2)
		done_from++;
	else if (nodeid == me && pid == (uint32_t)getpid())
		got_seq = p.seq;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static int mode_cpg(int argc, char **argv)
{
	static double rtt[MAXN];
	cpg_guarantee_t type;
	int count, senders, want, n = 0;
	pthread_t th;

	if (argc < 7)
		return fprintf(stderr, "usage: cpg GROUP agreed|safe COUNT SENDERS MEMBERS\n"), 2;
	type = strcmp(argv[3], "safe") ? CPG_TYPE_AGREED : CPG_TYPE_SAFE;
	count = atoi(argv[4]);
	senders = atoi(argv[5]);
	want = atoi(argv[6]);
	if (count > MAXN)
		count = MAXN;
	deliver_fn = ping_deliver;
	if (cpg_up(argv[2], want))
		return 1;
	pthread_create(&th, NULL, dispatch_thread, NULL);
	wait_members(want);
	for (int i = 1; i <= count; i++) {
		struct ping p = { .kind = 1, .seq = i };
		struct iovec iov = { &p, sizeof(p) };
		double t0 = now_us();

		if (mcast(type, &iov, 1))
			return fprintf(stderr, "mcast failed\n"), 1;
		pthread_mutex_lock(&lock);
		while (got_seq != (uint32_t)i)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
		rtt[n++] = now_us() - t0;
	}
	if (count) {
		struct ping p = { .kind = 2 };
		struct iovec iov = { &p, sizeof(p) };
		char what[128];

		snprintf(what, sizeof(what), "CPG %s round trip, node %u, %d member(s)",
			 argv[3], me - 1, members);
		print_stats(what, rtt, n);
		mcast(type, &iov, 1);
	}
	pthread_mutex_lock(&lock);
	while (done_from < senders)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* ---- lat mode: mkdir + rmdir latency ------------------------------------- */

static int mode_lat(int argc, char **argv)
{
	static double mk[MAXN], rm[MAXN], pair[MAXN];
	char path[PATH_MAX], what[256];
	int count, n = 0;

	if (argc < 5)
		return fprintf(stderr, "usage: lat DIR COUNT PREFIX\n"), 2;
	count = atoi(argv[3]);
	if (count > MAXN)
		count = MAXN;
	for (int i = 0; i < count; i++) {
		double t0, t1, t2;

		snprintf(path, sizeof(path), "%s/%s%d", argv[2], argv[4], i);
		t0 = now_us();
		if (mkdir(path, 0755))
			return fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno)), 1;
		t1 = now_us();
		if (rmdir(path))
			return fprintf(stderr, "rmdir %s: %s\n", path, strerror(errno)), 1;
		t2 = now_us();
		mk[n] = t1 - t0;
		rm[n] = t2 - t1;
		pair[n++] = t2 - t0;
	}
	snprintf(what, sizeof(what), "%s: mkdir", argv[2]);
	print_stats(what, mk, n);
	snprintf(what, sizeof(what), "%s: rmdir", argv[2]);
	print_stats(what, rm, n);
	snprintf(what, sizeof(what), "%s: mkdir+rmdir", argv[2]);
	print_stats(what, pair, n);
	return 0;
}

static int mode_wr(int argc, char **argv)
{
	static double v[MAXN];
	char what[256];
	int count, n = 0;
	size_t len;

	if (argc < 5)
		return fprintf(stderr, "usage: wr FILE COUNT VALUE\n"), 2;
	count = atoi(argv[3]);
	if (count > MAXN)
		count = MAXN;
	len = strlen(argv[4]);
	for (int i = 0; i < count; i++) {
		double t0 = now_us();
		int fd = open(argv[2], O_WRONLY);

		if (fd < 0 || write(fd, argv[4], len) != (ssize_t)len)
			return fprintf(stderr, "write %s: %s\n", argv[2], strerror(errno)), 1;
		close(fd);
		v[n++] = now_us() - t0;
	}
	snprintf(what, sizeof(what), "%s: open+write+close", argv[2]);
	print_stats(what, v, n);
	return 0;
}

static int mode_race(int argc, char **argv)
{
	int count, ok = 0, lost = 0, other = 0, mk;
	char path[PATH_MAX];

	if (argc < 6)
		return fprintf(stderr, "usage: race mkdir|rmdir DIR COUNT PREFIX\n"), 2;
	mk = !strcmp(argv[2], "mkdir");
	count = atoi(argv[4]);
	for (int i = 0; i < count; i++) {
		int r;

		snprintf(path, sizeof(path), "%s/%s%d", argv[3], argv[5], i);
		r = mk ? mkdir(path, 0755) : rmdir(path);
		if (!r)
			ok++;
		else if (errno == (mk ? EEXIST : ENOENT))
			lost++;
		else
			other++, fprintf(stderr, "%s %s: %s\n", argv[2], path, strerror(errno));
	}
	printf("%d %d %d\n", ok, lost, other);
	return 0;
}

/* ---- fs mode: the front filesystem --------------------------------------- */

static const char *priv;	/* the subsystem in the private configfs mount */
static const char *front;	/* our mount point */
static int replicate;
static int cache;

/* Where a caller may see the subsystem: its cwd is translated from these. */
static const char *const front_names[] = {
	NULL,			/* front, filled in */
	"/sys/kernel/config/krg_scheduler",
	"/config/krg_scheduler",
};

static void priv_path(char *out, size_t n, const char *path)
{
	snprintf(out, n, "%s%s", priv, path);
}

/* Lexical normalisation of an absolute path (., .., //) in place. */
static void normalise(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		char *e;
		size_t len;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		len = e ? (size_t)(e - s) : strlen(s);
		if (len == 1 && s[0] == '.') {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, s, len);
			out += len;
		}
		s += len;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/*
 * The target a symlink call gives, as configfs would resolve it for the
 * caller: relative to the caller's cwd. Written to @out as a path under
 * the subsystem ("/probes/x/y", starting with '/') if it lies in it (as
 * seen through any of front_names), else as the caller's absolute path.
 * Returns 1 if under the subsystem, 0 if not, -errno.
 */
static int resolve_target(const char *target, char *out, size_t n)
{
	char cwd[PATH_MAX], link[64], full[2 * PATH_MAX];
	ssize_t len;

	if (target[0] == '/') {
		snprintf(full, sizeof(full), "%s", target);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd", fuse_get_context()->pid);
		len = readlink(link, cwd, sizeof(cwd) - 1);
		if (len < 0)
			return -errno;
		cwd[len] = 0;
		snprintf(full, sizeof(full), "%s/%s", cwd, target);
	}
	normalise(full);
	for (size_t i = 0; i < sizeof(front_names) / sizeof(front_names[0]); i++) {
		const char *f = i ? front_names[i] : front;
		size_t fl = strlen(f);

		if (!strncmp(full, f, fl) && (full[fl] == '/' || !full[fl])) {
			snprintf(out, n, "%s", full[fl] ? full + fl : "/");
			return 1;
		}
	}
	snprintf(out, n, "%s", full);
	return 0;
}

/* ---- the record: one change, applied in delivery order ---- */

enum { OP_MKDIR = 1, OP_RMDIR, OP_SYMLINK, OP_UNLINK, OP_WRITE };

struct rec {
	uint32_t magic;		/* "KRGR" */
	uint32_t op;
	uint32_t origin;	/* corosync nodeid */
	uint32_t mode;
	uint64_t seq;		/* per origin */
	uint32_t len1, len2;	/* path, then target or data */
};

#define REC_MAGIC	0x4b524752
#define SLOTS		1024

static struct {
	uint64_t seq;
	int res;
	double delivered, applied;	/* us, own records */
} slot[SLOTS];
static uint64_t next_seq = 1;

/* Own mkdir records: multicast -> own delivery, the apply, to the answer. */
static double t_cpg[MAXN], t_apply[MAXN], t_all[MAXN];
static int n_timed;
static void print_timings(void);

/* Apply one change to this node's private mount: 0 or -errno. */
static int apply(uint32_t op, const char *path, const char *arg, size_t alen,
		 int arg_in_subsys, mode_t mode)
{
	char p[PATH_MAX], t[PATH_MAX];
	int fd, r = 0;

	priv_path(p, sizeof(p), path);
	switch (op) {
	case OP_MKDIR:
		return mkdir(p, mode) ? -errno : 0;
	case OP_RMDIR:
		return rmdir(p) ? -errno : 0;
	case OP_UNLINK:
		return unlink(p) ? -errno : 0;
	case OP_SYMLINK:
		if (arg_in_subsys)
			priv_path(t, sizeof(t), arg);
		else
			snprintf(t, sizeof(t), "%s", arg);
		return symlink(t, p) ? -errno : 0;
	case OP_WRITE:
		fd = open(p, O_WRONLY);
		if (fd < 0)
			return -errno;
		if (write(fd, arg, alen) < 0)
			r = -errno;
		else
			r = (int)alen;
		close(fd);
		return r;
	}
	return -EINVAL;
}

static void rec_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid,
			uint32_t pid, void *msg, size_t len)
{
	struct rec r;
	char path[PATH_MAX], *arg;
	double delivered;
	int res;

	(void)h; (void)g; (void)pid;
	if (len < sizeof(r))
		return;
	memcpy(&r, msg, sizeof(r));
	if (r.magic != REC_MAGIC || r.len1 >= PATH_MAX ||
	    sizeof(r) + r.len1 + r.len2 != len)
		return;
	memcpy(path, (char *)msg + sizeof(r), r.len1);
	path[r.len1] = 0;
	arg = malloc(r.len2 + 1);
	if (!arg)
		return;
	memcpy(arg, (char *)msg + sizeof(r) + r.len1, r.len2);
	arg[r.len2] = 0;
	delivered = now_us();
	/* a symlink's target under the subsystem starts with '@' */
	if (r.op == OP_SYMLINK && arg[0] == '@')
		res = apply(r.op, path, arg + 1, r.len2 - 1, 1, r.mode);
	else
		res = apply(r.op, path, arg, r.len2, 0, r.mode);
	free(arg);
	if (nodeid != me)
		return;		/* a failure here vs success there: issue 16 reports it */
	pthread_mutex_lock(&lock);
	slot[r.seq % SLOTS].seq = r.seq;
	slot[r.seq % SLOTS].res = res;
	slot[r.seq % SLOTS].delivered = delivered;
	slot[r.seq % SLOTS].applied = now_us();
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

/* A change: applied locally, or ordered, applied everywhere, answered. */
static int change(uint32_t op, const char *path, const char *arg, size_t alen,
		  mode_t mode)
{
	struct rec r = { .magic = REC_MAGIC, .op = op, .mode = mode };
	struct iovec iov[3];
	double t0;
	int res;

	if (!replicate)
		return op == OP_SYMLINK && arg[0] == '@' ?
			apply(op, path, arg + 1, alen - 1, 1, mode) :
			apply(op, path, arg, alen, 0, mode);
	pthread_mutex_lock(&lock);
	r.seq = next_seq++;
	pthread_mutex_unlock(&lock);
	r.origin = me;
	r.len1 = strlen(path);
	r.len2 = alen;
	iov[0] = (struct iovec){ &r, sizeof(r) };
	iov[1] = (struct iovec){ (void *)path, r.len1 };
	iov[2] = (struct iovec){ (void *)arg, alen };
	t0 = now_us();
	if (mcast(CPG_TYPE_AGREED, iov, 3))
		return -EIO;
	pthread_mutex_lock(&lock);
	while (slot[r.seq % SLOTS].seq != r.seq)
		pthread_cond_wait(&cond, &lock);
	res = slot[r.seq % SLOTS].res;
	if (op == OP_MKDIR && n_timed < MAXN) {
		t_cpg[n_timed] = slot[r.seq % SLOTS].delivered - t0;
		t_apply[n_timed] = slot[r.seq % SLOTS].applied -
				   slot[r.seq % SLOTS].delivered;
		t_all[n_timed++] = now_us() - t0;
	}
	pthread_mutex_unlock(&lock);
	return res;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	(void)fi;
	if (!strcmp(path, "/.spike-stats")) {
		print_timings();
		return -ENOENT;
	}
	priv_path(p, sizeof(p), path);
	return lstat(p, st) ? -errno : 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags fl)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	(void)off; (void)fi; (void)fl;
	priv_path(p, sizeof(p), path);
	d = opendir(p);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (fill(buf, de->d_name, NULL, 0, 0))
			break;
	closedir(d);
	return 0;
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	char p[PATH_MAX];
	ssize_t n;

	priv_path(p, sizeof(p), path);
	n = readlink(p, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int fs_mkdir(const char *path, mode_t mode)
{
	return change(OP_MKDIR, path, "", 0, mode);
}

static int fs_rmdir(const char *path)
{
	return change(OP_RMDIR, path, "", 0, 0);
}

static int fs_unlink(const char *path)
{
	return change(OP_UNLINK, path, "", 0, 0);
}

static int fs_symlink(const char *target, const char *path)
{
	char t[PATH_MAX + 1];
	int in = resolve_target(target, t + 1, sizeof(t) - 1);

	if (in < 0)
		return in;
	t[0] = '@';
	return in ? change(OP_SYMLINK, path, t, strlen(t), 0) :
		    change(OP_SYMLINK, path, t + 1, strlen(t + 1), 0);
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	char p[PATH_MAX];
	int fd;

	priv_path(p, sizeof(p), path);
	/* replicated: the writes are records; the open only checks access */
	fd = open(p, replicate ? fi->flags & ~O_TRUNC : fi->flags);
	if (fd < 0)
		return -errno;
	fi->fh = fd;
	fi->direct_io = 1;	/* configfs sizes mean nothing; no page cache */
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	ssize_t n = pread(fi->fh, buf, size, off);

	(void)path;
	return n < 0 ? -errno : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	ssize_t n;

	if (replicate)
		return change(OP_WRITE, path, buf, size, 0);
	n = pwrite(fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	char p[PATH_MAX];

	(void)fi;
	if (replicate)
		return 0;	/* configfs attributes have no size to cut */
	priv_path(p, sizeof(p), path);
	return truncate(p, size) ? -errno : 0;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close(fi->fh);
	return 0;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 0;
	cfg->entry_timeout = cache ? 10 : 0;	/* others' changes show at once */
	cfg->attr_timeout = cache ? 10 : 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	return NULL;
}

/*
 * The timings of the own mkdir records since the last call, printed and
 * reset: a stat of /.spike-stats in the front asks for them (a spike's
 * shortcut; the file does not exist).
 */
static void print_timings(void)
{
	static int batch;
	char what[160];

	pthread_mutex_lock(&lock);
	if (!replicate || !n_timed) {
		pthread_mutex_unlock(&lock);
		return;
	}
	batch++;
	snprintf(what, sizeof(what), "front, node %u, batch %d, own mkdir records: multicast to own delivery", me - 1, batch);
	print_stats(what, t_cpg, n_timed);
	snprintf(what, sizeof(what), "front, node %u, batch %d, own mkdir records: the apply", me - 1, batch);
	print_stats(what, t_apply, n_timed);
	snprintf(what, sizeof(what), "front, node %u, batch %d, own mkdir records: multicast to answer", me - 1, batch);
	print_stats(what, t_all, n_timed);
	n_timed = 0;
	pthread_mutex_unlock(&lock);
}

static void fs_destroy(void *data)
{
	(void)data;
	print_timings();
}

static const struct fuse_operations fs_ops = {
	.init = fs_init,
	.destroy = fs_destroy,
	.getattr = fs_getattr,
	.readdir = fs_readdir,
	.readlink = fs_readlink,
	.mkdir = fs_mkdir,
	.rmdir = fs_rmdir,
	.unlink = fs_unlink,
	.symlink = fs_symlink,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
	.release = fs_release,
};

static int mode_fs(int argc, char **argv)
{
	char *fargv[32];
	int i = 4, fargc = 0;
	pthread_t th;

	if (argc < 4)
		return fprintf(stderr, "usage: fs PRIVATE MOUNTPOINT [cpg MEMBERS | cache] -- FUSE-OPTIONS\n"), 2;
	priv = argv[2];
	front = argv[3];
	if (i + 1 < argc && !strcmp(argv[i], "cpg")) {
		replicate = 1;
		deliver_fn = rec_deliver;
		if (cpg_up("krg_spike_cfg", 0))
			return 1;
		pthread_create(&th, NULL, dispatch_thread, NULL);
		wait_members(atoi(argv[i + 1]));
		i += 2;
	} else if (i < argc && !strcmp(argv[i], "cache")) {
		cache = 1;
		i++;
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	fargv[fargc++] = argv[0];
	for (; i < argc && fargc < 30; i++)
		fargv[fargc++] = argv[i];
	fargv[fargc++] = (char *)front;
	fargv[fargc] = NULL;
	return fuse_main(fargc, fargv, &fs_ops, NULL);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "cpg"))
		return mode_cpg(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "lat"))
		return mode_lat(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "wr"))
		return mode_wr(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "race"))
		return mode_race(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "fs"))
		return mode_fs(argc, argv);
	fprintf(stderr, "usage: replication_bench cpg|lat|wr|race|fs ... (see the source's header)\n");
	return 2;
}
