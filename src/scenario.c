/* scenario.c - the scenario model: release and small queries. */
#include "scenario.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void
free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
free_expect(struct scn_expect *e)
{
	free(e->codes);
	free(e->prefer);
	free(e->stop);
	free(e->skip);
	if (e->text) {
		regfree(&e->text_re);
		free(e->text);
	}
	free(e->enhanced);
	free_strv(e->ehlo_has, e->n_ehlo_has);
	free_strv(e->ehlo_lacks, e->n_ehlo_lacks);
	for (size_t i = 0; i < e->n_captures; i++) {
		struct scn_capture *c = &e->captures[i];
		free(c->name);
		if (c->kind == SCN_CAPTURE_REGEX && c->source)
			regfree(&c->re);
		free(c->source);
	}
	free(e->captures);
}

static void
free_delivered(struct scn_delivered *d)
{
	if (!d)
		return;
	free(d->mail_from);
	free_strv(d->rcpt_to, d->n_rcpt_to);
	free_strv(d->mail_params, d->n_mail_params);
	free_strv(d->rcpt_params, d->n_rcpt_params);
	free(d->body);
	free_strv(d->header_has, d->n_header_has);
	free_strv(d->header_lacks, d->n_header_lacks);
	free(d->header_first);
	if (d->headers) {
		regfree(&d->headers_re);
		free(d->headers);
	}
	free(d);
}

void
scn_free(struct scn *s)
{
	if (!s)
		return;
	free(s->file);
	free(s->id);
	free(s->title);
	free(s->description);
	free_strv(s->refs, s->n_refs);
	free_strv(s->tags, s->n_tags);
	free_strv(s->requires_ext, s->n_requires_ext);
	free_strv(s->requires_vars, s->n_requires_vars);
	for (size_t i = 0; i < s->n_requires_params; i++) {
		free(s->requires_params[i].keyword);
		regfree(&s->requires_params[i].re);
		free(s->requires_params[i].source);
	}
	free(s->requires_params);
	for (size_t i = 0; i < s->n_rules; i++) {
		free(s->rules[i].id);
		free(s->rules[i].ref);
		free(s->rules[i].quote);
	}
	free(s->rules);
	for (size_t i = 0; i < s->n_vars; i++) {
		free(s->vars[i].name);
		free(s->vars[i].value);
	}
	free(s->vars);
	for (size_t i = 0; i < s->n_steps; i++) {
		struct scn_step *st = &s->steps[i];
		free(st->text);
		free(st->warn);
		free_strv(st->lines, st->n_lines);
		free_expect(&st->expect);
		free_delivered(st->dlv);
	}
	free(s->steps);
	free(s);
}

const char *
scn_level_name(enum scn_level l)
{
	switch (l) {
	case SCN_MUST: return "must";
	case SCN_SHOULD: return "should";
	case SCN_MAY: return "may";
	}
	return "?";
}

const char *
scn_step_kind_name(enum scn_step_kind k)
{
	switch (k) {
	case SCN_STEP_SEND: return "send";
	case SCN_STEP_SEND_RAW: return "send_raw";
	case SCN_STEP_PIPELINE: return "pipeline";
	case SCN_STEP_DATA: return "data";
	case SCN_STEP_EXPECT: return "expect";
	case SCN_STEP_EXPECT_CLOSE: return "expect_close";
	case SCN_STEP_EXPECT_OPEN: return "expect_open";
	case SCN_STEP_WAIT: return "wait";
	case SCN_STEP_EXPECT_EXTRA: return "expect_extra";
	case SCN_STEP_STARTTLS: return "starttls";
	case SCN_STEP_SENTINEL: return "sentinel";
	case SCN_STEP_DISCONNECT: return "disconnect";
	case SCN_STEP_DRAIN: return "drain";
	case SCN_STEP_DELIVERED: return "delivered";
	}
	return "?";
}

const char *
scn_opening_name(enum scn_opening o)
{
	switch (o) {
	case SCN_OPEN_NONE: return "none";
	case SCN_OPEN_GREETING: return "greeting";
	case SCN_OPEN_HELO: return "helo";
	case SCN_OPEN_EHLO: return "ehlo";
	}
	return "?";
}

int
scn_code_match(const struct scn_code *p, int code)
{
	if (code < 100 || code > 999)
		return 0;
	char d[3] = { (char)('0' + code / 100), (char)('0' + code / 10 % 10),
	    (char)('0' + code % 10) };
	for (int i = 0; i < 3; i++)
		if (p->pat[i] != 'x' && p->pat[i] != d[i])
			return 0;
	return 1;
}

int
scn_ref_is_catalogue_id(const char *ref)
{
	/* Letters and digits with at least one letter: "TM", "TLS", "8B". */
	size_t i = 0, letters = 0;
	for (; (ref[i] >= 'A' && ref[i] <= 'Z') || isdigit((unsigned char)ref[i]); i++)
		letters += ref[i] >= 'A' && ref[i] <= 'Z';
	if (i < 2 || letters == 0 || ref[i] != '-')
		return 0;
	size_t j = ++i;
	while (isdigit((unsigned char)ref[i]))
		i++;
	return i > j && ref[i] == '\0';
}

int
scn_has_tag(const struct scn *s, const char *t)
{
	for (size_t i = 0; i < s->n_tags; i++)
		if (strcmp(s->tags[i], t) == 0)
			return 1;
	return 0;
}

/* 1 if p[0..len) starts with verb, followed by the end, a space, a colon
 * or an escape (send_raw). */
static int
starts_with_verb(const char *p, size_t len, const char *verb)
{
	size_t vl = strlen(verb);
	if (len < vl || strncasecmp(p, verb, vl) != 0)
		return 0;
	return len == vl || p[vl] == ' ' || p[vl] == ':' || p[vl] == '\\' || p[vl] == '\r' ||
	    p[vl] == '\n';
}

/* A send_raw source text: each line, after a real newline or a \n escape. */
static int
raw_sends(const char *t, size_t len, const char *verb)
{
	for (size_t i = 0; i < len; i++) {
		int at_line = i == 0 || t[i - 1] == '\n' || (i >= 2 && t[i - 2] == '\\' && t[i - 1] == 'n');
		if (at_line && starts_with_verb(t + i, len - i, verb))
			return 1;
	}
	return 0;
}

int
scn_sends(const struct scn *s, const char *verb)
{
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct scn_step *st = &s->steps[i];
		switch (st->kind) {
		case SCN_STEP_SEND:
			if (starts_with_verb(st->text, st->text_len, verb))
				return 1;
			break;
		case SCN_STEP_SEND_RAW:
			if (raw_sends(st->text, st->text_len, verb))
				return 1;
			break;
		case SCN_STEP_PIPELINE:
			for (size_t k = 0; k < st->n_lines; k++)
				if (starts_with_verb(st->lines[k], strlen(st->lines[k]), verb))
					return 1;
			break;
		case SCN_STEP_STARTTLS:
			if (strcasecmp(verb, "STARTTLS") == 0)
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

int
scn_quote_has(const char *q, int should)
{
	static const char *const strong[] = { "must", "shall", "required", NULL };
	static const char *const weak[] = { "should", "recommended", NULL };
	const char *const *w = should ? weak : strong;
	for (; *w; w++)
		for (const char *p = strcasestr(q, *w); p; p = strcasestr(p + 1, *w)) {
			size_t n = strlen(*w);
			int before = p == q || !isalpha((unsigned char)p[-1]);
			if (before && !isalpha((unsigned char)p[n]))
				return 1;
		}
	return 0;
}
