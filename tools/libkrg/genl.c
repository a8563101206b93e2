// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "krg" from user space (uapi/krg.h): the node
 * agent's channel to the kernel. Plain netlink sockets, no library: resolve
 * the family's id once, then one request and its answer (the reply, or the
 * kernel's ack with its extended message) at a time.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "libkrg.h"

#define KRG_NL_BUF	8192

/* The next attribute after @a. */
#define NLA_NEXT(a)	((struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

struct krg_nl_msg {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[512];
};

static int krg_nl_put(struct krg_nl_msg *m, unsigned short type,
		      const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(m->nh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)((char *)m + at);

	if (at + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(*m)) {
		errno = EMSGSIZE;
		return -1;
	}
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(NLA_DATA(a), data, len);
	m->nh.nlmsg_len = at + NLA_ALIGN(a->nla_len);
	return 0;
}

static void krg_nl_init(struct krg_nl_msg *m, unsigned short family,
			unsigned char cmd)
{
	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	m->gh.cmd = cmd;
	m->gh.version = KRG_GENL_VERSION;
}

/* The attributes of @nh (a genl message) into @tb[0..max]. */
static void krg_nl_parse(const struct nlmsghdr *nh, struct nlattr **tb,
			 int max)
{
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(nh) +
					     GENL_HDRLEN);
	int left = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= left) {
		if ((a->nla_type & NLA_TYPE_MASK) <= max)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
		left -= NLA_ALIGN(a->nla_len);
		a = NLA_NEXT(a);
	}
}

/* The extended ack's message of an error @nh, if there is one. */
static void krg_nl_extack(const struct nlmsghdr *nh, char *err, size_t len)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	size_t off = sizeof(*e);
	const struct nlattr *a;
	int left;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	a = (const struct nlattr *)((const char *)e + NLMSG_ALIGN(off));
	left = (int)nh->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
	while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= left) {
		if (a->nla_type == NLMSGERR_ATTR_MSG) {
			snprintf(err, len, "%.*s", (int)(a->nla_len - NLA_HDRLEN),
				 (const char *)NLA_DATA(a));
			return;
		}
		left -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)NLA_NEXT(a);
	}
}

/* A KRG_CMD_MIGRATE of krg.ko in @nh as an order: 0, or -1 (not one). */
static int krg_nl_order(const struct krg_genl *g, const struct nlmsghdr *nh,
			struct krg_migrate_order *o)
{
	struct nlattr *tb[KRG_A_MAX + 1];
	const struct genlmsghdr *gh = NLMSG_DATA(nh);
	__u8 origin = 0;

	if (nh->nlmsg_type != g->family ||
	    nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    gh->cmd != KRG_CMD_MIGRATE)
		return -1;
	krg_nl_parse(nh, tb, KRG_A_MAX);
	if (!tb[KRG_A_REQUEST_ID] || !tb[KRG_A_PID] || !tb[KRG_A_NODE])
		return -1;
	memset(o, 0, sizeof(*o));
	memcpy(&o->id, NLA_DATA(tb[KRG_A_REQUEST_ID]), sizeof(o->id));
	memcpy(&o->pid, NLA_DATA(tb[KRG_A_PID]), sizeof(o->pid));
	memcpy(&o->node, NLA_DATA(tb[KRG_A_NODE]), sizeof(o->node));
	if (tb[KRG_A_ORIGIN])
		memcpy(&origin, NLA_DATA(tb[KRG_A_ORIGIN]), 1);
	o->user = origin;
	o->dry = tb[KRG_A_DRY] != NULL;
	return 0;
}

/* An order that came in during a request, kept (the oldest are served). */
static void krg_nl_keep_order(struct krg_genl *g, const struct nlmsghdr *nh)
{
	struct krg_migrate_order o;

	if (krg_nl_order(g, nh, &o))
		return;
	if (g->norders == KRG_GENL_ORDERS) {
		g->lost_orders++;
		return;
	}
	g->orders[g->norders++] = o;
}

/*
 * Send @m, then read until its ack: the reply (if any) is copied to @reply
 * (room for KRG_NL_BUF bytes). 0, or -1 with errno and @err set.
 */
