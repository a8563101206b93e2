// SPDX-License-Identifier: GPL-2.0
/*
 * processsize_probe: the size of a process (Kerrighed's processsize_probe).
 *
 * Source:
 *   total_vm  u64(pid_t): the process's virtual memory, KB: mm->total_vm,
 *             exactly what /proc/PID/status shows as VmSize. Kernel threads
 *             and processes whose threads have all dropped their memory
 *             (exiting) have none: -ENODATA; no such process: -ESRCH.
 * Attributes: pid and pid_value (total_vm of a process, see
 * krg_probe_util.h).
 *
 * Read on demand, never published: the probe is event-driven with no
 * events (probe_period cannot be set). get_value runs in atomic context, so
 * it cannot take a reference on the mm (mmput() may sleep): it holds
 * task_lock() of a thread instead, which keeps that thread's mm from being
 * dropped (exit_mm() and exec clear ->mm under it), and reads total_vm
 * there. task_lock is a spinlock taken with interrupts enabled elsewhere:
 * get_value must not be called from a hard interrupt.
 */
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include "krg_probe_util.h"

struct processsize_probe {
	struct krgp_pid_sel sel;
};

/* total_vm of process @p in KB. RCU held. */
static int processsize_task_vm(struct krg_probe *probe, struct task_struct *p,
			       u64 *out)
{
	struct task_struct *t;
	unsigned long pages;
	bool found = false;

	if (p->flags & PF_KTHREAD)
		return -ENODATA;
	/* The leader may have exited while other threads still run. */
	for_each_thread(p, t) {
		task_lock(t);
		if (t->mm) {
			pages = READ_ONCE(t->mm->total_vm);
			found = true;
		}
		task_unlock(t);
		if (found)
			break;
	}
	if (!found)
		return -ENODATA;
	*out = (u64)pages << (PAGE_SHIFT - 10);
	return 0;
}

static int processsize_total_vm_get(struct krg_probe *probe, void *out,
				    unsigned int nr, const void *in,
				    unsigned int in_nr)
{
	return krgp_get_pid_values(probe, processsize_task_vm, out, nr, in,
				   in_nr);
}

static const struct krg_source_desc processsize_src_total_vm = {
	.name = "total_vm",
	.type = &krg_type_u64_pid,
	.get_value = processsize_total_vm_get,
};

static const struct krg_source_desc *const processsize_sources[] = {
	&processsize_src_total_vm,
	NULL,
};

static struct processsize_probe *processsize_of(struct config_item *item)
{
	return krg_probe_priv(krg_probe_from_item(item));
}

static ssize_t processsize_probe_pid_show(struct config_item *item,
					  char *page)
{
	return krgp_pid_show(&processsize_of(item)->sel, page);
}

static ssize_t processsize_probe_pid_store(struct config_item *item,
					   const char *page, size_t count)
{
	return krgp_pid_store(&processsize_of(item)->sel, item, page, count);
}
CONFIGFS_ATTR(processsize_probe_, pid);

static ssize_t processsize_probe_pid_value_show(struct config_item *item,
						char *page)
{
	return krgp_pid_value_show(&processsize_of(item)->sel,
				   krg_probe_from_item(item),
				   processsize_task_vm,
				   "has no address space (kernel thread or exiting)",
				   page);
}
CONFIGFS_ATTR_RO(processsize_probe_, pid_value);

static struct configfs_attribute *processsize_attrs[] = {
	&processsize_probe_attr_pid,
	&processsize_probe_attr_pid_value,
	NULL,
};

static int processsize_probe_init(struct krg_probe *probe)
{
	struct processsize_probe *pp = krg_probe_priv(probe);

	krgp_pid_sel_init(&pp->sel);
	return 0;
}

static void processsize_probe_exit(struct krg_probe *probe)
{
	struct processsize_probe *pp = krg_probe_priv(probe);

	krgp_pid_sel_exit(&pp->sel);
}

/* Event-driven (period_ms 0) without events: values are pulled. */

KRG_PROBE_MODULE(processsize_probe,
		 .sources = processsize_sources,
		 .attrs = processsize_attrs,
		 .priv_size = sizeof(struct processsize_probe),
		 .init = processsize_probe_init,
		 .exit = processsize_probe_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: virtual memory size per process");
