/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkrg.h - user-space access to krg.ko for the krgsched tools.
 *
 * Unless stated otherwise a function returns 0 (or a non-negative value) on
 * success and -1 with errno set on failure. The pure helpers (node lists,
 * capability names and specs) need no kernel and are unit-tested on the host.
 *
 * Not thread-safe: the device descriptor and the last ABI error are global.
 */
#ifndef _LIBKRG_H
#define _LIBKRG_H

#include <stddef.h>
#include <sys/types.h>
#ifdef _GNU_SOURCE
#include <sched.h>
#endif

#include <krg.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---- cli.c: command-line conventions of every tool ---- */

#define KRG_PACKAGE_STRING	"krgsched 0.1"

/*
 * Misuse: print "<tool>: <message>" (when @fmt is not NULL), then
 * "Try '<tool> --help' for more information." and exit 1.
 */
void krg_usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* --version: "<tool> from krgsched <version>"; returns EXIT_SUCCESS. */
int krg_print_version(void);

/*
 * Parse @s, a whole base-10 number as strtoll(3) reads one (leading blanks
 * and a sign allowed, nothing after it), into *@out if it is within
 * [@min, @max]. errno: EINVAL if @s is empty or not such a number, ERANGE
 * if it is out of [@min, @max] or of long long. *@out is only written on
 * success.
 */
int krg_parse_num(const char *s, long long min, long long max,
		  long long *out);

/*
 * krg_parse_num() for the command-line argument @arg, a @what ("pid"):
 * returns it, or exits as krg_usage_error() with
 * "invalid <what> argument '<arg>'".
 */
long long krg_parse_arg(const char *arg, const char *what, long long min,
			long long max);

/* ---- file.c: the small files of sysfs and configfs ---- */

/*
 * Read the file @path into @buf, NUL-terminated, trailing line ends ("\n",
 * "\r") cut; meant for attributes, which one read(2) returns whole.
 * errno: that of open(2) or read(2), or ERANGE if the file does not fit in
 * @len - 1 bytes: @buf then holds (cut) its first @len - 1 bytes, for the
 * callers that show as much as fits.
 */
int krg_read_file(const char *path, char *buf, size_t len);

/*
 * Write @value to the file @path in one write(2), as `echo -n` does: a
 * store takes the whole value or refuses it. errno: that of open(2),
 * write(2) (the store's refusal) or close(2).
 */
int krg_write_file(const char *path, const char *value);

/* krg_read_file() of KRG_SYSFS_DIR/@name; ENAMETOOLONG if @name is. */
int krg_sysfs_read(const char *name, char *buf, size_t len);

/* ---- cfs.c: the krg_scheduler configfs tree ---- */

#define KRG_CFS_ROOT		"/sys/kernel/config/krg_scheduler"
/* Where Kerrighed mounted configfs: /config. */
#define KRG_CFS_ROOT_KERRIGHED	"/config/krg_scheduler"

/*
 * The krg_scheduler directory: KRG_CFS_ROOT, or KRG_CFS_ROOT_KERRIGHED when
 * only that one exists (configfs mounted on /config only). KRG_CFS_ROOT
 * when neither does, so that messages name the usual place. A tool's own
 * option (krgsched --root, krgtoken --probe) goes before it.
 */
const char *krg_cfs_root(void);

/* ---- abi.c: ABI check and /dev/krg ---- */

/*
 * Read KRG_SYSFS_DIR/abi_version and compare it to KRG_ABI_VERSION.
 * errno: ENOSYS if the file is absent (krg.ko not loaded), EPROTO if the
 * version differs or cannot be parsed, else the error of reading the file.
 */
int krg_abi_check(void);

/*
 * Check the ABI (once) and open KRG_DEVICE (once, O_RDWR | O_CLOEXEC).
 * Returns the descriptor, kept open until krg_close(). errno as
 * krg_abi_check(), or the error of open(2) on KRG_DEVICE; a missing device
 * node (ENOENT/ENXIO/ENODEV) is reported as ENOSYS.
 */
int krg_open(void);

/*
 * Issue @cmd with @req (@size bytes), a request that starts with the header
 * of struct krg_cap_req (size, target, pid, reserved), which this fills for
 * @t and @pid. 0, or -1 with errno (EINVAL: @pid given without
 * KRG_TARGET_PID or missing with it).
 */
int krg_target_ioctl(unsigned long cmd, enum krg_target t, pid_t pid,
		     void *req, size_t size);
void krg_close(void);

