/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the files of krg_scheduler.ko, and only them.
 *
 * Locking, in one place:
 *  - krg_cfg_mutex serialises every configuration change: instance creation
 *    and removal, link and unlink, subscriptions, attribute writes that
 *    change shared state, the scheduler list. It is taken inside configfs
 *    callbacks (which hold configfs's own locks) and never held while calling
 *    into configfs or request_module().
 *  - Readers on the hot paths (publish, pull, placement) run under
 *    rcu_read_lock() only: subscriber lists, port connections, the
 *    scheduler list, policies of schedulers and process-set members are
 *    RCU-protected; writers publish with the *_rcu primitives under
 *    krg_cfg_mutex and wait for a grace period before reusing or freeing.
 *  - Small per-object state read in any context (a scheduler's node set and
 *    flags) has its own spinlock, documented at the field.
 *  - krg_probes_mutex protects the list of probes (their lookup by name for
 *    the agent's commands, the drop of an offline node's cache entries);
 *    it is taken alone, or inside configfs's own locks (mkdir, rmdir of a
 *    probe), never with krg_cfg_mutex held. Each value cache entry is a
 *    seqlock (cache.c).
 */
#ifndef _KRG_SCHED_INTERNAL_H
#define _KRG_SCHED_INTERNAL_H

#include <linux/atomic.h>
#include <linux/configfs.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <krg/sched.h>

/* Longest chain of sources (probe -> filters -> ports) the core accepts. */
#define KRG_MAX_CHAIN	16
/* Longest component or scheduler name. */
#define KRG_NAME_MAX	64

extern struct mutex krg_cfg_mutex;

/*
 * A default group embedded in another object's memory (a port in its
 * filter, a source in its probe, ...). It holds a reference on @owner, the
 * item of the object that contains it, from init to release, so that object
 * is freed only after every one of its groups, even one kept alive by an open
 * attribute file.
 */
struct krg_group {
	struct config_group group;
	struct config_item *owner;
};

void krg_group_init(struct krg_group *kg, const char *name,
		    const struct config_item_type *type,
		    struct config_group *parent, struct config_item *owner);
void krg_group_release(struct config_item *item);
void krg_remove_default_groups(struct config_group *group);

/* --- registry.c --------------------------------------------------------- */

enum krg_kind {
	KRG_KIND_PROBE,
	KRG_KIND_FILTER,
	KRG_KIND_POLICY,
};

/*
 * A registered type. Counted: the registry holds a reference from register
 * to unregister, every instance one from make to release (and one on
 * @owner), so the entry, its configfs type and the component's type table
 * outlive every instance. A module type has no instance left when its
 * module unregisters it; a BPF type (bpf_policy.c) may: its instances are
 * detached and the entry goes with the last of them, calling @release.
 */
/*
 * What the core holds a policy type to on every placement, for types that
 * ask (BPF policies, bpf_policy.c; module policies are trusted). A decision
 * that took longer than @timeout_ns calls @slow; an answer that is not an
 * online node of the node set (nor KRG_NODE_NONE) calls @bad_node. Both
 * are atomic, on the fork path.
 */
struct krg_policy_checks {
	u64 timeout_ns;
	void (*slow)(struct krg_policy *p, u64 ns);
	void (*bad_node)(struct krg_policy *p, int node,
			 const struct krg_nodemask *set);
};

struct krg_type_entry {
	struct list_head node;		/* in the registry, krg_registry_mutex */
	refcount_t refs;
	void (*release)(struct krg_type_entry *e);	/* optional */
	enum krg_kind kind;
	const char *name;
	union {
		const struct krg_probe_type *probe;
		const struct krg_filter_type *filter;
		const struct krg_policy_type *policy;
		const void *any;
	};
	struct module *owner;
	const struct krg_policy_checks *checks;	/* policies: optional */
	struct config_item_type ct;	/* configfs type of the instances */
	struct configfs_attribute **attrs; /* core's + the component's */
};

struct krg_type_entry *krg_type_get(enum krg_kind kind, const char *name);
void krg_type_put(struct krg_type_entry *e);
int krg_policy_type_register_dyn(const struct krg_policy_type *type,
				 const struct krg_policy_checks *checks,
				 void (*release)(struct krg_type_entry *e));
