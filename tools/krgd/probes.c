// SPDX-License-Identifier: GPL-2.0
/*
 * Remote probe values: every period each agent reads the value of every
 * probe source of its own node (KRG_CMD_VALUE_GET on krg.ko: the probe's
 * own read, through the core's value cache) and multicasts them, batched,
 * in the CPG group of values.c; every other agent hands each one to its
 * krg.ko (KRG_CMD_VALUE_SET), which fills that node's entry of the value
 * cache. So `probes/P/S/nodes/<n>/value`, remote_cache_filter and the
 * policies read node n's values on every machine, with their age; a
 * policy never waits on the network (an entry with no value yet reads as
 * "(no value yet)", -EAGAIN).
 *
 * The sources are found in this machine's configfs tree
 * (probes/<probe>/<source>/ with a nodes/ directory), scanned every few
 * periods; sources that take a parameter (a pid) are not cached and not
 * sent. A value the receiver
 * cannot take (it has no such probe, the sender is not online there yet)
 * is dropped: a tree that is not the same on every node only has fewer
 * remote values.
 *
 * A batch: a header and up to PROBES_MAX_ENTRIES entries, each its names'
 * and value's lengths, the value's age at the sender (ms), the names and
 * the value, padded to 4 bytes; at most PROBES_MSG_MAX bytes (CPG takes
 * 1 MiB); more sources make more batches. Little-endian, as the machines
 * are (x86-64). Anything malformed is dropped with a note naming the
 * sender.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "krgd.h"

#define PROBES_MAGIC		0x4b524750	/* "KRGP" */
#define PROBES_VERSION		1
#define PROBES_MSG_MAX		(64 * 1024)
#define PROBES_MAX_ENTRIES	1024

struct probes_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t count;			/* entries that follow */
	uint32_t size;			/* bytes, this header included */
};

struct probes_entry {
	uint8_t probe_len;		/* without NUL */
	uint8_t source_len;
	uint8_t value_len;		/* 1 to KRG_GENL_VALUE_MAX */
	uint8_t pad;
	uint32_t age_ms;
	/* then probe, source, value; padded to 4 bytes */
};

_Static_assert(sizeof(struct probes_hdr) == 12, "probes_hdr layout");
_Static_assert(sizeof(struct probes_entry) == 8, "probes_entry layout");
_Static_assert(KRG_GENL_NAME_MAX <= 255 && KRG_GENL_VALUE_MAX <= 255,
	       "names and values fit their u8 lengths");

static size_t entry_size(size_t probe, size_t source, size_t value)
{
	return (sizeof(struct probes_entry) + probe + source + value + 3) & ~3UL;
}

struct batch {
	unsigned char buf[PROBES_MSG_MAX];
	size_t len;
	unsigned int count;
};

static void batch_reset(struct batch *b)
{
	b->len = sizeof(struct probes_hdr);
	b->count = 0;
}

static void batch_send(struct batch *b, int (*send)(const void *, size_t))
{
	struct probes_hdr h = {
		.magic = PROBES_MAGIC,
		.version = PROBES_VERSION,
		.count = (uint16_t)b->count,
		.size = (uint32_t)b->len,
	};

	if (!b->count)
		return;
	memcpy(b->buf, &h, sizeof(h));
	send(b->buf, b->len);
	batch_reset(b);
}

static void batch_add(struct batch *b, const char *probe, const char *source,
		      const void *value, size_t vlen, unsigned int age_ms,
		      int (*send)(const void *, size_t))
{
	size_t pl = strlen(probe), sl = strlen(source);
	size_t n = entry_size(pl, sl, vlen);
	struct probes_entry e = {
		.probe_len = (uint8_t)pl,
		.source_len = (uint8_t)sl,
		.value_len = (uint8_t)vlen,
		.age_ms = age_ms,
	};
	unsigned char *p;

	if (b->len + n > sizeof(b->buf) || b->count == PROBES_MAX_ENTRIES)
		batch_send(b, send);
	p = b->buf + b->len;
	memset(p, 0, n);
	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), probe, pl);
	memcpy(p + sizeof(e) + pl, source, sl);
	memcpy(p + sizeof(e) + pl + sl, value, vlen);
	b->len += n;
	b->count++;
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int name_ok(const char *name)
{
	return name[0] != '.' && strlen(name) <= KRG_GENL_NAME_MAX;
}

/*
 * The sources found at the last scan of the tree. A scan every
 * PROBES_RESCAN periods (and at the next period after a source went away)
 * finds new ones; in between only their values are read.
 */
#define PROBES_RESCAN	4

struct source {
	char probe[KRG_GENL_NAME_MAX + 1];
	char name[KRG_GENL_NAME_MAX + 1];
};

static struct source *sources;
static size_t nr_sources, room;
static unsigned int periods;
static int rescan_now = 1;

static void add_source(const char *probe, const char *name)
{
	if (nr_sources == room) {
		size_t n = room ? 2 * room : 16;
		struct source *s = realloc(sources, n * sizeof(*s));

		if (!s)
			return;	/* this one is missed until the next scan */
		sources = s;
		room = n;
	}
	strcpy(sources[nr_sources].probe, probe);
	strcpy(sources[nr_sources].name, name);
	nr_sources++;
}

