/*
 * fz_sess.c - fuzz sessions: seeds from scenarios, findings to scenarios.
 */
#include "fz_sess.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "template.h"
#include "util.h"

#define FZ_SEED_REPEAT 20 /* a seed's step repeated more often is cut here */

void
fz_sess_init(struct fz_sess *s, const char *origin)
{
	memset(s, 0, sizeof(*s));
	s->origin = xstrdup(origin ? origin : "");
}

void
fz_sess_free(struct fz_sess *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->acts[i].b);
	free(s->acts);
	free(s->origin);
	memset(s, 0, sizeof(*s));
}

void
fz_sess_insert(struct fz_sess *s, size_t i, const void *b, size_t len, int pipelined)
{
	if (s->n >= FZ_MAX_ACTS || i > s->n)
		return;
	if (len > FZ_MAX_ACT)
		len = FZ_MAX_ACT;
	s->acts = xrealloc(s->acts, (s->n + 1) * sizeof(*s->acts));
	memmove(&s->acts[i + 1], &s->acts[i], (s->n - i) * sizeof(*s->acts));
	struct fz_act *a = &s->acts[i];
	a->b = xmalloc(len + 1);
	if (len)
		memcpy(a->b, b, len);
	a->b[len] = '\0';
	a->len = len;
	a->pipelined = pipelined;
	s->n++;
}

void
fz_sess_add(struct fz_sess *s, const void *b, size_t len, int pipelined)
{
	fz_sess_insert(s, s->n, b, len, pipelined);
}

void
fz_sess_remove(struct fz_sess *s, size_t i)
{
	if (i >= s->n)
		return;
	free(s->acts[i].b);
	memmove(&s->acts[i], &s->acts[i + 1], (s->n - i - 1) * sizeof(*s->acts));
	s->n--;
}

int
fz_sess_split(struct fz_sess *s, size_t i, size_t at)
{
	if (s->n >= FZ_MAX_ACTS || i >= s->n || at == 0 || at >= s->acts[i].len)
		return -1;
	fz_sess_insert(s, i + 1, s->acts[i].b + at, s->acts[i].len - at, 0);
	s->acts[i].len = at;
	s->acts[i].b[at] = '\0';
	return 0;
}

void
fz_sess_copy(struct fz_sess *dst, const struct fz_sess *src)
{
	fz_sess_init(dst, src->origin);
	for (size_t i = 0; i < src->n; i++)
		fz_sess_add(dst, src->acts[i].b, src->acts[i].len, src->acts[i].pipelined);
}

size_t
fz_sess_bytes(const struct fz_sess *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->acts[i].len;
	return n;
}

/* ---- seeds --------------------------------------------------------------- */

/* The run's variables, and a fixed ${token} (vars.h): the fuzzer has no
 * delivery oracle, the token only has to be there. */
/* Whether sc captures name[0..len) from a reply (known only at run time). */
static int
captured(const struct scn *sc, const char *name, size_t len)
{
	for (size_t i = 0; sc && i < sc->n_steps; i++) {
		const struct scn_expect *e = &sc->steps[i].expect;
		for (size_t k = 0; k < e->n_captures; k++)
			if (strlen(e->captures[k].name) == len && memcmp(e->captures[k].name, name, len) == 0)
				return 1;
	}
	return 0;
}

static const char *
seed_var(void *scope, const char *name, size_t len)
{
	if (vars_is_session(name, len))
		return "smtph00000000n000000";
	const char *v = vars_lookup(scope, name, len);
	/* A value captured from a reply (the EHLO SIZE limit): any will do
	 * for a seed, whose numbers the mutations change anyway. */
	if (!v && captured(((struct vars_scope *)scope)->scn, name, len))
		return "1";
	return v;
}

static int
expand(const char *t, size_t len, int escapes, struct vars_scope *scope, struct buf *out)
{
	size_t pos;
	return tmpl_expand(t, len, escapes, seed_var, scope, out, &pos) ? -1 : 0;
}

/* A message body as the engine's data step sends it (RFC 5321 4.5.2). */
static int
render_body(const struct scn_step *st, struct vars_scope *scope, int last, struct buf *out)
{
	struct buf body;
	buf_init(&body);
	int rc = expand(st->text, st->text_len, 0, scope, &body);
	tmpl_data_lines(out, body.data, body.len);
	buf_free(&body);
	if (last)
		buf_puts(out, ".\r\n");
	return rc;
}

