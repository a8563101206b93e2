// SPDX-License-Identifier: GPL-2.0
/*
 * user_probe: interactive users of the machine (Kerrighed's user_probe).
 *
 * Source (u64; machine-wide: every online node shows the same value,
 * offline nodes none, -ENODATA):
 *   connected  interactive sessions: sessions whose leader is alive, has a
 *              controlling terminal, and runs as a user id (real uid, init
 *              user namespace) of at least min_uid (default 1000, Debian's
 *              first regular user): a login on a console, a serial line,
 *              ssh or a terminal emulator's shell. Daemons (no terminal),
 *              root's and system users' sessions do not count.
 * Attributes: min_uid (rw: 0..4294967294; EINVAL otherwise), sessions (ro:
 * "sid S uid U" per counted session); the core's cost_ns.
 *
 * Kerrighed's user_probe read the counter of local_user_presence, which a
 * login script fed through a file anybody could write. The kernel has no
 * utmp, but it knows sessions and their terminals, which is what utmp
 * describes for interactive logins: this probe counts them by itself, with
 * no userspace help and nothing a user can forge beyond opening a terminal
 * session of their own (which is being an interactive user). Users who
 * announce logins through PAM instead use local_user_presence, which keeps
 * Kerrighed's counter.
 *
 * Periodic: measure() walks the processes under RCU every probe_period
 * (1000 ms) and publishes `connected` when it changed.
 */
#include <linux/cred.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/uidgid.h>
#include "krg_probe_util.h"

struct user_probe {
	u32 min_uid;		/* READ_ONCE */
	u64 connected;		/* READ_ONCE; U64_MAX: not measured yet */
};

/* Is @p the live leader of an interactive session? RCU held. */
static bool user_probe_counts(struct task_struct *p, u32 min_uid)
{
	uid_t uid;

	if (p->flags & PF_KTHREAD || !p->signal->leader ||
	    !READ_ONCE(p->signal->tty) || !atomic_read(&p->signal->live))
		return false;
	uid = from_kuid(&init_user_ns, __task_cred(p)->uid);
	return uid != (uid_t)-1 && uid >= min_uid;
}

static void user_probe_measure(struct krg_probe *probe)
{
	struct user_probe *up = krg_probe_priv(probe);
	u32 min_uid = READ_ONCE(up->min_uid);
	u64 n = 0;
	struct task_struct *p;

	rcu_read_lock();
	for_each_process(p)
		n += user_probe_counts(p, min_uid);
	rcu_read_unlock();
	if (n != READ_ONCE(up->connected)) {
		WRITE_ONCE(up->connected, n);
		krg_probe_publish(probe, 0);
	}
}

static int user_probe_connected_node(struct krg_probe *probe, int node,
				     void *out, unsigned int nr,
				     const void *in, unsigned int in_nr)
{
	struct user_probe *up = krg_probe_priv(probe);
	u64 v;

	if (!krgp_node_here(node))
		return -ENODATA;
	v = READ_ONCE(up->connected);
	if (v == U64_MAX)
		return -EAGAIN;
	*(u64 *)out = v;
	return 1;
}

static int user_probe_connected_get(struct krg_probe *probe, void *out,
				    unsigned int nr, const void *in,
				    unsigned int in_nr)
{
	return user_probe_connected_node(probe, krg_local_node(), out, nr,
					 in, in_nr);
}

static const struct krg_source_desc user_probe_src_connected = {
	.name = "connected",
	.type = &krg_type_u64,
	.get_value = user_probe_connected_get,
	.get_node_value = user_probe_connected_node,
};

static const struct krg_source_desc *const user_probe_sources[] = {
	&user_probe_src_connected,
	NULL,
};

static struct user_probe *user_probe_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t user_probe_min_uid_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(user_probe_of(item)->min_uid));
}

static ssize_t user_probe_min_uid_store(struct config_item *item,
					const char *page, size_t count)
{
	u32 uid;

	if (kstrtou32(page, 10, &uid) || uid == (u32)-1) {
		pr_notice_ratelimited("%s: min_uid: \"%.*s\" is not a uid\n",
				      config_item_name(item),
				      (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	WRITE_ONCE(user_probe_of(item)->min_uid, uid);
	return count;
}
CONFIGFS_ATTR(user_probe_, min_uid);

static ssize_t user_probe_sessions_show(struct config_item *item, char *page)
{
	u32 min_uid = READ_ONCE(user_probe_of(item)->min_uid);
	struct task_struct *p;
	ssize_t len = 0;

	rcu_read_lock();
	for_each_process(p) {
		if (!user_probe_counts(p, min_uid))
			continue;
		len += sysfs_emit_at(page, len, "sid %d uid %u\n",
				     task_pid_nr_ns(p, task_active_pid_ns(current)),
				     from_kuid_munged(current_user_ns(),
						      __task_cred(p)->uid));
	}
	rcu_read_unlock();
	return len;
}
CONFIGFS_ATTR_RO(user_probe_, sessions);

static struct configfs_attribute *user_probe_attrs[] = {
	&user_probe_attr_min_uid,
	&user_probe_attr_sessions,
	NULL,
};

static int user_probe_init(struct krg_probe *probe)
{
	struct user_probe *up = krg_probe_priv(probe);

	up->min_uid = 1000;
	up->connected = U64_MAX;
	return 0;
}

KRG_PROBE_MODULE(user_probe,
		 .sources = user_probe_sources,
		 .attrs = user_probe_attrs,
		 .period_ms = 1000,
		 .priv_size = sizeof(struct user_probe),
		 .init = user_probe_init,
		 .measure = user_probe_measure);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: interactive sessions (terminal, regular uid)");
