// SPDX-License-Identifier: GPL-2.0
/*
 * A task's krg state as a record (KRG_IOC_GET_STATE, KRG_IOC_SET_STATE):
 * the sets from caps.c, the memberships from the ops krg_scheduler.ko
 * lends while it is loaded, and the checks of a record's form.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <krg/state.h>
#include "internal.h"

/*
 * The lent ops: written under krg_state_ops_mutex, read under RCU, and
 * used only with a reference on their owner taken inside that section.
 */
static DEFINE_MUTEX(krg_state_ops_mutex);
static const struct krg_state_ops __rcu *krg_state_ops;

int krg_state_ops_register(const struct krg_state_ops *ops)
{
	int ret = 0;

	if (!ops->export || !ops->check)
		return -EINVAL;
	mutex_lock(&krg_state_ops_mutex);
	if (rcu_access_pointer(krg_state_ops))
		ret = -EBUSY;
	else
		rcu_assign_pointer(krg_state_ops, ops);
	mutex_unlock(&krg_state_ops_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(krg_state_ops_register);

void krg_state_ops_unregister(const struct krg_state_ops *ops)
{
	mutex_lock(&krg_state_ops_mutex);
	if (rcu_access_pointer(krg_state_ops) == ops)
		RCU_INIT_POINTER(krg_state_ops, NULL);
	mutex_unlock(&krg_state_ops_mutex);
	/* A reader between its dereference and try_module_get() is done. */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(krg_state_ops_unregister);

/* The lent ops with a reference on their owner, or NULL. */
static const struct krg_state_ops *krg_state_ops_get(void)
{
	const struct krg_state_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(krg_state_ops);
	/* Fails once the owner is going: its exit unregisters. */
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	rcu_read_unlock();
	return ops;
}

static void krg_state_ops_put(const struct krg_state_ops *ops)
{
	module_put(ops->owner);
}

/* Is every byte of @p..@p+@len zero? */
static bool krg_state_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static bool krg_state_membership_valid(const struct krg_state_membership *m)
{
	size_t len = strnlen(m->scheduler, sizeof(m->scheduler));

	if (m->kind != KRG_STATE_MEMBER_PID || m->reserved)
		return false;
	if (!len || len > KRG_STATE_NAME_MAX)
		return false;
	if (!krg_state_zero(m->scheduler + len, sizeof(m->scheduler) - len))
		return false;
	if (strchr(m->scheduler, '/') || !strcmp(m->scheduler, ".") ||
	    !strcmp(m->scheduler, ".."))
		return false;
	return true;
}

/* Is @st a record of this version, well formed? (See uapi/krg.h.) */
bool krg_state_valid(const struct krg_state *st)
{
	unsigned int i;

	if (st->size != sizeof(*st) || st->version != KRG_STATE_VERSION ||
	    st->flags || st->nr_memberships > KRG_STATE_MAX_MEMBERSHIPS)
		return false;
	if (!krg_caps_valid(&st->caps))
		return false;
	for (i = 0; i < st->nr_memberships; i++)
		if (!krg_state_membership_valid(&st->memberships[i]))
			return false;
	return krg_state_zero(&st->memberships[i],
			      (KRG_STATE_MAX_MEMBERSHIPS - i) *
			      sizeof(st->memberships[0]));
}

/* KRG_IOC_GET_STATE: @p held by the caller. Process context. */
int krg_state_get(struct task_struct *p, struct krg_state *st)
{
	const struct krg_state_ops *ops;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = krg_caps_get(p, &st->caps);
	if (ret)
		return ret;
	st->size = sizeof(*st);
	st->version = KRG_STATE_VERSION;

	ops = krg_state_ops_get();
	if (!ops)
		return 0;
	ret = ops->export(p, st);
	krg_state_ops_put(ops);
	return ret;
}

/*
 * KRG_IOC_SET_STATE, once the caller is known to be root and @st to be
 * valid: @p held by the caller. Process context. The memberships are
 * checked before the sets change, so that a refusal changes nothing.
 */
int krg_state_set(struct task_struct *p, const struct krg_state *st)
{
	const struct krg_state_ops *ops;
	int ret;

	if (p->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER))
		return -EINVAL;
	if (st->nr_memberships) {
		ops = krg_state_ops_get();
		if (!ops)
			return -EOPNOTSUPP;
		ret = ops->check(st);
		krg_state_ops_put(ops);
		if (ret)
			return ret;
	}
	return krg_caps_restore(p, &st->caps);
}
