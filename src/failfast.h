/*
 * failfast.h - the engine's decisions on a dead or overloaded server: pure
 * functions of the results so far (no I/O, no clock), so they are unit
 * tested on their own (tests/test_failfast.c).
 *
 * A dead server: some waits are the session's, not the scenario's: the
 * greeting and the EHLO reply of the opening, the 221 to the teardown's
 * QUIT and the close after it, the close after a 421.  When the server never
 * ends one of them, every scenario waits --timeout there and fails the same
 * session rule the same way.  ff_observe() sees each finished result; after
 * FF_STREAK of them in a row failed on the same session wait (and nothing
 * in between was judged otherwise), it names that wait: the engine says so
 * once, and every later arrival at that wait ends at once as an ERROR with
 * the shared reason instead of waiting its own --timeout.
 *
 * A server that never answers one command: the same holds for a reply to
 * a command of the scenario's steps (FF_STEP_REPLY), keyed by the verb of
 * the last command line sent before the wait ("MAIL" for a server holding
 * its replies to MAIL sent alone): FF_STREAK results in a row that timed
 * out waiting after that verb, nothing judged otherwise in between, and
 * the later waits after that verb in set-up steps end as an ERROR (a step
 * that enforces a rule is always waited for).  Never a FAIL: a scenario
 * not waited for is not judged.
 *
 * An overloaded server: a 421 greeting while other sessions of the run are
 * open is the server refusing one more session (RFC 5321 3.8: "421 ...
 * Service not available, closing transmission channel", also "too many
 * connections"); ff_jobs_after_421() lowers the number of sessions at once.
 */
#ifndef SMTPH_FAILFAST_H
#define SMTPH_FAILFAST_H

#include <stddef.h>

#define FF_STREAK 3 /* same session wait timed out in this many results in a row */

/* The session waits a dead server never ends. */
enum ff_wait {
	FF_NONE,
	FF_OPENING,        /* a reply of the opening: the greeting, EHLO/HELO (AUTH) */
	FF_QUIT_REPLY,     /* the teardown's 221 to QUIT */
	FF_QUIT_CLOSE,     /* the close after 221 */
	FF_CLOSE_AFTER_421, /* the close after a 421, wherever it came */
	FF_STEP_REPLY,     /* a reply in the steps, after the verb of the key */
};

#define FF_VERB_MAX 12 /* a verb kept as a key, NUL included */

/* The key of the reply a client write awaits: the verb of a write that is
 * one whole command line of a known verb ("MAIL", upper case whatever the
 * case sent), "." for the end of message data alone (".\r\n"); else "": a
 * pipelined group (its first reply answers another line), a line cut over
 * several writes, a BDAT chunk or message text, which are no commands.
 * What a reply never sent is charged to (FF_STEP_REPLY).  data[0..len) is
 * read, never past len; the key is written into out[0..outlen), always
 * NUL-terminated and cut to fit (nothing is written when outlen is 0);
 * FF_VERB_MAX holds every known verb. */
void ff_write_verb(const char *data, size_t len, char *out, size_t outlen);

/* One finished scenario, as the decision needs it. */
struct ff_outcome {
	int judged;          /* PASS/FAIL/ERROR (a SKIP says nothing either way) */
	enum ff_wait timeout; /* the session wait whose deadline failed it, or FF_NONE */
	const char *rule;    /* the rule its FAIL was charged to (may be NULL) */
	const char *verb;    /* FF_STEP_REPLY: the last verb sent (may be NULL) */
};

struct ff {
	enum ff_wait last;   /* the wait of the current streak */
	char rule[16];       /* ... and the rule it failed */
	char verb[FF_VERB_MAX]; /* ... and, for FF_STEP_REPLY, after which verb */
	unsigned streak;
	enum ff_wait dead;   /* set once: the wait the server never ends (with
	                      * verb, for FF_STEP_REPLY) */
};

/* Feed one finished result.  Returns the wait just found dead (once), or
 * FF_NONE.  Results after that change nothing. */
enum ff_wait ff_observe(struct ff *f, const struct ff_outcome *o);

/* The shared reason for the wait w (after verb, for FF_STEP_REPLY), e.g.
 * "the server does not close the connection after its 221 to QUIT",
 * written into buf; returns buf. */
const char *ff_describe(enum ff_wait w, const char *verb, char *buf, size_t len);

/* A 421 greeting to a session started while `started_at` sessions were
 * allowed at once, when the server had `open` other sessions of the run
 * open (greeted, not ended; the probe passed, so it does take sessions).
 * If open is below started_at, the server's limit explains the 421: *jobs
 * becomes at most open and the result is 1 (run the scenario again).  Else
 * (no other session open, or no more than were allowed) the 421 is the
 * scenario's outcome: 0, *jobs unchanged.  Each retry needs a session
 * started above the limit found, so retries end. */
int ff_retry_after_421(unsigned *jobs, unsigned started_at, size_t open);

#endif
