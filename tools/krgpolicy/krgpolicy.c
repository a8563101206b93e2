// SPDX-License-Identifier: GPL-2.0
/*
 * krgpolicy - load, list and unload krgsched policies written in BPF.
 *
 *   krgpolicy load [--set NAME=VALUE]... FILE.bpf.o
 *                               load every krg_policy_ops map of FILE,
 *                               attach it (a policy type appears) and pin
 *                               its link at /sys/fs/bpf/krg/<name>, so it
 *                               outlives this program; --set gives a
 *                               load-time setting (a `const volatile`
 *                               global of the program) its value
 *   krgpolicy list              the attached policies and their instances
 *   krgpolicy unload NAME       unpin NAME's link: its instances are
 *                               detached and the type disappears
 *
 * Plain libbpf: open the object, check the policies it declares, load
 * (the verifier's log is shown when it refuses), attach each struct_ops
 * map, pin the links. All or nothing: on any error nothing stays loaded.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "libkrg.h"

#define BPFFS		"/sys/fs/bpf"
#define PIN_DIR		BPFFS "/krg"
#define BPF_FS_MAGIC_	0xcafe4a11
/* As include/krg/bpf_policy.h. */
#define NAME_LEN	32
#define MAX_POLICIES	16
#define MAX_SETTINGS	32

static bool verbose;

static void __attribute__((noreturn)) usage(void)
{
	FILE *out = stdout;

	fputs("\nUsage:\n", out);
	fprintf(out, " %s [options] load [--set <name>=<value>]... <file.bpf.o>\n",
		program_invocation_short_name);
	fprintf(out, " %s [options] list\n", program_invocation_short_name);
	fprintf(out, " %s [options] unload <name>\n",
		program_invocation_short_name);
	fputs("\nLoad, list and unload krgsched policies written in BPF."
	      "\nA loaded policy is a policy type: mkdir"
	      " schedulers/<s>/<name> uses it.\n", out);
	fputs("\nOptions:\n", out);
	fputs(" -v, --verbose    show libbpf's messages\n", out);
	fputs(" -s, --set <name>=<value>\n"
	      "                  (load) give a load-time setting of the policy,\n"
	      "                  a const volatile global, its value\n", out);
	fputs(" -h, --help       display this help\n", out);
	fputs(" -V, --version    display version\n", out);
	fputs("\nFor more details see krgpolicy(1) and"
	      " docs/bpf-policies.md.\n", out);
	exit(EXIT_SUCCESS);
}

/* libbpf's messages: warnings (the verifier's log among them) always. */
static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Make sure a BPF file system is mounted at /sys/fs/bpf. */
static int bpffs_ready(void)
{
	struct statfs st;

	if (statfs(BPFFS, &st) == 0 && st.f_type == BPF_FS_MAGIC_)
		goto mkdir_pins;
	if (mount("bpf", BPFFS, "bpf", 0, NULL)) {
		warn("cannot mount the BPF file system at %s", BPFFS);
		return -1;
	}
mkdir_pins:
	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		warn("cannot create %s", PIN_DIR);
		return -1;
	}
	return 0;
}

/* The configfs file bpf_policies of the core, or NULL (errno set). */
static FILE *open_policies(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/bpf_policies", krg_cfs_root());
	return fopen(path, "re");
}

/* Is a policy type @name attached (listed in bpf_policies)? */
static bool policy_listed(const char *name)
{
	char line[512], first[NAME_LEN + 1];
	bool found = false;
	FILE *f = open_policies();

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = line[0] != '\t' && sscanf(line, "%32s", first) == 1 &&
			!strcmp(first, name);
	fclose(f);
	return found;
}

struct policy {
	struct bpf_map *map;
	struct bpf_link *link;
	char name[NAME_LEN];
	char pin[sizeof(PIN_DIR) + NAME_LEN + 1];
	bool pinned;
};

/*
 * The policy name a krg_policy_ops map declares: its "name" member, found
 * through the object's BTF (the layout is the kernel's, from vmlinux.h).
 */
