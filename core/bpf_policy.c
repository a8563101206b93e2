// SPDX-License-Identifier: GPL-2.0
/*
 * Policies as BPF programs: the struct_ops type krg_policy_ops (contract in
 * include/krg/bpf_policy.h). Each attached map registers a policy type; its
 * instances call the programs through the wrappers below, which time every
 * call (watchdog), check every answer, and detach the instance on its first
 * error. Lifetimes and locking: bpf_policy.h.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/configfs.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "bpf_policy.h"

/* Protects the BPF types and their instances: see bpf_policy.h. */
DEFINE_MUTEX(krg_bpf_mutex);
static LIST_HEAD(krg_bpf_types);
static atomic_t krg_bpf_next_id = ATOMIC_INIT(0);

/*
 * Testing only (tests/scenarios/bpf_policies.sh): hold krg_bpf_fail() this
 * long between its check of @dying and queueing the detach work, and the
 * detach work as long before it touches the instance, to widen the window
 * an rmdir must not race into. 0, the default: no delay.
 */
static unsigned int bpf_test_fail_delay_ms;
module_param(bpf_test_fail_delay_ms, uint, 0600);
MODULE_PARM_DESC(bpf_test_fail_delay_ms,
		 "testing only: delay (ms) before a failed BPF policy's detach is queued");

/* --- failure and detach ------------------------------------------------- */

/*
 * krg_bpf_fail - record the first error of @inst and detach it.
 * Placement and updates skip it at once; the rest (exit(), stopping the
 * balance work, dropping the programs) runs in a worker. Any context.
 */
