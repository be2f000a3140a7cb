/*
 * run.c - `smtp-harness run`: parse the options, load and select the suite,
 * collect the variables, run the engine, apply the baseline as each result
 * comes (the one place it is applied), and write the reports.  The exit
 * status: 0 passed or skipped, 1 a failure or error, 2 usage, 3 target.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "buf.h"
#include "engine.h"
#include "harness.h"
#include "loader.h"
#include "options.h"
#include "oracle.h"
#include "report.h"
#include "suite.h"
#include "util.h"
#include "vars.h"

/* Sessions wait on the network, not the CPU: the default -j is sized for
 * I/O (lowered to fit the open file limit, and by the engine when the
 * server refuses sessions with 421). */
#define RUN_DEFAULT_JOBS 16

/* One run's state, from the options to the reports. */
struct run {
	struct opt_values o;
	struct tp_target target;
	int have_target;
	struct orc_spec oracle;  /* --oracle, parsed (ORC_NONE without) */
	struct scn_var *vars; /* profile, credentials, --var, derived (owned) */
	size_t n_vars;
	struct bl_baseline baseline;
	struct suite su;
	struct scn **sel;     /* the selection, repeated --repeat times */
	size_t nsel;
	struct res_result *results;
	int progress, color;  /* progress lines on stdout, in colour */
	char started[32];     /* ISO 8601 UTC */
	double duration;
};

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

/* The variables the user gives: the profile's, then --var (later entries
 * win); vars.c adds the target's own (builtin.c) and the derived ones.
 * Takes over o->vars into *vars (always set).  Returns 0, or EXIT_USAGE
 * after printing the profile's errors. */
int
cmd_user_vars(struct opt_values *o, struct scn_var **out, size_t *nout)
{
	struct scn_var *vars = o->vars;
	size_t nvars = o->n_vars;
	o->vars = NULL;
	o->n_vars = 0;
	*out = vars;
	*nout = nvars;
	if (!o->profile)
		return 0;
	struct load_diag d;
	load_diag_init(&d);
	struct scn_var *pv = NULL;
	size_t npv = 0;
	int prc = load_profile_file(o->profile, &pv, &npv, &d);
	if (prc != 0) {
		fputs(d.text.data, stderr);
		load_diag_free(&d);
		vars_free(pv, npv);
		return EXIT_USAGE;
	}
	load_diag_free(&d);
	vars_prepend(&vars, &nvars, pv, npv); /* profile first, --var after */
	*out = vars;
	*nout = nvars;
	return 0;
}

static int
run_collect_vars(struct run *r)
{
	return cmd_user_vars(&r->o, &r->vars, &r->n_vars);
}

/* ---- the baseline: applied here and nowhere else ----------------------- */

/* The baseline file; every error printed as FILE:LINE:COL: error: ... */
static int
run_read_baseline(struct run *r)
{
	struct buf err;
	buf_init(&err);
	int rc = bl_load(r->o.baseline, &r->baseline, &err);
	if (rc != 0 && err.len > 0)
		fputs(err.data, stderr);
	buf_free(&err);
	return rc == 0 ? 0 : EXIT_USAGE;
}

/* The engine's result callback: the baseline's verdict (XFAIL, XPASS),
 * the progress line, then the check that an expected failure still shows
 * the transcript lines its entry names (a warning in the reports). */
/* What the engine must say once, as it happens (engine.h on_notice). */
static void
run_on_notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "smtp-harness: note: %s\n", msg);
}

static void
run_on_result(void *arg, struct res_result *res, size_t done, size_t total)
{
	struct run *r = arg;
	const struct bl_entry *be = bl_mark(&r->baseline, res);
	if (r->progress) {
		rep_progress(stdout, res, done, total, r->color);
		fflush(stdout);
	}
	if (be && res->status == RES_XFAIL)
		bl_check_transcript(be, res);
}

/* After the run: entries that name no scenario of the suite (a warning). */
static void
run_baseline_unused(const struct run *r)
{
	for (size_t k = 0; k < r->baseline.n; k++) {
		size_t j = 0;
		while (j < r->su.n && strcmp(r->su.s[j]->id, r->baseline.e[k].id) != 0)
			j++;
		if (j == r->su.n)
			fprintf(stderr, "%s:%d:1: warning: baseline entry '%s' names no scenario of the suite\n",
			    r->o.baseline, r->baseline.e[k].line, r->baseline.e[k].id);
	}
}

/* ---- the steps of a run ------------------------------------------------ */

/* Load the suite, select by tags and levels, repeat.  0 or EXIT_USAGE. */
static int
run_select(struct run *r)
{
	if (suite_load(&r->o.paths, &r->su) != 0)
		return EXIT_USAGE;
	for (size_t k = 0; k < r->su.n; k++)
		if (suite_selected(r->su.s[k], &r->o.tags, &r->o.skip_tags, &r->o.levels)) {
			r->sel = xrealloc(r->sel, (r->nsel + 1) * sizeof(*r->sel));
			r->sel[r->nsel++] = r->su.s[k];
		}
	if (r->nsel == 0)
		return cmd_usage_error("no scenario selected");
	size_t repeat = r->o.repeat;
	if (repeat > 1) {
		/* The selection again and again: load and leak tests. */
		if (r->nsel > (size_t)1000000 / repeat)
			return cmd_usage_error("--repeat %zu of %zu scenarios is more than a million runs",
			    repeat, r->nsel);
		r->sel = xrealloc(r->sel, r->nsel * repeat * sizeof(*r->sel));
		for (size_t k = 1; k < repeat; k++)
			memcpy(r->sel + k * r->nsel, r->sel, r->nsel * sizeof(*r->sel));
		r->nsel *= repeat;
	}
	return 0;
}

