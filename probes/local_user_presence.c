// SPDX-License-Identifier: GPL-2.0
/*
 * local_user_presence: are people using this machine interactively, as the
 * login system tells (Kerrighed's local_user_presence counter and its
 * local_user_notifier, which was /proc/kerrighed/interactive_user/).
 *
 * Sources (u64; machine-wide: every online node shows the same value,
 * offline nodes none, -ENODATA):
 *   connected  interactive sessions open, as announced (Kerrighed's "get")
 *   isfree     1 when connected is 0, else 0
 *   isused     1 when connected is above 0, else 0
 * Attributes (write-only, root only):
 *   connection     write N (1..1024, usually 1): N sessions opened
 *   disconnection  write N: N sessions closed; the count stops at 0
 *                  (a close whose open came before the probe existed)
 * Other writes are refused: EINVAL not a count in 1..1024, ERANGE the
 * count would pass 2^20, EPERM the writer lacks CAP_SYS_ADMIN in the
 * initial user namespace.
 *
 * Kerrighed's connection/disconnection files were writable by every user,
 * so any user could make a node look free or busy and steer the policies
 * an administrator built on it. Here the files are 0200 and the store
 * checks capable(CAP_SYS_ADMIN) as well, since root may chmod a configfs
 * attribute. The intended writer is the PAM session hook
 * scripts/krg-user-presence (pam_exec; see probes/README.md).
 *
 * The notifier: each change publishes the sources that changed, so pushed
 * chains (threshold_filter, policies' update()) react at once. Event-driven:
 * probe_period is 0 and cannot be written.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include "krg_probe_util.h"

enum {
	LUP_CONNECTED,
	LUP_ISFREE,
	LUP_ISUSED,
};

#define LUP_MAX_STEP	1024
#define LUP_MAX_COUNT	(1U << 20)

struct local_user_presence {
	spinlock_t lock;	/* serialises writers of count */
	u32 count;		/* READ_ONCE for readers */
};

static int lup_node(struct krg_probe *probe, int node, void *out,
		    unsigned int nr, unsigned int which)
{
	struct local_user_presence *lup = krg_probe_priv(probe);
	u32 n;

	if (!krgp_node_here(node))
		return -ENODATA;
	n = READ_ONCE(lup->count);
	switch (which) {
	case LUP_CONNECTED:
		*(u64 *)out = n;
		break;
	case LUP_ISFREE:
		*(u64 *)out = n == 0;
		break;
	default:
		*(u64 *)out = n > 0;
		break;
	}
	return 1;
}

#define LUP_SOURCE(__name, __idx)					\
static int lup_##__name##_node(struct krg_probe *probe, int node,	\
			       void *out, unsigned int nr,		\
			       const void *in, unsigned int in_nr)	\
{									\
	return lup_node(probe, node, out, nr, __idx);			\
}									\
static int lup_##__name##_get(struct krg_probe *probe, void *out,	\
			      unsigned int nr, const void *in,		\
			      unsigned int in_nr)			\
{									\
	return lup_node(probe, krg_local_node(), out, nr, __idx);	\
}									\
static const struct krg_source_desc lup_src_##__name = {		\
	.name = #__name,						\
	.type = &krg_type_u64,						\
	.get_value = lup_##__name##_get,				\
	.get_node_value = lup_##__name##_node,				\
}

LUP_SOURCE(connected, LUP_CONNECTED);
LUP_SOURCE(isfree, LUP_ISFREE);
LUP_SOURCE(isused, LUP_ISUSED);

/* In the order of the LUP_* indexes. */
static const struct krg_source_desc *const lup_sources[] = {
	&lup_src_connected,
	&lup_src_isfree,
	&lup_src_isused,
	NULL,
};

/* Add @delta sessions (negative: closed) and notify. Process context. */
static ssize_t lup_change(struct config_item *item, const char *page,
			  size_t count, bool open)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct local_user_presence *lup = krg_probe_priv(probe);
	const char *what = open ? "connection" : "disconnection";
	u32 old, now, n;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtou32(page, 10, &n) || !n || n > LUP_MAX_STEP) {
		pr_notice_ratelimited("%s: %s: \"%.*s\" is not a count of 1..%u\n",
				      config_item_name(item), what,
				      (int)strcspn(page, "\n"), page,
				      LUP_MAX_STEP);
		return -EINVAL;
	}
	spin_lock(&lup->lock);
	old = lup->count;
	if (open && old + n > LUP_MAX_COUNT) {
		spin_unlock(&lup->lock);
		pr_notice_ratelimited("%s: %s: over %u sessions\n",
				      config_item_name(item), what,
				      LUP_MAX_COUNT);
		return -ERANGE;
	}
	now = open ? old + n : old - min(old, n);
	WRITE_ONCE(lup->count, now);
	spin_unlock(&lup->lock);

	/* Writers may race: a reader re-reads the count, so order is moot. */
	if (now != old)
		krg_probe_publish(probe, LUP_CONNECTED);
	if (!old != !now) {
		krg_probe_publish(probe, LUP_ISFREE);
		krg_probe_publish(probe, LUP_ISUSED);
	}
	return count;
}

static ssize_t lup_connection_store(struct config_item *item,
				    const char *page, size_t count)
{
	return lup_change(item, page, count, true);
}

static ssize_t lup_disconnection_store(struct config_item *item,
				       const char *page, size_t count)
{
	return lup_change(item, page, count, false);
}

/* 0200, not CONFIGFS_ATTR_WO's 0222: only root writes presence. */
static struct configfs_attribute lup_attr_connection = {
	.ca_name = "connection",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0200,
	.store = lup_connection_store,
};

static struct configfs_attribute lup_attr_disconnection = {
	.ca_name = "disconnection",
	.ca_owner = THIS_MODULE,
	.ca_mode = 0200,
	.store = lup_disconnection_store,
};

static struct configfs_attribute *lup_attrs[] = {
	&lup_attr_connection,
	&lup_attr_disconnection,
	NULL,
};

static int lup_init(struct krg_probe *probe)
{
	struct local_user_presence *lup = krg_probe_priv(probe);

	spin_lock_init(&lup->lock);
	return 0;
}

KRG_PROBE_MODULE(local_user_presence,
		 .sources = lup_sources,
		 .attrs = lup_attrs,
		 .priv_size = sizeof(struct local_user_presence),
		 .init = lup_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: interactive sessions announced by PAM (root only)");
