/*
 * loader_lint.c - the checks of a scenario beyond its step grammar
 * (loader.c): who it is (id, title, level, refs), what it requires
 * (extensions, their parameters, variables, an oracle), where its session
 * ends, and which variables its texts may use (vars, requires.vars, the
 * derived ones, earlier captures).
 */
#include "loader_int.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"
#include "vars.h"

/* ---- who the scenario is, what it requires --------------------------- */

#define LOAD_MAX_ID 128

static int
valid_id(const char *id)
{
	if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9')) || strlen(id) > LOAD_MAX_ID)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

void
ld_parse_requires(struct ctx *c, const struct node *v, struct scn *s)
{
	static const char *const rkeys[] = { "extensions", "extension_params", "vars", "oracle", NULL };
	ld_check_keys(c, v, rkeys, "requires");
	const struct node *r;
	if ((r = ld_lookup(v, "oracle")) && ld_want(c, r, NODE_SCALAR, "requires.oracle")) {
		static const char *const needs[] = { "any", "final", "relay", NULL };
		for (size_t i = 0; needs[i]; i++)
			if (strcmp(r->val, needs[i]) == 0)
				s->requires_oracle = (enum scn_oracle_need)(SCN_ORACLE_ANY + i);
		if (s->requires_oracle == SCN_ORACLE_NONE)
			ERR(c, r, "requires.oracle is any, final or relay, not '%s'", r->val);
	}
	if ((r = ld_lookup(v, "extension_params")) && ld_want(c, r, NODE_MAP, "requires.extension_params") &&
	    ld_check_keys(c, r, NULL, "requires.extension_params")) {
		s->requires_params = xcalloc(r->n / 2 + 1, sizeof(*s->requires_params));
		for (size_t i = 0; i + 1 < r->n; i += 2) {
			const struct node *k = r->kids[i], *re = r->kids[i + 1];
			if (!ld_want(c, re, NODE_SCALAR, "an extension parameter pattern") ||
			    !ld_compile_re(c, re, &s->requires_params[s->n_requires_params].re))
				continue;
			s->requires_params[s->n_requires_params].keyword = xstrdup(k->val);
			s->requires_params[s->n_requires_params++].source = xstrdup(re->val);
		}
	}
	if ((r = ld_lookup(v, "extensions")))
		ld_get_strv(c, r, "requires.extensions", &s->requires_ext, &s->n_requires_ext);
	if ((r = ld_lookup(v, "vars"))) {
		ld_get_strv(c, r, "requires.vars", &s->requires_vars, &s->n_requires_vars);
		for (size_t i = 0; i < s->n_requires_vars; i++)
			if (!tmpl_valid_name(s->requires_vars[i], strlen(s->requires_vars[i])))
				ERR(c, r, "bad variable name '%s'", s->requires_vars[i]);
	}
}

void
ld_parse_identity(struct ctx *c, const struct node *root, struct scn *s)
{
	const struct node *v;
	if ((v = ld_lookup(root, "id")) && (s->id = ld_get_str(c, v, "id", 1)) && !valid_id(s->id))
		ERR(c, v, "bad id '%.64s%s': use lower-case letters, digits, '-', '_' and '.', at most %d",
		    s->id, strlen(s->id) > 64 ? "..." : "", LOAD_MAX_ID);
	if ((v = ld_lookup(root, "title")))
		s->title = ld_get_str(c, v, "title", 1);
	if ((v = ld_lookup(root, "description")))
		s->description = ld_get_str(c, v, "description", 0);
	if ((v = ld_lookup(root, "level")) && ld_want(c, v, NODE_SCALAR, "level")) {
		if (strcmp(v->val, "must") == 0)
			s->level = SCN_MUST;
		else if (strcmp(v->val, "should") == 0)
			s->level = SCN_SHOULD;
		else if (strcmp(v->val, "may") == 0)
			s->level = SCN_MAY;
		else
			ERR(c, v, "level must be must, should or may, not '%s'", v->val);
	}
	if ((v = ld_lookup(root, "refs"))) {
		size_t before = s->n_refs;
		if (ld_get_strv(c, v, "refs", &s->refs, &s->n_refs)) {
			for (size_t i = before; i < s->n_refs; i++)
				if (!ld_valid_ref(s->refs[i]))
					ERR(c, v->type == NODE_SEQ ? v->kids[i] : v,
					    "bad ref '%s': expected 'RFC 5321 4.1.1.10' or a catalogue id such as 'TM-01'",
					    s->refs[i]);
			if (s->n_refs == 0)
				ERR(c, v, "refs needs at least one RFC section or catalogue id");
		}
	}
}

/* ---- where the session ends ----------------------------------------- */

/* After its 221 the server closes (RFC 5321 4.1.1.10), and after a
 * disconnect there is no session: only delivered steps can follow.  A
 * delivered step makes the scenario need an oracle. */
void
ld_check_session_end(struct ctx *c, const struct node *steps, struct scn *s)
{
	int ended = 0;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct scn_step *st = &s->steps[i];
		if (st->kind == SCN_STEP_DELIVERED && s->requires_oracle == SCN_ORACLE_NONE)
			s->requires_oracle = SCN_ORACLE_ANY;
		if (ended && st->kind != SCN_STEP_DELIVERED) {
			ERR(c, steps->kids[i], "only delivered steps may follow %s",
			    ended == 1 ? "sentinel: QUIT (it ends the session)" :
			    ended == 2 ? "disconnect" : "drain");
			return;
		}
		if (st->kind == SCN_STEP_SENTINEL && st->text && strcmp(st->text, "QUIT") == 0)
			ended = 1;
		else if (st->kind == SCN_STEP_DISCONNECT)
			ended = 2;
		else if (st->kind == SCN_STEP_DRAIN)
			ended = 3;
	}
}

