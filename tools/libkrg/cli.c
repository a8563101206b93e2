// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - what every krgsched tool's command line does the same way
 * (util-linux conventions).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "libkrg.h"

void krg_usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vwarnx(fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(EXIT_FAILURE);
}

int krg_print_version(void)
{
	printf("%s from %s\n", program_invocation_short_name,
	       KRG_PACKAGE_STRING);
	return EXIT_SUCCESS;
}
