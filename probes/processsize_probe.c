// SPDX-License-Identifier: GPL-2.0
/*
 * processsize_probe: the size of a process (Kerrighed's processsize_probe).
 *
 * Source:
 *   total_vm  u64(pid_t): the process's virtual memory, KB: mm->total_vm,
 *             exactly what /proc/PID/status shows as VmSize. Kernel threads
 *             and processes whose threads have all dropped their memory
 *             (exiting) have none: -ENODATA; no such process: -ESRCH.
 *             Its `value` lists Kerrighed's "Process N: P pages" (pages,
 *             as /proc/PID/statm) for every process with an address space.
 * Attributes (the core's): pid and pid_value, total_vm of one process.
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

/* Kerrighed's line, in pages. Atomic. */
static int processsize_show_process(pid_t nr, const void *value, char *buf,
				    size_t len)
{
	return scnprintf(buf, len, "Process %d: %llu pages\n", nr,
			 *(const u64 *)value >> (PAGE_SHIFT - 10));
}

static const struct krg_source_desc processsize_src_total_vm = {
	.name = "total_vm",
	.type = &krg_type_u64_pid,
	.get_value = processsize_total_vm_get,
	.show_process = processsize_show_process,
	.nodata = "has no address space (kernel thread or exiting)",
};

static const struct krg_source_desc *const processsize_sources[] = {
	&processsize_src_total_vm,
	NULL,
};

/* Event-driven (period_ms 0) without events: values are pulled. */
KRG_PROBE_MODULE(processsize_probe,
		 .sources = processsize_sources);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krgsched probe: virtual memory size per process");