struct krg_type_entry *krg_policy_type_unlist_dyn(const struct krg_policy_type *type);
void krg_policy_type_put_dyn(struct krg_type_entry *e);
extern struct configfs_item_operations krg_probe_item_ops;
extern struct configfs_item_operations krg_filter_item_ops;
extern struct configfs_group_operations krg_filter_group_ops;
extern struct configfs_item_operations krg_policy_item_ops;

/* --- value.c: sources and subscriptions ------------------------------- */

enum krg_source_kind {
	KRG_SRC_PROBE,		/* a probe's source */
	KRG_SRC_FILTER,		/* a filter's output */
	KRG_SRC_PORT,		/* a port re-exported as a source */
};

struct krg_source {
	enum krg_source_kind kind;
	const struct krg_value_type *type;
	struct list_head subscribers;	/* krg_port.sub_node; RCU, cfg mutex */
	unsigned int nr_subscribers;	/* cfg mutex */
	struct list_head users;		/* every connected krg_port.use_node; cfg mutex */
	bool dead;			/* its object is being removed; cfg mutex */
};

/*
 * A port. A filter's main input (its ports[0]) has no directory of its own
 * (@kg is unused): the filter's directory is that port.
 */
struct krg_port {
	struct krg_group kg;		/* <owner>/<port>/ */
	const struct krg_port_desc *desc;
	unsigned int index;
	struct krg_filter *filter;	/* owner: a filter, or */
	struct krg_policy *policy;	/* a policy, or */
	struct krg_probe *probe;	/* a probe (it pulls; never notified) */
	/* Connected source: RCU readers; written under krg_cfg_mutex. */
	struct krg_source __rcu *conn;
	struct config_item *link;	/* linked item, if connected by ln -s */
	struct krg_filter *child;	/* filter made inside, if any */
	bool subscribed;		/* on conn->subscribers; cfg mutex */
	bool dead;			/* its owner is being removed; cfg mutex */
	struct list_head sub_node;
	struct list_head use_node;	/* on conn->users; cfg mutex */
	struct krg_source tee;		/* this port as a link target */
};

void krg_source_init(struct krg_source *src, enum krg_source_kind kind,
		     const struct krg_value_type *type);
void krg_source_publish(struct krg_source *src);
int krg_source_get_value(struct krg_source *src, void *out, unsigned int nr,
			 const void *in, unsigned int in_nr);
int krg_source_get_node_value(struct krg_source *src, int node, void *out,
			      unsigned int nr, const void *in,
			      unsigned int in_nr);
ssize_t krg_source_show(struct krg_source *src, int node, char *page);
ssize_t krg_value_type_show(const struct krg_value_type *t, char *page);
int krg_value_print(const struct krg_value_type *t, const void *v, char *buf,
		    size_t len);
bool krg_types_match(const struct krg_value_type *a,
		     const struct krg_value_type *b);

/* --- port.c ------------------------------------------------------------- */

void krg_port_init(struct krg_port *port, const struct krg_port_desc *desc,
		   unsigned int index, struct config_group *parent);
void krg_port_refresh(struct krg_port *port);
void krg_port_disconnect(struct krg_port *port);
void krg_source_kill(struct krg_source *src);
void krg_port_kill(struct krg_port *port);
ssize_t krg_port_collected_value_show(struct krg_port *port, char *page);
struct krg_source *krg_item_source(struct config_item *item);
int krg_port_link(struct krg_port *port, struct config_item *target);
void krg_port_unlink(struct krg_port *port, struct config_item *target);
void krg_port_drop_filter(struct config_item *item);
int krg_port_attach_child(struct krg_port *port, struct krg_filter *f);
void krg_port_detach_child(struct krg_port *port);
extern struct configfs_item_operations krg_port_item_ops;

/* --- probe.c ------------------------------------------------------------ */

struct config_group *krg_probe_make(struct config_group *parent,
				    const char *name);
void krg_probe_drop(struct config_group *parent, struct config_item *item);
void krg_probe_release(struct config_item *item);
struct configfs_attribute **krg_probe_core_attrs(const struct krg_probe_type *type);
extern struct configfs_item_operations krg_probe_source_item_ops;
struct krg_source *krg_probe_source_of(struct config_item *item);
struct krg_probe *krg_probe_of_source(struct krg_source *src);
int krg_probe_source_get_value(struct krg_source *src, int node, void *out,
			       unsigned int nr, const void *in,
			       unsigned int in_nr);

