/*
 * loader.c - scenario files and profiles, read with libyaml's event API.
 *
 * loader_yaml.c folds the events into a tree of nodes; this file checks the
 * tree against the grammar below, collecting every error.  What the grammar
 * does not say is loader_lint.c's (identity, requires, the session's end,
 * the variables the texts use); the files a PATH names, loader_paths.c's.
 *
 *   scenario  := mapping { id, title, level, refs, steps  (required)
 *                          description, tags, requires, opening, timeout, vars }
 *   requires  := mapping { extensions: [KEYWORD...], extension_params,
 *                          vars: [NAME...], oracle: any|final|relay }
 *   step      := mapping with exactly one action and its modifiers:
 *                send: LINE | send_raw: BYTES | pipeline: [LINE...] |
 *                data: BODY | expect: EXPECT | expect_close: true|SECONDS |
 *                expect_open: SECONDS | wait: SECONDS |
 *                starttls: true | mapping { expect: EXPECT, inject: BYTES } |
 *                sentinel: NOOP|RSET|QUIT | disconnect: true |
 *                drain: true|SECONDS | delivered: DELIVERED
 *                (loader_delivered.c) ;
 *                after sentinel: QUIT, disconnect or drain only delivered;
 *                repeat: N, rule: ID, extra: EXTRA (sentinel only)
 *   EXTRA     := mapping { code, text, enhanced, single_line, warn } (code
 *                and warn required): one tolerated reply before the sentinel's
 *   EXPECT    := CODE | [CODE...] | mapping { code, text, enhanced,
 *                ehlo_has, ehlo_lacks, single_line, capture }
 *   CODE      := 200..599 | "Dxx"-style pattern
 *   capture   := mapping { NAME: { ehlo: KEYWORD } | { regex: ERE } }
 */
#include "loader.h"
#include "loader_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "template.h"
#include "util.h"

#define MAX_REPEAT 100000

static int
parse_capture(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step)
{
	struct ctx *c = ls->c;
	if (!ld_want(c, n, NODE_MAP, "capture"))
		return 0;
	if (!ld_check_keys(c, n, NULL, "capture"))
		return 0;
	int ok = 1;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		if (!tmpl_valid_name(k->val, k->len)) {
			ERR(c, k, "bad capture name '%s': use letters, digits and '_'", k->val);
			ok = 0;
			continue;
		}
		static const char *const ckeys[] = { "ehlo", "regex", NULL };
		if (!ld_want(c, v, NODE_MAP, "a capture") || !ld_check_keys(c, v, ckeys, "capture") ) {
			ok = 0;
			continue;
		}
		if (v->n != 2) {
			ERR(c, v, "a capture needs exactly one of 'ehlo' or 'regex'");
			ok = 0;
			continue;
		}
		const struct node *how = v->kids[0], *arg = v->kids[1];
		char *src = ld_get_str(c, arg, how->val, 1);
		if (!src) {
			ok = 0;
			continue;
		}
		struct scn_capture cap = { 0 };
		cap.kind = strcmp(how->val, "ehlo") == 0 ? SCN_CAPTURE_EHLO : SCN_CAPTURE_REGEX;
		if (cap.kind == SCN_CAPTURE_REGEX && !ld_compile_re(c, arg, &cap.re)) {
			free(src);
			ok = 0;
			continue;
		}
		cap.source = src;
		cap.name = xstrdup(k->val);
		e->captures = xrealloc(e->captures, (e->n_captures + 1) * sizeof(*e->captures));
		e->captures[e->n_captures++] = cap;
		ls->caps = xrealloc(ls->caps, (ls->ncaps + 1) * sizeof(*ls->caps));
		ls->caps[ls->ncaps].name = cap.name;
		ls->caps[ls->ncaps++].step = step;
	}
	return ok;
}

/* Which mapping parse_expect_keys() reads: an expect, an expect_extra, or
 * a sentinel's extra (the keys of expect_extra but `within`). */
enum expect_form { FORM_EXPECT, FORM_EXTRA, FORM_SENTINEL_EXTRA };

