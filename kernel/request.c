// SPDX-License-Identifier: GPL-2.0
/*
 * Requests: a migration or a distant fork placement from the moment it is
 * asked to its one completion, and the notifier chain that announces them.
 * The checks and the carrying out are elsewhere (migrate.c, hooks.c, the
 * backend); this file owns the object, its handle, its state and its
 * events (docs/requests.md).
 */
#include <linux/atomic.h>
#include <linux/notifier.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include "internal.h"

static struct kmem_cache *krg_request_cache;
static ATOMIC_NOTIFIER_HEAD(krg_request_chain);
/* The last id handed out: ids start at 1 and are never reused while loaded. */
static atomic64_t krg_request_last_id = ATOMIC64_INIT(0);

/**
 * krg_migration_register_notifier - follow requests
 * @nb: called with (enum krg_migration_kind, struct krg_migration_event *)
 *	in atomic context
 *
 * Return: 0 or -errno.
 */
int krg_migration_register_notifier(struct notifier_block *nb)
{
	return atomic_notifier_chain_register(&krg_request_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_migration_register_notifier);

/**
 * krg_migration_unregister_notifier - stop following requests
 * @nb: the block given to krg_migration_register_notifier()
 *
 * Waits for running callbacks. Sleeps.
 *
 * Return: 0 or -ENOENT.
 */
int krg_migration_unregister_notifier(struct notifier_block *nb)
{
	return atomic_notifier_chain_unregister(&krg_request_chain, nb);
}
EXPORT_SYMBOL_GPL(krg_migration_unregister_notifier);

u64 krg_request_next_id(void)
{
	return atomic64_inc_return(&krg_request_last_id);
}

/* Announce @ev (its kind and time filled in here). Any context. */
void krg_request_event(struct krg_migration_event *ev,
		       enum krg_migration_kind kind)
{
	ev->kind = kind;
	ev->time_ns = ktime_get_ns();
	if (!ev->who)
		ev->who = "";
	atomic_notifier_call_chain(&krg_request_chain, kind, ev);
}

static void krg_request_announce(struct krg_request *req,
				 enum krg_migration_kind kind)
{
	struct krg_migration_event ev = {
		.pid = req->tgid,
		.from = req->from,
		.to = req->to,
		.error = req->error,
		.queued_ns = req->queued_ns,
		.id = req->id,
		.request = req->kind,
		.why = req->why,
		.outcome = req->outcome,
		.who = req->who,
	};

	krg_request_event(&ev, kind);
}

/**
 * krg_request_new - make a request, with a new id
 * @kind: migration or placement
 * @why: who asks
 * @p: the task (a placement: the child), pinned by the caller
 * @from: where it is (KRG_NODE_NONE if unknown)
 * @to: where it should go
 * @who: the asking scheduler's name, or NULL
 * @gfp: GFP_ATOMIC in atomic context
 *
 * Return: the request with one reference (the caller's), or NULL.
 */
struct krg_request *krg_request_new(enum krg_request_kind kind,
				    enum krg_request_why why,
				    struct task_struct *p, int from, int to,
				    const char *who, gfp_t gfp)
{
	struct krg_request *req = kmem_cache_zalloc(krg_request_cache, gfp);

	if (!req)
		return NULL;
	kref_init(&req->ref);
	init_completion(&req->done);
	atomic_set(&req->state, KRG_REQ_STATE_PENDING);
	req->kind = kind;
	req->why = why;
	req->pid = get_task_pid(p, PIDTYPE_PID);
	req->tgid = task_tgid_nr(p);
	req->from = from;
	req->to = to;
	if (who)
		strscpy(req->who, who, sizeof(req->who));
	req->queued_ns = ktime_get_ns();
	req->id = krg_request_next_id();
	return req;
}

static void krg_request_release(struct kref *ref)
{
	struct krg_request *req = container_of(ref, struct krg_request, ref);

	put_pid(req->pid);
	kmem_cache_free(krg_request_cache, req);
}

struct krg_request *krg_request_get(struct krg_request *req)
{
	kref_get(&req->ref);
	return req;
}

/* Drop a reference. Any context. */
void krg_request_put(struct krg_request *req)
{
	kref_put(&req->ref, krg_request_release);
}

/**
 * krg_request_begin - the backend starts carrying out @req
 * @req: a pending request the caller holds
 *
 * From here the request can no longer time out (a held child waits for
 * its completion); a migration announces START. Any context.
 *
 * Return: false if @req is already completed (e.g. a placement that timed
 * out): the backend must then leave the task alone.
 */
bool krg_request_begin(struct krg_request *req)
{
	if (atomic_cmpxchg(&req->state, KRG_REQ_STATE_PENDING,
			   KRG_REQ_STATE_STARTED) != KRG_REQ_STATE_PENDING)
		return false;
	if (req->kind == KRG_REQUEST_MIGRATION)
		krg_request_announce(req, KRG_MIGRATION_START);
	return true;
}

/**
 * krg_request_complete - end @req
 * @req: a request the caller holds
 * @outcome: KRG_REQUEST_DONE, _REFUSED or _FAILED
 * @err: 0 for DONE, else the reason (-errno)
 *
 * The first call wins: it records the outcome (a done request's node is
 * remembered for the task), announces it and wakes the waiters; later
 * calls change nothing. Process context for a migration, any context for
 * a placement.
 *
 * Return: true for the call that completed @req.
 */
bool krg_request_complete(struct krg_request *req,
			  enum krg_request_outcome outcome, int err)
{
	return krg_request_complete_why(req, outcome, err, NULL);
}

/*
 * krg_request_complete() with @reason (NULL or a sentence, truncated to
 * KRG_REASON_LEN - 1), kept with the outcome for the waiters (migrate(1)
 * prints it).
 */
bool krg_request_complete_why(struct krg_request *req,
			      enum krg_request_outcome outcome, int err,
			      const char *reason)
{
	int old = atomic_read(&req->state);

	do {
		if (old == KRG_REQ_STATE_COMPLETED)
			return false;
	} while (!atomic_try_cmpxchg(&req->state, &old,
				     KRG_REQ_STATE_COMPLETED));

	/* A backend's mistake: never a done request with an error, or so. */
	if (WARN_ON_ONCE(outcome == KRG_REQUEST_DONE ? err :
			 (!err || outcome == KRG_REQUEST_PENDING))) {
		outcome = KRG_REQUEST_FAILED;
		err = err ?: -EINVAL;
	}
	req->outcome = outcome;
	req->error = err;
	if (reason)
		strscpy(req->reason, reason, sizeof(req->reason));
	if (req->kind == KRG_REQUEST_MIGRATION) {
		krg_migration_finish(req);
		krg_request_announce(req, outcome == KRG_REQUEST_DONE ?
				     KRG_MIGRATION_END : KRG_MIGRATION_ABORT);
	} else {
		krg_placement_finish(req);
		krg_request_announce(req, KRG_PLACEMENT_END);
	}
	complete_all(&req->done);
	return true;
}

bool krg_request_completed(struct krg_request *req)
{
	return atomic_read(&req->state) == KRG_REQ_STATE_COMPLETED;
}

/*
 * Wait (killable) for @req's completion: 0 if done, its error if refused
 * or failed, -EINTR if the caller is killed first (the request goes on).
 */
int krg_request_wait(struct krg_request *req)
{
	if (wait_for_completion_killable(&req->done))
		return -EINTR;
	return req->error;
}

int krg_request_init(void)
{
	krg_request_cache = KMEM_CACHE(krg_request, 0);
	return krg_request_cache ? 0 : -ENOMEM;
}

/* Every request was put: their holders (workers, task_works) are gone. */
void krg_request_uninit(void)
{
	kmem_cache_destroy(krg_request_cache);
}
