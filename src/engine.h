/*
 * engine.h - runs scenarios against a target: one thread, one event loop
 * (loop.h), up to `jobs` sessions at once, a deadline on every wait and on
 * every scenario, and the session rules of docs/scenarios.md checked on every
 * reply.
 *
 * The engine owns its loop for the length of eng_run(): for `builtin`
 * targets it starts the reference server on that loop (builtin.h), connects
 * to it like any smtp:// target, and adds the builtin's own variables below
 * the caller's (vars.h has the lookup order).  What to make of each result
 * (a baseline, progress) is the caller's, in on_result.
 */
#ifndef SMTPH_ENGINE_H
#define SMTPH_ENGINE_H

#include <stddef.h>

#include "ehlo.h"
#include "oracle.h"
#include "result.h"
#include "scenario.h"
#include "tls.h"
#include "transport.h"

struct eng_opts {
	struct tp_target *target;  /* parsed; the engine resolves it */
	unsigned jobs;             /* sessions at once, >= 1 */
	double timeout;            /* seconds, every wait */
	double scenario_timeout;   /* seconds, whole scenario unless it sets its own */
	const struct scn_var *vars; /* profile then --var, later entries win;
	                             * the engine adds the target's own and
	                             * the derived ones (vars_merge) */
	size_t n_vars;
	double run_timeout;        /* seconds, the whole run; 0 = none */
	size_t max_reply_line;     /* longest reply line accepted, CRLF included; 0 = 4096 */
	size_t max_reply_lines;    /* most lines in one reply; 0 = 1000 */
	size_t max_transcript;     /* transcript bytes kept per scenario; 0 = 256 KiB */
	const struct tls_opts *tls; /* client TLS settings; NULL: no verification */
	/* A client context made by the caller from tls (borrowed, kept past
	 * eng_run()), or NULL: eng_run() makes its own.  For callers running
	 * the engine many times (fuzz_engine): OpenSSL 3 takes milliseconds
	 * to make one. */
	struct tls_ctx *tls_ctx;
	/* The delivery oracle (--oracle), or NULL / ORC_NONE: none, unless the
	 * target is builtin, whose server delivers to one of its own.  A
	 * delivered step waits up to oracle_wait seconds for its messages,
	 * then oracle_settle more for an extra one (<= 0 and < 0: 10 and 2;
	 * 0.05 both for builtin, whose messages are in before its 250). */
	const struct orc_spec *oracle;
	double oracle_wait, oracle_settle;
	/* Called as each scenario's result is final (may be NULL), done of
	 * total; it may change r (e.g. mark XFAIL/XPASS from a baseline),
	 * which stays the caller's results[] entry. */
	void (*on_result)(void *arg, struct res_result *r, size_t done, size_t total);
	/* Called (may be NULL) with what the run must say once, as it happens:
	 * the server never ends a session wait, so the rest end as ERROR there
	 * (failfast.h); the server refused a session with 421, so fewer run at
	 * once.  arg as for on_result. */
	void (*on_notice)(void *arg, const char *msg);
	void *arg;
};

/* What the probe session learnt about the target before the suite. */
struct eng_probe {
	int greeting_code;
	int ehlo_ok;               /* EHLO answered 250 */
	struct ehlo_caps caps;
	char notice[512];          /* "" or what the run must say once (e.g. the
	                            * target requires AUTH and no credentials
	                            * were given, so MAIL scenarios are skipped) */
};

enum eng_status {
	ENG_OK = 0,        /* every scenario ran (results say how) */
	ENG_UNREACHABLE,   /* the probe failed: no connection, no greeting, 421,
	                    * the profile's sender or recipient refused, the
	                    * credentials refused ... */
	ENG_SETUP_ERROR,   /* the harness could not start (e.g. builtin faults) */
};

/*
 * Probe the target (connect, greeting, EHLO, MAIL FROM:<${sender}>,
 * RCPT TO:<${recipient}>, RSET, QUIT; when MAIL is answered 530 and
 * credentials are set, again with AUTH, which every EHLO opening then does),
 * then run scns[0..n) filling results[0..n) (each scenario's SKIP decided
 * from the probe's EHLO keywords, the variables and AUTH).  opts->target is resolved in place (smtp://).
 * The results' memory is the caller's (res_result_free()).  Returns ENG_OK,
 * or another status with errbuf saying why.
 */
enum eng_status eng_run(const struct eng_opts *opts, struct scn *const *scns,
    size_t n, struct res_result *results, struct eng_probe *probe,
    char *errbuf, size_t errlen);

#endif
