/*
 * fz_reach.h - whether the server under test can be fuzzed at all (pure).
 * Each session began one of three ways: no connection or program
 * (FZ_END_ERROR: refused, reset at once, no such host), a 421 greeting (the
 * server refused the session), or taken (anything else: the fuzzing
 * happens there).  A campaign whose first sessions were none of them taken
 * ends early and exits 3, as `run` does for such a target; once one
 * session was taken the target counts as usable for good, so a server that
 * refuses only some sessions (load, a connection limit) is fuzzed.
 */
#ifndef SMTPH_FZ_REACH_H
#define SMTPH_FZ_REACH_H

#include <stddef.h>
#include <stdint.h>

#include "fz_campaign.h"
#include "fz_drive.h"

/* Sessions, none taken, that settle it: no connection is plain at once; a
 * 421 greeting may be a moment's load, so it takes more of them. */
#define FZ_UNREACHED_AFTER 3
#define FZ_REFUSED_AFTER 32
/* ... and not before this long (st->elapsed): at -j 64 against a server
 * that takes 4 sessions at once, 32 refusals come before the first of the
 * 4 taken has ended. */
#define FZ_REFUSED_MS 1000

enum fz_reach {
	FZ_REACH_TAKEN,
	FZ_REACH_NONE,    /* no connection or program */
	FZ_REACH_REFUSED, /* greeted with 421 */
	FZ_REACH_UNKNOWN, /* cut by the campaign before any reply: it says nothing */
};

/* A target fuzzed for a while that then takes no session at all (it died,
 * its port closed): this many sessions in a row found no connection, over
 * at least this long since the last one taken, and the campaign stops. */
#define FZ_GONE_AFTER 256
#define FZ_GONE_MS 10000

/* How the observed session began. */
enum fz_reach fz_reach_of(const struct fz_obs *o);

/* The verdict over the sessions so far (st->sessions taken, ->unreachable,
 * ->refused, ->last_error): NULL, with why[0] = '\0', while the target can
 * be fuzzed or it is too early to tell; else why not, written to why (and
 * returned).  final: the campaign is over, so any number of sessions,
 * none taken, settles it. */
const char *fz_reach_verdict(const struct fz_stats *st, int final, char *why, size_t len);

/* Whether a target that took sessions is gone: run sessions in a row found
 * no connection (the last for last_error), the last one taken ms ago.
 * NULL, or why, written to why. */
const char *fz_reach_gone(uint64_t run, int64_t ms, const char *last_error, char *why,
    size_t len);

#endif