static int map_policy_name(struct bpf_object *obj, struct bpf_map *map,
			   char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_member *m;
	const struct btf_type *t;
	const char *data;
	size_t size;
	__u32 id;
	int i;

	id = bpf_map__btf_value_type_id(map);
	t = btf ? btf__type_by_id(btf, id) : NULL;
	if (!t || !btf_is_struct(t) ||
	    strcmp(btf__name_by_offset(btf, t->name_off), "krg_policy_ops"))
		return -ENOENT;	/* another struct_ops type */
	data = bpf_map__initial_value(map, &size);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		size_t off = btf_member_bit_offset(t, i) / 8;

		if (strcmp(btf__name_by_offset(btf, m->name_off), "name"))
			continue;
		if (!data || off + NAME_LEN > size)
			return -EINVAL;
		if (!memchr(data + off, '\0', NAME_LEN))
			return -ENAMETOOLONG;
		memcpy(name, data + off, NAME_LEN);
		return name[0] ? 0 : -EINVAL;
	}
	return -EINVAL;
}

static void undo(struct policy *pol, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pol[i].pinned)
			bpf_link__unpin(pol[i].link);
		bpf_link__destroy(pol[i].link);
	}
}

static const char *attach_reason(int err)
{
	switch (err) {
	case EEXIST:
		return "a policy type of that name exists already (a module policy or another BPF policy)";
	case EINVAL:
		return "krg_scheduler refused its settings (ports, types, flags, balance_ms; see the kernel log)";
	case E2BIG:
		return "krg_scheduler refused a setting above its limit (timeout_ms, migrate_rate; the kernel log says which and the limit)";
	case ENOENT:
	case ESRCH:
		return "the kernel does not know krg_policy_ops (is krg_scheduler.ko loaded?)";
	default:
		return strerror(err);
	}
}

/* A load-time setting: a `const volatile` integer global, in .rodata. */
struct setting {
	const char *name;
	const char *value;
	size_t off, size;
	bool is_signed, is_bool;
};

/* The integer type under typedefs, const and volatile, or NULL. */
static const struct btf_type *int_type(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) ||
		     btf_is_volatile(t)))
		t = btf__type_by_id(btf, t->type);
	return t && (btf_is_int(t) || btf_is_enum(t)) ? t : NULL;
}

/* Find @st->name among the settings of @obj's .rodata; list them if not. */
static int find_setting(const char *file, struct bpf_object *obj,
			struct setting *st)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *v;
	char names[512] = "";
	size_t len = 0;
	__s32 sec;
	int i;

	sec = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	if (sec < 0) {
		warnx("%s: no load-time settings in this file (no const volatile globals)",
		      file);
		return -1;
	}
	v = btf_var_secinfos(btf__type_by_id(btf, sec));
	for (i = 0; i < btf_vlen(btf__type_by_id(btf, sec)); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);
		const char *name = btf__name_by_offset(btf, var->name_off);
		const struct btf_type *t = int_type(btf, var->type);

		if (!t)
			continue;	/* only integers can be --set */
		if (strcmp(name, st->name)) {
			len += snprintf(names + len, len < sizeof(names) ?
					sizeof(names) - len : 0, "%s%s",
					len ? ", " : "", name);
			continue;
		}
		st->off = v->offset;
		st->size = v->size;
		st->is_bool = btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_BOOL);
		st->is_signed = btf_is_int(t) ?
				!!(btf_int_encoding(t) & BTF_INT_SIGNED) :
				!!btf_kflag(t);
		return 0;
	}
	warnx("%s: no load-time setting '%s' (settings: %s)", file, st->name,
	      len ? names : "none");
	return -1;
}

/* Write @st's value into the .rodata image; a clear error if it is bad. */
static int apply_setting(const char *file, struct bpf_object *obj,
			 struct setting *st)
{
	unsigned int bits;
	struct bpf_map *map;
	size_t size = 0;
	char *data = NULL, *end;
	long long sv = 0;
	unsigned long long uv = 0;

