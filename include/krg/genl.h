/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "krg" (uapi/krg.h: commands and attributes):
 * the channel between the kernel and the node agent. krg.ko owns and
 * registers it, with its attribute policy and permissions (initial network
 * namespace, CAP_NET_ADMIN); a module that carries out some of its
 * commands (the scheduler core: the value cache) lends krg.ko their
 * handlers while it is loaded, since krg.ko cannot call it.
 */
#ifndef _KRG_GENL_H
#define _KRG_GENL_H

#include <net/genetlink.h>
#include <krg.h>

struct module;

/**
 * struct krg_genl_ops - handlers of commands of the family
 * @owner: their module (THIS_MODULE); krg.ko holds a reference on it for
 *	the length of each call
 * @doit: indexed by command (enum krg_genl_cmd); NULL for a command the
 *	lender does not handle. Called in process context (may sleep) with
 *	the attributes validated against the family's policy, not with
 *	genl_mutex (the family runs parallel ops): the handler does its own
 *	locking. Returns 0 or -errno, an extack message set for the agent
 *
 * A command no lender handles answers EOPNOTSUPP, saying which module is
 * missing.
 */
struct krg_genl_ops {
	struct module *owner;

	int (*doit[__KRG_CMD_MAX])(struct sk_buff *skb, struct genl_info *info);
};

/*
 * krg_genl_ops_register - lend @ops; -EBUSY if a command of theirs has a
 * handler already. Process context.
 */
int krg_genl_ops_register(const struct krg_genl_ops *ops);

/*
 * krg_genl_ops_unregister - take @ops back; on return no call of them is
 * starting (one running holds @ops->owner). Process context, sleeps.
 */
void krg_genl_ops_unregister(const struct krg_genl_ops *ops);

/* The family, for replies (genlmsg_put_reply() needs it). */
extern struct genl_family krg_genl_family;

#endif /* _KRG_GENL_H */
