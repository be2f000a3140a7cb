/*
 * smtp-harness - the command line front end: argument parsing and the glue
 * between the library's loader, engine, reference server and report writers.
 * Exit status of `run` (docs in README.md): 0 all passed or skipped, 1 a
 * scenario failed or ended in error, 2 usage error or a scenario that does
 * not load, 3 the target could not be reached or used at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "catalogue.h"
#include "engine.h"
#include "loader.h"
#include "loop.h"
#include "report.h"
#include "server.h"
#include "util.h"
#include "vars.h"

#define EXIT_PASS 0
#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_TARGET 3

#define VERSION "0.1.0"

static void
usage(FILE *f)
{
	fputs(
	    "usage: smtp-harness run   [PATH...] [--target URL] [--profile FILE] [--var K=V]...\n"
	    "                          [--tags T,...] [--skip-tags T,...] [--level L,...] [-j N]\n"
	    "                          [--timeout SECONDS] [--scenario-timeout SECONDS] [--run-timeout SECONDS]\n"
	    "                          [--max-reply-line BYTES] [--max-reply-lines N] [--max-transcript BYTES]\n"
	    "                          [--repeat N]\n"
	    "                          [--tls-verify] [--tls-ca FILE] [--tls-servername NAME]\n"
	    "                          [--tls-min V] [--tls-max V] [--tls-cert FILE --tls-key FILE]\n"
	    "                          [--report FORMAT:FILE]... [--baseline FILE] [-v]\n"
	    "       smtp-harness lint  PATH...\n"
	    "       smtp-harness list  [PATH...] [--tags T,...] [--coverage [--catalogue FILE] [--gaps FILE]]\n"
	    "       smtp-harness serve [--listen HOST:PORT] [--tls-listen HOST:PORT] [--faults F,...]\n"
	    "                          [--stdio [--tls]] [--list-faults]\n"
	    "\n"
	    "PATH defaults to scenarios/.  URL: builtin[:FAULT,...] (default), builtins[:FAULT,...]\n"
	    "(implicit TLS), smtp://HOST:PORT, smtps://HOST:PORT, exec:COMMAND ARGS.\n"
	    "FORMAT: text, json, junit, tap, html; FILE '-' is standard output.  V: 1.0 1.1 1.2 1.3.\n"
	    "Exit status of run: 0 passed, 1 a scenario failed or errored, 2 usage or scenario\n"
	    "file error, 3 target unreachable or unusable.\n", f);
}

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("smtp-harness: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see smtp-harness --help)\n", stderr);
	return EXIT_USAGE;
}

/* ---- argument helpers -------------------------------------------------- */

struct strv {
	char **v;
	size_t n;
};

static void
strv_push(struct strv *s, const char *x)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(x);
}

static void
strv_split(struct strv *s, const char *csv)
{
	const char *p = csv;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len) {
			char *w = xstrndup(p, len);
			strv_push(s, w);
			free(w);
		}
		p += len + (c ? 1 : 0);
	}
}

static void
strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
strv_has(const struct strv *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return 1;
	return 0;
}

/* "--opt VALUE" or "--opt=VALUE". */
static const char *
optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0) {
		if (*i + 1 >= argc)
			return NULL;
		return argv[++*i];
	}
	return NULL;
}

static int
is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* An integer in [lo, hi], the whole string. */
static int
parse_size(const char *s, size_t lo, size_t hi, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int
parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 86400))
		return -1;
	*out = v;
	return 0;
}

/* Sessions at once within the open file limit: raise the soft limit as far
 * as allowed, then cap -j (builtin sessions hold both ends; 32 spare). */
static long
fit_jobs(long jobs, const struct tp_target *t)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return jobs;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = rl;
		want.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		if (want.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &want) == 0)
			rl = want;
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return jobs;
	long per = t->kind == TP_SMTP ? 1 : 2;
	long room = rl.rlim_cur > 48 ? ((long)rl.rlim_cur - 32) / per : 8;
	if (jobs > room) {
		fprintf(stderr, "smtp-harness: -j %ld reduced to %ld: the open file limit is %llu\n", jobs,
		    room, (unsigned long long)rl.rlim_cur);
		return room;
	}
	return jobs;
}