/* Every source of @probe at @dir: probes/<probe>/<source>/nodes/ exists. */
static void scan_probe(const char *dir, const char *probe)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *sd;

	sd = opendir(dir);
	if (!sd)
		return;		/* removed meanwhile */
	while ((d = readdir(sd))) {
		if (d->d_type != DT_DIR || !name_ok(d->d_name) ||
		    snprintf(path, sizeof(path), "%s/%s/nodes", dir,
			     d->d_name) >= (int)sizeof(path) || !is_dir(path))
			continue;	/* a file, or a port: not a source */
		add_source(probe, d->d_name);
	}
	closedir(sd);
}

static void scan(const char *root)
{
	char dir[PATH_MAX];
	struct dirent *d;
	DIR *pd;

	nr_sources = 0;
	pd = opendir(root);
	if (!pd)
		return;		/* krg_scheduler.ko not loaded */
	while ((d = readdir(pd))) {
		if (d->d_type != DT_DIR || !name_ok(d->d_name) ||
		    snprintf(dir, sizeof(dir), "%s/%s", root, d->d_name) >=
		    (int)sizeof(dir))
			continue;
		scan_probe(dir, d->d_name);
	}
	closedir(pd);
}

void probes_publish(int me, int (*send)(const void *, size_t))
{
	static struct batch b;
	char root[PATH_MAX], value[KRG_GENL_VALUE_MAX];

	/* krgd's private mount when the tree is replicated: no FUSE hop */
	if (snprintf(root, sizeof(root), "%s/probes",
		     is_dir(TREE_PRIVATE "/krg_scheduler") ?
		     TREE_PRIVATE "/krg_scheduler" : krg_cfs_root()) >=
	    (int)sizeof(root))
		return;
	if (rescan_now || periods++ % PROBES_RESCAN == 0) {
		scan(root);
		rescan_now = 0;
	}
	if (!nr_sources || krgd_genl())
		return;
	batch_reset(&b);
	for (size_t i = 0; i < nr_sources; i++) {
		size_t len = sizeof(value);
		unsigned int age;

		/*
		 * No value yet, a source with a parameter: nothing to send for
		 * it this period. Gone (its probe removed): scan again.
		 */
		if (krg_value_get(&genl, me, sources[i].probe, sources[i].name,
				  value, &len, &age, NULL, 0) || !len) {
			if (errno == ENOENT || errno == EOPNOTSUPP)
				rescan_now = 1;
			continue;
		}
		batch_add(&b, sources[i].probe, sources[i].name, value, len,
			  age, send);
	}
	batch_send(&b, send);
}

int probes_is_batch(const void *msg, size_t len)
{
	uint32_t magic;

	if (len < sizeof(magic))
		return 0;
	memcpy(&magic, msg, sizeof(magic));
	return magic == PROBES_MAGIC;
}

/* A batch from @node (a krg node id): into krg.ko's value cache. */
void probes_deliver(int node, const void *msg, size_t len)
{
	const unsigned char *p = msg, *end = p + len;
	struct probes_hdr h;
	char probe[KRG_GENL_NAME_MAX + 1], source[KRG_GENL_NAME_MAX + 1];
	char err[256];

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, p, sizeof(h));
	if (h.version != PROBES_VERSION || h.size != len)
		goto bad;
	p += sizeof(h);
	if (krgd_genl())
		return;
	for (unsigned int i = 0; i < h.count; i++) {
		struct probes_entry e;
		size_t n;

		if ((size_t)(end - p) < sizeof(e))
			goto bad;
		memcpy(&e, p, sizeof(e));
		n = entry_size(e.probe_len, e.source_len, e.value_len);
		if ((size_t)(end - p) < n || !e.probe_len || !e.source_len ||
		    !e.value_len || e.value_len > KRG_GENL_VALUE_MAX)
			goto bad;
		memcpy(probe, p + sizeof(e), e.probe_len);
		probe[e.probe_len] = '\0';
		memcpy(source, p + sizeof(e) + e.probe_len, e.source_len);
		source[e.source_len] = '\0';
		if (krg_value_set(&genl, node, probe, source,
				  p + sizeof(e) + e.probe_len + e.source_len,
				  e.value_len, e.age_ms, err, sizeof(err)))
			/*
			 * ENOENT: no such probe here; EHOSTDOWN: the sender is
			 * not online here yet. Both are normal.
			 */
			say(errno == ENOENT || errno == EHOSTDOWN ? LOG_DEBUG :
			    LOG_WARNING, "krg.ko refused node %d's %s/%s: %s%s%s",
			    node, probe, source, strerror(errno),
			    err[0] ? ": " : "", err);
		p += n;
	}
	if (p != end)
		goto bad;
	return;
bad:
	say(LOG_WARNING, "krg_values: a malformed probe batch of %zu bytes from node %d: dropped",
	    len, node);
}
