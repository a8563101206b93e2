// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "krg": the kernel's side of the channel to the
 * node agent (uapi/krg.h lists the commands). krg.ko registers the family
 * with one attribute policy for every command; the handlers of commands
 * carried out by other modules (the scheduler core's value cache) are lent
 * by them (include/krg/genl.h) and called through krg_genl_doit().
 *
 * Who may talk: the family is registered in the initial network namespace
 * only (netnsok is false: a container's netlink socket does not even see
 * it), and every command is GENL_ADMIN_PERM (CAP_NET_ADMIN over that
 * namespace, so real root or the agent). The commands feed the schedulers
 * an administrator set up: a user who could send them could steer those.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <krg/genl.h>
#include "internal.h"

/*
 * The lent handlers: one lender per command. Written under
 * krg_genl_ops_mutex, read under RCU; a caller pins the lender's module
 * with try_module_get() before it leaves the RCU section.
 */
static DEFINE_MUTEX(krg_genl_ops_mutex);
static const struct krg_genl_ops __rcu *krg_genl_lent[__KRG_CMD_MAX];

int krg_genl_ops_register(const struct krg_genl_ops *ops)
{
	int cmd, ret = 0;

	mutex_lock(&krg_genl_ops_mutex);
	for (cmd = 0; cmd < __KRG_CMD_MAX; cmd++) {
		if (ops->doit[cmd] && rcu_access_pointer(krg_genl_lent[cmd])) {
			ret = -EBUSY;
			goto out;
		}
	}
	for (cmd = 0; cmd < __KRG_CMD_MAX; cmd++)
		if (ops->doit[cmd])
			rcu_assign_pointer(krg_genl_lent[cmd], ops);
out:
	mutex_unlock(&krg_genl_ops_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(krg_genl_ops_register);

void krg_genl_ops_unregister(const struct krg_genl_ops *ops)
{
	int cmd;

	mutex_lock(&krg_genl_ops_mutex);
	for (cmd = 0; cmd < __KRG_CMD_MAX; cmd++)
		if (rcu_access_pointer(krg_genl_lent[cmd]) == ops)
			RCU_INIT_POINTER(krg_genl_lent[cmd], NULL);
	mutex_unlock(&krg_genl_ops_mutex);
	/* A caller between its dereference and try_module_get() is done. */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(krg_genl_ops_unregister);

/* Commands of the value cache are the scheduler core's. */
static const char *const krg_genl_lender[__KRG_CMD_MAX] = {
	[KRG_CMD_VALUE_SET] = "krg_scheduler.ko",
	[KRG_CMD_VALUE_GET] = "krg_scheduler.ko",
};

static int krg_genl_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	const struct krg_genl_ops *ops;
	int ret;

	rcu_read_lock();
	ops = rcu_dereference(krg_genl_lent[cmd]);
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	rcu_read_unlock();
	if (!ops) {
		GENL_SET_ERR_MSG_FMT(info, "%s is not loaded",
				     krg_genl_lender[cmd] ?: "its handler");
		return -EOPNOTSUPP;
	}
	ret = ops->doit[cmd](skb, info);
	module_put(ops->owner);
	return ret;
}

static int krg_genl_not_accepted(struct sk_buff *skb, struct genl_info *info)
{
	GENL_SET_ERR_MSG(info, "krg.ko sends this command; it takes none");
	return -EOPNOTSUPP;
}

static const struct nla_policy krg_genl_policy[KRG_A_MAX + 1] = {
	[KRG_A_NODE]	= NLA_POLICY_MAX(NLA_U32, KRG_MAX_NODES - 1),
	[KRG_A_PROBE]	= { .type = NLA_NUL_STRING, .len = KRG_GENL_NAME_MAX },
	[KRG_A_SOURCE]	= { .type = NLA_NUL_STRING, .len = KRG_GENL_NAME_MAX },
	[KRG_A_VALUE]	= { .type = NLA_BINARY, .len = KRG_GENL_VALUE_MAX },
	[KRG_A_AGE_MS]	= { .type = NLA_U32 },
	[KRG_A_NODES]	= { .type = NLA_BINARY, .len = KRG_MAX_NODES / 8 },
	[KRG_A_QUORATE]	= NLA_POLICY_MAX(NLA_U8, 1),
	[KRG_A_RING_ID]	= { .type = NLA_U64 },
	[KRG_A_CPUS]	= NLA_POLICY_RANGE(NLA_U32, 1, 16384),
	[KRG_A_MEM_TOTAL] = { .type = NLA_U64 },
	[KRG_A_MEM_FREE] = { .type = NLA_U64 },
	[KRG_A_LOADAVG]	= { .type = NLA_BINARY, .len = 3 * sizeof(u32) },
	[KRG_A_PRESENT]	= { .type = NLA_BINARY, .len = KRG_MAX_NODES / 8 },
	[KRG_A_REQUEST_ID] = { .type = NLA_U64 },
	[KRG_A_PID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[KRG_A_ORIGIN]	= NLA_POLICY_MAX(NLA_U8, 1),
	[KRG_A_ERROR]	= { .type = NLA_S32 },
	[KRG_A_OUTCOME]	= NLA_POLICY_RANGE(NLA_U8, 2, 3),
	[KRG_A_REASON]	= { .type = NLA_NUL_STRING, .len = KRG_REASON_LEN - 1 },
	[KRG_A_DRY]	= NLA_POLICY_RANGE(NLA_U8, 1, 1),
};

static const struct genl_small_ops krg_genl_ops[] = {
	{
		.cmd	= KRG_CMD_VALUE_SET,
		.doit	= krg_genl_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KRG_CMD_VALUE_GET,
		.doit	= krg_genl_doit,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KRG_CMD_MEMBERSHIP,
		.doit	= krg_cluster_membership,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KRG_CMD_NODE_INFO,
		.doit	= krg_procnodes_info,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		/* Sent by krg.ko to the agent only. */
		.cmd	= KRG_CMD_MIGRATE,
		.doit	= krg_genl_not_accepted,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KRG_CMD_MIGRATE_BEGIN,
		.doit	= krg_cluster_migrate_begin,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= KRG_CMD_MIGRATE_DONE,
		.doit	= krg_cluster_migrate_done,
		.flags	= GENL_ADMIN_PERM,
	},
};

struct genl_family krg_genl_family = {
	.name		= KRG_GENL_NAME,
	.version	= KRG_GENL_VERSION,
	.maxattr	= KRG_A_MAX,
	.policy		= krg_genl_policy,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= krg_genl_ops,
	.n_small_ops	= ARRAY_SIZE(krg_genl_ops),
	.resv_start_op	= KRG_CMD_VALUE_SET,
};
EXPORT_SYMBOL_GPL(krg_genl_family);

int krg_genl_init(void)
{
	int ret = genl_register_family(&krg_genl_family);

	if (ret)
		return ret;
	/* The cluster backend follows its agent's socket. */
	ret = krg_cluster_events_init();
	if (ret)
		genl_unregister_family(&krg_genl_family);
	return ret;
}

void krg_genl_uninit(void)
{
	krg_cluster_events_uninit();
	genl_unregister_family(&krg_genl_family);
}
