/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A task's krg state as a record (struct krg_state, uapi/krg.h): krg.ko
 * holds the capability sets, krg_scheduler.ko the process-set memberships.
 * krg.ko cannot call the core (the core depends on it), so the core lends
 * it its part through these ops while it is loaded.
 */
#ifndef _KRG_STATE_H
#define _KRG_STATE_H

#include <linux/types.h>
#include <krg.h>

struct module;
struct task_struct;

/**
 * struct krg_state_ops - the memberships part of a task's record
 * @owner: the module of the ops (THIS_MODULE); krg.ko holds a reference on
 *	it for the length of each call, so it cannot be unloaded meanwhile
 * @export: add to @st the memberships that name @p (its thread group),
 *	from @st->nr_memberships on. Process context, may sleep; @p is held
 *	by the caller. 0, or -E2BIG if they do not fit
 * @check: are the memberships of @st, already checked for form by krg.ko,
 *	ones that can be made here? Process context, may sleep. 0, or
 *	-ENOENT if a scheduler it names does not exist
 *
 * Both ops are mandatory.
 */
struct krg_state_ops {
	struct module *owner;
	int (*export)(struct task_struct *p, struct krg_state *st);
	int (*check)(const struct krg_state *st);
};

/*
 * krg_state_ops_register - lend @ops to krg.ko; -EBUSY if some are lent
 * already, -EINVAL if one is missing. Process context.
 */
int krg_state_ops_register(const struct krg_state_ops *ops);

/*
 * krg_state_ops_unregister - take @ops back. On return no call of them is
 * starting; one running holds @ops->owner, so a module calling this from
 * its exit has none running. Process context, sleeps.
 */
void krg_state_ops_unregister(const struct krg_state_ops *ops);

#endif /* _KRG_STATE_H */