void krg_bpf_fail(struct krg_bpf_inst *inst, int kind, const char *fmt, ...)
{
	char msg[KRG_EXIT_MSG_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	if (!krg_policy_fail(inst->policy, kind, "%s", msg))
		return;
	/* rmdir sets @dying, then waits for this section before it cancels. */
	rcu_read_lock();
	if (!READ_ONCE(inst->dying)) {
		if (bpf_test_fail_delay_ms)
			mdelay(bpf_test_fail_delay_ms);
		queue_work(system_unbound_wq, &inst->detach_work);
	}
	rcu_read_unlock();
}

static bool krg_bpf_failed(struct krg_bpf_inst *inst)
{
	return atomic_read(&inst->policy->exit_kind) != KRG_EXIT_NONE;
}

/* --- the watchdog: calls that run past their timeout, seen while they run -- */

/*
 * A call into a program, in a per-CPU slot from its start to its end. Only
 * the CPU it started on claims a slot (preemption off); its caller frees it
 * wherever it runs then. @gen changes at each claim, so that the timer never
 * takes one call's start for another's.
 */
struct krg_bpf_call {
	struct krg_bpf_inst *inst;	/* NULL: free */
	const char *op;
	unsigned long start;		/* jiffies */
	unsigned int gen;
};

#define KRG_BPF_CALL_SLOTS	4	/* calls in progress on one CPU */
#define KRG_BPF_WD_PERIOD_MS	10

static DEFINE_PER_CPU(struct krg_bpf_call[KRG_BPF_CALL_SLOTS], krg_bpf_calls);
/* Protects krg_bpf_wd_users and serialises the timer's scan with rmdir. */
static DEFINE_SPINLOCK(krg_bpf_wd_lock);
static unsigned int krg_bpf_wd_users;	/* instances: the timer runs if any */
static struct timer_list krg_bpf_wd_timer;

/* Any context; NULL if every slot of this CPU is taken (not watched). */
static struct krg_bpf_call *krg_bpf_call_begin(struct krg_bpf_inst *inst,
					       const char *op)
{
	struct krg_bpf_call *slots, *c = NULL;
	int i;

	preempt_disable();
	slots = this_cpu_ptr(krg_bpf_calls);
	for (i = 0; i < KRG_BPF_CALL_SLOTS; i++) {
		if (!READ_ONCE(slots[i].inst)) {
			c = &slots[i];
			WRITE_ONCE(c->gen, c->gen + 1);
			/* The new @gen before this call's start and op... */
			smp_wmb();
			WRITE_ONCE(c->start, jiffies);
			WRITE_ONCE(c->op, op);
			/* ...and those before @inst: the timer reads backwards. */
			smp_wmb();
			WRITE_ONCE(c->inst, inst);
			break;
		}
	}
	preempt_enable();
	return c;
}

static void krg_bpf_call_end(struct krg_bpf_call *c)
{
	if (!c)
		return;
	/* The call is over before the slot looks free. */
	smp_store_release(&c->inst, NULL);
}

/*
 * Every KRG_BPF_WD_PERIOD_MS while instances exist: an instance with a call
 * running past its timeout fails now (placement, updates and balance skip
 * it from here on); its detach runs once the call has returned.
 */
static void krg_bpf_wd_timerfn(struct timer_list *t)
{
	unsigned long now = jiffies, start;
	struct krg_bpf_inst *inst;
	struct krg_bpf_call *c;
	unsigned int gen;
	const char *op;
	int cpu, i;

	spin_lock(&krg_bpf_wd_lock);
	for_each_possible_cpu(cpu) {
		for (i = 0; i < KRG_BPF_CALL_SLOTS; i++) {
			c = &per_cpu_ptr(krg_bpf_calls, cpu)[i];
			gen = READ_ONCE(c->gen);
			/* Pairs with krg_bpf_call_begin()'s barriers. */
			smp_rmb();
			inst = READ_ONCE(c->inst);
			if (!inst)
				continue;
			/* A start at least as new as @inst's call... */
			smp_rmb();
			start = READ_ONCE(c->start);
			op = READ_ONCE(c->op);
			/* ...and of that call only, if @gen did not move. */
			smp_rmb();
			if (READ_ONCE(c->gen) != gen ||
			    time_before_eq(now, start + inst->bt->timeout_jiffies))
				continue;
			krg_bpf_fail(inst, KRG_EXIT_ERROR_WATCHDOG,
				     "%s running for more than %u ms (timeout_ms %llu)",
				     op, jiffies_to_msecs(now - start),
				     div64_u64(inst->bt->timeout_ns, NSEC_PER_MSEC));
		}
	}
	if (krg_bpf_wd_users)
		mod_timer(&krg_bpf_wd_timer,
			  jiffies + msecs_to_jiffies(KRG_BPF_WD_PERIOD_MS));
	spin_unlock(&krg_bpf_wd_lock);
}

static void krg_bpf_wd_get(void)
{
	spin_lock_bh(&krg_bpf_wd_lock);
	if (!krg_bpf_wd_users++)
		mod_timer(&krg_bpf_wd_timer,
			  jiffies + msecs_to_jiffies(KRG_BPF_WD_PERIOD_MS));
	spin_unlock_bh(&krg_bpf_wd_lock);
}

/*
 * After the last call of an instance has returned: a scan of the timer that
 * may have read it from a slot is over, no later one sees it. The timer
 * stops by itself after the last instance.
 */
static void krg_bpf_wd_put(void)
{
	spin_lock_bh(&krg_bpf_wd_lock);
	krg_bpf_wd_users--;
	spin_unlock_bh(&krg_bpf_wd_lock);
}

/* After a call to a program that began at @t0: was it too slow? */
static void krg_bpf_check_time(struct krg_bpf_inst *inst, const char *op,
			       u64 t0)
{
	u64 dt = local_clock() - t0;

	if (dt > inst->bt->timeout_ns)
		krg_bpf_fail(inst, KRG_EXIT_ERROR_WATCHDOG,
			     "%s ran for %llu ms (timeout_ms %llu)", op,
			     div64_u64(dt, NSEC_PER_MSEC),
			     div64_u64(inst->bt->timeout_ns, NSEC_PER_MSEC));
}

/*
 * Call program @fn (ops->@op, named @op) for @inst, watched: the watchdog
 * sees the call while it runs, and a call that ran past the timeout fails
 * @inst when it returns. krg_bpf_call_ret() evaluates to the program's
 * return value. The caller holds rcu_read_lock() (or runs in placement,
 * which does) and read the ops from inst->ops. (sched_ext's SCX_CALL_OP is
 * the model.)
 */
#define krg_bpf_call(inst, op, fn, args...)				\
do {									\
	struct krg_bpf_call *__c = krg_bpf_call_begin(inst, op);	\
	u64 __t0 = local_clock();					\
									\
	(fn)(args);							\
	krg_bpf_check_time(inst, op, __t0);				\
	krg_bpf_call_end(__c);						\
} while (0)

#define krg_bpf_call_ret(inst, op, fn, args...)			\
({									\
	struct krg_bpf_call *__c = krg_bpf_call_begin(inst, op);	\
	u64 __t0 = local_clock();					\
	typeof((fn)(args)) __ret = (fn)(args);				\
									\
	krg_bpf_check_time(inst, op, __t0);				\
	krg_bpf_call_end(__c);						\
	__ret;								\
})

/* Stop calling @inst's programs: exit(), then drop them. krg_bpf_mutex. */
static void krg_bpf_detach(struct krg_bpf_inst *inst)
{
	struct krg_policy_ops *ops;

	lockdep_assert_held(&krg_bpf_mutex);
	if (inst->detached)
		return;
	inst->detached = true;
	/* The work checks the failure first; a failed instance is not requeued. */
	cancel_delayed_work_sync(&inst->balance_work);
	rcu_read_lock();
	ops = rcu_dereference(inst->ops);
	if (ops && ops->exit)
		krg_bpf_call(inst, "exit", ops->exit, inst->policy);
	rcu_read_unlock();
	RCU_INIT_POINTER(inst->ops, NULL);
}

static void krg_bpf_detach_workfn(struct work_struct *work)
{
	struct krg_bpf_inst *inst = container_of(work, struct krg_bpf_inst,
						 detach_work);

	/*
	 * Calls check the failure in their read-side section: after this, the
	 * call that failed (one still running past its timeout) has returned
	 * and no other has begun. exit() comes after them.
	 */
	if (bpf_test_fail_delay_ms)
		msleep(bpf_test_fail_delay_ms);
	synchronize_rcu();
	mutex_lock(&krg_bpf_mutex);
	krg_bpf_detach(inst);
	mutex_unlock(&krg_bpf_mutex);
}

/* --- the policy type's callbacks: wrappers around the programs ---------- */

static void krg_bpf_queue_balance(struct krg_bpf_inst *inst, u32 ms)
{
	if (!READ_ONCE(inst->dying) && !krg_bpf_failed(inst))
		mod_delayed_work(system_unbound_wq, &inst->balance_work,
				 msecs_to_jiffies(ms));
}

static void krg_bpf_balance_workfn(struct work_struct *work)
{
	struct krg_bpf_inst *inst = container_of(to_delayed_work(work),
						 struct krg_bpf_inst,
						 balance_work);
	struct krg_policy_ops *ops;
	s32 ret = 0;

	rcu_read_lock();
	ops = rcu_dereference(inst->ops);
	if (ops && ops->balance && !krg_bpf_failed(inst))
		ret = krg_bpf_call_ret(inst, "balance", ops->balance,
				       inst->policy);
	rcu_read_unlock();
	if (ret < 0)
		krg_bpf_fail(inst, KRG_EXIT_ERROR, "balance returned %d (%pe)",
			     ret, ERR_PTR(ret));
	if (inst->bt->balance_ms)
		krg_bpf_queue_balance(inst, inst->bt->balance_ms);
}

/*
 * Placement, on the fork path. krg_policy_place() has checked the failure
 * (under rcu_read_lock(): inst->ops stays valid), times the call and checks
 * the answer, and calls these checks (the type's krg_policy_checks) when
 * the program was too slow or answered something else than an online node
 * of the node set: errors that detach the instance. So the program is
 * called here without the timing of krg_bpf_call(), only watched while it
 * runs.
 */
static int krg_bpf_new_task_node(struct krg_policy *policy,
				 struct task_struct *parent,
				 struct task_struct *child)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);
	struct krg_policy_ops *ops;
	struct krg_bpf_call *c;
	int node;

	ops = rcu_dereference(inst->ops);
	if (!ops)
		return KRG_NODE_NONE;
	c = krg_bpf_call_begin(inst, "new_task_node");
	node = ops->new_task_node(policy, parent, child);
	krg_bpf_call_end(c);
	return node;
}

