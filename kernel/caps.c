// SPDX-License-Identifier: GPL-2.0
/*
 * Kerrighed capabilities, kept per task by krg.ko, outside task_struct.
 *
 * A task has an entry in krg_tasks only if its sets may differ from the
 * defaults (it changed them, or inherited them from a task that did), or if
 * krg.ko put it on a node. Every other task has the defaults, so forking or
 * exiting such a task costs one hash lookup (hooks.c).
 *
 * Exec leaves the sets unchanged, as in Kerrighed: nothing hooks exec.
 */
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <krg/caps.h>
#include "internal.h"

static unsigned int task_hash_bits = 12;
module_param(task_hash_bits, uint, 0444);
MODULE_PARM_DESC(task_hash_bits,
		 "log2 of the buckets of the task table (6-20, default 12)");

/*
 * The table of entries, keyed by task_struct pointer.
 * Each bucket's lock serialises insertions into and removals from its list;
 * it is only taken in process context (the fork and exit hooks, ioctls,
 * the migration worker), possibly atomic. Lookups walk a list under RCU
 * without the lock, in any context; entries are freed after a grace period.
 * An entry's fields are atomic or written with WRITE_ONCE(), so they are
 * read without the lock too.
 */
struct krg_bucket {
	spinlock_t lock;		/* adding to and removing from head */
	struct hlist_head head;		/* of struct krg_task, by hnode */
};

static struct krg_bucket *krg_tasks;
static atomic_t krg_tasks_nr;
static struct kmem_cache *krg_task_cache;

static struct krg_bucket *krg_bucket_of(const struct task_struct *p)
{
	return &krg_tasks[hash_ptr(p, task_hash_bits)];
}

/*
 * The four sets are packed in one u64 (16 bits each) so that they are read
 * and replaced as one: a reader never sees half of an update.
 */
#define KRG_SHIFT_P	0
#define KRG_SHIFT_E	16
#define KRG_SHIFT_IP	32
#define KRG_SHIFT_IE	48
#define KRG_SET_MASK	0xffffULL

static u32 krg_set(u64 v, int shift)
{
	return (v >> shift) & KRG_SET_MASK;
}

static u64 krg_caps_pack(const struct krg_caps *c)
{
	return (u64)c->permitted << KRG_SHIFT_P |
	       (u64)c->effective << KRG_SHIFT_E |
	       (u64)c->inheritable_permitted << KRG_SHIFT_IP |
	       (u64)c->inheritable_effective << KRG_SHIFT_IE;
}

static void krg_caps_unpack(u64 v, struct krg_caps *c)
{
	c->permitted = krg_set(v, KRG_SHIFT_P);
	c->effective = krg_set(v, KRG_SHIFT_E);
	c->inheritable_permitted = krg_set(v, KRG_SHIFT_IP);
	c->inheritable_effective = krg_set(v, KRG_SHIFT_IE);
}

u64 krg_caps_default(void)
{
	static const struct krg_caps defaults = {
		.permitted = KRG_CAP_SUPPORTED,
		.effective = KRG_CAP_DEFAULT_EFFECTIVE,
		.inheritable_permitted = KRG_CAP_SUPPORTED,
		.inheritable_effective = KRG_CAP_DEFAULT_EFFECTIVE,
	};

	return krg_caps_pack(&defaults);
}

/* Child P = parent IP, child E = parent IE & IP, inheritable sets copied. */
u64 krg_caps_inherit(u64 parent)
{
	u64 ip = krg_set(parent, KRG_SHIFT_IP);
	u64 ie = krg_set(parent, KRG_SHIFT_IE);

	return ip << KRG_SHIFT_P | (ie & ip) << KRG_SHIFT_E |
	       ip << KRG_SHIFT_IP | ie << KRG_SHIFT_IE;
}

u32 krg_caps_effective(u64 caps)
{
	return krg_set(caps, KRG_SHIFT_E);
}

/* Caller holds rcu_read_lock() (or is in an RCU-sched section). */
struct krg_task *krg_task_find(const struct task_struct *p)
{
	struct krg_task *e;

