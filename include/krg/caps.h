/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kerrighed capabilities, kept per task by krg.ko (names and bits in
 * uapi/krg.h). Tasks that never changed theirs have the defaults: permitted
 * and inheritable permitted = all supported, effective and inheritable
 * effective = {CHANGE_KERRIGHED_CAP}: nothing migrates or forks remotely
 * until asked.
 */
#ifndef _KRG_CAPS_H
#define _KRG_CAPS_H

#include <linux/types.h>
#include <krg.h>

struct task_struct;

/* The capabilities krg.ko implements (a subset of KRG_CAP_ALL_NAMED). */
#define KRG_CAP_SUPPORTED (KRG_CAP_BIT(KRG_CAP_CHANGE_KERRIGHED_CAP) |	\
			   KRG_CAP_BIT(KRG_CAP_CAN_MIGRATE) |		\
			   KRG_CAP_BIT(KRG_CAP_DISTANT_FORK) |		\
			   KRG_CAP_BIT(KRG_CAP_CHECKPOINTABLE))

#define KRG_CAP_DEFAULT_EFFECTIVE KRG_CAP_BIT(KRG_CAP_CHANGE_KERRIGHED_CAP)

/*
 * krg_task_caps - the four sets of @p.
 * Any context; @p must be pinned by the caller (RCU or a reference).
 */
void krg_task_caps(struct task_struct *p, struct krg_caps *out);

#endif /* _KRG_CAPS_H */