static void krg_bpf_slow(struct krg_policy *p, u64 ns)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(p);

	krg_bpf_fail(inst, KRG_EXIT_ERROR_WATCHDOG,
		     "new_task_node ran for %llu ms (timeout_ms %llu)",
		     div64_u64(ns, NSEC_PER_MSEC),
		     div64_u64(inst->bt->timeout_ns, NSEC_PER_MSEC));
}

static void krg_bpf_bad_node(struct krg_policy *p, int node,
			     const struct krg_nodemask *set)
{
	if (node < 0)
		krg_bpf_fail(krg_bpf_inst(p), KRG_EXIT_ERROR,
			     "new_task_node returned %d (%pe)", node,
			     ERR_PTR(node));
	else
		krg_bpf_fail(krg_bpf_inst(p), KRG_EXIT_ERROR_BAD_NODE,
			     "new_task_node answered node %d, not an online node of node_set %*pbl",
			     node, KRG_MAX_NODES, set->bits);
}

/*
 * A port was pushed: the program's update(), then balance soon if it asked
 * (KRG_BPF_BALANCE_ON_UPDATE). Atomic, under the publisher's RCU section.
 */
static void krg_bpf_update(struct krg_policy *policy, struct krg_port *port)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);
	struct krg_policy_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(inst->ops);
	if (ops && ops->update && !krg_bpf_failed(inst))
		krg_bpf_call(inst, "update", ops->update, policy,
			     krg_port_index(port));
	rcu_read_unlock();
	if (inst->bt->flags & KRG_BPF_BALANCE_ON_UPDATE)
		krg_bpf_queue_balance(inst, 0);
}

