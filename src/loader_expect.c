/*
 * loader_expect.c - the parts of an expectation that stand alone: reply
 * code patterns and lists (prefer/stop_if within the codes), regular
 * expressions (compiled, and refused when their repetitions would blow up
 * glibc's regcomp()), enhanced status code patterns.
 */
#include "loader_int.h"

#include <stdlib.h>
#include <string.h>

#include "abnf.h"
#include "util.h"

int
ld_parse_code(struct ctx *c, const struct node *n, struct scn_code *out)
{
	if (!ld_want(c, n, NODE_SCALAR, "a reply code"))
		return 0;
	const char *v = n->val;
	int ok = n->len == 3;
	for (int i = 0; ok && i < 3; i++)
		ok = (v[i] >= '0' && v[i] <= '9') || (v[i] == 'x' && n->len == 3);
	if (ok)
		ok = v[0] == 'x' || (v[0] >= '2' && v[0] <= '5');
	if (ok)
		ok = v[1] == 'x' || (v[1] >= '0' && v[1] <= '5');
	if (!ok) {
		ERR(c, n, "bad reply code '%s': expected 200-559 or a pattern such as '5xx' or '25x'", v);
		return 0;
	}
	memcpy(out->pat, v, 3);
	out->pat[3] = '\0';
	return 1;
}

int
ld_parse_code_list(struct ctx *c, const struct node *n, struct scn_code **out, size_t *nout)
{
	const struct node *const *items = (const struct node *const *)&n;
	size_t count = 1;
	if (n->type == NODE_SEQ) {
		items = (const struct node *const *)n->kids;
		count = n->n;
		if (count == 0) {
			ERR(c, n, "an empty list of codes matches nothing");
			return 0;
		}
	} else if (n->type == NODE_MAP) {
		ERR(c, n, "code must be a reply code or a list of codes, not a mapping");
		return 0;
	}
	int ok = 1;
	*out = xcalloc(count, sizeof(**out));
	for (size_t i = 0; i < count; i++) {
		if (ld_parse_code(c, items[i], &(*out)[*nout]))
			(*nout)++;
		else
			ok = 0;
	}
	return ok;
}

/* glibc's regcomp() copies the tree under "x+" once and under "x{m,n}"
 * about max(m, n) times, so stacked or nested repetitions ("a++++...",
 * "((a{99}){99}){99}") grow exponentially: some sixty '+' exhaust any
 * memory (found by fuzz_loader; POSIX leaves adjacent duplication symbols
 * undefined anyway).  re_too_big() estimates the size of that tree from
 * the source, so such an expression is refused before regcomp() sees it. */
#define RE_MAX_NODES 10000.0
#define RE_MAX_GROUPS 64

/* Reads digits at *q (capped, so no overflow) and moves past them. */
static double
re_number(const char **q)
{
	double v = 0;
	for (; abnf_digit((unsigned char)**q); (*q)++)
		if (v <= RE_MAX_NODES)
			v = v * 10 + (**q - '0');
	return v;
}

static int
re_too_big(const char *p)
{
	/* Per open group: the size of what is complete, and of the last
	 * atom, which a following repetition multiplies. */
	double sum[RE_MAX_GROUPS + 1], last[RE_MAX_GROUPS + 1], atom;
	int d = 0;

	sum[0] = last[0] = 0;
	for (;;) {
		if (sum[d] + last[d] > RE_MAX_NODES)
			return 1;
		if (*p == '\0')
			return 0;
		atom = 1;
		if (*p == '(') {
			if (d == RE_MAX_GROUPS)
				return 1;
			p++;
			d++;
			sum[d] = last[d] = 0;
			continue;
		} else if (*p == '|') {
			sum[d] += last[d];
			last[d] = 0;
			p++;
			continue;
		} else if (*p == '*' || *p == '?') {
			p++;
			continue;
		} else if (*p == '+') {
			last[d] *= 2;
			p++;
			continue;
		} else if (*p == '{' && abnf_digit((unsigned char)p[1])) {
			const char *q = p + 1;
			double m = re_number(&q), n = m;
			if (*q == ',') {
				q++;
				n = abnf_digit((unsigned char)*q) ? re_number(&q) : m + 1;
			}
			if (*q == '}') {
				last[d] *= (m > n ? m : n) + 1;
				p = q + 1;
				continue;
			}
			p++; /* not an interval: a literal '{' */
		} else if (*p == ')' && d > 0) {
			atom = sum[d] + last[d] + 1;
			d--;
			p++;
		} else if (*p == '\\' && p[1] != '\0') {
			p += 2;
		} else if (*p == '[') {
			/* A bracket expression: a first ']' is literal, and
			 * [:class:], [.coll.], [=equiv=] may hold a ']'. */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					const char *e = p + 2;
					while (*e != '\0' && !(e[0] == p[1] && e[1] == ']'))
						e++;
					p = *e != '\0' ? e + 2 : p + 1;
				} else
					p++;
			}
			if (*p != '\0')
				p++;
		} else
			p++;
		sum[d] += last[d];
		last[d] = atom;
	}
}

