/*
 * fz_pace.h - how long the fuzzer waits where only time can tell.
 *
 * Two waits of the driver (fz_drive.c) cannot be replaced by a reply that
 * must come: the hold before the real end of message data that holds a
 * line a lax server may take for its end (a strict server says nothing
 * until the real end; a lax one answers its own end at once), and the
 * wait for a reply in a session where the client broke a duty (the model
 * can no longer say whether the server owes it).  Both ask "would a reply
 * have come by now?", which is TCP's question before it retransmits: the
 * answer here is its estimator (RFC 6298 2: SRTT + 4 RTTVAR) over the time
 * the server under test took to answer owed replies in this campaign,
 * between a floor and the fixed waits of before as ceilings.  A slow or
 * loaded server (or one that sleeps on purpose) raises the estimate; until
 * FZ_PACE_MIN_SAMPLES replies were timed, the ceilings apply.
 *
 * Neither wait can make a finding false: a strict server does not answer
 * data before its end however long the hold, and a session whose client
 * broke a duty is never judged by a reply that did not come.  A wait cut
 * too short only costs power: a lax server's early reply then comes after
 * the real end (an extra reply, not smuggling, in that one session), a
 * dirty session ends before its slow reply.
 */
#ifndef SMTPH_FZ_PACE_H
#define SMTPH_FZ_PACE_H

#include <stdint.h>

#define FZ_PACE_MIN_SAMPLES 32

struct fz_pace {
	int64_t srtt_us, rttvar_us; /* RFC 6298's SRTT and RTTVAR, microseconds */
	uint64_t samples;
};

void fz_pace_init(struct fz_pace *p);

/* A reply came us microseconds after the bytes owing it were written out
 * (or after the reply before it). */
void fz_pace_sample(struct fz_pace *p, int64_t us);

/* SRTT + 4 RTTVAR in milliseconds, rounded up, within [floor_ms, ceil_ms];
 * ceil_ms while fewer than FZ_PACE_MIN_SAMPLES were taken, or p is NULL. */
int64_t fz_pace_wait_ms(const struct fz_pace *p, int64_t floor_ms, int64_t ceil_ms);

#endif