static int
parse_expect_keys(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step,
    enum expect_form form)
{
	struct ctx *c = ls->c;
	if (n->type != NODE_MAP)
		return ld_parse_codes(c, n, e);
	static const char *const keys[] = { "code", "prefer", "stop_if", "skip_if", "text", "enhanced", "ehlo_has",
		"ehlo_lacks", "ehlo_valid", "single_line", "capture", NULL };
	static const char *const extra_keys[] = { "code", "text", "enhanced", "single_line",
		"within", "warn", NULL };
	static const char *const sentinel_keys[] = { "code", "text", "enhanced", "single_line",
		"warn", NULL };
	static const char *const *const form_keys[] = { keys, extra_keys, sentinel_keys };
	static const char *const form_name[] = { "expect", "expect_extra", "extra" };
	int ok = ld_check_keys(c, n, form_keys[form], form_name[form]);
	const struct node *v;
	if ((v = ld_lookup(n, "code")) && !ld_parse_codes(c, v, e))
		ok = 0;
	if ((v = ld_lookup(n, "prefer")) &&
	    (!ld_parse_code_list(c, v, &e->prefer, &e->n_prefer) || (ok && !ld_check_prefer(c, v, e))))
		ok = 0;
	if ((v = ld_lookup(n, "stop_if")) &&
	    (!ld_parse_code_list(c, v, &e->stop, &e->n_stop) || (ok && !ld_check_subset(c, v, e, e->stop,
	    e->n_stop, "stop_if"))))
		ok = 0;
	if ((v = ld_lookup(n, "skip_if")) && !ld_parse_code_list(c, v, &e->skip, &e->n_skip))
		ok = 0;
	if ((v = ld_lookup(n, "text"))) {
		if ((e->text = ld_get_str(c, v, "text", 1)) && !ld_compile_re(c, v, &e->text_re)) {
			free(e->text);
			e->text = NULL;
			ok = 0;
		} else if (!e->text)
			ok = 0;
	}
	if ((v = ld_lookup(n, "enhanced"))) {
		e->enhanced = ld_get_str(c, v, "enhanced", 1);
		if (e->enhanced && !ld_valid_enhanced(e->enhanced)) {
			ERR(c, v, "bad enhanced status '%s': expected e.g. 5.1.1, 5.x.x or present", e->enhanced);
			free(e->enhanced);
			e->enhanced = NULL;
		}
		if (!e->enhanced)
			ok = 0;
	}
	if ((v = ld_lookup(n, "ehlo_has")) && !ld_get_strv(c, v, "ehlo_has", &e->ehlo_has, &e->n_ehlo_has))
		ok = 0;
	if ((v = ld_lookup(n, "ehlo_lacks")) && !ld_get_strv(c, v, "ehlo_lacks", &e->ehlo_lacks, &e->n_ehlo_lacks))
		ok = 0;
	if ((v = ld_lookup(n, "single_line")) && !ld_get_bool(c, v, "single_line", &e->single_line))
		ok = 0;
	if ((v = ld_lookup(n, "ehlo_valid")) && !ld_get_bool(c, v, "ehlo_valid", &e->ehlo_valid))
		ok = 0;
	if ((v = ld_lookup(n, "capture")) && !parse_capture(ls, v, e, step))
		ok = 0;
	return ok;
}

static int
parse_expect(struct loadstate *ls, const struct node *n, struct scn_expect *e, size_t step)
{
	return parse_expect_keys(ls, n, e, step, FORM_EXPECT);
}

/* expect_extra: {code, text, enhanced, single_line, within: SECONDS, warn: TEXT};
 * code and warn are required. */
static int
parse_expect_extra(struct loadstate *ls, const struct node *n, struct scn_step *st, size_t step)
{
	struct ctx *c = ls->c;
	if (!ld_want(c, n, NODE_MAP, "expect_extra"))
		return 0;
	int ok = parse_expect_keys(ls, n, &st->expect, step, FORM_EXTRA);
	const struct node *v;
	if (!ld_lookup(n, "code")) {
		ERR(c, n, "expect_extra needs code: the codes of the tolerated reply");
		ok = 0;
	}
	if (!(v = ld_lookup(n, "warn"))) {
		ERR(c, n, "expect_extra needs warn: the deviation to report when the reply comes");
		ok = 0;
	} else if (!(st->text = ld_get_str(c, v, "warn", 1)))
		ok = 0;
	else
		st->text_len = strlen(st->text);
	st->seconds = 0.5;
	if ((v = ld_lookup(n, "within")) && !ld_get_seconds(c, v, "within", &st->seconds))
		ok = 0;
	return ok;
}

