/* SPDX-License-Identifier: GPL-2.0 */
/* What the files of krgd share. */
#ifndef _KRGD_H
#define _KRGD_H

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <sys/types.h>
#include <corosync/cpg.h>
#include "libkrg.h"

/* Log at @prio: stderr with -f, else syslog; LOG_DEBUG only with -v. */
void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The socket to krg.ko (genl family "krg"); opened on demand, -1: closed. */
extern struct krg_genl genl;
int krgd_genl(void);

/*
 * Connect @h to corosync's CPG with @model and join @group (retrying
 * while corosync is busy, up to 5 s): 0, or -1 (say()s why).
 */
int krgd_cpg_join(cpg_handle_t *h, const char *group,
		  cpg_model_v1_data_t *model);

/*
 * values.c: the CPG group krg_values. Each agent publishes what its
 * machine is (CPUs, memory, load) every period, and hands what the others
 * publish to krg.ko (KRG_CMD_NODE_INFO, /proc/nodes).
 */
int values_open(unsigned int local_nodeid);	/* 0, or -1 (say()s why) */
int values_fd(void);
int values_dispatch(void);	/* 0, or -1 when corosync is lost */
void values_publish(void);
void values_close(void);

/*
 * probes.c: this node's probe values (node id @me), read from krg.ko and
 * handed to @send in batches; a batch from another node into krg.ko's
 * value cache.
 */
void probes_publish(int me, int (*send)(const void *msg, size_t len));
int probes_is_batch(const void *msg, size_t len);
void probes_deliver(int node, const void *msg, size_t len);
/* hash.c: FNV-1a, 64 bits, of @n bytes on from @h (KRGD_FNV_INIT first). */
#define KRGD_FNV_INIT	0xcbf29ce484222325ULL
uint64_t krgd_fnv(uint64_t h, const void *p, size_t n);
/*
 * hash.c: a CPG group's configuration, @n @members (at most
 * CPG_MEMBERS_MAX), copied into @cfg sorted by (nodeid, pid): how many.
 * *@tag: the FNV-1a of that list, the same on every member, the tag of
 * the state exchange it starts (admin.c's and tree.c's rounds).
 */
int krgd_cpg_config(struct cpg_address *cfg, const struct cpg_address *members,
		    size_t n, uint64_t *tag);
/* krgd.c: corosync's members (krg ids, bit n of byte n / 8). */
const unsigned char *krgd_members(void);
/*
 * krgd.c: how many views krg.ko accepted since krgd started (read from any
 * thread): the tree waits for the first, so that what it applies is
 * checked against the cluster's online nodes, not this node's alone.
 */
unsigned int krgd_reports(void);
/* admin.c changed the deleted set: report again. */
void krgd_deleted_changed(void);

/*
 * admin.c: the CPG group krg_admin (the deleted set, poweroff, reboot,
 * agreed by every agent) and krgadm's socket KRG_ADMIN_SOCKET. @poweroff
 * and @reboot: the administrator's commands, or NULL for the defaults.
 */
struct pollfd;
int admin_open(unsigned int local_nodeid, const char *poweroff,
	       const char *reboot);	/* 0, or -1 (say()s why) */
int admin_ready(void);			/* synced once: the set is known */
int admin_node_deleted(int node);
int admin_pollfds(struct pollfd *p, int max);	/* how many it filled */
int admin_dispatch(const struct pollfd *p, int n);	/* -1: corosync lost */
int admin_tick(void);			/* retries; 1 if some are left */
void admin_close(void);

/*
 * tree.c: the replicated krg_scheduler tree (the CPG group krg_tree), in
 * a thread of its own; front.c: the FUSE front users reach it through.
 */
#define TREE_PRIVATE	"/run/krgd/cfs"		/* krgd's own configfs mount */
#define TREE_STATUS	KRGD_TREE_STATUS	/* krgadm cluster status reads it */