/*
 * Describe the last failure of krg_abi_check() or krg_open(), whose errno
 * was @err, into @buf: "krg.ko is not loaded (PATH: REASON)",
 * "ABI version mismatch: kernel N, tools M", "cannot open PATH: REASON".
 * Returns @buf.
 */
const char *krg_abi_strerror(int err, char *buf, size_t len);

/* ---- caps.c / capname.c: capabilities ---- */

/* Get or set the four sets of @t (@pid only for KRG_TARGET_PID). */
int krg_caps_get(enum krg_target t, pid_t pid, struct krg_caps *out);
int krg_caps_set(enum krg_target t, pid_t pid, const struct krg_caps *in);

/* Read KRG_SYSFS_DIR/cap_supported (any strtoul base-0 number). */
int krg_caps_supported(__u32 *mask);

/* Name of capability @bit ("CAN_MIGRATE"), or NULL if it has none. */
const char *krg_cap_name(int bit);

/* Bit of capability @name (exact, case-insensitive), or -1/EINVAL. */
int krg_cap_from_name(const char *name);

/*
 * Apply @spec to the set @old and store the result in @out:
 *   "+A,B" adds, "-A,B" removes, "A,B" replaces, NUMBER replaces
 *   (strtoul base 0, 32 bits, only bits < KRG_CAP_NR).
 * On error returns -1/EINVAL, leaves @out unchanged and, if @bad is not NULL,
 * points *@bad at a copy of the offending token ("" for an empty one; the
 * copy lives until the next call, truncated to 63 characters).
 */
int krg_caps_apply(const char *spec, __u32 old, __u32 *out, const char **bad);

/*
 * Format @set as names separated by ", " ("CHANGE_KERRIGHED_CAP, DEBUG").
 * Bits without a name are written "bitN". snprintf(3) semantics: returns
 * the length the full text needs, @buf is always NUL-terminated if @len > 0.
 */
int krg_caps_format(__u32 set, char *buf, size_t len);

/*
 * The same, wrapped the Kerrighed way: every line starts with a tab, holds
 * as many names as fit in 79 columns (tab = 8) and ends with '\n'. An empty
 * set gives a single "\t\n" line. snprintf(3) semantics.
 */
int krg_caps_format_wrapped(__u32 set, char *buf, size_t len);

/* ---- state.c: a process's krg state as a record ---- */

/* KRG_IOC_GET_STATE of @t (@pid only for KRG_TARGET_PID). */
int krg_state_get(enum krg_target t, pid_t pid, struct krg_state *out);
/* KRG_IOC_SET_STATE of process @pid: its sets; memberships checked only. */
int krg_state_set(pid_t pid, const struct krg_state *in);
/*
 * Give @in to process @pid: krg_state_set(), then mkdir of each pid
 * membership (one already there is fine). On error errno is set and
 * *@failed is the index of the membership that failed, or -1 if
 * krg_state_set() did.
 */
int krg_state_restore(pid_t pid, const struct krg_state *in, int *failed);
/*
 * Write @st to / read it from @path (the raw record, mode 0600). Load
 * gives EINVAL for a file that is not the size of a record; the kernel
 * checks the rest.
 */
int krg_state_save(const char *path, const struct krg_state *st);
int krg_state_load(const char *path, struct krg_state *st);

/* ---- migrate.c ---- */

/* Move process @pid to @node; @flags is KRG_MIGRATE_*. */
int krg_migrate(pid_t pid, int node, unsigned int flags);
/* krg_migrate(), and the reason the backend gave for a failure in @why. */
int krg_migrate_why(pid_t pid, int node, unsigned int flags, char *why,
		    size_t len);

#ifdef _GNU_SOURCE	/* cpu_set_t */
/*
 * Parse a CPU list ("0-3,5") into @set of @setsize bytes (CPU_ALLOC_SIZE);
 * EINVAL for bad syntax, ERANGE for a CPU beyond the set.
 */
int krg_cpulist_parse(const char *s, cpu_set_t *set, size_t setsize);

/* The threads a move changed, with their affinity before (for undo). */
struct krg_move {
	pid_t *tids;
	cpu_set_t **old;
	size_t nr, cap;
};

/*
 * Set the affinity of every thread of @pid (/proc/@pid/task) to @set with
 * sched_setaffinity(2), as the caller: the kernel applies the cpuset, the
 * LSM and SCHED_DEADLINE rules. Threads that exit meanwhile are skipped.
 * 0, or -1 with errno (and *@failed the thread it refused, if one did).
 * May be called again for threads that appeared; krg_move_undo() restores
 * what it changed, krg_move_free() releases @m.
 */
int krg_move_threads(struct krg_move *m, pid_t pid, const cpu_set_t *set,
		     size_t setsize, pid_t *failed);
