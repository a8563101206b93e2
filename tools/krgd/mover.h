/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes crossing machines (docs/cluster.md, "Migration"): mover.c
 * carries out krg.ko's migration orders with CRIU, movecheck.c says
 * beforehand what cannot move, ghost.c makes the ghost.
 */
#ifndef _KRGD_MOVER_H
#define _KRGD_MOVER_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>
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
	/* a copy's output, from the node that runs it to its home (relay.c) */
	MIG_RELAY_OPEN,		/* struct mig_relay_open -> MIG_RELAY_OK */
	MIG_RELAY_OK,		/* no body */
	MIG_RELAY_DATA,		/* struct mig_relay_data + bytes; no answer */
	MIG_RELAY_END,		/* no body: all of it -> MIG_RELAY_OK */
};

#define MIG_DRY		1	/* mig_offer.flags: only check */

#define MIG_MAGIC	0x4b52474d	/* "KRGM" */
#define MIG_VERSION	2
#define MIG_TOKEN	32

#define MIG_RELAY_MAX	8	/* terminals and pipes relayed, per process */

enum mig_relay_kind {
	MIG_RELAY_TTY = 1,	/* a terminal: the copy gets a pty */
	MIG_RELAY_PIPE = 2,	/* a pipe it writes to: the copy gets a pipe */
};

/*
 * A terminal or a pipe the process writes to, which stays at its home:
 * the copy gets one of its own on the node that runs it, whose output
 * that node's krgd sends to the ghost, which writes it where the
 * original's went (relay.c).
 */
struct mig_relay {
	uint32_t kind;		/* enum mig_relay_kind */
	int32_t ghost_fd;	/* the ghost's fd its bytes go to; -1: none */
	char id[48];		/* CRIU's name for it at the source:
				 * "tty[rdev:dev]", "pipe:[ino]" */
	struct termios tio;	/* a terminal's settings, */
	struct winsize ws;	/* and its size */
};

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
	uint32_t nrelay;
	struct mig_relay relay[MIG_RELAY_MAX];
};

/* MIG_RELAY_OPEN: the copy of @pid, whose home is @home, came with @id. */
struct mig_relay_open {
	uint32_t magic, version;
	uint32_t home;
	int32_t pid;
	uint64_t id;
};

/* MIG_RELAY_DATA: bytes for the ghost's fd @ghost_fd (-1 and none: alive) */
struct mig_relay_data {
	int32_t ghost_fd;
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

/* relay.c: the target's side (the node that runs the copy) */
struct relay;
/*
 * Local ends for @o's relayed files, before the restore: NULL with @why
 * if one cannot be made; a relay with no files if it has none.
 */
struct relay *relay_prepare(const struct mig_offer *o, int me, char *why,
			    size_t len);
/* CRIU's restore arguments ("--inherit-fd", "fd[N]:ID") and fds to keep. */
int relay_restore_args(struct relay *r, char **argv, int max, int *keep,
		       int maxkeep);
/* The restore is over: the copy holds its ends, krgd lets go of its own. */
void relay_restored(struct relay *r);
/* Open the stream to the home's krgd (before the commit). 0 or -1, @why. */
int relay_connect(struct relay *r, char *why, size_t len);
/* The copy runs: its output goes home from now on, in a thread. */
void relay_start(struct relay *r);
/* Wait at most @ms for all the output to have reached the home. */
void relay_drain(struct relay *r, int ms);
/* The ghost's fd behind @id, a terminal or pipe of the copy here: 0, or -1. */
int relay_ghost_fd(const struct relay *r, const char *id, int *ghost_fd);
void relay_put(struct relay *r);
/* relay.c: the home's side (a channel connection's thread) */
int relay_serve(struct chan_conn *c, const void *body, uint32_t len);

/* mover.c */
/* A channel connection to node @node's agent, or NULL with @why. */
struct chan_conn *mover_connect(unsigned int node, char *why, size_t len);
/*
 * The ghost of @pid here, for the relay @owner (one at a time, in the
 * order they come): a dup of its socket, waiting for it at most @ms, or -1.
 */
int mover_ghost_claim(pid_t pid, const void *owner, int ms);
void mover_ghost_release(pid_t pid, const void *owner);

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