int
ld_parse_codes(struct ctx *c, const struct node *n, struct scn_expect *e)
{
	return ld_parse_code_list(c, n, &e->codes, &e->n_codes);
}

/* 1 if every code that pattern p matches is also matched by pattern q. */
static int
code_covers(const struct scn_code *q, const struct scn_code *p)
{
	for (int i = 0; i < 3; i++)
		if (q->pat[i] != 'x' && q->pat[i] != p->pat[i])
			return 0;
	return 1;
}

/* Every code of sub[0..n) is among the accepted codes. */
int
ld_check_subset(struct ctx *c, const struct node *n, const struct scn_expect *e,
    const struct scn_code *sub, size_t nsub, const char *what)
{
	if (e->n_codes == 0) {
		ERR(c, n, "%s needs code: the codes accepted", what);
		return 0;
	}
	for (size_t i = 0; i < nsub; i++) {
		size_t k = 0;
		while (k < e->n_codes && !code_covers(&e->codes[k], &sub[i]))
			k++;
		if (k == e->n_codes) {
			ERR(c, n, "%s code %s is not among the accepted codes", what, sub[i].pat);
			return 0;
		}
	}
	return 1;
}

/* prefer: a subset of code, and not all of it (else it could never warn). */
int
ld_check_prefer(struct ctx *c, const struct node *n, const struct scn_expect *e)
{
	if (e->n_codes == 0) {
		ERR(c, n, "prefer needs code: the codes accepted, of which prefer are the recommended ones");
		return 0;
	}
	for (size_t i = 0; i < e->n_prefer; i++) {
		size_t k = 0;
		while (k < e->n_codes && !code_covers(&e->codes[k], &e->prefer[i]))
			k++;
		if (k == e->n_codes) {
			ERR(c, n, "preferred code %s is not among the accepted codes", e->prefer[i].pat);
			return 0;
		}
	}
	for (size_t k = 0; k < e->n_codes; k++) {
		size_t i = 0;
		while (i < e->n_prefer && !code_covers(&e->prefer[i], &e->codes[k]))
			i++;
		if (i == e->n_prefer)
			return 1;
	}
	ERR(c, n, "prefer names every accepted code: it can never warn");
	return 0;
}

int
ld_compile_re(struct ctx *c, const struct node *n, regex_t *re)
{
	return ld_compile_re_flags(c, n, re, REG_EXTENDED);
}

int
ld_compile_re_flags(struct ctx *c, const struct node *n, regex_t *re, int flags)
{
	if (re_too_big(n->val)) {
		ERR(c, n, "regular expression '%s' too complex (repetitions would "
		    "expand it beyond %.0f nodes)", n->val, RE_MAX_NODES);
		return 0;
	}
	int rc = regcomp(re, n->val, flags);
	if (rc != 0) {
		char msg[256];
		regerror(rc, re, msg, sizeof(msg));
		regfree(re);
		ERR(c, n, "bad regular expression '%s': %s", n->val, msg);
		return 0;
	}
	return 1;
}

int
ld_valid_enhanced(const char *v)
{
	if (strcmp(v, "present") == 0)
		return 1;
	/* class . subject . detail, each digits or 'x' */
	int part = 0;
	const char *p = v;
	while (part < 3) {
		if (*p == 'x')
			p++;
		else {
			const char *s = p;
			while (*p >= '0' && *p <= '9' && p - s < 3)
				p++;
			if (p == s || (p - s > 1 && *s == '0'))
				return 0;
			if (part == 0 && !(p - s == 1 && (*s == '2' || *s == '4' || *s == '5')))
				return 0;
		}
		part++;
		if (part < 3 && *p++ != '.')
			return 0;
	}
	return *p == '\0';
}
