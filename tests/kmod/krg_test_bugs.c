// SPDX-License-Identifier: GPL-2.0
/*
 * krg_test_bugs: bugs on purpose, to prove that `make check-debug` catches
 * each class it claims to (scripts/check-debug.sh --selftest). Never loaded
 * by the suite. Loading it with bug=<name> commits that bug once, at load:
 *
 *   uaf       reads a kmalloc'ed object after kfree()  -> KASAN report
 *   inversion takes two mutexes in both orders         -> lockdep report
 *   leak      forgets a kmalloc'ed object              -> kmemleak report
 *   sleep     allocates with GFP_KERNEL (may sleep) under a spinlock
 *                                                      -> "BUG: sleeping
 *             function called from invalid context"
 *
 * Without bug= (or with an unknown one) the load fails with EINVAL, doing
 * nothing.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "uaf, inversion, leak or sleep");

/* Where the leaked object's address is forgotten from. */
static void *krg_test_bugs_sink;

static DEFINE_MUTEX(krg_test_bugs_a);
static DEFINE_MUTEX(krg_test_bugs_b);
static DEFINE_SPINLOCK(krg_test_bugs_lock);

static noinline int krg_test_bugs_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	p[0] = 1;
	kfree(p);
	return READ_ONCE(p[0]);		/* the bug */
}

static noinline void krg_test_bugs_inversion(void)
{
	mutex_lock(&krg_test_bugs_a);
	mutex_lock(&krg_test_bugs_b);
	mutex_unlock(&krg_test_bugs_b);
	mutex_unlock(&krg_test_bugs_a);

	mutex_lock(&krg_test_bugs_b);
	mutex_lock(&krg_test_bugs_a);	/* the bug: b then a */
	mutex_unlock(&krg_test_bugs_a);
	mutex_unlock(&krg_test_bugs_b);
}

static noinline void krg_test_bugs_leak(void)
{
	/* The only reference is dropped when the address is overwritten. */
	WRITE_ONCE(krg_test_bugs_sink, kmalloc(128, GFP_KERNEL));
	WRITE_ONCE(krg_test_bugs_sink, NULL);
}

static noinline void krg_test_bugs_sleep(void)
{
	spin_lock(&krg_test_bugs_lock);
	kfree(kmalloc(32, GFP_KERNEL));	/* the bug: GFP_KERNEL may sleep */
	spin_unlock(&krg_test_bugs_lock);
}

static int __init krg_test_bugs_init(void)
{
	if (!strcmp(bug, "uaf"))
		pr_info("uaf: read %d\n", krg_test_bugs_uaf());
	else if (!strcmp(bug, "inversion"))
		krg_test_bugs_inversion();
	else if (!strcmp(bug, "leak"))
		krg_test_bugs_leak();
	else if (!strcmp(bug, "sleep"))
		krg_test_bugs_sleep();
	else
		return -EINVAL;
	pr_info("committed bug '%s'\n", bug);
	return 0;
}

static void __exit krg_test_bugs_exit(void)
{
}

module_init(krg_test_bugs_init);
module_exit(krg_test_bugs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched tests: bugs on purpose for the debug-kernel self-test");
