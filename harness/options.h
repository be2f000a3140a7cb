/*
 * options.h - the command line's options: one table (options.c) of every
 * option of every subcommand, with its name, whether it takes a value, and
 * what it sets in struct opt_values.  "--name VALUE" and "--name=VALUE"
 * both work; a short form ("-j") also takes "-jVALUE".
 */
#ifndef SMTPH_OPTIONS_H
#define SMTPH_OPTIONS_H

#include <stddef.h>

#include "report.h"
#include "scenario.h"
#include "tls.h"

/* The subcommands, as bits: a table row names those that take it. */
enum opt_cmd { OPT_RUN = 1, OPT_LINT = 2, OPT_LIST = 4, OPT_SERVE = 8, OPT_FUZZ = 16 };

/* A list of owned strings. */
struct opt_list {
	char **v;
	size_t n;
};

void opt_list_push(struct opt_list *l, const char *s); /* appends a copy */
void opt_list_split(struct opt_list *l, const char *csv); /* each non-empty item */
int opt_list_has(const struct opt_list *l, const char *s); /* 1 or 0 */
void opt_list_free(struct opt_list *l);

struct opt_report {
	enum rep_format fmt;
	char *file; /* owned; "-" is standard output */
};

/* What the command line said; each subcommand reads its part.  Strings
 * are argv's unless said otherwise; lists, vars and reports are owned. */
struct opt_values {
	struct opt_list paths;            /* PATH arguments */
	struct opt_list tags, skip_tags, levels;
	/* run */
	const char *target, *profile, *baseline;
	struct scn_var *vars;             /* --var, in order (owned) */
	size_t n_vars;
	struct opt_report *reports;
	size_t n_reports;
	long jobs;
	double timeout, scenario_timeout, run_timeout;
	size_t max_reply_line, max_reply_lines, max_transcript, repeat;
	int verbose;
	struct tls_opts tls;
	const char *oracle;               /* --oracle SPEC (oracle.h) */
	double oracle_wait, oracle_settle; /* settle < 0: the oracle's default */
	/* list */
	int coverage, gaps_given;
	const char *catalogue, *gaps;
	/* fuzz */
	const char *seeds, *out, *launch;
	double duration;
	size_t max_sessions, max_findings, rng_seed;
	int no_minimize, no_coverage, afl_to_yaml;
	/* serve */
	const char *listen, *tls_listen, *faults;
	int listen_given, stdio, stdio_tls, list_faults;
};

/* Parse argv[0..argc) (the arguments after the subcommand's name) into *v,
 * whose defaults the caller set.  Returns 0; 1 when an option ends the
 * parsing at once (serve --list-faults); or EXIT_USAGE after printing why
 * (a usage error).  Either way free *v with opt_values_free(). */
int opt_parse(enum opt_cmd cmd, int argc, char **argv, struct opt_values *v);

void opt_values_free(struct opt_values *v);

#endif
