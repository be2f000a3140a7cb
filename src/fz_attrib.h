/*
 * fz_attrib.h - whose session killed a launched server that died while
 * several ran (`smtp-harness fuzz --launch CMD` with -j > 1).
 *
 * The session that wrote its last act most recently sent the bytes the
 * server read last, but those need not be the cause, and on a loaded
 * machine a hundred or more sessions end in the time a death takes to
 * show.  A session whose every reply came could only have killed by what
 * the server read after them, or by its close.  So before such a death becomes a finding, each candidate (a session running
 * then that had written an act) is replayed alone on a server started
 * afresh: first those whose bytes the server had not all answered when
 * they ended (cut off, or a reply still owed), then those it had; in each
 * group by their last act, the most recent first.  The first replay that
 * kills the server is the finding.  When none does within the
 * bounds, the death is still a finding, marked as not reproduced alone.
 * Pure: the campaign runs each replay and says whether the server died
 * (fz_attrib_result); times come in as util_now_ms() values.
 */
#ifndef SMTPH_FZ_ATTRIB_H
#define SMTPH_FZ_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "fz_sess.h"

#define FZ_ATTRIB_RUNS 32     /* replays for one death at most */
#define FZ_ATTRIB_SECONDS 60  /* and the time they may take */
#define FZ_PARK_MS 300        /* an ended session's wait for a death, at most */
#define FZ_PARK_TRY_MS 50     /* a shrinking try waits this, plus twice the lag */

struct fz_attrib_cand {
	struct fz_sess sess;   /* what it sent (owned copy) */
	int64_t last_act_ms;   /* when it wrote its last act */
	uint64_t seq;          /* the order it started in */
	int answered;          /* it ended as it meant to, no reply owed: the
	                        * server had read all it sent (as far as the
	                        * framing model knows: a lying BDAT can hide) */
};

struct fz_attrib {
	struct fz_attrib_cand *cand; /* after fz_attrib_order: the replay order */
	size_t n;
	unsigned sessions;     /* sessions running at the death, candidates or not */
	size_t tried;          /* replays started */
	size_t culprit;        /* the candidate whose replay killed the server; n: none */
	int64_t until;         /* no replay starts from then on */
};

/* Whether a death with n_cand candidates is replayed: not for a shrinking
 * try or a replay, which run alone (their death is theirs); else when
 * sessions ran side by side (jobs > 1) and one wrote, or when two or more
 * wrote (with -j 1, the one before also waited for a death to show). */
int fz_attrib_needed(unsigned jobs, int alone, size_t n_cand);

/* How long a session that ended waits for the launched server's death
 * to show (its descriptors close as it exits, just before it can be
 * collected; one that wrote its last act and closed can end before the
 * server has read the bytes that kill it).  FZ_PARK_MS, except for a
 * shrinking try (the next one waits for it, up to 300 of them a
 * finding): FZ_PARK_TRY_MS plus twice lag_ms, the longest a death has
 * shown after the end of the session it was charged to in this campaign
 * (a death's replays, which come before the shrinking, wait the whole
 * FZ_PARK_MS and measure it), at most FZ_PARK_MS.  A try whose death
 * shows later is not kept: the finding stays larger, never wrong. */
int fz_attrib_park_ms(int shrinking, int64_t lag_ms);

/* 1 if a session whose last act was written at a_ms (started a_seq-th)
 * wrote after one at b_ms (b_seq): the later act, then the later start. */
int fz_attrib_later(int64_t a_ms, uint64_t a_seq, int64_t b_ms, uint64_t b_seq);

/* No candidate yet; sessions: how many ran at the death; now: the start
 * of the bounds. */
void fz_attrib_init(struct fz_attrib *a, unsigned sessions, int64_t now);
/* A candidate: a copy of s; answered: see struct fz_attrib_cand. */
void fz_attrib_add(struct fz_attrib *a, const struct fz_sess *s, int64_t last_act_ms,
    uint64_t seq, int answered);
/* Order the candidates: the unanswered first, then the answered; in each,
 * the most recent last act first (fz_attrib_later). */
void fz_attrib_order(struct fz_attrib *a);

/* The candidate to replay next at time now, its index (tried counts it);
 * -1 when done: one killed the server, each was tried, FZ_ATTRIB_RUNS
 * replays ran, or the time is up (until; the caller may set it to 0 to
 * end at once). */
long fz_attrib_next(struct fz_attrib *a, int64_t now);
/* The replay fz_attrib_next gave last killed the fresh server (died) or
 * not. */
void fz_attrib_result(struct fz_attrib *a, int died);
/* 1 when a replay alone killed the server (a->culprit says which). */
int fz_attrib_reproduced(const struct fz_attrib *a);

void fz_attrib_free(struct fz_attrib *a);

#endif
