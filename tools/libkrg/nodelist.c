// SPDX-License-Identifier: GPL-2.0
/*
 * nodelist.c - node masks in the kernel's list format ("0-3,5"), and node
 * byte masks in Kerrighed's ("[1,2]").
 *
 * The grammar is the subset of bitmap_parselist() the kernel prints with
 * "%*pbl": LIST := "" | RANGE ("," RANGE)*, RANGE := ID | ID "-" ID, ID is
 * unsigned decimal. Trailing whitespace (the newline of a sysfs file) is
 * allowed; nothing else is.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libkrg.h"

/*
 * Parse the id at *@s and advance *@s past it. Values are clamped at
 * KRG_MAX_NODES so that huge numbers cannot overflow.
 */
static int parse_id(const char **s, int *id)
{
	const char *p = *s;
	int v = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > KRG_MAX_NODES)
			v = KRG_MAX_NODES;
	}
	*s = p;
	if (v >= KRG_MAX_NODES)
		return -ERANGE;
	*id = v;
	return 0;
}

static int only_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

int krg_nodelist_parse(const char *s, unsigned long *mask)
{
	unsigned long tmp[KRG_NODEMASK_LONGS];
	int lo, hi, err;

	krg_nodemask_zero(tmp);
	if (!only_space(s)) {
		for (;;) {
			err = parse_id(&s, &lo);
			if (err)
				goto fail;
			hi = lo;
			if (*s == '-') {
				s++;
				err = parse_id(&s, &hi);
				if (err)
					goto fail;
				if (hi < lo) {
					err = -EINVAL;
					goto fail;
				}
			}
			for (int n = lo; n <= hi; n++)
				krg_node_set(n, tmp);
			if (*s != ',')
				break;
			s++;
		}
		if (!only_space(s)) {
			err = -EINVAL;
			goto fail;
		}
	}
	memcpy(mask, tmp, sizeof(tmp));
	return 0;
fail:
	errno = -err;
	return -1;
}

int krg_nodelist_format(const unsigned long *mask, char *buf, size_t len)
{
	size_t pos = 0;
	int lo, hi, n;

	if (!len) {
		errno = ERANGE;
		return -1;
	}
	buf[0] = '\0';
	for (lo = 0; lo < KRG_MAX_NODES; lo = hi + 1) {
		if (!krg_node_isset(lo, mask)) {
			hi = lo;
			continue;
		}
		for (hi = lo; hi + 1 < KRG_MAX_NODES &&
			      krg_node_isset(hi + 1, mask); hi++)
			;
		if (lo == hi)
			n = snprintf(buf + pos, len - pos, "%s%d",
				     pos ? "," : "", lo);
		else
			n = snprintf(buf + pos, len - pos, "%s%d-%d",
				     pos ? "," : "", lo, hi);
		if ((size_t)n >= len - pos) {
			errno = ERANGE;
			return -1;
		}
		pos += n;
	}
	return pos;
}

const char *krg_nodebytes_str(const unsigned char *m, char *buf, size_t len)
{
	size_t at = snprintf(buf, len, "[");

	for (int n = 0; n < KRG_MAX_NODES && at < len; n++)
		if (krg_nodebytes_isset(m, n))
			at += snprintf(buf + at, len - at, "%s%d",
				       at > 1 ? "," : "", n);
	if (at < len)
		snprintf(buf + at, len - at, "]");
	return buf;
}