/* The bytes of one repeat of a send-like step into out; 0 or -1. */
static int
render_step(const struct scn_step *st, unsigned rep, unsigned reps, struct vars_scope *scope,
    struct buf *out)
{
	switch (st->kind) {
	case SCN_STEP_SEND:
		if (expand(st->text, st->text_len, 0, scope, out) != 0)
			return -1;
		buf_puts(out, "\r\n");
		return 0;
	case SCN_STEP_SEND_RAW:
		return expand(st->text, st->text_len, 1, scope, out);
	case SCN_STEP_PIPELINE:
		for (size_t i = 0; i < st->n_lines; i++) {
			if (expand(st->lines[i], strlen(st->lines[i]), 0, scope, out) != 0)
				return -1;
			buf_puts(out, "\r\n");
		}
		return 0;
	case SCN_STEP_DATA:
		return render_body(st, scope, rep + 1 == reps, out);
	case SCN_STEP_SENTINEL:
		buf_printf(out, "%s\r\n", st->text);
		return 0;
	case SCN_STEP_STARTTLS:
		buf_puts(out, "STARTTLS\r\n");
		return st->text ? expand(st->text, st->text_len, 1, scope, out) : 0;
	default:
		return 0;
	}
}

int
fz_sess_from_scn(const struct scn *sc, struct vars_scope *scope, struct fz_sess *out)
{
	fz_sess_init(out, sc->id);
	struct buf b;
	buf_init(&b);
	int rc = 0;
	if (sc->opening == SCN_OPEN_HELO || sc->opening == SCN_OPEN_EHLO) {
		const char *d = vars_lookup(scope, "client_domain", 13);
		buf_printf(&b, "%s %s\r\n", sc->opening == SCN_OPEN_EHLO ? "EHLO" : "HELO",
		    d ? d : "client.example");
		fz_sess_add(out, b.data, b.len, 0);
	}
	for (size_t i = 0; i < sc->n_steps && rc == 0; i++) {
		const struct scn_step *st = &sc->steps[i];
		unsigned reps = st->repeat < FZ_SEED_REPEAT ? st->repeat : FZ_SEED_REPEAT;
		for (unsigned r = 0; r < reps && rc == 0; r++) {
			buf_reset(&b);
			rc = render_step(st, r, reps, scope, &b);
			if (rc == 0 && b.len)
				fz_sess_add(out, b.data, b.len, 0);
		}
	}
	fz_sess_add(out, "QUIT\r\n", 6, 0);
	buf_free(&b);
	return rc;
}

/* ---- findings as scenarios ----------------------------------------------- */

/* The width of byte c in fz_yaml_raw(). */
static size_t
yaml_width(unsigned char c)
{
	switch (c) {
	case '\r': case '\n': case '\t': case '\0': case '\\': case '$': case '\'':
		return 2;
	default:
		return c >= 0x20 && c < 0x7f ? 1 : 4;
	}
}

size_t
fz_yaml_raw_len(const char *b, size_t n)
{
	size_t len = 2;
	for (size_t i = 0; i < n; i++)
		len += yaml_width((unsigned char)b[i]);
	return len;
}

/* The longest step lines fz_sess_write_yaml() writes around an act, and
 * for one reply (an owed one: "  - expect: xxx\n    rule: XX-NN\n"). */
#define YAML_ACT_LINES 64
#define YAML_REPLY_LINES 40

