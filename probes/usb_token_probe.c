// SPDX-License-Identifier: GPL-2.0
/*
 * usb_token_probe: per node, is its USB token key plugged in, and how many
 * tokens are left on it. The seed's token scheduler: "each node has a USB
 * key holding tokens".
 *
 * Sources (per node; the plain value is the local node's):
 *   key_present  u64, 1 when the node's key is plugged in, else 0
 *   tokens       u64, tokens left on the node's key: -ENODATA ("(no
 *                data)") when the node has no key plugged in, -EAGAIN
 *                ("no value yet") when it has one but no count was fed
 *                since it was plugged in
 * Both are event-driven (probe_period 0): published when a key comes or
 * goes and when a count is fed.
 *
 * Attributes:
 *   key_id      rw  "vvvv:pppp": the vendor:product (hex, 1 to 4 digits
 *                   each, as lsusb prints them) of a token key; an empty
 *                   line: none (the default: nothing is a key). EINVAL for
 *                   anything else.
 *   key_map     rw  which key belongs to which node. Write "NODE ID" to
 *                   give node NODE the key ID: its USB serial number
 *                   (iSerialNumber, e.g. "KRGKEY0001"), or "port:NAME" for
 *                   the key in a given port, NAME being the USB device's
 *                   name in /sys/bus/usb/devices (e.g. "port:2-1"). Write
 *                   "NODE" or "NODE -" to forget node NODE's key. One key per
 *                   node. EINVAL bad syntax (an ID has 1 to 63 printable
 *                   characters, no blank), ERANGE node out of 0..255, EEXIST
 *                   the ID is another node's key, ENOSPC more than 32 nodes.
 *                   Reads "NODE ID present|absent" per line.
 *   set_tokens  wo  "NODE COUNT": the count read from node NODE's key (by
 *                   `krgtoken`, docs/krgtoken.1). EINVAL garbage, ERANGE a
 *                   negative count or one above 2^53, or a node out of range,
 *                   ENODEV node NODE has no key plugged in.
 *   usb_devices ro  every USB device the probe knows: "NAME VVVV:PPPP
 *                   SERIAL node N|-" ("-" for no serial / not a key).
 *   events      ro  "plugged N" and "unplugged N": key arrivals and
 *                   departures seen since the probe was made.
 *
 * How keys are seen. The probe registers with the USB core's notifier
 * (usb_register_notify(): one callback per device added or removed, in
 * process context) and, once registered, walks the devices already there
 * (usb_for_each_dev()). It keeps a table of every USB device (name,
 * vendor:product, serial): whether a device is a node's key depends on
 * key_id and key_map, which can change at any time, so presence is computed
 * again from the table after each event or write, without asking the USB
 * core. A device the walk meets while it is being removed is skipped (its
 * state is already "not attached" when the remove notification is sent),
 * so the walk and the notifier cannot leave a stale entry whichever order
 * they run in. The count is not read from the key by the kernel: the key is
 * a mass-storage device with a file system, which is user space's business;
 * `krgtoken` reads the TOKENS file of the mounted key and feeds it here. A
 * key that leaves takes its count with it (the count of a key plugged in
 * again, maybe after being refilled elsewhere, is unknown until fed).
 *
 * Locking. cfg_lock (a mutex) protects the device table, key_id and
 * key_map; it is a leaf: nothing of the USB core is called under it.
 * vlock (a spinlock) protects the per-node values that get_value reads in
 * atomic context. Order: cfg_lock, then vlock.
 *
 * Cluster mode (later): each machine's probe sees its own USB bus and maps
 * its keys to its own node; other nodes' values come from the SSI cache.
 */
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/usb.h>
#include <linux/unaligned.h>
#include <krg/nodes.h>
#include <krg/sched.h>