extern struct mutex krg_probes_mutex;
struct krg_probe_source;
/* Under krg_probes_mutex: the source @source of probes/@probe, or NULL. */
struct krg_probe_source *krg_probe_source_find(const char *probe,
					       const char *source);
struct krg_source *krg_psrc_source(struct krg_probe_source *ps);
struct krg_value_entry *krg_psrc_entry(struct krg_probe_source *ps, int node);
void krg_probes_drop_node(int node);

/* --- cache.c: the value cache (node x probe source) --------------------- */

#define KRG_CACHE_BYTES	64	/* values of one entry: 8 u64, as the ABI */

/* One node's last value of one source; see cache.c for the rules. */
struct krg_value_entry {
	seqlock_t lock;
	u8 nr;				/* values held; 0: none */
	u64 stamp;			/* jiffies64 when it was measured */
	u64 data[KRG_CACHE_BYTES / sizeof(u64)];
};

int krg_cache_init(void);
void krg_cache_uninit(void);
void krg_cache_entry_init(struct krg_value_entry *e);

/* A node's index among the possible nodes, or -1 (fixed while loaded). */
extern s16 krg_node_idx[KRG_MAX_NODES];

static inline int krg_node_index(int node)
{
	return krg_node_valid(node) ? krg_node_idx[node] : -1;
}

/* Was @e filled at @stamp with at least @nr values? Racy by design. */
static inline bool krg_cache_fresh(struct krg_value_entry *e, u64 stamp,
				   unsigned int nr)
{
	return READ_ONCE(e->stamp) == stamp && READ_ONCE(e->nr) >= nr;
}

void krg_cache_fill(struct krg_value_entry *e, int node, const void *v,
		    unsigned int nr, size_t size, u64 stamp);
int krg_cache_read(struct krg_value_entry *e, void *out, unsigned int nr,
		   size_t size, u64 *stamp);
bool krg_cache_drop(struct krg_value_entry *e);
s64 krg_cache_age_ms(struct krg_value_entry *e);

/* --- netlink.c: the agent's commands on krg.ko's genl family ----------- */

int krg_netlink_init(void);
void krg_netlink_uninit(void);

/* --- instance.c: what filters and policies share ----------------------- */

/*
 * An instance of a filter or policy type, first member of struct
 * krg_filter and struct krg_policy. Set at make, constant until release.
 */
struct krg_instance {
	struct config_group group;	/* its directory */
	struct krg_type_entry *entry;	/* a reference, make to release */
	void *priv;			/* the type's priv_size bytes */
	unsigned int nr_ports;
	struct krg_port *ports;		/* [nr_ports], as the type lists them */
};

void *krg_instance_new(enum krg_kind kind, const char *name, size_t size);
void krg_instance_free(struct krg_instance *in);
void krg_instance_kill_ports(struct krg_instance *in);
struct krg_port *krg_instance_port(struct krg_instance *in, unsigned int index);

/* --- filter.c ----------------------------------------------------------- */

struct krg_filter {
	struct krg_instance inst;	/* ports[0] is the main input */
	struct krg_source src;		/* the output */
	const struct krg_filter_type *type;
	struct krg_port *parent;	/* the port it was made in */
};

struct config_group *krg_filter_make(struct krg_port *port, const char *name);
void krg_filter_drop(struct krg_filter *f);
void krg_filter_release(struct config_item *item);
extern struct configfs_attribute *krg_filter_common_attrs[];
void krg_filter_notify(struct krg_filter *f, struct krg_port *port);

/* --- policy.c ----------------------------------------------------------- */

struct krg_scheduler;

struct krg_policy_stats {
	atomic64_t placements;		/* new_task_node answered a node */
	atomic64_t placements_none;	/* it answered KRG_NODE_NONE */
	atomic64_t placements_bad;	/* answer outside the node set: ignored */
	atomic64_t place_ns;		/* time spent in new_task_node */
	atomic64_t migrations;		/* requests queued to the SSI layer */
	atomic64_t refused;		/* requests refused */
	atomic_t last_error;		/* errno of the last refusal */
	atomic_t last_pid;
	atomic_t last_node;
};

/* Longest failure message of a policy instance. */
#define KRG_EXIT_MSG_LEN	160

