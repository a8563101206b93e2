// SPDX-License-Identifier: GPL-2.0
/*
 * krg_test_thermal: real thermal zones whose temperature the tests set, for
 * thermal_probe (tests only).
 *
 * Zones (tripless, never polled): one of type "krg_test" and two of type
 * "krg_test_twin" (a type shared by two zones, as "acpitz" often is).
 * Parameters (/sys/module/krg_test_thermal/parameters/):
 *   temp   rw: the temperature of "krg_test", millidegrees Celsius (may be
 *          negative); default 25000. The twins read temp + 1 and temp + 2.
 *   error  rw: when not 0, every zone's get_temp fails with -error (e.g. 5
 *          for EIO), as a broken sensor would.
 */
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/thermal.h>

static int krg_test_thermal_temp = 25000;
module_param_named(temp, krg_test_thermal_temp, int, 0644);
MODULE_PARM_DESC(temp, "temperature of zone krg_test, millidegrees Celsius");

static int krg_test_thermal_error;
module_param_named(error, krg_test_thermal_error, int, 0644);
MODULE_PARM_DESC(error, "when not 0, reads fail with -error");

struct krg_test_zone {
	const char *type;
	int offset;		/* added to temp */
	struct thermal_zone_device *tz;
};

static struct krg_test_zone krg_test_zones[] = {
	{ .type = "krg_test", .offset = 0 },
	{ .type = "krg_test_twin", .offset = 1 },
	{ .type = "krg_test_twin", .offset = 2 },
};

static int krg_test_thermal_get_temp(struct thermal_zone_device *tz,
				     int *temp)
{
	struct krg_test_zone *z = thermal_zone_device_priv(tz);
	int err = READ_ONCE(krg_test_thermal_error);

	if (err)
		return err > 0 ? -err : err;
	*temp = READ_ONCE(krg_test_thermal_temp) + z->offset;
	return 0;
}

static const struct thermal_zone_device_ops krg_test_thermal_ops = {
	.get_temp = krg_test_thermal_get_temp,
};

static void krg_test_thermal_unregister(unsigned int n)
{
	while (n--) {
		thermal_zone_device_unregister(krg_test_zones[n].tz);
		krg_test_zones[n].tz = NULL;
	}
}

static int __init krg_test_thermal_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(krg_test_zones); i++) {
		struct krg_test_zone *z = &krg_test_zones[i];
		struct thermal_zone_device *tz;

		tz = thermal_tripless_zone_device_register(z->type, z,
							   &krg_test_thermal_ops,
							   NULL);
		if (IS_ERR(tz)) {
			krg_test_thermal_unregister(i);
			return PTR_ERR(tz);
		}
		z->tz = tz;
	}
	return 0;
}
module_init(krg_test_thermal_init);

static void __exit krg_test_thermal_exit(void)
{
	krg_test_thermal_unregister(ARRAY_SIZE(krg_test_zones));
}
module_exit(krg_test_thermal_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched test thermal zones (tests only)");
