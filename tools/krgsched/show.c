// SPDX-License-Identifier: GPL-2.0
/*
 * krgsched show [NAME]: print live schedulers as a readable graph, or with
 * --cfg as a libconfig file that `krgsched apply` accepts.
 *
 * What is an attribute to save is read from the tree itself: a regular
 * file its owner may read and write. Read-only files (value, stats, ...)
 * and write-only ones (commands) are not configuration.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krgsched.h"
#include "libkrg.h"

static char root_real[PATH_MAX];

/* Probes the shown schedulers link to (show --cfg NAME prints them too). */
#define MAX_REFS 64
static char probe_refs[MAX_REFS][256];
static int nr_probe_refs;

static void note_probe_ref(const char *target)
{
	char name[256];
	size_t n;
	int i;

	if (strncmp(target, "probes/", 7))
		return;
	n = strcspn(target + 7, "/");
	if (!n || n >= sizeof(name))
		return;
	memcpy(name, target + 7, n);
	name[n] = '\0';
	for (i = 0; i < nr_probe_refs; i++)
		if (!strcmp(probe_refs[i], name))
			return;
	if (nr_probe_refs < MAX_REFS)
		strcpy(probe_refs[nr_probe_refs++], name);
}

static bool probe_referenced(const char *name)
{
	int i;

	for (i = 0; i < nr_probe_refs; i++)
		if (!strcmp(probe_refs[i], name))
			return true;
	return false;
}

static int names_sorted(const char *dir, struct dirent ***list)
{
	return scandir(dir, list, NULL, alphasort);
}

static void free_names(struct dirent **l, int n)
{
	while (n-- > 0)
		free(l[n]);
	free(l);
}

static bool is_config_attr(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISREG(st.st_mode) &&
	       (st.st_mode & 0600) == 0600;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISDIR(st.st_mode);
}

static bool is_link(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISLNK(st.st_mode);
}

/* An attribute, cut to what @buf holds (a long value is shown cut). */
static int read_attr(const char *path, char *buf, size_t len)
{
	return krg_read_file(path, buf, len) && errno != ERANGE ? -1 : 0;
}

/* The link's target relative to the krg_scheduler directory. */
static const char *link_target(const char *path, char *buf, size_t len)
{
	char real[PATH_MAX];
	size_t rl = strlen(root_real);

	if (!realpath(path, real)) {
		snprintf(buf, len, "(dangling)");
		return buf;
	}
	if (!strncmp(real, root_real, rl) && real[rl] == '/')
		snprintf(buf, len, "%s", real + rl + 1);
	else
		snprintf(buf, len, "%s", real);
	note_probe_ref(buf);
	return buf;
}

static bool is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void indent(FILE *out, int n)
{
	fprintf(out, "%*s", 2 * n, "");
}

/* Attributes of @dir: "a=1, b=2" (graph) or "a = 1;" lines (cfg). */
static void show_attrs(const char *dir, bool cfg, int depth, FILE *out,
		       const char *const *skip)
{
	char path[PATH_MAX], val[512];
	const char *const *k;
	struct dirent **l;
	int n, i, shown = 0;

	n = names_sorted(dir, &l);
	for (i = 0; i < n; i++) {
		const char *name = l[i]->d_name;

		if (name[0] == '.')
			continue;
		for (k = skip; k && *k; k++)
			if (!strcmp(*k, name))
				break;
		if (k && *k)
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, name);
		if (!is_config_attr(path) || read_attr(path, val, sizeof(val)))
			continue;
		if (cfg) {
			indent(out, depth);
			if (is_number(val))
				fprintf(out, "%s = %s%s;\n", name, val,
					strlen(val) > 9 ? "L" : "");
			else
				fprintf(out, "%s = \"%s\";\n", name, val);
		} else {
			fprintf(out, "%s%s=%s", shown ? ", " : " (", name, val);
		}
		shown++;
	}
	if (!cfg && shown)
		fputc(')', out);
	if (n > 0)
		free_names(l, n);
}

/*
 * What a directory of the tree is, from its files: a port has
 * collected_value, a source has value, a filter (a source whose directory
 * is also its main input port) has both.
 */
enum node_kind { NODE_OTHER, NODE_PORT, NODE_SOURCE, NODE_FILTER };

static enum node_kind node_kind(const char *dir)
{
	char path[PATH_MAX];
	bool port, source;