struct krg_policy {
	struct krg_instance inst;
	const struct krg_policy_type *type;
	struct krg_scheduler *sched;
	struct krg_policy_stats stats;
	/*
	 * Failure (BPF policies): the first krg_policy_fail() wins the cmpxchg
	 * of @exit_kind from KRG_EXIT_NONE, writes @exit_msg, then sets
	 * @exit_msg_ready (release). Any context; never cleared. A failed
	 * policy is skipped by placement and port updates.
	 */
	atomic_t exit_kind;
	atomic_t exit_msg_ready;
	char exit_msg[KRG_EXIT_MSG_LEN];
};

struct config_group *krg_policy_make(struct krg_scheduler *s,
				     const char *name);
void krg_policy_drop(struct krg_policy *p);
void krg_policy_release(struct config_item *item);
extern struct configfs_attribute *krg_policy_common_attrs[];
void krg_policy_notify(struct krg_policy *p, struct krg_port *port);
int krg_policy_place(struct krg_policy *p, struct task_struct *parent,
		     struct task_struct *child);
__printf(3, 4)
bool krg_policy_fail(struct krg_policy *p, int kind, const char *fmt, ...);
/* Count a refused migration request of @policy in its stats. Any context. */
void krg_policy_refused(struct krg_policy *policy, struct task_struct *p,
			int node, int err);
ssize_t krg_policy_exit_show(struct krg_policy *p, char *buf, size_t len);
const char *krg_policy_exit_kind_name(int kind);

/* --- scheduler.c / process_set.c ---------------------------------------- */

enum krg_member_kind {
	KRG_MEMBER_PID,
	KRG_MEMBER_PGID,
	KRG_MEMBER_SID,
	KRG_MEMBER_CGROUP,
	KRG_MEMBER_NR,
};

struct krg_process_set {
	struct krg_group kg;		/* process_set/ */
	struct krg_group kinds[KRG_MEMBER_NR];
	bool handle_all;		/* cfg mutex; READ_ONCE elsewhere */
	struct list_head members[KRG_MEMBER_NR]; /* RCU, cfg mutex */
	unsigned int nr_members;	/* cfg mutex */
};

struct krg_scheduler {
	struct config_group group;
	struct krg_process_set pset;
	struct list_head node;		/* krg_schedulers; RCU, cfg mutex */
	struct krg_policy __rcu *policy; /* RCU, cfg mutex */
	/* lock protects node_set, exclusive and max_fit; any context. */
	spinlock_t lock;
	struct krg_nodemask node_set;
	bool exclusive;
	bool max_fit;
};

extern struct list_head krg_schedulers;

struct config_group *krg_scheduler_make(struct config_group *parent,
					const char *name);
void krg_scheduler_drop(struct config_group *parent, struct config_item *item);
void krg_scheduler_node_set(struct krg_scheduler *s, struct krg_nodemask *out);
int krg_scheduler_nodes_init(void);
void krg_scheduler_nodes_uninit(void);

void krg_process_set_init(struct krg_process_set *ps, struct config_group *parent);
bool krg_process_set_has(struct krg_process_set *ps, enum krg_member_kind kind,
			 struct task_struct *p);

/* --- state.c: memberships in a task's record, lent to krg.ko ----------- */

int krg_sched_state_init(void);
void krg_sched_state_uninit(void);

/* --- placement.c -------------------------------------------------------- */

int krg_placement_init(void);
void krg_placement_uninit(void);
ssize_t krg_placement_stats_show(char *page);

/* --- bpf_policy.c, bpf_kfuncs.c: policies as BPF struct_ops ------------- */

#ifdef CONFIG_BPF_SYSCALL
int krg_bpf_init(void);
void krg_bpf_uninit(void);
ssize_t krg_bpf_policies_show(char *page);
int krg_bpf_kfuncs_init(void);
#else
static inline int krg_bpf_init(void) { return 0; }
static inline void krg_bpf_uninit(void) { }
static inline ssize_t krg_bpf_policies_show(char *page) { return 0; }
#endif

/* --- configfs.c --------------------------------------------------------- */

int krg_configfs_init(void);
void krg_configfs_uninit(void);

int krg_parse_bool(const char *page, bool *out);

/* Rate-limited message about a refused configuration write. */
#define krg_cfg_err(item, fmt, ...)					\
	pr_notice_ratelimited("%s: " fmt, config_item_name(item), ##__VA_ARGS__)

#endif /* _KRG_SCHED_INTERNAL_H */
