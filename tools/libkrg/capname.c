// SPDX-License-Identifier: GPL-2.0
/*
 * capname.c - capability names, capability specs and their text forms.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libkrg.h"

/* Wrapped lines stay below this many columns; a tab counts for 8. */
#define WRAP_COLS	80
#define TAB_COLS	8

static const char *const cap_names[KRG_CAP_NR] = {
	[KRG_CAP_CHANGE_KERRIGHED_CAP]		= "CHANGE_KERRIGHED_CAP",
	[KRG_CAP_CAN_MIGRATE]			= "CAN_MIGRATE",
	[KRG_CAP_DISTANT_FORK]			= "DISTANT_FORK",
	[KRG_CAP_FORK_DELAY]			= "FORK_DELAY",
	[KRG_CAP_CHECKPOINTABLE]		= "CHECKPOINTABLE",
	[KRG_CAP_USE_REMOTE_MEMORY]		= "USE_REMOTE_MEMORY",
	[KRG_CAP_USE_INTRA_CLUSTER_KERSTREAMS]	= "USE_INTRA_CLUSTER_KERSTREAMS",
	[KRG_CAP_USE_INTER_CLUSTER_KERSTREAMS]	= "USE_INTER_CLUSTER_KERSTREAMS",
	[KRG_CAP_USE_WORLD_VISIBLE_KERSTREAMS]	= "USE_WORLD_VISIBLE_KERSTREAMS",
	[KRG_CAP_SEE_LOCAL_PROC_STAT]		= "SEE_LOCAL_PROC_STAT",
	[KRG_CAP_DEBUG]				= "DEBUG",
	[KRG_CAP_SYSCALL_EXIT_HOOK]		= "SYSCALL_EXIT_HOOK",
};

/* The offending token of the last failed krg_caps_apply(). */
static char bad_token[64];

const char *krg_cap_name(int bit)
{
	if (bit < 0 || bit >= KRG_CAP_NR)
		return NULL;
	return cap_names[bit];
}

/* Look up the @len first characters of @name; the whole name must match. */
static int cap_lookup(const char *name, size_t len)
{
	for (int bit = 0; bit < KRG_CAP_NR; bit++)
		if (strlen(cap_names[bit]) == len &&
		    !strncasecmp(cap_names[bit], name, len))
			return bit;
	return -1;
}

int krg_cap_from_name(const char *name)
{
	int bit = name ? cap_lookup(name, strlen(name)) : -1;

	if (bit < 0)
		errno = EINVAL;
	return bit;
}

static int bad(const char *tok, size_t len, const char **badp)
{
	if (len >= sizeof(bad_token))
		len = sizeof(bad_token) - 1;
	memcpy(bad_token, tok, len);
	bad_token[len] = '\0';
	if (badp)
		*badp = bad_token;
	errno = EINVAL;
	return -1;
}

/* A NUMBER spec: base 0, no sign, 32 bits, named bits only. */
static int parse_number(const char *spec, __u32 *set)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(spec, &end, 0);
	if (errno || end == spec || *end || v > 0xffffffffULL ||
	    (v & ~(unsigned long long)KRG_CAP_ALL_NAMED))
		return -1;
	*set = v;
	return 0;
}

/* A comma-separated list of names; every name must be non-empty. */
static int parse_list(const char *list, __u32 *set, const char **badp)
{
	const char *tok = list;
	__u32 s = 0;

	for (;;) {
		size_t len = strcspn(tok, ",");
		int bit = cap_lookup(tok, len);

		if (bit < 0)
			return bad(tok, len, badp);
		s |= KRG_CAP_BIT(bit);
		if (!tok[len])
			break;
		tok += len + 1;
	}
	*set = s;
	return 0;
}

int krg_caps_apply(const char *spec, __u32 old, __u32 *out, const char **badp)
{
	__u32 set;

	if (!spec)
		return bad("", 0, badp);
	if (isdigit((unsigned char)spec[0])) {
		if (parse_number(spec, &set))
			return bad(spec, strlen(spec), badp);
		*out = set;
		return 0;
	}
	if (spec[0] == '+' || spec[0] == '-') {
		if (parse_list(spec + 1, &set, badp))
			return -1;
		*out = spec[0] == '+' ? old | set : old & ~set;
		return 0;
	}
	if (parse_list(spec, &set, badp))
		return -1;
	*out = set;
	return 0;
}

/* Append @s to @buf like snprintf would; *@pos counts the full length. */
static void append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos < len) {
		size_t room = len - *pos - 1;

		memcpy(buf + *pos, s, n < room ? n : room);
		buf[*pos + (n < room ? n : room)] = '\0';
	}
	*pos += n;
}

static const char *bit_name(int bit, char *tmp, size_t len)
{
	const char *name = krg_cap_name(bit);

	if (name)
		return name;
	snprintf(tmp, len, "bit%d", bit);
	return tmp;
}

static int format(__u32 set, char *buf, size_t len, int wrap)
{
	size_t pos = 0, col = TAB_COLS;
	int first = 1;
	char tmp[16];

	if (len)
		buf[0] = '\0';
	if (wrap)
		append(buf, len, &pos, "\t");
	for (int bit = 0; bit < 32; bit++) {
		const char *name;
		size_t n;

		if (!(set & KRG_CAP_BIT(bit)))
			continue;
		name = bit_name(bit, tmp, sizeof(tmp));
		n = strlen(name);
		if (!first) {
			/* ", NAME," must fit, or NAME goes to a new line. */
			if (wrap && col + 2 + n + 1 >= WRAP_COLS) {
				append(buf, len, &pos, ",\n\t");
				col = TAB_COLS;
			} else {
				append(buf, len, &pos, ", ");
				col += 2;
			}
		}
		append(buf, len, &pos, name);
		col += n;
		first = 0;
	}
	if (wrap)
		append(buf, len, &pos, "\n");
	return pos;
}

int krg_caps_format(__u32 set, char *buf, size_t len)
{
	return format(set, buf, len, 0);
}

int krg_caps_format_wrapped(__u32 set, char *buf, size_t len)
{
	return format(set, buf, len, 1);
}
