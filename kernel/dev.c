// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/krg: the ioctls of uapi/krg.h. The device is open to everyone
 * (0666); each request checks the caller's permission over its target.
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "internal.h"

/*
 * A struct may grow at its end without a new ioctl number: the command is
 * matched without its size bits, and the size member says what the caller
 * passed (copy_struct_from_user() semantics, but smaller is refused).
 */
#define KRG_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static int krg_dev_copy_in(void *dst, size_t ksize, const void __user *src)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < ksize)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(dst, ksize, src, usize);
}

/* The task numbered @nr in the caller's pid namespace, with a reference. */
static struct task_struct *krg_dev_find_task(pid_t nr)
{
	struct task_struct *p = NULL;
	struct pid *pid;

	pid = find_get_pid(nr);
	if (pid) {
		p = get_pid_task(pid, PIDTYPE_PID);
		put_pid(pid);
	}
	return p ?: ERR_PTR(-ESRCH);
}

/* The target of a caps or state request (enum krg_target), held. */
static struct task_struct *krg_dev_target(u32 target, s32 pid, u32 reserved)
{
	struct task_struct *p;

	if (reserved)
		return ERR_PTR(-EINVAL);
	switch (target) {
	case KRG_TARGET_SELF:
		if (pid)
			return ERR_PTR(-EINVAL);
		return get_task_struct(current);
	case KRG_TARGET_PARENT:
		if (pid)
			return ERR_PTR(-EINVAL);
		rcu_read_lock();
		p = get_task_struct(rcu_dereference(current->real_parent));
		rcu_read_unlock();
		return p;
	case KRG_TARGET_PID:
		if (pid <= 0)
			return ERR_PTR(-EINVAL);
		return krg_dev_find_task(pid);
	default:
		return ERR_PTR(-EINVAL);
	}
}

static long krg_dev_caps(unsigned int cmd, void __user *uarg)
{
	struct krg_cap_req req;
	struct task_struct *p;
	int ret;

	ret = krg_dev_copy_in(&req, sizeof(req), uarg);
	if (ret)
		return ret;
	p = krg_dev_target(req.target, req.pid, req.reserved);
	if (IS_ERR(p))
		return PTR_ERR(p);

	if (cmd == KRG_IOC_BASE(KRG_IOC_SET_CAPS)) {
		ret = krg_caps_set(p, &req.caps);
	} else {
		ret = krg_caps_get(p, &req.caps);
		if (!ret && copy_to_user(uarg, &req, sizeof(req)))
			ret = -EFAULT;
	}
	put_task_struct(p);
	return ret;
}

/*
 * The request is large (struct krg_state): it lives on the heap, not on
 * the stack. SET is for root only, refused before anything is read.
 */
static long krg_dev_state(unsigned int cmd, void __user *uarg)
{
	bool set = cmd == KRG_IOC_BASE(KRG_IOC_SET_STATE);
	struct krg_state_req *req;
	struct task_struct *p;
	int ret;

	if (set && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	ret = krg_dev_copy_in(req, sizeof(*req), uarg);
	if (ret)
		goto out_free;
	if (set && !krg_state_valid(&req->state)) {
		ret = -EINVAL;
		goto out_free;
	}
	p = krg_dev_target(req->target, req->pid, req->reserved);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto out_free;
	}

	if (set) {
		ret = krg_state_set(p, &req->state);
	} else {
		ret = krg_state_get(p, &req->state);
		if (!ret && copy_to_user(uarg, req, sizeof(*req)))
			ret = -EFAULT;
	}
	put_task_struct(p);
out_free:
	kfree(req);
	return ret;
}

/*
 * KRG_MIGRATE_DRY_RUN: krg.ko's checks, then, for another machine, its
 * agent's (every reason to @uarg's reason, if @usize has room for it).
 */
static int krg_dev_dry_run(struct task_struct *p, int node, void __user *uarg,
			   u32 usize)
{
	char *reason;
	int ret;

	ret = krg_migrate_check(p, node);
	if (ret || krg_node_measured(node))
		return ret;
	reason = kzalloc(KRG_REASON_LEN, GFP_KERNEL);
	if (!reason)
		return -ENOMEM;
	ret = krg_cluster_dry_run(p, node, reason);
	if (usize >= sizeof(struct krg_migrate_req) &&
	    copy_to_user(((struct krg_migrate_req __user *)uarg)->reason,
			 reason, KRG_REASON_LEN))
		ret = -EFAULT;
	kfree(reason);
	return ret;
}

static long krg_dev_migrate(void __user *uarg)
{
	struct krg_request *waiter = NULL;
	struct krg_migrate_req req;
	struct task_struct *p;
	int ret;

	/*
	 * The reason is out only (whatever the caller left there): the
	 * first part is read, and a caller without a reason is served all
	 * the same.
	 */
	if (get_user(req.size, (const u32 __user *)uarg))
		return -EFAULT;
	if (req.size < offsetof(struct krg_migrate_req, reason))
		return -EINVAL;
	if (req.size > PAGE_SIZE)
		return -E2BIG;
	if (copy_from_user(&req, uarg, offsetof(struct krg_migrate_req, reason)))
		return -EFAULT;
	if ((req.flags & ~KRG_MIGRATE_ALL) || req.pid <= 0 ||
	    hweight32(req.flags & KRG_MIGRATE_ALL) > 1)
		return -EINVAL;
	p = krg_dev_find_task(req.pid);
	if (IS_ERR(p))
		return PTR_ERR(p);

	if (!krg_may_access(p))
		ret = -EPERM;
	else if (req.flags & KRG_MIGRATE_CHECK)
		ret = krg_migrate_check(p, req.node);
	else if (req.flags & KRG_MIGRATE_DRY_RUN)
		ret = krg_dev_dry_run(p, req.node, uarg, req.size);
	else if (req.flags & KRG_MIGRATE_RECORD)
		ret = krg_migrate_record(p, req.node);
	else
		ret = krg_migrate_queue(p, req.node, KRG_MIGRATE_USER, NULL,
					NULL, (req.flags & KRG_MIGRATE_NOWAIT) ?
					NULL : &waiter);
	put_task_struct(p);

	/* Already there is what the user asked for. */
	if (ret == -EALREADY)
		return 0;
	if (ret || !waiter)
		return ret;
	ret = krg_request_wait(waiter);
	/* Its reason, when the caller has room (its size says: > the base). */
	if (ret != -EINTR && req.size >= sizeof(req) &&
	    copy_to_user(((struct krg_migrate_req __user *)uarg)->reason,
			 waiter->reason, sizeof(waiter->reason)))
		ret = -EFAULT;
	krg_request_put(waiter);
	return ret;
}

static long krg_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (KRG_IOC_BASE(cmd)) {
	case KRG_IOC_BASE(KRG_IOC_GET_CAPS):
	case KRG_IOC_BASE(KRG_IOC_SET_CAPS):
		return krg_dev_caps(KRG_IOC_BASE(cmd), uarg);
	case KRG_IOC_BASE(KRG_IOC_MIGRATE):
		return krg_dev_migrate(uarg);
	case KRG_IOC_BASE(KRG_IOC_GET_STATE):
	case KRG_IOC_BASE(KRG_IOC_SET_STATE):
		return krg_dev_state(KRG_IOC_BASE(cmd), uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations krg_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= krg_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice krg_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "krg",
	.fops	= &krg_dev_fops,
	.mode	= 0666,
};

int krg_dev_init(void)
{
	return misc_register(&krg_miscdev);
}

void krg_dev_uninit(void)
{
	misc_deregister(&krg_miscdev);
}