/* sentinel: NOOP, RSET or QUIT: commands every server must answer with one
 * known code (RFC 5321 4.1.1.9 250, 4.1.1.5 250, 4.1.1.10 221) in any
 * state, so the next reply tells whether an extra one came first. */
static int
parse_sentinel(struct ctx *c, const struct node *value, struct scn_step *st)
{
	if (!ld_want(c, value, NODE_SCALAR, "sentinel"))
		return 0;
	static const char *const verbs[] = { "NOOP", "RSET", "QUIT", NULL };
	for (size_t i = 0; verbs[i]; i++)
		if (strcasecmp(value->val, verbs[i]) == 0) {
			st->text = xstrdup(verbs[i]);
			st->text_len = strlen(verbs[i]);
			return 1;
		}
	ERR(c, value, "sentinel takes NOOP, RSET or QUIT, not '%s'", value->val);
	return 0;
}

/* A sentinel's extra: {code, text, enhanced, single_line, warn}; code and
 * warn required. */
static int
parse_sentinel_extra(struct loadstate *ls, const struct node *n, struct scn_step *st, size_t step)
{
	struct ctx *c = ls->c;
	if (st->kind != SCN_STEP_SENTINEL) {
		ERR(c, n, "'extra' applies to sentinel only");
		return 0;
	}
	if (!ld_want(c, n, NODE_MAP, "extra"))
		return 0;
	int ok = parse_expect_keys(ls, n, &st->expect, step, FORM_SENTINEL_EXTRA);
	const struct node *v;
	if (!ld_lookup(n, "code")) {
		ERR(c, n, "extra needs code: the codes of the tolerated reply");
		ok = 0;
	}
	if (!(v = ld_lookup(n, "warn"))) {
		ERR(c, n, "extra needs warn: the deviation to report when the reply comes");
		ok = 0;
	} else if (!(st->warn = ld_get_str(c, v, "warn", 1)))
		ok = 0;
	st->has_extra = ok;
	return ok;
}

/* ---- steps ------------------------------------------------------------ */

/* In the order of enum scn_step_kind. */
static const char *const step_actions[] = { "send", "send_raw", "pipeline", "data",
	"expect", "expect_close", "expect_open", "wait", "expect_extra", "starttls", "sentinel",
	"disconnect", "drain", "delivered", NULL };

/* starttls: true, or a mapping with the reply to expect (default 220) and
 * bytes injected after "STARTTLS\r\n" in the same write (escapes as in
 * send_raw: the CVE-2011-0411 probe). */
static int
parse_starttls(struct loadstate *ls, const struct node *value, struct scn_step *st, size_t idx)
{
	struct ctx *c = ls->c;
	int ok = 1;
	if (value->type == NODE_MAP) {
		static const char *const tkeys[] = { "expect", "inject", NULL };
		if (!ld_check_keys(c, value, tkeys, "starttls"))
			return 0;
		const struct node *v;
		if ((v = ld_lookup(value, "expect")) && !parse_expect(ls, v, &st->expect, idx))
			ok = 0;
		if ((v = ld_lookup(value, "inject"))) {
			if (!ld_want(c, v, NODE_SCALAR, "inject"))
				return 0;
			if (v->double_quoted) {
				ERR(c, v, "inject must be single-quoted or plain: the harness decodes the escapes itself");
				return 0;
			}
			st->text = xstrndup(v->val, v->len);
			st->text_len = v->len;
		}
	} else {
		int b = 0;
		if (!ld_get_bool(c, value, "starttls", &b) || !b) {
			ERR(c, value, "starttls takes true or a mapping {expect, inject}");
			return 0;
		}
	}
	if (st->expect.n_codes == 0) {
		st->expect.codes = xcalloc(1, sizeof(*st->expect.codes));
		memcpy(st->expect.codes[0].pat, "220", 4);
		st->expect.n_codes = 1;
	}
	return ok;
}

static int
parse_step_rule(struct loadstate *ls, const struct node *n, struct scn_step *st)
{
	struct ctx *c = ls->c;
	if (!ld_want(c, n, NODE_SCALAR, "rule"))
		return 0;
	for (size_t i = 0; i < ls->s->n_rules; i++)
		if (ls->s->rules[i].id && strcmp(ls->s->rules[i].id, n->val) == 0) {
			st->rule = &ls->s->rules[i];
			return 1;
		}
	ERR(c, n, "rule '%s' is not one of the scenario's rules", n->val);
	return 0;
}

