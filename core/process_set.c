// SPDX-License-Identifier: GPL-2.0
/*
 * schedulers/<s>/process_set: which processes a scheduler handles.
 *
 *   handle_all                  1: every process (no members allowed)
 *   single_processes/<pid>      that process
 *   process_groups/<pgid>       the group's present and future members
 *   process_sessions/<sid>      the session's present and future members
 *   cgroups/<name>              the tasks of a cgroup v2 and its descendants:
 *                               <name>/path holds the cgroup's path (set to
 *                               "/<name>" when that cgroup exists at mkdir)
 *
 * Numbers are pids in the namespace of the process doing the mkdir. Members
 * hold a reference on the struct pid (or cgroup), so a recycled number never
 * matches by accident.
 */
#include <linux/cgroup.h>
#include <linux/configfs.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include "internal.h"

struct krg_member {
	struct config_item item;
	enum krg_member_kind kind;
	struct krg_process_set *ps;
	struct pid *pid;		/* PID, PGID, SID kinds */
	struct cgroup __rcu *cgrp;	/* CGROUP kind; RCU, cfg mutex */
	struct list_head node;		/* ps->members[kind]; RCU, cfg mutex */
	struct rcu_head rcu;
};

static const char *const krg_member_dirs[KRG_MEMBER_NR] = {
	[KRG_MEMBER_PID] = "single_processes",
	[KRG_MEMBER_PGID] = "process_groups",
	[KRG_MEMBER_SID] = "process_sessions",
	[KRG_MEMBER_CGROUP] = "cgroups",
};

static const enum pid_type krg_member_pid_types[] = {
	[KRG_MEMBER_PID] = PIDTYPE_TGID,
	[KRG_MEMBER_PGID] = PIDTYPE_PGID,
	[KRG_MEMBER_SID] = PIDTYPE_SID,
};

static inline struct krg_member *to_krg_member(struct config_item *item)
{
	return container_of(item, struct krg_member, item);
}

static inline struct krg_process_set *to_krg_pset(struct config_item *item)
{
	return container_of(to_config_group(item), struct krg_process_set,
			    kg.group);
}

/* Atomic; @p pinned by the caller. */
bool krg_process_set_has(struct krg_process_set *ps, enum krg_member_kind kind,
			 struct task_struct *p)
{
	struct krg_member *m;
	struct cgroup *cg, *mcg;
	struct pid *pid;
	bool found = false;

	if (list_empty(&ps->members[kind]))
		return false;
	rcu_read_lock();
	switch (kind) {
	case KRG_MEMBER_PID:
	case KRG_MEMBER_PGID:
	case KRG_MEMBER_SID:
		pid = kind == KRG_MEMBER_PID ? task_tgid(p) :
		      kind == KRG_MEMBER_PGID ? task_pgrp(p) : task_session(p);
		list_for_each_entry_rcu(m, &ps->members[kind], node) {
			if (m->pid == pid) {
				found = true;
				break;
			}
		}
		break;
	case KRG_MEMBER_CGROUP:
		cg = task_dfl_cgroup(p);
		list_for_each_entry_rcu(m, &ps->members[kind], node) {
			mcg = rcu_dereference(m->cgrp);
			if (mcg && cgroup_is_descendant(cg, mcg)) {
				found = true;
				break;
			}
		}
		break;
	default:
		break;
	}
	rcu_read_unlock();
	return found;
}

/* --- members ------------------------------------------------------------- */

static ssize_t krg_member_path_show(struct config_item *item, char *page)
{
	struct krg_member *m = to_krg_member(item);
	struct cgroup *cg;
	ssize_t len;

	mutex_lock(&krg_cfg_mutex);
	cg = rcu_dereference_protected(m->cgrp, lockdep_is_held(&krg_cfg_mutex));
	if (!cg) {
		len = sysfs_emit(page, "\n");
	} else {
		len = cgroup_path(cg, page, PAGE_SIZE - 1);
		if (len >= 0)
			page[len++] = '\n';
	}
	mutex_unlock(&krg_cfg_mutex);
	return len;
}

static ssize_t krg_member_path_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct krg_member *m = to_krg_member(item);
	struct cgroup *cg, *old;
	char *path;

	path = kstrndup(page, count, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	strim(path);
	if (path[0] != '/') {
		krg_cfg_err(item, "path: '%.64s' is not an absolute cgroup path\n",
			    path);
		kfree(path);
		return -EINVAL;
	}
	cg = cgroup_get_from_path(path);
	if (IS_ERR(cg)) {
		krg_cfg_err(item, "path: no cgroup %.64s\n", path);
		kfree(path);
		return -ENOENT;
	}
	kfree(path);

	mutex_lock(&krg_cfg_mutex);
	old = rcu_dereference_protected(m->cgrp, lockdep_is_held(&krg_cfg_mutex));
	rcu_assign_pointer(m->cgrp, cg);
	mutex_unlock(&krg_cfg_mutex);
	if (old) {
		synchronize_rcu();
		cgroup_put(old);
	}
	return count;
}
CONFIGFS_ATTR(krg_member_, path);

static struct configfs_attribute *krg_cgroup_member_attrs[] = {
	&krg_member_attr_path,
	NULL,
};

static void krg_member_free_rcu(struct rcu_head *head)
{
	struct krg_member *m = container_of(head, struct krg_member, rcu);
	struct cgroup *cg = rcu_dereference_protected(m->cgrp, 1);

	put_pid(m->pid);
	if (cg)
		cgroup_put(cg);
	kfree(m);
}

static void krg_member_release(struct config_item *item)
{
	/* Matching may still look at the member: free after a grace period. */
	call_rcu(&to_krg_member(item)->rcu, krg_member_free_rcu);
}

