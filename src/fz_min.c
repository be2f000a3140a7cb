/*
 * fz_min.c - the shrinking order of fz_min.h.
 */
#include "fz_min.h"

#include <string.h>

#include "buf.h"

#define FZ_MIN_RUN 8 /* shorter runs of one byte are left alone */

void
fz_min_init(struct fz_min *m, const struct fz_sess *s)
{
	memset(m, 0, sizeof(*m));
	fz_sess_copy(&m->best, s);
	m->i = s->n;
}

void
fz_min_free(struct fz_min *m)
{
	fz_sess_free(&m->best);
}

/* Line j (0-based, CRLF or LF included) of a: its span, or 0. */
static int
line_span(const struct fz_act *a, size_t j, size_t *from, size_t *to)
{
	size_t k = 0, s = 0;
	for (size_t p = 0; p < a->len; p++)
		if (a->b[p] == '\n' || p + 1 == a->len) {
			if (k++ == j) {
				*from = s;
				*to = p + 1;
				return 1;
			}
			s = p + 1;
		}
	return 0;
}

static size_t
count_lines(const struct fz_act *a)
{
	size_t k = 0;
	for (size_t p = 0; p < a->len; p++)
		if (a->b[p] == '\n' || p + 1 == a->len)
			k++;
	return k;
}

/* cand = best with act i's bytes [from, to) replaced by keep[0..n). */
static void
edit(const struct fz_min *m, struct fz_sess *cand, size_t i, size_t from, size_t to,
    const char *keep, size_t n)
{
	fz_sess_copy(cand, &m->best);
	const struct fz_act *a = &m->best.acts[i];
	struct buf b;
	buf_init(&b);
	buf_append(&b, a->b, from);
	buf_append(&b, keep, n);
	buf_append(&b, a->b + to, a->len - to);
	fz_sess_remove(cand, i);
	fz_sess_insert(cand, i, b.data ? b.data : "", b.len, a->pipelined);
	buf_free(&b);
}

/* The longest run of one byte in a (at least FZ_MIN_RUN long). */
static int
longest_run(const struct fz_act *a, size_t *from, size_t *len)
{
	size_t best = 0, at = 0;
	for (size_t p = 0; p < a->len;) {
		size_t q = p;
		while (q < a->len && a->b[q] == a->b[p])
			q++;
		if (q - p > best) {
			best = q - p;
			at = p;
		}
		p = q;
	}
	*from = at;
	*len = best;
	return best >= FZ_MIN_RUN;
}

int
fz_min_next(struct fz_min *m, struct fz_sess *cand)
{
	while (m->phase < 3) {
		if (m->phase == 0) {
			if (m->i == 0 && m->dropped && m->best.n > 1) {
				m->i = m->best.n, m->dropped = 0; /* another pass */
				continue;
			}
			if (m->i == 0 || m->best.n <= 1) {
				m->phase = 1, m->i = 0, m->fresh = 1;
				continue;
			}
			m->i--;
			fz_sess_copy(cand, &m->best);
			fz_sess_remove(cand, m->i);
			return 1;
		}
		if (m->i >= m->best.n) {
			m->phase++, m->i = 0, m->fresh = 1;
			continue;
		}
		const struct fz_act *a = &m->best.acts[m->i];
		size_t from, to, len;
		if (m->phase == 1) {
			if (m->fresh) {
				m->j = count_lines(a);
				m->fresh = 0;
			}
			if (m->j == 0 || count_lines(a) <= 1 || !line_span(a, m->j - 1, &from, &to)) {
				m->i++, m->fresh = 1;
				continue;
			}
			m->j--;
			edit(m, cand, m->i, from, to, "", 0);
			return 1;
		}
		if (!m->fresh || !longest_run(a, &from, &len)) {
			m->i++, m->fresh = 1;
			continue;
		}
		m->fresh = 0; /* fz_min_keep sets it again: the act is tried once more */
		edit(m, cand, m->i, from, from + len, a->b + from, len / 2);
		return 1;
	}
	return 0;
}

void
fz_min_keep(struct fz_min *m, const struct fz_sess *cand)
{
	fz_sess_free(&m->best);
	fz_sess_copy(&m->best, cand);
	if (m->phase == 0)
		m->dropped = 1;
	if (m->phase == 2)
		m->fresh = 1;
}
