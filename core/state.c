// SPDX-License-Identifier: GPL-2.0
/*
 * The memberships part of a task's krg state record (uapi/krg.h), lent to
 * krg.ko while this module is loaded (include/krg/state.h).
 *
 * A membership is the scheduler's configfs name and the kind of member:
 * the name is what still means the same scheduler once the process is
 * gone, and on another machine. Only pid members travel. They are
 * exported, and checked before a restore; making them is the caller's
 * mkdir(2) (docs/task-state.md says why).
 */
#include <linux/configfs.h>
#include <linux/module.h>
#include <linux/string.h>
#include <krg/state.h>
#include "internal.h"

/* Under krg_cfg_mutex. */
static struct krg_scheduler *krg_state_find_scheduler(const char *name)
{
	struct krg_scheduler *s;

	lockdep_assert_held(&krg_cfg_mutex);
	list_for_each_entry(s, &krg_schedulers, node)
		if (!strcmp(config_item_name(&s->group.cg_item), name))
			return s;
	return NULL;
}

static int krg_state_export(struct task_struct *p, struct krg_state *st)
{
	struct krg_state_membership *m;
	struct krg_scheduler *s;
	int ret = 0;

	mutex_lock(&krg_cfg_mutex);
	list_for_each_entry(s, &krg_schedulers, node) {
		if (!krg_process_set_has(&s->pset, KRG_MEMBER_PID, p))
			continue;
		if (st->nr_memberships >= KRG_STATE_MAX_MEMBERSHIPS) {
			ret = -E2BIG;
			break;
		}
		m = &st->memberships[st->nr_memberships++];
		strscpy_pad(m->scheduler, config_item_name(&s->group.cg_item));
		m->kind = KRG_STATE_MEMBER_PID;
	}
	mutex_unlock(&krg_cfg_mutex);
	return ret;
}

static int krg_state_check(const struct krg_state *st)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&krg_cfg_mutex);
	for (i = 0; i < st->nr_memberships; i++) {
		if (!krg_state_find_scheduler(st->memberships[i].scheduler)) {
			ret = -ENOENT;
			break;
		}
	}
	mutex_unlock(&krg_cfg_mutex);
	return ret;
}

static const struct krg_state_ops krg_sched_state_ops = {
	.owner	= THIS_MODULE,
	.export	= krg_state_export,
	.check	= krg_state_check,
};

int krg_sched_state_init(void)
{
	/* Every scheduler name fits a record. */
	BUILD_BUG_ON(KRG_NAME_MAX > KRG_STATE_NAME_MAX);
	return krg_state_ops_register(&krg_sched_state_ops);
}

void krg_sched_state_uninit(void)
{
	krg_state_ops_unregister(&krg_sched_state_ops);
}
