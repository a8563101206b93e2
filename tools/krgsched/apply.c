// SPDX-License-Identifier: GPL-2.0
/*
 * krgsched apply FILE.cfg: build scheduler trees from a libconfig file.
 *
 *   probes = ( { name = "mosix_probe"; probe_period = 1000; }, ... );
 *   schedulers = ( {
 *       name = "mosix";
 *       node_set = "0-3";                  (optional; scheduler attributes)
 *       process_set = { handle_all = true; };
 *           or { processes = [ 12 ]; process_groups = [ 34 ];
 *                sessions = [ 56 ]; cgroups = [ "/jobs" ]; }
 *       policy = {
 *           name = "mosix_load_balancer";
 *           attrs = { stab_factor = 130; };
 *           ports = {
 *               <port> = { link = "probes/mosix_probe/norm_mean_load"; };
 *               <port> = { filter = "threshold_filter";
 *                          attrs = { threshold = 1500; };
 *                          input = { link = "..."; name = "mosix"; };
 *                          ports = { <extra port> = { ... }; }; };
 *           };
 *       };
 *   } );
 *
 * A port is given one link (named after its target's last component, or
 * `name`) or one filter. A filter's directory is its main input port, as in
 * Kerrighed: `input` is what feeds it (a link or the next filter), `ports`
 * its extra ports (freq_limit_filter's last_event). Files written before
 * filters had this shape said `ports = { source = { ... }; }` for the main
 * input: that still reads, as `input`. A probe with input ports
 * (mattload_probe) takes `ports = { <port> = { link = "..."; }; }` too; probe
 * ports are linked once every probe of the file is active, so the order of
 * the probes list does not matter.
 *
 * Links are paths relative to the krg_scheduler directory (or absolute).
 * Everything is made in order; on the first error, what this run made is
 * removed again (existing probes are reused and kept) and the message names
 * the file, the line and the reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "krgsched.h"

static const char *cfg_file;

static int fail(config_setting_t *s, const char *what, const char *path,
		int err)
{
	const char *hint = "";

	switch (err) {
	case ENOENT:
		hint = " (unknown type: is its module installed?)";
		break;
	case EBUSY:
		hint = " (already in use or connected)";
		break;
	case EINVAL:
		hint = " (invalid value, or incompatible value types)";
		break;
	case EPERM:
		hint = " (not allowed here)";
		break;
	default:
		break;
	}
	fprintf(stderr, "krgsched: %s:%d: cannot %s %s: %s%s\n", cfg_file,
		s ? config_setting_source_line(s) : 0, what, path,
		strerror(err), hint);
	return -1;
}

/* The value of a scalar setting as the text written to configfs. */
static int scalar_text(config_setting_t *s, char *buf, size_t len)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, len, "%d", config_setting_get_int(s));
		return 0;
	case CONFIG_TYPE_INT64:
		snprintf(buf, len, "%lld", config_setting_get_int64(s));
		return 0;
	case CONFIG_TYPE_BOOL:
		snprintf(buf, len, "%d", config_setting_get_bool(s));
		return 0;
	case CONFIG_TYPE_STRING:
		snprintf(buf, len, "%s", config_setting_get_string(s));
		return 0;
	default:
		return -1;
	}
}

