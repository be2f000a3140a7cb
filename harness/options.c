/*
 * options.c - every option of every subcommand in one table, and the one
 * loop that reads argv against it.  Messages name the option as the user
 * wrote it where that matters (tests/e2e.sh checks them).
 */
#include "options.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "util.h"

/* ---- lists of strings -------------------------------------------------- */

void
opt_list_push(struct opt_list *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void
opt_list_split(struct opt_list *l, const char *csv)
{
	const char *p = csv;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len) {
			char *w = xstrndup(p, len);
			opt_list_push(l, w);
			free(w);
		}
		p += len + (c ? 1 : 0);
	}
}

int
opt_list_has(const struct opt_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void
opt_list_free(struct opt_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
opt_values_free(struct opt_values *v)
{
	opt_list_free(&v->paths);
	opt_list_free(&v->tags);
	opt_list_free(&v->skip_tags);
	opt_list_free(&v->levels);
	for (size_t k = 0; k < v->n_vars; k++) {
		free(v->vars[k].name);
		free(v->vars[k].value);
	}
	free(v->vars);
	v->vars = NULL;
	v->n_vars = 0;
	for (size_t k = 0; k < v->n_reports; k++)
		free(v->reports[k].file);
	free(v->reports);
	v->reports = NULL;
	v->n_reports = 0;
}

/* ---- the table --------------------------------------------------------- */

struct opt_row;
/* Store val (NULL for a flag) into v; 0, or -1 after a usage error. */
typedef int opt_setter(const struct opt_row *r, const char *val, struct opt_values *v);

struct opt_row {
	const char *name;   /* "--target" */
	const char *short_name; /* "-j", or NULL */
	unsigned cmds;      /* enum opt_cmd bits */
	int takes_value;
	opt_setter *set;
	size_t field;       /* offsetof(struct opt_values, ...) the setter fills */
	const char *needs;  /* what the value is, in messages: "a FILE" */
	size_t lo, hi;      /* opt_size's range */
};

#define FIELD(v, r, type) ((type *)(void *)((char *)(v) + (r)->field))

static int
opt_str(const struct opt_row *r, const char *val, struct opt_values *v)
{
	*FIELD(v, r, const char *) = val;
	return 0;
}

static int
opt_flag(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)val;
	*FIELD(v, r, int) = 1;
	return 0;
}

static int
opt_csv(const struct opt_row *r, const char *val, struct opt_values *v)
{
	opt_list_split(FIELD(v, r, struct opt_list), val);
	return 0;
}

static int
opt_seconds(const struct opt_row *r, const char *val, struct opt_values *v)
{
	char *end;
	errno = 0;
	double d = strtod(val, &end);
	if (errno || end == val || *end || !(d > 0 && d <= 86400))
		return cmd_usage_error("%s needs seconds (> 0), not '%s'", r->name, val), -1;
	*FIELD(v, r, double) = d;
	return 0;
}

/* SECONDS, or a number with s, m, h or d: "90", "30s", "8h". */
static int
opt_duration(const struct opt_row *r, const char *val, struct opt_values *v)
{
	char *end;
	errno = 0;
	double d = strtod(val, &end);
	double unit = 1;
	if (*end && !end[1])
		unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
	if (errno || end == val || (*end && (end[1] || unit == 0)) || !(d > 0 && d * unit <= 366 * 86400.0))
		return cmd_usage_error("%s needs a duration (90, 30s, 15m, 8h, 2d), not '%s'", r->name,
		    val), -1;
	*FIELD(v, r, double) = d * unit;
	return 0;
}

/* An integer in [lo, hi], the whole string. */
static int
opt_size(const struct opt_row *r, const char *val, struct opt_values *v)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(val, &end, 10);
	if (errno || end == val || *end || *val == '-' || n < r->lo || n > r->hi)
		return cmd_usage_error("%s needs %s from %zu to %zu, not '%s'", r->name, r->needs,
		    r->lo, r->hi, val), -1;
	*FIELD(v, r, size_t) = (size_t)n;
	return 0;
}