	if (pathf(path, sizeof(path), "%s/collected_value", dir))
		return NODE_OTHER;
	port = !access(path, F_OK);
	if (pathf(path, sizeof(path), "%s/value", dir))
		return NODE_OTHER;
	source = !access(path, F_OK);
	if (port)
		return source ? NODE_FILTER : NODE_PORT;
	return source ? NODE_SOURCE : NODE_OTHER;
}

static void show_ports(const char *dir, bool cfg, int depth, FILE *out);

/* A link of a port: `name = { link = ...; }`, with its name if not the target's. */
static void show_link(const char *path, const char *lname, const char *name,
		      bool cfg, int depth, FILE *out)
{
	char t[PATH_MAX];
	const char *base;

	link_target(path, t, sizeof(t));
	base = strrchr(t, '/');
	base = base ? base + 1 : t;
	indent(out, depth);
	if (cfg && strcmp(base, lname))
		fprintf(out, "%s = { link = \"%s\"; name = \"%s\"; };\n", name,
			t, lname);
	else if (cfg)
		fprintf(out, "%s = { link = \"%s\"; };\n", name, t);
	else if (*name)
		fprintf(out, "%s <- %s\n", name, t);
	else
		fprintf(out, "<- %s\n", t);
}

static void show_port_input(const char *port, const char *name, bool cfg,
			    int depth, FILE *out);

/* The filter @fname made in a port: its attributes, input and extra ports. */
static void show_filter(const char *path, const char *fname, const char *name,
			bool cfg, int depth, FILE *out)
{
	char t[PATH_MAX], val[256];

	indent(out, depth);
	if (!cfg) {
		pathf(t, sizeof(t), "%s/value", path);
		if (read_attr(t, val, sizeof(val)))
			val[0] = '\0';
		fprintf(out, "%s%sfilter %s = %s", name, *name ? " <- " : "<- ",
			fname, val);
		show_attrs(path, false, 0, out, NULL);
		fputc('\n', out);
		show_port_input(path, "", false, depth + 1, out);
		show_ports(path, false, depth + 1, out);
		return;
	}
	fprintf(out, "%s = {\n", name);
	indent(out, depth + 1);
	fprintf(out, "filter = \"%s\";\n", fname);
	indent(out, depth + 1);
	fprintf(out, "attrs = {\n");
	show_attrs(path, true, depth + 2, out, NULL);
	indent(out, depth + 1);
	fprintf(out, "};\n");
	show_port_input(path, "input", true, depth + 1, out);
	indent(out, depth + 1);
	fprintf(out, "ports = {\n");
	show_ports(path, true, depth + 2, out);
	indent(out, depth + 1);
	fprintf(out, "};\n");
	indent(out, depth);
	fprintf(out, "};\n");
}

/*
 * What feeds the port directory @port (a policy's or probe's port, or a
 * filter's directory as its main input): its link or the filter in it.
 */
static void show_port_input(const char *port, const char *name, bool cfg,
			    int depth, FILE *out)
{
	char path[PATH_MAX];
	struct dirent **l;
	int n, i;
	bool any = false;

	n = names_sorted(port, &l);
	for (i = 0; i < n; i++) {
		if (l[i]->d_name[0] == '.')
			continue;
		pathf(path, sizeof(path), "%s/%s", port, l[i]->d_name);
		if (is_link(path)) {
			show_link(path, l[i]->d_name, name, cfg, depth, out);
			any = true;
		} else if (is_dir(path) && node_kind(path) == NODE_FILTER) {
			show_filter(path, l[i]->d_name, name, cfg, depth, out);
			any = true;
		}
	}
	if (!any && !cfg && *name) {
		indent(out, depth);
		fprintf(out, "%s (not connected)\n", name);
	} else if (!any && !cfg) {
		indent(out, depth);
		fprintf(out, "(not connected)\n");
	}
	if (n > 0)
		free_names(l, n);
}

/* The port subdirectories of a policy, filter or probe directory @dir. */
static void show_ports(const char *dir, bool cfg, int depth, FILE *out)
{
	char path[PATH_MAX];
	struct dirent **l;
	int n, i;

	n = names_sorted(dir, &l);
	for (i = 0; i < n; i++) {
		if (l[i]->d_name[0] == '.')
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, l[i]->d_name);
		if (is_dir(path) && node_kind(path) == NODE_PORT)
			show_port_input(path, l[i]->d_name, cfg, depth, out);
	}
	if (n > 0)
		free_names(l, n);
}

static const char *const member_dirs[][2] = {
	{ "single_processes", "processes" },
	{ "process_groups", "process_groups" },
	{ "process_sessions", "sessions" },
	{ "cgroups", "cgroups" },
};

