// SPDX-License-Identifier: GPL-2.0
/*
 * test_policy: a policy that records what it is told, for testing the core.
 * Ports: in (u64), aux (u64). Attributes:
 *   answer      rw: the node new_task_node answers (-1: KRG_NODE_NONE)
 *   calls       ro: new_task_node calls
 *   updates     ro: "in N aux M node_sets K": pushes per port, node-set changes
 *   last        ro: the value pulled from "in" at the last push to it
 *   pull        ro: pull "in" now: the value, or "(error -N)"
 *   migrate     wo: "PID NODE": krg_policy_migrate(); the write fails with
 *               its error
 *   place_bench write N: run the core's placement for the writer N times in
 *               a loop (bench/)
 *   place_bench_ns  read: mean ns per decision of the last place_bench run
 *   read_bench  write "N NODE": read "in" as seen on NODE N times in a loop
 *               (krg_port_get_node_value(), through the value cache)
 *   read_bench_ns   read: mean ns per read of the last read_bench run
 * It also checks the core's contract: nothing calls a policy once its exit()
 * ran (a call after exit WARNs, which fails the VM run).
 */
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <krg/sched.h>

struct test_policy {
	atomic_t answer;
	atomic_t calls;
	atomic_t updates[2];
	atomic_t node_sets;
	atomic64_t last;
	atomic64_t bench_ns;
	atomic64_t read_bench_ns;
	bool dead;		/* exit() ran; READ_ONCE */
};

static void test_policy_check_alive(struct test_policy *tp)
{
	WARN_ONCE(READ_ONCE(tp->dead), "test_policy: called after exit()\n");
}

static const struct krg_port_desc test_in = {
	.name = "in", .type = &krg_type_u64,
};

static const struct krg_port_desc test_aux = {
	.name = "aux", .type = &krg_type_u64,
};

static const struct krg_port_desc *const test_ports[] = {
	&test_in,
	&test_aux,
	NULL,
};

static struct test_policy *tpol(struct config_item *item)
{
	return krg_policy_priv(krg_policy_from_item(item));
}

static ssize_t test_policy_answer_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", atomic_read(&tpol(item)->answer));
}

static ssize_t test_policy_answer_store(struct config_item *item,
					const char *page, size_t count)
{
	int node, ret;

	ret = kstrtoint(page, 0, &node);
	if (ret)
		return ret;
	atomic_set(&tpol(item)->answer, node);
	return count;
}
CONFIGFS_ATTR(test_policy_, answer);

static ssize_t test_policy_calls_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", atomic_read(&tpol(item)->calls));
}
CONFIGFS_ATTR_RO(test_policy_, calls);

static ssize_t test_policy_updates_show(struct config_item *item, char *page)
{
	struct test_policy *tp = tpol(item);

	return sysfs_emit(page, "in %d aux %d node_sets %d\n",
			  atomic_read(&tp->updates[0]),
			  atomic_read(&tp->updates[1]),
			  atomic_read(&tp->node_sets));
}
CONFIGFS_ATTR_RO(test_policy_, updates);

static ssize_t test_policy_last_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&tpol(item)->last));
}
CONFIGFS_ATTR_RO(test_policy_, last);

static ssize_t test_policy_pull_show(struct config_item *item, char *page)
{
	struct krg_policy *policy = krg_policy_from_item(item);
	u64 v;
	int ret;

	ret = krg_port_get_value(krg_policy_port(policy, 0), &v, 1, NULL, 0);
	if (ret == 1)
		return sysfs_emit(page, "%llu\n", v);
	return sysfs_emit(page, "(error %d)\n", ret);
}
CONFIGFS_ATTR_RO(test_policy_, pull);

static ssize_t test_policy_migrate_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct krg_policy *policy = krg_policy_from_item(item);
	struct task_struct *t;
	int nr, node, ret;

	if (sscanf(page, "%d %d", &nr, &node) != 2)
		return -EINVAL;
	t = get_pid_task(find_vpid(nr), PIDTYPE_TGID);
	if (!t)
		return -ESRCH;
	ret = krg_policy_migrate(policy, t, node);
	put_task_struct(t);
	return ret ?: count;
}
CONFIGFS_ATTR_WO(test_policy_, migrate);