static int
opt_jobs(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	char *end;
	long jobs = strtol(val, &end, 10);
	if (*end || jobs < 1 || jobs > 1024)
		return cmd_usage_error("-j needs a number from 1 to 1024, not '%s'", val), -1;
	v->jobs = jobs;
	return 0;
}

static int
opt_var(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	const char *eq = strchr(val, '=');
	if (!eq || eq == val)
		return cmd_usage_error("--var needs NAME=VALUE, not '%s'", val), -1;
	v->vars = xrealloc(v->vars, (v->n_vars + 1) * sizeof(*v->vars));
	v->vars[v->n_vars].name = xstrndup(val, (size_t)(eq - val));
	v->vars[v->n_vars++].value = xstrdup(eq + 1);
	return 0;
}

static int
opt_level(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	opt_list_split(&v->levels, val);
	for (size_t k = 0; k < v->levels.n; k++)
		if (strcmp(v->levels.v[k], "must") && strcmp(v->levels.v[k], "should") &&
		    strcmp(v->levels.v[k], "may"))
			return cmd_usage_error("--level takes must, should and may, not '%s'",
			    v->levels.v[k]), -1;
	return 0;
}

/* FORMAT[:FILE]; no FILE (or an empty one) is standard output. */
static int
opt_report(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	const char *colon = strchr(val, ':');
	char *fmt = xstrndup(val, colon ? (size_t)(colon - val) : strlen(val));
	enum rep_format f;
	if (rep_format_parse(fmt, &f) != 0) {
		struct buf names;
		buf_init(&names);
		rep_format_names(&names);
		cmd_usage_error("unknown report format '%s' (%s)", fmt, names.data);
		buf_free(&names);
		free(fmt);
		return -1;
	}
	free(fmt);
	v->reports = xrealloc(v->reports, (v->n_reports + 1) * sizeof(*v->reports));
	v->reports[v->n_reports].fmt = f;
	v->reports[v->n_reports++].file = xstrdup(colon && colon[1] ? colon + 1 : "-");
	return 0;
}

static int
opt_tls_version(const struct opt_row *r, const char *val, struct opt_values *v)
{
	int ver = tls_version_parse(val);
	if (!ver)
		return cmd_usage_error("%s takes 1.0, 1.1, 1.2 or 1.3, not '%s'", r->name, val), -1;
	*FIELD(v, r, int) = ver;
	return 0;
}

/* --gaps and --listen: whether they were given changes what happens. */
static int
opt_gaps(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	v->gaps = val;
	v->gaps_given = 1;
	return 0;
}

static int
opt_listen(const struct opt_row *r, const char *val, struct opt_values *v)
{
	(void)r;
	v->listen = val;
	v->listen_given = 1;
	return 0;
}

#define OFF(f) offsetof(struct opt_values, f)
#define RUN OPT_RUN
#define LIST OPT_LIST
#define SERVE OPT_SERVE
#define FUZZ OPT_FUZZ