#define UTP_MAX_DEVS	64	/* USB devices remembered */
#define UTP_MAX_MAP	32	/* nodes with a key */
#define UTP_ID_LEN	64	/* a key id, with its NUL */
#define UTP_NAME_LEN	32	/* a USB device name ("2-1.4") */
#define UTP_PORT	"port:"
#define UTP_TOKENS_MAX	(1ULL << 53)
/* Offsets of the vendor and product ids in a device descriptor (USB 2.0, 9.6.1). */
#define UTP_DESC_VENDOR		8
#define UTP_DESC_PRODUCT	10

enum {
	UTP_KEY_PRESENT,
	UTP_TOKENS,
};

struct utp_dev {
	char name[UTP_NAME_LEN];
	char serial[UTP_ID_LEN];	/* "" when the device has none */
	u16 vendor;
	u16 product;
};

struct utp_map {
	int node;
	char id[UTP_ID_LEN];		/* serial, or "port:<name>" */
};

struct usb_token_probe {
	struct krg_probe *probe;
	struct notifier_block nb;

	struct mutex cfg_lock;	/* protects devs .. map, see the top */
	struct utp_dev devs[UTP_MAX_DEVS];
	unsigned int nr_devs;
	bool devs_full;		/* logged once */
	bool key_set;
	u16 vendor;
	u16 product;
	struct utp_map map[UTP_MAX_MAP];
	unsigned int nr_map;

	spinlock_t vlock;	/* protects present, fed, tokens */
	DECLARE_BITMAP(present, KRG_MAX_NODES);
	DECLARE_BITMAP(fed, KRG_MAX_NODES);
	u64 tokens[KRG_MAX_NODES];

	atomic64_t plugged;
	atomic64_t unplugged;
};

/* --- presence ------------------------------------------------------------- */

static bool utp_is_key(struct usb_token_probe *up, const struct utp_dev *d)
{
	return up->key_set && d->vendor == up->vendor &&
	       d->product == up->product;
}

/* The node whose key @d is, or KRG_NODE_NONE. Caller holds cfg_lock. */
static int utp_node_of(struct usb_token_probe *up, const struct utp_dev *d)
{
	unsigned int i;
	const char *id;

	if (!utp_is_key(up, d))
		return KRG_NODE_NONE;
	for (i = 0; i < up->nr_map; i++) {
		id = up->map[i].id;
		if (str_has_prefix(id, UTP_PORT) ?
		    !strcmp(id + strlen(UTP_PORT), d->name) :
		    (d->serial[0] && !strcmp(id, d->serial)))
			return up->map[i].node;
	}
	return KRG_NODE_NONE;
}

/*
 * Compute which nodes have their key from the table, and publish what
 * changed. A node whose key left loses its count. Caller holds cfg_lock.
 */
static void utp_refresh(struct usb_token_probe *up)
{
	DECLARE_BITMAP(now, KRG_MAX_NODES);
	DECLARE_BITMAP(diff, KRG_MAX_NODES);
	unsigned long flags;
	unsigned int i;
	int node;

	bitmap_zero(now, KRG_MAX_NODES);
	for (i = 0; i < up->nr_devs; i++) {
		node = utp_node_of(up, &up->devs[i]);
		if (node != KRG_NODE_NONE)
			__set_bit(node, now);
	}

	spin_lock_irqsave(&up->vlock, flags);
	bitmap_xor(diff, now, up->present, KRG_MAX_NODES);
	/* Came or went: the count is unknown either way. */
	bitmap_andnot(up->fed, up->fed, diff, KRG_MAX_NODES);
	bitmap_copy(up->present, now, KRG_MAX_NODES);
	spin_unlock_irqrestore(&up->vlock, flags);

	if (bitmap_empty(diff, KRG_MAX_NODES))
		return;
	for_each_set_bit(node, diff, KRG_MAX_NODES) {
		if (test_bit(node, now)) {
			atomic64_inc(&up->plugged);
			pr_info("node %d: token key plugged in\n", node);
		} else {
			atomic64_inc(&up->unplugged);
			pr_info("node %d: token key unplugged\n", node);
		}
	}
	krg_probe_publish(up->probe, UTP_KEY_PRESENT);
	krg_probe_publish(up->probe, UTP_TOKENS);
}

