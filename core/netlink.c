// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler core's commands on krg.ko's generic netlink family "krg"
 * (uapi/krg.h), lent to krg.ko while the core is loaded: the node agent
 * fills the value cache with what other nodes published
 * (KRG_CMD_VALUE_SET) and reads this node's values to publish them
 * (KRG_CMD_VALUE_GET). krg.ko checks the sender (CAP_NET_ADMIN, initial
 * network namespace) and the attributes' form; this file checks what they
 * name. Process context; probes are looked up and written under
 * krg_probes_mutex, so a probe being removed is either found whole or not
 * at all.
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <krg/genl.h>
#include "internal.h"

/* The source NODE/PROBE/SOURCE name, its entry: 0 or -errno (extack set). */
static int krg_nl_lookup(struct genl_info *info, int *node,
			 struct krg_probe_source **ps,
			 struct krg_value_entry **e)
{
	const char *probe, *source;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_NODE) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_PROBE) ||
	    GENL_REQ_ATTR_CHECK(info, KRG_A_SOURCE))
		return -EINVAL;
	*node = nla_get_u32(info->attrs[KRG_A_NODE]);
	probe = nla_data(info->attrs[KRG_A_PROBE]);
	source = nla_data(info->attrs[KRG_A_SOURCE]);
	if (krg_node_index(*node) < 0) {
		GENL_SET_ERR_MSG_FMT(info, "node %d is not a possible node",
				     *node);
		return -EINVAL;
	}
	*ps = krg_probe_source_find(probe, source);
	if (!*ps) {
		GENL_SET_ERR_MSG_FMT(info, "no source %s/%s", probe, source);
		return -ENOENT;
	}
	if (krg_psrc_source(*ps)->type->param) {
		GENL_SET_ERR_MSG_FMT(info, "%s/%s takes a %s parameter", probe,
				     source, krg_psrc_source(*ps)->type->param);
		return -EINVAL;
	}
	*e = krg_psrc_entry(*ps, *node);
	return 0;
}

static int krg_nl_value_set(struct sk_buff *skb, struct genl_info *info)
{
	const struct krg_value_type *t;
	struct krg_probe_source *ps;
	struct krg_value_entry *e;
	u32 len, age = 0;
	u64 now, back;
	int node, ret;

	if (GENL_REQ_ATTR_CHECK(info, KRG_A_VALUE))
		return -EINVAL;
	if (info->attrs[KRG_A_AGE_MS])
		age = nla_get_u32(info->attrs[KRG_A_AGE_MS]);
	len = nla_len(info->attrs[KRG_A_VALUE]);

	mutex_lock(&krg_probes_mutex);
	ret = krg_nl_lookup(info, &node, &ps, &e);
	if (ret)
		goto out;
	t = krg_psrc_source(ps)->type;
	ret = -EINVAL;
	if (krg_node_measured(node)) {
		GENL_SET_ERR_MSG_FMT(info, "node %d is measured here", node);
		goto out;
	}
	if (!len || len % t->size || len > KRG_CACHE_BYTES) {
		GENL_SET_ERR_MSG_FMT(info,
				     "a value of %u bytes is not 1 to %u values of %zu bytes",
				     len, (unsigned int)(KRG_CACHE_BYTES / t->size),
				     t->size);
		goto out;
	}
	ret = -EHOSTDOWN;
	if (!krg_node_online(node)) {
		GENL_SET_ERR_MSG_FMT(info, "node %d is offline", node);
		goto out;
	}
	now = get_jiffies_64();
	back = min_t(u64, msecs_to_jiffies(age), now);
	krg_cache_fill(e, node, nla_data(info->attrs[KRG_A_VALUE]),
		       len / t->size, t->size, now - back);
	/* Subscribers pull: the node's new value is what they see. */
	krg_source_publish(krg_psrc_source(ps));
	ret = 0;
out:
	mutex_unlock(&krg_probes_mutex);
	return ret;
}

static int krg_nl_value_get(struct sk_buff *skb, struct genl_info *info)
{
	u64 v[KRG_CACHE_BYTES / sizeof(u64)];
	const struct krg_value_type *t;
	struct krg_probe_source *ps;
	struct krg_value_entry *e;
	struct sk_buff *msg;
	u64 stamp = 0;
	void *hdr;
	int node, ret, n;
	u32 age = 0;

	mutex_lock(&krg_probes_mutex);
	ret = krg_nl_lookup(info, &node, &ps, &e);
	if (ret)
		goto out;
	t = krg_psrc_source(ps)->type;
	if (krg_node_measured(node)) {
		ret = krg_probe_source_get_value(krg_psrc_source(ps), node, v,
						 KRG_CACHE_BYTES / t->size,
						 NULL, 0);
	} else {
		ret = krg_node_online(node) ?
		      krg_cache_read(e, v, KRG_CACHE_BYTES / t->size, t->size,
				     &stamp) : -ENODATA;
		if (ret > 0)
			age = min_t(u64, U32_MAX,
				    jiffies64_to_msecs(get_jiffies_64() - stamp));
	}
	if (!ret)
		ret = -ENODATA;
	if (ret < 0) {
		GENL_SET_ERR_MSG_FMT(info, "no value for node %d (%d)", node,
				     ret);
		goto out;
	}

	n = ret;
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &krg_genl_family, 0,
				KRG_CMD_VALUE_GET);
	if (!hdr ||
	    nla_put_u32(msg, KRG_A_NODE, node) ||
	    nla_put_string(msg, KRG_A_PROBE,
			   nla_data(info->attrs[KRG_A_PROBE])) ||
	    nla_put_string(msg, KRG_A_SOURCE,
			   nla_data(info->attrs[KRG_A_SOURCE])) ||
	    nla_put(msg, KRG_A_VALUE, n * t->size, v) ||
	    nla_put_u32(msg, KRG_A_AGE_MS, age)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&krg_probes_mutex);
	return genlmsg_reply(msg, info);
out:
	mutex_unlock(&krg_probes_mutex);
	return ret;
}

static const struct krg_genl_ops krg_nl_ops = {
	.owner = THIS_MODULE,
	.doit = {
		[KRG_CMD_VALUE_SET] = krg_nl_value_set,
		[KRG_CMD_VALUE_GET] = krg_nl_value_get,
	},
};

int krg_netlink_init(void)
{
	return krg_genl_ops_register(&krg_nl_ops);
}

void krg_netlink_uninit(void)
{
	krg_genl_ops_unregister(&krg_nl_ops);
}