static const struct opt_row opt_table[] = {
	/* name                short  cmds       value setter     field                 needs */
	{ "--target",          NULL,  RUN | FUZZ,       1, opt_str,     OFF(target),          "a URL", 0, 0 },
	{ "--profile",         NULL,  RUN | FUZZ,       1, opt_str,     OFF(profile),         "a FILE", 0, 0 },
	{ "--var",             NULL,  RUN | FUZZ,       1, opt_var,     0,                    "NAME=VALUE", 0, 0 },
	{ "--tags",            NULL,  RUN | LIST | FUZZ, 1, opt_csv,    OFF(tags),            "a value", 0, 0 },
	{ "--skip-tags",       NULL,  RUN | FUZZ,       1, opt_csv,     OFF(skip_tags),       "a value", 0, 0 },
	{ "--level",           NULL,  RUN,       1, opt_level,   0,                    "a value", 0, 0 },
	{ "--jobs",            "-j",  RUN | FUZZ,       1, opt_jobs,    0,                    "a number", 0, 0 },
	{ "--timeout",         NULL,  RUN | FUZZ,       1, opt_seconds, OFF(timeout),         "seconds", 0, 0 },
	{ "--run-timeout",     NULL,  RUN,       1, opt_seconds, OFF(run_timeout),     "seconds", 0, 0 },
	{ "--scenario-timeout", NULL, RUN,       1, opt_seconds, OFF(scenario_timeout), "seconds", 0, 0 },
	{ "--max-reply-line",  NULL,  RUN | FUZZ,       1, opt_size,    OFF(max_reply_line),  "bytes", 64, 1048576 },
	{ "--max-reply-lines", NULL,  RUN | FUZZ,       1, opt_size,    OFF(max_reply_lines), "a count", 1, 1000000 },
	{ "--max-transcript",  NULL,  RUN,       1, opt_size,    OFF(max_transcript),  "bytes", 1024, (size_t)64 << 20 },
	{ "--repeat",          NULL,  RUN,       1, opt_size,    OFF(repeat),          "a count", 1, 100000 },
	{ "--report",          NULL,  RUN,       1, opt_report,  0,                    "FORMAT:FILE", 0, 0 },
	{ "--baseline",        NULL,  RUN,       1, opt_str,     OFF(baseline),        "a FILE", 0, 0 },
	{ "--tls-verify",      NULL,  RUN | FUZZ,       0, opt_flag,    OFF(tls.verify),      NULL, 0, 0 },
	{ "--tls-ca",          NULL,  RUN | FUZZ,       1, opt_str,     OFF(tls.ca_file),     "a FILE", 0, 0 },
	{ "--tls-servername",  NULL,  RUN | FUZZ,       1, opt_str,     OFF(tls.servername),  "a NAME", 0, 0 },
	{ "--tls-cert",        NULL,  RUN | FUZZ,       1, opt_str,     OFF(tls.cert_file),   "a FILE", 0, 0 },
	{ "--tls-key",         NULL,  RUN | FUZZ,       1, opt_str,     OFF(tls.key_file),    "a FILE", 0, 0 },
	{ "--tls-min",         NULL,  RUN | FUZZ,       1, opt_tls_version, OFF(tls.min_version), "a version", 0, 0 },
	{ "--tls-max",         NULL,  RUN | FUZZ,       1, opt_tls_version, OFF(tls.max_version), "a version", 0, 0 },
	{ "--oracle",          NULL,  RUN,       1, opt_str,     OFF(oracle),          "a SPEC", 0, 0 },
	{ "--oracle-wait",     NULL,  RUN,       1, opt_seconds, OFF(oracle_wait),     "seconds", 0, 0 },
	{ "--oracle-settle",   NULL,  RUN,       1, opt_seconds, OFF(oracle_settle),   "seconds", 0, 0 },
	{ "--verbose",         "-v",  RUN,       0, opt_flag,    OFF(verbose),         NULL, 0, 0 },
	{ "--coverage",        NULL,  LIST,      0, opt_flag,    OFF(coverage),        NULL, 0, 0 },
	{ "--catalogue",       NULL,  LIST,      1, opt_str,     OFF(catalogue),       "a FILE", 0, 0 },
	{ "--gaps",            NULL,  LIST,      1, opt_gaps,    0,            "a FILE", 0, 0 },
	{ "--seeds",           NULL,  FUZZ,      1, opt_str,     OFF(seeds),           "a PATH", 0, 0 },
	{ "--duration",        NULL,  FUZZ,      1, opt_duration, OFF(duration),       "a duration", 0, 0 },
	{ "--max-sessions",    NULL,  FUZZ,      1, opt_size,    OFF(max_sessions),    "a count", 1, (size_t)1 << 40 },
	{ "--max-findings",    NULL,  FUZZ,      1, opt_size,    OFF(max_findings),    "a count", 1, 1000000 },
	{ "--out",             NULL,  FUZZ,      1, opt_str,     OFF(out),             "a DIR", 0, 0 },
	{ "--seed",            NULL,  FUZZ,      1, opt_size,    OFF(rng_seed),        "a number", 1, (size_t)-1 },
	{ "--no-minimize",     NULL,  FUZZ,      0, opt_flag,    OFF(no_minimize),     NULL, 0, 0 },
	{ "--no-coverage",     NULL,  FUZZ,      0, opt_flag,    OFF(no_coverage),     NULL, 0, 0 },
	{ "--launch",          NULL,  FUZZ,      1, opt_str,     OFF(launch),          "a command", 0, 0 },
	{ "--afl-to-yaml",     NULL,  FUZZ,      0, opt_flag,    OFF(afl_to_yaml),     NULL, 0, 0 },
	{ "--list-faults",     NULL,  SERVE,     0, opt_flag,    OFF(list_faults),     NULL, 0, 0 },
	{ "--listen",          NULL,  SERVE,     1, opt_listen,  0,          "HOST:PORT", 0, 0 },
	{ "--tls-listen",      NULL,  SERVE,     1, opt_str,     OFF(tls_listen),      "HOST:PORT", 0, 0 },
	{ "--faults",          NULL,  SERVE,     1, opt_str,     OFF(faults),          "a list of faults", 0, 0 },
	{ "--stdio",           NULL,  SERVE,     0, opt_flag,    OFF(stdio),           NULL, 0, 0 },
	{ "--tls",             NULL,  SERVE,     0, opt_flag,    OFF(stdio_tls),       NULL, 0, 0 },
};