static int krg_nl_talk(struct krg_genl *g, struct krg_nl_msg *m, void *reply,
		       char *err, size_t errlen)
{
	int fd = g->fd;
	static unsigned int seq;
	char buf[KRG_NL_BUF];
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nh;
	ssize_t n;

	m->nh.nlmsg_seq = ++seq;
	if (sendto(fd, m, m->nh.nlmsg_len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -1;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			/* krg.ko's own messages wait for krg_genl_next_order() */
			if (!nh->nlmsg_seq) {
				krg_nl_keep_order(g, nh);
				continue;
			}
			if (nh->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (!e->error)
					return 0;
				krg_nl_extack(nh, err, errlen);
				errno = -e->error;
				return -1;
			}
			if (reply && nh->nlmsg_len <= KRG_NL_BUF)
				memcpy(reply, nh, nh->nlmsg_len);
		}
	}
}

int krg_genl_open(struct krg_genl *g)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	char reply[KRG_NL_BUF], err[128] = "";
	struct krg_nl_msg m;
	int one = 1;

	g->norders = 0;
	g->lost_orders = 0;
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -1;
	setsockopt(g->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(g->fd, (struct sockaddr *)&self, sizeof(self)))
		goto fail;
	krg_nl_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	m.gh.version = 1;
	if (krg_nl_put(&m, CTRL_ATTR_FAMILY_NAME, KRG_GENL_NAME,
		       sizeof(KRG_GENL_NAME)))
		goto fail;
	memset(reply, 0, sizeof(reply));
	/* ENOENT: no such family (krg.ko not loaded, or another netns). */
	if (krg_nl_talk(g, &m, reply, err, sizeof(err)))
		goto fail;
	krg_nl_parse((struct nlmsghdr *)reply, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID]) {
		errno = ENOENT;
		goto fail;
	}
	memcpy(&g->family, NLA_DATA(tb[CTRL_ATTR_FAMILY_ID]), sizeof(g->family));
	return 0;
fail:
	close(g->fd);
	g->fd = -1;
	return -1;
}

void krg_genl_close(struct krg_genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

static int krg_nl_name(struct krg_nl_msg *m, int node, const char *probe,
		       const char *source)
{
	__u32 n = node;

	return krg_nl_put(m, KRG_A_NODE, &n, sizeof(n)) ||
	       krg_nl_put(m, KRG_A_PROBE, probe, strlen(probe) + 1) ||
	       krg_nl_put(m, KRG_A_SOURCE, source, strlen(source) + 1) ? -1 : 0;
}

int krg_value_set(struct krg_genl *g, int node, const char *probe,
		  const char *source, const void *value, size_t len,
		  unsigned int age_ms, char *err, size_t errlen)
{
	struct krg_nl_msg m;

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_VALUE_SET);
	if (krg_nl_name(&m, node, probe, source) ||
	    krg_nl_put(&m, KRG_A_VALUE, value, len) ||
	    krg_nl_put(&m, KRG_A_AGE_MS, &age_ms, sizeof(age_ms)))
		return -1;
	return krg_nl_talk(g, &m, NULL, err, errlen);
}

int krg_membership_set(struct krg_genl *g, const unsigned char *nodes,
		       const unsigned char *present, int quorate,
		       unsigned long long ring, char *err, size_t errlen)
{
	struct krg_nl_msg m;
	__u8 q = !!quorate;
	__u64 r = ring;

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_MEMBERSHIP);
	if (krg_nl_put(&m, KRG_A_NODES, nodes, KRG_MAX_NODES / 8) ||
	    krg_nl_put(&m, KRG_A_QUORATE, &q, sizeof(q)) ||
	    krg_nl_put(&m, KRG_A_RING_ID, &r, sizeof(r)))
		return -1;
	if (present &&
	    krg_nl_put(&m, KRG_A_PRESENT, present, KRG_MAX_NODES / 8))
		return -1;
	return krg_nl_talk(g, &m, NULL, err, errlen);
}

