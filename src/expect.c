/*
 * expect.c - the verdict on one reply (expect.h).
 *
 * The checks run in a fixed order and the first that does not hold is the
 * reason: codes, single line, text, enhanced status code, EHLO grammar,
 * keywords present, keywords absent, captures.  Then the allowed branches:
 * a code the RFC does not prefer (a warning), a stop_if code (stop).
 */
#include "expect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "util.h"

/* What a check needs: the step, the reply, its text and the result. */
struct judge {
	const struct scn_expect *x;
	const struct reply *r;
	const char *text;          /* the lines joined by \n */
	const char *raw;           /* the reply as received, for a failure */
	size_t rawlen;
	struct buf want;           /* the step rendered, once a failure needs it */
	struct exp_result *out;
};

/* What the step expected, in words: made only for a failure (a passing
 * reply, nearly all of them, needs none). */
static const char *
want_of(struct judge *j)
{
	if (!j->want.data)
		exp_describe(j->x, &j->want);
	return j->want.data ? j->want.data : "";
}

static int fail(struct judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record the failure; returns 0 so checks can `return fail(...)`. */
static int
fail(struct judge *j, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	j->out->verdict = EXP_FAIL;
	j->out->reason = xstrdup(reason);
	j->out->expected = xstrdup(want_of(j));
	struct buf got;
	buf_init(&got);
	res_render(&got, j->raw, j->rawlen);
	j->out->actual = buf_steal(&got, NULL);
	return 0;
}

void
exp_describe(const struct scn_expect *x, struct buf *b)
{
	if (x->n_codes == 0)
		buf_puts(b, "any well-formed reply");
	for (size_t i = 0; i < x->n_codes; i++)
		buf_printf(b, "%s%s", i == 0 ? (x->n_codes > 1 ? "one of " : "") : ", ", x->codes[i].pat);
	if (x->text)
		buf_printf(b, "; text matching /%s/", x->text);
	if (x->enhanced)
		buf_printf(b, "; enhanced status %s", x->enhanced);
	if (x->single_line)
		buf_puts(b, "; a single line");
	if (x->ehlo_valid)
		buf_puts(b, "; a well-formed EHLO keyword list");
	for (size_t i = 0; i < x->n_ehlo_has; i++)
		buf_printf(b, "; EHLO keyword %s", x->ehlo_has[i]);
	for (size_t i = 0; i < x->n_ehlo_lacks; i++)
		buf_printf(b, "; no EHLO keyword %s", x->ehlo_lacks[i]);
}

/* 1 if code matches one of pats[0..n). */
static int
any_match(const struct scn_code *pats, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (scn_code_match(&pats[i], code))
			return 1;
	return 0;
}

static int
codes_match(const struct scn_expect *x, int code)
{
	return x->n_codes == 0 || any_match(x->codes, x->n_codes, code);
}

/* Codes, line count and text. */
static int
check_shape(struct judge *j)
{
	const struct scn_expect *x = j->x;
	if (!codes_match(x, j->r->code))
		return fail(j, "expected %s, got %d", want_of(j), j->r->code);
	if (x->single_line && j->r->n_lines != 1)
		return fail(j, "expected a single-line reply, got %zu lines", j->r->n_lines);
	if (x->text && regexec(&x->text_re, j->text, 0, NULL, 0) != 0)
		return fail(j, "reply text does not match /%s/", x->text);
	return 1;
}

/* A pattern such as "5.1.1" or "5.x.x" against the reply's code. */
static int
enhanced_match(const char *p, const struct reply_enhanced *en)
{
	int part[3] = { en->klass, en->subject, en->detail };
	int match = en->present;
	for (int i = 0; i < 3 && match; i++) {
		if (*p == 'x')
			p++;
		else {
			char *end;
			long v = strtol(p, &end, 10);
			match = v == part[i];
			p = end;
		}
		if (*p == '.')
			p++;
	}
	return match;
}

static int
check_enhanced(struct judge *j)
{
	const char *want = j->x->enhanced;
	const struct reply_enhanced *en = &j->r->enhanced;
	if (!want)
		return 1;
	char have[32] = "none";
	if (en->present)
		snprintf(have, sizeof(have), "%d.%d.%d", en->klass, en->subject, en->detail);
	if (strcmp(want, "present") != 0) {
		if (!enhanced_match(want, en))
			return fail(j, "expected enhanced status %s, got %s", want, have);
		return 1;
	}
	if (!en->present)
		return fail(j, "reply %d carries no enhanced status code (RFC 2034)", j->r->code);
	if (en->klass != j->r->code / 100)
		return fail(j, "enhanced status %s does not match the class of reply %d (RFC 3463 2)",
		    have, j->r->code);
	return 1;
}

/* The reply read as EHLO keywords when the step or the session needs them:
 * *parsed is set to a heap copy (or left NULL). */
static int
parse_caps(struct judge *j, int after_ehlo, struct ehlo_caps **parsed)
{
	const struct scn_expect *x = j->x;
	int need = x->n_ehlo_has || x->n_ehlo_lacks || x->ehlo_valid || after_ehlo;
	for (size_t i = 0; i < x->n_captures; i++)
		need |= x->captures[i].kind == SCN_CAPTURE_EHLO;
	if (!need || j->r->code != 250)
		return 1;
	/* Not calloc: the caps are 37 KB, of which ehlo_parse() sets n and the
	 * domain and fills only the entries it counts (a profile of the engine
	 * under ASan had this memset as its largest cost). */
	*parsed = xmalloc(sizeof(**parsed));
	(*parsed)->domain[0] = '\0';
	(*parsed)->n = 0;   /* what a reply with lines not all stored holds */
	/* Grammar slips in other lines (Exim's PIPE_CONNECT, "AUTH=LOGIN")
	 * are not judged here: ehlo_parse() keeps what it could read. */
	const char *why = j->r->n_lines > j->r->lines_cap ? "too many lines" : ehlo_parse(j->r, *parsed);
	if (why && x->ehlo_valid)
		return fail(j, "EHLO reply breaks the ehlo-ok-rsp grammar: %s (RFC 5321 4.1.1.1)", why);
	return 1;
}

static int
check_keywords(struct judge *j, const struct ehlo_caps *c)
{
	const struct scn_expect *x = j->x;
	for (size_t i = 0; i < x->n_ehlo_has; i++)
		if (!c || !ehlo_find(c, x->ehlo_has[i]))
			return fail(j, "EHLO keyword %s is not advertised", x->ehlo_has[i]);
	for (size_t i = 0; i < x->n_ehlo_lacks; i++)
		if (c && ehlo_find(c, x->ehlo_lacks[i]))
			return fail(j, "EHLO keyword %s is advertised but must not be", x->ehlo_lacks[i]);
	return 1;
}

static void
add_capture(struct exp_result *out, const char *name, const char *value, size_t len)
{
	out->captures = xrealloc(out->captures, (out->n_captures + 1) * sizeof(*out->captures));
	out->captures[out->n_captures].name = xstrdup(name);
	out->captures[out->n_captures++].value = xstrndup(value, len);
}

static int
take_captures(struct judge *j, const struct ehlo_caps *c)
{
	for (size_t i = 0; i < j->x->n_captures; i++) {
		const struct scn_capture *cp = &j->x->captures[i];
		if (cp->kind == SCN_CAPTURE_EHLO) {
			const struct ehlo_cap *k = c ? ehlo_find(c, cp->source) : NULL;
			if (!k)
				return fail(j, "cannot capture %s: EHLO keyword %s is not advertised",
				    cp->name, cp->source);
			add_capture(j->out, cp->name, k->params, strlen(k->params));
			continue;
		}
		regmatch_t m[2];
		if (regexec(&cp->re, j->text, 2, m, 0) != 0)
			return fail(j, "cannot capture %s: reply text does not match /%s/", cp->name, cp->source);
		int g = m[1].rm_so >= 0 ? 1 : 0;
		add_capture(j->out, cp->name, j->text + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
	}
	return 1;
}

/* The allowed branches of a passing reply: prefer and stop_if. */
static void
branches(const struct scn_expect *x, int code, struct exp_result *out)
{
	if (x->n_prefer && !any_match(x->prefer, x->n_prefer, code)) {
		struct buf pref;
		buf_init(&pref);
		for (size_t i = 0; i < x->n_prefer; i++)
			buf_printf(&pref, "%s%s", i ? ", " : "", x->prefer[i].pat);
		out->prefer = buf_steal(&pref, NULL);
	}
	out->stop = any_match(x->stop, x->n_stop, code);
}

static int
judge_all(struct judge *j, const struct ehlo_caps *known, int after_ehlo)
{
	struct ehlo_caps *parsed = NULL;
	int ok = check_shape(j) && check_enhanced(j) && parse_caps(j, after_ehlo, &parsed);
	const struct ehlo_caps *c = parsed ? parsed : known;
	ok = ok && check_keywords(j, c) && take_captures(j, c);
	if (ok && after_ehlo)
		j->out->caps = parsed;
	else
		free(parsed);
	return ok;
}

enum exp_verdict
exp_check(const struct scn_expect *x, const struct reply *r, const char *raw, size_t rawlen,
    const struct ehlo_caps *known, int after_ehlo, struct exp_result *out)
{
	struct buf text;
	buf_init(&text);
	for (size_t i = 0; i < r->n_lines && i < r->lines_cap; i++) {
		if (i)
			buf_puts(&text, "\n");
		buf_append(&text, r->lines[i].text, r->lines[i].len);
	}
	memset(out, 0, sizeof(*out));
	struct judge j = { x, r, text.data ? text.data : "", raw, rawlen, { 0 }, out };
	buf_init(&j.want);
	if (any_match(x->skip, x->n_skip, r->code))
		out->skip = 1; /* checked first: a decline is no answer to judge */
	else if (judge_all(&j, known, after_ehlo))
		branches(x, r->code, out);
	buf_free(&j.want);
	buf_free(&text);
	return out->verdict;
}

/* Every listed code is a 5xx: the step sent something invalid. */
static int
expects_only_5xx(const struct scn_expect *x)
{
	if (x->n_codes == 0)
		return 0;
	for (size_t i = 0; i < x->n_codes; i++)
		if (x->codes[i].pat[0] != '5')
			return 0;
	return 1;
}

int
exp_on_421(const struct scn_expect *x, const char *raw, size_t rawlen, struct exp_result *out)
{
	memset(out, 0, sizeof(*out));
	if (x->n_codes && codes_match(x, 421))
		return 1;
	if (!expects_only_5xx(x))
		return 0;
	struct buf got;
	buf_init(&got);
	res_render(&got, raw, rawlen);
	out->verdict = EXP_FAIL;
	out->reason = xstrdup("421 in answer to a single invalid command "
	    "(RFC 5321 3.8: withdraw service only when shutting down)");
	out->expected = xstrdup("a 5xx reply (the session kept)");
	out->actual = buf_steal(&got, NULL);
	return -1;
}

void
exp_result_free(struct exp_result *r)
{
	free(r->reason);
	free(r->expected);
	free(r->actual);
	free(r->prefer);
	free(r->caps);
	for (size_t i = 0; i < r->n_captures; i++) {
		free(r->captures[i].name);
		free(r->captures[i].value);
	}
	free(r->captures);
	memset(r, 0, sizeof(*r));
}