/* ---- loading ----------------------------------------------------------- */

struct suite {
	struct scn **s;
	size_t n;
};

static void
suite_free(struct suite *su)
{
	for (size_t i = 0; i < su->n; i++)
		scn_free(su->s[i]);
	free(su->s);
}

/* Load every scenario under paths; print all errors.  Returns 0 or -1. */
static int
load_suite(const struct strv *paths, struct suite *su)
{
	struct load_diag d;
	load_diag_init(&d);
	char **files = NULL;
	size_t nfiles = 0;
	char *def[] = { "scenarios/" };
	if (paths->n)
		load_collect_paths(paths->v, paths->n, &files, &nfiles, &d);
	else
		load_collect_paths(def, 1, &files, &nfiles, &d);
	for (size_t i = 0; i < nfiles; i++) {
		struct scn *s = load_scenario_file(files[i], &d);
		if (!s)
			continue;
		for (size_t j = 0; j < su->n; j++)
			if (strcmp(su->s[j]->id, s->id) == 0) {
				load_diag_add(&d, s->file, s->line, s->col,
				    "duplicate scenario id '%s' (also in %s)", s->id, su->s[j]->file);
				break;
			}
		su->s = xrealloc(su->s, (su->n + 1) * sizeof(*su->s));
		su->s[su->n++] = s;
	}
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if (nfiles == 0 && d.n_errors == 0)
		load_diag_add(&d, paths->n ? paths->v[0] : "scenarios/", 1, 1, "no scenario files (*.yaml) found");
	int rc = d.n_errors ? -1 : 0;
	if (d.n_errors)
		fputs(d.text.data, stderr);
	load_diag_free(&d);
	return rc;
}

static int
selected(const struct scn *s, const struct strv *tags, const struct strv *skip,
    const struct strv *levels)
{
	if (tags->n) {
		int any = 0;
		for (size_t i = 0; i < tags->n; i++)
			any |= scn_has_tag(s, tags->v[i]) || strcmp(s->id, tags->v[i]) == 0;
		if (!any)
			return 0;
	}
	for (size_t i = 0; i < skip->n; i++)
		if (scn_has_tag(s, skip->v[i]))
			return 0;
	if (levels->n && !strv_has(levels, scn_level_name(s->level)))
		return 0;
	return 1;
}

/* ---- run --------------------------------------------------------------- */

struct reportspec {
	enum rep_format fmt;
	char *file;
};

struct progress {
	int enabled;
	int color;
	const struct bl_baseline *baseline;
};

static void
on_result(void *arg, struct res_result *r, size_t done, size_t total)
{
	struct progress *p = arg;
	/* The baseline lists scenarios expected to fail: their failures count
	 * as passed (XFAIL), and a pass is reported as unexpected (XPASS). */
	if (bl_find(p->baseline, r->scn->id)) {
		if (r->status == RES_FAIL || r->status == RES_ERROR)
			r->status = RES_XFAIL;
		else if (r->status == RES_PASS)
			r->status = RES_XPASS;
	}
	if (p->enabled) {
		rep_progress(stdout, r, done, total, p->color);
		fflush(stdout);
	}
}

/* The baseline (src/baseline.h: the YAML list of entries or the plain list
 * of ids); every error is printed as FILE:LINE:COL: error: ... */
static int
read_baseline(const char *path, struct bl_baseline *bl)
{
	struct buf err;
	buf_init(&err);
	int rc = bl_load(path, bl, &err);
	if (rc != 0 && err.len > 0)
		fputs(err.data, stderr);
	buf_free(&err);
	return rc;
}