/* How each subcommand words what goes wrong. */
static const struct {
	enum opt_cmd cmd;
	const char *name;
	int takes_paths; /* PATH arguments (fuzz: the files of --afl-to-yaml);
	                  * otherwise any argument is unknown */
} opt_cmds[] = {
	{ OPT_RUN, "run", 1 },
	{ OPT_LINT, "lint", 1 },
	{ OPT_LIST, "list", 1 },
	{ OPT_SERVE, "serve", 0 },
	{ OPT_FUZZ, "fuzz", 1 },
};

/* Does arg name row r?  *val is then its value: attached ("--x=V", "-jV"),
 * the next argument (*i moves on), or NULL when it is missing. */
static int
opt_match(const struct opt_row *r, int argc, char **argv, int *i, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(r->name);
	*val = NULL;
	if (!r->takes_value)
		return strcmp(a, r->name) == 0 || (r->short_name && strcmp(a, r->short_name) == 0);
	if (strncmp(a, r->name, n) == 0 && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (r->short_name && strncmp(a, r->short_name, 2) == 0 && a[2]) {
		*val = a + 2;
		return 1;
	}
	if (strcmp(a, r->name) != 0 && !(r->short_name && strcmp(a, r->short_name) == 0))
		return 0;
	if (*i + 1 < argc)
		*val = argv[++*i];
	return 1;
}

int
opt_parse(enum opt_cmd cmd, int argc, char **argv, struct opt_values *v)
{
	size_t c = 0;
	while (opt_cmds[c].cmd != cmd)
		c++;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct opt_row *r = NULL;
		for (size_t k = 0; k < sizeof(opt_table) / sizeof(opt_table[0]) && !r; k++)
			if ((opt_table[k].cmds & cmd) && opt_match(&opt_table[k], argc, argv, &i, &val))
				r = &opt_table[k];
		if (!r) {
			if ((a[0] == '-' && a[1]) || !opt_cmds[c].takes_paths)
				return cmd_usage_error("unknown %s '%s' for %s",
				    opt_cmds[c].takes_paths ? "option" : "argument", a, opt_cmds[c].name);
			opt_list_push(&v->paths, a);
			continue;
		}
		if (r->takes_value && !val) {
			if (cmd == OPT_RUN)
				return cmd_usage_error("option '%s' needs a value", a);
			return cmd_usage_error("option %s needs %s", r->name, r->needs);
		}
		if (r->set(r, val, v) != 0)
			return EXIT_USAGE;
		if (v->list_faults)
			return 1;
	}
	return 0;
}
