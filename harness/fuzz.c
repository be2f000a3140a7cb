/*
 * fuzz.c - `smtp-harness fuzz`: fuzz the server under test (fz_campaign.h).
 * The options, the seeds (the suite, or --seeds), --launch (the server
 * started and watched by the campaign), a status line every two seconds on
 * stderr, Ctrl-C for a clean end with the summary.  Exit status:
 * 0 no finding, 1 findings (files under OUT/findings/), 2 usage, 3 the
 * target could not be reached or took no session (fz_reach.h).  And
 * --afl-to-yaml: AFL++'s crash and hang files as scenarios (fz_afl.h),
 * with no target.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fz_afl.h"
#include "fz_campaign.h"
#include "fz_replay.h"
#include "fz_sess.h"
#include "harness.h"
#include "options.h"
#include "suite.h"
#include "util.h"
#include "vars.h"

static volatile sig_atomic_t fuzz_stop;

/* Ctrl-C, and SIGTERM or SIGHUP (a CI job's timeout, a closed terminal):
 * the campaign ends as at its end, with its summary and a launched server
 * stopped; the same signal again ends it at once. */
static void
on_stop_signal(int sig)
{
	fuzz_stop = 1;
	signal(sig, SIG_DFL);
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

struct fuzz_ui {
	int tty;
};

static void
fuzz_status(void *arg, const struct fz_stats *st, int final)
{
	const struct fuzz_ui *ui = arg;
	double rate = st->elapsed > 0 ? (double)st->sessions / st->elapsed : 0;
	char cov[160] = "";
	if (st->refused)
		snprintf(cov, sizeof(cov), ", %llu refused (421)", (unsigned long long)st->refused);
	if (st->unreachable)
		snprintf(cov + strlen(cov), sizeof(cov) - strlen(cov), ", %llu not reached",
		    (unsigned long long)st->unreachable);
	if (st->cov_edges)
		snprintf(cov + strlen(cov), sizeof(cov) - strlen(cov), ", %zu edges", st->cov_edges);
	if (st->launches > 1 || st->deaths)
		snprintf(cov + strlen(cov), sizeof(cov) - strlen(cov), ", %u deaths", st->deaths);
	if (st->replays) /* sessions of a death replayed alone (fz_attrib.h) */
		snprintf(cov + strlen(cov), sizeof(cov) - strlen(cov), ", %u replayed alone",
		    st->replays);
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

/* --out, or reports/WHAT-DATE-TIME. */
static void
out_dir(const struct opt_values *o, const char *what, char *out, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	if (o->out) {
		util_strlcpy(out, o->out, len);
		return;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(out, len, "reports/%s-%s", what, stamp);
}

static int
fuzz_go(struct opt_values *o, struct tp_target *t, struct scn **sel, size_t nsel)
{
	struct scn_var *vars = NULL;
	size_t nvars = 0, n_cli_vars = o->n_vars;
	if (cmd_user_vars(o, &vars, &nvars) != 0)
		return EXIT_USAGE;
	char out[512];
	out_dir(o, "fuzz", out, sizeof(out));
	struct fuzz_ui ui = { isatty(2) };
	struct fz_opts fo = {
		.target = t, .launch = o->launch, .seeds = sel, .n_seeds = nsel, .vars = vars, .n_vars = nvars,
		.profile = o->profile, .n_profile_vars = nvars - n_cli_vars,
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
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++)
		signal(stop_signals[i], on_stop_signal);
	int rc = fz_campaign_run(&fo, &st, err, sizeof(err));
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++)
		signal(stop_signals[i], SIG_DFL);
	vars_free(vars, nvars);
	if (rc != 0) {
		fprintf(stderr, "smtp-harness: fuzz: %s\n", err);
		return rc == FZ_RUN_USAGE ? EXIT_USAGE : EXIT_TARGET;
	}
	if (st.seeds_skipped)
		fprintf(stderr, "fuzz: %zu seed scenario%s not used, the first %s\n", st.seeds_skipped,
		    st.seeds_skipped == 1 ? "" : "s", st.seed_skipped);
	if (st.unusable[0])
		fprintf(stderr, "smtp-harness: fuzz: %s\n", st.unusable);
	if (st.gone[0])
		fprintf(stderr, "smtp-harness: fuzz: stopped early: %s\n", st.gone);
	if (st.not_kept)
		fprintf(stderr, "fuzz: %zu more findings not kept: --max-findings %zu was reached\n",
		    st.not_kept, o->max_findings);
	fprintf(stderr, "fuzz: summary in %s/summary.md and %s/summary.json\n", out, out);
	/* A target gone after findings (it died of one): those are the news. */
	if (st.unusable[0] || (st.gone[0] && !st.findings))
		return EXIT_TARGET;
	return st.findings ? EXIT_FAILED : EXIT_PASS;
}

/* ---- --afl-to-yaml ------------------------------------------------------- */

static struct opt_list *afl_found; /* nftw() has no argument for its callback */

static int
afl_walk(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && (strstr(path, "/crashes/") || strstr(path, "/hangs/")))
		opt_list_push(afl_found, path);
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of an AFL++ output folder (every crashes/ and hangs/ file
 * below it), or else the files right in the folder; sorted. */
static int
afl_files(const char *dir, struct opt_list *out)
{
	size_t first = out->n;
	afl_found = out;
	if (nftw(dir, afl_walk, 16, FTW_PHYS) != 0)
		return -1;
	if (out->n == first) {
		struct dirent **ents;
		int k = scandir(dir, &ents, NULL, alphasort);
		if (k < 0)
			return -1;
		for (int i = 0; i < k; i++) {
			char p[4096];
			struct stat st;
			snprintf(p, sizeof(p), "%s/%s", dir, ents[i]->d_name);
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
				opt_list_push(out, p);
			free(ents[i]);
		}
		free(ents);
	}
	qsort(out->v + first, out->n - first, sizeof(*out->v), str_cmp);
	return 0;
}

/* FNV-1a, 32 bits: the file's name in the output folder. */
static uint32_t
afl_hash(const char *b, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)b[i]) * 16777619u;
	return h;
}

