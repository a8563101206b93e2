// SPDX-License-Identifier: GPL-2.0
/*
 * cfs.c - where the krg_scheduler configfs tree is.
 */
#include <sys/stat.h>

#include "libkrg.h"

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

const char *krg_cfs_root(void)
{
	if (!is_dir(KRG_CFS_ROOT) && is_dir(KRG_CFS_ROOT_KERRIGHED))
		return KRG_CFS_ROOT_KERRIGHED;
	return KRG_CFS_ROOT;
}
