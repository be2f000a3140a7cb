/*
 * fuzz.c - `smtp-harness fuzz`: fuzz the server under test (fz_campaign.h).
 * The options, the seeds (the suite, or --seeds), --launch (the server
 * started and watched by the campaign), a status line every two seconds on
 * stderr, Ctrl-C for a clean end with the summary.  Exit status:
 * 0 no finding, 1 findings (files under OUT/findings/), 2 usage, 3 the
 * target could not be reached.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fz_campaign.h"
#include "harness.h"
#include "options.h"
#include "suite.h"
#include "util.h"
#include "vars.h"

static volatile sig_atomic_t fuzz_stop;

static void
on_sigint(int sig)
{
	(void)sig;
	fuzz_stop = 1;
	signal(SIGINT, SIG_DFL); /* a second Ctrl-C ends it at once */
}

struct fuzz_ui {
	int tty;
};

static void
fuzz_status(void *arg, const struct fz_stats *st, int final)
{
	const struct fuzz_ui *ui = arg;
	double rate = st->elapsed > 0 ? (double)st->sessions / st->elapsed : 0;
	char cov[48] = "";
	if (st->cov_edges)
		snprintf(cov, sizeof(cov), ", %zu edges", st->cov_edges);
	if (st->launches > 1 || st->deaths)
		snprintf(cov + strlen(cov), sizeof(cov) - strlen(cov), ", %u deaths", st->deaths);
	fprintf(stderr, "%sfuzz: %llu sessions, %.1f/s, %zu states, %zu transitions%s, corpus %zu, "
	    "%zu findings%s", ui->tty ? "\r\033[K" : "", (unsigned long long)st->sessions, rate,
	    st->states, st->edges, cov, st->corpus, st->findings, ui->tty && !final ? "" : "\n");
}

static void
fuzz_found(void *arg, enum fz_oracle k, const char *file, const char *detail)
{
	const struct fuzz_ui *ui = arg;
	fprintf(stderr, "%sfuzz: finding (%s): %s\n      %s\n", ui->tty ? "\r\033[K" : "",
	    fz_oracle_name(k), detail, file);
}

/* The seeds: --seeds PATH or the suite, selected by --tags/--skip-tags. */
static int
fuzz_seeds(struct opt_values *o, struct suite *su, struct scn ***sel, size_t *n)
{
	if (o->seeds)
		opt_list_push(&o->paths, o->seeds);
	if (suite_load(&o->paths, su) != 0)
		return EXIT_USAGE;
	for (size_t k = 0; k < su->n; k++)
		if (suite_selected(su->s[k], &o->tags, &o->skip_tags, &o->levels)) {
			*sel = xrealloc(*sel, (*n + 1) * sizeof(**sel));
			(*sel)[(*n)++] = su->s[k];
		}
	return *n ? 0 : cmd_usage_error("no seed scenario selected");
}

static int
fuzz_go(struct opt_values *o, struct tp_target *t, struct scn **sel, size_t nsel)
{
	struct scn_var *vars = NULL;
	size_t nvars = 0;
	if (cmd_user_vars(o, &vars, &nvars) != 0)
		return EXIT_USAGE;
	char out[512];
	if (o->out)
		util_strlcpy(out, o->out, sizeof(out));
	else {
		time_t now = time(NULL);
		strftime(out, sizeof(out), "reports/fuzz-%Y%m%d-%H%M%S", localtime(&now));
	}
	struct fuzz_ui ui = { isatty(2) };
	struct fz_opts fo = {
		.target = t, .launch = o->launch, .seeds = sel, .n_seeds = nsel, .vars = vars, .n_vars = nvars,
		.jobs = (unsigned)o->jobs, .timeout = o->timeout, .duration = o->duration,
		.max_sessions = o->max_sessions, .max_findings = o->max_findings, .out_dir = out, .seed = o->rng_seed,
		.no_minimize = o->no_minimize, .no_coverage = o->no_coverage, .tls = &o->tls, .max_reply_line = o->max_reply_line,
		.max_reply_lines = o->max_reply_lines, .stop = &fuzz_stop, .status = fuzz_status,
		.found = fuzz_found, .arg = &ui,
	};
	struct fz_stats st;
	char err[512];
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL); /* exit statuses are the crash oracle's */
	signal(SIGINT, on_sigint);
	int rc = fz_campaign_run(&fo, &st, err, sizeof(err));
	signal(SIGINT, SIG_DFL);
	vars_free(vars, nvars);
	if (rc != 0) {
		fprintf(stderr, "smtp-harness: fuzz: %s\n", err);
		return EXIT_TARGET;
	}
	if (st.sessions && st.unreachable == st.sessions) {
		fprintf(stderr, "smtp-harness: fuzz: the target cannot be reached: %s\n", st.last_error);
		return EXIT_TARGET;
	}
	fprintf(stderr, "fuzz: summary in %s/summary.md and %s/summary.json\n", out, out);
	return st.findings ? EXIT_FAILED : EXIT_PASS;
}

int
cmd_fuzz(int argc, char **argv)
{
	struct opt_values o = {
		.target = "builtin", .jobs = 8, .timeout = 5,
	};
	int rc = opt_parse(OPT_FUZZ, argc, argv, &o);
	struct tp_target t = { 0 };
	struct suite su = { 0 };
	struct scn **sel = NULL;
	size_t nsel = 0;
	char err[512];
	if (rc == 0 && (!!o.tls.cert_file != !!o.tls.key_file))
		rc = cmd_usage_error("--tls-cert and --tls-key go together");
	if (rc == 0) {
		const char *why = tp_parse(o.target, &t, err, sizeof(err));
		if (why)
			rc = cmd_usage_error("%s", why);
	}
	if (rc == 0 && o.launch && t.kind != TP_SMTP)
		rc = cmd_usage_error("--launch needs --target smtp://HOST:PORT (or smtps://): where "
		    "the launched server listens");
	if (rc == 0 && !o.duration && !o.max_sessions)
		o.duration = 60;
	if (rc == 0)
		rc = fuzz_seeds(&o, &su, &sel, &nsel);
	if (rc == 0)
		rc = fuzz_go(&o, &t, sel, nsel);
	free(sel);
	suite_free(&su);
	tp_free(&t);
	opt_values_free(&o);
	return rc;
}