static int utp_find_dev(struct usb_token_probe *up, const char *name)
{
	unsigned int i;

	for (i = 0; i < up->nr_devs; i++)
		if (!strcmp(up->devs[i].name, name))
			return i;
	return -1;
}

/* Remember @udev (again). Caller holds cfg_lock. */
static void utp_add(struct usb_token_probe *up, struct usb_device *udev)
{
	const char *name = dev_name(&udev->dev);
	const u8 *desc;
	struct utp_dev *d;
	int i;

	i = utp_find_dev(up, name);
	if (i < 0) {
		if (up->nr_devs == UTP_MAX_DEVS) {
			if (!up->devs_full)
				pr_warn("more than %d USB devices: %s and later ones are not looked at\n",
					UTP_MAX_DEVS, name);
			up->devs_full = true;
			return;
		}
		i = up->nr_devs++;
	}
	d = &up->devs[i];
	strscpy(d->name, name, sizeof(d->name));
	strscpy(d->serial, udev->serial ?: "", sizeof(d->serial));
	desc = (const u8 *)&udev->descriptor;
	d->vendor = get_unaligned_le16(desc + UTP_DESC_VENDOR);
	d->product = get_unaligned_le16(desc + UTP_DESC_PRODUCT);
}

static void utp_remove(struct usb_token_probe *up, struct usb_device *udev)
{
	int i = utp_find_dev(up, dev_name(&udev->dev));

	if (i < 0)
		return;
	up->devs[i] = up->devs[--up->nr_devs];
}

/* USB core notifier: process context, the device locked. */
static int utp_usb_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct usb_token_probe *up = container_of(nb, struct usb_token_probe,
						  nb);

	if (action != USB_DEVICE_ADD && action != USB_DEVICE_REMOVE)
		return NOTIFY_DONE;
	mutex_lock(&up->cfg_lock);
	if (action == USB_DEVICE_ADD)
		utp_add(up, data);
	else
		utp_remove(up, data);
	utp_refresh(up);
	mutex_unlock(&up->cfg_lock);
	return NOTIFY_OK;
}

/* usb_for_each_dev() callback: a device present when the probe starts. */
static int utp_scan_one(struct usb_device *udev, void *arg)
{
	struct usb_token_probe *up = arg;

	mutex_lock(&up->cfg_lock);
	/* Being removed: its remove notification has run or will run. */
	if (READ_ONCE(udev->state) != USB_STATE_NOTATTACHED)
		utp_add(up, udev);
	mutex_unlock(&up->cfg_lock);
	return 0;
}

/* --- sources -------------------------------------------------------------- */

static int utp_node_value(struct krg_probe *probe, int node, void *out,
			  unsigned int src)
{
	struct usb_token_probe *up = krg_probe_priv(probe);
	unsigned long flags;
	int ret = 1;

	if (!krg_node_valid(node) || !krg_node_online(node))
		return -ENODATA;
	spin_lock_irqsave(&up->vlock, flags);
	if (src == UTP_KEY_PRESENT)
		*(u64 *)out = test_bit(node, up->present);
	else if (!test_bit(node, up->present))
		ret = -ENODATA;
	else if (!test_bit(node, up->fed))
		ret = -EAGAIN;
	else
		*(u64 *)out = up->tokens[node];
	spin_unlock_irqrestore(&up->vlock, flags);
	return ret;
}

static int utp_present_node(struct krg_probe *probe, int node, void *out,
			    unsigned int nr, const void *in,
			    unsigned int in_nr)
{
	return utp_node_value(probe, node, out, UTP_KEY_PRESENT);
}

static int utp_present_get(struct krg_probe *probe, void *out,
			   unsigned int nr, const void *in, unsigned int in_nr)
{
	return utp_node_value(probe, krg_local_node(), out, UTP_KEY_PRESENT);
}

static int utp_tokens_node(struct krg_probe *probe, int node, void *out,
			   unsigned int nr, const void *in, unsigned int in_nr)
{
	return utp_node_value(probe, node, out, UTP_TOKENS);
}