void krg_move_undo(struct krg_move *m, size_t setsize);
void krg_move_free(struct krg_move *m);
#endif

/* ---- nodelist.c: node masks and the kernel's list format ---- */

#define KRG_BITS_PER_LONG	(8 * sizeof(unsigned long))
#define KRG_NODEMASK_LONGS	\
	((KRG_MAX_NODES + KRG_BITS_PER_LONG - 1) / KRG_BITS_PER_LONG)

/* A node mask is unsigned long mask[KRG_NODEMASK_LONGS]. */
static inline void krg_nodemask_zero(unsigned long *mask)
{
	for (size_t i = 0; i < KRG_NODEMASK_LONGS; i++)
		mask[i] = 0;
}

static inline void krg_node_set(int node, unsigned long *mask)
{
	mask[node / KRG_BITS_PER_LONG] |= 1UL << (node % KRG_BITS_PER_LONG);
}

static inline void krg_node_clear(int node, unsigned long *mask)
{
	mask[node / KRG_BITS_PER_LONG] &= ~(1UL << (node % KRG_BITS_PER_LONG));
}

static inline int krg_node_isset(int node, const unsigned long *mask)
{
	return !!(mask[node / KRG_BITS_PER_LONG] &
		  (1UL << (node % KRG_BITS_PER_LONG)));
}

/*
 * Parse a list such as "", "3" or "0-3,5" (trailing whitespace allowed)
 * into @mask. errno: EINVAL for bad syntax or a reversed range, ERANGE for
 * an id >= KRG_MAX_NODES. @mask is only written on success.
 */
int krg_nodelist_parse(const char *s, unsigned long *mask);

/*
 * Write @mask as the kernel does ("%*pbl": "0-3,5", "" when empty).
 * Returns the length written, or -1/ERANGE (and a truncated string) if
 * @len is too small.
 */
int krg_nodelist_format(const unsigned long *mask, char *buf, size_t len);

/*
 * A node byte mask: KRG_MAX_NODES bits, bit n in byte n / 8 (the form of
 * the krg genl family's NODES and PRESENT, and of krgd's messages).
 */
static inline int krg_nodebytes_isset(const unsigned char *m, int node)
{
	return (m[node / 8] >> (node % 8)) & 1;
}

static inline void krg_nodebytes_set(unsigned char *m, int node)
{
	m[node / 8] |= 1U << (node % 8);
}

/* Kerrighed's form of a node set, "[1,2]" ("[]" when empty), into @buf. */
const char *krg_nodebytes_str(const unsigned char *m, char *buf, size_t len);

/* ---- nodes.c: node information from KRG_SYSFS_DIR ---- */

/*
 * The online (possible, present) nodes; EPROTO if the kernel's list does
 * not parse. Present: corosync's members with the cluster backend, of
 * which the online ones are those in krgsched's use (nodes_present).
 */
int krg_nodes_online(unsigned long *mask);
int krg_nodes_possible(unsigned long *mask);
int krg_nodes_present(unsigned long *mask);
/* The node this runs on (the node of its CPU, as krg.ko sees it), or -1. */
int krg_local_node(void);
/* The CPU list of @node ("0-3"), without the newline; ERANGE if too long. */
int krg_node_cpulist(int node, char *buf, size_t len);

/* ---- genl.c: the generic netlink family "krg" (the node agent's channel) ---- */

/* KRG_CMD_MIGRATE: krg.ko asks the agent to move a process. */
struct krg_migrate_order {
	unsigned long long id;	/* the request's */
	unsigned int pid;	/* its thread group, initial pid namespace */
	unsigned int node;	/* where to */
	int user;		/* a user asked (migrate(1)), not a policy */
	int dry;		/* only check (KRG_MIGRATE_DRY_RUN) */
};

#define KRG_GENL_ORDERS	64	/* kept while a request is answered */

struct krg_genl {
	int fd;
	unsigned short family;	/* the family's id, resolved at open */
	/* orders that came in during a request, oldest first */
	struct krg_migrate_order orders[KRG_GENL_ORDERS];
	unsigned int norders;
	unsigned long lost_orders;	/* more than KRG_GENL_ORDERS at once */
};

/* Open a socket and resolve the family; ENOENT if krg.ko does not offer it. */
int krg_genl_open(struct krg_genl *g);
void krg_genl_close(struct krg_genl *g);

/*
 * KRG_CMD_VALUE_SET and KRG_CMD_VALUE_GET (uapi/krg.h). On failure @err
 * (if @errlen) holds the kernel's message, when it gave one. For get,
 * *@len is the room at @value, then the bytes written.
 */