/* Write every scalar of group @attrs into directory @dir. */
static int apply_attrs(struct ctl *c, config_setting_t *attrs,
		       const char *dir, const char *const *skip)
{
	char path[PATH_MAX], val[256];
	const char *const *k;
	config_setting_t *a;
	int i;

	if (!attrs)
		return 0;
	if (!config_setting_is_group(attrs)) {
		fprintf(stderr, "krgsched: %s:%d: 'attrs' must be a group { name = value; }\n",
			cfg_file, config_setting_source_line(attrs));
		return -1;
	}
	for (i = 0; (a = config_setting_get_elem(attrs, i)); i++) {
		const char *name = config_setting_name(a);

		for (k = skip; k && *k; k++)
			if (!strcmp(*k, name))
				break;
		if (k && *k)
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, name))
			return fail(NULL, "build", "a path", errno);
		/* An array writes each element in turn (e.g. a key_map). */
		if (config_setting_is_array(a)) {
			config_setting_t *e;
			int j;

			for (j = 0; (e = config_setting_get_elem(a, j)); j++) {
				if (scalar_text(e, val, sizeof(val))) {
					fprintf(stderr, "krgsched: %s:%d: attribute '%s' holds something other than numbers or strings\n",
						cfg_file, config_setting_source_line(a), name);
					return -1;
				}
				if (cfs_write(c, path, val))
					return fail(a, "write", path, errno);
			}
			continue;
		}
		if (scalar_text(a, val, sizeof(val))) {
			fprintf(stderr, "krgsched: %s:%d: attribute '%s' must be a number, boolean or string\n",
				cfg_file, config_setting_source_line(a), name);
			return -1;
		}
		if (cfs_write(c, path, val))
			return fail(a, "write", path, errno);
	}
	return 0;
}

static int apply_port(struct ctl *c, config_setting_t *port,
		      const char *dir);

/*
 * Ports of a policy, filter or probe: group { <port> = { link | filter }; }.
 * @filter: @dir is a filter's, whose main input is @dir itself (a `source`
 * port there is that main input, as files of the older shape said).
 */
static int apply_ports(struct ctl *c, config_setting_t *ports,
		       const char *dir, bool filter)
{
	char path[PATH_MAX];
	config_setting_t *p;
	int i;

	if (!ports)
		return 0;
	if (!config_setting_is_group(ports)) {
		fprintf(stderr, "krgsched: %s:%d: 'ports' must be a group { <port> = { ... }; }\n",
			cfg_file, config_setting_source_line(ports));
		return -1;
	}
	for (i = 0; (p = config_setting_get_elem(ports, i)); i++) {
		if (pathf(path, sizeof(path), "%s/%s", dir, config_setting_name(p)))
			return fail(NULL, "build", "a path", errno);
		if (filter && !strcmp(config_setting_name(p), "source") &&
		    !cfs_is_dir(c, path)) {
			if (apply_port(c, p, dir))
				return -1;
			continue;
		}
		if (!cfs_is_dir(c, path) && !c->dry_run) {
			fprintf(stderr, "krgsched: %s:%d: %s has no port '%s'\n",
				cfg_file, config_setting_source_line(p), dir,
				config_setting_name(p));
			return -1;
		}
		if (apply_port(c, p, path))
			return -1;
	}
	return 0;
}

/* "<dir>/<parent>_<base>" for the link to @link (".../parent/base"). */
static int default_link_name(const char *link, const char *dir, char *path,
			     size_t len)
{
	const char *base = strrchr(link, '/'), *parent;
	int plen;

	if (!base)
		return pathf(path, len, "%s/%s_link", dir, link);
	for (parent = base; parent > link && parent[-1] != '/'; parent--)
		;
	plen = (int)(base - parent);
	return pathf(path, len, "%s/%.*s_%s", dir, plen, parent, base + 1);
}

