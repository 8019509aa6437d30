// SPDX-License-Identifier: GPL-2.0
/*
 * tlsdevctl - create, inspect and fault-inject tlsdev devices.
 *
 *   tlsdevctl [-j] GROUP COMMAND [ARGS...]
 *
 * The groups and their commands are tables (link.c, conn.c, stats.c,
 * fault.c); --help at any level is generated from them.
 */
#include "ctl.h"
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct ctl_group *const ctl_groups[] = {
	&ctl_link_group,
	&ctl_conn_group,
	&ctl_stats_group,
	&ctl_fault_group,
};

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

static void usage_cmd(FILE *f, const struct ctl_group *g,
		      const struct ctl_cmd *c, bool verbose)
{
	fprintf(f, "  tlsdevctl [-j] %s %s%s%s\n", g->name, c->name,
		c->args[0] ? " " : "", c->args);
	if (verbose)
		fprintf(f, "\n%s\n", c->help);
}

static void usage_group(FILE *f, const struct ctl_group *g)
{
	const struct ctl_cmd *c;

	for (c = g->cmds; c->name; c++)
		usage_cmd(f, g, c, false);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: tlsdevctl [-j] GROUP COMMAND [ARGS...]\n\n");
	for (i = 0; i < ARRAY_SIZE(ctl_groups); i++)
		usage_group(f, ctl_groups[i]);
	fprintf(f,
		"\nOptions:\n"
		"  -j, --json    print JSON (show commands)\n"
		"  -h, --help    this help; 'tlsdevctl GROUP --help' and\n"
		"                'tlsdevctl GROUP COMMAND --help' explain one group or command\n"
		"\nGroups:\n");
	for (i = 0; i < ARRAY_SIZE(ctl_groups); i++)
		fprintf(f, "  %-6s %s\n", ctl_groups[i]->name, ctl_groups[i]->help);
	fprintf(f,
		"\nExit codes:\n"
		"  0  success\n"
		"  1  the operation failed or the kernel refused it (its message is printed)\n"
		"  2  usage error\n"
		"  3  the tls_dev netlink family or the tlsdev link type is not available\n"
		"     (tlsdev.ko not loaded)\n"
		"\nSee Documentation/tlsdevctl.rst.\n");
}

int ctl_usage(struct ctl *ctl, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (ctl->what)
		errmsg("%s: %s (see 'tlsdevctl %s --help')", ctl->what, buf,
		       ctl->what);
	else
		errmsg("%s (see 'tlsdevctl --help')", buf);
	return CTL_USAGE;
}

const char *ctl_arg_value(struct ctl *ctl, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		ctl_usage(ctl, "'%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int ctl_arg_u32(struct ctl *ctl, const char *kw, const char *s, uint32_t min,
		uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return ctl_usage(ctl, "%s: not a 32-bit unsigned number: '%s'",
				 kw, s);
	if (v < min)
		return ctl_usage(ctl, "%s: must be at least %u", kw, min);
	*out = (uint32_t)v;
	return CTL_OK;
}

int ctl_arg_ifname(struct ctl *ctl, const char *kw, const char *s)
{
	if (!s[0] || strlen(s) >= IFNAMSIZ)
		return ctl_usage(ctl, "%s: not a device name: '%s'", kw, s);
	return CTL_OK;
}

static const struct ctl_group *find_group(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ctl_groups); i++)
		if (!strcmp(ctl_groups[i]->name, name))
			return ctl_groups[i];
	return NULL;
}

static const struct ctl_cmd *find_cmd(const struct ctl_group *g,
				      const char *name)
{
	const struct ctl_cmd *c;

	for (c = g->cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ctl_group *g;
	const struct ctl_cmd *c;
	struct ctl ctl = { 0 };
	char what[64];
	int i = 1, rc;

	prog_set_name("tlsdevctl");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			ctl.json = true;
		} else if (is_help(argv[i])) {
			usage(stdout);
			return CTL_OK;
		} else {
			return ctl_usage(&ctl, "unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return ctl_usage(&ctl, "missing command");
	if (is_help(argv[i])) {
		usage(stdout);
		return CTL_OK;
	}
	g = find_group(argv[i]);
	if (!g)
		return ctl_usage(&ctl, "unknown command '%s'", argv[i]);
	ctl.what = g->name;
	if (++i >= argc)
		return ctl_usage(&ctl, "missing command");
	if (is_help(argv[i])) {
		printf("Usage:\n");
		usage_group(stdout, g);
		return CTL_OK;
	}
	c = find_cmd(g, argv[i]);
	if (!c)
		return ctl_usage(&ctl, "unknown command '%s'", argv[i]);
	snprintf(what, sizeof(what), "%s %s", g->name, c->name);
	ctl.what = what;

	/* -h/--help anywhere among a command's arguments */
	for (int k = i + 1; k < argc; k++) {
		if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
			printf("Usage:\n");
			usage_cmd(stdout, g, c, true);
			return CTL_OK;
		}
	}

	rc = c->run(&ctl, argc - i - 1, argv + i + 1);
	ctl_close(&ctl);
	return rc;
}
