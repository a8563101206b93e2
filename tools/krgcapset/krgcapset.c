// SPDX-License-Identifier: GPL-2.0
/*
 * krgcapset - show or change the Kerrighed capabilities of a process.
 *
 * Kerrighed's command-line syntax; by default it acts on its parent (the
 * shell it was started from), so that "krgcapset -d +CAN_MIGRATE" affects the
 * jobs started from that shell afterwards.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "libkrg.h"


enum krg_set {
	SET_PERMITTED,
	SET_EFFECTIVE,
	SET_INH_PERMITTED,
	SET_INH_EFFECTIVE,
	NR_SETS,
};

/* In the order Kerrighed printed them. */
static const char *const set_titles[NR_SETS] = {
	[SET_PERMITTED]		= "Permitted",
	[SET_EFFECTIVE]		= "Effective",
	[SET_INH_PERMITTED]	= "Inheritable Permitted",
	[SET_INH_EFFECTIVE]	= "Inheritable Effective",
};

/* For messages. */
static const char *const set_names[NR_SETS] = {
	[SET_PERMITTED]		= "permitted",
	[SET_EFFECTIVE]		= "effective",
	[SET_INH_PERMITTED]	= "inheritable permitted",
	[SET_INH_EFFECTIVE]	= "inheritable effective",
};

/*
 * The SET options of one set are composed without knowing the current set:
 * each spec acts on every bit alone, so their composition F is known from
 * lo = F(0) and hi = F(~0), and F(x) = (x & hi) | (~x & lo).
 */
struct krgcapset_control {
	pid_t pid;			/* target; 0 for the parent */
	__u32 lo[NR_SETS];		/* F(0) of each set */
	__u32 hi[NR_SETS];		/* F(~0) of each set */
	unsigned int nr_ops;		/* SET options given */
	const char *save;		/* --save FILE */
	const char *restore;		/* --restore FILE */
	unsigned int show:1,		/* -s */
		     force:1;		/* -f: do not ask */
};

static __u32 *set_of(struct krg_caps *caps, enum krg_set set)
{
	switch (set) {
	case SET_PERMITTED:
		return &caps->permitted;
	case SET_EFFECTIVE:
		return &caps->effective;
	case SET_INH_PERMITTED:
		return &caps->inheritable_permitted;
	default:
		return &caps->inheritable_effective;
	}
}

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;
	char names[512];

	krg_caps_format_wrapped(KRG_CAP_ALL_NAMED, names, sizeof(names));
	fputs("\nUsage:\n", out);
	fprintf(out, " %s [-k <pid>] -s\n",
		program_invocation_short_name);
	fprintf(out, " %s [-f] [-k <pid>] <set> <caps> [<set> <caps>...]\n",
		program_invocation_short_name);
	fprintf(out, " %s [-k <pid>] --save <file> | --restore <file>\n",
		program_invocation_short_name);
	fputs("\nShow or change the Kerrighed capabilities of a process,"
	      " by default\nof the parent of krgcapset (the calling shell).\n",
	      out);
	fputs("\nCapability sets:\n", out);
	fputs(" -p, --permitted <caps>               what the process may ever"
	      " use\n", out);
	fputs(" -e, --effective <caps>               what is in force now\n",
	      out);
	fputs(" -i, --inheritable-permitted <caps>   permitted set of children"
	      " forked next\n", out);
	fputs(" -d, --inheritable-effective <caps>   effective set of children"
	      " forked next\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -s, --show           print the four sets\n", out);
	fputs(" -k, --pid <pid>      act on process <pid>, not on the parent\n",
	      out);
	fputs(" -f, --force          do not ask before dropping"
	      " CHANGE_KERRIGHED_CAP\n", out);
	fputs("     --save <file>    write the process's krg state (sets and"
	      " scheduler\n"
	      "                        memberships) to <file>\n", out);
	fputs("     --restore <file> give the state in <file> to the process"
	      " (root only)\n", out);
	fputs(" -h, --help           display this help\n", out);
	fputs(" -V, --version        display version\n", out);
	fputs("\n<caps> is +LIST (add), -LIST (remove), LIST (replace), or a"
	      " NUMBER\n(decimal, 0x hex or 0 octal) that replaces the set."
	      " LIST is a\ncomma-separated list of:\n", out);
	fputs(names, out);
	fputs("\nFor more details see krgcapset(1).\n", out);
	exit(EXIT_SUCCESS);
}

/* Compose a SET option with the previous ones of @set; exit if invalid. */
static void add_spec(struct krgcapset_control *ctl, enum krg_set set,
		     const char *spec)
{
	const char *bad;
	char names[512];

	if (!krg_caps_apply(spec, ctl->lo[set], &ctl->lo[set], &bad) &&
	    !krg_caps_apply(spec, ctl->hi[set], &ctl->hi[set], &bad)) {
		ctl->nr_ops++;
		return;
	}
	krg_caps_format(KRG_CAP_ALL_NAMED, names, sizeof(names));
	if (!*bad)
		krg_usage_error("invalid capability list '%s': empty name", spec);
	if (bad[0] >= '0' && bad[0] <= '9')
		krg_usage_error("invalid capability number '%s' (a 32-bit value"
			    " with bits 0-%d only)", bad, KRG_CAP_NR - 1);
	krg_usage_error("invalid capability '%s' (known: %s)", bad, names);
}