static void show_members(const char *sdir, bool cfg, FILE *out)
{
	char path[PATH_MAX], sub[PATH_MAX + 256], val[PATH_MAX];
	struct dirent **l;
	unsigned int k;
	int n, i, shown;

	pathf(path, sizeof(path), "%s/process_set/handle_all", sdir);
	if (!read_attr(path, val, sizeof(val)) && !strcmp(val, "1")) {
		fprintf(out, cfg ? "    process_set = { handle_all = true; };\n"
				 : "  process_set: handle_all\n");
		return;
	}
	if (cfg)
		fprintf(out, "    process_set = {\n");
	else
		fprintf(out, "  process_set:");
	for (k = 0; k < sizeof(member_dirs) / sizeof(member_dirs[0]); k++) {
		pathf(path, sizeof(path), "%s/process_set/%s", sdir,
			 member_dirs[k][0]);
		n = names_sorted(path, &l);
		shown = 0;
		for (i = 0; i < n; i++) {
			const char *m = l[i]->d_name;

			if (m[0] == '.')
				continue;
			if (k == 3) {
				pathf(sub, sizeof(sub), "%s/%s/path", path, m);
				if (read_attr(sub, val, sizeof(val)) || !val[0])
					continue;
				m = val;
			}
			if (cfg)
				fprintf(out, shown ? ", " : "      %s = [ ",
					member_dirs[k][1]);
			else
				fprintf(out, shown ? "," : " %s ",
					member_dirs[k][1]);
			/* cgroups, and members named after their node */
			fprintf(out, cfg && (k == 3 || strchr(m, ':')) ?
				"\"%s\"" : "%s", m);
			shown++;
		}
		if (shown && cfg)
			fprintf(out, " ];\n");
		if (n > 0)
			free_names(l, n);
	}
	fprintf(out, cfg ? "    };\n" : "\n");
}

static void show_scheduler(const char *sdir, const char *name, bool cfg,
			   FILE *out)
{
	static const char *const sched_skip[] = { "node_set_max_fit", NULL };
	char path[PATH_MAX], val[1024];
	struct dirent **l;
	int n, i;

	if (cfg) {
		fprintf(out, "  {\n    name = \"%s\";\n", name);
		/* node_set only when it does not follow the online nodes. */
		pathf(path, sizeof(path), "%s/node_set_max_fit", sdir);
		if (!read_attr(path, val, sizeof(val)) && !strcmp(val, "1"))
			show_attrs(sdir, true, 2, out, (const char *const[]){
				"node_set", "node_set_max_fit", NULL });
		else
			show_attrs(sdir, true, 2, out, sched_skip);
	} else {
		pathf(path, sizeof(path), "%s/status", sdir);
		read_attr(path, val, sizeof(val));
		fprintf(out, "scheduler %s: %s\n  ", name, val);
		show_attrs(sdir, false, 0, out, NULL);
		fputc('\n', out);
	}
	show_members(sdir, cfg, out);

	n = names_sorted(sdir, &l);
	for (i = 0; i < n; i++) {
		const char *p = l[i]->d_name;

		if (p[0] == '.' || !strcmp(p, "process_set"))
			continue;
		pathf(path, sizeof(path), "%s/%s", sdir, p);
		if (!is_dir(path))
			continue;
		if (cfg) {
			fprintf(out, "    policy = {\n      name = \"%s\";\n", p);
			fprintf(out, "      attrs = {\n");
			show_attrs(path, true, 4, out, NULL);
			fprintf(out, "      };\n      ports = {\n");
			show_ports(path, true, 4, out);
			fprintf(out, "      };\n    };\n");
		} else {
			fprintf(out, "  policy %s", p);
			show_attrs(path, false, 0, out, NULL);
			fputc('\n', out);
			show_ports(path, false, 2, out);
		}
	}
	if (n > 0)
		free_names(l, n);
	if (cfg)
		fprintf(out, "  }");
}

/* Does the probe directory @dir have input ports (mattload_probe)? */
static bool has_ports(const char *dir)
{
	char path[PATH_MAX];
	struct dirent **l;
	bool any = false;
	int n, i;

	n = names_sorted(dir, &l);
	for (i = 0; i < n && !any; i++) {
		if (l[i]->d_name[0] == '.')
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, l[i]->d_name);
		any = is_dir(path) && node_kind(path) == NODE_PORT;
	}
	if (n > 0)
		free_names(l, n);
	return any;
}

/*
 * Note the probes linked into the ports of the referenced probes among the
 * @n entries @l of @dir. Returns whether that added any.
 */
