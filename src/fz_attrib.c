/*
 * fz_attrib.c - the candidates of a launched server's death and their
 * replays, in the order and within the bounds of fz_attrib.h.
 */
#include "fz_attrib.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int
fz_attrib_needed(unsigned jobs, int alone, size_t n_cand)
{
	/* With one job and one candidate the charge is sure: no replay.  A
	 * second candidate at -j 1 is the session before, which ended within
	 * the wait for a death (its bytes can kill after it closed). */
	return !alone && (n_cand > 1 || (jobs > 1 && n_cand > 0));
}

int
fz_attrib_park_ms(int shrinking, int64_t lag_ms)
{
	if (!shrinking || lag_ms >= (FZ_PARK_MS - FZ_PARK_TRY_MS) / 2)
		return FZ_PARK_MS;
	return FZ_PARK_TRY_MS + (int)(lag_ms > 0 ? 2 * lag_ms : 0);
}

int
fz_attrib_later(int64_t a_ms, uint64_t a_seq, int64_t b_ms, uint64_t b_seq)
{
	return a_ms > b_ms || (a_ms == b_ms && a_seq > b_seq);
}

void
fz_attrib_init(struct fz_attrib *a, unsigned sessions, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->sessions = sessions;
	a->until = now + (int64_t)FZ_ATTRIB_SECONDS * 1000;
}

void
fz_attrib_add(struct fz_attrib *a, const struct fz_sess *s, int64_t last_act_ms, uint64_t seq,
    int answered)
{
	a->cand = xrealloc(a->cand, (a->n + 1) * sizeof(*a->cand));
	struct fz_attrib_cand *c = &a->cand[a->n++];
	fz_sess_copy(&c->sess, s);
	c->last_act_ms = last_act_ms;
	c->seq = seq;
	c->answered = answered;
	a->culprit = a->n;
}

static int
cmp_later_first(const void *pa, const void *pb)
{
	const struct fz_attrib_cand *x = pa, *y = pb;
	if (x->answered != y->answered)
		return x->answered - y->answered;
	if (fz_attrib_later(x->last_act_ms, x->seq, y->last_act_ms, y->seq))
		return -1;
	return fz_attrib_later(y->last_act_ms, y->seq, x->last_act_ms, x->seq);
}

void
fz_attrib_order(struct fz_attrib *a)
{
	if (a->n > 1)
		qsort(a->cand, a->n, sizeof(*a->cand), cmp_later_first);
}

long
fz_attrib_next(struct fz_attrib *a, int64_t now)
{
	if (fz_attrib_reproduced(a) || a->tried >= a->n || a->tried >= FZ_ATTRIB_RUNS ||
	    now >= a->until)
		return -1;
	return (long)a->tried++;
}

void
fz_attrib_result(struct fz_attrib *a, int died)
{
	if (died && a->tried > 0)
		a->culprit = a->tried - 1;
}

int
fz_attrib_reproduced(const struct fz_attrib *a)
{
	return a->culprit < a->n;
}

void
fz_attrib_free(struct fz_attrib *a)
{
	for (size_t i = 0; i < a->n; i++)
		fz_sess_free(&a->cand[i].sess);
	free(a->cand);
	memset(a, 0, sizeof(*a));
}