/* The step's one action key (its kind into st->kind), or NULL after an
 * error; *value is the action's value. */
static const struct node *
step_action(struct ctx *c, const struct node *n, struct scn_step *st, const struct node **value)
{
	const struct node *action = NULL;
	for (size_t i = 0; i + 1 < n->n; i += 2)
		for (size_t a = 0; step_actions[a]; a++)
			if (strcmp(n->kids[i]->val, step_actions[a]) == 0) {
				if (action) {
					ERR(c, n->kids[i], "a step has one action: '%s' and '%s' both given",
					    action->val, n->kids[i]->val);
					return NULL;
				}
				action = n->kids[i];
				*value = n->kids[i + 1];
				st->kind = (enum scn_step_kind)a;
			}
	if (!action)
		ERR(c, n, "a step needs an action: send, send_raw, pipeline, data, expect, expect_close, expect_open, wait, expect_extra, starttls, sentinel, disconnect, drain or delivered");
	return action;
}

/* The keys beside the action: repeat and rule.  0 after an error. */
static int
step_modifiers(struct loadstate *ls, const struct node *n, struct scn_step *st)
{
	struct ctx *c = ls->c;
	int ok = 1;
	const struct node *rep = ld_lookup(n, "repeat");
	if (rep) {
		if (st->kind != SCN_STEP_SEND && st->kind != SCN_STEP_SEND_RAW &&
		    st->kind != SCN_STEP_DATA && st->kind != SCN_STEP_EXPECT) {
			ERR(c, rep, "'repeat' applies to send, send_raw, data and expect only");
			ok = 0;
		} else if (!ld_get_uint(c, rep, "repeat", 1, MAX_REPEAT, &st->repeat))
			ok = 0;
	}
	const struct node *rn = ld_lookup(n, "rule");
	if (rn && !parse_step_rule(ls, rn, st))
		ok = 0;
	return ok;
}

/* send, data and send_raw: the text as written (expanded at run time). */
static int
step_text(struct ctx *c, const struct node *action, const struct node *value, struct scn_step *st)
{
	if (!ld_want(c, value, NODE_SCALAR, action->val))
		return 0;
	if (st->kind == SCN_STEP_SEND_RAW && value->double_quoted) {
		ERR(c, value, "send_raw must be single-quoted or plain: the harness decodes the escapes itself");
		return 0;
	}
	st->text = xstrndup(value->val, value->len);
	st->text_len = value->len;
	if (st->kind == SCN_STEP_SEND && memchr(value->val, '\n', value->len)) {
		ERR(c, value, "send takes one command line; use send_raw for line breaks or pipeline for several commands");
		return 0;
	}
	return 1;
}

static int
step_pipeline(struct ctx *c, const struct node *value, struct scn_step *st)
{
	if (!ld_want(c, value, NODE_SEQ, "pipeline"))
		return 0;
	if (value->n < 1) {
		ERR(c, value, "pipeline needs at least one command");
		return 0;
	}
	return ld_get_strv(c, value, "a pipelined command", &st->lines, &st->n_lines);
}

/* expect_close and drain: true, or the seconds to wait for the close. */
static int
step_expect_close(struct ctx *c, const struct node *value, struct scn_step *st,
    const char *what)
{
	int b;
	if (value->type == NODE_SCALAR && value->plain &&
	    (strcmp(value->val, "true") == 0 || strcmp(value->val, "false") == 0)) {
		if (!ld_get_bool(c, value, what, &b) || !b) {
			ERR(c, value, "%s takes true or a number of seconds", what);
			return 0;
		}
		return 1;
	}
	return ld_get_seconds(c, value, what, &st->seconds);
}

/* disconnect: true (the client drops the connection, RFC 5321 4.1.1.10's
 * "connection drops"). */
static int
step_disconnect(struct ctx *c, const struct node *value)
{
	int b = 0;
	if (!ld_get_bool(c, value, "disconnect", &b) || !b) {
		ERR(c, value, "disconnect takes true");
		return 0;
	}
	return 1;
}

