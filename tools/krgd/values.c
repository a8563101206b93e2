// SPDX-License-Identifier: GPL-2.0
/*
 * The CPG group krg_values: each agent multicasts what its machine is
 * (CPUs online, MemTotal and MemFree, load averages: sysinfo(2)) every
 * period, last one wins; the others hand it to their krg.ko (KRG_CMD_NODE_INFO), which
 * shows it in /proc/nodes/nodeN. AGREED order is not needed for values,
 * only that each reaches every member: CPG_TYPE_AGREED is corosync's
 * cheapest guarantee that does.
 *
 * The message is fixed-size, little-endian as the machines are (x86-64),
 * with a magic and a version; anything else is dropped with a note. The
 * group also carries each node's probe values (probes.c), in batches of
 * their own magic.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <unistd.h>
#include <corosync/cpg.h>
#include "krgd.h"

#define VALUES_GROUP	"krg_values"
#define VALUES_MAGIC	0x4b524749	/* "KRGI" */
#define VALUES_VERSION	1

struct values_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t size;			/* sizeof(struct values_msg) */
	uint32_t cpus;
	uint32_t load[3];		/* x 100 */
	uint64_t mem_total_kb;
	uint64_t mem_free_kb;
};

/* Naturally aligned, no padding: the same bytes on every x86-64 agent. */
_Static_assert(sizeof(struct values_msg) == 40, "values_msg layout");

static cpg_handle_t cpg;
static int cpg_open;
static unsigned int me;

/* This machine's figures (one sysinfo(2): MemTotal, MemFree, loads). */
static int measure(struct values_msg *m)
{
	struct sysinfo si;

	memset(m, 0, sizeof(m[0]));
	m->magic = VALUES_MAGIC;
	m->version = VALUES_VERSION;
	m->size = sizeof(*m);
	m->cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	if (sysinfo(&si))
		return 0;
	m->mem_total_kb = (uint64_t)si.totalram * si.mem_unit / 1024;
	m->mem_free_kb = (uint64_t)si.freeram * si.mem_unit / 1024;
	/* loads are fixed point, 16 bits of fraction; ours x 100, rounded */
	for (int i = 0; i < 3; i++)
		m->load[i] = (uint32_t)((si.loads[i] * 100 + (1UL << 15)) >> 16);
	return m->mem_total_kb && m->cpus;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct values_msg m;
	char err[256];

	(void)h; (void)group; (void)pid;
	if (nodeid == me)
		return;
	if (nodeid < 1 || nodeid > KRG_MAX_NODES) {
		say(LOG_WARNING, "krg_values: corosync nodeid %u is outside 1..%d: dropped",
		    nodeid, KRG_MAX_NODES);
		return;
	}
	if (probes_is_batch(msg, len)) {
		probes_deliver((int)nodeid - 1, msg, len);
		return;
	}
	if (len != sizeof(m)) {
		say(LOG_WARNING, "krg_values: a message of %zu bytes from nodeid %u: dropped",
		    len, nodeid);
		return;
	}
	memcpy(&m, msg, sizeof(m));
	if (m.magic != VALUES_MAGIC || m.version != VALUES_VERSION ||
	    m.size != sizeof(m)) {
		say(LOG_WARNING, "krg_values: not a version %d message from nodeid %u: dropped",
		    VALUES_VERSION, nodeid);
		return;
	}
	if (krgd_genl())
		return;
	if (krg_node_info_set(&genl, (int)nodeid - 1, m.cpus, m.mem_total_kb,
			      m.mem_free_kb, m.load, err, sizeof(err)))
		/* Before the membership reached krg.ko: the next one lands. */
		say(errno == EHOSTDOWN ? LOG_DEBUG : LOG_WARNING,
		    "krg.ko refused node %u's figures: %s%s%s", nodeid - 1,
		    strerror(errno), err[0] ? ": " : "", err);
}

int values_open(unsigned int local_nodeid)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
	};

	me = local_nodeid;
	if (krgd_cpg_join(&cpg, VALUES_GROUP, &model))
		return -1;
	cpg_open = 1;
	return 0;
}

int values_fd(void)
{
	int fd = -1;

	if (cpg_open && cpg_fd_get(cpg, &fd) != CS_OK)
		return -1;
	return fd;
}

int values_dispatch(void)
{
	cs_error_t e = cpg_dispatch(cpg, CS_DISPATCH_ALL);

	return e == CS_OK || e == CS_ERR_TRY_AGAIN ? 0 : -1;
}

/* Multicast one message; busy (a membership change): it is skipped. */
static int send_msg(const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	cs_error_t e;

	e = cpg_mcast_joined(cpg, CPG_TYPE_AGREED, &iov, 1);
	if (e != CS_OK && e != CS_ERR_TRY_AGAIN)
		say(LOG_DEBUG, "krg_values: send: error %d", e);
	return e == CS_OK ? 0 : -1;
}

void values_publish(void)
{
	struct values_msg m;

	if (!cpg_open)
		return;
	if (measure(&m))
		send_msg(&m, sizeof(m));
	probes_publish((int)me - 1, send_msg);
}

void values_close(void)
{
	if (cpg_open)
		cpg_finalize(cpg);
	cpg_open = 0;
}
