/*
 * fz_min.h - shrinking a finding: the candidates to try, smallest change
 * first (drop whole acts, then single lines of an act, then halve long runs
 * of one byte such as the padding of a line), and the best session so far.
 * Acts are dropped pass after pass until a pass drops none: an act may be
 * needed only while another is there (a lying BDAT eats what follows it).
 * Pure: the campaign runs each candidate and says whether it kept the
 * oracle (fz_min_keep) or not (fz_min_next moves on).
 */
#ifndef SMTPH_FZ_MIN_H
#define SMTPH_FZ_MIN_H

#include <stddef.h>

#include "fz_sess.h"

struct fz_min {
	struct fz_sess best;
	int phase;       /* 0 acts, 1 lines, 2 runs, 3 done */
	size_t i, j;     /* act, line (counted down) */
	int fresh;       /* phase 1: j not yet set for act i */
	int dropped;     /* phase 0: this pass dropped an act */
};

void fz_min_init(struct fz_min *m, const struct fz_sess *s);
void fz_min_free(struct fz_min *m);
/* The next candidate into *cand (initialised here; the caller frees it);
 * 0 when nothing is left to try. */
int fz_min_next(struct fz_min *m, struct fz_sess *cand);
/* The last candidate kept the oracle: it becomes the best. */
void fz_min_keep(struct fz_min *m, const struct fz_sess *cand);

#endif