	if (find_setting(file, obj, st))
		return -1;
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);
		size_t l = strlen(n);

		if (bpf_map__is_internal(map) && l >= 7 &&
		    !strcmp(n + l - 7, ".rodata")) {
			data = bpf_map__initial_value(map, &size);
			break;
		}
	}
	if (!data || st->off + st->size > size || st->size > 8 || !st->size) {
		warnx("%s: setting '%s' cannot be written", file, st->name);
		return -1;
	}
	bits = st->size * 8;
	errno = 0;
	if (st->is_bool) {
		if (!strcmp(st->value, "1") || !strcmp(st->value, "true"))
			uv = 1;
		else if (strcmp(st->value, "0") && strcmp(st->value, "false"))
			goto bad;
	} else if (st->is_signed) {
		sv = strtoll(st->value, &end, 0);
		if (errno || end == st->value || *end ||
		    (bits < 64 && (sv < -(1LL << (bits - 1)) ||
				   sv > (1LL << (bits - 1)) - 1)))
			goto bad;
		uv = (unsigned long long)sv;
	} else {
		uv = strtoull(st->value, &end, 0);
		if (errno || end == st->value || *end || st->value[0] == '-' ||
		    (bits < 64 && uv >> bits))
			goto bad;
	}
	/* Little or big endian: the host's, as the program's. */
	switch (st->size) {
	case 1: { __u8 x = uv; memcpy(data + st->off, &x, 1); break; }
	case 2: { __u16 x = uv; memcpy(data + st->off, &x, 2); break; }
	case 4: { __u32 x = uv; memcpy(data + st->off, &x, 4); break; }
	case 8: { __u64 x = uv; memcpy(data + st->off, &x, 8); break; }
	default: goto bad;
	}
	return 0;
bad:
	if (st->is_bool)
		warnx("%s: setting '%s': invalid value '%s' (0, 1, true or false)",
		      file, st->name, st->value);
	else
		warnx("%s: setting '%s': invalid value '%s' (%s %u-bit integer)",
		      file, st->name, st->value,
		      st->is_signed ? "a signed" : "an unsigned", bits);
	return -1;
}

/* libbpf's own codes (LIBBPF_ERRNO__*, 4000 and up) and plain errnos. */
static const char *bpf_reason(int err, char *buf, size_t len)
{
	if (libbpf_strerror(err, buf, len))
		snprintf(buf, len, "error %d", err);
	return buf;
}

static int cmd_load(const char *file, struct setting *settings, int nr_settings)
{
	struct policy pol[MAX_POLICIES] = {};
	char name[NAME_LEN];
	struct bpf_object *obj;
	struct bpf_map *map;
	int n = 0, i, err;
	char why[128];

	obj = bpf_object__open_file(file, NULL);
	if (!obj) {
		warnx("%s: cannot open: %s", file,
		      bpf_reason(errno, why, sizeof(why)));
		return EXIT_FAILURE;
	}
	for (i = 0; i < nr_settings; i++)
		if (apply_setting(file, obj, &settings[i]))
			goto err_close;
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (n == MAX_POLICIES) {
			warnx("%s: more than %d policies in one file", file,
			      MAX_POLICIES);
			goto err_close;
		}
		err = map_policy_name(obj, map, name);
		if (err == -ENOENT)
			continue;
		if (err) {
			warnx("%s: policy %s: its name must be 1 to %d characters",
			      file, bpf_map__name(map), NAME_LEN - 1);
			goto err_close;
		}
		pol[n].map = map;
		memcpy(pol[n].name, name, sizeof(name));
		snprintf(pol[n].pin, sizeof(pol[n].pin), "%s/%s", PIN_DIR, name);
		n++;
	}
	if (!n) {
		warnx("%s: no krg_policy_ops in this file (SEC(\".struct_ops.link\"))",
		      file);
		goto err_close;
	}
	if (bpffs_ready())
		goto err_close;
	for (i = 0; i < n; i++) {
		if (access(pol[i].pin, F_OK) == 0) {
			warnx("%s: policy %s is already loaded (krgpolicy unload %s)",
			      file, pol[i].name, pol[i].name);
			goto err_close;
		}
	}

	err = bpf_object__load(obj);
	if (err) {
		warnx("%s: cannot load: %s%s", file,
		      bpf_reason(-err, why, sizeof(why)),
		      err == -EACCES || err == -EINVAL ?
		      " (the verifier refused a program: its log is above)" : "");
		goto err_close;
	}
	for (i = 0; i < n; i++) {
		pol[i].link = bpf_map__attach_struct_ops(pol[i].map);
		if (!pol[i].link) {
			err = errno;
			warnx("%s: cannot attach policy %s: %s", file,
			      pol[i].name, attach_reason(err));
			goto err_undo;
		}
		if (bpf_link__pin(pol[i].link, pol[i].pin)) {
			warn("%s: cannot pin policy %s at %s", file,
			     pol[i].name, pol[i].pin);
			i++;
			goto err_undo;
		}
		pol[i].pinned = true;
	}
	for (i = 0; i < n; i++) {
		printf("loaded %s (pinned at %s)\n", pol[i].name, pol[i].pin);
		bpf_link__disconnect(pol[i].link);	/* the pin keeps it */
		bpf_link__destroy(pol[i].link);
	}
	bpf_object__close(obj);
	return EXIT_SUCCESS;