static struct configfs_item_operations krg_member_item_ops = {
	.release = krg_member_release,
};

static const struct config_item_type krg_pid_member_type = {
	.ct_item_ops = &krg_member_item_ops,
	.ct_owner = THIS_MODULE,
};

static const struct config_item_type krg_cgroup_member_type = {
	.ct_item_ops = &krg_member_item_ops,
	.ct_attrs = krg_cgroup_member_attrs,
	.ct_owner = THIS_MODULE,
};

static enum krg_member_kind krg_kind_of(struct config_group *group,
					struct krg_process_set **ps)
{
	struct krg_group *kg = container_of(group, struct krg_group, group);
	struct krg_process_set *set = to_krg_pset(group->cg_item.ci_parent);

	*ps = set;
	return kg - set->kinds;
}

static int krg_member_resolve(struct krg_member *m, const char *name)
{
	struct task_struct *t;
	struct cgroup *cg;
	char path[KRG_NAME_MAX + 2];
	int nr, ret;

	if (m->kind == KRG_MEMBER_CGROUP) {
		snprintf(path, sizeof(path), "/%s", name);
		cg = cgroup_get_from_path(path);
		/* Not a top-level cgroup: the user writes <name>/path. */
		RCU_INIT_POINTER(m->cgrp, IS_ERR(cg) ? NULL : cg);
		return 0;
	}
	ret = kstrtoint(name, 10, &nr);
	if (ret || nr <= 0)
		return -EINVAL;
	m->pid = find_get_pid(nr);
	if (!m->pid)
		return -ESRCH;
	rcu_read_lock();
	t = pid_task(m->pid, krg_member_pid_types[m->kind]);
	rcu_read_unlock();
	if (!t) {
		put_pid(m->pid);
		m->pid = NULL;
		return -ESRCH;
	}
	return 0;
}

static struct config_item *krg_member_make(struct config_group *group,
					   const char *name)
{
	struct krg_process_set *ps;
	enum krg_member_kind kind = krg_kind_of(group, &ps);
	struct krg_member *m;
	int ret;

	if (strlen(name) > KRG_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->kind = kind;
	m->ps = ps;
	ret = krg_member_resolve(m, name);
	if (ret) {
		krg_cfg_err(&group->cg_item, "'%s': %s\n", name,
			    ret == -ESRCH ? "no such process, group or session"
					  : "not a positive number");
		kfree(m);
		return ERR_PTR(ret);
	}
	config_item_init_type_name(&m->item, name,
				   kind == KRG_MEMBER_CGROUP ?
				   &krg_cgroup_member_type : &krg_pid_member_type);

	mutex_lock(&krg_cfg_mutex);
	if (ps->handle_all) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(&group->cg_item, "handle_all is set: no members\n");
		config_item_put(&m->item);
		return ERR_PTR(-EPERM);
	}
	list_add_tail_rcu(&m->node, &ps->members[kind]);
	ps->nr_members++;
	mutex_unlock(&krg_cfg_mutex);
	return &m->item;
}

static void krg_member_drop(struct config_group *group,
			    struct config_item *item)
{
	struct krg_member *m = to_krg_member(item);

	mutex_lock(&krg_cfg_mutex);
	list_del_rcu(&m->node);
	m->ps->nr_members--;
	mutex_unlock(&krg_cfg_mutex);
	config_item_put(item);
}

static struct configfs_item_operations krg_pset_child_item_ops = {
	.release = krg_group_release,
};

static struct configfs_group_operations krg_members_group_ops = {
	.make_item = krg_member_make,
	.drop_item = krg_member_drop,
};

static const struct config_item_type krg_members_type = {
	.ct_item_ops = &krg_pset_child_item_ops,
	.ct_group_ops = &krg_members_group_ops,
	.ct_owner = THIS_MODULE,
};

/* --- process_set/ and handle_all ----------------------------------------- */

static ssize_t krg_pset_handle_all_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", READ_ONCE(to_krg_pset(item)->handle_all));
}

static ssize_t krg_pset_handle_all_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct krg_process_set *ps = to_krg_pset(item);
	bool on;
	int ret;

	ret = krg_parse_bool(page, &on);
	if (ret)
		return ret;
	mutex_lock(&krg_cfg_mutex);
	if (on && ps->nr_members) {
		mutex_unlock(&krg_cfg_mutex);
		krg_cfg_err(item, "handle_all: remove the %u member(s) first\n",
			    ps->nr_members);
		return -EPERM;
	}
	WRITE_ONCE(ps->handle_all, on);
	mutex_unlock(&krg_cfg_mutex);
	return count;
}
CONFIGFS_ATTR(krg_pset_, handle_all);

static struct configfs_attribute *krg_pset_attrs[] = {
	&krg_pset_attr_handle_all,
	NULL,
};

static const struct config_item_type krg_pset_type = {
	.ct_item_ops = &krg_pset_child_item_ops,
	.ct_attrs = krg_pset_attrs,
	.ct_owner = THIS_MODULE,
};

/* process_set/ and its member directories, default groups of @parent. */
void krg_process_set_init(struct krg_process_set *ps,
			  struct config_group *parent)
{
	int k;

	krg_group_init(&ps->kg, "process_set", &krg_pset_type, parent,
		       &parent->cg_item);
	for (k = 0; k < KRG_MEMBER_NR; k++) {
		INIT_LIST_HEAD(&ps->members[k]);
		krg_group_init(&ps->kinds[k], krg_member_dirs[k],
			       &krg_members_type, &ps->kg.group,
			       &parent->cg_item);
	}
}
