/*
 * harness.h - what the front end's files share: the exit statuses of the
 * command line (README.md), the usage error, and one entry point per
 * subcommand (run.c, list.c, serve.c), each taking the arguments after the
 * subcommand's name and returning the exit status.
 */
#ifndef SMTPH_HARNESS_H
#define SMTPH_HARNESS_H

#include <stddef.h>

#define EXIT_PASS 0   /* every scenario passed or was skipped */
#define EXIT_FAILED 1 /* a scenario failed or ended in error */
#define EXIT_USAGE 2  /* usage error, or a scenario file that does not load */
#define EXIT_TARGET 3 /* the target could not be reached or used at all */

/* Print "smtp-harness: MESSAGE" and the hint to --help on stderr.
 * Returns EXIT_USAGE. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_run(int argc, char **argv);   /* run.c */
int cmd_lint(int argc, char **argv);  /* list.c */
int cmd_list(int argc, char **argv);  /* list.c */
int cmd_serve(int argc, char **argv); /* serve.c */
int cmd_fuzz(int argc, char **argv);  /* fuzz.c */

struct opt_values;
struct scn_var;
/* The profile's variables then --var's (run.c): takes over o->vars into
 * *vars.  0, or EXIT_USAGE after printing the profile's errors. */
int cmd_user_vars(struct opt_values *o, struct scn_var **vars, size_t *n);

#endif
