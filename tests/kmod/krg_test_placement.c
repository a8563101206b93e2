// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the SSI layer (krg.ko): a distant fork placement
 * hook whose answer is a parameter, a way to ask for a migration the way a
 * policy does, and a record of the migration events. Everything is under
 * /sys/module/krg_test_placement/parameters/:
 *
 *   hook		(ro, at load) 0: no placement hook (the core's may be
 *			     there), only the events and "migrate"
 *   node		(rw) what the hook answers (default -1, KRG_NODE_NONE)
 *   delay_us		(rw) busy-wait in the hook, to widen races
 *   child_effective	(ro) the effective set of the last child the hook
 *			     saw, as krg_task_caps() gave it (what a policy
 *			     sees), in hexadecimal
 *   calls		(ro) how many times the hook ran
 *   migrate		(wo) "PID NODE": krg_migrate_request(PID, NODE, POLICY,
 *			     "ktp"); the write fails with its error
 *   last_id		(ro) the id the last "migrate" write got (0: none)
 *   events		(ro) "START END ABORT" counts of the migration events
 *   last_event		(ro) "KIND PID FROM TO ERROR" of the last one
 *   log		(ro) the last KTP_LOG events of any kind, oldest first,
 *			     one a line: "ID KIND REQUEST WHY OUTCOME ERROR PID
 *			     FROM TO TIME_NS WHO" (WHO "-" if none)
 *   dups		(ro) completions seen for an id that had completed
 *			     already (among the last KTP_DONE ids): never > 0
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <krg/caps.h>
#include <krg/migrate.h>
#include <krg/nodes.h>

static bool hook = true;
module_param(hook, bool, 0444);
MODULE_PARM_DESC(hook, "install the placement hook (0: only follow events)");

static int node = KRG_NODE_NONE;
module_param(node, int, 0644);
MODULE_PARM_DESC(node, "node the placement hook answers");

static unsigned int delay_us;
module_param(delay_us, uint, 0644);
MODULE_PARM_DESC(delay_us, "busy-wait in the hook (microseconds)");

static atomic_long_t ktp_calls;

static int ktp_calls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&ktp_calls));
}

static const struct kernel_param_ops ktp_calls_ops = {
	.get = ktp_calls_get,
};
module_param_cb(calls, &ktp_calls_ops, NULL, 0444);
MODULE_PARM_DESC(calls, "calls of the placement hook");

static unsigned int child_effective;
module_param(child_effective, uint, 0444);
MODULE_PARM_DESC(child_effective,
		 "effective set of the last child placed, as a policy sees it");

static int ktp_place(struct task_struct *parent, struct task_struct *child)
{
	unsigned int us = READ_ONCE(delay_us);
	struct krg_caps caps;

	krg_task_caps(child, &caps);
	WRITE_ONCE(child_effective, caps.effective);
	atomic_long_inc(&ktp_calls);
	if (us)
		udelay(min(us, 1000U));
	return READ_ONCE(node);
}

static const struct krg_placement_ops ktp_placement = {
	.place = ktp_place,
};

static u64 ktp_last_id;

static int ktp_last_id_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(ktp_last_id));
}

static const struct kernel_param_ops ktp_last_id_ops = {
	.get = ktp_last_id_get,
};
module_param_cb(last_id, &ktp_last_id_ops, NULL, 0444);
MODULE_PARM_DESC(last_id, "id of the last request made through migrate");

static int ktp_migrate_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *p;
	int nr, to, ret;
	u64 id = 0;

	if (sscanf(val, "%d %d", &nr, &to) != 2)
		return -EINVAL;
	rcu_read_lock();
	p = pid_task(find_vpid(nr), PIDTYPE_PID);
	ret = p ? krg_migrate_request(p, to, KRG_MIGRATE_POLICY, "ktp", &id) :
		  -ESRCH;
	rcu_read_unlock();
	WRITE_ONCE(ktp_last_id, id);
	return ret;
}

static const struct kernel_param_ops ktp_migrate_ops = {
	.set = ktp_migrate_set,
};
module_param_cb(migrate, &ktp_migrate_ops, NULL, 0200);
MODULE_PARM_DESC(migrate, "\"PID NODE\": migrate as a policy would");

/* Written by the notifier (atomic), read by the parameters. */
static DEFINE_SPINLOCK(ktp_events_lock);
static unsigned long ktp_events[3];
static struct krg_migration_event ktp_last;

#define KTP_LOG		32
#define KTP_DONE	256

struct ktp_log_entry {
	struct krg_migration_event ev;
	char who[KRG_REQUEST_WHO_LEN];
};

static struct ktp_log_entry ktp_log[KTP_LOG];
static unsigned int ktp_log_next;	/* entries ever logged */
static u64 ktp_done[KTP_DONE];		/* ids completed, a ring */
static unsigned int ktp_done_next;
static unsigned long ktp_dups;