enum tree_op { TREE_MKDIR = 1, TREE_RMDIR, TREE_SYMLINK, TREE_UNLINK, TREE_WRITE };

int tree_start(void);		/* 0, or -1 (say()s why) */
void tree_stop(void);		/* and leave the tree read-only */
const char *tree_private(void);	/* TREE_PRIVATE/krg_scheduler */
/*
 * A change through the front (@path relative to the subsystem; for
 * TREE_SYMLINK @arg is the target relative to it, or absolute outside
 * it): ordered, applied on every node, and its result here: 0, a write's
 * count, or -errno (EROFS without quorum or corosync).
 */
int tree_change(uint32_t op, const char *path, const char *arg, size_t alen);
/* Apply a change to the private tree at once (records, local changes). */
int tree_apply(uint32_t op, const char *path, const char *arg, size_t alen,
	       mode_t mode);
/*
 * A change of node @node's process-set member (TREE_MKDIR or TREE_RMDIR
 * of @path as on that node: .../process_set/<kind>/<pid>), carried out
 * there: its result, -ESRCH (mkdir) or -ENOENT (rmdir) if that node is
 * not in the cluster or leaves first, -EROFS without corosync.
 */
int tree_member_op(int node, uint32_t op, const char *path);
/* This node's own members changed (through the front): announce them. */
void tree_members_changed(void);
int tree_node(void);		/* this node's krg id, -1 before corosync */
int front_start(void);		/* mount the front: 0, or -1 */
void front_stop(int read_only);	/* read_only: leave a read-only bind */

/*
 * members.c: process-set members by pid, group or session of the other
 * nodes (tree.c keeps the table, front.c shows it).
 */
/* Is @rel a member directory (.../process_set/single_processes, ...)? */
int members_is_dir(const char *rel);
/*
 * Is @rel a member of such a directory: 1 named `<pid>` (*@node -1), 2
 * named `<node>:<pid>`, else 0; @dir gets the directory, *@nr the number.
 */
int members_name(const char *rel, char *dir, size_t n, int *node, long *nr);
/* This node's members in the tree at @root: one path a line (malloc'd). */
char *members_local_text(const char *root, size_t *len);
/* Node @node's members are those of @text: how many lines were refused. */
int members_set(int node, const char *text, size_t len);
/* Forget the nodes not in @present (a node byte mask; NULL: all). */
void members_keep(const unsigned char *present);
int members_has(int node, const char *path);	/* path as on @node */
int members_under(const char *prefix);	/* some member under @prefix/ */
/* @fn(@arg, "<node>:<pid>") for the other nodes' members of @dir. */
int members_each(const char *dir, int (*fn)(void *arg, const char *name),
		 void *arg);

/*
 * pidns.c: number @nr (a pid, process group or session) of @caller's pid
 * namespace as krgd's namespace numbers it, in *@out: 0 or -ESRCH.
 */
enum pidns_kind { PIDNS_PID, PIDNS_PGID, PIDNS_SID };
int pidns_translate(pid_t caller, enum pidns_kind kind, long nr, long *out);

/* snapshot.c: the replicated part of the tree, canonical (tree.c only). */
struct snapshot;
int snapshot_is_local(const char *rel);
int snapshot_path_ok(const char *rel);	/* inside the subsystem, no ".." */
struct snapshot *snapshot_take(const char *root);
void snapshot_free(struct snapshot *s);
char *snapshot_text(const struct snapshot *s, size_t *len);
uint64_t snapshot_hash(const char *text, size_t len);
struct snapshot *snapshot_parse(const char *text, size_t len);
/*
 * Make the tree at @root @want's, changing only what differs: how many
 * entries could not be made (what lies under a directory that could not
 * be made is not tried), each said in @log.
 */
int snapshot_restore(const char *root, const struct snapshot *want,
		     char *log, size_t loglen);

#endif /* _KRGD_H */