static int utp_tokens_get(struct krg_probe *probe, void *out,
			  unsigned int nr, const void *in, unsigned int in_nr)
{
	return utp_node_value(probe, krg_local_node(), out, UTP_TOKENS);
}

static const struct krg_source_desc utp_src_present = {
	.name = "key_present",
	.type = &krg_type_u64,
	.get_value = utp_present_get,
	.get_node_value = utp_present_node,
};

static const struct krg_source_desc utp_src_tokens = {
	.name = "tokens",
	.type = &krg_type_u64,
	.get_value = utp_tokens_get,
	.get_node_value = utp_tokens_node,
};

static const struct krg_source_desc *const utp_sources[] = {
	[UTP_KEY_PRESENT] = &utp_src_present,
	[UTP_TOKENS] = &utp_src_tokens,
	NULL,
};

/* --- attributes ----------------------------------------------------------- */

static struct usb_token_probe *utp_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

/* Length of @page without one trailing newline. */
static size_t utp_len(const char *page, size_t count)
{
	return count && page[count - 1] == '\n' ? count - 1 : count;
}

static ssize_t usb_token_probe_key_id_show(struct config_item *item,
					   char *page)
{
	struct usb_token_probe *up = utp_of(item);
	ssize_t len;

	mutex_lock(&up->cfg_lock);
	if (up->key_set)
		len = sysfs_emit(page, "%04x:%04x\n", up->vendor, up->product);
	else
		len = sysfs_emit(page, "\n");
	mutex_unlock(&up->cfg_lock);
	return len;
}

/* 1 to 4 hex digits, exactly: "0x", signs and blanks are refused. */
static int utp_parse_hex16(const char *s, size_t len, u16 *out)
{
	char buf[5];
	size_t i;

	if (!len || len > 4)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isxdigit(s[i]))
			return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return kstrtou16(buf, 16, out);
}

static ssize_t usb_token_probe_key_id_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct usb_token_probe *up = utp_of(item);
	size_t len = utp_len(page, count);
	const char *colon = memchr(page, ':', len);
	u16 vendor, product;
	bool set = len != 0;

	if (set && (!colon ||
		    utp_parse_hex16(page, colon - page, &vendor) ||
		    utp_parse_hex16(colon + 1, page + len - colon - 1,
				    &product))) {
		pr_notice_ratelimited("key_id: \"%.*s\" is not vendor:product (hex, e.g. 46f4:0001)\n",
				      (int)min_t(size_t, len, 32), page);
		return -EINVAL;
	}
	mutex_lock(&up->cfg_lock);
	up->key_set = set;
	if (set) {
		up->vendor = vendor;
		up->product = product;
	}
	utp_refresh(up);
	mutex_unlock(&up->cfg_lock);
	return count;
}
CONFIGFS_ATTR(usb_token_probe_, key_id);

static bool utp_node_present(struct usb_token_probe *up, int node)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&up->vlock, flags);
	ret = test_bit(node, up->present);
	spin_unlock_irqrestore(&up->vlock, flags);
	return ret;
}

static ssize_t usb_token_probe_key_map_show(struct config_item *item,
					    char *page)
{
	struct usb_token_probe *up = utp_of(item);
	unsigned int i;
	ssize_t len = 0;

	mutex_lock(&up->cfg_lock);
	for (i = 0; i < up->nr_map; i++)
		len += sysfs_emit_at(page, len, "%d %s %s\n", up->map[i].node,
				     up->map[i].id,
				     utp_node_present(up, up->map[i].node) ?
				     "present" : "absent");
	mutex_unlock(&up->cfg_lock);
	return len;
}

/* A key id: 1..63 printable characters, no blank. */
static bool utp_id_ok(const char *id, size_t len)
{
	size_t i;

	if (!len || len >= UTP_ID_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(id[i]))
			return false;
	return len > strlen(UTP_PORT) || strncmp(id, UTP_PORT, len);
}

