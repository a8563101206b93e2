/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes crossing machines (docs/cluster.md, "Migration"): mover.c
 * carries out krg.ko's migration orders with CRIU, movecheck.c says
 * beforehand what cannot move, ghost.c makes the ghost.
 */
#ifndef _KRGD_MOVER_H
#define _KRGD_MOVER_H

#include <stdint.h>
#include <sys/types.h>
#include "channel.h"

/* Images, on both sides (a tmpfs): out-<id> here, in-<node>-<id> there. */
#define MOVER_DIR	"/run/krgd/moves"

/* The channel's frames of a migration (the source asks, the target answers). */
enum mig_chan_type {
	MIG_OFFER = CHAN_TYPE_USER + 16,	/* struct mig_offer -> MIG_READY */
	MIG_READY,		/* struct mig_ready: the page server's port */
	MIG_FILE,		/* struct mig_file_hdr + bytes; no answer */
	MIG_RESTORE,		/* struct mig_restore -> MIG_RESTORED */
	MIG_RESTORED,		/* no body: the copy is there, stopped */
	MIG_ABORT,		/* no body, no answer: undo */
	MIG_CHECKED,		/* no body: a dry offer's answer, it may come */
};

#define MIG_DRY		1	/* mig_offer.flags: only check */

#define MIG_MAGIC	0x4b52474d	/* "KRGM" */
#define MIG_VERSION	1
#define MIG_TOKEN	32

/* What the target checks and needs (movecheck.c fills it). */
struct mig_offer {
	uint32_t magic, version;
	uint32_t flags;		/* MIG_DRY */
	uint64_t id;		/* the source's krg.ko request id */
	uint32_t src, home;	/* the source; where its ghost is (or will be) */
	int32_t pid;
	uint32_t uid, gid;
	uint64_t rss_kb;
	char release[65];	/* uname -r */
	char criu[64];		/* criu --version */
	char cgroup[512];	/* cgroup v2 path */
	char cpus[256];		/* Cpus_allowed_list */
	char cpu_flags[2048];	/* /proc/cpuinfo's */
	char files[16384];	/* "size hash path\n" of mapped local files */
	uint32_t ngroups;	/* supplementary groups, at most 32 */
	uint32_t groups[32];
	char fds[8192];		/* "fd accmode path\n": its files, reopened by path */
};

struct mig_ready {
	uint32_t port;		/* TCP, on the channel's address */
	unsigned char token[MIG_TOKEN];	/* the first bytes sent on it */
};

struct mig_file_hdr {
	char name[64];		/* an image's name: [A-Za-z0-9._-], no "/" */
	uint64_t offset;
};

struct mig_restore {
	struct krg_state state;	/* caps and memberships (libkrg) */
};

/* movecheck.c */
/* Is @path, as process @pid sees it, on a filesystem every node shares? */
int movecheck_shared(pid_t pid, const char *path);
int movecheck_hash(const char *path, uint64_t *size, uint64_t *hash);
const char *movecheck_criu_version(void);
/* Fill @o for @pid, or -errno with @why (nothing frozen). */
int movecheck_source(pid_t pid, struct mig_offer *o, char *why, size_t len);
/* May @o come to this node (@me)? 0 or -errno with @why. */
int movecheck_target(const struct mig_offer *o, int me, char *why, size_t len);
/*
 * May the process's own credentials open each of its files here, by the
 * path CRIU (root) will reopen? 0, or -EACCES with @why (a path swapped
 * for another file since the dump does not reach what its user cannot).
 */
int movecheck_files_as_user(const struct mig_offer *o, int me, char *why,
			    size_t len);

/* mover.c */
int mover_start(void);	/* the krg_move group's thread */
void mover_stop(void);
/* An order of krg.ko (main thread): a worker carries it out. */
void mover_order(const struct krg_migrate_order *o);
/* The channel's handler for MIG_* (a connection's thread). */
int mover_chan_handle(struct chan_conn *c, uint16_t type, const void *body,
		      uint32_t len, void *arg);
/*
 * The channel's key, port and nodelist, for the workers' connections, and
 * this node's id: until then nothing moves.
 */
void mover_set_channel(const struct chan_key *key, int port,
		       const struct chan_peers *peers, int me);

#endif /* _KRGD_MOVER_H */