int krg_value_set(struct krg_genl *g, int node, const char *probe,
		  const char *source, const void *value, size_t len,
		  unsigned int age_ms, char *err, size_t errlen);
int krg_value_get(struct krg_genl *g, int node, const char *probe,
		  const char *source, void *value, size_t *len,
		  unsigned int *age_ms, char *err, size_t errlen);

/*
 * KRG_CMD_MEMBERSHIP: @nodes is a bitmap of KRG_MAX_NODES bits (bit n in
 * byte n / 8) of krg node ids, the nodes in krgsched's use; @present the
 * same for every member of corosync's membership (a superset of @nodes),
 * or NULL to leave it out (the kernel takes @nodes); @quorate and @ring as
 * corosync reports.
 */
int krg_membership_set(struct krg_genl *g, const unsigned char *nodes,
		       const unsigned char *present, int quorate,
		       unsigned long long ring, char *err, size_t errlen);

/*
 * The next order krg.ko sent to this socket (the one that reported the
 * membership): 1 and *@o, 0 if there is none now (never waits), -1 with
 * errno on a socket error.
 */
int krg_genl_next_order(struct krg_genl *g, struct krg_migrate_order *o);
/*
 * KRG_CMD_MIGRATE_BEGIN and KRG_CMD_MIGRATE_DONE (uapi/krg.h) of the
 * request @id: done is @error 0, or -errno, @refused (else failed) and
 * @reason (may be NULL).
 */
int krg_migrate_begin(struct krg_genl *g, unsigned long long id, char *err,
		      size_t errlen);
int krg_migrate_done(struct krg_genl *g, unsigned long long id, int error,
		     int refused, const char *reason, char *err, size_t errlen);

/* KRG_CMD_NODE_INFO: what @node published of itself (/proc/nodes). */
int krg_node_info_set(struct krg_genl *g, int node, unsigned int cpus,
		      unsigned long long mem_total_kb,
		      unsigned long long mem_free_kb, const unsigned int load[3],
		      char *err, size_t errlen);

/* ---- admin.c: krgd's administration socket (krgadm <-> the local krgd) ---- */

#define KRG_ADMIN_SOCKET	"/run/krgd.sock"	/* SOCK_SEQPACKET, 0600 */
/* The replicated tree's state, written by krgd (docs/cluster.md). */
#define KRGD_TREE_STATUS	"/run/krgd/tree"
#define KRG_ADMIN_MAGIC		0x4b524751		/* "KRGQ" */
#define KRG_ADMIN_VERSION	1

enum krg_admin_op {
	KRG_ADMIN_STATUS = 1,	/* the agent's view: present, deleted */
	KRG_ADMIN_DEL,		/* take @mask out of krgsched's use */
	KRG_ADMIN_ADD,		/* give @mask back */
	KRG_ADMIN_POWEROFF,	/* every agent powers its machine off */
	KRG_ADMIN_REBOOT,	/* every agent reboots its machine */
};

/* One request a connection; fixed layout, the same on both sides. */
struct krg_admin_req {
	__u32 magic;
	__u16 version;
	__u16 size;			/* sizeof(struct krg_admin_req) */
	__u32 op;			/* enum krg_admin_op */
	__u32 reserved;
	__u8 mask[KRG_MAX_NODES / 8];	/* DEL, ADD: bit n of byte n / 8 */
};

/*
 * The answer, once the operation was delivered back to the agent through
 * corosync and applied (so every agent has it, in the same order).
 */
struct krg_admin_reply {
	__u32 magic;
	__u16 version;
	__u16 size;			/* sizeof(struct krg_admin_reply) */
	__s32 status;			/* 0, or -1 */
	__s32 error;			/* an errno when status is -1 */
	__u32 synced;			/* the agent has the cluster's state */
	__u32 local_node;		/* the agent's krg node id */
	__u8 present[KRG_MAX_NODES / 8];	/* corosync's members */
	__u8 deleted[KRG_MAX_NODES / 8];	/* taken out of use */
	char message[192];		/* why it failed, NUL-terminated */
};

/*
 * Send @req to the local krgd and wait (at most @timeout_ms) for its
 * @reply. 0 when a reply came (its status says how the operation went),
 * else -1 with errno: ENOENT or ECONNREFUSED (krgd is not running or not
 * connected to corosync), EACCES (not root), ETIMEDOUT, EPROTO (a reply
 * that is not one).
 */
int krg_admin_call(const struct krg_admin_req *req,
		   struct krg_admin_reply *reply, int timeout_ms);

#endif /* _LIBKRG_H */