/* Parse a node id at @s: 0..KRG_MAX_NODES-1; *@end after it. */
static int utp_parse_node(const char *s, size_t len, int *node, size_t *end)
{
	char buf[12];
	size_t n = 0;
	int ret;

	while (n < len && !isspace(s[n]))
		n++;
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	ret = kstrtoint(buf, 10, node);
	if (ret)
		return ret;
	if (!krg_node_valid(*node))
		return -ERANGE;
	*end = n;
	return 0;
}

static ssize_t usb_token_probe_key_map_store(struct config_item *item,
					     const char *page, size_t count)
{
	struct usb_token_probe *up = utp_of(item);
	size_t len = utp_len(page, count), n;
	const char *id;
	size_t id_len;
	unsigned int i;
	int node, ret, slot = -1;

	ret = utp_parse_node(page, len, &node, &n);
	if (ret) {
		pr_notice_ratelimited("key_map: \"%.*s\": %s\n",
				      (int)min_t(size_t, len, 80), page,
				      ret == -ERANGE ? "node out of range 0..255" :
				      "write \"NODE SERIAL\", \"NODE port:NAME\" or \"NODE -\"");
		return ret;
	}
	id = page + n;
	id_len = len - n;
	while (id_len && isspace(*id)) {
		id++;
		id_len--;
	}
	if (id_len == 1 && *id == '-')
		id_len = 0;
	if (id_len && !utp_id_ok(id, id_len)) {
		pr_notice_ratelimited("key_map: \"%.*s\" is not a key id (1..63 printable characters, no blank)\n",
				      (int)min_t(size_t, id_len, 80), id);
		return -EINVAL;
	}

	mutex_lock(&up->cfg_lock);
	for (i = 0; i < up->nr_map; i++) {
		if (up->map[i].node == node) {
			slot = i;
		} else if (id_len && strlen(up->map[i].id) == id_len &&
			   !strncmp(up->map[i].id, id, id_len)) {
			mutex_unlock(&up->cfg_lock);
			pr_notice_ratelimited("key_map: %.*s is node %d's key already\n",
					      (int)id_len, id, up->map[i].node);
			return -EEXIST;
		}
	}
	if (!id_len) {
		if (slot >= 0)
			up->map[slot] = up->map[--up->nr_map];
	} else {
		if (slot < 0) {
			if (up->nr_map == UTP_MAX_MAP) {
				mutex_unlock(&up->cfg_lock);
				pr_notice_ratelimited("key_map: at most %d nodes have a key\n",
						      UTP_MAX_MAP);
				return -ENOSPC;
			}
			slot = up->nr_map++;
		}
		up->map[slot].node = node;
		memcpy(up->map[slot].id, id, id_len);
		up->map[slot].id[id_len] = '\0';
	}
	utp_refresh(up);
	mutex_unlock(&up->cfg_lock);
	return count;
}
CONFIGFS_ATTR(usb_token_probe_, key_map);

