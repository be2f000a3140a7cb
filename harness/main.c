/*
 * smtp-harness - the command line front end: the dispatch to the
 * subcommands (run.c, list.c, serve.c, fuzz.c), the usage text and the usage error.
 * Exit status of `run` (docs in README.md): 0 all passed or skipped, 1 a
 * scenario failed or ended in error, 2 usage error or a scenario that does
 * not load, 3 the target could not be reached or used at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "datadir.h"
#include "harness.h"
#include "report.h"

#define VERSION "0.1.0"

static void
usage(FILE *f)
{
	struct buf formats;
	buf_init(&formats);
	rep_format_names(&formats);
	fputs(
	    "usage: smtp-harness run   [PATH...] [--target URL] [--profile FILE] [--var K=V]...\n"
	    "                          [--tags T,...] [--skip-tags T,...] [--level L,...] [-j N]\n"
	    "                          [--timeout SECONDS] [--scenario-timeout SECONDS] [--run-timeout SECONDS]\n"
	    "                          [--max-reply-line BYTES] [--max-reply-lines N] [--max-transcript BYTES]\n"
	    "                          [--repeat N]\n"
	    "                          [--tls-verify] [--tls-ca FILE] [--tls-servername NAME]\n"
	    "                          [--tls-min V] [--tls-max V] [--tls-cert FILE --tls-key FILE]\n"
	    "                          [--oracle SPEC] [--oracle-wait SECONDS] [--oracle-settle SECONDS]\n"
	    "                          [--report FORMAT:FILE]... [--baseline FILE] [-v]\n"
	    "       smtp-harness lint  PATH...\n"
	    "       smtp-harness list  [PATH...] [--tags T,...] [--coverage [--catalogue FILE] [--gaps FILE]]\n"
	    "       smtp-harness serve [--listen HOST:PORT] [--tls-listen HOST:PORT] [--faults F,...]\n"
	    "                          [--stdio [--tls]] [--list-faults]\n"
	    "       smtp-harness fuzz  [--target URL] [--seeds PATH] [--duration T] [--max-sessions N]\n"
	    "                          [--max-findings N] [-j N] [--timeout SECONDS] [--out DIR] [--seed N]\n"
	    "                          [--no-minimize] [--no-coverage] [--launch CMD]\n"
	    "                          [--tags T,...] [--skip-tags T,...] [--profile FILE] [--var K=V]...\n"
	    "                          [--max-reply-line BYTES] [--max-reply-lines N]\n"
	    "                          [--tls-verify] [--tls-ca FILE] [--tls-servername NAME]\n"
	    "                          [--tls-min V] [--tls-max V] [--tls-cert FILE --tls-key FILE]\n"
	    "       smtp-harness fuzz  --afl-to-yaml [--out DIR] FILE|DIR...\n"
	    "\n", f);
	if (datadir_root())
		fprintf(f, "PATH defaults to ./scenarios/ if it exists, else %s/scenarios/.\n", datadir_root());
	else
		fputs("PATH defaults to scenarios/.\n", f);
	fputs(
	    "URL, of run and fuzz: builtin[:FAULT,...] (the default), builtins[:FAULT,...]\n"
	    "(implicit TLS), smtp://HOST:PORT, smtps://HOST:PORT, exec:COMMAND ARGS.\n"
	    "SPEC (the delivery oracle, loopback only): sink:HOST:PORT, lmtp:HOST:PORT,\n"
	    "maildir:DIR, mbox:FILE; builtin targets have their own.\n", f);
	fprintf(f, "FORMAT: %s; FILE '-' is standard output.  V: 1.0 1.1 1.2 1.3.\n", formats.data);
	fputs(
	    "Exit status of run: 0 passed, 1 a scenario failed or errored, 2 usage or scenario\n"
	    "file error, 3 target unreachable or unusable.  Of fuzz: 0 no finding, 1 findings\n"
	    "(OUT/findings/*.yaml, each with the `run` command that replays it), 2 usage,\n"
	    "3 target unreachable, or it stopped taking sessions with nothing found.\n", f);
	buf_free(&formats);
}

int
cmd_usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("smtp-harness: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see smtp-harness --help)\n", stderr);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ "run", cmd_run },
		{ "lint", cmd_lint },
		{ "list", cmd_list },
		{ "serve", cmd_serve },
		{ "fuzz", cmd_fuzz },
	};
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
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].run(argc - 2, argv + 2);
	return cmd_usage_error("unknown command '%s'", cmd);
}