err_undo:
	undo(pol, i);
err_close:
	bpf_object__close(obj);
	return EXIT_FAILURE;
}

static int cmd_list(void)
{
	char line[512];
	FILE *f = open_policies();

	if (!f) {
		warn("cannot read bpf_policies (is krg_scheduler.ko loaded, configfs mounted?)");
		return EXIT_FAILURE;
	}
	printf("%-32s %s\n", "NAME", "INSTANCES");
	while (fgets(line, sizeof(line), f)) {
		char name[NAME_LEN + 1];
		unsigned int nr;

		if (line[0] == '\t') {
			printf("  %s", line + 1);	/* "<scheduler> <status>" */
			continue;
		}
		if (sscanf(line, "%32s instances %u", name, &nr) == 2)
			printf("%-32s %u\n", name, nr);
	}
	fclose(f);
	return EXIT_SUCCESS;
}

static int cmd_unload(const char *name)
{
	char pin[sizeof(PIN_DIR) + NAME_LEN + 1];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int i;

	if (!*name || strlen(name) >= NAME_LEN || strchr(name, '/')) {
		warnx("%s: not a policy name", name);
		return EXIT_FAILURE;
	}
	snprintf(pin, sizeof(pin), "%s/%s", PIN_DIR, name);
	if (unlink(pin)) {
		if (errno == ENOENT)
			warnx("%s: no such loaded policy (see krgpolicy list)",
			      name);
		else
			warn("%s: cannot unpin %s", name, pin);
		return EXIT_FAILURE;
	}
	/* The kernel releases the link in a worker: wait for it (5 s at most). */
	for (i = 0; i < 250 && policy_listed(name); i++)
		nanosleep(&ts, NULL);
	if (policy_listed(name)) {
		warnx("%s: unpinned, but another program still holds its link",
		      name);
		return EXIT_FAILURE;
	}
	printf("unloaded %s\n", name);
	return EXIT_SUCCESS;
}

/* load [--set NAME=VALUE]... FILE: argv from optind on. */
static int load_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct setting settings[MAX_SETTINGS] = {};
	int n = 0, c, i;
	char *eq;

	while ((c = getopt_long(argc, argv, "+s:", longopts, NULL)) != -1) {
		if (c != 's')
			krg_usage_error(NULL);
		eq = strchr(optarg, '=');
		if (!eq || eq == optarg)
			krg_usage_error("load: --set wants <name>=<value>, not '%s'",
					optarg);
		if (n == MAX_SETTINGS)
			krg_usage_error("load: more than %d settings",
					MAX_SETTINGS);
		*eq = '\0';
		for (i = 0; i < n; i++)
			if (!strcmp(settings[i].name, optarg))
				krg_usage_error("load: setting '%s' given twice",
						optarg);
		settings[n].name = optarg;
		settings[n].value = eq + 1;
		n++;
	}
	if (argc - optind != 1)
		krg_usage_error("load: one argument expected");
	return cmd_load(argv[optind], settings, n);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage();
		case 'V':
			return krg_print_version();
		default:
			krg_usage_error(NULL);
		}
	}
	if (optind >= argc)
		krg_usage_error("no command");
	cmd = argv[optind++];
	libbpf_set_print(print_libbpf);

	if (!strcmp(cmd, "load"))
		return load_main(argc, argv);
	if (!strcmp(cmd, "unload")) {
		if (argc - optind != 1)
			krg_usage_error("%s: one argument expected", cmd);
		return cmd_unload(argv[optind]);
	}
	if (!strcmp(cmd, "list")) {
		if (argc != optind)
			krg_usage_error("list: no argument expected");
		return cmd_list();
	}
	krg_usage_error("unknown command '%s'", cmd);
}
