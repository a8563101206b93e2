/* SPDX-License-Identifier: GPL-2.0 */
/* krgsched: declarations shared by its files. */
#ifndef KRGSCHED_H
#define KRGSCHED_H

#include <stdbool.h>
#include <stdio.h>

struct ctl {
	const char *root;	/* the krg_scheduler directory (--root) */
	bool dry_run;		/* apply: print the operations only */
	bool verbose;		/* print every operation */
	bool cfg;		/* show: print a .cfg instead of a graph */
};

/* cfs.c: configfs operations with an undo log. */
enum cfs_op { CFS_MKDIR, CFS_LINK };

int cfs_path(const struct ctl *c, char *buf, size_t len, const char *rel);
int pathf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cfs_mkdir(struct ctl *c, const char *rel, bool *created);
int cfs_link(struct ctl *c, const char *target_rel, const char *link_rel);
int cfs_write(struct ctl *c, const char *rel, const char *value);
bool cfs_is_dir(const struct ctl *c, const char *rel);
bool cfs_is_file(const struct ctl *c, const char *rel);
void cfs_undo(struct ctl *c);
void cfs_commit(void);
int cfs_remove_tree(const struct ctl *c, const char *rel);
int cfs_check_root(const struct ctl *c);

/* apply.c */
int krgsched_apply(struct ctl *c, const char *file);

/* show.c */
int krgsched_show(const struct ctl *c, const char *name, FILE *out);

#endif /* KRGSCHED_H */