static ssize_t usb_token_probe_set_tokens_store(struct config_item *item,
						const char *page, size_t count)
{
	struct krg_probe *probe = krg_probe_from_item(item);
	struct usb_token_probe *up = krg_probe_priv(probe);
	size_t len = utp_len(page, count), n;
	unsigned long flags;
	char buf[24];
	bool changed;
	int node, ret;
	u64 v;

	ret = utp_parse_node(page, len, &node, &n);
	if (ret)
		goto bad;
	while (n < len && isspace(page[n]))
		n++;
	if (n == len || len - n >= sizeof(buf)) {
		ret = -EINVAL;
		goto bad;
	}
	memcpy(buf, page + n, len - n);
	buf[len - n] = '\0';
	if (buf[0] == '-') {
		ret = kstrtou64(buf + 1, 10, &v);
		if (!ret) {
			pr_notice_ratelimited("set_tokens: node %d: a count cannot be negative (%s)\n",
					      node, buf);
			return -ERANGE;
		}
		goto bad;
	}
	ret = kstrtou64(buf, 10, &v);
	if (ret)
		goto bad;
	if (v > UTP_TOKENS_MAX) {
		pr_notice_ratelimited("set_tokens: node %d: count %llu above 2^53\n",
				      node, v);
		return -ERANGE;
	}

	spin_lock_irqsave(&up->vlock, flags);
	if (!test_bit(node, up->present)) {
		spin_unlock_irqrestore(&up->vlock, flags);
		pr_notice_ratelimited("set_tokens: node %d has no token key plugged in\n",
				      node);
		return -ENODEV;
	}
	changed = !test_bit(node, up->fed) || up->tokens[node] != v;
	up->tokens[node] = v;
	__set_bit(node, up->fed);
	spin_unlock_irqrestore(&up->vlock, flags);
	if (changed)
		krg_probe_publish(probe, UTP_TOKENS);
	return count;
bad:
	pr_notice_ratelimited("set_tokens: \"%.*s\": %s\n",
			      (int)min_t(size_t, len, 48), page,
			      ret == -ERANGE ? "node out of range 0..255" :
			      "write \"NODE COUNT\" (a decimal count >= 0)");
	return ret;
}
CONFIGFS_ATTR_WO(usb_token_probe_, set_tokens);

static ssize_t usb_token_probe_usb_devices_show(struct config_item *item,
						char *page)
{
	struct usb_token_probe *up = utp_of(item);
	const struct utp_dev *d;
	unsigned int i;
	ssize_t len = 0;
	int node;

	mutex_lock(&up->cfg_lock);
	for (i = 0; i < up->nr_devs; i++) {
		d = &up->devs[i];
		node = utp_node_of(up, d);
		if (node == KRG_NODE_NONE)
			len += sysfs_emit_at(page, len, "%s %04x:%04x %s node -\n",
					     d->name, d->vendor, d->product,
					     d->serial[0] ? d->serial : "-");
		else
			len += sysfs_emit_at(page, len, "%s %04x:%04x %s node %d\n",
					     d->name, d->vendor, d->product,
					     d->serial[0] ? d->serial : "-",
					     node);
	}
	mutex_unlock(&up->cfg_lock);
	return len;
}
CONFIGFS_ATTR_RO(usb_token_probe_, usb_devices);

static ssize_t usb_token_probe_events_show(struct config_item *item,
					   char *page)
{
	struct usb_token_probe *up = utp_of(item);

	return sysfs_emit(page, "plugged %lld\nunplugged %lld\n",
			  atomic64_read(&up->plugged),
			  atomic64_read(&up->unplugged));
}
CONFIGFS_ATTR_RO(usb_token_probe_, events);

static struct configfs_attribute *utp_attrs[] = {
	&usb_token_probe_attr_key_id,
	&usb_token_probe_attr_key_map,
	&usb_token_probe_attr_set_tokens,
	&usb_token_probe_attr_usb_devices,
	&usb_token_probe_attr_events,
	NULL,
};

/* --- instance ------------------------------------------------------------- */

static int utp_init(struct krg_probe *probe)
{
	struct usb_token_probe *up = krg_probe_priv(probe);

	up->probe = probe;
	mutex_init(&up->cfg_lock);
	spin_lock_init(&up->vlock);
	up->nb.notifier_call = utp_usb_notify;
	/* First listen, then look: nothing plugged in between is missed. */
	usb_register_notify(&up->nb);
	usb_for_each_dev(up, utp_scan_one);
	return 0;
}

static void utp_exit(struct krg_probe *probe)
{
	struct usb_token_probe *up = krg_probe_priv(probe);

	/* Waits for a running callback. */
	usb_unregister_notify(&up->nb);
	mutex_destroy(&up->cfg_lock);
}

KRG_PROBE_MODULE(usb_token_probe,
		 .sources = utp_sources,
		 .attrs = utp_attrs,
		 .period_ms = 0,
		 .priv_size = sizeof(struct usb_token_probe),
		 .init = utp_init,
		 .exit = utp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: USB token keys per node and their token counts");