static ssize_t test_policy_place_bench_ns_show(struct config_item *item,
					       char *page)
{
	return sysfs_emit(page, "%lld\n", atomic64_read(&tpol(item)->bench_ns));
}

static ssize_t test_policy_place_bench_store(struct config_item *item,
					     const char *page, size_t count)
{
	unsigned int n, i;
	u64 t0;
	int ret;

	ret = kstrtouint(page, 0, &n);
	if (ret)
		return ret;
	if (!n || n > 10000000)
		return -ERANGE;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		preempt_disable();
		krg_place_task(current, current);
		preempt_enable();
		if (!(i & 1023))
			cond_resched();
	}
	atomic64_set(&tpol(item)->bench_ns, div_u64(ktime_get_ns() - t0, n));
	return count;
}
CONFIGFS_ATTR_WO(test_policy_, place_bench);
CONFIGFS_ATTR_RO(test_policy_, place_bench_ns);

static ssize_t test_policy_read_bench_ns_show(struct config_item *item,
					      char *page)
{
	return sysfs_emit(page, "%lld\n",
			  atomic64_read(&tpol(item)->read_bench_ns));
}

static ssize_t test_policy_read_bench_store(struct config_item *item,
					    const char *page, size_t count)
{
	struct krg_port *port = krg_policy_port(krg_policy_from_item(item), 0);
	unsigned int n, i;
	int node, ret = 0;
	u64 t0, v;

	if (sscanf(page, "%u %d", &n, &node) != 2 || !krg_node_valid(node))
		return -EINVAL;
	if (!n || n > 10000000)
		return -ERANGE;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ret = krg_port_get_node_value(port, node, &v, 1, NULL, 0);
		if (ret != 1)
			return ret < 0 ? ret : -ENODATA;
		if (!(i & 1023))
			cond_resched();
	}
	atomic64_set(&tpol(item)->read_bench_ns,
		     div_u64(ktime_get_ns() - t0, n));
	return count;
}
CONFIGFS_ATTR_WO(test_policy_, read_bench);
CONFIGFS_ATTR_RO(test_policy_, read_bench_ns);

static struct configfs_attribute *test_policy_attrs[] = {
	&test_policy_attr_place_bench,
	&test_policy_attr_place_bench_ns,
	&test_policy_attr_read_bench,
	&test_policy_attr_read_bench_ns,
	&test_policy_attr_answer,
	&test_policy_attr_calls,
	&test_policy_attr_updates,
	&test_policy_attr_last,
	&test_policy_attr_pull,
	&test_policy_attr_migrate,
	NULL,
};

static int test_policy_init(struct krg_policy *policy)
{
	atomic_set(&((struct test_policy *)krg_policy_priv(policy))->answer,
		   KRG_NODE_NONE);
	return 0;
}

static int test_policy_new_task_node(struct krg_policy *policy,
				     struct task_struct *parent,
				     struct task_struct *child)
{
	struct test_policy *tp = krg_policy_priv(policy);

	test_policy_check_alive(tp);
	atomic_inc(&tp->calls);
	return atomic_read(&tp->answer);
}

static void test_policy_update(struct krg_policy *policy, struct krg_port *port)
{
	struct test_policy *tp = krg_policy_priv(policy);
	unsigned int i = krg_port_index(port);
	u64 v;

	test_policy_check_alive(tp);
	if (i == 0 && krg_port_get_value(port, &v, 1, NULL, 0) == 1)
		atomic64_set(&tp->last, v);
	atomic_inc(&tp->updates[i]);
}

static void test_policy_update_node_set(struct krg_policy *policy)
{
	struct test_policy *tp = krg_policy_priv(policy);

	test_policy_check_alive(tp);
	atomic_inc(&tp->node_sets);
}

static void test_policy_exit(struct krg_policy *policy)
{
	struct test_policy *tp = krg_policy_priv(policy);

	WRITE_ONCE(tp->dead, true);
}

KRG_POLICY_MODULE(test_policy,
		  .ports = test_ports,
		  .attrs = test_policy_attrs,
		  .priv_size = sizeof(struct test_policy),
		  .init = test_policy_init,
		  .exit = test_policy_exit,
		  .new_task_node = test_policy_new_task_node,
		  .update = test_policy_update,
		  .update_node_set = test_policy_update_node_set);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched recording test policy (tests only)");