	hlist_for_each_entry_rcu(e, &krg_bucket_of(p)->head, hnode)
		if (e->task == p)
			return e;
	return NULL;
}

void krg_task_init(struct krg_task *e, u64 caps, int node)
{
	atomic64_set(&e->caps, caps);
	e->node = node;
	e->flags = 0;
	e->spare = NULL;
	e->refill_parent = NULL;
}

struct krg_task *krg_task_alloc(gfp_t gfp, u64 caps, int node)
{
	struct krg_task *e = kmem_cache_alloc(krg_task_cache, gfp);

	if (e)
		krg_task_init(e, caps, node);
	return e;
}

/* @e and its spare; @e was never visible to lookups, or a grace period passed. */
void krg_task_free(struct krg_task *e)
{
	if (e->spare)
		kmem_cache_free(krg_task_cache, e->spare);
	kmem_cache_free(krg_task_cache, e);
}

static void krg_task_free_rcu(struct rcu_head *rcu)
{
	krg_task_free(container_of(rcu, struct krg_task, rcu));
}

/* Free @e, unhashed, once lookups that may have found it are over. */
void krg_task_free_deferred(struct krg_task *e)
{
	call_rcu(&e->rcu, krg_task_free_rcu);
}

/*
 * Hash @e as @p's entry. Any context. -EEXIST if @p has one already,
 * -ESRCH if @p is exiting: its exit hook may have run already and would
 * never remove the entry (a later task_struct at the same address would
 * inherit it). The exit hook takes the same bucket lock after PF_EXITING is
 * set, so either it finds the entry or we see the flag.
 */
int krg_task_insert(struct task_struct *p, struct krg_task *e)
{
	struct krg_bucket *b = krg_bucket_of(p);
	int ret = 0;

	e->task = p;
	spin_lock(&b->lock);
	if (READ_ONCE(p->flags) & PF_EXITING)
		ret = -ESRCH;
	else if (krg_task_find(p))
		ret = -EEXIST;
	else
		hlist_add_head_rcu(&e->hnode, &b->head);
	spin_unlock(&b->lock);
	if (!ret)
		atomic_inc(&krg_tasks_nr);
	return ret;
}

/* @p is exiting (its exit hook): drop its entry, if any. */
void krg_task_remove(struct task_struct *p)
{
	struct krg_bucket *b = krg_bucket_of(p);
	struct krg_task *e;

	spin_lock(&b->lock);
	e = krg_task_find(p);
	if (e)
		hlist_del_rcu(&e->hnode);
	spin_unlock(&b->lock);
	if (!e)
		return;
	atomic_dec(&krg_tasks_nr);
	/*
	 * A refill still queued on @p runs after this hook (exit_task_work()),
	 * in @p's own context like this hook: it frees the entry then.
	 */
	if (test_bit(KRG_TASK_WORK, &e->flags))
		set_bit(KRG_TASK_DEAD, &e->flags);
	else
		krg_task_free_deferred(e);
}

/*
 * Is @p not past the fork hook yet (found by pid between attach_pid() and
 * the fork tracepoint, or until wake_up_new_task())? Only the hook may
 * give such a task an entry: it must never find one it did not make. The
 * hook publishes its entry (smp_wmb()) before the state changes; pairs
 * with the smp_rmb() here, which orders the caller's later lookups.
 */
static bool krg_task_new(struct task_struct *p)
{
	bool new = READ_ONCE(p->__state) == TASK_NEW;

	smp_rmb();	/* the state before the entry: the fork hook's smp_wmb() */
	return new;
}

/*
 * Give @p an entry (with the default sets, and a spare for its next child)
 * unless it has one. Process context. 0, -ENOMEM, -ESRCH if @p is exiting,
 * or -EAGAIN if @p is being created (not past the fork hook yet).
 */