/* A completion: was its id completed before? Under ktp_events_lock. */
static void ktp_completed(u64 id)
{
	unsigned int i;

	for (i = 0; i < KTP_DONE; i++)
		if (ktp_done[i] == id)
			ktp_dups++;
	ktp_done[ktp_done_next++ % KTP_DONE] = id;
}

static int ktp_event(struct notifier_block *nb, unsigned long kind, void *data)
{
	const struct krg_migration_event *ev = data;
	struct ktp_log_entry *l;
	unsigned long flags;

	spin_lock_irqsave(&ktp_events_lock, flags);
	l = &ktp_log[ktp_log_next++ % KTP_LOG];
	l->ev = *ev;
	strscpy(l->who, ev->who ?: "", sizeof(l->who));
	l->ev.who = NULL;
	if (kind != KRG_MIGRATION_START)
		ktp_completed(ev->id);
	if (kind >= KRG_MIGRATION_START && kind <= KRG_MIGRATION_ABORT) {
		ktp_events[kind - KRG_MIGRATION_START]++;
		ktp_last = *ev;
		ktp_last.who = NULL;
	}
	spin_unlock_irqrestore(&ktp_events_lock, flags);
	return NOTIFY_OK;
}

static int ktp_log_get(char *buf, const struct kernel_param *kp)
{
	struct ktp_log_entry *copy;
	unsigned int n, first, i;
	unsigned long flags;
	int len = 0;

	copy = kmalloc_array(KTP_LOG, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&ktp_events_lock, flags);
	memcpy(copy, ktp_log, sizeof(ktp_log));
	n = ktp_log_next;
	spin_unlock_irqrestore(&ktp_events_lock, flags);
	first = n > KTP_LOG ? n - KTP_LOG : 0;
	for (i = first; i < n; i++) {
		const struct ktp_log_entry *l = &copy[i % KTP_LOG];

		len += sysfs_emit_at(buf, len,
				     "%llu %d %d %d %d %d %d %d %d %llu %s\n",
				     l->ev.id, l->ev.kind, l->ev.request,
				     l->ev.why, l->ev.outcome, l->ev.error,
				     l->ev.pid, l->ev.from, l->ev.to,
				     l->ev.time_ns, l->who[0] ? l->who : "-");
	}
	kfree(copy);
	return len;
}

static const struct kernel_param_ops ktp_log_ops = {
	.get = ktp_log_get,
};
module_param_cb(log, &ktp_log_ops, NULL, 0444);
MODULE_PARM_DESC(log, "the last events, one a line");

static int ktp_dups_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(ktp_dups));
}

static const struct kernel_param_ops ktp_dups_ops = {
	.get = ktp_dups_get,
};
module_param_cb(dups, &ktp_dups_ops, NULL, 0444);
MODULE_PARM_DESC(dups, "second completions of one request seen");

static struct notifier_block ktp_nb = {
	.notifier_call = ktp_event,
};

static int ktp_events_get(char *buf, const struct kernel_param *kp)
{
	unsigned long flags, ev[3];

	spin_lock_irqsave(&ktp_events_lock, flags);
	memcpy(ev, ktp_events, sizeof(ev));
	spin_unlock_irqrestore(&ktp_events_lock, flags);
	return sysfs_emit(buf, "%lu %lu %lu\n", ev[0], ev[1], ev[2]);
}

static const struct kernel_param_ops ktp_events_ops = {
	.get = ktp_events_get,
};
module_param_cb(events, &ktp_events_ops, NULL, 0444);
MODULE_PARM_DESC(events, "START END ABORT events seen");

static int ktp_last_get(char *buf, const struct kernel_param *kp)
{
	struct krg_migration_event ev;
	unsigned long flags;

	spin_lock_irqsave(&ktp_events_lock, flags);
	ev = ktp_last;
	spin_unlock_irqrestore(&ktp_events_lock, flags);
	return sysfs_emit(buf, "%d %d %d %d %d\n", ev.kind, ev.pid, ev.from,
			  ev.to, ev.error);
}

static const struct kernel_param_ops ktp_last_ops = {
	.get = ktp_last_get,
};
module_param_cb(last_event, &ktp_last_ops, NULL, 0444);
MODULE_PARM_DESC(last_event, "KIND PID FROM TO ERROR of the last event");

static int __init ktp_init(void)
{
	int ret;

	ret = krg_migration_register_notifier(&ktp_nb);
	if (ret)
		return ret;
	if (!hook)
		return 0;
	ret = krg_placement_register(&ktp_placement);
	if (ret)
		goto err_notifier;
	return 0;

err_notifier:
	krg_migration_unregister_notifier(&ktp_nb);
	return ret;
}

static void __exit ktp_exit(void)
{
	if (hook)
		krg_placement_unregister(&ktp_placement);
	krg_migration_unregister_notifier(&ktp_nb);
}

module_init(ktp_init);
module_exit(ktp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched test-only placement hook and migration probe");
MODULE_AUTHOR("The krgsched developers");