/* The action's value, by kind.  0 after an error. */
static int
step_value(struct loadstate *ls, const struct node *action, const struct node *value,
    struct scn_step *st, size_t idx)
{
	struct ctx *c = ls->c;
	switch (st->kind) {
	case SCN_STEP_SEND:
	case SCN_STEP_DATA:
	case SCN_STEP_SEND_RAW:
		return step_text(c, action, value, st);
	case SCN_STEP_PIPELINE:
		return step_pipeline(c, value, st);
	case SCN_STEP_EXPECT:
		return parse_expect(ls, value, &st->expect, idx);
	case SCN_STEP_EXPECT_EXTRA:
		return parse_expect_extra(ls, value, st, idx);
	case SCN_STEP_EXPECT_CLOSE:
		return step_expect_close(c, value, st, "expect_close");
	case SCN_STEP_EXPECT_OPEN:
	case SCN_STEP_WAIT:
		return ld_get_seconds(c, value, action->val, &st->seconds);
	case SCN_STEP_STARTTLS:
		return parse_starttls(ls, value, st, idx);
	case SCN_STEP_SENTINEL:
		return parse_sentinel(c, value, st);
	case SCN_STEP_DISCONNECT:
		return step_disconnect(c, value);
	case SCN_STEP_DRAIN:
		return step_expect_close(c, value, st, "drain");
	case SCN_STEP_DELIVERED:
		return ld_parse_delivered(c, value, st);
	}
	return 0;
}

static int
parse_step(struct loadstate *ls, const struct node *n, struct scn_step *st, size_t idx)
{
	struct ctx *c = ls->c;
	st->line = n->line;
	st->col = n->col;
	st->repeat = 1;
	if (!ld_want(c, n, NODE_MAP, "a step"))
		return 0;
	static const char *const keys[] = { "send", "send_raw", "pipeline", "data",
		"expect", "expect_close", "expect_open", "wait", "expect_extra", "starttls", "sentinel",
		"disconnect", "drain", "delivered", "repeat", "rule", "extra", NULL };
	if (!ld_check_keys(c, n, keys, "step"))
		return 0;
	const struct node *value = NULL;
	const struct node *action = step_action(c, n, st, &value);
	if (!action)
		return 0;
	int ok = step_modifiers(ls, n, st);
	const struct node *extra = ld_lookup(n, "extra");
	if (extra && !parse_sentinel_extra(ls, extra, st, idx))
		ok = 0;
	return step_value(ls, action, value, st, idx) && ok;
}

/* ---- variables -------------------------------------------------------- */

static int
parse_vars(struct ctx *c, const struct node *n, struct scn_var **vars, size_t *nvars)
{
	if (!ld_want(c, n, NODE_MAP, "vars") || !ld_check_keys(c, n, NULL, "vars"))
		return 0;
	int ok = 1;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct node *k = n->kids[i], *v = n->kids[i + 1];
		if (!tmpl_valid_name(k->val, k->len)) {
			ERR(c, k, "bad variable name '%s': use letters, digits and '_'", k->val);
			ok = 0;
			continue;
		}
		char *val = ld_get_str(c, v, "a variable's value", 0);
		if (!val) {
			ok = 0;
			continue;
		}
		*vars = xrealloc(*vars, (*nvars + 1) * sizeof(**vars));
		(*vars)[*nvars].name = xstrdup(k->val);
		(*vars)[(*nvars)++].value = val;
	}
	return ok;
}

/* ---- the scenario ----------------------------------------------------- */

/* The steps, then the variables their texts use: checked once everything
 * that defines them (vars, captures) is known. */
static void
parse_steps(struct loadstate *ls, const struct node *v)
{
	struct ctx *c = ls->c;
	struct scn *s = ls->s;
	if (v->n == 0)
		ERR(c, v, "steps needs at least one step");
	s->steps = xcalloc(v->n ? v->n : 1, sizeof(*s->steps));
	for (size_t i = 0; i < v->n; i++) {
		parse_step(ls, v->kids[i], &s->steps[s->n_steps], i);
		s->n_steps++;
	}
	ld_check_session_end(c, v, s);
	ld_check_step_vars(ls, v);
}