int krg_node_info_set(struct krg_genl *g, int node, unsigned int cpus,
		      unsigned long long mem_total_kb,
		      unsigned long long mem_free_kb, const unsigned int load[3],
		      char *err, size_t errlen)
{
	struct krg_nl_msg m;
	__u32 n = node, c = cpus, l[3] = { load[0], load[1], load[2] };
	__u64 t = mem_total_kb, f = mem_free_kb;

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_NODE_INFO);
	if (krg_nl_put(&m, KRG_A_NODE, &n, sizeof(n)) ||
	    krg_nl_put(&m, KRG_A_CPUS, &c, sizeof(c)) ||
	    krg_nl_put(&m, KRG_A_MEM_TOTAL, &t, sizeof(t)) ||
	    krg_nl_put(&m, KRG_A_MEM_FREE, &f, sizeof(f)) ||
	    krg_nl_put(&m, KRG_A_LOADAVG, l, sizeof(l)))
		return -1;
	return krg_nl_talk(g, &m, NULL, err, errlen);
}

int krg_value_get(struct krg_genl *g, int node, const char *probe,
		  const char *source, void *value, size_t *len,
		  unsigned int *age_ms, char *err, size_t errlen)
{
	struct nlattr *tb[KRG_A_MAX + 1];
	char reply[KRG_NL_BUF];
	struct krg_nl_msg m;
	size_t n;

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_VALUE_GET);
	if (krg_nl_name(&m, node, probe, source))
		return -1;
	memset(reply, 0, sizeof(reply));
	if (krg_nl_talk(g, &m, reply, err, errlen))
		return -1;
	krg_nl_parse((struct nlmsghdr *)reply, tb, KRG_A_MAX);
	if (!tb[KRG_A_VALUE] || !tb[KRG_A_AGE_MS]) {
		errno = EPROTO;
		return -1;
	}
	n = tb[KRG_A_VALUE]->nla_len - NLA_HDRLEN;
	if (n > *len) {
		errno = EOVERFLOW;
		return -1;
	}
	memcpy(value, NLA_DATA(tb[KRG_A_VALUE]), n);
	*len = n;
	memcpy(age_ms, NLA_DATA(tb[KRG_A_AGE_MS]), sizeof(*age_ms));
	return 0;
}

int krg_genl_next_order(struct krg_genl *g, struct krg_migrate_order *o)
{
	char buf[KRG_NL_BUF];
	struct nlmsghdr *nh;
	ssize_t n;

	for (;;) {
		if (g->norders) {
			*o = g->orders[0];
			memmove(g->orders, g->orders + 1,
				--g->norders * sizeof(*o));
			return 1;
		}
		n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n))
			if (!nh->nlmsg_seq)
				krg_nl_keep_order(g, nh);
	}
}

static void krg_nl_id(struct krg_nl_msg *m, unsigned long long id)
{
	__u64 v = id;

	krg_nl_put(m, KRG_A_REQUEST_ID, &v, sizeof(v));
}

int krg_migrate_begin(struct krg_genl *g, unsigned long long id, char *err,
		      size_t errlen)
{
	struct krg_nl_msg m;

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_MIGRATE_BEGIN);
	krg_nl_id(&m, id);
	return krg_nl_talk(g, &m, NULL, err, errlen);
}

int krg_migrate_done(struct krg_genl *g, unsigned long long id, int error,
		     int refused, const char *reason, char *err, size_t errlen)
{
	struct krg_nl_msg m;
	__s32 e = error;
	__u8 outcome = refused ? 2 : 3;
	char r[KRG_REASON_LEN];

	if (errlen)
		err[0] = '\0';
	krg_nl_init(&m, g->family, KRG_CMD_MIGRATE_DONE);
	krg_nl_id(&m, id);
	if (krg_nl_put(&m, KRG_A_ERROR, &e, sizeof(e)))
		return -1;
	if (error && krg_nl_put(&m, KRG_A_OUTCOME, &outcome, 1))
		return -1;
	if (error && reason && reason[0]) {
		snprintf(r, sizeof(r), "%s", reason);
		if (krg_nl_put(&m, KRG_A_REASON, r, strlen(r) + 1))
			return -1;
	}
	return krg_nl_talk(g, &m, NULL, err, errlen);
}