static void parse_args(struct krgcapset_control *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid",			required_argument, NULL, 'k' },
		{ "show",			no_argument,	   NULL, 's' },
		{ "force",			no_argument,	   NULL, 'f' },
		{ "effective",			required_argument, NULL, 'e' },
		{ "permitted",			required_argument, NULL, 'p' },
		{ "inheritable-effective",	required_argument, NULL, 'd' },
		{ "inheritable-permitted",	required_argument, NULL, 'i' },
		{ "help",			no_argument,	   NULL, 'h' },
		{ "version",			no_argument,	   NULL, 'V' },
		{ "save",			required_argument, NULL, 'S' },
		{ "restore",			required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	for (int set = 0; set < NR_SETS; set++) {
		ctl->lo[set] = 0;
		ctl->hi[set] = ~0U;
	}

	while ((c = getopt_long(argc, argv, "+k:sfe:p:d:i:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			ctl->pid = krg_parse_arg(optarg, "pid", 1, INT_MAX);
			break;
		case 's':
			ctl->show = 1;
			break;
		case 'f':
			ctl->force = 1;
			break;
		case 'e':
		case 'p':
		case 'd':
		case 'i':
			add_spec(ctl, c == 'e' ? SET_EFFECTIVE :
				      c == 'p' ? SET_PERMITTED :
				      c == 'd' ? SET_INH_EFFECTIVE :
						 SET_INH_PERMITTED, optarg);
			break;
		case 'S':
			ctl->save = optarg;
			break;
		case 'R':
			ctl->restore = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			exit(krg_print_version());
		default:
			krg_usage_error(NULL);
		}
	}
	if (optind < argc)
		krg_usage_error("unexpected argument '%s'", argv[optind]);
	if (ctl->show + !!ctl->nr_ops + !!ctl->save + !!ctl->restore > 1)
		krg_usage_error("--show, --save, --restore and capability sets"
				" cannot be combined");
	if (!ctl->show && !ctl->nr_ops && !ctl->save && !ctl->restore)
		krg_usage_error("no capability set, --show, --save or --restore"
				" given");
}

static enum krg_target target(const struct krgcapset_control *ctl)
{
	return ctl->pid ? KRG_TARGET_PID : KRG_TARGET_PARENT;
}

static pid_t target_pid(const struct krgcapset_control *ctl)
{
	return ctl->pid ? ctl->pid : getppid();
}

static int show(const struct krgcapset_control *ctl)
{
	struct krg_caps caps;
	char names[512];

	if (krg_caps_get(target(ctl), ctl->pid, &caps)) {
		if (errno == EAGAIN)
			warnx("process %d is being created; try again",
			      target_pid(ctl));
		else
			warn("cannot get capabilities of process %d",
			     target_pid(ctl));
		return -1;
	}
	for (int s = 0; s < NR_SETS; s++) {
		__u32 set = *set_of(&caps, s);

		krg_caps_format_wrapped(set, names, sizeof(names));
		printf("%s Capabilities: %#o\n%s", set_titles[s], set, names);
	}
	return 0;
}

/* Ask before the target loses the right to change its sets back. */
static int confirm_drop(void)
{
	char *line = NULL;
	size_t n = 0;
	ssize_t len;
	int yes = 0;

	fputs("Are you sure you want to lose the capability to change your"
	      " capabilities (y/N)? ", stderr);
	fflush(stderr);
	len = getline(&line, &n, stdin);
	if (len > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		yes = !strcasecmp(line, "y") || !strcasecmp(line, "yes");
	} else {
		fputc('\n', stderr);
	}
	free(line);
	return yes;
}

/* Why SET_CAPS said EINVAL: the first of the kernel's rules @c breaks. */
static void explain_einval(const struct krg_caps *c, char *buf, size_t len)
{
	static const struct {
		enum krg_set inner, outer;
	} rules[] = {
		{ SET_EFFECTIVE,	SET_PERMITTED },
		{ SET_INH_PERMITTED,	SET_PERMITTED },
		{ SET_INH_EFFECTIVE,	SET_INH_PERMITTED },
	};
	struct krg_caps tmp = *c;
	char names[512];

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		__u32 extra = *set_of(&tmp, rules[i].inner) &
			      ~*set_of(&tmp, rules[i].outer);

		if (!extra)
			continue;
		krg_caps_format(extra, names, sizeof(names));
		snprintf(buf, len, "the %s set must be within the %s set,"
			 " not %s", set_names[rules[i].inner],
			 set_names[rules[i].outer], names);
		return;
	}
	snprintf(buf, len, "rejected by the kernel");
}

static void explain_set_error(int err, const struct krg_caps *new,
			      char *buf, size_t len)
{
	char names[512];
	__u32 supported;

	switch (err) {
	case EPERM:
		snprintf(buf, len, "the caller does not own it, or it lacks"
			 " CHANGE_KERRIGHED_CAP");
		break;
	case EINVAL:
		explain_einval(new, buf, len);
		break;
	case EAGAIN:
		snprintf(buf, len, "process is being created; try again");
		break;
	case ENOSYS:
		if (!krg_caps_supported(&supported)) {
			krg_caps_format((new->permitted | new->effective |
					 new->inheritable_permitted |
					 new->inheritable_effective) &
					~supported, names, sizeof(names));
			snprintf(buf, len, "not supported by this kernel: %s",
				 names);
		} else {
			snprintf(buf, len, "some capabilities are not"
				 " supported by this kernel");
		}
		break;
	default:
		buf[0] = '\0';
	}
}

static int change(const struct krgcapset_control *ctl)
{
	struct krg_caps old, new;
	pid_t pid = target_pid(ctl);
	__u32 lost, *set;
	char why[768];
	int s;

	if (krg_caps_get(target(ctl), ctl->pid, &old)) {
		if (errno == EAGAIN)
			warnx("process %d is being created; try again", pid);
		else
			warn("cannot get capabilities of process %d", pid);
		return -1;
	}
	new = old;
	for (s = 0; s < NR_SETS; s++) {
		set = set_of(&new, s);
		*set = (*set & ctl->hi[s]) | (~*set & ctl->lo[s]);
	}

	if (new.permitted & ~old.permitted) {
		char names[512];

		krg_caps_format(new.permitted & ~old.permitted, names,
				sizeof(names));
		warnx("process %d cannot gain %s: the permitted set only"
		      " shrinks", pid, names);
		new.permitted &= old.permitted;
	}

	lost = KRG_CAP_BIT(KRG_CAP_CHANGE_KERRIGHED_CAP) &
	       ((old.permitted & ~new.permitted) |
		(old.effective & ~new.effective));
	if (lost && !ctl->force && !confirm_drop()) {
		warnx("capabilities of process %d left unchanged", pid);
		return 0;
	}

	if (krg_caps_set(target(ctl), ctl->pid, &new)) {
		int err = errno;

		explain_set_error(err, &new, why, sizeof(why));
		if (why[0])
			warnx("cannot set capabilities of process %d: %s (%s)",
			      pid, strerror(err), why);
		else
			warnx("cannot set capabilities of process %d: %s",
			      pid, strerror(err));
		return -1;
	}
	return 0;
}

static int save(const struct krgcapset_control *ctl)
{
	struct krg_state st;

	if (krg_state_get(target(ctl), ctl->pid, &st)) {
		if (errno == E2BIG)
			warnx("cannot get the state of process %d: member of"
			      " more than %d schedulers", target_pid(ctl),
			      KRG_STATE_MAX_MEMBERSHIPS);
		else
			warn("cannot get the state of process %d",
			     target_pid(ctl));
		return -1;
	}
	if (krg_state_save(ctl->save, &st)) {
		warn("cannot write %s", ctl->save);
		return -1;
	}
	return 0;
}

static int restore(const struct krgcapset_control *ctl)
{
	pid_t pid = target_pid(ctl);
	struct krg_state st;
	int failed;

	if (krg_state_load(ctl->restore, &st)) {
		if (errno == EINVAL)
			warnx("%s is not a krg state record", ctl->restore);
		else
			warn("cannot read %s", ctl->restore);
		return -1;
	}
	if (!krg_state_restore(pid, &st, &failed))
		return 0;
	if (failed >= 0)
		warn("cannot make process %d a member of scheduler %s", pid,
		     st.memberships[failed].scheduler);
	else if (errno == EINVAL)
		warnx("cannot give process %d the state in %s: not a valid"
		      " record of this version, or a kernel thread", pid,
		      ctl->restore);
	else if (errno == ENOENT)
		warnx("cannot give process %d the state in %s: a scheduler"
		      " it names does not exist", pid, ctl->restore);
	else if (errno == EOPNOTSUPP)
		warnx("cannot give process %d the state in %s: it names"
		      " schedulers and krg_scheduler.ko is not loaded", pid,
		      ctl->restore);
	else
		warn("cannot give process %d the state in %s", pid,
		     ctl->restore);
	return -1;
}

int main(int argc, char **argv)
{
	struct krgcapset_control ctl = { 0 };
	char msg[256];
	int ret;

	parse_args(&ctl, argc, argv);

	if (krg_open() < 0)
		errx(EXIT_FAILURE, "%s",
		     krg_abi_strerror(errno, msg, sizeof(msg)));
	if (ctl.show)
		ret = show(&ctl);
	else if (ctl.save)
		ret = save(&ctl);
	else if (ctl.restore)
		ret = restore(&ctl);
	else
		ret = change(&ctl);
	krg_close();
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