int krg_task_ensure(struct task_struct *p)
{
	struct krg_task *e;
	int ret;

	if (krg_task_new(p))
		return -EAGAIN;
	rcu_read_lock();
	e = krg_task_find(p);
	rcu_read_unlock();
	if (e)
		return 0;

	e = krg_task_alloc(GFP_KERNEL, krg_caps_default(), KRG_NODE_NONE);
	if (!e)
		return -ENOMEM;
	if (!(p->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER))) {
		e->spare = krg_task_alloc(GFP_KERNEL, 0, KRG_NODE_NONE);
		if (!e->spare) {
			krg_task_free(e);
			return -ENOMEM;
		}
	}
	ret = krg_task_insert(p, e);
	if (ret)
		krg_task_free(e);
	return ret == -EEXIST ? 0 : ret;
}

unsigned int krg_tasks_count(void)
{
	return atomic_read(&krg_tasks_nr);
}

static u64 krg_task_caps_packed(struct task_struct *p)
{
	struct krg_task *e;
	u64 caps;

	rcu_read_lock();
	e = krg_task_find(p);
	caps = e ? atomic64_read(&e->caps) : krg_caps_default();
	rcu_read_unlock();
	return caps;
}

/**
 * krg_task_caps - the four capability sets of a task
 * @p: the task, pinned by the caller (RCU or a reference)
 * @out: where to store the sets
 *
 * Any context. A task krg.ko knows nothing about has the defaults.
 */
void krg_task_caps(struct task_struct *p, struct krg_caps *out)
{
	krg_caps_unpack(krg_task_caps_packed(p), out);
}
EXPORT_SYMBOL_GPL(krg_task_caps);

/*
 * May current act on @p (Kerrighed's permissions_ok)? Its effective uid
 * must be @p's real or effective uid, or it must be root, which here means
 * CAP_SYS_ADMIN in the initial user namespace. The uids are checked first
 * so that owners never leave a capability audit record.
 */
bool krg_may_access(struct task_struct *p)
{
	const struct cred *cred = current_cred(), *tcred;
	bool owner;

	rcu_read_lock();
	tcred = __task_cred(p);
	owner = uid_eq(cred->euid, tcred->uid) ||
		uid_eq(cred->euid, tcred->euid);
	rcu_read_unlock();
	return owner || capable(CAP_SYS_ADMIN);
}

/* KRG_IOC_GET_CAPS: needs the same permission as a change. */
int krg_caps_get(struct task_struct *p, struct krg_caps *out)
{
	if (!krg_may_access(p))
		return -EPERM;
	/* Its sets are not known before the fork hook ran. */
	if (krg_task_new(p))
		return -EAGAIN;
	krg_task_caps(p, out);
	return 0;
}

/*
 * The sets after a change to @want (packed) of a task whose sets are @old:
 * P only shrinks, the other sets are cut to the new P. -EPERM if the task
 * lacks CHANGE_KERRIGHED_CAP in its effective set.
 */
static int krg_caps_change(u64 old, u64 want, u64 *new)
{
	u64 p;

	if (!(krg_caps_effective(old) &
	      KRG_CAP_BIT(KRG_CAP_CHANGE_KERRIGHED_CAP)))
		return -EPERM;
	p = krg_set(old, KRG_SHIFT_P) & krg_set(want, KRG_SHIFT_P);
	*new = want & (p << KRG_SHIFT_P | p << KRG_SHIFT_E |
		       p << KRG_SHIFT_IP | p << KRG_SHIFT_IE);
	return 0;
}

/*
 * Are @c's sets a combination a task may hold: Kerrighed's inclusions, and
 * nothing outside what krg.ko implements (a record from elsewhere)?
 */
bool krg_caps_valid(const struct krg_caps *c)
{
	return !(c->effective & ~c->permitted) &&
	       !(c->inheritable_permitted & ~c->permitted) &&
	       !(c->inheritable_effective & ~c->inheritable_permitted) &&
	       !(c->permitted & ~KRG_CAP_SUPPORTED);
}

/*
 * KRG_IOC_SET_STATE: @p's sets become @c (krg_caps_valid()), whatever they
 * were: permitted may grow, so the caller checked for root. Process
 * context; @p is held by the caller.
 */