static struct scn *
build_scenario(struct ctx *c, const struct node *root)
{
	if (!ld_want(c, root, NODE_MAP, "a scenario"))
		return NULL;
	static const char *const keys[] = { "id", "title", "description", "level", "refs",
		"tags", "requires", "opening", "timeout", "vars", "rules", "steps", NULL };
	struct scn *s = xcalloc(1, sizeof(*s));
	struct loadstate ls = { c, s, NULL, 0 };
	s->file = xstrdup(c->file);
	s->line = root->line;
	s->col = root->col;
	s->opening = SCN_OPEN_EHLO;
	ld_check_keys(c, root, keys, "scenario");

	const struct node *v;
	static const char *const required[] = { "id", "title", "level", "refs", "steps", NULL };
	for (size_t i = 0; required[i]; i++)
		if (!ld_lookup(root, required[i]))
			ERR(c, root, "missing required key '%s'", required[i]);

	ld_parse_identity(c, root, s);
	if ((v = ld_lookup(root, "tags")))
		ld_get_strv(c, v, "tags", &s->tags, &s->n_tags);
	if ((v = ld_lookup(root, "requires")) && ld_want(c, v, NODE_MAP, "requires"))
		ld_parse_requires(c, v, s);
	if ((v = ld_lookup(root, "opening")) && ld_want(c, v, NODE_SCALAR, "opening")) {
		static const char *const names[] = { "none", "greeting", "helo", "ehlo" };
		int found = 0;
		for (int i = 0; i < 4; i++)
			if (strcmp(v->val, names[i]) == 0) {
				s->opening = (enum scn_opening)i;
				found = 1;
			}
		if (!found)
			ERR(c, v, "opening must be none, greeting, helo or ehlo, not '%s'", v->val);
	}
	if ((v = ld_lookup(root, "timeout")) && ld_get_seconds(c, v, "timeout", &s->timeout) && s->timeout <= 0)
		ERR(c, v, "timeout must be more than 0 seconds");
	if ((v = ld_lookup(root, "vars")))
		parse_vars(c, v, &s->vars, &s->n_vars);
	if ((v = ld_lookup(root, "rules")))
		ld_parse_rules(c, v, s);
	if ((v = ld_lookup(root, "steps")) && ld_want(c, v, NODE_SEQ, "steps"))
		parse_steps(&ls, v);
	ld_check_rules(c, root, s);
	ld_check_var_values(c, root, s);
	free(ls.caps);
	return s;
}

struct scn *
load_scenario_mem(const char *name, const char *data, size_t len, struct load_diag *diag)
{
	struct ctx c = { name, diag, diag->n_errors, NULL };
	struct node *root = ld_parse_doc(&c, data, len);
	if (!root)
		return NULL;
	struct scn *s = build_scenario(&c, root);
	ld_node_free(root);
	if (diag->n_errors != c.errors_before) {
		scn_free(s);
		return NULL;
	}
	return s;
}

static char *
read_file(const char *path, size_t *len, struct load_diag *diag)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		load_diag_add(diag, path, 1, 1, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > LOAD_MAX_FILE) {
			load_diag_add(diag, path, 1, 1, "file larger than %d bytes", LOAD_MAX_FILE);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		load_diag_add(diag, path, 1, 1, "read error: %s", strerror(errno));
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	return buf_steal(&b, len);
}

struct scn *
load_scenario_file(const char *path, struct load_diag *diag)
{
	size_t len;
	char *data = read_file(path, &len, diag);
	if (!data)
		return NULL;
	struct scn *s = load_scenario_mem(path, data, len, diag);
	free(data);
	return s;
}

size_t
load_check_ids(struct scn *const *scns, size_t n, size_t first, struct load_diag *diag)
{
	size_t dups = 0;
	for (size_t i = first; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(scns[j]->id, scns[i]->id) == 0) {
				load_diag_add(diag, scns[i]->file, scns[i]->line, scns[i]->col,
				    "duplicate scenario id '%s' (also in %s)", scns[i]->id, scns[j]->file);
				dups++;
				break;
			}
	return dups;
}

int
load_profile_file(const char *path, struct scn_var **vars, size_t *n, struct load_diag *diag)
{
	size_t len;
	char *data = read_file(path, &len, diag);
	if (!data)
		return -1;
	struct ctx c = { path, diag, diag->n_errors, NULL };
	struct node *root = ld_parse_doc(&c, data, len);
	free(data);
	if (!root)
		return -1;
	static const char *const keys[] = { "vars", NULL };
	if (ld_want(&c, root, NODE_MAP, "a profile") && ld_check_keys(&c, root, keys, "profile")) {
		const struct node *v = ld_lookup(root, "vars");
		if (!v)
			ERR(&c, root, "a profile needs 'vars'");
		else
			parse_vars(&c, v, vars, n);
	}
	ld_node_free(root);
	return diag->n_errors == c.errors_before ? 0 : -1;
}