static bool note_port_refs(const char *dir, struct dirent **l, int n)
{
	char path[PATH_MAX], port[PATH_MAX], t[PATH_MAX];
	int before = nr_probe_refs, i, j, m;
	struct dirent **pl, **ll;

	for (i = 0; i < n; i++) {
		if (l[i]->d_name[0] == '.' || !probe_referenced(l[i]->d_name))
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, l[i]->d_name);
		m = names_sorted(path, &pl);
		for (j = 0; j < m; j++) {
			int k, nl;

			pathf(port, sizeof(port), "%s/%s", path, pl[j]->d_name);
			if (pl[j]->d_name[0] == '.' || !is_dir(port) ||
			    node_kind(port) != NODE_PORT)
				continue;
			nl = names_sorted(port, &ll);
			for (k = 0; k < nl; k++) {
				pathf(t, sizeof(t), "%s/%s", port,
				      ll[k]->d_name);
				if (is_link(t))
					link_target(t, t, sizeof(t));
			}
			if (nl > 0)
				free_names(ll, nl);
		}
		if (m > 0)
			free_names(pl, m);
	}
	return nr_probe_refs != before;
}

static void show_probes(const struct ctl *c, FILE *out, bool only_refs)
{
	static const char *const probe_skip[] = { "pid", NULL };
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent **l;
	int n, i, shown = 0;

	cfs_path(c, dir, sizeof(dir), "probes");
	n = names_sorted(dir, &l);
	/* Probes that feed a shown probe's ports are shown too. */
	while (only_refs && note_port_refs(dir, l, n))
		;
	for (i = 0; i < n; i++) {
		if (l[i]->d_name[0] == '.')
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, l[i]->d_name);
		if (!is_dir(path) ||
		    (only_refs && !probe_referenced(l[i]->d_name)))
			continue;
		if (c->cfg) {
			fprintf(out, "%s  {\n    name = \"%s\";\n",
				shown ? ",\n" : "probes = (\n", l[i]->d_name);
			/* pid selects what pid_value shows: not a setting. */
			show_attrs(path, true, 2, out, probe_skip);
			if (has_ports(path)) {
				fprintf(out, "    ports = {\n");
				show_ports(path, true, 3, out);
				fprintf(out, "    };\n");
			}
			fprintf(out, "  }");
		} else {
			fprintf(out, "probe %s", l[i]->d_name);
			show_attrs(path, false, 0, out, probe_skip);
			fputc('\n', out);
			show_ports(path, false, 1, out);
		}
		shown++;
	}
	if (c->cfg && shown)
		fprintf(out, "\n);\n");
	if (n > 0)
		free_names(l, n);
}

int krgsched_show(const struct ctl *c, const char *name, FILE *real_out)
{
	char dir[PATH_MAX], path[PATH_MAX], *body = NULL;
	size_t body_len = 0;
	struct dirent **l;
	int n, i, shown = 0;
	FILE *out;

	if (cfs_check_root(c))
		return -1;
	if (!realpath(c->root, root_real))
		return -1;
	if (name) {
		pathf(path, sizeof(path), "schedulers/%s", name);
		if (!cfs_is_dir(c, path)) {
			fprintf(stderr, "krgsched: no scheduler '%s'\n", name);
			return -1;
		}
	}
	/* Schedulers first, into memory: they tell which probes they use. */
	out = open_memstream(&body, &body_len);
	if (!out)
		return -1;

	cfs_path(c, dir, sizeof(dir), "schedulers");
	n = names_sorted(dir, &l);
	for (i = 0; i < n; i++) {
		if (l[i]->d_name[0] == '.')
			continue;
		if (name && strcmp(name, l[i]->d_name))
			continue;
		pathf(path, sizeof(path), "%s/%s", dir, l[i]->d_name);
		if (!is_dir(path))
			continue;
		if (c->cfg)
			fprintf(out, shown ? ",\n" : "schedulers = (\n");
		show_scheduler(path, l[i]->d_name, c->cfg, out);
		shown++;
	}
	if (c->cfg && shown)
		fprintf(out, "\n);\n");
	if (n > 0)
		free_names(l, n);
	fclose(out);

	if (c->cfg)
		fprintf(real_out, "# krgsched show --cfg: apply with `krgsched apply FILE`\n");
	/* Every probe, or with a NAME (--cfg) the probes it links to. */
	if (!name || c->cfg)
		show_probes(c, real_out, name != NULL);
	fwrite(body, 1, body_len, real_out);
	free(body);
	return 0;
}