int krg_caps_restore(struct task_struct *p, const struct krg_caps *c)
{
	u64 want = krg_caps_pack(c);
	struct krg_task *e;
	int ret;

	if (krg_task_new(p))
		return -EAGAIN;
	rcu_read_lock();
	e = krg_task_find(p);
	if (e)
		atomic64_set(&e->caps, want);
	rcu_read_unlock();
	if (e || want == krg_caps_default())
		return 0;

	ret = krg_task_ensure(p);
	if (ret)
		return ret;
	rcu_read_lock();
	e = krg_task_find(p);
	if (e)
		atomic64_set(&e->caps, want);
	rcu_read_unlock();
	/* Without an entry, it exited since krg_task_ensure(). */
	return e ? 0 : -ESRCH;
}

/*
 * KRG_IOC_SET_CAPS, with Kerrighed's rules in Kerrighed's order. Process
 * context; @p is held by the caller.
 */
int krg_caps_set(struct task_struct *p, const struct krg_caps *req)
{
	u64 want, old, new;
	struct krg_task *e;
	int ret;

	if ((req->effective & ~req->permitted) ||
	    (req->inheritable_permitted & ~req->permitted) ||
	    (req->inheritable_effective & ~req->inheritable_permitted))
		return -EINVAL;
	/* Kerrighed's errno, which the tools and their man page document. */
	if (req->permitted & ~KRG_CAP_SUPPORTED)
		return -ENOSYS;
	if (!krg_may_access(p))
		return -EPERM;
	/* The fork hook has yet to give it its inherited sets. */
	if (krg_task_new(p))
		return -EAGAIN;

	/* Every set is now within KRG_CAP_SUPPORTED: it packs losslessly. */
	want = krg_caps_pack(req);

	/* A task left with the defaults needs no entry. */
	rcu_read_lock();
	e = krg_task_find(p);
	rcu_read_unlock();
	if (!e && !krg_caps_change(krg_caps_default(), want, &new) &&
	    new == krg_caps_default())
		return 0;

	ret = krg_task_ensure(p);
	if (ret)
		return ret;

	rcu_read_lock();
	e = krg_task_find(p);
	if (!e) {
		/* It exited since krg_task_ensure(). */
		rcu_read_unlock();
		return -ESRCH;
	}
	old = atomic64_read(&e->caps);
	do {
		ret = krg_caps_change(old, want, &new);
	} while (!ret && !atomic64_try_cmpxchg(&e->caps, &old, new));
	rcu_read_unlock();
	return ret;
}

int krg_caps_init(void)
{
	unsigned int i, n;

	BUILD_BUG_ON(KRG_CAP_SUPPORTED & ~KRG_SET_MASK);
	if (task_hash_bits < 6 || task_hash_bits > 20) {
		pr_err("task_hash_bits=%u is out of range (6-20)\n",
		       task_hash_bits);
		return -EINVAL;
	}

	krg_task_cache = KMEM_CACHE(krg_task, 0);
	if (!krg_task_cache)
		return -ENOMEM;

	n = 1U << task_hash_bits;
	krg_tasks = kvmalloc_array(n, sizeof(*krg_tasks), GFP_KERNEL);
	if (!krg_tasks) {
		kmem_cache_destroy(krg_task_cache);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		spin_lock_init(&krg_tasks[i].lock);
		INIT_HLIST_HEAD(&krg_tasks[i].head);
	}
	atomic_set(&krg_tasks_nr, 0);
	return 0;
}

/* After the hooks are gone: nobody looks entries up any more. */
void krg_caps_uninit(void)
{
	struct hlist_node *tmp;
	struct krg_task *e;
	unsigned int i;

	for (i = 0; i < 1U << task_hash_bits; i++) {
		hlist_for_each_entry_safe(e, tmp, &krg_tasks[i].head, hnode) {
			hlist_del(&e->hnode);
			krg_task_free(e);
		}
	}
	/* Entries removed at exit are still waiting for their grace period. */
	rcu_barrier();
	kvfree(krg_tasks);
	kmem_cache_destroy(krg_task_cache);
}