/* Target, variables, baseline and suite, in that order (the first problem
 * is the one reported).  0 or EXIT_USAGE. */
static int
run_prepare(struct run *r)
{
	char err[512];
	/* What the options say together; the library checks again in its
	 * own words (tls_client_ctx_new). */
	const struct tls_opts *t = &r->o.tls;
	if (!t->cert_file != !t->key_file)
		return cmd_usage_error("--tls-cert and --tls-key go together");
	if (t->min_version && t->max_version && t->min_version > t->max_version)
		return cmd_usage_error("--tls-min is above --tls-max");
	const char *why = tp_parse(r->o.target, &r->target, err, sizeof(err));
	r->have_target = 1; /* tp_free() also releases a partly parsed target */
	if (why)
		return cmd_usage_error("%s", why);
	if (r->o.oracle && orc_parse_spec(r->o.oracle, &r->oracle, err, sizeof(err)) != 0)
		return cmd_usage_error("--oracle: %s", err);
	if (r->oracle.kind != ORC_NONE && r->target.kind == TP_BUILTIN)
		return cmd_usage_error("--oracle: builtin targets have their own delivery oracle");
	if (run_collect_vars(r) != 0)
		return EXIT_USAGE;
	if (r->o.baseline && run_read_baseline(r) != 0)
		return EXIT_USAGE;
	return run_select(r);
}

/* Run the selection; results land in r->results.  0, EXIT_USAGE or
 * EXIT_TARGET. */
static int
run_engine(struct run *r)
{
	int stdout_report = 0;
	for (size_t k = 0; k < r->o.n_reports; k++)
		stdout_report |= strcmp(r->o.reports[k].file, "-") == 0;
	r->progress = !stdout_report;
	r->color = isatty(1) && !getenv("NO_COLOR");
	struct eng_opts eo = {
		.target = &r->target, .jobs = (unsigned)fit_jobs(r->o.jobs, &r->target),
		.timeout = r->o.timeout, .scenario_timeout = r->o.scenario_timeout,
		.vars = r->vars, .n_vars = r->n_vars, .run_timeout = r->o.run_timeout,
		.max_reply_line = r->o.max_reply_line, .max_reply_lines = r->o.max_reply_lines,
		.max_transcript = r->o.max_transcript, .tls = &r->o.tls,
		.oracle = &r->oracle, .oracle_wait = r->o.oracle_wait,
		.oracle_settle = r->o.oracle_settle,
		.on_result = run_on_result, .on_notice = run_on_notice, .arg = r,
	};
	r->results = xcalloc(r->nsel, sizeof(*r->results));
	struct eng_probe probe;
	char err[512];
	time_t t0 = time(NULL);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t0));
	int64_t ms0 = util_now_ms();
	enum eng_status es = eng_run(&eo, r->sel, r->nsel, r->results, &probe, err, sizeof(err));
	r->duration = (double)(util_now_ms() - ms0) / 1000.0;
	if (es == ENG_OK && probe.notice[0])
		fprintf(stderr, "smtp-harness: note: %s\n", probe.notice);
	switch (es) {
	case ENG_OK:
		return 0;
	case ENG_SETUP_ERROR:
		return cmd_usage_error("%s", err);
	case ENG_UNREACHABLE:
		fprintf(stderr, "smtp-harness: target %s cannot be used: %s\n", r->o.target, err);
		return EXIT_TARGET;
	}
	return EXIT_USAGE;
}

/* The text report on stdout unless a report goes there, then every
 * --report.  0 or EXIT_USAGE. */
static int
run_write_reports(const struct run *r)
{
	struct rep_run run = { r->o.target, r->started, r->duration, r->results, r->nsel,
		r->o.verbose };
	if (r->progress)
		rep_write(stdout, REP_TEXT, &run, r->color);
	for (size_t k = 0; k < r->o.n_reports; k++) {
		const struct opt_report *rp = &r->o.reports[k];
		FILE *f = strcmp(rp->file, "-") == 0 ? stdout : fopen(rp->file, "w");
		if (!f) {
			fprintf(stderr, "smtp-harness: cannot write %s: %s\n", rp->file, strerror(errno));
			return EXIT_USAGE;
		}
		int wrc = rep_write(f, rp->fmt, &run, f == stdout && r->color);
		if ((f != stdout ? fclose(f) : fflush(f)) != 0 || wrc != 0) {
			fprintf(stderr, "smtp-harness: writing %s failed\n", rp->file);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void
run_free(struct run *r)
{
	if (r->results)
		for (size_t k = 0; k < r->nsel; k++)
			res_result_free(&r->results[k]);
	free(r->results);
	free(r->sel);
	suite_free(&r->su);
	if (r->have_target)
		tp_free(&r->target);
	vars_free(r->vars, r->n_vars);
	bl_free(&r->baseline);
	opt_values_free(&r->o);
}

int
cmd_run(int argc, char **argv)
{
	struct run r = { .o = {
		.target = "builtin", .jobs = RUN_DEFAULT_JOBS, .timeout = 30,
		.scenario_timeout = 300, .repeat = 1, .oracle_wait = -1, .oracle_settle = -1,
	} };
	int rc = opt_parse(OPT_RUN, argc, argv, &r.o);
	if (rc == 0)
		rc = run_prepare(&r);
	if (rc == 0)
		rc = run_engine(&r);
	if (rc == 0) {
		run_baseline_unused(&r);
		rc = run_write_reports(&r);
	}
	if (rc == 0)
		for (size_t k = 0; k < r.nsel; k++)
			if (r.results[k].status == RES_FAIL || r.results[k].status == RES_ERROR)
				rc = EXIT_FAILED;
	run_free(&r);
	return rc;
}