static void krg_bpf_update_node_set(struct krg_policy *policy)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);
	struct krg_policy_ops *ops;

	rcu_read_lock();
	ops = rcu_dereference(inst->ops);
	if (ops && ops->update_node_set && !krg_bpf_failed(inst))
		krg_bpf_call(inst, "update_node_set", ops->update_node_set,
			     policy);
	rcu_read_unlock();
}

/* mkdir: attach the instance to its type's programs, then their init(). */
static int krg_bpf_policy_init(struct krg_policy *policy)
{
	struct krg_bpf_type *bt = container_of(policy->type,
					       struct krg_bpf_type, type);
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);
	struct krg_policy_ops *ops;
	s32 ret = 0;

	inst->policy = policy;
	inst->bt = bt;
	inst->id = atomic_inc_return(&krg_bpf_next_id);
	INIT_DELAYED_WORK(&inst->balance_work, krg_bpf_balance_workfn);
	INIT_WORK(&inst->detach_work, krg_bpf_detach_workfn);
	spin_lock_init(&inst->lock);

	/* Held across init() so that unreg() cannot detach a half-made one. */
	mutex_lock(&krg_bpf_mutex);
	if (bt->dead) {
		mutex_unlock(&krg_bpf_mutex);
		return -ENODEV;		/* its program is being unloaded */
	}
	rcu_assign_pointer(inst->ops, bt->ops);
	krg_bpf_wd_get();
	rcu_read_lock();
	ops = rcu_dereference(inst->ops);
	if (ops->init)
		ret = krg_bpf_call_ret(inst, "init", ops->init, policy);
	rcu_read_unlock();
	if (ret || krg_bpf_failed(inst)) {
		RCU_INIT_POINTER(inst->ops, NULL);
		mutex_unlock(&krg_bpf_mutex);
		WRITE_ONCE(inst->dying, true);
		synchronize_rcu();
		cancel_work_sync(&inst->detach_work);
		krg_bpf_wd_put();
		krg_cfg_err(&policy->inst.group.cg_item, "the policy's init() failed: %d\n",
			    ret);
		return ret < 0 ? ret : -EINVAL;
	}
	list_add_tail(&inst->node, &bt->instances);
	bt->nr_instances++;
	if (bt->balance_ms)
		krg_bpf_queue_balance(inst, bt->balance_ms);
	mutex_unlock(&krg_bpf_mutex);
	return 0;
}