/* @port's link or filter, made in port directory @dir. */
static int apply_port(struct ctl *c, config_setting_t *port,
		      const char *dir)
{
	const char *link = NULL, *filter = NULL, *name = NULL, *base;
	config_setting_t *input;
	char path[PATH_MAX];

	config_setting_lookup_string(port, "link", &link);
	config_setting_lookup_string(port, "filter", &filter);
	if (!!link == !!filter) {
		fprintf(stderr, "krgsched: %s:%d: port '%s' needs exactly one of link = \"...\" or filter = \"...\"\n",
			cfg_file, config_setting_source_line(port),
			config_setting_name(port));
		return -1;
	}
	if (link) {
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (config_setting_lookup_string(port, "name", &name) &&
		    (!*name || strchr(name, '/') || !strcmp(name, ".") ||
		     !strcmp(name, ".."))) {
			fprintf(stderr, "krgsched: %s:%d: link name '%s' must be a single file name\n",
				cfg_file, config_setting_source_line(port), name);
			return -1;
		}
		if (pathf(path, sizeof(path), "%s/%s", dir, name ?: base))
			return fail(NULL, "build", "a path", errno);
		/*
		 * A filter's directory holds its attributes too: a source
		 * named like one of them (test_probe's `value`) is linked as
		 * <probe>_<source> unless the file says otherwise.
		 */
		if (!name && cfs_is_file(c, path) &&
		    default_link_name(link, dir, path, sizeof(path)))
			return fail(NULL, "build", "a path", errno);
		if (cfs_link(c, link, path))
			return fail(port, "link", link, errno);
		return 0;
	}
	if (pathf(path, sizeof(path), "%s/%s", dir, filter))
		return fail(NULL, "build", "a path", errno);
	if (cfs_mkdir(c, path, NULL))
		return fail(port, "create filter", path, errno);
	if (apply_attrs(c, config_setting_lookup(port, "attrs"), path, NULL))
		return -1;
	input = config_setting_lookup(port, "input");
	if (input) {
		if (!config_setting_is_group(input)) {
			fprintf(stderr, "krgsched: %s:%d: 'input' must be a group { link = \"...\"; } or { filter = \"...\"; ... }\n",
				cfg_file, config_setting_source_line(input));
			return -1;
		}
		if (apply_port(c, input, path))
			return -1;
	}
	return apply_ports(c, config_setting_lookup(port, "ports"), path,
			   true);
}

static int apply_members(struct ctl *c, config_setting_t *ps,
			 const char *key, const char *dir, const char *sdir)
{
	char path[PATH_MAX + 64], val[256];
	config_setting_t *l, *e;
	int i;

	l = config_setting_lookup(ps, key);
	if (!l)
		return 0;
	if (!config_setting_is_aggregate(l)) {
		fprintf(stderr, "krgsched: %s:%d: '%s' must be a list [ ... ]\n",
			cfg_file, config_setting_source_line(l), key);
		return -1;
	}
	for (i = 0; (e = config_setting_get_elem(l, i)); i++) {
		if (!strcmp(key, "cgroups")) {
			const char *cg = config_setting_get_string(e);
			const char *name;

			if (!cg || cg[0] != '/') {
				fprintf(stderr, "krgsched: %s:%d: cgroups are absolute paths such as \"/jobs\"\n",
					cfg_file, config_setting_source_line(e));
				return -1;
			}
			/* The member is named after the cgroup's last component. */
			name = strrchr(cg, '/') + 1;
			pathf(path, sizeof(path), "%s/process_set/%s/%s", sdir,
				 dir, name);
			if (cfs_mkdir(c, path, NULL))
				return fail(e, "add cgroup member", path, errno);
			strcat(path, "/path");
			if (cfs_write(c, path, cg))
				return fail(e, "set cgroup path", cg, errno);
			continue;
		}
		if (scalar_text(e, val, sizeof(val)))
			return fail(e, "read member of", key, EINVAL);
		pathf(path, sizeof(path), "%s/process_set/%s/%s", sdir, dir,
			 val);
		if (cfs_mkdir(c, path, NULL))
			return fail(e, "add member", path, errno);
	}
	return 0;
}

