// SPDX-License-Identifier: GPL-2.0
/*
 * test_pass: a pass-through filter with the core's default callbacks: pulls
 * read its port, pushes are always republished, per-node values pass too.
 */
#include <linux/module.h>
#include <krg/sched.h>

static const struct krg_port_desc test_pass_in = {
	.name = "in",
	.type = &krg_type_u64,
};

static const struct krg_port_desc *const test_pass_ports[] = {
	&test_pass_in,
	NULL,
};

KRG_FILTER_MODULE(test_pass,
		  .ports = test_pass_ports,
		  .type = &krg_type_u64);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched pass-through test filter (tests only)");