/* One AFL++ file to OUT/afl-KIND-HASH.yaml, its path on stdout. */
static int
afl_one(const char *path, const char *out)
{
	FILE *in = fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "smtp-harness: fuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *b = xmalloc(FZ_MAX_ACT + 1);
	size_t n = fread(b, 1, FZ_MAX_ACT + 1, in);
	int big = n > FZ_MAX_ACT;
	fclose(in);
	if (big)
		n = FZ_MAX_ACT;
	const char *kind = strstr(path, "/hangs/") ? "hang" : strstr(path, "/crashes/") ? "crash" : "input";
	uint32_t h = afl_hash(b, n);
	char id[64], file[4200], title[128], l0[4200], l1[256];
	snprintf(id, sizeof(id), "afl-%s-%08x", kind, (unsigned)h);
	snprintf(file, sizeof(file), "%s/%s.yaml", out, id);
	snprintf(title, sizeof(title), "AFL++ %s input %08x: every reply comes, no close", kind,
	    (unsigned)h);
	snprintf(l0, sizeof(l0), "From AFL++: %s (%zu bytes%s)", path, n,
	    big ? ", cut to the first MiB" : "");
	snprintf(l1, sizeof(l1), "the bytes in one write after the greeting, as afl-fuzz gave them; "
	    "the replies owed, counted by the framing model (smtp-harness fuzz --afl-to-yaml)");
	struct buf l2; /* no target here: URL is the reader's to fill in */
	buf_init(&l2);
	buf_puts(&l2, "replay: smtp-harness run --target URL ");
	fz_shell_word(&l2, file);
	const char *comment[] = { l0, l1, l2.data, NULL };
	FILE *f = fopen(file, "w");
	int rc = f ? fz_afl_write_yaml(f, b, n, id, title, comment) : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	buf_free(&l2);
	free(b);
	if (rc != 0) {
		fprintf(stderr, "smtp-harness: fuzz: cannot write %s: %s\n", file, strerror(errno));
		return -1;
	}
	printf("%s\n", file);
	return 0;
}

/* fuzz --afl-to-yaml [--out DIR] FILE|DIR...: 0, EXIT_USAGE (no file, one
 * that cannot be read), or EXIT_TARGET (the folder cannot be written). */
static int
afl_to_yaml(struct opt_values *o)
{
	if (!o->paths.n)
		return cmd_usage_error("--afl-to-yaml needs AFL++ files or folders");
	char out[512];
	out_dir(o, "afl", out, sizeof(out));
	if (util_mkdirs(out) != 0) {
		fprintf(stderr, "smtp-harness: fuzz: cannot create %s: %s\n", out, strerror(errno));
		return EXIT_USAGE;
	}
	struct opt_list files = { 0 };
	int rc = 0;
	for (size_t i = 0; i < o->paths.n && rc == 0; i++) {
		struct stat st;
		if (stat(o->paths.v[i], &st) != 0) {
			fprintf(stderr, "smtp-harness: fuzz: %s: %s\n", o->paths.v[i], strerror(errno));
			rc = EXIT_USAGE;
		} else if (S_ISDIR(st.st_mode)) {
			if (afl_files(o->paths.v[i], &files) != 0) {
				fprintf(stderr, "smtp-harness: fuzz: %s: cannot read\n", o->paths.v[i]);
				rc = EXIT_USAGE;
			}
		} else
			opt_list_push(&files, o->paths.v[i]);
	}
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		const char *base = strrchr(files.v[i], '/');
		if (strcmp(base ? base + 1 : files.v[i], "README.txt") == 0)
			continue; /* AFL++ leaves one in crashes/ */
		if (afl_one(files.v[i], out) != 0)
			rc = EXIT_USAGE;
	}
	opt_list_free(&files);
	return rc;
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
	if (rc == 0 && o.afl_to_yaml) {
		rc = afl_to_yaml(&o);
		opt_values_free(&o);
		return rc;
	}
	if (rc == 0 && o.paths.n)
		rc = cmd_usage_error("unknown argument '%s' for fuzz (files only with --afl-to-yaml)",
		    o.paths.v[0]);
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