/* ---- the variables the texts use ------------------------------------ */

struct varcheck {
	struct loadstate *ls;
	size_t step;
};

/* A starttls step after step `from` and before step `to`: the engine
 * forgets captures at the handshake (RFC 3207 4.2). */
static int
starttls_between(const struct scn *s, size_t from, size_t to)
{
	for (size_t k = from + 1; k < to && k < s->n_steps; k++)
		if (s->steps[k].kind == SCN_STEP_STARTTLS)
			return 1;
	return 0;
}

static const char *
known_var(void *arg, const char *name, size_t len)
{
	struct varcheck *vc = arg;
	const struct scn *s = vc->ls->s;
	struct vars_scope scope = { .scn = s };
	if (vars_lookup(&scope, name, len) || vars_is_session(name, len))
		return "";
	for (size_t i = 0; i < s->n_requires_vars; i++)
		if (strlen(s->requires_vars[i]) == len && memcmp(s->requires_vars[i], name, len) == 0)
			return "";
	if (vars_derivable(name, len, s->requires_vars, s->n_requires_vars))
		return "";
	for (size_t i = 0; i < vc->ls->ncaps; i++)
		if (vc->ls->caps[i].step < vc->step && strlen(vc->ls->caps[i].name) == len &&
		    memcmp(vc->ls->caps[i].name, name, len) == 0 &&
		    !starttls_between(vc->ls->s, vc->ls->caps[i].step, vc->step))
			return "";
	return NULL;
}

static int
check_text(struct loadstate *ls, const struct node *where, const char *text,
    size_t len, int escapes, size_t step)
{
	struct varcheck vc = { ls, step };
	size_t pos = 0;
	const char *why = tmpl_expand(text, len, escapes, known_var, &vc, NULL, &pos);
	if (!why)
		return 1;
	if (strcmp(why, "undefined variable") == 0) {
		const char *end = memchr(text + pos, '}', len - pos);
		int nlen = end ? (int)(end - text - pos - 2) : 0;
		ERR(ls->c, where, "undefined variable ${%.*s}: define it in vars, requires.vars or an earlier capture",
		    nlen, text + pos + 2);
	} else
		ERR(ls->c, where, "%s (at offset %zu of the text)", why, pos);
	return 0;
}

static void
check_delivered_texts(struct loadstate *ls, const struct node *where,
    const struct scn_delivered *d, size_t i)
{
	if (d->mail_from)
		check_text(ls, where, d->mail_from, strlen(d->mail_from), 0, i);
	for (size_t k = 0; k < d->n_rcpt_to; k++)
		check_text(ls, where, d->rcpt_to[k], strlen(d->rcpt_to[k]), 0, i);
	for (size_t k = 0; k < d->n_mail_params; k++)
		check_text(ls, where, d->mail_params[k], strlen(d->mail_params[k]), 0, i);
	for (size_t k = 0; k < d->n_rcpt_params; k++)
		check_text(ls, where, d->rcpt_params[k], strlen(d->rcpt_params[k]), 0, i);
	if (d->has_body)
		check_text(ls, where, d->body, d->body_len, 1, i);
}

void
ld_check_step_vars(struct loadstate *ls, const struct node *steps)
{
	const struct scn *s = ls->s;
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct scn_step *st = &s->steps[i];
		const struct node *sn = steps->kids[i];
		const struct node *where = sn->type == NODE_MAP && sn->n >= 2 ? sn->kids[1] : sn;
		if (st->text)
			check_text(ls, where, st->text, st->text_len,
			    st->kind == SCN_STEP_SEND_RAW || st->kind == SCN_STEP_STARTTLS, i);
		for (size_t l = 0; l < st->n_lines; l++)
			check_text(ls, where, st->lines[l], strlen(st->lines[l]), 0, i);
		if (st->dlv)
			check_delivered_texts(ls, where, st->dlv, i);
	}
}

void
ld_check_var_values(struct ctx *c, const struct node *root, const struct scn *s)
{
	for (size_t i = 0; i < s->n_vars; i++)
		if (strstr(s->vars[i].value, "${"))
			ERR(c, root, "the value of variable '%s' refers to another variable: values are literal",
			    s->vars[i].name);
}