/* rmdir (or a failed mkdir after init): nothing calls the instance after. */
static void krg_bpf_policy_exit(struct krg_policy *policy)
{
	struct krg_bpf_inst *inst = krg_bpf_inst(policy);

	WRITE_ONCE(inst->dying, true);
	/*
	 * Updates and failures running now see @dying, or have queued their
	 * work before this returns (krg_bpf_fail()). The balance work may
	 * fail and queue the detach work: it is stopped first.
	 */
	synchronize_rcu();
	cancel_delayed_work_sync(&inst->balance_work);
	cancel_work_sync(&inst->detach_work);
	mutex_lock(&krg_bpf_mutex);
	krg_bpf_detach(inst);
	list_del(&inst->node);
	inst->bt->nr_instances--;
	mutex_unlock(&krg_bpf_mutex);
	/* Its last call (exit()) is over: the watchdog lets it go. */
	krg_bpf_wd_put();
	/* Freed after this: no work of it may be queued or running. */
	WARN_ON_ONCE(work_busy(&inst->detach_work) ||
		     work_busy(&inst->balance_work.work));
}

/* --- struct_ops: checking and registering a krg_policy_ops -------------- */

static const struct krg_value_type *krg_bpf_value_type(const char *name)
{
	static const struct {
		const char *name;
		const struct krg_value_type *type;
	} known[] = {
		{ "u64", &krg_type_u64 },
		{ "s64", &krg_type_s64 },
		{ "u64(pid_t)", &krg_type_u64_pid },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(known[i].name, name))
			return known[i].type;
	return NULL;
}