static int apply_scheduler(struct ctl *c, config_setting_t *s)
{
	static const char *const skip[] = {
		"name", "process_set", "policy", NULL,
	};
	char dir[PATH_MAX], path[PATH_MAX];
	config_setting_t *ps, *pol;
	const char *name, *pname;
	int all;

	if (!config_setting_lookup_string(s, "name", &name)) {
		fprintf(stderr, "krgsched: %s:%d: a scheduler needs name = \"...\"\n",
			cfg_file, config_setting_source_line(s));
		return -1;
	}
	if (pathf(dir, sizeof(dir), "schedulers/%s", name))
		return fail(NULL, "build", "a path", errno);
	if (cfs_mkdir(c, dir, NULL))
		return fail(s, "create scheduler", dir, errno);
	/* Scheduler attributes are the group's scalars (node_set, ...). */
	if (apply_attrs(c, s, dir, skip))
		return -1;

	ps = config_setting_lookup(s, "process_set");
	if (ps) {
		if (config_setting_lookup_bool(ps, "handle_all", &all) && all) {
			if (pathf(path, sizeof(path), "%s/process_set/handle_all", dir))
				return fail(NULL, "build", "a path", errno);
			if (cfs_write(c, path, "1"))
				return fail(ps, "write", path, errno);
		}
		if (apply_members(c, ps, "processes", "single_processes", dir) ||
		    apply_members(c, ps, "process_groups", "process_groups", dir) ||
		    apply_members(c, ps, "sessions", "process_sessions", dir) ||
		    apply_members(c, ps, "cgroups", "cgroups", dir))
			return -1;
	}

	pol = config_setting_lookup(s, "policy");
	if (!pol)
		return 0;
	if (!config_setting_lookup_string(pol, "name", &pname)) {
		fprintf(stderr, "krgsched: %s:%d: a policy needs name = \"...\"\n",
			cfg_file, config_setting_source_line(pol));
		return -1;
	}
	if (pathf(path, sizeof(path), "%s/%s", dir, pname))
		return fail(NULL, "build", "a path", errno);
	if (cfs_mkdir(c, path, NULL))
		return fail(pol, "create policy", path, errno);
	if (apply_attrs(c, config_setting_lookup(pol, "attrs"), path, NULL))
		return -1;
	return apply_ports(c, config_setting_lookup(pol, "ports"), path,
			   false);
}

static int apply_probe(struct ctl *c, config_setting_t *p)
{
	static const char *const skip[] = { "name", "ports", NULL };
	char dir[PATH_MAX];
	const char *name;
	bool created;

	if (!config_setting_lookup_string(p, "name", &name)) {
		fprintf(stderr, "krgsched: %s:%d: a probe needs name = \"...\"\n",
			cfg_file, config_setting_source_line(p));
		return -1;
	}
	if (pathf(dir, sizeof(dir), "probes/%s", name))
		return fail(NULL, "build", "a path", errno);
	/* An active probe is shared: reuse it, never remove it on undo. */
	if (cfs_mkdir(c, dir, &created))
		return fail(p, "activate probe", dir, errno);
	return apply_attrs(c, p, dir, skip);
}

/* Second pass over the probes: their input ports, once all are active. */
static int apply_probe_ports(struct ctl *c, config_setting_t *p)
{
	char dir[PATH_MAX];
	const char *name;

	if (!config_setting_lookup_string(p, "name", &name) ||
	    pathf(dir, sizeof(dir), "probes/%s", name))
		return -1;
	return apply_ports(c, config_setting_lookup(p, "ports"), dir, false);
}

static int apply_list(struct ctl *c, const config_t *cfg, const char *key,
		      int (*fn)(struct ctl *, config_setting_t *))
{
	config_setting_t *l = config_lookup(cfg, key), *e;
	int i;

	if (!l)
		return 0;
	if (!config_setting_is_list(l) && !config_setting_is_array(l)) {
		fprintf(stderr, "krgsched: %s:%d: '%s' must be a list ( { ... }, ... )\n",
			cfg_file, config_setting_source_line(l), key);
		return -1;
	}
	for (i = 0; (e = config_setting_get_elem(l, i)); i++)
		if (fn(c, e))
			return -1;
	return 0;
}

int krgsched_apply(struct ctl *c, const char *file)
{
	config_t cfg;
	int ret = -1;

	cfg_file = file;
	config_init(&cfg);
	if (!config_read_file(&cfg, file)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			fprintf(stderr, "krgsched: cannot read %s: %s\n", file,
				strerror(errno));
		else
			fprintf(stderr, "krgsched: %s:%d: %s\n",
				config_error_file(&cfg) ?: file,
				config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	if (!c->dry_run && cfs_check_root(c))
		goto out;
	if (apply_list(c, &cfg, "probes", apply_probe) ||
	    apply_list(c, &cfg, "probes", apply_probe_ports) ||
	    apply_list(c, &cfg, "schedulers", apply_scheduler)) {
		cfs_undo(c);
		fprintf(stderr, "krgsched: %s not applied; nothing was left behind\n",
			file);
		goto out;
	}
	cfs_commit();
	ret = 0;
out:
	config_destroy(&cfg);
	return ret;
}
