// SPDX-License-Identifier: GPL-2.0
/* offset_filter: its input plus `offset`. */
#include <linux/configfs.h>
#include <linux/module.h>
#include <krg/sched.h>

struct offset_filter {
	u64 offset;	/* written by the attribute, read anywhere: *_ONCE */
};

static ssize_t offset_filter_offset_show(struct config_item *item, char *page)
{
	struct offset_filter *of = krg_filter_priv(krg_filter_from_item(item));

	return sysfs_emit(page, "%llu\n", READ_ONCE(of->offset));
}

static ssize_t offset_filter_offset_store(struct config_item *item,
					  const char *page, size_t count)
{
	struct offset_filter *of = krg_filter_priv(krg_filter_from_item(item));
	u64 v;
	int ret = kstrtou64(page, 0, &v);	/* garbage: EINVAL */

	if (ret)
		return ret;
	WRITE_ONCE(of->offset, v);
	return count;
}
CONFIGFS_ATTR(offset_filter_, offset);

static struct configfs_attribute *offset_attrs[] = {
	&offset_filter_attr_offset,
	NULL,
};

/* Its output, pulled: the main input's value plus the offset. Atomic. */
static int offset_get(struct krg_filter *filter, void *out, unsigned int nr,
		      const void *in, unsigned int in_nr)
{
	struct offset_filter *of = krg_filter_priv(filter);
	u64 v;
	int ret = krg_port_get_value(krg_filter_port(filter, 0), &v, 1,
				     in, in_nr);

	if (ret != 1)
		return ret;			/* no value, or an error */
	*(u64 *)out = v + READ_ONCE(of->offset);
	return 1;
}

/* The main input, the filter's own directory: <filter>/<any link name>. */
static const struct krg_port_desc offset_in = {
	.name = "input", .type = &krg_type_u64,
};

static const struct krg_port_desc *const offset_ports[] = {
	&offset_in,
	NULL,
};

KRG_FILTER_MODULE(offset_filter,
		  .ports = offset_ports,
		  .type = &krg_type_u64,
		  .attrs = offset_attrs,
		  .priv_size = sizeof(struct offset_filter),
		  .get_value = offset_get);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched example filter: its input plus an offset");