static int
cmd_run(int argc, char **argv)
{
	struct strv paths = { 0 }, tags = { 0 }, skip = { 0 }, levels = { 0 };
	struct bl_baseline baseline = { 0 };
	struct reportspec *reps = NULL;
	size_t nreps = 0;
	struct scn_var *vars = NULL;
	size_t nvars = 0;
	const char *target_url = "builtin", *profile = NULL, *baseline_file = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	double timeout = 30, scen_timeout = 300, run_timeout = 0;
	size_t max_line = 0, max_lines = 0, max_transcript = 0, repeat = 1;
	int verbose = 0, rc = EXIT_USAGE;
	struct tls_opts tls = { 0 };
	struct suite su = { 0 };
	struct tp_target target = { 0 };
	int have_target = 0;
	struct res_result *results = NULL;
	struct scn **sel = NULL;
	size_t nsel = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v;
		if (is_opt(a, "--target")) {
			if (!(v = optval(argc, argv, &i, "--target")))
				goto missing;
			target_url = v;
		} else if (is_opt(a, "--profile")) {
			if (!(v = optval(argc, argv, &i, "--profile")))
				goto missing;
			profile = v;
		} else if (is_opt(a, "--var")) {
			if (!(v = optval(argc, argv, &i, "--var")))
				goto missing;
			const char *eq = strchr(v, '=');
			if (!eq || eq == v) {
				usage_error("--var needs NAME=VALUE, not '%s'", v);
				goto out;
			}
			vars = xrealloc(vars, (nvars + 1) * sizeof(*vars));
			vars[nvars].name = xstrndup(v, (size_t)(eq - v));
			vars[nvars++].value = xstrdup(eq + 1);
		} else if (is_opt(a, "--tags")) {
			if (!(v = optval(argc, argv, &i, "--tags")))
				goto missing;
			strv_split(&tags, v);
		} else if (is_opt(a, "--skip-tags")) {
			if (!(v = optval(argc, argv, &i, "--skip-tags")))
				goto missing;
			strv_split(&skip, v);
		} else if (is_opt(a, "--level")) {
			if (!(v = optval(argc, argv, &i, "--level")))
				goto missing;
			strv_split(&levels, v);
			for (size_t k = 0; k < levels.n; k++)
				if (strcmp(levels.v[k], "must") && strcmp(levels.v[k], "should") &&
				    strcmp(levels.v[k], "may")) {
					usage_error("--level takes must, should and may, not '%s'", levels.v[k]);
					goto out;
				}
		} else if (strcmp(a, "-j") == 0 || is_opt(a, "--jobs") || (strncmp(a, "-j", 2) == 0 && a[2])) {
			if (strncmp(a, "-j", 2) == 0 && a[2] && a[1] != '-')
				v = a + 2;
			else if (!(v = optval(argc, argv, &i, a[1] == '-' ? "--jobs" : "-j")))
				goto missing;
			char *end;
			jobs = strtol(v, &end, 10);
			if (*end || jobs < 1 || jobs > 1024) {
				usage_error("-j needs a number from 1 to 1024, not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--timeout")) {
			if (!(v = optval(argc, argv, &i, "--timeout")))
				goto missing;
			if (parse_seconds(v, &timeout)) {
				usage_error("--timeout needs seconds (> 0), not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--run-timeout")) {
			if (!(v = optval(argc, argv, &i, "--run-timeout")))
				goto missing;
			if (parse_seconds(v, &run_timeout)) {
				usage_error("--run-timeout needs seconds (> 0), not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--max-reply-line")) {
			if (!(v = optval(argc, argv, &i, "--max-reply-line")))
				goto missing;
			if (parse_size(v, 64, 1048576, &max_line)) {
				usage_error("--max-reply-line needs bytes from 64 to 1048576, not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--max-reply-lines")) {
			if (!(v = optval(argc, argv, &i, "--max-reply-lines")))
				goto missing;
			if (parse_size(v, 1, 1000000, &max_lines)) {
				usage_error("--max-reply-lines needs a count from 1 to 1000000, not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--max-transcript")) {
			if (!(v = optval(argc, argv, &i, "--max-transcript")))
				goto missing;
			if (parse_size(v, 1024, (size_t)64 << 20, &max_transcript)) {
				usage_error("--max-transcript needs bytes from 1024 to 67108864, not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--repeat")) {
			if (!(v = optval(argc, argv, &i, "--repeat")))
				goto missing;
			if (parse_size(v, 1, 100000, &repeat)) {
				usage_error("--repeat needs a count from 1 to 100000, not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--scenario-timeout")) {
			if (!(v = optval(argc, argv, &i, "--scenario-timeout")))
				goto missing;
			if (parse_seconds(v, &scen_timeout)) {
				usage_error("--scenario-timeout needs seconds (> 0), not '%s'", v);
				goto out;
			}
		} else if (is_opt(a, "--report")) {
			if (!(v = optval(argc, argv, &i, "--report")))
				goto missing;
			const char *colon = strchr(v, ':');
			char *fmt = xstrndup(v, colon ? (size_t)(colon - v) : strlen(v));
			enum rep_format f;
			if (rep_format_parse(fmt, &f) != 0) {
				usage_error("unknown report format '%s' (text, json, junit, tap, html)", fmt);
				free(fmt);
				goto out;
			}
			free(fmt);
			reps = xrealloc(reps, (nreps + 1) * sizeof(*reps));
			reps[nreps].fmt = f;
			reps[nreps++].file = xstrdup(colon && colon[1] ? colon + 1 : "-");
		} else if (is_opt(a, "--baseline")) {
			if (!(v = optval(argc, argv, &i, "--baseline")))
				goto missing;
			baseline_file = v;
		} else if (strcmp(a, "--tls-verify") == 0) {
			tls.verify = 1;
		} else if (is_opt(a, "--tls-ca")) {
			if (!(tls.ca_file = optval(argc, argv, &i, "--tls-ca")))
				goto missing;
		} else if (is_opt(a, "--tls-servername")) {
			if (!(tls.servername = optval(argc, argv, &i, "--tls-servername")))
				goto missing;
		} else if (is_opt(a, "--tls-cert")) {
			if (!(tls.cert_file = optval(argc, argv, &i, "--tls-cert")))
				goto missing;
		} else if (is_opt(a, "--tls-key")) {
			if (!(tls.key_file = optval(argc, argv, &i, "--tls-key")))
				goto missing;
		} else if (is_opt(a, "--tls-min") || is_opt(a, "--tls-max")) {
			int is_min = is_opt(a, "--tls-min");
			if (!(v = optval(argc, argv, &i, is_min ? "--tls-min" : "--tls-max")))
				goto missing;
			int ver = tls_version_parse(v);
			if (!ver) {
				usage_error("%s takes 1.0, 1.1, 1.2 or 1.3, not '%s'", is_min ? "--tls-min" : "--tls-max", v);
				goto out;
			}
			*(is_min ? &tls.min_version : &tls.max_version) = ver;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose = 1;
		} else if (a[0] == '-' && a[1]) {
			usage_error("unknown option '%s' for run", a);
			goto out;
		} else
			strv_push(&paths, a);
	}

	const char *why;
	char err[512];
	why = tp_parse(target_url, &target, err, sizeof(err));
	have_target = 1; /* tp_free() also releases a partly parsed target */
	if (why) {
		usage_error("%s", why);
		goto out;
	}
	if (profile) {
		struct load_diag d;
		load_diag_init(&d);
		struct scn_var *pv = NULL;
		size_t npv = 0;
		int prc = load_profile_file(profile, &pv, &npv, &d);
		if (prc != 0) {
			fputs(d.text.data, stderr);
			load_diag_free(&d);
			for (size_t k = 0; k < npv; k++) {
				free(pv[k].name);
				free(pv[k].value);
			}
			free(pv);
			goto out;
		}
		load_diag_free(&d);
		vars_prepend(&vars, &nvars, pv, npv); /* profile first, --var after */
	}
	if (baseline_file && read_baseline(baseline_file, &baseline) != 0)
		goto out;
	if (load_suite(&paths, &su) != 0)
		goto out;
	for (size_t k = 0; k < su.n; k++)
		if (selected(su.s[k], &tags, &skip, &levels)) {
			sel = xrealloc(sel, (nsel + 1) * sizeof(*sel));
			sel[nsel++] = su.s[k];
		}
	if (nsel == 0) {
		usage_error("no scenario selected");
		goto out;
	}
	if (repeat > 1) {
		/* The selection again and again: load and leak tests. */
		if (nsel > (size_t)1000000 / repeat) {
			usage_error("--repeat %zu of %zu scenarios is more than a million runs", repeat, nsel);
			goto out;
		}
		sel = xrealloc(sel, nsel * repeat * sizeof(*sel));
		for (size_t r = 1; r < repeat; r++)
			memcpy(sel + r * nsel, sel, nsel * sizeof(*sel));
		nsel *= repeat;
	}

	jobs = fit_jobs(jobs, &target);
	int stdout_report = 0;
	for (size_t k = 0; k < nreps; k++)
		stdout_report |= strcmp(reps[k].file, "-") == 0;
	struct progress prog = { !stdout_report, isatty(1) && !getenv("NO_COLOR"), &baseline };
	struct eng_opts o = {
		.target = &target, .jobs = (unsigned)jobs, .timeout = timeout,
		.scenario_timeout = scen_timeout, .vars = vars, .n_vars = nvars,
		.run_timeout = run_timeout, .max_reply_line = max_line, .max_reply_lines = max_lines,
		.max_transcript = max_transcript, .tls = &tls,
		.on_result = on_result, .arg = &prog,
	};
	results = xcalloc(nsel, sizeof(*results));
	struct eng_probe probe;
	time_t t0 = time(NULL);
	char started[32];
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	int64_t ms0 = util_now_ms();
	enum eng_status es = eng_run(&o, sel, nsel, results, &probe, err, sizeof(err));
	if (es == ENG_SETUP_ERROR) {
		usage_error("%s", err);
		goto out;
	}
	if (es == ENG_UNREACHABLE) {
		fprintf(stderr, "smtp-harness: target %s cannot be used: %s\n", target_url, err);
		rc = EXIT_TARGET;
		goto out;
	}
	/* An expected failure whose transcript no longer shows the lines its
	 * baseline entry names has changed shape: say so (a warning). */
	for (size_t k = 0; k < nsel; k++) {
		const struct bl_entry *be = bl_find(&baseline, results[k].scn->id);
		if (be && results[k].status == RES_XFAIL)
			bl_check_transcript(be, &results[k]);
	}
	for (size_t k = 0; k < baseline.n; k++) {
		size_t j = 0;
		while (j < su.n && strcmp(su.s[j]->id, baseline.e[k].id) != 0)
			j++;
		if (j == su.n)
			fprintf(stderr, "%s:%d:1: warning: baseline entry '%s' names no scenario of the suite\n",
			    baseline_file, baseline.e[k].line, baseline.e[k].id);
	}
	struct rep_run run = { target_url, started, (double)(util_now_ms() - ms0) / 1000.0,
		results, nsel, verbose };
	if (!stdout_report)
		rep_write(stdout, REP_TEXT, &run, prog.color);
	for (size_t k = 0; k < nreps; k++) {
		FILE *f = strcmp(reps[k].file, "-") == 0 ? stdout : fopen(reps[k].file, "w");
		if (!f) {
			fprintf(stderr, "smtp-harness: cannot write %s: %s\n", reps[k].file, strerror(errno));
			rc = EXIT_USAGE;
			goto out;
		}
		int wrc = rep_write(f, reps[k].fmt, &run, f == stdout && prog.color);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0 || wrc != 0) {
			fprintf(stderr, "smtp-harness: writing %s failed\n", reps[k].file);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	rc = EXIT_PASS;
	for (size_t k = 0; k < nsel; k++)
		if (results[k].status == RES_FAIL || results[k].status == RES_ERROR)
			rc = EXIT_FAILED;
	goto out;
missing:
	usage_error("option '%s' needs a value", argv[argc - 1]);
out:
	if (results)
		for (size_t k = 0; k < nsel; k++)
			res_result_free(&results[k]);
	free(results);
	free(sel);
	suite_free(&su);
	if (have_target)
		tp_free(&target);
	for (size_t k = 0; k < nreps; k++)
		free(reps[k].file);
	free(reps);
	for (size_t k = 0; k < nvars; k++) {
		free(vars[k].name);
		free(vars[k].value);
	}
	free(vars);
	strv_free(&paths);
	strv_free(&tags);
	strv_free(&skip);
	strv_free(&levels);
	bl_free(&baseline);
	return rc;
}

/* ---- lint, list -------------------------------------------------------- */

static int
cmd_lint(int argc, char **argv)
{
	struct strv paths = { 0 };
	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			strv_free(&paths);
			return usage_error("unknown option '%s' for lint", argv[i]);
		}
		strv_push(&paths, argv[i]);
	}
	if (paths.n == 0) {
		strv_free(&paths);
		return usage_error("lint needs at least one PATH");
	}
	struct suite su = { 0 };
	int rc = load_suite(&paths, &su);
	if (rc == 0)
		printf("%zu scenario%s, no errors\n", su.n, su.n == 1 ? "" : "s");
	suite_free(&su);
	strv_free(&paths);
	return rc == 0 ? EXIT_PASS : EXIT_USAGE;
}

/* Print a cell cut to width w (catalogue cells can be long). */
static void
print_cell(const char *s, int w)
{
	int shown = 0;
	size_t i = 0;
	for (; s && s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte: no column of its own */
		if (shown == w - 1 && s[i + 1]) {
			size_t rest = i + 1;
			while (s[rest] && ((unsigned char)s[rest] & 0xC0) == 0x80)
				rest++;
			if (s[rest]) {
				printf("%.*s~", (int)i, s);
				return;
			}
		}
		shown++;
	}
	printf("%s%*s", s ? s : "", w - shown, "");
}

/* list --coverage: every catalogue id, the scenarios that cite it, and for
 * the rest the reason from the gaps file. */
static int
list_coverage(const struct suite *su, const struct strv *tags, const char *catalogue,
    const char *gaps_file, int gaps_given)
{
	struct cat cat = { 0 }, gaps = { 0 };
	struct strv none = { 0 };
	char err[512];
	int rc = EXIT_USAGE;
	if (cat_load(&cat, catalogue, err, sizeof(err)) != 0) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		return EXIT_USAGE;
	}
	if (cat_load(&gaps, gaps_file, err, sizeof(err)) != 0 && gaps_given) {
		fprintf(stderr, "smtp-harness: %s\n", err);
		goto out;
	}
	size_t unknown = 0;
	for (size_t i = 0; i < su->n; i++)
		for (size_t k = 0; k < su->s[i]->n_refs; k++) {
			const char *r = su->s[i]->refs[k];
			if (scn_ref_is_catalogue_id(r) && !cat_find(&cat, r)) {
				fprintf(stderr, "%s: error: scenario %s cites %s, which is not in %s\n",
				    su->s[i]->file, su->s[i]->id, r, catalogue);
				unknown++;
			}
		}
	for (size_t g = 0; g < gaps.n; g++)
		if (!cat_find(&cat, gaps.rows[g].id)) {
			fprintf(stderr, "%s:%d: error: %s is not in %s\n", gaps_file, gaps.rows[g].line,
			    gaps.rows[g].id, catalogue);
			unknown++;
		}
	if (unknown)
		goto out;
	size_t covered = 0, explained = 0;
	printf("%-7s %-14s %-10s %s\n", "ID", "LEVEL", "FLAGS", "SCENARIOS (or why none)");
	for (size_t i = 0; i < cat.n; i++) {
		const struct cat_row *row = &cat.rows[i];
		struct buf who;
		buf_init(&who);
		for (size_t s = 0; s < su->n; s++) {
			if (!selected(su->s[s], tags, &none, &none))
				continue;
			for (size_t k = 0; k < su->s[s]->n_refs; k++)
				if (strcmp(su->s[s]->refs[k], row->id) == 0) {
					buf_printf(&who, "%s%s", who.len ? ", " : "", su->s[s]->id);
					break;
				}
		}
		char flags[64] = "";
		static const char *const fl[] = { "oracle", "cfg", "profile", "unsure", "lenient" };
		for (size_t f = 0; f < 5; f++)
			if (row->flags & (1u << f))
				snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
				    flags[0] ? "," : "", fl[f]);
		printf("%-7s ", row->id);
		print_cell(row->cells[1], 14);
		printf(" %-10s ", flags[0] ? flags : "-");
		if (who.len) {
			covered++;
			printf("%s\n", who.data);
		} else {
			const struct cat_row *gap = cat_find(&gaps, row->id);
			explained += gap != NULL;
			printf("NOT COVERED%s%s\n", gap ? ": " : "", gap && gap->cells[0] ? gap->cells[0] : "");
		}
		buf_free(&who);
	}
	printf("catalogue: %zu ids (%s)\ncovered:   %zu ids\nuncovered: %zu ids, %zu of them with a reason (%s)\n",
	    cat.n, catalogue, covered, cat.n - covered, explained, gaps_file);
	rc = EXIT_PASS;
out:
	cat_free(&cat);
	cat_free(&gaps);
	return rc;
}

static int
cmd_list(int argc, char **argv)
{
	struct strv paths = { 0 }, tags = { 0 }, none = { 0 };
	int rc = EXIT_USAGE, coverage = 0, gaps_given = 0;
	const char *catalogue = "docs/catalogue.md", *gaps = "docs/catalogue-gaps.md";
	struct suite su = { 0 };
	for (int i = 0; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--coverage") == 0) {
			coverage = 1;
		} else if (is_opt(argv[i], "--catalogue")) {
			if (!(v = optval(argc, argv, &i, "--catalogue"))) {
				usage_error("option --catalogue needs a FILE");
				goto out;
			}
			catalogue = v;
		} else if (is_opt(argv[i], "--gaps")) {
			if (!(v = optval(argc, argv, &i, "--gaps"))) {
				usage_error("option --gaps needs a FILE");
				goto out;
			}
			gaps = v;
			gaps_given = 1;
		} else if (is_opt(argv[i], "--tags")) {
			if (!(v = optval(argc, argv, &i, "--tags"))) {
				usage_error("option --tags needs a value");
				goto out;
			}
			strv_split(&tags, v);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("unknown option '%s' for list", argv[i]);
			goto out;
		} else
			strv_push(&paths, argv[i]);
	}
	if (load_suite(&paths, &su) != 0)
		goto out;
	if (coverage) {
		rc = list_coverage(&su, &tags, catalogue, gaps, gaps_given);
		goto out;
	}
	size_t shown = 0;
	for (size_t i = 0; i < su.n; i++) {
		const struct scn *s = su.s[i];
		if (!selected(s, &tags, &none, &none))
			continue;
		struct buf refs;
		buf_init(&refs);
		for (size_t k = 0; k < s->n_refs; k++)
			buf_printf(&refs, "%s%s", k ? ", " : "", s->refs[k]);
		printf("%-44s %-6s %s\n%-44s        [%s]\n", s->id, scn_level_name(s->level), s->title,
		    "", refs.data ? refs.data : "");
		buf_free(&refs);
		shown++;
	}
	size_t per[3] = { 0 };
	for (size_t i = 0; i < su.n; i++)
		if (selected(su.s[i], &tags, &none, &none) && su.s[i]->level <= SCN_MAY)
			per[su.s[i]->level]++;
	printf("%zu scenario%s (%zu must, %zu should, %zu may)\n", shown, shown == 1 ? "" : "s",
	    per[SCN_MUST], per[SCN_SHOULD], per[SCN_MAY]);
	rc = EXIT_PASS;
out:
	suite_free(&su);
	strv_free(&paths);
	strv_free(&tags);
	return rc;
}

/* ---- serve ------------------------------------------------------------- */

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Listen on HOST:PORT (plain or implicit TLS) and say where on stderr.
 * Returns the port, -1 with errbuf, or -2 for a malformed HOST:PORT. */
static int
serve_listen(struct srv *srv, const char *hostport, int tls, const char *faults, char *errbuf, size_t errlen)
{
	const char *colon = strrchr(hostport, ':');
	if (!colon || colon == hostport || !colon[1]) {
		snprintf(errbuf, errlen, "%s needs HOST:PORT, not '%s'", tls ? "--tls-listen" : "--listen", hostport);
		return -2;
	}
	char *host = xstrndup(hostport, (size_t)(colon - hostport));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	int port = (tls ? srv_listen_tls : srv_listen)(srv, host, colon + 1, errbuf, errlen);
	free(host);
	if (port >= 0)
		fprintf(stderr, "smtp-harness: reference server listening on %.*s:%d%s%s%s\n",
		    (int)(colon - hostport), hostport, port, tls ? " (implicit TLS)" : "",
		    *faults ? " with faults " : "", faults);
	return port;
}

static int
cmd_serve(int argc, char **argv)
{
	const char *listen = "127.0.0.1:2525", *faults = "", *tls_listen = NULL;
	int stdio = 0, stdio_tls = 0, listen_given = 0;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--list-faults") == 0) {
			for (size_t k = 0; k < srv_fault_count(); k++)
				printf("%-24s %s\n", srv_fault_name(k), srv_fault_desc(k));
			return EXIT_PASS;
		} else if (is_opt(argv[i], "--listen")) {
			if (!(v = optval(argc, argv, &i, "--listen")))
				return usage_error("option --listen needs HOST:PORT");
			listen = v;
			listen_given = 1;
		} else if (is_opt(argv[i], "--faults")) {
			if (!(v = optval(argc, argv, &i, "--faults")))
				return usage_error("option --faults needs a list of faults");
			faults = v;
		} else if (strcmp(argv[i], "--stdio") == 0) {
			stdio = 1;
		} else if (strcmp(argv[i], "--tls") == 0) {
			stdio_tls = 1;
		} else if (is_opt(argv[i], "--tls-listen")) {
			if (!(v = optval(argc, argv, &i, "--tls-listen")))
				return usage_error("option --tls-listen needs HOST:PORT");
			tls_listen = v;
		} else
			return usage_error("unknown argument '%s' for serve", argv[i]);
	}
	char err[256];
	struct loop *loop = loop_new();
	struct srv *srv = srv_new(loop, faults, err, sizeof(err));
	if (!srv) {
		loop_free(loop);
		return usage_error("%s", err);
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	int rc = EXIT_PASS;
	if (stdio) {
		if ((stdio_tls ? srv_attach_tls : srv_attach)(srv, 0, 1, err, sizeof(err)) != 0) {
			fprintf(stderr, "smtp-harness: %s\n", err);
			rc = EXIT_FAILED;
		}
		while (rc == EXIT_PASS && !stop_requested && srv_active_sessions(srv) > 0)
			loop_run_once(loop, 200);
	} else {
		/* --tls-listen alone means only implicit TLS; both, both. */
		int port = 0;
		if (listen_given || !tls_listen)
			port = serve_listen(srv, listen, 0, faults, err, sizeof(err));
		if (port >= 0 && tls_listen)
			port = serve_listen(srv, tls_listen, 1, faults, err, sizeof(err));
		if (port == -2) {
			srv_free(srv);
			loop_free(loop);
			return usage_error("%s", err);
		}
		if (port < 0) {
			fprintf(stderr, "smtp-harness: %s\n", err);
			rc = EXIT_FAILED;
		} else {
			while (!stop_requested)
				loop_run_once(loop, 200);
			srv_shutdown(srv);
			int64_t until = util_now_ms() + 1000;
			while (srv_active_sessions(srv) > 0 && util_now_ms() < until)
				loop_run_once(loop, 50);
		}
	}
	srv_free(srv);
	loop_free(loop);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("smtp-harness %s\n", VERSION);
		return EXIT_PASS;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "lint") == 0)
		return cmd_lint(argc - 2, argv + 2);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc - 2, argv + 2);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 2, argv + 2);
	return usage_error("unknown command '%s'", cmd);
}
