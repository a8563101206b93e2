// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - what every krgsched tool's command line does the same way
 * (util-linux conventions), and the number parser they share.
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

int krg_parse_num(const char *s, long long min, long long max,
		  long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end) {
		errno = EINVAL;
		return -1;
	}
	if (errno || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

long long krg_parse_arg(const char *arg, const char *what, long long min,
			long long max)
{
	long long v;

	if (krg_parse_num(arg, min, max, &v))
		krg_usage_error("invalid %s argument '%s'", what, arg);
	return v;
}