/* The LFs in b[0..n). */
static size_t
count_lf(const char *b, size_t n)
{
	size_t k = 0;
	for (const char *p = b, *e = b + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		k++;
	return k;
}

size_t
fz_sess_yaml_bound(const struct fz_sess *s)
{
	size_t len = YAML_REPLY_LINES; /* the greeting */
	for (size_t i = 0; i < s->n; i++) {
		const struct fz_act *a = &s->acts[i];
		len += YAML_ACT_LINES + fz_yaml_raw_len(a->b, a->len) + YAML_REPLY_LINES +
		    count_lf(a->b, a->len) * YAML_REPLY_LINES;
	}
	return len;
}

int
fz_sess_yaml_fits(const struct fz_sess *s, size_t cap)
{
	/* No byte costs more than an LF: 2 characters and a reply. */
	size_t acts = YAML_REPLY_LINES + s->n * (YAML_ACT_LINES + 2 + YAML_REPLY_LINES);
	size_t bytes = fz_sess_bytes(s);
	if (acts + bytes * (2 + YAML_REPLY_LINES) <= cap)
		return 1;
	/* Then every byte at its widest (4) and a reply for each LF: memchr
	 * reads a long line of filler far faster than the byte widths do. */
	size_t lf = 0;
	for (size_t i = 0; i < s->n; i++)
		lf += count_lf(s->acts[i].b, s->acts[i].len);
	if (acts + bytes * 4 + lf * YAML_REPLY_LINES <= cap)
		return 1;
	return fz_sess_yaml_bound(s) <= cap;
}

void
fz_yaml_raw(struct buf *out, const char *b, size_t n)
{
	buf_puts(out, "'");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		switch (c) {
		case '\r': buf_puts(out, "\\r"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\t': buf_puts(out, "\\t"); break;
		case '\0': buf_puts(out, "\\0"); break;
		case '\\': buf_puts(out, "\\\\"); break;
		case '$': buf_puts(out, "\\$"); break;
		case '\'': buf_puts(out, "''"); break;
		default:
			if (yaml_width(c) == 1)
				buf_append(out, &b[i], 1);
			else
				buf_printf(out, "\\x%02X", c);
		}
	}
	buf_puts(out, "'");
}

static int
is_starttls_act(const struct fz_act *a)
{
	return a->len >= 10 && strncasecmp(a->b, "STARTTLS\r\n", 10) == 0;
}

/* The act as a step: send_raw, or starttls with what follows injected;
 * a starttls step naming a rule (not NULL) is judged on its handshake too
 * (`run` gives a failed handshake without one no verdict). */
static void
write_act(struct buf *y, const struct fz_act *a, int tls, int code, const char *rule)
{
	if (tls && is_starttls_act(a)) {
		buf_printf(y, "  - starttls: {expect: %d", code);
		if (a->len > 10) {
			buf_puts(y, ", inject: ");
			fz_yaml_raw(y, a->b + 10, a->len - 10);
		}
		buf_puts(y, "}\n");
		if (rule)
			buf_printf(y, "    rule: %s\n", rule);
		return;
	}
	buf_puts(y, "  - send_raw: ");
	fz_yaml_raw(y, a->b, a->len);
	buf_puts(y, "\n");
}

static void
write_header(struct buf *y, const char *id, const char *title, const char *const *comment,
    const struct fz_ending *end)
{
	const char *rule_id = end->rule_id, *rule_ref = end->rule_ref, *rule_quote = end->rule_quote;
	for (size_t i = 0; comment && comment[i]; i++)
		buf_printf(y, "# %s\n", comment[i]);
	buf_printf(y, "id: %s\ntitle: ", id);
	fz_yaml_raw(y, title, strlen(title));
	/* The level the quote supports: lint refuses `must` over a SHOULD
	 * (RF-05: reply lines over the limits). */
	buf_printf(y, "\nlevel: %s\nrefs: [%s, %s]\ntags: [fuzz%s%s]\nopening: none\n",
	    scn_quote_has(rule_quote, 0) ? "must" : "should", rule_ref, rule_id,
	    end->tag ? ", " : "", end->tag ? end->tag : "");
	buf_printf(y, "rules:\n  - id: %s\n    ref: %s\n    quote: ", rule_id, rule_ref);
	fz_yaml_raw(y, rule_quote, strlen(rule_quote));
	buf_puts(y, "\nsteps:\n");
}

void
fz_sess_write_yaml(FILE *f, const struct fz_sess *s, const struct fz_seen *seen, size_t upto,
    const char *id, const char *title, const char *const *comment, const struct fz_ending *end)
{
	struct buf y;
	buf_init(&y);
	write_header(&y, id, title, comment, end);
	size_t c = 0;
	for (size_t k = 0; k <= upto && k <= s->n; k++) {
		/* FZ_LAST_TLS: the handshake after the last act, which failed. */
		int failing = end->last == FZ_LAST_TLS && k == upto;
		int tls = k > 0 && ((seen->tls_act && seen->tls_act[k - 1]) || failing);
		if (k > 0) {
			int tls_code = c < seen->n_got && seen->got[c].act == k ? seen->got[c].code : 220;
			write_act(&y, &s->acts[k - 1], tls, tls_code, failing ? end->rule_id : NULL);
			if (tls && is_starttls_act(&s->acts[k - 1]) && c < seen->n_got &&
			    seen->got[c].act == k)
				c++;
		}
		for (; c < seen->n_got && seen->got[c].act == k; c++)
			buf_printf(&y, "  - expect: %d\n", seen->got[c].code);
	}
	for (size_t i = 0; i < end->owed; i++)
		buf_printf(&y, "  - expect: xxx\n    rule: %s\n", end->rule_id);
	static const char *const lasts[] = {
		[FZ_LAST_NONE] = NULL,
		[FZ_LAST_SILENCE] = "  - expect_open: 1\n",
		[FZ_LAST_CLOSE] = "  - expect_close: true\n",
		[FZ_LAST_221] = "  - expect: 221\n",
		[FZ_LAST_IN_DATA] = "  - expect_open: 1\n",
		[FZ_LAST_IN_CHUNK] = "  - expect_open: 1\n",
		[FZ_LAST_TLS] = NULL,
	};
	if (lasts[end->last])
		buf_printf(&y, "%s    rule: %s\n", lasts[end->last], end->rule_id);
	/* A server that kept quiet is still inside the message: end it (an
	 * empty line first, wherever the data stopped), then its reply. */
	if (end->last == FZ_LAST_IN_DATA)
		buf_puts(&y, "  - send_raw: '\\r\\n.\\r\\n'\n  - expect: xxx\n");
	fwrite(y.data, 1, y.len, f);
	buf_free(&y);
}