/* A name field of the ops: NUL-terminated, letters, digits, '_' or '-'. */
static bool krg_bpf_name_ok(const char *name, bool may_be_empty)
{
	size_t len = strnlen(name, KRG_BPF_NAME_LEN);
	size_t i;

	if (len == KRG_BPF_NAME_LEN)
		return false;
	if (!len)
		return may_be_empty;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

#define krg_bpf_reject(ops, fmt, ...)					\
	pr_notice_ratelimited("krg_policy_ops '%.*s': " fmt "\n",	\
			      KRG_BPF_NAME_LEN, (ops)->name, ##__VA_ARGS__)

/* Every field must make sense. */
static int krg_bpf_check_ops(void *kdata)
{
	struct krg_policy_ops *ops = kdata;
	bool end = false;
	int i, j;

	if (!krg_bpf_name_ok(ops->name, false)) {
		krg_bpf_reject(ops, "invalid name (1 to %d letters, digits, '_', '-')",
			       KRG_BPF_NAME_LEN - 1);
		return -EINVAL;
	}
	for (i = 0; i < KRG_BPF_MAX_PORTS; i++) {
		const struct krg_bpf_port *pt = &ops->ports[i];

		if (!krg_bpf_name_ok(pt->name, true) ||
		    strnlen(pt->type, KRG_BPF_NAME_LEN) == KRG_BPF_NAME_LEN) {
			krg_bpf_reject(ops, "port %d: invalid name or type", i);
			return -EINVAL;
		}
		if (!pt->name[0]) {
			end = true;
			if (pt->type[0]) {
				krg_bpf_reject(ops, "port %d: a type without a name", i);
				return -EINVAL;
			}
			continue;
		}
		if (end) {
			krg_bpf_reject(ops, "port %d (%s) follows an empty port", i,
				       pt->name);
			return -EINVAL;
		}
		if (!krg_bpf_value_type(pt->type)) {
			krg_bpf_reject(ops, "port %s: unknown value type %s (u64, s64, u64(pid_t))",
				       pt->name, pt->type);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(ops->ports[j].name, pt->name)) {
				krg_bpf_reject(ops, "two ports named %s", pt->name);
				return -EINVAL;
			}
		}
		/* stats is the policy's own attribute. */
		if (!strcmp(pt->name, "stats")) {
			krg_bpf_reject(ops, "a port may not be named stats");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Called when the map is updated, before reg(), under that map's own mutex
 * only (not BPF's struct_ops mutex, which reg() runs under): the place to
 * wait for a module load. A module policy of that name, even one not loaded
 * yet (mkdir would autoload it), keeps its name: it is loaded now, and
 * reg() finds the name taken.
 */
static int krg_bpf_validate(void *kdata)
{
	struct krg_policy_ops *ops = kdata;
	struct krg_type_entry *e;
	int ret;

	ret = krg_bpf_check_ops(kdata);
	if (ret)
		return ret;
	e = krg_type_get(KRG_KIND_POLICY, ops->name);
	if (IS_ERR(e))
		return 0;
	krg_type_put(e);
	krg_bpf_reject(ops, "the name of a policy type that exists");
	return -EEXIST;
}

static int krg_bpf_init_member(const struct btf_type *t,
			       const struct btf_member *member,
			       void *kdata, const void *udata)
{
	const struct krg_policy_ops *uops = udata;
	struct krg_policy_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
	case offsetof(struct krg_policy_ops, balance_ms):
		if (uops->balance_ms && uops->balance_ms < KRG_BPF_BALANCE_MIN_MS)
			return -EINVAL;
		ops->balance_ms = uops->balance_ms;
		return 1;
	case offsetof(struct krg_policy_ops, timeout_ms):
		if (uops->timeout_ms > KRG_BPF_TIMEOUT_MAX_MS) {
			krg_bpf_reject(uops, "timeout_ms %u is above the limit of %d ms",
				       uops->timeout_ms, KRG_BPF_TIMEOUT_MAX_MS);
			return -E2BIG;
		}
		ops->timeout_ms = uops->timeout_ms;
		return 1;
	case offsetof(struct krg_policy_ops, migrate_rate):
		if (uops->migrate_rate > KRG_BPF_MIGRATE_RATE_MAX)
			return -E2BIG;
		ops->migrate_rate = uops->migrate_rate;
		return 1;
	case offsetof(struct krg_policy_ops, flags):
		if (uops->flags & ~KRG_BPF_ALL_FLAGS)
			return -EINVAL;
		ops->flags = uops->flags;
		return 1;
	case offsetof(struct krg_policy_ops, name):
		memcpy(ops->name, uops->name, sizeof(ops->name));
		return 1;
	case offsetof(struct krg_policy_ops, ports):
		memcpy(ops->ports, uops->ports, sizeof(ops->ports));
		return 1;
	}
	return 0;
}

/* Only non-sleepable programs: every call is made under rcu_read_lock(). */
static int krg_bpf_check_member(const struct btf_type *t,
				const struct btf_member *member,
				const struct bpf_prog *prog)
{
	return prog->sleepable ? -EINVAL : 0;
}

static void krg_bpf_type_release(struct krg_type_entry *e)
{
	kfree(container_of(e->policy, struct krg_bpf_type, type));
}

static struct krg_bpf_type *krg_bpf_find(void *kdata)
{
	struct krg_bpf_type *bt;

	lockdep_assert_held(&krg_bpf_mutex);
	list_for_each_entry(bt, &krg_bpf_types, node)
		if (bt->ops == kdata)
			return bt;
	return NULL;
}

/* The link is created: the policy type appears. */
static int krg_bpf_reg(void *kdata, struct bpf_link *link)
{
	struct krg_policy_ops *ops = kdata;
	struct krg_bpf_type *bt;
	int i, ret;

	/* validate() ran before, but is cheap to repeat without the lookup. */
	ret = krg_bpf_check_ops(kdata);
	if (ret)
		return ret;
	bt = kzalloc(sizeof(*bt), GFP_KERNEL);
	if (!bt)
		return -ENOMEM;
	bt->ops = ops;
	INIT_LIST_HEAD(&bt->instances);
	strscpy(bt->name, ops->name, sizeof(bt->name));
	for (i = 0; i < KRG_BPF_MAX_PORTS && ops->ports[i].name[0]; i++) {
		strscpy(bt->port_names[i], ops->ports[i].name,
			sizeof(bt->port_names[i]));
		bt->port_descs[i].name = bt->port_names[i];
		bt->port_descs[i].type = krg_bpf_value_type(ops->ports[i].type);
		bt->ports[i] = &bt->port_descs[i];
	}
	bt->timeout_ns = (u64)(ops->timeout_ms ?: KRG_BPF_TIMEOUT_MS) *
			 NSEC_PER_MSEC;
	/* A slot's start is up to a jiffy early. */
	bt->timeout_jiffies = msecs_to_jiffies(ops->timeout_ms ?:
					       KRG_BPF_TIMEOUT_MS) + 1;
	bt->balance_ms = ops->balance ? ops->balance_ms : 0;
	bt->migrate_rate = ops->migrate_rate ?: KRG_BPF_MIGRATE_RATE;
	bt->flags = ops->flags;

	bt->type.name = bt->name;
	bt->type.ports = bt->ports;
	bt->type.priv_size = sizeof(struct krg_bpf_inst);
	bt->type.init = krg_bpf_policy_init;
	bt->type.exit = krg_bpf_policy_exit;
	if (ops->new_task_node)
		bt->type.new_task_node = krg_bpf_new_task_node;
	if (ops->update ||
	    (ops->balance && (ops->flags & KRG_BPF_BALANCE_ON_UPDATE)))
		bt->type.update = krg_bpf_update;
	if (ops->update_node_set)
		bt->type.update_node_set = krg_bpf_update_node_set;

	/* A module policy of that name was loaded by validate(). */
	mutex_lock(&krg_bpf_mutex);
	bt->checks.timeout_ns = bt->timeout_ns;
	bt->checks.slow = krg_bpf_slow;
	bt->checks.bad_node = krg_bpf_bad_node;
	ret = krg_policy_type_register_dyn(&bt->type, &bt->checks,
					   krg_bpf_type_release);
	if (ret) {
		mutex_unlock(&krg_bpf_mutex);
		kfree(bt);
		return ret;
	}
	list_add_tail(&bt->node, &krg_bpf_types);
	mutex_unlock(&krg_bpf_mutex);
	pr_info("BPF policy %s attached\n", bt->name);
	return 0;
}

/* The link goes: the type disappears, every instance is detached. */
static void krg_bpf_unreg(void *kdata, struct bpf_link *link)
{
	struct krg_type_entry *e = NULL;
	struct krg_bpf_inst *inst;
	struct krg_bpf_type *bt;

	mutex_lock(&krg_bpf_mutex);
	bt = krg_bpf_find(kdata);
	if (!bt) {
		mutex_unlock(&krg_bpf_mutex);
		return;
	}
	/*
	 * Out of the registry first: once bpf_policies no longer lists it
	 * (what krgpolicy unload waits for), no mkdir can find it either.
	 */
	e = krg_policy_type_unlist_dyn(&bt->type);
	list_del(&bt->node);
	bt->dead = true;
	list_for_each_entry(inst, &bt->instances, node)
		krg_policy_fail(inst->policy, KRG_EXIT_UNLOADED,
				"the BPF program was unloaded");
	mutex_unlock(&krg_bpf_mutex);
	/* Calls check the failure under RCU: exit() comes after the last. */
	synchronize_rcu();
	mutex_lock(&krg_bpf_mutex);
	list_for_each_entry(inst, &bt->instances, node)
		krg_bpf_detach(inst);
	mutex_unlock(&krg_bpf_mutex);
	/* No CPU runs one of its programs after this. */
	synchronize_rcu();
	pr_info("BPF policy %s detached\n", bt->name);
	/* May free bt, when no instance is left. */
	if (e)
		krg_policy_type_put_dyn(e);
}

static bool krg_bpf_is_valid_access(int off, int size,
				    enum bpf_access_type type,
				    const struct bpf_prog *prog,
				    struct bpf_insn_access_aux *info)
{
	if (type != BPF_READ)
		return false;
	if (off < 0 || off >= sizeof(__u64) * MAX_BPF_FUNC_ARGS)
		return false;
	if (off % size != 0)
		return false;
	return btf_ctx_access(off, size, type, prog, info);
}

static const struct bpf_func_proto *
krg_bpf_get_func_proto(enum bpf_func_id func_id, const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id, prog);
}

/* No btf_struct_access: the programs may read kernel objects, never write. */
static const struct bpf_verifier_ops krg_bpf_verifier_ops = {
	.get_func_proto = krg_bpf_get_func_proto,
	.is_valid_access = krg_bpf_is_valid_access,
};

static int krg_bpf_ops_init(struct btf *btf)
{
	/* The kfunc filter tells our programs by their attach BTF. */
	krg_bpf_kfuncs_set_ops_btf(btf);
	return 0;
}

/* CFI stubs: the signatures of the callbacks, never called. */
static s32 krg_bpf_stub_init(struct krg_policy *policy)
{
	return 0;
}

static void krg_bpf_stub_exit(struct krg_policy *policy)
{
}

static s32 krg_bpf_stub_new_task_node(struct krg_policy *policy,
				      struct task_struct *parent,
				      struct task_struct *child)
{
	return KRG_NODE_NONE;
}

static s32 krg_bpf_stub_balance(struct krg_policy *policy)
{
	return 0;
}

static void krg_bpf_stub_update_node_set(struct krg_policy *policy)
{
}

static void krg_bpf_stub_update(struct krg_policy *policy, u32 port)
{
}

static struct krg_policy_ops krg_bpf_cfi_stubs = {
	.init = krg_bpf_stub_init,
	.exit = krg_bpf_stub_exit,
	.new_task_node = krg_bpf_stub_new_task_node,
	.balance = krg_bpf_stub_balance,
	.update_node_set = krg_bpf_stub_update_node_set,
	.update = krg_bpf_stub_update,
};

static struct bpf_struct_ops krg_bpf_struct_ops = {
	.verifier_ops = &krg_bpf_verifier_ops,
	.init = krg_bpf_ops_init,
	.check_member = krg_bpf_check_member,
	.init_member = krg_bpf_init_member,
	.validate = krg_bpf_validate,
	.reg = krg_bpf_reg,
	.unreg = krg_bpf_unreg,
	.cfi_stubs = &krg_bpf_cfi_stubs,
	.name = "krg_policy_ops",
	.owner = THIS_MODULE,
};

/* The root's bpf_policies attribute: every attached BPF policy type. */
ssize_t krg_bpf_policies_show(char *page)
{
	struct krg_bpf_inst *inst;
	struct krg_bpf_type *bt;
	ssize_t len = 0;

	mutex_lock(&krg_bpf_mutex);
	list_for_each_entry(bt, &krg_bpf_types, node) {
		len += sysfs_emit_at(page, len, "%s instances %u\n", bt->name,
				     bt->nr_instances);
		list_for_each_entry(inst, &bt->instances, node) {
			struct krg_policy *p = inst->policy;

			len += sysfs_emit_at(page, len, "\t%s ",
					     config_item_name(&p->sched->group.cg_item));
			if (atomic_read(&p->exit_kind) == KRG_EXIT_NONE) {
				len += sysfs_emit_at(page, len, "active\n");
				continue;
			}
			len += sysfs_emit_at(page, len, "detached: ");
			if (len < PAGE_SIZE - 1)
				len += krg_policy_exit_show(p, page + len,
							    PAGE_SIZE - len - 1);
			len += sysfs_emit_at(page, len, "\n");
		}
	}
	mutex_unlock(&krg_bpf_mutex);
	return len;
}

int krg_bpf_init(void)
{
	int ret;

	timer_setup(&krg_bpf_wd_timer, krg_bpf_wd_timerfn, 0);
	ret = krg_bpf_kfuncs_init();
	if (!ret)
		ret = register_bpf_struct_ops(&krg_bpf_struct_ops,
					      krg_policy_ops);
	if (ret)
		pr_warn("BPF policies unavailable: %pe (module BTF missing?)\n",
			ERR_PTR(ret));
	/* The module policies work without them. */
	return 0;
}

void krg_bpf_uninit(void)
{
	/* Attached maps hold a reference on this module: none is left. */
	WARN_ON_ONCE(!list_empty(&krg_bpf_types));
	timer_shutdown_sync(&krg_bpf_wd_timer);
}
