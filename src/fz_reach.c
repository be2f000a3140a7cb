/*
 * fz_reach.c - whether the target can be fuzzed at all (fz_reach.h).
 */
#include "fz_reach.h"

#include <stdio.h>

#include "fz_frame.h"

enum fz_reach
fz_reach_of(const struct fz_obs *o)
{
	if (o->end == FZ_END_ERROR)
		return FZ_REACH_NONE;
	if (o->end == FZ_END_CUT && o->n_codes == 0)
		return FZ_REACH_UNKNOWN;
	/* RFC 5321 3.1: a 421 greeting, "service not available", refuses
	 * the session; the client can only quit. */
	if (o->n_codes && o->got[0].verb == FZ_V_GREETING && o->got[0].code == 421)
		return FZ_REACH_REFUSED;
	return FZ_REACH_TAKEN;
}

const char *
fz_reach_verdict(const struct fz_stats *st, int final, char *why, size_t len)
{
	unsigned long long none = st->unreachable, refused = st->refused;
	why[0] = '\0';
	/* Ctrl-C before any session got a reply: nothing was fuzzed */
	if (final && !st->sessions && none + refused == 0 && st->cut) {
		snprintf(why, len, "no session reached the target before the campaign ended "
		    "(%llu cut while waiting for its greeting)", (unsigned long long)st->cut);
		return why;
	}
	if (st->sessions || none + refused == 0)
		return NULL;
	if (!final && none + refused < (refused ? FZ_REFUSED_AFTER : FZ_UNREACHED_AFTER))
		return NULL;
	if (!final && refused && st->elapsed * 1000 < FZ_REFUSED_MS)
		return NULL;
	if (!refused)
		snprintf(why, len, "the target cannot be reached: %s", st->last_error);
	else if (!none)
		snprintf(why, len, "the target refuses every session: all %llu were greeted with "
		    "421 (service not available), none was taken", refused);
	else
		snprintf(why, len, "the target takes no session: %llu were greeted with 421 "
		    "(service not available), %llu not reached (%s), none was taken", refused, none,
		    st->last_error);
	return why;
}

const char *
fz_reach_gone(uint64_t run, int64_t ms, const char *last_error, char *why, size_t len)
{
	if (run < FZ_GONE_AFTER || ms < FZ_GONE_MS)
		return NULL;
	snprintf(why, len, "the target stopped taking sessions: the last %llu found no connection, "
	    "none taken for %.0f s (%s)", (unsigned long long)run, (double)ms / 1000.0, last_error);
	return why;
}
